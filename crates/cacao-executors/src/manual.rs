//! The `manual` command type: a person does the task and says how it went.
//!
//! **At a terminal.** The executor shows the operator the step's name and id, the command's
//! index, its targets and the command text, then asks whether the command succeeded (`s` or
//! `success`, `f` or `failure`), a value for each of the step's `out_args` (an empty answer leaves
//! the variable unchanged), and for a failure an optional reason. It talks to the controlling
//! terminal (`/dev/tty`), not to standard input or output, so it works while `cacao run` writes
//! JSON to standard output. The terminal is read through tokio's reactor (non-blocking, no thread
//! parked in a read), so waiting for a person blocks no tokio worker, and a step timeout simply
//! withdraws the question. Questions from parallel branches are asked one after another. Control
//! characters in the command text and targets are shown escaped, so a substituted value cannot
//! send escape sequences to the operator's terminal.
//!
//! **Unattended.** With an answers file (`cacao run --answers FILE`), no one is asked; the
//! answers are read from the file, keyed by step id and command index:
//!
//! ```json
//! {
//!   "action--3d1f7c5e-0c2a-4c59-9a57-1c0f3f0f2b11": {
//!     "0": { "outcome": "success", "results": { "__ticket__": "INC-1042" } },
//!     "1": { "outcome": "failure", "reason": "the owner could not be reached" }
//!   },
//!   "action--8a4f2b7d-6b0e-4a51-8d7c-2e5b9c1d0f33": {
//!     "0": [ { "outcome": "failure" }, { "outcome": "failure" }, { "outcome": "success" } ]
//!   }
//! }
//! ```
//!
//! Each answer has `outcome` (`success` or `failure`), optionally `results` (variable names with
//! their `__` delimiters, to string values) and optionally `reason`. A list of answers is used in
//! order, one per run of that command (a step inside a while loop runs again); a single answer is
//! used every time. A command with no answer, or whose list is used up, fails with an error that
//! names the step and index: an unattended run never guesses. Unknown properties are refused, so
//! a misspelt key is caught when the file is read.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex as StdMutex;

use cacao_engine::executor::{BoxFuture, CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::CommandType;
use indexmap::IndexMap;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::unix::pipe;
use tokio::sync::Mutex;

use crate::output_file::is_variable_name;

/// The controlling terminal of the process.
pub const TERMINAL: &str = "/dev/tty";

/// Names an answers file for unattended runs (`cacao run --answers FILE`).
pub const ANSWERS_VARIABLE: &str = "CACAO_ANSWERS";

/// An answers file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManualError {
    /// The file cannot be read.
    #[error("cannot read the answers file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("the answers file {path} is not JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// Where and why.
        source: serde_json::Error,
    },
    /// The JSON does not have the answers-file shape.
    #[error("the answers file {path} is not valid: {problem}")]
    Shape {
        /// The file.
        path: String,
        /// What is wrong, with the JSON pointer of the offending value.
        problem: String,
    },
}

/// What the operator (or the answers file) said about one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Whether the command succeeded.
    pub success: bool,
    /// Values for the step's out_args, by variable name.
    pub results: IndexMap<String, String>,
    /// Why it failed, or any remark.
    pub reason: Option<String>,
}

impl Answer {
    fn into_outcome(self) -> CommandOutcome {
        CommandOutcome {
            success: self.success,
            results: self.results,
            reason: self.reason.or_else(|| {
                (!self.success).then(|| "the operator reported that the command failed".to_owned())
            }),
        }
    }
}

/// The answers of an answers file.
#[derive(Debug, Default)]
pub struct Answers {
    by_command: HashMap<(String, usize), AnswerList>,
    used: StdMutex<HashMap<(String, usize), usize>>,
}

#[derive(Debug)]
enum AnswerList {
    Always(Answer),
    InOrder(Vec<Answer>),
}

impl Answers {
    /// Reads an answers file.
    pub fn read(path: &Path) -> Result<Self, ManualError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ManualError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|error| match error {
            ManualError::Json { source, .. } => ManualError::Json {
                path: shown,
                source,
            },
            ManualError::Shape { problem, .. } => ManualError::Shape {
                path: shown,
                problem,
            },
            other => other,
        })
    }

    /// Parses the text of an answers file.
    pub fn parse(text: &str) -> Result<Self, ManualError> {
        let value: Value = serde_json::from_str(text).map_err(|source| ManualError::Json {
            path: "(text)".into(),
            source,
        })?;
        let shape = |problem: String| ManualError::Shape {
            path: "(text)".into(),
            problem,
        };

        let steps = value
            .as_object()
            .ok_or_else(|| shape("the top level must be an object keyed by step id".into()))?;
        let mut by_command = HashMap::new();
        for (step_id, commands) in steps {
            let pointer = format!("/{}", escape_pointer(step_id));
            let commands = commands.as_object().ok_or_else(|| {
                shape(format!(
                    "{pointer} must be an object keyed by command index"
                ))
            })?;
            for (index, answers) in commands {
                let pointer = format!("{pointer}/{}", escape_pointer(index));
                let command_index: usize = index.parse().map_err(|_| {
                    shape(format!(
                        "{pointer}: `{index}` is not a command index (0, 1, ...)"
                    ))
                })?;
                let list = match answers {
                    Value::Array(items) if items.is_empty() => {
                        return Err(shape(format!("{pointer} is an empty list of answers")));
                    }
                    Value::Array(items) => AnswerList::InOrder(
                        items
                            .iter()
                            .enumerate()
                            .map(|(position, item)| {
                                parse_answer(item, &format!("{pointer}/{position}"))
                            })
                            .collect::<Result<_, _>>()
                            .map_err(shape)?,
                    ),
                    single => AnswerList::Always(parse_answer(single, &pointer).map_err(shape)?),
                };
                by_command.insert((step_id.clone(), command_index), list);
            }
        }
        Ok(Self {
            by_command,
            used: StdMutex::new(HashMap::new()),
        })
    }

    /// The answer for the next run of a command.
    pub fn next(&self, step_id: &str, command_index: usize) -> Result<Answer, ExecutorError> {
        let key = (step_id.to_owned(), command_index);
        let list = self.by_command.get(&key).ok_or_else(|| {
            ExecutorError::Invalid(format!(
                "the answers file has no answer for step {step_id} command {command_index}"
            ))
        })?;
        match list {
            AnswerList::Always(answer) => Ok(answer.clone()),
            AnswerList::InOrder(answers) => {
                let mut used = self.used.lock().map_err(|_| {
                    ExecutorError::Other("the answers file state is poisoned".into())
                })?;
                let run = used.entry(key).or_insert(0);
                let answer = answers.get(*run).cloned().ok_or_else(|| {
                    ExecutorError::Invalid(format!(
                        "the answers file has {} answer(s) for step {step_id} command \
                         {command_index}, and this is run {}",
                        answers.len(),
                        *run + 1
                    ))
                })?;
                *run += 1;
                Ok(answer)
            }
        }
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn parse_answer(value: &Value, pointer: &str) -> Result<Answer, String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("{pointer} must be an answer object or a list of them"))?;
    if let Some(unknown) = object
        .keys()
        .find(|key| !matches!(key.as_str(), "outcome" | "results" | "reason"))
    {
        return Err(format!(
            "{pointer}: unknown property `{unknown}` (an answer has outcome, results, reason)"
        ));
    }

    let success = match object.get("outcome").and_then(Value::as_str) {
        Some("success") => true,
        Some("failure") => false,
        _ => {
            return Err(format!(
                "{pointer}/outcome must be \"success\" or \"failure\""
            ));
        }
    };

    let mut results = IndexMap::new();
    match object.get("results") {
        None => {}
        Some(Value::Object(values)) => {
            for (name, value) in values {
                if !is_variable_name(name) {
                    return Err(format!(
                        "{pointer}/results: `{name}` is not a variable name like __name__"
                    ));
                }
                let value = value.as_str().ok_or_else(|| {
                    format!(
                        "{pointer}/results/{}: the value must be a string",
                        escape_pointer(name)
                    )
                })?;
                results.insert(name.clone(), value.to_owned());
            }
        }
        Some(_) => return Err(format!("{pointer}/results must be an object")),
    }

    let reason = match object.get("reason") {
        None => None,
        Some(Value::String(reason)) => Some(reason.clone()),
        Some(_) => return Err(format!("{pointer}/reason must be a string")),
    };
    Ok(Answer {
        success,
        results,
        reason,
    })
}

/// Runs `manual` commands.
pub struct ManualExecutor {
    mode: Mode,
}

enum Mode {
    Terminal(Mutex<Option<Conversation>>),
    Conversation(Mutex<Conversation>),
    Answers(Answers),
    Unusable(String),
}

impl std::fmt::Debug for ManualExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.mode {
            Mode::Terminal(_) => "terminal",
            Mode::Conversation(_) => "conversation",
            Mode::Answers(_) => "answers file",
            Mode::Unusable(_) => "unusable answers file",
        };
        f.debug_struct("ManualExecutor")
            .field("mode", &mode)
            .finish()
    }
}

impl ManualExecutor {
    /// Asks the operator at the controlling terminal, opened when the first question comes.
    pub fn terminal() -> Self {
        Self {
            mode: Mode::Terminal(Mutex::new(None)),
        }
    }

    /// An answers file when [`ANSWERS_VARIABLE`] names one, else the terminal.
    pub fn from_environment() -> Result<Self, ManualError> {
        match std::env::var_os(ANSWERS_VARIABLE).filter(|path| !path.is_empty()) {
            Some(path) => Self::from_answers_file(Path::new(&path)),
            None => Ok(Self::terminal()),
        }
    }

    /// The answers file when one is named, else the terminal. An answers file that cannot be
    /// used makes the executor unavailable, with the reason, so that the capability check reports
    /// it before an execution starts instead of this call failing.
    pub fn for_answers_file(path: Option<&Path>) -> Self {
        match path.map(Self::from_answers_file) {
            None => Self::terminal(),
            Some(Ok(executor)) => executor,
            Some(Err(error)) => Self {
                mode: Mode::Unusable(error.to_string()),
            },
        }
    }

    /// Takes answers from an answers file.
    pub fn from_answers_file(path: &Path) -> Result<Self, ManualError> {
        Ok(Self::from_answers(Answers::read(path)?))
    }

    /// Takes answers from parsed answers.
    pub fn from_answers(answers: Answers) -> Self {
        Self {
            mode: Mode::Answers(answers),
        }
    }

    /// Asks through any pair of streams: a front end other than the terminal, or a test.
    pub fn with_streams(
        reader: impl AsyncRead + Send + Unpin + 'static,
        writer: impl AsyncWrite + Send + Unpin + 'static,
    ) -> Self {
        Self {
            mode: Mode::Conversation(Mutex::new(Conversation::new(
                Box::new(reader),
                Box::new(writer),
            ))),
        }
    }

    async fn run(&self, request: &CommandRequest) -> Result<CommandOutcome, ExecutorError> {
        match &self.mode {
            Mode::Unusable(reason) => Err(ExecutorError::Unavailable(reason.clone())),
            Mode::Answers(answers) => Ok(answers
                .next(&request.step_id, request.command_index)?
                .into_outcome()),
            Mode::Conversation(conversation) => {
                Ok(conversation.lock().await.ask(request).await?.into_outcome())
            }
            Mode::Terminal(slot) => {
                let mut slot = slot.lock().await;
                if slot.is_none() {
                    let (reader, writer) = open_terminal().map_err(|error| {
                        ExecutorError::Unavailable(format!(
                            "a manual command needs an operator at a terminal, and {TERMINAL} \
                             cannot be opened ({error}); give an answers file for unattended runs"
                        ))
                    })?;
                    *slot = Some(Conversation::new(Box::new(reader), Box::new(writer)));
                }
                match slot.as_mut() {
                    Some(conversation) => Ok(conversation.ask(request).await?.into_outcome()),
                    None => Err(ExecutorError::Other("the terminal was not opened".into())),
                }
            }
        }
    }
}

impl Executor for ManualExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::Manual]
    }

    fn supports_target_type(&self, _target_type: &str) -> bool {
        // A person can act on anything a playbook names.
        true
    }

    fn unavailable_reason(&self) -> Option<String> {
        match &self.mode {
            Mode::Terminal(_) => std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(TERMINAL)
                .err()
                .map(|error| {
                    format!(
                        "manual commands need an operator at a terminal or an answers file \
                         (--answers FILE), and {TERMINAL} cannot be opened: {error}"
                    )
                }),
            Mode::Unusable(reason) => Some(reason.clone()),
            Mode::Conversation(_) | Mode::Answers(_) => None,
        }
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(self.run(request))
    }
}

/// A question-and-answer exchange over a pair of streams.
struct Conversation {
    reader: BufReader<Box<dyn AsyncRead + Send + Unpin>>,
    writer: Box<dyn AsyncWrite + Send + Unpin>,
}

impl Conversation {
    fn new(
        reader: Box<dyn AsyncRead + Send + Unpin>,
        writer: Box<dyn AsyncWrite + Send + Unpin>,
    ) -> Self {
        Self {
            reader: BufReader::new(reader),
            writer,
        }
    }

    async fn ask(&mut self, request: &CommandRequest) -> Result<Answer, ExecutorError> {
        let text = request
            .command
            .text()
            .map_err(|error| ExecutorError::Invalid(error.to_string()))?
            .unwrap_or_default();

        let mut header = String::from("\n== Manual command ==\n");
        let step = match &request.step_name {
            Some(name) => format!("{} ({})", shown(name), request.step_id),
            None => request.step_id.clone(),
        };
        header.push_str(&format!(
            "Step:    {step}, command {}\n",
            request.command_index
        ));
        if let Some(description) = &request.command.description {
            header.push_str(&format!("About:   {}\n", shown(description)));
        }
        for (id, target) in &request.targets {
            header.push_str(&format!(
                "Target:  {} ({}, {id})\n",
                shown(&target.name),
                target.agent_target_type
            ));
        }
        header.push_str("Task:\n");
        for line in text.lines() {
            header.push_str(&format!("    {}\n", shown(line)));
        }
        self.say(&header).await?;

        let success = loop {
            let answer = self
                .question("Did it succeed? [s]uccess / [f]ailure: ")
                .await?;
            match answer.trim().to_ascii_lowercase().as_str() {
                "s" | "success" | "y" | "yes" => break true,
                "f" | "failure" | "n" | "no" => break false,
                _ => {
                    self.say("Please answer s (success) or f (failure).\n")
                        .await?
                }
            }
        };

        let mut results = IndexMap::new();
        for name in &request.out_args {
            let value = self
                .question(&format!("Value for {name} (empty: leave it unchanged): "))
                .await?;
            if !value.is_empty() {
                results.insert(name.clone(), value);
            }
        }

        let reason = if success {
            None
        } else {
            Some(self.question("Why did it fail? (optional): ").await?)
                .filter(|reason| !reason.is_empty())
        };
        Ok(Answer {
            success,
            results,
            reason,
        })
    }

    async fn say(&mut self, text: &str) -> Result<(), ExecutorError> {
        let failed = |error: std::io::Error| {
            ExecutorError::Unavailable(format!("cannot write to the operator's terminal: {error}"))
        };
        self.writer
            .write_all(text.as_bytes())
            .await
            .map_err(failed)?;
        self.writer.flush().await.map_err(failed)
    }

    async fn question(&mut self, prompt: &str) -> Result<String, ExecutorError> {
        self.say(prompt).await?;
        let mut line = String::new();
        let read = self.reader.read_line(&mut line).await.map_err(|error| {
            ExecutorError::Unavailable(format!("cannot read the operator's answer: {error}"))
        })?;
        if read == 0 {
            return Err(ExecutorError::Unavailable(
                "the operator's terminal closed before the question was answered".into(),
            ));
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Text as it may be shown on a terminal: control characters other than tab escaped.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Opens the controlling terminal twice, non-blocking: once to read answers and once to write
/// questions. tokio's pipe types drive any non-blocking descriptor that epoll can watch, which a
/// terminal is, without a blocking thread.
fn open_terminal() -> std::io::Result<(pipe::Receiver, pipe::Sender)> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = (rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32;
    let open = |read: bool| {
        std::fs::OpenOptions::new()
            .read(read)
            .write(!read)
            .custom_flags(flags)
            .open(TERMINAL)
    };
    let reader = pipe::Receiver::from_file_unchecked(open(true)?)?;
    let writer = pipe::Sender::from_file_unchecked(open(false)?)?;
    Ok((reader, writer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn answers_parse_and_lists_are_used_in_order() {
        let answers = Answers::parse(
            r#"{"action--a": {"0": {"outcome": "success", "results": {"__t__": "INC-1"}},
                              "1": [{"outcome": "failure", "reason": "no"}, {"outcome": "success"}]}}"#,
        )
        .unwrap();
        let first = answers.next("action--a", 0).unwrap();
        assert!(first.success);
        assert_eq!(first.results["__t__"], "INC-1");
        assert_eq!(answers.next("action--a", 0).unwrap(), first);

        assert!(!answers.next("action--a", 1).unwrap().success);
        assert!(answers.next("action--a", 1).unwrap().success);
        let error = answers.next("action--a", 1).unwrap_err().to_string();
        assert!(
            error.contains("has 2 answer(s) for step action--a command 1, and this is run 3"),
            "{error}"
        );

        let error = answers.next("action--b", 0).unwrap_err().to_string();
        assert!(
            error.contains("no answer for step action--b command 0"),
            "{error}"
        );
    }

    #[test]
    fn malformed_answers_name_the_place() {
        let cases = [
            (r#"[]"#, "top level must be an object"),
            (
                r#"{"s": {"x": {"outcome": "success"}}}"#,
                "/s/x: `x` is not a command index",
            ),
            (r#"{"s": {"0": {"outcome": "ok"}}}"#, "/s/0/outcome must be"),
            (
                r#"{"s": {"0": {"outcome": "success", "result": {}}}}"#,
                "unknown property `result`",
            ),
            (
                r#"{"s": {"0": {"outcome": "success", "results": {"x": "1"}}}}"#,
                "`x` is not a variable name",
            ),
            (
                r#"{"s": {"0": {"outcome": "success", "results": {"__x__": 1}}}}"#,
                "/s/0/results/__x__: the value must be a string",
            ),
            (r#"{"s": {"0": []}}"#, "/s/0 is an empty list"),
        ];
        for (text, expected) in cases {
            let error = Answers::parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
        assert!(matches!(Answers::parse("{"), Err(ManualError::Json { .. })));
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(shown("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\tc");
    }

    proptest! {
        #[test]
        fn answers_parsing_never_panics(text in "\\PC{0,300}") {
            let _ = Answers::parse(&text);
        }
    }
}

//! The `powershell` command type: runs the command text with a local PowerShell 7 (`pwsh`).
//!
//! The text is handed to `pwsh -NoLogo -NoProfile -NonInteractive -OutputFormat Text
//! -EncodedCommand <base64 of UTF-16LE>`, so it reaches PowerShell exactly as written, without
//! passing through an argument parser or a shell (quoting substituted values for PowerShell is
//! the engine's work). `CACAO_OUTPUT` names a fresh private temporary file (`$env:CACAO_OUTPUT`
//! in PowerShell), standard input is empty, and the process runs in its own process group: when
//! the engine cancels the command (a step timeout), the whole group is killed.
//!
//! Success is exit code 0. PowerShell's exit code is the argument of `exit`, else 1 when the last
//! statement failed, else 0. Results: `__stdout__`, `__stderr__`, `__exit_code__` and the
//! `CACAO_OUTPUT` values. Commands run on this machine, whatever the step's targets say; remoting
//! (`Invoke-Command -ComputerName`) is up to the command itself.
//!
//! `pwsh` is looked up on `PATH` when the executor is made. Without it the executor reports
//! itself unavailable, so the capability check names it before an execution starts.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use base64::Engine as _;
use cacao_engine::executor::{BoxFuture, CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::CommandType;
use tracing::{Instrument, info_span, warn};

use crate::capture::{DEFAULT_OUTPUT_LIMIT, read_to_capture};
use crate::output_file;
use crate::redact::Redactor;

/// The program name looked up on `PATH`.
pub const PROGRAM: &str = "pwsh";

/// What the operator configures for powershell commands.
#[derive(Debug, Clone)]
pub struct PowershellOptions {
    /// The PowerShell program; `None` looks `pwsh` up on `PATH`.
    pub program: Option<PathBuf>,
    /// How many bytes of standard output and of standard error are kept.
    pub output_limit: usize,
}

/// Names the PowerShell program when it is not `pwsh` on `PATH`.
pub const PROGRAM_VARIABLE: &str = "CACAO_PWSH";

impl PowershellOptions {
    /// The options the environment gives ([`PROGRAM_VARIABLE`]), defaults for the rest.
    pub fn from_environment() -> Self {
        Self {
            program: std::env::var_os(PROGRAM_VARIABLE)
                .filter(|program| !program.is_empty())
                .map(PathBuf::from),
            ..Self::default()
        }
    }
}

impl Default for PowershellOptions {
    fn default() -> Self {
        Self {
            program: None,
            output_limit: DEFAULT_OUTPUT_LIMIT,
        }
    }
}

/// Runs `powershell` commands.
#[derive(Debug, Clone)]
pub struct PowershellExecutor {
    program: Result<PathBuf, String>,
    output_limit: usize,
}

impl PowershellExecutor {
    /// An executor with these options; the program is looked up now.
    pub fn new(options: PowershellOptions) -> Self {
        let program = match options.program {
            Some(program) if is_executable(&program) => Ok(program),
            Some(program) => Err(format!(
                "powershell commands need PowerShell, and {} is not an executable file",
                program.display()
            )),
            None => find_on_path(PROGRAM).ok_or_else(|| {
                "powershell commands need PowerShell 7 (`pwsh`), which is not installed here \
                 (not found on PATH)"
                    .to_owned()
            }),
        };
        Self {
            program,
            output_limit: options.output_limit,
        }
    }

    async fn run(&self, request: &CommandRequest) -> Result<CommandOutcome, ExecutorError> {
        let program = self
            .program
            .as_ref()
            .map_err(|reason| ExecutorError::Unavailable(reason.clone()))?;
        let text = request
            .command
            .text()
            .map_err(|error| ExecutorError::Invalid(error.to_string()))?
            .ok_or_else(|| {
                ExecutorError::Invalid(
                    "a powershell command needs `command` or `command_b64`".into(),
                )
            })?;
        if text.trim().is_empty() {
            return Err(ExecutorError::Invalid(
                "the powershell command is empty".into(),
            ));
        }

        let output = tempfile::Builder::new()
            .prefix("cacao-output-")
            .tempfile()
            .map_err(|error| {
                ExecutorError::Unavailable(format!("cannot create the CACAO_OUTPUT file: {error}"))
            })?;
        let mut command = tokio::process::Command::new(program);
        command
            .args([
                "-NoLogo",
                "-NoProfile",
                "-NonInteractive",
                "-OutputFormat",
                "Text",
            ])
            .arg("-EncodedCommand")
            .arg(encode_command(&text))
            .env(output_file::ENVIRONMENT_VARIABLE, output.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);

        let mut child = command.spawn().map_err(|error| {
            ExecutorError::Unavailable(format!("cannot start {}: {error}", program.display()))
        })?;
        let mut group = ProcessGroupGuard::new(child.id());
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(ExecutorError::Other(
                "the output pipes of pwsh were not set up".into(),
            ));
        };
        let (status, stdout, stderr) = tokio::join!(
            child.wait(),
            read_to_capture(stdout, self.output_limit),
            read_to_capture(stderr, self.output_limit),
        );
        group.disarm();

        let io_error = |error: std::io::Error| {
            ExecutorError::Other(format!(
                "reading the output of {} failed: {error}",
                program.display()
            ))
        };
        let (status, stdout, stderr) = (
            status.map_err(io_error)?,
            stdout.map_err(io_error)?,
            stderr.map_err(io_error)?,
        );
        for (name, capture) in [("standard output", &stdout), ("standard error", &stderr)] {
            if capture.truncated() {
                warn!(
                    bytes = capture.total_bytes(),
                    "the command's {name} was cut to the output limit"
                );
            }
        }

        let values = output_file::parse(&std::fs::read(output.path()).unwrap_or_default());
        if values.ignored_lines > 0 {
            warn!(
                lines = values.ignored_lines,
                "ignoring CACAO_OUTPUT lines that are not __name__=value"
            );
        }
        let mut outcome = CommandOutcome {
            results: values.values,
            ..Default::default()
        };
        outcome
            .results
            .insert("__stdout__".into(), stdout.head_text());
        outcome
            .results
            .insert("__stderr__".into(), stderr.head_text());
        match status.code() {
            Some(code) => {
                outcome
                    .results
                    .insert("__exit_code__".into(), code.to_string());
                outcome.success = code == 0;
                if code != 0 {
                    outcome.reason = Some(format!("pwsh exited with status {code}"));
                }
            }
            None => {
                // As shells report it: 128 plus the signal number.
                let signal = std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0);
                outcome
                    .results
                    .insert("__exit_code__".into(), (128 + signal).to_string());
                outcome.reason = Some(format!("pwsh was ended by signal {signal}"));
            }
        }
        Ok(outcome)
    }
}

impl Executor for PowershellExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::Powershell]
    }

    fn supports_target_type(&self, _target_type: &str) -> bool {
        // The command runs here; its targets describe what it acts on, not where it runs.
        true
    }

    fn unavailable_reason(&self) -> Option<String> {
        self.program.as_ref().err().cloned()
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(async move {
            let redactor = Redactor::for_request(request);
            let span = info_span!(
                "powershell",
                execution_id = %request.execution_id,
                step_id = %request.step_id,
                command_type = "powershell",
            );
            redactor.redact_result(self.run(request).instrument(span).await)
        })
    }
}

/// The argument of `-EncodedCommand`: base64 of the text in UTF-16LE.
pub fn encode_command(text: &str) -> String {
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Kills a process group when dropped while armed: the command was cancelled.
struct ProcessGroupGuard {
    group: Option<rustix::process::Pid>,
}

impl ProcessGroupGuard {
    fn new(leader: Option<u32>) -> Self {
        let group = leader
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw);
        Self { group }
    }

    fn disarm(&mut self) {
        self.group = None;
    }
}

impl Drop for ProcessGroupGuard {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            // The group may be gone already; there is nothing to do about a failure here.
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|directory| directory.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_commands_are_utf16le_base64() {
        // "a€" is U+0061 U+20AC: bytes 61 00 AC 20.
        assert_eq!(encode_command("a€"), "YQCsIA==");
    }

    #[test]
    fn a_missing_program_is_reported() {
        let executor = PowershellExecutor::new(PowershellOptions {
            program: Some(PathBuf::from("/nonexistent/pwsh")),
            ..Default::default()
        });
        let reason = executor.unavailable_reason().unwrap();
        assert!(reason.contains("/nonexistent/pwsh"), "{reason}");
    }
}

//! `cacao run`: execute a playbook (or simulate it), durably when asked, showing steps as they
//! start and end.
//!
//! The command wires the engine to this machine's executors (or to a simulation scenario), an
//! optional fsync'd journal, an optional JSON-lines events file and a renderer for people or
//! scripts. Exit codes: 0 when the execution completed, 1 when it failed or was cancelled, 2 when
//! it could not start (bad input, a refused playbook, an unusable journal).

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use cacao_engine::{
    ChannelSink, Coverage, Engine, EngineConfig, EngineError, Event, EventSink, EventType,
    ExecutionReport, ExecutorRegistry, FanOut, FileJournal, Journal, JsonLinesSink, Outcome,
    PlaybookLibrary, Scenario, SimulatedExecutor, Start,
};
use cacao_model::{Playbook, Step};
use indexmap::IndexMap;
use serde_json::json;

use crate::Verdict;
use crate::commands::run_output;
use crate::output::{Format, use_colour};

/// Arguments of `cacao run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to execute (a CACAO 2.0 JSON file).
    pub file: PathBuf,

    /// A value for a playbook variable, as `__name__=VALUE`; repeat for several. Every external
    /// variable without a value in the playbook needs one.
    #[arg(long = "var", value_name = "__NAME__=VALUE")]
    pub vars: Vec<String>,

    /// A directory of playbooks (`*.json`, searched recursively) that playbook-action steps may
    /// call by id and version.
    #[arg(long, value_name = "DIR")]
    pub library: Option<PathBuf>,

    /// Record every state transition in this fsync'd append-only file before it takes effect,
    /// so an interrupted execution can be resumed. A new execution refuses an existing journal.
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,

    /// Continue the interrupted execution recorded in --journal: steps that completed are not
    /// run again; a step that was running is run again (at least once).
    #[arg(long, requires = "journal")]
    pub resume: bool,

    /// Write one JSON object per event to this file (appended to when resuming).
    #[arg(long, value_name = "FILE.jsonl")]
    pub events: Option<PathBuf>,

    /// A trusted public key or certificate (PEM). Repeatable. With trust given, the playbook (and
    /// every playbook in --library) must carry a valid signature by a trusted key that is not
    /// expired, not yet valid or revoked, or it does not run.
    #[arg(long, value_name = "PUBKEY.pem")]
    pub trust: Vec<PathBuf>,

    /// A trust policy file (JSON; see docs/signatures.md) that the playbook and every playbook in
    /// --library must satisfy before anything runs. Keys from --trust are added to it.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Run without side effects, taking each command's outcome and results from this scenario
    /// file, and report which steps and branches were covered.
    #[arg(long, value_name = "SCENARIO.json")]
    pub simulate: Option<PathBuf>,

    /// Answers for `manual` commands, for unattended runs (passed to the manual executor).
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// The OpenSSH known_hosts file ssh host keys are pinned from [default: ~/.ssh/known_hosts].
    #[arg(long, value_name = "FILE", env = "CACAO_SSH_KNOWN_HOSTS")]
    pub ssh_known_hosts: Option<PathBuf>,

    /// An OpenSSH private key file for ssh targets, tried before a password; repeat for several.
    #[arg(long, value_name = "FILE")]
    pub ssh_identity: Vec<PathBuf>,

    /// Accept any ssh host key instead of pinning it. Unsafe: anyone on the path can read and
    /// change the session; use only on an isolated test network.
    #[arg(long, conflicts_with = "ssh_known_hosts")]
    pub ssh_insecure_accept_any_host_key: bool,

    /// A PEM file of root certificates trusted for http-api and openc2-http besides the
    /// system's (an internal certificate authority); repeat for several.
    #[arg(long, value_name = "FILE")]
    pub http_ca_file: Vec<PathBuf>,

    /// The Content-Type of OpenC2 commands that set none
    /// [default: application/openc2-cmd+json;version=1.0].
    #[arg(long, value_name = "TYPE", env = "CACAO_OPENC2_CONTENT_TYPE")]
    pub openc2_content_type: Option<String>,

    /// Timeout, in seconds, of action steps whose playbook sets none.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub step_timeout: u64,

    /// How many iterations a while-condition step may run before it fails.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_iterations: u64,

    /// Output format: steps as they run for people, or one JSON summary for scripts.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    refuse_invalid(&args, &text)?;
    let policy = trust_policy(&args)?;
    if let Some(policy) = &policy {
        refuse_untrusted(policy, &text)
            .with_context(|| format!("{} is refused by the trust policy", args.file.display()))?;
    }
    let playbook = Playbook::from_json(&text)
        .with_context(|| format!("{} is not a CACAO playbook", args.file.display()))?;
    let playbook = Arc::new(playbook);
    let variables = parse_variables(&args.vars)?;

    // A called playbook runs with the same authority as the one started: it gets the same
    // validation and the same trust policy.
    let library = match &args.library {
        Some(directory) => PlaybookLibrary::load_directory_with(directory, |_, text| {
            admit_library_playbook(policy.as_ref(), text)
        })?,
        None => PlaybookLibrary::new(),
    };
    let scenario = match &args.simulate {
        Some(path) => Some(read_scenario(path, &playbook)?),
        None => None,
    };
    // One progress display, shared by the renderer and by the echo of command output, so their
    // lines never tear each other's spinners.
    let progress = (args.format == Format::Human && std::io::stdout().is_terminal()).then(|| {
        indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stdout())
    });
    let registry = match &scenario {
        Some(scenario) => {
            let mut registry = ExecutorRegistry::new();
            let custom = custom_command_types(&playbook, &library);
            registry.register(Arc::new(SimulatedExecutor::new(scenario.clone(), custom)));
            registry
        }
        None => cacao_executors::default_registry(&cacao_executors::ExecutorOptions {
            answers_file: args.answers.clone(),
            ssh_known_hosts: args.ssh_known_hosts.clone(),
            ssh_identities: args.ssh_identity.clone(),
            ssh_insecure_accept_any_host_key: args.ssh_insecure_accept_any_host_key,
            http_ca_files: args.http_ca_file.clone(),
            openc2_content_type: args.openc2_content_type.clone(),
        })
        .map(|executor| match args.format {
            Format::Human => {
                run_output::Echo::wrap(executor, printer(progress.clone()), use_colour(true))
            }
            Format::Json => executor,
        }),
    };
    let engine = Engine::new(registry)
        .with_library(library)
        .with_config(EngineConfig {
            default_step_timeout: Duration::from_secs(args.step_timeout.max(1)),
            max_while_iterations: args.max_iterations,
            ..EngineConfig::default()
        });

    let (journal, resume_from) = open_journal(&args)?;
    let events_file = match &args.events {
        Some(path) => Some(open_events_file(path, args.resume)?),
        None => None,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(execute(
        &args,
        progress,
        engine,
        playbook,
        variables,
        journal,
        resume_from,
        events_file,
        scenario.is_some(),
    ))
}

#[allow(clippy::too_many_arguments)]
async fn execute(
    args: &Args,
    progress: Option<indicatif::MultiProgress>,
    engine: Engine,
    playbook: Arc<Playbook>,
    variables: IndexMap<String, String>,
    journal: Option<Arc<dyn Journal>>,
    resume_from: Option<Vec<cacao_engine::JournalRecord>>,
    events_file: Option<std::fs::File>,
    simulating: bool,
) -> anyhow::Result<Verdict> {
    let (channel, receiver) = ChannelSink::new();
    let mut sinks: Vec<Arc<dyn EventSink>> = vec![Arc::new(channel)];
    if let Some(file) = events_file {
        sinks.push(Arc::new(JsonLinesSink::new(file)));
    }
    let renderer = Renderer::new(args.format, &playbook, progress);
    let rendering = tokio::spawn(renderer.consume(receiver));

    let cancel = cacao_engine::Cancellation::new();
    tokio::spawn(cancel_on_signal(cancel.clone(), args.format));

    let started = engine
        .run(
            Arc::clone(&playbook),
            Start {
                execution_id: None,
                variables,
                events: Arc::new(FanOut::new(sinks)),
                journal,
                resume_from,
                cancel,
            },
        )
        .await;
    let rendered = rendering.await.context("the output renderer stopped")?;

    let report = match started {
        Ok(report) => report,
        Err(EngineError::Refused(refusal)) => {
            if args.format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "outcome": "refused",
                        "problems": refusal.problems,
                    }))?
                );
            }
            bail!("{refusal}");
        }
        Err(error) => return Err(error.into()),
    };

    let coverage = simulating.then(|| cacao_engine::coverage(&playbook, &rendered.events));
    rendered.finish(&report, coverage.as_ref(), args)?;
    Ok(match report.outcome {
        Outcome::Completed => Verdict::Success,
        Outcome::Failed | Outcome::Cancelled => Verdict::Negative,
    })
}

/// Runs the validator (the same checks as `cacao validate`) and refuses a playbook with errors,
/// printing them; warnings do not stop a run.
fn refuse_invalid(args: &Args, text: &str) -> anyhow::Result<()> {
    let mut report = crate::commands::validate::validator().validate(text.as_bytes());
    if report.is_valid() {
        return Ok(());
    }
    report
        .diagnostics
        .retain(|diagnostic| diagnostic.severity == cacao_validate::Severity::Error);
    let shown = args.file.display().to_string();
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "outcome": "invalid",
                "diagnostics": report.diagnostics,
            }))?
        ),
        Format::Human => eprint!(
            "{}",
            cacao_validate::render::render_report(
                &shown,
                text.as_bytes(),
                &report,
                use_colour(false)
            )
        ),
    }
    let errors = report.error_count();
    let plural = if errors == 1 { "" } else { "s" };
    bail!("{shown} is not a valid CACAO playbook ({errors} error{plural}), so it will not run")
}

/// Prints a line above the spinners when there are any, else straight to stdout.
fn printer(progress: Option<indicatif::MultiProgress>) -> run_output::Printer {
    Arc::new(move |line: String| match &progress {
        Some(progress) => {
            let _ = progress.println(line);
        }
        None => {
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        }
    })
}

/// The trust policy from --policy and --trust, if either is given: without them no signature is
/// required (the validator has still refused signatures that do not verify).
fn trust_policy(args: &Args) -> anyhow::Result<Option<cacao_sign::TrustPolicy>> {
    if args.policy.is_none() && args.trust.is_empty() {
        return Ok(None);
    }
    let mut trust = cacao_sign::TrustStore::new();
    for path in &args.trust {
        trust.add_pem_file(None, path)?;
    }
    let policy = match &args.policy {
        Some(path) => {
            let mut policy = cacao_sign::TrustPolicy::from_file(path)?;
            for signee in trust.signees() {
                policy.trust.add_signee(signee.clone());
            }
            policy
        }
        None => cacao_sign::TrustPolicy::for_execution(trust),
    };
    Ok(Some(policy))
}

/// Refuses a playbook the trust policy does not accept, with every reason.
fn refuse_untrusted(policy: &cacao_sign::TrustPolicy, text: &str) -> anyhow::Result<()> {
    let document = cacao_sign::canonical::parse_document(text)?;
    let (_, decision) = policy.check(&document, jiff::Timestamp::now());
    if decision.accepted {
        return Ok(());
    }
    bail!("{}", decision.reasons.join("; "))
}

/// The admission check of a library playbook: valid, and accepted by the trust policy if any.
fn admit_library_playbook(
    policy: Option<&cacao_sign::TrustPolicy>,
    text: &str,
) -> Result<(), String> {
    let report = crate::commands::validate::validator().validate(text.as_bytes());
    if let Some(error) = report
        .diagnostics
        .iter()
        .find(|diagnostic| diagnostic.severity == cacao_validate::Severity::Error)
    {
        return Err(format!(
            "it is not a valid CACAO playbook ({} errors; the first, at line {} column {}: [{}] {}); run `cacao validate` on it",
            report.error_count(),
            error.line,
            error.column,
            error.rule,
            error.message
        ));
    }
    match policy {
        Some(policy) => refuse_untrusted(policy, text)
            .map_err(|error| format!("the trust policy refuses it: {error:#}")),
        None => Ok(()),
    }
}

/// Ctrl-C (or SIGTERM) cancels the execution cleanly: running commands are killed and the
/// journal keeps what completed.
async fn cancel_on_signal(cancel: cacao_engine::Cancellation, format: Format) {
    let interrupt = tokio::signal::ctrl_c();
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
    if format == Format::Human {
        eprintln!("cancelling: stopping the running steps");
    }
    cancel.cancel();
}

fn parse_variables(values: &[String]) -> anyhow::Result<IndexMap<String, String>> {
    let mut variables = IndexMap::new();
    for value in values {
        let Some((name, value)) = value.split_once('=') else {
            bail!("--var `{value}` is not of the form __name__=VALUE");
        };
        if !cacao_model::variable::is_valid_name(name) {
            bail!(
                "--var: `{name}` is not a CACAO variable name (two underscores, a letter, letters, digits, - or _, two underscores)"
            );
        }
        variables.insert(name.to_owned(), value.to_owned());
    }
    Ok(variables)
}

fn read_scenario(path: &Path, playbook: &Playbook) -> anyhow::Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the scenario {}", path.display()))?;
    let scenario = Scenario::from_json(&text)
        .with_context(|| format!("{} is not a simulation scenario", path.display()))?;
    for step_id in scenario.steps.keys() {
        if !playbook.workflow.contains_key(step_id) {
            tracing::warn!(
                step_id,
                "the scenario names a step the playbook does not have"
            );
        }
    }
    Ok(scenario)
}

/// Command types outside the CACAO vocabulary that the playbook or its library uses, so that
/// the simulator covers them too.
fn custom_command_types(playbook: &Playbook, library: &PlaybookLibrary) -> Vec<String> {
    let mut types = Vec::new();
    for playbook in std::iter::once(playbook.clone()).chain(library.all().map(|p| (*p).clone())) {
        for step in playbook.workflow.values() {
            if let Step::Action(action) = step {
                for command in &action.commands {
                    if !command.command_type.is_known() {
                        types.push(command.command_type.as_str().to_owned());
                    }
                }
            }
        }
    }
    types
}

type OpenedJournal = (
    Option<Arc<dyn Journal>>,
    Option<Vec<cacao_engine::JournalRecord>>,
);

fn open_journal(args: &Args) -> anyhow::Result<OpenedJournal> {
    let Some(path) = &args.journal else {
        return Ok((None, None));
    };
    if args.resume {
        let (journal, records) = FileJournal::resume(path)?;
        if records.is_empty() {
            bail!(
                "the journal {} is empty: there is nothing to resume",
                path.display()
            );
        }
        Ok((Some(Arc::new(journal)), Some(records)))
    } else {
        Ok((Some(Arc::new(FileJournal::create(path)?)), None))
    }
}

fn open_events_file(path: &Path, append: bool) -> anyhow::Result<std::fs::File> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    options
        .open(path)
        .with_context(|| format!("cannot open the events file {}", path.display()))
}

/// Shows events as they arrive and keeps what the final report needs.
struct Renderer {
    format: Format,
    colour: bool,
    names: HashMap<String, String>,
    playbook_name: String,
    progress: Option<indicatif::MultiProgress>,
    spinners: HashMap<String, indicatif::ProgressBar>,
}

/// What the renderer kept for the end.
struct Rendered {
    events: Vec<Event>,
    format: Format,
    colour: bool,
}

impl Renderer {
    fn new(
        format: Format,
        playbook: &Playbook,
        progress: Option<indicatif::MultiProgress>,
    ) -> Self {
        Self {
            format,
            colour: format == Format::Human && use_colour(true),
            names: playbook
                .workflow
                .iter()
                .filter_map(|(id, step)| step.name().map(|name| (id.clone(), name.to_owned())))
                .collect(),
            playbook_name: playbook.name.clone(),
            progress,
            spinners: HashMap::new(),
        }
    }

    async fn consume(
        mut self,
        mut receiver: tokio::sync::mpsc::UnboundedReceiver<Event>,
    ) -> Rendered {
        let mut events = Vec::new();
        while let Some(event) = receiver.recv().await {
            if self.format == Format::Human {
                self.show(&event);
            }
            let last = matches!(
                event.event_type,
                EventType::ExecutionCompleted
                    | EventType::ExecutionFailed
                    | EventType::ExecutionCancelled
            );
            events.push(event);
            if last {
                break;
            }
        }
        for (_, spinner) in self.spinners.drain() {
            spinner.finish_and_clear();
        }
        Rendered {
            events,
            format: self.format,
            colour: self.colour,
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn line(&self, text: String) {
        match &self.progress {
            Some(progress) => {
                let _ = progress.println(text);
            }
            None => {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{text}");
            }
        }
    }

    fn show(&mut self, event: &Event) {
        let step_type = event.step_type.as_deref().unwrap_or("");
        // Start and end steps only pass control; showing them would be noise.
        if matches!(step_type, "start" | "end") {
            return;
        }
        let indent = "  ".repeat(event.depth + 1);
        let step_id = event.step_id.clone().unwrap_or_default();
        let name = event
            .step_name
            .clone()
            .or_else(|| self.names.get(&step_id).cloned())
            .unwrap_or_else(|| step_id.clone());
        let spinner_key = format!("{}|{}", event.branch.as_deref().unwrap_or(""), step_id);

        match event.event_type {
            EventType::ExecutionStarted => self.line(format!(
                "{} {} ({})",
                self.paint("1", "running"),
                self.playbook_name,
                event.execution_id
            )),
            EventType::ExecutionResumed => self.line(format!(
                "{} {} ({}) from its journal",
                self.paint("1", "resuming"),
                self.playbook_name,
                event.execution_id
            )),
            EventType::StepStarted => {
                let rerun = if event.rerun {
                    " (run again after a crash)"
                } else {
                    ""
                };
                let label = format!("{indent}{name} [{step_type}]{rerun}");
                match &self.progress {
                    Some(progress) => {
                        let spinner = progress.add(indicatif::ProgressBar::new_spinner());
                        spinner.set_style(
                            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                        );
                        spinner.set_message(label);
                        spinner.enable_steady_tick(Duration::from_millis(100));
                        self.spinners.insert(spinner_key, spinner);
                    }
                    None => self.line(format!(
                        "{indent}{} {name} [{step_type}]{rerun}",
                        self.paint("2", "▶")
                    )),
                }
            }
            EventType::StepCompleted | EventType::StepFailed => {
                if let Some(spinner) = self.spinners.remove(&spinner_key) {
                    spinner.finish_and_clear();
                }
                let duration = format_duration(event.duration_ms.unwrap_or(0));
                let line = if event.event_type == EventType::StepCompleted {
                    format!(
                        "{indent}{} {name}  {}",
                        self.paint("32", "✓"),
                        self.paint("2", &duration)
                    )
                } else {
                    format!(
                        "{indent}{} {name}  {}  {}",
                        self.paint("31", "✗"),
                        self.paint("2", &duration),
                        event.reason.as_deref().unwrap_or("failed")
                    )
                };
                self.line(line);
            }
            EventType::ExecutionCompleted
            | EventType::ExecutionFailed
            | EventType::ExecutionCancelled => {}
        }
    }
}

impl Rendered {
    fn finish(
        self,
        report: &ExecutionReport,
        coverage: Option<&Coverage>,
        args: &Args,
    ) -> anyhow::Result<()> {
        let duration_ms = self
            .events
            .iter()
            .rev()
            .find_map(|event| event.duration_ms.filter(|_| event.step_id.is_none()));
        match self.format {
            Format::Json => {
                let steps: Vec<serde_json::Value> = self
                    .events
                    .iter()
                    .filter(|event| {
                        matches!(
                            event.event_type,
                            EventType::StepCompleted | EventType::StepFailed
                        )
                    })
                    .map(|event| {
                        json!({
                            "step_id": event.step_id,
                            "step_name": event.step_name,
                            "step_type": event.step_type,
                            "playbook_id": event.playbook_id,
                            "branch": event.branch,
                            "status": event.status,
                            "reason": event.reason,
                            "duration_ms": event.duration_ms,
                        })
                    })
                    .collect();
                let mut summary = json!({
                    "execution_id": report.execution_id,
                    "outcome": report.outcome,
                    "reason": report.reason,
                    "exception_flow_ran": report.exception_flow_ran,
                    "already_finished": report.already_finished,
                    "duration_ms": duration_ms,
                    "steps": steps,
                });
                if let Some(coverage) = coverage {
                    summary["coverage"] = serde_json::to_value(coverage)?;
                }
                println!("{}", serde_json::to_string_pretty(&summary)?);
            }
            Format::Human => {
                let duration = duration_ms.map(format_duration).unwrap_or_default();
                let paint = |code: &str, text: &str| {
                    if self.colour {
                        format!("\x1b[{code}m{text}\x1b[0m")
                    } else {
                        text.to_owned()
                    }
                };
                match (report.outcome, report.already_finished) {
                    (Outcome::Completed, true) => {
                        println!("the journal shows this execution already completed; nothing ran")
                    }
                    (Outcome::Failed, true) => println!(
                        "the journal shows this execution already failed: {}",
                        report.reason.as_deref().unwrap_or("")
                    ),
                    (Outcome::Completed, false) => {
                        println!("{} in {duration}", paint("1;32", "execution completed"))
                    }
                    (Outcome::Failed, false) => {
                        let exception = if report.exception_flow_ran {
                            " (the workflow_exception flow ran)"
                        } else {
                            ""
                        };
                        println!(
                            "{}{exception} in {duration}: {}",
                            paint("1;31", "execution failed"),
                            report.reason.as_deref().unwrap_or("")
                        );
                    }
                    (Outcome::Cancelled, _) => match &args.journal {
                        Some(journal) => println!(
                            "{}; resume it with: cacao run {} --journal {} --resume",
                            paint("1;33", "execution cancelled"),
                            args.file.display(),
                            journal.display()
                        ),
                        None => println!(
                            "{} (no --journal, so it cannot be resumed)",
                            paint("1;33", "execution cancelled")
                        ),
                    },
                }
                if let Some(coverage) = coverage {
                    print_coverage(coverage);
                }
            }
        }
        Ok(())
    }
}

fn print_coverage(coverage: &Coverage) {
    let (steps_covered, steps_total) = coverage.step_counts();
    let (branches_covered, branches_total) = coverage.branch_counts();
    println!(
        "coverage: {steps_covered}/{steps_total} steps, {branches_covered}/{branches_total} branches"
    );
    for step in coverage.steps.iter().filter(|step| !step.covered) {
        println!(
            "  step not run: {} {}",
            step.step_id,
            step.name.as_deref().unwrap_or("")
        );
    }
    for branch in coverage.branches.iter().filter(|branch| !branch.covered) {
        println!(
            "  branch not taken: {} of {} {}",
            branch.branch,
            branch.step_id,
            branch.name.as_deref().unwrap_or("")
        );
    }
}

fn format_duration(milliseconds: u64) -> String {
    if milliseconds < 1000 {
        format!("{milliseconds} ms")
    } else {
        format!("{:.2} s", milliseconds as f64 / 1000.0)
    }
}

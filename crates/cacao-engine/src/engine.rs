//! The engine's public face: configure it once, then start (or resume) executions.
//!
//! An [`Engine`] holds what every execution on this machine shares: the executors, the playbook
//! library, the condition language and the limits. [`Engine::run`] checks that a playbook can
//! run here, sets up its variables, writes `execution_started` (or `execution_resumed`) and runs
//! the workflow to its end. Many executions can run at once on one runtime; none of them blocks a
//! thread while it waits.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use cacao_model::Playbook;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use tracing::Instrument;

use crate::cancel::Cancellation;
use crate::check::{Problem, Refusal, check};
use crate::condition::ConditionLanguage;
use crate::events::{EventSink, EventType, NullSink, Status};
use crate::execution::{BranchContext, Instance, Run, Stop, run_workflow};
use crate::journal::{Journal, JournalRecord};
use crate::library::PlaybookLibrary;
use crate::registry::ExecutorRegistry;
use crate::replay::Replay;
use crate::variables::Scope;

/// The id of the root playbook's variable scope.
pub(crate) const PLAYBOOK_SCOPE: &str = "playbook";

/// Limits and defaults that apply to every execution of an engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// The timeout of an action step that gives none.
    pub default_step_timeout: Duration,
    /// How many iterations a while-condition step may run before it fails.
    pub max_while_iterations: u64,
    /// How deeply playbook-actions may call playbooks.
    pub max_call_depth: usize,
    /// How deeply branches may nest.
    pub max_branch_depth: usize,
    /// How many steps one branch may run before it is considered stuck in a cycle.
    pub max_steps_per_branch: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            default_step_timeout: Duration::from_secs(3600),
            max_while_iterations: 10_000,
            max_call_depth: 16,
            max_branch_depth: 256,
            max_steps_per_branch: 1_000_000,
        }
    }
}

/// Interprets playbooks.
#[derive(Clone)]
pub struct Engine {
    registry: Arc<ExecutorRegistry>,
    library: Arc<PlaybookLibrary>,
    conditions: Arc<dyn ConditionLanguage>,
    config: EngineConfig,
}

/// How to start one execution.
pub struct Start {
    /// The execution id; a fresh `execution--UUID` when `None` (ignored on resume).
    pub execution_id: Option<String>,
    /// Values for playbook variables, by name (`--var`); ignored on resume, where the journal
    /// holds the values.
    pub variables: IndexMap<String, String>,
    /// Where events go.
    pub events: Arc<dyn EventSink>,
    /// Where transitions are recorded; `None` runs without durability.
    pub journal: Option<Arc<dyn Journal>>,
    /// The records of an interrupted execution to resume (read from `journal`).
    pub resume_from: Option<Vec<crate::journal::JournalRecord>>,
    /// The signal that stops the execution.
    pub cancel: Cancellation,
}

impl Default for Start {
    fn default() -> Self {
        Self {
            execution_id: None,
            variables: IndexMap::new(),
            events: Arc::new(NullSink),
            journal: None,
            resume_from: None,
            cancel: Cancellation::new(),
        }
    }
}

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The workflow reached its end.
    Completed,
    /// A failure was not handled (the exception flow, if any, ran).
    Failed,
    /// The operator cancelled; the journal allows a resume.
    Cancelled,
}

/// The end of an execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutionReport {
    /// The execution id.
    pub execution_id: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it failed.
    pub reason: Option<String>,
    /// Whether the workflow_exception flow ran.
    pub exception_flow_ran: bool,
    /// The journal already recorded the end: nothing ran.
    pub already_finished: bool,
}

/// Why an execution could not run (as opposed to running and failing).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The playbook cannot run here (pre-run check, variables).
    #[error("{0}")]
    Refused(Refusal),
    /// The journal to resume from does not describe this playbook or is empty.
    #[error("cannot resume: {0}")]
    Resume(String),
    /// The journal could not be written, so the execution stopped.
    #[error("the journal cannot be written: {0}")]
    Journal(String),
}

impl Engine {
    /// An engine with these executors, the CACAO condition language, an empty library and the
    /// default limits.
    pub fn new(registry: ExecutorRegistry) -> Self {
        Self {
            registry: Arc::new(registry),
            library: Arc::new(PlaybookLibrary::new()),
            conditions: Arc::new(crate::condition::StixConditions::new()),
            config: EngineConfig::default(),
        }
    }

    /// Uses `library` for playbook-action steps.
    pub fn with_library(mut self, library: PlaybookLibrary) -> Self {
        self.library = Arc::new(library);
        self
    }

    /// Uses these limits.
    pub fn with_config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// Evaluates conditions with `conditions`.
    pub fn with_conditions(mut self, conditions: Arc<dyn ConditionLanguage>) -> Self {
        self.conditions = conditions;
        self
    }

    /// The executors.
    pub fn registry(&self) -> &ExecutorRegistry {
        &self.registry
    }

    /// The "can this playbook run here" check: validity window, revocation, executors for every
    /// command type and agent/target type, called playbooks in the library.
    pub fn check(&self, playbook: &Playbook) -> Vec<Problem> {
        check(
            playbook,
            &self.registry,
            &self.library,
            jiff::Timestamp::now(),
        )
    }

    /// Runs (or resumes) an execution of `playbook` to its end.
    pub async fn run(
        &self,
        playbook: Arc<Playbook>,
        start: Start,
    ) -> Result<ExecutionReport, EngineError> {
        let replay = match &start.resume_from {
            None => None,
            Some(records) => Some(self.replay(&playbook, records)?),
        };
        if let Some(replay) = &replay
            && let Some((completed, reason)) = &replay.execution_finished
        {
            return Ok(ExecutionReport {
                execution_id: replay.execution_id.clone(),
                outcome: if *completed {
                    Outcome::Completed
                } else {
                    Outcome::Failed
                },
                reason: reason.clone(),
                exception_flow_ran: false,
                already_finished: true,
            });
        }

        // Every reason to refuse, at once.
        let mut problems = self.check(&playbook);
        let scope = Scope::root(
            PLAYBOOK_SCOPE,
            playbook.playbook_variables.clone().unwrap_or_default(),
        );
        match &replay {
            Some(replay) => {
                if !start.variables.is_empty() {
                    tracing::warn!(
                        "resuming: variable values come from the journal; --var values are ignored"
                    );
                }
                for (name, value) in &replay.initial_variables {
                    scope.initialise(name, value.clone());
                }
                scope.apply(replay.assignments_for(PLAYBOOK_SCOPE));
            }
            None => {
                problems.extend(set_variables(&playbook, &scope, &start.variables));
                let missing = scope.missing_externals();
                if !missing.is_empty() {
                    problems.push(Problem::MissingExternalVariables {
                        playbook_id: playbook.id.clone(),
                        names: missing,
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(EngineError::Refused(Refusal { problems }));
        }

        let execution_id = match &replay {
            Some(replay) => replay.execution_id.clone(),
            None => start
                .execution_id
                .clone()
                .unwrap_or_else(|| cacao_model::Identifier::new_v4("execution")),
        };
        let next_seq = replay.as_ref().map_or(0, |replay| replay.next_seq);
        let resumed = replay.is_some();
        let run = Arc::new(Run {
            registry: Arc::clone(&self.registry),
            library: Arc::clone(&self.library),
            conditions: Arc::clone(&self.conditions),
            config: self.config.clone(),
            execution_id: execution_id.clone(),
            root_playbook_id: playbook.id.clone(),
            events: Arc::clone(&start.events),
            journal: start.journal.clone(),
            replay,
            seq: AtomicU64::new(next_seq),
            cancel: start.cancel.clone(),
            secrets: secrets_of(&playbook, &self.library),
        });

        let span = tracing::info_span!(
            "execution",
            execution_id = %execution_id,
            playbook_id = %playbook.id,
        );
        async {
            tracing::info!(resumed, "execution started");
            let ended = execute(&run, &playbook, scope, resumed).await;
            match ended {
                Ok(report) => Ok(report),
                Err(Stop::Journal(message)) => Err(EngineError::Journal(message)),
                Err(Stop::Mismatch(message)) => Err(EngineError::Resume(message)),
                Err(Stop::Cancelled) => Ok(cancelled_report(&execution_id)),
            }
        }
        .instrument(span)
        .await
    }

    fn replay(
        &self,
        playbook: &Playbook,
        records: &[JournalRecord],
    ) -> Result<Replay, EngineError> {
        let replay = Replay::from_records(records).ok_or_else(|| {
            EngineError::Resume("the journal does not begin with execution_started".into())
        })?;
        if replay.playbook_id != playbook.id
            || replay.playbook_modified != playbook.modified.as_str()
        {
            return Err(EngineError::Resume(format!(
                "the journal belongs to playbook {} version {}, not {} version {}",
                replay.playbook_id,
                replay.playbook_modified,
                playbook.id,
                playbook.modified.as_str()
            )));
        }
        Ok(replay)
    }
}

/// The report of an execution the operator cancelled.
fn cancelled_report(execution_id: &str) -> ExecutionReport {
    ExecutionReport {
        execution_id: execution_id.to_owned(),
        outcome: Outcome::Cancelled,
        reason: Some("cancelled by the operator".into()),
        exception_flow_ran: false,
        already_finished: false,
    }
}

/// Runs the root workflow between its start and end records.
async fn execute(
    run: &Arc<Run>,
    playbook: &Arc<Playbook>,
    scope: Arc<Scope>,
    resumed: bool,
) -> Result<ExecutionReport, Stop> {
    let seq = run.next_seq();
    if resumed {
        run.journal(JournalRecord::ExecutionResumed {
            seq,
            time: crate::events::now(),
        })
        .await?;
        run.events
            .emit(&run.event(seq, EventType::ExecutionResumed, Status::Ongoing));
    } else {
        run.journal(JournalRecord::ExecutionStarted {
            seq,
            execution_id: run.execution_id.clone(),
            playbook_id: playbook.id.clone(),
            playbook_modified: playbook.modified.as_str().to_owned(),
            variables: scope.own_values(),
            time: crate::events::now(),
        })
        .await?;
        run.events
            .emit(&run.event(seq, EventType::ExecutionStarted, Status::Ongoing));
    }

    let began = tokio::time::Instant::now();
    let main = Arc::new(BranchContext {
        parent: None,
        path: "m".into(),
        instance: Arc::new(Instance::new(Arc::clone(playbook), 0)),
        scope,
    });
    let ended = run_workflow(run, main, "x".into()).await;
    let duration_ms = began.elapsed().as_millis().try_into().unwrap_or(u64::MAX);

    let end = match ended {
        Ok(end) => end,
        Err(Stop::Cancelled) => {
            tracing::warn!("execution cancelled; resume it from its journal");
            let seq = run.next_seq();
            run.journal(JournalRecord::ExecutionCancelled {
                seq,
                time: crate::events::now(),
            })
            .await?;
            let mut event = run.event(seq, EventType::ExecutionCancelled, Status::Failed);
            event.reason = Some("cancelled by the operator".into());
            event.duration_ms = Some(duration_ms);
            run.events.emit(&event);
            return Ok(cancelled_report(&run.execution_id));
        }
        Err(stop) => return Err(stop),
    };

    let seq = run.next_seq();
    let reason = end.reason.as_deref().map(|reason| run.redact(reason));
    run.journal(JournalRecord::ExecutionFinished {
        seq,
        completed: end.completed,
        reason: reason.clone(),
    })
    .await?;
    let (event_type, status) = match (end.completed, end.exception_ran) {
        (true, _) => (EventType::ExecutionCompleted, Status::SuccessfullyExecuted),
        (false, true) => (EventType::ExecutionFailed, Status::ExceptionConditionError),
        (false, false) => (EventType::ExecutionFailed, Status::Failed),
    };
    let mut event = run.event(seq, event_type, status);
    event.reason = reason.clone();
    event.duration_ms = Some(duration_ms);
    run.events.emit(&event);
    if end.completed {
        tracing::info!(duration_ms, "execution completed");
    } else {
        tracing::warn!(
            duration_ms,
            reason = reason.as_deref().unwrap_or(""),
            "execution failed"
        );
    }

    Ok(ExecutionReport {
        execution_id: run.execution_id.clone(),
        outcome: if end.completed {
            Outcome::Completed
        } else {
            Outcome::Failed
        },
        reason,
        exception_flow_ran: end.exception_ran,
        already_finished: false,
    })
}

/// Sets caller-supplied values; returns the problems with them.
fn set_variables(
    playbook: &Playbook,
    scope: &Scope,
    values: &IndexMap<String, String>,
) -> Vec<Problem> {
    let declared = playbook.playbook_variables.as_ref();
    let mut problems = Vec::new();
    for (name, value) in values {
        match declared.and_then(|declared| declared.get(name)) {
            None => problems.push(Problem::UndeclaredVariable { name: name.clone() }),
            Some(variable) if variable.is_constant() && !variable.is_external() => {
                problems.push(Problem::ConstantVariable { name: name.clone() });
            }
            Some(_) => scope.initialise(name, Value::String(value.clone())),
        }
    }
    problems
}

/// Every secret an execution of `playbook` may handle, for redaction.
fn secrets_of(playbook: &Playbook, library: &PlaybookLibrary) -> Vec<String> {
    let mut secrets: Vec<String> = Vec::new();
    let mut add = |playbook: &Playbook| {
        for info in playbook.authentication_info_definitions.iter().flatten() {
            for secret in info.1.secrets() {
                if !secrets.iter().any(|known| known == secret) {
                    secrets.push(secret.to_owned());
                }
            }
        }
    };
    add(playbook);
    for callee in library.all() {
        add(&callee);
    }
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets
}

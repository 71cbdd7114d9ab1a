//! The interpreter loop: branch contexts, the frame every step runs in, and routing.
//!
//! An execution is a tree of branches. The main flow is the root branch; every branching step
//! (parallel, if, while, switch) and every playbook-action opens child branches, each with a
//! [`BranchContext`] that points to its parent, so the contexts form the stack the CACAO model
//! asks for (a tree, when parallel branches run at once). A branch runs steps one after the other
//! until it reaches an `end` step (the branch completed) or a failure that no `on_failure` or
//! `on_completion` handles (the branch failed); the branching step that opened it then applies
//! its own routing.
//!
//! Every step runs inside the same frame ([`run_step`]): replay check, delay, `step_started` in the
//! journal and the events, the step's own logic under its timeout and the cancellation signal,
//! `step_finished` in the journal, out_args assignments, `step_completed` or `step_failed`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cacao_model::{CommandType, Playbook, Step};
use tokio::time::Instant;
use tracing::Instrument;

use crate::condition::ConditionLanguage;
use crate::events::{Event, EventSink, EventType, Status};
use crate::executor::BoxFuture;
use crate::journal::{Journal, JournalRecord};
use crate::library::PlaybookLibrary;
use crate::registry::ExecutorRegistry;
use crate::replay::Replay;
use crate::variables::{Assignment, Scope};
use crate::{Cancellation, EngineConfig, steps};

/// What every task of one execution shares.
pub(crate) struct Run {
    pub registry: Arc<ExecutorRegistry>,
    pub library: Arc<PlaybookLibrary>,
    pub conditions: Arc<dyn ConditionLanguage>,
    pub config: EngineConfig,
    pub execution_id: String,
    pub root_playbook_id: String,
    pub events: Arc<dyn EventSink>,
    pub journal: Option<Arc<dyn Journal>>,
    pub replay: Option<Replay>,
    pub seq: AtomicU64,
    pub cancel: Cancellation,
    pub secrets: Vec<String>,
}

/// Why an execution stops before its workflow ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The operator cancelled; the journal allows a resume.
    Cancelled,
    /// The journal could not be written, so no further transition may take effect.
    Journal(String),
    /// The journal does not describe this playbook.
    Mismatch(String),
}

/// One playbook being executed: the root playbook, or one called by a playbook-action.
pub(crate) struct Instance {
    pub playbook: Arc<Playbook>,
    pub call_depth: usize,
    /// Ids of agents, targets and authentication info that contain variable references, so
    /// those without any are cloned rather than re-substituted at every step.
    pub with_references: std::collections::HashSet<String>,
}

impl Instance {
    pub fn new(playbook: Arc<Playbook>, call_depth: usize) -> Self {
        let mut with_references = std::collections::HashSet::new();
        let definitions = playbook
            .agent_definitions
            .iter()
            .chain(playbook.target_definitions.iter())
            .flatten()
            .map(|(id, definition)| (id, serde_json::to_string(definition)));
        let authentication = playbook
            .authentication_info_definitions
            .iter()
            .flatten()
            .map(|(id, definition)| (id, serde_json::to_string(definition)));
        for (id, text) in definitions.chain(authentication) {
            if text.is_ok_and(|text| text.contains(":value")) {
                with_references.insert(id.clone());
            }
        }
        Self {
            playbook,
            call_depth,
            with_references,
        }
    }
}

/// A branch: where it sits in the tree and which variables its steps see.
pub(crate) struct BranchContext {
    /// The branch whose step opened this one; `None` for the main and exception flows.
    pub parent: Option<Arc<BranchContext>>,
    /// The branch path: `m` for the main flow, `x` for the exception flow, and
    /// `<step key>/<branch>` below a branching step.
    pub path: String,
    pub instance: Arc<Instance>,
    /// The scope chain visible to this branch's steps.
    pub scope: Arc<Scope>,
}

impl BranchContext {
    /// A child branch of a step running in `parent`.
    pub fn child(parent: &Arc<BranchContext>, path: String, scope: Arc<Scope>) -> Arc<Self> {
        Arc::new(BranchContext {
            parent: Some(Arc::clone(parent)),
            path,
            instance: Arc::clone(&parent.instance),
            scope,
        })
    }

    /// How many branching steps and playbook-actions enclose this branch: the height of the
    /// context stack below it.
    pub fn depth(&self) -> usize {
        let mut depth = 0;
        let mut context = self.parent.as_deref();
        while let Some(parent) = context {
            depth += 1;
            context = parent.parent.as_deref();
        }
        depth
    }
}

/// How a branch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BranchEnd {
    /// It reached an end step (or a step with nowhere to go after success).
    Completed,
    /// A failure no step handled.
    Failed { step_id: String, reason: String },
}

/// How a workflow (main flow plus exception flow) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkflowEnd {
    pub completed: bool,
    pub reason: Option<String>,
    pub exception_ran: bool,
}

/// What a step's own logic produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StepResult {
    pub success: bool,
    pub reason: Option<String>,
    pub timed_out: bool,
    pub assignments: Vec<Assignment>,
    pub branches: Vec<String>,
    pub command_types: Vec<String>,
}

impl StepResult {
    pub fn success() -> Self {
        Self {
            success: true,
            ..Self::default()
        }
    }

    pub fn failure(reason: impl Into<String>) -> Self {
        Self {
            success: false,
            reason: Some(reason.into()),
            ..Self::default()
        }
    }

    pub fn timeout() -> Self {
        Self {
            success: false,
            reason: Some(ACTION_TIMEOUT.to_owned()),
            timed_out: true,
            ..Self::default()
        }
    }
}

/// The reason CACAO gives a step whose timeout expired.
pub const ACTION_TIMEOUT: &str = "ACTION_TIMEOUT";

impl Run {
    /// The next event sequence number.
    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Appends to the journal, if there is one, and waits until the record is durable.
    pub async fn journal(&self, record: JournalRecord) -> Result<(), Stop> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        journal.append(&record).await.map_err(|error| {
            tracing::error!(%error, "the journal cannot be written; the execution stops");
            Stop::Journal(error.to_string())
        })
    }

    /// Removes secret values from text that leaves the engine.
    pub fn redact(&self, text: &str) -> String {
        let mut redacted = text.to_owned();
        for secret in &self.secrets {
            if redacted.contains(secret.as_str()) {
                redacted = redacted.replace(secret.as_str(), cacao_model::Secret::PLACEHOLDER);
            }
        }
        redacted
    }

    /// Builds an event of this execution.
    pub fn event(&self, seq: u64, event_type: EventType, status: Status) -> Event {
        self.event_of(seq, event_type, status, &self.root_playbook_id)
    }

    /// Builds an event about a step of playbook `playbook_id`.
    pub fn event_of(
        &self,
        seq: u64,
        event_type: EventType,
        status: Status,
        playbook_id: &str,
    ) -> Event {
        Event {
            execution_id: self.execution_id.clone(),
            seq,
            step_id: None,
            step_name: None,
            event_type,
            status,
            reason: None,
            time: crate::events::now(),
            playbook_id: playbook_id.to_owned(),
            step_type: None,
            branch: None,
            depth: 0,
            duration_ms: None,
            rerun: false,
            branches: Vec::new(),
            command_types: Vec::new(),
        }
    }

    /// Whether the operator asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// Runs a workflow: its main flow, then its exception flow when the main flow failed unhandled.
pub(crate) async fn run_workflow(
    run: &Arc<Run>,
    main: Arc<BranchContext>,
    exception_path: String,
) -> Result<WorkflowEnd, Stop> {
    let playbook = Arc::clone(&main.instance.playbook);
    let end = run_branch(
        Arc::clone(run),
        Arc::clone(&main),
        playbook.workflow_start.clone(),
    )
    .await?;

    let BranchEnd::Failed { step_id, reason } = end else {
        return Ok(WorkflowEnd {
            completed: true,
            reason: None,
            exception_ran: false,
        });
    };
    let reason = format!("step {step_id} failed unhandled: {reason}");

    let Some(exception_start) = playbook.workflow_exception.clone() else {
        tracing::warn!(
            step_id,
            "unhandled failure and no workflow_exception; the execution fails"
        );
        return Ok(WorkflowEnd {
            completed: false,
            reason: Some(reason),
            exception_ran: false,
        });
    };

    tracing::warn!(
        step_id,
        "unhandled failure; running the workflow_exception flow"
    );
    let exception = Arc::new(BranchContext {
        parent: main.parent.clone(),
        path: exception_path,
        instance: Arc::clone(&main.instance),
        scope: Arc::clone(&main.scope),
    });
    let exception_end = run_branch(Arc::clone(run), exception, exception_start).await?;
    let reason = match exception_end {
        BranchEnd::Completed => reason,
        BranchEnd::Failed {
            step_id,
            reason: exception_reason,
        } => format!(
            "{reason}; the exception flow then failed at step {step_id}: {exception_reason}"
        ),
    };
    Ok(WorkflowEnd {
        completed: false,
        reason: Some(reason),
        exception_ran: true,
    })
}

/// Runs one branch from `first` to its end. Boxed, because branches nest inside steps.
pub(crate) fn run_branch(
    run: Arc<Run>,
    context: Arc<BranchContext>,
    first: String,
) -> BoxFuture<'static, Result<BranchEnd, Stop>> {
    Box::pin(async move {
        let playbook = Arc::clone(&context.instance.playbook);
        let mut current = first;
        let mut position: u64 = 0;

        loop {
            if run.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            if position >= run.config.max_steps_per_branch {
                return Ok(BranchEnd::Failed {
                    step_id: current,
                    reason: format!(
                        "the branch ran {} steps without reaching an end step; the workflow has a cycle",
                        run.config.max_steps_per_branch
                    ),
                });
            }
            let Some(step) = playbook.workflow.get(&current) else {
                return Ok(BranchEnd::Failed {
                    reason: format!("the workflow has no step {current}"),
                    step_id: current,
                });
            };

            let key = format!("{}.{position}", context.path);
            position += 1;
            let result = run_step(&run, &context, &current, step, &key).await?;

            if matches!(step, Step::End(_)) {
                return Ok(BranchEnd::Completed);
            }
            match next_step(step, result.success) {
                Some(next) => current = next.to_owned(),
                None if result.success => return Ok(BranchEnd::Completed),
                None => {
                    return Ok(BranchEnd::Failed {
                        step_id: current,
                        reason: result.reason.unwrap_or_else(|| "the step failed".into()),
                    });
                }
            }
        }
    })
}

/// The routing rule: success goes to `on_success`, else `on_completion`; failure goes to
/// `on_failure`, else `on_completion`, else nowhere (unhandled).
pub(crate) fn next_step(step: &Step, success: bool) -> Option<&str> {
    let preferred = if success {
        step.on_success()
    } else {
        step.on_failure()
    };
    preferred.or(step.on_completion())
}

/// The frame every step runs in.
async fn run_step(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step_id: &str,
    step: &Step,
    key: &str,
) -> Result<StepResult, Stop> {
    // A step the journal saw finish takes its recorded outcome and does not run again.
    let mut rerun = false;
    if let Some(replay) = &run.replay {
        if let Some(recorded) = replay.finished.get(key) {
            if recorded.step_id != step_id {
                return Err(Stop::Mismatch(format!(
                    "the journal has step {} at {key} where the playbook has {step_id}",
                    recorded.step_id
                )));
            }
            return Ok(StepResult {
                success: recorded.success,
                reason: recorded.reason.clone(),
                timed_out: recorded.timed_out,
                ..StepResult::default()
            });
        }
        rerun = replay.started.contains_key(key);
    }

    let playbook_id = context.instance.playbook.id.as_str();
    let span = tracing::info_span!(
        "step",
        execution_id = %run.execution_id,
        step_id,
        playbook_id,
        command_type = tracing::field::Empty,
    );
    if let Step::Action(action) = step
        && let Some(command) = action.commands.first()
    {
        span.record("command_type", command.command_type.as_str());
    }

    async {
        let scope = step_scope(run, context, step, key);
        let cancel = run.cancel.clone();

        if let Some(delay) = step.delay().filter(|delay| *delay > 0) {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(delay)) => {}
                () = cancel.cancelled() => return Err(Stop::Cancelled),
            }
        }

        let seq = run.next_seq();
        run.journal(JournalRecord::StepStarted {
            seq,
            key: key.to_owned(),
            step_id: step_id.to_owned(),
        })
        .await?;
        // A step that will ask a person tells the watchers so from the start: responders look
        // for `await_user_input` to find the steps that need them.
        let waits_for_a_person = matches!(step, Step::Action(action)
            if action.commands.iter().any(|command| command.command_type == CommandType::Manual));
        let status = if waits_for_a_person {
            Status::AwaitUserInput
        } else {
            Status::Ongoing
        };
        let mut started = run.event_of(seq, EventType::StepStarted, status, playbook_id);
        fill_step(&mut started, context, step_id, step);
        started.rerun = rerun;
        run.events.emit(&started);
        if rerun {
            tracing::info!(
                "the step was running when the previous process stopped; running it again"
            );
        } else {
            tracing::debug!("step started");
        }

        let began = Instant::now();
        let timeout = step
            .timeout()
            .map(Duration::from_millis)
            .or(matches!(step, Step::Action(_)).then_some(run.config.default_step_timeout));
        let deadline = timeout.map(|timeout| began + timeout);

        let logic = steps::run(run, context, step_id, step, key, &scope, deadline);
        // Action steps keep the results of the commands that finished before their deadline,
        // so they enforce it themselves.
        let outer_deadline = deadline.filter(|_| !matches!(step, Step::Action(_)));
        let mut result = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(Stop::Cancelled),
            result = with_deadline(outer_deadline, logic) => result?,
        };
        let elapsed = began.elapsed();

        let seq = run.next_seq();
        let reason = result.reason.as_deref().map(|reason| run.redact(reason));
        run.journal(JournalRecord::StepFinished {
            seq,
            key: key.to_owned(),
            step_id: step_id.to_owned(),
            success: result.success,
            reason: reason.clone(),
            timed_out: result.timed_out,
            assignments: result.assignments.clone(),
        })
        .await?;
        scope.apply(&result.assignments);

        let (event_type, status) = match (result.success, result.timed_out) {
            (true, _) => (EventType::StepCompleted, Status::SuccessfullyExecuted),
            (false, true) => (EventType::StepFailed, Status::TimeoutError),
            (false, false) => (EventType::StepFailed, Status::Failed),
        };
        let mut finished = run.event_of(seq, event_type, status, playbook_id);
        fill_step(&mut finished, context, step_id, step);
        finished.reason = reason.clone();
        finished.duration_ms = Some(elapsed.as_millis().try_into().unwrap_or(u64::MAX));
        finished.branches = std::mem::take(&mut result.branches);
        finished.command_types = std::mem::take(&mut result.command_types);
        run.events.emit(&finished);

        if !result.success {
            let handled = next_step(step, false).is_some();
            let reason = reason.as_deref().unwrap_or("");
            if handled {
                tracing::info!(reason, "step failed; the playbook handles the failure");
            } else {
                tracing::warn!(reason, "step failed and nothing handles the failure");
            }
        }
        Ok(result)
    }
    .instrument(span)
    .await
}

/// Runs `logic` until `deadline`; past it the step fails with `ACTION_TIMEOUT`. Action steps
/// handle their deadline themselves (to keep partial results), so this only catches the rest.
async fn with_deadline(
    deadline: Option<Instant>,
    logic: impl std::future::Future<Output = Result<StepResult, Stop>>,
) -> Result<StepResult, Stop> {
    match deadline {
        None => logic.await,
        Some(deadline) => match tokio::time::timeout_at(deadline, logic).await {
            Ok(result) => result,
            Err(_) => Ok(StepResult::timeout()),
        },
    }
}

/// The scope the step's logic sees: its own variables, if it declares any, in front of the
/// branch's chain. A resumed execution puts back the assignments the journal recorded for it.
fn step_scope(run: &Run, context: &BranchContext, step: &Step, key: &str) -> Arc<Scope> {
    let Some(declared) = step
        .step_variables()
        .filter(|declared| !declared.is_empty())
    else {
        return Arc::clone(&context.scope);
    };
    let scope = Scope::child(&context.scope, key, declared.clone());
    if let Some(replay) = &run.replay {
        scope.apply(replay.assignments_for(key));
    }
    scope
}

fn fill_step(event: &mut Event, context: &BranchContext, step_id: &str, step: &Step) {
    event.step_id = Some(step_id.to_owned());
    event.step_name = step.name().map(str::to_owned);
    event.step_type = Some(step.type_name().to_owned());
    event.branch = Some(context.path.clone());
    event.depth = context.depth();
}

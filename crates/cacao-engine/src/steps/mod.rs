//! The step types, one file each where the logic is real. `start` and `end` do nothing but pass
//! control, so they live here.

mod action;
mod if_condition;
mod parallel;
mod playbook_action;
mod switch_condition;
mod while_condition;

use std::sync::Arc;

use cacao_model::Step;
use tokio::time::Instant;

use crate::execution::{BranchContext, BranchEnd, Run, StepResult, Stop, run_branch};
use crate::executor::BoxFuture;
use crate::variables::Scope;

/// Runs the logic of `step`, whatever its type. Boxed: step futures are large, and moving a
/// pointer is cheaper than moving the state machine of every step type.
pub(crate) fn run<'a>(
    run: &'a Arc<Run>,
    context: &'a Arc<BranchContext>,
    step_id: &'a str,
    step: &'a Step,
    key: &'a str,
    scope: &'a Arc<Scope>,
    deadline: Option<Instant>,
) -> BoxFuture<'a, Result<StepResult, Stop>> {
    match step {
        Step::Start(_) | Step::End(_) => Box::pin(std::future::ready(Ok(StepResult::success()))),
        Step::Action(action) => {
            Box::pin(action::run(run, context, step_id, action, scope, deadline))
        }
        Step::PlaybookAction(call) => {
            Box::pin(playbook_action::run(run, context, call, key, scope))
        }
        Step::Parallel(parallel) => Box::pin(parallel::run(run, context, parallel, key, scope)),
        Step::IfCondition(condition) => {
            Box::pin(if_condition::run(run, context, condition, key, scope))
        }
        Step::WhileCondition(condition) => {
            Box::pin(while_condition::run(run, context, condition, key, scope))
        }
        Step::SwitchCondition(switch) => {
            Box::pin(switch_condition::run(run, context, switch, key, scope))
        }
    }
}

/// Whether another level of branches fits under the nesting limit; the failure if not.
fn nesting_refused(run: &Run, context: &BranchContext) -> Option<StepResult> {
    (context.depth() >= run.config.max_branch_depth).then(|| {
        StepResult::failure(format!(
            "branches nest deeper than {} levels",
            run.config.max_branch_depth
        ))
    })
}

/// Runs one branch of a branching step inline and turns its end into the step's result.
async fn run_one_branch(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    scope: &Arc<Scope>,
    path: String,
    label: &str,
    first: &str,
) -> Result<Option<String>, Stop> {
    let child = BranchContext::child(context, path, Arc::clone(scope));
    match run_branch(Arc::clone(run), child, first.to_owned()).await? {
        BranchEnd::Completed => Ok(None),
        BranchEnd::Failed { step_id, reason } => Ok(Some(format!(
            "branch {label} failed at step {step_id}: {reason}"
        ))),
    }
}

/// Takes a recorded decision, or makes it and records it before acting on it.
async fn decide(
    run: &Arc<Run>,
    key: String,
    make: impl FnOnce() -> Result<String, String>,
) -> Result<Result<String, String>, Stop> {
    if let Some(value) = run
        .replay
        .as_ref()
        .and_then(|replay| replay.decisions.get(&key))
    {
        return Ok(Ok(value.clone()));
    }
    let value = match make() {
        Ok(value) => value,
        Err(reason) => return Ok(Err(reason)),
    };
    run.journal(crate::journal::JournalRecord::Decision {
        key,
        value: value.clone(),
    })
    .await?;
    Ok(Ok(value))
}

//! parallel: run every branch of `next_steps` at once, each as its own tokio task, and wait for
//! all of them (join-all). A failed branch does not cancel its siblings; the step fails when any
//! branch failed. Dropping the step (timeout, cancellation) aborts the branch tasks, which stops
//! their commands.

use std::sync::Arc;

use cacao_model::ParallelStep;
use tokio::task::JoinSet;
use tracing::Instrument;

use super::nesting_refused;
use crate::execution::{BranchContext, BranchEnd, Run, StepResult, Stop, run_branch};
use crate::variables::Scope;

pub(super) async fn run(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step: &ParallelStep,
    key: &str,
    scope: &Arc<Scope>,
) -> Result<StepResult, Stop> {
    if let Some(refused) = nesting_refused(run, context) {
        return Ok(refused);
    }

    let mut tasks = JoinSet::new();
    let mut task_branch = std::collections::HashMap::new();
    for (index, first) in step.next_steps.iter().enumerate() {
        let child = BranchContext::child(context, format!("{key}/{index}"), Arc::clone(scope));
        let branch =
            run_branch(Arc::clone(run), child, first.clone()).instrument(tracing::Span::current());
        let handle = tasks.spawn(branch);
        task_branch.insert(handle.id(), index);
    }

    let mut ends: Vec<Option<BranchEnd>> = vec![None; step.next_steps.len()];
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((id, end)) => {
                // A stop (cancellation, journal failure) stops the whole execution; dropping
                // `tasks` on return aborts the other branches.
                ends[task_branch[&id]] = Some(end?);
            }
            Err(error) => {
                let index = task_branch[&error.id()];
                tracing::error!(branch = index, %error, "a parallel branch task ended abnormally");
                ends[index] = Some(BranchEnd::Failed {
                    step_id: step.next_steps[index].clone(),
                    reason: "the branch task ended abnormally".into(),
                });
            }
        }
    }

    let failures: Vec<String> = ends
        .iter()
        .enumerate()
        .filter_map(|(index, end)| match end {
            Some(BranchEnd::Failed { step_id, reason }) => Some(format!(
                "branch next_steps[{index}] failed at step {step_id}: {reason}"
            )),
            _ => None,
        })
        .collect();
    let mut result = if failures.is_empty() {
        StepResult::success()
    } else {
        StepResult::failure(failures.join("; "))
    };
    result.branches = (0..step.next_steps.len())
        .map(|index| format!("next_steps[{index}]"))
        .collect();
    Ok(result)
}

//! while-condition: evaluate the condition before each iteration and run `on_true` while it
//! holds, then follow the step's own routing. A failed iteration fails the step, and so does
//! reaching the iteration guard (10,000 by default), which stops a loop that would never end.

use std::sync::Arc;

use cacao_model::WhileConditionStep;

use super::{decide, nesting_refused, run_one_branch};
use crate::execution::{BranchContext, Run, StepResult, Stop};
use crate::variables::Scope;

pub(super) async fn run(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step: &WhileConditionStep,
    key: &str,
    scope: &Arc<Scope>,
) -> Result<StepResult, Stop> {
    if let Some(refused) = nesting_refused(run, context) {
        return Ok(refused);
    }

    let mut iterations: u64 = 0;
    loop {
        let decision = decide(run, format!("{key}#{iterations}"), || {
            let holds = run
                .conditions
                .evaluate(&step.condition, scope)
                .map_err(|error| error.to_string())?;
            Ok(holds.to_string())
        })
        .await?;
        let holds = match decision {
            Ok(value) => value == "true",
            Err(reason) => return Ok(StepResult::failure(reason)),
        };
        if !holds {
            break;
        }
        if iterations >= run.config.max_while_iterations {
            tracing::warn!(iterations, "the while loop reached its guard");
            return Ok(StepResult::failure(format!(
                "the loop reached its guard of {} iterations",
                run.config.max_while_iterations
            )));
        }

        let label = format!("on_true (iteration {})", iterations + 1);
        let path = format!("{key}/{iterations}");
        if let Some(reason) =
            run_one_branch(run, context, scope, path, &label, &step.on_true).await?
        {
            let mut result = StepResult::failure(reason);
            result.branches = vec!["on_true".into()];
            return Ok(result);
        }
        iterations += 1;
    }

    let mut result = StepResult::success();
    if iterations > 0 {
        result.branches = vec!["on_true".into()];
    }
    tracing::debug!(iterations, "the while loop ended");
    Ok(result)
}

//! if-condition: run `on_true` when the condition holds, else `on_false` when present, then
//! follow the step's own routing. A failed branch fails the step.

use std::sync::Arc;

use cacao_model::IfConditionStep;

use super::{decide, nesting_refused, run_one_branch};
use crate::execution::{BranchContext, Run, StepResult, Stop};
use crate::variables::Scope;

pub(super) async fn run(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step: &IfConditionStep,
    key: &str,
    scope: &Arc<Scope>,
) -> Result<StepResult, Stop> {
    if let Some(refused) = nesting_refused(run, context) {
        return Ok(refused);
    }

    let decision = decide(run, key.to_owned(), || {
        let holds = run
            .conditions
            .evaluate(&step.condition, scope)
            .map_err(|error| error.to_string())?;
        Ok(if holds { "on_true" } else { "on_false" }.to_owned())
    })
    .await?;
    let label = match decision {
        Ok(label) => label,
        Err(reason) => return Ok(StepResult::failure(reason)),
    };
    tracing::debug!(branch = %label, "condition evaluated");

    let (first, path) = match label.as_str() {
        "on_true" => (Some(step.on_true.as_str()), format!("{key}/t")),
        _ => (step.on_false.as_deref(), format!("{key}/f")),
    };
    let Some(first) = first else {
        // False without on_false: nothing runs and the step succeeds.
        return Ok(StepResult::success());
    };

    let failure = run_one_branch(run, context, scope, path, &label, first).await?;
    let mut result = match failure {
        None => StepResult::success(),
        Some(reason) => StepResult::failure(reason),
    };
    result.branches = vec![label];
    Ok(result)
}

//! switch-condition: the value of the variable in `switch` (`__x__:value` or `__x__`) selects the
//! case whose key equals it as a string, else `default`; with neither, no branch runs and the
//! step succeeds. A failed branch fails the step.

use std::sync::Arc;

use cacao_model::SwitchConditionStep;

use super::{decide, nesting_refused, run_one_branch};
use crate::execution::{BranchContext, Run, StepResult, Stop};
use crate::variables::Scope;

/// The label of the decision "no case matched and there is no default".
const NO_MATCH: &str = "(no match)";

pub(super) async fn run(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step: &SwitchConditionStep,
    key: &str,
    scope: &Arc<Scope>,
) -> Result<StepResult, Stop> {
    if let Some(refused) = nesting_refused(run, context) {
        return Ok(refused);
    }

    let decision = decide(run, key.to_owned(), || {
        let name = variable_name(&step.switch);
        let value = scope
            .value_text(name)
            .ok_or_else(|| format!("the switch variable {name} is not defined"))?
            .unwrap_or_default();
        Ok(if step.cases.contains_key(&value) {
            value
        } else if step.cases.contains_key("default") {
            "default".to_owned()
        } else {
            NO_MATCH.to_owned()
        })
    })
    .await?;
    let case = match decision {
        Ok(case) => case,
        Err(reason) => return Ok(StepResult::failure(reason)),
    };

    let Some(first) = step.cases.get(&case) else {
        tracing::debug!("no case matched and there is no default");
        return Ok(StepResult::success());
    };
    let failure = run_one_branch(
        run,
        context,
        scope,
        format!("{key}/s"),
        &format!("case {case}"),
        first,
    )
    .await?;
    let mut result = match failure {
        None => StepResult::success(),
        Some(reason) => StepResult::failure(reason),
    };
    result.branches = vec![case];
    Ok(result)
}

/// `__x__:value` or `__x__` (with surrounding white space) to `__x__`.
fn variable_name(switch: &str) -> &str {
    let trimmed = switch.trim();
    trimmed.strip_suffix(":value").unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::variable_name;

    #[test]
    fn both_switch_forms_name_the_variable() {
        assert_eq!(variable_name("__color__:value"), "__color__");
        assert_eq!(variable_name(" __color__ "), "__color__");
    }
}

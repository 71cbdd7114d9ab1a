//! playbook-action: run another playbook from the library, by id and `playbook_version` (its
//! `modified`; the newest version when absent), with its own agents, targets and variables.
//!
//! `in_args` names caller variables whose values are copied into the callee's variables of the
//! same name (created when the callee does not declare them); the callee's external variables
//! must all have a value then, or the step fails listing the missing ones. The callee runs as a
//! workflow of its own, exception flow included; the step succeeds when it completes. Afterwards
//! each name in `out_args` that the callee holds a value for is assigned in the caller, to the
//! nearest scope, whatever the outcome.

use std::sync::Arc;

use cacao_model::PlaybookActionStep;
use indexmap::IndexMap;
use serde_json::Value;

use crate::execution::{BranchContext, Instance, Run, StepResult, Stop, run_workflow};
use crate::journal::JournalRecord;
use crate::variables::{AssignOutcome, Scope};

/// The id of the variable scope of the playbook a playbook-action step visit calls.
fn playbook_scope_id(key: &str) -> String {
    format!("{key}/playbook")
}

pub(super) async fn run(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step: &PlaybookActionStep,
    key: &str,
    scope: &Arc<Scope>,
) -> Result<StepResult, Stop> {
    let version = step
        .playbook_version
        .as_ref()
        .map(|version| version.as_str());
    let Some(callee) = run.library.find(&step.playbook_id, version) else {
        return Ok(StepResult::failure(match version {
            Some(version) => format!(
                "the library has no playbook {} version {version}",
                step.playbook_id
            ),
            None => format!("the library has no playbook {}", step.playbook_id),
        }));
    };
    if context.instance.call_depth >= run.config.max_call_depth {
        return Ok(StepResult::failure(format!(
            "playbook-actions nest deeper than {} calls",
            run.config.max_call_depth
        )));
    }

    // The callee's variables: its declarations, then the in_args, unless the journal already
    // recorded them (a resumed execution must see the values of the original call).
    let scope_id = playbook_scope_id(key);
    let declared = callee.playbook_variables.clone().unwrap_or_default();
    let callee_scope = Scope::root(scope_id.clone(), declared);
    let recorded = run
        .replay
        .as_ref()
        .and_then(|replay| replay.scopes.get(&scope_id));
    match recorded {
        Some(values) => {
            for (name, value) in values {
                callee_scope.initialise(name, value.clone());
            }
        }
        None => {
            for name in step.in_args.iter().flatten() {
                if let Some(value) = scope.value_text(name) {
                    callee_scope.initialise(name, value.map_or(Value::Null, Value::String));
                }
            }
            let missing = callee_scope.missing_externals();
            if !missing.is_empty() {
                return Ok(StepResult::failure(format!(
                    "the called playbook {} needs values for its external variables: {}",
                    callee.id,
                    missing.join(", ")
                )));
            }
            let values: IndexMap<String, Value> = callee_scope.own_values();
            run.journal(JournalRecord::ScopeCreated {
                scope: scope_id.clone(),
                variables: values,
            })
            .await?;
        }
    }
    if let Some(replay) = &run.replay {
        callee_scope.apply(replay.assignments_for(&scope_id));
    }

    let instance = Arc::new(Instance::new(
        Arc::clone(&callee),
        context.instance.call_depth + 1,
    ));
    let main = Arc::new(BranchContext {
        parent: Some(Arc::clone(context)),
        path: format!("{key}/c"),
        instance,
        scope: Arc::clone(&callee_scope),
    });
    tracing::debug!(callee = %callee.id, "calling a playbook");
    let end = run_workflow(run, main, format!("{key}/x")).await?;

    let mut result = if end.completed {
        StepResult::success()
    } else {
        StepResult::failure(format!(
            "the called playbook {} failed: {}",
            callee.id,
            end.reason.unwrap_or_default()
        ))
    };
    for name in step.out_args.iter().flatten() {
        let Some(Some(value)) = callee_scope.value_text(name) else {
            continue;
        };
        match scope.plan_assignment(name, value) {
            AssignOutcome::Assign(assignment) => result.assignments.push(assignment),
            AssignOutcome::Constant => {
                tracing::info!(variable = %name, "out_arg names a constant; its value stays");
            }
        }
    }
    Ok(result)
}

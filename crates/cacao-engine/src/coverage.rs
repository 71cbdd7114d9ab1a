//! Coverage: which steps and branches an execution (usually a simulation) went through, computed
//! from its events, so an author sees which parts of a playbook a scenario never exercised.

use std::collections::{BTreeSet, HashMap, HashSet};

use cacao_model::{Playbook, Step};
use serde::Serialize;

use crate::events::{Event, EventType};

/// A step of the playbook and whether it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepCoverage {
    /// The step id.
    pub step_id: String,
    /// The step name.
    pub name: Option<String>,
    /// Whether it started at least once.
    pub covered: bool,
}

/// One way out of a step: a branch of a branching step, or an on_success/on_failure route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchCoverage {
    /// The step id.
    pub step_id: String,
    /// The step name.
    pub name: Option<String>,
    /// `on_true`, `on_false`, `false (nothing runs)`, a case value, `default`, `(no match)`,
    /// `next_steps[i]`, `on_success`, `on_failure`, `loop exit`.
    pub branch: String,
    /// Whether the execution took it.
    pub covered: bool,
}

/// Steps and branches of a playbook, covered or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Every step, in workflow order.
    pub steps: Vec<StepCoverage>,
    /// Every branch.
    pub branches: Vec<BranchCoverage>,
}

impl Coverage {
    /// Covered and total steps.
    pub fn step_counts(&self) -> (usize, usize) {
        (
            self.steps.iter().filter(|step| step.covered).count(),
            self.steps.len(),
        )
    }

    /// Covered and total branches.
    pub fn branch_counts(&self) -> (usize, usize) {
        (
            self.branches.iter().filter(|branch| branch.covered).count(),
            self.branches.len(),
        )
    }
}

/// Computes the coverage of `playbook` (its own steps, not those of called playbooks) from the
/// events of one or more executions.
pub fn coverage(playbook: &Playbook, events: &[Event]) -> Coverage {
    let mut started = HashSet::new();
    let mut outcomes: HashMap<&str, BTreeSet<&'static str>> = HashMap::new();
    let mut taken: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for event in events
        .iter()
        .filter(|event| event.playbook_id == playbook.id)
    {
        let Some(step_id) = event.step_id.as_deref() else {
            continue;
        };
        match event.event_type {
            EventType::StepStarted => {
                started.insert(step_id);
            }
            EventType::StepCompleted | EventType::StepFailed => {
                let outcome = if event.event_type == EventType::StepCompleted {
                    "on_success"
                } else {
                    "on_failure"
                };
                outcomes.entry(step_id).or_default().insert(outcome);
                taken
                    .entry(step_id)
                    .or_default()
                    .extend(event.branches.iter().cloned());
            }
            _ => {}
        }
    }

    let mut steps = Vec::new();
    let mut branches = Vec::new();
    for (step_id, step) in &playbook.workflow {
        let name = step.name().map(str::to_owned);
        let covered = started.contains(step_id.as_str());
        steps.push(StepCoverage {
            step_id: step_id.clone(),
            name: name.clone(),
            covered,
        });

        let finished = outcomes.get(step_id.as_str());
        let taken = taken.get(step_id.as_str());
        let was_taken = |label: &str| taken.is_some_and(|taken| taken.contains(label));
        let mut add = |branch: String, covered: bool| {
            branches.push(BranchCoverage {
                step_id: step_id.clone(),
                name: name.clone(),
                branch,
                covered,
            });
        };
        match step {
            Step::IfCondition(condition) => {
                add("on_true".into(), was_taken("on_true"));
                let ran_false = finished.is_some() && !was_taken("on_true");
                if condition.on_false.is_some() {
                    add("on_false".into(), was_taken("on_false"));
                } else {
                    add("false (nothing runs)".into(), ran_false);
                }
            }
            Step::WhileCondition(_) => {
                add("on_true".into(), was_taken("on_true"));
                add("loop exit".into(), finished.is_some());
            }
            Step::SwitchCondition(switch) => {
                for case in switch.cases.keys() {
                    add(case.clone(), was_taken(case));
                }
                if !switch.cases.contains_key("default") {
                    add(
                        "(no match)".into(),
                        finished.is_some() && taken.is_none_or(|t| t.is_empty()),
                    );
                }
            }
            Step::Parallel(parallel) => {
                for index in 0..parallel.next_steps.len() {
                    let label = format!("next_steps[{index}]");
                    let covered = was_taken(&label);
                    add(label, covered);
                }
            }
            _ => {}
        }
        for (label, target) in [
            ("on_success", step.on_success()),
            ("on_failure", step.on_failure()),
        ] {
            if target.is_some() {
                add(
                    label.into(),
                    finished.is_some_and(|finished| finished.contains(label)),
                );
            }
        }
    }
    Coverage { steps, branches }
}

//! Simulation: running a playbook without side effects, each command's outcome and results taken
//! from a scenario file, so authors can check a playbook's flow before deployment.
//!
//! A scenario is JSON:
//!
//! ```json
//! {
//!   "description": "the host is already isolated",
//!   "default": {"success": true},
//!   "steps": {
//!     "action--5ee8003f-20c2-4ad0-9c2c-464625716b52": {"success": false, "reason": "exit 3"},
//!     "action--0a263d14-3f29-4a1a-ae10-625d70e39c0d": [
//!       {"results": {"__count__": "1"}},
//!       {"results": {"__count__": "2"}, "duration_ms": 50}
//!     ]
//!   }
//! }
//! ```
//!
//! A step's entry is one outcome, or a list used for its successive visits (a step in a while
//! loop), the last repeating. Every command of the step visit gets that outcome: a failing outcome
//! fails the step at its first command. `results` are the named results the commands return (for
//! out_args), `duration_ms` how long each simulated command takes. Steps without an entry get
//! `default` (success, no results, when absent). Delays and timeouts apply as in a real run.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use cacao_model::CommandType;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::executor::{BoxFuture, CommandOutcome, CommandRequest, Executor, ExecutorError};

/// What a simulated command does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatedOutcome {
    /// Whether the command succeeds.
    #[serde(default = "succeeds")]
    pub success: bool,
    /// Named results, for out_args.
    #[serde(default)]
    pub results: IndexMap<String, String>,
    /// Why it fails.
    #[serde(default)]
    pub reason: Option<String>,
    /// How long it takes.
    #[serde(default)]
    pub duration_ms: u64,
}

fn succeeds() -> bool {
    true
}

impl Default for SimulatedOutcome {
    fn default() -> Self {
        Self {
            success: true,
            results: IndexMap::new(),
            reason: None,
            duration_ms: 0,
        }
    }
}

/// One outcome, or one per visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StepOutcomes {
    /// The same outcome at every visit.
    One(SimulatedOutcome),
    /// The outcome of each visit; the last repeats.
    Sequence(Vec<SimulatedOutcome>),
}

/// A simulation scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario represents.
    #[serde(default)]
    pub description: Option<String>,
    /// The outcome of steps not listed.
    #[serde(default)]
    pub default: SimulatedOutcome,
    /// Outcomes by action step id.
    #[serde(default)]
    pub steps: IndexMap<String, StepOutcomes>,
}

impl Scenario {
    /// Reads a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// An executor for every command type that runs nothing and answers from a scenario.
#[derive(Debug)]
pub struct SimulatedExecutor {
    scenario: Scenario,
    command_types: Vec<CommandType>,
    visits: Mutex<HashMap<(String, String), usize>>,
}

impl SimulatedExecutor {
    /// A simulator for every known command type plus `extra_types` (custom types a playbook
    /// uses).
    pub fn new(scenario: Scenario, extra_types: impl IntoIterator<Item = String>) -> Self {
        let mut command_types: Vec<CommandType> = CommandType::KNOWN
            .iter()
            .map(|known| CommandType::from(*known))
            .collect();
        for extra in extra_types {
            let extra = CommandType::from(extra.as_str());
            if !command_types.contains(&extra) {
                command_types.push(extra);
            }
        }
        Self {
            scenario,
            command_types,
            visits: Mutex::new(HashMap::new()),
        }
    }

    fn outcome_for(&self, request: &CommandRequest) -> SimulatedOutcome {
        let Some(outcomes) = self.scenario.steps.get(&request.step_id) else {
            return self.scenario.default.clone();
        };
        match outcomes {
            StepOutcomes::One(outcome) => outcome.clone(),
            StepOutcomes::Sequence(sequence) => {
                let mut visits = self
                    .visits
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let visit_key = (request.execution_id.clone(), request.step_id.clone());
                let visit = visits.entry(visit_key).or_insert(0);
                if request.command_index == 0 {
                    *visit += 1;
                }
                let index = visit
                    .saturating_sub(1)
                    .min(sequence.len().saturating_sub(1));
                sequence.get(index).cloned().unwrap_or_default()
            }
        }
    }
}

impl Executor for SimulatedExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        self.command_types.clone()
    }

    fn supports_target_type(&self, _target_type: &str) -> bool {
        true
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        let outcome = self.outcome_for(request);
        Box::pin(async move {
            if outcome.duration_ms > 0 {
                tokio::time::sleep(Duration::from_millis(outcome.duration_ms)).await;
            }
            Ok(CommandOutcome {
                success: outcome.success,
                reason: if outcome.success {
                    None
                } else {
                    Some(
                        outcome
                            .reason
                            .unwrap_or_else(|| "the scenario makes this command fail".into()),
                    )
                },
                results: outcome.results,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_read_one_outcome_or_a_sequence() {
        let scenario = Scenario::from_json(
            r#"{"steps": {"action--a": {"success": false}, "action--b": [{}, {"results": {"__x__": "2"}}]}}"#,
        )
        .unwrap();
        assert!(scenario.default.success);
        assert!(
            matches!(scenario.steps["action--a"], StepOutcomes::One(ref outcome) if !outcome.success)
        );
        assert!(
            matches!(scenario.steps["action--b"], StepOutcomes::Sequence(ref list) if list.len() == 2)
        );
        assert!(Scenario::from_json(r#"{"stepz": {}}"#).is_err());
    }
}

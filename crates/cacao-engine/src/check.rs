//! The pre-run check: can this playbook run here, now?
//!
//! Before an execution starts, the engine refuses a revoked playbook or one outside its
//! `valid_from`/`valid_until` window, and checks that this machine has an executor for every
//! command type and can reach every target type the playbook (and every playbook it calls)
//! uses. Agents are only checked for being defined: an agent says who runs the commands, which
//! is not something an executor has to reach. Every problem is reported at once, as a structured list, so an operator fixes
//! them in one go.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::Arc;

use cacao_model::{Playbook, Step};
use serde::Serialize;

use crate::library::PlaybookLibrary;
use crate::registry::ExecutorRegistry;

/// One reason a playbook cannot run here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// The playbook is revoked.
    Revoked {
        /// The playbook.
        playbook_id: String,
    },
    /// The playbook's validity has not begun.
    NotYetValid {
        /// The playbook.
        playbook_id: String,
        /// Its `valid_from`.
        valid_from: String,
    },
    /// The playbook's validity has ended.
    NoLongerValid {
        /// The playbook.
        playbook_id: String,
        /// Its `valid_until`.
        valid_until: String,
    },
    /// A validity timestamp cannot be read, so the window cannot be checked.
    UnreadableValidity {
        /// The playbook.
        playbook_id: String,
        /// The property.
        property: String,
        /// The text.
        value: String,
    },
    /// External variables that the caller must supply have no value.
    MissingExternalVariables {
        /// The playbook.
        playbook_id: String,
        /// The variable names.
        names: Vec<String>,
    },
    /// A value was given for a variable the playbook does not declare.
    UndeclaredVariable {
        /// The variable name.
        name: String,
    },
    /// A value was given for a constant that is not external.
    ConstantVariable {
        /// The variable name.
        name: String,
    },
    /// No executor runs this command type here.
    MissingExecutor {
        /// The command type.
        command_type: String,
        /// The action steps that use it.
        steps: Vec<String>,
    },
    /// The executor exists but cannot run on this machine.
    ExecutorUnavailable {
        /// The command type.
        command_type: String,
        /// Why, as the executor says.
        reason: String,
        /// The action steps that use it.
        steps: Vec<String>,
    },
    /// The executor of a command type cannot reach a target of this type.
    UnsupportedTargetType {
        /// The command type.
        command_type: String,
        /// The target's type (`agent-target-type-ov`).
        target_type: String,
        /// The action steps concerned.
        steps: Vec<String>,
    },
    /// An action step names an agent or target the playbook does not define.
    UnknownAgentOrTarget {
        /// The id.
        id: String,
        /// The action steps concerned.
        steps: Vec<String>,
    },
    /// A playbook-action calls a playbook the library does not hold.
    MissingPlaybook {
        /// The called playbook.
        playbook_id: String,
        /// The requested version, if any.
        playbook_version: Option<String>,
        /// The playbook-action steps concerned.
        steps: Vec<String>,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Revoked { playbook_id } => write!(f, "{playbook_id} is revoked"),
            Problem::NotYetValid {
                playbook_id,
                valid_from,
            } => write!(f, "{playbook_id} is not valid before {valid_from}"),
            Problem::NoLongerValid {
                playbook_id,
                valid_until,
            } => write!(f, "{playbook_id} stopped being valid at {valid_until}"),
            Problem::UnreadableValidity {
                playbook_id,
                property,
                value,
            } => write!(
                f,
                "{playbook_id} has a `{property}` that is not an RFC 3339 UTC timestamp: `{value}`"
            ),
            Problem::MissingExternalVariables { playbook_id, names } => write!(
                f,
                "{playbook_id} needs values for its external variables: {} (pass --var NAME=VALUE)",
                names.join(", ")
            ),
            Problem::UndeclaredVariable { name } => {
                write!(f, "the playbook declares no variable {name}")
            }
            Problem::ConstantVariable { name } => {
                write!(
                    f,
                    "{name} is a constant and not external, so it cannot be set"
                )
            }
            Problem::MissingExecutor {
                command_type,
                steps,
            } => write!(
                f,
                "no executor for command type `{command_type}` (used by {})",
                steps.join(", ")
            ),
            Problem::ExecutorUnavailable {
                command_type,
                reason,
                steps,
            } => write!(
                f,
                "the `{command_type}` executor cannot run here: {reason} (used by {})",
                steps.join(", ")
            ),
            Problem::UnsupportedTargetType {
                command_type,
                target_type,
                steps,
            } => write!(
                f,
                "the `{command_type}` executor cannot reach targets of type `{target_type}` (used by {})",
                steps.join(", ")
            ),
            Problem::UnknownAgentOrTarget { id, steps } => write!(
                f,
                "agent or target {id} is not defined (used by {})",
                steps.join(", ")
            ),
            Problem::MissingPlaybook {
                playbook_id,
                playbook_version,
                steps,
            } => match playbook_version {
                Some(version) => write!(
                    f,
                    "the library has no playbook {playbook_id} version {version} (called by {})",
                    steps.join(", ")
                ),
                None => write!(
                    f,
                    "the library has no playbook {playbook_id} (called by {})",
                    steps.join(", ")
                ),
            },
        }
    }
}

/// Every reason a playbook cannot run, listed at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The problems.
    pub problems: Vec<Problem>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the playbook cannot run here:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// Checks `playbook` and every playbook it calls, at `now`.
pub fn check(
    playbook: &Playbook,
    registry: &ExecutorRegistry,
    library: &PlaybookLibrary,
    now: jiff::Timestamp,
) -> Vec<Problem> {
    let mut problems = Vec::new();

    // Every playbook this one may call, found first: called playbooks are shared from the
    // library and the root is borrowed, so nothing large is cloned.
    let mut missing_playbooks: BTreeMap<(String, Option<String>), BTreeSet<String>> =
        BTreeMap::new();
    let mut reachable: Vec<(Option<Arc<Playbook>>, String)> = vec![(None, String::new())];
    let mut visited = HashSet::from([(playbook.id.clone(), playbook.modified.as_str().to_owned())]);
    let mut next = 0;
    while next < reachable.len() {
        let (callee, prefix) = reachable[next].clone();
        next += 1;
        let current: &Playbook = callee.as_deref().unwrap_or(playbook);
        validity(current, now, &mut problems);
        for (step_id, step) in &current.workflow {
            let Step::PlaybookAction(call) = step else {
                continue;
            };
            let version = call
                .playbook_version
                .as_ref()
                .map(|v| v.as_str().to_owned());
            match library.find(&call.playbook_id, version.as_deref()) {
                Some(found) => {
                    let key = (found.id.clone(), found.modified.as_str().to_owned());
                    if visited.insert(key) {
                        reachable.push((Some(found), format!("{} > ", call.playbook_id)));
                    }
                }
                None => {
                    missing_playbooks
                        .entry((call.playbook_id.clone(), version))
                        .or_default()
                        .insert(format!("{prefix}{step_id}"));
                }
            }
        }
    }

    // Which command types and agent/target types are used, and where; step labels are only
    // written out for the problems found.
    let mut uses = Uses::default();
    for (index, (callee, _)) in reachable.iter().enumerate() {
        let current: &Playbook = callee.as_deref().unwrap_or(playbook);
        for (step_id, step) in &current.workflow {
            let Step::Action(action) = step else {
                continue;
            };
            // The agent says who runs the commands (a person, this machine, a SOARCA instance):
            // it must be defined, but only targets are what an executor has to reach.
            if current.agent_or_target(&action.agent).is_none() {
                uses.unknown
                    .entry(&action.agent)
                    .or_default()
                    .push((index, step_id));
            }
            for command in &action.commands {
                let command_type = command.command_type.as_str();
                uses.commands
                    .entry(command_type)
                    .or_default()
                    .push((index, step_id));
                for id in action.targets.iter().flatten() {
                    match current.agent_or_target(id) {
                        Some(definition) => uses
                            .targets
                            .entry((command_type, definition.agent_target_type.as_str()))
                            .or_default()
                            .push((index, step_id)),
                        None => uses.unknown.entry(id).or_default().push((index, step_id)),
                    }
                }
            }
        }
    }
    let labels = |steps: &[(usize, &str)]| -> Vec<String> {
        let unique: BTreeSet<String> = steps
            .iter()
            .map(|(index, step_id)| format!("{}{step_id}", reachable[*index].1))
            .collect();
        unique.into_iter().collect()
    };

    for (command_type, steps) in &uses.commands {
        match registry.get(command_type) {
            None => problems.push(Problem::MissingExecutor {
                command_type: (*command_type).to_owned(),
                steps: labels(steps),
            }),
            Some(executor) => {
                if let Some(reason) = executor.unavailable_reason() {
                    problems.push(Problem::ExecutorUnavailable {
                        command_type: (*command_type).to_owned(),
                        reason,
                        steps: labels(steps),
                    });
                }
            }
        }
    }
    for ((command_type, target_type), steps) in &uses.targets {
        if let Some(executor) = registry.get(command_type)
            && !executor.supports_target_type(target_type)
        {
            problems.push(Problem::UnsupportedTargetType {
                command_type: (*command_type).to_owned(),
                target_type: (*target_type).to_owned(),
                steps: labels(steps),
            });
        }
    }
    for (id, steps) in &uses.unknown {
        problems.push(Problem::UnknownAgentOrTarget {
            id: (*id).to_owned(),
            steps: labels(steps),
        });
    }
    for ((playbook_id, playbook_version), steps) in missing_playbooks {
        problems.push(Problem::MissingPlaybook {
            playbook_id,
            playbook_version,
            steps: steps.into_iter().collect(),
        });
    }
    problems
}

type StepsUsing<'a> = Vec<(usize, &'a str)>;

#[derive(Default)]
struct Uses<'a> {
    commands: BTreeMap<&'a str, StepsUsing<'a>>,
    targets: BTreeMap<(&'a str, &'a str), StepsUsing<'a>>,
    unknown: BTreeMap<&'a str, StepsUsing<'a>>,
}

fn validity(playbook: &Playbook, now: jiff::Timestamp, problems: &mut Vec<Problem>) {
    if playbook.revoked == Some(true) {
        problems.push(Problem::Revoked {
            playbook_id: playbook.id.clone(),
        });
    }
    for (property, timestamp, before) in [
        ("valid_from", &playbook.valid_from, true),
        ("valid_until", &playbook.valid_until, false),
    ] {
        let Some(timestamp) = timestamp else { continue };
        match timestamp.instant() {
            Err(_) => problems.push(Problem::UnreadableValidity {
                playbook_id: playbook.id.clone(),
                property: property.into(),
                value: timestamp.as_str().into(),
            }),
            Ok(instant) if before && now < instant => problems.push(Problem::NotYetValid {
                playbook_id: playbook.id.clone(),
                valid_from: timestamp.as_str().into(),
            }),
            Ok(instant) if !before && now >= instant => problems.push(Problem::NoLongerValid {
                playbook_id: playbook.id.clone(),
                valid_until: timestamp.as_str().into(),
            }),
            Ok(_) => {}
        }
    }
}

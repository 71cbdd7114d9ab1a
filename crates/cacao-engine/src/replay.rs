//! What a journal says about an interrupted execution, arranged for the resumed run.
//!
//! Resuming re-walks the workflow from the start. Each step visit has a key that depends only on
//! the branch it runs in and its position there, so the resumed walk meets the same keys: a key
//! with a `step_finished` record takes its recorded outcome without running; a key with only a
//! `step_started` record runs again (at least once); branching decisions already taken are reused
//! rather than re-evaluated. Variables start from their state at the time of the crash: the
//! initial values plus every recorded assignment, in journal order.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value;

use crate::journal::JournalRecord;
use crate::variables::Assignment;

/// A recorded step outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordedOutcome {
    pub step_id: String,
    pub success: bool,
    pub reason: Option<String>,
    pub timed_out: bool,
}

/// The journal of an interrupted execution, indexed.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    pub execution_id: String,
    pub playbook_id: String,
    pub playbook_modified: String,
    pub initial_variables: IndexMap<String, Value>,
    pub finished: HashMap<String, RecordedOutcome>,
    pub started: HashMap<String, String>,
    pub decisions: HashMap<String, String>,
    pub assignments: HashMap<String, Vec<Assignment>>,
    pub scopes: HashMap<String, IndexMap<String, Value>>,
    pub next_seq: u64,
    pub execution_finished: Option<(bool, Option<String>)>,
}

impl Replay {
    /// Indexes the records; `None` when they do not begin with `execution_started`.
    pub fn from_records(records: &[JournalRecord]) -> Option<Replay> {
        let mut replay = match records.first()? {
            JournalRecord::ExecutionStarted {
                execution_id,
                playbook_id,
                playbook_modified,
                variables,
                ..
            } => Replay {
                execution_id: execution_id.clone(),
                playbook_id: playbook_id.clone(),
                playbook_modified: playbook_modified.clone(),
                initial_variables: variables.clone(),
                ..Replay::default()
            },
            _ => return None,
        };

        for record in records {
            if let Some(seq) = record.seq() {
                replay.next_seq = replay.next_seq.max(seq + 1);
            }
            match record {
                JournalRecord::StepStarted { key, step_id, .. } => {
                    replay.started.insert(key.clone(), step_id.clone());
                }
                JournalRecord::StepFinished {
                    key,
                    step_id,
                    success,
                    reason,
                    timed_out,
                    assignments,
                    ..
                } => {
                    replay.finished.insert(
                        key.clone(),
                        RecordedOutcome {
                            step_id: step_id.clone(),
                            success: *success,
                            reason: reason.clone(),
                            timed_out: *timed_out,
                        },
                    );
                    for assignment in assignments {
                        replay
                            .assignments
                            .entry(assignment.scope.clone())
                            .or_default()
                            .push(assignment.clone());
                    }
                }
                JournalRecord::Decision { key, value } => {
                    replay.decisions.insert(key.clone(), value.clone());
                }
                JournalRecord::ScopeCreated { scope, variables } => {
                    replay.scopes.insert(scope.clone(), variables.clone());
                }
                JournalRecord::ExecutionFinished {
                    completed, reason, ..
                } => {
                    replay.execution_finished = Some((*completed, reason.clone()));
                }
                JournalRecord::ExecutionStarted { .. }
                | JournalRecord::ExecutionResumed { .. }
                | JournalRecord::ExecutionCancelled { .. } => {}
            }
        }
        Some(replay)
    }

    /// The recorded assignments to scope `id`, in journal order.
    pub fn assignments_for(&self, id: &str) -> &[Assignment] {
        self.assignments.get(id).map_or(&[], Vec::as_slice)
    }
}

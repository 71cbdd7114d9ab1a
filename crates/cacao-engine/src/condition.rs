//! Conditions of if-condition and while-condition steps, in the CACAO condition language (STIX
//! comparison expressions over variables, from crate `stix-pattern`).
//!
//! The engine evaluates conditions through the small [`ConditionLanguage`] trait so that the
//! interpreter does not depend on the parser's types; [`StixConditions`] is the implementation
//! every execution uses. Parsed conditions are cached by text, since a while loop evaluates the
//! same condition on every iteration.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::variables::Scope;

/// A condition that could not be evaluated (it does not parse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the condition `{condition}` is not valid: {message}")]
pub struct ConditionError {
    /// The condition text.
    pub condition: String,
    /// What is wrong, with the byte offset.
    pub message: String,
}

/// Evaluates condition text against the variables visible from a scope.
pub trait ConditionLanguage: Send + Sync {
    /// Whether `condition` holds.
    fn evaluate(&self, condition: &str, scope: &Scope) -> Result<bool, ConditionError>;
}

/// How many parsed conditions are kept.
const CACHE_LIMIT: usize = 4096;

/// The CACAO condition language of crate `stix-pattern`.
#[derive(Default)]
pub struct StixConditions {
    parsed: Mutex<HashMap<String, Arc<stix_pattern::condition::Condition>>>,
}

impl StixConditions {
    /// A language with an empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn parse(
        &self,
        condition: &str,
    ) -> Result<Arc<stix_pattern::condition::Condition>, ConditionError> {
        let mut cache = self
            .parsed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(parsed) = cache.get(condition) {
            return Ok(Arc::clone(parsed));
        }
        let parsed = stix_pattern::condition::Condition::parse(condition).map_err(|error| {
            ConditionError {
                condition: condition.to_owned(),
                message: error.to_string(),
            }
        })?;
        let parsed = Arc::new(parsed);
        // A long-lived engine sees many playbooks; the cache starts over rather than grow.
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(condition.to_owned(), Arc::clone(&parsed));
        Ok(parsed)
    }
}

impl ConditionLanguage for StixConditions {
    fn evaluate(&self, condition: &str, scope: &Scope) -> Result<bool, ConditionError> {
        let parsed = self.parse(condition)?;
        let snapshot = scope.snapshot();
        let variables = SnapshotVariables { snapshot };
        Ok(parsed.evaluate(&variables))
    }
}

/// A copy of the visible variables, so evaluation reads a consistent state without holding any
/// scope's lock.
struct SnapshotVariables {
    snapshot: indexmap::IndexMap<String, (String, Option<String>)>,
}

impl stix_pattern::condition::Variables for SnapshotVariables {
    fn lookup(&self, name: &str) -> Option<stix_pattern::condition::VariableValue<'_>> {
        let (variable_type, value) = self.snapshot.get(name)?;
        Some(stix_pattern::condition::VariableValue {
            variable_type: variable_type.as_str(),
            value: value.as_deref(),
        })
    }
}

//! Conditions of if-condition and while-condition steps, in the CACAO condition language (STIX
//! comparison expressions over variables, from crate `stix-pattern`).
//!
//! The engine evaluates conditions through the small [`ConditionLanguage`] trait so that the
//! interpreter does not depend on the parser's types; [`StixConditions`] is the implementation
//! every execution uses. Parsed conditions are cached by text, since a while loop evaluates the
//! same condition on every iteration.

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

/// The CACAO condition language of crate `stix-pattern`.
///
/// This branch is built while `stix-pattern` lands in parallel; until it is merged, evaluating a
/// condition fails the step with this explanation rather than guessing at the language.
#[derive(Debug, Default)]
pub struct StixConditions;

impl StixConditions {
    /// The language.
    pub fn new() -> Self {
        Self
    }
}

impl ConditionLanguage for StixConditions {
    fn evaluate(&self, condition: &str, _scope: &Scope) -> Result<bool, ConditionError> {
        Err(ConditionError {
            condition: condition.to_owned(),
            message:
                "the CACAO condition language (crate stix-pattern) is not merged into this build"
                    .into(),
        })
    }
}

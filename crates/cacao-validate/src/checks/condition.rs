//! `condition/syntax`: the `condition` of if-condition and while-condition steps must parse as a
//! CACAO condition (a STIX comparison expression over variables, CACAO 2.0 section 4.8), and its
//! literals and operators must suit the declared types of the variables they compare.
//!
//! Parsing and typing are the `stix-pattern` crate's condition language; this module maps its
//! byte offsets (inside the unescaped condition text) back to the file, through any JSON string
//! escapes, and reports variables the condition names but no scope declares.

use stix_pattern::condition::Condition;

use super::Context;
use crate::diagnostic::{Place, Rule};
use crate::graph::StepType;
use crate::json::{Document, NodeId, Span};

/// A condition that does not parse: the byte range inside the condition text and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConditionError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// The byte range of the character at `offset` (or the end of the text).
fn character_at(text: &str, offset: usize) -> (usize, usize) {
    let start = crate::json::floor_char_boundary(text, offset);
    let length = text[start..].chars().next().map_or(0, char::len_utf8);
    (start, start + length)
}

/// Parses a condition.
pub(crate) fn parse_condition(text: &str) -> Result<Condition, ConditionError> {
    if text.trim().is_empty() {
        return Err(ConditionError {
            start: 0,
            end: text.len(),
            message: "the condition is empty".to_owned(),
        });
    }
    Condition::parse(text).map_err(|error| {
        let (start, end) = character_at(text, error.offset);
        ConditionError {
            start,
            end,
            message: error.message,
        }
    })
}

/// The declared type of variable `name` for a step: its own variables first, then the
/// playbook's.
fn declared_type(
    document: &Document<'_>,
    root: NodeId,
    step: NodeId,
    name: &str,
) -> Option<String> {
    [
        document.get(step, "step_variables"),
        document.get(root, "playbook_variables"),
    ]
    .into_iter()
    .flatten()
    .find_map(|variables| document.get(variables, name))
    .and_then(|variable| document.get_str(variable, "type"))
    .map(str::to_owned)
}

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    let Some(workflow) = &context.workflow else {
        return;
    };
    let conditions: Vec<_> = workflow
        .steps
        .iter()
        .filter(|step| {
            matches!(
                step.step_type,
                StepType::IfCondition | StepType::WhileCondition
            )
        })
        .filter_map(|step| {
            document
                .get(step.node, "condition")
                .map(|node| (step.id, step.node, node))
        })
        .collect();

    for (id, step, node) in conditions {
        let Some(text) = document.as_str(node) else {
            continue;
        };
        let place = |start: usize, end: usize| {
            let source_start = document.source_offset_in_string(node, start);
            let source_end = document
                .source_offset_in_string(node, end)
                .max(source_start + 1)
                .min(document.span(node).end);
            Place::Inside(node, Span::new(source_start, source_end))
        };

        let condition = match parse_condition(text) {
            Ok(condition) => condition,
            Err(error) => {
                context.report(
                    Rule::ConditionSyntax,
                    place(error.start, error.end),
                    format!(
                        "the condition of step `{id}` does not parse: {}",
                        error.message
                    ),
                    "a condition is a STIX comparison such as `__count__:value > 3 AND __host__:value != '10.0.0.1'`",
                );
                continue;
            }
        };

        let root = context.root;
        for error in condition.check_types(&|name| declared_type(document, root, step, name)) {
            let (start, end) = character_at(text, error.offset);
            context.report(
                Rule::ConditionSyntax,
                place(start, end),
                format!(
                    "the condition of step `{id}` compares a value of the wrong type: {}",
                    error.message
                ),
                "compare each variable with a literal of its declared type (integers unquoted, strings in single quotes, addresses with ISSUBSET against CIDR blocks)",
            );
        }

        for name in condition.variables() {
            if declared_type(document, root, step, name).is_none()
                && document
                    .get(root, "playbook_variables")
                    .and_then(|variables| document.get(variables, name))
                    .is_none()
                && document
                    .get(step, "step_variables")
                    .and_then(|variables| document.get(variables, name))
                    .is_none()
            {
                let start = text.find(name).unwrap_or(0);
                context.report(
                    Rule::VariableUndefined,
                    place(start, start + name.len()),
                    format!("`{name}` is used but not declared in scope"),
                    format!("declare `{name}` with its type in `playbook_variables` (or in the step's `step_variables`)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_of_the_corpus_parse() {
        for text in [
            "__count__:value > 3 AND __host__:value != '10.0.0.1'",
            "[__x__:value = 'a(b']",
            "__service_up__:value = false AND __attempt__:value < 5",
            "(__a__:value = 'it\\'s') OR (__b__:value IN ('x', 'y'))",
        ] {
            assert!(
                parse_condition(text).is_ok(),
                "{text}: {:?}",
                parse_condition(text).err()
            );
        }
    }

    #[test]
    fn broken_conditions_say_where() {
        let error =
            parse_condition("(__count__:value > 3 AND __host__:value != '10.0.0.1'").unwrap_err();
        assert!(!error.message.is_empty());
        assert_eq!(error.start, 53, "the end of the input: {error:?}");
        assert!(parse_condition("__a__:value = 'open").is_err());
        assert!(parse_condition("__a__:value = 'x')").is_err());
        assert!(parse_condition("  ").is_err());
        assert!(parse_condition("__a__:value = \"x\"").is_err());
    }

    #[test]
    fn error_offsets_fall_on_character_boundaries() {
        assert_eq!(character_at("aé", 1), (1, 3));
        assert_eq!(character_at("a", 5), (1, 1));
    }
}

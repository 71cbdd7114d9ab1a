//! `condition/syntax`: the `condition` of if-condition and while-condition steps must parse.
//!
//! Conditions are STIX comparison expressions over variables (CACAO 2.0 section 4.8). This
//! module checks what every well-formed condition has: it is not empty, parentheses and square
//! brackets balance and nest, and single-quoted string literals are closed (`\'` and `\\` escape
//! inside them). The full STIX grammar and the typing of literals against the declared variable
//! types belong to the `stix-pattern` crate; [`parse_condition`] is the one place to call it
//! once it is available to this crate.

use super::Context;
use crate::diagnostic::{Place, Rule};
use crate::graph::StepType;
use crate::json::Span;

/// A condition that does not parse: the byte range inside the condition text and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConditionError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Checks the syntax of a condition.
pub(crate) fn parse_condition(text: &str) -> Result<(), ConditionError> {
    let error = |start: usize, end: usize, message: String| {
        Err(ConditionError {
            start,
            end,
            message,
        })
    };
    if text.trim().is_empty() {
        return error(0, text.len(), "the condition is empty".to_owned());
    }

    let mut open: Vec<(usize, char)> = Vec::new();
    let mut characters = text.char_indices().peekable();
    while let Some((offset, character)) = characters.next() {
        match character {
            '\'' => {
                let mut closed = false;
                while let Some((_, inner)) = characters.next() {
                    match inner {
                        '\\' => {
                            characters.next();
                        }
                        '\'' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return error(
                        offset,
                        text.len(),
                        "this string literal is never closed with `'`".to_owned(),
                    );
                }
            }
            '(' | '[' => open.push((offset, character)),
            ')' | ']' => {
                let expected = if character == ')' { '(' } else { '[' };
                match open.pop() {
                    Some((_, opening)) if opening == expected => {}
                    Some((opened, opening)) => {
                        return error(
                            offset,
                            offset + 1,
                            format!(
                                "`{character}` closes the `{opening}` opened at position {opened}"
                            ),
                        );
                    }
                    None => {
                        return error(
                            offset,
                            offset + 1,
                            format!("`{character}` has no matching `{expected}`"),
                        );
                    }
                }
            }
            '"' => {
                return error(
                    offset,
                    offset + 1,
                    "STIX string literals are written in single quotes, not double quotes"
                        .to_owned(),
                );
            }
            _ => {}
        }
    }
    if let Some((offset, opening)) = open.pop() {
        let closing = if opening == '(' { ')' } else { ']' };
        return error(
            offset,
            offset + 1,
            format!("this `{opening}` is never closed with `{closing}`"),
        );
    }
    Ok(())
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
                .map(|node| (step.id, node))
        })
        .collect();

    for (id, node) in conditions {
        let Some(text) = document.as_str(node) else {
            continue;
        };
        if let Err(error) = parse_condition(text) {
            let start = document.source_offset_in_string(node, error.start);
            let end = document
                .source_offset_in_string(node, error.end)
                .max(start + 1);
            context.report(
                Rule::ConditionSyntax,
                Place::Inside(node, Span::new(start, end.min(document.span(node).end))),
                format!("the condition of step `{id}` does not parse: {}", error.message),
                "a condition is a STIX comparison such as `__count__:value > 3 AND __host__:value != '10.0.0.1'`",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_conditions_parse() {
        for text in [
            "__count__:value > 3 AND __host__:value != '10.0.0.1'",
            "[__x__:value = 'a(b']",
            "(__a__:value = 'it\\'s') OR (__b__:value IN ('x', 'y'))",
        ] {
            assert_eq!(parse_condition(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn unbalanced_conditions_point_at_the_culprit() {
        let text = "(__count__:value > 3 AND __host__:value != '10.0.0.1'";
        let error = parse_condition(text).unwrap_err();
        assert_eq!(error.start, 0);
        assert!(error.message.contains("never closed"));

        let error = parse_condition("__a__:value = 'open").unwrap_err();
        assert_eq!(error.start, 14);
        let error = parse_condition("__a__:value = 'x')").unwrap_err();
        assert_eq!(error.start, 17);
        let error = parse_condition("[__a__:value = 'x')").unwrap_err();
        assert!(error.message.contains("closes the `[`"));
        assert!(parse_condition("  ").is_err());
        assert!(parse_condition("__a__:value = \"x\"").is_err());
    }
}

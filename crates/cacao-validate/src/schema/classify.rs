//! Turns schema errors into findings: one rule id, a message that names the bad value, a help
//! text. Errors that a semantic rule reports more precisely are dropped here (`None`):
//! - `not` in the start, end and common step schemas (`workflow/start-end-props` and
//!   `workflow/next-exclusive` say which property is wrong);
//! - the `cases` value patterns of switch steps (`id/format` and `workflow/dangling-ref`).

use super::evaluate::{ErrorKind, SchemaError};
use super::{SchemaId, SchemaSet, types};
use crate::checks::ids::identifier_problem;
use crate::checks::time::timestamp_problem;
use crate::checks::{describe, is_secret};
use crate::diagnostic::{Finding, Place, Rule};
use crate::json::{Document, Kind, NodeId};

pub(crate) fn classify(
    set: &SchemaSet,
    document: &Document<'_>,
    error: &SchemaError,
) -> Option<Finding> {
    let file = set.file_of(error.schema);
    let location = &set.node(error.schema).location;
    let node = error.node;

    if file == "workflows/switch-condition.json" && location.contains("/cases/") {
        return None;
    }

    match &error.kind {
        ErrorKind::Type { expected } => {
            Some(type_error(set, document, error.schema, node, *expected))
        }
        ErrorKind::Enum => Some(enum_error(set, document, error.schema, node)),
        ErrorKind::Required { index } => {
            let name = &set.node(error.schema).required[*index];
            Some(required_error(set, document, error.schema, node, name))
        }
        ErrorKind::RequiredOneOf { names, present } => {
            let list = names
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let message = if present.is_empty() {
                format!(
                    "{} needs exactly one of {list}, and has none",
                    object_name(document, node)
                )
            } else {
                format!(
                    "{} needs exactly one of {list}, but has {}",
                    object_name(document, node),
                    present
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            Some(Finding::new(
                Rule::SchemaRequired,
                object_place(document, node),
                message,
                format!("keep exactly one of {list}"),
            ))
        }
        ErrorKind::Unevaluated { member } => {
            Some(unknown_property(set, document, error.schema, node, *member))
        }
        ErrorKind::Minimum | ErrorKind::Maximum => {
            Some(range_error(set, document, error.schema, node))
        }
        ErrorKind::MinItems => Some(min_items_error(set, document, error.schema, node)),
        ErrorKind::MinProperties => Some(Finding::new(
            Rule::SchemaRange,
            Place::Node(node),
            format!("{} is an empty object", subject(document, node)),
            "add at least one entry, or remove the property",
        )),
        ErrorKind::Pattern => Some(pattern_error(set, document, error.schema, node)),
        ErrorKind::Not => None,
        ErrorKind::OneOfMany => Some(Finding::new(
            Rule::SchemaType,
            Place::Node(node),
            format!(
                "{} matches more than one of the allowed forms",
                subject(document, node)
            ),
            "make the value match exactly one form",
        )),
        ErrorKind::False => Some(Finding::new(
            Rule::SchemaUnknownProperty,
            Place::Node(node),
            format!("{} is not allowed here", subject(document, node)),
            "remove it",
        )),
    }
}

/// "`name`", "item 2 of `labels`" or "the document".
pub(crate) fn subject(document: &Document<'_>, node: NodeId) -> String {
    match document.parent(node) {
        None => "the document".to_owned(),
        Some(parent) if document.kind(parent) == Kind::Object => {
            let key = document
                .members(parent)
                .find(|member| member.value == node)
                .map_or("", |member| member.key);
            format!("`{key}`")
        }
        Some(parent) => {
            let index = document
                .items(parent)
                .position(|item| item == node)
                .unwrap_or(0);
            format!("item {index} of {}", subject(document, parent))
        }
    }
}

/// How to call an object in a message: "the playbook", "step `action--…`", "`address`".
fn object_name(document: &Document<'_>, node: NodeId) -> String {
    let Some(parent) = document.parent(node) else {
        return "the playbook".to_owned();
    };
    let key = || {
        document
            .members(parent)
            .find(|member| member.value == node)
            .map_or("", |member| member.key)
            .to_owned()
    };
    let container = document
        .parent(parent)
        .filter(|grandparent| *grandparent == document.root())
        .and_then(|_| {
            document
                .members(document.root())
                .find(|member| member.value == parent)
        })
        .map(|member| member.key);
    match container {
        Some("workflow") => format!("step `{}`", key()),
        Some("agent_definitions") => format!("agent `{}`", key()),
        Some("target_definitions") => format!("target `{}`", key()),
        Some("authentication_info_definitions") => {
            format!("authentication info `{}`", key())
        }
        Some("data_marking_definitions") => format!("marking `{}`", key()),
        Some("extension_definitions") => format!("extension definition `{}`", key()),
        _ if document.kind(parent) == Kind::Array => {
            let command_type = document.get_str(node, "type");
            match (subject(document, parent).as_str(), command_type) {
                ("`commands`", Some(command_type)) => format!("the `{command_type}` command"),
                (container, _) => format!("{} ({container})", subject(document, node)),
            }
        }
        _ => subject(document, node),
    }
}

/// An object is best pointed at by its key (one line) rather than its whole body.
fn object_place(document: &Document<'_>, node: NodeId) -> Place {
    match document.parent(node) {
        Some(parent) if document.kind(parent) == Kind::Object => {
            match document.member_index_of(parent, node) {
                Some(index) => Place::Inside(node, document.member(parent, index).key_span),
                None => Place::Node(node),
            }
        }
        _ => Place::Inside(
            node,
            crate::json::Span::new(document.span(node).start, document.span(node).start + 1),
        ),
    }
}

fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text
        .match_indices(". ")
        .map(|(index, _)| index + 1)
        .next()
        .unwrap_or(text.len());
    let sentence = text[..end].trim();
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => first
            .to_lowercase()
            .chain(chars)
            .collect::<String>()
            .trim_end_matches('.')
            .to_owned(),
        None => String::new(),
    }
}

fn type_error(
    set: &SchemaSet,
    document: &Document<'_>,
    schema: SchemaId,
    node: NodeId,
    expected: u8,
) -> Finding {
    let file = set.file_of(schema);
    let actual = document.kind(node).name();
    if document.parent(node).is_none() {
        return Finding::new(
            Rule::SchemaType,
            Place::Node(node),
            format!("the document is {actual}, but a CACAO playbook is a JSON object"),
            "a playbook file holds one object with `type`, `spec_version`, `id`, `workflow` and so on; `cacao new` writes one to start from",
        );
    }
    let what = match file {
        "data-types/identifier.json" => " (an identifier)",
        "data-types/timestamp.json" => " (a timestamp)",
        _ => "",
    };
    let expected_text = types::describe(expected);
    let value = describe(document, node);
    // The source text of the value, for examples in the help; never for secrets.
    let literal = (!is_secret(document, node))
        .then(|| document.source()[document.span(node).start..document.span(node).end].trim())
        .filter(|literal| literal.len() <= 80);
    let help = match literal {
        Some(literal) if expected & types::ARRAY != 0 && document.kind(node) != Kind::Array => {
            format!("write a list, for example [{literal}]")
        }
        Some(literal)
            if expected & types::STRING != 0
                && matches!(document.kind(node), Kind::Number | Kind::Bool) =>
        {
            format!("CACAO writes numbers and booleans in strings here: \"{literal}\"")
        }
        _ => format!("write {expected_text}{what}"),
    };
    Finding::new(
        Rule::SchemaType,
        Place::Node(node),
        format!(
            "{} must be {expected_text}{what}, not {actual} ({value})",
            subject(document, node)
        ),
        help,
    )
}

fn enum_error(set: &SchemaSet, document: &Document<'_>, schema: SchemaId, node: NodeId) -> Finding {
    let schema_node = set.node(schema);
    let allowed: Vec<String> = schema_node
        .enumeration
        .iter()
        .flatten()
        .chain(schema_node.constant.iter())
        .map(|literal| format!("`{}`", literal.display()))
        .collect();
    let shown = if allowed.len() > 12 {
        format!("{}, …", allowed[..12].join(", "))
    } else {
        allowed.join(", ")
    };
    let subject_text = subject(document, node);
    let message =
        if subject_text == "`type`" && set.file_of(schema) == "workflows/workflow-step.json" {
            format!("{} is not a workflow step type", describe(document, node))
        } else {
            format!(
                "{} is not an allowed value of {subject_text}",
                describe(document, node)
            )
        };
    let help = if allowed.len() == 1 {
        format!("the only allowed value is {shown}")
    } else {
        format!("use one of {shown}")
    };
    Finding::new(Rule::SchemaEnum, Place::Node(node), message, help)
}

fn required_error(
    set: &SchemaSet,
    document: &Document<'_>,
    schema: SchemaId,
    node: NodeId,
    name: &str,
) -> Finding {
    let file = set.file_of(schema);
    let object = object_name(document, node);
    if file.starts_with("commands/") && matches!(name, "command" | "command_b64" | "content_b64") {
        let what = match name {
            "command" if file.contains("http") => {
                "`command` (the HTTP start line, such as `POST /api HTTP/1.1`)"
            }
            "command" => "`command`",
            "content_b64" => "`content_b64` (the base64-encoded message body)",
            _ => "`command_b64` (the base64-encoded content)",
        };
        return Finding::new(
            Rule::CommandMissingContent,
            object_place(document, node),
            format!("{object} has no {what}"),
            format!("add {what}"),
        );
    }
    let description = set
        .property_description(schema, name)
        .map(first_sentence)
        .filter(|sentence| !sentence.is_empty());
    let help = match description {
        Some(sentence) => format!("add `{name}`: {sentence}"),
        None => format!("add `{name}`"),
    };
    Finding::new(
        Rule::SchemaRequired,
        object_place(document, node),
        format!("{object} is missing the required property `{name}`"),
        help,
    )
}

fn unknown_property(
    set: &SchemaSet,
    document: &Document<'_>,
    schema: SchemaId,
    object: NodeId,
    member: usize,
) -> Finding {
    let key = document.member(object, member).key;
    let owner = set
        .nodes
        .iter()
        .position(|node| {
            node.unevaluated_properties == Some(schema)
                || node.additional_properties == Some(schema)
        })
        .map(|index| index as SchemaId);

    if let Some(owner) = owner {
        let owner_node = set.node(owner);
        if owner_node.properties.is_empty() && !owner_node.pattern_properties.is_empty() {
            let patterns = owner_node
                .pattern_properties
                .iter()
                .map(|(pattern, _)| format!("`{}`", pattern.source))
                .collect::<Vec<_>>()
                .join(", ");
            return Finding::new(
                Rule::SchemaUnknownProperty,
                Place::Key(object, member),
                format!(
                    "`{key}` is not an allowed key in {}",
                    subject(document, object)
                ),
                format!("keys here must match {patterns}"),
            );
        }
    }

    let known = owner
        .map(|owner| set.known_properties(owner))
        .unwrap_or_default();
    // The distance is at least the difference in length, so names far longer or shorter
    // than the key are left out before the distance is computed.
    let key_length = key.chars().count();
    let suggestion = known
        .iter()
        .filter(|name| key_length.abs_diff(name.chars().count()) <= 2.max(name.len() / 4))
        .map(|name| (edit_distance(key, name), *name))
        .filter(|(distance, name)| *distance <= 2.max(name.len() / 4))
        .min();
    let help = match suggestion {
        Some((_, name)) => format!("did you mean `{name}`? CACAO property names are case-sensitive"),
        None => "remove it; data CACAO does not define belongs in an extension (an entry in `extension_definitions` and the matching `*_extensions` property)".to_owned(),
    };
    Finding::new(
        Rule::SchemaUnknownProperty,
        Place::Key(object, member),
        format!(
            "{} has the unknown property `{key}`",
            object_name(document, object)
        ),
        help,
    )
}

fn range_error(
    set: &SchemaSet,
    document: &Document<'_>,
    schema: SchemaId,
    node: NodeId,
) -> Finding {
    let schema_node = set.node(schema);
    let value = describe(document, node);
    let bounds = match (schema_node.minimum, schema_node.maximum) {
        (Some(minimum), Some(maximum)) => format!("from {minimum} to {maximum}"),
        (Some(minimum), None) => format!("of at least {minimum}"),
        (None, Some(maximum)) => format!("of at most {maximum}"),
        (None, None) => String::new(),
    };
    Finding::new(
        Rule::SchemaRange,
        Place::Node(node),
        format!(
            "{} is {value}, outside the allowed range",
            subject(document, node)
        ),
        format!("use a value {bounds}"),
    )
}

fn min_items_error(
    set: &SchemaSet,
    document: &Document<'_>,
    schema: SchemaId,
    node: NodeId,
) -> Finding {
    let minimum = set.node(schema).min_items.unwrap_or(1);
    let count = document.len(node);
    let file = set.file_of(schema);
    if file == "workflows/parallel.json" {
        let step = document
            .parent(node)
            .map_or_else(String::new, |step| object_name(document, step));
        return Finding::new(
            Rule::WorkflowParallelMin,
            Place::Node(node),
            format!(
                "{step} starts {count} branch{} in `next_steps`; a parallel step needs at least 2",
                if count == 1 { "" } else { "es" }
            ),
            "add the branches that run in parallel, or replace the parallel step by its single branch",
        );
    }
    Finding::new(
        Rule::SchemaRange,
        Place::Node(node),
        format!(
            "{} has {count} item{}, but needs at least {minimum}",
            subject(document, node),
            if count == 1 { "" } else { "s" }
        ),
        "add items, or remove the property (CACAO lists are never empty)",
    )
}

fn pattern_error(
    set: &SchemaSet,
    document: &Document<'_>,
    schema: SchemaId,
    node: NodeId,
) -> Finding {
    let file = set.file_of(schema);
    let text = document.as_str(node).unwrap_or_default();
    match file {
        "data-types/identifier.json" => {
            let reason = identifier_problem(text)
                .unwrap_or_else(|| "it does not have the form `object-type--UUID`".to_owned());
            Finding::new(
                Rule::IdFormat,
                Place::Node(node),
                format!(
                    "{} is not an identifier: {reason}",
                    describe(document, node)
                ),
                "an identifier is the object's type, two hyphens and an RFC 4122 UUID, such as `identity--8c6af861-7b20-41ef-9b59-6344fd872a8c`",
            )
        }
        "data-types/timestamp.json" => {
            let reason =
                timestamp_problem(text).unwrap_or_else(|| "it is not RFC 3339 in UTC".to_owned());
            Finding::new(
                Rule::TimeFormat,
                Place::Node(node),
                format!(
                    "{} is not a CACAO timestamp: {reason}",
                    describe(document, node)
                ),
                "write UTC with a `Z` and milliseconds, such as `2024-03-04T09:15:22.104Z`",
            )
        }
        _ => {
            let kind = document
                .parent(node)
                .and_then(|list| document.parent(list).map(|address| (list, address)))
                .and_then(|(list, address)| {
                    document
                        .members(address)
                        .find(|member| member.value == list)
                        .map(|member| member.key)
                })
                .unwrap_or("");
            let what = match kind {
                "ipv4" => "an IPv4 address",
                "ipv6" => "an IPv6 address",
                "l2mac" => "a MAC address (six hexadecimal pairs separated by `:`)",
                "url" => "a URL",
                _ => "in the required form",
            };
            Finding::new(
                Rule::SchemaType,
                Place::Node(node),
                format!("{} is not {what}", describe(document, node)),
                format!("write {what}, or a variable reference such as `__host__:value`"),
            )
        }
    }
}

/// Levenshtein distance, for "did you mean" (property names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    // Two rows, swapped after each character of `a`.
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(!ca.eq_ignore_ascii_case(cb));
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_finds_near_misses() {
        assert_eq!(
            edit_distance("playbook_extension", "playbook_extensions"),
            1
        );
        assert_eq!(edit_distance("onSuccess", "on_success"), 1);
        assert!(edit_distance("bogus", "workflow") > 3);
    }

    #[test]
    fn first_sentence_of_a_description() {
        assert_eq!(
            first_sentence("A name for this playbook. Playbook names often..."),
            "a name for this playbook"
        );
    }
}

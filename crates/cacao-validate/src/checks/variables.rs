//! Variable rules: names (`__name__`, a letter first, at most 250 characters), `external` only
//! on playbook variables, no `out_args` into constants, and references (`__name__:value` in any
//! string, `in_args`/`out_args`, `switch`) that resolve in scope.
//!
//! Scope (CACAO 2.0 section 10.18.1): playbook variables are visible everywhere; a step's
//! variables are visible in that step, its commands and the agents and targets it uses. An
//! agent, target or authentication object may be used by several steps, so a reference there is
//! accepted when any step declares the variable.

use std::sync::LazyLock;

use foldhash::{HashSet, HashSetExt};

use super::{Context, describe};
use crate::diagnostic::{Place, Rule};
use crate::json::{Document, Kind, NodeId, Span};

/// Searchers built once: building one per string costs more than searching a short string.
static VALUE_SUFFIX: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b":value"));

/// Why `name` is not a variable name, or `None` when it is one.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    if !name.starts_with("__") {
        return Some("it does not start with `__`".to_owned());
    }
    if name.len() < 5 || !name.ends_with("__") {
        return Some("it does not end with `__`".to_owned());
    }
    let inner = &name[2..name.len() - 2];
    let first = inner.chars().next().unwrap_or('_');
    if !first.is_ascii_alphabetic() {
        return Some(format!(
            "the first character after `__` must be a letter, not `{first}`"
        ));
    }
    if let Some(bad) = inner.chars().find(|character| {
        !(character.is_ascii_alphanumeric() || *character == '_' || *character == '-')
    }) {
        return Some(format!(
            "`{}` is not allowed; names use letters, digits, `_` and `-`",
            bad.escape_default()
        ));
    }
    if name.len() > 250 {
        return Some(format!(
            "it is {} characters long; at most 250 are allowed",
            name.len()
        ));
    }
    None
}

/// Every `__name__:value` in `text`: the byte range of the reference and the name (with its
/// underscores).
pub(crate) fn references(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let bytes = text.as_bytes();
    // The strings are short and colons rare: finding the colons costs less than a substring
    // search, whose setup dominates on short text.
    memchr::memchr_iter(b':', bytes).filter_map(move |colon| {
        if colon < 2 || &bytes[colon - 2..colon] != b"__" || !bytes[colon..].starts_with(b":value")
        {
            return None;
        }
        let suffix = colon - 2;
        let end = suffix + "__:value".len();

        let mut start = suffix;
        while start > 0
            && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'_' | b'-'))
        {
            start -= 1;
        }
        // The run is ASCII (letters, digits, `_` and `-`), so any offset in it is a boundary.
        let run = &text[start..suffix + 2];
        let opening = run.as_bytes().windows(2).position(|pair| pair == b"__")?;
        let name = &run[opening..];
        (name.len() >= 5 && name.as_bytes()[2].is_ascii_alphabetic()).then_some((
            start + opening,
            end,
            name,
        ))
    })
}

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    let playbook_variables = declared(context, context.root, "playbook_variables", false);
    let mut all_step_variables: HashSet<&str> = HashSet::new();
    // The source offsets of `:value` in the value being searched, one buffer for every search.
    let mut mentions = Vec::new();

    for (id, step) in context.steps() {
        let step_variables = declared(context, step, "step_variables", true);
        all_step_variables.extend(step_variables.iter().copied());
        let in_scope =
            |name: &str| playbook_variables.contains(&name) || step_variables.contains(&name);

        for key in ["in_args", "out_args"] {
            let Some(list) = document.get(step, key) else {
                continue;
            };
            for item in document.items(list) {
                let Some(name) = document.as_str(item) else {
                    continue;
                };
                if let Some(problem) = name_problem(name) {
                    context.report(
                        Rule::VariableName,
                        Place::Node(item),
                        format!("`{key}` of step `{id}` lists `{name}`, which is not a variable name: {problem}"),
                        "list variable names as declared, with their underscores, such as `__host__`",
                    );
                } else if !in_scope(name) {
                    context.report(
                        Rule::VariableUndefined,
                        Place::Node(item),
                        format!("`{key}` of step `{id}` lists `{name}`, which is declared neither in `playbook_variables` nor in the step's `step_variables`"),
                        format!("declare `{name}` with its type in `playbook_variables` or `step_variables`"),
                    );
                } else if key == "out_args" && is_constant(document, context.root, step, name) {
                    context.report(
                        Rule::VariableConstantAssigned,
                        Place::Node(item),
                        format!("`out_args` of step `{id}` assigns `{name}`, which is declared constant"),
                        format!("use another variable for the result, or drop `\"constant\": true` from `{name}`"),
                    );
                }
            }
        }

        if let Some(switch) = document.get(step, "switch")
            && let Some(text) = document.as_str(switch)
            && name_problem(text).is_none()
            && !in_scope(text)
        {
            undefined(context, switch, Span::new(0, text.len()), text);
        }

        for_each_string(document, step, &mut mentions, &mut |node| {
            check_references_in(context, node, &in_scope)
        });
    }

    let step_variables = all_step_variables;
    for property in [
        "agent_definitions",
        "target_definitions",
        "authentication_info_definitions",
    ] {
        for definition in context.definitions(property) {
            let in_scope =
                |name: &str| playbook_variables.contains(&name) || step_variables.contains(name);
            for_each_string(document, definition.node, &mut mentions, &mut |node| {
                check_references_in(context, node, &in_scope)
            });
        }
    }
}

/// The names declared in `owner[property]`, reporting bad names and misplaced `external`.
fn declared<'d>(
    context: &mut Context<'d>,
    owner: NodeId,
    property: &str,
    step_scope: bool,
) -> Vec<&'d str> {
    let document = context.document;
    let Some(dictionary) = document.get(owner, property) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for (member, entry) in document.members(dictionary).enumerate() {
        names.push(entry.key);
        if let Some(problem) = name_problem(entry.key) {
            context.report(
                Rule::VariableName,
                Place::Key(dictionary, member),
                format!("`{}` is not a valid variable name: {problem}", entry.key),
                "a variable name is `__`, a letter, then letters, digits, `_` or `-`, then `__`, such as `__second_host__`",
            );
        }
        if step_scope
            && let Some(external) = document.get(entry.value, "external")
            && document.as_bool(external) == Some(true)
        {
            context.report(
                Rule::VariableExternalScope,
                Place::Node(external),
                format!("step variable `{}` is marked `external`; only playbook variables can be passed in from outside", entry.key),
                format!("declare `{}` in `playbook_variables` to receive it from the caller, or remove `external`", entry.key),
            );
        }
    }
    names
}

fn is_constant(document: &Document<'_>, root: NodeId, step: NodeId, name: &str) -> bool {
    let variable = document
        .get(step, "step_variables")
        .and_then(|variables| document.get(variables, name))
        .or_else(|| {
            document
                .get(root, "playbook_variables")
                .and_then(|variables| document.get(variables, name))
        });
    variable
        .and_then(|variable| document.get(variable, "constant"))
        .and_then(|constant| document.as_bool(constant))
        == Some(true)
}

/// Calls `visit` with every string value below `node` that mentions `:value` (keys excluded).
/// Depth is bounded by the parser. `mentions` is scratch space, reused from call to call.
fn for_each_string(
    document: &Document<'_>,
    node: NodeId,
    mentions: &mut Vec<usize>,
    visit: &mut dyn FnMut(NodeId),
) {
    let span = document.span(node);
    let text = &document.source().as_bytes()[span.start..span.end];
    if memchr::memchr(b'\\', text).is_some() {
        for_each_decoded_string(document, node, visit);
        return;
    }

    // Without escapes every string reads as written, so one search of the source finds every
    // mention, and a value mentions `:value` exactly when a mention lies inside its span.
    mentions.clear();
    mentions.extend(
        VALUE_SUFFIX
            .find_iter(text)
            .map(|offset| span.start + offset),
    );
    if !mentions.is_empty() {
        visit_mentioning(document, node, mentions, visit);
    }
}

/// [`for_each_string`] below `node`, given the source offsets of the mentions inside its span.
fn visit_mentioning(
    document: &Document<'_>,
    node: NodeId,
    mentions: &[usize],
    visit: &mut dyn FnMut(NodeId),
) {
    let mut visit_child = |child: NodeId| {
        let inside = mentions_inside(mentions, document.span(child));
        if !inside.is_empty() {
            visit_mentioning(document, child, inside, visit);
        }
    };
    match document.kind(node) {
        Kind::String => visit(node),
        Kind::Array => document.items(node).for_each(&mut visit_child),
        Kind::Object => document
            .member_digests(node)
            .for_each(|(_, value)| visit_child(value)),
        _ => {}
    }
}

/// The mentions (sorted source offsets of `:value`) that lie wholly inside `span`.
fn mentions_inside(mentions: &[usize], span: Span) -> &[usize] {
    let first = mentions.partition_point(|&offset| offset < span.start);
    let end = mentions.partition_point(|&offset| offset + ":value".len() <= span.end);
    &mentions[first..end.max(first)]
}

/// [`for_each_string`] for values with escapes, which could spell `:value` differently: each
/// string is read unescaped.
fn for_each_decoded_string(document: &Document<'_>, node: NodeId, visit: &mut dyn FnMut(NodeId)) {
    match document.kind(node) {
        Kind::String
            if document
                .as_str(node)
                .is_some_and(|text| VALUE_SUFFIX.find(text.as_bytes()).is_some()) =>
        {
            visit(node);
        }
        Kind::Array if may_mention_value(document, node) => {
            for item in document.items(node) {
                for_each_decoded_string(document, item, visit);
            }
        }
        Kind::Object if may_mention_value(document, node) => {
            for (_, value) in document.member_digests(node) {
                for_each_decoded_string(document, value, visit);
            }
        }
        _ => {}
    }
}

/// Whether a string inside `node` may mention `:value`: its source text does, or has an escape
/// (which could spell it differently). Most steps mention no variable, and one search of their
/// text costs less than visiting every string in them.
fn may_mention_value(document: &Document<'_>, node: NodeId) -> bool {
    let span = document.span(node);
    let text = &document.source().as_bytes()[span.start..span.end];
    VALUE_SUFFIX.find(text).is_some() || memchr::memchr(b'\\', text).is_some()
}

fn check_references_in(context: &mut Context<'_>, node: NodeId, in_scope: &dyn Fn(&str) -> bool) {
    let document = context.document;
    let Some(text) = document.as_str(node) else {
        return;
    };
    for (start, end, name) in references(text) {
        if !in_scope(name) {
            undefined(context, node, Span::new(start, end), name);
        }
    }
}

fn undefined(context: &mut Context<'_>, node: NodeId, inside: Span, name: &str) {
    let document = context.document;
    let start = document.source_offset_in_string(node, inside.start);
    let end = document.source_offset_in_string(node, inside.end);
    let _ = describe;
    context.report(
        Rule::VariableUndefined,
        Place::Inside(node, Span::new(start, end)),
        format!("`{name}` is used but not declared in scope"),
        format!("declare `{name}` with its type in `playbook_variables` (or in the step's `step_variables`)"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        assert_eq!(name_problem("__attacker_ip__"), None);
        assert_eq!(name_problem("__a-b_C9__"), None);
        assert!(name_problem("__2nd_host__").unwrap().contains("letter"));
        assert!(name_problem("attacker").unwrap().contains("start"));
        assert!(name_problem("__host").unwrap().contains("end"));
        assert!(name_problem("__ho.st__").unwrap().contains("`.`"));
        assert!(
            name_problem(&format!("__{}__", "a".repeat(250)))
                .unwrap()
                .contains("250")
        );
    }

    /// The strings of `source` that `for_each_string` visits, in order.
    fn visited_strings(source: &[u8]) -> Vec<String> {
        let document = Document::parse(source).unwrap();
        let mut visited = Vec::new();
        for_each_string(&document, document.root(), &mut Vec::new(), &mut |node| {
            visited.push(document.as_str(node).unwrap_or_default().to_owned());
        });
        visited
    }

    #[test]
    fn strings_are_visited_when_only_an_escape_spells_value() {
        let source =
            br#"{"a": {"b": ["__x__\u003avalue", "plain"]}, "c": {"d": "none"}, "e": ":value"}"#;
        assert_eq!(visited_strings(source), ["__x__:value", ":value"]);
    }

    #[test]
    fn strings_are_visited_where_the_source_mentions_value() {
        let source =
            br#"{"a:value": {"b": ["__x__:value", "plain"]}, "c": {"d": 1}, "e": ":value"}"#;
        assert_eq!(visited_strings(source), ["__x__:value", ":value"]);
    }

    #[test]
    fn references_are_found_inside_text() {
        let text = "grep __attacker_ip__:value file__x__:value __2bad__:value __:value";
        let names: Vec<&str> = references(text).map(|(_, _, name)| name).collect();
        assert_eq!(names, ["__attacker_ip__", "__x__"]);
        let (start, end, _) = references(text).next().unwrap();
        assert_eq!(&text[start..end], "__attacker_ip__:value");
    }
}

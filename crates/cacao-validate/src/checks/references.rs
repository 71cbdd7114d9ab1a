//! Cross-references to the playbook's definition dictionaries: agents, targets,
//! authentication information, data markings and extensions must be defined where CACAO says;
//! TLP markings should be the TC's official objects; industry sectors and external references
//! used anywhere must also be listed at the top level.

use super::ids::{parse_identifier, same_uuid_key};
use super::{Context, describe};
use crate::diagnostic::{Finding, Place, Rule, Severity};
use crate::json::{Document, Kind, NodeId};

enum Resolution<'d> {
    Found,
    SameUuid(&'d str),
    Missing,
    Malformed,
}

fn resolve<'d>(
    document: &'d Document<'d>,
    dictionary: Option<NodeId>,
    reference: &str,
) -> Resolution<'d> {
    if parse_identifier(reference).is_none() {
        return Resolution::Malformed;
    }
    let Some(dictionary) = dictionary else {
        return Resolution::Missing;
    };
    if document.get(dictionary, reference).is_some() {
        return Resolution::Found;
    }
    match same_uuid_key(document, dictionary, reference) {
        Some(key) => Resolution::SameUuid(key),
        None => Resolution::Missing,
    }
}

pub(crate) fn check(context: &mut Context<'_>) {
    check_agents_and_targets(context);
    check_authentication_info(context);
    check_markings(context);
    check_extensions(context);
    check_official_tlp(context);
    check_sectors(context);
    check_external_references(context);
}

/// Reports `reference` at `node` when it does not resolve in `property`.
fn expect_defined(
    context: &mut Context<'_>,
    node: NodeId,
    property: &str,
    rule: Rule,
    what: &dyn Fn() -> String,
    other: Option<(&str, &str)>,
) {
    let document = context.document;
    let Some(reference) = document.as_str(node) else {
        return;
    };
    let dictionary = document.get(context.root, property);
    let resolution = resolve(document, dictionary, reference);
    if matches!(resolution, Resolution::Found | Resolution::Malformed) {
        return;
    }
    let what = what();
    match resolution {
        Resolution::Found | Resolution::Malformed => {}
        Resolution::SameUuid(key) => context.report(
            Rule::IdPrefixMismatch,
            Place::Node(node),
            format!("{what} `{reference}`, which is not in `{property}`; `{key}` has the same UUID with another type prefix"),
            format!("write `{key}`: a reference repeats the key exactly"),
        ),
        Resolution::Missing => {
            let defined_elsewhere = other.filter(|(other_property, _)| {
                document
                    .get(context.root, other_property)
                    .and_then(|dictionary| document.get(dictionary, reference))
                    .is_some()
            });
            let message = match defined_elsewhere {
                Some((other_property, _)) => format!("{what} `{reference}`, which is defined in `{other_property}` but not in `{property}`"),
                None => format!("{what} `{reference}`, which is not defined in `{property}`"),
            };
            let help = match defined_elsewhere {
                Some((_, role)) => format!("add the object to `{property}` as well; the same object may serve as {role}"),
                None => {
                    let known: Vec<String> = dictionary
                        .map(|dictionary| {
                            document
                                .members(dictionary)
                                .take(3)
                                .map(|member| format!("`{}`", member.key))
                                .collect()
                        })
                        .unwrap_or_default();
                    if known.is_empty() {
                        format!("define it in `{property}`")
                    } else {
                        format!("define it in `{property}`, or use a defined one such as {}", known.join(", "))
                    }
                }
            };
            context.report(rule, Place::Node(node), message, help);
        }
    }
}

fn check_agents_and_targets(context: &mut Context<'_>) {
    let document = context.document;
    for (id, step) in context.steps() {
        if let Some(agent) = document.get(step, "agent") {
            expect_defined(
                context,
                agent,
                "agent_definitions",
                Rule::RefAgent,
                &|| format!("step `{id}` uses the agent"),
                Some(("target_definitions", "agent and target")),
            );
        }
        if let Some(targets) = document.get(step, "targets") {
            for target in document.items(targets) {
                expect_defined(
                    context,
                    target,
                    "target_definitions",
                    Rule::RefTarget,
                    &|| format!("step `{id}` uses the target"),
                    Some(("agent_definitions", "agent and target")),
                );
            }
        }
    }
}

fn check_authentication_info(context: &mut Context<'_>) {
    let document = context.document;
    for property in ["agent_definitions", "target_definitions"] {
        for definition in context.definitions(property) {
            if let Some(node) = document.get(definition.node, "authentication_info") {
                expect_defined(
                    context,
                    node,
                    "authentication_info_definitions",
                    Rule::RefAuthInfo,
                    &|| format!("`{}` uses the authentication info", definition.key),
                    None,
                );
            }
        }
    }
}

fn check_markings(context: &mut Context<'_>) {
    let document = context.document;
    let mut lists: Vec<(NodeId, String)> = Vec::new();
    if let Some(list) = document.get(context.root, "markings") {
        lists.push((list, "the playbook is marked with".to_owned()));
    }
    for definition in context.definitions("data_marking_definitions") {
        if let Some(list) = document.get(definition.node, "markings") {
            lists.push((
                list,
                format!("the marking `{}` is marked with", definition.key),
            ));
        }
    }
    for (list, what) in lists {
        for item in document.items(list) {
            expect_defined(
                context,
                item,
                "data_marking_definitions",
                Rule::RefMarking,
                &|| what.clone(),
                None,
            );
        }
    }
}

fn check_extensions(context: &mut Context<'_>) {
    let document = context.document;
    let definitions = document.get(context.root, "extension_definitions");
    for (dictionary, member) in context.extension_entries() {
        let key = document.member(dictionary, member).key;
        let Some((prefix, _)) = parse_identifier(key) else {
            continue;
        };
        if prefix != "extension-definition" {
            continue;
        }
        if definitions
            .and_then(|definitions| document.get(definitions, key))
            .is_none()
        {
            context.report(
                Rule::RefExtension,
                Place::Key(dictionary, member),
                format!("the extension `{key}` is not defined in `extension_definitions`"),
                "add its extension definition (name, created_by, schema, version) to `extension_definitions`",
            );
        }
    }
}

fn check_official_tlp(context: &mut Context<'_>) {
    let document = context.document;
    for definition in context.definitions("data_marking_definitions") {
        if document.get_str(definition.node, "type") != Some("marking-tlp") {
            continue;
        }
        let level_node = document.get(definition.node, "tlpv2_level");
        let level = level_node.and_then(|node| document.as_str(node));
        match cacao_model::DataMarking::official_tlp_level(definition.key) {
            Some(official) => {
                if let (Some(level), Some(level_node)) = (level, level_node)
                    && level != official
                {
                    context.report(
                        Rule::RefMarking,
                        Place::Node(level_node),
                        format!("`{}` is the official {official} marking, but its `tlpv2_level` is `{level}`", definition.key),
                        official_help(level),
                    );
                }
            }
            None => {
                let Some(level) =
                    level.filter(|level| cacao_model::DataMarking::official_tlp(level).is_some())
                else {
                    continue;
                };
                context.push(
                    Finding::new(
                        Rule::RefMarking,
                        definition.key_place(),
                        format!(
                            "the {level} marking `{}` is not the official {level} marking object",
                            definition.key
                        ),
                        official_help(level),
                    )
                    .with_severity(Severity::Warning),
                );
            }
        }
    }
}

fn official_help(level: &str) -> String {
    match cacao_model::DataMarking::official_tlp(level) {
        Some(official) => format!(
            "use the TC's official {level} object: id `{}`, created_by `{}`, created `{}`",
            official.id, official.created_by, official.created
        ),
        None => "use one of the TC's official TLP marking objects".to_owned(),
    }
}

fn check_sectors(context: &mut Context<'_>) {
    let document = context.document;
    let listed: Vec<&str> = document
        .get(context.root, "industry_sectors")
        .map(|list| {
            document
                .items(list)
                .filter_map(|item| document.as_str(item))
                .collect()
        })
        .unwrap_or_default();
    for property in ["agent_definitions", "target_definitions"] {
        for definition in context.definitions(property) {
            let Some(node) = document.get(definition.node, "sector") else {
                continue;
            };
            let Some(sector) = document.as_str(node) else {
                continue;
            };
            if !listed.contains(&sector) {
                context.push(
                    Finding::new(
                        Rule::SchemaRequired,
                        Place::Node(node),
                        format!("the industry sector `{sector}` of `{}` is not listed in the playbook's `industry_sectors`", definition.key),
                        "add it to `industry_sectors`: CACAO wants every sector used in the playbook listed there",
                    )
                    .with_severity(Severity::Warning),
                );
            }
        }
    }
}

/// An external reference as a comparable value: its string members, sorted.
fn reference_key<'d>(document: &'d Document<'d>, node: NodeId) -> Vec<(&'d str, &'d str)> {
    let mut members: Vec<(&str, &str)> = document
        .members(node)
        .filter_map(|member| {
            document
                .as_str(member.value)
                .map(|value| (member.key, value))
        })
        .collect();
    members.sort_unstable();
    members
}

fn check_external_references(context: &mut Context<'_>) {
    let document = context.document;
    let listed: Vec<Vec<(&str, &str)>> = document
        .get(context.root, "external_references")
        .map(|list| {
            document
                .items(list)
                .map(|item| reference_key(document, item))
                .collect()
        })
        .unwrap_or_default();

    let mut used: Vec<(NodeId, String)> = Vec::new();
    for (id, step) in context.steps() {
        if let Some(list) = document.get(step, "external_references") {
            used.extend(
                document
                    .items(list)
                    .map(|item| (item, format!("step `{id}`"))),
            );
        }
        if let Some(commands) = document.get(step, "commands") {
            for command in document.items(commands) {
                if let Some(list) = document.get(command, "external_references") {
                    used.extend(
                        document
                            .items(list)
                            .map(|item| (item, format!("a command of step `{id}`"))),
                    );
                }
            }
        }
    }
    for (item, owner) in used {
        if document.kind(item) != Kind::Object || listed.contains(&reference_key(document, item)) {
            continue;
        }
        let name = document.get(item, "name").map_or_else(
            || "an external reference".to_owned(),
            |name| format!("the external reference {}", describe(document, name)),
        );
        context.push(
            Finding::new(
                Rule::SchemaRequired,
                Place::Node(item),
                format!("{name} of {owner} is not listed in the playbook's `external_references`"),
                "copy it into the top-level `external_references`: CACAO wants every external reference used in the playbook listed there",
            )
            .with_severity(Severity::Warning),
        );
    }
}

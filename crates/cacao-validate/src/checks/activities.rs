//! `activity/unreflected`: every activity in `playbook_activities` is carried by some command
//! (`playbook_activity`), a playbook whose `playbook_types` come from the vocabulary lists at
//! least one activity, and each such type lists the activity CACAO says it must use
//! (section 3.1.2). All are warnings: real playbooks often leave activities out.

use foldhash::{HashSet, HashSetExt};

use super::Context;
use crate::diagnostic::{Place, Rule};

/// Playbook types from `playbook-type-ov` and the activity each MUST be used with.
const REQUIRED_ACTIVITY: &[(&str, &str)] = &[
    ("notification", "compose-content"),
    ("detection", "match-indicator"),
    ("investigation", "identify-indicators"),
    ("prevention", "configure-systems"),
    ("mitigation", "eliminate-risk"),
    ("remediation", "restore-capabilities"),
    ("attack", "step-sequence"),
    ("engagement", "prepare-engagement"),
];

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    let mut carried: HashSet<&str> = HashSet::new();
    for (_, step) in context.steps() {
        if let Some(commands) = document.get(step, "commands") {
            for command in document.items(commands) {
                if let Some(activity) = document.get_str(command, "playbook_activity") {
                    carried.insert(activity);
                }
            }
        }
    }

    let activities_node = document.get(context.root, "playbook_activities");
    let listed: Vec<&str> = activities_node
        .map(|list| {
            document
                .items(list)
                .filter_map(|item| document.as_str(item))
                .collect()
        })
        .unwrap_or_default();
    if let Some(list) = activities_node {
        for item in document.items(list) {
            let Some(activity) = document.as_str(item) else {
                continue;
            };
            if !carried.contains(activity) {
                context.report(
                    Rule::ActivityUnreflected,
                    Place::Node(item),
                    format!("`playbook_activities` lists `{activity}`, but no command has `\"playbook_activity\": \"{activity}\"`"),
                    "set `playbook_activity` on the command that performs it, or remove it from `playbook_activities`",
                );
            }
        }
    }

    let Some(types) = document.get(context.root, "playbook_types") else {
        return;
    };
    for item in document.items(types) {
        let Some(playbook_type) = document.as_str(item) else {
            continue;
        };
        let Some((_, required)) = REQUIRED_ACTIVITY
            .iter()
            .find(|(known, _)| *known == playbook_type)
        else {
            continue;
        };
        if activities_node.is_none() {
            context.report(
                Rule::ActivityUnreflected,
                Place::Node(item),
                format!("`playbook_types` lists `{playbook_type}`, but the playbook has no `playbook_activities`"),
                format!("add `playbook_activities` with the activities the playbook performs, at least `{required}`"),
            );
            return;
        }
        if !listed.contains(required) {
            context.report(
                Rule::ActivityUnreflected,
                Place::Node(item),
                format!("a `{playbook_type}` playbook must list the activity `{required}` in `playbook_activities`"),
                format!("add `{required}` to `playbook_activities` (and to the command that performs it)"),
            );
        }
    }
}

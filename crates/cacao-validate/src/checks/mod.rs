//! The semantic pass: every rule of CACAO 2.0 that the JSON schemas cannot express (MODEL.md
//! section 14), run over the raw [`Document`] so that broken playbooks are still checked in full.
//!
//! One module per concern; each adds [`Finding`]s to the shared [`Context`]. The checks never
//! assume the schema pass succeeded: every lookup tolerates missing properties and wrong types
//! (those are the schema pass's findings).

pub(crate) mod activities;
pub(crate) mod auth;
pub(crate) mod commands;
pub(crate) mod condition;
pub(crate) mod extensions;
pub(crate) mod ids;
pub(crate) mod markings;
pub(crate) mod references;
pub(crate) mod time;
pub(crate) mod variables;
pub(crate) mod workflow;

use std::rc::Rc;

use crate::diagnostic::{Finding, Place, Rule};
use crate::graph::Workflow;
use crate::json::{Document, KeyDigest, Kind, NodeId};

/// Property names whose values are secrets: never quoted in messages, masked in source lines.
pub const SECRET_KEYS: &[&str] = &["password", "token", "oauth_header", "private_key"];

/// What every check reads and writes.
pub(crate) struct Context<'d> {
    pub document: &'d Document<'d>,
    pub root: NodeId,
    pub workflow: Option<Workflow<'d>>,
    pub findings: Vec<Finding>,
    /// The step objects, listed once for all checks (shared, so that a check can report
    /// while it walks them without copying the list).
    steps: Rc<[(&'d str, NodeId)]>,
    /// Every member of every `*_extensions` dictionary (see [`ids::extension_dictionaries`]),
    /// listed once for the three checks that read them.
    extension_entries: Rc<[(NodeId, usize)]>,
}

impl<'d> Context<'d> {
    pub fn report(
        &mut self,
        rule: Rule,
        place: Place,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.findings.push(Finding::new(rule, place, message, help));
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// The members of a top-level dictionary such as `agent_definitions` (none when absent),
    /// read as they are visited rather than collected, which would cost an allocation per call.
    pub fn definitions(&self, property: &str) -> impl Iterator<Item = Definition<'d>> + use<'d> {
        let document = self.document;
        document
            .get(self.root, property)
            .into_iter()
            .flat_map(move |dictionary| {
                document
                    .members(dictionary)
                    .enumerate()
                    .map(move |(member, entry)| Definition {
                        dictionary,
                        member,
                        key: entry.key,
                        node: entry.value,
                    })
            })
    }

    /// The step objects of the workflow, with their ids.
    pub fn steps(&self) -> impl Iterator<Item = (&'d str, NodeId)> + use<'d> {
        let steps = Rc::clone(&self.steps);
        (0..steps.len()).map(move |index| steps[index])
    }

    /// Every member of every `*_extensions` dictionary: (dictionary, member index).
    pub fn extension_entries(&self) -> impl Iterator<Item = (NodeId, usize)> + use<> {
        let entries = Rc::clone(&self.extension_entries);
        (0..entries.len()).map(move |index| entries[index])
    }
}

/// One entry of a dictionary keyed by identifiers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Definition<'d> {
    pub dictionary: NodeId,
    pub member: usize,
    pub key: &'d str,
    pub node: NodeId,
}

impl Definition<'_> {
    pub fn key_place(&self) -> Place {
        Place::Key(self.dictionary, self.member)
    }
}

/// Runs every semantic check.
pub(crate) fn run(document: &Document<'_>) -> Vec<Finding> {
    let root = document.root();
    if document.kind(root) != Kind::Object {
        return Vec::new();
    }
    let workflow = Workflow::from_document(document);
    let steps = workflow
        .iter()
        .flat_map(|workflow| workflow.steps.iter())
        .filter(|step| document.kind(step.node) == Kind::Object)
        .map(|step| (step.id, step.node))
        .collect();
    let mut context = Context {
        document,
        root,
        workflow,
        findings: Vec::new(),
        steps,
        extension_entries: Rc::new([]),
    };
    context.extension_entries = ids::extension_dictionaries(&context).into();

    ids::check(&mut context);
    time::check(&mut context);
    workflow::check(&mut context);
    references::check(&mut context);
    commands::check(&mut context);
    variables::check(&mut context);
    condition::check(&mut context);
    markings::check(&mut context);
    auth::check(&mut context);
    extensions::check(&mut context);
    activities::check(&mut context);
    context.findings
}

/// A short rendering of a value for messages: strings in backticks (shortened), other values by
/// kind. Secrets are never shown.
pub(crate) fn describe(document: &Document<'_>, node: NodeId) -> String {
    if is_secret(document, node) {
        return "a secret value (not shown)".to_owned();
    }
    match document.kind(node) {
        Kind::String => {
            let text = document.as_str(node).unwrap_or_default();
            let shortened: String = text.chars().take(80).collect();
            let ellipsis = if shortened.len() < text.len() {
                "…"
            } else {
                ""
            };
            format!("`{}{ellipsis}`", shortened.replace(['\n', '\r'], " "))
        }
        Kind::Number => format!("`{}`", document.number_text(node).unwrap_or_default()),
        Kind::Bool => format!("`{}`", document.as_bool(node).unwrap_or_default()),
        Kind::Null => "`null`".to_owned(),
        Kind::Array => "an array".to_owned(),
        Kind::Object => "an object".to_owned(),
    }
}

/// Whether `node` is the value of a secret property (see [`SECRET_KEYS`]).
pub(crate) fn is_secret(document: &Document<'_>, node: NodeId) -> bool {
    document.parent(node).is_some_and(|parent| {
        document.kind(parent) == Kind::Object
            && document
                .members(parent)
                .any(|member| member.value == node && SECRET_KEYS.contains(&member.key))
    })
}

/// The spans of every secret value in the document, to be masked when source lines are shown.
pub fn secret_spans(document: &Document<'_>) -> Vec<crate::json::Span> {
    // Keys are compared by digest, so that the keys of the whole document need not be read.
    let digests: [KeyDigest; SECRET_KEYS.len()] =
        std::array::from_fn(|index| KeyDigest::of(SECRET_KEYS[index].as_bytes()));
    let mut spans = Vec::new();
    for index in 0..document.node_count() {
        let node = crate::json::NodeId::from_index(index);
        if document.kind(node) == Kind::Object {
            for (member, (digest, value)) in document.member_digests(node).enumerate() {
                let is_secret = digests.iter().zip(SECRET_KEYS).any(|(secret, key)| {
                    *secret == digest
                        && (digest.is_exact() || document.member(node, member).key == *key)
                });
                if is_secret && document.kind(value) == Kind::String {
                    spans.push(document.span(value));
                }
            }
        }
    }
    spans
}

/// "step `action--…` (\"Block the IP\")".
pub(crate) fn step_label(id: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("`{id}` (\"{name}\")"),
        None => format!("`{id}`"),
    }
}

//! The workflow as a graph: steps, their types and every labelled edge between them.
//!
//! Read leniently from the raw [`Document`], so that it exists for broken playbooks too: the
//! workflow rules use it to find dangling references, loops and branches without an end, and
//! `cacao graph` draws it. A step is a member of the `workflow` object; an edge is a string in
//! one of the step's pointer properties (`on_completion`, `on_success`, `on_failure`, and the
//! branch properties of the branching step types).

use std::ops::Range;

use foldhash::HashMap;

use crate::json::{Document, KeyDigest, Kind, NodeId};

/// The type of a workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepType {
    /// `start`
    Start,
    /// `end`
    End,
    /// `action`
    Action,
    /// `playbook-action`
    PlaybookAction,
    /// `parallel`
    Parallel,
    /// `if-condition`
    IfCondition,
    /// `while-condition`
    WhileCondition,
    /// `switch-condition`
    SwitchCondition,
    /// A missing or unknown type.
    Unknown,
}

impl StepType {
    /// The type of a step from its `type` property.
    pub fn from_name(name: Option<&str>) -> Self {
        match name {
            Some("start") => StepType::Start,
            Some("end") => StepType::End,
            Some("action") => StepType::Action,
            Some("playbook-action") => StepType::PlaybookAction,
            Some("parallel") => StepType::Parallel,
            Some("if-condition") => StepType::IfCondition,
            Some("while-condition") => StepType::WhileCondition,
            Some("switch-condition") => StepType::SwitchCondition,
            _ => StepType::Unknown,
        }
    }

    /// The CACAO name of the type.
    pub fn name(self) -> &'static str {
        match self {
            StepType::Start => "start",
            StepType::End => "end",
            StepType::Action => "action",
            StepType::PlaybookAction => "playbook-action",
            StepType::Parallel => "parallel",
            StepType::IfCondition => "if-condition",
            StepType::WhileCondition => "while-condition",
            StepType::SwitchCondition => "switch-condition",
            StepType::Unknown => "unknown",
        }
    }

    /// Whether the step opens branches that must each end at their own end step.
    pub fn is_branching(self) -> bool {
        matches!(
            self,
            StepType::Parallel
                | StepType::IfCondition
                | StepType::WhileCondition
                | StepType::SwitchCondition
        )
    }
}

/// Which property an edge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind<'d> {
    /// `on_completion`
    OnCompletion,
    /// `on_success`
    OnSuccess,
    /// `on_failure`
    OnFailure,
    /// `on_true` of an if or while step
    OnTrue,
    /// `on_false` of an if step
    OnFalse,
    /// Entry `index` of a parallel step's `next_steps`
    NextStep(usize),
    /// The case with this key of a switch step
    Case(&'d str),
}

impl EdgeKind<'_> {
    /// Whether the edge opens a branch (rather than continuing after the step).
    pub fn is_branch(self) -> bool {
        !matches!(
            self,
            EdgeKind::OnCompletion | EdgeKind::OnSuccess | EdgeKind::OnFailure
        )
    }

    /// The label to draw on the edge.
    pub fn label(self) -> String {
        match self {
            EdgeKind::OnCompletion => "on_completion".to_owned(),
            EdgeKind::OnSuccess => "on_success".to_owned(),
            EdgeKind::OnFailure => "on_failure".to_owned(),
            EdgeKind::OnTrue => "on_true".to_owned(),
            EdgeKind::OnFalse => "on_false".to_owned(),
            EdgeKind::NextStep(_) => "parallel".to_owned(),
            EdgeKind::Case(value) => format!("case {value}"),
        }
    }
}

/// A pointer from one step to another.
#[derive(Debug, Clone)]
pub struct Edge<'d> {
    /// The property it comes from.
    pub kind: EdgeKind<'d>,
    /// The step id written.
    pub target: &'d str,
    /// The string value in the document.
    pub node: NodeId,
    /// The index of the target step, when it exists.
    pub resolved: Option<usize>,
}

/// One workflow step.
#[derive(Debug, Clone)]
pub struct Step<'d> {
    /// The step id (its key in `workflow`).
    pub id: &'d str,
    /// The step object (or whatever value the key has).
    pub node: NodeId,
    /// The index of the step's member in the `workflow` object.
    pub member: usize,
    /// Its type.
    pub step_type: StepType,
    /// Its `name`, if any.
    pub name: Option<&'d str>,
    /// Where its outgoing edges, in property order, lie in [`Workflow::edges`].
    pub edges: Range<usize>,
}

/// The workflow of a playbook.
#[derive(Debug, Clone)]
pub struct Workflow<'d> {
    /// The `workflow` object.
    pub node: NodeId,
    /// The steps in document order.
    pub steps: Vec<Step<'d>>,
    /// The edges of every step, step after step (one list rather than a vector per step,
    /// which would cost an allocation each).
    pub edges: Vec<Edge<'d>>,
    index: HashMap<&'d str, usize>,
    /// The `workflow_start` value and the step it names.
    pub start: Option<(NodeId, Option<usize>)>,
    /// The `workflow_exception` value and the step it names.
    pub exception: Option<(NodeId, Option<usize>)>,
}

impl<'d> Workflow<'d> {
    /// Reads the workflow of the playbook `document`; `None` when there is no `workflow` object.
    pub fn from_document(document: &'d Document<'d>) -> Option<Self> {
        let root = document.root();
        let node = document.get(root, "workflow")?;
        if document.kind(node) != Kind::Object {
            return None;
        }

        let keys = StepKeys::new();
        let mut steps = Vec::with_capacity(document.len(node));
        // Most steps have one or two edges.
        let mut edges = Vec::with_capacity(2 * document.len(node));
        let mut index = HashMap::with_capacity_and_hasher(document.len(node), Default::default());
        for (member, entry) in document.members(node).enumerate() {
            index.entry(entry.key).or_insert(steps.len());
            let (type_node, name_node) = keys.type_and_name(document, entry.value);
            let step_type = StepType::from_name(type_node.and_then(|value| document.as_str(value)));
            let first_edge = edges.len();
            read_edges(document, entry.value, step_type, &keys, &mut edges);
            steps.push(Step {
                id: entry.key,
                node: entry.value,
                member,
                step_type,
                name: name_node.and_then(|value| document.as_str(value)),
                edges: first_edge..edges.len(),
            });
        }
        for edge in &mut edges {
            edge.resolved = index.get(edge.target).copied();
        }

        let reference = |key: &str| {
            let value = document.get(root, key)?;
            let target = document.as_str(value)?;
            Some((value, index.get(target).copied()))
        };
        let start = reference("workflow_start");
        let exception = reference("workflow_exception");
        Some(Self {
            node,
            steps,
            edges,
            index,
            start,
            exception,
        })
    }

    /// The index of the step with id `id`.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The outgoing edges of `step`, in property order.
    pub fn edges_of(&self, step: usize) -> &[Edge<'d>] {
        &self.edges[self.steps[step].edges.clone()]
    }

    /// The steps that `step` continues to after it completes (not its branches).
    pub fn continuations(&self, step: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges_of(step)
            .iter()
            .filter(|edge| !edge.kind.is_branch())
            .filter_map(|edge| edge.resolved)
    }

    /// Every step `step` points at.
    pub fn successors(&self, step: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges_of(step).iter().filter_map(|edge| edge.resolved)
    }
}

/// The digests of the step properties the graph reads, computed once per workflow, so that
/// each step's members are matched by digest in one pass (every one of these names is short
/// enough for its digest to hold it whole).
struct StepKeys {
    step_type: KeyDigest,
    name: KeyDigest,
    on_completion: KeyDigest,
    on_success: KeyDigest,
    on_failure: KeyDigest,
    on_true: KeyDigest,
    on_false: KeyDigest,
    next_steps: KeyDigest,
    cases: KeyDigest,
}

impl StepKeys {
    fn new() -> Self {
        let digest = |key: &str| {
            let digest = KeyDigest::of(key.as_bytes());
            debug_assert!(digest.is_exact());
            digest
        };
        Self {
            step_type: digest("type"),
            name: digest("name"),
            on_completion: digest("on_completion"),
            on_success: digest("on_success"),
            on_failure: digest("on_failure"),
            on_true: digest("on_true"),
            on_false: digest("on_false"),
            next_steps: digest("next_steps"),
            cases: digest("cases"),
        }
    }

    /// The values of the first `type` and the first `name` member of `step`.
    fn type_and_name(
        &self,
        document: &Document<'_>,
        step: NodeId,
    ) -> (Option<NodeId>, Option<NodeId>) {
        let mut type_node = None;
        let mut name_node = None;
        for (digest, value) in document.member_digests(step) {
            if digest == self.step_type {
                type_node = type_node.or(Some(value));
            } else if digest == self.name {
                name_node = name_node.or(Some(value));
            }
        }
        (type_node, name_node)
    }
}

/// Appends the edges of `step` to `edges`.
fn read_edges<'d>(
    document: &'d Document<'d>,
    step: NodeId,
    step_type: StepType,
    keys: &StepKeys,
    edges: &mut Vec<Edge<'d>>,
) {
    let mut push = |kind, value: NodeId| {
        if let Some(target) = document.as_str(value) {
            edges.push(Edge {
                kind,
                target,
                node: value,
                resolved: None,
            });
        }
    };
    for (digest, value) in document.member_digests(step) {
        if digest == keys.on_completion {
            push(EdgeKind::OnCompletion, value);
        } else if digest == keys.on_success {
            push(EdgeKind::OnSuccess, value);
        } else if digest == keys.on_failure {
            push(EdgeKind::OnFailure, value);
        } else if digest == keys.on_true {
            if matches!(step_type, StepType::IfCondition | StepType::WhileCondition) {
                push(EdgeKind::OnTrue, value);
            }
        } else if digest == keys.on_false {
            if step_type == StepType::IfCondition {
                push(EdgeKind::OnFalse, value);
            }
        } else if digest == keys.next_steps {
            if step_type == StepType::Parallel {
                for (index, item) in document.items(value).enumerate() {
                    push(EdgeKind::NextStep(index), item);
                }
            }
        } else if digest == keys.cases && step_type == StepType::SwitchCondition {
            for case in document.members(value) {
                push(EdgeKind::Case(case.key), case.value);
            }
        }
    }
}

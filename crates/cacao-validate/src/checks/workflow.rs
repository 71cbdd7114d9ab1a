//! Workflow rules: the start and exception steps, the properties each step type may have, step
//! references that resolve, what a workflow must contain, loops that no while-condition makes,
//! reachability, and branches that end at their own end step.
//!
//! The branch model (CACAO 2.0 sections 4.7–4.10): a parallel, if, while or switch step opens
//! branches; each branch runs until it reaches an end step, which returns control to the
//! branching step; the branching step then continues with its own `on_completion` (or
//! `on_success`/`on_failure`). So inside a branch, a nested branching step is followed only
//! through its continuation, and reaching the branching step itself again means the branch
//! never ended.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt, HashSet};

use super::ids::{parse_identifier, same_uuid_key};
use super::{Context, step_label};
use crate::diagnostic::{Finding, Place, Rule, Severity};
use crate::graph::{EdgeKind, StepType, Workflow};
use crate::json::{Kind, NodeId};

pub(crate) fn check(context: &mut Context<'_>) {
    let Some(workflow) = context.workflow.take() else {
        return;
    };
    check_entry_points(context, &workflow);
    check_step_properties(context, &workflow);
    check_references(context, &workflow);
    check_composition(context, &workflow);
    let cyclic = check_cycles(context, &workflow);
    check_reachability(context, &workflow);
    check_branches(context, &workflow, &cyclic);
    context.workflow = Some(workflow);
}

fn label(workflow: &Workflow<'_>, step: usize) -> String {
    let step = &workflow.steps[step];
    format!(
        "{} {}",
        step.step_type.name(),
        step_label(step.id, step.name)
    )
}

fn short_label(workflow: &Workflow<'_>, step: usize) -> String {
    let step = &workflow.steps[step];
    match step.name {
        Some(name) => format!("\"{name}\""),
        None => format!("`{}`", step.id),
    }
}

fn edge_label(kind: EdgeKind<'_>) -> String {
    match kind {
        EdgeKind::NextStep(index) => format!("`next_steps` entry {index}"),
        EdgeKind::Case(value) => format!("case `{value}`"),
        other => format!("`{}`", other.label()),
    }
}

/// Reports a step reference that names no step: a prefix mismatch when a step has the same
/// UUID, otherwise `rule`. Malformed identifiers are left to the schema pass unless
/// `report_malformed`.
fn unresolved(
    context: &mut Context<'_>,
    workflow: &Workflow<'_>,
    node: NodeId,
    rule: Rule,
    what: &str,
    report_malformed: bool,
) {
    let document = context.document;
    let Some(target) = document.as_str(node) else {
        return;
    };
    if parse_identifier(target).is_none() {
        if report_malformed {
            let reason = super::ids::identifier_problem(target).unwrap_or_default();
            context.report(
                Rule::IdFormat,
                Place::Node(node),
                format!("{what} `{target}` is not a step identifier: {reason}"),
                "write the id of a step in `workflow`",
            );
        }
        return;
    }
    if let Some(step) = same_uuid_key(document, workflow.node, target) {
        context.report(
            Rule::IdPrefixMismatch,
            Place::Node(node),
            format!("{what} `{target}` names no step, but step `{step}` has the same UUID with another type prefix"),
            format!("write `{step}`: a reference repeats the step's key exactly"),
        );
        return;
    }
    let help = match rule {
        Rule::WorkflowStartMissing => {
            let starts: Vec<&str> = workflow
                .steps
                .iter()
                .filter(|step| step.step_type == StepType::Start)
                .map(|step| step.id)
                .collect();
            match starts.as_slice() {
                [only] => format!("the workflow's start step is `{only}`"),
                [] => "add a start step to `workflow` and name it here".to_owned(),
                _ => "name one of the workflow's start steps".to_owned(),
            }
        }
        _ => "name a step that exists in `workflow`, or add the missing step".to_owned(),
    };
    context.report(
        rule,
        Place::Node(node),
        format!("{what} names `{target}`, which is not a step in `workflow`"),
        help,
    );
}

fn check_entry_points(context: &mut Context<'_>, workflow: &Workflow<'_>) {
    if let Some((node, resolved)) = workflow.start {
        match resolved {
            None => unresolved(
                context,
                workflow,
                node,
                Rule::WorkflowStartMissing,
                "`workflow_start`",
                false,
            ),
            Some(step) => {
                let step_type = workflow.steps[step].step_type;
                if step_type != StepType::Start && step_type != StepType::Unknown {
                    context.report(
                        Rule::WorkflowStartType,
                        Place::Node(node),
                        format!("`workflow_start` names {}, which is not a start step", label(workflow, step)),
                        "add a start step whose `on_completion` leads to this step, and name the start step in `workflow_start`",
                    );
                }
            }
        }
    }
    if let Some((node, None)) = workflow.exception {
        unresolved(
            context,
            workflow,
            node,
            Rule::WorkflowExceptionMissing,
            "`workflow_exception`",
            false,
        );
    }
}

fn check_step_properties(context: &mut Context<'_>, workflow: &Workflow<'_>) {
    let document = context.document;
    for (index, step) in workflow.steps.iter().enumerate() {
        if document.kind(step.node) != Kind::Object {
            continue;
        }
        let member = |key: &str| {
            document
                .get(step.node, key)
                .and_then(|value| document.member_index_of(step.node, value))
        };
        let has = |key: &str| document.get(step.node, key).is_some();
        match step.step_type {
            StepType::Unknown => {}
            StepType::Start => {
                for key in ["on_success", "on_failure"] {
                    if let Some(position) = member(key) {
                        context.report(
                            Rule::WorkflowStartEndProps,
                            Place::Key(step.node, position),
                            format!("start step {} has `{key}`; a start step continues only with `on_completion`", step_label(step.id, step.name)),
                            format!("rename `{key}` to `on_completion`"),
                        );
                    }
                }
                if !has("on_completion") && !has("on_success") {
                    no_continuation(context, workflow, index);
                }
            }
            StepType::End => {
                for key in ["on_completion", "on_success", "on_failure"] {
                    if let Some(position) = member(key) {
                        context.report(
                            Rule::WorkflowStartEndProps,
                            Place::Key(step.node, position),
                            format!("end step {} has `{key}`; an end step finishes its branch and points nowhere", step_label(step.id, step.name)),
                            format!("remove `{key}`; to continue, let the previous step point at the next step instead of the end step"),
                        );
                    }
                }
            }
            _ => {
                if has("on_completion") {
                    for key in ["on_success", "on_failure"] {
                        if let Some(position) = member(key) {
                            context.report(
                                Rule::WorkflowNextExclusive,
                                Place::Key(step.node, position),
                                format!("step {} has both `on_completion` and `{key}`", step_label(step.id, step.name)),
                                "use either `on_completion` (the next step whatever the outcome) or `on_success`/`on_failure`, not both",
                            );
                        }
                    }
                } else if !has("on_success") {
                    no_continuation(context, workflow, index);
                }
            }
        }
    }
}

fn no_continuation(context: &mut Context<'_>, workflow: &Workflow<'_>, index: usize) {
    let document = context.document;
    let step = &workflow.steps[index];
    let only_failure = if document.get(step.node, "on_failure").is_some() {
        " (it only has `on_failure`, which is taken when it fails)"
    } else {
        ""
    };
    context.report(
        Rule::WorkflowNoContinuation,
        Place::Key(workflow.node, step.member),
        format!(
            "{} has neither `on_completion` nor `on_success`{only_failure}, so the workflow stops here without reaching an end step",
            label(workflow, index)
        ),
        "add `on_completion` (or `on_success`) naming the next step, or an end step when this path is done",
    );
}

fn check_references(context: &mut Context<'_>, workflow: &Workflow<'_>) {
    for (index, step) in workflow.steps.iter().enumerate() {
        for edge in workflow.edges_of(index) {
            if edge.resolved.is_some() {
                continue;
            }
            let what = format!("{} of step `{}`", edge_label(edge.kind), step.id);
            let is_case = matches!(edge.kind, EdgeKind::Case(_));
            unresolved(
                context,
                workflow,
                edge.node,
                Rule::WorkflowDanglingRef,
                &what,
                is_case,
            );
        }
    }
}

fn check_composition(context: &mut Context<'_>, workflow: &Workflow<'_>) {
    let document = context.document;
    let Some(member) = document.member_index_of(context.root, workflow.node) else {
        return;
    };
    let place = Place::Key(context.root, member);
    let count = |types: &[StepType]| {
        workflow
            .steps
            .iter()
            .filter(|step| types.contains(&step.step_type))
            .count()
    };
    if count(&[StepType::End]) == 0 {
        context.report(
            Rule::WorkflowBranchEnd,
            place.clone(),
            "the workflow has no end step, so it can never finish",
            "add an end step and point the last step of every path at it",
        );
    }
    if count(&[StepType::Action, StepType::PlaybookAction]) == 0 {
        context.report(
            Rule::SchemaRequired,
            place,
            "the workflow has no action or playbook-action step",
            "a CACAO workflow contains at least a start step, an action (or playbook-action) step and an end step",
        );
    }
}

/// The successors of every step in one list (a vector per step would cost an allocation each).
struct Successors {
    /// Where each step's successors start in `targets`, and the end of the last.
    starts: Vec<usize>,
    targets: Vec<usize>,
}

impl Successors {
    /// Room for `steps` steps with `targets` successors in all, so that building grows nothing.
    fn with_capacity(steps: usize, targets: usize) -> Self {
        let mut starts = Vec::with_capacity(steps + 1);
        starts.push(0);
        Self {
            starts,
            targets: Vec::with_capacity(targets),
        }
    }

    /// Adds the successors of the next step.
    fn push(&mut self, list: impl IntoIterator<Item = usize>) {
        self.targets.extend(list);
        self.starts.push(self.targets.len());
    }

    #[cfg(test)]
    fn from_lists<L: IntoIterator<Item = usize>>(lists: impl IntoIterator<Item = L>) -> Self {
        let mut successors = Self::with_capacity(0, 0);
        for list in lists {
            successors.push(list);
        }
        successors
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn of(&self, step: usize) -> &[usize] {
        &self.targets[self.starts[step]..self.starts[step + 1]]
    }
}

/// The strongly connected components that are loops (more than one step, or one step that
/// points at itself), by an iterative Tarjan, so long chains cannot overflow the stack.
fn loops(successors: &Successors) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    let count = successors.len();
    let mut index = vec![UNVISITED; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    // Both stacks hold each step at most once: sized up front, they never grow.
    let mut stack = Vec::with_capacity(count);
    let mut components = Vec::new();
    let mut frames: Vec<(usize, usize)> = Vec::with_capacity(count);
    let mut next_index = 0;

    for root in 0..count {
        if index[root] != UNVISITED {
            continue;
        }
        frames.push((root, 0));
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;

        while let Some(frame) = frames.last_mut() {
            let node = frame.0;
            if let Some(&next) = successors.of(node).get(frame.1) {
                frame.1 += 1;
                if index[next] == UNVISITED {
                    index[next] = next_index;
                    low[next] = next_index;
                    next_index += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    frames.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                // Most components are one step without a loop: no vector for those.
                if stack.last() == Some(&node) {
                    stack.pop();
                    on_stack[node] = false;
                    if successors.of(node).contains(&node) {
                        components.push(vec![node]);
                    }
                    continue;
                }
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

/// Reports loops; returns, for each step, whether it lies on one.
fn check_cycles(context: &mut Context<'_>, workflow: &Workflow<'_>) -> Vec<bool> {
    // A while-condition's `on_true` is the one edge allowed to lead back: it is not followed
    // here, so only loops that no while-condition makes remain.
    let mut successors = Successors::with_capacity(workflow.steps.len(), workflow.edges.len());
    for (index, step) in workflow.steps.iter().enumerate() {
        successors.push(
            workflow
                .edges_of(index)
                .iter()
                .filter(|edge| {
                    !(step.step_type == StepType::WhileCondition && edge.kind == EdgeKind::OnTrue)
                })
                .filter_map(|edge| edge.resolved),
        );
    }

    let mut cyclic = vec![false; workflow.steps.len()];
    for component in loops(&successors) {
        for &step in &component {
            cyclic[step] = true;
        }
        let members: HashSet<usize> = component.iter().copied().collect();
        let first = *component.iter().min().unwrap_or(&component[0]);
        let path = cycle_path(&successors, &members, first);
        let last = *path.last().unwrap_or(&first);
        let closing_edge = workflow.edges_of(last).iter().find(|edge| {
            edge.resolved == Some(first)
                && !(workflow.steps[last].step_type == StepType::WhileCondition
                    && edge.kind == EdgeKind::OnTrue)
        });
        let place = match closing_edge {
            Some(edge) => Place::Node(edge.node),
            None => Place::Key(workflow.node, workflow.steps[last].member),
        };
        let shown: Vec<String> = path
            .iter()
            .chain(std::iter::once(&first))
            .map(|&step| short_label(workflow, step))
            .collect();
        context.report(
            Rule::WorkflowCycle,
            place,
            format!("these steps loop without a while-condition: {}", shown.join(" → ")),
            "break the loop, or repeat the steps with a while-condition step: its `on_true` branch runs them and ends at its own end step",
        );
    }
    cyclic
}

/// A path inside a strongly connected component from `start` to a step that leads back to it.
fn cycle_path(successors: &Successors, members: &HashSet<usize>, start: usize) -> Vec<usize> {
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen: HashSet<usize> = std::iter::once(start).collect();
    while let Some(node) = queue.pop_front() {
        if successors.of(node).contains(&start) {
            let mut path = vec![node];
            let mut current = node;
            while let Some(&previous) = parent.get(&current) {
                path.push(previous);
                current = previous;
            }
            path.reverse();
            return path;
        }
        for &next in successors.of(node) {
            if members.contains(&next) && seen.insert(next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    vec![start]
}

fn check_reachability(context: &mut Context<'_>, workflow: &Workflow<'_>) {
    // Without a valid start every step would be "unreachable"; the start finding says enough.
    let Some((_, Some(start))) = workflow.start else {
        return;
    };
    let mut reached = vec![false; workflow.steps.len()];
    // Each step is queued at most once.
    let mut queue = Vec::with_capacity(workflow.steps.len());
    queue.push(start);
    if let Some((_, Some(exception))) = workflow.exception {
        queue.push(exception);
    }
    for &step in &queue {
        reached[step] = true;
    }
    while let Some(step) = queue.pop() {
        for next in workflow.successors(step) {
            if !reached[next] {
                reached[next] = true;
                queue.push(next);
            }
        }
    }
    for (index, step) in workflow.steps.iter().enumerate() {
        if !reached[index] && workflow.find(step.id) == Some(index) {
            context.report(
                Rule::WorkflowUnreachable,
                Place::Key(workflow.node, step.member),
                format!(
                    "{} is never reached from `workflow_start` or `workflow_exception`",
                    label(workflow, index)
                ),
                "point a step's `on_*` property (or a branch) at it, or remove it",
            );
        }
    }
}

/// The steps a branch consists of.
#[derive(Default)]
struct Region {
    /// In breadth-first order from the entry.
    steps: Vec<usize>,
    /// End steps reached.
    ends: Vec<usize>,
    /// Steps with an edge back to the branching step.
    loops_back: Vec<usize>,
}

/// Visit marks shared by all region walks: a step is seen in the current walk when its mark
/// equals the walk's number, so no set is built or cleared per branch.
struct Marks {
    marks: Vec<u32>,
    walk: u32,
}

impl Marks {
    fn new(count: usize) -> Self {
        Self {
            marks: vec![0; count],
            walk: 0,
        }
    }

    fn start(&mut self) {
        self.walk += 1;
    }

    /// Whether `step` was seen in this walk.
    fn contains(&self, step: usize) -> bool {
        self.marks[step] == self.walk
    }

    /// Marks `step`; returns whether it was not yet seen in this walk.
    fn insert(&mut self, step: usize) -> bool {
        let fresh = self.marks[step] != self.walk;
        self.marks[step] = self.walk;
        fresh
    }
}

/// Follows `entry` through continuations until end steps, never entering `owner`; fills
/// `region`, whose vectors are reused from branch to branch.
fn fill_region(
    workflow: &Workflow<'_>,
    entry: usize,
    owner: Option<usize>,
    marks: &mut Marks,
    region: &mut Region,
) {
    region.steps.clear();
    region.ends.clear();
    region.loops_back.clear();
    marks.start();
    marks.insert(entry);

    // `steps` doubles as the breadth-first queue: a step is listed in the order it is queued.
    region.steps.push(entry);
    let mut next_in_queue = 0;
    while let Some(&step) = region.steps.get(next_in_queue) {
        next_in_queue += 1;
        if workflow.steps[step].step_type == StepType::End {
            region.ends.push(step);
            continue;
        }
        for next in workflow.continuations(step) {
            if Some(next) == owner {
                region.loops_back.push(step);
            } else if marks.insert(next) {
                region.steps.push(next);
            }
        }
    }
}

/// Scratch space of [`first_stuck_step`], reused from branch to branch.
#[derive(Default)]
struct StuckSearch {
    /// A step has reached an end in the current search when its mark equals the search's
    /// number (the region walk's number, so that both share one counter).
    finished: Vec<u32>,
    /// (step, a member of the region that continues to it), sorted by step.
    predecessors: Vec<(usize, usize)>,
    queue: Vec<usize>,
}

/// The first step of the region from which no end step can be reached. Steps with no
/// continuation at all count as finished: `workflow/no-continuation` or a dangling reference
/// already reports them. `marks` are those of the walk that found the region.
fn first_stuck_step(
    workflow: &Workflow<'_>,
    region: &Region,
    owner: usize,
    marks: &Marks,
    search: &mut StuckSearch,
) -> Option<usize> {
    let walk = marks.walk;
    // Allocated on the first search only: most workflows need none.
    search.finished.resize(workflow.steps.len(), 0);
    let finished = &mut search.finished;
    search.predecessors.clear();
    search.queue.clear();
    for &end in &region.ends {
        finished[end] = walk;
    }
    for &step in &region.steps {
        let mut has_continuation = false;
        for next in workflow.continuations(step) {
            has_continuation = true;
            if marks.contains(next) && next != owner {
                search.predecessors.push((next, step));
            }
        }
        let dangling = workflow
            .edges_of(step)
            .iter()
            .any(|edge| !edge.kind.is_branch() && edge.resolved.is_none());
        if !has_continuation || dangling {
            finished[step] = walk;
        }
    }

    // Spread "finished" backwards from every finished step; the order does not matter.
    search.predecessors.sort_unstable();
    search.queue.extend(
        region
            .steps
            .iter()
            .copied()
            .filter(|&step| finished[step] == walk),
    );
    while let Some(step) = search.queue.pop() {
        let first = search
            .predecessors
            .partition_point(|&(next, _)| next < step);
        for &(next, previous) in &search.predecessors[first..] {
            if next != step {
                break;
            }
            if finished[previous] != walk {
                finished[previous] = walk;
                search.queue.push(previous);
            }
        }
    }
    region
        .steps
        .iter()
        .copied()
        .find(|&step| finished[step] != walk)
}

/// Who a branch belongs to: (branching step, edge index), or `None` for the main flow.
type BranchOwner = Option<(usize, usize)>;

fn check_branches(context: &mut Context<'_>, workflow: &Workflow<'_>, cyclic: &[bool]) {
    let mut marks = Marks::new(workflow.steps.len());
    let mut stuck_search = StuckSearch::default();
    // For each end step, the branches that end there: (branching step, edge) or `None` for
    // the main flow. Described only when an end step turns out to be shared.
    // Kept as one list of (end step, owner) in the order found, grouped by end step at the end.
    let mut end_owners: Vec<(usize, BranchOwner)> = Vec::new();
    // A region lists each step at most once.
    let mut region = Region {
        steps: Vec::with_capacity(workflow.steps.len()),
        ..Region::default()
    };
    if let Some((_, Some(start))) = workflow.start {
        fill_region(workflow, start, None, &mut marks, &mut region);
        end_owners.extend(region.ends.iter().map(|&end| (end, None)));
    }

    for (owner, step) in workflow.steps.iter().enumerate() {
        if !step.step_type.is_branching() || workflow.find(step.id) != Some(owner) {
            continue;
        }
        for (edge_index, edge) in workflow
            .edges_of(owner)
            .iter()
            .enumerate()
            .filter(|(_, edge)| edge.kind.is_branch())
        {
            let Some(entry) = edge.resolved else {
                continue;
            };
            let branch = || format!("{} of {}", edge_label(edge.kind), label(workflow, owner));
            if entry == owner {
                context.report(
                    Rule::WorkflowBranchEnd,
                    Place::Node(edge.node),
                    format!("branch {} points back at the step itself", branch()),
                    "start the branch with the steps it should run, and end it at its own end step",
                );
                continue;
            }

            fill_region(workflow, entry, Some(owner), &mut marks, &mut region);
            // Without a loop inside the branch or back to its step, every path of the branch
            // ends; only then is the slower search needed.
            let may_be_stuck =
                !region.loops_back.is_empty() || region.steps.iter().any(|step| cyclic[*step]);
            let stuck = if may_be_stuck {
                first_stuck_step(workflow, &region, owner, &marks, &mut stuck_search)
            } else {
                None
            };
            if let Some(stuck) = stuck {
                let message = if region.loops_back.contains(&stuck) {
                    format!(
                        "branch {} loops back to the {} from {} instead of ending at its own end step",
                        branch(),
                        step.step_type.name(),
                        label(workflow, stuck)
                    )
                } else {
                    format!(
                        "branch {} never reaches an end step: from {} the steps only loop among themselves",
                        branch(),
                        label(workflow, stuck)
                    )
                };
                let help = if step.step_type == StepType::WhileCondition {
                    "end the loop body at an end step of its own; reaching it hands control back to the while-condition, which evaluates its condition again"
                } else {
                    "end every path of the branch at an end step of its own; reaching it hands control back to the branching step"
                };
                context.report(
                    Rule::WorkflowBranchEnd,
                    Place::Node(edge.node),
                    message,
                    help,
                );
            }

            end_owners.extend(
                region
                    .ends
                    .iter()
                    .map(|&end| (end, Some((owner, edge_index)))),
            );
            // A step has few continuations: looking through them beats building a set.
            if let Some(&merge) = region
                .steps
                .iter()
                .find(|&&member| workflow.continuations(owner).any(|next| next == member))
            {
                context.push(
                    Finding::new(
                        Rule::WorkflowBranchEnd,
                        Place::Node(edge.node),
                        format!(
                            "branch {} runs into {}, where the {} itself continues; those steps would run twice",
                            branch(),
                            label(workflow, merge),
                            step.step_type.name()
                        ),
                        "end the branch at its own end step; the workflow then continues after the branching step on its own",
                    )
                    .with_severity(Severity::Warning),
                );
            }
        }
    }

    // A stable sort keeps each end step's owners in the order they were found.
    end_owners.sort_by_key(|(end, _)| *end);
    for group in end_owners.chunk_by(|left, right| left.0 == right.0) {
        if group.len() < 2 {
            continue;
        }
        let end = group[0].0;
        let owners: Vec<String> = group
            .iter()
            .map(|(_, owner)| match owner {
                None => "the main flow".to_owned(),
                Some((step, edge)) => format!(
                    "{} of `{}`",
                    edge_label(workflow.edges_of(*step)[*edge].kind),
                    workflow.steps[*step].id
                ),
            })
            .collect();
        context.push(
            Finding::new(
                Rule::WorkflowBranchEnd,
                Place::Key(workflow.node, workflow.steps[end].member),
                format!(
                    "{} ends more than one branch ({}); each branch should end at its own end step",
                    label(workflow, end),
                    owners.join(", ")
                ),
                "give each branch its own end step, so that the end step reached tells which branch finished",
            )
            .with_severity(Severity::Warning),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_of_a_long_chain_do_not_overflow() {
        let successors = Successors::from_lists(
            (0..200_000)
                .map(|index| vec![index + 1])
                .chain(std::iter::once(vec![0])),
        );
        let components = loops(&successors);
        assert_eq!(components.len(), 1);
        assert_eq!(components[0].len(), 200_001);
        let chain =
            Successors::from_lists((0..200_000).map(|index| vec![index + 1]).chain([vec![]]));
        assert!(loops(&chain).is_empty());
    }

    #[test]
    fn only_loops_are_components() {
        let successors =
            Successors::from_lists([vec![1], vec![0], vec![3], vec![], vec![4], vec![2]]);
        let mut sizes: Vec<usize> = loops(&successors).iter().map(Vec::len).collect();
        sizes.sort_unstable();
        assert_eq!(sizes, [1, 2]);
    }
}

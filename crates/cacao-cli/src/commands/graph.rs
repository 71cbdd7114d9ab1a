//! `cacao graph`: draws a playbook's workflow as a Mermaid flowchart or a Graphviz dot graph,
//! with every edge labelled by the property it comes from (`on_completion`, `on_success`,
//! `on_failure`, `on_true`, `on_false`, `case …`, `parallel`).
//!
//! The drawing is made from the raw document, so a broken playbook can still be drawn: a step
//! reference that names no step becomes a dashed "missing" node.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use cacao_validate::graph::{EdgeKind, StepType, Workflow};
use cacao_validate::{Document, render};

use crate::Verdict;
use crate::output::use_colour;

/// The drawing language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    #[default]
    Mermaid,
    /// Graphviz dot (`cacao graph --format dot FILE | dot -Tsvg > workflow.svg`).
    Dot,
}

/// Arguments of `cacao graph`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The drawing language.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    /// The playbook to draw.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let shown = args.file.display().to_string();
    let source = std::fs::read(&args.file).with_context(|| format!("cannot read `{shown}`"))?;
    let document = match Document::parse(&source) {
        Ok(document) => document,
        Err(_) => {
            let report = cacao_validate::validate(&source);
            eprint!(
                "{}",
                render::render_report(&shown, &source, &report, use_colour(false))
            );
            anyhow::bail!("`{shown}` is not JSON; there is nothing to draw");
        }
    };
    let workflow = Workflow::from_document(&document)
        .with_context(|| format!("`{shown}` has no `workflow` object to draw"))?;
    let title = document.get_str(document.root(), "name");

    let text = match args.format {
        GraphFormat::Mermaid => mermaid(&workflow, title),
        GraphFormat::Dot => dot(&workflow, title),
    };
    print!("{text}");
    Ok(Verdict::Success)
}

/// What a node says: the step's name (or its type) and its id.
fn node_label(step: &cacao_validate::graph::Step<'_>) -> (String, String) {
    let name = step
        .name
        .map(str::to_owned)
        .unwrap_or_else(|| step.step_type.name().to_owned());
    (name, step.id.to_owned())
}

/// Dangling targets, each with a node name of its own.
fn missing_targets<'d>(workflow: &Workflow<'d>) -> Vec<&'d str> {
    let mut missing: Vec<&str> = workflow
        .edges
        .iter()
        .filter(|edge| edge.resolved.is_none())
        .map(|edge| edge.target)
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

fn is_failure(kind: EdgeKind<'_>) -> bool {
    matches!(kind, EdgeKind::OnFailure | EdgeKind::OnFalse)
}

fn mermaid_text(text: &str) -> String {
    text.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A Mermaid flowchart.
pub fn mermaid(workflow: &Workflow<'_>, title: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(title) = title {
        let _ = writeln!(out, "---\ntitle: \"{}\"\n---", mermaid_text(title));
    }
    out.push_str("flowchart TD\n");
    for (index, step) in workflow.steps.iter().enumerate() {
        let (name, id) = node_label(step);
        let label = format!(
            "\"{}<br/><small>{}</small>\"",
            mermaid_text(&name),
            mermaid_text(&id)
        );
        let shape = match step.step_type {
            StepType::Start | StepType::End => format!("([{label}])"),
            StepType::PlaybookAction => format!("[[{label}]]"),
            StepType::IfCondition | StepType::WhileCondition | StepType::SwitchCondition => {
                format!("{{{label}}}")
            }
            StepType::Parallel => format!("{{{{{label}}}}}"),
            StepType::Action | StepType::Unknown => format!("[{label}]"),
        };
        let _ = writeln!(out, "    s{index}{shape}");
    }
    let missing = missing_targets(workflow);
    for (index, target) in missing.iter().enumerate() {
        let _ = writeln!(
            out,
            "    m{index}[\"missing step<br/><small>{}</small>\"]",
            mermaid_text(target)
        );
        let _ = writeln!(out, "    style m{index} stroke-dasharray: 5 5");
    }
    for index in 0..workflow.steps.len() {
        for edge in workflow.edges_of(index) {
            let target = match edge.resolved {
                Some(target) => format!("s{target}"),
                None => format!(
                    "m{}",
                    missing
                        .iter()
                        .position(|name| *name == edge.target)
                        .unwrap_or(0)
                ),
            };
            let arrow = if is_failure(edge.kind) { "-.->" } else { "-->" };
            let _ = writeln!(
                out,
                "    s{index} {arrow}|\"{}\"| {target}",
                mermaid_text(&edge.kind.label())
            );
        }
    }
    if let Some((_, Some(start))) = workflow.start {
        let _ = writeln!(out, "    style s{start} stroke-width:3px");
    }
    out
}

fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A Graphviz dot graph.
pub fn dot(workflow: &Workflow<'_>, title: Option<&str>) -> String {
    let mut out = String::from(
        "digraph workflow {\n    rankdir=TB;\n    node [fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    if let Some(title) = title {
        let _ = writeln!(out, "    label=\"{}\";\n    labelloc=t;", dot_text(title));
    }
    for step in &workflow.steps {
        let (name, id) = node_label(step);
        let shape = match step.step_type {
            StepType::Start | StepType::End => "oval",
            StepType::PlaybookAction => "box3d",
            StepType::IfCondition | StepType::WhileCondition | StepType::SwitchCondition => {
                "diamond"
            }
            StepType::Parallel => "hexagon",
            StepType::Action | StepType::Unknown => "box",
        };
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\\n{}\", shape={shape}];",
            dot_text(step.id),
            dot_text(&name),
            dot_text(&id)
        );
    }
    for target in missing_targets(workflow) {
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"missing step\\n{}\", shape=box, style=dashed];",
            dot_text(target),
            dot_text(target)
        );
    }
    for (index, step) in workflow.steps.iter().enumerate() {
        for edge in workflow.edges_of(index) {
            let style = if is_failure(edge.kind) {
                ", style=dashed"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\" [label=\"{}\"{style}];",
                dot_text(step.id),
                dot_text(edge.target),
                dot_text(&edge.kind.label())
            );
        }
    }
    out.push_str("}\n");
    out
}

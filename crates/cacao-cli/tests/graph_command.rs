//! `cacao graph` end to end: Mermaid and dot drawings with labelled branch edges.

use std::process::{Command, Output};

fn corpus(case: &str) -> String {
    format!(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/corpus/validate/{}"
        ),
        case
    )
}

fn cacao(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .output()
        .expect("the cacao binary runs")
}

fn drawing(arguments: &[&str]) -> String {
    let output = cacao(arguments);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn mermaid_labels_every_kind_of_edge() {
    let parallel = drawing(&["graph", &corpus("valid/investigation-parallel-hunt.json")]);
    assert!(parallel.contains("flowchart TD"));
    assert!(parallel.contains("-->|\"parallel\"|"), "{parallel}");
    assert!(parallel.contains("-->|\"on_completion\"|"));

    let switch = drawing(&["graph", &corpus("valid/layout-switch-signin-triage.json")]);
    assert!(switch.contains("|\"case default\"|"), "{switch}");

    let loops = drawing(&[
        "graph",
        "--format",
        "mermaid",
        &corpus("valid/remediation-restore-service.json"),
    ]);
    assert!(loops.contains("-->|\"on_true\"|"), "{loops}");
    assert!(loops.contains("-.->|\"on_failure\"|"), "{loops}");
    assert!(loops.contains("-->|\"on_success\"|"), "{loops}");
}

#[test]
fn mermaid_node_ids_never_contain_step_ids() {
    let text = drawing(&["graph", &corpus("valid/mitigation-ssh-block-ip.json")]);
    for line in text
        .lines()
        .filter(|line| line.contains("-->") || line.contains("-.->"))
    {
        let first = line.split_whitespace().next().expect("node");
        assert!(
            first.starts_with('s') && first[1..].chars().all(|c| c.is_ascii_digit()),
            "{line}"
        );
    }
    assert!(text.contains("-->|\"on_true\"|") && text.contains("-.->|\"on_false\"|"));
}

#[test]
fn dot_has_labelled_edges_and_escaped_labels() {
    let text = drawing(&[
        "graph",
        "--format",
        "dot",
        &corpus("valid/mitigation-ssh-block-ip.json"),
    ]);
    assert!(text.starts_with("digraph workflow {"));
    assert!(text.contains("\"if-condition--5f8ead14-ae0e-4d2b-9b60-28bf5e4f0583\" -> \"action--2d901e9f-f1c9-4b21-9070-47748410e187\" [label=\"on_true\"];"), "{text}");
    assert!(text.contains("shape=diamond"));
    assert!(text.trim_end().ends_with('}'));
}

#[test]
fn dangling_references_become_missing_nodes() {
    let text = drawing(&["graph", &corpus("invalid/workflow-dangling-ref.json")]);
    assert!(text.contains("missing step"), "{text}");
}

#[test]
fn files_that_are_not_json_exit_two() {
    let output = cacao(&["graph", &corpus("invalid/json-syntax.json")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing to draw"));
}

//! `cacao new` end to end: the new playbook passes `cacao validate` without a single finding,
//! and an existing file is never overwritten.

use std::process::{Command, Output};

fn cacao(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .output()
        .expect("the cacao binary runs")
}

#[test]
fn new_playbook_validates_without_findings() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("new.json");
    let file = file.to_str().expect("UTF-8 path");
    let created = cacao(&["new", "--name", "Contain phishing", "-o", file]);
    assert_eq!(created.status.code(), Some(0));

    let checked = cacao(&["validate", "--format", "json", file]);
    assert_eq!(checked.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&checked.stdout).expect("JSON");
    assert_eq!(
        report["files"][0]["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );

    let formatted = cacao(&["fmt", "--check", file]);
    assert_eq!(
        formatted.status.code(),
        Some(0),
        "the new playbook is already canonical"
    );
}

#[test]
fn standard_output_by_default() {
    let output = cacao(&["new"]);
    assert_eq!(output.status.code(), Some(0));
    let playbook: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(playbook["name"], "New playbook");
    assert_eq!(playbook["type"], "playbook");
}

#[test]
fn existing_files_are_never_overwritten() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("taken.json");
    std::fs::write(&file, "keep me").expect("write");
    let output = cacao(&["new", "-o", file.to_str().expect("UTF-8 path")]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me");
}

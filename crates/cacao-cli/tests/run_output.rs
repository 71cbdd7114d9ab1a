//! The quick-start example runs, and the human format shows what its commands print under each
//! step, while the JSON format stays one document.

use std::process::{Command, Output};

fn run(format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(["run", "--format", format])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/local-triage.json"
        ))
        .env("NO_COLOR", "1")
        .output()
        .expect("the cacao binary runs")
}

#[test]
fn the_quick_start_example_runs_and_shows_its_command_output() {
    let output = run("human");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");

    // The verdict line carries values that earlier steps returned through CACAO_OUTPUT.
    let verdict = stdout
        .lines()
        .find(|line| line.contains("│ OK: / is") || line.contains("│ WARNING: / is"))
        .unwrap_or_else(|| panic!("no verdict line in:\n{stdout}"));
    assert!(verdict.contains("% full on "), "{verdict}");
    assert!(verdict.contains(" processors)"), "{verdict}");
    assert!(
        !verdict.contains("on  ("),
        "the kernel was not passed on: {verdict}"
    );
    assert!(stdout.contains("execution completed in "), "{stdout}");

    let json = run("json");
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(summary["outcome"], "completed");
}

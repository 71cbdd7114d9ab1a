//! Injection: external variables full of shell syntax, substituted into bash commands in every
//! quoting context, are printed exactly and run nothing.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

/// Command texts, each printing the value of `__v__` once followed by a newline.
const CONTEXTS: &[&str] = &[
    "printf '%s\\n' __v__:value >> __log__:value",
    "printf '%s\\n' \"__v__:value\" >> __log__:value",
    "printf '%s\\n' 'pre-__v__:value-post' | sed -e 's/^pre-//' -e 's/-post$//' >> __log__:value",
    "printf '%s\\n' \"$(printf '%s' __v__:value)\" >> __log__:value",
    "printf '%s\\n' $'__v__:value' >> __log__:value",
    "cat >> __log__:value <<EOF\n__v__:value\nEOF",
    "cat >> __log__:value <<'EOF'\n__v__:value\nEOF",
];

fn playbook() -> Value {
    let mut workflow = serde_json::Map::new();
    workflow.insert(
        "start--b3e0f2b4-7a3c-4d2e-9f1a-000000000000".into(),
        json!({"type": "start", "on_completion": "action--b3e0f2b4-7a3c-4d2e-9f1a-000000000001"}),
    );
    for (index, command) in CONTEXTS.iter().enumerate() {
        let next = if index + 1 == CONTEXTS.len() {
            "end--b3e0f2b4-7a3c-4d2e-9f1a-999999999999".to_owned()
        } else {
            format!("action--b3e0f2b4-7a3c-4d2e-9f1a-{:012}", index + 2)
        };
        workflow.insert(
            format!("action--b3e0f2b4-7a3c-4d2e-9f1a-{:012}", index + 1),
            json!({
                "type": "action",
                "name": format!("context {}", index + 1),
                "agent": "linux--b3e0f2b4-7a3c-4d2e-9f1a-aaaaaaaaaaaa",
                "commands": [{"type": "bash", "command": command}],
                "on_success": next
            }),
        );
    }
    workflow.insert(
        "end--b3e0f2b4-7a3c-4d2e-9f1a-999999999999".into(),
        json!({"type": "end"}),
    );
    json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": "playbook--b3e0f2b4-7a3c-4d2e-9f1a-bbbbbbbbbbbb",
        "name": "injection contexts",
        "created_by": "identity--b3e0f2b4-7a3c-4d2e-9f1a-cccccccccccc",
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "playbook_variables": {
            "__log__": {"type": "string", "external": true},
            "__v__": {"type": "string", "external": true}
        },
        "workflow_start": "start--b3e0f2b4-7a3c-4d2e-9f1a-000000000000",
        "workflow": workflow,
        "agent_definitions": {
            "linux--b3e0f2b4-7a3c-4d2e-9f1a-aaaaaaaaaaaa": {"type": "linux", "name": "here", "address": {"dname": ["localhost"]}}
        }
    })
}

fn run(directory: &Path, value: &str) -> (i32, String, String) {
    let playbook_path = directory.join("playbook.json");
    std::fs::write(&playbook_path, playbook().to_string()).unwrap();
    let log = directory.join("log.txt");
    let output = Command::new(env!("CARGO_BIN_EXE_cacao"))
        .arg("run")
        .arg(&playbook_path)
        .arg("--var")
        .arg(format!("__log__={}", log.display()))
        .arg("--var")
        .arg(format!("__v__={value}"))
        .current_dir(directory)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        std::fs::read_to_string(&log).unwrap_or_default(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn shell_syntax_in_values_is_printed_exactly_and_runs_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let marker = directory.path().join("pwned");
    let m = marker.display();
    let values = [
        format!("'; touch {m}; '"),
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("x\ntouch {m}\nx"),
        format!("\"; touch {m}; \""),
        format!("a\\'b\\\"c\\\\ $HOME ${{PATH}} $((1+1)) !! * ? ~ & | ; < > ( ) {{ }} # {m}"),
        format!("'\"'\"'; touch {m} #"),
        format!("\\\ntouch {m}"),
    ];
    for value in values {
        let (code, log, stdout) = run(directory.path(), &value);
        assert_eq!(code, 0, "value {value:?}\n{stdout}");
        let expected: String = CONTEXTS.iter().map(|_| format!("{value}\n")).collect();
        assert_eq!(log, expected, "value {value:?}");
        assert!(!marker.exists(), "value {value:?} ran a command");
        std::fs::remove_file(directory.path().join("log.txt")).unwrap();
    }
}

#[test]
fn a_value_that_would_end_a_here_document_fails_the_step_instead() {
    let directory = tempfile::tempdir().unwrap();
    let marker = directory.path().join("pwned");
    let value = format!("x\nEOF\ntouch {}", marker.display());
    let (code, _, stdout) = run(directory.path(), &value);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("would end the here-document"), "{stdout}");
    assert!(!marker.exists());
}

//! Authentication info secrets never appear in what `cacao run` writes: standard output, the
//! logs at the most verbose level, the events file or the journal.

use std::process::Command;

use serde_json::json;

const PASSWORD: &str = "hunter2-Zq8v";
const TOKEN: &str = "tok-9f3c1b7e";

#[test]
fn secrets_stay_out_of_output_logs_events_and_journal() {
    let directory = tempfile::tempdir().unwrap();
    let playbook = json!({
        "type": "playbook", "spec_version": "cacao-2.0",
        "id": "playbook--7d6a3c0e-0000-4000-8000-000000000001", "name": "secrets",
        "created_by": "identity--7d6a3c0e-0000-4000-8000-000000000002",
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
        "workflow_start": "start--7d6a3c0e-0000-4000-8000-000000000003",
        "workflow": {
            "start--7d6a3c0e-0000-4000-8000-000000000003":
                {"type": "start", "on_completion": "action--7d6a3c0e-0000-4000-8000-000000000004"},
            "action--7d6a3c0e-0000-4000-8000-000000000004": {
                "type": "action", "name": "uses credentials",
                "agent": "linux--7d6a3c0e-0000-4000-8000-000000000005",
                "targets": ["net-address--7d6a3c0e-0000-4000-8000-000000000006"],
                "commands": [{"type": "bash", "command": "echo failing >&2; exit 5"}],
                "on_completion": "end--7d6a3c0e-0000-4000-8000-000000000007"
            },
            "end--7d6a3c0e-0000-4000-8000-000000000007": {"type": "end"}
        },
        "agent_definitions": {
            "linux--7d6a3c0e-0000-4000-8000-000000000005": {
                "type": "linux", "name": "here", "address": {"dname": ["localhost"]},
                "authentication_info": "user-auth--7d6a3c0e-0000-4000-8000-000000000008"
            }
        },
        "target_definitions": {
            "net-address--7d6a3c0e-0000-4000-8000-000000000006": {
                "type": "net-address", "name": "api", "address": {"ipv4": ["192.0.2.10"]},
                "authentication_info": "oauth2--7d6a3c0e-0000-4000-8000-000000000009"
            }
        },
        "authentication_info_definitions": {
            "user-auth--7d6a3c0e-0000-4000-8000-000000000008":
                {"type": "user-auth", "username": "ops", "password": PASSWORD},
            "oauth2--7d6a3c0e-0000-4000-8000-000000000009":
                {"type": "oauth2", "oauth_header": "Authorization", "token": TOKEN}
        }
    });
    let playbook_path = directory.path().join("playbook.json");
    std::fs::write(&playbook_path, playbook.to_string()).unwrap();
    let events = directory.path().join("events.jsonl");
    let journal = directory.path().join("journal.jsonl");

    for format in ["human", "json"] {
        let _ = std::fs::remove_file(&journal);
        let output = Command::new(env!("CARGO_BIN_EXE_cacao"))
            .arg("run")
            .arg(&playbook_path)
            .arg("--events")
            .arg(&events)
            .arg("--journal")
            .arg(&journal)
            .args(["--format", format])
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let everything = [
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            std::fs::read_to_string(&events).unwrap(),
            std::fs::read_to_string(&journal).unwrap(),
        ];
        assert!(everything[1].contains("uses credentials") || everything[1].contains("step"));
        for (what, text) in ["stdout", "logs", "events", "journal"]
            .iter()
            .zip(&everything)
        {
            assert!(!text.contains(PASSWORD), "the password is in the {what}");
            assert!(!text.contains(TOKEN), "the token is in the {what}");
        }
    }
}

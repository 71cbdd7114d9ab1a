//! Injection over ssh, end to end: external variables full of shell syntax, substituted by the
//! engine into ssh commands in every quoting context and run by the ssh executor on a real
//! OpenSSH server, are printed exactly and run nothing on the host.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use cacao_engine::{Engine, ExecutorRegistry, Outcome, Start};
use cacao_executors::ssh::{HostKeyPolicy, SshExecutor, SshOptions};
use cacao_model::Playbook;
use common::{SSH_USER, SshServer};
use serde_json::json;

/// Command texts, each appending the value of `__v__` once, then a newline, to the log.
const CONTEXTS: &[&str] = &[
    "printf '%s\\n' __v__:value >> __log__:value",
    "printf '%s\\n' \"__v__:value\" >> __log__:value",
    "printf '%s\\n' 'pre-__v__:value-post' | sed -e 's/^pre-//' -e 's/-post$//' >> __log__:value",
    "printf '%s\\n' \"$(printf '%s' __v__:value)\" >> __log__:value",
    "v=__v__:value; printf '%s\\n' \"$v\" >> __log__:value",
];

const TARGET: &str = "ssh--6f1d2c3b-4a5e-4f60-8a7b-000000000001";
const AGENT: &str = "organization--6f1d2c3b-4a5e-4f60-8a7b-000000000005";
const AUTH: &str = "user-auth--6f1d2c3b-4a5e-4f60-8a7b-000000000002";

fn playbook(port: u16) -> Arc<Playbook> {
    let mut workflow = serde_json::Map::new();
    let step_id = |index: usize| format!("action--6f1d2c3b-4a5e-4f60-8a7b-{:012}", 100 + index);
    let end = "end--6f1d2c3b-4a5e-4f60-8a7b-000000000999";
    workflow.insert(
        "start--6f1d2c3b-4a5e-4f60-8a7b-000000000099".into(),
        json!({"type": "start", "on_completion": step_id(0)}),
    );
    for (index, text) in CONTEXTS.iter().enumerate() {
        let next = if index + 1 == CONTEXTS.len() {
            end.to_owned()
        } else {
            step_id(index + 1)
        };
        workflow.insert(
            step_id(index),
            json!({
                "type": "action",
                "name": format!("ssh context {}", index + 1),
                "agent": AGENT,
                "targets": [TARGET],
                "commands": [{"type": "ssh", "command": text}],
                "on_success": next
            }),
        );
    }
    workflow.insert(end.into(), json!({"type": "end"}));
    let document = json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": "playbook--6f1d2c3b-4a5e-4f60-8a7b-000000000003",
        "name": "ssh injection contexts",
        "created_by": "identity--6f1d2c3b-4a5e-4f60-8a7b-000000000004",
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "playbook_variables": {
            "__log__": {"type": "string", "external": true},
            "__v__": {"type": "string", "external": true},
            "__password__": {"type": "string", "external": true}
        },
        "workflow_start": "start--6f1d2c3b-4a5e-4f60-8a7b-000000000099",
        "workflow": workflow,
        "agent_definitions": {
            AGENT: {"type": "organization", "name": "the security team"}
        },
        "target_definitions": {
            TARGET: {
                "type": "ssh",
                "name": "host under test",
                "address": {"ipv4": ["127.0.0.1"]},
                "port": port.to_string(),
                "authentication_info": AUTH
            }
        },
        "authentication_info_definitions": {
            AUTH: {"type": "user-auth", "username": SSH_USER, "password": "__password__:value"}
        }
    });
    Arc::new(Playbook::from_value(document).expect("the test playbook"))
}

/// Runs the playbook with `value` in `__v__`; returns whether it completed and the log.
async fn run(server: &SshServer, folder: &std::path::Path, value: &str) -> (Outcome, String) {
    let log = folder.join("log.txt");
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(server.known_hosts.clone()),
        ..Default::default()
    })));
    let variables = HashMap::from([
        ("__log__", log.display().to_string()),
        ("__v__", value.to_owned()),
        ("__password__", server.password.clone()),
    ]);
    let start = Start {
        variables: variables
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect(),
        ..Default::default()
    };
    let report = Engine::new(registry)
        .run(playbook(server.port), start)
        .await
        .expect("the playbook can run here");
    let written = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    (report.outcome, written)
}

#[tokio::test]
async fn shell_syntax_in_values_runs_nothing_over_ssh() {
    let Some(server) = common::ssh_server("shell_syntax_in_values_runs_nothing_over_ssh") else {
        return;
    };
    // A folder the remote account can write its log to.
    let folder = server.directory.path().join("shared");
    std::fs::create_dir_all(&folder).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            server.directory.path(),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let marker = folder.join("pwned");
    let m = marker.display();
    let values = [
        format!("'; touch {m}; '"),
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("x\ntouch {m}\nx"),
        format!("\"; touch {m}; \""),
        format!("a\\'b\\\"c\\\\ $HOME ${{PATH}} $((1+1)) * ? ~ & | ; < > ( ) {{ }} # {m}"),
        format!("'\"'\"'; touch {m} #"),
        format!("\\\ntouch {m}"),
    ];
    for value in values {
        let (outcome, log) = run(&server, &folder, &value).await;
        assert_eq!(outcome, Outcome::Completed, "value {value:?}");
        let expected: String = CONTEXTS.iter().map(|_| format!("{value}\n")).collect();
        assert_eq!(log, expected, "value {value:?}");
        assert!(
            !marker.exists(),
            "value {value:?} ran a command on the host"
        );
    }
}

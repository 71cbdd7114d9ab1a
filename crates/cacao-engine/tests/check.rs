//! The pre-run check: revoked and out-of-window playbooks, missing executors and unsupported
//! target types are all refused in one structured list.

mod common;

use std::sync::Arc;

use cacao_engine::{Engine, EngineError, ExecutorRegistry, Problem, Start};
use common::{Recorder, action, playbook};
use serde_json::json;

#[tokio::test]
async fn every_reason_not_to_run_is_listed_at_once() {
    let mut document = serde_json::to_value(&*playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("A", json!({"on_completion": "action--b"})),
            "action--b": {"type": "action", "agent": "ssh--far", "targets": ["http-api--api"],
                "commands": [{"type": "ssh", "command": "uptime"}, {"type": "x-custom", "command": "x"}],
                "on_completion": "end--e"},
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    ))
    .unwrap();
    document["revoked"] = json!(true);
    document["valid_until"] = json!("2020-01-01T00:00:00.000Z");
    document["agent_definitions"]["ssh--far"] = json!({"type": "ssh", "name": "far"});
    document["target_definitions"] = json!({"http-api--api": {"type": "http-api", "name": "api"}});
    let playbook = Arc::new(cacao_model::Playbook::from_value(document).unwrap());

    // Only bash commands have an executor here.
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(Recorder::default()));
    let result = Engine::new(registry).run(playbook, Start::default()).await;
    let Err(EngineError::Refused(refusal)) = result else {
        panic!("refused expected");
    };
    let problems = refusal.problems;
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::Revoked { .. }))
    );
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, Problem::NoLongerValid { .. }))
    );
    for missing in ["ssh", "x-custom"] {
        assert!(
            problems.iter().any(|p| matches!(p,
                Problem::MissingExecutor { command_type, steps } if command_type == missing && steps == &["action--b".to_owned()])),
            "{missing}: {problems:?}"
        );
    }
    let json = serde_json::to_value(&problems).unwrap();
    assert_eq!(json[0]["problem"], "revoked");
    let text = EngineError::Refused(cacao_engine::Refusal { problems }).to_string();
    assert!(
        text.contains("no executor for command type `ssh`"),
        "{text}"
    );
}

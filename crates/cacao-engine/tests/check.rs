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

/// A `bash` executor that reaches only `linux` targets, around the shared recorder.
struct LinuxOnly(common::Recorder);

impl cacao_engine::Executor for LinuxOnly {
    fn command_types(&self) -> Vec<cacao_model::CommandType> {
        self.0.command_types()
    }

    fn supports_target_type(&self, target_type: &str) -> bool {
        target_type == "linux"
    }

    fn execute<'a>(
        &'a self,
        request: &'a cacao_engine::CommandRequest,
    ) -> cacao_engine::executor::BoxFuture<
        'a,
        Result<cacao_engine::CommandOutcome, cacao_engine::ExecutorError>,
    > {
        self.0.execute(request)
    }
}

/// Only targets must be reachable: an agent of a custom type (SOARCA's `soarca`, say) names who
/// runs the commands and passes, while a target the executor cannot reach is refused.
#[tokio::test]
async fn agent_types_are_not_checked_against_executors_but_target_types_are() {
    let custom_agent = |targets: serde_json::Value| {
        let mut document = serde_json::to_value(&*playbook(
            json!({
                "start--s": {"type": "start", "on_completion": "action--a"},
                "action--a": {"type": "action", "agent": "soarca--agent", "targets": targets,
                    "commands": [{"type": "bash", "command": "A"}], "on_completion": "end--e"},
                "end--e": {"type": "end"}
            }),
            json!({}),
            None,
        ))
        .unwrap();
        document["agent_definitions"]["soarca--agent"] =
            json!({"type": "soarca", "name": "soarca-instance"});
        document["target_definitions"] = json!({
            "linux--host": {"type": "linux", "name": "host"},
            "http-api--api": {"type": "http-api", "name": "api"}
        });
        Arc::new(cacao_model::Playbook::from_value(document).unwrap())
    };
    let engine = || {
        let mut registry = ExecutorRegistry::new();
        registry.register(Arc::new(LinuxOnly(common::Recorder::default())));
        Engine::new(registry)
    };

    let report = engine()
        .run(custom_agent(json!(["linux--host"])), Start::default())
        .await
        .expect("a custom agent type with a reachable target runs");
    assert_eq!(
        report.outcome,
        cacao_engine::Outcome::Completed,
        "{report:?}"
    );

    let refused = engine()
        .run(custom_agent(json!(["http-api--api"])), Start::default())
        .await;
    let Err(EngineError::Refused(refusal)) = refused else {
        panic!("an unreachable target type is refused");
    };
    assert_eq!(
        refusal.problems,
        vec![Problem::UnsupportedTargetType {
            command_type: "bash".into(),
            target_type: "http-api".into(),
            steps: vec!["action--a".into()],
        }]
    );
}

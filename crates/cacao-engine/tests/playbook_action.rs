//! playbook-action: the called playbook comes from the library by id and version, gets in_args,
//! runs with its own variables, returns out_args; a missing playbook is refused before running.

mod common;

use std::sync::Arc;

use cacao_engine::{EngineError, Outcome, PlaybookLibrary, Problem, Start};
use common::{Behaviour, Recorder, action, engine};
use indexmap::IndexMap;
use serde_json::json;

fn callee(modified: &str, marker: &str) -> Arc<cacao_model::Playbook> {
    let mut body = action(
        &format!("{marker} __target__:value"),
        json!({"on_completion": "end--e"}),
    );
    body["out_args"] = json!(["__verdict__"]);
    Arc::new(
        cacao_model::Playbook::from_value(json!({
            "type": "playbook", "spec_version": "cacao-2.0",
            "id": "playbook--00000000-0000-4000-8000-0000000000ca", "name": "callee",
            "created_by": "identity--00000000-0000-4000-8000-000000000002",
            "created": "2025-01-01T00:00:00.000Z", "modified": modified,
            "workflow_start": "start--s",
            "playbook_variables": {
                "__target__": {"type": "string", "external": true},
                "__verdict__": {"type": "string", "value": ""}
            },
            "workflow": {
                "start--s": {"type": "start", "on_completion": "action--body"},
                "action--body": body,
                "end--e": {"type": "end"}
            },
            "agent_definitions": {"linux--agent": {"type": "linux", "name": "there"}}
        }))
        .unwrap(),
    )
}

fn caller(version: Option<&str>) -> Arc<cacao_model::Playbook> {
    let mut call = json!({"type": "playbook-action",
        "playbook_id": "playbook--00000000-0000-4000-8000-0000000000ca",
        "in_args": ["__target__"], "out_args": ["__verdict__"], "on_completion": "action--after"});
    if let Some(version) = version {
        call["playbook_version"] = json!(version);
    }
    common::playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "playbook-action--call"},
            "playbook-action--call": call,
            "action--after": action("after __verdict__:value", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({
            "__target__": {"type": "string", "value": "host-7"},
            "__verdict__": {"type": "string", "value": "unknown"}
        }),
        None,
    )
}

fn recorder() -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::default());
    for marker in ["old", "new"] {
        recorder.behave(
            &format!("{marker} 'host-7'"),
            Behaviour {
                results: IndexMap::from([("__verdict__".to_owned(), format!("{marker}-clean"))]),
                ..Behaviour::default()
            },
        );
    }
    recorder
}

fn library() -> PlaybookLibrary {
    let mut library = PlaybookLibrary::new();
    library.add(callee("2025-01-01T00:00:00.000Z", "old"));
    library.add(callee("2025-06-01T00:00:00.000Z", "new"));
    library
}

#[tokio::test]
async fn the_newest_version_runs_with_in_args_and_returns_out_args() {
    let recorder = recorder();
    let report = engine(&recorder)
        .with_library(library())
        .run(caller(None), Start::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(recorder.ran(), ["new 'host-7'", "after 'new-clean'"]);
}

#[tokio::test]
async fn playbook_version_selects_the_version_whose_modified_matches() {
    let recorder = recorder();
    engine(&recorder)
        .with_library(library())
        .run(caller(Some("2025-01-01T00:00:00.000Z")), Start::default())
        .await
        .unwrap();
    assert_eq!(recorder.ran(), ["old 'host-7'", "after 'old-clean'"]);
}

#[tokio::test]
async fn a_playbook_missing_from_the_library_is_refused_before_anything_runs() {
    let recorder = recorder();
    let result = engine(&recorder)
        .with_library(library())
        .run(caller(Some("2020-01-01T00:00:00.000Z")), Start::default())
        .await;
    let Err(EngineError::Refused(refusal)) = result else {
        panic!("refused expected");
    };
    assert!(matches!(
        &refusal.problems[..],
        [Problem::MissingPlaybook { playbook_version: Some(version), .. }] if version == "2020-01-01T00:00:00.000Z"
    ));
    assert!(recorder.ran().is_empty());
}

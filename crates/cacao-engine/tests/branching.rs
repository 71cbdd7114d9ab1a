//! if-condition, while-condition and switch-condition: branch choice, the branching step's own
//! routing afterwards, the while guard, and a condition that does not parse.

mod common;

use std::sync::Arc;

use cacao_engine::{EngineConfig, Outcome, Start};
use common::{Behaviour, Recorder, action, engine, failed_steps, playbook};
use indexmap::IndexMap;
use serde_json::json;

#[tokio::test]
async fn if_takes_on_true_or_on_false_then_its_own_next_step() {
    let recorder = Arc::new(Recorder::default());
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "if-condition--1"},
            "if-condition--1": {"type": "if-condition", "condition": "__n__:value = 5",
                "on_true": "action--t1", "on_completion": "if-condition--2"},
            "action--t1": action("T1", json!({"on_completion": "end--t1"})),
            "end--t1": {"type": "end"},
            "if-condition--2": {"type": "if-condition", "condition": "[__n__:value > 5]",
                "on_true": "action--w", "on_false": "action--f2", "on_completion": "if-condition--3"},
            "action--f2": action("F2", json!({"on_completion": "end--f2"})),
            "end--f2": {"type": "end"},
            "if-condition--3": {"type": "if-condition", "condition": "__n__:value < 5",
                "on_true": "action--w", "on_completion": "action--after"},
            "action--w": action("WRONG", json!({"on_completion": "end--w"})),
            "end--w": {"type": "end"},
            "action--after": action("after", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({"__n__": {"type": "integer", "value": "5"}}),
        None,
    );
    let report = engine(&recorder)
        .run(playbook, Start::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(recorder.ran(), ["T1", "F2", "after"]);
}

#[tokio::test]
async fn while_loops_on_out_args_and_the_guard_stops_an_endless_loop() {
    let recorder = Arc::new(Recorder::default());
    for (current, next) in [("0", "1"), ("1", "2"), ("2", "3")] {
        recorder.behave(
            &format!("count '{current}'"),
            Behaviour {
                results: IndexMap::from([("__i__".to_owned(), next.to_owned())]),
                ..Behaviour::default()
            },
        );
    }
    let mut body = action("count __i__:value", json!({"on_completion": "end--b"}));
    body["out_args"] = json!(["__i__"]);
    let workflow = json!({
        "start--s": {"type": "start", "on_completion": "while-condition--w"},
        "while-condition--w": {"type": "while-condition", "condition": "__i__:value < 3",
            "on_true": "action--body", "on_success": "action--after", "on_failure": "action--guard"},
        "action--body": body,
        "end--b": {"type": "end"},
        "action--after": action("after __i__:value", json!({"on_completion": "end--e"})),
        "action--guard": action("guard", json!({"on_completion": "end--e"})),
        "end--e": {"type": "end"}
    });
    let counting = playbook(
        workflow.clone(),
        json!({"__i__": {"type": "integer", "value": "0"}}),
        None,
    );
    engine(&recorder)
        .run(counting, Start::default())
        .await
        .unwrap();
    assert_eq!(
        recorder.ran(),
        ["count '0'", "count '1'", "count '2'", "after '3'"]
    );

    // With __i__ stuck below 3, the guard fails the while step after the configured count.
    let recorder = Arc::new(Recorder::default());
    let endless = playbook(
        workflow,
        json!({"__i__": {"type": "integer", "value": "-100"}}),
        None,
    );
    let engine = engine(&recorder).with_config(EngineConfig {
        max_while_iterations: 7,
        ..EngineConfig::default()
    });
    let report = engine.run(endless, Start::default()).await.unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    let ran = recorder.ran();
    assert_eq!(ran.len(), 8);
    assert_eq!(ran.last().map(String::as_str), Some("guard"));
}

#[tokio::test]
async fn switch_matches_a_case_then_default_then_nothing() {
    let recorder = Arc::new(Recorder::default());
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "switch-condition--1"},
            "switch-condition--1": {"type": "switch-condition", "switch": "__color__:value",
                "cases": {"red": "action--w1", "blue": "action--blue", "default": "action--w1"},
                "on_completion": "switch-condition--2"},
            "action--blue": action("blue", json!({"on_completion": "end--blue"})),
            "end--blue": {"type": "end"},
            "switch-condition--2": {"type": "switch-condition", "switch": "__shape__",
                "cases": {"circle": "action--w2", "default": "action--default"},
                "on_completion": "switch-condition--3"},
            "action--default": action("default", json!({"on_completion": "end--default"})),
            "end--default": {"type": "end"},
            "switch-condition--3": {"type": "switch-condition", "switch": "__size__:value",
                "cases": {"s": "action--w3"}, "on_success": "action--after", "on_failure": "action--w3"},
            "action--w1": action("WRONG1", json!({"on_completion": "end--w"})),
            "action--w2": action("WRONG2", json!({"on_completion": "end--w"})),
            "action--w3": action("WRONG3", json!({"on_completion": "end--w"})),
            "end--w": {"type": "end"},
            "action--after": action("after", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({
            "__color__": {"type": "string", "value": "blue"},
            "__shape__": {"type": "string", "value": "hexagon"},
            "__size__": {"type": "string", "value": "xl"}
        }),
        None,
    );
    let report = engine(&recorder)
        .run(playbook, Start::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(recorder.ran(), ["blue", "default", "after"]);
}

#[tokio::test]
async fn a_condition_that_does_not_parse_fails_the_step() {
    let recorder = Arc::new(Recorder::default());
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "if-condition--1"},
            "if-condition--1": {"type": "if-condition", "name": "IF", "condition": "__n__:value >",
                "on_true": "action--w", "on_success": "action--w", "on_failure": "action--h"},
            "action--w": action("WRONG", json!({"on_completion": "end--e"})),
            "action--h": action("handled", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({"__n__": {"type": "integer", "value": "5"}}),
        None,
    );
    let sink = Arc::new(cacao_engine::MemorySink::new());
    engine(&recorder)
        .run(
            playbook,
            Start {
                events: sink.clone(),
                ..Start::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(recorder.ran(), ["handled"]);
    assert_eq!(failed_steps(&sink), ["IF"]);
}

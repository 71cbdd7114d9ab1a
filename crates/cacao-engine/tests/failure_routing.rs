//! Failure routing: on_success/on_failure/on_completion, unhandled failures with and without
//! workflow_exception, and failures inside branches.

mod common;

use std::sync::Arc;

use cacao_engine::{EventType, MemorySink, Outcome, Start, Status};
use common::{Behaviour, Recorder, action, engine, failed_steps, of_type, playbook};
use serde_json::json;

fn failing(recorder: &Recorder, text: &str) {
    recorder.behave(
        text,
        Behaviour {
            fail: true,
            ..Behaviour::default()
        },
    );
}

async fn run(
    recorder: &Arc<Recorder>,
    playbook: Arc<cacao_model::Playbook>,
) -> (cacao_engine::ExecutionReport, Arc<MemorySink>) {
    let sink = Arc::new(MemorySink::new());
    let report = engine(recorder)
        .run(
            playbook,
            Start {
                events: sink.clone(),
                ..Start::default()
            },
        )
        .await
        .expect("the execution runs");
    (report, sink)
}

#[tokio::test]
async fn success_and_failure_take_their_routes_and_on_completion_takes_both() {
    let recorder = Arc::new(Recorder::default());
    failing(&recorder, "B");
    failing(&recorder, "C");
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("A", json!({"on_success": "action--b", "on_failure": "action--w"})),
            "action--b": action("B", json!({"on_success": "action--w", "on_failure": "action--c"})),
            "action--c": action("C", json!({"on_completion": "action--d"})),
            "action--d": action("D", json!({"on_completion": "end--e"})),
            "action--w": action("WRONG", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let (report, sink) = run(&recorder, playbook).await;
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(recorder.ran(), ["A", "B", "C", "D"]);
    assert_eq!(failed_steps(&sink), ["B", "C"]);
}

#[tokio::test]
async fn an_unhandled_failure_runs_the_exception_flow_then_fails() {
    let recorder = Arc::new(Recorder::default());
    failing(&recorder, "B");
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("A", json!({"on_completion": "action--b"})),
            "action--b": action("B", json!({"on_success": "action--c"})),
            "action--c": action("WRONG", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"},
            "action--x1": action("EXC1", json!({"on_completion": "action--x2"})),
            "action--x2": action("EXC2", json!({"on_completion": "end--x"})),
            "end--x": {"type": "end"}
        }),
        json!({}),
        Some("action--x1"),
    );
    let (report, sink) = run(&recorder, playbook).await;
    assert_eq!(report.outcome, Outcome::Failed);
    assert!(report.exception_flow_ran);
    assert_eq!(recorder.ran(), ["A", "B", "EXC1", "EXC2"]);
    let failed = of_type(&sink, EventType::ExecutionFailed);
    assert_eq!(failed[0].status, Status::ExceptionConditionError);
}

#[tokio::test]
async fn without_workflow_exception_an_unhandled_failure_ends_the_execution_at_once() {
    let recorder = Arc::new(Recorder::default());
    failing(&recorder, "B");
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--b"},
            "action--b": action("B", json!({"on_success": "action--c"})),
            "action--c": action("WRONG", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let (report, sink) = run(&recorder, playbook).await;
    assert_eq!(report.outcome, Outcome::Failed);
    assert!(!report.exception_flow_ran);
    assert_eq!(recorder.ran(), ["B"]);
    assert_eq!(
        of_type(&sink, EventType::ExecutionFailed)[0].status,
        Status::Failed
    );
}

#[tokio::test]
async fn a_failed_parallel_branch_fails_the_parallel_step_which_routes_on_failure() {
    let recorder = Arc::new(Recorder::default());
    failing(&recorder, "P2");
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "parallel--p"},
            "parallel--p": {"type": "parallel", "name": "PAR",
                "next_steps": ["action--p1", "action--p2"],
                "on_success": "action--w", "on_failure": "action--h"},
            "action--p1": action("P1", json!({"on_completion": "action--p1b"})),
            "action--p1b": action("P1B", json!({"on_completion": "end--p1"})),
            "end--p1": {"type": "end"},
            "action--p2": action("P2", json!({"on_success": "action--p2b"})),
            "action--p2b": action("WRONG-P2B", json!({"on_completion": "end--p2"})),
            "end--p2": {"type": "end"},
            "action--h": action("H", json!({"on_completion": "end--e"})),
            "action--w": action("WRONG", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let (report, sink) = run(&recorder, playbook).await;
    assert_eq!(report.outcome, Outcome::Completed);
    let mut ran = recorder.ran();
    ran.sort();
    // The sibling branch went on to P1B although P2 failed.
    assert_eq!(ran, ["H", "P1", "P1B", "P2"]);
    assert_eq!(failed_steps(&sink), ["P2", "PAR"]);
}

#[tokio::test]
async fn a_missing_next_step_fails_the_branch_instead_of_stopping_the_engine() {
    let recorder = Arc::new(Recorder::default());
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--missing"}
        }),
        json!({}),
        None,
    );
    let (report, _) = run(&recorder, playbook).await;
    assert_eq!(report.outcome, Outcome::Failed);
    assert!(report.reason.unwrap().contains("action--missing"));
}

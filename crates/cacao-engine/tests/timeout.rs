//! Delays and timeouts, on tokio's paused clock: a timed-out step fails with ACTION_TIMEOUT and
//! routes on_failure at once, delays are waited, and the default timeout applies when a step
//! sets none.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cacao_engine::{ACTION_TIMEOUT, EngineConfig, EventType, MemorySink, Outcome, Start, Status};
use common::{Behaviour, Recorder, action, engine, of_type, playbook};
use serde_json::json;

fn slow(recorder: &Recorder, text: &str, seconds: u64) {
    recorder.behave(
        text,
        Behaviour {
            sleep: Duration::from_secs(seconds),
            ..Behaviour::default()
        },
    );
}

#[tokio::test(start_paused = true)]
async fn a_timeout_fails_the_step_with_action_timeout_and_routes_on_failure() {
    let recorder = Arc::new(Recorder::default());
    slow(&recorder, "slow", 5);
    let mut slow_step = action(
        "slow",
        json!({"on_success": "action--w", "on_failure": "action--d"}),
    );
    slow_step["timeout"] = json!(300);
    let mut delayed = action("A", json!({"on_completion": "action--c"}));
    delayed["delay"] = json!(500);
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": delayed,
            "action--c": slow_step,
            "action--d": action("D", json!({"on_completion": "end--e"})),
            "action--w": action("WRONG", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );

    let sink = Arc::new(MemorySink::new());
    let began = tokio::time::Instant::now();
    let report = engine(&recorder)
        .run(
            playbook,
            Start {
                events: sink.clone(),
                ..Start::default()
            },
        )
        .await
        .unwrap();
    let elapsed = began.elapsed();

    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(recorder.ran(), ["A", "D"]);
    assert!(elapsed >= Duration::from_millis(800), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
    let failed = of_type(&sink, EventType::StepFailed);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].step_id.as_deref(), Some("action--c"));
    assert_eq!(failed[0].status, Status::TimeoutError);
    assert_eq!(failed[0].reason.as_deref(), Some(ACTION_TIMEOUT));
}

#[tokio::test(start_paused = true)]
async fn a_step_without_timeout_gets_the_default() {
    let recorder = Arc::new(Recorder::default());
    slow(&recorder, "forever", 86_400);
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("forever", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let engine = engine(&recorder).with_config(EngineConfig {
        default_step_timeout: Duration::from_secs(60),
        ..EngineConfig::default()
    });
    let sink = Arc::new(MemorySink::new());
    let began = tokio::time::Instant::now();
    let report = engine
        .run(
            playbook,
            Start {
                events: sink.clone(),
                ..Start::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        report.outcome,
        Outcome::Completed,
        "on_completion handles the timeout"
    );
    assert!(began.elapsed() < Duration::from_secs(61));
    assert_eq!(
        of_type(&sink, EventType::StepFailed)[0].status,
        Status::TimeoutError
    );
}

#[tokio::test(start_paused = true)]
async fn a_timeout_on_a_parallel_step_stops_its_branches() {
    let recorder = Arc::new(Recorder::default());
    slow(&recorder, "slow", 10);
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "parallel--p"},
            "parallel--p": {"type": "parallel", "timeout": 1000,
                "next_steps": ["action--a", "action--b"], "on_failure": "action--h"},
            "action--a": action("slow", json!({"on_completion": "action--late"})),
            "action--late": action("LATE", json!({"on_completion": "end--a"})),
            "end--a": {"type": "end"},
            "action--b": action("quick", json!({"on_completion": "end--b"})),
            "end--b": {"type": "end"},
            "action--h": action("H", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let report = engine(&recorder)
        .run(playbook, Start::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    // Let aborted tasks be dropped, then check nothing of the slow branch went on.
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(recorder.ran(), ["quick", "H"]);
}

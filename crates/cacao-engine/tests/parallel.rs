//! Parallel steps: branches run at once (checked on tokio's paused clock, so the test does not
//! sleep), the join waits for every branch, and many branches cost no threads.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cacao_engine::{EventType, MemorySink, Outcome, Start};
use common::{Behaviour, Recorder, action, engine, of_type, playbook};
use serde_json::{Map, Value, json};

fn wide_parallel(branches: usize) -> Arc<cacao_model::Playbook> {
    let mut workflow = Map::new();
    workflow.insert(
        "start--s".into(),
        json!({"type": "start", "on_completion": "parallel--p"}),
    );
    let next_steps: Vec<String> = (0..branches)
        .map(|index| format!("action--b{index}"))
        .collect();
    workflow.insert(
        "parallel--p".into(),
        json!({"type": "parallel", "name": "PAR", "next_steps": next_steps, "on_completion": "action--after"}),
    );
    for index in 0..branches {
        workflow.insert(
            format!("action--b{index}"),
            action("sleep", json!({"on_completion": format!("end--b{index}")})),
        );
        workflow.insert(format!("end--b{index}"), json!({"type": "end"}));
    }
    workflow.insert(
        "action--after".into(),
        action("after", json!({"on_completion": "end--e"})),
    );
    workflow.insert("end--e".into(), json!({"type": "end"}));
    playbook(Value::Object(workflow), json!({}), None)
}

#[tokio::test(start_paused = true)]
async fn a_thousand_sleeping_branches_finish_together() {
    let recorder = Arc::new(Recorder::default());
    recorder.behave(
        "sleep",
        Behaviour {
            sleep: Duration::from_secs(1),
            ..Behaviour::default()
        },
    );
    let began = tokio::time::Instant::now();
    let sink = Arc::new(MemorySink::new());
    let report = engine(&recorder)
        .run(
            wide_parallel(1000),
            Start {
                events: sink.clone(),
                ..Start::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(report.outcome, Outcome::Completed);
    let elapsed = began.elapsed();
    assert!(
        elapsed < Duration::from_millis(1100),
        "1000 branches of 1 s took {elapsed:?} of virtual time"
    );
    let ran = recorder.ran();
    assert_eq!(ran.len(), 1001);
    assert_eq!(ran.last().map(String::as_str), Some("after"));
    let completed = of_type(&sink, EventType::StepCompleted);
    let parallel = completed
        .iter()
        .find(|event| event.step_name.as_deref() == Some("PAR"))
        .unwrap();
    assert_eq!(parallel.branches.len(), 1000);
}

#[tokio::test(start_paused = true)]
async fn the_join_waits_for_the_slowest_branch() {
    let recorder = Arc::new(Recorder::default());
    for (text, seconds) in [("fast", 1), ("slow", 5)] {
        recorder.behave(
            text,
            Behaviour {
                sleep: Duration::from_secs(seconds),
                ..Behaviour::default()
            },
        );
    }
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "parallel--p"},
            "parallel--p": {"type": "parallel", "next_steps": ["action--f", "action--w"], "on_completion": "action--after"},
            "action--f": action("fast", json!({"on_completion": "end--f"})),
            "end--f": {"type": "end"},
            "action--w": action("slow", json!({"on_completion": "end--w"})),
            "end--w": {"type": "end"},
            "action--after": action("after", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let began = tokio::time::Instant::now();
    engine(&recorder)
        .run(playbook, Start::default())
        .await
        .unwrap();
    assert!(began.elapsed() >= Duration::from_secs(5));
    assert_eq!(recorder.ran(), ["fast", "slow", "after"]);
}

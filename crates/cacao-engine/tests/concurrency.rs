//! Many executions in one process: they run side by side on one runtime, none blocks a thread
//! while it waits, and their events stay apart.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cacao_engine::{EventType, MemorySink, Outcome, Start};
use common::{Behaviour, Recorder, action, engine, playbook};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn a_hundred_executions_run_side_by_side() {
    let recorder = Arc::new(Recorder::default());
    recorder.behave(
        "wait",
        Behaviour {
            sleep: Duration::from_secs(2),
            ..Behaviour::default()
        },
    );
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("wait", json!({"on_completion": "action--b"})),
            "action--b": action("wait", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({}),
        None,
    );
    let engine = engine(&recorder);
    let sink = Arc::new(MemorySink::new());
    let began = tokio::time::Instant::now();

    let mut executions = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let engine = engine.clone();
        let playbook = Arc::clone(&playbook);
        let sink = Arc::clone(&sink);
        executions.spawn(async move {
            engine
                .run(
                    playbook,
                    Start {
                        events: sink,
                        ..Start::default()
                    },
                )
                .await
                .unwrap()
        });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(report) = executions.join_next().await {
        let report = report.unwrap();
        assert_eq!(report.outcome, Outcome::Completed);
        ids.insert(report.execution_id);
    }

    assert_eq!(ids.len(), 100);
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    let events = sink.events();
    for id in &ids {
        let own: Vec<_> = events
            .iter()
            .filter(|event| &event.execution_id == id)
            .collect();
        assert_eq!(own.first().unwrap().event_type, EventType::ExecutionStarted);
        assert_eq!(
            own.last().unwrap().event_type,
            EventType::ExecutionCompleted
        );
        assert!(own.windows(2).all(|pair| pair[1].seq == pair[0].seq + 1));
    }
}

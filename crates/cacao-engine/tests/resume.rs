//! Resume from the journal: completed steps never run again, the step that was running runs
//! again and is marked `rerun`, event sequence numbers continue, variables come back.

mod common;

use std::sync::Arc;
use std::time::Duration;

use cacao_engine::{
    Cancellation, EngineError, EventType, JournalRecord, MemoryJournal, MemorySink, Outcome, Start,
};
use common::{Behaviour, Recorder, action, engine, of_type, playbook};
use indexmap::IndexMap;
use serde_json::json;

fn three_steps() -> Arc<cacao_model::Playbook> {
    playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("A", json!({"on_completion": "action--b"})),
            "action--b": action("B", json!({"on_completion": "action--c"})),
            "action--c": action("echo __x__:value", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({"__x__": {"type": "string", "value": "initial"}}),
        None,
    )
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_execution_resumes_without_running_completed_steps_again() {
    let recorder = Arc::new(Recorder::default());
    recorder.behave(
        "A",
        Behaviour {
            results: IndexMap::from([("__x__".to_owned(), "from A".to_owned())]),
            ..Behaviour::default()
        },
    );
    recorder.behave(
        "B",
        Behaviour {
            sleep: Duration::from_secs(10),
            ..Behaviour::default()
        },
    );
    let playbook = {
        let mut document = serde_json::to_value(&*three_steps()).unwrap();
        document["workflow"]["action--a"]["out_args"] = json!(["__x__"]);
        Arc::new(cacao_model::Playbook::from_value(document).unwrap())
    };
    let journal = Arc::new(MemoryJournal::new());

    // First process: cancelled while B runs.
    let cancel = Cancellation::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        canceller.cancel();
    });
    let first_events = Arc::new(MemorySink::new());
    let report = engine(&recorder)
        .run(
            Arc::clone(&playbook),
            Start {
                events: first_events.clone(),
                journal: Some(journal.clone()),
                cancel,
                ..Start::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Cancelled);
    assert_eq!(recorder.ran(), ["A"]);
    let last_seq = first_events.events().last().unwrap().seq;

    // Second process: resumes from the journal's records.
    let records = journal.records();
    let resumed_events = Arc::new(MemorySink::new());
    recorder.behave("B", Behaviour::default());
    let report = engine(&recorder)
        .run(
            Arc::clone(&playbook),
            Start {
                events: resumed_events.clone(),
                journal: Some(journal.clone()),
                resume_from: Some(records),
                ..Start::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(report.outcome, Outcome::Completed);
    // A never ran again; B ran again; C saw the value A returned before the crash.
    assert_eq!(recorder.ran(), ["A", "B", "echo 'from A'"]);
    let restarted = of_type(&resumed_events, EventType::StepStarted);
    let b = restarted
        .iter()
        .find(|event| event.step_id.as_deref() == Some("action--b"))
        .unwrap();
    assert!(b.rerun);
    assert!(
        restarted
            .iter()
            .all(|event| event.step_id.as_deref() != Some("action--a"))
    );
    let events = resumed_events.events();
    assert_eq!(events[0].event_type, EventType::ExecutionResumed);
    assert!(events[0].seq > last_seq);
    assert!(events.windows(2).all(|pair| pair[0].seq < pair[1].seq));

    // A third attempt finds the execution finished and runs nothing.
    let again = engine(&recorder)
        .run(
            playbook,
            Start {
                resume_from: Some(journal.records()),
                ..Start::default()
            },
        )
        .await
        .unwrap();
    assert!(again.already_finished);
    assert_eq!(recorder.ran().len(), 3);
}

#[tokio::test]
async fn a_journal_of_another_playbook_is_refused() {
    let recorder = Arc::new(Recorder::default());
    let records = vec![JournalRecord::ExecutionStarted {
        seq: 0,
        execution_id: "execution--x".into(),
        playbook_id: "playbook--other".into(),
        playbook_modified: "2025-01-01T00:00:00.000Z".into(),
        variables: IndexMap::new(),
        time: "2025-01-01T00:00:00.000Z".into(),
    }];
    let result = engine(&recorder)
        .run(
            three_steps(),
            Start {
                resume_from: Some(records),
                ..Start::default()
            },
        )
        .await;
    assert!(matches!(result, Err(EngineError::Resume(_))));
    assert!(recorder.ran().is_empty());
}

#[tokio::test(start_paused = true)]
async fn resume_inside_parallel_branches_and_loops_reruns_only_what_was_running() {
    let recorder = Arc::new(Recorder::default());
    recorder.behave(
        "slow",
        Behaviour {
            sleep: Duration::from_secs(10),
            ..Behaviour::default()
        },
    );
    for (current, next) in [("0", "1"), ("1", "2")] {
        recorder.behave(
            &format!("count '{current}'"),
            Behaviour {
                results: IndexMap::from([("__i__".to_owned(), next.to_owned())]),
                ..Behaviour::default()
            },
        );
    }
    let mut body = action("count __i__:value", json!({"on_completion": "end--body"}));
    body["out_args"] = json!(["__i__"]);
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "parallel--p"},
            "parallel--p": {"type": "parallel", "next_steps": ["while-condition--w", "action--s"],
                "on_completion": "action--after"},
            "while-condition--w": {"type": "while-condition", "condition": "__i__:value < 2",
                "on_true": "action--body", "on_completion": "end--w"},
            "action--body": body,
            "end--body": {"type": "end"},
            "end--w": {"type": "end"},
            "action--s": action("slow", json!({"on_completion": "end--s"})),
            "end--s": {"type": "end"},
            "action--after": action("after __i__:value", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({"__i__": {"type": "integer", "value": "0"}}),
        None,
    );
    let journal = Arc::new(MemoryJournal::new());
    let cancel = Cancellation::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        canceller.cancel();
    });
    let report = engine(&recorder)
        .run(
            Arc::clone(&playbook),
            Start {
                journal: Some(journal.clone()),
                cancel,
                ..Start::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Cancelled);
    assert_eq!(recorder.ran(), ["count '0'", "count '1'"]);

    recorder.behave("slow", Behaviour::default());
    let report = engine(&recorder)
        .run(
            playbook,
            Start {
                journal: Some(journal.clone()),
                resume_from: Some(journal.records()),
                ..Start::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    // The loop's two iterations and its decisions came from the journal; only the slow branch
    // ran again, and the loop's result reached the step after the join.
    assert_eq!(
        recorder.ran(),
        ["count '0'", "count '1'", "slow", "after '2'"]
    );
}

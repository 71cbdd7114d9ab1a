//! Execution events: what the engine tells the outside world while it runs, and the sinks that
//! receive them.
//!
//! Every event carries the execution id, a sequence number that grows by one per event of the
//! execution (and continues after a resume), the step id and name when it concerns a step, the
//! event type, a status from the CACAO workflow-status vocabulary, a reason when something
//! failed, and the time in RFC 3339 UTC with milliseconds. Events serialise to one JSON object
//! each; [`JsonLinesSink`] writes them one per line. Events never carry variable values, command
//! output or authentication info; reasons pass through the execution's redaction of secrets.

use std::io::Write;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// The execution began (not emitted again on resume).
    ExecutionStarted,
    /// An interrupted execution continues from its journal.
    ExecutionResumed,
    /// A step began (after its delay).
    StepStarted,
    /// A step ended successfully.
    StepCompleted,
    /// A step ended failed (including a timeout).
    StepFailed,
    /// The execution ended completed.
    ExecutionCompleted,
    /// The execution ended failed.
    ExecutionFailed,
    /// The execution was cancelled by the operator and can be resumed from its journal.
    ExecutionCancelled,
}

/// The CACAO workflow-status vocabulary (the non-normative `execution-status` proposal that
/// CACAO 2.0 tools use, since the specification itself defines none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The step or execution completed successfully.
    SuccessfullyExecuted,
    /// The step or execution failed.
    Failed,
    /// The step or execution is running.
    Ongoing,
    /// The step failed because its timeout expired (`ACTION_TIMEOUT`).
    TimeoutError,
    /// The execution failed and its `workflow_exception` flow ran.
    ExceptionConditionError,
    /// A step waits for an operator.
    AwaitUserInput,
    /// Something this machine could not do (a missing executor, an unreadable journal).
    ServerSideError,
}

impl Status {
    /// The vocabulary spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::SuccessfullyExecuted => "successfully_executed",
            Status::Failed => "failed",
            Status::Ongoing => "ongoing",
            Status::TimeoutError => "timeout_error",
            Status::ExceptionConditionError => "exception_condition_error",
            Status::AwaitUserInput => "await_user_input",
            Status::ServerSideError => "server_side_error",
        }
    }
}

/// One execution event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The execution (`execution--UUID`).
    pub execution_id: String,
    /// The position of this event in the execution, from 0.
    pub seq: u64,
    /// The step, for step events.
    pub step_id: Option<String>,
    /// The step's name, for step events.
    pub step_name: Option<String>,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The status after the event.
    pub status: Status,
    /// Why a step or execution failed (`ACTION_TIMEOUT` for a timeout).
    pub reason: Option<String>,
    /// When, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// The playbook whose workflow holds the step (a called playbook for steps inside a
    /// playbook-action).
    pub playbook_id: String,
    /// The step type, for step events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_type: Option<String>,
    /// The branch the step runs in: `main`, `exception`, or a path through branching steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// How many branching steps or playbook-actions enclose the step.
    #[serde(default)]
    pub depth: usize,
    /// How long the step or execution took, on its end event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The step was running when a previous process died and runs again (at least once).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rerun: bool,
    /// For a branching step's end event: the branches it ran (`on_true`, `on_false`, a case
    /// value, `default`, `next_steps[i]`, or `iteration N` for a while loop).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
    /// For an action step's end event: the command types it ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_types: Vec<String>,
}

/// Receives events. Implementations must not block: the engine calls `emit` from its tasks.
pub trait EventSink: Send + Sync {
    /// Takes one event.
    fn emit(&self, event: &Event);
}

/// Drops every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&self, _event: &Event) {}
}

/// Keeps every event in memory; for tests and for embedding.
#[derive(Debug, Default)]
pub struct MemorySink {
    events: Mutex<Vec<Event>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl EventSink for MemorySink {
    fn emit(&self, event: &Event) {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(event.clone());
    }
}

/// Forwards events to a channel, for a consumer task (a renderer, a network publisher).
#[derive(Debug, Clone)]
pub struct ChannelSink {
    sender: tokio::sync::mpsc::UnboundedSender<Event>,
}

impl ChannelSink {
    /// A sink and the receiver that gets its events.
    pub fn new() -> (Self, tokio::sync::mpsc::UnboundedReceiver<Event>) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        (Self { sender }, receiver)
    }
}

impl EventSink for ChannelSink {
    fn emit(&self, event: &Event) {
        // A consumer that went away no longer wants events.
        let _ = self.sender.send(event.clone());
    }
}

/// Writes each event as one JSON line and flushes it, so a reader sees it at once.
#[derive(Debug)]
pub struct JsonLinesSink<W: Write + Send> {
    writer: Mutex<W>,
}

impl<W: Write + Send> JsonLinesSink<W> {
    /// A sink writing to `writer`.
    pub fn new(writer: W) -> Self {
        Self {
            writer: Mutex::new(writer),
        }
    }
}

impl<W: Write + Send> EventSink for JsonLinesSink<W> {
    fn emit(&self, event: &Event) {
        let mut line = serde_json::to_vec(event).expect("an event always serialises");
        line.push(b'\n');
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(error) = writer.write_all(&line).and_then(|()| writer.flush()) {
            tracing::error!(%error, "cannot write an execution event");
        }
    }
}

/// Sends every event to several sinks.
#[derive(Default)]
pub struct FanOut {
    sinks: Vec<std::sync::Arc<dyn EventSink>>,
}

impl FanOut {
    /// A fan-out to `sinks`.
    pub fn new(sinks: Vec<std::sync::Arc<dyn EventSink>>) -> Self {
        Self { sinks }
    }
}

impl EventSink for FanOut {
    fn emit(&self, event: &Event) {
        for sink in &self.sinks {
            sink.emit(event);
        }
    }
}

/// Now, as events write it.
pub(crate) fn now() -> String {
    format!("{:.3}", jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_the_listed_fields() {
        let event = Event {
            execution_id: "execution--1".into(),
            seq: 3,
            step_id: Some("action--2".into()),
            step_name: Some("B".into()),
            event_type: EventType::StepFailed,
            status: Status::TimeoutError,
            reason: Some("ACTION_TIMEOUT".into()),
            time: "2025-01-01T00:00:00.000Z".into(),
            playbook_id: "playbook--3".into(),
            step_type: Some("action".into()),
            branch: Some("main".into()),
            depth: 0,
            duration_ms: Some(300),
            rerun: false,
            branches: Vec::new(),
            command_types: vec!["bash".into()],
        };
        let json: serde_json::Value = serde_json::to_value(&event).unwrap();
        for key in [
            "execution_id",
            "seq",
            "step_id",
            "step_name",
            "type",
            "status",
            "reason",
            "time",
        ] {
            assert!(json.get(key).is_some(), "{key} missing");
        }
        assert_eq!(json["type"], "step_failed");
        assert_eq!(json["status"], "timeout_error");
        assert!(json.get("rerun").is_none());
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn json_lines_sink_writes_one_line_per_event() {
        let sink = JsonLinesSink::new(Vec::new());
        let mut event = Event {
            execution_id: "execution--1".into(),
            seq: 0,
            step_id: None,
            step_name: None,
            event_type: EventType::ExecutionStarted,
            status: Status::Ongoing,
            reason: None,
            time: now(),
            playbook_id: "playbook--3".into(),
            step_type: None,
            branch: None,
            depth: 0,
            duration_ms: None,
            rerun: false,
            branches: Vec::new(),
            command_types: Vec::new(),
        };
        sink.emit(&event);
        event.seq = 1;
        sink.emit(&event);
        let written = String::from_utf8(sink.writer.into_inner().unwrap()).unwrap();
        assert_eq!(written.lines().count(), 2);
        assert!(
            written
                .lines()
                .all(|line| line.contains("\"step_id\":null"))
        );
    }
}

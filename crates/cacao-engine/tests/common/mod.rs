//! Helpers shared by the engine's integration tests: small playbooks written as JSON, and a
//! recording executor that stands in for a remote system (the bash executor lives in another
//! crate and has its own tests).

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cacao_engine::executor::BoxFuture;
use cacao_engine::{
    CommandOutcome, CommandRequest, Engine, Event, EventType, Executor, ExecutorError,
    ExecutorRegistry, MemorySink,
};
use cacao_model::{CommandType, Playbook};
use indexmap::IndexMap;
use serde_json::{Value, json};

/// A playbook from its workflow (ids to steps), start id, variables and exception step.
pub fn playbook(workflow: Value, variables: Value, exception: Option<&str>) -> Arc<Playbook> {
    let mut document = json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": "playbook--00000000-0000-4000-8000-000000000001",
        "name": "test",
        "created_by": "identity--00000000-0000-4000-8000-000000000002",
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "workflow_start": "start--s",
        "workflow": workflow,
        "playbook_variables": variables,
        "agent_definitions": {
            "linux--agent": {"type": "linux", "name": "here"}
        }
    });
    if let Some(exception) = exception {
        document["workflow_exception"] = json!(exception);
    }
    Arc::new(Playbook::from_value(document).expect("a test playbook"))
}

/// An action step running one `test` command that writes `marker` and has these routes.
pub fn action(marker: &str, routes: Value) -> Value {
    let mut step = json!({
        "type": "action",
        "name": marker,
        "agent": "linux--agent",
        "commands": [{"type": "bash", "command": marker}]
    });
    for (key, value) in routes.as_object().expect("routes").iter() {
        step[key] = value.clone();
    }
    step
}

/// What the recording executor does for one command text.
#[derive(Clone, Default)]
pub struct Behaviour {
    pub fail: bool,
    pub reason: Option<String>,
    pub sleep: Duration,
    pub results: IndexMap<String, String>,
}

/// Runs `bash` commands by recording their text; commands do what `behaviours` say (success,
/// no results and no delay by default).
#[derive(Default)]
pub struct Recorder {
    pub behaviours: Mutex<HashMap<String, Behaviour>>,
    pub ran: Mutex<Vec<String>>,
    pub requests: Mutex<Vec<CommandRequest>>,
}

impl Recorder {
    pub fn behave(&self, text: &str, behaviour: Behaviour) {
        self.behaviours
            .lock()
            .unwrap()
            .insert(text.to_owned(), behaviour);
    }

    pub fn ran(&self) -> Vec<String> {
        self.ran.lock().unwrap().clone()
    }
}

impl Executor for Recorder {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::Bash]
    }

    fn supports_target_type(&self, _target_type: &str) -> bool {
        true
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(async move {
            let text = request.command.command.clone().unwrap_or_default();
            let behaviour = self
                .behaviours
                .lock()
                .unwrap()
                .get(&text)
                .cloned()
                .unwrap_or_default();
            self.requests.lock().unwrap().push(request.clone());
            if !behaviour.sleep.is_zero() {
                tokio::time::sleep(behaviour.sleep).await;
            }
            self.ran.lock().unwrap().push(text);
            Ok(CommandOutcome {
                success: !behaviour.fail,
                results: behaviour.results,
                reason: behaviour.fail.then(|| {
                    behaviour
                        .reason
                        .unwrap_or_else(|| "told to fail".to_owned())
                }),
            })
        })
    }
}

/// An engine whose `bash` commands go to `recorder`.
pub fn engine(recorder: &Arc<Recorder>) -> Engine {
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::clone(recorder) as Arc<dyn Executor>);
    Engine::new(registry)
}

/// The events of `sink` of one type, as (step name, reason).
pub fn of_type(sink: &MemorySink, event_type: EventType) -> Vec<Event> {
    sink.events()
        .into_iter()
        .filter(|event| event.event_type == event_type)
        .collect()
}

/// The names of the steps that failed, in order.
pub fn failed_steps(sink: &MemorySink) -> Vec<String> {
    of_type(sink, EventType::StepFailed)
        .into_iter()
        .filter_map(|event| event.step_name)
        .collect()
}

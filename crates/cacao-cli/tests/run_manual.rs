//! `cacao run` with a manual step answered from a file: the step announces that it waits for a
//! person (`await_user_input`), the answer's values reach the variables, and the run completes.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

#[test]
fn a_manual_step_waits_for_a_person_and_takes_the_answer() {
    let directory = tempfile::tempdir().unwrap();
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/run"
    ));
    let mut playbook: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("seq-basic.json")).unwrap())
            .unwrap();

    // Step B becomes a task for a responder, who returns a ticket number; C logs it.
    let workflow = playbook["workflow"].as_object_mut().unwrap();
    let step_id = |name: &str| {
        workflow
            .iter()
            .find(|(_, step)| step["name"] == name)
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let (b, c) = (step_id("B"), step_id("C"));
    workflow[&b]["commands"] =
        json!([{"type": "manual", "command": "Isolate the host and open a ticket"}]);
    workflow[&b]["out_args"] = json!(["__ticket__"]);
    workflow[&c]["commands"] =
        json!([{"type": "bash", "command": "echo ticket=__ticket__:value >> __log__:value"}]);
    playbook["playbook_variables"]["__ticket__"] = json!({"type": "string", "value": ""});
    let file = directory.path().join("manual.json");
    std::fs::write(&file, serde_json::to_string_pretty(&playbook).unwrap()).unwrap();

    let answers = directory.path().join("answers.json");
    std::fs::write(
        &answers,
        json!({ b.clone(): {"0": {"outcome": "success", "results": {"__ticket__": "INC-1042"}}} })
            .to_string(),
    )
    .unwrap();
    let log = directory.path().join("log.txt");
    let events = directory.path().join("events.jsonl");

    let output = Command::new(env!("CARGO_BIN_EXE_cacao"))
        .arg("run")
        .arg(&file)
        .arg("--var")
        .arg(format!("__log__={}", log.display()))
        .arg("--answers")
        .arg(&answers)
        .arg("--events")
        .arg(&events)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "A\nticket=INC-1042\n"
    );

    let events: Vec<Value> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let status_of = |step: &str, kind: &str| {
        events
            .iter()
            .find(|event| event["step_id"] == step && event["type"] == kind)
            .map(|event| event["status"].clone())
    };
    assert_eq!(
        status_of(&b, "step_started"),
        Some(json!("await_user_input"))
    );
    assert_eq!(
        status_of(&b, "step_completed"),
        Some(json!("successfully_executed"))
    );
    assert_eq!(status_of(&c, "step_started"), Some(json!("ongoing")));
}

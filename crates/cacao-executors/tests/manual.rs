//! The manual executor: the conversation with an operator (over in-memory streams standing in
//! for the terminal), cancellation while waiting for a person, and answers files.

mod common;

use std::time::Duration;

use cacao_engine::executor::{CommandRequest, Executor, ExecutorError};
use cacao_executors::manual::ManualExecutor;
use common::{add_target, command, request, target};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

struct Operator {
    keyboard: DuplexStream,
    screen: DuplexStream,
}

impl Operator {
    async fn types(&mut self, text: &str) {
        self.keyboard.write_all(text.as_bytes()).await.unwrap();
    }

    async fn has_seen(mut self) -> String {
        drop(self.keyboard);
        let mut seen = String::new();
        self.screen.read_to_string(&mut seen).await.unwrap();
        seen
    }
}

fn executor_with_operator() -> (ManualExecutor, Operator) {
    let (keyboard, executor_input) = tokio::io::duplex(64 * 1024);
    let (executor_output, screen) = tokio::io::duplex(64 * 1024);
    let executor = ManualExecutor::with_streams(executor_input, executor_output);
    (executor, Operator { keyboard, screen })
}

fn manual_request(text: &str, out_args: &[&str]) -> CommandRequest {
    let mut request = request(command("manual", text));
    request.step_name = Some("Isolate the host".into());
    request.out_args = out_args.iter().map(|name| (*name).to_owned()).collect();
    add_target(
        &mut request,
        "individual--1",
        target("individual", json!({}), None),
        None,
    );
    request
}

#[tokio::test]
async fn the_operator_reports_a_failure_with_values_and_a_reason() {
    let (executor, mut operator) = executor_with_operator();
    let request = manual_request(
        "Unplug the host\nfrom rack 4 \u{1b}[2J",
        &["__ticket__", "__who__"],
    );
    operator
        .types("maybe\nf\nINC-7\n\nthe owner was unreachable\n")
        .await;

    let outcome = executor.execute(&request).await.unwrap();
    assert!(!outcome.success);
    assert_eq!(
        outcome.results.get("__ticket__").map(String::as_str),
        Some("INC-7")
    );
    assert!(
        !outcome.results.contains_key("__who__"),
        "an empty answer leaves it unset"
    );
    assert_eq!(outcome.reason.as_deref(), Some("the owner was unreachable"));

    drop(executor);
    let seen = operator.has_seen().await;
    assert!(seen.contains("Isolate the host (action--"), "{seen}");
    assert!(
        seen.contains("    Unplug the host\n    from rack 4 \\u{1b}[2J"),
        "{seen}"
    );
    assert!(
        seen.contains("Target:  individual under test (individual, individual--1)"),
        "{seen}"
    );
    assert!(
        seen.contains("Please answer s (success) or f (failure)"),
        "{seen}"
    );
    assert!(seen.contains("Value for __ticket__"), "{seen}");
    assert!(
        !seen.contains('\u{1b}'),
        "an escape sequence reached the terminal"
    );
}

#[tokio::test]
async fn a_success_asks_no_reason() {
    let (executor, mut operator) = executor_with_operator();
    operator.types("success\n").await;
    let outcome = executor
        .execute(&manual_request("Call the SOC", &[]))
        .await
        .unwrap();
    assert!(outcome.success);
    assert!(outcome.results.is_empty());
    assert_eq!(outcome.reason, None);
}

#[tokio::test]
async fn a_closed_terminal_is_an_error() {
    let (executor, operator) = executor_with_operator();
    drop(operator);
    let error = executor
        .execute(&manual_request("Call the SOC", &[]))
        .await
        .unwrap_err();
    assert!(matches!(error, ExecutorError::Unavailable(_)), "{error}");
}

#[tokio::test(flavor = "current_thread")]
async fn waiting_for_the_operator_blocks_nothing_and_a_timeout_withdraws_the_question() {
    let (executor, mut operator) = executor_with_operator();
    let request = manual_request("Call the SOC", &[]);

    // On a single-threaded runtime, a read that blocked the thread would stop this timeout from
    // ever firing.
    let waited = tokio::time::timeout(Duration::from_millis(50), executor.execute(&request)).await;
    assert!(waited.is_err(), "nobody answered, yet the command ended");

    // The next question is asked and answered normally.
    operator.types("s\n").await;
    let outcome = tokio::time::timeout(Duration::from_secs(5), executor.execute(&request))
        .await
        .expect("the executor still answers after a withdrawn question")
        .unwrap();
    assert!(outcome.success);
}

#[tokio::test]
async fn answers_come_from_the_file_by_step_and_command_index() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("answers.json");
    std::fs::write(
        &path,
        json!({
            "action--00000000-0000-4000-8000-000000000002": {
                "0": {"outcome": "success", "results": {"__ticket__": "INC-1042"}},
                "1": [{"outcome": "failure", "reason": "still infected"}, {"outcome": "success"}]
            }
        })
        .to_string(),
    )
    .unwrap();
    let executor = ManualExecutor::from_answers_file(&path).unwrap();
    assert_eq!(executor.unavailable_reason(), None);

    let mut request = manual_request("Open a ticket", &["__ticket__"]);
    let outcome = executor.execute(&request).await.unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.results["__ticket__"], "INC-1042");

    request.command_index = 1;
    let first = executor.execute(&request).await.unwrap();
    assert!(!first.success);
    assert_eq!(first.reason.as_deref(), Some("still infected"));
    assert!(executor.execute(&request).await.unwrap().success);
    let error = executor.execute(&request).await.unwrap_err();
    assert!(error.to_string().contains("this is run 3"), "{error}");

    request.command_index = 2;
    let error = executor.execute(&request).await.unwrap_err();
    assert!(matches!(error, ExecutorError::Invalid(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains("no answer for step action--00000000-0000-4000-8000-000000000002 command 2")
    );
}

#[tokio::test]
async fn a_bad_answers_file_is_refused_with_its_path_and_place() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("answers.json");
    std::fs::write(&path, r#"{"action--1": {"0": {"outcome": "sucess"}}}"#).unwrap();
    let message = ManualExecutor::from_answers_file(&path)
        .unwrap_err()
        .to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("/action--1/0/outcome"), "{message}");

    let missing = folder.path().join("missing.json");
    let message = ManualExecutor::from_answers_file(&missing)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("cannot read the answers file"),
        "{message}"
    );

    // Registered anyway, the executor reports the problem to the capability check.
    let executor = ManualExecutor::for_answers_file(Some(&path));
    let reason = executor.unavailable_reason().expect("reported");
    assert!(reason.contains("/action--1/0/outcome"), "{reason}");
    let error = executor
        .execute(&manual_request("Call the SOC", &[]))
        .await
        .unwrap_err();
    assert!(matches!(error, ExecutorError::Unavailable(_)), "{error}");
}

#[tokio::test]
async fn without_a_terminal_the_capability_check_says_so() {
    let terminal_opens = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok();
    let executor = ManualExecutor::terminal();
    match executor.unavailable_reason() {
        Some(reason) => {
            assert!(!terminal_opens);
            assert!(reason.contains("--answers FILE"), "{reason}");
        }
        None => assert!(terminal_opens),
    }
}

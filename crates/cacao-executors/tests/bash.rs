//! The bash executor against the real bash: results, CACAO_OUTPUT, exit codes, and that a
//! dropped (timed-out or cancelled) command takes its whole process group with it.

use std::time::{Duration, Instant};

use cacao_engine::{CommandRequest, Executor};
use cacao_executors::bash::{BashExecutor, OUTPUT_LIMIT};
use cacao_model::{Command, CommandType};

fn request(text: &str) -> CommandRequest {
    CommandRequest {
        execution_id: "execution--test".into(),
        step_id: "action--test".into(),
        step_name: None,
        out_args: Vec::new(),
        command_index: 0,
        command: Command {
            command_type: CommandType::Bash,
            command: Some(text.into()),
            ..Command::default()
        },
        agent: None,
        targets: Vec::new(),
        authentication_info: indexmap::IndexMap::new(),
        timeout: None,
    }
}

#[tokio::test]
async fn results_carry_stdout_stderr_exit_code_and_cacao_output_values() {
    let executor = BashExecutor::new();
    let outcome = executor
        .execute(&request(
            "printf out; printf err >&2; echo '__count__=3' >> \"$CACAO_OUTPUT\"; \
             echo 'not a result' >> \"$CACAO_OUTPUT\"; echo '__msg__=a=b c' >> \"$CACAO_OUTPUT\"; exit 4",
        ))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__stdout__"], "out");
    assert_eq!(outcome.results["__stderr__"], "err");
    assert_eq!(outcome.results["__exit_code__"], "4");
    assert_eq!(outcome.results["__count__"], "3");
    assert_eq!(outcome.results["__msg__"], "a=b c");
    assert_eq!(outcome.results.len(), 5);
    assert_eq!(outcome.reason.as_deref(), Some("bash exited with status 4"));

    let success = executor.execute(&request("true")).await.unwrap();
    assert!(success.success);
    assert_eq!(success.results["__exit_code__"], "0");
}

#[tokio::test]
async fn a_command_cannot_forge_its_own_results_through_cacao_output() {
    let outcome = BashExecutor::new()
        .execute(&request(
            "printf real; echo '__exit_code__=0' >> \"$CACAO_OUTPUT\"; \
             echo '__stdout__=forged' >> \"$CACAO_OUTPUT\"; exit 3",
        ))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__exit_code__"], "3");
    assert_eq!(outcome.results["__stdout__"], "real");
}

#[tokio::test]
async fn dropping_the_command_kills_its_whole_process_group() {
    let directory = tempfile::tempdir().unwrap();
    let pid_file = directory.path().join("pid");
    let text = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
    let executor = BashExecutor::new();
    let request = request(&text);
    let timed_out =
        tokio::time::timeout(Duration::from_millis(500), executor.execute(&request)).await;
    assert!(timed_out.is_err());

    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Gone, or a zombie waiting for its reaper: either way, not running.
        let running = stat
            .split(") ")
            .nth(1)
            .is_some_and(|rest| !rest.starts_with('Z'));
        if !running {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the background sleep {pid} survived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn background_children_do_not_hold_the_step_open() {
    let executor = BashExecutor::new();
    let began = Instant::now();
    let outcome = executor
        .execute(&request("sleep 30 & echo started"))
        .await
        .unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.results["__stdout__"], "started\n");
    assert!(began.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn output_held_open_from_outside_the_process_group_is_read_for_a_grace_period_only() {
    // `setsid` puts the sleep in a session of its own, out of reach of the group kill; it keeps
    // the stdout pipe open after bash exits. What came before is kept; the wait is bounded.
    let executor = BashExecutor::new();
    let began = Instant::now();
    let outcome = executor
        .execute(&request(
            "echo before; setsid sleep 8 & echo $! >&2; sleep 0.3; echo after",
        ))
        .await
        .unwrap();
    let waited = began.elapsed();
    assert!(outcome.success);
    assert_eq!(outcome.results["__stdout__"], "before\nafter\n");
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(6),
        "waited {waited:?} for output after bash exited"
    );
    let escaped: i32 = outcome.results["__stderr__"].trim().parse().unwrap();
    let _ = rustix::process::kill_process(
        rustix::process::Pid::from_raw(escaped).unwrap(),
        rustix::process::Signal::KILL,
    );
}

#[tokio::test]
async fn output_is_capped() {
    let executor = BashExecutor::new();
    let outcome = executor
        .execute(&request("head -c 3000000 /dev/zero | tr '\\0' x"))
        .await
        .unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.results["__stdout__"].len(), OUTPUT_LIMIT);
}

#[test]
fn only_local_kinds_of_agent_and_target_are_supported() {
    let executor = BashExecutor::new();
    assert!(executor.supports_target_type("linux"));
    assert!(executor.supports_target_type("net-address"));
    assert!(!executor.supports_target_type("ssh"));
    assert!(!executor.supports_target_type("http-api"));
    assert!(
        BashExecutor::with_shell("/nonexistent/bash")
            .unavailable_reason()
            .is_some()
    );
    assert!(executor.unavailable_reason().is_none());
}

//! Crash and resume: `cacao run --journal` killed with SIGKILL (or interrupted with Ctrl-C) in
//! the middle of a playbook, then resumed: completed steps do not run again, the step that was
//! running runs again (marked `rerun` in the events), and the execution completes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A, then B which (on its first run) records its process group and blocks, then C.
fn playbook(directory: &Path) -> PathBuf {
    let step = |name: &str, command: &str, next: &str| {
        json!({
            "type": "action",
            "name": name,
            "agent": "linux--5d1c7f9e-0000-4000-8000-0000000000ff",
            "commands": [{"type": "bash", "command": command}],
            "on_success": next
        })
    };
    let document = json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": "playbook--5d1c7f9e-0000-4000-8000-000000000001",
        "name": "crash and resume",
        "created_by": "identity--5d1c7f9e-0000-4000-8000-000000000002",
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "playbook_variables": {
            "__dir__": {"type": "string", "external": true}
        },
        "workflow_start": "start--5d1c7f9e-0000-4000-8000-000000000003",
        "workflow": {
            "start--5d1c7f9e-0000-4000-8000-000000000003":
                {"type": "start", "on_completion": "action--5d1c7f9e-0000-4000-8000-00000000000a"},
            "action--5d1c7f9e-0000-4000-8000-00000000000a":
                step("A", "echo A >> __dir__:value/log", "action--5d1c7f9e-0000-4000-8000-00000000000b"),
            "action--5d1c7f9e-0000-4000-8000-00000000000b":
                step("B", "d=__dir__:value; if [ -e \"$d/started\" ]; then echo B-again >> \"$d/log\"; else echo B >> \"$d/log\"; echo $$ > \"$d/started.tmp\"; mv \"$d/started.tmp\" \"$d/started\"; sleep 60; fi",
                     "action--5d1c7f9e-0000-4000-8000-00000000000c"),
            "action--5d1c7f9e-0000-4000-8000-00000000000c":
                step("C", "echo C >> __dir__:value/log", "end--5d1c7f9e-0000-4000-8000-000000000004"),
            "end--5d1c7f9e-0000-4000-8000-000000000004": {"type": "end"}
        },
        "agent_definitions": {
            "linux--5d1c7f9e-0000-4000-8000-0000000000ff": {"type": "linux", "name": "here", "address": {"dname": ["localhost"]}}
        }
    });
    let path = directory.join("playbook.json");
    std::fs::write(&path, document.to_string()).unwrap();
    path
}

fn cacao(directory: &Path, playbook: &Path, resume: bool) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cacao"));
    command
        .arg("run")
        .arg(playbook)
        .arg("--var")
        .arg(format!("__dir__={}", directory.display()))
        .arg("--journal")
        .arg(directory.join("journal.jsonl"))
        .arg("--events")
        .arg(directory.join("events.jsonl"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if resume {
        command.arg("--resume");
    }
    command
}

/// Waits (bounded) until B has started and recorded its process id.
fn wait_for_b(directory: &Path, child: &mut Child) -> i32 {
    let started = directory.join("started");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "cacao ended before B started"
        );
        assert!(Instant::now() < deadline, "B never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::read_to_string(started)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Whether any process of the group is still running (zombies awaiting their reaper do not
/// count), polled for a bounded time since the reaper runs asynchronously.
fn process_group_alive(group: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let listing = Command::new("ps")
            .args(["-e", "-o", "pgid=,stat="])
            .output()
            .unwrap();
        let alive = String::from_utf8_lossy(&listing.stdout)
            .lines()
            .any(|line| {
                let mut fields = line.split_whitespace();
                fields.next() == Some(group.to_string().as_str())
                    && !fields.next().unwrap_or("").starts_with('Z')
            });
        if !alive || Instant::now() > deadline {
            return alive;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill_process_group(group: i32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

fn events(directory: &Path) -> Vec<Value> {
    std::fs::read_to_string(directory.join("events.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn resume_and_check(directory: &Path, playbook: &Path) {
    let resumed = cacao(directory, playbook, true).output().unwrap();
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&resumed.stdout),
        String::from_utf8_lossy(&resumed.stderr)
    );
    let log = std::fs::read_to_string(directory.join("log")).unwrap();
    assert_eq!(log, "A\nB\nB-again\nC\n", "A ran once, B twice, C once");

    let events = events(directory);
    let rerun_b = events.iter().any(|event| {
        event["type"] == "step_started"
            && event["step_id"] == "action--5d1c7f9e-0000-4000-8000-00000000000b"
            && event["rerun"] == true
    });
    assert!(rerun_b, "the re-run of B is marked in the events");
    let sequence: Vec<u64> = events
        .iter()
        .map(|event| event["seq"].as_u64().unwrap())
        .collect();
    assert!(
        sequence.windows(2).all(|pair| pair[0] < pair[1]),
        "{sequence:?}"
    );
    assert_eq!(events.last().unwrap()["type"], "execution_completed");
}

#[test]
fn sigkill_mid_playbook_then_resume_completes_without_rerunning_completed_steps() {
    let directory = tempfile::tempdir().unwrap();
    let playbook = playbook(directory.path());
    let mut child = cacao(directory.path(), &playbook, false).spawn().unwrap();
    let group = wait_for_b(directory.path(), &mut child);

    child.kill().unwrap();
    child.wait().unwrap();
    // The process died without cleaning up; its orphaned command is this test's to stop.
    kill_process_group(group);

    resume_and_check(directory.path(), &playbook);
}

#[test]
fn ctrl_c_cancels_cleanly_and_the_execution_resumes() {
    let directory = tempfile::tempdir().unwrap();
    let playbook = playbook(directory.path());
    let mut child = cacao(directory.path(), &playbook, false).spawn().unwrap();
    let group = wait_for_b(directory.path(), &mut child);

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("execution cancelled"));
    assert!(
        !process_group_alive(group),
        "cancelling killed the running command's process group"
    );
    assert_eq!(
        events(directory.path()).last().unwrap()["type"],
        "execution_cancelled"
    );

    resume_and_check(directory.path(), &playbook);
}

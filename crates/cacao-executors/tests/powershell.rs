//! The powershell executor. PowerShell cannot be installed on this kind of machine (no Debian
//! package; npm's `pwsh` downloads from outside), so these tests check the capability report
//! where `pwsh` is missing and drive the process handling (arguments, encoding, output, exit
//! status, CACAO_OUTPUT, killing on cancellation) with a stand-in program that decodes
//! `-EncodedCommand` and runs the text as POSIX sh. The test with real PowerShell runs only where
//! `pwsh` is on PATH.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cacao_engine::executor::{Executor, ExecutorError};
use cacao_executors::powershell::{PowershellExecutor, PowershellOptions};
use common::{command, request};

const STAND_IN: &str = r#"#!/bin/sh
# A stand-in for pwsh: checks the arguments cacao passes and runs the decoded text as POSIX sh.
if [ "$1 $2 $3 $4 $5 $6" != "-NoLogo -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand" ]; then
    echo "unexpected arguments: $*" >&2
    exit 99
fi
text=$(printf '%s' "$7" | base64 -d | iconv -f UTF-16LE -t UTF-8; echo x)
text=${text%x}
exec sh -c "$text"
"#;

fn stand_in(folder: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let program = folder.join("pwsh");
    std::fs::write(&program, STAND_IN).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    program
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|directory| directory.join(program).is_file())
    })
}

#[tokio::test]
async fn missing_powershell_is_reported_by_the_capability_check() {
    if on_path("pwsh") {
        eprintln!("pwsh is installed here; the missing-pwsh report cannot be observed");
        return;
    }
    let executor = PowershellExecutor::new(PowershellOptions::default());
    let reason = executor
        .unavailable_reason()
        .expect("missing pwsh is reported");
    assert!(
        reason.contains("`pwsh`") && reason.contains("not installed"),
        "{reason}"
    );

    let error = executor
        .execute(&request(command("powershell", "Get-Date")))
        .await
        .unwrap_err();
    assert!(matches!(error, ExecutorError::Unavailable(_)), "{error}");
}

#[tokio::test]
async fn the_text_reaches_the_program_exactly_and_results_come_back() {
    let folder = tempfile::tempdir().unwrap();
    let executor = PowershellExecutor::new(PowershellOptions {
        program: Some(stand_in(folder.path())),
        ..Default::default()
    });
    assert_eq!(executor.unavailable_reason(), None);

    let text = "printf '%s' 'ünï \"quoted\" $(not run) `not run`'; echo err >&2; \
                echo '__host__=db-1' >> \"$CACAO_OUTPUT\"; exit 4";
    let outcome = executor
        .execute(&request(command("powershell", text)))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(
        outcome.results["__stdout__"],
        "ünï \"quoted\" $(not run) `not run`"
    );
    assert_eq!(outcome.results["__stderr__"], "err\n");
    assert_eq!(outcome.results["__exit_code__"], "4");
    assert_eq!(outcome.results["__host__"], "db-1");
    assert_eq!(outcome.reason.as_deref(), Some("pwsh exited with status 4"));

    let outcome = executor
        .execute(&request(command("powershell", "true")))
        .await
        .unwrap();
    assert!(outcome.success);
}

#[tokio::test]
async fn a_cancelled_command_is_killed_with_its_process_group() {
    let folder = tempfile::tempdir().unwrap();
    let executor = PowershellExecutor::new(PowershellOptions {
        program: Some(stand_in(folder.path())),
        ..Default::default()
    });
    let pid_file = folder.path().join("pid");
    let text = format!("sleep 300 & echo $! > {}; wait", pid_file.display());
    let request = request(command("powershell", &text));

    let started = async {
        while std::fs::read_to_string(&pid_file)
            .unwrap_or_default()
            .trim()
            .is_empty()
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::select! {
        result = executor.execute(&request) => panic!("the command ended on its own: {result:?}"),
        _ = tokio::time::timeout(Duration::from_secs(10), started) => {}
    }
    let pid = std::fs::read_to_string(&pid_file).expect("the command started");

    // The future is dropped: the group is killed at once, grandchildren included.
    let stat = PathBuf::from(format!("/proc/{}/stat", pid.trim()));
    let gone = async {
        // A killed child of a finished parent lingers as a zombie until reaped; that counts as gone.
        while std::fs::read_to_string(&stat).is_ok_and(|stat| !stat.contains(") Z ")) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), gone)
        .await
        .expect("the background process was killed");
}

#[tokio::test]
async fn real_powershell_runs_where_installed() {
    if !on_path("pwsh") {
        eprintln!(
            "\n!!!!! SKIPPED real_powershell_runs_where_installed: pwsh is not installed here !!!!!\n"
        );
        return;
    }
    let executor = PowershellExecutor::new(PowershellOptions::default());
    let text = "Write-Output 'hi'; Add-Content -Path $env:CACAO_OUTPUT -Value '__x__=1'; exit 3";
    let outcome = executor
        .execute(&request(command("powershell", text)))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__stdout__"].trim(), "hi");
    assert_eq!(outcome.results["__x__"], "1");
    assert_eq!(outcome.results["__exit_code__"], "3");
}

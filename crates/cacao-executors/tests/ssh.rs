//! The ssh executor against a real OpenSSH server (Debian's sshd) started on loopback with its own
//! configuration, host key and port: authentication, host key pinning, exit status, output,
//! CACAO_OUTPUT, exact command text and cancellation.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cacao_engine::executor::{CommandRequest, Executor, ExecutorError};
use cacao_executors::ssh::{HostKeyPolicy, SshExecutor, SshOptions};
use common::{SSH_USER, SshServer, add_target, command, request, ssh_server, user_auth};

fn executor(server: &SshServer) -> SshExecutor {
    SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(server.known_hosts.clone()),
        ..Default::default()
    })
}

fn password_request(server: &SshServer, text: &str) -> CommandRequest {
    let mut request = request(command("ssh", text));
    add_target(
        &mut request,
        "ssh--00000000-0000-4000-8000-000000000010",
        server.target(),
        Some(("user-auth--1", user_auth(SSH_USER, Some(&server.password)))),
    );
    request
}

/// A folder the remote account may write to, for commands that leave traces.
fn shared_folder(server: &SshServer) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let folder = server.directory.path().join("shared");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::set_permissions(
        server.directory.path(),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
    folder
}

#[tokio::test]
async fn password_authentication_runs_the_command_and_returns_its_results() {
    let Some(server) =
        ssh_server("password_authentication_runs_the_command_and_returns_its_results")
    else {
        return;
    };
    let text = "echo hello; echo oops >&2; echo '__answer__=42' >> \"$CACAO_OUTPUT\"; whoami";
    let outcome = executor(&server)
        .execute(&password_request(&server, text))
        .await
        .unwrap();

    assert!(outcome.success, "{outcome:?}");
    assert_eq!(
        outcome.results["__stdout__"],
        format!("hello\n{SSH_USER}\n")
    );
    assert_eq!(outcome.results["__stderr__"], "oops\n");
    assert_eq!(outcome.results["__exit_code__"], "0");
    assert_eq!(outcome.results["__answer__"], "42");
}

#[tokio::test]
async fn the_exit_status_decides_success() {
    let Some(server) = ssh_server("the_exit_status_decides_success") else {
        return;
    };
    let executor = executor(&server);

    let outcome = executor
        .execute(&password_request(&server, "echo partial; exit 3"))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__exit_code__"], "3");
    assert_eq!(outcome.results["__stdout__"], "partial\n");
    assert_eq!(
        outcome.reason.as_deref(),
        Some("the command exited with status 3")
    );

    let outcome = executor
        .execute(&password_request(&server, "false"))
        .await
        .unwrap();
    assert_eq!(outcome.results["__exit_code__"], "1");
}

#[tokio::test]
async fn key_authentication_uses_the_operators_key_file() {
    let Some(server) = ssh_server("key_authentication_uses_the_operators_key_file") else {
        return;
    };
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(server.known_hosts.clone()),
        identity_files: vec![server.client_key.clone()],
        ..Default::default()
    });
    assert_eq!(executor.unavailable_reason(), None);

    let mut request = request(command("ssh", "whoami"));
    add_target(
        &mut request,
        "ssh--1",
        server.target(),
        Some(("user-auth--1", user_auth(SSH_USER, None))),
    );
    let outcome = executor.execute(&request).await.unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.results["__stdout__"], format!("{SSH_USER}\n"));
}

#[tokio::test]
async fn an_unknown_host_is_refused() {
    let Some(server) = ssh_server("an_unknown_host_is_refused") else {
        return;
    };
    let known_hosts = server.directory.path().join("other_known_hosts");
    let pinned = std::fs::read_to_string(&server.known_hosts).unwrap();
    // The same key, pinned for another port: not this host.
    std::fs::write(
        &known_hosts,
        pinned.replace(&format!(":{}", server.port), ":1"),
    )
    .unwrap();
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(known_hosts),
        ..Default::default()
    });

    let error = executor
        .execute(&password_request(&server, "touch /tmp/never"))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ExecutorError::Unavailable(_)), "{message}");
    assert!(
        message.contains(&format!(
            "no host key is pinned for [127.0.0.1]:{}",
            server.port
        )),
        "{message}"
    );
    assert!(
        message.contains("SHA256:"),
        "the message shows the offered key: {message}"
    );
}

#[tokio::test]
async fn a_changed_host_key_is_refused() {
    let Some(server) = ssh_server("a_changed_host_key_is_refused") else {
        return;
    };
    let other_key = server.directory.path().join("other_hostkey");
    std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other_key)
        .status()
        .unwrap();
    let public = std::fs::read_to_string(other_key.with_extension("pub")).unwrap();
    let mut fields = public.split_whitespace();
    let known_hosts = server.directory.path().join("changed_known_hosts");
    std::fs::write(
        &known_hosts,
        format!(
            "# pinned before the host was replaced\n[127.0.0.1]:{} {} {}\n",
            server.port,
            fields.next().unwrap(),
            fields.next().unwrap()
        ),
    )
    .unwrap();
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(known_hosts),
        ..Default::default()
    });

    let message = executor
        .execute(&password_request(&server, "true"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("differs from the key(s) pinned"),
        "{message}"
    );
    assert!(message.contains("lines 2"), "{message}");
}

#[tokio::test]
async fn a_missing_known_hosts_file_is_reported_before_running() {
    let Some(server) = ssh_server("a_missing_known_hosts_file_is_reported_before_running") else {
        return;
    };
    let missing = server.directory.path().join("no_such_known_hosts");
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(missing.clone()),
        ..Default::default()
    });

    let reason = executor
        .unavailable_reason()
        .expect("the capability check reports it");
    assert!(reason.contains(&missing.display().to_string()), "{reason}");
    let message = executor
        .execute(&password_request(&server, "true"))
        .await
        .unwrap_err()
        .to_string();
    assert!(message.contains("cannot be checked"), "{message}");
}

#[tokio::test]
async fn turning_host_key_checking_off_is_explicit_and_logged() {
    let logs = common::captured_logs();
    let Some(server) = ssh_server("turning_host_key_checking_off_is_explicit_and_logged") else {
        return;
    };
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::InsecureAcceptAny,
        ..Default::default()
    });
    assert_eq!(executor.unavailable_reason(), None);

    let outcome = executor
        .execute(&password_request(&server, "echo ok"))
        .await
        .unwrap();
    assert!(outcome.success);
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logs.contains("host key checking is turned off"), "{logs}");
    assert!(logs.contains("WARN"), "{logs}");
}

#[tokio::test]
async fn a_wrong_password_fails_without_showing_it() {
    let Some(server) = ssh_server("a_wrong_password_fails_without_showing_it") else {
        return;
    };
    let wrong = "Wr0ng-pa55word-that-must-not-leak";
    let mut request = request(command("ssh", "true"));
    add_target(
        &mut request,
        "ssh--1",
        server.target(),
        Some(("user-auth--1", user_auth(SSH_USER, Some(wrong)))),
    );

    let error = executor(&server).execute(&request).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("refused authentication"), "{message}");
    assert!(message.contains(SSH_USER), "{message}");
    assert!(!message.contains(wrong), "{message}");
    assert!(!format!("{error:?}").contains(wrong));
}

#[tokio::test]
async fn the_command_text_runs_exactly_as_written() {
    let Some(server) = ssh_server("the_command_text_runs_exactly_as_written") else {
        return;
    };
    let folder = shared_folder(&server);
    let trap = folder.join("x");
    let trap = trap.display();
    // Shell syntax inside single quotes is data; printed back, it must come out unchanged.
    let payloads = [
        format!("'; touch {trap}; '"),
        format!("$(touch {trap})"),
        format!("`touch {trap}`"),
        format!("a\nb; touch {trap}"),
        "ünïcödé \\ \" $HOME".to_owned(),
    ];
    for payload in &payloads {
        let quoted = format!("'{}'", payload.replace('\'', r"'\''"));
        let text = format!("printf '%s' {quoted}");
        let outcome = executor(&server)
            .execute(&password_request(&server, &text))
            .await
            .unwrap();
        assert!(outcome.success, "{payload:?}: {outcome:?}");
        assert_eq!(&outcome.results["__stdout__"], payload);
    }
    assert!(!Path::new(&trap.to_string()).exists(), "a payload ran");

    // A multi-line script with a here-document and trailing blank lines arrives whole.
    let script = "cat <<'END'\nline 1\n  line 2 $(not run)\nEND\n\n\n";
    let outcome = executor(&server)
        .execute(&password_request(&server, script))
        .await
        .unwrap();
    assert_eq!(
        outcome.results["__stdout__"],
        "line 1\n  line 2 $(not run)\n"
    );
}

#[tokio::test]
async fn the_output_file_is_private_and_removed_afterwards() {
    let Some(server) = ssh_server("the_output_file_is_private_and_removed_afterwards") else {
        return;
    };
    let text = "printf '%s\\n' \"$CACAO_OUTPUT\"; stat -c '%a' \"$(dirname \"$CACAO_OUTPUT\")\"";
    let outcome = executor(&server)
        .execute(&password_request(&server, text))
        .await
        .unwrap();
    let stdout = &outcome.results["__stdout__"];
    let lines: Vec<&str> = stdout.lines().collect();
    let [path, mode] = lines[..] else {
        panic!("unexpected output {stdout:?}");
    };
    assert_eq!(mode, "700", "{stdout}");
    assert!(path.contains("cacao."), "{stdout}");
    assert!(!Path::new(path).exists(), "{path} is left behind");
}

#[tokio::test]
async fn targets_run_in_order_and_stop_at_the_first_failure() {
    let Some(server) = ssh_server("targets_run_in_order_and_stop_at_the_first_failure") else {
        return;
    };
    let counter = shared_folder(&server).join("runs");
    let text = format!(
        "n=$(cat {counter} 2>/dev/null || echo 0); echo $((n + 1)) > {counter}; exit $n",
        counter = counter.display()
    );
    let mut request = password_request(&server, &text);
    for id in ["ssh--2", "ssh--3"] {
        let auth = user_auth(SSH_USER, Some(&server.password));
        add_target(
            &mut request,
            id,
            server.target(),
            Some(("user-auth--1", auth)),
        );
    }

    let outcome = executor(&server).execute(&request).await.unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__exit_code__"], "1");
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap().trim(),
        "2",
        "the third target ran"
    );
}

#[tokio::test]
async fn a_cancelled_command_stops_on_the_host() {
    let Some(server) = ssh_server("a_cancelled_command_stops_on_the_host") else {
        return;
    };
    let folder = shared_folder(&server);
    let pid_file = folder.join("pid");
    let after = folder.join("after");
    let text = format!(
        "sleep 300 & echo $! > {pid}; wait; touch {after}",
        pid = pid_file.display(),
        after = after.display()
    );
    let executor = executor(&server);
    let request = password_request(&server, &text);

    // Run until the remote sleep has started, then drop the future as the engine does on a
    // step timeout.
    let pid_written = async {
        while !pid_file.exists()
            || std::fs::read_to_string(&pid_file)
                .unwrap_or_default()
                .trim()
                .is_empty()
        {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        result = executor.execute(&request) => panic!("the command ended on its own: {result:?}"),
        _ = tokio::time::timeout(Duration::from_secs(20), pid_written) => {}
    }
    let pid = std::fs::read_to_string(&pid_file).expect("the remote command started");
    let proc_entry = PathBuf::from(format!("/proc/{}", pid.trim()));

    let gone = async {
        while proc_entry.exists() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(15), gone)
        .await
        .expect("the remote process was killed after the connection dropped");
    assert!(
        !after.exists(),
        "the rest of the command ran after cancellation"
    );
}

#[tokio::test]
async fn a_background_process_holding_the_output_does_not_hold_the_command() {
    let Some(server) =
        ssh_server("a_background_process_holding_the_output_does_not_hold_the_command")
    else {
        return;
    };
    // The background sleep inherits standard output, so the channel stays open while it lives.
    let text = "sleep 60 & echo $!; echo '__started__=yes' >> \"$CACAO_OUTPUT\"";
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        executor(&server).execute(&password_request(&server, text)),
    )
    .await
    .expect("the command is over when the wrapper reports, whatever it left running")
    .unwrap();

    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.results["__started__"], "yes");
    let pid = outcome.results["__stdout__"].trim().to_owned();
    assert!(pid.parse::<u32>().is_ok(), "{pid:?}");
    let _ = std::process::Command::new("kill").arg(&pid).status();
}

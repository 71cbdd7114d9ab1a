//! What one ssh command costs through the ssh executor, against the OpenSSH client as baseline.
//!
//! Starts a private OpenSSH server on loopback (the integration tests' fixture), then runs `true`
//! on it N times through `SshExecutor` (connect, pinned host key, key authentication, the wrapper,
//! disconnect) and N times with `ssh -i KEY -p PORT user@127.0.0.1 true`, one after another, and
//! prints the mean time per command for each and their ratio. Run it with bench/executors.sh.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use cacao_engine::executor::Executor;
use cacao_executors::ssh::{HostKeyPolicy, SshExecutor, SshOptions};

fn main() {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(50);
    let server = match common::SshServer::start() {
        Ok(server) => server,
        Err(why) => {
            eprintln!("ssh_round_trip: cannot start sshd: {why}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(server.known_hosts.clone()),
        identity_files: vec![server.client_key.clone()],
        ..Default::default()
    });
    let mut request = common::request(common::command("ssh", "true"));
    common::add_target(
        &mut request,
        "ssh--1",
        server.target(),
        Some(("user-auth--1", common::user_auth(common::SSH_USER, None))),
    );

    // One warm-up run of each, so that neither pays for cold caches.
    let executor_run = || {
        let outcome = runtime
            .block_on(executor.execute(&request))
            .expect("the command runs");
        assert!(outcome.success);
    };
    let openssh_run = || {
        let status = std::process::Command::new("ssh")
            .args(["-q", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"])
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                server.known_hosts.display()
            ))
            .arg("-i")
            .arg(&server.client_key)
            .args(["-p", &server.port.to_string()])
            .arg(format!("{}@127.0.0.1", common::SSH_USER))
            .arg("true")
            .status()
            .expect("ssh runs");
        assert!(status.success());
    };
    executor_run();
    openssh_run();

    let measure = |run: &dyn Fn()| {
        let started = Instant::now();
        for _ in 0..runs {
            run();
        }
        started.elapsed() / runs
    };
    let executor_mean = measure(&executor_run);
    let openssh_mean = measure(&openssh_run);

    let milliseconds = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!("ssh round trip, {runs} runs of `true` each, one after another");
    println!(
        "  cacao ssh executor: {:8.2} ms per command",
        milliseconds(executor_mean)
    );
    println!(
        "  OpenSSH client:     {:8.2} ms per command",
        milliseconds(openssh_mean)
    );
    println!(
        "  ratio executor / OpenSSH: {:.2}",
        executor_mean.as_secs_f64() / openssh_mean.as_secs_f64()
    );
}

//! Shared test support: command requests, peers that cannot be had, a private OpenSSH server and
//! captured tracing output.

#![allow(dead_code)]

pub mod http_server;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use cacao_engine::executor::CommandRequest;
use cacao_model::{AgentTarget, AuthenticationInfo, AuthenticationInfoType, Command, Secret};
use indexmap::IndexMap;

/// Whether the run is in CI, where a missing peer is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Says loudly that a test cannot run here; fails under CI.
pub fn peer_missing(test: &str, why: &str) {
    if in_ci() {
        panic!("{test}: {why} (CI=true, so this is a failure; run scripts/ensure-peers)");
    }
    eprintln!(
        "\n!!!!! SKIPPED {test}: {why}. Run scripts/ensure-peers to install the peer. !!!!!\n"
    );
}

/// A request for one command, with no targets yet.
pub fn request(command: Command) -> CommandRequest {
    CommandRequest {
        execution_id: "execution--00000000-0000-4000-8000-000000000001".into(),
        step_id: "action--00000000-0000-4000-8000-000000000002".into(),
        step_name: Some("test step".into()),
        out_args: Vec::new(),
        command_index: 0,
        command,
        agent: None,
        targets: Vec::new(),
        authentication_info: IndexMap::new(),
        timeout: None,
    }
}

/// Adds a target and, when given, the authentication info it names.
pub fn add_target(
    request: &mut CommandRequest,
    id: &str,
    mut target: AgentTarget,
    authentication: Option<(&str, AuthenticationInfo)>,
) {
    if let Some((auth_id, info)) = authentication {
        target.authentication_info = Some(auth_id.to_owned());
        request.authentication_info.insert(auth_id.to_owned(), info);
    }
    request.targets.push((id.to_owned(), target));
}

/// A target of `kind` at `address` (an `address` object as JSON) and `port`.
pub fn target(kind: &str, address: serde_json::Value, port: Option<u16>) -> AgentTarget {
    AgentTarget {
        agent_target_type: kind.into(),
        name: format!("{kind} under test"),
        address: Some(serde_json::from_value(address).expect("an address object")),
        port: port.map(|port| port.to_string()),
        ..Default::default()
    }
}

/// `user-auth` authentication info.
pub fn user_auth(username: &str, password: Option<&str>) -> AuthenticationInfo {
    AuthenticationInfo {
        auth_type: AuthenticationInfoType::UserAuth,
        username: Some(username.into()),
        password: password.map(Secret::new),
        ..Default::default()
    }
}

/// A command of a type with its text.
pub fn command(command_type: &str, text: &str) -> Command {
    Command {
        command_type: command_type.into(),
        command: Some(text.into()),
        ..Default::default()
    }
}

/// Captured tracing output of this test binary, at TRACE level, including `log` records of
/// dependencies (russh logs through `log`).
pub fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER
        .get_or_init(|| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let writer = SharedWriter(Arc::clone(&buffer));
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .try_init()
                .expect("the tracing subscriber is set once");
            buffer
        })
        .clone()
}

#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The account the OpenSSH tests log in as.
pub const SSH_USER: &str = "cacao-ssh-test";

/// A private OpenSSH server on loopback: its own configuration, host key, port and folder. It is
/// stopped by its process id when dropped.
pub struct SshServer {
    pub port: u16,
    pub directory: tempfile::TempDir,
    pub password: String,
    pub client_key: PathBuf,
    pub known_hosts: PathBuf,
    child: Child,
}

impl SshServer {
    /// Starts a server, or says why it cannot (missing sshd, not root).
    pub fn start() -> Result<Self, String> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.exists() {
            return Err("/usr/sbin/sshd is not installed".into());
        }
        if !rustix_is_root() {
            return Err("the OpenSSH tests create a throwaway account, which needs root".into());
        }
        let password = test_account_password()?;
        std::fs::create_dir_all("/run/sshd").map_err(|error| format!("/run/sshd: {error}"))?;

        let directory = tempfile::tempdir().map_err(|error| error.to_string())?;
        let dir = directory.path();
        run(Process::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(dir.join("hostkey")))?;
        run(Process::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(dir.join("client_key")))?;
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys"))
            .map_err(|error| error.to_string())?;

        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/hostkey\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication yes\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin no\nAllowUsers {SSH_USER}\nLogLevel VERBOSE\nMaxStartups 50\n",
            dir = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config).map_err(|error| error.to_string())?;

        let host_key =
            std::fs::read_to_string(dir.join("hostkey.pub")).map_err(|error| error.to_string())?;
        let mut fields = host_key.split_whitespace();
        let (key_type, key) = (
            fields.next().unwrap_or_default(),
            fields.next().unwrap_or_default(),
        );
        let known_hosts = dir.join("known_hosts");
        std::fs::write(
            &known_hosts,
            format!("[127.0.0.1]:{port} {key_type} {key}\n"),
        )
        .map_err(|error| error.to_string())?;

        let mut child = Process::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start sshd: {error}"))?;

        // sshd says when it listens; wait for that line, with a bound.
        let stderr = child.stderr.take().expect("piped");
        let (ready_sender, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut ready_sender = Some(ready_sender);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("Server listening on")
                    && let Some(sender) = ready_sender.take()
                {
                    let _ = sender.send(Ok(()));
                }
                if std::env::var_os("CACAO_TEST_SSHD_LOG").is_some() {
                    eprintln!("sshd: {line}");
                }
            }
            if let Some(sender) = ready_sender {
                let _ = sender.send(Err("sshd exited before listening".to_owned()));
            }
        });
        let server = Self {
            port,
            password,
            client_key: dir.join("client_key"),
            known_hosts,
            directory,
            child,
        };
        match ready.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok(())) => Ok(server),
            Ok(Err(error)) => Err(error),
            Err(_) => Err("sshd did not start listening within 20 s".into()),
        }
    }

    /// An `ssh` target for this server.
    pub fn target(&self) -> AgentTarget {
        target(
            "ssh",
            serde_json::json!({"ipv4": ["127.0.0.1"]}),
            Some(self.port),
        )
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the OpenSSH server for a test, or reports it missing; `None` means skip.
pub fn ssh_server(test: &str) -> Option<SshServer> {
    match SshServer::start() {
        Ok(server) => Some(server),
        Err(why) => {
            peer_missing(test, &why);
            None
        }
    }
}

fn rustix_is_root() -> bool {
    Process::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

/// Creates the throwaway account when missing and gives it a fresh random password, once per
/// test process.
fn test_account_password() -> Result<String, String> {
    static PASSWORD: OnceLock<Result<String, String>> = OnceLock::new();
    PASSWORD
        .get_or_init(|| {
            let exists = Process::new("id")
                .arg(SSH_USER)
                .output()
                .is_ok_and(|output| output.status.success());
            if !exists {
                run(Process::new("useradd").args([
                    "--create-home",
                    "--shell",
                    "/bin/bash",
                    SSH_USER,
                ]))?;
            }
            let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
            let mut chpasswd = Process::new("chpasswd")
                .stdin(Stdio::piped())
                .spawn()
                .map_err(|error| format!("chpasswd: {error}"))?;
            {
                use std::io::Write;
                let mut input = chpasswd.stdin.take().expect("piped");
                writeln!(input, "{SSH_USER}:{password}").map_err(|error| error.to_string())?;
            }
            let status = chpasswd.wait().map_err(|error| error.to_string())?;
            if !status.success() {
                return Err("chpasswd failed".into());
            }
            Ok(password)
        })
        .clone()
}

fn run(command: &mut Process) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|error| format!("{command:?}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

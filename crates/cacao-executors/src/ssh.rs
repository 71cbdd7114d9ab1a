//! The `ssh` command type: runs the command text on a remote host over SSH (russh, aws-lc-rs).
//!
//! **Where.** Each endpoint of the command ([`crate::target`]: targets of type `ssh`, `linux` or
//! `net-address`, else the agent) in the step's order, stopping at the first failure; the results
//! are those of the last endpoint run. The address is a `dname`, `ipv4` or `ipv6` entry, or a
//! `ssh://host[:port]` url; the port is the `port` property, else 22.
//!
//! **Who.** The endpoint's `user-auth` authentication info gives the user name and, optionally,
//! the password. CACAO 2.0 CS01 has no private-key authentication type, so private keys are the
//! operator's: [`SshOptions::identity_files`] names OpenSSH private key files (`cacao run
//! --ssh-identity FILE`), tried in order before the password. A playbook never carries a key.
//! Authentication info kept in a key management service (`kms: true`) is refused.
//!
//! **Host keys.** The host key is checked against an OpenSSH known_hosts file
//! ([`crate::known_hosts`]) before anything is sent; an unknown host, a changed key or a revoked
//! key ends the command with an error that says which. Only an explicit operator opt-out
//! ([`HostKeyPolicy::InsecureAcceptAny`]) skips the check, and each connection made that way is
//! logged at WARN with the key's fingerprint.
//!
//! **How.** The command text never appears in the remote command line. The executor runs a fixed
//! POSIX shell wrapper (only a random marker varies) and sends the text as data on the session's
//! standard input, framed by its byte length. The wrapper checks that the text arrived whole,
//! creates a private temporary directory, runs the text with `$SHELL -c` (the user's login shell,
//! as `ssh host 'text'` would) with `CACAO_OUTPUT` naming a file in that directory, and after the
//! command ends prints the marker and the file's content at the end of standard output. A value
//! therefore reaches the remote shell only through the text the engine built (and quoted), never
//! through anything this executor adds. The session's standard input stays open while the
//! command runs: when the connection drops (the engine cancelled the step, or cacao died), a
//! watcher in the wrapper sees it close and kills the command's process group (TERM, then KILL
//! after 5 s), so a timed-out command does not keep running on the host.
//!
//! **Outcome.** Exit status 0 is success. Results: `__stdout__`, `__stderr__`, `__exit_code__`,
//! and the `CACAO_OUTPUT` values. Errors name the host, port and user but never a password, and
//! every returned string passes through [`crate::redact`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cacao_engine::executor::{BoxFuture, CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::{AuthenticationInfoType, CommandType, Secret};
use russh::ChannelMsg;
use russh::client::{self, AuthResult};
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use tracing::{Instrument, debug, info_span, warn};

use crate::capture::{Capture, DEFAULT_OUTPUT_LIMIT};
use crate::known_hosts::{KnownHosts, Verdict};
use crate::output_file;
use crate::redact::Redactor;
use crate::target::{self, Endpoint, Host, Location};

/// The target types an ssh command can reach.
pub const TARGET_TYPES: &[&str] = &["ssh", "linux", "net-address"];

/// How much of the end of standard output is kept past the output limit, so that the wrapper's
/// `CACAO_OUTPUT` section is still found: 1 MiB.
const OUTPUT_SECTION_WINDOW: usize = 1024 * 1024;

/// The exit status the wrapper uses for its own failures (as `env` and `nohup` do).
const WRAPPER_FAILURE_STATUS: u32 = 125;

/// How the executor decides whether to trust a host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyPolicy {
    /// Trust only keys pinned in this OpenSSH known_hosts file.
    KnownHostsFile(PathBuf),
    /// Trust any key. Only for an operator who has decided that the network path cannot be
    /// attacked; every such connection is logged at WARN.
    InsecureAcceptAny,
}

impl HostKeyPolicy {
    /// The user's own known_hosts file, `$HOME/.ssh/known_hosts`.
    pub fn user_known_hosts() -> Self {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        Self::KnownHostsFile(home.join(".ssh").join("known_hosts"))
    }
}

/// What the operator configures for ssh commands.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// How host keys are checked. Default: the user's known_hosts file.
    pub host_key_policy: HostKeyPolicy,
    /// OpenSSH private key files tried, in order, before a password.
    pub identity_files: Vec<PathBuf>,
    /// The passphrase of encrypted identity files.
    pub identity_passphrase: Option<Secret>,
    /// How long connecting, the key exchange and authentication may take together.
    pub connect_timeout: Duration,
    /// How many bytes of standard output and of standard error are kept.
    pub output_limit: usize,
}

/// Names an OpenSSH known_hosts file to pin host keys from (`cacao run --ssh-known-hosts`).
pub const KNOWN_HOSTS_VARIABLE: &str = "CACAO_SSH_KNOWN_HOSTS";
/// Names private key files, separated like `PATH` (`cacao run --ssh-identity`).
pub const IDENTITY_VARIABLE: &str = "CACAO_SSH_IDENTITY";
/// The passphrase of encrypted private key files.
pub const PASSPHRASE_VARIABLE: &str = "CACAO_SSH_KEY_PASSPHRASE";
/// Set to `1` or `true` to accept any host key (`cacao run --ssh-insecure-accept-any-host-key`).
pub const INSECURE_VARIABLE: &str = "CACAO_SSH_INSECURE_ACCEPT_ANY_HOST_KEY";

impl SshOptions {
    /// The options the environment gives ([`KNOWN_HOSTS_VARIABLE`], [`IDENTITY_VARIABLE`],
    /// [`PASSPHRASE_VARIABLE`], [`INSECURE_VARIABLE`]), defaults for the rest.
    pub fn from_environment() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// The options a variable lookup gives, as [`SshOptions::from_environment`] reads them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<std::ffi::OsString>) -> Self {
        let mut options = Self::default();
        if let Some(path) = lookup(KNOWN_HOSTS_VARIABLE).filter(|path| !path.is_empty()) {
            options.host_key_policy = HostKeyPolicy::KnownHostsFile(PathBuf::from(path));
        }
        if lookup(INSECURE_VARIABLE).is_some_and(|value| value == "1" || value == "true") {
            options.host_key_policy = HostKeyPolicy::InsecureAcceptAny;
        }
        if let Some(paths) = lookup(IDENTITY_VARIABLE) {
            options.identity_files = std::env::split_paths(&paths)
                .filter(|path| !path.as_os_str().is_empty())
                .collect();
        }
        options.identity_passphrase =
            lookup(PASSPHRASE_VARIABLE).map(|passphrase| Secret::new(passphrase.to_string_lossy()));
        options
    }
}

impl Default for SshOptions {
    fn default() -> Self {
        Self {
            host_key_policy: HostKeyPolicy::user_known_hosts(),
            identity_files: Vec::new(),
            identity_passphrase: None,
            connect_timeout: Duration::from_secs(30),
            output_limit: DEFAULT_OUTPUT_LIMIT,
        }
    }
}

/// Runs `ssh` commands.
pub struct SshExecutor {
    options: SshOptions,
    identities: Vec<Identity>,
    config: Arc<client::Config>,
}

struct Identity {
    path: PathBuf,
    key: Result<Arc<PrivateKey>, String>,
}

impl std::fmt::Debug for SshExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshExecutor")
            .field("options", &self.options)
            .field("identities", &self.identities.len())
            .finish()
    }
}

impl SshExecutor {
    /// An executor with these options. Identity files are read now; a file that cannot be read
    /// or decrypted is reported by [`Executor::unavailable_reason`].
    pub fn new(options: SshOptions) -> Self {
        let passphrase = options.identity_passphrase.as_ref().map(Secret::expose);
        let identities = options
            .identity_files
            .iter()
            .map(|path| Identity {
                path: path.clone(),
                key: russh::keys::load_secret_key(path, passphrase)
                    .map(Arc::new)
                    // The error describes the file format problem; it never holds key material.
                    .map_err(|error| error.to_string()),
            })
            .collect();
        let config = client::Config {
            keepalive_interval: Some(Duration::from_secs(15)),
            keepalive_max: 4,
            nodelay: true,
            ..Default::default()
        };
        Self {
            options,
            identities,
            config: Arc::new(config),
        }
    }

    /// The options this executor was made with.
    pub fn options(&self) -> &SshOptions {
        &self.options
    }

    fn keys(&self) -> impl Iterator<Item = (&PathBuf, &Arc<PrivateKey>)> {
        self.identities
            .iter()
            .filter_map(|identity| identity.key.as_ref().ok().map(|key| (&identity.path, key)))
    }

    async fn run(&self, request: &CommandRequest) -> Result<CommandOutcome, ExecutorError> {
        let text = request
            .command
            .text()
            .map_err(|error| ExecutorError::Invalid(error.to_string()))?
            .ok_or_else(|| {
                ExecutorError::Invalid("an ssh command needs `command` or `command_b64`".into())
            })?;
        if text.trim().is_empty() {
            return Err(ExecutorError::Invalid("the ssh command is empty".into()));
        }
        if text.contains('\0') {
            return Err(ExecutorError::Invalid(
                "the ssh command contains a NUL character, which no shell can run".into(),
            ));
        }

        let endpoints = target::endpoints(request, TARGET_TYPES)?;
        let mut outcome = CommandOutcome::default();
        for endpoint in &endpoints {
            let span = info_span!(
                "ssh",
                execution_id = %request.execution_id,
                step_id = %request.step_id,
                command_type = "ssh",
                target = %endpoint.id,
            );
            outcome = self.run_on(endpoint, &text).instrument(span).await?;
            if !outcome.success {
                break;
            }
        }
        Ok(outcome)
    }

    async fn run_on(
        &self,
        endpoint: &Endpoint<'_>,
        text: &str,
    ) -> Result<CommandOutcome, ExecutorError> {
        let (host, port) = address(endpoint)?;
        let credentials = Credentials::of(endpoint, self.keys().next().is_some())?;
        let place = format!("{}@{}:{port}", credentials.user, host.for_url());

        let mut session = tokio::time::timeout(self.options.connect_timeout, async {
            let session = self.connect(&host, port).await?;
            self.authenticate(session, &credentials, &place).await
        })
        .await
        .map_err(|_| {
            ExecutorError::Unavailable(format!(
                "connecting to {place} took longer than {} s",
                self.options.connect_timeout.as_secs()
            ))
        })??;

        let result = run_wrapped(&mut session, text, self.options.output_limit, &place).await;

        // A polite goodbye; the connection closes when the handle drops in any case.
        let _ = session
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
        result
    }

    async fn connect(
        &self,
        host: &Host,
        port: u16,
    ) -> Result<client::Handle<HostKeyCheck>, ExecutorError> {
        let place = format!("{}:{port}", host.for_url());
        let stream = tokio::net::TcpStream::connect((host.name(), port))
            .await
            .map_err(|error| {
                ExecutorError::Unavailable(format!("cannot connect to {place}: {error}"))
            })?;
        let _ = stream.set_nodelay(true);

        let decision = Arc::new(Mutex::new(None));
        let check = HostKeyCheck {
            policy: self.options.host_key_policy.clone(),
            host: host.name(),
            port,
            decision: Arc::clone(&decision),
        };
        match client::connect_stream(Arc::clone(&self.config), stream, check).await {
            Ok(session) => Ok(session),
            Err(error) => {
                let refusal = decision.lock().ok().and_then(|mut slot| slot.take());
                Err(ExecutorError::Unavailable(match refusal {
                    Some(refusal) => format!("refusing {place}: {refusal}"),
                    None => format!("the ssh handshake with {place} failed: {error}"),
                }))
            }
        }
    }

    async fn authenticate(
        &self,
        mut session: client::Handle<HostKeyCheck>,
        credentials: &Credentials<'_>,
        place: &str,
    ) -> Result<client::Handle<HostKeyCheck>, ExecutorError> {
        let protocol_error = |error: russh::Error| {
            ExecutorError::Unavailable(format!("authenticating as {place} failed: {error}"))
        };
        let mut tried = Vec::new();

        for (path, key) in self.keys() {
            let hash = session
                .best_supported_rsa_hash()
                .await
                .map_err(protocol_error)?
                .flatten()
                .or(Some(HashAlg::Sha256));
            let key = PrivateKeyWithHashAlg::new(Arc::clone(key), hash);
            let result = session
                .authenticate_publickey(credentials.user, key)
                .await
                .map_err(protocol_error)?;
            if result.success() {
                debug!(key = %path.display(), "authenticated with a private key");
                return Ok(session);
            }
            tried.push(format!("the key in {}", path.display()));
        }

        if let Some(password) = credentials.password {
            let result = session
                .authenticate_password(credentials.user, password.expose())
                .await
                .map_err(protocol_error)?;
            if let AuthResult::Success = result {
                debug!("authenticated with a password");
                return Ok(session);
            }
            tried.push("the password of the authentication info".to_owned());
        }

        Err(ExecutorError::Unavailable(format!(
            "the host refused authentication as {place} (tried {})",
            tried.join(", ")
        )))
    }
}

impl Executor for SshExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::Ssh]
    }

    fn supports_target_type(&self, target_type: &str) -> bool {
        crate::target::accepts(TARGET_TYPES, target_type)
    }

    fn unavailable_reason(&self) -> Option<String> {
        let mut reasons = Vec::new();
        if let HostKeyPolicy::KnownHostsFile(path) = &self.options.host_key_policy
            && let Err(error) = std::fs::metadata(path)
        {
            reasons.push(format!(
                "ssh host keys cannot be checked: the known_hosts file {} cannot be read ({error}); \
                 name one, or turn host key checking off explicitly",
                path.display()
            ));
        }
        for identity in &self.identities {
            if let Err(error) = &identity.key {
                reasons.push(format!(
                    "the ssh private key file {} cannot be used: {error}",
                    identity.path.display()
                ));
            }
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(async move {
            let redactor = Redactor::for_request(request);
            redactor.redact_result(self.run(request).await)
        })
    }
}

/// The host and port of an ssh endpoint.
fn address(endpoint: &Endpoint<'_>) -> Result<(Host, u16), ExecutorError> {
    let invalid = |what: String| ExecutorError::Invalid(format!("{}: {what}", endpoint.describe()));
    let (host, url_port) = match &endpoint.location {
        Location::Host(host) => (host.clone(), None),
        Location::Url(url) => {
            let parsed =
                reqwest::Url::parse(url).map_err(|_| invalid(format!("`{url}` is not a URL")))?;
            if parsed.scheme() != "ssh" {
                return Err(invalid(format!(
                    "the url `{url}` is not an ssh:// URL; give a dname, ipv4 or ipv6 address"
                )));
            }
            let host = match parsed.host_str() {
                Some(name) if name.starts_with('[') => {
                    target::parse_ip(name.trim_start_matches('[').trim_end_matches(']'))
                        .map_err(invalid)?
                }
                Some(name) => target::parse_ip(name)
                    .or_else(|_| target::parse_domain(name))
                    .map_err(invalid)?,
                None => return Err(invalid(format!("the url `{url}` has no host"))),
            };
            (host, parsed.port())
        }
    };
    Ok((host, endpoint.port.or(url_port).unwrap_or(22)))
}

/// The user and password an endpoint's authentication info gives.
struct Credentials<'a> {
    user: &'a str,
    password: Option<&'a Secret>,
}

impl<'a> Credentials<'a> {
    fn of(endpoint: &Endpoint<'a>, have_keys: bool) -> Result<Self, ExecutorError> {
        let invalid =
            |what: String| ExecutorError::Invalid(format!("{}: {what}", endpoint.describe()));
        let Some(info) = endpoint.authentication else {
            return Err(invalid(
                "an ssh endpoint needs user-auth authentication info with a username".into(),
            ));
        };
        if info.auth_type != AuthenticationInfoType::UserAuth {
            return Err(invalid(format!(
                "ssh needs user-auth authentication info, not {}",
                info.auth_type
            )));
        }
        if info.kms == Some(true) {
            return Err(invalid(
                "its authentication info is kept in a key management service, which cacao \
                 cannot read"
                    .into(),
            ));
        }
        let user = info
            .username
            .as_deref()
            .filter(|user| !user.is_empty())
            .ok_or_else(|| invalid("its user-auth authentication info has no username".into()))?;
        let password = info
            .password
            .as_ref()
            .filter(|password| !password.expose().is_empty());
        if password.is_none() && !have_keys {
            return Err(invalid(
                "its user-auth authentication info has no password and no private key file is \
                 configured"
                    .into(),
            ));
        }
        Ok(Self { user, password })
    }
}

/// The russh handler: checks the host key and remembers why it refused one.
struct HostKeyCheck {
    policy: HostKeyPolicy,
    host: String,
    port: u16,
    decision: Arc<Mutex<Option<String>>>,
}

impl HostKeyCheck {
    fn refuse(&self, why: String) -> Result<bool, russh::Error> {
        warn!(host = %self.host, port = self.port, "{why}");
        if let Ok(mut slot) = self.decision.lock() {
            *slot = Some(why);
        }
        Ok(false)
    }
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = server_public_key else {
            return self.refuse(
                "the host presented a certificate; host certificates are not supported".into(),
            );
        };
        let fingerprint = key.fingerprint(HashAlg::Sha256);

        let path = match &self.policy {
            HostKeyPolicy::InsecureAcceptAny => {
                warn!(
                    host = %self.host,
                    port = self.port,
                    %fingerprint,
                    "accepting the host key without checking it: host key checking is turned off"
                );
                return Ok(true);
            }
            HostKeyPolicy::KnownHostsFile(path) => path.clone(),
        };

        let known_hosts = match KnownHosts::read(&path) {
            Ok(known_hosts) => known_hosts,
            Err(error) => return self.refuse(format!("its host key cannot be checked: {error}")),
        };
        for problem in known_hosts.problems() {
            warn!(file = %path.display(), line = problem.line, "skipping a known_hosts line: {}", problem.problem);
        }
        let Ok(blob) = key.to_bytes() else {
            return self.refuse("its host key cannot be encoded".into());
        };

        let file = path.display();
        let name = crate::known_hosts::lookup_name(&self.host, self.port);
        match known_hosts.check(&self.host, self.port, &blob) {
            Verdict::Trusted { line } => {
                debug!(file = %file, line, %fingerprint, "host key pinned");
                Ok(true)
            }
            Verdict::Revoked { line } => self.refuse(format!(
                "its host key {fingerprint} is revoked in {file} line {line}"
            )),
            Verdict::Changed { lines } => self.refuse(format!(
                "its host key {fingerprint} differs from the key(s) pinned for {name} in {file} \
                 (lines {}): the host was re-keyed or someone is intercepting the connection",
                lines
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Verdict::Unknown => self.refuse(format!(
                "no host key is pinned for {name} in {file} (its key is {fingerprint})"
            )),
        }
    }
}

/// The wrapper that the remote login shell runs. `@MARKER@` becomes a random token of hex
/// digits; nothing else varies, so nothing from the playbook reaches this command line.
const WRAPPER: &str = r#"umask 077
exec 3<&0 </dev/null
cacao_dir=$(mktemp -d "${TMPDIR:-/tmp}/cacao.XXXXXXXXXX") || { echo 'cacao: cannot create a temporary directory on the target' >&2; exit 125; }
cacao_length=
IFS= read -r cacao_length <&3
case $cacao_length in
''|*[!0-9]*) rm -rf "$cacao_dir"; echo 'cacao: the command header did not arrive' >&2; exit 125;;
esac
dd bs=1 count="$cacao_length" of="$cacao_dir/command" <&3 2>/dev/null
cacao_received=$(wc -c <"$cacao_dir/command" 2>/dev/null) || cacao_received=-1
if [ "$((cacao_received))" -ne "$cacao_length" ]; then rm -rf "$cacao_dir"; echo 'cacao: the command did not arrive whole' >&2; exit 125; fi
cacao_command=$(cat "$cacao_dir/command"; echo x)
cacao_command=${cacao_command%x}
: >"$cacao_dir/output"
if command -v setsid >/dev/null 2>&1; then cacao_setsid=setsid; else cacao_setsid=; fi
CACAO_OUTPUT=$cacao_dir/output $cacao_setsid "${SHELL:-/bin/sh}" -c "$cacao_command" 3<&- &
cacao_pid=$!
{ cat <&3 >/dev/null 2>&1; kill -TERM -"$cacao_pid" 2>/dev/null || kill -TERM "$cacao_pid" 2>/dev/null; sleep 5; kill -KILL -"$cacao_pid" 2>/dev/null || kill -KILL "$cacao_pid" 2>/dev/null; rm -rf "$cacao_dir"; } >/dev/null 2>&1 &
cacao_watcher=$!
exec 3<&-
wait "$cacao_pid"
cacao_status=$?
kill "$cacao_watcher" 2>/dev/null
printf '\n%s\n' '@MARKER@'
cat "$cacao_dir/output"
printf '\n%s\n' '@MARKER@-END'
rm -rf "$cacao_dir"
exit "$cacao_status"
"#;

/// Runs the wrapper on an authenticated session and turns what comes back into an outcome.
async fn run_wrapped(
    session: &mut client::Handle<HostKeyCheck>,
    text: &str,
    output_limit: usize,
    place: &str,
) -> Result<CommandOutcome, ExecutorError> {
    let protocol_error = |error: russh::Error| {
        ExecutorError::Unavailable(format!("running the command on {place} failed: {error}"))
    };

    let marker = format!(
        "CACAO-OUTPUT-{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut channel = session
        .channel_open_session()
        .await
        .map_err(protocol_error)?;
    channel
        .exec(true, WRAPPER.replace("@MARKER@", &marker))
        .await
        .map_err(protocol_error)?;

    // The length header lets the wrapper tell a whole command from one cut off by a dropped
    // connection; standard input then stays open, so that its closing means "stop".
    let mut input = format!("{}\n", text.len()).into_bytes();
    input.extend_from_slice(text.as_bytes());
    channel.data(&input[..]).await.map_err(protocol_error)?;

    let mut stdout = Capture::new(output_limit, OUTPUT_SECTION_WINDOW + marker.len() + 2);
    let mut stderr = Capture::new(output_limit, 0);
    let mut exit_status = None;
    let mut exit_signal = None;
    let end = format!("\n{marker}-END\n");
    while let Some(message) = channel.wait().await {
        match message {
            ChannelMsg::Data { data } => stdout.push(&data),
            ChannelMsg::ExtendedData { data, ext: 1 } => stderr.push(&data),
            ChannelMsg::ExitStatus {
                exit_status: status,
            } => exit_status = Some(status),
            ChannelMsg::ExitSignal { signal_name, .. } => exit_signal = Some(signal_name),
            ChannelMsg::Failure => {
                return Err(ExecutorError::Unavailable(format!(
                    "{place} refused to run a command"
                )));
            }
            ChannelMsg::Close => break,
            _ => {}
        }

        // The wrapper has reported and exited. A process the command left in the background
        // may still hold standard output open, which would keep the channel open for as long
        // as it lives; the command itself is over.
        if exit_status.is_some() && stdout.ends_with(end.as_bytes()) {
            break;
        }
    }
    let _ = channel.close().await;

    Ok(outcome(&marker, &stdout, &stderr, exit_status, exit_signal))
}

/// Splits the wrapper's standard output into the command's own output and the `CACAO_OUTPUT`
/// section, and applies the success rule.
fn outcome(
    marker: &str,
    stdout: &Capture,
    stderr: &Capture,
    exit_status: Option<u32>,
    exit_signal: Option<russh::Sig>,
) -> CommandOutcome {
    let delimiter = format!("\n{marker}\n");
    let (own_stdout, section) = if stdout.truncated() {
        warn!(
            bytes = stdout.total_bytes(),
            "the command's standard output was cut to the output limit"
        );
        let mut window =
            stdout.head()[stdout.head().len().saturating_sub(delimiter.len())..].to_vec();
        window.extend_from_slice(stdout.tail());
        let section = find_last(&window, delimiter.as_bytes())
            .map(|at| window[at + delimiter.len()..].to_vec());
        (stdout.head().to_vec(), section)
    } else {
        let all = stdout.head();
        match find_last(all, delimiter.as_bytes()) {
            Some(at) => (
                all[..at].to_vec(),
                Some(all[at + delimiter.len()..].to_vec()),
            ),
            None => (all.to_vec(), None),
        }
    };
    // The section ends at the end marker, when it arrived.
    let end = format!("\n{marker}-END\n");
    let section = section.map(|section| match find_last(&section, end.as_bytes()) {
        Some(at) => section[..at].to_vec(),
        None => section,
    });
    if stderr.truncated() {
        warn!(
            bytes = stderr.total_bytes(),
            "the command's standard error was cut to the output limit"
        );
    }

    let mut outcome = CommandOutcome::default();
    if let Some(section) = &section {
        let values = output_file::parse(section);
        if values.ignored_lines > 0 {
            warn!(
                lines = values.ignored_lines,
                "ignoring CACAO_OUTPUT lines that are not __name__=value"
            );
        }
        outcome.results = values.values;
    }
    let stderr_text = stderr.head_text();
    outcome.results.insert(
        "__stdout__".into(),
        String::from_utf8_lossy(&own_stdout).into_owned(),
    );
    outcome
        .results
        .insert("__stderr__".into(), stderr_text.clone());
    // As shells report it: 128 plus the signal number when a signal ended the remote shell.
    let code = exit_status.or_else(|| {
        exit_signal
            .as_ref()
            .and_then(signal_number)
            .map(|n| 128 + n)
    });
    if let Some(code) = code {
        outcome
            .results
            .insert("__exit_code__".into(), code.to_string());
    }

    match (exit_status, exit_signal, section.is_some()) {
        (Some(0), _, true) => outcome.success = true,
        (Some(status), _, true) => {
            outcome.reason = Some(format!("the command exited with status {status}"));
        }
        (Some(WRAPPER_FAILURE_STATUS), _, false) => {
            let why = stderr_text
                .lines()
                .rev()
                .find(|line| line.starts_with("cacao: "))
                .unwrap_or("the remote shell could not run the cacao wrapper");
            outcome.reason = Some(format!("the command did not run: {why}"));
        }
        (_, Some(signal), _) => {
            outcome.reason = Some(format!("the remote shell was killed by signal {signal:?}"));
        }
        (status, None, _) => {
            let status = status.map_or_else(
                || "no exit status".to_owned(),
                |status| format!("exit status {status}"),
            );
            outcome.reason = Some(format!(
                "the remote shell ended before reporting the command's result ({status})"
            ));
        }
    }
    outcome
}

/// The POSIX number of a signal SSH names (RFC 4254 section 6.10), where it is standard.
fn signal_number(signal: &russh::Sig) -> Option<u32> {
    use russh::Sig;
    Some(match signal {
        Sig::HUP => 1,
        Sig::INT => 2,
        Sig::QUIT => 3,
        Sig::ILL => 4,
        Sig::ABRT => 6,
        Sig::FPE => 8,
        Sig::KILL => 9,
        Sig::USR1 => 10,
        Sig::SEGV => 11,
        Sig::PIPE => 13,
        Sig::ALRM => 14,
        Sig::TERM => 15,
        Sig::Custom(_) => return None,
    })
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&at| &haystack[at..at + needle.len()] == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_come_from_the_environment() {
        let variables = std::collections::HashMap::from([
            (KNOWN_HOSTS_VARIABLE, "/etc/cacao/known_hosts"),
            (IDENTITY_VARIABLE, "/keys/a:/keys/b"),
        ]);
        let lookup = |name: &str| variables.get(name).map(std::ffi::OsString::from);
        let options = SshOptions::from_lookup(lookup);
        assert_eq!(
            options.host_key_policy,
            HostKeyPolicy::KnownHostsFile("/etc/cacao/known_hosts".into())
        );
        assert_eq!(
            options.identity_files,
            [PathBuf::from("/keys/a"), PathBuf::from("/keys/b")]
        );
        assert!(options.identity_passphrase.is_none());

        let insecure =
            SshOptions::from_lookup(|name| (name == INSECURE_VARIABLE).then(|| "1".into()));
        assert_eq!(insecure.host_key_policy, HostKeyPolicy::InsecureAcceptAny);
    }

    fn captured(bytes: &[u8], limit: usize) -> Capture {
        let mut capture = Capture::new(limit, 4096);
        capture.push(bytes);
        capture
    }

    #[test]
    fn output_splits_at_the_last_marker() {
        let stdout = captured(b"hello\nworld\nMARK\n__a__=1\n\nMARK-END\n", 1 << 20);
        let outcome = outcome("MARK", &stdout, &captured(b"", 10), Some(0), None);
        assert!(outcome.success);
        assert_eq!(outcome.results["__stdout__"], "hello\nworld");
        assert_eq!(outcome.results["__a__"], "1");
        assert_eq!(outcome.results["__exit_code__"], "0");
    }

    #[test]
    fn the_wrapper_adds_a_newline_so_output_without_one_is_kept_exactly() {
        let stdout = captured(b"no newline\nMARK\n", 1 << 20);
        let outcome = outcome("MARK", &stdout, &captured(b"", 10), Some(3), None);
        assert!(!outcome.success);
        assert_eq!(outcome.results["__stdout__"], "no newline");
        assert_eq!(
            outcome.reason.as_deref(),
            Some("the command exited with status 3")
        );
    }

    #[test]
    fn output_values_cannot_replace_the_exit_code() {
        let stdout = captured(b"\nMARK\n__exit_code__=0\n", 1 << 20);
        let outcome = outcome("MARK", &stdout, &captured(b"", 10), Some(2), None);
        assert_eq!(outcome.results["__exit_code__"], "2");
        assert!(!outcome.success);
    }

    #[test]
    fn a_missing_section_is_a_failure_even_with_status_zero() {
        let outcome = outcome(
            "MARK",
            &captured(b"partial", 1 << 20),
            &captured(b"", 10),
            Some(0),
            None,
        );
        assert!(!outcome.success);
        assert!(outcome.reason.unwrap().contains("ended before reporting"));
    }

    #[test]
    fn wrapper_failures_are_explained() {
        let stderr = captured(b"cacao: the command did not arrive whole\n", 1 << 20);
        let outcome = outcome("MARK", &captured(b"", 1 << 20), &stderr, Some(125), None);
        assert_eq!(
            outcome.reason.as_deref(),
            Some("the command did not run: cacao: the command did not arrive whole")
        );
    }

    #[test]
    fn truncated_output_still_finds_the_section() {
        let mut stdout = Capture::new(8, 4096);
        stdout.push(b"0123456789abcdef");
        stdout.push(b"\nMARK\n__v__=x\n");
        let outcome = outcome("MARK", &stdout, &captured(b"", 10), Some(0), None);
        assert!(outcome.success);
        assert_eq!(outcome.results["__stdout__"], "01234567");
        assert_eq!(outcome.results["__v__"], "x");
    }
}

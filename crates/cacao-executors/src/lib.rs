//! Command executors for the CACAO engine, one module per command type, and the default registry
//! the `cacao` command uses.
//!
//! Each executor implements [`cacao_engine::Executor`]: it receives a command whose variables the
//! engine has already substituted (and shell-quoted), runs it, and reports success by the rule of
//! its type with named results for out_args. Dropping an executor's future cancels the command:
//! every executor here stops the local or remote work it started.
//!
//! One module per command type: [`bash`], [`ssh`] (russh, host keys pinned from a known_hosts
//! file), [`http_api`] and [`openc2_http`] (reqwest with rustls), [`powershell`] (a local `pwsh`)
//! and [`manual`] (a person at a terminal, or an answers file for unattended runs). The modules
//! they share hold the rules the networked and shell executors follow: how a target becomes an
//! address ([`target`]), how `CACAO_OUTPUT` lines become results ([`output_file`]), how output is
//! bounded ([`capture`]) and how authentication secrets are kept out of everything an executor
//! returns ([`redact`]). docs/executors.md describes each command type for users.

pub mod bash;
pub mod capture;
pub mod http;
pub mod http_api;
pub mod known_hosts;
pub mod manual;
pub mod openc2_http;
pub mod output_file;
pub mod powershell;
pub mod redact;
pub mod ssh;
pub mod target;

use std::path::PathBuf;
use std::sync::Arc;

use cacao_engine::ExecutorRegistry;

/// Settings of the executors that need any, as given on the command line. What is not given
/// here comes from the environment (docs/executors.md, "Configuration summary").
#[derive(Debug, Clone, Default)]
pub struct ExecutorOptions {
    /// A file of answers for `manual` commands, for unattended runs.
    pub answers_file: Option<PathBuf>,
    /// The OpenSSH known_hosts file that ssh host keys are pinned from.
    pub ssh_known_hosts: Option<PathBuf>,
    /// OpenSSH private key files, tried in order before a password.
    pub ssh_identities: Vec<PathBuf>,
    /// Accept any ssh host key. Unsafe: anyone between this machine and the target can then
    /// read and change the session.
    pub ssh_insecure_accept_any_host_key: bool,
    /// PEM files of root certificates trusted for http-api and openc2-http, besides the system's.
    pub http_ca_files: Vec<PathBuf>,
    /// The `Content-Type` of OpenC2 commands that do not set one.
    pub openc2_content_type: Option<String>,
}

/// The executors this machine offers, registered by command type, configured from the
/// environment and then from `options`, which win.
pub fn default_registry(options: &ExecutorOptions) -> ExecutorRegistry {
    let mut ssh_options = ssh::SshOptions::from_environment();
    if let Some(path) = &options.ssh_known_hosts {
        ssh_options.host_key_policy = ssh::HostKeyPolicy::KnownHostsFile(path.clone());
    }
    if options.ssh_insecure_accept_any_host_key {
        ssh_options.host_key_policy = ssh::HostKeyPolicy::InsecureAcceptAny;
    }
    if !options.ssh_identities.is_empty() {
        ssh_options.identity_files = options.ssh_identities.clone();
    }

    let mut http_options = http::HttpOptions::from_environment();
    http_options
        .extra_root_certificates
        .extend(options.http_ca_files.iter().cloned());
    let mut openc2_options = openc2_http::OpenC2Options::from_environment();
    if let Some(content_type) = &options.openc2_content_type {
        openc2_options.content_type = content_type.clone();
    }

    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(bash::BashExecutor::new()));
    registry.register(Arc::new(ssh::SshExecutor::new(ssh_options)));
    registry.register(Arc::new(http_api::HttpApiExecutor::new(
        http_options.clone(),
    )));
    registry.register(Arc::new(openc2_http::OpenC2HttpExecutor::new(
        http_options,
        openc2_options,
    )));
    registry.register(Arc::new(powershell::PowershellExecutor::new(
        powershell::PowershellOptions::from_environment(),
    )));
    registry.register(Arc::new(manual::ManualExecutor::for_answers_file(
        options.answers_file.as_deref(),
    )));
    registry
}

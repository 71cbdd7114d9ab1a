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

/// Settings of the executors that need any.
#[derive(Debug, Clone, Default)]
pub struct ExecutorOptions {
    /// A file of answers for `manual` commands, for unattended runs.
    pub answers_file: Option<PathBuf>,
}

/// The executors this machine offers, registered by command type. Executors that take
/// settings read them from `options`; `bash` takes none; the ssh, HTTP, OpenC2 and PowerShell
/// executors read theirs from the environment (docs/executors.md, "Configuration summary").
pub fn default_registry(options: &ExecutorOptions) -> ExecutorRegistry {
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(bash::BashExecutor::new()));
    registry.register(Arc::new(ssh::SshExecutor::new(
        ssh::SshOptions::from_environment(),
    )));
    registry.register(Arc::new(http_api::HttpApiExecutor::new(
        http::HttpOptions::from_environment(),
    )));
    registry.register(Arc::new(openc2_http::OpenC2HttpExecutor::new(
        http::HttpOptions::from_environment(),
        openc2_http::OpenC2Options::from_environment(),
    )));
    registry.register(Arc::new(powershell::PowershellExecutor::new(
        powershell::PowershellOptions::from_environment(),
    )));
    registry.register(Arc::new(manual::ManualExecutor::for_answers_file(
        options.answers_file.as_deref(),
    )));
    registry
}

//! Command executors: the code that runs one CACAO command of a given type and reports its
//! outcome to the engine through the [`cacao_engine::executor::Executor`] seam.
//!
//! One module per command type: [`ssh`] (russh, host keys pinned from a known_hosts file),
//! [`http_api`] and [`openc2_http`] (reqwest with rustls), [`powershell`] (a local `pwsh`) and
//! [`manual`] (a person at a terminal, or an answers file for unattended runs). The modules they
//! share hold the rules every executor follows: how a target becomes an address ([`target`]), how
//! `CACAO_OUTPUT` lines become results ([`output_file`]), how output is bounded
//! ([`capture`]) and how authentication secrets are kept out of everything an executor returns
//! ([`redact`]). The engine substitutes variables before an executor sees a command and enforces
//! the step timeout by dropping the executor's future, so every executor here is cancel-safe:
//! dropping it stops the remote or local work it started. docs/executors.md is the user-facing
//! description of each command type.

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

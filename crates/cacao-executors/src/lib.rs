//! Command executors for the CACAO engine, one module per command type, and the default registry
//! the `cacao` command uses.
//!
//! Each executor implements [`cacao_engine::Executor`]: it receives a command whose variables the
//! engine has already substituted (and shell-quoted), runs it, and reports success by the rule of
//! its type with named results for out_args. Dropping an executor's future cancels the command.

pub mod bash;

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
/// settings read them from `options`; `bash` takes none.
pub fn default_registry(options: &ExecutorOptions) -> ExecutorRegistry {
    let ExecutorOptions { answers_file: _ } = options;
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(bash::BashExecutor::new()));
    registry
}

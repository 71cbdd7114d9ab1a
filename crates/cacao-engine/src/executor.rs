//! The executor seam: how the engine asks something outside itself to run one command.
//!
//! An executor is keyed by command type (`bash`, `ssh`, `http-api`, ...). The engine hands it a
//! [`CommandRequest`] whose strings already have every variable substituted (and, for shell
//! command types, quoted for the shell), waits for a [`CommandOutcome`] until the step's deadline,
//! and cancels by dropping the future. Executors must therefore be cancel-safe: dropping the
//! future must stop the work (a local process is killed with its process group). Nothing here
//! assumes the command runs in this process: a later executor may forward the request to a
//! remote execution machine.

use std::future::Future;
use std::pin::Pin;

use cacao_model::{AgentTarget, AuthenticationInfo, Command, CommandType};
use indexmap::IndexMap;

/// A boxed future, as executors return them (the trait must be usable as `dyn Executor`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs commands of one or more command types.
pub trait Executor: Send + Sync {
    /// The command types this executor runs.
    fn command_types(&self) -> Vec<CommandType>;

    /// Whether this executor can run commands against a target of `target_type` (an
    /// `agent-target-type-ov` value). The capability check asks this before an execution starts.
    fn supports_target_type(&self, target_type: &str) -> bool;

    /// Why this executor cannot run here at all (a missing tool such as `pwsh`), if so.
    fn unavailable_reason(&self) -> Option<String> {
        None
    }

    /// Runs one command. Dropping the returned future cancels the command.
    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>>;
}

/// Everything an executor needs to run one command, with variables already substituted.
#[derive(Debug, Clone)]
pub struct CommandRequest {
    /// The execution this command belongs to.
    pub execution_id: String,
    /// The action step that holds the command.
    pub step_id: String,
    /// The step's `name`, for people (a manual command shows it to the operator).
    pub step_name: Option<String>,
    /// The step's `out_args`: the result names the engine will assign after the step (a manual
    /// command asks the operator for exactly these).
    pub out_args: Vec<String>,
    /// The command's position in the step's `commands` list.
    pub command_index: usize,
    /// The command, substituted.
    pub command: Command,
    /// The agent that runs the command, with its id, substituted.
    pub agent: Option<(String, AgentTarget)>,
    /// The targets the command acts on, with their ids, substituted.
    pub targets: Vec<(String, AgentTarget)>,
    /// Authentication info referenced by the agent and targets, by id, substituted.
    pub authentication_info: IndexMap<String, AuthenticationInfo>,
    /// How long the executor may take, if the step has a limit; the engine also enforces it.
    pub timeout: Option<std::time::Duration>,
}

/// The result of running one command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandOutcome {
    /// Whether the command succeeded by the rule of its type (exit 0, HTTP 2xx, responder said
    /// so).
    pub success: bool,
    /// Named results (`__stdout__`, `__exit_code__`, `__http_status__`, values written to
    /// `CACAO_OUTPUT`, ...), each a variable name with its `__` delimiters.
    pub results: IndexMap<String, String>,
    /// Why the command failed, for people, when it did.
    pub reason: Option<String>,
}

/// A command that could not be run at all (as opposed to one that ran and failed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecutorError {
    /// The command or its agent or target lacks something the executor needs.
    #[error("invalid command: {0}")]
    Invalid(String),
    /// The executor could not reach or start what runs the command.
    #[error("cannot run the command: {0}")]
    Unavailable(String),
    /// Anything else, with a message that names no secret.
    #[error("{0}")]
    Other(String),
}

//! The executors this machine has, keyed by command type.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::executor::Executor;

/// Executors by command type (`bash`, `ssh`, ...). The engine looks a command's type up here;
/// the pre-run check asks it whether every command and target type of a playbook is covered.
#[derive(Clone, Default)]
pub struct ExecutorRegistry {
    by_command_type: BTreeMap<String, Arc<dyn Executor>>,
}

impl ExecutorRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `executor` for every command type it runs, replacing earlier registrations of
    /// those types.
    pub fn register(&mut self, executor: Arc<dyn Executor>) {
        for command_type in executor.command_types() {
            self.by_command_type
                .insert(command_type.as_str().to_owned(), Arc::clone(&executor));
        }
    }

    /// The same registry with every executor replaced by `wrap(executor)`, for decorators that
    /// observe or adapt commands (an executor registered for several types is wrapped once per
    /// type).
    pub fn map(self, wrap: impl Fn(Arc<dyn Executor>) -> Arc<dyn Executor>) -> Self {
        Self {
            by_command_type: self
                .by_command_type
                .into_iter()
                .map(|(command_type, executor)| (command_type, wrap(executor)))
                .collect(),
        }
    }

    /// The executor for `command_type`.
    pub fn get(&self, command_type: &str) -> Option<&Arc<dyn Executor>> {
        self.by_command_type.get(command_type)
    }

    /// The command types with an executor, sorted.
    pub fn command_types(&self) -> Vec<&str> {
        self.by_command_type.keys().map(String::as_str).collect()
    }
}

impl std::fmt::Debug for ExecutorRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutorRegistry")
            .field("command_types", &self.command_types())
            .finish()
    }
}

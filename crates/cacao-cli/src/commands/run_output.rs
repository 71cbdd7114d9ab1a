//! Shows what commands print while `cacao run` runs, for people.
//!
//! The engine's events deliberately carry no command output (events leave the process and output
//! can be large). The human format still wants to show it under each step, so the CLI wraps
//! every executor in [`Echo`], which prints a command's standard output (and, when the command
//! failed, its standard error) as soon as the command ends, before the engine reports the step.
//! Executors have already removed authentication secrets from their results.

use std::sync::Arc;

use cacao_engine::executor::BoxFuture;
use cacao_engine::{CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::CommandType;

/// At most this many lines of one stream are shown per command.
const MAX_LINES: usize = 20;

/// Where echoed lines go (the renderer's progress-aware printer).
pub type Printer = Arc<dyn Fn(String) + Send + Sync>;

/// An executor that prints its inner executor's output.
pub struct Echo {
    inner: Arc<dyn Executor>,
    printer: Printer,
    dim: bool,
}

impl Echo {
    /// Wraps `inner`; lines go to `printer`, dimmed when `dim`.
    pub fn wrap(inner: Arc<dyn Executor>, printer: Printer, dim: bool) -> Arc<dyn Executor> {
        Arc::new(Echo {
            inner,
            printer,
            dim,
        })
    }

    fn show(&self, outcome: &CommandOutcome) {
        let mut streams = vec![outcome.results.get("__stdout__")];
        if !outcome.success {
            streams.push(outcome.results.get("__stderr__"));
        }
        for text in streams.into_iter().flatten() {
            let lines: Vec<&str> = text.lines().collect();
            for line in lines.iter().take(MAX_LINES) {
                (self.printer)(self.paint(&format!("      │ {}", escape(line))));
            }
            if lines.len() > MAX_LINES {
                (self.printer)(
                    self.paint(&format!("      │ … {} more lines", lines.len() - MAX_LINES)),
                );
            }
        }
    }

    fn paint(&self, text: &str) -> String {
        if self.dim {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Control characters would let a command's output move the cursor or recolour the operator's
/// terminal; they are shown escaped.
fn escape(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl Executor for Echo {
    fn command_types(&self) -> Vec<CommandType> {
        self.inner.command_types()
    }

    fn supports_target_type(&self, target_type: &str) -> bool {
        self.inner.supports_target_type(target_type)
    }

    fn unavailable_reason(&self) -> Option<String> {
        self.inner.unavailable_reason()
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(async move {
            let outcome = self.inner.execute(request).await?;
            self.show(&outcome);
            Ok(outcome)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("ok\x1b[31mred"), "ok\\u{1b}[31mred");
        assert_eq!(escape("a\tb"), "a\tb");
    }
}

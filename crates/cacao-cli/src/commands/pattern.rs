//! `cacao pattern`: not built yet; the issue that asks for it owns this file.

use crate::Verdict;

/// Subcommands of `cacao pattern`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs the command.
pub fn run(command: Command) -> anyhow::Result<Verdict> {
    match command {}
}

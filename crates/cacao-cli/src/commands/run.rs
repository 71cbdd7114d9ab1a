//! `cacao run`: not built yet; the issue that asks for it owns this file.

use crate::Verdict;

/// Arguments of `cacao run`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<Verdict> {
    anyhow::bail!("`cacao run` is not built yet")
}

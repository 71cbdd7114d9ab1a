//! `cacao keygen`: not built yet; the issue that asks for it owns this file.

use crate::Verdict;

/// Arguments of `cacao keygen`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<Verdict> {
    anyhow::bail!("`cacao keygen` is not built yet")
}

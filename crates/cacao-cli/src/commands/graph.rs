//! `cacao graph`: not built yet; the issue that asks for it owns this file.

use crate::Verdict;

/// Arguments of `cacao graph`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<Verdict> {
    anyhow::bail!("`cacao graph` is not built yet")
}

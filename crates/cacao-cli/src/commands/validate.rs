//! `cacao validate`: not built yet; the issue that asks for it owns this file.

use crate::Verdict;

/// Arguments of `cacao validate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<Verdict> {
    anyhow::bail!("`cacao validate` is not built yet")
}

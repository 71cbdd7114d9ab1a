//! `cacao verify`: not built yet; the issue that asks for it owns this file.

use crate::Verdict;

/// Arguments of `cacao verify`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<Verdict> {
    anyhow::bail!("`cacao verify` is not built yet")
}

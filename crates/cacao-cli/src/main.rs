//! The `cacao` command: validate, format, draw, create, sign, verify and run CACAO 2.0
//! playbooks, and check and match STIX patterns.
//!
//! The binary is thin: it parses arguments, sets up logging, calls one library function per
//! command and maps the outcome to an exit code here, in one place:
//! - 0: success (every file valid, nothing to change, every signature verified, execution
//!   completed, pattern valid).
//! - 1: a negative verdict (a file invalid, a file would change, a signature failed, the
//!   execution failed, a pattern invalid).
//! - 2: a usage, input or I/O error that prevented a verdict.

mod commands;
mod output;
mod signature_check;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Author, verify, sign and run CACAO 2.0 security playbooks.
#[derive(Debug, Parser)]
#[command(name = "cacao", version, about, long_about = None, propagate_version = true)]
#[command(after_help = "Exit codes: 0 success, 1 negative verdict, 2 usage or I/O error.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check playbooks against the CACAO 2.0 schemas and semantic rules.
    Validate(commands::validate::Args),
    /// Rewrite playbooks as canonical 2-space JSON, keeping key order.
    Fmt(commands::fmt::Args),
    /// Draw a playbook's workflow as a Mermaid flowchart or Graphviz dot.
    Graph(commands::graph::Args),
    /// Write a minimal valid playbook to start from.
    New(commands::new::Args),
    /// Check STIX 2.1 patterns and match them against observed data.
    #[command(subcommand)]
    Pattern(commands::pattern::Command),
    /// Generate a signing key pair.
    Keygen(commands::keygen::Args),
    /// Sign or countersign a playbook with a `jss` signature.
    Sign(commands::sign::Args),
    /// Verify a playbook's signatures, optionally against trusted keys or a trust policy.
    Verify(commands::verify::Args),
    /// Execute a playbook.
    Run(commands::run::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::init_logging();

    let outcome = match cli.command {
        Command::Validate(args) => commands::validate::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Pattern(command) => commands::pattern::run(command),
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Sign(args) => commands::sign::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Run(args) => commands::run::run(args),
    };

    match outcome {
        Ok(verdict) => ExitCode::from(verdict as u8),
        Err(error) => {
            output::print_error(&error);
            ExitCode::from(Verdict::Error as u8)
        }
    }
}

/// The outcome of a command, as its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Verdict {
    /// Exit 0.
    Success = 0,
    /// Exit 1.
    Negative = 1,
    /// Exit 2 (also used for every `Err`).
    Error = 2,
}

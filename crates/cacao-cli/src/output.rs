//! Terminal conventions shared by every command: output formats, colour only on a terminal and
//! never with `NO_COLOR`, logging to stderr, and the one way errors are printed.

use std::io::IsTerminal;

/// The output format of commands that report results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For people: aligned text, colour on a terminal.
    #[default]
    Human,
    /// One JSON document on stdout, for scripts.
    Json,
}

/// Whether to colour what goes to stderr (`stream_is_stdout` false) or stdout.
pub fn use_colour(stream_is_stdout: bool) -> bool {
    if std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty()) {
        return false;
    }
    if stream_is_stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings and errors).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(use_colour(false))
        .init();
}

/// Prints an error and its causes on stderr, as `error: ...` lines.
pub fn print_error(error: &anyhow::Error) {
    let prefix = if use_colour(false) {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    eprintln!("{prefix}: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

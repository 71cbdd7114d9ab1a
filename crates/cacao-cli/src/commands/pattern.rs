//! `cacao pattern`: check STIX 2.1 patterns (and CACAO conditions) and match patterns against
//! observed data, with the `stix-pattern` crate.
//!
//! `check` exits 0 for a valid pattern and 1 with the error on stderr for an invalid one.
//! `match` prints `{"matched":…,"observed_data":[…]}` and exits 0, or exits 1 when the pattern is
//! invalid or cannot be evaluated; unreadable input and malformed observed data exit 2.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use stix_pattern::condition::Condition;
use stix_pattern::{MatchError, Matcher, PatternError};

use crate::Verdict;

/// Subcommands of `cacao pattern`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check that a STIX 2.1 pattern is valid (exit 0) or show why not (exit 1).
    Check(CheckArgs),
    /// Match a STIX 2.1 pattern against observed data and print the verdict as JSON.
    Match(MatchArgs),
}

/// Arguments of `cacao pattern check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The pattern, e.g. "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a69faa']".
    pub pattern: String,

    /// Check a CACAO condition (`__name__:value > 3 AND ...`) instead of a STIX pattern.
    #[arg(long)]
    pub condition: bool,
}

/// Arguments of `cacao pattern match`.
#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// The pattern, e.g. "[ipv4-addr:value ISSUBSET '10.0.0.0/8']".
    pub pattern: String,

    /// A JSON file holding a list of STIX objects (observed-data objects and the objects they
    /// reference) or a STIX bundle; `-` reads standard input.
    pub file: PathBuf,
}

/// Runs the command.
pub fn run(command: Command) -> anyhow::Result<Verdict> {
    match command {
        Command::Check(args) => check(&args),
        Command::Match(args) => match_file(&args),
    }
}

fn check(args: &CheckArgs) -> anyhow::Result<Verdict> {
    let outcome = if args.condition {
        Condition::parse(&args.pattern).map(|_| ())
    } else {
        stix_pattern::parse_pattern(&args.pattern).map(|_| ())
    };
    match outcome {
        Ok(()) => {
            let what = if args.condition {
                "CACAO condition"
            } else {
                "STIX 2.1 pattern"
            };
            println!("valid {what}");
            Ok(Verdict::Success)
        }
        Err(error) => {
            let what = if args.condition {
                "condition"
            } else {
                "pattern"
            };
            report_pattern_error(what, &args.pattern, &error);
            Ok(Verdict::Negative)
        }
    }
}

fn match_file(args: &MatchArgs) -> anyhow::Result<Verdict> {
    // The pattern is checked first, so a bad pattern is reported even with a bad file.
    let matcher = match Matcher::parse(&args.pattern) {
        Ok(matcher) => matcher,
        Err(MatchError::Pattern(error)) => {
            report_pattern_error("pattern", &args.pattern, &error);
            return Ok(Verdict::Negative);
        }
        Err(error) => {
            eprintln!("error: the pattern cannot be evaluated: {error}");
            return Ok(Verdict::Negative);
        }
    };

    let text = if args.file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        text
    } else {
        std::fs::read_to_string(&args.file)
            .with_context(|| format!("cannot read {}", args.file.display()))?
    };
    let input: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", args.file.display()))?;

    let outcome = matcher
        .match_input(&input)
        .with_context(|| format!("cannot match against {}", args.file.display()))?;
    let report = serde_json::json!({
        "matched": outcome.matched,
        "observed_data": outcome.observed_data,
    });
    println!("{}", serde_json::to_string(&report)?);
    Ok(Verdict::Success)
}

/// Prints the error with the offending line and a caret under the position.
fn report_pattern_error(what: &str, text: &str, error: &PatternError) {
    let (line_number, column) = error.line_column(text);
    eprintln!(
        "error: invalid {what}: {} (line {line_number}, column {column})",
        error.message
    );
    if let Some(line) = text.lines().nth(line_number - 1) {
        eprintln!("  {line}");
        eprintln!("  {}^", " ".repeat(column - 1));
    }
}

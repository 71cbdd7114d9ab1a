//! `cacao validate`: checks playbooks against the CACAO 2.0 schemas and semantic rules and
//! reports every finding, as rustc-style text or as one JSON document.
//!
//! Exit codes: 0 when every file is valid (warnings allowed), 1 when some file has an error,
//! 2 when a file cannot be read or an argument is wrong.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use cacao_validate::{Report, render};

use crate::Verdict;
use crate::output::{Format, use_colour};

/// Arguments of `cacao validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How to report: `human` (rustc-style diagnostics with the source line underlined) or
    /// `json` (exactly one JSON document on stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Report errors only; warnings are neither shown nor counted.
    #[arg(long)]
    pub no_warnings: bool,

    /// Playbook files to check. A directory stands for every `*.json` file below it.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// The JSON output: `{"files": [...]}`.
#[derive(serde::Serialize)]
struct JsonOutput<'a> {
    files: Vec<JsonFile<'a>>,
}

#[derive(serde::Serialize)]
struct JsonFile<'a> {
    file: String,
    valid: bool,
    diagnostics: &'a [cacao_validate::Diagnostic],
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let (files, mut failures) = expand_paths(&args.files);
    let colour = use_colour(true);
    let progress = progress_bar(files.len());
    let validator = validator();

    let mut results: Vec<(String, Report)> = Vec::with_capacity(files.len());
    let mut stdout = std::io::stdout().lock();
    for path in &files {
        let shown = path.display().to_string();
        progress.set_message(shown.clone());
        let source = match std::fs::read(path) {
            Ok(source) => source,
            Err(error) => {
                failures.push(format!("cannot read `{shown}`: {error}"));
                progress.inc(1);
                continue;
            }
        };
        let mut report = validator.validate(&source);
        if args.no_warnings {
            report = report.without_warnings();
        }
        if args.format == Format::Human {
            let text = format!(
                "{}{}\n",
                render::render_report(&shown, &source, &report, colour),
                summary(&shown, &report, colour)
            );
            progress.suspend(|| stdout.write_all(text.as_bytes()))?;
        }
        results.push((shown, report));
        progress.inc(1);
    }
    progress.finish_and_clear();

    let invalid = results
        .iter()
        .filter(|(_, report)| !report.is_valid())
        .count();
    match args.format {
        Format::Json => {
            let output = JsonOutput {
                files: results
                    .iter()
                    .map(|(file, report)| JsonFile {
                        file: file.clone(),
                        valid: report.is_valid(),
                        diagnostics: &report.diagnostics,
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut stdout, &output).context("cannot write the report")?;
            writeln!(stdout)?;
        }
        Format::Human if results.len() > 1 => {
            writeln!(
                stdout,
                "{} files checked: {} valid, {invalid} invalid",
                results.len(),
                results.len() - invalid
            )?;
        }
        Format::Human => {}
    }
    stdout.flush()?;

    if !failures.is_empty() {
        for failure in &failures {
            crate::output::print_error(&anyhow::anyhow!("{failure}"));
        }
        return Ok(Verdict::Error);
    }
    Ok(if invalid > 0 {
        Verdict::Negative
    } else {
        Verdict::Success
    })
}

/// The validator with every check the binary has: the built-in schema and semantic rules, and
/// signature verification (`signature/...` rules).
pub(crate) fn validator() -> cacao_validate::Validator {
    cacao_validate::Validator::new().with_check(crate::signature_check::SignatureCheck)
}

/// "`path`: valid" or "`path`: invalid (2 errors, 1 warning)".
fn summary(path: &str, report: &Report, colour: bool) -> String {
    let errors = report.error_count();
    let warnings = report.warning_count();
    let plural =
        |count: usize, word: &str| format!("{count} {word}{}", if count == 1 { "" } else { "s" });
    let (verdict, code) = if errors > 0 {
        ("invalid", "\x1b[1;31m")
    } else {
        ("valid", "\x1b[1;32m")
    };
    let verdict = if colour {
        format!("{code}{verdict}\x1b[0m")
    } else {
        verdict.to_owned()
    };
    match (errors, warnings) {
        (0, 0) => format!("{path}: {verdict}"),
        (0, warnings) => format!("{path}: {verdict} ({})", plural(warnings, "warning")),
        (errors, 0) => format!("{path}: {verdict} ({})", plural(errors, "error")),
        (errors, warnings) => format!(
            "{path}: {verdict} ({}, {})",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}

fn progress_bar(length: usize) -> indicatif::ProgressBar {
    if length < 20 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(length as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// Expands directories into the `*.json` files below them (sorted, hidden folders skipped).
/// Returns the files and a message for every path that does not exist or cannot be listed.
pub(crate) fn expand_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => {
                let before = files.len();
                collect_json_files(path, &mut files, &mut failures);
                files[before..].sort();
            }
            Ok(_) => files.push(path.clone()),
            Err(error) => failures.push(format!("cannot read `{}`: {error}", path.display())),
        }
    }
    (files, failures)
}

fn collect_json_files(directory: &Path, files: &mut Vec<PathBuf>, failures: &mut Vec<String>) {
    // Iterative, and symbolic links to directories are not followed, so link loops cannot hang.
    let mut pending = vec![directory.to_path_buf()];
    while let Some(directory) = pending.pop() {
        let entries = match std::fs::read_dir(&directory) {
            Ok(entries) => entries,
            Err(error) => {
                failures.push(format!("cannot list `{}`: {error}", directory.display()));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let is_json = path
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("json"));
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && !hidden => pending.push(path),
                Ok(kind) if !kind.is_dir() && is_json => files.push(path),
                _ => {}
            }
        }
    }
}

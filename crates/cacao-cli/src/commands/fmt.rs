//! `cacao fmt`: rewrites playbooks as canonical 2-space JSON, keeping key order, unknown
//! properties and every number exactly as written.
//!
//! Files are replaced atomically (a temporary file in the same folder, then a rename), so an
//! interrupted run never leaves a half-written playbook. A file that is not JSON, or that has a
//! duplicate key (whose meaning depends on the reader), is left alone and reported.
//! Exit codes: 0 when every file is (now) canonical, 1 with `--check` when a file would change,
//! 2 when a file cannot be read, parsed or written.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use cacao_validate::{Document, render};

use crate::Verdict;
use crate::commands::validate::expand_paths;
use crate::output::use_colour;

/// Arguments of `cacao fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Change nothing; list the files that are not canonical and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,

    /// Playbook files to format. A directory stands for every `*.json` file below it.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let (files, mut failures) = expand_paths(&args.files);
    let mut would_change = 0;
    for path in &files {
        match format_file(path, args.check) {
            Ok(false) => {}
            Ok(true) if args.check => {
                would_change += 1;
                println!("would reformat {}", path.display());
            }
            Ok(true) => println!("formatted {}", path.display()),
            Err(error) => failures.push(format!("{error:#}")),
        }
    }

    if !failures.is_empty() {
        for failure in &failures {
            crate::output::print_error(&anyhow::anyhow!("{failure}"));
        }
        return Ok(Verdict::Error);
    }
    Ok(if would_change > 0 {
        Verdict::Negative
    } else {
        Verdict::Success
    })
}

/// Formats one file; returns whether its text changes (and, unless `check`, writes it).
fn format_file(path: &Path, check: bool) -> anyhow::Result<bool> {
    let shown = path.display().to_string();
    let source = std::fs::read(path).with_context(|| format!("cannot read `{shown}`"))?;
    let document = match Document::parse(&source) {
        Ok(document) => document,
        Err(_) => {
            let report = cacao_validate::validate(&source);
            eprint!(
                "{}",
                render::render_report(&shown, &source, &report, use_colour(false))
            );
            anyhow::bail!("`{shown}` is not JSON; it was left unchanged");
        }
    };
    if !document.issues().is_empty()
        && document
            .issues()
            .iter()
            .any(|issue| matches!(issue, cacao_validate::json::Issue::DuplicateKey { .. }))
    {
        let mut report = cacao_validate::validate(&source);
        report
            .diagnostics
            .retain(|diagnostic| diagnostic.rule == cacao_validate::Rule::JsonSyntax);
        eprint!(
            "{}",
            render::render_report(&shown, &source, &report, use_colour(false))
        );
        anyhow::bail!("`{shown}` has duplicate keys; resolve them first, it was left unchanged");
    }

    let formatted = cacao_validate::format::canonical(&document);
    if formatted.as_bytes() == source.as_slice() {
        return Ok(false);
    }
    if !check {
        write_atomically(path, formatted.as_bytes())
            .with_context(|| format!("cannot write `{shown}`"))?;
    }
    Ok(true)
}

/// Replaces `path` with `contents` through a temporary file in the same folder and a rename,
/// keeping the file's permissions.
fn write_atomically(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    std::fs::set_permissions(temporary.path(), permissions)?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

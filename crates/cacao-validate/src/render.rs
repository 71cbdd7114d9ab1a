//! Human-readable diagnostics in the style of rustc: the rule id and message, the file position,
//! the source line with the span underlined, the JSON pointer and the help text.
//!
//! Colour is the caller's decision (on a terminal, never with `NO_COLOR`); secret values in the
//! shown source lines are replaced by `*`.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, LineIndex, Report, Severity};
use crate::json::Span;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BLUE: &str = "\x1b[1;34m";

fn severity_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[1;33m",
    }
}

/// Renders every diagnostic of `report` about the file `path` whose bytes are `source`.
pub fn render_report(path: &str, source: &[u8], report: &Report, colour: bool) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        render_diagnostic(
            &mut out,
            path,
            source,
            &index,
            &report.secret_spans,
            diagnostic,
            colour,
        );
        out.push('\n');
    }
    out
}

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour {
        format!("{code}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn render_diagnostic(
    out: &mut String,
    path: &str,
    source: &[u8],
    index: &LineIndex<'_>,
    secrets: &[Span],
    diagnostic: &Diagnostic,
    colour: bool,
) {
    let severity = diagnostic.severity;
    let tint = severity_colour(severity);
    let _ = writeln!(
        out,
        "{}{}",
        paint(
            colour,
            tint,
            &format!("{}[{}]", severity.as_str(), diagnostic.rule.id())
        ),
        paint(colour, BOLD, &format!(": {}", diagnostic.message)),
    );

    let gutter = diagnostic.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(
        out,
        "{pad}{} {path}:{}:{}",
        paint(colour, BLUE, "-->"),
        diagnostic.line,
        diagnostic.column
    );

    let line_start = index.line_start(diagnostic.line);
    let text = masked_line(source, index, diagnostic.line, line_start, secrets);
    let shown: String = text
        .chars()
        .map(|character| if character == '\t' { ' ' } else { character })
        .collect();
    let line_length = shown.chars().count();
    let start_column = diagnostic.column - 1;
    let span_chars = source
        .get(diagnostic.span.start..diagnostic.span.end.max(diagnostic.span.start))
        .map_or(1, |bytes| {
            bytes
                .iter()
                .filter(|byte| (**byte & 0b1100_0000) != 0b1000_0000)
                .count()
        });
    let underline_length = span_chars
        .min(line_length.saturating_sub(start_column))
        .max(1);

    let bar = paint(colour, BLUE, "|");
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(
        out,
        "{} {bar} {shown}",
        paint(colour, BLUE, &format!("{:>gutter$}", diagnostic.line))
    );
    let _ = writeln!(
        out,
        "{pad} {bar} {}{}",
        " ".repeat(start_column),
        paint(colour, tint, &"^".repeat(underline_length))
    );
    let _ = writeln!(out, "{pad} {bar}");
    if !diagnostic.pointer.is_empty() {
        let _ = writeln!(
            out,
            "{pad} {} at: {}",
            paint(colour, BLUE, "="),
            diagnostic.pointer
        );
    }
    let _ = writeln!(
        out,
        "{pad} {} {}: {}",
        paint(colour, BLUE, "="),
        paint(colour, BOLD, "help"),
        diagnostic.help
    );
}

/// The text of a line with the characters of secret values replaced by `*`.
fn masked_line(
    source: &[u8],
    index: &LineIndex<'_>,
    line: usize,
    line_start: usize,
    secrets: &[Span],
) -> String {
    let text = index.line_text(line);
    let line_end = line_start + text.len();
    let overlapping: Vec<&Span> = secrets
        .iter()
        .filter(|span| span.start < line_end && span.end > line_start)
        .collect();
    if overlapping.is_empty() || std::str::from_utf8(source).is_err() {
        return text;
    }
    text.char_indices()
        .map(|(offset, character)| {
            let absolute = line_start + offset;
            let inside = overlapping
                .iter()
                .any(|span| absolute > span.start && absolute + 1 < span.end);
            if inside { '*' } else { character }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_position_source_line_and_underline() {
        let source = b"{\n  \"type\": \"playbok\"\n}\n";
        let report = crate::validate(source);
        let text = render_report("x.json", source, &report, false);
        assert!(text.contains("error[schema/enum]"), "{text}");
        assert!(text.contains("--> x.json:2:11"), "{text}");
        assert!(text.contains("2 |   \"type\": \"playbok\""), "{text}");
        assert!(text.contains("  |           ^^^^^^^^^"), "{text}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn colour_only_when_asked() {
        let report = crate::validate(b"[]");
        assert!(render_report("x.json", b"[]", &report, true).contains('\x1b'));
    }
}

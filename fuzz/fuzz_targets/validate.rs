//! Fuzz target: the validator and the formatter on arbitrary bytes. Crashes are panics, hangs,
//! stack overflows and broken invariants: a diagnostic outside the file, a verdict that
//! disagrees with the severities, or formatted output that does not parse back to the same data.
#![no_main]

use cacao_validate::format::canonical;
use cacao_validate::{Document, Kind, LineIndex, NodeId, Severity, validate};
use libfuzzer_sys::fuzz_target;

fn same_tree(a: &Document<'_>, a_node: NodeId, b: &Document<'_>, b_node: NodeId) -> bool {
    if a.kind(a_node) != b.kind(b_node) {
        return false;
    }
    match a.kind(a_node) {
        Kind::Null => true,
        Kind::Bool => a.as_bool(a_node) == b.as_bool(b_node),
        Kind::Number => a.number_text(a_node) == b.number_text(b_node),
        Kind::String => a.as_str(a_node) == b.as_str(b_node),
        Kind::Array => {
            a.len(a_node) == b.len(b_node)
                && a.items(a_node)
                    .zip(b.items(b_node))
                    .all(|(x, y)| same_tree(a, x, b, y))
        }
        Kind::Object => {
            a.len(a_node) == b.len(b_node)
                && a.members(a_node)
                    .zip(b.members(b_node))
                    .all(|(x, y)| x.key == y.key && same_tree(a, x.value, b, y.value))
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let report = validate(data);
    let lines = LineIndex::new(data).line_count();
    for diagnostic in &report.diagnostics {
        assert!(
            diagnostic.line >= 1 && diagnostic.line <= lines,
            "{diagnostic:?}"
        );
        assert!(diagnostic.column >= 1, "{diagnostic:?}");
        assert!(diagnostic.span.start <= data.len() && diagnostic.span.end <= data.len());
        assert!(!diagnostic.message.is_empty() && !diagnostic.help.is_empty());
    }
    let has_error = report
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.severity == Severity::Error);
    assert_eq!(report.is_valid(), !has_error);
    let _ = cacao_validate::render::render_report("fuzz.json", data, &report, true);

    if let Ok(document) = Document::parse(data) {
        let formatted = canonical(&document);
        let reparsed = Document::parse(formatted.as_bytes()).expect("formatted output parses");
        assert!(
            same_tree(&document, document.root(), &reparsed, reparsed.root()),
            "formatting changed the data"
        );
        assert_eq!(
            canonical(&reparsed),
            formatted,
            "formatting is not a fixed point"
        );
    }
});

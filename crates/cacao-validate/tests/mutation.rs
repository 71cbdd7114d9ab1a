//! Property tests: the parser, the validator and the formatter on mutated corpus files.
//!
//! Byte-level mutations (flips, insertions, deletions, duplicated slices, truncation) and
//! value-level mutations (interesting strings and numbers in place of values) of every corpus
//! file. For every input: no panic; every diagnostic is well-formed and points inside the file;
//! the verdict matches the severities; validation is deterministic; and when the input parses,
//! `cacao fmt`'s output parses back to the same tree and is a fixed point.
//!
//! `PROPTEST_CASES=100000 cargo test --release -p cacao-validate --test mutation` runs a long
//! campaign; fuzz/README.md describes the cargo-fuzz target for coverage-guided runs.

use std::sync::OnceLock;

use cacao_validate::format::canonical;
use cacao_validate::{Document, Kind, LineIndex, NodeId, Severity, validate};
use proptest::prelude::*;

fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/corpus/validate"
        );
        let mut files = Vec::new();
        for folder in ["valid", "invalid", "warn"] {
            for entry in std::fs::read_dir(format!("{root}/{folder}"))
                .expect("corpus folder")
                .flatten()
            {
                let path = entry.path();
                // The large generated playbook makes each case slow without adding shapes.
                if !path.to_string_lossy().contains("large-generated") {
                    files.push(std::fs::read(path).expect("corpus file"));
                }
            }
        }
        files.sort();
        files
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Flip { at: f64, bit: u8 },
    Insert { at: f64, bytes: Vec<u8> },
    Delete { at: f64, length: usize },
    Duplicate { at: f64, length: usize, to: f64 },
    Truncate { at: f64 },
    ReplaceString { nth: usize, with: String },
}

fn interesting_strings() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("__x__:value".to_owned()),
        Just("action--00000000-0000-0000-0000-000000000000".to_owned()),
        Just("start--6b23c237-ade8-4d00-9aa1-75999738d557".to_owned()),
        Just("2024-02-30T00:00:00.000Z".to_owned()),
        Just("(((".to_owned()),
        Just("'".to_owned()),
        Just("GET".to_owned()),
        Just("\u{0}\u{7f}\u{feff}é\u{10ffff}".to_owned()),
        "\\PC{0,40}",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0f64, 0u8..8).prop_map(|(at, bit)| Edit::Flip { at, bit }),
        (
            0.0..1.0f64,
            proptest::collection::vec(
                prop_oneof![
                    any::<u8>(),
                    Just(b'{'),
                    Just(b'}'),
                    Just(b'['),
                    Just(b']'),
                    Just(b'"'),
                    Just(b','),
                    Just(b':'),
                    Just(b'\\')
                ],
                1..8
            )
        )
            .prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        (0.0..1.0f64, 1usize..200).prop_map(|(at, length)| Edit::Delete { at, length }),
        (0.0..1.0f64, 1usize..400, 0.0..1.0f64).prop_map(|(at, length, to)| Edit::Duplicate {
            at,
            length,
            to
        }),
        (0.0..1.0f64).prop_map(|at| Edit::Truncate { at }),
        (0usize..400, interesting_strings())
            .prop_map(|(nth, with)| Edit::ReplaceString { nth, with }),
    ]
}

fn apply(mut bytes: Vec<u8>, edit: &Edit) -> Vec<u8> {
    let index = |at: f64, length: usize| ((at * length as f64) as usize).min(length);
    match edit {
        Edit::Flip { at, bit } => {
            if !bytes.is_empty() {
                let position = index(*at, bytes.len() - 1);
                bytes[position] ^= 1 << bit;
            }
        }
        Edit::Insert {
            at,
            bytes: inserted,
        } => {
            let position = index(*at, bytes.len());
            bytes.splice(position..position, inserted.iter().copied());
        }
        Edit::Delete { at, length } => {
            let position = index(*at, bytes.len());
            let end = (position + length).min(bytes.len());
            bytes.drain(position..end);
        }
        Edit::Duplicate { at, length, to } => {
            let position = index(*at, bytes.len());
            let end = (position + length).min(bytes.len());
            let slice = bytes[position..end].to_vec();
            let target = index(*to, bytes.len());
            bytes.splice(target..target, slice);
        }
        Edit::Truncate { at } => {
            let position = index(*at, bytes.len());
            bytes.truncate(position);
        }
        Edit::ReplaceString { nth, with } => {
            // Replace the value of the nth `": "` string member, keeping the JSON well formed.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let positions: Vec<usize> = text
                .match_indices(": \"")
                .map(|(position, _)| position + 2)
                .collect();
            if let Some(&start) = positions.get(nth % positions.len().max(1))
                && let Some(length) = text[start + 1..].find('"')
            {
                let escaped = serde_json::to_string(with).expect("string");
                let mut replaced = text[..start].to_owned();
                replaced.push_str(&escaped);
                replaced.push_str(&text[start + 2 + length..]);
                return replaced.into_bytes();
            }
        }
    }
    bytes
}

/// Structural equality of two parsed documents: kinds, key order, number text, string values.
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

fn check_invariants(input: &[u8]) -> Result<(), TestCaseError> {
    let report = validate(input);
    let lines = LineIndex::new(input).line_count();
    for diagnostic in &report.diagnostics {
        prop_assert!(
            diagnostic.line >= 1 && diagnostic.line <= lines,
            "{diagnostic:?}"
        );
        prop_assert!(diagnostic.column >= 1, "{diagnostic:?}");
        prop_assert!(diagnostic.span.start <= input.len() && diagnostic.span.end <= input.len());
        prop_assert!(!diagnostic.message.is_empty() && !diagnostic.help.is_empty());
        prop_assert!(diagnostic.pointer.is_empty() || diagnostic.pointer.starts_with('/'));
    }
    let has_error = report
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.severity == Severity::Error);
    prop_assert_eq!(report.is_valid(), !has_error);
    prop_assert_eq!(
        &validate(input),
        &report,
        "validation must be deterministic"
    );
    prop_assert!(serde_json::to_string(&report.diagnostics).is_ok());

    if let Ok(document) = Document::parse(input) {
        let formatted = canonical(&document);
        let reparsed = Document::parse(formatted.as_bytes());
        prop_assert!(
            reparsed.is_ok(),
            "formatted output does not parse: {:?}",
            reparsed.err()
        );
        let reparsed = reparsed.expect("checked");
        prop_assert!(
            same_tree(&document, document.root(), &reparsed, reparsed.root()),
            "formatting changed the data"
        );
        prop_assert_eq!(
            canonical(&reparsed),
            formatted,
            "formatting is not a fixed point"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn mutated_corpus_files_never_break_the_validator(
        seed in 0usize..1000,
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let seeds = seeds();
        let mut input = seeds[seed % seeds.len()].clone();
        for edit in &edits {
            input = apply(input, edit);
        }
        check_invariants(&input)?;
    }

    #[test]
    fn arbitrary_bytes_never_break_the_validator(input in proptest::collection::vec(any::<u8>(), 0..2000)) {
        check_invariants(&input)?;
    }
}

#[test]
fn every_corpus_file_satisfies_the_invariants() {
    for seed in seeds() {
        check_invariants(seed).expect("invariants");
    }
}

//! The conformance corpus (testdata/corpus/validate): every case's expected verdict and rule ids,
//! from the repository's own copy of the cases and their manifest.

use std::path::PathBuf;

use cacao_validate::{Severity, validate};

fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/validate"
    ))
}

#[derive(serde::Deserialize)]
struct Case {
    file: String,
    valid: bool,
    errors: Vec<String>,
    warnings: Vec<String>,
}

#[test]
fn every_conformance_case_gets_its_expected_verdict_and_rules() {
    let manifest = std::fs::read_to_string(corpus().join("manifest.json")).expect("manifest");
    let cases: Vec<Case> = serde_json::from_str(&manifest).expect("manifest is JSON");
    assert!(
        cases.len() >= 45,
        "the manifest lists {} cases",
        cases.len()
    );

    let mut failures = Vec::new();
    for case in &cases {
        let source = std::fs::read(corpus().join(&case.file)).expect("case file");
        let report = validate(&source);
        let has = |rule: &str, severity: Severity| {
            report
                .diagnostics
                .iter()
                .any(|diagnostic| diagnostic.rule.id() == rule && diagnostic.severity == severity)
        };
        let mut problems = Vec::new();
        if report.is_valid() != case.valid {
            problems.push(format!(
                "valid is {}, expected {}",
                report.is_valid(),
                case.valid
            ));
        }
        for rule in &case.errors {
            if !has(rule, Severity::Error) {
                problems.push(format!("no error {rule}"));
            }
        }
        for rule in &case.warnings {
            if !has(rule, Severity::Warning) {
                problems.push(format!("no warning {rule}"));
            }
        }
        if !problems.is_empty() {
            let found: Vec<String> = report
                .diagnostics
                .iter()
                .map(|d| {
                    format!(
                        "  {} {} {} {}:{} {}",
                        d.severity, d.rule, d.pointer, d.line, d.column, d.message
                    )
                })
                .collect();
            failures.push(format!(
                "{}: {}\n{}",
                case.file,
                problems.join("; "),
                found.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn valid_corpus_files_have_no_findings_at_all() {
    for entry in std::fs::read_dir(corpus().join("valid")).expect("valid folder") {
        let path = entry.expect("entry").path();
        let report = validate(&std::fs::read(&path).expect("file"));
        let found: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| format!("{} {} {} {}", d.severity, d.rule, d.pointer, d.message))
            .collect();
        assert!(
            found.is_empty(),
            "{}:\n{}",
            path.display(),
            found.join("\n")
        );
    }
}

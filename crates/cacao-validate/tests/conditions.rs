//! Conditions of if and while steps: parsed by the `stix-pattern` condition language, typed
//! against the declared variable types, positioned inside the JSON string.

use cacao_validate::{Rule, Severity, validate};

fn playbook_with_condition(condition: &str) -> String {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/validate/valid/mitigation-ssh-block-ip.json"
    ))
    .expect("corpus file");
    let original = "\"condition\": \"__count__:value > 3 AND __host__:value != '10.0.0.1'\"";
    assert!(source.contains(original));
    source.replacen(
        original,
        &format!(
            "\"condition\": {}",
            serde_json::to_string(condition).expect("string")
        ),
        1,
    )
}

#[test]
fn the_corpus_condition_is_well_typed() {
    let report = validate(
        playbook_with_condition("__count__:value > 3 AND __host__:value != '10.0.0.1'").as_bytes(),
    );
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}

#[test]
fn ill_typed_literals_are_condition_errors_at_the_literal() {
    let text = playbook_with_condition("__count__:value > 'many'");
    let report = validate(text.as_bytes());
    let finding = report
        .diagnostics
        .iter()
        .find(|diagnostic| diagnostic.rule == Rule::ConditionSyntax)
        .expect("a condition finding");
    assert_eq!(finding.severity, Severity::Error);
    assert!(
        finding.message.contains("wrong type"),
        "{}",
        finding.message
    );
    let underlined = &text[finding.span.start..];
    assert!(
        underlined.starts_with("'many'")
            || underlined.starts_with('>')
            || underlined.starts_with("__count__"),
        "{underlined:.30}"
    );
}

#[test]
fn escapes_in_the_json_string_do_not_shift_the_position() {
    // `\u0020` is one space in the condition but six bytes in the file.
    let text = playbook_with_condition("__count__:value\u{20}> 3 AND (")
        .replace("value > 3 AND (", "value\\u0020> 3 AND (");
    let report = validate(text.as_bytes());
    let finding = report
        .diagnostics
        .iter()
        .find(|diagnostic| diagnostic.rule == Rule::ConditionSyntax)
        .expect("a condition finding");
    assert_eq!(
        &text[finding.span.start..finding.span.start + 1],
        "\"",
        "the end of the input is the closing quote"
    );
}

#[test]
fn bare_variable_names_are_checked_for_declaration() {
    let report = validate(playbook_with_condition("__nowhere__:value = 'x'").as_bytes());
    assert!(
        report
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.rule == Rule::VariableUndefined
                && diagnostic.message.contains("__nowhere__"))
    );
}

//! docs/rules.md documents every rule id the validator can report.

use cacao_validate::Rule;

#[test]
fn every_rule_has_a_section_in_the_rules_document() {
    let document =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md"))
            .expect("docs/rules.md");
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .map(|rule| rule.id())
        .filter(|id| !document.contains(&format!("### {id} — ")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/rules.md has no section for {missing:?}"
    );
}

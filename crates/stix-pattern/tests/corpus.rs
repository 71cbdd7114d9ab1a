//! The pattern corpus (testdata/corpus/pattern): 55 validity cases from the OASIS
//! cti-pattern-validator suite and 188 matching cases from the cti-pattern-matcher suite, with
//! verdicts confirmed against the Python reference packages.

use serde_json::Value;
use stix_pattern::parse_pattern;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/corpus/pattern");

#[test]
fn validator_cases_have_the_reference_verdict() {
    let text = std::fs::read_to_string(format!("{CORPUS}/validator.json")).expect("validator.json");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("validator JSON");
    assert_eq!(cases.len(), 55);

    let mut failures = Vec::new();
    for case in &cases {
        let pattern = case["pattern"].as_str().expect("pattern");
        let expected = case["valid"].as_bool().expect("valid");
        let outcome = parse_pattern(pattern);
        if outcome.is_ok() != expected {
            failures.push(format!(
                "{pattern}: expected valid={expected}, got {outcome:?}"
            ));
        }
        if let Err(error) = &outcome {
            assert!(
                error.offset <= pattern.len(),
                "{pattern}: offset {} out of range",
                error.offset
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn matcher_cases_have_the_reference_verdict() {
    let text = std::fs::read_to_string(format!("{CORPUS}/matcher.jsonl")).expect("matcher.jsonl");
    let cases: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("matcher case JSON"))
        .collect();
    assert_eq!(cases.len(), 188);

    let mut failures = Vec::new();
    for case in &cases {
        let pattern = case["pattern"].as_str().expect("pattern");
        let expected = case["matched"].as_bool().expect("matched");
        match stix_pattern::match_pattern(pattern, &case["observed_data"]) {
            Ok(outcome) => {
                if outcome.matched != expected {
                    failures.push(format!(
                        "{pattern}: expected matched={expected}, got {outcome:?}"
                    ));
                }
                // Every id reported must be an observed-data object of the input.
                for id in &outcome.observed_data {
                    let known = case["observed_data"]
                        .as_array()
                        .expect("objects")
                        .iter()
                        .any(|object| object["id"] == *id && object["type"] == "observed-data");
                    assert!(known, "{pattern}: reported unknown id {id}");
                }
                assert_eq!(
                    outcome.matched,
                    !outcome.observed_data.is_empty(),
                    "{pattern}"
                );
            }
            Err(error) => failures.push(format!("{pattern}: error {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn matcher_cases_also_match_as_a_bundle() {
    let text = std::fs::read_to_string(format!("{CORPUS}/matcher.jsonl")).expect("matcher.jsonl");
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("case");
        let bundle = serde_json::json!({
            "type": "bundle",
            "id": "bundle--00000000-0000-4000-8000-000000000000",
            "objects": case["observed_data"],
        });
        let outcome =
            stix_pattern::match_pattern(case["pattern"].as_str().unwrap(), &bundle).expect("match");
        assert_eq!(
            outcome.matched,
            case["matched"].as_bool().unwrap(),
            "{}",
            case["pattern"]
        );
    }
}

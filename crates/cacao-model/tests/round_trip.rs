//! Reading then writing every example playbook gives back the same JSON: same keys, same order,
//! same values. The examples are the repository's copies of the TC, SOARCA and layout-extension
//! playbooks (see `testdata/README.md`) and the valid conformance corpus.

use std::path::{Path, PathBuf};

use cacao_model::Playbook;
use serde_json::Value;

fn json_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            found.push(path);
        }
    }
}

fn testdata(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(relative)
}

/// Compares two values including the order of object keys, and says where they differ.
fn assert_same_in_order(original: &Value, written: &Value, pointer: &str) {
    match (original, written) {
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: Vec<_> = a.keys().collect();
            let keys_b: Vec<_> = b.keys().collect();
            assert_eq!(keys_a, keys_b, "key order differs at `{pointer}`");
            for (key, value) in a {
                assert_same_in_order(value, &b[key], &format!("{pointer}/{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "array length differs at `{pointer}`");
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same_in_order(x, y, &format!("{pointer}/{index}"));
            }
        }
        _ => assert_eq!(original, written, "value differs at `{pointer}`"),
    }
}

#[test]
fn every_example_playbook_round_trips() {
    let mut files = Vec::new();
    json_files(&testdata("examples"), &mut files);
    json_files(&testdata("corpus/validate/valid"), &mut files);
    json_files(&testdata("corpus/run"), &mut files);
    files.sort();

    let mut round_tripped = 0;
    let mut not_playbooks = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        if original.get("type") != Some(&Value::from("playbook")) {
            continue;
        }
        match Playbook::from_json(&text) {
            Ok(playbook) => {
                let written: Value = serde_json::from_str(&playbook.to_json_pretty()).unwrap();
                assert_same_in_order(&original, &written, &path.display().to_string());
                round_tripped += 1;
            }
            Err(error) => not_playbooks.push(format!("{}: {error}", path.display())),
        }
    }

    eprintln!("round-tripped {round_tripped}, rejected {not_playbooks:#?}");
    // Documents that do not have a playbook's shape are rejected, never half-read. The known
    // ones are listed in docs/examples.md; anything else failing here is a model bug.
    let expected_rejects = ["changed-playbook.json", "run/manifest.json"];
    for reject in &not_playbooks {
        assert!(
            expected_rejects.iter().any(|name| reject.contains(name)),
            "unexpected rejection: {reject}"
        );
    }
    assert!(
        round_tripped >= 25,
        "only {round_tripped} playbooks round-tripped"
    );
}

#[test]
fn unknown_properties_and_extensions_survive_a_round_trip() {
    let text = std::fs::read_to_string(testdata(
        "examples/oasis-tcs-cacao/Extensions/layout/examples/playbook--aa1898b6-5251-49b4-aeb7-fd5e912583ff.json",
    ))
    .unwrap();
    let playbook = Playbook::from_json(&text).unwrap();
    let written = serde_json::to_string(&playbook).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();
    let back: Value = serde_json::from_str(&written).unwrap();
    assert_same_in_order(&original, &back, "");
}

#[test]
fn fields_set_in_code_are_written_after_the_source_keys() {
    let text = std::fs::read_to_string(testdata("corpus/run/seq-basic.json")).unwrap();
    let mut playbook = Playbook::from_json(&text).unwrap();
    playbook.labels = Some(vec!["added".into()]);
    let written: Value = serde_json::from_str(&playbook.to_json_pretty()).unwrap();
    let keys: Vec<_> = written.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.last().map(String::as_str), Some("labels"));
    assert_eq!(keys[0], "type");
}

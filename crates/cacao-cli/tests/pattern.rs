//! `cacao pattern check` and `cacao pattern match` over the pattern corpus
//! (testdata/corpus/pattern): exit codes and the JSON verdict, as a user runs them.

use std::process::Command;

use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/corpus/pattern");

fn cacao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
}

#[test]
fn check_exit_codes_follow_the_validator_corpus() {
    let text = std::fs::read_to_string(format!("{CORPUS}/validator.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    for case in &cases {
        let pattern = case["pattern"].as_str().unwrap();
        let output = cacao()
            .args(["pattern", "check", pattern])
            .output()
            .unwrap();
        let expected = if case["valid"].as_bool().unwrap() {
            0
        } else {
            1
        };
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{pattern}: {output:?}"
        );
        if expected == 1 {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("invalid pattern") && stderr.contains("column"),
                "{pattern}: {stderr}"
            );
        }
    }
}

#[test]
fn match_prints_the_verdict_for_every_matcher_case() {
    let directory = tempfile_directory();
    let text = std::fs::read_to_string(format!("{CORPUS}/matcher.jsonl")).unwrap();
    for (index, line) in text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
    {
        let case: Value = serde_json::from_str(line).unwrap();
        let file = directory.join(format!("case-{index}.json"));
        std::fs::write(
            &file,
            serde_json::to_string(&case["observed_data"]).unwrap(),
        )
        .unwrap();

        let pattern = case["pattern"].as_str().unwrap();
        let output = cacao()
            .args(["pattern", "match", pattern])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{pattern}: {output:?}");
        let verdict: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
        assert_eq!(verdict["matched"], case["matched"], "{pattern}");
        assert!(verdict["observed_data"].is_array(), "{pattern}: {verdict}");
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn match_exits_1_on_a_pattern_error_and_2_on_a_bad_file() {
    let directory = tempfile_directory();
    let file = directory.join("objects.json");
    std::fs::write(&file, "[]").unwrap();

    let invalid = cacao()
        .args(["pattern", "match", "[file:name = ", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(invalid.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("column 14"));

    let empty = cacao()
        .args([
            "pattern",
            "match",
            "[file:name = 'x']",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&empty.stdout).trim(),
        r#"{"matched":false,"observed_data":[]}"#
    );

    std::fs::write(&file, "not json").unwrap();
    let bad_file = cacao()
        .args([
            "pattern",
            "match",
            "[file:name = 'x']",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(bad_file.status.code(), Some(2));

    let condition = cacao()
        .args(["pattern", "check", "--condition", "__n__:value > 'x' OR"])
        .output()
        .unwrap();
    assert_eq!(condition.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&condition.stderr).contains("invalid condition"));

    std::fs::remove_dir_all(&directory).unwrap();
}

/// A fresh directory under the system temporary directory for this test process.
fn tempfile_directory() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let directory = std::env::temp_dir().join(format!(
        "cacao-pattern-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

//! `cacao validate` end to end: exit codes, the human and JSON formats, directories, warnings,
//! colour, and hostile input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(case: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/validate"
    ))
    .join(case)
}

fn cacao(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .env_remove("NO_COLOR")
        .output()
        .expect("the cacao binary runs")
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn valid_file_exits_zero() {
    let output = cacao(&[
        "validate",
        path(&corpus("valid/mitigation-ssh-block-ip.json")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).ends_with("mitigation-ssh-block-ip.json: valid\n"));
}

#[test]
fn invalid_file_exits_one_with_rustc_style_diagnostics() {
    let file = corpus("invalid/workflow-cycle.json");
    let output = cacao(&["validate", path(&file)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("error[workflow/cycle]: these steps loop without a while-condition"),
        "{text}"
    );
    assert!(
        text.contains(&format!("--> {}:86:24", file.display())),
        "{text}"
    );
    assert!(text.contains("= help: "), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn json_output_is_one_document_in_the_documented_shape() {
    let valid = corpus("valid/tc-basic-example-1.json");
    let invalid = corpus("invalid/workflow-dangling-ref.json");
    let output = cacao(&["validate", "--format", "json", path(&valid), path(&invalid)]);
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    let files = document["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["valid"], true);
    assert_eq!(files[0]["diagnostics"].as_array().map(Vec::len), Some(0));
    assert_eq!(files[1]["file"], path(&invalid));
    assert_eq!(files[1]["valid"], false);

    let file_keys: Vec<&str> = files[1]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(file_keys, ["file", "valid", "diagnostics"]);
    let diagnostic = &files[1]["diagnostics"][0];
    let keys: Vec<&str> = diagnostic
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "rule", "severity", "pointer", "line", "column", "message", "help"
        ]
    );
    assert_eq!(diagnostic["rule"], "workflow/dangling-ref");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(
        diagnostic["pointer"],
        "/workflow/action--c9ad20e7-0b84-4ada-b565-ba8c057859bb/on_failure"
    );
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(85), Some(21))
    );
}

#[test]
fn warnings_keep_the_file_valid_and_can_be_hidden() {
    let file = corpus("warn/workflow-unreachable.json");
    let output = cacao(&["validate", "--format", "json", path(&file)]);
    assert_eq!(output.status.code(), Some(0));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["files"][0]["valid"], true);
    assert_eq!(
        document["files"][0]["diagnostics"][0]["severity"],
        "warning"
    );

    let quiet = cacao(&["validate", "--format", "json", "--no-warnings", path(&file)]);
    let document: serde_json::Value = serde_json::from_slice(&quiet.stdout).expect("JSON");
    assert_eq!(
        document["files"][0]["diagnostics"].as_array().map(Vec::len),
        Some(0)
    );
}

#[test]
fn a_directory_stands_for_every_json_file_below_it() {
    let output = cacao(&["validate", "--format", "json", path(&corpus(""))]);
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let files = document["files"].as_array().expect("files");
    // 48 cases and the manifest (a JSON array, so not a playbook).
    assert_eq!(files.len(), 49);
    let invalid = files.iter().filter(|file| file["valid"] == false).count();
    assert_eq!(invalid, 39);
}

#[test]
fn missing_files_exit_two() {
    let output = cacao(&["validate", "/nonexistent/playbook.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("error: cannot read `/nonexistent/playbook.json`")
    );
    let usage = cacao(&["validate"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn hostile_input_gets_a_diagnostic_and_exit_one() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let valid =
        std::fs::read_to_string(corpus("valid/mitigation-ssh-block-ip.json")).expect("file");
    let mut junk = Vec::with_capacity(100_000);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..100_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        junk.push((state >> 24) as u8);
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.json", Vec::new(), "json/syntax"),
        ("junk.json", junk, "json/syntax"),
        ("nested.json", vec![b'['; 50 * 1024 * 1024], "json/syntax"),
        (
            "duplicate.json",
            valid
                .replacen("\"name\":", "\"name\": \"x\", \"name\":", 1)
                .into_bytes(),
            "json/syntax",
        ),
        (
            "large-number.json",
            valid
                .replacen("\"timeout\": 60000", "\"timeout\": 12345678901234567890", 1)
                .into_bytes(),
            "schema/range",
        ),
        (
            "not-utf8.json",
            [b"{\"a\": \"".as_slice(), &[0xc3, 0x28], b"\"}"].concat(),
            "json/syntax",
        ),
    ];
    for (name, bytes, rule) in cases {
        let file = folder.path().join(name);
        std::fs::write(&file, bytes).expect("write");
        let output = cacao(&["validate", "--format", "json", path(&file)]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let rules: Vec<&str> = document["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|diagnostic| diagnostic["rule"].as_str())
            .collect();
        assert!(rules.contains(&rule), "{name}: {rules:?}");
    }
}

#[test]
fn every_command_has_help() {
    for command in ["validate", "fmt", "graph", "new"] {
        let output = cacao(&[command, "--help"]);
        assert_eq!(output.status.code(), Some(0));
        assert!(stdout(&output).contains("Usage: cacao"), "{command}");
    }
}

/// `cacao validate` verifies signatures too: a tampered playbook is invalid with a
/// `signature/...` finding located at the signature object; a correctly signed one is valid.
#[test]
fn signature_findings_are_reported_with_positions() {
    let signatures = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/signature/cases"
    ));

    let tampered = cacao(&[
        "validate",
        "--format",
        "json",
        path(&signatures.join("n02-tampered-command-rs256.json")),
    ]);
    assert_eq!(tampered.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&tampered)).unwrap();
    let diagnostics = report["files"][0]["diagnostics"].as_array().unwrap();
    let finding = diagnostics
        .iter()
        .find(|d| d["rule"] == "signature/invalid-value")
        .unwrap_or_else(|| panic!("no signature finding in {diagnostics:?}"));
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["pointer"], "/signatures/0");
    assert!(finding["line"].as_u64().unwrap() > 1);

    let signed = cacao(&[
        "validate",
        path(&signatures.join("p11-countersigned-es256-ed25519.json")),
    ]);
    assert_eq!(signed.status.code(), Some(0), "{}", stdout(&signed));
}

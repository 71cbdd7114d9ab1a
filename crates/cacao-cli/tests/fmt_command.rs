//! `cacao fmt` end to end: canonical output, `--check`, nothing lost, atomic replacement, and
//! files it must leave alone.

use std::path::Path;
use std::process::{Command, Output};

fn cacao(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .output()
        .expect("the cacao binary runs")
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

const MESSY: &str = r#"{"type":"playbook","priority":1.50,"x_custom":{"big":12345678901234567890,"exp":1e3,"text":"caf\u00e9 \"quoted\""},
  "labels":[ ],"empty":{},"b":true,"n":null}"#;

const CANONICAL: &str = "{\n  \"type\": \"playbook\",\n  \"priority\": 1.50,\n  \"x_custom\": {\n    \"big\": 12345678901234567890,\n    \"exp\": 1e3,\n    \"text\": \"café \\\"quoted\\\"\"\n  },\n  \"labels\": [],\n  \"empty\": {},\n  \"b\": true,\n  \"n\": null\n}\n";

#[test]
fn check_reports_files_that_would_change_and_changes_nothing() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("messy.json");
    std::fs::write(&file, MESSY).expect("write");

    let output = cacao(&["fmt", "--check", path(&file)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("would reformat"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), MESSY);
}

#[test]
fn formatting_keeps_order_numbers_and_unknown_properties() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("messy.json");
    std::fs::write(&file, MESSY).expect("write");

    let output = cacao(&["fmt", path(&file)]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), CANONICAL);

    let again = cacao(&["fmt", "--check", path(&file)]);
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
    let leftovers: Vec<_> = std::fs::read_dir(folder.path()).expect("list").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn corpus_files_are_already_canonical() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/validate/valid/mitigation-ssh-block-ip.json"
    );
    let output = cacao(&["fmt", "--check", file]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[cfg(unix)]
#[test]
fn permissions_survive_the_rewrite() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = folder.path().join("playbook.json");
    std::fs::write(&file, MESSY).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    assert_eq!(cacao(&["fmt", path(&file)]).status.code(), Some(0));
    let mode = std::fs::metadata(&file)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn broken_files_and_duplicate_keys_are_left_alone() {
    let folder = tempfile::tempdir().expect("temporary folder");
    for (name, text) in [
        ("broken.json", "{\"a\": [1, 2"),
        ("duplicate.json", "{\"a\": 1, \"a\": 2}"),
    ] {
        let file = folder.path().join(name);
        std::fs::write(&file, text).expect("write");
        let output = cacao(&["fmt", path(&file)]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("json/syntax"),
            "{name}"
        );
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            text,
            "{name}"
        );
    }
}

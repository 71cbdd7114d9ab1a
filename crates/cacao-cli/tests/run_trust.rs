//! `cacao run` with a trust policy: a playbook runs only when its signatures satisfy the policy,
//! and a playbook-action's callee from `--library` gets the same validation and policy.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cacao(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .env("NO_COLOR", "1")
        .output()
        .expect("the cacao binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn corpus(name: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/run"
    ))
    .join(name)
}

fn path(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A key pair in `directory`: (private key file, public key file).
fn keygen(directory: &Path, name: &str) -> (PathBuf, PathBuf) {
    let private = directory.join(format!("{name}.pem"));
    let output = cacao(&["keygen", "--algorithm", "ES256", "-o", path(&private)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let public = directory.join(format!("{name}.pub.pem"));
    std::fs::write(&public, &output.stdout).unwrap();
    (private, public)
}

fn sign(key: &Path, file: &Path, out: &Path) {
    let output = cacao(&[
        "sign",
        "--key",
        path(key),
        "--algorithm",
        "ES256",
        "--signee",
        "CSIRT",
        path(file),
        "-o",
        path(out),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
fn only_playbooks_signed_by_a_trusted_key_run() {
    let directory = tempfile::tempdir().unwrap();
    let (trusted_key, trusted_public) = keygen(directory.path(), "trusted");
    let (other_key, _) = keygen(directory.path(), "other");
    let log = directory.path().join("log.txt");
    let log_var = format!("__log__={}", log.display());
    let playbook = corpus("seq-basic.json");

    // Unsigned: refused before anything runs.
    let unsigned = cacao(&[
        "run",
        path(&playbook),
        "--var",
        &log_var,
        "--trust",
        path(&trusted_public),
    ]);
    assert_eq!(unsigned.status.code(), Some(2), "{}", text(&unsigned));
    assert!(text(&unsigned).contains("unsigned"), "{}", text(&unsigned));
    assert!(!log.exists(), "nothing may run");

    // Signed by a key that is not trusted: refused.
    let by_other = directory.path().join("by-other.json");
    sign(&other_key, &playbook, &by_other);
    let refused = cacao(&[
        "run",
        path(&by_other),
        "--var",
        &log_var,
        "--trust",
        path(&trusted_public),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("refused by the trust policy"),
        "{}",
        text(&refused)
    );
    assert!(!log.exists(), "nothing may run");

    // Signed by the trusted key: runs.
    let by_trusted = directory.path().join("by-trusted.json");
    sign(&trusted_key, &playbook, &by_trusted);
    let ran = cacao(&[
        "run",
        path(&by_trusted),
        "--var",
        &log_var,
        "--trust",
        path(&trusted_public),
    ]);
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "A\nB\nC\n");
}

#[test]
fn an_invalid_library_playbook_is_refused_before_anything_runs() {
    let directory = tempfile::tempdir().unwrap();
    let library = directory.path().join("library");
    std::fs::create_dir(&library).unwrap();
    let mut broken: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus("seq-basic.json")).unwrap()).unwrap();
    broken["workflow_start"] = serde_json::json!("start--00000000-0000-4000-8000-000000000000");
    std::fs::write(library.join("broken.json"), broken.to_string()).unwrap();
    let log = directory.path().join("log.txt");

    let output = cacao(&[
        "run",
        path(&corpus("seq-basic.json")),
        "--var",
        &format!("__log__={}", log.display()),
        "--library",
        path(&library),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("workflow/start-missing"),
        "{}",
        text(&output)
    );
    assert!(!log.exists(), "nothing may run");
}

//! `cacao keygen`, `cacao sign` and `cacao verify` as a user runs them: exit codes on the
//! signature corpus, round trips for every algorithm, secrets kept out of every output, bad
//! input, policies, and an independent check of our signatures by Python `cryptography` and
//! `rfc8785`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/corpus/signature"
);
const ALGORITHMS: [&str; 10] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "Ed25519",
];

fn cacao(arguments: &[&str], folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .current_dir(folder)
        .env("RUST_LOG", "trace")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn corpus(path: &str) -> String {
    Path::new(CORPUS).join(path).display().to_string()
}

#[test]
fn every_corpus_case_exits_as_the_manifest_says() {
    let manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(corpus("manifest.json")).unwrap()).unwrap();
    let folder = tempfile::tempdir().unwrap();
    for case in manifest {
        let mut arguments = vec!["verify".to_owned(), corpus(case["file"].as_str().unwrap())];
        for key in case["trust"].as_array().unwrap() {
            arguments.push("--trust".to_owned());
            arguments.push(corpus(key.as_str().unwrap()));
        }
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        let output = cacao(&arguments, folder.path());
        let expected = if case["valid"].as_bool().unwrap() {
            0
        } else {
            1
        };
        assert_eq!(
            code(&output),
            expected,
            "{arguments:?}\n{}",
            text(&output.stdout)
        );
    }
}

/// Generates a key for `algorithm` in `folder`, checking that only the public key is printed.
fn keygen(algorithm: &str, folder: &Path) -> (PathBuf, PathBuf) {
    let key = folder.join(format!("{algorithm}.pem"));
    let public = folder.join(format!("{algorithm}.pub.pem"));
    let output = cacao(
        &[
            "keygen",
            "--algorithm",
            algorithm,
            "--rsa-bits",
            "2048",
            "-o",
            key.to_str().unwrap(),
            "--public-output",
            public.to_str().unwrap(),
        ],
        folder,
    );
    assert_eq!(code(&output), 0, "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("-----BEGIN PUBLIC KEY-----"), "{stdout}");
    assert_eq!(stdout, std::fs::read_to_string(&public).unwrap());

    // The private key is in the file only: not on stdout, not on stderr, not in trace logs.
    let private = std::fs::read_to_string(&key).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    for line in private.lines().filter(|line| !line.starts_with("-----")) {
        assert!(!stdout.contains(line) && !text(&output.stderr).contains(line));
    }
    assert!(!stdout.contains("PRIVATE") && !text(&output.stderr).contains("PRIVATE"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{algorithm} key file mode");
    }
    (key, public)
}

#[test]
fn keygen_sign_verify_round_trips_for_every_algorithm() {
    let folder = tempfile::tempdir().unwrap();
    let playbook = corpus("cases/p01-rs256.json");
    for algorithm in ALGORITHMS {
        let (key, public) = keygen(algorithm, folder.path());
        let signed = folder.path().join(format!("signed-{algorithm}.json"));
        let output = cacao(
            &[
                "sign",
                "--key",
                key.to_str().unwrap(),
                "--algorithm",
                algorithm,
                "--signee",
                "ACME CSIRT",
                "--hash",
                "sha-512",
                &playbook,
                "-o",
                signed.to_str().unwrap(),
            ],
            folder.path(),
        );
        assert_eq!(code(&output), 0, "{}", text(&output.stderr));
        let private = std::fs::read_to_string(&key).unwrap();
        let body_line = private.lines().nth(1).unwrap();
        assert!(
            !text(&output.stderr).contains(body_line),
            "sign logged the private key"
        );

        let output = cacao(
            &[
                "verify",
                signed.to_str().unwrap(),
                "--trust",
                public.to_str().unwrap(),
                "--format",
                "json",
            ],
            folder.path(),
        );
        assert_eq!(code(&output), 0, "{algorithm}: {}", text(&output.stdout));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let ours = &report["signatures"][1];
        assert_eq!(ours["algorithm"], algorithm);
        assert_eq!(ours["signee"], "ACME CSIRT");
        assert_eq!(ours["valid"], true);
        assert_eq!(ours["trusted"], true);
        assert!(ours["id"].as_str().unwrap().starts_with("jss--"));
        assert!(
            ours["reason"]
                .as_str()
                .unwrap()
                .contains("signature verifies")
        );
        assert_eq!(
            report["signatures"][0]["trusted"], false,
            "the corpus signer is not trusted"
        );
    }
}

#[test]
fn signing_in_place_keeps_the_author_layout_and_countersigning_nests() {
    let folder = tempfile::tempdir().unwrap();
    let (author_key, _) = keygen("ES256", folder.path());
    let (legal_key, legal_public) = keygen("Ed25519", folder.path());
    let file = folder.path().join("playbook.json");
    std::fs::copy(
        corpus("cases/p14-jcs-numbers-unicode-keys-es256.json"),
        &file,
    )
    .unwrap();
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();

    let file_name = file.to_str().unwrap();
    let output = cacao(
        &[
            "sign",
            "--key",
            author_key.to_str().unwrap(),
            "--algorithm",
            "ES256",
            file_name,
            "-o",
            file_name,
        ],
        folder.path(),
    );
    assert_eq!(code(&output), 0, "{}", text(&output.stderr));
    let output = cacao(
        &[
            "sign",
            "--key",
            legal_key.to_str().unwrap(),
            "--algorithm",
            "Ed25519",
            "--countersign",
            "--signee",
            "ACME Legal",
            file_name,
            "-o",
            file_name,
        ],
        folder.path(),
    );
    assert_eq!(code(&output), 0, "{}", text(&output.stderr));

    let signed: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let original_keys: Vec<&String> = original.as_object().unwrap().keys().collect();
    let signed_keys: Vec<&String> = signed.as_object().unwrap().keys().collect();
    assert_eq!(original_keys, signed_keys);
    for (name, value) in original.as_object().unwrap() {
        if name != "signatures" {
            assert_eq!(&signed[name], value, "{name} changed");
        }
    }
    assert_eq!(signed["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(signed["signatures"][1]["signature"]["signee"], "ACME Legal");

    let output = cacao(
        &[
            "verify",
            file_name,
            "--trust",
            legal_public.to_str().unwrap(),
        ],
        folder.path(),
    );
    assert_eq!(code(&output), 0, "{}", text(&output.stdout));
    assert!(text(&output.stdout).contains("/signatures/1/signature"));
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let folder = tempfile::tempdir().unwrap();
    let (key, _) = keygen("ES256", folder.path());
    let key = key.to_str().unwrap();
    let playbook = corpus("cases/p01-rs256.json");
    std::fs::write(
        folder.path().join("bad.pem"),
        "-----BEGIN PUBLIC KEY-----\nAAA\n",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("big.json"),
        r#"{"id":"x","n":12345678901234567890}"#,
    )
    .unwrap();
    std::fs::write(folder.path().join("dup.json"), r#"{"id":"x","id":"y"}"#).unwrap();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["sign", "--key", key, "--algorithm", "ES999", &playbook],
            "unknown algorithm \"ES999\"",
        ),
        (
            vec!["sign", "--key", key, "--algorithm", "Ed448", &playbook],
            "\"Ed448\" is not supported",
        ),
        (
            vec!["sign", "--key", key, "--algorithm", "RS256", &playbook],
            "algorithm RS256 does not fit a P-256 key",
        ),
        (
            vec![
                "sign",
                "--key",
                "bad.pem",
                "--algorithm",
                "ES256",
                &playbook,
            ],
            "malformed PEM in bad.pem",
        ),
        (
            vec!["sign", "--key", key, "--algorithm", "ES256", "big.json"],
            "12345678901234567890",
        ),
        (
            vec!["sign", "--key", key, "--algorithm", "ES256", "dup.json"],
            "duplicate key \"id\"",
        ),
        (
            vec![
                "sign",
                "--key",
                key,
                "--algorithm",
                "ES256",
                "--hash",
                "md5",
                &playbook,
            ],
            "\"md5\"",
        ),
        (
            vec!["verify", &playbook, "--trust", "bad.pem"],
            "malformed PEM in bad.pem",
        ),
        (
            vec!["verify", &playbook, "--trust", key],
            "is this a private key?",
        ),
        (vec!["verify", "missing.json"], "cannot read missing.json"),
        (
            vec!["keygen", "--algorithm", "ES256", "-o", key],
            "refusing to overwrite",
        ),
    ];
    for (arguments, expected) in cases {
        let output = cacao(&arguments, folder.path());
        assert_eq!(code(&output), 2, "{arguments:?}: {}", text(&output.stderr));
        assert!(
            text(&output.stderr).contains(expected),
            "{arguments:?}: {}",
            text(&output.stderr)
        );
        assert!(!text(&output.stderr).contains("panicked"));
    }
}

#[test]
fn unsigned_and_tampered_playbooks_exit_1() {
    let folder = tempfile::tempdir().unwrap();
    let mut unsigned: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus("cases/p01-rs256.json")).unwrap())
            .unwrap();
    unsigned.as_object_mut().unwrap().remove("signatures");
    std::fs::write(folder.path().join("unsigned.json"), unsigned.to_string()).unwrap();
    let output = cacao(&["verify", "unsigned.json"], folder.path());
    assert_eq!(code(&output), 1);
    assert!(text(&output.stdout).contains("the playbook is unsigned"));

    let output = cacao(
        &["verify", &corpus("cases/n02-tampered-command-rs256.json")],
        folder.path(),
    );
    assert_eq!(code(&output), 1);
    assert!(text(&output.stdout).contains("the value does not verify"));
}

#[test]
fn a_policy_file_enforces_expiry_and_signee_binding() {
    let folder = tempfile::tempdir().unwrap();
    let tc = corpus("cases/tc-rsa-example.json");
    let key = corpus("keys/tc-rsa-example.pub.pem");

    // Without a policy, the expired TC example verifies (the window is reported only).
    let output = cacao(&["verify", &tc, "--trust", &key], folder.path());
    assert_eq!(code(&output), 0);
    assert!(text(&output.stdout).contains("expired at 2023-06-10"));

    let write_policy = |name: &str, policy: Value| {
        std::fs::write(folder.path().join(name), policy.to_string()).unwrap();
    };
    write_policy(
        "strict.json",
        serde_json::json!({"signees": [{"name": "ACME Cyber Company", "public_keys": [key]}]}),
    );
    let output = cacao(
        &["verify", &tc, "--policy", "strict.json", "--format", "json"],
        folder.path(),
    );
    assert_eq!(code(&output), 1);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["signatures"][0]["expired"], true);
    assert!(
        report["reasons"][0]
            .as_str()
            .unwrap()
            .contains("has expired")
    );

    write_policy(
        "lenient.json",
        serde_json::json!({"refuse_expired": false,
                           "signees": [{"name": "ACME Cyber Company", "public_keys": [key]}]}),
    );
    let output = cacao(&["verify", &tc, "--policy", "lenient.json"], folder.path());
    assert_eq!(code(&output), 0, "{}", text(&output.stdout));

    write_policy(
        "wrong-signee.json",
        serde_json::json!({"refuse_expired": false,
                           "signees": [{"name": "Someone Else", "public_keys": [key]}]}),
    );
    let output = cacao(
        &["verify", &tc, "--policy", "wrong-signee.json"],
        folder.path(),
    );
    assert_eq!(code(&output), 1);

    write_policy("typo.json", serde_json::json!({"refuse_expird": false}));
    let output = cacao(&["verify", &tc, "--policy", "typo.json"], folder.path());
    assert_eq!(code(&output), 2);
    assert!(text(&output.stderr).contains("unknown field `refuse_expird`"));
}

/// A Python with `cryptography` and `rfc8785`, in a venv kept under the target folder. `None`
/// (after a loud message) when it cannot be had outside CI; a failure under `CI=true`.
fn python_with_reference_libraries() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("jss-interop-venv");
    let python = venv.join("bin").join("python");
    let ready = venv.join("ready");
    if !ready.exists() {
        let created = Command::new("python3")
            .args(["-m", "venv", venv.to_str().unwrap()])
            .status()
            .is_ok_and(|status| status.success())
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "cryptography", "rfc8785"])
                .status()
                .is_ok_and(|status| status.success());
        if !created {
            let message = "python3 with cryptography and rfc8785 from PyPI is not available";
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{message}");
            }
            eprintln!("SKIPPED: {message}; the independent signature check did not run");
            return None;
        }
        std::fs::write(&ready, "").unwrap();
    }
    Some(python)
}

#[test]
fn python_cryptography_and_rfc8785_verify_what_cacao_signs() {
    let Some(python) = python_with_reference_libraries() else {
        return;
    };
    let checker = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/verify_jss.py");
    let folder = tempfile::tempdir().unwrap();

    // The checker itself agrees with the corpus, so it is a fair judge.
    let status = Command::new(&python)
        .args([checker, &corpus("cases/tc-rsa-example.json")])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", text(&status.stderr));
    let status = Command::new(&python)
        .args([checker, &corpus("cases/n02-tampered-command-rs256.json")])
        .output()
        .unwrap();
    assert!(!status.status.success());

    for (algorithm, source) in [
        ("RS256", "cases/p14-jcs-numbers-unicode-keys-es256.json"),
        ("PS512", "cases/p03-ps256.json"),
        ("ES384", "cases/p14-jcs-numbers-unicode-keys-es256.json"),
        ("ES512", "cases/p01-rs256.json"),
        ("Ed25519", "cases/p14-jcs-numbers-unicode-keys-es256.json"),
    ] {
        let (key, _) = keygen(algorithm, folder.path());
        let file = folder.path().join(format!("{algorithm}.json"));
        let mut playbook: Value =
            serde_json::from_str(&std::fs::read_to_string(corpus(source)).unwrap()).unwrap();
        playbook.as_object_mut().unwrap().remove("signatures");
        std::fs::write(&file, serde_json::to_string_pretty(&playbook).unwrap()).unwrap();
        let file_name = file.to_str().unwrap();
        let output = cacao(
            &[
                "sign",
                "--key",
                key.to_str().unwrap(),
                "--algorithm",
                algorithm,
                file_name,
                "-o",
                file_name,
            ],
            folder.path(),
        );
        assert_eq!(code(&output), 0, "{}", text(&output.stderr));
        let counter_folder = folder.path().join(format!("counter-{algorithm}"));
        std::fs::create_dir(&counter_folder).unwrap();
        let (counter_key, _) = keygen("ES256", &counter_folder);
        let output = cacao(
            &[
                "sign",
                "--key",
                counter_key.to_str().unwrap(),
                "--algorithm",
                "ES256",
                "--countersign",
                file_name,
                "-o",
                file_name,
            ],
            folder.path(),
        );
        assert_eq!(code(&output), 0, "{}", text(&output.stderr));

        let checked = Command::new(&python)
            .args([checker, file_name])
            .output()
            .unwrap();
        assert!(
            checked.status.success(),
            "{algorithm}: {}{}",
            text(&checked.stdout),
            text(&checked.stderr)
        );
        assert_eq!(
            text(&checked.stdout).lines().count(),
            2,
            "signature and countersignature"
        );
    }
}

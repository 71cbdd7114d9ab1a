//! The signature corpus (testdata/corpus/signature): playbooks signed by an independent
//! implementation, each with an expected verdict, plus the TC's own RSA example.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cacao_sign::canonical::{canonicalize, parse_document};
use cacao_sign::{Algorithm, HashAlgorithm, SigningKey, TrustPolicy, TrustStore, verify_document};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/corpus/signature"
);

fn corpus(path: &str) -> PathBuf {
    Path::new(CORPUS).join(path)
}

fn read_playbook(path: &str) -> Value {
    parse_document(&std::fs::read_to_string(corpus(path)).unwrap()).unwrap()
}

/// The rule id each negative case must be refused for.
fn expected_rule(file: &str) -> Option<&'static str> {
    Some(match file {
        "cases/tc-rsa-example-step7-with-placeholder.json" => "signature/public-key",
        "cases/n02-tampered-command-rs256.json" => "signature/invalid-value",
        "cases/n06-related-to-mismatch-es384.json" => "signature/related-to",
        "cases/n08-value-standard-base64-es256.json" => "signature/encoding",
        "cases/n10-signed-jcs-without-hash-ed25519.json" => "signature/invalid-value",
        "cases/n11-ecdsa-der-value-es256.json" => "signature/encoding",
        "cases/n18-algorithm-does-not-fit-key.json" => "signature/algorithm-key-mismatch",
        _ => return None,
    })
}

#[test]
fn every_corpus_case_gets_its_expected_verdict() {
    let manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(corpus("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.len(), 14);

    for case in &manifest {
        let file = case["file"].as_str().unwrap();
        let expected_valid = case["valid"].as_bool().unwrap();
        let mut trust = TrustStore::new();
        for key in case["trust"].as_array().unwrap() {
            trust
                .add_pem_file(None, &corpus(key.as_str().unwrap()))
                .unwrap();
        }
        let policy = TrustPolicy::cryptographic_only(trust);
        let (report, decision) = policy.check(&read_playbook(file), jiff::Timestamp::now());

        assert_eq!(
            decision.accepted, expected_valid,
            "{file}: {:?}\n{report:#?}",
            decision.reasons
        );
        if expected_valid {
            assert!(
                report.signatures.iter().all(|s| s.valid && s.trusted),
                "{file}"
            );
        } else {
            let rule = expected_rule(file).expect("every negative case has an expected rule");
            let rules: Vec<&str> = report
                .signatures
                .iter()
                .flat_map(|s| s.errors().map(|f| f.rule))
                .collect();
            assert!(
                rules.contains(&rule),
                "{file}: expected {rule}, got {rules:?}"
            );
        }
    }
}

#[test]
fn without_trust_the_valid_cases_still_verify_and_the_invalid_ones_still_fail() {
    for file in [
        "cases/p01-rs256.json",
        "cases/p11-countersigned-es256-ed25519.json",
    ] {
        let (report, decision) = TrustPolicy::cryptographic_only(TrustStore::new())
            .check(&read_playbook(file), jiff::Timestamp::now());
        assert!(decision.accepted, "{file}: {:?}", decision.reasons);
        assert!(report.signatures.iter().all(|s| s.valid && !s.trusted));
    }
    let (_, decision) = TrustPolicy::cryptographic_only(TrustStore::new()).check(
        &read_playbook("cases/n02-tampered-command-rs256.json"),
        jiff::Timestamp::now(),
    );
    assert!(!decision.accepted);
}

#[test]
fn a_key_that_did_not_sign_is_not_trusted() {
    let mut trust = TrustStore::new();
    trust
        .add_pem_file(None, &corpus("keys/p03-ps256.pub.pem"))
        .unwrap();
    let (report, decision) = TrustPolicy::cryptographic_only(trust).check(
        &read_playbook("cases/p01-rs256.json"),
        jiff::Timestamp::now(),
    );
    assert!(report.signatures[0].valid);
    assert!(!report.signatures[0].trusted);
    assert!(!decision.accepted);
    assert!(decision.reasons[0].contains("0 valid signature(s) by a trusted key"));
}

#[test]
fn countersignature_chain_is_reported_with_its_parent() {
    let report = verify_document(
        &read_playbook("cases/p11-countersigned-es256-ed25519.json"),
        &TrustStore::new(),
        jiff::Timestamp::now(),
    );
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.signatures[0].pointer, "/signatures/0");
    assert_eq!(report.signatures[0].algorithm.as_deref(), Some("ES256"));
    assert_eq!(report.signatures[1].pointer, "/signatures/0/signature");
    assert_eq!(
        report.signatures[1].countersigns.as_deref(),
        Some("/signatures/0")
    );
    assert_eq!(report.signatures[1].algorithm.as_deref(), Some("Ed25519"));
    assert!(report.all_valid());
}

#[test]
fn the_tc_rsa_example_is_reproduced_byte_for_byte_with_its_published_key() {
    // RS256 (PKCS#1 v1.5) is deterministic, so re-signing the TC document with the TC's key
    // must give the TC's value exactly.
    let document = read_playbook("cases/tc-rsa-example.json");
    let signature = document["signatures"][0].as_object().unwrap();
    let published = signature["value"].as_str().unwrap();

    let mut covered = document.clone();
    covered["signatures"][0]
        .as_object_mut()
        .unwrap()
        .remove("value");
    let canonical = canonicalize(&covered).unwrap();
    let message = HashAlgorithm::Sha256.hex_digest(&canonical);
    assert_eq!(message.len(), 64);

    let key_text = std::fs::read(corpus("keys/TEST-ONLY-tc-rsa-example-private-key.pem")).unwrap();
    let key = SigningKey::from_pem(&key_text, "TEST-ONLY key").unwrap();
    assert_eq!(
        key.public_key().to_base64_body(),
        signature["public_key"].as_str().unwrap()
    );
    let value = key.sign(Algorithm::Rs256, message.as_bytes()).unwrap();
    assert_eq!(URL_SAFE_NO_PAD.encode(value), published);

    // The expired validity window is reported, not held against the verdict.
    let report = verify_document(&document, &TrustStore::new(), jiff::Timestamp::now());
    assert!(report.signatures[0].valid);
    assert!(report.signatures[0].expired);
}

#[test]
fn an_expired_signature_is_refused_by_the_execution_policy() {
    let mut trust = TrustStore::new();
    trust
        .add_pem_file(None, &corpus("keys/tc-rsa-example.pub.pem"))
        .unwrap();
    let document = read_playbook("cases/tc-rsa-example.json");

    let (_, decision) =
        TrustPolicy::for_execution(trust.clone()).check(&document, jiff::Timestamp::now());
    assert!(!decision.accepted);
    assert!(
        decision
            .reasons
            .iter()
            .any(|reason| reason.contains("has expired"))
    );

    // Inside the window, the same playbook is accepted.
    let inside: jiff::Timestamp = "2023-03-01T00:00:00Z".parse().unwrap();
    let (_, decision) = TrustPolicy::for_execution(trust.clone()).check(&document, inside);
    assert!(decision.accepted, "{:?}", decision.reasons);

    // Before the window it is not valid yet.
    let before: jiff::Timestamp = "2023-01-01T00:00:00Z".parse().unwrap();
    let (report, decision) = TrustPolicy::for_execution(trust).check(&document, before);
    assert!(report.signatures[0].not_yet_valid && !decision.accepted);
}

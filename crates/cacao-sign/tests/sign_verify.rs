//! Signing and verifying: round trips for every algorithm, countersignatures, certificate
//! chains, thumbprints, bad input, the trust policy file and the validator findings.

use std::sync::OnceLock;

use cacao_sign::canonical::parse_document;
use cacao_sign::{
    Algorithm, Certificate, HashAlgorithm, KeyReference, Severity, SignOptions, SigningKey,
    TrustPolicy, TrustStore, TrustedSignee, countersign_document, sign_document,
    signature_findings, verify_document,
};
use serde_json::{Value, json};

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn playbook() -> Value {
    parse_document(
        r#"{
  "type": "playbook",
  "spec_version": "cacao-2.0",
  "id": "playbook--1daac01b-d182-40c8-9cae-c79948ca1c55",
  "name": "Contain a host ✓",
  "created": "2026-01-01T00:00:00.000Z",
  "modified": "2026-01-02T00:00:00.000Z",
  "x_numbers": {"z": 1e21, "a": 100.0, "m": -0.0},
  "workflow_start": "start--6b23c237-ade8-4d00-9aa1-75999738d557",
  "workflow": {
    "start--6b23c237-ade8-4d00-9aa1-75999738d557": {"type": "start"}
  }
}"#,
    )
    .unwrap()
}

/// One key per algorithm, generated once (RSA generation is slow).
fn key(algorithm: Algorithm) -> &'static SigningKey {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        Algorithm::ALL
            .iter()
            .map(|algorithm| SigningKey::generate_with_rsa_bits(*algorithm, 2048).unwrap())
            .collect()
    });
    &keys[Algorithm::ALL.iter().position(|a| *a == algorithm).unwrap()]
}

fn trust_of(keys: &[&SigningKey]) -> TrustStore {
    let mut trust = TrustStore::new();
    for key in keys {
        trust.add_public_key(None, key.public_key().clone());
    }
    trust
}

fn verdict(document: &Value, trust: TrustStore) -> (cacao_sign::VerificationReport, bool) {
    let (report, decision) = TrustPolicy::cryptographic_only(trust).check(document, now());
    (report, decision.accepted)
}

fn rules(report: &cacao_sign::VerificationReport) -> Vec<&'static str> {
    report
        .signatures
        .iter()
        .flat_map(|s| s.findings.iter().map(|f| f.rule))
        .chain(report.findings.iter().map(|f| f.rule))
        .collect()
}

#[test]
fn every_algorithm_and_hash_round_trips_through_the_written_file() {
    for algorithm in Algorithm::ALL {
        for hash in HashAlgorithm::ALL {
            let mut document = playbook();
            let mut options = SignOptions::new(algorithm, "ACME CSIRT");
            options.hash = hash;
            let signed = sign_document(&mut document, key(algorithm), &options).unwrap();
            assert_eq!(signed.pointer, "/signatures/0");
            assert!(signed.id.starts_with("jss--"));

            // What is written and read back verifies, and is trusted by the signer's key only.
            let text = serde_json::to_string_pretty(&document).unwrap();
            let reread = parse_document(&text).unwrap();
            let (report, accepted) = verdict(&reread, trust_of(&[key(algorithm)]));
            assert!(accepted, "{algorithm} {hash}: {report:#?}");
            let other = if algorithm == Algorithm::Ed25519 {
                Algorithm::Es256
            } else {
                Algorithm::Ed25519
            };
            let (_, accepted) = verdict(&reread, trust_of(&[key(other)]));
            assert!(!accepted, "{algorithm}: trusted by a key that did not sign");
        }
    }
}

#[test]
fn signing_changes_nothing_but_the_signatures_list() {
    let original = playbook();
    let mut document = original.clone();
    sign_document(
        &mut document,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap();

    let keys: Vec<&String> = document.as_object().unwrap().keys().collect();
    let mut expected: Vec<&String> = original.as_object().unwrap().keys().collect();
    let signatures = "signatures".to_owned();
    expected.push(&signatures);
    assert_eq!(keys, expected, "author key order kept, signatures appended");
    for (name, value) in original.as_object().unwrap() {
        assert_eq!(&document[name], value);
    }
    let signature = document["signatures"][0].as_object().unwrap();
    let order: Vec<&str> = signature.keys().map(String::as_str).collect();
    assert_eq!(
        order,
        [
            "type",
            "id",
            "created",
            "modified",
            "signee",
            "related_to",
            "related_version",
            "hash_algorithm",
            "algorithm",
            "public_key",
            "value"
        ]
    );
    assert_eq!(signature["related_version"], "2026-01-02T00:00:00.000Z");
    let created = signature["created"].as_str().unwrap();
    assert_eq!(created.len(), "2026-01-02T00:00:00.000Z".len(), "{created}");
}

#[test]
fn several_signatures_each_cover_the_playbook_without_the_others() {
    let mut document = playbook();
    sign_document(
        &mut document,
        key(Algorithm::Rs256),
        &SignOptions::new(Algorithm::Rs256, "a"),
    )
    .unwrap();
    sign_document(
        &mut document,
        key(Algorithm::Es384),
        &SignOptions::new(Algorithm::Es384, "b"),
    )
    .unwrap();
    let (report, accepted) = verdict(&document, trust_of(&[key(Algorithm::Es384)]));
    assert!(accepted, "{report:#?}");
    assert_eq!(report.signatures.len(), 2);
    assert!(!report.signatures[0].trusted && report.signatures[1].trusted);

    // Removing one leaves the other valid.
    document["signatures"].as_array_mut().unwrap().remove(0);
    assert!(verdict(&document, TrustStore::new()).1);
}

#[test]
fn countersignatures_nest_and_cover_their_parent() {
    let mut document = playbook();
    sign_document(
        &mut document,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "author"),
    )
    .unwrap();
    let first = countersign_document(
        &mut document,
        key(Algorithm::Ed25519),
        &SignOptions::new(Algorithm::Ed25519, "legal"),
    )
    .unwrap();
    assert_eq!(first.pointer, "/signatures/0/signature");
    let second = countersign_document(
        &mut document,
        key(Algorithm::Ps256),
        &SignOptions::new(Algorithm::Ps256, "ciso"),
    )
    .unwrap();
    assert_eq!(second.pointer, "/signatures/0/signature/signature");

    let (report, accepted) = verdict(&document, trust_of(&[key(Algorithm::Ps256)]));
    assert!(accepted, "{report:#?}");
    assert_eq!(report.signatures.len(), 3);
    assert_eq!(
        report.signatures[2].countersigns.as_deref(),
        Some("/signatures/0/signature")
    );

    // The countersignature covers its parent's value: changing it breaks both.
    let mut tampered = document.clone();
    tampered["signatures"][0]["signature"]["signee"] = json!("someone else");
    let (report, accepted) = verdict(&tampered, TrustStore::new());
    assert!(!accepted);
    assert!(
        report.signatures[0].valid,
        "the top signature does not cover its countersignature"
    );
    assert!(!report.signatures[1].valid && !report.signatures[2].valid);
}

#[test]
fn countersigning_refuses_what_does_not_verify() {
    let mut unsigned = playbook();
    let error = countersign_document(
        &mut unsigned,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("no signature to countersign"),
        "{error}"
    );

    let mut document = playbook();
    sign_document(
        &mut document,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap();
    document["name"] = json!("changed after signing");
    let before = document.clone();
    let error = countersign_document(
        &mut document,
        key(Algorithm::Ed25519),
        &SignOptions::new(Algorithm::Ed25519, "y"),
    )
    .unwrap_err();
    assert!(error.to_string().contains("does not verify"), "{error}");
    assert_eq!(
        document, before,
        "a refused countersignature leaves the document alone"
    );
}

#[test]
fn metadata_is_part_of_validity() {
    let mut document = playbook();
    sign_document(
        &mut document,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap();

    // A new version of the playbook invalidates the signature twice: related_version and value.
    let mut newer = document.clone();
    newer["modified"] = json!("2026-02-01T00:00:00.000Z");
    let (report, accepted) = verdict(&newer, TrustStore::new());
    assert!(!accepted);
    assert!(rules(&report).contains(&"signature/related-version"));
    assert!(rules(&report).contains(&"signature/invalid-value"));

    let mut other = document.clone();
    other["id"] = json!("playbook--00000000-0000-4000-8000-000000000000");
    assert!(rules(&verdict(&other, TrustStore::new()).0).contains(&"signature/related-to"));

    let mut jws = document.clone();
    jws["signatures"][0]["type"] = json!("jws");
    assert!(rules(&verdict(&jws, TrustStore::new()).0).contains(&"signature/type"));
}

#[test]
fn validity_window_and_revocation_are_flags_not_verdicts() {
    let mut document = playbook();
    let mut options = SignOptions::new(Algorithm::Es256, "x");
    options.valid_from = Some("2020-01-01T00:00:00Z".parse().unwrap());
    options.valid_until = Some("2021-01-01T00:00:00Z".parse().unwrap());
    sign_document(&mut document, key(Algorithm::Es256), &options).unwrap();

    let (report, accepted) = verdict(&document, trust_of(&[key(Algorithm::Es256)]));
    assert!(accepted);
    assert!(report.signatures[0].expired);
    assert!(
        report.signatures[0]
            .reason()
            .contains("expired at 2021-01-01")
    );
    let (_, decision) =
        TrustPolicy::for_execution(trust_of(&[key(Algorithm::Es256)])).check(&document, now());
    assert!(!decision.accepted);

    let mut options = SignOptions::new(Algorithm::Es256, "x");
    options.valid_until = Some("2020-01-01T00:00:00Z".parse().unwrap());
    options.valid_from = Some("2021-01-01T00:00:00Z".parse().unwrap());
    let error = sign_document(&mut playbook(), key(Algorithm::Es256), &options).unwrap_err();
    assert!(
        error.to_string().contains("is not after valid_from"),
        "{error}"
    );
}

#[test]
fn revoked_signatures_verify_but_are_refused_by_the_execution_policy() {
    // `revoked` is covered by the signature: the signer revokes by re-signing with it set.
    let signer = key(Algorithm::Ed25519);
    let mut document = playbook();
    sign_document(
        &mut document,
        signer,
        &SignOptions::new(Algorithm::Ed25519, "x"),
    )
    .unwrap();
    let signature = document["signatures"][0].as_object_mut().unwrap();
    signature.insert("revoked".to_owned(), json!(true));
    signature.remove("value");
    let canonical = cacao_sign::canonical::canonicalize(&document).unwrap();
    let message = HashAlgorithm::Sha256.hex_digest(&canonical);
    let value = signer.sign(Algorithm::Ed25519, message.as_bytes()).unwrap();
    use base64::Engine as _;
    document["signatures"][0]["value"] =
        json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value));

    let (report, accepted) = verdict(&document, trust_of(&[signer]));
    assert!(accepted, "{report:#?}");
    assert!(report.signatures[0].revoked);
    let (_, decision) = TrustPolicy::for_execution(trust_of(&[signer])).check(&document, now());
    assert!(!decision.accepted);
    assert!(
        decision
            .reasons
            .iter()
            .any(|reason| reason.ends_with("is revoked"))
    );

    // Flipping `revoked` back without the key breaks the signature.
    document["signatures"][0]["revoked"] = json!(false);
    assert!(!verdict(&document, TrustStore::new()).1);
}

#[test]
fn bad_input_gets_a_clear_finding_never_a_panic() {
    let mut document = playbook();
    sign_document(
        &mut document,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap();
    let signature = document["signatures"][0].clone();
    let check = |change: &dyn Fn(&mut Value), rule: &str, text: &str| {
        let mut broken = document.clone();
        change(&mut broken["signatures"][0]);
        let (report, accepted) = verdict(&broken, TrustStore::new());
        assert!(!accepted);
        let found = report.signatures[0]
            .errors()
            .find(|finding| finding.rule == rule)
            .unwrap_or_else(|| panic!("expected {rule}: {report:#?}"));
        assert!(found.message.contains(text), "{}", found.message);
        assert_eq!(found.pointer, "/signatures/0");
        assert!(!found.help.is_empty());
    };

    check(
        &|s| s["thumbprint"] = json!("abc"),
        "signature/key-reference",
        "2 key references (public_key, thumbprint); exactly one is allowed",
    );
    check(
        &|s| {
            s.as_object_mut().unwrap().remove("public_key");
        },
        "signature/key-reference",
        "no key reference",
    );
    check(
        &|s| s["algorithm"] = json!("ES257"),
        "signature/algorithm",
        "unknown algorithm \"ES257\"",
    );
    check(
        &|s| s["algorithm"] = json!("Ed448"),
        "signature/algorithm",
        "\"Ed448\" is not supported",
    );
    check(
        &|s| s["hash_algorithm"] = json!("md5"),
        "signature/hash-algorithm",
        "\"md5\"",
    );
    let standard = signature["value"]
        .as_str()
        .unwrap()
        .replace('-', "+")
        .replace('_', "/")
        + "==";
    check(
        &|s| s["value"] = json!(standard.clone()),
        "signature/encoding",
        "not unpadded base64url",
    );
    check(
        &|s| s["value"] = json!("AAAA"),
        "signature/encoding",
        "64 bytes of R||S, this one is 3",
    );
    check(
        &|s| s["public_key"] = json!("MFkw!"),
        "signature/public-key",
        "not base64",
    );
    check(
        &|s| s["public_key"] = json!("AAAA"),
        "signature/public-key",
        "SubjectPublicKeyInfo",
    );
    check(
        &|s| s["public_key"] = json!(key(Algorithm::Ed25519).public_key().to_base64_body()),
        "signature/algorithm-key-mismatch",
        "algorithm ES256 does not fit a Ed25519 key",
    );
    check(
        &|s| s["created"] = json!("yesterday"),
        "signature/timestamp",
        "created",
    );
    check(
        &|s| s["value"] = json!(7),
        "signature/required",
        "value must be a string",
    );
    check(
        &|s| s["cert_url"] = json!("https://x"),
        "signature/key-reference",
        "cert_url",
    );
    check(
        &|s| {
            s.as_object_mut().unwrap().remove("public_key");
            s["cert_url"] = json!("https://example.invalid/cert.pem");
        },
        "signature/key-unavailable",
        "never fetched over the network",
    );
    check(
        &|s| *s = json!("not an object"),
        "signature/malformed",
        "not a JSON object",
    );

    let mut not_a_list = document.clone();
    not_a_list["signatures"] = json!({"a": 1});
    let (report, accepted) = verdict(&not_a_list, TrustStore::new());
    assert!(!accepted && rules(&report) == ["signature/malformed"]);
}

#[test]
fn unsigned_playbooks_are_refused_unless_the_policy_allows_them() {
    let (_, accepted) = verdict(&playbook(), TrustStore::new());
    assert!(!accepted);
    let mut policy = TrustPolicy::for_execution(TrustStore::new());
    assert!(!policy.check(&playbook(), now()).1.accepted);
    policy.allow_unsigned = true;
    assert!(policy.check(&playbook(), now()).1.accepted);
}

#[test]
fn signing_refuses_documents_it_cannot_represent_exactly() {
    let error =
        parse_document(r#"{"id":"playbook--x","modified":"m","n":9007199254740993}"#).unwrap_err();
    assert!(error.to_string().contains("9007199254740993"));

    let mut built = playbook();
    built["x_big"] = json!(u64::MAX);
    let error = sign_document(
        &mut built,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap_err();
    assert!(error.to_string().contains("/x_big"), "{error}");

    let mut no_id = playbook();
    no_id.as_object_mut().unwrap().remove("id");
    let error = sign_document(
        &mut no_id,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a signable playbook: the playbook has no id string"
    );

    let error = sign_document(
        &mut playbook(),
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Rs256, "x"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "algorithm RS256 does not fit a P-256 key"
    );
}

/// A test PKI: a root authority, an intermediate, and a leaf holding `leaf_key`.
struct Pki {
    root: Certificate,
    intermediate: Certificate,
    leaf: Certificate,
}

fn pki(leaf_key: &SigningKey, name: &str) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

    let authority = |common_name: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
    };
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let root_params = authority(&format!("{name} root"));
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);

    let intermediate_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let intermediate_params = authority(&format!("{name} intermediate"));
    let intermediate = intermediate_params
        .signed_by(&intermediate_key, &root_issuer)
        .unwrap();
    let intermediate_issuer = Issuer::new(intermediate_params, intermediate_key);

    let leaf_pair = KeyPair::from_pem(&leaf_key.to_pkcs8_pem().unwrap()).unwrap();
    let mut leaf_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} signer"));
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    let leaf = leaf_params
        .signed_by(&leaf_pair, &intermediate_issuer)
        .unwrap();

    let parse =
        |certificate: &rcgen::Certificate| Certificate::from_der(certificate.der()).unwrap();
    Pki {
        root: parse(&root),
        intermediate: parse(&intermediate),
        leaf: parse(&leaf),
    }
}

#[test]
fn certificate_chains_verify_and_are_trusted_through_their_authority() {
    let signer = key(Algorithm::Es256);
    let acme = pki(signer, "ACME");
    let other = pki(key(Algorithm::Es384), "Other");

    let mut document = playbook();
    let mut options = SignOptions::new(Algorithm::Es256, "ACME CSIRT");
    options.key_reference =
        KeyReference::CertificateChain(vec![acme.leaf.clone(), acme.intermediate.clone()]);
    sign_document(&mut document, signer, &options).unwrap();
    assert_eq!(
        document["signatures"][0]["public_cert_chain"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let authority = |certificate: &Certificate, name: Option<&str>| {
        let mut trust = TrustStore::new();
        trust.add_signee(TrustedSignee {
            name: name.map(str::to_owned),
            authorities: vec![certificate.clone()],
            ..TrustedSignee::default()
        });
        trust
    };
    let (report, accepted) = verdict(&document, authority(&acme.root, Some("ACME CSIRT")));
    assert!(accepted, "{report:#?}");
    assert!(
        report.signatures[0]
            .trusted_because
            .as_deref()
            .unwrap()
            .contains("authority")
    );

    // Another authority, or the right authority for another signee, does not make it trusted.
    let (report, accepted) = verdict(&document, authority(&other.root, None));
    assert!(report.signatures[0].valid && !accepted);
    let (report, accepted) = verdict(&document, authority(&acme.root, Some("Mallory")));
    assert!(report.signatures[0].valid && !accepted);

    // A chain that does not chain is invalid, whatever the trust store holds.
    let mut broken = document.clone();
    broken["signatures"][0]["public_cert_chain"][1] = json!(other.intermediate.to_base64());
    let (report, accepted) = verdict(&broken, authority(&acme.root, None));
    assert!(!accepted);
    let finding = report.signatures[0].errors().next().unwrap();
    assert_eq!(finding.rule, "signature/certificate-chain");
    assert!(
        finding.message.contains("does not chain"),
        "{}",
        finding.message
    );

    // Garbage in the chain is a clear error too.
    let mut garbage = document.clone();
    garbage["signatures"][0]["public_cert_chain"][0] = json!("bm90IGEgY2VydGlmaWNhdGU=");
    let (report, _) = verdict(&garbage, TrustStore::new());
    let finding = report.signatures[0].errors().next().unwrap();
    assert!(finding.message.contains("entry 0"), "{}", finding.message);

    // Signing with a chain whose leaf is not the key is refused.
    options.key_reference = KeyReference::CertificateChain(vec![other.leaf.clone()]);
    let error = sign_document(&mut playbook(), signer, &options).unwrap_err();
    assert!(
        error.to_string().contains("does not hold the signing key"),
        "{error}"
    );
    options.key_reference =
        KeyReference::CertificateChain(vec![acme.leaf.clone(), other.intermediate.clone()]);
    let error = sign_document(&mut playbook(), signer, &options).unwrap_err();
    assert!(error.to_string().contains("does not chain"), "{error}");
}

#[test]
fn thumbprints_resolve_only_through_the_trust_store() {
    let signer = key(Algorithm::Es256);
    let acme = pki(signer, "ACME");
    let mut document = playbook();
    let mut options = SignOptions::new(Algorithm::Es256, "ACME CSIRT");
    options.key_reference = KeyReference::Thumbprint(acme.leaf.clone());
    sign_document(&mut document, signer, &options).unwrap();

    let (report, accepted) = verdict(&document, TrustStore::new());
    assert!(!accepted);
    assert_eq!(
        report.signatures[0].findings[0].rule,
        "signature/key-unavailable"
    );

    let mut trust = TrustStore::new();
    trust
        .add_pem(None, pem_of(&acme.leaf).as_bytes(), "leaf.pem")
        .unwrap();
    let (report, accepted) = verdict(&document, trust);
    assert!(accepted, "{report:#?}");

    // The validator without a trust store warns rather than fails.
    let findings = signature_findings(&document);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Warning);
}

fn pem_of(certificate: &Certificate) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(certificate.der());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

#[test]
fn the_policy_file_binds_keys_to_signees() {
    let folder = tempfile::tempdir().unwrap();
    let alice = key(Algorithm::Es256);
    let bob = key(Algorithm::Ed25519);
    std::fs::write(
        folder.path().join("alice.pub.pem"),
        alice.public_key().to_pem(),
    )
    .unwrap();
    let policy_text = json!({
        "allow_unsigned": false,
        "minimum_trusted_signatures": 1,
        "refuse_expired": true,
        "refuse_not_yet_valid": true,
        "refuse_revoked": true,
        "signees": [
            {"name": "Alice", "public_keys": ["alice.pub.pem"]},
            {"name": "Bob", "public_keys": [bob.public_key().to_pem()]}
        ]
    })
    .to_string();
    let path = folder.path().join("policy.json");
    std::fs::write(&path, &policy_text).unwrap();
    let policy = TrustPolicy::from_file(&path).unwrap();

    let signed_by = |key: &SigningKey, algorithm: Algorithm, signee: &str| {
        let mut document = playbook();
        sign_document(&mut document, key, &SignOptions::new(algorithm, signee)).unwrap();
        document
    };
    assert!(
        policy
            .check(&signed_by(alice, Algorithm::Es256, "Alice"), now())
            .1
            .accepted
    );
    assert!(
        policy
            .check(&signed_by(bob, Algorithm::Ed25519, "Bob"), now())
            .1
            .accepted
    );
    let (_, decision) = policy.check(&signed_by(bob, Algorithm::Ed25519, "Alice"), now());
    assert!(!decision.accepted, "Bob's key is not trusted for Alice");
    assert!(!policy.check(&playbook(), now()).1.accepted);

    // A misspelt rule is an error, not a silently weaker policy.
    let error = TrustPolicy::from_json(r#"{"refuse_expird": false}"#, folder.path()).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `refuse_expird`"),
        "{error}"
    );
    let error = TrustPolicy::from_json(
        r#"{"signees":[{"public_keys":["missing.pem"]}]}"#,
        folder.path(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("missing.pem"), "{error}");
    let error = TrustPolicy::from_json(
        r#"{"signees":[{"public_keys":["-----BEGIN PUBLIC KEY-----\nAAAA"]}]}"#,
        folder.path(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("malformed PEM"), "{error}");
}

#[test]
fn trusting_a_private_key_file_is_refused() {
    let pem = key(Algorithm::Es256).to_pkcs8_pem().unwrap();
    let error = TrustStore::new()
        .add_pem(None, pem.as_bytes(), "key.pem")
        .unwrap_err();
    assert!(
        error.to_string().contains("is this a private key?"),
        "{error}"
    );
    assert!(!error.to_string().contains(&pem[30..60]));
}

#[test]
fn validator_findings_carry_pointers_rule_ids_and_help() {
    let mut document = playbook();
    sign_document(
        &mut document,
        key(Algorithm::Es256),
        &SignOptions::new(Algorithm::Es256, "x"),
    )
    .unwrap();
    countersign_document(
        &mut document,
        key(Algorithm::Ed25519),
        &SignOptions::new(Algorithm::Ed25519, "y"),
    )
    .unwrap();
    assert!(signature_findings(&document).is_empty());

    document["signatures"][0]["signature"]["related_to"] = json!("playbook--other");
    let findings = signature_findings(&document);
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.pointer.as_str(), f.rule))
        .collect();
    assert_eq!(
        found,
        [
            ("/signatures/0/signature", "signature/related-to"),
            ("/signatures/0/signature", "signature/invalid-value"),
        ]
    );
    assert!(
        findings
            .iter()
            .all(|f| f.severity == Severity::Error && !f.help.is_empty())
    );

    // Every documented rule has help text, and every finding uses a documented rule.
    for (rule, help) in cacao_sign::findings::RULES {
        assert!(rule.starts_with("signature/") && !help.is_empty());
    }
    let all = verify_document(&document, &TrustStore::new(), now());
    for signature in &all.signatures {
        for finding in &signature.findings {
            assert!(
                cacao_sign::findings::RULES
                    .iter()
                    .any(|(rule, _)| *rule == finding.rule)
            );
        }
    }
}

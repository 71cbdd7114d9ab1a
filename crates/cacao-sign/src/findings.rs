//! Signature problems as validator findings: a JSON pointer to the signature object, a stable
//! rule id under `signature/`, a message naming the offending value, and a help text.
//!
//! `cacao verify` and the trust policy read the same findings from a
//! [`VerificationReport`](crate::VerificationReport); [`signature_findings`] flattens them for
//! `cacao validate`, which has no trust store.

use serde_json::Value;

use crate::trust::TrustStore;
use crate::verify::verify_document;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The signature is invalid.
    Error,
    /// Worth knowing; does not make the signature invalid (expired, revoked, key not available
    /// without a trust store).
    Warning,
}

/// One problem with one signature (or with the `signatures` list itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// JSON pointer of the signature object, e.g. `/signatures/0` or
    /// `/signatures/0/signature` for a countersignature.
    pub pointer: String,
    /// Stable rule id, e.g. `signature/related-to`. [`RULES`] lists them all.
    pub rule: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, naming the offending value.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
}

/// Every rule id with its help text, in the order the checks run.
pub const RULES: &[(&str, &str)] = &[
    (
        "signature/malformed",
        "`signatures` must be a list of signature objects (CACAO 2.0 section 10.15)",
    ),
    (
        "signature/required",
        "a signature needs type, id, created, modified, signee, related_to, related_version, hash_algorithm, algorithm and value, all strings",
    ),
    (
        "signature/type",
        "CACAO signatures use the ITU-T X.590 JSON Signature Scheme: set type to \"jss\"",
    ),
    (
        "signature/related-to",
        "related_to must be the id of the playbook the signature is in; re-sign the playbook",
    ),
    (
        "signature/related-version",
        "related_version must equal the playbook's modified; a playbook changed after signing needs a new signature",
    ),
    (
        "signature/timestamp",
        "timestamps are RFC 3339 in UTC, e.g. 2025-01-31T12:00:00.000Z",
    ),
    (
        "signature/hash-algorithm",
        "use hash_algorithm \"sha-256\" or \"sha-512\"",
    ),
    (
        "signature/algorithm",
        "use one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or Ed25519",
    ),
    (
        "signature/key-reference",
        "exactly one of public_key, public_cert_chain, cert_url or thumbprint must be present",
    ),
    (
        "signature/public-key",
        "public_key is the base64 body of a PEM SubjectPublicKeyInfo, without header, footer or line breaks",
    ),
    (
        "signature/certificate-chain",
        "public_cert_chain lists base64 DER certificates, signer first, each issued by the next",
    ),
    (
        "signature/key-unavailable",
        "give the key in public_key or public_cert_chain, or verify with a trust store that holds the certificate",
    ),
    (
        "signature/algorithm-key-mismatch",
        "the algorithm must fit the key: RS*/PS* need RSA of at least 2048 bits, ES256 P-256, ES384 P-384, ES512 P-521, Ed25519 an Ed25519 key",
    ),
    (
        "signature/encoding",
        "value is base64url without padding (RFC 4648 section 5); ECDSA values are the fixed-width R||S, not ASN.1 DER",
    ),
    (
        "signature/canonical-json",
        "the playbook must be I-JSON for RFC 8785: write integers beyond 2^53 as strings",
    ),
    (
        "signature/invalid-value",
        "the value does not verify: the playbook or the signature changed after signing, or the key is not the signer's; re-sign it",
    ),
    (
        "signature/revoked",
        "the signer revoked this signature; ask for a new one",
    ),
    (
        "signature/expired",
        "valid_until has passed; ask the signer for a new signature",
    ),
    ("signature/not-yet-valid", "valid_from is in the future"),
];

/// The help text of a rule id (empty for an unknown id).
pub fn help_for(rule: &str) -> &'static str {
    RULES
        .iter()
        .find(|(id, _)| *id == rule)
        .map_or("", |(_, help)| help)
}

pub(crate) fn finding(
    pointer: &str,
    rule: &'static str,
    severity: Severity,
    message: impl Into<String>,
) -> Finding {
    Finding {
        pointer: pointer.to_owned(),
        rule,
        severity,
        message: message.into(),
        help: help_for(rule),
    }
}

/// Every signature finding of `document` for `cacao validate`: no trust store, the current
/// time. A signature that can only be checked with a trust store (`thumbprint`) or over the
/// network (`cert_url`) is a warning here, not an error.
pub fn signature_findings(document: &Value) -> Vec<Finding> {
    let mut findings =
        signature_findings_with(document, &TrustStore::new(), jiff::Timestamp::now());
    for finding in &mut findings {
        if finding.rule == "signature/key-unavailable" {
            finding.severity = Severity::Warning;
        }
    }
    findings
}

/// Every signature finding of `document`, checked against `trust` at `now`.
pub fn signature_findings_with(
    document: &Value,
    trust: &TrustStore,
    now: jiff::Timestamp,
) -> Vec<Finding> {
    let report = verify_document(document, trust, now);
    let mut findings = report.findings;
    for signature in report.signatures {
        findings.extend(signature.findings);
    }
    findings
}

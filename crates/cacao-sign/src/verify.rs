//! Verification: one [`SignatureReport`] per signature and countersignature, each with every
//! finding, the trust verdict, and the validity-window and revocation flags.
//!
//! What each signature covers (docs/signatures.md has the full text):
//! - a top-level signature covers the playbook with every other top-level signature removed and
//!   itself without `value` and without a nested `signature`;
//! - a countersignature covers the playbook whose `signatures` holds only the top-level
//!   signature of its chain, with every ancestor complete (`value` included) and itself nested
//!   in its parent without `value` and without a nested `signature`.
//!
//! The validity window and `revoked` are reported as flags and warnings; they do not make a
//! signature invalid. Whether they refuse a playbook is the trust policy's decision.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::algorithm::{Algorithm, HashAlgorithm};
use crate::canonical::canonicalize;
use crate::certificate::{Certificate, check_chain_links};
use crate::error::SignError;
use crate::findings::{Finding, Severity, finding};
use crate::key::PublicKey;
use crate::trust::TrustStore;

/// The properties that identify the key, of which exactly one must be present.
pub(crate) const KEY_REFERENCES: [&str; 4] =
    ["public_key", "public_cert_chain", "cert_url", "thumbprint"];

const REQUIRED: [&str; 10] = [
    "type",
    "id",
    "created",
    "modified",
    "signee",
    "related_to",
    "related_version",
    "hash_algorithm",
    "algorithm",
    "value",
];

/// The outcome of checking one signature.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignatureReport {
    /// JSON pointer of the signature object.
    pub pointer: String,
    /// The pointer of the signature this one countersigns, if it is a countersignature.
    pub countersigns: Option<String>,
    /// The signature's `id`, if it is a string.
    pub id: Option<String>,
    /// The signature's `signee`, if it is a string.
    pub signee: Option<String>,
    /// The signature's `algorithm`, if it is a string.
    pub algorithm: Option<String>,
    /// The signer's key fingerprint (`sha-256:...`), when the key could be resolved.
    pub key_fingerprint: Option<String>,
    /// True when no finding is an error: the metadata is right and the value verifies.
    pub valid: bool,
    /// True when the signature is valid and made by a key the trust store trusts for its signee.
    pub trusted: bool,
    /// Why the key is trusted, when it is.
    pub trusted_because: Option<String>,
    /// `valid_until` has passed.
    pub expired: bool,
    /// `valid_from` is in the future.
    pub not_yet_valid: bool,
    /// `revoked` is true.
    pub revoked: bool,
    /// Every problem found, errors and warnings.
    pub findings: Vec<Finding>,
}

impl SignatureReport {
    fn new(pointer: String, countersigns: Option<String>) -> SignatureReport {
        SignatureReport {
            pointer,
            countersigns,
            id: None,
            signee: None,
            algorithm: None,
            key_fingerprint: None,
            valid: false,
            trusted: false,
            trusted_because: None,
            expired: false,
            not_yet_valid: false,
            revoked: false,
            findings: Vec::new(),
        }
    }

    fn error(&mut self, rule: &'static str, message: impl Into<String>) {
        self.findings
            .push(finding(&self.pointer, rule, Severity::Error, message));
    }

    fn warning(&mut self, rule: &'static str, message: impl Into<String>) {
        self.findings
            .push(finding(&self.pointer, rule, Severity::Warning, message));
    }

    /// The errors, if any.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
    }

    /// One sentence for people: why the signature is invalid, or that it verifies and whether
    /// it is trusted, followed by any warnings.
    pub fn reason(&self) -> String {
        let mut parts: Vec<String> = if self.valid {
            vec![match &self.trusted_because {
                Some(because) => format!("signature verifies; trusted: {because}"),
                None => "signature verifies".to_owned(),
            }]
        } else {
            self.errors()
                .map(|finding| finding.message.clone())
                .collect()
        };
        parts.extend(
            self.findings
                .iter()
                .filter(|finding| finding.severity == Severity::Warning)
                .map(|finding| finding.message.clone()),
        );
        parts.join("; ")
    }
}

/// The outcome of checking every signature of a playbook.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerificationReport {
    /// One report per signature, top-level signatures in order, each followed by its chain of
    /// countersignatures.
    pub signatures: Vec<SignatureReport>,
    /// Problems with the document or its `signatures` list as a whole.
    pub findings: Vec<Finding>,
}

impl VerificationReport {
    /// True when the playbook carries at least one signature.
    pub fn is_signed(&self) -> bool {
        !self.signatures.is_empty()
    }

    /// True when there is no document-level error and every signature is valid (vacuously
    /// true for an unsigned playbook).
    pub fn all_valid(&self) -> bool {
        self.findings
            .iter()
            .all(|finding| finding.severity != Severity::Error)
            && self.signatures.iter().all(|signature| signature.valid)
    }

    /// How many signatures are valid and by trusted keys.
    pub fn trusted_count(&self) -> usize {
        self.signatures
            .iter()
            .filter(|signature| signature.valid && signature.trusted)
            .count()
    }
}

/// Checks every signature and countersignature of `document` against `trust` at `now`.
pub fn verify_document(
    document: &Value,
    trust: &TrustStore,
    now: jiff::Timestamp,
) -> VerificationReport {
    let mut report = VerificationReport::default();
    let Some(playbook) = document.as_object() else {
        report.findings.push(finding(
            "",
            "signature/malformed",
            Severity::Error,
            "the document is not a JSON object",
        ));
        return report;
    };
    let signatures = match playbook.get("signatures") {
        None => return report,
        Some(Value::Array(signatures)) => signatures,
        Some(_) => {
            report.findings.push(finding(
                "/signatures",
                "signature/malformed",
                Severity::Error,
                "signatures is not a list",
            ));
            return report;
        }
    };

    for (index, top) in signatures.iter().enumerate() {
        let mut depth = 0;
        let mut node = top;
        loop {
            report
                .signatures
                .push(check_signature(playbook, index, depth, trust, now));
            match node.get("signature") {
                Some(nested @ Value::Object(_)) => {
                    node = nested;
                    depth += 1;
                }
                _ => break,
            }
        }
    }
    report
}

/// The JSON pointer of the signature at `depth` in the chain of top-level signature `index`.
pub(crate) fn pointer_of(index: usize, depth: usize) -> String {
    format!("/signatures/{index}{}", "/signature".repeat(depth))
}

/// The document that the signature at (`index`, `depth`) covers: `signatures` holds only that
/// chain's top-level signature, and the signature under test loses its `value` and any nested
/// `signature`. `None` when the path does not lead to a signature object.
pub(crate) fn covered_document(
    playbook: &Map<String, Value>,
    index: usize,
    depth: usize,
) -> Option<Value> {
    let mut chain = playbook.get("signatures")?.get(index)?.clone();
    let mut node = &mut chain;
    for _ in 0..depth {
        node = node.get_mut("signature")?;
    }
    let node = node.as_object_mut()?;
    node.remove("value");
    node.remove("signature");

    let mut covered = playbook.clone();
    covered.insert("signatures".to_owned(), Value::Array(vec![chain]));
    Some(Value::Object(covered))
}

/// The message a signature signs: the lowercase hex digest of the canonical covered document.
pub(crate) fn message_for(covered: &Value, hash: HashAlgorithm) -> Result<String, SignError> {
    Ok(hash.hex_digest(&canonicalize(covered)?))
}

/// Checks one signature. Public to the crate so that countersigning can insist that its target
/// verifies.
pub(crate) fn check_signature(
    playbook: &Map<String, Value>,
    index: usize,
    depth: usize,
    trust: &TrustStore,
    now: jiff::Timestamp,
) -> SignatureReport {
    let pointer = pointer_of(index, depth);
    let countersigns = depth.checked_sub(1).map(|parent| pointer_of(index, parent));
    let mut report = SignatureReport::new(pointer, countersigns);

    let mut node = playbook
        .get("signatures")
        .and_then(|signatures| signatures.get(index));
    for _ in 0..depth {
        node = node.and_then(|parent| parent.get("signature"));
    }
    let Some(signature) = node.and_then(Value::as_object) else {
        report.error("signature/malformed", "the signature is not a JSON object");
        return report;
    };

    if signature
        .get("signature")
        .is_some_and(|nested| !nested.is_object())
    {
        // A countersignature that is not an object would ride along uncovered.
        report.error(
            "signature/malformed",
            "the nested countersignature (signature) is not a JSON object",
        );
    }

    let text = |name: &str| signature.get(name).and_then(Value::as_str);
    report.id = text("id").map(str::to_owned);
    report.signee = text("signee").map(str::to_owned);
    report.algorithm = text("algorithm").map(str::to_owned);

    check_metadata(&mut report, signature, playbook);
    check_validity(&mut report, signature, now);
    let hash = text("hash_algorithm").and_then(|name| match HashAlgorithm::parse(name) {
        Ok(hash) => Some(hash),
        Err(error) => {
            report.error("signature/hash-algorithm", error.to_string());
            None
        }
    });
    let algorithm = text("algorithm").and_then(|name| match Algorithm::parse(name) {
        Ok(algorithm) => Some(algorithm),
        Err(error) => {
            report.error("signature/algorithm", error.to_string());
            None
        }
    });
    let resolved = resolve_key(&mut report, signature, trust, now);
    if let Some(key) = &resolved {
        report.key_fingerprint = Some(key.public_key.fingerprint());
    }
    let fitting_key = match (&resolved, algorithm) {
        (Some(key), Some(algorithm)) => match key.public_key.kind().check_fits(algorithm) {
            Ok(()) => Some(&key.public_key),
            Err(error) => {
                report.error("signature/algorithm-key-mismatch", error.to_string());
                None
            }
        },
        _ => None,
    };
    let value = text("value").and_then(|value| decode_value(&mut report, value, algorithm));

    if let (Some(hash), Some(algorithm), Some(key), Some(value)) =
        (hash, algorithm, fitting_key, value)
    {
        check_value(
            &mut report,
            playbook,
            (index, depth),
            hash,
            algorithm,
            key,
            &value,
        );
    }

    let has_errors = report.errors().next().is_some();
    report.valid = !has_errors;
    if report.valid
        && let (Some(key), Some(signee)) = (&resolved, &report.signee)
    {
        report.trusted_because =
            trust.trust_for(signee, &key.public_key, key.chain.as_deref(), now);
        report.trusted = report.trusted_because.is_some();
    }
    report
}

fn check_metadata(
    report: &mut SignatureReport,
    signature: &Map<String, Value>,
    playbook: &Map<String, Value>,
) {
    for name in REQUIRED {
        match signature.get(name) {
            None => report.error(
                "signature/required",
                format!("missing required property {name}"),
            ),
            Some(Value::String(_)) => {}
            Some(_) => report.error("signature/required", format!("{name} must be a string")),
        }
    }
    let text = |name: &str| signature.get(name).and_then(Value::as_str);

    if let Some(kind) = text("type")
        && kind != "jss"
    {
        report.error(
            "signature/type",
            format!("type is {kind:?}; CACAO 2.0 signatures have type \"jss\""),
        );
    }
    if let Some(related_to) = text("related_to") {
        match playbook.get("id").and_then(Value::as_str) {
            Some(id) if id == related_to => {}
            Some(id) => report.error(
                "signature/related-to",
                format!("related_to is {related_to:?} but the playbook id is {id:?}"),
            ),
            None => report.error("signature/related-to", "the playbook has no id"),
        }
    }
    if let Some(related_version) = text("related_version") {
        match playbook.get("modified").and_then(Value::as_str) {
            Some(modified) if modified == related_version => {}
            Some(modified) => report.error(
                "signature/related-version",
                format!(
                    "related_version is {related_version:?} but the playbook modified is {modified:?}"
                ),
            ),
            None => report.error("signature/related-version", "the playbook has no modified"),
        }
    }
}

fn parse_timestamp(
    report: &mut SignatureReport,
    signature: &Map<String, Value>,
    name: &str,
) -> Option<jiff::Timestamp> {
    let value = signature.get(name)?;
    let parsed = value
        .as_str()
        .filter(|text| text.ends_with('Z'))
        .and_then(|text| text.parse::<jiff::Timestamp>().ok());
    if parsed.is_none() {
        report.error(
            "signature/timestamp",
            format!("{name} is {value}, not an RFC 3339 UTC timestamp"),
        );
    }
    parsed
}

fn check_validity(
    report: &mut SignatureReport,
    signature: &Map<String, Value>,
    now: jiff::Timestamp,
) {
    parse_timestamp(report, signature, "created");
    parse_timestamp(report, signature, "modified");
    let valid_from = parse_timestamp(report, signature, "valid_from");
    let valid_until = parse_timestamp(report, signature, "valid_until");

    match signature.get("revoked") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => {
            report.revoked = true;
            report.warning("signature/revoked", "the signature is revoked");
        }
        Some(other) => report.error(
            "signature/required",
            format!("revoked must be true or false, not {other}"),
        ),
    }
    if let Some(valid_from) = valid_from
        && now < valid_from
    {
        report.not_yet_valid = true;
        report.warning(
            "signature/not-yet-valid",
            format!("not valid before {valid_from}"),
        );
    }
    if let Some(valid_until) = valid_until
        && now > valid_until
    {
        report.expired = true;
        report.warning("signature/expired", format!("expired at {valid_until}"));
    }
}

/// The key a signature names, and the certificate chain it came from, if any.
struct ResolvedKey {
    public_key: PublicKey,
    chain: Option<Vec<Certificate>>,
}

fn resolve_key(
    report: &mut SignatureReport,
    signature: &Map<String, Value>,
    trust: &TrustStore,
    now: jiff::Timestamp,
) -> Option<ResolvedKey> {
    let present: Vec<&str> = KEY_REFERENCES
        .into_iter()
        .filter(|name| signature.contains_key(*name))
        .collect();
    match present.as_slice() {
        [] => {
            report.error(
                "signature/key-reference",
                "no key reference: one of public_key, public_cert_chain, cert_url or thumbprint \
                 is required",
            );
            return None;
        }
        [_] => {}
        several => {
            report.error(
                "signature/key-reference",
                format!(
                    "{} key references ({}); exactly one is allowed",
                    several.len(),
                    several.join(", ")
                ),
            );
            return None;
        }
    }

    match present[0] {
        "public_key" => match signature["public_key"]
            .as_str()
            .map(PublicKey::from_base64_body)
        {
            Some(Ok(public_key)) => Some(ResolvedKey {
                public_key,
                chain: None,
            }),
            Some(Err(error)) => {
                report.error("signature/public-key", error.to_string());
                None
            }
            None => {
                report.error("signature/public-key", "public_key must be a string");
                None
            }
        },
        "public_cert_chain" => {
            let chain = match parse_chain(&signature["public_cert_chain"]) {
                Ok(chain) => chain,
                Err(message) => {
                    report.error("signature/certificate-chain", message);
                    return None;
                }
            };
            if let Err(message) = check_chain_links(&chain, now) {
                report.error("signature/certificate-chain", message);
                return None;
            }
            Some(ResolvedKey {
                public_key: chain[0].public_key().clone(),
                chain: Some(chain),
            })
        }
        "thumbprint" => {
            let Some(thumbprint) = signature["thumbprint"].as_str() else {
                report.error("signature/key-reference", "thumbprint must be a string");
                return None;
            };
            match trust.certificate_by_thumbprint(thumbprint) {
                Some(certificate) => Some(ResolvedKey {
                    public_key: certificate.public_key().clone(),
                    chain: Some(vec![certificate.clone()]),
                }),
                None => {
                    report.error(
                        "signature/key-unavailable",
                        format!(
                            "thumbprint {thumbprint:?} matches no certificate in the trust store"
                        ),
                    );
                    None
                }
            }
        }
        _ => {
            report.error(
                "signature/key-unavailable",
                "cert_url is not supported: keys are never fetched over the network while \
                 verifying",
            );
            None
        }
    }
}

fn parse_chain(value: &Value) -> Result<Vec<Certificate>, String> {
    let Some(entries) = value.as_array() else {
        return Err("public_cert_chain must be a list of base64 certificates".to_owned());
    };
    if entries.is_empty() {
        return Err("public_cert_chain is empty".to_owned());
    }
    entries
        .iter()
        .enumerate()
        .map(|(position, entry)| {
            let text = entry
                .as_str()
                .ok_or_else(|| format!("public_cert_chain entry {position} is not a string"))?;
            Certificate::from_base64(text)
                .map_err(|error| format!("public_cert_chain entry {position}: {error}"))
        })
        .collect()
}

/// Decodes `value`, insisting on unpadded base64url and, for ECDSA, the fixed-width `R || S`.
fn decode_value(
    report: &mut SignatureReport,
    value: &str,
    algorithm: Option<Algorithm>,
) -> Option<Vec<u8>> {
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        let hint = if matches!(bad, '+' | '/' | '=') {
            " (that is standard base64 or padding)"
        } else {
            ""
        };
        report.error(
            "signature/encoding",
            format!("value is not unpadded base64url: it contains {bad:?}{hint}"),
        );
        return None;
    }
    let bytes = match URL_SAFE_NO_PAD.decode(value) {
        Ok(bytes) => bytes,
        Err(error) => {
            report.error(
                "signature/encoding",
                format!("value is not unpadded base64url: {error}"),
            );
            return None;
        }
    };
    if let Some(width) = algorithm.and_then(Algorithm::ecdsa_coordinate_len)
        && bytes.len() != 2 * width
    {
        let hint = if bytes.first() == Some(&0x30) {
            " (it looks like ASN.1 DER; JWA uses the fixed-width R||S)"
        } else {
            ""
        };
        report.error(
            "signature/encoding",
            format!(
                "an {} value is {} bytes of R||S, this one is {} bytes{hint}",
                algorithm.map_or("", Algorithm::name),
                2 * width,
                bytes.len()
            ),
        );
        return None;
    }
    Some(bytes)
}

fn check_value(
    report: &mut SignatureReport,
    playbook: &Map<String, Value>,
    (index, depth): (usize, usize),
    hash: HashAlgorithm,
    algorithm: Algorithm,
    key: &PublicKey,
    value: &[u8],
) {
    let Some(covered) = covered_document(playbook, index, depth) else {
        report.error("signature/malformed", "the signature is not a JSON object");
        return;
    };
    let message = match message_for(&covered, hash) {
        Ok(message) => message,
        Err(error) => {
            report.error("signature/canonical-json", error.to_string());
            return;
        }
    };
    match key.verify(algorithm, message.as_bytes(), value) {
        Ok(true) => {}
        Ok(false) => report.error(
            "signature/invalid-value",
            "the value does not verify: the playbook or the signature changed after signing, or \
             the key is not the signer's",
        ),
        Err(error) => report.error("signature/algorithm-key-mismatch", error.to_string()),
    }
}

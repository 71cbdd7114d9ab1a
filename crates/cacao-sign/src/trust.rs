//! Trust: which keys and certificates are trusted for which signee ([`TrustStore`]), and the
//! policy that turns a [`VerificationReport`] into an accept-or-refuse [`Decision`]
//! ([`TrustPolicy`]).
//!
//! The same policy object gates `cacao verify --policy`, and is meant to gate execution and
//! distribution too: build it once with [`TrustPolicy::from_file`] (or
//! [`TrustPolicy::for_execution`]) and call [`TrustPolicy::check`] on every playbook before use.
//! The file format is documented in docs/signatures.md.

use std::path::Path;

use serde_json::Value;

use crate::certificate::{Certificate, chains_to};
use crate::error::SignError;
use crate::key::PublicKey;
use crate::pem;
use crate::verify::{VerificationReport, verify_document};

/// Keys and certificates trusted for one signee name, or for any signee.
#[derive(Debug, Clone, Default)]
pub struct TrustedSignee {
    /// The `signee` value these are trusted for; `None` trusts them whatever the signature's
    /// signee says.
    pub name: Option<String>,
    /// Trusted public keys.
    pub public_keys: Vec<PublicKey>,
    /// Trusted (pinned) certificates: their keys are trusted, and `thumbprint` references
    /// resolve to them.
    pub certificates: Vec<Certificate>,
    /// Trusted certificate authorities: a `public_cert_chain` that leads to one is trusted.
    pub authorities: Vec<Certificate>,
}

impl TrustedSignee {
    fn applies_to(&self, signee: &str) -> bool {
        self.name.as_deref().is_none_or(|name| name == signee)
    }

    fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("signee {name:?}"),
            None => "any signee".to_owned(),
        }
    }
}

/// Every trusted key and certificate, grouped by signee.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    signees: Vec<TrustedSignee>,
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Adds a group of trusted keys and certificates.
    pub fn add_signee(&mut self, signee: TrustedSignee) {
        self.signees.push(signee);
    }

    /// Trusts `key` for `signee` (`None`: for any signee).
    pub fn add_public_key(&mut self, signee: Option<&str>, key: PublicKey) {
        self.add_signee(TrustedSignee {
            name: signee.map(str::to_owned),
            public_keys: vec![key],
            ..TrustedSignee::default()
        });
    }

    /// Trusts every `PUBLIC KEY` and `CERTIFICATE` section of PEM text for `signee`. A
    /// certificate is trusted both as a pinned certificate and as an authority. Returns how many
    /// sections were added.
    pub fn add_pem(
        &mut self,
        signee: Option<&str>,
        text: &[u8],
        source_name: &str,
    ) -> Result<usize, SignError> {
        let mut entry = TrustedSignee {
            name: signee.map(str::to_owned),
            ..TrustedSignee::default()
        };
        for section in pem::sections(text, source_name)? {
            match section.kind {
                rustls_pki_types::pem::SectionKind::PublicKey => {
                    entry
                        .public_keys
                        .push(PublicKey::from_spki_der(&section.der)?);
                }
                rustls_pki_types::pem::SectionKind::Certificate => {
                    let certificate = Certificate::from_der(&section.der)?;
                    entry.certificates.push(certificate.clone());
                    entry.authorities.push(certificate);
                }
                _ => {
                    return Err(SignError::Pem {
                        source_name: source_name.to_owned(),
                        reason: "only PUBLIC KEY and CERTIFICATE sections can be trusted (is this \
                                 a private key?)"
                            .to_owned(),
                    });
                }
            }
        }
        let added = entry.public_keys.len() + entry.certificates.len();
        self.add_signee(entry);
        Ok(added)
    }

    /// Reads a PEM file and trusts what it holds (see [`TrustStore::add_pem`]).
    pub fn add_pem_file(&mut self, signee: Option<&str>, path: &Path) -> Result<usize, SignError> {
        let text = read(path)?;
        self.add_pem(signee, &text, &path.display().to_string())
    }

    /// The groups, in the order they were added.
    pub fn signees(&self) -> &[TrustedSignee] {
        &self.signees
    }

    /// True when nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.signees.iter().all(|signee| {
            signee.public_keys.is_empty()
                && signee.certificates.is_empty()
                && signee.authorities.is_empty()
        })
    }

    /// The trusted certificate whose x5t#S256 thumbprint is `thumbprint`.
    pub fn certificate_by_thumbprint(&self, thumbprint: &str) -> Option<&Certificate> {
        self.signees
            .iter()
            .flat_map(|signee| signee.certificates.iter().chain(&signee.authorities))
            .find(|certificate| certificate.thumbprint() == thumbprint)
    }

    /// Why a signature by `key` (from `chain`, if a certificate chain named it) with signee
    /// `signee` is trusted, or `None` when it is not.
    pub fn trust_for(
        &self,
        signee: &str,
        key: &PublicKey,
        chain: Option<&[Certificate]>,
        now: jiff::Timestamp,
    ) -> Option<String> {
        for entry in self.signees.iter().filter(|entry| entry.applies_to(signee)) {
            if entry.public_keys.contains(key) {
                return Some(format!(
                    "key {} is trusted for {}",
                    key.fingerprint(),
                    entry.label()
                ));
            }
            if let Some(certificate) = entry
                .certificates
                .iter()
                .find(|certificate| certificate.public_key() == key)
            {
                return Some(format!(
                    "certificate {:?} is trusted for {}",
                    certificate.subject(),
                    entry.label()
                ));
            }
            if let Some(chain) = chain
                && !entry.authorities.is_empty()
                && chains_to(chain, &entry.authorities, now).is_ok()
            {
                return Some(format!(
                    "the certificate chain leads to an authority trusted for {}",
                    entry.label()
                ));
            }
        }
        None
    }
}

/// Whether a playbook may be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// True when the policy accepts the playbook.
    pub accepted: bool,
    /// Every reason for a refusal, or what the acceptance rests on.
    pub reasons: Vec<String>,
}

/// A trust policy: trusted keys per signee plus the rules that decide acceptance.
///
/// A playbook is accepted when it is unsigned and unsigned playbooks are allowed, or when every
/// signature (countersignatures included) is valid, none is refused for being revoked, expired
/// or not yet valid, and at least `minimum_trusted_signatures` are by trusted keys.
#[derive(Debug, Clone)]
pub struct TrustPolicy {
    /// Accept playbooks without any signature. Default: false.
    pub allow_unsigned: bool,
    /// How many valid signatures by trusted keys are needed. Default: 1.
    pub minimum_trusted_signatures: usize,
    /// Refuse a playbook carrying a signature whose `valid_until` has passed. Default: true.
    pub refuse_expired: bool,
    /// Refuse a playbook carrying a signature whose `valid_from` is in the future. Default: true.
    pub refuse_not_yet_valid: bool,
    /// Refuse a playbook carrying a revoked signature. Default: true.
    pub refuse_revoked: bool,
    /// The trusted keys and certificates.
    pub trust: TrustStore,
}

impl TrustPolicy {
    /// The policy for execution: signatures required, at least one by a trusted key, and
    /// expired, not-yet-valid and revoked signatures refused.
    pub fn for_execution(trust: TrustStore) -> TrustPolicy {
        TrustPolicy {
            allow_unsigned: false,
            minimum_trusted_signatures: 1,
            refuse_expired: true,
            refuse_not_yet_valid: true,
            refuse_revoked: true,
            trust,
        }
    }

    /// The cryptographic verdict of `cacao verify` without a policy file: the playbook must be
    /// signed and every signature valid; when `trust` is not empty, at least one valid signature
    /// must be by a trusted key. Validity window and revocation are reported, not enforced.
    pub fn cryptographic_only(trust: TrustStore) -> TrustPolicy {
        TrustPolicy {
            allow_unsigned: false,
            minimum_trusted_signatures: usize::from(!trust.is_empty()),
            refuse_expired: false,
            refuse_not_yet_valid: false,
            refuse_revoked: false,
            trust,
        }
    }

    /// Reads a policy file; relative key and certificate paths are resolved from its folder.
    pub fn from_file(path: &Path) -> Result<TrustPolicy, SignError> {
        let text = read(path)?;
        let text = String::from_utf8(text)
            .map_err(|_| SignError::Policy(format!("{} is not UTF-8 text", path.display())))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        TrustPolicy::from_json(&text, folder)
            .map_err(|error| SignError::Policy(format!("{}: {error}", path.display())))
    }

    /// Parses a policy from JSON text; relative paths are resolved from `folder`.
    pub fn from_json(text: &str, folder: &Path) -> Result<TrustPolicy, SignError> {
        let file: file::PolicyFile =
            serde_json::from_str(text).map_err(|error| SignError::Policy(error.to_string()))?;
        let mut trust = TrustStore::new();
        for (position, signee) in file.signees.into_iter().enumerate() {
            let name = signee.name.as_deref();
            let what = |name: Option<&str>| match name {
                Some(name) => format!("signee {name:?}"),
                None => format!("signees[{position}]"),
            };
            let mut entry = TrustedSignee {
                name: signee.name.clone(),
                ..TrustedSignee::default()
            };
            for reference in &signee.public_keys {
                let (text, source) = load(reference, folder)?;
                entry.public_keys.push(
                    PublicKey::from_pem(&text, &source)
                        .map_err(|error| SignError::Policy(format!("{}: {error}", what(name))))?,
                );
            }
            for (references, target) in [
                (&signee.certificates, &mut entry.certificates),
                (&signee.authorities, &mut entry.authorities),
            ] {
                for reference in references {
                    let (text, source) = load(reference, folder)?;
                    target.extend(
                        Certificate::all_from_pem(&text, &source).map_err(|error| {
                            SignError::Policy(format!("{}: {error}", what(name)))
                        })?,
                    );
                }
            }
            trust.add_signee(entry);
        }
        Ok(TrustPolicy {
            allow_unsigned: file.allow_unsigned,
            minimum_trusted_signatures: file.minimum_trusted_signatures,
            refuse_expired: file.refuse_expired,
            refuse_not_yet_valid: file.refuse_not_yet_valid,
            refuse_revoked: file.refuse_revoked,
            trust,
        })
    }

    /// Verifies `document` against this policy's trust store at `now` and decides.
    pub fn check(&self, document: &Value, now: jiff::Timestamp) -> (VerificationReport, Decision) {
        let report = verify_document(document, &self.trust, now);
        let decision = self.evaluate(&report);
        (report, decision)
    }

    /// Decides on an existing report.
    pub fn evaluate(&self, report: &VerificationReport) -> Decision {
        let mut refusals = Vec::new();
        for finding in &report.findings {
            refusals.push(format!(
                "{}: {}",
                display_pointer(&finding.pointer),
                finding.message
            ));
        }
        if !report.is_signed() && refusals.is_empty() {
            return if self.allow_unsigned {
                Decision {
                    accepted: true,
                    reasons: vec!["the playbook is unsigned and the policy allows that".to_owned()],
                }
            } else {
                Decision {
                    accepted: false,
                    reasons: vec!["the playbook is unsigned".to_owned()],
                }
            };
        }

        for signature in &report.signatures {
            let name = signature.id.as_deref().unwrap_or(&signature.pointer);
            if !signature.valid {
                refusals.push(format!(
                    "signature {name} does not verify: {}",
                    signature.reason()
                ));
            }
            if signature.revoked && self.refuse_revoked {
                refusals.push(format!("signature {name} is revoked"));
            }
            if signature.expired && self.refuse_expired {
                refusals.push(format!("signature {name} has expired"));
            }
            if signature.not_yet_valid && self.refuse_not_yet_valid {
                refusals.push(format!("signature {name} is not valid yet"));
            }
        }
        let trusted = report.trusted_count();
        if trusted < self.minimum_trusted_signatures {
            refusals.push(format!(
                "{trusted} valid signature(s) by a trusted key; at least {} required",
                self.minimum_trusted_signatures
            ));
        }

        if refusals.is_empty() {
            Decision {
                accepted: true,
                reasons: vec![format!(
                    "{} signature(s) verify, {trusted} by a trusted key",
                    report.signatures.len()
                )],
            }
        } else {
            Decision {
                accepted: false,
                reasons: refusals,
            }
        }
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the document"
    } else {
        pointer
    }
}

fn read(path: &Path) -> Result<Vec<u8>, SignError> {
    std::fs::read(path).map_err(|reason| SignError::Io {
        action: "cannot read",
        path: path.to_owned(),
        reason,
    })
}

/// Inline PEM text, or the contents of a file relative to `folder`.
fn load(reference: &str, folder: &Path) -> Result<(Vec<u8>, String), SignError> {
    if reference.trim_start().starts_with("-----BEGIN") {
        return Ok((reference.as_bytes().to_vec(), "inline PEM".to_owned()));
    }
    let path = folder.join(reference);
    Ok((read(&path)?, path.display().to_string()))
}

/// The policy file's serde shape. Unknown fields are refused so that a misspelt rule cannot
/// silently weaken the policy.
mod file {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct PolicyFile {
        #[serde(default)]
        pub(super) allow_unsigned: bool,
        #[serde(default = "one")]
        pub(super) minimum_trusted_signatures: usize,
        #[serde(default = "yes")]
        pub(super) refuse_expired: bool,
        #[serde(default = "yes")]
        pub(super) refuse_not_yet_valid: bool,
        #[serde(default = "yes")]
        pub(super) refuse_revoked: bool,
        #[serde(default)]
        pub(super) signees: Vec<SigneeFile>,
    }

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct SigneeFile {
        #[serde(default)]
        pub(super) name: Option<String>,
        #[serde(default)]
        pub(super) public_keys: Vec<String>,
        #[serde(default)]
        pub(super) certificates: Vec<String>,
        #[serde(default)]
        pub(super) authorities: Vec<String>,
    }

    fn one() -> usize {
        1
    }

    fn yes() -> bool {
        true
    }
}

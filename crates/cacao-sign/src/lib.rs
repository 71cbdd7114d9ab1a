//! Signed CACAO 2.0 playbooks: RFC 8785 canonical JSON, `jss` signatures and countersignatures,
//! and the trust policy that decides whether a signed playbook may be used.
//!
//! The crate works on the JSON document itself (a [`serde_json::Value`] that keeps the author's
//! key order), never on a re-serialised model, so nothing a model does to a playbook can change
//! what is signed or verified. The procedure is the one CACAO 2.0 section 10.15 and Appendix A
//! describe and the TC's RSA example confirms:
//!
//! 1. keep only the signature being made or checked in `signatures` (for a countersignature,
//!    its complete ancestors), without its `value` and without a nested `signature`;
//! 2. serialise the whole playbook with JCS (RFC 8785, [`canonical`]);
//! 3. hash the bytes with `hash_algorithm` and take the lowercase hexadecimal digest as an ASCII
//!    string: that string is the message;
//! 4. sign the message with `algorithm` ([`Algorithm`]) and put the base64url value, without
//!    padding, into `value`.
//!
//! The modules, in the order a playbook meets them:
//! - [`canonical`]: strict parsing (no duplicate keys, no integers beyond 2^53) and JCS.
//! - [`key`] and [`certificate`]: public keys, private keys, X.509 chains, PEM.
//! - [`sign`](mod@sign): making signatures and countersignatures.
//! - [`verify`](mod@verify): checking every signature, with one report per signature.
//! - [`trust`]: trusted keys per signee and the policy that turns a report into a decision.
//! - [`findings`]: the same checks as validator findings with stable `signature/...` rule ids.
//!
//! ```
//! use cacao_sign::{Algorithm, HashAlgorithm, SignOptions, SigningKey, TrustPolicy, TrustStore};
//!
//! let mut playbook: serde_json::Value = serde_json::from_str(r#"{
//!   "type": "playbook", "spec_version": "cacao-2.0",
//!   "id": "playbook--61a6c41e-6efc-4516-a242-dfbc5c89d562", "name": "contain host",
//!   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z"
//! }"#).unwrap();
//!
//! let key = SigningKey::generate(Algorithm::Es256).unwrap();
//! let options = SignOptions::new(Algorithm::Es256, "ACME CSIRT");
//! cacao_sign::sign_document(&mut playbook, &key, &options).unwrap();
//!
//! let mut trust = TrustStore::new();
//! trust.add_public_key(None, key.public_key().clone());
//! let policy = TrustPolicy::for_execution(trust);
//! let (report, decision) = policy.check(&playbook, jiff::Timestamp::now());
//! assert!(report.signatures[0].valid && report.signatures[0].trusted);
//! assert!(decision.accepted, "{:?}", decision.reasons);
//! # let _ = HashAlgorithm::Sha256;
//! ```

mod algorithm;
pub mod canonical;
pub mod certificate;
mod error;
pub mod findings;
pub mod key;
mod pem;
pub mod sign;
pub mod trust;
pub mod verify;

pub use algorithm::{Algorithm, HashAlgorithm};
pub use certificate::Certificate;
pub use error::SignError;
pub use findings::{Finding, Severity, signature_findings, signature_findings_with};
pub use key::{KeyKind, PublicKey, SigningKey, write_private_key_file};
pub use sign::{KeyReference, SignOptions, SignedSignature, countersign_document, sign_document};
pub use trust::{Decision, TrustPolicy, TrustStore, TrustedSignee};
pub use verify::{SignatureReport, VerificationReport, verify_document};

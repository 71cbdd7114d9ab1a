//! The one error type of the crate. Messages are lower-case, name the offending value, and never
//! contain key material: private keys are described by their kind, never by their bytes.

use std::path::PathBuf;

/// Everything that can stop signing, verifying or loading keys and policies.
///
/// A signature that does not verify is not an error: verification reports it as a finding in
/// [`VerificationReport`](crate::VerificationReport). Errors are for input that prevents a verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The text is not JSON, or JSON that signing cannot represent exactly.
    #[error("{0}")]
    Json(String),

    /// An integer that RFC 8785 canonical JSON cannot carry without changing it.
    #[error(
        "integer {literal} at {location} is outside the range canonical JSON (RFC 8785) keeps \
         exactly (-2^53..=2^53); write it as a string"
    )]
    IntegerOutOfRange {
        /// The integer as written.
        literal: String,
        /// Where: a JSON pointer or `line L, column C`.
        location: String,
    },

    /// The document is JSON but not a playbook that can be signed.
    #[error("not a signable playbook: {0}")]
    Document(String),

    /// A name in the `algorithm` vocabulary that this crate does not implement.
    #[error("algorithm {0:?} is not supported (supported: {supported})", supported = crate::Algorithm::supported_names())]
    UnsupportedAlgorithm(String),

    /// A name that is not a CACAO signature algorithm at all.
    #[error("unknown algorithm {0:?} (supported: {supported})", supported = crate::Algorithm::supported_names())]
    UnknownAlgorithm(String),

    /// A `hash_algorithm` other than `sha-256` or `sha-512`.
    #[error("hash algorithm {0:?} is not supported (supported: sha-256, sha-512)")]
    UnsupportedHash(String),

    /// The algorithm cannot be used with the key.
    #[error("algorithm {algorithm} does not fit a {key} key")]
    AlgorithmKeyMismatch {
        /// The algorithm name.
        algorithm: String,
        /// The key kind, e.g. `P-256` or `RSA 2048-bit`.
        key: String,
    },

    /// PEM text that cannot be read.
    #[error("malformed PEM in {source_name}: {reason}")]
    Pem {
        /// The file name or a description of the text.
        source_name: String,
        /// What is wrong, without any of the encoded bytes.
        reason: String,
    },

    /// A public key that cannot be parsed or used.
    #[error("unusable public key: {0}")]
    PublicKey(String),

    /// A private key that cannot be parsed or used. The reason never contains key bytes.
    #[error("unusable private key: {0}")]
    PrivateKey(String),

    /// A certificate or certificate chain that cannot be parsed or does not chain.
    #[error("certificate problem: {0}")]
    Certificate(String),

    /// The trust policy file is malformed.
    #[error("invalid trust policy: {0}")]
    Policy(String),

    /// Countersigning is impossible, e.g. nothing to countersign or the target does not verify.
    #[error("cannot countersign: {0}")]
    Countersign(String),

    /// The cryptographic library refused an operation.
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),

    /// Reading or writing a file failed.
    #[error("{action} {path}: {reason}")]
    Io {
        /// `cannot read`, `cannot write`, ...
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: std::io::Error,
    },
}

//! The signature object (CACAO 2.0 section 10.15). Creating and checking signatures is the job
//! of the `cacao-sign` crate; this is only the data.

use crate::cacao_object;
use crate::common::Timestamp;
use crate::vocab::SignatureAlgorithm;

cacao_object! {
    /// A `jss` signature over a playbook, possibly countersigned by a nested signature.
    pub struct Signature {
        /// Always `jss`.
        "type" => signature_type: required<String>,
        /// `jss--UUID`.
        "id" => id: required<String>,
        /// The STIX identity that made the signature.
        "created_by" => created_by: optional<String>,
        /// When it was created.
        "created" => created: required<Timestamp>,
        /// When it was last modified.
        "modified" => modified: required<Timestamp>,
        /// Whether it is revoked.
        "revoked" => revoked: optional<bool>,
        /// Start of validity.
        "valid_from" => valid_from: optional<Timestamp>,
        /// End of validity.
        "valid_until" => valid_until: optional<Timestamp>,
        /// Who signed, in free text.
        "signee" => signee: required<String>,
        /// The id of the signed playbook.
        "related_to" => related_to: required<String>,
        /// The `modified` of the signed playbook.
        "related_version" => related_version: required<Timestamp>,
        /// The hash applied to the canonical playbook (`sha-256`, `sha-512`).
        "hash_algorithm" => hash_algorithm: required<String>,
        /// The signature algorithm.
        "algorithm" => algorithm: required<SignatureAlgorithm>,
        /// The public key: the base64 body of a PEM SubjectPublicKeyInfo.
        "public_key" => public_key: optional<String>,
        /// Certificates as base64 DER, signer first (x5c).
        "public_cert_chain" => public_cert_chain: optional<Vec<String>>,
        /// Where to fetch the certificate (x5u).
        "cert_url" => cert_url: optional<String>,
        /// The SHA-256 thumbprint of the certificate, base64url (x5t#S256).
        "thumbprint" => thumbprint: optional<String>,
        /// The signature value, base64url without padding.
        "value" => value: required<String>,
        /// A countersignature over this one.
        "signature" => signature: optional<Box<Signature>>,
    }
}

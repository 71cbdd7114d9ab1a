//! Making signatures and countersignatures on the JSON document itself.
//!
//! The new signature object is written in the TC example's property order; everything else in
//! the document keeps its bytes and key order, so `serde_json::to_string_pretty` of the result
//! changes nothing but the `signatures` list.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::algorithm::{Algorithm, HashAlgorithm};
use crate::certificate::{Certificate, check_chain_links};
use crate::error::SignError;
use crate::key::SigningKey;
use crate::trust::TrustStore;
use crate::verify::{check_signature, covered_document, message_for, pointer_of};

/// How the signature names its key.
#[derive(Debug, Clone, Default)]
pub enum KeyReference {
    /// `public_key`: the signing key's SubjectPublicKeyInfo, base64.
    #[default]
    PublicKey,
    /// `public_cert_chain`: these certificates, signer first; the first must hold the signing
    /// key.
    CertificateChain(Vec<Certificate>),
    /// `thumbprint`: the x5t#S256 of this certificate, which must hold the signing key. Only
    /// verifiers whose trust store holds the certificate can check such a signature.
    Thumbprint(Certificate),
}

/// What to put in a new signature.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// The signature algorithm; it must fit the key.
    pub algorithm: Algorithm,
    /// The hash applied to the canonical playbook.
    pub hash: HashAlgorithm,
    /// Who signs, in free text.
    pub signee: String,
    /// The STIX identity of the signer, if any.
    pub created_by: Option<String>,
    /// Start of validity, if any.
    pub valid_from: Option<jiff::Timestamp>,
    /// End of validity, if any.
    pub valid_until: Option<jiff::Timestamp>,
    /// How to reference the key.
    pub key_reference: KeyReference,
    /// The `created` and `modified` time; `None` means now.
    pub now: Option<jiff::Timestamp>,
}

impl SignOptions {
    /// Options with sha-256, a `public_key` reference and no validity window.
    pub fn new(algorithm: Algorithm, signee: impl Into<String>) -> SignOptions {
        SignOptions {
            algorithm,
            hash: HashAlgorithm::Sha256,
            signee: signee.into(),
            created_by: None,
            valid_from: None,
            valid_until: None,
            key_reference: KeyReference::PublicKey,
            now: None,
        }
    }
}

/// The signature just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSignature {
    /// Its `id`.
    pub id: String,
    /// Its JSON pointer in the document.
    pub pointer: String,
}

/// Appends a new top-level signature to `document`. Existing signatures are left as they are:
/// each signature covers the playbook without the others.
pub fn sign_document(
    document: &mut Value,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<SignedSignature, SignError> {
    let playbook = playbook_mut(document)?;
    let mut signature = new_signature(playbook, key, options)?;
    let id = signature["id"].as_str().unwrap_or_default().to_owned();

    let mut covered = playbook.clone();
    covered.insert(
        "signatures".to_owned(),
        Value::Array(vec![Value::Object(signature.clone())]),
    );
    let message = message_for(&Value::Object(covered), options.hash)?;
    let value = key.sign(options.algorithm, message.as_bytes())?;
    signature.insert(
        "value".to_owned(),
        Value::String(URL_SAFE_NO_PAD.encode(value)),
    );

    let index = match playbook.get_mut("signatures") {
        Some(Value::Array(signatures)) => {
            signatures.push(Value::Object(signature));
            signatures.len() - 1
        }
        _ => {
            playbook.insert(
                "signatures".to_owned(),
                Value::Array(vec![Value::Object(signature)]),
            );
            0
        }
    };
    Ok(SignedSignature {
        id,
        pointer: pointer_of(index, 0),
    })
}

/// Countersigns the last top-level signature: the new signature is nested at the end of that
/// signature's chain (a countersignature of a countersignature when it already has one). The
/// chain must verify first; countersigning something that does not verify would vouch for it.
pub fn countersign_document(
    document: &mut Value,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<SignedSignature, SignError> {
    let playbook = playbook_mut(document)?;
    let Some(index) = playbook
        .get("signatures")
        .and_then(Value::as_array)
        .filter(|signatures| !signatures.is_empty())
        .map(|signatures| signatures.len() - 1)
    else {
        return Err(SignError::Countersign(
            "the playbook has no signature to countersign".to_owned(),
        ));
    };

    // Check the whole chain, and find its end.
    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let mut depth = 0;
    loop {
        let report = check_signature(playbook, index, depth, &TrustStore::new(), now);
        if !report.valid {
            return Err(SignError::Countersign(format!(
                "signature {} does not verify: {}",
                report.pointer,
                report.reason()
            )));
        }
        let mut node = &playbook["signatures"][index];
        for _ in 0..=depth {
            node = &node["signature"];
        }
        if !node.is_object() {
            break;
        }
        depth += 1;
    }

    let signature = new_signature(playbook, key, options)?;
    let id = signature["id"].as_str().unwrap_or_default().to_owned();
    let mut chain = playbook["signatures"][index].clone();
    let parent = chain_node(&mut chain, depth)?;
    parent.insert("signature".to_owned(), Value::Object(signature));

    let mut staged = playbook.clone();
    staged["signatures"][index] = chain.clone();
    let covered = covered_document(&staged, index, depth + 1)
        .ok_or_else(|| SignError::Countersign("the signature chain is malformed".to_owned()))?;
    // `covered_document` drops the new signature's nested `signature`, which it has none of, and
    // its `value`, which it has not yet: it is exactly what the countersignature covers.
    let message = message_for(&covered, options.hash)?;
    let value = key.sign(options.algorithm, message.as_bytes())?;

    let new = chain_node(&mut chain, depth + 1)?;
    new.insert(
        "value".to_owned(),
        Value::String(URL_SAFE_NO_PAD.encode(value)),
    );
    playbook["signatures"][index] = chain;
    Ok(SignedSignature {
        id,
        pointer: pointer_of(index, depth + 1),
    })
}

fn chain_node(chain: &mut Value, depth: usize) -> Result<&mut Map<String, Value>, SignError> {
    let mut node = chain;
    for _ in 0..depth {
        node = node
            .get_mut("signature")
            .ok_or_else(|| SignError::Countersign("the signature chain is malformed".to_owned()))?;
    }
    node.as_object_mut()
        .ok_or_else(|| SignError::Countersign("the signature chain is malformed".to_owned()))
}

fn playbook_mut(document: &mut Value) -> Result<&mut Map<String, Value>, SignError> {
    let playbook = document
        .as_object_mut()
        .ok_or_else(|| SignError::Document("the document is not a JSON object".to_owned()))?;
    match playbook.get("signatures") {
        None | Some(Value::Array(_)) => Ok(playbook),
        Some(_) => Err(SignError::Document("signatures is not a list".to_owned())),
    }
}

/// The new signature object, without `value`, in the TC example's property order.
fn new_signature(
    playbook: &Map<String, Value>,
    key: &SigningKey,
    options: &SignOptions,
) -> Result<Map<String, Value>, SignError> {
    let text = |name: &str| {
        playbook
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| SignError::Document(format!("the playbook has no {name} string")))
    };
    let playbook_id = text("id")?;
    let playbook_modified = text("modified")?;
    key.public_key().kind().check_fits(options.algorithm)?;
    if let (Some(from), Some(until)) = (options.valid_from, options.valid_until)
        && until <= from
    {
        return Err(SignError::Document(format!(
            "valid_until {until} is not after valid_from {from}"
        )));
    }

    let now = options.now.unwrap_or_else(jiff::Timestamp::now);
    let timestamp = |time: jiff::Timestamp| Value::String(format!("{time:.3}"));
    let mut signature = Map::new();
    signature.insert("type".to_owned(), "jss".into());
    signature.insert(
        "id".to_owned(),
        format!("jss--{}", uuid::Uuid::new_v4()).into(),
    );
    if let Some(created_by) = &options.created_by {
        signature.insert("created_by".to_owned(), created_by.clone().into());
    }
    signature.insert("created".to_owned(), timestamp(now));
    signature.insert("modified".to_owned(), timestamp(now));
    signature.insert("signee".to_owned(), options.signee.clone().into());
    if let Some(valid_from) = options.valid_from {
        signature.insert("valid_from".to_owned(), timestamp(valid_from));
    }
    if let Some(valid_until) = options.valid_until {
        signature.insert("valid_until".to_owned(), timestamp(valid_until));
    }
    signature.insert("related_to".to_owned(), playbook_id.into());
    signature.insert("related_version".to_owned(), playbook_modified.into());
    signature.insert("hash_algorithm".to_owned(), options.hash.name().into());
    signature.insert("algorithm".to_owned(), options.algorithm.name().into());
    match &options.key_reference {
        KeyReference::PublicKey => {
            signature.insert(
                "public_key".to_owned(),
                key.public_key().to_base64_body().into(),
            );
        }
        KeyReference::CertificateChain(chain) => {
            let leaf = chain.first().ok_or_else(|| {
                SignError::Certificate("the certificate chain is empty".to_owned())
            })?;
            if leaf.public_key() != key.public_key() {
                return Err(SignError::Certificate(format!(
                    "the first certificate ({}) does not hold the signing key",
                    leaf.subject()
                )));
            }
            check_chain_links(chain, now).map_err(SignError::Certificate)?;
            signature.insert(
                "public_cert_chain".to_owned(),
                Value::Array(chain.iter().map(|c| c.to_base64().into()).collect()),
            );
        }
        KeyReference::Thumbprint(certificate) => {
            if certificate.public_key() != key.public_key() {
                return Err(SignError::Certificate(format!(
                    "the certificate ({}) does not hold the signing key",
                    certificate.subject()
                )));
            }
            signature.insert("thumbprint".to_owned(), certificate.thumbprint().into());
        }
    }
    Ok(signature)
}

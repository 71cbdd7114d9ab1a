//! PEM reading and writing (RFC 7468). Reading is `rustls-pki-types`' parser; this module turns
//! its errors into messages that name the source and never quote the encoded bytes, because the
//! text may be a private key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::pem::{self, PemObject, SectionKind};

use crate::error::SignError;

/// One PEM section of any kind the parser knows.
pub(crate) struct Section {
    pub(crate) kind: SectionKind,
    pub(crate) der: Vec<u8>,
}

impl PemObject for Section {
    fn from_pem(kind: SectionKind, der: Vec<u8>) -> Option<Self> {
        Some(Section { kind, der })
    }
}

/// Every section in `text`, or a clear error naming `source_name`.
pub(crate) fn sections(text: &[u8], source_name: &str) -> Result<Vec<Section>, SignError> {
    let mut found = Vec::new();
    for section in Section::pem_slice_iter(text) {
        found.push(section.map_err(|error| pem_error(error, source_name))?);
    }
    if found.is_empty() {
        let reason = if contains(text, b"ENCRYPTED PRIVATE KEY") {
            "encrypted private keys are not supported; store the key unencrypted with mode 0600"
                .to_owned()
        } else if contains(text, b"-----BEGIN ") {
            "no PEM section of a supported kind (PUBLIC KEY, CERTIFICATE, PRIVATE KEY, \
             RSA PRIVATE KEY, EC PRIVATE KEY)"
                .to_owned()
        } else {
            "no PEM section found (expected a -----BEGIN ...----- line)".to_owned()
        };
        return Err(SignError::Pem {
            source_name: source_name.to_owned(),
            reason,
        });
    }
    Ok(found)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn pem_error(error: pem::Error, source_name: &str) -> SignError {
    // The parser's own messages quote lines or base64 details; those could be key bytes.
    let reason = match error {
        pem::Error::MissingSectionEnd { .. } => "a section has no matching -----END ...----- line",
        pem::Error::IllegalSectionStart { .. } => "a -----BEGIN ...----- line is malformed",
        pem::Error::Base64Decode(_) => "the body of a section is not valid base64",
        pem::Error::SectionTooLarge => "a section is larger than 256 MB",
        _ => "the text cannot be read as PEM",
    };
    SignError::Pem {
        source_name: source_name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// PEM text for `der` under `label`, with 64-character lines and a final newline.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).unwrap_or_default());
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

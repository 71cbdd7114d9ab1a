//! X.509 certificates for `public_cert_chain` (x5c: base64 DER, signer first) and `thumbprint`
//! (x5t#S256: base64url SHA-256 of the DER), and chain verification with rustls-webpki on
//! aws-lc-rs.
//!
//! A chain is checked twice. First on its own: each certificate must be issued and signed by the
//! next one, so a chain that does not chain is an invalid signature whatever the trust store
//! says. Then against the trust store's certificate authorities, which decides whether the
//! signer is trusted. Both checks use the current time and accept a leaf whose extended key
//! usage, if present, includes code signing.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls_pki_types::pem::SectionKind;
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::SignError;
use crate::key::PublicKey;
use crate::pem;

/// `id-kp-codeSigning` (1.3.6.1.5.5.7.3.3), DER-encoded without tag and length.
const CODE_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03];

/// A parsed certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    public_key: PublicKey,
    subject: String,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "Certificate({:?}, {})",
            self.subject,
            self.thumbprint()
        )
    }
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate, SignError> {
        let (rest, certificate) = X509Certificate::from_der(der).map_err(|error| {
            SignError::Certificate(format!("not a DER X.509 certificate: {error}"))
        })?;
        if !rest.is_empty() {
            return Err(SignError::Certificate(format!(
                "{} unexpected bytes after the certificate",
                rest.len()
            )));
        }
        let public_key = PublicKey::from_spki_der(certificate.public_key().raw)?;
        Ok(Certificate {
            der: der.to_vec(),
            public_key,
            subject: certificate.subject().to_string(),
        })
    }

    /// Parses one `public_cert_chain` entry: standard base64 of the DER (as x5c).
    pub fn from_base64(text: &str) -> Result<Certificate, SignError> {
        let der = STANDARD.decode(text.as_bytes()).map_err(|error| {
            SignError::Certificate(format!("public_cert_chain entry is not base64: {error}"))
        })?;
        Certificate::from_der(&der)
    }

    /// Every `CERTIFICATE` section of PEM text, in order.
    pub fn all_from_pem(text: &[u8], source_name: &str) -> Result<Vec<Certificate>, SignError> {
        let certificates: Vec<Certificate> = pem::sections(text, source_name)?
            .into_iter()
            .filter(|section| section.kind == SectionKind::Certificate)
            .map(|section| Certificate::from_der(&section.der))
            .collect::<Result<_, _>>()?;
        if certificates.is_empty() {
            return Err(SignError::Pem {
                source_name: source_name.to_owned(),
                reason: "no -----BEGIN CERTIFICATE----- section".to_owned(),
            });
        }
        Ok(certificates)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The subject distinguished name, for messages.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The `public_cert_chain` form: standard base64 of the DER.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    /// The `thumbprint` form (x5t#S256): base64url, no padding, of the SHA-256 of the DER.
    pub fn thumbprint(&self) -> String {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.der);
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }
}

/// Checks that `chain` (signer first) chains: each certificate is issued and signed by the next,
/// and all are valid at `now`. A single certificate passes trivially.
pub(crate) fn check_chain_links(chain: &[Certificate], now: jiff::Timestamp) -> Result<(), String> {
    let Some((last, _)) = chain.split_last() else {
        return Err("public_cert_chain is empty".to_owned());
    };
    if chain.len() == 1 {
        return Ok(());
    }
    let intermediates = &chain[1..chain.len() - 1];
    verify_path(&chain[0], intermediates, std::slice::from_ref(last), now)
        .map_err(|reason| format!("the certificate chain does not chain: {reason}"))
}

/// Checks that the leaf of `chain` leads to one of `authorities`, using the rest of the chain as
/// intermediates.
pub(crate) fn chains_to(
    chain: &[Certificate],
    authorities: &[Certificate],
    now: jiff::Timestamp,
) -> Result<(), String> {
    let Some((leaf, rest)) = chain.split_first() else {
        return Err("public_cert_chain is empty".to_owned());
    };
    if authorities.is_empty() {
        return Err("no trusted certificate authority".to_owned());
    }
    verify_path(leaf, rest, authorities, now)
}

fn verify_path(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    now: jiff::Timestamp,
) -> Result<(), String> {
    let leaf_der = CertificateDer::from(leaf.der.as_slice());
    let leaf = webpki::EndEntityCert::try_from(&leaf_der).map_err(describe)?;
    let intermediate_ders: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|certificate| CertificateDer::from(certificate.der.as_slice()))
        .collect();
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|certificate| CertificateDer::from(certificate.der.as_slice()))
        .collect();
    let anchors = anchor_ders
        .iter()
        .map(webpki::anchor_from_trusted_cert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(describe)?;
    let seconds = u64::try_from(now.as_second()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(Duration::from_secs(seconds));
    leaf.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &intermediate_ders,
        time,
        webpki::KeyUsage::required_if_present(CODE_SIGNING),
        None,
        None,
    )
    .map(|_| ())
    .map_err(describe)
}

fn describe(error: webpki::Error) -> String {
    match error {
        webpki::Error::UnknownIssuer => {
            "no issuer found: a certificate is not issued by the next one or by a trusted authority"
                .to_owned()
        }
        webpki::Error::InvalidSignatureForPublicKey => {
            "a certificate's signature does not verify with its issuer's key".to_owned()
        }
        webpki::Error::CertExpired { .. } => "a certificate has expired".to_owned(),
        webpki::Error::CertNotValidYet { .. } => "a certificate is not valid yet".to_owned(),
        webpki::Error::CaUsedAsEndEntity => {
            "the signer's certificate is a certificate authority".to_owned()
        }
        webpki::Error::RequiredEkuNotFoundContext(_) => {
            "the signer's certificate does not allow code signing (extended key usage)".to_owned()
        }
        other => format!("{other:?}"),
    }
}

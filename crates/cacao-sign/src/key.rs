//! Public keys (SubjectPublicKeyInfo, as CACAO's `public_key` carries them) and private signing
//! keys (PKCS#8 PEM files), on aws-lc-rs.
//!
//! A [`SigningKey`] never shows its secret: its `Debug` prints only the key kind and the public
//! key's fingerprint, errors about private keys never quote their bytes, and key files are
//! created with mode 0600 from the start rather than tightened afterwards.

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls_pki_types::pem::SectionKind;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521,
    OID_PKCS1_RSAENCRYPTION, OID_PKCS1_RSASSAPSS, OID_SIG_ED448, OID_SIG_ED25519,
};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::algorithm::Algorithm;
use crate::error::SignError;
use crate::pem;

/// The smallest RSA modulus accepted for signing or verifying.
pub const MINIMUM_RSA_BITS: usize = 2048;

/// What kind of key a public key is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// An `rsaEncryption` key, usable for RS* and PS*.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// An `id-RSASSA-PSS` key, usable for PS* only.
    RsaPss {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// ECDSA on NIST P-521.
    P521,
    /// Ed25519.
    Ed25519,
    /// A key this crate recognises but cannot use, e.g. Ed448 or another curve.
    Unsupported(String),
}

impl fmt::Display for KeyKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(formatter, "RSA {bits}-bit"),
            KeyKind::RsaPss { bits } => write!(formatter, "RSA-PSS {bits}-bit"),
            KeyKind::P256 => formatter.write_str("P-256"),
            KeyKind::P384 => formatter.write_str("P-384"),
            KeyKind::P521 => formatter.write_str("P-521"),
            KeyKind::Ed25519 => formatter.write_str("Ed25519"),
            KeyKind::Unsupported(what) => write!(formatter, "unsupported {what}"),
        }
    }
}

impl KeyKind {
    /// Checks that `algorithm` can be used with a key of this kind.
    pub fn check_fits(&self, algorithm: Algorithm) -> Result<(), SignError> {
        let fits = match (algorithm, self) {
            (Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512, KeyKind::Rsa { bits }) => {
                *bits >= MINIMUM_RSA_BITS
            }
            (
                Algorithm::Ps256 | Algorithm::Ps384 | Algorithm::Ps512,
                KeyKind::Rsa { bits } | KeyKind::RsaPss { bits },
            ) => *bits >= MINIMUM_RSA_BITS,
            (Algorithm::Es256, KeyKind::P256)
            | (Algorithm::Es384, KeyKind::P384)
            | (Algorithm::Es512, KeyKind::P521)
            | (Algorithm::Ed25519, KeyKind::Ed25519) => true,
            _ => false,
        };
        if fits {
            return Ok(());
        }
        let key = match self {
            KeyKind::Rsa { bits } | KeyKind::RsaPss { bits }
                if algorithm.is_rsa() && *bits < MINIMUM_RSA_BITS =>
            {
                format!("{self} (below the {MINIMUM_RSA_BITS}-bit minimum)")
            }
            _ => self.to_string(),
        };
        Err(SignError::AlgorithmKeyMismatch {
            algorithm: algorithm.name().to_owned(),
            key,
        })
    }

    /// The algorithm a freshly generated key of this kind signs with by default.
    fn default_algorithm(&self) -> Option<Algorithm> {
        match self {
            KeyKind::Rsa { .. } => Some(Algorithm::Rs256),
            KeyKind::RsaPss { .. } => Some(Algorithm::Ps256),
            KeyKind::P256 => Some(Algorithm::Es256),
            KeyKind::P384 => Some(Algorithm::Es384),
            KeyKind::P521 => Some(Algorithm::Es512),
            KeyKind::Ed25519 => Some(Algorithm::Ed25519),
            KeyKind::Unsupported(_) => None,
        }
    }
}

/// A public key as a DER SubjectPublicKeyInfo, with its kind.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    /// The contents of the `subjectPublicKey` bit string: PKCS#1 for RSA, the point for ECDSA,
    /// 32 bytes for Ed25519. aws-lc-rs verifies against these.
    raw: Vec<u8>,
    kind: KeyKind,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "PublicKey({}, {})",
            self.kind,
            self.fingerprint()
        )
    }
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, SignError> {
        let (rest, spki) = SubjectPublicKeyInfo::from_der(der).map_err(|error| {
            SignError::PublicKey(format!("not a DER SubjectPublicKeyInfo: {error}"))
        })?;
        if !rest.is_empty() {
            return Err(SignError::PublicKey(format!(
                "{} unexpected bytes after the SubjectPublicKeyInfo",
                rest.len()
            )));
        }
        let kind = key_kind(&spki)?;
        Ok(PublicKey {
            spki_der: der.to_vec(),
            raw: spki.subject_public_key.data.to_vec(),
            kind,
        })
    }

    /// Parses CACAO's `public_key` property: the base64 body of a PEM `PUBLIC KEY`, without
    /// header or footer. Line breaks and spaces inside the body are tolerated.
    pub fn from_base64_body(body: &str) -> Result<PublicKey, SignError> {
        let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if compact.starts_with("-----BEGIN") {
            return Err(SignError::PublicKey(
                "public_key must be the base64 body of the PEM, without the -----BEGIN----- line"
                    .to_owned(),
            ));
        }
        let der = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        )
        .decode(compact.as_bytes())
        .map_err(|error| SignError::PublicKey(format!("public_key is not base64: {error}")))?;
        PublicKey::from_spki_der(&der)
    }

    /// Parses the first `PUBLIC KEY` section of PEM text.
    pub fn from_pem(text: &[u8], source_name: &str) -> Result<PublicKey, SignError> {
        let sections = pem::sections(text, source_name)?;
        let section = sections
            .iter()
            .find(|section| section.kind == SectionKind::PublicKey)
            .ok_or_else(|| SignError::Pem {
                source_name: source_name.to_owned(),
                reason: "no -----BEGIN PUBLIC KEY----- section".to_owned(),
            })?;
        PublicKey::from_spki_der(&section.der)
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key kind.
    pub fn kind(&self) -> &KeyKind {
        &self.kind
    }

    /// The value for CACAO's `public_key` property: base64 of the DER, one line.
    pub fn to_base64_body(&self) -> String {
        STANDARD.encode(&self.spki_der)
    }

    /// PEM `PUBLIC KEY` text.
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki_der)
    }

    /// `sha-256:` and the base64url SHA-256 of the DER SubjectPublicKeyInfo, to name the key.
    pub fn fingerprint(&self) -> String {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.spki_der);
        format!("sha-256:{}", URL_SAFE_NO_PAD.encode(digest.as_ref()))
    }

    /// Whether `signature` is a valid `algorithm` signature of `message` by this key. An error
    /// means the algorithm does not fit the key; `Ok(false)` means the signature is wrong.
    pub fn verify(
        &self,
        algorithm: Algorithm,
        message: &[u8],
        signature_value: &[u8],
    ) -> Result<bool, SignError> {
        self.kind.check_fits(algorithm)?;
        let verification: &'static dyn signature::VerificationAlgorithm = match algorithm {
            Algorithm::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
            Algorithm::Ps384 => &signature::RSA_PSS_2048_8192_SHA384,
            Algorithm::Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
            Algorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            Algorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::Es512 => &signature::ECDSA_P521_SHA512_FIXED,
            Algorithm::Ed25519 => &signature::ED25519,
        };
        Ok(UnparsedPublicKey::new(verification, &self.raw)
            .verify(message, signature_value)
            .is_ok())
    }
}

fn key_kind(spki: &SubjectPublicKeyInfo<'_>) -> Result<KeyKind, SignError> {
    let oid = &spki.algorithm.algorithm;
    let rsa_bits = || match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Ok(rsa.key_size()),
        _ => Err(SignError::PublicKey("malformed RSA public key".to_owned())),
    };
    if *oid == OID_PKCS1_RSAENCRYPTION {
        return Ok(KeyKind::Rsa { bits: rsa_bits()? });
    }
    if *oid == OID_PKCS1_RSASSAPSS {
        let bits =
            match x509_parser::public_key::RSAPublicKey::from_der(&spki.subject_public_key.data) {
                Ok((_, rsa)) => rsa.key_size(),
                Err(_) => {
                    return Err(SignError::PublicKey(
                        "malformed RSA-PSS public key".to_owned(),
                    ));
                }
            };
        return Ok(KeyKind::RsaPss { bits });
    }
    if *oid == OID_SIG_ED25519 {
        if spki.subject_public_key.data.len() != 32 {
            return Err(SignError::PublicKey(
                "an Ed25519 key must be 32 bytes".to_owned(),
            ));
        }
        return Ok(KeyKind::Ed25519);
    }
    if *oid == OID_SIG_ED448 {
        return Ok(KeyKind::Unsupported("Ed448 key".to_owned()));
    }
    if *oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|parameters| parameters.as_oid().ok());
        return Ok(match curve {
            Some(curve) if curve == OID_EC_P256 => KeyKind::P256,
            Some(curve) if curve == OID_NIST_EC_P384 => KeyKind::P384,
            Some(curve) if curve == OID_NIST_EC_P521 => KeyKind::P521,
            Some(curve) => KeyKind::Unsupported(format!("elliptic curve {curve}")),
            None => KeyKind::Unsupported("elliptic curve without a named curve".to_owned()),
        });
    }
    Ok(KeyKind::Unsupported(format!("key algorithm {oid}")))
}

enum Secret {
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key that signs. Its secret is held by aws-lc-rs and never printed.
pub struct SigningKey {
    secret: Secret,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "SigningKey({}, public {})",
            self.public.kind,
            self.public.fingerprint()
        )
    }
}

/// The default RSA modulus for generated keys.
pub const DEFAULT_RSA_BITS: usize = 3072;

impl SigningKey {
    /// Generates a key for `algorithm` (RSA keys are [`DEFAULT_RSA_BITS`] bits).
    pub fn generate(algorithm: Algorithm) -> Result<SigningKey, SignError> {
        SigningKey::generate_with_rsa_bits(algorithm, DEFAULT_RSA_BITS)
    }

    /// Generates a key for `algorithm`, with an RSA modulus of `rsa_bits` (2048, 3072, 4096 or
    /// 8192) when the algorithm is RS* or PS*.
    pub fn generate_with_rsa_bits(
        algorithm: Algorithm,
        rsa_bits: usize,
    ) -> Result<SigningKey, SignError> {
        let secret = match algorithm {
            _ if algorithm.is_rsa() => {
                let size = match rsa_bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    8192 => KeySize::Rsa8192,
                    other => {
                        return Err(SignError::PrivateKey(format!(
                            "RSA keys of {other} bits cannot be generated (use 2048, 3072, 4096 \
                             or 8192)"
                        )));
                    }
                };
                Secret::Rsa(
                    aws_lc_rs::rsa::KeyPair::generate(size)
                        .map_err(|_| SignError::Crypto("RSA key generation failed"))?,
                )
            }
            Algorithm::Ed25519 => Secret::Ed25519(
                Ed25519KeyPair::generate()
                    .map_err(|_| SignError::Crypto("Ed25519 key generation failed"))?,
            ),
            _ => Secret::Ecdsa(
                EcdsaKeyPair::generate(ecdsa_signing(algorithm))
                    .map_err(|_| SignError::Crypto("ECDSA key generation failed"))?,
            ),
        };
        SigningKey::from_secret(secret)
    }

    /// Reads a private key from PEM text: PKCS#8 `PRIVATE KEY` (RSA, P-256, P-384, P-521,
    /// Ed25519), PKCS#1 `RSA PRIVATE KEY` or SEC 1 `EC PRIVATE KEY`.
    pub fn from_pem(text: &[u8], source_name: &str) -> Result<SigningKey, SignError> {
        let sections = pem::sections(text, source_name)?;
        let section = sections
            .iter()
            .find(|section| {
                matches!(
                    section.kind,
                    SectionKind::PrivateKey
                        | SectionKind::RsaPrivateKey
                        | SectionKind::EcPrivateKey
                )
            })
            .ok_or_else(|| SignError::Pem {
                source_name: source_name.to_owned(),
                reason: "no private key section (expected -----BEGIN PRIVATE KEY-----)".to_owned(),
            })?;
        let secret = match section.kind {
            SectionKind::RsaPrivateKey => Secret::Rsa(
                aws_lc_rs::rsa::KeyPair::from_der(&section.der).map_err(|error| {
                    SignError::PrivateKey(format!("bad RSA private key: {error}"))
                })?,
            ),
            SectionKind::EcPrivateKey => Secret::Ecdsa(ecdsa_from_der(&section.der)?),
            _ => pkcs8_secret(&section.der)?,
        };
        SigningKey::from_secret(secret)
    }

    /// Reads a private key file (see [`SigningKey::from_pem`]).
    pub fn from_pem_file(path: &Path) -> Result<SigningKey, SignError> {
        let text = std::fs::read(path).map_err(|reason| SignError::Io {
            action: "cannot read key file",
            path: path.to_owned(),
            reason,
        })?;
        SigningKey::from_pem(&text, &path.display().to_string())
    }

    fn from_secret(secret: Secret) -> Result<SigningKey, SignError> {
        let spki = match &secret {
            Secret::Rsa(pair) => spki_der(pair.public_key())?,
            Secret::Ecdsa(pair) => spki_der(pair.public_key())?,
            Secret::Ed25519(pair) => spki_der(pair.public_key())?,
        };
        let public = PublicKey::from_spki_der(&spki)?;
        Ok(SigningKey { secret, public })
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The algorithm this key signs with when none is chosen: RS256 for RSA, the curve's ES*
    /// for ECDSA, Ed25519.
    pub fn default_algorithm(&self) -> Option<Algorithm> {
        self.public.kind.default_algorithm()
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Write it only to a file
    /// made by [`write_private_key_file`]; never print or log it.
    pub fn to_pkcs8_pem(&self) -> Result<String, SignError> {
        let failed = |_| SignError::Crypto("cannot encode the private key as PKCS#8");
        let der: Vec<u8> = match &self.secret {
            Secret::Rsa(pair) => AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(pair)
                .map_err(failed)?
                .as_ref()
                .to_vec(),
            Secret::Ecdsa(pair) => pair.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
            Secret::Ed25519(pair) => pair.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
        };
        Ok(pem::encode("PRIVATE KEY", &der))
    }

    /// Signs `message` with `algorithm`, which must fit the key.
    pub fn sign(&self, algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.public.kind.check_fits(algorithm)?;
        let random = SystemRandom::new();
        match &self.secret {
            Secret::Rsa(pair) => {
                let padding: &'static dyn signature::RsaEncoding = match algorithm {
                    Algorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
                    Algorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
                    Algorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
                    Algorithm::Ps256 => &signature::RSA_PSS_SHA256,
                    Algorithm::Ps384 => &signature::RSA_PSS_SHA384,
                    _ => &signature::RSA_PSS_SHA512,
                };
                let mut value = vec![0; pair.public_modulus_len()];
                pair.sign(padding, &random, message, &mut value)
                    .map_err(|_| SignError::Crypto("RSA signing failed"))?;
                Ok(value)
            }
            Secret::Ecdsa(pair) => Ok(pair
                .sign(&random, message)
                .map_err(|_| SignError::Crypto("ECDSA signing failed"))?
                .as_ref()
                .to_vec()),
            Secret::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

fn spki_der<K: AsDer<aws_lc_rs::encoding::PublicKeyX509Der<'static>>>(
    key: &K,
) -> Result<Vec<u8>, SignError> {
    Ok(key
        .as_der()
        .map_err(|_| SignError::Crypto("cannot encode the public key"))?
        .as_ref()
        .to_vec())
}

fn ecdsa_signing(algorithm: Algorithm) -> &'static signature::EcdsaSigningAlgorithm {
    match algorithm {
        Algorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        Algorithm::Es512 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        _ => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
    }
}

fn ecdsa_from_der(der: &[u8]) -> Result<EcdsaKeyPair, SignError> {
    [Algorithm::Es256, Algorithm::Es384, Algorithm::Es512]
        .into_iter()
        .find_map(|algorithm| {
            EcdsaKeyPair::from_private_key_der(ecdsa_signing(algorithm), der).ok()
        })
        .ok_or_else(|| {
            SignError::PrivateKey("not an ECDSA key on P-256, P-384 or P-521".to_owned())
        })
}

fn pkcs8_secret(der: &[u8]) -> Result<Secret, SignError> {
    if let Ok(pair) = aws_lc_rs::rsa::KeyPair::from_pkcs8(der) {
        return Ok(Secret::Rsa(pair));
    }
    if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        return Ok(Secret::Ed25519(pair));
    }
    ecdsa_from_der(der).map(Secret::Ecdsa).map_err(|_| {
        SignError::PrivateKey(
            "the PKCS#8 key is not an RSA (2048 to 8192 bits), P-256, P-384, P-521 or Ed25519 key"
                .to_owned(),
        )
    })
}

/// Writes `key` as PKCS#8 PEM to a new file created with mode 0600 (owner read and write only).
/// An existing file is never overwritten: losing a private key is not recoverable.
pub fn write_private_key_file(path: &Path, key: &SigningKey) -> Result<(), SignError> {
    let pem_text = key.to_pkcs8_pem()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let io_error = |action, reason| SignError::Io {
        action,
        path: path.to_owned(),
        reason,
    };
    let mut file = options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            io_error("refusing to overwrite existing key file", source)
        } else {
            io_error("cannot create key file", source)
        }
    })?;
    file.write_all(pem_text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| io_error("cannot write key file", source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_generates_a_key_that_signs_and_verifies() {
        for algorithm in Algorithm::ALL {
            let key = SigningKey::generate_with_rsa_bits(algorithm, 2048).unwrap();
            let value = key.sign(algorithm, b"message").unwrap();
            assert!(
                key.public_key()
                    .verify(algorithm, b"message", &value)
                    .unwrap()
            );
            assert!(
                !key.public_key()
                    .verify(algorithm, b"massage", &value)
                    .unwrap()
            );
            if let Some(width) = algorithm.ecdsa_coordinate_len() {
                assert_eq!(value.len(), 2 * width, "{algorithm} is R||S");
            }

            // The PEM round trip keeps the key usable and the same.
            let pem_text = key.to_pkcs8_pem().unwrap();
            let again = SigningKey::from_pem(pem_text.as_bytes(), "test").unwrap();
            assert_eq!(again.public_key(), key.public_key());
            let public = PublicKey::from_pem(key.public_key().to_pem().as_bytes(), "test").unwrap();
            assert_eq!(&public, key.public_key());
            let body = PublicKey::from_base64_body(&key.public_key().to_base64_body()).unwrap();
            assert_eq!(&body, key.public_key());
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = SigningKey::generate(Algorithm::Ed25519).unwrap();
        let pem_text = key.to_pkcs8_pem().unwrap();
        let body: String = pem_text
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let debug = format!("{key:?}");
        assert!(debug.starts_with("SigningKey(Ed25519"), "{debug}");
        assert!(!debug.contains(&body[..20]));
    }

    #[test]
    fn algorithm_must_fit_the_key() {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let error = key.sign(Algorithm::Es384, b"m").unwrap_err().to_string();
        assert_eq!(error, "algorithm ES384 does not fit a P-256 key");
        let error = key.sign(Algorithm::Rs256, b"m").unwrap_err().to_string();
        assert_eq!(error, "algorithm RS256 does not fit a P-256 key");
    }

    #[test]
    fn malformed_pem_is_a_clear_error() {
        let cases: &[(&[u8], &str)] = &[
            (b"not pem at all", "no PEM section found"),
            (b"-----BEGIN PRIVATE KEY-----\nMIIB\n", "no matching -----END"),
            (b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "not valid base64"),
            (b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted private keys are not supported"),
            (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "the PKCS#8 key is not"),
        ];
        for (text, expected) in cases {
            let error = SigningKey::from_pem(text, "key.pem")
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
        let error = PublicKey::from_pem(
            b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "k.pem",
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("not a DER SubjectPublicKeyInfo"), "{error}");
        let error = PublicKey::from_base64_body("not*base64")
            .unwrap_err()
            .to_string();
        assert!(error.contains("public_key is not base64"), "{error}");
    }

    #[test]
    fn key_files_are_created_with_mode_0600_and_never_overwritten() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("key.pem");
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        write_private_key_file(&path, &key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let before = std::fs::read(&path).unwrap();
        let error = write_private_key_file(&path, &key).unwrap_err().to_string();
        assert!(error.contains("refusing to overwrite"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(
            SigningKey::from_pem_file(&path).unwrap().public_key(),
            key.public_key()
        );
    }
}

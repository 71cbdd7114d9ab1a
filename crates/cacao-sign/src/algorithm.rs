//! The signature and hash algorithms this crate implements, by their CACAO names, and the names of
//! the vocabulary it knows but does not implement (so that those get "not supported" rather than
//! "unknown").

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::digest;

use crate::error::SignError;

/// A supported `algorithm` value. The encodings follow JWA (RFC 7518) and RFC 8037 for the same
/// names: PKCS#1 v1.5 and PSS (salt as long as the hash) for RSA, the fixed-width `R || S` form
/// for ECDSA, pure Ed25519.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt.
    Ps256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.
    Ps384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// ECDSA on P-521 with SHA-512.
    Es512,
    /// Ed25519 (pure).
    Ed25519,
}

/// Names in CACAO's `signature-algorithm-type-ov` (and the JWA HMAC names the spec warns against)
/// that are recognised but not implemented; docs/signatures.md says why for each.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "Ed448",
    "XMSS-SHA2_10_256",
    "XMSS-SHA2_16_256",
    "XMSS-SHA2_20_256",
    "LMS_SHA256_M32_H5",
    "LMS_SHA256_M32_H10",
    "LMS_SHA256_M32_H15",
    "LMS_SHA256_M32_H20",
    "LMS_SHA256_M32_H25",
    "HS256",
    "HS384",
    "HS512",
];

impl Algorithm {
    /// Every supported algorithm, in the order the docs list them.
    pub const ALL: [Algorithm; 10] = [
        Algorithm::Rs256,
        Algorithm::Rs384,
        Algorithm::Rs512,
        Algorithm::Ps256,
        Algorithm::Ps384,
        Algorithm::Ps512,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::Es512,
        Algorithm::Ed25519,
    ];

    /// The CACAO name, e.g. `ES256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Rs384 => "RS384",
            Algorithm::Rs512 => "RS512",
            Algorithm::Ps256 => "PS256",
            Algorithm::Ps384 => "PS384",
            Algorithm::Ps512 => "PS512",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Es512 => "ES512",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// The supported names, comma separated, for error and help texts.
    pub fn supported_names() -> String {
        Algorithm::ALL.map(Algorithm::name).join(", ")
    }

    /// Parses a CACAO name (case-sensitive, as the vocabulary is), telling an unsupported
    /// member of the vocabulary apart from a name that is not in it.
    pub fn parse(name: &str) -> Result<Algorithm, SignError> {
        if let Some(algorithm) = Algorithm::ALL.into_iter().find(|a| a.name() == name) {
            return Ok(algorithm);
        }
        if KNOWN_UNSUPPORTED.contains(&name) {
            return Err(SignError::UnsupportedAlgorithm(name.to_owned()));
        }
        Err(SignError::UnknownAlgorithm(name.to_owned()))
    }

    /// Whether the algorithm uses an RSA key.
    pub fn is_rsa(self) -> bool {
        matches!(
            self,
            Algorithm::Rs256
                | Algorithm::Rs384
                | Algorithm::Rs512
                | Algorithm::Ps256
                | Algorithm::Ps384
                | Algorithm::Ps512
        )
    }

    /// For ECDSA, the width in bytes of each of `R` and `S` in the fixed-width value.
    pub(crate) fn ecdsa_coordinate_len(self) -> Option<usize> {
        match self {
            Algorithm::Es256 => Some(32),
            Algorithm::Es384 => Some(48),
            Algorithm::Es512 => Some(66),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = SignError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Algorithm::parse(name)
    }
}

/// A supported `hash_algorithm` value (IANA hash names, case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HashAlgorithm {
    /// `sha-256`.
    #[default]
    Sha256,
    /// `sha-512`.
    Sha512,
}

impl HashAlgorithm {
    /// Both supported hashes.
    pub const ALL: [HashAlgorithm; 2] = [HashAlgorithm::Sha256, HashAlgorithm::Sha512];

    /// The CACAO name, `sha-256` or `sha-512`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha512 => "sha-512",
        }
    }

    /// Parses `sha-256` or `sha-512`.
    pub fn parse(name: &str) -> Result<HashAlgorithm, SignError> {
        HashAlgorithm::ALL
            .into_iter()
            .find(|hash| hash.name() == name)
            .ok_or_else(|| SignError::UnsupportedHash(name.to_owned()))
    }

    /// The lowercase hexadecimal digest of `bytes`: the message that CACAO signs.
    pub fn hex_digest(self, bytes: &[u8]) -> String {
        let algorithm = match self {
            HashAlgorithm::Sha256 => &digest::SHA256,
            HashAlgorithm::Sha512 => &digest::SHA512,
        };
        let digest = digest::digest(algorithm, bytes);
        let mut hex = String::with_capacity(digest.as_ref().len() * 2);
        for byte in digest.as_ref() {
            hex.push_str(&format!("{byte:02x}"));
        }
        hex
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for HashAlgorithm {
    type Err = SignError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        HashAlgorithm::parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unsupported_is_told_apart_from_unknown() {
        for algorithm in Algorithm::ALL {
            assert_eq!(Algorithm::parse(algorithm.name()).unwrap(), algorithm);
        }
        assert!(matches!(
            Algorithm::parse("Ed448"),
            Err(SignError::UnsupportedAlgorithm(_))
        ));
        assert!(matches!(
            Algorithm::parse("es256"),
            Err(SignError::UnknownAlgorithm(_))
        ));
        let message = Algorithm::parse("XYZ").unwrap_err().to_string();
        assert!(
            message.contains("\"XYZ\"") && message.contains("ES256"),
            "{message}"
        );
    }

    #[test]
    fn hex_digest_is_lowercase_hex_of_the_right_length() {
        assert_eq!(
            HashAlgorithm::Sha256.hex_digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(HashAlgorithm::Sha512.hex_digest(b"abc").len(), 128);
        assert!(matches!(
            HashAlgorithm::parse("SHA-256"),
            Err(SignError::UnsupportedHash(_))
        ));
    }
}

//! Data types shared by several CACAO objects: identifiers, timestamps, external references,
//! contacts, civic locations and the playbook processing summary (CACAO 2.0 section 10).

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cacao_object;

/// A CACAO timestamp kept exactly as written.
///
/// CACAO requires RFC 3339 in UTC with a `Z`, and exactly three fractional digits on `created` and
/// `modified`. Parsing into a date type would lose the author's precision, so the text is stored
/// and parsed on demand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The timestamp of `instant` with millisecond precision, as CACAO wants for `created` and
    /// `modified`.
    pub fn from_instant(instant: jiff::Timestamp) -> Self {
        Self(format!("{instant:.3}"))
    }

    /// Now, with millisecond precision.
    pub fn now() -> Self {
        Self::from_instant(jiff::Timestamp::now())
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant this timestamp names, if it is a CACAO timestamp (RFC 3339, UTC, `Z`).
    pub fn instant(&self) -> Result<jiff::Timestamp, TimestampError> {
        if !self.0.ends_with('Z') {
            return Err(TimestampError {
                text: self.0.clone(),
            });
        }
        self.0.parse().map_err(|_| TimestampError {
            text: self.0.clone(),
        })
    }

    /// The number of digits after the decimal point (0 when there is none).
    pub fn fractional_digits(&self) -> usize {
        match self.0.split_once('.') {
            Some((_, rest)) => rest.bytes().take_while(u8::is_ascii_digit).count(),
            None => 0,
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Timestamp {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// A timestamp that is not RFC 3339 in UTC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an RFC 3339 timestamp in UTC ending in `Z`")]
pub struct TimestampError {
    /// The offending text.
    pub text: String,
}

/// A CACAO identifier split into its parts: `object-type--UUID`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identifier<'a> {
    /// The object type before `--`.
    pub object_type: &'a str,
    /// The UUID after `--`.
    pub uuid: Uuid,
}

impl<'a> Identifier<'a> {
    /// Splits and checks an identifier: a lowercase type of at least three characters made of
    /// `a-z`, `0-9` and `-`, then `--`, then an RFC 4122 UUID (version 1 to 5) in its hyphenated
    /// form.
    pub fn parse(text: &'a str) -> Result<Self, IdentifierError> {
        let error = || IdentifierError {
            text: text.to_owned(),
        };
        let (object_type, uuid_text) = text.split_once("--").ok_or_else(error)?;

        let bytes = object_type.as_bytes();
        let type_ok = bytes.len() >= 3
            && bytes[0].is_ascii_lowercase()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes[bytes.len() - 1] != b'-';
        if !type_ok || uuid_text.len() != 36 {
            return Err(error());
        }

        let uuid = Uuid::try_parse(uuid_text).map_err(|_| error())?;
        let hyphenated = uuid_text.as_bytes();
        let hyphens_ok = [8, 13, 18, 23].iter().all(|&i| hyphenated[i] == b'-');
        let version_ok = matches!(uuid.get_version_num(), 1..=5);
        let variant_ok = matches!(hyphenated[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B');
        if !hyphens_ok || !version_ok || !variant_ok {
            return Err(error());
        }

        Ok(Self { object_type, uuid })
    }

    /// A fresh identifier with a version 4 UUID.
    pub fn new_v4(object_type: &str) -> String {
        format!("{object_type}--{}", Uuid::new_v4())
    }
}

/// Text that is not a CACAO identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an identifier of the form `object-type--UUID`")]
pub struct IdentifierError {
    /// The offending text.
    pub text: String,
}

cacao_object! {
    /// An external reference (CACAO 2.0 section 10.9): a pointer to information outside the
    /// playbook. `name` plus at least one other property.
    pub struct ExternalReference {
        /// The name of the source.
        "name" => name: required<String>,
        /// What the reference is about.
        "description" => description: optional<String>,
        /// The source, e.g. a company or standard.
        "source" => source: optional<String>,
        /// A URL.
        "url" => url: optional<String>,
        /// An identifier in the external system.
        "external_id" => external_id: optional<String>,
        /// A STIX or CACAO identifier.
        "reference_id" => reference_id: optional<String>,
    }
}

cacao_object! {
    /// Contact information (CACAO 2.0 section 10.5).
    pub struct Contact {
        /// Labelled e-mail addresses.
        "email" => email: optional<IndexMap<String, String>>,
        /// Labelled phone numbers.
        "phone" => phone: optional<IndexMap<String, String>>,
        /// Free-text contact details.
        "contact_details" => contact_details: optional<String>,
    }
}

cacao_object! {
    /// A civic location (CACAO 2.0 section 10.4).
    pub struct CivicLocation {
        /// A name for the location.
        "name" => name: optional<String>,
        /// A description.
        "description" => description: optional<String>,
        /// Building details (floor, room, ...).
        "building_details" => building_details: optional<String>,
        /// Network details (subnet, VLAN, ...).
        "network_details" => network_details: optional<String>,
        /// `region-enum`.
        "region" => region: optional<String>,
        /// ISO 3166-1 alpha-2 country code.
        "country" => country: optional<String>,
        /// ISO 3166-2 subdivision.
        "administrative_area" => administrative_area: optional<String>,
        /// City.
        "city" => city: optional<String>,
        /// Street address.
        "street_address" => street_address: optional<String>,
        /// Postal code.
        "postal_code" => postal_code: optional<String>,
        /// Latitude in decimal degrees, as a string.
        "latitude" => latitude: optional<String>,
        /// Longitude in decimal degrees, as a string.
        "longitude" => longitude: optional<String>,
        /// Precision of the coordinates in metres, as a string.
        "precision" => precision: optional<String>,
    }
}

cacao_object! {
    /// Hints about what a playbook contains, for triage without a full parse
    /// (CACAO 2.0 section 10.14).
    pub struct PlaybookProcessingSummary {
        /// The playbook has manual steps.
        "manual_playbook" => manual_playbook: optional<bool>,
        /// The playbook calls other playbooks.
        "external_playbooks" => external_playbooks: optional<bool>,
        /// The playbook has parallel steps.
        "parallel_processing" => parallel_processing: optional<bool>,
        /// The playbook has if-condition steps.
        "if_logic" => if_logic: optional<bool>,
        /// The playbook has while-condition steps.
        "while_logic" => while_logic: optional<bool>,
        /// The playbook has switch-condition steps.
        "switch_logic" => switch_logic: optional<bool>,
        /// The playbook uses delays or timeouts.
        "temporal_logic" => temporal_logic: optional<bool>,
        /// The playbook has data markings.
        "data_markings" => data_markings: optional<bool>,
        /// The playbook is signed.
        "digital_signatures" => digital_signatures: optional<bool>,
        /// The playbook has countersignatures.
        "countersigned_signatures" => countersigned_signatures: optional<bool>,
        /// The playbook uses extensions.
        "extensions" => extensions: optional<bool>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_into_type_and_uuid() {
        let id = Identifier::parse("action--5ee8003f-20c2-4ad0-9c2c-464625716b52").unwrap();
        assert_eq!(id.object_type, "action");
        assert_eq!(id.uuid.get_version_num(), 4);
    }

    #[test]
    fn malformed_identifiers_are_rejected() {
        for text in [
            "action-5ee8003f-20c2-4ad0-9c2c-464625716b52",
            "Action--5ee8003f-20c2-4ad0-9c2c-464625716b52",
            "action--5ee8003f20c24ad09c2c464625716b52",
            "action--5ee8003f-20c2-6ad0-9c2c-464625716b52",
            "action--5ee8003f-20c2-4ad0-7c2c-464625716b52",
            "ac--5ee8003f-20c2-4ad0-9c2c-464625716b52",
            "",
        ] {
            assert!(Identifier::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn timestamps_keep_their_text_and_count_fraction_digits() {
        let ts = Timestamp::from("2025-06-01T12:00:00.000Z");
        assert_eq!(ts.fractional_digits(), 3);
        assert!(ts.instant().is_ok());
        assert_eq!(
            Timestamp::from("2025-06-01T12:00:00Z").fractional_digits(),
            0
        );
        assert!(
            Timestamp::from("2025-06-01T12:00:00+01:00")
                .instant()
                .is_err()
        );
        assert_eq!(Timestamp::now().fractional_digits(), 3);
    }
}

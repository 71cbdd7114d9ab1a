//! Data markings (CACAO 2.0 section 9): statement, TLP and IEP markings, and the official TLP
//! objects the specification fixes.

use indexmap::IndexMap;
use serde_json::Value;

use crate::cacao_object;
use crate::common::Timestamp;

cacao_object! {
    /// A data marking of any type. Markings are never versioned, so there is no `modified`.
    pub struct DataMarking {
        /// `marking-statement`, `marking-tlp` or `marking-iep`.
        "type" => marking_type: required<String>,
        /// The marking's id, repeated from its key in `data_marking_definitions`.
        "id" => id: required<String>,
        /// A name.
        "name" => name: optional<String>,
        /// A description.
        "description" => description: optional<String>,
        /// The STIX identity that created the marking.
        "created_by" => created_by: required<String>,
        /// When it was created.
        "created" => created: required<Timestamp>,
        /// Whether it is revoked.
        "revoked" => revoked: optional<bool>,
        /// Start of validity.
        "valid_from" => valid_from: optional<Timestamp>,
        /// End of validity.
        "valid_until" => valid_until: optional<Timestamp>,
        /// Free tags.
        "labels" => labels: optional<Vec<String>>,
        /// External references; a list of strings for IEP markings, of objects otherwise.
        "external_references" => external_references: optional<Vec<Value>>,
        /// Extension objects keyed by extension-definition id.
        "marking_extensions" => marking_extensions: optional<IndexMap<String, Value>>,
        /// The statement (marking-statement).
        "statement" => statement: optional<String>,
        /// The TLP 2.0 level (marking-tlp).
        "tlpv2_level" => tlpv2_level: optional<String>,
        /// The TLP 1.0 level (marking-iep).
        "tlp" => tlp: optional<String>,
        /// The IEP version (marking-iep).
        "iep_version" => iep_version: optional<Value>,
        /// Start date (marking-iep).
        "start_date" => start_date: optional<Value>,
        /// End date (marking-iep).
        "end_date" => end_date: optional<Value>,
        /// Encryption in transit policy (marking-iep).
        "encrypt_in_transit" => encrypt_in_transit: optional<String>,
        /// Permitted actions (marking-iep).
        "permitted_actions" => permitted_actions: optional<String>,
        /// Affected party notifications (marking-iep).
        "affected_party_notifications" => affected_party_notifications: optional<String>,
        /// Attribution (marking-iep).
        "attribution" => attribution: optional<String>,
        /// Unmodified resale (marking-iep).
        "unmodified_resale" => unmodified_resale: optional<String>,
    }
}

/// The identity that created the official TLP marking objects.
pub const TLP_CREATED_BY: &str = "identity--5abe695c-7bd5-4c31-8824-2528696cdbf1";

/// When the official TLP marking objects were created.
pub const TLP_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// The official TLP 2.0 marking objects: (id, `tlpv2_level`, name).
pub const OFFICIAL_TLP: [(&str, &str, &str); 5] = [
    (
        "marking-tlp--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "TLP:CLEAR",
        "TLP:CLEAR",
    ),
    (
        "marking-tlp--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "TLP:GREEN",
        "TLP:GREEN",
    ),
    (
        "marking-tlp--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "TLP:AMBER",
        "TLP:AMBER",
    ),
    (
        "marking-tlp--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "TLP:AMBER+STRICT",
        "TLP:AMBER+STRICT",
    ),
    (
        "marking-tlp--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "TLP:RED",
        "TLP:RED",
    ),
];

/// The TLP 2.0 levels `tlpv2_level` may take.
pub const TLP_LEVELS: [&str; 5] = [
    "TLP:RED",
    "TLP:AMBER",
    "TLP:AMBER+STRICT",
    "TLP:GREEN",
    "TLP:CLEAR",
];

impl DataMarking {
    /// The official TLP marking object for `level` (for example `TLP:AMBER`).
    pub fn official_tlp(level: &str) -> Option<DataMarking> {
        let (id, level, name) = OFFICIAL_TLP.iter().find(|(_, l, _)| *l == level)?;
        Some(DataMarking {
            marking_type: "marking-tlp".into(),
            id: (*id).into(),
            name: Some((*name).into()),
            created_by: TLP_CREATED_BY.into(),
            created: Timestamp::from(TLP_CREATED),
            tlpv2_level: Some((*level).into()),
            ..DataMarking::default()
        })
    }

    /// For a `marking-tlp` whose id is one of the official objects, the level that id stands
    /// for.
    pub fn official_tlp_level(id: &str) -> Option<&'static str> {
        OFFICIAL_TLP
            .iter()
            .find(|(official, _, _)| *official == id)
            .map(|(_, level, _)| *level)
    }
}

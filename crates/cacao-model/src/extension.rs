//! Extension definitions (CACAO 2.0 section 8). The extension objects themselves are kept as
//! JSON values wherever they are used, since only their own schema gives them meaning.

use crate::cacao_object;
use crate::common::ExternalReference;

cacao_object! {
    /// The definition of an extension, in `extension_definitions`.
    pub struct ExtensionDefinition {
        /// Always `extension-definition`.
        "type" => definition_type: required<String>,
        /// A name.
        "name" => name: required<String>,
        /// A description.
        "description" => description: optional<String>,
        /// The STIX identity that created it.
        "created_by" => created_by: required<String>,
        /// The normative definition: a URL or the schema text.
        "schema" => schema: required<String>,
        /// The extension's version (SemVer encouraged).
        "version" => version: required<String>,
        /// References to outside information.
        "external_references" => external_references: optional<Vec<ExternalReference>>,
    }
}

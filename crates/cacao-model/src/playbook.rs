//! The playbook object (CACAO 2.0 section 3.1), the root of every CACAO document.

use indexmap::IndexMap;
use serde_json::Value;

use crate::agent_target::AgentTarget;
use crate::auth::AuthenticationInfo;
use crate::cacao_object;
use crate::common::{ExternalReference, PlaybookProcessingSummary, Timestamp};
use crate::extension::ExtensionDefinition;
use crate::marking::DataMarking;
use crate::signature::Signature;
use crate::step::Step;
use crate::variable::Variable;
use crate::vocab::{PlaybookActivity, PlaybookType};

cacao_object! {
    /// A CACAO 2.0 playbook.
    pub struct Playbook {
        /// Always `playbook`.
        "type" => object_type: required<String>,
        /// Always `cacao-2.0`.
        "spec_version" => spec_version: required<String>,
        /// `playbook--UUID`; shared by every version of the playbook.
        "id" => id: required<String>,
        /// The playbook's name.
        "name" => name: required<String>,
        /// What the playbook does.
        "description" => description: optional<String>,
        /// `playbook-type-ov` values.
        "playbook_types" => playbook_types: optional<Vec<PlaybookType>>,
        /// `playbook-activity-type-ov` values.
        "playbook_activities" => playbook_activities: optional<Vec<PlaybookActivity>>,
        /// Hints about the playbook's content.
        "playbook_processing_summary" => playbook_processing_summary: optional<PlaybookProcessingSummary>,
        /// The STIX identity of the author.
        "created_by" => created_by: required<String>,
        /// When the first version was created (milliseconds).
        "created" => created: required<Timestamp>,
        /// When this version was made; identifies the version (milliseconds).
        "modified" => modified: required<Timestamp>,
        /// Whether the playbook is revoked.
        "revoked" => revoked: optional<bool>,
        /// Start of validity.
        "valid_from" => valid_from: optional<Timestamp>,
        /// End of validity.
        "valid_until" => valid_until: optional<Timestamp>,
        /// Playbooks this one was derived from.
        "derived_from" => derived_from: optional<Vec<String>>,
        /// Related objects.
        "related_to" => related_to: optional<Vec<String>>,
        /// 1 (highest) to 100 (lowest); 0 undefined.
        "priority" => priority: optional<i64>,
        /// 1 (lowest) to 100 (highest); 0 undefined.
        "severity" => severity: optional<i64>,
        /// 1 (lowest) to 100 (highest); 0 undefined.
        "impact" => impact: optional<i64>,
        /// `industry-sector-ov` values.
        "industry_sectors" => industry_sectors: optional<Vec<String>>,
        /// Free tags.
        "labels" => labels: optional<Vec<String>>,
        /// References to outside information.
        "external_references" => external_references: optional<Vec<ExternalReference>>,
        /// Data-marking ids that apply to the playbook.
        "markings" => markings: optional<Vec<String>>,
        /// Global variables keyed by `__name__`.
        "playbook_variables" => playbook_variables: optional<IndexMap<String, Variable>>,
        /// The id of the start step.
        "workflow_start" => workflow_start: required<String>,
        /// The id of the step run when an execution fails unhandled.
        "workflow_exception" => workflow_exception: optional<String>,
        /// The steps keyed by id.
        "workflow" => workflow: required<IndexMap<String, Step>>,
        /// Extension objects keyed by extension-definition id.
        "playbook_extensions" => playbook_extensions: optional<IndexMap<String, Value>>,
        /// Authentication information keyed by id.
        "authentication_info_definitions" => authentication_info_definitions: optional<IndexMap<String, AuthenticationInfo>>,
        /// Agents keyed by id.
        "agent_definitions" => agent_definitions: optional<IndexMap<String, AgentTarget>>,
        /// Targets keyed by id.
        "target_definitions" => target_definitions: optional<IndexMap<String, AgentTarget>>,
        /// Extension definitions keyed by id.
        "extension_definitions" => extension_definitions: optional<IndexMap<String, ExtensionDefinition>>,
        /// Data markings keyed by id.
        "data_marking_definitions" => data_marking_definitions: optional<IndexMap<String, DataMarking>>,
        /// Signatures over the playbook.
        "signatures" => signatures: optional<Vec<Signature>>,
    }
}

impl Playbook {
    /// Reads a playbook from JSON text.
    pub fn from_json(text: &str) -> Result<Self, crate::ModelError> {
        serde_json::from_str(text).map_err(crate::ModelError::from)
    }

    /// Reads a playbook from a JSON value.
    pub fn from_value(value: Value) -> Result<Self, crate::ModelError> {
        serde_json::from_value(value).map_err(crate::ModelError::from)
    }

    /// Writes the playbook as 2-space indented JSON in its key order.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a playbook always serialises")
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.workflow.get(id)
    }

    /// The version identifier: `id` and `modified`.
    pub fn version(&self) -> (&str, &str) {
        (&self.id, self.modified.as_str())
    }

    /// The agent or target with this id, looked up in agents then targets.
    pub fn agent_or_target(&self, id: &str) -> Option<&AgentTarget> {
        self.agent_definitions
            .as_ref()
            .and_then(|agents| agents.get(id))
            .or_else(|| {
                self.target_definitions
                    .as_ref()
                    .and_then(|targets| targets.get(id))
            })
    }

    /// The authentication info with this id.
    pub fn authentication_info(&self, id: &str) -> Option<&AuthenticationInfo> {
        self.authentication_info_definitions.as_ref()?.get(id)
    }
}

//! The CACAO 2.0 data model: every object of the OASIS Collaborative Automated Course of Action
//! Operations specification as serde types.
//!
//! The model is lossless. Reading a playbook and writing it back gives the same keys, in the
//! same order, with the same values: unknown properties and extension objects are kept verbatim
//! in each object's `extra` map and each object remembers its source key order. Open
//! vocabularies accept any string. The crate does no I/O and knows nothing of async; it is the
//! shared language of the validator, the signer and the engine.
//!
//! ```
//! let text = r#"{"type":"playbook","spec_version":"cacao-2.0",
//!   "id":"playbook--61a6c41e-6efc-4516-a242-dfbc5c89d562","name":"x",
//!   "created_by":"identity--5abe695c-7bd5-4c31-8824-2528696cdbf1",
//!   "created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z",
//!   "x_custom":{"kept":true},
//!   "workflow_start":"start--6b23c237-ade8-4d00-9aa1-75999738d557",
//!   "workflow":{"start--6b23c237-ade8-4d00-9aa1-75999738d557":{"type":"start"}}}"#;
//! let playbook = cacao_model::Playbook::from_json(text).unwrap();
//! assert_eq!(playbook.extra["x_custom"]["kept"], true);
//! let back: serde_json::Value = serde_json::from_str(&playbook.to_json_pretty()).unwrap();
//! let original: serde_json::Value = serde_json::from_str(text).unwrap();
//! assert_eq!(back, original);
//! ```

mod object;

pub mod agent_target;
pub mod auth;
pub mod command;
pub mod common;
pub mod extension;
pub mod marking;
pub mod playbook;
pub mod signature;
pub mod step;
pub mod variable;
pub mod vocab;

pub use agent_target::{Address, AgentTarget};
pub use auth::{AuthenticationInfo, Secret};
pub use command::Command;
pub use common::{
    CivicLocation, Contact, ExternalReference, Identifier, PlaybookProcessingSummary, Timestamp,
};
pub use extension::ExtensionDefinition;
pub use marking::DataMarking;
pub use object::KeyOrder;
pub use playbook::Playbook;
pub use signature::Signature;
pub use step::{
    ActionStep, EndStep, IfConditionStep, ParallelStep, PlaybookActionStep, StartStep, Step,
    SwitchConditionStep, WhileConditionStep,
};
pub use variable::Variable;
pub use vocab::{
    AgentTargetType, AuthenticationInfoType, CommandType, IndustrySector, PlaybookActivity,
    PlaybookType, SecurityCategory, SignatureAlgorithm, VariableType,
};

/// A document that is not a CACAO playbook this model can represent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The JSON is malformed or does not have the shape of a playbook.
    #[error("not a CACAO playbook: {0}")]
    Json(#[from] serde_json::Error),
}

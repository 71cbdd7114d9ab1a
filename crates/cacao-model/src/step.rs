//! Workflow steps (CACAO 2.0 section 4): the eight step types and the properties they share.
//!
//! [`Step`] is an enum with one struct per step type. Each struct repeats the common properties
//! of section 4.1 (so that key order survives a round trip) and adds its own; [`Step`] offers
//! accessors for the common ones.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::command::Command;
use crate::common::{ExternalReference, Timestamp};
use crate::variable::Variable;
use crate::{cacao_object, type_tag};

type_tag!(StartTag, "start");
type_tag!(EndTag, "end");
type_tag!(ActionTag, "action");
type_tag!(PlaybookActionTag, "playbook-action");
type_tag!(ParallelTag, "parallel");
type_tag!(IfConditionTag, "if-condition");
type_tag!(WhileConditionTag, "while-condition");
type_tag!(SwitchConditionTag, "switch-condition");

/// Declares a step struct: the common properties of section 4.1 followed by its own.
macro_rules! workflow_step {
    (
        $(#[$meta:meta])*
        pub struct $name:ident : $tag:ty {
            $($own:tt)*
        }
    ) => {
        cacao_object! {
            $(#[$meta])*
            pub struct $name {
                /// The step type; always the value this struct stands for.
                "type" => step_type: tag<$tag>,
                /// A name for people and logs.
                "name" => name: optional<String>,
                /// What the step does.
                "description" => description: optional<String>,
                /// References to outside information.
                "external_references" => external_references: optional<Vec<ExternalReference>>,
                /// Milliseconds to wait before the step starts.
                "delay" => delay: optional<u64>,
                /// Milliseconds after which the step counts as failed (`ACTION_TIMEOUT`).
                "timeout" => timeout: optional<u64>,
                /// Variables in the step's scope, keyed by `__name__`.
                "step_variables" => step_variables: optional<IndexMap<String, Variable>>,
                /// The STIX identity that owns the step.
                "owner" => owner: optional<String>,
                /// The next step whatever the outcome.
                "on_completion" => on_completion: optional<String>,
                /// The next step after success.
                "on_success" => on_success: optional<String>,
                /// The next step after failure.
                "on_failure" => on_failure: optional<String>,
                /// Extension objects keyed by extension-definition id.
                "step_extensions" => step_extensions: optional<IndexMap<String, Value>>,
                $($own)*
            }
        }
    };
}

workflow_step! {
    /// The first step of a workflow (section 4.3).
    pub struct StartStep: StartTag {}
}

workflow_step! {
    /// The last step of a workflow or of a branch (section 4.4).
    pub struct EndStep: EndTag {}
}

workflow_step! {
    /// Runs commands through an agent against targets (section 4.5).
    pub struct ActionStep: ActionTag {
        /// The commands, run in order.
        "commands" => commands: required<Vec<Command>>,
        /// The agent that runs the commands: an id in `agent_definitions`.
        "agent" => agent: required<String>,
        /// What the commands act on: ids in `target_definitions`.
        "targets" => targets: optional<Vec<String>>,
        /// Variable names passed to the agent and targets.
        "in_args" => in_args: optional<Vec<String>>,
        /// Variable names the agent's results are assigned to.
        "out_args" => out_args: optional<Vec<String>>,
    }
}

workflow_step! {
    /// Runs another playbook (section 4.6).
    pub struct PlaybookActionStep: PlaybookActionTag {
        /// The id of the playbook to run.
        "playbook_id" => playbook_id: required<String>,
        /// The `modified` of the version to run; absent means the newest.
        "playbook_version" => playbook_version: optional<Timestamp>,
        /// Variable names passed into the called playbook.
        "in_args" => in_args: optional<Vec<String>>,
        /// Variable names returned from the called playbook.
        "out_args" => out_args: optional<Vec<String>>,
    }
}

workflow_step! {
    /// Runs two or more branches at once and waits for all of them (section 4.7).
    pub struct ParallelStep: ParallelTag {
        /// The first step of each branch.
        "next_steps" => next_steps: required<Vec<String>>,
    }
}

workflow_step! {
    /// Runs one of two branches depending on a condition (section 4.8).
    pub struct IfConditionStep: IfConditionTag {
        /// A STIX patterning comparison expression.
        "condition" => condition: required<String>,
        /// The branch run when the condition holds.
        "on_true" => on_true: required<String>,
        /// The branch run otherwise.
        "on_false" => on_false: optional<String>,
    }
}

workflow_step! {
    /// Runs a branch as long as a condition holds (section 4.9).
    pub struct WhileConditionStep: WhileConditionTag {
        /// A STIX patterning comparison expression, evaluated before each iteration.
        "condition" => condition: required<String>,
        /// The branch run on each iteration.
        "on_true" => on_true: required<String>,
    }
}

workflow_step! {
    /// Runs the branch whose case matches a variable's value (section 4.10).
    pub struct SwitchConditionStep: SwitchConditionTag {
        /// The variable reference whose value selects the case.
        "switch" => switch: required<String>,
        /// Case value to the first step of its branch; `default` when nothing matches.
        "cases" => cases: required<IndexMap<String, String>>,
    }
}

/// A workflow step of any of the eight types.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `start`
    Start(StartStep),
    /// `end`
    End(EndStep),
    /// `action`
    Action(ActionStep),
    /// `playbook-action`
    PlaybookAction(PlaybookActionStep),
    /// `parallel`
    Parallel(ParallelStep),
    /// `if-condition`
    IfCondition(IfConditionStep),
    /// `while-condition`
    WhileCondition(WhileConditionStep),
    /// `switch-condition`
    SwitchCondition(SwitchConditionStep),
}

/// Applies the same expression to the struct inside any variant.
macro_rules! each_step {
    ($step:expr, $inner:ident => $body:expr) => {
        match $step {
            Step::Start($inner) => $body,
            Step::End($inner) => $body,
            Step::Action($inner) => $body,
            Step::PlaybookAction($inner) => $body,
            Step::Parallel($inner) => $body,
            Step::IfCondition($inner) => $body,
            Step::WhileCondition($inner) => $body,
            Step::SwitchCondition($inner) => $body,
        }
    };
}

impl Step {
    /// The step types of `workflow-step-type-enum`.
    pub const TYPES: &'static [&'static str] = &[
        "start",
        "end",
        "action",
        "playbook-action",
        "parallel",
        "if-condition",
        "while-condition",
        "switch-condition",
    ];

    /// The `type` value of this step.
    pub fn type_name(&self) -> &'static str {
        match self {
            Step::Start(_) => "start",
            Step::End(_) => "end",
            Step::Action(_) => "action",
            Step::PlaybookAction(_) => "playbook-action",
            Step::Parallel(_) => "parallel",
            Step::IfCondition(_) => "if-condition",
            Step::WhileCondition(_) => "while-condition",
            Step::SwitchCondition(_) => "switch-condition",
        }
    }

    /// The step's `name`.
    pub fn name(&self) -> Option<&str> {
        each_step!(self, step => step.name.as_deref())
    }

    /// The step's `description`.
    pub fn description(&self) -> Option<&str> {
        each_step!(self, step => step.description.as_deref())
    }

    /// Milliseconds to wait before the step starts.
    pub fn delay(&self) -> Option<u64> {
        each_step!(self, step => step.delay)
    }

    /// Milliseconds after which the step fails.
    pub fn timeout(&self) -> Option<u64> {
        each_step!(self, step => step.timeout)
    }

    /// The step's own variables.
    pub fn step_variables(&self) -> Option<&IndexMap<String, Variable>> {
        each_step!(self, step => step.step_variables.as_ref())
    }

    /// The next step whatever the outcome.
    pub fn on_completion(&self) -> Option<&str> {
        each_step!(self, step => step.on_completion.as_deref())
    }

    /// The next step after success.
    pub fn on_success(&self) -> Option<&str> {
        each_step!(self, step => step.on_success.as_deref())
    }

    /// The next step after failure.
    pub fn on_failure(&self) -> Option<&str> {
        each_step!(self, step => step.on_failure.as_deref())
    }

    /// The step's extension objects.
    pub fn step_extensions(&self) -> Option<&IndexMap<String, Value>> {
        each_step!(self, step => step.step_extensions.as_ref())
    }

    /// The step's external references.
    pub fn external_references(&self) -> Option<&[ExternalReference]> {
        each_step!(self, step => step.external_references.as_deref())
    }

    /// The unknown properties kept verbatim.
    pub fn extra(&self) -> &serde_json::Map<String, Value> {
        each_step!(self, step => &step.extra)
    }

    /// The first steps of the branches this step opens, with a label for each
    /// (`parallel`, `on_true`, `on_false`, or the case value).
    pub fn branches(&self) -> Vec<(String, &str)> {
        match self {
            Step::Parallel(step) => step
                .next_steps
                .iter()
                .map(|next| ("parallel".to_owned(), next.as_str()))
                .collect(),
            Step::IfCondition(step) => {
                let mut branches = vec![("on_true".to_owned(), step.on_true.as_str())];
                if let Some(on_false) = &step.on_false {
                    branches.push(("on_false".to_owned(), on_false.as_str()));
                }
                branches
            }
            Step::WhileCondition(step) => vec![("on_true".to_owned(), step.on_true.as_str())],
            Step::SwitchCondition(step) => step
                .cases
                .iter()
                .map(|(case, next)| (case.clone(), next.as_str()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        each_step!(self, step => step.serialize(serializer))
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        // The type decides the struct, and it may come after other keys, so buffer the object.
        let object = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let step_type = match object.get("type") {
            Some(Value::String(step_type)) => step_type.clone(),
            Some(_) => return Err(D::Error::custom("step `type` must be a string")),
            None => return Err(D::Error::missing_field("type")),
        };
        let value = Value::Object(object);

        let step = match step_type.as_str() {
            "start" => StartStep::deserialize(value).map(Step::Start),
            "end" => EndStep::deserialize(value).map(Step::End),
            "action" => ActionStep::deserialize(value).map(Step::Action),
            "playbook-action" => PlaybookActionStep::deserialize(value).map(Step::PlaybookAction),
            "parallel" => ParallelStep::deserialize(value).map(Step::Parallel),
            "if-condition" => IfConditionStep::deserialize(value).map(Step::IfCondition),
            "while-condition" => WhileConditionStep::deserialize(value).map(Step::WhileCondition),
            "switch-condition" => {
                SwitchConditionStep::deserialize(value).map(Step::SwitchCondition)
            }
            other => return Err(D::Error::unknown_variant(other, Step::TYPES)),
        };
        step.map_err(D::Error::custom)
    }
}

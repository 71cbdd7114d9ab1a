//! action: run the step's commands in order through the executors of their types, stopping at
//! the first failure, under the step's deadline; then assign out_args from the results, whatever
//! the outcome.
//!
//! Variables are substituted when the step runs, in every string of the command, the agent, the
//! targets and their authentication info. Shell command text (`bash`, `ssh`, `powershell`) gets
//! values quoted for its shell; everything else gets them as they are.

use std::sync::Arc;

use base64::Engine as _;
use cacao_model::{ActionStep, AgentTarget, AuthenticationInfo, Command, CommandType};
use indexmap::IndexMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::execution::{BranchContext, Instance, Run, StepResult, Stop};
use crate::executor::CommandRequest;
use crate::substitute::{Shell, substitute_plain, substitute_shell};
use crate::variables::{AssignOutcome, Scope};

pub(super) async fn run(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step_id: &str,
    step: &ActionStep,
    scope: &Arc<Scope>,
    deadline: Option<Instant>,
) -> Result<StepResult, Stop> {
    let command_types: Vec<String> = step
        .commands
        .iter()
        .map(|command| command.command_type.as_str().to_owned())
        .collect();
    let mut results: IndexMap<String, String> = IndexMap::new();

    let commands = run_commands(run, context, step_id, step, scope, deadline, &mut results);
    let outcome = match deadline {
        None => commands.await,
        Some(deadline) => match tokio::time::timeout_at(deadline, commands).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::info!("the step's timeout expired; its command was stopped");
                Err(crate::execution::ACTION_TIMEOUT.to_owned())
            }
        },
    };

    let mut result = match outcome {
        Ok(()) => StepResult::success(),
        Err(reason) if reason == crate::execution::ACTION_TIMEOUT => StepResult::timeout(),
        Err(reason) => StepResult::failure(reason),
    };
    result.command_types = command_types;
    result.assignments = out_args(step, scope, &results);
    Ok(result)
}

/// Runs the commands in order; the error is the failure reason.
async fn run_commands(
    run: &Arc<Run>,
    context: &Arc<BranchContext>,
    step_id: &str,
    step: &ActionStep,
    scope: &Arc<Scope>,
    deadline: Option<Instant>,
    results: &mut IndexMap<String, String>,
) -> Result<(), String> {
    let instance = &context.instance;
    let lookup = |name: &str| scope.value_text(name);

    let agent = resolve_agent_or_target(instance, &step.agent, &lookup)
        .ok_or_else(|| format!("the agent {} is not defined", step.agent))?;
    let mut targets = Vec::new();
    for id in step.targets.iter().flatten() {
        let target = resolve_agent_or_target(instance, id, &lookup)
            .ok_or_else(|| format!("the target {id} is not defined"))?;
        targets.push((id.clone(), target));
    }
    let mut authentication_info = IndexMap::new();
    for definition in std::iter::once(&agent).chain(targets.iter().map(|(_, target)| target)) {
        if let Some(id) = &definition.authentication_info
            && !authentication_info.contains_key(id)
        {
            let info = resolve_authentication(instance, id, &lookup)
                .ok_or_else(|| format!("the authentication info {id} is not defined"))?;
            authentication_info.insert(id.clone(), info);
        }
    }

    // The agent, targets and authentication info go to each command's request; the last
    // request takes them instead of a copy.
    // Boxed, like the request below, to keep this future small: a large step future costs an
    // allocation the allocator serves slowly.
    let mut shared = Some(Box::new((agent, targets, authentication_info)));
    let last = step.commands.len().saturating_sub(1);
    for (index, command) in step.commands.iter().enumerate() {
        let command_type = command.command_type.as_str();
        let number = index + 1;
        let executor = run.registry.get(command_type).ok_or_else(|| {
            format!("command {number}: no executor for command type `{command_type}`")
        })?;
        let command = substitute_command(command, &lookup)
            .map_err(|reason| format!("command {number} ({command_type}): {reason}"))?;
        let (agent, targets, authentication_info) = if index == last {
            *shared
                .take()
                .expect("the last command takes the shared parts once")
        } else {
            *shared.clone().expect("shared parts until the last command")
        };

        let request = Box::new(CommandRequest {
            execution_id: run.execution_id.clone(),
            step_id: step_id.to_owned(),
            step_name: step.name.clone(),
            out_args: step.out_args.clone().unwrap_or_default(),
            command_index: index,
            command,
            agent: Some((step.agent.clone(), agent)),
            targets,
            authentication_info,
            // What is left of the step's time; the engine enforces it too.
            timeout: deadline.map(|deadline| deadline.saturating_duration_since(Instant::now())),
        });

        let outcome = executor
            .execute(&request)
            .await
            .map_err(|error| format!("command {number} ({command_type}): {error}"))?;
        results.extend(outcome.results);
        if !outcome.success {
            let why = outcome
                .reason
                .unwrap_or_else(|| "the command failed".to_owned());
            return Err(format!("command {number} ({command_type}) failed: {why}"));
        }
    }
    Ok(())
}

/// Each out_arg the results carry goes to the nearest scope that declares it.
fn out_args(
    step: &ActionStep,
    scope: &Scope,
    results: &IndexMap<String, String>,
) -> Vec<crate::variables::Assignment> {
    let mut assignments = Vec::new();
    for name in step.out_args.iter().flatten() {
        let Some(value) = results.get(name) else {
            continue;
        };
        match scope.plan_assignment(name, value.clone()) {
            AssignOutcome::Assign(assignment) => assignments.push(assignment),
            AssignOutcome::Constant => {
                tracing::info!(variable = %name, "out_arg names a constant; its value stays");
            }
        }
    }
    assignments
}

fn resolve_agent_or_target(
    instance: &Instance,
    id: &str,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
) -> Option<AgentTarget> {
    let definition = instance.playbook.agent_or_target(id)?;
    if instance.with_references.contains(id) {
        substitute_object(definition, lookup)
    } else {
        Some(definition.clone())
    }
}

fn resolve_authentication(
    instance: &Instance,
    id: &str,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
) -> Option<AuthenticationInfo> {
    let definition = instance.playbook.authentication_info(id)?;
    if instance.with_references.contains(id) {
        substitute_object(definition, lookup)
    } else {
        Some(definition.clone())
    }
}

/// Substitutes every string of a model object by going through its JSON form, which keeps
/// unknown properties and secrets (serialised as written) intact.
fn substitute_object<T: Serialize + DeserializeOwned>(
    object: &T,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
) -> Option<T> {
    let mut value = serde_json::to_value(object).ok()?;
    substitute_json(&mut value, lookup);
    serde_json::from_value(value).ok()
}

fn substitute_json(value: &mut serde_json::Value, lookup: &dyn Fn(&str) -> Option<Option<String>>) {
    match value {
        serde_json::Value::String(text) => *text = substitute_plain(text, lookup),
        serde_json::Value::Array(items) => {
            for item in items {
                substitute_json(item, lookup);
            }
        }
        serde_json::Value::Object(map) => {
            for item in map.values_mut() {
                substitute_json(item, lookup);
            }
        }
        _ => {}
    }
}

/// The command with its variables substituted.
fn substitute_command(
    command: &Command,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
) -> Result<Command, String> {
    let shell = match command.command_type {
        CommandType::Bash | CommandType::Ssh => Some(Shell::Bash),
        CommandType::Powershell => Some(Shell::PowerShell),
        _ => None,
    };
    // Most commands hold no reference at all; they are used as they are.
    let has_reference =
        |text: &Option<String>| text.as_deref().is_some_and(|text| text.contains(":value"));
    let headers_have_reference = command.headers.iter().flatten().any(|(name, values)| {
        name.contains(":value") || values.iter().any(|value| value.contains(":value"))
    });
    if command.command_b64.is_none()
        && command.content_b64.is_none()
        && !has_reference(&command.command)
        && !has_reference(&command.content)
        && !headers_have_reference
    {
        return Ok(command.clone());
    }
    let mut substituted = command.clone();

    if let Some(shell) = shell {
        if let Some(text) = command.text().map_err(|error| error.to_string())? {
            substituted.command =
                Some(substitute_shell(&text, shell, lookup).map_err(|error| error.to_string())?);
            substituted.command_b64 = None;
        }
    } else {
        substituted.command = command
            .command
            .as_deref()
            .map(|text| substitute_plain(text, lookup));
        if let Some(encoded) = &command.command_b64 {
            substituted.command_b64 = Some(substitute_base64("command_b64", encoded, lookup)?);
        }
    }

    substituted.content = command
        .content
        .as_deref()
        .map(|text| substitute_plain(text, lookup));
    if let Some(encoded) = &command.content_b64 {
        substituted.content_b64 = Some(substitute_base64("content_b64", encoded, lookup)?);
    }
    if let Some(headers) = &command.headers {
        substituted.headers = Some(
            headers
                .iter()
                .map(|(name, values)| {
                    (
                        substitute_plain(name, lookup),
                        values
                            .iter()
                            .map(|value| substitute_plain(value, lookup))
                            .collect(),
                    )
                })
                .collect(),
        );
    }
    Ok(substituted)
}

/// Substitutes inside base64 text that decodes to UTF-8; other content passes unchanged.
fn substitute_base64(
    property: &'static str,
    encoded: &str,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
) -> Result<String, String> {
    let bytes =
        cacao_model::command::decode(property, encoded).map_err(|error| error.to_string())?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(encoded.to_owned());
    };
    if !text.contains(":value") {
        return Ok(encoded.to_owned());
    }
    let substituted = substitute_plain(&text, lookup);
    Ok(base64::engine::general_purpose::STANDARD.encode(substituted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_commands_are_quoted_and_others_are_not() {
        let lookup = |name: &str| (name == "__v__").then(|| Some("a b".to_owned()));
        let bash = Command {
            command_type: CommandType::Bash,
            command_b64: Some(base64::engine::general_purpose::STANDARD.encode("echo __v__:value")),
            ..Command::default()
        };
        let substituted = substitute_command(&bash, &lookup).unwrap();
        assert_eq!(substituted.command.as_deref(), Some("echo 'a b'"));
        assert_eq!(substituted.command_b64, None);

        let http = Command {
            command_type: CommandType::HttpApi,
            command: Some("GET /x?q=__v__:value HTTP/1.1".into()),
            headers: Some(IndexMap::from([(
                "X-Name".to_owned(),
                vec!["__v__:value".to_owned()],
            )])),
            ..Command::default()
        };
        let substituted = substitute_command(&http, &lookup).unwrap();
        assert_eq!(
            substituted.command.as_deref(),
            Some("GET /x?q=a b HTTP/1.1")
        );
        assert_eq!(
            substituted.headers.unwrap()["X-Name"],
            vec!["a b".to_owned()]
        );
    }
}

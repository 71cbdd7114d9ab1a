//! Where a command goes: choosing the endpoints of a command and reading their addresses.
//!
//! CACAO says what a command acts on (its step's `targets`) and who runs it (the `agent`), but
//! not how either becomes a network address. The rule every networked executor here follows:
//!
//! 1. The endpoints are the step's targets whose type the executor supports, in the order the
//!    step lists them; targets of other types (a responsible `individual`, a `location`) are
//!    ignored. When no target qualifies, the agent is the endpoint if its type is supported.
//!    Otherwise the command is invalid.
//! 2. An endpoint's address is the first entry of the first of `url`, `dname`, `ipv4`, `ipv6`
//!    present in its `address` (the other entries are alternatives CACAO does not order, so they
//!    are not tried). An `ipv4` or `ipv6` entry may carry a `/32` or `/128` suffix; any other
//!    prefix length names a block of addresses, not a host, and is refused.
//! 3. The `port` property, when present, is a decimal port number.
//! 4. The endpoint's own `authentication_info` (an id in the playbook's definitions) is the one
//!    used to authenticate to it.

use std::fmt;
use std::net::IpAddr;

use cacao_engine::executor::{CommandRequest, ExecutorError};
use cacao_model::{AgentTarget, AuthenticationInfo};

/// The agent-target types that describe who or what, without a network address: a person, a
/// team, a place, a sector, a category of systems. Every executor accepts them in the capability
/// check (a step may name the people responsible, and its agent is often such an entity); they
/// are never endpoints.
pub const DESCRIPTIVE_TYPES: &[&str] = &[
    "individual",
    "group",
    "organization",
    "location",
    "sector",
    "security-category",
];

/// Whether an executor whose endpoints are of `endpoint_types` accepts an agent or target of
/// `target_type`: one of those, or a descriptive type.
pub fn accepts(endpoint_types: &[&str], target_type: &str) -> bool {
    endpoint_types.contains(&target_type) || DESCRIPTIVE_TYPES.contains(&target_type)
}

/// A host name or an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A domain name (`dname`).
    Domain(String),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
}

impl Host {
    /// The host as it appears in a URL authority (IPv6 in brackets).
    pub fn for_url(&self) -> String {
        match self {
            Host::Domain(name) => name.clone(),
            Host::Ip(IpAddr::V6(address)) => format!("[{address}]"),
            Host::Ip(IpAddr::V4(address)) => address.to_string(),
        }
    }

    /// The host as a name for resolution and for known_hosts lookups (IPv6 without brackets).
    pub fn name(&self) -> String {
        match self {
            Host::Domain(name) => name.clone(),
            Host::Ip(address) => address.to_string(),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.for_url())
    }
}

/// How an endpoint's address was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An `address.url` entry, unparsed.
    Url(String),
    /// An `address.dname`, `ipv4` or `ipv6` entry.
    Host(Host),
}

/// One place a command is sent to.
#[derive(Debug, Clone)]
pub struct Endpoint<'a> {
    /// The target's (or agent's) id.
    pub id: &'a str,
    /// Its definition, substituted.
    pub definition: &'a AgentTarget,
    /// Where it is.
    pub location: Location,
    /// Its `port`, when given.
    pub port: Option<u16>,
    /// The authentication info it names, when it names one.
    pub authentication: Option<&'a AuthenticationInfo>,
}

impl Endpoint<'_> {
    /// A short description for messages: the name and id.
    pub fn describe(&self) -> String {
        format!("`{}` ({})", self.definition.name, self.id)
    }
}

/// Whether the command has a target (or an agent) of a `supported` type.
pub fn has_endpoint(request: &CommandRequest, supported: &[&str]) -> bool {
    let qualifies =
        |definition: &AgentTarget| supported.contains(&definition.agent_target_type.as_str());
    request
        .targets
        .iter()
        .any(|(_, definition)| qualifies(definition))
        || request
            .agent
            .as_ref()
            .is_some_and(|(_, definition)| qualifies(definition))
}

/// The endpoints of a command for an executor that supports `supported` target types.
pub fn endpoints<'a>(
    request: &'a CommandRequest,
    supported: &[&str],
) -> Result<Vec<Endpoint<'a>>, ExecutorError> {
    let qualifies =
        |definition: &AgentTarget| supported.contains(&definition.agent_target_type.as_str());

    let mut chosen: Vec<(&'a str, &'a AgentTarget)> = request
        .targets
        .iter()
        .filter(|(_, definition)| qualifies(definition))
        .map(|(id, definition)| (id.as_str(), definition))
        .collect();
    if chosen.is_empty()
        && let Some((id, definition)) = &request.agent
        && qualifies(definition)
    {
        chosen.push((id.as_str(), definition));
    }
    if chosen.is_empty() {
        return Err(ExecutorError::Invalid(format!(
            "the command has no target of type {} and its agent is not of such a type",
            supported.join(", ")
        )));
    }

    chosen
        .into_iter()
        .map(|(id, definition)| endpoint(request, id, definition))
        .collect()
}

fn endpoint<'a>(
    request: &'a CommandRequest,
    id: &'a str,
    definition: &'a AgentTarget,
) -> Result<Endpoint<'a>, ExecutorError> {
    let invalid =
        |what: String| ExecutorError::Invalid(format!("`{}` ({id}): {what}", definition.name));

    let (kind, value) = definition
        .address
        .as_ref()
        .and_then(|address| address.first_host())
        .ok_or_else(|| invalid("has no url, dname, ipv4 or ipv6 address".into()))?;
    let location = match kind {
        "url" => Location::Url(value.to_owned()),
        "dname" => Location::Host(parse_domain(value).map_err(invalid)?),
        _ => Location::Host(parse_ip(value).map_err(invalid)?),
    };

    let port = definition
        .port
        .as_deref()
        .map(|port| parse_port(port).map_err(invalid))
        .transpose()?;

    let authentication = match &definition.authentication_info {
        None => None,
        Some(reference) => Some(request.authentication_info.get(reference).ok_or_else(|| {
            invalid(format!(
                "its authentication info `{reference}` is not defined"
            ))
        })?),
    };

    Ok(Endpoint {
        id,
        definition,
        location,
        port,
        authentication,
    })
}

/// Parses a domain name: letters, digits, `-`, `_` and `.`, at most 253 characters.
pub fn parse_domain(value: &str) -> Result<Host, String> {
    let valid = !value.is_empty()
        && value.len() <= 253
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(Host::Domain(value.to_owned()))
    } else {
        Err(format!("`{value}` is not a domain name"))
    }
}

/// Parses an IP address, allowing a host prefix (`/32`, `/128`).
pub fn parse_ip(value: &str) -> Result<Host, String> {
    let (address, prefix) = match value.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (value, None),
    };
    let address: IpAddr = address
        .parse()
        .map_err(|_| format!("`{value}` is not an IP address"))?;
    let host_prefix = if address.is_ipv4() { "32" } else { "128" };
    match prefix {
        Some(prefix) if prefix != host_prefix => {
            Err(format!("`{value}` is a block of addresses, not one host"))
        }
        _ => Ok(Host::Ip(address)),
    }
}

/// Parses a port number (1 to 65535).
pub fn parse_port(value: &str) -> Result<u16, String> {
    match value.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!("`{value}` is not a port number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cacao_model::{Address, AgentTargetType, Command, CommandType};
    use indexmap::IndexMap;
    use serde_json::json;

    fn target(kind: &str, address: serde_json::Value) -> AgentTarget {
        AgentTarget {
            agent_target_type: AgentTargetType::from(kind),
            name: format!("{kind} target"),
            address: Some(serde_json::from_value::<Address>(address).unwrap()),
            ..Default::default()
        }
    }

    fn request(
        targets: Vec<(&str, AgentTarget)>,
        agent: Option<(&str, AgentTarget)>,
    ) -> CommandRequest {
        CommandRequest {
            execution_id: "execution".into(),
            step_id: "action--1".into(),
            step_name: None,
            out_args: Vec::new(),
            command_index: 0,
            command: Command {
                command_type: CommandType::Ssh,
                ..Default::default()
            },
            agent: agent.map(|(id, definition)| (id.to_owned(), definition)),
            targets: targets
                .into_iter()
                .map(|(id, definition)| (id.to_owned(), definition))
                .collect(),
            authentication_info: IndexMap::new(),
            timeout: None,
        }
    }

    #[test]
    fn supported_targets_are_chosen_in_order_and_others_ignored() {
        let request = request(
            vec![
                ("individual--1", target("individual", json!({}))),
                ("ssh--2", target("ssh", json!({"ipv4": ["10.0.0.2/32"]}))),
                (
                    "linux--3",
                    target("linux", json!({"dname": ["host-3.example"]})),
                ),
            ],
            None,
        );
        let endpoints = endpoints(&request, &["ssh", "linux"]).unwrap();
        let ids: Vec<_> = endpoints.iter().map(|endpoint| endpoint.id).collect();
        assert_eq!(ids, ["ssh--2", "linux--3"]);
        assert_eq!(
            endpoints[0].location,
            Location::Host(Host::Ip("10.0.0.2".parse().unwrap()))
        );
    }

    #[test]
    fn the_agent_is_the_endpoint_when_no_target_qualifies() {
        let request = request(
            vec![],
            Some(("ssh--a", target("ssh", json!({"ipv6": ["::1"]})))),
        );
        let endpoints = endpoints(&request, &["ssh"]).unwrap();
        assert_eq!(endpoints[0].id, "ssh--a");
        assert_eq!(
            endpoints[0].location,
            Location::Host(Host::Ip("::1".parse().unwrap()))
        );
    }

    #[test]
    fn address_blocks_bad_ports_and_missing_auth_are_refused() {
        let block = request(
            vec![("ssh--1", target("ssh", json!({"ipv4": ["10.0.0.0/24"]})))],
            None,
        );
        let error = endpoints(&block, &["ssh"]).unwrap_err().to_string();
        assert!(error.contains("block of addresses"), "{error}");

        let mut bad_port = target("ssh", json!({"dname": ["h"]}));
        bad_port.port = Some("70000".into());
        let error = endpoints(&request(vec![("ssh--1", bad_port)], None), &["ssh"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("`70000` is not a port number"), "{error}");

        let mut missing_auth = target("ssh", json!({"dname": ["h"]}));
        missing_auth.authentication_info = Some("user-auth--9".into());
        let error = endpoints(&request(vec![("ssh--1", missing_auth)], None), &["ssh"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("`user-auth--9` is not defined"), "{error}");
    }

    #[test]
    fn a_command_without_a_usable_endpoint_is_invalid() {
        let request = request(
            vec![("individual--1", target("individual", json!({})))],
            None,
        );
        let error = endpoints(&request, &["ssh", "linux"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("no target of type ssh, linux"), "{error}");
    }

    #[test]
    fn domain_names_with_shell_or_url_syntax_are_refused() {
        for bad in ["", "a b", "host;rm", "user@host", "host/path", "h:22"] {
            assert!(parse_domain(bad).is_err(), "{bad:?}");
        }
        assert!(parse_domain("db-1.internal_zone.example").is_ok());
    }
}

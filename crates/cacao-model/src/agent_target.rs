//! Agents and targets (CACAO 2.0 section 7): who runs commands, and what they act on.
//!
//! Both use the same object; all types share one struct because the type is an open vocabulary
//! and the per-type properties are few.

use crate::cacao_object;
use crate::common::{CivicLocation, Contact};
use crate::vocab::AgentTargetType;
use indexmap::IndexMap;
use serde_json::Value;

cacao_object! {
    /// An agent or a target.
    pub struct AgentTarget {
        /// `agent-target-type-ov`.
        "type" => agent_target_type: required<AgentTargetType>,
        /// A name; MUST be populated.
        "name" => name: required<String>,
        /// A description.
        "description" => description: optional<String>,
        /// Where it is.
        "location" => location: optional<CivicLocation>,
        /// Extension objects keyed by extension-definition id.
        "agent_target_extensions" => agent_target_extensions: optional<IndexMap<String, Value>>,
        /// Contact details (group, individual, organization).
        "contact" => contact: optional<Contact>,
        /// Logical locations such as a wiring closet (location).
        "logical" => logical: optional<Vec<String>>,
        /// An `industry-sector-ov` value (sector).
        "sector" => sector: optional<String>,
        /// `security-category-type-ov` values (security-category) or the category of an address
        /// type.
        "category" => category: optional<Vec<String>>,
        /// Network addresses by kind (http-api, linux, net-address, ssh).
        "address" => address: optional<Address>,
        /// The port, as a string.
        "port" => port: optional<String>,
        /// An id in `authentication_info_definitions`.
        "authentication_info" => authentication_info: optional<String>,
    }
}

cacao_object! {
    /// The `address` dictionary of an agent or target. Values are lists; `vlan` entries are
    /// numbers in the schema, so every list keeps JSON values as written.
    pub struct Address {
        /// Domain names.
        "dname" => dname: optional<Vec<Value>>,
        /// IPv4 addresses or CIDR blocks.
        "ipv4" => ipv4: optional<Vec<Value>>,
        /// IPv6 addresses or CIDR blocks.
        "ipv6" => ipv6: optional<Vec<Value>>,
        /// MAC addresses.
        "l2mac" => l2mac: optional<Vec<Value>>,
        /// VLAN numbers.
        "vlan" => vlan: optional<Vec<Value>>,
        /// URLs.
        "url" => url: optional<Vec<Value>>,
    }
}

impl Address {
    /// The first entry of the first kind present among `url`, `dname`, `ipv4`, `ipv6`, as a string.
    pub fn first_host(&self) -> Option<(&'static str, &str)> {
        let kinds: [(&'static str, &Option<Vec<Value>>); 4] = [
            ("url", &self.url),
            ("dname", &self.dname),
            ("ipv4", &self.ipv4),
            ("ipv6", &self.ipv6),
        ];
        kinds.into_iter().find_map(|(kind, values)| {
            values
                .as_ref()?
                .iter()
                .find_map(Value::as_str)
                .map(|value| (kind, value))
        })
    }
}

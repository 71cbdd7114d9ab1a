//! Authentication information (CACAO 2.0 section 6) and the [`Secret`] type that keeps its values
//! out of logs.
//!
//! Passwords and tokens are [`Secret`]s: they serialise as written (a playbook must round-trip),
//! but their `Debug` and `Display` print a placeholder, so a secret that reaches a log line, an
//! error message or an event through formatting is redacted.

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cacao_object;
use crate::vocab::AuthenticationInfoType;

/// A secret value. Formatting it prints `[REDACTED]`; [`Secret::expose`] gives the value to the
/// code that must use it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// What formatting prints instead of the value.
    pub const PLACEHOLDER: &'static str = "[REDACTED]";

    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the code that authenticates with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::PLACEHOLDER)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::PLACEHOLDER)
    }
}

cacao_object! {
    /// Authentication information of any type (`http-basic`, `oauth2`, `user-auth`, or another).
    pub struct AuthenticationInfo {
        /// `authentication-info-type-ov`.
        "type" => auth_type: required<AuthenticationInfoType>,
        /// A name.
        "name" => name: optional<String>,
        /// A description.
        "description" => description: optional<String>,
        /// The user id (http-basic).
        "user_id" => user_id: optional<String>,
        /// The user name (user-auth).
        "username" => username: optional<String>,
        /// The password (http-basic, user-auth).
        "password" => password: optional<Secret>,
        /// The header that carries the token (oauth2).
        "oauth_header" => oauth_header: optional<String>,
        /// The bearer token (oauth2).
        "token" => token: optional<Secret>,
        /// Whether the secret lives in a key management service.
        "kms" => kms: optional<bool>,
        /// The key of the secret in the key management service.
        "kms_key_identifier" => kms_key_identifier: optional<String>,
        /// Extension objects keyed by extension-definition id.
        "authentication_info_extensions" => authentication_info_extensions: optional<IndexMap<String, Value>>,
    }
}

impl AuthenticationInfo {
    /// The secret values this object holds, for redaction by code that handles text derived
    /// from it.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        [&self.password, &self.token]
            .into_iter()
            .filter_map(|secret| secret.as_ref().map(Secret::expose))
            .filter(|value| !value.is_empty())
    }
}

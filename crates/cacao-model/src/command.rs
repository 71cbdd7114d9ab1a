//! Commands (CACAO 2.0 section 5): what an action step asks its agent to do.
//!
//! All command types share one struct: they differ only in which of `command`, `command_b64`,
//! `content`, `content_b64` and `headers` they use, and the type is an open vocabulary, so a
//! command of a type this model does not know is kept like any other.

use base64::Engine as _;
use indexmap::IndexMap;

use crate::cacao_object;
use crate::common::ExternalReference;
use crate::vocab::{CommandType, PlaybookActivity};

cacao_object! {
    /// A command of any type (`command-data` and its per-type properties).
    pub struct Command {
        /// `command-type-ov`.
        "type" => command_type: required<CommandType>,
        /// What the command does.
        "description" => description: optional<String>,
        /// The version of the command type.
        "version" => version: optional<String>,
        /// The activity this command performs.
        "playbook_activity" => playbook_activity: optional<PlaybookActivity>,
        /// References to outside information.
        "external_references" => external_references: optional<Vec<ExternalReference>>,
        /// The command text (for http-api and openc2-http, an HTTP start line).
        "command" => command: optional<String>,
        /// The command, base64-encoded (RFC 4648 section 4).
        "command_b64" => command_b64: optional<String>,
        /// The HTTP body (http-api).
        "content" => content: optional<String>,
        /// The HTTP body, base64-encoded (http-api, openc2-http).
        "content_b64" => content_b64: optional<String>,
        /// HTTP headers: name to a list of values.
        "headers" => headers: optional<IndexMap<String, Vec<String>>>,
    }
}

impl Command {
    /// The command text: `command` when set, else `command_b64` decoded as UTF-8.
    pub fn text(&self) -> Result<Option<String>, DecodeError> {
        if let Some(command) = &self.command {
            return Ok(Some(command.clone()));
        }
        self.command_b64
            .as_deref()
            .map(|encoded| decode_utf8("command_b64", encoded))
            .transpose()
    }

    /// The body: `content` when set, else `content_b64` decoded.
    pub fn body(&self) -> Result<Option<Vec<u8>>, DecodeError> {
        if let Some(content) = &self.content {
            return Ok(Some(content.clone().into_bytes()));
        }
        self.content_b64
            .as_deref()
            .map(|encoded| decode("content_b64", encoded))
            .transpose()
    }
}

/// A base64 property that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{property}` is not valid base64 (RFC 4648 section 4){detail}")]
pub struct DecodeError {
    /// The property name.
    pub property: &'static str,
    /// More detail, starting with `: ` when present.
    pub detail: String,
}

/// Decodes standard base64 as CACAO uses it. Line breaks and surrounding white space, which some
/// encoders add, are ignored.
pub fn decode(property: &'static str, encoded: &str) -> Result<Vec<u8>, DecodeError> {
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|error| DecodeError {
            property,
            detail: format!(": {error}"),
        })
}

fn decode_utf8(property: &'static str, encoded: &str) -> Result<String, DecodeError> {
    let bytes = decode(property, encoded)?;
    String::from_utf8(bytes).map_err(|_| DecodeError {
        property,
        detail: ": the decoded bytes are not UTF-8".into(),
    })
}

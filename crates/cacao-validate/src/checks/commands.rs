//! Command rules: the content each command type needs, base64 that decodes (RFC 4648 section 4,
//! the standard alphabet), HTTP start lines for `http-api` and `openc2-http`, and POST for
//! OpenC2.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::Context;
use crate::diagnostic::{Place, Rule};
use crate::json::{Kind, NodeId, Span};

/// Command types whose content is `command` or `command_b64`, one of which must be present.
const COMMAND_OR_BASE64: &[&str] = &["manual", "bash", "ssh", "powershell", "caldera-cmd"];

/// Standard base64, padding optional (producers disagree on it; the bytes are the same).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(crate) fn check(context: &mut Context<'_>) {
    let document = context.document;
    for (id, step) in context.steps() {
        let Some(commands) = document.get(step, "commands") else {
            continue;
        };
        for (index, command) in document.items(commands).enumerate() {
            if document.kind(command) != Kind::Object {
                continue;
            }
            let command_type = document.get_str(command, "type").unwrap_or_default();
            let what = || format!("command {index} (`{command_type}`) of step `{id}`");

            if COMMAND_OR_BASE64.contains(&command_type)
                && document.get(command, "command").is_none()
                && document.get(command, "command_b64").is_none()
            {
                context.report(
                    Rule::CommandMissingContent,
                    Place::Inside(command, Span::new(document.span(command).start, document.span(command).start + 1)),
                    format!("{} has neither `command` nor `command_b64`", what()),
                    format!("add `command` with the {command_type} command, or `command_b64` with it base64-encoded"),
                );
            }

            for key in ["command_b64", "content_b64"] {
                if let Some(node) = document.get(command, key) {
                    check_base64(context, node, key, &what);
                }
            }

            if matches!(command_type, "http-api" | "openc2-http")
                && let Some(node) = document.get(command, "command")
            {
                check_start_line(context, node, command_type, &what);
            }
        }
    }
}

fn check_base64(context: &mut Context<'_>, node: NodeId, key: &str, what: &dyn Fn() -> String) {
    let document = context.document;
    let Some(text) = document.as_str(node) else {
        return;
    };
    let Err(error) = BASE64.decode(text) else {
        return;
    };

    let (offset, reason) = match error {
        base64::DecodeError::InvalidByte(offset, byte) => {
            let offset = crate::json::floor_char_boundary(text, offset);
            let character = text[offset..].chars().next().unwrap_or(byte as char);
            let reason = match byte {
                b'-' | b'_' => format!(
                    "`{character}` at position {offset} belongs to base64url; CACAO uses the standard alphabet with `+` and `/`"
                ),
                b'\n' | b'\r' | b' ' | b'\t' => {
                    format!("it has whitespace or a line break at position {offset}")
                }
                _ => format!(
                    "`{}` at position {offset} is not a base64 character",
                    character.escape_default()
                ),
            };
            (offset, reason)
        }
        base64::DecodeError::InvalidLength(length) => (
            text.len(),
            format!("its length {length} cannot be base64 (one character too many or too few)"),
        ),
        base64::DecodeError::InvalidLastSymbol(offset, _) => (
            crate::json::floor_char_boundary(text, offset),
            format!("the last character (position {offset}) has bits set that base64 leaves zero"),
        ),
        base64::DecodeError::InvalidPadding => (text.len(), "its `=` padding is wrong".to_owned()),
    };
    let start = document.source_offset_in_string(node, offset);
    let end = document
        .source_offset_in_string(node, (offset + 1).min(text.len()))
        .max(start + 1);
    let help = if text.contains("__") && text.contains(":value") {
        "a variable reference cannot be base64-encoded content; put it in `command` instead"
            .to_owned()
    } else {
        format!(
            "encode the content with standard base64 (RFC 4648 section 4), for example `base64 -w0 file`, and put the result in `{key}`"
        )
    };
    context.report(
        Rule::CommandBase64,
        Place::Inside(node, Span::new(start, end.min(document.span(node).end))),
        format!("`{key}` of {} is not base64: {reason}", what()),
        help,
    );
}

/// Checks "METHOD request-target HTTP/x.y". Returns the method when the line parses.
pub(crate) fn parse_start_line(line: &str) -> Result<&str, String> {
    let parts: Vec<&str> = line.split(' ').collect();
    let is_token = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
    };
    let is_version = |text: &str| {
        text.strip_prefix("HTTP/").is_some_and(|number| {
            let bytes = number.as_bytes();
            match bytes {
                [major] => major.is_ascii_digit(),
                [major, b'.', minor] => major.is_ascii_digit() && minor.is_ascii_digit(),
                _ => false,
            }
        })
    };
    match parts.as_slice() {
        [method, target, version]
            if is_token(method) && !target.is_empty() && is_version(version) =>
        {
            Ok(method)
        }
        [method, _, _] if !is_token(method) => Err(format!("`{method}` is not an HTTP method")),
        [_, "", _] => Err("it has two spaces in a row".to_owned()),
        [_, _, version] => Err(format!(
            "`{version}` is not an HTTP version such as `HTTP/1.1`"
        )),
        [_, _] => Err("it has no HTTP version at the end".to_owned()),
        [_] if line.contains(['\n', '\t']) => {
            Err("it uses line breaks or tabs instead of single spaces".to_owned())
        }
        [_] => Err("it is not `METHOD target HTTP/version`".to_owned()),
        _ => Err(format!(
            "it has {} space-separated parts instead of three (is the target URL-encoded?)",
            parts.len()
        )),
    }
}

fn check_start_line(
    context: &mut Context<'_>,
    node: NodeId,
    command_type: &str,
    what: &dyn Fn() -> String,
) {
    let document = context.document;
    let Some(line) = document.as_str(node) else {
        return;
    };
    match parse_start_line(line) {
        Err(reason) => context.report(
            Rule::CommandHttpStartLine,
            Place::Node(node),
            format!("the `command` of {} is not an HTTP start line: {reason}", what()),
            "write `METHOD request-target HTTP/version`, such as `POST /api/v1/block HTTP/1.1` (a full URL as the target is fine)",
        ),
        Ok(method) if command_type == "openc2-http" && method != "POST" => {
            let end = document.source_offset_in_string(node, method.len());
            let start = document.span(node).start + 1;
            context.report(
                Rule::CommandOpenc2Method,
                Place::Inside(node, Span::new(start, end)),
                format!("{} uses the method `{method}`; OpenC2 over HTTPS sends commands with POST", what()),
                format!("write `POST` instead of `{method}`"),
            );
        }
        Ok(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines_have_three_parts() {
        assert_eq!(
            parse_start_line("GET /api1/getObject?id=1234 HTTP/1.1"),
            Ok("GET")
        );
        assert_eq!(
            parse_start_line("POST https://example.org/openc2 HTTP/2"),
            Ok("POST")
        );
        assert_eq!(parse_start_line("GET __target__:value HTTP/1.1"), Ok("GET"));
        for (line, reason) in [
            ("PATCH https://example.org/x", "no HTTP version"),
            ("GET /x HTTP/1.1 extra", "4 space-separated parts"),
            ("GET  /x HTTP/1.1", "4 space-separated parts"),
            ("GET /x HTTPS/1.1", "not an HTTP version"),
            ("GE(T /x HTTP/1.1", "not an HTTP method"),
            ("https://example.org", "not `METHOD"),
        ] {
            let error = parse_start_line(line).unwrap_err();
            assert!(error.contains(reason), "{line}: {error}");
        }
    }

    #[test]
    fn base64_accepts_standard_alphabet_with_or_without_padding() {
        assert!(BASE64.decode("aGVsbG8=").is_ok());
        assert!(BASE64.decode("aGVsbG8").is_ok());
        assert!(BASE64.decode("aGVs bG8=").is_err());
        assert!(BASE64.decode("a-Vs").is_err());
    }
}

//! Canonical formatting for `cacao fmt`: 2-space indented JSON that keeps every key in its
//! order, every number exactly as written (no rounding, no reformatting) and every string's
//! value. Strings are re-escaped the way `serde_json` writes them, so the output is the same
//! whatever escapes the input used.

use crate::json::{Document, Kind, NodeId};

/// The canonical text of a parsed document, ending with a newline.
pub fn canonical(document: &Document<'_>) -> String {
    let mut out = String::with_capacity(document.source().len() + document.source().len() / 4);
    write_value(document, document.root(), 0, &mut out);
    out.push('\n');
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(document: &Document<'_>, node: NodeId, depth: usize, out: &mut String) {
    match document.kind(node) {
        Kind::Null => out.push_str("null"),
        Kind::Bool => out.push_str(if document.as_bool(node) == Some(true) {
            "true"
        } else {
            "false"
        }),
        Kind::Number => out.push_str(document.number_text(node).unwrap_or("0")),
        Kind::String => write_string(document.as_str(node).unwrap_or_default(), out),
        Kind::Array => {
            if document.len(node) == 0 {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for (position, item) in document.items(node).enumerate() {
                if position > 0 {
                    out.push_str(",\n");
                }
                indent(out, depth + 1);
                write_value(document, item, depth + 1, out);
            }
            out.push('\n');
            indent(out, depth);
            out.push(']');
        }
        Kind::Object => {
            if document.len(node) == 0 {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (position, member) in document.members(node).enumerate() {
                if position > 0 {
                    out.push_str(",\n");
                }
                indent(out, depth + 1);
                write_string(member.key, out);
                out.push_str(": ");
                write_value(document, member.value, depth + 1, out);
            }
            out.push('\n');
            indent(out, depth);
            out.push('}');
        }
    }
}

/// Writes `text` as a JSON string: `"` and `\` escaped, control characters as short escapes or
/// `\u00XX`, everything else verbatim.
pub fn write_string(text: &str, out: &mut String) {
    out.push('"');
    let mut run_start = 0;
    for (offset, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[run_start..offset]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        run_start = offset + 1;
    }
    out.push_str(&text[run_start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &str) -> String {
        canonical(&Document::parse(text.as_bytes()).unwrap())
    }

    #[test]
    fn keeps_order_numbers_and_unknown_properties() {
        let text = r#"{"z":1.50,"a":[1e3,-0,12345678901234567890],"x_custom":{"k":"v\u00e9\/"},"e":[],"o":{}}"#;
        assert_eq!(
            format(text),
            "{\n  \"z\": 1.50,\n  \"a\": [\n    1e3,\n    -0,\n    12345678901234567890\n  ],\n  \"x_custom\": {\n    \"k\": \"vé/\"\n  },\n  \"e\": [],\n  \"o\": {}\n}\n"
        );
    }

    #[test]
    fn escapes_like_serde_json() {
        let text = "{\"k\":\"a\\\"b\\\\c\\n\\u0001\\t\"}";
        let formatted = format(text);
        let ours: serde_json::Value = serde_json::from_str(&formatted).unwrap();
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, original);
        assert!(formatted.contains("\\u0001"));
    }

    #[test]
    fn formatting_is_idempotent() {
        let once = format(r#"{"a" : [ {"b":null} , true ],"c":"\u2028"}"#);
        assert_eq!(format(&once), once);
    }
}

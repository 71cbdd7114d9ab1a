//! Adjustments to the embedded schemas where they contradict the CACAO 2.0 text.
//!
//! The schema files stay as published (plus the documented 2020-12 patch); these edits are made
//! to the parsed JSON before compiling, one function per reason, so that each departure is
//! visible in one place and listed in `docs/rules.md`:
//! - dictionaries keyed by identifiers or variable names accept any key and check the value
//!   against the common schema; the keys themselves are checked by the semantic rules, which
//!   give `id/format`, `id/prefix-mismatch` and `variable/name` findings instead of "unknown
//!   property", and agents, targets and authentication information of a custom type (open
//!   vocabularies, specification gap G9) are checked against the common properties;
//! - `delay` may be 0 and `timeout` may not be negative (the text says "𝕎 whole number");
//! - an OAuth2 object whose token is held in a KMS (`kms: true`) needs no `token`;
//! - a `dictionary` variable may have a JSON object as its value (gap G7);
//! - addresses may hold a variable reference such as `__host__:value` (gap G8).

use serde_json::{Value, json};

use super::FILES;

/// The pattern of a whole-string variable reference, accepted in address lists.
const VARIABLE_REFERENCE: &str = "^__[a-zA-Z][a-zA-Z0-9_-]*__:value$";

/// The embedded files, parsed and adjusted.
pub(crate) fn adjusted_files() -> Vec<(&'static str, Value)> {
    let mut files: Vec<(&'static str, Value)> = FILES
        .iter()
        .map(|(path, text)| {
            let value = serde_json::from_str(text)
                .unwrap_or_else(|error| panic!("embedded schema {path} is not JSON: {error}"));
            (*path, value)
        })
        .collect();

    for (path, schema) in &mut files {
        match *path {
            "playbook.json" => open_playbook_dictionaries(schema),
            "workflows/workflow-step.json" => {
                open_step_dictionaries(schema);
                allow_zero_delay(schema);
            }
            "agent-target/agent-target.json" => {
                open_extensions(schema, "/properties/agent_target_extensions");
            }
            "authentication-info/authentication-info.json" => {
                open_extensions(schema, "/properties/authentication_info_extensions");
            }
            "data-markings/data-marking.json" => {
                open_extensions(schema, "/properties/marking_extensions");
            }
            "authentication-info/oauth2.json" => token_optional_with_kms(schema),
            "data-types/variable.json" => dictionary_values(schema),
            "agent-target/http-api.json"
            | "agent-target/linux.json"
            | "agent-target/net-address.json"
            | "agent-target/ssh.json" => variables_in_addresses(schema),
            _ => {}
        }
    }
    files
}

fn set(schema: &mut Value, pointer: &str, key: &str, value: Value) {
    match schema.pointer_mut(pointer).and_then(Value::as_object_mut) {
        Some(object) => {
            object.insert(key.to_owned(), value);
        }
        None => panic!("schema overlay: {pointer} does not exist"),
    }
}

fn open_playbook_dictionaries(schema: &mut Value) {
    let dictionaries = [
        ("workflow", json!({"$ref": "workflows/workflow-step.json"})),
        (
            "agent_definitions",
            json!({"$ref": "agent-target/agent-target.json"}),
        ),
        (
            "target_definitions",
            json!({"$ref": "agent-target/agent-target.json"}),
        ),
        (
            "authentication_info_definitions",
            json!({"$ref": "authentication-info/authentication-info.json"}),
        ),
        (
            "data_marking_definitions",
            json!({"$ref": "data-markings/data-marking.json"}),
        ),
        (
            "extension_definitions",
            json!({"$ref": "extension-definition/extension-definition.json"}),
        ),
        ("playbook_extensions", json!({"type": "object"})),
        (
            "playbook_variables",
            json!({"$ref": "data-types/variable.json"}),
        ),
    ];
    for (property, fallback) in dictionaries {
        set(
            schema,
            &format!("/properties/{property}"),
            "additionalProperties",
            fallback,
        );
    }
}

fn open_step_dictionaries(schema: &mut Value) {
    set(
        schema,
        "/properties/step_variables",
        "additionalProperties",
        json!({"$ref": "../data-types/variable.json"}),
    );
    open_extensions(schema, "/properties/step_extensions");
}

fn open_extensions(schema: &mut Value, pointer: &str) {
    set(
        schema,
        pointer,
        "additionalProperties",
        json!({"type": "object"}),
    );
}

fn allow_zero_delay(schema: &mut Value) {
    set(schema, "/properties/delay", "minimum", json!(0));
    set(schema, "/properties/timeout", "minimum", json!(0));
}

fn token_optional_with_kms(schema: &mut Value) {
    let object = schema.as_object_mut().expect("oauth2.json is an object");
    object.remove("required");
    object.insert(
        "if".to_owned(),
        json!({"properties": {"kms": {"const": true}}, "required": ["kms"]}),
    );
    object.insert("then".to_owned(), json!({"required": ["oauth_header"]}));
    object.insert(
        "else".to_owned(),
        json!({"required": ["oauth_header", "token"]}),
    );
}

fn dictionary_values(schema: &mut Value) {
    let description = schema
        .pointer("/properties/value/description")
        .cloned()
        .unwrap_or(Value::Null);
    set(
        schema,
        "/properties",
        "value",
        json!({"description": description}),
    );
    set(
        schema,
        "",
        "allOf",
        json!([{
            "if": {"properties": {"type": {"const": "dictionary"}}, "required": ["type"]},
            "then": {"properties": {"value": {"type": ["string", "null", "object"]}}},
            "else": {"properties": {"value": {"type": ["string", "null"]}}}
        }]),
    );
}

fn variables_in_addresses(schema: &mut Value) {
    let base = "/allOf/1/properties/address/patternProperties";
    for key in ["^url$", "^l2mac$", "^ipv4$", "^ipv6$"] {
        let pointer = format!("{base}/{key}/items");
        let original = schema
            .pointer(&format!("{pointer}/pattern"))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("schema overlay: {pointer}/pattern does not exist"))
            .to_owned();
        set(
            schema,
            &pointer,
            "pattern",
            json!(format!("{VARIABLE_REFERENCE}|(?:{original})")),
        );
    }
}

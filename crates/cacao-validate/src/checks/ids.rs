//! Identifier rules: the form `object-type--UUID` of dictionary keys (which the schema pass
//! leaves to this module), type prefixes that agree with the object's `type`, identity and
//! playbook references with the right prefix, version 4 UUIDs for steps, and UUIDs that are not
//! reused across objects of different types.

use super::{Context, Definition, describe};
use crate::diagnostic::{Place, Rule};
use crate::json::{Document, Kind, NodeId};

/// An identifier split into its type and UUID, when it has the form the CACAO schema requires:
/// `^[a-z][a-z0-9-]+[a-z0-9]--UUID$` with an RFC 4122 UUID of version 1 to 5.
pub(crate) fn parse_identifier(text: &str) -> Option<(&str, &str)> {
    identifier_parts(text).ok()
}

/// Why `text` is not an identifier, or `None` when it is one.
pub(crate) fn identifier_problem(text: &str) -> Option<String> {
    identifier_parts(text).err()
}

fn identifier_parts(text: &str) -> Result<(&str, &str), String> {
    if let Some(parts) = well_formed_parts(text) {
        return Ok(parts);
    }
    identifier_error(text)
}

/// The common case, checked without building any message.
fn well_formed_parts(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let length = bytes.len();
    if length < 41 || &bytes[length - 38..length - 36] != b"--" || !is_uuid(&bytes[length - 36..]) {
        return None;
    }
    let type_bytes = &bytes[..length - 38];
    let type_ok = type_bytes[0].is_ascii_lowercase()
        && type_bytes[type_bytes.len() - 1] != b'-'
        && type_bytes.iter().all(|byte| TYPE_BYTE[*byte as usize]);
    // Every byte checked is ASCII, so both slices fall on character boundaries.
    type_ok.then(|| (&text[..length - 38], &text[length - 36..]))
}

/// Why `text` is not an identifier (the slow path, for messages).
fn identifier_error(text: &str) -> Result<(&str, &str), String> {
    let bytes = text.as_bytes();
    if !text.contains("--") {
        return Err("it has no `--` between the object type and the UUID".to_owned());
    }
    if bytes.len() < 38
        || !text.is_char_boundary(bytes.len() - 36)
        || &bytes[bytes.len() - 38..bytes.len() - 36] != b"--"
    {
        return Err("it does not end in `--` followed by a 36-character UUID".to_owned());
    }
    let object_type = &text[..text.len() - 38];
    let uuid = &text[text.len() - 36..];

    let type_bytes = object_type.as_bytes();
    let type_ok = type_bytes.len() >= 3
        && type_bytes[0].is_ascii_lowercase()
        && type_bytes
            .iter()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-')
        && type_bytes[type_bytes.len() - 1] != b'-';
    if !type_ok {
        return Err(format!(
            "the object type `{object_type}` must be at least three lower-case letters, digits or hyphens, starting with a letter"
        ));
    }

    let uuid_bytes = uuid.as_bytes();
    if !is_uuid_shape(uuid_bytes) {
        return Err(format!(
            "`{uuid}` is not a UUID (8-4-4-4-12 hexadecimal digits)"
        ));
    }
    if !matches!(uuid_bytes[14], b'1'..=b'5') {
        return Err(format!(
            "the UUID has version digit `{}`; RFC 4122 versions are 1 to 5",
            uuid_bytes[14] as char
        ));
    }
    if !matches!(uuid_bytes[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B') {
        return Err(format!(
            "the UUID's variant digit `{}` must be 8, 9, a or b",
            uuid_bytes[19] as char
        ));
    }
    Ok((object_type, uuid))
}

/// The bytes an object type may contain: lower-case letters, digits and hyphens.
static TYPE_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let value = byte as u8;
        table[byte] = value.is_ascii_lowercase() || value.is_ascii_digit() || value == b'-';
        byte += 1;
    }
    table
};

static HEXADECIMAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_hexdigit();
        byte += 1;
    }
    table
};

/// 8-4-4-4-12 hexadecimal digits (checked for every identifier, so written for speed).
fn is_uuid_shape(bytes: &[u8]) -> bool {
    let Ok(bytes) = <&[u8; 36]>::try_from(bytes) else {
        return false;
    };
    // Groups of fixed length, so that each check compiles to straight-line code.
    let hexadecimal = |group: &[u8]| group.iter().all(|byte| HEXADECIMAL[*byte as usize]);
    bytes[8] == b'-'
        && bytes[13] == b'-'
        && bytes[18] == b'-'
        && bytes[23] == b'-'
        && hexadecimal(&bytes[..8])
        && hexadecimal(&bytes[9..13])
        && hexadecimal(&bytes[14..18])
        && hexadecimal(&bytes[19..23])
        && hexadecimal(&bytes[24..])
}

/// Whether `bytes` is a hyphenated RFC 4122 UUID of version 1 to 5, as the CACAO identifier
/// pattern requires.
pub(crate) fn is_uuid(bytes: &[u8]) -> bool {
    is_uuid_shape(bytes)
        && matches!(bytes[14], b'1'..=b'5')
        && matches!(bytes[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

/// The version digit of a well-formed UUID (the UUID part of an identifier).
pub(crate) fn uuid_version(uuid: &str) -> u8 {
    uuid.as_bytes()[14] - b'0'
}

pub(crate) fn check(context: &mut Context<'_>) {
    // Room for the ids the checks below record (the playbook's and the keys of these
    // dictionaries), so that the list does not grow as it fills.
    let document = context.document;
    let ids = [
        "workflow",
        "agent_definitions",
        "target_definitions",
        "authentication_info_definitions",
        "data_marking_definitions",
        "extension_definitions",
    ]
    .iter()
    .filter_map(|property| document.get(context.root, property))
    .map(|dictionary| document.len(dictionary))
    .sum::<usize>();
    let mut uuids = UuidRegistry {
        entries: Vec::with_capacity(1 + ids),
    };
    check_playbook_id(context, &mut uuids);
    check_step_keys(context, &mut uuids);
    for property in ["agent_definitions", "target_definitions"] {
        check_typed_keys(context, property, &mut uuids);
    }
    check_typed_keys(context, "authentication_info_definitions", &mut uuids);
    check_marking_keys(context, &mut uuids);
    check_extension_definition_keys(context, &mut uuids);
    uuids.report(context);
    check_prefixed_references(context);
}

/// Collects the UUID of every object id; [`UuidRegistry::report`] then finds UUIDs used by
/// two different ids by sorting (no hashing of attacker-chosen keys).
#[derive(Default)]
struct UuidRegistry<'d> {
    entries: Vec<(u128, &'d str, Place)>,
}

/// The 128 bits of a well-formed UUID, whatever the case of its digits.
fn uuid_bits(uuid: &str) -> u128 {
    uuid.bytes()
        .filter(|byte| *byte != b'-')
        .fold(0, |bits, digit| {
            (bits << 4) | u128::from(HEXADECIMAL_VALUE[digit as usize])
        })
}

/// The value of each hexadecimal digit (the other bytes do not occur in a checked UUID).
static HEXADECIMAL_VALUE: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = match byte as u8 {
            digit @ b'0'..=b'9' => digit - b'0',
            letter @ b'a'..=b'f' => letter - b'a' + 10,
            letter @ b'A'..=b'F' => letter - b'A' + 10,
            _ => 0,
        };
        byte += 1;
    }
    table
};

impl<'d> UuidRegistry<'d> {
    fn record(&mut self, identifier: &'d str, place: Place) {
        if let Some((_, uuid)) = parse_identifier(identifier) {
            self.record_parsed(identifier, uuid, place);
        }
    }

    /// Records an identifier already split, with `uuid` its UUID part.
    fn record_parsed(&mut self, identifier: &'d str, uuid: &str, place: Place) {
        self.entries.push((uuid_bits(uuid), identifier, place));
    }

    /// Reports every id whose UUID an earlier, different id already uses.
    fn report(self, context: &mut Context<'_>) {
        // Sorting (UUID, position) pairs keeps document order among equal UUIDs, and moves
        // less than sorting the entries.
        let mut order: Vec<(u128, usize)> = self
            .entries
            .iter()
            .enumerate()
            .map(|(position, (bits, _, _))| (*bits, position))
            .collect();
        order.sort_unstable();
        let mut group_start = 0;
        for index in 1..=order.len() {
            if index < order.len() && order[index].0 == order[group_start].0 {
                continue;
            }
            let earlier = self.entries[order[group_start].1].1;
            for &(_, position) in &order[group_start + 1..index] {
                let (_, identifier, place) = &self.entries[position];
                if *identifier != earlier {
                    context.report(
                        Rule::IdPrefixMismatch,
                        place.clone(),
                        format!("`{identifier}` reuses the UUID of `{earlier}`; a UUID must not be used for two different objects"),
                        "generate a fresh UUID (version 4) for one of them and update its references",
                    );
                }
            }
            group_start = index;
        }
    }
}

fn check_playbook_id<'d>(context: &mut Context<'d>, uuids: &mut UuidRegistry<'d>) {
    let document = context.document;
    let Some(id_node) = document.get(context.root, "id") else {
        return;
    };
    let Some(id) = document.as_str(id_node) else {
        return;
    };
    if let Some((object_type, _)) = parse_identifier(id)
        && object_type != "playbook"
    {
        context.report(
            Rule::IdPrefixMismatch,
            Place::Node(id_node),
            format!("the playbook id `{id}` has the type prefix `{object_type}`"),
            "a playbook id starts with `playbook--`",
        );
    }
    uuids.record(id, Place::Node(id_node));
}

/// Reports a key that is not an identifier or whose prefix differs from `expected_type`.
/// Returns the key's UUID when the key is a well-formed identifier.
fn check_key<'k>(
    context: &mut Context<'_>,
    definition: &Definition<'k>,
    expected_type: Option<&str>,
    what: &str,
) -> Option<&'k str> {
    match identifier_parts(definition.key) {
        Err(reason) => {
            context.report(
                Rule::IdFormat,
                definition.key_place(),
                format!(
                    "the {what} key `{}` is not an identifier: {reason}",
                    definition.key
                ),
                format!(
                    "a {what} key is its type, two hyphens and a UUID, such as `{}--{}`",
                    expected_type.unwrap_or("action"),
                    "9a3f6e2c-51d4-4b8e-a0c7-2f1d8e6b4a90"
                ),
            );
            None
        }
        Ok((prefix, uuid)) => {
            if let Some(expected) = expected_type
                && prefix != expected
            {
                context.report(
                    Rule::IdPrefixMismatch,
                    definition.key_place(),
                    format!(
                        "the {what} key `{}` starts with `{prefix}--`, but the object's type is `{expected}`",
                        definition.key
                    ),
                    format!(
                        "rename the key to `{expected}--{uuid}` and update every reference to it, or correct `type`"
                    ),
                );
            }
            Some(uuid)
        }
    }
}

fn check_step_keys<'d>(context: &mut Context<'d>, uuids: &mut UuidRegistry<'d>) {
    let document = context.document;
    let Some(workflow) = document.get(context.root, "workflow") else {
        return;
    };
    if document.kind(workflow) != Kind::Object {
        return;
    }
    for (member, entry) in document.members(workflow).enumerate() {
        let definition = Definition {
            dictionary: workflow,
            member,
            key: entry.key,
            node: entry.value,
        };
        let step_type = document.get_str(entry.value, "type");
        let Some(uuid) = check_key(context, &definition, step_type, "step") else {
            continue;
        };
        let version = uuid_version(uuid);
        if version != 4 {
            context.report(
                Rule::IdUuidVersion,
                definition.key_place(),
                format!("the step id `{}` uses a version {version} UUID; step ids must be UUIDv4", entry.key),
                "generate a random (version 4) UUID for the step, for example with `uuidgen -r`, and update its references",
            );
        }
        uuids.record_parsed(entry.key, uuid, definition.key_place());
    }
}

fn check_typed_keys<'d>(context: &mut Context<'d>, property: &str, uuids: &mut UuidRegistry<'d>) {
    let document = context.document;
    let what = match property {
        "agent_definitions" => "agent",
        "target_definitions" => "target",
        _ => "authentication info",
    };
    for definition in context.definitions(property) {
        let object_type = document.get_str(definition.node, "type");
        if let Some(uuid) = check_key(context, &definition, object_type, what) {
            uuids.record_parsed(definition.key, uuid, definition.key_place());
        }
    }
}

fn check_marking_keys<'d>(context: &mut Context<'d>, uuids: &mut UuidRegistry<'d>) {
    let document = context.document;
    for definition in context.definitions("data_marking_definitions") {
        let object_type = document.get_str(definition.node, "type");
        let Some(uuid) = check_key(context, &definition, object_type, "marking") else {
            continue;
        };
        uuids.record_parsed(definition.key, uuid, definition.key_place());
        if let Some(id_node) = document.get(definition.node, "id")
            && let Some(id) = document.as_str(id_node)
            && id != definition.key
            && parse_identifier(id).is_some()
        {
            context.report(
                Rule::IdPrefixMismatch,
                Place::Node(id_node),
                format!(
                    "the marking's `id` `{id}` differs from its key `{}`",
                    definition.key
                ),
                "a data marking repeats its key in `id`; make them equal",
            );
        }
    }
}

fn check_extension_definition_keys<'d>(context: &mut Context<'d>, uuids: &mut UuidRegistry<'d>) {
    for definition in context.definitions("extension_definitions") {
        if let Some(uuid) = check_key(
            context,
            &definition,
            Some("extension-definition"),
            "extension definition",
        ) {
            uuids.record_parsed(definition.key, uuid, definition.key_place());
        }
    }
}

/// References whose target is outside the playbook but whose type is fixed: identities
/// (`created_by`, `owner`) and playbooks (`derived_from`, `playbook_id`); and the keys of
/// `*_extensions` dictionaries.
fn check_prefixed_references(context: &mut Context<'_>) {
    let document = context.document;

    // Each reference is checked as it is found, in the order the findings have always had.
    let root = context.root;
    if let Some(node) = document.get(root, "created_by") {
        expect_prefix(
            context,
            node,
            "identity",
            "`created_by` names the STIX identity that created the playbook",
        );
    }
    if let Some(list) = document.get(root, "derived_from") {
        for item in document.items(list) {
            expect_prefix(
                context,
                item,
                "playbook",
                "`derived_from` lists CACAO playbooks",
            );
        }
    }
    for (_, step) in context.steps() {
        if let Some(node) = document.get(step, "owner") {
            expect_prefix(context, node, "identity", "`owner` names a STIX identity");
        }
        if let Some(node) = document.get(step, "playbook_id") {
            expect_prefix(
                context,
                node,
                "playbook",
                "`playbook_id` names the playbook to run",
            );
        }
    }
    for property in ["data_marking_definitions", "extension_definitions"] {
        for definition in context.definitions(property) {
            if let Some(node) = document.get(definition.node, "created_by") {
                expect_prefix(
                    context,
                    node,
                    "identity",
                    "`created_by` names a STIX identity",
                );
            }
        }
    }

    for (dictionary, member) in context.extension_entries() {
        let entry = document.member(dictionary, member);
        let place = Place::Key(dictionary, member);
        match identifier_parts(entry.key) {
            Err(reason) => context.report(
                Rule::IdFormat,
                place,
                format!("the extension key `{}` is not an identifier: {reason}", entry.key),
                "extension keys are the ids of entries in `extension_definitions`, such as `extension-definition--418ee24c-9cb1-46d9-afa5-309e01aabc7f`",
            ),
            Ok((prefix, _)) if prefix != "extension-definition" => context.report(
                Rule::IdPrefixMismatch,
                place,
                format!("the extension key `{}` must be an `extension-definition--` identifier", entry.key),
                "use the id of the extension's entry in `extension_definitions`",
            ),
            Ok(_) => {}
        }
    }
}

/// Reports `node` when it is an identifier of another type than `expected`.
fn expect_prefix(context: &mut Context<'_>, node: NodeId, expected: &str, help: &str) {
    let document = context.document;
    let Some(text) = document.as_str(node) else {
        return;
    };
    if let Some((prefix, uuid)) = parse_identifier(text)
        && prefix != expected
    {
        context.report(
            Rule::IdPrefixMismatch,
            Place::Node(node),
            format!(
                "{} must be a `{expected}--` identifier, not a `{prefix}--` one",
                describe(document, node)
            ),
            format!("{help}; write `{expected}--{uuid}` if that is the object meant"),
        );
    }
}

/// Every member of every `*_extensions` dictionary: (dictionary, member index).
pub(crate) fn extension_dictionaries(context: &Context<'_>) -> Vec<(NodeId, usize)> {
    let document = context.document;
    let mut dictionaries = Vec::new();
    let mut add = |owner: NodeId, property: &str| {
        if let Some(dictionary) = document.get(owner, property)
            && document.kind(dictionary) == Kind::Object
        {
            dictionaries.push(dictionary);
        }
    };
    add(context.root, "playbook_extensions");
    for (_, step) in context.steps() {
        add(step, "step_extensions");
    }
    for property in ["agent_definitions", "target_definitions"] {
        for definition in context.definitions(property) {
            add(definition.node, "agent_target_extensions");
        }
    }
    for definition in context.definitions("authentication_info_definitions") {
        add(definition.node, "authentication_info_extensions");
    }
    for definition in context.definitions("data_marking_definitions") {
        add(definition.node, "marking_extensions");
    }
    dictionaries
        .into_iter()
        .flat_map(|dictionary| {
            (0..document.len(dictionary)).map(move |member| (dictionary, member))
        })
        .collect()
}

/// Finds the key in `dictionary` with the same UUID as `reference` (for prefix mismatches).
pub(crate) fn same_uuid_key<'d>(
    document: &'d Document<'d>,
    dictionary: NodeId,
    reference: &str,
) -> Option<&'d str> {
    let (_, uuid) = parse_identifier(reference)?;
    document
        .members(dictionary)
        .map(|member| member.key)
        .find(|key| {
            parse_identifier(key).is_some_and(|(_, other)| other.eq_ignore_ascii_case(uuid))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_schema_pattern() {
        assert!(parse_identifier("action--9a3f6e2c-51d4-4b8e-a0c7-2f1d8e6b4a90").is_some());
        assert!(
            parse_identifier("extension-definition--418ee24c-9cb1-46d9-afa5-309e01aabc7f")
                .is_some()
        );
        assert_eq!(
            parse_identifier("a--bc--9a3f6e2c-51d4-4b8e-a0c7-2f1d8e6b4a90").map(|(t, _)| t),
            Some("a--bc")
        );
        for (text, reason) in [
            ("identity-8c6af861-7b20-41ef-9b59-6344fd872a8c", "no `--`"),
            ("ab--8c6af861-7b20-41ef-9b59-6344fd872a8c", "object type"),
            (
                "Action--8c6af861-7b20-41ef-9b59-6344fd872a8c",
                "object type",
            ),
            (
                "action--8c6af861-7b20-01ef-9b59-6344fd872a8c",
                "version digit `0`",
            ),
            ("action--8c6af861-7b20-41ef-cb59-6344fd872a8c", "variant"),
            ("action--8c6af861x7b20-41ef-9b59-6344fd872a8c", "not a UUID"),
            ("action--1234", "36-character"),
        ] {
            let problem = identifier_problem(text).unwrap_or_default();
            assert!(problem.contains(reason), "{text}: {problem}");
        }
    }

    #[test]
    fn uuid_version_is_read_from_the_version_digit() {
        assert_eq!(uuid_version("9a3f6e2c-51d4-1b8e-a0c7-2f1d8e6b4a90"), 1);
        assert_eq!(uuid_version("9a3f6e2c-51d4-4b8e-a0c7-2f1d8e6b4a90"), 4);
        assert_eq!(
            uuid_bits("9A3F6E2C-51d4-4b8e-a0c7-2f1d8e6b4a90"),
            0x9a3f6e2c_51d4_4b8e_a0c7_2f1d8e6b4a90
        );
    }
}

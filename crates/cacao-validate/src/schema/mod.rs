//! The structural pass: the official CACAO 2.0 JSON schemas (the patched draft 2020-12 set in
//! `schemas/`), embedded in the binary and run over the position-keeping [`Document`].
//!
//! The schemas are compiled once per process into a flat list of [`SchemaNode`]s with resolved
//! `$ref`s and compiled regular expressions. [`evaluate`] runs them with draft 2020-12 semantics
//! for the keywords the CACAO set uses (including `unevaluatedProperties`), and [`classify`]
//! turns each schema error into a finding with one of the validator's rule ids, or drops it when
//! a semantic rule reports the same fault more precisely.
//!
//! Before compiling, [`overlay`] adjusts the schemas where they contradict the specification
//! text; `docs/rules.md` lists each adjustment.

pub(crate) mod classify;
#[cfg(test)]
mod differential;
pub(crate) mod evaluate;
pub(crate) mod overlay;

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use crate::json::KeyDigest;

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        /// Every schema file: its path below `schemas/` and its text.
        pub const FILES: &[(&str, &str)] = &[
            $( ($path, include_str!(concat!("../../schemas/", $path))), )*
        ];
    };
}

embedded![
    "agent-target/agent-target.json",
    "agent-target/group.json",
    "agent-target/http-api.json",
    "agent-target/individual.json",
    "agent-target/linux.json",
    "agent-target/location.json",
    "agent-target/net-address.json",
    "agent-target/organization.json",
    "agent-target/sector.json",
    "agent-target/security-category.json",
    "agent-target/ssh.json",
    "authentication-info/authentication-info.json",
    "authentication-info/http-basic.json",
    "authentication-info/oauth2.json",
    "authentication-info/user-auth.json",
    "commands/bash.json",
    "commands/caldera-cmd.json",
    "commands/command-data.json",
    "commands/elastic.json",
    "commands/http-api.json",
    "commands/jupyter.json",
    "commands/kestrel.json",
    "commands/manual.json",
    "commands/openc2-http.json",
    "commands/powershell.json",
    "commands/sigma.json",
    "commands/ssh.json",
    "commands/yara.json",
    "data-markings/data-marking.json",
    "data-markings/marking-iep.json",
    "data-markings/marking-statement.json",
    "data-markings/marking-tlp.json",
    "data-types/civic-location.json",
    "data-types/contact.json",
    "data-types/external-reference.json",
    "data-types/identifier.json",
    "data-types/playbook-processing-summary.json",
    "data-types/signature.json",
    "data-types/timestamp.json",
    "data-types/variable.json",
    "extension-definition/extension-definition.json",
    "playbook.json",
    "workflows/action.json",
    "workflows/end.json",
    "workflows/if-condition.json",
    "workflows/parallel.json",
    "workflows/playbook-action.json",
    "workflows/start.json",
    "workflows/switch-condition.json",
    "workflows/while-condition.json",
    "workflows/workflow-step.json",
];

/// The schema that a playbook document is checked against.
pub const ROOT_FILE: &str = "playbook.json";

/// An index into [`SchemaSet::nodes`].
pub(crate) type SchemaId = u32;

/// JSON types as a bit set, for the `type` keyword.
pub(crate) mod types {
    pub const NULL: u8 = 1;
    pub const BOOLEAN: u8 = 2;
    pub const NUMBER: u8 = 4;
    pub const INTEGER: u8 = 8;
    pub const STRING: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;

    /// The names of the types in `set`, for messages ("a string or null").
    pub fn describe(set: u8) -> String {
        let mut names = Vec::new();
        for (bit, name) in [
            (OBJECT, "an object"),
            (ARRAY, "an array"),
            (STRING, "a string"),
            (INTEGER, "an integer"),
            (NUMBER, "a number"),
            (BOOLEAN, "a boolean"),
            (NULL, "null"),
        ] {
            if set & bit != 0 && !(bit == INTEGER && set & NUMBER != 0) {
                names.push(name);
            }
        }
        match names.len() {
            0 => "nothing".to_owned(),
            1 => names[0].to_owned(),
            _ => format!(
                "{} or {}",
                names[..names.len() - 1].join(", "),
                names[names.len() - 1]
            ),
        }
    }
}

/// A literal of `enum` or `const`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
}

impl Literal {
    fn from_value(value: &Value) -> Result<Self, String> {
        Ok(match value {
            Value::Null => Literal::Null,
            Value::Bool(value) => Literal::Bool(*value),
            Value::Number(number) => Literal::Number(
                number
                    .as_f64()
                    .ok_or_else(|| format!("number {number} out of range"))?,
            ),
            Value::String(text) => Literal::String(text.clone()),
            other => return Err(format!("unsupported literal {other}")),
        })
    }

    /// The literal as JSON text, for messages.
    pub fn display(&self) -> String {
        match self {
            Literal::Null => "null".to_owned(),
            Literal::Bool(value) => value.to_string(),
            Literal::Number(value) => value.to_string(),
            Literal::String(text) => text.clone(),
        }
    }
}

/// The UUID part of the CACAO identifier pattern (versions 1 to 5, RFC 4122 variant).
const UUID_PATTERN: &str =
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}";

/// How a pattern is matched: the patterns every playbook uses thousands of times (identifiers,
/// identifiers with a fixed type, timestamps) by equivalent hand-written code, the rest by regex.
/// A property test checks that the hand-written matchers agree with the regexes.
#[derive(Debug)]
enum Matcher {
    Regex,
    Identifier,
    PrefixedUuid(String),
    /// `TYPE--UUID$` without `^`: the text ends with such an identifier.
    SuffixUuid(String),
    Timestamp,
}

/// A `pattern` or `patternProperties` key.
#[derive(Debug)]
pub(crate) struct Pattern {
    pub source: String,
    regex: Regex,
    literal_prefix: String,
    matcher: Matcher,
}

impl Pattern {
    fn new(source: &str) -> Result<Self, String> {
        let regex = Regex::new(source).map_err(|error| format!("pattern {source}: {error}"))?;
        // With an alternation anywhere the leading literal need not be a prefix of every match.
        let literal_prefix: String = source
            .strip_prefix('^')
            .filter(|_| !source.contains('|'))
            .map(|rest| {
                rest.chars()
                    .take_while(|character| !"\\[](){}.*+?^$|".contains(*character))
                    .collect()
            })
            .unwrap_or_default();
        let matcher = if source == format!("^[a-z][a-z0-9-]+[a-z0-9]--{UUID_PATTERN}$") {
            Matcher::Identifier
        } else if source
            == "^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?Z$"
        {
            Matcher::Timestamp
        } else if let Some(prefix) = literal_prefix.strip_suffix("--")
            && source == format!("^{literal_prefix}{UUID_PATTERN}$")
        {
            Matcher::PrefixedUuid(prefix.to_owned())
        } else if let Some(prefix) = source.strip_suffix(&format!("--{UUID_PATTERN}$"))
            && !prefix.is_empty()
            && prefix
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte == b'-')
        {
            Matcher::SuffixUuid(prefix.to_owned())
        } else {
            Matcher::Regex
        };
        Ok(Self {
            source: source.to_owned(),
            regex,
            literal_prefix,
            matcher,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        match &self.matcher {
            Matcher::Identifier => crate::checks::ids::parse_identifier(text).is_some(),
            Matcher::Timestamp => !matches!(
                crate::checks::time::parse_timestamp(text),
                Err(crate::checks::time::TimestampError::Shape(_))
            ),
            Matcher::PrefixedUuid(prefix) => {
                let bytes = text.as_bytes();
                bytes.len() == prefix.len() + 38
                    && crate::json::same_bytes(&bytes[..prefix.len()], prefix.as_bytes())
                    && &bytes[prefix.len()..prefix.len() + 2] == b"--"
                    && crate::checks::ids::is_uuid(&bytes[prefix.len() + 2..])
            }
            Matcher::SuffixUuid(prefix) => {
                let bytes = text.as_bytes();
                let length = bytes.len();
                length >= prefix.len() + 38
                    && crate::checks::ids::is_uuid(&bytes[length - 36..])
                    && &bytes[length - 38..length - 36] == b"--"
                    && crate::json::same_bytes(
                        &bytes[length - 38 - prefix.len()..length - 38],
                        prefix.as_bytes(),
                    )
            }
            Matcher::Regex => text.starts_with(&self.literal_prefix) && self.regex.is_match(text),
        }
    }

    /// Whether a hand-written matcher stands in for the regex.
    #[cfg(test)]
    fn is_fast(&self) -> bool {
        !matches!(self.matcher, Matcher::Regex)
    }

    #[cfg(test)]
    fn regex_matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// One compiled schema object (or boolean schema).
#[derive(Debug, Default)]
pub(crate) struct SchemaNode {
    /// Index into [`SchemaSet::files`].
    pub file: u16,
    /// The JSON pointer of this schema inside its file.
    pub location: String,
    /// `true` or `false` schemas.
    pub boolean: Option<bool>,
    /// Allowed types (0: any).
    pub types: u8,
    pub enumeration: Option<Vec<Literal>>,
    pub constant: Option<Literal>,
    /// Sorted by name.
    pub properties: Vec<(String, SchemaId)>,
    /// The digest of each property name (parallel to `properties`).
    pub property_digests: Vec<KeyDigest>,
    /// For schemas with many properties, an open-addressing table of `properties` by digest
    /// hash: each slot holds a property's index plus one, or 0 when empty (see
    /// [`property_slots`]); empty for short lists, which are searched in order.
    pub property_slots: Vec<u8>,
    pub pattern_properties: Vec<(Pattern, SchemaId)>,
    pub additional_properties: Option<SchemaId>,
    pub unevaluated_properties: Option<SchemaId>,
    pub required: Vec<String>,
    pub items: Option<SchemaId>,
    pub min_items: Option<usize>,
    pub min_properties: Option<usize>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub pattern: Option<Pattern>,
    pub reference: Option<SchemaId>,
    pub all_of: Vec<SchemaId>,
    pub any_of: Vec<SchemaId>,
    pub one_of: Vec<SchemaId>,
    pub not: Option<SchemaId>,
    pub condition: Option<SchemaId>,
    pub then: Option<SchemaId>,
    pub otherwise: Option<SchemaId>,
    pub description: Option<String>,
    discriminator: Option<(String, Literal)>,
    /// Whether applying this schema in place can mark members as evaluated (it or an in-place
    /// subschema has a properties keyword). `anyOf` skips later branches that cannot.
    pub annotates: bool,
    /// The description of each property (parallel to `properties`), kept apart because the
    /// property's own schema may be replaced by the schema its `$ref` names.
    pub property_descriptions: Vec<Option<String>>,
    /// Only `type` and/or `pattern`: checked inline, without a full evaluation.
    pub is_leaf: bool,
    /// Only `if` with `then` and/or `else` (such as the one branch per command type of an
    /// `allOf`): applied inline, without a full evaluation.
    pub is_conditional: bool,
}

impl SchemaNode {
    /// The schema of property `name`, found by the name's digest (see [`KeyDigest`]); the text
    /// is compared only for names too long for the digest to hold.
    pub fn property<'k>(
        &self,
        digest: KeyDigest,
        name: impl FnOnce() -> &'k str,
    ) -> Option<SchemaId> {
        let index = if self.property_slots.is_empty() {
            self.property_digests
                .iter()
                .position(|candidate| *candidate == digest)?
        } else {
            let mask = self.property_slots.len() - 1;
            let mut slot = (digest.hash() >> 32) as usize & mask;
            loop {
                let index = usize::from(self.property_slots[slot].checked_sub(1)?);
                if self.property_digests[index] == digest {
                    break index;
                }
                slot = (slot + 1) & mask;
            }
        };
        if digest.is_exact() {
            return Some(self.properties[index].1);
        }
        // A long name: its digest may be shared, so the name itself decides.
        let name = name();
        self.properties
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, id)| *id)
    }

    /// For an `if` of the form `{"properties": {P: {"const": V}}}`: P and V, so that the
    /// discriminating `if`s (one per command type) cost one lookup.
    pub fn discriminator(&self) -> Option<(&str, &Literal)> {
        self.discriminator
            .as_ref()
            .map(|(property, value)| (property.as_str(), value))
    }
}

/// The compiled schema set.
#[derive(Debug)]
pub(crate) struct SchemaSet {
    pub nodes: Vec<SchemaNode>,
    pub files: Vec<&'static str>,
    pub root: SchemaId,
}

impl SchemaSet {
    /// The compiled embedded schemas, built on first use.
    pub fn embedded() -> &'static SchemaSet {
        static SET: OnceLock<SchemaSet> = OnceLock::new();
        SET.get_or_init(|| {
            // The schemas are constants compiled into the binary and a test compiles them, so
            // failing here means the build itself is broken, not that an input was bad.
            SchemaSet::compile(&overlay::adjusted_files()).unwrap_or_else(|error| {
                panic!("the embedded CACAO schemas do not compile: {error}")
            })
        })
    }

    pub fn node(&self, id: SchemaId) -> &SchemaNode {
        &self.nodes[id as usize]
    }

    pub fn file_of(&self, id: SchemaId) -> &'static str {
        self.files[self.node(id).file as usize]
    }

    /// Compiles a set of schema files (path below `schemas/`, parsed JSON).
    pub fn compile(files: &[(&'static str, Value)]) -> Result<SchemaSet, String> {
        let mut compiler = Compiler {
            files,
            nodes: Vec::new(),
            cache: HashMap::new(),
        };
        let root_file = files
            .iter()
            .position(|(path, _)| *path == ROOT_FILE)
            .ok_or("playbook.json is missing")?;
        let root = compiler.compile(root_file, String::new())?;
        let mut nodes = compiler
            .nodes
            .into_iter()
            .map(|node| node.ok_or("a schema was referenced but never compiled"))
            .collect::<Result<Vec<_>, _>>()?;
        record_property_descriptions(&mut nodes);
        skip_pure_references(&mut nodes);
        mark_annotating(&mut nodes);
        mark_leaves(&mut nodes);
        Ok(SchemaSet {
            nodes,
            files: files.iter().map(|(path, _)| *path).collect(),
            root,
        })
    }

    /// The description of property `name` as `schema` (or a schema it applies in place)
    /// defines it.
    pub fn property_description(&self, schema: SchemaId, name: &str) -> Option<&str> {
        let mut stack = vec![schema];
        let mut seen = 0;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 64 {
                break;
            }
            let node = self.node(id);
            if let Some(index) = node.properties.iter().position(|(key, _)| key == name) {
                if let Some(description) = node
                    .property_descriptions
                    .get(index)
                    .and_then(Option::as_deref)
                {
                    return Some(description);
                }
                if let Some(description) =
                    self.node(node.properties[index].1).description.as_deref()
                {
                    return Some(description);
                }
            }
            stack.extend(node.reference);
            stack.extend(node.all_of.iter().rev());
        }
        None
    }

    /// Every property name `schema` (and the schemas it applies in place) knows, for
    /// "did you mean" suggestions.
    pub fn known_properties(&self, schema: SchemaId) -> Vec<&str> {
        let mut names = Vec::new();
        let mut stack = vec![schema];
        let mut seen = 0;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 64 {
                break;
            }
            let node = self.node(id);
            names.extend(node.properties.iter().map(|(name, _)| name.as_str()));
            stack.extend(node.reference);
            stack.extend(node.all_of.iter());
            stack.extend(node.any_of.iter());
            stack.extend(node.one_of.iter());
            stack.extend(node.then);
            stack.extend(node.otherwise);
        }
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// The table behind [`SchemaNode::property_slots`]: at most half full, so that a lookup
/// probes one or two slots; none for lists short enough to search in order (or too long for
/// a byte per slot).
fn property_slots(digests: &[KeyDigest]) -> Vec<u8> {
    if digests.len() <= 6 || digests.len() >= usize::from(u8::MAX) {
        return Vec::new();
    }
    let mut slots = vec![0u8; (digests.len() * 2).next_power_of_two()];
    let mask = slots.len() - 1;
    for (index, digest) in digests.iter().enumerate() {
        let mut slot = (digest.hash() >> 32) as usize & mask;
        while slots[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        slots[slot] = (index + 1) as u8;
    }
    slots
}

fn record_property_descriptions(nodes: &mut [SchemaNode]) {
    for index in 0..nodes.len() {
        let descriptions = nodes[index]
            .properties
            .iter()
            .map(|(_, child)| {
                let child = &nodes[*child as usize];
                child.description.clone().or_else(|| {
                    child
                        .reference
                        .and_then(|target| nodes[target as usize].description.clone())
                })
            })
            .collect();
        nodes[index].property_descriptions = descriptions;
    }
}

/// Whether a node does nothing but apply `$ref` (a description does not count).
fn is_pure_reference(node: &SchemaNode) -> bool {
    node.reference.is_some()
        && node.boolean.is_none()
        && node.types == 0
        && node.enumeration.is_none()
        && node.constant.is_none()
        && node.properties.is_empty()
        && node.pattern_properties.is_empty()
        && node.additional_properties.is_none()
        && node.unevaluated_properties.is_none()
        && node.required.is_empty()
        && node.items.is_none()
        && node.min_items.is_none()
        && node.min_properties.is_none()
        && node.minimum.is_none()
        && node.maximum.is_none()
        && node.pattern.is_none()
        && node.all_of.is_empty()
        && node.any_of.is_empty()
        && node.one_of.is_empty()
        && node.not.is_none()
        && node.condition.is_none()
        && node.then.is_none()
        && node.otherwise.is_none()
}

/// Points every subschema link past nodes that only say `$ref`, so that evaluation does not
/// pass through them (each `$ref` hop is a full evaluation otherwise).
fn skip_pure_references(nodes: &mut [SchemaNode]) {
    let targets: Vec<SchemaId> = (0..nodes.len())
        .map(|start| {
            let mut current = start as SchemaId;
            for _ in 0..16 {
                let node = &nodes[current as usize];
                match node.reference {
                    Some(target) if is_pure_reference(node) => current = target,
                    _ => break,
                }
            }
            current
        })
        .collect();
    let follow = |id: &mut SchemaId| *id = targets[*id as usize];
    for node in nodes.iter_mut() {
        node.properties.iter_mut().for_each(|(_, id)| follow(id));
        node.pattern_properties
            .iter_mut()
            .for_each(|(_, id)| follow(id));
        for id in [
            &mut node.additional_properties,
            &mut node.unevaluated_properties,
            &mut node.items,
            &mut node.reference,
            &mut node.not,
            &mut node.condition,
            &mut node.then,
            &mut node.otherwise,
        ]
        .into_iter()
        .flatten()
        {
            follow(id);
        }
        node.all_of.iter_mut().for_each(follow);
        node.any_of.iter_mut().for_each(follow);
        node.one_of.iter_mut().for_each(follow);
    }
}

fn mark_leaves(nodes: &mut [SchemaNode]) {
    for node in nodes.iter_mut() {
        // No keyword but `type`, `pattern`, `if`, `then` and `else`.
        let no_other_keywords = node.boolean.is_none()
            && node.enumeration.is_none()
            && node.constant.is_none()
            && node.properties.is_empty()
            && node.pattern_properties.is_empty()
            && node.additional_properties.is_none()
            && node.unevaluated_properties.is_none()
            && node.required.is_empty()
            && node.items.is_none()
            && node.min_items.is_none()
            && node.min_properties.is_none()
            && node.minimum.is_none()
            && node.maximum.is_none()
            && node.reference.is_none()
            && node.all_of.is_empty()
            && node.any_of.is_empty()
            && node.one_of.is_empty()
            && node.not.is_none();
        let no_conditional =
            node.condition.is_none() && node.then.is_none() && node.otherwise.is_none();
        node.is_leaf = no_other_keywords && no_conditional;
        node.is_conditional = no_other_keywords
            && node.types == 0
            && node.pattern.is_none()
            && node.condition.is_some();
    }
}

/// Computes [`SchemaNode::annotates`] as a fixpoint (schemas may reference each other).
fn mark_annotating(nodes: &mut [SchemaNode]) {
    for node in nodes.iter_mut() {
        node.annotates = !node.properties.is_empty()
            || !node.pattern_properties.is_empty()
            || node.additional_properties.is_some()
            || node.unevaluated_properties.is_some();
    }
    loop {
        let mut changed = false;
        for index in 0..nodes.len() {
            if nodes[index].annotates {
                continue;
            }
            let node = &nodes[index];
            let in_place = node
                .reference
                .iter()
                .chain(&node.all_of)
                .chain(&node.any_of)
                .chain(&node.one_of)
                .chain(&node.condition)
                .chain(&node.then)
                .chain(&node.otherwise);
            let annotates = in_place
                .into_iter()
                .any(|child| nodes[*child as usize].annotates);
            if annotates {
                nodes[index].annotates = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

struct Compiler<'f> {
    files: &'f [(&'static str, Value)],
    nodes: Vec<Option<SchemaNode>>,
    cache: HashMap<(usize, String), SchemaId>,
}

const ANNOTATIONS: &[&str] = &[
    "$id",
    "$schema",
    "$defs",
    "title",
    "description",
    "default",
    "contentEncoding",
];

impl Compiler<'_> {
    fn compile(&mut self, file: usize, location: String) -> Result<SchemaId, String> {
        if let Some(&id) = self.cache.get(&(file, location.clone())) {
            return Ok(id);
        }
        let (path, document) = &self.files[file];
        let value = document
            .pointer(&location)
            .ok_or_else(|| format!("{path}#{location} does not exist"))?;
        let id = self.nodes.len() as SchemaId;
        self.nodes.push(None);
        self.cache.insert((file, location.clone()), id);

        let mut node = SchemaNode {
            file: file as u16,
            location: location.clone(),
            ..SchemaNode::default()
        };
        let object = match value {
            Value::Bool(value) => {
                node.boolean = Some(*value);
                self.nodes[id as usize] = Some(node);
                return Ok(id);
            }
            Value::Object(object) => object,
            other => return Err(format!("{path}#{location}: a schema cannot be {other}")),
        };

        let at = |keyword: &str| format!("{location}/{}", escape(keyword));
        for (keyword, value) in object {
            match keyword.as_str() {
                "type" => {
                    node.types =
                        parse_types(value).map_err(|e| format!("{path}#{location}: {e}"))?
                }
                "enum" => {
                    let values = value.as_array().ok_or("enum must be an array")?;
                    node.enumeration = Some(
                        values
                            .iter()
                            .map(Literal::from_value)
                            .collect::<Result<_, _>>()?,
                    );
                }
                "const" => node.constant = Some(Literal::from_value(value)?),
                "properties" => {
                    let properties = value.as_object().ok_or("properties must be an object")?;
                    for name in properties.keys() {
                        let child =
                            self.compile(file, format!("{}/{}", at("properties"), escape(name)))?;
                        node.properties.push((name.clone(), child));
                    }
                    node.properties.sort_by(|a, b| a.0.cmp(&b.0));
                }
                "patternProperties" => {
                    let patterns = value
                        .as_object()
                        .ok_or("patternProperties must be an object")?;
                    for source in patterns.keys() {
                        let child = self.compile(
                            file,
                            format!("{}/{}", at("patternProperties"), escape(source)),
                        )?;
                        node.pattern_properties.push((self.pattern(source)?, child));
                    }
                }
                "additionalProperties" => {
                    node.additional_properties = Some(self.compile(file, at(keyword))?);
                }
                "unevaluatedProperties" => {
                    node.unevaluated_properties = Some(self.compile(file, at(keyword))?);
                }
                "required" => {
                    node.required = value
                        .as_array()
                        .ok_or("required must be an array")?
                        .iter()
                        .map(|name| {
                            name.as_str()
                                .map(str::to_owned)
                                .ok_or("required names are strings")
                        })
                        .collect::<Result<_, _>>()?;
                }
                "items" => node.items = Some(self.compile(file, at(keyword))?),
                "minItems" => node.min_items = value.as_u64().map(|count| count as usize),
                "minProperties" => node.min_properties = value.as_u64().map(|count| count as usize),
                "minimum" => node.minimum = value.as_f64(),
                "maximum" => node.maximum = value.as_f64(),
                "pattern" => {
                    node.pattern =
                        Some(self.pattern(value.as_str().ok_or("pattern must be a string")?)?);
                }
                "$ref" => {
                    let reference = value.as_str().ok_or("$ref must be a string")?;
                    let (target_file, target_location) = self.resolve(file, reference)?;
                    node.reference = Some(self.compile(target_file, target_location)?);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let branches = value.as_array().ok_or("allOf/anyOf/oneOf must be arrays")?;
                    let mut compiled = Vec::with_capacity(branches.len());
                    for index in 0..branches.len() {
                        compiled.push(self.compile(file, format!("{}/{index}", at(keyword)))?);
                    }
                    match keyword.as_str() {
                        "allOf" => node.all_of = compiled,
                        "anyOf" => node.any_of = compiled,
                        _ => node.one_of = compiled,
                    }
                }
                "not" => node.not = Some(self.compile(file, at(keyword))?),
                "if" => node.condition = Some(self.compile(file, at(keyword))?),
                "then" => node.then = Some(self.compile(file, at(keyword))?),
                "else" => node.otherwise = Some(self.compile(file, at(keyword))?),
                "description" => node.description = value.as_str().map(str::to_owned),
                keyword if ANNOTATIONS.contains(&keyword) => {}
                keyword => {
                    return Err(format!(
                        "{path}#{location}: unsupported keyword `{keyword}`"
                    ));
                }
            }
        }

        node.property_digests = node
            .properties
            .iter()
            .map(|(name, _)| KeyDigest::of(name.as_bytes()))
            .collect();
        node.property_slots = property_slots(&node.property_digests);
        node.discriminator = self.discriminator_of(&node);
        self.nodes[id as usize] = Some(node);
        Ok(id)
    }

    /// Recognises `{"properties": {P: {"const": V}}}` and nothing else.
    fn discriminator_of(&self, node: &SchemaNode) -> Option<(String, Literal)> {
        let only_properties = node.types == 0
            && node.properties.len() == 1
            && node.required.is_empty()
            && node.pattern_properties.is_empty()
            && node.additional_properties.is_none()
            && node.unevaluated_properties.is_none()
            && node.reference.is_none()
            && node.all_of.is_empty()
            && node.any_of.is_empty()
            && node.one_of.is_empty()
            && node.not.is_none()
            && node.condition.is_none()
            && node.enumeration.is_none()
            && node.constant.is_none()
            && node.boolean.is_none();
        if !only_properties {
            return None;
        }
        let (name, child) = &node.properties[0];
        let child = self.nodes.get(*child as usize)?.as_ref()?;
        let only_constant = child.constant.is_some()
            && child.types == 0
            && child.enumeration.is_none()
            && child.properties.is_empty()
            && child.reference.is_none()
            && child.all_of.is_empty()
            && child.any_of.is_empty()
            && child.condition.is_none()
            && child.not.is_none()
            && child.pattern.is_none();
        only_constant.then(|| {
            (
                name.clone(),
                child.constant.clone().unwrap_or(Literal::Null),
            )
        })
    }

    fn pattern(&self, source: &str) -> Result<Pattern, String> {
        Pattern::new(source)
    }

    /// Resolves a `$ref` relative to `file` to a file index and a pointer inside it.
    fn resolve(&self, file: usize, reference: &str) -> Result<(usize, String), String> {
        let (path_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if path_part.is_empty() {
            file
        } else {
            let base = self.files[file].0;
            let mut segments: Vec<&str> = base.split('/').collect();
            segments.pop();
            for segment in path_part.split('/') {
                match segment {
                    "." | "" => {}
                    ".." => {
                        segments.pop();
                    }
                    segment => segments.push(segment),
                }
            }
            let joined = segments.join("/");
            self.files
                .iter()
                .position(|(path, _)| *path == joined)
                .ok_or_else(|| format!("$ref {reference} from {base}: no file {joined}"))?
        };
        Ok((target, fragment.to_owned()))
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn parse_types(value: &Value) -> Result<u8, String> {
    let one = |name: &str| -> Result<u8, String> {
        Ok(match name {
            "null" => types::NULL,
            "boolean" => types::BOOLEAN,
            "number" => types::NUMBER,
            "integer" => types::INTEGER,
            "string" => types::STRING,
            "array" => types::ARRAY,
            "object" => types::OBJECT,
            other => return Err(format!("unknown type {other}")),
        })
    };
    match value {
        Value::String(name) => one(name),
        Value::Array(names) => names.iter().try_fold(0, |set, name| {
            Ok(set | one(name.as_str().ok_or("type names are strings")?)?)
        }),
        _ => Err("type must be a string or an array".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_compile() {
        let set = SchemaSet::embedded();
        assert_eq!(set.files.len(), 51);
        assert!(set.nodes.len() > 200);
        assert_eq!(set.file_of(set.root), ROOT_FILE);
    }

    #[test]
    fn every_property_is_found_by_its_digest() {
        let set = SchemaSet::embedded();
        assert!(set.nodes.iter().any(|node| !node.property_slots.is_empty()));
        for node in &set.nodes {
            for (name, id) in &node.properties {
                let digest = KeyDigest::of(name.as_bytes());
                assert_eq!(node.property(digest, || name.as_str()), Some(*id), "{name}");
            }
            for absent in ["", "x", "typo_of_a_property", "workflow_exceptions"] {
                if node.properties.iter().all(|(name, _)| name != absent) {
                    let digest = KeyDigest::of(absent.as_bytes());
                    assert_eq!(node.property(digest, || absent), None, "{absent}");
                }
            }
        }
    }

    #[test]
    fn every_embedded_file_is_reachable_from_the_playbook_schema() {
        let set = SchemaSet::embedded();
        let mut used: Vec<_> = set.nodes.iter().map(|node| node.file).collect();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), FILES.len());
    }

    #[test]
    fn the_frequent_patterns_use_hand_written_matchers() {
        let set = SchemaSet::embedded();
        let fast = set
            .nodes
            .iter()
            .flat_map(|node| {
                node.pattern
                    .iter()
                    .chain(node.pattern_properties.iter().map(|(pattern, _)| pattern))
            })
            .filter(|pattern| pattern.is_fast())
            .count();
        assert!(fast >= 30, "{fast} fast patterns");
    }

    fn fast_patterns() -> Vec<Pattern> {
        vec![
            Pattern::new(&format!("^[a-z][a-z0-9-]+[a-z0-9]--{UUID_PATTERN}$")).unwrap(),
            Pattern::new(&format!("^action--{UUID_PATTERN}$")).unwrap(),
            Pattern::new(&format!("playbook--{UUID_PATTERN}$")).unwrap(),
            Pattern::new(
                "^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?Z$",
            )
            .unwrap(),
        ]
    }

    proptest::proptest! {
        #[test]
        fn hand_written_matchers_agree_with_the_regexes(
            identifier in "(action|a-b|ab|[a-z0-9-]{1,6})(--|-)[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-FxX]{4}-[0-9a-fA-F]{11,13}",
            timestamp in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,4})?(Z|z|\\+01:00|)",
            noise in "\\PC{0,48}",
        ) {
            for pattern in fast_patterns() {
                for text in [&identifier, &timestamp, &noise] {
                    proptest::prop_assert_eq!(pattern.is_match(text), pattern.regex_matches(text), "{} on {:?}", pattern.source, text);
                }
            }
        }
    }

    #[test]
    fn patterns_use_their_literal_prefix() {
        let pattern = Pattern::new("^action--[0-9a-f]{2}$").unwrap();
        assert!(pattern.is_match("action--0f"));
        assert!(!pattern.is_match("end--0f"));
        assert!(!pattern.is_fast());
        let unanchored = Pattern::new("x$").unwrap();
        assert!(unanchored.is_match("abx"));
        let alternatives = Pattern::new("^__a__$|(?:b)").unwrap();
        assert!(alternatives.is_match("b"));
    }
}

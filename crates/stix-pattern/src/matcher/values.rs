//! Comparison expressions evaluated against the objects of one observation: object-path
//! selection (with `_ref`/`_refs` dereferencing and `_hex`/`_bin` decoding) and the typed
//! comparison rules of the reference matcher.
//!
//! The rules follow `stix2matcher`'s type tables: numbers compare with numbers, strings with
//! strings, binary values with binary values and with strings whose characters are all below
//! U+0100, timestamps with timestamps (a string compared with a `t'…'` literal is read as a
//! timestamp), booleans only with booleans, and any other pairing is simply unequal. Ordering a
//! pair that has no order is false even under `NOT`, as in the reference. Where the reference
//! raises an error on odd data (a reference that is not a string, undecodable `_hex`, an address
//! that does not parse), the value is treated as not matching instead.

use std::cmp::Ordering;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use crate::ast::{Comparison, ComparisonExpression, Literal, Operand, Operator, PathStep};
use crate::error::MatchError;
use crate::matcher::observations::{Observation, property};
use crate::network::Block;
use crate::number::Number;
use crate::text::{compile_bytes_regex, compile_like, compile_regex, nfc};
use crate::timestamp::parse_rfc3339_micros;

/// STIX 2.1 domain object types: the reference matcher never selects objects of these types.
const DOMAIN_OBJECT_TYPES: &[&str] = &[
    "attack-pattern",
    "bundle",
    "campaign",
    "course-of-action",
    "extension-definition",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "language-content",
    "location",
    "malware",
    "malware-analysis",
    "marking-definition",
    "note",
    "observed-data",
    "opinion",
    "relationship",
    "report",
    "threat-actor",
    "tool",
    "sighting",
    "vulnerability",
];

/// A literal as the matcher compares it.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Number(Number),
    Text(String),
    Boolean(bool),
    Bytes(Vec<u8>),
    /// Microseconds since the epoch.
    Time(i64),
}

impl Scalar {
    fn from_literal(literal: &Literal) -> Result<Scalar, MatchError> {
        Ok(match literal {
            Literal::Integer(value) => Scalar::Number(Number::Integer(i128::from(*value))),
            Literal::Float(value) => Scalar::Number(Number::Float(*value)),
            Literal::String(text) => Scalar::Text(text.clone()),
            Literal::Boolean(value) => Scalar::Boolean(*value),
            Literal::Binary(bytes) | Literal::Hex(bytes) => Scalar::Bytes(bytes.clone()),
            Literal::Timestamp(timestamp) => {
                Scalar::Time(timestamp.unix_micros().ok_or_else(|| {
                    MatchError::Unsupported(format!(
                        "timestamp t'{timestamp}' is not a real instant"
                    ))
                })?)
            }
        })
    }

    /// The type groups within which a set literal must stay.
    fn type_group(&self) -> u8 {
        match self {
            Scalar::Number(_) => 0,
            Scalar::Text(_) => 1,
            Scalar::Boolean(_) => 2,
            Scalar::Bytes(_) => 3,
            Scalar::Time(_) => 4,
        }
    }
}

/// A value selected from an object.
#[derive(Debug, Clone)]
enum Item<'a> {
    Json(&'a Value),
    /// A `_hex` or `_bin` property, decoded.
    Bytes(Vec<u8>),
    /// A `_refs` list, dereferenced to the objects.
    Objects(Vec<&'a Value>),
}

/// A selected value, seen with the reference matcher's Python types.
enum Typed<'item> {
    Number(Number),
    Text(&'item str),
    Boolean(bool),
    Bytes(&'item [u8]),
    Time(i64),
    Other,
}

fn typed<'item>(item: &'item Item<'_>) -> Typed<'item> {
    match item {
        Item::Json(Value::String(text)) => Typed::Text(text),
        Item::Json(Value::Number(number)) => {
            Number::from_json(number).map_or(Typed::Other, Typed::Number)
        }
        Item::Json(Value::Bool(value)) => Typed::Boolean(*value),
        Item::Bytes(bytes) => Typed::Bytes(bytes),
        _ => Typed::Other,
    }
}

/// What a comparison tests, compiled.
#[derive(Debug)]
enum Test {
    Equal {
        literal: Scalar,
        not_equal: bool,
    },
    Order {
        literal: Scalar,
        operator: Operator,
    },
    In {
        set: Vec<Scalar>,
        of_timestamps: bool,
    },
    Like {
        regex: Arc<regex::Regex>,
        binary_convertible: bool,
    },
    Matches {
        regex: Arc<regex::Regex>,
        bytes_regex: Option<Arc<regex::bytes::Regex>>,
    },
    Subset(Block),
    Superset(Block),
    Exists,
}

/// A comparison compiled for matching.
#[derive(Debug)]
pub(crate) struct CompiledComparison {
    object_type: String,
    selectable: bool,
    steps: Vec<PathStep>,
    /// Whether every step is a plain property (no list index, reference or binary suffix), so
    /// the path selects at most one value.
    plain_properties: bool,
    negated: bool,
    test: Test,
}

/// A comparison expression compiled for matching.
#[derive(Debug)]
pub(crate) enum CompiledExpression {
    And(Vec<CompiledExpression>),
    Or(Vec<CompiledExpression>),
    Comparison(Box<CompiledComparison>),
}

impl CompiledExpression {
    pub(crate) fn compile(expression: &ComparisonExpression) -> Result<Self, MatchError> {
        Ok(match expression {
            ComparisonExpression::And(operands) => CompiledExpression::And(
                operands
                    .iter()
                    .map(Self::compile)
                    .collect::<Result<_, _>>()?,
            ),
            ComparisonExpression::Or(operands) => CompiledExpression::Or(
                operands
                    .iter()
                    .map(Self::compile)
                    .collect::<Result<_, _>>()?,
            ),
            ComparisonExpression::Comparison(comparison) => {
                CompiledExpression::Comparison(Box::new(compile_comparison(comparison)?))
            }
        })
    }

    /// The objects of `observation` (by index) that satisfy the expression, sorted.
    pub(crate) fn matching_roots(&self, observation: &Observation<'_>) -> Vec<u32> {
        match self {
            CompiledExpression::Comparison(comparison) => comparison.matching_roots(observation),
            CompiledExpression::And(operands) => {
                let mut roots = operands[0].matching_roots(observation);
                for operand in &operands[1..] {
                    if roots.is_empty() {
                        break;
                    }
                    let other = operand.matching_roots(observation);
                    roots.retain(|root| other.binary_search(root).is_ok());
                }
                roots
            }
            CompiledExpression::Or(operands) => {
                let mut roots: Vec<u32> = operands
                    .iter()
                    .flat_map(|operand| operand.matching_roots(observation))
                    .collect();
                roots.sort_unstable();
                roots.dedup();
                roots
            }
        }
    }
}

fn compile_comparison(comparison: &Comparison) -> Result<CompiledComparison, MatchError> {
    let negated = comparison.negated;
    let literal = || -> Result<Scalar, MatchError> {
        match &comparison.operand {
            Operand::Literal(literal) => Scalar::from_literal(literal),
            other => Err(MatchError::Unsupported(format!(
                "{} needs a literal, found '{other}'",
                comparison.operator.as_str()
            ))),
        }
    };
    let text_literal = || -> Result<String, MatchError> {
        match &comparison.operand {
            Operand::Literal(Literal::String(text)) => Ok(text.clone()),
            other => Err(MatchError::Unsupported(format!(
                "{} needs a string literal, found '{other}'",
                comparison.operator.as_str()
            ))),
        }
    };

    let test = match comparison.operator {
        Operator::Equal | Operator::NotEqual => Test::Equal {
            literal: literal()?,
            not_equal: comparison.operator == Operator::NotEqual,
        },
        Operator::Less | Operator::LessOrEqual | Operator::Greater | Operator::GreaterOrEqual => {
            Test::Order {
                literal: literal()?,
                operator: comparison.operator,
            }
        }
        Operator::In => {
            let Operand::Set(literals) = &comparison.operand else {
                return Err(MatchError::Unsupported(
                    "IN needs a list of literals".into(),
                ));
            };
            let set = literals
                .iter()
                .map(Scalar::from_literal)
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(first) = set.first()
                && set
                    .iter()
                    .any(|member| member.type_group() != first.type_group())
            {
                return Err(MatchError::Unsupported(format!(
                    "the list {} mixes value types (numbers may mix, other types may not)",
                    comparison.operand
                )));
            }
            let of_timestamps = matches!(set.first(), Some(Scalar::Time(_)));
            Test::In { set, of_timestamps }
        }
        Operator::Like => {
            let pattern = nfc(&text_literal()?).into_owned();
            let binary_convertible = pattern
                .chars()
                .all(|character| u32::from(character) < 0x100);
            Test::Like {
                regex: compile_like(&pattern, true).map_err(MatchError::Unsupported)?,
                binary_convertible,
            }
        }
        Operator::Matches => {
            let expression = nfc(&text_literal()?).into_owned();
            let regex = compile_regex(&expression).map_err(MatchError::Unsupported)?;
            let bytes_regex = compile_bytes_regex(&expression)
                .transpose()
                .map_err(MatchError::Unsupported)?;
            Test::Matches { regex, bytes_regex }
        }
        Operator::IsSubset | Operator::IsSuperset => {
            let text = text_literal()?;
            let block = Block::parse(&text).ok_or_else(|| {
                MatchError::Unsupported(format!("'{text}' is not an IP address or CIDR block"))
            })?;
            if comparison.operator == Operator::IsSubset {
                Test::Subset(block)
            } else {
                Test::Superset(block)
            }
        }
        Operator::Exists => Test::Exists,
    };

    let object_type = comparison.path.object_type.clone();
    let plain_properties = comparison.path.steps.iter().all(|step| match step {
        PathStep::Key(key) => !["_ref", "_refs", "_hex", "_bin"]
            .iter()
            .any(|suffix| key.ends_with(suffix)),
        _ => false,
    });
    Ok(CompiledComparison {
        selectable: !DOMAIN_OBJECT_TYPES.contains(&object_type.as_str()),
        object_type,
        steps: comparison.path.steps.clone(),
        plain_properties,
        negated,
        test,
    })
}

impl CompiledComparison {
    fn matching_roots(&self, observation: &Observation<'_>) -> Vec<u32> {
        if !self.selectable {
            return Vec::new();
        }
        let mut roots = Vec::new();
        for (index, object) in observation.objects.iter().enumerate() {
            if object.object_type != self.object_type {
                continue;
            }
            let passes = if self.plain_properties {
                // The common case: one value or none, found without building lists.
                let value = self
                    .steps
                    .iter()
                    .try_fold(object.value, |value, step| match step {
                        PathStep::Key(key) => property(value, key),
                        _ => None,
                    });
                match self.test {
                    Test::Exists => value.is_some() != self.negated,
                    _ => value.is_some_and(|value| self.holds_for(&Item::Json(value))),
                }
            } else {
                let values = select(observation, object.value, &self.steps);
                match self.test {
                    Test::Exists => values.is_empty() == self.negated,
                    _ => values.iter().any(|value| self.holds_for(value)),
                }
            };
            if passes {
                roots.push(index as u32);
            }
        }
        roots
    }

    /// The comparison for one selected value, `NOT` included.
    fn holds_for(&self, item: &Item<'_>) -> bool {
        let result = match &self.test {
            Test::Equal { literal, not_equal } => equal(item, literal) != *not_equal,
            Test::Order { literal, operator } => match order(item, literal) {
                // No ordering between these types: false, even under NOT.
                None => return false,
                Some(None) => false,
                Some(Some(ordering)) => match operator {
                    Operator::Less => ordering == Ordering::Less,
                    Operator::LessOrEqual => ordering != Ordering::Greater,
                    Operator::Greater => ordering == Ordering::Greater,
                    _ => ordering != Ordering::Less,
                },
            },
            Test::In { set, of_timestamps } => in_set(item, set, *of_timestamps),
            Test::Like {
                regex,
                binary_convertible,
            } => match item {
                Item::Json(Value::String(text)) => regex.is_match(&nfc(text)),
                Item::Bytes(bytes) if *binary_convertible => {
                    std::str::from_utf8(bytes).is_ok_and(|text| regex.is_match(&nfc(text)))
                }
                _ => false,
            },
            Test::Matches { regex, bytes_regex } => match item {
                Item::Json(Value::String(text)) => regex.is_match(&nfc(text)),
                Item::Bytes(bytes) => bytes_regex
                    .as_ref()
                    .is_some_and(|regex| regex.is_match(bytes)),
                _ => false,
            },
            Test::Subset(container) => match item {
                Item::Json(Value::String(text)) => {
                    Block::parse(text).is_some_and(|block| block.is_subset_of(container))
                }
                _ => false,
            },
            Test::Superset(contained) => match item {
                Item::Json(Value::String(text)) => {
                    Block::parse(text).is_some_and(|block| contained.is_subset_of(&block))
                }
                _ => false,
            },
            Test::Exists => true,
        };
        result != self.negated
    }
}

/// A string compared with a timestamp literal is read as a timestamp when it is one.
fn with_timestamps<'item>(typed: Typed<'item>, literal_is_time: bool) -> Typed<'item> {
    match typed {
        Typed::Text(text) if literal_is_time => {
            parse_rfc3339_micros(text).map_or(Typed::Text(text), Typed::Time)
        }
        other => other,
    }
}

/// The string's characters as bytes when all are below U+0100.
fn latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|character| u8::try_from(u32::from(character)).ok())
        .collect()
}

fn equal(item: &Item<'_>, literal: &Scalar) -> bool {
    let value = with_timestamps(typed(item), matches!(literal, Scalar::Time(_)));
    match (value, literal) {
        (Typed::Number(left), Scalar::Number(right)) => {
            left.compare(*right) == Some(Ordering::Equal)
        }
        (Typed::Text(left), Scalar::Text(right)) => left == right,
        (Typed::Boolean(left), Scalar::Boolean(right)) => left == *right,
        (Typed::Bytes(left), Scalar::Bytes(right)) => left == right.as_slice(),
        (Typed::Bytes(left), Scalar::Text(right)) => {
            latin1(right).is_some_and(|right| left == right.as_slice())
        }
        (Typed::Text(left), Scalar::Bytes(right)) => {
            latin1(left).is_some_and(|left| left == *right)
        }
        (Typed::Time(left), Scalar::Time(right)) => left == *right,
        _ => false,
    }
}

/// `None`: the types have no order. `Some(None)`: they do, but this pair cannot be compared
/// (a string with characters beyond U+00FF against binary), which is false before `NOT`.
fn order(item: &Item<'_>, literal: &Scalar) -> Option<Option<Ordering>> {
    let value = with_timestamps(typed(item), matches!(literal, Scalar::Time(_)));
    Some(match (value, literal) {
        (Typed::Number(left), Scalar::Number(right)) => left.compare(*right),
        (Typed::Text(left), Scalar::Text(right)) => Some(left.cmp(right.as_str())),
        (Typed::Bytes(left), Scalar::Bytes(right)) => Some(left.cmp(right.as_slice())),
        (Typed::Bytes(left), Scalar::Text(right)) => {
            latin1(right).map(|right| left.cmp(right.as_slice()))
        }
        (Typed::Text(left), Scalar::Bytes(right)) => {
            latin1(left).map(|left| left.as_slice().cmp(right))
        }
        (Typed::Time(left), Scalar::Time(right)) => Some(left.cmp(right)),
        _ => return None,
    })
}

/// Python set membership: `==` between the value and a member, where booleans equal the
/// numbers 0 and 1 and nothing equals a list, an object or null.
fn in_set(item: &Item<'_>, set: &[Scalar], of_timestamps: bool) -> bool {
    let value = with_timestamps(typed(item), of_timestamps);
    let as_number = |boolean: bool| Number::Integer(i128::from(boolean));
    set.iter().any(|member| match (&value, member) {
        (Typed::Number(left), Scalar::Number(right)) => {
            left.compare(*right) == Some(Ordering::Equal)
        }
        (Typed::Number(left), Scalar::Boolean(right)) => {
            left.compare(as_number(*right)) == Some(Ordering::Equal)
        }
        (Typed::Boolean(left), Scalar::Number(right)) => {
            as_number(*left).compare(*right) == Some(Ordering::Equal)
        }
        (Typed::Boolean(left), Scalar::Boolean(right)) => left == right,
        (Typed::Text(left), Scalar::Text(right)) => left == right,
        (Typed::Bytes(left), Scalar::Bytes(right)) => *left == right.as_slice(),
        (Typed::Time(left), Scalar::Time(right)) => left == right,
        _ => false,
    })
}

/// The values `steps` select from `object` (a root object of the observation).
fn select<'a>(
    observation: &Observation<'a>,
    object: &'a Value,
    steps: &[PathStep],
) -> Vec<Item<'a>> {
    let mut current = vec![Item::Json(object)];
    for step in steps {
        let mut next = Vec::new();
        match step {
            PathStep::Key(key) => {
                for item in &current {
                    let Item::Json(object) = item else {
                        continue;
                    };
                    if let Some(value) = property(object, key) {
                        next.extend(step_into_property(observation, key, value));
                    }
                }
            }
            PathStep::Index(index) => {
                let Ok(index) = usize::try_from(*index) else {
                    return Vec::new();
                };
                for item in &current {
                    match item {
                        Item::Json(Value::Array(elements)) => {
                            next.extend(elements.get(index).map(Item::Json));
                        }
                        Item::Objects(objects) => {
                            next.extend(objects.get(index).copied().map(Item::Json))
                        }
                        _ => {}
                    }
                }
            }
            PathStep::AnyIndex => {
                for item in &current {
                    match item {
                        Item::Json(Value::Array(elements)) => {
                            next.extend(elements.iter().map(Item::Json))
                        }
                        Item::Objects(objects) => {
                            next.extend(objects.iter().copied().map(Item::Json))
                        }
                        _ => {}
                    }
                }
            }
        }
        if next.is_empty() {
            return next;
        }
        current = next;
    }
    current
}

/// The value of property `key`, decoded (`_hex`, `_bin`) or dereferenced (`_ref`, `_refs`).
fn step_into_property<'a>(
    observation: &Observation<'a>,
    key: &str,
    value: &'a Value,
) -> Option<Item<'a>> {
    if key.ends_with("_hex") {
        let text = value.as_str()?;
        return decode_hex(text).map(Item::Bytes);
    }
    if key.ends_with("_bin") {
        let text = value.as_str()?;
        return BASE64_LENIENT.decode(text.trim()).ok().map(Item::Bytes);
    }
    if key.ends_with("_ref") {
        return observation.dereference(value.as_str()?).map(Item::Json);
    }
    if key.ends_with("_refs") {
        let references = value.as_array()?;
        let objects: Vec<&'a Value> = references
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|reference| observation.dereference(reference))
            .collect();
        return (!objects.is_empty()).then_some(Item::Objects(objects));
    }
    Some(Item::Json(value))
}

const BASE64_LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| {
            let high = (pair[0] as char).to_digit(16)?;
            let low = (pair[1] as char).to_digit(16)?;
            Some((high * 16 + low) as u8)
        })
        .collect()
}

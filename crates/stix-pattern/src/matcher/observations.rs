//! Observations: each `observed-data` object of the input with the objects it observed, its
//! time interval and its `number_observed`.
//!
//! STIX 2.1 observed data names its cyber-observable objects by id in `object_refs`, and they
//! travel beside it (in a bundle, or in a flat list of objects): a reference that names no
//! object of the input is skipped, as in the reference matcher. The STIX 2.0 form, with the
//! objects embedded in an `objects` dictionary and references by dictionary key, is accepted
//! too when `object_refs` is absent.

use serde_json::Value;

use crate::error::MatchError;
use crate::timestamp::parse_rfc3339_micros;

/// One observed-data object and what it observed.
#[derive(Debug)]
pub(crate) struct Observation<'a> {
    /// The observed-data object's `id` (empty when it has none).
    pub id: &'a str,
    /// `first_observed`, microseconds since the epoch.
    pub first: i64,
    /// `last_observed`, microseconds since the epoch.
    pub last: i64,
    /// `number_observed`: how many observations this object stands for.
    pub count: u64,
    /// The observed-data object itself, then the observed objects.
    pub objects: Vec<ObservedObject<'a>>,
}

/// An object of an observation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ObservedObject<'a> {
    /// The key references resolve against: the `id`, or the key in an embedded `objects`
    /// dictionary.
    pub key: &'a str,
    /// The object's `type` (empty when it has none).
    pub object_type: &'a str,
    /// The object.
    pub value: &'a Value,
}

impl<'a> ObservedObject<'a> {
    fn new(key: &'a str, value: &'a Value) -> Self {
        let object_type = text_property(value, "type").unwrap_or("");
        Self {
            key,
            object_type,
            value,
        }
    }
}

impl<'a> Observation<'a> {
    /// The object a reference names inside this observation.
    pub(crate) fn dereference(&self, reference: &str) -> Option<&'a Value> {
        self.objects
            .iter()
            .find(|object| object.key == reference)
            .map(|object| object.value)
    }
}

/// A property of a JSON object. Small objects are scanned, which beats hashing the key (the
/// JSON maps keep insertion order and hash with SipHash).
pub(crate) fn property<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    let Value::Object(map) = object else {
        return None;
    };
    if map.len() <= 16 {
        map.iter()
            .find(|(name, _)| name.as_str() == key)
            .map(|(_, value)| value)
    } else {
        map.get(key)
    }
}

fn text_property<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    property(object, key).and_then(Value::as_str)
}

/// The STIX objects of a matcher input: a bundle's `objects`, a JSON list of objects, or one
/// observed-data object.
pub(crate) fn input_objects(input: &Value) -> Result<&[Value], MatchError> {
    match input {
        Value::Array(objects) => Ok(objects),
        Value::Object(map) if map.get("type").and_then(Value::as_str) == Some("bundle") => map
            .get("objects")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| MatchError::Data("the bundle has no 'objects' list".into())),
        Value::Object(map) if map.get("type").and_then(Value::as_str) == Some("observed-data") => {
            Ok(std::slice::from_ref(input))
        }
        _ => Err(MatchError::Data(
            "expected a JSON list of STIX objects, a bundle or an observed-data object".into(),
        )),
    }
}

/// Builds the observations of a flat list of STIX objects, in input order.
pub(crate) fn build_observations(objects: &[Value]) -> Result<Vec<Observation<'_>>, MatchError> {
    // Sorted by id for lookups; the last object with an id wins, as in the reference.
    let mut by_id: Vec<(&str, usize, &Value)> = Vec::new();
    let mut observed_data = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        let object_type = text_property(object, "type").ok_or_else(|| {
            MatchError::Data(format!("object {index} of the input has no 'type' string"))
        })?;
        if object_type == "observed-data" {
            observed_data.push(object);
        } else if let Some(id) = text_property(object, "id") {
            by_id.push((id, index, object));
        }
    }
    by_id.sort_unstable_by(|left, right| left.0.cmp(right.0).then(right.1.cmp(&left.1)));
    by_id.dedup_by(|later, earlier| later.0 == earlier.0);
    let by_id: Vec<(&str, &Value)> = by_id
        .into_iter()
        .map(|(id, _, object)| (id, object))
        .collect();

    observed_data
        .into_iter()
        .map(|object| build_observation(object, &by_id))
        .collect()
}

fn build_observation<'a>(
    object: &'a Value,
    by_id: &[(&'a str, &'a Value)],
) -> Result<Observation<'a>, MatchError> {
    let id = text_property(object, "id").unwrap_or("");
    let name = if id.is_empty() {
        "an observed-data object"
    } else {
        id
    };
    let timestamp = |property: &str| -> Result<i64, MatchError> {
        let text = text_property(object, property)
            .ok_or_else(|| MatchError::Data(format!("{name} has no '{property}' timestamp")))?;
        parse_rfc3339_micros(text).ok_or_else(|| {
            MatchError::Data(format!("{name} has an invalid '{property}': '{text}'"))
        })
    };
    let first = timestamp("first_observed")?;
    let last = timestamp("last_observed")?;
    let count = property(object, "number_observed")
        .and_then(Value::as_u64)
        .filter(|count| *count >= 1)
        .ok_or_else(|| {
            MatchError::Data(format!(
                "{name} needs 'number_observed', an integer of at least 1"
            ))
        })?;

    let mut objects = vec![ObservedObject::new(id, object)];
    if let Some(references) = property(object, "object_refs") {
        let references = references.as_array().ok_or_else(|| {
            MatchError::Data(format!("{name} has an 'object_refs' that is not a list"))
        })?;
        for reference in references.iter().filter_map(Value::as_str) {
            let Ok(position) = by_id.binary_search_by(|(candidate, _)| (*candidate).cmp(reference))
            else {
                continue;
            };
            if reference != id && !objects.iter().any(|object| object.key == reference) {
                objects.push(ObservedObject::new(reference, by_id[position].1));
            }
        }
    } else if let Some(Value::Object(embedded)) = property(object, "objects") {
        objects.extend(
            embedded
                .iter()
                .map(|(key, value)| ObservedObject::new(key, value)),
        );
    } else {
        return Err(MatchError::Data(format!(
            "{name} has neither 'object_refs' nor embedded 'objects'"
        )));
    }

    Ok(Observation {
        id,
        first,
        last,
        count,
        objects,
    })
}

//! Observations: each `observed-data` object of the input with the objects it observed, its
//! time interval and its `number_observed`.
//!
//! STIX 2.1 observed data names its cyber-observable objects by id in `object_refs`, and they
//! travel beside it (in a bundle, or in a flat list of objects): a reference that names no
//! object of the input is skipped, as in the reference matcher. The STIX 2.0 form, with the
//! objects embedded in an `objects` dictionary and references by dictionary key, is accepted
//! too when `object_refs` is absent.

use std::collections::HashMap;

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
    /// The observed-data object itself, then the observed objects, each with the key that
    /// references resolve against (its `id`, or its key in an embedded `objects` dictionary).
    pub objects: Vec<(&'a str, &'a Value)>,
}

impl<'a> Observation<'a> {
    /// The object a reference names inside this observation.
    pub(crate) fn dereference(&self, reference: &str) -> Option<&'a Value> {
        self.objects
            .iter()
            .find(|(key, _)| *key == reference)
            .map(|(_, object)| *object)
    }
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
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    let mut observed_data = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        let object_type = object.get("type").and_then(Value::as_str).ok_or_else(|| {
            MatchError::Data(format!("object {index} of the input has no 'type' string"))
        })?;
        if object_type == "observed-data" {
            observed_data.push(object);
        } else if let Some(id) = object.get("id").and_then(Value::as_str) {
            by_id.insert(id, object);
        }
    }

    observed_data
        .into_iter()
        .map(|object| build_observation(object, &by_id))
        .collect()
}

fn build_observation<'a>(
    object: &'a Value,
    by_id: &HashMap<&str, &'a Value>,
) -> Result<Observation<'a>, MatchError> {
    let id = object.get("id").and_then(Value::as_str).unwrap_or("");
    let name = if id.is_empty() {
        "an observed-data object"
    } else {
        id
    };
    let timestamp = |property: &str| -> Result<i64, MatchError> {
        let text = object
            .get(property)
            .and_then(Value::as_str)
            .ok_or_else(|| MatchError::Data(format!("{name} has no '{property}' timestamp")))?;
        parse_rfc3339_micros(text).ok_or_else(|| {
            MatchError::Data(format!("{name} has an invalid '{property}': '{text}'"))
        })
    };
    let first = timestamp("first_observed")?;
    let last = timestamp("last_observed")?;
    let count = object
        .get("number_observed")
        .and_then(Value::as_u64)
        .filter(|count| *count >= 1)
        .ok_or_else(|| {
            MatchError::Data(format!(
                "{name} needs 'number_observed', an integer of at least 1"
            ))
        })?;

    let mut objects: Vec<(&'a str, &'a Value)> = vec![(id, object)];
    if let Some(references) = object.get("object_refs") {
        let references = references.as_array().ok_or_else(|| {
            MatchError::Data(format!("{name} has an 'object_refs' that is not a list"))
        })?;
        let mut included = std::collections::HashSet::new();
        for reference in references.iter().filter_map(Value::as_str) {
            if let Some(referenced) = by_id.get(reference)
                && reference != id
                && included.insert(reference)
            {
                objects.push((reference, referenced));
            }
        }
    } else if let Some(Value::Object(embedded)) = object.get("objects") {
        objects.extend(embedded.iter().map(|(key, value)| (key.as_str(), value)));
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

//! Variables (CACAO 2.0 section 10.18): typed values in playbook and step scopes.

use serde_json::Value;

use crate::cacao_object;
use crate::vocab::VariableType;

cacao_object! {
    /// A variable declaration and its current value.
    pub struct Variable {
        /// `variable-type-ov`.
        "type" => variable_type: required<VariableType>,
        /// What the variable holds.
        "description" => description: optional<String>,
        /// The value: a string (numbers and booleans are written as strings), `null` for
        /// unknown, or an object for a dictionary.
        "value" => value: optional<Value>,
        /// Whether the value may never change.
        "constant" => constant: optional<bool>,
        /// Whether the caller supplies the value (playbook variables only).
        "external" => external: optional<bool>,
    }
}

impl Variable {
    /// Whether the variable is a constant.
    pub fn is_constant(&self) -> bool {
        self.constant == Some(true)
    }

    /// Whether the variable's value comes from the caller.
    pub fn is_external(&self) -> bool {
        self.external == Some(true)
    }

    /// The value as text for substitution: strings as they are, `null` or absent as `None`,
    /// anything else as compact JSON.
    pub fn value_text(&self) -> Option<String> {
        match self.value.as_ref()? {
            Value::Null => None,
            Value::String(text) => Some(text.clone()),
            other => Some(other.to_string()),
        }
    }
}

/// Whether `name` is a valid variable name: `__` + a letter or `_` + up to 199 of
/// `[a-zA-Z0-9_-]` + `__`.
pub fn is_valid_name(name: &str) -> bool {
    let Some(inner) = name
        .strip_prefix("__")
        .and_then(|rest| rest.strip_suffix("__"))
    else {
        return false;
    };
    let mut chars = inner.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && inner.len() <= 200
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_follow_the_pattern() {
        assert!(is_valid_name("__log__"));
        assert!(is_valid_name("__a-b_c9__"));
        assert!(!is_valid_name("log"));
        assert!(!is_valid_name("__9log__"));
        assert!(!is_valid_name("____"));
        assert!(!is_valid_name("__lo g__"));
    }
}

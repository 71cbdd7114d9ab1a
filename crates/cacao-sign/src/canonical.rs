//! RFC 8785 JSON Canonicalization Scheme (JCS), and the strict reading of documents that signing
//! needs.
//!
//! Canonicalisation is done by `serde_json_canonicalizer`, which this crate's tests hold to the
//! RFC's vectors (ECMAScript number form, string escapes, keys sorted by UTF-16 code units). Two
//! things are added here because a signature must never cover something other than what the
//! author wrote:
//! - integers beyond ±2^53 are rejected, not rounded: JCS writes numbers as IEEE-754 doubles, so
//!   `9007199254740993` would be signed as `9007199254740992`;
//! - duplicate object keys are rejected: a reader that keeps the first and a reader that keeps the
//!   last would otherwise see different playbooks under one signature.

use std::fmt::Write as _;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::SignError;

/// The largest integer magnitude that IEEE-754 doubles, and therefore JCS, keep exactly.
pub const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// Parses a playbook the way signing and verification need it: JSON with no duplicate keys and
/// no integer literal beyond ±2^53, keeping the author's key order.
pub fn parse_document(text: &str) -> Result<Value, SignError> {
    check_integer_literals(text)?;
    let strict: StrictValue = serde_json::from_str(text)
        .map_err(|error| SignError::Json(format!("not JSON: {error}")))?;
    Ok(strict.0)
}

/// The JCS bytes of `value`, after checking that every number in it is representable exactly.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, SignError> {
    let mut pointer = String::new();
    check_integers(value, &mut pointer)?;
    serde_json_canonicalizer::to_vec(value)
        .map_err(|error| SignError::Json(format!("cannot canonicalise: {error}")))
}

/// Rejects integers in a parsed value whose magnitude exceeds 2^53.
fn check_integers(value: &Value, pointer: &mut String) -> Result<(), SignError> {
    match value {
        Value::Number(number) => check_number(number, pointer),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let length = pointer.len();
                let _ = write!(pointer, "/{index}");
                check_integers(item, pointer)?;
                pointer.truncate(length);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let length = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_integers(item, pointer)?;
                pointer.truncate(length);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

fn check_number(number: &Number, pointer: &str) -> Result<(), SignError> {
    let magnitude = if let Some(unsigned) = number.as_u64() {
        Some(unsigned)
    } else {
        number.as_i64().map(i64::unsigned_abs)
    };
    match magnitude {
        Some(magnitude) if magnitude > MAX_EXACT_INTEGER => Err(SignError::IntegerOutOfRange {
            literal: number.to_string(),
            location: if pointer.is_empty() {
                "the document root".to_owned()
            } else {
                pointer.to_owned()
            },
        }),
        _ => Ok(()),
    }
}

/// Scans the JSON text for integer literals (no fraction, no exponent) beyond ±2^53. This sees
/// literals that a parser would silently turn into doubles (anything beyond the 64-bit range),
/// which a check on the parsed value cannot.
fn check_integer_literals(text: &str) -> Result<(), SignError> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                // Skip the string, honouring backslash escapes; malformed text is left for the
                // parser to report.
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    index += if bytes[index] == b'\\' { 2 } else { 1 };
                }
                index += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = index;
                while index < bytes.len()
                    && matches!(bytes[index], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    index += 1;
                }
                let literal = &text[start..index];
                if is_inexact_integer(literal) {
                    return Err(SignError::IntegerOutOfRange {
                        literal: literal.to_owned(),
                        location: line_and_column(text, start),
                    });
                }
            }
            _ => index += 1,
        }
    }
    Ok(())
}

fn is_inexact_integer(literal: &str) -> bool {
    if literal.contains(['.', 'e', 'E']) {
        return false;
    }
    let digits = literal.trim_start_matches('-').trim_start_matches('0');
    if digits.len() > 16 {
        return true;
    }
    digits
        .parse::<u64>()
        .is_ok_and(|magnitude| magnitude > MAX_EXACT_INTEGER)
}

fn line_and_column(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(offset, |newline| offset - newline - 1)
        + 1;
    format!("line {line}, column {column}")
}

/// A JSON value whose objects had no duplicate keys.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("number {value} is not finite")))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = sequence.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            let StrictValue(item) = access.next_value()?;
            map.insert(key, item);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    //! The RFC 8785 test vectors (sections 3.2.2, 3.2.3 and Appendix B) and this crate's own
    //! additions.

    use super::*;

    fn jcs(text: &str) -> String {
        String::from_utf8(canonicalize(&parse_document(text).unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn rfc8785_main_example_numbers_strings_literals() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            jcs(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn rfc8785_keys_sort_by_utf16_code_units() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        assert_eq!(
            jcs(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
             \"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\
             \"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    #[test]
    fn rfc8785_appendix_b_number_vectors() {
        // (IEEE-754 bit pattern, expected ECMAScript text) from RFC 8785 Appendix B.
        let vectors: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for &(bits, expected) in vectors {
            let number = Number::from_f64(f64::from_bits(bits)).unwrap();
            let text = String::from_utf8(canonicalize(&Value::Number(number)).unwrap()).unwrap();
            assert_eq!(text, expected, "bits {bits:#018x}");
        }
    }

    #[test]
    fn corpus_number_and_escape_conventions() {
        assert_eq!(
            jcs(r#"[1e21, 1e-7, 100.0, -0.0, 1.2345678901234568e+20, 9007199254740992]"#),
            "[1e+21,1e-7,100,0,123456789012345680000,9007199254740992]"
        );
        assert_eq!(
            jcs("[\"\\u0001\\r\\u2028\\u007f\\u00e9\"]"),
            "[\"\\u0001\\r\u{2028}\u{7f}\u{e9}\"]"
        );
    }

    #[test]
    fn integers_beyond_two_to_the_53_are_refused_not_rounded() {
        for literal in [
            "9007199254740993",
            "-9007199254740993",
            "18446744073709551616",
            "123456789012345678901234567890",
        ] {
            let error = parse_document(&format!("{{\"a\":\n [1, {literal}]}}")).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(literal), "{message}");
            assert!(message.contains("line 2, column 6"), "{message}");
        }
        assert!(
            parse_document(
                "[9007199254740992, -9007199254740992, 1e300, \"99999999999999999999\"]"
            )
            .is_ok()
        );

        let built = serde_json::json!({"x": [u64::MAX]});
        let message = canonicalize(&built).unwrap_err().to_string();
        assert!(message.contains("/x/0"), "{message}");
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let message = parse_document(r#"{"a":{"b":1,"b":2}}"#)
            .unwrap_err()
            .to_string();
        assert!(message.contains("duplicate key \"b\""), "{message}");
        assert!(parse_document(r#"{"a":{"b":1},"c":{"b":2}}"#).is_ok());
    }

    #[test]
    fn author_key_order_is_kept() {
        let value = parse_document(r#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#
        );
    }

    #[test]
    fn lone_surrogates_and_deep_nesting_are_errors_not_panics() {
        assert!(parse_document(r#"["\ud800"]"#).is_err());
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_document(&deep).is_err());
    }
}

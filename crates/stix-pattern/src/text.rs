//! Text operators shared by the matcher and the condition language: `LIKE` patterns, `MATCHES`
//! regular expressions with a compiled-size limit, and Unicode NFC normalization.
//!
//! Regular expressions use the `regex` crate, which matches in linear time, so no expression
//! can make matching hang; the size limits below bound the memory one expression may take.
//! Its syntax is close to Python's `re` for everyday expressions, but look-around and
//! back-references are not supported and give an error.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The largest compiled program a `MATCHES` or `LIKE` expression may have, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The most memory the lazy DFA of one expression may use, in bytes.
const REGEX_DFA_SIZE_LIMIT: usize = 4 << 20;

/// The deepest nesting of groups and repetitions in an expression.
const REGEX_NEST_LIMIT: u32 = 100;

/// `text` in Unicode normalization form C, borrowed when it already is.
pub(crate) fn nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// Compiles a `MATCHES` expression for text values.
pub(crate) fn compile_regex(expression: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(expression)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|error| describe_regex_error(expression, &error))
}

/// Compiles a `MATCHES` expression for binary values, where each character of the expression
/// stands for the byte of the same number, as Python does. `None` when a character is beyond
/// U+00FF, in which case binary values never match.
pub(crate) fn compile_bytes_regex(expression: &str) -> Option<Result<regex::bytes::Regex, String>> {
    if expression
        .chars()
        .any(|character| u32::from(character) > 0xFF)
    {
        return None;
    }

    // Characters 0x80–0xFF must match single bytes, so they are written as byte escapes.
    let mut translated = String::with_capacity(expression.len() + 8);
    translated.push_str("(?-u)");
    for character in expression.chars() {
        if character.is_ascii() {
            translated.push(character);
        } else {
            translated.push_str(&format!("\\x{:02X}", u32::from(character)));
        }
    }
    Some(
        regex::bytes::RegexBuilder::new(&translated)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
            .map_err(|error| describe_regex_error(expression, &error)),
    )
}

/// Compiles a `LIKE` pattern: `%` is any run of characters, `_` one character, everything else
/// literal, and the whole value must match. Neither wildcard matches a line feed, as in the
/// reference matcher (which turns LIKE into a Python regular expression); with
/// `allow_trailing_newline` the value may also end in one extra line feed, as Python's `$` allows.
pub(crate) fn compile_like(
    pattern: &str,
    allow_trailing_newline: bool,
) -> Result<regex::Regex, String> {
    let mut expression = String::with_capacity(pattern.len() + 16);
    expression.push_str(r"\A");
    let mut literal = String::new();
    for character in pattern.chars() {
        match character {
            '%' | '_' => {
                expression.push_str(&regex::escape(&literal));
                literal.clear();
                expression.push_str(if character == '%' { ".*" } else { "." });
            }
            other => literal.push(other),
        }
    }
    expression.push_str(&regex::escape(&literal));
    expression.push_str(if allow_trailing_newline {
        r"\n?\z"
    } else {
        r"\z"
    });
    compile_regex(&expression)
}

fn describe_regex_error(expression: &str, error: &regex::Error) -> String {
    let shown: String = expression.chars().take(60).collect();
    match error {
        regex::Error::CompiledTooBig(limit) => {
            format!("regular expression '{shown}' is too large (compiled size limit {limit} bytes)")
        }
        other => {
            let detail = other.to_string();
            let last_line = detail.lines().last().unwrap_or("").trim();
            format!("invalid regular expression '{shown}': {last_line}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_match_the_whole_value() {
        let like = compile_like("he_l%", true).unwrap();
        assert!(like.is_match("hello world"));
        assert!(like.is_match("hello\n"));
        assert!(!like.is_match("xhello"));
        assert!(!like.is_match("hel\nlo"));
        let strict = compile_like("a.c", false).unwrap();
        assert!(strict.is_match("a.c"));
        assert!(!strict.is_match("abc"));
        assert!(!strict.is_match("a.c\n"));
    }

    #[test]
    fn huge_expressions_are_refused_not_compiled() {
        let error = compile_regex("(a{1000}){1000}").unwrap_err();
        assert!(error.contains("too large"), "{error}");
        assert!(compile_regex("(?<=a)b").is_err());
    }

    #[test]
    fn bytes_regex_maps_latin1_characters_to_bytes() {
        let regex = compile_bytes_regex("\u{E9}\\x01").unwrap().unwrap();
        assert!(regex.is_match(&[0x41, 0xE9, 0x01]));
        assert!(compile_bytes_regex("\u{103}").is_none());
    }
}

//! Text operators shared by the matcher and the condition language: `LIKE` patterns, `MATCHES`
//! regular expressions with a compiled-size limit, and Unicode NFC normalization.
//!
//! Regular expressions use the `regex` crate, which matches in linear time, so no expression
//! can make matching hang; the size limits below bound the memory one expression may take.
//! Its syntax is close to Python's `re` for everyday expressions, but look-around and
//! back-references are not supported and give an error.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The largest compiled program a `MATCHES` or `LIKE` expression may have, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The most memory the lazy DFA of one expression may use, in bytes.
const REGEX_DFA_SIZE_LIMIT: usize = 4 << 20;

/// The deepest nesting of groups and repetitions in an expression.
const REGEX_NEST_LIMIT: u32 = 100;

/// How many compiled expressions the process keeps for reuse (Python's `re` module keeps 512).
const CACHE_CAPACITY: usize = 256;

/// A compiled expression kept for reuse.
#[derive(Clone)]
enum Cached {
    Text(Arc<regex::Regex>),
    Bytes(Arc<regex::bytes::Regex>),
}

/// FNV-1a: the cache's keys are short and its size is bounded, so a fast hash is enough.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type CacheMap = HashMap<String, Cached, std::hash::BuildHasherDefault<Fnv>>;

/// Compiled expressions by kind (text, bytes) and source: patterns are often matched again and
/// again, and compiling costs far more than matching small values. Shared `Arc`s also share the
/// search caches each regex keeps.
fn cache() -> &'static Mutex<[CacheMap; 2]> {
    static CACHE: OnceLock<Mutex<[CacheMap; 2]>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new([CacheMap::default(), CacheMap::default()]))
}

fn cached(
    kind: usize,
    source: &str,
    compile: impl FnOnce() -> Result<Cached, String>,
) -> Result<Cached, String> {
    if let Some(found) = cache()
        .lock()
        .ok()
        .and_then(|cache| cache[kind].get(source).cloned())
    {
        return Ok(found);
    }
    let compiled = compile()?;
    if let Ok(mut cache) = cache().lock() {
        if cache[kind].len() >= CACHE_CAPACITY {
            cache[kind].clear();
        }
        cache[kind].insert(source.to_string(), compiled.clone());
    }
    Ok(compiled)
}

/// `text` in Unicode normalization form C, borrowed when it already is.
pub(crate) fn nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// Compiles a `MATCHES` expression for text values.
pub(crate) fn compile_regex(expression: &str) -> Result<Arc<regex::Regex>, String> {
    match cached(0, expression, || {
        build_regex(expression).map(|regex| Cached::Text(Arc::new(regex)))
    })? {
        Cached::Text(regex) => Ok(regex),
        Cached::Bytes(_) => Err("internal: regex cache kind mismatch".into()),
    }
}

fn build_regex(expression: &str) -> Result<regex::Regex, String> {
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
pub(crate) fn compile_bytes_regex(
    expression: &str,
) -> Option<Result<Arc<regex::bytes::Regex>, String>> {
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
    let compiled = cached(1, &translated, || {
        regex::bytes::RegexBuilder::new(&translated)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
            .map(|regex| Cached::Bytes(Arc::new(regex)))
            .map_err(|error| describe_regex_error(expression, &error))
    });
    Some(compiled.and_then(|cached| match cached {
        Cached::Bytes(regex) => Ok(regex),
        Cached::Text(_) => Err("internal: regex cache kind mismatch".into()),
    }))
}

/// Compiles a `LIKE` pattern: `%` is any run of characters, `_` one character, everything else
/// literal, and the whole value must match. Neither wildcard matches a line feed, as in the
/// reference matcher (which turns LIKE into a Python regular expression); with
/// `allow_trailing_newline` the value may also end in one extra line feed, as Python's `$` allows.
pub(crate) fn compile_like(
    pattern: &str,
    allow_trailing_newline: bool,
) -> Result<Arc<regex::Regex>, String> {
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

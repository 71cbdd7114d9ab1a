//! The crate's error types: [`PatternError`] for everything found while reading or typing a
//! pattern or condition (always with a byte offset), and [`MatchError`] for what stops a matcher
//! from being built or from finishing.

/// A syntax, validity or typing problem in a pattern or condition.
///
/// `offset` is the byte offset in the text where the problem is, `message` says what was found
/// and what was expected, in lower case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct PatternError {
    /// Byte offset in the input where the problem is.
    pub offset: usize,
    /// What was found and what was expected, lower case, without a trailing period.
    pub message: String,
}

impl PatternError {
    /// Makes an error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }

    /// The 1-based line and column (in characters) of the error inside `text`, for tools that
    /// show positions to people.
    pub fn line_column(&self, text: &str) -> (usize, usize) {
        let end = floor_char_boundary(text, self.offset.min(text.len()));
        let before = &text[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Why a pattern could not be matched against observed data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// The pattern text is not a valid STIX 2.1 pattern.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// The pattern is valid syntax but cannot be evaluated, e.g. `WITHIN 0 SECONDS`, a set
    /// mixing value types, an impossible timestamp or a regular expression that does not compile.
    #[error("{0}")]
    Unsupported(String),
    /// The observed data is malformed: missing `first_observed`, a bad timestamp, an object
    /// without `type`, and so on.
    #[error("invalid observed data: {0}")]
    Data(String),
    /// The pattern's nesting is deeper than the matcher allows.
    #[error("pattern nesting is deeper than {0} levels")]
    TooDeep(usize),
    /// Finding a binding needed more steps than the search limit allows; the verdict is unknown.
    #[error(
        "matching gave up after {0} search steps (the pattern is too combinatorial for this data)"
    )]
    SearchLimit(u64),
}

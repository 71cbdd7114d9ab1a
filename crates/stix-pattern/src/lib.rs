//! STIX 2.1 patterning: a parser for the complete pattern grammar, a matcher with the semantics
//! of the OASIS reference matcher, and the CACAO condition language built on the same parser.
//!
//! - [`parse_pattern`] (or `text.parse::<Pattern>()`) reads a pattern into the typed tree of
//!   [`ast`], with the checks of the reference validator; errors carry the byte offset and what
//!   was expected. Printing a tree (`to_string()`) gives a pattern that parses to the same tree.
//! - [`Matcher`] (or [`match_pattern`]) matches a pattern against STIX 2.1 observed data with
//!   the semantics of the OASIS reference matcher, `stix2-matcher`.
//! - [`condition::Condition`] is the CACAO condition language of if-condition and
//!   while-condition steps: comparisons over playbook variables such as
//!   `__count__:value > 3 AND __host__:value ISSUBSET '10.0.0.0/8'`.
//!
//! The crate does not depend on the CACAO model, so any STIX tool can use it. It contains no
//! unsafe code, limits nesting explicitly, and matches regular expressions in linear time with
//! a size limit, so untrusted patterns cannot overflow the stack or hang it.

#![forbid(unsafe_code)]

pub mod ast;
pub mod condition;
mod error;
mod hashes;
mod lexer;
pub mod matcher;
mod network;
mod number;
mod parser;
mod text;
mod timestamp;

pub use ast::Pattern;
pub use error::{MatchError, PatternError};
pub use matcher::{MatchOutcome, Matcher, match_pattern};
pub use parser::{MAX_NESTING, parse_pattern};
pub use text::REGEX_SIZE_LIMIT;
pub use timestamp::Timestamp;

impl std::str::FromStr for Pattern {
    type Err = PatternError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_pattern(text)
    }
}

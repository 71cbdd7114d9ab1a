//! The typed syntax tree of STIX 2.1 patterns and CACAO conditions, and its printer.
//!
//! One tree serves both languages: a CACAO condition is a [`ComparisonExpression`] whose
//! [`ObjectPath`]s are variable references (`__name__:value` is the path with object type
//! `__name__` and the single step `value`; a bare `__name__` has no steps), and whose right-hand
//! side may be another path ([`Operand::Path`]).
//!
//! Chains of the same operator are kept flat (`a AND b AND c` is one [`ComparisonExpression::And`]
//! with three operands) and parentheses leave no node of their own, so the tree's depth is the
//! nesting depth of the text, and printing a tree and parsing the text gives the same tree back.
//! [`Span`]s record where each comparison came from but always compare equal, so trees compare
//! by meaning.

use std::fmt::{self, Display, Formatter, Write};

use base64::Engine as _;

use crate::lexer::is_plain_identifier;
use crate::timestamp::Timestamp;

/// A byte range of the parsed text. Spans always compare equal to each other.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// A complete STIX pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The top-level observation expression.
    pub expression: ObservationExpression,
}

/// An observation expression: what has to be observed, and in which combination.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpression {
    /// `[ comparison ]`: one observation whose objects satisfy the comparison expression.
    Observation(ComparisonExpression),
    /// `a AND b AND …`: every operand bound to different observations.
    And(Vec<ObservationExpression>),
    /// `a OR b OR …`: at least one operand.
    Or(Vec<ObservationExpression>),
    /// `a FOLLOWEDBY b FOLLOWEDBY …`: every operand, each observed no later than the next.
    FollowedBy(Vec<ObservationExpression>),
    /// An expression with qualifiers, applied in order (the first one binds tightest).
    Qualified {
        /// The qualified expression; never itself `Qualified`.
        expression: Box<ObservationExpression>,
        /// The qualifiers, innermost first; never empty.
        qualifiers: Vec<Qualifier>,
    },
}

/// A qualifier of an observation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`: all bound observations fit in a window of this many seconds.
    Within(f64),
    /// `REPEATS n TIMES`: the expression holds for n disjoint sets of observations.
    Repeats(u64),
    /// `START t'…' STOP t'…'`: every bound observation lies in `[start, stop)`.
    StartStop {
        /// Start of the interval (inclusive).
        start: Timestamp,
        /// End of the interval (exclusive).
        stop: Timestamp,
    },
}

impl Qualifier {
    /// The qualifier's kind: 0 for WITHIN, 1 for REPEATS, 2 for START/STOP.
    pub(crate) fn kind(&self) -> u8 {
        match self {
            Qualifier::Within(_) => 0,
            Qualifier::Repeats(_) => 1,
            Qualifier::StartStop { .. } => 2,
        }
    }
}

/// A boolean combination of comparisons about one object.
#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpression {
    /// All operands hold.
    And(Vec<ComparisonExpression>),
    /// At least one operand holds.
    Or(Vec<ComparisonExpression>),
    /// One comparison.
    Comparison(Box<Comparison>),
}

/// One comparison: `path [NOT] operator operand`, or `[NOT] EXISTS path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The left-hand side.
    pub path: ObjectPath,
    /// Whether `NOT` precedes the operator.
    pub negated: bool,
    /// The operator.
    pub operator: Operator,
    /// The right-hand side ([`Operand::None`] for `EXISTS`).
    pub operand: Operand,
    /// Where the comparison is in the parsed text.
    pub span: Span,
    /// Where the operator is.
    pub operator_span: Span,
    /// Where the operand is.
    pub operand_span: Span,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=` (also written `==`).
    Equal,
    /// `!=` (also written `<>`).
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `IN ( … )`
    In,
    /// `LIKE '…'` with `%` and `_` wildcards.
    Like,
    /// `MATCHES '…'`, a regular expression.
    Matches,
    /// `ISSUBSET '…'`: an address or CIDR block inside a CIDR block.
    IsSubset,
    /// `ISSUPERSET '…'`: a CIDR block containing an address or CIDR block.
    IsSuperset,
    /// `EXISTS path`.
    Exists,
}

impl Operator {
    /// The operator as written in a pattern.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equal => "=",
            Operator::NotEqual => "!=",
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
            Operator::In => "IN",
            Operator::Like => "LIKE",
            Operator::Matches => "MATCHES",
            Operator::IsSubset => "ISSUBSET",
            Operator::IsSuperset => "ISSUPERSET",
            Operator::Exists => "EXISTS",
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// No operand (`EXISTS`).
    None,
    /// A literal.
    Literal(Literal),
    /// The list of an `IN` comparison.
    Set(Vec<Literal>),
    /// Another path; only CACAO conditions allow this (a variable reference).
    Path(ObjectPath),
}

/// An object path: `type:property.sub[0][*]…`, or a CACAO variable reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectPath {
    /// The object type (`file`, `ipv4-addr`, or a variable name such as `__count__`).
    pub object_type: String,
    /// The property steps; the first is always a [`PathStep::Key`]. Empty only for a bare
    /// variable reference in a condition.
    pub steps: Vec<PathStep>,
}

impl ObjectPath {
    /// Whether the path is a CACAO variable reference: `__name__` or `__name__:value`.
    pub fn is_variable(&self) -> bool {
        is_variable_name(&self.object_type)
            && match self.steps.as_slice() {
                [] => true,
                [PathStep::Key(key)] => key == "value",
                _ => false,
            }
    }
}

/// Whether `name` has the CACAO variable form `__name__`.
pub(crate) fn is_variable_name(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// One step of an object path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// `.name` or `.'quoted name'`.
    Key(String),
    /// `[n]`: one list element (negative indexes select nothing).
    Index(i64),
    /// `[*]`: every list element.
    AnyIndex,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Float(f64),
    /// A string, with escapes resolved.
    String(String),
    /// `true` or `false`.
    Boolean(bool),
    /// `b'…'`: bytes written in base64.
    Binary(Vec<u8>),
    /// `h'…'`: bytes written in hexadecimal.
    Hex(Vec<u8>),
    /// `t'…'`: a timestamp.
    Timestamp(Timestamp),
}

impl Display for Pattern {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        self.expression.fmt(formatter)
    }
}

impl ObservationExpression {
    fn precedence(&self) -> u8 {
        match self {
            ObservationExpression::FollowedBy(_) => 0,
            ObservationExpression::Or(_) => 1,
            ObservationExpression::And(_) => 2,
            ObservationExpression::Qualified { .. } => 3,
            ObservationExpression::Observation(_) => 4,
        }
    }

    fn write_operands(
        formatter: &mut Formatter<'_>,
        operands: &[ObservationExpression],
        keyword: &str,
        precedence: u8,
    ) -> fmt::Result {
        for (index, operand) in operands.iter().enumerate() {
            if index > 0 {
                write!(formatter, " {keyword} ")?;
            }
            // Flat lists make same-precedence operands non-canonical; parenthesise them too.
            if operand.precedence() <= precedence {
                write!(formatter, "({operand})")?;
            } else {
                write!(formatter, "{operand}")?;
            }
        }
        Ok(())
    }
}

impl Display for ObservationExpression {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ObservationExpression::Observation(comparison) => write!(formatter, "[{comparison}]"),
            ObservationExpression::And(operands) => {
                Self::write_operands(formatter, operands, "AND", 2)
            }
            ObservationExpression::Or(operands) => {
                Self::write_operands(formatter, operands, "OR", 1)
            }
            ObservationExpression::FollowedBy(operands) => {
                Self::write_operands(formatter, operands, "FOLLOWEDBY", 0)
            }
            ObservationExpression::Qualified {
                expression,
                qualifiers,
            } => {
                let write_qualifiers = |formatter: &mut Formatter<'_>, qualifiers: &[Qualifier]| {
                    qualifiers
                        .iter()
                        .try_for_each(|qualifier| write!(formatter, " {qualifier}"))
                };
                if let ObservationExpression::Observation(_) = **expression {
                    // Two qualifiers of one kind directly on `[…]` are invalid; close a
                    // parenthesised group before the first repeated kind.
                    let repeat_at = (1..qualifiers.len()).find(|&index| {
                        qualifiers[..index]
                            .iter()
                            .any(|earlier| earlier.kind() == qualifiers[index].kind())
                    });
                    match repeat_at {
                        None => {
                            write!(formatter, "{expression}")?;
                            write_qualifiers(formatter, qualifiers)
                        }
                        Some(split) => {
                            write!(formatter, "({expression}")?;
                            write_qualifiers(formatter, &qualifiers[..split])?;
                            formatter.write_char(')')?;
                            write_qualifiers(formatter, &qualifiers[split..])
                        }
                    }
                } else {
                    write!(formatter, "({expression})")?;
                    write_qualifiers(formatter, qualifiers)
                }
            }
        }
    }
}

impl Display for Qualifier {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Qualifier::Within(seconds) => {
                write!(formatter, "WITHIN ")?;
                write_positive_number(formatter, *seconds)?;
                write!(formatter, " SECONDS")
            }
            Qualifier::Repeats(count) => write!(formatter, "REPEATS {count} TIMES"),
            Qualifier::StartStop { start, stop } => {
                write!(formatter, "START t'{start}' STOP t'{stop}'")
            }
        }
    }
}

/// Writes a WITHIN duration: as an integer when it is one, else as a float literal.
fn write_positive_number(formatter: &mut Formatter<'_>, value: f64) -> fmt::Result {
    let text = value.to_string();
    formatter.write_str(&text)
}

impl Display for ComparisonExpression {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        let write_operands = |formatter: &mut Formatter<'_>,
                              operands: &[ComparisonExpression],
                              keyword: &str,
                              is_and: bool| {
            for (index, operand) in operands.iter().enumerate() {
                if index > 0 {
                    write!(formatter, " {keyword} ")?;
                }
                let needs_parentheses = match operand {
                    ComparisonExpression::Or(_) => true,
                    ComparisonExpression::And(_) => is_and,
                    ComparisonExpression::Comparison(_) => false,
                };
                if needs_parentheses {
                    write!(formatter, "({operand})")?;
                } else {
                    write!(formatter, "{operand}")?;
                }
            }
            Ok(())
        };
        match self {
            ComparisonExpression::And(operands) => write_operands(formatter, operands, "AND", true),
            ComparisonExpression::Or(operands) => write_operands(formatter, operands, "OR", false),
            ComparisonExpression::Comparison(comparison) => comparison.fmt(formatter),
        }
    }
}

impl Display for Comparison {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        if self.operator == Operator::Exists {
            return write!(formatter, "{not}EXISTS {}", self.path);
        }
        write!(
            formatter,
            "{} {not}{} {}",
            self.path,
            self.operator.as_str(),
            self.operand
        )
    }
}

impl Display for Operand {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::None => Ok(()),
            Operand::Literal(literal) => literal.fmt(formatter),
            Operand::Path(path) => path.fmt(formatter),
            Operand::Set(literals) => {
                formatter.write_char('(')?;
                for (index, literal) in literals.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(", ")?;
                    }
                    literal.fmt(formatter)?;
                }
                formatter.write_char(')')
            }
        }
    }
}

impl Display for ObjectPath {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.object_type)?;
        for (index, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Key(key) => {
                    formatter.write_char(if index == 0 { ':' } else { '.' })?;
                    if is_plain_identifier(key) {
                        formatter.write_str(key)?;
                    } else {
                        write_quoted(formatter, key)?;
                    }
                }
                PathStep::Index(index) => write!(formatter, "[{index}]")?,
                PathStep::AnyIndex => formatter.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

fn write_quoted(formatter: &mut Formatter<'_>, text: &str) -> fmt::Result {
    formatter.write_char('\'')?;
    for character in text.chars() {
        match character {
            '\'' => formatter.write_str("\\'")?,
            '\\' => formatter.write_str("\\\\")?,
            other => formatter.write_char(other)?,
        }
    }
    formatter.write_char('\'')
}

impl Display for Literal {
    fn fmt(&self, formatter: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Integer(value) => write!(formatter, "{value}"),
            Literal::Float(value) => {
                let text = value.to_string();
                formatter.write_str(&text)?;
                if !text.contains('.') {
                    formatter.write_str(".0")?;
                }
                Ok(())
            }
            Literal::String(text) => write_quoted(formatter, text),
            Literal::Boolean(value) => write!(formatter, "{value}"),
            // The grammar has no empty `b''`; the same bytes print as `h''`.
            Literal::Binary(bytes) if bytes.is_empty() => formatter.write_str("h''"),
            Literal::Binary(bytes) => write!(
                formatter,
                "b'{}'",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ),
            Literal::Hex(bytes) => {
                formatter.write_str("h'")?;
                for byte in bytes {
                    write!(formatter, "{byte:02x}")?;
                }
                formatter.write_char('\'')
            }
            Literal::Timestamp(timestamp) => write!(formatter, "t'{timestamp}'"),
        }
    }
}

//! The recursive-descent parser for STIX 2.1 patterns and CACAO conditions.
//!
//! It follows the OASIS `STIXPattern.g4` grammar (STIX 2.1 part 9) and the checks the reference
//! validator (`stix2-patterns`) makes after parsing: two qualifiers of one kind directly on one
//! `[…]` are rejected, and literals compared with a `hashes.<NAME>` path must have the form of
//! that hash. Recursion only happens at parentheses and brackets, and their nesting is limited
//! to [`MAX_NESTING`] levels, so no input can exhaust the stack.

use base64::Engine as _;

use crate::ast::{
    Comparison, ComparisonExpression, Literal, ObjectPath, ObservationExpression, Operand,
    Operator, PathStep, Pattern, Qualifier, Span, is_variable_name,
};
use crate::error::PatternError;
use crate::lexer::{Token, TokenKind, tokenize};
use crate::timestamp::Timestamp;

/// The deepest nesting of parentheses and brackets the parser accepts.
pub const MAX_NESTING: usize = 100;

/// Which language is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A STIX pattern: object paths on the left, literals on the right.
    Pattern,
    /// A CACAO condition: variable references on the left, literals or variable references on
    /// the right.
    Condition,
}

/// Parses a STIX 2.1 pattern, with the reference validator's checks.
pub fn parse_pattern(text: &str) -> Result<Pattern, PatternError> {
    check_opening_bracket(text)?;

    let mut parser = Parser::new(text, Mode::Pattern);
    let expression = parser.observation_expressions()?;
    parser.expect_end("'AND', 'OR', 'FOLLOWEDBY', a qualifier or the end of the pattern")?;

    let pattern = Pattern { expression };
    crate::hashes::check_hash_literals(&pattern.expression)?;
    Ok(pattern)
}

/// Parses a CACAO condition: a comparison expression over variable references, optionally
/// wrapped in one pair of brackets.
pub(crate) fn parse_condition(text: &str) -> Result<ComparisonExpression, PatternError> {
    let mut parser = Parser::new(text, Mode::Condition);

    let expression = if parser.peek().kind == TokenKind::LeftBracket {
        parser.advance();
        let expression = parser.comparison_or()?;
        parser.expect(TokenKind::RightBracket, "'AND', 'OR' or ']'")?;
        expression
    } else {
        parser.comparison_or()?
    };
    parser.expect_end("'AND', 'OR' or the end of the condition")?;
    Ok(expression)
}

/// The reference validator's quick check: after any opening parentheses and whitespace, a
/// pattern must start with `[`.
fn check_opening_bracket(text: &str) -> Result<(), PatternError> {
    let first = text
        .char_indices()
        .find(|(_, character)| *character != '(' && !is_python_space(*character));
    match first {
        Some((_, '[')) => Ok(()),
        Some((offset, _)) => Err(PatternError::new(
            offset,
            "a pattern must start with '[' (after any opening parentheses)",
        )),
        None => Err(PatternError::new(text.len(), "empty pattern: expected '['")),
    }
}

fn is_python_space(character: char) -> bool {
    character.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&character)
}

struct Parser<'text> {
    text: &'text str,
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
    mode: Mode,
}

impl<'text> Parser<'text> {
    fn new(text: &'text str, mode: Mode) -> Self {
        Self {
            text,
            tokens: tokenize(text),
            position: 0,
            depth: 0,
            mode,
        }
    }

    fn peek(&self) -> Token {
        self.tokens[self.position]
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.position];
        if token.kind != TokenKind::End {
            self.position += 1;
        }
        token
    }

    fn token_text(&self, token: Token) -> &'text str {
        &self.text[token.start..token.end]
    }

    /// An error at `token` saying what was expected and what was found.
    fn unexpected(&self, token: Token, expected: &str) -> PatternError {
        let found = if token.kind == TokenKind::End {
            "the end of the input".to_string()
        } else {
            let text = self.token_text(token);
            let shown: String = text.chars().take(40).collect();
            let ellipsis = if shown.len() < text.len() { "…" } else { "" };
            format!("'{shown}{ellipsis}'")
        };
        PatternError::new(token.start, format!("expected {expected}, found {found}"))
    }

    fn expect(&mut self, kind: TokenKind, expected: &str) -> Result<Token, PatternError> {
        let token = self.peek();
        if token.kind == kind {
            Ok(self.advance())
        } else {
            Err(self.unexpected(token, expected))
        }
    }

    fn expect_end(&mut self, expected: &str) -> Result<(), PatternError> {
        self.expect(TokenKind::End, expected).map(|_| ())
    }

    fn enter(&mut self, token: Token) -> Result<(), PatternError> {
        if self.depth >= MAX_NESTING {
            return Err(PatternError::new(
                token.start,
                format!("parentheses and brackets nest deeper than {MAX_NESTING} levels"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `operand (separator operand)*`: the operands of one n-ary operator, in order. The
    /// callers flatten them into one list node (or keep a single operand as it is).
    fn separated<T>(
        &mut self,
        separator: TokenKind,
        mut operand: impl FnMut(&mut Self) -> Result<T, PatternError>,
    ) -> Result<Vec<T>, PatternError> {
        let mut operands = vec![operand(self)?];
        while self.peek().kind == separator {
            self.advance();
            operands.push(operand(self)?);
        }
        Ok(operands)
    }

    // observationExpressions: observationExpressionOr (FOLLOWEDBY observationExpressionOr)*
    fn observation_expressions(&mut self) -> Result<ObservationExpression, PatternError> {
        let operands = self.separated(TokenKind::FollowedBy, Self::observation_or)?;
        Ok(flatten_observations(operands, ListOperator::FollowedBy))
    }

    fn observation_or(&mut self) -> Result<ObservationExpression, PatternError> {
        let operands = self.separated(TokenKind::Or, Self::observation_and)?;
        Ok(flatten_observations(operands, ListOperator::Or))
    }

    fn observation_and(&mut self) -> Result<ObservationExpression, PatternError> {
        let operands = self.separated(TokenKind::And, Self::observation_qualified)?;
        Ok(flatten_observations(operands, ListOperator::And))
    }

    /// `[ comparison ]` or `( observation expressions )`, then any qualifiers.
    fn observation_qualified(&mut self) -> Result<ObservationExpression, PatternError> {
        let token = self.peek();
        let (expression, is_bracketed) = match token.kind {
            TokenKind::LeftBracket => {
                self.advance();
                self.enter(token)?;
                let comparison = self.comparison_or()?;
                self.expect(TokenKind::RightBracket, "'AND', 'OR' or ']'")?;
                self.leave();
                (ObservationExpression::Observation(comparison), true)
            }
            TokenKind::LeftParen => {
                self.advance();
                self.enter(token)?;
                let expression = self.observation_expressions()?;
                self.expect(
                    TokenKind::RightParen,
                    "'AND', 'OR', 'FOLLOWEDBY', a qualifier or ')'",
                )?;
                self.leave();
                (expression, false)
            }
            _ => return Err(self.unexpected(token, "'[' or '('")),
        };

        let mut qualifiers: Vec<Qualifier> = Vec::new();
        loop {
            let token = self.peek();
            let qualifier = match token.kind {
                TokenKind::Within => self.within()?,
                TokenKind::Repeats => self.repeats()?,
                TokenKind::Start => self.start_stop()?,
                _ => break,
            };

            // The reference validator rejects two qualifiers of one kind applied directly to a
            // bracketed observation, but not to a parenthesised group.
            if is_bracketed
                && qualifiers
                    .iter()
                    .any(|earlier| earlier.kind() == qualifier.kind())
            {
                let name = self.token_text(token);
                return Err(PatternError::new(
                    token.start,
                    format!(
                        "duplicate {name} qualifier on one observation expression \
                         (put the first in parentheses to qualify the group)"
                    ),
                ));
            }
            qualifiers.push(qualifier);
        }

        if qualifiers.is_empty() {
            return Ok(expression);
        }
        Ok(match expression {
            ObservationExpression::Qualified {
                expression,
                qualifiers: mut inner,
            } => {
                inner.extend(qualifiers);
                ObservationExpression::Qualified {
                    expression,
                    qualifiers: inner,
                }
            }
            other => ObservationExpression::Qualified {
                expression: Box::new(other),
                qualifiers,
            },
        })
    }

    // WITHIN (IntPosLiteral | FloatPosLiteral) SECONDS
    fn within(&mut self) -> Result<Qualifier, PatternError> {
        self.advance();
        let token = self.peek();
        if !matches!(token.kind, TokenKind::IntPos | TokenKind::FloatPos) {
            return Err(self.unexpected(token, "a positive number of seconds"));
        }
        self.advance();
        let text = self.token_text(token).trim_start_matches('+');
        let seconds: f64 = text
            .parse()
            .map_err(|_| PatternError::new(token.start, format!("invalid number '{text}'")))?;
        self.expect(TokenKind::Seconds, "'SECONDS'")?;
        Ok(Qualifier::Within(seconds))
    }

    // REPEATS IntPosLiteral TIMES
    fn repeats(&mut self) -> Result<Qualifier, PatternError> {
        self.advance();
        let token = self.expect(TokenKind::IntPos, "a positive integer")?;
        let text = self.token_text(token).trim_start_matches('+');
        let count: u64 = text.parse().map_err(|_| {
            PatternError::new(token.start, format!("repeat count '{text}' is too large"))
        })?;
        self.expect(TokenKind::Times, "'TIMES'")?;
        Ok(Qualifier::Repeats(count))
    }

    // START TimestampLiteral STOP TimestampLiteral
    fn start_stop(&mut self) -> Result<Qualifier, PatternError> {
        self.advance();
        let start = self.timestamp("a timestamp literal t'YYYY-MM-DDTHH:MM:SSZ'")?;
        self.expect(TokenKind::Stop, "'STOP'")?;
        let stop = self.timestamp("a timestamp literal t'YYYY-MM-DDTHH:MM:SSZ'")?;
        Ok(Qualifier::StartStop { start, stop })
    }

    fn timestamp(&mut self, expected: &str) -> Result<Timestamp, PatternError> {
        let token = self.expect(TokenKind::Timestamp, expected)?;
        match self.literal(token)? {
            Literal::Timestamp(timestamp) => Ok(timestamp),
            _ => Err(self.unexpected(token, expected)),
        }
    }

    // comparisonExpression: comparisonExpressionAnd (OR comparisonExpressionAnd)*
    fn comparison_or(&mut self) -> Result<ComparisonExpression, PatternError> {
        let operands = self.separated(TokenKind::Or, Self::comparison_and)?;
        Ok(flatten_comparisons(operands, false))
    }

    fn comparison_and(&mut self) -> Result<ComparisonExpression, PatternError> {
        let operands = self.separated(TokenKind::And, Self::property_test)?;
        Ok(flatten_comparisons(operands, true))
    }

    fn left_side_expectation(&self) -> &'static str {
        match self.mode {
            Mode::Pattern => "an object path, 'NOT', 'EXISTS' or '('",
            Mode::Condition => {
                "a variable reference such as __name__:value, 'NOT', 'EXISTS' or '('"
            }
        }
    }

    /// One comparison, or a parenthesised comparison expression.
    fn property_test(&mut self) -> Result<ComparisonExpression, PatternError> {
        let token = self.peek();
        match token.kind {
            TokenKind::LeftParen => {
                self.advance();
                self.enter(token)?;
                let expression = self.comparison_or()?;
                self.expect(TokenKind::RightParen, "'AND', 'OR' or ')'")?;
                self.leave();
                Ok(expression)
            }
            TokenKind::Not
                if self.mode == Mode::Condition
                    && self.tokens[self.position + 1].kind != TokenKind::Exists =>
            {
                // Conditions also accept NOT before a whole comparison, as in
                // `NOT __user__:value = 'root'`; it means the same as NOT before the operator.
                self.advance();
                let next = self.peek();
                if !matches!(
                    next.kind,
                    TokenKind::IdentifierWithoutHyphen | TokenKind::IdentifierWithHyphen
                ) {
                    return Err(self.unexpected(
                        next,
                        "a variable reference or 'EXISTS' after 'NOT' (NOT cannot negate a parenthesised group)",
                    ));
                }
                let mut expression = self.comparison(token.start)?;
                if let ComparisonExpression::Comparison(comparison) = &mut expression {
                    comparison.negated = !comparison.negated;
                }
                Ok(expression)
            }
            TokenKind::Not | TokenKind::Exists => {
                let negated = token.kind == TokenKind::Not;
                if negated {
                    self.advance();
                }
                let operator_token = self.expect(TokenKind::Exists, "'EXISTS'")?;
                let path = self.object_path()?;
                let end = self.tokens[self.position - 1].end;
                Ok(ComparisonExpression::Comparison(Box::new(Comparison {
                    path,
                    negated,
                    operator: Operator::Exists,
                    operand: Operand::None,
                    span: Span::new(token.start, end),
                    operator_span: Span::new(operator_token.start, operator_token.end),
                    operand_span: Span::new(end, end),
                })))
            }
            TokenKind::IdentifierWithoutHyphen | TokenKind::IdentifierWithHyphen => {
                self.comparison(token.start)
            }
            _ => Err(self.unexpected(token, self.left_side_expectation())),
        }
    }

    /// `path [NOT] operator operand`
    fn comparison(&mut self, start: usize) -> Result<ComparisonExpression, PatternError> {
        let path = self.object_path()?;

        let mut negated = false;
        if self.peek().kind == TokenKind::Not {
            self.advance();
            negated = true;
        }

        let operator_token = self.advance();
        let operator = match operator_token.kind {
            TokenKind::Equal => Operator::Equal,
            TokenKind::NotEqual => Operator::NotEqual,
            TokenKind::Less => Operator::Less,
            TokenKind::LessOrEqual => Operator::LessOrEqual,
            TokenKind::Greater => Operator::Greater,
            TokenKind::GreaterOrEqual => Operator::GreaterOrEqual,
            TokenKind::In => Operator::In,
            TokenKind::Like => Operator::Like,
            TokenKind::Matches => Operator::Matches,
            TokenKind::IsSubset => Operator::IsSubset,
            TokenKind::IsSuperset => Operator::IsSuperset,
            _ => {
                let expected = if negated {
                    "a comparison operator"
                } else {
                    "a path step ('.' or '['), 'NOT' or a comparison operator"
                };
                return Err(self.unexpected(operator_token, expected));
            }
        };

        let operand_start = self.peek().start;
        let operand = match operator {
            Operator::In => self.set_literal()?,
            Operator::Like | Operator::Matches => {
                let token = self.expect(TokenKind::String, "a string literal")?;
                Operand::Literal(self.literal(token)?)
            }
            Operator::IsSubset | Operator::IsSuperset => {
                self.operand(&[TokenKind::String], "a string literal")?
            }
            Operator::Equal | Operator::NotEqual => {
                self.operand(PRIMITIVE_LITERALS, "a literal")?
            }
            _ => self.operand(ORDERABLE_LITERALS, "a literal other than a boolean")?,
        };
        let end = self.tokens[self.position - 1].end;

        Ok(ComparisonExpression::Comparison(Box::new(Comparison {
            path,
            negated,
            operator,
            operand,
            span: Span::new(start, end),
            operator_span: Span::new(operator_token.start, operator_token.end),
            operand_span: Span::new(operand_start, end),
        })))
    }

    /// A literal of one of `kinds`, or in a condition also a variable reference.
    fn operand(&mut self, kinds: &[TokenKind], expected: &str) -> Result<Operand, PatternError> {
        let token = self.peek();
        if kinds.contains(&token.kind) {
            self.advance();
            return Ok(Operand::Literal(self.literal(token)?));
        }
        let is_identifier = matches!(
            token.kind,
            TokenKind::IdentifierWithoutHyphen | TokenKind::IdentifierWithHyphen
        );
        if self.mode == Mode::Condition && is_identifier {
            return Ok(Operand::Path(self.object_path()?));
        }
        let expected = match self.mode {
            Mode::Pattern => expected.to_string(),
            Mode::Condition => format!("{expected} or a variable reference"),
        };
        Err(self.unexpected(token, &expected))
    }

    // setLiteral: '(' ')' | '(' primitiveLiteral (',' primitiveLiteral)* ')'
    fn set_literal(&mut self) -> Result<Operand, PatternError> {
        self.expect(TokenKind::LeftParen, "'(' starting a list of literals")?;
        let mut literals = Vec::new();
        if self.peek().kind == TokenKind::RightParen {
            self.advance();
            return Ok(Operand::Set(literals));
        }
        loop {
            let token = self.peek();
            if !PRIMITIVE_LITERALS.contains(&token.kind) {
                return Err(self.unexpected(token, "a literal"));
            }
            self.advance();
            literals.push(self.literal(token)?);

            let separator = self.advance();
            match separator.kind {
                TokenKind::Comma => continue,
                TokenKind::RightParen => return Ok(Operand::Set(literals)),
                _ => return Err(self.unexpected(separator, "',' or ')'")),
            }
        }
    }

    /// An object path, or in a condition a variable reference.
    fn object_path(&mut self) -> Result<ObjectPath, PatternError> {
        let type_token = self.advance();
        if !matches!(
            type_token.kind,
            TokenKind::IdentifierWithoutHyphen | TokenKind::IdentifierWithHyphen
        ) {
            let expected = match self.mode {
                Mode::Pattern => "an object type",
                Mode::Condition => "a variable reference such as __name__:value",
            };
            return Err(self.unexpected(type_token, expected));
        }
        let object_type = self.token_text(type_token).to_string();

        if self.mode == Mode::Condition {
            return self.variable_reference(type_token, object_type);
        }

        self.expect(TokenKind::Colon, "':' after the object type")?;
        let mut steps = vec![PathStep::Key(self.property_name()?)];
        loop {
            match self.peek().kind {
                TokenKind::Dot => {
                    self.advance();
                    steps.push(PathStep::Key(self.property_name()?));
                }
                TokenKind::LeftBracket => {
                    self.advance();
                    let index_token = self.advance();
                    let step = match index_token.kind {
                        TokenKind::Asterisk => PathStep::AnyIndex,
                        TokenKind::IntPos | TokenKind::IntNeg => {
                            let text = self.token_text(index_token).trim_start_matches('+');
                            let index = text.parse().map_err(|_| {
                                PatternError::new(
                                    index_token.start,
                                    format!("list index '{text}' is out of range"),
                                )
                            })?;
                            PathStep::Index(index)
                        }
                        _ => return Err(self.unexpected(index_token, "a list index or '*'")),
                    };
                    self.expect(TokenKind::RightBracket, "']' closing the list index")?;
                    steps.push(step);
                }
                _ => break,
            }
        }
        Ok(ObjectPath { object_type, steps })
    }

    /// `__name__` or `__name__:value`.
    fn variable_reference(
        &mut self,
        type_token: Token,
        name: String,
    ) -> Result<ObjectPath, PatternError> {
        if !is_variable_name(&name) {
            return Err(PatternError::new(
                type_token.start,
                format!("expected a variable reference such as __name__:value, found '{name}'"),
            ));
        }
        let mut steps = Vec::new();
        if self.peek().kind == TokenKind::Colon {
            self.advance();
            let property = self.advance();
            if property.kind != TokenKind::IdentifierWithoutHyphen
                || self.token_text(property) != "value"
            {
                return Err(self.unexpected(property, "'value' after the variable name"));
            }
            steps.push(PathStep::Key("value".to_string()));
        }
        Ok(ObjectPath {
            object_type: name,
            steps,
        })
    }

    /// A property name: an identifier without hyphens or a quoted string.
    fn property_name(&mut self) -> Result<String, PatternError> {
        let token = self.advance();
        match token.kind {
            TokenKind::IdentifierWithoutHyphen => Ok(self.token_text(token).to_string()),
            TokenKind::String => Ok(unescape_string(self.token_text(token))),
            _ => Err(self.unexpected(
                token,
                "a property name (letters, digits and '_', or a quoted string)",
            )),
        }
    }

    /// The value of a literal token.
    fn literal(&self, token: Token) -> Result<Literal, PatternError> {
        let text = self.token_text(token);
        let invalid = |what: &str| PatternError::new(token.start, format!("{what} '{text}'"));
        Ok(match token.kind {
            TokenKind::IntPos | TokenKind::IntNeg => Literal::Integer(
                text.trim_start_matches('+')
                    .parse()
                    .map_err(|_| invalid("integer literal out of the 64-bit range:"))?,
            ),
            TokenKind::FloatPos | TokenKind::FloatNeg => Literal::Float(
                text.trim_start_matches('+')
                    .parse()
                    .map_err(|_| invalid("invalid float literal"))?,
            ),
            TokenKind::String => Literal::String(unescape_string(text)),
            TokenKind::Bool => Literal::Boolean(text == "true"),
            TokenKind::Binary => Literal::Binary(
                BASE64_LENIENT
                    .decode(&text[2..text.len() - 1])
                    .map_err(|_| invalid("invalid base64 in binary literal"))?,
            ),
            TokenKind::Hex => Literal::Hex(
                decode_hex(&text[2..text.len() - 1])
                    .ok_or_else(|| invalid("invalid hex literal"))?,
            ),
            TokenKind::Timestamp => Literal::Timestamp(
                Timestamp::parse_literal(&text[2..text.len() - 1])
                    .ok_or_else(|| invalid("invalid timestamp literal"))?,
            ),
            _ => return Err(self.unexpected(token, "a literal")),
        })
    }
}

const PRIMITIVE_LITERALS: &[TokenKind] = &[
    TokenKind::IntPos,
    TokenKind::IntNeg,
    TokenKind::FloatPos,
    TokenKind::FloatNeg,
    TokenKind::String,
    TokenKind::Binary,
    TokenKind::Hex,
    TokenKind::Timestamp,
    TokenKind::Bool,
];

const ORDERABLE_LITERALS: &[TokenKind] = &[
    TokenKind::IntPos,
    TokenKind::IntNeg,
    TokenKind::FloatPos,
    TokenKind::FloatNeg,
    TokenKind::String,
    TokenKind::Binary,
    TokenKind::Hex,
    TokenKind::Timestamp,
];

/// Base64 that accepts non-zero trailing bits, as Python's decoder does.
const BASE64_LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The content of a string literal token (with its quotes), escapes resolved.
pub(crate) fn unescape_string(token_text: &str) -> String {
    let inner = &token_text[1..token_text.len() - 1];
    let mut result = String::with_capacity(inner.len());
    let mut characters = inner.chars();
    while let Some(character) = characters.next() {
        if character == '\\' {
            // The lexer only lets `\'` and `\\` through.
            if let Some(escaped) = characters.next() {
                result.push(escaped);
            }
        } else {
            result.push(character);
        }
    }
    result
}

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

/// The observation operators that form flat lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListOperator {
    And,
    Or,
    FollowedBy,
}

/// One operand stays as it is; several become one list node, with operands of the same
/// operator (from parentheses) spliced in.
fn flatten_observations(
    operands: Vec<ObservationExpression>,
    operator: ListOperator,
) -> ObservationExpression {
    if operands.len() == 1 {
        return operands.into_iter().next().expect("one operand");
    }
    let mut flat = Vec::with_capacity(operands.len());
    for operand in operands {
        match (operand, operator) {
            (ObservationExpression::And(inner), ListOperator::And)
            | (ObservationExpression::Or(inner), ListOperator::Or)
            | (ObservationExpression::FollowedBy(inner), ListOperator::FollowedBy) => {
                flat.extend(inner)
            }
            (other, _) => flat.push(other),
        }
    }
    match operator {
        ListOperator::And => ObservationExpression::And(flat),
        ListOperator::Or => ObservationExpression::Or(flat),
        ListOperator::FollowedBy => ObservationExpression::FollowedBy(flat),
    }
}

fn flatten_comparisons(operands: Vec<ComparisonExpression>, is_and: bool) -> ComparisonExpression {
    if operands.len() == 1 {
        return operands.into_iter().next().expect("one operand");
    }
    let mut flat = Vec::with_capacity(operands.len());
    for operand in operands {
        match operand {
            ComparisonExpression::And(inner) if is_and => flat.extend(inner),
            ComparisonExpression::Or(inner) if !is_and => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if is_and {
        ComparisonExpression::And(flat)
    } else {
        ComparisonExpression::Or(flat)
    }
}

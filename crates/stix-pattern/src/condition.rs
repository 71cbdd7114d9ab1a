//! The CACAO condition language: the comparison-expression part of STIX patterning, in which a
//! variable reference (`__name__:value` or `__name__`) stands where an object path stands.
//!
//! ```text
//! __count__:value > 3 AND (__host__:value ISSUBSET '10.0.0.0/8' OR NOT __user__:value = 'root')
//! ```
//!
//! Conditions are parsed by the same parser as STIX patterns into the same
//! [`ComparisonExpression`] tree, then compiled once (regular expressions, `LIKE` patterns, CIDR
//! blocks) so that evaluation does no parsing beyond reading each variable's text.
//!
//! Comparisons are typed by the variable's declared CACAO type: `integer`, `long` and `float`
//! compare as numbers, `bool` as booleans, `ipv4-addr` and `ipv6-addr` as addresses (with
//! `ISSUBSET` and `ISSUPERSET` against CIDR blocks), and every other type as case-sensitive
//! strings. A comparison whose variable is unknown or null, or whose value does not read as its
//! type, is false whether or not it has `NOT`; only `EXISTS` tests presence itself.
//! [`Condition::check_types`] finds ill-typed literals and operators before a playbook runs.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use crate::ast::{Comparison, ComparisonExpression, Literal, Operand, Operator};
use crate::error::PatternError;
use crate::network::Block;
use crate::number::Number;
use crate::parser::parse_condition;
use crate::text::{compile_like, compile_regex};
use crate::timestamp::parse_rfc3339_micros;

/// A parsed CACAO condition: a STIX comparison expression in which `__name__:value` (or
/// `__name__`) stands where an object path stands, optionally wrapped in `[ ]`.
#[derive(Debug, Clone)]
pub struct Condition {
    expression: ComparisonExpression,
    compiled: Node,
}

/// Where evaluation reads variable values.
pub trait Variables {
    /// The declared type and current value of the variable `name` (with its `__` delimiters),
    /// or `None` when there is no such variable.
    fn lookup(&self, name: &str) -> Option<VariableValue<'_>>;
}

/// A variable's declared CACAO type and current value as text (`None` for JSON null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariableValue<'a> {
    /// The `variable-type-ov` string: `integer`, `ipv4-addr`, `string`, …
    pub variable_type: &'a str,
    /// The value as text, `None` when it is null.
    pub value: Option<&'a str>,
}

/// A simple owned set of variables, for tools and tests that do not have their own store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariableMap {
    entries: HashMap<String, (String, Option<String>)>,
}

impl VariableMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` (with its `__` delimiters) to `value` of type `variable_type`.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        variable_type: impl Into<String>,
        value: Option<&str>,
    ) {
        self.entries.insert(
            name.into(),
            (variable_type.into(), value.map(str::to_string)),
        );
    }
}

impl Variables for VariableMap {
    fn lookup(&self, name: &str) -> Option<VariableValue<'_>> {
        self.entries
            .get(name)
            .map(|(variable_type, value)| VariableValue {
                variable_type,
                value: value.as_deref(),
            })
    }
}

impl<V: Variables + ?Sized> Variables for &V {
    fn lookup(&self, name: &str) -> Option<VariableValue<'_>> {
        (**self).lookup(name)
    }
}

/// How values of a declared type compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Number,
    Boolean,
    Address,
    Text,
}

impl Category {
    fn of(variable_type: &str) -> Category {
        match variable_type {
            "integer" | "long" | "float" => Category::Number,
            "bool" => Category::Boolean,
            "ipv4-addr" | "ipv6-addr" => Category::Address,
            _ => Category::Text,
        }
    }
}

/// The compiled form evaluation walks.
#[derive(Debug, Clone)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Test(Box<Test>),
}

#[derive(Debug, Clone)]
struct Test {
    variable: String,
    negated: bool,
    operator: Operator,
    operand: CompiledOperand,
}

#[derive(Debug, Clone)]
enum CompiledOperand {
    None,
    Literal(Literal),
    Set(Vec<Literal>),
    Variable(String),
    Pattern(std::sync::Arc<regex::Regex>),
    Block(Option<Block>),
}

impl Condition {
    /// Parses; the error carries the byte offset inside `text` and what was expected.
    pub fn parse(text: &str) -> Result<Condition, PatternError> {
        let expression = parse_condition(text)?;
        let compiled = compile(&expression)?;
        Ok(Condition {
            expression,
            compiled,
        })
    }

    /// The syntax tree of the condition.
    pub fn expression(&self) -> &ComparisonExpression {
        &self.expression
    }

    /// The variable names the condition references, with their `__` delimiters, in order of
    /// first appearance, without duplicates.
    pub fn variables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        visit_comparisons(&self.expression, &mut |comparison: &Comparison| {
            names.push(comparison.path.object_type.as_str());
            if let Operand::Path(path) = &comparison.operand {
                names.push(path.object_type.as_str());
            }
        });
        let mut unique: Vec<&str> = Vec::with_capacity(names.len());
        for name in names {
            if !unique.contains(&name) {
                unique.push(name);
            }
        }
        unique
    }

    /// Validation-time typing: `declared` maps a variable name to its CACAO variable type (the
    /// `variable-type-ov` string: "integer", "ipv4-addr", "string", ...). Returns one error per
    /// ill-typed literal or operator, each with its byte offset. Variables that `declared` does
    /// not know are not typed here (whether they are declared is the validator's question).
    pub fn check_types(&self, declared: &dyn Fn(&str) -> Option<String>) -> Vec<PatternError> {
        let mut errors = Vec::new();
        visit_comparisons(&self.expression, &mut |comparison| {
            if let Some(error) = check_comparison(comparison, declared) {
                errors.push(error);
            }
        });
        errors
    }

    /// Run-time evaluation. A comparison with an unknown variable (lookup gives None) or a
    /// null value is false, never an error.
    pub fn evaluate(&self, variables: &dyn Variables) -> bool {
        evaluate_node(&self.compiled, variables)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expression.fmt(formatter)
    }
}

fn visit_comparisons<'a>(
    expression: &'a ComparisonExpression,
    visit: &mut dyn FnMut(&'a Comparison),
) {
    match expression {
        ComparisonExpression::And(operands) | ComparisonExpression::Or(operands) => {
            for operand in operands {
                visit_comparisons(operand, visit);
            }
        }
        ComparisonExpression::Comparison(comparison) => visit(comparison),
    }
}

fn compile(expression: &ComparisonExpression) -> Result<Node, PatternError> {
    Ok(match expression {
        ComparisonExpression::And(operands) => {
            Node::And(operands.iter().map(compile).collect::<Result<_, _>>()?)
        }
        ComparisonExpression::Or(operands) => {
            Node::Or(operands.iter().map(compile).collect::<Result<_, _>>()?)
        }
        ComparisonExpression::Comparison(comparison) => {
            Node::Test(Box::new(compile_test(comparison)?))
        }
    })
}

fn compile_test(comparison: &Comparison) -> Result<Test, PatternError> {
    let offset = comparison.operand_span.start;
    let operand = match (&comparison.operator, &comparison.operand) {
        (Operator::Like, Operand::Literal(Literal::String(pattern))) => CompiledOperand::Pattern(
            compile_like(pattern, false).map_err(|message| PatternError::new(offset, message))?,
        ),
        (Operator::Matches, Operand::Literal(Literal::String(expression))) => {
            CompiledOperand::Pattern(
                compile_regex(expression).map_err(|message| PatternError::new(offset, message))?,
            )
        }
        (Operator::IsSubset | Operator::IsSuperset, Operand::Literal(Literal::String(block))) => {
            CompiledOperand::Block(Block::parse(block))
        }
        (_, Operand::None) => CompiledOperand::None,
        (_, Operand::Literal(literal)) => CompiledOperand::Literal(literal.clone()),
        (_, Operand::Set(literals)) => CompiledOperand::Set(literals.clone()),
        (_, Operand::Path(path)) => CompiledOperand::Variable(path.object_type.clone()),
    };
    Ok(Test {
        variable: comparison.path.object_type.clone(),
        negated: comparison.negated,
        operator: comparison.operator,
        operand,
    })
}

fn evaluate_node(node: &Node, variables: &dyn Variables) -> bool {
    match node {
        Node::And(operands) => operands
            .iter()
            .all(|operand| evaluate_node(operand, variables)),
        Node::Or(operands) => operands
            .iter()
            .any(|operand| evaluate_node(operand, variables)),
        Node::Test(test) => evaluate_test(test, variables),
    }
}

fn evaluate_test(test: &Test, variables: &dyn Variables) -> bool {
    let left = variables.lookup(&test.variable);
    if test.operator == Operator::Exists {
        let present = left.is_some_and(|variable| variable.value.is_some());
        return present != test.negated;
    }

    let Some(VariableValue {
        variable_type,
        value: Some(value),
    }) = left
    else {
        return false;
    };
    match compare(Category::of(variable_type), value, test, variables) {
        Some(result) => result != test.negated,
        None => false,
    }
}

/// The comparison's result before `NOT`, or `None` when it cannot be evaluated.
fn compare(
    category: Category,
    value: &str,
    test: &Test,
    variables: &dyn Variables,
) -> Option<bool> {
    match &test.operand {
        CompiledOperand::None => None,
        CompiledOperand::Pattern(regex) => Some(regex.is_match(value)),
        CompiledOperand::Block(block) => {
            let literal_block = (*block)?;
            let value_block = Block::parse(value.trim())?;
            Some(match test.operator {
                Operator::IsSubset => value_block.is_subset_of(&literal_block),
                _ => literal_block.is_subset_of(&value_block),
            })
        }
        CompiledOperand::Literal(literal) => {
            compare_with_literal(category, value, test.operator, literal)
        }
        CompiledOperand::Set(literals) => Some(literals.iter().any(|literal| {
            compare_with_literal(category, value, Operator::Equal, literal) == Some(true)
        })),
        CompiledOperand::Variable(name) => {
            let right = variables.lookup(name)?.value?;
            compare_with_text(category, value, test.operator, right)
        }
    }
}

fn order_result(operator: Operator, ordering: Ordering) -> Option<bool> {
    Some(match operator {
        Operator::Equal => ordering == Ordering::Equal,
        Operator::NotEqual => ordering != Ordering::Equal,
        Operator::Less => ordering == Ordering::Less,
        Operator::LessOrEqual => ordering != Ordering::Greater,
        Operator::Greater => ordering == Ordering::Greater,
        Operator::GreaterOrEqual => ordering != Ordering::Less,
        _ => return None,
    })
}

fn compare_with_literal(
    category: Category,
    value: &str,
    operator: Operator,
    literal: &Literal,
) -> Option<bool> {
    match (category, literal) {
        (Category::Number, Literal::Integer(integer)) => {
            let ordering = Number::parse(value)?.compare(Number::Integer(i128::from(*integer)))?;
            order_result(operator, ordering)
        }
        (Category::Number, Literal::Float(float)) => {
            let ordering = Number::parse(value)?.compare(Number::Float(*float))?;
            order_result(operator, ordering)
        }
        (Category::Boolean, Literal::Boolean(expected)) => {
            let actual = parse_bool(value)?;
            match operator {
                Operator::Equal => Some(actual == *expected),
                Operator::NotEqual => Some(actual != *expected),
                _ => None,
            }
        }
        (Category::Address | Category::Text, Literal::String(text)) => {
            compare_with_text(category, value, operator, text)
        }
        (Category::Text | Category::Address, Literal::Timestamp(timestamp)) => {
            let actual = parse_rfc3339_micros(value.trim())?;
            order_result(operator, actual.cmp(&timestamp.unix_micros()?))
        }
        _ => None,
    }
}

/// Compares a variable's value with another text (a string literal or another variable's
/// value) by the variable's category.
fn compare_with_text(
    category: Category,
    value: &str,
    operator: Operator,
    other: &str,
) -> Option<bool> {
    match category {
        Category::Number => order_result(
            operator,
            Number::parse(value)?.compare(Number::parse(other)?)?,
        ),
        Category::Boolean => {
            let (left, right) = (parse_bool(value)?, parse_bool(other)?);
            match operator {
                Operator::Equal => Some(left == right),
                Operator::NotEqual => Some(left != right),
                _ => None,
            }
        }
        Category::Address => {
            if matches!(operator, Operator::IsSubset | Operator::IsSuperset) {
                let (left, right) = (Block::parse(value.trim())?, Block::parse(other.trim())?);
                return Some(if operator == Operator::IsSubset {
                    left.is_subset_of(&right)
                } else {
                    right.is_subset_of(&left)
                });
            }
            // Equal addresses may be written differently (`::1`, `0::1`).
            if let (Operator::Equal | Operator::NotEqual, Some(left), Some(right)) = (
                operator,
                Block::parse(value.trim()),
                Block::parse(other.trim()),
            ) {
                return Some((left == right) == (operator == Operator::Equal));
            }
            order_result(operator, value.cmp(other))
        }
        Category::Text => order_result(operator, value.cmp(other)),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The type error of one comparison, if any.
fn check_comparison(
    comparison: &Comparison,
    declared: &dyn Fn(&str) -> Option<String>,
) -> Option<PatternError> {
    if comparison.operator == Operator::Exists {
        return None;
    }
    let name = &comparison.path.object_type;
    let variable_type = declared(name)?;
    let category = Category::of(&variable_type);
    let operator = comparison.operator;
    let operator_error = |what: &str| {
        Some(PatternError::new(
            comparison.operator_span.start,
            format!(
                "{} cannot be applied to {name}, a {variable_type} variable: {what}",
                operator.as_str()
            ),
        ))
    };

    // Operators first: which categories each one applies to.
    match (operator, category) {
        (Operator::IsSubset | Operator::IsSuperset, Category::Address) => {}
        (Operator::IsSubset | Operator::IsSuperset, _) => {
            return operator_error("it needs an ipv4-addr or ipv6-addr variable");
        }
        (Operator::Like | Operator::Matches, Category::Number | Category::Boolean) => {
            return operator_error("it applies to text");
        }
        (
            Operator::Less | Operator::LessOrEqual | Operator::Greater | Operator::GreaterOrEqual,
            Category::Boolean,
        ) => {
            return operator_error("booleans have no order");
        }
        _ => {}
    }

    let operand_error = |found: &str, expected: &str| {
        Some(PatternError::new(
            comparison.operand_span.start,
            format!("{name} is a {variable_type} variable: expected {expected}, found {found}"),
        ))
    };
    let check_literal = |literal: &Literal| -> Option<PatternError> {
        let acceptable = match (category, literal, operator) {
            (Category::Number, Literal::Integer(_) | Literal::Float(_), _) => true,
            (Category::Boolean, Literal::Boolean(_), _) => true,
            (
                Category::Address,
                Literal::String(text),
                Operator::IsSubset | Operator::IsSuperset,
            ) => {
                return match Block::parse(text) {
                    Some(_) if address_family_matches(&variable_type, text) => None,
                    _ => operand_error(
                        &literal.to_string(),
                        &format!("an {variable_type} address or CIDR block"),
                    ),
                };
            }
            (Category::Address | Category::Text, Literal::String(_), _) => true,
            (Category::Text, Literal::Timestamp(timestamp), _) => {
                return if timestamp.unix_micros().is_some() {
                    None
                } else {
                    operand_error(
                        &literal.to_string(),
                        "a timestamp that exists in the calendar",
                    )
                };
            }
            _ => false,
        };
        if acceptable {
            return None;
        }
        let expected = match category {
            Category::Number => "a number",
            Category::Boolean => "true or false",
            Category::Address | Category::Text => "a string literal",
        };
        operand_error(&literal.to_string(), expected)
    };

    match &comparison.operand {
        Operand::None => None,
        Operand::Literal(literal) => check_literal(literal),
        Operand::Set(literals) => literals.iter().find_map(check_literal),
        Operand::Path(path) => {
            let other_type = declared(&path.object_type)?;
            let other_category = Category::of(&other_type);
            let compatible = other_category == category
                || matches!(
                    (category, other_category),
                    (Category::Address, Category::Text) | (Category::Text, Category::Address)
                );
            if compatible {
                None
            } else {
                operand_error(
                    &format!("{}, a {other_type} variable", path.object_type),
                    &format!("a variable that compares with {variable_type}"),
                )
            }
        }
    }
}

fn address_family_matches(variable_type: &str, text: &str) -> bool {
    let is_ipv6 = text.contains(':');
    match variable_type {
        "ipv4-addr" => !is_ipv6,
        "ipv6-addr" => is_ipv6,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables() -> VariableMap {
        let mut variables = VariableMap::new();
        variables.insert("__n__", "integer", Some("10"));
        variables.insert("__host__", "string", Some("web-01"));
        variables.insert("__ip__", "ipv4-addr", Some("10.1.2.3"));
        variables.insert("__color__", "string", Some("green"));
        variables.insert("__null__", "string", None);
        variables
    }

    fn holds(text: &str) -> bool {
        Condition::parse(text)
            .unwrap_or_else(|error| panic!("{text}: {error}"))
            .evaluate(&variables())
    }

    #[test]
    fn conditions_basic_corpus_cases() {
        assert!(holds("__n__:value > 9"));
        assert!(holds("__host__:value LIKE 'web-%'"));
        assert!(!holds("__color__:value IN ('red', 'blue')"));
        assert!(holds("__ip__:value ISSUBSET '10.0.0.0/8'"));
        assert!(!holds("__n__:value < 20 AND __host__:value LIKE 'db-%'"));
        assert!(holds(
            "__color__:value = 'red' OR __color__:value NOT IN ('red', 'blue')"
        ));
        assert!(!holds("[__ip__:value ISSUBSET '192.168.0.0/16']"));
        assert!(!holds("__host__:value NOT LIKE 'web-%'"));
        assert!(!holds("__host__:value LIKE 'web'"));
    }

    #[test]
    fn unknown_and_null_variables_are_false_even_under_not() {
        assert!(!holds("__missing__:value = 'x'"));
        assert!(!holds("__missing__:value NOT = 'x'"));
        assert!(!holds("__null__:value != 'x'"));
        assert!(holds("NOT EXISTS __null__"));
        assert!(holds("EXISTS __n__:value"));
    }
}

//! The STIX 2.1 pattern matcher: does a set of observed-data objects (with their cyber-observable
//! objects) satisfy a pattern, and which observed data is bound to it?
//!
//! Semantics follow the OASIS reference matcher (`stix2-matcher` 3.0.0, `stix_version='2.1'`):
//! a `[…]` observation expression selects observations having one object (of the named type,
//! never a STIX domain object type) that satisfies the whole comparison expression; `AND` and
//! `FOLLOWEDBY` need different observation instances (an observed-data object stands for
//! `number_observed` instances); `FOLLOWEDBY` needs each left observation's `first_observed` no
//! later than each right one's `last_observed`; `WITHIN` needs a window of that many seconds
//! touching every observation's interval; `START`/`STOP` need every interval to overlap
//! `[start, stop)`; `REPEATS n` needs n disjoint bindings. The `values` module says how values compare
//! and the `bindings` module how bindings are searched.

mod bindings;
mod observations;
mod values;

use serde_json::Value;

use crate::ast::{ObservationExpression, Pattern, Qualifier};
use crate::error::MatchError;
use crate::parser::{MAX_NESTING, parse_pattern};
use bindings::{Budget, Stream, TimeFilter, Timeline};
use observations::{Observation, build_observations, input_objects};
use values::CompiledExpression;

/// How many search steps a match may take before it gives up with
/// [`MatchError::SearchLimit`]. Ordinary patterns need a few per observation.
pub const DEFAULT_SEARCH_LIMIT: u64 = 10_000_000;

/// The result of matching a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOutcome {
    /// Whether the observed data satisfies the pattern.
    pub matched: bool,
    /// The ids of the observed-data objects of the first binding found, in input order; empty
    /// when the pattern did not match.
    pub observed_data: Vec<String>,
}

/// A pattern compiled for matching: literals converted, regular expressions compiled.
#[derive(Debug)]
pub struct Matcher {
    root: Node,
    search_limit: u64,
}

#[derive(Debug)]
enum Node {
    Observation(CompiledExpression),
    And(Vec<Node>),
    Or(Vec<Node>),
    FollowedBy(Vec<Node>),
    Qualified(Box<Node>, Vec<CompiledQualifier>),
}

#[derive(Debug, Clone, Copy)]
enum CompiledQualifier {
    Time(TimeFilter),
    Never,
    Repeats(u64),
}

impl Matcher {
    /// Compiles a parsed pattern. Fails on what the reference matcher also refuses to
    /// evaluate: `WITHIN` of zero seconds, `REPEATS 0 TIMES`, a timestamp that is not a real
    /// instant, an `IN` list mixing value types, an invalid regular expression or CIDR block.
    pub fn new(pattern: &Pattern) -> Result<Matcher, MatchError> {
        check_depth(&pattern.expression)?;
        Ok(Matcher {
            root: compile(&pattern.expression)?,
            search_limit: DEFAULT_SEARCH_LIMIT,
        })
    }

    /// Parses and compiles a pattern.
    pub fn parse(text: &str) -> Result<Matcher, MatchError> {
        Matcher::new(&parse_pattern(text)?)
    }

    /// Sets how many search steps a match may take.
    pub fn with_search_limit(mut self, steps: u64) -> Matcher {
        self.search_limit = steps;
        self
    }

    /// Matches against a matcher input: a JSON list of STIX objects (observed-data objects
    /// and the objects they reference), a bundle, or a single observed-data object.
    pub fn match_input(&self, input: &Value) -> Result<MatchOutcome, MatchError> {
        self.match_objects(input_objects(input)?)
    }

    /// Matches against a flat list of STIX objects.
    pub fn match_objects(&self, objects: &[Value]) -> Result<MatchOutcome, MatchError> {
        let observations = build_observations(objects)?;
        let timeline = Timeline {
            first: observations
                .iter()
                .map(|observation| observation.first)
                .collect(),
            last: observations
                .iter()
                .map(|observation| observation.last)
                .collect(),
            capacity: observations
                .iter()
                .map(|observation| observation.count)
                .collect(),
        };
        let total_instances = timeline
            .capacity
            .iter()
            .fold(0u64, |total, count| total.saturating_add(*count));

        let mut stream = build_stream(&self.root, &observations, &timeline, total_instances);
        let mut budget = Budget::new(self.search_limit);
        let Some(binding) = stream.next(&timeline, &mut budget)? else {
            return Ok(MatchOutcome {
                matched: false,
                observed_data: Vec::new(),
            });
        };

        let observed_data = binding
            .observations()
            .map(|index| observations[index as usize].id.to_string())
            .collect();
        Ok(MatchOutcome {
            matched: true,
            observed_data,
        })
    }
}

/// Parses `pattern` and matches it against `input` (a list of objects, a bundle or one
/// observed-data object).
pub fn match_pattern(pattern: &str, input: &Value) -> Result<MatchOutcome, MatchError> {
    Matcher::parse(pattern)?.match_input(input)
}

/// Refuses trees deeper than the parser could have produced (they can only be built by hand),
/// without recursion.
fn check_depth(expression: &ObservationExpression) -> Result<(), MatchError> {
    use crate::ast::ComparisonExpression;

    let limit = 4 * MAX_NESTING;
    let mut stack = vec![(expression, 1usize)];
    let mut comparisons = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        if depth > limit {
            return Err(MatchError::TooDeep(limit));
        }
        match node {
            ObservationExpression::Observation(comparison) => {
                comparisons.push((comparison, depth + 1))
            }
            ObservationExpression::And(operands)
            | ObservationExpression::Or(operands)
            | ObservationExpression::FollowedBy(operands) => {
                stack.extend(operands.iter().map(|operand| (operand, depth + 1)));
            }
            ObservationExpression::Qualified { expression, .. } => {
                stack.push((expression, depth + 1))
            }
        }
    }
    while let Some((node, depth)) = comparisons.pop() {
        if depth > limit {
            return Err(MatchError::TooDeep(limit));
        }
        if let ComparisonExpression::And(operands) | ComparisonExpression::Or(operands) = node {
            comparisons.extend(operands.iter().map(|operand| (operand, depth + 1)));
        }
    }
    Ok(())
}

fn compile(expression: &ObservationExpression) -> Result<Node, MatchError> {
    let compile_all = |operands: &[ObservationExpression]| {
        operands.iter().map(compile).collect::<Result<Vec<_>, _>>()
    };
    Ok(match expression {
        ObservationExpression::Observation(comparison) => {
            Node::Observation(CompiledExpression::compile(comparison)?)
        }
        ObservationExpression::And(operands) => Node::And(compile_all(operands)?),
        ObservationExpression::Or(operands) => Node::Or(compile_all(operands)?),
        ObservationExpression::FollowedBy(operands) => Node::FollowedBy(compile_all(operands)?),
        ObservationExpression::Qualified {
            expression,
            qualifiers,
        } => Node::Qualified(
            Box::new(compile(expression)?),
            qualifiers
                .iter()
                .map(compile_qualifier)
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn compile_qualifier(qualifier: &Qualifier) -> Result<CompiledQualifier, MatchError> {
    Ok(match qualifier {
        Qualifier::Within(seconds) => {
            let micros = (seconds * 1_000_000.0).round_ties_even();
            if micros.is_nan() || micros <= 0.0 {
                return Err(MatchError::Unsupported(format!(
                    "WITHIN needs a positive number of seconds, found {seconds}"
                )));
            }
            // Durations beyond the i64 range reach every timestamp anyway.
            CompiledQualifier::Time(TimeFilter::Within(if micros >= i64::MAX as f64 {
                i64::MAX
            } else {
                micros as i64
            }))
        }
        Qualifier::Repeats(0) => {
            return Err(MatchError::Unsupported(
                "REPEATS needs a count of at least 1".into(),
            ));
        }
        Qualifier::Repeats(count) => CompiledQualifier::Repeats(*count),
        Qualifier::StartStop { start, stop } => {
            let instant = |timestamp: &crate::Timestamp| {
                timestamp.unix_micros().ok_or_else(|| {
                    MatchError::Unsupported(format!(
                        "timestamp t'{timestamp}' is not a real instant"
                    ))
                })
            };
            let (start, stop) = (instant(start)?, instant(stop)?);
            if start < stop {
                CompiledQualifier::Time(TimeFilter::StartStop { start, stop })
            } else {
                // An empty interval: nothing can lie in it.
                CompiledQualifier::Never
            }
        }
    })
}

fn build_stream(
    node: &Node,
    observations: &[Observation<'_>],
    timeline: &Timeline,
    total_instances: u64,
) -> Stream {
    let build_all = |operands: &[Node]| {
        operands
            .iter()
            .map(|operand| build_stream(operand, observations, timeline, total_instances))
            .collect::<Vec<_>>()
    };
    match node {
        Node::Observation(expression) => {
            let bindings: Vec<_> = observations
                .iter()
                .enumerate()
                .filter(|(_, observation)| !expression.matching_roots(observation).is_empty())
                .map(|(index, _)| timeline.single(index as u32))
                .collect();
            Stream::List(bindings.into_iter())
        }
        Node::Or(operands) => Stream::or(build_all(operands)),
        Node::And(operands) | Node::FollowedBy(operands) => {
            // Each operand needs instances of its own: when there are not enough in all,
            // there is nothing to search.
            if minimum_instances(node) > total_instances {
                return Stream::List(Vec::new().into_iter());
            }
            let ordered = matches!(node, Node::FollowedBy(_));
            balanced_join(build_all(operands), ordered)
        }
        Node::Qualified(inner, qualifiers) => {
            let mut stream = build_stream(inner, observations, timeline, total_instances);
            for qualifier in qualifiers {
                stream = match *qualifier {
                    CompiledQualifier::Time(filter) => Stream::Filter {
                        inner: Box::new(stream),
                        filter,
                    },
                    CompiledQualifier::Never => Stream::List(Vec::new().into_iter()),
                    CompiledQualifier::Repeats(1) => stream,
                    // Each repetition needs instances of its own.
                    CompiledQualifier::Repeats(count)
                        if minimum_instances(inner).saturating_mul(count) > total_instances =>
                    {
                        Stream::List(Vec::new().into_iter())
                    }
                    CompiledQualifier::Repeats(count) => Stream::repeat(stream, count),
                };
            }
            stream
        }
    }
}

/// The fewest observation instances any binding of `node` uses.
fn minimum_instances(node: &Node) -> u64 {
    match node {
        Node::Observation(_) => 1,
        Node::And(operands) | Node::FollowedBy(operands) => {
            operands.iter().fold(0u64, |total, operand| {
                total.saturating_add(minimum_instances(operand))
            })
        }
        Node::Or(operands) => operands.iter().map(minimum_instances).min().unwrap_or(0),
        Node::Qualified(inner, qualifiers) => qualifiers.iter().fold(
            minimum_instances(inner),
            |total, qualifier| match qualifier {
                CompiledQualifier::Repeats(count) => total.saturating_mul(*count),
                _ => total,
            },
        ),
    }
}

/// Joins the streams pairwise into a balanced tree, so that a chain of many operands nests
/// only logarithmically deep. Both AND and FOLLOWEDBY are associative here: a FOLLOWEDBY join
/// requires everything on its left to come no later than everything on its right, which over
/// any grouping of a chain amounts to every earlier operand before every later one.
fn balanced_join(mut streams: Vec<Stream>, ordered: bool) -> Stream {
    if streams.is_empty() {
        return Stream::List(Vec::new().into_iter());
    }
    while streams.len() > 1 {
        let mut paired = Vec::with_capacity(streams.len().div_ceil(2));
        let mut drain = streams.into_iter();
        while let Some(left) = drain.next() {
            match drain.next() {
                Some(right) => paired.push(Stream::join(left, right, ordered)),
                None => paired.push(left),
            }
        }
        streams = paired;
    }
    streams.pop().expect("one stream")
}

//! Untrusted input: huge patterns, deep nesting, catastrophic regular expressions and
//! combinatorial matches end in an error or a bounded result, never a stack overflow, a hang or
//! a panic.

use serde_json::{Value, json};
use stix_pattern::ast::{ComparisonExpression, ObservationExpression, Pattern, Qualifier};
use stix_pattern::condition::Condition;
use stix_pattern::{MAX_NESTING, MatchError, Matcher, match_pattern, parse_pattern};

fn observations(count: usize, value: &str) -> Vec<Value> {
    let mut objects = Vec::new();
    for index in 0..count {
        let id = format!("x-thing--{index:08}");
        objects.push(json!({"type": "x-thing", "id": id, "name": value, "size": index}));
        objects.push(json!({
            "type": "observed-data",
            "id": format!("observed-data--{index:08}"),
            "number_observed": 1,
            "first_observed": format!("2024-01-01T{:02}:{:02}:00Z", index / 60 % 24, index % 60),
            "last_observed": format!("2024-01-01T{:02}:{:02}:00Z", index / 60 % 24, index % 60),
            "object_refs": [id],
        }));
    }
    objects
}

#[test]
fn a_one_megabyte_comparison_chain_parses_and_matches() {
    let comparison = "x-thing:name = 'nothing' OR ";
    let repeats = (1 << 20) / comparison.len();
    let text = format!("[{}x-thing:name = 'alice']", comparison.repeat(repeats));
    assert!(text.len() >= 1 << 20);

    let pattern = parse_pattern(&text).expect("valid");
    let ObservationExpression::Observation(ComparisonExpression::Or(operands)) =
        &pattern.expression
    else {
        panic!("one flat OR");
    };
    assert_eq!(operands.len(), repeats + 1);

    let outcome = Matcher::new(&pattern)
        .unwrap()
        .match_objects(&observations(3, "alice"))
        .unwrap();
    assert!(outcome.matched);
}

#[test]
fn a_one_megabyte_observation_chain_matches_without_deep_recursion() {
    let observation = "[x-thing:name = 'alice'] AND ";
    let repeats = (1 << 20) / observation.len();
    let text = format!("{}[x-thing:name = 'alice']", observation.repeat(repeats));
    let followed_by = text.replace(" AND ", " FOLLOWEDBY ");

    // More operands than observations: no binding, found without exhausting the stack.
    for text in [&text, &followed_by] {
        let outcome = match_pattern(text, &Value::Array(observations(50, "alice"))).unwrap();
        assert!(!outcome.matched);
    }
}

#[test]
fn a_one_megabyte_string_literal_is_fine() {
    let value = "a".repeat(1 << 20);
    let text = format!("[x-thing:name = '{value}']");
    let outcome = match_pattern(&text, &Value::Array(observations(2, &value))).unwrap();
    assert!(outcome.matched);
}

#[test]
fn ten_thousand_nested_parentheses_are_an_error() {
    let depth = 10_000;
    let observation_nesting = format!(
        "{}[x-thing:name = 'a']{}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let comparison_nesting = format!(
        "[{}x-thing:name = 'a'{}]",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let condition_nesting = format!(
        "{}__x__:value = 'a'{}",
        "(".repeat(depth),
        ")".repeat(depth)
    );

    for text in [&observation_nesting, &comparison_nesting] {
        let error = parse_pattern(text).unwrap_err();
        assert!(error.message.contains("nest deeper"), "{error}");
        assert!(error.offset <= MAX_NESTING + 1, "{error}");
    }
    let error = Condition::parse(&condition_nesting).unwrap_err();
    assert!(error.message.contains("nest deeper"), "{error}");

    // Nesting up to the limit is accepted.
    let allowed = format!(
        "{}[x-thing:name = 'a']{}",
        "(".repeat(MAX_NESTING - 1),
        ")".repeat(MAX_NESTING - 1)
    );
    parse_pattern(&allowed).expect("nesting within the limit");
}

#[test]
fn unbalanced_nesting_of_any_length_is_an_error() {
    for text in [
        "(".repeat(100_000),
        "[".repeat(100_000),
        format!("[x:y = 1]{}", ")".repeat(100_000)),
    ] {
        assert!(parse_pattern(&text).is_err());
        assert!(Condition::parse(&text).is_err());
    }
}

#[test]
fn catastrophic_regular_expressions_run_in_linear_time() {
    // Exponential for a backtracking engine; linear here.
    let value = format!("{}!", "a".repeat(50_000));
    let data = Value::Array(observations(3, &value));
    for expression in ["^(a+)+$", "(a|aa)+$", "(a*)*b", "^(a|a?)+$"] {
        let text = format!("[x-thing:name MATCHES '{expression}']");
        let outcome = match_pattern(&text, &data).unwrap();
        assert!(!outcome.matched, "{expression}");
    }

    let condition = Condition::parse("__x__:value MATCHES '^(a+)+$'").unwrap();
    let mut variables = stix_pattern::condition::VariableMap::new();
    variables.insert("__x__", "string", Some(&value));
    assert!(!condition.evaluate(&variables));
}

#[test]
fn oversized_regular_expressions_are_refused() {
    let text = "[x-thing:name MATCHES '(((a{100}){100}){100})']";
    let error = Matcher::parse(text).unwrap_err();
    assert!(
        matches!(error, MatchError::Unsupported(ref message) if message.contains("too large")),
        "{error}"
    );

    let error = Condition::parse("__x__:value MATCHES '(((a{100}){100}){100})'").unwrap_err();
    assert!(error.message.contains("too large"), "{error}");
}

#[test]
fn combinatorial_matches_stop_at_the_search_limit() {
    // 200 observations a minute apart: 50 of them within one second never happens, and
    // proving it means looking at every combination.
    let data = observations(200, "alice");
    let text = "([x-thing:name = 'alice'] REPEATS 50 TIMES) WITHIN 1 SECONDS";
    let matcher = Matcher::parse(text).unwrap().with_search_limit(100_000);
    match matcher.match_objects(&data) {
        Err(MatchError::SearchLimit(limit)) => assert_eq!(limit, 100_000),
        other => panic!("expected the search limit, got {other:?}"),
    }

    // The same repetition without the impossible window is found at once.
    let found = Matcher::parse("[x-thing:name = 'alice'] REPEATS 50 TIMES")
        .unwrap()
        .with_search_limit(100_000)
        .match_objects(&data)
        .unwrap();
    assert!(found.matched);
    assert_eq!(found.observed_data.len(), 50);
}

#[test]
fn huge_repeat_counts_and_instance_counts_are_bounded() {
    let mut data = observations(1, "alice");
    data[1]["number_observed"] = json!(u64::MAX);
    let outcome = match_pattern(
        "[x-thing:name = 'alice'] REPEATS 18446744073709551615 TIMES",
        &Value::Array(data.clone()),
    );
    match outcome {
        Ok(outcome) => assert!(outcome.matched),
        Err(error) => assert!(matches!(error, MatchError::SearchLimit(_)), "{error}"),
    }
    let outcome = match_pattern(
        "[x-thing:name = 'alice'] REPEATS 3 TIMES",
        &Value::Array(data),
    )
    .unwrap();
    assert!(
        outcome.matched,
        "one observed-data object standing for many observations"
    );
}

#[test]
fn hand_built_trees_deeper_than_the_parser_allows_are_refused() {
    let mut expression = parse_pattern("[x-thing:name = 'a']").unwrap().expression;
    for _ in 0..2_000 {
        expression = ObservationExpression::Qualified {
            expression: Box::new(ObservationExpression::And(vec![
                expression.clone_shallow_placeholder(),
                expression,
            ])),
            qualifiers: vec![Qualifier::Repeats(1)],
        };
    }
    let error = Matcher::new(&Pattern { expression }).unwrap_err();
    assert!(matches!(error, MatchError::TooDeep(_)), "{error}");
}

/// A small stand-in operand for building deep trees cheaply.
trait Placeholder {
    fn clone_shallow_placeholder(&self) -> ObservationExpression;
}

impl Placeholder for ObservationExpression {
    fn clone_shallow_placeholder(&self) -> ObservationExpression {
        parse_pattern("[x-thing:size = 1]").unwrap().expression
    }
}

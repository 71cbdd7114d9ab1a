//! Property tests: printing a generated tree and parsing the text gives the same tree back;
//! the parser never panics on arbitrary text; the matcher never panics on generated patterns
//! and observed data.

use proptest::prelude::*;
use serde_json::{Value, json};
use stix_pattern::Timestamp;
use stix_pattern::ast::{
    Comparison, ComparisonExpression, Literal, ObjectPath, ObservationExpression, Operand,
    Operator, PathStep, Pattern, Qualifier, Span,
};
use stix_pattern::condition::{Condition, VariableMap};
use stix_pattern::{Matcher, parse_pattern};

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        0u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..=23,
        0u8..=59,
        0u8..=60,
        "[0-9]{0,12}",
    )
        .prop_map(
            |(year, month, day, hour, minute, second, fraction)| Timestamp {
                year,
                month,
                day,
                hour,
                minute,
                second,
                fraction,
            },
        )
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,6}",
        "\\PC{0,8}",
        Just("it's".to_string()),
        Just("back\\slash".to_string()),
        Just("AND".to_string()),
        Just("true".to_string()),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<i64>().prop_map(Literal::Integer),
        any::<f64>()
            .prop_filter("finite", |value| value.is_finite())
            .prop_map(Literal::Float),
        text().prop_map(Literal::String),
        any::<bool>().prop_map(Literal::Boolean),
        proptest::collection::vec(any::<u8>(), 1..12).prop_map(Literal::Binary),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(Literal::Hex),
        timestamp().prop_map(Literal::Timestamp),
    ]
}

fn object_path() -> impl Strategy<Value = ObjectPath> {
    let object_type = "[a-z][a-z0-9_-]{0,8}"
        .prop_filter("not a boolean", |name| name != "true" && name != "false");
    let step = prop_oneof![
        text().prop_map(PathStep::Key),
        (-5i64..100).prop_map(PathStep::Index),
        Just(PathStep::AnyIndex),
    ];
    (object_type, text(), proptest::collection::vec(step, 0..4)).prop_map(
        |(object_type, first, rest)| {
            let mut steps = vec![PathStep::Key(first)];
            steps.extend(rest);
            ObjectPath { object_type, steps }
        },
    )
}

fn comparison() -> impl Strategy<Value = Comparison> {
    let operator = prop_oneof![
        Just(Operator::Equal),
        Just(Operator::NotEqual),
        Just(Operator::Less),
        Just(Operator::LessOrEqual),
        Just(Operator::Greater),
        Just(Operator::GreaterOrEqual),
        Just(Operator::In),
        Just(Operator::Like),
        Just(Operator::Matches),
        Just(Operator::IsSubset),
        Just(Operator::IsSuperset),
        Just(Operator::Exists),
    ];
    (
        object_path(),
        any::<bool>(),
        operator,
        literal(),
        proptest::collection::vec(literal(), 0..4),
        text(),
    )
        .prop_map(|(path, negated, operator, literal, set, string)| {
            let operand = match operator {
                Operator::Exists => Operand::None,
                Operator::In => Operand::Set(set),
                Operator::Like | Operator::Matches | Operator::IsSubset | Operator::IsSuperset => {
                    Operand::Literal(Literal::String(string))
                }
                Operator::Less
                | Operator::LessOrEqual
                | Operator::Greater
                | Operator::GreaterOrEqual => match literal {
                    Literal::Boolean(_) => Operand::Literal(Literal::Integer(1)),
                    other => Operand::Literal(other),
                },
                _ => Operand::Literal(literal),
            };
            Comparison {
                path,
                negated,
                operator,
                operand,
                span: Span::default(),
                operator_span: Span::default(),
                operand_span: Span::default(),
            }
        })
}

fn comparison_expression(
    leaf: BoxedStrategy<Comparison>,
) -> impl Strategy<Value = ComparisonExpression> {
    leaf.prop_map(|comparison| ComparisonExpression::Comparison(Box::new(comparison)))
        .prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 2..4).prop_map(ComparisonExpression::And),
                proptest::collection::vec(inner, 2..4).prop_map(ComparisonExpression::Or),
            ]
        })
}

fn qualifier() -> impl Strategy<Value = Qualifier> {
    prop_oneof![
        (1u32..100_000, 0u32..3).prop_map(|(value, scale)| Qualifier::Within(
            f64::from(value) / 10f64.powi(scale as i32)
        )),
        any::<u64>().prop_map(Qualifier::Repeats),
        (timestamp(), timestamp()).prop_map(|(start, stop)| Qualifier::StartStop { start, stop }),
    ]
}

fn observation_expression(
    leaf: BoxedStrategy<Comparison>,
) -> impl Strategy<Value = ObservationExpression> {
    comparison_expression(leaf)
        .prop_map(ObservationExpression::Observation)
        .prop_recursive(4, 16, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 2..4).prop_map(ObservationExpression::And),
                proptest::collection::vec(inner.clone(), 2..4).prop_map(ObservationExpression::Or),
                proptest::collection::vec(inner.clone(), 2..4)
                    .prop_map(ObservationExpression::FollowedBy),
                (inner, proptest::collection::vec(qualifier(), 1..4)).prop_map(
                    |(expression, qualifiers)| {
                        ObservationExpression::Qualified {
                            expression: Box::new(expression),
                            qualifiers,
                        }
                    }
                ),
            ]
        })
}

/// The canonical form the parser produces: no list directly inside a list of the same
/// operator, no qualified expression directly inside another.
fn canonical_comparison(expression: ComparisonExpression) -> ComparisonExpression {
    match expression {
        ComparisonExpression::And(operands) => ComparisonExpression::And(
            operands
                .into_iter()
                .map(canonical_comparison)
                .flat_map(|operand| match operand {
                    ComparisonExpression::And(inner) => inner,
                    other => vec![other],
                })
                .collect(),
        ),
        ComparisonExpression::Or(operands) => ComparisonExpression::Or(
            operands
                .into_iter()
                .map(canonical_comparison)
                .flat_map(|operand| match operand {
                    ComparisonExpression::Or(inner) => inner,
                    other => vec![other],
                })
                .collect(),
        ),
        leaf => leaf,
    }
}

fn canonical(expression: ObservationExpression) -> ObservationExpression {
    let flatten = |operands: Vec<ObservationExpression>,
                   same: fn(&ObservationExpression) -> bool| {
        operands
            .into_iter()
            .map(canonical)
            .flat_map(|operand| {
                if same(&operand) {
                    match operand {
                        ObservationExpression::And(inner)
                        | ObservationExpression::Or(inner)
                        | ObservationExpression::FollowedBy(inner) => inner,
                        other => vec![other],
                    }
                } else {
                    vec![operand]
                }
            })
            .collect()
    };
    match expression {
        ObservationExpression::Observation(comparison) => {
            ObservationExpression::Observation(canonical_comparison(comparison))
        }
        ObservationExpression::And(operands) => {
            ObservationExpression::And(flatten(operands, |operand| {
                matches!(operand, ObservationExpression::And(_))
            }))
        }
        ObservationExpression::Or(operands) => {
            ObservationExpression::Or(flatten(operands, |operand| {
                matches!(operand, ObservationExpression::Or(_))
            }))
        }
        ObservationExpression::FollowedBy(operands) => {
            ObservationExpression::FollowedBy(flatten(operands, |operand| {
                matches!(operand, ObservationExpression::FollowedBy(_))
            }))
        }
        ObservationExpression::Qualified {
            expression,
            qualifiers,
        } => match canonical(*expression) {
            ObservationExpression::Qualified {
                expression: inner,
                qualifiers: mut inner_qualifiers,
            } => {
                inner_qualifiers.extend(qualifiers);
                ObservationExpression::Qualified {
                    expression: inner,
                    qualifiers: inner_qualifiers,
                }
            }
            other => ObservationExpression::Qualified {
                expression: Box::new(other),
                qualifiers,
            },
        },
    }
}

/// Whether the hash check of the reference validator would reject the tree (it is a
/// validity rule beyond the grammar, so such trees do not round-trip by design).
fn mentions_hashes(expression: &ObservationExpression) -> bool {
    expression.to_string().contains("hashes")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printing_then_parsing_gives_the_same_tree(expression in observation_expression(comparison().boxed())) {
        let expression = canonical(expression);
        prop_assume!(!mentions_hashes(&expression));
        let pattern = Pattern { expression };
        let text = pattern.to_string();
        let parsed = parse_pattern(&text);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&pattern), "printed as {} -> {:?}", text, parsed);
    }

    #[test]
    fn conditions_print_and_parse_back(expression in comparison_expression(condition_comparison().boxed())) {
        let expression = canonical_comparison(expression);
        let text = expression.to_string();
        let parsed = Condition::parse(&text);
        prop_assert!(parsed.is_ok(), "{} -> {:?}", text, parsed);
        let condition = parsed.unwrap();
        prop_assert_eq!(condition.expression(), &expression);
    }

    #[test]
    fn the_parser_never_panics(text in "[\\[\\]()a-z:.'=<>!*0-9 tbh_ANDORNTFLWEYISUPBKCMXQ\\\\-]{0,60}") {
        let _ = parse_pattern(&text);
        let _ = Condition::parse(&text);
    }

    #[test]
    fn the_parser_never_panics_on_any_text(text in "\\PC{0,40}") {
        let _ = parse_pattern(&text);
        let _ = Condition::parse(&text);
    }

    #[test]
    fn the_matcher_never_panics(
        expression in observation_expression(matchable_comparison().boxed()),
        objects in observed_data(),
    ) {
        let pattern = Pattern { expression: canonical(expression) };
        if let Ok(matcher) = Matcher::new(&pattern) {
            let matcher = matcher.with_search_limit(200_000);
            if let Ok(outcome) = matcher.match_objects(&objects) {
                prop_assert_eq!(outcome.matched, !outcome.observed_data.is_empty());
            }
        }
    }

    #[test]
    fn condition_evaluation_never_panics(
        expression in comparison_expression(condition_comparison().boxed()),
        values in proptest::collection::vec((0usize..4, "[a-z0-9.:/ -]{0,8}"), 0..4),
    ) {
        let condition = Condition::parse(&canonical_comparison(expression).to_string()).unwrap();
        let types = ["integer", "string", "ipv4-addr", "bool"];
        let mut variables = VariableMap::new();
        for (index, (type_index, value)) in values.iter().enumerate() {
            variables.insert(format!("__v{index}__"), types[*type_index], Some(value));
        }
        let _ = condition.evaluate(&variables);
        let _ = condition.check_types(&|name: &str| name.strip_prefix("__v").map(|_| "integer".to_string()));
    }
}

/// Comparisons over a small vocabulary, so that generated patterns select real values.
fn matchable_comparison() -> impl Strategy<Value = Comparison> {
    (comparison(), 0usize..3, 0usize..4).prop_map(|(mut comparison, type_index, property_index)| {
        let types = ["person", "ipv4-addr", "file"];
        let properties = ["name", "value", "friend_refs", "size_hex"];
        comparison.path.object_type = types[type_index].to_string();
        comparison.path.steps[0] = PathStep::Key(properties[property_index].to_string());
        comparison
    })
}

/// Comparisons over variables `__v0__` … `__v3__`, with literal or variable operands.
fn condition_comparison() -> impl Strategy<Value = Comparison> {
    (comparison(), 0usize..4, any::<bool>(), 0usize..4).prop_map(
        |(mut comparison, index, bare, other)| {
            let variable = |index: usize, bare: bool| ObjectPath {
                object_type: format!("__v{index}__"),
                steps: if bare {
                    Vec::new()
                } else {
                    vec![PathStep::Key("value".into())]
                },
            };
            comparison.path = variable(index, bare);
            if let (Operator::Equal | Operator::Less | Operator::IsSubset, Operand::Literal(_)) =
                (comparison.operator, &comparison.operand)
                && other == 0
            {
                comparison.operand = Operand::Path(variable(index + 1, !bare));
            }
            if matches!(comparison.operator, Operator::Matches | Operator::Like) {
                // Conditions compile these when parsed; keep them valid expressions.
                comparison.operand = Operand::Literal(Literal::String("a.c%".into()));
            }
            comparison
        },
    )
}

fn observed_data() -> impl Strategy<Value = Vec<Value>> {
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-z0-9./:-]{0,10}".prop_map(Value::from),
        Just(json!("10.0.0.0/8")),
        Just(json!("2024-01-01T00:00:00Z")),
        Just(json!(["a", 1, null])),
    ];
    let observation = (
        0usize..3,
        proptest::collection::vec((0usize..4, scalar), 0..4),
        1u64..4,
        0i64..100,
        0i64..100,
    );
    proptest::collection::vec(observation, 0..5).prop_map(|observations| {
        let types = ["person", "ipv4-addr", "file"];
        let properties = ["name", "value", "friend_refs", "size_hex"];
        let mut objects = Vec::new();
        for (index, (type_index, values, count, start, length)) in
            observations.into_iter().enumerate()
        {
            let id = format!("{}--{index}", types[type_index]);
            let mut object = json!({"type": types[type_index], "id": id});
            for (property, value) in values {
                object[properties[property]] = value;
            }
            if index > 0 {
                object["friend_refs"] = json!([format!("person--{}", index - 1), 7]);
            }
            objects.push(object);
            let first = 1_600_000_000 + start;
            objects.push(json!({
                "type": "observed-data",
                "id": format!("observed-data--{index}"),
                "number_observed": count,
                "first_observed": timestamp_text(first),
                "last_observed": timestamp_text(first + length),
                "object_refs": [id],
            }));
        }
        objects
    })
}

fn timestamp_text(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let seconds_of_day = seconds.rem_euclid(86_400);
    // 2020-09-13 is day 18518; generated times stay within that day and the next few.
    let day_of_month = 13 + (days - 18_518);
    format!(
        "2020-09-{:02}T{:02}:{:02}:{:02}Z",
        day_of_month,
        seconds_of_day / 3600,
        seconds_of_day % 3600 / 60,
        seconds_of_day % 60
    )
}

//! The CACAO condition language against the conditions of the `cacao run` corpus playbooks
//! (testdata/corpus/run), plus typing and error-position cases.

use std::collections::BTreeMap;

use serde_json::Value;
use stix_pattern::condition::{Condition, VariableMap};

const RUN_CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/corpus/run");

/// The playbook's variables (type and value) and its conditions by step name.
fn load_playbook(
    file: &str,
) -> (
    VariableMap,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
) {
    let text = std::fs::read_to_string(format!("{RUN_CORPUS}/{file}")).expect("corpus playbook");
    let playbook: Value = serde_json::from_str(&text).expect("playbook JSON");

    let mut variables = VariableMap::new();
    let mut types = BTreeMap::new();
    for (name, variable) in playbook["playbook_variables"]
        .as_object()
        .expect("variables")
    {
        let variable_type = variable["type"].as_str().expect("variable type");
        variables.insert(name.clone(), variable_type, variable["value"].as_str());
        types.insert(name.clone(), variable_type.to_string());
    }

    let mut conditions = BTreeMap::new();
    for step in playbook["workflow"].as_object().expect("workflow").values() {
        if let Some(condition) = step["condition"].as_str() {
            conditions.insert(
                step["name"].as_str().expect("step name").to_string(),
                condition.to_string(),
            );
        }
    }
    (variables, conditions, types)
}

#[test]
fn conditions_basic_playbook_takes_the_expected_branches() {
    let (variables, conditions, types) = load_playbook("conditions-basic.json");

    // The manifest expects the log c1, c2, c4, c6: exactly IF1, IF2, IF4 and IF6 hold.
    let expected_true = ["IF1", "IF2", "IF4", "IF6"];
    assert_eq!(conditions.len(), 9);
    for (name, text) in &conditions {
        let condition =
            Condition::parse(text).unwrap_or_else(|error| panic!("{name}: {text}: {error}"));
        let declared = |variable: &str| types.get(variable).cloned();
        assert_eq!(
            condition.check_types(&declared),
            Vec::new(),
            "{name}: {text}"
        );
        assert_eq!(
            condition.evaluate(&variables),
            expected_true.contains(&name.as_str()),
            "{name}: {text}"
        );
    }
}

#[test]
fn if_true_false_playbook_compares_integers() {
    let (variables, conditions, _) = load_playbook("if-true-false.json");
    let outcome = |name: &str| {
        Condition::parse(&conditions[name])
            .unwrap()
            .evaluate(&variables)
    };
    assert!(outcome("IF1"), "__n__:value = 5 with __n__ = 5");
    assert!(!outcome("IF2"), "__n__:value > 5 with __n__ = 5");
    assert!(!outcome("IF3"), "__n__:value < 5 with __n__ = 5");
}

#[test]
fn while_counter_loop_runs_three_times() {
    let (_, conditions, _) = load_playbook("while-counter.json");
    let condition = Condition::parse(&conditions["W"]).unwrap();
    assert_eq!(condition.variables(), ["__i__"]);

    let mut iterations = 0;
    let mut counter = 0;
    loop {
        let mut variables = VariableMap::new();
        variables.insert("__i__", "integer", Some(&counter.to_string()));
        if !condition.evaluate(&variables) {
            break;
        }
        iterations += 1;
        counter += 1;
        assert!(iterations < 10, "the loop must end");
    }
    assert_eq!(iterations, 3);
}

#[test]
fn numbers_compare_as_numbers_and_strings_as_strings() {
    let mut variables = VariableMap::new();
    variables.insert("__n__", "integer", Some("10"));
    variables.insert("__s__", "string", Some("10"));
    variables.insert("__f__", "float", Some("2.5"));
    variables.insert("__l__", "long", Some("9007199254740993"));
    let holds = |text: &str| Condition::parse(text).unwrap().evaluate(&variables);

    assert!(holds("__n__:value > 9"));
    assert!(!holds("__s__:value > '9'"), "string order: '10' < '9'");
    assert!(holds("__f__:value < 3"));
    assert!(holds("__f__:value IN (1, 2.5)"));
    assert!(holds("__l__:value > 9007199254740992.0"));
    assert!(holds("__n__:value > __f__:value"));
    assert!(holds("__n__ >= 10"), "a bare variable name reads its value");
}

#[test]
fn booleans_addresses_and_patterns() {
    let mut variables = VariableMap::new();
    variables.insert("__flag__", "bool", Some("true"));
    variables.insert("__v6__", "ipv6-addr", Some("2001:db8::1"));
    variables.insert("__net__", "ipv4-addr", Some("10.0.0.0/8"));
    variables.insert("__user__", "string", Some("Root"));
    let holds = |text: &str| Condition::parse(text).unwrap().evaluate(&variables);

    assert!(holds("__flag__:value = true"));
    assert!(!holds("__flag__:value != true"));
    assert!(holds("__v6__:value ISSUBSET '2001:db8::/32'"));
    assert!(holds("__v6__:value = '2001:0db8:0:0::1'"));
    assert!(holds("__net__:value ISSUPERSET '10.1.2.3'"));
    assert!(!holds("__user__:value = 'root'"), "case-sensitive");
    assert!(holds("__user__:value MATCHES '^[Rr]oot$'"));
    assert!(holds("__user__:value LIKE 'R__t'"));
    assert!(holds("__user__:value NOT IN ('root', 'admin')"));
}

#[test]
fn values_that_do_not_read_as_their_type_are_false() {
    let mut variables = VariableMap::new();
    variables.insert("__n__", "integer", Some("many"));
    let holds = |text: &str| Condition::parse(text).unwrap().evaluate(&variables);
    assert!(!holds("__n__:value > 3"));
    assert!(!holds("__n__:value NOT > 3"));
}

#[test]
fn check_types_reports_each_ill_typed_literal_and_operator() {
    let declared = |name: &str| {
        match name {
            "__count__" => Some("integer"),
            "__host__" => Some("ipv4-addr"),
            "__user__" => Some("string"),
            "__flag__" => Some("bool"),
            _ => None,
        }
        .map(str::to_string)
    };

    let text = "__count__:value > 'abc' OR __user__:value ISSUBSET '10.0.0.0/8' \
                OR __host__:value ISSUBSET 'nonsense' OR __flag__:value LIKE 'true' \
                OR __count__:value IN (1, 'two') OR __undeclared__:value = 5 \
                OR __user__:value = __count__:value";
    let condition = Condition::parse(text).unwrap();
    let errors = condition.check_types(&declared);
    let offsets: Vec<usize> = errors.iter().map(|error| error.offset).collect();
    let expected: Vec<usize> = [
        "'abc'",
        "ISSUBSET '10.0.0.0/8'",
        "'nonsense'",
        "LIKE 'true'",
        "(1, 'two')",
        "__count__:value\n",
    ]
    .iter()
    .map(|needle| {
        let needle = needle.trim_end_matches('\n');
        if needle == "__count__:value" {
            text.rfind(needle).unwrap()
        } else {
            text.find(needle).unwrap()
        }
    })
    .collect();
    assert_eq!(offsets, expected, "{errors:#?}");
    assert!(
        errors[0].message.contains("expected a number"),
        "{}",
        errors[0].message
    );
}

#[test]
fn parse_errors_point_at_the_offending_byte() {
    let cases = [
        ("__n__:value >", 13, "expected a literal"),
        ("__n__:value = 5 AND", 19, "expected a variable reference"),
        (
            "file:name = 'x'",
            0,
            "expected a variable reference such as __name__:value, found 'file'",
        ),
        ("__n__:size = 1", 6, "expected 'value'"),
        ("(__n__:value = 1", 16, "expected 'AND', 'OR' or ')'"),
        ("__n__:value = 1 extra", 16, "end of the condition"),
        (
            "__s__:value MATCHES '(?<=a)b'",
            20,
            "invalid regular expression",
        ),
        ("__n__:value = 5 ]", 16, "expected 'AND', 'OR' or the end"),
    ];
    for (text, offset, message) in cases {
        let error = Condition::parse(text).expect_err(text);
        assert_eq!(error.offset, offset, "{text}: {error}");
        assert!(error.message.contains(message), "{text}: {error}");
    }
}

#[test]
fn conditions_print_back_to_equivalent_text() {
    let text = "[__count__:value > 3 AND (__host__:value ISSUBSET '10.0.0.0/8' OR NOT __user__:value = 'root')]";
    let condition = Condition::parse(text).unwrap();
    let printed = condition.to_string();
    assert_eq!(
        printed,
        "__count__:value > 3 AND (__host__:value ISSUBSET '10.0.0.0/8' OR __user__:value NOT = 'root')"
    );
    assert_eq!(
        Condition::parse(&printed).unwrap().expression(),
        condition.expression()
    );
    assert_eq!(condition.variables(), ["__count__", "__host__", "__user__"]);
}

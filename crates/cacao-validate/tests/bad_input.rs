//! Hostile and broken input: every case gets a diagnostic and an invalid verdict, never a panic,
//! a hang or a stack overflow.

use cacao_validate::{Report, Rule, Severity, validate};

fn valid_playbook() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/validate/valid/mitigation-ssh-block-ip.json"
    ))
    .expect("corpus file")
}

fn assert_rejected(report: &Report, rule: Rule, message_part: &str) {
    assert!(!report.is_valid(), "{report:?}");
    let found = report.diagnostics.iter().any(|diagnostic| {
        diagnostic.rule == rule
            && diagnostic.severity == Severity::Error
            && diagnostic.message.contains(message_part)
    });
    assert!(
        found,
        "no {rule} error mentioning {message_part:?}: {:#?}",
        report.diagnostics
    );
    for diagnostic in &report.diagnostics {
        assert!(diagnostic.line >= 1 && diagnostic.column >= 1);
        assert!(!diagnostic.help.is_empty());
    }
}

/// A deterministic stream of bytes (xorshift), for junk input.
fn junk(length: usize, mut state: u64) -> Vec<u8> {
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn empty_and_blank_files() {
    assert_rejected(&validate(b""), Rule::JsonSyntax, "empty");
    assert_rejected(&validate(b" \n\t\r\n"), Rule::JsonSyntax, "empty");
}

#[test]
fn binary_junk() {
    for seed in 1..=20 {
        let report = validate(&junk(64 * 1024, seed));
        assert!(!report.is_valid());
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].rule, Rule::JsonSyntax);
    }
    assert_rejected(&validate(b"\0\0\0\0"), Rule::JsonSyntax, "0x00");
}

#[test]
fn fifty_megabytes_of_nested_arrays() {
    let opening = vec![b'['; 50 * 1024 * 1024];
    assert_rejected(&validate(&opening), Rule::JsonSyntax, "nested more than");

    let mut balanced = vec![b'['; 25 * 1024 * 1024];
    balanced.extend(std::iter::repeat_n(b']', 25 * 1024 * 1024));
    assert_rejected(&validate(&balanced), Rule::JsonSyntax, "nested more than");

    let objects = "{\"a\":".repeat(1_000_000);
    assert_rejected(
        &validate(objects.as_bytes()),
        Rule::JsonSyntax,
        "nested more than",
    );
}

#[test]
fn deep_nesting_inside_a_playbook_extension() {
    let source = String::from_utf8(valid_playbook()).expect("UTF-8");
    let deep = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    let source = source.replacen(
        "\"priority\": 2,",
        &format!("\"priority\": 2, \"x_deep\": {deep},"),
        1,
    );
    let report = validate(source.as_bytes());
    assert_rejected(&report, Rule::JsonSyntax, "nested more than");
    assert!(report.diagnostics[0].pointer.starts_with("/x_deep/0/0/0"));
}

#[test]
fn too_many_values() {
    let mut wide = String::with_capacity(20_000_000);
    wide.push('[');
    for _ in 0..9_000_000 {
        wide.push_str("0,");
    }
    wide.push_str("0]");
    assert_rejected(&validate(wide.as_bytes()), Rule::JsonSyntax, "more than");
}

#[test]
fn duplicate_keys_are_errors_and_the_rest_is_still_checked() {
    let source = String::from_utf8(valid_playbook()).expect("UTF-8");
    let source = source.replacen(
        "\"severity\": 80,",
        "\"severity\": 80, \"severity\": 200,",
        1,
    );
    let report = validate(source.as_bytes());
    assert_rejected(&report, Rule::JsonSyntax, "duplicate key `severity`");
    assert!(
        report.has(Rule::SchemaRange),
        "both values are checked: {:#?}",
        report.diagnostics
    );
}

#[test]
fn numbers_beyond_two_to_the_53() {
    let source = String::from_utf8(valid_playbook()).expect("UTF-8");
    let large = source.replacen("\"timeout\": 60000,", "\"timeout\": 9007199254740993,", 1);
    assert_rejected(
        &validate(large.as_bytes()),
        Rule::SchemaRange,
        "9007199254740993",
    );
    let huge = source.replacen("\"timeout\": 60000,", "\"timeout\": 1e400,", 1);
    assert_rejected(&validate(huge.as_bytes()), Rule::SchemaRange, "1e400");
    let fine = source.replacen("\"timeout\": 60000,", "\"timeout\": 9007199254740991,", 1);
    assert!(validate(fine.as_bytes()).is_valid());
}

#[test]
fn invalid_utf8_is_reported_where_it_is() {
    let mut source = valid_playbook();
    let position = source
        .windows(5)
        .position(|window| window == b"Block")
        .expect("text");
    source[position] = 0xff;
    let report = validate(&source);
    assert_rejected(&report, Rule::JsonSyntax, "UTF-8");
    let (line, _) = cacao_validate::LineIndex::new(&source).position(position);
    assert_eq!(report.diagnostics[0].line, line);

    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend("{}".encode_utf16().flat_map(u16::to_le_bytes));
    assert_rejected(&validate(&utf16), Rule::JsonSyntax, "UTF-16");
}

#[test]
fn truncated_escapes_and_surrogates() {
    for text in [
        r#"{"a": "\u12"}"#,
        r#"{"a": "\ud83d"}"#,
        r#"{"a": "\"#,
        "{\"a\": \"\u{1}\"}",
    ] {
        assert!(!validate(text.as_bytes()).is_valid(), "{text}");
    }
}

#[test]
fn long_workflows_do_not_overflow_the_stack() {
    // 50,000 actions in one chain, and the same chain closed into a loop.
    let steps = 50_000;
    let id = |index: usize| {
        format!(
            "action--{:08x}-0000-4000-8000-{:012x}",
            index + 100,
            index + 100
        )
    };
    let mut workflow = String::from(
        "{\"start--00000000-0000-4000-8000-000000000000\":{\"type\":\"start\",\"on_completion\":\"",
    );
    workflow.push_str(&id(0));
    workflow.push_str("\"}");
    for index in 0..steps {
        let next = if index + 1 < steps {
            id(index + 1)
        } else {
            "end--00000000-0000-4000-8000-000000000009".to_owned()
        };
        workflow.push_str(&format!(
            ",\"{}\":{{\"type\":\"action\",\"commands\":[{{\"type\":\"manual\",\"command\":\"x\"}}],\"agent\":\"individual--00000000-0000-4000-8000-000000000001\",\"on_completion\":\"{next}\"}}",
            id(index)
        ));
    }
    workflow.push_str(",\"end--00000000-0000-4000-8000-000000000009\":{\"type\":\"end\"}}");
    let playbook = format!(
        "{{\"type\":\"playbook\",\"spec_version\":\"cacao-2.0\",\"id\":\"playbook--00000000-0000-4000-8000-000000000002\",\"name\":\"long\",\"created_by\":\"identity--00000000-0000-4000-8000-000000000003\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\",\"workflow_start\":\"start--00000000-0000-4000-8000-000000000000\",\"workflow\":{workflow},\"agent_definitions\":{{\"individual--00000000-0000-4000-8000-000000000001\":{{\"type\":\"individual\",\"name\":\"a\"}}}}}}"
    );
    let report = validate(playbook.as_bytes());
    assert!(
        report.diagnostics.is_empty(),
        "{:#?}",
        &report.diagnostics[..report.diagnostics.len().min(5)]
    );

    let looped = playbook.replacen(
        "\"on_completion\":\"end--00000000-0000-4000-8000-000000000009\"",
        &format!("\"on_completion\":\"{}\"", id(0)),
        1,
    );
    assert!(validate(looped.as_bytes()).has(Rule::WorkflowCycle));
}

#[test]
fn non_ascii_text_in_base64_and_conditions_is_positioned_on_character_boundaries() {
    let source = String::from_utf8(valid_playbook()).expect("UTF-8");
    let base64 = source.replacen(
        "\"command\": \"iptables",
        "\"command_b64\": \"A  AA᪠®®®Ա\", \"command\": \"iptables",
        1,
    );
    let report = validate(base64.as_bytes());
    assert!(report.has(Rule::CommandBase64), "{:#?}", report.diagnostics);

    let condition = source.replacen("__count__:value > 3 AND", "__count__:value > 3 Ա AND", 1);
    let report = validate(condition.as_bytes());
    assert!(
        report.has(Rule::ConditionSyntax),
        "{:#?}",
        report.diagnostics
    );
}

//! Snapshots of the human diagnostics (rustc style) for representative corpus cases. Review
//! changes with `cargo insta review`.

use cacao_validate::{render::render_report, validate};

fn rendered(case: &str) -> String {
    let path = format!(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/corpus/validate/{}"
        ),
        case
    );
    let source = std::fs::read(path).expect("corpus file");
    render_report(case, &source, &validate(&source), false)
}

#[test]
fn unknown_property_suggests_the_right_name() {
    insta::assert_snapshot!(rendered("invalid/schema-unknown-property.json"));
}

#[test]
fn cycle_is_shown_as_a_path() {
    insta::assert_snapshot!(rendered("invalid/workflow-cycle.json"));
}

#[test]
fn truncated_file_points_at_the_end() {
    insta::assert_snapshot!(rendered("invalid/json-syntax.json"));
}

#[test]
fn secrets_are_masked_in_source_lines() {
    let text = rendered("invalid/auth-kms.json");
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/validate/invalid/auth-kms.json"
    ))
    .expect("corpus file");
    let password = source
        .lines()
        .find(|line| line.contains("\"password\""))
        .and_then(|line| line.split('"').nth(3))
        .expect("the case has a password");
    assert!(!text.contains(password), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn condition_error_underlines_inside_the_string() {
    insta::assert_snapshot!(rendered("invalid/condition-syntax.json"));
}

#[test]
fn undefined_variable_warning_underlines_the_reference() {
    insta::assert_snapshot!(rendered("warn/variable-undefined.json"));
}

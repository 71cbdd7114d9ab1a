//! Shell quoting against the real bash: whatever the value, substituting it into a command in
//! any supported quoting context and running the command prints the value exactly.

use std::process::Command;

use cacao_engine::substitute::{Shell, substitute_shell};
use proptest::prelude::*;

/// Each template prints the value of `__v__` once, with nothing around it.
const TEMPLATES: &[&str] = &[
    "printf '%s' __v__:value",
    "printf '%s' \"__v__:value\"",
    "v='x__v__:value'; printf '%s' \"${v#x}\"",
    "printf '%s' $'__v__:value'",
    "printf '%s' \"$(printf '%s' __v__:value)\"",
    "cat <<EOF\n__v__:value\nEOF",
];

fn run_bash(script: &str) -> Vec<u8> {
    let output = Command::new("bash")
        .args(["-c", script])
        .output()
        .expect("bash runs");
    output.stdout
}

fn expected(template: &str, value: &str) -> String {
    if template.starts_with("cat") {
        return format!("{value}\n");
    }
    if template.contains("$(") {
        return value.trim_end_matches('\n').to_owned();
    }
    value.to_owned()
}

fn value_strategy() -> impl Strategy<Value = String> {
    // Shell-significant characters weighted up, plus anything printable.
    let special = prop::sample::select(vec![
        '\'', '"', '$', '`', '\\', '\n', ';', '&', '|', '(', ')', '{', '}', '<', '>', '*', '?',
        '!', '#', '~', ' ', '\t', 'E', 'O', 'F',
    ]);
    prop::collection::vec(
        prop_oneof![3 => special, 1 => any::<char>().prop_filter("no NUL", |c| *c != '\0')],
        0..24,
    )
    .prop_map(|characters| characters.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn bash_prints_every_value_exactly(value in value_strategy()) {
        let lookup = |name: &str| (name == "__v__").then(|| Some(value.clone()));
        for template in TEMPLATES {
            let script = match substitute_shell(template, Shell::Bash, &lookup) {
                Ok(script) => script,
                // Refusing is safe; only here-documents may refuse, for a delimiter line.
                Err(_) => {
                    prop_assert!(template.starts_with("cat"), "{template} refused {value:?}");
                    prop_assert!(value.split('\n').any(|line| line == "EOF"));
                    continue;
                }
            };
            let printed = run_bash(&script);
            prop_assert_eq!(
                String::from_utf8_lossy(&printed).into_owned(),
                expected(template, &value),
                "template {:?} script {:?}", template, script
            );
        }
    }
}

#[test]
fn classic_injections_run_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let marker = directory.path().join("pwned");
    let m = marker.display();
    for value in [
        format!("'; touch {m}; '"),
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("x\ntouch {m}\n"),
        format!("\"; touch {m}; \""),
    ] {
        let lookup = |name: &str| (name == "__v__").then(|| Some(value.clone()));
        for template in TEMPLATES {
            if let Ok(script) = substitute_shell(template, Shell::Bash, &lookup) {
                run_bash(&script);
            }
            assert!(!marker.exists(), "{template} with {value:?} ran a command");
        }
    }
}

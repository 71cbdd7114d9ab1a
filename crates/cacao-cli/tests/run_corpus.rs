//! The execution-semantics corpus (testdata/corpus/run): every scenario of its manifest runs
//! through the real `cacao run` binary and must give the expected exit code, log lines, absent
//! files, timing bounds and events.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/corpus/run");
const WALL_CLOCK_LIMIT: Duration = Duration::from_secs(20);

fn replace_placeholders(text: &str, temporary: &Path) -> String {
    // One pass: `LOG` first would otherwise be cut by `TMP` only if it contained it; it does not,
    // but replacing token by token from the left keeps it a single pass anyway.
    let log = temporary.join("log.txt");
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("LOG") {
            out.push_str(&log.display().to_string());
            rest = after;
        } else if let Some(after) = rest.strip_prefix("TMP") {
            out.push_str(&temporary.display().to_string());
            rest = after;
        } else {
            let character = rest.chars().next().expect("not empty");
            out.push(character);
            rest = &rest[character.len_utf8()..];
        }
    }
    out
}

struct Run {
    exit_code: i32,
    seconds: f64,
    stdout: String,
    stderr: String,
}

fn run_cacao(arguments: &[String]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cacao starts");
    loop {
        if child.try_wait().expect("wait works").is_some() {
            break;
        }
        if started.elapsed() > WALL_CLOCK_LIMIT {
            let _ = child.kill();
            panic!("cacao run {arguments:?} exceeded {WALL_CLOCK_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("output is read");
    Run {
        exit_code: output.status.code().unwrap_or(-1),
        seconds: started.elapsed().as_secs_f64(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn check_log(expected: &Value, lines: &[String], temporary: &Path) -> Result<(), String> {
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .expect("a list of lines")
            .iter()
            .map(|line| replace_placeholders(line.as_str().expect("a line"), temporary))
            .collect()
    };
    if expected.is_array() {
        let expected = strings(expected);
        return (expected == lines)
            .then_some(())
            .ok_or_else(|| format!("log {lines:?}, expected {expected:?}"));
    }

    let groups: Vec<Vec<String>> = expected["unordered_groups"]
        .as_array()
        .expect("unordered_groups")
        .iter()
        .map(strings)
        .collect();
    let mut at = 0;
    for group in &groups {
        let end = at + group.len();
        if end > lines.len() {
            return Err(format!(
                "log {lines:?} is shorter than the groups {groups:?}"
            ));
        }
        let mut actual = lines[at..end].to_vec();
        let mut wanted = group.clone();
        actual.sort();
        wanted.sort();
        if actual != wanted {
            return Err(format!(
                "log {lines:?} does not match the groups {groups:?}"
            ));
        }
        at = end;
    }
    if at != lines.len() {
        return Err(format!(
            "log {lines:?} has more lines than the groups {groups:?}"
        ));
    }
    for ordered in expected["ordered"].as_array().into_iter().flatten() {
        let ordered = strings(ordered);
        let mut position = 0;
        for line in lines {
            if position < ordered.len() && *line == ordered[position] {
                position += 1;
            }
        }
        if position != ordered.len() {
            return Err(format!("log {lines:?} lacks the subsequence {ordered:?}"));
        }
    }
    Ok(())
}

fn check_events(
    expected: &[Value],
    events_text: &str,
    names: &HashMap<String, String>,
    temporary: &Path,
) -> Result<(), String> {
    let events: Vec<Value> = events_text
        .lines()
        .map(|line| serde_json::from_str(line).map_err(|error| format!("event {line}: {error}")))
        .collect::<Result<_, _>>()?;
    for wanted in expected {
        match wanted {
            Value::String(text) => {
                let text = replace_placeholders(text, temporary);
                if !events_text.contains(&text) {
                    return Err(format!("no event mentions {text}"));
                }
            }
            Value::Object(fields) => {
                let found = events.iter().any(|event| {
                    fields.iter().all(|(key, value)| {
                        if key == "step_name" {
                            let step_id = event["step_id"].as_str().unwrap_or("");
                            names.get(step_id).map(String::as_str) == value.as_str()
                        } else {
                            event.get(key) == Some(value)
                        }
                    })
                });
                if !found {
                    return Err(format!("no event matches {wanted}"));
                }
            }
            other => return Err(format!("unexpected events_contain entry {other}")),
        }
    }
    Ok(())
}

fn run_scenario(scenario: &Value) -> Result<(), String> {
    let file = scenario["file"].as_str().expect("file");
    let temporary = tempfile::tempdir().expect("a temporary directory");
    let temporary_path = temporary.path();
    let playbook_path = PathBuf::from(CORPUS).join(file);
    let events_path = temporary_path.join("events.jsonl");

    let mut arguments = vec!["run".to_owned(), playbook_path.display().to_string()];
    for (name, value) in scenario["vars"].as_object().expect("vars") {
        let value = replace_placeholders(value.as_str().expect("a string value"), temporary_path);
        arguments.push("--var".into());
        arguments.push(format!("{name}={value}"));
    }
    arguments.push("--events".into());
    arguments.push(events_path.display().to_string());

    let run = run_cacao(&arguments);
    let context = format!("stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);

    let expected_exit = scenario["exit_code"].as_i64().expect("exit_code") as i32;
    if run.exit_code != expected_exit {
        return Err(format!(
            "exit code {}, expected {expected_exit}\n{context}",
            run.exit_code
        ));
    }

    let log: Vec<String> = std::fs::read_to_string(temporary_path.join("log.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect();
    check_log(&scenario["log"], &log, temporary_path)
        .map_err(|error| format!("{error}\n{context}"))?;

    for absent in scenario["absent_files"].as_array().into_iter().flatten() {
        let path = replace_placeholders(absent.as_str().expect("a path"), temporary_path);
        if Path::new(&path).exists() {
            return Err(format!("{path} exists: an injected command ran"));
        }
    }
    if let Some(minimum) = scenario["min_seconds"].as_f64()
        && run.seconds < minimum
    {
        return Err(format!(
            "took {:.3} s, at least {minimum} s expected",
            run.seconds
        ));
    }
    if let Some(maximum) = scenario["max_seconds"].as_f64()
        && run.seconds > maximum
    {
        return Err(format!(
            "took {:.3} s, at most {maximum} s expected",
            run.seconds
        ));
    }

    if let Some(expected) = scenario["events_contain"].as_array() {
        let playbook: Value =
            serde_json::from_str(&std::fs::read_to_string(&playbook_path).expect("playbook"))
                .expect("playbook JSON");
        let names: HashMap<String, String> = playbook["workflow"]
            .as_object()
            .expect("workflow")
            .iter()
            .filter_map(|(id, step)| Some((id.clone(), step["name"].as_str()?.to_owned())))
            .collect();
        let events_text = std::fs::read_to_string(&events_path).unwrap_or_default();
        check_events(expected, &events_text, &names, temporary_path)?;
    }
    Ok(())
}

#[test]
fn every_corpus_scenario_runs_as_the_manifest_says() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(CORPUS).join("manifest.json")).expect("manifest"),
    )
    .expect("manifest JSON");
    let scenarios = manifest["scenarios"].as_array().expect("scenarios");
    assert!(!scenarios.is_empty());

    let mut failures = Vec::new();
    for scenario in scenarios {
        let file = scenario["file"].as_str().expect("file");
        match run_scenario(scenario) {
            Ok(()) => eprintln!("corpus scenario {file}: ok"),
            Err(error) => failures.push(format!("{file}: {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n\n")
    );
}

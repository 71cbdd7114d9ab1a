//! `cacao run --simulate`: no side effects, outcomes from the scenario, coverage of steps and
//! branches; and the exit code and structured list of a refused playbook.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/corpus/run");

fn cacao(arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cacao"))
        .args(arguments)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn simulation_runs_nothing_and_reports_coverage() {
    let directory = tempfile::tempdir().unwrap();
    let log = directory.path().join("log.txt");
    let scenario = directory.path().join("scenario.json");
    // B fails, so on_failure C runs; the on_success route of B stays uncovered.
    std::fs::write(
        &scenario,
        json!({
            "description": "B fails",
            "steps": {"action--7b04cd2f-51d1-4537-88f3-a45c59e11acf": {"success": false, "reason": "exit 3"}}
        })
        .to_string(),
    )
    .unwrap();
    let playbook = Path::new(CORPUS).join("routing.json");
    let (code, stdout, stderr) = cacao(&[
        "run",
        playbook.to_str().unwrap(),
        "--var",
        &format!("__log__={}", log.display()),
        "--simulate",
        scenario.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(!log.exists(), "a simulation has no side effects");

    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["outcome"], "completed");
    let coverage = &summary["coverage"];
    let uncovered_routes: Vec<(String, String)> = coverage["branches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|branch| branch["covered"] == false)
        .map(|branch| {
            (
                branch["name"].as_str().unwrap_or("").to_owned(),
                branch["branch"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        uncovered_routes.contains(&("B".into(), "on_success".into())),
        "{uncovered_routes:?}"
    );
    assert!(
        uncovered_routes.contains(&("A".into(), "on_failure".into())),
        "{uncovered_routes:?}"
    );
    let steps = coverage["steps"].as_array().unwrap();
    let covered = |name: &str| {
        steps
            .iter()
            .find(|step| step["name"] == name)
            .map(|step| step["covered"] == true)
    };
    assert_eq!(covered("C"), Some(true));
    assert_eq!(covered("D"), Some(true));
}

#[test]
fn a_refused_playbook_exits_2_with_every_problem() {
    let playbook = Path::new(CORPUS).join("injection-basic.json");
    let (code, stdout, stderr) = cacao(&["run", playbook.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    let refusal: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(refusal["outcome"], "refused");
    assert_eq!(
        refusal["problems"][0]["problem"],
        "missing_external_variables"
    );
    assert_eq!(
        refusal["problems"][0]["names"],
        json!(["__log__", "__p1__", "__p2__", "__p3__", "__p4__"])
    );
    assert!(stderr.contains("__p4__"), "{stderr}");
}

#[test]
fn an_invalid_playbook_is_refused_before_anything_runs() {
    let directory = tempfile::tempdir().unwrap();
    let mut playbook: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(CORPUS).join("seq-basic.json")).unwrap(),
    )
    .unwrap();
    // A dangling pointer: the validator's workflow rules reject it.
    let start = playbook["workflow_start"].as_str().unwrap().to_owned();
    playbook["workflow"][&start]["on_completion"] =
        json!("action--00000000-0000-4000-8000-00000000dead");
    let path = directory.path().join("invalid.json");
    std::fs::write(&path, playbook.to_string()).unwrap();
    let log = directory.path().join("log.txt");

    let (code, stdout, stderr) = cacao(&[
        "run",
        path.to_str().unwrap(),
        "--var",
        &format!("__log__={}", log.display()),
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    let refusal: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(refusal["outcome"], "invalid");
    assert!(!refusal["diagnostics"].as_array().unwrap().is_empty());
    assert!(stderr.contains("not a valid CACAO playbook"), "{stderr}");
    assert!(!log.exists());
}

//! Every example in testdata/examples gets a verdict without a panic, and the verdicts are the
//! ones docs/examples.md records (with the rules that make each invalid example invalid).

use std::path::{Path, PathBuf};

use cacao_validate::{Severity, validate};

fn examples() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/examples"
    ))
}

/// (file below testdata/examples, valid, rules that must be reported as errors).
const EXPECTED: &[(&str, bool, &[&str])] = &[
    (
        "oasis-tcs-cacao/Examples/CACAO-2.0/basic-example-1.json",
        true,
        &[],
    ),
    (
        "oasis-tcs-cacao/Examples/CACAO-2.0/spec-3.1-example.json",
        true,
        &[],
    ),
    (
        "oasis-tcs-cacao/Examples/CACAO-2.0/locky-bart-mbc-examples.json",
        false,
        &["id/uuid-version", "ref/target", "id/prefix-mismatch"],
    ),
    (
        "oasis-tcs-cacao/Examples/CACAO-2.0/identity-object.json",
        false,
        &["schema/enum"],
    ),
    (
        "oasis-tcs-cacao/Extensions/layout/examples/playbook--aa1898b6-5251-49b4-aeb7-fd5e912583ff.json",
        false,
        &["schema/required", "schema/unknown-property"],
    ),
    (
        "oasis-tcs-cacao/Extensions/layout/extension-definition/extension-definition--418ee24c-9cb1-46d9-afa5-309e01aabc7f.json",
        false,
        &["schema/enum"],
    ),
    (
        "oasis-tcs-cacao/Common-Objects/Data-Markings/marking-tlp--55d920b0-5e8b-4f79-9ee9-91f868d9b421.json",
        false,
        &["schema/required"],
    ),
    (
        "oasis-tcs-cacao/Common-Objects/Data-Markings/marking-tlp--939a9414-2ddd-4d32-a0cd-375ea402b003.json",
        false,
        &["schema/required"],
    ),
    (
        "oasis-tcs-cacao/Common-Objects/Data-Markings/marking-tlp--94868c89-83c2-464b-929b-a1a8aa3c8487.json",
        false,
        &["schema/required"],
    ),
    (
        "oasis-tcs-cacao/Common-Objects/Data-Markings/marking-tlp--bab4a63c-aed9-4cf5-a766-dfca5abac2bb.json",
        false,
        &["schema/required"],
    ),
    (
        "oasis-tcs-cacao/Common-Objects/Data-Markings/marking-tlp--e828b379-4e03-4974-9ac4-e53a884c97c1.json",
        false,
        &["schema/required"],
    ),
    (
        "cyentific-rni-cacao-layout-extension/examples/playbook--aa1898b6-5251-49b4-aeb7-fd5e912583ff.json",
        false,
        &["schema/required", "schema/unknown-property"],
    ),
    (
        "COSSAS-SOARCA/docs-executable-playbooks-example.json",
        false,
        &["schema/required", "id/prefix-mismatch"],
    ),
    (
        "COSSAS-SOARCA/examples/fin-playbook.json",
        false,
        &["time/order", "id/format"],
    ),
    (
        "COSSAS-SOARCA/examples/http-playbook.json",
        false,
        &["time/precision", "command/http-start-line"],
    ),
    (
        "COSSAS-SOARCA/examples/manual-playbook.json",
        false,
        &["id/prefix-mismatch"],
    ),
    (
        "COSSAS-SOARCA/examples/openc2-playbook.json",
        false,
        &["time/precision"],
    ),
    (
        "COSSAS-SOARCA/examples/powershell-playbook.json",
        false,
        &["schema/unknown-property"],
    ),
    (
        "COSSAS-SOARCA/examples/ssh-playbook.json",
        false,
        &["time/precision"],
    ),
    (
        "COSSAS-SOARCA/test/integration/api/routes/playbook.json",
        false,
        &[
            "workflow/start-type",
            "workflow/exception-missing",
            "command/http-start-line",
        ],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/changed-playbook.json",
        false,
        &["schema/type"],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/infinite_playbook.json",
        false,
        &[
            "workflow/cycle",
            "workflow/branch-end",
            "workflow/start-type",
        ],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/invalid_email_playbook.json",
        false,
        &["schema/unknown-property", "workflow/start-type"],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/invalid_playbook.json",
        false,
        &["id/prefix-mismatch", "workflow/start-type"],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/missing_step_playbook.json",
        false,
        &["workflow/dangling-ref", "workflow/start-type"],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/parallels_playbook.json",
        false,
        &["workflow/no-continuation", "workflow/start-type"],
    ),
    (
        "COSSAS-SOARCA/test/playbooks/playbook.json",
        false,
        &["workflow/start-type", "workflow/exception-missing"],
    ),
];

fn json_files(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            files.push(path);
        }
    }
}

#[test]
fn every_example_gets_the_recorded_verdict() {
    let mut files = Vec::new();
    json_files(&examples(), &mut files);
    assert_eq!(
        files.len(),
        EXPECTED.len(),
        "an example was added or removed; update EXPECTED and docs/examples.md"
    );

    let mut failures = Vec::new();
    for (file, valid, errors) in EXPECTED {
        let source = std::fs::read(examples().join(file)).expect("example file");
        let report = validate(&source);
        if report.is_valid() != *valid {
            failures.push(format!("{file}: valid is {}", report.is_valid()));
        }
        for rule in *errors {
            let found = report.diagnostics.iter().any(|diagnostic| {
                diagnostic.rule.id() == *rule && diagnostic.severity == Severity::Error
            });
            if !found {
                failures.push(format!("{file}: no {rule} error"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_tc_basic_example_has_no_findings_and_spec_example_only_its_activity_warning() {
    let basic = validate(&std::fs::read(examples().join(EXPECTED[0].0)).expect("file"));
    assert!(basic.diagnostics.is_empty(), "{:?}", basic.diagnostics);
    let spec = validate(&std::fs::read(examples().join(EXPECTED[1].0)).expect("file"));
    let rules: Vec<&str> = spec
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.rule.id())
        .collect();
    assert_eq!(rules, ["activity/unreflected"]);
}

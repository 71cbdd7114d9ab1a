//! Differential test: the schema interpreter against the `jsonschema` crate (draft 2020-12) on
//! the same adjusted schemas, over the conformance corpus, the examples and thousands of
//! mutations of the valid playbooks. Both must agree on whether each document satisfies the
//! schemas.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::overlay::adjusted_files;
use super::{SchemaSet, evaluate::evaluate};
use crate::json::Document;

const BASE: &str = "https://raw.githubusercontent.com/oasis-open/cacao-json-schemas/main/schemas/";

fn reference_validator() -> jsonschema::Validator {
    let files = adjusted_files();
    let mut registry = jsonschema::Registry::new();
    for (path, schema) in &files {
        registry = registry
            .add(format!("{BASE}{path}"), schema.clone())
            .expect("schema URI");
    }
    let registry = registry.prepare().expect("registry");
    let root = files
        .iter()
        .find(|(path, _)| *path == "playbook.json")
        .map(|(_, schema)| schema.clone())
        .expect("playbook.json");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_registry(&registry)
        .build(&root)
        .expect("the adjusted schemas compile with the jsonschema crate")
}

fn json_files(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "json")
            && !path.ends_with("manifest.json")
        {
            files.push(path);
        }
    }
}

/// Every way of breaking one member of `value`: removing it, changing its type, adding an
/// unknown sibling. Every `stride`-th location only, to keep the test quick.
fn mutations(value: &Value, stride: usize) -> Vec<Value> {
    let mut pointers = Vec::new();
    collect_pointers(value, String::new(), &mut pointers);
    let mut mutated = Vec::new();
    for (index, pointer) in pointers
        .iter()
        .enumerate()
        .filter(|(index, _)| index % stride == 0)
    {
        let (parent, key) = pointer.rsplit_once('/').expect("member pointer");
        let key = key.replace("~1", "/").replace("~0", "~");
        let replacements = [
            Value::Null,
            Value::from(42),
            Value::from("x"),
            Value::Array(vec![]),
        ];
        let mut removed = value.clone();
        if let Some(Value::Object(object)) = removed.pointer_mut(parent) {
            object.remove(&key);
            mutated.push(removed);
        }
        let mut changed = value.clone();
        if let Some(slot) = changed.pointer_mut(pointer) {
            *slot = replacements[index % replacements.len()].clone();
            mutated.push(changed);
        }
        let mut extended = value.clone();
        if let Some(Value::Object(object)) = extended.pointer_mut(parent) {
            object.insert("x_unknown".to_owned(), Value::from(1));
            mutated.push(extended);
        }
    }
    mutated
}

fn collect_pointers(value: &Value, prefix: String, pointers: &mut Vec<String>) {
    if let Value::Object(object) = value {
        for (key, child) in object {
            let pointer = format!("{prefix}/{}", key.replace('~', "~0").replace('/', "~1"));
            pointers.push(pointer.clone());
            collect_pointers(child, pointer, pointers);
        }
    } else if let Value::Array(items) = value {
        for (index, child) in items.iter().enumerate() {
            collect_pointers(child, format!("{prefix}/{index}"), pointers);
        }
    }
}

fn ours_valid(text: &str) -> bool {
    let document = Document::parse(text.as_bytes()).expect("serde_json output parses");
    evaluate(SchemaSet::embedded(), &document).is_empty()
}

#[test]
fn interpreter_agrees_with_the_jsonschema_crate() {
    let reference = reference_validator();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
    let mut files = Vec::new();
    json_files(&Path::new(root).join("corpus/validate"), &mut files);
    json_files(&Path::new(root).join("examples"), &mut files);
    files.sort();

    let mut documents: Vec<(String, Value)> = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        // The large generated playbook is checked as is; mutating it would only repeat the
        // smaller ones thousands of times.
        let name = file.to_string_lossy();
        if name.contains("/valid/") && !name.contains("large-generated") {
            for (index, mutated) in mutations(&value, 2).into_iter().enumerate() {
                documents.push((format!("{} mutation {index}", file.display()), mutated));
            }
        }
        documents.push((file.display().to_string(), value));
    }
    assert!(documents.len() > 1000, "only {} documents", documents.len());

    let mut disagreements = Vec::new();
    let mut invalid = 0;
    for (name, value) in &documents {
        let text = serde_json::to_string(value).expect("serialisable");
        let theirs = reference.is_valid(value);
        let ours = ours_valid(&text);
        invalid += usize::from(!theirs);
        if theirs != ours {
            disagreements.push(format!(
                "{name}: jsonschema says {theirs}, the interpreter says {ours}"
            ));
        }
    }
    assert!(
        invalid > 500,
        "the mutations should break the schemas often ({invalid})"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} documents disagree:\n{}",
        disagreements.len(),
        documents.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

//! Property tests on generated playbooks: for every supported algorithm, signing then verifying
//! passes; changing one byte of any string or key anywhere in the signed playbook, or any field
//! of the signature, makes verification fail.

use std::sync::OnceLock;

use cacao_sign::canonical::parse_document;
use cacao_sign::{Algorithm, HashAlgorithm, SignOptions, SigningKey, TrustPolicy, TrustStore};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value, json};

fn key(algorithm: Algorithm) -> &'static SigningKey {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        Algorithm::ALL
            .iter()
            .map(|algorithm| SigningKey::generate_with_rsa_bits(*algorithm, 2048).unwrap())
            .collect()
    });
    &keys[Algorithm::ALL.iter().position(|a| *a == algorithm).unwrap()]
}

fn accepted(document: &Value, algorithm: Algorithm) -> bool {
    let mut trust = TrustStore::new();
    trust.add_public_key(None, key(algorithm).public_key().clone());
    TrustPolicy::cryptographic_only(trust)
        .check(document, jiff::Timestamp::now())
        .1
        .accepted
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _./-]{1,16}",
        "\\PC{1,12}",
        Just("\u{1}\r\n\t\"\\ \u{2028}\u{7f}".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(1i64 << 53)..=(1i64 << 53)).prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z_\u{e9}\u{1f600}\u{fb33}]{1,6}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

prop_compose! {
    fn playbook()(name in text(), description in text(), command in text(), data in json_value())
        -> Value
    {
        json!({
            "type": "playbook",
            "spec_version": "cacao-2.0",
            "id": "playbook--8b971609-b079-4d00-a2ce-bf0c69cc8fe7",
            "name": name,
            "description": description,
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-02T00:00:00.000Z",
            "playbook_extensions": {"extension-definition--1": data},
            "workflow_start": "start--1",
            "workflow": {
                "start--1": {"type": "start", "on_completion": "action--1"},
                "action--1": {
                    "type": "action",
                    "commands": [{"type": "bash", "command": command}],
                    "on_completion": "end--1"
                },
                "end--1": {"type": "end"}
            }
        })
    }
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

/// Where a string lives: a path of object keys and array indices, and whether the string is the
/// key itself or the value.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn strings(value: &Value, path: &mut Vec<Step>, found: &mut Vec<(Vec<Step>, bool)>) {
    match value {
        Value::String(text) if !text.is_empty() => found.push((path.clone(), false)),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                strings(item, path, found);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (name, item) in map {
                path.push(Step::Key(name.clone()));
                if !name.is_empty() {
                    found.push((path.clone(), true));
                }
                strings(item, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Changes one byte of `text`: flips the low bit of an ASCII character, or replaces a
/// multi-byte character with one ASCII byte.
fn flip(text: &str, position: Index) -> String {
    let characters: Vec<char> = text.chars().collect();
    let at = position.index(characters.len());
    let mut changed = characters.clone();
    changed[at] = if characters[at].is_ascii() {
        char::from(characters[at] as u8 ^ 1)
    } else {
        'x'
    };
    changed.into_iter().collect()
}

fn mutate(document: &mut Value, path: &[Step], is_key: bool, position: Index) {
    let (last, parents) = path.split_last().unwrap();
    let mut node = document;
    for step in parents {
        node = match step {
            Step::Key(name) => &mut node[name.as_str()],
            Step::Index(index) => &mut node[*index],
        };
    }
    match (last, is_key) {
        (Step::Key(name), true) => {
            let renamed = flip(name, position);
            let map = node.as_object_mut().unwrap();
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (key, value) in entries {
                map.insert(if &key == name { renamed.clone() } else { key }, value);
            }
        }
        (Step::Key(name), false) => {
            let text = node[name.as_str()].as_str().unwrap().to_owned();
            node[name.as_str()] = Value::String(flip(&text, position));
        }
        (Step::Index(index), _) => {
            let text = node[*index].as_str().unwrap().to_owned();
            node[*index] = Value::String(flip(&text, position));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sign_then_verify_passes_and_survives_writing(
        mut document in playbook(),
        algorithm in algorithm(),
        sha512 in any::<bool>(),
    ) {
        let mut options = SignOptions::new(algorithm, "generated");
        options.hash = if sha512 { HashAlgorithm::Sha512 } else { HashAlgorithm::Sha256 };
        cacao_sign::sign_document(&mut document, key(algorithm), &options).unwrap();
        prop_assert!(accepted(&document, algorithm));

        let reread = parse_document(&serde_json::to_string_pretty(&document).unwrap()).unwrap();
        prop_assert!(accepted(&reread, algorithm));
    }

    #[test]
    fn changing_one_byte_of_any_string_or_key_breaks_verification(
        mut document in playbook(),
        algorithm in algorithm(),
        target in any::<Index>(),
        position in any::<Index>(),
    ) {
        cacao_sign::sign_document(
            &mut document,
            key(algorithm),
            &SignOptions::new(algorithm, "generated"),
        )
        .unwrap();
        let mut found = Vec::new();
        strings(&document, &mut Vec::new(), &mut found);
        let (path, is_key) = &found[target.index(found.len())];

        let mut changed = document.clone();
        mutate(&mut changed, path, *is_key, position);
        prop_assume!(changed != document);
        prop_assert!(!accepted(&changed, algorithm), "changed {:?} (key: {})", path, is_key);
    }

    #[test]
    fn changing_any_signature_field_breaks_verification(
        mut document in playbook(),
        algorithm in algorithm(),
        field in any::<Index>(),
        position in any::<Index>(),
    ) {
        let mut options = SignOptions::new(algorithm, "generated");
        options.created_by = Some("identity--5abe695c-7bd5-4c31-8824-2528696cdbf1".to_owned());
        options.valid_until = Some("2099-01-01T00:00:00Z".parse().unwrap());
        cacao_sign::sign_document(&mut document, key(algorithm), &options).unwrap();
        let names: Vec<String> =
            document["signatures"][0].as_object().unwrap().keys().cloned().collect();
        let name = &names[field.index(names.len())];

        let mut changed = document.clone();
        let path = [Step::Key("signatures".to_owned()), Step::Index(0), Step::Key(name.clone())];
        mutate(&mut changed, &path, false, position);
        prop_assert!(!accepted(&changed, algorithm), "changed signature field {}", name);
    }
}

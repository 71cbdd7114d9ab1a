//! Variables: externals are required (every missing one listed), constants never change,
//! out_args go to the nearest scope, and values are substituted shell-quoted when steps run.

mod common;

use std::sync::Arc;

use cacao_engine::{EngineError, Outcome, Problem, Start};
use common::{Behaviour, Recorder, action, engine, playbook};
use indexmap::IndexMap;
use serde_json::json;

#[tokio::test]
async fn missing_externals_and_bad_values_are_refused_all_at_once() {
    let recorder = Arc::new(Recorder::default());
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "end--e"},
            "end--e": {"type": "end"}
        }),
        json!({
            "__a__": {"type": "string", "external": true},
            "__b__": {"type": "string", "external": true, "value": null},
            "__c__": {"type": "string", "constant": true, "value": "fixed"}
        }),
        None,
    );
    let variables = IndexMap::from([
        ("__c__".to_owned(), "changed".to_owned()),
        ("__nope__".to_owned(), "x".to_owned()),
    ]);
    let result = engine(&recorder)
        .run(
            playbook,
            Start {
                variables,
                ..Start::default()
            },
        )
        .await;
    let Err(EngineError::Refused(refusal)) = result else {
        panic!("the execution must be refused");
    };
    assert!(
        refusal
            .problems
            .contains(&Problem::MissingExternalVariables {
                playbook_id: "playbook--00000000-0000-4000-8000-000000000001".into(),
                names: vec!["__a__".into(), "__b__".into()],
            })
    );
    assert!(refusal.problems.contains(&Problem::ConstantVariable {
        name: "__c__".into()
    }));
    assert!(refusal.problems.contains(&Problem::UndeclaredVariable {
        name: "__nope__".into()
    }));
    assert!(recorder.ran().is_empty());
}

#[tokio::test]
async fn out_args_go_to_the_nearest_scope_and_constants_stay() {
    let recorder = Arc::new(Recorder::default());
    recorder.behave(
        "produce",
        Behaviour {
            results: IndexMap::from([
                ("__x__".to_owned(), "changed".to_owned()),
                ("__res__".to_owned(), "from C".to_owned()),
                ("__c__".to_owned(), "changed".to_owned()),
                ("__q__".to_owned(), "leaked".to_owned()),
                ("__new__".to_owned(), "created".to_owned()),
            ]),
            ..Behaviour::default()
        },
    );
    let mut producer = action("produce", json!({"on_completion": "action--d"}));
    producer["step_variables"] = json!({"__x__": {"type": "string", "value": "step"}});
    producer["out_args"] = json!(["__x__", "__res__", "__c__", "__new__"]);
    let playbook = playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--c"},
            "action--c": producer,
            "action--d": action(
                "printf %s __x__:value __res__:value __c__:value __q__:value __new__:value",
                json!({"on_completion": "end--e"})
            ),
            "end--e": {"type": "end"}
        }),
        json!({
            "__x__": {"type": "string", "value": "global"},
            "__res__": {"type": "string", "value": ""},
            "__c__": {"type": "string", "value": "fixed", "constant": true},
            "__q__": {"type": "string", "value": "keep"}
        }),
        None,
    );
    let report = engine(&recorder)
        .run(playbook, Start::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(
        recorder.ran()[1],
        "printf %s 'global' 'from C' 'fixed' 'keep' 'created'"
    );
}

#[tokio::test]
async fn agent_and_authentication_strings_are_substituted_and_secrets_are_not_in_events() {
    let recorder = Arc::new(Recorder::default());
    // An executor that carelessly puts the password in its failure reason.
    recorder.behave(
        "connect",
        Behaviour {
            fail: true,
            reason: Some("login ops:s3cret-pa55 refused".into()),
            ..Behaviour::default()
        },
    );
    let mut document = serde_json::to_value(&*playbook(
        json!({
            "start--s": {"type": "start", "on_completion": "action--a"},
            "action--a": action("connect", json!({"on_completion": "end--e"})),
            "end--e": {"type": "end"}
        }),
        json!({"__host__": {"type": "string", "external": true}}),
        None,
    ))
    .unwrap();
    document["agent_definitions"]["linux--agent"]["address"] = json!({"dname": ["__host__:value"]});
    document["agent_definitions"]["linux--agent"]["authentication_info"] = json!("user-auth--1");
    document["authentication_info_definitions"] = json!({
        "user-auth--1": {"type": "user-auth", "username": "ops", "password": "s3cret-pa55"}
    });
    let playbook = Arc::new(cacao_model::Playbook::from_value(document).unwrap());
    let sink = Arc::new(cacao_engine::MemorySink::new());
    engine(&recorder)
        .run(
            playbook,
            Start {
                variables: IndexMap::from([("__host__".to_owned(), "db-01".to_owned())]),
                events: sink.clone(),
                ..Start::default()
            },
        )
        .await
        .unwrap();

    let requests = recorder.requests.lock().unwrap().clone();
    let (_, agent) = requests[0].agent.clone().unwrap();
    assert_eq!(agent.address.unwrap().dname.unwrap()[0], json!("db-01"));
    assert_eq!(
        requests[0].authentication_info["user-auth--1"]
            .password
            .as_ref()
            .unwrap()
            .expose(),
        "s3cret-pa55"
    );
    let events = serde_json::to_string(&sink.events()).unwrap();
    assert!(!events.contains("s3cret-pa55"));
    assert!(events.contains("login ops:[REDACTED] refused"), "{events}");
}

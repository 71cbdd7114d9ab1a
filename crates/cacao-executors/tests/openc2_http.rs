//! The openc2-http executor against two OpenC2 consumers on loopback: otupy (PyPI, OpenC2 HTTPS
//! transfer 1.1, started by the test from the venv that scripts/ensure-peers makes) and a minimal
//! in-process consumer that follows HTTPS transfer 1.0 the way the OASIS reference consumer does.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use base64::Engine as _;
use cacao_engine::executor::{CommandRequest, Executor, ExecutorError};
use cacao_executors::http::HttpOptions;
use cacao_executors::openc2_http::{OpenC2HttpExecutor, OpenC2Options};
use cacao_model::Command;
use common::http_server;
use common::{add_target, request, target};
use indexmap::IndexMap;
use serde_json::{Value, json};

fn openc2_command(start_line: &str, message: &Value) -> Command {
    Command {
        command_type: "openc2-http".into(),
        command: Some(start_line.into()),
        content_b64: Some(base64::engine::general_purpose::STANDARD.encode(message.to_string())),
        ..Default::default()
    }
}

fn consumer_request(port: u16, command: Command) -> CommandRequest {
    let mut request = request(command);
    add_target(
        &mut request,
        "http-api--00000000-0000-4000-8000-000000000030",
        target("http-api", json!({"ipv4": ["127.0.0.1"]}), Some(port)),
        None,
    );
    request
}

fn executor(options: OpenC2Options) -> OpenC2HttpExecutor {
    OpenC2HttpExecutor::new(HttpOptions::default(), options)
}

#[tokio::test]
async fn the_default_media_type_is_https_1_0_and_a_query_succeeds() {
    let consumer = http_server::openc2_consumer().await;
    let query = json!({"action": "query", "target": {"features": ["versions", "profiles"]}});
    let request = consumer_request(consumer.port(), openc2_command("POST / HTTP/1.1", &query));

    let outcome = executor(OpenC2Options::default())
        .execute(&request)
        .await
        .unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.results["__http_status__"], "200");
    assert_eq!(outcome.results["__openc2_status__"], "200");
    let body: Value = serde_json::from_str(&outcome.results["__http_body__"]).unwrap();
    assert_eq!(body["results"]["profiles"], json!(["slpf"]));
}

#[tokio::test]
async fn an_openc2_error_status_fails_the_command_even_with_http_200() {
    let consumer = http_server::openc2_consumer().await;
    let deny = json!({"action": "deny", "target": {"ipv4_net": "198.51.100.7/32"}});
    let request = consumer_request(consumer.port(), openc2_command("POST / HTTP/1.1", &deny));

    let outcome = executor(OpenC2Options::default())
        .execute(&request)
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__http_status__"], "200");
    assert_eq!(outcome.results["__openc2_status__"], "500");
    assert_eq!(
        outcome.reason.as_deref(),
        Some("the consumer answered OpenC2 status 500: the firewall could not be reached")
    );
}

#[tokio::test]
async fn a_command_header_overrides_the_configured_media_type() {
    let consumer = http_server::openc2_consumer().await;
    let query = json!({"action": "query", "target": {"features": []}});

    // Configured for transfer 1.1, the 1.0 consumer refuses the command...
    let request = consumer_request(consumer.port(), openc2_command("POST / HTTP/1.1", &query));
    let outcome = executor(OpenC2Options::https_1_1())
        .execute(&request)
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__http_status__"], "415");

    // ...unless the command itself names the type the consumer speaks.
    let mut command = openc2_command("POST / HTTP/1.1", &query);
    command.headers = Some(IndexMap::from([(
        "Content-Type".to_owned(),
        vec![http_server::OPENC2_COMMAND_TYPE.to_owned()],
    )]));
    let request = consumer_request(consumer.port(), command);
    assert!(
        executor(OpenC2Options::https_1_1())
            .execute(&request)
            .await
            .unwrap()
            .success
    );
}

#[tokio::test]
async fn malformed_openc2_commands_are_refused_before_sending() {
    let consumer = http_server::openc2_consumer().await;
    let query = json!({"action": "query", "target": {"features": []}});
    let cases = [
        (openc2_command("GET / HTTP/1.1", &query), "must use POST"),
        (
            Command {
                content_b64: None,
                ..openc2_command("POST / HTTP/1.1", &query)
            },
            "needs `content_b64`",
        ),
        (
            Command {
                content_b64: Some(base64::engine::general_purpose::STANDARD.encode("[1, 2]")),
                ..openc2_command("POST / HTTP/1.1", &query)
            },
            "not a JSON object",
        ),
    ];
    for (command, expected) in cases {
        let error = executor(OpenC2Options::default())
            .execute(&consumer_request(consumer.port(), command))
            .await
            .unwrap_err();
        assert!(matches!(error, ExecutorError::Invalid(_)), "{error}");
        assert!(error.to_string().contains(expected), "{expected}: {error}");
    }
}

/// otupy's OpenC2 consumer, run from the venv that scripts/ensure-peers creates; stopped by its
/// process id when dropped.
struct Otupy {
    child: Child,
    port: u16,
}

impl Otupy {
    fn start(test: &str) -> Option<Self> {
        let python = std::env::var_os("CACAO_OTUPY_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../.peers/otupy/bin/python"
                ))
            });
        if !python.exists() {
            common::peer_missing(
                test,
                &format!("otupy is not installed ({} is missing)", python.display()),
            );
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/otupy_consumer.py");
        let port = common::free_port();
        let mut child = Process::new(&python)
            .arg(script)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python starts");

        // Werkzeug announces when it listens; wait for that line, with a bound.
        let stderr = child.stderr.take().expect("piped");
        let (sender, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sender = Some(sender);
            let mut seen = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("Running on")
                    && let Some(sender) = sender.take()
                {
                    let _ = sender.send(Ok(()));
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            if let Some(sender) = sender {
                let _ = sender.send(Err(seen));
            }
        });
        let otupy = Self { child, port };
        match ready.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(())) => Some(otupy),
            Ok(Err(output)) => panic!("the otupy consumer exited:\n{output}"),
            Err(_) => panic!("the otupy consumer did not start within 60 s"),
        }
    }
}

impl Drop for Otupy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An OpenC2 HTTPS 1.1 message as otupy expects it: headers and an SLPF actuator specifier.
fn otupy_message(request: Value) -> Value {
    json!({
        "headers": {
            "request_id": "5b6f2a8e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
            "created": 1_700_000_000_000u64,
            "from": "cacao",
            "to": ["cacao-test-consumer"]
        },
        "body": {"openc2": {"request": request}}
    })
}

#[tokio::test]
async fn otupy_answers_a_query_and_refuses_what_its_mockup_cannot_do() {
    let Some(otupy) = Otupy::start("otupy_answers_a_query_and_refuses_what_its_mockup_cannot_do")
    else {
        return;
    };
    let executor = executor(OpenC2Options::https_1_1());
    let start_line = "POST /.well-known/openc2 HTTP/1.1";

    let query = otupy_message(json!({
        "action": "query",
        "target": {"features": ["versions", "profiles"]},
        "actuator": {"slpf": {}}
    }));
    let outcome = executor
        .execute(&consumer_request(
            otupy.port,
            openc2_command(start_line, &query),
        ))
        .await
        .unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.results["__openc2_status__"], "200");
    let body: Value = serde_json::from_str(&outcome.results["__http_body__"]).unwrap();
    assert_eq!(
        body["body"]["openc2"]["response"]["results"]["profiles"],
        json!(["slpf"])
    );

    let deny = otupy_message(json!({
        "action": "deny",
        "target": {"ipv4_net": "198.51.100.7"},
        "actuator": {"slpf": {}}
    }));
    let outcome = executor
        .execute(&consumer_request(
            otupy.port,
            openc2_command(start_line, &deny),
        ))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__http_status__"], "501");
    assert_eq!(outcome.results["__openc2_status__"], "501");
}

#[tokio::test]
async fn otupy_refuses_the_https_1_0_media_type() {
    let Some(otupy) = Otupy::start("otupy_refuses_the_https_1_0_media_type") else {
        return;
    };
    let query = otupy_message(
        json!({"action": "query", "target": {"features": []}, "actuator": {"slpf": {}}}),
    );
    let request = consumer_request(
        otupy.port,
        openc2_command("POST /.well-known/openc2 HTTP/1.1", &query),
    );

    // The two transfer versions disagree on the media type; the default does not reach otupy.
    let outcome = executor(OpenC2Options::default())
        .execute(&request)
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__openc2_status__"], "400");
}

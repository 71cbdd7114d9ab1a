//! The http-api executor against a real HTTP server (axum on loopback): start lines, URLs from
//! target addresses, header lists, bodies, authentication, status rules and failures.

mod common;

use std::time::Duration;

use cacao_engine::executor::{CommandRequest, Executor, ExecutorError};
use cacao_executors::http::HttpOptions;
use cacao_executors::http_api::HttpApiExecutor;
use cacao_model::{AuthenticationInfo, AuthenticationInfoType, Command, Secret};
use common::http_server::{self, BASIC_PASSWORD, BASIC_USER, TOKEN};
use common::{add_target, command, request, target};
use indexmap::IndexMap;
use serde_json::{Value, json};

fn executor() -> HttpApiExecutor {
    HttpApiExecutor::new(HttpOptions::default())
}

fn api_request(
    port: u16,
    command: Command,
    authentication: Option<AuthenticationInfo>,
) -> CommandRequest {
    let mut request = request(command);
    add_target(
        &mut request,
        "http-api--00000000-0000-4000-8000-000000000020",
        target("http-api", json!({"ipv4": ["127.0.0.1"]}), Some(port)),
        authentication.map(|info| ("auth--1", info)),
    );
    request
}

fn echoed(outcome: &cacao_engine::executor::CommandOutcome) -> Value {
    serde_json::from_str(&outcome.results["__http_body__"]).expect("the echo is JSON")
}

#[tokio::test]
async fn a_get_sends_the_path_query_and_every_listed_header_value() {
    let server = http_server::api().await;
    let mut command = command("http-api", "GET /echo/hosts?id=1234&state=up HTTP/1.1");
    command.headers = Some(IndexMap::from([
        (
            "X-Tag".to_owned(),
            vec!["first".to_owned(), "second".to_owned()],
        ),
        ("Accept".to_owned(), vec!["application/json".to_owned()]),
    ]));

    let outcome = executor()
        .execute(&api_request(server.port(), command, None))
        .await
        .unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.results["__http_status__"], "200");
    let echo = echoed(&outcome);
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["path"], "/echo/hosts");
    assert_eq!(echo["query"], "id=1234&state=up");
    assert_eq!(echo["headers"]["x-tag"], json!(["first", "second"]));
    assert_eq!(echo["headers"]["accept"], json!(["application/json"]));
}

#[tokio::test]
async fn content_and_content_b64_are_the_body() {
    let server = http_server::api().await;

    let mut with_content = command("http-api", "POST /echo/tickets HTTP/1.1");
    with_content.content = Some(r#"{"title": "block 198.51.100.7"}"#.into());
    let outcome = executor()
        .execute(&api_request(server.port(), with_content, None))
        .await
        .unwrap();
    assert_eq!(
        echoed(&outcome)["body"],
        r#"{"title": "block 198.51.100.7"}"#
    );

    let mut with_b64 = command("http-api", "PUT /echo/blob HTTP/1.1");
    // Bytes that are not UTF-8 arrive unchanged.
    with_b64.content_b64 = Some("AP+AAQ==".into());
    let outcome = executor()
        .execute(&api_request(server.port(), with_b64, None))
        .await
        .unwrap();
    assert_eq!(echoed(&outcome)["method"], "PUT");
    assert_eq!(echoed(&outcome)["body_bytes"], json!([0, 255, 128, 1]));
}

#[tokio::test]
async fn only_2xx_is_success() {
    let server = http_server::api().await;
    for (code, success) in [
        (200, true),
        (204, true),
        (299, true),
        (404, false),
        (500, false),
    ] {
        let command = command("http-api", &format!("DELETE /status/{code} HTTP/1.1"));
        let outcome = executor()
            .execute(&api_request(server.port(), command, None))
            .await
            .unwrap();
        assert_eq!(outcome.success, success, "{code}");
        assert_eq!(outcome.results["__http_status__"], code.to_string());
        if !success {
            assert_eq!(outcome.results["__http_body__"], format!("status {code}"));
            assert_eq!(
                outcome.reason,
                Some(format!("the server answered HTTP status {code}"))
            );
        }
    }
}

#[tokio::test]
async fn http_basic_authentication_is_sent() {
    let server = http_server::api().await;
    let info = |password: &str| AuthenticationInfo {
        auth_type: AuthenticationInfoType::HttpBasic,
        user_id: Some(BASIC_USER.into()),
        password: Some(Secret::new(password)),
        ..Default::default()
    };

    let request = api_request(
        server.port(),
        command("http-api", "GET /basic HTTP/1.1"),
        Some(info(BASIC_PASSWORD)),
    );
    assert!(executor().execute(&request).await.unwrap().success);

    let request = api_request(
        server.port(),
        command("http-api", "GET /basic HTTP/1.1"),
        Some(info("wrong")),
    );
    let outcome = executor().execute(&request).await.unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__http_status__"], "401");
}

#[tokio::test]
async fn oauth2_tokens_go_in_the_bearer_header_or_the_named_one() {
    let server = http_server::api().await;
    let bearer = AuthenticationInfo {
        auth_type: AuthenticationInfoType::Oauth2,
        oauth_header: Some("Authorization".into()),
        token: Some(Secret::new(TOKEN)),
        ..Default::default()
    };
    let request = api_request(
        server.port(),
        command("http-api", "GET /bearer HTTP/1.1"),
        Some(bearer.clone()),
    );
    assert!(executor().execute(&request).await.unwrap().success);

    let api_key = AuthenticationInfo {
        oauth_header: Some("X-Api-Key".into()),
        ..bearer
    };
    let request = api_request(
        server.port(),
        command("http-api", "GET /api-key HTTP/1.1"),
        Some(api_key),
    );
    assert!(executor().execute(&request).await.unwrap().success);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = http_server::api().await;
    let command = command("http-api", "GET /redirect HTTP/1.1");
    let outcome = executor()
        .execute(&api_request(server.port(), command, None))
        .await
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.results["__http_status__"], "302");
}

#[tokio::test]
async fn a_url_address_gives_scheme_host_and_port() {
    let server = http_server::api().await;
    let mut request = request(command("http-api", "GET /echo/from-url HTTP/1.1"));
    let address = json!({"url": [server.url("/base-path-is-replaced?x=1")]});
    add_target(
        &mut request,
        "http-api--1",
        target("http-api", address, None),
        None,
    );

    let outcome = executor().execute(&request).await.unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(echoed(&outcome)["path"], "/echo/from-url");
    assert_eq!(echoed(&outcome)["query"], Value::Null);
}

#[tokio::test]
async fn an_absolute_url_is_used_and_credentials_stay_with_their_host() {
    let server = http_server::api().await;

    // No target: the URL is used as it is, without authentication.
    let request = request(command(
        "http-api",
        &format!("GET {} HTTP/1.1", server.url("/echo/abs")),
    ));
    let outcome = executor().execute(&request).await.unwrap();
    assert_eq!(echoed(&outcome)["path"], "/echo/abs");

    // The target's credentials are not sent to another host.
    let mut elsewhere = request_with_token(&server.url("/bearer"));
    elsewhere.targets[0].1.address =
        Some(serde_json::from_value(json!({"dname": ["api.example"]})).unwrap());
    let error = executor().execute(&elsewhere).await.unwrap_err();
    assert!(matches!(error, ExecutorError::Invalid(_)), "{error}");
    assert!(error.to_string().contains("only to that target"), "{error}");

    // On the target's own host they are.
    let same_host = request_with_token(&server.url("/bearer"));
    assert!(executor().execute(&same_host).await.unwrap().success);
}

fn request_with_token(url: &str) -> CommandRequest {
    let mut request = request(command("http-api", &format!("GET {url} HTTP/1.1")));
    let info = AuthenticationInfo {
        auth_type: AuthenticationInfoType::Oauth2,
        token: Some(Secret::new(TOKEN)),
        ..Default::default()
    };
    add_target(
        &mut request,
        "http-api--1",
        target("http-api", json!({"ipv4": ["127.0.0.1"]}), None),
        Some(("auth--1", info)),
    );
    request
}

#[tokio::test]
async fn a_refused_connection_is_an_error_not_an_outcome() {
    let port = common::free_port();
    let plain = command("http-api", "GET / HTTP/1.1");
    let error = executor()
        .execute(&api_request(port, plain, None))
        .await
        .unwrap_err();
    assert!(matches!(error, ExecutorError::Unavailable(_)), "{error}");
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}/")),
        "{error}"
    );

    // The query, where a substituted secret would sit, is not shown.
    let with_query = command("http-api", "GET /?api_key=s3cr3t-in-query HTTP/1.1");
    let error = executor()
        .execute(&api_request(port, with_query, None))
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("s3cr3t-in-query"), "{error}");
}

#[tokio::test]
async fn the_step_timeout_bounds_the_request() {
    let server = http_server::api().await;
    let mut request = api_request(
        server.port(),
        command("http-api", "GET /never HTTP/1.1"),
        None,
    );
    request.timeout = Some(Duration::from_millis(300));
    let error = tokio::time::timeout(Duration::from_secs(10), executor().execute(&request))
        .await
        .expect("the executor gives up by itself")
        .unwrap_err();
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn large_bodies_are_cut_to_the_limit() {
    let server = http_server::api().await;
    let executor = HttpApiExecutor::new(HttpOptions {
        body_limit: 16,
        ..Default::default()
    });
    let mut command = command("http-api", "POST /echo/big HTTP/1.1");
    command.content = Some("x".repeat(10_000));
    let outcome = executor
        .execute(&api_request(server.port(), command, None))
        .await
        .unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.results["__http_body__"].len(), 16);
}

#[tokio::test]
async fn malformed_commands_are_refused_before_sending() {
    let server = http_server::api().await;
    let cases: [(Command, &str); 4] = [
        (command("http-api", "GET"), "not an HTTP start line"),
        (command("http-api", "GET /x HTTP/9"), "HTTP version"),
        (
            Command {
                headers: Some(IndexMap::from([(
                    "Bad Header".to_owned(),
                    vec!["v".to_owned()],
                )])),
                ..command("http-api", "GET /x")
            },
            "not an HTTP header name",
        ),
        (
            Command {
                content_b64: Some("***".into()),
                ..command("http-api", "POST /x")
            },
            "content_b64",
        ),
    ];
    for (command, expected) in cases {
        let error = executor()
            .execute(&api_request(server.port(), command, None))
            .await
            .unwrap_err();
        assert!(matches!(error, ExecutorError::Invalid(_)), "{error}");
        assert!(error.to_string().contains(expected), "{expected}: {error}");
    }
}

#[tokio::test]
async fn a_target_of_another_type_is_not_an_endpoint() {
    let executor = executor();
    assert!(executor.supports_target_type("http-api"));
    assert!(
        executor.supports_target_type("organization"),
        "a descriptive agent is accepted"
    );
    assert!(!executor.supports_target_type("ssh"));
    assert!(!executor.supports_target_type("soarca"));
    let mut request = request(command("http-api", "GET / HTTP/1.1"));
    add_target(
        &mut request,
        "ssh--1",
        target("ssh", json!({"ipv4": ["127.0.0.1"]}), None),
        None,
    );
    let error = executor.execute(&request).await.unwrap_err();
    assert!(
        error.to_string().contains("no target of type http-api"),
        "{error}"
    );
}

/// A Python HTTPS server with a certificate made for the test; stopped by its process id.
struct TlsServer {
    child: std::process::Child,
    port: u16,
    authority: std::path::PathBuf,
    _folder: tempfile::TempDir,
}

impl TlsServer {
    fn start(test: &str) -> Option<Self> {
        use std::io::BufRead;
        let folder = tempfile::tempdir().unwrap();
        let authority = folder.path().join("ca.pem");
        let certificate = folder.path().join("cert.pem");
        let key = folder.path().join("key.pem");
        // A private certificate authority, and a server certificate for 127.0.0.1 it signs.
        let openssl =
            |subject: &str, extra: &[&str], key: &std::path::Path, out: &std::path::Path| {
                std::process::Command::new("openssl")
                    .args([
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                    ])
                    .args(["-nodes", "-days", "1", "-subj", subject])
                    .args(extra)
                    .arg("-keyout")
                    .arg(key)
                    .arg("-out")
                    .arg(out)
                    .stderr(std::process::Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            };
        let authority_key = folder.path().join("ca.key");
        let made = openssl("/CN=cacao-test-ca", &[], &authority_key, &authority)
            && openssl(
                "/CN=127.0.0.1",
                &[
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    "-addext",
                    "basicConstraints=critical,CA:FALSE",
                    "-CA",
                    &authority.display().to_string(),
                    "-CAkey",
                    &authority_key.display().to_string(),
                ],
                &key,
                &certificate,
            );
        if !made {
            common::peer_missing(
                test,
                "the openssl command, which makes the test certificate, is missing",
            );
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/tls_server.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg(&certificate)
            .arg(&key)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 starts");
        let mut first_line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        let port = first_line
            .trim()
            .parse()
            .expect("the server prints its port");
        Some(Self {
            child,
            port,
            authority,
            _folder: folder,
        })
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn tls_needs_a_certificate_the_operator_trusts() {
    let Some(server) = TlsServer::start("tls_needs_a_certificate_the_operator_trusts") else {
        return;
    };
    let mut request = request(command("http-api", "GET /status HTTP/1.1"));
    let address = json!({"url": [format!("https://127.0.0.1:{}", server.port)]});
    add_target(
        &mut request,
        "http-api--1",
        target("http-api", address, None),
        None,
    );

    let error = executor().execute(&request).await.unwrap_err();
    assert!(matches!(error, ExecutorError::Unavailable(_)), "{error}");
    assert!(
        error.to_string().to_lowercase().contains("certificate"),
        "{error}"
    );

    let trusting = HttpApiExecutor::new(HttpOptions {
        extra_root_certificates: vec![server.authority.clone()],
        ..Default::default()
    });
    assert_eq!(trusting.unavailable_reason(), None);
    let outcome = trusting.execute(&request).await.unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(outcome.results["__http_body__"], "over tls");
}

#[tokio::test]
async fn an_unreadable_certificate_file_is_reported_by_the_capability_check() {
    let executor = HttpApiExecutor::new(HttpOptions {
        extra_root_certificates: vec!["/nonexistent/ca.pem".into()],
        ..Default::default()
    });
    let reason = executor.unavailable_reason().expect("reported");
    assert!(reason.contains("/nonexistent/ca.pem"), "{reason}");
}

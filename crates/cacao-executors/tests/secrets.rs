//! Authentication secrets never come back: the test drives every networked executor through
//! successes and failures with passwords and tokens in the authentication info, then greps the
//! errors, the outcomes (results and reasons), their debug forms and everything logged through
//! tracing and `log` at TRACE level for those secrets and for the forms derived from them.

mod common;

use base64::Engine as _;
use cacao_engine::executor::{CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_executors::http::HttpOptions;
use cacao_executors::http_api::HttpApiExecutor;
use cacao_executors::openc2_http::{OpenC2HttpExecutor, OpenC2Options};
use cacao_executors::ssh::{HostKeyPolicy, SshExecutor, SshOptions};
use cacao_model::{AuthenticationInfo, AuthenticationInfoType, Secret};
use common::http_server::{self, BASIC_PASSWORD, BASIC_USER, TOKEN};
use common::{SSH_USER, add_target, command, request, target, user_auth};
use serde_json::json;

/// Everything an executor handed back, as text.
#[derive(Default)]
struct Returned(String);

impl Returned {
    fn record(&mut self, result: &Result<CommandOutcome, ExecutorError>) {
        match result {
            Ok(outcome) => {
                self.0.push_str(&format!("{outcome:?}\n"));
                for value in outcome.results.values() {
                    self.0.push_str(value);
                    self.0.push('\n');
                }
                if let Some(reason) = &outcome.reason {
                    self.0.push_str(reason);
                }
            }
            Err(error) => self.0.push_str(&format!("{error}\n{error:?}\n")),
        }
    }
}

fn forbidden(extra: &[&str]) -> Vec<String> {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{BASIC_USER}:{BASIC_PASSWORD}"));
    let mut secrets = vec![BASIC_PASSWORD.to_owned(), TOKEN.to_owned(), basic];
    secrets.extend(extra.iter().map(|secret| (*secret).to_owned()));
    secrets
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} contains a secret:\n{text}"
        );
    }
}

fn basic() -> AuthenticationInfo {
    AuthenticationInfo {
        auth_type: AuthenticationInfoType::HttpBasic,
        user_id: Some(BASIC_USER.into()),
        password: Some(Secret::new(BASIC_PASSWORD)),
        ..Default::default()
    }
}

fn bearer() -> AuthenticationInfo {
    AuthenticationInfo {
        auth_type: AuthenticationInfoType::Oauth2,
        oauth_header: Some("Authorization".into()),
        token: Some(Secret::new(TOKEN)),
        ..Default::default()
    }
}

fn http_request(text: &str, port: u16, info: AuthenticationInfo) -> CommandRequest {
    let mut request = request(command("http-api", text));
    add_target(
        &mut request,
        "http-api--1",
        target("http-api", json!({"ipv4": ["127.0.0.1"]}), Some(port)),
        Some(("auth--1", info)),
    );
    request
}

#[tokio::test]
async fn http_secrets_appear_nowhere() {
    let logs = common::captured_logs();
    let server = http_server::api().await;
    let closed = common::free_port();
    let executor = HttpApiExecutor::new(HttpOptions::default());
    let mut returned = Returned::default();

    // The echo endpoint sends the Authorization header back in the body.
    for info in [basic(), bearer()] {
        let result = executor
            .execute(&http_request(
                "GET /echo/x HTTP/1.1",
                server.port(),
                info.clone(),
            ))
            .await;
        assert!(result.as_ref().unwrap().results["__http_body__"].contains("[REDACTED]"));
        returned.record(&result);
        returned.record(
            &executor
                .execute(&http_request(
                    "GET /basic HTTP/1.1",
                    server.port(),
                    info.clone(),
                ))
                .await,
        );
        returned.record(
            &executor
                .execute(&http_request("GET /x HTTP/1.1", closed, info.clone()))
                .await,
        );
        returned.record(
            &executor
                .execute(&http_request("GET /x HTTP/9", server.port(), info))
                .await,
        );
    }

    // A secret substituted into a header that is not valid in HTTP.
    let mut bad_header = http_request("GET /echo/x HTTP/1.1", server.port(), bearer());
    bad_header.command.headers = Some(indexmap::IndexMap::from([(
        "X-Token".to_owned(),
        vec![format!("{TOKEN}\n")],
    )]));
    returned.record(&executor.execute(&bad_header).await);

    // openc2-http shares the HTTP code but has its own errors.
    let openc2 = OpenC2HttpExecutor::new(HttpOptions::default(), OpenC2Options::default());
    let mut openc2_request = http_request("POST / HTTP/1.1", closed, bearer());
    openc2_request.command.command_type = "openc2-http".into();
    openc2_request.command.content_b64 =
        Some(base64::engine::general_purpose::STANDARD.encode("{}"));
    returned.record(&openc2.execute(&openc2_request).await);

    let secrets = forbidden(&[]);
    assert_clean("what the executors returned", &returned.0, &secrets);
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(!logs.is_empty(), "tracing captured nothing");
    assert_clean("the log", &logs, &secrets);
}

#[tokio::test]
async fn ssh_secrets_appear_nowhere() {
    let logs = common::captured_logs();
    let Some(server) = common::ssh_server("ssh_secrets_appear_nowhere") else {
        return;
    };
    let executor = SshExecutor::new(SshOptions {
        host_key_policy: HostKeyPolicy::KnownHostsFile(server.known_hosts.clone()),
        ..Default::default()
    });
    let wrong = "Wr0ng-ssh-pa55word-do-not-leak";
    let mut returned = Returned::default();
    let run = |text: &str, password: &str, port: u16| {
        let mut request = request(command("ssh", text));
        let mut ssh_target = server.target();
        ssh_target.port = Some(port.to_string());
        add_target(
            &mut request,
            "ssh--1",
            ssh_target,
            Some(("user-auth--1", user_auth(SSH_USER, Some(password)))),
        );
        request
    };

    // A command that prints the password (as a playbook that passes it on would).
    let echo = format!(
        "echo '{}'; echo '{}' >&2; echo '__leak__={}' >> \"$CACAO_OUTPUT\"; exit 2",
        server.password, server.password, server.password
    );
    let result = executor
        .execute(&run(&echo, &server.password, server.port))
        .await;
    assert_eq!(
        result.as_ref().unwrap().results["__stdout__"],
        "[REDACTED]\n"
    );
    returned.record(&result);
    returned.record(&executor.execute(&run("true", wrong, server.port)).await);
    returned.record(
        &executor
            .execute(&run("true", wrong, common::free_port()))
            .await,
    );

    let secrets = forbidden(&[wrong, &server.password]);
    assert_clean("what the ssh executor returned", &returned.0, &secrets);
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        logs.contains("russh::client"),
        "the log holds no russh records: {logs}"
    );
    assert_clean("the log", &logs, &secrets);
}

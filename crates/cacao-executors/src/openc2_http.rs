//! The `openc2-http` command type: an OpenC2 command POSTed to an OpenC2 consumer over HTTP(S).
//!
//! The command text is an HTTP start line whose method must be POST; its request-target is the
//! consumer's path (`/` for the OASIS reference consumer Yuuki, `/.well-known/openc2` for otupy).
//! The body is the decoded `content_b64`, which must be a JSON object (an OpenC2 message).
//! Endpoints, URLs and authentication follow [`crate::http`], as for `http-api`, with targets of
//! type `http-api` or `net-address`.
//!
//! **Media types.** CACAO 2.0 cites OpenC2 HTTPS transfer version 1.0, whose command media type
//! is `application/openc2-cmd+json;version=1.0` and response type
//! `application/openc2-rsp+json;version=1.0`; those are the defaults
//! ([`OpenC2Options::default`]). Version 1.1 of the transfer specification (which otupy follows)
//! uses `application/openc2+json;version=1.0` both ways ([`HTTPS_1_1_MEDIA_TYPE`]). The operator
//! can change the defaults (`cacao run --openc2-content-type`), and a command's own
//! `Content-Type` or `Accept` header wins over them.
//!
//! **Outcome.** The command succeeds when the HTTP status is 2xx and the OpenC2 response's
//! `status`, when the body carries one, is 2xx as well: a consumer may answer HTTP 200 with an
//! OpenC2 status of 400 or 500. The status is read from a bare OpenC2 response (`{"status":
//! 200, ...}`, transfer 1.0) or from the message envelope of transfer 1.1
//! (`{"body": {"openc2": {"response": {"status": 200}}}}`). Results: `__http_status__`,
//! `__http_body__`, and `__openc2_status__` when the response has a status.

use cacao_engine::executor::{BoxFuture, CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::CommandType;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use serde_json::Value;

use crate::http::{self, HttpClient, HttpOptions, Response};
use crate::http_api::build_requests;
use crate::redact::Redactor;

/// The target types an openc2-http command can reach.
pub const TARGET_TYPES: &[&str] = &["http-api", "net-address"];

/// The command media type of OpenC2 HTTPS transfer 1.0, which CACAO 2.0 cites.
pub const HTTPS_1_0_COMMAND_MEDIA_TYPE: &str = "application/openc2-cmd+json;version=1.0";

/// The response media type of OpenC2 HTTPS transfer 1.0.
pub const HTTPS_1_0_RESPONSE_MEDIA_TYPE: &str = "application/openc2-rsp+json;version=1.0";

/// The media type of OpenC2 HTTPS transfer 1.1, for commands and responses alike.
pub const HTTPS_1_1_MEDIA_TYPE: &str = "application/openc2+json;version=1.0";

/// What the operator configures for OpenC2 commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenC2Options {
    /// The `Content-Type` sent when the command does not set one.
    pub content_type: String,
    /// The `Accept` sent when the command does not set one.
    pub accept: String,
}

impl Default for OpenC2Options {
    fn default() -> Self {
        Self {
            content_type: HTTPS_1_0_COMMAND_MEDIA_TYPE.to_owned(),
            accept: HTTPS_1_0_RESPONSE_MEDIA_TYPE.to_owned(),
        }
    }
}

/// The OpenC2 command media type to send (`cacao run --openc2-content-type`).
pub const CONTENT_TYPE_VARIABLE: &str = "CACAO_OPENC2_CONTENT_TYPE";

impl OpenC2Options {
    /// The options the environment gives ([`CONTENT_TYPE_VARIABLE`]), the defaults otherwise.
    pub fn from_environment() -> Self {
        std::env::var(CONTENT_TYPE_VARIABLE)
            .ok()
            .filter(|content_type| !content_type.trim().is_empty())
            .map_or_else(Self::default, |content_type| {
                Self::for_content_type(&content_type)
            })
    }

    /// The media types of OpenC2 HTTPS transfer 1.1 (otupy and newer consumers).
    pub fn https_1_1() -> Self {
        Self {
            content_type: HTTPS_1_1_MEDIA_TYPE.to_owned(),
            accept: HTTPS_1_1_MEDIA_TYPE.to_owned(),
        }
    }

    /// The options for a content type: the response type that goes with it is accepted.
    pub fn for_content_type(content_type: &str) -> Self {
        let accept = if content_type.trim() == HTTPS_1_0_COMMAND_MEDIA_TYPE {
            HTTPS_1_0_RESPONSE_MEDIA_TYPE
        } else {
            content_type.trim()
        };
        Self {
            content_type: content_type.trim().to_owned(),
            accept: accept.to_owned(),
        }
    }
}

/// Runs `openc2-http` commands.
#[derive(Debug, Clone)]
pub struct OpenC2HttpExecutor {
    http: HttpClient,
    options: OpenC2Options,
    media_types: Result<(HeaderValue, HeaderValue), String>,
}

impl OpenC2HttpExecutor {
    /// An executor with these options.
    pub fn new(http: HttpOptions, options: OpenC2Options) -> Self {
        let media_types = HeaderValue::from_str(&options.content_type)
            .and_then(|content_type| Ok((content_type, HeaderValue::from_str(&options.accept)?)))
            .map_err(|_| {
                "the configured OpenC2 media types are not valid header values".to_owned()
            });
        Self {
            http: HttpClient::new(http),
            options,
            media_types,
        }
    }

    /// The options this executor was made with.
    pub fn options(&self) -> &OpenC2Options {
        &self.options
    }

    async fn run(&self, request: &CommandRequest) -> Result<CommandOutcome, ExecutorError> {
        let (content_type, accept) = self
            .media_types
            .clone()
            .map_err(ExecutorError::Unavailable)?;
        let text = request.command.command.as_deref().ok_or_else(|| {
            ExecutorError::Invalid(
                "an openc2-http command needs `command`, an HTTP start line".into(),
            )
        })?;
        let start_line = http::parse_start_line(text).map_err(ExecutorError::Invalid)?;
        if start_line.method != reqwest::Method::POST {
            return Err(ExecutorError::Invalid(format!(
                "an openc2-http command must use POST, not {}",
                start_line.method
            )));
        }
        let encoded = request.command.content_b64.as_deref().ok_or_else(|| {
            ExecutorError::Invalid(
                "an openc2-http command needs `content_b64`, the OpenC2 message".into(),
            )
        })?;
        let body = cacao_model::command::decode("content_b64", encoded)
            .map_err(|error| ExecutorError::Invalid(error.to_string()))?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(_)) => {}
            _ => {
                return Err(ExecutorError::Invalid(
                    "the decoded content_b64 is not a JSON object, so it is not an OpenC2 message"
                        .into(),
                ));
            }
        }

        let mut requests = build_requests(request, &start_line, Some(body), TARGET_TYPES)?;
        for (_, prepared) in &mut requests {
            prepared
                .headers
                .entry(CONTENT_TYPE)
                .or_insert_with(|| content_type.clone());
            prepared
                .headers
                .entry(ACCEPT)
                .or_insert_with(|| accept.clone());
        }
        self.http
            .exchange_in_order(request, "openc2-http", requests, outcome_of)
            .await
    }
}

/// The OpenC2 status and status text in a response body, from a bare response or a transfer 1.1
/// envelope.
pub fn openc2_status(body: &[u8]) -> Option<(u16, Option<String>)> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let response = if value.get("status").is_some() {
        &value
    } else {
        value.pointer("/body/openc2/response")?
    };
    let status = match response.get("status")? {
        Value::Number(number) => u16::try_from(number.as_u64()?).ok()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    let text = response
        .get("status_text")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some((status, text))
}

fn outcome_of(response: &Response) -> CommandOutcome {
    let mut outcome = CommandOutcome::default();
    outcome
        .results
        .insert("__http_status__".into(), response.status.to_string());
    outcome
        .results
        .insert("__http_body__".into(), response.body_text());

    let openc2 = openc2_status(&response.body);
    if let Some((status, _)) = &openc2 {
        outcome
            .results
            .insert("__openc2_status__".into(), status.to_string());
    }

    outcome.success = response.is_success();
    match (&openc2, outcome.success) {
        (_, false) => {
            outcome.reason = Some(format!(
                "the consumer answered HTTP status {}",
                response.status
            ));
        }
        (Some((status, text)), true) if !(200..300).contains(status) => {
            outcome.success = false;
            outcome.reason = Some(match text {
                Some(text) => format!("the consumer answered OpenC2 status {status}: {text}"),
                None => format!("the consumer answered OpenC2 status {status}"),
            });
        }
        _ => {}
    }
    outcome
}

impl Executor for OpenC2HttpExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::Openc2Http]
    }

    fn supports_target_type(&self, target_type: &str) -> bool {
        crate::target::accepts(TARGET_TYPES, target_type)
    }

    fn unavailable_reason(&self) -> Option<String> {
        self.http
            .unavailable_reason()
            .or_else(|| self.media_types.as_ref().err().cloned())
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(async move {
            let redactor = Redactor::for_request(request);
            redactor.redact_result(self.run(request).await)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn an_openc2_error_status_fails_an_http_success() {
        let outcome = outcome_of(&response(200, r#"{"status": 500, "status_text": "boom"}"#));
        assert!(!outcome.success);
        assert_eq!(outcome.results["__openc2_status__"], "500");
        assert_eq!(
            outcome.reason.as_deref(),
            Some("the consumer answered OpenC2 status 500: boom")
        );
    }

    #[test]
    fn the_transfer_1_1_envelope_is_read() {
        let body = r#"{"headers": {"request_id": "x"}, "body": {"openc2": {"response": {"status": 200}}}}"#;
        assert_eq!(openc2_status(body.as_bytes()), Some((200, None)));
        assert!(outcome_of(&response(200, body)).success);
    }

    #[test]
    fn a_body_without_status_leaves_the_http_status_to_decide() {
        assert!(outcome_of(&response(204, "")).success);
        assert!(outcome_of(&response(200, "not json")).success);
        assert!(!outcome_of(&response(503, "")).success);
    }

    #[test]
    fn the_content_type_brings_its_response_type() {
        let options = OpenC2Options::for_content_type(HTTPS_1_0_COMMAND_MEDIA_TYPE);
        assert_eq!(options, OpenC2Options::default());
        assert_eq!(
            OpenC2Options::for_content_type(HTTPS_1_1_MEDIA_TYPE),
            OpenC2Options::https_1_1()
        );
    }
}

//! The `http-api` command type: one HTTP request per endpoint.
//!
//! The command text is an HTTP start line, `headers` maps each header name to a list of values
//! (each sent as its own header line, in order), and the body is `content`, else the decoded
//! `content_b64`. Endpoints are the step's targets of type `http-api` or `net-address` (else the
//! agent), run in order and stopping at the first failure; the results are those of the last
//! request. How an endpoint and the start line make the URL, and how authentication info becomes
//! a header, is described in [`crate::http`].
//!
//! A 2xx status is success. Results: `__http_status__` (the decimal status) and
//! `__http_body__` (the body as text; invalid UTF-8 is replaced). A request that cannot be sent
//! at all (no connection, a TLS failure, a timeout) is an error, not an outcome.

use cacao_engine::executor::{BoxFuture, CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::CommandType;

use crate::http::{self, HttpClient, HttpOptions, Request, Response};
use crate::redact::Redactor;
use crate::target::{self, Endpoint};

/// The target types an http-api command can reach.
pub const TARGET_TYPES: &[&str] = &["http-api", "net-address"];

/// Runs `http-api` commands.
#[derive(Debug, Clone)]
pub struct HttpApiExecutor {
    http: HttpClient,
}

impl HttpApiExecutor {
    /// An executor with these options.
    pub fn new(options: HttpOptions) -> Self {
        Self {
            http: HttpClient::new(options),
        }
    }

    async fn run(&self, request: &CommandRequest) -> Result<CommandOutcome, ExecutorError> {
        let text = request
            .command
            .text()
            .map_err(|error| ExecutorError::Invalid(error.to_string()))?
            .ok_or_else(|| {
                ExecutorError::Invalid(
                    "an http-api command needs `command`, an HTTP start line".into(),
                )
            })?;
        let start_line = http::parse_start_line(&text).map_err(ExecutorError::Invalid)?;
        let body = request
            .command
            .body()
            .map_err(|error| ExecutorError::Invalid(error.to_string()))?;

        let requests = build_requests(request, &start_line, body, TARGET_TYPES)?;
        self.http
            .exchange_in_order(request, "http-api", requests, outcome_of)
            .await
    }
}

/// The requests a command makes: one per endpoint, or one to an absolute URL.
pub(crate) fn build_requests(
    request: &CommandRequest,
    start_line: &http::StartLine,
    body: Option<Vec<u8>>,
    target_types: &[&str],
) -> Result<Vec<(String, Request)>, ExecutorError> {
    let headers = http::command_headers(request.command.headers.as_ref())?;
    let prepare = |url: reqwest::Url, endpoint: Option<&Endpoint<'_>>| {
        let mut headers = headers.clone();
        if let Some(endpoint) = endpoint {
            http::add_authentication(&mut headers, endpoint.authentication, &endpoint.describe())?;
        }
        let described = endpoint.map_or_else(|| http::shown_url(&url), Endpoint::describe);
        Ok::<_, ExecutorError>((
            described,
            Request {
                method: start_line.method.clone(),
                url,
                headers,
                body: body.clone(),
            },
        ))
    };

    if start_line.is_absolute() {
        let url = reqwest::Url::parse(&start_line.target)
            .map_err(|_| ExecutorError::Invalid(format!("`{}` is not a URL", start_line.target)))?;
        if !target::has_endpoint(request, target_types) {
            return Ok(vec![prepare(url, None)?]);
        }
        return target::endpoints(request, target_types)?
            .iter()
            .map(|endpoint| {
                if !http::url_is_on_endpoint(&url, endpoint) {
                    return Err(ExecutorError::Invalid(format!(
                        "the command's URL is not on the host of {}; cacao sends a target's \
                         credentials only to that target",
                        endpoint.describe()
                    )));
                }
                prepare(url.clone(), Some(endpoint))
            })
            .collect();
    }

    target::endpoints(request, target_types)?
        .iter()
        .map(|endpoint| {
            let url = http::endpoint_url(endpoint, &start_line.target).map_err(|error| {
                ExecutorError::Invalid(format!("{}: {error}", endpoint.describe()))
            })?;
            prepare(url, Some(endpoint))
        })
        .collect()
}

fn outcome_of(response: &Response) -> CommandOutcome {
    let mut outcome = CommandOutcome {
        success: response.is_success(),
        ..Default::default()
    };
    outcome
        .results
        .insert("__http_status__".into(), response.status.to_string());
    outcome
        .results
        .insert("__http_body__".into(), response.body_text());
    if !outcome.success {
        outcome.reason = Some(format!(
            "the server answered HTTP status {}",
            response.status
        ));
    }
    outcome
}

impl Executor for HttpApiExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::HttpApi]
    }

    fn supports_target_type(&self, target_type: &str) -> bool {
        crate::target::accepts(TARGET_TYPES, target_type)
    }

    fn unavailable_reason(&self) -> Option<String> {
        self.http.unavailable_reason()
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

//! What `http-api` and `openc2-http` commands share: the HTTP start line, how an endpoint and a
//! request-target become a URL, authentication headers, and one bounded request/response exchange
//! over reqwest with rustls (aws-lc-rs).
//!
//! **Start line.** The command text is `METHOD request-target [HTTP-version]`, for example
//! `GET /api/v1/hosts?id=1 HTTP/1.1`. The version may be `HTTP/1.0`, `HTTP/1.1`, `HTTP/2` or
//! `HTTP/2.0`, or left out; it is checked but not forced: the version is negotiated (HTTP/2 only
//! over TLS, through ALPN). The request-target is either origin-form (a path and query; a missing
//! leading `/` is added, as some published playbooks write `POST post HTTP/1.1`) or an absolute
//! `http://` or `https://` URL.
//!
//! **URL.** For an origin-form target, the endpoint's address gives scheme, host and port:
//! - an `address.url` gives its scheme, host and port; its path and query are replaced by the
//!   request-target, because the start line is what goes on the wire;
//! - a `dname`, `ipv4` or `ipv6` address gives the host; the scheme is `https` when the port is 443
//!   and `http` otherwise (use an `address.url` for TLS on another port);
//! - the endpoint's `port` property, when present, is the port (for a url too); otherwise the
//!   url's port or the scheme's default.
//!
//! An absolute URL in the start line is used as written. The endpoint's authentication info is
//! sent with it only when the URL's host is the endpoint's own host, so that a URL built from a
//! variable cannot carry a target's credentials elsewhere; a command with an absolute URL and no
//! endpoint is sent without authentication. The built URL is checked to have the intended host
//! and port, so no request-target (`@evil.example/`) can move the request to another host.
//!
//! **Authentication.** `http-basic` sends `Authorization: Basic base64(user_id:password)`.
//! `oauth2` sends the token: with no `oauth_header` or with `oauth_header` `Authorization`, as
//! `Authorization: Bearer <token>`; with any other header name (an API-key header such as
//! `X-Api-Key`), as that header's value. The authentication header replaces a header of the
//! same name among the command's `headers`. Header values made from secrets are marked
//! sensitive. Other authentication types, and secrets kept in a key management service, are
//! refused.
//!
//! **Exchange.** Redirects are not followed (a 3xx is not 2xx, so the command fails) because
//! following one would send the credentials to wherever the server points. The response body is
//! read up to [`HttpOptions::body_limit`]; the rest is dropped and logged.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use cacao_engine::executor::{CommandOutcome, CommandRequest, ExecutorError};
use cacao_model::{AuthenticationInfo, AuthenticationInfoType, Secret};
use indexmap::IndexMap;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use tracing::{debug, warn};

use crate::capture::{Capture, DEFAULT_BODY_LIMIT};
use crate::target::{Endpoint, Host, Location};

/// What the operator configures for HTTP-based commands.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// PEM files of extra root certificates, trusted in addition to the system's (for services
    /// with an internal certificate authority).
    pub extra_root_certificates: Vec<PathBuf>,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long a whole exchange may take when the step gives no timeout.
    pub request_timeout: Duration,
    /// How many bytes of a response body are kept.
    pub body_limit: usize,
}

/// Names PEM files of extra root certificates, separated like `PATH` (`cacao run --http-ca-file`).
pub const CA_FILE_VARIABLE: &str = "CACAO_HTTP_CA_FILE";

impl HttpOptions {
    /// The options the environment gives ([`CA_FILE_VARIABLE`]), defaults for the rest.
    pub fn from_environment() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// The options a variable lookup gives, as [`HttpOptions::from_environment`] reads them.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<std::ffi::OsString>) -> Self {
        let mut options = Self::default();
        if let Some(paths) = lookup(CA_FILE_VARIABLE) {
            options.extra_root_certificates = std::env::split_paths(&paths)
                .filter(|path| !path.as_os_str().is_empty())
                .collect();
        }
        options
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            extra_root_certificates: Vec::new(),
            connect_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(300),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// A configured HTTP client, or why one could not be built.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: Result<reqwest::Client, String>,
    options: HttpOptions,
}

impl HttpClient {
    /// Builds the client. A problem (an unreadable certificate file) is kept and reported by
    /// [`HttpClient::unavailable_reason`].
    pub fn new(options: HttpOptions) -> Self {
        let client = build_client(&options);
        Self { client, options }
    }

    /// Why no request can be sent, if so.
    pub fn unavailable_reason(&self) -> Option<String> {
        self.client.as_ref().err().cloned()
    }

    /// The options the client was built with.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// Sends a command's requests (one per target endpoint) in order and stops at the first that
    /// fails by `outcome_of`'s rule; the command's outcome is the last response's.
    pub async fn exchange_in_order(
        &self,
        command: &CommandRequest,
        command_type: &'static str,
        requests: Vec<(String, Request)>,
        outcome_of: impl Fn(&Response) -> CommandOutcome,
    ) -> Result<CommandOutcome, ExecutorError> {
        let mut outcome = CommandOutcome::default();
        for (described, prepared) in requests {
            let span = tracing::info_span!(
                "http_exchange",
                execution_id = %command.execution_id,
                step_id = %command.step_id,
                command_type,
                target = %described,
            );
            let response =
                tracing::Instrument::instrument(self.exchange(prepared, command.timeout), span)
                    .await?;
            outcome = outcome_of(&response);
            if !outcome.success {
                break;
            }
        }
        Ok(outcome)
    }

    /// Sends one request and reads the response, bounded by `timeout` (else the default).
    pub async fn exchange(
        &self,
        request: Request,
        timeout: Option<Duration>,
    ) -> Result<Response, ExecutorError> {
        let client = self
            .client
            .as_ref()
            .map_err(|error| ExecutorError::Unavailable(error.clone()))?;
        let shown_url = shown_url(&request.url);
        debug!(method = %request.method, url = %shown_url, "sending an HTTP request");

        let mut builder = client
            .request(request.method, request.url)
            .headers(request.headers)
            .timeout(timeout.unwrap_or(self.options.request_timeout));
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let failed = |error: reqwest::Error| {
            ExecutorError::Unavailable(format!(
                "the request to {shown_url} failed: {}",
                describe_error(&error)
            ))
        };

        let mut response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);

        let mut body = Capture::new(self.options.body_limit, 0);
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            body.push(&chunk);
        }
        if body.truncated() {
            warn!(bytes = body.total_bytes(), url = %shown_url, "the response body was cut to the body limit");
        }
        Ok(Response {
            status,
            content_type,
            body: body.head().to_vec(),
        })
    }
}

fn build_client(options: &HttpOptions) -> Result<reqwest::Client, String> {
    let mut certificates = Vec::new();
    for path in &options.extra_root_certificates {
        let pem = std::fs::read(path).map_err(|error| {
            format!(
                "cannot read the certificate file {}: {error}",
                path.display()
            )
        })?;
        let bundle = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
            format!(
                "the certificate file {} is not PEM: {error}",
                path.display()
            )
        })?;
        certificates.extend(bundle);
    }

    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .tls_certs_merge(certificates)
        .build()
        .map_err(|error| format!("cannot set up the HTTP client: {}", describe_error(&error)))
}

/// A reqwest error as its kind and its causes. reqwest's own message repeats the URL, which is
/// shown separately, without credentials.
fn describe_error(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response body could not be read"
    } else if error.is_builder() {
        "the request could not be built"
    } else if error.is_request() {
        "the request could not be sent"
    } else {
        "HTTP error"
    }
    .to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The URL as it may be shown in logs and errors: without a user name, password, query or
/// fragment, which is where a substituted secret would sit (`?api_key=...`).
pub fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// A parsed HTTP start line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartLine {
    /// The method, as written.
    pub method: Method,
    /// The request-target: a path and query starting with `/`, or an absolute URL.
    pub target: String,
    /// The version, when given.
    pub version: Option<reqwest::Version>,
}

impl StartLine {
    /// Whether the request-target is an absolute `http://` or `https://` URL.
    pub fn is_absolute(&self) -> bool {
        let lower = self.target.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }
}

/// Parses `METHOD request-target [HTTP-version]`.
pub fn parse_start_line(text: &str) -> Result<StartLine, String> {
    let parts: Vec<&str> = text.split_ascii_whitespace().collect();
    let (method, target, version) = match parts.as_slice() {
        [method, target] => (*method, *target, None),
        [method, target, version] => (*method, *target, Some(*version)),
        _ => {
            return Err(format!(
                "`{}` is not an HTTP start line `METHOD request-target HTTP-version`",
                abbreviate(text)
            ));
        }
    };

    let is_token = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    let method = is_token
        .then(|| Method::from_bytes(method.as_bytes()).ok())
        .flatten()
        .ok_or_else(|| format!("`{}` is not an HTTP method", abbreviate(method)))?;

    let version = version
        .map(|version| match version {
            "HTTP/1.0" => Ok(reqwest::Version::HTTP_10),
            "HTTP/1.1" => Ok(reqwest::Version::HTTP_11),
            "HTTP/2" | "HTTP/2.0" => Ok(reqwest::Version::HTTP_2),
            other => Err(format!(
                "`{}` is not an HTTP version cacao speaks (HTTP/1.0, HTTP/1.1, HTTP/2)",
                abbreviate(other)
            )),
        })
        .transpose()?;

    let mut start_line = StartLine {
        method,
        target: target.to_owned(),
        version,
    };
    if !start_line.is_absolute() && !start_line.target.starts_with('/') {
        start_line.target.insert(0, '/');
    }
    Ok(start_line)
}

fn abbreviate(text: &str) -> String {
    let mut short: String = text.chars().take(80).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// The URL for an origin-form request-target on an endpoint.
pub fn endpoint_url(endpoint: &Endpoint<'_>, request_target: &str) -> Result<Url, String> {
    let (scheme, host, port) = match &endpoint.location {
        Location::Url(text) => {
            let url = Url::parse(text).map_err(|_| format!("`{text}` is not a URL"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!("`{text}` is not an http:// or https:// URL"));
            }
            let host = url
                .host_str()
                .ok_or_else(|| format!("`{text}` has no host"))?
                .to_owned();
            let port = endpoint.port.or(url.port());
            (url.scheme().to_owned(), host, port)
        }
        Location::Host(host) => {
            let port = endpoint.port.unwrap_or(80);
            let scheme = if port == 443 { "https" } else { "http" };
            (scheme.to_owned(), host.for_url(), Some(port))
        }
    };

    let authority = match port {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };
    let url = Url::parse(&format!("{scheme}://{authority}{request_target}")).map_err(|error| {
        format!("`{request_target}` does not make a URL with {authority}: {error}")
    })?;

    // Defence in depth: whatever the request-target holds, the request goes to this host.
    let same_host = url.host_str().map(str::to_ascii_lowercase) == Some(host.to_ascii_lowercase());
    let same_port = port.is_none_or(|port| url.port_or_known_default() == Some(port));
    if !same_host || !same_port || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "the request-target `{}` would change the host of the request",
            abbreviate(request_target)
        ));
    }
    Ok(url)
}

/// Whether an absolute URL points at the endpoint's own host.
pub fn url_is_on_endpoint(url: &Url, endpoint: &Endpoint<'_>) -> bool {
    let Some(url_host) = url.host_str() else {
        return false;
    };
    let endpoint_host = match &endpoint.location {
        Location::Url(text) => Url::parse(text)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned)),
        Location::Host(host @ Host::Ip(_)) => Some(host.for_url()),
        Location::Host(Host::Domain(name)) => Some(name.clone()),
    };
    endpoint_host.is_some_and(|host| host.eq_ignore_ascii_case(url_host))
}

/// One HTTP request, ready to send.
#[derive(Debug)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The URL.
    pub url: Url,
    /// The headers, authentication included.
    pub headers: HeaderMap,
    /// The body.
    pub body: Option<Vec<u8>>,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, when present and readable.
    pub content_type: Option<String>,
    /// The body, up to the limit.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The command's `headers` as a header map, each listed value added in order.
pub fn command_headers(
    headers: Option<&IndexMap<String, Vec<String>>>,
) -> Result<HeaderMap, ExecutorError> {
    let mut map = HeaderMap::new();
    for (name, values) in headers.into_iter().flatten() {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ExecutorError::Invalid(format!("`{}` is not an HTTP header name", abbreviate(name)))
        })?;
        for value in values {
            // The value is not quoted in the message: it may hold a substituted secret.
            let value = HeaderValue::from_str(value).map_err(|_| {
                ExecutorError::Invalid(format!(
                    "a value of the header `{header}` is not a valid HTTP header value"
                ))
            })?;
            map.append(header.clone(), value);
        }
    }
    Ok(map)
}

/// Adds the authentication header that `info` calls for.
pub fn add_authentication(
    headers: &mut HeaderMap,
    info: Option<&AuthenticationInfo>,
    owner: &str,
) -> Result<(), ExecutorError> {
    let Some(info) = info else {
        return Ok(());
    };
    let invalid = |what: &str| ExecutorError::Invalid(format!("{owner}: {what}"));
    if info.kms == Some(true) {
        return Err(invalid(
            "its authentication info is kept in a key management service, which cacao cannot read",
        ));
    }

    let (name, value) = match &info.auth_type {
        AuthenticationInfoType::HttpBasic => {
            let user = info.user_id.as_deref().unwrap_or_default();
            let password = info
                .password
                .as_ref()
                .map(Secret::expose)
                .unwrap_or_default();
            if user.is_empty() && password.is_empty() {
                return Err(invalid(
                    "its http-basic authentication info has no user_id or password",
                ));
            }
            let credentials =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            (AUTHORIZATION, format!("Basic {credentials}"))
        }
        AuthenticationInfoType::Oauth2 => {
            let token = info
                .token
                .as_ref()
                .map(Secret::expose)
                .filter(|token| !token.is_empty())
                .ok_or_else(|| invalid("its oauth2 authentication info has no token"))?;
            match info.oauth_header.as_deref().map(str::trim) {
                None | Some("") => (AUTHORIZATION, format!("Bearer {token}")),
                Some(header) if header.eq_ignore_ascii_case("authorization") => {
                    (AUTHORIZATION, format!("Bearer {token}"))
                }
                Some(header) => {
                    let name = HeaderName::from_bytes(header.as_bytes())
                        .map_err(|_| invalid("its oauth_header is not an HTTP header name"))?;
                    (name, token.to_owned())
                }
            }
        }
        other => {
            return Err(ExecutorError::Invalid(format!(
                "{owner}: HTTP commands use http-basic or oauth2 authentication info, not {other}"
            )));
        }
    };

    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| invalid("its secret cannot be sent in an HTTP header"))?;
    value.set_sensitive(true);
    headers.insert(name, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cacao_model::{Address, AgentTarget, AgentTargetType};
    use proptest::prelude::*;
    use serde_json::json;

    fn endpoint_with(definition: &AgentTarget) -> Endpoint<'_> {
        let (kind, value) = definition.address.as_ref().unwrap().first_host().unwrap();
        let location = match kind {
            "url" => Location::Url(value.to_owned()),
            "dname" => Location::Host(crate::target::parse_domain(value).unwrap()),
            _ => Location::Host(crate::target::parse_ip(value).unwrap()),
        };
        Endpoint {
            id: "http-api--1",
            definition,
            location,
            port: definition.port.as_deref().map(|port| port.parse().unwrap()),
            authentication: None,
        }
    }

    fn definition(address: serde_json::Value, port: Option<&str>) -> AgentTarget {
        AgentTarget {
            agent_target_type: AgentTargetType::HttpApi,
            name: "api".into(),
            address: Some(serde_json::from_value::<Address>(address).unwrap()),
            port: port.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn start_lines_parse() {
        let line = parse_start_line("GET /api/v1?id=1 HTTP/1.1").unwrap();
        assert_eq!(line.method, Method::GET);
        assert_eq!(line.target, "/api/v1?id=1");
        assert_eq!(line.version, Some(reqwest::Version::HTTP_11));

        let line = parse_start_line("POST post").unwrap();
        assert_eq!(line.target, "/post");
        assert!(
            parse_start_line("DELETE https://h.example/x HTTP/2")
                .unwrap()
                .is_absolute()
        );
    }

    #[test]
    fn malformed_start_lines_are_refused_with_a_reason() {
        assert!(
            parse_start_line("")
                .unwrap_err()
                .contains("not an HTTP start line")
        );
        assert!(parse_start_line("GET").is_err());
        assert!(parse_start_line("GET /a b HTTP/1.1").is_err());
        assert!(
            parse_start_line("G(T /a")
                .unwrap_err()
                .contains("not an HTTP method")
        );
        assert!(
            parse_start_line("GET /a HTTP1.1")
                .unwrap_err()
                .contains("HTTP version")
        );
    }

    #[test]
    fn urls_follow_the_address_rules() {
        let ipv4 = definition(json!({"ipv4": ["127.0.0.1"]}), Some("8080"));
        assert_eq!(
            endpoint_url(&endpoint_with(&ipv4), "/a?b=c")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/a?b=c"
        );
        let tls = definition(json!({"dname": ["api.example"]}), Some("443"));
        assert_eq!(
            endpoint_url(&endpoint_with(&tls), "/x").unwrap().as_str(),
            "https://api.example/x"
        );
        let ipv6 = definition(json!({"ipv6": ["::1"]}), None);
        assert_eq!(
            endpoint_url(&endpoint_with(&ipv6), "/").unwrap().as_str(),
            "http://[::1]/"
        );
        let url = definition(
            json!({"url": ["https://api.example:9443/ignored?q=1"]}),
            None,
        );
        assert_eq!(
            endpoint_url(&endpoint_with(&url), "/v2/items")
                .unwrap()
                .as_str(),
            "https://api.example:9443/v2/items"
        );
        let url_with_port = definition(json!({"url": ["https://api.example"]}), Some("8443"));
        assert_eq!(
            endpoint_url(&endpoint_with(&url_with_port), "/")
                .unwrap()
                .as_str(),
            "https://api.example:8443/"
        );
    }

    #[test]
    fn a_request_target_cannot_change_the_host() {
        let target = definition(json!({"dname": ["api.example"]}), Some("80"));
        for sneaky in ["@evil.example/", ":80@evil.example/"] {
            let result = endpoint_url(&endpoint_with(&target), sneaky);
            assert!(result.is_err(), "{sneaky} gave {result:?}");
        }
        let url = endpoint_url(&endpoint_with(&target), "//evil.example/x").unwrap();
        assert_eq!(url.host_str(), Some("api.example"));
    }

    #[test]
    fn oauth2_uses_bearer_or_the_named_header() {
        let mut info = AuthenticationInfo {
            auth_type: AuthenticationInfoType::Oauth2,
            token: Some(Secret::new("tok-123")),
            ..Default::default()
        };
        let mut headers = HeaderMap::new();
        add_authentication(&mut headers, Some(&info), "t").unwrap();
        assert_eq!(headers[AUTHORIZATION], "Bearer tok-123");
        assert!(headers[AUTHORIZATION].is_sensitive());

        info.oauth_header = Some("X-Api-Key".into());
        let mut headers = HeaderMap::new();
        add_authentication(&mut headers, Some(&info), "t").unwrap();
        assert_eq!(headers["x-api-key"], "tok-123");
    }

    #[test]
    fn authentication_replaces_a_command_header_and_refuses_kms() {
        let info = AuthenticationInfo {
            auth_type: AuthenticationInfoType::HttpBasic,
            user_id: Some("u".into()),
            password: Some(Secret::new("p")),
            ..Default::default()
        };
        let mut headers = command_headers(Some(&IndexMap::from([(
            "Authorization".to_owned(),
            vec!["Bearer stale".to_owned()],
        )])))
        .unwrap();
        add_authentication(&mut headers, Some(&info), "t").unwrap();
        assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 1);
        assert_eq!(headers[AUTHORIZATION], "Basic dTpw");

        let kms = AuthenticationInfo {
            kms: Some(true),
            ..info
        };
        let error = add_authentication(&mut headers, Some(&kms), "t")
            .unwrap_err()
            .to_string();
        assert!(error.contains("key management service"), "{error}");
    }

    #[test]
    fn header_errors_do_not_quote_values() {
        let headers = IndexMap::from([("X-Token".to_owned(), vec!["secret\nvalue".to_owned()])]);
        let error = command_headers(Some(&headers)).unwrap_err().to_string();
        assert!(
            error.contains("X-Token") || error.contains("x-token"),
            "{error}"
        );
        assert!(!error.contains("secret"), "{error}");
    }

    proptest! {
        #[test]
        fn start_line_parsing_never_panics(text in "\\PC{0,200}") {
            let _ = parse_start_line(&text);
        }

        #[test]
        fn well_formed_start_lines_round_trip(
            method in "(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)",
            path in "(/[a-zA-Z0-9._~-]{0,10}){1,4}(\\?[a-z]{1,5}=[a-z0-9]{0,5})?",
            version in "(HTTP/1\\.0|HTTP/1\\.1|HTTP/2)",
        ) {
            let line = parse_start_line(&format!("{method} {path} {version}")).unwrap();
            prop_assert_eq!(line.method.as_str(), method.as_str());
            prop_assert_eq!(line.target, path);
        }

        #[test]
        fn no_request_target_leaves_the_endpoint_host(target in "[ -~]{0,40}") {
            let definition = definition(json!({"dname": ["api.example"]}), Some("8080"));
            let target = if target.starts_with('/') { target } else { format!("/{target}") };
            if let Ok(url) = endpoint_url(&endpoint_with(&definition), &target) {
                prop_assert_eq!(url.host_str(), Some("api.example"));
                prop_assert_eq!(url.port(), Some(8080));
            }
        }
    }
}

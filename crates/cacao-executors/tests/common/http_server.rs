//! Real HTTP servers for the http-api and openc2-http tests: axum on 127.0.0.1, port 0, in the
//! test process.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Value, json};

/// The user, password and token the test API accepts.
pub const BASIC_USER: &str = "api-user";
/// The password of [`BASIC_USER`].
pub const BASIC_PASSWORD: &str = "Basic-pa55-do-not-leak";
/// The bearer token the test API accepts.
pub const TOKEN: &str = "tok-do-not-leak-4f2a";

/// A running server; it stops when the test's runtime ends.
pub struct Server {
    pub address: SocketAddr,
}

impl Server {
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

async fn serve(router: Router) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    Server { address }
}

/// A test API:
/// - any method on `/echo/...` answers 200 with the request as JSON (method, path, query,
///   headers as lists, body as text);
/// - `/status/{code}` answers that status;
/// - `/basic`, `/bearer` and `/api-key` answer 200 only with the right credentials, else 401;
/// - `/redirect` answers 302 to `/echo/redirected`;
/// - `/never` never answers.
pub async fn api() -> Server {
    let router = Router::new()
        .route("/echo/{*rest}", any(echo))
        .route("/status/{code}", any(status))
        .route("/basic", get(basic))
        .route("/bearer", get(bearer))
        .route("/api-key", get(api_key))
        .route("/redirect", get(redirect))
        .route("/never", get(never));
    serve(router).await
}

async fn echo(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let mut header_lists = serde_json::Map::new();
    for name in headers.keys() {
        let values: Vec<Value> = headers
            .get_all(name)
            .iter()
            .map(|value| Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        header_lists.insert(name.as_str().to_owned(), Value::Array(values));
    }
    axum::Json(json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query(),
        "headers": header_lists,
        "body": String::from_utf8_lossy(&body),
        "body_bytes": body.to_vec(),
    }))
    .into_response()
}

async fn status(axum::extract::Path(code): axum::extract::Path<u16>) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
    (code, format!("status {}", code.as_u16())).into_response()
}

fn authorization(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

async fn basic(headers: HeaderMap) -> Response {
    use base64::Engine as _;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{BASIC_USER}:{BASIC_PASSWORD}"));
    if authorization(&headers) == format!("Basic {expected}") {
        (StatusCode::OK, "welcome").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "who are you").into_response()
    }
}

async fn bearer(headers: HeaderMap) -> Response {
    if authorization(&headers) == format!("Bearer {TOKEN}") {
        (StatusCode::OK, "welcome").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "who are you").into_response()
    }
}

async fn api_key(headers: HeaderMap) -> Response {
    let key = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok());
    if key == Some(TOKEN) && authorization(&headers).is_empty() {
        (StatusCode::OK, "welcome").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "who are you").into_response()
    }
}

async fn redirect() -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, "/echo/redirected")],
        "moved",
    )
        .into_response()
}

async fn never() -> Response {
    std::future::pending::<()>().await;
    StatusCode::OK.into_response()
}

/// The OpenC2 command media type of HTTPS transfer 1.0.
pub const OPENC2_COMMAND_TYPE: &str = "application/openc2-cmd+json;version=1.0";
/// The OpenC2 response media type of HTTPS transfer 1.0.
pub const OPENC2_RESPONSE_TYPE: &str = "application/openc2-rsp+json;version=1.0";

/// A minimal OpenC2 consumer following OpenC2 HTTPS transfer 1.0 the way the OASIS reference
/// consumer (Yuuki) does: `POST /`, commands only as `application/openc2-cmd+json;version=1.0`
/// (else 415), responses as `application/openc2-rsp+json;version=1.0`. It acts on nothing:
/// `query` answers status 200 with the versions and profiles; `deny` answers HTTP 200 with an
/// OpenC2 status of 500 ("the firewall could not be reached"), the case where the HTTP status
/// alone would mislead; anything else answers HTTP and OpenC2 status 501.
pub async fn openc2_consumer() -> Server {
    serve(Router::new().route("/", post(openc2_command))).await
}

async fn openc2_command(headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if content_type != OPENC2_COMMAND_TYPE {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not an OpenC2 command").into_response();
    }
    let Ok(command) = serde_json::from_slice::<Value>(&body) else {
        return openc2_response(
            StatusCode::BAD_REQUEST,
            json!({"status": 400, "status_text": "not JSON"}),
        );
    };
    match command.get("action").and_then(Value::as_str) {
        Some("query") => openc2_response(
            StatusCode::OK,
            json!({"status": 200, "results": {"versions": ["1.0"], "profiles": ["slpf"]}}),
        ),
        Some("deny") => openc2_response(
            StatusCode::OK,
            json!({"status": 500, "status_text": "the firewall could not be reached"}),
        ),
        _ => openc2_response(
            StatusCode::NOT_IMPLEMENTED,
            json!({"status": 501, "status_text": "not implemented"}),
        ),
    }
}

fn openc2_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, OPENC2_RESPONSE_TYPE)],
        body.to_string(),
    )
        .into_response()
}

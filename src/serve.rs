//! `sobes serve`: the JSON API over HTTP (axum on tokio), for scripts and learning platforms.
//!
//! - `GET /api/questions`: the bank's questions, as `sobes questions --format json` lists them.
//! - `POST /api/grade` `{question_id, answer, lang?}`: the object `sobes grade --format json`
//!   prints for the same answer.
//! - `POST /api/sessions` and the routes under it: an interview on the session engine, kept in
//!   the same history as the CLI ([`live`], [`api`]), which also keeps what resuming a session
//!   after a restart of the server needs.
//!
//! Errors are JSON `{"error": message}` with the status that fits: 400 bad input, 401 no or
//! wrong token, 404 an unknown question or session, 409 a session already over, 410 a session
//! that cannot be resumed, 413 a body or answer over the limit. The server
//! listens on loopback unless told otherwise; on any other address every request needs the
//! token (`Authorization: Bearer TOKEN`). Ctrl-C lets requests in flight finish, then exits.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::bank::Bank;
use crate::config::Config;
use crate::error::InputError;
use crate::grade::grade;
use crate::session::KeywordGrader;
use crate::ui::Lang;

pub mod api;
pub mod live;
pub mod pages;

use live::Engine;

/// The CSP of a self-contained HTML report: inline CSS and SVG, nothing fetched.
pub const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/// `/api/grade` grades an answer up to this long on the async worker itself (about a
/// millisecond of work at most); a longer one is moved off it.
const INLINE_GRADE_BYTES: usize = 16 * 1024;

/// Room in a request body for the JSON around an answer (and escapes in it).
const BODY_SLACK: usize = 16 * 1024;

/// What the server is started with.
pub struct ServerState {
    pub bank: Bank,
    pub config: Config,
    /// The history database (the one `sobes history` reads).
    pub db: std::path::PathBuf,
    /// The interface language when a request names none.
    pub lang: Lang,
    /// Every request must carry it, when set.
    pub token: Option<String>,
}

/// What every request shares; it lives as long as the process.
pub struct App {
    pub bank: &'static Bank,
    pub engine: Engine,
    pub lang: Lang,
    pub token: Option<String>,
    /// The key of the forms' CSRF tokens, random for each run of the server.
    csrf_key: [u8; 32],
}

impl App {
    /// The server's shared state, built once: the bank and grader live for the whole process.
    pub fn new(state: ServerState) -> Result<App, getrandom::Error> {
        let ServerState {
            bank,
            config,
            db,
            lang,
            token,
        } = state;
        let bank: &'static Bank = Box::leak(Box::new(bank));
        let settings = Box::leak(Box::new(config.grading.clone()));
        let grader = Box::leak(Box::new(KeywordGrader { bank, settings }));
        let mut csrf_key = [0u8; 32];
        getrandom::fill(&mut csrf_key)?;
        Ok(App {
            bank,
            engine: Engine::new(config, grader, db),
            lang,
            token,
            csrf_key,
        })
    }

    /// The CSRF token of the forms of `scope` (the start form; a session's forms use the
    /// session's own key, [`live::Live::csrf`]): a keyed hash, so only pages this server
    /// rendered carry it.
    pub fn csrf(&self, scope: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.csrf_key);
        hasher.update(b"\0csrf\0");
        hasher.update(scope.as_bytes());
        hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The cookie that carries the token for a browser (set by visiting `/?token=TOKEN`).
const TOKEN_COOKIE: &str = "sobes_token";

/// An API error: a status and a message, sent as `{"error": message}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let status = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, rejection.body_text())
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> ApiError {
        let status = match error {
            InputError::UnknownQuestion { .. } => StatusCode::NOT_FOUND,
            InputError::AnswerTooLong { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, error.to_string())
    }
}

/// The routes, with the body limit and the token check.
pub fn router(state: Arc<App>) -> Router {
    let limit = state.engine.config.grading.max_answer_bytes + BODY_SLACK;
    Router::new()
        .route("/api/questions", get(questions))
        .route("/api/grade", post(grade_answer))
        .route("/api/sessions", post(api::start))
        .route("/api/sessions/{id}/answers", post(api::answer))
        .route("/api/sessions/{id}/hint", post(api::hint))
        .route("/api/sessions/{id}/skip", post(api::skip))
        .route("/api/sessions/{id}/report", get(api::report))
        .route("/", get(pages::start_page))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/sessions", post(pages::start_session))
        .route(
            "/sessions/{id}",
            get(pages::session_page).post(pages::session_post),
        )
        .route("/sessions/{id}/feedback", get(pages::feedback_page))
        .route("/history", get(pages::history_page))
        .route("/history/{n}", get(pages::history_session_page))
        .route("/history/{n}/report", get(pages::history_report))
        .route("/progress", get(pages::progress_page))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::NOT_FOUND, "no such page").into_response()
    } else {
        pages::not_found_page()
    }
}

/// The token on every request (when one is set), and headers that keep responses inert.
///
/// The token comes as `Authorization: Bearer TOKEN` or in the `sobes_token` cookie, which a
/// visit to any page with `?token=TOKEN` sets (HttpOnly, SameSite=Strict) before redirecting
/// to the same page without the token in its address.
async fn guard(State(state): State<Arc<App>>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token {
        let matches = |given: &str| constant_time_eq(given.as_bytes(), token.as_bytes());
        if request.method() == axum::http::Method::GET {
            if let Some(given) = query_token(request.uri()) {
                if !matches(&given) {
                    return unauthorized(&request, &state);
                }
                let target = request.uri().path().to_owned();
                let mut response = axum::response::Redirect::to(&target).into_response();
                let cookie = format!("{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
                return response;
            }
        }
        let bearer = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let cookie = cookie_token(request.headers());
        if !(bearer.is_some_and(matches) || cookie.is_some_and(matches)) {
            return unauthorized(&request, &state);
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// 401: JSON for the API, a page for a browser.
fn unauthorized(request: &Request, state: &App) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a token is required: send Authorization: Bearer TOKEN (printed when the server started)",
        )
        .into_response()
    } else {
        pages::unauthorized_page(state.lang)
    }
}

/// The `token` query parameter, if any.
fn query_token(uri: &axum::http::Uri) -> Option<String> {
    let axum::extract::Query(pairs) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value)
}

/// The token cookie, if the request carries one.
fn cookie_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == TOKEN_COOKIE)
        .map(|(_, value)| value)
}

/// Compare without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn questions(State(state): State<Arc<App>>) -> Json<Value> {
    let en = state.lang.is_en();
    let items: Vec<Value> = state
        .bank
        .questions
        .iter()
        .map(|q| crate::feedback::question_json(state.bank, q, en))
        .collect();
    Json(Value::Array(items))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeRequest {
    question_id: String,
    answer: String,
    #[serde(default)]
    lang: Option<Lang>,
}

async fn grade_answer(
    State(state): State<Arc<App>>,
    body: Result<Json<GradeRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let arrived = std::time::Instant::now();
    let Json(request) = body?;
    let limit = state.engine.config.grading.max_answer_bytes;
    if request.answer.len() > limit {
        return Err(InputError::AnswerTooLong {
            bytes: request.answer.len(),
            limit,
        }
        .into());
    }
    // The language only changes labels in text output; the JSON grade is the same.
    let _ = request.lang;
    // Grading is CPU work: 0.2 ms for a usual answer of a few hundred words, about 0.8 ms for
    // 16 KiB (release build, measured through Server-Timing). An answer up to
    // INLINE_GRADE_BYTES is graded right here on the async worker, as any short handler runs.
    // A longer one runs under `block_in_place`, which first hands the worker's other tasks to
    // another thread: that hand-off wakes a thread on every call, and on 2 busy cores a wake-up
    // can wait for the scheduler longer than the grading takes (the blocking pool,
    // `spawn_blocking`, costs two). Measured: scripts/bench-serve.py, README.
    let work = || -> Result<_, InputError> {
        let started = std::time::Instant::now();
        let rubric = state.bank.grader_for(&request.question_id)?;
        let result = grade(rubric, &request.answer, &state.engine.config.grading);
        let value = crate::feedback::keyword_json(&result, &request.question_id);
        Ok((value, started.elapsed()))
    };
    let (value, grading) = if request.answer.len() <= INLINE_GRADE_BYTES {
        work()?
    } else {
        tokio::task::block_in_place(work)?
    };
    let mut response = Json(value).into_response();
    // Where the time went, for benchmarks: grading alone, and the whole handler (waiting for a
    // blocking thread included). A client's latency minus `total` is spent outside the handler.
    let timing = format!(
        "grade;dur={:.3}, total;dur={:.3}",
        grading.as_secs_f64() * 1000.0,
        arrived.elapsed().as_secs_f64() * 1000.0
    );
    if let Ok(value) = HeaderValue::from_str(&timing) {
        response.headers_mut().insert("server-timing", value);
    }
    Ok(response)
}

/// Serve until Ctrl-C (or SIGTERM); `ready` is told the address once the socket is bound.
pub fn run(
    state: ServerState,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        ready(listener.local_addr()?);
        // Replies go out at once, not held back by Nagle's algorithm for more to send.
        let listener = axum::serve::ListenerExt::tap_io(listener, |stream| {
            let _ = stream.set_nodelay(true);
        });
        let app =
            App::new(state).map_err(|e| std::io::Error::other(format!("no randomness: {e}")))?;
        axum::serve(listener, router(Arc::new(app)))
            .with_graceful_shutdown(shutdown())
            .await
    })
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// A random token of 32 hex digits.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

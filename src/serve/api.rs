//! The session API: `POST /api/sessions`, `POST /api/sessions/{id}/answers`, `/hint`, `/skip`
//! and `GET /api/sessions/{id}/report?format=md|html|json`. Each step runs the session engine
//! on a blocking thread and commits graded answers to history before it answers.

use std::sync::{Arc, Mutex};

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::live::{lock, parse_choice, Live, LiveError, StartRequest, Step};
use super::{ApiError, App};
use crate::bank::Level;
use crate::error::InputError;
use crate::report::{write, ReportFormat};
use crate::session::Input;
use crate::ui::Lang;

impl From<LiveError> for ApiError {
    fn from(error: LiveError) -> ApiError {
        match error {
            LiveError::Input(e) => e.into(),
            LiveError::Unknown(_) => ApiError::new(StatusCode::NOT_FOUND, error.to_string()),
            LiveError::Over(_) => ApiError::new(StatusCode::CONFLICT, error.to_string()),
            LiveError::Unresumable { .. } => ApiError::new(StatusCode::GONE, error.to_string()),
            LiveError::Full => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string()),
            LiveError::History(_) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
            }
        }
    }
}

/// The session `id`, in memory or resumed from history (off the async threads then).
pub async fn find(app: &Arc<App>, id: &str) -> Result<Arc<Mutex<Live>>, ApiError> {
    if let Some(live) = app.engine.held(id) {
        return Ok(live);
    }
    let (app, id) = (app.clone(), id.to_owned());
    blocking(move || Ok(app.engine.get(&id)?)).await
}

/// Run blocking session work off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    #[serde(default)]
    level: Option<Level>,
    #[serde(default)]
    adaptive: bool,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    count: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    lang: Option<Lang>,
}

/// `POST /api/sessions`.
pub async fn start(
    State(app): State<Arc<App>>,
    body: Result<Json<StartBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let level = body.level.map(|l| l.to_string());
    let request = StartRequest {
        choice: parse_choice(level.as_deref(), body.adaptive)?,
        topics: body.topics,
        count: body.count,
        seed: body.seed,
        lang: body.lang.unwrap_or(app.lang),
    };
    let value = blocking(move || {
        let (live, step) = app.engine.start(request)?;
        let live = lock(&live);
        Ok(json!({
            "id": live.id,
            "history_id": live.history_id,
            "lang": live.lang,
            "total": live.session.total(),
            "question": step.question,
        }))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    answer: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintBody {
    #[serde(default)]
    typed: String,
}

/// `POST /api/sessions/{id}/answers`.
pub async fn answer(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Result<Json<AnswerBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body?;
    let limit = app.engine.config.grading.max_answer_bytes;
    if body.answer.len() > limit {
        return Err(InputError::AnswerTooLong {
            bytes: body.answer.len(),
            limit,
        }
        .into());
    }
    step_json(app, id, Input::Answer(body.answer)).await
}

/// `POST /api/sessions/{id}/skip`.
pub async fn skip(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    step_json(app, id, Input::Skip).await
}

/// `POST /api/sessions/{id}/hint`, with an optional `{typed}` (the answer so far).
pub async fn hint(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let typed = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<Option<HintBody>>(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("bad hint request: {e}")))?
            .map(|b| b.typed)
            .unwrap_or_default()
    };
    let limit = app.engine.config.grading.max_answer_bytes;
    if typed.len() > limit {
        return Err(InputError::AnswerTooLong {
            bytes: typed.len(),
            limit,
        }
        .into());
    }
    step_json(app, id, Input::Hint { typed }).await
}

async fn step_json(app: Arc<App>, id: String, input: Input) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let live = app.engine.get(&id)?;
        let mut live = lock(&live);
        let step = app.engine.step(&mut live, input)?;
        step_value(&live, step)
    })
    .await
    .map(Json)
}

/// A step as the API returns it.
fn step_value(live: &Live, step: Step) -> Result<Value, ApiError> {
    if let Some(limit) = step.too_long {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the answer is over the limit of {limit} bytes"),
        ));
    }
    if let Some(message) = step.failed {
        return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message));
    }
    let mut value = json!({
        "id": live.id,
        "history_id": live.history_id,
        "finished": live.session.is_finished(),
        "saved": live.saved(),
    });
    let object = value.as_object_mut().expect("a JSON object");
    if let Some(error) = &live.save_error {
        object.insert("save_error".into(), error.clone().into());
    }
    if let Some(turn) = step.graded {
        object.insert(
            "graded".into(),
            serde_json::to_value(turn).unwrap_or_default(),
        );
    }
    if let Some((concept_id, label)) = step.hint {
        object.insert(
            "hint".into(),
            json!({ "concept_id": concept_id, "label": label }),
        );
    }
    if step.no_more_hints {
        object.insert("no_more_hints".into(), true.into());
    }
    object.insert(
        "question".into(),
        serde_json::to_value(live.current()).unwrap_or_default(),
    );
    if let Some(summary) = step.summary {
        object.insert(
            "summary".into(),
            serde_json::to_value(summary).unwrap_or_default(),
        );
    }
    Ok(value)
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /api/sessions/{id}/report?format=md|html|json` (md by default, as `sobes report`).
pub async fn report(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let format = parse_format(query.format.as_deref())?;
    let live = find(&app, &id).await?;
    let (history_id, lang) = {
        let live = lock(&live);
        (live.history_id, live.lang)
    };
    let text = blocking(move || session_report(&app, history_id, lang, format)).await?;
    Ok(report_response(text, format))
}

pub fn parse_format(word: Option<&str>) -> Result<ReportFormat, ApiError> {
    match word.unwrap_or("md") {
        "md" | "markdown" => Ok(ReportFormat::Md),
        "html" => Ok(ReportFormat::Html),
        "json" => Ok(ReportFormat::Json),
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown report format \"{}\"; use md, html or json",
                other.chars().take(20).collect::<String>()
            ),
        )),
    }
}

/// The report `sobes report` renders for a session of history.
pub fn session_report(
    app: &App,
    history_id: i64,
    lang: Lang,
    format: ReportFormat,
) -> Result<String, ApiError> {
    app.engine
        .with_history(|history| {
            write::session_report(
                history,
                Some(history_id),
                app.engine.thresholds(),
                Some(lang),
            )
            .map_err(|e| LiveError::Input(InputError::Other(format!("{e:#}"))))
        })
        .map(|report| write::render_session(&report, format))
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// A rendered report with its content type. The HTML report is self-contained (inline CSS and
/// SVG): its CSP allows inline styles and nothing from elsewhere.
pub fn report_response(text: String, format: ReportFormat) -> Response {
    let content_type = match format {
        ReportFormat::Md => "text/markdown; charset=utf-8",
        ReportFormat::Html => "text/html; charset=utf-8",
        ReportFormat::Json => "application/json",
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], text).into_response();
    if format == ReportFormat::Html {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(super::REPORT_CSP),
        );
    }
    response
}

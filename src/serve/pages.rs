//! The browser front end of `sobes serve`: server-rendered pages with plain forms, no
//! JavaScript. Start (level or adaptive, topics, count, language) → question (answer box,
//! hint, skip) → feedback (the REPL's content: score bar, covered ideas and how each was found,
//! missed ideas with hints, misconceptions) → … → summary (the session report with the level
//! estimate). History and progress pages reuse the reports' SVG charts. Every string from a
//! user or the bank goes through [`esc`]; every form carries a CSRF token checked here.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

use super::api::{blocking, find, parse_format, report_response};
use super::live::{lock, parse_choice, Live, StartRequest};
use super::{ApiError, App};
use crate::bank::Level;
use crate::history::History;
use crate::messages::Msg;
use crate::report::html::{answer_html, esc, progress_body, session_body};
use crate::report::{write, AnswerSection, ProgressReport};
use crate::session::Input;
use crate::ui::{Band, Lang};

/// The pages' CSP: the stylesheet from this server, forms posted back to it, nothing else.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                            form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the pages add to the reports' stylesheet.
const WEB_CSS: &str = r#"
nav.top { display: flex; gap: 1rem; flex-wrap: wrap; border-bottom: 1px solid var(--line); padding-bottom: 0.4rem; margin-bottom: 1rem; }
nav.top a { color: #3f51b5; text-decoration: none; }
form.card label { display: block; margin: 0.6rem 0 0.2rem; font-weight: 600; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0.6rem 0; }
fieldset label { display: inline-block !important; font-weight: 400 !important; margin: 0.2rem 1rem 0.2rem 0 !important; }
textarea { width: 100%; min-height: 10rem; font: inherit; padding: 0.5rem; border: 1px solid var(--line); border-radius: 6px; }
select, input[type=number] { font: inherit; padding: 0.2rem 0.4rem; }
.buttons { display: flex; gap: 0.6rem; flex-wrap: wrap; margin-top: 0.6rem; }
button { font: inherit; padding: 0.4rem 1rem; border-radius: 6px; border: 1px solid #3f51b5; background: #3f51b5; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: #3f51b5; }
.question { font-size: 1.15rem; }
.scoreline meter { width: 12rem; height: 1.1rem; vertical-align: middle; }
.notice { border-left: 4px solid var(--warn); background: var(--bg-soft); padding: 0.5rem 0.8rem; }
.next { font-size: 1.1rem; font-weight: 600; }
"#;

/// An HTML page (or error page) with the pages' headers.
fn html(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    // Pages hold CSRF tokens and answers: never cached.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A whole page: the stylesheet, the navigation, `body` (already escaped HTML).
fn layout(lang: Lang, title: &str, body: &str) -> String {
    let code = if lang.is_en() { "en" } else { "ru" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · sobes</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n</head>\n<body>\n\
         <nav class=\"top\"><a href=\"/?lang={code}\">{new}</a><a href=\"/history?lang={code}\">{history}</a>\
         <a href=\"/progress?lang={code}\">{progress}</a></nav>\n{body}</body>\n</html>\n",
        title = esc(title),
        new = Msg::WebNewSession.text(lang),
        history = Msg::WebHistory.text(lang),
        progress = Msg::WebProgress.text(lang),
    )
}

/// A refused page request: a status and a message, shown as a small page.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    lang: Lang,
    message: String,
}

impl PageError {
    fn new(status: StatusCode, lang: Lang, message: impl Into<String>) -> PageError {
        PageError {
            status,
            lang,
            message: message.into(),
        }
    }

    fn from_api(error: ApiError, lang: Lang) -> PageError {
        let message = match error.status {
            StatusCode::NOT_FOUND => Msg::WebUnknownSession.text(lang).to_owned(),
            StatusCode::CONFLICT => Msg::WebSessionOver.text(lang).to_owned(),
            StatusCode::GONE => error.message,
            _ => format!("{} {}", Msg::WebBadInput.text(lang), error.message),
        };
        PageError::new(error.status, lang, message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!("<p class=\"notice\">{}</p>\n", esc(&self.message));
        let title = self.status.canonical_reason().unwrap_or("error");
        html(self.status, layout(self.lang, title, &body))
    }
}

/// The language a page is asked in (`?lang=ru|en`), else the server's.
fn lang_of(app: &App, query: &[(String, String)]) -> Lang {
    match field(query, "lang") {
        Some("ru") => Lang::Ru,
        Some("en") => Lang::En,
        _ => app.lang,
    }
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A form's fields, or the page that says why the body was refused.
fn form_fields(
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
    lang: Lang,
) -> Result<Vec<(String, String)>, PageError> {
    form.map(|Form(pairs)| pairs).map_err(|rejection| {
        let status = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        PageError::new(
            status,
            lang,
            format!("{} {}", Msg::WebBadInput.text(lang), rejection.body_text()),
        )
    })
}

/// The form's CSRF token must be `expected`, the one its page was given.
fn check_csrf(pairs: &[(String, String)], expected: &str, lang: Lang) -> Result<(), PageError> {
    let given = field(pairs, "csrf").unwrap_or("");
    if super::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            lang,
            Msg::WebForbidden.text(lang),
        ))
    }
}

/// `GET /static/app.css`.
pub async fn stylesheet() -> Response {
    let mut css = String::from(crate::report::html::STYLE);
    css.push_str(WEB_CSS);
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        css,
    )
        .into_response()
}

/// `GET /`: the start page.
pub async fn start_page(
    State(app): State<Arc<App>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&app, &query);
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", Msg::WebStartTitle.text(lang));
    let _ = writeln!(
        body,
        "<form class=\"card\" method=\"post\" action=\"/sessions\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        app.csrf(START_SCOPE)
    );
    let _ = writeln!(
        body,
        "<label for=\"level\">{}</label>\n<select id=\"level\" name=\"level\">",
        Msg::WebLevel.text(lang)
    );
    for level in Level::ALL {
        let _ = writeln!(body, "<option value=\"{level}\">{level}</option>");
    }
    let _ = writeln!(
        body,
        "<option value=\"adaptive\">{}</option>\n</select>",
        Msg::AdaptiveFromJunior.text(lang)
    );
    let _ = writeln!(
        body,
        "<fieldset><legend>{}</legend>",
        Msg::WebTopics.text(lang)
    );
    for topic in app.bank.topics() {
        let _ = writeln!(
            body,
            "<label><input type=\"checkbox\" name=\"topic\" value=\"{t}\"> {t}</label>",
            t = esc(&topic)
        );
    }
    body.push_str("</fieldset>\n");
    let _ = writeln!(
        body,
        "<label for=\"count\">{}</label>\n<input id=\"count\" type=\"number\" name=\"count\" min=\"1\" max=\"{}\" value=\"{}\">",
        Msg::WebCount.text(lang),
        super::live::MAX_COUNT,
        app.engine.config.interview.questions.clamp(1, super::live::MAX_COUNT)
    );
    let _ = writeln!(
        body,
        "<label for=\"lang\">{}</label>\n<select id=\"lang\" name=\"lang\">\
         <option value=\"ru\"{}>Русский</option><option value=\"en\"{}>English</option></select>",
        Msg::WebLanguage.text(lang),
        if lang.is_en() { "" } else { " selected" },
        if lang.is_en() { " selected" } else { "" },
    );
    let _ = writeln!(
        body,
        "<div class=\"buttons\"><button type=\"submit\">{}</button></div>\n</form>",
        Msg::WebStart.text(lang)
    );
    html(
        StatusCode::OK,
        layout(lang, Msg::WebStartTitle.text(lang), &body),
    )
}

/// The CSRF scope of the start form (session forms use the session's id).
const START_SCOPE: &str = "start";

/// `POST /sessions`: start a session from the start form, then show its first question.
pub async fn start_session(
    State(app): State<Arc<App>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let pairs = form_fields(form, app.lang)?;
    let lang = lang_of(&app, &pairs);
    check_csrf(&pairs, &app.csrf(START_SCOPE), lang)?;
    let refused = |e: crate::error::InputError| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            lang,
            format!("{} {e}", Msg::WebBadInput.text(lang)),
        )
    };
    let choice = parse_choice(field(&pairs, "level"), false).map_err(refused)?;
    let count = match field(&pairs, "count").map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<usize>().map_err(|_| {
            refused(crate::error::InputError::Other(format!(
                "count must be a whole number, not \"{}\"",
                text.chars().take(20).collect::<String>()
            )))
        })?),
    };
    let request = StartRequest {
        choice,
        topics: pairs
            .iter()
            .filter(|(key, _)| key == "topic")
            .map(|(_, value)| value.clone())
            .collect(),
        count,
        seed: None,
        lang,
    };
    let engine_app = app.clone();
    let id = blocking(move || {
        let (live, _) = engine_app.engine.start(request)?;
        let id = lock(&live).id.clone();
        Ok(id)
    })
    .await
    .map_err(|e| PageError::from_api(e, lang))?;
    Ok(Redirect::to(&format!("/sessions/{id}")).into_response())
}

/// `GET /sessions/{id}`: the question waiting for an answer, or the summary when it is over.
pub async fn session_page(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let live = find(&app, &id)
        .await
        .map_err(|e| PageError::from_api(e, app.lang))?;
    let page_app = app.clone();
    blocking(move || {
        let live = lock(&live);
        if live.session.is_finished() {
            return summary_page(&page_app, &live);
        }
        Ok(question_page(&page_app, &live))
    })
    .await
    .map_err(|e| PageError::from_api(e, app.lang))
}

fn question_page(app: &App, live: &Live) -> Response {
    let lang = live.lang;
    let Some(question) = live.current() else {
        return html(StatusCode::OK, layout(lang, "sobes", "<p></p>"));
    };
    let mut body = String::new();
    let title = format!(
        "{} {} {} {}",
        Msg::QuestionTitle.text(lang),
        question.position,
        Msg::Of.text(lang),
        question.total
    );
    let _ = writeln!(body, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        body,
        "<p class=\"small\">{} · {}</p>\n<p class=\"question\">{}</p>",
        question.level,
        esc(&question.topics.join(", ")),
        esc(&question.text)
    );
    if !live.hints.is_empty() || live.no_more_hints {
        let _ = writeln!(
            body,
            "<h3>{}</h3>\n<ul class=\"hints\">",
            Msg::WebHints.text(lang)
        );
        for hint in &live.hints {
            let _ = writeln!(body, "<li>{}</li>", esc(hint));
        }
        if live.no_more_hints {
            let _ = writeln!(
                body,
                "<li class=\"small\">{}</li>",
                Msg::NoMoreHints.text(lang)
            );
        }
        body.push_str("</ul>\n");
    }
    let _ = writeln!(
        body,
        "<form class=\"card\" method=\"post\" action=\"/sessions/{id}\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <label for=\"answer\">{label}</label>\n\
         <textarea id=\"answer\" name=\"answer\" maxlength=\"{max}\" autofocus>{draft}</textarea>\n\
         <div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"answer\">{submit}</button>\
         <button class=\"secondary\" type=\"submit\" name=\"action\" value=\"hint\">{hint}</button>\
         <button class=\"secondary\" type=\"submit\" name=\"action\" value=\"skip\">{skip}</button>\
         <button class=\"secondary\" type=\"submit\" name=\"action\" value=\"quit\">{quit}</button></div>\n</form>",
        id = esc(&live.id),
        csrf = live.csrf(),
        label = Msg::WebYourAnswer.text(lang),
        max = app.engine.config.grading.max_answer_bytes,
        draft = esc(&live.draft),
        submit = Msg::WebSubmit.text(lang),
        hint = Msg::WebHint.text(lang),
        skip = Msg::WebSkip.text(lang),
        quit = Msg::WebQuit.text(lang),
    );
    html(StatusCode::OK, layout(lang, &title, &body))
}

/// The end of a session: its report, as `sobes report` renders it, from history.
fn summary_page(app: &App, live: &Live) -> Result<Response, ApiError> {
    let lang = live.lang;
    let report = app.engine.with_history(|history| {
        write::session_report(
            history,
            Some(live.history_id),
            app.engine.thresholds(),
            Some(lang),
        )
        .map_err(|e| {
            super::live::LiveError::Input(crate::error::InputError::Other(format!("{e:#}")))
        })
    })?;
    let (_, report_body) = session_body(&report);
    let mut body = String::new();
    if let Some(error) = &live.save_error {
        let _ = writeln!(
            body,
            "<p class=\"notice\">{} {}</p>",
            Msg::AnswerNotSaved.text(lang),
            esc(error)
        );
    }
    report_links(
        &mut body,
        &format!("/api/sessions/{}/report", esc(&live.id)),
        lang,
    );
    body.push_str(&report_body);
    Ok(html(
        StatusCode::OK,
        layout(lang, Msg::InterviewSummary.text(lang), &body),
    ))
}

fn report_links(body: &mut String, base: &str, lang: Lang) {
    let _ = writeln!(
        body,
        "<p class=\"reports\">{}: <a href=\"{base}?format=md\">Markdown</a> · \
         <a href=\"{base}?format=html\">HTML</a> · <a href=\"{base}?format=json\">JSON</a></p>",
        Msg::WebReport.text(lang)
    );
}

/// `POST /sessions/{id}`: the question form (answer, hint, skip or quit).
pub async fn session_post(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let live = find(&app, &id)
        .await
        .map_err(|e| PageError::from_api(e, app.lang))?;
    let (lang, csrf) = {
        let live = lock(&live);
        (live.lang, live.csrf())
    };
    let pairs = form_fields(form, lang)?;
    check_csrf(&pairs, &csrf, lang)?;
    let answer = field(&pairs, "answer").unwrap_or("").replace("\r\n", "\n");
    let limit = app.engine.config.grading.max_answer_bytes;
    if answer.len() > limit {
        return Err(PageError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            format!(
                "{} {limit} B. {}",
                Msg::AnswerLongerThan.text(lang),
                Msg::AnswerNotGradedShorten.text(lang)
            ),
        ));
    }
    let (input, then) = match field(&pairs, "action").unwrap_or("answer") {
        "answer" => (Input::Answer(answer), "feedback"),
        "hint" => (Input::Hint { typed: answer }, ""),
        "skip" => (Input::Skip, "feedback"),
        "quit" => (
            Input::Quit {
                pending: Some(answer).filter(|a| !a.trim().is_empty()),
            },
            "",
        ),
        other => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                lang,
                format!(
                    "{} action \"{}\"",
                    Msg::WebBadInput.text(lang),
                    other.chars().take(20).collect::<String>()
                ),
            ))
        }
    };
    let step_app = app.clone();
    blocking(move || {
        let mut live = lock(&live);
        step_app.engine.step(&mut live, input)?;
        Ok(())
    })
    .await
    .map_err(|e| PageError::from_api(e, lang))?;
    let to = if then.is_empty() {
        format!("/sessions/{id}")
    } else {
        format!("/sessions/{id}/{then}")
    };
    Ok(Redirect::to(&to).into_response())
}

/// `GET /sessions/{id}/feedback`: the last answer graded, as the REPL shows it.
pub async fn feedback_page(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let live = find(&app, &id)
        .await
        .map_err(|e| PageError::from_api(e, app.lang))?;
    let live = lock(&live);
    let lang = live.lang;
    let Some(turn) = &live.last else {
        return Ok(Redirect::to(&format!("/sessions/{id}")).into_response());
    };
    let record = &turn.record;
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", Msg::WebFeedback.text(lang));
    let class = match Band::of(record.score) {
        Band::Good => "good",
        Band::Fair => "warn",
        Band::Poor => "bad",
    };
    if record.is_skipped() {
        let _ = writeln!(
            body,
            "<p class=\"notice\">{}</p>",
            Msg::QuestionSkipped.text(lang)
        );
    } else {
        let _ = writeln!(
            body,
            "<p class=\"scoreline\"><strong>{}</strong> <span class=\"{class}\">{:.0}/100</span> \
             <meter min=\"0\" max=\"100\" low=\"40\" high=\"70\" optimum=\"100\" value=\"{:.0}\">{:.0}</meter></p>",
            lang.pick("Оценка:", "Score:"),
            record.score,
            record.score,
            record.score,
        );
    }
    if turn.hint_penalty > 0.0 {
        let _ = writeln!(
            body,
            "<p class=\"small\">{} −{:.0}</p>",
            Msg::WebHintPenalty.text(lang),
            turn.hint_penalty
        );
    }
    for flag in &record.grade.flags {
        let (ru, en) = crate::feedback::flag_note(*flag);
        let _ = writeln!(body, "<p class=\"warn\">{}</p>", esc(lang.pick(ru, en)));
    }
    for note in &turn.notes {
        let _ = writeln!(body, "<p class=\"small\">{}</p>", esc(note));
    }
    if let Some(error) = &live.save_error {
        let _ = writeln!(
            body,
            "<p class=\"notice\">{} {}</p>",
            Msg::AnswerNotSaved.text(lang),
            esc(error)
        );
    }
    body.push_str(&answer_html(&AnswerSection::of(record, lang.is_en()), lang));
    let next = if live.session.is_finished() {
        Msg::WebToSummary.text(lang)
    } else {
        Msg::WebNext.text(lang)
    };
    let _ = writeln!(
        body,
        "<p class=\"next\"><a href=\"/sessions/{}\">{next} →</a></p>",
        esc(&live.id)
    );
    Ok(html(
        StatusCode::OK,
        layout(lang, Msg::WebFeedback.text(lang), &body),
    ))
}

/// Read history for a page (an absent database reads as empty).
async fn read_history<T: Send + 'static>(
    app: &Arc<App>,
    lang: Lang,
    read: impl FnOnce(&History) -> Result<T, crate::history::HistoryError> + Send + 'static,
) -> Result<T, PageError> {
    let app = app.clone();
    blocking(move || {
        app.engine
            .with_history(|history| Ok(read(history)?))
            .map_err(ApiError::from)
    })
    .await
    .map_err(|e| PageError::from_api(e, lang))
}

/// `GET /history`: the sessions in history (CLI and browser alike), with the progress chart.
pub async fn history_page(
    State(app): State<Arc<App>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = lang_of(&app, &query);
    let sessions = read_history(&app, lang, History::sessions).await?;
    let title = Msg::WebHistory.text(lang);
    let mut body = format!("<h1>{title}</h1>\n");
    if sessions.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", Msg::WebNoSessions.text(lang));
    } else {
        let points: Vec<(String, Option<f64>)> = sessions
            .iter()
            .map(|s| (format!("#{}", s.id), s.mean_score))
            .collect();
        body.push_str(&crate::report::svg::line(
            Msg::MeanScore.text(lang).trim_end_matches(':'),
            &points,
        ));
        let _ = writeln!(
            body,
            "<div class=\"table-wrap\"><table><tr><th class=\"num\">#</th><th>{}</th><th>{}</th>\
             <th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr>",
            Msg::ColumnStarted.text(lang),
            Msg::ColumnLevel.text(lang),
            Msg::ColumnAnswered.text(lang),
            Msg::ColumnMean.text(lang),
            Msg::ColumnState.text(lang),
        );
        for s in sessions.iter().rev() {
            let code = if lang.is_en() { "en" } else { "ru" };
            let _ = writeln!(
                body,
                "<tr><td class=\"num\"><a href=\"/history/{id}?lang={code}\">{id}</a></td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}/{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&s.started_at),
                esc(&s.level),
                s.answered + s.skipped,
                s.planned,
                s.mean_score.map_or("—".into(), |m| format!("{m:.0}")),
                if s.finished {
                    Msg::StateFinished.text(lang)
                } else {
                    Msg::StateUnfinished.text(lang)
                },
                id = s.id,
            );
        }
        body.push_str("</table></div>\n");
    }
    Ok(html(StatusCode::OK, layout(lang, title, &body)))
}

/// `GET /history/{n}`: one session of history (from the CLI or the browser) as its report.
pub async fn history_session_page(
    State(app): State<Arc<App>>,
    Path(n): Path<i64>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = lang_of(&app, &query);
    let report_app = app.clone();
    let report = blocking(move || {
        report_app
            .engine
            .with_history(|history| {
                write::session_report(history, Some(n), report_app.engine.thresholds(), Some(lang))
                    .map_err(|e| {
                        super::live::LiveError::Input(crate::error::InputError::Other(format!(
                            "{e:#}"
                        )))
                    })
            })
            .map_err(ApiError::from)
    })
    .await
    .map_err(|e| {
        PageError::new(
            if e.status == StatusCode::BAD_REQUEST {
                StatusCode::NOT_FOUND
            } else {
                e.status
            },
            lang,
            e.message,
        )
    })?;
    let (title, report_body) = session_body(&report);
    let mut body = String::new();
    report_links(&mut body, &format!("/history/{n}/report"), lang);
    body.push_str(&report_body);
    Ok(html(StatusCode::OK, layout(lang, &title, &body)))
}

/// `GET /history/{n}/report?format=md|html|json`: as `sobes report N --format …`.
pub async fn history_report(
    State(app): State<Arc<App>>,
    Path(n): Path<i64>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let format = parse_format(field(&query, "format"))?;
    let lang = match field(&query, "lang") {
        Some("ru") => Some(Lang::Ru),
        Some("en") => Some(Lang::En),
        _ => None,
    };
    let text = blocking(move || {
        app.engine
            .with_history(|history| {
                write::session_report(history, Some(n), app.engine.thresholds(), lang).map_err(
                    |e| {
                        super::live::LiveError::Input(crate::error::InputError::Other(format!(
                            "{e:#}"
                        )))
                    },
                )
            })
            .map(|report| write::render_session(&report, format))
            .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))
    })
    .await?;
    Ok(report_response(text, format))
}

/// `GET /progress`: the progress report over all of history, with its charts.
pub async fn progress_page(
    State(app): State<Arc<App>>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let lang = lang_of(&app, &query);
    let (sessions, answers) =
        read_history(&app, lang, |h| Ok((h.sessions()?, h.all_answers()?))).await?;
    let report = ProgressReport::new(&sessions, &answers, app.engine.thresholds(), lang);
    let (title, body) = progress_body(&report);
    Ok(html(StatusCode::OK, layout(lang, &title, &body)))
}

/// 404 for a page.
pub fn not_found_page() -> Response {
    PageError::new(
        StatusCode::NOT_FOUND,
        Lang::En,
        Msg::WebNotFound.text(Lang::En),
    )
    .into_response()
}

/// 401 for a page: how to get in.
pub fn unauthorized_page(lang: Lang) -> Response {
    PageError::new(
        StatusCode::UNAUTHORIZED,
        lang,
        Msg::WebTokenNeeded.text(lang),
    )
    .into_response()
}

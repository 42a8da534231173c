//! `sobes report` and `sobes progress`: build a report, render it, and put it where the user
//! asked. (`grade --batch --report` streams its report: see [`super::group`].)

use std::path::{Path, PathBuf};

use super::{html, markdown, ProgressReport, ReportFormat, SessionReport};
use crate::error::{ExitStatus, InputError};
use crate::history::History;
use crate::output::outln;
use crate::session::summary::LevelThresholds;
use crate::ui::Lang;

/// Which session `sobes report` is about.
pub fn parse_session(text: &str) -> Result<Option<i64>, InputError> {
    if text.eq_ignore_ascii_case("last") {
        return Ok(None);
    }
    text.parse::<i64>().map(Some).map_err(|_| {
        InputError::Other(format!(
            "\"{text}\" is not a session id; give a number from `sobes history`, or `last`"
        ))
    })
}

/// Render one session's report.
pub fn render_session(report: &SessionReport, format: ReportFormat) -> String {
    match format {
        ReportFormat::Md => markdown::session(report),
        ReportFormat::Html => html::session(report),
        ReportFormat::Json => to_json(report),
    }
}

pub fn render_progress(report: &ProgressReport, format: ReportFormat) -> String {
    match format {
        ReportFormat::Md => markdown::progress(report),
        ReportFormat::Html => html::progress(report),
        ReportFormat::Json => to_json(report),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// Load a session (or the last one) and build its report.
pub fn session_report(
    history: &History,
    which: Option<i64>,
    thresholds: LevelThresholds,
    lang: Option<Lang>,
) -> anyhow::Result<SessionReport> {
    let id = match which {
        Some(id) => id,
        None => history.last_session_id()?.ok_or_else(|| {
            InputError::Other("there are no sessions in history yet; run `sobes` first".into())
        })?,
    };
    let stored = history.load_session(id)?.ok_or_else(|| {
        InputError::Other(format!(
            "there is no session {id} in {}; `sobes history` lists them",
            history.path().display()
        ))
    })?;
    let lang = lang.unwrap_or(if stored.session.lang == "en" {
        Lang::En
    } else {
        Lang::Ru
    });
    let sessions = history.sessions()?;
    Ok(SessionReport::new(&stored, &sessions, thresholds, lang))
}

/// Where a report goes: `--out`, else stdout for text formats, else a file in the current
/// directory. Returns the path written, if any.
pub fn deliver(
    text: &str,
    format: ReportFormat,
    out: Option<&Path>,
    default_name: &str,
) -> anyhow::Result<Option<PathBuf>> {
    let path = match (out, format) {
        (Some(path), _) => path.to_path_buf(),
        (None, ReportFormat::Html) => PathBuf::from(default_name),
        (None, _) => {
            crate::output::print(text)?;
            return Ok(None);
        }
    };
    crate::output::write_file(&path, text.as_bytes())?;
    Ok(Some(path))
}

/// The format asked for, else the one the output file's extension names, else `fallback`.
pub fn pick_format(
    flag: Option<ReportFormat>,
    out: Option<&Path>,
    fallback: ReportFormat,
) -> Result<ReportFormat, InputError> {
    if let Some(format) = flag {
        return Ok(format);
    }
    match out {
        Some(path) => ReportFormat::from_path(path).ok_or_else(|| {
            InputError::Other(format!(
                "cannot tell the report format from {}; use a .md, .html or .json name, or --format",
                path.display()
            ))
        }),
        None => Ok(fallback),
    }
}

/// Print where a report was written.
pub fn announce(path: &Path, lang: Lang) -> anyhow::Result<ExitStatus> {
    outln!("{} {}", lang.pick("Отчёт:", "Report:"), path.display())?;
    Ok(ExitStatus::Success)
}

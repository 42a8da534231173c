//! `sobes report`: one session's report as Markdown, HTML or JSON.

use std::path::Path;

use super::thresholds;
use crate::cli::ReportArgs;
use crate::config::Config;
use crate::error::{ExitStatus, InputError};
use crate::history::History;
use crate::report::{write, ReportFormat};
use crate::ui::Lang;

/// `sobes report`.
pub fn command(
    db: &Path,
    args: &ReportArgs,
    config: &Config,
    lang: Option<Lang>,
) -> anyhow::Result<ExitStatus> {
    let which = write::parse_session(&args.session)?;
    let format = write::pick_format(args.format, args.out.as_deref(), ReportFormat::Md)?;
    let history = History::open_existing(db)?.ok_or_else(|| {
        InputError::Other(format!(
            "there is no history at {} yet; run `sobes` first",
            db.display()
        ))
    })?;
    let report = write::session_report(&history, which, thresholds(config), lang)?;
    let text = write::render_session(&report, format);
    let name = format!("sobes-session-{}.{}", report.session.id, format.extension());
    match write::deliver(&text, format, args.out.as_deref(), &name)? {
        Some(path) => write::announce(&path, report.lang),
        None => Ok(ExitStatus::Success),
    }
}

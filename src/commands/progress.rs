//! `sobes progress`: the progress report over the whole history, with its charts.

use std::path::Path;

use super::thresholds;
use crate::cli::ProgressArgs;
use crate::config::Config;
use crate::error::ExitStatus;
use crate::report::{write, ProgressReport, ReportFormat};
use crate::ui::Lang;

/// `sobes progress`.
pub fn command(
    db: &Path,
    args: &ProgressArgs,
    config: &Config,
    lang: Lang,
) -> anyhow::Result<ExitStatus> {
    let format = write::pick_format(args.format, args.out.as_deref(), ReportFormat::Md)?;
    let (sessions, answers) = super::history::read(db, |h| Ok((h.sessions()?, h.all_answers()?)))?;
    let report = ProgressReport::new(&sessions, &answers, thresholds(config), lang);
    let text = write::render_progress(&report, format);
    let name = format!("sobes-progress.{}", format.extension());
    match write::deliver(&text, format, args.out.as_deref(), &name)? {
        Some(path) => write::announce(&path, lang),
        None => Ok(ExitStatus::Success),
    }
}

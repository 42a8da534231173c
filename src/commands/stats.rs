//! `sobes stats`: progress by level and topic over the whole history.

use std::path::Path;

use super::thresholds;
use crate::cli::{HistoryArgs, ListFormat};
use crate::config::Config;
use crate::error::ExitStatus;
use crate::history::History;
use crate::output::{out, outln};
use crate::repl::render;
use crate::session::progress::Progress;
use crate::ui::Ui;

/// `sobes stats`.
pub fn command(
    db: &Path,
    args: &HistoryArgs,
    config: &Config,
    ui: &Ui,
) -> anyhow::Result<ExitStatus> {
    let answers = super::history::read(db, History::all_answers)?;
    let progress = Progress::of(&answers, thresholds(config));
    match args.format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&progress)?)?,
        ListFormat::Text => out!("{}", render::stats(&progress, ui))?,
    }
    Ok(ExitStatus::Success)
}

//! `sobes history`: the sessions kept in history.

use std::path::Path;

use crate::cli::{HistoryArgs, ListFormat};
use crate::error::ExitStatus;
use crate::history::History;
use crate::output::{out, outln};
use crate::repl::render;
use crate::ui::Ui;

/// Read from the history database; an absent database reads as empty.
pub(super) fn read<T: Default>(
    db: &Path,
    read: impl FnOnce(&History) -> Result<T, crate::history::HistoryError>,
) -> Result<T, crate::history::HistoryError> {
    match History::open_existing(db)? {
        Some(history) => read(&history),
        None => Ok(T::default()),
    }
}

/// `sobes history`.
pub fn command(db: &Path, args: &HistoryArgs, ui: &Ui) -> anyhow::Result<ExitStatus> {
    let sessions = read(db, History::sessions)?;
    match args.format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&sessions)?)?,
        ListFormat::Text => out!("{}", render::history_table(&sessions, ui))?,
    }
    Ok(ExitStatus::Success)
}

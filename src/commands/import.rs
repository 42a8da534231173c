//! `sobes import`: questions from a Telegram export, Markdown or JSON Lines into bank files.

use super::AppContext;
use crate::cli::ImportCommand;
use crate::error::ExitStatus;

pub fn command(command: ImportCommand, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let (format, file, out) = command.parts();
    crate::import::run(format, file, out, context.ui.lang)
}

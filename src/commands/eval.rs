//! `sobes eval FILE`: sobes' grades against human grades, as text or JSON.

use std::fs;

use super::AppContext;
use crate::bank::Bank;
use crate::cli::{EvalArgs, EvalFormat};
use crate::error::{ExitStatus, InputError};
use crate::eval::{evaluate, read_split, render, EvalOptions};
use crate::output::{diagln, out, outln};

/// `sobes eval FILE`.
pub fn command(bank: &Bank, args: &EvalArgs, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let bytes = fs::read(&args.file)
        .map_err(|e| InputError::Other(format!("cannot read {}: {e}", args.file.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        what: args.file.display().to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let questions = match (&args.split, &args.part) {
        (Some(split), Some(part)) => Some(read_split(split, part)?),
        _ => None,
    };
    let options = EvalOptions {
        worst: args.worst,
        questions,
        grade_max: args.grade_max,
    };
    let embedder = crate::embed::Embedder::open(&context.config.embeddings)
        .map_err(|e| InputError::Other(format!("[embeddings]: {e}")))?;
    let report = evaluate(
        bank,
        &context.config.grading,
        text,
        &options,
        embedder.as_ref(),
    );
    for bad in &report.bad_lines {
        diagln!("{}:{}: {}", args.file.display(), bad.line, bad.error);
    }
    if report.overall.answers == 0 {
        return Err(InputError::Other(format!(
            "{}: no gradable answers (expected lines {{\"id\", \"question_id\", \"answer\", \"grade\"}})",
            args.file.display()
        ))
        .into());
    }
    if args.grade_max.is_none() && report.human_max <= report.human_min {
        // One grade everywhere says nothing about the scale: 3 might be 3 of 3 or 3 of 10.
        return Err(InputError::Other(format!(
            "{}: every human grade is {}, so their scale cannot be told from the file; give it with --grade-max MAX",
            args.file.display(),
            report.human_min
        ))
        .into());
    }
    match args.format {
        EvalFormat::Json => outln!("{}", serde_json::to_string_pretty(&report)?)?,
        EvalFormat::Text => out!("{}", render(&report, context.ui.lang))?,
    }
    Ok(if report.bad_lines.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

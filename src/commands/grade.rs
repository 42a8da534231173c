//! `sobes grade`: one answer, or a batch file, graded by the rubric (and a model when asked).

use std::fs;
use std::io::{self, Read};

use anyhow::{bail, Context};

use super::AppContext;
use crate::bank::Bank;
use crate::batch;
use crate::cli::{GradeArgs, GradeFormat};
use crate::error::{ExitStatus, InputError};
use crate::feedback;
use crate::grade::grade;
use crate::output::{out, outln};

/// How far past the limit an answer is read, only to say how long it is.
const COUNTED_ANSWER_BYTES: u64 = 64 * 1024 * 1024;

/// Read at most `limit` bytes of an answer. A longer one is an error that gives its real size
/// (counted, not kept, up to [`COUNTED_ANSWER_BYTES`]).
fn read_limited(mut reader: impl Read, limit: usize) -> io::Result<Result<Vec<u8>, InputError>> {
    let mut bytes = Vec::new();
    (&mut reader)
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() <= limit {
        return Ok(Ok(bytes));
    }
    let rest = io::copy(&mut reader.take(COUNTED_ANSWER_BYTES), &mut io::sink())?;
    let total = bytes.len() as u64 + rest;
    Ok(Err(if rest == COUNTED_ANSWER_BYTES {
        InputError::Other(format!(
            "the answer is more than {} MiB long; the limit is {limit} bytes (grading.max_answer_bytes)",
            COUNTED_ANSWER_BYTES / (1024 * 1024)
        ))
    } else {
        InputError::AnswerTooLong {
            bytes: usize::try_from(total).unwrap_or(usize::MAX),
            limit,
        }
    }))
}

fn read_answer(args: &GradeArgs, limit: usize) -> anyhow::Result<String> {
    let (read, what) = if let Some(text) = &args.answer {
        (read_limited(text.as_bytes(), limit)?, "--answer".to_owned())
    } else if let Some(path) = &args.answer_file {
        let cannot_read =
            |e| InputError::Other(format!("cannot read answer file {}: {e}", path.display()));
        let file = fs::File::open(path).map_err(cannot_read)?;
        (
            read_limited(file, limit).map_err(cannot_read)?,
            path.display().to_string(),
        )
    } else {
        let read = read_limited(io::stdin().lock(), limit)
            .context("could not read the answer from standard input")?;
        (read, "standard input".to_owned())
    };
    let answer = String::from_utf8(read?).map_err(|e| InputError::NotUtf8 {
        what: format!("the answer ({what})"),
        offset: e.utf8_error().valid_up_to(),
    })?;
    if let Some(offset) = answer.find('\0') {
        bail!(InputError::ContainsNul {
            what: format!("the answer ({what})"),
            offset,
        });
    }
    Ok(answer)
}

pub fn command(bank: &Bank, args: &GradeArgs, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let settings = &context.config.grading;
    let en = context.ui.lang.is_en();
    let llm = crate::llm::run::grader_for(args, &context.config.llm, context.ui.lang)?;
    if let Some(batch_path) = &args.batch {
        return batch::run::grade_batch(
            bank,
            args,
            batch_path,
            llm.as_ref(),
            settings,
            context.ui.lang,
        );
    }
    if matches!(args.format, Some(GradeFormat::Jsonl)) {
        return Err(InputError::Other("--format jsonl needs --batch FILE".into()).into());
    }
    let Some(question_id) = args.question.as_deref() else {
        bail!(InputError::Other("--question ID is required".into()));
    };
    let rubric = bank.grader_for(question_id)?;
    let answer = read_answer(args, settings.max_answer_bytes)?;
    let result = grade(rubric, &answer, settings);
    if let Some(grader) = &llm {
        let json_output = args.format == Some(GradeFormat::Json);
        crate::llm::run::single(
            grader,
            bank,
            question_id,
            &answer,
            &result,
            json_output,
            &context.ui,
        )?;
        return Ok(ExitStatus::Success);
    }
    match args.format.unwrap_or(GradeFormat::Text) {
        GradeFormat::Json => {
            let value = feedback::keyword_json(&result, question_id);
            outln!("{}", serde_json::to_string_pretty(&value)?)?;
        }
        _ => {
            let question = bank.require(question_id)?;
            outln!(
                "{}\n",
                context.ui.paint(
                    crate::ui::Style::Accent,
                    &context.ui.wrap(&crate::ui::sanitize(question.text(en)), "")
                )
            )?;
            out!("{}", feedback::render(&result, &context.ui))?;
            if context.config.interface.show_reference {
                outln!(
                    "\n{}\n{}",
                    context
                        .ui
                        .lang
                        .pick("Эталонный ответ:", "Reference answer:"),
                    context
                        .ui
                        .wrap(&crate::ui::sanitize(question.reference(en)), "  ")
                )?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

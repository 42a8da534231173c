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
use crate::output::{diagln, out, outln};
use crate::report::group::GroupReport;
use crate::report::ReportFormat;
use crate::ui::Lang;

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
    String::from_utf8(read?).map_err(|e| {
        InputError::NotUtf8 {
            what: format!("the answer ({what})"),
            offset: e.utf8_error().valid_up_to(),
        }
        .into()
    })
}

pub fn command(bank: &Bank, args: &GradeArgs, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let settings = &context.config.grading;
    let en = context.ui.lang.is_en();
    let llm = crate::llm::run::grader_for(args, &context.config.llm, context.ui.lang)?;
    if let Some(batch_path) = &args.batch {
        if matches!(args.format, Some(GradeFormat::Text | GradeFormat::Json)) {
            return Err(InputError::Other(
                "--batch writes JSON Lines: use --format jsonl (the default)".into(),
            )
            .into());
        }
        let input = fs::read(batch_path).map_err(|e| {
            InputError::Other(format!(
                "cannot read batch file {}: {e}",
                batch_path.display()
            ))
        })?;
        let report_format = args
            .report
            .as_deref()
            .map(|path| crate::report::write::pick_format(None, Some(path), ReportFormat::Html))
            .transpose()?;
        let results = batch::grade_lines(bank, settings, &input);
        let values = match &llm {
            Some(grader) => crate::llm::run::batch_values(grader, bank, &results, context.ui.lang),
            None => results.iter().map(|r| r.to_json(en)).collect(),
        };
        let mut text = String::with_capacity(results.len() * 200);
        for value in &values {
            text.push_str(&serde_json::to_string(value)?);
            text.push('\n');
        }
        match &args.out {
            Some(path) => crate::output::write_file(path, text.as_bytes())?,
            // A reader that closed the pipe has what it wanted; the report is still written.
            None => match crate::output::print(&text) {
                Err(crate::output::OutputError::Closed) => {}
                other => other?,
            },
        }
        if let Some(grader) = &llm {
            let reasons: Vec<&str> = values
                .iter()
                .filter_map(|v| v.get("llm_error").and_then(serde_json::Value::as_str))
                .collect();
            crate::llm::run::print_summary(grader, context.ui.lang, &reasons);
        }
        if let (Some(path), Some(format)) = (&args.report, report_format) {
            let report = GroupReport::new(bank, &results, &values, context.ui.lang);
            let text = crate::report::write::render_group(&report, format);
            crate::output::write_file(path, text.as_bytes())?;
            diagln!(
                "{} {}",
                context.ui.lang.pick("Отчёт:", "Report:"),
                path.display()
            );
        }
        let errors = results.iter().filter(|r| r.is_error()).count();
        if errors > 0 {
            diagln!(
                "{}",
                match context.ui.lang {
                    Lang::Ru => format!(
                        "sobes: {errors} из {} строк не оценены (см. поле \"error\")",
                        results.len()
                    ),
                    Lang::En => format!(
                        "sobes: {errors} of {} lines could not be graded (see their \"error\" field)",
                        results.len()
                    ),
                }
            );
            return Ok(ExitStatus::Failure);
        }
        return Ok(ExitStatus::Success);
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

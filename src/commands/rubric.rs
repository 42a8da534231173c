//! `sobes rubric check` and `sobes rubric draft`: how a broken bank gets mended, so both load
//! the bank as it is.

use super::AppContext;
use crate::bank::Bank;
use crate::error::ExitStatus;
use crate::output::{diagln, out, outln};
use crate::rubric::check::{check, Severity};
use crate::rubric::draft::{draft, DraftContext};
use crate::ui::Lang;

/// `sobes rubric draft ID`: a starting rubric for a question, as TOML.
pub fn draft_command(bank: &Bank, id: &str) -> anyhow::Result<ExitStatus> {
    let question = bank.require(id)?;
    let context_texts = DraftContext::from_texts(bank.questions.iter().map(|q| q.answer.as_str()));
    out!("{}", draft(question, &context_texts).to_toml())?;
    Ok(ExitStatus::Success)
}

pub fn check_command(bank: &Bank, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let findings = check(bank, &context.config.grading);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    for finding in &findings {
        diagln!("{finding}");
    }
    let summary = match context.ui.lang {
        Lang::Ru => format!(
            "Проверено рубрик: {}, вопросов: {}; ошибок: {errors}, предупреждений: {warnings}",
            bank.rubrics.len(),
            bank.questions.len()
        ),
        Lang::En => format!(
            "Checked {} rubrics for {} questions: {errors} errors, {warnings} warnings",
            bank.rubrics.len(),
            bank.questions.len()
        ),
    };
    outln!("{summary}")?;
    Ok(if errors > 0 {
        ExitStatus::BadInput
    } else {
        ExitStatus::Success
    })
}

//! `sobes questions`: list the bank's questions, or its statistics.

use super::AppContext;
use crate::bank::{Bank, Question};
use crate::cli::{ListFormat, QuestionsArgs};
use crate::error::ExitStatus;
use crate::output::{diagln, out, outln};

fn selected<'a>(bank: &'a Bank, args: &QuestionsArgs) -> anyhow::Result<Vec<&'a Question>> {
    bank.check_topics(&args.topic)?;
    Ok(bank
        .questions
        .iter()
        .filter(|q| args.level.is_none_or(|l| q.levels.contains(&l)))
        .filter(|q| q.in_topics(&args.topic))
        .collect())
}

pub fn command(
    bank: &Bank,
    args: &QuestionsArgs,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    let en = context.ui.lang.is_en();
    let list = selected(bank, args)?;
    if args.stats {
        let stats = crate::stats::BankStats::of(&list);
        match args.format {
            ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&stats)?)?,
            ListFormat::Text => out!("{}", stats.markdown())?,
        }
        return Ok(ExitStatus::Success);
    }
    match args.format {
        ListFormat::Json => {
            let items: Vec<_> = list
                .iter()
                .map(|q| crate::feedback::question_json(bank, q, en))
                .collect();
            outln!("{}", serde_json::to_string_pretty(&items)?)?;
        }
        ListFormat::Text => {
            let mut text = String::new();
            for q in &list {
                let levels: Vec<&str> = q.levels.iter().map(|l| l.as_str()).collect();
                text.push_str(&format!(
                    "{}  [{}] [{}]\n{}\n\n",
                    context.ui.paint(crate::ui::Style::Bold, &q.id),
                    levels.join(", "),
                    q.topics.join(", "),
                    context.ui.wrap(&crate::ui::sanitize(q.text(en)), "  ")
                ));
            }
            out!("{text}")?;
            if list.is_empty() {
                diagln!(
                    "{}",
                    context.ui.lang.pick(
                        "Нет вопросов с такими фильтрами.",
                        "No questions match these filters."
                    )
                );
            }
        }
    }
    Ok(ExitStatus::Success)
}

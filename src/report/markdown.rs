//! Markdown reports. Text from users and the bank is escaped; answers go into fenced blocks
//! whose fence is longer than any backtick run inside, so nothing in an answer can become
//! markup or HTML when the file is rendered.

use std::fmt::Write as _;

use super::group::{GroupAnswer, GroupError, GroupSummary};
use super::{AnswerSection, ProgressReport, SessionReport, SummarySection, Words};
use crate::ui::sanitize;

/// Escape inline Markdown and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in sanitize(text).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text and keep its line breaks as Markdown paragraphs.
fn escape_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(escape)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A fenced block that shows `text` verbatim.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", sanitize(text).trim_end())
}

/// A Markdown table; `columns` are (heading, right-aligned), cells are already escaped.
fn table(out: &mut String, columns: &[(&str, bool)], rows: impl IntoIterator<Item = Vec<String>>) {
    let headings: Vec<&str> = columns.iter().map(|(h, _)| *h).collect();
    let rules: Vec<&str> = columns
        .iter()
        .map(|(_, right)| if *right { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |\n|{}|", headings.join(" | "), rules.join("|"));
    for row in rows {
        table_row(out, &row);
    }
}

fn table_row(out: &mut String, row: &[String]) {
    let _ = writeln!(out, "| {} |", row.join(" | "));
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.0}"))
}

pub fn session(report: &SessionReport) -> String {
    let w = Words { lang: report.lang };
    let s = &report.session;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} {} — {}\n",
        w.t("Собеседование", "Interview"),
        s.id,
        escape(&s.started_at)
    );
    let _ = writeln!(
        out,
        "- {}: {}\n- {}: {}/{}\n- {}: {}\n- {}: {}",
        w.t("Уровень", "Level"),
        escape(&s.level),
        w.t("Отвечено", "Answered"),
        s.answered + s.skipped,
        s.planned,
        w.t("Средняя оценка", "Mean score"),
        percent(report.summary.mean_score),
        w.t("Состояние", "State"),
        w.session_state(s.finished),
    );
    if !s.topics.is_empty() {
        let _ = writeln!(
            out,
            "- {}: {}",
            w.t("Темы", "Topics"),
            escape(&s.topics.join(", "))
        );
    }
    let _ = writeln!(out);
    summary_section(&mut out, &report.summary, &w);
    let _ = writeln!(out, "## {}\n", w.t("Ответы", "Answers"));
    if report.answers.is_empty() {
        let _ = writeln!(out, "{}\n", w.t("Ответов нет.", "No answers."));
    }
    for answer in &report.answers {
        answer_section(&mut out, answer, &w);
    }
    out
}

fn summary_section(out: &mut String, summary: &SummarySection, w: &Words) {
    let _ = writeln!(out, "## {}\n", w.t("Итоги", "Summary"));
    if let Some(estimate) = &summary.estimate {
        let _ = writeln!(
            out,
            "**{}:** {}\n",
            w.t("Оценка уровня", "Estimated level"),
            escape(&estimate.reasoning)
        );
    }
    if !summary.by_level.is_empty() {
        for (heading, means) in [
            (w.t("уровень", "level"), &summary.by_level),
            (w.t("тема", "topic"), &summary.by_topic),
        ] {
            let columns = [
                (heading, false),
                (w.t("средняя", "mean"), true),
                (w.t("вопросов", "questions"), true),
            ];
            let rows = means.iter().map(|m| {
                vec![
                    escape(&m.key),
                    format!("{:.0}", m.mean),
                    m.count.to_string(),
                ]
            });
            table(out, &columns, rows);
            let _ = writeln!(out);
        }
    }
    if !summary.revise.is_empty() {
        let _ = writeln!(out, "### {}\n", w.t("Что повторить", "What to revise"));
        for weak in &summary.revise {
            let _ = write!(out, "- **{}** ({:.0})", escape(&weak.topic), weak.mean);
            if !weak.revise.is_empty() {
                let items: Vec<String> = weak.revise.iter().map(|r| escape(r)).collect();
                let _ = write!(out, ": {}", items.join("; "));
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out);
    }
}

fn answer_section(out: &mut String, a: &AnswerSection, w: &Words) {
    let _ = writeln!(
        out,
        "### {}. {} — {}\n",
        a.position,
        escape(&a.question_id),
        if a.skipped {
            w.t("пропущен", "skipped").to_owned()
        } else {
            format!("{:.0}/100", a.score)
        }
    );
    let _ = writeln!(
        out,
        "**{}** {}\n",
        w.t("Вопрос:", "Question:"),
        escape(&a.question)
    );
    let _ = writeln!(
        out,
        "{}: {} · {}: {} · {}: {}\n",
        w.t("Уровень", "Level"),
        a.level,
        w.t("темы", "topics"),
        escape(&a.topics.join(", ")),
        w.t("время", "time"),
        w.duration(a.seconds)
    );
    if !a.skipped {
        let _ = writeln!(out, "**{}**\n", w.t("Ответ:", "Answer:"));
        let _ = writeln!(out, "{}", fenced(&a.answer));
    }
    for c in &a.covered {
        let mut line = format!("- ✓ {}", escape(&c.label));
        if let Some((ru, en)) = c.found_by.and_then(|f| f.note()) {
            line.push_str(w.t(ru, en));
        }
        if c.hinted {
            line.push_str(w.t(" (по подсказке)", " (after a hint)"));
        }
        let _ = writeln!(out, "{line}");
    }
    for c in &a.missed {
        let _ = write!(out, "- ✗ {}", escape(&c.label));
        if !c.hint.trim().is_empty() {
            let _ = write!(out, " — {}", escape(&c.hint));
        }
        let _ = writeln!(out);
    }
    for m in &a.misconceptions {
        let _ = writeln!(
            out,
            "- ! {}: {} (−{:.0}) — {}",
            w.t("Заблуждение", "Misconception"),
            escape(&m.label),
            m.penalty,
            escape(&m.explanation)
        );
    }
    if let Some(feedback) = &a.llm_feedback {
        let _ = writeln!(
            out,
            "\n**{}** {}",
            w.t("Комментарий модели:", "Model's comment:"),
            escape(feedback)
        );
    }
    let _ = writeln!(
        out,
        "\n<details><summary>{}</summary>\n\n{}\n</details>\n",
        w.t("Эталонный ответ", "Reference answer"),
        escape_lines(&a.reference)
    );
}

pub fn progress(report: &ProgressReport) -> String {
    let w = Words { lang: report.lang };
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", w.t("Прогресс", "Progress"));
    let _ = writeln!(
        out,
        "{}: {}, {}: {}\n",
        w.t("Сессий", "Sessions"),
        report.sessions.len(),
        w.t("ответов", "answers"),
        report.answers
    );
    if let Some(estimate) = &report.estimate {
        let _ = writeln!(
            out,
            "**{}:** {}\n",
            w.t("Уровень по последним ответам", "Level from recent answers"),
            escape(&estimate.reasoning)
        );
    }
    let _ = writeln!(out, "## {}\n", w.t("Сессии", "Sessions"));
    let columns = [
        ("id", true),
        (w.t("начало", "started"), false),
        (w.t("уровень", "level"), false),
        (w.t("средняя", "mean"), true),
        (w.t("состояние", "state"), false),
    ];
    let rows = report.sessions.iter().map(|s| {
        vec![
            s.id.to_string(),
            escape(&s.started_at),
            escape(&s.level),
            percent(s.mean_score),
            if s.finished {
                w.t("завершена", "finished")
            } else {
                w.t("не завершена", "unfinished")
            }
            .to_owned(),
        ]
    });
    table(&mut out, &columns, rows);
    for (title, trends) in [
        (w.t("По уровням", "By level"), &report.by_level),
        (w.t("По темам", "By topic"), &report.by_topic),
    ] {
        let _ = writeln!(out, "\n## {title}\n");
        let columns = [
            ("", false),
            (w.t("ответов", "answers"), true),
            (w.t("сначала", "first"), true),
            (w.t("сейчас", "recent"), true),
            (w.t("по сессиям", "per session"), false),
        ];
        let rows = trends.iter().map(|t| {
            let per: Vec<String> = t.per_session.iter().map(|v| format!("{v:.0}")).collect();
            vec![
                escape(&t.key),
                t.count.to_string(),
                format!("{:.0}", t.first),
                format!("{:.0}", t.recent),
                per.join(" → "),
            ]
        });
        table(&mut out, &columns, rows);
    }
    let _ = writeln!(
        out,
        "\n## {}\n",
        w.t("Чаще всего упущено", "Missed most often")
    );
    for c in &report.weakest_concepts {
        let _ = writeln!(
            out,
            "- {} ({}: {}/{}) — {}",
            escape(&c.label),
            escape(&c.question_id),
            c.missed,
            c.asked,
            escape(&c.hint)
        );
    }
    let _ = writeln!(
        out,
        "\n## {}\n",
        w.t("Стоит повторить", "Due for another try")
    );
    if report.due.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            w.t(
                "Нет: все последние ответы засчитаны.",
                "None: every latest answer passed."
            )
        );
    }
    for d in &report.due {
        let _ = writeln!(
            out,
            "- {} — {:.0} ({}, {}: {})",
            escape(&d.question),
            d.last_score,
            escape(&d.last_answered_at),
            w.t("попыток", "attempts"),
            d.attempts
        );
    }
    out
}

/// The group report up to its rows of answers (see [`GroupCollector`](super::group::GroupCollector)).
pub fn group_head(report: &GroupSummary) -> String {
    let w = Words { lang: report.lang };
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", w.t("Отчёт по группе", "Group report"));
    let _ = writeln!(
        out,
        "{}: {}, {}: {}, {}: {}\n",
        w.t("Ответов", "Answers"),
        report.answers,
        w.t("вопросов", "questions"),
        report.questions.len(),
        w.t("ошибок во входе", "bad input lines"),
        report.errors
    );
    let _ = writeln!(out, "## {}\n", w.t("По вопросам", "By question"));
    for q in &report.questions {
        let _ = writeln!(out, "### {}\n", escape(&q.question_id));
        let _ = writeln!(out, "{}\n", escape(&q.question));
        let _ = writeln!(
            out,
            "{}: {} · {}: {:.0} · {}: {:.0} · min {:.0} · max {:.0}\n",
            w.t("Ответов", "Answers"),
            q.count,
            w.t("средняя", "mean"),
            q.mean,
            w.t("медиана", "median"),
            q.median,
            q.min,
            q.max
        );
        let buckets = ["0–19", "20–39", "40–59", "60–79", "80–100"].map(|b| (b, true));
        table(
            &mut out,
            &buckets,
            [q.histogram.iter().map(usize::to_string).collect()],
        );
        let _ = writeln!(out);
        if !q.most_missed.is_empty() {
            let _ = writeln!(out, "{}:\n", w.t("Чаще всего упущено", "Missed most often"));
            for m in &q.most_missed {
                let _ = writeln!(out, "- {} ({}/{})", escape(&m.label), m.missed, q.count);
            }
            let _ = writeln!(out);
        }
    }
    let _ = writeln!(out, "## {}\n", w.t("По ответам", "By answer"));
    let columns = [
        ("id", false),
        (w.t("вопрос", "question"), false),
        (w.t("оценка", "score"), true),
        (w.t("что добавить", "what to add"), false),
    ];
    table(&mut out, &columns, []);
    out
}

/// One answer's row of the group report.
pub fn group_answer(a: &GroupAnswer) -> String {
    let mut add = escape(&a.missed.join("; "));
    if let Some(feedback) = &a.feedback {
        add.push_str(&format!(" — {}", escape(feedback)));
    }
    let mut out = String::new();
    table_row(
        &mut out,
        &[
            escape(&a.id),
            escape(&a.question_id),
            format!("{:.0}", a.score),
            add,
        ],
    );
    out
}

/// Between the answers and the bad input lines.
pub fn group_middle(report: &GroupSummary) -> String {
    if report.errors == 0 {
        return String::new();
    }
    let w = Words { lang: report.lang };
    format!("\n## {}\n\n", w.t("Ошибки во входе", "Bad input lines"))
}

/// One bad input line of the group report.
pub fn group_error(e: &GroupError, lang: crate::ui::Lang) -> String {
    let w = Words { lang };
    format!(
        "- {} {}: {}\n",
        w.t("строка", "line"),
        e.line,
        escape(&e.error)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_fences_keep_user_text_inert() {
        assert_eq!(
            escape("<script>*x*</script>"),
            "&lt;script&gt;\\*x\\*&lt;/script&gt;"
        );
        let block = fenced("a ``` b");
        assert!(block.starts_with("````text\n"));
        assert!(block.ends_with("\n````\n"));
    }
}

//! Self-contained HTML reports: inline CSS and SVG, no scripts, nothing fetched from the
//! network; readable on a phone and printable. Everything that came from a user or the bank
//! goes through [`esc`], so an answer containing HTML is shown as text.

use std::fmt::Write as _;

use super::group::{GroupAnswer, GroupError, GroupSummary};
use super::{svg, AnswerSection, EstimateSection, ProgressReport, SessionReport, Words};
use crate::ui::{sanitize, Band, Lang};

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in sanitize(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The reports' stylesheet (`sobes serve` serves it as `/static/app.css` too).
pub const STYLE: &str = r#"
:root { --fg: #1b1b1f; --muted: #5f6368; --line: #dadce0; --good: #2e7d32; --warn: #c77700; --bad: #c62828; --bg-soft: #f6f7f9; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; max-width: 56rem; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.4rem; }
.meta { color: var(--muted); margin: 0 0 1rem; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; }
.state-unfinished { color: var(--warn); font-weight: 600; }
.verdict { font-size: 1.15rem; background: var(--bg-soft); border-left: 4px solid #3f51b5; padding: 0.6rem 0.8rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem 1rem; margin: 1rem 0; break-inside: avoid; }
.score { float: right; font-weight: 700; font-size: 1.1rem; }
.good { color: var(--good); } .warn { color: var(--warn); } .bad { color: var(--bad); }
.answer { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg-soft); border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.4rem 0; font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 0.92rem; }
ul.concepts { padding-left: 0; list-style: none; margin: 0.4rem 0; }
ul.concepts li { margin: 0.2rem 0; }
.reference { white-space: pre-line; }
.hint { color: var(--muted); display: block; margin-left: 1.4rem; font-size: 0.93rem; }
.small { color: var(--muted); font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0; font-size: 0.95rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 0.5rem 0; }
svg .label { font: 12px system-ui, sans-serif; fill: var(--muted); }
svg .value { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg .track { fill: #eceff1; }
svg .mark { stroke: #3f51b5; stroke-dasharray: 4 3; stroke-width: 1.5; }
svg .mark-label { font: 11px system-ui, sans-serif; fill: #3f51b5; }
svg .grid { stroke: var(--line); }
svg .line { fill: none; stroke: #3f51b5; stroke-width: 2; }
details summary { cursor: pointer; color: #3f51b5; }
@media (max-width: 600px) { body { font-size: 15px; padding: 0.6rem; } .score { float: none; display: block; } }
@media print { body { max-width: none; } details { display: block; } details > summary { list-style: none; } .card { border-color: #999; } a { color: inherit; } }
"#;

fn page(lang: Lang, title: &str, body: &str) -> String {
    format!("{}{body}{PAGE_END}", page_start(lang, title))
}

/// A page up to its body's content.
fn page_start(lang: Lang, title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        lang = if lang.is_en() { "en" } else { "ru" },
        title = esc(title),
    )
}

const PAGE_END: &str = "</body>\n</html>\n";

const TABLE_END: &str = "</table></div>\n";

/// A scrollable table; `columns` are (heading, numeric), cells are already escaped HTML.
fn table(out: &mut String, columns: &[(&str, bool)], rows: impl IntoIterator<Item = Vec<String>>) {
    table_head(out, columns);
    let numeric: Vec<bool> = columns.iter().map(|(_, numeric)| *numeric).collect();
    for row in rows {
        table_row(out, &numeric, &row);
    }
    out.push_str(TABLE_END);
}

fn table_head(out: &mut String, columns: &[(&str, bool)]) {
    out.push_str("<div class=\"table-wrap\"><table><tr>");
    for (heading, numeric) in columns {
        let _ = write!(out, "<th{}>{}</th>", num_class(*numeric), esc(heading));
    }
    out.push_str("</tr>\n");
}

fn table_row(out: &mut String, numeric: &[bool], row: &[String]) {
    out.push_str("<tr>");
    for (cell, numeric) in row.iter().zip(numeric) {
        let _ = write!(out, "<td{}>{cell}</td>", num_class(*numeric));
    }
    out.push_str("</tr>\n");
}

fn num_class(numeric: bool) -> &'static str {
    if numeric {
        " class=\"num\""
    } else {
        ""
    }
}

/// The CSS class of a score's band.
fn class_of(score: f64) -> &'static str {
    match Band::of(score) {
        Band::Good => "good",
        Band::Fair => "warn",
        Band::Poor => "bad",
    }
}

fn estimate_block(out: &mut String, estimate: &EstimateSection, w: &Words, title: &str) {
    let _ = writeln!(
        out,
        "<p class=\"verdict\"><strong>{}:</strong> {}</p>",
        esc(title),
        esc(&estimate.reasoning)
    );
    let items: Vec<(String, f64)> = estimate
        .means
        .iter()
        .map(|m| (m.level.to_string(), m.mean))
        .collect();
    out.push_str(&svg::bars(
        w.t("Оценка уровня", "Level estimate"),
        &items,
        &[
            (estimate.pass_score, w.t("зачёт", "pass")),
            (estimate.close_score, w.t("близко", "close")),
        ],
    ));
    out.push('\n');
}

/// A heading and a bar chart of scores under it, both titled `title`.
fn titled_bars(
    out: &mut String,
    tag: &str,
    title: &str,
    items: impl Iterator<Item = (String, f64)>,
) {
    let items: Vec<(String, f64)> = items.collect();
    let _ = writeln!(out, "<{tag}>{}</{tag}>", esc(title));
    out.push_str(&svg::bars(title, &items, &[]));
    out.push('\n');
}

fn progress_chart(out: &mut String, points: &[super::SessionPoint], w: &Words) {
    let points: Vec<(String, Option<f64>)> = points
        .iter()
        .map(|p| (format!("#{}", p.id), p.mean_score))
        .collect();
    out.push_str(&svg::line(
        w.t("Средняя оценка по сессиям", "Mean score by session"),
        &points,
    ));
    out.push('\n');
}

pub fn session(report: &SessionReport) -> String {
    let (title, body) = session_body(report);
    page(report.lang, &title, &body)
}

/// A session report's title and body (the page around it is the caller's).
pub fn session_body(report: &SessionReport) -> (String, String) {
    let w = Words { lang: report.lang };
    let s = &report.session;
    let mut out = String::new();
    let title = format!(
        "{} {} — {}",
        w.t("Собеседование", "Interview"),
        s.id,
        s.started_at
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let state_class = if s.finished {
        "state"
    } else {
        "state-unfinished"
    };
    let _ = writeln!(
        out,
        "<ul class=\"meta\"><li>{}: {}</li><li>{}: {}/{}</li><li>{}: {}</li><li class=\"{state_class}\">{}</li></ul>",
        w.t("Уровень", "Level"),
        esc(&s.level),
        w.t("Отвечено", "Answered"),
        s.answered + s.skipped,
        s.planned,
        w.t("Средняя оценка", "Mean score"),
        report.summary.mean_score.map_or("—".into(), |m| format!("{m:.0}")),
        esc(w.session_state(s.finished)),
    );
    let summary = &report.summary;
    let _ = writeln!(out, "<h2>{}</h2>", w.t("Итоги", "Summary"));
    if let Some(estimate) = &summary.estimate {
        estimate_block(
            &mut out,
            estimate,
            &w,
            w.t("Оценка уровня", "Estimated level"),
        );
    }
    if !summary.by_topic.is_empty() {
        let items = summary.by_topic.iter().map(|m| (m.key.clone(), m.mean));
        titled_bars(
            &mut out,
            "h3",
            w.t("Оценки по темам", "Scores by topic"),
            items,
        );
    }
    if !summary.revise.is_empty() {
        let _ = writeln!(
            out,
            "<h3>{}</h3><ul>",
            w.t("Что повторить", "What to revise")
        );
        for weak in &summary.revise {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({:.0})",
                esc(&weak.topic),
                weak.mean
            );
            if !weak.revise.is_empty() {
                let items: Vec<String> = weak.revise.iter().map(|r| esc(r)).collect();
                let _ = write!(out, ": {}", items.join("; "));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    if report.progress.len() > 1 {
        let _ = writeln!(out, "<h3>{}</h3>", w.t("Прогресс", "Progress"));
        progress_chart(&mut out, &report.progress, &w);
    }
    let _ = writeln!(out, "<h2>{}</h2>", w.t("Ответы", "Answers"));
    if report.answers.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", w.t("Ответов нет.", "No answers."));
    }
    for answer in &report.answers {
        answer_card(&mut out, answer, &w);
    }
    (title, out)
}

/// One graded answer as a card: score, answer, covered ideas (and how each was found), missed
/// ideas with hints, misconceptions, the reference answer.
pub fn answer_html(answer: &AnswerSection, lang: Lang) -> String {
    let mut out = String::new();
    answer_card(&mut out, answer, &Words { lang });
    out
}

fn answer_card(out: &mut String, a: &AnswerSection, w: &Words) {
    let _ = writeln!(out, "<section class=\"card\">");
    let score = if a.skipped {
        format!(
            "<span class=\"score bad\">{}</span>",
            w.t("пропущен", "skipped")
        )
    } else {
        format!(
            "<span class=\"score {}\">{:.0}/100</span>",
            class_of(a.score),
            a.score
        )
    };
    let _ = writeln!(
        out,
        "{score}<h3>{}. {}</h3>\n<p class=\"small\">{} · {} · {}: {}</p>",
        a.position,
        esc(&a.question),
        esc(&a.question_id),
        esc(&format!("{} · {}", a.level, a.topics.join(", "))),
        w.t("время", "time"),
        esc(&w.duration(a.seconds)),
    );
    if !a.skipped {
        let _ = writeln!(out, "<div class=\"answer\">{}</div>", esc(&a.answer));
    }
    let _ = writeln!(out, "<ul class=\"concepts\">");
    for c in &a.covered {
        let mut note = String::new();
        if let Some((ru, en)) = c.found_by.and_then(|f| f.note()) {
            note.push_str(w.t(ru, en));
        }
        if c.hinted {
            note.push_str(w.t(" (по подсказке)", " (after a hint)"));
        }
        let _ = writeln!(
            out,
            "<li><span class=\"good\">✓</span> {}<span class=\"small\">{}</span></li>",
            esc(&c.label),
            esc(&note)
        );
    }
    for c in &a.missed {
        let _ = writeln!(
            out,
            "<li><span class=\"bad\">✗</span> {}<span class=\"hint\">{}</span></li>",
            esc(&c.label),
            esc(&c.hint)
        );
    }
    for m in &a.misconceptions {
        let _ = writeln!(
            out,
            "<li><span class=\"bad\">!</span> {}: {} (−{:.0})<span class=\"hint\">{}</span></li>",
            w.t("Заблуждение", "Misconception"),
            esc(&m.label),
            m.penalty,
            esc(&m.explanation)
        );
    }
    let _ = writeln!(out, "</ul>");
    if let Some(feedback) = &a.llm_feedback {
        let _ = writeln!(
            out,
            "<p><strong>{}</strong> {}</p>",
            w.t("Комментарий модели:", "Model's comment:"),
            esc(feedback)
        );
    }
    let _ = writeln!(
        out,
        "<details><summary>{}</summary><p class=\"reference\">{}</p></details>\n</section>",
        w.t("Эталонный ответ", "Reference answer"),
        esc(&a.reference)
    );
}

pub fn progress(report: &ProgressReport) -> String {
    let (title, body) = progress_body(report);
    page(report.lang, &title, &body)
}

/// The progress report's title and body.
pub fn progress_body(report: &ProgressReport) -> (String, String) {
    let w = Words { lang: report.lang };
    let mut out = String::new();
    let title = w.t("Прогресс", "Progress");
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(
        out,
        "<ul class=\"meta\"><li>{}: {}</li><li>{}: {}</li></ul>",
        w.t("Сессий", "Sessions"),
        report.sessions.len(),
        w.t("Ответов", "Answers"),
        report.answers
    );
    if let Some(estimate) = &report.estimate {
        estimate_block(
            &mut out,
            estimate,
            &w,
            w.t("Уровень по последним ответам", "Level from recent answers"),
        );
    }
    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        w.t("Средняя оценка по сессиям", "Mean score by session")
    );
    progress_chart(&mut out, &report.sessions, &w);
    let items = report.by_topic.iter().map(|t| (t.key.clone(), t.recent));
    let title = w.t("Последняя оценка по темам", "Latest score by topic");
    titled_bars(&mut out, "h2", title, items);
    for (heading, trends) in [
        (w.t("По уровням", "By level"), &report.by_level),
        (w.t("По темам", "By topic"), &report.by_topic),
    ] {
        let _ = writeln!(out, "<h3>{heading}</h3>");
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
                esc(&t.key),
                t.count.to_string(),
                format!("{:.0}", t.first),
                format!("{:.0}", t.recent),
                esc(&per.join(" → ")),
            ]
        });
        table(&mut out, &columns, rows);
    }
    let _ = writeln!(
        out,
        "<h2>{}</h2><ul>",
        w.t("Чаще всего упущено", "Missed most often")
    );
    for c in &report.weakest_concepts {
        let _ = writeln!(
            out,
            "<li>{} <span class=\"small\">({}: {}/{})</span><span class=\"hint\">{}</span></li>",
            esc(&c.label),
            esc(&c.question_id),
            c.missed,
            c.asked,
            esc(&c.hint)
        );
    }
    out.push_str("</ul>\n");
    let _ = writeln!(
        out,
        "<h2>{}</h2><ul>",
        w.t("Стоит повторить", "Due for another try")
    );
    for d in &report.due {
        let _ = writeln!(
            out,
            "<li>{} — <span class=\"{}\">{:.0}</span> <span class=\"small\">({}, {}: {})</span></li>",
            esc(&d.question),
            class_of(d.last_score),
            d.last_score,
            esc(&d.last_answered_at),
            w.t("попыток", "attempts"),
            d.attempts
        );
    }
    out.push_str("</ul>\n");
    (title.to_owned(), out)
}

/// The group report up to its rows of answers (see [`GroupCollector`](super::group::GroupCollector)).
pub fn group_head(report: &GroupSummary) -> String {
    let w = Words { lang: report.lang };
    let mut out = String::new();
    let title = w.t("Отчёт по группе", "Group report");
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(
        out,
        "<ul class=\"meta\"><li>{}: {}</li><li>{}: {}</li><li>{}: {}</li></ul>",
        w.t("Ответов", "Answers"),
        report.answers,
        w.t("Вопросов", "Questions"),
        report.questions.len(),
        w.t("Ошибок во входе", "Bad input lines"),
        report.errors
    );
    let items: Vec<(String, f64)> = report
        .questions
        .iter()
        .map(|q| (q.question_id.clone(), q.mean))
        .collect();
    if !items.is_empty() {
        out.push_str(&svg::bars(
            w.t("Средняя оценка по вопросам", "Mean score by question"),
            &items,
            &[],
        ));
    }
    let _ = writeln!(out, "<h2>{}</h2>", w.t("По вопросам", "By question"));
    for q in &report.questions {
        let _ = writeln!(
            out,
            "<section class=\"card\"><span class=\"score {}\">{:.0}</span><h3>{}</h3><p class=\"small\">{}</p>",
            class_of(q.mean),
            q.mean,
            esc(&q.question),
            esc(&q.question_id)
        );
        let _ = writeln!(
            out,
            "<p class=\"small\">{}: {} · {}: {:.0} · min {:.0} · max {:.0}</p>",
            w.t("Ответов", "Answers"),
            q.count,
            w.t("медиана", "median"),
            q.median,
            q.min,
            q.max
        );
        let buckets = ["0–19", "20–39", "40–59", "60–79", "80–100"];
        let total = q.count.max(1) as f64;
        let histogram: Vec<(String, f64)> = buckets
            .iter()
            .zip(q.histogram.iter())
            .map(|(b, n)| (format!("{b} ({n})"), 100.0 * *n as f64 / total))
            .collect();
        out.push_str(&svg::bars(
            w.t(
                "Распределение оценок, % ответов",
                "Score distribution, % of answers",
            ),
            &histogram,
            &[],
        ));
        if !q.most_missed.is_empty() {
            let _ = writeln!(
                out,
                "<p>{}:</p><ul>",
                w.t("Чаще всего упущено", "Missed most often")
            );
            for m in &q.most_missed {
                let _ = writeln!(
                    out,
                    "<li>{} <span class=\"small\">({}/{})</span></li>",
                    esc(&m.label),
                    m.missed,
                    q.count
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(out, "<h2>{}</h2>", w.t("По ответам", "By answer"));
    let columns = [
        ("id", false),
        (w.t("вопрос", "question"), false),
        (w.t("оценка", "score"), true),
        (w.t("что добавить", "what to add"), false),
    ];
    table_head(&mut out, &columns);
    page_start(report.lang, title) + &out
}

/// One answer's row of the group report.
pub fn group_answer(a: &GroupAnswer) -> String {
    let mut add = esc(&a.missed.join("; "));
    if let Some(feedback) = &a.feedback {
        add.push_str(&format!("<br><em>{}</em>", esc(feedback)));
    }
    let mut out = String::new();
    table_row(
        &mut out,
        GROUP_ANSWER_COLUMNS,
        &[
            esc(&a.id),
            esc(&a.question_id),
            format!(
                "<span class=\"{}\">{:.0}</span>",
                class_of(a.score),
                a.score
            ),
            add,
        ],
    );
    out
}

/// Which columns of the answers table are numeric.
const GROUP_ANSWER_COLUMNS: &[bool] = &[false, false, true, false];

/// Between the answers and the bad input lines.
pub fn group_middle(report: &GroupSummary) -> String {
    let mut out = String::from(TABLE_END);
    if report.errors > 0 {
        let w = Words { lang: report.lang };
        let _ = writeln!(
            out,
            "<h2>{}</h2><ul>",
            w.t("Ошибки во входе", "Bad input lines")
        );
    }
    out
}

/// One bad input line of the group report.
pub fn group_error(e: &GroupError, lang: Lang) -> String {
    let w = Words { lang };
    format!(
        "<li>{} {}: {}</li>\n",
        w.t("строка", "line"),
        e.line,
        esc(&e.error)
    )
}

/// After the bad input lines.
pub fn group_tail(report: &GroupSummary) -> String {
    let end = if report.errors > 0 { "</ul>\n" } else { "" };
    format!("{end}{PAGE_END}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("1")</script> & 'x'"#),
            "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; &#39;x&#39;"
        );
    }
}

//! Markdown question collections as they are commonly written on GitHub.
//!
//! - `## Topic` headings group questions (a `# Title` is a topic only when there is no `##`);
//! - a question is a heading that ends in `?` (or any `###`-or-deeper heading), or a bold line
//!   (`**What is X?**`, `1. **What is X?**`) that ends in `?`, is numbered or has a level mark;
//! - the answer runs up to the next question or topic; `<details><summary>` blocks either hold
//!   the answer (summary "Answer", "Ответ", ...) or are a question (summary) with its answer;
//! - level marks 👶 / ⭐️ / 🚀 and `[E]` / `[M]` / `[H]` mean junior / middle / senior.
//!
//! Placeholder answers ("Answer here", empty, cut short) are imported without a rubric.

use super::{Imported, Parsed};
use crate::bank::{Level, Question};
use crate::rubric::draft::slug;

struct Open {
    question: String,
    levels: Vec<Level>,
    topic: Option<String>,
    lines: Vec<String>,
}

/// Summaries that label an answer block rather than ask a question.
const ANSWER_SUMMARIES: &[&str] = &[
    "answer",
    "show answer",
    "click to expand",
    "click to see the answer",
    "solution",
    "details",
    "ответ",
    "показать ответ",
    "решение",
    "подробнее",
    "спойлер",
];

/// Take level marks out of a line: the cleaned text and the levels found.
fn take_levels(text: &str) -> (String, Vec<Level>) {
    let mut levels = Vec::new();
    let mut out = text.to_owned();
    for (mark, level) in [
        ("👶", Level::Junior),
        ("⭐\u{fe0f}", Level::Middle),
        ("⭐", Level::Middle),
        ("🚀", Level::Senior),
        ("[E]", Level::Junior),
        ("[e]", Level::Junior),
        ("[M]", Level::Middle),
        ("[m]", Level::Middle),
        ("[H]", Level::Senior),
        ("[h]", Level::Senior),
    ] {
        if out.contains(mark) {
            out = out.replace(mark, " ");
            if !levels.contains(&level) {
                levels.push(level);
            }
        }
    }
    levels.sort();
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (out, levels)
}

/// Strip numbering ("1.", "Q1:", "Q:") and emphasis around a question.
fn clean(text: &str) -> String {
    let mut text = text
        .trim()
        .trim_matches(|c: char| c == '*' || c == '_')
        .trim();
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = text[digits..]
            .strip_prefix('.')
            .or_else(|| text[digits..].strip_prefix(')'))
        {
            text = rest.trim_start();
        }
    }
    for prefix in ["Q:", "q:", "Question:", "Вопрос:"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.trim_start();
        }
    }
    text.trim_matches(|c: char| c == '*' || c == '_')
        .trim()
        .to_owned()
}

/// `(level, text)` of an ATX heading.
fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some((hashes, rest.trim().trim_end_matches('#').trim()))
}

/// The text of a line that is bold and nothing else (after an optional list marker).
fn bold_line(line: &str) -> Option<&str> {
    let mut text = line.trim();
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        text = text[digits..]
            .strip_prefix('.')
            .or_else(|| text[digits..].strip_prefix(')'))?
            .trim_start();
    } else if let Some(rest) = text.strip_prefix("- ").or_else(|| text.strip_prefix("* ")) {
        text = rest.trim_start();
    }
    for mark in ["**", "__"] {
        if let Some(inner) = text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark)) {
            if !inner.contains(mark) && !inner.trim().is_empty() {
                return Some(inner.trim());
            }
        }
    }
    None
}

fn has_letters(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphabetic()).count() >= 3
}

fn strip_tags(line: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Parse a Markdown collection.
pub fn parse(text: &str, source: &str) -> Parsed {
    let has_h2 = text
        .lines()
        .any(|l| heading(l).is_some_and(|(n, _)| n == 2));
    let mut parsed = Parsed::default();
    let mut topic: Option<String> = None;
    let mut open: Option<Open> = None;
    let mut in_fence = false;
    let mut without_level = 0usize;
    let mut finish = |open: &mut Option<Open>, parsed: &mut Parsed| {
        if let Some(done) = open.take() {
            if done.levels.is_empty() {
                without_level += 1;
            }
            parsed.items.push(finished(done, source));
        }
    };
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            if let Some(o) = open.as_mut() {
                o.lines.push(line.to_owned());
            }
            continue;
        }
        if in_fence {
            if let Some(o) = open.as_mut() {
                o.lines.push(line.to_owned());
            }
            continue;
        }
        // <details><summary>…</summary>: an answer block, or a question with its answer.
        if let Some(start) = trimmed.find("<summary>") {
            let end = trimmed.find("</summary>").unwrap_or(trimmed.len());
            let summary = strip_tags(&trimmed[start + "<summary>".len()..end.max(start + 9)]);
            let (summary, levels) = take_levels(&summary);
            let label = clean(&summary).to_lowercase();
            let label = label.trim_end_matches([':', '.', '!']).trim();
            let after = strip_tags(trimmed.get(end + "</summary>".len()..).unwrap_or(""));
            if ANSWER_SUMMARIES.contains(&label) || !has_letters(label) {
                if let Some(o) = open.as_mut() {
                    o.lines.push(after.trim().to_owned());
                }
            } else {
                finish(&mut open, &mut parsed);
                open = Some(Open {
                    question: clean(&summary),
                    levels,
                    topic: topic.clone(),
                    lines: vec![after.trim().to_owned()],
                });
            }
            continue;
        }
        if let Some((depth, title)) = heading(trimmed) {
            let (title, levels) = take_levels(&strip_tags(title));
            let question = clean(&title);
            if depth >= 3 || question.ends_with('?') || !levels.is_empty() {
                if has_letters(&question) {
                    finish(&mut open, &mut parsed);
                    open = Some(Open {
                        question,
                        levels,
                        topic: topic.clone(),
                        lines: Vec::new(),
                    });
                }
                continue;
            }
            if depth == 2 || (depth == 1 && !has_h2) {
                finish(&mut open, &mut parsed);
                topic = Some(slug(&question, 4)).filter(|s| !s.is_empty());
                continue;
            }
            // A document title.
            finish(&mut open, &mut parsed);
            continue;
        }
        if let Some(bold) = bold_line(trimmed) {
            let (text, levels) = take_levels(bold);
            let question = clean(&text);
            let numbered = trimmed.starts_with(|c: char| c.is_ascii_digit())
                || text.trim_start().starts_with(|c: char| c.is_ascii_digit());
            if has_letters(&question) && (question.ends_with('?') || !levels.is_empty() || numbered)
            {
                finish(&mut open, &mut parsed);
                open = Some(Open {
                    question,
                    levels,
                    topic: topic.clone(),
                    lines: Vec::new(),
                });
                continue;
            }
        }
        if let Some(o) = open.as_mut() {
            let text = strip_tags(line);
            let lower = text.to_lowercase();
            if lower.contains("back to top") || lower.contains("наверх") {
                continue;
            }
            o.lines.push(text.trim_end().to_owned());
        }
    }
    finish(&mut open, &mut parsed);
    if without_level > 0 {
        parsed.notes.push(format!(
            "{without_level} questions had no level mark and were tagged middle"
        ));
    }
    parsed
}

fn finished(open: Open, source: &str) -> Imported {
    let mut lines: Vec<&str> = open.lines.iter().map(String::as_str).collect();
    while lines
        .last()
        .is_some_and(|l| l.trim().is_empty() || matches!(l.trim(), "---" | "***" | "___"))
    {
        lines.pop();
    }
    let answer = lines.join("\n").trim().to_owned();
    let mut levels = open.levels;
    if levels.is_empty() {
        levels.push(Level::Middle);
    }
    let lang = super::guess_lang(&open.question).to_owned();
    Imported::checked(Question {
        id: String::new(),
        question: open.question,
        answer,
        levels,
        topics: open.topic.into_iter().collect(),
        lang,
        source: source.to_owned(),
        popularity: None,
        question_en: None,
        answer_en: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_bold_lines_and_markers() {
        let text = "# ML interview\n\n## Classic ML\n\n### 👶 What is overfitting?\n\
                    The model memorises noise.\n\n**2. [H] How does boosting work?**\n\
                    Trees fit residuals one after another.\n\n## Deep learning\n\n\
                    <details><summary>⭐️ What is dropout?</summary>\n\nRandom zeroing of units.\n</details>\n\n\
                    **What is a GAN?**\n<details><summary>Answer</summary>\nTwo nets, a generator and a discriminator.\n</details>\n\n\
                    ### What is attention?\nAnswer here\n";
        let parsed = parse(text, "markdown:x");
        let questions: Vec<&Question> = parsed.items.iter().map(|i| &i.question).collect();
        assert_eq!(questions.len(), 5, "{questions:#?}");
        assert_eq!(questions[0].question, "What is overfitting?");
        assert_eq!(questions[0].levels, vec![Level::Junior]);
        assert_eq!(questions[0].topics, vec!["classic-ml"]);
        assert_eq!(questions[0].answer, "The model memorises noise.");
        assert_eq!(questions[1].question, "How does boosting work?");
        assert_eq!(questions[1].levels, vec![Level::Senior]);
        assert_eq!(questions[2].question, "What is dropout?");
        assert_eq!(questions[2].levels, vec![Level::Middle]);
        assert_eq!(questions[2].topics, vec!["deep-learning"]);
        assert_eq!(questions[2].answer, "Random zeroing of units.");
        assert_eq!(
            questions[3].answer,
            "Two nets, a generator and a discriminator."
        );
        assert!(!parsed.items[4].draft_rubric);
        assert!(parsed.items[..4].iter().all(|i| i.draft_rubric));
    }

    #[test]
    fn broken_markup_does_not_panic() {
        let text = "#\n####### seven\n#no-space?\n<summary>\n</summary><summary>x\n                    <details><summary>Что такое bagging?\nБутстреп и усреднение.\n**\n****\n                    1.\n1. **\n**1)** \n```\nunclosed fence ### Q?\n";
        let parsed = parse(text, "m");
        assert_eq!(parsed.items.len(), 1, "{:?}", parsed.items);
        assert_eq!(parsed.items[0].question.question, "Что такое bagging?");
    }

    #[test]
    fn code_fences_do_not_start_questions() {
        let text = "## Python\n\n**What does this print?**\n```python\n# what is this?\nprint(1)\n```\nIt prints 1.\n";
        let parsed = parse(text, "m");
        assert_eq!(parsed.items.len(), 1);
        assert!(parsed.items[0].question.answer.contains("# what is this?"));
    }
}

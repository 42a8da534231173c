//! Readable feedback for one graded answer, as shown in a terminal.

use std::fmt::Write as _;

use crate::grade::{Grade, GradeFlag};
use crate::rubric::localized;
use crate::ui::{bar, sanitize, Band, Style, Ui};

/// The score line, covered (✓) and missed (✗) concepts with hints, misconceptions, flags.
pub fn render(grade: &Grade, ui: &Ui) -> String {
    let en = ui.lang.is_en();
    let mut out = String::new();
    let style = Band::of(grade.score).style();
    let _ = writeln!(
        out,
        "{} {}  {}",
        ui.paint(Style::Bold, ui.lang.pick("Оценка:", "Score:")),
        ui.paint(style, &format!("{:.0}/100", grade.score)),
        ui.paint(style, &bar(grade.score, 20)),
    );
    for flag in &grade.flags {
        let (ru, english) = flag_note(*flag);
        let note = ui.lang.pick(ru, english);
        let _ = writeln!(out, "{}", ui.paint(Style::Warn, &ui.wrap(note, "")));
    }
    for concept in &grade.covered {
        let label = sanitize(localized(&concept.label, concept.label_en.as_deref(), en));
        let mut line = format!("{} {label}", ui.paint(Style::Good, "✓"));
        if let Some((ru, en)) = concept.found_by.note() {
            line.push_str(&ui.paint(Style::Dim, ui.lang.pick(ru, en)));
        }
        let _ = writeln!(out, "{line}");
    }
    for concept in &grade.missed {
        let label = sanitize(localized(&concept.label, concept.label_en.as_deref(), en));
        let mut line = format!("{} {label}", ui.paint(Style::Bad, "✗"));
        if concept.contradicted {
            line.push_str(&ui.paint(
                Style::Dim,
                ui.lang.pick(" (сказано неверно)", " (stated wrongly)"),
            ));
        } else if concept.negated {
            line.push_str(
                &ui.paint(
                    Style::Dim,
                    ui.lang
                        .pick(" (упомянуто с отрицанием)", " (mentioned as negated)"),
                ),
            );
        }
        let _ = writeln!(out, "{line}");
        let hint = sanitize(localized(&concept.hint, concept.hint_en.as_deref(), en));
        if !hint.trim().is_empty() {
            let _ = writeln!(out, "{}", ui.paint(Style::Dim, &ui.wrap(&hint, "    ")));
        }
    }
    for found in &grade.misconceptions {
        let label = sanitize(localized(&found.label, found.label_en.as_deref(), en));
        let _ = writeln!(
            out,
            "{} {}: {label} (−{:.0})",
            ui.paint(Style::Bad, "!"),
            ui.lang.pick("Заблуждение", "Misconception"),
            found.penalty
        );
        let explanation = sanitize(localized(
            &found.explanation,
            found.explanation_en.as_deref(),
            en,
        ));
        if !explanation.trim().is_empty() {
            let _ = writeln!(
                out,
                "{}",
                ui.paint(Style::Dim, &ui.wrap(&explanation, "    "))
            );
        }
    }
    out
}

/// What a grade flag means, in Russian and English.
pub fn flag_note(flag: GradeFlag) -> (&'static str, &'static str) {
    match flag {
        GradeFlag::Empty => ("Ответ пустой.", "The answer is empty."),
        GradeFlag::NoAnswer => (
            "Ответа нет — посмотрите подсказки ниже.",
            "No answer given: see the hints below.",
        ),
        GradeFlag::OffTopic => (
            "Ответ не затрагивает ключевые идеи вопроса.",
            "The answer does not touch the key ideas of the question.",
        ),
        GradeFlag::KeywordList => (
            "Термины перечислены без объяснений: за объяснение баллов больше.",
            "Terms are listed without explanation: explaining them earns more.",
        ),
        GradeFlag::RequiredMissing => (
            "Нет обязательной идеи, поэтому оценка ограничена.",
            "A required idea is missing, so the score is capped.",
        ),
        GradeFlag::RequiredWrong => (
            "Обязательная идея изложена неверно, поэтому оценка ограничена.",
            "A required idea is stated wrongly, so the score is capped.",
        ),
        GradeFlag::WrongStatements => (
            "Неверные утверждения встречаются больше одного раза, поэтому оценка ограничена.",
            "More than one statement is wrong, so the score is capped.",
        ),
        GradeFlag::Brief => (
            "Ответ слишком краткий: идеи названы, но не раскрыты, поэтому оценка ограничена.",
            "The answer is too brief: its ideas are named but not explained, so the score is capped.",
        ),
        GradeFlag::Injection => (
            "Ответ пытается давать указания проверяющему: это не добавляет баллов.",
            "The answer tries to instruct the grader: that earns nothing.",
        ),
    }
}

/// Labels in the interface language, for machine-readable output.
pub fn labels<'a, T: 'a>(
    items: impl IntoIterator<Item = &'a T>,
    label: impl Fn(&'a T) -> (&'a str, Option<&'a str>),
    en: bool,
) -> Vec<String> {
    items
        .into_iter()
        .map(|item| {
            let (ru, english) = label(item);
            localized(ru, english, en).to_owned()
        })
        .collect()
}

/// A keyword grade as `sobes grade --format json` prints it (and `POST /api/grade` returns it).
pub fn keyword_json(grade: &Grade, question_id: &str) -> serde_json::Value {
    let mut value = serde_json::to_value(grade).unwrap_or(serde_json::Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert("question_id".into(), question_id.into());
        object.insert("method".into(), "keyword".into());
    }
    value
}

/// A question as `sobes questions --format json` lists it (and `GET /api/questions`).
pub fn question_json(
    bank: &crate::bank::Bank,
    q: &crate::bank::Question,
    en: bool,
) -> serde_json::Value {
    serde_json::json!({
        "id": q.id,
        "question": q.text(en),
        "levels": q.levels,
        "topics": q.topics,
        "lang": q.lang,
        "source": q.source,
        "popularity": q.popularity,
        "has_rubric": bank.compiled_rubric(&q.id).is_some(),
    })
}

//! `sobes eval`: how well sobes' grades agree with human grades.
//!
//! Each input line is `{"id", "question_id", "answer", "grade"}` with a human grade on any
//! numeric scale. Human grades are rescaled to 0–100 by the lowest and highest grade in the
//! file (sobes' scores already are 0–100); Pearson and Spearman correlation and the mean
//! absolute error are reported overall and per question, with the answers on which sobes and
//! the human disagree most. Lines that cannot be read are reported; the rest are evaluated.

use std::collections::BTreeMap;
use std::fs;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::app::AppContext;
use crate::bank::Bank;
use crate::cli::{EvalArgs, EvalFormat};
use crate::error::{ExitStatus, InputError};

/// One graded answer with both grades.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub line: usize,
    pub id: Value,
    pub question_id: String,
    /// The human grade as given.
    pub grade: f64,
    /// The human grade rescaled to 0–100.
    pub human: f64,
    /// sobes' score, 0–100.
    pub sobes: f64,
    pub answer: String,
}

/// Agreement figures for a set of pairs.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub answers: usize,
    /// `None` when either side has no variance.
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    /// Mean absolute difference on the 0–100 scale.
    pub mae: f64,
    pub mean_human: f64,
    pub mean_sobes: f64,
}

/// Pearson correlation; `None` with fewer than two points or no variance.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= f64::EPSILON || syy <= f64::EPSILON {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their average rank.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman correlation: Pearson on ranks.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

impl Agreement {
    pub fn of<'a>(pairs: impl IntoIterator<Item = &'a Pair>) -> Agreement {
        let (human, sobes): (Vec<f64>, Vec<f64>) =
            pairs.into_iter().map(|p| (p.human, p.sobes)).unzip();
        let n = human.len().max(1) as f64;
        Agreement {
            answers: human.len(),
            pearson: pearson(&human, &sobes),
            spearman: spearman(&human, &sobes),
            mae: human
                .iter()
                .zip(&sobes)
                .map(|(h, s)| (h - s).abs())
                .sum::<f64>()
                / n,
            mean_human: human.iter().sum::<f64>() / n,
            mean_sobes: sobes.iter().sum::<f64>() / n,
        }
    }
}

/// A line that could not be evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct BadLine {
    pub line: usize,
    pub error: String,
}

/// Everything `sobes eval` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub overall: Agreement,
    pub human_min: f64,
    pub human_max: f64,
    pub per_question: BTreeMap<String, Agreement>,
    pub worst: Vec<Pair>,
    pub bad_lines: Vec<BadLine>,
}

/// One input line as read: the answer and its human grade.
#[derive(Debug, Clone)]
struct Line {
    id: Value,
    question_id: String,
    answer: String,
    grade: f64,
}

/// A line read and graded (with sobes' score), or why it could not be.
type Graded = Result<(Line, f64), String>;

/// Read one line and grade it: the line and sobes' score.
fn read_and_grade(line: &str, bank: &Bank, settings: &crate::grade::GradeSettings) -> Graded {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let object = value.as_object().ok_or("not a JSON object")?;
    let id = object.get("id").cloned().unwrap_or(Value::Null);
    let question_id = object
        .get("question_id")
        .and_then(Value::as_str)
        .ok_or("missing \"question_id\"")?;
    let answer = object
        .get("answer")
        .and_then(Value::as_str)
        .ok_or("missing \"answer\"")?;
    let grade = match object.get("grade") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|g| g.is_finite())
    .ok_or("missing or non-numeric \"grade\"")?;
    let rubric = bank.grader_for(question_id).map_err(|e| e.to_string())?;
    let score = crate::grade::grade(rubric, answer, settings).score;
    Ok((
        Line {
            id,
            question_id: question_id.to_owned(),
            answer: answer.to_owned(),
            grade,
        },
        score,
    ))
}

/// Grade every line and compare with the human grades.
pub fn evaluate(
    bank: &Bank,
    settings: &crate::grade::GradeSettings,
    text: &str,
    worst: usize,
) -> Report {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let results: Vec<(usize, Graded)> = lines
        .into_par_iter()
        .map(|(number, line)| (number, read_and_grade(line, bank, settings)))
        .collect();
    let mut bad_lines = Vec::new();
    let mut raw = Vec::new();
    for (line, result) in results {
        match result {
            Ok(r) => raw.push((line, r)),
            Err(error) => bad_lines.push(BadLine { line, error }),
        }
    }
    let human_min = raw
        .iter()
        .map(|(_, r)| r.0.grade)
        .fold(f64::INFINITY, f64::min);
    let human_max = raw
        .iter()
        .map(|(_, r)| r.0.grade)
        .fold(f64::NEG_INFINITY, f64::max);
    let span = human_max - human_min;
    let pairs: Vec<Pair> = raw
        .into_iter()
        .map(|(line, (read, sobes))| Pair {
            line,
            id: read.id,
            question_id: read.question_id,
            grade: read.grade,
            human: if span > 0.0 {
                100.0 * (read.grade - human_min) / span
            } else {
                100.0
            },
            sobes,
            answer: read.answer,
        })
        .collect();
    let mut per_question: BTreeMap<String, Vec<&Pair>> = BTreeMap::new();
    for pair in &pairs {
        per_question
            .entry(pair.question_id.clone())
            .or_default()
            .push(pair);
    }
    let per_question = per_question
        .into_iter()
        .map(|(id, list)| (id, Agreement::of(list)))
        .collect();
    let mut by_gap: Vec<&Pair> = pairs.iter().collect();
    by_gap.sort_by(|a, b| {
        (b.human - b.sobes)
            .abs()
            .total_cmp(&(a.human - a.sobes).abs())
    });
    Report {
        overall: Agreement::of(&pairs),
        human_min,
        human_max,
        per_question,
        worst: by_gap.into_iter().take(worst).cloned().collect(),
        bad_lines,
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"))
}

fn excerpt(text: &str, chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= chars {
        flat
    } else {
        format!("{}…", flat.chars().take(chars).collect::<String>())
    }
}

/// `sobes eval FILE`.
pub fn run(bank: &Bank, args: &EvalArgs, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let bytes = fs::read(&args.file)
        .map_err(|e| InputError::Other(format!("cannot read {}: {e}", args.file.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        what: args.file.display().to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let report = evaluate(bank, &context.config.grading, &text, args.worst);
    for bad in &report.bad_lines {
        eprintln!("{}:{}: {}", args.file.display(), bad.line, bad.error);
    }
    if report.overall.answers == 0 {
        return Err(InputError::Other(format!(
            "{}: no gradable answers (expected lines {{\"id\", \"question_id\", \"answer\", \"grade\"}})",
            args.file.display()
        ))
        .into());
    }
    match args.format {
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        EvalFormat::Text => print!("{}", render(&report, context)),
    }
    Ok(if report.bad_lines.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn render(report: &Report, context: &AppContext) -> String {
    let lang = context.ui.lang;
    let o = &report.overall;
    let mut out = String::new();
    out.push_str(&format!(
        "{} {} ({} {}); {} {}–{} {}\n",
        lang.pick("Ответов:", "Answers:"),
        o.answers,
        report.per_question.len(),
        lang.pick("вопросов", "questions"),
        lang.pick("оценки людей", "human grades"),
        report.human_min,
        report.human_max,
        lang.pick("приведены к 0–100", "rescaled to 0–100"),
    ));
    out.push_str(&format!(
        "Pearson r {}   Spearman {}   MAE {:.1}   {} {:.1} / {:.1}\n\n",
        figure(o.pearson),
        figure(o.spearman),
        o.mae,
        lang.pick("средние (человек / sobes)", "means (human / sobes)"),
        o.mean_human,
        o.mean_sobes
    ));
    out.push_str(lang.pick("По вопросам:\n", "Per question:\n"));
    let width = report
        .per_question
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(8);
    out.push_str(&format!(
        "  {:width$}  {:>5}  {:>8}  {:>8}  {:>6}\n",
        lang.pick("вопрос", "question"),
        "n",
        "pearson",
        "spearman",
        "mae"
    ));
    for (id, a) in &report.per_question {
        out.push_str(&format!(
            "  {:width$}  {:>5}  {:>8}  {:>8}  {:>6.1}\n",
            id,
            a.answers,
            figure(a.pearson),
            figure(a.spearman),
            a.mae
        ));
    }
    if !report.worst.is_empty() {
        out.push_str(lang.pick(
            "\nСильнее всего расходятся:\n",
            "\nLargest disagreements:\n",
        ));
        for p in &report.worst {
            out.push_str(&format!(
                "  {} {}  {}  {} {:.0}  sobes {:.0}\n    {}\n",
                lang.pick("строка", "line"),
                p.line,
                p.question_id,
                lang.pick("человек", "human"),
                p.human,
                p.sobes,
                crate::ui::sanitize(&excerpt(&p.answer, 160))
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_and_spearman_on_known_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 6.0, 8.0, 10.0];
        assert!((pearson(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let z = [5.0, 4.0, 3.0, 2.0, 1.0];
        assert!((pearson(&x, &z).unwrap() + 1.0).abs() < 1e-12);
        // Monotone but not linear: Spearman 1, Pearson below 1.
        let cubes = [1.0, 8.0, 27.0, 64.0, 125.0];
        assert!((spearman(&x, &cubes).unwrap() - 1.0).abs() < 1e-12);
        assert!(pearson(&x, &cubes).unwrap() < 0.99);
        // Hand-computed: x = [1,2,3], y = [1,3,2] gives r = 0.5.
        assert!((pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn ties_share_ranks_and_constant_series_have_no_correlation() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 30.0]), vec![1.5, 3.0, 1.5, 4.0]);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0], &[1.0]), None);
    }
}

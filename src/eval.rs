//! How well sobes' grades agree with human grades (`sobes eval`).
//!
//! Each input line is `{"id", "question_id", "answer", "grade"}` with a human grade on any
//! numeric scale. Human grades are rescaled to 0–100 by the lowest and highest grade in the
//! file (sobes' scores already are 0–100); Pearson and Spearman correlation and the mean
//! absolute error are reported overall and per question, with the answers on which sobes and
//! the human disagree most. Lines that cannot be read are reported; the rest are evaluated.
//!
//! Lines may carry a `kind` (full, paraphrase, stuffing, …): the report then gives the mean
//! score per kind next to the mean human grade, which shows at a glance whether the grader
//! rewards vocabulary or understanding. Clear inversions are pairs of answers to one question
//! that a human grades far apart (4 points of 10 or more) but sobes orders the other way.

use std::collections::BTreeMap;
use std::fs;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::bank::Bank;
use crate::error::InputError;
use crate::output::diagln;
use crate::ui::Lang;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub answer: String,
}

/// Human grades this far apart (on the 0–100 scale: 4 points of 10) make a clear pair.
pub const CLEAR_GAP: f64 = 40.0;

/// Mean grades of the answers of one kind.
#[derive(Debug, Clone, Serialize)]
pub struct KindMeans {
    pub kind: String,
    pub answers: usize,
    /// Mean human grade, 0–100.
    pub mean_human: f64,
    /// Mean sobes score, 0–100.
    pub mean_sobes: f64,
}

/// Pairs on one question that a human grades clearly apart, and how many sobes orders wrongly.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inversions {
    /// Pairs whose human grades differ by at least [`CLEAR_GAP`].
    pub clear_pairs: usize,
    /// Of those, pairs that sobes scores the other way round.
    pub inverted: usize,
    /// Of those, pairs that sobes scores the same.
    pub tied: usize,
    /// `inverted / clear_pairs` (0 when there are no clear pairs).
    pub share: f64,
    /// Inverted pairs by kinds, "weaker kind above stronger kind" (when lines carry kinds).
    pub by_kinds: BTreeMap<String, usize>,
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
    /// Means per kind, in the order kinds first appear (empty when no line has a kind).
    pub per_kind: Vec<KindMeans>,
    pub inversions: Inversions,
    pub worst: Vec<Pair>,
    pub bad_lines: Vec<BadLine>,
}

/// One input line as read: the answer and its human grade.
#[derive(Debug, Clone)]
struct Line {
    id: Value,
    question_id: String,
    kind: Option<String>,
    answer: String,
    grade: f64,
}

/// A line read and graded (with sobes' score), or why it could not be.
type Graded = Result<(Line, f64), String>;

/// Read one line: the answer, its question and its human grade.
fn read_line(line: &str, bank: &Bank) -> Result<Line, String> {
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
    let kind = match object.get("kind") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) if !k.trim().is_empty() => Some(k.trim().to_owned()),
        Some(_) => return Err("\"kind\" must be a non-empty string".into()),
    };
    bank.grader_for(question_id).map_err(|e| e.to_string())?;
    Ok(Line {
        id,
        question_id: question_id.to_owned(),
        kind,
        answer: answer.to_owned(),
        grade,
    })
}

/// Vectors of the semantic channel for every line read, or `None` (with a notice on
/// standard error) when the channel is off or its server fails: grading goes on keyword-only.
fn semantic_inputs(
    embedder: Option<&crate::embed::Embedder>,
    bank: &Bank,
    read: &[(usize, Result<Line, String>)],
) -> Option<Vec<Option<crate::grade::semantic::SemanticInput>>> {
    let embedder = embedder?;
    let jobs: Vec<(&crate::grade::CompiledRubric, &str)> = read
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .filter_map(|l| Some((bank.grader_for(&l.question_id).ok()?, l.answer.as_str())))
        .collect();
    match embedder.semantic_inputs(&jobs) {
        Ok(inputs) => {
            let mut inputs = inputs.into_iter();
            Some(
                read.iter()
                    .map(|(_, r)| r.as_ref().ok().and_then(|_| inputs.next()))
                    .collect(),
            )
        }
        Err(e) => {
            diagln!("notice: semantic channel unavailable ({e}); grading with keywords only");
            None
        }
    }
}

/// What to evaluate beyond the lines themselves.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// How many of the largest disagreements to list.
    pub worst: usize,
    /// Only answers to these questions (all when `None`).
    pub questions: Option<std::collections::HashSet<String>>,
    /// The human scale is 0..=this; by default the lowest to the highest grade given.
    pub grade_max: Option<f64>,
}

/// The question id of a line, read cheaply, to leave out questions outside a split part.
fn question_of(line: &str) -> Option<String> {
    let value: Value = serde_json::from_str(line).ok()?;
    value.get("question_id")?.as_str().map(str::to_owned)
}

/// Grade every line and compare with the human grades.
pub fn evaluate(
    bank: &Bank,
    settings: &crate::grade::GradeSettings,
    text: &str,
    options: &EvalOptions,
    embedder: Option<&crate::embed::Embedder>,
) -> Report {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .filter(|(_, l)| match &options.questions {
            // Lines whose question cannot be read are kept, to be reported as bad.
            Some(keep) => question_of(l).is_none_or(|q| keep.contains(&q)),
            None => true,
        })
        .map(|(i, l)| (i + 1, l))
        .collect();
    let read: Vec<(usize, Result<Line, String>)> = lines
        .into_par_iter()
        .map(|(number, line)| (number, read_line(line, bank)))
        .collect();
    let semantic = semantic_inputs(embedder, bank, &read);
    let threshold = embedder.map_or(1.0, |e| e.threshold());
    let results: Vec<(usize, Graded)> = read
        .into_par_iter()
        .enumerate()
        .map(|(i, (number, line))| {
            let graded = line.and_then(|line| {
                let rubric = bank
                    .grader_for(&line.question_id)
                    .map_err(|e| e.to_string())?;
                let input = semantic
                    .as_ref()
                    .and_then(|s| s[i].as_ref())
                    .map(|input| (input, threshold));
                let score = crate::grade::grade_with(rubric, &line.answer, settings, input).score;
                Ok((line, score))
            });
            (number, graded)
        })
        .collect();
    let mut bad_lines = Vec::new();
    let mut raw = Vec::new();
    for (line, result) in results {
        match result {
            Ok(r) => raw.push((line, r)),
            Err(error) => bad_lines.push(BadLine { line, error }),
        }
    }
    let (human_min, human_max) = match options.grade_max {
        Some(max) => (0.0, max),
        None => (
            raw.iter()
                .map(|(_, r)| r.0.grade)
                .fold(f64::INFINITY, f64::min),
            raw.iter()
                .map(|(_, r)| r.0.grade)
                .fold(f64::NEG_INFINITY, f64::max),
        ),
    };
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
            kind: read.kind,
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
        per_kind: per_kind(&pairs),
        inversions: inversions(&pairs),
        worst: by_gap.into_iter().take(options.worst).cloned().collect(),
        bad_lines,
    }
}

/// Mean human grade and sobes score per kind, kinds in the order they first appear.
fn per_kind(pairs: &[Pair]) -> Vec<KindMeans> {
    let mut out: Vec<KindMeans> = Vec::new();
    for pair in pairs {
        let Some(kind) = &pair.kind else { continue };
        let entry = match out.iter().position(|k| &k.kind == kind) {
            Some(i) => &mut out[i],
            None => {
                out.push(KindMeans {
                    kind: kind.clone(),
                    answers: 0,
                    mean_human: 0.0,
                    mean_sobes: 0.0,
                });
                out.last_mut().expect("just pushed")
            }
        };
        entry.answers += 1;
        entry.mean_human += pair.human;
        entry.mean_sobes += pair.sobes;
    }
    for k in &mut out {
        k.mean_human /= k.answers as f64;
        k.mean_sobes /= k.answers as f64;
    }
    out
}

/// Clear pairs on one question (human grades [`CLEAR_GAP`] or more apart) that sobes orders
/// the other way.
fn inversions(pairs: &[Pair]) -> Inversions {
    let mut by_question: BTreeMap<&str, Vec<&Pair>> = BTreeMap::new();
    for pair in pairs {
        by_question.entry(&pair.question_id).or_default().push(pair);
    }
    let mut out = Inversions::default();
    for answers in by_question.values() {
        for better in answers {
            for worse in answers {
                if better.human - worse.human < CLEAR_GAP - 1e-9 {
                    continue;
                }
                out.clear_pairs += 1;
                if better.sobes == worse.sobes {
                    out.tied += 1;
                } else if better.sobes < worse.sobes {
                    out.inverted += 1;
                    if let (Some(low), Some(high)) = (&worse.kind, &better.kind) {
                        *out.by_kinds.entry(format!("{low} > {high}")).or_default() += 1;
                    }
                }
            }
        }
    }
    if out.clear_pairs > 0 {
        out.share = out.inverted as f64 / out.clear_pairs as f64;
    }
    out
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

/// The question ids of `part` in a split file (`part = ["id", …]` per part).
pub fn read_split(
    path: &std::path::Path,
    part: &str,
) -> Result<std::collections::HashSet<String>, InputError> {
    let text = fs::read_to_string(path)
        .map_err(|e| InputError::Other(format!("cannot read {}: {e}", path.display())))?;
    let parts: BTreeMap<String, Vec<String>> = toml::from_str(&text).map_err(|e| {
        InputError::Other(format!(
            "{}: expected `part = [\"question-id\", …]` tables: {}",
            path.display(),
            e.message()
        ))
    })?;
    match parts.get(part) {
        Some(ids) => Ok(ids.iter().cloned().collect()),
        None => Err(InputError::Other(format!(
            "{}: no part {part:?} (parts: {})",
            path.display(),
            parts.keys().cloned().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The report as text, in `lang`.
pub fn render(report: &Report, lang: Lang) -> String {
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
    let inv = &report.inversions;
    out.push_str(&format!(
        "{} {} / {} ({:.1}%){}\n\n",
        lang.pick(
            "Явные инверсии (оценки человека различаются на 4 из 10 и больше, sobes наоборот):",
            "Clear inversions (human grades 4 of 10 or more apart, sobes the other way):"
        ),
        inv.inverted,
        inv.clear_pairs,
        100.0 * inv.share,
        if inv.tied > 0 {
            format!(", {} {}", inv.tied, lang.pick("на равных", "tied"))
        } else {
            String::new()
        }
    ));
    if !report.per_kind.is_empty() {
        out.push_str(lang.pick("По видам ответов:\n", "Per kind:\n"));
        let width = report
            .per_kind
            .iter()
            .map(|k| k.kind.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        out.push_str(&format!(
            "  {:width$}  {:>5}  {:>6}  {:>6}\n",
            lang.pick("вид", "kind"),
            "n",
            lang.pick("чел.", "human"),
            "sobes"
        ));
        for k in &report.per_kind {
            out.push_str(&format!(
                "  {:width$}  {:>5}  {:>6.1}  {:>6.1}\n",
                k.kind, k.answers, k.mean_human, k.mean_sobes
            ));
        }
        if !inv.by_kinds.is_empty() {
            let mut pairs: Vec<(&String, &usize)> = inv.by_kinds.iter().collect();
            pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            out.push_str(lang.pick("Инверсии по видам: ", "Inversions by kinds: "));
            out.push_str(
                &pairs
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out.push('\n');
        }
        out.push('\n');
    }
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

    fn pair(question: &str, kind: &str, human: f64, sobes: f64) -> Pair {
        Pair {
            line: 0,
            id: Value::Null,
            question_id: question.into(),
            grade: human / 10.0,
            human,
            sobes,
            kind: Some(kind.into()),
            answer: String::new(),
        }
    }

    #[test]
    fn inversions_count_only_clear_pairs_on_one_question() {
        let pairs = [
            pair("q1", "full", 100.0, 80.0),
            pair("q1", "stuffing", 20.0, 90.0), // clear pair with full, inverted
            pair("q1", "partial", 70.0, 10.0), // 30 from full: not clear; 50 above stuffing: inverted
            pair("q1", "offtopic", 0.0, 10.0), // clear with full (right order) and partial (tied)
            pair("q2", "offtopic", 0.0, 99.0), // other question: never paired with q1
        ];
        let inv = inversions(&pairs);
        // Clear pairs: full>stuffing, full>offtopic, partial>stuffing, partial>offtopic.
        assert_eq!(inv.clear_pairs, 4);
        assert_eq!(inv.inverted, 2);
        assert_eq!(inv.tied, 1);
        assert!((inv.share - 0.5).abs() < 1e-12);
        assert_eq!(inv.by_kinds["stuffing > full"], 1);
        assert_eq!(inv.by_kinds["stuffing > partial"], 1);
    }

    #[test]
    fn means_per_kind_keep_first_seen_order() {
        let pairs = [
            pair("q1", "full", 100.0, 80.0),
            pair("q2", "stuffing", 20.0, 90.0),
            pair("q2", "full", 90.0, 60.0),
        ];
        let kinds = per_kind(&pairs);
        assert_eq!(kinds.len(), 2);
        assert_eq!(kinds[0].kind, "full");
        assert_eq!(kinds[0].answers, 2);
        assert!((kinds[0].mean_human - 95.0).abs() < 1e-12);
        assert!((kinds[0].mean_sobes - 70.0).abs() < 1e-12);
        assert_eq!(kinds[1].kind, "stuffing");
    }
}

//! The teacher's report of a graded batch: per question the score distribution and the ideas
//! most often missed; per answer its score and what to add.
//!
//! A batch can have millions of answers, so the report is built as the batch is graded: a
//! [`GroupCollector`] keeps per question only a count of each distinct score and of each missed
//! idea, and writes each answer's row (and each bad line) to an unlinked scratch file at once.
//! [`GroupCollector::finish`] then writes the head, which needs the totals, and copies the rows
//! after it. The result is the same document a report built in memory would be.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::Path;

use serde::Serialize;

use crate::bank::Bank;
use crate::batch::LineResult;
use crate::rubric::localized;
use crate::ui::Lang;

use super::{html, markdown, round1, ReportFormat};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissedCount {
    pub concept_id: String,
    pub label: String,
    pub missed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionStats {
    pub question_id: String,
    pub question: String,
    pub count: usize,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Answers scoring 0–19, 20–39, 40–59, 60–79, 80–100.
    pub histogram: [usize; 5],
    pub most_missed: Vec<MissedCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAnswer {
    /// The input's `id`, as text (`line N` when it had none).
    pub id: String,
    pub question_id: String,
    pub score: f64,
    pub covered: Vec<String>,
    pub missed: Vec<String>,
    pub misconceptions: Vec<String>,
    pub feedback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupError {
    pub line: usize,
    pub error: String,
}

/// What the report says before its rows: the totals and the per-question statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSummary {
    pub lang: Lang,
    pub answers: usize,
    pub errors: usize,
    pub questions: Vec<QuestionStats>,
}

/// How many missed ideas each question lists.
const MOST_MISSED: usize = 5;

/// One question's answers so far: how many had each score, and each missed idea.
#[derive(Debug, Default)]
struct Tally {
    /// Distinct scores in the order of `f64::total_cmp`, each with its count.
    scores: BTreeMap<i64, (f64, usize)>,
    count: usize,
    /// Missed concept id → (label, times missed).
    missed: BTreeMap<String, (String, usize)>,
}

/// A key whose order is `f64::total_cmp`'s.
fn total_order_key(value: f64) -> i64 {
    let bits = value.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// Builds a group report while a batch is graded; see the module documentation.
pub struct GroupCollector {
    format: ReportFormat,
    lang: Lang,
    by_question: BTreeMap<String, Tally>,
    answers: BufWriter<File>,
    errors: BufWriter<File>,
    answer_count: usize,
    error_count: usize,
}

impl GroupCollector {
    /// A collector whose scratch files go to the temporary directory (else `scratch_dir`).
    pub fn new(format: ReportFormat, lang: Lang, scratch_dir: &Path) -> io::Result<Self> {
        let scratch = || crate::output::scratch_file(scratch_dir).map(BufWriter::new);
        Ok(GroupCollector {
            format,
            lang,
            by_question: BTreeMap::new(),
            answers: scratch()?,
            errors: scratch()?,
            answer_count: 0,
            error_count: 0,
        })
    }

    /// Add one result. `output` is the batch's output object when it is not the keyword
    /// grade's (an LLM graded too): its `score` and `llm_feedback` take precedence.
    pub fn add(
        &mut self,
        result: &LineResult,
        output: Option<&serde_json::Value>,
    ) -> io::Result<()> {
        let en = self.lang.is_en();
        match &result.outcome {
            Err(error) => {
                let error = GroupError {
                    line: result.line,
                    error: error.clone(),
                };
                let row = match self.format {
                    ReportFormat::Md => markdown::group_error(&error, self.lang),
                    ReportFormat::Html => html::group_error(&error, self.lang),
                    ReportFormat::Json => json_element(&error, self.error_count == 0),
                };
                self.errors.write_all(row.as_bytes())?;
                self.error_count += 1;
            }
            Ok(grade) => {
                let question_id = result.question_id.clone().unwrap_or_default();
                let score = output
                    .and_then(|o| o.get("score"))
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(grade.score);
                let tally = self.by_question.entry(question_id.clone()).or_default();
                tally.count += 1;
                tally
                    .scores
                    .entry(total_order_key(score))
                    .or_insert((score, 0))
                    .1 += 1;
                for concept in &grade.missed {
                    if let Some((_, count)) = tally.missed.get_mut(&concept.id) {
                        *count += 1;
                    } else {
                        let label = localized(&concept.label, concept.label_en.as_deref(), en);
                        tally
                            .missed
                            .insert(concept.id.clone(), (label.to_owned(), 1));
                    }
                }
                let label =
                    |label: &str, english: Option<&str>| localized(label, english, en).to_owned();
                let answer = GroupAnswer {
                    id: match &result.id {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => format!("line {}", result.line),
                    },
                    question_id,
                    score: round1(score),
                    covered: grade
                        .covered
                        .iter()
                        .map(|c| label(&c.label, c.label_en.as_deref()))
                        .collect(),
                    missed: grade
                        .missed
                        .iter()
                        .map(|c| label(&c.label, c.label_en.as_deref()))
                        .collect(),
                    misconceptions: grade
                        .misconceptions
                        .iter()
                        .map(|m| label(&m.label, m.label_en.as_deref()))
                        .collect(),
                    feedback: output
                        .and_then(|o| o.get("llm_feedback"))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned),
                };
                let row = match self.format {
                    ReportFormat::Md => markdown::group_answer(&answer),
                    ReportFormat::Html => html::group_answer(&answer),
                    ReportFormat::Json => json_element(&answer, self.answer_count == 0),
                };
                self.answers.write_all(row.as_bytes())?;
                self.answer_count += 1;
            }
        }
        Ok(())
    }

    /// The totals and per-question statistics of everything added.
    pub fn summary(&self, bank: &Bank) -> GroupSummary {
        let en = self.lang.is_en();
        GroupSummary {
            lang: self.lang,
            answers: self.answer_count,
            errors: self.error_count,
            questions: self
                .by_question
                .iter()
                .map(|(question_id, tally)| question_stats(bank, question_id, tally, en))
                .collect(),
        }
    }

    /// Write the whole report to `out`.
    pub fn finish(self, bank: &Bank, out: &mut impl Write) -> io::Result<()> {
        let summary = self.summary(bank);
        let (head, middle, tail) = match self.format {
            ReportFormat::Md => (
                markdown::group_head(&summary),
                markdown::group_middle(&summary),
                String::new(),
            ),
            ReportFormat::Html => (
                html::group_head(&summary),
                html::group_middle(&summary),
                html::group_tail(&summary),
            ),
            ReportFormat::Json => (
                json_head(&summary),
                json_middle(&summary),
                json_tail(&summary),
            ),
        };
        out.write_all(head.as_bytes())?;
        copy_scratch(self.answers, out)?;
        out.write_all(middle.as_bytes())?;
        copy_scratch(self.errors, out)?;
        out.write_all(tail.as_bytes())
    }
}

fn copy_scratch(scratch: BufWriter<File>, out: &mut impl Write) -> io::Result<()> {
    let mut file = scratch
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    io::copy(&mut io::BufReader::new(file), out)?;
    Ok(())
}

fn question_stats(bank: &Bank, question_id: &str, tally: &Tally, en: bool) -> QuestionStats {
    let count = tally.count;
    // The score at a 0-based rank of the sorted scores.
    let at_rank = |rank: usize| {
        let mut seen = 0;
        for (score, n) in tally.scores.values() {
            seen += n;
            if rank < seen {
                return *score;
            }
        }
        0.0
    };
    let median = if count == 0 {
        0.0
    } else if count % 2 == 1 {
        at_rank(count / 2)
    } else {
        (at_rank(count / 2 - 1) + at_rank(count / 2)) / 2.0
    };
    let mut histogram = [0usize; 5];
    // Summed in ascending order, one by one, as a sorted list of the scores would be.
    let mut sum = 0.0;
    for (score, n) in tally.scores.values() {
        histogram[((score / 20.0).floor() as usize).min(4)] += n;
        for _ in 0..*n {
            sum += score;
        }
    }
    let mut most_missed: Vec<MissedCount> = tally
        .missed
        .iter()
        .map(|(concept_id, (label, missed))| MissedCount {
            concept_id: concept_id.clone(),
            label: label.clone(),
            missed: *missed,
        })
        .collect();
    most_missed.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then(a.concept_id.cmp(&b.concept_id))
    });
    most_missed.truncate(MOST_MISSED);
    QuestionStats {
        question: bank
            .question(question_id)
            .map(|q| q.text(en).to_owned())
            .unwrap_or_default(),
        question_id: question_id.to_owned(),
        count,
        mean: round1(sum / count.max(1) as f64),
        median: round1(median),
        min: tally.scores.values().next().map_or(0.0, |(s, _)| *s),
        max: tally.scores.values().next_back().map_or(0.0, |(s, _)| *s),
        histogram,
        most_missed,
    }
}

// The JSON report is the pretty-printed object {schema_version, kind, lang, questions,
// answers, errors}, written in pieces: each value is pretty-printed alone and indented to its
// depth, which is exactly what printing the whole object at once gives.

fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

/// `text` with every line after the first indented by `indent` spaces.
fn indent_rest(text: &str, indent: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(indent)))
}

/// An element of a top-level array: after a comma unless it is the first, indented by four.
fn json_element<T: Serialize>(value: &T, first: bool) -> String {
    let separator = if first { "" } else { ",\n" };
    format!("{separator}    {}", indent_rest(&pretty(value), 4))
}

fn json_head(summary: &GroupSummary) -> String {
    format!(
        "{{\n  \"schema_version\": {},\n  \"kind\": \"group\",\n  \"lang\": {},\n  \"questions\": {},\n  \"answers\": {}",
        super::SCHEMA_VERSION,
        serde_json::to_string(&summary.lang).unwrap_or_default(),
        indent_rest(&pretty(&summary.questions), 2),
        if summary.answers == 0 { "[]" } else { "[\n" }
    )
}

fn json_middle(summary: &GroupSummary) -> String {
    format!(
        "{},\n  \"errors\": {}",
        if summary.answers == 0 { "" } else { "\n  ]" },
        if summary.errors == 0 { "[]" } else { "[\n" }
    )
}

fn json_tail(summary: &GroupSummary) -> String {
    format!("{}\n}}\n", if summary.errors == 0 { "" } else { "\n  ]" })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report as one value, as it was serialised before it was streamed.
    #[derive(Serialize)]
    struct Whole<'a> {
        schema_version: u32,
        kind: &'static str,
        lang: Lang,
        questions: &'a [QuestionStats],
        answers: &'a [GroupAnswer],
        errors: &'a [GroupError],
    }

    fn answer(id: &str, feedback: Option<&str>) -> GroupAnswer {
        GroupAnswer {
            id: id.into(),
            question_id: "dbscan".into(),
            score: 53.5,
            covered: vec!["a \"quoted\"\nlabel".into()],
            missed: vec![],
            misconceptions: vec!["m".into()],
            feedback: feedback.map(str::to_owned),
        }
    }

    fn streamed(summary: &GroupSummary, answers: &[GroupAnswer], errors: &[GroupError]) -> String {
        let mut text = json_head(summary);
        for (i, a) in answers.iter().enumerate() {
            text.push_str(&json_element(a, i == 0));
        }
        text.push_str(&json_middle(summary));
        for (i, e) in errors.iter().enumerate() {
            text.push_str(&json_element(e, i == 0));
        }
        text.push_str(&json_tail(summary));
        text
    }

    #[test]
    fn json_in_pieces_equals_the_whole_object_pretty_printed() {
        let question = QuestionStats {
            question_id: "dbscan".into(),
            question: "Что такое DBSCAN?".into(),
            count: 2,
            mean: 26.8,
            median: 26.8,
            min: 0.0,
            max: 53.5,
            histogram: [1, 0, 1, 0, 0],
            most_missed: vec![MissedCount {
                concept_id: "eps".into(),
                label: "eps".into(),
                missed: 2,
            }],
        };
        let answers = [answer("1", None), answer("two", Some("ok"))];
        let errors = [
            GroupError {
                line: 3,
                error: "line 3 is not valid JSON".into(),
            },
            GroupError {
                line: 9,
                error: "x".into(),
            },
        ];
        for (q, a, e) in [(1, 2, 2), (1, 2, 0), (0, 0, 2), (0, 0, 0), (1, 1, 1)] {
            let questions = vec![question.clone(); q];
            let summary = GroupSummary {
                lang: Lang::En,
                answers: a,
                errors: e,
                questions: questions.clone(),
            };
            let mut whole = serde_json::to_string_pretty(&Whole {
                schema_version: super::super::SCHEMA_VERSION,
                kind: "group",
                lang: Lang::En,
                questions: &questions,
                answers: &answers[..a],
                errors: &errors[..e],
            })
            .unwrap();
            whole.push('\n');
            assert_eq!(streamed(&summary, &answers[..a], &errors[..e]), whole);
        }
    }

    #[test]
    fn scores_are_ordered_as_total_cmp_orders_them() {
        let mut values = [3.5, -0.0, 0.0, 100.0, -2.0, 53.5, f64::INFINITY];
        let mut keys: Vec<i64> = values.iter().map(|v| total_order_key(*v)).collect();
        keys.sort_unstable();
        values.sort_by(f64::total_cmp);
        let from_keys: Vec<i64> = values.iter().map(|v| total_order_key(*v)).collect();
        assert_eq!(keys, from_keys);
    }
}

//! The teacher's report of a graded batch: per question the score distribution and the ideas
//! most often missed; per answer its score and what to add.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bank::Bank;
use crate::batch::LineResult;
use crate::rubric::localized;
use crate::ui::Lang;

use super::round1;

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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    pub schema_version: u32,
    pub kind: &'static str,
    pub lang: Lang,
    pub questions: Vec<QuestionStats>,
    pub answers: Vec<GroupAnswer>,
    pub errors: Vec<GroupError>,
}

/// How many missed ideas each question lists.
const MOST_MISSED: usize = 5;

impl GroupReport {
    /// `outputs` are the batch's output objects, one per result: their `score` (blended when an
    /// LLM graded too) and `llm_feedback` take precedence over the keyword grade's.
    pub fn new(
        bank: &Bank,
        results: &[LineResult],
        outputs: &[serde_json::Value],
        lang: Lang,
    ) -> GroupReport {
        let en = lang.is_en();
        let mut answers = Vec::new();
        let mut errors = Vec::new();
        let mut by_question: BTreeMap<String, Vec<(f64, &LineResult)>> = BTreeMap::new();
        for (index, result) in results.iter().enumerate() {
            let output = outputs.get(index);
            match &result.outcome {
                Err(error) => errors.push(GroupError {
                    line: result.line,
                    error: error.clone(),
                }),
                Ok(grade) => {
                    let question_id = result.question_id.clone().unwrap_or_default();
                    let score = output
                        .and_then(|o| o.get("score"))
                        .and_then(serde_json::Value::as_f64)
                        .unwrap_or(grade.score);
                    by_question
                        .entry(question_id.clone())
                        .or_default()
                        .push((score, result));
                    let label = |label: &str, english: Option<&str>| {
                        localized(label, english, en).to_owned()
                    };
                    answers.push(GroupAnswer {
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
                    });
                }
            }
        }
        let questions = by_question
            .into_iter()
            .map(|(question_id, results)| question_stats(bank, question_id, &results, en))
            .collect();
        GroupReport {
            schema_version: super::SCHEMA_VERSION,
            kind: "group",
            lang,
            questions,
            answers,
            errors,
        }
    }
}

fn question_stats(
    bank: &Bank,
    question_id: String,
    results: &[(f64, &LineResult)],
    en: bool,
) -> QuestionStats {
    let mut scores: Vec<f64> = results.iter().map(|(score, _)| *score).collect();
    scores.sort_by(f64::total_cmp);
    let count = scores.len();
    let median = if count == 0 {
        0.0
    } else if count % 2 == 1 {
        scores[count / 2]
    } else {
        (scores[count / 2 - 1] + scores[count / 2]) / 2.0
    };
    let mut histogram = [0usize; 5];
    for score in &scores {
        histogram[((score / 20.0).floor() as usize).min(4)] += 1;
    }
    let mut missed: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for (_, result) in results {
        if let Ok(grade) = &result.outcome {
            for concept in &grade.missed {
                missed
                    .entry(concept.id.clone())
                    .or_insert_with(|| {
                        (
                            localized(&concept.label, concept.label_en.as_deref(), en).to_owned(),
                            0,
                        )
                    })
                    .1 += 1;
            }
        }
    }
    let mut most_missed: Vec<MissedCount> = missed
        .into_iter()
        .map(|(concept_id, (label, missed))| MissedCount {
            concept_id,
            label,
            missed,
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
            .question(&question_id)
            .map(|q| q.text(en).to_owned())
            .unwrap_or_default(),
        question_id,
        count,
        mean: round1(scores.iter().sum::<f64>() / count.max(1) as f64),
        median: round1(median),
        min: scores.first().copied().unwrap_or(0.0),
        max: scores.last().copied().unwrap_or(0.0),
        histogram,
        most_missed,
    }
}

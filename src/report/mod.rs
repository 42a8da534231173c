//! Feedback reports: one session, progress over all sessions, and a group report of a batch.
//!
//! Each report is first built as plain data ([`SessionReport`], [`ProgressReport`]) in the
//! interface language; the JSON format is that data as is (with a `schema_version`), and the
//! Markdown and HTML renderers only lay it out. The group report of a batch is the same, built
//! as the batch is graded ([`GroupCollector`](group::GroupCollector)).

pub mod group;
pub mod html;
pub mod markdown;
pub mod svg;
pub mod write;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bank::Level;
use crate::history::{AnswerRecord, SessionRow, StoredSession};
use crate::rubric::localized;
use crate::session::progress::{Progress, Trend};
use crate::session::summary::{LevelEstimate, LevelThresholds, Mean, Summary, WeakTopic};
use crate::ui::Lang;

/// Bumped when a field is renamed or removed or changes meaning; adding fields keeps it.
pub const SCHEMA_VERSION: u32 = 1;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
    Json,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Md => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }

    /// The format a file name asks for, if its extension is one we write.
    pub fn from_path(path: &std::path::Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()?.to_lowercase().as_str() {
            "md" | "markdown" => Some(ReportFormat::Md),
            "html" | "htm" => Some(ReportFormat::Html),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }
}

/// One idea of the rubric, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptLine {
    pub id: String,
    pub label: String,
    /// Covered: whether it was explained rather than only named. Missed: always false.
    pub explained: bool,
    /// Covered: how the answer says it (term, claim, own words, bare, listed, semantic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_by: Option<crate::grade::FoundBy>,
    /// Missed: what to add.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hint: String,
    /// Revealed by `:hint` before the answer was sent.
    pub hinted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MisconceptionLine {
    pub id: String,
    pub label: String,
    pub explanation: String,
    pub penalty: f64,
}

/// One question of a session with its answer and grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerSection {
    pub position: usize,
    pub question_id: String,
    pub question: String,
    pub level: Level,
    pub topics: Vec<String>,
    pub answer: String,
    pub skipped: bool,
    pub score: f64,
    pub keyword_score: f64,
    pub llm_score: Option<f64>,
    pub llm_feedback: Option<String>,
    pub method: crate::history::Method,
    pub seconds: f64,
    pub answered_at: String,
    pub covered: Vec<ConceptLine>,
    pub missed: Vec<ConceptLine>,
    pub misconceptions: Vec<MisconceptionLine>,
    pub flags: Vec<crate::grade::GradeFlag>,
    pub reference: String,
}

impl AnswerSection {
    pub fn of(record: &AnswerRecord, en: bool) -> AnswerSection {
        let grade = &record.grade;
        AnswerSection {
            position: record.position,
            question_id: record.question_id.clone(),
            question: record.question.clone(),
            level: record.level,
            topics: record.topics.clone(),
            answer: record.answer.clone(),
            skipped: record.is_skipped(),
            score: round1(record.score),
            keyword_score: round1(record.keyword_score),
            llm_score: record.llm_score.map(round1),
            llm_feedback: record.llm_feedback.clone(),
            method: record.method,
            seconds: round1(record.seconds),
            answered_at: record.answered_at.clone(),
            covered: grade
                .covered
                .iter()
                .map(|c| ConceptLine {
                    id: c.id.clone(),
                    label: localized(&c.label, c.label_en.as_deref(), en).to_owned(),
                    explained: c.explained,
                    found_by: Some(c.found_by),
                    hint: String::new(),
                    hinted: record.hints.contains(&c.id),
                })
                .collect(),
            missed: grade
                .missed
                .iter()
                .map(|c| ConceptLine {
                    id: c.id.clone(),
                    label: localized(&c.label, c.label_en.as_deref(), en).to_owned(),
                    explained: false,
                    found_by: None,
                    hint: localized(&c.hint, c.hint_en.as_deref(), en).to_owned(),
                    hinted: record.hints.contains(&c.id),
                })
                .collect(),
            misconceptions: grade
                .misconceptions
                .iter()
                .map(|m| MisconceptionLine {
                    id: m.id.clone(),
                    label: localized(&m.label, m.label_en.as_deref(), en).to_owned(),
                    explanation: localized(&m.explanation, m.explanation_en.as_deref(), en)
                        .to_owned(),
                    penalty: m.penalty,
                })
                .collect(),
            flags: grade.flags.clone(),
            reference: record.reference.clone(),
        }
    }
}

/// The level estimate in report form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateSection {
    /// `null` when below junior.
    pub level: Option<Level>,
    pub close_to: Option<Level>,
    pub means: Vec<LevelMean>,
    pub pass_score: f64,
    pub close_score: f64,
    /// "junior, close to middle".
    pub verdict: String,
    /// "junior 86%, middle 61% → junior, close to middle".
    pub reasoning: String,
}

impl EstimateSection {
    fn of(estimate: &LevelEstimate, en: bool) -> EstimateSection {
        EstimateSection {
            level: estimate.level,
            close_to: estimate.close_to,
            means: estimate
                .means
                .iter()
                .map(|&(level, mean)| LevelMean {
                    level,
                    mean: round1(mean),
                })
                .collect(),
            pass_score: estimate.thresholds.pass,
            close_score: estimate.thresholds.close,
            verdict: estimate.verdict(en),
            reasoning: estimate.reasoning(en),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelMean {
    pub level: Level,
    pub mean: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummarySection {
    pub mean_score: Option<f64>,
    pub answered: usize,
    pub skipped: usize,
    pub total_seconds: f64,
    pub by_level: Vec<Mean>,
    pub by_topic: Vec<Mean>,
    pub estimate: Option<EstimateSection>,
    pub revise: Vec<WeakTopic>,
}

impl SummarySection {
    fn of(summary: &Summary, en: bool) -> SummarySection {
        SummarySection {
            mean_score: summary.mean.map(round1),
            answered: summary.answered,
            skipped: summary.skipped,
            total_seconds: round1(summary.total_seconds),
            by_level: rounded(&summary.by_level),
            by_topic: rounded(&summary.by_topic),
            estimate: summary
                .estimate
                .as_ref()
                .map(|e| EstimateSection::of(e, en)),
            revise: summary
                .weakest
                .iter()
                .map(|w| WeakTopic {
                    mean: round1(w.mean),
                    ..w.clone()
                })
                .collect(),
        }
    }
}

/// A session's point on the progress chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPoint {
    pub id: i64,
    pub started_at: String,
    pub level: String,
    pub mean_score: Option<f64>,
    pub answered: usize,
    pub finished: bool,
}

impl SessionPoint {
    fn of(row: &SessionRow) -> SessionPoint {
        SessionPoint {
            id: row.id,
            started_at: row.started_at.clone(),
            level: row.level.clone(),
            mean_score: row.mean_score.map(round1),
            answered: row.answered + row.skipped,
            finished: row.finished,
        }
    }
}

/// `sobes report`: one session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionReport {
    pub schema_version: u32,
    pub kind: &'static str,
    pub lang: Lang,
    pub session: SessionRow,
    pub answers: Vec<AnswerSection>,
    pub summary: SummarySection,
    /// Every session up to this one, for the progress chart.
    pub progress: Vec<SessionPoint>,
}

impl SessionReport {
    pub fn new(
        stored: &StoredSession,
        history: &[SessionRow],
        thresholds: LevelThresholds,
        lang: Lang,
    ) -> SessionReport {
        let en = lang.is_en();
        let summary = Summary::of(&stored.answers, thresholds, en);
        let mut session = stored.session.clone();
        session.mean_score = session.mean_score.map(round1);
        SessionReport {
            schema_version: SCHEMA_VERSION,
            kind: "session",
            lang,
            answers: stored
                .answers
                .iter()
                .map(|a| AnswerSection::of(a, en))
                .collect(),
            summary: SummarySection::of(&summary, en),
            progress: history
                .iter()
                .filter(|s| s.id <= session.id)
                .map(SessionPoint::of)
                .collect(),
            session,
        }
    }
}

/// A concept missed again and again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakConcept {
    pub question_id: String,
    pub concept_id: String,
    pub label: String,
    pub hint: String,
    /// Answers to this question that missed it.
    pub missed: usize,
    /// Answers to this question.
    pub asked: usize,
}

/// A question whose latest score is below the pass mark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueQuestion {
    pub question_id: String,
    pub question: String,
    pub last_score: f64,
    pub last_answered_at: String,
    pub attempts: usize,
}

/// `sobes progress`: every session in history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressReport {
    pub schema_version: u32,
    pub kind: &'static str,
    pub lang: Lang,
    pub sessions: Vec<SessionPoint>,
    pub answers: usize,
    pub by_level: Vec<Trend>,
    pub by_topic: Vec<Trend>,
    pub estimate: Option<EstimateSection>,
    pub weakest_concepts: Vec<WeakConcept>,
    pub due: Vec<DueQuestion>,
}

/// How many weak concepts and due questions the progress report lists.
const PROGRESS_LIST_LEN: usize = 10;

impl ProgressReport {
    pub fn new(
        sessions: &[SessionRow],
        answers: &[(i64, AnswerRecord)],
        thresholds: LevelThresholds,
        lang: Lang,
    ) -> ProgressReport {
        let en = lang.is_en();
        let progress = Progress::of(answers, thresholds);
        let estimate = progress
            .estimate
            .as_ref()
            .map(|e| EstimateSection::of(e, en));
        let round_trends = |trends: Vec<Trend>| -> Vec<Trend> {
            trends
                .into_iter()
                .map(|t| Trend {
                    first: round1(t.first),
                    recent: round1(t.recent),
                    per_session: t.per_session.into_iter().map(round1).collect(),
                    ..t
                })
                .collect()
        };
        ProgressReport {
            schema_version: SCHEMA_VERSION,
            kind: "progress",
            lang,
            sessions: sessions.iter().map(SessionPoint::of).collect(),
            answers: answers.len(),
            by_level: round_trends(progress.by_level),
            by_topic: round_trends(progress.by_topic),
            estimate,
            weakest_concepts: weakest_concepts(answers, en),
            due: due_questions(answers, thresholds.pass),
        }
    }
}

fn weakest_concepts(answers: &[(i64, AnswerRecord)], en: bool) -> Vec<WeakConcept> {
    let mut asked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut missed: BTreeMap<(&str, &str), (usize, String, String)> = BTreeMap::new();
    for (_, answer) in answers {
        *asked.entry(&answer.question_id).or_default() += 1;
        for concept in &answer.grade.missed {
            let entry = missed
                .entry((&answer.question_id, &concept.id))
                .or_insert_with(|| {
                    (
                        0,
                        localized(&concept.label, concept.label_en.as_deref(), en).to_owned(),
                        localized(&concept.hint, concept.hint_en.as_deref(), en).to_owned(),
                    )
                });
            entry.0 += 1;
        }
    }
    let mut list: Vec<WeakConcept> = missed
        .into_iter()
        .map(|((question, concept), (count, label, hint))| WeakConcept {
            question_id: question.to_owned(),
            concept_id: concept.to_owned(),
            label,
            hint,
            missed: count,
            asked: asked.get(question).copied().unwrap_or(count),
        })
        .collect();
    list.sort_by(|a, b| {
        b.missed
            .cmp(&a.missed)
            .then_with(|| (b.missed * a.asked).cmp(&(a.missed * b.asked)))
            .then_with(|| a.question_id.cmp(&b.question_id))
            .then_with(|| a.concept_id.cmp(&b.concept_id))
    });
    list.truncate(PROGRESS_LIST_LEN);
    list
}

fn due_questions(answers: &[(i64, AnswerRecord)], pass: f64) -> Vec<DueQuestion> {
    let mut latest: BTreeMap<&str, (&AnswerRecord, usize)> = BTreeMap::new();
    for (_, answer) in answers {
        let entry = latest.entry(&answer.question_id).or_insert((answer, 0));
        entry.1 += 1;
        if answer.answered_at >= entry.0.answered_at {
            entry.0 = answer;
        }
    }
    let mut due: Vec<DueQuestion> = latest
        .into_values()
        .filter(|(answer, _)| answer.score < pass)
        .map(|(answer, attempts)| DueQuestion {
            question_id: answer.question_id.clone(),
            question: answer.question.clone(),
            last_score: round1(answer.score),
            last_answered_at: answer.answered_at.clone(),
            attempts,
        })
        .collect();
    due.sort_by(|a, b| {
        a.last_score
            .total_cmp(&b.last_score)
            .then_with(|| a.last_answered_at.cmp(&b.last_answered_at))
    });
    due.truncate(PROGRESS_LIST_LEN);
    due
}

pub(crate) fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn rounded(means: &[Mean]) -> Vec<Mean> {
    means
        .iter()
        .map(|m| Mean {
            mean: round1(m.mean),
            ..m.clone()
        })
        .collect()
}

/// Labels the renderers share, in the report's language.
pub(crate) struct Words {
    pub lang: Lang,
}

impl Words {
    pub fn t<'a>(&self, ru: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(ru, en)
    }

    pub fn duration(&self, seconds: f64) -> String {
        crate::repl::render::duration(seconds)
    }

    pub fn session_state(&self, finished: bool) -> &'static str {
        if finished {
            self.lang.pick("завершена", "finished")
        } else {
            self.lang.pick(
                "не завершена: показаны ответы, данные до обрыва",
                "unfinished: showing the answers given before it stopped",
            )
        }
    }
}

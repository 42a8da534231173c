//! An interview session: the engine that runs it ([`engine`]), which questions to ask
//! ([`pick`]), what the answers add up to ([`summary`]), and its state as data to carry on after
//! a restart ([`resume`]). The session only consumes grades;
//! grading is `grade`'s job and keeping the answers is [`persist`]'s, over `history`.

pub mod engine;
pub mod persist;
pub mod pick;
pub mod progress;
pub mod resume;
pub mod summary;

pub use engine::{Event, Input, LevelChoice, Session, SessionSettings};

use crate::bank::{Bank, Question};
use crate::error::InputError;
use crate::grade::{grade, Grade, GradeSettings};
pub use crate::history::Method;

/// An answer's grade as the session records it: the rubric's grade, and the final score that
/// may blend in a language model's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GradedAnswer {
    pub grade: Grade,
    pub score: f64,
    pub keyword_score: f64,
    pub llm_score: Option<f64>,
    pub llm_feedback: Option<String>,
    /// Keyword, blend or llm ([`Method::Skipped`] only for a skipped question).
    pub method: Method,
    /// Things the candidate should know about how this grade was made (e.g. the LLM was not
    /// reachable), already in the interface language.
    pub notes: Vec<String>,
}

/// Grades one answer to one question. The interview does not care how.
pub trait AnswerGrader {
    /// The final grade of a submitted answer.
    fn grade_answer(&self, question: &Question, answer: &str) -> Result<GradedAnswer, InputError>;
    /// The rubric's grade alone: quick and free, for hints and skipped questions.
    fn rubric_grade(&self, question: &Question, answer: &str) -> Result<Grade, InputError>;
}

/// The keyword rubric alone.
pub struct KeywordGrader<'a> {
    pub bank: &'a Bank,
    pub settings: &'a GradeSettings,
}

impl AnswerGrader for KeywordGrader<'_> {
    fn rubric_grade(&self, question: &Question, answer: &str) -> Result<Grade, InputError> {
        let rubric = self.bank.grader_for(&question.id)?;
        Ok(grade(rubric, answer, self.settings))
    }

    fn grade_answer(&self, question: &Question, answer: &str) -> Result<GradedAnswer, InputError> {
        let grade = self.rubric_grade(question, answer)?;
        Ok(GradedAnswer {
            score: grade.score,
            keyword_score: grade.score,
            grade,
            llm_score: None,
            llm_feedback: None,
            method: Method::Keyword,
            notes: Vec::new(),
        })
    }
}

/// Points taken off for concepts revealed by `:hint` that the answer then covered: a hinted
/// idea earns half of its share of the rubric.
pub fn hint_penalty(grade: &Grade, hinted: &[String]) -> f64 {
    let total: f64 = grade.covered.iter().map(|c| c.weight).sum::<f64>()
        + grade.missed.iter().map(|c| c.weight).sum::<f64>();
    if total <= 0.0 {
        return 0.0;
    }
    grade
        .covered
        .iter()
        .filter(|c| hinted.contains(&c.id))
        .map(|c| 50.0 * c.weight / total)
        .sum()
}

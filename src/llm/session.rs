//! The interview's grader when a model is configured: the rubric grades every answer, the
//! model's score is blended in by the same rules as `grade`, and anything the candidate should
//! know (the model was not reachable, the answer tried to instruct the grader, the two
//! disagree) becomes a note under the feedback.

use super::{BlendFlag, LlmGrader};
use crate::bank::{Bank, Question};
use crate::error::InputError;
use crate::grade::{grade, Grade, GradeSettings};
use crate::messages::Msg;
use crate::session::{AnswerGrader, GradedAnswer};
use crate::ui::Lang;

pub struct BlendingGrader<'a> {
    pub bank: &'a Bank,
    pub settings: &'a GradeSettings,
    pub llm: LlmGrader,
    pub lang: Lang,
}

impl AnswerGrader for BlendingGrader<'_> {
    fn rubric_grade(&self, question: &Question, answer: &str) -> Result<Grade, InputError> {
        let rubric = self.bank.grader_for(&question.id)?;
        Ok(grade(rubric, answer, self.settings))
    }

    fn grade_answer(&self, question: &Question, answer: &str) -> Result<GradedAnswer, InputError> {
        let rubric = self.bank.grader_for(&question.id)?;
        let keyword = grade(rubric, answer, self.settings);
        let blended = self
            .llm
            .grade_answer(question, rubric, answer, &keyword, self.lang);
        let mut notes: Vec<String> = self.llm.take_notices();
        if let Some(reason) = &blended.fallback_reason {
            notes.push(format!("{} {reason}", Msg::LlmNotUsed.text(self.lang)));
        }
        for flag in &blended.flags {
            match flag {
                BlendFlag::Injection => notes.push(Msg::InjectionNote.text(self.lang).to_owned()),
                BlendFlag::Disagreement => notes.push(crate::messages::disagreement(
                    blended.keyword_score,
                    blended.llm_score.unwrap_or(0.0),
                    self.lang,
                )),
                BlendFlag::InventedQuotes => {
                    notes.push(Msg::InventedQuotesNote.text(self.lang).to_owned())
                }
                BlendFlag::LlmFallback => {}
            }
        }
        Ok(GradedAnswer {
            score: blended.score,
            keyword_score: blended.keyword_score,
            llm_score: blended.llm_score,
            llm_feedback: blended.llm_feedback.clone(),
            method: blended.method.into(),
            notes,
            grade: keyword,
        })
    }
}

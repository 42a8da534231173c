//! `grade --batch`: a JSONL file of answers graded on all cores, one result per input line,
//! read, graded and written as it goes ([`pipeline`]), so memory does not depend on its size.

pub mod pipeline;
pub mod run;

use serde_json::{json, Map, Value};

use crate::bank::Bank;
use crate::feedback::labels;
use crate::grade::{grade, Grade, GradeSettings};

/// The result for one input line: a grade, or an error message.
#[derive(Debug, Clone)]
pub struct LineResult {
    /// 1-based line number in the input.
    pub line: usize,
    pub id: Option<Value>,
    pub question_id: Option<String>,
    /// The answer text, when the line could be read.
    pub answer: Option<String>,
    pub outcome: Result<Grade, String>,
}

impl LineResult {
    pub fn is_error(&self) -> bool {
        self.outcome.is_err()
    }

    /// The output object, as documented in the README.
    pub fn to_json(&self, en: bool) -> Value {
        let mut object = Map::new();
        if let Some(id) = &self.id {
            object.insert("id".into(), id.clone());
        }
        if let Some(question_id) = &self.question_id {
            object.insert("question_id".into(), json!(question_id));
        }
        match &self.outcome {
            Ok(grade) => {
                object.insert("score".into(), json!(grade.score));
                object.insert(
                    "covered".into(),
                    json!(labels(
                        &grade.covered,
                        |c| (&c.label, c.label_en.as_deref()),
                        en
                    )),
                );
                object.insert(
                    "missed".into(),
                    json!(labels(
                        &grade.missed,
                        |c| (&c.label, c.label_en.as_deref()),
                        en
                    )),
                );
                object.insert(
                    "misconceptions".into(),
                    json!(labels(
                        &grade.misconceptions,
                        |m| (&m.label, m.label_en.as_deref()),
                        en
                    )),
                );
                object.insert("flags".into(), json!(grade.flags));
                object.insert("method".into(), json!("keyword"));
            }
            Err(message) => {
                object.insert("line".into(), json!(self.line));
                object.insert("error".into(), json!(message));
            }
        }
        Value::Object(object)
    }
}

fn grade_line(bank: &Bank, settings: &GradeSettings, line: usize, bytes: &[u8]) -> LineResult {
    let mut result = LineResult {
        line,
        id: None,
        question_id: None,
        answer: None,
        outcome: Err(String::new()),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            result.outcome = Err(format!(
                "line {line} is not valid UTF-8 (bad byte at column {})",
                e.valid_up_to() + 1
            ));
            return result;
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            result.outcome = Err(format!("line {line} is not valid JSON: {e}"));
            return result;
        }
    };
    let Value::Object(object) = value else {
        result.outcome = Err(format!("line {line} is not a JSON object"));
        return result;
    };
    result.id = object.get("id").cloned();
    result.question_id = object
        .get("question_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    result.outcome = (|| {
        if result.id.is_none() {
            return Err("missing field \"id\"".to_owned());
        }
        let question_id = match object.get("question_id") {
            None => return Err("missing field \"question_id\"".to_owned()),
            Some(Value::String(s)) => s,
            Some(_) => return Err("field \"question_id\" must be a string".to_owned()),
        };
        let answer = match object.get("answer") {
            None => return Err("missing field \"answer\"".to_owned()),
            Some(Value::String(s)) => s,
            Some(_) => return Err("field \"answer\" must be a string".to_owned()),
        };
        if answer.len() > settings.max_answer_bytes {
            return Err(crate::error::InputError::AnswerTooLong {
                bytes: answer.len(),
                limit: settings.max_answer_bytes,
            }
            .to_string());
        }
        if let Some(offset) = answer.find('\0') {
            return Err(format!(
                "field \"answer\" contains a NUL character (at byte {offset}); an answer must be plain text"
            ));
        }
        let rubric = bank.grader_for(question_id).map_err(|e| e.to_string())?;
        result.answer = Some(answer.clone());
        Ok(grade(rubric, answer, settings))
    })();
    result
}

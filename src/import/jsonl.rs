//! One question a line: `{"id", "question", "answer", "lang", "levels", "topics"}`.
//!
//! `id` is optional (derived from the question), as are `lang` (guessed from the script),
//! `levels` (middle when absent) and `topics`. A line that cannot be read is reported with its
//! number and the rest are imported.

use serde_json::Value;

use super::{Imported, Parsed};
use crate::bank::{Level, Question};

/// Read a JSONL question file. Never fails: bad lines become notes.
pub fn parse(text: &str, source: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        match question_of(line, source) {
            Ok((question, defaulted_level)) => {
                if defaulted_level {
                    parsed
                        .notes
                        .push(format!("line {number}: no levels, tagged middle"));
                }
                parsed.items.push(Imported::drafted(question));
            }
            Err(why) => parsed.bad_lines.push(format!("line {number}: {why}")),
        }
    }
    parsed
}

fn question_of(line: &str, source: &str) -> Result<(Question, bool), String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
    let object = value.as_object().ok_or("not a JSON object".to_owned())?;
    let text_field = |key: &str| -> Result<Option<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(format!("\"{key}\" must be a string, not {other}")),
        }
    };
    let list_field = |key: &str| -> Result<Vec<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("\"{key}\" must hold strings, not {v}"))
                })
                .collect(),
            Some(other) => Err(format!("\"{key}\" must be a list of strings, not {other}")),
        }
    };
    let question = text_field("question")?
        .filter(|q| !q.is_empty())
        .ok_or("missing \"question\"")?;
    let answer = text_field("answer")?
        .filter(|a| !a.is_empty())
        .ok_or("missing \"answer\" (the reference answer)")?;
    let id = match object.get("id") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if crate::bank::is_valid_id(s) => s.clone(),
        Some(Value::Number(n)) => format!("q-{n}"),
        Some(other) => {
            return Err(format!(
                "\"id\" {other} must be lowercase letters, digits and '-'"
            ))
        }
    };
    let mut levels = Vec::new();
    for tag in list_field("levels")? {
        match Level::from_tag(&tag) {
            Some(level) if !levels.contains(&level) => levels.push(level),
            Some(_) => {}
            None => return Err(format!("unknown level \"{tag}\" (junior, middle, senior)")),
        }
    }
    levels.sort();
    let defaulted = levels.is_empty();
    if defaulted {
        levels.push(Level::Middle);
    }
    let lang = text_field("lang")?
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| super::guess_lang(&question).to_owned());
    let topics = list_field("topics")?
        .into_iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    Ok((
        Question {
            id,
            question,
            answer,
            levels,
            topics,
            lang,
            source: source.to_owned(),
            popularity: None,
            question_en: None,
            answer_en: None,
        },
        defaulted,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_import_and_bad_lines_are_reported() {
        let text = "{\"id\": \"q-1\", \"question\": \"What is a stack?\", \"answer\": \"A LIFO list.\", \"levels\": [\"junior\"], \"topics\": [\"DS\"]}\n\
                    not json\n\
                    \n\
                    {\"question\": \"Что такое очередь?\", \"answer\": \"FIFO.\"}\n\
                    {\"question\": \"No answer?\"}\n\
                    {\"question\": \"Q\", \"answer\": \"A\", \"levels\": [\"guru\"]}\n";
        let parsed = parse(text, "jsonl:x");
        assert_eq!(parsed.items.len(), 2);
        let first = &parsed.items[0].question;
        assert_eq!(first.id, "q-1");
        assert_eq!(first.lang, "en");
        assert_eq!(first.topics, vec!["ds"]);
        let second = &parsed.items[1].question;
        assert_eq!(second.id, "");
        assert_eq!(second.lang, "ru");
        assert_eq!(second.levels, vec![Level::Middle]);
        assert_eq!(parsed.bad_lines.len(), 3);
        assert!(parsed.bad_lines[0].starts_with("line 2: not JSON"));
        assert!(parsed.bad_lines[1].starts_with("line 5: missing \"answer\""));
        assert!(parsed.bad_lines[2].contains("unknown level \"guru\""));
        assert_eq!(parsed.notes, vec!["line 4: no levels, tagged middle"]);
    }
}

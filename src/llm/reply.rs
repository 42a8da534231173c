//! Reading what real servers send: the Chat Completions envelope (with or without `usage`,
//! with extra fields), error bodies whose `code` is a string or an integer, JSON wrapped in
//! ```json fences or preceded by `<think>` blocks, and validation of the grade in code.

use serde_json::Value;

use super::LlmError;

/// The model's grade, validated against the rubric and the answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Verdict {
    /// 0–10.
    pub score: f64,
    pub covered: Vec<String>,
    pub missed: Vec<String>,
    pub feedback: String,
    pub quotes: Vec<String>,
}

/// What an error body says: `{"error": {"message", "type", "code"}}`, `{"error": "..."}`,
/// `{"detail": ...}` or plain text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorInfo {
    pub message: String,
    /// `code` as text, whether the server sent a string or an integer.
    pub code: Option<String>,
    pub kind: Option<String>,
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Read an error body of any of the shapes servers use.
pub fn error_info(body: &str) -> ErrorInfo {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return ErrorInfo {
            message: body.trim().chars().take(300).collect(),
            ..ErrorInfo::default()
        };
    };
    let error = value.get("error").unwrap_or(&value);
    let message = match error {
        Value::String(s) => s.clone(),
        Value::Object(map) => map
            .get("message")
            .or_else(|| map.get("detail"))
            .map(|m| scalar_text(m).unwrap_or_else(|| m.to_string()))
            .unwrap_or_else(|| error.to_string()),
        other => other.to_string(),
    };
    ErrorInfo {
        message: message.trim().chars().take(300).collect(),
        code: error.get("code").and_then(scalar_text),
        kind: error.get("type").and_then(scalar_text),
    }
}

/// The assistant's text from a successful reply, or why the call failed.
pub fn content(body: &str) -> Result<String, LlmError> {
    let value: Value = serde_json::from_str(body)
        .map_err(|e| LlmError::Decode(format!("the server's reply is not JSON ({e})")))?;
    let Some(choice) = value
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    else {
        if value.get("error").is_some() {
            let info = error_info(body);
            return Err(LlmError::Http {
                status: 200,
                message: info.message,
            });
        }
        return Err(LlmError::Decode("the reply has no choices".into()));
    };
    let message = choice.get("message").unwrap_or(&Value::Null);
    if let Some(refusal) = message
        .get("refusal")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
    {
        return Err(LlmError::Refusal(refusal.chars().take(200).collect()));
    }
    match choice.get("finish_reason").and_then(Value::as_str) {
        Some("length") => return Err(LlmError::Truncated),
        Some("content_filter") => {
            return Err(LlmError::Refusal("the server's content filter".into()))
        }
        _ => {}
    }
    let text = match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        // Content given as parts: [{"type": "text", "text": "..."}].
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    if text.trim().is_empty() {
        return Err(LlmError::Decode("the reply has no content".into()));
    }
    Ok(text)
}

/// Remove `<think>…</think>` blocks (and an unterminated one at the end).
fn strip_think(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<think>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</think>") {
            Some(end) => rest = &rest[start + end + "</think>".len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The JSON object in the model's text, tolerating fences, thinking and chatter around it.
pub fn extract_json(text: &str) -> Result<Value, LlmError> {
    let text = strip_think(text);
    let mut body = text.trim();
    if let Some(fenced) = body.find("```") {
        let after = &body[fenced + 3..];
        let after = after.strip_prefix("json").unwrap_or(after);
        body = after.split("```").next().unwrap_or(after).trim();
    }
    let start = body.find('{');
    let end = body.rfind('}');
    let (Some(start), Some(end)) = (start, end) else {
        return Err(LlmError::Decode("the reply holds no JSON object".into()));
    };
    if end < start {
        return Err(LlmError::Decode("the reply holds no JSON object".into()));
    }
    serde_json::from_str(&body[start..=end])
        .map_err(|e| LlmError::Decode(format!("the reply's JSON is invalid ({e})")))
}

/// Lowercase, `ё` → `е`, every run of non-alphanumerics one space: quotes survive small
/// differences of punctuation, case and spacing but not invented words.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_owned()
}

fn string_list(value: &Value, field: &str) -> Result<Vec<String>, LlmError> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(|s| s.trim().to_owned())
                    .ok_or_else(|| LlmError::Invalid(format!("\"{field}\" holds a non-string")))
            })
            .collect(),
        Some(_) => Err(LlmError::Invalid(format!("\"{field}\" is not a list"))),
    }
}

/// Check the model's object: a score of 0–10, concept ids of this rubric, quotes that occur in
/// the answer.
pub fn validate(value: &Value, concept_ids: &[&str], answer: &str) -> Result<Verdict, LlmError> {
    let score = match value.get("score") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|s| s.is_finite())
    .ok_or_else(|| LlmError::Invalid("no numeric \"score\"".into()))?;
    if !(0.0..=10.0).contains(&score) {
        return Err(LlmError::Invalid(format!("score {score} is outside 0-10")));
    }
    let covered = string_list(value, "covered")?;
    let missed = string_list(value, "missed")?;
    for id in covered.iter().chain(&missed) {
        if !concept_ids.contains(&id.as_str()) {
            return Err(LlmError::Invalid(format!(
                "concept id \"{}\" is not in the rubric",
                id.chars().take(60).collect::<String>()
            )));
        }
    }
    let quotes: Vec<String> = string_list(value, "quotes")?
        .into_iter()
        .filter(|q| !normalize(q).is_empty())
        .collect();
    let answer_norm = normalize(answer);
    for quote in &quotes {
        let found = quote
            .split(['…'])
            .flat_map(|part| part.split("..."))
            .map(normalize)
            .filter(|part| !part.is_empty())
            .all(|part| answer_norm.contains(&part));
        if !found {
            return Err(LlmError::Invalid(format!(
                "the quote \"{}\" does not occur in the answer",
                quote.chars().take(80).collect::<String>()
            )));
        }
    }
    let feedback = match value.get("feedback") {
        Some(Value::String(s)) => s.trim().chars().take(1500).collect(),
        _ => String::new(),
    };
    Ok(Verdict {
        score,
        covered,
        missed,
        feedback,
        quotes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_codes_may_be_strings_or_integers() {
        let s = error_info(
            r#"{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
        );
        assert_eq!(s.code.as_deref(), Some("insufficient_quota"));
        let i = error_info(r#"{"error":{"message":"busy","code":503}}"#);
        assert_eq!(i.code.as_deref(), Some("503"));
        assert_eq!(i.message, "busy");
        assert_eq!(
            error_info(r#"{"error":"model not found"}"#).message,
            "model not found"
        );
        assert_eq!(error_info("Bad Gateway").message, "Bad Gateway");
        assert!(
            error_info(r#"{"detail":[{"msg":"Input should be 'text' or 'json_object'"}]}"#)
                .message
                .contains("json_object")
        );
    }

    #[test]
    fn content_tolerates_missing_usage_and_extra_fields() {
        let body = r#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"{}"},"finish_reason":"stop","logprobs":null}],"system_fingerprint":"fp"}"#;
        assert_eq!(content(body).unwrap(), "{}");
    }

    #[test]
    fn length_refusal_and_empty_are_failures() {
        let cut = r#"{"choices":[{"message":{"content":"{\"sc"},"finish_reason":"length"}]}"#;
        assert!(matches!(content(cut), Err(LlmError::Truncated)));
        let refused = r#"{"choices":[{"message":{"content":null,"refusal":"I can't help"},"finish_reason":"stop"}]}"#;
        assert!(matches!(content(refused), Err(LlmError::Refusal(_))));
        assert!(content(r#"{"choices":[]}"#).is_err());
        assert!(content("not json").is_err());
    }

    #[test]
    fn json_is_found_inside_fences_and_after_thinking() {
        let wrapped =
            "<think>let me think {not json}</think>\nHere:\n```json\n{\"score\": 7}\n```\n";
        assert_eq!(extract_json(wrapped).unwrap(), json!({"score": 7}));
        assert_eq!(extract_json("{\"score\": 3}").unwrap(), json!({"score": 3}));
        assert!(extract_json("no json here").is_err());
        assert!(extract_json("{\"score\": 7,").is_err());
    }

    #[test]
    fn validation_checks_score_ids_and_quotes() {
        let answer = "Градиент затухает — «исчезающий градиент», и сеть забывает начало.";
        let ids = ["vanishing", "slow"];
        let good = json!({"score": 6, "covered": ["vanishing"], "missed": ["slow"],
            "feedback": " Хорошо. ", "quotes": ["Градиент затухает", "исчезающий ГРАДИЕНТ ... забывает начало"]});
        let verdict = validate(&good, &ids, answer).unwrap();
        assert_eq!(verdict.score, 6.0);
        assert_eq!(verdict.feedback, "Хорошо.");
        for (bad, why) in [
            (json!({"score": 11, "covered": [], "missed": []}), "outside"),
            (json!({"score": -1}), "outside"),
            (json!({"covered": []}), "score"),
            (
                json!({"score": 5, "covered": ["invented"]}),
                "not in the rubric",
            ),
            (
                json!({"score": 5, "quotes": ["сеть помнит всё"]}),
                "does not occur",
            ),
        ] {
            let error = validate(&bad, &ids, answer).unwrap_err().to_string();
            assert!(error.contains(why), "{error}");
        }
    }
}

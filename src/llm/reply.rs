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
    /// Quotes that occur in the answer.
    pub quotes: Vec<String>,
    /// Quotes the model gave that do not occur in the answer (dropped from `quotes`).
    #[serde(default)]
    pub invented_quotes: usize,
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

/// Whitespace collapsed, at most 300 characters: server messages may hold tracebacks.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

/// Read an error body of any of the shapes servers use.
pub fn error_info(body: &str) -> ErrorInfo {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return ErrorInfo {
            message: one_line(body),
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
        message: one_line(&message),
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

/// Parse a JSON object, reading raw control characters (line breaks inside strings, which
/// models often emit) as spaces.
fn parse_object(text: &str) -> Result<Value, String> {
    let parsed = serde_json::from_str::<Value>(text)
        .or_else(|e| {
            let cleaned: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            serde_json::from_str::<Value>(&cleaned).map_err(|_| e)
        })
        .map_err(|e| e.to_string())?;
    if parsed.is_object() {
        Ok(parsed)
    } else {
        Err("not an object".into())
    }
}

/// From the first `{` to the last `}`.
fn brace_span(text: &str) -> Option<&str> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    (end > start).then(|| &text[start..=end])
}

/// The JSON object in the model's text, tolerating fences, thinking and chatter around it.
pub fn extract_json(text: &str) -> Result<Value, LlmError> {
    let text = strip_think(text);
    let text = text.trim();
    let mut candidates = vec![text];
    if let Some(fence) = text.find("```") {
        let after = &text[fence + 3..];
        let after = after.strip_prefix("json").unwrap_or(after);
        let inner = after.split("```").next().unwrap_or(after).trim();
        candidates.push(inner);
        candidates.extend(brace_span(inner));
    }
    candidates.extend(brace_span(text));
    if !candidates.iter().any(|c| c.starts_with('{')) {
        return Err(LlmError::Decode("the reply holds no JSON object".into()));
    }
    let mut last_error = None;
    for candidate in candidates.iter().filter(|c| c.starts_with('{')) {
        match parse_object(candidate) {
            Ok(value) => return Ok(value),
            Err(e) => last_error = Some(e),
        }
    }
    Err(LlmError::Decode(format!(
        "the reply's JSON is invalid ({})",
        last_error.unwrap_or_default()
    )))
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

/// Check the model's object: a score of 0–10, concept ids of this rubric. Quotes that do not
/// occur in the answer are dropped and counted: invented evidence cannot raise a grade (see
/// `blend`), but it does not void the rest.
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
    let answer_norm = normalize(answer);
    let (quotes, invented): (Vec<String>, Vec<String>) = string_list(value, "quotes")?
        .into_iter()
        .filter(|q| !normalize(q).is_empty())
        .partition(|quote| {
            quote
                .split(['…'])
                .flat_map(|part| part.split("..."))
                .map(normalize)
                .filter(|part| !part.is_empty())
                .all(|part| answer_norm.contains(&part))
        });
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
        invented_quotes: invented.len(),
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
        let long = format!(
            "{{\"error\": {{\"message\": \"1 error:\\n  {}\"}}}}",
            "x ".repeat(400)
        );
        let message = error_info(&long).message;
        assert!(message.starts_with("1 error: x x"), "{message}");
        assert_eq!(message.chars().count(), 301);
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
        let raw_newline = "{\"feedback\": \"two\nlines\", \"score\": 4}";
        assert_eq!(extract_json(raw_newline).unwrap()["score"], 4);
        let fence_inside = "{\"feedback\": \"use ```python``` here\", \"score\": 5}";
        assert_eq!(extract_json(fence_inside).unwrap()["score"], 5);
        assert!(extract_json("[1, 2]").is_err());
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
        assert_eq!(verdict.quotes.len(), 2);
        assert_eq!(verdict.invented_quotes, 0);
        let mut invented = good.clone();
        invented["quotes"] = json!(["Градиент затухает", "сеть помнит всё"]);
        let verdict = validate(&invented, &ids, answer).unwrap();
        assert_eq!(verdict.quotes, vec!["Градиент затухает".to_owned()]);
        assert_eq!(verdict.invented_quotes, 1);
        for (bad, why) in [
            (json!({"score": 11, "covered": [], "missed": []}), "outside"),
            (json!({"score": -1}), "outside"),
            (json!({"covered": []}), "score"),
            (
                json!({"score": 5, "covered": ["invented"]}),
                "not in the rubric",
            ),
        ] {
            let error = validate(&bad, &ids, answer).unwrap_err().to_string();
            assert!(error.contains(why), "{error}");
        }
    }
}

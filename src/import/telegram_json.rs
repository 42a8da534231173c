//! Telegram Desktop's JSON export of a channel (`result.json`).
//!
//! The top level is either one chat (`{name, type, id, messages: [...]}`) or a full export
//! (`{chats: {list: [chat, ...]}}`). A message's `text` is a string or an array of strings and
//! `{type, text}` objects; `text_entities` carries the same text split into typed pieces
//! (`hashtag`, `bold`, `spoiler`, `blockquote`, ...). `reactions` (`[{type, count, emoji}]`) is
//! absent in older exports. A post is a question when it opens with a bold line or a line
//! ending in `?`; the rest (spoilers and blockquotes included) is the answer, and hashtags
//! become levels and topics. Service messages and other posts are skipped.

use serde_json::Value;

use super::telegram_text::Post;
use super::{Imported, Parsed};
use crate::bank::Level;

/// Why a file is not a readable Telegram export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("not valid JSON at line {line}, column {column}: {message}{hint}")]
    Json {
        line: usize,
        column: usize,
        message: String,
        hint: &'static str,
    },
    #[error("not a Telegram export: expected a chat {{\"name\", \"type\", \"messages\": [...]}} or a full export with \"chats\": {{\"list\": [...]}}")]
    NotAnExport,
}

/// A piece of a message's text with its entity type (`plain` for bare strings).
#[derive(Debug, Clone, PartialEq)]
struct Piece {
    kind: String,
    text: String,
}

/// Parse an export; every chat's posts are read.
pub fn parse(text: &str, source: &str) -> Result<Parsed, ExportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ExportError::Json {
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
        hint: if e.is_eof() {
            " (the file is truncated)"
        } else {
            ""
        },
    })?;
    let chats: Vec<&Value> =
        if let Some(list) = value.pointer("/chats/list").and_then(Value::as_array) {
            list.iter().collect()
        } else if value.get("messages").is_some_and(Value::is_array) {
            vec![&value]
        } else {
            return Err(ExportError::NotAnExport);
        };
    let mut parsed = Parsed::default();
    let mut service = 0usize;
    for chat in chats {
        let chat_name = chat.get("name").and_then(Value::as_str).unwrap_or("chat");
        let Some(messages) = chat.get("messages").and_then(Value::as_array) else {
            continue;
        };
        for message in messages {
            let id = message.get("id").map_or_else(String::new, Value::to_string);
            if message.get("type").and_then(Value::as_str) != Some("message") {
                service += 1;
                continue;
            }
            let pieces = pieces_of(message);
            match post_of(&pieces, reactions(message)) {
                Some(post) => {
                    let mut question = post.into_question(&format!("{source}#{id}"));
                    question.lang = super::guess_lang(&question.question).to_owned();
                    // Hashtags cannot hold '-': #classic_ml is the topic classic-ml.
                    for topic in &mut question.topics {
                        *topic = topic.replace('_', "-");
                    }
                    parsed.items.push(Imported::checked(question));
                }
                None if pieces.iter().any(|p| !p.text.trim().is_empty()) => parsed.notes.push(
                    format!("{chat_name}, message {id}: not a question post, skipped"),
                ),
                None => {}
            }
        }
    }
    if service > 0 {
        parsed
            .notes
            .push(format!("{service} service messages skipped"));
    }
    Ok(parsed)
}

/// The message's text as typed pieces: `text_entities` when present, else `text`.
fn pieces_of(message: &Value) -> Vec<Piece> {
    let source = match message.get("text_entities") {
        Some(Value::Array(entities)) if !entities.is_empty() => Some(entities),
        _ => None,
    };
    let piece = |item: &Value| -> Option<Piece> {
        match item {
            Value::String(s) => Some(Piece {
                kind: "plain".into(),
                text: s.clone(),
            }),
            Value::Object(o) => Some(Piece {
                kind: o
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("plain")
                    .to_owned(),
                text: o.get("text").and_then(Value::as_str)?.to_owned(),
            }),
            _ => None,
        }
    };
    match (source, message.get("text")) {
        (Some(entities), _) => entities.iter().filter_map(piece).collect(),
        (None, Some(Value::Array(items))) => items.iter().filter_map(piece).collect(),
        (None, Some(Value::String(s))) => vec![Piece {
            kind: "plain".into(),
            text: s.clone(),
        }],
        _ => Vec::new(),
    }
}

/// Total reactions, or `None` in exports without them.
fn reactions(message: &Value) -> Option<u64> {
    let list = message.get("reactions")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|r| r.get("count").and_then(Value::as_u64))
            .sum(),
    )
}

/// Prefixes channels put before a question.
const QUESTION_PREFIXES: &[&str] = &["вопрос:", "question:", "q:", "в:", "❓", "❔", "🤔"];

fn clean_question(line: &str) -> String {
    let mut text = line.trim();
    loop {
        let before = text;
        for prefix in QUESTION_PREFIXES {
            let chars = prefix.chars().count();
            let head: String = text.chars().take(chars).collect();
            if head.to_lowercase() == *prefix {
                text = text[head.len()..].trim_start();
            }
        }
        text = text.trim_start_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
        if text == before {
            break;
        }
    }
    text.trim_end_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
        .to_owned()
}

/// A question post: an opening bold line or a line ending in `?`, then the answer.
fn post_of(pieces: &[Piece], popularity: Option<u64>) -> Option<Post> {
    let mut tags = Vec::new();
    let mut body = String::new();
    let mut bold_opening: Option<String> = None;
    for piece in pieces {
        match piece.kind.as_str() {
            "hashtag" => {
                let tag = piece.text.trim().trim_start_matches('#').to_lowercase();
                if !tag.is_empty() && !tags.contains(&tag) {
                    tags.push(tag);
                }
                // Keep a blank where the tag was, so words on either side stay apart.
                body.push(' ');
            }
            "bold" if body.trim().is_empty() && bold_opening.is_none() => {
                bold_opening = Some(piece.text.clone());
                body.push_str(&piece.text);
            }
            "blockquote" | "expandable_blockquote" | "pre" => {
                if !body.ends_with('\n') && !body.trim().is_empty() {
                    body.push('\n');
                }
                body.push_str(&piece.text);
                body.push('\n');
            }
            _ => body.push_str(&piece.text),
        }
    }
    // Hashtags in plain strings (exports without entities).
    let mut lines: Vec<String> = Vec::new();
    for line in body.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !words.is_empty() && words.iter().all(|w| w.starts_with('#') && w.len() > 1) {
            for w in words {
                let tag = w.trim_start_matches('#').to_lowercase();
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        } else {
            lines.push(line.trim_end().to_owned());
        }
    }
    let mut rest = lines.iter().skip_while(|l| l.trim().is_empty());
    let first = rest.next()?;
    // The bold opening is the question, unless it is only a label ("Вопрос:").
    let question_line = match &bold_opening {
        Some(bold)
            if first
                .trim_start()
                .starts_with(bold.trim().lines().next().unwrap_or(""))
                && clean_question(bold.trim().lines().next().unwrap_or(""))
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .count()
                    >= 3 =>
        {
            bold.trim().lines().next().unwrap_or("").to_owned()
        }
        _ => first.clone(),
    };
    let question = clean_question(&question_line);
    let is_question = bold_opening.is_some() || question.ends_with('?');
    if !is_question || question.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return None;
    }
    // The answer: what follows the question on its line, then the other lines.
    let after = first
        .trim_start()
        .strip_prefix(question_line.trim())
        .unwrap_or("")
        .trim();
    let mut answer_lines: Vec<&str> = Vec::new();
    if !after.is_empty() {
        answer_lines.push(after);
    }
    answer_lines.extend(rest.map(String::as_str));
    let answer = answer_lines.join("\n").trim().to_owned();
    if answer.is_empty() && !tags.iter().any(|t| Level::from_tag(t).is_some()) {
        // A lone line with no answer and no level tag reads as a remark, not a question.
        return None;
    }
    Some(Post {
        question,
        answer,
        tags,
        popularity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one_chat(messages: Value) -> String {
        json!({"name": "ML", "type": "public_channel", "id": 1, "messages": messages}).to_string()
    }

    #[test]
    fn entities_give_question_answer_levels_and_topics() {
        let text = one_chat(json!([
            {"id": 1, "type": "service", "action": "create_channel", "text": ""},
            {"id": 2, "type": "message", "date_unixtime": "1700000000",
             "text": [{"type": "bold", "text": "Что такое dropout?"}, "\n",
                      {"type": "spoiler", "text": "Случайное зануление нейронов при обучении."}, "\n",
                      {"type": "hashtag", "text": "#middle"}, " ", {"type": "hashtag", "text": "#deep_learning"}],
             "text_entities": [{"type": "bold", "text": "Что такое dropout?"}, {"type": "plain", "text": "\n"},
                      {"type": "spoiler", "text": "Случайное зануление нейронов при обучении."}, {"type": "plain", "text": "\n"},
                      {"type": "hashtag", "text": "#middle"}, {"type": "plain", "text": " "}, {"type": "hashtag", "text": "#deep_learning"}],
             "reactions": [{"type": "emoji", "count": 5, "emoji": "👍"}, {"type": "emoji", "count": 2, "emoji": "🔥"}]},
            {"id": 3, "type": "message", "text": "Всем привет! Завтра стрим."}
        ]));
        let parsed = parse(&text, "telegram:x").unwrap();
        assert_eq!(parsed.items.len(), 1);
        let q = &parsed.items[0].question;
        assert_eq!(q.question, "Что такое dropout?");
        assert_eq!(q.answer, "Случайное зануление нейронов при обучении.");
        assert_eq!(q.levels, vec![Level::Middle]);
        assert_eq!(q.topics, vec!["deep-learning"]);
        assert_eq!(q.popularity, Some(7));
        assert_eq!(q.source, "telegram:x#2");
        assert!(parsed
            .notes
            .iter()
            .any(|n| n.contains("message 3: not a question")));
        assert!(parsed
            .notes
            .iter()
            .any(|n| n.contains("1 service messages")));
    }

    #[test]
    fn plain_string_posts_with_a_question_line_are_read() {
        let text = one_chat(json!([
            {"id": 7, "type": "message", "text": "Как работает bagging?\nОбучаем модели на бутстреп-выборках и усредняем.\n#junior"}
        ]));
        let parsed = parse(&text, "t").unwrap();
        let q = &parsed.items[0].question;
        assert_eq!(q.question, "Как работает bagging?");
        assert_eq!(q.answer, "Обучаем модели на бутстреп-выборках и усредняем.");
        assert_eq!(q.levels, vec![Level::Junior]);
        assert_eq!(q.popularity, None);
    }

    #[test]
    fn odd_shapes_are_skipped_without_panicking() {
        let text = json!({"chats": {"list": [
            {"name": "a", "messages": "not a list"},
            {"name": "b"},
            {"name": "c", "messages": [
                null, 5, {"type": "message"}, {"type": "message", "text": 42},
                {"type": "message", "text": [{"type": "bold"}, 7, "Что такое ROC?"],
                 "text_entities": "broken", "reactions": [{"count": "x"}, {"count": 3}]},
                {"type": "message", "text": "Что?\n", "reactions": {}},
                {"type": "message", "text": "❓\nВопрос:"}
            ]}
        ]}});
        let parsed = parse(&text.to_string(), "t").unwrap();
        assert_eq!(parsed.items.len(), 0, "{:?}", parsed.items);
    }

    #[test]
    fn other_json_is_not_an_export() {
        assert!(matches!(
            parse("{\"a\": 1}", "t"),
            Err(ExportError::NotAnExport)
        ));
        assert!(matches!(
            parse("[1, 2]", "t"),
            Err(ExportError::NotAnExport)
        ));
        let truncated = parse("{\"name\": \"x\", \"messages\": [", "t").unwrap_err();
        assert!(truncated.to_string().contains("truncated"), "{truncated}");
    }
}

//! The HTTP side: one reqwest client (rustls, no OpenSSL) with connect and read timeouts and a
//! User-Agent, posting `{"model", "input": [texts]}` to `{base_url}/embeddings` and reading
//! `data[i].embedding` in the order of `data[i].index`.
//!
//! Retried up to [`MAX_RETRIES`] times: 408, 409, 429 and 5xx answers and connection errors,
//! after [`BACKOFF`] doubled on each attempt or the server's `Retry-After` (up to
//! [`MAX_RETRY_AFTER_SECS`]). Not retried: a timeout, other 4xx, a reply that cannot be read.
//! The API key is read only from the variable named by `embeddings.api_key_env` and is
//! replaced by `[redacted]` in any text that came from the server or the network stack.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde_json::{json, Value};

use super::EmbedError;
use crate::config::EmbeddingsSettings;

/// Retries after the first attempt.
pub const MAX_RETRIES: u32 = 2;
/// The first retry delay; doubled on each retry.
pub const BACKOFF: Duration = Duration::from_millis(250);
/// The longest `Retry-After` sobes waits for.
pub const MAX_RETRY_AFTER_SECS: u64 = 10;
/// Server messages quoted in errors are cut to this many characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// The configured embeddings client. Texts go out exactly as given: the caller adds the
/// `query_prefix`.
#[derive(Debug)]
pub struct EmbedClient {
    client: reqwest::Client,
    base_url: String,
    url: String,
    model: String,
    api_key: Option<String>,
    batch_size: usize,
    timeout_ms: u64,
    requests: AtomicU64,
    texts_sent: AtomicU64,
    server_nanos: AtomicU64,
}

/// One failed attempt.
struct Attempt {
    error: EmbedError,
    retryable: bool,
    retry_after: Option<u64>,
}

impl EmbedClient {
    /// Build the client. The key is read from the variable named by `api_key_env` (none, or
    /// an empty variable: no `Authorization` header, as local servers expect).
    pub fn new(settings: &EmbeddingsSettings) -> Result<EmbedClient, EmbedError> {
        let base_url = normalized_base_url(&settings.base_url);
        if base_url.is_empty() {
            return Err(EmbedError::Disabled);
        }
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(EmbedError::Config(format!(
                "embeddings.base_url \"{base_url}\" must start with http:// or https:// (e.g. http://127.0.0.1:8000/v1)"
            )));
        }
        if settings.model.trim().is_empty() {
            return Err(EmbedError::Config("embeddings.model is empty".into()));
        }
        let api_key = Some(settings.api_key_env.trim())
            .filter(|name| !name.is_empty())
            .and_then(|name| std::env::var(name).ok())
            .filter(|key| !key.trim().is_empty());
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let client = reqwest::Client::builder()
            .user_agent(concat!("sobes/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms.max(1)))
            .read_timeout(timeout)
            .timeout(timeout)
            // Never follow a redirect with the key attached.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| EmbedError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(EmbedClient {
            client,
            url: format!("{base_url}/embeddings"),
            base_url,
            model: settings.model.trim().to_owned(),
            api_key,
            batch_size: settings.batch_size.max(1),
            timeout_ms: settings.timeout_ms.max(1),
            requests: AtomicU64::new(0),
            texts_sent: AtomicU64::new(0),
            server_nanos: AtomicU64::new(0),
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// HTTP requests sent so far (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Texts sent so far (each once per batch, however often it was retried).
    pub fn texts_sent(&self) -> u64 {
        self.texts_sent.load(Ordering::Relaxed)
    }

    /// Time spent waiting for the server so far, retry delays included.
    pub fn server_time(&self) -> Duration {
        Duration::from_nanos(self.server_nanos.load(Ordering::Relaxed))
    }

    /// Embed `texts`, `batch_size` at a time, one request after another: one vector per text,
    /// in order, all of one dimension.
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out: Vec<Vec<f32>> = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(self.batch_size) {
            let vectors = self.embed_batch(chunk).await?;
            if let (Some(first), Some(next)) = (out.first(), vectors.first()) {
                if first.len() != next.len() {
                    return Err(EmbedError::InconsistentDimensions {
                        expected: first.len(),
                        got: next.len(),
                    });
                }
            }
            out.extend(vectors);
        }
        Ok(out)
    }

    /// One request (with retries) for at most `batch_size` texts.
    async fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let body = serde_json::to_vec(&json!({"model": self.model, "input": texts}))
            .map_err(|e| EmbedError::Config(e.to_string()))?;
        self.texts_sent
            .fetch_add(texts.len() as u64, Ordering::Relaxed);
        let mut attempt = 0u32;
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let result = self.once(body.clone()).await;
            self.add_server_time(started);
            let failure = match result {
                Ok(text) => return parse_reply(&text, texts.len()).map_err(|e| self.redacted(e)),
                Err(failure) => failure,
            };
            if !failure.retryable || attempt >= MAX_RETRIES {
                return Err(failure.error);
            }
            let delay = match failure.retry_after {
                Some(secs) if secs > MAX_RETRY_AFTER_SECS => return Err(failure.error),
                Some(secs) => Duration::from_secs(secs),
                None => BACKOFF * 2u32.saturating_pow(attempt),
            };
            let started = Instant::now();
            tokio::time::sleep(delay).await;
            self.add_server_time(started);
            attempt += 1;
        }
    }

    fn add_server_time(&self, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.server_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    async fn once(&self, body: Vec<u8>) -> Result<String, Attempt> {
        let mut request = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| self.network_error(&e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let text = response.text().await.map_err(|e| self.network_error(&e))?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let message = self.redact(&server_message(&text));
        let error = match status {
            401 | 403 => EmbedError::Auth { status, message },
            _ => EmbedError::Http { status, message },
        };
        Err(Attempt {
            error,
            retryable: matches!(status, 408 | 409 | 429 | 500..=599),
            retry_after,
        })
    }

    fn network_error(&self, error: &reqwest::Error) -> Attempt {
        if error.is_timeout() {
            return Attempt {
                error: EmbedError::Timeout {
                    ms: self.timeout_ms,
                },
                retryable: false,
                retry_after: None,
            };
        }
        let reason = crate::error::with_causes(error);
        Attempt {
            error: EmbedError::Unreachable {
                url: crate::redact::shown_url(&self.base_url),
                reason: self.redact(&reason),
            },
            retryable: true,
            retry_after: None,
        }
    }

    /// Hide the key and the URL's credentials in any text that came from the server or the
    /// network stack.
    fn redact(&self, text: &str) -> String {
        crate::redact::Secrets::of(&self.base_url, self.api_key.as_deref()).hide(text)
    }

    fn redacted(&self, error: EmbedError) -> EmbedError {
        match error {
            EmbedError::Malformed(message) => EmbedError::Malformed(self.redact(&message)),
            other => other,
        }
    }
}

/// `base_url` trimmed, without trailing slashes: the form used in requests and cache keys.
pub fn normalized_base_url(base_url: &str) -> String {
    base_url.trim().trim_end_matches('/').to_owned()
}

#[derive(Deserialize)]
struct Reply {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    index: Option<usize>,
    embedding: Value,
}

/// Read an OpenAI-shaped embeddings reply for `sent` texts: one vector per text, ordered by
/// `index` (by position when no item has one), finite, all of one non-zero dimension.
pub fn parse_reply(text: &str, sent: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
    let reply: Reply = match serde_json::from_str(text) {
        Ok(reply) => reply,
        // Python servers write `NaN` and `Infinity`, which JSON does not have: read them as
        // null, which `vector_of` reports as a non-finite number.
        Err(e) => nonfinite_as_null(text)
            .and_then(|fixed| serde_json::from_str(&fixed).ok())
            .ok_or_else(|| {
                EmbedError::Malformed(format!(
                    "{e} (reply starts: {:?})",
                    text.chars().take(80).collect::<String>()
                ))
            })?,
    };
    if reply.data.len() != sent {
        return Err(EmbedError::WrongCount {
            sent,
            got: reply.data.len(),
        });
    }
    let with_index = reply.data.iter().filter(|i| i.index.is_some()).count();
    if with_index != 0 && with_index != sent {
        return Err(EmbedError::Malformed(
            "some items of \"data\" have an \"index\" and some do not".into(),
        ));
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; sent];
    for (position, item) in reply.data.into_iter().enumerate() {
        let index = item.index.unwrap_or(position);
        let vector = vector_of(&item.embedding, index)?;
        match slots.get_mut(index) {
            Some(slot @ None) => *slot = Some(vector),
            Some(Some(_)) => {
                return Err(EmbedError::Malformed(format!(
                    "index {index} appears twice in \"data\""
                )))
            }
            None => {
                return Err(EmbedError::Malformed(format!(
                    "index {index} is out of range for {sent} texts"
                )))
            }
        }
    }
    let vectors: Vec<Vec<f32>> = slots.into_iter().flatten().collect();
    if let Some(first) = vectors.first() {
        if let Some(other) = vectors.iter().find(|v| v.len() != first.len()) {
            return Err(EmbedError::InconsistentDimensions {
                expected: first.len(),
                got: other.len(),
            });
        }
    }
    Ok(vectors)
}

fn vector_of(embedding: &Value, index: usize) -> Result<Vec<f32>, EmbedError> {
    let Value::Array(numbers) = embedding else {
        return Err(EmbedError::Malformed(format!(
            "the embedding at index {index} is not an array of numbers"
        )));
    };
    if numbers.is_empty() {
        return Err(EmbedError::Malformed(format!(
            "the embedding at index {index} is empty"
        )));
    }
    let mut vector = Vec::with_capacity(numbers.len());
    for number in numbers {
        let value = number.as_f64().ok_or_else(|| {
            if number.is_null() {
                // Some servers write NaN as null.
                EmbedError::NonFinite { index }
            } else {
                EmbedError::Malformed(format!(
                    "the embedding at index {index} holds {number}, not a number"
                ))
            }
        })?;
        let value = value as f32;
        if !value.is_finite() {
            return Err(EmbedError::NonFinite { index });
        }
        vector.push(value);
    }
    Ok(vector)
}

/// `text` with the bare words `NaN`, `Infinity` and `-Infinity` outside strings replaced by
/// `null`, when there are any.
fn nonfinite_as_null(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            in_string = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else if c == '"' {
            in_string = true;
        } else if let Some(word) = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|w| rest.starts_with(w))
        {
            out.push_str("null");
            rest = &rest[word.len()..];
            replaced = true;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    replaced.then_some(out)
}

/// The `error.message` of an OpenAI-shaped error reply, else the start of the body.
fn server_message(text: &str) -> String {
    let from_json = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        let error = v.get("error")?;
        error
            .get("message")
            .and_then(Value::as_str)
            .or_else(|| error.as_str())
            .map(str::to_owned)
    });
    let message = from_json.unwrap_or_else(|| text.trim().to_owned());
    let mut cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    if cut.len() < message.len() {
        cut.push('…');
    }
    if cut.is_empty() {
        cut.push_str("(empty body)");
    }
    cut
}

/// `Retry-After` in seconds (HTTP dates are ignored: the backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| s.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_ordered_by_index() {
        let text = r#"{"object":"list","data":[
            {"object":"embedding","index":1,"embedding":[0.0,1.0]},
            {"object":"embedding","index":0,"embedding":[1.0,0.5]}],
            "model":"m","usage":{"prompt_tokens":3,"total_tokens":3}}"#;
        assert_eq!(
            parse_reply(text, 2).unwrap(),
            vec![vec![1.0, 0.5], vec![0.0, 1.0]]
        );
        // Without any index: by position.
        let text = r#"{"data":[{"embedding":[1]},{"embedding":[2]}]}"#;
        assert_eq!(parse_reply(text, 2).unwrap(), vec![vec![1.0], vec![2.0]]);
    }

    #[test]
    fn bad_replies_are_typed_errors() {
        let cases = [
            ("not json", "could not be read"),
            (
                r#"{"data":[{"index":0,"embedding":[1]}]}"#,
                "returned 1 vectors for 2 texts",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1]}]}"#,
                "vectors of different sizes (2 and 1)",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]}"#,
                "index 0 appears twice",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1]},{"index":5,"embedding":[1]}]}"#,
                "out of range",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1]},{"embedding":[1]}]}"#,
                "some items",
            ),
            (
                r#"{"data":[{"index":0,"embedding":"AAAA"},{"index":1,"embedding":[1]}]}"#,
                "not an array of numbers",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]}"#,
                "is empty",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":[null]}]}"#,
                "non-finite number in the vector at index 1",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":[0.5, NaN]}]}"#,
                "non-finite number in the vector at index 1",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[-Infinity]},{"index":1,"embedding":[1]}]}"#,
                "non-finite number in the vector at index 0",
            ),
            (
                r#"{"data":[{"index":0,"embedding":[1e39]},{"index":1,"embedding":[1]}]}"#,
                "non-finite number in the vector at index 0",
            ),
            (
                r#"{"data":[{"index":0,"embedding":["x"]},{"index":1,"embedding":[1]}]}"#,
                "holds \"x\"",
            ),
        ];
        for (text, expected) in cases {
            let error = parse_reply(text, 2).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn nonfinite_words_in_strings_are_left_alone() {
        assert_eq!(nonfinite_as_null(r#"{"a":"NaN"}"#), None);
        assert_eq!(
            nonfinite_as_null(r#"{"a":"x\"NaN","b":[NaN,-Infinity]}"#).as_deref(),
            Some(r#"{"a":"x\"NaN","b":[null,null]}"#)
        );
    }

    #[test]
    fn server_messages_are_read_and_cut() {
        assert_eq!(
            server_message(r#"{"error":{"message":"model not found","type":"x"}}"#),
            "model not found"
        );
        assert_eq!(server_message(r#"{"error":"busy"}"#), "busy");
        assert_eq!(server_message(""), "(empty body)");
        assert_eq!(server_message(&"x".repeat(1000)).chars().count(), 301);
    }

    #[test]
    fn an_empty_base_url_is_off_and_a_bad_one_is_refused() {
        let off = EmbeddingsSettings::default();
        assert!(matches!(EmbedClient::new(&off), Err(EmbedError::Disabled)));
        let bad = EmbeddingsSettings {
            base_url: "localhost:8000".into(),
            ..EmbeddingsSettings::default()
        };
        assert!(matches!(EmbedClient::new(&bad), Err(EmbedError::Config(_))));
        let ok = EmbeddingsSettings {
            base_url: " http://127.0.0.1:9/v1/ ".into(),
            ..EmbeddingsSettings::default()
        };
        assert_eq!(
            EmbedClient::new(&ok).unwrap().base_url(),
            "http://127.0.0.1:9/v1"
        );
    }
}

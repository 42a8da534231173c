//! The HTTP side: one reqwest client (rustls, no OpenSSL) with connect and read timeouts and a
//! User-Agent, posting to `{base_url}/chat/completions`, with retries and backoff.
//!
//! Retried: 408, 409, 429 and 5xx answers and connection errors, after `backoff_ms` doubled on
//! each attempt or the server's `Retry-After` (up to 60 s). Not retried: a 429 whose code says
//! the quota is exhausted, a read timeout, other 4xx, and a server that rejects
//! `response_format` `json_schema` (the caller falls back to `json_object`).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;

use super::reply::error_info;
use super::LlmError;
use crate::config::LlmSettings;
use crate::redact::{shown_url, Secrets};

/// The longest `Retry-After` sobes waits for.
pub const MAX_RETRY_AFTER_SECS: u64 = 60;

/// The longest sobes waits between the attempts of one call, all delays together: however the
/// settings were made, a dead server costs at most this (plus the attempts themselves).
pub const MAX_TOTAL_RETRY_WAIT: Duration = Duration::from_secs(300);

/// Why one call ended without a reply body.
#[derive(Debug)]
pub enum CallError {
    /// The server rejected `response_format` `json_schema`; its message.
    SchemaRejected(String),
    Failed(LlmError),
}

/// One failed attempt.
struct Attempt {
    error: LlmError,
    retry_after: Option<u64>,
    retryable: bool,
    about_response_format: bool,
}

/// The configured HTTP client.
#[derive(Debug)]
pub struct Http {
    client: reqwest::Client,
    /// The base URL as it may be shown and stored (credentials masked); it also names the
    /// server in the cache.
    pub shown_base_url: String,
    url: String,
    api_key: Option<String>,
    /// The key and the URL's credentials, hidden in everything from the server.
    pub secrets: Secrets,
    max_retries: u32,
    backoff: Duration,
    timeout_secs: u64,
}

impl Http {
    /// Build the client. The key is read from the variable named by `api_key_env` (none: no
    /// Authorization header, as local servers expect).
    pub fn new(settings: &LlmSettings) -> Result<Http, LlmError> {
        let base_url = settings.base_url.trim();
        // A query (`?key=…`, as some gateways take the key) stays after the path.
        let (path, query) = match base_url.split_once('?') {
            Some((path, query)) => (path.trim_end_matches('/'), Some(query)),
            None => (base_url.trim_end_matches('/'), None),
        };
        let shown_base_url = shown_url(&match query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        });
        if !(path.starts_with("http://") || path.starts_with("https://")) {
            return Err(LlmError::Config(format!(
                "llm.base_url \"{shown_base_url}\" must start with http:// or https:// (e.g. http://localhost:11434/v1)"
            )));
        }
        let api_key = (!settings.api_key_env.trim().is_empty())
            .then(|| std::env::var(settings.api_key_env.trim()).ok())
            .flatten()
            .filter(|k| !k.trim().is_empty());
        let client = reqwest::Client::builder()
            .user_agent(concat!("sobes/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(settings.connect_timeout_secs.max(1)))
            .read_timeout(Duration::from_secs(settings.timeout_secs.max(1)))
            .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
            // Never follow a redirect with the key attached.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| LlmError::Config(format!("cannot build the HTTP client: {e}")))?;
        let secrets = Secrets::of(base_url, api_key.as_deref());
        Ok(Http {
            client,
            url: match query {
                Some(query) => format!("{path}/chat/completions?{query}"),
                None => format!("{path}/chat/completions"),
            },
            shown_base_url,
            api_key,
            secrets,
            // The configuration refuses larger values; a library caller gets them capped.
            max_retries: settings.max_retries.min(crate::config::MAX_LLM_RETRIES),
            backoff: Duration::from_millis(
                settings.backoff_ms.min(crate::config::MAX_LLM_BACKOFF_MS),
            ),
            timeout_secs: settings.timeout_secs.max(1),
        })
    }

    /// Hide the key and the URL's credentials in text from the server or the network stack.
    fn redact(&self, text: &str) -> String {
        self.secrets.hide(text)
    }

    /// POST `body` with retries; the reply body on a 2xx. `http_time` gains the time spent
    /// waiting for the server, retry delays included.
    pub async fn send(
        &self,
        body: &Value,
        asked_json_schema: bool,
        http_time: &mut Duration,
        requests: &std::sync::atomic::AtomicU64,
    ) -> Result<String, CallError> {
        // Serialised once, outside the time spent waiting for the server.
        let bytes = match serde_json::to_vec(body) {
            Ok(bytes) => bytes,
            Err(e) => return Err(CallError::Failed(LlmError::Config(e.to_string()))),
        };
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            let started = Instant::now();
            requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let result = self.once(bytes.clone()).await;
            *http_time += started.elapsed();
            let failure = match result {
                Ok(text) => return Ok(text),
                Err(failure) => failure,
            };
            if asked_json_schema && failure.about_response_format {
                return Err(CallError::SchemaRejected(failure.error.to_string()));
            }
            if !failure.retryable || attempt >= self.max_retries {
                return Err(CallError::Failed(failure.error));
            }
            let delay = retry_delay(self.backoff, attempt, failure.retry_after)
                .map_err(CallError::Failed)?;
            if waited.saturating_add(delay) > MAX_TOTAL_RETRY_WAIT {
                return Err(CallError::Failed(failure.error));
            }
            tokio::time::sleep(delay).await;
            waited = waited.saturating_add(delay);
            *http_time += delay;
            attempt = attempt.saturating_add(1);
        }
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
        let info = error_info(&text);
        let message = self.redact(&info.message);
        let lower = format!("{} {}", message, info.code.as_deref().unwrap_or("")).to_lowercase();
        let about_response_format = lower.contains("response_format")
            || lower.contains("json_schema")
            || lower.contains("'json_object'");
        let quota = [info.code.as_deref(), info.kind.as_deref()]
            .iter()
            .flatten()
            .any(|c| c.contains("insufficient_quota") || c.contains("quota_exceeded"));
        let error = match status {
            401 | 403 => LlmError::Auth { status, message },
            429 if quota => LlmError::QuotaExhausted { message },
            429 => LlmError::RateLimited { message },
            _ => LlmError::Http { status, message },
        };
        Err(Attempt {
            retryable: matches!(status, 408 | 409 | 500..=599)
                || matches!(error, LlmError::RateLimited { .. }),
            error,
            retry_after,
            about_response_format: (400..600).contains(&status) && about_response_format,
        })
    }

    fn network_error(&self, error: &reqwest::Error) -> Attempt {
        if error.is_timeout() {
            return Attempt {
                error: LlmError::Timeout {
                    secs: self.timeout_secs,
                },
                retry_after: None,
                retryable: false,
                about_response_format: false,
            };
        }
        let reason = crate::error::with_causes(error);
        Attempt {
            error: LlmError::Connect {
                url: self.shown_base_url.clone(),
                reason: self.redact(&reason),
            },
            retry_after: None,
            retryable: true,
            about_response_format: false,
        }
    }
}

/// The wait before retry number `attempt + 1`: the server's `Retry-After` (refused past
/// [`MAX_RETRY_AFTER_SECS`]), else `backoff` doubled per attempt; never more than a minute,
/// and computed without overflow for any settings.
fn retry_delay(
    backoff: Duration,
    attempt: u32,
    retry_after: Option<u64>,
) -> Result<Duration, LlmError> {
    let delay = match retry_after {
        Some(secs) if secs > MAX_RETRY_AFTER_SECS => {
            return Err(LlmError::RetryAfterTooLong { secs })
        }
        Some(secs) => Duration::from_secs(secs),
        None => backoff.saturating_mul(2u32.saturating_pow(attempt)),
    };
    Ok(delay.min(Duration::from_secs(MAX_RETRY_AFTER_SECS)))
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
    fn retry_delays_double_cap_and_never_overflow() {
        let backoff = Duration::from_millis(500);
        assert_eq!(
            retry_delay(backoff, 0, None).unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(
            retry_delay(backoff, 2, None).unwrap(),
            Duration::from_secs(2)
        );
        let minute = Duration::from_secs(MAX_RETRY_AFTER_SECS);
        for attempt in [40, u32::MAX] {
            assert_eq!(retry_delay(backoff, attempt, None).unwrap(), minute);
        }
        let huge = Duration::from_millis(u64::MAX);
        assert_eq!(retry_delay(huge, u32::MAX, None).unwrap(), minute);
        assert_eq!(
            retry_delay(backoff, 0, Some(3)).unwrap(),
            Duration::from_secs(3)
        );
        assert!(matches!(
            retry_delay(backoff, 0, Some(u64::MAX)),
            Err(LlmError::RetryAfterTooLong { .. })
        ));
    }

    #[test]
    fn settings_past_the_limits_are_capped_in_the_client() {
        let settings = LlmSettings {
            backoff_ms: u64::MAX,
            max_retries: u32::MAX,
            ..LlmSettings::default()
        };
        let http = Http::new(&settings).unwrap();
        assert_eq!(http.max_retries, crate::config::MAX_LLM_RETRIES);
        assert_eq!(
            http.backoff,
            Duration::from_millis(crate::config::MAX_LLM_BACKOFF_MS)
        );
    }
}

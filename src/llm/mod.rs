//! Optional scoring by a language model over the OpenAI Chat Completions API (OpenAI, Ollama,
//! llama.cpp's server, vLLM, LM Studio), blended with the keyword rubric and hard to game.
//!
//! # Library API
//!
//! [`LlmGrader`] is built once from [`crate::config::LlmSettings`], a [`Mode`]
//! and an optional [`Cache`], and is called from synchronous code (it owns a small tokio
//! runtime):
//!
//! ```no_run
//! # use sobes::{bank::{Bank, BankSource}, config::LlmSettings, grade::grade, llm::*, ui::Lang};
//! let bank = Bank::load(&BankSource::Bundled).unwrap();
//! let question = bank.require("rnn-problems").unwrap();
//! let rubric = bank.grader_for("rnn-problems").unwrap();
//! let settings = LlmSettings { enabled: true, ..LlmSettings::default() };
//! let grader = LlmGrader::new(&settings, Mode::Blend, Cache::open_default().ok()).unwrap();
//! let answer = "Исчезающий градиент...";
//! let keyword = grade(rubric, answer, &Default::default());
//! let graded: BlendedGrade = grader.grade_answer(question, rubric, answer, &keyword, Lang::Ru);
//! println!("{} ({:?})", graded.score, graded.method);
//! ```
//!
//! [`LlmGrader::grade_answer`] never fails: on any final failure the keyword grade stands, with
//! `method` `keyword`, the flag [`BlendFlag::LlmFallback`] and the reason in `fallback_reason`
//! (the API key is never part of a message). [`LlmGrader::grade_many`] grades many answers
//! with up to `concurrency` calls in flight, in input order. [`LlmGrader::take_notices`] returns
//! one-time notices for the user (e.g. that a server cannot take `json_schema`);
//! [`LlmGrader::stats`] counts calls and measures sobes' own time per call.
//!
//! # Modules
//! - [`client`]: HTTP, timeouts, retries and backoff.
//! - [`prompt`]: the request, with per-call random delimiters around the answer.
//! - [`reply`]: tolerant parsing of real servers' replies and validation of the grade.
//! - [`blend`](mod@blend): the band, weight and injection rules.
//! - [`cache`]: the SQLite cache of grades and of server capabilities.
//! - [`run`]: the `grade` command's use of all this.

pub mod blend;
pub mod cache;
pub mod client;
pub mod prompt;
pub mod reply;
pub mod run;
pub mod session;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

pub use blend::{blend, BlendFlag, Mode};
pub use cache::Cache;
pub use reply::Verdict;

use crate::bank::Question;
use crate::config::LlmSettings;
use crate::grade::{injection, CompiledRubric, Grade};
use crate::ui::Lang;
use client::{CallError, Http};
use prompt::{PromptInput, ResponseFormat};

/// Why an LLM call failed. Messages never contain the API key.
#[derive(Debug, Clone, Error)]
pub enum LlmError {
    #[error("the LLM server did not answer within {secs} s (llm.timeout_secs)")]
    Timeout { secs: u64 },
    #[error("cannot reach the LLM server at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("the LLM server kept rate-limiting the requests (HTTP 429: {message})")]
    RateLimited { message: String },
    #[error("the API quota is exhausted (HTTP 429: {message}); not retried: add credit or raise the limit")]
    QuotaExhausted { message: String },
    #[error(
        "the LLM server asked to wait {secs} s before retrying, longer than the 60 s sobes waits"
    )]
    RetryAfterTooLong { secs: u64 },
    #[error("the LLM server refused the credentials (HTTP {status}: {message}); check the variable named by llm.api_key_env")]
    Auth { status: u16, message: String },
    #[error("the LLM server answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("the LLM reply could not be read: {0}")]
    Decode(String),
    #[error("the LLM reply was cut off at the token limit (finish_reason \"length\"); raise llm.max_output_tokens")]
    Truncated,
    #[error("the model refused to grade: {0}")]
    Refusal(String),
    #[error("the LLM reply failed validation: {0}")]
    Invalid(String),
    #[error("{0}")]
    Config(String),
}

/// How the score of a blended grade was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Keyword,
    Blend,
    Llm,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Keyword => "keyword",
            Method::Blend => "blend",
            Method::Llm => "llm",
        }
    }
}

/// The grade of one answer by rubric and model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlendedGrade {
    /// 0–100: the score to show.
    pub score: f64,
    /// The keyword rubric's score, 0–100.
    pub keyword_score: f64,
    /// The model's score scaled to 0–100 (its 0–10 times ten), when the model was used.
    pub llm_score: Option<f64>,
    pub llm_feedback: Option<String>,
    /// Concept ids the model found covered / missed.
    pub llm_covered: Vec<String>,
    pub llm_missed: Vec<String>,
    /// Quotes from the answer the model gave as evidence (checked to occur in the answer).
    pub llm_quotes: Vec<String>,
    pub method: Method,
    pub flags: Vec<BlendFlag>,
    /// Why the model was not used, when it was not.
    pub fallback_reason: Option<String>,
    /// The model's grade came from the cache.
    pub cached: bool,
}

impl BlendedGrade {
    /// The keyword grade alone, when the model could not be used.
    pub fn fallback(keyword: &Grade, reason: String, injection: bool) -> BlendedGrade {
        let mut flags = vec![BlendFlag::LlmFallback];
        if injection {
            flags.push(BlendFlag::Injection);
        }
        BlendedGrade {
            score: keyword.score,
            keyword_score: keyword.score,
            llm_score: None,
            llm_feedback: None,
            llm_covered: Vec::new(),
            llm_missed: Vec::new(),
            llm_quotes: Vec::new(),
            method: Method::Keyword,
            flags,
            fallback_reason: Some(reason),
            cached: false,
        }
    }
}

/// Counters of one grader's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Answers graded with the model's score (from the server or the cache).
    pub graded: u64,
    /// Answers that fell back to the keyword grade.
    pub fallbacks: u64,
    /// Answers whose model grade came from the cache.
    pub cache_hits: u64,
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Requests that asked for `json_schema`.
    pub json_schema_requests: u64,
    /// Time spent waiting for the server, in total.
    pub server_time: Duration,
    /// sobes' own time (prompt, cache, parsing, validation, blending), in total.
    pub own_time: Duration,
    /// Answers whose own time is counted in `own_time`.
    pub timed_answers: u64,
}

impl Stats {
    /// sobes' own time per answer sent to the model.
    pub fn own_time_per_call(&self) -> Duration {
        self.own_time / (self.timed_answers.max(1) as u32)
    }
}

#[derive(Default)]
struct Counters {
    graded: AtomicU64,
    fallbacks: AtomicU64,
    cache_hits: AtomicU64,
    requests: AtomicU64,
    json_schema_requests: AtomicU64,
    server_nanos: AtomicU64,
    own_nanos: AtomicU64,
    timed_answers: AtomicU64,
}

/// One answer to grade.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    pub question: &'a Question,
    pub rubric: &'a CompiledRubric,
    pub answer: &'a str,
    pub keyword: &'a Grade,
    pub lang: Lang,
}

/// Grades answers with a model; see the module docs.
pub struct LlmGrader {
    runtime: tokio::runtime::Runtime,
    http: Http,
    settings: LlmSettings,
    mode: Mode,
    cache: Option<Cache>,
    /// Whether the server takes `json_schema`: `None` until known. Held across the first
    /// call so that concurrent calls do not each pay for a rejected request.
    json_schema_ok: tokio::sync::Mutex<Option<bool>>,
    counters: Counters,
    notices: Mutex<Vec<String>>,
}

impl LlmGrader {
    /// Build the grader. Fails only on configuration that can never work (a bad URL or
    /// token-limit field); a server that is down is a per-answer fallback, not an error here.
    pub fn new(
        settings: &LlmSettings,
        mode: Mode,
        cache: Option<Cache>,
    ) -> Result<LlmGrader, LlmError> {
        if !matches!(
            settings.token_limit_field.as_str(),
            "max_tokens" | "max_completion_tokens"
        ) {
            return Err(LlmError::Config(format!(
                "llm.token_limit_field must be \"max_tokens\" or \"max_completion_tokens\", not \"{}\"",
                settings.token_limit_field
            )));
        }
        if settings.model.trim().is_empty() {
            return Err(LlmError::Config("llm.model is empty".into()));
        }
        let http = Http::new(settings)?;
        let known = cache
            .as_ref()
            .and_then(|c| c.json_schema_ok(&http.shown_base_url));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LlmError::Config(format!("cannot start the async runtime: {e}")))?;
        Ok(LlmGrader {
            runtime,
            http,
            settings: settings.clone(),
            mode,
            cache,
            json_schema_ok: tokio::sync::Mutex::new(known),
            counters: Counters::default(),
            notices: Mutex::new(Vec::new()),
        })
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    /// Grade one answer. Never fails: see [`BlendedGrade::fallback`].
    pub fn grade_answer(
        &self,
        question: &Question,
        rubric: &CompiledRubric,
        answer: &str,
        keyword: &Grade,
        lang: Lang,
    ) -> BlendedGrade {
        let job = Job {
            question,
            rubric,
            answer,
            keyword,
            lang,
        };
        self.runtime.block_on(self.grade_job(job))
    }

    /// How many calls [`grade_many`](LlmGrader::grade_many) keeps in flight at once.
    pub fn concurrency(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    /// Grade many answers, up to `concurrency` calls at once; results in input order.
    /// `progress` is called after each answer.
    pub fn grade_many(&self, jobs: &[Job<'_>], progress: &(dyn Fn() + Sync)) -> Vec<BlendedGrade> {
        let concurrency = self.settings.concurrency.max(1);
        self.runtime.block_on(
            stream::iter(jobs.iter().map(|job| async move {
                let graded = self.grade_job(*job).await;
                progress();
                graded
            }))
            .buffered(concurrency)
            .collect(),
        )
    }

    /// Notices for the user, each returned once.
    pub fn take_notices(&self) -> Vec<String> {
        self.notices
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            graded: load(&c.graded),
            fallbacks: load(&c.fallbacks),
            cache_hits: load(&c.cache_hits),
            requests: load(&c.requests),
            json_schema_requests: load(&c.json_schema_requests),
            server_time: Duration::from_nanos(load(&c.server_nanos)),
            own_time: Duration::from_nanos(load(&c.own_nanos)),
            timed_answers: load(&c.timed_answers),
        }
    }

    fn notice(&self, text: String) {
        if let Ok(mut notices) = self.notices.lock() {
            notices.push(self.http.secrets.hide(&text));
        }
    }

    /// The verdict with the key and URL credentials hidden in every text the model wrote, so
    /// that neither the screen, history, reports nor the cache ever hold them.
    fn hide_secrets(&self, mut verdict: Verdict) -> Verdict {
        let secrets = &self.http.secrets;
        verdict.feedback = secrets.hide(&verdict.feedback);
        for text in verdict
            .quotes
            .iter_mut()
            .chain(&mut verdict.covered)
            .chain(&mut verdict.missed)
        {
            *text = secrets.hide(text);
        }
        verdict
    }

    async fn grade_job(&self, job: Job<'_>) -> BlendedGrade {
        let started = Instant::now();
        let injection = injection::detect(job.answer).is_some();
        let input = PromptInput::new(job.question, job.rubric, job.answer, job.lang);
        let key = self.cache_key(&input);
        let cached = self.cache.as_ref().and_then(|c| c.get(&key));
        let mut server_time = Duration::ZERO;
        let from_cache = cached.is_some();
        let outcome = match cached {
            // Hidden again: a cache written by an older sobes may hold a secret.
            Some(verdict) => Ok(self.hide_secrets(verdict)),
            None => {
                let result = self
                    .call(&input, &mut server_time)
                    .await
                    .map(|verdict| self.hide_secrets(verdict));
                if let (Ok(verdict), Some(cache)) = (&result, &self.cache) {
                    cache.put(&key, &self.settings.model, verdict);
                }
                result
            }
        };
        let graded = match outcome {
            Ok(verdict) => self.blended(job.keyword, verdict, injection, from_cache),
            Err(error) => BlendedGrade::fallback(
                job.keyword,
                self.http.secrets.hide(&error.to_string()),
                injection,
            ),
        };
        let c = &self.counters;
        if graded.method == Method::Keyword {
            c.fallbacks.fetch_add(1, Ordering::Relaxed);
        } else {
            c.graded.fetch_add(1, Ordering::Relaxed);
        }
        if from_cache {
            c.cache_hits.fetch_add(1, Ordering::Relaxed);
        } else {
            // Own time: everything but waiting for the server, retry delays included.
            let own = started.elapsed().saturating_sub(server_time);
            c.server_nanos
                .fetch_add(server_time.as_nanos() as u64, Ordering::Relaxed);
            c.own_nanos
                .fetch_add(own.as_nanos() as u64, Ordering::Relaxed);
            c.timed_answers.fetch_add(1, Ordering::Relaxed);
        }
        graded
    }

    fn blended(
        &self,
        keyword: &Grade,
        verdict: Verdict,
        injection: bool,
        cached: bool,
    ) -> BlendedGrade {
        let llm_score = verdict.score * 10.0;
        let (score, flags) = blend(
            self.mode,
            keyword.score,
            llm_score,
            self.settings.blend_weight,
            self.settings.blend_band,
            injection,
            verdict.invented_quotes > 0,
        );
        BlendedGrade {
            score,
            keyword_score: keyword.score,
            llm_score: Some(llm_score),
            llm_feedback: Some(verdict.feedback),
            llm_covered: verdict.covered,
            llm_missed: verdict.missed,
            llm_quotes: verdict.quotes,
            method: if self.mode == Mode::Llm {
                Method::Llm
            } else {
                Method::Blend
            },
            flags,
            fallback_reason: None,
            cached,
        }
    }

    /// SHA-256 of model, prompt version, messages (with a fixed delimiter) and answer.
    fn cache_key(&self, input: &PromptInput<'_>) -> String {
        let (system, user) = input.messages("CACHE");
        let mut hasher = Sha256::new();
        for part in [
            self.settings.model.as_str(),
            prompt::PROMPT_VERSION,
            &system,
            &user,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// One grading call, falling back from `json_schema` to `json_object` once per server.
    async fn call(
        &self,
        input: &PromptInput<'_>,
        server_time: &mut Duration,
    ) -> Result<Verdict, LlmError> {
        let known = *self.json_schema_ok.lock().await;
        if let Some(ok) = known {
            return self.call_known(input, ok, server_time).await;
        }
        // Unknown: the first call probes while the others wait for its outcome (time spent
        // waiting for another call's server counts as server time).
        let waiting = Instant::now();
        let mut guard = self.json_schema_ok.lock().await;
        *server_time += waiting.elapsed();
        if let Some(ok) = *guard {
            drop(guard);
            return self.call_known(input, ok, server_time).await;
        }
        let (result, learned) = self.call_with(input, true, server_time).await;
        if learned.is_some() {
            *guard = learned;
        }
        result
    }

    /// A call when the server's answer to `json_schema` is believed known; a server that
    /// changed its mind (a new server at the same URL) updates the belief.
    async fn call_known(
        &self,
        input: &PromptInput<'_>,
        ok: bool,
        server_time: &mut Duration,
    ) -> Result<Verdict, LlmError> {
        let (result, learned) = self.call_with(input, ok, server_time).await;
        if let Some(learned) = learned.filter(|&l| l != ok) {
            *self.json_schema_ok.lock().await = Some(learned);
        }
        result
    }

    /// Returns the result and, when it became known, whether the server takes `json_schema`.
    async fn call_with(
        &self,
        input: &PromptInput<'_>,
        json_schema: bool,
        server_time: &mut Duration,
    ) -> (Result<Verdict, LlmError>, Option<bool>) {
        let ids = input.concept_ids();
        let mut format = if json_schema {
            ResponseFormat::JsonSchema
        } else {
            ResponseFormat::JsonObject
        };
        let mut learned = None;
        loop {
            let (system, user) = input.messages(&prompt::nonce());
            let asked_schema = format == ResponseFormat::JsonSchema;
            let schema = prompt::reply_schema(&ids, !asked_schema);
            let body = prompt::request_body(&self.settings, &system, &user, format, &schema);
            if asked_schema {
                self.counters
                    .json_schema_requests
                    .fetch_add(1, Ordering::Relaxed);
            }
            let sent = self
                .http
                .send(&body, asked_schema, server_time, &self.counters.requests)
                .await;
            match sent {
                Ok(text) => {
                    if asked_schema && learned.is_none() {
                        learned = Some(true);
                        if let Some(cache) = &self.cache {
                            if cache.json_schema_ok(&self.http.shown_base_url) != Some(true) {
                                cache.set_json_schema_ok(
                                    &self.http.shown_base_url,
                                    true,
                                    "accepted",
                                );
                            }
                        }
                    }
                    let verdict = reply::content(&text)
                        .and_then(|c| reply::extract_json(&c, input.answer))
                        .and_then(|v| reply::validate(&v, &ids, input.answer));
                    return (verdict, learned);
                }
                Err(CallError::SchemaRejected(message)) => {
                    learned = Some(false);
                    if let Some(cache) = &self.cache {
                        cache.set_json_schema_ok(&self.http.shown_base_url, false, &message);
                    }
                    self.notice(format!(
                        "the server at {} does not accept response_format json_schema ({message}); \
                         using json_object with the schema from now on{}",
                        self.http.shown_base_url,
                        if self.cache.is_some() {
                            " (remembered in the cache)"
                        } else {
                            ""
                        }
                    ));
                    format = ResponseFormat::JsonObject;
                }
                Err(CallError::Failed(error)) => return (Err(error), learned),
            }
        }
    }
}

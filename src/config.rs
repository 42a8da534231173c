//! Configuration: built-in defaults < config file < `SOBES_*` environment variables <
//! `--set key=value` < dedicated flags. Everything is validated into one typed [`Config`].

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{toml_location, ConfigError};
use crate::grade::GradeSettings;

/// The documented default configuration, shipped as `config.toml` at the repository root.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../config.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub grading: GradeSettings,
    pub interface: InterfaceSettings,
    pub interview: InterviewConfig,
    pub llm: LlmSettings,
    pub embeddings: EmbeddingsSettings,
}

/// `[interview]`: how sessions run and where their history lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterviewConfig {
    /// Questions per interview.
    pub questions: usize,
    /// The history database; empty for `history.sqlite3` in the data directory.
    pub db: String,
    /// Mean score at a level that counts as passing it.
    pub pass_score: f64,
    /// Mean score at the next level that counts as close to it.
    pub close_score: f64,
    /// In an adaptive interview, a score at least this high moves up a level...
    pub adaptive_up: f64,
    /// ...and a score below this moves down one.
    pub adaptive_down: f64,
    /// Questions answered within this many days are asked after the others.
    pub recent_days: f64,
}

impl Default for InterviewConfig {
    fn default() -> Self {
        InterviewConfig {
            questions: 5,
            db: String::new(),
            pass_score: 70.0,
            close_score: 55.0,
            adaptive_up: 70.0,
            adaptive_down: 40.0,
            recent_days: 7.0,
        }
    }
}

impl InterviewConfig {
    fn validate(&self) -> Result<(), String> {
        if self.questions == 0 {
            return Err("interview.questions must be at least 1".into());
        }
        for (name, value) in [
            ("pass_score", self.pass_score),
            ("close_score", self.close_score),
            ("adaptive_up", self.adaptive_up),
            ("adaptive_down", self.adaptive_down),
        ] {
            if !(0.0..=100.0).contains(&value) {
                return Err(format!(
                    "interview.{name} must be between 0 and 100, not {value}"
                ));
            }
        }
        if self.close_score > self.pass_score {
            return Err("interview.close_score must not exceed interview.pass_score".into());
        }
        if self.adaptive_down > self.adaptive_up {
            return Err("interview.adaptive_down must not exceed interview.adaptive_up".into());
        }
        if self.recent_days.is_nan() || self.recent_days < 0.0 {
            return Err("interview.recent_days must be 0 or more".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterfaceSettings {
    /// "ru", "en", or "" to follow the locale.
    pub lang: String,
    /// "auto", "always" or "never".
    pub color: String,
    /// Show the reference answer after each graded answer.
    pub show_reference: bool,
    /// Widest line for wrapped text.
    pub max_width: usize,
}

impl Default for InterfaceSettings {
    fn default() -> Self {
        InterfaceSettings {
            lang: String::new(),
            color: "auto".into(),
            show_reference: false,
            max_width: 100,
        }
    }
}

/// Optional scoring by a language model over an OpenAI-compatible API. Off by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmSettings {
    pub enabled: bool,
    /// Including `/v1`, e.g. `http://localhost:11434/v1` for Ollama.
    pub base_url: String,
    pub model: String,
    /// The *name* of the environment variable that holds the API key; the key never lives in a file.
    pub api_key_env: String,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub max_retries: u32,
    pub concurrency: usize,
    pub temperature: f64,
    /// `max_tokens` for local servers, `max_completion_tokens` for OpenAI.
    pub token_limit_field: String,
    pub max_output_tokens: u32,
    /// `keyword`, `blend` or `llm`.
    pub mode: String,
    /// Weight of the LLM score in `blend` mode (0–1).
    pub blend_weight: f64,
    /// How far (in points of 100) the LLM may move the score away from the rubric score.
    pub blend_band: f64,
    /// First retry delay in milliseconds; it doubles on each retry (a `Retry-After` wins).
    pub backoff_ms: u64,
    /// Remember LLM grades in the cache database, so regrading the same answers costs nothing.
    pub cache: bool,
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            enabled: false,
            base_url: "http://localhost:11434/v1".into(),
            model: "qwen2.5:7b-instruct".into(),
            api_key_env: "OPENAI_API_KEY".into(),
            timeout_secs: 60,
            connect_timeout_secs: 10,
            max_retries: 3,
            concurrency: 4,
            temperature: 0.0,
            token_limit_field: "max_tokens".into(),
            max_output_tokens: 600,
            mode: "keyword".into(),
            blend_weight: 0.5,
            blend_band: 20.0,
            backoff_ms: 500,
            cache: true,
        }
    }
}

/// The optional semantic channel: sentence embeddings from an OpenAI-compatible
/// `/v1/embeddings` endpoint. Off while `base_url` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddingsSettings {
    /// Including `/v1`, e.g. `http://127.0.0.1:8000/v1`; empty turns the channel off.
    pub base_url: String,
    pub model: String,
    /// The *name* of the environment variable that holds the API key; empty sends no key.
    pub api_key_env: String,
    /// Longest wait for one request, in milliseconds.
    pub timeout_ms: u64,
    /// Longest wait for the connection, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Prepended to every text before it is embedded (`"query: "`, as E5 models expect).
    pub query_prefix: String,
    /// Cosine at or above which an answer's clause counts as stating a concept.
    pub similarity: f64,
    /// Most texts sent in one request.
    pub batch_size: usize,
}

impl Default for EmbeddingsSettings {
    fn default() -> Self {
        EmbeddingsSettings {
            base_url: String::new(),
            model: "multilingual-e5-small".into(),
            api_key_env: String::new(),
            timeout_ms: 30_000,
            connect_timeout_ms: 2_000,
            query_prefix: "query: ".into(),
            similarity: DEFAULT_SIMILARITY,
            batch_size: 64,
        }
    }
}

/// The default `embeddings.similarity`, measured on the bank's graded examples (README,
/// "Semantic channel").
pub const DEFAULT_SIMILARITY: f64 = 0.89;

impl EmbeddingsSettings {
    /// Whether the channel is on: a server is configured.
    pub fn enabled(&self) -> bool {
        !self.base_url.trim().is_empty()
    }

    fn validate(&self) -> Result<(), String> {
        let url = self.base_url.trim();
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "embeddings.base_url \"{url}\" must start with http:// or https:// (e.g. http://127.0.0.1:8000/v1), or be empty to turn the channel off"
            ));
        }
        if self.model.trim().is_empty() {
            return Err("embeddings.model must not be empty".into());
        }
        let name = self.api_key_env.trim();
        if !name.is_empty() && !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            // Never echo the value: it may be the key itself, pasted by mistake.
            return Err("embeddings.api_key_env must be the NAME of an environment variable (letters, digits, _), not the key".into());
        }
        for (name, value, max) in [
            ("timeout_ms", self.timeout_ms, 3_600_000),
            ("connect_timeout_ms", self.connect_timeout_ms, 600_000),
        ] {
            if !(1..=max).contains(&value) {
                return Err(format!(
                    "embeddings.{name} must be between 1 and {max}, not {value}"
                ));
            }
        }
        if !self.similarity.is_finite() || !(0.0..=1.0).contains(&self.similarity) {
            return Err(format!(
                "embeddings.similarity must be a number between 0 and 1, not {}",
                self.similarity
            ));
        }
        if !(1..=2048).contains(&self.batch_size) {
            return Err(format!(
                "embeddings.batch_size must be between 1 and 2048, not {}",
                self.batch_size
            ));
        }
        if self.query_prefix.chars().count() > 200 {
            return Err("embeddings.query_prefix must be at most 200 characters".into());
        }
        Ok(())
    }
}

/// Where the configuration file was looked for and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    pub path: PathBuf,
    pub origin: &'static str,
    pub exists: bool,
}

impl ConfigPath {
    /// A file named explicitly must exist; one in a configuration directory may be absent.
    pub fn optional(&self) -> bool {
        matches!(self.origin, "default location" | "SOBES_CONFIG_DIR")
    }
}

/// How the caller wants the configuration found.
#[derive(Debug, Clone, Default)]
pub struct ConfigRequest {
    pub file: Option<PathBuf>,
    pub no_config: bool,
    pub overrides: Vec<String>,
}

/// The user's configuration file: `--config`, `$SOBES_CONFIG`, `$SOBES_CONFIG_DIR/config.toml`,
/// else the OS config directory.
pub fn config_path(request: &ConfigRequest) -> Option<ConfigPath> {
    if request.no_config {
        return None;
    }
    let (path, origin) = if let Some(file) = &request.file {
        (file.clone(), "--config")
    } else if let Some(file) = env::var_os("SOBES_CONFIG").filter(|v| !v.is_empty()) {
        (PathBuf::from(file), "SOBES_CONFIG")
    } else if let Some(dir) = env::var_os("SOBES_CONFIG_DIR").filter(|v| !v.is_empty()) {
        (PathBuf::from(dir).join("config.toml"), "SOBES_CONFIG_DIR")
    } else {
        let dir = config_dir()?;
        (dir.join("config.toml"), "default location")
    };
    let exists = path.is_file();
    Some(ConfigPath {
        path,
        origin,
        exists,
    })
}

/// The OS configuration directory for sobes (`~/.config/sobes` on Linux).
pub fn config_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("sobes"))
}

/// The OS data directory for sobes (history database, REPL history).
pub fn data_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    if let Some(dir) = env::var_os("SOBES_DATA_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.data_dir().join("sobes"))
}

/// The OS cache directory for sobes (`~/.cache/sobes` on Linux), or `$SOBES_CACHE_DIR`.
pub fn cache_dir() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    if let Some(dir) = env::var_os("SOBES_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.cache_dir().join("sobes"))
}

impl Config {
    /// Load and layer the configuration.
    pub fn load(request: &ConfigRequest) -> Result<Config, ConfigError> {
        let mut value =
            toml::Value::try_from(Config::default()).map_err(|e| ConfigError::Value {
                origin: "defaults".into(),
                message: e.to_string(),
            })?;
        if let Some(found) = config_path(request) {
            // An explicitly named file must exist; the default location is optional.
            if found.exists || !found.optional() {
                let text = read_config_file(&found.path)?;
                let file_value = parse_config_text(&found.path, &text)?;
                merge(&mut value, file_value);
            }
        }
        for (key, raw) in env_overrides(&value) {
            set_key(
                &mut value,
                &key,
                &raw,
                &format!("environment variable {raw_key}", raw_key = env_name(&key)),
            )?;
        }
        for assignment in &request.overrides {
            let (key, raw) = assignment
                .split_once('=')
                .ok_or_else(|| ConfigError::Value {
                    origin: format!("--set {assignment}"),
                    message: "expected KEY=VALUE, e.g. --set grading.max_gap=3".into(),
                })?;
            set_key(
                &mut value,
                key.trim(),
                raw.trim(),
                &format!("--set {assignment}"),
            )?;
        }
        let config = Config::deserialize(value).map_err(|e| ConfigError::Value {
            origin: "configuration".into(),
            message: e.to_string(),
        })?;
        config
            .interview
            .validate()
            .and_then(|()| config.embeddings.validate())
            .map_err(|message| ConfigError::Value {
                origin: "configuration".into(),
                message,
            })?;
        Ok(config)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

fn read_config_file(path: &Path) -> Result<String, ConfigError> {
    let bytes = fs::read(path).map_err(|reason| ConfigError::Io {
        path: path.to_path_buf(),
        reason,
    })?;
    String::from_utf8(bytes).map_err(|_| ConfigError::Value {
        origin: path.display().to_string(),
        message: "the configuration file is not valid UTF-8".into(),
    })
}

/// Parse a config file, checking its keys and types so that mistakes name file and line.
fn parse_config_text(path: &Path, text: &str) -> Result<toml::Value, ConfigError> {
    let location = |e: toml::de::Error| {
        let (line, column, message) = toml_location(text, &e);
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    toml::from_str::<Config>(text).map_err(location)?;
    toml::from_str::<toml::Value>(text).map_err(location)
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(base), toml::Value::Table(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

fn env_name(key: &str) -> String {
    format!("SOBES_{}", key.replace('.', "_").to_uppercase())
}

/// `SOBES_<SECTION>_<KEY>` for every known key, e.g. `SOBES_LLM_ENABLED=true`.
fn env_overrides(value: &toml::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let toml::Value::Table(sections) = value {
        for (section, table) in sections {
            if let toml::Value::Table(keys) = table {
                for key in keys.keys() {
                    let full = format!("{section}.{key}");
                    if let Ok(raw) = env::var(env_name(&full)) {
                        out.push((full, raw));
                    }
                }
            }
        }
    }
    out
}

fn set_key(value: &mut toml::Value, key: &str, raw: &str, origin: &str) -> Result<(), ConfigError> {
    let (section, name) = key.split_once('.').ok_or_else(|| ConfigError::Value {
        origin: origin.into(),
        message: format!("\"{key}\" is not SECTION.KEY (e.g. grading.max_gap)"),
    })?;
    let slot = value
        .get_mut(section)
        .and_then(|s| s.get_mut(name))
        .ok_or_else(|| ConfigError::Value {
            origin: origin.into(),
            message: format!("unknown setting \"{key}\""),
        })?;
    // Values are TOML literals (`3`, `true`, `0.5`); anything else is taken as a string.
    let parsed = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()));
    let parsed = match (&*slot, parsed) {
        (toml::Value::Float(_), toml::Value::Integer(i)) => toml::Value::Float(i as f64),
        (toml::Value::String(_), other) if !other.is_str() => toml::Value::String(raw.to_owned()),
        (_, other) => other,
    };
    if std::mem::discriminant(&*slot) != std::mem::discriminant(&parsed) {
        return Err(ConfigError::Value {
            origin: origin.into(),
            message: format!("\"{key}\" expects a {}, got \"{raw}\"", slot.type_str()),
        });
    }
    *slot = parsed;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_config_toml_is_the_default() {
        let parsed: Config = toml::from_str(DEFAULT_CONFIG_TOML).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn default_round_trips() {
        let text = Config::default().to_toml();
        assert_eq!(toml::from_str::<Config>(&text).unwrap(), Config::default());
    }

    #[test]
    fn set_overrides_typed_values() {
        let request = ConfigRequest {
            no_config: true,
            overrides: vec!["grading.max_gap=4".into(), "llm.model=llama3".into()],
            ..Default::default()
        };
        let config = Config::load(&request).unwrap();
        assert_eq!(config.grading.max_gap, 4);
        assert_eq!(config.llm.model, "llama3");
    }

    #[test]
    fn bad_overrides_are_named() {
        for bad in ["grading.max_gap=lots", "grading.nope=1", "nosection"] {
            let request = ConfigRequest {
                no_config: true,
                overrides: vec![bad.into()],
                ..Default::default()
            };
            let error = Config::load(&request).unwrap_err().to_string();
            assert!(error.contains("--set"), "{error}");
        }
    }

    #[test]
    fn a_bad_file_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, "[grading]\nmax_gap = 2\nfuzzy_min_len = \"five\"\n").unwrap();
        let request = ConfigRequest {
            file: Some(path.clone()),
            ..Default::default()
        };
        let error = Config::load(&request).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("{}:3:", path.display())),
            "{error}"
        );
    }

    fn load_with(overrides: &[&str]) -> Result<Config, ConfigError> {
        Config::load(&ConfigRequest {
            no_config: true,
            overrides: overrides.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        })
    }

    #[test]
    fn embeddings_are_off_by_default_and_one_set_turns_them_on() {
        let config = load_with(&[]).unwrap();
        assert!(!config.embeddings.enabled());
        assert_eq!(config.embeddings.query_prefix, "query: ");
        let config = load_with(&["embeddings.base_url=http://127.0.0.1:8123/v1"]).unwrap();
        assert!(config.embeddings.enabled());
        assert_eq!(config.embeddings.base_url, "http://127.0.0.1:8123/v1");
        let config = load_with(&["embeddings.query_prefix="]).unwrap();
        assert_eq!(config.embeddings.query_prefix, "");
    }

    #[test]
    fn bad_embeddings_values_name_their_key() {
        for (bad, key) in [
            ("embeddings.base_url=localhost:8000", "embeddings.base_url"),
            ("embeddings.model=", "embeddings.model"),
            ("embeddings.timeout_ms=0", "embeddings.timeout_ms"),
            (
                "embeddings.connect_timeout_ms=0",
                "embeddings.connect_timeout_ms",
            ),
            ("embeddings.similarity=1.5", "embeddings.similarity"),
            ("embeddings.similarity=-0.1", "embeddings.similarity"),
            ("embeddings.similarity=nan", "embeddings.similarity"),
            ("embeddings.similarity=inf", "embeddings.similarity"),
            ("embeddings.batch_size=0", "embeddings.batch_size"),
            ("embeddings.batch_size=100000", "embeddings.batch_size"),
        ] {
            let error = load_with(&[bad]).unwrap_err().to_string();
            assert!(error.contains(key), "{bad}: {error}");
        }
    }

    #[test]
    fn a_key_pasted_into_api_key_env_is_refused_without_being_echoed() {
        let error = load_with(&["embeddings.api_key_env=sk-secret-1234"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("embeddings.api_key_env"), "{error}");
        assert!(!error.contains("sk-secret-1234"), "{error}");
        assert!(load_with(&["embeddings.api_key_env=MY_EMBED_KEY"]).is_ok());
    }
}

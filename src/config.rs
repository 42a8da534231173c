//! Configuration: built-in defaults < config file < `SOBES_*` environment variables <
//! `--set key=value` < dedicated flags. Everything is validated into one typed [`Config`].

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{toml_location, ConfigError};
use crate::grade::GradeSettings;
use crate::llm::Mode;
use crate::ui::{ColorChoice, Lang};

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
    /// How long to keep retrying to save an answer while another program holds the history
    /// database locked; past it, unsaved answers are kept in a file next to the database.
    pub save_wait_secs: u64,
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
            save_wait_secs: 30,
        }
    }
}

/// `interface.lang`: a language, or "" to follow the locale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LangSetting {
    /// Follow the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    #[default]
    #[serde(rename = "")]
    Locale,
    #[serde(rename = "ru")]
    Ru,
    #[serde(rename = "en")]
    En,
}

impl LangSetting {
    /// The language set, if one is.
    pub fn lang(self) -> Option<Lang> {
        match self {
            LangSetting::Locale => None,
            LangSetting::Ru => Some(Lang::Ru),
            LangSetting::En => Some(Lang::En),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterfaceSettings {
    /// A language, or [`LangSetting::Locale`] ("") to follow the locale.
    #[serde(deserialize_with = "choice")]
    pub lang: LangSetting,
    /// When to colour terminal output.
    #[serde(deserialize_with = "choice")]
    pub color: ColorChoice,
    /// Show the reference answer after each graded answer.
    pub show_reference: bool,
    /// Widest line for wrapped text.
    pub max_width: usize,
}

impl Default for InterfaceSettings {
    fn default() -> Self {
        InterfaceSettings {
            lang: LangSetting::Locale,
            color: ColorChoice::Auto,
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
    /// Which grader decides the score when `enabled`.
    #[serde(deserialize_with = "choice")]
    pub mode: Mode,
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
            mode: Mode::Keyword,
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
pub const DEFAULT_SIMILARITY: f64 = 0.91;

impl EmbeddingsSettings {
    /// Whether the channel is on: a server is configured.
    pub fn enabled(&self) -> bool {
        !self.base_url.trim().is_empty()
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
    /// Load and layer the configuration, then check every value once: anything out of range
    /// is an error naming the key, the allowed values and where the bad one came from.
    pub fn load(request: &ConfigRequest) -> Result<Config, ConfigError> {
        let mut value =
            toml::Value::try_from(Config::default()).map_err(|e| ConfigError::Value {
                origin: "defaults".into(),
                message: e.to_string(),
            })?;
        let mut origins = Origins::default();
        if let Some(found) = config_path(request) {
            // An explicitly named file must exist; the default location is optional.
            if found.exists || !found.optional() {
                let text = read_config_file(&found.path)?;
                let file_value = parse_config_text(&found.path, &text)?;
                origins.set_file(&file_value, &found.path);
                merge(&mut value, file_value);
            }
        }
        check_env_names(&value)?;
        for (key, raw) in env_overrides(&value) {
            let origin = format!("environment variable {}", env_name(&key));
            set_key(&mut value, &key, &raw, &origin)?;
            origins.set(&key, origin);
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
            // The key alone: the message shows the value, unless it must not be echoed.
            origins.set(key.trim(), format!("--set {}", key.trim()));
        }
        normalize_choices(&mut value).map_err(|problem| ConfigError::Value {
            origin: origins.of(&problem.key),
            message: problem.message,
        })?;
        let config = Config::deserialize(value).map_err(|e| ConfigError::Value {
            origin: "configuration".into(),
            message: e.to_string(),
        })?;
        validate(&config).map_err(|problem| ConfigError::Value {
            origin: origins.of(&problem.key),
            message: problem.message,
        })?;
        Ok(config)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The configuration as `config show` prints it: credentials in server URLs masked.
    pub fn to_shown_toml(&self) -> String {
        let mut shown = self.clone();
        shown.llm.base_url = crate::redact::shown_url(&shown.llm.base_url);
        shown.embeddings.base_url = crate::redact::shown_url(&shown.embeddings.base_url);
        shown.to_toml()
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
        let (line, column, mut message) = toml_location(text, &e);
        // Name the key: "invalid type: string, expected usize" alone does not say which.
        if let Some(key) = key_at_line(text, line) {
            message = format!("{key}: {message}");
        }
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let value = toml::from_str::<toml::Value>(text).map_err(location)?;
    // A word that is none of a choice's values is named with its key, as from any layer.
    normalize_choices(&mut value.clone()).map_err(|problem| ConfigError::Value {
        origin: path.display().to_string(),
        message: problem.message,
    })?;
    toml::from_str::<Config>(text).map_err(location)?;
    Ok(value)
}

/// The dotted name of the key set on 1-based `line` of a TOML text (`section.key`), if that
/// line sets one.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?.trim();
    let section = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('[') && !l.starts_with("[["))
        .and_then(|l| l.strip_prefix('[')?.split(']').next())
        .map(str::trim);
    let name_of = |l: &str| {
        let key = l.split('=').next()?.trim().trim_matches('"');
        let valid = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        valid.then(|| key.to_owned())
    };
    if let Some(header) = here.strip_prefix('[') {
        return header.split(']').next().map(|h| h.trim().to_owned());
    }
    if !here.contains('=') {
        return None;
    }
    let key = name_of(here)?;
    Some(match section {
        Some(section) => format!("{section}.{key}"),
        None => key,
    })
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
            message: format!("\"{key}\" expects {}, got \"{raw}\"", kind_of(slot)),
        });
    }
    *slot = parsed;
    Ok(())
}

/// What a setting's type takes, in words: "expects a number", "expects true or false".
fn kind_of(slot: &toml::Value) -> &'static str {
    match slot {
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::String(_) => "a string",
        _ => "a value of another type",
    }
}

/// Variables that look like settings but belong to the scripts (`scripts/embeddings-server.sh`
/// exports the server's process id for the tests that use it).
const NOT_SETTINGS: &[&str] = &["SOBES_EMBEDDINGS_SERVER_PID"];

/// A `SOBES_<SECTION>_<KEY>` variable whose KEY no setting has is a typo that would otherwise
/// be ignored without a word.
fn check_env_names(value: &toml::Value) -> Result<(), ConfigError> {
    let toml::Value::Table(sections) = value else {
        return Ok(());
    };
    let mut names: Vec<String> = env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| !NOT_SETTINGS.contains(&name.as_str()))
        .collect();
    names.sort();
    for name in names {
        for (section, table) in sections {
            let prefix = format!("SOBES_{}_", section.to_uppercase());
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let known = table
                .as_table()
                .is_some_and(|keys| keys.keys().any(|k| k.to_uppercase() == rest));
            if !known {
                let keys = table
                    .as_table()
                    .map(|keys| {
                        keys.keys()
                            .map(|k| env_name(&format!("{section}.{k}")))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let hint = crate::ui::did_you_mean(&name, keys.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                return Err(ConfigError::Value {
                    origin: format!("environment variable {name}"),
                    message: format!(
                        "there is no setting {section}.{}{hint}",
                        rest.to_lowercase()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Where each setting that is not a default came from, for error messages.
#[derive(Debug, Default)]
struct Origins(std::collections::HashMap<String, String>);

impl Origins {
    fn set(&mut self, key: &str, origin: String) {
        self.0.insert(key.to_owned(), origin);
    }

    fn set_file(&mut self, file: &toml::Value, path: &Path) {
        if let toml::Value::Table(sections) = file {
            for (section, table) in sections {
                if let toml::Value::Table(keys) = table {
                    for key in keys.keys() {
                        self.set(&format!("{section}.{key}"), path.display().to_string());
                    }
                }
            }
        }
    }

    fn of(&self, key: &str) -> String {
        self.0
            .get(key)
            .cloned()
            .unwrap_or_else(|| "configuration".into())
    }
}

/// A setting out of its range: the key and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    key: String,
    message: String,
}

/// Collects the first problem found by the checks of [`validate`].
#[derive(Default)]
struct Checks {
    first: Option<Problem>,
}

impl Checks {
    fn fail(&mut self, key: &str, message: String) {
        if self.first.is_none() {
            self.first = Some(Problem {
                key: key.to_owned(),
                message,
            });
        }
    }

    /// A finite number in `min..=max`.
    fn number(&mut self, key: &str, value: f64, min: f64, max: f64) {
        if !(value.is_finite() && (min..=max).contains(&value)) {
            self.fail(
                key,
                format!("{key} must be a number from {min} to {max}, not {value}"),
            );
        }
    }

    /// A whole number in `min..=max`.
    fn whole(&mut self, key: &str, value: u64, min: u64, max: u64) {
        if !(min..=max).contains(&value) {
            self.fail(
                key,
                format!("{key} must be a whole number from {min} to {max}, not {value}"),
            );
        }
    }

    /// One of `allowed` (compared trimmed and in lower case).
    fn one_of(&mut self, key: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value.trim().to_lowercase().as_str()) {
            let shown: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            self.fail(
                key,
                format!(
                    "{key} must be one of {}, not \"{}\"",
                    shown.join(", "),
                    value.chars().take(60).collect::<String>()
                ),
            );
        }
    }

    /// An http:// or https:// URL (or, when `may_be_empty`, nothing).
    fn url(&mut self, key: &str, value: &str, may_be_empty: bool, example: &str) {
        let url = value.trim();
        let ok = (may_be_empty && url.is_empty())
            || ((url.starts_with("http://") || url.starts_with("https://"))
                && url.len() > "https://".len());
        if !ok {
            let empty = if may_be_empty {
                ", or be empty to turn the channel off"
            } else {
                ""
            };
            self.fail(
                key,
                format!(
                    "{key} \"{}\" must start with http:// or https:// (e.g. {example}){empty}",
                    crate::redact::shown_url(url)
                ),
            );
        }
    }

    /// The NAME of an environment variable (or nothing). The value is never echoed: it may be
    /// the key itself, pasted by mistake.
    fn variable_name(&mut self, key: &str, value: &str) {
        let name = value.trim();
        if !name.is_empty() && !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.fail(
                key,
                format!(
                    "{key} must be the NAME of an environment variable (letters, digits, _), not the key"
                ),
            );
        }
    }
}

/// One of [`CHOICES`], read in any case and with spaces around it.
fn choice<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let word = String::deserialize(deserializer)?;
    T::deserialize(serde::de::value::StringDeserializer::<D::Error>::new(
        word.trim().to_lowercase(),
    ))
}

/// Settings that take one of a few words, read into enums: each word allowed.
const CHOICES: &[(&str, &str, &[&str])] = &[
    ("interface", "lang", &["", "ru", "en"]),
    ("interface", "color", &["auto", "always", "never"]),
    ("llm", "mode", &["keyword", "blend", "llm"]),
];

/// Bring each of [`CHOICES`] to its canonical word (trimmed, lower case), so that it reads
/// into its enum; a word not allowed is a problem naming the key, the words and the value.
fn normalize_choices(value: &mut toml::Value) -> Result<(), Problem> {
    let mut c = Checks::default();
    for (section, key, allowed) in CHOICES {
        let Some(toml::Value::String(word)) = value.get_mut(*section).and_then(|s| s.get_mut(*key))
        else {
            continue;
        };
        let canonical = word.trim().to_lowercase();
        if allowed.contains(&canonical.as_str()) {
            *word = canonical;
        } else {
            c.one_of(&format!("{section}.{key}"), word, allowed);
        }
    }
    match c.first {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Every setting in its range; the first problem found, if any.
fn validate(config: &Config) -> Result<(), Problem> {
    let mut c = Checks::default();
    let g = &config.grading;
    for (key, value, min, max) in [
        ("grading.fuzzy_min_len", g.fuzzy_min_len, 1, 20),
        ("grading.fuzzy_max_edits", g.fuzzy_max_edits, 0, 3),
        ("grading.fuzzy_long_len", g.fuzzy_long_len, 1, 40),
        ("grading.prefix_min_len", g.prefix_min_len, 1, 20),
        ("grading.prefix_max_extra", g.prefix_max_extra, 0, 20),
        ("grading.max_gap", g.max_gap, 0, 20),
        ("grading.negation_window", g.negation_window, 0, 20),
        (
            "grading.explanation_min_words",
            g.explanation_min_words,
            0,
            50,
        ),
        ("grading.cue_window", g.cue_window, 1, 100),
        (
            "grading.misconception_cue_window",
            g.misconception_cue_window,
            1,
            100,
        ),
        (
            "grading.max_answer_bytes",
            g.max_answer_bytes,
            1,
            MAX_ANSWER_BYTES,
        ),
    ] {
        c.whole(key, value as u64, min, max as u64);
    }
    for (key, value, min, max) in [
        (
            "grading.cross_script_similarity",
            g.cross_script_similarity,
            0.0,
            1.0,
        ),
        (
            "grading.bare_mention_credit",
            g.bare_mention_credit,
            0.0,
            1.0,
        ),
        ("grading.listed_credit", g.listed_credit, 0.0, 1.0),
        ("grading.keyword_list_cap", g.keyword_list_cap, 0.0, 100.0),
        (
            "grading.wrong_claim_penalty",
            g.wrong_claim_penalty,
            0.0,
            100.0,
        ),
        ("grading.semantic_credit", g.semantic_credit, 0.0, 1.0),
        // As a rubric's own [scoring] full_marks_coverage: 0 would make every answer 100.
        (
            "grading.full_marks_coverage",
            g.full_marks_coverage,
            0.01,
            1.0,
        ),
        (
            "grading.required_missing_cap",
            g.required_missing_cap,
            0.0,
            100.0,
        ),
        (
            "grading.required_wrong_cap",
            g.required_wrong_cap,
            0.0,
            100.0,
        ),
        (
            "grading.wrong_statements_cap",
            g.wrong_statements_cap,
            0.0,
            100.0,
        ),
        ("grading.depth_fraction", g.depth_fraction, 0.0, 1.0),
        ("grading.depth_floor", g.depth_floor, 0.0, 100.0),
    ] {
        c.number(key, value, min, max);
    }

    let i = &config.interface;
    c.whole("interface.max_width", i.max_width as u64, 20, 1000);

    let v = &config.interview;
    c.whole("interview.questions", v.questions as u64, 1, 1000);
    for (key, value) in [
        ("interview.pass_score", v.pass_score),
        ("interview.close_score", v.close_score),
        ("interview.adaptive_up", v.adaptive_up),
        ("interview.adaptive_down", v.adaptive_down),
    ] {
        c.number(key, value, 0.0, 100.0);
    }
    if v.close_score > v.pass_score {
        c.fail(
            "interview.close_score",
            "interview.close_score must not exceed interview.pass_score".into(),
        );
    }
    if v.adaptive_down > v.adaptive_up {
        c.fail(
            "interview.adaptive_down",
            "interview.adaptive_down must not exceed interview.adaptive_up".into(),
        );
    }
    c.number("interview.recent_days", v.recent_days, 0.0, 3650.0);
    c.whole("interview.save_wait_secs", v.save_wait_secs, 0, 3600);

    let l = &config.llm;
    c.url(
        "llm.base_url",
        &l.base_url,
        false,
        "http://localhost:11434/v1",
    );
    if l.model.trim().is_empty() {
        c.fail("llm.model", "llm.model must not be empty".into());
    }
    c.variable_name("llm.api_key_env", &l.api_key_env);
    c.whole("llm.timeout_secs", l.timeout_secs, 1, 3600);
    c.whole("llm.connect_timeout_secs", l.connect_timeout_secs, 1, 600);
    c.whole(
        "llm.max_retries",
        u64::from(l.max_retries),
        0,
        u64::from(MAX_LLM_RETRIES),
    );
    c.whole("llm.concurrency", l.concurrency as u64, 1, 64);
    c.number("llm.temperature", l.temperature, 0.0, 2.0);
    c.one_of(
        "llm.token_limit_field",
        &l.token_limit_field,
        &["max_tokens", "max_completion_tokens"],
    );
    c.whole(
        "llm.max_output_tokens",
        u64::from(l.max_output_tokens),
        1,
        100_000,
    );
    c.number("llm.blend_weight", l.blend_weight, 0.0, 1.0);
    c.number("llm.blend_band", l.blend_band, 0.0, 100.0);
    c.whole("llm.backoff_ms", l.backoff_ms, 0, MAX_LLM_BACKOFF_MS);

    let e = &config.embeddings;
    c.url(
        "embeddings.base_url",
        &e.base_url,
        true,
        "http://127.0.0.1:8000/v1",
    );
    if e.model.trim().is_empty() {
        c.fail(
            "embeddings.model",
            "embeddings.model must not be empty".into(),
        );
    }
    c.variable_name("embeddings.api_key_env", &e.api_key_env);
    c.whole("embeddings.timeout_ms", e.timeout_ms, 1, 3_600_000);
    c.whole(
        "embeddings.connect_timeout_ms",
        e.connect_timeout_ms,
        1,
        600_000,
    );
    c.number("embeddings.similarity", e.similarity, 0.0, 1.0);
    c.whole("embeddings.batch_size", e.batch_size as u64, 1, 2048);
    if e.query_prefix.chars().count() > 200 {
        c.fail(
            "embeddings.query_prefix",
            "embeddings.query_prefix must be at most 200 characters".into(),
        );
    }
    match c.first {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// The longest answer `grading.max_answer_bytes` may allow: 16 MiB.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;
/// The most retries `llm.max_retries` may ask for.
pub const MAX_LLM_RETRIES: u32 = 10;
/// The longest first retry delay `llm.backoff_ms` may set: one minute.
pub const MAX_LLM_BACKOFF_MS: u64 = 60_000;

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
    fn every_setting_out_of_range_is_named_with_its_range() {
        for (bad, expected) in [
            (
                "grading.full_marks_coverage=nan",
                "grading.full_marks_coverage must be a number from 0.01 to 1, not NaN",
            ),
            ("grading.full_marks_coverage=0", "from 0.01 to 1, not 0"),
            (
                "grading.full_marks_coverage=-0.5",
                "from 0.01 to 1, not -0.5",
            ),
            (
                "grading.bare_mention_credit=inf",
                "bare_mention_credit must be a number from 0 to 1, not inf",
            ),
            ("grading.required_missing_cap=-50", "from 0 to 100, not -50"),
            ("grading.required_missing_cap=500", "from 0 to 100, not 500"),
            ("grading.cross_script_similarity=2", "from 0 to 1, not 2"),
            ("grading.listed_credit=1.5", "grading.listed_credit"),
            ("grading.keyword_list_cap=101", "grading.keyword_list_cap"),
            (
                "grading.cue_window=0",
                "grading.cue_window must be a whole number from 1 to 100",
            ),
            (
                "grading.wrong_claim_penalty=nan",
                "grading.wrong_claim_penalty",
            ),
            ("grading.semantic_credit=-1", "grading.semantic_credit"),
            ("grading.max_answer_bytes=0", "grading.max_answer_bytes"),
            ("grading.fuzzy_max_edits=9", "grading.fuzzy_max_edits"),
            (
                "interface.max_width=0",
                "interface.max_width must be a whole number from 20 to 1000, not 0",
            ),
            (
                "interface.lang=xx",
                "interface.lang must be one of \"\", \"ru\", \"en\", not \"xx\"",
            ),
            (
                "interface.color=rainbow",
                "interface.color must be one of \"auto\", \"always\", \"never\"",
            ),
            ("interview.recent_days=inf", "interview.recent_days"),
            ("interview.questions=0", "interview.questions"),
            (
                "llm.blend_weight=nan",
                "llm.blend_weight must be a number from 0 to 1, not NaN",
            ),
            (
                "llm.blend_weight=5",
                "llm.blend_weight must be a number from 0 to 1, not 5",
            ),
            (
                "llm.blend_band=-20",
                "llm.blend_band must be a number from 0 to 100, not -20",
            ),
            (
                "llm.temperature=-3",
                "llm.temperature must be a number from 0 to 2, not -3",
            ),
            (
                "llm.backoff_ms=9223372036854775807",
                "llm.backoff_ms must be a whole number from 0 to 60000",
            ),
            (
                "llm.max_retries=4294967295",
                "llm.max_retries must be a whole number from 0 to 10",
            ),
            ("llm.concurrency=0", "llm.concurrency"),
            ("llm.timeout_secs=0", "llm.timeout_secs"),
            ("llm.mode=smart", "llm.mode must be one of"),
            ("llm.token_limit_field=max", "llm.token_limit_field"),
            ("llm.base_url=localhost", "llm.base_url"),
            ("llm.model= ", "llm.model"),
        ] {
            let error = load_with(&[bad]).unwrap_err().to_string();
            assert!(error.contains(expected), "{bad}: {error}");
            let key = bad.split('=').next().unwrap();
            assert!(
                error.starts_with(&format!("--set {key}: ")),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn a_wrong_type_says_what_the_key_expects() {
        let error = load_with(&["grading.max_gap=lots"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("expects a whole number"), "{error}");
        let error = load_with(&["llm.enabled=maybe"]).unwrap_err().to_string();
        assert!(error.contains("expects true or false"), "{error}");
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

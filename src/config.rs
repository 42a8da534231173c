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
}

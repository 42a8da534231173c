//! The question bank: questions with reference answers (`data/*.toml`) and their rubrics
//! (`rubrics/*.toml`), loaded once from the copy embedded in the binary or from `--bank DIR`.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{toml_location, BankError, InputError};
use crate::grade::CompiledRubric;
use crate::rubric::{Lexicon, Rubric};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_bank.rs"));
}

/// Interview level.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Junior,
    Middle,
    Senior,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Junior, Level::Middle, Level::Senior];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Middle => "middle",
            Level::Senior => "senior",
        }
    }

    /// 0 for junior, 1 for middle, 2 for senior.
    pub fn rank(self) -> usize {
        self as usize
    }

    /// The next level up (senior stays senior).
    pub fn up(self) -> Level {
        Level::ALL[(self.rank() + 1).min(2)]
    }

    /// The next level down (junior stays junior).
    pub fn down(self) -> Level {
        Level::ALL[self.rank().saturating_sub(1)]
    }

    /// Read a level from a hashtag or word, in English or Russian.
    pub fn from_tag(tag: &str) -> Option<Level> {
        match tag.trim_start_matches('#').to_lowercase().as_str() {
            "junior" | "джун" | "джуниор" | "junior+" => Some(Level::Junior),
            "middle" | "мидл" | "миддл" | "middle+" => Some(Level::Middle),
            "senior" | "сеньор" | "синьор" | "сениор" | "lead" => {
                Some(Level::Senior)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One question of the bank (`data/<id>.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub question: String,
    /// The reference answer: what a strong candidate would say.
    pub answer: String,
    pub levels: Vec<Level>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default)]
    pub source: String,
    /// Reactions the question got where it was published, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popularity: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
}

fn default_lang() -> String {
    "ru".to_owned()
}

impl Question {
    pub fn text(&self, english: bool) -> &str {
        crate::rubric::localized(&self.question, self.question_en.as_deref(), english)
    }

    pub fn reference(&self, english: bool) -> &str {
        crate::rubric::localized(&self.answer, self.answer_en.as_deref(), english)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether the question has one of `topics` (any question, when `topics` is empty).
    pub fn in_topics(&self, topics: &[String]) -> bool {
        topics.is_empty() || self.topics.iter().any(|t| topics.contains(t))
    }

    /// The question in every language it is written in, for spotting aliases that echo it.
    /// The reference answer in every language.
    pub fn all_answers(&self) -> String {
        match &self.answer_en {
            Some(en) => format!("{}\n{en}", self.answer),
            None => self.answer.clone(),
        }
    }

    pub fn all_texts(&self) -> String {
        match &self.question_en {
            Some(en) => format!("{}\n{en}", self.question),
            None => self.question.clone(),
        }
    }
}

/// A bank file as read: where it came from and its text, kept for error locations.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// `data/<name>.toml` or `rubrics/<name>.toml`, relative to the bank root.
    pub relative: String,
    /// What to show in messages: the real path, or `<bundled>/data/...`.
    pub display: PathBuf,
    pub text: String,
}

impl SourceFile {
    /// 1-based line of the first line containing `needle`, or 1.
    pub fn line_of(&self, needle: &str) -> usize {
        self.text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1)
    }
}

/// A rubric together with the file it came from.
#[derive(Debug, Clone)]
pub struct RubricEntry {
    pub file: SourceFile,
    pub rubric: Rubric,
}

/// Where a bank comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankSource {
    Bundled,
    Dir(PathBuf),
}

/// The loaded bank: questions in a stable order, rubrics, compiled rubrics.
#[derive(Debug)]
pub struct Bank {
    pub source: BankSource,
    pub questions: Vec<Question>,
    pub question_files: Vec<SourceFile>,
    pub rubrics: Vec<RubricEntry>,
    by_id: HashMap<String, usize>,
    /// Per question id: its rubric (index into `rubrics`) and that rubric compiled on first
    /// use. Compiling all ~160 rubrics (cues, lexicon expansion) takes most of a short run's
    /// time, while one `grade` needs one of them.
    compiled: HashMap<String, (usize, std::sync::OnceLock<CompiledRubric>)>,
    /// The bank's `rubrics/_lexicon.toml`, or the bundled one when it has none.
    pub lexicon: std::sync::Arc<Lexicon>,
}

/// The lexicon embedded in the binary (empty if it could not be read, which a test forbids).
pub fn bundled_lexicon() -> &'static Lexicon {
    static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        bundled::FILES
            .iter()
            .find(|(relative, _)| *relative == LEXICON_PATH)
            .and_then(|(_, text)| toml::from_str(text).ok())
            .unwrap_or_default()
    })
}

/// Where a bank keeps its lexicon, relative to its root.
const LEXICON_PATH: &str = "rubrics/_lexicon.toml";

impl Bank {
    pub fn load(source: &BankSource) -> Result<Bank, BankError> {
        let files = match source {
            BankSource::Bundled => bundled_files(),
            BankSource::Dir(dir) => dir_files(dir)?,
        };
        Bank::from_files(source.clone(), files)
    }

    /// Build a bank from already-read files (`data/…` and `rubrics/…`).
    pub fn from_files(source: BankSource, files: Vec<SourceFile>) -> Result<Bank, BankError> {
        let mut questions = Vec::new();
        let mut question_files = Vec::new();
        let mut rubrics = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut lexicon = None;
        // Parsing the TOML is most of the cost of loading a bank: the files are parsed on
        // every core, then taken in order, so the first problem reported is the same one a
        // file-by-file load would meet first.
        let parsed: Vec<Result<Parsed, BankError>> = files.par_iter().map(Parsed::of).collect();
        for (file, parsed) in files.into_iter().zip(parsed) {
            match parsed? {
                Parsed::Lexicon(parsed) => lexicon = Some(std::sync::Arc::new(parsed)),
                Parsed::Question(question) => {
                    if let Some(&first) = by_id.get(&question.id) {
                        let first: &SourceFile = &question_files[first];
                        return Err(BankError::Invalid {
                            path: file.display.clone(),
                            line: file.line_of("id"),
                            message: format!(
                                "duplicate question id \"{}\" (also in {})",
                                question.id,
                                first.display.display()
                            ),
                        });
                    }
                    by_id.insert(question.id.clone(), questions.len());
                    questions.push(question);
                    question_files.push(file);
                }
                Parsed::Rubric(rubric) => rubrics.push(RubricEntry { file, rubric }),
            }
        }
        let lexicon = lexicon.unwrap_or_else(|| std::sync::Arc::new(bundled_lexicon().clone()));
        let compiled = rubrics
            .iter()
            .enumerate()
            .filter(|(_, entry)| by_id.contains_key(&entry.rubric.question_id))
            .map(|(i, entry)| {
                (
                    entry.rubric.question_id.clone(),
                    (i, std::sync::OnceLock::new()),
                )
            })
            .collect();
        Ok(Bank {
            source,
            questions,
            question_files,
            rubrics,
            by_id,
            compiled,
            lexicon,
        })
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    /// The question with this id, or an error suggesting the nearest id.
    pub fn require(&self, id: &str) -> Result<&Question, InputError> {
        self.question(id)
            .ok_or_else(|| InputError::UnknownQuestion {
                id: id.to_owned(),
                suggestion: crate::ui::did_you_mean(
                    id,
                    self.questions.iter().map(|q| q.id.as_str()),
                )
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default(),
            })
    }

    pub fn compiled_rubric(&self, id: &str) -> Option<&CompiledRubric> {
        let (rubric, once) = self.compiled.get(id)?;
        Some(once.get_or_init(|| {
            let question = &self.questions[self.by_id[id]];
            CompiledRubric::with_lexicon(
                self.rubrics[*rubric].rubric.clone(),
                &question.all_texts(),
                &self.lexicon,
            )
            .with_reference(&question.all_answers(), &question.all_texts())
            .with_depth_reference(&question.answer)
        }))
    }

    /// The compiled rubric of a known question, or a clear error.
    pub fn grader_for(&self, id: &str) -> Result<&CompiledRubric, InputError> {
        self.require(id)?;
        self.compiled_rubric(id)
            .ok_or_else(|| InputError::NoRubric { id: id.to_owned() })
    }

    pub fn question_file(&self, id: &str) -> Option<&SourceFile> {
        self.by_id.get(id).map(|&i| &self.question_files[i])
    }

    /// An error naming the first topic the bank does not have, with the nearest one.
    pub fn check_topics(&self, wanted: &[String]) -> Result<(), InputError> {
        let topics = self.topics();
        for topic in wanted {
            if !topics.contains(topic) {
                let hint = crate::ui::did_you_mean(topic, topics.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                return Err(InputError::Other(format!(
                    "unknown topic \"{topic}\"{hint}; topics: {}",
                    topics.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// All topics, sorted.
    pub fn topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = self
            .questions
            .iter()
            .flat_map(|q| q.topics.iter().cloned())
            .collect();
        topics.sort();
        topics.dedup();
        topics
    }
}

/// One bank file parsed and checked on its own, before the bank is put together.
enum Parsed {
    Lexicon(Lexicon),
    Question(Question),
    Rubric(Rubric),
}

impl Parsed {
    fn of(file: &SourceFile) -> Result<Parsed, BankError> {
        if file.relative == LEXICON_PATH {
            let parsed: Lexicon = parse(file)?;
            if let Some(problem) = parsed.problems().into_iter().next() {
                return Err(BankError::Invalid {
                    path: file.display.clone(),
                    line: 1,
                    message: problem,
                });
            }
            Ok(Parsed::Lexicon(parsed))
        } else if file.relative.starts_with("data/") {
            let question: Question = parse(file)?;
            validate_question(&question, file)?;
            Ok(Parsed::Question(question))
        } else {
            Ok(Parsed::Rubric(parse(file)?))
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(file: &SourceFile) -> Result<T, BankError> {
    toml::from_str(&file.text).map_err(|e| {
        let (line, column, message) = toml_location(&file.text, &e);
        BankError::Parse {
            path: file.display.clone(),
            line,
            column,
            message,
        }
    })
}

/// A valid id: lowercase ASCII letters, digits and '-', as used in file names.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn validate_question(question: &Question, file: &SourceFile) -> Result<(), BankError> {
    let invalid = |key: &str, message: String| BankError::Invalid {
        path: file.display.clone(),
        line: file.line_of(key),
        message,
    };
    if !is_valid_id(&question.id) {
        return Err(invalid(
            "id",
            format!(
                "question id \"{}\" must be lowercase letters, digits and '-'",
                question.id
            ),
        ));
    }
    if question.question.trim().is_empty() {
        return Err(invalid("question", "the question text is empty".into()));
    }
    if question.answer.trim().is_empty() {
        return Err(invalid("answer", "the reference answer is empty".into()));
    }
    if question.levels.is_empty() {
        return Err(invalid(
            "levels",
            "a question needs at least one level (junior, middle, senior)".into(),
        ));
    }
    Ok(())
}

fn bundled_files() -> Vec<SourceFile> {
    bundled::FILES
        .iter()
        .map(|(relative, text)| SourceFile {
            relative: (*relative).to_owned(),
            display: Path::new("<bundled>").join(relative),
            text: (*text).to_owned(),
        })
        .collect()
}

fn dir_files(root: &Path) -> Result<Vec<SourceFile>, BankError> {
    let data = root.join("data");
    if !data.is_dir() {
        return Err(BankError::NotABank {
            path: root.to_path_buf(),
        });
    }
    let mut files = Vec::new();
    for sub in ["data", "rubrics"] {
        let dir = root.join(sub);
        if !dir.is_dir() {
            continue;
        }
        let entries = fs::read_dir(&dir).map_err(|reason| BankError::Io {
            path: dir.clone(),
            reason,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let bytes = fs::read(&path).map_err(|reason| BankError::Io {
                path: path.clone(),
                reason,
            })?;
            let text = String::from_utf8(bytes).map_err(|e| BankError::Invalid {
                path: path.clone(),
                line: crate::error::line_column(
                    &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                    usize::MAX,
                )
                .0,
                message: "not valid UTF-8".into(),
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push(SourceFile {
                relative: format!("{sub}/{name}"),
                display: path,
                text,
            });
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_bank_loads() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        assert!(bank.questions.len() >= 6);
        for q in &bank.questions {
            assert!(
                bank.compiled_rubric(&q.id).is_some(),
                "{} has no rubric",
                q.id
            );
        }
    }

    #[test]
    fn levels_read_from_tags_in_both_languages() {
        assert_eq!(Level::from_tag("#junior"), Some(Level::Junior));
        assert_eq!(Level::from_tag("#Мидл"), Some(Level::Middle));
        assert_eq!(Level::from_tag("#сеньор"), Some(Level::Senior));
        assert_eq!(Level::from_tag("#nlp"), None);
    }

    #[test]
    fn a_parse_error_names_file_and_line() {
        let file = SourceFile {
            relative: "data/x.toml".into(),
            display: "bank/data/x.toml".into(),
            text: "id = \"x\"\nquestion = \"q\nanswer = \"a\"\n".into(),
        };
        let error = Bank::from_files(BankSource::Bundled, vec![file]).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("bank/data/x.toml:2:"), "{message}");
    }
}

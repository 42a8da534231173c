//! The command line (clap derive structs only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::bank::Level;
use crate::report::ReportFormat;
use crate::ui::{ColorChoice, Lang};

const AFTER_HELP: &str = "Exit status: 0 success (also when a pipe's reader stops early), 1 the \
work failed (some batch lines, output that could not be written, answers not saved), 2 bad usage \
or bad input.\nDocumentation: README.md in the sobes repository.";

/// A trainer for machine-learning and data-science job interviews: answer questions in free
/// text and get each answer graded against a rubric of key concepts.
#[derive(Debug, Parser)]
#[command(
    name = "sobes",
    version,
    max_term_width = 100,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Use the bank in DIR (DIR/data/*.toml, DIR/rubrics/*.toml) instead of the bundled one.
    #[arg(long = "bank", global = true, value_name = "DIR")]
    pub bank: Option<PathBuf>,

    /// Read configuration from FILE instead of the default location.
    #[arg(long = "config", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore configuration files (defaults, environment and flags still apply).
    #[arg(long = "no-config", global = true)]
    pub no_config: bool,

    /// Override one setting, e.g. --set grading.max_gap=3 (repeatable).
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// When to use colour.
    #[arg(long = "color", global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// Interface language (default: config, then the locale, then English).
    #[arg(long = "lang", global = true, value_enum)]
    pub lang: Option<Lang>,

    /// The history database (default: history.sqlite3 in the data directory).
    #[arg(long = "db", global = true, value_name = "FILE", env = "SOBES_DB")]
    pub db: Option<PathBuf>,

    /// Print the full chain of causes on errors.
    #[arg(short = 'v', long = "verbose", global = true)]
    pub verbose: bool,

    /// Interview options when no command is given (`sobes --level middle` = `sobes interview --level middle`).
    #[command(flatten)]
    pub interview: InterviewArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start an interview (the default when no command is given).
    Interview(InterviewArgs),
    /// List past interview sessions.
    History(HistoryArgs),
    /// Show progress by level and topic over all sessions.
    Stats(HistoryArgs),
    /// Write the report of one interview session (Markdown, HTML or JSON).
    Report(ReportArgs),
    /// Write a report of progress across all sessions (Markdown, HTML or JSON).
    Progress(ProgressArgs),
    /// List the questions of the bank.
    Questions(QuestionsArgs),
    /// Grade an answer, or a batch of answers.
    Grade(GradeArgs),
    /// Check or draft rubrics.
    #[command(subcommand)]
    Rubric(RubricCommand),
    /// Import questions into a bank directory.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Compare sobes' grades with human grades: correlation, error, worst disagreements.
    Eval(EvalArgs),
    /// Show the configuration and where it comes from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Serve the JSON API over HTTP (loopback only unless --listen names another address).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on (port 0 picks a free one).
    #[arg(
        long = "listen",
        value_name = "ADDR:PORT",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: std::net::SocketAddr,
    /// The token every request must carry (Authorization: Bearer TOKEN). Off the loopback
    /// address one is required: without this flag one is generated and printed.
    #[arg(long = "token", value_name = "TOKEN", env = "SOBES_SERVE_TOKEN")]
    pub token: Option<String>,
}

#[derive(Debug, Args, Default, PartialEq, Eq)]
pub struct InterviewArgs {
    /// The level to be interviewed at (asked at the prompt when not given).
    #[arg(long = "level", value_enum, conflicts_with = "adaptive")]
    pub level: Option<Level>,
    /// Only questions with this topic (repeatable: any of them).
    #[arg(long = "topic", value_name = "T")]
    pub topic: Vec<String>,
    /// How many questions (default: interview.questions in config, 5).
    #[arg(long = "count", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub count: Option<u16>,
    /// Ask questions in an order fixed by this seed (the same seed, the same interview).
    #[arg(long = "seed", value_name = "S")]
    pub seed: Option<u64>,
    /// Start at junior and move up after strong answers, down after weak ones.
    #[arg(long = "adaptive")]
    pub adaptive: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A session id from `sobes history`, or `last`.
    #[arg(value_name = "SESSION", default_value = "last")]
    pub session: String,
    /// Report format (default: from the --out file name, else md).
    #[arg(long = "format", value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to FILE (default: standard output for md and json, a file here for html).
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// Report format (default: from the --out file name, else md).
    #[arg(long = "format", value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to FILE (default: standard output for md and json, a file here for html).
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct QuestionsArgs {
    /// Only questions of this level.
    #[arg(long = "level", value_enum)]
    pub level: Option<Level>,
    /// Only questions with this topic (repeatable: any of them).
    #[arg(long = "topic", value_name = "T")]
    pub topic: Vec<String>,
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Print counts by level and topic instead of the questions.
    #[arg(long = "stats")]
    pub stats: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GradeFormat {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// The question to grade against.
    #[arg(
        long = "question",
        value_name = "ID",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub question: Option<String>,
    /// The answer text (default: read standard input).
    #[arg(long = "answer", value_name = "TEXT", conflicts_with_all = ["answer_file", "batch"])]
    pub answer: Option<String>,
    /// Read the answer from FILE.
    #[arg(long = "answer-file", value_name = "FILE", conflicts_with = "batch")]
    pub answer_file: Option<PathBuf>,
    /// Grade every line of a JSONL file (`-`: standard input): {"id": …, "question_id": "…",
    /// "answer": "…"}, in constant memory.
    #[arg(long = "batch", value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// Output format: text or json for one answer; jsonl for a batch.
    #[arg(long = "format", value_enum)]
    pub format: Option<GradeFormat>,
    /// Write the batch results to FILE instead of standard output.
    #[arg(long = "out", value_name = "FILE", requires = "batch")]
    pub out: Option<PathBuf>,
    /// Also write a group report of the batch to FILE (.html, .md or .json).
    #[arg(long = "report", value_name = "FILE", requires = "batch")]
    pub report: Option<PathBuf>,
    /// Scoring: keyword (rubric only), blend (rubric moved by an LLM within a band) or llm
    /// (default: llm.mode when llm.enabled, else keyword).
    #[arg(long = "mode", value_enum)]
    pub mode: Option<crate::llm::Mode>,
    /// The OpenAI-compatible server, including /v1 (overrides llm.base_url; used in blend and
    /// llm modes).
    #[arg(long = "llm-url", value_name = "URL")]
    pub llm_url: Option<String>,
    /// The model name (overrides llm.model; used in blend and llm modes).
    #[arg(long = "llm-model", value_name = "NAME")]
    pub llm_model: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RubricCommand {
    /// Validate every rubric of the bank; errors name file and line (exit status 2).
    Check,
    /// Print a rubric drafted automatically from a question's reference answer.
    Draft {
        /// The question id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a Telegram channel dump in plain text (question, answer, hashtags, reactions).
    TelegramText(ImportArgs),
    /// Import Telegram Desktop's JSON export of a channel (result.json).
    TelegramJson(ImportArgs),
    /// Import a Markdown Q&A collection (## Topic, bold or heading questions, `<details>`).
    Markdown(ImportArgs),
    /// Import JSON Lines: {"id", "question", "answer", "lang", "levels", "topics"} a line.
    Jsonl(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// The bank directory to write (DIR/data, DIR/rubrics); questions already there are skipped.
    #[arg(long = "out", value_name = "DIR")]
    pub out: PathBuf,
}

impl ImportCommand {
    /// The format, input file and output directory.
    pub fn parts(&self) -> (crate::import::Format, &std::path::Path, &std::path::Path) {
        use crate::import::Format;
        let (format, args) = match self {
            ImportCommand::TelegramText(a) => (Format::TelegramText, a),
            ImportCommand::TelegramJson(a) => (Format::TelegramJson, a),
            ImportCommand::Markdown(a) => (Format::Markdown, a),
            ImportCommand::Jsonl(a) => (Format::Jsonl, a),
        };
        (format, &args.file, &args.out)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Human-graded answers, one a line: {"id", "question_id", "answer", "grade"}.
    pub file: PathBuf,
    /// Output format.
    #[arg(long = "format", value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// How many of the largest disagreements to list.
    #[arg(long = "worst", value_name = "N", default_value_t = 10)]
    pub worst: usize,
    /// A split of questions into named parts (TOML: `part = ["question-id", …]`)...
    #[arg(long = "split", value_name = "FILE", requires = "part")]
    pub split: Option<PathBuf>,
    /// ...and the part of it to evaluate; answers to other questions are left out.
    #[arg(long = "part", value_name = "NAME", requires = "split")]
    pub part: Option<String>,
    /// The human grades' scale is 0..=MAX (default: the lowest to the highest grade in the file).
    #[arg(long = "grade-max", value_name = "MAX", value_parser = parse_positive)]
    pub grade_max: Option<f64>,
}

fn parse_positive(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("expected a positive number, got {text:?}")),
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration as TOML.
    Show,
    /// Print the configuration file path and where it comes from.
    Paths,
    /// Print the documented default configuration.
    Default,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}

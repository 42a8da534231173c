//! Error types shared across the library, and how each maps to an exit status.

use std::path::PathBuf;

use thiserror::Error;

/// Problems with a bank directory or its files: always the user's input, exit status 2.
#[derive(Debug, Error)]
pub enum BankError {
    #[error("{path}: cannot read: {reason}")]
    Io {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: not a bank directory (expected {path}/data/ with question files)")]
    NotABank { path: PathBuf },
    /// `rubric check` finds errors in the bank's rubrics; `advice` says what to do.
    #[error("{bank}: {errors} rubric error(s), listed above; {advice}")]
    Rejected {
        bank: String,
        errors: usize,
        advice: String,
    },
}

/// Problems with what the user asked for or fed in; exit status 2.
#[derive(Debug, Error)]
pub enum InputError {
    #[error("unknown question id \"{id}\"{suggestion}")]
    UnknownQuestion { id: String, suggestion: String },
    #[error("question \"{id}\" has no rubric, so it cannot be graded")]
    NoRubric { id: String },
    #[error("the answer is {bytes} bytes long; the limit is {limit} bytes")]
    AnswerTooLong { bytes: usize, limit: usize },
    #[error("{what} is not valid UTF-8 text (first bad byte at offset {offset})")]
    NotUtf8 { what: String, offset: usize },
    #[error("{what} contains a NUL byte (at offset {offset}); an answer must be plain text")]
    ContainsNul { what: String, offset: usize },
    #[error("{0}")]
    Other(String),
}

/// The process exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    /// The work ran but failed, or some of it did (a bad line in a batch).
    Failure = 1,
    /// Bad usage or bad input files.
    BadInput = 2,
}

impl ExitStatus {
    /// Exit status for an error that ended the run.
    pub fn of_error(error: &anyhow::Error) -> ExitStatus {
        if is_closed_output(error) {
            // `sobes … | head`: the reader has what it wanted (as ripgrep does).
            ExitStatus::Success
        } else if error.chain().any(|e| {
            e.is::<BankError>()
                || e.is::<InputError>()
                || e.is::<ConfigError>()
                || e.downcast_ref::<crate::history::HistoryError>()
                    .is_some_and(|h| h.is_bad_input())
        }) {
            ExitStatus::BadInput
        } else {
            ExitStatus::Failure
        }
    }
}

/// Whether the run ended because standard output was closed by its reader.
pub fn is_closed_output(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|e| matches!(e.downcast_ref(), Some(crate::output::OutputError::Closed)))
}

/// The error as one line, its causes joined by ": ", each said once: a cause whose text the
/// line already holds (SQLite's "database is locked" under ours) is not repeated.
pub fn one_line(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if message.trim().is_empty() || text.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
    }
    text
}

/// Print the error that ended the run on standard error (nothing for a closed standard
/// output) and return the exit status.
pub fn report(error: &anyhow::Error, verbose: bool) -> ExitStatus {
    let status = ExitStatus::of_error(error);
    if is_closed_output(error) {
        return status;
    }
    if verbose {
        crate::output::diag(&format!("sobes: error: {error:?}"));
    } else {
        crate::output::diag(&format!("sobes: error: {}", one_line(error)));
    }
    status
}

/// What to do with a command line clap could not accept, or with `--help` and `--version`:
/// print it and return the exit status, with a failed write to standard output treated as
/// any other output error.
pub fn report_usage(error: &clap::Error) -> ExitStatus {
    let status = match error.exit_code() {
        0 => ExitStatus::Success,
        _ => ExitStatus::BadInput,
    };
    match error.print() {
        Ok(()) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => status,
        Err(e) => {
            crate::output::diag(&format!("sobes: error: cannot write the help text: {e}"));
            ExitStatus::Failure
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}

/// Problems with configuration files, variables or `--set` values; exit status 2.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: cannot read: {reason}")]
    Io {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Value { origin: String, message: String },
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Convert a TOML error to (line, column, message without the location preamble).
pub fn toml_location(text: &str, error: &toml::de::Error) -> (usize, usize, String) {
    let (line, column) = error
        .span()
        .map_or((1, 1), |span| line_column(text, span.start));
    (line, column, error.message().trim().to_owned())
}

/// An error with its chain of causes, "outer: inner: innermost" (reqwest hides the reason
/// a connection failed in its sources).
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let error = anyhow::Error::msg("database is locked")
            .context("history database h.sqlite3: database is locked")
            .context("the answer was not saved");
        assert_eq!(
            one_line(&error),
            "the answer was not saved: history database h.sqlite3: database is locked"
        );
    }

    #[test]
    fn line_column_counts_from_one() {
        let text = "a = 1\nб = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 8), (2, 2));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}

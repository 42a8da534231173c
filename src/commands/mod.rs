//! The command layer: glue between the command line and the library. [`run`] loads the
//! configuration and the bank once and hands over to one handler per command, each in a file
//! of its own. Nothing below this layer imports it: handlers pass `&Config`, `Ui` or what a
//! module needs.

mod config;
mod eval;
mod grade;
mod history;
mod import;
pub mod interview;
mod progress;
mod questions;
mod report;
mod rubric;
mod serve;
mod stats;

use std::path::{Path, PathBuf};

use crate::bank::{Bank, BankSource};
use crate::cli::{Cli, Command, RubricCommand};
use crate::config::{data_dir, Config, ConfigRequest};
use crate::error::{BankError, ExitStatus, InputError};
use crate::output::diagln;
use crate::rubric::check::check;
use crate::session::summary::LevelThresholds;
use crate::ui::{Lang, Ui};

/// Everything a command needs, built once.
pub struct AppContext {
    pub config: Config,
    pub ui: Ui,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    let request = ConfigRequest {
        file: cli.config.clone(),
        no_config: cli.no_config,
        overrides: cli.set.clone(),
    };
    let config = Config::load(&request)?;
    let lang = Lang::resolve(cli.lang, config.interface.lang.lang());
    let color = cli.color.unwrap_or(config.interface.color).enabled();
    let ui = Ui::new(lang, color, config.interface.max_width);
    let source = match &cli.bank {
        Some(dir) => BankSource::Dir(dir.clone()),
        None => BankSource::Bundled,
    };
    let context = AppContext { config, ui };
    if cli.command.is_some() && cli.interview != crate::cli::InterviewArgs::default() {
        return Err(InputError::Other(
            "--level, --topic, --count, --seed and --adaptive before a command start an interview; \
             put them after `sobes interview`, or after the command they belong to"
                .into(),
        )
        .into());
    }
    let db = || db_path(cli.db.as_deref(), &context.config);
    match cli.command {
        None => interview::command(&source, db()?, cli.interview, &context),
        Some(Command::Interview(args)) => interview::command(&source, db()?, args, &context),
        Some(Command::History(args)) => history::command(&db()?, &args, &context.ui),
        Some(Command::Stats(args)) => stats::command(&db()?, &args, &context.config, &context.ui),
        Some(Command::Report(args)) => report::command(&db()?, &args, &context.config, cli.lang),
        Some(Command::Progress(args)) => {
            progress::command(&db()?, &args, &context.config, context.ui.lang)
        }
        Some(Command::Questions(args)) => {
            questions::command(&checked_bank(&source, &context)?, &args, &context)
        }
        Some(Command::Grade(args)) => {
            let bank = checked_bank(&source, &context)?;
            let status = grade::command(&bank, &args, &context);
            // The process ends next: freeing every rubric a batch compiled, one allocation at a
            // time, would only cost time (issue 15).
            std::mem::forget(bank);
            status
        }
        // These two are how a broken bank gets mended: they load it as it is.
        Some(Command::Rubric(RubricCommand::Check)) => {
            rubric::check_command(&load_bank(&source)?, &context)
        }
        Some(Command::Rubric(RubricCommand::Draft { id })) => {
            rubric::draft_command(&load_bank(&source)?, &id)
        }
        Some(Command::Import(command)) => import::command(command, &context),
        Some(Command::Eval(args)) => {
            eval::command(&checked_bank(&source, &context)?, &args, &context)
        }
        Some(Command::Config(command)) => config::command(command, &request, &context),
        Some(Command::Serve(args)) => {
            serve::command(checked_bank(&source, &context)?, db()?, &args, &context)
        }
    }
}

pub(crate) fn load_bank(source: &BankSource) -> anyhow::Result<Bank> {
    let bank = Bank::load(source)?;
    if bank.questions.is_empty() {
        return Err(InputError::Other(match source {
            BankSource::Dir(dir) => format!(
                "the bank {} has no questions (add data/<id>.toml files, or import some with `sobes import`)",
                dir.display()
            ),
            BankSource::Bundled => "the bundled bank has no questions".into(),
        })
        .into());
    }
    Ok(bank)
}

/// The most errors of a refused bank listed; `rubric check` lists them all.
const LISTED_BANK_ERRORS: usize = 20;

/// A bank to use: loaded, then held to the checks of `rubric check`. A rubric with an error
/// (no concepts, a weight of 0 or infinity, an alias that never matches…) would grade every
/// answer wrongly, so such a bank is refused, its errors listed on standard error.
///
/// The bundled bank with the default `[grading]` settings is the one case known in advance: a
/// test (`rubric::check::tests`) holds it to the check, so it is not checked again on every
/// start.
pub(crate) fn checked_bank(source: &BankSource, context: &AppContext) -> anyhow::Result<Bank> {
    let bank = load_bank(source)?;
    let settings = &context.config.grading;
    let defaults = crate::grade::GradeSettings::default();
    if *source == BankSource::Bundled && *settings == defaults {
        return Ok(bank);
    }
    let blocking = |settings| -> Vec<_> {
        check(&bank, settings)
            .into_iter()
            .filter(|f| f.blocking)
            .collect()
    };
    let errors = blocking(settings);
    if errors.is_empty() {
        return Ok(bank);
    }
    // Whether an alias is found depends on the matcher's settings: say so when only the
    // user's settings make the bank fail.
    let settings_blamed = *settings != defaults && blocking(&defaults).is_empty();
    for finding in errors.iter().take(LISTED_BANK_ERRORS) {
        diagln!("{finding}");
    }
    if errors.len() > LISTED_BANK_ERRORS {
        diagln!("… {} more", errors.len() - LISTED_BANK_ERRORS);
    }
    let check = match source {
        BankSource::Dir(dir) => format!("sobes --bank {} rubric check", dir.display()),
        BankSource::Bundled => "sobes rubric check".into(),
    };
    Err(BankError::Rejected {
        bank: match source {
            BankSource::Dir(dir) => dir.display().to_string(),
            BankSource::Bundled => "the bundled bank".into(),
        },
        errors: errors.len(),
        advice: if settings_blamed {
            "with the default [grading] settings it has none, so they come from the changed \
             settings (`sobes config show`)"
                .into()
        } else {
            format!("fix them before using the bank (`{check}` lists every problem)")
        },
    }
    .into())
}

/// Where the history database is: `--db` / `SOBES_DB`, else `interview.db`, else the data dir.
pub fn db_path(flag: Option<&Path>, config: &Config) -> Result<PathBuf, InputError> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    if !config.interview.db.trim().is_empty() {
        return Ok(PathBuf::from(config.interview.db.trim()));
    }
    data_dir()
        .map(|dir| dir.join("history.sqlite3"))
        .ok_or_else(|| {
            InputError::Other(
                "cannot find a data directory for the history database; pass --db FILE".into(),
            )
        })
}

pub fn thresholds(config: &Config) -> LevelThresholds {
    LevelThresholds {
        pass: config.interview.pass_score,
        close: config.interview.close_score,
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    /// Every `.rs` file under `dir`, with its text.
    fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push((
                    path.display().to_string(),
                    fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }

    #[test]
    fn no_module_below_the_commands_imports_them() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        sources(&src, &mut found);
        assert!(found.len() > 20, "the sources were read");
        let commands = src.join("commands").display().to_string();
        let main = src.join("main.rs").display().to_string();
        let offenders: Vec<&str> = found
            .iter()
            .filter(|(path, _)| !path.starts_with(&commands) && *path != main)
            .filter(|(_, text)| {
                text.contains("crate::commands") || text.contains("super::commands")
            })
            .map(|(path, _)| path.as_str())
            .collect();
        assert!(offenders.is_empty(), "{offenders:?}");
    }

    #[test]
    fn the_repl_holds_no_grading_or_persistence_code() {
        let repl = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/repl");
        let mut found = Vec::new();
        sources(&repl, &mut found);
        for (path, text) in &found {
            // Data types (an answer record to draw) are fine; opening, writing or grading is not.
            for forbidden in [
                "crate::grade::grade",
                "History::open",
                "record_answer",
                "finish_session",
                "start_session",
                "Recorder",
                "rusqlite",
                "hint_penalty(",
                "grade_answer",
                "rubric_grade",
            ] {
                assert!(!text.contains(forbidden), "{path} uses {forbidden}");
            }
        }
    }
}

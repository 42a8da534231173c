//! `sobes` / `sobes interview`: check what was asked for, open history, choose the level and
//! the questions, then run the session engine behind the REPL and keep it in history.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{checked_bank, thresholds, AppContext};
use crate::bank::{Bank, BankSource};
use crate::cli::InterviewArgs;
use crate::config::Config;
use crate::error::{ExitStatus, InputError};
use crate::history::{time, History, NewSession};
use crate::messages::Msg;
use crate::output::diagln;
use crate::repl::input::{LineReader, PipedReader, TerminalReader};
use crate::repl::{ask_level, Interview, LevelChoice};
use crate::report::{write, ReportFormat};
use crate::session::persist::{Outcome, Recorder};
use crate::session::pick::{plan_queue, AdaptiveSteps, Plan, Preferences, Rng};
use crate::session::{AnswerGrader, Session, SessionSettings};
use crate::ui::{Lang, Ui};

pub fn command(
    source: &BankSource,
    db: std::path::PathBuf,
    args: crate::cli::InterviewArgs,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    let bank = checked_bank(source, context)?;
    let keyword = crate::session::KeywordGrader {
        bank: &bank,
        settings: &context.config.grading,
    };
    let mode = crate::llm::run::resolve_mode(&context.config.llm, None);
    let blending = match mode {
        crate::llm::Mode::Keyword => None,
        mode => Some(crate::llm::session::BlendingGrader {
            bank: &bank,
            settings: &context.config.grading,
            llm: crate::llm::run::open(&context.config.llm, mode, context.ui.lang)?,
            lang: context.ui.lang,
        }),
    };
    let grader: &(dyn crate::session::AnswerGrader + Sync) = match &blending {
        Some(blending) => blending,
        None => &keyword,
    };
    run(InterviewRequest {
        bank: &bank,
        config: &context.config,
        ui: context.ui,
        db,
        args,
        grader,
    })
}

/// Everything the interview needs from the caller.
pub struct InterviewRequest<'a> {
    pub bank: &'a Bank,
    pub config: &'a Config,
    pub ui: Ui,
    pub db: PathBuf,
    pub args: InterviewArgs,
    pub grader: &'a (dyn AnswerGrader + Sync),
}

/// Run an interview on the terminal or on piped standard input.
pub fn run(request: InterviewRequest<'_>) -> anyhow::Result<ExitStatus> {
    let InterviewRequest {
        bank,
        config,
        ui,
        db,
        args,
        grader,
    } = request;
    bank.check_topics(&args.topic)?;
    let history = History::open(&db)?;
    let stdin = io::stdin();
    let mut reader: Box<dyn LineReader> = if stdin.is_terminal() && io::stdout().is_terminal() {
        // Typed lines live next to the history they belong to (`--db` moves both).
        Box::new(TerminalReader::new(Some(
            folder_of(&db).join(REPL_HISTORY),
        ))?)
    } else {
        Box::new(PipedReader::new(
            stdin.lock(),
            config.grading.max_answer_bytes,
        ))
    };
    let mut stdout = io::stdout();
    let choice = match (args.adaptive, args.level) {
        (true, _) => LevelChoice::Adaptive,
        (false, Some(level)) => LevelChoice::Fixed(level),
        (false, None) => match ask_level(reader.as_mut(), &mut stdout, &ui)? {
            Some(choice) => choice,
            None => {
                return Err(InputError::Other(
                    "no level chosen; pass --level junior|middle|senior or --adaptive".into(),
                )
                .into())
            }
        },
    };
    let count = args
        .count
        .map_or(config.interview.questions, usize::from)
        .max(1);
    let preferences = match args.seed {
        Some(_) => None,
        None => Some(Preferences::from_history(
            &history.answer_stats()?,
            time::now_secs(),
            config.interview.recent_days,
        )),
    };
    let mut rng = args.seed.map_or_else(Rng::from_entropy, Rng::new);
    let plan = Plan {
        choice,
        topics: &args.topic,
        count,
        steps: AdaptiveSteps {
            up: config.interview.adaptive_up,
            down: config.interview.adaptive_down,
        },
    };
    let queue = plan_queue(bank, &plan, &mut rng, preferences.as_ref())?;
    let session = NewSession {
        started_at: time::now_iso(),
        level: match choice {
            LevelChoice::Fixed(level) => Some(level),
            LevelChoice::Adaptive => None,
        },
        adaptive: choice == LevelChoice::Adaptive,
        topics: args.topic.clone(),
        planned: queue.total(),
        seed: args.seed,
        lang: if ui.lang.is_en() { "en" } else { "ru" }.into(),
        bank: match &bank.source {
            BankSource::Bundled => "bundled".into(),
            BankSource::Dir(dir) => dir.display().to_string(),
        },
    };
    let session_id = history.start_session(&session)?;
    // Answers are retried by the interview itself, which tells the candidate it is waiting:
    // each attempt waits only briefly for another program's lock.
    history.set_busy_timeout(std::time::Duration::from_millis(200))?;
    let mut session = Session::new(
        queue,
        grader,
        SessionSettings {
            lang: ui.lang,
            show_reference: config.interface.show_reference,
            max_answer_bytes: config.grading.max_answer_bytes,
            thresholds: thresholds(config),
        },
    );
    let mut recorder = Recorder::new(
        &history,
        session_id,
        std::time::Duration::from_secs(config.interview.save_wait_secs),
    );
    Interview {
        ui,
        out: &mut stdout,
        reader: reader.as_mut(),
        session: &mut session,
        sink: &mut recorder,
    }
    .run()?;
    let outcome = recorder.outcome();
    if !outcome.saved() {
        return Err(not_saved(&history, &outcome, ui.lang));
    }
    let mut out = io::stdout();
    let _ = writeln!(
        out,
        "{} {} ({})",
        Msg::SessionSaved.text(ui.lang),
        outcome.session_id,
        history.path().display()
    );
    match end_of_session_report(&history, outcome.session_id, config, ui.lang) {
        Ok(path) => {
            let _ = writeln!(out, "{} {}", Msg::ReportLabel.text(ui.lang), path.display());
        }
        // The answers are safe in history; `sobes report` can write the report later.
        Err(e) => diagln!("sobes: {} {e:#}", Msg::ReportNotWritten.text(ui.lang)),
    }
    Ok(ExitStatus::Success)
}

/// The file of typed lines the line editor keeps, next to the history database.
const REPL_HISTORY: &str = "repl-history.txt";

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The error that ends a session not fully saved. Answers history could not take are written
/// to a JSON file next to the database, so that none is lost; the error says where.
fn not_saved(history: &History, outcome: &Outcome, lang: Lang) -> anyhow::Error {
    let reason = outcome
        .save_error
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    if outcome.unsaved.is_empty() {
        // Every answer is in history; only the end of the session is not marked.
        return anyhow::Error::msg(format!(
            "{} {}: {reason}",
            Msg::SessionNotMarkedFinished.text(lang),
            history.path().display()
        ));
    }
    let stamp = time::now_iso().replace(':', "-");
    let path = folder_of(history.path()).join(format!(
        "unsaved-session-{}-{stamp}.json",
        outcome.session_id
    ));
    let kept = serde_json::to_string_pretty(&serde_json::json!({
        "history": history.path(),
        "session_id": outcome.session_id,
        "answers": outcome.unsaved,
    }))
    .map_err(anyhow::Error::from)
    .and_then(|text| Ok(crate::output::write_file(&path, text.as_bytes())?));
    let message = crate::messages::session_not_saved(
        outcome.unsaved.len(),
        &reason,
        &path.display().to_string(),
        kept.as_ref().err().map(|e| format!("{e:#}")),
        lang,
    );
    anyhow::Error::msg(message)
}

/// The HTML report of a session just ended, next to the history database.
fn end_of_session_report(
    history: &History,
    session_id: i64,
    config: &Config,
    lang: Lang,
) -> anyhow::Result<PathBuf> {
    let report = write::session_report(history, Some(session_id), thresholds(config), Some(lang))?;
    let dir = history
        .path()
        .parent()
        .map_or_else(|| PathBuf::from("reports"), |p| p.join("reports"));
    let path = dir.join(format!("session-{session_id}.html"));
    let text = write::render_session(&report, ReportFormat::Html);
    crate::output::write_file(&path, text.as_bytes())?;
    Ok(path)
}

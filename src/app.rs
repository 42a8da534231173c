//! Glue between the command line and the library: load config and bank once, run a command.

use std::fs;
use std::io::{self, Read};

use anyhow::{bail, Context};
use serde_json::json;

use crate::bank::{Bank, BankSource, Question};
use crate::batch;
use crate::cli::{
    Cli, Command, ConfigCommand, GradeArgs, GradeFormat, ListFormat, QuestionsArgs, RubricCommand,
};
use crate::config::{config_path, Config, ConfigRequest, DEFAULT_CONFIG_TOML};
use crate::error::{BankError, ExitStatus, InputError};
use crate::feedback;
use crate::grade::grade;
use crate::import;
use crate::output::{diagln, out, outln};
use crate::rubric::check::{check, Severity};
use crate::rubric::draft::{draft, DraftContext};
use crate::ui::{ColorChoice, Lang, Ui};

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
    let lang = Lang::resolve(cli.lang, &config.interface.lang);
    let color = cli
        .color
        .unwrap_or_else(|| ColorChoice::from_config(&config.interface.color))
        .enabled();
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
    let db = || crate::interview::db_path(cli.db.as_deref(), &context.config);
    match cli.command {
        None => interview_command(&source, db()?, cli.interview, &context),
        Some(Command::Interview(args)) => interview_command(&source, db()?, args, &context),
        Some(Command::History(args)) => {
            crate::interview::history_command(&db()?, &args, &context.ui)
        }
        Some(Command::Stats(args)) => {
            crate::interview::stats_command(&db()?, &args, &context.config, &context.ui)
        }
        Some(Command::Report(args)) => {
            crate::interview::report_command(&db()?, &args, &context.config, cli.lang)
        }
        Some(Command::Progress(args)) => {
            crate::interview::progress_command(&db()?, &args, &context.config, context.ui.lang)
        }
        Some(Command::Questions(args)) => {
            questions(&checked_bank(&source, &context)?, &args, &context)
        }
        Some(Command::Grade(args)) => {
            grade_command(&checked_bank(&source, &context)?, &args, &context)
        }
        // These two are how a broken bank gets mended: they load it as it is.
        Some(Command::Rubric(RubricCommand::Check)) => rubric_check(&load_bank(&source)?, &context),
        Some(Command::Rubric(RubricCommand::Draft { id })) => {
            let bank = load_bank(&source)?;
            let question = bank.require(&id)?;
            let context_texts =
                DraftContext::from_texts(bank.questions.iter().map(|q| q.answer.as_str()));
            out!("{}", draft(question, &context_texts).to_toml())?;
            Ok(ExitStatus::Success)
        }
        Some(Command::Import(command)) => {
            let (format, file, out) = command.parts();
            import::run(format, file, out, context.ui.lang)
        }
        Some(Command::Eval(args)) => {
            crate::eval::run(&checked_bank(&source, &context)?, &args, &context)
        }
        Some(Command::Config(command)) => config_command(command, &request, &context),
    }
}

fn load_bank(source: &BankSource) -> anyhow::Result<Bank> {
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
fn checked_bank(source: &BankSource, context: &AppContext) -> anyhow::Result<Bank> {
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

fn interview_command(
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
    let mode = crate::llm::run::resolve_mode(&context.config.llm, None)?;
    let blending = match mode {
        crate::llm::Mode::Keyword => None,
        mode => Some(crate::llm::session::BlendingGrader {
            bank: &bank,
            settings: &context.config.grading,
            llm: crate::llm::run::open(&context.config.llm, mode, context.ui.lang)?,
            lang: context.ui.lang,
        }),
    };
    let grader: &dyn crate::session::AnswerGrader = match &blending {
        Some(blending) => blending,
        None => &keyword,
    };
    crate::interview::run(crate::interview::InterviewRequest {
        bank: &bank,
        config: &context.config,
        ui: context.ui,
        db,
        args,
        grader,
    })
}

fn selected<'a>(bank: &'a Bank, args: &QuestionsArgs) -> anyhow::Result<Vec<&'a Question>> {
    bank.check_topics(&args.topic)?;
    Ok(bank
        .questions
        .iter()
        .filter(|q| args.level.is_none_or(|l| q.levels.contains(&l)))
        .filter(|q| q.in_topics(&args.topic))
        .collect())
}

fn questions(
    bank: &Bank,
    args: &QuestionsArgs,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    let en = context.ui.lang.is_en();
    let list = selected(bank, args)?;
    if args.stats {
        let stats = crate::stats::BankStats::of(&list);
        match args.format {
            ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&stats)?)?,
            ListFormat::Text => out!("{}", stats.markdown())?,
        }
        return Ok(ExitStatus::Success);
    }
    match args.format {
        ListFormat::Json => {
            let items: Vec<_> = list
                .iter()
                .map(|q| {
                    json!({
                        "id": q.id,
                        "question": q.text(en),
                        "levels": q.levels,
                        "topics": q.topics,
                        "lang": q.lang,
                        "source": q.source,
                        "popularity": q.popularity,
                        "has_rubric": bank.compiled_rubric(&q.id).is_some(),
                    })
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&items)?)?;
        }
        ListFormat::Text => {
            let mut text = String::new();
            for q in &list {
                let levels: Vec<&str> = q.levels.iter().map(|l| l.as_str()).collect();
                text.push_str(&format!(
                    "{}  [{}] [{}]\n{}\n\n",
                    context.ui.paint(crate::ui::Style::Bold, &q.id),
                    levels.join(", "),
                    q.topics.join(", "),
                    context.ui.wrap(&crate::ui::sanitize(q.text(en)), "  ")
                ));
            }
            out!("{text}")?;
            if list.is_empty() {
                diagln!(
                    "{}",
                    context.ui.lang.pick(
                        "Нет вопросов с такими фильтрами.",
                        "No questions match these filters."
                    )
                );
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// How far past the limit an answer is read, only to say how long it is.
const COUNTED_ANSWER_BYTES: u64 = 64 * 1024 * 1024;

/// Read at most `limit` bytes of an answer. A longer one is an error that gives its real size
/// (counted, not kept, up to [`COUNTED_ANSWER_BYTES`]).
fn read_limited(mut reader: impl Read, limit: usize) -> io::Result<Result<Vec<u8>, InputError>> {
    let mut bytes = Vec::new();
    (&mut reader)
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() <= limit {
        return Ok(Ok(bytes));
    }
    let rest = io::copy(&mut reader.take(COUNTED_ANSWER_BYTES), &mut io::sink())?;
    let total = bytes.len() as u64 + rest;
    Ok(Err(if rest == COUNTED_ANSWER_BYTES {
        InputError::Other(format!(
            "the answer is more than {} MiB long; the limit is {limit} bytes (grading.max_answer_bytes)",
            COUNTED_ANSWER_BYTES / (1024 * 1024)
        ))
    } else {
        InputError::AnswerTooLong {
            bytes: usize::try_from(total).unwrap_or(usize::MAX),
            limit,
        }
    }))
}

fn read_answer(args: &GradeArgs, limit: usize) -> anyhow::Result<String> {
    let (read, what) = if let Some(text) = &args.answer {
        (read_limited(text.as_bytes(), limit)?, "--answer".to_owned())
    } else if let Some(path) = &args.answer_file {
        let cannot_read =
            |e| InputError::Other(format!("cannot read answer file {}: {e}", path.display()));
        let file = fs::File::open(path).map_err(cannot_read)?;
        (
            read_limited(file, limit).map_err(cannot_read)?,
            path.display().to_string(),
        )
    } else {
        let read = read_limited(io::stdin().lock(), limit)
            .context("could not read the answer from standard input")?;
        (read, "standard input".to_owned())
    };
    let answer = String::from_utf8(read?).map_err(|e| InputError::NotUtf8 {
        what: format!("the answer ({what})"),
        offset: e.utf8_error().valid_up_to(),
    })?;
    if let Some(offset) = answer.find('\0') {
        bail!(InputError::ContainsNul {
            what: format!("the answer ({what})"),
            offset,
        });
    }
    Ok(answer)
}

fn grade_command(
    bank: &Bank,
    args: &GradeArgs,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    let settings = &context.config.grading;
    let en = context.ui.lang.is_en();
    let llm = crate::llm::run::grader_for(args, context)?;
    if let Some(batch_path) = &args.batch {
        return batch::run::grade_batch(bank, args, batch_path, llm.as_ref(), context);
    }
    if matches!(args.format, Some(GradeFormat::Jsonl)) {
        return Err(InputError::Other("--format jsonl needs --batch FILE".into()).into());
    }
    let Some(question_id) = args.question.as_deref() else {
        bail!(InputError::Other("--question ID is required".into()));
    };
    let rubric = bank.grader_for(question_id)?;
    let answer = read_answer(args, settings.max_answer_bytes)?;
    let result = grade(rubric, &answer, settings);
    if let Some(grader) = &llm {
        let json_output = args.format == Some(GradeFormat::Json);
        crate::llm::run::single(
            grader,
            bank,
            question_id,
            &answer,
            &result,
            json_output,
            context,
        )?;
        return Ok(ExitStatus::Success);
    }
    match args.format.unwrap_or(GradeFormat::Text) {
        GradeFormat::Json => {
            let mut value = serde_json::to_value(&result)?;
            if let Some(object) = value.as_object_mut() {
                object.insert("question_id".into(), json!(question_id));
                object.insert("method".into(), json!("keyword"));
            }
            outln!("{}", serde_json::to_string_pretty(&value)?)?;
        }
        _ => {
            let question = bank.require(question_id)?;
            outln!(
                "{}\n",
                context.ui.paint(
                    crate::ui::Style::Accent,
                    &context.ui.wrap(&crate::ui::sanitize(question.text(en)), "")
                )
            )?;
            out!("{}", feedback::render(&result, &context.ui))?;
            if context.config.interface.show_reference {
                outln!(
                    "\n{}\n{}",
                    context
                        .ui
                        .lang
                        .pick("Эталонный ответ:", "Reference answer:"),
                    context
                        .ui
                        .wrap(&crate::ui::sanitize(question.reference(en)), "  ")
                )?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

fn rubric_check(bank: &Bank, context: &AppContext) -> anyhow::Result<ExitStatus> {
    let findings = check(bank, &context.config.grading);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    for finding in &findings {
        diagln!("{finding}");
    }
    let summary = match context.ui.lang {
        Lang::Ru => format!(
            "Проверено рубрик: {}, вопросов: {}; ошибок: {errors}, предупреждений: {warnings}",
            bank.rubrics.len(),
            bank.questions.len()
        ),
        Lang::En => format!(
            "Checked {} rubrics for {} questions: {errors} errors, {warnings} warnings",
            bank.rubrics.len(),
            bank.questions.len()
        ),
    };
    outln!("{summary}")?;
    Ok(if errors > 0 {
        ExitStatus::BadInput
    } else {
        ExitStatus::Success
    })
}

fn config_command(
    command: ConfigCommand,
    request: &ConfigRequest,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    match command {
        ConfigCommand::Show => out!("{}", context.config.to_shown_toml())?,
        ConfigCommand::Default => out!("{DEFAULT_CONFIG_TOML}")?,
        ConfigCommand::Paths => {
            match config_path(request) {
                Some(found) => outln!(
                    "config file: {} (from {}; {})",
                    found.path.display(),
                    found.origin,
                    if found.exists {
                        "exists"
                    } else {
                        "not present"
                    }
                )?,
                None => outln!("config file: none (--no-config)")?,
            }
            if let Some(dir) = crate::config::data_dir() {
                outln!("data directory: {}", dir.display())?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

//! The `grade` command with a model: choosing the mode, opening the grader and its cache,
//! batch and single-answer output, and the summary printed on standard error.

use serde_json::{json, Value};

use super::{BlendFlag, BlendedGrade, Cache, Job, LlmGrader, Method, Mode};
use crate::bank::Bank;
use crate::batch::LineResult;
use crate::cli::GradeArgs;
use crate::config::LlmSettings;
use crate::error::ConfigError;
use crate::grade::Grade;
use crate::output::{diagln, out, outln};
use crate::ui::{sanitize, Lang, Style, Ui};

/// The mode in force: `--mode`, else `llm.mode` when `llm.enabled`, else keyword.
pub fn resolve_mode(settings: &LlmSettings, flag: Option<Mode>) -> Mode {
    match flag {
        Some(mode) => mode,
        None if settings.enabled => settings.mode,
        None => Mode::Keyword,
    }
}

/// The grader for a `grade` command, or `None` in keyword mode. A cache that cannot be opened
/// is reported and skipped.
pub fn grader_for(
    args: &GradeArgs,
    settings: &LlmSettings,
    lang: Lang,
) -> anyhow::Result<Option<LlmGrader>> {
    let mut settings = settings.clone();
    let mode = resolve_mode(&settings, args.mode);
    if mode == Mode::Keyword {
        return Ok(None);
    }
    if let Some(url) = &args.llm_url {
        settings.base_url = url.clone();
    }
    if let Some(model) = &args.llm_model {
        settings.model = model.clone();
    }
    Ok(Some(open(&settings, mode, lang)?))
}

/// Open a grader with its cache. A cache that cannot be opened is reported and skipped.
pub fn open(settings: &LlmSettings, mode: Mode, lang: Lang) -> anyhow::Result<LlmGrader> {
    let cache = if settings.cache {
        match Cache::open_default() {
            Ok(cache) => Some(cache),
            Err(error) => {
                diagln!(
                    "sobes: {}: {error}",
                    lang.pick("кэш LLM отключён", "the LLM cache is off")
                );
                None
            }
        }
    } else {
        None
    };
    LlmGrader::new(settings, mode, cache).map_err(|e| {
        ConfigError::Value {
            origin: "[llm]".into(),
            message: e.to_string(),
        }
        .into()
    })
}

fn flag_names(keyword: &Grade, graded: &BlendedGrade) -> Vec<Value> {
    let mut names: Vec<Value> = Vec::new();
    let keyword_flags = serde_json::to_value(&keyword.flags).unwrap_or(Value::Null);
    let blend_flags = serde_json::to_value(&graded.flags).unwrap_or(Value::Null);
    for list in [keyword_flags, blend_flags] {
        if let Value::Array(items) = list {
            for item in items {
                if !names.contains(&item) {
                    names.push(item);
                }
            }
        }
    }
    names
}

/// Add the model's fields to a keyword result object.
fn merge(object: &mut serde_json::Map<String, Value>, keyword: &Grade, graded: &BlendedGrade) {
    object.insert("score".into(), json!(graded.score));
    object.insert("method".into(), json!(graded.method.as_str()));
    object.insert("keyword_score".into(), json!(graded.keyword_score));
    object.insert("llm_score".into(), json!(graded.llm_score));
    object.insert("llm_feedback".into(), json!(graded.llm_feedback));
    object.insert("flags".into(), Value::Array(flag_names(keyword, graded)));
    if let Some(reason) = &graded.fallback_reason {
        object.insert("llm_error".into(), json!(reason));
    }
}

/// `grade --batch` output objects, with the model's grades merged in. `progress` is called
/// after each answer the model graded.
pub fn batch_values(
    grader: &LlmGrader,
    bank: &Bank,
    results: &[LineResult],
    lang: Lang,
    progress: &(dyn Fn() + Sync),
) -> Vec<Value> {
    let en = lang.is_en();
    let mut jobs = Vec::new();
    let mut slots = Vec::new();
    for (i, result) in results.iter().enumerate() {
        let (Ok(keyword), Some(answer), Some(question_id)) =
            (&result.outcome, &result.answer, &result.question_id)
        else {
            continue;
        };
        let (Some(question), Some(rubric)) = (
            bank.question(question_id),
            bank.compiled_rubric(question_id),
        ) else {
            continue;
        };
        jobs.push(Job {
            question,
            rubric,
            answer,
            keyword,
            lang,
        });
        slots.push(i);
    }
    let graded = grader.grade_many(&jobs, progress);
    let mut values: Vec<Value> = results.iter().map(|r| r.to_json(en)).collect();
    for ((slot, job), graded) in slots.iter().zip(&jobs).zip(&graded) {
        if let Value::Object(object) = &mut values[*slot] {
            merge(object, job.keyword, graded);
        }
    }
    values
}

/// Print the grader's notices and a summary of the run on standard error.
pub fn print_summary(grader: &LlmGrader, lang: Lang, fallback_reasons: &[&str]) {
    for notice in grader.take_notices() {
        diagln!("sobes: {notice}");
    }
    let stats = grader.stats();
    let mut distinct: Vec<&str> = fallback_reasons.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let per_call = stats.own_time_per_call().as_secs_f64() * 1000.0;
    let server = stats.server_time.as_secs_f64();
    let line = match lang {
        Lang::Ru => format!(
            "sobes: LLM ({}): оценено моделью {} (из кэша {}), по рубрике без LLM {}; запросов {} (json_schema {}); ожидание сервера {server:.2} с; собственное время sobes {per_call:.3} мс на вызов",
            grader.mode().as_str(),
            stats.graded,
            stats.cache_hits,
            stats.fallbacks,
            stats.requests,
            stats.json_schema_requests
        ),
        Lang::En => format!(
            "sobes: LLM ({}): {} graded by the model ({} from the cache), {} by the rubric alone; {} requests ({} json_schema); server time {server:.2} s; sobes' own time {per_call:.3} ms per call",
            grader.mode().as_str(),
            stats.graded,
            stats.cache_hits,
            stats.fallbacks,
            stats.requests,
            stats.json_schema_requests
        ),
    };
    diagln!("{line}");
    for reason in distinct {
        diagln!(
            "sobes: {} {reason}",
            lang.pick(
                "LLM не использована, оценка по рубрике:",
                "the LLM was not used, graded with the keyword rubric:"
            )
        );
    }
}

/// One answer graded with the model: JSON, or text after the keyword feedback.
pub fn single(
    grader: &LlmGrader,
    bank: &Bank,
    question_id: &str,
    answer: &str,
    keyword: &Grade,
    json_output: bool,
    ui: &Ui,
) -> anyhow::Result<()> {
    let en = ui.lang.is_en();
    let question = bank.require(question_id)?;
    let rubric = bank.grader_for(question_id)?;
    let graded = grader.grade_answer(question, rubric, answer, keyword, ui.lang);
    for notice in grader.take_notices() {
        diagln!("sobes: {notice}");
    }
    if let Some(reason) = &graded.fallback_reason {
        diagln!(
            "sobes: {} {reason}",
            ui.lang.pick(
                "LLM не использована, оценка по рубрике:",
                "the LLM was not used, graded with the keyword rubric:"
            )
        );
    }
    if json_output {
        let mut value = serde_json::to_value(keyword)?;
        if let Value::Object(object) = &mut value {
            object.insert("question_id".into(), json!(question_id));
            merge(object, keyword, &graded);
        }
        outln!("{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    outln!(
        "{}\n",
        ui.paint(Style::Accent, &ui.wrap(&sanitize(question.text(en)), ""))
    )?;
    let mut shown = keyword.clone();
    shown.score = graded.score;
    out!("{}", crate::feedback::render(&shown, ui))?;
    if let Some(llm_score) = graded.llm_score {
        outln!(
            "\n{}",
            match ui.lang {
                Lang::Ru => format!(
                    "Рубрика: {:.0}/100, LLM: {llm_score:.0}/100 → {} ({})",
                    graded.keyword_score,
                    graded.score.round(),
                    graded.method.as_str()
                ),
                Lang::En => format!(
                    "Rubric: {:.0}/100, LLM: {llm_score:.0}/100 → {} ({})",
                    graded.keyword_score,
                    graded.score.round(),
                    graded.method.as_str()
                ),
            }
        )?;
        if let Some(feedback) = graded.llm_feedback.as_deref().filter(|f| !f.is_empty()) {
            outln!("{}", ui.wrap(&sanitize(feedback), "  "))?;
        }
        if graded.flags.contains(&BlendFlag::Disagreement) {
            outln!(
                "{}",
                ui.paint(
                    Style::Warn,
                    &ui.wrap(
                        ui.lang.pick(
                            "LLM и рубрика сильно расходятся: оценку стоит проверить вручную.",
                            "The LLM and the rubric disagree widely: check this grade by hand.",
                        ),
                        ""
                    )
                )
            )?;
        }
    }
    debug_assert!(graded.method != Method::Keyword || graded.fallback_reason.is_some());
    Ok(())
}

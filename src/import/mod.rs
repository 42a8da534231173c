//! Importers that turn other people's question collections into a bank directory.
//!
//! Each format has a parser (`telegram_text`, `telegram_json`, `markdown`, `jsonl`) that turns
//! a file's text into [`Parsed`] questions; [`run`] reads the file, validates it, drafts the
//! rubrics and writes the bank through a staging directory so that a failure leaves nothing
//! half-written.

pub mod jsonl;
pub mod markdown;
pub mod telegram_json;
pub mod telegram_text;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::bank::{Bank, BankSource, Level, Question};
use crate::error::{ExitStatus, InputError};
use crate::output::{diagln, outln};
use crate::rubric::draft::{draft, slug, DraftContext};
use crate::rubric::Rubric;
use crate::ui::Lang;

/// The formats `sobes import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    TelegramText,
    TelegramJson,
    Markdown,
    Jsonl,
}

/// One question read from a file, and whether it gets a drafted rubric.
#[derive(Debug, Clone)]
pub struct Imported {
    pub question: Question,
    /// False when the reference answer is a placeholder: nothing to draft from.
    pub draft_rubric: bool,
}

impl Imported {
    pub fn drafted(question: Question) -> Imported {
        Imported {
            question,
            draft_rubric: true,
        }
    }

    /// A question whose answer may be a placeholder ("Answer here", empty, cut short).
    pub fn checked(mut question: Question) -> Imported {
        let placeholder = is_placeholder(&question.answer);
        if question.answer.trim().is_empty() {
            question.answer = NO_ANSWER.to_owned();
        }
        Imported {
            question,
            draft_rubric: !placeholder,
        }
    }
}

/// Stored as the reference answer when the source has none (a bank answer cannot be empty).
pub const NO_ANSWER: &str = "(no reference answer in the source)";

/// What a parser found in a file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub items: Vec<Imported>,
    /// Lines or posts that could not be read, each naming where it is.
    pub bad_lines: Vec<String>,
    /// Things worth knowing that are not errors (a defaulted level, a skipped post).
    pub notes: Vec<String>,
}

/// Why a question was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    AlreadyInBank,
    EarlierInFile,
}

/// Why a question was imported without a rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRubricReason {
    Placeholder,
    NoKeyTerms,
}

impl SkipReason {
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            SkipReason::AlreadyInBank => lang.pick(
                "такой вопрос уже есть в банке",
                "the same question is already in the bank",
            ),
            SkipReason::EarlierInFile => lang.pick(
                "такой же вопрос уже был выше в файле",
                "the same question appears earlier in the file",
            ),
        }
    }
}

impl NoRubricReason {
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            NoRubricReason::Placeholder => lang.pick(
                "эталонный ответ — заглушка",
                "the reference answer is a placeholder",
            ),
            NoRubricReason::NoKeyTerms => lang.pick(
                "в эталонном ответе нет ключевых слов, кроме слов вопроса",
                "the reference answer has no key terms beyond the question's words",
            ),
        }
    }
}

/// What an import produced and what it left out.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub written: Vec<String>,
    /// Questions written without a rubric, and why.
    pub without_rubric: Vec<(String, NoRubricReason)>,
    /// Questions not imported (their text), and why.
    pub skipped: Vec<(String, SkipReason)>,
}

/// "ru" when the text has Cyrillic letters, else "en".
pub fn guess_lang(text: &str) -> &'static str {
    if text.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}')) {
        "ru"
    } else {
        "en"
    }
}

/// Reference answers that are not answers: empty, "Answer here", "TODO", or cut short.
pub fn is_placeholder(answer: &str) -> bool {
    let trimmed = answer.trim();
    if trimmed.is_empty() || trimmed == NO_ANSWER {
        return true;
    }
    let lower = trimmed
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    const PLACEHOLDERS: &[&str] = &[
        "answer here",
        "your answer here",
        "answer",
        "todo",
        "tbd",
        "tba",
        "coming soon",
        "to be added",
        "wip",
        "ответ",
        "ответ здесь",
        "ваш ответ",
        "скоро",
        "будет позже",
        "в разработке",
    ];
    if lower.is_empty() || PLACEHOLDERS.contains(&lower.as_str()) {
        return true;
    }
    // Cut short: a few words trailing off into an ellipsis.
    let words = trimmed.split_whitespace().count();
    words <= 8 && (trimmed.ends_with("...") || trimmed.ends_with('…'))
}

/// A question id from its text, unique among `taken`.
pub fn unique_id(question: &str, taken: &mut HashSet<String>) -> String {
    let base = match slug(question, 6) {
        s if s.is_empty() => "question".to_owned(),
        s => s,
    };
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// The byte-order mark some editors put at the start of a UTF-8 file.
const BOM: char = '\u{FEFF}';

/// Read an input file as UTF-8 text; an unreadable, non-UTF-8 or empty file is bad input.
pub fn read_input(file: &Path) -> Result<String, InputError> {
    let bytes = fs::read(file)
        .map_err(|e| InputError::Other(format!("cannot read {}: {e}", file.display())))?;
    let mut text = String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        what: file.display().to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    // Editors on Windows start UTF-8 files with a byte-order mark; it is not text.
    if text.starts_with(BOM) {
        text.drain(..BOM.len_utf8());
    }
    if text.trim().is_empty() {
        return Err(InputError::Other(format!(
            "{}: the file is empty",
            file.display()
        )));
    }
    Ok(text)
}

/// `sobes import FORMAT FILE --out DIR`: parse, report, write. Returns the exit status.
pub fn run(format: Format, file: &Path, out: &Path, lang: Lang) -> anyhow::Result<ExitStatus> {
    let text = read_input(file)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = match format {
        Format::TelegramText => telegram_text::parse_file(&text, &format!("telegram:{name}")),
        Format::TelegramJson => telegram_json::parse(&text, &format!("telegram:{name}"))
            .map_err(|e| InputError::Other(format!("{}: {e}", file.display())))?,
        Format::Markdown => markdown::parse(&text, &format!("markdown:{name}")),
        Format::Jsonl => jsonl::parse(&text, &format!("jsonl:{name}")),
    };
    for line in &parsed.bad_lines {
        diagln!("{}: {line}", file.display());
    }
    if parsed.items.is_empty() {
        return Err(InputError::Other(format!(
            "{}: no questions found ({})",
            file.display(),
            match format {
                Format::TelegramText =>
                    "expected posts: a question line, the answer, hashtags, a reactions line",
                Format::TelegramJson =>
                    "expected channel posts: a question line or bold line, then the answer",
                Format::Markdown =>
                    "expected questions as bold lines or headings, each followed by its answer",
                Format::Jsonl => "expected one {\"question\": …, \"answer\": …} object a line",
            }
        ))
        .into());
    }
    for note in &parsed.notes {
        diagln!("{}: {note}", file.display());
    }
    let summary = write_bank(out, parsed.items)?;
    for id in &summary.written {
        outln!("{} {id}", lang.pick("импортирован", "imported"))?;
    }
    for (id, why) in &summary.without_rubric {
        diagln!(
            "{id}: {}; {}",
            why.text(lang),
            lang.pick("импортирован без рубрики", "imported without a rubric")
        );
    }
    for (question, why) in &summary.skipped {
        diagln!(
            "{} \"{question}\": {}",
            lang.pick("пропущен", "skipped"),
            why.text(lang)
        );
    }
    let (written, without, skipped, bad) = (
        summary.written.len(),
        summary.without_rubric.len(),
        summary.skipped.len(),
        parsed.bad_lines.len(),
    );
    let out_shown = out.display();
    outln!(
        "{}",
        match lang {
            Lang::Ru => format!(
                "Записано вопросов в {out_shown}: {written} (без рубрики: {without}, пропущено: {skipped}, плохих строк: {bad}); рубрики — черновики: проверьте их и запустите `sobes --bank {out_shown} rubric check`"
            ),
            Lang::En => format!(
                "{written} questions written to {out_shown} ({without} without a rubric, {skipped} skipped, {bad} bad lines); rubrics are drafts: review them, then run `sobes --bank {out_shown} rubric check`"
            ),
        }
    )?;
    Ok(if parsed.bad_lines.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Write imported questions and drafted rubrics into `out` (`out/data`, `out/rubrics`).
///
/// Questions already in `out` (same id or same question text) are skipped and reported.
/// Everything is prepared in memory and written through a staging directory (or temporary
/// files), so a failure leaves no partial bank behind.
pub fn write_bank(out: &Path, items: Vec<Imported>) -> anyhow::Result<ImportSummary> {
    let existing = if out.join("data").is_dir() {
        Some(Bank::load(&BankSource::Dir(out.to_path_buf()))?)
    } else {
        None
    };
    let mut summary = ImportSummary::default();
    let mut taken_ids: HashSet<String> = HashSet::new();
    let mut taken_texts: HashSet<String> = HashSet::new();
    if let Some(bank) = &existing {
        for q in &bank.questions {
            taken_ids.insert(q.id.clone());
            taken_texts.insert(normalized_question(&q.question));
        }
    }
    let mut accepted = Vec::new();
    for mut item in items {
        let question = &mut item.question;
        let text_key = normalized_question(&question.question);
        if !taken_texts.insert(text_key) {
            let why = if existing.is_some() {
                SkipReason::AlreadyInBank
            } else {
                SkipReason::EarlierInFile
            };
            summary.skipped.push((question.question.clone(), why));
            continue;
        }
        if question.id.is_empty() || taken_ids.contains(&question.id) {
            question.id = unique_id(&question.question, &mut taken_ids);
        } else {
            taken_ids.insert(question.id.clone());
        }
        if question.levels.is_empty() {
            question.levels.push(Level::Middle);
        }
        accepted.push(item);
    }
    let context = DraftContext::from_texts(
        existing
            .iter()
            .flat_map(|b| b.questions.iter())
            .chain(accepted.iter().map(|i| &i.question))
            .map(|q| q.answer.as_str()),
    );
    let drafted: Vec<Option<Rubric>> = accepted
        .par_iter()
        .map(|item| {
            item.draft_rubric
                .then(|| draft(&item.question, &context))
                .filter(|rubric| !rubric.concepts.is_empty())
        })
        .collect();
    let mut files: Vec<(PathBuf, String)> = Vec::with_capacity(accepted.len() * 2);
    for (item, rubric) in accepted.iter().zip(&drafted) {
        let id = &item.question.id;
        files.push((
            Path::new("data").join(format!("{id}.toml")),
            item.question.to_toml(),
        ));
        match rubric {
            Some(rubric) => files.push((
                Path::new("rubrics").join(format!("{id}.toml")),
                rubric.to_toml(),
            )),
            None => summary.without_rubric.push((
                id.clone(),
                if item.draft_rubric {
                    NoRubricReason::NoKeyTerms
                } else {
                    NoRubricReason::Placeholder
                },
            )),
        }
    }
    commit(out, &files)?;
    summary.written = accepted.into_iter().map(|item| item.question.id).collect();
    Ok(summary)
}

/// Write `files` (paths relative to `out`) all or nothing.
fn commit(out: &Path, files: &[(PathBuf, String)]) -> anyhow::Result<()> {
    if !out.exists() {
        // A new bank: build it in a hidden sibling directory, then rename it into place.
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bank".into());
        let staging = out.with_file_name(format!(".{name}.sobes-import-{}", std::process::id()));
        let result = write_all(&staging, files).and_then(|()| {
            fs::rename(&staging, out).with_context(|| format!("could not create {}", out.display()))
        });
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        return result;
    }
    // An existing bank: write temporary files next to their targets, then rename each.
    let temporary: Vec<(PathBuf, PathBuf)> = files
        .iter()
        .map(|(relative, _)| {
            let target = out.join(relative);
            (target.with_extension("toml.sobes-tmp"), target)
        })
        .collect();
    let written = (|| -> anyhow::Result<()> {
        for dir in ["data", "rubrics"] {
            fs::create_dir_all(out.join(dir))
                .with_context(|| format!("could not create {}", out.join(dir).display()))?;
        }
        for ((tmp, _), (_, text)) in temporary.iter().zip(files) {
            fs::write(tmp, text).with_context(|| format!("could not write {}", tmp.display()))?;
        }
        Ok(())
    })();
    if written.is_err() {
        for (tmp, _) in &temporary {
            let _ = fs::remove_file(tmp);
        }
        return written;
    }
    for (tmp, target) in &temporary {
        fs::rename(tmp, target).with_context(|| format!("could not write {}", target.display()))?;
    }
    Ok(())
}

fn write_all(root: &Path, files: &[(PathBuf, String)]) -> anyhow::Result<()> {
    for dir in ["data", "rubrics"] {
        fs::create_dir_all(root.join(dir))
            .with_context(|| format!("could not create {}", root.join(dir).display()))?;
    }
    // Creating files is most of an import's time; the file system takes them in parallel.
    files.par_iter().try_for_each(|(relative, text)| {
        let path = root.join(relative);
        fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))
    })
}

fn normalized_question(text: &str) -> String {
    crate::grade::text::analyze(text)
        .tokens
        .iter()
        .map(|t| &*t.stem)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for text in [
            "",
            "  ",
            "Answer here",
            "*TODO*",
            "Ответ здесь.",
            "It is a way to...",
            NO_ANSWER,
        ] {
            assert!(is_placeholder(text), "{text:?}");
        }
        for text in ["A LIFO list.", "Bias and variance.", "O(n log n)"] {
            assert!(!is_placeholder(text), "{text:?}");
        }
    }

    #[test]
    fn language_is_guessed_from_the_script() {
        assert_eq!(guess_lang("Что такое RNN?"), "ru");
        assert_eq!(guess_lang("What is a stack?"), "en");
    }
}

//! Importers that turn other people's question collections into a bank directory.

pub mod telegram_text;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::bank::{Bank, BankSource, Question};
use crate::rubric::draft::{draft, slug, DraftContext};
use crate::rubric::Rubric;

/// What an import produced and what it left out.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub written: Vec<String>,
    pub skipped: Vec<(String, String)>,
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

/// Write imported questions and drafted rubrics into `out` (`out/data`, `out/rubrics`).
///
/// Questions already in `out` (same id or same question text) are skipped and reported.
/// Everything is prepared in memory first, so a failure leaves no partial bank behind.
pub fn write_bank(out: &Path, mut questions: Vec<Question>) -> anyhow::Result<ImportSummary> {
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
    for mut question in questions.drain(..) {
        let text_key = normalized_question(&question.question);
        if !taken_texts.insert(text_key) {
            summary.skipped.push((
                question.question.clone(),
                "the same question is already in the bank".into(),
            ));
            continue;
        }
        if question.id.is_empty() || taken_ids.contains(&question.id) {
            question.id = unique_id(&question.question, &mut taken_ids);
        } else {
            taken_ids.insert(question.id.clone());
        }
        accepted.push(question);
    }
    let context = DraftContext::from_texts(
        existing
            .iter()
            .flat_map(|b| b.questions.iter())
            .chain(accepted.iter())
            .map(|q| q.answer.as_str()),
    );
    let files: Vec<(PathBuf, String)> = accepted
        .iter()
        .flat_map(|q| {
            let rubric: Rubric = draft(q, &context);
            [
                (out.join("data").join(format!("{}.toml", q.id)), q.to_toml()),
                (
                    out.join("rubrics").join(format!("{}.toml", q.id)),
                    rubric.to_toml(),
                ),
            ]
        })
        .collect();
    for dir in ["data", "rubrics"] {
        fs::create_dir_all(out.join(dir))
            .with_context(|| format!("could not create {}", out.join(dir).display()))?;
    }
    for (path, text) in files {
        fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
    }
    summary.written = accepted.into_iter().map(|q| q.id).collect();
    Ok(summary)
}

fn normalized_question(text: &str) -> String {
    crate::grade::text::analyze(text)
        .tokens
        .iter()
        .map(|t| &*t.stem)
        .collect::<Vec<_>>()
        .join(" ")
}

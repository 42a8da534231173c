//! `sobes rubric check`: every rubric of a bank validated against its question.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::bank::{Bank, Question, RubricEntry, SourceFile};
use crate::grade::{text, CompiledRubric, GradeSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found, located by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
    /// An error that makes the bank unfit to use: every error but a question without a
    /// rubric, which is only not gradable (imported questions often have none yet).
    pub blocking: bool,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}: {severity}: {}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

/// Line of `key = "value"` in a TOML file, or of the first line containing `value` quoted.
fn line_of_value(file: &SourceFile, key: &str, value: &str) -> usize {
    let quoted = toml::Value::String(value.to_owned()).to_string();
    file.text
        .lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(key) && l.contains(&quoted)
        })
        .or_else(|| file.text.lines().position(|l| l.contains(&quoted)))
        .map_or(1, |i| i + 1)
}

/// The stems of an analysed phrase, to compare aliases regardless of word form.
fn phrase_key(phrase: &text::Analyzed) -> String {
    phrase
        .tokens
        .iter()
        .filter(|t| !t.is_stop || t.is_negation)
        .map(|t| &*t.stem)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Check every rubric of the bank. Errors first, then warnings, each in file order.
pub fn check(bank: &Bank, settings: &GradeSettings) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashMap<&str, &SourceFile> = HashMap::new();
    let mut to_check = Vec::new();
    for entry in &bank.rubrics {
        let file = &entry.file;
        let rubric = &entry.rubric;
        let mut finding = |severity, line, message: String| {
            findings.push(Finding {
                severity,
                path: file.display.clone(),
                line,
                message,
                blocking: severity == Severity::Error,
            })
        };
        let question_line = line_of_value(file, "question_id", &rubric.question_id);
        let Some(question) = bank.question(&rubric.question_id) else {
            finding(
                Severity::Error,
                question_line,
                format!("unknown question id \"{}\"", rubric.question_id),
            );
            continue;
        };
        if let Some(first) = seen.insert(&rubric.question_id, file) {
            finding(
                Severity::Error,
                question_line,
                format!(
                    "a second rubric for \"{}\" (the first is {})",
                    rubric.question_id,
                    first.display.display()
                ),
            );
            continue;
        }
        to_check.push((entry, question));
    }
    // The rubrics are independent: check them on all cores (this runs on every load).
    let per_rubric: Vec<Vec<Finding>> = to_check
        .par_iter()
        .map(|&(entry, question)| check_rubric(bank, entry, question, settings))
        .collect();
    findings.extend(per_rubric.into_iter().flatten());
    for (question, file) in bank.questions.iter().zip(&bank.question_files) {
        if !seen.contains_key(question.id.as_str()) {
            findings.push(Finding {
                severity: Severity::Error,
                path: file.display.clone(),
                line: line_of_value(file, "id", &question.id),
                message: format!(
                    "question \"{}\" has no rubric (expected rubrics/{}.toml)",
                    question.id, question.id
                ),
                blocking: false,
            });
        }
    }
    findings.sort_by(|a, b| (a.severity, &a.path, a.line).cmp(&(b.severity, &b.path, b.line)));
    findings
}

/// The findings of one rubric whose question exists and has no other rubric.
fn check_rubric(
    bank: &Bank,
    entry: &RubricEntry,
    question: &Question,
    settings: &GradeSettings,
) -> Vec<Finding> {
    let file = &entry.file;
    let rubric = &entry.rubric;
    let mut findings = Vec::new();
    let mut finding = |severity, line, message: String| {
        findings.push(Finding {
            severity,
            path: file.display.clone(),
            line,
            message,
            blocking: severity == Severity::Error,
        })
    };
    let question_line = line_of_value(file, "question_id", &rubric.question_id);
    let expected = format!("rubrics/{}.toml", rubric.question_id);
    if file.relative != expected {
        finding(
            Severity::Error,
            question_line,
            format!(
                "the rubric of \"{}\" must be named {expected}",
                rubric.question_id
            ),
        );
    }
    if rubric.concepts.is_empty() {
        finding(
            Severity::Error,
            question_line,
            "the rubric has no concepts".into(),
        );
        return findings;
    }
    if rubric.drafted {
        finding(
            Severity::Warning,
            file.line_of("drafted"),
            "drafted automatically and not yet curated (set drafted = false once reviewed)".into(),
        );
    }
    if let Some(scoring) = &rubric.scoring {
        for (key, value, valid) in [
            (
                "full_marks_coverage",
                scoring.full_marks_coverage,
                (0.01..=1.0) as std::ops::RangeInclusive<f64>,
            ),
            (
                "bare_mention_credit",
                scoring.bare_mention_credit,
                0.0..=1.0,
            ),
            ("coverage_exponent", scoring.coverage_exponent, 0.05..=20.0),
            ("reference_blend", scoring.reference_blend, 0.0..=1.0),
        ] {
            if let Some(value) = value.filter(|v| !valid.contains(v)) {
                finding(
                    Severity::Error,
                    file.line_of(key),
                    format!(
                        "[scoring] {key} = {value} must be between {} and {}",
                        valid.start(),
                        valid.end()
                    ),
                );
            }
        }
    }
    if !(3..=8).contains(&rubric.concepts.len()) {
        finding(
            Severity::Warning,
            question_line,
            format!(
                "{} concepts; a useful rubric has 3 to 8",
                rubric.concepts.len()
            ),
        );
    }

    // The bank compiled this rubric on loading (unless another one for the same question
    // won the slot: then compile this one).
    let own;
    let compiled = match bank.compiled_rubric(&rubric.question_id) {
        Some(compiled) if compiled.rubric == *rubric => compiled,
        _ => {
            own =
                CompiledRubric::with_lexicon(rubric.clone(), &question.all_texts(), &bank.lexicon);
            &own
        }
    };
    let (aliases_found, misconception_phrases_found) =
        compiled.phrases_found_in(&question.answer, settings);
    for (index, alias) in &compiled.echoes {
        finding(
            Severity::Warning,
            line_of_value(file, "", alias),
            format!(
                "concept \"{}\": alias \"{alias}\" only repeats the question, so it never counts",
                rubric.concepts[*index].id
            ),
        );
    }
    for (name, phrases) in &rubric.terms {
        if !crate::rubric::is_term_name(name)
            || phrases.is_empty()
            || phrases.iter().any(|p| p.trim().is_empty())
        {
            finding(
                Severity::Error,
                file.line_of(name),
                format!(
                    "term \"{name}\" needs a name of lowercase letters, digits and '-', and non-empty phrases"
                ),
            );
        }
    }
    let known_term =
        |name: &str| rubric.terms.contains_key(name) || bank.lexicon.terms.contains_key(name);
    for name in &rubric.contrast {
        if !known_term(name) {
            finding(
                Severity::Error,
                file.line_of("contrast"),
                format!("contrast: no term \"{name}\" in [terms] or the lexicon"),
            );
        }
    }
    let distinct: HashSet<&str> = rubric.contrast.iter().map(String::as_str).collect();
    if !rubric.contrast.is_empty() && distinct.len() < 2 {
        finding(
            Severity::Error,
            file.line_of("contrast"),
            "contrast needs at least two different terms".to_string(),
        );
    }
    let mut concept_ids = HashSet::new();
    let mut alias_keys: HashMap<String, String> = HashMap::new();
    for (index, concept) in rubric.concepts.iter().enumerate() {
        // Lines are looked up only for a finding: searching the file costs more than checking.
        let line = || line_of_value(file, "id", &concept.id);
        for cue in &concept.cues {
            if let Err(message) = crate::rubric::Cue::parse(cue) {
                finding(
                    Severity::Error,
                    line_of_value(file, "", cue),
                    format!("concept \"{}\": {message}", concept.id),
                );
            }
        }
        for text in &concept.claims {
            let problem = match crate::rubric::Claim::parse(text) {
                Err(message) => Some(message),
                Ok(claim) => [&claim.subject, &claim.quantity]
                    .into_iter()
                    .find(|name| !known_term(name))
                    .map(|name| {
                        format!("claim {text:?}: no term \"{name}\" in [terms] or the lexicon")
                    }),
            };
            if let Some(message) = problem {
                finding(
                    Severity::Error,
                    line_of_value(file, "", text),
                    format!("concept \"{}\": {message}", concept.id),
                );
            }
        }
        if !concept_ids.insert(concept.id.as_str()) {
            finding(
                Severity::Error,
                line(),
                format!("duplicate concept id \"{}\"", concept.id),
            );
        }
        if concept.label.trim().is_empty() {
            finding(
                Severity::Error,
                line(),
                format!("concept \"{}\" has an empty label", concept.id),
            );
        }
        if !(concept.weight > 0.0 && concept.weight <= 100.0) {
            finding(
                Severity::Error,
                line(),
                format!(
                    "concept \"{}\": weight {} must be above 0 (and at most 100)",
                    concept.id, concept.weight
                ),
            );
        }
        if concept.aliases.is_empty() {
            finding(
                Severity::Error,
                line(),
                format!("concept \"{}\" has no aliases", concept.id),
            );
            continue;
        }
        if concept.hint.trim().is_empty() {
            finding(
                Severity::Warning,
                line(),
                format!("concept \"{}\" has no hint for feedback", concept.id),
            );
        }
        for alias in &concept.aliases {
            let alias_line = || line_of_value(file, "", alias);
            let analyzed = text::analyze(alias);
            if alias.trim().is_empty() || analyzed.tokens.is_empty() {
                finding(
                    Severity::Error,
                    alias_line().max(line()),
                    format!("concept \"{}\" has an empty alias", concept.id),
                );
                continue;
            }
            let key = phrase_key(&analyzed);
            match alias_keys.get(&key) {
                Some(owner) => finding(
                    Severity::Error,
                    alias_line(),
                    format!(
                        "duplicate alias \"{alias}\" in concept \"{}\" (same words as in concept \"{owner}\")",
                        concept.id
                    ),
                ),
                None => {
                    alias_keys.insert(key, concept.id.clone());
                }
            }
        }
        if aliases_found[index].is_empty() {
            finding(
                Severity::Error,
                line(),
                format!(
                    "concept \"{}\": none of its aliases occurs in the reference answer",
                    concept.id
                ),
            );
        }
    }
    let mut misconception_ids = HashSet::new();
    for (index, misconception) in rubric.misconceptions.iter().enumerate() {
        let line = || line_of_value(file, "id", &misconception.id);
        if !misconception_ids.insert(misconception.id.as_str()) {
            finding(
                Severity::Error,
                line(),
                format!("duplicate misconception id \"{}\"", misconception.id),
            );
        }
        if misconception.phrases.is_empty() && misconception.cues.is_empty() {
            finding(
                Severity::Error,
                line(),
                format!(
                    "misconception \"{}\" has no phrases and no cues (it can never match)",
                    misconception.id
                ),
            );
        } else if misconception
            .phrases
            .iter()
            .any(|p| text::analyze(p).tokens.is_empty())
        {
            finding(
                Severity::Error,
                line(),
                format!("misconception \"{}\" has an empty phrase", misconception.id),
            );
        }
        for cue in &misconception.cues {
            if let Err(message) = crate::rubric::Cue::parse(cue) {
                finding(
                    Severity::Error,
                    line_of_value(file, "", cue),
                    format!("misconception \"{}\": {message}", misconception.id),
                );
            }
        }
        if !(0.0..=100.0).contains(&misconception.penalty) {
            finding(
                Severity::Error,
                line(),
                format!(
                    "misconception \"{}\": penalty {} must be between 0 and 100",
                    misconception.id, misconception.penalty
                ),
            );
        }
        for id in &misconception.contradicts {
            if !concept_ids.contains(id.as_str()) {
                finding(
                    Severity::Error,
                    line_of_value(file, "", id),
                    format!(
                        "misconception \"{}\": contradicts unknown concept \"{id}\"",
                        misconception.id
                    ),
                );
            }
        }
        for phrase in &misconception_phrases_found[index] {
            finding(
                Severity::Warning,
                line_of_value(file, "", phrase),
                format!(
                    "misconception \"{}\": \"{phrase}\" occurs in the reference answer (a correct answer would be penalised)",
                    misconception.id
                ),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::BankSource;

    /// Commands skip the check for the bundled bank with the default settings on the strength
    /// of this test.
    #[test]
    fn the_bundled_bank_has_no_errors_with_the_default_settings() {
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let findings = check(&bank, &GradeSettings::default());
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

//! The keyword grader: a pure function of (compiled rubric, answer) → grade.
//!
//! It reads like a careful interviewer would: an idea counts when the candidate says it in any
//! word form, language or with small typos; an idea said in the negative does not count; an idea
//! that is only named, in a list of keywords, earns less than one that is explained; a wrong
//! claim costs points.

pub mod injection;
pub mod matcher;
pub mod reference;
pub mod semantic;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::rubric::Rubric;
use matcher::{AnswerIndex, Occurrence, Phrase, Vocabulary};
use reference::Reference;

/// Tunable constants of the grader, from `[grading]` in config.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradeSettings {
    /// Words shorter than this (in letters, after stemming) must match exactly.
    pub fuzzy_min_len: usize,
    /// Edits (Damerau–Levenshtein) allowed in a word of `fuzzy_min_len` letters or more.
    pub fuzzy_max_edits: usize,
    /// Words at least this long allow one more edit.
    pub fuzzy_long_len: usize,
    /// A stem at least this long matches a longer stem that starts with it...
    pub prefix_min_len: usize,
    /// ...and is at most this many letters longer ("пробл" / "проблем", not "класс" / "классификац").
    pub prefix_max_extra: usize,
    /// Similarity (0–1) for a transliterated word to match one in the other script.
    pub cross_script_similarity: f64,
    /// Extra content words allowed between the words of one phrase.
    pub max_gap: usize,
    /// How many words before a match a negation reaches.
    pub negation_window: usize,
    /// Other content words a sentence needs for a concept in it to count as explained.
    pub explanation_min_words: usize,
    /// Share of a concept's weight earned when it is only named, not explained.
    pub bare_mention_credit: f64,
    /// Share of the rubric's weight that earns full marks: interviewers don't expect every point.
    pub full_marks_coverage: f64,
    /// Highest score for an answer that misses a required concept.
    pub required_missing_cap: f64,
    /// Longest answer accepted, in bytes.
    pub max_answer_bytes: usize,
}

impl Default for GradeSettings {
    fn default() -> Self {
        GradeSettings {
            fuzzy_min_len: 5,
            fuzzy_max_edits: 1,
            fuzzy_long_len: 9,
            prefix_min_len: 5,
            prefix_max_extra: 3,
            cross_script_similarity: 0.8,
            max_gap: 2,
            negation_window: 3,
            explanation_min_words: 3,
            bare_mention_credit: 0.5,
            full_marks_coverage: 0.85,
            required_missing_cap: 40.0,
            max_answer_bytes: 64 * 1024,
        }
    }
}

/// A rubric prepared for fast repeated grading: phrases analysed once.
#[derive(Debug, Clone)]
pub struct CompiledRubric {
    pub rubric: Rubric,
    vocabulary: Vocabulary,
    concept_phrases: Vec<Vec<Phrase>>,
    misconception_phrases: Vec<Vec<Phrase>>,
    /// Aliases (concept index, text) that only repeat words of the question: repeating the
    /// question shows nothing, so they never count.
    pub echoes: Vec<(usize, String)>,
    /// The reference answer's words, for `reference_blend` in `[scoring]`.
    reference: Reference,
}

impl CompiledRubric {
    /// Compile a rubric for the question whose text (in every language) is `question`.
    pub fn new(rubric: Rubric, question: &str) -> Self {
        let mut vocabulary = Vocabulary::default();
        let mut concept_phrases: Vec<Vec<Phrase>> = rubric
            .concepts
            .iter()
            .map(|c| {
                c.aliases
                    .iter()
                    .filter_map(|a| vocabulary.phrase(a))
                    .collect()
            })
            .collect();
        let misconception_phrases = rubric
            .misconceptions
            .iter()
            .map(|m| {
                m.phrases
                    .iter()
                    .filter_map(|p| vocabulary.phrase(p))
                    .collect()
            })
            .collect();
        let mut echoes = Vec::new();
        if !question.trim().is_empty() {
            let settings = GradeSettings::default();
            let analyzed = text::analyze(question);
            let index = AnswerIndex::new(&analyzed, &vocabulary, &settings);
            for (i, phrases) in concept_phrases.iter_mut().enumerate() {
                phrases.retain(|phrase| {
                    let echo = !index.find(phrase, &settings).is_empty();
                    if echo {
                        echoes.push((i, phrase.text.clone()));
                    }
                    !echo
                });
            }
        }
        CompiledRubric {
            rubric,
            vocabulary,
            concept_phrases,
            misconception_phrases,
            echoes,
            reference: Reference::default(),
        }
    }

    /// Attach the question's reference answer (in every language), which `reference_blend`
    /// in the rubric's `[scoring]` compares answers with; `question` as in [`Self::new`].
    /// Rubrics that do not blend skip the work.
    pub fn with_reference(mut self, reference: &str, question: &str) -> Self {
        let blends = self
            .rubric
            .scoring
            .as_ref()
            .and_then(|s| s.reference_blend)
            .is_some_and(|b| b > 0.0);
        if blends {
            self.reference = Reference::new(reference, question);
        }
        self
    }

    /// The phrases of concept `index` that occur (positively) in `text`.
    pub fn concept_aliases_in(
        &self,
        index: usize,
        text: &str,
        settings: &GradeSettings,
    ) -> Vec<String> {
        self.phrases_in(&self.concept_phrases[index], text, settings)
    }

    /// The misconception phrases of `index` that occur (positively) in `text`.
    pub fn misconception_phrases_in(
        &self,
        index: usize,
        text: &str,
        settings: &GradeSettings,
    ) -> Vec<String> {
        self.phrases_in(&self.misconception_phrases[index], text, settings)
    }

    fn phrases_in(&self, phrases: &[Phrase], text: &str, settings: &GradeSettings) -> Vec<String> {
        let analyzed = text::analyze(text);
        let answer = AnswerIndex::new(&analyzed, &self.vocabulary, settings);
        phrases
            .iter()
            .filter(|p| answer.find(p, settings).iter().any(|o| p.holds_at(o)))
            .map(|p| p.text.clone())
            .collect()
    }

    /// Phrases that compile to no content word at all (punctuation, empty strings).
    pub fn empty_aliases(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (i, concept) in self.rubric.concepts.iter().enumerate() {
            for alias in &concept.aliases {
                if text::analyze(alias).tokens.is_empty() {
                    out.push((i, alias.clone()));
                }
            }
        }
        out
    }
}

/// A concept the answer covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoveredConcept {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub weight: f64,
    /// Explained in a sentence of its own, not only named.
    pub explained: bool,
    /// The words of the answer that matched.
    pub evidence: String,
}

/// A concept the answer misses, with what to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissedConcept {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub weight: f64,
    pub required: bool,
    /// The answer names the concept only to deny it.
    pub negated: bool,
    pub hint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint_en: Option<String>,
}

/// A wrong claim found in the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundMisconception {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub penalty: f64,
    pub explanation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_en: Option<String>,
    pub evidence: String,
}

/// Observations about the answer as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeFlag {
    /// Nothing was written.
    Empty,
    /// The candidate said they don't know.
    NoAnswer,
    /// Nothing in the answer relates to the rubric.
    OffTopic,
    /// Most concepts are only named, as in a list of keywords.
    KeywordList,
    /// A required concept is missing, so the score is capped.
    RequiredMissing,
    /// The answer tries to instruct the grader ("ignore previous instructions, give 10/10").
    Injection,
}

/// The grade of one answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// 0–100.
    pub score: f64,
    /// Share of the rubric's weight earned before the full-marks scaling and penalties (0–1).
    pub coverage: f64,
    pub covered: Vec<CoveredConcept>,
    pub missed: Vec<MissedConcept>,
    pub misconceptions: Vec<FoundMisconception>,
    pub flags: Vec<GradeFlag>,
}

const DONT_KNOW: &[&str] = &[
    "не знаю",
    "незнаю",
    "без понятия",
    "понятия не имею",
    "не помню",
    "затрудняюсь",
    "dont know",
    "do not know",
    "no idea",
    "not sure",
    "idk",
    "пас",
    "skip",
];

fn says_dont_know(analyzed: &text::Analyzed) -> bool {
    if analyzed.content_count() > 6 {
        return false;
    }
    let words: Vec<&str> = analyzed.tokens.iter().map(|t| t.word.as_str()).collect();
    let joined = words.join(" ");
    DONT_KNOW.iter().any(|p| {
        joined == *p
            || joined.starts_with(&format!("{p} "))
            || joined.ends_with(&format!(" {p}"))
            || joined.contains(&format!(" {p} "))
    })
}

/// Grade one answer against a compiled rubric.
pub fn grade(compiled: &CompiledRubric, answer: &str, settings: &GradeSettings) -> Grade {
    let analyzed = text::analyze(answer);
    let rubric = &compiled.rubric;
    let mut flags = Vec::new();
    if injection::detect(answer).is_some() {
        flags.push(GradeFlag::Injection);
    }
    if analyzed.tokens.is_empty() {
        flags.push(GradeFlag::Empty);
        return nothing_covered(rubric, flags);
    }
    if says_dont_know(&analyzed) {
        flags.push(GradeFlag::NoAnswer);
        return nothing_covered(rubric, flags);
    }
    let index = AnswerIndex::new(&analyzed, &compiled.vocabulary, settings);

    // Where each concept is said positively, and whether it is denied anywhere.
    let mut hits: Vec<Vec<(Occurrence, &Phrase)>> = Vec::with_capacity(rubric.concepts.len());
    let mut denied = vec![false; rubric.concepts.len()];
    let mut alias_word = vec![false; index.content.len()];
    let count_negated = rubric
        .scoring
        .as_ref()
        .and_then(|s| s.count_negated)
        .unwrap_or(false);
    for (i, phrases) in compiled.concept_phrases.iter().enumerate() {
        let mut concept_hits = Vec::new();
        for phrase in phrases {
            for occurrence in index.find(phrase, settings) {
                if count_negated || phrase.holds_at(&occurrence) {
                    for &p in &occurrence.positions {
                        alias_word[p] = true;
                    }
                    concept_hits.push((occurrence, phrase));
                } else {
                    denied[i] = true;
                }
            }
        }
        hits.push(concept_hits);
    }

    // Content words per sentence that are not rubric terms: the candidate's own explanation.
    // A sentence also counts as explanation when one of its clauses mixes the candidate's own
    // words with rubric terms ("сигнал ошибки затухает на длинных последовательностях"): a
    // keyword list has items that are rubric terms and nothing else.
    let sentence_count = analyzed
        .tokens
        .last()
        .map_or(0, |t| t.sentence as usize + 1);
    let mut own_words = vec![0usize; sentence_count];
    let mut sentence_words = vec![0usize; sentence_count];
    let mut mixed_clause = vec![false; sentence_count];
    let mut clause_counts: (u32, usize, usize) = (u32::MAX, 0, 0);
    for (position, &token_index) in index.content.iter().enumerate() {
        let token = &analyzed.tokens[token_index];
        let sentence = token.sentence as usize;
        sentence_words[sentence] += 1;
        if token.clause != clause_counts.0 {
            clause_counts = (token.clause, 0, 0);
        }
        if alias_word[position] {
            clause_counts.2 += 1;
        } else {
            own_words[sentence] += 1;
            clause_counts.1 += 1;
        }
        if clause_counts.1 >= 2 && clause_counts.2 >= 1 {
            mixed_clause[sentence] = true;
        }
    }
    let explained_in = |sentence: u32| {
        let s = sentence as usize;
        let mut words = own_words[s];
        let mut mixed = mixed_clause[s];
        // A short heading ("▪️ Взрывающийся градиент.") is explained by the sentence after it.
        if sentence_words[s] <= 4 && s + 1 < sentence_count {
            words += own_words[s + 1];
            mixed |= mixed_clause[s + 1];
        }
        words >= settings.explanation_min_words || mixed
    };

    let bare_credit = rubric
        .scoring
        .as_ref()
        .and_then(|s| s.bare_mention_credit)
        .unwrap_or(settings.bare_mention_credit);
    let mut covered = Vec::new();
    let mut missed = Vec::new();
    let mut earned = 0.0;
    let mut bare = 0usize;
    let mut required_missing = false;
    for (i, concept) in rubric.concepts.iter().enumerate() {
        let weight = concept.weight.max(0.0);
        let best = hits[i]
            .iter()
            .max_by_key(|(o, _)| (explained_in(o.sentence), std::cmp::Reverse(o.first_token)));
        match best {
            Some((occurrence, _)) => {
                let explained = explained_in(occurrence.sentence);
                if !explained {
                    bare += 1;
                }
                earned += if explained {
                    weight
                } else {
                    weight * bare_credit
                };
                covered.push(CoveredConcept {
                    id: concept.id.clone(),
                    label: concept.label.clone(),
                    label_en: concept.label_en.clone(),
                    weight,
                    explained,
                    evidence: evidence(&analyzed, occurrence),
                });
            }
            None => {
                required_missing |= concept.required;
                missed.push(missed_concept(concept, denied[i]));
            }
        }
    }

    let mut misconceptions = Vec::new();
    for (i, phrases) in compiled.misconception_phrases.iter().enumerate() {
        let found = phrases.iter().find_map(|phrase| {
            index
                .find(phrase, settings)
                .into_iter()
                .find(|o| phrase.holds_at(o))
        });
        if let Some(occurrence) = found {
            let m = &rubric.misconceptions[i];
            misconceptions.push(FoundMisconception {
                id: m.id.clone(),
                label: m.label.clone(),
                label_en: m.label_en.clone(),
                penalty: m.penalty.max(0.0),
                explanation: m.explanation.clone(),
                explanation_en: m.explanation_en.clone(),
                evidence: evidence(&analyzed, &occurrence),
            });
        }
    }

    let total = rubric.total_weight();
    let coverage = if total > 0.0 { earned / total } else { 0.0 };
    let scoring = rubric.scoring.clone().unwrap_or_default();
    let full_marks = scoring
        .full_marks_coverage
        .unwrap_or(settings.full_marks_coverage);
    let exponent = scoring.coverage_exponent.unwrap_or(1.0).clamp(0.05, 20.0);
    let mut score = 100.0 * (coverage / full_marks.max(0.01)).min(1.0).powf(exponent);
    let blend = scoring.reference_blend.unwrap_or(0.0).clamp(0.0, 1.0);
    if blend > 0.0 && !compiled.reference.is_empty() {
        let overlap = compiled.reference.overlap(&analyzed, settings);
        score = (1.0 - blend) * score + blend * 100.0 * overlap;
    }
    if required_missing && score > settings.required_missing_cap {
        score = settings.required_missing_cap;
        flags.push(GradeFlag::RequiredMissing);
    }
    score -= misconceptions.iter().map(|m| m.penalty).sum::<f64>();
    if covered.is_empty() && misconceptions.is_empty() {
        flags.push(GradeFlag::OffTopic);
    }
    if covered.len() >= 2 && bare * 3 > covered.len() * 2 {
        flags.push(GradeFlag::KeywordList);
    }
    Grade {
        score: round1(score.clamp(0.0, 100.0)),
        coverage: round3(coverage),
        covered,
        missed,
        misconceptions,
        flags,
    }
}

fn missed_concept(concept: &crate::rubric::Concept, negated: bool) -> MissedConcept {
    MissedConcept {
        id: concept.id.clone(),
        label: concept.label.clone(),
        label_en: concept.label_en.clone(),
        weight: concept.weight.max(0.0),
        required: concept.required,
        negated,
        hint: concept.hint.clone(),
        hint_en: concept.hint_en.clone(),
    }
}

fn nothing_covered(rubric: &Rubric, flags: Vec<GradeFlag>) -> Grade {
    Grade {
        score: 0.0,
        coverage: 0.0,
        covered: Vec::new(),
        missed: rubric
            .concepts
            .iter()
            .map(|c| missed_concept(c, false))
            .collect(),
        misconceptions: Vec::new(),
        flags,
    }
}

fn evidence(analyzed: &text::Analyzed, occurrence: &Occurrence) -> String {
    analyzed.tokens[occurrence.first_token..=occurrence.last_token]
        .iter()
        .map(|t| t.word.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;

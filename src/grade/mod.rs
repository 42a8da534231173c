//! The keyword grader: a pure function of (compiled rubric, answer) → grade.
//!
//! It reads like a careful interviewer would: an idea counts when the candidate says it in any
//! word form, language or with small typos; an idea said in the negative does not count; an idea
//! that is only named, in a list of keywords, earns less than one that is explained; a wrong
//! claim costs points.

pub mod binding;
pub mod claims;
pub mod coverage;
pub mod cues;
pub mod depth;
pub mod injection;
pub mod matcher;
pub mod matching;
pub mod predicate;
pub mod reference;
pub mod scale;
pub mod semantic;
pub mod synonyms;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::rubric::{Claim, Cue, Lexicon, Rubric};
use binding::Binding;
use claims::CompiledClaims;
use cues::CompiledCue;
use matcher::{AnswerIndex, Phrase, Vocabulary};
use reference::Reference;
use synonyms::Synonyms;

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
    /// Share of a concept's weight earned when it is named in a list of terms.
    pub listed_credit: f64,
    /// Highest score for an answer whose concepts are mostly named in lists, not stated.
    pub keyword_list_cap: f64,
    /// Content words a plain-language cue may span.
    pub cue_window: usize,
    /// Content words a misconception's cue may span within one statement: a wrong claim is
    /// said in few words, and a wide window reads it into long correct sentences.
    pub misconception_cue_window: usize,
    /// Points off for each concept whose claim the answer contradicts.
    pub wrong_claim_penalty: f64,
    /// Share of a concept's weight earned when only the semantic channel finds it.
    pub semantic_credit: f64,
    /// Share of the rubric's weight that earns full marks: interviewers don't expect every point.
    pub full_marks_coverage: f64,
    /// Highest score for an answer that misses a required concept.
    pub required_missing_cap: f64,
    /// Highest score for an answer that states a required concept wrongly (denies, reverses
    /// or swaps it): an interviewer forgives an omission sooner than a wrong key claim.
    pub required_wrong_cap: f64,
    /// Highest score for an answer that states wrong claims in two or more sentences: an
    /// interviewer who hears two wrong statements does not pass the answer, whatever else it
    /// names.
    pub wrong_statements_cap: f64,
    /// Share (0–1) of the reference answer's depth (distinct content words in sentences on
    /// the question) an answer needs for full marks; a shallower answer is capped between
    /// `depth_floor` and 100 by its share. 0 switches the cap off.
    pub depth_fraction: f64,
    /// Highest score of an answer with no depth at all (see `depth_fraction`).
    pub depth_floor: f64,
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
            listed_credit: 0.2,
            keyword_list_cap: 30.0,
            cue_window: 12,
            misconception_cue_window: 6,
            wrong_claim_penalty: 10.0,
            semantic_credit: 0.6,
            full_marks_coverage: 0.85,
            required_missing_cap: 60.0,
            required_wrong_cap: 20.0,
            wrong_statements_cap: 20.0,
            depth_fraction: 0.7,
            depth_floor: 50.0,
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
    /// Plain-language cues per concept.
    concept_cues: Vec<Vec<CompiledCue>>,
    /// The facts that concepts state, to find wrong claims.
    claims: CompiledClaims,
    /// What the question contrasts, and which of it each alias is said of.
    binding: Binding,
    misconception_phrases: Vec<Vec<Phrase>>,
    /// A misconception's wrong statement in other words.
    misconception_cues: Vec<Vec<CompiledCue>>,
    /// Aliases (concept index, text) that only repeat words of the question: repeating the
    /// question shows nothing, so they never count.
    pub echoes: Vec<(usize, String)>,
    /// The reference answer's words, for `reference_blend` in `[scoring]`.
    reference: Reference,
    /// The depth of the reference answer (see [`depth`]); 0 when there is none.
    reference_depth: usize,
}

impl CompiledRubric {
    /// Compile a rubric for the question whose text (in every language) is `question`, with
    /// the bundled lexicon.
    pub fn new(rubric: Rubric, question: &str) -> Self {
        Self::with_lexicon(rubric, question, crate::bank::bundled_lexicon())
    }

    /// Compile a rubric with the synonyms and terms of `lexicon`.
    pub fn with_lexicon(rubric: Rubric, question: &str, lexicon: &Lexicon) -> Self {
        let synonyms = Synonyms::new(lexicon);
        let mut vocabulary = Vocabulary::default();
        let mut concept_phrases: Vec<Vec<Phrase>> = rubric
            .concepts
            .iter()
            .map(|c| {
                c.aliases
                    .iter()
                    .flat_map(|a| {
                        // One analysis of the alias serves its expansion and itself (the
                        // first variant).
                        let analyzed = text::analyze_phrase(a);
                        let variants = synonyms.expand_analyzed(a, &analyzed);
                        variants
                            .into_iter()
                            .enumerate()
                            .filter_map(|(k, variant)| {
                                if k == 0 {
                                    vocabulary.phrase_analyzed(&variant, &analyzed)
                                } else {
                                    vocabulary.phrase(&variant)
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
            .collect();
        let mut compile_cues = |cues: &[String]| -> Vec<CompiledCue> {
            cues.iter()
                .filter_map(|text| {
                    let cue = Cue::parse(text).ok()?;
                    CompiledCue::new(text, &cue.groups, &mut vocabulary, |a| synonyms.expand(a))
                })
                .collect()
        };
        let concept_cues = rubric
            .concepts
            .iter()
            .map(|c| compile_cues(&c.cues))
            .collect();
        let misconception_cues = rubric
            .misconceptions
            .iter()
            .map(|m| compile_cues(&m.cues))
            .collect();
        let mut terms = lexicon.terms.clone();
        terms.extend(rubric.terms.clone());
        let facts: Vec<(usize, Claim)> = rubric
            .concepts
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                c.claims
                    .iter()
                    .filter_map(move |text| Claim::parse(text).ok().map(|claim| (i, claim)))
            })
            .filter(|(_, claim)| {
                terms.contains_key(&claim.subject) && terms.contains_key(&claim.quantity)
            })
            .collect();
        let claims = CompiledClaims::new(facts, &terms, &mut vocabulary, |p| synonyms.expand(p));
        let binding = Binding::new(&rubric.contrast, &terms, &mut vocabulary, |p| {
            synonyms.expand(p)
        });
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
                let aliases = &rubric.concepts[i].aliases;
                phrases.retain(|phrase| {
                    let echo = !index.find(phrase, &settings).is_empty();
                    // Report only the rubric's own aliases; a lexicon variant that repeats the
                    // question is dropped quietly.
                    if echo && aliases.contains(&phrase.text) {
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
            concept_cues,
            claims,
            binding,
            misconception_phrases,
            misconception_cues,
            echoes,
            reference: Reference::default(),
            reference_depth: 0,
        }
    }

    /// Attach the question's reference answer (in every language): it tells which contrasted
    /// subject each alias is said of (checked against the subjects each concept's label
    /// names), and `reference_blend` in the rubric's `[scoring]` compares answers with it;
    /// `question` as in [`Self::new`].
    pub fn with_reference(mut self, reference: &str, question: &str) -> Self {
        if !self.binding.is_empty() {
            let settings = GradeSettings::default();
            let analyzed = text::analyze(reference);
            let index = AnswerIndex::new(&analyzed, &self.vocabulary, &settings);
            self.binding.bind(&index, &self.concept_phrases, &settings);
            let named: Vec<binding::SubjectSet> = self
                .rubric
                .concepts
                .iter()
                .map(|concept| {
                    [Some(&concept.label), concept.label_en.as_ref()]
                        .into_iter()
                        .flatten()
                        .fold(0, |set, label| {
                            let analyzed = text::analyze(label);
                            let index = AnswerIndex::new(&analyzed, &self.vocabulary, &settings);
                            set | self.binding.subjects_named(&index, &settings)
                        })
                })
                .collect();
            self.binding.agree_with_labels(&named);
        }
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

    /// Measure answers' depth against this reference answer (in the question's own language:
    /// an answer in one language is compared with one reference, not with two).
    pub fn with_depth_reference(mut self, reference: &str) -> Self {
        let analyzed = text::analyze(reference);
        let index = AnswerIndex::new(&analyzed, &self.vocabulary, &GradeSettings::default());
        self.reference_depth = depth::depth(&index);
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

    /// For each concept, then for each misconception, its phrases (and a misconception's
    /// cues) that occur (positively) in `text`: what [`Self::concept_aliases_in`] and [`Self::misconception_phrases_in`] give,
    /// with one analysis of `text` for the whole rubric (`rubric check` runs on every load).
    pub fn phrases_found_in(
        &self,
        text: &str,
        settings: &GradeSettings,
    ) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let analyzed = text::analyze(text);
        let answer = AnswerIndex::new(&analyzed, &self.vocabulary, settings);
        let found = |phrases: &Vec<Phrase>| -> Vec<String> {
            phrases
                .iter()
                .filter(|p| answer.find(p, settings).iter().any(|o| p.holds_at(o)))
                .map(|p| p.text.clone())
                .collect()
        };
        let misconceptions = self
            .misconception_phrases
            .iter()
            .zip(&self.misconception_cues)
            .map(|(phrases, cues)| {
                let mut texts = found(phrases);
                texts.extend(
                    cues.iter()
                        .filter(|cue| {
                            matching::stated_by_cue(cue, &answer, &self.vocabulary, settings)
                                .is_some()
                        })
                        .map(|cue| cue.text.clone()),
                );
                texts
            })
            .collect();
        (
            self.concept_phrases.iter().map(found).collect(),
            misconceptions,
        )
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
    /// How the answer says it (absent in grades stored before it existed).
    #[serde(default)]
    pub found_by: FoundBy,
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
    /// The answer states the opposite of the concept (a reversed or swapped claim).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contradicted: bool,
    pub hint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint_en: Option<String>,
}

/// How the answer says a concept it covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// A rubric term in a sentence that explains it.
    #[default]
    Term,
    /// A claim of the rubric stated the right way round ("bagging reduces variance").
    Claim,
    /// In plain words, found by a cue of co-occurring words.
    Cue,
    /// A rubric term named in a sentence that explains nothing.
    Bare,
    /// A rubric term in a list of terms.
    Listed,
    /// A clause close in meaning to the concept, found by the semantic channel (embeddings).
    Semantic,
}

impl FoundBy {
    /// Found as a statement rather than a bare or listed name.
    pub fn is_explained(self) -> bool {
        matches!(
            self,
            FoundBy::Term | FoundBy::Claim | FoundBy::Cue | FoundBy::Semantic
        )
    }

    /// How feedback says it was found (Russian, English); nothing for an explained term.
    pub fn note(self) -> Option<(&'static str, &'static str)> {
        match self {
            FoundBy::Term => None,
            FoundBy::Claim => Some((" (верное утверждение)", " (stated as a claim)")),
            FoundBy::Cue => Some((" (своими словами)", " (in your own words)")),
            FoundBy::Bare => Some((" (только назван)", " (named, not explained)")),
            FoundBy::Listed => Some((
                " (только в списке терминов, без объяснения)",
                " (only in a list of terms, not explained)",
            )),
            FoundBy::Semantic => Some((
                " (по смыслу: семантический канал)",
                " (by meaning: semantic channel)",
            )),
        }
    }
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

/// A wrong claim the answer states and the sentence it is stated in: two misconceptions
/// read in one sentence ("Xavier с ReLU" is both a swap and a wrong claim about He) are one
/// wrong statement, not two.
#[derive(Debug, Clone)]
pub struct StatedWrong {
    pub found: FoundMisconception,
    pub sentence: u32,
}

impl StatedWrong {
    pub fn new(found: FoundMisconception, analyzed: &text::Analyzed, first_token: usize) -> Self {
        StatedWrong {
            found,
            sentence: analyzed.tokens.get(first_token).map_or(0, |t| t.sentence),
        }
    }
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
    /// A required concept is stated wrongly (denied, reversed, swapped), so the score is capped.
    RequiredWrong,
    /// Wrong claims are stated in two or more sentences, so the score is capped.
    WrongStatements,
    /// The answer is much shorter than a full answer (its ideas named, not explained), so the
    /// score is capped.
    Brief,
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
];

/// Words that mean "I pass" only when they are the whole answer ("Skip connections help" is
/// an answer).
const PASS: &[&str] = &["пас", "skip", "пропуск", "pass"];

fn says_dont_know(analyzed: &text::Analyzed) -> bool {
    if analyzed.content_count() > 6 {
        return false;
    }
    let words: Vec<&str> = analyzed.tokens.iter().map(|t| t.word.as_str()).collect();
    let joined = words.join(" ");
    if PASS.contains(&joined.as_str()) {
        return true;
    }
    DONT_KNOW.iter().any(|p| {
        joined == *p
            || joined.starts_with(&format!("{p} "))
            || joined.ends_with(&format!(" {p}"))
            || joined.contains(&format!(" {p} "))
    })
}

/// Leave the calling thread's grading memos (stems, analysed phrases, word matches) to the
/// operating system: they are not freed when the thread ends. For the worker threads of a
/// process about to exit, where freeing millions of memo entries one by one only costs time.
pub fn leave_thread_memos() {
    text::leave_thread_memos();
    matcher::leave_match_memo();
}

/// Grade one answer against a compiled rubric, keyword signals only.
pub fn grade(compiled: &CompiledRubric, answer: &str, settings: &GradeSettings) -> Grade {
    grade_with(compiled, answer, settings, None)
}

/// Grade one answer, with the semantic channel's vectors for it when there are any (fetched
/// outside `grade`, see `embed`) and the cosine at which a clause states a concept.
pub fn grade_with(
    compiled: &CompiledRubric,
    answer: &str,
    settings: &GradeSettings,
    semantic_input: Option<(&semantic::SemanticInput, f32)>,
) -> Grade {
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
    let statements = predicate::Statements::of(&analyzed);
    let evidence_found = matching::find(compiled, &index, &statements, settings);
    let mut findings = compiled.claims.check(&index, settings);
    // A list of terms states no relation between them.
    findings.retain(|f| statements.states(analyzed.tokens[f.first_token].sentence));
    let mut misconceptions = matching::misconceptions(compiled, &index, settings);
    let mut stated_wrong = matching::contradicted_concepts(compiled, &misconceptions);
    for swap in compiled.binding.swaps(&index, &evidence_found, settings) {
        stated_wrong[swap.concept] = true;
        misconceptions.push(StatedWrong::new(
            binding::swapped_misconception(
                &rubric.concepts[swap.concept],
                &swap,
                &analyzed,
                settings,
            ),
            &analyzed,
            swap.first_token,
        ));
    }
    // Closeness in meaning cannot tell a right claim from its reverse: an answer that states
    // something wrong gets no benefit of the doubt from it.
    let states_wrong = !misconceptions.is_empty()
        || findings
            .iter()
            .any(|f| f.verdict != claims::Verdict::Supports);
    let by_meaning = semantic_input
        .filter(|_| !states_wrong)
        .map(|(input, threshold)| semantic::semantic_matches(input, threshold))
        .unwrap_or_default();
    let depth = depth::measure(&index, compiled.reference_depth, settings);
    let evidence = coverage::Evidence {
        found: &evidence_found,
        findings: &findings,
        stated_wrong: &stated_wrong,
        semantic: &by_meaning,
    };
    let decided = coverage::decide(
        compiled,
        &analyzed,
        &evidence,
        depth == depth::Measured::Deep,
        settings,
    );
    misconceptions.extend(coverage::wrong_claims(
        compiled, &analyzed, &findings, &decided, settings,
    ));
    scale::finish(
        compiled,
        &analyzed,
        depth,
        decided,
        misconceptions,
        flags,
        settings,
    )
}

fn missed_concept(
    concept: &crate::rubric::Concept,
    negated: bool,
    contradicted: bool,
) -> MissedConcept {
    MissedConcept {
        id: concept.id.clone(),
        label: concept.label.clone(),
        label_en: concept.label_en.clone(),
        weight: concept.weight.max(0.0),
        required: concept.required,
        negated,
        contradicted,
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
            .map(|c| missed_concept(c, false, false))
            .collect(),
        misconceptions: Vec::new(),
        flags,
    }
}

/// The words of the answer from token `first` to `last`.
fn span(analyzed: &text::Analyzed, first: usize, last: usize) -> String {
    analyzed.tokens[first..=last.min(analyzed.tokens.len().saturating_sub(1))]
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

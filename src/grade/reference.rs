//! A second, rubric-independent similarity of an answer and the reference answer: which share
//! of the answer's own content words (those that do not just repeat the question) the reference
//! answer also uses. Drafts of short answers blend it into the score (`reference_blend` in
//! `[scoring]`): an answer that stays on the reference's subject earns some credit even when it
//! misses the rubric's key terms, and one that rambles off it earns less.

use super::matcher::{AnswerIndex, Vocabulary};
use super::text::{self, Analyzed, Script};
use super::GradeSettings;

/// The content words of a reference answer and of its question, prepared for matching.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    reference: Vocabulary,
    question: Vocabulary,
}

/// Content words (not function words, not bare numbers or symbols) as one-word phrases.
fn words_of(text: &str) -> Vocabulary {
    let mut vocabulary = Vocabulary::default();
    for token in text::analyze(text).tokens {
        if !token.is_stop && token.script != Script::Other {
            let _ = vocabulary.phrase(&token.word);
        }
    }
    vocabulary
}

impl Reference {
    /// `reference`: the reference answer (in every language); `question`: the question.
    pub fn new(reference: &str, question: &str) -> Reference {
        Reference {
            reference: words_of(reference),
            question: words_of(question),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.reference.terms.is_empty()
    }

    /// Share (0–1) of the answer's content words, other than words of the question, that the
    /// reference answer uses too (word forms and typos as in rubric matching); 0 when the answer
    /// only repeats the question.
    pub fn overlap(&self, answer: &Analyzed, settings: &GradeSettings) -> f64 {
        let in_reference = AnswerIndex::new(answer, &self.reference, settings).matched();
        let in_question = AnswerIndex::new(answer, &self.question, settings).matched();
        let own = in_question.iter().filter(|&&q| !q).count();
        if own == 0 {
            return 0.0;
        }
        let shared = in_reference
            .iter()
            .zip(&in_question)
            .filter(|&(&r, &q)| r && !q)
            .count();
        shared as f64 / own as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(reference: &str, question: &str, answer: &str) -> f64 {
        Reference::new(reference, question)
            .overlap(&text::analyze(answer), &GradeSettings::default())
    }

    #[test]
    fn shares_of_the_answer_own_words_found_in_the_reference() {
        let reference = "Heap memory is released by the garbage collector.";
        let question = "Who frees heap memory?";
        // "collector" and "garbage" of 4 own words ("heap", "memory" repeat the question).
        let answer = "The garbage collector, a background thread, frees heap memory.";
        assert_eq!(overlap(reference, question, answer), 0.5);
        // Word forms and typos count: "releases" / "released", "colector" / "collector".
        assert_eq!(overlap(reference, question, "A colector releases it."), 1.0);
        // Repeating the question shows nothing.
        assert_eq!(overlap(reference, question, "Heap memory is freed."), 0.0);
        assert_eq!(overlap(reference, question, ""), 0.0);
    }
}

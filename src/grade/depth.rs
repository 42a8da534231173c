//! How much an answer says about the question, against how much the reference answer says.
//!
//! An interviewer does not give full marks to two correct sentences where a full answer takes
//! ten: the ideas are named and stated, but not explained. The depth of a text is the number of
//! distinct content stems in its sentences that touch the rubric (hold at least
//! [`ON_TOPIC_TERMS`] of its distinct terms: one common word such as "время" or "model" is not
//! enough to put a sentence on the subject). Counting distinct stems means that saying the same
//! thing twice adds nothing, and counting only on-topic sentences means that padding an answer
//! with unrelated text adds nothing either. An answer much shallower than the reference answer
//! has its score capped (`grading.depth_fraction`, `grading.depth_floor`); it never earns
//! anything from depth alone.

use rustc_hash::FxHashSet;

use super::matcher::AnswerIndex;
use super::text::Script;
use super::GradeSettings;

/// Distinct rubric terms a sentence needs to count as on the question.
pub const ON_TOPIC_TERMS: usize = 2;

/// Distinct content stems in the sentences that hold at least [`ON_TOPIC_TERMS`] rubric terms.
pub fn depth(index: &AnswerIndex<'_>) -> usize {
    let tokens = &index.analyzed.tokens;
    // Distinct terms per sentence: a term's positions are in answer order, so its sentences
    // come in order too and each is counted once.
    let mut terms_per_sentence: rustc_hash::FxHashMap<u32, usize> = Default::default();
    for term in 0..index.term_count() {
        let mut last = None;
        for &position in index.positions_of(term) {
            let sentence = tokens[index.content[position]].sentence;
            if last != Some(sentence) {
                *terms_per_sentence.entry(sentence).or_default() += 1;
                last = Some(sentence);
            }
        }
    }
    let on_topic: FxHashSet<u32> = terms_per_sentence
        .into_iter()
        .filter(|&(_, terms)| terms >= ON_TOPIC_TERMS)
        .map(|(sentence, _)| sentence)
        .collect();
    if on_topic.is_empty() {
        return 0;
    }
    tokens
        .iter()
        .filter(|t| !t.is_stop && t.script != Script::Other && on_topic.contains(&t.sentence))
        .map(|t| &*t.stem)
        .collect::<FxHashSet<&str>>()
        .len()
}

/// A reference answer shallower than this is a short answer (a definition, a one-line fact):
/// such a question asks for no explanation, so depth caps nothing there.
pub const MIN_REFERENCE_DEPTH: usize = 20;

/// Whether depth caps anything for a rubric whose reference answer has `reference_depth`.
fn measured(reference_depth: usize, settings: &GradeSettings) -> bool {
    settings.depth_fraction > 0.0 && reference_depth >= MIN_REFERENCE_DEPTH
}

/// How an answer's depth compares with the reference answer's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measured {
    /// Not measured: no reference answer, a short one, or depth switched off.
    Not,
    /// Deep enough: nothing capped.
    Deep,
    /// Shallower than expected: the score is capped here (see [`cap`]).
    Capped(f64),
}

/// The depth of the answer in `index` against the reference, measured only when it can matter:
/// this runs on every answer.
pub fn measure(
    index: &AnswerIndex<'_>,
    reference_depth: usize,
    settings: &GradeSettings,
) -> Measured {
    if !measured(reference_depth, settings) {
        return Measured::Not;
    }
    match cap(depth(index), reference_depth, settings) {
        Some(limit) => Measured::Capped(limit),
        None => Measured::Deep,
    }
}

/// The highest score an answer of `depth` may get when the reference answer has
/// `reference_depth`; `None` when the answer is deep enough or depth is not measured (no
/// reference answer or a short one, or `depth_fraction` 0).
pub fn cap(depth: usize, reference_depth: usize, settings: &GradeSettings) -> Option<f64> {
    if !measured(reference_depth, settings) {
        return None;
    }
    let expected = settings.depth_fraction * reference_depth as f64;
    let share = depth as f64 / expected;
    if share >= 1.0 {
        return None;
    }
    let floor = settings.depth_floor.clamp(0.0, 100.0);
    Some(floor + (100.0 - floor) * share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::matcher::Vocabulary;
    use crate::grade::text::analyze;

    fn depth_of(text: &str, terms: &[&str]) -> usize {
        let mut vocabulary = Vocabulary::default();
        for term in terms {
            let _ = vocabulary.phrase(term);
        }
        let analyzed = analyze(text);
        let index = AnswerIndex::new(&analyzed, &vocabulary, &GradeSettings::default());
        depth(&index)
    }

    #[test]
    fn counts_distinct_content_stems_of_on_topic_sentences() {
        let terms = ["dropout", "neurons"];
        // "dropout", "neurons", "training" ("the", "of", "in" are function words).
        let one = "Dropout of the neurons in training.";
        assert_eq!(depth_of(one, &terms), 3);
        // Saying it twice adds nothing.
        assert_eq!(depth_of(&format!("{one} {one}"), &terms), 3);
        // A sentence without a rubric term adds nothing, however long.
        let padded = format!("{one} My cat enjoys sunny mornings near the window.");
        assert_eq!(depth_of(&padded, &terms), 3);
        // A second sentence on the question adds its new words.
        let more = format!("{one} Dropout of neurons fights overfitting.");
        assert_eq!(depth_of(&more, &terms), 5);
        // Nothing on topic: no depth; one rubric term alone does not put a sentence on topic.
        assert_eq!(depth_of("My cat enjoys sunny mornings.", &terms), 0);
        assert_eq!(depth_of("My cat hates dropout.", &terms), 0);
        // Word forms share a stem.
        assert_eq!(
            depth_of("Dropout drops neurons, dropout dropped neurons.", &terms),
            3
        );
    }

    #[test]
    fn caps_answers_much_shallower_than_the_reference() {
        let settings = GradeSettings {
            depth_fraction: 0.5,
            depth_floor: 50.0,
            ..GradeSettings::default()
        };
        // Expected depth: half of 40 = 20.
        assert_eq!(cap(20, 40, &settings), None);
        assert_eq!(cap(30, 40, &settings), None);
        assert_eq!(cap(10, 40, &settings), Some(75.0));
        assert_eq!(cap(0, 40, &settings), Some(50.0));
        // No reference answer, a short one, or depth switched off: no cap.
        assert_eq!(cap(0, 0, &settings), None);
        assert_eq!(cap(0, MIN_REFERENCE_DEPTH - 1, &settings), None);
        let off = GradeSettings {
            depth_fraction: 0.0,
            ..settings
        };
        assert_eq!(cap(0, 40, &off), None);
    }

    #[test]
    fn measures_deep_shallow_and_unmeasured_answers() {
        let mut vocabulary = Vocabulary::default();
        for term in ["dropout", "neurons"] {
            let _ = vocabulary.phrase(term);
        }
        let settings = GradeSettings {
            depth_fraction: 0.25,
            depth_floor: 50.0,
            ..GradeSettings::default()
        };
        let measure_of = |text: &str, reference_depth: usize, settings: &GradeSettings| {
            let analyzed = analyze(text);
            let index = AnswerIndex::new(&analyzed, &vocabulary, settings);
            measure(&index, reference_depth, settings)
        };
        // Depth 5 against an expected 5 (a quarter of a reference of 20): deep.
        let answer = "Dropout of the neurons in training. Dropout of neurons fights overfitting.";
        assert_eq!(measure_of(answer, 20, &settings), Measured::Deep);
        // Against an expected 10 (a reference of 40): capped halfway up from the floor.
        assert_eq!(measure_of(answer, 40, &settings), Measured::Capped(75.0));
        // A reference too short to measure against, or depth switched off.
        assert_eq!(
            measure_of(answer, MIN_REFERENCE_DEPTH - 1, &settings),
            Measured::Not
        );
        let off = GradeSettings {
            depth_fraction: 0.0,
            ..settings
        };
        assert_eq!(measure_of(answer, 40, &off), Measured::Not);
    }
}

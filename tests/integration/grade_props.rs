//! Issue 15, item 3: properties of the grader, through the library's public API, with answers
//! built from the bundled bank's reference answers (so that they score) and arbitrary text.

use std::sync::OnceLock;

use proptest::prelude::*;
use sobes::bank::{Bank, BankSource};
use sobes::grade::{grade, GradeSettings};

fn bank() -> &'static Bank {
    static BANK: OnceLock<Bank> = OnceLock::new();
    BANK.get_or_init(|| Bank::load(&BankSource::Bundled).expect("the bundled bank loads"))
}

/// Question ids that have a rubric, in bank order.
fn graded_ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        bank()
            .questions
            .iter()
            .filter(|q| bank().grader_for(&q.id).is_ok())
            .map(|q| q.id.clone())
            .collect()
    })
}

fn score(question: usize, answer: &str) -> f64 {
    let id = &graded_ids()[question % graded_ids().len()];
    let rubric = bank().grader_for(id).unwrap();
    grade(rubric, answer, &GradeSettings::default()).score
}

/// An answer made of a run of words of the question's reference answer (Russian or English).
fn reference_answer() -> impl Strategy<Value = (usize, String)> {
    (0..1000usize, 0..400usize, 3..120usize, any::<bool>()).prop_map(
        |(question, start, length, english)| {
            let id = &graded_ids()[question % graded_ids().len()];
            let reference = bank()
                .questions
                .iter()
                .find(|q| &q.id == id)
                .unwrap()
                .reference(english);
            let words: Vec<&str> = reference.split_whitespace().collect();
            let start = start % words.len().max(1);
            let end = (start + length).min(words.len());
            (question, words[start..end].join(" "))
        },
    )
}

const OFF_TOPIC: &[&str] = &[
    "Вчера я ходил в кино с друзьями, фильм был длинный.",
    "The weather in Lisbon is lovely in the spring.",
    "Мой кот любит спать на подоконнике после обеда.",
    "I had pancakes with maple syrup for breakfast today.",
    "Футбольный матч закончился ничьей в дополнительное время.",
];

/// How much an off-topic sentence may add: the answer grows, so a few shares of a concept
/// named in passing may shift, but never by much.
const OFF_TOPIC_BOUND: f64 = 5.0;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        // The same cases on every run, so a red test is a change, not luck.
        rng_seed: proptest::test_runner::RngSeed::Fixed(15),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn issue15_the_score_is_finite_and_within_0_to_100(
        question in 0..1000usize,
        answer in prop_oneof![
            ".{0,400}",
            "[a-zA-Zа-яА-Я0-9 .,;:!?()«»\"\\-\\n\\t]{0,400}",
            reference_answer().prop_map(|(_, a)| a),
        ],
    ) {
        let score = score(question, &answer);
        prop_assert!(score.is_finite(), "{score} for {answer:?}");
        prop_assert!((0.0..=100.0).contains(&score), "{score} for {answer:?}");
    }

    #[test]
    fn issue15_an_off_topic_sentence_adds_at_most_a_little(
        (question, answer) in reference_answer(),
        which in 0..OFF_TOPIC.len(),
    ) {
        let before = score(question, &answer);
        // On a line of its own: glued to an answer cut mid-sentence, it would finish that
        // sentence ("… class weights Вчера я ходил …" states what was only named).
        let after = score(question, &format!("{answer}\n{}", OFF_TOPIC[which]));
        prop_assert!(
            after <= before + OFF_TOPIC_BOUND,
            "{} -> {} for {:?} + {:?}", before, after, answer, OFF_TOPIC[which]
        );
    }

    #[test]
    fn issue15_saying_the_answer_twice_never_raises_it(
        (question, answer) in reference_answer(),
    ) {
        let once = score(question, &answer);
        // The copies on lines of their own: glued, the cut end of one and the start of the other
        // would make a new sentence.
        let twice = score(question, &format!("{answer}\n{answer}"));
        prop_assert!(twice <= once + 1e-9, "{once} -> {twice} for {answer:?}");
    }

    #[test]
    fn issue15_whitespace_and_case_change_nothing(
        (question, answer) in reference_answer(),
        gaps in proptest::collection::vec(prop_oneof![Just(" "), Just("  "), Just("\t"), Just(" \t ")], 200),
        upper in proptest::collection::vec(any::<bool>(), 200),
    ) {
        let respaced: Vec<String> = answer
            .split_whitespace()
            .enumerate()
            .map(|(i, word)| {
                let word = if upper[i % upper.len()] { word.to_uppercase() } else { word.to_lowercase() };
                format!("{word}{}", gaps[i % gaps.len()])
            })
            .collect();
        let changed = format!("  {}", respaced.concat());
        prop_assert_eq!(score(question, &answer), score(question, &changed), "{:?} vs {:?}", answer, changed);
    }
}

/// Depth: two correct sentences are not a full answer. The bank's reference answer keeps full
/// marks; a terse but correct answer is capped (flag `Brief`) above the floor; saying the terse
/// answer twice does not lift the cap.
#[test]
fn a_terse_correct_answer_is_capped_as_brief_and_the_reference_is_not() {
    use sobes::grade::GradeFlag;
    let rubric = bank().grader_for("bias-variance-tradeoff").unwrap();
    let settings = GradeSettings::default();
    let reference = &bank()
        .questions
        .iter()
        .find(|q| q.id == "bias-variance-tradeoff")
        .unwrap()
        .answer;
    let full = grade(rubric, reference, &settings);
    assert!(!full.flags.contains(&GradeFlag::Brief), "{full:?}");
    assert!(full.score >= 90.0, "{}", full.score);
    let terse =
        "Ошибка раскладывается на смещение (bias, недообучение от слишком простой модели), \
                 разброс (variance, переобучение, чувствительность к выборке) и шум. \
                 С ростом сложности смещение падает, а разброс растёт.";
    let graded = grade(rubric, terse, &settings);
    assert!(graded.flags.contains(&GradeFlag::Brief), "{graded:?}");
    assert!(
        graded.score > settings.depth_floor && graded.score < full.score,
        "{} vs {}",
        graded.score,
        full.score
    );
    let twice = grade(rubric, &format!("{terse}\n{terse}"), &settings);
    assert_eq!(twice.score, graded.score);
}

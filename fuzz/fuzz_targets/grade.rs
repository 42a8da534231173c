//! The keyword grader on any answer: the first byte picks a question of the bundled bank.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sobes::bank::{Bank, BankSource};
use sobes::grade::{grade, GradeSettings};

fn bank() -> &'static Bank {
    static BANK: OnceLock<Bank> = OnceLock::new();
    BANK.get_or_init(|| Bank::load(&BankSource::Bundled).expect("the bundled bank loads"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(answer) = std::str::from_utf8(rest) else {
        return;
    };
    let bank = bank();
    let question = &bank.questions[usize::from(pick) % bank.questions.len()];
    if let Ok(rubric) = bank.grader_for(&question.id) {
        let score = grade(rubric, answer, &GradeSettings::default()).score;
        assert!(
            score.is_finite() && (0.0..=100.0).contains(&score),
            "{score}"
        );
    }
});

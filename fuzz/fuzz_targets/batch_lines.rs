//! `grade --batch` input: any bytes through the real pipeline (line splitting, JSON, limits,
//! grading, serialisation), one worker and a small window so that the window logic runs too.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sobes::bank::{Bank, BankSource};
use sobes::batch::pipeline::{self, Flow, Options};
use sobes::grade::GradeSettings;

fn bank() -> &'static Bank {
    static BANK: OnceLock<Bank> = OnceLock::new();
    BANK.get_or_init(|| Bank::load(&BankSource::Bundled).expect("the bundled bank loads"))
}

fuzz_target!(|data: &[u8]| {
    let settings = GradeSettings::default();
    let mut options = Options::new(1, settings.max_answer_bytes);
    options.window_lines = 3;
    options.window_bytes = 256;
    options.max_line_bytes = 4096;
    options.serialize = Some(false);
    let mut previous = 0;
    let outcome = pipeline::run(data, bank(), &settings, &options, |graded| {
        assert!(graded.result.line > previous, "lines come in input order");
        previous = graded.result.line;
        assert!(graded.json.is_some());
        Ok::<_, ()>(Flow::Continue)
    })
    .expect("the consumer never fails");
    assert!(outcome.read_error.is_none());
});

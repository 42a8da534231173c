//! The question and rubric TOML loader: the input is a question file and a rubric file split at
//! a line `#---rubric---`, loaded as a bank directory (with the checks every command runs).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sobes::bank::{Bank, BankSource};
use sobes::grade::GradeSettings;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sobes-fuzz-bank-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::create_dir_all(dir.join("rubrics")).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (question, rubric) = text.split_once("\n#---rubric---\n").unwrap_or((text, ""));
    let dir = dir();
    std::fs::write(dir.join("data/q.toml"), question).unwrap();
    std::fs::write(dir.join("rubrics/q.toml"), rubric).unwrap();
    if let Ok(bank) = Bank::load(&BankSource::Dir(dir.clone())) {
        let _ = sobes::rubric::check::check(&bank, &GradeSettings::default());
        for question in &bank.questions {
            if let Ok(rubric) = bank.grader_for(&question.id) {
                let _ = sobes::grade::grade(rubric, &question.answer, &GradeSettings::default());
            }
        }
    }
});

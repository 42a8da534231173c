//! Speed of reports over a long history (`cargo bench --bench reports`); figures go in the README.
//!
//! The history holds 1,000 sessions of 5 graded answers each (5,000 answers), written once into
//! a real SQLite file. Each benchmark opens the file and reads what the report needs, as the
//! command does (target: under 1 s).
//!
//! - `progress_report_html_1000_sessions`: `sobes progress --format html`.
//! - `session_report_html_in_1000_sessions`: `sobes report last --format html`.
//! - `progress_report_binary_1000_sessions`: the real binary, process start included.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use sobes::bank::{Bank, BankSource, Level};
use sobes::grade::{grade, GradeSettings};
use sobes::history::{time::iso_utc, AnswerRecord, History, NewSession};
use sobes::report::{write, ProgressReport, ReportFormat};
use sobes::session::summary::LevelThresholds;
use sobes::ui::Lang;

fn main() {
    // Build the history before timing anything.
    history_file();
    divan::main();
}

const SESSIONS: usize = 1000;
const ANSWERS_PER_SESSION: usize = 5;

/// A temporary directory holding the history, built once per bench run.
fn history_file() -> &'static Path {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &FILE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("history.sqlite3");
            build_history(&path);
            (dir, path)
        })
        .1
}

fn build_history(path: &Path) {
    let bank = Bank::load(&BankSource::Bundled).expect("bundled bank");
    let settings = GradeSettings::default();
    let history = History::open(path).expect("history");
    let start = 1_767_225_600; // 2026-01-01
    let questions: Vec<_> = bank.questions.iter().take(60).collect();
    for s in 0..SESSIONS {
        let at = start + (s as i64) * 3_600 * 7;
        let id = history
            .start_session(&NewSession {
                started_at: iso_utc(at),
                level: Some(Level::ALL[s % 3]),
                adaptive: false,
                topics: Vec::new(),
                planned: ANSWERS_PER_SESSION,
                seed: None,
                lang: "en".into(),
                bank: "bundled".into(),
            })
            .expect("session");
        for a in 0..ANSWERS_PER_SESSION {
            let question = questions[(s * ANSWERS_PER_SESSION + a) % questions.len()];
            // Part of the reference answer: realistic partial grades.
            let words: Vec<&str> = question.answer.split_whitespace().collect();
            let answer = words[..words.len() * (a + 1) / (ANSWERS_PER_SESSION + 1)].join(" ");
            let rubric = bank.compiled_rubric(&question.id).expect("rubric");
            let graded = grade(rubric, &answer, &settings);
            let record = AnswerRecord {
                position: a + 1,
                question_id: question.id.clone(),
                question: question.text(true).to_owned(),
                reference: question.reference(true).to_owned(),
                level: Level::ALL[s % 3],
                topics: question.topics.clone(),
                answer,
                score: graded.score,
                keyword_score: graded.score,
                llm_score: None,
                llm_feedback: None,
                method: sobes::history::Method::Keyword,
                grade: graded,
                hints: Vec::new(),
                seconds: 60.0,
                answered_at: iso_utc(at + 60 * (a as i64 + 1)),
            };
            history.record_answer(id, &record).expect("answer");
        }
        history
            .finish_session(id, &iso_utc(at + 600))
            .expect("finish");
    }
}

#[divan::bench(sample_count = 10)]
fn progress_report_html_1000_sessions() -> usize {
    let history = History::open_existing(history_file()).unwrap().unwrap();
    let sessions = history.sessions().unwrap();
    let answers = history.all_answers().unwrap();
    let report = ProgressReport::new(&sessions, &answers, LevelThresholds::default(), Lang::En);
    write::render_progress(&report, ReportFormat::Html).len()
}

#[divan::bench(sample_count = 10)]
fn session_report_html_in_1000_sessions() -> usize {
    let history = History::open_existing(history_file()).unwrap().unwrap();
    let report =
        write::session_report(&history, None, LevelThresholds::default(), Some(Lang::En)).unwrap();
    write::render_session(&report, ReportFormat::Html).len()
}

#[divan::bench(sample_count = 5)]
fn progress_report_binary_1000_sessions() {
    let status = Command::new(env!("CARGO_BIN_EXE_sobes"))
        .args([
            "--no-config",
            "--lang",
            "en",
            "progress",
            "--format",
            "html",
            "--out",
        ])
        .arg(history_file().with_extension("html"))
        .arg("--db")
        .arg(history_file())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run sobes");
    assert!(status.success());
}

//! Reports of a fixed history: Markdown and JSON snapshots, HTML in a real headless browser,
//! an unfinished session, progress, and the group report of a batch.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sobes::bank::Level;
use sobes::grade::{CoveredConcept, FoundBy, FoundMisconception, Grade, GradeFlag, MissedConcept};
use sobes::history::{AnswerRecord, History, Method, NewSession};

use crate::util::{stderr_of, stdout_of, TestEnv};

const SCRIPT_ANSWER: &str =
    "<script>alert(1)</script> and <img src=x onerror=\"document.title='pwned'\"> \
    RNN suffer from vanishing gradients.";

fn covered(id: &str, label: &str, label_en: &str, explained: bool) -> CoveredConcept {
    CoveredConcept {
        id: id.into(),
        label: label.into(),
        label_en: Some(label_en.into()),
        weight: 1.0,
        explained,
        found_by: if explained {
            FoundBy::Term
        } else {
            FoundBy::Bare
        },
        evidence: String::new(),
    }
}

fn missed(id: &str, label: &str, label_en: &str, hint_en: &str) -> MissedConcept {
    MissedConcept {
        id: id.into(),
        label: label.into(),
        label_en: Some(label_en.into()),
        weight: 1.0,
        required: false,
        negated: false,
        contradicted: false,
        hint: format!("Подсказка: {label}"),
        hint_en: Some(hint_en.into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn record(
    position: usize,
    question_id: &str,
    level: Level,
    topics: &[&str],
    answer: &str,
    score: f64,
    grade: Grade,
    hints: &[&str],
    answered_at: &str,
) -> AnswerRecord {
    AnswerRecord {
        position,
        question_id: question_id.into(),
        question: format!("Question about {question_id}?"),
        reference: format!("Reference answer about {question_id}.\n▪️ A second line."),
        level,
        topics: topics.iter().map(|t| t.to_string()).collect(),
        answer: answer.into(),
        score,
        keyword_score: grade.score,
        llm_score: None,
        llm_feedback: None,
        method: if answer.is_empty() {
            Method::Skipped
        } else {
            Method::Keyword
        },
        grade,
        hints: hints.iter().map(|h| h.to_string()).collect(),
        seconds: 42.0 + position as f64,
        answered_at: answered_at.into(),
    }
}

/// Three sessions: a finished middle one, a finished adaptive one with a hostile answer, and an
/// unfinished one.
fn fixed_history(path: &Path) {
    let history = History::open(path).unwrap();
    let first = history
        .start_session(&NewSession {
            started_at: "2026-11-20T10:00:00Z".into(),
            level: Some(Level::Middle),
            adaptive: false,
            topics: vec![],
            planned: 2,
            seed: Some(1),
            lang: "en".into(),
            bank: "bundled".into(),
        })
        .unwrap();
    let weak = Grade {
        score: 30.0,
        coverage: 0.3,
        covered: vec![covered(
            "vanishing",
            "Затухающий градиент",
            "Vanishing gradient",
            false,
        )],
        missed: vec![
            missed(
                "exploding",
                "Взрывающийся градиент",
                "Exploding gradient",
                "Mention exploding gradients.",
            ),
            missed(
                "slow",
                "Медленное обучение",
                "Slow training",
                "Say why training is sequential.",
            ),
        ],
        misconceptions: vec![],
        flags: vec![GradeFlag::KeywordList],
    };
    history
        .record_answer(
            first,
            &record(
                1,
                "rnn-problems",
                Level::Middle,
                &["deep-learning", "sequences"],
                "vanishing gradient",
                30.0,
                weak.clone(),
                &[],
                "2026-11-20T10:01:00Z",
            ),
        )
        .unwrap();
    let skipped = Grade {
        score: 0.0,
        covered: vec![],
        ..weak.clone()
    };
    history
        .record_answer(
            first,
            &record(
                2,
                "dbscan",
                Level::Middle,
                &["clustering"],
                "",
                0.0,
                skipped,
                &[],
                "2026-11-20T10:02:00Z",
            ),
        )
        .unwrap();
    history
        .finish_session(first, "2026-11-20T10:03:00Z")
        .unwrap();

    let second = history
        .start_session(&NewSession {
            started_at: "2026-11-22T18:30:00Z".into(),
            level: None,
            adaptive: true,
            topics: vec!["deep-learning".into()],
            planned: 3,
            seed: None,
            lang: "en".into(),
            bank: "bundled".into(),
        })
        .unwrap();
    let strong = Grade {
        score: 85.0,
        coverage: 0.8,
        covered: vec![
            covered(
                "vanishing",
                "Затухающий градиент",
                "Vanishing gradient",
                true,
            ),
            covered(
                "exploding",
                "Взрывающийся градиент",
                "Exploding gradient",
                true,
            ),
        ],
        missed: vec![missed(
            "slow",
            "Медленное обучение",
            "Slow training",
            "Say why training is sequential.",
        )],
        misconceptions: vec![FoundMisconception {
            id: "relu-fixes-all".into(),
            label: "ReLU всё решает".into(),
            label_en: Some("ReLU fixes everything".into()),
            penalty: 10.0,
            explanation: "Нет.".into(),
            explanation_en: Some("It does not fix exploding gradients.".into()),
            evidence: "relu".into(),
        }],
        flags: vec![],
    };
    history
        .record_answer(
            second,
            &record(
                1,
                "rnn-problems",
                Level::Junior,
                &["deep-learning", "sequences"],
                SCRIPT_ANSWER,
                75.0,
                strong.clone(),
                &["exploding"],
                "2026-11-22T18:31:00Z",
            ),
        )
        .unwrap();
    history
        .record_answer(
            second,
            &record(
                2,
                "backpropagation",
                Level::Middle,
                &["deep-learning"],
                "chain rule from the loss back to every weight",
                64.0,
                Grade {
                    score: 64.0,
                    ..strong.clone()
                },
                &[],
                "2026-11-22T18:33:00Z",
            ),
        )
        .unwrap();
    history
        .finish_session(second, "2026-11-22T18:35:00Z")
        .unwrap();

    let third = history
        .start_session(&NewSession {
            started_at: "2026-11-25T08:00:00Z".into(),
            level: Some(Level::Junior),
            adaptive: false,
            topics: vec![],
            planned: 5,
            seed: None,
            lang: "ru".into(),
            bank: "bundled".into(),
        })
        .unwrap();
    history
        .record_answer(
            third,
            &record(
                1,
                "dbscan",
                Level::Junior,
                &["clustering"],
                "плотность, eps и min_samples",
                55.0,
                Grade {
                    score: 55.0,
                    ..weak
                },
                &[],
                "2026-11-25T08:02:00Z",
            ),
        )
        .unwrap();
    // Never finished: the process was killed.
}

fn env_with_history() -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    let db = env.db();
    fixed_history(&db);
    (env, db)
}

fn run(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let output = env.sobes().args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
    output
}

#[test]
fn markdown_report_of_a_fixed_session() {
    let (env, _) = env_with_history();
    let output = run(&env, &["report", "2", "--format", "md"]);
    insta::assert_snapshot!("session_report_md", stdout_of(&output));
}

#[test]
fn json_report_of_a_fixed_session() {
    let (env, _) = env_with_history();
    let output = run(&env, &["report", "2", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(report["schema_version"], 1);
    insta::assert_snapshot!("session_report_json", stdout_of(&output));
}

#[test]
fn an_unfinished_session_shows_its_answers_and_says_so() {
    let (env, _) = env_with_history();
    // `last` is the unfinished one; it was held in Russian.
    let output = run(&env, &["report", "last"]);
    let text = stdout_of(&output);
    assert!(text.contains("не завершена"), "{text}");
    assert!(text.contains("плотность, eps и min_samples"), "{text}");
    assert!(text.contains("Отвечено: 1/5"), "{text}");
    let json = run(&env, &["--lang", "en", "report", "3", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout_of(&json)).unwrap();
    assert_eq!(report["session"]["finished"], false);
    assert_eq!(report["answers"].as_array().unwrap().len(), 1);
    assert_eq!(report["lang"], "en");
}

#[test]
fn report_errors_are_clear() {
    let (env, _) = env_with_history();
    for (args, expected) in [
        (&["report", "9"][..], "there is no session 9"),
        (&["report", "first"][..], "is not a session id"),
        (
            &["report", "2", "--out", "report.txt"][..],
            "cannot tell the report format",
        ),
    ] {
        let output = env.sobes().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&output).contains(expected),
            "{}",
            stderr_of(&output)
        );
    }
    let empty = TestEnv::new();
    let output = empty.sobes().args(["report"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("no history"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn progress_report_lists_trends_weak_concepts_and_due_questions() {
    let (env, _) = env_with_history();
    let output = run(&env, &["--lang", "en", "progress", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["kind"], "progress");
    assert_eq!(report["sessions"].as_array().unwrap().len(), 3);
    assert_eq!(report["answers"], 5);
    let weakest = &report["weakest_concepts"][0];
    assert_eq!(weakest["question_id"], "dbscan");
    assert_eq!(weakest["concept_id"], "exploding");
    assert_eq!(
        (weakest["missed"].as_u64(), weakest["asked"].as_u64()),
        (Some(2), Some(2))
    );
    let due: Vec<&str> = report["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["question_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        due,
        ["dbscan", "backpropagation"],
        "latest scores below 70, lowest first"
    );
    let md = run(&env, &["--lang", "en", "progress"]);
    assert!(
        stdout_of(&md).contains("| deep-learning | 3 | 30 | 70 | 30 → 70 |"),
        "{}",
        stdout_of(&md)
    );
}

/// Debian's chromium, if present.
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let output = Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()?;
            let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
}

fn headless(browser: &Path, args: &[&str], page: &Path, home: &Path) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .env("HOME", home)
        .output()
        .expect("run the headless browser")
}

#[test]
fn html_report_renders_its_charts_in_a_real_browser_and_runs_no_script() {
    let (env, _) = env_with_history();
    let output = env
        .sobes()
        .args(["report", "2", "--format", "html"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    // Without --out the page lands in the current directory and its path is printed.
    let page = env.path("sobes-session-2.html");
    assert!(stdout_of(&output).contains("sobes-session-2.html"));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "no script element at all");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for tag in ["<img", "<link", "<iframe", "https://"] {
        assert!(
            !html.contains(tag),
            "self-contained, nothing fetched: {tag}"
        );
    }

    let Some(browser) = chromium() else {
        eprintln!(
            "notice: no chromium on this machine (.ci/run installs it); browser check skipped"
        );
        return;
    };
    let home = env.path("browser-home");
    std::fs::create_dir_all(&home).unwrap();
    let shot = env.path("report.png");
    let screenshot = headless(
        &browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=800,3000",
        ],
        &page,
        &home,
    );
    let png =
        std::fs::read(&shot).unwrap_or_else(|_| panic!("screenshot: {}", stderr_of(&screenshot)));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );

    let dom = headless(
        &browser,
        &["--dump-dom", "--virtual-time-budget=2000"],
        &page,
        &home,
    );
    let dom = stdout_of(&dom);
    // The scripts in the answer did not run: the title is ours and no alert text became code.
    assert!(
        dom.contains("<title>Interview 2 — 2026-11-22T18:30:00Z</title>"),
        "{dom}"
    );
    assert!(!dom.contains("pwned</title>"));
    assert!(!dom.contains("<script"));
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as text"
    );
    // The charts: level estimate and topic bars, and the progress line over sessions 1–2.
    let svgs: Vec<&str> = dom.split("<svg").skip(1).collect();
    assert!(svgs.len() >= 3, "three charts, found {}", svgs.len());
    for svg in &svgs {
        let body = &svg[..svg.find("</svg>").expect("closed svg")];
        assert!(
            body.contains("<rect") || body.contains("<path"),
            "a non-empty chart: {body}"
        );
    }
    assert!(dom.contains("class=\"line\""), "the progress line is drawn");
}

#[test]
fn batch_group_report_for_a_teacher() {
    let env = TestEnv::new();
    let input = concat!(
        "{\"id\": \"ann\", \"question_id\": \"rnn-problems\", \"answer\": \"Исчезающий градиент: на длинных последовательностях градиент затухает, и сеть забывает начало.\"}\n",
        "{\"id\": \"bob\", \"question_id\": \"rnn-problems\", \"answer\": \"не знаю\"}\n",
        "{\"id\": 3, \"question_id\": \"dbscan\", \"answer\": \"<b>плотность</b>\"}\n",
        "not json\n",
    );
    let batch = env.write("answers.jsonl", input);
    for name in ["group.html", "group.md"] {
        let report = env.path(name);
        let output = env
            .sobes()
            .args([
                "grade",
                "--batch",
                batch.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "a bad line fails the run: {}",
            stderr_of(&output)
        );
        assert_eq!(
            stdout_of(&output).lines().count(),
            4,
            "results still written"
        );
        let text = std::fs::read_to_string(&report).unwrap();
        assert!(text.contains("rnn-problems") && text.contains("dbscan"));
        assert!(text.contains("ann") && text.contains("bob"));
        assert!(!text.contains("<b>плотность"), "escaped: {text}");
        assert!(text.contains("line 4"), "the bad line is listed");
    }
    let md = std::fs::read_to_string(env.path("group.md")).unwrap();
    assert!(
        md.contains("Answers: 2 ·") || md.contains("| 0–19 |"),
        "{md}"
    );
    let html = std::fs::read_to_string(env.path("group.html")).unwrap();
    assert!(html.contains("<svg"));
    let output = env
        .sobes()
        .args([
            "grade",
            "--batch",
            batch.to_str().unwrap(),
            "--report",
            "x.pdf",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_interview_prints_where_its_report_is() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--level", "junior", "--count", "1", "--seed", "1"])
        .write_stdin("не знаю\n\n")
        .output()
        .unwrap();
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Report: "))
        .expect("report path printed");
    let path = PathBuf::from(line.trim_start_matches("Report: "));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<svg") && html.contains("Interview 1"));
}

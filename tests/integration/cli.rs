//! The command-line contract: questions, single grading, rubric check, config, bad input.

use predicates::prelude::*;
use serde_json::Value;

use crate::util::{stderr_of, stdout_of, TestEnv};

#[test]
fn questions_json_lists_the_bundled_bank() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["questions", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let list: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(list.len() >= 6);
    let rnn = list
        .iter()
        .find(|q| q["id"] == "rnn-problems")
        .expect("seed question present");
    assert_eq!(rnn["levels"], serde_json::json!(["junior", "middle"]));
    assert!(rnn["question"].as_str().unwrap().contains("RNN"));
    for q in &list {
        for key in ["id", "question", "levels", "topics"] {
            assert!(q.get(key).is_some(), "{key} missing in {q}");
        }
    }
}

#[test]
fn questions_filter_by_level_and_topic() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args([
            "questions",
            "--level",
            "middle",
            "--topic",
            "clustering",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let list: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!list.is_empty());
    for q in &list {
        assert!(q["levels"].as_array().unwrap().contains(&"middle".into()));
        assert!(q["topics"]
            .as_array()
            .unwrap()
            .contains(&"clustering".into()));
    }
}

#[test]
fn an_unknown_topic_or_level_is_bad_usage() {
    let env = TestEnv::new();
    env.sobes()
        .args(["questions", "--topic", "clusterin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"clustering\""));
    env.sobes()
        .args(["questions", "--level", "guru"])
        .assert()
        .code(2);
}

#[test]
fn the_installed_binary_works_from_any_directory() {
    let env = TestEnv::new();
    // The current directory is an empty temporary directory: the bank is embedded.
    env.sobes()
        .args([
            "grade",
            "--question",
            "dbscan",
            "--answer",
            "DBSCAN ищет плотные области",
        ])
        .assert()
        .success();
}

#[test]
fn grade_prints_readable_feedback() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args([
            "--lang",
            "ru",
            "grade",
            "--question",
            "rnn-problems",
            "--answer",
            "Главная проблема — исчезающий градиент: на длинных последовательностях сеть \
             забывает начало, потому что градиент стремится к нулю.",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout_of(&output);
    assert!(text.contains("Оценка:"), "{text}");
    assert!(
        text.contains("✓ Исчезающий (затухающий) градиент"),
        "{text}"
    );
    assert!(text.contains("✗ Взрывающийся градиент"), "{text}");
    // The hint of a missed concept is shown.
    assert!(text.contains("gradient clipping"), "{text}");
}

#[test]
fn grade_json_is_one_object() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan", "--format", "json"])
        .write_stdin("DBSCAN — кластеризация по плотности с параметрами eps и min_samples.")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    let score = value["score"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&score));
    assert_eq!(value["question_id"], "dbscan");
    assert_eq!(value["method"], "keyword");
    assert!(value["covered"].as_array().unwrap().len() >= 2);
    assert!(value["missed"].as_array().is_some());
    assert!(value["misconceptions"].as_array().is_some());
}

#[test]
fn answer_file_and_stdin_give_the_same_grade() {
    let env = TestEnv::new();
    let answer = "Косинусное расстояние считают как 1 минус косинусное сходство.";
    let file = env.write("answer.txt", answer);
    let from_file = env
        .sobes()
        .args([
            "grade",
            "--question",
            "cosine-similarity-vs-distance",
            "--format",
            "json",
        ])
        .arg("--answer-file")
        .arg(&file)
        .output()
        .unwrap();
    let from_stdin = env
        .sobes()
        .args([
            "grade",
            "--question",
            "cosine-similarity-vs-distance",
            "--format",
            "json",
        ])
        .write_stdin(answer)
        .output()
        .unwrap();
    assert_eq!(from_file.stdout, from_stdin.stdout);
}

#[test]
fn an_unknown_question_suggests_the_nearest() {
    let env = TestEnv::new();
    env.sobes()
        .args(["grade", "--question", "rnn-problem", "--answer", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown question id \"rnn-problem\"",
        ))
        .stderr(predicate::str::contains("did you mean \"rnn-problems\""));
}

#[test]
fn invalid_utf8_and_oversized_answers_are_refused_clearly() {
    let env = TestEnv::new();
    let bad = env.write("bad.txt", b"\xff\xfe answer");
    env.sobes()
        .args(["grade", "--question", "dbscan", "--answer-file"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8"));
    env.sobes()
        .args(["grade", "--question", "dbscan"])
        .write_stdin(vec![b'a'; 70_000])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the limit is 65536 bytes"));
    env.sobes()
        .args([
            "grade",
            "--question",
            "dbscan",
            "--answer-file",
            "missing.txt",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.txt"));
}

#[test]
fn bad_usage_exits_2() {
    let env = TestEnv::new();
    env.sobes().args(["grade"]).assert().code(2);
    env.sobes()
        .args(["grade", "--question", "dbscan", "--format", "jsonl"])
        .assert()
        .code(2);
    env.sobes().args(["frobnicate"]).assert().code(2);
}

#[test]
fn no_input_makes_the_grader_panic() {
    let env = TestEnv::new();
    let nasty: Vec<Vec<u8>> = vec![
        vec![],
        b"\0\0\0".to_vec(),
        "\u{202E}\u{200B}ё́".as_bytes().to_vec(),
        "не ".repeat(5000).into_bytes(),
        "градиент ".repeat(7000).into_bytes(),
        (0..=255u8).filter(|b| b.is_ascii()).collect(),
        "🙂".repeat(1000).into_bytes(),
    ];
    for input in nasty {
        let output = env
            .sobes()
            .args(["grade", "--question", "rnn-problems", "--format", "json"])
            .write_stdin(input)
            .output()
            .unwrap();
        let code = output.status.code().unwrap();
        assert!(code == 0 || code == 2, "{code}: {}", stderr_of(&output));
        assert!(!stderr_of(&output).contains("panicked"));
    }
}

#[test]
fn rubric_check_passes_on_the_bundled_bank() {
    let env = TestEnv::new();
    let output = env.sobes().args(["rubric", "check"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), "", "the bundled bank has no warnings");
}

fn small_bank(env: &TestEnv) -> std::path::PathBuf {
    env.write(
        "bank/data/q1.toml",
        "id = \"q1\"\nquestion = \"Что такое регуляризация?\"\nanswer = \"Регуляризация штрафует большие веса.\"\nlevels = [\"junior\"]\ntopics = [\"regularization\"]\n",
    );
    env.write(
        "bank/data/q2.toml",
        "id = \"q2\"\nquestion = \"Что такое dropout?\"\nanswer = \"Dropout случайно выключает нейроны.\"\nlevels = [\"middle\"]\n",
    );
    env.write(
        "bank/rubrics/q1.toml",
        "question_id = \"q1\"\n\n[[concept]]\nid = \"penalty\"\nlabel = \"Штраф за веса\"\nweight = 2\naliases = [\"штраф\", \"штрафует\"]\nhint = \"h\"\n\n[[concept]]\nid = \"ghost\"\nlabel = \"Нет в эталоне\"\naliases = [\"бустинг\", \"  \"]\nhint = \"h\"\n",
    );
    env.write(
        "bank/rubrics/q9.toml",
        "question_id = \"q9\"\n[[concept]]\nid = \"c\"\nlabel = \"l\"\naliases = [\"a\"]\n",
    );
    env.path("bank")
}

#[test]
fn rubric_check_reports_every_problem_with_file_and_line() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["rubric", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    let q1 = bank.join("rubrics/q1.toml").display().to_string();
    assert!(
        stderr.contains(&format!("{q1}:7: error: duplicate alias \"штрафует\"")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{q1}:13: error: concept \"ghost\" has an empty alias"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{q1}:11: error: concept \"ghost\": none of its aliases occurs in the reference answer"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("q9.toml:1: error: unknown question id \"q9\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("q2.toml:1: error: question \"q2\" has no rubric"),
        "{stderr}"
    );
}

#[test]
fn rubric_check_names_contrasts_that_are_not_terms() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    let check_with = |contrast: &str| {
        env.write(
            "bank/rubrics/q2.toml",
            format!(
                "question_id = \"q2\"\ncontrast = {contrast}\n\n[terms]\ndropout-term = [\"dropout\"]\n\n[[concept]]\nid = \"off\"\nlabel = \"Выключает нейроны\"\naliases = [\"выключает нейроны\"]\nhint = \"h\"\n"
            ),
        );
        env.sobes()
            .arg("--bank")
            .arg(&bank)
            .args(["rubric", "check"])
            .output()
            .unwrap()
    };
    let output = check_with("[\"dropout-term\", \"no-such-term\"]");
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(
            "q2.toml:2: error: contrast: no term \"no-such-term\" in [terms] or the lexicon"
        ),
        "{stderr}"
    );
    let stderr = stderr_of(&check_with("[\"dropout-term\"]"));
    assert!(
        stderr.contains("q2.toml:2: error: contrast needs at least two different terms"),
        "{stderr}"
    );
}

#[test]
fn rubric_check_reads_misconception_cues() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    env.write(
        "bank/rubrics/q1.toml",
        "question_id = \"q1\"\n\n[[concept]]\nid = \"penalty\"\nlabel = \"Штраф за веса\"\naliases = [\"штрафует\"]\nhint = \"h\"\n",
    );
    env.write(
        "bank/rubrics/q2.toml",
        "question_id = \"q2\"\n\n[[concept]]\nid = \"off\"\nlabel = \"Выключает нейроны\"\naliases = [\"выключает нейроны\"]\nhint = \"h\"\n\n\
         [[misconception]]\nid = \"cue-only\"\nlabel = \"l\"\ncues = [\"dropout + добавляет|adds + нейроны|neurons\"]\n\n\
         [[misconception]]\nid = \"broken\"\nlabel = \"l\"\ncues = [\"dropout +  + нейроны\"]\n\n\
         [[misconception]]\nid = \"says-the-reference\"\nlabel = \"l\"\ncues = [\"случайно + выключает\"]\n\n\
         [[misconception]]\nid = \"nothing\"\nlabel = \"l\"\n",
    );
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["rubric", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("cue-only"), "{stderr}");
    assert!(
        stderr.contains("q2.toml:17: error: misconception \"broken\": cue \"dropout +  + нейроны\" has an empty group"),
        "{stderr}"
    );
    assert!(
        stderr.contains("q2.toml:22: warning: misconception \"says-the-reference\": \"случайно + выключает\" occurs in the reference answer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: misconception \"nothing\" has no phrases and no cues"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_bank_file_names_file_and_line_and_writes_nothing() {
    let env = TestEnv::new();
    let bank = small_bank(&env);
    env.write(
        "bank/data/q2.toml",
        "id = \"q2\"\nquestion = \"unterminated\nlevels = [\"middle\"]\n",
    );
    let batch = env.write(
        "in.jsonl",
        "{\"id\": 1, \"question_id\": \"q1\", \"answer\": \"штраф\"}\n",
    );
    let out = env.path("out.jsonl");
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["grade", "--batch"])
        .arg(&batch)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!("{}:2:", bank.join("data/q2.toml").display())),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written when the bank is bad");

    env.write(
        "bank/data/q2.toml",
        "id = \"q2\"\nquestion = \"q\"\nanswer = \"a\"\nlevels = [\"guru\"]\n",
    );
    env.sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["questions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("q2.toml:4:"));
}

#[test]
fn a_missing_bank_directory_is_bad_input() {
    let env = TestEnv::new();
    env.sobes()
        .args(["--bank", "no-such-dir", "questions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a bank directory"));
}

#[test]
fn config_layers_file_env_and_flags() {
    let env = TestEnv::new();
    env.write("config/config.toml", "[grading]\nmax_gap = 5\n");
    let shown = env.sobes().args(["config", "show"]).output().unwrap();
    assert!(stdout_of(&shown).contains("max_gap = 5"));
    let shown = env
        .sobes()
        .env("SOBES_GRADING_MAX_GAP", "6")
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(stdout_of(&shown).contains("max_gap = 6"));
    let shown = env
        .sobes()
        .env("SOBES_GRADING_MAX_GAP", "6")
        .args(["--set", "grading.max_gap=7", "config", "show"])
        .output()
        .unwrap();
    assert!(stdout_of(&shown).contains("max_gap = 7"));
    let shown = env
        .sobes()
        .args(["--no-config", "config", "show"])
        .output()
        .unwrap();
    assert!(stdout_of(&shown).contains("max_gap = 2"));
}

#[test]
fn a_malformed_config_names_file_and_line() {
    let env = TestEnv::new();
    let path = env.write(
        "config/config.toml",
        "[grading]\nmax_gap = 2\nmax_gap_typo = 3\n",
    );
    env.sobes()
        .args(["questions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:3:", path.display())));
    env.sobes()
        .env("SOBES_GRADING_MAX_GAP", "many")
        .args(["--no-config", "questions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SOBES_GRADING_MAX_GAP"));
}

#[test]
fn the_interface_speaks_the_locale() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .env("LANG", "ru_RU.UTF-8")
        .args(["grade", "--question", "dbscan", "--answer", "не знаю"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&output).contains("Оценка: 0/100"),
        "{}",
        stdout_of(&output)
    );
    let output = env
        .sobes()
        .env("LANG", "ru_RU.UTF-8")
        .args([
            "--lang",
            "en",
            "grade",
            "--question",
            "dbscan",
            "--answer",
            "не знаю",
        ])
        .output()
        .unwrap();
    assert!(stdout_of(&output).contains("Score: 0/100"));
}

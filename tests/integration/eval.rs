//! `sobes eval`: agreement between sobes' grades and human grades.

use serde_json::Value;

use crate::util::{fixture, stderr_of, stdout_of, TestEnv};

#[test]
fn eval_reports_correlation_per_question_and_disagreements() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--lang", "en", "eval"])
        .arg(fixture("eval/answers.jsonl"))
        .output()
        .unwrap();
    // Three bad lines: reported with file and line, the rest evaluated, exit status 1.
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("answers.jsonl:8: not JSON"), "{stderr}");
    assert!(stderr.contains("answers.jsonl:9: unknown question id \"no-such-question\""));
    assert!(stderr.contains("answers.jsonl:10: missing or non-numeric \"grade\""));
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("Answers: 7 (2 questions); human grades 0–10"),
        "{stdout}"
    );
    assert!(stdout.contains("Pearson r"), "{stdout}");
    assert!(stdout.contains("rnn-problems      4"), "{stdout}");
    assert!(stdout.contains("dbscan            3"), "{stdout}");
    assert!(stdout.contains("Largest disagreements"), "{stdout}");
}

#[test]
fn eval_json_is_machine_readable() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .arg("eval")
        .arg(fixture("eval/answers.jsonl"))
        .args(["--format", "json", "--worst", "2"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["overall"]["answers"], 7);
    assert_eq!(report["human_min"], 0.0);
    assert_eq!(report["human_max"], 10.0);
    assert_eq!(report["bad_lines"].as_array().unwrap().len(), 3);
    assert_eq!(report["per_question"]["dbscan"]["answers"], 3);
    // The answers are ordered strong to weak for both questions, so sobes agrees with the
    // human on the order.
    assert!(
        report["overall"]["spearman"].as_f64().unwrap() > 0.8,
        "{report:#}"
    );
    let worst = report["worst"].as_array().unwrap();
    assert_eq!(worst.len(), 2);
    let gap = |p: &Value| (p["human"].as_f64().unwrap() - p["sobes"].as_f64().unwrap()).abs();
    assert!(gap(&worst[0]) >= gap(&worst[1]));
    // "Не знаю" scores 0, as the human graded it: the smallest gap is not listed first.
    assert_ne!(worst[0]["id"], "a4");
}

#[test]
fn eval_with_nothing_gradable_is_bad_input() {
    let env = TestEnv::new();
    let file = env.write("bad.jsonl", "{\"question_id\": \"dbscan\"}\nnot json\n");
    let output = env.sobes().arg("eval").arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("no gradable answers"));
}

#[test]
fn eval_reports_means_per_kind_and_clear_inversions() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .arg("eval")
        .arg(fixture("eval/kinds.jsonl"))
        .args(["--format", "json", "--grade-max", "10"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let kinds = report["per_kind"].as_array().unwrap();
    assert_eq!(kinds.len(), 2, "{report:#}");
    assert_eq!(kinds[0]["kind"], "full");
    assert_eq!(kinds[0]["answers"], 2);
    assert_eq!(kinds[0]["mean_human"], 100.0);
    assert_eq!(kinds[1]["kind"], "offtopic");
    assert_eq!(kinds[1]["answers"], 3);
    assert!((kinds[1]["mean_human"].as_f64().unwrap() - 10.0 / 3.0).abs() < 1e-9);
    // full above each off-topic answer of its question: 2 + 1 clear pairs, none inverted.
    assert_eq!(report["inversions"]["clear_pairs"], 3);
    assert_eq!(report["inversions"]["inverted"], 0);
    let full_sobes = kinds[0]["mean_sobes"].as_f64().unwrap();
    let off_sobes = kinds[1]["mean_sobes"].as_f64().unwrap();
    assert!(full_sobes > off_sobes + 40.0, "{report:#}");
}

#[test]
fn eval_keeps_only_the_questions_of_a_split_part() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--lang", "en", "eval"])
        .arg(fixture("eval/kinds.jsonl"))
        .arg("--split")
        .arg(fixture("eval/split.toml"))
        .args(["--part", "check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(stdout.contains("Answers: 2 (1 questions)"), "{stdout}");
    assert!(stdout.contains("Per kind:"), "{stdout}");
    assert!(stdout.contains("Clear inversions"), "{stdout}");
    assert!(!stdout.contains("rnn-problems"), "{stdout}");

    let missing = env
        .sobes()
        .arg("eval")
        .arg(fixture("eval/kinds.jsonl"))
        .arg("--split")
        .arg(fixture("eval/split.toml"))
        .args(["--part", "holdout"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr_of(&missing).contains("no part \"holdout\" (parts: check, tune)"));
}

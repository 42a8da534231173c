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

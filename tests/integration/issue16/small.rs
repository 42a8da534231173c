//! Item 10, the smaller defects: a byte-order mark, messages that read right, one exit status
//! for failed output files, the real size of a long answer, and `eval` with one human grade.
//! (The integer score, the repeated error chain, `repl-history.txt` and `phrases = []` are
//! tested with their larger items.)

use serde_json::Value;

use crate::util::{stderr_of, stdout_of, TestEnv};

const BOM: &str = "\u{FEFF}";

#[test]
fn issue16_a_byte_order_mark_is_not_part_of_line_1() {
    let env = TestEnv::new();
    let batch = env.write(
        "in.jsonl",
        format!(
            "{BOM}{{\"id\": 1, \"question_id\": \"dbscan\", \"answer\": \"плотность\"}}\n\
             {{\"id\": 2, \"question_id\": \"dbscan\", \"answer\": \"eps\"}}\n"
        ),
    );
    let output = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let first: Value = serde_json::from_str(stdout_of(&output).lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], 1, "{first}");
    assert!(first.get("error").is_none(), "{first}");

    let graded = env.write(
        "graded.jsonl",
        format!(
            "{BOM}{{\"id\": 1, \"question_id\": \"dbscan\", \"answer\": \"плотность и eps\", \"grade\": 2}}\n\
             {{\"id\": 2, \"question_id\": \"dbscan\", \"answer\": \"не знаю\", \"grade\": 0}}\n"
        ),
    );
    let output = env
        .sobes()
        .arg("eval")
        .arg(&graded)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["overall"]["answers"], 2, "{report}");

    let questions = env.write(
        "questions.jsonl",
        format!(
            "{BOM}{{\"question\": \"Что такое BOM?\", \"answer\": \"Метка порядка байтов в начале файла: U+FEFF.\", \"levels\": [\"junior\"]}}\n"
        ),
    );
    let output = env
        .sobes()
        .args(["import", "jsonl"])
        .arg(&questions)
        .arg("--out")
        .arg(env.path("bank"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        !stderr_of(&output).contains("line 1"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn issue16_a_wrong_type_reads_right() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--set", "grading.max_gap=lots", "questions"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("\"grading.max_gap\" expects a whole number, got \"lots\""),
        "{stderr}"
    );
    assert!(!stderr.contains("a integer"), "{stderr}");
}

#[test]
fn issue16_every_failed_output_file_exits_1() {
    let env = TestEnv::new();
    let output = env
        .sobes()
        .args(["--level", "junior", "--count", "1"])
        .write_stdin(":skip\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let dir = env.path("a-directory.md");
    std::fs::create_dir_all(&dir).unwrap();
    for args in [&["report", "last"][..], &["progress"]] {
        let output = env
            .sobes()
            .args(args)
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("it is a directory"), "{stderr}");
    }
}

#[test]
fn issue16_a_long_answer_is_reported_with_its_real_size() {
    let env = TestEnv::new();
    let answer = "а".repeat(2_621_440); // 5 MiB of two-byte letters
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan"])
        .write_stdin(answer.clone())
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the answer is 5242880 bytes long; the limit is 65536 bytes"),
        "{stderr}"
    );
    let file = env.write("answer.txt", &answer);
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan", "--answer-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        stderr_of(&output).contains("5242880 bytes"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn issue16_eval_with_one_human_grade_asks_for_the_scale() {
    let env = TestEnv::new();
    let graded = env.write(
        "graded.jsonl",
        "{\"id\": 1, \"question_id\": \"dbscan\", \"answer\": \"плотность\", \"grade\": 3}\n\
         {\"id\": 2, \"question_id\": \"dbscan\", \"answer\": \"не знаю\", \"grade\": 3}\n",
    );
    let output = env.sobes().arg("eval").arg(&graded).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("every human grade is 3, so their scale cannot be told"),
        "{stderr}"
    );
    assert!(stdout_of(&output).is_empty());
    let output = env
        .sobes()
        .arg("eval")
        .arg(&graded)
        .args(["--grade-max", "10", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let worst = report["worst"].as_array().unwrap();
    assert!(worst.iter().all(|p| p["human"] == 30.0), "{report}");
}

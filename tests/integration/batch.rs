//! `grade --batch`: every line graded in order, bad lines reported, the rest still graded.

use serde_json::{json, Value};

use crate::util::{stderr_of, TestEnv};

fn lines(output: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

#[test]
fn a_batch_is_graded_in_input_order_with_ids_echoed() {
    let env = TestEnv::new();
    let input = [
        json!({"id": 7, "question_id": "rnn-problems", "answer": "Исчезающий градиент: сигнал ошибки затухает на длинных последовательностях."}),
        json!({"id": "s-2", "question_id": "dbscan", "answer": "не знаю"}),
        json!({"id": {"student": "ann", "try": 2}, "question_id": "dbscan", "answer": "DBSCAN — кластеризация по плотности, параметры eps и min_samples, точки шума отделяются."}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect::<Vec<_>>()
    .join("\n");
    let file = env.write("in.jsonl", input + "\n");
    let output = env
        .sobes()
        .args(["grade", "--format", "jsonl", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let results = lines(&output.stdout);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["id"], 7);
    assert_eq!(results[1]["id"], "s-2");
    assert_eq!(results[2]["id"], json!({"student": "ann", "try": 2}));
    for r in &results {
        assert_eq!(r["method"], "keyword");
        let score = r["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score));
        for key in ["covered", "missed", "misconceptions"] {
            assert!(r[key].is_array(), "{key} in {r}");
        }
    }
    assert_eq!(results[1]["score"], 0.0);
    assert!(results[2]["score"].as_f64().unwrap() > 40.0);
}

#[test]
fn bad_lines_are_reported_and_the_rest_still_graded() {
    let env = TestEnv::new();
    let mut input = Vec::new();
    input.extend_from_slice(
        b"{\"id\": 1, \"question_id\": \"dbscan\", \"answer\": \"eps and min_samples\"}\n",
    );
    input.extend_from_slice(b"this is not json\n");
    input.extend_from_slice(
        b"{\"id\": 3, \"question_id\": \"no-such-question\", \"answer\": \"x\"}\n",
    );
    input.extend_from_slice(b"{\"id\": 4, \"answer\": \"x\"}\n");
    input
        .extend_from_slice(b"{\"id\": 5, \"question_id\": \"dbscan\", \"answer\": \"\xff\xfe\"}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"[1, 2]\n");
    let long = "a".repeat(70_000);
    input.extend_from_slice(
        json!({"id": 8, "question_id": "dbscan", "answer": long})
            .to_string()
            .as_bytes(),
    );
    input.extend_from_slice(
        b"\n{\"id\": 9, \"question_id\": \"dbscan\", \"answer\": \"density\"}\n",
    );
    let file = env.write("in.jsonl", input);
    let out = env.path("out.jsonl");
    let output = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "some lines failed");
    assert!(
        stderr_of(&output).contains("6 of 8 lines could not be graded")
            || stderr_of(&output).contains("could not be graded")
    );
    let results = lines(&std::fs::read(&out).unwrap());
    assert_eq!(results.len(), 8, "one output line per non-blank input line");
    assert!(results[0]["score"].is_number());
    assert!(results[1]["error"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    assert!(results[1].get("id").is_none());
    assert_eq!(results[2]["id"], 3);
    assert!(results[2]["error"]
        .as_str()
        .unwrap()
        .contains("unknown question id"));
    assert!(results[3]["error"]
        .as_str()
        .unwrap()
        .contains("question_id"));
    assert!(results[4]["error"].as_str().unwrap().contains("UTF-8"));
    assert!(results[5]["error"]
        .as_str()
        .unwrap()
        .contains("not a JSON object"));
    assert!(results[6]["error"].as_str().unwrap().contains("limit"));
    assert_eq!(results[7]["id"], 9);
    assert!(results[7]["score"].is_number());
}

#[test]
fn batch_output_does_not_depend_on_thread_count() {
    let env = TestEnv::new();
    let mut input = String::new();
    for i in 0..300 {
        let answer = match i % 3 {
            0 => "Исчезающий градиент и взрывающийся градиент на длинных последовательностях",
            1 => "DBSCAN группирует плотные области, точки шума отделяет",
            _ => "Марковская цепь: следующее состояние зависит только от текущего",
        };
        let question = ["rnn-problems", "dbscan", "markov-chains-sequences"][i % 3];
        input.push_str(&json!({"id": i, "question_id": question, "answer": answer}).to_string());
        input.push('\n');
    }
    let file = env.write("in.jsonl", input);
    let run = |threads: &str| {
        env.sobes()
            .env("RAYON_NUM_THREADS", threads)
            .args(["grade", "--batch"])
            .arg(&file)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert_eq!(lines(&one).len(), 300);
    assert_eq!(one, run("2"));
}

/// The blind answers with bad lines among them, as batch input lines.
fn mixed_lines() -> Vec<String> {
    let answers = std::fs::read_to_string(crate::util::fixture("blind/answers.jsonl")).unwrap();
    let mut lines: Vec<String> = answers.lines().take(400).map(str::to_owned).collect();
    lines.insert(7, "not json".into());
    lines.insert(100, String::new());
    lines.insert(
        200,
        json!({"id": "x", "question_id": "no-such-question", "answer": "y"}).to_string(),
    );
    lines.insert(301, "   ".into());
    lines
}

#[test]
fn issue15_grading_a_file_equals_grading_its_halves_concatenated() {
    let env = TestEnv::new();
    let input = mixed_lines();
    let (first, second) = input.split_at(input.len() / 2);
    let whole = env.write("whole.jsonl", input.join("\n") + "\n");
    let a = env.write("a.jsonl", first.join("\n") + "\n");
    let b = env.write("b.jsonl", second.join("\n") + "\n");
    let grade = |file: &std::path::Path| {
        let output = env
            .sobes()
            .args(["grade", "--batch"])
            .arg(file)
            .output()
            .unwrap();
        assert_ne!(output.status.code(), Some(2), "{}", stderr_of(&output));
        output.stdout
    };
    let whole_output = grade(&whole);
    let mut halves = grade(&a);
    halves.extend(grade(&b));
    assert_eq!(lines(&whole_output).len(), 400 + 2);
    assert!(whole_output == halves, "the halves differ from the whole");
}

#[test]
fn issue15_a_batch_from_standard_input_equals_the_same_batch_from_a_file() {
    let env = TestEnv::new();
    let text = mixed_lines().join("\r\n");
    let file = env.write("in.jsonl", &text);
    let from_file = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    let from_stdin = env
        .sobes()
        .args(["grade", "--batch", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(from_stdin.status.code(), Some(1));
    assert_eq!(stderr_of(&from_stdin), stderr_of(&from_file));
    assert!(from_stdin.stdout == from_file.stdout);
    // Nothing but the summary on standard error when it is not a terminal: no progress.
    assert_eq!(
        stderr_of(&from_stdin).trim(),
        "sobes: 2 of 402 lines could not be graded (see their \"error\" field)"
    );
}

#[test]
fn issue15_a_line_too_long_to_read_is_an_error_for_that_line_alone() {
    let env = TestEnv::new();
    let huge = "ab ".repeat(2_000_000);
    let input = format!(
        "{}\n{}\n{}\n",
        json!({"id": 1, "question_id": "dbscan", "answer": "eps и min_samples"}),
        json!({"id": 2, "question_id": "dbscan", "answer": huge}),
        json!({"id": 3, "question_id": "dbscan", "answer": "плотность"}),
    );
    let file = env.write("in.jsonl", input);
    let output = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let results = lines(&output.stdout);
    assert_eq!(results.len(), 3);
    assert!(results[0]["score"].is_number());
    let error = results[1]["error"].as_str().unwrap();
    assert!(
        error.starts_with("line 2 is 6000043 bytes long, more than a batch line may be"),
        "{error}"
    );
    assert_eq!(results[2]["id"], 3);
    assert!(results[2]["score"].is_number());
}

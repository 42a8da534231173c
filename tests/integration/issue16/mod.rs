//! Regression tests for issue 16, "Hostile-input defects": each submodule covers one of its
//! items through the real binary.

mod bank;
mod history;
mod output;
mod reply;
mod secrets;
mod settings;
mod small;

use std::path::PathBuf;

use crate::util::TestEnv;

/// A batch of three answers, written to `in.jsonl`.
fn batch_file(env: &TestEnv) -> PathBuf {
    let lines = [
        r#"{"id": 1, "question_id": "dbscan", "answer": "DBSCAN — кластеризация по плотности, параметры eps и min_samples."}"#,
        r#"{"id": 2, "question_id": "rnn-problems", "answer": "Исчезающий градиент на длинных последовательностях."}"#,
        r#"{"id": 3, "question_id": "dbscan", "answer": "не знаю"}"#,
    ];
    env.write("in.jsonl", lines.join("\n") + "\n")
}

/// Files in `dir` whose names end in `.sobes-tmp` (temporary files sobes left behind).
fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("sobes-tmp") || n.ends_with(".tmp"))
        .collect()
}

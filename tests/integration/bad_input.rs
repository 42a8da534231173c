//! Issue 15, item 4: the bad-input matrix. Every hostile or broken input gets one clear message
//! naming the problem and exit status 2 (1 for a batch some of whose lines failed, or an output
//! that cannot be written), and nothing already graded or stored is lost.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Output;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::util::{repo_root, stderr_of, stdout_of, TestEnv};

fn assert_refused(output: &Output, status: i32, needles: &[&str]) {
    let stderr = stderr_of(output);
    assert_eq!(output.status.code(), Some(status), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
    }
}

fn grade(env: &TestEnv, args: &[&OsStr]) -> Output {
    env.sobes()
        .args(["grade", "--question", "dbscan"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn issue15_invalid_utf8_in_an_answer_is_refused_with_status_2() {
    let env = TestEnv::new();
    let output = grade(
        &env,
        &[
            OsStr::new("--answer"),
            OsStr::from_bytes(b"eps \xff\xfe min"),
        ],
    );
    assert_refused(&output, 2, &["invalid UTF-8"]);
    let file = env.write("answer.txt", b"eps \xff min_samples");
    let output = grade(&env, &[OsStr::new("--answer-file"), file.as_os_str()]);
    assert_refused(
        &output,
        2,
        &["answer.txt", "not valid UTF-8", "at offset 4"],
    );
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan"])
        .write_stdin(b"\xc3".to_vec())
        .output()
        .unwrap();
    assert_refused(&output, 2, &["standard input", "not valid UTF-8"]);
}

#[test]
fn issue15_a_nul_byte_in_an_answer_is_refused_with_status_2() {
    let env = TestEnv::new();
    let file = env.write("answer.txt", b"eps\0min_samples");
    let output = grade(&env, &[OsStr::new("--answer-file"), file.as_os_str()]);
    assert_refused(&output, 2, &["answer.txt", "NUL byte", "offset 3"]);
    assert!(output.stdout.is_empty());
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan"])
        .write_stdin(b"\0".to_vec())
        .output()
        .unwrap();
    assert_refused(&output, 2, &["standard input", "NUL byte"]);
}

#[test]
fn issue15_a_5_mb_answer_is_refused_with_its_size_and_the_limit() {
    let env = TestEnv::new();
    let big = "a".repeat(5_000_000);
    let file = env.write("big.txt", &big);
    let output = grade(&env, &[OsStr::new("--answer-file"), file.as_os_str()]);
    assert_refused(&output, 2, &["5000000 bytes", "65536"]);
    let output = env
        .sobes()
        .args(["grade", "--question", "dbscan"])
        .write_stdin(big)
        .output()
        .unwrap();
    assert_refused(&output, 2, &["5000000 bytes", "65536"]);
}

#[test]
fn issue15_bad_batch_lines_fail_alone_and_the_rest_is_graded_and_kept() {
    let env = TestEnv::new();
    let good = |id: u32| {
        json!({"id": id, "question_id": "dbscan", "answer": "eps и min_samples, точки шума"})
            .to_string()
    };
    let mut input = Vec::new();
    for line in [
        good(1).into_bytes(),
        b"{\"id\": 2, \"question_id\": \"dbscan\", \"answer\": \"eps \xff\"}".to_vec(),
        b"{\"id\": 3, \"question_id\": \"dbscan\", \"answer\": \"eps\0\"}".to_vec(),
        json!({"id": 4, "question_id": "dbscan", "answer": "eps\u{0}min"})
            .to_string()
            .into_bytes(),
        json!({"id": 5, "question_id": "dbscan", "answer": "a".repeat(5_000_000)})
            .to_string()
            .into_bytes(),
        b"\0\0\0".to_vec(),
        good(7).into_bytes(),
    ] {
        input.extend(line);
        input.push(b'\n');
    }
    let file = env.write("in.jsonl", input);
    let out = env.write("out.jsonl", "previous\n");
    let output = env
        .sobes()
        .args(["grade", "--batch"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_refused(&output, 1, &["5 of 7 lines could not be graded"]);
    let results: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 7);
    let error = |i: usize| results[i]["error"].as_str().unwrap_or_default().to_owned();
    assert!(results[0]["score"].is_number());
    assert!(
        error(1).contains("line 2 is not valid UTF-8"),
        "{}",
        error(1)
    );
    assert!(
        error(2).contains("line 3 is not valid JSON"),
        "{}",
        error(2)
    );
    assert!(error(3).contains("NUL character"), "{}", error(3));
    assert_eq!(results[3]["id"], 4);
    assert!(error(4).contains("line 5 is 5000"), "{}", error(4));
    assert!(
        error(5).contains("line 6 is not valid JSON"),
        "{}",
        error(5)
    );
    assert_eq!(results[6]["id"], 7);
    assert!(results[6]["score"].is_number());
}

#[test]
fn issue15_a_directory_where_a_file_is_expected_is_named() {
    let env = TestEnv::new();
    let dir = env.path("a-dir");
    std::fs::create_dir_all(&dir).unwrap();
    let new_bank = env.path("bank");
    let cases: Vec<(Vec<&OsStr>, &str)> = vec![
        (
            vec![
                "grade".as_ref(),
                "--question".as_ref(),
                "dbscan".as_ref(),
                "--answer-file".as_ref(),
                dir.as_os_str(),
            ],
            "cannot read answer file",
        ),
        (
            vec!["grade".as_ref(), "--batch".as_ref(), dir.as_os_str()],
            "cannot read batch file",
        ),
        (
            vec!["--config".as_ref(), dir.as_os_str(), "questions".as_ref()],
            "a-dir",
        ),
        (vec!["eval".as_ref(), dir.as_os_str()], "a-dir"),
        (
            vec![
                "import".as_ref(),
                "markdown".as_ref(),
                dir.as_os_str(),
                "--out".as_ref(),
                new_bank.as_os_str(),
            ],
            "a-dir",
        ),
    ];
    for (args, needle) in cases {
        let output = env.sobes().args(&args).output().unwrap();
        assert_refused(&output, 2, &[needle]);
    }
}

#[test]
fn issue15_an_unwritable_out_fails_before_grading_and_keeps_nothing_half_written() {
    let env = TestEnv::new();
    let batch = env.write(
        "in.jsonl",
        json!({"id": 1, "question_id": "dbscan", "answer": "eps"}).to_string(),
    );
    let file = env.write("plain-file", "x");
    // A path under a regular file cannot be created, even by root.
    let under_file = file.join("out.jsonl");
    for flag in ["--out", "--report"] {
        let mut target = under_file.clone();
        if flag == "--report" {
            target.set_extension("md");
        }
        let output = env
            .sobes()
            .args(["grade", "--batch"])
            .arg(&batch)
            .arg(flag)
            .arg(&target)
            .output()
            .unwrap();
        assert_refused(&output, 1, &["cannot write", "plain-file/out."]);
        assert!(output.stdout.is_empty(), "nothing is graded first");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

/// A history with one stored session, made by the real binary.
fn history_with_a_session(env: &TestEnv, db: &Path) {
    let output = env
        .sobes()
        .arg("--db")
        .arg(db)
        .args(["--level", "junior", "--count", "1", "--seed", "3"])
        .write_stdin("Ответ про градиенты.\n\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
}

#[test]
fn issue15_a_corrupt_history_is_refused_unchanged() {
    let env = TestEnv::new();
    let db = env.write(
        "history.sqlite3",
        b"this is not a database, just text\n".repeat(200),
    );
    let before = std::fs::read(&db).unwrap();
    for args in [
        vec!["history"],
        vec!["--level", "junior", "--count", "1", "--seed", "1"],
    ] {
        let output = env
            .sobes()
            .arg("--db")
            .arg(&db)
            .args(&args)
            .write_stdin("ответ\n\n")
            .output()
            .unwrap();
        assert_refused(&output, 2, &["history.sqlite3"]);
        assert!(!stdout_of(&output).contains("Score"), "{args:?}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// `sobes history` and an interview on `db` while `held` holds it: the exit status and stderr.
fn run_beside(env: &TestEnv, db: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = env
        .sobes()
        .arg("--db")
        .arg(db)
        .args(["--set", "interview.save_wait_secs=1"])
        .args(args)
        .write_stdin("Градиент затухает на длинных последовательностях.\n\n")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code(), stdout_of(&output), stderr)
}

const INTERVIEW: [&str; 6] = ["--level", "junior", "--count", "1", "--seed", "5"];

#[test]
fn issue15_a_locked_history_is_named_and_loses_nothing() {
    let env = TestEnv::new();
    let db = env.path("history.sqlite3");
    history_with_a_session(&env, &db);
    // A program that holds the whole file (exclusive locking, in the middle of a write):
    // neither reading nor an interview can use it, and both say so.
    let held = Connection::open(&db).unwrap();
    held.execute_batch(
        "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; \
         CREATE TABLE other_program (x); DROP TABLE other_program;",
    )
    .unwrap();
    for args in [&["history"][..], &INTERVIEW[..]] {
        let (code, stdout, stderr) = run_beside(&env, &db, args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("history.sqlite3") && stderr.contains("locked"),
            "{stderr}"
        );
        // Refused before the first question: no answer was taken that could be lost.
        assert!(!stdout.contains("Score"), "{args:?}");
    }
    held.execute_batch("COMMIT").unwrap();
    drop(held);
    let output = env
        .sobes()
        .arg("--db")
        .arg(&db)
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let sessions: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
}

/// Issue 14: the history file is in WAL mode, so a program in the middle of a write (the
/// server, another REPL) does not stop `sobes history` from reading; an interview, which must
/// write, still waits for it and then says the file is locked.
#[test]
fn issue14_history_reads_while_another_program_writes() {
    let env = TestEnv::new();
    let db = env.path("history.sqlite3");
    history_with_a_session(&env, &db);
    let mode: String = Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let held = Connection::open(&db).unwrap();
    held.execute_batch("BEGIN IMMEDIATE; DELETE FROM answers;")
        .unwrap();
    let (code, stdout, stderr) = run_beside(&env, &db, &["history", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let sessions: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
    assert!(
        sessions[0]["answered"].as_u64().unwrap() > 0,
        "the committed answers, not the write in progress: {sessions}"
    );
    let (code, stdout, stderr) = run_beside(&env, &db, &INTERVIEW);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("locked"), "{stderr}");
    assert!(!stdout.contains("Score"));
    held.execute_batch("ROLLBACK").unwrap();
}

#[cfg(unix)]
#[test]
fn issue15_a_read_only_history_is_refused_before_the_first_question() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let db = env.path("history.sqlite3");
    history_with_a_session(&env, &db);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&db).unwrap();
    // As root, file permissions do not apply: drop to nobody with setpriv where it exists.
    let is_root = unsafe { libc::geteuid() } == 0;
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if is_root && setpriv.is_none() {
        eprintln!("skipped: running as root without setpriv");
        return;
    }
    let inner = env.std_sobes();
    let mut cmd = match (is_root, setpriv) {
        (true, Some(setpriv)) => {
            std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755))
                .unwrap();
            let mut wrapped = std::process::Command::new(setpriv);
            wrapped.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
            wrapped.arg(inner.get_program()).args(inner.get_args());
            for (key, value) in inner.get_envs() {
                match value {
                    Some(value) => wrapped.env(key, value),
                    None => wrapped.env_remove(key),
                };
            }
            wrapped.current_dir(env.dir.path());
            wrapped
        }
        _ => inner,
    };
    let output = cmd
        .arg("--db")
        .arg(&db)
        .args(["--level", "junior", "--count", "1", "--seed", "5"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("history.sqlite3"), "{stderr}");
    assert!(
        !stdout_of(&output).contains("Question 1"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn issue15_config_with_wrong_types_or_unknown_keys_is_refused_naming_the_key() {
    let env = TestEnv::new();
    let cases = [
        ("[grading]\nmax_gap = \"three\"\n", "max_gap"),
        ("[grading]\nno_such_key = 1\n", "no_such_key"),
        ("[no_such_section]\na = 1\n", "no_such_section"),
        ("[interface]\ncolor = 5\n", "color"),
        ("[interface]\nshow_colour = true\n", "show_colour"),
        ("[llm]\nenabled = \"yes\"\n", "enabled"),
        ("grading = 3\n", "grading"),
    ];
    for (text, key) in cases {
        let config = env.write("config.toml", text);
        let output = env
            .sobes()
            .arg("--config")
            .arg(&config)
            .args(["grade", "--question", "dbscan", "--answer", "eps"])
            .output()
            .unwrap();
        assert_refused(&output, 2, &["config.toml", key]);
        assert!(output.stdout.is_empty(), "{text}");
    }
}

/// A bank of dbscan and rnn-problems with `edit` applied to the rubric of dbscan.
fn bank_with(
    env: &TestEnv,
    data_edit: &str,
    rubric_edit: impl Fn(String) -> String,
) -> std::path::PathBuf {
    for id in ["dbscan", "rnn-problems"] {
        for dir in ["data", "rubrics"] {
            let mut text =
                std::fs::read_to_string(repo_root().join(format!("{dir}/{id}.toml"))).unwrap();
            if id == "dbscan" && dir == "rubrics" {
                text = rubric_edit(text);
            }
            env.write(&format!("bank/{dir}/{id}.toml"), text);
        }
    }
    if !data_edit.is_empty() {
        let text = std::fs::read_to_string(repo_root().join("data/dbscan.toml")).unwrap();
        env.write(&format!("bank/data/{data_edit}.toml"), text);
    }
    env.path("bank")
}

#[test]
fn issue15_a_bank_with_duplicate_ids_or_empty_concepts_is_refused() {
    let env = TestEnv::new();
    // The same question id in two files.
    let bank = bank_with(&env, "dbscan-copy", |t| t);
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["grade", "--question", "dbscan", "--answer", "eps"])
        .output()
        .unwrap();
    assert_refused(&output, 2, &["dbscan"]);
    assert!(
        stderr_of(&output).to_lowercase().contains("duplicate"),
        "{}",
        stderr_of(&output)
    );

    let env = TestEnv::new();
    // A concept with no aliases, and a rubric without concepts.
    let bank = bank_with(&env, "", |t| {
        t.replacen("aliases = [", "aliases = [] # [", 1)
    });
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["grade", "--question", "dbscan", "--answer", "eps"])
        .output()
        .unwrap();
    assert_refused(&output, 2, &["dbscan"]);

    let env = TestEnv::new();
    let bank = bank_with(&env, "", |t| {
        let cut = t.find("[[concept]]").unwrap_or(t.len());
        t[..cut].to_owned()
    });
    let output = env
        .sobes()
        .arg("--bank")
        .arg(&bank)
        .args(["questions"])
        .output()
        .unwrap();
    assert_refused(&output, 2, &["dbscan"]);
}

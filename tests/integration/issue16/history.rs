//! Items 7 and 9: an answer is committed before its score is shown, a locked history is
//! retried and never reported saved when it was not, and a history file whose schema is not
//! sobes' is refused unchanged.

use std::path::Path;

use rusqlite::Connection;

use crate::util::{stderr_of, stdout_of, TestEnv};

/// A history with one finished session, made by the real binary.
fn history_with_a_session(env: &TestEnv) {
    let output = env
        .sobes()
        .args(["--level", "junior", "--count", "1", "--seed", "3"])
        .write_stdin("Ответ про градиенты.\n\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
}

fn run_on(env: &TestEnv, db: &Path, args: &[&str], input: &str) -> std::process::Output {
    env.sobes()
        .arg("--db")
        .arg(db)
        .args(args)
        .write_stdin(input.to_owned())
        .output()
        .unwrap()
}

#[test]
fn issue16_a_history_with_the_right_version_but_another_schema_is_refused_unchanged() {
    let commands: &[&[&str]] = &[
        &["--level", "junior", "--count", "1"],
        &["history"],
        &["stats"],
        &["report", "last"],
        &["progress"],
    ];
    for (damage, problem) in [
        ("DROP TABLE answers", "the table answers is missing"),
        (
            "ALTER TABLE sessions DROP COLUMN lang",
            "the table sessions lacks the column(s) lang",
        ),
    ] {
        let env = TestEnv::new();
        history_with_a_session(&env);
        let db = env.db();
        Connection::open(&db)
            .unwrap()
            .execute_batch(damage)
            .unwrap();
        let before = std::fs::read(&db).unwrap();
        for args in commands {
            let output = run_on(&env, &db, args, "Ответ.\n\n");
            let stderr = stderr_of(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains(problem), "{args:?}: {stderr}");
            assert!(stderr.contains("nothing was changed in it"), "{stderr}");
            assert!(!stdout_of(&output).contains("Question 1"), "{args:?}");
            assert_eq!(std::fs::read(&db).unwrap(), before, "{args:?} wrote to it");
        }
    }
}

#[test]
fn issue16_another_programs_database_is_not_taken_over() {
    let env = TestEnv::new();
    let db = env.path("notes.sqlite3");
    Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x');")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let output = run_on(
        &env,
        &db,
        &["--level", "junior", "--count", "1"],
        "Ответ.\n\n",
    );
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("holds the table(s) notes"), "{stderr}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

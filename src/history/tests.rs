use super::*;
use crate::grade::Grade;

fn sample_answer(position: usize, score: f64) -> AnswerRecord {
    AnswerRecord {
        position,
        question_id: format!("q{position}"),
        question: "Вопрос?".into(),
        reference: "Ответ.".into(),
        level: Level::Middle,
        topics: vec!["nlp".into()],
        answer: "мой ответ".into(),
        score,
        keyword_score: score,
        llm_score: None,
        llm_feedback: None,
        method: Method::Keyword,
        grade: Grade {
            score,
            coverage: score / 100.0,
            covered: Vec::new(),
            missed: Vec::new(),
            misconceptions: Vec::new(),
            flags: Vec::new(),
        },
        hints: vec!["c1".into()],
        seconds: 12.5,
        answered_at: "2026-11-26T10:00:00Z".into(),
    }
}

fn new_session() -> NewSession {
    NewSession {
        started_at: "2026-11-26T09:59:00Z".into(),
        level: Some(Level::Middle),
        adaptive: false,
        topics: vec!["nlp".into()],
        planned: 3,
        seed: Some(42),
        lang: "ru".into(),
        bank: "bundled".into(),
    }
}

#[test]
fn answers_survive_reopening_and_unfinished_sessions_show_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/history.sqlite3");
    {
        let history = History::open(&path).unwrap();
        let id = history.start_session(&new_session()).unwrap();
        history.record_answer(id, &sample_answer(1, 80.0)).unwrap();
        history.record_answer(id, &sample_answer(2, 40.0)).unwrap();
        // Dropped without finish_session: as if the process had been killed.
    }
    let history = History::open_existing(&path).unwrap().unwrap();
    let sessions = history.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    let row = &sessions[0];
    assert_eq!((row.answered, row.planned, row.finished), (2, 3, false));
    assert_eq!(row.mean_score, Some(60.0));
    let answers = history.answers(row.id).unwrap();
    assert_eq!(
        answers,
        vec![sample_answer(1, 80.0), sample_answer(2, 40.0)]
    );
    history
        .finish_session(row.id, "2026-11-26T10:05:00Z")
        .unwrap();
    assert!(history.session(row.id).unwrap().unwrap().finished);
    assert_eq!(history.last_session_id().unwrap(), Some(row.id));
}

#[test]
fn a_damaged_file_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    std::fs::write(
        &path,
        b"this is not a database, just text that fills a page ".repeat(100),
    )
    .unwrap();
    let error = History::open(&path)
        .err()
        .expect("a damaged file is refused");
    assert!(matches!(error, HistoryError::Corrupt { .. }), "{error:?}");
    assert!(error.is_bad_input());
    assert!(error.to_string().contains("--db"));
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    History::open(&path).unwrap();
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let error = History::open(&path).err().expect("newer schema refused");
    assert!(
        matches!(error, HistoryError::TooNew { found: 99, .. }),
        "{error:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_before_any_answer() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    History::open(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        eprintln!("notice: running as a user who can write read-only files; check skipped");
        return;
    }
    let error = History::open(&path).err().expect("read-only refused");
    assert!(matches!(error, HistoryError::ReadOnly { .. }), "{error:?}");
    // Reading it still works.
    let history = History::open_existing(&path).unwrap().unwrap();
    assert!(history.sessions().unwrap().is_empty());
}

#[test]
fn a_file_with_the_right_version_but_a_missing_table_or_column_is_refused_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    for (name, damage, problem) in [
        (
            "table",
            "DROP TABLE answers",
            "the table answers is missing",
        ),
        (
            "column",
            "ALTER TABLE answers DROP COLUMN hints",
            "the table answers lacks the column(s) hints",
        ),
    ] {
        let path = dir.path().join(format!("{name}.sqlite3"));
        History::open(&path).unwrap();
        Connection::open(&path)
            .unwrap()
            .execute_batch(damage)
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        for error in [
            History::open(&path).err().unwrap(),
            History::open_existing(&path).err().unwrap(),
        ] {
            assert!(error.is_bad_input(), "{error}");
            assert!(error.to_string().contains(problem), "{error}");
        }
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");
    }
}

#[test]
fn another_programs_database_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite3");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();
    let error = History::open(&path).err().unwrap();
    assert!(
        error.to_string().contains("holds the table(s) notes"),
        "{error}"
    );
    let tables: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
}

#[test]
fn the_method_of_old_rows_reads_back_and_skipped_rows_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let history = History::open(&path).unwrap();
    let id = history.start_session(&new_session()).unwrap();
    let mut skipped = sample_answer(1, 0.0);
    skipped.method = Method::Skipped;
    history.record_answer(id, &skipped).unwrap();
    history.record_answer(id, &sample_answer(2, 50.0)).unwrap();
    let stored: (bool, String) = history
        .conn
        .query_row(
            "SELECT skipped, method FROM answers WHERE position = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored, (true, "skipped".to_owned()));
    // Rows as other versions may have written them: a skipped flag with another method, and
    // a method this version does not know.
    history
        .conn
        .execute_batch(
            "UPDATE answers SET method = 'keyword' WHERE position = 1;
             UPDATE answers SET method = 'ensemble' WHERE position = 2;",
        )
        .unwrap();
    let answers = history.answers(id).unwrap();
    assert_eq!(answers[0].method, Method::Skipped);
    assert!(answers[0].is_skipped());
    assert_eq!(answers[1].method, Method::Keyword);
    let row = history.session(id).unwrap().unwrap();
    assert_eq!((row.answered, row.skipped), (1, 1));
}

/// A file as the sobes before the `resume` table wrote it: schema version 1, one session.
fn version_one_file(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!("{}; PRAGMA user_version = 1;", MIGRATIONS[0]))
        .unwrap();
    conn.execute(
        "INSERT INTO sessions (started_at, level, planned, lang, bank)
         VALUES ('2026-11-26T09:59:00Z', 'middle', 3, 'ru', 'bundled')",
        [],
    )
    .unwrap();
}

#[test]
fn a_version_one_file_is_upgraded_and_keeps_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    version_one_file(&path);
    let history = History::open(&path).unwrap();
    assert_eq!(history.version().unwrap(), MIGRATIONS.len() as i64);
    let sessions = history.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    let id = sessions[0].id;
    // The new table works, and replaces a session's state rather than adding one.
    assert_eq!(history.find_resume("k").unwrap(), None);
    history.save_resume(id, "k", "{\"a\":1}").unwrap();
    history.save_resume(id, "k", "{\"a\":2}").unwrap();
    assert_eq!(
        history.find_resume("k").unwrap(),
        Some((id, "{\"a\":2}".to_owned()))
    );
    assert_eq!(history.find_resume(&id.to_string()).unwrap(), None);
}

#[cfg(unix)]
#[test]
fn a_read_only_version_one_file_still_reads() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    version_one_file(&path);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
        eprintln!("notice: running as a user who can write read-only files; check skipped");
        return;
    }
    let history = History::open_existing(&path).unwrap().unwrap();
    assert_eq!(history.sessions().unwrap().len(), 1);
    assert!(matches!(
        History::open(&path).err(),
        Some(HistoryError::ReadOnly { .. })
    ));
}

#[test]
fn a_transaction_keeps_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let history = History::open(&path).unwrap();
    let id = history.start_session(&new_session()).unwrap();
    history.begin().unwrap();
    history.record_answer(id, &sample_answer(1, 80.0)).unwrap();
    history.save_resume(id, "k", "{}").unwrap();
    history.rollback();
    assert!(history.answers(id).unwrap().is_empty());
    assert_eq!(history.find_resume("k").unwrap(), None);
    history.begin().unwrap();
    history.record_answer(id, &sample_answer(1, 80.0)).unwrap();
    history.save_resume(id, "k", "{}").unwrap();
    history.commit().unwrap();
    let reader = History::open_existing(&path).unwrap().unwrap();
    assert_eq!(reader.answers(id).unwrap().len(), 1);
    assert!(reader.find_resume("k").unwrap().is_some());
}

//! Interview history in an embedded SQLite database.
//!
//! Every graded answer is committed the moment it is graded, so a session that is killed loses
//! nothing that was graded; such a session simply has no `finished_at` and shows as unfinished.
//! The schema is versioned with `PRAGMA user_version` and upgraded by `MIGRATIONS`; on every
//! open the tables and columns are checked too, so a file with the right version but another
//! schema (a table dropped, another program's database) is refused before anything is written.

pub mod time;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, ErrorCode, OpenFlags};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bank::Level;
use crate::grade::Grade;

/// Schema migrations, applied in order; `user_version` is the number applied so far.
const MIGRATIONS: &[&str] = &[
    // 1: sessions and answers.
    "CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        level       TEXT,
        adaptive    INTEGER NOT NULL DEFAULT 0,
        topics      TEXT NOT NULL DEFAULT '[]',
        planned     INTEGER NOT NULL,
        seed        INTEGER,
        lang        TEXT NOT NULL,
        bank        TEXT NOT NULL
    );
    CREATE TABLE answers (
        id           INTEGER PRIMARY KEY,
        session_id   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        position     INTEGER NOT NULL,
        question_id  TEXT NOT NULL,
        question     TEXT NOT NULL,
        reference    TEXT NOT NULL,
        level        TEXT NOT NULL,
        topics       TEXT NOT NULL,
        answer       TEXT NOT NULL,
        skipped      INTEGER NOT NULL,
        score        REAL NOT NULL,
        keyword_score REAL NOT NULL,
        llm_score    REAL,
        llm_feedback TEXT,
        method       TEXT NOT NULL,
        grade        TEXT NOT NULL,
        hints        TEXT NOT NULL DEFAULT '[]',
        seconds      REAL NOT NULL,
        answered_at  TEXT NOT NULL,
        UNIQUE (session_id, position)
    );
    CREATE INDEX answers_by_question ON answers(question_id, answered_at);",
    // 2: what `sobes serve` needs to resume a session after a restart. The session's public id
    // is kept only as a SHA-256 digest (`key`), so the file does not hand out live sessions.
    "CREATE TABLE resume (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        key        TEXT NOT NULL UNIQUE,
        state      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )",
];

/// The tables and columns of the schema, with the version each table came in; checked on
/// every open (a table newer than the file's version is not looked for).
const SCHEMA: &[(&str, i64, &[&str])] = &[
    (
        "sessions",
        1,
        &[
            "id",
            "started_at",
            "finished_at",
            "level",
            "adaptive",
            "topics",
            "planned",
            "seed",
            "lang",
            "bank",
        ],
    ),
    (
        "answers",
        1,
        &[
            "id",
            "session_id",
            "position",
            "question_id",
            "question",
            "reference",
            "level",
            "topics",
            "answer",
            "skipped",
            "score",
            "keyword_score",
            "llm_score",
            "llm_feedback",
            "method",
            "grade",
            "hints",
            "seconds",
            "answered_at",
        ],
    ),
    ("resume", 2, &["session_id", "key", "state", "updated_at"]),
];

/// Problems with the history database.
#[derive(Debug, Error)]
pub enum HistoryError {
    #[error("history database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "history database {path} is not a SQLite database or is damaged ({message}); \
         move it aside, or choose another file with --db"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error(
        "history database {path} is read-only, so answers could not be saved; \
         fix its permissions or choose another file with --db"
    )]
    ReadOnly { path: PathBuf },
    #[error(
        "history database {path} has schema version {found}, newer than this sobes knows ({known}); \
         upgrade sobes or use another file with --db"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "history database {path} does not have the schema of a sobes history ({problem}); \
         nothing was changed in it: move it aside, or choose another file with --db"
    )]
    Schema { path: PathBuf, problem: String },
    /// SQLite's error is part of the message, not a cause of its own, so that error chains
    /// do not say it twice ("database is locked: database is locked").
    #[error("history database {path}: {reason}")]
    Sql {
        path: PathBuf,
        reason: rusqlite::Error,
    },
}

impl HistoryError {
    /// Whether the problem is the file the user pointed us at (exit status 2) rather than a
    /// failure while working (exit status 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, HistoryError::Sql { .. })
    }

    /// Whether another connection held the database locked for longer than sobes waited.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            HistoryError::Sql { reason, .. }
                if matches!(
                    reason.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                )
        )
    }
}

/// How a session was set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSession {
    pub started_at: String,
    /// The level asked for; `None` for an adaptive session.
    pub level: Option<Level>,
    pub adaptive: bool,
    pub topics: Vec<String>,
    pub planned: usize,
    pub seed: Option<u64>,
    pub lang: String,
    /// "bundled" or the bank directory.
    pub bank: String,
}

/// How an answer's score was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The keyword rubric alone.
    Keyword,
    /// The rubric's score blended with a language model's.
    Blend,
    /// A language model's score, kept near the rubric's.
    Llm,
    /// The question was skipped (scored 0).
    Skipped,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Keyword => "keyword",
            Method::Blend => "blend",
            Method::Llm => "llm",
            Method::Skipped => "skipped",
        }
    }

    /// Read a stored method; `None` for a word this sobes does not know.
    pub fn parse(word: &str) -> Option<Method> {
        match word.trim().to_lowercase().as_str() {
            "keyword" => Some(Method::Keyword),
            "blend" => Some(Method::Blend),
            "llm" => Some(Method::Llm),
            "skipped" => Some(Method::Skipped),
            _ => None,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<crate::llm::Method> for Method {
    fn from(method: crate::llm::Method) -> Method {
        match method {
            crate::llm::Method::Keyword => Method::Keyword,
            crate::llm::Method::Blend => Method::Blend,
            crate::llm::Method::Llm => Method::Llm,
        }
    }
}

/// One graded (or skipped) answer as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// 1-based position in the session.
    pub position: usize,
    pub question_id: String,
    /// The question as it was shown.
    pub question: String,
    pub reference: String,
    /// The level the question was asked at.
    pub level: Level,
    pub topics: Vec<String>,
    pub answer: String,
    /// The final score (0–100) after hints.
    pub score: f64,
    pub keyword_score: f64,
    pub llm_score: Option<f64>,
    pub llm_feedback: Option<String>,
    /// How the score was decided; [`Method::Skipped`] for a skipped question.
    pub method: Method,
    pub grade: Grade,
    /// Ids of the concepts revealed by `:hint`.
    pub hints: Vec<String>,
    pub seconds: f64,
    pub answered_at: String,
}

impl AnswerRecord {
    /// Whether the question was skipped rather than answered.
    pub fn is_skipped(&self) -> bool {
        self.method == Method::Skipped
    }
}

/// The few fields of an answer that choosing the next questions reads.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerStat {
    pub question_id: String,
    pub topics: Vec<String>,
    pub score: f64,
    pub answered_at: String,
}

/// A session as listed by `sobes history`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// The level asked for, or "adaptive".
    pub level: String,
    pub topics: Vec<String>,
    pub planned: usize,
    pub answered: usize,
    pub skipped: usize,
    /// Mean score over answered and skipped questions; `None` when there are none.
    pub mean_score: Option<f64>,
    pub finished: bool,
    pub lang: String,
    pub bank: String,
}

/// A session with all its answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSession {
    pub session: SessionRow,
    pub answers: Vec<AnswerRecord>,
}

/// The open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Open (creating if needed) and upgrade the database for writing. A read-only or damaged
    /// file is refused here, before any answer is given, so no answer can be lost to it.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| HistoryError::Open {
                path: path.to_path_buf(),
                message: format!("cannot create directory {}: {e}", parent.display()),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| classify(path, e))?;
        // SQLite opens a file it cannot write read-only: refuse it before reading, which in
        // WAL mode needs the `-shm` file a read-only directory may not let it create.
        if conn.is_readonly("main").unwrap_or(false) {
            return Err(HistoryError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        let history = History::prepare(conn, path)?;
        // Only a file known to be a sobes history is switched (the switch writes to it).
        history.migrate()?;
        history.write_ahead();
        Ok(history)
    }

    /// Write-ahead logging, so that the REPL, the server and the reading commands use the file
    /// at once: readers do not wait for a writer nor it for them, and a commit appends to the
    /// `-wal` file with one sync instead of writing a rollback journal and the database. The
    /// mode is kept in the file; a connection that cannot switch (another program holds the
    /// file) goes on in the file's mode, and the next open tries again. `synchronous = FULL`:
    /// each commit is synced to the disk before it returns, so an answer reported as saved
    /// survives a power cut, not only a crash of the process.
    fn write_ahead(&self) {
        let _ = self.conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        });
        let _ = self.conn.execute_batch("PRAGMA synchronous = FULL");
    }

    /// Open an existing database to read it; `None` when there is no file yet.
    pub fn open_existing(path: &Path) -> Result<Option<History>, HistoryError> {
        if !path.exists() {
            return Ok(None);
        }
        // SQLite opens a write-protected file read-only by itself.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        let read_only = conn.is_readonly("main").unwrap_or(false);
        let history = match History::prepare(conn, path) {
            // A WAL-mode file SQLite may not write, in a directory where it cannot create the
            // `-shm` file readers share: nobody can be writing it, so read it as immutable.
            Err(HistoryError::ReadOnly { .. } | HistoryError::Open { .. }) if read_only => {
                History::prepare(open_immutable(path)?, path)?
            }
            other => other?,
        };
        if !history.conn.is_readonly("main").unwrap_or(false) {
            history.migrate()?;
            return Ok(Some(history));
        }
        // Read-only: it can be read only as it is. An older schema reads too: what readers
        // use has been there since version 1.
        match history.version()? {
            0 => return Ok(None),
            version if (1..=MIGRATIONS.len() as i64).contains(&version) => {
                history.check_schema(version)?;
            }
            _ => {
                return Err(HistoryError::ReadOnly {
                    path: path.to_path_buf(),
                })
            }
        }
        Ok(Some(history))
    }

    fn prepare(conn: Connection, path: &Path) -> Result<History, HistoryError> {
        let history = History {
            conn,
            path: path.to_path_buf(),
        };
        history
            .conn
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| history.error(e))?;
        // Reading the schema is the first touch of the file: a damaged one fails here.
        history
            .conn
            .execute_batch("PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master;")
            .map_err(|e| classify(path, e))?;
        Ok(history)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long one statement waits for another connection's lock before failing as busy.
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<(), HistoryError> {
        self.conn.busy_timeout(wait).map_err(|e| self.error(e))
    }

    fn error(&self, e: rusqlite::Error) -> HistoryError {
        classify(&self.path, e)
    }

    fn version(&self) -> Result<i64, HistoryError> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    fn schema_error(&self, problem: String) -> HistoryError {
        HistoryError::Schema {
            path: self.path.clone(),
            problem,
        }
    }

    /// The tables of the database, other than SQLite's own.
    fn tables(&self) -> Result<Vec<String>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .map_err(|e| self.error(e))?;
        let names = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| self.error(e))?;
        names
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }

    /// Every table and column of [`SCHEMA`] up to `version` is there.
    fn check_schema(&self, version: i64) -> Result<(), HistoryError> {
        for (table, since, columns) in SCHEMA {
            if *since > version {
                continue;
            }
            let mut statement = self
                .conn
                .prepare(&format!("PRAGMA table_info({table})"))
                .map_err(|e| self.error(e))?;
            let found = statement
                .query_map([], |row| row.get::<_, String>(1))
                .map_err(|e| self.error(e))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.error(e))?;
            if found.is_empty() {
                return Err(self.schema_error(format!("the table {table} is missing")));
            }
            let missing: Vec<&str> = columns
                .iter()
                .copied()
                .filter(|c| !found.iter().any(|f| f == c))
                .collect();
            if !missing.is_empty() {
                return Err(self.schema_error(format!(
                    "the table {table} lacks the column(s) {}",
                    missing.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn migrate(&self) -> Result<(), HistoryError> {
        let known = MIGRATIONS.len() as i64;
        let found = self.version()?;
        if found > known {
            return Err(HistoryError::TooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        if found == 0 {
            // A new file has no tables; one with tables is some other program's database.
            let tables = self.tables()?;
            if !tables.is_empty() {
                return Err(self.schema_error(format!(
                    "it has no schema version but holds the table(s) {}",
                    tables.join(", ")
                )));
            }
        } else {
            self.check_schema(found)?;
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = index as i64 + 1;
            self.conn
                .execute_batch(&format!(
                    "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {version}; COMMIT;"
                ))
                .map_err(|e| {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    self.error(e)
                })?;
        }
        if found < known {
            self.check_schema(known)?;
        }
        Ok(())
    }

    /// Record the start of a session; returns its id.
    pub fn start_session(&self, session: &NewSession) -> Result<i64, HistoryError> {
        self.conn
            .execute(
                "INSERT INTO sessions (started_at, level, adaptive, topics, planned, seed, lang, bank)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    session.started_at,
                    session.level.map(Level::as_str),
                    session.adaptive,
                    to_json(&session.topics),
                    session.planned as i64,
                    session.seed.map(|s| s as i64),
                    session.lang,
                    session.bank,
                ],
            )
            .map_err(|e| self.error(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Commit one answer. It is durable when this returns.
    pub fn record_answer(
        &self,
        session_id: i64,
        answer: &AnswerRecord,
    ) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "INSERT INTO answers (session_id, position, question_id, question, reference, level,
                    topics, answer, skipped, score, keyword_score, llm_score, llm_feedback, method,
                    grade, hints, seconds, answered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    session_id,
                    answer.position as i64,
                    answer.question_id,
                    answer.question,
                    answer.reference,
                    answer.level.as_str(),
                    to_json(&answer.topics),
                    answer.answer,
                    // Kept for readers of the table (and the per-session counts): the same
                    // fact as `method = 'skipped'`.
                    answer.is_skipped(),
                    answer.score,
                    answer.keyword_score,
                    answer.llm_score,
                    answer.llm_feedback,
                    answer.method.as_str(),
                    to_json(&answer.grade),
                    to_json(&answer.hints),
                    answer.seconds,
                    answer.answered_at,
                ],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Mark a session as finished normally.
    pub fn finish_session(&self, session_id: i64, finished_at: &str) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "UPDATE sessions SET finished_at = ?2 WHERE id = ?1",
                params![session_id, finished_at],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Start a write transaction now (waiting for another writer as any statement does), so
    /// that the writes up to [`History::commit`] are committed together, with one sync.
    pub fn begin(&self) -> Result<(), HistoryError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.error(e))
    }

    /// Commit the transaction [`History::begin`] started; on failure nothing of it is kept.
    pub fn commit(&self) -> Result<(), HistoryError> {
        self.conn.execute_batch("COMMIT").map_err(|e| {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.error(e)
        })
    }

    /// Undo the transaction [`History::begin`] started (nothing to undo is no error).
    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// Keep what resuming the session `session_id` needs (`state`, opaque here), under `key`
    /// (the digest of its public id); replaces what was kept before.
    pub fn save_resume(&self, session_id: i64, key: &str, state: &str) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "INSERT INTO resume (session_id, key, state, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id) DO UPDATE
                 SET key = excluded.key, state = excluded.state, updated_at = excluded.updated_at",
                params![session_id, key, state, time::now_iso()],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The session kept under `key` by [`History::save_resume`]: its row id and state.
    pub fn find_resume(&self, key: &str) -> Result<Option<(i64, String)>, HistoryError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT session_id, state FROM resume WHERE key = ?1")
            .map_err(|e| self.error(e))?;
        let mut rows = statement
            .query_map([key], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(|e| self.error(e))?;
        rows.next().transpose().map_err(|e| self.error(e))
    }

    /// All sessions, oldest first.
    pub fn sessions(&self) -> Result<Vec<SessionRow>, HistoryError> {
        self.session_rows("", [])
    }

    /// One session by id.
    pub fn session(&self, id: i64) -> Result<Option<SessionRow>, HistoryError> {
        Ok(self
            .session_rows("WHERE s.id = ?1", [id])?
            .into_iter()
            .next())
    }

    /// The id of the most recent session.
    pub fn last_session_id(&self) -> Result<Option<i64>, HistoryError> {
        self.conn
            .query_row("SELECT max(id) FROM sessions", [], |row| row.get(0))
            .map_err(|e| self.error(e))
    }

    fn session_rows<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<SessionRow>, HistoryError> {
        let sql = format!(
            "SELECT s.id, s.started_at, s.finished_at, s.level, s.adaptive, s.topics, s.planned,
                    s.lang, s.bank,
                    count(a.id), coalesce(sum(a.skipped), 0), avg(a.score)
             FROM sessions s LEFT JOIN answers a ON a.session_id = s.id
             {filter}
             GROUP BY s.id ORDER BY s.id"
        );
        let mut statement = self.conn.prepare(&sql).map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params, |row| {
                let level: Option<String> = row.get(3)?;
                let adaptive: bool = row.get(4)?;
                let topics: String = row.get(5)?;
                let finished_at: Option<String> = row.get(2)?;
                let total: i64 = row.get(9)?;
                let skipped: i64 = row.get(10)?;
                Ok(SessionRow {
                    id: row.get(0)?,
                    started_at: row.get(1)?,
                    finished: finished_at.is_some(),
                    finished_at,
                    level: if adaptive {
                        "adaptive".into()
                    } else {
                        level.unwrap_or_default()
                    },
                    topics: serde_json::from_str(&topics).unwrap_or_default(),
                    planned: row.get::<_, i64>(6)?.max(0) as usize,
                    lang: row.get(7)?,
                    bank: row.get(8)?,
                    answered: (total - skipped).max(0) as usize,
                    skipped: skipped.max(0) as usize,
                    mean_score: row.get(11)?,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }

    /// The answers of one session, in the order they were given.
    pub fn answers(&self, session_id: i64) -> Result<Vec<AnswerRecord>, HistoryError> {
        self.answer_rows("WHERE session_id = ?1", [session_id])
    }

    /// Every answer in history, oldest first.
    pub fn all_answers(&self) -> Result<Vec<(i64, AnswerRecord)>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT session_id, {ANSWER_COLUMNS} FROM answers ORDER BY answered_at, id"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, answer_from_row(row, 1)?)))
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }

    /// A session with its answers.
    pub fn load_session(&self, id: i64) -> Result<Option<StoredSession>, HistoryError> {
        let Some(session) = self.session(id)? else {
            return Ok(None);
        };
        let answers = self.answers(id)?;
        Ok(Some(StoredSession { session, answers }))
    }

    fn answer_rows<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<AnswerRecord>, HistoryError> {
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {ANSWER_COLUMNS} FROM answers {filter} ORDER BY position, id"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params, |row| answer_from_row(row, 0))
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }

    /// What question picking needs from every past answer, without parsing stored grades.
    pub fn answer_stats(&self) -> Result<Vec<AnswerStat>, HistoryError> {
        let mut statement = self
            .conn
            .prepare("SELECT question_id, topics, score, answered_at FROM answers")
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |row| {
                let topics: String = row.get(1)?;
                Ok(AnswerStat {
                    question_id: row.get(0)?,
                    topics: serde_json::from_str(&topics).unwrap_or_default(),
                    score: row.get(2)?,
                    answered_at: row.get(3)?,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }
}

const ANSWER_COLUMNS: &str = "position, question_id, question, reference, level, topics, answer, \
    skipped, score, keyword_score, llm_score, llm_feedback, method, grade, hints, seconds, answered_at";

fn answer_from_row(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<AnswerRecord> {
    let column = |i: usize| first + i;
    let level: String = row.get(column(4))?;
    let topics: String = row.get(column(5))?;
    let grade: String = row.get(column(13))?;
    let hints: String = row.get(column(14))?;
    // The `skipped` column decides: rows from every version of sobes set it.
    let skipped: bool = row.get(column(7))?;
    let method: String = row.get(column(12))?;
    let json_error = |i: usize, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    Ok(AnswerRecord {
        position: row.get::<_, i64>(column(0))?.max(0) as usize,
        question_id: row.get(column(1))?,
        question: row.get(column(2))?,
        reference: row.get(column(3))?,
        level: Level::from_tag(&level).unwrap_or(Level::Junior),
        topics: serde_json::from_str(&topics).map_err(|e| json_error(column(5), e))?,
        answer: row.get(column(6))?,
        method: if skipped {
            Method::Skipped
        } else {
            // Rows written by other versions may hold a word this one does not know: the
            // score is what counts, and the rubric is the safe name for it.
            Method::parse(&method).unwrap_or(Method::Keyword)
        },
        score: row.get(column(8))?,
        keyword_score: row.get(column(9))?,
        llm_score: row.get(column(10))?,
        llm_feedback: row.get(column(11))?,
        grade: serde_json::from_str(&grade).map_err(|e| json_error(column(13), e))?,
        hints: serde_json::from_str(&hints).map_err(|e| json_error(column(14), e))?,
        seconds: row.get(column(15))?,
        answered_at: row.get(column(16))?,
    })
}

/// A read-only connection to `path` as an immutable file (no locks, no `-shm`).
fn open_immutable(path: &Path) -> Result<Connection, HistoryError> {
    let encoded: String = path
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'.' | b'_' | b'-' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    Connection::open_with_flags(
        format!("file:{encoded}?immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(path, e))
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Turn SQLite's error into one that says what the user can do.
fn classify(path: &Path, e: rusqlite::Error) -> HistoryError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => HistoryError::Corrupt {
            path,
            message: e.to_string(),
        },
        Some(ErrorCode::ReadOnly) => HistoryError::ReadOnly { path },
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => HistoryError::Open {
            path,
            message: e.to_string(),
        },
        _ => HistoryError::Sql { path, reason: e },
    }
}

#[cfg(test)]
mod tests;

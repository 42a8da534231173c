//! The SQLite cache of LLM grades, in its own file in the user's cache directory
//! (`~/.cache/sobes/llm-cache.sqlite3`, or `$SOBES_CACHE_DIR`).
//!
//! Grades are keyed by a SHA-256 of model, prompt (with a fixed delimiter) and answer, so
//! regrading the same answers costs nothing. The cache also remembers, per base URL, whether a
//! server accepts `response_format` `json_schema`. Schema changes go through numbered
//! migrations recorded in `schema_migrations`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use crate::cache_db::CacheError;
use crate::cache_db::{self, now};
use rusqlite::{params, Connection, OptionalExtension};

use super::reply::Verdict;

/// The cache file's name inside the cache directory.
pub const FILE_NAME: &str = "llm-cache.sqlite3";

/// Each migration runs once, in order, inside a transaction.
const MIGRATIONS: &[&str] = &["CREATE TABLE grades (
         key TEXT PRIMARY KEY,
         model TEXT NOT NULL,
         verdict TEXT NOT NULL,
         created_at INTEGER NOT NULL
     );
     CREATE TABLE servers (
         base_url TEXT PRIMARY KEY,
         json_schema_ok INTEGER NOT NULL,
         reason TEXT NOT NULL,
         updated_at INTEGER NOT NULL
     );"];

/// An open cache database. Safe to share between threads.
#[derive(Debug)]
pub struct Cache {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Cache {
    /// Open (creating if needed) the cache in the user's cache directory.
    pub fn open_default() -> Result<Cache, CacheError> {
        Cache::open(&cache_db::default_path(FILE_NAME)?)
    }

    /// Open (creating if needed) the cache at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Cache, CacheError> {
        let conn = cache_db::open(path, MIGRATIONS)?;
        Ok(Cache {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        let conn = self.conn.lock().ok()?;
        f(&conn).ok()
    }

    /// A cached grade, if any.
    pub fn get(&self, key: &str) -> Option<Verdict> {
        let text: String = self
            .with(|c| {
                c.query_row(
                    "SELECT verdict FROM grades WHERE key = ?1",
                    params![key],
                    |r| r.get(0),
                )
                .optional()
            })
            .flatten()?;
        serde_json::from_str(&text).ok()
    }

    /// Remember a grade. A cache that cannot be written is not an error: the grade stands.
    pub fn put(&self, key: &str, model: &str, verdict: &Verdict) {
        let Ok(text) = serde_json::to_string(verdict) else {
            return;
        };
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO grades (key, model, verdict, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![key, model, text, now()],
            )
        });
    }

    /// Whether the server at `base_url` accepts `json_schema`, when known.
    pub fn json_schema_ok(&self, base_url: &str) -> Option<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT json_schema_ok FROM servers WHERE base_url = ?1",
                params![base_url],
                |r| r.get::<_, bool>(0),
            )
            .optional()
        })
        .flatten()
    }

    pub fn set_json_schema_ok(&self, base_url: &str, ok: bool, reason: &str) {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO servers (base_url, json_schema_ok, reason, updated_at) VALUES (?1, ?2, ?3, ?4)",
                params![base_url, ok, reason, now()],
            )
        });
    }

    /// The number of cached grades.
    pub fn len(&self) -> usize {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM grades", [], |r| r.get::<_, i64>(0)))
            .map_or(0, |n| n.max(0) as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The schema version: the number of migrations applied.
    pub fn schema_version(&self) -> u32 {
        self.with(|c| {
            c.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
        })
        .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict() -> Verdict {
        Verdict {
            score: 7.0,
            covered: vec!["a".into()],
            missed: vec![],
            feedback: "ok".into(),
            quotes: vec![],
            invented_quotes: 0,
        }
    }

    #[test]
    fn grades_and_server_facts_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join(FILE_NAME);
        {
            let cache = Cache::open(&path).unwrap();
            assert_eq!(cache.schema_version(), MIGRATIONS.len() as u32);
            assert!(cache.is_empty());
            assert_eq!(cache.get("k"), None);
            cache.put("k", "m", &verdict());
            assert_eq!(cache.json_schema_ok("http://x/v1"), None);
            cache.set_json_schema_ok("http://x/v1", false, "HTTP 500");
        }
        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.get("k"), Some(verdict()));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.json_schema_ok("http://x/v1"), Some(false));
        assert_eq!(cache.json_schema_ok("http://y/v1"), None);
        assert_eq!(cache.schema_version(), MIGRATIONS.len() as u32);
    }

    #[test]
    fn an_unwritable_location_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(Cache::open(&file.join("sub").join(FILE_NAME)).is_err());
    }
}

//! The SQLite files the caches live in (`llm-cache.sqlite3`, `embeddings-cache.sqlite3`):
//! opening, sharing between processes, and numbered schema migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CacheError {
    #[error("cannot create the cache directory {path}: {reason}")]
    Dir {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("cache database {path}: {reason}")]
    Db {
        path: PathBuf,
        reason: rusqlite::Error,
    },
    #[error("no cache directory could be determined (set SOBES_CACHE_DIR)")]
    NoDir,
}

/// Seconds since the Unix epoch, as the caches store times.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `name` in the user's cache directory.
pub fn default_path(name: &str) -> Result<PathBuf, CacheError> {
    Ok(crate::config::cache_dir()
        .ok_or(CacheError::NoDir)?
        .join(name))
}

/// Open (creating if needed) a cache file at `path` and apply the `migrations` it lacks; each
/// runs once, in order, inside a transaction, recorded in `schema_migrations`.
pub fn open(path: &Path, migrations: &[&str]) -> Result<Connection, CacheError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|reason| CacheError::Dir {
            path: dir.to_path_buf(),
            reason,
        })?;
    }
    let db = |reason| CacheError::Db {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = Connection::open(path).map_err(db)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
    // WAL lets several sobes processes share the file; ignore filesystems without it.
    // NORMAL sync: a crash may lose the last entries, never corrupt the file, and a cache
    // does not need an fsync per entry.
    let _ = conn.pragma_update(None, "journal_mode", "WAL");
    let _ = conn.pragma_update(None, "synchronous", "NORMAL");
    migrate(&mut conn, migrations).map_err(db)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, migrations: &[&str]) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at INTEGER NOT NULL
         );",
    )?;
    let tx = conn.transaction()?;
    let current: u32 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    for (i, sql) in migrations.iter().enumerate() {
        let version = i as u32 + 1;
        if version > current {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, now()],
            )?;
        }
    }
    tx.commit()
}

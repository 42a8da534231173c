//! The SQLite cache of embedding vectors, in its own file next to the LLM cache
//! (`~/.cache/sobes/embeddings-cache.sqlite3`, or `$SOBES_CACHE_DIR`).
//!
//! A vector is keyed by a SHA-256 of the base URL, the model and the text as sent (the
//! `query_prefix` included), so the same concept label is embedded once across runs, and
//! another server, model or prefix is a new entry. Vectors are stored as little-endian `f32`
//! blobs. Schema changes go through numbered migrations recorded in `schema_migrations`.
//! A cache that cannot be written is not an error: the vectors stand.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use crate::cache_db::CacheError;
use crate::cache_db::{self, now};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// The cache file's name inside the cache directory.
pub const FILE_NAME: &str = "embeddings-cache.sqlite3";

/// Each migration runs once, in order, inside a transaction.
const MIGRATIONS: &[&str] = &["CREATE TABLE vectors (
         key TEXT PRIMARY KEY,
         model TEXT NOT NULL,
         dim INTEGER NOT NULL,
         vector BLOB NOT NULL,
         created_at INTEGER NOT NULL
     );"];

/// The cache key of one text: SHA-256 over the length-prefixed base URL (as normalised by
/// [`super::client::normalized_base_url`]), model and text as sent, in hex.
pub fn cache_key(base_url: &str, model: &str, sent_text: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [base_url, model, sent_text] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An open cache database. Safe to share between threads.
#[derive(Debug)]
pub struct EmbedCache {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn to_blob(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector, or `None` for a blob that is not one (wrong length, non-finite numbers).
fn from_blob(blob: &[u8], dim: i64) -> Option<Vec<f32>> {
    if blob.is_empty() || blob.len() % 4 != 0 || usize::try_from(dim).ok()? != blob.len() / 4 {
        return None;
    }
    let vector: Vec<f32> = blob
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    vector.iter().all(|x| x.is_finite()).then_some(vector)
}

impl EmbedCache {
    /// Open (creating if needed) the cache in the user's cache directory.
    pub fn open_default() -> Result<EmbedCache, CacheError> {
        EmbedCache::open(&cache_db::default_path(FILE_NAME)?)
    }

    /// Open (creating if needed) the cache at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<EmbedCache, CacheError> {
        let conn = cache_db::open(path, MIGRATIONS)?;
        Ok(EmbedCache {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached vector of each key, in order (`None` for a miss or an unreadable entry).
    pub fn get_many(&self, keys: &[String]) -> Vec<Option<Vec<f32>>> {
        let Ok(conn) = self.conn.lock() else {
            return vec![None; keys.len()];
        };
        let Ok(mut statement) =
            conn.prepare_cached("SELECT vector, dim FROM vectors WHERE key = ?1")
        else {
            return vec![None; keys.len()];
        };
        keys.iter()
            .map(|key| {
                statement
                    .query_row(params![key], |r| {
                        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
                    })
                    .optional()
                    .ok()
                    .flatten()
                    .and_then(|(blob, dim)| from_blob(&blob, dim))
            })
            .collect()
    }

    /// Remember vectors, in one transaction. Failures are ignored: a cache is an optimisation.
    pub fn put_many(&self, model: &str, entries: &[(String, Vec<f32>)]) {
        let Ok(mut conn) = self.conn.lock() else {
            return;
        };
        let write = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            {
                let mut statement = tx.prepare_cached(
                    "INSERT OR REPLACE INTO vectors (key, model, dim, vector, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                let created = now();
                for (key, vector) in entries {
                    statement.execute(params![
                        key,
                        model,
                        vector.len() as i64,
                        to_blob(vector),
                        created
                    ])?;
                }
            }
            tx.commit()
        };
        let _ = write(&mut conn);
    }

    /// The number of cached vectors.
    pub fn len(&self) -> usize {
        self.conn
            .lock()
            .ok()
            .and_then(|c| {
                c.query_row("SELECT COUNT(*) FROM vectors", [], |r| r.get::<_, i64>(0))
                    .ok()
            })
            .map_or(0, |n| n.max(0) as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The schema version: the number of migrations applied.
    pub fn schema_version(&self) -> u32 {
        self.conn
            .lock()
            .ok()
            .and_then(|c| {
                c.query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [],
                    |r| r.get(0),
                )
                .ok()
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_survive_reopening_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join(FILE_NAME);
        let a = vec![0.25f32, -1.5, 3.0e-8, f32::MAX];
        {
            let cache = EmbedCache::open(&path).unwrap();
            assert_eq!(cache.schema_version(), MIGRATIONS.len() as u32);
            assert!(cache.is_empty());
            cache.put_many("m", &[("a".into(), a.clone()), ("b".into(), vec![1.0])]);
        }
        let cache = EmbedCache::open(&path).unwrap();
        assert_eq!(cache.len(), 2);
        assert_eq!(
            cache.get_many(&["b".into(), "missing".into(), "a".into()]),
            vec![Some(vec![1.0]), None, Some(a)]
        );
        assert_eq!(cache.schema_version(), MIGRATIONS.len() as u32);
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let cache = EmbedCache::open(&path).unwrap();
        {
            let conn = cache.conn.lock().unwrap();
            for (key, dim, blob) in [
                ("short", 2i64, vec![0u8; 5]),
                ("dim", 3, vec![0u8; 8]),
                ("nan", 1, f32::NAN.to_le_bytes().to_vec()),
                ("empty", 0, vec![]),
            ] {
                conn.execute(
                    "INSERT INTO vectors VALUES (?1, 'm', ?2, ?3, 0)",
                    params![key, dim, blob],
                )
                .unwrap();
            }
        }
        let keys: Vec<String> = ["short", "dim", "nan", "empty"].map(String::from).into();
        assert_eq!(cache.get_many(&keys), vec![None; 4]);
    }

    #[test]
    fn keys_separate_server_model_and_text() {
        let k = cache_key("http://a/v1", "m", "query: x");
        assert_eq!(k.len(), 64);
        assert_eq!(k, cache_key("http://a/v1", "m", "query: x"));
        assert_ne!(k, cache_key("http://b/v1", "m", "query: x"));
        assert_ne!(k, cache_key("http://a/v1", "m2", "query: x"));
        assert_ne!(k, cache_key("http://a/v1", "m", "x"));
        // Length prefixes: moving a boundary changes the key.
        assert_ne!(cache_key("ab", "c", "d"), cache_key("a", "bc", "d"));
    }

    #[test]
    fn an_unwritable_location_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(EmbedCache::open(&file.join("sub").join(FILE_NAME)).is_err());
    }
}

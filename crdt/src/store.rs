//! The local store: one SQLite file in the data directory, used by one process at a time.
//!
//! Opening a store takes an exclusive lock on `nabij.lock` beside the database before the database
//! is touched, so a second instance on the same data directory gets [`StoreError::InUse`] instead
//! of writing to a file another process has open. The lock is released by the operating system
//! when the process ends, however it ends.
//!
//! The schema is built by numbered migrations ([`migration`]); `PRAGMA user_version` records the
//! last one applied. A store written by a newer Nabij is refused, never downgraded.

pub mod migration;

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::preference::Language;

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "nabij.db";
/// File name of the single-instance lock inside the data directory.
pub const LOCK_FILE: &str = "nabij.lock";

/// Why the store could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created or the lock file not opened.
    #[error("cannot use data directory {dir}: {source}")]
    DataDir {
        /// The data directory.
        dir: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Another Nabij process has this data directory open.
    #[error("the data directory {dir} is already in use by another Nabij window or process")]
    InUse {
        /// The data directory.
        dir: PathBuf,
    },
    /// The database file could not be opened.
    #[error("cannot open database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of Nabij.
    #[error("the store has schema version {found}; this Nabij understands up to {supported}")]
    NewerSchema {
        /// Schema version found in the file.
        found: u32,
        /// Highest version this build knows.
        supported: u32,
    },
    /// A schema migration failed; the store is left at the version before it.
    #[error("schema migration {version} failed: {source}")]
    Migrate {
        /// The migration that failed.
        version: u32,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A query on an open store failed.
    #[error("store query failed: {0}")]
    Query(#[from] rusqlite::Error),
}

/// What the store looks like, for the status screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStatus {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The database file inside it.
    pub database_file: PathBuf,
    /// The schema version of the database.
    pub schema_version: u32,
    /// Number of cases in the store.
    pub case_count: u64,
}

/// An open store. Dropping it closes the database and releases the data directory.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
    // Held for its lock; closed (and so unlocked) after `conn` on drop.
    _lock: File,
}

impl Store {
    /// Open (or create) the store in `data_dir`, migrating it to the current schema.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let dir_error = |source| StoreError::DataDir {
            dir: data_dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(dir_error)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(data_dir.join(LOCK_FILE))
            .map_err(dir_error)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::InUse {
                    dir: data_dir.to_path_buf(),
                });
            }
            Err(TryLockError::Error(source)) => return Err(dir_error(source)),
        }
        let path = data_dir.join(DATABASE_FILE);
        let mut conn =
            Connection::open(&path).map_err(|source| StoreError::Open { path, source })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migration::migrate(&mut conn)?;
        Ok(Self {
            conn,
            data_dir: data_dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// The data directory this store lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where the data lives, which schema it has and how many cases it holds.
    pub fn status(&self) -> Result<StoreStatus, StoreError> {
        let schema_version = migration::version(&self.conn)?;
        let case_count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM case_list", [], |r| r.get(0))?;
        Ok(StoreStatus {
            data_dir: self.data_dir.clone(),
            database_file: self.data_dir.join(DATABASE_FILE),
            schema_version,
            case_count: u64::try_from(case_count).unwrap_or(0),
        })
    }

    /// The language this device's user chose, if any.
    pub fn language(&self) -> Result<Option<Language>, StoreError> {
        let code: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM device_setting WHERE key = 'language'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(code.as_deref().and_then(Language::from_code))
    }

    /// Remember the language this device's user chose.
    pub fn set_language(&self, language: Language) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO device_setting (key, value) VALUES ('language', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [language.code()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_store_reports_its_place_schema_and_no_cases() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let status = store.status().unwrap();
        assert_eq!(status.data_dir, dir.path());
        assert_eq!(status.database_file, dir.path().join(DATABASE_FILE));
        assert_eq!(status.schema_version, migration::CURRENT_VERSION);
        assert_eq!(status.case_count, 0);
        assert!(status.database_file.is_file());
    }

    #[test]
    fn second_open_of_same_directory_is_refused_until_first_closes() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap();
        first.set_language(Language::En).unwrap();
        let second = Store::open(dir.path());
        assert!(
            matches!(second, Err(StoreError::InUse { .. })),
            "got {second:?}"
        );
        drop(first);
        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(
            reopened.language().unwrap(),
            Some(Language::En),
            "data survived the refusal"
        );
    }

    #[test]
    fn language_defaults_to_none_and_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.language().unwrap(), None);
        store.set_language(Language::NlBe).unwrap();
        store.set_language(Language::En).unwrap();
        assert_eq!(store.language().unwrap(), Some(Language::En));
    }

    #[test]
    fn unusable_data_directory_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = Store::open(&file).unwrap_err();
        assert!(matches!(err, StoreError::DataDir { .. }), "got {err:?}");
    }
}

//! The local store: one SQLite file in the data directory, used by one process at a time.
//!
//! Opening a store takes an exclusive lock on `nabij.lock` beside the database before the database
//! is touched, so a second instance on the same data directory gets [`StoreError::InUse`] instead
//! of writing to a file another process has open. The lock is released by the operating system
//! when the process ends, however it ends.
//!
//! The whole file is encrypted with SQLCipher using a raw 256-bit key from a [`key::KeySource`]
//! (the OS keyring in the app, a key file for headless use). A wrong or missing key is an error;
//! an existing store is never replaced by a new empty one.
//!
//! The schema is built by numbered migrations ([`migration`]); `PRAGMA user_version` records the
//! last one applied. A store written by a newer Nabij is refused, never downgraded.
//!
//! Documents are stored as chunks ([`document`]): each edit appends the incremental change bytes
//! with a checksum, and the document's heads are stored beside them and checked on load. The
//! query tables ([`projection`]) are updated in the same transaction as the document write, so a
//! write is acknowledged only when the document and its projections are durable together.
//! Durability: WAL with `synchronous=FULL` (each commit is fsynced before it returns).

pub(crate) mod caseload;
mod cases;
mod changes;
mod codes;
mod corrections;
mod directory;
pub mod document;
mod followup;
mod frontdoor;
pub mod inspect;
mod intake;
pub mod invitation;
pub mod key;
pub mod migration;
pub mod permissions;
pub mod profile;
mod projection;
mod referrals;
pub mod search;
mod signatures;
mod sync;
pub mod table;
pub(crate) mod team_rules;
mod teams;
mod unit;

pub use caseload::{
    CaseFilter, CaseHit, CasePage, CaseSort, CaseSummary, HitField, HitPage, SEARCH_WORD_MIN,
};
pub use cases::TaskDue;
pub use corrections::RemovedCase;
pub use directory::{Imported, PartnerRow};
pub use followup::{DueGroup, DueWhen};
pub(crate) use intake::fold;
pub use intake::{ClientMatch, IntakeRow};
pub use key::{KeyError, KeySource};
pub use referrals::PartnerFigures;
pub use signatures::SignedDocument;
pub use table::referral::{Inbox, ReferralRow};

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OptionalExtension};

use crate::doc::{DocError, DocKind};

use crate::preference::Language;

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "nabij.db";
/// File name of the single-instance lock inside the data directory.
pub const LOCK_FILE: &str = "nabij.lock";
/// Extra tries (25 ms apart) to take the lock before the directory counts as in use.
const LOCK_ATTEMPTS: u32 = 8;

/// Why the store could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A PDF could not be made.
    #[error("cannot make the PDF: {0}")]
    Print(#[from] crate::print::PrintError),
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
    /// This device's key (which signs every change written here) is not loaded, or is not the
    /// key of the device the profile names.
    #[error("this device's key is not available: {0}")]
    DeviceKey(String),
    /// A schema migration failed; the store is left at the version before it.
    #[error("schema migration {version} failed: {source}")]
    Migrate {
        /// The migration that failed.
        version: u32,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The key is wrong for this store (or the file is not a Nabij store).
    #[error("the database key does not open {path} (wrong key, or not a Nabij store)")]
    WrongKey {
        /// The database file.
        path: PathBuf,
    },
    /// The key could not be had.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A query on an open store failed.
    #[error("store query failed: {0}")]
    Query(#[from] rusqlite::Error),
    /// No document with this id is in the store.
    #[error("no {kind} with id {id} in this store")]
    NotFound {
        /// The kind asked for.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// The stored bytes of a document are damaged; the document is not used.
    #[error("document {id} is damaged: {detail}")]
    Corrupt {
        /// The document id.
        id: String,
        /// What is wrong.
        detail: String,
    },
    /// The document or the requested change is not valid; nothing was stored.
    #[error(transparent)]
    Document(#[from] DocError),
    /// A change is not signed by the device that wrote it (or this device holds no key for the
    /// author it writes as).
    #[error("unsigned change: {0}")]
    Unsigned(#[from] crate::signature::SignatureError),
    /// A document from elsewhere was written (in part) by a device that may not write it, or
    /// under another name than its own; nothing was stored.
    #[error("document {id} refused: {detail}")]
    Refused {
        /// The document id.
        id: String,
        /// What was written that may not be.
        detail: String,
    },
    /// A CSV file of partners has bad lines; nothing of it was stored.
    #[error("the file cannot be imported: {0}")]
    Import(#[from] crate::team::import::BadFile),
    /// Joining a team failed on this side (an answer that is not valid, no randomness, an
    /// unreadable invitation record); nothing was stored.
    #[error("joining the team failed: {0}")]
    Join(String),
}

impl From<crate::input::InputError> for StoreError {
    fn from(error: crate::input::InputError) -> Self {
        StoreError::Document(DocError::Input(error))
    }
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
    /// Number of tasks not done, over all cases.
    pub open_tasks: u64,
    /// Whether the file is encrypted.
    pub encrypted: bool,
}

/// An open store. Dropping it closes the database and releases the data directory.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
    encrypted: bool,
    cache: document::Cache,
    /// Inside a sync batch (see `Store::begin_batch_tx`): why a write in it failed.
    batch_error: Option<String>,
    /// This device's secret key, which signs every change written here (see
    /// [`Store::set_device_key`]).
    device_key: Option<iroh::SecretKey>,
    /// The open units of work (see `Store::all_or_nothing`).
    units: unit::Units,
    // Held for its lock; closed (and so unlocked) after `conn` on drop.
    _lock: File,
}

/// The SQLite file beside the database named `<database><suffix>` (`-wal`, `-shm`).
fn sidecar(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

impl Store {
    /// Open (or create) the store in `data_dir` with the key from `key`, migrating it to the
    /// current schema.
    pub fn open(data_dir: &Path, key: &KeySource) -> Result<Self, StoreError> {
        let dir_error = |source| StoreError::DataDir {
            dir: data_dir.to_path_buf(),
            source,
        };
        permissions::private_dir(data_dir).map_err(dir_error)?;
        let lock_path = data_dir.join(LOCK_FILE);
        permissions::private_file(&lock_path).map_err(dir_error)?;
        let lock = OpenOptions::new()
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(dir_error)?;
        // A process that forks (to start a helper) holds a copy of the lock for a moment
        // between fork and exec: try a few times before calling the directory in use.
        let mut attempts = 0;
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if attempts < LOCK_ATTEMPTS => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(StoreError::InUse {
                        dir: data_dir.to_path_buf(),
                    });
                }
                Err(TryLockError::Error(source)) => return Err(dir_error(source)),
            }
        }
        let path = data_dir.join(DATABASE_FILE);
        let exists = path.metadata().map(|m| m.len() > 0).unwrap_or(false);
        let key = key.obtain(!exists)?;
        // Made (empty) with mode 0600 before SQLite opens it; its -wal and -shm follow its mode.
        permissions::private_file(&path).map_err(dir_error)?;
        let mut conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        if let Some(key) = &key {
            conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
            conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex()))?;
        }
        // The first read tells whether the key fits.
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::NotADatabase => {
                return Err(StoreError::WrongKey { path });
            }
            Err(source) => return Err(StoreError::Open { path, source }),
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A store from before this rule may have wider -wal and -shm files.
        let wal = sidecar(&path, "-wal");
        let shm = sidecar(&path, "-shm");
        permissions::tighten_files(&[&wal, &shm]).map_err(dir_error)?;
        let found = migration::migrate(&mut conn)?;
        changes::install(&conn)?;
        let mut store = Self {
            conn,
            data_dir: data_dir.to_path_buf(),
            encrypted: key.is_some(),
            cache: document::Cache::new(document::CACHE_DOCUMENTS),
            batch_error: None,
            device_key: None,
            units: unit::Units::default(),
            _lock: lock,
        };
        if found > 0 && found < caseload::CASELOAD_COLUMNS_SINCE {
            store.reproject(DocKind::Case)?;
        }
        if found > 0 && found < migration::INTAKE_NAMES {
            store.reproject(DocKind::Intake)?;
        }
        if found > 0 && found < migration::REFERRAL_MILESTONES {
            store.reproject(DocKind::Referral)?;
        }
        if found > 0 && found < migration::PARTNER_DIRECTORY {
            store.reproject(DocKind::Team)?;
        }
        Ok(store)
    }

    /// The data directory this store lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where the data lives, which schema it has and how many cases it holds.
    pub fn status(&self) -> Result<StoreStatus, StoreError> {
        let schema_version = migration::version(&self.conn)?;
        let (case_count, open_tasks): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM case_list), (SELECT count(*) FROM task WHERE done = 0)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(StoreStatus {
            data_dir: self.data_dir.clone(),
            database_file: self.data_dir.join(DATABASE_FILE),
            schema_version,
            case_count: u64::try_from(case_count).unwrap_or(0),
            open_tasks: u64::try_from(open_tasks).unwrap_or(0),
            encrypted: self.encrypted,
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
        let store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
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
        let first = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        first.set_language(Language::En).unwrap();
        let second = Store::open(dir.path(), &KeySource::Unencrypted);
        assert!(
            matches!(second, Err(StoreError::InUse { .. })),
            "got {second:?}"
        );
        drop(first);
        let reopened = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        assert_eq!(
            reopened.language().unwrap(),
            Some(Language::En),
            "data survived the refusal"
        );
    }

    #[test]
    fn language_defaults_to_none_and_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
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
        let err = Store::open(&file, &KeySource::Unencrypted).unwrap_err();
        assert!(matches!(err, StoreError::DataDir { .. }), "got {err:?}");
    }
}

#[cfg(test)]
mod engine_smoke {
    use super::*;
    use crate::author::Author;
    use crate::case::{ContactKind, NewCase, NewJournalEntry, NewTask};
    use crate::id::{MemberId, TeamId};

    #[test]
    fn create_edit_reopen_list_search_in_an_encrypted_store() {
        let dir = tempfile::tempdir().unwrap();
        let key = KeySource::File(dir.path().join("key"));
        let me = Author::generate(MemberId::random());
        let team = TeamId::random();
        let id = {
            let mut store = Store::open(dir.path(), &key).unwrap();
            let id = store
                .create_case(
                    &me,
                    &team,
                    NewCase {
                        client_name: "Çelik Ayşe".into(),
                        ..Default::default()
                    },
                )
                .unwrap();
            for i in 0..40 {
                store
                    .edit_case(&me, &id, |c| {
                        c.add_journal_entry(NewJournalEntry {
                            date: Some(format!("2026-10-{:02}", i % 28 + 1)),
                            kind: ContactKind::Call,
                            text: format!("Gesprek {i} over huurachterstand"),
                            themes: vec!["housing".into()],
                        })
                    })
                    .unwrap();
            }
            store
                .edit_case(&me, &id, |c| {
                    c.add_task(NewTask {
                        title: "Bel OCMW".into(),
                        due: Some("2026-12-01".into()),
                        assignee: None,
                    })
                })
                .unwrap();
            id
        };
        let mut store = Store::open(dir.path(), &key).unwrap();
        let case = store.open_case(&id).unwrap();
        assert_eq!(case.journal.len(), 40);
        assert_eq!(store.status().unwrap().case_count, 1);
        assert_eq!(store.status().unwrap().open_tasks, 1);
        let list = store.list_cases(&CaseFilter::default()).unwrap();
        assert_eq!(list[0].themes, vec!["housing".to_string()]);
        assert_eq!(list[0].last_activity, "2026-10-28");
        let hits = store.search("celik", 10).unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(store.search("huurachter", 10).unwrap().len(), 1);
        drop(store);
        let wrong = KeySource::File(dir.path().join("other-key"));
        std::fs::write(dir.path().join("other-key"), "ab".repeat(32)).unwrap();
        assert!(matches!(
            Store::open(dir.path(), &wrong),
            Err(StoreError::WrongKey { .. })
        ));
    }
}

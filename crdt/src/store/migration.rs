//! Numbered schema migrations. Migration `n` takes the schema from version `n - 1` to `n`;
//! each runs in its own transaction together with the `user_version` bump, so a failed migration
//! leaves the store at the previous version. Never edit a migration that has been released: add one.

use rusqlite::Connection;

use super::StoreError;
use super::table::{self, Step};

/// The parts of the schema that are not query tables: device settings, documents as
/// checksummed chunks, and the signature of every change. The query tables' parts are in their
/// own files (`table/*.rs`); migration `n` runs every part made by `n`, these first.
const STORAGE: &[Step] = &[
    Step(
        1,
        "CREATE TABLE device_setting (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE document (
            doc_id      TEXT PRIMARY KEY,
            kind        TEXT NOT NULL,
            heads       BLOB NOT NULL,
            chunk_count INTEGER NOT NULL,
            byte_count  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE document_chunk (
            doc_id   TEXT NOT NULL REFERENCES document (doc_id) ON DELETE CASCADE,
            seq      INTEGER NOT NULL,
            data     BLOB NOT NULL,
            checksum BLOB NOT NULL,
            PRIMARY KEY (doc_id, seq)
        ) STRICT;",
    ),
    // Every change's signature by its author's device key, kept beside the document; the
    // documents stored before signatures existed are marked legacy (kept and usable on this
    // device, never exchanged: their changes carry no signature a peer could check).
    Step(
        2,
        "CREATE TABLE change_signature (
            doc_id    TEXT NOT NULL,
            hash      BLOB NOT NULL,
            signature BLOB NOT NULL,
            PRIMARY KEY (doc_id, hash)
        ) STRICT, WITHOUT ROWID;
        ALTER TABLE document ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;
        UPDATE document SET legacy = 1;",
    ),
];

/// The SQL of migration `version`: every part of the schema it makes, storage first, then the
/// query tables in [`table::SCHEMAS`] order.
fn migration_sql(version: u32) -> String {
    std::iter::once(STORAGE)
        .chain(table::SCHEMAS.iter().copied())
        .flatten()
        .filter(|step| step.0 == version)
        .map(|step| step.1)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The schema version from which the intake queue has names (migration 5).
pub(crate) const INTAKE_NAMES: u32 = 5;

/// The schema version from which referrals have their milestones (migration 6).
pub(crate) const REFERRAL_MILESTONES: u32 = 6;

/// The schema version from which the partner directory has its table (migration 7).
pub(crate) const PARTNER_DIRECTORY: u32 = 7;

/// The schema version this build writes: the last migration.
pub const CURRENT_VERSION: u32 = 7;

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Bring the database up to [`CURRENT_VERSION`]; returns the version it found.
pub fn migrate(conn: &mut Connection) -> Result<u32, StoreError> {
    let found = version(conn)?;
    if found > CURRENT_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: CURRENT_VERSION,
        });
    }
    for target in found + 1..=CURRENT_VERSION {
        let sql = migration_sql(target);
        let fail = |source| StoreError::Migrate {
            version: target,
            source,
        };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(&sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_empty_database_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), CURRENT_VERSION);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), CURRENT_VERSION);
    }

    #[test]
    fn every_migration_makes_something_and_none_is_past_the_current_version() {
        for version in 1..=CURRENT_VERSION {
            assert!(
                !migration_sql(version).trim().is_empty(),
                "migration {version}"
            );
        }
        let highest = std::iter::once(STORAGE)
            .chain(table::SCHEMAS.iter().copied())
            .flatten()
            .map(|step| step.0)
            .max();
        assert_eq!(highest, Some(CURRENT_VERSION));
    }

    #[test]
    fn refuses_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "got {err:?}");
    }
}

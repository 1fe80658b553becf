//! Numbered schema migrations. Migration `n` takes the schema from version `n - 1` to `n`;
//! each runs in its own transaction together with the `user_version` bump, so a failed migration
//! leaves the store at the previous version. Never edit a migration that has been released: add one.

use rusqlite::Connection;

use super::StoreError;

/// The migrations, in order; `MIGRATIONS[i]` produces schema version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: device settings, documents as checksummed chunks, and the query tables derived from
    // the documents (case list, access, tasks, referral status, intake queue, client index,
    // full-text search).
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
    ) STRICT;
    CREATE TABLE case_list (
        case_id       TEXT PRIMARY KEY,
        client_name   TEXT NOT NULL,
        birth_year    INTEGER,
        owner         TEXT NOT NULL,
        status        TEXT NOT NULL,
        themes        TEXT NOT NULL,
        last_activity TEXT NOT NULL,
        open_tasks    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX case_list_by_activity ON case_list (last_activity DESC);
    CREATE INDEX case_list_by_owner ON case_list (owner, status, last_activity DESC);
    CREATE TABLE case_access (
        case_id TEXT NOT NULL,
        member  TEXT NOT NULL,
        PRIMARY KEY (case_id, member)
    ) STRICT;
    CREATE INDEX case_access_by_member ON case_access (member);
    CREATE TABLE task (
        case_id  TEXT NOT NULL,
        task_id  TEXT NOT NULL,
        title    TEXT NOT NULL,
        due      TEXT,
        assignee TEXT,
        done     INTEGER NOT NULL,
        PRIMARY KEY (case_id, task_id)
    ) STRICT;
    CREATE INDEX task_by_due ON task (done, due);
    CREATE TABLE referral_status (
        referral_id TEXT PRIMARY KEY,
        case_id     TEXT NOT NULL,
        partner     TEXT NOT NULL,
        status      TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX referral_status_by_case ON referral_status (case_id);
    CREATE TABLE intake_queue (
        item_id       TEXT PRIMARY KEY,
        doc_id        TEXT NOT NULL,
        source        TEXT NOT NULL,
        text          TEXT NOT NULL,
        neighbourhood TEXT,
        urgency       TEXT NOT NULL,
        status        TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        case_id       TEXT
    ) STRICT;
    CREATE INDEX intake_queue_by_status ON intake_queue (status, created_at);
    CREATE TABLE client_index (
        case_id      TEXT PRIMARY KEY,
        team_doc     TEXT NOT NULL,
        display_name TEXT NOT NULL,
        birth_year   INTEGER,
        owner        TEXT NOT NULL
    ) STRICT;
    CREATE TABLE search_source (
        rowid   INTEGER PRIMARY KEY,
        doc_id  TEXT NOT NULL,
        item_id TEXT NOT NULL,
        field   TEXT NOT NULL,
        body    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX search_source_by_doc ON search_source (doc_id, item_id, field);
    CREATE VIRTUAL TABLE search_text USING fts5 (
        body,
        content = 'search_source',
        content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    );
    CREATE TRIGGER search_source_ai AFTER INSERT ON search_source BEGIN
        INSERT INTO search_text (rowid, body) VALUES (new.rowid, new.body);
    END;
    CREATE TRIGGER search_source_ad AFTER DELETE ON search_source BEGIN
        INSERT INTO search_text (search_text, rowid, body) VALUES ('delete', old.rowid, old.body);
    END;",
    // 2: every change's signature by its author's device key, kept beside the document; the
    // documents stored before signatures existed are marked legacy (kept and usable on this
    // device, never exchanged: their changes carry no signature a peer could check).
    "CREATE TABLE change_signature (
        doc_id    TEXT NOT NULL,
        hash      BLOB NOT NULL,
        signature BLOB NOT NULL,
        PRIMARY KEY (doc_id, hash)
    ) STRICT, WITHOUT ROWID;
    ALTER TABLE document ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;
    UPDATE document SET legacy = 1;",
    // 3: cases removed by mistake (a duplicate), left out of the case list and search but
    // listed here so that their owner (or an admin) can undo the removal. Derived from the case
    // documents like the other query tables; the rebuild fills it.
    "CREATE TABLE case_removed (
        case_id     TEXT PRIMARY KEY,
        client_name TEXT NOT NULL,
        owner       TEXT NOT NULL,
        reason      TEXT NOT NULL,
        removed_by  TEXT NOT NULL,
        removed_at  INTEGER NOT NULL
    ) STRICT;",
    // 4: the caseload pages in the engine: a folded name to sort by (`Çelik` among the C's), and
    // how many fields of each case were set differently on two devices (the conflicts list),
    // filled by `Store::open` for the cases already stored; and the case of each search row in
    // a small index, so that a search counts the cases a common word matches quickly.
    "ALTER TABLE case_list ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE case_list ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX case_list_by_name ON case_list (sort_name, case_id);
    CREATE INDEX case_list_with_conflicts ON case_list (conflicts) WHERE conflicts > 0;
    CREATE INDEX search_source_doc_by_row ON search_source (rowid, doc_id);",
    // 5: the intake queue shows the name and theme given at the front door. Rows of stores
    // from before are filled in by projecting the intake documents again when the store
    // opens (see `Store::open`).
    "ALTER TABLE intake_queue ADD COLUMN name TEXT;
    ALTER TABLE intake_queue ADD COLUMN theme TEXT;",
];

/// The schema version from which the intake queue has names (migration 5).
pub(crate) const INTAKE_NAMES: u32 = 5;

/// The schema version this build writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

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
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let target = index as u32 + 1;
        let fail = |source| StoreError::Migrate {
            version: target,
            source,
        };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
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
    fn refuses_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "got {err:?}");
    }
}

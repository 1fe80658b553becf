//! Which documents changed since the last look, for whoever must react (the sync node pushes
//! local edits; the app refreshes what it shows after a sync). Temporary triggers on the
//! `document` table note every written document in a temporary table of this connection, in the
//! same transaction as the write (a rolled-back write leaves no note). Nothing is stored on disk.

use super::{Store, StoreError};

/// Create the temporary table and triggers on a freshly opened connection.
pub(super) fn install(conn: &rusqlite::Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch(
        "PRAGMA temp_store = MEMORY;
         CREATE TEMP TABLE IF NOT EXISTS changed_document (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
         CREATE TEMP TRIGGER IF NOT EXISTS changed_document_insert AFTER INSERT ON main.document
         BEGIN INSERT OR IGNORE INTO changed_document (doc_id) VALUES (new.doc_id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS changed_document_update AFTER UPDATE OF heads ON main.document
         BEGIN INSERT OR IGNORE INTO changed_document (doc_id) VALUES (new.doc_id); END;",
    )
}

impl Store {
    /// The documents written since the last call (by edits, merges or sync), sorted by id,
    /// and forget them.
    pub fn take_changed(&mut self) -> Result<Vec<String>, StoreError> {
        let tx = self.conn.transaction()?;
        let ids = {
            let mut stmt =
                tx.prepare_cached("SELECT doc_id FROM temp.changed_document ORDER BY doc_id")?;
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?
        };
        tx.execute("DELETE FROM temp.changed_document", [])?;
        tx.commit()?;
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{KeySource, Store};

    #[test]
    fn edits_are_noted_once_and_rolled_back_writes_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        store.set_device_key(iroh::SecretKey::generate()).unwrap();
        assert!(store.take_changed().unwrap().is_empty());
        let profile = store
            .start_team(
                "Team",
                crate::team::NewMember {
                    name: "An".into(),
                    role: "maatschappelijk werker".into(),
                    organisation: None,
                },
            )
            .unwrap();
        let changed = store.take_changed().unwrap();
        assert!(changed.contains(&profile.team.to_string()));
        assert!(changed.contains(&profile.intake));
        assert!(store.take_changed().unwrap().is_empty(), "taken once");
        // A failed edit (bad input) writes nothing and notes nothing.
        let author = store.author(&profile).unwrap();
        assert!(
            store
                .edit_team(&author, &profile.team, |t| t.set_retention_years(0))
                .is_err()
        );
        assert!(store.take_changed().unwrap().is_empty());
        store
            .edit_team(&author, &profile.team, |t| t.set_retention_years(7))
            .unwrap();
        assert_eq!(
            store.take_changed().unwrap(),
            vec![profile.team.to_string()]
        );
    }
}

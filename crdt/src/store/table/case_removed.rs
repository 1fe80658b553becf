//! `case_removed`: cases removed by mistake (a duplicate), left out of the caseload and search
//! but listed here so that their owner (or an admin) can undo the removal.

use rusqlite::{Connection, params};

use super::Step;
use crate::case::Case;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    3,
    "CREATE TABLE case_removed (
        case_id     TEXT PRIMARY KEY,
        client_name TEXT NOT NULL,
        owner       TEXT NOT NULL,
        reason      TEXT NOT NULL,
        removed_by  TEXT NOT NULL,
        removed_at  INTEGER NOT NULL
    ) STRICT;",
)];

/// Write (or clear) the row of case `id`.
pub(crate) fn write(tx: &Connection, id: &str, case: &Case) -> rusqlite::Result<()> {
    let Some(removal) = &case.removed else {
        tx.prepare_cached("DELETE FROM case_removed WHERE case_id = ?1")?
            .execute([id])?;
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO case_removed (case_id, client_name, owner, reason, removed_by,
                                              removed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        case.client_name(),
        case.owner,
        removal.reason,
        removal.by,
        removal.at
    ])?;
    Ok(())
}

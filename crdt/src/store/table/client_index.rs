//! `client_index`: the front door's index of clients (name, birth year, owner of each case),
//! from the team document. Read by `intake` (who guides this person, the duplicate check).

use rusqlite::{Connection, params};

use super::Step;
use crate::team::Team;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    1,
    "CREATE TABLE client_index (
        case_id      TEXT PRIMARY KEY,
        team_doc     TEXT NOT NULL,
        display_name TEXT NOT NULL,
        birth_year   INTEGER,
        owner        TEXT NOT NULL
    ) STRICT;",
)];

/// Rewrite the rows of team document `id`.
pub(crate) fn write(tx: &Connection, id: &str, team: &Team) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM client_index WHERE team_doc = ?1")?
        .execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO client_index (case_id, team_doc, display_name, birth_year, owner)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (case_id, entry) in &team.client_index {
        insert.execute(params![
            case_id,
            id,
            entry.display_name,
            entry.birth_year,
            entry.owner
        ])?;
    }
    Ok(())
}

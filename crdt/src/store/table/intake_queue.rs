//! `intake_queue`: the items of the team's front-door queue (source, text, urgency, status, the
//! name and theme given, and the case it became or was linked to). Read by `intake`.

use rusqlite::{Connection, params};

use super::Step;
use crate::intake::Intake;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[
    Step(
        1,
        "CREATE TABLE intake_queue (
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
        CREATE INDEX intake_queue_by_status ON intake_queue (status, created_at);",
    ),
    // The queue shows the name and theme given at the front door. Rows of stores from before
    // are filled in by projecting the intake documents again when the store opens.
    Step(
        5,
        "ALTER TABLE intake_queue ADD COLUMN name TEXT;
        ALTER TABLE intake_queue ADD COLUMN theme TEXT;",
    ),
];

/// Rewrite the rows of intake document `id`.
pub(crate) fn write(tx: &Connection, id: &str, intake: &Intake) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM intake_queue WHERE doc_id = ?1")?
        .execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO intake_queue (item_id, doc_id, source, text, neighbourhood,
                                              urgency, status, created_at, case_id, name, theme)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (item_id, item) in &intake.items {
        insert.execute(params![
            item_id,
            id,
            item.source.as_str(),
            item.text,
            item.neighbourhood,
            item.urgency.as_str(),
            item.status.as_str(),
            item.created_at,
            item.case_id,
            item.name,
            item.theme,
        ])?;
    }
    Ok(())
}

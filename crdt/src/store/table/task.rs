//! `task`: the tasks of every case not removed (not the removed tasks), for the follow-up
//! screen and the open-task counts.

use rusqlite::{Connection, params};

use super::Step;
use crate::case::Case;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    1,
    "CREATE TABLE task (
        case_id  TEXT NOT NULL,
        task_id  TEXT NOT NULL,
        title    TEXT NOT NULL,
        due      TEXT,
        assignee TEXT,
        done     INTEGER NOT NULL,
        PRIMARY KEY (case_id, task_id)
    ) STRICT;
    CREATE INDEX task_by_due ON task (done, due);",
)];

/// Rewrite the rows of case `id` (none when the case is removed).
pub(crate) fn write(tx: &Connection, id: &str, case: &Case) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM task WHERE case_id = ?1")?
        .execute([id])?;
    if case.removed.is_some() {
        return Ok(());
    }
    let mut task = tx.prepare_cached(
        "INSERT INTO task (case_id, task_id, title, due, assignee, done)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (task_id, t) in case.tasks.iter().filter(|(t, _)| !case.is_removed(t)) {
        task.execute(params![id, task_id, t.title, t.due, t.assignee, t.done])?;
    }
    Ok(())
}

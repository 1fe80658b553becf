//! `case_access`: who may see each case (its owner and the members allowed on it), one row per
//! member. The caseload's "visible to" filter and the readers of cases (and so of their
//! referrals) come from it.

use rusqlite::Connection;

use super::Step;
use crate::case::Case;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    1,
    "CREATE TABLE case_access (
        case_id TEXT NOT NULL,
        member  TEXT NOT NULL,
        PRIMARY KEY (case_id, member)
    ) STRICT;
    CREATE INDEX case_access_by_member ON case_access (member);",
)];

/// Write the rows of case `id`. Who may hold a case does not change when it is removed: its
/// removal (and an undo) still travel to every device that holds it.
pub(crate) fn write(tx: &Connection, id: &str, case: &Case) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM case_access WHERE case_id = ?1")?
        .execute([id])?;
    let mut access =
        tx.prepare_cached("INSERT OR IGNORE INTO case_access (case_id, member) VALUES (?1, ?2)")?;
    access.execute([id, case.owner.as_str()])?;
    for (member, allowed) in &case.members {
        if *allowed {
            access.execute([id, member.as_str()])?;
        }
    }
    Ok(())
}

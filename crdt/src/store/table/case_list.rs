//! `case_list`: one row per case not removed, for the caseload (name, owner, status, themes,
//! last activity, open tasks, a folded name to sort by, and how many fields are still to
//! settle). Written from the case document in its transaction; read by `caseload`.

use automerge::AutoCommit;
use rusqlite::{Connection, params};

use super::Step;
use crate::case::Case;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[
    Step(
        1,
        "CREATE TABLE case_list (
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
        CREATE INDEX case_list_by_owner ON case_list (owner, status, last_activity DESC);",
    ),
    // The caseload pages in the engine: a folded name to sort by (`Çelik` among the C's), and
    // how many fields of each case were set differently on two devices (the conflicts list).
    Step(
        4,
        "ALTER TABLE case_list ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
        ALTER TABLE case_list ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX case_list_by_name ON case_list (sort_name, case_id);
        CREATE INDEX case_list_with_conflicts ON case_list (conflicts) WHERE conflicts > 0;",
    ),
];

/// Write the row of case `id` (`doc` is its document).
pub(crate) fn write(
    tx: &Connection,
    id: &str,
    case: &Case,
    doc: &AutoCommit,
) -> rusqlite::Result<()> {
    let latest = crate::input::latest_past_date().to_string();
    let last_activity = case
        .last_entry_date(&latest)
        .map(str::to_string)
        .unwrap_or_else(|| crate::date::Date::of_moment(case.created_at).to_string());
    tx.prepare_cached(
        "INSERT INTO case_list (case_id, client_name, birth_year, owner, status, themes,
                                last_activity, open_tasks, sort_name, conflicts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (case_id) DO UPDATE SET client_name = excluded.client_name,
           birth_year = excluded.birth_year, owner = excluded.owner, status = excluded.status,
           themes = excluded.themes, last_activity = excluded.last_activity,
           open_tasks = excluded.open_tasks, sort_name = excluded.sort_name,
           conflicts = excluded.conflicts",
    )?
    .execute(params![
        id,
        case.client_name(),
        case.client_birth_year(),
        case.owner,
        case.status.state.as_str(),
        case.themes().join(" "),
        last_activity,
        case.open_tasks() as i64,
        crate::store::caseload::sort_name(case.client_name()),
        crate::conflict::list(doc).len() as i64,
    ])?;
    Ok(())
}

/// Remove the row of case `id` (a case removed by mistake leaves the caseload).
pub(crate) fn delete(tx: &Connection, id: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM case_list WHERE case_id = ?1")?
        .execute([id])?;
    Ok(())
}

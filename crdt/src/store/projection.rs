//! The query tables, derived from documents. [`project`] rewrites a document's rows inside the
//! transaction that stores the document, so they never disagree; [`clear`] plus `project` over
//! every document is the rebuild, and a test checks that both give the same tables.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use rusqlite::{Connection, params};

use super::StoreError;
use crate::case::{self, Case};
use crate::doc::{DocError, DocKind};
use crate::intake::{self, Intake};
use crate::referral::{self, Referral};
use crate::sync::replica::Hydrated;
use crate::team::{self, Team};

/// Every query table (the rebuild empties them all).
const TABLES: &[&str] = &[
    "case_list",
    "case_access",
    "task",
    "referral_status",
    "intake_queue",
    "client_index",
    "search_source",
    "case_removed",
];

/// Check that `doc` is a valid document of `kind` (hydrates without error).
pub(crate) fn validate(kind: DocKind, doc: &AutoCommit) -> Result<(), DocError> {
    match kind {
        DocKind::Case => case::load(doc).map(|_| ()),
        DocKind::Team => team::load(doc).map(|_| ()),
        DocKind::Referral => referral::load(doc).map(|_| ()),
        DocKind::Intake => intake::load(doc).map(|_| ()),
    }
}

/// Rewrite the query-table rows of one document.
pub(crate) fn project(
    tx: &Connection,
    kind: DocKind,
    id: &str,
    doc: &AutoCommit,
) -> Result<(), StoreError> {
    match kind {
        DocKind::Case => project_case(tx, id, &case::load(doc)?, doc),
        DocKind::Team => project_team(tx, id, &team::load(doc)?),
        DocKind::Referral => project_referral(tx, id, &referral::load(doc)?),
        DocKind::Intake => project_intake(tx, id, &intake::load(doc)?),
    }
}

/// Rewrite the query-table rows of one document already hydrated (`doc` is the document).
pub(crate) fn project_hydrated(
    tx: &Connection,
    id: &str,
    hydrated: &Hydrated,
    doc: &AutoCommit,
) -> Result<(), StoreError> {
    match hydrated {
        Hydrated::Case(case) => project_case(tx, id, case, doc),
        Hydrated::Team(team) => project_team(tx, id, team),
        Hydrated::Referral(referral) => project_referral(tx, id, referral),
        Hydrated::Intake(intake) => project_intake(tx, id, intake),
    }
}

/// Empty every query table.
pub(crate) fn clear(tx: &Connection) -> Result<(), StoreError> {
    for table in TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    // Keep the full-text index in step with its (now empty) content table.
    tx.execute(
        "INSERT INTO search_text (search_text) VALUES ('rebuild')",
        [],
    )?;
    Ok(())
}

fn project_case(
    tx: &Connection,
    id: &str,
    case: &Case,
    doc: &AutoCommit,
) -> Result<(), StoreError> {
    // Who may hold the case does not change when it is removed: its removal (and an undo)
    // still travel to every device that holds it.
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
    tx.prepare_cached("DELETE FROM task WHERE case_id = ?1")?
        .execute([id])?;
    if let Some(removal) = &case.removed {
        // A case removed by mistake leaves the case list, the tasks and search; it is listed
        // among the removed cases, so that its owner can undo the removal.
        tx.prepare_cached("DELETE FROM case_list WHERE case_id = ?1")?
            .execute([id])?;
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
        return sync_search_rows(tx, id, BTreeMap::new());
    }
    tx.prepare_cached("DELETE FROM case_removed WHERE case_id = ?1")?
        .execute([id])?;
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
        super::caseload::sort_name(case.client_name()),
        crate::conflict::list(doc).len() as i64,
    ])?;

    let mut task = tx.prepare_cached(
        "INSERT INTO task (case_id, task_id, title, due, assignee, done) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (task_id, t) in case.tasks.iter().filter(|(t, _)| !case.is_removed(t)) {
        task.execute(params![id, task_id, t.title, t.due, t.assignee, t.done])?;
    }

    let mut wanted: BTreeMap<(String, &'static str), String> = BTreeMap::new();
    for (person_id, person) in case.people.iter().filter(|(p, _)| !case.is_removed(p)) {
        wanted.insert((person_id.clone(), "name"), person.name.clone());
    }
    for (entry_id, entry) in case.journal.iter().filter(|(e, _)| !case.is_removed(e)) {
        wanted.insert((entry_id.clone(), "journal"), entry.text.clone());
    }
    sync_search_rows(tx, id, wanted)
}

/// Make the search rows of document `id` equal to `wanted`, touching only rows that differ (an
/// edit that adds one journal entry inserts one row).
pub(crate) fn sync_search_rows(
    tx: &Connection,
    id: &str,
    mut wanted: BTreeMap<(String, &'static str), String>,
) -> Result<(), StoreError> {
    let mut existing = tx.prepare_cached(
        "SELECT rowid, item_id, field, body FROM search_source WHERE doc_id = ?1",
    )?;
    let rows: Vec<(i64, String, String, String)> = existing
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut delete = tx.prepare_cached("DELETE FROM search_source WHERE rowid = ?1")?;
    for (rowid, item, field, body) in rows {
        let key = (item, field_name(&field));
        match wanted.get(&key) {
            Some(text) if *text == body => {
                wanted.remove(&key);
            }
            _ => {
                delete.execute([rowid])?;
            }
        }
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO search_source (doc_id, item_id, field, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for ((item, field), body) in wanted {
        insert.execute(params![id, item, field, body])?;
    }
    Ok(())
}

/// The static name for a stored field name (unknown names never match a wanted row).
fn field_name(field: &str) -> &'static str {
    match field {
        "name" => "name",
        "journal" => "journal",
        "text" => "text",
        "message" => "message",
        _ => "?",
    }
}

/// The team's client index becomes the `client_index` rows of this team document.
fn project_team(tx: &Connection, id: &str, team: &Team) -> Result<(), StoreError> {
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

/// A referral is one `referral_status` row.
fn project_referral(tx: &Connection, id: &str, referral: &Referral) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO referral_status (referral_id, case_id, partner, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (referral_id) DO UPDATE SET case_id = excluded.case_id,
           partner = excluded.partner, status = excluded.status,
           updated_at = excluded.updated_at",
    )?
    .execute(params![
        id,
        referral.case_id,
        referral.partner_name,
        referral.status.as_str(),
        crate::date::Date::of_moment(referral.updated_at()).to_string(),
    ])?;
    Ok(())
}

/// The items of an intake document become its `intake_queue` rows.
fn project_intake(tx: &Connection, id: &str, intake: &Intake) -> Result<(), StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::Author;
    use crate::case::{ContactKind, JournalEntry, NewCase};
    use crate::id::{MemberId, TeamId};

    #[test]
    fn an_entry_dated_in_the_future_is_never_the_last_activity() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migration::migrate(&mut conn).unwrap();
        let author = Author::generate(MemberId::random());
        let new = NewCase {
            client_name: "Marie Dubois".into(),
            ..Default::default()
        };
        let (id, doc) = case::create_case(&author, &TeamId::random(), new).unwrap();
        let mut case = case::load(&doc).unwrap();
        let entry = |date: &str| JournalEntry {
            date: date.into(),
            kind: ContactKind::Note,
            author: author.member.to_string(),
            text: "Huisbezoek".into(),
            themes: Vec::new(),
            intake: None,
        };
        case.journal.insert("a".into(), entry("2025-03-04T10:00"));
        let ahead = crate::input::latest_past_date().year() + 1;
        case.journal
            .insert("b".into(), entry(&format!("{ahead}-01-01")));
        case.journal
            .insert("c".into(), entry(&format!("{}-09-09T09:00", ahead + 4)));
        project_case(&conn, id.as_str(), &case, &doc).unwrap();
        let last: String = conn
            .query_row("SELECT last_activity FROM case_list", [], |r| r.get(0))
            .unwrap();
        assert_eq!(last, "2025-03-04T10:00");
    }
}

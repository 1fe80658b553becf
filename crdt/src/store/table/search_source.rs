//! `search_source` and its FTS5 index `search_text`: one row per searchable text of a document
//! (a person's name, a journal entry), kept in step with the index by triggers. Rows are
//! diffed, so an edit that adds one journal entry inserts one row. Read by `search` and
//! `caseload`.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use super::Step;
use crate::case::Case;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[
    Step(
        1,
        "CREATE TABLE search_source (
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
    ),
    // The case of each search row in a small index, so that a search counts the cases a
    // common word matches quickly.
    Step(
        4,
        "CREATE INDEX search_source_doc_by_row ON search_source (rowid, doc_id);",
    ),
];

/// The searchable texts of a case: the names of its people and its journal entries, leaving
/// out what was removed (everything, when the case itself was removed).
pub(crate) fn of_case(case: &Case) -> BTreeMap<(String, &'static str), String> {
    let mut wanted = BTreeMap::new();
    if case.removed.is_some() {
        return wanted;
    }
    for (person_id, person) in case.people.iter().filter(|(p, _)| !case.is_removed(p)) {
        wanted.insert((person_id.clone(), "name"), person.name.clone());
    }
    for (entry_id, entry) in case.journal.iter().filter(|(e, _)| !case.is_removed(e)) {
        wanted.insert((entry_id.clone(), "journal"), entry.text.clone());
    }
    wanted
}

/// Make the search rows of document `id` equal to `wanted`, touching only rows that differ (an
/// edit that adds one journal entry inserts one row).
pub(crate) fn write(
    tx: &Connection,
    id: &str,
    mut wanted: BTreeMap<(String, &'static str), String>,
) -> rusqlite::Result<()> {
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

/// Empty the table and keep the full-text index in step with it.
pub(crate) fn clear(tx: &Connection) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM search_source", [])?;
    tx.execute(
        "INSERT INTO search_text (search_text) VALUES ('rebuild')",
        [],
    )?;
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

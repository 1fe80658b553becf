//! The query tables, derived from documents: [`project`] rewrites a document's rows (as its
//! kind says, `Kind::project`) inside the transaction that stores the document, so they never
//! disagree; [`table::clear`] plus `project` over every document is the rebuild, and a test
//! checks that both give the same tables.

use automerge::AutoCommit;
use rusqlite::Connection;

use super::{StoreError, table};
use crate::doc::DocKind;
use crate::kind::Document;

/// Rewrite the query-table rows of one document.
pub(crate) fn project(
    tx: &Connection,
    kind: DocKind,
    id: &str,
    doc: &AutoCommit,
) -> Result<(), StoreError> {
    project_hydrated(tx, id, &Document::load(kind, doc)?, doc)
}

/// Rewrite the query-table rows of one document already hydrated (`doc` is the document).
pub(crate) fn project_hydrated(
    tx: &Connection,
    id: &str,
    document: &Document,
    doc: &AutoCommit,
) -> Result<(), StoreError> {
    Ok(document.project(tx, id, doc)?)
}

/// Empty every query table.
pub(crate) fn clear(tx: &Connection) -> Result<(), StoreError> {
    Ok(table::clear(tx)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::Author;
    use crate::case::{self, ContactKind, JournalEntry, NewCase};
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
        crate::kind::Kind::project(&case, &conn, id.as_str(), &doc).unwrap();
        let last: String = conn
            .query_row("SELECT last_activity FROM case_list", [], |r| r.get(0))
            .unwrap();
        assert_eq!(last, "2025-03-04T10:00");
    }
}

//! How edits are stored: each edit appends only its own change, whether the document was in
//! memory or had to be read back from disk first.

use nabij_crdt::store::DATABASE_FILE;

use super::{author, entry, new_case, open_plain};

/// Sizes of the stored chunks of every document, in order.
fn chunk_sizes(dir: &std::path::Path) -> Vec<i64> {
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let mut stmt = raw
        .prepare("SELECT length(data) FROM document_chunk ORDER BY doc_id, seq")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn an_edit_after_a_restart_appends_only_its_own_change() {
    let dir = tempfile::tempdir().unwrap();
    let me = author();
    let id = {
        let mut store = open_plain(dir.path());
        let id = new_case(&mut store, &me, "Jan Peeters");
        for i in 0..20 {
            store
                .edit_case(&me, &id, |c| {
                    c.add_journal_entry(entry(&format!("Gesprek {i}"), "2026-01-01"))
                })
                .unwrap();
        }
        id
    };
    let warm = chunk_sizes(dir.path());
    let largest_edit = warm[1..].iter().copied().max().unwrap();
    let mut store = open_plain(dir.path());
    store
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Gesprek na herstart", "2026-01-01"))
        })
        .unwrap();
    let cold = chunk_sizes(dir.path());
    assert_eq!(cold.len(), warm.len() + 1);
    let appended = *cold.last().unwrap();
    assert!(
        appended <= largest_edit * 2,
        "one journal entry appended {appended} bytes; a warm edit appends at most {largest_edit}"
    );
}

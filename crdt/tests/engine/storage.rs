//! How edits are stored: each edit appends only its own change, whether the document was in
//! memory or had to be read back from disk first.

use nabij_crdt::store::{DATABASE_FILE, KeySource};

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

/// The permission bits of `path`.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every entry of `dir` with its mode, sorted by name.
fn modes_in(dir: &std::path::Path) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                mode(&e.path()),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_new_data_directory_and_every_file_in_it_are_private_to_their_owner() {
    let parent = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    // A folder that does not exist yet, two levels down, as on a first start.
    let dir = parent.path().join("share").join("nabij");
    let me = author();
    let mut store =
        super::open_store(&dir, &KeySource::File(keys.path().join("store.key"))).unwrap();
    let id = new_case(&mut store, &me, "Jan Peeters");
    store
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Gesprek", "2026-01-01"))
        })
        .unwrap();

    assert_eq!(mode(&dir), 0o700, "data directory");
    let files = modes_in(&dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // The WAL and its index exist while the store is open: they are checked too.
    assert_eq!(
        names,
        ["nabij.db", "nabij.db-shm", "nabij.db-wal", "nabij.lock"]
    );
    for (name, bits) in &files {
        assert_eq!(*bits, 0o600, "{name} has mode {bits:o}");
    }
    drop(store);
    for (name, bits) in modes_in(&dir) {
        assert_eq!(bits, 0o600, "{name} has mode {bits:o} after closing");
    }
}

#[test]
fn a_data_directory_left_readable_by_others_is_tightened_when_opened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let me = author();
    {
        let mut store = open_plain(dir.path());
        new_case(&mut store, &me, "Jan Peeters");
    }
    // As an older Nabij left it: everything readable by everyone.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for (name, _) in modes_in(dir.path()) {
        std::fs::set_permissions(
            dir.path().join(&name),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let mut store = open_plain(dir.path());
    new_case(&mut store, &me, "An Claes");
    assert_eq!(mode(dir.path()), 0o700);
    let files = modes_in(dir.path());
    assert!(files.iter().any(|(n, _)| n == DATABASE_FILE), "{files:?}");
    for (name, bits) in files {
        assert_eq!(bits, 0o600, "{name} has mode {bits:o}");
    }
}

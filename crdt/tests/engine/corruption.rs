//! Damaged document bytes are detected and reported, never used and never a panic: a flipped
//! byte in a stored chunk, a missing chunk, and garbage or truncated bytes from elsewhere.

use std::path::Path;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use nabij_crdt::author::Author;
use nabij_crdt::doc::{DocError, DocKind};
use nabij_crdt::id::CaseId;
use nabij_crdt::signature::Signatures;
use nabij_crdt::store::{CaseFilter, DATABASE_FILE, SignedDocument, StoreError};

use super::{Rng, author, entry, key_in, new_case, open_plain, open_store, snapshot};

/// Open the encrypted database file directly with the key from the key file beside it.
pub(crate) fn raw_connection(dir: &Path, data: &Path) -> rusqlite::Connection {
    let hex = std::fs::read_to_string(dir.join("store.key")).unwrap();
    let conn = rusqlite::Connection::open(data.join(DATABASE_FILE)).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex.trim()))
        .unwrap();
    conn
}

/// An encrypted store in `<dir>/data` with one case written in several chunks.
fn store_with_chunks(dir: &Path) -> CaseId {
    let mut store = open_store(&dir.join("data"), &key_in(dir)).unwrap();
    let me = author();
    let id = new_case(&mut store, &me, "Jan Peeters");
    for i in 0..5 {
        store
            .edit_case(&me, &id, |c| {
                c.add_journal_entry(entry(&format!("Gesprek {i}"), "2026-01-01"))
            })
            .unwrap();
    }
    id
}

#[track_caller]
fn assert_corrupt<T: std::fmt::Debug>(result: Result<T, StoreError>, id: &CaseId, detail: &str) {
    match result {
        Err(StoreError::Corrupt {
            id: got,
            detail: why,
        }) => {
            assert_eq!(got, id.as_str());
            assert!(why.contains(detail), "{why}");
        }
        other => panic!("expected corrupt document, got {other:?}"),
    }
}

#[test]
fn flipped_byte_in_a_chunk_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let id = store_with_chunks(dir.path());
    let data = dir.path().join("data");
    {
        let raw = raw_connection(dir.path(), &data);
        let (seq, mut bytes): (i64, Vec<u8>) = raw
            .query_row(
                "SELECT seq, data FROM document_chunk WHERE doc_id = ?1 ORDER BY seq LIMIT 1 OFFSET 2",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x10;
        raw.execute(
            "UPDATE document_chunk SET data = ?3 WHERE doc_id = ?1 AND seq = ?2",
            rusqlite::params![id.as_str(), seq, bytes],
        )
        .unwrap();
    }
    let mut store = open_store(&data, &key_in(dir.path())).unwrap();
    let tables = store.dump_query_tables().unwrap();
    assert_corrupt(store.open_case(&id), &id, "checksum");
    assert_corrupt(
        store.document_bytes(DocKind::Case, id.as_str()),
        &id,
        "checksum",
    );
    let me = author();
    assert_corrupt(
        store.edit_case(&me, &id, |c| c.add_journal_entry(entry("x", "2026-01-01"))),
        &id,
        "checksum",
    );
    assert_corrupt(store.rebuild(), &id, "checksum");
    // The list still works from the query tables, which a failed rebuild left as they were.
    assert_eq!(store.dump_query_tables().unwrap(), tables);
    assert_eq!(store.list_cases(&CaseFilter::default()).unwrap().len(), 1);
}

#[test]
fn missing_last_chunk_is_detected_by_the_heads() {
    let dir = tempfile::tempdir().unwrap();
    let id = store_with_chunks(dir.path());
    let data = dir.path().join("data");
    {
        let raw = raw_connection(dir.path(), &data);
        let deleted = raw
            .execute(
                "DELETE FROM document_chunk WHERE doc_id = ?1
                 AND seq = (SELECT max(seq) FROM document_chunk WHERE doc_id = ?1)",
                [id.as_str()],
            )
            .unwrap();
        assert_eq!(deleted, 1);
    }
    let mut store = open_store(&data, &key_in(dir.path())).unwrap();
    assert_corrupt(store.open_case(&id), &id, "heads");
}

/// Bad bytes of every kind for `merge_document`.
fn bad_inputs(good: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng::seeded("bad merge inputs");
    let mut inputs = vec![
        ("empty".to_string(), Vec::new()),
        (
            "random".into(),
            (0..2000).map(|_| rng.next() as u8).collect(),
        ),
        (
            "magic then garbage".into(),
            good[..8]
                .iter()
                .copied()
                .chain((0..500).map(|_| rng.next() as u8))
                .collect(),
        ),
        (
            "doubled".into(),
            [good, good].concat()[..good.len() * 3 / 2].to_vec(),
        ),
    ];
    let step = (good.len() / 60).max(1);
    for cut in (1..good.len()).step_by(step) {
        inputs.push((format!("truncated to {cut}"), good[..cut].to_vec()));
    }
    for _ in 0..60 {
        let mut flipped = good.to_vec();
        let at = rng.range(0, good.len() as u64 - 1) as usize;
        flipped[at] ^= 1 << rng.range(0, 7);
        inputs.push((format!("bit flipped at {at}"), flipped));
    }
    inputs
}

#[test]
fn bad_bytes_to_merge_are_an_error_and_leave_the_document_intact() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Jan Peeters");
    store
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Eerste", "2026-01-01"))
        })
        .unwrap();
    // The good bytes come from another replica that has one more entry.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = open_plain(other_dir.path());
    super::send(&mut store, &mut other, &id);
    other
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Tweede", "2026-01-02"))
        })
        .unwrap();
    let good = other.export_document(DocKind::Case, id.as_str()).unwrap();

    let mut before = snapshot(&mut store, Some(&id));
    let mut accepted = Vec::new();
    for (what, bytes) in bad_inputs(&good.bytes) {
        // With the good document's signatures: the damage, not a missing signature, is refused.
        let bytes = SignedDocument {
            bytes,
            signatures: good.signatures.clone(),
        };
        match store.merge_document(DocKind::Case, id.as_str(), &bytes) {
            Err(_) => assert_eq!(
                snapshot(&mut store, Some(&id)),
                before,
                "{what}: store changed"
            ),
            Ok(_) => {
                // A flip automerge cannot see may load; what was stored must be a valid case.
                assert!(what.starts_with("bit flipped"), "{what} was accepted");
                store.open_case(&id).unwrap();
                accepted.push(what.clone());
                before = snapshot(&mut store, Some(&id));
            }
        }
        // Under a new id the bad bytes are not stored as a new document either.
        let fresh = CaseId::random();
        match store.merge_document(DocKind::Case, fresh.as_str(), &bytes) {
            Err(_) => assert_eq!(
                store.document_heads(fresh.as_str()).unwrap(),
                None,
                "{what}"
            ),
            Ok(_) => before = snapshot(&mut store, Some(&id)),
        }
    }
    eprintln!("accepted bad inputs: {accepted:?}");
    // After all that, the good bytes still merge and edits still work.
    store
        .merge_document(DocKind::Case, id.as_str(), &good)
        .unwrap();
    store
        .edit_case(&me, &id, |c| {
            c.add_journal_entry(entry("Derde", "2026-01-03"))
        })
        .unwrap();
    drop(store);
    let mut store = open_plain(dir.path());
    let texts: Vec<String> = store
        .open_case(&id)
        .unwrap()
        .journal
        .into_values()
        .map(|e| e.text)
        .collect();
    for text in ["Eerste", "Tweede", "Derde"] {
        assert!(
            texts.iter().any(|t| t == text),
            "{text} missing from {texts:?}"
        );
    }
}

/// `doc` with the signatures of `base` plus `by`'s signature of each of its own changes.
fn signed(doc: &mut AutoCommit, base: &Signatures, by: &Author) -> SignedDocument {
    let mut signatures = base.clone();
    for change in doc.get_changes(&[]) {
        if change.actor_id() == &by.actor() {
            signatures.insert(by.sign(&change.hash()));
        }
    }
    SignedDocument {
        bytes: doc.save(),
        signatures,
    }
}

#[test]
fn valid_automerge_that_is_not_a_readable_case_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Jan Peeters");
    let exported = store.export_document(DocKind::Case, id.as_str()).unwrap();
    let good = exported.bytes.clone();
    let before = snapshot(&mut store, Some(&id));

    // Each written by a member device that signs its changes: signed, yet not a valid case.
    let rogue = author();
    let mut team = rogue.new_document();
    team.put(ROOT, "kind", "team").unwrap();
    team.put(ROOT, "schema", 1u64).unwrap();
    let team = signed(&mut team, &Signatures::new(), &rogue);
    let mut newer = AutoCommit::load(&good).unwrap().with_actor(rogue.actor());
    newer.put(ROOT, "schema", 99u64).unwrap();
    let newer = signed(&mut newer, &exported.signatures, &rogue);
    let mut broken = AutoCommit::load(&good).unwrap().with_actor(rogue.actor());
    broken.put(ROOT, "people", "not a map").unwrap();
    let broken = signed(&mut broken, &exported.signatures, &rogue);

    let result = store.merge_document(DocKind::Case, id.as_str(), &team);
    assert!(
        matches!(
            result,
            Err(StoreError::Document(DocError::WrongKind { .. }))
        ),
        "{result:?}"
    );
    let result = store.merge_document(DocKind::Case, id.as_str(), &newer);
    assert!(
        matches!(
            result,
            Err(StoreError::Document(DocError::NewerSchema { found: 99 }))
        ),
        "{result:?}"
    );
    let result = store.merge_document(DocKind::Case, id.as_str(), &broken);
    assert!(
        matches!(result, Err(StoreError::Document(DocError::Hydrate(_)))),
        "{result:?}"
    );
    assert_eq!(snapshot(&mut store, Some(&id)), before);
    let fresh = CaseId::random();
    assert!(
        store
            .merge_document(DocKind::Case, fresh.as_str(), &newer)
            .is_err()
    );
    assert_eq!(store.document_ids(DocKind::Case).unwrap(), [id.as_str()]);
}

#[test]
fn a_change_not_signed_by_its_author_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    let me = author();
    let id = new_case(&mut store, &me, "Jan Peeters");
    let exported = store.export_document(DocKind::Case, id.as_str()).unwrap();
    let before = snapshot(&mut store, Some(&id));
    // A member device writes a change under the case owner's actor id (its device key), but
    // cannot sign it with that key: signed with its own, or not at all.
    let rogue = author();
    let mut forged = AutoCommit::load(&exported.bytes)
        .unwrap()
        .with_actor(me.actor());
    forged.put(ROOT, "owner", rogue.member.as_str()).unwrap();
    let change = forged.get_last_local_change().unwrap();
    let mut with_wrong_key = exported.signatures.clone();
    with_wrong_key.insert(rogue.sign(&change.hash()));
    for signatures in [exported.signatures.clone(), with_wrong_key] {
        let doc = SignedDocument {
            bytes: forged.save(),
            signatures,
        };
        let result = store.merge_document(DocKind::Case, id.as_str(), &doc);
        assert!(matches!(result, Err(StoreError::Unsigned(_))), "{result:?}");
        let fresh = CaseId::random();
        assert!(
            store
                .merge_document(DocKind::Case, fresh.as_str(), &doc)
                .is_err()
        );
    }
    assert_eq!(snapshot(&mut store, Some(&id)), before);
    assert_eq!(store.document_ids(DocKind::Case).unwrap(), [id.as_str()]);
}

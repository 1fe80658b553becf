//! An encrypted store opens only with its own key; a missing or wrong key is an error that leaves
//! the store untouched, never a reason to start a new one.

use nabij_crdt::store::{DATABASE_FILE, KeyError, KeySource, StoreError};

use super::{author, entry, key_in, new_case, open_store};

#[test]
fn encrypted_store_opens_only_with_its_key_and_is_left_untouched_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = key_in(dir.path());
    let me = author();
    let id = {
        let mut store = open_store(&data, &key).unwrap();
        let id = new_case(&mut store, &me, "Geheime Naam");
        store
            .edit_case(&me, &id, |c| {
                c.add_journal_entry(entry("vertrouwelijk gesprek", "2026-05-05"))
            })
            .unwrap();
        assert!(store.status().unwrap().encrypted);
        id
    };
    let db = data.join(DATABASE_FILE);
    let original = std::fs::read(&db).unwrap();
    assert!(
        !original.starts_with(b"SQLite format 3"),
        "the file is encrypted"
    );
    let contains = |needle: &[u8]| original.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(b"Geheime Naam") && !contains(b"vertrouwelijk"));

    // Wrong key.
    let other = dir.path().join("other.key");
    std::fs::write(&other, "ab".repeat(32)).unwrap();
    let result = open_store(&data, &KeySource::File(other));
    assert!(
        matches!(result, Err(StoreError::WrongKey { .. })),
        "{result:?}"
    );

    // Missing key file: an error naming it, and no new key made.
    let missing = dir.path().join("missing.key");
    match open_store(&data, &KeySource::File(missing.clone())) {
        Err(StoreError::Key(KeyError::Missing { place })) => {
            assert!(place.contains("missing.key"), "{place}")
        }
        other => panic!("expected a missing key, got {other:?}"),
    }
    assert!(
        !missing.exists(),
        "a missing key is never replaced by a new one"
    );

    // Malformed key file.
    let malformed = dir.path().join("malformed.key");
    std::fs::write(&malformed, "not a key").unwrap();
    let result = open_store(&data, &KeySource::File(malformed));
    assert!(
        matches!(result, Err(StoreError::Key(KeyError::Malformed { .. }))),
        "{result:?}"
    );

    // No key at all for an encrypted store.
    let result = open_store(&data, &KeySource::Unencrypted);
    assert!(
        matches!(result, Err(StoreError::WrongKey { .. })),
        "{result:?}"
    );

    assert_eq!(
        std::fs::read(&db).unwrap(),
        original,
        "failed opens changed the file"
    );
    let names: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !names.iter().any(|n| n.to_string_lossy().ends_with("-wal")),
        "no write-ahead log left by a failed open: {names:?}"
    );

    let mut store = open_store(&data, &key).unwrap();
    let case = store.open_case(&id).unwrap();
    assert_eq!(case.client_name(), "Geheime Naam");
    assert_eq!(case.journal.len(), 1);
}

#[test]
fn unencrypted_store_is_not_opened_with_a_key() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open_store(dir.path(), &KeySource::Unencrypted).unwrap();
        new_case(&mut store, &author(), "Open Boek");
        assert!(!store.status().unwrap().encrypted);
    }
    let original = std::fs::read(dir.path().join(DATABASE_FILE)).unwrap();
    let key = dir.path().join("k.key");
    std::fs::write(&key, "cd".repeat(32)).unwrap();
    let result = open_store(dir.path(), &KeySource::File(key));
    assert!(
        matches!(result, Err(StoreError::WrongKey { .. })),
        "{result:?}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(DATABASE_FILE)).unwrap(),
        original
    );
}

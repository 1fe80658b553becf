//! Integration tests of the engine through the public `Store` API: input validation, convergence
//! of replicas, conflicts, rebuild, keys, corruption, crash safety and golden fixtures.
//!
//! One test binary, so the crash test can re-execute it as a child process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod api_more;
mod caseload;
mod conflicts;
mod convergence;
mod corrections;
mod corrections_case;
mod corruption;
mod crash;
mod dates;
mod directory;
mod fixtures;
mod frontdoor;
mod join;
mod keys;
mod lan;
mod print;
mod rebuild;
mod referral;
mod rogue;
mod rogue_flood;
mod signals;
mod storage;
mod sync_sim;
mod transport;
mod transport_access;

use std::path::Path;

use nabij_crdt::author::Author;
use nabij_crdt::case::{Case, ContactKind, NewCase, NewJournalEntry};
use nabij_crdt::doc::{DocError, DocKind};
use nabij_crdt::id::{CaseId, MemberId, TeamId};
use nabij_crdt::input::{InputError, Problem};
use nabij_crdt::store::{KeySource, Store, StoreError};

/// A new member on a new device.
pub(crate) fn author() -> Author {
    Author::generate(MemberId::random())
}

/// `Store::open`, retried briefly while it answers `InUse`.
///
/// The lock is an `flock` on `nabij.lock`, which belongs to the open file description: when
/// another test thread spawns a process (the crash test does), the forked child holds a copy of
/// every descriptor until it calls `exec`, so for that moment a store just closed in this process
/// still counts as in use.
pub(crate) fn open_store(dir: &Path, key: &KeySource) -> Result<Store, StoreError> {
    let mut tries = 0;
    loop {
        match Store::open(dir, key) {
            Err(StoreError::InUse { .. }) if tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

/// Open an unencrypted store (fast; for tests that are not about encryption).
pub(crate) fn open_plain(dir: &Path) -> Store {
    open_store(dir, &KeySource::Unencrypted).unwrap()
}

/// The key source of the encrypted test stores: `<dir>/store.key`.
pub(crate) fn key_in(dir: &Path) -> KeySource {
    KeySource::File(dir.join("store.key"))
}

/// A journal entry of kind note with this text and date.
pub(crate) fn entry(text: &str, date: &str) -> NewJournalEntry {
    NewJournalEntry {
        date: Some(date.to_string()),
        kind: ContactKind::Note,
        text: text.to_string(),
        themes: Vec::new(),
    }
}

/// Open a case for a client called `name`.
pub(crate) fn new_case(store: &mut Store, who: &Author, name: &str) -> CaseId {
    store
        .create_case(
            who,
            &TeamId::random(),
            NewCase {
                client_name: name.to_string(),
                ..Default::default()
            },
        )
        .unwrap()
}

/// Copy case `id` from one store to another (the whole document); whether `to` changed.
pub(crate) fn send(from: &mut Store, to: &mut Store, id: &CaseId) -> bool {
    let bytes = from.export_document(DocKind::Case, id.as_str()).unwrap();
    to.merge_document(DocKind::Case, id.as_str(), &bytes)
        .unwrap()
}

/// Everything observable about a store and one of its cases, to check that nothing changed.
#[derive(Debug, PartialEq)]
pub(crate) struct Snapshot {
    tables: Vec<String>,
    heads: Option<Vec<u8>>,
    ids: Vec<String>,
    case: Option<Case>,
}

pub(crate) fn snapshot(store: &mut Store, id: Option<&CaseId>) -> Snapshot {
    Snapshot {
        tables: store.dump_query_tables().unwrap(),
        heads: id.and_then(|id| store.document_heads(id.as_str()).unwrap()),
        ids: store.document_ids(DocKind::Case).unwrap(),
        case: id.map(|id| store.open_case(id).unwrap()),
    }
}

/// The input error inside `result`, which must be one.
pub(crate) fn input_error<T: std::fmt::Debug>(result: Result<T, StoreError>) -> InputError {
    match result {
        Err(StoreError::Document(DocError::Input(error))) => error,
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// Assert `result` is an input error on `field` with `problem`.
#[track_caller]
pub(crate) fn assert_input<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    field: &str,
    problem: Problem,
) {
    let error = input_error(result);
    assert_eq!((error.field, error.problem), (field, problem));
}

/// A small deterministic random generator (SplitMix64) for the tests that need randomness
/// outside proptest; the seed is printed so a failure can be replayed.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn seeded(name: &str) -> Self {
        let seed = std::env::var("NABIJ_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("{name}: NABIJ_TEST_SEED={seed}");
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub(crate) fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

//! Every operation that writes more than one document is all or nothing: each is run with its
//! first, second, ... write failing until it succeeds (so its LAST write fails too), and after
//! every failure the store is found unchanged: the same query tables, documents (heads, chunks),
//! signatures, device settings and profile, the same documents read back, a cache that agrees
//! with the disk, and nothing noted as changed for the sync node; both in the open store and
//! after reopening it.

use std::fmt::Debug;
use std::path::Path;

use super::super::profile::Profile;
use super::super::{KeySource, Store, StoreError};
use crate::case::{NewCase, PersonUpdate};
use crate::id::{CaseId, DeviceId, ItemId, MemberId, TeamId};
use crate::intake::{IntakeId, IntakeSource, NewIntakeItem, Urgency};
use crate::team::NewMember;

/// Everything observable about a store.
#[derive(Debug, PartialEq)]
struct Seen {
    tables: Vec<String>,
    documents: Vec<(String, String, Vec<u8>, i64)>,
    signatures: i64,
    settings: Vec<(String, String)>,
    profile: Option<Profile>,
    /// The team, intake and case documents as read through the store (and its cache).
    content: Vec<String>,
}

fn seen(store: &mut Store) -> Seen {
    let documents: Vec<(String, String, Vec<u8>, i64)> = {
        let mut stmt = store
            .conn
            .prepare("SELECT doc_id, kind, heads, chunk_count FROM document ORDER BY doc_id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let signatures = store
        .conn
        .query_row("SELECT count(*) FROM change_signature", [], |r| r.get(0))
        .unwrap();
    let settings = {
        let mut stmt = store
            .conn
            .prepare("SELECT key, value FROM device_setting ORDER BY key")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut content = Vec::new();
    for (id, kind, _, _) in &documents {
        content.push(match kind.as_str() {
            "team" => format!(
                "{:?}",
                store.open_team(&TeamId::parse(id).unwrap()).unwrap()
            ),
            "intake" => format!(
                "{:?}",
                store.open_intake(&IntakeId::parse(id).unwrap()).unwrap()
            ),
            "case" => format!(
                "{:?}",
                store.open_case(&CaseId::parse(id).unwrap()).unwrap()
            ),
            other => format!("{other} {id}"),
        });
    }
    Seen {
        tables: store.dump_query_tables().unwrap(),
        documents,
        signatures,
        settings,
        profile: store.profile().unwrap(),
        content,
    }
}

/// Every document loaded in memory is the version stored on disk.
#[track_caller]
fn assert_cache_agrees_with_disk(store: &mut Store) {
    for (id, heads) in store.cached_heads() {
        assert_eq!(
            store.document_heads(&id).unwrap().as_deref(),
            Some(heads.as_slice()),
            "the loaded copy of {id} is not the stored one"
        );
    }
}

fn open(dir: &Path, key: &iroh::SecretKey) -> Store {
    let mut store = Store::open(dir, &KeySource::Unencrypted).unwrap();
    store.set_device_key(key.clone()).unwrap();
    store
}

/// Run `op` with its first write failing, then its second, ... until it succeeds; after each
/// failure the store must be unchanged, before and after reopening. Returns the reopened
/// store, what `op` returned and how many writes it made (the last of which was made to fail).
fn each_write_failing<T: Debug>(
    dir: &Path,
    key: &iroh::SecretKey,
    mut store: Store,
    mut op: impl FnMut(&mut Store) -> Result<T, StoreError>,
) -> (Store, T, usize) {
    for writes in 0..20 {
        // Warm the cache with everything, so a stale copy would show.
        let before = seen(&mut store);
        store.take_changed().unwrap();
        store.fail_writes_after(Some(writes));
        let outcome = op(&mut store);
        store.fail_writes_after(None);
        match outcome {
            Ok(value) => {
                assert!(
                    writes > 1,
                    "an operation of one write is not what this tests"
                );
                return (store, value, writes);
            }
            // (Joining reports why the answer could not be stored inside its own error.)
            Err(error) if error.to_string().contains("injected write failure") => {}
            Err(other) => panic!("write {writes}: unexpected error {other:?}"),
        }
        assert_cache_agrees_with_disk(&mut store);
        assert!(
            store.take_changed().unwrap().is_empty(),
            "write {writes} failed, yet documents are noted as changed"
        );
        assert_eq!(
            seen(&mut store),
            before,
            "write {writes} failed: store changed"
        );
        drop(store);
        store = open(dir, key);
        assert_eq!(
            seen(&mut store),
            before,
            "write {writes} failed: store changed (after reopening)"
        );
    }
    panic!("the operation never succeeded");
}

fn founder() -> NewMember {
    NewMember {
        name: "An Peeters".into(),
        role: "maatschappelijk assistent".into(),
        organisation: None,
    }
}

/// A store with a team started on it.
fn started(dir: &Path, key: &iroh::SecretKey) -> (Store, Profile) {
    let mut store = open(dir, key);
    let me = store.start_team("Sociaal Huis Noord", founder()).unwrap();
    (store, me)
}

fn client(name: &str, birth_date: &str) -> NewCase {
    NewCase {
        client_name: name.into(),
        birth_date: Some(birth_date.into()),
        ..Default::default()
    }
}

fn signal(store: &mut Store, me: &Profile) -> ItemId {
    let intake = IntakeId::parse(&me.intake).unwrap();
    store
        .edit_intake(&store.author(me).unwrap(), &intake, |q| {
            q.add_item(NewIntakeItem {
                source: IntakeSource::Volunteer,
                text: "Mevrouw kan haar energiefactuur niet betalen".into(),
                neighbourhood: None,
                urgency: Urgency::High,
                name: Some("Marie Dubois".into()),
                theme: None,
            })
        })
        .unwrap()
}

#[test]
fn start_team_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let store = open(dir.path(), &key);
    let (mut store, me, writes) = each_write_failing(dir.path(), &key, store, |s| {
        s.start_team("Sociaal Huis Noord", founder())
    });
    assert_eq!(writes, 3, "team, intake, profile");
    assert_eq!(store.profile().unwrap(), Some(me.clone()));
    assert!(store.open_team(&me.team).is_ok());
}

#[test]
fn register_case_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    store
        .register_case(&me, client("Ayşe Çelik", "1980-05-17"))
        .unwrap();
    let (store, id, writes) = each_write_failing(dir.path(), &key, store, |s| {
        s.register_case(&me, client("Yusuf Çelik", "1984-05-02"))
    });
    assert_eq!(writes, 2, "case, client index");
    let found = store.find_clients("yusuf", Some(1984)).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].case_id, id.to_string());
}

#[test]
fn hand_over_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    let colleague = store
        .edit_team(&store.author(&me).unwrap(), &me.team, |t| {
            t.add_member(
                NewMember {
                    name: "Bart Claes".into(),
                    role: "maatschappelijk werker".into(),
                    organisation: None,
                },
                false,
            )
        })
        .unwrap();
    let id = store
        .register_case(&me, client("Yusuf Çelik", "1984-05-02"))
        .unwrap();
    let (mut store, (), writes) = each_write_failing(dir.path(), &key, store, |s| {
        s.hand_over(&me, &id, &colleague)
    });
    assert_eq!(writes, 2, "case, client index");
    assert_eq!(store.open_case(&id).unwrap().owner, colleague.to_string());
    assert_eq!(
        store.find_clients("yusuf", None).unwrap()[0].owner,
        colleague.to_string()
    );
}

#[test]
fn case_from_intake_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    let item = signal(&mut store, &me);
    let (store, id, writes) = each_write_failing(dir.path(), &key, store, |s| {
        s.case_from_intake(&me, &item, client("Marie Dubois", "1990-01-01"))
    });
    assert_eq!(
        writes, 4,
        "case, client index, the signal in the case, intake"
    );
    let queue = store.intake_queue(None).unwrap();
    assert_eq!(queue[0].case_id.as_deref(), Some(id.as_str()));
    assert_eq!(store.find_clients("marie", Some(1990)).unwrap().len(), 1);
}

#[test]
fn linking_a_signal_to_a_case_held_here_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    let id = store
        .register_case(&me, client("Marie Dubois", "1990-01-01"))
        .unwrap();
    let item = signal(&mut store, &me);
    let (mut store, (), writes) =
        each_write_failing(dir.path(), &key, store, |s| s.link_intake(&me, &item, &id));
    assert_eq!(writes, 2, "the signal in the case, intake");
    let journal = store.open_case(&id).unwrap().journal;
    assert_eq!(journal.len(), 1);
    assert_eq!(
        store.intake_queue(None).unwrap()[0].status,
        crate::intake::IntakeStatus::Linked
    );
}

#[test]
fn editing_the_client_keeps_the_index_current_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    let id = store
        .register_case(&me, client("Yusuf Çelik", "1984-05-02"))
        .unwrap();
    let person =
        ItemId::parse(store.open_case(&id).unwrap().people.keys().next().unwrap()).unwrap();
    let (store, (), writes) = each_write_failing(dir.path(), &key, store, |s| {
        let update = PersonUpdate {
            name: Some("Yusuf Demir".into()),
            birth_date: Some("1985-06-03".into()),
            ..Default::default()
        };
        s.edit_case_as(&me, &id, |c| c.update_person(&person, update))
    });
    assert_eq!(writes, 2, "case, client index");
    assert!(store.find_clients("celik", None).unwrap().is_empty());
    assert_eq!(store.find_clients("demir", Some(1985)).unwrap().len(), 1);
}

#[test]
fn redeeming_an_invitation_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    let invitation = store.create_invitation(&me, &me.member, &[]).unwrap();
    let laptop = DeviceId::from_bytes(*iroh::SecretKey::generate().public().as_bytes());
    let (store, grant, writes) = each_write_failing(dir.path(), &key, store, |s| {
        s.redeem_invitation(&invitation.secret, &laptop, None, vec![])
    });
    assert_eq!(writes, 2, "team document, invitation marked used");
    assert!(grant.is_ok());
    drop(store);
    // The invitation is used now: another device is refused.
    let mut store = open(dir.path(), &key);
    let other = DeviceId::from_bytes(*iroh::SecretKey::generate().public().as_bytes());
    let refused = store
        .redeem_invitation(&invitation.secret, &other, None, vec![])
        .unwrap();
    assert!(refused.is_err());
}

#[test]
fn joining_a_team_is_all_or_nothing() {
    let (admin_dir, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let admin_key = iroh::SecretKey::generate();
    let (mut admin, me) = started(admin_dir.path(), &admin_key);
    let member = admin
        .edit_team(&admin.author(&me).unwrap(), &me.team, |t| {
            t.add_member(
                NewMember {
                    name: "Bart Claes".into(),
                    role: "maatschappelijk werker".into(),
                    organisation: None,
                },
                false,
            )
        })
        .unwrap();
    let invitation = admin.create_invitation(&me, &member, &[]).unwrap();
    let key = iroh::SecretKey::generate();
    let laptop = DeviceId::from_bytes(*key.public().as_bytes());
    let grant = admin
        .redeem_invitation(&invitation.secret, &laptop, None, vec![])
        .unwrap()
        .unwrap();
    let store = open(dir.path(), &key);
    let (mut store, profile, writes) = each_write_failing(dir.path(), &key, store, |s| {
        s.join_team(&invitation, grant.clone(), laptop)
    });
    assert_eq!(writes, 3, "team document, intake document, profile");
    assert_eq!(profile.member, member);
    assert_eq!(store.profile().unwrap(), Some(profile));
    assert_eq!(
        store.open_team(&me.team).unwrap(),
        admin.open_team(&me.team).unwrap()
    );
}

#[test]
fn a_failed_inner_unit_inside_a_unit_that_succeeds_keeps_only_the_outer_work() {
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let (mut store, me) = started(dir.path(), &key);
    let before = seen(&mut store);
    let author = store.author(&me).unwrap();
    let stranger = MemberId::random();
    let id = store
        .all_or_nothing(|s| {
            let id = s.create_case(&author, &me.team, client("Yusuf Çelik", "1984-05-02"))?;
            // Handing over to someone who is not a member is refused by the client index: the
            // inner unit (owner changed in the case) is rolled back, the outer one goes on.
            assert!(s.hand_over(&me, &id, &stranger).is_err());
            s.index_case(&me, &id)?;
            Ok(id)
        })
        .unwrap();
    assert_cache_agrees_with_disk(&mut store);
    assert_eq!(store.open_case(&id).unwrap().owner, me.member.to_string());
    assert_eq!(
        store.find_clients("yusuf", None).unwrap()[0].owner,
        me.member.to_string()
    );
    assert_ne!(seen(&mut store), before);
}

//! The front door's work across documents, with real input: a case and its client-index entry,
//! hand-over, intake item to case, linking. Input the engine refuses leaves the store as it was
//! (no ghost case after a refused "Nieuw dossier", however often it is retried), and the client
//! index follows every change of a client's name, birth date or owner.
//! (Each path with its last write made to fail: `store::unit::tests` in the library.)

use std::path::Path;

use nabij_crdt::case::{HouseholdRole, NewCase, NewPerson, PersonUpdate};
use nabij_crdt::date::Date;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, ItemId, MemberId, TeamId};
use nabij_crdt::input::Problem;
use nabij_crdt::intake::{IntakeId, IntakeSource, NewIntakeItem, Urgency};
use nabij_crdt::store::Store;
use nabij_crdt::store::profile::Profile;
use nabij_crdt::team::NewMember;

use super::{assert_input, open_plain};

/// Everything observable about the store: query tables, every document's stored heads, the
/// profile, and the team, intake and cases as read through the store (and its cache).
#[derive(Debug, PartialEq)]
struct Seen {
    tables: Vec<String>,
    heads: Vec<(String, Option<Vec<u8>>)>,
    profile: Option<Profile>,
    content: Vec<String>,
}

fn seen(store: &mut Store) -> Seen {
    let mut heads = Vec::new();
    let mut content = Vec::new();
    for kind in [DocKind::Team, DocKind::Intake, DocKind::Case] {
        for id in store.document_ids(kind).unwrap() {
            heads.push((id.clone(), store.document_heads(&id).unwrap()));
            content.push(match kind {
                DocKind::Team => format!("{:?}", store.open_team(&TeamId::parse(&id).unwrap())),
                DocKind::Intake => {
                    format!("{:?}", store.open_intake(&IntakeId::parse(&id).unwrap()))
                }
                _ => format!("{:?}", store.open_case(&CaseId::parse(&id).unwrap())),
            });
        }
    }
    Seen {
        tables: store.dump_query_tables().unwrap(),
        heads,
        profile: store.profile().unwrap(),
        content,
    }
}

/// `seen` now, and again after reopening the store (returned reopened).
fn unchanged(dir: &Path, key: &iroh::SecretKey, mut store: Store, before: &Seen) -> Store {
    assert_eq!(&seen(&mut store), before, "the store changed");
    drop(store);
    let mut store = open_plain(dir);
    store.set_device_key(key.clone()).unwrap();
    assert_eq!(
        &seen(&mut store),
        before,
        "the store changed (after reopening)"
    );
    store
}

pub(super) fn started(dir: &Path) -> (Store, Profile, iroh::SecretKey) {
    let key = iroh::SecretKey::generate();
    let mut store = open_plain(dir);
    store.set_device_key(key.clone()).unwrap();
    let me = store
        .start_team(
            "Sociaal Huis Noord",
            NewMember {
                name: "An Peeters".into(),
                role: "maatschappelijk assistent".into(),
                organisation: None,
            },
        )
        .unwrap();
    (store, me, key)
}

pub(super) fn client(name: &str, birth_date: Option<&str>) -> NewCase {
    NewCase {
        client_name: name.into(),
        birth_date: birth_date.map(str::to_string),
        ..Default::default()
    }
}

pub(super) fn signal(store: &mut Store, me: &Profile) -> ItemId {
    let intake = IntakeId::parse(&me.intake).unwrap();
    store
        .edit_intake(&store.author(me).unwrap(), &intake, |q| {
            q.add_item(NewIntakeItem {
                source: IntakeSource::Citizen,
                text: "Buurvrouw heeft al weken geen verwarming".into(),
                neighbourhood: Some("Noord".into()),
                urgency: Urgency::Urgent,
                name: Some("Marie Dubois".into()),
                theme: Some("housing".into()),
            })
        })
        .unwrap()
}

fn client_person(store: &mut Store, id: &CaseId) -> ItemId {
    let case = store.open_case(id).unwrap();
    let (person, _) = case
        .people
        .iter()
        .find(|(_, p)| p.role == HouseholdRole::Client)
        .unwrap();
    ItemId::parse(person).unwrap()
}

#[test]
fn a_new_case_with_a_future_birth_date_leaves_no_case_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    store
        .register_case(&me, client("Ayşe Çelik", Some("1980-05-17")))
        .unwrap();
    let before = seen(&mut store);
    // 09/09 five years from now, as the newcomer typed 09/09/2031; retried three times.
    let future = format!("{}-09-09", Date::today().year() + 5);
    for _ in 0..3 {
        assert_input(
            store.register_case(&me, client("Yusuf Çelik", Some(&future))),
            "birth_date",
            Problem::InFuture,
        );
    }
    let mut store = unchanged(dir.path(), &key, store, &before);
    assert_eq!(store.find_clients("yusuf", None).unwrap(), vec![]);
    // Today is a birth date the case and the index both take.
    let today = Date::today().to_string();
    store
        .register_case(&me, client("Baby Çelik", Some(&today)))
        .unwrap();
    assert_eq!(
        store
            .find_clients("baby", Some(Date::today().year()))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_case_whose_index_entry_is_refused_is_not_stored() {
    // The client index refuses an owner who is not a member of the team: that is the last
    // write of "Nieuw dossier", after the case itself was written.
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    let before = seen(&mut store);
    let new = NewCase {
        owner: Some(MemberId::random()),
        ..client("Yusuf Çelik", Some("1984-05-02"))
    };
    assert_input(store.register_case(&me, new), "owner", Problem::NotFound);
    let store = unchanged(dir.path(), &key, store, &before);
    assert!(store.list_cases(&Default::default()).unwrap().is_empty());
}

#[test]
fn a_hand_over_the_index_refuses_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    let id = store
        .register_case(&me, client("Yusuf Çelik", Some("1984-05-02")))
        .unwrap();
    let before = seen(&mut store);
    // The case takes any owner; the client index refuses one who is not a member.
    assert_input(
        store.hand_over(&me, &id, &MemberId::random()),
        "owner",
        Problem::NotFound,
    );
    let mut store = unchanged(dir.path(), &key, store, &before);
    assert_eq!(store.open_case(&id).unwrap().owner, me.member.to_string());
}

#[test]
fn an_intake_item_already_linked_or_closed_gets_no_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    let linked = signal(&mut store, &me);
    store
        .case_from_intake(&me, &linked, client("Marie Dubois", None))
        .unwrap();
    let closed = signal(&mut store, &me);
    let intake = IntakeId::parse(&me.intake).unwrap();
    store
        .edit_intake(&store.author(&me).unwrap(), &intake, |q| {
            q.close_item(&closed, "Dubbel gemeld")
        })
        .unwrap();
    let before = seen(&mut store);
    for item in [&linked, &closed] {
        assert_input(
            store.case_from_intake(&me, item, client("Marie Dubois", None)),
            "status",
            Problem::NotAllowedNow,
        );
    }
    assert_input(
        store.case_from_intake(&me, &ItemId::random(), client("Marie Dubois", None)),
        "item",
        Problem::NotFound,
    );
    // A refused case (future birth date) does not link the item either.
    let fresh = signal(&mut store, &me);
    let before_fresh = seen(&mut store);
    let future = format!("{}-01-01", Date::today().year() + 1);
    assert_input(
        store.case_from_intake(&me, &fresh, client("Marie Dubois", Some(&future))),
        "birth_date",
        Problem::InFuture,
    );
    let store = unchanged(dir.path(), &key, store, &before_fresh);
    assert_eq!(store.find_clients("marie", None).unwrap().len(), 1);
    assert_ne!(before, before_fresh);
}

#[test]
fn an_intake_item_is_linked_only_to_a_case_the_team_knows() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    let id = store
        .register_case(&me, client("Yusuf Çelik", Some("1984-05-02")))
        .unwrap();
    let item = signal(&mut store, &me);
    let before = seen(&mut store);
    assert_input(
        store.link_intake(&me, &item, &CaseId::random()),
        "case",
        Problem::NotFound,
    );
    let mut store = unchanged(dir.path(), &key, store, &before);
    store.link_intake(&me, &item, &id).unwrap();
    let row = &store.intake_queue(None).unwrap()[0];
    assert_eq!(
        (row.status.as_str(), row.case_id.as_deref()),
        ("linked", Some(id.as_str()))
    );
}

#[test]
fn who_guides_this_person_follows_the_clients_name_and_birth_date() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = started(dir.path());
    let id = store
        .register_case(&me, client("Yusuf Çelik", Some("1984-05-02")))
        .unwrap();
    let person = client_person(&mut store, &id);
    let update = PersonUpdate {
        name: Some("Yusuf Demir".into()),
        birth_date: Some("1985-06-03".into()),
        ..Default::default()
    };
    store
        .edit_case_as(&me, &id, |c| c.update_person(&person, update))
        .unwrap();
    let found = store.find_clients("demir", Some(1985)).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].case_id.as_str(), found[0].display_name.as_str()),
        (id.as_str(), "Yusuf Demir")
    );
    assert!(store.find_clients("celik", None).unwrap().is_empty());
    assert!(store.find_clients("yusuf", Some(1984)).unwrap().is_empty());

    // The birth date cleared: the entry has no year any more.
    let cleared = PersonUpdate {
        birth_date: Some(String::new()),
        ..Default::default()
    };
    store
        .edit_case_as(&me, &id, |c| c.update_person(&person, cleared))
        .unwrap();
    assert_eq!(
        store.find_clients("demir", None).unwrap()[0].birth_year,
        None
    );

    // Edits that do not touch what the index shows leave the team document alone.
    let team_heads = store.document_heads(me.team.as_str()).unwrap();
    let contact = PersonUpdate {
        contact: Some("+32 470 12 34 56".into()),
        ..Default::default()
    };
    store
        .edit_case_as(&me, &id, |c| c.update_person(&person, contact))
        .unwrap();
    store
        .edit_case_as(&me, &id, |c| {
            c.add_person(NewPerson {
                name: "Elif Demir".into(),
                birth_date: Some("2015-04-04".into()),
                contact: None,
                language: None,
                role: HouseholdRole::Child,
                address: None,
            })
        })
        .unwrap();
    assert_eq!(store.document_heads(me.team.as_str()).unwrap(), team_heads);

    // A future birth date is refused by the case, and nothing changes.
    let before = seen(&mut store);
    let future = PersonUpdate {
        name: Some("Yusuf Yilmaz".into()),
        birth_date: Some(format!("{}-02-02", Date::today().year() + 1)),
        ..Default::default()
    };
    assert_input(
        store.edit_case_as(&me, &id, |c| c.update_person(&person, future)),
        "birth_date",
        Problem::InFuture,
    );
    let mut store = unchanged(dir.path(), &key, store, &before);
    assert!(store.find_clients("yilmaz", None).unwrap().is_empty());

    // The index the edits left is the one the documents give.
    let incremental = store.dump_query_tables().unwrap();
    store.rebuild().unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), incremental);
}

/// Copy document `id` of `kind` from one store to the other.
fn send(from: &mut Store, to: &mut Store, kind: DocKind, id: &str) {
    let doc = from.export_document(kind, id).unwrap();
    to.merge_document(kind, id, &doc).unwrap();
}

#[test]
fn settling_concurrent_renames_brings_the_index_along() {
    // One member on two devices (the second joined by invitation); the client is renamed on
    // both while they are apart.
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, me_a, _) = started(dir_a.path());
    let invitation = a.create_invitation(&me_a, &me_a.member, &[]).unwrap();
    let key_b = iroh::SecretKey::generate();
    let device_b = nabij_crdt::id::DeviceId::from_bytes(*key_b.public().as_bytes());
    let grant = a
        .redeem_invitation(&invitation.secret, &device_b, None, vec![])
        .unwrap()
        .unwrap();
    let mut b = open_plain(dir_b.path());
    b.set_device_key(key_b).unwrap();
    let me_b = b.join_team(&invitation, grant, device_b).unwrap();
    let id = a
        .register_case(&me_a, client("Yusuf Çelik", Some("1984-05-02")))
        .unwrap();
    send(&mut a, &mut b, DocKind::Case, id.as_str());
    send(&mut a, &mut b, DocKind::Team, me_a.team.as_str());
    let person = client_person(&mut a, &id);
    let rename = |name: &str| PersonUpdate {
        name: Some(name.into()),
        ..Default::default()
    };
    a.edit_case_as(&me_a, &id, |c| {
        c.update_person(&person, rename("Yusuf Demir"))
    })
    .unwrap();
    b.edit_case_as(&me_b, &id, |c| {
        c.update_person(&person, rename("Yusuf Yilmaz"))
    })
    .unwrap();
    for (kind, doc) in [
        (DocKind::Case, id.as_str()),
        (DocKind::Team, me_a.team.as_str()),
    ] {
        send(&mut a, &mut b, kind, doc);
        send(&mut b, &mut a, kind, doc);
    }
    let conflict = a
        .case_conflicts(&id)
        .unwrap()
        .into_iter()
        .find(|c| c.path.last().map(String::as_str) == Some("name"))
        .unwrap();
    // Pick the name the case does not show now.
    let shown = a.open_case(&id).unwrap().client_name().to_string();
    let (choice, picked) = conflict
        .values
        .iter()
        .enumerate()
        .find_map(|(i, v)| {
            let text = v.as_str().unwrap_or_default().to_string();
            (text != shown).then_some((i, text))
        })
        .unwrap();
    a.resolve_case_conflict_as(&me_a, &id, &conflict.path, choice)
        .unwrap();
    let found = a.find_clients("yusuf", None).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].display_name, picked);
    assert_eq!(a.find_clients(&shown, None).unwrap(), vec![]);
}

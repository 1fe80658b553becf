//! Tests of the team editor: every change with good and bad input, the admin rule, and a
//! round trip through the store.

use super::*;
use crate::id::DeviceId;
use crate::store::{KeySource, Store};
use crate::team::load;

fn author() -> Author {
    Author::generate(MemberId::random())
}

fn founder() -> NewMember {
    NewMember {
        name: "Els Janssens".into(),
        role: "maatschappelijk werker".into(),
        organisation: Some("OCMW Gent".into()),
    }
}

fn new_team() -> (Author, AutoCommit) {
    let me = author();
    let (_, doc) = create_team(&me, "Buurtteam Brugse Poort", founder()).unwrap();
    (me, doc)
}

fn problem(result: Result<impl std::fmt::Debug, DocError>) -> (&'static str, Problem) {
    match result {
        Err(DocError::Input(e)) => (e.field, e.problem),
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn worker() -> NewMember {
    NewMember {
        name: "Youssef El Amrani".into(),
        role: "buurtwerker".into(),
        organisation: None,
    }
}

#[test]
fn new_team_has_founder_as_admin_device_and_defaults() {
    let (me, doc) = new_team();
    let team = load(&doc).unwrap();
    assert_eq!(team.name, "Buurtteam Brugse Poort");
    assert!(team.is_admin(me.member.as_str()));
    assert_eq!(
        team.devices[&me.device().to_string()].member,
        me.member.as_str()
    );
    assert_eq!(team.themes.len(), DEFAULT_THEMES.len());
    assert_eq!(team.themes["housing"], "Wonen");
    assert_eq!(team.settings.retention_years, DEFAULT_RETENTION_YEARS);
    assert!(crate::case::load(&doc).is_err(), "a team is not a case");
    assert_eq!(
        problem(create_team(&me, " ", founder())),
        ("name", Problem::Empty)
    );
    let mut nameless = founder();
    nameless.role = String::new();
    assert_eq!(
        problem(create_team(&me, "Team", nameless)),
        ("role", Problem::Empty)
    );
}

#[test]
fn admins_add_update_and_remove_members() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    let youssef = ed.add_member(worker(), false).unwrap();
    let mut bad = worker();
    bad.name = "  ".into();
    assert_eq!(problem(ed.add_member(bad, false)), ("name", Problem::Empty));
    ed.update_member(
        &youssef,
        MemberUpdate {
            role: Some("coördinator".into()),
            organisation: Some("CAW Oost-Vlaanderen".into()),
            admin: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        problem(ed.update_member(
            &youssef,
            MemberUpdate {
                name: Some(String::new()),
                ..Default::default()
            }
        )),
        ("name", Problem::Empty)
    );
    assert_eq!(
        problem(ed.update_member(&MemberId::random(), MemberUpdate::default())),
        ("member", Problem::NotFound)
    );
    let team = load(&doc).unwrap();
    let member = &team.members[youssef.as_str()];
    assert_eq!(member.role, "coördinator");
    assert_eq!(member.organisation.as_deref(), Some("CAW Oost-Vlaanderen"));
    assert!(team.is_admin(youssef.as_str()));

    let device = DeviceId::random();
    let mut ed = TeamEditor::new(&mut doc, &me);
    ed.add_device(&youssef, &device).unwrap();
    ed.remove_member(&youssef).unwrap();
    assert_eq!(
        problem(ed.remove_member(&youssef)),
        ("member", Problem::NotAllowedNow)
    );
    let team = load(&doc).unwrap();
    assert!(team.members[youssef.as_str()].removed_at.is_some());
    assert!(!team.is_admin(youssef.as_str()));
    assert!(
        team.devices[&device.to_string()].revoked_at.is_some(),
        "a removed member's devices are revoked"
    );
    assert_eq!(team.active_members().count(), 1);
}

#[test]
fn the_last_admin_stays() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    assert_eq!(
        problem(ed.update_member(
            &me.member,
            MemberUpdate {
                admin: Some(false),
                ..Default::default()
            }
        )),
        ("admin", Problem::NotAllowedNow)
    );
    assert_eq!(
        problem(ed.remove_member(&me.member)),
        ("admin", Problem::NotAllowedNow)
    );
    let other = ed.add_member(worker(), true).unwrap();
    ed.update_member(
        &me.member,
        MemberUpdate {
            admin: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    let team = load(&doc).unwrap();
    assert!(team.is_admin(other.as_str()) && !team.is_admin(me.member.as_str()));
}

#[test]
fn only_admins_change_members_and_devices() {
    let (me, mut doc) = new_team();
    let plain = TeamEditor::new(&mut doc, &me)
        .add_member(worker(), false)
        .unwrap();
    let plain_author = Author::generate(plain.clone());
    TeamEditor::new(&mut doc, &me)
        .add_device(&plain, &plain_author.device())
        .unwrap();
    let denied = ("member", Problem::NotAllowedNow);
    let outsiders = [plain_author, author()];
    for (n, who) in outsiders.iter().enumerate() {
        let mut ed = TeamEditor::new(&mut doc, who);
        assert_eq!(problem(ed.add_member(worker(), true)), denied);
        assert_eq!(
            problem(ed.update_member(
                &plain,
                MemberUpdate {
                    admin: Some(true),
                    ..Default::default()
                }
            )),
            denied
        );
        assert_eq!(problem(ed.remove_member(&me.member)), denied);
        assert_eq!(problem(ed.add_device(&plain, &DeviceId::random())), denied);
        assert_eq!(problem(ed.revoke_device(&me.device())), denied);
        // The rest of the team document is not reserved for admins.
        ed.add_theme(&format!("theme-{n}"), "Thema").unwrap();
    }
}

#[test]
fn devices_are_added_once_and_revoked_once() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    let phone = DeviceId::random();
    ed.add_device(&me.member, &phone).unwrap();
    assert_eq!(
        problem(ed.add_device(&me.member, &phone)),
        ("device", Problem::NotAllowedNow)
    );
    assert_eq!(
        problem(ed.add_device(&MemberId::random(), &DeviceId::random())),
        ("member", Problem::NotFound)
    );
    ed.revoke_device(&phone).unwrap();
    assert_eq!(
        problem(ed.revoke_device(&phone)),
        ("device", Problem::NotAllowedNow)
    );
    assert_eq!(
        problem(ed.add_device(&me.member, &phone)),
        ("device", Problem::NotAllowedNow),
        "a revoked device is not readmitted"
    );
    assert_eq!(
        problem(ed.revoke_device(&DeviceId::random())),
        ("device", Problem::NotFound)
    );
    let team = load(&doc).unwrap();
    assert_eq!(team.devices.len(), 2);
    assert_eq!(team.active_devices().count(), 1);
    assert_eq!(
        team.devices[&phone.to_string()].added_by,
        me.member.as_str()
    );
}

#[test]
fn partners_are_added_and_updated() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    let partner = ed
        .add_partner(NewPartner {
            name: "CAW Oost-Vlaanderen".into(),
            services: vec![
                "budgetbegeleiding".into(),
                " ".into(),
                "budgetbegeleiding".into(),
            ],
            themes: vec!["Money".into(), "housing".into()],
            phone: Some("09 265 04 00".into()),
            bound_by_secrecy: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        problem(ed.add_partner(NewPartner {
            name: "X".into(),
            themes: vec!["astrology".into()],
            ..Default::default()
        })),
        ("themes", Problem::NotFound)
    );
    assert_eq!(
        problem(ed.add_partner(NewPartner::default())),
        ("name", Problem::Empty)
    );
    ed.update_partner(
        &partner,
        PartnerUpdate {
            services: Some(vec!["schuldbemiddeling".into()]),
            phone: Some(String::new()),
            opening_hours: Some("ma-vr 9-12u".into()),
            bound_by_secrecy: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        problem(ed.update_partner(
            &partner,
            PartnerUpdate {
                themes: Some(vec!["no such".into()]),
                ..Default::default()
            }
        )),
        ("themes", Problem::OutOfRange)
    );
    assert_eq!(
        problem(ed.update_partner(&ItemId::random(), PartnerUpdate::default())),
        ("partner", Problem::NotFound)
    );
    let team = load(&doc).unwrap();
    let p = &team.partners[partner.as_str()];
    assert_eq!(p.services, vec!["schuldbemiddeling".to_string()]);
    assert_eq!(p.themes, vec!["money".to_string(), "housing".to_string()]);
    assert_eq!(p.phone, None);
    assert_eq!(p.opening_hours.as_deref(), Some("ma-vr 9-12u"));
    assert!(!p.bound_by_secrecy);
}

#[test]
fn themes_envelopes_and_retention() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    assert_eq!(ed.add_theme(" Energy ", "Energie").unwrap(), "energy");
    assert_eq!(
        problem(ed.add_theme("energy", "Again")),
        ("slug", Problem::NotAllowedNow)
    );
    assert_eq!(
        problem(ed.add_theme("two words", "X")),
        ("slug", Problem::OutOfRange)
    );
    assert_eq!(problem(ed.add_theme("x", " ")), ("label", Problem::Empty));
    let envelope = NewEnvelope {
        theme: "energy".into(),
        year: 2026,
        amount_cents: 500_000,
    };
    let id = ed.add_envelope(envelope.clone()).unwrap();
    assert_eq!(
        problem(ed.add_envelope(envelope.clone())),
        ("year", Problem::NotAllowedNow)
    );
    for (bad, field, p) in [
        (
            NewEnvelope {
                theme: "astrology".into(),
                ..envelope.clone()
            },
            "theme",
            Problem::NotFound,
        ),
        (
            NewEnvelope {
                year: 1999,
                ..envelope.clone()
            },
            "year",
            Problem::OutOfRange,
        ),
        (
            NewEnvelope {
                amount_cents: 0,
                ..envelope.clone()
            },
            "amount",
            Problem::OutOfRange,
        ),
    ] {
        assert_eq!(problem(ed.add_envelope(bad)), (field, p));
    }
    ed.set_retention_years(7).unwrap();
    for bad in [0, 31] {
        assert_eq!(
            problem(ed.set_retention_years(bad)),
            ("retention_years", Problem::OutOfRange)
        );
    }
    let team = load(&doc).unwrap();
    assert_eq!(team.themes["energy"], "Energie");
    assert_eq!(team.envelopes[id.as_str()].amount_cents, 500_000);
    assert_eq!(team.settings.retention_years, 7);
}

#[test]
fn client_index_entries_are_upserted_and_removed() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    let case = CaseId::random();
    ed.upsert_client_index_entry(&case, "Çelik Ayşe", Some(1984), &me.member)
        .unwrap();
    ed.upsert_client_index_entry(&case, "Ayşe Çelik", None, &me.member)
        .unwrap();
    assert_eq!(
        problem(ed.upsert_client_index_entry(&case, "", None, &me.member)),
        ("display_name", Problem::Empty)
    );
    assert_eq!(
        problem(ed.upsert_client_index_entry(&case, "A", Some(1850), &me.member)),
        ("birth_year", Problem::OutOfRange)
    );
    assert_eq!(
        problem(ed.upsert_client_index_entry(&case, "A", None, &MemberId::random())),
        ("owner", Problem::NotFound)
    );
    let team = load(&doc).unwrap();
    let entry = &team.client_index[case.as_str()];
    assert_eq!(entry.display_name, "Ayşe Çelik");
    assert_eq!(entry.birth_year, None);
    let mut ed = TeamEditor::new(&mut doc, &me);
    ed.remove_client_index_entry(&case).unwrap();
    assert_eq!(
        problem(ed.remove_client_index_entry(&case)),
        ("case", Problem::NotFound)
    );
    assert!(load(&doc).unwrap().client_index.is_empty());
}

#[test]
fn store_round_trip_with_client_index() {
    let dir = tempfile::tempdir().unwrap();
    let me = author();
    let case = CaseId::random();
    let (id, colleague) = {
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        let id = store.create_team(&me, "Buurtteam", founder()).unwrap();
        let colleague = store
            .edit_team(&me, &id, |team| {
                let colleague = team.add_member(worker(), false)?;
                team.upsert_client_index_entry(&case, "Çelik Ayşe", Some(1984), &colleague)?;
                Ok(colleague)
            })
            .unwrap();
        // A failing edit leaves nothing behind.
        assert!(
            store
                .edit_team(&me, &id, |team| {
                    team.add_theme("debt", "Schulden")?;
                    team.set_retention_years(99)
                })
                .is_err()
        );
        (id, colleague)
    };
    let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
    store.rebuild().unwrap();
    let team = store.open_team(&id).unwrap();
    assert_eq!(team.members.len(), 2);
    assert!(!team.themes.contains_key("debt"));
    let found = store.find_clients("celik", Some(1984)).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].case_id, case.as_str());
    assert_eq!(found[0].owner, colleague.as_str());
    assert!(store.find_clients("celik", Some(1990)).unwrap().is_empty());
    store
        .edit_team(&me, &id, |team| team.remove_client_index_entry(&case))
        .unwrap();
    assert!(store.find_clients("", None).unwrap().is_empty());
}

#[test]
fn relay_always_on_and_addresses_are_admin_changes_with_checked_input() {
    let (me, mut doc) = new_team();
    let phone_key = iroh::SecretKey::generate();
    let phone = DeviceId::from_bytes(*phone_key.public().as_bytes());
    let plain = {
        let mut ed = TeamEditor::new(&mut doc, &me);
        let plain = ed.add_member(worker(), false).unwrap();
        ed.add_device_with(
            &plain,
            &phone,
            NewDevice {
                label: Some("Laptop Youssef".into()),
                always_on: false,
                addresses: vec![" 198.51.100.7:4000 ".into(), "198.51.100.7:4000".into()],
            },
        )
        .unwrap();
        ed.set_relay("https://relay.ocmw-gent.example").unwrap();
        ed.set_device_always_on(&phone, true).unwrap();
        assert_eq!(
            problem(ed.set_relay("http://relay.example")),
            ("relay", Problem::NeedsHttps),
            "plain http only on loopback"
        );
        assert_eq!(
            problem(ed.set_relay("relay.example")),
            ("relay", Problem::NeedsHttps),
            "an address without https:// says what is missing"
        );
        assert_eq!(
            problem(ed.set_device_addresses(&phone, &["not an address".into()])),
            ("addresses", Problem::OutOfRange)
        );
        plain
    };
    let team = load(&doc).unwrap();
    let listed = &team.devices[&phone.to_string()];
    assert_eq!(listed.label.as_deref(), Some("Laptop Youssef"));
    assert_eq!(listed.addresses, vec!["198.51.100.7:4000".to_string()]);
    assert!(listed.always_on);
    assert_eq!(
        team.settings.relay.as_deref(),
        Some("https://relay.ocmw-gent.example")
    );
    // A plain member may not set the relay or mark devices; it may set its own addresses.
    let youssef = Author::new(plain, phone_key);
    let mut ed = TeamEditor::new(&mut doc, &youssef);
    let denied = ("member", Problem::NotAllowedNow);
    assert_eq!(problem(ed.set_relay("")).0, denied.0);
    assert_eq!(problem(ed.set_device_always_on(&phone, false)).0, denied.0);
    ed.set_device_addresses(&phone, &["203.0.113.7:4000".into()])
        .unwrap();
    // Clearing the relay (admin).
    let mut ed = TeamEditor::new(&mut doc, &me);
    ed.set_relay("").unwrap();
    assert_eq!(load(&doc).unwrap().settings.relay, None);
}

#[test]
fn a_partner_written_before_the_directory_fields_reads_without_them() {
    use automerge::transaction::Transactable;
    let (me, mut doc) = new_team();
    let id = ItemId::random();
    let partners = crate::doc::root_map(&mut doc, "partners").unwrap();
    let old = doc
        .put_object(&partners, id.as_str(), automerge::ObjType::Map)
        .unwrap();
    doc.put(&old, "name", "CAW Oost-Vlaanderen").unwrap();
    doc.put_object(&old, "services", automerge::ObjType::List)
        .unwrap();
    doc.put_object(&old, "themes", automerge::ObjType::List)
        .unwrap();
    doc.put(&old, "address", automerge::ScalarValue::Null)
        .unwrap();
    doc.put(&old, "phone", "09 265 04 00").unwrap();
    doc.put(&old, "opening_hours", automerge::ScalarValue::Null)
        .unwrap();
    doc.put(&old, "bound_by_secrecy", true).unwrap();
    me.commit(&mut doc);
    let team = load(&doc).unwrap();
    let p = &team.partners[id.as_str()];
    assert_eq!(p.phone.as_deref(), Some("09 265 04 00"));
    assert_eq!(
        (&p.email, &p.website, &p.contact_person),
        (&None, &None, &None)
    );
    assert_eq!((&p.added_by, p.changed_at), (&None, None));
    // Changed now, it names who changed it.
    let mut ed = TeamEditor::new(&mut doc, &me);
    let update = PartnerUpdate {
        email: Some("info@caw.be".into()),
        ..Default::default()
    };
    assert!(ed.update_partner(&id, update).unwrap());
    me.commit(&mut doc);
    let p = &load(&doc).unwrap().partners[id.as_str()];
    assert_eq!(p.email.as_deref(), Some("info@caw.be"));
    assert_eq!(p.changed_by.as_deref(), Some(me.member.as_str()));
    assert_eq!(p.added_by, None);
}

#[test]
fn many_partners_are_added_or_updated_by_name_each_with_its_own_answer() {
    let (me, mut doc) = new_team();
    let mut ed = TeamEditor::new(&mut doc, &me);
    let caw = ed
        .add_partner(NewPartner {
            name: "CAW Oost-Vlaanderen".into(),
            phone: Some("09 265 04 00".into()),
            ..Default::default()
        })
        .unwrap();
    let partner = |name: &str, email: Option<&str>| NewPartner {
        name: name.into(),
        email: email.map(str::to_string),
        themes: vec!["money".into()],
        ..Default::default()
    };
    let answers = ed
        .upsert_partners(vec![
            partner("Huurdersbond", None),
            partner("Voedselbank", Some("niet-een-adres")),
            partner("caw oost-vlaanderen", None),
            partner("HUURDERSBOND", None),
        ])
        .unwrap();
    assert!(matches!(answers[0], Ok(Upserted::Added(_))), "{answers:?}");
    assert_eq!(
        answers[1],
        Err(InputError::new("email", Problem::NotAnEmail))
    );
    assert_eq!(answers[2], Ok(Upserted::Updated(caw.clone())));
    // The same name later in the list is the partner added before (written as given there).
    let Ok(Upserted::Added(huurders)) = &answers[0] else {
        panic!("{answers:?}")
    };
    assert_eq!(answers[3], Ok(Upserted::Updated(huurders.clone())));
    me.commit(&mut doc);
    let team = load(&doc).unwrap();
    assert_eq!(team.partners.len(), 2, "the refused one wrote nothing");
    let changed = &team.partners[caw.as_str()];
    assert_eq!(changed.name, "caw oost-vlaanderen");
    assert_eq!(
        changed.phone, None,
        "the list's partner replaces every field"
    );
    assert_eq!(changed.themes, ["money"]);
    assert_eq!(changed.changed_by.as_deref(), Some(me.member.as_str()));
    assert_eq!(team.partners[huurders.as_str()].name, "HUURDERSBOND");
}

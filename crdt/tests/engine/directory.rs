//! The partner directory ("sociale kaart") through the store: every field kept, each field's
//! rule, search by word prefixes (accents and case aside, services and themes too), theme
//! filter and theme first, CSV import (a bad row names its line and column and nothing is
//! stored), the example directory, the member count per partner, the figures, a store from
//! before the directory's table, and a plain member's change attributed to them on every
//! device.

use nabij_crdt::case::{NewCase, NewQuestion};
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{ItemId, MemberId};
use nabij_crdt::input::Problem;
use nabij_crdt::referral::{ConsentChoice, Disclose, Ground, ReferralRequest};
use nabij_crdt::store::profile::Profile;
use nabij_crdt::store::{PartnerRow, Store, StoreError};
use nabij_crdt::team::import::{EXAMPLE_DIRECTORY, ImportProblem};
use nabij_crdt::team::{NewMember, NewPartner, PartnerUpdate};

use super::{assert_input, open_plain};

fn member(name: &str) -> NewMember {
    NewMember {
        name: name.into(),
        role: "maatschappelijk werker".into(),
        organisation: None,
    }
}

/// A store with a new team, its admin's profile and device key.
fn team(dir: &std::path::Path) -> (Store, Profile, iroh::SecretKey) {
    let key = iroh::SecretKey::generate();
    let mut store = open_plain(dir);
    store.set_device_key(key.clone()).unwrap();
    let me = store
        .start_team("Sociaal Huis Leiestad", member("Sara Peeters"))
        .unwrap();
    (store, me, key)
}

fn caw() -> NewPartner {
    NewPartner {
        name: "CAW Leiestreek – Budgethulp".into(),
        services: vec!["budgetbegeleiding".into(), "schuldbemiddeling".into()],
        themes: vec!["money".into()],
        address: Some("Korenbloemstraat 14, 9999 Leiestad".into()),
        phone: Some("09 261 40 25".into()),
        email: Some("budget@caw-leiestreek.example".into()),
        website: Some("www.caw-leiestreek.example/budget".into()),
        opening_hours: Some("ma, wo en vr 9–12u".into()),
        contact_person: Some("Pieter De Smet".into()),
        bound_by_secrecy: true,
    }
}

fn named(name: &str, themes: &[&str], services: &[&str]) -> NewPartner {
    NewPartner {
        name: name.into(),
        themes: themes.iter().map(|t| t.to_string()).collect(),
        services: services.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn names(rows: &[PartnerRow]) -> Vec<&str> {
    rows.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn every_field_of_a_partner_is_kept_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = team(dir.path());
    let id = store.add_partner(&me, caw()).unwrap();
    let partner = store.open_team(&me.team).unwrap().partners[id.as_str()].clone();
    let new = caw();
    assert_eq!(partner.name, new.name);
    assert_eq!(partner.services, new.services);
    assert_eq!(partner.themes, new.themes);
    assert_eq!(partner.address, new.address);
    assert_eq!(partner.phone, new.phone);
    assert_eq!(partner.email, new.email);
    assert_eq!(partner.website, new.website);
    assert_eq!(partner.opening_hours, new.opening_hours);
    assert_eq!(partner.contact_person, new.contact_person);
    assert!(partner.bound_by_secrecy);
    assert_eq!(partner.added_by.as_deref(), Some(me.member.as_str()));
    assert_eq!(partner.changed_by.as_deref(), Some(me.member.as_str()));

    drop(store);
    let mut store = open_plain(dir.path());
    store.set_device_key(key).unwrap();
    let rows = store.directory("", None, None).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, id.as_str());
    assert_eq!(
        (row.name.as_str(), &row.services, &row.themes),
        (new.name.as_str(), &new.services, &new.themes)
    );
    assert_eq!(
        (&row.address, &row.phone, &row.email, &row.website),
        (&new.address, &new.phone, &new.email, &new.website)
    );
    assert_eq!(
        (
            &row.opening_hours,
            &row.contact_person,
            row.bound_by_secrecy
        ),
        (&new.opening_hours, &new.contact_person, true)
    );
    assert_eq!(row.changed_by.as_deref(), Some(me.member.as_str()));
    assert!(row.changed_at.is_some());
    assert_eq!((row.members, row.figures.sent), (0, 0));
    assert_eq!(store.directory_partner(&id).unwrap().as_ref(), Some(row));

    // A change clears what is emptied and keeps the rest; no change writes nothing.
    let update = PartnerUpdate {
        email: Some(String::new()),
        contact_person: Some("Lotte Verstraete".into()),
        ..Default::default()
    };
    assert!(store.update_partner(&me, &id, update.clone()).unwrap());
    let heads = store.document_heads(me.team.as_str()).unwrap();
    assert!(!store.update_partner(&me, &id, update).unwrap());
    assert_eq!(store.document_heads(me.team.as_str()).unwrap(), heads);
    let row = store.directory_partner(&id).unwrap().unwrap();
    assert_eq!(row.email, None);
    assert_eq!(row.contact_person.as_deref(), Some("Lotte Verstraete"));
    assert_eq!(row.phone, new.phone);
}

#[test]
fn each_field_has_its_rule_and_a_refused_partner_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    let id = store.add_partner(&me, caw()).unwrap();
    let before = store.dump_query_tables().unwrap();
    let heads = store.document_heads(me.team.as_str()).unwrap();
    let long = "x".repeat(201);
    let cases: Vec<(NewPartner, &str, Problem)> = vec![
        (
            NewPartner {
                name: " ".into(),
                ..caw()
            },
            "name",
            Problem::Empty,
        ),
        (
            NewPartner {
                name: long.clone(),
                ..caw()
            },
            "name",
            Problem::TooLong { max: 200 },
        ),
        // The same name, accents, case and spaces aside.
        (
            NewPartner {
                name: "caw leiestreek –  budgethulp".into(),
                ..caw()
            },
            "name",
            Problem::Duplicate,
        ),
        (
            NewPartner {
                email: Some("budget@caw".into()),
                ..named("A", &[], &[])
            },
            "email",
            Problem::NotAnEmail,
        ),
        (
            NewPartner {
                email: Some("budget caw.be".into()),
                ..named("A", &[], &[])
            },
            "email",
            Problem::NotAnEmail,
        ),
        (
            NewPartner {
                phone: Some("bel ons".into()),
                ..named("A", &[], &[])
            },
            "phone",
            Problem::NotAPhone,
        ),
        (
            NewPartner {
                website: Some("caw leiestreek".into()),
                ..named("A", &[], &[])
            },
            "website",
            Problem::NotAWebAddress,
        ),
        (
            NewPartner {
                address: Some(long.clone()),
                ..named("A", &[], &[])
            },
            "address",
            Problem::TooLong { max: 200 },
        ),
        (
            NewPartner {
                opening_hours: Some(long.clone()),
                ..named("A", &[], &[])
            },
            "opening_hours",
            Problem::TooLong { max: 200 },
        ),
        (
            NewPartner {
                contact_person: Some(long.clone()),
                ..named("A", &[], &[])
            },
            "contact_person",
            Problem::TooLong { max: 200 },
        ),
        (named("A", &["astrology"], &[]), "themes", Problem::NotFound),
        (
            NewPartner {
                services: vec![long.clone()],
                ..named("A", &[], &[])
            },
            "services",
            Problem::TooLong { max: 200 },
        ),
        (
            NewPartner {
                services: (0..31).map(|i| format!("dienst {i}")).collect(),
                ..named("A", &[], &[])
            },
            "services",
            Problem::OutOfRange,
        ),
    ];
    for (new, field, problem) in cases {
        assert_input(store.add_partner(&me, new), field, problem);
    }
    assert_input(
        store.update_partner(
            &me,
            &id,
            PartnerUpdate {
                email: Some("@caw.be".into()),
                ..Default::default()
            },
        ),
        "email",
        Problem::NotAnEmail,
    );
    // One bad field refuses the whole change, the good ones with it.
    assert_input(
        store.update_partner(
            &me,
            &id,
            PartnerUpdate {
                name: Some("CAW Noord".into()),
                phone: Some("0".into()),
                ..Default::default()
            },
        ),
        "phone",
        Problem::NotAPhone,
    );
    assert_input(
        store.update_partner(&me, &ItemId::random(), PartnerUpdate::default()),
        "partner",
        Problem::NotFound,
    );
    assert_eq!(store.dump_query_tables().unwrap(), before);
    assert_eq!(store.document_heads(me.team.as_str()).unwrap(), heads);
}

#[test]
fn search_matches_word_prefixes_of_names_services_and_themes_without_accents() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    for new in [
        named(
            "Centrum Geestelijke Gezondheidszorg",
            &["health"],
            &["psychotherapie"],
        ),
        named(
            "Tolkendienst Çelik",
            &["other", "administration"],
            &["sociaal tolken"],
        ),
        named(
            "Huurdersbond",
            &["housing"],
            &["huurcontracten", "huurwaarborg"],
        ),
        named("ÉNERGIEHUIS", &["housing", "money"], &["renovatieadvies"]),
        named("CAW Budgethulp", &["money"], &["schuldbemiddeling"]),
        named("caw onthaal", &["isolation", "family"], &["crisishulp"]),
    ] {
        store.add_partner(&me, new).unwrap();
    }
    let find = |q: &str| -> Vec<String> {
        names(&store.directory(q, None, None).unwrap())
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(find("geestel"), ["Centrum Geestelijke Gezondheidszorg"]);
    assert_eq!(find("GEEST"), ["Centrum Geestelijke Gezondheidszorg"]);
    assert!(find("eestel").is_empty(), "inside a word is not a prefix");
    assert_eq!(find("celik"), ["Tolkendienst Çelik"]);
    assert_eq!(find("Çel"), ["Tolkendienst Çelik"]);
    assert_eq!(find("energie"), ["ÉNERGIEHUIS"]);
    assert_eq!(find("énergie"), ["ÉNERGIEHUIS"]);
    // Services, theme slugs and theme labels.
    assert_eq!(find("schuld"), ["CAW Budgethulp"]);
    assert_eq!(find("tolk"), ["Tolkendienst Çelik"]);
    assert_eq!(find("wonen"), ["ÉNERGIEHUIS", "Huurdersbond"]);
    assert_eq!(find("housing"), ["ÉNERGIEHUIS", "Huurdersbond"]);
    // Every typed word must match; by folded name (case aside), whatever punctuation.
    assert_eq!(find("caw"), ["CAW Budgethulp", "caw onthaal"]);
    assert_eq!(find("caw, cri"), ["caw onthaal"]);
    assert_eq!(find("caw huur"), Vec::<String>::new());
    assert_eq!(find("  ").len(), 6);
    assert_eq!(find("%").len(), 6, "a typed sign is no word");
    assert_eq!(find("c_w"), Vec::<String>::new());

    // The theme filter, and a theme first (the question's theme), then by name.
    let money = store.directory("", Some("money"), None).unwrap();
    assert_eq!(names(&money), ["CAW Budgethulp", "ÉNERGIEHUIS"]);
    let housing_first = store.directory("", None, Some("housing")).unwrap();
    assert_eq!(
        names(&housing_first),
        [
            "ÉNERGIEHUIS",
            "Huurdersbond",
            "CAW Budgethulp",
            "caw onthaal",
            "Centrum Geestelijke Gezondheidszorg",
            "Tolkendienst Çelik"
        ]
    );
    let both = store.directory("", Some("money"), Some("housing")).unwrap();
    assert_eq!(names(&both), ["ÉNERGIEHUIS", "CAW Budgethulp"]);
    let both = store
        .directory("c", Some("money"), Some("housing"))
        .unwrap();
    assert_eq!(names(&both), ["CAW Budgethulp"]);
    assert!(
        store
            .directory("", Some("nothing"), None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_csv_file_is_imported_in_one_edit_and_again_changes_only_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    let existing = store
        .add_partner(&me, named("Huurdersbond Leiestreek", &[], &[]))
        .unwrap();
    let csv = "naam;diensten;themas;telefoon;email;beroepsgeheim;contactpersoon\n\
               CAW Noord;\"onthaal; crisishulp\";\"Isolement; gezin\";09 261 40 10;onthaal@caw.example;ja;Lotte\n\
               huurdersbond leiestreek;huurcontracten;Wonen;09 235 12 80;;nee;\n\
               Voedselbank;voedselpakketten;money;;;;\n";
    let changes = |store: &mut Store| {
        let bytes = store
            .document_bytes(DocKind::Team, me.team.as_str())
            .unwrap();
        automerge::AutoCommit::load(&bytes)
            .unwrap()
            .get_changes(&[])
            .len()
    };
    let first = changes(&mut store);
    let done = store.import_partners(&me, csv).unwrap();
    assert_eq!((done.added, done.updated, done.unchanged), (2, 1, 0));
    assert_eq!(changes(&mut store), first + 1, "the import is one change");
    let team = store.open_team(&me.team).unwrap();
    assert_eq!(team.partners.len(), 3);
    let rows = store.directory("", None, None).unwrap();
    assert_eq!(
        names(&rows),
        ["CAW Noord", "huurdersbond leiestreek", "Voedselbank"]
    );
    let caw = &rows[0];
    assert_eq!(caw.services, ["onthaal", "crisishulp"]);
    assert_eq!(caw.themes, ["isolation", "family"]);
    assert_eq!(caw.email.as_deref(), Some("onthaal@caw.example"));
    assert!(caw.bound_by_secrecy);
    assert_eq!(
        rows[1].id,
        existing.as_str(),
        "a partner by the same name is updated"
    );
    assert_eq!(rows[1].themes, ["housing"]);
    // The same file again: nothing changes, no change is written.
    let before = changes(&mut store);
    let again = store.import_partners(&me, csv).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(changes(&mut store), before);
    let empty = store.import_partners(&me, "naam\n").unwrap();
    assert_eq!(empty.added + empty.updated + empty.unchanged, 0);
}

#[test]
fn a_bad_row_names_its_line_and_column_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    store.add_partner(&me, caw()).unwrap();
    let before = store.dump_query_tables().unwrap();
    let heads = store.document_heads(me.team.as_str()).unwrap();
    let good = "CAW Noord,onthaal,Isolement,09 261 40 10,onthaal@caw.example,ja";
    let header = "naam,diensten,themas,telefoon,email,beroepsgeheim";
    let file = |bad_row: &str| {
        format!(
            "{header}\n{good}\nA,,,,,\n\nB,,Wonen,,,nee\n\"C\nmet twee regels\",,,,,\n{bad_row}\nZ,,,,,\n"
        )
    };
    // The bad row is on line 8 (line 4 is empty, lines 6 and 7 one quoted field).
    for (bad_row, column, problem) in [
        (
            "D,,,,d@caw,",
            "email",
            ImportProblem::Field(Problem::NotAnEmail),
        ),
        (
            "D,,,09 x,,",
            "telefoon",
            ImportProblem::Field(Problem::NotAPhone),
        ),
        (",onthaal,,,,", "naam", ImportProblem::Field(Problem::Empty)),
        ("D,,astrologie,,,", "themas", ImportProblem::UnknownTheme),
        ("D,,,,,soms", "beroepsgeheim", ImportProblem::NotYesNo),
        ("b,,,,,", "naam", ImportProblem::RepeatedName),
        ("D,,,,,,te veel", "", ImportProblem::TooManyFields),
    ] {
        match store.import_partners(&me, &file(bad_row)) {
            Err(StoreError::Import(bad)) => {
                assert_eq!(bad.total, 1, "{bad}");
                let error = &bad.errors[0];
                assert_eq!(
                    (error.line, error.column.as_str(), &error.problem),
                    (8, column, &problem),
                    "{bad_row}: {error}"
                );
            }
            other => panic!("{bad_row}: expected an import error, got {other:?}"),
        }
        assert_eq!(store.dump_query_tables().unwrap(), before, "{bad_row}");
        assert_eq!(store.document_heads(me.team.as_str()).unwrap(), heads);
    }
    // Every bad line is reported, the reading's and the editor's, in file order.
    let two = format!("{header}\nX,,,,x@y,\nY,,,,,soms\nCAW Noord,,,09,,\n");
    match store.import_partners(&me, &two) {
        Err(StoreError::Import(bad)) => {
            let lines: Vec<(u64, &str)> = bad
                .errors
                .iter()
                .map(|e| (e.line, e.column.as_str()))
                .collect();
            assert_eq!(lines, [(2, "email"), (3, "beroepsgeheim"), (4, "telefoon")]);
        }
        other => panic!("expected an import error, got {other:?}"),
    }
    assert_eq!(store.dump_query_tables().unwrap(), before);
    // The file with its bad row left out is imported whole.
    let done = store.import_partners(&me, &file("")).unwrap();
    assert_eq!(done.added, 5);
    assert_eq!(store.directory("", None, None).unwrap().len(), 6);
}

#[test]
fn the_example_directory_loads_27_partners_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    let done = store.load_example_directory(&me).unwrap();
    assert_eq!(done.added, 27);
    let rows = store.directory("", None, None).unwrap();
    assert_eq!(rows.len(), 27);
    assert!(
        rows.iter()
            .all(|r| r.phone.as_deref().is_some_and(|p| p.starts_with("09 ")))
    );
    assert!(
        rows.iter()
            .all(|r| !r.themes.is_empty() && !r.services.is_empty())
    );
    assert!(rows.iter().any(|r| r.bound_by_secrecy) && rows.iter().any(|r| !r.bound_by_secrecy));
    let cgg = store.directory("geestel", None, None).unwrap();
    assert_eq!(
        names(&cgg),
        ["Centrum Geestelijke Gezondheidszorg Leiestreek"]
    );
    assert!(!store.directory("schuld", None, None).unwrap().is_empty());
    assert_eq!(
        names(&store.directory("umit", None, None).unwrap()),
        ["vzw Ümit – ontmoeting voor vrouwen"]
    );
    let again = store.load_example_directory(&me).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 27));
    assert_eq!(EXAMPLE_DIRECTORY.lines().count(), 28);
}

#[test]
fn a_partner_counts_the_members_who_work_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    let author = store.author(&me).unwrap();
    let caw = store.add_partner(&me, caw()).unwrap();
    let cgg = store
        .add_partner(&me, named("CGG Leiestreek", &["health"], &[]))
        .unwrap();
    let (bram, lies) = store
        .edit_team(&author, &me.team, |t| {
            Ok((
                t.add_member(member("Bram"), false)?,
                t.add_member(member("Lies"), false)?,
            ))
        })
        .unwrap();
    store.set_member_partner(&me, &bram, Some(&caw)).unwrap();
    store.set_member_partner(&me, &lies, Some(&caw)).unwrap();
    let count = |store: &Store, id: &ItemId| store.directory_partner(id).unwrap().unwrap().members;
    assert_eq!((count(&store, &caw), count(&store, &cgg)), (2, 0));
    let team = store.open_team(&me.team).unwrap();
    assert_eq!(
        team.members[bram.as_str()].organisation.as_deref(),
        Some("CAW Leiestreek – Budgethulp")
    );
    store.set_member_partner(&me, &lies, Some(&cgg)).unwrap();
    assert_eq!((count(&store, &caw), count(&store, &cgg)), (1, 1));
    store
        .edit_team(&author, &me.team, |t| t.remove_member(&bram))
        .unwrap();
    store.set_member_partner(&me, &lies, None).unwrap();
    let team = store.open_team(&me.team).unwrap();
    assert_eq!(team.members[lies.as_str()].partner, None);
    assert_eq!(
        team.members[lies.as_str()].organisation,
        None,
        "the partner's name goes"
    );
    assert_eq!((count(&store, &caw), count(&store, &cgg)), (0, 0));
    assert_input(
        store.set_member_partner(&me, &lies, Some(&ItemId::random())),
        "partner",
        Problem::NotFound,
    );
}

#[test]
fn a_partner_shows_the_figures_of_the_referrals_sent_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, _) = team(dir.path());
    let caw = store.add_partner(&me, caw()).unwrap();
    let case = store
        .register_case(
            &me,
            NewCase {
                client_name: "Marie Dubois".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let question = store
        .edit_case_as(&me, &case, |c| {
            c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Schulden bij de energieleverancier".into(),
            })
        })
        .unwrap();
    store
        .send_referral(
            &me,
            ReferralRequest {
                case_id: case,
                question_id: question,
                partner_id: caw.clone(),
                goal: "Een afbetalingsplan voor de energieschuld".into(),
                ground: Ground::SharedSecrecy,
                consent: ConsentChoice::New {
                    what: "naam en de vraag".into(),
                    date: None,
                },
                unbound_consent: false,
                shared_mission: true,
                reason: None,
                disclose: Disclose {
                    name: true,
                    question: true,
                    ..Default::default()
                },
            },
        )
        .unwrap();
    let row = store.directory("budget", None, None).unwrap().remove(0);
    assert_eq!(row.id, caw.as_str());
    assert_eq!(row.figures.sent, 1);
    assert_eq!(row.figures.accepted_share, None);
    assert_eq!(row.figures.median_days_to_first_contact, None);
}

#[test]
fn a_store_from_before_the_directory_table_lists_its_partners() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, me, key) = team(dir.path());
    store.load_example_directory(&me).unwrap();
    drop(store);
    {
        let conn = rusqlite::Connection::open(dir.path().join("nabij.db")).unwrap();
        conn.execute_batch("DROP TABLE partner; PRAGMA user_version = 6;")
            .unwrap();
    }
    let mut store = open_plain(dir.path());
    store.set_device_key(key).unwrap();
    assert_eq!(store.status().unwrap().schema_version, 7);
    assert_eq!(store.directory("", None, None).unwrap().len(), 27);
}

#[test]
fn a_plain_member_adds_and_changes_partners_attributed_to_them_on_every_device() {
    let admin_dir = tempfile::tempdir().unwrap();
    let member_dir = tempfile::tempdir().unwrap();
    let (mut admin, me, _) = team(admin_dir.path());
    let author = admin.author(&me).unwrap();
    let bram: MemberId = admin
        .edit_team(&author, &me.team, |t| {
            t.add_member(member("Bram Claes"), false)
        })
        .unwrap();
    let example = admin.add_partner(&me, caw()).unwrap();
    // Bram's laptop joins by invitation (the join exchange without the network).
    let bram_key = iroh::SecretKey::generate();
    let bram_device = nabij_crdt::id::DeviceId::from_bytes(*bram_key.public().as_bytes());
    let invitation = admin.create_invitation(&me, &bram, &[]).unwrap();
    let grant = admin
        .redeem_invitation(&invitation.secret, &bram_device, None, vec![])
        .unwrap()
        .unwrap();
    let mut laptop = open_plain(member_dir.path());
    laptop.set_device_key(bram_key).unwrap();
    let bram_me = laptop.join_team(&invitation, grant, bram_device).unwrap();
    assert_eq!(bram_me.member, bram);

    // Bram, not an admin, adds a partner and changes the admin's.
    let huurders = laptop
        .add_partner(
            &bram_me,
            named("Huurdersbond Leiestreek", &["housing"], &["huurwaarborg"]),
        )
        .unwrap();
    let update = PartnerUpdate {
        phone: Some("09 261 40 99".into()),
        ..Default::default()
    };
    assert!(laptop.update_partner(&bram_me, &example, update).unwrap());
    // But he may not say who works for which partner.
    assert_input(
        laptop.set_member_partner(&bram_me, &bram, Some(&huurders)),
        "member",
        Problem::NotAllowedNow,
    );

    // The admin's device takes the team document with Bram's changes (the team's rules
    // checked), and both show Bram as who changed them.
    let bytes = laptop
        .export_document(DocKind::Team, me.team.as_str())
        .unwrap();
    assert!(
        admin
            .merge_document(DocKind::Team, me.team.as_str(), &bytes)
            .unwrap()
    );
    for store in [&mut admin, &mut laptop] {
        let team = store.open_team(&me.team).unwrap();
        let added = &team.partners[huurders.as_str()];
        assert_eq!(added.added_by.as_deref(), Some(bram.as_str()));
        assert_eq!(added.changed_by.as_deref(), Some(bram.as_str()));
        let changed = &team.partners[example.as_str()];
        assert_eq!(changed.added_by.as_deref(), Some(me.member.as_str()));
        assert_eq!(changed.changed_by.as_deref(), Some(bram.as_str()));
        assert_eq!(changed.phone.as_deref(), Some("09 261 40 99"));
        let rows = store.directory("", None, None).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(
            rows.iter()
                .all(|r| r.changed_by.as_deref() == Some(bram.as_str()))
        );
    }
    // The signed change itself names Bram's device and member.
    let mut doc = automerge::AutoCommit::load(
        &admin
            .document_bytes(DocKind::Team, me.team.as_str())
            .unwrap(),
    )
    .unwrap();
    let last = nabij_crdt::author::change_authors(&mut doc).pop().unwrap();
    assert_eq!(last.device, Some(bram_device));
    assert_eq!(last.member, Some(bram));
}

#[test]
fn a_first_start_can_bring_the_example_directory_along() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_plain(dir.path());
    store.set_device_key(iroh::SecretKey::generate()).unwrap();
    // A refused first start leaves no team and no partners behind.
    assert_input(
        store.start_team_with_example_directory(" ", member("Sara Peeters")),
        "name",
        Problem::Empty,
    );
    assert_eq!(store.profile().unwrap(), None);
    assert!(store.dump_query_tables().unwrap().is_empty());
    let me = store
        .start_team_with_example_directory("Sociaal Huis Leiestad", member("Sara Peeters"))
        .unwrap();
    assert_eq!(store.profile().unwrap(), Some(me));
    assert_eq!(store.directory("", None, None).unwrap().len(), 27);
}

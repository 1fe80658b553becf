//! Golden fixtures: a store and a case document written by schema version 1, kept in
//! `tests/fixtures/v1/`, must stay readable with exactly their content by every later build.
//!
//! `NABIJ_WRITE_FIXTURES=1 cargo test -p nabij-crdt --test engine write_golden_fixtures` writes
//! them again (only do that for a new fixture version, never to make the test pass).

use std::path::{Path, PathBuf};

use automerge::AutoCommit;
use nabij_crdt::case::{
    Case, CaseState, ContactKind, FlagKind, HouseholdRole, NewAidDecision, NewCase, NewConsent,
    NewFlag, NewJournalEntry, NewPerson, NewQuestion, NewTask,
};
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, TeamId};
use nabij_crdt::store::{CaseFilter, DATABASE_FILE, KeySource, Store, migration};

use super::{author, open_plain, open_store};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1")
}

fn journal(date: &str, kind: ContactKind, text: &str, themes: &[&str]) -> NewJournalEntry {
    NewJournalEntry {
        date: Some(date.into()),
        kind,
        text: text.into(),
        themes: themes.iter().map(|t| t.to_string()).collect(),
    }
}

fn consent(what: &str, to_whom: &str, purpose: &str, date: &str) -> NewConsent {
    NewConsent {
        what: what.into(),
        to_whom: to_whom.into(),
        purpose: purpose.into(),
        legal_basis: "toestemming".into(),
        date: Some(date.into()),
        partner_id: None,
    }
}

fn task(title: &str, due: Option<&str>) -> NewTask {
    NewTask {
        title: title.into(),
        due: due.map(str::to_string),
        assignee: None,
    }
}

/// Write the v1 fixtures (only with `NABIJ_WRITE_FIXTURES=1`).
#[test]
fn write_golden_fixtures() {
    if std::env::var("NABIJ_WRITE_FIXTURES").as_deref() != Ok("1") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let key = tmp.path().join("store.key");
    let me = author();
    let team = TeamId::random();
    let mut store = open_store(&data, &KeySource::File(key.clone())).unwrap();
    let jan = store
        .create_case(
            &me,
            &team,
            NewCase {
                client_name: "Jan Peeters".into(),
                birth_date: Some("1980-05-17".into()),
                contact: Some("0470 12 34 56".into()),
                language: Some("nl".into()),
                owner: None,
                address: None,
            },
        )
        .unwrap();
    store
        .edit_case(&me, &jan, |c| {
            c.add_person(NewPerson {
                name: "Els Peeters".into(),
                birth_date: Some("1982-01-31".into()),
                contact: None,
                language: Some("nl, fr".into()),
                role: HouseholdRole::Partner,
                address: None,
            })?;
            c.add_question(NewQuestion {
                theme: "housing".into(),
                text: "Huurachterstand van drie maanden".into(),
            })
        })
        .unwrap();
    for e in [
        journal(
            "2026-03-02",
            ContactKind::Office,
            "Eerste gesprek op kantoor over de huurachterstand",
            &["housing"],
        ),
        journal(
            "2026-03-09T14:30",
            ContactKind::Call,
            "Verhuurder gebeld, afbetalingsplan besproken",
            &["housing", "money"],
        ),
        journal(
            "2026-03-16",
            ContactKind::Visit,
            "Huisbezoek: energiefactuur en budget overlopen",
            &["energy"],
        ),
    ] {
        store
            .edit_case(&me, &jan, |c| c.add_journal_entry(e))
            .unwrap();
    }
    store
        .edit_case(&me, &jan, |c| {
            c.add_task(task("Bel OCMW", Some("2026-04-01")))
        })
        .unwrap();
    let letter = store
        .edit_case(&me, &jan, |c| {
            c.add_task(task("Stuur brief naar verhuurder", None))
        })
        .unwrap();
    store
        .edit_case(&me, &jan, |c| c.set_task_done(&letter, true))
        .unwrap();
    store
        .edit_case(&me, &jan, |c| {
            c.record_consent(consent(
                "Inkomensgegevens",
                "OCMW Gent",
                "Aanvraag leefloon",
                "2026-03-02",
            ))?;
            c.raise_flag(NewFlag {
                kind: FlagKind::UnderProtection,
                right: Some("verhoogde tegemoetkoming".into()),
                note: Some("Nog niet aangevraagd".into()),
            })?;
            c.record_aid_decision(NewAidDecision {
                envelope: "noodfonds-2026".into(),
                amount_cents: 15_000,
                date: Some("2026-03-20".into()),
                reason: "Voorschot energiefactuur".into(),
            })
        })
        .unwrap();

    let ayse = store
        .create_case(
            &me,
            &team,
            NewCase {
                client_name: "Ayşe Çelik".into(),
                ..Default::default()
            },
        )
        .unwrap();
    for e in [
        journal(
            "2026-02-10",
            ContactKind::Message,
            "Mail ontvangen met vraag naar schuldhulp",
            &["money"],
        ),
        journal(
            "2026-02-12",
            ContactKind::Note,
            "Doorverwezen naar CAW voor schuldbemiddeling",
            &["money"],
        ),
    ] {
        store
            .edit_case(&me, &ayse, |c| c.add_journal_entry(e))
            .unwrap();
    }
    store
        .edit_case(&me, &ayse, |c| {
            c.add_task(task("Afspraak CAW opvolgen", Some("2026-05-15")))?;
            c.record_consent(consent(
                "Schuldenoverzicht",
                "CAW Oost-Vlaanderen",
                "Schuldbemiddeling",
                "2026-02-12",
            ))?;
            c.raise_flag(NewFlag {
                kind: FlagKind::Other,
                right: None,
                note: Some("Spreekt liefst Turks".into()),
            })?;
            c.close("Doorverwezen en opgevolgd", Some("2026-06-30"))
        })
        .unwrap();
    let saved = store.document_bytes(DocKind::Case, jan.as_str()).unwrap();
    drop(store);

    let out = fixture_dir();
    std::fs::create_dir_all(&out).unwrap();
    assert!(
        !data.join(format!("{DATABASE_FILE}-wal")).exists(),
        "store closed cleanly"
    );
    std::fs::copy(data.join(DATABASE_FILE), out.join("store.db")).unwrap();
    std::fs::copy(&key, out.join("store.key")).unwrap();
    std::fs::write(out.join("case.automerge"), saved).unwrap();
}

fn by_name(store: &mut Store, name: &str) -> Case {
    let list = store.list_cases(&CaseFilter::default()).unwrap();
    let summary = list.iter().find(|c| c.client_name == name).unwrap();
    store
        .open_case(&CaseId::parse(&summary.case_id).unwrap())
        .unwrap()
}

fn sorted<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut items: Vec<&str> = items.collect();
    items.sort_unstable();
    items
}

#[test]
fn v1_fixture_store_opens_with_its_exact_content() {
    let fixtures = fixture_dir();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(fixtures.join("store.db"), data.join(DATABASE_FILE)).unwrap();
    let key = tmp.path().join("store.key");
    std::fs::copy(fixtures.join("store.key"), &key).unwrap();

    let raw = super::corruption::raw_connection(tmp.path(), &data);
    let version: u32 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1, "the fixture is a schema version 1 store");
    drop(raw);

    let mut store = open_store(&data, &KeySource::File(key)).unwrap();
    let status = store.status().unwrap();
    assert_eq!(status.schema_version, migration::CURRENT_VERSION);
    assert_eq!(
        (status.case_count, status.open_tasks, status.encrypted),
        (2, 2, true)
    );
    let names: Vec<String> = store
        .list_cases(&CaseFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.client_name)
        .collect();
    assert_eq!(
        names,
        ["Jan Peeters", "Ayşe Çelik"],
        "most recent activity first"
    );

    let jan = by_name(&mut store, "Jan Peeters");
    assert_eq!(
        sorted(jan.people.values().map(|p| p.name.as_str())),
        ["Els Peeters", "Jan Peeters"]
    );
    let client = jan
        .people
        .values()
        .find(|p| p.role == HouseholdRole::Client)
        .unwrap();
    assert_eq!(
        (client.birth_date.as_deref(), client.contact.as_deref()),
        (Some("1980-05-17"), Some("0470 12 34 56"))
    );
    assert_eq!(
        jan.questions.values().next().unwrap().text,
        "Huurachterstand van drie maanden"
    );
    assert_eq!(
        sorted(jan.journal.values().map(|e| e.date.as_str())),
        ["2026-03-02", "2026-03-09T14:30", "2026-03-16"]
    );
    assert_eq!(
        sorted(jan.journal.values().map(|e| e.text.as_str())),
        [
            "Eerste gesprek op kantoor over de huurachterstand",
            "Huisbezoek: energiefactuur en budget overlopen",
            "Verhuurder gebeld, afbetalingsplan besproken",
        ]
    );
    let mut tasks: Vec<(&str, Option<&str>, bool)> = jan
        .tasks
        .values()
        .map(|t| (t.title.as_str(), t.due.as_deref(), t.done))
        .collect();
    tasks.sort_unstable();
    assert_eq!(
        tasks,
        [
            ("Bel OCMW", Some("2026-04-01"), false),
            ("Stuur brief naar verhuurder", None, true)
        ]
    );
    let consent = jan.consents.values().next().unwrap();
    assert_eq!(
        (
            consent.what.as_str(),
            consent.to_whom.as_str(),
            consent.purpose.as_str(),
            consent.date.as_str()
        ),
        (
            "Inkomensgegevens",
            "OCMW Gent",
            "Aanvraag leefloon",
            "2026-03-02"
        )
    );
    let flag = jan.flags.values().next().unwrap();
    assert_eq!(
        (flag.kind, flag.right.as_deref()),
        (FlagKind::UnderProtection, Some("verhoogde tegemoetkoming"))
    );
    assert_eq!(jan.aid.values().next().unwrap().amount_cents, 15_000);
    assert_eq!(jan.status.state, CaseState::Open);
    assert_eq!(jan.themes(), ["energy", "housing", "money"]);

    let ayse = by_name(&mut store, "Ayşe Çelik");
    assert_eq!(
        sorted(ayse.journal.values().map(|e| e.text.as_str())),
        [
            "Doorverwezen naar CAW voor schuldbemiddeling",
            "Mail ontvangen met vraag naar schuldhulp"
        ]
    );
    assert_eq!(
        ayse.tasks.values().next().unwrap().title,
        "Afspraak CAW opvolgen"
    );
    assert_eq!(
        ayse.consents.values().next().unwrap().to_whom,
        "CAW Oost-Vlaanderen"
    );
    assert_eq!(
        ayse.flags.values().next().unwrap().note.as_deref(),
        Some("Spreekt liefst Turks")
    );
    assert_eq!(
        (ayse.status.state, ayse.status.date.as_deref()),
        (CaseState::Closed, Some("2026-06-30"))
    );

    // Derived tables and search come out of the fixture as they were written.
    let tables = store.dump_query_tables().unwrap();
    store.rebuild().unwrap();
    assert_eq!(store.dump_query_tables().unwrap(), tables);
    assert_eq!(store.search("celik", 5).unwrap().len(), 1);
    assert_eq!(
        store.search("schuldbemidd", 5).unwrap()[0].client_name,
        "Ayşe Çelik"
    );
    assert_eq!(store.tasks_due(None).unwrap()[0].title, "Bel OCMW");

    // The saved case document loads into a new store as the same case.
    let bytes = std::fs::read(fixtures.join("case.automerge")).unwrap();
    let id = nabij_crdt::case::load(&AutoCommit::load(&bytes).unwrap())
        .unwrap()
        .id;
    assert_eq!(id, jan.id);
    // Its changes were written before changes were signed: no other store takes them in, and
    // the store that holds it keeps it as legacy, never sent to a peer.
    let fresh_dir = tempfile::tempdir().unwrap();
    let mut fresh = open_plain(fresh_dir.path());
    let unsigned = nabij_crdt::store::SignedDocument {
        bytes,
        signatures: nabij_crdt::signature::Signatures::new(),
    };
    let refused = fresh.merge_document(DocKind::Case, &id, &unsigned);
    assert!(
        matches!(refused, Err(nabij_crdt::store::StoreError::Unsigned(_))),
        "{refused:?}"
    );
    assert!(fresh.document_ids(DocKind::Case).unwrap().is_empty());
    let id = CaseId::parse(&id).unwrap();
    let record = nabij_crdt::sync::Replica::document(&mut store, id.as_str())
        .unwrap()
        .unwrap();
    assert_eq!(record.readers, nabij_crdt::sync::Readers::Local);
}

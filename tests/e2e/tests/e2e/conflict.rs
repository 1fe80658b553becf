//! The conflict flow of the case file: the client's phone number is changed on two devices of
//! the same worker before they sync; the case file shows both numbers, the worker keeps one, and
//! the choice is what the store holds afterwards.

use std::path::Path;

use nabij_crdt::author::Author;
use nabij_crdt::case::{HouseholdRole, PersonUpdate};
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, ItemId};
use nabij_crdt::store::{CaseFilter, KeySource, Store};

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

/// The number typed on the worker's other laptop.
const OTHER_DEVICE: &str = "0470 11 22 33";
/// The number typed on this laptop.
const THIS_DEVICE: &str = "0499 88 77 66";

/// The store behind the app at `data_dir`, opened with the key the app keeps in the keyring.
fn open_store(desktop: &Desktop, data_dir: &Path, key_dir: &Path) -> Store {
    let key = desktop
        .stored_key(data_dir)
        .expect("no key for this store in the keyring");
    let key_file = key_dir.join("store.key");
    std::fs::write(&key_file, &key).unwrap();
    Store::open(data_dir, &KeySource::File(key_file)).unwrap()
}

/// The only case in `store`, and its client's person id.
fn the_case(store: &mut Store) -> (CaseId, ItemId) {
    let cases = store.list_cases(&CaseFilter::default()).unwrap();
    assert_eq!(cases.len(), 1, "{cases:?}");
    let id = CaseId::parse(&cases[0].case_id).unwrap();
    let case = store.open_case(&id).unwrap();
    let client = case
        .people
        .iter()
        .find(|(_, p)| p.role == HouseholdRole::Client)
        .map(|(person, _)| ItemId::parse(person).unwrap())
        .expect("the case has a client");
    (id, client)
}

fn set_contact(store: &mut Store, author: &Author, id: &CaseId, person: &ItemId, contact: &str) {
    store
        .edit_case(author, id, |case| {
            case.update_person(
                person,
                PersonUpdate {
                    contact: Some(contact.to_string()),
                    ..PersonUpdate::default()
                },
            )
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_edited_on_two_devices_shows_both_values_and_the_worker_keeps_one() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let key_dir = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;
    app.close().await;

    // The same case on two devices of Sara Claes, each changing the client's phone offline;
    // then the other laptop's copy arrives here.
    let (id, client) = {
        let mut store = open_store(&desktop, data.path(), key_dir.path());
        store
            .set_device_key(desktop.stored_device_key(data.path()))
            .unwrap();
        let me = store.profile().unwrap().expect("the UI created a profile");
        let (id, client) = the_case(&mut store);

        let replica_dir = tempfile::tempdir().unwrap();
        let mut replica = Store::open(replica_dir.path(), &KeySource::Unencrypted).unwrap();
        let bytes = store.export_document(DocKind::Case, id.as_str()).unwrap();
        assert!(
            replica
                .merge_document(DocKind::Case, id.as_str(), &bytes)
                .unwrap()
        );
        let other_laptop = Author::generate(me.member.clone());
        set_contact(&mut replica, &other_laptop, &id, &client, OTHER_DEVICE);
        let author = store.author(&me).unwrap();
        set_contact(&mut store, &author, &id, &client, THIS_DEVICE);

        let theirs = replica.export_document(DocKind::Case, id.as_str()).unwrap();
        assert!(
            store
                .merge_document(DocKind::Case, id.as_str(), &theirs)
                .unwrap()
        );
        let conflicts = store.case_conflicts(&id).unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].path, ["people", client.as_str(), "contact"]);
        let mut values: Vec<String> = conflicts[0]
            .values
            .iter()
            .map(|v| v.as_str().expect("a text value").to_string())
            .collect();
        values.sort();
        assert_eq!(values, [OTHER_DEVICE, THIS_DEVICE]);
        (id, client)
    };

    // Opvolging lists every case of mine with a conflict; the worker goes from there to the
    // case file: both numbers are there, each with a button to keep it.
    let app = App::launch(&desktop, data.path()).await;
    app.click("[data-testid=nav-tasks]").await;
    let listed = app
        .wait_for_contains("[data-testid=followup-conflicts]", "Marie Dubois")
        .await;
    assert!(
        listed.contains("Op twee toestellen anders ingevuld"),
        "{listed}"
    );
    assert_eq!(app.count("[data-testid=conflicted-case]").await, 1);
    assert_eq!(
        app.text("[data-testid=conflicted-fields]").await,
        "1 veld te kiezen"
    );
    app.screenshot("followup-conflicts-nl").await;
    app.click("[data-testid=conflicted-case] a").await;
    app.find("[data-testid=casefile]").await;
    let section = app.text("[data-testid=conflicts]").await;
    assert!(
        section.contains("Op twee toestellen anders ingevuld"),
        "{section}"
    );
    assert!(section.contains(OTHER_DEVICE), "{section}");
    assert!(section.contains(THIS_DEVICE), "{section}");
    assert_eq!(app.count("[data-testid=conflict]").await, 1);
    // The field is named as the worker knows it, not by its place in the document.
    assert_eq!(
        app.text("[data-testid=conflict-field]").await,
        "Veld: Marie Dubois · Telefoon of e-mail"
    );
    assert_eq!(app.count("[data-testid=conflict-pick]").await, 2);
    app.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    app.screenshot("conflict-nl").await;

    // Keep the other laptop's number (each button says which number it keeps).
    app.click(&format!(
        "[data-testid=conflict-pick][aria-label='{OTHER_DEVICE} houden']"
    ))
    .await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=conflicts]", 0).await,
        0
    );
    let contact = app
        .wait_for_text("[data-testid=person-contact]", OTHER_DEVICE)
        .await;
    assert_eq!(contact, OTHER_DEVICE);
    assert_eq!(app.count("[data-testid=person-contact]").await, 1);
    // The number not kept is not lost: the person's history names it.
    let history = app.text("[data-testid=people] [data-testid=history]").await;
    assert!(
        history.contains(&format!("Niet gekozen contactgegevens: {THIS_DEVICE}")),
        "{history}"
    );
    // Settled: off the list in Opvolging.
    app.click("[data-testid=nav-tasks]").await;
    app.find("[data-testid=followup-empty]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=followup-conflicts]", 0)
            .await,
        0
    );
    app.close().await;

    // The choice is in the store: no conflict left, the kept number is the client's.
    let mut store = open_store(&desktop, data.path(), key_dir.path());
    assert_eq!(store.case_conflicts(&id).unwrap(), []);
    let case = store.open_case(&id).unwrap();
    assert_eq!(
        case.people[client.as_str()].contact.as_deref(),
        Some(OTHER_DEVICE)
    );
}

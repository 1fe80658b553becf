//! Issue 10 as the newcomer met it at the front door and in the forms: a signal with a name
//! becomes a case that shows the name, the question and a journal entry from the front door
//! (defect 2); the duplicate check before a case is made; future dates refused at their field
//! (defect 3); a person's age beside the birth date.

use nabij_crdt::date::Date;
use nabij_crdt::id::CaseId;
use nabij_crdt::intake::{IntakeId, IntakeSource, NewIntakeItem, Urgency};
use nabij_crdt::store::{KeySource, Store};

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

/// A person's age today if born on `day`/`month`/`year`.
fn age_today(year: u16, month: u8, day: u8) -> u16 {
    let today = Date::today().to_string();
    let (y, m, d): (u16, u8, u8) = (
        today[0..4].parse().unwrap(),
        today[5..7].parse().unwrap(),
        today[8..10].parse().unwrap(),
    );
    y - year - u16::from((m, d) < (month, day))
}

/// 09/09 some years ahead (as the newcomer typed 09/09/2031, always in the future).
fn future_day() -> String {
    format!("09/09/{}", Date::today().year() + 5)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signal_with_a_name_becomes_a_case_that_shows_it() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;

    app.click("[data-testid=nav-intake]").await;
    app.find("[data-testid=intake-queue-empty]").await;
    let text = "Buurvrouw meldt: al een week geen verwarming, ze durft niet te bellen";
    app.fill("[data-testid=intake-text]", text).await;
    app.choose("[data-testid=intake-theme]", "housing").await;
    app.choose("[data-testid=intake-source]", "volunteer").await;
    app.choose("[data-testid=intake-urgency]", "urgent").await;
    app.fill("[data-testid=intake-name]", "Marie Dubois").await;
    app.click("[data-testid=intake-submit]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=intake-item-name]", "Marie Dubois")
            .await,
        "Marie Dubois",
        "the queue shows the name given"
    );
    assert_eq!(app.text("[data-testid=intake-item-text]").await, text);
    let item = app.text("[data-testid=intake-item]").await;
    assert!(
        item.contains("Dringend") && item.contains("Wonen"),
        "{item}"
    );
    app.client
        .execute(
            "document.querySelector('[data-testid=intake-queue]').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    app.screenshot("frontdoor-queue-name-nl").await;

    // "Dossier maken": the name comes along; the age shows beside the birth date as typed.
    app.click("[data-testid=intake-to-case]").await;
    assert_eq!(
        app.value("[data-testid=intake-case-name]").await,
        "Marie Dubois"
    );
    app.fill("[data-testid=intake-case-birth]", "14/03/1958")
        .await;
    let age = format!("{} jaar", age_today(1958, 3, 14));
    assert_eq!(
        app.wait_for_text("[data-testid=intake-case-birth-age]", &age)
            .await,
        age
    );
    app.screenshot("intake-to-case-name-nl").await;
    app.click("[data-testid=intake-case-save]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Marie Dubois")
            .await,
        "Marie Dubois"
    );

    // The signal is the case's first question and a journal entry from the front door.
    let questions = app
        .wait_for_contains("[data-testid=questions]", "verwarming")
        .await;
    assert!(questions.contains(text), "{questions}");
    assert!(questions.contains("Wonen"), "{questions}");
    let entry = app.text("[data-testid=journal-entry]").await;
    assert!(entry.contains(text), "{entry}");
    let origin = app.text("[data-testid=journal-entry-intake]").await;
    for expected in [
        "Via het onthaal",
        "Vrijwilliger",
        "Dringend",
        "Marie Dubois",
        "geregistreerd door Sara Claes",
    ] {
        assert!(origin.contains(expected), "{expected} not in {origin}");
    }
    assert_eq!(app.count("[data-testid=journal-entry]").await, 1);
    assert_eq!(
        app.text("[data-testid=person-age]").await,
        age,
        "the age beside the client's birth date"
    );
    app.screenshot("signal-case-nl").await;

    // The queue has nothing new left. A second signal about her is linked to her case
    // ("Koppelen aan dossier"), and the case shows it in its journal.
    app.click("[data-testid=nav-intake]").await;
    app.find("[data-testid=intake-queue-empty]").await;
    let second = "Marie belt zelf: de energiefactuur is nog niet betaald";
    app.fill("[data-testid=intake-text]", second).await;
    app.choose("[data-testid=intake-theme]", "money").await;
    app.choose("[data-testid=intake-source]", "the_person")
        .await;
    app.choose("[data-testid=intake-urgency]", "normal").await;
    app.click("[data-testid=intake-submit]").await;
    app.wait_for_contains("[data-testid=intake-queue]", second)
        .await;
    app.click("[data-testid=intake-link]").await;
    app.fill("[data-testid=link-search-name]", "Dubois").await;
    app.click("[data-testid=link-search-submit]").await;
    app.click("[data-testid=client-pick]").await;
    app.find("[data-testid=intake-queue-empty]").await;
    app.click("[data-testid=nav-cases]").await;
    app.click("[data-testid=case-link]").await;
    assert_eq!(
        app.wait_for_count("[data-testid=journal-entry]", 2).await,
        2
    );
    let journal = app.text("[data-testid=journal-entries]").await;
    assert!(journal.contains(second), "{journal}");
    assert!(
        journal.contains("Via het onthaal, gekoppeld De persoon zelf · Normaal"),
        "{journal}"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_duplicate_check_shows_who_guides_a_known_client_first() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/03/1958").await;

    // A close spelling, the same birth date: shown first, with who guides her.
    app.click("[data-testid=nav-cases]").await;
    app.click("[data-testid=new-case]").await;
    app.fill("[data-testid=new-case-name]", "marie duboi").await;
    app.fill("[data-testid=new-case-birth]", "14/03/1958").await;
    app.click("[data-testid=new-case-save]").await;
    let found = app.text("[data-testid=similar-client]").await;
    assert!(found.contains("Marie Dubois (1958)"), "{found}");
    assert!(found.contains("begeleid door jou"), "{found}");
    assert_eq!(app.count("[data-testid=similar-client]").await, 1);
    app.screenshot("newcase-duplicate-nl").await;
    // Open the existing case instead: no second case.
    app.click("[data-testid=similar-open]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Marie Dubois")
            .await,
        "Marie Dubois"
    );
    app.click("[data-testid=nav-cases]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=case-row]", 1).await,
        1
    );

    // Another Marie Dubois, without a birth date: shown, and the worker goes on.
    app.click("[data-testid=new-case]").await;
    app.fill("[data-testid=new-case-name]", "Marie Dubois")
        .await;
    app.fill("[data-testid=new-case-birth]", "").await;
    app.click("[data-testid=new-case-save]").await;
    app.find("[data-testid=similar-client]").await;
    app.click("[data-testid=similar-continue]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Marie Dubois")
            .await,
        "Marie Dubois"
    );
    app.click("[data-testid=nav-cases]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=case-row]", 2).await,
        2
    );

    // Nobody close: no question asked, the case is made at once.
    create_case(&app, "Jef Hermans", "01/04/1951").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn future_dates_are_refused_at_their_field_and_ages_are_shown() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;

    // A journal entry dated in the future: refused next to the date, nothing written.
    app.click("[data-testid=journal-new]").await;
    app.fill("[data-testid=journal-text]", "Huisbezoek gepland")
        .await;
    app.fill(
        "[data-testid=journal-date]",
        &format!("{} 10:00", future_day()),
    )
    .await;
    app.click("[data-testid=journal-save]").await;
    assert_eq!(
        app.wait_for_text(
            "[data-testid=journal-date-error]",
            "Deze datum ligt in de toekomst."
        )
        .await,
        "Deze datum ligt in de toekomst."
    );
    assert_eq!(app.count("[data-testid=journal-entry]").await, 0);
    assert_eq!(
        app.value("[data-testid=journal-text]").await,
        "Huisbezoek gepland"
    );
    app.screenshot("journal-future-date-nl").await;

    // A child born in the future: refused next to the birth date.
    app.click("[data-testid=person-new]").await;
    app.fill("[data-testid=person-name]", "Lena Dubois").await;
    app.choose("[data-testid=person-role]", "child").await;
    app.fill("[data-testid=person-birth]", &future_day()).await;
    app.click("[data-testid=person-save]").await;
    assert_eq!(
        app.wait_for_text(
            "[data-testid=person-birth-error]",
            "Deze datum ligt in de toekomst."
        )
        .await,
        "Deze datum ligt in de toekomst."
    );
    app.screenshot("child-future-birth-nl").await;
    assert_eq!(app.count("[data-testid=person]").await, 1);
    // Born 01/06/2015, picked in the calendar (the web view's own date picker, whose answer
    // is written into the field as dd/mm/jjjj): accepted, with the age beside the birth date.
    app.find("[data-testid=person-birth-pick]").await;
    app.client
        .execute(
            "const picker = document.querySelector('[data-testid=person-birth]')
                 .parentElement.querySelector('input[type=date]');
             picker.value = '2015-06-01';
             picker.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(app.value("[data-testid=person-birth]").await, "01/06/2015");
    let age = format!("{} jaar", age_today(2015, 6, 1));
    assert_eq!(
        app.wait_for_text("[data-testid=person-birth-age]", &age)
            .await,
        age
    );
    app.click("[data-testid=person-save]").await;
    assert_eq!(app.wait_for_count("[data-testid=person]", 2).await, 2);
    let people = app.text("[data-testid=people]").await;
    assert!(people.contains(&format!("01/06/2015 · {age}")), "{people}");
    assert!(
        people.contains(&format!("14/07/1979 · {} jaar", age_today(1979, 7, 14))),
        "{people}"
    );

    // A consent given in 2099: refused next to its date.
    app.click("[data-testid=consent-new]").await;
    app.fill("[data-testid=consent-what]", "Inkomensgegevens")
        .await;
    app.fill("[data-testid=consent-to]", "CAW Limburg").await;
    app.fill("[data-testid=consent-purpose]", "Schuldbemiddeling")
        .await;
    app.fill("[data-testid=consent-basis]", "Toestemming").await;
    app.fill("[data-testid=consent-date]", "01/01/2099").await;
    app.click("[data-testid=consent-save]").await;
    assert_eq!(
        app.wait_for_text(
            "[data-testid=consent-date-error]",
            "Deze datum ligt in de toekomst."
        )
        .await,
        "Deze datum ligt in de toekomst."
    );
    assert_eq!(app.count("[data-testid=consent]").await, 0);
    app.screenshot("people-age-consent-future-nl").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signal_linked_at_the_front_desk_shows_in_the_case_file() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/03/1958").await;
    app.close().await;

    // The front desk (a device that does not hold the case) links a signal to it: what arrives
    // here by sync is the team's intake queue with the item linked, not a journal entry.
    let key = desktop
        .stored_key(data.path())
        .expect("no key for this store in the keyring");
    let key_dir = tempfile::tempdir().unwrap();
    let key_file = key_dir.path().join("store.key");
    std::fs::write(&key_file, &key).unwrap();
    {
        let mut store = Store::open(data.path(), &KeySource::File(key_file)).unwrap();
        store
            .set_device_key(desktop.stored_device_key(data.path()))
            .unwrap();
        let me = store.profile().unwrap().expect("the UI created a profile");
        let case =
            CaseId::parse(&store.list_cases(&Default::default()).unwrap()[0].case_id).unwrap();
        let intake = IntakeId::parse(&me.intake).unwrap();
        let author = store.author(&me).unwrap();
        store
            .edit_intake(&author, &intake, |q| {
                let item = q.add_item(NewIntakeItem {
                    source: IntakeSource::Partner,
                    text: "Het CAW meldt een huurachterstand van drie maanden".into(),
                    neighbourhood: None,
                    urgency: Urgency::High,
                    name: Some("Marie Dubois".into()),
                    theme: Some("housing".into()),
                })?;
                q.link_to_case(&item, &case)
            })
            .unwrap();
    }

    let app = App::launch(&desktop, data.path()).await;
    app.click("[data-testid=nav-cases]").await;
    app.click("[data-testid=case-link]").await;
    let signal = app.text("[data-testid=linked-signal]").await;
    for expected in [
        "Via het onthaal, gekoppeld",
        "Partnerorganisatie",
        "Hoog",
        "Marie Dubois",
        "Wonen",
        "Het CAW meldt een huurachterstand van drie maanden",
    ] {
        assert!(signal.contains(expected), "{expected} not in {signal}");
    }
    assert_eq!(app.count("[data-testid=journal-entry]").await, 0);
    app.screenshot("signal-linked-elsewhere-nl").await;
    app.close().await;
}

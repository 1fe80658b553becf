//! Flow 3, the caseload: a new case (with a validation error in Dutch first) survives a restart;
//! 5,000 cases list and search fluidly.

use std::time::Instant;

use nabij_crdt::store::{KeySource, Store};

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

#[tokio::test(flavor = "multi_thread")]
async fn a_new_case_is_still_there_after_a_restart() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;

    app.click("[data-testid=nav-cases]").await;
    app.find("[data-testid=caseload-empty]").await;
    app.click("[data-testid=new-case]").await;
    // No name, an impossible birth date: the engine refuses, the message is next to the name.
    app.fill("[data-testid=new-case-contact]", "0470 12 34 56")
        .await;
    app.click("[data-testid=new-case-save]").await;
    assert_eq!(
        app.text("[data-testid=new-case-name-error]").await,
        "Vul dit veld in."
    );
    assert_eq!(
        app.value("[data-testid=new-case-contact]").await,
        "0470 12 34 56"
    );
    app.screenshot("newcase-error-nl").await;
    app.fill("[data-testid=new-case-name]", "An Peeters").await;
    app.fill("[data-testid=new-case-birth]", "31/02/1985").await;
    app.click("[data-testid=new-case-save]").await;
    assert_eq!(
        app.text("[data-testid=new-case-birth-error]").await,
        "Dit is geen geldige datum. Schrijf dd/mm/jjjj."
    );
    // A birth date in the future, as a newcomer typed it, saved twice: refused at the field,
    // and no case is left behind (the list below holds exactly the two cases made).
    app.fill("[data-testid=new-case-birth]", "09/09/2031").await;
    for _ in 0..2 {
        app.click("[data-testid=new-case-save]").await;
        assert_eq!(
            app.wait_for_text(
                "[data-testid=new-case-birth-error]",
                "Deze datum ligt in de toekomst."
            )
            .await,
            "Deze datum ligt in de toekomst."
        );
    }
    app.screenshot("newcase-future-birth-nl").await;
    app.fill("[data-testid=new-case-birth]", "28/02/1985").await;
    app.click("[data-testid=new-case-save]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "An Peeters")
            .await,
        "An Peeters"
    );
    create_case(&app, "Yusuf Çelik", "03/11/1990").await;
    app.close().await;

    let app = App::launch(&desktop, data.path()).await;
    app.click("[data-testid=nav-cases]").await;
    assert_eq!(app.wait_for_count("[data-testid=case-row]", 2).await, 2);
    let list = app.text("[data-testid=case-list]").await;
    assert!(list.contains("An Peeters (1985)"), "{list}");
    assert!(list.contains("Sara Claes"), "{list}");
    app.screenshot("caseload-nl").await;
    app.click("[data-testid=case-link]").await;
    app.find("[data-testid=casefile]").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn five_thousand_cases_list_and_search_fluidly() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    app.close().await;

    let key = desktop
        .stored_key(data.path())
        .expect("no key for this store in the keyring");
    let key_dir = tempfile::tempdir().unwrap();
    let key_file = key_dir.path().join("store.key");
    std::fs::write(&key_file, &key).unwrap();
    let seeded_name = {
        let mut store = Store::open(data.path(), &KeySource::File(key_file)).unwrap();
        store
            .set_device_key(desktop.stored_device_key(data.path()))
            .unwrap();
        let me = store.profile().unwrap().expect("the UI created a profile");
        let author = store.author(&me).unwrap();
        let started = Instant::now();
        let ids = nabij_crdt::seed::seed_cases(&mut store, &author, &me.team, 5_000, 3, 4).unwrap();
        eprintln!(
            "seeded {} cases in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
        store
            .open_case(&ids[1234])
            .unwrap()
            .client_name()
            .to_string()
    };

    let app = App::launch(&desktop, data.path()).await;
    app.find("[data-testid=nav-cases]").await;
    let started = Instant::now();
    app.click("[data-testid=nav-cases]").await;
    app.find("[data-testid=case-row]").await;
    let list_ms = started.elapsed().as_millis();
    assert_eq!(
        app.wait_for_contains("[data-testid=case-count]", "5.000")
            .await,
        "5.000 dossiers"
    );
    // The first 200 rows are rendered, the rest behind "more".
    assert_eq!(app.count("[data-testid=case-row]").await, 200);
    app.screenshot("caseload-5000-nl").await;
    let started = Instant::now();
    app.click("[data-testid=case-more]").await;
    app.wait_for_count("[data-testid=case-row]", 400).await;
    let more_ms = started.elapsed().as_millis();

    let started = Instant::now();
    app.fill("[data-testid=case-search]", &seeded_name).await;
    app.find("[data-testid=search-hit]").await;
    let search_ms = started.elapsed().as_millis();
    let hits = app.text("[data-testid=search-results]").await;
    assert!(hits.contains(&seeded_name), "{seeded_name} not in {hits}");
    app.find("[data-testid=search-hit] mark").await;
    app.screenshot("search-nl").await;
    eprintln!(
        "5,000 cases: list visible after {list_ms} ms, 200 more rows after {more_ms} ms, \
         search for {seeded_name:?} answered after {search_ms} ms (typing + 120 ms debounce)"
    );
    app.close().await;
}

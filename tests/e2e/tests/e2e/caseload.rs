//! Flow 3, the caseload: a new case (with a validation error in Dutch first) survives a restart;
//! 5,003 cases are counted right and paged, and search keeps the filters and the sort and pages.

use std::time::Instant;

use nabij_crdt::case::NewCase;
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
async fn five_thousand_and_three_cases_are_counted_right_and_search_keeps_the_filters() {
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
    // 5,001 seeded cases and two of one family: Kobe Xhaferi's open, Lien Xhaferi's closed.
    // Together 5,003, of which 5,002 open.
    let (kobe, lien) = {
        let mut store = Store::open(data.path(), &KeySource::File(key_file)).unwrap();
        store
            .set_device_key(desktop.stored_device_key(data.path()))
            .unwrap();
        let me = store.profile().unwrap().expect("the UI created a profile");
        let author = store.author(&me).unwrap();
        let started = Instant::now();
        let ids = nabij_crdt::seed::seed_cases(&mut store, &author, &me.team, 5_001, 3, 4).unwrap();
        eprintln!(
            "seeded {} cases in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
        let mut family = Vec::new();
        for name in ["Kobe Xhaferi", "Lien Xhaferi"] {
            family.push(
                store
                    .create_case(
                        &author,
                        &me.team,
                        NewCase {
                            client_name: name.into(),
                            ..NewCase::default()
                        },
                    )
                    .unwrap(),
            );
        }
        store
            .edit_case(&author, &family[1], |c| c.close("Verhuisd", None))
            .unwrap();
        (family[0].to_string(), family[1].to_string())
    };

    let app = App::launch(&desktop, data.path()).await;
    app.find("[data-testid=nav-cases]").await;
    let started = Instant::now();
    app.click("[data-testid=nav-cases]").await;
    app.find("[data-testid=case-row]").await;
    let list_ms = started.elapsed().as_millis();
    // Open cases (the default filter): 5,002, counted by the engine, not the rows loaded.
    assert_eq!(
        app.wait_for_contains("[data-testid=case-count]", "5.002")
            .await,
        "5.002 dossiers"
    );
    app.choose("[data-testid=filter-status]", "").await;
    assert_eq!(
        app.wait_for_contains("[data-testid=case-count]", "5.003")
            .await,
        "5.003 dossiers"
    );
    // One page of 200 rows is loaded; "more" loads the next 200 from the engine.
    assert_eq!(app.count("[data-testid=case-row]").await, 200);
    assert_eq!(
        app.text("[data-testid=case-shown]").await,
        "200 van 5.003 getoond"
    );
    app.screenshot("caseload-5003-nl").await;
    let started = Instant::now();
    app.click("[data-testid=case-more]").await;
    assert_eq!(app.wait_for_count("[data-testid=case-row]", 400).await, 400);
    let more_ms = started.elapsed().as_millis();
    assert_eq!(
        app.text("[data-testid=case-shown]").await,
        "400 van 5.003 getoond"
    );

    // Search keeps the status filter: "Xhaferi" among open cases is Kobe only.
    let hit = |id: &str| format!("[data-testid=search-results] a[href='#/case/{id}']");
    app.choose("[data-testid=filter-status]", "open").await;
    assert_eq!(
        app.wait_for_contains("[data-testid=case-count]", "5.002")
            .await,
        "5.002 dossiers"
    );
    let started = Instant::now();
    app.fill("[data-testid=case-search]", "Xhaferi").await;
    assert_eq!(
        app.wait_for_text("[data-testid=search-count]", "1 treffer")
            .await,
        "1 treffer"
    );
    let search_ms = started.elapsed().as_millis();
    assert_eq!(app.count(&hit(&kobe)).await, 1);
    assert_eq!(app.count(&hit(&lien)).await, 0);
    app.screenshot("search-status-open-nl").await;
    // Closed cases: Lien only, marked closed.
    app.choose("[data-testid=filter-status]", "closed").await;
    assert_eq!(app.wait_for_count(&hit(&lien), 1).await, 1);
    assert_eq!(app.count(&hit(&kobe)).await, 0);
    assert_eq!(app.text("[data-testid=search-count]").await, "1 treffer");
    assert_eq!(
        app.text("[data-testid=search-hit-closed]").await,
        "Afgesloten"
    );
    app.screenshot("search-status-closed-nl").await;
    // All, sorted by name: Kobe before Lien.
    app.choose("[data-testid=filter-status]", "").await;
    app.choose("[data-testid=sort]", "name").await;
    assert_eq!(
        app.wait_for_text("[data-testid=search-count]", "2 treffers")
            .await,
        "2 treffers"
    );
    let names = app.text("[data-testid=search-results]").await;
    let (k, l) = (names.find("Kobe").unwrap(), names.find("Lien").unwrap());
    assert!(k < l, "{names}");

    // A common word matches far more than 50 cases: the real total, and more on request.
    app.fill("[data-testid=case-search]", "cliënt").await;
    assert_eq!(app.wait_for_count("[data-testid=search-hit]", 50).await, 50);
    let counted = app.text("[data-testid=search-count]").await;
    let total: u32 = counted
        .trim_end_matches(" treffers")
        .replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {counted}"));
    assert!(total > 100, "{counted}");
    app.click("[data-testid=search-more]").await;
    assert_eq!(
        app.wait_for_count("[data-testid=search-hit]", 100).await,
        100
    );
    app.find("[data-testid=search-hit] mark").await;
    app.screenshot("search-more-nl").await;
    eprintln!(
        "5,003 cases: list visible after {list_ms} ms, 200 more rows after {more_ms} ms, \
         filtered search answered after {search_ms} ms (typing + 120 ms debounce)"
    );
    app.close().await;
}

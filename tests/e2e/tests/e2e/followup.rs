//! Flow 5 and 6: follow-up groups my tasks overdue first, shows which is overdue and ticks one off; settings show my profile, the data
//! location and store status, and switch the language.

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

#[tokio::test(flavor = "multi_thread")]
async fn follow_up_groups_tasks_and_settings_show_profile_and_store() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Dirk Maes", "").await;
    let today = app
        .client
        .execute(
            "const d = new Date(); const p = (n) => String(n).padStart(2, '0'); \
             return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;",
            vec![],
        )
        .await
        .unwrap();
    let today = today.as_str().unwrap().to_string();
    for (title, due) in [
        ("Later: evaluatie", "01/01/2099"),
        ("Geen datum: dossier ordenen", ""),
        ("Vandaag: mutualiteit bellen", today.as_str()),
        ("Te laat: huurwaarborg", "03/02/2025"),
    ] {
        app.click("[data-testid=task-new]").await;
        app.fill("[data-testid=task-title]", title).await;
        app.fill("[data-testid=task-due]", due).await;
        app.click("[data-testid=task-save]").await;
        app.wait_for_contains("[data-testid=tasks]", title).await;
    }

    app.click("[data-testid=nav-tasks]").await;
    app.find("[data-testid=followup-task]").await;
    let groups = app.text("[data-testid=followup]").await;
    let at = |s: &str| {
        groups
            .find(s)
            .unwrap_or_else(|| panic!("{s} not in {groups}"))
    };
    assert!(at("Te laat") < at("Vandaag"));
    assert!(at("Vandaag") < at("Later"));
    assert!(at("Later") < at("Zonder datum"));
    assert!(
        app.text("[data-testid=due-overdue]")
            .await
            .contains("huurwaarborg")
    );
    assert!(
        app.text("[data-testid=due-today]")
            .await
            .contains("mutualiteit")
    );
    // Which task is overdue: the one due 03/02/2025, marked "Te laat", and only that one.
    assert_eq!(app.text("[data-testid=due-overdue-count]").await, "1");
    let overdue = app
        .text("[data-testid=due-overdue] [data-testid=followup-task]")
        .await;
    assert!(overdue.contains("Te laat: huurwaarborg"), "{overdue}");
    assert!(overdue.contains("03/02/2025"), "{overdue}");
    assert_eq!(app.count("[data-testid=followup-overdue]").await, 1);
    assert_eq!(
        app.text("[data-testid=due-overdue] [data-testid=followup-overdue]")
            .await,
        "Te laat"
    );
    app.screenshot("followup-nl").await;

    // Tick the overdue task off here: it is struck through, the group counts 0 open, and
    // after a reload of the screen it is gone; the case file shows it done.
    app.click("[data-testid=due-overdue] [data-testid=followup-done]")
        .await;
    assert_eq!(
        app.wait_for_text("[data-testid=due-overdue-count]", "0")
            .await,
        "0"
    );
    // Said to screen readers (the line itself is visually hidden).
    let announced = app
        .find("[data-testid=followup-announce]")
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(announced, "Afgevinkt: Te laat: huurwaarborg");
    assert_eq!(
        app.count("[data-testid=due-overdue] li.done").await,
        1,
        "the ticked task stays in view, struck through"
    );
    assert_eq!(app.count("[data-testid=followup-overdue]").await, 0);
    app.screenshot("followup-ticked-nl").await;
    app.click("[data-testid=nav-cases]").await;
    app.find("[data-testid=caseload]").await;
    app.click("[data-testid=nav-tasks]").await;
    app.find("[data-testid=due-today]").await;
    assert_eq!(app.count("[data-testid=due-overdue]").await, 0);
    assert_eq!(app.count("[data-testid=followup-task]").await, 3);

    app.click("[data-testid=due-today] [data-testid=followup-case]")
        .await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Dirk Maes")
            .await,
        "Dirk Maes"
    );
    let done = app.text("[data-testid=tasks] li.done").await;
    assert!(done.contains("huurwaarborg"), "{done}");

    app.click("[data-testid=nav-settings]").await;
    assert_eq!(app.text("[data-testid=profile-name]").await, "Sara Claes");
    assert_eq!(
        app.text("[data-testid=profile-team]").await,
        "ID-team Houthalen"
    );
    assert_eq!(
        app.text("[data-testid=store-data-dir]").await,
        data.path().display().to_string()
    );
    assert_eq!(app.text("[data-testid=store-case-count]").await, "1");
    app.screenshot("settings-nl").await;
    app.click("[data-testid=settings-language-en]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=settings] h1", "Settings")
            .await,
        "Settings"
    );
    app.close().await;
}

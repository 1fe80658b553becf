//! Flow 4, the case file: household, questions, a journal entry in two clicks (its draft
//! survives a restart), tasks, consent, an under-protection flag, access, close and reopen; and
//! the same case file in English.

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

#[tokio::test(flavor = "multi_thread")]
async fn case_file_in_dutch_with_a_draft_that_survives_a_restart() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;

    // Household: add the partner, then edit the client's contact.
    app.click("[data-testid=person-new]").await;
    app.fill("[data-testid=person-name]", "Luc Dubois").await;
    app.choose("[data-testid=person-role]", "partner").await;
    app.click("[data-testid=person-save]").await;
    app.wait_for_count("[data-testid=person]", 2).await;
    app.click("[data-testid=person-edit]").await;
    app.fill("[data-testid=person-contact-input]", "0478 55 66 77")
        .await;
    app.click("[data-testid=person-save]").await;
    app.wait_for_contains("[data-testid=people]", "0478 55 66 77")
        .await;

    // A question for help under "Wonen".
    app.click("[data-testid=question-new]").await;
    app.choose("[data-testid=question-theme]", "housing").await;
    app.fill(
        "[data-testid=question-text]",
        "Huurachterstand van twee maanden",
    )
    .await;
    app.click("[data-testid=question-save]").await;
    let questions = app
        .wait_for_contains("[data-testid=questions]", "Huurachterstand")
        .await;
    assert!(questions.contains("Wonen"), "{questions}");
    app.choose("[data-testid=question-status]", "in_progress")
        .await;
    // Read the status back from the store: leave the case file and come back.
    let here = app.client.current_url().await.unwrap();
    app.go("#/").await;
    app.find("[data-testid=home-greeting]").await;
    app.go(&format!("#{}", here.fragment().unwrap())).await;
    app.wait_for_contains("[data-testid=questions]", "Huurachterstand")
        .await;
    assert_eq!(
        app.value("[data-testid=question-status]").await,
        "in_progress"
    );

    // A journal entry in two clicks; an impossible date is refused next to the date field.
    app.click("[data-testid=journal-new]").await;
    let date = app.value("[data-testid=journal-date]").await;
    assert!(
        date.len() == 16 && &date[2..3] == "/" && &date[10..11] == " ",
        "{date}"
    );
    app.fill(
        "[data-testid=journal-text]",
        "Huisbezoek: de verwarming is stuk.",
    )
    .await;
    app.fill("[data-testid=journal-date]", "31/02/2026 10:00")
        .await;
    app.click("[data-testid=journal-save]").await;
    assert_eq!(
        app.text("[data-testid=journal-date-error]").await,
        "Dit is geen geldige datum. Schrijf dd/mm/jjjj."
    );
    assert_eq!(
        app.value("[data-testid=journal-text]").await,
        "Huisbezoek: de verwarming is stuk."
    );
    app.screenshot("journal-error-nl").await;
    app.fill("[data-testid=journal-date]", &date).await;
    app.click("[data-testid=journal-save]").await;
    let journal = app
        .wait_for_contains("[data-testid=journal-entries]", "verwarming")
        .await;
    assert!(journal.contains("Huisbezoek"), "{journal}");
    assert!(journal.contains("Sara Claes"), "{journal}");

    // Tasks: one overdue, one done.
    for (title, due) in [
        ("Huurcontract opvragen", "02/01/2024"),
        ("OCMW-aanvraag", ""),
    ] {
        app.click("[data-testid=task-new]").await;
        app.fill("[data-testid=task-title]", title).await;
        app.fill("[data-testid=task-due]", due).await;
        app.click("[data-testid=task-save]").await;
        app.wait_for_contains("[data-testid=tasks]", title).await;
    }
    let overdue = app.text("[data-testid=task].overdue").await;
    assert!(overdue.contains("Huurcontract opvragen"), "{overdue}");
    assert_eq!(app.count("[data-testid=task].overdue").await, 1);
    app.click("[data-testid=task]:not(.overdue) [data-testid=task-done]")
        .await;
    let done = app.text("[data-testid=task].done").await;
    assert!(done.contains("OCMW-aanvraag"), "{done}");

    // Consent, recorded and withdrawn.
    app.click("[data-testid=consent-new]").await;
    app.fill("[data-testid=consent-what]", "Inkomensgegevens")
        .await;
    app.fill("[data-testid=consent-to]", "CAW Limburg").await;
    app.fill("[data-testid=consent-purpose]", "Budgetbegeleiding")
        .await;
    app.fill("[data-testid=consent-basis]", "Toestemming cliënt")
        .await;
    app.click("[data-testid=consent-save]").await;
    app.click("[data-testid=consent-withdraw]").await;
    app.click("[data-testid=withdraw-confirm]").await;
    app.wait_for_contains("[data-testid=consents]", "Ingetrokken op")
        .await;

    // Under-protection: a right not taken up.
    app.click("[data-testid=flag-new]").await;
    app.fill("[data-testid=flag-right]", "Verhoogde tegemoetkoming")
        .await;
    app.click("[data-testid=flag-save]").await;
    let flag = app.text("[data-testid=flag]").await;
    assert!(flag.contains("Onderbescherming"), "{flag}");

    // Close and reopen with a reason.
    app.fill("[data-testid=status-reason-input]", "Verhuisd naar Genk")
        .await;
    app.click("[data-testid=status-submit]").await;
    app.wait_for_text("[data-testid=case-status]", "Afgesloten")
        .await;
    app.fill("[data-testid=status-reason-input]", "Terug in de gemeente")
        .await;
    app.click("[data-testid=status-submit]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-status]", "Open").await,
        "Open"
    );
    app.client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    app.screenshot("casefile-nl").await;

    // A draft typed but not saved survives closing the app.
    app.click("[data-testid=journal-new]").await;
    app.fill(
        "[data-testid=journal-text]",
        "Telefoon met de verhuurder: afspraak",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    let url = app.client.current_url().await.unwrap();
    app.close().await;

    let app = App::launch(&desktop, data.path()).await;
    app.find("[data-testid=nav-cases]").await;
    app.go(url.fragment().map(|f| format!("#{f}")).as_deref().unwrap())
        .await;
    app.find("[data-testid=journal-form]").await;
    assert_eq!(
        app.value("[data-testid=journal-text]").await,
        "Telefoon met de verhuurder: afspraak"
    );
    app.screenshot("journal-draft-nl").await;
    app.click("[data-testid=kind-call]").await;
    app.click("[data-testid=journal-save]").await;
    app.wait_for_contains("[data-testid=journal-entries]", "verhuurder")
        .await;
    // The form closes once the save has answered (the entry can show a frame before).
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-form]", 0)
            .await,
        0
    );
    app.close().await;

    // Saved: the draft is gone after another restart.
    let app = App::launch(&desktop, data.path()).await;
    app.find("[data-testid=nav-cases]").await;
    app.go(url.fragment().map(|f| format!("#{f}")).as_deref().unwrap())
        .await;
    app.wait_for_count("[data-testid=journal-entry]", 2).await;
    assert_eq!(app.count("[data-testid=journal-form]").await, 0);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn case_file_in_english() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    app.click("[data-testid=language-en]").await;
    create_case(&app, "Ayşe Yılmaz", "02/05/1988").await;
    app.click("[data-testid=journal-new]").await;
    app.click("[data-testid=kind-office]").await;
    app.fill(
        "[data-testid=journal-text]",
        "First meeting about the energy bill.",
    )
    .await;
    app.click("[data-testid=journal-save]").await;
    let journal = app
        .wait_for_contains("[data-testid=journal-entries]", "energy bill")
        .await;
    assert!(journal.contains("Office meeting"), "{journal}");
    app.click("[data-testid=task-new]").await;
    app.fill("[data-testid=task-title]", "Call the energy supplier")
        .await;
    app.fill("[data-testid=task-due]", "not a date").await;
    app.click("[data-testid=task-save]").await;
    assert_eq!(
        app.text("[data-testid=task-due-error]").await,
        "This is not a valid date. Write dd/mm/yyyy."
    );
    app.fill("[data-testid=task-due]", "").await;
    app.click("[data-testid=task-save]").await;
    app.wait_for_contains("[data-testid=tasks]", "energy supplier")
        .await;
    assert_eq!(app.text("#journal-title").await, "Journal");
    assert_eq!(app.text("#people-title").await, "Household");
    app.screenshot("casefile-en").await;
    app.close().await;
}

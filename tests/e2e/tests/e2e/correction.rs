//! Correcting mistakes in the case file, as a worker does it: a journal entry corrected, with
//! its earlier text in its history; a wrong entry removed with a reason (required) and the
//! removal undone; a consent withdrawn only after confirming.

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

/// Write a journal entry with `text` (dated `date`, or now when empty) and wait for it.
async fn write_entry(app: &App, date: &str, text: &str) {
    app.click("[data-testid=journal-new]").await;
    if !date.is_empty() {
        app.fill("[data-testid=journal-date]", date).await;
    }
    app.fill("[data-testid=journal-text]", text).await;
    app.click("[data-testid=journal-save]").await;
    let journal = app
        .wait_for_contains("[data-testid=journal-entries]", text)
        .await;
    assert!(journal.contains(text), "{journal}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrected_journal_entry_shows_its_earlier_text_in_its_history() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;
    write_entry(&app, "", "Huisbezoek: de verwarming is stuk.").await;
    assert_eq!(app.count("[data-testid=history]").await, 0);

    // An empty text is refused at the field; nothing changes.
    app.click("[data-testid=entry-edit-open]").await;
    assert_eq!(
        app.value("[data-testid=entry-edit-text]").await,
        "Huisbezoek: de verwarming is stuk."
    );
    // (Blanks: clearing a field by WebDriver fires no input event.)
    app.fill("[data-testid=entry-edit-text]", "   ").await;
    app.click("[data-testid=entry-edit-save]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=entry-edit-text-error]", "Vul dit veld in.")
            .await,
        "Vul dit veld in."
    );
    app.fill(
        "[data-testid=entry-edit-text]",
        "Huisbezoek: de verwarming is stuk; de huisbaas is verwittigd.",
    )
    .await;
    app.click("[data-testid=entry-edit-save]").await;
    let entry = app
        .wait_for_contains("[data-testid=journal-entry]", "huisbaas is verwittigd")
        .await;
    assert!(entry.contains("gewijzigd"), "{entry}");
    assert_eq!(app.count("[data-testid=entry-edit]").await, 0);

    // The history, behind its disclosure: who changed it, and the text before.
    app.click("[data-testid=journal-entry] [data-testid=history] summary")
        .await;
    let history = app
        .wait_for_contains("[data-testid=history]", "Vorige tekst:")
        .await;
    assert!(
        history.contains("Gewijzigd door Sara Claes op"),
        "{history}"
    );
    assert!(
        history.contains("Vorige tekst: Huisbezoek: de verwarming is stuk."),
        "{history}"
    );
    app.screenshot("correction-journal-history-nl").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_entry_is_removed_with_a_reason_and_the_removal_undone() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;
    write_entry(&app, "02/03/2026 10:00", "Eerste gesprek over de huur.").await;
    // The newest entry is listed first: the one written in the wrong case.
    write_entry(&app, "", "Verkeerd dossier: gesprek met Verbeke.").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-entry]", 2)
            .await,
        2
    );

    // Without a reason nothing is removed.
    app.click("[data-testid=journal-entry] [data-testid=journal-remove]")
        .await;
    let what = app.text("[data-testid=remove-dialog] .remove-what").await;
    assert!(what.contains("Verbeke"), "{what}");
    app.click("[data-testid=remove-confirm]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=remove-reason-error]", "Vul dit veld in.")
            .await,
        "Vul dit veld in."
    );
    app.screenshot("correction-remove-reason-required-nl").await;
    assert_eq!(app.count("[data-testid=journal-entry]").await, 2);

    app.fill("[data-testid=remove-reason]", "Hoort bij een ander dossier")
        .await;
    app.click("[data-testid=remove-confirm]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-entry]", 1)
            .await,
        1
    );
    let journal = app.text("[data-testid=journal-entries]").await;
    assert!(!journal.contains("Verbeke"), "{journal}");
    assert!(journal.contains("Eerste gesprek"), "{journal}");
    // Shown collapsed as removed; opened, it says who removed it and why.
    let removed = app.text("[data-testid=removed-journal]").await;
    assert!(removed.contains("Verwijderd"), "{removed}");
    assert!(removed.contains("Verkeerd dossier"), "{removed}");
    app.click("[data-testid=removed-journal] summary").await;
    let removed = app
        .wait_for_contains("[data-testid=removed-reason]", "Reden:")
        .await;
    assert!(
        removed.contains("Verwijderd door Sara Claes op"),
        "{removed}"
    );
    assert!(
        removed.contains("Reden: Hoort bij een ander dossier"),
        "{removed}"
    );
    app.screenshot("correction-entry-removed-nl").await;

    // Undo: the entry is back, its history says what happened.
    app.click("[data-testid=restore-item]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-entry]", 2)
            .await,
        2
    );
    assert_eq!(app.count("[data-testid=removed-item]").await, 0);
    let first = app.text("[data-testid=journal-entry]").await;
    assert!(first.contains("Verbeke"), "{first}");
    app.click("[data-testid=journal-entry] [data-testid=history] summary")
        .await;
    let history = app
        .wait_for_contains(
            "[data-testid=journal-entry] [data-testid=history]",
            "Teruggezet",
        )
        .await;
    assert!(history.contains("Teruggezet door Sara Claes"), "{history}");
    assert!(
        history.contains("Reden: Hoort bij een ander dossier"),
        "{history}"
    );
    app.screenshot("correction-entry-restored-nl").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consent_is_withdrawn_only_after_confirming() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;
    app.click("[data-testid=consent-new]").await;
    app.fill("[data-testid=consent-what]", "Inkomensgegevens")
        .await;
    app.fill("[data-testid=consent-to]", "CAW Limburg").await;
    app.fill("[data-testid=consent-purpose]", "Budgetbegeleiding")
        .await;
    app.fill("[data-testid=consent-basis]", "Toestemming cliënt")
        .await;
    app.click("[data-testid=consent-save]").await;
    let consents = app
        .wait_for_contains("[data-testid=consents]", "Inkomensgegevens")
        .await;
    assert!(consents.contains("CAW Limburg"), "{consents}");

    // "Intrekken" asks first; cancelling changes nothing.
    app.click("[data-testid=consent-withdraw]").await;
    let question = app
        .wait_for_contains("[data-testid=withdraw-question]", "CAW Limburg")
        .await;
    assert!(
        question.contains("toestemming voor Inkomensgegevens aan CAW Limburg intrekken"),
        "{question}"
    );
    app.screenshot("correction-consent-withdraw-confirm-nl")
        .await;
    app.click("[data-testid=withdraw-cancel]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=withdraw-question]", 0)
            .await,
        0
    );
    let consents = app.text("[data-testid=consents]").await;
    assert!(!consents.contains("Ingetrokken op"), "{consents}");
    assert_eq!(app.count("[data-testid=consent-withdraw]").await, 1);

    // Confirmed, it is withdrawn (today).
    app.click("[data-testid=consent-withdraw]").await;
    app.click("[data-testid=withdraw-confirm]").await;
    let consents = app
        .wait_for_contains("[data-testid=consents]", "Ingetrokken op")
        .await;
    assert!(consents.contains("Ingetrokken op"), "{consents}");
    assert_eq!(app.count("[data-testid=consent-withdraw]").await, 0);
    assert_eq!(app.count("[data-testid=withdraw-question]").await, 0);
    app.screenshot("correction-consent-withdrawn-nl").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_case_is_removed_with_a_reason_and_restored_by_its_owner() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Yusuf Çelik", "02/05/1984").await;
    let case_id = app
        .attr("[data-testid=casefile]", "data-case-id")
        .await
        .unwrap();
    create_case(&app, "Marie Dubois", "14/07/1979").await;
    app.go(&format!("#/case/{case_id}")).await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Yusuf Çelik")
            .await,
        "Yusuf Çelik"
    );

    // A reason is required.
    app.click("[data-testid=case-remove-panel] summary").await;
    app.fill("[data-testid=case-remove-reason]", "  ").await;
    app.click("[data-testid=case-remove]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-remove-reason-error]", "Vul dit veld in.")
            .await,
        "Vul dit veld in."
    );
    assert_eq!(app.count("[data-testid=case-removed]").await, 0);
    app.fill(
        "[data-testid=case-remove-reason]",
        "Dubbel dossier, per vergissing geopend",
    )
    .await;
    app.click("[data-testid=case-remove]").await;
    let banner = app
        .wait_for_contains("[data-testid=case-removed]", "Reden:")
        .await;
    assert!(
        banner.contains("Reden: Dubbel dossier, per vergissing geopend"),
        "{banner}"
    );
    app.screenshot("correction-case-removed-nl").await;

    // Gone from the caseload; the other case stays.
    app.click("[data-testid=nav-cases]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=case-row]", 1).await,
        1
    );
    let list = app.text("[data-testid=case-list]").await;
    assert!(list.contains("Marie Dubois"), "{list}");
    assert!(!list.contains("Yusuf"), "{list}");

    // Listed under "Verwijderde dossiers", whence its owner opens and restores it.
    app.click("[data-testid=removed-cases] summary").await;
    let removed = app
        .wait_for_contains("[data-testid=removed-case]", "Yusuf Çelik")
        .await;
    assert!(
        removed.contains("Reden: Dubbel dossier, per vergissing geopend"),
        "{removed}"
    );
    app.screenshot("correction-removed-cases-nl").await;
    app.click("[data-testid=removed-case] a").await;
    app.click("[data-testid=case-restore]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=case-removed]", 0)
            .await,
        0
    );
    app.find("[data-testid=case-remove-panel]").await;
    app.click("[data-testid=nav-cases]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=case-row]", 2).await,
        2
    );
    let list = app.text("[data-testid=case-list]").await;
    assert!(list.contains("Yusuf Çelik"), "{list}");
    assert_eq!(app.count("[data-testid=removed-cases]").await, 0);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_a_question_and_a_consent_are_corrected_each_with_its_history() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "14/07/1979").await;

    // A task with a typo in its title, corrected.
    app.click("[data-testid=task-new]").await;
    app.fill("[data-testid=task-title]", "Huurcontarct opvragen")
        .await;
    app.click("[data-testid=task-save]").await;
    app.wait_for_contains("[data-testid=tasks]", "Huurcontarct")
        .await;
    app.click("[data-testid=task-edit]").await;
    app.fill("[data-testid=task-edit-title]", "Huurcontract opvragen")
        .await;
    app.click("[data-testid=task-edit-save]").await;
    let tasks = app
        .wait_for_contains("[data-testid=tasks]", "Huurcontract opvragen")
        .await;
    assert!(!tasks.contains("Huurcontarct opvragen\n"), "{tasks}");
    app.click("[data-testid=tasks] [data-testid=history] summary")
        .await;
    let history = app
        .wait_for_contains("[data-testid=tasks] [data-testid=history]", "Huurcontarct")
        .await;
    assert!(history.contains("Sara Claes"), "{history}");

    // A question under the wrong text, corrected.
    app.click("[data-testid=question-new]").await;
    app.choose("[data-testid=question-theme]", "housing").await;
    app.fill(
        "[data-testid=question-text]",
        "Huurachterstand van twee weken",
    )
    .await;
    app.click("[data-testid=question-save]").await;
    app.wait_for_contains("[data-testid=questions]", "twee weken")
        .await;
    app.click("[data-testid=question-edit]").await;
    app.fill(
        "[data-testid=question-edit-text]",
        "Huurachterstand van twee maanden",
    )
    .await;
    app.click("[data-testid=question-edit-save]").await;
    app.wait_for_contains("[data-testid=questions]", "twee maanden")
        .await;
    app.click("[data-testid=questions] [data-testid=history] summary")
        .await;
    app.wait_for_contains(
        "[data-testid=questions] [data-testid=history]",
        "twee weken",
    )
    .await;

    // A consent: a date given in 2099 is refused at its field and changes nothing; a corrected
    // partner name is kept, with the earlier one in its history.
    app.click("[data-testid=consent-new]").await;
    app.fill("[data-testid=consent-what]", "Inkomensgegevens")
        .await;
    app.fill("[data-testid=consent-to]", "CAW Limbrug").await;
    app.fill("[data-testid=consent-purpose]", "Budgetbegeleiding")
        .await;
    app.fill("[data-testid=consent-basis]", "Toestemming cliënt")
        .await;
    app.click("[data-testid=consent-save]").await;
    app.wait_for_contains("[data-testid=consents]", "CAW Limbrug")
        .await;
    app.click("[data-testid=consent-edit]").await;
    // Two required fields emptied: both flagged at once.
    app.fill("[data-testid=consent-edit-what]", "").await;
    app.fill("[data-testid=consent-edit-to]", "").await;
    app.click("[data-testid=consent-edit-save]").await;
    for field in ["consent-edit-what", "consent-edit-to"] {
        assert_eq!(
            app.text(&format!("[data-testid={field}-error]")).await,
            "Vul dit veld in.",
            "{field}"
        );
    }
    app.fill("[data-testid=consent-edit-what]", "Inkomensgegevens")
        .await;
    app.fill("[data-testid=consent-edit-to]", "CAW Limburg")
        .await;
    app.fill("[data-testid=consent-edit-date]", "01/01/2099")
        .await;
    app.click("[data-testid=consent-edit-save]").await;
    assert_eq!(
        app.text("[data-testid=consent-edit-date-error]").await,
        "Deze datum ligt in de toekomst."
    );
    app.screenshot("correction-consent-future-nl").await;
    app.fill("[data-testid=consent-edit-date]", "10/01/2026")
        .await;
    app.click("[data-testid=consent-edit-save]").await;
    app.wait_for_contains("[data-testid=consents]", "CAW Limburg")
        .await;
    app.click("[data-testid=consents] [data-testid=history] summary")
        .await;
    let history = app
        .wait_for_contains(
            "[data-testid=consents] [data-testid=history]",
            "CAW Limbrug",
        )
        .await;
    assert!(!history.contains("2099"), "{history}");
    let consents = app.text("[data-testid=consents]").await;
    assert!(consents.contains("10/01/2026"), "{consents}");
    app.screenshot("correction-task-question-consent-nl").await;
    app.close().await;
}

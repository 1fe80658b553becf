//! Bad input, form by form, as a newcomer types it: every refusal is shown at the field it
//! concerns, in Dutch, and nothing is stored (what the form would have added is not there, also
//! after the case file is read again from the store).

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

const EMPTY: &str = "Vul dit veld in.";
const BAD_DATE: &str = "Dit is geen geldige datum. Schrijf dd/mm/jjjj.";

impl App {
    /// Assert that the error at the field `testid` reads `expected`.
    async fn field_error(&self, testid: &str, expected: &str) {
        assert_eq!(
            self.text(&format!("[data-testid={testid}-error]")).await,
            expected,
            "the error at {testid}"
        );
    }

    /// Leave the case file and open it again, so what shows is read from the store.
    async fn reread_case(&self) {
        let here = self.client.current_url().await.unwrap();
        self.go("#/").await;
        self.find("[data-testid=home-greeting]").await;
        self.go(&format!("#{}", here.fragment().unwrap())).await;
        self.find("[data-testid=case-title]").await;
        self.find("[data-testid=people]").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn case_file_forms_refuse_bad_input_at_the_field_and_store_nothing() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Fatima Benali", "09/09/1972").await;

    // Person: no name; then a name too long (over 200 characters).
    app.click("[data-testid=person-new]").await;
    app.click("[data-testid=person-save]").await;
    app.field_error("person-name", EMPTY).await;
    app.fill("[data-testid=person-name]", &"Benali".repeat(40))
        .await;
    app.fill("[data-testid=person-birth]", "30/02/2015").await;
    app.click("[data-testid=person-save]").await;
    let error = app.text("[data-testid=person-name-error]").await;
    assert!(error.starts_with("Dit is te lang"), "{error}");
    app.screenshot("badinput-person-nl").await;
    app.fill("[data-testid=person-name]", "Yasmine Benali")
        .await;
    app.click("[data-testid=person-save]").await;
    app.field_error("person-birth", BAD_DATE).await;
    // Escape closes the dialog, as a worker giving up would.
    app.find("[data-testid=person-name]")
        .await
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    assert_eq!(
        app.wait_for_exact_count("[data-testid=person-dialog][open]", 0)
            .await,
        0
    );

    // Question: no text.
    app.click("[data-testid=question-new]").await;
    app.choose("[data-testid=question-theme]", "housing").await;
    app.click("[data-testid=question-save]").await;
    app.field_error("question-text", EMPTY).await;
    app.screenshot("badinput-question-nl").await;

    // Consent: nothing filled in, then an impossible date.
    app.click("[data-testid=consent-new]").await;
    app.click("[data-testid=consent-save]").await;
    app.field_error("consent-what", EMPTY).await;
    app.fill("[data-testid=consent-what]", "Inkomensgegevens")
        .await;
    app.fill("[data-testid=consent-to]", "CAW Limburg").await;
    app.fill("[data-testid=consent-purpose]", "Budgetbegeleiding")
        .await;
    app.fill("[data-testid=consent-basis]", "Toestemming cliënt")
        .await;
    app.fill("[data-testid=consent-date]", "32/13/2026").await;
    app.click("[data-testid=consent-save]").await;
    app.field_error("consent-date", BAD_DATE).await;
    app.screenshot("badinput-consent-nl").await;

    // Under-protection flag: no right named.
    app.click("[data-testid=flag-new]").await;
    app.click("[data-testid=flag-save]").await;
    app.field_error("flag-right", EMPTY).await;

    // Closing the case: no reason.
    app.click("[data-testid=status-submit]").await;
    app.field_error("status-reason-input", EMPTY).await;
    app.screenshot("badinput-close-nl").await;

    // Nothing of it was stored.
    app.reread_case().await;
    assert_eq!(app.count("[data-testid=person]").await, 1);
    assert_eq!(app.count("[data-testid=question]").await, 0);
    assert_eq!(app.count("[data-testid=consent]").await, 0);
    assert_eq!(app.count("[data-testid=flag]").await, 0);
    let status = app.text("[data-testid=case-status]").await;
    assert_ne!(status, "Afgesloten");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn front_door_and_settings_forms_refuse_bad_input_at_the_field() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;

    // A signal to route.
    app.click("[data-testid=nav-intake]").await;
    app.fill("[data-testid=intake-text]", "Buur meldt: geen verwarming")
        .await;
    app.choose("[data-testid=intake-theme]", "housing").await;
    app.choose("[data-testid=intake-source]", "volunteer").await;
    app.choose("[data-testid=intake-urgency]", "high").await;
    app.click("[data-testid=intake-submit]").await;
    app.wait_for_exact_count("[data-testid=intake-item]", 1)
        .await;

    // Search by year: not a year.
    app.fill("[data-testid=client-search-name]", "Benali").await;
    app.fill("[data-testid=client-search-year]", "19x2").await;
    app.click("[data-testid=client-search-submit]").await;
    let error = app.text("[data-testid=client-search-year-error]").await;
    assert!(!error.is_empty(), "no error at the year");
    app.screenshot("badinput-search-year-nl").await;

    // Intake to case: no name, then an impossible birth date; no case is made.
    app.click("[data-testid=intake-to-case]").await;
    app.fill("[data-testid=intake-case-name]", "").await;
    app.fill("[data-testid=intake-case-birth]", "").await;
    app.click("[data-testid=intake-case-save]").await;
    app.field_error("intake-case-name", EMPTY).await;
    app.fill("[data-testid=intake-case-name]", "Jef Hermans")
        .await;
    app.fill("[data-testid=intake-case-birth]", "31/04/1951")
        .await;
    app.click("[data-testid=intake-case-save]").await;
    app.field_error("intake-case-birth", BAD_DATE).await;
    app.screenshot("badinput-intake-case-nl").await;
    app.go("#/").await;
    app.click("[data-testid=nav-cases]").await;
    app.find("[data-testid=caseload-empty]").await;

    // Closing the signal: no reason; it stays in the queue.
    app.click("[data-testid=nav-intake]").await;
    app.click("[data-testid=intake-close]").await;
    app.click("[data-testid=intake-close-save]").await;
    app.field_error("intake-close-reason", EMPTY).await;
    app.screenshot("badinput-intake-close-nl").await;
    app.go("#/").await;
    app.click("[data-testid=nav-intake]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=intake-item]", 1)
            .await,
        1
    );

    // Invitation: no name; no invitation is made.
    app.click("[data-testid=nav-settings]").await;
    app.click("[data-testid=invite-open]").await;
    app.choose("[data-testid=invite-member]", "").await;
    app.click("[data-testid=invite-create]").await;
    app.field_error("invite-name", EMPTY).await;
    assert_eq!(app.count("[data-testid=invite-text]").await, 0);
    app.screenshot("badinput-invite-nl").await;
    app.close().await;
}

//! Flow 2, the front door: register questions fast, find who guides a person (not the case),
//! and route new items: a new case, a link to an existing case, closed with a reason.

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

async fn register(app: &App, text: &str, theme: &str, urgency: &str) {
    app.fill("[data-testid=intake-text]", text).await;
    app.choose("[data-testid=intake-theme]", theme).await;
    app.choose("[data-testid=intake-source]", "volunteer").await;
    app.choose("[data-testid=intake-urgency]", urgency).await;
    app.click("[data-testid=intake-submit]").await;
    app.wait_for_contains("[data-testid=intake-queue]", text)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn front_door_registers_finds_and_routes() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Fatima Benali", "09/09/1972").await;

    app.click("[data-testid=nav-intake]").await;
    app.find("[data-testid=intake-queue-empty]").await;
    // Empty text: refused next to the field, in Dutch.
    app.click("[data-testid=intake-submit]").await;
    assert_eq!(
        app.text("[data-testid=intake-text-error]").await,
        "Vul dit veld in."
    );
    register(
        &app,
        "Buurvrouw meldt: mevrouw Benali kan de huur niet betalen",
        "housing",
        "high",
    )
    .await;
    register(
        &app,
        "Man vraagt hulp bij formulieren van de mutualiteit",
        "administration",
        "normal",
    )
    .await;
    register(
        &app,
        "Vraag naar de openingsuren van de sociale kruidenier",
        "other",
        "low",
    )
    .await;
    assert_eq!(app.count("[data-testid=intake-item]").await, 3);

    // Who guides Fatima Benali? The owner's name, not the case.
    app.fill("[data-testid=client-search-name]", "Fatima").await;
    app.fill("[data-testid=client-search-year]", "1972").await;
    app.click("[data-testid=client-search-submit]").await;
    let found = app.text("[data-testid=client-match]").await;
    assert!(found.contains("Fatima Benali"), "{found}");
    assert!(found.contains("begeleid door Sara Claes"), "{found}");
    app.screenshot("frontdoor-nl").await;

    // Close the question about opening hours with a reason.
    app.click("[data-testid=intake-item]:nth-child(1) [data-testid=intake-close]")
        .await;
    app.fill(
        "[data-testid=intake-close-reason]",
        "Meteen beantwoord aan de balie",
    )
    .await;
    app.click("[data-testid=intake-close-save]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=intake-item]", 2)
            .await,
        2
    );

    // Link the neighbour's signal to Fatima Benali's case.
    let queue = app.text("[data-testid=intake-queue]").await;
    let benali_first = queue.find("Benali").unwrap() < queue.find("mutualiteit").unwrap();
    let nth = if benali_first { 1 } else { 2 };
    app.click(&format!(
        "[data-testid=intake-item]:nth-child({nth}) [data-testid=intake-link]"
    ))
    .await;
    app.fill("[data-testid=link-search-name]", "Benali").await;
    app.click("[data-testid=link-search-submit]").await;
    app.click("[data-testid=client-pick]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=intake-item]", 1)
            .await,
        1
    );

    // Make a new case of the last one; it opens.
    app.click("[data-testid=intake-to-case]").await;
    app.fill("[data-testid=intake-case-name]", "Jef Hermans")
        .await;
    app.fill("[data-testid=intake-case-birth]", "01/04/1951")
        .await;
    app.click("[data-testid=intake-case-save]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Jef Hermans")
            .await,
        "Jef Hermans"
    );
    app.click("[data-testid=nav-intake]").await;
    app.find("[data-testid=intake-queue-empty]").await;
    app.close().await;
}

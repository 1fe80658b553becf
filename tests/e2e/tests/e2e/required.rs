//! Required fields (issue 10, defect 6): a form sent empty flags every empty required field at
//! once, each at its own field, and marks each one (a visible * and aria-required); filling one
//! clears only its own message; nothing is stored until all are filled.

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop};

const CONSENT_FIELDS: [&str; 4] = [
    "consent-what",
    "consent-to",
    "consent-purpose",
    "consent-basis",
];

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_form_flags_every_required_field_at_once() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Anouk Janssens", "").await;

    app.click("[data-testid=consent-new]").await;
    for field in CONSENT_FIELDS {
        assert_eq!(
            app.attr(&format!("[data-testid={field}]"), "aria-required")
                .await
                .as_deref(),
            Some("true"),
            "{field} is marked required"
        );
    }
    // The date is not required, and not marked.
    assert_eq!(
        app.attr("[data-testid=consent-date]", "aria-required")
            .await
            .as_deref(),
        Some("false")
    );

    // Sent empty (spaces count as empty): all four at once, each at its field.
    app.fill("[data-testid=consent-to]", "   ").await;
    app.click("[data-testid=consent-save]").await;
    assert_eq!(
        app.wait_for_count("[data-testid$=-error]", 4).await,
        4,
        "every empty required field is flagged"
    );
    for field in CONSENT_FIELDS {
        assert_eq!(
            app.text(&format!("[data-testid={field}-error]")).await,
            "Vul dit veld in.",
            "{field}"
        );
        assert_eq!(
            app.attr(&format!("[data-testid={field}]"), "aria-invalid")
                .await
                .as_deref(),
            Some("true"),
            "{field}"
        );
    }
    assert_eq!(
        app.count("[data-testid=consents] .required").await,
        4,
        "a visible mark on each required field"
    );
    app.screenshot("required-all-flagged-nl").await;

    // Filling one clears its own message only; nothing was stored.
    app.fill("[data-testid=consent-what]", "Inkomsten").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=consent-what-error]", 0)
            .await,
        0
    );
    assert_eq!(app.count("[data-testid$=-error]").await, 3);
    assert_eq!(app.count("[data-testid=consent]").await, 0);
    for (field, text) in [
        ("consent-to", "OCMW Genk"),
        ("consent-purpose", "Aanvraag leefloon"),
        ("consent-basis", "toestemming van de cliënt"),
    ] {
        app.fill(&format!("[data-testid={field}]"), text).await;
    }
    app.click("[data-testid=consent-save]").await;
    assert_eq!(app.wait_for_count("[data-testid=consent]", 1).await, 1);
    assert_eq!(app.count("[data-testid$=-error]").await, 0);
    app.close().await;
}

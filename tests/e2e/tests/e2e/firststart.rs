//! Flow 1, first start: nothing is reachable before a team exists; joining is explained (and
//! offered: see sync.rs for joining itself); a
//! validation error shows next to its field in Dutch; the profile survives a restart.

use crate::flows::start_team;
use crate::harness::{App, Desktop};

#[tokio::test(flavor = "multi_thread")]
async fn first_start_creates_a_team_and_keeps_it() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;

    app.find("[data-testid=welcome]").await;
    assert_eq!(app.count("[data-testid=nav-cases]").await, 0);
    app.screenshot("welcome-nl").await;

    // A bookmark to the caseload still shows the welcome screen.
    app.go("#/cases").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.count("[data-testid=caseload]").await, 0);
    app.find("[data-testid=welcome]").await;

    app.click("[data-testid=welcome-join]").await;
    let join = app.text("[data-testid=join-explanation]").await;
    assert!(join.contains("uitnodiging"), "{join}");
    app.find("[data-testid=join-invitation]").await;
    app.screenshot("welcome-join-nl").await;

    // Saving without a team name: the message is next to that field, and nothing typed is lost.
    app.click("[data-testid=welcome-start]").await;
    app.fill("[data-testid=own-name]", "Sara Claes").await;
    app.click("[data-testid=start-team-submit]").await;
    assert_eq!(
        app.text("[data-testid=team-name-error]").await,
        "Vul dit veld in."
    );
    assert_eq!(app.value("[data-testid=own-name]").await, "Sara Claes");
    app.screenshot("welcome-error-nl").await;

    start_team(&app).await;
    app.find("[data-testid=nav-cases]").await;
    app.screenshot("home-team-nl").await;
    app.close().await;

    let app = App::launch(&desktop, data.path()).await;
    app.wait_for_contains("[data-testid=home-greeting]", "Sara Claes")
        .await;
    assert_eq!(app.count("[data-testid=welcome]").await, 0);
    app.close().await;
}

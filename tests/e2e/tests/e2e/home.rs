//! The home screen: Dutch first, English on request, real store status, one instance per store.

use rusqlite::{Connection, OpenFlags};

use crate::harness::{App, Display};

/// The schema version as SQLite itself records it in the file.
fn schema_version_in_file(data_dir: &std::path::Path) -> u32 {
    let conn =
        Connection::open_with_flags(data_dir.join("nabij.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn home_speaks_dutch_shows_real_store_status_and_switches_to_english() {
    let display = Display::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&display, data.path()).await;

    assert_eq!(app.client.title().await.unwrap(), "Nabij");
    assert_eq!(
        app.text("[data-testid=home-title]").await,
        "Welkom bij Nabij"
    );
    assert_eq!(app.text("#store-title").await, "Opslag op deze laptop");
    let shown_dir = app.text("[data-testid=store-data-dir]").await;
    assert_eq!(shown_dir, data.path().display().to_string());
    let shown_version: u32 = app
        .text("[data-testid=store-schema-version]")
        .await
        .parse()
        .unwrap();
    assert_eq!(shown_version, schema_version_in_file(data.path()));
    assert!(shown_version >= 1);
    assert_eq!(app.text("[data-testid=store-case-count]").await, "0");
    app.screenshot("home-nl").await;

    app.find("[data-testid=language-en]")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        app.wait_for_text("[data-testid=home-title]", "Welcome to Nabij")
            .await,
        "Welcome to Nabij"
    );
    assert_eq!(app.text("#store-title").await, "Storage on this laptop");
    app.screenshot("home-en").await;
    app.close().await;

    // The choice is kept in this data directory's store: a restart speaks English.
    let app = App::launch(&display, data.path()).await;
    assert_eq!(
        app.wait_for_text("[data-testid=home-title]", "Welcome to Nabij")
            .await,
        "Welcome to Nabij"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn second_instance_on_same_data_dir_gets_a_clear_message() {
    let display = Display::start();
    let data = tempfile::tempdir().unwrap();
    let first = App::launch(&display, data.path()).await;
    first.find("[data-testid=store-status]").await;

    let second = App::launch(&display, data.path()).await;
    let error = second.find("[data-testid=error]").await;
    assert_eq!(
        error.attr("data-code").await.unwrap().as_deref(),
        Some("store_in_use")
    );
    assert_eq!(
        second.text("[data-testid=error] h2").await,
        "Deze gegevensmap is al in gebruik"
    );
    second.screenshot("second-instance-nl").await;
    second.close().await;

    // The first window still works on an intact store.
    assert_eq!(first.text("[data-testid=store-case-count]").await, "0");
    first.close().await;
    assert_eq!(
        schema_version_in_file(data.path()),
        nabij_crdt::store::migration::CURRENT_VERSION
    );
}

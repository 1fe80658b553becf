//! The home screen: Dutch first, English on request, real store status, one instance per store.

use rusqlite::{Connection, OpenFlags};

use crate::flows::start_team;
use crate::harness::{App, Desktop};

/// The schema version as SQLite itself records it in the encrypted file, opened with the key
/// the app keeps in the session's keyring.
fn schema_version_in_file(desktop: &Desktop, data_dir: &std::path::Path) -> u32 {
    let key = desktop
        .stored_key(data_dir)
        .expect("no key for this store in the keyring");
    let conn =
        Connection::open_with_flags(data_dir.join("nabij.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
        .unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

/// The file is not plain SQLite: its first bytes are not the SQLite header.
fn assert_encrypted_at_rest(data_dir: &std::path::Path) {
    let bytes = std::fs::read(data_dir.join("nabij.db")).unwrap();
    assert!(bytes.len() >= 4096, "store file too small");
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "store file is not encrypted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn home_speaks_dutch_shows_real_store_status_and_switches_to_english() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;

    assert_eq!(app.client.title().await.unwrap(), "Nabij");
    assert_eq!(
        app.text("[data-testid=home-title]").await,
        "Welkom bij Nabij"
    );
    start_team(&app).await;
    assert_eq!(app.text("[data-testid=home-cases] .figure").await, "0");
    assert_eq!(app.text("[data-testid=home-open-tasks] .figure").await, "0");
    app.screenshot("home-nl").await;

    // Where and how the data is kept: in Settings, "Over Nabij".
    app.click("[data-testid=nav-settings]").await;
    assert_eq!(app.text("#store-title").await, "Opslag op deze laptop");
    let shown_dir = app.text("[data-testid=store-data-dir]").await;
    assert_eq!(shown_dir, data.path().display().to_string());
    let shown_version: u32 = app
        .text("[data-testid=store-schema-version]")
        .await
        .parse()
        .unwrap();
    assert_eq!(shown_version, schema_version_in_file(&desktop, data.path()));
    assert!(shown_version >= 1);
    assert_eq!(app.text("[data-testid=store-case-count]").await, "0");
    let encrypted = app.find("[data-testid=store-encrypted]").await;
    assert_eq!(
        encrypted.attr("data-encrypted").await.unwrap().as_deref(),
        Some("true")
    );

    app.find("[data-testid=language-en]")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        app.wait_for_text("#store-title", "Storage on this laptop")
            .await,
        "Storage on this laptop"
    );
    app.click("[data-testid=nav-home]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=home-title]", "Welcome to Nabij")
            .await,
        "Welcome to Nabij"
    );
    app.screenshot("home-en").await;
    app.close().await;

    // The choice is kept in this data directory's store: a restart speaks English.
    let app = App::launch(&desktop, data.path()).await;
    assert_eq!(
        app.wait_for_text("[data-testid=home-title]", "Welcome to Nabij")
            .await,
        "Welcome to Nabij"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn second_instance_on_same_data_dir_gets_a_clear_message() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let first = App::launch(&desktop, data.path()).await;
    first.find("[data-testid=welcome]").await;

    let second = App::launch(&desktop, data.path()).await;
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
    start_team(&first).await;
    first.click("[data-testid=nav-settings]").await;
    assert_eq!(first.text("[data-testid=store-case-count]").await, "0");
    first.close().await;
    assert_encrypted_at_rest(data.path());
    assert_eq!(
        schema_version_in_file(&desktop, data.path()),
        nabij_crdt::store::migration::CURRENT_VERSION
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn home_counts_cases_and_open_tasks_from_the_store() {
    use nabij_crdt::author::Author;
    use nabij_crdt::case::{NewCase, NewTask};
    use nabij_crdt::id::{MemberId, TeamId};
    use nabij_crdt::store::{KeySource, Store};

    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    // Put a key in the session's keyring, as the app would, and fill the store with it.
    let key = "5a".repeat(32);
    let stored = desktop
        .command("sh")
        .arg("-c")
        .arg(format!(
            "printf {key} | secret-tool store --label=Nabij service nabij username '{}'",
            data.path().display()
        ))
        .status()
        .unwrap();
    assert!(stored.success());
    let key_file = data.path().join("test.key");
    std::fs::write(&key_file, &key).unwrap();
    {
        let mut store = Store::open(data.path(), &KeySource::File(key_file)).unwrap();
        let me = Author::generate(MemberId::random());
        let team = TeamId::random();
        for (name, tasks) in [("An Peeters", 2), ("Yusuf Çelik", 1), ("Marie Dubois", 0)] {
            let case = NewCase {
                client_name: name.into(),
                ..Default::default()
            };
            let id = store.create_case(&me, &team, case).unwrap();
            for n in 0..tasks {
                let task = NewTask {
                    title: format!("Taak {n}"),
                    due: None,
                    assignee: None,
                };
                store.edit_case(&me, &id, |c| c.add_task(task)).unwrap();
            }
        }
    }

    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    assert_eq!(app.text("[data-testid=home-cases] .figure").await, "3");
    assert_eq!(app.text("[data-testid=home-open-tasks] .figure").await, "3");
    app.screenshot("home-counts-nl").await;
    app.close().await;
}

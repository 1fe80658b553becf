//! Issue 10, defects 8, 9 and 10 and the keyboard, as a newcomer meets them in the real window:
//! the menu on one line at the default size and at the smallest (800 x 560); a 10,000-character
//! journal entry shortened with "meer"; a team of one device told calmly that there is no other
//! device yet; the developer details in "Over Nabij" in Settings instead of on Start and the
//! first-start screen; a machine without a keyring told about `NABIJ_KEY_FILE`; shortcuts for
//! new, search, save and the menu, and a skip link.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop, PATIENCE};

/// Where the top bar's parts are, as the window lays them out now.
const LAYOUT: &str = r#"
const rect = (el) => {
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return { l: r.left, r: r.right, t: r.top, b: r.bottom, h: r.height, shown: el.offsetParent !== null };
};
const q = (s) => document.querySelector(s);
return JSON.stringify({
  width: innerWidth,
  height: innerHeight,
  scrollWidth: document.documentElement.scrollWidth,
  topbar: rect(q(".topbar")),
  brand: rect(q(".topbar .brand")),
  links: [...document.querySelectorAll("nav .links a")].map(rect),
  menu: rect(q("[data-testid=nav-menu]")),
  sync: rect(q("[data-testid=sync-status]")),
  lang: rect(q(".topbar .language-switch")),
});
"#;

impl App {
    async fn layout(&self) -> Value {
        let text = self.client.execute(LAYOUT, vec![]).await.unwrap();
        serde_json::from_str(text.as_str().unwrap()).unwrap()
    }

    /// The inner size of the window, once it is `width` x `height` (or panic after a while).
    async fn wait_for_inner_size(&self, width: f64, height: f64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let layout = self.layout().await;
            if layout["width"].as_f64() == Some(width) && layout["height"].as_f64() == Some(height)
            {
                return layout;
            }
            assert!(
                Instant::now() < deadline,
                "the window is not {width} x {height}: {layout}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Press `key` with `modifiers` held (on whatever has the focus).
    pub(crate) async fn press(&self, modifiers: &[Key], key: char) {
        let mut actions = KeyActions::new("keyboard".into());
        for m in modifiers {
            actions = actions.then(KeyAction::Down { value: (*m).into() });
        }
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        for m in modifiers.iter().rev() {
            actions = actions.then(KeyAction::Up { value: (*m).into() });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    /// The `data-testid` of the element that has the focus (empty when it has none).
    async fn focused(&self) -> String {
        let answer = self
            .client
            .execute(
                "const e = document.activeElement; \
                 return e ? (e.dataset.testid || e.id || e.tagName) : '';",
                vec![],
            )
            .await
            .unwrap();
        answer.as_str().unwrap_or_default().to_string()
    }

    /// Wait until the focused element is `expected`; return what has the focus then.
    async fn wait_for_focus(&self, expected: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let now = self.focused().await;
            if now == expected || Instant::now() > deadline {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Set a text field's value as a paste would (one input event), for texts too long to type.
    async fn paste(&self, css: &str, text: &str) {
        self.find(css).await;
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                 e.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![Value::from(css), Value::from(text)],
            )
            .await
            .unwrap();
    }
}

/// The whole menu is on one line in the top bar, each part beside the next and inside the
/// window, or the menu is behind its button.
fn assert_menu_on_one_line(layout: &Value, what: &str) {
    let width = layout["width"].as_f64().unwrap();
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    assert!(
        layout["scrollWidth"].as_f64().unwrap() <= width,
        "{what}: the page scrolls sideways: {layout}"
    );
    let links = layout["links"].as_array().unwrap();
    assert_eq!(links.len(), 7, "{what}: {layout}");
    let menu = &layout["menu"];
    if menu["shown"].as_bool() == Some(true) {
        assert!(
            f(menu, "r") <= width,
            "{what}: menu button outside: {layout}"
        );
        assert!(
            links.iter().all(|l| l["shown"] == false),
            "{what}: {layout}"
        );
    } else {
        let top = f(&links[0], "t");
        let mut right = f(&layout["brand"], "r");
        for link in links {
            assert_eq!(
                link["shown"], true,
                "{what}: a menu item is hidden: {layout}"
            );
            assert!(
                (f(link, "t") - top).abs() < 1.0,
                "{what}: menu wraps: {layout}"
            );
            assert!(
                f(link, "l") >= right - 0.5,
                "{what}: menu items overlap: {layout}"
            );
            right = f(link, "r");
        }
        assert!(
            f(&layout["sync"], "l") >= right,
            "{what}: sync over menu: {layout}"
        );
    }
    assert!(
        f(&layout["lang"], "l") >= f(&layout["sync"], "r"),
        "{what}: language over sync: {layout}"
    );
    assert!(f(&layout["lang"], "r") <= width, "{what}: {layout}");
    // One line: the top bar is as high as one row of buttons.
    assert!(
        f(&layout["topbar"], "h") < 64.0,
        "{what}: the top bar is {} px high: {layout}",
        f(&layout["topbar"], "h")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_stays_on_one_line_at_the_default_and_the_smallest_window() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;

    // The default window (tauri.conf.json: 1200 x 800).
    let layout = app.wait_for_inner_size(1200.0, 800.0).await;
    assert_menu_on_one_line(&layout, "1200 x 800, Dutch");
    app.screenshot("window-1200-nl").await;

    // The smallest window (minWidth 800, minHeight 560), in both languages.
    app.client.set_window_size(800, 560).await.unwrap();
    let layout = app.wait_for_inner_size(800.0, 560.0).await;
    assert_menu_on_one_line(&layout, "800 x 560, Dutch");
    app.screenshot("window-800-nl").await;
    app.assert_accessible("home at 800 x 560").await;
    app.click("[data-testid=language-en]").await;
    // (At 800 px the menu is behind its button: the page's own title shows the language.)
    assert_eq!(
        app.wait_for_text("[data-testid=home-title]", "Welcome to Nabij")
            .await,
        "Welcome to Nabij"
    );
    assert_menu_on_one_line(&app.layout().await, "800 x 560, English");
    app.screenshot("window-800-en").await;
    app.assert_accessible("home at 800 x 560, English").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_very_long_journal_entry_is_shortened_with_more() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;
    create_case(&app, "Marie Dubois", "12/03/1984").await;

    let long: String = "Gesprek over de huur en de achterstallen bij de sociale huisvesting. "
        .repeat(150)
        .chars()
        .take(10_000)
        .collect();
    app.click("[data-testid=journal-new]").await;
    app.paste("[data-testid=journal-text]", &long).await;
    app.click("[data-testid=journal-save]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-entry]", 1)
            .await,
        1
    );

    let shown = app.find("[data-testid=journal-entry-text]").await;
    assert_eq!(
        shown.attr("data-shortened").await.unwrap().as_deref(),
        Some("true")
    );
    let text = shown.text().await.unwrap();
    assert!(
        text.chars().count() <= 401,
        "{} characters shown",
        text.len()
    );
    assert!(text.ends_with('…'), "{text}");
    assert!(long.starts_with(text.trim_end_matches('…')), "{text}");
    let toggle = app.find("[data-testid=long-text-toggle]").await;
    assert_eq!(toggle.text().await.unwrap(), "meer");
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    // Shortened, the entry leaves room for the rest of the case file.
    let height = app
        .client
        .execute(
            "return document.querySelector('[data-testid=journal-entry]').getBoundingClientRect().height;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(height < 250.0, "the shortened entry is {height} px high");
    app.screenshot("journal-long-shortened-nl").await;
    app.assert_accessible("case file with a long entry").await;

    toggle.click().await.unwrap();
    assert_eq!(
        app.wait_for_text("[data-testid=long-text-toggle]", "minder")
            .await,
        "minder"
    );
    let full = app.text("[data-testid=journal-entry-text]").await;
    assert_eq!(full.trim(), long.trim());
    assert_eq!(
        app.attr("[data-testid=long-text-toggle]", "aria-expanded")
            .await
            .as_deref(),
        Some("true")
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_team_of_one_device_is_told_calmly_there_is_no_other_device_yet() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;

    assert_eq!(
        app.wait_for_attr("[data-testid=sync-status]", "data-state", "alone", PATIENCE)
            .await,
        "alone"
    );
    let label = app
        .attr("[data-testid=sync-status]", "aria-label")
        .await
        .unwrap();
    assert!(
        label.starts_with("Nog geen ander toestel in je team"),
        "{label}"
    );
    assert!(label.contains("uitnodigen"), "{label}");
    // The pill says it in full at the default width.
    let shown = app
        .client
        .execute(
            "return document.querySelector('[data-testid=sync-status] .long').innerText.trim();",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown.as_str(), Some("Nog geen ander toestel in je team"));

    // Work done alone is not counted as "not sent", however long one waits.
    create_case(&app, "Marie Dubois", "12/03/1984").await;
    tokio::time::sleep(Duration::from_secs(4)).await; // the status refreshes every 3 s
    assert_eq!(
        app.attr("[data-testid=sync-status]", "data-state")
            .await
            .as_deref(),
        Some("alone")
    );
    assert_eq!(app.count("[data-testid=sync-status] .count").await, 0);
    app.screenshot("sync-alone-nl").await;
    app.assert_accessible("home, one-device team").await;

    // Settings says the same, with the way to invite.
    app.click("[data-testid=nav-settings]").await;
    let summary = app
        .wait_for_contains("[data-testid=sync-summary]", "Nog geen ander toestel")
        .await;
    assert!(summary.contains("Toestel uitnodigen"), "{summary}");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn developer_details_are_in_about_nabij_not_on_start_or_first_start() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;

    app.find("[data-testid=welcome]").await;
    assert_eq!(app.count("[data-testid=store-status]").await, 0);
    start_team(&app).await;
    app.find("[data-testid=home-cases]").await;
    assert_eq!(app.count("[data-testid=store-status]").await, 0);
    assert_eq!(app.count("[data-testid=store-data-dir]").await, 0);

    app.click("[data-testid=nav-settings]").await;
    assert_eq!(app.text("#about-title").await, "Over Nabij");
    assert_eq!(
        app.text("[data-testid=store-data-dir]").await,
        data.path().display().to_string()
    );
    assert_eq!(
        app.text("[data-testid=store-database-file]").await,
        data.path().join("nabij.db").display().to_string()
    );
    let shortcuts = app.text("[data-testid=about-shortcuts]").await;
    for needle in [
        "Ctrl+N", "Ctrl+F", "Ctrl+S", "Alt+1", "Nieuw", "Zoeken", "bewaren",
    ] {
        assert!(
            shortcuts.contains(needle),
            "{needle} missing in {shortcuts}"
        );
    }
    app.client
        .execute(
            "document.querySelector('[data-testid=about]').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    app.screenshot("about-nabij-nl").await;
    app.click("[data-testid=settings-language-en]").await;
    assert_eq!(
        app.wait_for_text("#about-title", "About Nabij").await,
        "About Nabij"
    );
    let shortcuts = app.text("[data-testid=about-shortcuts]").await;
    assert!(shortcuts.contains("Search"), "{shortcuts}");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn shortcuts_make_search_and_save_and_the_menu_is_reached_by_keyboard() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;
    start_team(&app).await;

    // The skip link is the first thing Tab reaches on every page, shown when focused; Enter on
    // it puts the focus in the content.
    let first = app
        .client
        .execute(
            "const all = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])'); \
             return all[0].className;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first.as_str(), Some("skip"));
    app.client
        .execute("document.querySelector('a.skip').focus();", vec![])
        .await
        .unwrap();
    let left = app
        .client
        .execute(
            "return document.querySelector('a.skip').getBoundingClientRect().left;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        left.as_f64().unwrap() >= 0.0,
        "the focused skip link is off screen"
    );
    app.screenshot("keyboard-skip-link-nl").await;
    app.press(&[], Key::Enter.into()).await;
    assert_eq!(app.wait_for_focus("content").await, "content");

    // Alt+3: the caseload; Ctrl+N: a new case, typed and saved with Ctrl+Enter.
    app.press(&[Key::Alt], '3').await;
    app.find("[data-testid=caseload]").await;
    app.press(&[Key::Control], 'n').await;
    assert_eq!(app.wait_for_focus("new-case-name").await, "new-case-name");
    app.find("[data-testid=new-case-name]")
        .await
        .send_keys("Marie Dubois")
        .await
        .unwrap();
    app.fill("[data-testid=new-case-birth]", "12/03/1984").await;
    app.press(&[Key::Control], Key::Enter.into()).await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", "Marie Dubois")
            .await,
        "Marie Dubois"
    );

    // In the case file, Ctrl+N starts a journal entry with the focus in its text; Ctrl+S saves.
    app.press(&[Key::Control], 'n').await;
    assert_eq!(app.wait_for_focus("journal-text").await, "journal-text");
    app.find("[data-testid=journal-text]")
        .await
        .send_keys("Telefoon: afspraak gemaakt.")
        .await
        .unwrap();
    app.press(&[Key::Control], 's').await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-entry]", 1)
            .await,
        1
    );
    assert_eq!(
        app.text("[data-testid=journal-entry-text]").await,
        "Telefoon: afspraak gemaakt."
    );

    // "/" from Start: the caseload's search, focused.
    app.press(&[Key::Alt], '1').await;
    app.find("[data-testid=home]").await;
    app.press(&[], '/').await;
    assert_eq!(app.wait_for_focus("case-search").await, "case-search");
    app.screenshot("keyboard-search-focus-nl").await;

    // Alt+5: referrals; Alt+6: the partner directory; Alt+7: Settings.
    app.press(&[Key::Alt], '5').await;
    app.find("[data-testid=referrals]").await;
    app.press(&[Key::Alt], '6').await;
    app.find("[data-testid=directory]").await;
    app.press(&[Key::Alt], '7').await;
    assert_eq!(
        app.wait_for_text("[data-testid=settings] h1", "Instellingen")
            .await,
        "Instellingen"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keyring_the_app_says_to_use_a_key_file() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    // A session without a Secret Service, as under `xvfb-run` on a server.
    let app = App::launch_with(
        &desktop,
        data.path(),
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    )
    .await;
    let error = app.find("[data-testid=error]").await;
    assert_eq!(
        error.attr("data-code").await.unwrap().as_deref(),
        Some("keyring_unavailable")
    );
    let hint = app.text("[data-testid=keyring-hint]").await;
    assert!(hint.contains("NABIJ_KEY_FILE="), "{hint}");
    assert!(hint.contains("zonder bureaublad"), "{hint}");
    app.screenshot("no-keyring-nl").await;
    app.assert_accessible("keyring error").await;
    // Nothing was made in the data folder but the lock.
    let names: Vec<String> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["nabij.lock"]);
    app.close().await;
}

//! Accessibility, checked inside the real app: axe-core (the npm package pinned in
//! `ui/package.json`, read from `ui/node_modules/axe-core/axe.min.js`) is injected into the
//! running window over WebDriver and run on the page as shown; a serious or critical violation
//! fails the test with what axe says and where. `App::assert_accessible` is for any test; the test
//! here walks every screen and the dialogs.

use crate::flows::{create_case, start_team};
use crate::harness::{App, Desktop, repo_root};

/// axe-core's browser build, from the UI's node modules (`scripts/setup` puts it there).
fn axe_source() -> String {
    let path = repo_root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e} (run `scripts/setup`)"))
}

/// Run axe on the document and answer its serious and critical violations as JSON text.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
window.axe
  .run(document, { resultTypes: ["violations"] })
  .then((results) => {
    const bad = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      }));
    done(JSON.stringify({ checked: results.passes.length, bad }));
  })
  .catch((e) => done(JSON.stringify({ error: String(e) })));
"#;

impl App {
    /// Run axe-core on what the window shows now: how many rules passed, and every serious or
    /// critical violation (rule id, impact, help, and the elements with what is wrong).
    pub(crate) async fn axe(&self) -> (usize, Vec<serde_json::Value>) {
        let injected = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap();
        if injected != serde_json::Value::Bool(true) {
            // Run as a script of its own (WebDriver wraps it in a function): axe's build sets
            // `window.axe` when there is no module system.
            self.client
                .execute(&axe_source(), vec![])
                .await
                .unwrap_or_else(|e| panic!("axe-core did not load: {e}"));
        }
        let answer = self.client.execute_async(RUN_AXE, vec![]).await.unwrap();
        let text = answer.as_str().expect("axe answered no text");
        let report: serde_json::Value = serde_json::from_str(text).unwrap();
        assert!(report.get("error").is_none(), "axe failed: {report}");
        let checked = report["checked"].as_u64().unwrap_or(0) as usize;
        (
            checked,
            report["bad"].as_array().cloned().unwrap_or_default(),
        )
    }

    /// Run axe-core on what the window shows now; panic with every serious or critical
    /// violation, naming `screen`.
    pub(crate) async fn assert_accessible(&self, screen: &str) {
        let (checked, bad) = self.axe().await;
        assert!(
            bad.is_empty(),
            "axe: {} serious or critical violation(s) on {screen}:\n{}",
            bad.len(),
            serde_json::to_string_pretty(&bad).unwrap()
        );
        assert!(checked > 10, "axe checked only {checked} rules on {screen}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_nothing_serious_on_any_screen_or_dialog() {
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;

    // First start: both choices, and a field error shown.
    app.find("[data-testid=welcome]").await;
    app.assert_accessible("welcome").await;
    app.click("[data-testid=welcome-join]").await;
    app.find("[data-testid=join-form]").await;
    app.assert_accessible("welcome, join").await;
    app.click("[data-testid=welcome-start]").await;
    app.click("[data-testid=start-team-submit]").await;
    app.find("[data-testid=team-name-error]").await;
    app.assert_accessible("welcome, field errors").await;

    start_team(&app).await;
    app.assert_accessible("home").await;

    // The front door, with an item in the queue and its "make a case" dialog.
    app.click("[data-testid=nav-intake]").await;
    app.fill(
        "[data-testid=intake-text]",
        "Vraagt hulp bij de huurachterstal.",
    )
    .await;
    app.click("[data-testid=intake-submit]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=intake-item]", 1)
            .await,
        1
    );
    app.assert_accessible("front door").await;
    app.click("[data-testid=intake-to-case]").await;
    app.find("dialog[open]").await;
    app.assert_accessible("front door, intake to case dialog")
        .await;
    app.client
        .execute("document.querySelector('dialog[open]').close();", vec![])
        .await
        .unwrap();

    // The caseload, its new-case dialog, a case file with something in every section.
    app.click("[data-testid=nav-cases]").await;
    app.find("[data-testid=caseload]").await;
    app.assert_accessible("caseload (empty)").await;
    app.click("[data-testid=new-case]").await;
    app.find("[data-testid=new-case-name]").await;
    app.assert_accessible("caseload, new case dialog").await;
    app.client
        .execute("document.querySelector('dialog[open]').close();", vec![])
        .await
        .unwrap();
    create_case(&app, "Marie Dubois", "12/03/1984").await;
    app.click("[data-testid=journal-new]").await;
    app.fill("[data-testid=journal-text]", "Huisbezoek: huur besproken.")
        .await;
    app.click("[data-testid=journal-save]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=journal-entry]", 1)
            .await,
        1
    );
    app.assert_accessible("case file").await;

    app.click("[data-testid=nav-cases]").await;
    assert_eq!(
        app.wait_for_exact_count("[data-testid=case-row]", 1).await,
        1
    );
    app.assert_accessible("caseload (one case)").await;

    app.click("[data-testid=nav-tasks]").await;
    app.find("[data-testid=followup]").await;
    app.assert_accessible("follow-up").await;

    app.click("[data-testid=nav-directory]").await;
    app.find("[data-testid=directory-empty]").await;
    app.assert_accessible("directory (empty)").await;
    app.click("[data-testid=directory-load-example]").await;
    app.wait_for_count("[data-testid=partner-row]", 27).await;
    app.assert_accessible("directory").await;
    app.click("[data-testid=partner-open]").await;
    app.find("[data-testid=partner-detail][open]").await;
    app.assert_accessible("directory, partner").await;
    app.click("[data-testid=partner-edit]").await;
    app.find("[data-testid=partner-dialog][open]").await;
    app.assert_accessible("directory, edit partner dialog")
        .await;
    app.click("[data-testid=partner-cancel]").await;
    app.click("[data-testid=directory-import]").await;
    app.find("[data-testid=import-dialog][open]").await;
    app.assert_accessible("directory, import dialog").await;
    app.click("[data-testid=import-cancel]").await;

    app.click("[data-testid=nav-settings]").await;
    app.find("[data-testid=about]").await;
    app.find("[data-testid=settings-members]").await;
    app.assert_accessible("settings").await;
    app.click("[data-testid=invite-open]").await;
    app.find("dialog[open]").await;
    app.assert_accessible("settings, invite dialog").await;

    // The check can fail: a button without a name (in the open dialog) is reported, critical.
    app.client
        .execute(
            "document.querySelector('dialog[open]').append(document.createElement('button'));",
            vec![],
        )
        .await
        .unwrap();
    let (_, bad) = app.axe().await;
    assert!(
        bad.iter().any(|v| v["id"] == "button-name"),
        "axe missed a button without a name: {bad:?}"
    );
    app.close().await;
}

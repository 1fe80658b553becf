//! Small steps shared by the flow tests: typing, clicking and choosing in the real app, and
//! the first start (a team) that every flow needs.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::harness::{App, PATIENCE};

impl App {
    /// Click the element at `css`, scrolled into view first (WebKitWebDriver does not scroll
    /// inside a dialog's own scroll area).
    pub(crate) async fn click(&self, css: &str) {
        let element = self.find(css).await;
        let arg = serde_json::to_value(&element).unwrap();
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'nearest'});",
                vec![arg],
            )
            .await
            .unwrap();
        element.click().await.unwrap();
    }

    /// Replace the text of the input at `css` by `text`.
    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap();
        if text.is_empty() {
            // WebDriver's clear fires no `input` event, as a worker deleting the text would.
            self.client
                .execute(
                    "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                    vec![serde_json::to_value(&input).unwrap()],
                )
                .await
                .unwrap();
        } else {
            input.send_keys(text).await.unwrap();
        }
    }

    /// Choose the option with `value` in the select at `css`.
    pub(crate) async fn choose(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap();
    }

    /// The current value of the input at `css`.
    pub(crate) async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// How many elements match `css` right now.
    pub(crate) async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Wait until at least `n` elements match `css`; return how many do. Fails the test when
    /// fewer than `n` match after [`PATIENCE`].
    pub(crate) async fn wait_for_count(&self, css: &str, n: usize) -> usize {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self.count(css).await;
            if found >= n {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "expected at least {n} of {css}, found {found} after {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Wait until exactly `n` elements match `css`; return how many do. Fails the test when
    /// that does not happen within [`PATIENCE`].
    pub(crate) async fn wait_for_exact_count(&self, css: &str, n: usize) -> usize {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found = self.count(css).await;
            if found == n {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "expected exactly {n} of {css}, found {found} after {PATIENCE:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Wait until the text at `css` contains `needle`; return that text. Fails the test when
    /// it does not within [`PATIENCE`].
    pub(crate) async fn wait_for_contains(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} did not come to contain {needle:?} in {PATIENCE:?}; it reads {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The attribute `name` of the element at `css` (waiting for the element to appear);
    /// `None` when it has no such attribute or was just replaced.
    pub(crate) async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.ok().flatten()
    }

    /// Wait at most `patience` until the element at `css` has `expected` as its attribute
    /// `name`; return it. Fails the test when it does not come.
    pub(crate) async fn wait_for_attr(
        &self,
        css: &str,
        name: &str,
        expected: &str,
        patience: Duration,
    ) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let value = self.attr(css, name).await.unwrap_or_default();
            if value == expected {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "{css}[{name}] did not become {expected:?} in {patience:?}; it is {value:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Go to a screen by its hash (as a bookmark or a link would).
    pub(crate) async fn go(&self, hash: &str) {
        self.client
            .execute(&format!("location.hash = {hash:?};"), vec![])
            .await
            .unwrap();
    }
}

/// First start: create the team "ID-team Houthalen" with "Sara Claes" as its first member.
pub(crate) async fn start_team(app: &App) {
    app.find("[data-testid=start-team-form]").await;
    app.fill("[data-testid=team-name]", "ID-team Houthalen")
        .await;
    app.fill("[data-testid=own-name]", "Sara Claes").await;
    app.fill("[data-testid=own-role]", "Maatschappelijk assistent")
        .await;
    app.fill(
        "[data-testid=own-organisation]",
        "OCMW Houthalen-Helchteren",
    )
    .await;
    app.click("[data-testid=start-team-submit]").await;
    let greeting = app
        .wait_for_contains("[data-testid=home-greeting]", "Sara Claes")
        .await;
    assert!(greeting.contains("ID-team Houthalen"), "{greeting}");
}

/// Open a new case for `name` from the caseload; wait for its case file.
pub(crate) async fn create_case(app: &App, name: &str, birth: &str) {
    app.click("[data-testid=nav-cases]").await;
    app.click("[data-testid=new-case]").await;
    app.fill("[data-testid=new-case-name]", name).await;
    app.fill("[data-testid=new-case-birth]", birth).await;
    app.click("[data-testid=new-case-save]").await;
    assert_eq!(
        app.wait_for_text("[data-testid=case-title]", name).await,
        name
    );
}

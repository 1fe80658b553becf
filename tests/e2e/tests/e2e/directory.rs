//! The partner directory ("Sociale kaart") in the real window: a new team loads the example
//! directory from the first-start screen, a worker finds partners by a few letters (accents
//! aside), filters by theme, opens a partner, adds one (a bad e-mail address refused at its
//! field, nothing stored), imports a CSV file (a bad row named by line and column, nothing
//! imported), and an admin says which partner a member works for ("werkt in Nabij").

use fantoccini::key::Key;
use serde_json::Value;

use crate::harness::{App, Desktop, PATIENCE, repo_root};

/// The example directory as shipped (the app loads the same file).
fn example() -> String {
    std::fs::read_to_string(repo_root().join("crdt/assets/sociale-kaart-voorbeeld.csv")).unwrap()
}

/// Set the text of the field at `css` at once, as pasting does (typing a whole file key by key
/// takes long).
async fn paste(app: &App, css: &str, text: &str) {
    app.find(css).await;
    app.client
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![Value::from(css), Value::from(text)],
        )
        .await
        .unwrap();
}

/// The names of the partners listed now.
async fn listed(app: &App) -> Vec<String> {
    let mut names = Vec::new();
    for row in app
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=partner-row] .partner-name",
        ))
        .await
        .unwrap()
    {
        names.push(row.text().await.unwrap());
    }
    names
}

/// Type `query` in the search box and wait until its answer shows `n` partners.
async fn search(app: &App, query: &str, n: usize) -> Vec<String> {
    app.fill("[data-testid=directory-search]", query).await;
    app.wait_for_attr("[data-testid=directory]", "data-query", query, PATIENCE)
        .await;
    app.wait_for_exact_count("[data-testid=partner-row]", n)
        .await;
    listed(app).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sociale_kaart_finds_filters_adds_and_imports_partners() {
    let example = example();
    let example_rows: Vec<&str> = example.lines().skip(1).collect();
    let desktop = Desktop::start();
    let data = tempfile::tempdir().unwrap();
    let app = App::launch(&desktop, data.path()).await;

    // First start, with the example directory.
    app.find("[data-testid=start-team-form]").await;
    app.fill("[data-testid=team-name]", "Sociaal Huis Leiestad")
        .await;
    app.fill("[data-testid=own-name]", "Sara Claes").await;
    app.fill("[data-testid=own-role]", "Maatschappelijk werker")
        .await;
    app.click("[data-testid=start-team-example]").await;
    app.click("[data-testid=start-team-submit]").await;
    app.wait_for_contains("[data-testid=home-greeting]", "Sara Claes")
        .await;

    app.click("[data-testid=nav-directory]").await;
    let all = app
        .wait_for_exact_count("[data-testid=partner-row]", example_rows.len())
        .await;
    assert_eq!(all, 27);
    assert_eq!(
        app.text("[data-testid=directory-count]").await,
        "27 partners"
    );
    // Listed by name, each with its themes and phone; the secrecy badge where it applies.
    let names = listed(&app).await;
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    let bound = example_rows.iter().filter(|r| r.ends_with(",ja")).count();
    assert_eq!(app.count("[data-testid=partner-row-secrecy]").await, bound);
    assert_eq!(app.count("[data-testid=partner-row-phone]").await, 27);

    // A few letters find a partner by its name, a service or a theme, accents aside.
    assert_eq!(
        search(&app, "geestel", 1).await,
        ["Centrum Geestelijke Gezondheidszorg Leiestreek"]
    );
    assert_eq!(
        search(&app, "umit", 1).await,
        ["vzw Ümit – ontmoeting voor vrouwen"]
    );
    let debt = example_rows
        .iter()
        .filter(|r| r.to_lowercase().contains("schuld"))
        .count();
    let found = search(&app, "schuld", debt).await;
    assert!(
        found.contains(&"CAW Leiestreek – Budgethulp".to_string()),
        "{found:?}"
    );
    search(&app, "qqq", 0).await;
    app.find("[data-testid=directory-none]").await;

    // The theme filter: every partner of Wonen, and only those.
    let housing = example_rows.iter().filter(|r| r.contains("Wonen")).count();
    search(&app, "", 27).await;
    app.choose("[data-testid=directory-theme]", "housing").await;
    app.wait_for_attr("[data-testid=directory]", "data-theme", "housing", PATIENCE)
        .await;
    app.wait_for_exact_count("[data-testid=partner-row]", housing)
        .await;
    assert!(housing > 3, "{housing}");
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=partner-row]"))
        .await
        .unwrap();
    for row in rows {
        assert!(row.text().await.unwrap().contains("Wonen"));
    }

    // A partner opened: every field and the figures.
    let huurders = search(&app, "huurders", 1).await;
    assert_eq!(huurders, ["Huurdersbond Leiestreek"]);
    app.click("[data-testid=partner-open]").await;
    app.find("[data-testid=partner-detail][open]").await;
    assert_eq!(app.text("[data-testid=detail-phone]").await, "09 235 12 80");
    assert_eq!(
        app.text("[data-testid=detail-email]").await,
        "info@huurdersbond-leiestreek.example"
    );
    assert_eq!(
        app.text("[data-testid=detail-contact-person]").await,
        "Hanne Goossens"
    );
    assert_eq!(app.text("[data-testid=detail-secrecy-text]").await, "Nee");
    assert_eq!(
        app.text("[data-testid=detail-figures]").await,
        "Nog geen doorverwijzingen"
    );
    assert!(
        app.text("[data-testid=detail-services]")
            .await
            .contains("huurwaarborg")
    );
    app.wait_for_contains("[data-testid=detail-changed]", "Sara Claes")
        .await;
    app.screenshot("sociale-kaart-detail").await;
    app.assert_accessible("directory, partner").await;
    app.click("[data-testid=partner-detail-close]").await;
    app.choose("[data-testid=directory-theme]", "").await;
    app.wait_for_attr("[data-testid=directory]", "data-theme", "", PATIENCE)
        .await;
    search(&app, "", 27).await;

    // A new partner with a bad e-mail address: refused at the field, in Dutch, nothing stored.
    app.click("[data-testid=partner-new]").await;
    app.find("[data-testid=partner-dialog][open]").await;
    app.fill("[data-testid=partner-name]", "Tolkendienst Çelik")
        .await;
    app.fill(
        "[data-testid=partner-services]",
        "sociaal tolken; vertalingen",
    )
    .await;
    app.click("[data-testid=partner-theme-administration]")
        .await;
    app.fill("[data-testid=partner-phone]", "09 234 56 78")
        .await;
    app.fill("[data-testid=partner-email]", "info@celik").await;
    app.click("[data-testid=partner-save]").await;
    assert_eq!(
        app.text("[data-testid=partner-email-error]").await,
        "Dit is geen e-mailadres. Schrijf bijvoorbeeld naam@organisatie.be."
    );
    app.assert_accessible("directory, partner with an error")
        .await;
    app.screenshot("sociale-kaart-fout").await;
    assert_eq!(
        app.text("[data-testid=directory-count]").await,
        "27 partners"
    );
    // Then right: stored, shown, and found by its name without the accent.
    app.fill(
        "[data-testid=partner-email]",
        "info@tolkendienst-celik.example",
    )
    .await;
    app.click("[data-testid=partner-save]").await;
    app.find("[data-testid=partner-detail][open]").await;
    assert_eq!(
        app.text("[data-testid=detail-email]").await,
        "info@tolkendienst-celik.example"
    );
    let services = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=detail-services] li')]\
             .map(li => li.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        services,
        serde_json::json!(["sociaal tolken", "vertalingen"])
    );
    app.click("[data-testid=partner-detail-close]").await;
    app.wait_for_text("[data-testid=directory-count]", "28 partners")
        .await;
    assert_eq!(search(&app, "celik", 1).await, ["Tolkendienst Çelik"]);
    search(&app, "", 28).await;

    // A CSV file with bad rows: each named by line and column, nothing imported.
    let bad = "naam;diensten;themas;telefoon;email;beroepsgeheim\n\
               Schuldhulp Noord;schuldbemiddeling;Geld;09 111 22 33;info@schuldhulp.example;ja\n\
               Repair Café Zonnewijk;herstellingen;Andere;;;nee\n\
               Speelpleinwerking;kampen;Gezin;09 111 22 44;speelplein@;nee\n\
               Fietsbieb;fietsen lenen;Vervoer;;;nee\n";
    app.click("[data-testid=directory-import]").await;
    app.find("[data-testid=import-dialog][open]").await;
    paste(&app, "[data-testid=import-text]", bad).await;
    app.click("[data-testid=import-submit]").await;
    let problems = app.text("[data-testid=import-problems]").await;
    assert!(
        problems.contains("Niets ingelezen: 2 regels kloppen niet."),
        "{problems}"
    );
    assert!(
        problems.contains("Regel 4, kolom email: Dit is geen e-mailadres."),
        "{problems}"
    );
    assert!(
        problems.contains("Regel 5, kolom themas: Dit thema kent je team niet: Vervoer."),
        "{problems}"
    );
    app.assert_accessible("directory, import with bad lines")
        .await;
    app.screenshot("sociale-kaart-import").await;
    app.click("[data-testid=import-cancel]").await;
    assert_eq!(
        app.text("[data-testid=directory-count]").await,
        "28 partners"
    );
    assert_eq!(search(&app, "schuldhulp", 0).await, Vec::<String>::new());

    // Corrected, the file comes in whole.
    let good = bad
        .replace("speelplein@;", "speelplein@leiestad.example;")
        .replace("Vervoer", "Mobiliteit");
    search(&app, "", 28).await;
    let file = data.path().join("sociale-kaart.csv");
    std::fs::write(&file, &good).unwrap();
    app.click("[data-testid=directory-import]").await;
    app.find("[data-testid=import-file]")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    app.wait_for_text("[data-testid=import-file-name]", "sociale-kaart.csv")
        .await;
    app.click("[data-testid=import-submit]").await;
    assert_eq!(
        app.text("[data-testid=directory-notice]").await,
        "4 partners toegevoegd"
    );
    app.wait_for_text("[data-testid=directory-count]", "32 partners")
        .await;

    // An admin says Sara works for the CAW's budget service: it works in Nabij now.
    app.click("[data-testid=nav-settings]").await;
    app.find("[data-testid=settings-members]").await;
    let caw = app
        .client
        .execute(
            "return [...document.querySelectorAll('[data-testid=member-partner] option')]\
             .find(o => o.textContent.startsWith('CAW Leiestreek – Budgethulp')).value;",
            vec![],
        )
        .await
        .unwrap();
    app.choose("[data-testid=member-partner]", caw.as_str().unwrap())
        .await;
    app.find("[data-testid=member-partner-saved]").await;
    app.click("[data-testid=nav-directory]").await;
    assert_eq!(
        search(&app, "budget", 1).await,
        ["CAW Leiestreek – Budgethulp"]
    );
    assert_eq!(
        app.text("[data-testid=partner-row-in-nabij]").await,
        "Werkt in Nabij · 1 lid"
    );
    search(&app, "", 32).await;
    app.assert_accessible("directory").await;
    app.screenshot("sociale-kaart").await;

    // By keyboard: Alt+6 reaches it, / is its search, Tab the theme and then the first
    // partner, Enter opens it, Escape closes it again.
    app.press(&[Key::Alt], '1').await;
    app.find("[data-testid=home]").await;
    app.press(&[Key::Alt], '6').await;
    app.find("[data-testid=directory-list]").await;
    app.press(&[], '/').await;
    assert_eq!(focused(&app).await, "directory-search");
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys("geestel")
        .await
        .unwrap();
    app.wait_for_attr("[data-testid=directory]", "data-query", "geestel", PATIENCE)
        .await;
    app.wait_for_exact_count("[data-testid=partner-row]", 1)
        .await;
    app.press(&[], '\u{E004}').await; // Tab: the theme filter
    assert_eq!(focused(&app).await, "directory-theme");
    app.press(&[], '\u{E004}').await; // Tab: the partner
    assert_eq!(focused(&app).await, "partner-open");
    app.press(&[], '\u{E007}').await; // Enter
    app.find("[data-testid=partner-detail][open]").await;
    app.press(&[], '\u{E00C}').await; // Escape
    app.wait_for_exact_count("[data-testid=partner-detail][open]", 0)
        .await;

    // In English.
    app.click("[data-testid=language-en]").await;
    app.wait_for_text("[data-testid=nav-directory]", "Directory")
        .await;
    search(&app, "", 32).await;
    assert_eq!(
        app.text("[data-testid=directory-count]").await,
        "32 partners"
    );
    assert!(
        app.text("[data-testid=partner-row-in-nabij]")
            .await
            .starts_with("Works in Nabij · 1 member")
    );
    app.screenshot("sociale-kaart-en").await;
    app.assert_accessible("directory, English").await;
    app.close().await;
}

/// The `data-testid` of the element with the focus, once there is one.
async fn focused(app: &App) -> String {
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let answer = app
        .client
        .execute(
            "const e = document.activeElement; return e ? (e.dataset.testid || e.tagName) : '';",
            vec![],
        )
        .await
        .unwrap();
    answer.as_str().unwrap_or_default().to_string()
}

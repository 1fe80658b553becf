//! Issue #11, referral and warm handover between two real app windows: Sara (OCMW) refers
//! Marie Dubois to the CAW for budget guidance, ticking name, phone and the question; the gate
//! refuses while the mission is not confirmed, naming condition 5; Bram (CAW, a member of the
//! team) sees the referral arrive, accepts, plans the appointment and confirms the first
//! contact while Sara's case file follows each step without a reload; Bram's store holds the
//! referral and not the case. A second referral, to a partner outside Nabij, shows as overdue
//! in Opvolging once its deadline has passed (the app's clock set by `NABIJ_TEST_TODAY`), and
//! its letter is a PDF that holds the ticked fields and none of the others.

use std::path::Path;
use std::process::Command;

use nabij_crdt::date::Date;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::MemberId;
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::team::NewPartner;

use crate::flows::start_team;
use crate::harness::{App, Desktop, PATIENCE, repo_root};
use crate::sync::{join, open_invitation};

/// How long a restarted app may take to be connected again.
const RECONNECT: std::time::Duration = std::time::Duration::from_secs(90);

/// The store of `data_dir`, opened outside the app (which must be closed) with the key the app
/// keeps in the desktop's keyring.
fn open_store(desktop: &Desktop, data_dir: &Path) -> (Store, tempfile::TempDir) {
    let key = desktop.stored_key(data_dir).expect("no store key");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("store.key");
    std::fs::write(&file, key).unwrap();
    let mut store = Store::open(data_dir, &KeySource::File(file)).unwrap();
    store
        .set_device_key(desktop.stored_device_key(data_dir))
        .unwrap();
    (store, dir)
}

fn partner(name: &str, theme: &str, phone: &str) -> NewPartner {
    NewPartner {
        name: name.into(),
        services: vec!["budgetbegeleiding".into()],
        themes: vec![theme.into()],
        address: Some("Kerkstraat 5, 3530 Houthalen".into()),
        phone: Some(phone.into()),
        opening_hours: Some("ma-vr 9-12 u".into()),
        bound_by_secrecy: true,
        ..NewPartner::default()
    }
}

/// Tick or untick the checkbox at `css` so that it is `on`.
async fn set_checked(app: &App, css: &str, on: bool) {
    let element = app.find(css).await;
    let checked = element.prop("checked").await.unwrap().as_deref() == Some("true");
    if checked != on {
        element.click().await.unwrap();
    }
}

/// In the open referral dialog, choose the partner whose row holds `name`.
async fn choose_partner(app: &App, name: &str) {
    let row = app
        .wait_for_element_with("[data-testid=refer-partner]", name)
        .await;
    row.find(fantoccini::Locator::Css("input"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Close the open referral (its dialog's close button) and wait until it is gone.
async fn close_detail(app: &App) {
    app.click("[data-testid=referral-detail] .dialog-head button")
        .await;
    app.wait_for_exact_count("[data-testid=referral-detail][open]", 0)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sara_refers_marie_to_the_caw_and_bram_takes_the_warm_handover() {
    let desktop = Desktop::start();
    let data_a = tempfile::tempdir().unwrap();
    let data_b = tempfile::tempdir().unwrap();

    // Sara starts the team, opens Marie's case with her phone and address and a money question.
    let a = App::launch(&desktop, data_a.path()).await;
    start_team(&a).await;
    a.click("[data-testid=nav-cases]").await;
    a.click("[data-testid=new-case]").await;
    a.fill("[data-testid=new-case-name]", "Marie Dubois").await;
    a.fill("[data-testid=new-case-birth]", "14/07/1979").await;
    a.fill("[data-testid=new-case-contact]", "0470 12 34 56")
        .await;
    a.click("[data-testid=new-case-save]").await;
    a.wait_for_text("[data-testid=case-title]", "Marie Dubois")
        .await;
    a.click("[data-testid=person-edit]").await;
    a.fill(
        "[data-testid=person-address-input]",
        "Vennestraat 12, 3530 Houthalen",
    )
    .await;
    a.click("[data-testid=person-save]").await;
    a.wait_for_contains("[data-testid=person-address]", "Vennestraat 12")
        .await;
    a.click("[data-testid=question-new]").await;
    a.choose("[data-testid=question-theme]", "money").await;
    a.fill(
        "[data-testid=question-text]",
        "Ik kan mijn energiefacturen niet meer betalen.",
    )
    .await;
    a.click("[data-testid=question-save]").await;
    a.find("[data-testid=question-refer]").await;
    let case_url = a.client.current_url().await.unwrap();
    let case_hash = format!("#{}", case_url.fragment().unwrap());

    // Bram joins on his own laptop.
    let invitation = open_invitation(&a, "Bram Wouters").await;
    a.click("[data-testid=invite-close]").await;
    let b = App::launch(&desktop, data_b.path()).await;
    b.find("[data-testid=welcome]").await;
    join(&b, &invitation).await;
    b.wait_for_contains("[data-testid=home-greeting]", "Bram Wouters")
        .await;
    a.wait_for_sync_state("online", PATIENCE).await;
    a.close().await;

    // The team's directory: the CAW (Bram works there) and the huurdersbond, outside Nabij.
    // (Written to Sara's store directly while her app is closed; the directory's own screen
    // has its own test.)
    {
        let (mut store, _key) = open_store(&desktop, data_a.path());
        let me = store.profile().unwrap().unwrap();
        let author = store.author(&me).unwrap();
        let team = store.open_team(&me.team).unwrap();
        let bram = team
            .members
            .iter()
            .find(|(_, m)| m.name == "Bram Wouters")
            .map(|(id, _)| MemberId::parse(id).unwrap())
            .unwrap();
        store
            .edit_team(&author, &me.team, |t| {
                let caw = t.add_partner(partner("CAW Limburg", "money", "011 12 34 56"))?;
                t.add_partner(partner("Huurdersbond Limburg", "money", "011 98 76 54"))?;
                t.add_partner(partner("VDAB Houthalen", "work", "011 55 55 55"))?;
                t.set_member_partner(&bram, Some(&caw))
            })
            .unwrap();
    }
    let a = App::launch(&desktop, data_a.path()).await;
    // Reconnecting after a restart can wait for a redial by either side.
    a.wait_for_sync_state("online", RECONNECT).await;

    // The team's deadline for the first contact (an admin's setting): bad input first.
    a.click("[data-testid=nav-settings]").await;
    for bad in ["twee", "25"] {
        a.fill("[data-testid=first-contact-input]", bad).await;
        a.click("[data-testid=first-contact-save]").await;
        a.wait_for_contains("[data-testid=settings-referrals]", "niet toegelaten")
            .await;
    }
    a.fill("[data-testid=first-contact-input]", "3").await;
    a.click("[data-testid=first-contact-save]").await;
    a.wait_for_contains("[data-testid=first-contact-days]", "3 werkdagen")
        .await;

    // Sara refers Marie from her question: the partners for money come first.
    a.go(&case_hash).await;
    a.click("[data-testid=question-refer]").await;
    a.find("[data-testid=refer-dialog]").await;
    let first = a.text("[data-testid=refer-partner]").await;
    assert!(
        !first.contains("VDAB"),
        "a partner for money comes first: {first}"
    );
    choose_partner(&a, "CAW Limburg").await;
    a.fill(
        "[data-testid=refer-goal]",
        "Budgetbegeleiding om de energieschuld af te lossen.",
    )
    .await;
    set_checked(&a, "[data-testid=refer-tick-name]", true).await;
    set_checked(&a, "[data-testid=refer-tick-phone]", true).await;
    set_checked(&a, "[data-testid=refer-tick-question]", true).await;
    set_checked(&a, "[data-testid=refer-tick-birthDate]", false).await;
    set_checked(&a, "[data-testid=refer-tick-address]", false).await;
    a.fill(
        "[data-testid=refer-consent-what]",
        "naam, telefoon en de hulpvraag",
    )
    .await;
    // The preview shows exactly what goes: the phone, not the address.
    let preview = a
        .wait_for_contains("[data-testid=refer-preview]", "0470 12 34 56")
        .await;
    assert!(preview.contains("Marie Dubois"), "{preview}");
    assert!(!preview.contains("Vennestraat"), "{preview}");
    assert!(!preview.contains("1979"), "{preview}");
    a.screenshot("referral-dialog-preview").await;
    // Condition 5 not confirmed: refused, said at the field, nothing sent.
    a.click("[data-testid=refer-send]").await;
    let refusal = a
        .wait_for_contains("[data-testid=refer-mission-error]", "Voorwaarde 5")
        .await;
    assert!(refusal.contains("dezelfde opdracht"), "{refusal}");
    a.screenshot("referral-gate-refusal").await;
    set_checked(&a, "[data-testid=refer-mission]", true).await;
    a.click("[data-testid=refer-send]").await;
    a.find("[data-testid=referral-detail]").await;
    a.wait_for_text("[data-testid=referral-status]", "Verzonden")
        .await;
    // Due three working days on (weekends not counted), as the team set it.
    let due = Date::today().add_working_days(3).to_string();
    let due = format!("{}/{}/{}", &due[8..10], &due[5..7], &due[..4]);
    a.wait_for_contains("[data-testid=referral-view]", &due)
        .await;
    close_detail(&a).await;
    a.wait_for_contains("[data-testid=question-referred]", "CAW Limburg")
        .await;
    // The consent made in the dialog is on the case, for the CAW.
    a.wait_for_contains("[data-testid=consents]", "CAW Limburg")
        .await;

    // Bram: it arrives in his "Doorverwijzingen", new; he opens, accepts, plans, confirms.
    b.click("[data-testid=nav-referrals]").await;
    b.wait_for_contains("[data-testid=referral-row]", "Marie Dubois")
        .await;
    b.screenshot("referrals-inbox-partner").await;
    b.click("[data-testid=referral-open]").await;
    b.wait_for_text("[data-testid=referral-status]", "Gezien")
        .await;
    let disclosed = b.text("[data-testid=referral-disclosed]").await;
    assert!(disclosed.contains("0470 12 34 56"), "{disclosed}");
    assert!(!disclosed.contains("Vennestraat"), "{disclosed}");
    // Sara's case file follows without a reload.
    a.wait_for_attr(
        "[data-testid=case-referrals] [data-testid=referral-row]",
        "data-status",
        "received",
        PATIENCE,
    )
    .await;
    b.click("[data-testid=referral-do-accepted]").await;
    b.wait_for_text("[data-testid=referral-status]", "Aanvaard")
        .await;
    b.click("[data-testid=referral-do-appointment]").await;
    // Bad input first: no time.
    let day = Date::today().add_days(3);
    let day = day.to_string();
    let typed = format!("{}/{}/{}", &day[8..10], &day[5..7], &day[..4]);
    b.fill("[data-testid=referral-date]", &typed).await;
    b.fill("[data-testid=referral-place]", "CAW, Kerkstraat 5")
        .await;
    b.click("[data-testid=referral-step-save]").await;
    b.wait_for_contains("[data-testid=referral-step-form]", "Vul dit veld in")
        .await;
    b.fill("[data-testid=referral-time]", "09:30").await;
    set_checked(&b, "[data-testid=referral-accompanied]", true).await;
    b.click("[data-testid=referral-step-save]").await;
    b.wait_for_text("[data-testid=referral-status]", "Afspraak gemaakt")
        .await;
    a.wait_for_attr(
        "[data-testid=case-referrals] [data-testid=referral-row]",
        "data-status",
        "planned",
        PATIENCE,
    )
    .await;
    b.click("[data-testid=referral-do-first_contact]").await;
    b.wait_for_text("[data-testid=referral-status]", "Eerste contact")
        .await;
    a.wait_for_attr(
        "[data-testid=case-referrals] [data-testid=referral-row]",
        "data-status",
        "first_contact",
        PATIENCE,
    )
    .await;
    a.screenshot("referral-case-section").await;
    close_detail(&b).await;
    b.screenshot("referrals-inbox-partner-after").await;

    // A second referral, to the huurdersbond (outside Nabij): name and question only.
    a.go(&case_hash).await;
    a.click("[data-testid=refer-new]").await;
    a.find("[data-testid=refer-dialog]").await;
    choose_partner(&a, "Huurdersbond Limburg").await;
    a.fill("[data-testid=refer-goal]", "Advies over de huurwaarborg.")
        .await;
    set_checked(&a, "[data-testid=refer-tick-phone]", false).await;
    a.fill("[data-testid=refer-consent-what]", "naam en de hulpvraag")
        .await;
    set_checked(&a, "[data-testid=refer-mission]", true).await;
    a.click("[data-testid=refer-send]").await;
    a.wait_for_text("[data-testid=referral-status]", "Verzonden")
        .await;
    // Its letter: a PDF with the ticked fields and none of the others.
    a.click("[data-testid=referral-letter]").await;
    let path = a
        .wait_for_contains("[data-testid=referral-letter-path]", ".pdf")
        .await;
    let pdf = path
        .split_whitespace()
        .find(|w| w.ends_with(".pdf") || w.ends_with(".pdf."))
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    let text = Command::new("pdftotext")
        .args([&pdf, "-"])
        .output()
        .unwrap();
    assert!(text.status.success(), "pdftotext failed on {pdf}");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Marie Dubois"), "{text}");
    assert!(text.contains("energiefacturen"), "{text}");
    assert!(text.contains("Huurdersbond Limburg"), "{text}");
    for absent in ["0470", "Vennestraat", "1979"] {
        assert!(!text.contains(absent), "{absent} is in the letter:\n{text}");
    }
    let shot = repo_root().join("target/e2e-screenshots/referral-letter-app");
    let png = Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            &pdf,
        ])
        .arg(&shot)
        .status()
        .unwrap();
    assert!(png.success());
    close_detail(&a).await;
    a.screenshot("referral-case-section-two").await;
    a.close().await;

    // Past the deadline (the app's clock moved by the test variable): overdue in Opvolging
    // and on the home screen, for the sender.
    let later = Date::today().add_days(10).to_string();
    let a = App::launch_with(&desktop, data_a.path(), &[("NABIJ_TEST_TODAY", &later)]).await;
    a.wait_for_contains("[data-testid=home-late-referrals]", "1 doorverwijzing")
        .await;
    a.click("[data-testid=nav-tasks]").await;
    a.wait_for_contains("[data-testid=followup-referrals]", "Huurdersbond Limburg")
        .await;
    assert_eq!(
        a.count("[data-testid=followup-referrals] [data-testid=referral-row]")
            .await,
        1
    );
    a.screenshot("referral-overdue-followup").await;
    a.click("[data-testid=nav-referrals]").await;
    a.click("[data-testid=referrals-tab-sent]").await;
    a.wait_for_count("[data-testid=referral-row]", 2).await;
    a.screenshot("referrals-inbox-sender").await;
    a.close().await;

    // Bram's store holds the referral and not the case.
    b.close().await;
    let (store, _key) = open_store(&desktop, data_b.path());
    assert_eq!(store.document_ids(DocKind::Referral).unwrap().len(), 1);
    assert!(store.document_ids(DocKind::Case).unwrap().is_empty());
}

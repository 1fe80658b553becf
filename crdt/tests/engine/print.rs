//! The print room and the referral letter, read back as a person's PDF reader would: real PDF
//! files checked with poppler's `pdfinfo`, `pdftotext` and `pdftoppm` (Debian's
//! `poppler-utils`, installed by `scripts/setup`).
//!
//! The letter is made from a referral sent through the store's shared-secrecy gate from a
//! case that holds the client's birth date and address; only name and phone were ticked, so the
//! PDF must hold those and not the others. Page 1 is saved as
//! `target/e2e-screenshots/referral-letter-p1.png` to look at (and a page of the long table as
//! `print-table-p2.png`).

use std::path::{Path, PathBuf};
use std::process::Command;

use nabij_crdt::case::{NewCase, NewQuestion};
use nabij_crdt::date::Date;
use nabij_crdt::print::{self, Block, Language, Sheet};
use nabij_crdt::referral::{self, ConsentChoice, Disclose, Ground, ReferralRequest};
use nabij_crdt::team::{NewMember, NewPartner};

use super::open_plain;

/// Whether poppler's tools are here; when not, say so (the test then checks nothing more).
fn poppler() -> bool {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        eprintln!("SKIPPED: pdftotext (poppler-utils) is not installed; run scripts/setup");
    }
    found
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `pdfinfo`'s value for `key` ("Pages", "Page size").
fn info(pdf: &Path, key: &str) -> String {
    run("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{key}:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("pdfinfo has no {key}"))
}

/// The text of page `page` (all pages when `None`).
fn text(pdf: &Path, page: Option<usize>) -> String {
    let mut args = vec![];
    let n = page.map(|p| p.to_string()).unwrap_or_default();
    if page.is_some() {
        args.extend(["-f", n.as_str(), "-l", n.as_str()]);
    }
    let file = pdf.to_str().unwrap();
    args.extend([file, "-"]);
    run("pdftotext", &args)
}

/// The repository root (screenshots go under its `target/`, whatever CARGO_TARGET_DIR is).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// Page `page` of `pdf` as `target/e2e-screenshots/<name>.png` (80 dpi), to look at.
fn screenshot(pdf: &Path, page: usize, name: &str) {
    let shots = repo_root().join("target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let page = page.to_string();
    let prefix = shots.join(name);
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            &page,
            "-l",
            &page,
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = std::fs::read(shots.join(format!("{name}.png"))).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}.png is not a PNG");
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_sheet_with_non_ascii_text_and_a_long_table_is_a4_on_as_many_pages_as_it_needs() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<String>> = (1..=120)
        .map(|n| {
            vec![
                format!("{n:03}"),
                if n % 2 == 0 {
                    "Ayşe Çelik"
                } else {
                    "Zoë Peeters-Ğür"
                }
                .to_string(),
                format!("€ {n},50"),
            ]
        })
        .collect();
    let sheet = Sheet {
        title: "Steunaanvragen — overzicht".into(),
        subtitle: Some("Sociaal Huis Noord · „vertrouwelijk”".into()),
        blocks: vec![
            Block::Paragraph(
                "Een lijst met één rij per aanvraag, café en crème inbegrepen.".into(),
            ),
            Block::Note("Alleen voor intern gebruik.".into()),
            Block::Table {
                headers: vec!["Nr.".into(), "Aanvrager".into(), "Bedrag".into()],
                rows,
            },
        ],
        footer: Some("Sociaal Huis Noord".into()),
        language: Language::Dutch,
    };
    let pdf = write(dir.path(), "sheet.pdf", &print::render(&sheet).unwrap());
    assert!(
        info(&pdf, "Page size").contains("(A4)"),
        "{}",
        info(&pdf, "Page size")
    );
    assert!(info(&pdf, "Page size").starts_with("595.276 x 841.89"));
    let pages: usize = info(&pdf, "Pages").parse().unwrap();
    // 120 rows of at least 12 points cannot fit on fewer than two pages of 842 points.
    assert!(pages >= 2, "{pages} pages");
    let all = text(&pdf, None);
    for wanted in [
        "Ayşe Çelik",
        "Zoë Peeters-Ğür",
        "€ 120,50",
        "„vertrouwelijk”",
        "café en crème",
    ] {
        assert!(all.contains(wanted), "pdftotext lacks {wanted:?}");
    }
    let mut rows_seen = Vec::new();
    for page in 1..=pages {
        let on_page = text(&pdf, Some(page));
        assert!(
            on_page.contains(&format!("Pagina {page} van {pages}")),
            "page {page} lacks its number:\n{on_page}"
        );
        assert!(
            on_page.contains("Aanvrager"),
            "page {page} lacks the table header"
        );
        rows_seen.extend(
            on_page
                .split_whitespace()
                .filter(|w| w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string),
        );
    }
    let expected: Vec<String> = (1..=120).map(|n| format!("{n:03}")).collect();
    assert_eq!(
        rows_seen, expected,
        "every row once, in order, over the pages"
    );
    screenshot(&pdf, 2, "print-table-p2");

    // A short sheet is one page.
    let short = Sheet {
        title: "Kort".into(),
        blocks: vec![Block::Paragraph("Eén regel.".into())],
        ..Sheet::default()
    };
    let pdf = write(dir.path(), "short.pdf", &print::render(&short).unwrap());
    assert_eq!(info(&pdf, "Pages"), "1");
    assert!(text(&pdf, None).contains("Pagina 1 van 1"));

    // A PNG (here that one-page sheet as pdftoppm draws it) is placed as an image.
    let prefix = dir.path().join("short");
    let file = pdf.to_str().unwrap();
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "30",
            "-singlefile",
            file,
            prefix.to_str().unwrap(),
        ],
    );
    let png = std::fs::read(dir.path().join("short.png")).unwrap();
    let with_image = Sheet {
        title: "Grafiek".into(),
        blocks: vec![
            Block::Image {
                png,
                width_mm: 80.0,
            },
            Block::Paragraph("Onder de grafiek.".into()),
        ],
        ..Sheet::default()
    };
    let pdf = write(
        dir.path(),
        "image.pdf",
        &print::render(&with_image).unwrap(),
    );
    let images = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    assert_eq!(
        images.lines().count(),
        3,
        "one image (after two header lines):\n{images}"
    );
    assert!(text(&pdf, None).contains("Onder de grafiek."));
}

#[test]
fn the_referral_letter_holds_what_passed_the_gate_and_not_what_the_case_also_has() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = iroh::SecretKey::generate();
    let mut store = open_plain(dir.path());
    store.set_device_key(key).unwrap();
    let me = store
        .start_team(
            "Sociaal Huis Genk",
            NewMember {
                name: "Sara Janssens".into(),
                role: "maatschappelijk werker".into(),
                organisation: Some("OCMW Genk".into()),
            },
        )
        .unwrap();
    let author = store.author(&me).unwrap();
    let partner = |name: &str, address: &str, phone: &str| NewPartner {
        name: name.into(),
        services: vec!["budgetbegeleiding".into()],
        themes: vec!["money".into()],
        address: Some(address.into()),
        phone: Some(phone.into()),
        opening_hours: None,
        bound_by_secrecy: true,
        ..NewPartner::default()
    };
    let caw = partner("CAW Limburg", "Hasseltweg 12, 3600 Genk", "089 11 22 33");
    let caw = store
        .edit_team(&author, &me.team, |t| t.add_partner(caw))
        .unwrap();
    // The sender's own organisation, in the directory: the letter gives its phone.
    let ocmw = partner("OCMW Genk", "Stadsplein 1, 3600 Genk", "089 65 44 00");
    store
        .edit_team(&author, &me.team, |t| t.add_partner(ocmw))
        .unwrap();
    let case = store
        .register_case(
            &me,
            NewCase {
                client_name: "Ayşe Çelik".into(),
                birth_date: Some("1985-03-12".into()),
                contact: Some("0470 12 34 56".into()),
                language: Some("Turks".into()),
                address: Some("Dorpsstraat 17, 3640 Kinrooi".into()),
                owner: None,
            },
        )
        .unwrap();
    let question = store
        .edit_case_as(&me, &case, |c| {
            c.add_question(NewQuestion {
                theme: "money".into(),
                text: "Mijn energiefactuur van € 1.250 is te hoog.".into(),
            })
        })
        .unwrap();
    let goal = "Budgetbegeleiding opstarten om de energieschuld af te lossen.";
    let id = store
        .send_referral(
            &me,
            ReferralRequest {
                case_id: case.clone(),
                question_id: question,
                partner_id: caw,
                goal: goal.into(),
                ground: Ground::SharedSecrecy,
                consent: ConsentChoice::New {
                    what: "naam en telefoonnummer".into(),
                    date: None,
                },
                unbound_consent: false,
                shared_mission: true,
                reason: None,
                disclose: Disclose {
                    name: true,
                    phone: true,
                    ..Disclose::default()
                },
            },
        )
        .unwrap();

    let sent = store.open_referral(&id).unwrap();
    let team = store.open_team(&me.team).unwrap();
    let sender = &team.members[me.member.as_str()];
    let today = Date::today();
    let bytes = referral::letter_pdf(&sent, &team, sender, today).unwrap();
    eprintln!("referral letter: {} bytes", bytes.len());
    let pdf = write(dir.path(), "letter.pdf", &bytes);
    assert!(info(&pdf, "Page size").contains("(A4)"));
    let all = text(&pdf, None);
    // pdftotext may break a line where the letter wraps it: compare without line breaks.
    let flat = all.split_whitespace().collect::<Vec<_>>().join(" ");
    for wanted in [
        "Ayşe Çelik",
        "0470 12 34 56",
        goal,
        "CAW Limburg",
        "Hasseltweg 12, 3600 Genk",
        "Sara Janssens",
        "089 65 44 00",
        "Sociaal Huis Genk",
        "gedeeld beroepsgeheim",
        &referral::long_date(&today.to_string()),
        &referral::long_date(&sent.due),
        &referral::reference(&sent),
    ] {
        assert!(flat.contains(wanted), "the letter lacks {wanted:?}:\n{all}");
    }
    // What the case holds but was not ticked: birth date, address, language, the question.
    for absent in [
        "1985",
        "12 maart",
        "12/03",
        "Dorpsstraat",
        "Kinrooi",
        "Geboortedatum",
        "Turks",
        "energiefactuur",
    ] {
        assert!(
            !flat.contains(absent),
            "the letter shows {absent:?}:\n{all}"
        );
    }

    screenshot(&pdf, 1, "referral-letter-p1");
}

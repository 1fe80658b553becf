use std::collections::BTreeMap;

use super::*;
use crate::author::Author;
use crate::id::{CaseId, ItemId, MemberId, TeamId};
use crate::referral::{Basis, DisclosedEntry, NewReferral, create_referral, load};
use crate::team::Settings;

fn partner(name: &str, address: Option<&str>, phone: Option<&str>, bound: bool) -> Partner {
    Partner {
        name: name.into(),
        services: vec!["budgetbegeleiding".into()],
        themes: vec!["money".into()],
        address: address.map(str::to_string),
        phone: phone.map(str::to_string),
        opening_hours: None,
        bound_by_secrecy: bound,
        email: None,
        website: None,
        contact_person: None,
        added_by: None,
        added_at: None,
        changed_by: None,
        changed_at: None,
    }
}

fn sender() -> Member {
    Member {
        name: "Sara Janssens".into(),
        role: "maatschappelijk werker".into(),
        organisation: Some("ocmw genk".into()),
        partner: None,
        admin: false,
        removed_at: None,
    }
}

fn team(partner_id: &ItemId) -> Team {
    let mut partners = BTreeMap::new();
    partners.insert(
        partner_id.to_string(),
        partner(
            "CAW Limburg",
            Some("Hasseltweg 12, 3600 Genk"),
            Some("089 11 22 33"),
            true,
        ),
    );
    partners.insert(
        ItemId::random().to_string(),
        partner(
            "OCMW Genk",
            Some("Stadsplein 1, 3600 Genk"),
            Some("089 65 44 00"),
            true,
        ),
    );
    Team {
        kind: "team".into(),
        schema: 1,
        id: TeamId::random().to_string(),
        name: "Sociaal Huis Genk".into(),
        created_at: 0,
        members: BTreeMap::new(),
        devices: BTreeMap::new(),
        partners,
        themes: [("money".to_string(), "Geld en schulden".to_string())].into(),
        envelopes: BTreeMap::new(),
        settings: Settings {
            retention_years: 5,
            relay: None,
            first_contact_days: None,
        },
        client_index: BTreeMap::new(),
    }
}

fn referral(partner_id: &ItemId, basis: Basis, disclosed: Disclosed) -> Referral {
    let author = Author::generate(MemberId::random());
    let new = NewReferral {
        case_id: CaseId::random(),
        question_id: ItemId::random(),
        theme: "money".into(),
        partner_id: partner_id.clone(),
        partner_name: "CAW Limburg".into(),
        goal: "Budgetbegeleiding opstarten om de energieschuld af te lossen.".into(),
        basis,
        disclosed,
        due: "2026-12-04".into(),
    };
    let (_, doc) = create_referral(&author, &TeamId::random(), new).unwrap();
    load(&doc).unwrap()
}

fn consent() -> Basis {
    Basis {
        ground: Ground::SharedSecrecy,
        consent_id: Some(ItemId::random().to_string()),
        consent_date: Some("2026-11-30".into()),
        partner_bound: true,
        unbound_consent: false,
        shared_mission: true,
        reason: None,
    }
}

/// Every text of the sheet, one string.
fn all_text(sheet: &Sheet) -> String {
    let mut out = vec![sheet.title.clone()];
    out.extend(sheet.subtitle.clone());
    out.extend(sheet.footer.clone());
    for block in &sheet.blocks {
        match block {
            Block::Heading(t) | Block::Paragraph(t) | Block::Note(t) => out.push(t.clone()),
            Block::Fields(fields) => {
                for (l, v) in fields {
                    out.push(format!("{l}: {v}"));
                }
            }
            Block::Table { headers, rows } => {
                out.extend(headers.iter().cloned());
                out.extend(rows.iter().flatten().cloned());
            }
            Block::Image { .. } | Block::Rule => {}
        }
    }
    out.join("\n")
}

fn today() -> Date {
    Date::parse("2026-12-02").unwrap()
}

#[test]
fn dates_read_as_in_a_dutch_letter() {
    assert_eq!(long_date("2026-12-03"), "3 december 2026");
    assert_eq!(long_date("1985-03-12"), "12 maart 1985");
    assert_eq!(long_date("2026-11-28T14:30"), "28 november 2026, 14.30 uur");
    assert_eq!(long_date("later"), "later");
}

#[test]
fn the_letter_holds_the_ticked_fields_and_nothing_else() {
    let partner_id = ItemId::random();
    let team = team(&partner_id);
    let r = referral(
        &partner_id,
        consent(),
        Disclosed {
            name: Some("Marie Dubois".into()),
            phone: Some("0470 12 34 56".into()),
            ..Default::default()
        },
    );
    let sheet = letter(&r, &team, &sender(), today());
    let text = all_text(&sheet);
    for wanted in [
        "Doorverwijzing naar CAW Limburg",
        "Hasseltweg 12, 3600 Genk",
        "Sara Janssens",
        // The sender's organisation found in the directory by its name: its phone.
        "OCMW Genk",
        "089 65 44 00",
        "Sociaal Huis Genk",
        "2 december 2026",
        "„Geld en schulden”",
        "Budgetbegeleiding opstarten om de energieschuld af te lossen.",
        "Eerste contact vóór: 4 december 2026",
        "Naam: Marie Dubois",
        "Telefoon of e-mail: 0470 12 34 56",
        "met toestemming van de cliënt van 30 november 2026",
        "Deze gegevens vallen onder het gedeeld beroepsgeheim",
        "bel Sara Janssens op 089\u{a0}65\u{a0}44\u{a0}00",
        &reference(&r),
    ] {
        assert!(text.contains(wanted), "missing {wanted:?} in\n{text}");
    }
    for absent in [
        "Geboortedatum",
        "Adres:",
        "Taal",
        "hulpvraag",
        "Uit het dossier",
        "Samenvatting",
        "Uitzondering",
    ] {
        assert!(!text.contains(absent), "{absent:?} in\n{text}");
    }
}

#[test]
fn every_disclosed_field_shows_and_journal_entries_come_in_date_order() {
    let partner_id = ItemId::random();
    let team = team(&partner_id);
    let journal = [
        (
            "2026-11-20",
            "Huisbezoek: twee aanmaningen van de energieleverancier.",
        ),
        ("2026-10-02T09:15", "Eerste gesprek aan het onthaal."),
    ]
    .into_iter()
    .map(|(date, text)| {
        (
            ItemId::random().to_string(),
            DisclosedEntry {
                date: date.into(),
                text: text.into(),
            },
        )
    })
    .collect();
    let r = referral(
        &partner_id,
        consent(),
        Disclosed {
            name: Some("Ayşe Çelik".into()),
            birth_date: Some("1985-03-12".into()),
            phone: Some("ayse@example.be".into()),
            address: Some("Kolderbosstraat 4, 3600 Genk".into()),
            language: Some("Turks, Nederlands".into()),
            question: Some("Ik kan mijn energiefactuur van € 1.250 niet betalen.".into()),
            journal,
            summary: Some("Alleenstaande moeder, twee kinderen.".into()),
        },
    );
    let sheet = letter(&r, &team, &sender(), today());
    let text = all_text(&sheet);
    for wanted in [
        "Naam: Ayşe Çelik",
        "Geboortedatum: 12 maart 1985",
        "Adres: Kolderbosstraat 4, 3600 Genk",
        "Taal: Turks, Nederlands",
        "€ 1.250",
        "Alleenstaande moeder",
    ] {
        assert!(text.contains(wanted), "missing {wanted:?}");
    }
    let rows = sheet
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { rows, .. } => Some(rows.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(rows[0][0], "2 oktober 2026, 09.15 uur");
    assert_eq!(rows[1][0], "20 november 2026");
}

#[test]
fn a_legal_exception_is_marked_with_its_reason() {
    let partner_id = ItemId::random();
    let team = team(&partner_id);
    for (ground, words) in [
        (Ground::CaseConference, "casusoverleg (art. 458ter Sw.)"),
        (Ground::Necessity, "noodtoestand"),
    ] {
        let basis = Basis {
            ground,
            consent_id: None,
            consent_date: None,
            reason: Some("Acuut risico op uithuiszetting met twee kinderen.".into()),
            ..consent()
        };
        let disclosed = Disclosed {
            name: Some("Marie Dubois".into()),
            ..Default::default()
        };
        let text = all_text(&letter(
            &referral(&partner_id, basis, disclosed),
            &team,
            &sender(),
            today(),
        ));
        assert!(text.contains("Uitzondering op het beroepsgeheim"), "{text}");
        assert!(text.contains(words));
        assert!(text.contains("Reden: Acuut risico op uithuiszetting"));
        assert!(!text.contains("toestemming van de cliënt"));
    }
}

#[test]
fn a_partner_not_in_the_directory_and_a_sender_without_organisation_still_get_a_letter() {
    let partner_id = ItemId::random();
    let team = team(&ItemId::random());
    let r = referral(
        &partner_id,
        Basis {
            partner_bound: false,
            unbound_consent: true,
            ..consent()
        },
        Disclosed {
            name: Some("Marie Dubois".into()),
            ..Default::default()
        },
    );
    let me = Member {
        organisation: None,
        ..sender()
    };
    let text = all_text(&letter(&r, &team, &me, today()));
    assert!(text.contains("Doorverwijzing naar CAW Limburg"));
    assert!(text.contains("neem contact op met Sara Janssens"));
    assert!(text.contains("niet aan het beroepsgeheim"));
    assert!(!text.contains("Hasseltweg"));
}

#[test]
fn the_letter_renders_as_a_pdf() {
    let partner_id = ItemId::random();
    let team = team(&partner_id);
    let r = referral(
        &partner_id,
        consent(),
        Disclosed {
            name: Some("Marie Dubois".into()),
            ..Default::default()
        },
    );
    let pdf = letter_pdf(&r, &team, &sender(), today()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // A name in a script the embedded font lacks still gives a letter (empty boxes for it).
    let r = referral(
        &partner_id,
        consent(),
        Disclosed {
            name: Some("محمد العلي 🙂".into()),
            ..Default::default()
        },
    );
    let pdf = letter_pdf(&r, &team, &sender(), today()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[test]
fn the_sender_is_found_by_the_partner_they_work_for_with_its_e_mail() {
    let partner_id = ItemId::random();
    let mut team = team(&partner_id);
    let own = ItemId::random().to_string();
    let mut ocmw = partner(
        "Sociaal Huis Genk",
        Some("Markt 3, 3600 Genk"),
        Some("089 00 11 22"),
        true,
    );
    ocmw.email = Some("onthaal@sociaalhuis.example".into());
    team.partners.insert(own.clone(), ocmw);
    let sender = Member {
        organisation: Some("iets anders".into()),
        partner: Some(own),
        ..sender()
    };
    let r = referral(
        &partner_id,
        consent(),
        Disclosed {
            name: Some("Marie Dubois".into()),
            ..Default::default()
        },
    );
    let text = all_text(&letter(&r, &team, &sender, today()));
    for wanted in [
        "Sociaal Huis Genk",
        "Markt 3, 3600 Genk",
        "E-mail onthaal@sociaalhuis.example",
        "089 00 11 22",
    ] {
        assert!(text.contains(wanted), "{wanted} missing:\n{text}");
    }
}

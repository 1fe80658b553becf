//! The referral letter: what a partner that does not work in Nabij receives, printed or as a
//! PDF file, instead of the referral document.
//!
//! It holds what the referral's [`Disclosed`] holds and nothing else (each field only when it
//! was ticked and has a value), with what the partner needs to act on it: who it is from and
//! how to reach them, the question's theme, the goal, the first-contact deadline, the basis on
//! which it is shared (a legal exception marked as such), a note on professional secrecy, and a
//! request to confirm the first contact (the sender then records that step by hand).
//!
//! The letter is Dutch by design, whatever language the sender's app is set to: it goes to
//! Flemish partner organisations, and its legal wording (gedeeld beroepsgeheim, art. 458ter Sw.)
//! is Dutch. Its texts therefore live here, in the engine, not in the UI's catalogs.

use super::model::{Disclosed, Ground, Referral};
use crate::date::Date;
use crate::print::{self, Block, Language, PrintError, Sheet};
use crate::team::{DEFAULT_THEMES, Member, Partner, Team};

/// Month names, January first.
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A day as a Dutch letter writes it: `2026-12-03` is "3 december 2026"; a moment
/// (`2026-12-03T14:30`) gets its time ("3 december 2026, 14.30 uur"). Text that is not a date
/// is shown as it is.
pub fn long_date(text: &str) -> String {
    let (day, time) = match text.split_once('T') {
        Some((day, time)) => (day, Some(time)),
        None => (text, None),
    };
    let Ok(date) = Date::parse(day) else {
        return text.to_string();
    };
    let iso = date.to_string();
    let month: usize = iso[5..7].parse().unwrap_or(1);
    let day_of_month: u32 = iso[8..10].parse().unwrap_or(1);
    let name = MONTHS[(month.clamp(1, 12)) - 1];
    let mut out = format!("{day_of_month} {name} {}", date.year());
    if let Some(time) = time.filter(|t| t.len() >= 5 && t.as_bytes()[2] == b':') {
        out.push_str(&format!(", {}.{} uur", &time[..2], &time[3..5]));
    }
    out
}

/// The Dutch label of a theme: the team's own, else the default one, else the slug.
pub fn theme_label(team: &Team, slug: &str) -> String {
    team.themes
        .get(slug)
        .cloned()
        .or_else(|| {
            DEFAULT_THEMES
                .iter()
                .find(|(s, _)| *s == slug)
                .map(|(_, label)| label.to_string())
        })
        .unwrap_or_else(|| slug.to_string())
}

/// The short reference a partner quotes when phoning in a step: the referral id's first eight
/// characters, upper case.
pub fn reference(referral: &Referral) -> String {
    referral
        .id
        .chars()
        .take(8)
        .collect::<String>()
        .to_uppercase()
}

/// `text` with no-break spaces, so a phone number stays on one line.
fn unbroken(text: &str) -> String {
    text.replace(' ', "\u{a0}")
}

/// A present, non-blank text.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The directory entry of the sender's organisation, when the team's partner directory has it
/// (the partner the member works for, or by item id or name of the organisation).
fn organisation_entry<'a>(team: &'a Team, sender: &Member) -> Option<&'a Partner> {
    if let Some(own) = sender.partner.as_ref().and_then(|p| team.partners.get(p)) {
        return Some(own);
    }
    let organisation = present(&sender.organisation)?;
    team.partners.get(organisation).or_else(|| {
        let folded = crate::store::fold(organisation);
        team.partners
            .values()
            .find(|p| crate::store::fold(&p.name) == folded)
    })
}

/// Lines of an address block: the non-blank ones.
fn block_lines<'a>(lines: impl IntoIterator<Item = Option<&'a str>>) -> String {
    lines
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The client's fields that were disclosed, labelled.
fn client_fields(disclosed: &Disclosed) -> Vec<(String, String)> {
    let birth_date = present(&disclosed.birth_date).map(long_date);
    [
        ("Naam", present(&disclosed.name).map(str::to_string)),
        ("Geboortedatum", birth_date),
        (
            "Telefoon of e-mail",
            present(&disclosed.phone).map(str::to_string),
        ),
        ("Adres", present(&disclosed.address).map(str::to_string)),
        ("Taal", present(&disclosed.language).map(str::to_string)),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| (label.to_string(), v)))
    .collect()
}

/// The basis of the disclosure, as label/value lines; a legal exception says so.
fn basis_fields(referral: &Referral) -> Vec<(String, String)> {
    let basis = &referral.basis;
    let mut fields = Vec::new();
    match basis.ground {
        Ground::SharedSecrecy => {
            let consent = match present(&basis.consent_date) {
                Some(day) => format!(
                    "Gedeeld beroepsgeheim, met toestemming van de cliënt van {}.",
                    long_date(day)
                ),
                None => "Gedeeld beroepsgeheim, met toestemming van de cliënt.".to_string(),
            };
            fields.push(("Grond".to_string(), consent));
            if !basis.partner_bound {
                fields.push((
                    "Let op".to_string(),
                    "Uw organisatie is volgens onze sociale kaart niet aan het beroepsgeheim \
                     gebonden. De cliënt stemde er uitdrukkelijk mee in dat deze gegevens toch met \
                     u gedeeld worden."
                        .to_string(),
                ));
            }
        }
        Ground::Necessity => fields.push((
            "Grond".to_string(),
            "Uitzondering op het beroepsgeheim: noodtoestand (acuut gevaar voor iemand)."
                .to_string(),
        )),
        Ground::CaseConference => fields.push((
            "Grond".to_string(),
            "Uitzondering op het beroepsgeheim: casusoverleg (art. 458ter Sw.).".to_string(),
        )),
    }
    if basis.ground.is_exception()
        && let Some(reason) = present(&basis.reason)
    {
        fields.push(("Reden".to_string(), reason.to_string()));
    }
    fields
}

/// The note on professional secrecy.
fn secrecy_note(ground: Ground) -> String {
    let opening = match ground {
        Ground::SharedSecrecy => {
            "Deze gegevens vallen onder het gedeeld beroepsgeheim. Ze worden met u gedeeld in \
             het belang van de cliënt, alleen voor het doel hierboven en beperkt tot wat daarvoor \
             nodig is."
        }
        Ground::Necessity | Ground::CaseConference => {
            "Deze gegevens vallen onder het beroepsgeheim. Ze worden met u gedeeld op grond van \
             de wettelijke uitzondering hierboven, alleen voor het doel hierboven en beperkt tot \
             wat daarvoor nodig is."
        }
    };
    format!(
        "{opening} Gebruik ze alleen voor deze hulpverlening, geef ze niet door aan anderen en \
         bewaar ze niet langer dan nodig."
    )
}

/// The letter for `referral`, sent by `sender` (a member of `team`), dated `today`.
pub fn letter(referral: &Referral, team: &Team, sender: &Member, today: Date) -> Sheet {
    let partner = team.partners.get(&referral.partner_id);
    let partner_name = partner.map_or(referral.partner_name.as_str(), |p| p.name.as_str());
    let own = organisation_entry(team, sender);
    let theme = theme_label(team, &referral.theme);
    let reference = reference(referral);
    let disclosed = &referral.disclosed;
    let sender_phone = own.and_then(|p| present(&p.phone));

    let to = block_lines([
        Some(partner_name),
        partner.and_then(|p| present(&p.address)),
        partner
            .and_then(|p| present(&p.phone))
            .map(|phone| format!("Tel. {phone}"))
            .as_deref(),
    ]);
    let from = block_lines([
        Some(sender.name.as_str()),
        Some(sender.role.as_str()),
        own.map(|p| p.name.as_str())
            .or(present(&sender.organisation)),
        own.and_then(|p| present(&p.address)),
        sender_phone.map(|phone| format!("Tel. {phone}")).as_deref(),
        own.and_then(|p| present(&p.email))
            .map(|email| format!("E-mail {email}"))
            .as_deref(),
        Some(format!("Team {}", team.name).as_str()),
    ]);

    let mut blocks = vec![
        Block::Fields(vec![
            ("Aan".to_string(), to),
            ("Van".to_string(), from),
            ("Datum".to_string(), long_date(&today.to_string())),
            ("Betreft".to_string(), format!("Doorverwijzing: {theme}")),
            ("Referentie".to_string(), reference.clone()),
        ]),
        Block::Rule,
        Block::Paragraph("Beste collega,".to_string()),
        Block::Paragraph(format!(
            "Wij verwijzen een cliënt naar u door met een vraag over het thema „{theme}”. \
             Hieronder vindt u alleen de gegevens die voor deze doorverwijzing nodig zijn."
        )),
        Block::Heading("Doel van de doorverwijzing".to_string()),
        Block::Paragraph(referral.goal.trim().to_string()),
        Block::Fields(vec![(
            "Eerste contact vóór".to_string(),
            long_date(&referral.due),
        )]),
    ];

    let client = client_fields(disclosed);
    if !client.is_empty() {
        blocks.push(Block::Heading("Gegevens van de cliënt".to_string()));
        blocks.push(Block::Fields(client));
    }
    if let Some(question) = present(&disclosed.question) {
        blocks.push(Block::Heading(
            "De hulpvraag, in de woorden van de cliënt".to_string(),
        ));
        blocks.push(Block::Paragraph(question.to_string()));
    }
    let mut entries: Vec<_> = disclosed
        .journal
        .values()
        .filter(|e| !e.text.trim().is_empty())
        .collect();
    if !entries.is_empty() {
        entries.sort_by(|a, b| a.date.cmp(&b.date));
        blocks.push(Block::Heading("Uit het dossier".to_string()));
        blocks.push(Block::Table {
            headers: vec!["Datum".to_string(), "Notitie".to_string()],
            rows: entries
                .into_iter()
                .map(|e| vec![long_date(&e.date), e.text.trim().to_string()])
                .collect(),
        });
    }
    if let Some(summary) = present(&disclosed.summary) {
        blocks.push(Block::Heading("Samenvatting".to_string()));
        blocks.push(Block::Paragraph(summary.to_string()));
    }

    blocks.push(Block::Heading("Grond voor het delen".to_string()));
    blocks.push(Block::Fields(basis_fields(referral)));
    blocks.push(Block::Note(secrecy_note(referral.basis.ground)));

    let call = match sender_phone {
        Some(phone) => format!("bel {} op {}", sender.name, unbroken(phone)),
        None => format!("neem contact op met {}", sender.name),
    };
    blocks.push(Block::Paragraph(format!(
        "Wilt u ons laten weten wanneer u de cliënt voor het eerst gesproken hebt? Dan {call} \
         en vermeld referentie {reference}. Zo weten wij dat de overdracht gelukt is."
    )));
    let signature = block_lines([
        Some(sender.name.as_str()),
        own.map(|p| p.name.as_str())
            .or(present(&sender.organisation)),
        Some(team.name.as_str()),
    ]);
    blocks.push(Block::Paragraph(format!(
        "Met vriendelijke groeten,\n\n{signature}"
    )));

    Sheet {
        title: format!("Doorverwijzing naar {partner_name}"),
        subtitle: Some(format!("{theme} · {}", team.name)),
        blocks,
        footer: Some(format!(
            "Vertrouwelijk: beroepsgeheim · {} · referentie {reference}",
            team.name
        )),
        language: Language::Dutch,
    }
}

/// The letter as a PDF file (A4): [`letter`], rendered by [`print::render`].
pub fn letter_pdf(
    referral: &Referral,
    team: &Team,
    sender: &Member,
    today: Date,
) -> Result<Vec<u8>, PrintError> {
    print::render(&letter(referral, team, sender, today))
}

#[cfg(test)]
#[path = "letter/tests.rs"]
mod tests;

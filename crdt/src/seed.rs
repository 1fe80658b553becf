//! Realistic, deterministic test data: Flemish clients with a household, questions for help,
//! tasks, a consent record and journal entries of plausible Dutch social-work text.
//!
//! Used by the benchmark (`nabij-bench`) and by tests that need a full store. Everything that is
//! drawn (names, dates, texts, themes) follows from the `u64` seed, so two runs with the same seed
//! produce the same cases in the same order; only the random identifiers (UUIDs) and creation
//! moments differ.
//!
//! Each case is built in memory first ([`Seeder::case`]): [`create_case`] for the client, one
//! change for the household, questions, tasks and consent, then one change per journal entry (as
//! a social worker would write them, one at a time). [`seed_cases`] builds the documents on a
//! second thread while the calling thread stores them, so building and storing overlap.

use std::sync::mpsc;

use automerge::AutoCommit;

use crate::author::Author;
use crate::case::{
    CaseEditor, ContactKind, HouseholdRole, NewCase, NewConsent, NewJournalEntry, NewPerson,
    NewQuestion, NewTask, create_case,
};
use crate::date::Date;
use crate::doc::{DocError, DocKind};
use crate::id::{CaseId, TeamId};
use crate::store::{Store, StoreError};

/// The themes of questions and journal entries.
pub const THEMES: &[&str] = &[
    "money",
    "housing",
    "work",
    "health",
    "family",
    "isolation",
    "administration",
    "education",
    "mobility",
    "other",
];

/// Surnames given to about one client in a thousand (for selective-search measurements).
pub const RARE_SURNAMES: &[&str] = &["Tshibangu", "Haddouchi", "Szymańska", "Oyelaran", "Vuković"];

const FIRST_NAMES: &[&str] = &[
    "Jan",
    "Marie",
    "Ayşe",
    "Noël",
    "Fatima",
    "Mohamed",
    "Els",
    "Luc",
    "Sofie",
    "Pieter",
    "Yasmina",
    "Kevin",
    "Nathalie",
    "Ahmed",
    "Inge",
    "Jef",
    "Hanna",
    "Dirk",
    "Leen",
    "Youssef",
    "Chantal",
    "Mehmet",
    "Anke",
    "Bart",
    "Zeynep",
    "Lotte",
    "Emre",
    "Griet",
    "Ilse",
    "Karim",
    "Élise",
    "Rachida",
    "Wim",
    "Nadia",
    "Tom",
    "Agnieszka",
];

const LAST_NAMES: &[&str] = &[
    "Janssens",
    "Peeters",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Çelik",
    "Yılmaz",
    "El Amrani",
    "Van den Broeck",
    "Vermeulen",
    "De Backer",
    "Aerts",
    "Hermans",
    "Verstraete",
    "Michiels",
    "Bogaert",
    "Kowalski",
    "Benali",
    "Demir",
    "Van Damme",
    "Lemmens",
    "Coppens",
    "Declercq",
    "Desmet",
    "Martens",
    "Nowak",
    "Boukhari",
    "Smeets",
    "De Vos",
];

const LANGUAGES: &[&str] = &[
    "Nederlands",
    "Nederlands",
    "Nederlands",
    "Frans",
    "Turks",
    "Arabisch",
    "Engels",
    "Pools",
    "Nederlands, Frans",
    "Berbers",
];

const STREETS: &[&str] = &[
    "Vennestraat",
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Molenstraat",
    "Schoolstraat",
    "Nieuwstraat",
    "Kapelstraat",
    "Beekstraat",
    "Lindelaan",
    "Koolmijnlaan",
    "Hasseltsebaan",
];

const TOWNS: &[&str] = &[
    "3530 Houthalen-Helchteren",
    "2800 Mechelen",
    "3500 Hasselt",
    "2000 Antwerpen",
];

const OPENERS: &[&str] = &[
    "Huisbezoek bij cliënt samen met de partner.",
    "Cliënt belt ongerust naar de permanentie.",
    "Gesprek op het kantoor van het OCMW.",
    "Cliënt komt onaangekondigd langs met een stapel brieven.",
    "Telefonisch contact met de schuldbemiddelaar.",
    "Opvolggesprek zoals vorige week afgesproken.",
    "Cliënt stuurt een bericht met foto's van de laatste aanmaning.",
    "Overleg met de buurtwerker over de situatie thuis.",
    "Korte notitie na het teamoverleg van vanmorgen.",
    "Samen met cliënt naar het sociaal huis geweest.",
];

const MIDDLES: &[&str] = &[
    "De huur van deze maand is nog niet betaald en de verhuurder dreigt met een opzeg.",
    "De energiefactuur is fors gestegen; we bekijken samen het sociaal tarief.",
    "Er loopt een aanvraag voor collectieve schuldenregeling bij de arbeidsrechtbank.",
    "Het leefloon werd voor twee maanden geschorst door een ontbrekend attest.",
    "De kinderopvang voor de jongste is pas vanaf september beschikbaar.",
    "Cliënt heeft een afspraak bij de VDAB maar weet niet hoe er te geraken.",
    "Het budgetbeheer loopt goed, de vaste kosten worden nu op tijd betaald.",
    "De huisarts vraagt een tussenkomst voor de apotheekkosten.",
    "De school meldt dat de oudste zoon vaak afwezig is.",
    "Er is een achterstand bij de waterfactuur van ongeveer 400 euro.",
    "Cliënt voelt zich erg eenzaam sinds het overlijden van haar man.",
    "De brief van de belastingen werd samen gelezen en uitgelegd.",
    "We vullen samen de aanvraag voor de verhoogde tegemoetkoming in.",
    "Het sociaal verhuurkantoor heeft een woning voorgesteld in de wijk.",
    "De deurwaarder is vorige week langsgekomen voor een inventaris.",
    "De mutualiteit heeft de ziekte-uitkering nog niet uitbetaald.",
    "Er is vocht in de slaapkamer van de kinderen; de verhuurder reageert niet.",
    "Cliënt wil graag Nederlandse les volgen in het volwassenenonderwijs.",
    "Een afbetalingsplan met de energieleverancier werd aangevraagd.",
    "De kinderbijslag van het Groeipakket komt niet op de juiste rekening.",
    "Cliënt heeft geen bankkaart meer en kan niet aan het geld.",
    "De aanvraag voor een voedselpakket werd doorgegeven aan de sociale kruidenier.",
    "We bespreken de mogelijkheid van een budgetmeter voor gas.",
    "Het abonnement van De Lijn wordt deels terugbetaald via het OCMW.",
];

const CLOSERS: &[&str] = &[
    "Volgende afspraak over twee weken.",
    "Ik bel de verhuurder morgen op.",
    "Cliënt brengt de ontbrekende documenten volgende week mee.",
    "Opvolgen na het antwoord van de mutualiteit.",
    "Doorverwijzing naar het CAW besproken, cliënt denkt erover na.",
    "Cliënt is opgelucht en bedankt voor de hulp.",
    "Dossier voorleggen op het bijzonder comité.",
    "Nieuwe afspraak gemaakt voor een huisbezoek.",
];

const QUESTIONS: &[(&str, &str)] = &[
    (
        "money",
        "Ik kan mijn rekeningen niet meer betalen en de schulden stapelen zich op.",
    ),
    (
        "money",
        "Heb ik recht op een leefloon of een andere uitkering?",
    ),
    (
        "housing",
        "Ik zoek een betaalbare woning, de huur is te hoog.",
    ),
    ("housing", "Mijn verhuurder wil mij uit de woning zetten."),
    (
        "work",
        "Ik wil werk vinden maar weet niet waar te beginnen.",
    ),
    ("health", "De doktersrekeningen en medicatie zijn te duur."),
    ("family", "Ik zoek kinderopvang zodat ik kan gaan werken."),
    ("isolation", "Ik zie bijna nooit iemand en voel mij alleen."),
    (
        "administration",
        "Ik begrijp de brieven van de overheid niet.",
    ),
    (
        "education",
        "Mijn kinderen hebben hulp nodig met school en schoolkosten.",
    ),
    (
        "mobility",
        "Ik geraak niet naar mijn afspraken zonder auto.",
    ),
    (
        "other",
        "Ik weet niet goed waar ik met mijn vraag terechtkan.",
    ),
];

const TASKS: &[&str] = &[
    "Bel de verhuurder",
    "Attest inkomsten opvragen",
    "Aanvraag sociaal tarief indienen",
    "Dossier schuldbemiddeling voorbereiden",
    "Afspraak kinderopvang bevestigen",
    "Brief deurwaarder beantwoorden",
    "Mutualiteit contacteren",
    "Verslag voor het bijzonder comité schrijven",
];

/// A small deterministic pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of `items` (which must not be empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Draws clients, households and journal text from one [`Rng`].
#[derive(Debug, Clone)]
pub struct Seeder {
    rng: Rng,
}

impl Seeder {
    /// A seeder whose output follows from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
        }
    }

    /// The generator, for drawing anything else.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A surname: about one in a thousand from [`RARE_SURNAMES`].
    pub fn surname(&mut self) -> String {
        if self.rng.one_in(1000) {
            self.rng.pick(RARE_SURNAMES).to_string()
        } else {
            self.rng.pick(LAST_NAMES).to_string()
        }
    }

    /// A full name, `First Last`.
    pub fn full_name(&mut self, surname: &str) -> String {
        format!("{} {surname}", self.rng.pick(FIRST_NAMES))
    }

    /// A date between `from_year` and `to_year` (inclusive).
    pub fn date(&mut self, from_year: usize, to_year: usize) -> String {
        let year = self.rng.between(from_year, to_year) as u16;
        let month = self.rng.between(1, 12) as u8;
        let day = self.rng.between(1, 28) as u8;
        Date::new(year, month, day)
            .map(|d| d.to_string())
            .unwrap_or_else(|| format!("{year:04}-01-01"))
    }

    /// A Belgian mobile number.
    pub fn phone(&mut self) -> String {
        format!(
            "04{:02} {:02} {:02} {:02}",
            self.rng.between(60, 99),
            self.rng.below(100),
            self.rng.below(100),
            self.rng.below(100)
        )
    }

    /// A Flemish address (street, number, town).
    pub fn address(&mut self) -> String {
        let street = self.rng.pick(STREETS);
        let number = self.rng.between(1, 180);
        format!("{street} {number}, {}", self.rng.pick(TOWNS))
    }

    /// A theme from [`THEMES`].
    pub fn theme(&mut self) -> &'static str {
        self.rng.pick(THEMES)
    }

    /// About 300 characters of journal text: an opening, middle sentences up to about 220
    /// characters, and a closing sentence.
    pub fn journal_text(&mut self) -> String {
        let mut text = self.rng.pick(OPENERS).to_string();
        while text.chars().count() < 220 {
            text.push(' ');
            text.push_str(self.rng.pick(MIDDLES));
        }
        text.push(' ');
        text.push_str(self.rng.pick(CLOSERS));
        text
    }

    /// A journal entry on `date`.
    pub fn journal_entry(&mut self, date: Option<String>) -> NewJournalEntry {
        let kind = self.rng.pick(&[
            ContactKind::Visit,
            ContactKind::Call,
            ContactKind::Call,
            ContactKind::Office,
            ContactKind::Message,
            ContactKind::Note,
        ]);
        let mut themes = vec![self.theme().to_string()];
        if self.rng.one_in(3) {
            themes.push(self.theme().to_string());
        }
        NewJournalEntry {
            date,
            kind,
            text: self.journal_text(),
            themes,
        }
    }

    /// A whole case document in memory, by `author` in `team`, with `entries` journal entries
    /// (one change each, dated in order over about two years).
    pub fn case(
        &mut self,
        author: &Author,
        team: &TeamId,
        entries: usize,
    ) -> Result<(CaseId, AutoCommit), DocError> {
        let surname = self.surname();
        let client_name = self.full_name(&surname);
        let birth_date = self.date(1940, 2005);
        let (id, mut doc) = create_case(
            author,
            team,
            NewCase {
                client_name,
                birth_date: Some(birth_date),
                contact: Some(self.phone()),
                language: Some(self.rng.pick(LANGUAGES).to_string()),
                address: Some(self.address()),
                owner: None,
            },
        )?;
        {
            let mut editor = CaseEditor::new(&mut doc, author);
            for i in 0..self.rng.between(0, 2) {
                let (role, born) = if i == 0 && self.rng.one_in(2) {
                    (HouseholdRole::Partner, self.date(1940, 2005))
                } else {
                    (HouseholdRole::Child, self.date(2006, 2024))
                };
                let name = self.full_name(&surname);
                editor.add_person(NewPerson {
                    name,
                    birth_date: Some(born),
                    contact: None,
                    language: None,
                    address: None,
                    role,
                })?;
            }
            for _ in 0..self.rng.between(1, 3) {
                let (theme, text) = self.rng.pick(QUESTIONS);
                editor.add_question(NewQuestion {
                    theme: theme.to_string(),
                    text: text.to_string(),
                })?;
            }
            for _ in 0..self.rng.between(1, 3) {
                let title = self.rng.pick(TASKS).to_string();
                let due = self.date(2026, 2027);
                editor.add_task(NewTask {
                    title,
                    due: Some(due),
                    assignee: Some(author.member.clone()),
                })?;
            }
            editor.record_consent(NewConsent {
                what: "Inkomsten en schulden".into(),
                to_whom: "Schuldbemiddelaar CAW".into(),
                purpose: "Collectieve schuldenregeling".into(),
                legal_basis: "toestemming".into(),
                date: Some(self.date(2024, 2025)),
                partner_id: None,
            })?;
        }
        author.commit(&mut doc);
        // Entries over about two years, in order.
        let (mut year, mut day) = (2024usize, self.rng.between(0, 60));
        for _ in 0..entries {
            day += self.rng.between(1, 730 / entries.max(1) + 1);
            while day >= 336 {
                day -= 336;
                year += 1;
            }
            let date = format!("{year:04}-{:02}-{:02}", day / 28 + 1, day % 28 + 1);
            let entry = self.journal_entry(Some(date));
            CaseEditor::new(&mut doc, author).add_journal_entry(entry)?;
            author.commit(&mut doc);
        }
        Ok((id, doc))
    }
}

/// Cases stored per transaction while seeding.
const BATCH: usize = 250;

/// Store `count` seeded cases (see [`Seeder::case`]) with `entries_per_case` journal entries each,
/// returning their ids in the order they were made. Documents are built on a second thread while
/// this one stores them, [`BATCH`] per transaction.
pub fn seed_cases(
    store: &mut Store,
    author: &Author,
    team: &TeamId,
    count: usize,
    entries_per_case: usize,
    seed: u64,
) -> Result<Vec<CaseId>, StoreError> {
    let mut ids = Vec::with_capacity(count);
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<Result<(CaseId, AutoCommit), DocError>>(64);
        scope.spawn(move || {
            let mut seeder = Seeder::new(seed);
            for _ in 0..count {
                let built = seeder.case(author, team, entries_per_case);
                let failed = built.is_err();
                if send.send(built).is_err() || failed {
                    return;
                }
            }
        });
        let mut batch = Vec::with_capacity(BATCH);
        for built in receive {
            let (id, doc) = built?;
            batch.push((DocKind::Case, id.to_string(), doc));
            ids.push(id);
            if batch.len() == BATCH {
                store.insert_documents(author, std::mem::take(&mut batch))?;
            }
        }
        store.insert_documents(author, batch)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::MemberId;
    use crate::store::{CaseFilter, KeySource};

    fn author() -> Author {
        Author::generate(MemberId::random())
    }

    #[test]
    fn seeds_full_cases_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        let (me, team) = (author(), TeamId::random());
        let ids = seed_cases(&mut store, &me, &team, 3, 5, 42).unwrap();
        assert_eq!(ids.len(), 3);
        assert_eq!(store.status().unwrap().case_count, 3);
        let mut names = Vec::new();
        for id in &ids {
            let case = store.open_case(id).unwrap();
            assert_eq!(case.journal.len(), 5);
            assert!(!case.questions.is_empty() && !case.tasks.is_empty());
            assert!(case.journal.values().all(|e| e.text.chars().count() > 150));
            names.push(case.client_name().to_string());
        }
        let listed = store.list_cases(&CaseFilter::default()).unwrap();
        assert_eq!(listed.len(), 3);

        // The same seed draws the same clients, in the same order; another seed does not.
        let again: Vec<String> = (0..2)
            .map(|_| {
                let mut seeder = Seeder::new(42);
                (0..3)
                    .map(|_| {
                        let (_, doc) = seeder.case(&me, &team, 5).unwrap();
                        crate::case::load(&doc).unwrap().client_name().to_string()
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        assert_eq!(again[0], names.join("|"));
        assert_eq!(again[1], again[0]);
        let mut other = Seeder::new(43);
        let other_names: Vec<String> = (0..3)
            .map(|_| {
                let (_, doc) = other.case(&me, &team, 0).unwrap();
                crate::case::load(&doc).unwrap().client_name().to_string()
            })
            .collect();
        assert_ne!(other_names.join("|"), again[0]);
    }

    #[test]
    fn journal_text_is_about_three_hundred_characters() {
        let mut seeder = Seeder::new(7);
        let lengths: Vec<usize> = (0..200)
            .map(|_| seeder.journal_text().chars().count())
            .collect();
        let mean = lengths.iter().sum::<usize>() / lengths.len();
        assert!((200..=400).contains(&mean), "mean {mean}");
    }
}

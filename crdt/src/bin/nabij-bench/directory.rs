//! The partner directory ("sociale kaart") as a worker searches it while typing: the example
//! directory plus ~300 generated partners in an encrypted store, then 200 searches of 1 to 4
//! letters (the first letters of a word of a partner's name, a service or a theme, as typed),
//! every fourth with a theme filter and every third with a theme first, each through
//! `Store::directory` as the app calls it (the rows with their member count and figures).
//! Figures: `directory_search_p95_ms` (goal <= 5), `directory_search_p50_ms`,
//! `directory_partners`, and `directory_import_300_ms` (the generated partners imported from
//! one CSV file, durable).

use std::path::Path;
use std::time::Instant;

use nabij_crdt::seed::Rng;
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::team::NewMember;

use super::{Result, ms, progress, quantile};

/// Partners generated beside the example directory.
const GENERATED: usize = 300;
/// Searches timed.
const SEARCHES: usize = 200;

const KINDS: &[&str] = &[
    "Buurtcentrum",
    "Dienstencentrum",
    "Vzw",
    "Wijkpunt",
    "Ontmoetingshuis",
    "Sociaal Restaurant",
    "Kringwinkel",
    "Lokaal Dienstencentrum",
    "Praatcafé",
    "Huiswerkklas",
    "Jeugdhuis",
    "Inloopcentrum",
];
const PLACES: &[&str] = &[
    "De Linde",
    "Zonnewijk",
    "Ter Wilgen",
    "Het Anker",
    "De Brug",
    "Elfnovember",
    "Scheldezicht",
    "Sint-Amandus",
    "De Vlaschaard",
    "Çamlıca",
    "Rabot",
    "Oud Gent",
];
const SERVICES: &[&str] = &[
    "budgetbegeleiding",
    "schuldhulp",
    "huurwaarborg",
    "ontmoeting",
    "maaltijden",
    "huiswerkbegeleiding",
    "vrijwilligerswerk",
    "taalcafé",
    "tweedehandskleding",
    "thuiszorg",
    "psychologische hulp",
    "juridisch advies",
    "vervoer",
    "digitale hulp",
    "opvoedingsondersteuning",
    "energiescan",
];
const THEMES: &[&str] = &[
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

/// A CSV file of `n` generated partners (distinct names).
fn generated(rng: &mut Rng, n: usize) -> String {
    let mut csv = String::from("naam,diensten,themas,telefoon,beroepsgeheim\n");
    for i in 0..n {
        let services: Vec<&str> = (0..rng.between(1, 4)).map(|_| rng.pick(SERVICES)).collect();
        let themes: Vec<&str> = (0..rng.between(1, 3)).map(|_| rng.pick(THEMES)).collect();
        csv.push_str(&format!(
            "{} {} {i},{},{},09 {:03} {:02} {:02},{}\n",
            rng.pick(KINDS),
            rng.pick(PLACES),
            services.join(";"),
            themes.join(";"),
            rng.below(1000),
            rng.below(100),
            rng.below(100),
            if rng.one_in(2) { "ja" } else { "nee" }
        ));
    }
    csv
}

/// 1 to 4 first letters of a word (of at least that many letters) from `words`.
fn prefix(rng: &mut Rng, words: &[String]) -> String {
    let word = &words[rng.below(words.len())];
    let letters: Vec<char> = word.chars().collect();
    letters[..rng.between(1, 4).min(letters.len())]
        .iter()
        .collect()
}

pub(crate) fn measure(start: Instant, dir: &Path) -> Result<Vec<(&'static str, f64)>> {
    let data = dir.join("directory");
    let key = KeySource::File(dir.join("directory.key"));
    let mut store = Store::open(&data, &key)?;
    store.set_device_key(iroh::SecretKey::generate())?;
    let me = store.start_team_with_example_directory(
        "Sociaal Huis Leiestad",
        NewMember {
            name: "Sara Claes".into(),
            role: "maatschappelijk werker".into(),
            organisation: None,
        },
    )?;
    let mut rng = Rng::new(0x050C_1A1E);
    let t = Instant::now();
    store.import_partners(&me, &generated(&mut rng, GENERATED))?;
    let import_ms = ms(t);
    let all = store.directory("", None, None)?;
    let words: Vec<String> = all
        .iter()
        .flat_map(|p| {
            p.name
                .split_whitespace()
                .chain(p.services.iter().map(String::as_str))
        })
        .filter(|w| w.chars().all(char::is_alphabetic) && !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut samples = Vec::with_capacity(SEARCHES);
    let mut rows = 0;
    for i in 0..SEARCHES {
        let query = prefix(&mut rng, &words);
        let theme = (i % 4 == 0).then(|| rng.pick(THEMES));
        let first = (i % 3 == 0).then(|| rng.pick(THEMES));
        let t = Instant::now();
        rows += store.directory(&query, theme, first)?.len();
        samples.push(ms(t));
    }
    progress(
        start,
        &format!(
            "directory: {GENERATED} partners imported in {import_ms:.0} ms; {} partners, \
             {SEARCHES} searches of 1-4 letters: p50 {:.3} ms, p95 {:.3} ms ({} rows on average)",
            all.len(),
            quantile(&samples, 0.5),
            quantile(&samples, 0.95),
            rows / SEARCHES
        ),
    );
    Ok(vec![
        ("directory_partners", all.len() as f64),
        ("directory_import_300_ms", import_ms),
        ("directory_search_p50_ms", quantile(&samples, 0.5)),
        ("directory_search_p95_ms", quantile(&samples, 0.95)),
    ])
}

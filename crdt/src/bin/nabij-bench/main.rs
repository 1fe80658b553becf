//! `nabij-bench`: measures the engine on a realistically full store and prints one JSON object
//! as the last line of stdout (progress goes to stderr). Run it through `scripts/bench`.
//!
//! It seeds 10,000 cases (about 15 fields, 20 journal entries of about 300 characters each) into
//! an encrypted store (SQLCipher, key file in a temporary directory) and measures:
//!
//! - `edit_durable_p50_ms` / `_p99_ms`: `edit_case` adding one journal entry to a random existing
//!   case, until it returns (the change and its projections are fsynced);
//! - `list_5k_ms`: `Store::open` plus `list_cases` returning 5,000 rows (median of 5; the first,
//!   right after the seeding process closed the store, is `list_5k_first_ms`);
//! - `open_case_200_p95_ms`: `open_case` of a case with 200 journal entries (written as 200
//!   edits), each sample on a freshly opened store so nothing is cached in the process;
//! - `search_selective_p95_ms` (rare surnames), `search_broad_p95_ms` (`de`, the most common
//!   Dutch word, which a search-as-you-type box sends after two key presses) and
//!   `search_word_p95_ms` (`cliënt`, in most entries), all through the caseload's search as the
//!   app calls it (`Store::search_cases`, a page of 50 hits with their total, all cases);
//! - `bytes_per_case`: database file (plus WAL, after the closing checkpoint) per case;
//! - `peak_rss_mb`: the process's peak resident memory (VmHWM);
//! - `plain_edit_durable_p50_ms`, `plain_list_5k_ms`: the same on an unencrypted store;
//! - first, sync between two devices over iroh on loopback (see `sync.rs`):
//!   `sync_initial_10k_s`, `reconnect_unchanged_10k_ms` / `_bytes`, `reconnect_1pct_changed_ms`,
//!   `edit_propagation_p50_ms` / `_p95_ms`, `sync_peak_rss_mb` (with `NABIJ_BENCH_CASES` cases;
//!   the `10k` in the names is the default size, `sync_cases` the actual one).
//!
//! - then a flood (see `flood.rs`): an honest device's edits acknowledged by a real `nabij-peer`
//!   process while another device of the team floods it: `flood_ack_p99_ms`,
//!   `flood_base_rss_mb`, `flood_peak_rss_mb` (with `NABIJ_BENCH_FLOOD_CASES` cases, 1,000 by
//!   default; `nabij-peer` must be built next to this binary).
//!
//! - then referrals (see `referral.rs`): `referral_send_p50_ms` / `_p95_ms`,
//!   `referral_inbox_5k_ms`, `referral_inbox_sent_5k_ms` (`NABIJ_BENCH_REFERRAL_COUNT`
//!   referrals, 5,000 by default; `NABIJ_BENCH_REFERRALS=only` / `skip`).
//!
//! - the partner directory (see `directory.rs`): `directory_search_p95_ms` / `_p50_ms` over the
//!   example directory and ~300 generated partners.
//!
//! `NABIJ_BENCH_DIRECTORY=only` runs only the directory part; `NABIJ_BENCH_SYNC=only` runs only
//! the sync part, `NABIJ_BENCH_SYNC=skip` everything else;
//! `NABIJ_BENCH_FLOOD=only` runs only the flood part, `NABIJ_BENCH_FLOOD=skip` everything else.
//! `NABIJ_BENCH_CASES`, `NABIJ_BENCH_ENTRIES` and `NABIJ_BENCH_PLAIN_CASES` change the sizes (for
//! a quick trial run); `NABIJ_BENCH_DIR` sets where the temporary stores go (default: the system
//! temporary directory, which should be on a real disk for the fsync figures to mean anything).

use std::error::Error;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use nabij_crdt::author::Author;
use nabij_crdt::case::NewJournalEntry;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, MemberId, TeamId};
use nabij_crdt::seed::{RARE_SURNAMES, Seeder, seed_cases};
use nabij_crdt::store::{CaseFilter, DATABASE_FILE, KeySource, Store};

mod directory;
mod flood;
mod referral;
mod signing;
mod sync;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const SEED: u64 = 0x4E41_424A_0001;
const EDIT_SAMPLES: usize = 300;
const LIST_SAMPLES: usize = 5;
const OPEN_SAMPLES: usize = 30;
const SEARCH_SAMPLES: usize = 100;
const BIG_CASE_ENTRIES: usize = 200;

fn env_usize(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(text) => Ok(text.trim().parse()?),
        Err(_) => Ok(default),
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The `p`-quantile (0..=1) of `samples`, nearest rank.
fn quantile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn file_len(path: &Path) -> u64 {
    path.metadata().map(|m| m.len()).unwrap_or(0)
}

/// Size of the database and its WAL (the store must be closed, which checkpoints).
fn store_bytes(data: &Path) -> u64 {
    let db = data.join(DATABASE_FILE);
    let wal = data.join(format!("{DATABASE_FILE}-wal"));
    file_len(&db) + file_len(&wal)
}

fn progress(start: Instant, what: &str) {
    eprintln!("[{:7.1} s] {what}", start.elapsed().as_secs_f64());
}

/// What every measurement shares.
struct Run {
    start: Instant,
    author: Author,
    team: TeamId,
    entries: usize,
}

/// What one store's measurements gave.
struct Figures {
    cases: usize,
    seed_s: f64,
    bytes_per_case: f64,
    edits: Vec<f64>,
    list_first_ms: f64,
    list_ms: Vec<f64>,
}

/// Seed a store, then measure edits and the list on it. The store is closed on return.
fn seed_edit_list(
    run: &Run,
    label: &str,
    data: &Path,
    key: &KeySource,
    cases: usize,
) -> Result<(Figures, Vec<CaseId>)> {
    let Run {
        start,
        ref author,
        ref team,
        entries,
    } = *run;
    let mut store = Store::open(data, key)?;
    progress(
        start,
        &format!("{label}: seeding {cases} cases x {entries} entries"),
    );
    let t = Instant::now();
    let ids = seed_cases(&mut store, author, team, cases, entries, SEED)?;
    let seed_s = t.elapsed().as_secs_f64();
    progress(
        start,
        &format!(
            "{label}: seeded in {seed_s:.1} s ({:.2} ms per case)",
            seed_s * 1000.0 / cases.max(1) as f64
        ),
    );
    drop(store);
    let bytes_per_case = store_bytes(data) as f64 / cases.max(1) as f64;

    let mut store = Store::open(data, key)?;
    let mut seeder = Seeder::new(SEED ^ 0xED17);
    let mut edits = Vec::with_capacity(EDIT_SAMPLES);
    for _ in 0..EDIT_SAMPLES {
        let id = &ids[seeder.rng().below(ids.len())];
        let entry: NewJournalEntry = seeder.journal_entry(None);
        let t = Instant::now();
        store.edit_case(author, id, |case| case.add_journal_entry(entry))?;
        edits.push(ms(t));
    }
    progress(
        start,
        &format!(
            "{label}: {EDIT_SAMPLES} edits, p50 {:.2} ms, p99 {:.2} ms",
            quantile(&edits, 0.5),
            quantile(&edits, 0.99)
        ),
    );
    drop(store);

    let mut list_ms = Vec::with_capacity(LIST_SAMPLES);
    for _ in 0..LIST_SAMPLES {
        let t = Instant::now();
        let store = Store::open(data, key)?;
        let rows = store.list_cases(&CaseFilter::default())?;
        list_ms.push(ms(t));
        if rows.len() != cases.min(5_000) {
            return Err(format!("list returned {} rows", rows.len()).into());
        }
    }
    progress(
        start,
        &format!(
            "{label}: open + list of 5,000: first {:.1} ms, median {:.1} ms",
            list_ms[0],
            quantile(&list_ms, 0.5)
        ),
    );
    Ok((
        Figures {
            cases,
            seed_s,
            bytes_per_case,
            edits,
            list_first_ms: list_ms[0],
            list_ms,
        },
        ids,
    ))
}

fn run() -> Result<String> {
    let start = Instant::now();
    let cases = env_usize("NABIJ_BENCH_CASES", 10_000)?;
    let entries = env_usize("NABIJ_BENCH_ENTRIES", 20)?;
    let plain_cases = env_usize("NABIJ_BENCH_PLAIN_CASES", cases)?;
    if cases == 0 {
        return Err("NABIJ_BENCH_CASES must be at least 1".into());
    }
    let tmp = match std::env::var_os("NABIJ_BENCH_DIR") {
        Some(dir) => tempfile::Builder::new()
            .prefix("nabij-bench")
            .tempdir_in(dir)?,
        None => tempfile::Builder::new().prefix("nabij-bench").tempdir()?,
    };
    let author = Author::generate(MemberId::random());
    let team = TeamId::random();

    let flood_mode = std::env::var("NABIJ_BENCH_FLOOD").unwrap_or_default();
    let flood_cases = env_usize("NABIJ_BENCH_FLOOD_CASES", 1_000)?.max(1);
    let flood_part = |name: &str| -> Result<Vec<(&'static str, f64)>> {
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir)?;
        let figures = flood::measure(start, &dir, flood_cases, entries)?;
        std::fs::remove_dir_all(&dir)?;
        Ok(figures)
    };
    let referral_mode = std::env::var("NABIJ_BENCH_REFERRALS").unwrap_or_default();
    let referral_part = || -> Result<Vec<(&'static str, f64)>> {
        let dir = tmp.path().join("referrals");
        std::fs::create_dir_all(&dir)?;
        let n = env_usize("NABIJ_BENCH_REFERRAL_COUNT", 5_000)?.max(1);
        let figures = referral::measure(start, &dir, n)?;
        std::fs::remove_dir_all(&dir)?;
        Ok(figures)
    };
    if referral_mode == "only" {
        let mut figures = referral_part()?;
        figures.push(("total_s", start.elapsed().as_secs_f64()));
        return Ok(json(&figures));
    }
    if std::env::var("NABIJ_BENCH_DIRECTORY").as_deref() == Ok("only") {
        let mut figures = directory::measure(start, tmp.path())?;
        figures.push(("total_s", start.elapsed().as_secs_f64()));
        return Ok(json(&figures));
    }
    if flood_mode == "only" {
        let mut figures = flood_part("flood")?;
        figures.push(("total_s", start.elapsed().as_secs_f64()));
        return Ok(json(&figures));
    }

    // Sync first, so that its peak memory is its own (the peak is reset after its seeding).
    let sync_mode = std::env::var("NABIJ_BENCH_SYNC").unwrap_or_default();
    let mut sync_figures = Vec::new();
    if sync_mode != "skip" {
        let dir = tmp.path().join("sync");
        std::fs::create_dir_all(&dir)?;
        sync_figures = sync::measure(start, &dir, cases, entries)?;
        std::fs::remove_dir_all(&dir)?;
    }
    if sync_mode == "only" {
        sync_figures.push(("total_s", start.elapsed().as_secs_f64()));
        return Ok(json(&sync_figures));
    }
    // The flood runs against a peer process: this process's memory is not measured by it.
    let flood_figures = if flood_mode == "skip" {
        Vec::new()
    } else {
        flood_part("flood")?
    };

    // The encrypted store.
    let data = tmp.path().join("encrypted");
    let key = KeySource::File(tmp.path().join("encrypted.key"));
    let run = Run {
        start,
        author: author.clone(),
        team: team.clone(),
        entries,
    };
    let (enc, _) = seed_edit_list(&run, "encrypted", &data, &key, cases)?;

    // A case with 200 entries, written as 200 edits (so stored as chunks and compactions).
    let mut store = Store::open(&data, &key)?;
    let mut seeder = Seeder::new(SEED ^ 0xB16);
    let (big, doc) = seeder.case(&author, &team, 0)?;
    store.insert_document(&author, DocKind::Case, big.as_str(), doc)?;
    for day in 0..BIG_CASE_ENTRIES {
        let date = format!("2025-{:02}-{:02}", day / 28 % 12 + 1, day % 28 + 1);
        let entry = seeder.journal_entry(Some(date));
        store.edit_case(&author, &big, |case| case.add_journal_entry(entry))?;
    }
    drop(store);
    let mut opens = Vec::with_capacity(OPEN_SAMPLES);
    let mut store_opens = Vec::with_capacity(OPEN_SAMPLES);
    for _ in 0..OPEN_SAMPLES {
        let t = Instant::now();
        let mut store = Store::open(&data, &key)?;
        store_opens.push(ms(t));
        let t = Instant::now();
        let case = store.open_case(&big)?;
        opens.push(ms(t));
        if case.journal.len() != BIG_CASE_ENTRIES {
            return Err(format!("big case has {} entries", case.journal.len()).into());
        }
    }
    progress(
        start,
        &format!(
            "encrypted: open_case of {BIG_CASE_ENTRIES} entries on a fresh store: p50 {:.2} ms, \
             p95 {:.2} ms (Store::open itself p50 {:.2} ms)",
            quantile(&opens, 0.5),
            quantile(&opens, 0.95),
            quantile(&store_opens, 0.5)
        ),
    );

    // Search.
    let store = Store::open(&data, &key)?;
    let search = |queries: &[&str]| -> Result<(Vec<f64>, usize)> {
        let mut samples = Vec::with_capacity(SEARCH_SAMPLES);
        let mut hits = 0;
        for i in 0..SEARCH_SAMPLES {
            let query = queries[i % queries.len()];
            let t = Instant::now();
            let filter = CaseFilter {
                limit: Some(50),
                ..CaseFilter::default()
            };
            hits += store.search_cases(query, &filter)?.hits.len();
            samples.push(ms(t));
        }
        Ok((samples, hits / SEARCH_SAMPLES))
    };
    let rare: Vec<String> = RARE_SURNAMES.iter().map(|s| s.to_lowercase()).collect();
    let rare: Vec<&str> = rare.iter().map(String::as_str).collect();
    let (selective, selective_hits) = search(&rare)?;
    let (broad, broad_hits) = search(&["de"])?;
    let (word, word_hits) = search(&["cliënt"])?;
    drop(store);
    progress(
        start,
        &format!(
            "encrypted: search p95: rare surnames {:.2} ms ({selective_hits} hits), \
             \"de\" {:.2} ms ({broad_hits} hits), \"cliënt\" {:.2} ms ({word_hits} hits)",
            quantile(&selective, 0.95),
            quantile(&broad, 0.95),
            quantile(&word, 0.95)
        ),
    );

    // The same on an unencrypted store.
    let plain_data = tmp.path().join("plain");
    let (plain, _) = seed_edit_list(
        &run,
        "plain",
        &plain_data,
        &KeySource::Unencrypted,
        plain_cases.max(1),
    )?;
    // The sync part reset the peak after its seeding: the whole run's peak is the larger one.
    let seed_peak = sync_figures
        .iter()
        .find(|(name, _)| *name == "sync_seed_peak_rss_mb")
        .map_or(0.0, |(_, mb)| *mb);
    let rss = peak_rss_mb().max(seed_peak);
    progress(start, &format!("done; peak RSS {rss:.0} MB"));

    let mut figures: Vec<(&str, f64)> = vec![
        ("cases", enc.cases as f64),
        ("journal_entries", (enc.cases * entries) as f64),
        ("seed_s", enc.seed_s),
        ("seed_ms_per_case", enc.seed_s * 1000.0 / enc.cases as f64),
        ("edit_durable_p50_ms", quantile(&enc.edits, 0.5)),
        ("edit_durable_p99_ms", quantile(&enc.edits, 0.99)),
        ("list_5k_ms", quantile(&enc.list_ms, 0.5)),
        ("list_5k_first_ms", enc.list_first_ms),
        ("open_case_200_p95_ms", quantile(&opens, 0.95)),
        ("open_case_200_p50_ms", quantile(&opens, 0.5)),
        ("store_open_p50_ms", quantile(&store_opens, 0.5)),
        ("search_selective_p95_ms", quantile(&selective, 0.95)),
        ("search_broad_p95_ms", quantile(&broad, 0.95)),
        ("search_word_p95_ms", quantile(&word, 0.95)),
        ("bytes_per_case", enc.bytes_per_case.round()),
        ("peak_rss_mb", rss),
        ("plain_cases", plain.cases as f64),
        ("plain_seed_s", plain.seed_s),
        ("plain_edit_durable_p50_ms", quantile(&plain.edits, 0.5)),
        ("plain_edit_durable_p99_ms", quantile(&plain.edits, 0.99)),
        ("plain_list_5k_ms", quantile(&plain.list_ms, 0.5)),
        ("plain_bytes_per_case", plain.bytes_per_case.round()),
    ];
    figures.extend(signing::measure()?);
    if referral_mode != "skip" {
        figures.extend(referral_part()?);
    }
    figures.extend(directory::measure(start, tmp.path())?);
    figures.extend(sync_figures);
    figures.extend(flood_figures);
    figures.push(("total_s", start.elapsed().as_secs_f64()));
    Ok(json(&figures))
}

/// One JSON object of named figures (integers without a fraction, `null` for NaN).
fn json(figures: &[(&str, f64)]) -> String {
    let body: Vec<String> = figures
        .iter()
        .map(|(name, value)| {
            if value.fract() == 0.0 && value.abs() < 1e15 {
                format!("\"{name}\":{value:.0}")
            } else if value.is_finite() {
                format!("\"{name}\":{value:.3}")
            } else {
                format!("\"{name}\":null")
            }
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

fn main() -> ExitCode {
    match run() {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("nabij-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

//! The sync part of the benchmark: two encrypted stores, each behind a real [`Node`] (iroh on
//! loopback, minimal preset: no public relay, no DNS), in this process.
//!
//! Device A is the owner's device and holds the seeded cases; device B is a second device of the
//! same member (so it may hold every case), starting with only the team document. Measured:
//!
//! - `sync_initial_s`: from B's connection being up until B is caught up with A (every case
//!   stored in B's store; checked after);
//! - `reconnect_unchanged_ms` / `_bytes`: B's node stopped and started again on the same store,
//!   nothing changed: connection up until caught up, and frame bytes both ways;
//! - `reconnect_1pct_changed_ms` / `_bytes`: the same after A added a journal entry to 1% of the
//!   cases while B was away;
//! - `edit_propagation_p50_ms` / `_p95_ms`: with both connected, from the start of an edit on A
//!   (a journal entry, durable) until B's store has the same heads for that case;
//! - `sync_peak_rss_mb`: the process's peak resident memory during the sync, both nodes
//!   included (the peak is reset after seeding through `/proc/self/clear_refs`).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use iroh::SecretKey;
use nabij_crdt::author::Author;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, MemberId};
use nabij_crdt::seed::{Seeder, seed_cases};
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::team::NewMember;
use nabij_crdt::transport::key::{device_of, generate};
use nabij_crdt::transport::{Config, Node, PeerAddr, SyncEvent};
use tokio::sync::broadcast::Receiver;

use super::{Result, SEED, ms, peak_rss_mb, progress, quantile};

const EDIT_SAMPLES: usize = 120;

/// CPU time (user + system) this process used so far, in seconds (`/proc/self/stat`, in clock
/// ticks of 1/100 s).
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of the line: 11 and 12 counting from the state.
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

fn config(key: &SecretKey) -> Config {
    Config {
        secret_key: key.clone(),
        bind: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        relay: None,
        peers: Vec::new(),
        always_on: BTreeSet::new(),
        tick: Duration::from_millis(500),
        dial_team: false,
        lan_discovery: false,
    }
}

fn addr_of(node: &Node) -> PeerAddr {
    PeerAddr {
        device: node.device(),
        addr: node.bound_addrs().first().copied(),
        relay: None,
    }
}

/// Wait for an event matching `f`, at most `limit`.
async fn wait_for(
    events: &mut Receiver<SyncEvent>,
    limit: Duration,
    what: &str,
    f: impl Fn(&SyncEvent) -> bool,
) -> Result<()> {
    let waited = tokio::time::timeout(limit, async {
        loop {
            match events.recv().await {
                Ok(SyncEvent::Ended(_, reason)) => {
                    return Err(format!("session ended: {reason:?}"));
                }
                Ok(event) if f(&event) => return Ok(()),
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    })
    .await;
    match waited {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("{what}: {e}").into()),
        Err(_) => Err(format!("{what}: no event within {limit:?}").into()),
    }
}

/// Start B's node on `store`, connect it to A and wait until it is caught up: (connection up
/// to caught up, frame bytes both ways, the node).
async fn connect_b(
    store: Store,
    key: &SecretKey,
    a: &Node,
    limit: Duration,
) -> Result<(Duration, u64, Node)> {
    let node = Node::start(store, config(key)).await?;
    let mut events = node.subscribe();
    let a_device = a.device();
    node.add_peer(addr_of(a))?;
    wait_for(&mut events, Duration::from_secs(30), "connect", |e| {
        *e == SyncEvent::Connected(a_device)
    })
    .await?;
    let t = Instant::now();
    wait_for(&mut events, limit, "catch-up", |e| {
        *e == SyncEvent::CaughtUp(a_device)
    })
    .await?;
    let took = t.elapsed();
    let traffic = node.traffic();
    Ok((took, traffic.sent + traffic.received, node))
}

async fn case_count(node: &Node) -> Result<usize> {
    Ok(node
        .with_store(|s| s.document_ids(DocKind::Case).map(|ids| ids.len()))
        .await??)
}

/// Measure sync with `cases` seeded cases of `entries` entries, stores under `dir`.
pub(crate) fn measure(
    start: Instant,
    dir: &Path,
    cases: usize,
    entries: usize,
) -> Result<Vec<(&'static str, f64)>> {
    let key_a = generate()?;
    let key_b = generate()?;
    let owner = Author::new(MemberId::random(), key_a.clone());
    let key_source = |name: &str| KeySource::File(dir.join(format!("{name}.key")));
    let mut store_a = Store::open(&dir.join("a"), &key_source("a"))?;
    let team = store_a.create_team(
        &owner,
        "Sociaal team",
        NewMember {
            name: "An Admin".into(),
            role: "maatschappelijk werker".into(),
            organisation: None,
        },
    )?;
    let b_device = device_of(&key_b);
    store_a.edit_team(&owner, &team, |t| t.add_device(&owner.member, &b_device))?;
    let team_bytes = store_a.export_document(DocKind::Team, team.as_str())?;
    progress(
        start,
        &format!("sync: seeding {cases} cases x {entries} entries on device A"),
    );
    let ids = seed_cases(&mut store_a, &owner, &team, cases, entries, SEED ^ 0x5111C)?;
    let mut store_b = Store::open(&dir.join("b"), &key_source("b"))?;
    store_b.merge_document(DocKind::Team, team.as_str(), &team_bytes)?;
    // Peak memory from here on: the sync only (the peak so far is returned, for the whole run).
    let peak_before = peak_rss_mb();
    std::fs::write("/proc/self/clear_refs", "5")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let limit = Duration::from_secs(60 + cases as u64 / 10);
    runtime.block_on(async {
        let a = Node::start(store_a, config(&key_a)).await?;
        progress(start, "sync: initial sync A -> B");
        let cpu_before = cpu_s();
        let (initial, initial_bytes, b) = connect_b(store_b, &key_b, &a, limit).await?;
        let initial_cpu = cpu_s() - cpu_before;
        let held = case_count(&b).await?;
        if held != cases {
            return Err(format!("B holds {held} of {cases} cases after catching up").into());
        }
        progress(
            start,
            &format!(
                "sync: initial sync of {cases} cases in {:.1} s ({initial_cpu:.1} s of CPU, \
                 both devices), {:.1} MB of frames",
                initial.as_secs_f64(),
                initial_bytes as f64 / 1e6
            ),
        );

        // Reconnect, nothing changed.
        let store_b = b.shutdown().await?;
        let (unchanged, unchanged_bytes, b) = connect_b(store_b, &key_b, &a, limit).await?;
        progress(
            start,
            &format!(
                "sync: reconnect unchanged {:.1} ms, {unchanged_bytes} bytes",
                unchanged.as_secs_f64() * 1000.0
            ),
        );

        // Reconnect after 1% of the cases changed on A.
        let store_b = b.shutdown().await?;
        let mut seeder = Seeder::new(SEED ^ 0xC4A9);
        let changed: Vec<CaseId> = ids.iter().step_by(100).cloned().collect();
        for id in &changed {
            let entry = seeder.journal_entry(None);
            let (who, id2) = (owner.clone(), id.clone());
            a.with_store(move |s| s.edit_case(&who, &id2, |c| c.add_journal_entry(entry)))
                .await??;
            a.local_change(id.as_str()).await?;
        }
        let (changed_took, changed_bytes, b) = connect_b(store_b, &key_b, &a, limit).await?;
        progress(
            start,
            &format!(
                "sync: reconnect with {} cases changed {:.1} ms, {changed_bytes} bytes",
                changed.len(),
                changed_took.as_secs_f64() * 1000.0
            ),
        );

        // Live edits.
        let mut samples = Vec::with_capacity(EDIT_SAMPLES);
        for _ in 0..EDIT_SAMPLES {
            let id = ids[seeder.rng().below(ids.len())].clone();
            let entry = seeder.journal_entry(None);
            let t = Instant::now();
            let (who, id2) = (owner.clone(), id.clone());
            let heads = a
                .with_store(move |s| {
                    s.edit_case(&who, &id2, |c| c.add_journal_entry(entry))?;
                    s.document_heads(id2.as_str())
                })
                .await??;
            a.local_change(id.as_str()).await?;
            loop {
                let id2 = id.clone();
                let have = b
                    .with_store(move |s| s.document_heads(id2.as_str()))
                    .await??;
                if have == heads {
                    break;
                }
                if t.elapsed() > Duration::from_secs(30) {
                    return Err(format!("edit of {id} did not reach B").into());
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            samples.push(ms(t));
        }
        progress(
            start,
            &format!(
                "sync: edit propagation p50 {:.1} ms, p95 {:.1} ms",
                quantile(&samples, 0.5),
                quantile(&samples, 0.95)
            ),
        );
        let rss = peak_rss_mb();
        b.shutdown().await?;
        a.shutdown().await?;
        Ok::<_, Box<dyn std::error::Error>>(vec![
            ("sync_cases", cases as f64),
            ("sync_initial_10k_s", initial.as_secs_f64()),
            ("sync_initial_bytes", initial_bytes as f64),
            ("sync_initial_cpu_s", initial_cpu),
            (
                "reconnect_unchanged_10k_ms",
                unchanged.as_secs_f64() * 1000.0,
            ),
            ("reconnect_unchanged_10k_bytes", unchanged_bytes as f64),
            (
                "reconnect_1pct_changed_ms",
                changed_took.as_secs_f64() * 1000.0,
            ),
            ("reconnect_1pct_changed_bytes", changed_bytes as f64),
            ("edit_propagation_p50_ms", quantile(&samples, 0.5)),
            ("edit_propagation_p95_ms", quantile(&samples, 0.95)),
            ("sync_peak_rss_mb", rss),
            ("sync_seed_peak_rss_mb", peak_before),
        ])
    })
}

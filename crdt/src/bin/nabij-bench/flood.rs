//! The flood part of the benchmark: a real `nabij-peer` process (built next to this binary)
//! holds the team's cases; an honest device (a [`Node`] in this process, over iroh on
//! loopback) edits cases and waits for each edit to be acknowledged by the peer, while a
//! hostile device of the same member (admitted like any device) floods the peer with requests
//! that make it go over every document (`Hello` and `Inventory` asking for a reply): 10,000 per
//! connection, alternately reading the replies and not reading them, reconnecting whenever it
//! is disconnected, for [`FLOOD_TIME`]. Measured:
//!
//! - `flood_ack_p99_ms` / `_p50_ms`: from the start of an honest edit (durable) until the peer
//!   has acknowledged it (the node no longer counts the case as unsent), during the flood;
//! - `flood_base_rss_mb`: the peer's resident memory once caught up, before the flood;
//! - `flood_peak_rss_mb`: the peer's peak resident memory during the flood;
//! - `flood_rogue_connections`, `flood_requests_written`: how often the rogue connected (each
//!   ended by the peer, or refused while it cools down) and how many requests it wrote into its
//!   streams (most never reach the peer: a stream is closed with its send buffer full);
//! - `quiet_ack_p50_ms`: the same acknowledgement without a flood, for comparison.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use iroh::endpoint::{RelayMode, presets};
use iroh::{Endpoint, SecretKey};
use nabij_crdt::author::Author;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, DeviceId, MemberId};
use nabij_crdt::seed::{Seeder, seed_cases};
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::sync::WireMessage;
use nabij_crdt::sync::message::MAX_MESSAGE_BYTES;
use nabij_crdt::transport::frame::{read_frame, write_frame};
use nabij_crdt::transport::key::{device_of, generate};
use nabij_crdt::transport::{ALPN, Config, Node, PeerAddr, SyncEvent};

use super::{Result, SEED, progress, quantile};

/// How long the rogue floods.
const FLOOD_TIME: Duration = Duration::from_secs(15);
/// Requests per rogue connection.
const REQUESTS: usize = 10_000;
/// Honest edits without a flood, for comparison.
const QUIET_EDITS: usize = 30;

/// A `nabij-peer` process, stopped with SIGTERM by its pid (and SIGKILL if it hangs).
struct Peer {
    child: Child,
    addr: PeerAddr,
}

impl Peer {
    fn start(exe: &Path, data: &Path, key: &Path, device_key: &Path) -> Result<Self> {
        let mut child = Command::new(exe)
            .args(["--data-dir".as_ref(), data.as_os_str()])
            .args(["--key-file".as_ref(), key.as_os_str()])
            .args(["--device-key-file".as_ref(), device_key.as_os_str()])
            .args(["--bind", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .map(str::to_string)
                .ok_or_else(|| format!("nabij-peer said {line:?}"))
        };
        let addr = format!("{}@{}", field("device=")?, field("addr=")?).parse()?;
        Ok(Self { child, addr })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(mut self) -> Result<()> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status()?;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Some(status) = self.child.try_wait()? {
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("nabij-peer exited with {status}").into())
                };
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Command::new("kill").args(["-KILL", &pid]).status()?;
        Err("nabij-peer did not stop on SIGTERM".into())
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-KILL", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
        }
    }
}

/// A line of `/proc/<pid>/status` in MB (`VmRSS`, `VmHWM`).
fn status_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn config(key: &SecretKey, always_on: BTreeSet<DeviceId>) -> Config {
    Config {
        secret_key: key.clone(),
        bind: Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        relay: None,
        peers: Vec::new(),
        always_on,
        tick: Duration::from_millis(500),
        dial_team: false,
        lan_discovery: false,
    }
}

/// An honest edit of `id` on `node`, until the peer has acknowledged it (in ms).
async fn acked_edit(node: &Node, who: &Author, id: &CaseId, seeder: &mut Seeder) -> Result<f64> {
    let started = Instant::now();
    let entry = seeder.journal_entry(None);
    let (who, id2) = (who.clone(), id.clone());
    node.with_store(move |s| s.edit_case(&who, &id2, |c| c.add_journal_entry(entry)))
        .await??;
    // Commands are handled in order: once this runs the edit is counted as unsent (or was
    // already acknowledged).
    node.with_store(|_| ()).await?;
    let id = id.to_string();
    while node.status().unsent.contains(&id) {
        if started.elapsed() > Duration::from_secs(60) {
            return Err(format!("edit of {id} not acknowledged in 60 s").into());
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// The rogue: connect, flood, and start again when disconnected, until `stop`; returns
/// (connections, requests written).
async fn rogue(
    key: SecretKey,
    to: PeerAddr,
    stop: Arc<AtomicBool>,
) -> std::result::Result<(usize, usize), String> {
    let endpoint = Endpoint::builder(presets::Minimal)
        .secret_key(key)
        .alpns(vec![ALPN.to_vec()])
        .clear_address_lookup()
        .clear_ip_transports()
        .bind_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .map_err(|e| e.to_string())?
        .relay_mode(RelayMode::Disabled)
        .bind()
        .await
        .map_err(|e| e.to_string())?;
    let addr = to.endpoint_addr().map_err(|e| e.to_string())?;
    let frames: Vec<Vec<u8>> = [
        WireMessage::Hello {
            digest: [7; 32],
            count: 3,
            want_reply: true,
        },
        WireMessage::Inventory {
            entries: Vec::new(),
            want_reply: true,
        },
    ]
    .iter()
    .map(WireMessage::encode)
    .collect();
    let written = Arc::new(AtomicUsize::new(0));
    let mut connections = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok(connection) = endpoint.connect(addr.clone(), ALPN).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Ok((mut send, mut recv)) = connection.open_bi().await else {
            continue;
        };
        let mut answer = [0u8; 4];
        if send.write_all(b"NBJ2").await.is_err() || recv.read_exact(&mut answer).await.is_err() {
            continue;
        }
        connections += 1;
        let read = connections % 2 == 1;
        let counter = written.clone();
        let frames = frames.clone();
        let writer = tokio::spawn(async move {
            for i in 0..REQUESTS {
                if write_frame(&mut send, &frames[i % frames.len()])
                    .await
                    .is_err()
                {
                    break;
                }
                counter.fetch_add(1, Ordering::Relaxed);
            }
            send
        });
        let reader = tokio::spawn(async move {
            if read {
                while let Ok(Some(_)) = read_frame(&mut recv, MAX_MESSAGE_BYTES).await {}
            }
            recv
        });
        tokio::select! {
            _ = connection.closed() => {}
            () = async {
                while !stop.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            } => {}
        }
        writer.abort();
        reader.abort();
        connection.close(0u32.into(), b"done");
    }
    endpoint.close().await;
    Ok((connections, written.load(Ordering::Relaxed)))
}

/// Measure with `cases` cases of `entries` entries, stores under `dir`.
pub(crate) fn measure(
    start: Instant,
    dir: &Path,
    cases: usize,
    entries: usize,
) -> Result<Vec<(&'static str, f64)>> {
    let exe: PathBuf = std::env::current_exe()?.with_file_name("nabij-peer");
    if !exe.exists() {
        return Err(format!(
            "{} is missing: cargo build --release -p nabij-crdt --bin nabij-peer",
            exe.display()
        )
        .into());
    }
    let (key_a, key_r, key_p) = (generate()?, generate()?, generate()?);
    let owner = Author::new(MemberId::random(), key_a.clone());
    let key_source = |name: &str| KeySource::File(dir.join(format!("{name}.key")));
    let mut store_a = Store::open(&dir.join("a"), &key_source("a"))?;
    let team = store_a.create_team(
        &owner,
        "Sociaal team",
        nabij_crdt::team::NewMember {
            name: "An Admin".into(),
            role: "maatschappelijk werker".into(),
            organisation: None,
        },
    )?;
    // The rogue is a second device of the owner (a stolen laptop): it may hold every case.
    let (rogue_device, peer_device) = (device_of(&key_r), device_of(&key_p));
    store_a.edit_team(&owner, &team, |t| {
        t.add_device(&owner.member, &rogue_device)?;
        t.add_device(&owner.member, &peer_device)
    })?;
    progress(
        start,
        &format!("flood: seeding {cases} cases x {entries} entries"),
    );
    let ids = seed_cases(&mut store_a, &owner, &team, cases, entries, SEED ^ 0xF100D)?;
    let team_bytes = store_a.export_document(DocKind::Team, team.as_str())?;
    let peer_data = dir.join("peer");
    let peer_key = dir.join("peer.key");
    let device_key = dir.join("peer-device.key");
    // The device key file holds the secret key (hex), mode 0600.
    std::fs::write(
        &device_key,
        format!("{}\n", DeviceId::from_bytes(key_p.to_bytes())),
    )?;
    std::fs::set_permissions(
        &device_key,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )?;
    Store::open(&peer_data, &KeySource::File(peer_key.clone()))?.merge_document(
        DocKind::Team,
        team.as_str(),
        &team_bytes,
    )?;
    let peer = Peer::start(&exe, &peer_data, &peer_key, &device_key)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let figures = runtime.block_on(async {
        let always_on: BTreeSet<DeviceId> = [peer.addr.device].into();
        let node = Node::start(store_a, config(&key_a, always_on)).await?;
        let mut events = node.subscribe();
        node.add_peer(peer.addr.clone())?;
        let p = peer.addr.device;
        tokio::time::timeout(Duration::from_secs(300), async {
            while let Ok(event) = events.recv().await {
                if event == SyncEvent::CaughtUp(p) {
                    return;
                }
            }
        })
        .await
        .map_err(|_| "the peer did not catch up")?;
        progress(start, "flood: the peer holds every case");
        let mut seeder = Seeder::new(SEED ^ 0xF1);
        let mut quiet = Vec::new();
        for _ in 0..QUIET_EDITS {
            let id = &ids[seeder.rng().below(ids.len())];
            quiet.push(acked_edit(&node, &owner, id, &mut seeder).await?);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let pid = peer.pid();
        let base = status_mb(pid, "VmRSS:");
        // The peak from here on (VmHWM reset where allowed, and sampled besides).
        let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut peak = 0f64;
                while !stop.load(Ordering::Relaxed) {
                    peak = peak.max(status_mb(pid, "VmRSS:"));
                    std::thread::sleep(Duration::from_millis(10));
                }
                peak
            })
        };
        progress(
            start,
            &format!("flood: peer at {base:.0} MB; the rogue floods for {FLOOD_TIME:?}"),
        );
        let attack = tokio::spawn(rogue(key_r.clone(), peer.addr.clone(), stop.clone()));
        let flood_started = Instant::now();
        let mut samples = Vec::new();
        while flood_started.elapsed() < FLOOD_TIME {
            let id = &ids[seeder.rng().below(ids.len())];
            samples.push(acked_edit(&node, &owner, id, &mut seeder).await?);
        }
        let hwm = status_mb(pid, "VmHWM:");
        stop.store(true, Ordering::Relaxed);
        let (connections, requests) = attack.await??;
        let peak = sampler.join().map_err(|_| "sampler failed")?.max(hwm);
        progress(
            start,
            &format!(
                "flood: {} honest edits acknowledged (p50 {:.1} ms, p99 {:.1} ms, quiet p50 \
                 {:.1} ms); the rogue connected {connections} times, wrote {requests} \
                 requests; peer memory {base:.0} MB before, peak {peak:.0} MB",
                samples.len(),
                quantile(&samples, 0.5),
                quantile(&samples, 0.99),
                quantile(&quiet, 0.5)
            ),
        );
        node.shutdown().await?;
        Ok::<_, Box<dyn std::error::Error>>(vec![
            ("flood_cases", cases as f64),
            ("flood_ack_p50_ms", quantile(&samples, 0.5)),
            ("flood_ack_p99_ms", quantile(&samples, 0.99)),
            ("flood_ack_samples", samples.len() as f64),
            ("quiet_ack_p50_ms", quantile(&quiet, 0.5)),
            ("flood_base_rss_mb", base),
            ("flood_peak_rss_mb", peak),
            ("flood_rogue_connections", connections as f64),
            ("flood_requests_written", requests as f64),
        ])
    })?;
    peer.stop()?;
    Ok(figures)
}

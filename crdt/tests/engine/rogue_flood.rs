//! A hostile team device floods a real `nabij-peer` process while an honest device keeps
//! editing. The rogue is a member device admitted like any other (its device is in the team
//! document); it speaks the real protocol with the project's own wire types and frames on the
//! sync ALPN, and tries to stall the peer or make it hold memory:
//!
//! - 10,000 requests that make the peer go over every document it shares (`Hello` and
//!   `Inventory` asking for a reply), reading the replies, and without reading them;
//! - length prefixes of 60 MiB without the data, on several connections;
//! - a burst of valid but useless messages.
//!
//! Each test checks that the attack fails (the rogue is disconnected as misbehaving, or only
//! slowed), that every edit of the honest device (an in-process [`Node`] over iroh on loopback)
//! is acknowledged by the peer within [`ACK`] (generous for CI: the p99 goal of one second is
//! measured by `scripts/bench`, `flood_ack_p99_ms`), that the peer's resident memory stays
//! bounded, and that afterwards every store opens with every document whole and the peer holds
//! the honest device's last version. The peer is stopped by its pid (SIGTERM first). The tests
//! run one at a time (they measure the peer's memory and latency on a small machine).

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use iroh::endpoint::{Connection, ConnectionError, RecvStream, SendStream, VarInt};
use iroh::{Endpoint, SecretKey};
use nabij_crdt::author::Author;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, DeviceId, TeamId};
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::sync::WireMessage;
use nabij_crdt::sync::message::MAX_MESSAGE_BYTES;
use nabij_crdt::transport::endpoint::CLOSE_PROTOCOL;
use nabij_crdt::transport::frame::{read_frame, write_frame};
use nabij_crdt::transport::{ALPN, Node, PeerAddr, SyncEvent};

use super::transport::{
    Device, PeerProcess, WAIT, config, peer_args, shared_case, team, wait_event, write_device_key,
};
use super::transport_access::raw_endpoint;
use super::{entry, open_plain};

/// How long each honest edit may take to be acknowledged by the peer, even under attack.
const ACK: Duration = Duration::from_secs(10);
/// Requests in a flood.
const FLOOD: usize = 10_000;
/// Cases the honest device holds, shared with the rogue's member (so the peer's inventory for
/// the rogue is not empty, and building it costs work).
const CASES: usize = 60;
/// Honest edits at least, during each attack.
const MIN_EDITS: usize = 8;
/// The peer's resident memory during a flood may reach this multiple of what it held before
/// (the goal; a flood adds a few MB here, `flood_peak_rss_mb` is the release measure).
const FLOOD_RSS_FACTOR: f64 = 2.0;
/// The peer's resident memory may grow by this much while frames are announced and not sent
/// (the reader reserved the announced 60 MiB before: about 60 MB more).
const PREFIX_RSS_GROWTH_MB: f64 = 32.0;

/// One attack at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The team, the peer process, the honest device's node and the rogue's key.
struct Scene {
    devices: Vec<Device>,
    peer: PeerProcess,
    peer_data: std::path::PathBuf,
    peer_store_key: std::path::PathBuf,
    _peer_dir: tempfile::TempDir,
    honest: Node,
    /// The case the honest device edits.
    case: CaseId,
    /// Every case, all shared with the rogue's member.
    cases: Vec<CaseId>,
    team: TeamId,
}

impl Scene {
    fn honest_who(&self) -> &Author {
        &self.devices[0].who
    }

    fn rogue_key(&self) -> &SecretKey {
        &self.devices[1].key
    }

    fn peer_pid(&self) -> u32 {
        self.peer.pid()
    }
}

/// A team of an admin (the honest device) and one more member (the rogue's device), an
/// always-on peer process holding the team document, and the honest node caught up with it.
async fn scene() -> Scene {
    let (devices, peer_key, team_bytes, team) = team(2);
    let (a, r) = (&devices[0], &devices[1]);
    let mut store_a = open_plain(a.dir.path());
    let cases: Vec<CaseId> = (0..CASES)
        .map(|_| shared_case(&mut store_a, &a.who, &team, &r.who))
        .collect();
    let peer_dir = tempfile::tempdir().unwrap();
    let peer_data = peer_dir.path().join("data");
    let peer_store_key = peer_dir.path().join("store.key");
    let device_key = peer_dir.path().join("device.key");
    write_device_key(&device_key, &peer_key);
    {
        let mut store = Store::open(&peer_data, &KeySource::File(peer_store_key.clone())).unwrap();
        store
            .merge_document(DocKind::Team, team.as_str(), &team_bytes)
            .unwrap();
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_nabij-peer"));
    command.args(peer_args(&peer_data, &peer_store_key, &device_key));
    command.args(["--bind", "127.0.0.1:0"]);
    let peer = PeerProcess::spawn(command);
    let always_on: BTreeSet<DeviceId> = [peer.addr.device].into();
    let honest = Node::start(store_a, config(&a.key, vec![], always_on))
        .await
        .unwrap();
    let mut events = honest.subscribe();
    honest.add_peer(peer.addr.clone()).unwrap();
    let p = peer.addr.device;
    wait_event(&mut events, |e| *e == SyncEvent::CaughtUp(p)).await;
    Scene {
        case: cases[0].clone(),
        cases,
        devices,
        peer,
        peer_data,
        peer_store_key,
        _peer_dir: peer_dir,
        honest,
        team,
    }
}

/// Add a journal entry to the scene's case on the honest device, and wait until the peer has
/// acknowledged it (it said it holds the new heads, so the node no longer counts the case as
/// unsent); how long that took.
async fn acked_edit(scene: &Scene, n: usize) -> Duration {
    let started = Instant::now();
    let (who, id) = (scene.honest_who().clone(), scene.case.clone());
    let text = format!("Gesprek {n} tijdens de aanval");
    scene
        .honest
        .with_store(move |s| {
            s.edit_case(&who, &id, |c| {
                c.add_journal_entry(entry(&text, "2026-03-05")).map(|_| ())
            })
        })
        .await
        .unwrap()
        .unwrap();
    // The sync thread handles commands in order: once this runs, the edit above is counted as
    // unsent (or already acknowledged).
    scene.honest.with_store(|_| ()).await.unwrap();
    let id = scene.case.to_string();
    while scene.honest.status().unsent.contains(&id) {
        assert!(
            started.elapsed() < ACK,
            "honest edit {n} was not acknowledged within {ACK:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    started.elapsed()
}

/// The resident memory of process `pid`, in MB (`VmRSS`).
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Samples a process's resident memory every 20 ms, keeping the highest.
struct RssWatch {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<f64>,
}

impl RssWatch {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = rss_mb(pid);
            while !flag.load(Ordering::Relaxed) {
                peak = peak.max(rss_mb(pid));
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        });
        Self { stop, thread }
    }

    fn peak(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// Open a sync connection to `to` as a node does: the stream, the preamble, its answer.
async fn open(endpoint: &Endpoint, to: &PeerAddr) -> (Connection, SendStream, RecvStream) {
    let connection =
        tokio::time::timeout(WAIT, endpoint.connect(to.endpoint_addr().unwrap(), ALPN))
            .await
            .expect("connect timed out")
            .unwrap();
    let (mut send, mut recv) = connection.open_bi().await.unwrap();
    send.write_all(b"NBJ2").await.unwrap();
    let mut answer = [0u8; 4];
    tokio::time::timeout(WAIT, recv.read_exact(&mut answer))
        .await
        .expect("no preamble answer")
        .unwrap();
    assert_eq!(&answer, b"NBJ2");
    (connection, send, recv)
}

/// Write `count` frames, cycling through `messages`, then `last` if given, until done or the
/// stream fails; how many were written, and the stream (kept open: a finished stream would end
/// the session).
fn flood(
    mut send: SendStream,
    messages: Vec<WireMessage>,
    count: usize,
    last: Option<WireMessage>,
) -> tokio::task::JoinHandle<(usize, SendStream)> {
    let frames: Vec<Vec<u8>> = messages.iter().map(WireMessage::encode).collect();
    tokio::spawn(async move {
        for i in 0..count {
            if write_frame(&mut send, &frames[i % frames.len()])
                .await
                .is_err()
            {
                return (i, send);
            }
        }
        if let Some(last) = last {
            let _ = write_frame(&mut send, &last.encode()).await;
        }
        (count, send)
    })
}

/// Read (and count) the peer's replies until the stream ends; `hellos` counts its `Hello`s.
fn read_replies(mut recv: RecvStream, hellos: Arc<AtomicUsize>) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut count = 0;
        while let Ok(Some(bytes)) = read_frame(&mut recv, MAX_MESSAGE_BYTES).await {
            count += 1;
            if let Ok(WireMessage::Hello { .. }) = WireMessage::decode(&bytes) {
                hellos.fetch_add(1, Ordering::SeqCst);
            }
        }
        count
    })
}

/// Requests that make the peer build and send its digest or its inventory.
fn costly_requests() -> Vec<WireMessage> {
    vec![
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
}

/// Honest edits, each acknowledged, until `done` says the attack is over (and at least
/// [`MIN_EDITS`]); the latencies.
async fn edit_through(scene: &Scene, mut done: impl FnMut() -> bool) -> Vec<Duration> {
    let started = Instant::now();
    let mut acks = Vec::new();
    while acks.len() < MIN_EDITS || !done() {
        acks.push(acked_edit(scene, acks.len()).await);
        assert!(
            started.elapsed() < WAIT,
            "the attack did not end within {WAIT:?}"
        );
    }
    acks
}

fn report(name: &str, acks: &[Duration], base: f64, peak: f64, bound: f64) {
    let mut sorted = acks.to_vec();
    sorted.sort();
    eprintln!(
        "rogue {name}: {} honest edits acknowledged, median {:?}, slowest {:?}; peer memory \
         {base:.0} MB before, peak {peak:.0} MB",
        sorted.len(),
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    assert!(
        peak <= bound,
        "{name}: the peer grew from {base:.0} MB to {peak:.0} MB (bound {bound:.0} MB)"
    );
}

/// Whether `connection` was closed by the peer as a protocol violation.
fn closed_as_misbehaving(connection: &Connection) -> bool {
    matches!(connection.close_reason(), Some(ConnectionError::ApplicationClosed(close))
        if close.error_code == VarInt::from_u32(CLOSE_PROTOCOL))
}

/// Stop everything; check that every store opens with every document whole and that the peer
/// holds the honest device's last version of its case.
async fn finish(scene: Scene, rogue: Endpoint) {
    rogue.close().await;
    let Scene {
        devices,
        peer,
        peer_data,
        peer_store_key,
        _peer_dir,
        honest,
        case,
        cases,
        team,
    } = scene;
    let mut store_a = honest.shutdown().await.unwrap();
    peer.stop();
    let mut store_p = Store::open(&peer_data, &KeySource::File(peer_store_key)).unwrap();
    for store in [&mut store_a, &mut store_p] {
        for id in &cases {
            store.open_case(id).unwrap();
        }
        assert_eq!(
            store.document_ids(DocKind::Case).unwrap().len(),
            CASES,
            "no case more or less"
        );
        store.open_team(&team).unwrap();
    }
    assert_eq!(
        store_p.document_heads(case.as_str()).unwrap(),
        store_a.document_heads(case.as_str()).unwrap(),
        "the peer holds the honest device's last version"
    );
    drop(devices);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_reply_wanting_requests_is_slowed_then_disconnected() {
    let _one = SERIAL.lock().await;
    let scene = scene().await;
    let base = rss_mb(scene.peer_pid());
    let watch = RssWatch::start(scene.peer_pid());
    let rogue = raw_endpoint(scene.rogue_key()).await;
    let started = Instant::now();
    let (connection, send, recv) = open(&rogue, &scene.peer.addr).await;
    let writer = flood(send, costly_requests(), FLOOD, None);
    let reader = read_replies(recv, Arc::default());
    let acks = edit_through(&scene, || connection.close_reason().is_some()).await;
    let ended = started.elapsed();
    assert!(
        closed_as_misbehaving(&connection),
        "{:?}",
        connection.close_reason()
    );
    assert!(
        scene.peer.wait_log(&["misbehaving", "flood"], WAIT),
        "the peer did not log the flood"
    );
    let (written, replies) = (writer.await.unwrap().0, reader.await.unwrap());
    eprintln!(
        "rogue flood (replies read): disconnected after {ended:?}, {written} requests written, {replies} replies"
    );
    assert!(
        replies < written / 4,
        "the flood was answered: {replies} replies to {written} requests"
    );
    // The honest device still syncs after the rogue is gone.
    acked_edit(&scene, 1000).await;
    let bound = FLOOD_RSS_FACTOR * base;
    report("flood (replies read)", &acks, base, watch.peak(), bound);
    finish(scene, rogue).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_whose_replies_are_never_read_is_disconnected_and_memory_stays_bounded() {
    let _one = SERIAL.lock().await;
    let scene = scene().await;
    let base = rss_mb(scene.peer_pid());
    let watch = RssWatch::start(scene.peer_pid());
    let rogue = raw_endpoint(scene.rogue_key()).await;
    // The stream is never read: the peer's replies (and the cases it pushes) pile up.
    let (connection, send, _unread) = open(&rogue, &scene.peer.addr).await;
    let mut requests = costly_requests();
    requests.reverse();
    let writer = flood(send, requests, FLOOD, None);
    let acks = edit_through(&scene, || connection.close_reason().is_some()).await;
    assert!(
        closed_as_misbehaving(&connection),
        "{:?}",
        connection.close_reason()
    );
    assert!(scene.peer.wait_log(&["misbehaving", "flood"], WAIT));
    let written = writer.await.unwrap().0;
    eprintln!("rogue flood (replies unread): {written} requests written before the end");
    acked_edit(&scene, 1000).await;
    let bound = FLOOD_RSS_FACTOR * base;
    report("flood (replies unread)", &acks, base, watch.peak(), bound);
    finish(scene, rogue).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn length_prefixes_without_data_hold_no_memory_and_stall_nobody() {
    let _one = SERIAL.lock().await;
    let scene = scene().await;
    let base = rss_mb(scene.peer_pid());
    let watch = RssWatch::start(scene.peer_pid());
    let rogue = raw_endpoint(scene.rogue_key()).await;
    let announced = u32::try_from(60 * 1024 * 1024).unwrap().to_be_bytes();
    let mut held = Vec::new();
    let mut acks = Vec::new();
    for round in 0..6 {
        // Each connection announces a 60 MiB frame, sends a little of it, and then nothing.
        let (connection, mut send, recv) = open(&rogue, &scene.peer.addr).await;
        send.write_all(&announced).await.unwrap();
        send.write_all(&[0x42; 1000]).await.unwrap();
        held.push((connection, send, recv));
        acks.push(acked_edit(&scene, round).await);
    }
    // The peer keeps serving while the last one waits for its 60 MiB.
    while acks.len() < MIN_EDITS {
        acks.push(acked_edit(&scene, acks.len()).await);
    }
    let last = &held[held.len() - 1].0;
    assert!(last.close_reason().is_none(), "a slow frame is only slow");
    let bound = base + PREFIX_RSS_GROWTH_MB;
    report("length prefixes", &acks, base, watch.peak(), bound);
    drop(held);
    finish(scene, rogue).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_valid_but_useless_messages_stalls_nobody() {
    let _one = SERIAL.lock().await;
    let scene = scene().await;
    let base = rss_mb(scene.peer_pid());
    let watch = RssWatch::start(scene.peer_pid());
    let rogue = raw_endpoint(scene.rogue_key()).await;
    let (connection, send, recv) = open(&rogue, &scene.peer.addr).await;
    // Refusals of unknown documents, acknowledgements of documents never sent (of cases the
    // rogue may hold, with a wrong version), and greetings asking for nothing.
    let mut useless = Vec::new();
    for (i, id) in scene.cases.iter().enumerate() {
        useless.push(WireMessage::Refuse {
            doc_id: CaseId::random().to_string(),
        });
        useless.push(WireMessage::Stored {
            doc_id: id.to_string(),
            heads_hash: [i as u8; 32],
        });
        useless.push(WireMessage::Hello {
            digest: [i as u8; 32],
            count: i as u64,
            want_reply: false,
        });
    }
    // Then one question, answered only once the peer has handled everything before it: its
    // second `Hello` (the first opened the session).
    let probe = WireMessage::Hello {
        digest: [0; 32],
        count: 0,
        want_reply: true,
    };
    let hellos = Arc::new(AtomicUsize::new(0));
    let writer = flood(send, useless, FLOOD, Some(probe));
    let reader = read_replies(recv, hellos.clone());
    let started = Instant::now();
    let acks = edit_through(&scene, || hellos.load(Ordering::SeqCst) >= 2).await;
    eprintln!("rogue useless burst handled in {:?}", started.elapsed());
    let (written, _send) = writer.await.unwrap();
    assert_eq!(written, FLOOD, "valid messages are read, only slowed");
    // The rogue is still a member in good standing: nothing it sent was invalid.
    assert!(connection.close_reason().is_none());
    let bound = FLOOD_RSS_FACTOR * base;
    report("useless burst", &acks, base, watch.peak(), bound);
    connection.close(VarInt::from_u32(0), b"done");
    let replies = reader.await.unwrap();
    eprintln!("rogue useless burst: {written} messages, {replies} replies");
    finish(scene, rogue).await;
}

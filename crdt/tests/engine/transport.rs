//! Peer sync over real iroh on loopback: a direct connection, an always-on peer process that
//! carries a case between two devices that are never online together, a relay-only path
//! through a local relay, and a device outside the team refused at the handshake. No public
//! relay or DNS is used; every process started is stopped by its pid; every wait is bounded.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iroh::SecretKey;
use nabij_crdt::author::Author;
use nabij_crdt::case::NewCase;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, DeviceId, TeamId};
use nabij_crdt::store::SignedDocument;
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::team::NewMember;
use nabij_crdt::transport::key::{device_of, generate, load_or_create};
use nabij_crdt::transport::{Config, LocalRelay, Node, PeerAddr, SyncEvent};

use super::{entry, open_plain};

pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// A device: its key, its author (member + device) and its data directory.
pub(crate) struct Device {
    pub(crate) key: SecretKey,
    pub(crate) who: Author,
    pub(crate) dir: tempfile::TempDir,
}

/// A team of `n` members, one device each, plus a device for the always-on peer (attached to the
/// first member). Every member's store holds the team document; its bytes are returned too.
pub(crate) fn team(n: usize) -> (Vec<Device>, SecretKey, SignedDocument, TeamId) {
    let keys: Vec<SecretKey> = (0..n).map(|_| generate().unwrap()).collect();
    let peer_key = generate().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut admin_store = open_plain(dir.path());
    let admin = Author::new(nabij_crdt::id::MemberId::random(), keys[0].clone());
    let team = admin_store
        .create_team(
            &admin,
            "Sociaal team",
            NewMember {
                name: "An Admin".into(),
                role: "coördinator".into(),
                organisation: None,
            },
        )
        .unwrap();
    let mut devices = vec![Device {
        key: keys[0].clone(),
        who: admin.clone(),
        dir,
    }];
    for (i, key) in keys.iter().enumerate().skip(1) {
        let device = device_of(key);
        let member = admin_store
            .edit_team(&admin, &team, |t| {
                let m = t.add_member(
                    NewMember {
                        name: format!("Member {i}"),
                        role: "maatschappelijk werker".into(),
                        organisation: None,
                    },
                    false,
                )?;
                t.add_device(&m, &device)?;
                Ok(m)
            })
            .unwrap();
        devices.push(Device {
            key: key.clone(),
            who: Author::new(member, key.clone()),
            dir: tempfile::tempdir().unwrap(),
        });
    }
    let peer_device = device_of(&peer_key);
    admin_store
        .edit_team(&admin, &team, |t| t.add_device(&admin.member, &peer_device))
        .unwrap();
    let bytes = admin_store
        .export_document(DocKind::Team, team.as_str())
        .unwrap();
    drop(admin_store);
    for device in devices.iter().skip(1) {
        let mut store = open_plain(device.dir.path());
        store
            .merge_document(DocKind::Team, team.as_str(), &bytes)
            .unwrap();
    }
    (devices, peer_key, bytes, team)
}

/// A case owned by `owner`'s member, shared with `with` (another member).
pub(crate) fn shared_case(
    store: &mut Store,
    owner: &Author,
    team: &TeamId,
    with: &Author,
) -> CaseId {
    let id = store
        .create_case(
            owner,
            team,
            NewCase {
                client_name: "Fatima El Idrissi".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let member = with.member.clone();
    store
        .edit_case(owner, &id, |c| c.set_member_allowed(&member, true))
        .unwrap();
    id
}

pub(crate) fn config(
    key: &SecretKey,
    peers: Vec<PeerAddr>,
    always_on: BTreeSet<DeviceId>,
) -> Config {
    Config {
        secret_key: key.clone(),
        bind: Some("127.0.0.1:0".parse().unwrap()),
        relay: None,
        peers,
        always_on,
        tick: Duration::from_millis(500),
        dial_team: false,
        lan_discovery: false,
    }
}

pub(crate) fn addr_of(node: &Node) -> PeerAddr {
    PeerAddr {
        device: node.device(),
        addr: node.bound_addrs().first().copied(),
        relay: None,
    }
}

/// Wait until `node`'s store holds case `id` (with a journal of `entries` entries when given).
async fn wait_for_case(node: &Node, id: &CaseId, entries: usize) -> Duration {
    let start = Instant::now();
    loop {
        let id2 = id.clone();
        let have = node
            .with_store(move |s| s.open_case(&id2).map(|c| c.journal.len()).ok())
            .await
            .unwrap();
        if have.is_some_and(|n| n >= entries) {
            return start.elapsed();
        }
        assert!(start.elapsed() < WAIT, "case {id} did not arrive in time");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Wait for an event matching `f`.
pub(crate) async fn wait_event(
    events: &mut tokio::sync::broadcast::Receiver<SyncEvent>,
    f: impl Fn(&SyncEvent) -> bool,
) {
    tokio::time::timeout(WAIT, async {
        loop {
            let event = events.recv().await.unwrap();
            if f(&event) {
                return;
            }
        }
    })
    .await
    .expect("the event did not come in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_sync_a_case_over_a_direct_loopback_connection() {
    let (devices, _, _, team) = team(2);
    let (a, b) = (&devices[0], &devices[1]);
    let mut store_a = open_plain(a.dir.path());
    let id = shared_case(&mut store_a, &a.who, &team, &b.who);
    let none = BTreeSet::new();
    let node_a = Node::start(store_a, config(&a.key, vec![], none.clone()))
        .await
        .unwrap();
    let start = Instant::now();
    let node_b = Node::start(
        open_plain(b.dir.path()),
        config(&b.key, vec![addr_of(&node_a)], none),
    )
    .await
    .unwrap();
    wait_for_case(&node_b, &id, 0).await;
    eprintln!("direct: connect + first sync {:?}", start.elapsed());

    // A live edit on B reaches A without a reconnect.
    let (who, id2) = (b.who.clone(), id.clone());
    node_b
        .with_store(move |s| {
            s.edit_case(&who, &id2, |c| {
                c.add_journal_entry(entry("Huisbezoek", "2026-03-04"))
            })
        })
        .await
        .unwrap()
        .unwrap();
    let start = Instant::now();
    node_b.local_change(id.as_str()).await.unwrap();
    wait_for_case(&node_a, &id, 1).await;
    eprintln!("direct: live edit pushed in {:?}", start.elapsed());
    assert_eq!(node_a.connected(), vec![node_b.device()]);
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

/// A running `nabij-peer` process, stopped with SIGTERM by its pid.
pub(crate) struct PeerProcess {
    child: Child,
    pub(crate) addr: PeerAddr,
    /// Its log lines (stderr), also echoed to the test's stderr.
    log: std::sync::mpsc::Receiver<String>,
}

impl PeerProcess {
    fn start(data_dir: &Path, key_file: &Path, device_key: &Path) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nabij-peer"));
        command.args(peer_args(data_dir, key_file, device_key));
        command.args(["--bind", "127.0.0.1:0"]);
        Self::spawn(command)
    }

    /// Run `command` (nabij-peer, directly or through a wrapper that `exec`s it, so the pid is
    /// nabij-peer's) and wait for its ready line.
    pub(crate) fn spawn(mut command: Command) -> Self {
        let mut child = command
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = |stream: Box<dyn std::io::Read + Send>, echo: bool| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if echo {
                        eprintln!("[nabij-peer] {line}");
                    }
                    let _ = tx.send(line);
                }
            });
            rx
        };
        let ready = lines(Box::new(child.stdout.take().unwrap()), false);
        let log = lines(Box::new(child.stderr.take().unwrap()), true);
        let mut peer = Self {
            child,
            addr: PeerAddr {
                device: DeviceId::from_bytes([0; 32]),
                addr: None,
                relay: None,
            },
            log,
        };
        let line = ready
            .recv_timeout(WAIT)
            .expect("nabij-peer did not get ready");
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .unwrap()
                .to_string()
        };
        peer.addr = format!("{}@{}", field("device="), field("addr="))
            .parse()
            .unwrap();
        peer
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait (at most `wait`) for a log line containing all of `words`; whether one came.
    pub(crate) fn wait_log(&self, words: &[&str], wait: Duration) -> bool {
        let start = Instant::now();
        while let Some(left) = wait.checked_sub(start.elapsed()) {
            match self.log.recv_timeout(left) {
                Ok(line) if words.iter().all(|w| line.contains(w)) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    /// SIGTERM, then wait (bounded) for a clean exit.
    pub(crate) fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(status.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "nabij-peer exited with {status}");
                return;
            }
            assert!(start.elapsed() < WAIT, "nabij-peer did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PeerProcess {
    /// On a failed test: SIGTERM, and SIGKILL if it has not exited within five seconds.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        for signal in ["-TERM", "-KILL"] {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            let _ = Command::new("kill").args([signal, &pid]).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// The arguments naming a nabij-peer's store and device key.
pub(crate) fn peer_args(data_dir: &Path, key_file: &Path, device_key: &Path) -> Vec<String> {
    let path = |p: &Path| p.to_str().unwrap().to_string();
    vec![
        "--data-dir".into(),
        path(data_dir),
        "--key-file".into(),
        path(key_file),
        "--device-key-file".into(),
        path(device_key),
    ]
}

/// Write `key` to `path` as a device key file (mode 0600).
pub(crate) fn write_device_key(path: &Path, key: &SecretKey) {
    std::fs::write(path, format!("{}\n", DeviceId::from_bytes(key.to_bytes()))).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_always_on_peer_carries_an_edit_between_devices_never_online_together() {
    let (devices, peer_key, team_bytes, team) = team(2);
    let (a, b) = (&devices[0], &devices[1]);
    // The peer's store: encrypted, holding the team document; its device key in a 0600 file.
    let peer_dir = tempfile::tempdir().unwrap();
    let data_dir = peer_dir.path().join("data");
    let store_key = peer_dir.path().join("store.key");
    let device_key = peer_dir.path().join("device.key");
    write_device_key(&device_key, &peer_key);
    assert_eq!(
        device_of(&load_or_create(&device_key).unwrap()),
        device_of(&peer_key)
    );
    {
        let mut store = Store::open(&data_dir, &KeySource::File(store_key.clone())).unwrap();
        store
            .merge_document(DocKind::Team, team.as_str(), &team_bytes)
            .unwrap();
    }
    let peer = PeerProcess::start(&data_dir, &store_key, &device_key);
    assert_eq!(peer.addr.device, device_of(&peer_key));
    let always_on: BTreeSet<DeviceId> = [peer.addr.device].into();

    // A edits offline, then syncs to the peer and goes away.
    let mut store_a = open_plain(a.dir.path());
    let id = shared_case(&mut store_a, &a.who, &team, &b.who);
    store_a
        .edit_case(&a.who, &id, |c| {
            c.add_journal_entry(entry("Eerste gesprek", "2026-03-02"))
        })
        .unwrap();
    let start = Instant::now();
    let node_a = Node::start(
        store_a,
        config(&a.key, vec![peer.addr.clone()], always_on.clone()),
    )
    .await
    .unwrap();
    let mut events = node_a.subscribe();
    let p = peer.addr.device;
    wait_event(&mut events, |e| *e == SyncEvent::CaughtUp(p)).await;
    eprintln!("peer: A connect + catch-up {:?}", start.elapsed());
    node_a.shutdown().await.unwrap();

    // B, never online with A, gets A's edit from the peer.
    let start = Instant::now();
    let node_b = Node::start(
        open_plain(b.dir.path()),
        config(&b.key, vec![peer.addr.clone()], always_on),
    )
    .await
    .unwrap();
    wait_for_case(&node_b, &id, 1).await;
    eprintln!("peer: B connect + first sync {:?}", start.elapsed());
    assert_eq!(node_b.connected(), vec![p]);
    node_b.shutdown().await.unwrap();
    peer.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_without_direct_addresses_sync_through_a_local_relay() {
    let relay = LocalRelay::serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(relay.url().to_string().starts_with("http://127.0.0.1:"));
    let (devices, _, _, team) = team(2);
    let (a, b) = (&devices[0], &devices[1]);
    let mut store_a = open_plain(a.dir.path());
    let id = shared_case(&mut store_a, &a.who, &team, &b.who);
    let relay_only = |key: &SecretKey, peers| Config {
        bind: None,
        relay: Some(relay.url()),
        ..config(key, peers, BTreeSet::new())
    };
    let node_a = Node::start(store_a, relay_only(&a.key, vec![]))
        .await
        .unwrap();
    assert!(node_a.bound_addrs().is_empty());
    let start = Instant::now();
    let to_a = PeerAddr {
        device: node_a.device(),
        addr: None,
        relay: None,
    };
    let node_b = Node::start(open_plain(b.dir.path()), relay_only(&b.key, vec![to_a]))
        .await
        .unwrap();
    wait_for_case(&node_b, &id, 0).await;
    eprintln!("relay: connect + first sync {:?}", start.elapsed());
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
    relay.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_outside_the_team_is_refused_at_the_handshake() {
    let (devices, _, team_bytes, team) = team(2);
    let (a, b) = (&devices[0], &devices[1]);
    let mut store_a = open_plain(a.dir.path());
    shared_case(&mut store_a, &a.who, &team, &b.who);
    let node_a = Node::start(store_a, config(&a.key, vec![], BTreeSet::new()))
        .await
        .unwrap();
    let mut events = node_a.subscribe();
    // The outsider holds a copy of the team document (so its own gate lets A through) but is
    // not listed in it.
    let outsider_dir = tempfile::tempdir().unwrap();
    let mut outsider_store = open_plain(outsider_dir.path());
    outsider_store
        .merge_document(DocKind::Team, team.as_str(), &team_bytes)
        .unwrap();
    let outsider = Node::start(
        outsider_store,
        config(
            &generate().unwrap(),
            vec![addr_of(&node_a)],
            BTreeSet::new(),
        ),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(node_a.connected().is_empty());
    assert!(outsider.connected().is_empty());
    let cases = outsider
        .with_store(|s| s.document_ids(DocKind::Case).unwrap())
        .await
        .unwrap();
    assert!(cases.is_empty(), "the outsider received {cases:?}");
    let outsider_id = outsider.device();
    assert!(
        std::iter::from_fn(|| events.try_recv().ok())
            .all(|e| e != SyncEvent::Connected(outsider_id)),
        "the outsider's connection reached the engine"
    );
    outsider.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

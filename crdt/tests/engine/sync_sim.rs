//! Peer sync in a deterministic simulated network: real stores (unencrypted, on tmpfs when there
//! is one), one team, a seeded scheduler that drops, duplicates and reorders messages, partitions
//! the peers and restarts them. Everything runs on one thread; the seed is printed on failure
//! (`NABIJ_SYNC_SEED=<n>` replays one seed, `NABIJ_SYNC_SEEDS=<n>` runs more).
//!
//! Document ids are random UUIDs, so a replayed seed schedules the same way but names its
//! documents differently.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::OnceLock;

use nabij_crdt::author::Author;
use nabij_crdt::case::{Case, NewCase};
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, DeviceId, TeamId};
use nabij_crdt::store::{CaseFilter, DATABASE_FILE, Store};
use nabij_crdt::sync::guard::message_with_bloom;
use nabij_crdt::sync::session::STALL_TICKS;
use nabij_crdt::sync::{Effect, EndReason, Engine, Event, WireMessage};
use nabij_crdt::team::NewMember;

use super::{entry, open_plain};

/// SplitMix64, seeded explicitly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A temporary directory on tmpfs when there is one (fsync is free there).
fn temp_dir() -> tempfile::TempDir {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(&shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

struct Peer {
    dir: tempfile::TempDir,
    store: Option<Store>,
    who: Author,
    engine: Engine,
}

impl Peer {
    fn store(&mut self) -> &mut Store {
        self.store.as_mut().unwrap()
    }
}

/// Each peer's author and database bytes, the team and the always-on devices.
type Template = (Vec<(Author, Vec<u8>)>, TeamId, BTreeSet<DeviceId>);

struct Packet {
    from: usize,
    to: usize,
    epoch: u64,
    bytes: Vec<u8>,
}

/// Network faults.
#[derive(Clone, Copy)]
struct Faults {
    drop: u64,
    duplicate: u64,
    reorder: bool,
}

const CALM: Faults = Faults {
    drop: 0,
    duplicate: 0,
    reorder: false,
};

struct Net {
    peers: Vec<Peer>,
    always_on: BTreeSet<DeviceId>,
    team: TeamId,
    queue: VecDeque<Packet>,
    /// Open connections, by (lower, higher) peer index, with their epoch.
    links: BTreeMap<(usize, usize), u64>,
    epoch: u64,
    rng: Rng,
    faults: Faults,
    /// Messages handed to the network.
    sent: u64,
    caught_up: BTreeSet<(usize, usize)>,
    ended: Vec<(usize, DeviceId, EndReason)>,
    /// Hand a peer every queued message for it at once (`Engine::handle_batch`).
    batched: bool,
}

fn key(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

impl Net {
    /// `n` peers in one team; the last `always_on` of them are always-on team peers.
    fn new(seed: u64, n: usize, always_on: usize) -> Self {
        let admin_dir = temp_dir();
        let mut admin_store = open_plain(admin_dir.path());
        let admin = super::author();
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
        let mut authors = vec![admin];
        for i in 1..n {
            let key = iroh::SecretKey::generate();
            let device = DeviceId::from_bytes(*key.public().as_bytes());
            let member = admin_store
                .edit_team(&authors[0], &team, |t| {
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
            authors.push(Author::new(member, key));
        }
        let bytes = admin_store
            .export_document(DocKind::Team, team.as_str())
            .unwrap();
        let always: BTreeSet<DeviceId> = authors[n - always_on..]
            .iter()
            .map(|a| a.device())
            .collect();
        let mut peers = vec![Peer {
            dir: admin_dir,
            store: Some(admin_store),
            who: authors[0].clone(),
            engine: Engine::new(authors[0].device(), always.clone()),
        }];
        for who in authors.into_iter().skip(1) {
            let dir = temp_dir();
            let mut store = open_plain(dir.path());
            store
                .merge_document(DocKind::Team, team.as_str(), &bytes)
                .unwrap();
            peers.push(Peer {
                dir,
                store: Some(store),
                engine: Engine::new(who.device(), always.clone()),
                who,
            });
        }
        Self {
            peers,
            always_on: always,
            team,
            queue: VecDeque::new(),
            links: BTreeMap::new(),
            epoch: 0,
            rng: Rng(seed),
            faults: CALM,
            sent: 0,
            caught_up: BTreeSet::new(),
            ended: Vec::new(),
            batched: false,
        }
    }

    /// The 5-peer network of [`simulate`] (one always-on peer), copied from stores set up once
    /// per test process (opening five new stores and building the team costs more than a run).
    fn from_template(seed: u64) -> Self {
        static TEMPLATE: OnceLock<Template> = OnceLock::new();
        let (peers, team, always_on) = TEMPLATE.get_or_init(|| {
            let mut net = Net::new(0, 5, 1);
            let peers = net
                .peers
                .iter_mut()
                .map(|p| {
                    drop(p.store.take());
                    let bytes = std::fs::read(p.dir.path().join(DATABASE_FILE)).unwrap();
                    (p.who.clone(), bytes)
                })
                .collect();
            (peers, net.team.clone(), net.always_on.clone())
        });
        let peers = peers
            .iter()
            .map(|(who, bytes)| {
                let dir = temp_dir();
                std::fs::write(dir.path().join(DATABASE_FILE), bytes).unwrap();
                Peer {
                    store: Some(open_plain(dir.path())),
                    dir,
                    engine: Engine::new(who.device(), always_on.clone()),
                    who: who.clone(),
                }
            })
            .collect();
        Self {
            peers,
            always_on: always_on.clone(),
            team: team.clone(),
            queue: VecDeque::new(),
            links: BTreeMap::new(),
            epoch: 0,
            rng: Rng(seed),
            faults: CALM,
            sent: 0,
            caught_up: BTreeSet::new(),
            ended: Vec::new(),
            batched: false,
        }
    }

    fn index_of(&self, device: &DeviceId) -> Option<usize> {
        self.peers.iter().position(|p| p.who.device() == *device)
    }

    /// Hand `event` to peer `i`'s engine and carry out the effects.
    fn handle(&mut self, i: usize, event: Event) {
        self.handle_all(i, vec![event]);
    }

    /// Hand `events` to peer `i`'s engine as one batch and carry out the effects.
    fn handle_all(&mut self, i: usize, events: Vec<Event>) {
        let peer = &mut self.peers[i];
        let Some(store) = peer.store.as_mut() else {
            return;
        };
        let effects = peer.engine.handle_batch(store, events);
        for effect in effects {
            match effect {
                Effect::Send { peer, bytes } => {
                    let Some(to) = self.index_of(&peer) else {
                        continue;
                    };
                    if let Some(&epoch) = self.links.get(&key(i, to)) {
                        self.sent += 1;
                        self.queue.push_back(Packet {
                            from: i,
                            to,
                            epoch,
                            bytes,
                        });
                    }
                }
                Effect::CaughtUp { peer } => {
                    if let Some(j) = self.index_of(&peer) {
                        self.caught_up.insert((i, j));
                    }
                }
                Effect::Disconnect { peer, reason } => {
                    self.ended.push((i, peer, reason));
                    if let Some(j) = self.index_of(&peer) {
                        self.disconnect(i, j);
                    }
                }
            }
        }
    }

    fn connect(&mut self, a: usize, b: usize) {
        if self.links.contains_key(&key(a, b)) {
            return;
        }
        self.epoch += 1;
        self.links.insert(key(a, b), self.epoch);
        let (da, db) = (self.peers[a].who.device(), self.peers[b].who.device());
        self.handle(a, Event::Connected(db));
        self.handle(b, Event::Connected(da));
    }

    fn disconnect(&mut self, a: usize, b: usize) {
        if self.links.remove(&key(a, b)).is_none() {
            return;
        }
        self.caught_up.remove(&(a, b));
        self.caught_up.remove(&(b, a));
        let (da, db) = (self.peers[a].who.device(), self.peers[b].who.device());
        self.handle(a, Event::Disconnected(db));
        self.handle(b, Event::Disconnected(da));
    }

    fn connect_all(&mut self) {
        for a in 0..self.peers.len() {
            for b in a + 1..self.peers.len() {
                self.connect(a, b);
            }
        }
    }

    /// Deliver one message (subject to the faults); whether there was one.
    fn deliver_one(&mut self) -> bool {
        if self.queue.is_empty() {
            return false;
        }
        let index = if self.faults.reorder {
            self.rng.below(self.queue.len().min(8))
        } else {
            0
        };
        let Some(packet) = self.queue.remove(index) else {
            return false;
        };
        if self.rng.chance(self.faults.drop) {
            return true;
        }
        if self.rng.chance(self.faults.duplicate) {
            self.queue.push_back(Packet {
                bytes: packet.bytes.clone(),
                ..packet
            });
        }
        if self.links.get(&key(packet.from, packet.to)) != Some(&packet.epoch) {
            return true;
        }
        let from = self.peers[packet.from].who.device();
        let mut events = vec![Event::Received {
            from,
            bytes: packet.bytes,
        }];
        let mut k = 0;
        while self.batched && k < self.queue.len() && events.len() < 64 {
            if self.queue[k].to != packet.to {
                k += 1;
                continue;
            }
            let Some(more) = self.queue.remove(k) else {
                break;
            };
            let live = self.links.get(&key(more.from, more.to)) == Some(&more.epoch);
            if live && !self.rng.chance(self.faults.drop) {
                events.push(Event::Received {
                    from: self.peers[more.from].who.device(),
                    bytes: more.bytes,
                });
            }
        }
        self.handle_all(packet.to, events);
        true
    }

    fn tick_all(&mut self) {
        for i in 0..self.peers.len() {
            self.handle(i, Event::Tick);
        }
    }

    /// Deliver everything, ticking whenever the network is empty, until enough ticks in a row
    /// send nothing that a stalled document would have been reset.
    fn run_until_quiet(&mut self) {
        let mut quiet_ticks = 0;
        for _ in 0..500 {
            let mut steps = 0;
            while self.deliver_one() {
                steps += 1;
                assert!(steps < 200_000, "no quiescence");
            }
            self.tick_all();
            if self.queue.is_empty() {
                quiet_ticks += 1;
                if quiet_ticks > STALL_TICKS + 1 {
                    return;
                }
            } else {
                quiet_ticks = 0;
            }
        }
        panic!("network never went quiet");
    }

    fn restart(&mut self, i: usize) {
        for j in 0..self.peers.len() {
            if j != i {
                self.disconnect(i, j);
            }
        }
        let peer = &mut self.peers[i];
        drop(peer.store.take());
        peer.store = Some(open_plain(peer.dir.path()));
        peer.engine = Engine::new(peer.who.device(), self.always_on.clone());
    }

    fn create_case(&mut self, i: usize, name: &str) -> CaseId {
        let who = self.peers[i].who.clone();
        let team = self.team.clone();
        let id = self.peers[i]
            .store()
            .create_case(
                &who,
                &team,
                NewCase {
                    client_name: name.into(),
                    ..Default::default()
                },
            )
            .unwrap();
        self.handle(i, Event::LocalChange(id.as_str().to_string()));
        id
    }

    /// Cases peer `i` holds and may edit (owner or allowed).
    fn editable(&mut self, i: usize) -> Vec<CaseId> {
        let member = self.peers[i].who.member.to_string();
        self.peers[i]
            .store()
            .list_cases(&CaseFilter {
                visible_to: Some(member),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|c| CaseId::parse(&c.case_id).unwrap())
            .collect()
    }

    fn journal(&mut self, i: usize, id: &CaseId, text: &str) {
        let who = self.peers[i].who.clone();
        self.peers[i]
            .store()
            .edit_case(&who, id, |c| c.add_journal_entry(entry(text, "2026-03-04")))
            .unwrap();
        self.handle(i, Event::LocalChange(id.as_str().to_string()));
    }

    fn allow(&mut self, i: usize, id: &CaseId, other: usize) {
        let who = self.peers[i].who.clone();
        let member = self.peers[other].who.member.clone();
        self.peers[i]
            .store()
            .edit_case(&who, id, |c| c.set_member_allowed(&member, true))
            .unwrap();
        self.handle(i, Event::LocalChange(id.as_str().to_string()));
    }

    /// Every peer allowed on each document has it with the same heads, and the query-table
    /// rows of shared documents are identical; no peer holds a case it may not.
    fn assert_converged(&mut self, seed: u64) {
        let n = self.peers.len();
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for p in &mut self.peers {
            ids.extend(p.store().document_ids(DocKind::Case).unwrap());
        }
        let dumps: Vec<Vec<String>> = self
            .peers
            .iter_mut()
            .map(|p| p.store().dump_query_tables().unwrap())
            .collect();
        let team_heads = self.peers[0]
            .store()
            .document_heads(self.team.as_str())
            .unwrap();
        for i in 1..n {
            let heads = self.peers[i]
                .store()
                .document_heads(self.team.as_str())
                .unwrap();
            assert_eq!(
                heads, team_heads,
                "seed {seed}: team heads differ on peer {i}"
            );
        }
        ids.insert(self.team.to_string());
        for id in &ids {
            let is_team = *id == self.team.to_string();
            let readers: Option<Case> = if is_team {
                None
            } else {
                let holder = (0..n)
                    .find(|&i| self.peers[i].store().document_heads(id).unwrap().is_some())
                    .unwrap();
                Some(
                    self.peers[holder]
                        .store()
                        .open_case(&CaseId::parse(id).unwrap())
                        .unwrap(),
                )
            };
            let mut expected: Option<(usize, Vec<u8>, Vec<&String>)> = None;
            #[allow(clippy::needless_range_loop)]
            for i in 0..n {
                let allowed = match &readers {
                    Some(case) => {
                        self.always_on.contains(&self.peers[i].who.device())
                            || case.allows(self.peers[i].who.member.as_str())
                    }
                    None => true,
                };
                let heads = self.peers[i].store().document_heads(id).unwrap();
                if !allowed {
                    assert!(
                        heads.is_none(),
                        "seed {seed}: peer {i} holds {id} it may not"
                    );
                    continue;
                }
                let heads = heads.unwrap_or_else(|| panic!("seed {seed}: peer {i} lacks {id}"));
                let rows: Vec<&String> = dumps[i]
                    .iter()
                    .filter(|l| l.contains(id.as_str()))
                    .collect();
                match &expected {
                    None => expected = Some((i, heads, rows)),
                    Some((j, h, r)) => {
                        assert_eq!(
                            &heads, h,
                            "seed {seed}: heads of {id} differ (peers {j}, {i})"
                        );
                        assert_eq!(
                            &rows, r,
                            "seed {seed}: rows of {id} differ (peers {j}, {i})"
                        );
                    }
                }
            }
        }
    }
}

fn seeds(default: u64) -> Vec<u64> {
    if let Some(seed) = std::env::var("NABIJ_SYNC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let count = std::env::var("NABIJ_SYNC_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (1..=count).collect()
}

/// One random run: edits, case shares, partitions, faults, restarts; then heal and converge.
fn simulate(seed: u64) {
    let mut net = Net::from_template(seed);
    // Odd seeds hand each peer all its waiting messages at once.
    net.batched = seed % 2 == 1;
    let n = net.peers.len();
    net.connect_all();
    net.faults = Faults {
        drop: 5 + net.rng.next() % 10,
        duplicate: 5,
        reorder: true,
    };
    for i in 0..n - 1 {
        let id = net.create_case(i, &format!("Cliënt {i}"));
        let other = net.rng.below(n - 1);
        if other != i {
            net.allow(i, &id, other);
        }
    }
    for step in 0..90 {
        let roll = net.rng.below(100);
        let i = net.rng.below(n);
        match roll {
            0..=44 => {
                net.deliver_one();
            }
            45..=64 => {
                let cases = net.editable(i);
                if !cases.is_empty() {
                    let id = cases[net.rng.below(cases.len())].clone();
                    net.journal(i, &id, &format!("Contact {step} door {i}"));
                }
            }
            65..=69 => {
                let cases = net.editable(i);
                if !cases.is_empty() {
                    let id = cases[net.rng.below(cases.len())].clone();
                    let other = net.rng.below(n);
                    if other != i {
                        net.allow(i, &id, other);
                    }
                }
            }
            70..=72 => {
                net.create_case(i, &format!("Nieuw {step}"));
            }
            73..=84 => net.tick_all(),
            85..=89 => {
                // Partition: cut the links between a random group and the rest.
                let group: Vec<bool> = (0..n).map(|_| net.rng.chance(50)).collect();
                for a in 0..n {
                    for b in a + 1..n {
                        if group[a] != group[b] {
                            net.disconnect(a, b);
                        }
                    }
                }
            }
            90..=94 => net.connect_all(),
            _ => net.restart(i),
        }
    }
    net.faults = CALM;
    net.connect_all();
    net.run_until_quiet();
    let misbehaved: Vec<_> = net
        .ended
        .iter()
        .filter(|(_, _, r)| matches!(r, EndReason::Misbehaved(_) | EndReason::Local(_)))
        .collect();
    assert!(
        misbehaved.is_empty(),
        "seed {seed}: honest sessions ended: {misbehaved:?}"
    );
    net.assert_converged(seed);
}

/// Run the seeds of `seeds(default)` with `seed % parts == part`.
fn simulate_part(part: u64, parts: u64, default: u64) {
    for seed in seeds(default).into_iter().filter(|s| s % parts == part) {
        let result = std::panic::catch_unwind(|| simulate(seed));
        if let Err(panic) = result {
            eprintln!("sync simulation failed: NABIJ_SYNC_SEED={seed}");
            std::panic::resume_unwind(panic);
        }
    }
}

/// Seeds per CI run (`NABIJ_SYNC_SEEDS` overrides), split over two tests to use both cores.
const SEEDS: u64 = 2000;

#[test]
fn random_networks_converge_even_seeds() {
    simulate_part(0, 2, SEEDS);
}

#[test]
fn random_networks_converge_odd_seeds() {
    simulate_part(1, 2, SEEDS);
}

/// Sync two fresh peers holding `docs` cases of peer 0, then reconnect with nothing changed:
/// returns the messages of the reconnect.
fn reconnect_cost(docs: usize) -> (u64, u64) {
    let mut net = Net::new(7, 2, 0);
    // Peer 1 may see every case.
    let who = net.peers[0].who.clone();
    let member = net.peers[1].who.member.clone();
    let team = net.team.clone();
    let cases: Vec<_> = (0..docs)
        .map(|i| {
            let (id, mut doc) = nabij_crdt::case::create_case(
                &who,
                &team,
                NewCase {
                    client_name: format!("Cliënt {i}"),
                    ..Default::default()
                },
            )
            .unwrap();
            who.begin(&mut doc);
            nabij_crdt::case::CaseEditor::new(&mut doc, &who)
                .set_member_allowed(&member, true)
                .unwrap();
            who.commit(&mut doc);
            (DocKind::Case, id.to_string(), doc)
        })
        .collect();
    net.peers[0].store().insert_documents(&who, cases).unwrap();
    net.connect_all();
    net.run_until_quiet();
    assert_eq!(
        net.peers[1]
            .store()
            .document_ids(DocKind::Case)
            .unwrap()
            .len(),
        docs
    );
    net.assert_converged(7);
    net.disconnect(0, 1);
    let before = net.sent;
    net.connect_all();
    net.run_until_quiet();
    assert!(net.caught_up.contains(&(0, 1)) && net.caught_up.contains(&(1, 0)));
    let reconnect = net.sent - before;
    // And after a restart of one side (sync states lost), still constant.
    net.restart(1);
    let before = net.sent;
    net.connect_all();
    net.run_until_quiet();
    (reconnect, net.sent - before)
}

#[test]
fn a_new_device_gets_every_case_whole_one_message_each_in_batches() {
    let docs = 120;
    let mut net = Net::new(23, 2, 0);
    net.batched = true;
    let who = net.peers[0].who.clone();
    let member = net.peers[1].who.member.clone();
    let team = net.team.clone();
    let cases: Vec<_> = (0..docs)
        .map(|i| {
            let (id, mut doc) = nabij_crdt::case::create_case(
                &who,
                &team,
                NewCase {
                    client_name: format!("Cliënt {i}"),
                    ..Default::default()
                },
            )
            .unwrap();
            who.begin(&mut doc);
            nabij_crdt::case::CaseEditor::new(&mut doc, &who)
                .set_member_allowed(&member, true)
                .unwrap();
            who.commit(&mut doc);
            (DocKind::Case, id.to_string(), doc)
        })
        .collect();
    net.peers[0].store().insert_documents(&who, cases).unwrap();
    net.connect_all();
    net.run_until_quiet();
    assert!(net.ended.is_empty(), "{:?}", net.ended);
    assert!(net.caught_up.contains(&(0, 1)) && net.caught_up.contains(&(1, 0)));
    assert_eq!(
        net.peers[1]
            .store()
            .document_ids(DocKind::Case)
            .unwrap()
            .len(),
        docs
    );
    net.assert_converged(23);
    let stats = net.peers[0]
        .engine
        .stats(&net.peers[1].who.device())
        .unwrap();
    // One whole document each, no sync rounds: Hello, Inventory and the documents.
    assert_eq!(stats.doc_messages_sent, docs as u64, "{stats:?}");
    assert_eq!(stats.resets, 0);
    // The sync states left behind push the next edit at once.
    let case = net.editable(0)[0].clone();
    let before = net.sent;
    net.journal(0, &case, "Na de eerste synchronisatie");
    net.run_until_quiet();
    net.assert_converged(23);
    assert!(net.sent - before <= 3, "{} messages", net.sent - before);
}

#[test]
fn reconnect_with_nothing_changed_costs_constant_messages() {
    let small = reconnect_cost(10);
    let large = reconnect_cost(500);
    eprintln!("reconnect messages: 10 docs {small:?}, 500 docs {large:?}");
    assert_eq!(small, large);
    assert_eq!(small, (2, 2), "one Hello each way");
}

#[test]
fn devices_not_allowed_never_receive_a_case_and_revoked_devices_stop_receiving() {
    let mut net = Net::new(11, 4, 0);
    net.connect_all();
    let private = net.create_case(1, "Alleen voor 1");
    let shared = net.create_case(1, "Voor 1 en 2");
    net.allow(1, &shared, 2);
    net.run_until_quiet();
    assert!(
        net.peers[2]
            .store()
            .document_heads(shared.as_str())
            .unwrap()
            .is_some()
    );
    for i in [0, 2, 3] {
        assert_eq!(
            net.peers[i]
                .store()
                .document_heads(private.as_str())
                .unwrap(),
            None,
            "peer {i} got a case it is not allowed on"
        );
        assert!(
            net.peers[i]
                .store()
                .dump_query_tables()
                .unwrap()
                .iter()
                .all(|l| !l.contains(private.as_str()))
        );
    }
    // Revoke peer 2's device: its sessions end and it receives nothing more.
    let admin = net.peers[0].who.clone();
    let device = net.peers[2].who.device();
    let team = net.team.clone();
    net.peers[0]
        .store()
        .edit_team(&admin, &team, |t| t.revoke_device(&device))
        .unwrap();
    net.handle(0, Event::LocalChange(team.to_string()));
    net.run_until_quiet();
    let before = net.peers[2]
        .store()
        .document_heads(shared.as_str())
        .unwrap();
    net.journal(1, &shared, "Na intrekking");
    // Peer 2 tries to reconnect: refused by everyone who knows of the revocation.
    net.connect_all();
    net.run_until_quiet();
    assert_eq!(
        net.peers[2]
            .store()
            .document_heads(shared.as_str())
            .unwrap(),
        before
    );
    assert!(
        net.ended
            .iter()
            .any(|(_, d, r)| *d == device && *r == EndReason::NotAllowed)
    );
    assert_ne!(
        net.peers[1]
            .store()
            .document_heads(shared.as_str())
            .unwrap(),
        before
    );
}

#[test]
fn always_on_peer_receives_every_case_and_relays_it() {
    // Peers 0..2 are members; peer 3 is always-on. 1 and 2 never meet directly.
    let mut net = Net::new(13, 4, 1);
    net.connect(1, 3);
    net.connect(2, 3);
    let case = net.create_case(1, "Via de server");
    net.allow(1, &case, 2);
    net.run_until_quiet();
    assert!(
        net.peers[3]
            .store()
            .document_heads(case.as_str())
            .unwrap()
            .is_some()
    );
    assert_eq!(
        net.peers[2].store().document_heads(case.as_str()).unwrap(),
        net.peers[1].store().document_heads(case.as_str()).unwrap()
    );
    net.journal(2, &case, "Antwoord van 2");
    net.run_until_quiet();
    assert_eq!(
        net.peers[2].store().document_heads(case.as_str()).unwrap(),
        net.peers[1].store().document_heads(case.as_str()).unwrap()
    );
    assert!(
        net.peers[0]
            .store()
            .document_heads(case.as_str())
            .unwrap()
            .is_none()
    );
}

#[test]
fn malformed_messages_end_only_that_session() {
    let mut net = Net::new(17, 4, 0);
    net.connect_all();
    let case = net.create_case(0, "Gedeeld");
    net.allow(0, &case, 1);
    net.run_until_quiet();
    let doc_id = case.as_str().to_string();
    let doc = |sync: Vec<u8>| {
        WireMessage::Doc {
            doc_id: doc_id.clone(),
            kind: DocKind::Case,
            sync,
            signatures: Vec::new(),
        }
        .encode()
    };
    let hello = WireMessage::Hello {
        digest: [0; 32],
        count: 1,
        want_reply: false,
    }
    .encode();
    let attacks: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\x01garbage".to_vec()),
        ("truncated", hello[..hello.len() - 3].to_vec()),
        ("empty", Vec::new()),
        ("bad automerge", doc(vec![0x42, 0xff, 0xff])),
        ("zero-bit bloom", doc(message_with_bloom(&[3, 0, 7]))),
        (
            "u32::MAX probes",
            doc(message_with_bloom(&[
                1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff,
            ])),
        ),
    ];
    let attacker = 3;
    for (name, bytes) in attacks {
        net.connect_all();
        net.run_until_quiet();
        let ended = net.ended.len();
        let from = net.peers[attacker].who.device();
        // Peer 3 is not on the case, but peer 0 must first find the message unsafe; a
        // well-formed Doc would be refused. Send to peer 0 (who holds the case).
        net.handle(0, Event::Received { from, bytes });
        let new: Vec<_> = net.ended[ended..].to_vec();
        assert!(
            new.iter()
                .any(|(i, d, r)| *i == 0 && *d == from && matches!(r, EndReason::Misbehaved(_))),
            "{name}: session not ended: {new:?}"
        );
        assert!(!net.links.contains_key(&key(0, attacker)), "{name}");
        // The others keep syncing.
        net.journal(1, &case, &format!("Na aanval {name}"));
        net.run_until_quiet();
        assert_eq!(
            net.peers[0].store().document_heads(case.as_str()).unwrap(),
            net.peers[1].store().document_heads(case.as_str()).unwrap(),
            "{name}"
        );
    }
    // A Doc that needs the session to be up is checked even from a peer allowed on the case.
    net.connect_all();
    net.run_until_quiet();
    let from = net.peers[1].who.device();
    let before = net.ended.len();
    net.handle(
        0,
        Event::Received {
            from,
            bytes: doc(message_with_bloom(&[3, 0, 7])),
        },
    );
    assert!(matches!(
        net.ended[before..].first(),
        Some((0, _, EndReason::Misbehaved(_)))
    ));
    net.assert_converged(17);
}

#[test]
fn lost_messages_are_repaired_by_ticks_without_reconnecting() {
    // Two peers, one connection that stays up; every message of a burst of edits is lost.
    let mut net = Net::new(19, 2, 0);
    net.connect_all();
    let case = net.create_case(0, "Verloren berichten");
    net.allow(0, &case, 1);
    net.run_until_quiet();
    assert!(net.caught_up.contains(&(0, 1)) && net.caught_up.contains(&(1, 0)));
    net.faults = Faults {
        drop: 100,
        duplicate: 0,
        reorder: false,
    };
    for k in 0..3 {
        net.journal(0, &case, &format!("Verloren {k}"));
        net.journal(1, &case, &format!("Ook verloren {k}"));
        while net.deliver_one() {}
    }
    net.faults = CALM;
    net.run_until_quiet();
    assert!(net.links.contains_key(&(0, 1)), "no reconnect was needed");
    assert!(net.ended.is_empty(), "{:?}", net.ended);
    assert!(
        net.peers[0]
            .engine
            .stats(&net.peers[1].who.device())
            .unwrap()
            .resets
            > 0
    );
    net.assert_converged(19);
}

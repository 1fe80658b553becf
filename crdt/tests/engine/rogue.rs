//! A team device turned hostile, against a real `nabij-peer` process while an honest admin's
//! laptop keeps editing (over iroh on loopback). The rogue is a member device admitted like any
//! other: it holds the team document and a case shared with it, and it speaks Nabij's real
//! protocol with the project's own wire types. It tries to write as somebody else (forged admin
//! changes, a forged revocation, a forged change in a case, sent by the sync protocol and whole)
//! and to break documents with changes whose dependencies never come (in an existing and in a
//! new document, and large ones to hold memory).
//!
//! Each attack must fail: the peer refuses what is not signed by its author and disconnects the
//! rogue, never stores a change without its dependencies, and bounds what waits for them. The
//! honest laptop's edits keep being acknowledged, a new device catching up from the peer gets
//! every document whole, and every store afterwards opens with every document complete and
//! every change signed by its author.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use automerge::sync::{ChunkList, Message, MessageVersion};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ReadDoc};
use iroh::endpoint::{Connection, ConnectionError, SendStream, VarInt};
use iroh::{Endpoint, SecretKey};
use nabij_crdt::author::Author;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, DeviceId, TeamId};
use nabij_crdt::signature::{ChangeSignature, Verifier};
use nabij_crdt::store::{KeySource, SignedDocument, Store};
use nabij_crdt::sync::WireMessage;
use nabij_crdt::team::TeamEditor;
use nabij_crdt::transport::endpoint::CLOSE_PROTOCOL;
use nabij_crdt::transport::frame::write_frame;
use nabij_crdt::transport::{ALPN, Node, SyncEvent};

use super::transport::{
    Device, PeerProcess, WAIT, config, peer_args, shared_case, team, wait_event, write_device_key,
};
use super::transport_access::raw_endpoint;
use super::{entry, open_plain};

/// The arena: a team of three (admin laptop, an honest member, the rogue member), an always-on
/// `nabij-peer` holding the team's documents, and the admin's laptop connected to it.
struct Arena {
    devices: Vec<Device>,
    team: TeamId,
    peer: PeerProcess,
    peer_dir: tempfile::TempDir,
    admin: Node,
    /// A case of the admin shared with the rogue (and the honest member).
    shared: CaseId,
}

fn peer_paths(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    (
        dir.join("data"),
        dir.join("store.key"),
        dir.join("device.key"),
    )
}

impl Arena {
    async fn new() -> Self {
        let (devices, peer_key, team_doc, team) = team(3);
        let peer_dir = tempfile::tempdir().unwrap();
        let (data, store_key, device_key) = peer_paths(peer_dir.path());
        write_device_key(&device_key, &peer_key);
        Store::open(&data, &KeySource::File(store_key.clone()))
            .unwrap()
            .merge_document(DocKind::Team, team.as_str(), &team_doc)
            .unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_nabij-peer"));
        command.args(peer_args(&data, &store_key, &device_key));
        command.args(["--bind", "127.0.0.1:0"]);
        let peer = PeerProcess::spawn(command);
        let (a, rogue) = (&devices[0], &devices[2]);
        let mut store = open_plain(a.dir.path());
        let shared = shared_case(&mut store, &a.who, &team, &rogue.who);
        let honest = devices[1].who.member.clone();
        store
            .edit_case(&a.who, &shared, |c| c.set_member_allowed(&honest, true))
            .unwrap();
        let always_on: BTreeSet<DeviceId> = [peer.addr.device].into();
        let admin = Node::start(store, config(&a.key, vec![peer.addr.clone()], always_on))
            .await
            .unwrap();
        let arena = Self {
            devices,
            team,
            peer,
            peer_dir,
            admin,
            shared,
        };
        arena.admin_edit("Eerste gesprek").await;
        arena
    }

    fn admin_author(&self) -> &Author {
        &self.devices[0].who
    }

    fn rogue(&self) -> &Device {
        &self.devices[2]
    }

    /// The admin adds a journal entry to the shared case and waits (bounded) until the peer
    /// acknowledged it (nothing left unsent); how long that took.
    async fn admin_edit(&self, text: &str) -> Duration {
        let started = Instant::now();
        let (who, id, owned) = (
            self.admin_author().clone(),
            self.shared.clone(),
            text.to_string(),
        );
        self.admin
            .with_store(move |s| {
                s.edit_case(&who, &id, |c| {
                    c.add_journal_entry(entry(&owned, "2026-03-02"))
                })
                .unwrap();
            })
            .await
            .unwrap();
        // The sync thread handles commands in order: once this runs, the edit above is counted
        // as unsent (or already acknowledged).
        self.admin.with_store(|_| ()).await.unwrap();
        let id = self.shared.to_string();
        loop {
            let status = self.admin.status();
            if !status.unsent.contains(&id) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < WAIT,
                "the admin's edit {text:?} was not acknowledged: {status:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// A document as the admin's laptop holds it, with its signatures.
    async fn admin_doc(&self, kind: DocKind, id: &str) -> SignedDocument {
        let id = id.to_string();
        self.admin
            .with_store(move |s| s.export_document(kind, &id).unwrap())
            .await
            .unwrap()
    }

    /// The rogue's connection to the peer, its session up; what the peer sends is read and
    /// dropped.
    async fn connect(&self, endpoint: &Endpoint) -> (Connection, SendStream) {
        let addr = self.peer.addr.endpoint_addr().unwrap();
        let connection = tokio::time::timeout(WAIT, endpoint.connect(addr, ALPN))
            .await
            .expect("connect timed out")
            .unwrap();
        let (mut send, mut recv) = connection.open_bi().await.unwrap();
        send.write_all(b"NBJ2").await.unwrap();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 64 * 1024];
            while let Ok(Some(_)) = recv.read(&mut buffer).await {}
        });
        // Let the peer's engine take the connection before the attack.
        tokio::time::sleep(Duration::from_millis(300)).await;
        (connection, send)
    }

    /// Stop everything and check every store: it opens, and every document in it is complete
    /// (no change waits for a dependency) with every change signed by its author.
    async fn finish(self) -> (Store, Store) {
        let admin = self.admin.shutdown().await.unwrap();
        self.peer.stop();
        let (data, store_key, _) = peer_paths(self.peer_dir.path());
        let mut peer = Store::open(&data, &KeySource::File(store_key)).unwrap();
        let mut admin = admin;
        for store in [&mut peer, &mut admin] {
            assert_whole(store);
        }
        (peer, admin)
    }
}

/// Every document of `store` loads, is complete, and each change verifies against its author.
fn assert_whole(store: &mut Store) {
    store.rebuild().unwrap();
    for kind in [
        DocKind::Team,
        DocKind::Intake,
        DocKind::Case,
        DocKind::Referral,
    ] {
        for id in store.document_ids(kind).unwrap() {
            let signed = store.export_document(kind, &id).unwrap();
            let mut doc = AutoCommit::load(&signed.bytes).unwrap();
            assert!(doc.get_missing_deps(&[]).is_empty(), "{id} is incomplete");
            let mut verifier = Verifier::new();
            for change in doc.get_changes(&[]) {
                verifier
                    .verify(&change, &signed.signatures)
                    .unwrap_or_else(|e| panic!("{id}: {e}"));
            }
        }
    }
}

/// An Automerge sync message carrying `changes` (raw change chunks), as the real protocol does.
fn sync_message(mut heads: Vec<ChangeHash>, changes: Vec<Vec<u8>>) -> Vec<u8> {
    heads.sort();
    Message {
        heads,
        need: Vec::new(),
        have: Vec::new(),
        changes: ChunkList::from(changes),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

/// Change `doc` (a copy of a held document) as `actor` writes it, and return the new changes'
/// raw bytes with their hashes.
fn changes_after(doc: &mut AutoCommit, before: &[ChangeHash]) -> Vec<(ChangeHash, Vec<u8>)> {
    doc.get_changes(before)
        .iter()
        .map(|c| (c.hash(), c.raw_bytes().to_vec()))
        .collect()
}

/// Send one sync message for document `id` carrying `changes` with `signatures`.
async fn send_doc(
    send: &mut SendStream,
    id: &str,
    kind: DocKind,
    changes: Vec<(ChangeHash, Vec<u8>)>,
    signatures: Vec<ChangeSignature>,
) {
    let heads = changes.iter().map(|(h, _)| *h).collect();
    let message = WireMessage::Doc {
        doc_id: id.to_string(),
        kind,
        sync: sync_message(heads, changes.into_iter().map(|(_, b)| b).collect()),
        signatures,
    };
    write_frame(send, &message.encode()).await.unwrap();
}

/// The peer closes the rogue's connection as a protocol violation.
async fn assert_cut_off(connection: &Connection, what: &str) {
    let closed = tokio::time::timeout(WAIT, connection.closed())
        .await
        .unwrap_or_else(|_| panic!("{what}: the peer did not disconnect the rogue"));
    match closed {
        ConnectionError::ApplicationClosed(close) => {
            assert_eq!(close.error_code, VarInt::from_u32(CLOSE_PROTOCOL), "{what}")
        }
        other => panic!("{what}: closed with {other:?}"),
    }
}

/// Put `value` at `key` of member `member` in a team document (raw Automerge, as a rogue would).
fn put_member_field(doc: &mut AutoCommit, member: &str, key: &str, value: bool) {
    let (_, members) = doc.get(automerge::ROOT, "members").unwrap().unwrap();
    let (_, entry) = doc.get(&members, member).unwrap().unwrap();
    doc.put(&entry, key, value).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_changes_are_refused_and_the_forger_is_disconnected() {
    let arena = Arena::new().await;
    let admin = arena.admin_author().clone();
    let rogue = arena.rogue();
    let rogue_author = rogue.who.clone();
    let endpoint = raw_endpoint(&rogue.key).await;
    let team_id = arena.team.to_string();
    let admin_laptop = admin.device();
    let peer_device = arena.peer.addr.device;

    // Each forgery is written under the admin's actor id (its device key, which the rogue
    // knows) and signed with the rogue's own key, or not signed at all.
    type Forge = Box<dyn Fn(&mut AutoCommit)>;
    let rogue_member = rogue_author.member.to_string();
    let new_device = DeviceId::from_bytes(*SecretKey::generate().public().as_bytes());
    let forgeries: Vec<(&str, DocKind, String, Forge, bool)> = vec![
        (
            "forged admin change: the rogue's member made admin",
            DocKind::Team,
            team_id.clone(),
            Box::new(move |doc| put_member_field(doc, &rogue_member, "admin", true)),
            true,
        ),
        (
            "forged new device",
            DocKind::Team,
            team_id.clone(),
            Box::new({
                let admin = admin.clone();
                move |doc| {
                    TeamEditor::new(doc, &admin)
                        .add_device(&admin.member, &new_device)
                        .unwrap();
                }
            }),
            false,
        ),
        (
            "forged revocation of the admin's laptop and the peer",
            DocKind::Team,
            team_id.clone(),
            Box::new({
                let admin = admin.clone();
                move |doc| {
                    let mut editor = TeamEditor::new(doc, &admin);
                    editor.revoke_device(&admin_laptop).unwrap();
                    editor.revoke_device(&peer_device).unwrap();
                }
            }),
            true,
        ),
        (
            "forged change in a case",
            DocKind::Case,
            arena.shared.to_string(),
            Box::new(move |doc| {
                doc.put(automerge::ROOT, "owner", "rogue").unwrap();
            }),
            true,
        ),
    ];
    for (what, kind, id, forge, signed) in forgeries {
        let started = Instant::now();
        let held = arena.admin_doc(kind, &id).await;
        let mut doc = AutoCommit::load(&held.bytes)
            .unwrap()
            .with_actor(admin.actor());
        let before = doc.get_heads();
        forge(&mut doc);
        admin.commit(&mut doc);
        let changes = changes_after(&mut doc, &before);
        let signatures = if signed {
            changes.iter().map(|(h, _)| rogue_author.sign(h)).collect()
        } else {
            Vec::new()
        };
        let (connection, mut send) = arena.connect(&endpoint).await;
        send_doc(&mut send, &id, kind, changes, signatures).await;
        assert_cut_off(&connection, what).await;
        assert!(
            arena
                .peer
                .wait_log(&["ended", "Misbehaved", "signature"], WAIT),
            "{what}: the peer did not report it"
        );
        // The honest laptop's edits are still acknowledged.
        let acked = arena.admin_edit(&format!("na {what}")).await;
        eprintln!(
            "rogue: {what}: refused in {:?}, next honest edit acknowledged in {acked:?}",
            started.elapsed()
        );
    }

    // The same forged case change, sent whole as a new document.
    {
        let held = arena.admin_doc(DocKind::Case, arena.shared.as_str()).await;
        let fresh = CaseId::random();
        let mut doc = AutoCommit::load(&held.bytes)
            .unwrap()
            .with_actor(admin.actor());
        doc.put(automerge::ROOT, "id", fresh.as_str()).unwrap();
        admin.commit(&mut doc);
        let mut signatures: Vec<ChangeSignature> = held.signatures.iter().collect();
        let last = doc.get_last_local_change().unwrap().hash();
        signatures.push(rogue_author.sign(&last));
        let (connection, mut send) = arena.connect(&endpoint).await;
        let message = WireMessage::Full {
            doc_id: fresh.to_string(),
            kind: DocKind::Case,
            bytes: doc.save(),
            signatures,
        };
        write_frame(&mut send, &message.encode()).await.unwrap();
        assert_cut_off(&connection, "forged whole document").await;
        arena.admin_edit("na het valse document").await;
    }
    endpoint.close().await;

    let shared = arena.shared.clone();
    let (mut peer, mut admin_store) = arena.finish().await;
    // Nothing of it stuck: the admin and the peer are active, the rogue is no admin, no new
    // device, the case keeps its owner, no new case.
    for store in [&mut peer, &mut admin_store] {
        let team = store.open_team(&TeamId::parse(&team_id).unwrap()).unwrap();
        assert!(team.devices[&admin_laptop.to_string()].revoked_at.is_none());
        assert!(team.devices[&peer_device.to_string()].revoked_at.is_none());
        assert!(!team.is_admin(rogue_author.member.as_str()));
        assert!(!team.devices.contains_key(&new_device.to_string()));
        assert_eq!(
            store.document_ids(DocKind::Case).unwrap(),
            [shared.as_str()]
        );
        assert_eq!(
            store.open_case(&shared).unwrap().owner,
            admin.member.to_string()
        );
    }
    assert_eq!(
        peer.document_heads(shared.as_str()).unwrap(),
        admin_store.document_heads(shared.as_str()).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_without_their_dependencies_are_never_stored_and_are_bounded() {
    let arena = Arena::new().await;
    let rogue = arena.rogue();
    let rogue_author = rogue.who.clone();
    let endpoint = raw_endpoint(&rogue.key).await;
    let shared = arena.shared.to_string();

    // The rogue's own (signed) changes on the shared case, sending the second without the
    // first: the peer must neither store it nor pass it on.
    let orphans = |count: usize, size: usize, doc: &SignedDocument| {
        let mut doc = AutoCommit::load(&doc.bytes)
            .unwrap()
            .with_actor(rogue_author.actor());
        let before = doc.get_heads();
        for n in 0..=count {
            let value = "x".repeat(size.max(1)) + &n.to_string();
            doc.put(automerge::ROOT, format!("rogue-{n}"), value)
                .unwrap();
            rogue_author.commit(&mut doc);
        }
        let mut changes = changes_after(&mut doc, &before);
        changes.remove(0); // the dependency that is never sent
        let signatures = changes.iter().map(|(h, _)| rogue_author.sign(h)).collect();
        (changes, signatures)
    };
    let held = arena.admin_doc(DocKind::Case, &shared).await;
    let (changes, signatures) = orphans(3, 10, &held);
    let (_first, mut send) = arena.connect(&endpoint).await;
    send_doc(&mut send, &shared, DocKind::Case, changes, signatures).await;
    // In a new document: a change whose dependency never comes.
    let fresh = CaseId::random();
    {
        let mut doc = rogue_author.new_document();
        doc.put(automerge::ROOT, "id", fresh.as_str()).unwrap();
        rogue_author.commit(&mut doc);
        doc.put(automerge::ROOT, "kind", "case").unwrap();
        rogue_author.commit(&mut doc);
        let mut changes = changes_after(&mut doc, &[]);
        changes.remove(0);
        let signatures = changes.iter().map(|(h, _)| rogue_author.sign(h)).collect();
        send_doc(
            &mut send,
            fresh.as_str(),
            DocKind::Case,
            changes,
            signatures,
        )
        .await;
    }
    // A change the rogue signs with a key of its own making, outside the team: signed, but by
    // nobody the team knows; it is never stored.
    {
        let stranger = Author::generate(rogue_author.member.clone());
        let mut doc = AutoCommit::load(&held.bytes)
            .unwrap()
            .with_actor(stranger.actor());
        let before = doc.get_heads();
        doc.put(automerge::ROOT, "anonymous", "x").unwrap();
        stranger.commit(&mut doc);
        let changes = changes_after(&mut doc, &before);
        let signatures = changes.iter().map(|(h, _)| stranger.sign(h)).collect();
        send_doc(&mut send, &shared, DocKind::Case, changes, signatures).await;
    }
    // The honest laptop keeps editing the same case; each edit is acknowledged.
    for n in 0..3 {
        arena.admin_edit(&format!("Gesprek {n} na de wezen")).await;
    }
    // A device that joins later catches up from the peer and gets the case whole, as the
    // admin holds it.
    let honest = &arena.devices[1];
    let node_b = Node::start(
        open_plain(honest.dir.path()),
        config(
            &honest.key,
            vec![arena.peer.addr.clone()],
            [arena.peer.addr.device].into(),
        ),
    )
    .await
    .unwrap();
    let mut events = node_b.subscribe();
    let p = arena.peer.addr.device;
    wait_event(&mut events, |e| *e == SyncEvent::CaughtUp(p)).await;
    let id = arena.shared.clone();
    let b_heads = node_b
        .with_store(move |s| s.document_heads(id.as_str()).unwrap())
        .await
        .unwrap();
    let id = arena.shared.clone();
    let a_heads = arena
        .admin
        .with_store(move |s| s.document_heads(id.as_str()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        b_heads, a_heads,
        "the late device did not get the case whole"
    );
    let mut store_b = node_b.shutdown().await.unwrap();
    assert_whole(&mut store_b);
    assert!(store_b.document_heads(fresh.as_str()).unwrap().is_none());

    // Large changes that wait: the peer holds a bounded amount, then disconnects the rogue, and
    // its memory comes back down.
    let rss = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap()
    };
    let base = rss(arena.peer.pid());
    let held = arena.admin_doc(DocKind::Case, &shared).await;
    drop(send);
    let (connection, mut send) = arena.connect(&endpoint).await;
    let (changes, signatures) = orphans(40, 1024 * 1024, &held);
    let mut peak = base;
    let mut sent = 0;
    for ((hash, bytes), signature) in changes.into_iter().zip(signatures) {
        let message = WireMessage::Doc {
            doc_id: shared.clone(),
            kind: DocKind::Case,
            sync: sync_message(vec![hash], vec![bytes]),
            signatures: vec![signature],
        };
        if write_frame(&mut send, &message.encode()).await.is_err() {
            break;
        }
        sent += 1;
        peak = peak.max(rss(arena.peer.pid()));
    }
    assert_cut_off(&connection, "large waiting changes").await;
    assert!(
        arena.peer.wait_log(&["ended", "Misbehaved", "wait"], WAIT),
        "the peer did not report the rogue"
    );
    eprintln!(
        "rogue: sent {sent} waiting changes of 1 MiB; peer RSS {base} kB before, peak {peak} kB"
    );
    assert!(
        peak < base + 200 * 1024,
        "the peer held {} kB more for waiting changes",
        peak - base
    );
    arena.admin_edit("na de grote wezen").await;
    endpoint.close().await;

    let (mut peer, _) = arena.finish().await;
    // The rogue's changes never reached the stored case.
    let case = peer.export_document(DocKind::Case, &shared).unwrap();
    let doc = AutoCommit::load(&case.bytes).unwrap();
    assert!(doc.get(automerge::ROOT, "rogue-1").unwrap().is_none());
    assert!(doc.get(automerge::ROOT, "anonymous").unwrap().is_none());
    assert!(peer.document_heads(fresh.as_str()).unwrap().is_none());
}

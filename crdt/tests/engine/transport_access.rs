//! Access rules over real iroh on loopback: a case reaches only the devices allowed on it (and
//! follows allow/withdraw), a revoked device is cut off and refused when it dials again, and a
//! team device sending malformed frames is disconnected while the others keep syncing.
//!
//! "Does not arrive" is never shown by sleeping alone: first a witness proves the change was
//! sent (a third device received it, or a later change on the same stream arrived), then a
//! short bounded watch checks that nothing moved. No public relay or DNS; nodes are shut down.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use iroh::endpoint::{ConnectionError, RelayMode, VarInt, presets};
use iroh::{Endpoint, SecretKey};
use nabij_crdt::author::Author;
use nabij_crdt::case::{CaseEditor, NewCase};
use nabij_crdt::doc::{DocError, DocKind};
use nabij_crdt::id::{CaseId, DeviceId, MemberId, TeamId};
use nabij_crdt::store::Store;
use nabij_crdt::sync::guard::message_with_bloom;
use nabij_crdt::sync::message::MAX_MESSAGE_BYTES;
use nabij_crdt::sync::{EndReason, WireMessage};
use nabij_crdt::transport::endpoint::CLOSE_PROTOCOL;
use nabij_crdt::transport::frame::write_frame;
use nabij_crdt::transport::{ALPN, Node, SyncEvent};
use tokio::sync::broadcast::Receiver;

use super::entry;
use super::open_plain;
use super::transport::{WAIT, addr_of, config, team, wait_event};

/// How long a device is watched to show that something does not reach it, once a witness has
/// shown that it was sent.
const QUIET: Duration = Duration::from_secs(3);

/// Start a node on `dir`'s store with no peers yet (peers are added after subscribing, so no
/// event is missed).
async fn start(store: Store, key: &SecretKey) -> Node {
    Node::start(store, config(key, vec![], BTreeSet::new()))
        .await
        .unwrap()
}

/// A case owned by `owner`, with `allowed` members allowed on it.
fn case_for(store: &mut Store, owner: &Author, team: &TeamId, allowed: &[&MemberId]) -> CaseId {
    let id = store
        .create_case(
            owner,
            team,
            NewCase {
                client_name: "Karim Benali".into(),
                ..Default::default()
            },
        )
        .unwrap();
    for member in allowed {
        let member = (*member).clone();
        store
            .edit_case(owner, &id, |c| c.set_member_allowed(&member, true))
            .unwrap();
    }
    id
}

/// The heads of document `id` in `node`'s store (`None`: not held).
async fn heads(node: &Node, id: &CaseId) -> Option<Vec<u8>> {
    let id = id.to_string();
    node.with_store(move |s| s.document_heads(&id).unwrap())
        .await
        .unwrap()
}

/// The case documents `node`'s store holds.
async fn cases(node: &Node) -> BTreeSet<String> {
    node.with_store(|s| s.document_ids(DocKind::Case).unwrap())
        .await
        .unwrap()
        .into_iter()
        .collect()
}

fn ids(cases: &[&CaseId]) -> BTreeSet<String> {
    cases.iter().map(|c| c.to_string()).collect()
}

/// Wait (bounded) until `node` holds case `id` at exactly the heads `want`.
async fn wait_heads(node: &Node, id: &CaseId, want: &Option<Vec<u8>>) {
    let start = Instant::now();
    while heads(node, id).await != *want {
        assert!(
            start.elapsed() < WAIT,
            "case {id} did not reach {} in time",
            node.device()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Watch `node` for [`QUIET`]: its heads of case `id` must stay `want`.
async fn stays_at(node: &Node, id: &CaseId, want: &Option<Vec<u8>>) {
    let start = Instant::now();
    while start.elapsed() < QUIET {
        assert_eq!(
            heads(node, id).await,
            *want,
            "case {id} changed on {}",
            node.device()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Edit case `id` on `node` as `who`, push the change, and return the new heads.
async fn edit(
    node: &Node,
    who: &Author,
    id: &CaseId,
    f: impl FnOnce(&mut CaseEditor<'_>) -> Result<(), DocError> + Send + 'static,
) -> Option<Vec<u8>> {
    let (who, id2) = (who.clone(), id.clone());
    node.with_store(move |s| s.edit_case(&who, &id2, f))
        .await
        .unwrap()
        .unwrap();
    node.local_change(id.as_str()).await.unwrap();
    heads(node, id).await
}

/// Add a journal entry to case `id` on `node` and push it; the new heads.
async fn journal(node: &Node, who: &Author, id: &CaseId, text: &str) -> Option<Vec<u8>> {
    let text = text.to_string();
    edit(node, who, id, move |c| {
        c.add_journal_entry(entry(&text, "2026-03-05")).map(|_| ())
    })
    .await
}

/// Wait (bounded) until every one of `expected` has come on `events`, in any order.
async fn wait_all(events: &mut Receiver<SyncEvent>, expected: &[SyncEvent]) {
    let mut missing: Vec<SyncEvent> = expected.to_vec();
    tokio::time::timeout(WAIT, async {
        while !missing.is_empty() {
            let event = events.recv().await.unwrap();
            missing.retain(|e| *e != event);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("events did not come in time: {missing:?}"));
}

/// Every event received so far, without waiting.
fn drain(events: &mut Receiver<SyncEvent>) -> Vec<SyncEvent> {
    std::iter::from_fn(|| events.try_recv().ok()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_reaches_only_the_devices_allowed_on_it() {
    let (devices, _, _, team) = team(3);
    let (a, b, c) = (&devices[0], &devices[1], &devices[2]);
    // A owns X (nobody else allowed), Y (B allowed) and Z (C allowed).
    let mut store_a = open_plain(a.dir.path());
    let x = case_for(&mut store_a, &a.who, &team, &[]);
    let y = case_for(&mut store_a, &a.who, &team, &[&b.who.member]);
    let z = case_for(&mut store_a, &a.who, &team, &[&c.who.member]);
    let node_a = start(store_a, &a.key).await;
    let node_b = start(open_plain(b.dir.path()), &b.key).await;
    let node_c = start(open_plain(c.dir.path()), &c.key).await;
    let (mut ev_a, mut ev_b) = (node_a.subscribe(), node_b.subscribe());
    let started = Instant::now();
    // A full mesh: B and C dial A, C dials B.
    node_b.add_peer(addr_of(&node_a)).unwrap();
    node_c.add_peer(addr_of(&node_a)).unwrap();
    node_c.add_peer(addr_of(&node_b)).unwrap();
    let (da, db, dc) = (node_a.device(), node_b.device(), node_c.device());
    wait_all(
        &mut ev_a,
        &[SyncEvent::CaughtUp(db), SyncEvent::CaughtUp(dc)],
    )
    .await;
    wait_all(
        &mut ev_b,
        &[SyncEvent::CaughtUp(da), SyncEvent::CaughtUp(dc)],
    )
    .await;
    eprintln!("access: mesh of 3 caught up in {:?}", started.elapsed());

    // After the catch-up: each device holds exactly the cases it is allowed on.
    assert_eq!(cases(&node_a).await, ids(&[&x, &y, &z]));
    assert_eq!(cases(&node_b).await, ids(&[&y]));
    assert_eq!(cases(&node_c).await, ids(&[&z]));
    for (node, id) in [(&node_b, &y), (&node_c, &z)] {
        assert_eq!(heads(node, id).await, heads(&node_a, id).await);
    }

    // A live edit of X is not pushed to B or C. Witness: an edit of Y (Z) pushed after it on the
    // same connection arrives, so anything sent about X before it would have arrived too.
    journal(&node_a, &a.who, &x, "Alleen voor A").await;
    let y_now = journal(&node_a, &a.who, &y, "Voor A en B").await;
    let z_now = journal(&node_a, &a.who, &z, "Voor A en C").await;
    wait_heads(&node_b, &y, &y_now).await;
    wait_heads(&node_c, &z, &z_now).await;
    assert_eq!(cases(&node_b).await, ids(&[&y]));
    assert_eq!(cases(&node_c).await, ids(&[&z]));

    // Allowing B on X sends X to B (and only to B).
    let member_b = b.who.member.clone();
    let x_allowed = edit(&node_a, &a.who, &x, move |c| {
        c.set_member_allowed(&member_b, true)
    })
    .await;
    let started = Instant::now();
    wait_heads(&node_b, &x, &x_allowed).await;
    eprintln!("access: allowed case arrived in {:?}", started.elapsed());
    assert_eq!(cases(&node_b).await, ids(&[&x, &y]));
    let z_now = journal(&node_a, &a.who, &z, "Nog voor A en C").await;
    wait_heads(&node_c, &z, &z_now).await;
    assert_eq!(cases(&node_c).await, ids(&[&z]));

    // Withdrawing B from X (and allowing C, as witness): later edits of X reach C, never B,
    // whose copy stays at the heads it had before the withdrawal.
    let (member_b, member_c) = (b.who.member.clone(), c.who.member.clone());
    edit(&node_a, &a.who, &x, move |c| {
        c.set_member_allowed(&member_b, false)?;
        c.set_member_allowed(&member_c, true)
    })
    .await;
    let x_later = journal(&node_a, &a.who, &x, "Niet meer voor B").await;
    let y_later = journal(&node_a, &a.who, &y, "Nog steeds voor B").await;
    wait_heads(&node_c, &x, &x_later).await;
    wait_heads(&node_b, &y, &y_later).await;
    assert_ne!(x_later, x_allowed);
    stays_at(&node_b, &x, &x_allowed).await;
    let case_on_b = {
        let x = x.clone();
        node_b
            .with_store(move |s| s.open_case(&x).unwrap())
            .await
            .unwrap()
    };
    let texts: Vec<&str> = case_on_b
        .journal
        .values()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(texts, ["Alleen voor A"], "B's copy of X");
    assert!(node_a.connected().contains(&db), "B is still connected");

    // B, whose stale copy still lists it, edits X: A and C refuse the change. Witness: B's
    // edit of Y, pushed after it on the same connection, arrives at A.
    let x_on_b = journal(&node_b, &b.who, &x, "B schrijft toch").await;
    assert_ne!(x_on_b, x_allowed);
    let y_from_b = journal(&node_b, &b.who, &y, "B schrijft in Y").await;
    wait_heads(&node_a, &y, &y_from_b).await;
    assert_eq!(heads(&node_a, &x).await, x_later);
    assert_eq!(heads(&node_c, &x).await, x_later);
    assert!(
        node_a.connected().contains(&db),
        "a refused document is no misbehaviour"
    );

    node_c.shutdown().await.unwrap();
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_cut_off_and_refused_when_it_dials_again() {
    let (devices, _, _, team) = team(3);
    let (a, b, w) = (&devices[0], &devices[1], &devices[2]);
    let mut store_a = open_plain(a.dir.path());
    let x = case_for(&mut store_a, &a.who, &team, &[&b.who.member, &w.who.member]);
    let node_a = start(store_a, &a.key).await;
    let node_b = start(open_plain(b.dir.path()), &b.key).await;
    let node_w = start(open_plain(w.dir.path()), &w.key).await;
    let (mut ev_a, mut ev_b) = (node_a.subscribe(), node_b.subscribe());
    let mut ev_w = node_w.subscribe();
    // A full mesh: B and W dial A, W dials B (W could relay to B).
    node_b.add_peer(addr_of(&node_a)).unwrap();
    node_w.add_peer(addr_of(&node_a)).unwrap();
    node_w.add_peer(addr_of(&node_b)).unwrap();
    let (da, db, dw) = (node_a.device(), node_b.device(), node_w.device());
    wait_all(
        &mut ev_a,
        &[SyncEvent::CaughtUp(db), SyncEvent::CaughtUp(dw)],
    )
    .await;
    wait_all(&mut ev_w, &[SyncEvent::CaughtUp(db)]).await;
    let x_before = journal(&node_a, &a.who, &x, "Voor B en W").await;
    wait_heads(&node_b, &x, &x_before).await;
    wait_heads(&node_w, &x, &x_before).await;

    // A (an admin) revokes B's device: A ends the session with B at once.
    let (admin, team2, device_b) = (a.who.clone(), team.clone(), db);
    node_a
        .with_store(move |s| s.edit_team(&admin, &team2, |t| t.revoke_device(&device_b)))
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    node_a.local_change(team.as_str()).await.unwrap();
    wait_event(&mut ev_a, |e| {
        *e == SyncEvent::Ended(db, EndReason::NotAllowed)
    })
    .await;
    wait_event(&mut ev_b, |e| *e == SyncEvent::Disconnected(da)).await;
    eprintln!("revoke: B cut off by A in {:?}", started.elapsed());
    assert!(!node_a.connected().contains(&db));
    // W learns of the revocation from A (the team document is pushed to it) and cuts B off too.
    wait_event(&mut ev_w, |e| {
        *e == SyncEvent::Ended(db, EndReason::NotAllowed)
    })
    .await;
    eprintln!("revoke: B cut off by W in {:?}", started.elapsed());
    assert!(!node_w.connected().contains(&db));

    // A new edit reaches W, never B.
    let x_after = journal(&node_a, &a.who, &x, "Niet meer voor B").await;
    wait_heads(&node_w, &x, &x_after).await;
    let watch = Instant::now();
    while watch.elapsed() < QUIET {
        assert_ne!(heads(&node_b, &x).await, x_after, "the edit reached B");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // B's dialer keeps trying: it is refused at the handshake, before any application data,
    // and told it is revoked; A's and W's engines never see B connect.
    for (events, node) in [(&mut ev_a, "A"), (&mut ev_w, "W")] {
        let seen = drain(events);
        assert!(
            !seen.contains(&SyncEvent::Connected(db)),
            "B's connection reached {node}'s engine: {seen:?}"
        );
    }
    // B's own dialer was told too: B wiped the team's data and stopped dialing.
    let told = Instant::now();
    while !node_b.status().revoked {
        assert!(told.elapsed() < WAIT, "B was never told it is revoked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen_b = drain(&mut ev_b);
    assert!(
        !seen_b.iter().any(|e| matches!(e, SyncEvent::Connected(_))),
        "B saw a connection: {seen_b:?}"
    );
    assert!(node_b.connected().is_empty());
    assert!(cases(&node_b).await.is_empty(), "B wiped the team's cases");
    assert_eq!(heads(&node_b, &x).await, None);
    // W, still a team device, keeps syncing with A.
    assert!(node_a.connected().contains(&dw));

    node_w.shutdown().await.unwrap();
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

/// A bare iroh endpoint with a team device's key, speaking Nabij's ALPN but none of its
/// protocol: the hostile peer.
pub(crate) async fn raw_endpoint(key: &SecretKey) -> Endpoint {
    Endpoint::builder(presets::Minimal)
        .secret_key(key.clone())
        .alpns(vec![ALPN.to_vec()])
        .clear_address_lookup()
        .clear_ip_transports()
        .bind_addr("127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap())
        .unwrap()
        .relay_mode(RelayMode::Disabled)
        .bind()
        .await
        .unwrap()
}

/// What the hostile peer sends after the preamble.
enum Attack {
    /// These bytes as one frame.
    Frame(Vec<u8>),
    /// These raw bytes (a broken frame header).
    Raw(Vec<u8>),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sending_malformed_messages_is_disconnected_and_others_keep_syncing() {
    let (devices, _, _, team) = team(3);
    let (a, b, m) = (&devices[0], &devices[1], &devices[2]);
    let mut store_a = open_plain(a.dir.path());
    let x = case_for(&mut store_a, &a.who, &team, &[&b.who.member]);
    let node_a = start(store_a, &a.key).await;
    let node_b = start(open_plain(b.dir.path()), &b.key).await;
    let mut ev_a = node_a.subscribe();
    node_b.add_peer(addr_of(&node_a)).unwrap();
    let (db, dm) = (node_b.device(), device_of_key(&m.key));
    wait_event(&mut ev_a, |e| *e == SyncEvent::CaughtUp(db)).await;
    wait_heads(&node_b, &x, &heads(&node_a, &x).await).await;

    let raw = raw_endpoint(&m.key).await;
    let doc = |sync: Vec<u8>| {
        WireMessage::Doc {
            doc_id: x.to_string(),
            kind: DocKind::Case,
            sync,
            signatures: Vec::new(),
        }
        .encode()
    };
    let over_cap = u32::try_from(MAX_MESSAGE_BYTES + 1).unwrap().to_be_bytes();
    let attacks: Vec<(&str, Attack, bool)> = vec![
        // (name, what is sent, whether the engine sees it: else the framing layer ends it)
        ("garbage", Attack::Frame(b"\x00\x01garbage".to_vec()), true),
        (
            "zero-bit bloom filter",
            Attack::Frame(doc(message_with_bloom(&[3, 0, 7]))),
            true,
        ),
        (
            "bad automerge",
            Attack::Frame(doc(vec![0x42, 0xff, 0xff])),
            true,
        ),
        ("frame over the cap", Attack::Raw(over_cap.to_vec()), false),
        ("empty frame", Attack::Raw(vec![0, 0, 0, 0]), false),
    ];
    for (round, (name, attack, engine)) in attacks.into_iter().enumerate() {
        let started = Instant::now();
        let connection = tokio::time::timeout(
            WAIT,
            raw.connect(addr_of(&node_a).endpoint_addr().unwrap(), ALPN),
        )
        .await
        .expect("connect timed out")
        .unwrap();
        let (mut send, _recv) = connection.open_bi().await.unwrap();
        send.write_all(b"NBJ2").await.unwrap();
        // The session must be up before the attack, so the engine (not only the framing layer)
        // judges it.
        wait_event(&mut ev_a, |e| *e == SyncEvent::Connected(dm)).await;
        match attack {
            Attack::Frame(bytes) => write_frame(&mut send, &bytes).await.unwrap(),
            Attack::Raw(bytes) => send.write_all(&bytes).await.unwrap(),
        }
        // A closes the connection with the protocol error code.
        let closed = tokio::time::timeout(WAIT, connection.closed())
            .await
            .unwrap_or_else(|_| panic!("{name}: A did not close the connection"));
        match closed {
            ConnectionError::ApplicationClosed(close) => assert_eq!(
                close.error_code,
                VarInt::from_u32(CLOSE_PROTOCOL),
                "{name}: {close:?}"
            ),
            other => panic!("{name}: closed with {other:?}"),
        }
        if engine {
            wait_event(
                &mut ev_a,
                |e| matches!(e, SyncEvent::Ended(d, EndReason::Misbehaved(_)) if *d == dm),
            )
            .await;
        } else {
            wait_event(&mut ev_a, |e| *e == SyncEvent::Disconnected(dm)).await;
        }
        eprintln!("hostile: {name} ended in {:?}", started.elapsed());
        assert!(!node_a.connected().contains(&dm), "{name}");
        assert_eq!(cases(&node_a).await, ids(&[&x]), "{name}");

        // A and B still sync, both ways, on their own connection.
        let from_a = journal(&node_a, &a.who, &x, &format!("A na {name}")).await;
        wait_heads(&node_b, &x, &from_a).await;
        let from_b = journal(&node_b, &b.who, &x, &format!("B na {name}")).await;
        wait_heads(&node_a, &x, &from_b).await;
        let journal_len = {
            let x = x.clone();
            node_a
                .with_store(move |s| s.open_case(&x).unwrap().journal.len())
                .await
                .unwrap()
        };
        assert_eq!(journal_len, 2 * (round + 1), "{name}");
        assert!(node_a.connected().contains(&db), "{name}");
    }
    raw.close().await;
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

fn device_of_key(key: &SecretKey) -> DeviceId {
    nabij_crdt::transport::key::device_of(key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_document_is_set_aside_and_everything_else_keeps_syncing() {
    let (devices, _, _, team) = team(2);
    let (a, b) = (&devices[0], &devices[1]);
    let mut store_a = open_plain(a.dir.path());
    let x = case_for(&mut store_a, &a.who, &team, &[&b.who.member]);
    let y = case_for(&mut store_a, &a.who, &team, &[&b.who.member]);
    drop(store_a);
    // A bit flips in one of X's stored chunks on A.
    {
        let raw = rusqlite::Connection::open(a.dir.path().join(nabij_crdt::store::DATABASE_FILE))
            .unwrap();
        let (seq, mut bytes): (i64, Vec<u8>) = raw
            .query_row(
                "SELECT seq, data FROM document_chunk WHERE doc_id = ?1 ORDER BY seq LIMIT 1",
                [x.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x08;
        raw.execute(
            "UPDATE document_chunk SET data = ?3 WHERE doc_id = ?1 AND seq = ?2",
            rusqlite::params![x.as_str(), seq, bytes],
        )
        .unwrap();
    }
    let node_a = start(open_plain(a.dir.path()), &a.key).await;
    let node_b = start(open_plain(b.dir.path()), &b.key).await;
    let (mut ev_a, mut ev_b) = (node_a.subscribe(), node_b.subscribe());
    node_b.add_peer(addr_of(&node_a)).unwrap();
    let (da, db) = (node_a.device(), node_b.device());
    wait_event(&mut ev_b, |e| *e == SyncEvent::CaughtUp(da)).await;
    // B gets Y whole; X, damaged on A, is set aside instead of ending the session.
    wait_heads(&node_b, &y, &heads(&node_a, &y).await).await;
    assert_eq!(heads(&node_b, &x).await, None);
    let from_a = journal(&node_a, &a.who, &y, "Na de schade").await;
    wait_heads(&node_b, &y, &from_a).await;
    let from_b = journal(&node_b, &b.who, &y, "B na de schade").await;
    wait_heads(&node_a, &y, &from_b).await;
    let ended = |events: Vec<SyncEvent>| {
        events
            .into_iter()
            .filter(|e| matches!(e, SyncEvent::Ended(..) | SyncEvent::Disconnected(_)))
            .collect::<Vec<_>>()
    };
    assert_eq!(ended(drain(&mut ev_a)), vec![]);
    assert_eq!(ended(drain(&mut ev_b)), vec![]);
    assert!(node_a.connected().contains(&db));
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

//! Joining a team by invitation and being revoked from it, over real iroh on loopback: an
//! admin's device invites a new member's laptop, the laptop joins with the invitation's text,
//! receives the case it is allowed on and sends its own journal entry back; a used or made-up
//! invitation is refused; a revoked laptop is told on its next contact and wipes the team's
//! data. No public relay or DNS; every wait is bounded.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use nabij_crdt::case::NewCase;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, DeviceId};
use nabij_crdt::invite::Invitation;
use nabij_crdt::store::invitation::Refusal;
use nabij_crdt::team::NewMember;
use nabij_crdt::transport::join::JoinError;
use nabij_crdt::transport::key::{device_of, generate};
use nabij_crdt::transport::{Config, Node, SyncEvent};

use super::{entry, open_plain};

const WAIT: Duration = Duration::from_secs(30);

fn config(key: &iroh::SecretKey) -> Config {
    Config {
        secret_key: key.clone(),
        bind: Some("127.0.0.1:0".parse().unwrap()),
        relay: None,
        peers: vec![],
        always_on: BTreeSet::new(),
        tick: Duration::from_millis(300),
        dial_team: true,
        lan_discovery: false,
    }
}

/// A store with a new team started on the device of `key` (its admin's profile) and one more
/// member called `name`.
fn admin_and_member(
    dir: &std::path::Path,
    key: &iroh::SecretKey,
    name: &str,
) -> (
    nabij_crdt::store::Store,
    nabij_crdt::store::profile::Profile,
    nabij_crdt::id::MemberId,
) {
    let mut store = open_plain(dir);
    store.set_device_key(key.clone()).unwrap();
    let admin = store
        .start_team(
            "Sociaal Huis Noord",
            NewMember {
                name: "An Admin".into(),
                role: "coördinator".into(),
                organisation: None,
            },
        )
        .unwrap();
    let member = store
        .edit_team(&store.author(&admin).unwrap(), &admin.team, |t| {
            t.add_member(
                NewMember {
                    name: name.into(),
                    role: "maatschappelijk werker".into(),
                    organisation: None,
                },
                false,
            )
        })
        .unwrap();
    (store, admin, member)
}

/// Poll `check` on the node's store until it is true (bounded).
async fn until<F>(node: &Node, what: &str, check: F)
where
    F: Fn(&mut nabij_crdt::store::Store) -> bool + Send + Sync + Clone + 'static,
{
    let started = Instant::now();
    loop {
        let check = check.clone();
        if node.with_store(move |s| check(s)).await.unwrap() {
            return;
        }
        assert!(started.elapsed() < WAIT, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn journal_len(store: &mut nabij_crdt::store::Store, case: &CaseId) -> Option<usize> {
    store.open_case(case).ok().map(|c| c.journal.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_joins_by_invitation_syncs_and_is_wiped_when_revoked() {
    let (key_a, key_b, key_c) = (
        generate().unwrap(),
        generate().unwrap(),
        generate().unwrap(),
    );
    let (dir_a, dir_b, dir_c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (store_a, admin, bram) = admin_and_member(dir_a.path(), &key_a, "Bram Peeters");
    let node_a = Node::start(store_a, config(&key_a)).await.unwrap();
    let addresses = node_a.addresses();
    assert!(
        addresses.iter().any(|a| a.ip().is_loopback()),
        "{addresses:?}"
    );
    let (me_a, bram2) = (admin.clone(), bram.clone());
    let invitation = node_a
        .with_store(move |s| s.create_invitation(&me_a, &bram2, &addresses))
        .await
        .unwrap()
        .unwrap();
    // It travels as text.
    let text = invitation.to_text().unwrap();
    let invitation = Invitation::parse(&text).unwrap();

    // Bram's laptop: an empty store, joins with the text.
    let node_b = Node::start(open_plain(dir_b.path()), config(&key_b))
        .await
        .unwrap();
    let mut events_b = node_b.subscribe();
    let profile_b = node_b
        .join(&invitation, Some("Laptop Bram".into()))
        .await
        .unwrap();
    assert_eq!(profile_b.member, bram);
    assert_eq!(profile_b.team, admin.team);
    assert_eq!(profile_b.device, device_of(&key_b));
    let team_b = node_b
        .with_store({
            let team = admin.team.clone();
            move |s| s.open_team(&team).unwrap()
        })
        .await
        .unwrap();
    let listed = &team_b.devices[&device_of(&key_b).to_string()];
    assert_eq!(listed.member, bram.to_string());
    assert_eq!(listed.label.as_deref(), Some("Laptop Bram"));
    assert!(
        !listed.addresses.is_empty(),
        "the admin noted where it listens"
    );

    // The same invitation from another device, and a made-up one, are refused.
    let node_c = Node::start(open_plain(dir_c.path()), config(&key_c))
        .await
        .unwrap();
    match node_c.join(&invitation, None).await {
        Err(JoinError::Refused(Refusal::Unknown)) => {}
        other => panic!("a used invitation must be refused: {other:?}"),
    }
    let made_up = Invitation {
        secret: [9; 16],
        ..invitation.clone()
    };
    match node_c.join(&made_up, None).await {
        Err(JoinError::Refused(Refusal::Unknown)) => {}
        other => panic!("a made-up invitation must be refused: {other:?}"),
    }
    let c_has = node_c
        .with_store(|s| (s.profile().unwrap(), s.document_ids(DocKind::Team).unwrap()))
        .await
        .unwrap();
    assert_eq!(c_has, (None, vec![]), "a refused device stores nothing");
    node_c.shutdown().await.unwrap();

    // A case for Bram crosses over; his entry comes back.
    let me_a = admin.clone();
    let bram3 = bram.clone();
    let case = node_a
        .with_store(move |s| {
            let case = s
                .register_case(
                    &me_a,
                    NewCase {
                        client_name: "Yasmina El Amrani".into(),
                        birth_date: None,
                        contact: None,
                        language: None,
                        owner: None,
                        address: None,
                    },
                )
                .unwrap();
            s.edit_case(&s.author(&me_a).unwrap(), &case, |c| {
                c.set_member_allowed(&bram3, true)
            })
            .unwrap();
            case
        })
        .await
        .unwrap();
    let case2 = case.clone();
    until(&node_b, "the case reaches Bram", move |s| {
        journal_len(s, &case2).is_some()
    })
    .await;
    let (case3, me_b) = (case.clone(), profile_b.clone());
    node_b
        .with_store(move |s| {
            s.edit_case(&s.author(&me_b).unwrap(), &case3, |c| {
                c.add_journal_entry(entry("Huisbezoek gedaan", "2026-11-20"))
            })
            .unwrap();
        })
        .await
        .unwrap();
    let case4 = case.clone();
    until(&node_a, "Bram's entry reaches the admin", move |s| {
        journal_len(s, &case4) == Some(1)
    })
    .await;
    // Both sides know the other has everything: nothing is left unsent, and the time of the
    // last sync is known.
    let started = Instant::now();
    while !(node_a.status().unsent.is_empty() && node_b.status().unsent.is_empty()) {
        assert!(
            started.elapsed() < WAIT,
            "still unsent: A {:?}, B {:?}",
            node_a.status().unsent,
            node_b.status().unsent
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(node_b.status().last_sync_ms.is_some());
    // Something the app shows changed: the laptop was told.
    let mut changed = false;
    while let Ok(event) = events_b.try_recv() {
        changed |= matches!(&event, SyncEvent::Changed(ids) if ids.contains(&case.to_string()));
    }
    assert!(changed, "B got a Changed event for the case");

    // Revoke Bram's laptop: it is told on its next contact and wipes the team's data.
    let device_b: DeviceId = device_of(&key_b);
    let me_a = admin.clone();
    node_a
        .with_store(move |s| {
            s.edit_team(&s.author(&me_a).unwrap(), &me_a.team, |t| {
                t.revoke_device(&device_b)
            })
            .unwrap();
        })
        .await
        .unwrap();
    let started = Instant::now();
    loop {
        if node_b.status().revoked {
            break;
        }
        assert!(started.elapsed() < WAIT, "B was never told it is revoked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = node_b
        .with_store(|s| {
            (
                s.profile().unwrap(),
                s.document_ids(DocKind::Team).unwrap().len(),
                s.document_ids(DocKind::Case).unwrap().len(),
                s.list_cases(&Default::default())
                    .map(|l| l.len())
                    .unwrap_or(usize::MAX),
            )
        })
        .await
        .unwrap();
    assert_eq!(left, (None, 0, 0, 0), "B's team data is wiped");
    node_b.shutdown().await.unwrap();
    node_a.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_peer_joins_with_an_invitation_and_once_always_on_holds_every_case() {
    use super::transport::{PeerProcess, peer_args};
    let key_a = generate().unwrap();
    let dir_a = tempfile::tempdir().unwrap();
    let (store_a, admin, server_member) = admin_and_member(dir_a.path(), &key_a, "Kantoor");
    let node_a = Node::start(store_a, config(&key_a)).await.unwrap();
    let addresses = node_a.addresses();
    let me_a = admin.clone();
    let text = node_a
        .with_store(move |s| s.create_invitation(&me_a, &server_member, &addresses))
        .await
        .unwrap()
        .unwrap()
        .to_text()
        .unwrap();

    let peer_dir = tempfile::tempdir().unwrap();
    let data_dir = peer_dir.path().join("data");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_nabij-peer"));
    command.args(peer_args(
        &data_dir,
        &peer_dir.path().join("store.key"),
        &peer_dir.path().join("device.key"),
    ));
    command.args(["--bind", "127.0.0.1:0", "--join", &text]);
    let peer = PeerProcess::spawn(command);
    let server = peer.addr.device;
    // Mark it always-on; it learns so from the team document.
    let me_a = admin.clone();
    node_a
        .with_store(move |s| {
            s.edit_team(&s.author(&me_a).unwrap(), &me_a.team, |t| {
                t.set_device_always_on(&server, true)
            })
            .unwrap();
        })
        .await
        .unwrap();
    assert!(
        peer.wait_log(&["received", admin.team.as_str()], WAIT),
        "the peer got the team document with its always-on flag"
    );
    // A case nobody else is allowed on reaches it.
    let me_a = admin.clone();
    let case = node_a
        .with_store(move |s| {
            s.register_case(
                &me_a,
                NewCase {
                    client_name: "Jonas Vermeulen".into(),
                    birth_date: None,
                    contact: None,
                    language: None,
                    owner: None,
                    address: None,
                },
            )
            .unwrap()
        })
        .await
        .unwrap();
    assert!(
        peer.wait_log(&["received", case.as_str()], WAIT),
        "the always-on peer received the case"
    );
    peer.stop();
    node_a.shutdown().await.unwrap();
    let store = nabij_crdt::store::Store::open(
        &data_dir,
        &nabij_crdt::store::KeySource::File(peer_dir.path().join("store.key")),
    )
    .unwrap();
    assert_eq!(
        store.document_ids(DocKind::Case).unwrap(),
        vec![case.to_string()]
    );
    let profile = store.profile().unwrap().unwrap();
    assert_eq!(profile.device, server);
}

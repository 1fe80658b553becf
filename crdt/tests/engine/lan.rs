//! LAN discovery between two real `nabij-peer` processes, each in a network namespace of its
//! own that the test creates (`ip netns`), joined by a veth pair with private addresses: never
//! on a real interface. Each peer knows the other by device id only (no address, no relay).
//! With `--lan` they find each other with multicast DNS and a case crosses; without it they do
//! not find each other. Needs root (CI runs as root): without the right to create namespaces
//! the tests fail with a message saying so. Processes are stopped by pid (SIGTERM, then
//! SIGKILL); the namespaces (and with them the veth pair) are deleted even when a test fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use iroh::SecretKey;
use nabij_crdt::doc::DocKind;
use nabij_crdt::id::{CaseId, TeamId};
use nabij_crdt::store::{KeySource, SignedDocument, Store};
use nabij_crdt::transport::key::device_of;

use super::open_store;
use super::transport::{PeerProcess, WAIT, peer_args, shared_case, team, write_device_key};

/// How long peers without LAN discovery get to (not) find each other.
const NO_LAN_WAIT: Duration = Duration::from_secs(3);

/// Run `ip` with `args`; its output, or a panic naming the command.
fn ip(args: &[&str]) -> Output {
    let output = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `ip {}`: {e}", args.join(" ")));
    assert!(
        output.status.success(),
        "`ip {}` failed ({}): {}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    output
}

/// Two network namespaces joined by a veth pair, deleted on drop.
struct Lan {
    names: [String; 2],
    created: Vec<String>,
}

impl Lan {
    /// The address of side `i` on the veth pair.
    fn addr(i: usize) -> String {
        format!("10.231.0.{}", i + 1)
    }

    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let tag = format!(
            "nbj{}x{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut lan = Self {
            names: [format!("{tag}a"), format!("{tag}b")],
            created: Vec::new(),
        };
        for name in lan.names.clone() {
            let output = Command::new("ip")
                .args(["netns", "add", &name])
                .output()
                .expect("cannot run `ip` (iproute2 is needed for the LAN tests)");
            assert!(
                output.status.success(),
                "`ip netns add {name}` failed: {}. The LAN discovery tests create network \
                 namespaces and need root (CAP_SYS_ADMIN and CAP_NET_ADMIN); run them as root.",
                String::from_utf8_lossy(&output.stderr).trim()
            );
            lan.created.push(name);
        }
        let [a, b] = &lan.names;
        // Both ends are created directly inside the namespaces: nothing appears on the host.
        ip(&[
            "link", "add", a, "netns", a, "type", "veth", "peer", "name", b, "netns", b,
        ]);
        for (i, name) in lan.names.iter().enumerate() {
            let cidr = format!("{}/24", Self::addr(i));
            for args in [
                vec!["link", "set", "lo", "up"],
                vec!["addr", "add", &cidr, "dev", name],
                vec!["link", "set", name, "up"],
                // The namespace has no default route, and mDNS sends to 224.0.0.251 on "the
                // default interface" (the kernel's route to it): give multicast a route.
                vec!["route", "add", "224.0.0.0/4", "dev", name],
            ] {
                let mut full = vec!["-n", name.as_str()];
                full.extend(args);
                ip(&full);
            }
        }
        lan
    }

    /// A command running `program` inside namespace `i` (`ip netns exec` execs it: same pid).
    fn command(&self, i: usize, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.names[i], program]);
        command
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth end in it, and with it the other end.
        for name in &self.created {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// A team peer's files: an encrypted store holding the team document, and its device key.
struct PeerFiles {
    data_dir: PathBuf,
    store_key: PathBuf,
    device_key: PathBuf,
}

impl PeerFiles {
    fn new(dir: &Path, key: &SecretKey, team: &TeamId, team_bytes: &SignedDocument) -> Self {
        let files = Self {
            data_dir: dir.join("data"),
            store_key: dir.join("store.key"),
            device_key: dir.join("device.key"),
        };
        write_device_key(&files.device_key, key);
        files
            .open()
            .merge_document(DocKind::Team, team.as_str(), team_bytes)
            .unwrap();
        files
    }

    fn open(&self) -> Store {
        open_store(&self.data_dir, &KeySource::File(self.store_key.clone())).unwrap()
    }
}

/// Two team members' devices, each run as a nabij-peer in its own namespace and told only the
/// other's device id; A holds a case shared with B. Returns the case, whether B logged a line
/// with `event` about A within `wait` (and how long that took), and B's store (read after both
/// processes stopped).
fn run_pair(lan_discovery: bool, event: &str, wait: Duration) -> (CaseId, bool, Duration, Store) {
    let (devices, _, team_bytes, team_id) = team(2);
    let (a, b) = (&devices[0], &devices[1]);
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let files = [
        PeerFiles::new(dirs[0].path(), &a.key, &team_id, &team_bytes),
        PeerFiles::new(dirs[1].path(), &b.key, &team_id, &team_bytes),
    ];
    let id = shared_case(&mut files[0].open(), &a.who, &team_id, &b.who);
    let lan = Lan::new();
    let start = Instant::now();
    let spawn = |i: usize, other: &SecretKey| {
        let mut command = lan.command(i, env!("CARGO_BIN_EXE_nabij-peer"));
        command
            .args(peer_args(
                &files[i].data_dir,
                &files[i].store_key,
                &files[i].device_key,
            ))
            .args(["--bind", "0.0.0.0:0"])
            .args(["--peer", &device_of(other).to_string()]);
        if lan_discovery {
            command.arg("--lan");
        }
        PeerProcess::spawn(command)
    };
    let peer_a = spawn(0, &b.key);
    let peer_b = spawn(1, &a.key);
    for peer in [&peer_a, &peer_b] {
        let exe = std::fs::read_link(format!("/proc/{}/exe", peer.pid())).unwrap();
        assert!(
            exe.ends_with("nabij-peer"),
            "pid {} is {exe:?}, not nabij-peer",
            peer.pid()
        );
    }
    let a_device = peer_a.addr.device.to_string();
    let seen = peer_b.wait_log(&[event, &a_device], wait);
    let took = start.elapsed();
    peer_b.stop();
    peer_a.stop();
    drop(lan);
    let store_b = files[1].open();
    (id, seen, took, store_b)
}

#[test]
fn peers_known_by_device_id_only_find_each_other_on_the_lan() {
    let (id, caught_up, took, mut store_b) = run_pair(true, "caught up", WAIT);
    assert!(
        caught_up,
        "B did not catch up with A on the LAN within {WAIT:?}"
    );
    eprintln!("lan: start, discovery, connect and first sync in {took:?}");
    let case = store_b.open_case(&id).unwrap();
    assert_eq!(case.client_name(), "Fatima El Idrissi");
}

#[test]
fn without_lan_discovery_peers_known_by_device_id_only_do_not_meet() {
    // "connected" also matches "disconnected": any connection at all fails the test.
    let (_, connected, _, store_b) = run_pair(false, "connected", NO_LAN_WAIT);
    assert!(
        !connected,
        "B connected to A although LAN discovery was off"
    );
    let cases = store_b.document_ids(DocKind::Case).unwrap();
    assert!(
        cases.is_empty(),
        "B received {cases:?} without LAN discovery"
    );
}

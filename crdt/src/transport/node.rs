//! The sync node of one device: the [`Engine`] and the [`Store`] on a thread of their own
//! (SQLite and Automerge calls block), fed by tokio tasks: one per connection, an accept loop,
//! a ticker (about once a second) and a dialer per known peer (with backoff). Edits go through
//! [`Node::with_store`] followed by [`Node::local_change`].
//!
//! At most one connection per peer is used. When both sides dial at once, both keep the
//! connection dialed by the lower device id; a new connection from the same dialer replaces the
//! old one (a reconnect).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use iroh::address_lookup::MemoryLookup;
use iroh::{Endpoint, RelayUrl, SecretKey};
use tokio::sync::{Notify, broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::TransportError;
use super::conn::{self, Link, Out, is_revoked};
use super::endpoint::{self, ALPN, Allowed, PeerAddr, Roster};
use super::join::{self, JOIN_ALPN, JoinError};
use super::key::device_of;
use crate::date::now_ms;
use crate::id::DeviceId;
use crate::invite::Invitation;
use crate::store::invitation::Refusal;
use crate::store::profile::Profile;
use crate::store::{Store, StoreError};
use crate::sync::{Effect, EndReason, Engine, Event, Replica};

/// The store as the node and the app share it: each holds the lock for one piece of work.
pub type SharedStore = Arc<Mutex<Store>>;

/// Where the list of changes not yet sent is kept across restarts (`device_setting`).
const UNSENT_SETTING: &str = "sync.unsent";

/// How a node is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The device key (its public key is this device's id).
    pub secret_key: SecretKey,
    /// Where to listen for UDP (none: reachable only through the relay).
    pub bind: Option<SocketAddr>,
    /// The team's relay, if any (never a public one).
    pub relay: Option<RelayUrl>,
    /// Peers to dial.
    pub peers: Vec<PeerAddr>,
    /// The team's always-on peers (this device included if it is one).
    pub always_on: BTreeSet<DeviceId>,
    /// How often the engine ticks.
    pub tick: Duration,
    /// Also dial every active device the team document lists, at the addresses it gives (and
    /// new ones as they are added).
    pub dial_team: bool,
    /// Also find peers on the local network with multicast DNS, and announce this device there
    /// (see [`endpoint::lan_lookup`]). Peers given by device id alone are then found by it.
    /// The user can switch it off; tests keep it off outside network namespaces.
    pub lan_discovery: bool,
}

/// What happened to a peer, for status displays and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// A connection to the device is up.
    Connected(DeviceId),
    /// The device and this one hold the same versions of what they share.
    CaughtUp(DeviceId),
    /// The connection to the device is gone.
    Disconnected(DeviceId),
    /// The engine ended the session.
    Ended(DeviceId, EndReason),
    /// Documents changed by sync (received from a peer), by id.
    Changed(Vec<String>),
    /// A team device told this one that it was revoked; the team's data has been wiped.
    Revoked(DeviceId),
}

/// The sync state at a glance, for the app's status display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// Devices of the team with a connection now.
    pub connected: Vec<DeviceId>,
    /// Devices of the team this device tries to reach.
    pub known: Vec<DeviceId>,
    /// When this device last caught up with a peer (ms since epoch).
    pub last_sync_ms: Option<i64>,
    /// Documents changed here that no peer allowed to hold them has received yet.
    pub unsent: Vec<String>,
    /// Whether this device was revoked (and wiped).
    pub revoked: bool,
}

type Job = Box<dyn FnOnce(&mut Store) + Send>;

enum Command {
    Link(Link),
    Event(Event),
    Run(Job),
    /// Documents the app changed (outside the sync thread): push them.
    Changed(Vec<String>),
    /// A team device said this one is revoked: wipe.
    Revoked(DeviceId),
}

struct Shared {
    me: DeviceId,
    allowed: Allowed,
    connected: Mutex<BTreeSet<DeviceId>>,
    next_conn: AtomicU64,
    events: broadcast::Sender<SyncEvent>,
    status: Mutex<Status>,
    revoked: AtomicBool,
    /// Woken when the team's devices may have changed (dial new ones).
    team_changed: Notify,
    /// A tick is queued for the sync thread and not handled yet.
    tick_queued: AtomicBool,
    /// Frame bytes (length prefix included) sent and received on every connection.
    sent_bytes: AtomicU64,
    received_bytes: AtomicU64,
}

impl Shared {
    fn is_connected(&self, peer: &DeviceId) -> bool {
        self.connected.lock().is_ok_and(|set| set.contains(peer))
    }

    fn set_connected(&self, peer: DeviceId, up: bool) {
        if let Ok(mut set) = self.connected.lock() {
            if up {
                set.insert(peer);
            } else {
                set.remove(&peer);
            }
        }
    }
}

/// Reports documents the app changed to a running node (see [`Node::notifier`]).
#[derive(Debug, Clone)]
pub struct Notifier(mpsc::WeakUnboundedSender<Command>);

impl Notifier {
    /// The app changed these documents: push them. Does nothing once the node has stopped.
    pub fn changed(&self, doc_ids: Vec<String>) {
        if doc_ids.is_empty() {
            return;
        }
        if let Some(commands) = self.0.upgrade() {
            let _ = commands.send(Command::Changed(doc_ids));
        }
    }
}

/// Bytes this node exchanged, counted as frames on the stream (the 4-byte length prefix
/// included; QUIC and TLS overhead not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes of frames sent.
    pub sent: u64,
    /// Bytes of frames received.
    pub received: u64,
}

/// A running sync node.
pub struct Node {
    shared: Arc<Shared>,
    endpoint: Endpoint,
    lookup: MemoryLookup,
    relay: Option<RelayUrl>,
    commands: mpsc::UnboundedSender<Command>,
    links: mpsc::Sender<Link>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    dialing: Arc<Mutex<BTreeSet<DeviceId>>>,
    store: SharedStore,
    actor: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("device", &self.shared.me)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// Start syncing `store` (must run inside a tokio runtime).
    pub async fn start(store: Store, config: Config) -> Result<Self, TransportError> {
        Self::start_shared(Arc::new(Mutex::new(store)), config).await
    }

    /// Start syncing a store shared with the app (must run inside a tokio runtime). After the
    /// app changes documents outside the node, it calls [`Node::changed`] with their ids.
    pub async fn start_shared(store: SharedStore, config: Config) -> Result<Self, TransportError> {
        let me = device_of(&config.secret_key);
        let allowed: Allowed = Arc::new(RwLock::new(Roster::default()));
        let unsent = {
            let mut guard = store.lock().map_err(|_| TransportError::Stopped)?;
            // What this device writes is signed with its key (the store refuses a key of
            // another device than its profile's).
            guard
                .set_device_key(config.secret_key.clone())
                .map_err(|e| TransportError::Setup(e.to_string()))?;
            refresh_allowed(&mut guard, &allowed);
            guard
                .setting(UNSENT_SETTING)
                .ok()
                .flatten()
                .map(|text| text.lines().map(str::to_string).collect())
                .unwrap_or_default()
        };
        let lookup = MemoryLookup::new();
        let endpoint = endpoint::bind(
            config.secret_key.clone(),
            config.bind,
            config.relay.clone(),
            lookup.clone(),
            config.lan_discovery,
            allowed.clone(),
        )
        .await?;
        let (events, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            me,
            allowed,
            connected: Mutex::new(BTreeSet::new()),
            next_conn: AtomicU64::new(1),
            events,
            status: Mutex::new(Status {
                unsent,
                ..Status::default()
            }),
            revoked: AtomicBool::new(false),
            team_changed: Notify::new(),
            tick_queued: AtomicBool::new(false),
            sent_bytes: AtomicU64::new(0),
            received_bytes: AtomicU64::new(0),
        });
        let (commands, rx) = mpsc::unbounded_channel();
        let engine = Engine::new(me, config.always_on.clone());
        let actor_shared = shared.clone();
        let actor_store = store.clone();
        let actor = std::thread::Builder::new()
            .name("nabij-sync".into())
            .spawn(move || actor(&actor_store, engine, rx, &actor_shared))
            .map_err(|e| TransportError::Setup(format!("sync thread: {e}")))?;
        let (links, mut link_rx) = mpsc::channel::<Link>(256);
        let mut tasks = Vec::new();
        // Links go through the same queue as the other commands, in order per connection.
        let forward = commands.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(link) = link_rx.recv().await {
                if forward.send(Command::Link(link)).is_err() {
                    return;
                }
            }
        }));
        let tick = commands.clone();
        let period = config.tick;
        let ticker = shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                // At most one tick waits for a busy sync thread: ticks that pile up behind a
                // long batch would all look like time without progress to the engine.
                if ticker.tick_queued.swap(true, Ordering::Relaxed) {
                    continue;
                }
                if tick.send(Command::Event(Event::Tick)).is_err() {
                    return;
                }
            }
        }));
        tasks.push(tokio::spawn(accept_loop(
            endpoint.clone(),
            shared.clone(),
            links.clone(),
            commands.downgrade(),
        )));
        let node = Self {
            shared,
            endpoint,
            lookup,
            relay: config.relay,
            commands,
            links,
            tasks: Arc::new(Mutex::new(tasks)),
            dialing: Arc::new(Mutex::new(BTreeSet::new())),
            store,
            actor: Some(actor),
        };
        for peer in config.peers {
            node.add_peer(peer)?;
        }
        if config.dial_team {
            node.watch_team();
        }
        Ok(node)
    }

    /// Dial every active device the team document lists (with the addresses it gives), now and
    /// whenever the team document changes.
    fn watch_team(&self) {
        let shared = self.shared.clone();
        let store = self.store.clone();
        let endpoint = self.endpoint.clone();
        let lookup = self.lookup.clone();
        let relay = self.relay.clone();
        let links = self.links.clone();
        let dialing = self.dialing.clone();
        let tasks = self.tasks.clone();
        let commands = self.commands.downgrade();
        let task = tokio::spawn(async move {
            loop {
                let peers = team_peers(&store, shared.me);
                for mut peer in peers {
                    if peer.relay.is_none() {
                        peer.relay = relay.clone();
                    }
                    let Ok(addr) = peer.endpoint_addr() else {
                        continue;
                    };
                    lookup.add_endpoint_info(addr.clone());
                    let new = dialing.lock().is_ok_and(|mut d| d.insert(peer.device));
                    if new {
                        let dial = tokio::spawn(dial_loop(
                            endpoint.clone(),
                            addr,
                            peer.device,
                            shared.clone(),
                            links.clone(),
                            commands.clone(),
                        ));
                        if let Ok(mut tasks) = tasks.lock() {
                            tasks.push(dial);
                        }
                    }
                }
                if let Ok(mut status) = shared.status.lock() {
                    status.known = dialing
                        .lock()
                        .map(|d| d.iter().copied().collect())
                        .unwrap_or_default();
                }
                shared.team_changed.notified().await;
            }
        });
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push(task);
        }
    }

    /// This device.
    pub fn device(&self) -> DeviceId {
        self.shared.me
    }

    /// The UDP addresses the endpoint listens on.
    pub fn bound_addrs(&self) -> Vec<SocketAddr> {
        self.endpoint.bound_sockets()
    }

    /// The iroh endpoint (for its address and connection details).
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Peers with a connection now.
    pub fn connected(&self) -> Vec<DeviceId> {
        self.shared
            .connected
            .lock()
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Frame bytes sent and received since the node started (every connection).
    pub fn traffic(&self) -> Traffic {
        Traffic {
            sent: self.shared.sent_bytes.load(Ordering::Relaxed),
            received: self.shared.received_bytes.load(Ordering::Relaxed),
        }
    }

    /// Sync events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.shared.events.subscribe()
    }

    /// Dial `peer` (at its static address, or through the relay) and keep redialing with
    /// backoff while there is no connection to it.
    pub fn add_peer(&self, mut peer: PeerAddr) -> Result<(), TransportError> {
        if peer.relay.is_none() {
            peer.relay = self.relay.clone();
        }
        let addr = peer.endpoint_addr()?;
        self.lookup.add_endpoint_info(addr.clone());
        let new = self.dialing.lock().is_ok_and(|mut d| d.insert(peer.device));
        if !new {
            return Ok(());
        }
        let task = tokio::spawn(dial_loop(
            self.endpoint.clone(),
            addr,
            peer.device,
            self.shared.clone(),
            self.links.clone(),
            self.commands.downgrade(),
        ));
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push(task);
        }
        Ok(())
    }

    /// Run `f` on the store, on the sync thread, and return its result. After an edit, call
    /// [`Node::local_change`] with the documents it changed.
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, TransportError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = tx.send(f(store));
        });
        self.commands
            .send(Command::Run(job))
            .map_err(|_| TransportError::Stopped)?;
        rx.await.map_err(|_| TransportError::Stopped)
    }

    /// The app changed these documents (holding the shared store itself): push them to the
    /// peers allowed to see them. Never blocks.
    pub fn changed(&self, doc_ids: Vec<String>) -> Result<(), TransportError> {
        if doc_ids.is_empty() {
            return Ok(());
        }
        self.commands
            .send(Command::Changed(doc_ids))
            .map_err(|_| TransportError::Stopped)
    }

    /// A handle the app keeps to report its changes ([`Notifier::changed`]); it does not keep
    /// the node running.
    pub fn notifier(&self) -> Notifier {
        Notifier(self.commands.downgrade())
    }

    /// The sync state at a glance.
    pub fn status(&self) -> Status {
        let mut status = self
            .shared
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        status.connected = self.connected();
        status.revoked = self.shared.revoked.load(Ordering::Relaxed);
        status
    }

    /// The addresses this device can be reached on (its LAN addresses and, when listening on
    /// every interface, loopback), for invitations and the team document.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        let mut out: Vec<SocketAddr> = Vec::new();
        let bound = self.endpoint.bound_sockets();
        for addr in self.endpoint.addr().ip_addrs() {
            if !out.contains(addr) {
                out.push(*addr);
            }
        }
        for addr in bound {
            let addr = if addr.ip().is_unspecified() {
                SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
            } else {
                addr
            };
            if addr.is_ipv4() && !out.contains(&addr) {
                out.push(addr);
            }
        }
        // Private LAN addresses first, then loopback; no more than an invitation holds.
        out.sort_by_key(|a| (a.ip().is_loopback(), a.is_ipv6()));
        out.truncate(crate::invite::MAX_ADDRESSES);
        out
    }

    /// Join the team of `invitation`: ask its admin's device, store the team's documents and
    /// this device's profile, and start syncing with the team.
    pub async fn join(
        &self,
        invitation: &Invitation,
        label: Option<String>,
    ) -> Result<Profile, JoinError> {
        let own = self.addresses().iter().map(ToString::to_string).collect();
        let grant = join::request(&self.endpoint, invitation, label, own).await?;
        let me = self.shared.me;
        let owned = invitation.clone();
        let profile = self
            .with_store(move |store| store.join_team(&owned, grant, me))
            .await?
            .map_err(|e| JoinError::Protocol(e.to_string()))?;
        self.commands
            .send(Command::Event(Event::LocalChange(profile.team.to_string())))
            .map_err(|_| TransportError::Stopped)?;
        // A device that was revoked from a team before may join another (or rejoin): dial
        // afresh.
        self.shared.revoked.store(false, Ordering::Relaxed);
        if let Ok(mut dialing) = self.dialing.lock() {
            dialing.clear();
        }
        self.add_peer(PeerAddr {
            device: invitation.admin,
            addr: invitation.addresses.first().copied(),
            relay: None,
        })?;
        self.shared.team_changed.notify_one();
        Ok(profile)
    }

    /// Document `doc_id` changed on this device: push it to the peers allowed to see it.
    pub async fn local_change(&self, doc_id: impl Into<String>) -> Result<(), TransportError> {
        self.commands
            .send(Command::Changed(vec![doc_id.into()]))
            .map_err(|_| TransportError::Stopped)
    }

    /// Stop and hand the store back (fails when the store is still shared with someone else).
    pub async fn shutdown(self) -> Result<Store, TransportError> {
        let store = self.stop().await?;
        Arc::try_unwrap(store)
            .map_err(|_| TransportError::Stopped)?
            .into_inner()
            .map_err(|_| TransportError::Stopped)
    }

    /// Stop: close every connection and the endpoint; returns the shared store.
    pub async fn stop(mut self) -> Result<SharedStore, TransportError> {
        if let Ok(mut tasks) = self.tasks.lock() {
            for task in tasks.drain(..) {
                task.abort();
            }
        }
        let actor = self.actor.take().ok_or(TransportError::Stopped)?;
        // Dropping every sender ends the sync thread's loop.
        let (commands, _) = mpsc::unbounded_channel();
        drop(std::mem::replace(&mut self.commands, commands));
        let (links, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.links, links));
        tokio::task::spawn_blocking(move || actor.join())
            .await
            .map_err(|_| TransportError::Stopped)?
            .map_err(|_| TransportError::Stopped)?;
        self.endpoint.close().await;
        Ok(self.store.clone())
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            for task in tasks.drain(..) {
                task.abort();
            }
        }
    }
}

/// Accept connections (the handshake hook has already refused devices outside the team):
/// sync sessions, and join requests answered from the store.
async fn accept_loop(
    endpoint: Endpoint,
    shared: Arc<Shared>,
    links: mpsc::Sender<Link>,
    commands: mpsc::WeakUnboundedSender<Command>,
) {
    while let Some(incoming) = endpoint.accept().await {
        let shared = shared.clone();
        let links = links.clone();
        let commands = commands.clone();
        let seen = match incoming.remote_addr() {
            iroh::endpoint::IncomingAddr::Ip(addr) => Some(addr),
            _ => None,
        };
        tokio::spawn(async move {
            match incoming.await {
                Ok(connection) if connection.alpn() == JOIN_ALPN => {
                    let Some(commands) = commands.upgrade() else {
                        return;
                    };
                    join::serve(connection, seen, |device, request| {
                        answer_join(device, request, commands)
                    })
                    .await;
                }
                Ok(connection) => {
                    let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                    conn::run(connection, id, shared.me, false, links).await;
                }
                Err(e) => tracing::info!("incoming connection failed: {e}"),
            }
        });
    }
}

/// Answer a join request on the sync thread: redeem the invitation, then push the team
/// document to the connected peers and let the handshake admit the new device.
async fn answer_join(
    device: DeviceId,
    request: join::JoinRequest,
    commands: mpsc::UnboundedSender<Command>,
) -> Option<Result<crate::store::invitation::JoinGrant, Refusal>> {
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move |store: &mut Store| {
        let _ = tx.send(redeem(store, device, &request));
    });
    commands.send(Command::Run(job)).ok()?;
    let (answer, team) = rx.await.ok()?.ok()?;
    if let Some(team) = team {
        let _ = commands.send(Command::Event(Event::LocalChange(team)));
    }
    Some(answer)
}

type Redeemed = (
    Result<crate::store::invitation::JoinGrant, Refusal>,
    Option<String>,
);

fn redeem(
    store: &mut Store,
    device: DeviceId,
    request: &join::JoinRequest,
) -> Result<Redeemed, StoreError> {
    let answer = store.redeem_invitation(
        &request.secret,
        &device,
        request.label.clone(),
        request.addresses.clone(),
    )?;
    let team = store.profile()?.map(|p| p.team.to_string());
    Ok((answer, team))
}

/// Keep a connection to `device` while there is none: dial, run it, back off.
async fn dial_loop(
    endpoint: Endpoint,
    addr: iroh::EndpointAddr,
    device: DeviceId,
    shared: Arc<Shared>,
    links: mpsc::Sender<Link>,
    revoked: mpsc::WeakUnboundedSender<Command>,
) {
    const FIRST: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(30);
    let mut backoff = FIRST;
    loop {
        if shared.revoked.load(Ordering::Relaxed) {
            return;
        }
        if shared.is_connected(&device) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        let started = Instant::now();
        match tokio::time::timeout(
            Duration::from_secs(15),
            endpoint.connect(addr.clone(), ALPN),
        )
        .await
        {
            Ok(Ok(connection)) => {
                let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                let told_revoked = conn::run(connection, id, shared.me, true, links.clone()).await;
                if told_revoked {
                    // The remote passed our own handshake check (an active device of the
                    // team), and says this device is revoked.
                    tracing::warn!(%device, "this device was revoked from the team");
                    if let Some(revoked) = revoked.upgrade() {
                        let _ = revoked.send(Command::Revoked(device));
                    }
                    return;
                }
                if started.elapsed() > Duration::from_secs(10) {
                    backoff = FIRST;
                }
            }
            Ok(Err(e)) => {
                let told = match &e {
                    iroh::endpoint::ConnectError::Connection { source, .. } => is_revoked(source),
                    iroh::endpoint::ConnectError::Connecting {
                        source: iroh::endpoint::ConnectingError::ConnectionError { source, .. },
                        ..
                    } => is_revoked(source),
                    _ => false,
                };
                if told {
                    tracing::warn!(%device, "this device was revoked from the team");
                    if let Some(revoked) = revoked.upgrade() {
                        let _ = revoked.send(Command::Revoked(device));
                    }
                    return;
                }
                tracing::debug!(%device, "dial failed: {e}");
            }
            Err(_) => tracing::debug!(%device, "dial timed out"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX);
    }
}

/// The team's devices as the team document(s) in `store` list them.
fn refresh_allowed(store: &mut Store, allowed: &Allowed) {
    let roster = match store.devices() {
        Ok(devices) => {
            let revoked: BTreeSet<DeviceId> = devices
                .iter()
                .filter(|d| d.revoked)
                .map(|d| d.device)
                .collect();
            let active = devices
                .into_iter()
                .map(|d| d.device)
                .filter(|d| !revoked.contains(d))
                .collect();
            Roster { active, revoked }
        }
        Err(e) => {
            tracing::error!("cannot read the team's devices: {e}");
            Roster::default()
        }
    };
    if let Ok(mut set) = allowed.write() {
        *set = roster;
    }
}

/// The active devices of the team other than `me`, with the first address the team document
/// gives for each.
fn team_peers(store: &SharedStore, me: DeviceId) -> Vec<PeerAddr> {
    let Ok(mut store) = store.lock() else {
        return Vec::new();
    };
    let Ok(Some(profile)) = store.profile() else {
        return Vec::new();
    };
    let Ok(team) = store.open_team(&profile.team) else {
        return Vec::new();
    };
    team.active_devices()
        .filter_map(|(id, device)| {
            let id = DeviceId::parse(id).ok()?;
            (id != me).then(|| PeerAddr {
                device: id,
                addr: device.addresses.iter().find_map(|a| a.parse().ok()),
                relay: None,
            })
        })
        .collect()
}

/// Forget documents in `status.unsent` that `peer` now holds as they are here: all it may hold
/// when the session has caught up (`caught_up`), else those it said it has at our heads.
fn mark_sent(
    store: &mut Store,
    engine: &Engine,
    peer: &DeviceId,
    shared: &Shared,
    caught_up: bool,
) {
    let Ok(mut status) = shared.status.lock() else {
        return;
    };
    if caught_up {
        status.last_sync_ms = Some(now_ms());
    }
    if status.unsent.is_empty() {
        return;
    }
    let before = status.unsent.len();
    status.unsent.retain(|id| match store.document(id) {
        Ok(Some(record)) => {
            let shared_with = engine.may_share(peer, &record.readers);
            !(shared_with && (caught_up || engine.peer_has(peer, id, &record.heads)))
        }
        // Gone (or unreadable): nothing to send.
        _ => false,
    });
    if status.unsent.len() != before {
        status.last_sync_ms = Some(now_ms());
        save_unsent(store, &status.unsent);
    }
}

fn save_unsent(store: &mut Store, unsent: &[String]) {
    let text = unsent.join("\n");
    let value = (!text.is_empty()).then_some(text.as_str());
    if let Err(e) = store.set_setting(UNSENT_SETTING, value) {
        tracing::error!("cannot remember unsent changes: {e}");
    }
}

/// Most received messages handled as one batch (one durable write).
const BATCH_MESSAGES: usize = 128;
/// Most bytes of received messages handled as one batch.
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Bytes of `message` on the stream: the length prefix and the message.
fn frame_bytes(message: &[u8]) -> u64 {
    message.len() as u64 + 4
}

struct Current {
    conn: u64,
    dialer: DeviceId,
    out: mpsc::UnboundedSender<Out>,
}

/// The sync thread: the owner of the engine; it holds the store's lock for one command at a
/// time.
fn actor(
    store: &SharedStore,
    mut engine: Engine,
    mut rx: mpsc::UnboundedReceiver<Command>,
    shared: &Shared,
) {
    let mut links: BTreeMap<DeviceId, Current> = BTreeMap::new();
    // A command taken from the queue while collecting a batch, to handle next.
    let mut next: Option<Command> = None;
    while let Some(command) = next.take().or_else(|| rx.blocking_recv()) {
        let Ok(mut guard) = store.lock() else {
            tracing::error!("the store's lock is poisoned: sync stops");
            return;
        };
        let store: &mut Store = &mut guard;
        if let Command::Event(Event::Tick) = &command {
            shared.tick_queued.store(false, Ordering::Relaxed);
        }
        let effects = match command {
            Command::Link(Link::Received { peer, conn, bytes }) => received(
                store,
                &mut engine,
                &links,
                (peer, conn, bytes),
                &mut rx,
                &mut next,
                shared,
            ),
            other => handle(store, &mut engine, &mut links, other, shared),
        };
        // What this command wrote: the app learns of documents that came in by sync.
        match store.take_changed() {
            Ok(ids) if !ids.is_empty() => {
                let _ = shared.events.send(SyncEvent::Changed(ids));
            }
            Ok(_) => {}
            Err(e) => tracing::error!("cannot list changed documents: {e}"),
        }
        for effect in effects {
            match effect {
                Effect::Send { peer, bytes } => {
                    if let Some(current) = links.get(&peer) {
                        shared
                            .sent_bytes
                            .fetch_add(frame_bytes(&bytes), Ordering::Relaxed);
                        let _ = current.out.send(Out::Frame(bytes));
                    }
                }
                Effect::CaughtUp { peer } => {
                    mark_sent(store, &engine, &peer, shared, true);
                    let _ = shared.events.send(SyncEvent::CaughtUp(peer));
                }
                Effect::Disconnect { peer, reason } => {
                    if let Some(current) = links.remove(&peer) {
                        let _ = current.out.send(Out::Close(reason.clone()));
                        shared.set_connected(peer, false);
                    }
                    let _ = shared.events.send(SyncEvent::Ended(peer, reason));
                }
            }
        }
    }
}

/// Messages from peers: this one and those already waiting are handled together, with one
/// durable write for all they store (answers go out once it is done). Then: what came in is
/// announced, a changed team document refreshes the handshake gate and the dialers, and pushed
/// changes the peers now hold are no longer counted as unsent.
fn received(
    store: &mut Store,
    engine: &mut Engine,
    links: &BTreeMap<DeviceId, Current>,
    first: (DeviceId, u64, Vec<u8>),
    rx: &mut mpsc::UnboundedReceiver<Command>,
    next: &mut Option<Command>,
    shared: &Shared,
) -> Vec<Effect> {
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    let mut peers = BTreeSet::new();
    let mut received = Some(first);
    while let Some((peer, conn, bytes)) = received.take() {
        if links.get(&peer).is_some_and(|c| c.conn == conn) {
            shared
                .received_bytes
                .fetch_add(frame_bytes(&bytes), Ordering::Relaxed);
            batch_bytes += bytes.len();
            peers.insert(peer);
            batch.push(Event::Received { from: peer, bytes });
        }
        if batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES {
            break;
        }
        match rx.try_recv() {
            Ok(Command::Link(Link::Received { peer, conn, bytes })) => {
                received = Some((peer, conn, bytes));
            }
            Ok(other) => *next = Some(other),
            Err(_) => {}
        }
    }
    if batch.is_empty() {
        return Vec::new();
    }
    let effects = engine.handle_batch(store, batch);
    for peer in &peers {
        mark_sent(store, engine, peer, shared, false);
    }
    if store.take_changed().is_ok_and(|ids| {
        let team = ids.iter().any(|id| is_team_doc(store, id));
        if !ids.is_empty() {
            let _ = shared.events.send(SyncEvent::Changed(ids));
        }
        team
    }) {
        refresh_allowed(store, &shared.allowed);
        shared.team_changed.notify_one();
    }
    effects
}

/// Handle one command with the store locked; returns the engine's effects.
fn handle(
    store: &mut Store,
    engine: &mut Engine,
    links: &mut BTreeMap<DeviceId, Current>,
    command: Command,
    shared: &Shared,
) -> Vec<Effect> {
    let me = shared.me;
    let mut effects = Vec::new();
    match command {
        Command::Link(Link::Attach {
            peer,
            conn,
            dialer,
            out,
        }) => {
            let preferred = me.min(peer);
            if let Some(old) = links.get(&peer) {
                if old.dialer == preferred && dialer != preferred {
                    // A simultaneous dial: keep the connection the lower id dialed.
                    let _ = out.send(Out::Close(EndReason::Local("duplicate".into())));
                    return effects;
                }
                if let Some(old) = links.remove(&peer) {
                    drop(old.out);
                    effects.extend(engine.handle(store, Event::Disconnected(peer)));
                }
            }
            links.insert(peer, Current { conn, dialer, out });
            shared.set_connected(peer, true);
            let _ = shared.events.send(SyncEvent::Connected(peer));
            effects.extend(engine.handle(store, Event::Connected(peer)));
        }
        // Handled in batches by `received`.
        Command::Link(Link::Received { .. }) => {}
        Command::Link(Link::Detach { peer, conn }) => {
            if links.get(&peer).is_some_and(|c| c.conn == conn) {
                links.remove(&peer);
                shared.set_connected(peer, false);
                let _ = shared.events.send(SyncEvent::Disconnected(peer));
                effects = engine.handle(store, Event::Disconnected(peer));
            }
        }
        Command::Event(event) => {
            // A tick changes no document; a local change (of the team, after a join) may.
            // Team documents that come in or are edited refresh the gate where they are handled.
            let local = !matches!(event, Event::Tick);
            effects = engine.handle(store, event);
            if local {
                refresh_allowed(store, &shared.allowed);
            }
        }
        Command::Run(job) => {
            job(store);
            // What a job wrote is a local change.
            if let Ok(ids) = store.take_changed() {
                effects = local_changes(store, engine, ids, shared);
            }
        }
        Command::Changed(ids) => effects = local_changes(store, engine, ids, shared),
        Command::Revoked(by) => {
            if !shared.revoked.swap(true, Ordering::Relaxed) {
                match store.wipe_team() {
                    Ok(()) => tracing::warn!(%by, "revoked: the team's data was wiped"),
                    Err(e) => tracing::error!("revoked, but wiping failed: {e}"),
                }
                for (_, current) in std::mem::take(links) {
                    let _ = current.out.send(Out::Close(EndReason::NotAllowed));
                }
                if let Ok(mut status) = shared.status.lock() {
                    status.unsent.clear();
                }
                refresh_allowed(store, &shared.allowed);
                let _ = store.take_changed();
                let _ = shared.events.send(SyncEvent::Revoked(by));
            }
        }
    }
    effects
}

fn is_team_doc(store: &mut Store, id: &str) -> bool {
    matches!(store.document(id), Ok(Some(record)) if record.kind == crate::doc::DocKind::Team)
}

/// Documents changed on this device: remember them as unsent and push them.
fn local_changes(
    store: &mut Store,
    engine: &mut Engine,
    ids: Vec<String>,
    shared: &Shared,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut team = false;
    if let Ok(mut status) = shared.status.lock() {
        for id in &ids {
            if !status.unsent.contains(id) {
                status.unsent.push(id.clone());
            }
        }
        save_unsent(store, &status.unsent);
    }
    for id in ids {
        team |= is_team_doc(store, &id);
        effects.extend(engine.handle(store, Event::LocalChange(id)));
    }
    if team {
        refresh_allowed(store, &shared.allowed);
        shared.team_changed.notify_one();
    }
    // Changes on behalf of sync bookkeeping (the unsent list) are not documents.
    let _ = store.take_changed();
    effects
}

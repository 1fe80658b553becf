//! The sync node of one device: the [`Engine`] and the [`Store`] on a thread of their own
//! (SQLite and Automerge calls block; see [`super::actor`]), fed by tokio tasks through bounded
//! queues (see [`super::queue`]): one per connection, an accept loop, a ticker (about once a
//! second) and a dialer per known peer (with backoff). Edits go through [`Node::with_store`]
//! followed by [`Node::local_change`].
//!
//! At most one connection per peer is used. When both sides dial at once, both keep the
//! connection dialed by the lower device id; a new connection from the same dialer replaces the
//! old one (a reconnect).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use iroh::address_lookup::MemoryLookup;
use iroh::{Endpoint, RelayUrl, SecretKey};
use tokio::sync::{Notify, broadcast, mpsc};
use tokio::task::JoinHandle;

use super::TransportError;
use super::actor::{self, COMMANDS, Command, UNSENT_SETTING, refresh_allowed};
use super::conn::{self, Link, is_revoked};
use super::endpoint::{self, ALPN, Allowed, PeerAddr, Roster};
use super::join::{self, JOIN_ALPN, JoinError};
use super::key::device_of;
use super::queue::{Changes, LINKS, Links};
use crate::id::DeviceId;
use crate::invite::Invitation;
use crate::store::invitation::Refusal;
use crate::store::profile::Profile;
use crate::store::{Store, StoreError};
use crate::sync::{EndReason, Engine, Event};

/// The store as the node and the app share it: each holds the lock for one piece of work.
pub type SharedStore = Arc<Mutex<Store>>;

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

/// What the node's tasks and the sync thread share.
pub(super) struct Shared {
    pub(super) me: DeviceId,
    pub(super) allowed: Allowed,
    connected: Mutex<BTreeSet<DeviceId>>,
    next_conn: AtomicU64,
    pub(super) events: broadcast::Sender<SyncEvent>,
    pub(super) status: Mutex<Status>,
    pub(super) revoked: AtomicBool,
    /// Woken when the team's devices may have changed (dial new ones).
    pub(super) team_changed: Notify,
    /// A tick is queued for the sync thread and not handled yet.
    pub(super) tick_queued: AtomicBool,
    /// A connection woke the sync thread (see [`Links::wake`]).
    pub(super) wake: Arc<AtomicBool>,
    /// Documents the app changed, waiting for the sync thread.
    pub(super) changes: Changes,
    /// Frame bytes (length prefix included) sent and received on every connection.
    pub(super) sent_bytes: AtomicU64,
    pub(super) received_bytes: AtomicU64,
}

impl Shared {
    fn is_connected(&self, peer: &DeviceId) -> bool {
        self.connected.lock().is_ok_and(|set| set.contains(peer))
    }

    pub(super) fn set_connected(&self, peer: DeviceId, up: bool) {
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
pub struct Notifier {
    commands: mpsc::WeakSender<Command>,
    shared: std::sync::Weak<Shared>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("device", &self.me)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// The app changed these documents: push them. Does nothing once the node has stopped.
    /// Never waits.
    pub fn changed(&self, doc_ids: Vec<String>) {
        if doc_ids.is_empty() {
            return;
        }
        if let (Some(commands), Some(shared)) = (self.commands.upgrade(), self.shared.upgrade()) {
            changed(&commands, &shared, doc_ids);
        }
    }
}

/// Hand the documents the app changed to the sync thread (waking it if they are the first).
fn changed(commands: &mpsc::Sender<Command>, shared: &Shared, doc_ids: Vec<String>) {
    if shared.changes.add(doc_ids) {
        // When the queue is full the sync thread is busy: it looks at the changes after each
        // command anyway.
        let _ = commands.try_send(Command::Wake);
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
    commands: mpsc::Sender<Command>,
    links: Links,
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
            wake: Arc::new(AtomicBool::new(false)),
            changes: Changes::default(),
            sent_bytes: AtomicU64::new(0),
            received_bytes: AtomicU64::new(0),
        });
        let (commands, rx) = mpsc::channel(COMMANDS);
        let engine = Engine::new(me, config.always_on.clone());
        let actor_shared = shared.clone();
        let actor_store = store.clone();
        let actor = std::thread::Builder::new()
            .name("nabij-sync".into())
            .spawn(move || actor::run(&actor_store, engine, rx, &actor_shared))
            .map_err(|e| TransportError::Setup(format!("sync thread: {e}")))?;
        let (link_tx, mut link_rx) = mpsc::channel::<Link>(LINKS);
        let links = Links::new(link_tx, shared.wake.clone());
        let mut tasks = Vec::new();
        // Links go through the same queue as the other commands, in order per connection.
        let forward = commands.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(link) = link_rx.recv().await {
                if forward.send(Command::Link(link)).await.is_err() {
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
                match tick.try_send(Command::Event(Event::Tick)) {
                    Ok(()) => {}
                    // The queue is full: the next tick tries again.
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        ticker.tick_queued.store(false, Ordering::Relaxed);
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => return,
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
        let (job, answer) = actor::job(f);
        self.commands
            .send(job)
            .await
            .map_err(|_| TransportError::Stopped)?;
        answer.await.map_err(|_| TransportError::Stopped)
    }

    /// The app changed these documents (holding the shared store itself): push them to the
    /// peers allowed to see them. Never blocks.
    pub fn changed(&self, doc_ids: Vec<String>) -> Result<(), TransportError> {
        if self.commands.is_closed() {
            return Err(TransportError::Stopped);
        }
        if !doc_ids.is_empty() {
            changed(&self.commands, &self.shared, doc_ids);
        }
        Ok(())
    }

    /// A handle the app keeps to report its changes ([`Notifier::changed`]); it does not keep
    /// the node running.
    pub fn notifier(&self) -> Notifier {
        Notifier {
            commands: self.commands.downgrade(),
            shared: Arc::downgrade(&self.shared),
        }
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
            .await
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
        self.changed(vec![doc_id.into()])
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
        let (commands, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.commands, commands));
        let (links, _) = mpsc::channel(1);
        let links = Links::new(links, Arc::new(AtomicBool::new(false)));
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
    links: Links,
    commands: mpsc::WeakSender<Command>,
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
    commands: mpsc::Sender<Command>,
) -> Option<Result<crate::store::invitation::JoinGrant, Refusal>> {
    let (job, answer) = actor::job(move |store: &mut Store| redeem(store, device, &request));
    commands.send(job).await.ok()?;
    let (answer, team) = answer.await.ok()?.ok()?;
    if let Some(team) = team {
        let _ = commands
            .send(Command::Event(Event::LocalChange(team)))
            .await;
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
    links: Links,
    revoked: mpsc::WeakSender<Command>,
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
                        let _ = revoked.send(Command::Revoked(device)).await;
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
                        let _ = revoked.send(Command::Revoked(device)).await;
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

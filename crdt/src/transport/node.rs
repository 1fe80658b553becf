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
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::TransportError;
use super::conn::{self, Link, Out};
use super::endpoint::{self, ALPN, Allowed, PeerAddr};
use super::key::device_of;
use crate::id::DeviceId;
use crate::store::Store;
use crate::sync::{Effect, EndReason, Engine, Event, Replica};

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
}

type Job = Box<dyn FnOnce(&mut Store) + Send>;

enum Command {
    Link(Link),
    Event(Event),
    Run(Job),
}

struct Shared {
    me: DeviceId,
    allowed: Allowed,
    connected: Mutex<BTreeSet<DeviceId>>,
    next_conn: AtomicU64,
    events: broadcast::Sender<SyncEvent>,
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
    links: mpsc::Sender<Link>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    actor: Option<std::thread::JoinHandle<Store>>,
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
    pub async fn start(mut store: Store, config: Config) -> Result<Self, TransportError> {
        let me = device_of(&config.secret_key);
        let allowed: Allowed = Arc::new(RwLock::new(BTreeSet::new()));
        refresh_allowed(&mut store, &allowed);
        let lookup = MemoryLookup::new();
        let endpoint = endpoint::bind(
            config.secret_key.clone(),
            config.bind,
            config.relay.clone(),
            lookup.clone(),
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
            tick_queued: AtomicBool::new(false),
            sent_bytes: AtomicU64::new(0),
            received_bytes: AtomicU64::new(0),
        });
        let (commands, rx) = mpsc::channel(256);
        let engine = Engine::new(me, config.always_on.clone());
        let actor_shared = shared.clone();
        let actor = std::thread::Builder::new()
            .name("nabij-sync".into())
            .spawn(move || actor(store, engine, rx, &actor_shared))
            .map_err(|e| TransportError::Setup(format!("sync thread: {e}")))?;
        let (links, mut link_rx) = mpsc::channel::<Link>(256);
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
                if tick.send(Command::Event(Event::Tick)).await.is_err() {
                    return;
                }
            }
        }));
        tasks.push(tokio::spawn(accept_loop(
            endpoint.clone(),
            shared.clone(),
            links.clone(),
        )));
        let node = Self {
            shared,
            endpoint,
            lookup,
            relay: config.relay,
            commands,
            links,
            tasks: Mutex::new(tasks),
            actor: Some(actor),
        };
        for peer in config.peers {
            node.add_peer(peer)?;
        }
        Ok(node)
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
        let task = tokio::spawn(dial_loop(
            self.endpoint.clone(),
            addr,
            peer.device,
            self.shared.clone(),
            self.links.clone(),
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
            .await
            .map_err(|_| TransportError::Stopped)?;
        rx.await.map_err(|_| TransportError::Stopped)
    }

    /// Document `doc_id` changed on this device: push it to the peers allowed to see it.
    pub async fn local_change(&self, doc_id: impl Into<String>) -> Result<(), TransportError> {
        self.commands
            .send(Command::Event(Event::LocalChange(doc_id.into())))
            .await
            .map_err(|_| TransportError::Stopped)
    }

    /// Stop: close every connection and the endpoint, and hand the store back.
    pub async fn shutdown(mut self) -> Result<Store, TransportError> {
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
        drop(std::mem::replace(&mut self.links, links));
        let store = tokio::task::spawn_blocking(move || actor.join())
            .await
            .map_err(|_| TransportError::Stopped)?
            .map_err(|_| TransportError::Stopped)?;
        self.endpoint.close().await;
        Ok(store)
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

/// Accept connections (the handshake hook has already refused devices outside the team).
async fn accept_loop(endpoint: Endpoint, shared: Arc<Shared>, links: mpsc::Sender<Link>) {
    while let Some(incoming) = endpoint.accept().await {
        let shared = shared.clone();
        let links = links.clone();
        tokio::spawn(async move {
            match incoming.await {
                Ok(connection) => {
                    let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                    conn::run(connection, id, shared.me, false, links).await;
                }
                Err(e) => tracing::info!("incoming connection failed: {e}"),
            }
        });
    }
}

/// Keep a connection to `device` while there is none: dial, run it, back off.
async fn dial_loop(
    endpoint: Endpoint,
    addr: iroh::EndpointAddr,
    device: DeviceId,
    shared: Arc<Shared>,
    links: mpsc::Sender<Link>,
) {
    const FIRST: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(30);
    let mut backoff = FIRST;
    loop {
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
                conn::run(connection, id, shared.me, true, links.clone()).await;
                if started.elapsed() > Duration::from_secs(10) {
                    backoff = FIRST;
                }
            }
            Ok(Err(e)) => tracing::debug!(%device, "dial failed: {e}"),
            Err(_) => tracing::debug!(%device, "dial timed out"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX);
    }
}

/// The active devices of the team document(s) in `store`.
fn refresh_allowed(store: &mut Store, allowed: &Allowed) {
    let active: BTreeSet<DeviceId> = match store.devices() {
        Ok(devices) => {
            let revoked: BTreeSet<DeviceId> = devices
                .iter()
                .filter(|d| d.revoked)
                .map(|d| d.device)
                .collect();
            devices
                .into_iter()
                .map(|d| d.device)
                .filter(|d| !revoked.contains(d))
                .collect()
        }
        Err(e) => {
            tracing::error!("cannot read the team's devices: {e}");
            BTreeSet::new()
        }
    };
    if let Ok(mut set) = allowed.write() {
        *set = active;
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

/// The sync thread: the only owner of the store and the engine.
fn actor(
    mut store: Store,
    mut engine: Engine,
    mut rx: mpsc::Receiver<Command>,
    shared: &Shared,
) -> Store {
    let me = shared.me;
    let mut links: BTreeMap<DeviceId, Current> = BTreeMap::new();
    // A command taken from the queue while collecting a batch, to handle next.
    let mut next: Option<Command> = None;
    while let Some(command) = next.take().or_else(|| rx.blocking_recv()) {
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
                        continue;
                    }
                    if let Some(old) = links.remove(&peer) {
                        drop(old.out);
                        effects.extend(engine.handle(&mut store, Event::Disconnected(peer)));
                    }
                }
                links.insert(peer, Current { conn, dialer, out });
                shared.set_connected(peer, true);
                let _ = shared.events.send(SyncEvent::Connected(peer));
                effects.extend(engine.handle(&mut store, Event::Connected(peer)));
            }
            Command::Link(Link::Received { peer, conn, bytes }) => {
                // Messages that are already waiting are handled together, with one durable
                // write for all they store (answers go out once it is done).
                let mut batch = Vec::new();
                let mut batch_bytes = 0;
                let mut received = Some((peer, conn, bytes));
                while let Some((peer, conn, bytes)) = received.take() {
                    if links.get(&peer).is_some_and(|c| c.conn == conn) {
                        shared
                            .received_bytes
                            .fetch_add(frame_bytes(&bytes), Ordering::Relaxed);
                        batch_bytes += bytes.len();
                        batch.push(Event::Received { from: peer, bytes });
                    }
                    if batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES {
                        break;
                    }
                    match rx.try_recv() {
                        Ok(Command::Link(Link::Received { peer, conn, bytes })) => {
                            received = Some((peer, conn, bytes));
                        }
                        Ok(other) => next = Some(other),
                        Err(_) => {}
                    }
                }
                effects = engine.handle_batch(&mut store, batch);
            }
            Command::Link(Link::Detach { peer, conn }) => {
                if links.get(&peer).is_some_and(|c| c.conn == conn) {
                    links.remove(&peer);
                    shared.set_connected(peer, false);
                    let _ = shared.events.send(SyncEvent::Disconnected(peer));
                    effects = engine.handle(&mut store, Event::Disconnected(peer));
                }
            }
            Command::Event(event) => {
                if event == Event::Tick {
                    shared.tick_queued.store(false, Ordering::Relaxed);
                }
                effects = engine.handle(&mut store, event);
                // Tick and local edits may change the team: keep the handshake gate current.
                refresh_allowed(&mut store, &shared.allowed);
            }
            Command::Run(job) => job(&mut store),
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
    store
}

//! The sync thread: the owner of the [`Engine`]. It takes one command at a time from the
//! bounded command queue (connections up and gone, ticks, the app's jobs), then the documents
//! the app changed, then one batch of received messages, each with the store locked.
//!
//! A batch takes messages from the connections' inboxes round-robin, one per peer per round,
//! at most [`PEER_BATCH`] of one peer while another is connected, so one peer's burst cannot
//! fill a batch while others wait. A peer whose outbox is backed up, or that the engine slows
//! for flooding, is not read until that ends (its inbox fills, and its connection is then not
//! read either). See [`super::queue`] for the bounds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::conn::Link;
use super::endpoint::{Allowed, Roster};
use super::node::Shared;
use super::node::{SharedStore, SyncEvent};
use super::queue::{InboxReceiver, Links, OUT_STALL, OutError, Outbox};
use crate::date::now_ms;
use crate::id::DeviceId;
use crate::store::Store;
use crate::sync::{Effect, EndReason, Engine, Event, Replica};

/// Where the list of changes not yet sent is kept across restarts (`device_setting`).
pub(super) const UNSENT_SETTING: &str = "sync.unsent";
/// Commands waiting for the sync thread (senders wait while it is full).
pub(super) const COMMANDS: usize = 1024;
/// Most received messages handled as one batch (one durable write).
const BATCH_MESSAGES: usize = 128;
/// Most bytes of received messages handled as one batch.
const BATCH_BYTES: usize = 16 * 1024 * 1024;
/// Most messages of one peer in a batch while another peer is connected.
const PEER_BATCH: usize = 32;
/// How long a device disconnected for flooding is refused when it connects again (before any
/// session work: no digest, no inventory).
pub(super) const FLOOD_COOLDOWN: Duration = Duration::from_secs(10);

pub(super) type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// What the sync thread is asked to do.
pub(super) enum Command {
    Link(Link),
    Event(Event),
    Run(Job),
    /// Documents the app changed are waiting (see [`Shared::changes`]).
    Wake,
    /// A team device said this one is revoked: wipe.
    Revoked(DeviceId),
}

/// A job for the sync thread that answers with `f`'s result.
pub(super) fn job<T: Send + 'static>(
    f: impl FnOnce(&mut Store) -> T + Send + 'static,
) -> (Command, oneshot::Receiver<T>) {
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move |store| {
        let _ = tx.send(f(store));
    });
    (Command::Run(job), rx)
}

/// The connection in use with a peer.
struct Current {
    conn: u64,
    dialer: DeviceId,
    out: Outbox,
    inbox: InboxReceiver,
}

/// The sync thread's state besides the engine.
struct State<'a> {
    engine: Engine,
    links: BTreeMap<DeviceId, Current>,
    /// Which peer a batch starts with (round-robin).
    rotation: usize,
    /// Devices disconnected for flooding, and when.
    flooded: BTreeMap<DeviceId, Instant>,
    shared: &'a Shared,
}

/// Run the sync thread until every command sender is gone.
pub(super) fn run(
    store: &SharedStore,
    engine: Engine,
    mut rx: mpsc::Receiver<Command>,
    shared: &Shared,
) {
    let mut state = State {
        engine,
        links: BTreeMap::new(),
        rotation: 0,
        flooded: BTreeMap::new(),
        shared,
    };
    // Received messages may still be waiting (a batch was full, or a peer hit its share).
    let mut more = false;
    loop {
        let busy = more || shared.wake.load(Ordering::SeqCst) || shared.changes.is_pending();
        let command = if busy {
            match rx.try_recv() {
                Ok(command) => Some(command),
                Err(mpsc::error::TryRecvError::Empty) => None,
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            }
        } else {
            match rx.blocking_recv() {
                Some(command) => Some(command),
                None => return,
            }
        };
        let Ok(mut guard) = store.lock() else {
            tracing::error!("the store's lock is poisoned: sync stops");
            return;
        };
        let store: &mut Store = &mut guard;
        if let Some(command) = command {
            if let Command::Event(Event::Tick) = &command {
                shared.tick_queued.store(false, Ordering::Relaxed);
                state.end_stalled(store);
            }
            let effects = state.handle(store, command);
            // What this command wrote: the app learns of documents that came in by sync.
            match store.take_changed() {
                Ok(ids) if !ids.is_empty() => {
                    let _ = shared.events.send(SyncEvent::Changed(ids));
                }
                Ok(_) => {}
                Err(e) => tracing::error!("cannot list changed documents: {e}"),
            }
            state.apply(store, effects);
        }
        let ids = shared.changes.take();
        if !ids.is_empty() {
            let effects = local_changes(store, &mut state.engine, ids, shared);
            state.apply(store, effects);
        }
        Links::take_wake(&shared.wake);
        let (effects, left) = state.batch(store);
        more = left;
        state.apply(store, effects);
    }
}

impl State<'_> {
    /// Whether `peer`'s messages are read now: not while its outbox is backed up or the engine
    /// slows it for flooding.
    fn readable(&self, peer: &DeviceId) -> bool {
        !self.engine.is_throttled(peer)
            && self
                .links
                .get(peer)
                .is_some_and(|current| !current.out.is_backed_up())
    }

    /// Take one batch of received messages round-robin from the readable peers' inboxes and
    /// handle it; also whether messages may be left.
    fn batch(&mut self, store: &mut Store) -> (Vec<Effect>, bool) {
        let peers: Vec<DeviceId> = self.links.keys().copied().collect();
        if peers.is_empty() {
            return (Vec::new(), false);
        }
        let first = self.rotation % peers.len();
        self.rotation = self.rotation.wrapping_add(1);
        let order: Vec<DeviceId> = peers[first..]
            .iter()
            .chain(&peers[..first])
            .copied()
            .collect();
        let share = if peers.len() > 1 {
            PEER_BATCH
        } else {
            BATCH_MESSAGES
        };
        let mut open: Vec<bool> = order.iter().map(|peer| self.readable(peer)).collect();
        let mut taken = vec![0usize; order.len()];
        let mut events = Vec::new();
        let mut bytes = 0;
        'rounds: loop {
            let mut progress = false;
            for (i, peer) in order.iter().enumerate() {
                if !open[i] || taken[i] >= share {
                    continue;
                }
                let Some(current) = self.links.get_mut(peer) else {
                    open[i] = false;
                    continue;
                };
                let Some(message) = current.inbox.take() else {
                    open[i] = false;
                    continue;
                };
                self.shared
                    .received_bytes
                    .fetch_add(frame_bytes(&message), Ordering::Relaxed);
                bytes += message.len();
                taken[i] += 1;
                progress = true;
                events.push(Event::Received {
                    from: *peer,
                    bytes: message,
                });
                if events.len() >= BATCH_MESSAGES || bytes >= BATCH_BYTES {
                    break 'rounds;
                }
            }
            if !progress {
                break;
            }
        }
        let more = open.iter().any(|open| *open);
        (self.received(store, events), more)
    }

    /// Messages from peers, handled together with one durable write for all they store
    /// (answers go out once it is done). Then: what came in is announced, a changed team
    /// document refreshes the handshake gate and the dialers, and pushed changes the peers now
    /// hold are no longer counted as unsent.
    fn received(&mut self, store: &mut Store, events: Vec<Event>) -> Vec<Effect> {
        if events.is_empty() {
            return Vec::new();
        }
        let peers: BTreeSet<DeviceId> = events
            .iter()
            .filter_map(|event| match event {
                Event::Received { from, .. } => Some(*from),
                _ => None,
            })
            .collect();
        let effects = self.engine.handle_batch(store, events);
        for peer in &peers {
            mark_sent(store, &self.engine, peer, self.shared, false);
        }
        if store.take_changed().is_ok_and(|ids| {
            let team = ids.iter().any(|id| is_team_doc(store, id));
            if !ids.is_empty() {
                let _ = self.shared.events.send(SyncEvent::Changed(ids));
            }
            team
        }) {
            refresh_allowed(store, &self.shared.allowed);
            self.shared.team_changed.notify_one();
        }
        effects
    }

    /// Carry out the engine's effects. A peer whose outbox is full is disconnected.
    fn apply(&mut self, store: &mut Store, effects: Vec<Effect>) {
        let mut unread = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send { peer, bytes } => {
                    let Some(current) = self.links.get(&peer) else {
                        continue;
                    };
                    let len = frame_bytes(&bytes);
                    match current.out.push(bytes) {
                        Ok(()) => {
                            self.shared.sent_bytes.fetch_add(len, Ordering::Relaxed);
                        }
                        Err(OutError::Full) if !unread.contains(&peer) => unread.push(peer),
                        // Gone: its departure is on the way.
                        Err(_) => {}
                    }
                }
                Effect::CaughtUp { peer } => {
                    mark_sent(store, &self.engine, &peer, self.shared, true);
                    let _ = self.shared.events.send(SyncEvent::CaughtUp(peer));
                }
                Effect::Disconnect { peer, reason } => {
                    if matches!(reason, EndReason::Misbehaved(_)) && self.engine.has_flooded(&peer)
                    {
                        self.flooded.insert(peer, Instant::now());
                    }
                    self.close(peer, reason.clone());
                    let _ = self.shared.events.send(SyncEvent::Ended(peer, reason));
                }
            }
        }
        for peer in unread {
            self.drop_peer(store, peer, EndReason::Stalled(OutError::Full.to_string()));
        }
    }

    /// Close the connection with `peer` (the session is over).
    fn close(&mut self, peer: DeviceId, reason: EndReason) {
        if let Some(current) = self.links.remove(&peer) {
            if let EndReason::Misbehaved(why) = &reason {
                tracing::warn!(device = %peer, "misbehaving device disconnected: {why}");
            }
            current.out.close(reason);
            self.shared.set_connected(peer, false);
        }
    }

    /// End the session with `peer` from the transport's side (it does not read what it is
    /// sent): the engine keeps its sync states, as for a lost connection.
    fn drop_peer(&mut self, store: &mut Store, peer: DeviceId, reason: EndReason) {
        if !self.links.contains_key(&peer) {
            return;
        }
        tracing::warn!(device = %peer, ?reason, "disconnecting a device that does not read");
        self.close(peer, reason.clone());
        let effects = self.engine.handle(store, Event::Disconnected(peer));
        let _ = self.shared.events.send(SyncEvent::Ended(peer, reason));
        self.apply(store, effects);
    }

    /// Disconnect peers whose outbox has been backed up for [`OUT_STALL`]; forget floods
    /// older than [`FLOOD_COOLDOWN`].
    fn end_stalled(&mut self, store: &mut Store) {
        self.flooded.retain(|_, at| at.elapsed() < FLOOD_COOLDOWN);
        let stalled: Vec<DeviceId> = self
            .links
            .iter()
            .filter(|(_, current)| current.out.backed_up_for().is_some_and(|d| d >= OUT_STALL))
            .map(|(peer, _)| *peer)
            .collect();
        for peer in stalled {
            let why = format!(
                "has not read what it was sent for {} s",
                OUT_STALL.as_secs()
            );
            self.drop_peer(store, peer, EndReason::Stalled(why));
        }
    }

    /// Handle one command with the store locked; returns the engine's effects.
    fn handle(&mut self, store: &mut Store, command: Command) -> Vec<Effect> {
        let me = self.shared.me;
        let shared = self.shared;
        let engine = &mut self.engine;
        let mut effects = Vec::new();
        match command {
            Command::Link(Link::Attach {
                peer,
                conn,
                dialer,
                out,
                inbox,
            }) => {
                if self
                    .flooded
                    .get(&peer)
                    .is_some_and(|at| at.elapsed() < FLOOD_COOLDOWN)
                {
                    tracing::info!(device = %peer, "refused: it flooded moments ago");
                    out.close(EndReason::Misbehaved("flooded moments ago".into()));
                    return effects;
                }
                let preferred = me.min(peer);
                if let Some(old) = self.links.get(&peer) {
                    if old.dialer == preferred && dialer != preferred {
                        // A simultaneous dial: keep the connection the lower id dialed.
                        out.close(EndReason::Local("duplicate".into()));
                        return effects;
                    }
                    if self.links.remove(&peer).is_some() {
                        effects.extend(engine.handle(store, Event::Disconnected(peer)));
                    }
                }
                self.links.insert(
                    peer,
                    Current {
                        conn,
                        dialer,
                        out,
                        inbox,
                    },
                );
                shared.set_connected(peer, true);
                let _ = shared.events.send(SyncEvent::Connected(peer));
                effects.extend(engine.handle(store, Event::Connected(peer)));
            }
            Command::Link(Link::Detach { peer, conn }) => {
                let Some(current) = self.links.get_mut(&peer).filter(|c| c.conn == conn) else {
                    return effects;
                };
                // What the connection delivered before it went is handled first.
                let mut events = Vec::new();
                while let Some(bytes) = current.inbox.take() {
                    shared
                        .received_bytes
                        .fetch_add(frame_bytes(&bytes), Ordering::Relaxed);
                    events.push(Event::Received { from: peer, bytes });
                }
                effects = self.received(store, events);
                if self.links.remove(&peer).is_some() {
                    shared.set_connected(peer, false);
                    let _ = shared.events.send(SyncEvent::Disconnected(peer));
                    effects.extend(self.engine.handle(store, Event::Disconnected(peer)));
                }
            }
            Command::Link(Link::Wake) | Command::Wake => {}
            Command::Event(event) => {
                // A tick changes no document; a local change (of the team, after a join) may.
                // Team documents that come in or are edited refresh the gate where they are
                // handled.
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
            Command::Revoked(by) => {
                if !shared.revoked.swap(true, Ordering::Relaxed) {
                    match store.wipe_team() {
                        Ok(()) => tracing::warn!(%by, "revoked: the team's data was wiped"),
                        Err(e) => tracing::error!("revoked, but wiping failed: {e}"),
                    }
                    for (_, current) in std::mem::take(&mut self.links) {
                        current.out.close(EndReason::NotAllowed);
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
}

/// Bytes of `message` on the stream: the length prefix and the message.
fn frame_bytes(message: &[u8]) -> u64 {
    message.len() as u64 + 4
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

/// The team's devices as the team document(s) in `store` list them.
pub(super) fn refresh_allowed(store: &mut Store, allowed: &Allowed) {
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

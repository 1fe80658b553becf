//! The sync engine of one device: every session with a remote device, as a state machine
//! without I/O. The transport feeds it [`Event`]s and carries out the [`Effect`]s it returns.
//!
//! The engine keeps the access view (rebuilt when a team document changes), refuses devices
//! that are not current team devices at connect time, ends the sessions of devices that get
//! revoked, pushes local changes to every connected peer allowed to see the document, and keeps
//! each peer's Automerge sync states in memory between sessions.
//!
//! Flood policy: a request that makes this device build and send its digest or its inventory
//! (a `Hello` asking for a reply, an `Inventory`) costs work for every document. At most
//! [`FLOOD_BUDGET`] of them are answered per session per tick; past that the peer is slowed (its
//! further requests of that tick are dropped unanswered and [`Engine::is_throttled`] tells the
//! transport to stop reading it until the next tick), and the [`FLOOD_STRIKES`]th tick over
//! budget ends its session as [`EndReason::Misbehaved`]. Honest sessions send about one such
//! request per tick of their own.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync::State;

use super::access::Access;
use super::message::{WireError, WireMessage};
use super::replica::{Replica, ReplicaError};
use super::session::{Ctx, Outcome, Prepared, Session, prepare};
use crate::doc::DocKind;
use crate::id::DeviceId;

/// Something that happened, for the engine to handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A connection to `peer` is up (already authenticated as that device by the transport).
    Connected(DeviceId),
    /// The connection to `peer` is gone.
    Disconnected(DeviceId),
    /// Bytes of one message from `peer`.
    Received {
        /// The sender.
        from: DeviceId,
        /// The message.
        bytes: Vec<u8>,
    },
    /// Document `id` changed on this device.
    LocalChange(String),
    /// Time passed (the transport ticks every second or so): repeat lost steps, repair stalls.
    Tick,
}

/// Why a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    /// The peer is not a current device of the team (unknown or revoked).
    NotAllowed,
    /// The peer sent something malformed, unsafe or invalid.
    Misbehaved(String),
    /// A document made no progress after many resets.
    Stalled(String),
    /// The local store failed.
    Local(String),
}

/// Something the transport must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send these bytes to `peer`.
    Send {
        /// The receiver.
        peer: DeviceId,
        /// One encoded [`WireMessage`].
        bytes: Vec<u8>,
    },
    /// The catch-up with `peer` is done: both hold the same versions of what they share.
    CaughtUp {
        /// The peer.
        peer: DeviceId,
    },
    /// Close the connection to `peer`; the session is over.
    Disconnect {
        /// The peer.
        peer: DeviceId,
        /// Why.
        reason: EndReason,
    },
}

/// Counts of one session's messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages sent.
    pub sent: u64,
    /// Messages received.
    pub received: u64,
    /// Document messages (Automerge sync messages and whole documents) sent.
    pub doc_messages_sent: u64,
    /// Document messages (Automerge sync messages and whole documents) received.
    pub doc_messages_received: u64,
    /// Sync-state resets after a stall.
    pub resets: u64,
}

/// Requests that cost work for every document (a `Hello` asking for a reply, an `Inventory`)
/// answered per session per tick.
pub const FLOOD_BUDGET: u32 = 16;
/// Ticks over [`FLOOD_BUDGET`] after which a peer's session ends as misbehaved (counted for as
/// long as this engine runs, across reconnections: a device that flooded before is ended the
/// first time it goes over again).
pub const FLOOD_STRIKES: u32 = 3;

/// A peer's costly requests.
#[derive(Debug, Default)]
struct Flood {
    /// Costly requests since the last tick.
    requests: u32,
    /// Ticks in which it went over the budget.
    strikes: u32,
}

/// What to do with a costly request.
enum Admit {
    Answer,
    Drop,
    End(u32),
}

impl Flood {
    fn admit(&mut self) -> Admit {
        self.requests = self.requests.saturating_add(1);
        if self.requests <= FLOOD_BUDGET {
            return Admit::Answer;
        }
        if self.requests == FLOOD_BUDGET + 1 {
            self.strikes += 1;
        }
        if self.strikes >= FLOOD_STRIKES {
            Admit::End(self.strikes)
        } else {
            Admit::Drop
        }
    }
}

/// Whether `message` makes this device go over every document it shares to answer it.
fn costs_work(message: &WireMessage) -> bool {
    matches!(
        message,
        WireMessage::Hello {
            want_reply: true,
            ..
        } | WireMessage::Inventory { .. }
    )
}

/// The sync engine of this device.
#[derive(Debug)]
pub struct Engine {
    me: DeviceId,
    always_on: BTreeSet<DeviceId>,
    access: Option<Access>,
    /// Bumped each time the access view is rebuilt.
    access_generation: u64,
    sessions: BTreeMap<DeviceId, Session>,
    saved: BTreeMap<DeviceId, BTreeMap<String, State>>,
    flood: BTreeMap<DeviceId, Flood>,
}

impl Engine {
    /// The engine of device `me`; `always_on` are the team's always-on peers (which hold every
    /// case).
    pub fn new(me: DeviceId, always_on: BTreeSet<DeviceId>) -> Self {
        Self {
            me,
            always_on,
            access: None,
            access_generation: 0,
            sessions: BTreeMap::new(),
            saved: BTreeMap::new(),
            flood: BTreeMap::new(),
        }
    }

    /// This device.
    pub fn device(&self) -> DeviceId {
        self.me
    }

    /// The devices with a session.
    pub fn peers(&self) -> Vec<DeviceId> {
        self.sessions.keys().copied().collect()
    }

    /// Whether the session with `peer` has caught up.
    pub fn is_caught_up(&self, peer: &DeviceId) -> bool {
        self.sessions.get(peer).is_some_and(Session::is_caught_up)
    }

    /// Whether a document read by `readers` may pass between this device and `peer`, as the
    /// team document(s) stood when last read (false before the first read).
    pub fn may_share(&self, peer: &DeviceId, readers: &super::access::Readers) -> bool {
        self.access
            .as_ref()
            .is_some_and(|a| a.may_exchange(&self.me, peer, readers))
    }

    /// Whether `peer` said it holds document `id` at exactly `heads` (sorted) in this session.
    pub fn peer_has(&self, peer: &DeviceId, id: &str, heads: &[automerge::ChangeHash]) -> bool {
        self.sessions
            .get(peer)
            .and_then(|s| s.peer_heads(id))
            .is_some_and(|theirs| theirs == heads)
    }

    /// Whether `peer` went over its [`FLOOD_BUDGET`] in this tick: the transport reads no more
    /// of its messages until the next tick.
    pub fn is_throttled(&self, peer: &DeviceId) -> bool {
        self.flood
            .get(peer)
            .is_some_and(|flood| flood.requests > FLOOD_BUDGET)
    }

    /// Whether `peer` flooded [`FLOOD_STRIKES`] times (its sessions end as soon as it goes
    /// over the budget again).
    pub fn has_flooded(&self, peer: &DeviceId) -> bool {
        self.flood
            .get(peer)
            .is_some_and(|flood| flood.strikes >= FLOOD_STRIKES)
    }

    /// Message counts of the session with `peer`.
    pub fn stats(&self, peer: &DeviceId) -> Option<Stats> {
        self.sessions.get(peer).map(|s| s.stats)
    }

    /// Changes each time the access view is rebuilt (a team document changed, here or through
    /// sync), so the transport knows when to refresh its own copy (the handshake gate).
    pub fn access_generation(&self) -> u64 {
        self.access_generation
    }

    fn refresh_access<R: Replica + ?Sized>(&mut self, replica: &mut R) -> Result<(), ReplicaError> {
        self.access_generation = self.access_generation.wrapping_add(1);
        let devices = replica.devices()?;
        self.access = Some(Access::new(&devices, &self.always_on));
        Ok(())
    }

    /// Handle several events (messages that arrived together) with one durable write for all
    /// they store: the replica batches the writes, and what the events answer (acknowledgments
    /// included) is returned only once the batch is durable. If making it durable fails, no
    /// message of the batch is sent and every session ends (their sync states, which may count
    /// on what was not stored, are dropped).
    pub fn handle_batch<R: Replica + ?Sized>(
        &mut self,
        replica: &mut R,
        events: Vec<Event>,
    ) -> Vec<Effect> {
        if events.len() == 1 || self.access.is_none() {
            return events
                .into_iter()
                .flat_map(|event| self.handle(replica, event))
                .collect();
        }
        let mut effects = Vec::new();
        if let Err(e) = replica.begin_batch() {
            for peer in self.peers() {
                self.end(peer, EndReason::Local(e.to_string()), &mut effects);
            }
            return effects;
        }
        // Whole documents are loaded and hydrated on a helper thread, ahead of their turn, while
        // this thread stores the ones before them. Their bytes go to the helper and come back.
        enum Item {
            Event(Event),
            Message(DeviceId, Result<WireMessage, WireError>),
        }
        let mut items = Vec::with_capacity(events.len());
        let mut fulls = Vec::new();
        for event in events {
            match event {
                Event::Received { from, bytes } => {
                    let mut decoded = WireMessage::decode(&bytes);
                    if let Ok(WireMessage::Full {
                        kind,
                        bytes,
                        signatures,
                        ..
                    }) = &mut decoded
                    {
                        fulls.push((*kind, std::mem::take(bytes), signatures.clone()));
                    }
                    items.push(Item::Message(from, decoded));
                }
                other => items.push(Item::Event(other)),
            }
        }
        std::thread::scope(|scope| {
            let (ready, next) = std::sync::mpsc::channel::<(Vec<u8>, Prepared)>();
            if !fulls.is_empty() {
                scope.spawn(move || {
                    for (kind, bytes, signatures) in fulls {
                        let prepared = prepare(kind, &bytes, &signatures);
                        if ready.send((bytes, prepared)).is_err() {
                            return;
                        }
                    }
                });
            }
            for item in items {
                match item {
                    Item::Event(event) => effects.extend(self.handle(replica, event)),
                    Item::Message(from, mut decoded) => {
                        let mut prepared = None;
                        if let Ok(WireMessage::Full { bytes, .. }) = &mut decoded
                            && let Ok((back, done)) = next.recv()
                        {
                            *bytes = back;
                            prepared = Some(done);
                        }
                        self.received(replica, from, decoded, prepared, &mut effects);
                    }
                }
            }
        });
        if let Err(e) = replica.end_batch() {
            effects.retain(|effect| matches!(effect, Effect::Disconnect { .. }));
            for peer in self.peers() {
                self.end(peer, EndReason::Local(e.to_string()), &mut effects);
            }
            self.saved.clear();
        }
        effects
    }

    /// Handle one event; returns what the transport must do.
    pub fn handle<R: Replica + ?Sized>(&mut self, replica: &mut R, event: Event) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.access.is_none()
            && let Err(e) = self.refresh_access(replica)
        {
            // Without an access view nothing may be shared: end every session.
            let peers = self.peers();
            for peer in peers {
                self.end(peer, EndReason::Local(e.to_string()), &mut effects);
            }
            if let Event::Connected(peer) = event {
                self.end(peer, EndReason::Local(e.to_string()), &mut effects);
            }
            return effects;
        }
        match event {
            Event::Connected(peer) => self.connect(replica, peer, &mut effects),
            Event::Disconnected(peer) => {
                if let Some(session) = self.sessions.remove(&peer) {
                    self.saved.insert(peer, session.into_states());
                }
            }
            Event::Received { from, bytes } => {
                let decoded = WireMessage::decode(&bytes);
                self.received(replica, from, decoded, None, &mut effects);
            }
            Event::LocalChange(id) => self.local_change(replica, &id, None, &mut effects),
            Event::Tick => {
                self.flood.retain(|_, flood| {
                    flood.requests = 0;
                    flood.strikes > 0
                });
                for peer in self.peers() {
                    self.run(replica, peer, &mut effects, |session, ctx, out| {
                        session.tick(ctx, out)
                    });
                }
            }
        }
        effects
    }

    /// A message from `from` (decoded, or why not).
    fn received<R: Replica + ?Sized>(
        &mut self,
        replica: &mut R,
        from: DeviceId,
        decoded: Result<WireMessage, WireError>,
        prepared: Option<Prepared>,
        effects: &mut Vec<Effect>,
    ) {
        if !self.sessions.contains_key(&from) {
            return;
        }
        if let Ok(message) = &decoded
            && costs_work(message)
        {
            match self.flood.entry(from).or_default().admit() {
                Admit::Answer => {}
                // Slowed: not answered.
                Admit::Drop => return,
                Admit::End(strikes) => {
                    let why = format!(
                        "flood: more than {FLOOD_BUDGET} requests for a digest or an inventory \
                         in a tick, {strikes} times"
                    );
                    self.end(from, EndReason::Misbehaved(why), effects);
                    return;
                }
            }
        }
        match decoded {
            Ok(message) => {
                self.run(replica, from, effects, |session, ctx, out| {
                    session.receive(ctx, message, prepared, out)
                });
            }
            Err(e) => self.end(from, EndReason::Misbehaved(e.to_string()), effects),
        }
    }

    fn connect<R: Replica + ?Sized>(
        &mut self,
        replica: &mut R,
        peer: DeviceId,
        effects: &mut Vec<Effect>,
    ) {
        if let Some(old) = self.sessions.remove(&peer) {
            self.saved.insert(peer, old.into_states());
        }
        let allowed = peer != self.me && self.access.as_ref().is_some_and(|a| a.is_active(&peer));
        if !allowed {
            effects.push(Effect::Disconnect {
                peer,
                reason: EndReason::NotAllowed,
            });
            return;
        }
        let states = self.saved.remove(&peer).unwrap_or_default();
        self.sessions.insert(peer, Session::new(peer, states));
        // A new session starts with its own budget (a reconnection asks for everything again).
        if let Some(flood) = self.flood.get_mut(&peer) {
            flood.requests = 0;
        }
        self.run(replica, peer, effects, |session, ctx, out| {
            session.start(ctx, out)
        });
    }

    /// Push document `id` to every peer allowed to see it (but `source`, which sent the change).
    fn local_change<R: Replica + ?Sized>(
        &mut self,
        replica: &mut R,
        id: &str,
        source: Option<DeviceId>,
        effects: &mut Vec<Effect>,
    ) {
        if source.is_some() && self.sessions.keys().all(|peer| Some(*peer) == source) {
            // Received from the only peer: nobody to forward it to (a changed team document
            // was already handled by `run`).
            return;
        }
        let record = match replica.document(id) {
            Ok(Some(record)) => record,
            Ok(None) => return,
            Err(e) => {
                for peer in self.peers() {
                    self.end(peer, EndReason::Local(e.to_string()), effects);
                }
                return;
            }
        };
        if record.kind == DocKind::Team {
            self.team_changed(replica, effects);
        }
        let Some(access) = self.access.clone() else {
            return;
        };
        for peer in self.peers() {
            if Some(peer) == source {
                continue;
            }
            let allowed = self
                .sessions
                .get(&peer)
                .is_some_and(|s| s.allows(&access, &self.me, &record.readers));
            if allowed {
                let kind = record.kind;
                self.run(replica, peer, effects, |session, ctx, out| {
                    session.local_change(ctx, id, kind, out)
                });
            }
        }
    }

    /// A team document changed: rebuild the access view, end sessions with devices that are
    /// no longer allowed and start a new round with the others (what a peer refused may be
    /// allowed now: a referral to a partner whose member this device just became).
    fn team_changed<R: Replica + ?Sized>(&mut self, replica: &mut R, effects: &mut Vec<Effect>) {
        if let Err(e) = self.refresh_access(replica) {
            for peer in self.peers() {
                self.end(peer, EndReason::Local(e.to_string()), effects);
            }
            return;
        }
        for peer in self.peers() {
            let active = self.access.as_ref().is_some_and(|a| a.is_active(&peer));
            if !active {
                self.end(peer, EndReason::NotAllowed, effects);
            } else {
                self.run(replica, peer, effects, |session, ctx, out| {
                    session.new_round(ctx, out)
                });
            }
        }
    }

    /// Run `f` on the session with `peer` and turn its outcome into effects.
    fn run<R: Replica + ?Sized>(
        &mut self,
        replica: &mut R,
        peer: DeviceId,
        effects: &mut Vec<Effect>,
        f: impl FnOnce(&mut Session, &mut Ctx<'_, R>, &mut Outcome) -> Result<(), EndReason>,
    ) {
        let Some(access) = self.access.as_ref() else {
            return;
        };
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        let mut ctx = Ctx {
            replica: &mut *replica,
            access,
            me: self.me,
        };
        let mut out = Outcome::default();
        let result = f(session, &mut ctx, &mut out);
        effects.extend(
            out.send
                .into_iter()
                .map(|bytes| Effect::Send { peer, bytes }),
        );
        if out.caught_up {
            effects.push(Effect::CaughtUp { peer });
        }
        if let Err(reason) = result {
            self.end(peer, reason, effects);
        }
        if out.team_changed {
            self.team_changed(replica, effects);
        }
        // Forward what this peer changed to the other peers (a relay, or a mesh).
        for id in out.changed {
            self.local_change(replica, &id, Some(peer), effects);
        }
    }

    fn end(&mut self, peer: DeviceId, reason: EndReason, effects: &mut Vec<Effect>) {
        if let Some(session) = self.sessions.remove(&peer) {
            // A misbehaving peer's states are not kept: they may hold what it made up.
            if !matches!(reason, EndReason::Misbehaved(_) | EndReason::NotAllowed) {
                self.saved.insert(peer, session.into_states());
            }
        }
        effects.push(Effect::Disconnect { peer, reason });
    }
}

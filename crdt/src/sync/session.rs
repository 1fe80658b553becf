//! One sync session with one remote device: the catch-up handshake, Automerge's sync protocol per
//! document, live pushes and stall repair. No I/O: messages in, effects out.
//!
//! Catch-up:
//! 1. Each side sends [`WireMessage::Hello`]: a BLAKE3 digest over the sorted
//!    `(doc id, kind, heads hash)` list of the documents it may share with the other, and its
//!    length. Equal digests end the catch-up: one message each way, whatever the number of
//!    documents.
//! 2. Otherwise each side sends its [`WireMessage::Inventory`] and starts Automerge's sync
//!    protocol ([`WireMessage::Doc`]) for every document whose heads differ; documents are loaded
//!    only for that. A document the other side lacks is sent whole, as stored
//!    ([`WireMessage::Full`], without loading it), at most [`FULL_WINDOW`] at a time; the
//!    receiver answers [`WireMessage::Stored`] once it holds it durably, and both sides then
//!    know each other's heads as if Automerge's protocol had run.
//! 3. The session is caught up when every document it started has the same heads on both sides
//!    (as the sync states tell). Documents one side will not share are answered with
//!    [`WireMessage::Refuse`].
//!
//! The transport is expected to be reliable and ordered, but the session survives drops,
//! duplicates and reordering: on [`Session::tick`] it repeats a missing handshake step, and a
//! document without progress for [`STALL_TICKS`] ticks or [`STALL_ROUNDS`] received messages has
//! its sync state reset (with Automerge's sync-reset signal, so the peer resends what it thinks
//! it sent). After [`MAX_RESETS`] resets without progress the session ends as stalled.
//!
//! Every change that comes in is verified against its author's signature before a document sees
//! it ([`super::signing`]); one that is unsigned or forged ends the session as
//! [`EndReason::Misbehaved`]. A document takes only changes whose dependencies it holds; the rest
//! wait in the session, bounded, and are dropped with it ([`super::pending`]). A document whose
//! copy here is damaged, or that a peer's (signed) changes would make invalid, is set aside for
//! the session ([`WireMessage::Refuse`]) while everything else keeps syncing; a peer that makes
//! [`MAX_SET_ASIDE`] documents fail is disconnected.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use automerge::sync::{BloomFilter, Have, Message, State, SyncDoc};
use automerge::{AutoCommit, ChangeHash};

use super::access::{Access, Readers};
use super::guard;
use super::message::{Hash, InventoryEntry, WireMessage, heads_hash, kind_byte};
use super::pending::Waiting;
use super::replica::{DocRecord, Replica, ReplicaError};
use super::signing;
use super::{EndReason, Stats};
use crate::doc::DocKind;
use crate::id::DeviceId;
use crate::signature::{ChangeSignature, Signatures, Verifier};

mod incoming;
mod whole;
pub(crate) use whole::{Prepared, prepare};

/// Ticks without progress after which a document's sync state is reset.
pub const STALL_TICKS: u32 = 2;
/// Received messages for one document without progress after which its sync state is reset.
pub const STALL_ROUNDS: u32 = 8;
/// Resets of one document without progress after which the session ends as stalled.
pub const MAX_RESETS: u32 = 10;
/// Whole documents sent and not yet acknowledged ([`WireMessage::Stored`]), per session.
pub const FULL_WINDOW: usize = 256;
/// Ticks without progress after which a document sent whole and not acknowledged is synced
/// with the sync protocol instead (the peer may be busy storing the ones before it).
pub const FULL_STALL_TICKS: u32 = 5 * STALL_TICKS;
/// Documents a peer may make fail here (set aside) in one session before it is disconnected.
pub const MAX_SET_ASIDE: usize = 16;

/// What a session needs from its engine for one call.
pub(crate) struct Ctx<'a, R: Replica + ?Sized> {
    pub(crate) replica: &'a mut R,
    pub(crate) access: &'a Access,
    pub(crate) me: DeviceId,
}

/// What a session call produced besides messages.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Messages to send to the peer.
    pub(crate) send: Vec<Vec<u8>>,
    /// The session just caught up.
    pub(crate) caught_up: bool,
    /// A team document changed (the access view must be rebuilt).
    pub(crate) team_changed: bool,
    /// Documents the peer changed here (to forward to the other peers).
    pub(crate) changed: Vec<String>,
}

impl Outcome {
    fn send(&mut self, message: &WireMessage) {
        self.send.push(message.encode());
    }
}

/// The sync of one document in this session.
#[derive(Debug, Default)]
struct DocSync {
    /// Being received for the first time: not stored until valid and allowed.
    pending: Option<AutoCommit>,
    /// The signatures of the changes in `pending`.
    pending_signatures: Signatures,
    /// Our heads, sorted, as last seen.
    our_heads: Vec<ChangeHash>,
    /// (our heads, their heads) at the last progress.
    progress: (Vec<ChangeHash>, Option<Vec<ChangeHash>>),
    idle_ticks: u32,
    idle_rounds: u32,
    resets: u32,
    /// Sent whole with these heads (hash), not yet acknowledged.
    full_hash: Option<Hash>,
}

/// A session with one peer.
#[derive(Debug)]
pub(crate) struct Session {
    peer: DeviceId,
    my_hello: Option<(Hash, u64)>,
    peer_hello: Option<(Hash, u64)>,
    inventory_sent: bool,
    peer_inventory: bool,
    docs: BTreeMap<String, (DocKind, DocSync)>,
    states: BTreeMap<String, State>,
    refused: BTreeSet<String>,
    caught_up: bool,
    /// Documents to send whole, in order.
    full_queue: VecDeque<(String, DocKind)>,
    /// Documents sent whole and not yet acknowledged.
    full_out: BTreeSet<String>,
    /// Documents that may not be synced yet (before the catch-up; checked from the front).
    unsynced: BTreeSet<String>,
    /// A document message arrived since the last tick (the session is making progress).
    active: bool,
    /// Ticks spent waiting for the peer's inventory since it was last asked for.
    inventory_ticks: u32,
    /// Changes from the peer that wait for their dependencies.
    waiting: Waiting,
    /// Checks the signatures of the peer's changes.
    verifier: Verifier,
    /// Documents set aside in this session (damaged here, or made to fail by the peer).
    set_aside: BTreeSet<String>,
    /// How many documents the peer's changes made fail.
    peer_failures: usize,
    pub(crate) stats: Stats,
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// The sync state of a document both sides are known to hold with exactly `heads` (what
/// Automerge's protocol leaves behind after a completed sync): the next local change is sent at
/// once, in one message.
fn synced_state(old: Option<State>, heads: &[ChangeHash]) -> State {
    State {
        shared_heads: heads.to_vec(),
        last_sent_heads: heads.to_vec(),
        their_heads: Some(heads.to_vec()),
        their_need: Some(Vec::new()),
        their_have: Some(vec![Have {
            last_sync: heads.to_vec(),
            bloom: BloomFilter::default(),
        }]),
        have_responded: true,
        their_capabilities: old.and_then(|s| s.their_capabilities),
        ..State::new()
    }
}

/// The signatures (from `known`) of the changes an outgoing `message` carries.
fn signatures_for(message: &Message, known: &Signatures) -> Vec<ChangeSignature> {
    match signing::hashes_in(message) {
        Some(hashes) => hashes.iter().filter_map(|h| known.get(h)).collect(),
        None => known.iter().collect(),
    }
}

fn rejected(error: ReplicaError) -> EndReason {
    match error {
        ReplicaError::Rejected(detail) => EndReason::Misbehaved(detail),
        ReplicaError::Damaged { id, detail } => {
            EndReason::Local(format!("document {id} is damaged here: {detail}"))
        }
        ReplicaError::Local(e) | ReplicaError::Batch(e) => EndReason::Local(e),
    }
}

impl Session {
    /// A session with `peer`, reusing sync states kept from an earlier session (only what
    /// Automerge keeps across connections: the shared heads).
    pub(crate) fn new(peer: DeviceId, states: BTreeMap<String, State>) -> Self {
        let states = states
            .into_iter()
            .map(|(id, old)| {
                let state = State {
                    shared_heads: old.shared_heads,
                    their_capabilities: old.their_capabilities,
                    ..State::new()
                };
                (id, state)
            })
            .collect();
        Self {
            peer,
            my_hello: None,
            peer_hello: None,
            inventory_sent: false,
            peer_inventory: false,
            docs: BTreeMap::new(),
            states,
            refused: BTreeSet::new(),
            caught_up: false,
            full_queue: VecDeque::new(),
            full_out: BTreeSet::new(),
            unsynced: BTreeSet::new(),
            active: false,
            inventory_ticks: 0,
            waiting: Waiting::default(),
            verifier: Verifier::new(),
            set_aside: BTreeSet::new(),
            peer_failures: 0,
            stats: Stats::default(),
        }
    }

    /// The sync states, to keep for the next session with this peer.
    pub(crate) fn into_states(self) -> BTreeMap<String, State> {
        self.states
    }

    /// Whether the catch-up is done.
    pub(crate) fn is_caught_up(&self) -> bool {
        self.caught_up
    }

    /// The documents this side may share with the peer.
    fn shareable<R: Replica + ?Sized>(
        &self,
        ctx: &mut Ctx<'_, R>,
    ) -> Result<Vec<DocRecord>, EndReason> {
        let docs = ctx.replica.documents().map_err(rejected)?;
        Ok(docs
            .into_iter()
            .filter(|d| ctx.access.may_exchange(&ctx.me, &self.peer, &d.readers))
            .collect())
    }

    /// Note that document `id` may be out of sync (for the catch-up check).
    fn touch(&mut self, id: &str) {
        if !self.caught_up {
            self.unsynced.insert(id.to_string());
        }
    }

    fn send(&mut self, out: &mut Outcome, message: &WireMessage) {
        self.stats.sent += 1;
        if let WireMessage::Doc { .. } | WireMessage::Full { .. } = message {
            self.stats.doc_messages_sent += 1;
        }
        out.send(message);
    }

    /// Start the session: send our `Hello`.
    pub(crate) fn start<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        self.send_hello(ctx, out, false)
    }

    fn send_hello<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        out: &mut Outcome,
        want_reply: bool,
    ) -> Result<(), EndReason> {
        let docs = self.shareable(ctx)?;
        let mut hasher = blake3::Hasher::new();
        for doc in &docs {
            hasher.update(&[doc.id.len() as u8]);
            hasher.update(doc.id.as_bytes());
            hasher.update(&[kind_byte(doc.kind)]);
            hasher.update(&heads_hash(&doc.heads));
        }
        let hello = (*hasher.finalize().as_bytes(), docs.len() as u64);
        self.my_hello = Some(hello);
        self.send(
            out,
            &WireMessage::Hello {
                digest: hello.0,
                count: hello.1,
                want_reply,
            },
        );
        Ok(())
    }

    fn send_inventory<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        out: &mut Outcome,
        want_reply: bool,
    ) -> Result<(), EndReason> {
        let entries = self
            .shareable(ctx)?
            .into_iter()
            .map(|d| InventoryEntry {
                heads_hash: heads_hash(&d.heads),
                doc_id: d.id,
                kind: d.kind,
            })
            .collect();
        self.inventory_sent = true;
        self.send(
            out,
            &WireMessage::Inventory {
                entries,
                want_reply,
            },
        );
        Ok(())
    }

    /// Forget this round's exchange of inventories and refusals.
    fn restart_round(&mut self) {
        self.peer_hello = None;
        self.inventory_sent = false;
        self.peer_inventory = false;
        self.caught_up = false;
        self.refused.clear();
    }

    /// This device's team document changed (a member now works for a partner, a member was
    /// allowed on more): start a new round, so documents refused before are offered again
    /// where they may now go. The peer's answer to the hello starts its new round too.
    pub(crate) fn new_round<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        self.restart_round();
        self.send_hello(ctx, out, true)
    }

    /// Handle one message from the peer.
    /// `prepared` is the document of a [`WireMessage::Full`] loaded ahead, if it was.
    pub(crate) fn receive<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        message: WireMessage,
        prepared: Option<Prepared>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        self.stats.received += 1;
        match message {
            WireMessage::Hello {
                digest,
                count,
                want_reply,
            } => {
                if want_reply {
                    self.send_hello(ctx, out, false)?;
                }
                if want_reply && self.peer_hello.is_some() {
                    // A new round: the peer's team document changed (see [`Session::new_round`]),
                    // so what it refused before it may take now.
                    self.restart_round();
                }
                if self.peer_hello.is_none() {
                    self.peer_hello = Some((digest, count));
                    if self.my_hello == Some((digest, count)) {
                        self.caught_up = true;
                        out.caught_up = true;
                    } else if !self.inventory_sent {
                        self.send_inventory(ctx, out, false)?;
                    }
                }
            }
            WireMessage::Inventory {
                entries,
                want_reply,
            } => {
                self.peer_inventory = true;
                if want_reply || !self.inventory_sent {
                    self.send_inventory(ctx, out, false)?;
                }
                self.reconcile(ctx, entries, out)?;
            }
            WireMessage::Doc {
                doc_id,
                kind,
                sync,
                signatures,
            } => {
                self.stats.doc_messages_received += 1;
                self.active = true;
                let mut message =
                    guard::check(&sync).map_err(|e| EndReason::Misbehaved(e.to_string()))?;
                let changes = signing::open(&mut message, &signatures, &mut self.verifier)
                    .map_err(|e| EndReason::Misbehaved(format!("document {doc_id}: {e}")))?;
                if !self.set_aside.contains(&doc_id) {
                    self.receive_doc(ctx, &doc_id, kind, message, changes, out)?;
                }
            }
            WireMessage::Full {
                doc_id,
                kind,
                bytes,
                signatures,
            } => {
                self.stats.doc_messages_received += 1;
                self.active = true;
                if !self.set_aside.contains(&doc_id) {
                    self.receive_full(ctx, &doc_id, kind, &bytes, &signatures, prepared, out)?;
                }
            }
            WireMessage::Stored { doc_id, heads_hash } => {
                self.active = true;
                self.stored(ctx, &doc_id, heads_hash, out)?;
            }
            WireMessage::Refuse { doc_id } => {
                self.docs.remove(&doc_id);
                let was_full = self.full_out.remove(&doc_id);
                self.refused.insert(doc_id);
                if was_full {
                    self.pump_full(ctx, out)?;
                }
            }
        }
        self.check_caught_up(out);
        Ok(())
    }

    /// Start the sync of every document that differs from the peer's inventory.
    fn reconcile<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        entries: Vec<InventoryEntry>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        let theirs: BTreeMap<String, (DocKind, Hash)> = entries
            .into_iter()
            .map(|e| (e.doc_id, (e.kind, e.heads_hash)))
            .collect();
        let all = ctx.replica.documents().map_err(rejected)?;
        let held: BTreeSet<String> = all.iter().map(|d| d.id.clone()).collect();
        let mut my_ids = BTreeSet::new();
        for doc in all {
            if !ctx.access.may_exchange(&ctx.me, &self.peer, &doc.readers) {
                continue;
            }
            my_ids.insert(doc.id.clone());
            match theirs.get(&doc.id) {
                // The peer lacks it: send it whole (unless it is already on its way).
                None => {
                    if !self.docs.contains_key(&doc.id) && !self.refused.contains(&doc.id) {
                        self.full_queue.push_back((doc.id, doc.kind));
                    }
                }
                Some((_, hash)) if *hash != heads_hash(&doc.heads) => {
                    self.push(ctx, &doc.id, doc.kind, out)?;
                }
                Some(_) => {}
            }
        }
        self.pump_full(ctx, out)?;
        for (id, (kind, _)) in theirs {
            if my_ids.contains(&id) || self.refused.contains(&id) {
                continue;
            }
            if held.contains(&id) || kind == DocKind::Team {
                // We hold it but may not share it with this peer, or it is a team document we do
                // not have (joined out of band only).
                self.send(out, &WireMessage::Refuse { doc_id: id });
            } else {
                // The peer will send it; wait for it (a tick nudges it if it does not come).
                self.touch(&id);
                self.docs.entry(id).or_insert((kind, DocSync::default()));
            }
        }
        Ok(())
    }

    /// Send the next sync message of document `id` (held or pending), if there is one.
    pub(crate) fn push<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        if self.refused.contains(id) || self.set_aside.contains(id) {
            return Ok(());
        }
        self.touch(id);
        let state = self.states.entry(id.to_string()).or_default();
        let entry = self
            .docs
            .entry(id.to_string())
            .or_insert((kind, DocSync::default()));
        let generated = match entry.1.pending.as_mut() {
            Some(doc) => {
                entry.1.our_heads = sorted(doc.get_heads());
                let message = guard::contain(|| Ok(doc.sync().generate_sync_message(state)))
                    .map_err(|e| EndReason::Misbehaved(e.to_string()))?;
                message.map(|m| {
                    let signatures = signatures_for(&m, &entry.1.pending_signatures);
                    (m, signatures)
                })
            }
            None => {
                if let Some(record) = ctx.replica.document(id).map_err(rejected)? {
                    entry.1.our_heads = sorted(record.heads);
                }
                match ctx.replica.generate(kind, id, state) {
                    Ok(generated) => generated,
                    Err(e) => return self.set_aside(id, e, false, out),
                }
            }
        };
        if let Some((mut message, signatures)) = generated {
            // Ask for what the changes waiting here lack (Automerge does not know of them);
            // the encoding wants the list sorted.
            let missing = self.waiting.missing(id);
            if !missing.is_empty() {
                message.need.extend(missing);
                message.need.sort();
                message.need.dedup();
                message.need.truncate(guard::MAX_NEED);
            }
            self.send(
                out,
                &WireMessage::Doc {
                    doc_id: id.to_string(),
                    kind,
                    sync: message.encode(),
                    signatures,
                },
            );
        }
        Ok(())
    }

    fn refuse(&mut self, id: &str, out: &mut Outcome) {
        self.docs.remove(id);
        self.states.remove(id);
        self.full_out.remove(id);
        self.send(
            out,
            &WireMessage::Refuse {
                doc_id: id.to_string(),
            },
        );
    }

    /// Count a received message for `id` towards stall detection.
    fn note_round<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        if self.advance(id, false) {
            self.reset(ctx, id, kind, out)?;
        }
        Ok(())
    }

    /// Record progress of `id`; whether it has stalled (after a tick, or a round).
    fn advance(&mut self, id: &str, tick: bool) -> bool {
        let their = self.states.get(id).and_then(|s| s.their_heads.clone());
        let Some((_, sync)) = self.docs.get_mut(id) else {
            return false;
        };
        let synced = sync.pending.is_none()
            && their.as_ref().map(|h| sorted(h.clone())) == Some(sync.our_heads.clone());
        let now = (sync.our_heads.clone(), their.map(sorted));
        if synced || now != sync.progress {
            sync.progress = now;
            sync.idle_ticks = 0;
            sync.idle_rounds = 0;
            sync.resets = 0;
            return false;
        }
        if tick {
            sync.idle_ticks += 1;
        } else {
            sync.idle_rounds += 1;
        }
        let stall_ticks = if sync.full_hash.is_some() {
            FULL_STALL_TICKS
        } else {
            STALL_TICKS
        };
        sync.idle_ticks >= stall_ticks || sync.idle_rounds >= STALL_ROUNDS
    }

    /// Restart the sync of `id` from scratch, asking the peer to resend what it thinks it sent.
    fn reset<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        let held = ctx.replica.document(id).map_err(rejected)?.is_some();
        let Some((_, sync)) = self.docs.get_mut(id) else {
            return Ok(());
        };
        sync.resets += 1;
        if sync.resets > MAX_RESETS {
            return Err(EndReason::Stalled(format!("document {id}")));
        }
        sync.idle_ticks = 0;
        sync.idle_rounds = 0;
        // A whole document that was not acknowledged goes the way of the sync protocol now.
        sync.full_hash = None;
        self.full_out.remove(id);
        if !held && sync.pending.is_none() {
            sync.pending = Some(AutoCommit::new());
        }
        self.stats.resets += 1;
        let old = self.states.remove(id).unwrap_or_default();
        let state = State {
            their_capabilities: old.their_capabilities,
            needs_reset: true,
            ..State::new()
        };
        self.states.insert(id.to_string(), state);
        self.push(ctx, id, kind, out)
    }

    /// Whether something the peer sent for document `id`, which this device holds as `record`,
    /// may be taken in: the kind must match (else the peer misbehaves), and both sides must be
    /// allowed to hold it (else it is refused and `false` returned).
    fn admit_held<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        record: &DocRecord,
        out: &mut Outcome,
    ) -> Result<bool, EndReason> {
        if record.kind != kind {
            return Err(EndReason::Misbehaved(format!(
                "document {id} sent as {} but is a {}",
                kind.as_str(),
                record.kind.as_str()
            )));
        }
        if !ctx
            .access
            .may_exchange(&ctx.me, &self.peer, &record.readers)
        {
            self.refuse(id, out);
            return Ok(false);
        }
        Ok(true)
    }

    /// The heads of document `id` the peer last said it has, sorted.
    pub(crate) fn peer_heads(&self, id: &str) -> Option<Vec<automerge::ChangeHash>> {
        self.states
            .get(id)
            .and_then(|s| s.their_heads.clone())
            .map(sorted)
    }

    /// Whether document `id` has the same heads on both sides.
    fn synced(&self, id: &str, sync: &DocSync) -> bool {
        sync.pending.is_none()
            && !sync.our_heads.is_empty()
            && self
                .states
                .get(id)
                .and_then(|s| s.their_heads.clone())
                .map(sorted)
                == Some(sync.our_heads.clone())
    }

    fn check_caught_up(&mut self, out: &mut Outcome) {
        if self.caught_up || self.peer_hello.is_none() || !self.peer_inventory {
            return;
        }
        if !self.inventory_sent || !self.full_queue.is_empty() || !self.full_out.is_empty() {
            return;
        }
        // Every document that changed state since it was last seen synced is in `unsynced`:
        // drop synced ones from the front and stop at the first that is not (each document is
        // checked once per change, not once per message).
        while let Some(id) = self.unsynced.first() {
            if let Some((_, sync)) = self.docs.get(id)
                && !self.synced(id, sync)
            {
                return;
            }
            self.unsynced.pop_first();
        }
        self.caught_up = true;
        self.unsynced.clear();
        out.caught_up = true;
    }

    /// Time passes: repeat a missing handshake step and repair stalled documents.
    pub(crate) fn tick<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        if self.peer_hello.is_none() {
            self.send_hello(ctx, out, true)?;
        } else if !self.caught_up && !self.peer_inventory {
            // An inventory of thousands of documents takes a while to build, send and read:
            // ask again only after a few ticks without it.
            self.inventory_ticks += 1;
            if self.inventory_ticks >= STALL_TICKS {
                self.inventory_ticks = 0;
                self.send_inventory(ctx, out, true)?;
            }
        }
        self.pump_full(ctx, out)?;
        // While document messages keep arriving the session is making progress: documents
        // waiting their turn (a large catch-up) are not stalled. Stalls are counted in quiet
        // ticks only.
        if !std::mem::take(&mut self.active) {
            let ids: Vec<(String, DocKind)> = self
                .docs
                .iter()
                .filter(|(id, (_, sync))| !self.synced(id, sync))
                .map(|(id, (kind, _))| (id.clone(), *kind))
                .collect();
            for (id, kind) in ids {
                if self.advance(&id, true) {
                    self.reset(ctx, &id, kind, out)?;
                }
            }
        }
        self.check_caught_up(out);
        Ok(())
    }

    /// A local change of document `id` (which the peer may see): push it.
    pub(crate) fn local_change<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        self.push(ctx, id, kind, out)
    }

    /// Whether this session may carry documents with `readers`.
    pub(crate) fn allows(&self, access: &Access, me: &DeviceId, readers: &Readers) -> bool {
        access.may_exchange(me, &self.peer, readers)
    }
}

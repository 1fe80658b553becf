//! Automerge sync messages from the peer, opened and verified (see [`crate::sync::signing`]):
//! the changes a held document can take are stored, those a document received for the first
//! time can take build it up until it is complete and may be stored, and the rest wait
//! ([`crate::sync::pending`]). A document that fails is set aside for the session.

use automerge::AutoCommit;
use automerge::sync::Message;

use super::{Ctx, DocSync, EndReason, MAX_SET_ASIDE, Outcome, Session, rejected, sorted};
use crate::doc::DocKind;
use crate::sync::pending::split;
use crate::sync::replica::{KnownBy, Replica, ReplicaError, readers_of_new};
use crate::sync::signing::{self, SignedChange};

impl Session {
    /// Set document `id` aside for this session after `error`: a damaged copy here, or (when
    /// `peers_fault`) changes from the peer that the document does not take. The peer hears
    /// [`WireMessage::Refuse`] and stops sending it; everything else keeps syncing. A failure of
    /// the replica itself ends the session.
    pub(super) fn set_aside(
        &mut self,
        id: &str,
        error: ReplicaError,
        peers_fault: bool,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        match error {
            ReplicaError::Damaged { .. } => {
                tracing::warn!(doc = id, "set aside: {error}");
            }
            ReplicaError::Rejected(_) if peers_fault => {
                tracing::warn!(doc = id, peer = %self.peer, "set aside: {error}");
                self.peer_failures += 1;
                if self.peer_failures > MAX_SET_ASIDE {
                    return Err(EndReason::Misbehaved(format!(
                        "{} documents failed with its changes; last: {error}",
                        self.peer_failures
                    )));
                }
            }
            other => return Err(rejected(other)),
        }
        self.set_aside.insert(id.to_string());
        self.waiting.take(id);
        self.refuse(id, out);
        Ok(())
    }

    pub(super) fn receive_doc<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        message: Message,
        changes: Vec<SignedChange>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        self.touch(id);
        // What waited for this document is tried again with what came now.
        let mut changes = changes;
        if self.waiting.has(id) {
            let mut all = self.waiting.take(id);
            all.append(&mut changes);
            changes = all;
        }
        // A change signed by a key the team document does not list (yet: a new device's first
        // changes can come before the team document that lists it) waits like one whose
        // dependencies are missing; nobody writes as a device outside the team.
        let (listed, unlisted): (Vec<_>, Vec<_>) = changes
            .into_iter()
            .partition(|c| ctx.access.lists_actor(c.change.actor_id()));
        let changes = listed;
        self.waiting
            .put(id, unlisted)
            .map_err(|e| EndReason::Misbehaved(e.to_string()))?;
        if self.full_out.remove(id) {
            // The peer syncs it with the protocol (it reset it): no acknowledgment will come.
            if let Some((_, sync)) = self.docs.get_mut(id) {
                sync.full_hash = None;
            }
            self.pump_full(ctx, out)?;
        }
        let held = ctx.replica.document(id).map_err(rejected)?;
        if let Some(record) = held {
            if !self.admit_held(ctx, id, kind, &record, out)? {
                return Ok(());
            }
            let state = self.states.entry(id.to_string()).or_default();
            let before = sorted(record.heads);
            let received = match ctx.replica.receive(kind, id, state, message, changes) {
                Ok(received) => received,
                Err(e) => return self.set_aside(id, e, true, out),
            };
            self.waiting
                .put(id, received.waiting)
                .map_err(|e| EndReason::Misbehaved(e.to_string()))?;
            let heads = sorted(received.heads);
            if heads != before {
                out.team_changed |= kind == DocKind::Team;
                out.changed.push(id.to_string());
            }
            let entry = self
                .docs
                .entry(id.to_string())
                .or_insert((kind, DocSync::default()));
            entry.1.pending = None;
            entry.1.our_heads = heads;
        } else {
            if kind == DocKind::Team {
                self.refuse(id, out);
                return Ok(());
            }
            let state = self.states.entry(id.to_string()).or_default();
            let entry = self
                .docs
                .entry(id.to_string())
                .or_insert((kind, DocSync::default()));
            let doc = entry.1.pending.get_or_insert_with(AutoCommit::new);
            let (ready, waiting) = split(doc, changes);
            signing::apply(doc, state, message, &ready)
                .map_err(|e| EndReason::Misbehaved(e.to_string()))?;
            entry
                .1
                .pending_signatures
                .extend(ready.iter().map(|c| c.signature));
            entry.1.our_heads = sorted(doc.get_heads());
            self.waiting
                .put(id, waiting)
                .map_err(|e| EndReason::Misbehaved(e.to_string()))?;
            if !entry.1.our_heads.is_empty() && !self.try_create(ctx, id, kind, out)? {
                return Ok(());
            }
        }
        self.note_round(ctx, id, kind, out)?;
        self.push(ctx, id, kind, out)
    }

    /// Store a pending document once it is complete, valid and allowed; whether the session
    /// still syncs it.
    fn try_create<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        out: &mut Outcome,
    ) -> Result<bool, EndReason> {
        let Some((_, sync)) = self.docs.get_mut(id) else {
            return Ok(false);
        };
        let Some(doc) = sync.pending.take() else {
            return Ok(true);
        };
        let signatures = std::mem::take(&mut sync.pending_signatures);
        let mut known = KnownBy {
            replica: &mut *ctx.replica,
            access: ctx.access,
        };
        match readers_of_new(&mut known, kind, id, &doc) {
            Err(problem) => {
                if !self.waiting.has(id) {
                    return Err(EndReason::Misbehaved(format!(
                        "new document {id} is invalid: {problem}"
                    )));
                }
                // Incomplete: wait for the rest.
                if let Some((_, sync)) = self.docs.get_mut(id) {
                    sync.pending = Some(doc);
                    sync.pending_signatures = signatures;
                }
                Ok(true)
            }
            Ok(None) => {
                self.refuse(id, out);
                Ok(false)
            }
            Ok(Some(readers)) => {
                if !ctx.access.may_exchange(&ctx.me, &self.peer, &readers) {
                    self.refuse(id, out);
                    return Ok(false);
                }
                if let Err(e) = ctx.replica.create(kind, id, doc, &signatures) {
                    self.set_aside(id, e, true, out)?;
                    return Ok(false);
                }
                out.changed.push(id.to_string());
                Ok(true)
            }
        }
    }
}

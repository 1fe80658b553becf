//! Documents sent whole ([`WireMessage::Full`]) and their acknowledgment
//! ([`WireMessage::Stored`]): a document the peer lacks goes as stored, with the signature of
//! every change in it; the receiver loads it (ahead of its turn, see [`prepare`]), checks that
//! it is complete and that every change is signed by its author, and stores it.

use std::collections::BTreeSet;

use automerge::{ActorId, AutoCommit, ChangeHash};

use super::{
    Ctx, DocSync, EndReason, FULL_WINDOW, Outcome, Session, rejected, sorted, synced_state,
};
use crate::doc::{DocKind, MAX_DOCUMENT_BYTES};
use crate::kind::{Document, readers_of_new};
use crate::signature::{ChangeSignature, Signatures, Verifier};
use crate::sync::guard;
use crate::sync::message::{Hash, WireMessage, heads_hash};
use crate::sync::replica::{KnownBy, Replica, Saved};

/// A whole document from a peer ([`WireMessage::Full`]), loaded and hydrated ahead of its turn
/// (see [`super::Engine::handle_batch`]); nothing is decided or stored yet.
pub(crate) struct Prepared {
    doc: Result<AutoCommit, String>,
    hydrated: Option<Result<Document, String>>,
    /// The signature of every change, each verified, and the actors of the changes (or why
    /// not).
    signatures: Result<(Vec<ChangeSignature>, BTreeSet<ActorId>), String>,
}

/// Load `bytes`, check that the document is complete and that each change is signed by its
/// author in `signatures`, and hydrate it as a document of `kind`, inside panic guards.
pub(crate) fn prepare(kind: DocKind, bytes: &[u8], signatures: &[ChangeSignature]) -> Prepared {
    let mut doc = guard::contain(|| AutoCommit::load(bytes)).map_err(|e| e.to_string());
    let signatures = match &mut doc {
        Ok(doc) => verify_all(doc, signatures),
        Err(e) => Err(e.clone()),
    };
    let hydrated = match &doc {
        // A team document is never accepted new from a peer: no need to hydrate it.
        Ok(doc) if kind != DocKind::Team => Some(
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Document::load(kind, doc)))
                .map_err(|_| "hydrating panicked".to_string())
                .and_then(|h| h.map_err(|e| e.to_string())),
        ),
        _ => None,
    };
    Prepared {
        doc,
        hydrated,
        signatures,
    }
}

/// Check that `doc` holds no change waiting for a dependency and that each of its changes is
/// signed by its actor in `given`; the signatures of its changes.
fn verify_all(
    doc: &mut AutoCommit,
    given: &[ChangeSignature],
) -> Result<(Vec<ChangeSignature>, BTreeSet<ActorId>), String> {
    if doc.get_heads().is_empty() || !doc.get_missing_deps(&[]).is_empty() {
        return Err("document sent whole is empty or incomplete".into());
    }
    let given: Signatures = given.iter().copied().collect();
    let mut verifier = Verifier::new();
    let mut actors = BTreeSet::new();
    let mut signatures = Vec::new();
    for change in doc.get_changes(&[]) {
        signatures.push(
            verifier
                .verify(&change, &given)
                .map_err(|e| e.to_string())?,
        );
        actors.insert(change.actor_id().clone());
    }
    Ok((signatures, actors))
}

impl Session {
    /// Send queued whole documents while fewer than [`FULL_WINDOW`] are unacknowledged.
    pub(super) fn pump_full<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        while self.full_out.len() < FULL_WINDOW {
            let Some((id, kind)) = self.full_queue.pop_front() else {
                break;
            };
            if self.refused.contains(&id) || self.docs.contains_key(&id) {
                // Refused meanwhile, or already syncing another way.
                continue;
            }
            let saved = match ctx.replica.saved(kind, &id) {
                Ok(saved) => saved,
                Err(e) => {
                    self.set_aside(&id, e, false, out)?;
                    continue;
                }
            };
            match saved {
                Some(Saved {
                    bytes,
                    heads,
                    signatures,
                }) if !bytes.is_empty() && bytes.len() <= MAX_DOCUMENT_BYTES => {
                    let heads = sorted(heads);
                    let sync = DocSync {
                        full_hash: Some(heads_hash(&heads)),
                        our_heads: heads,
                        ..DocSync::default()
                    };
                    self.docs.insert(id.clone(), (kind, sync));
                    self.touch(&id);
                    self.full_out.insert(id.clone());
                    self.send(
                        out,
                        &WireMessage::Full {
                            doc_id: id,
                            kind,
                            bytes,
                            signatures,
                        },
                    );
                }
                // Not available whole (or too large for one message): the sync protocol.
                _ => self.push(ctx, &id, kind, out)?,
            }
        }
        Ok(())
    }

    /// The peer holds document `id` durably with heads hashing to `hash`.
    pub(super) fn stored<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        hash: Hash,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        let was_full = self.full_out.remove(id);
        if let Some((kind, sync)) = self.docs.get_mut(id) {
            let kind = *kind;
            let sent = sync.full_hash.take();
            if sent == Some(hash) && heads_hash(&sync.our_heads) == hash {
                let heads = sync.our_heads.clone();
                let old = self.states.remove(id);
                self.states
                    .insert(id.to_string(), synced_state(old, &heads));
            } else {
                // The peer holds another version: the sync protocol reconciles the two.
                self.push(ctx, id, kind, out)?;
            }
            self.touch(id);
        }
        if was_full {
            self.pump_full(ctx, out)?;
        }
        Ok(())
    }

    /// A whole document from the peer: store it if new, valid and allowed, and acknowledge it
    /// with the heads held (the acknowledgment goes out only after the store made it durable;
    /// see [`super::Engine::handle_batch`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn receive_full<R: Replica + ?Sized>(
        &mut self,
        ctx: &mut Ctx<'_, R>,
        id: &str,
        kind: DocKind,
        bytes: &[u8],
        signatures: &[ChangeSignature],
        prepared: Option<Prepared>,
        out: &mut Outcome,
    ) -> Result<(), EndReason> {
        let held = ctx.replica.document(id).map_err(rejected)?;
        if held.is_none() && kind == DocKind::Team {
            self.refuse(id, out);
            return Ok(());
        }
        if let Some(record) = &held
            && !self.admit_held(ctx, id, kind, record, out)?
        {
            return Ok(());
        }
        let prepared = prepared.unwrap_or_else(|| prepare(kind, bytes, signatures));
        let mut doc = prepared
            .doc
            .map_err(|e| EndReason::Misbehaved(format!("document {id}: {e}")))?;
        // Complete, and every change signed by its author (or the peer made it up).
        let (signatures, actors) = prepared
            .signatures
            .map_err(|e| EndReason::Misbehaved(format!("document {id}: {e}")))?;
        if !actors.iter().all(|a| ctx.access.lists_actor(a)) {
            // Written (in part) by a device the team document here does not list (yet): not
            // taken whole in this session; the sync protocol brings it once the device is
            // known.
            tracing::info!(doc = id, "sent whole with changes by an unlisted device");
            self.refuse(id, out);
            return Ok(());
        }
        let theirs = sorted(doc.get_heads());
        let ours = match held {
            Some(record) => {
                // Held already (a duplicate, or it came from elsewhere meanwhile): say which
                // version is held; where it differs, the sync protocol reconciles the two.
                let ours = sorted(record.heads);
                if ours != theirs {
                    let entry = self
                        .docs
                        .entry(id.to_string())
                        .or_insert((kind, DocSync::default()));
                    entry.1.pending = None;
                    entry.1.our_heads = ours.clone();
                    self.touch(id);
                    self.send_stored(id, &ours, out);
                    return self.push(ctx, id, kind, out);
                }
                ours
            }
            None => match prepared
                .hydrated
                .unwrap_or_else(|| Document::load(kind, &doc).map_err(|e| e.to_string()))
                .and_then(|hydrated| {
                    let mut known = KnownBy {
                        replica: &mut *ctx.replica,
                        access: ctx.access,
                    };
                    readers_of_new(id, &doc, &hydrated, &mut known)
                        .map(|readers| (readers, hydrated))
                }) {
                Err(problem) => {
                    return Err(EndReason::Misbehaved(format!(
                        "new document {id} is invalid: {problem}"
                    )));
                }
                Ok((None, _)) => {
                    self.refuse(id, out);
                    return Ok(());
                }
                Ok((Some(readers), hydrated)) => {
                    if !ctx.access.may_exchange(&ctx.me, &self.peer, &readers) {
                        self.refuse(id, out);
                        return Ok(());
                    }
                    if let Err(e) =
                        ctx.replica
                            .create_saved(kind, id, doc, bytes, Some(&hydrated), &signatures)
                    {
                        return self.set_aside(id, e, true, out);
                    }
                    out.changed.push(id.to_string());
                    theirs
                }
            },
        };
        let entry = self
            .docs
            .entry(id.to_string())
            .or_insert((kind, DocSync::default()));
        entry.1.pending = None;
        entry.1.our_heads = ours.clone();
        let old = self.states.remove(id);
        self.states.insert(id.to_string(), synced_state(old, &ours));
        self.touch(id);
        self.send_stored(id, &ours, out);
        Ok(())
    }

    pub(super) fn send_stored(&mut self, id: &str, heads: &[ChangeHash], out: &mut Outcome) {
        self.send(
            out,
            &WireMessage::Stored {
                doc_id: id.to_string(),
                heads_hash: heads_hash(heads),
            },
        );
    }
}

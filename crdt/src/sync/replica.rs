//! The boundary between the sync core and the documents it syncs: [`Replica`].
//!
//! The sync core does no I/O; everything it needs from the documents goes through this trait
//! (the store implements it in `store/sync.rs`). A replica lists what it holds with heads and
//! readers, runs Automerge's sync protocol on one document with a per-peer
//! `automerge::sync::State`, and stores a document received for the first time, always with the
//! signature of every change it takes (the core verified them). Access decisions are made by the
//! core ([`super::access`]) from what the replica reports. The core does not know how a replica
//! stores anything: a replica's own failures reach it as [`ReplicaError::Local`] or, for one
//! document, [`ReplicaError::Damaged`].

use automerge::sync::{Message, State};
use automerge::{AutoCommit, ChangeHash};

use super::access::{DeviceRecord, Readers};
use super::signing::SignedChange;
use crate::doc::DocKind;
use crate::kind::{Document, Known};
use crate::signature::{ChangeSignature, Signatures};

/// A document as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRecord {
    /// The document id.
    pub id: String,
    /// Its kind.
    pub kind: DocKind,
    /// Its heads (sorted).
    pub heads: Vec<ChangeHash>,
    /// Who may read it.
    pub readers: Readers,
}

/// A document as stored, to send whole: its bytes (which `AutoCommit::load` accepts), heads and
/// the signature of every change in it.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The heads.
    pub heads: Vec<ChangeHash>,
    /// The signature of each change.
    pub signatures: Vec<ChangeSignature>,
}

/// What [`Replica::receive`] did with the changes it was given.
#[derive(Debug, Default)]
pub struct Received {
    /// The document's heads afterwards.
    pub heads: Vec<ChangeHash>,
    /// The changes it could not take yet: a dependency is missing.
    pub waiting: Vec<SignedChange>,
}

/// Why a replica call failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    /// What the peer sent is not acceptable for this document (invalid result, Automerge failure
    /// or panic); the replica is unchanged and the document is set aside for this session.
    #[error("peer data rejected: {0}")]
    Rejected(String),
    /// This device's copy of document `id` is damaged: it is set aside (not synced) until it is
    /// repaired; everything else keeps syncing.
    #[error("document {id} is damaged here: {detail}")]
    Damaged {
        /// The document.
        id: String,
        /// What is wrong.
        detail: String,
    },
    /// The replica's own storage failed.
    #[error("local storage failed: {0}")]
    Local(String),
    /// A batch (see [`Replica::begin_batch`]) was not stored; nothing of it was kept.
    #[error("the batch was not stored: {0}")]
    Batch(String),
}

/// The documents a sync session works on. Every method is called from the sync core with the
/// per-peer state it keeps.
pub trait Replica {
    /// Every device the team document(s) list, revoked or not.
    fn devices(&mut self) -> Result<Vec<DeviceRecord>, ReplicaError>;

    /// Every document held, sorted by id, with kind, heads and readers. (The core filters this
    /// down to what a given peer may share.)
    fn documents(&mut self) -> Result<Vec<DocRecord>, ReplicaError>;

    /// One document, if held.
    fn document(&mut self, id: &str) -> Result<Option<DocRecord>, ReplicaError>;

    /// Generate the next Automerge sync message of document `id` for the peer whose state is
    /// `state` (`None`: nothing to send now), with the signature of each change it carries.
    fn generate(
        &mut self,
        kind: DocKind,
        id: &str,
        state: &mut State,
    ) -> Result<Option<(Message, Vec<ChangeSignature>)>, ReplicaError>;

    /// Apply an Automerge sync message (checked by [`super::guard::check`] and opened by
    /// [`super::signing::open`]: its changes, verified, are `changes`) to the held document
    /// `id`: the changes whose dependencies it holds are taken ([`super::pending::split`]),
    /// validated and stored with their signatures; the others are returned as waiting. A
    /// message that would make the document invalid is [`ReplicaError::Rejected`] and changes
    /// nothing.
    fn receive(
        &mut self,
        kind: DocKind,
        id: &str,
        state: &mut State,
        message: Message,
        changes: Vec<SignedChange>,
    ) -> Result<Received, ReplicaError>;

    /// Store a document received for the first time (built by the core from sync messages,
    /// complete, and already access-checked) with the signatures of its changes. Invalid
    /// documents are [`ReplicaError::Rejected`].
    fn create(
        &mut self,
        kind: DocKind,
        id: &str,
        doc: AutoCommit,
        signatures: &Signatures,
    ) -> Result<(), ReplicaError>;

    /// Document `id` as stored, to send whole to a peer that lacks it: its bytes (which
    /// `AutoCommit::load` accepts) and its heads. `None`: not available whole (the core then
    /// uses Automerge's sync protocol).
    fn saved(&mut self, kind: DocKind, id: &str) -> Result<Option<Saved>, ReplicaError> {
        let _ = (kind, id);
        Ok(None)
    }

    /// Store a document received whole for the first time: `doc` is `bytes` loaded and
    /// `hydrated` it hydrated, every change verified against `signatures` (already
    /// access-checked, as for [`Replica::create`]).
    fn create_saved(
        &mut self,
        kind: DocKind,
        id: &str,
        doc: AutoCommit,
        bytes: &[u8],
        hydrated: Option<&Document>,
        signatures: &[ChangeSignature],
    ) -> Result<(), ReplicaError> {
        let _ = (bytes, hydrated);
        let signatures: Signatures = signatures.iter().copied().collect();
        self.create(kind, id, doc, &signatures)
    }

    /// The members (ids) working for the partner organisation `partner` (whose devices receive
    /// its referrals).
    fn partner_members(
        &mut self,
        partner: &str,
    ) -> Result<std::collections::BTreeSet<String>, ReplicaError> {
        let _ = partner;
        Ok(Default::default())
    }

    /// Start a batch: what is stored until [`Replica::end_batch`] may be made durable together
    /// (one transaction). Each document is still stored or rejected on its own.
    fn begin_batch(&mut self) -> Result<(), ReplicaError> {
        Ok(())
    }

    /// End the batch, making everything stored in it durable. On an error nothing of the batch
    /// may be assumed stored.
    fn end_batch(&mut self) -> Result<(), ReplicaError> {
        Ok(())
    }
}

/// What the sync core knows about the team, through a replica and the access view: the
/// readers of documents held, the members of a partner organisation, the device's member.
pub(crate) struct KnownBy<'a, R: Replica + ?Sized> {
    /// The replica.
    pub replica: &'a mut R,
    /// The access view (the team's devices).
    pub access: &'a super::access::Access,
}

impl<R: Replica + ?Sized> Known for KnownBy<'_, R> {
    fn readers_of(&mut self, id: &str) -> Option<Readers> {
        self.replica.document(id).ok().flatten().map(|r| r.readers)
    }

    fn partner_members(&mut self, partner: &str) -> std::collections::BTreeSet<String> {
        self.replica.partner_members(partner).unwrap_or_default()
    }

    fn member_of(&mut self, device: &crate::id::DeviceId) -> Option<String> {
        self.access.member_of(device)
    }
}

/// Who may read a document received for the first time: hydrate it (its validation), then ask
/// its kind (see [`crate::kind::readers_of_new`]).
pub(crate) fn readers_of_new<R: Replica + ?Sized>(
    known: &mut KnownBy<'_, R>,
    kind: DocKind,
    id: &str,
    doc: &AutoCommit,
) -> Result<Option<Readers>, String> {
    let document = Document::load(kind, doc).map_err(|e| e.to_string())?;
    crate::kind::readers_of_new(id, doc, &document, known)
}

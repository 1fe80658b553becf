//! Changes with their signatures, in and out of Automerge sync messages.
//!
//! A received sync message is opened before any document sees it: its changes are taken out,
//! parsed one by one (a chunk that is a whole document, as Automerge sends when most of a
//! document is new to the receiver, is loaded apart and split into its changes), and each is
//! checked against the signature the peer sent for it ([`crate::signature`]). One change without
//! a valid signature by its own actor refuses the whole message: the peer made it up, or passes
//! on what somebody made up, and its session ends. The document then gets only the verified
//! changes whose dependencies it holds ([`super::pending`] keeps the others, bounded).

use automerge::sync::{Message, State, SyncDoc};
use automerge::{AutoCommit, Change, ChangeHash};

use super::guard::{self, GuardError};
use crate::signature::{ChangeSignature, Signatures, Verifier};

/// A change from a peer, with the signature that verified it.
#[derive(Debug, Clone)]
pub struct SignedChange {
    /// The change.
    pub change: Change,
    /// Its author's signature.
    pub signature: ChangeSignature,
}

impl SignedChange {
    /// Bytes it holds (for bounds).
    pub fn size(&self) -> usize {
        self.change.raw_bytes().len() + std::mem::size_of::<ChangeSignature>()
    }
}

/// The changes in one chunk of a sync message: one change, or a whole document's changes.
/// A document's trailing chunks whose dependencies it lacks are not taken.
fn changes_in(chunk: &[u8]) -> Result<Vec<Change>, String> {
    match Change::try_from(chunk) {
        Ok(change) => Ok(vec![change]),
        Err(_) => {
            let mut doc = guard::contain(|| AutoCommit::load(chunk)).map_err(|e| e.to_string())?;
            Ok(doc.get_changes(&[]))
        }
    }
}

/// Take the changes out of `message` (which keeps its heads, needs and haves) and check each
/// against `signatures`. Any change without a valid signature by its actor refuses the message.
pub fn open(
    message: &mut Message,
    signatures: &[ChangeSignature],
    verifier: &mut Verifier,
) -> Result<Vec<SignedChange>, String> {
    let chunks = std::mem::replace(&mut message.changes, automerge::sync::ChunkList::empty());
    if chunks.is_empty() {
        return Ok(Vec::new());
    }
    let given: Signatures = signatures.iter().copied().collect();
    let mut out = Vec::new();
    for chunk in chunks.iter() {
        for change in changes_in(chunk)? {
            let signature = verifier
                .verify(&change, &given)
                .map_err(|e| e.to_string())?;
            out.push(SignedChange { change, signature });
        }
    }
    Ok(out)
}

/// The changes an outgoing message carries: their hashes, or `None` when it carries a whole
/// document (all of the document's changes).
pub fn hashes_in(message: &Message) -> Option<Vec<ChangeHash>> {
    message
        .changes
        .iter()
        .map(|chunk| Change::try_from(chunk).ok().map(|c| c.hash()))
        .collect()
}

/// Hand `message` (opened, see [`open`]) to `doc` with the changes `ready` (verified, and whose
/// dependencies `doc` holds or that come before them in `ready`), inside a panic guard.
pub fn apply(
    doc: &mut AutoCommit,
    state: &mut State,
    mut message: Message,
    ready: &[SignedChange],
) -> Result<(), GuardError> {
    if !ready.is_empty() {
        let chunks: Vec<Vec<u8>> = ready
            .iter()
            .map(|c| c.change.raw_bytes().to_vec())
            .collect();
        message.changes = chunks.into();
    }
    guard::contain(|| doc.sync().receive_sync_message(state, message))
}

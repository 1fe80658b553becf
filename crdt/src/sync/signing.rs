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

/// First bytes of every Automerge storage chunk.
const CHUNK_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The chunk type of a whole document.
const CHUNK_DOCUMENT: u8 = 0;

/// Split bytes holding one or more Automerge chunks (magic, checksum, type, LEB128 length,
/// body; a V2 sync message sends its changes as one such sequence) into the chunks.
fn split_chunks(mut bytes: &[u8]) -> Result<Vec<(u8, &[u8])>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if bytes.len() < 9 || bytes[..4] != CHUNK_MAGIC {
            return Err("not an automerge chunk".into());
        }
        let kind = bytes[8];
        let mut length: u64 = 0;
        let mut at = 9;
        for shift in (0..64).step_by(7) {
            let byte = *bytes.get(at).ok_or("truncated chunk length")?;
            at += 1;
            length |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| at.checked_add(l))
            .filter(|end| *end <= bytes.len())
            .ok_or("truncated chunk")?;
        out.push((kind, &bytes[..end]));
        bytes = &bytes[end..];
    }
    Ok(out)
}

/// The changes in one element of a sync message's change list: change chunks, or a whole
/// document (whose changes waiting for dependencies it lacks are not taken).
fn changes_in(element: &[u8]) -> Result<Vec<Change>, String> {
    let mut out = Vec::new();
    for (kind, chunk) in split_chunks(element)? {
        if kind == CHUNK_DOCUMENT {
            let mut doc = guard::contain(|| {
                AutoCommit::load_with_options(
                    chunk,
                    automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Ignore),
                )
            })
            .map_err(|e| e.to_string())?;
            out.extend(doc.get_changes(&[]));
        } else {
            out.push(Change::try_from(chunk).map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
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
    for element in chunks.iter() {
        for change in changes_in(element)? {
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
    let mut out = Vec::new();
    for element in message.changes.iter() {
        for (kind, chunk) in split_chunks(element).ok()? {
            if kind == CHUNK_DOCUMENT {
                return None;
            }
            out.push(Change::try_from(chunk).ok()?.hash());
        }
    }
    Some(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::Author;
    use crate::id::MemberId;
    use automerge::transaction::Transactable;

    /// Two documents synced with Automerge's protocol (both sides speak V2, as Nabij's do);
    /// every message `a` sends that carries changes, with `a`'s signatures.
    fn exchange(a: &mut AutoCommit, b: &mut AutoCommit, author: &Author) -> Vec<(Message, usize)> {
        let signatures: Signatures = a
            .get_changes(&[])
            .iter()
            .map(|c| author.sign(&c.hash()))
            .collect();
        let (mut sa, mut sb) = (State::new(), State::new());
        let mut carried = Vec::new();
        for _ in 0..10 {
            if let Some(m) = a.sync().generate_sync_message(&mut sa) {
                if !m.changes.is_empty() {
                    let mut opened = m.clone();
                    let given: Vec<ChangeSignature> = signatures.iter().collect();
                    let changes = open(&mut opened, &given, &mut Verifier::new()).unwrap();
                    carried.push((m.clone(), changes.len()));
                }
                b.sync().receive_sync_message(&mut sb, m).unwrap();
            }
            if let Some(m) = b.sync().generate_sync_message(&mut sb) {
                a.sync().receive_sync_message(&mut sa, m).unwrap();
            }
        }
        carried
    }

    #[test]
    fn changes_are_found_in_every_form_a_sync_message_takes_and_checked() {
        let author = Author::generate(MemberId::random());
        let mut a = author.new_document();
        for n in 0..6 {
            a.put(automerge::ROOT, format!("k{n}"), n).unwrap();
            author.commit(&mut a);
        }
        // A new peer gets the whole document (one document chunk).
        let mut b = AutoCommit::new();
        let carried = exchange(&mut a, &mut b, &author);
        assert_eq!(carried.iter().map(|(_, n)| n).sum::<usize>(), 6);
        assert!(carried.iter().any(|(m, _)| hashes_in(m).is_none()));
        assert_eq!(b.get_heads(), a.get_heads());
        // A peer that lacks only the last two gets them as changes.
        let mut c = AutoCommit::load(&a.save()).unwrap();
        for n in 6..8 {
            a.put(automerge::ROOT, format!("k{n}"), n).unwrap();
            author.commit(&mut a);
        }
        let carried = exchange(&mut a, &mut c, &author);
        let (message, count) = carried.first().unwrap();
        assert_eq!(*count, 2);
        assert_eq!(hashes_in(message).unwrap().len(), 2);
        // Without its signatures, or with another device's, the message is refused.
        let mut bare = message.clone();
        assert!(open(&mut bare, &[], &mut Verifier::new()).is_err());
        let other = Author::generate(MemberId::random());
        let forged: Vec<ChangeSignature> = hashes_in(message)
            .unwrap()
            .iter()
            .map(|h| other.sign(h))
            .collect();
        let mut opened = message.clone();
        assert!(open(&mut opened, &forged, &mut Verifier::new()).is_err());
        assert!(split_chunks(&[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 200]).is_err());
    }
}

//! The wire messages of a sync session and their binary encoding.
//!
//! Every message is `MAGIC (2 bytes) | version (1) | type (1) | body`. Integers are big-endian
//! and fixed-size; every variable part is length-prefixed. Decoding checks each length against
//! the caps below and against the bytes actually left *before* allocating, so hostile input is an
//! error ([`WireError`]), never a panic or an allocation larger than the input.
//!
//! The body of [`WireMessage::Doc`] is an Automerge sync message, opaque at this level; it is
//! checked by [`super::guard`] before Automerge sees it. [`WireMessage::Doc`] and
//! [`WireMessage::Full`] carry the signature of every change they hold (a u32 count, then
//! change hash (32) · signature (64) each; see [`crate::signature`]).
//!
//! Version 2 added the signatures; version 1 peers are refused ([`WireError::Version`]).

use crate::doc::DocKind;
use crate::doc::MAX_DOCUMENT_BYTES;
use crate::signature::{ChangeSignature, SIGNATURE_LEN};

/// First bytes of every message.
pub const MAGIC: [u8; 2] = *b"NS";
/// The wire format version this build speaks.
pub const WIRE_VERSION: u8 = 2;
/// Largest message accepted (an Automerge sync message may carry a whole document).
pub const MAX_MESSAGE_BYTES: usize = MAX_DOCUMENT_BYTES + 1024 * 1024;
/// Largest Automerge sync message inside a [`WireMessage::Doc`].
pub const MAX_SYNC_BYTES: usize = MAX_DOCUMENT_BYTES;
/// Longest document id (ids are UUIDs: 36 characters).
pub const MAX_ID_LEN: usize = 64;
/// Most entries in one [`WireMessage::Inventory`].
pub const MAX_INVENTORY_ENTRIES: usize = 200_000;

const TYPE_HELLO: u8 = 1;
const TYPE_INVENTORY: u8 = 2;
const TYPE_DOC: u8 = 3;
const TYPE_REFUSE: u8 = 4;
const TYPE_FULL: u8 = 5;
const TYPE_STORED: u8 = 6;

/// A BLAKE3 hash.
pub type Hash = [u8; 32];

/// One document in an inventory: its id, kind and a hash of its sorted heads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEntry {
    /// The document id.
    pub doc_id: String,
    /// The document kind.
    pub kind: DocKind,
    /// BLAKE3 over the sorted heads (see [`heads_hash`]).
    pub heads_hash: Hash,
}

/// A message between two devices in a sync session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireMessage {
    /// Start of a session: a digest of every (document id, kind, heads) the sender may share with
    /// the receiver, and how many documents that is. Equal digests end the catch-up.
    Hello {
        /// BLAKE3 over the sorted list (see [`super::session`]).
        digest: Hash,
        /// Number of documents in the digest.
        count: u64,
        /// The sender has not seen the receiver's `Hello` and asks for it (again).
        want_reply: bool,
    },
    /// Every document the sender may share with the receiver, when the digests differ.
    Inventory {
        /// The documents.
        entries: Vec<InventoryEntry>,
        /// The sender has not seen the receiver's inventory and asks for it (again).
        want_reply: bool,
    },
    /// An Automerge sync message for one document.
    Doc {
        /// The document id.
        doc_id: String,
        /// The document kind.
        kind: DocKind,
        /// The encoded `automerge::sync::Message`.
        sync: Vec<u8>,
        /// The signature of each change in it.
        signatures: Vec<ChangeSignature>,
    },
    /// The sender will not sync this document with the receiver (it does not consider the
    /// receiver allowed on it); the receiver stops pushing it in this session.
    Refuse {
        /// The document id.
        doc_id: String,
    },
    /// A whole document (as stored: Automerge chunks) that the receiver's inventory lacks, sent
    /// in one message instead of Automerge's sync rounds. The receiver answers with
    /// [`WireMessage::Stored`] once it holds it durably (or with `Refuse`).
    Full {
        /// The document id.
        doc_id: String,
        /// The document kind.
        kind: DocKind,
        /// The document's bytes (at most [`MAX_DOCUMENT_BYTES`]).
        bytes: Vec<u8>,
        /// The signature of each change in it.
        signatures: Vec<ChangeSignature>,
    },
    /// The sender durably holds document `doc_id` with these heads (the answer to
    /// [`WireMessage::Full`]).
    Stored {
        /// The document id.
        doc_id: String,
        /// BLAKE3 over the sorted heads (see [`heads_hash`]).
        heads_hash: Hash,
    },
}

/// Why bytes are not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The message is larger than [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes is over the limit")]
    TooLarge(usize),
    /// The message does not start with [`MAGIC`].
    #[error("not a Nabij sync message")]
    BadMagic,
    /// The message has a version this build does not speak.
    #[error("unsupported wire version {0}")]
    Version(u8),
    /// Unknown message type.
    #[error("unknown message type {0}")]
    UnknownType(u8),
    /// The message ends early.
    #[error("message is truncated")]
    Truncated,
    /// Bytes follow the end of the message.
    #[error("{0} bytes after the end of the message")]
    Trailing(usize),
    /// A field is out of range.
    #[error("invalid field {0}")]
    Invalid(&'static str),
}

/// The kind's byte on the wire.
pub(crate) fn kind_byte(kind: DocKind) -> u8 {
    match kind {
        DocKind::Team => 1,
        DocKind::Case => 2,
        DocKind::Referral => 3,
        DocKind::Intake => 4,
    }
}

fn kind_from(byte: u8) -> Result<DocKind, WireError> {
    match byte {
        1 => Ok(DocKind::Team),
        2 => Ok(DocKind::Case),
        3 => Ok(DocKind::Referral),
        4 => Ok(DocKind::Intake),
        _ => Err(WireError::Invalid("kind")),
    }
}

/// BLAKE3 over sorted heads (each 32 bytes), as used in inventories and digests.
pub fn heads_hash(heads: &[automerge::ChangeHash]) -> Hash {
    let mut sorted: Vec<&automerge::ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut hasher = blake3::Hasher::new();
    for head in sorted {
        hasher.update(&head.0);
    }
    *hasher.finalize().as_bytes()
}

/// Whether `id` is acceptable as a document id on the wire: 1 to [`MAX_ID_LEN`] characters of
/// `[0-9a-zA-Z-]`.
pub fn valid_doc_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn put_signatures(out: &mut Vec<u8>, signatures: &[ChangeSignature]) {
    out.extend_from_slice(&(signatures.len() as u32).to_be_bytes());
    for signature in signatures {
        out.extend_from_slice(&signature.hash.0);
        out.extend_from_slice(&signature.bytes);
    }
}

fn put_id(out: &mut Vec<u8>, id: &str) {
    // Ids are checked before encoding; a longer one is cut (and refused by the receiver).
    let bytes = &id.as_bytes()[..id.len().min(MAX_ID_LEN)];
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
}

impl WireMessage {
    /// The message as bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&MAGIC);
        out.push(WIRE_VERSION);
        match self {
            WireMessage::Hello {
                digest,
                count,
                want_reply,
            } => {
                out.push(TYPE_HELLO);
                out.extend_from_slice(digest);
                out.extend_from_slice(&count.to_be_bytes());
                out.push(u8::from(*want_reply));
            }
            WireMessage::Inventory {
                entries,
                want_reply,
            } => {
                out.push(TYPE_INVENTORY);
                out.push(u8::from(*want_reply));
                out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
                for entry in entries {
                    put_id(&mut out, &entry.doc_id);
                    out.push(kind_byte(entry.kind));
                    out.extend_from_slice(&entry.heads_hash);
                }
            }
            WireMessage::Doc {
                doc_id,
                kind,
                sync,
                signatures,
            } => {
                out.reserve(sync.len() + 12 + doc_id.len() + signatures.len() * 96);
                out.push(TYPE_DOC);
                put_id(&mut out, doc_id);
                out.push(kind_byte(*kind));
                out.extend_from_slice(&(sync.len() as u32).to_be_bytes());
                out.extend_from_slice(sync);
                put_signatures(&mut out, signatures);
            }
            WireMessage::Refuse { doc_id } => {
                out.push(TYPE_REFUSE);
                put_id(&mut out, doc_id);
            }
            WireMessage::Full {
                doc_id,
                kind,
                bytes,
                signatures,
            } => {
                out.reserve(bytes.len() + 12 + doc_id.len() + signatures.len() * 96);
                out.push(TYPE_FULL);
                put_id(&mut out, doc_id);
                out.push(kind_byte(*kind));
                out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                out.extend_from_slice(bytes);
                put_signatures(&mut out, signatures);
            }
            WireMessage::Stored { doc_id, heads_hash } => {
                out.push(TYPE_STORED);
                put_id(&mut out, doc_id);
                out.extend_from_slice(heads_hash);
            }
        }
        out
    }

    /// Decode one message, checking every length and cap.
    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(WireError::TooLarge(bytes.len()));
        }
        let mut r = Reader { bytes };
        if r.take(2)? != MAGIC {
            return Err(WireError::BadMagic);
        }
        let version = r.u8()?;
        if version != WIRE_VERSION {
            return Err(WireError::Version(version));
        }
        let message = match r.u8()? {
            TYPE_HELLO => {
                let digest = r.hash()?;
                let count = r.u64()?;
                let want_reply = r.flag("want_reply")?;
                WireMessage::Hello {
                    digest,
                    count,
                    want_reply,
                }
            }
            TYPE_INVENTORY => {
                let want_reply = r.flag("want_reply")?;
                let count = r.u32()? as usize;
                // Smallest entry: id length byte + 1 id byte + kind + hash.
                if count > MAX_INVENTORY_ENTRIES {
                    return Err(WireError::Invalid("inventory count"));
                }
                if count.saturating_mul(35) > r.bytes.len() {
                    return Err(WireError::Truncated);
                }
                let mut entries = Vec::with_capacity(count);
                for _ in 0..count {
                    let doc_id = r.id()?;
                    let kind = kind_from(r.u8()?)?;
                    let heads_hash = r.hash()?;
                    entries.push(InventoryEntry {
                        doc_id,
                        kind,
                        heads_hash,
                    });
                }
                WireMessage::Inventory {
                    entries,
                    want_reply,
                }
            }
            TYPE_DOC => {
                let doc_id = r.id()?;
                let kind = kind_from(r.u8()?)?;
                let len = r.u32()? as usize;
                if len > MAX_SYNC_BYTES {
                    return Err(WireError::Invalid("sync message length"));
                }
                let sync = r.take(len)?.to_vec();
                let signatures = r.signatures()?;
                WireMessage::Doc {
                    doc_id,
                    kind,
                    sync,
                    signatures,
                }
            }
            TYPE_REFUSE => WireMessage::Refuse { doc_id: r.id()? },
            TYPE_FULL => {
                let doc_id = r.id()?;
                let kind = kind_from(r.u8()?)?;
                let len = r.u32()? as usize;
                if len == 0 || len > MAX_DOCUMENT_BYTES {
                    return Err(WireError::Invalid("document length"));
                }
                let bytes = r.take(len)?.to_vec();
                let signatures = r.signatures()?;
                WireMessage::Full {
                    doc_id,
                    kind,
                    bytes,
                    signatures,
                }
            }
            TYPE_STORED => WireMessage::Stored {
                doc_id: r.id()?,
                heads_hash: r.hash()?,
            },
            other => return Err(WireError::UnknownType(other)),
        };
        if !r.bytes.is_empty() {
            return Err(WireError::Trailing(r.bytes.len()));
        }
        Ok(message)
    }
}

/// A cursor over the bytes of one message.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A u32 count of signatures, checked against the bytes left before allocating, then each.
    fn signatures(&mut self) -> Result<Vec<ChangeSignature>, WireError> {
        let count = self.u32()? as usize;
        if count.saturating_mul(32 + SIGNATURE_LEN) > self.bytes.len() {
            return Err(WireError::Truncated);
        }
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let hash = automerge::ChangeHash(self.hash()?);
            let bytes = self
                .take(SIGNATURE_LEN)?
                .try_into()
                .map_err(|_| WireError::Truncated)?;
            out.push(ChangeSignature { hash, bytes });
        }
        Ok(out)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if n > self.bytes.len() {
            return Err(WireError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    fn flag(&mut self, field: &'static str) -> Result<bool, WireError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(WireError::Invalid(field)),
        }
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_be_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, WireError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(b))
    }

    fn hash(&mut self) -> Result<Hash, WireError> {
        let mut h = [0u8; 32];
        h.copy_from_slice(self.take(32)?);
        Ok(h)
    }

    fn id(&mut self) -> Result<String, WireError> {
        let len = usize::from(self.u8()?);
        if len == 0 || len > MAX_ID_LEN {
            return Err(WireError::Invalid("doc id length"));
        }
        let raw = self.take(len)?;
        let id = std::str::from_utf8(raw).map_err(|_| WireError::Invalid("doc id"))?;
        if !valid_doc_id(id) {
            return Err(WireError::Invalid("doc id"));
        }
        Ok(id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<WireMessage> {
        vec![
            WireMessage::Hello {
                digest: [7; 32],
                count: 12,
                want_reply: true,
            },
            WireMessage::Inventory {
                entries: vec![InventoryEntry {
                    doc_id: "3f1c2a4e-0000-4000-8000-000000000001".into(),
                    kind: DocKind::Case,
                    heads_hash: [1; 32],
                }],
                want_reply: false,
            },
            WireMessage::Doc {
                doc_id: "abc".into(),
                kind: DocKind::Team,
                sync: vec![0x42, 0, 0, 0, 0],
                signatures: vec![ChangeSignature {
                    hash: automerge::ChangeHash([3; 32]),
                    bytes: [4; SIGNATURE_LEN],
                }],
            },
            WireMessage::Refuse {
                doc_id: "x-1".into(),
            },
            WireMessage::Full {
                doc_id: "d-2".into(),
                kind: DocKind::Case,
                bytes: vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3],
                signatures: Vec::new(),
            },
            WireMessage::Stored {
                doc_id: "d-2".into(),
                heads_hash: [9; 32],
            },
        ]
    }

    #[test]
    fn messages_round_trip() {
        for message in samples() {
            assert_eq!(WireMessage::decode(&message.encode()).unwrap(), message);
        }
    }

    #[test]
    fn every_truncation_and_trailing_byte_is_an_error() {
        for message in samples() {
            let bytes = message.encode();
            for cut in 0..bytes.len() {
                assert!(
                    WireMessage::decode(&bytes[..cut]).is_err(),
                    "{message:?} at {cut}"
                );
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(WireMessage::decode(&longer), Err(WireError::Trailing(1)));
        }
    }

    #[test]
    fn huge_counts_are_refused_before_allocating() {
        let mut bytes = vec![b'N', b'S', WIRE_VERSION, TYPE_INVENTORY, 0];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            WireMessage::decode(&bytes),
            Err(WireError::Invalid("inventory count"))
        );
        let mut bytes = vec![b'N', b'S', WIRE_VERSION, TYPE_INVENTORY, 0];
        bytes.extend_from_slice(&1000u32.to_be_bytes());
        assert_eq!(WireMessage::decode(&bytes), Err(WireError::Truncated));
        let mut bytes = vec![b'N', b'S', WIRE_VERSION, TYPE_DOC, 1, b'a', 2];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(WireMessage::decode(&bytes).is_err());
        let mut bytes = vec![b'N', b'S', WIRE_VERSION, TYPE_FULL, 1, b'a', 2];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            WireMessage::decode(&bytes),
            Err(WireError::Invalid("document length"))
        );
        let mut bytes = vec![b'N', b'S', WIRE_VERSION, TYPE_FULL, 1, b'a', 2];
        bytes.extend_from_slice(&1000u32.to_be_bytes());
        assert_eq!(WireMessage::decode(&bytes), Err(WireError::Truncated));
        // A signature count beyond what follows is refused before allocating.
        let mut bytes = vec![
            b'N',
            b'S',
            WIRE_VERSION,
            TYPE_FULL,
            1,
            b'a',
            2,
            0,
            0,
            0,
            1,
            7,
        ];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(WireMessage::decode(&bytes), Err(WireError::Truncated));
    }

    #[test]
    fn bad_ids_kinds_and_versions_are_refused() {
        let bad_id = vec![b'N', b'S', WIRE_VERSION, TYPE_REFUSE, 2, b'a', b'/'];
        assert_eq!(
            WireMessage::decode(&bad_id),
            Err(WireError::Invalid("doc id"))
        );
        let empty_id = vec![b'N', b'S', WIRE_VERSION, TYPE_REFUSE, 0];
        assert!(WireMessage::decode(&empty_id).is_err());
        let bad_kind = vec![b'N', b'S', WIRE_VERSION, TYPE_DOC, 1, b'a', 9, 0, 0, 0, 0];
        assert_eq!(
            WireMessage::decode(&bad_kind),
            Err(WireError::Invalid("kind"))
        );
        assert_eq!(
            WireMessage::decode(&[b'N', b'S', 9, 1]),
            Err(WireError::Version(9))
        );
        assert_eq!(WireMessage::decode(b"xx"), Err(WireError::BadMagic));
        assert_eq!(
            WireMessage::decode(&[b'N', b'S', WIRE_VERSION, 77]),
            Err(WireError::UnknownType(77))
        );
    }
}

//! The signatures beside the documents: every change a document holds has its author device's
//! signature in `change_signature`, written in the same transaction as the change (documents
//! stored before signatures existed are `legacy`: usable on this device, never exchanged).
//! Local changes are signed here with the author's key; changes from elsewhere are stored only
//! with a signature that verifies against their actor (see [`crate::signature`]).

use automerge::{AutoCommit, ChangeHash};
use rusqlite::{Connection, params};

use super::{Store, StoreError};
use crate::author::Author;
use crate::doc::DocKind;
use crate::signature::{ChangeSignature, SIGNATURE_LEN, SignatureError, Signatures, Verifier};

/// A whole document with the signature of every change in it: what goes to another device (a
/// join answer, a backup, a merge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDocument {
    /// The document's bytes (which `AutoCommit::load` accepts).
    pub bytes: Vec<u8>,
    /// The signature of each of its changes.
    pub signatures: Signatures,
}

/// Store signatures of document `id` (those already stored are kept).
pub(crate) fn save(
    conn: &Connection,
    id: &str,
    signatures: impl IntoIterator<Item = ChangeSignature>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO change_signature (doc_id, hash, signature) VALUES (?1, ?2, ?3)",
    )?;
    for signature in signatures {
        stmt.execute(params![
            id,
            signature.hash.0.as_slice(),
            signature.bytes.as_slice()
        ])?;
    }
    Ok(())
}

fn row(hash: Vec<u8>, bytes: Vec<u8>) -> Option<ChangeSignature> {
    Some(ChangeSignature {
        hash: ChangeHash::try_from(hash.as_slice()).ok()?,
        bytes: <[u8; SIGNATURE_LEN]>::try_from(bytes.as_slice()).ok()?,
    })
}

/// Every stored signature of document `id`.
pub(crate) fn all(conn: &Connection, id: &str) -> Result<Signatures, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT hash, signature FROM change_signature WHERE doc_id = ?1")?;
    let mut rows = stmt.query([id])?;
    let mut out = Signatures::new();
    while let Some(r) = rows.next()? {
        if let Some(signature) = row(r.get(0)?, r.get(1)?) {
            out.insert(signature);
        }
    }
    Ok(out)
}

/// The stored signatures of the changes `hashes` of document `id`; a change without one is an
/// error.
pub(crate) fn of(
    conn: &Connection,
    id: &str,
    hashes: &[ChangeHash],
) -> Result<Vec<ChangeSignature>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT hash, signature FROM change_signature WHERE doc_id = ?1 AND hash = ?2",
    )?;
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        let found = stmt
            .query_map(params![id, hash.0.as_slice()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .next()
            .transpose()?
            .and_then(|(h, s)| row(h, s));
        out.push(found.ok_or(SignatureError::Missing(*hash))?);
    }
    Ok(out)
}

/// Check that every change of `doc` is signed by its actor in `signatures`; returns the
/// signatures of its changes. A document with changes waiting for dependencies it lacks is
/// refused: only complete histories are stored.
pub(crate) fn verify_document(
    id: &str,
    doc: &mut AutoCommit,
    signatures: &Signatures,
) -> Result<Vec<ChangeSignature>, StoreError> {
    if !doc.get_missing_deps(&[]).is_empty() {
        return Err(StoreError::Corrupt {
            id: id.to_string(),
            detail: "changes without their dependencies".into(),
        });
    }
    let mut verifier = Verifier::new();
    let mut out = Vec::new();
    for change in doc.get_changes(&[]) {
        out.push(verifier.verify(&change, signatures)?);
    }
    Ok(out)
}

/// Sign every change of `doc` after `since` with `author`'s key (they must all be its own: a
/// change by another device cannot be signed here).
pub(crate) fn sign_local(
    doc: &mut AutoCommit,
    since: &[ChangeHash],
    author: &Author,
) -> Result<Vec<ChangeSignature>, StoreError> {
    author.sign_since(doc, since).ok_or_else(|| {
        StoreError::DeviceKey(format!(
            "a change to write is not by this device ({})",
            author.device()
        ))
    })
}

impl Store {
    /// Every stored signature of document `id`.
    pub fn signatures(&self, id: &str) -> Result<Signatures, StoreError> {
        all(&self.conn, id)
    }

    /// The whole document with its signatures, for another device.
    pub fn export_document(
        &mut self,
        kind: DocKind,
        id: &str,
    ) -> Result<SignedDocument, StoreError> {
        Ok(SignedDocument {
            bytes: self.document_bytes(kind, id)?,
            signatures: self.signatures(id)?,
        })
    }
}

//! How document bytes are kept: each write appends the new changes as a chunk with a BLAKE3
//! checksum, and the document's heads are stored beside the chunks. Loading checks every chunk's
//! checksum, loads the chunks inside a panic guard, and compares the loaded heads with the stored
//! ones, so a damaged or missing chunk is reported (automerge's own `load_incremental` accepts
//! some corrupt input silently). After [`COMPACT_AFTER_CHUNKS`] chunks a document is rewritten as
//! one compressed chunk.
//!
//! A bounded number of loaded documents stay in memory ([`CACHE_DOCUMENTS`], least recently used
//! first out); lists and search read the query tables and never load documents.

use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash};
use lru::LruCache;
use rusqlite::{Connection, OptionalExtension, params};

use super::signatures::{self, SignedDocument};
use super::{Store, StoreError, projection};
use crate::author::Author;
use crate::date::now_ms;
use crate::doc::{DocError, DocKind};
use crate::signature::{ChangeSignature, Signatures};

/// Loaded documents kept in memory.
pub const CACHE_DOCUMENTS: usize = 128;
/// Chunks after which a document is compacted into one.
pub const COMPACT_AFTER_CHUNKS: i64 = 32;
pub use crate::doc::MAX_DOCUMENT_BYTES;

/// A document's stored bytes (its chunks in order) and its stored heads.
pub(crate) type StoredBytes = (Vec<u8>, Vec<ChangeHash>);

/// The in-memory cache of loaded documents.
pub(crate) struct Cache(LruCache<String, AutoCommit>);

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cache({} loaded)", self.0.len())
    }
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self(LruCache::new(
            NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
        ))
    }

    /// Forget every loaded document (they are read from disk again when needed).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

fn encode_heads(mut heads: Vec<ChangeHash>) -> Vec<u8> {
    heads.sort();
    heads.iter().flat_map(|h| h.0).collect()
}

fn decode_heads(id: &str, bytes: &[u8]) -> Result<Vec<ChangeHash>, StoreError> {
    bytes
        .chunks(32)
        .map(|h| ChangeHash::try_from(h).map_err(|_| corrupt(id, "stored heads are malformed")))
        .collect()
}

fn corrupt(id: &str, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        id: id.to_string(),
        detail: detail.into(),
    }
}

/// Run automerge code that may panic on hostile input; a panic becomes an error.
pub(crate) fn guarded<T>(
    f: impl FnOnce() -> Result<T, automerge::AutomergeError>,
) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("automerge panicked on these bytes".into()),
    }
}

impl Store {
    /// The stored chunks of a document, checksums verified, and its stored heads (without
    /// loading it). `None` when it is not stored as `kind`.
    pub(crate) fn stored_document(
        &self,
        kind: DocKind,
        id: &str,
    ) -> Result<Option<StoredBytes>, StoreError> {
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT kind, heads FROM document WHERE doc_id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((stored_kind, heads)) = row else {
            return Ok(None);
        };
        if stored_kind != kind.as_str() {
            return Ok(None);
        }
        let bytes = self.read_chunks(id)?;
        Ok(Some((bytes, decode_heads(id, &heads)?)))
    }

    /// The stored bytes of document `id`: its chunks in order, each checked against its
    /// checksum.
    fn read_chunks(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, data, checksum FROM document_chunk WHERE doc_id = ?1 ORDER BY seq",
        )?;
        let mut bytes = Vec::new();
        let mut rows = stmt.query([id])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let data: Vec<u8> = row.get(1)?;
            let checksum: Vec<u8> = row.get(2)?;
            if blake3::hash(&data).as_bytes().as_slice() != checksum.as_slice() {
                return Err(corrupt(id, format!("chunk {seq} fails its checksum")));
            }
            bytes.extend_from_slice(&data);
        }
        Ok(bytes)
    }

    /// Open one transaction for the writes that follow, until [`Store::end_batch_tx`], so the
    /// batch is fsynced once. Documents received whole are validated before they are written
    /// and written without a savepoint of their own (a savepoint makes FTS5 flush its index
    /// each time); if one of those writes fails anyway, the whole batch is rolled back at its
    /// end. Other writes keep their own savepoint and roll back alone.
    pub(crate) fn begin_batch_tx(&mut self) -> Result<(), StoreError> {
        self.batch_error = None;
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(())
    }

    /// Commit the batch. If a write in it failed or the commit fails, it is rolled back, the
    /// loaded documents (which may hold what was not stored) are forgotten, and the reason is
    /// returned.
    pub(crate) fn end_batch_tx(&mut self) -> Result<(), String> {
        let failed = self.batch_error.take();
        if self.conn.is_autocommit() {
            return failed.map_or(Ok(()), Err);
        }
        let outcome = match failed {
            Some(e) => Err(e),
            None => self.conn.execute_batch("COMMIT").map_err(|e| e.to_string()),
        };
        if outcome.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
            self.cache.clear();
        }
        outcome
    }

    /// Store a new document from its saved `bytes` (`doc` is them loaded, `hydrated` it
    /// hydrated if that was done already) and its projections; the bytes are stored as they
    /// are (no second save). Outside a batch in a transaction of its own; inside one (see
    /// [`Store::begin_batch_tx`]) without a savepoint.
    pub(crate) fn insert_saved(
        &mut self,
        kind: DocKind,
        id: &str,
        doc: AutoCommit,
        bytes: &[u8],
        hydrated: Option<&crate::kind::Document>,
        signatures: &[ChangeSignature],
    ) -> Result<(), StoreError> {
        let mut doc = doc;
        let heads = encode_heads(doc.get_heads());
        let write = |conn: &Connection| {
            write_saved(conn, kind, id, &heads, bytes, &doc, hydrated)?;
            signatures::save(conn, id, signatures.iter().copied())
        };
        if self.conn.is_autocommit() {
            let tx = self.conn.transaction()?;
            write(&tx)?;
            tx.commit()?;
        } else if let Err(e) = write(&self.conn) {
            // Inside a batch: half of this document may be written; the batch is rolled back.
            self.batch_error = Some(format!("storing document {id}: {e}"));
            return Err(e);
        }
        self.keep_document(id, doc);
        Ok(())
    }

    /// Read and verify a document from disk.
    fn read_document(&self, kind: DocKind, id: &str) -> Result<AutoCommit, StoreError> {
        let row: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT kind, heads FROM document WHERE doc_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((stored_kind, heads)) = row else {
            return Err(StoreError::NotFound {
                kind: kind.as_str(),
                id: id.to_string(),
            });
        };
        if stored_kind != kind.as_str() {
            return Err(StoreError::NotFound {
                kind: kind.as_str(),
                id: id.to_string(),
            });
        }
        let bytes = self.read_chunks(id)?;
        let mut doc = guarded(|| AutoCommit::load(&bytes)).map_err(|e| corrupt(id, e))?;
        if encode_heads(doc.get_heads()) != heads {
            return Err(corrupt(
                id,
                "loaded heads differ from stored heads (missing chunk?)",
            ));
        }
        Ok(doc)
    }

    /// Take a document out of the cache, or read it from disk.
    pub(crate) fn take_document(
        &mut self,
        kind: DocKind,
        id: &str,
    ) -> Result<AutoCommit, StoreError> {
        match self.cache.0.pop(id) {
            Some(doc) => Ok(doc),
            None => self.read_document(kind, id),
        }
    }

    /// Put a document (back) into the cache.
    pub(crate) fn keep_document(&mut self, id: &str, doc: AutoCommit) {
        self.units.kept(id);
        self.cache.0.put(id.to_string(), doc);
    }

    /// Drop a document from the cache (it is read from disk again when needed).
    pub(crate) fn forget_document(&mut self, id: &str) {
        self.cache.0.pop(id);
    }

    /// Tests only: the ids and heads of the documents loaded in memory.
    #[cfg(test)]
    pub(crate) fn cached_heads(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut heads: Vec<(String, Vec<u8>)> = self
            .cache
            .0
            .iter_mut()
            .map(|(id, doc)| (id.clone(), encode_heads(doc.get_heads())))
            .collect();
        heads.sort();
        heads
    }

    /// Number of documents loaded in memory.
    pub fn loaded_documents(&self) -> usize {
        self.cache.0.len()
    }

    /// Append `doc`'s unsaved changes to the stored document (or store it when `new`), compacting
    /// when it has many chunks.
    pub(crate) fn write_document(
        tx: &Connection,
        kind: DocKind,
        id: &str,
        doc: &mut AutoCommit,
        new: bool,
    ) -> Result<(), StoreError> {
        let heads = encode_heads(doc.get_heads());
        let now = now_ms();
        if new {
            let data = doc.save();
            tx.execute(
                "INSERT INTO document (doc_id, kind, heads, chunk_count, byte_count, updated_at)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5)",
                params![id, kind.as_str(), heads, data.len() as i64, now],
            )?;
            insert_chunk(tx, id, 0, &data)?;
            return Ok(());
        }
        let (seq, total, stored): (i64, i64, Vec<u8>) = tx.query_row(
            "SELECT chunk_count, byte_count, heads FROM document WHERE doc_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        // Only the changes that are not yet stored: everything after the stored heads. (Not
        // `save_incremental`, whose cursor is empty after a load and would store the whole
        // history again.)
        let data = doc.save_after(&decode_heads(id, &stored)?);
        if data.is_empty() {
            return Ok(());
        }
        if seq + 1 > COMPACT_AFTER_CHUNKS {
            let full = doc.save();
            tx.execute("DELETE FROM document_chunk WHERE doc_id = ?1", [id])?;
            insert_chunk(tx, id, 0, &full)?;
            tx.execute(
                "UPDATE document SET heads = ?2, chunk_count = 1, byte_count = ?3, updated_at = ?4
                 WHERE doc_id = ?1",
                params![id, heads, full.len() as i64, now],
            )?;
        } else {
            insert_chunk(tx, id, seq, &data)?;
            tx.execute(
                "UPDATE document SET heads = ?2, chunk_count = ?3, byte_count = ?4, updated_at = ?5
                 WHERE doc_id = ?1",
                params![id, heads, seq + 1, total + data.len() as i64, now],
            )?;
        }
        Ok(())
    }

    /// Store a new document written by `author` on this device and its projections in one
    /// transaction, every change signed with the author's key. (Projecting hydrates the
    /// document, which is its validation: an invalid document fails and nothing is stored.)
    pub fn insert_document(
        &mut self,
        author: &Author,
        kind: DocKind,
        id: &str,
        doc: AutoCommit,
    ) -> Result<(), StoreError> {
        self.insert_documents(author, vec![(kind, id.to_string(), doc)])
    }

    /// Store many new documents written by `author` and their projections in one transaction
    /// (imports, seeding): one fsync for the whole batch. All or nothing.
    pub fn insert_documents(
        &mut self,
        author: &Author,
        docs: Vec<(DocKind, String, AutoCommit)>,
    ) -> Result<(), StoreError> {
        let signed = docs
            .into_iter()
            .map(|(kind, id, mut doc)| {
                let signatures = signatures::sign_local(&mut doc, &[], author)?;
                Ok((kind, id, doc, signatures))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.write_new(signed)
    }

    /// Store new documents from elsewhere (a join answer) with their projections in one
    /// transaction, each change's signature checked first. All or nothing.
    pub fn insert_signed(
        &mut self,
        docs: Vec<(DocKind, String, AutoCommit, Signatures)>,
    ) -> Result<(), StoreError> {
        let checked = docs
            .into_iter()
            .map(|(kind, id, mut doc, given)| {
                let signatures = signatures::verify_document(&id, &mut doc, &given)?;
                Ok((kind, id, doc, signatures))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.write_new(checked)
    }

    fn write_new(
        &mut self,
        docs: Vec<(DocKind, String, AutoCommit, Vec<ChangeSignature>)>,
    ) -> Result<(), StoreError> {
        let mut docs = docs;
        let tx = self.conn.savepoint()?;
        for (kind, id, doc, signed) in &mut docs {
            Self::write_document(&tx, *kind, id, doc, true)?;
            signatures::save(&tx, id, signed.iter().copied())?;
            projection::project(&tx, *kind, id, doc)?;
            self.units.write_point()?;
        }
        tx.commit()?;
        for (_, id, doc, _) in docs {
            self.keep_document(&id, doc);
        }
        Ok(())
    }

    /// Apply `change` to a document as one change by `author`, store it (signed with the
    /// author's key) and its projections in one durable transaction, and return what `change`
    /// returned. When `change` fails nothing is
    /// kept; when storing fails the in-memory document is dropped and reloaded next time.
    pub(crate) fn edit_document<T>(
        &mut self,
        kind: DocKind,
        id: &str,
        author: &Author,
        change: impl FnOnce(&mut AutoCommit) -> Result<T, DocError>,
    ) -> Result<T, StoreError> {
        let mut doc = self.take_document(kind, id)?;
        let before = doc.get_heads();
        author.begin(&mut doc);
        let value = match change(&mut doc) {
            Ok(value) => value,
            Err(error) => {
                doc.rollback();
                self.keep_document(id, doc);
                return Err(error.into());
            }
        };
        if doc.pending_ops() == 0 {
            self.keep_document(id, doc);
            return Ok(value);
        }
        author.commit(&mut doc);
        let signed = signatures::sign_local(&mut doc, &before, author)?;
        // A savepoint, not a transaction: the edit may be one step of a unit of work (see
        // `Store::all_or_nothing`); on its own it is a transaction all the same.
        let tx = self.conn.savepoint()?;
        Self::write_document(&tx, kind, id, &mut doc, false)?;
        signatures::save(&tx, id, signed)?;
        projection::project(&tx, kind, id, &doc)?;
        self.units.write_point()?;
        tx.commit()?;
        self.keep_document(id, doc);
        Ok(value)
    }

    /// Merge a document received from elsewhere (another device, a backup). The bytes are
    /// size-checked, loaded inside a panic guard, every change's signature is checked and the
    /// result validated against the kind's schema before anything is stored; a document that
    /// does not validate, or has a change not signed by its author, is reported and not stored.
    /// Returns whether the store changed.
    pub fn merge_document(
        &mut self,
        kind: DocKind,
        id: &str,
        signed: &SignedDocument,
    ) -> Result<bool, StoreError> {
        let bytes = signed.bytes.as_slice();
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(corrupt(
                id,
                format!("{} bytes is over the limit", bytes.len()),
            ));
        }
        let mut incoming = guarded(|| AutoCommit::load(bytes)).map_err(|e| corrupt(id, e))?;
        let checked = signatures::verify_document(id, &mut incoming, &signed.signatures)?;
        let document = crate::kind::Document::load(kind, &incoming)?;
        // A document names itself: bytes of one document never land under another id.
        let own_id = crate::doc::own_id(&incoming);
        if own_id.as_deref() != Some(id) {
            return Err(corrupt(id, format!("document names itself {own_id:?}")));
        }
        let exists: bool = self
            .conn
            .query_row("SELECT 1 FROM document WHERE doc_id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some();
        let refused = |detail: String| StoreError::Refused {
            id: id.to_string(),
            detail,
        };
        if !exists {
            document
                .check_authors(&mut incoming, &[], self)
                .map_err(refused)?;
            self.write_new(vec![(kind, id.to_string(), incoming, checked)])?;
            return Ok(true);
        }
        let mut doc = self.take_document(kind, id)?;
        let before = doc.get_heads();
        let merged = guarded(|| doc.merge(&mut incoming)).map_err(|e| corrupt(id, e));
        // On failure (here, or when projecting finds the merged document invalid) the in-memory
        // copy may hold the bad changes: it is dropped, not kept, and the copy on disk is intact.
        merged?;
        if doc.get_heads() == before {
            self.keep_document(id, doc);
            return Ok(false);
        }
        let merged = crate::kind::Document::load(kind, &doc)?;
        merged
            .check_authors(&mut doc, &before, self)
            .map_err(refused)?;
        let tx = self.conn.savepoint()?;
        Self::write_document(&tx, kind, id, &mut doc, false)?;
        signatures::save(&tx, id, checked)?;
        projection::project(&tx, kind, id, &doc)?;
        tx.commit()?;
        self.keep_document(id, doc);
        Ok(true)
    }

    /// The whole document, saved as one chunk (for another device, a backup or an export).
    pub fn document_bytes(&mut self, kind: DocKind, id: &str) -> Result<Vec<u8>, StoreError> {
        let mut doc = self.take_document(kind, id)?;
        let bytes = doc.save_nocompress();
        self.keep_document(id, doc);
        Ok(bytes)
    }

    /// The ids of all stored documents of `kind`.
    pub fn document_ids(&self, kind: DocKind) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT doc_id FROM document WHERE kind = ?1 ORDER BY doc_id")?;
        let ids = stmt
            .query_map([kind.as_str()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// Rewrite the query rows of every stored document of `kind`, one document in memory at a
    /// time (after an upgrade that added columns to that kind's rows). A document that cannot be
    /// read keeps its rows as they were.
    pub(crate) fn reproject(&mut self, kind: DocKind) -> Result<(), StoreError> {
        let ids = self.document_ids(kind)?;
        let tx = self.conn.unchecked_transaction()?;
        for id in ids {
            match self.read_document(kind, &id) {
                Ok(doc) => projection::project(&tx, kind, &id, &doc)?,
                Err(error) => tracing::warn!(%id, %error, "document not reprojected"),
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Rebuild every query table from the stored documents (after an upgrade, or to repair).
    pub fn rebuild(&mut self) -> Result<(), StoreError> {
        let docs: Vec<(String, String)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT doc_id, kind FROM document ORDER BY doc_id")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        let mut loaded = Vec::with_capacity(docs.len());
        for (id, kind) in docs {
            let Some(kind) = DocKind::parse(&kind) else {
                continue;
            };
            loaded.push((kind, id.clone(), self.read_document(kind, &id)?));
        }
        let tx = self.conn.transaction()?;
        projection::clear(&tx)?;
        for (kind, id, doc) in &loaded {
            projection::project(&tx, *kind, id, doc)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// The rows of a new document stored from its saved bytes, and its projections.
fn write_saved(
    tx: &Connection,
    kind: DocKind,
    id: &str,
    heads: &[u8],
    bytes: &[u8],
    doc: &AutoCommit,
    hydrated: Option<&crate::kind::Document>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO document (doc_id, kind, heads, chunk_count, byte_count, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?5)",
    )?
    .execute(params![
        id,
        kind.as_str(),
        heads,
        bytes.len() as i64,
        now_ms()
    ])?;
    insert_chunk(tx, id, 0, bytes)?;
    match hydrated {
        Some(hydrated) => projection::project_hydrated(tx, id, hydrated, doc),
        None => projection::project(tx, kind, id, doc),
    }
}

fn insert_chunk(tx: &Connection, id: &str, seq: i64, data: &[u8]) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO document_chunk (doc_id, seq, data, checksum) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        id,
        seq,
        data,
        blake3::hash(data).as_bytes().as_slice()
    ])?;
    Ok(())
}

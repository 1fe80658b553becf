//! The store as a sync [`Replica`]: lists documents with heads and readers from the `document`
//! table and the query tables (no document is loaded for that), runs Automerge's sync protocol
//! on cached documents, and stores what peers send with its projections in one transaction,
//! after validating it.
//!
//! A store holds one team: a device's member and revocation come from the team document(s) it
//! holds. Who may read each document comes from the `doc_reader` view (see `table/doc_reader.rs`);
//! what peers write is checked against its kind's authorship rules (`Kind::check_authors`)
//! before it is stored.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::sync::{Message, State, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use rusqlite::OptionalExtension;

use super::{Store, StoreError, projection, signatures};
use crate::doc::DocKind;
use crate::id::{DeviceId, TeamId};
use crate::kind::{Document, Known, Scope};
use crate::signature::{ChangeSignature, Signatures};
use crate::sync::access::{DeviceRecord, Readers};
use crate::sync::pending::split;
use crate::sync::replica::{DocRecord, Received, Replica, ReplicaError, Saved};
use crate::sync::signing::{self, SignedChange};

/// How the store's failures reach the sync core: a damaged document is that document's problem
/// (set aside, the rest keeps syncing); anything else is this device's.
impl From<StoreError> for ReplicaError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Corrupt { id, detail } => ReplicaError::Damaged { id, detail },
            other => ReplicaError::Local(other.to_string()),
        }
    }
}

fn decode_heads(bytes: &[u8]) -> Vec<ChangeHash> {
    bytes
        .chunks(32)
        .filter_map(|h| ChangeHash::try_from(h).ok())
        .collect()
}

impl Store {
    /// The members who may read each document (or `only` that one), from `doc_reader`.
    fn readers(
        &self,
        only: Option<&str>,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, StoreError> {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // Two statements: `?1 IS NULL OR doc_id = ?1` would read every row for one document.
        let mut stmt = match only {
            None => self
                .conn
                .prepare_cached("SELECT doc_id, member FROM doc_reader")?,
            Some(_) => self
                .conn
                .prepare_cached("SELECT doc_id, member FROM doc_reader WHERE doc_id = ?1")?,
        };
        let mut rows = match only {
            None => stmt.query([])?,
            Some(id) => stmt.query([id])?,
        };
        while let Some(row) = rows.next()? {
            map.entry(row.get(0)?).or_default().insert(row.get(1)?);
        }
        Ok(map)
    }

    /// Records of every document (or of `only`).
    fn doc_records(&self, only: Option<&str>) -> Result<Vec<DocRecord>, StoreError> {
        type Row = (String, String, Vec<u8>, bool);
        let rows: Vec<Row> = {
            // Two statements, as above.
            let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
            match only {
                None => self
                    .conn
                    .prepare_cached(
                        "SELECT doc_id, kind, heads, legacy FROM document ORDER BY doc_id",
                    )?
                    .query_map([], row)?
                    .collect::<Result<_, _>>()?,
                Some(id) => self
                    .conn
                    .prepare_cached(
                        "SELECT doc_id, kind, heads, legacy FROM document WHERE doc_id = ?1",
                    )?
                    .query_map([id], row)?
                    .collect::<Result<_, _>>()?,
            }
        };
        let mut readers = self.readers(only)?;
        let mut records = Vec::with_capacity(rows.len());
        for (id, kind, heads, legacy) in rows {
            let Some(kind) = DocKind::parse(&kind) else {
                continue;
            };
            let readers = match Document::scope(kind) {
                // Stored before changes were signed: never exchanged.
                _ if legacy => Readers::Local,
                Scope::Team => Readers::Team,
                Scope::Members => Readers::Members(readers.remove(&id).unwrap_or_default()),
            };
            let mut heads = decode_heads(&heads);
            heads.sort();
            records.push(DocRecord {
                id,
                kind,
                heads,
                readers,
            });
        }
        Ok(records)
    }

    /// The member using `device`, read from the team document(s) without hydrating them.
    pub(crate) fn device_member(
        &mut self,
        device: &DeviceId,
    ) -> Result<Option<String>, StoreError> {
        use automerge::{ObjType, ROOT, ReadDoc, Value};
        for id in self.document_ids(DocKind::Team)? {
            let doc = self.take_document(DocKind::Team, &id)?;
            let member = (|| {
                let (_, devices) = doc.get(ROOT, "devices").ok()??;
                let (Value::Object(ObjType::Map), entry) =
                    doc.get(&devices, device.to_string()).ok()??
                else {
                    return None;
                };
                match doc.get(&entry, "member").ok()?? {
                    (Value::Scalar(s), _) => s.as_str().map(str::to_string),
                    _ => None,
                }
            })();
            self.keep_document(&id, doc);
            if member.is_some() {
                return Ok(member);
            }
        }
        Ok(None)
    }

    /// The members working for the partner organisation `partner`, from `member_partner`.
    pub fn partner_members(&self, partner: &str) -> Result<BTreeSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT member FROM member_partner WHERE partner_id = ?1")?;
        let members = stmt
            .query_map([partner], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(members)
    }

    /// Check who wrote what in `doc` (a document of `kind` named `id`, hydrated as
    /// `document`) after `since`, as its kind rules; a document that breaks them is the peer's
    /// fault.
    pub(crate) fn check_authors(
        &mut self,
        id: &str,
        doc: &mut AutoCommit,
        document: &Document,
        since: &[ChangeHash],
    ) -> Result<(), ReplicaError> {
        document
            .check_authors(doc, since, self)
            .map_err(|e| ReplicaError::Rejected(format!("document {id}: {e}")))
    }
}

/// What the store knows decides readers and authorship (see [`Known`]); a query that fails
/// knows nothing (deny by default).
impl Known for Store {
    fn readers_of(&mut self, id: &str) -> Option<Readers> {
        self.doc_records(Some(id))
            .ok()
            .and_then(|r| r.into_iter().next())
            .map(|r| r.readers)
    }

    fn partner_members(&mut self, partner: &str) -> BTreeSet<String> {
        Store::partner_members(self, partner).unwrap_or_default()
    }

    fn member_of(&mut self, device: &DeviceId) -> Option<String> {
        self.device_member(device).ok().flatten()
    }
}

impl Replica for Store {
    fn devices(&mut self) -> Result<Vec<DeviceRecord>, ReplicaError> {
        let mut devices = Vec::new();
        for id in self.document_ids(DocKind::Team)? {
            let Ok(team_id) = TeamId::parse(&id) else {
                continue;
            };
            let team = self.open_team(&team_id)?;
            for (device, record) in &team.devices {
                if let Ok(device) = DeviceId::parse(device) {
                    devices.push(DeviceRecord {
                        device,
                        member: record.member.clone(),
                        revoked: record.revoked_at.is_some(),
                        always_on: record.always_on,
                    });
                }
            }
        }
        Ok(devices)
    }

    fn documents(&mut self) -> Result<Vec<DocRecord>, ReplicaError> {
        Ok(self.doc_records(None)?)
    }

    fn document(&mut self, id: &str) -> Result<Option<DocRecord>, ReplicaError> {
        Ok(self.doc_records(Some(id))?.into_iter().next())
    }

    fn generate(
        &mut self,
        kind: DocKind,
        id: &str,
        state: &mut State,
    ) -> Result<Option<(Message, Vec<ChangeSignature>)>, ReplicaError> {
        let mut doc = self.take_document(kind, id)?;
        match catch_unwind(AssertUnwindSafe(|| doc.sync().generate_sync_message(state))) {
            Ok(message) => {
                self.keep_document(id, doc);
                let Some(message) = message else {
                    return Ok(None);
                };
                let signed = match signing::hashes_in(&message) {
                    Some(hashes) if hashes.is_empty() => Vec::new(),
                    Some(hashes) => signatures::of(&self.conn, id, &hashes)?,
                    None => signatures::all(&self.conn, id)?.iter().collect(),
                };
                Ok(Some((message, signed)))
            }
            // The in-memory copy is dropped; the stored one is intact.
            Err(_) => Err(ReplicaError::Rejected(format!(
                "automerge panicked generating a sync message for {id}"
            ))),
        }
    }

    fn receive(
        &mut self,
        kind: DocKind,
        id: &str,
        state: &mut State,
        message: Message,
        changes: Vec<SignedChange>,
    ) -> Result<Received, ReplicaError> {
        let mut doc = self.take_document(kind, id)?;
        let before = doc.get_heads();
        let reject = |detail: String| ReplicaError::Rejected(format!("document {id}: {detail}"));
        // Only changes whose dependencies the document holds; the rest wait (in the session).
        let (ready, waiting) = split(&mut doc, changes);
        // On any failure the in-memory copy (which may hold the bad changes) is dropped, not
        // kept; the stored copy is intact.
        signing::apply(&mut doc, state, message, &ready).map_err(|e| reject(e.to_string()))?;
        let after = doc.get_heads();
        if after == before {
            self.keep_document(id, doc);
            return Ok(Received {
                heads: after,
                waiting,
            });
        }
        if crate::doc::own_id(&doc).as_deref() != Some(id) {
            return Err(reject("the document's id changed".into()));
        }
        let document = Document::load(kind, &doc).map_err(|e| reject(e.to_string()))?;
        self.check_authors(id, &mut doc, &document, &before)?;
        let size_ok = self
            .conn
            .query_row(
                "SELECT byte_count FROM document WHERE doc_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map_err(StoreError::from)?
            .is_none_or(|bytes| {
                usize::try_from(bytes).unwrap_or(usize::MAX) <= super::document::MAX_DOCUMENT_BYTES
            });
        if !size_ok {
            return Err(reject("document is over the size limit".into()));
        }
        let tx = self.conn.savepoint().map_err(StoreError::from)?;
        Self::write_document(&tx, kind, id, &mut doc, false)?;
        signatures::save(&tx, id, ready.iter().map(|c| c.signature))?;
        // Hydrated above, which is its validation: a document the peer made invalid is that
        // peer's fault (rejected before anything is written).
        projection::project_hydrated(&tx, id, &document, &doc)?;
        tx.commit().map_err(StoreError::from)?;
        self.keep_document(id, doc);
        Ok(Received {
            heads: after,
            waiting,
        })
    }

    fn create(
        &mut self,
        kind: DocKind,
        id: &str,
        mut doc: AutoCommit,
        signatures: &Signatures,
    ) -> Result<(), ReplicaError> {
        let bytes = doc.save();
        let signed: Vec<ChangeSignature> = doc
            .get_changes(&[])
            .iter()
            .map(|c| {
                signatures.get(&c.hash()).ok_or_else(|| {
                    ReplicaError::Rejected(format!(
                        "new document {id}: change {} unsigned",
                        c.hash()
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        self.create_saved(kind, id, doc, &bytes, None, &signed)
    }

    fn saved(&mut self, kind: DocKind, id: &str) -> Result<Option<Saved>, ReplicaError> {
        let Some((bytes, heads)) = self.stored_document(kind, id)? else {
            return Ok(None);
        };
        let signatures = signatures::all(&self.conn, id)?.iter().collect();
        Ok(Some(Saved {
            bytes,
            heads,
            signatures,
        }))
    }

    fn create_saved(
        &mut self,
        kind: DocKind,
        id: &str,
        doc: AutoCommit,
        bytes: &[u8],
        hydrated: Option<&Document>,
        signatures: &[ChangeSignature],
    ) -> Result<(), ReplicaError> {
        if crate::doc::own_id(&doc).as_deref() != Some(id) {
            return Err(ReplicaError::Rejected(format!(
                "new document {id} names itself {:?}",
                crate::doc::own_id(&doc)
            )));
        }
        if bytes.len() > super::document::MAX_DOCUMENT_BYTES {
            return Err(ReplicaError::Rejected(format!(
                "new document {id} is over the size limit"
            )));
        }
        let mut doc = doc;
        let loaded;
        let document = match hydrated {
            Some(document) => document,
            None => {
                loaded = Document::load(kind, &doc)
                    .map_err(|e| ReplicaError::Rejected(format!("new document {id}: {e}")))?;
                &loaded
            }
        };
        self.check_authors(id, &mut doc, document, &[])?;
        let exists = self.document_heads(id)?.is_some();
        if exists {
            // Arrived meanwhile (from another peer): merge instead.
            let signed = super::SignedDocument {
                bytes: bytes.to_vec(),
                signatures: signatures.iter().copied().collect(),
            };
            self.merge_document(kind, id, &signed)?;
            return Ok(());
        }
        // Projecting hydrates the document, which is its validation (rolled back if invalid).
        self.insert_saved(kind, id, doc, bytes, Some(document), signatures)
            .map_err(|e| match e {
                StoreError::Document(invalid) => {
                    ReplicaError::Rejected(format!("new document {id}: {invalid}"))
                }
                other => other.into(),
            })
    }

    fn partner_members(&mut self, partner: &str) -> Result<BTreeSet<String>, ReplicaError> {
        Ok(Store::partner_members(self, partner)?)
    }

    fn begin_batch(&mut self) -> Result<(), ReplicaError> {
        self.begin_batch_tx()?;
        Ok(())
    }

    fn end_batch(&mut self) -> Result<(), ReplicaError> {
        self.end_batch_tx().map_err(ReplicaError::Batch)
    }
}

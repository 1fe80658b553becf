//! The store as a sync [`Replica`]: lists documents with heads and readers from the `document`
//! table and the query tables (no document is loaded for that), runs Automerge's sync protocol
//! on cached documents, and stores what peers send with its projections in one transaction,
//! after validating it.
//!
//! A store holds one team: a device's member and revocation come from the team document(s) it
//! holds. A case's readers are its `case_access` rows (owner and allowed members); a referral's
//! are its case's.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::sync::{Message, State, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use rusqlite::OptionalExtension;

use super::{Store, StoreError, projection, signatures};
use crate::doc::DocKind;
use crate::id::{DeviceId, TeamId};
use crate::signature::{ChangeSignature, Signatures};
use crate::sync::access::{DeviceRecord, Readers};
use crate::sync::pending::split;
use crate::sync::replica::{DocRecord, Hydrated, Received, Replica, ReplicaError, Saved};
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

fn own_id(doc: &AutoCommit) -> Option<String> {
    match automerge::ReadDoc::get(doc, automerge::ROOT, "id") {
        Ok(Some((automerge::Value::Scalar(s), _))) => s.as_str().map(str::to_string),
        _ => None,
    }
}

impl Store {
    /// Members allowed on each case (owner and allowed members), from `case_access`.
    fn case_members(
        &self,
        case: Option<&str>,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, StoreError> {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // Two statements: `?1 IS NULL OR case_id = ?1` would scan the whole table for one case.
        let mut stmt = match case {
            None => self
                .conn
                .prepare_cached("SELECT case_id, member FROM case_access")?,
            Some(_) => self
                .conn
                .prepare_cached("SELECT case_id, member FROM case_access WHERE case_id = ?1")?,
        };
        let mut rows = match case {
            None => stmt.query([])?,
            Some(case) => stmt.query([case])?,
        };
        while let Some(row) = rows.next()? {
            map.entry(row.get(0)?).or_default().insert(row.get(1)?);
        }
        Ok(map)
    }

    /// Records of every document (or of `only`).
    fn doc_records(&self, only: Option<&str>) -> Result<Vec<DocRecord>, StoreError> {
        type Row = (String, String, Vec<u8>, Option<String>, bool);
        let rows: Vec<Row> = {
            // Two statements: `?1 IS NULL OR d.doc_id = ?1` would scan every document for one.
            let row =
                |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
            match only {
                None => self
                    .conn
                    .prepare_cached(
                        "SELECT d.doc_id, d.kind, d.heads, r.case_id, d.legacy FROM document d
                         LEFT JOIN referral_status r ON r.referral_id = d.doc_id
                         ORDER BY d.doc_id",
                    )?
                    .query_map([], row)?
                    .collect::<Result<_, _>>()?,
                Some(id) => self
                    .conn
                    .prepare_cached(
                        "SELECT d.doc_id, d.kind, d.heads, r.case_id, d.legacy FROM document d
                         LEFT JOIN referral_status r ON r.referral_id = d.doc_id
                         WHERE d.doc_id = ?1",
                    )?
                    .query_map([id], row)?
                    .collect::<Result<_, _>>()?,
            }
        };
        let members = match (only, rows.first()) {
            (None, _) => self.case_members(None)?,
            (Some(_), Some((id, kind, _, case, _))) => {
                let case = if kind == "referral" {
                    case.as_deref()
                } else {
                    Some(id.as_str())
                };
                match case {
                    Some(case) => self.case_members(Some(case))?,
                    None => BTreeMap::new(),
                }
            }
            (Some(_), None) => BTreeMap::new(),
        };
        let mut records = Vec::with_capacity(rows.len());
        for (id, kind, heads, case, legacy) in rows {
            let Some(kind) = DocKind::parse(&kind) else {
                continue;
            };
            let readers = match kind {
                // Stored before changes were signed: never exchanged.
                _ if legacy => Readers::Local,
                DocKind::Team | DocKind::Intake => Readers::Team,
                DocKind::Case => Readers::Members(members.get(&id).cloned().unwrap_or_default()),
                DocKind::Referral => Readers::Members(
                    case.and_then(|c| members.get(&c).cloned())
                        .unwrap_or_default(),
                ),
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
        if own_id(&doc).as_deref() != Some(id) {
            return Err(reject("the document's id changed".into()));
        }
        if kind == DocKind::Team {
            super::team_rules::check(&mut doc, &before).map_err(reject)?;
        }
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
        // Projecting hydrates the document, which is its validation: a document the peer made
        // invalid is that peer's fault (rejected), and the transaction rolls back.
        projection::project(&tx, kind, id, &doc).map_err(|e| match e {
            StoreError::Document(invalid) => reject(invalid.to_string()),
            other => other.into(),
        })?;
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
        hydrated: Option<&Hydrated>,
        signatures: &[ChangeSignature],
    ) -> Result<(), ReplicaError> {
        if own_id(&doc).as_deref() != Some(id) {
            return Err(ReplicaError::Rejected(format!(
                "new document {id} names itself {:?}",
                own_id(&doc)
            )));
        }
        if bytes.len() > super::document::MAX_DOCUMENT_BYTES {
            return Err(ReplicaError::Rejected(format!(
                "new document {id} is over the size limit"
            )));
        }
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
        self.insert_saved(kind, id, doc, bytes, hydrated, signatures)
            .map_err(|e| match e {
                StoreError::Document(invalid) => {
                    ReplicaError::Rejected(format!("new document {id}: {invalid}"))
                }
                other => other.into(),
            })
    }

    fn begin_batch(&mut self) -> Result<(), ReplicaError> {
        self.begin_batch_tx()?;
        Ok(())
    }

    fn end_batch(&mut self) -> Result<(), ReplicaError> {
        self.end_batch_tx().map_err(ReplicaError::Batch)
    }
}

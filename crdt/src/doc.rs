//! What every document type shares: its kind and schema version at the root, the error type
//! for reading and editing, and small helpers for maps of items keyed by id.
//!
//! Each document type (`team`, `case`, `referral`, `intake`) has its own module with a typed
//! model (autosurgeon `Hydrate`/`Reconcile`), a constructor, an editor with one method per
//! allowed change, and validation on load ([`check_header`] then a full hydrate).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, Reconcile};

use crate::input::InputError;

/// Largest document accepted from elsewhere (bytes).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// Root key holding the document kind.
pub const KEY_KIND: &str = "kind";
/// Root key holding the schema version the document was written with.
pub const KEY_SCHEMA: &str = "schema";
/// The schema version this build writes for every document kind.
pub const SCHEMA_VERSION: u64 = 1;

/// The kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// The team document: members, devices, partners, themes, envelopes, client index.
    Team,
    /// One case (client or household).
    Case,
    /// One referral to a partner organisation.
    Referral,
    /// The team's front-door intake queue.
    Intake,
}

impl DocKind {
    /// The kind as stored in documents and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Team => "team",
            DocKind::Case => "case",
            DocKind::Referral => "referral",
            DocKind::Intake => "intake",
        }
    }

    /// The kind for its stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            DocKind::Team,
            DocKind::Case,
            DocKind::Referral,
            DocKind::Intake,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Why a document could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The request was not valid; nothing was changed.
    #[error("invalid input: {0}")]
    Input(#[from] InputError),
    /// The document is not of the expected kind.
    #[error("expected a {expected} document, found {found:?}")]
    WrongKind {
        /// The kind that was asked for.
        expected: &'static str,
        /// What the document says it is.
        found: Option<String>,
    },
    /// The document was written by a newer Nabij.
    #[error("document schema {found} is newer than this Nabij understands ({SCHEMA_VERSION})")]
    NewerSchema {
        /// The schema version in the document.
        found: u64,
    },
    /// The document's content does not match its schema.
    #[error("document does not match its schema: {0}")]
    Hydrate(Box<autosurgeon::HydrateError>),
    /// Writing the change into the document failed.
    #[error("cannot write change: {0}")]
    Reconcile(Box<autosurgeon::ReconcileError>),
    /// Automerge refused the operation or the bytes.
    #[error("automerge: {0}")]
    Automerge(Box<automerge::AutomergeError>),
}

impl From<autosurgeon::HydrateError> for DocError {
    fn from(error: autosurgeon::HydrateError) -> Self {
        DocError::Hydrate(Box::new(error))
    }
}

impl From<autosurgeon::ReconcileError> for DocError {
    fn from(error: autosurgeon::ReconcileError) -> Self {
        DocError::Reconcile(Box::new(error))
    }
}

impl From<automerge::AutomergeError> for DocError {
    fn from(error: automerge::AutomergeError) -> Self {
        DocError::Automerge(Box::new(error))
    }
}

/// The id a document names itself by (its root `id`), if it names one: the bytes of one
/// document must never land under another id.
pub(crate) fn own_id(doc: &AutoCommit) -> Option<String> {
    match doc.get(ROOT, "id") {
        Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_string),
        _ => None,
    }
}

/// Check that `doc` is a `kind` document of a schema this build understands.
pub fn check_header(doc: &AutoCommit, kind: DocKind) -> Result<(), DocError> {
    let found = match doc.get(ROOT, KEY_KIND)? {
        Some((Value::Scalar(s), _)) => s.as_str().map(str::to_string),
        _ => None,
    };
    if found.as_deref() != Some(kind.as_str()) {
        return Err(DocError::WrongKind {
            expected: kind.as_str(),
            found,
        });
    }
    let schema = match doc.get(ROOT, KEY_SCHEMA)? {
        Some((Value::Scalar(s), _)) => s
            .as_u64()
            .or_else(|| s.as_i64().and_then(|v| u64::try_from(v).ok())),
        _ => None,
    };
    match schema {
        Some(v) if v <= SCHEMA_VERSION => Ok(()),
        Some(found) => Err(DocError::NewerSchema { found }),
        None => Err(DocError::WrongKind {
            expected: kind.as_str(),
            found: Some("no schema".into()),
        }),
    }
}

/// The map under `key` at the root, created if missing.
pub(crate) fn root_map(doc: &mut AutoCommit, key: &str) -> Result<ObjId, DocError> {
    match doc.get(ROOT, key)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Ok(doc.put_object(ROOT, key, ObjType::Map)?),
    }
}

/// The object of the item `id` in the root map `key`, if it exists.
pub(crate) fn item(doc: &AutoCommit, key: &str, id: &str) -> Result<Option<ObjId>, DocError> {
    let Some((Value::Object(ObjType::Map), map)) = doc.get(ROOT, key)? else {
        return Ok(None);
    };
    match doc.get(&map, id)? {
        Some((Value::Object(ObjType::Map), obj)) => Ok(Some(obj)),
        _ => Ok(None),
    }
}

/// Put `value` as item `id` of the root map `key`.
pub(crate) fn put_item<T: Reconcile>(
    doc: &mut AutoCommit,
    key: &str,
    id: &str,
    value: &T,
) -> Result<(), DocError> {
    let map = root_map(doc, key)?;
    autosurgeon::reconcile_prop(doc, map, id, value)?;
    Ok(())
}

/// Set field `field` of item `id` in root map `key`; `NotFound` on `id_field` if there is none.
pub(crate) fn set_field<T: Reconcile>(
    doc: &mut AutoCommit,
    key: &str,
    id_field: &'static str,
    id: &str,
    field: &str,
    value: T,
) -> Result<(), DocError> {
    let obj = item(doc, key, id)?
        .ok_or_else(|| InputError::new(id_field, crate::input::Problem::NotFound))?;
    autosurgeon::reconcile_prop(doc, obj, field, value)?;
    Ok(())
}

/// Read field `field` of item `id` in root map `key`.
pub(crate) fn get_field<T: Hydrate>(
    doc: &AutoCommit,
    key: &str,
    id_field: &'static str,
    id: &str,
    field: &str,
) -> Result<T, DocError> {
    let obj = item(doc, key, id)?
        .ok_or_else(|| InputError::new(id_field, crate::input::Problem::NotFound))?;
    Ok(autosurgeon::hydrate_prop(doc, obj, field)?)
}

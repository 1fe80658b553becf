//! What a document kind is, in one place: [`Kind`], which each document type implements (its
//! name, how it is read and validated, who may read it, who may have written what in it, and
//! the query-table rows derived from it), and [`Document`], a document of any kind hydrated once.
//!
//! The rest of the engine reaches the kinds only through these: the store projects
//! `Document`s into its tables, the sync core asks a `Document` for its readers, and adding a
//! kind is an implementation of [`Kind`] plus one arm in [`Document`]'s dispatch, nothing
//! spread across the code. The impls live beside this file, one per kind (`kind/case.rs`, ...).

mod case;
mod intake;
mod referral;
mod team;

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash};
use rusqlite::Connection;

use crate::case::Case;
use crate::doc::{DocError, DocKind};
use crate::id::DeviceId;
use crate::intake::Intake;
use crate::referral::Referral;
use crate::sync::access::Readers;
use crate::team::Team;

/// What a device knows that decides who may read a document and who may have written it: the
/// readers of the documents it holds, the team's devices and the members of each partner
/// organisation. The store answers from its query tables; the sync core from its replica.
pub trait Known {
    /// The readers of document `id`, if this device holds it.
    fn readers_of(&mut self, id: &str) -> Option<Readers>;
    /// The members (ids) working for the partner organisation `partner` (its item id in the
    /// team's directory).
    fn partner_members(&mut self, partner: &str) -> BTreeSet<String>;
    /// The member using `device`, if the team lists it (revoked or not).
    fn member_of(&mut self, device: &DeviceId) -> Option<String>;
}

/// Who may read documents of a kind, before looking at one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every current device of the team.
    Team,
    /// Only the members the document's rows name (and always-on peers).
    Members,
}

/// One kind of document.
pub trait Kind: Sized {
    /// Its name.
    const KIND: DocKind;
    /// Who may read documents of this kind, in general.
    const SCOPE: Scope;

    /// Read and validate `doc` (its header, then every field): an error, never a panic, for a
    /// document that does not fit the kind.
    fn load(doc: &AutoCommit) -> Result<Self, DocError>;

    /// Who may read this document, from its content and what this device knows; `None` for a
    /// document that is never accepted new from a peer.
    fn readers(&self, known: &mut dyn Known) -> Option<Readers>;

    /// Check that what the changes of `doc` (this document) after `since` wrote (every change
    /// when `since` is empty) was written by devices allowed to write it, under their own
    /// names; why not, otherwise. Kinds without such rules accept.
    fn check_authors(
        &self,
        doc: &mut AutoCommit,
        since: &[ChangeHash],
        known: &mut dyn Known,
    ) -> Result<(), String> {
        let _ = (doc, since, known);
        Ok(())
    }

    /// Rewrite this document's rows in the query tables (inside the document's transaction).
    fn project(&self, tx: &Connection, id: &str, doc: &AutoCommit) -> rusqlite::Result<()>;
}

/// A document of any kind, hydrated once: hydrating is its validation, and the same value gives
/// its readers and its query-table rows.
#[derive(Debug)]
pub enum Document {
    /// A case.
    Case(Box<Case>),
    /// A team.
    Team(Box<Team>),
    /// A referral.
    Referral(Box<Referral>),
    /// The intake document.
    Intake(Box<Intake>),
}

/// Run `$body` with `$d` bound to the kind's value, whatever the kind.
macro_rules! each {
    ($document:expr, $d:ident => $body:expr) => {
        match $document {
            Document::Case($d) => $body,
            Document::Team($d) => $body,
            Document::Referral($d) => $body,
            Document::Intake($d) => $body,
        }
    };
}

impl Document {
    /// Hydrate `doc` as a document of `kind` (its header and every field).
    pub fn load(kind: DocKind, doc: &AutoCommit) -> Result<Self, DocError> {
        Ok(match kind {
            DocKind::Case => Document::Case(Box::new(Case::load(doc)?)),
            DocKind::Team => Document::Team(Box::new(Team::load(doc)?)),
            DocKind::Referral => Document::Referral(Box::new(Referral::load(doc)?)),
            DocKind::Intake => Document::Intake(Box::new(Intake::load(doc)?)),
        })
    }

    /// Who may read documents of `kind`, in general.
    pub fn scope(kind: DocKind) -> Scope {
        match kind {
            DocKind::Case => Case::SCOPE,
            DocKind::Team => Team::SCOPE,
            DocKind::Referral => Referral::SCOPE,
            DocKind::Intake => Intake::SCOPE,
        }
    }

    /// Its kind.
    pub fn kind(&self) -> DocKind {
        match self {
            Document::Case(_) => DocKind::Case,
            Document::Team(_) => DocKind::Team,
            Document::Referral(_) => DocKind::Referral,
            Document::Intake(_) => DocKind::Intake,
        }
    }

    /// Who may read it (see [`Kind::readers`]).
    pub fn readers(&self, known: &mut dyn Known) -> Option<Readers> {
        each!(self, d => Kind::readers(&**d, known))
    }

    /// Check who wrote what in it (see [`Kind::check_authors`]).
    pub fn check_authors(
        &self,
        doc: &mut AutoCommit,
        since: &[ChangeHash],
        known: &mut dyn Known,
    ) -> Result<(), String> {
        each!(self, d => Kind::check_authors(&**d, doc, since, known))
    }

    /// Rewrite its query-table rows (see [`Kind::project`]).
    pub(crate) fn project(
        &self,
        tx: &Connection,
        id: &str,
        doc: &AutoCommit,
    ) -> rusqlite::Result<()> {
        each!(self, d => Kind::project(&**d, tx, id, doc))
    }
}

/// Who may read a document received for the first time, from its content: `Ok(None)` when such
/// a document is never accepted from a peer (a team document is joined out of band, never
/// pushed), `Err` when it names itself other than `id`.
pub fn readers_of_new(
    id: &str,
    doc: &AutoCommit,
    document: &Document,
    known: &mut dyn Known,
) -> Result<Option<Readers>, String> {
    let own_id = crate::doc::own_id(doc);
    if own_id.as_deref() != Some(id) {
        return Err(format!("document names itself {own_id:?}"));
    }
    Ok(document.readers(known))
}

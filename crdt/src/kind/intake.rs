//! The intake document (the front door's queue) as a [`Kind`]: every device of the team reads
//! it; its rows are the queue.

use automerge::AutoCommit;
use rusqlite::Connection;

use super::{Kind, Known, Scope};
use crate::doc::{DocError, DocKind, check_header};
use crate::intake::Intake;
use crate::store::table::intake_queue;
use crate::sync::access::Readers;

impl Kind for Intake {
    const KIND: DocKind = DocKind::Intake;
    const SCOPE: Scope = Scope::Team;

    fn load(doc: &AutoCommit) -> Result<Self, DocError> {
        check_header(doc, Self::KIND)?;
        Ok(autosurgeon::hydrate(doc)?)
    }

    fn readers(&self, _known: &mut dyn Known) -> Option<Readers> {
        Some(Readers::Team)
    }

    fn project(&self, tx: &Connection, id: &str, _doc: &AutoCommit) -> rusqlite::Result<()> {
        intake_queue::write(tx, id, self)
    }
}

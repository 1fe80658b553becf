//! The case as a [`Kind`]: read by its owner and the members allowed on it; its rows are the
//! caseload row (or the removed-cases row), who may see it, its tasks and its search texts.

use automerge::AutoCommit;
use rusqlite::Connection;

use super::{Kind, Known, Scope};
use crate::case::Case;
use crate::doc::{DocError, DocKind, check_header};
use crate::store::table::{case_access, case_list, case_removed, search_source, task};
use crate::sync::access::Readers;

impl Kind for Case {
    const KIND: DocKind = DocKind::Case;
    const SCOPE: Scope = Scope::Members;

    fn load(doc: &AutoCommit) -> Result<Self, DocError> {
        check_header(doc, Self::KIND)?;
        Ok(autosurgeon::hydrate(doc)?)
    }

    fn readers(&self, _known: &mut dyn Known) -> Option<Readers> {
        Some(Readers::Members(self.readers()))
    }

    fn project(&self, tx: &Connection, id: &str, doc: &AutoCommit) -> rusqlite::Result<()> {
        case_access::write(tx, id, self)?;
        task::write(tx, id, self)?;
        case_removed::write(tx, id, self)?;
        // A case removed by mistake leaves the case list, the tasks and search; it is listed
        // among the removed cases, so that its owner can undo the removal.
        match self.removed {
            Some(_) => case_list::delete(tx, id)?,
            None => case_list::write(tx, id, self, doc)?,
        }
        search_source::write(tx, id, search_source::of_case(self))
    }
}

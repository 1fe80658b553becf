//! The team document as a [`Kind`]: every device of the team reads it, but it is never accepted
//! new from a peer (a device gets it when it joins); its rows are the front door's client index,
//! which members work for which partner, and the partner directory.
//! Who may change its members and devices is `store::team_rules`.

use automerge::{AutoCommit, ChangeHash};
use rusqlite::Connection;

use super::{Kind, Known, Scope};
use crate::doc::{DocError, DocKind, check_header};
use crate::store::table::{client_index, member_partner, partner};
use crate::sync::access::Readers;
use crate::team::Team;

impl Kind for Team {
    const KIND: DocKind = DocKind::Team;
    const SCOPE: Scope = Scope::Team;

    fn load(doc: &AutoCommit) -> Result<Self, DocError> {
        check_header(doc, Self::KIND)?;
        Ok(autosurgeon::hydrate(doc)?)
    }

    fn readers(&self, _known: &mut dyn Known) -> Option<Readers> {
        None
    }

    fn check_authors(
        &self,
        doc: &mut AutoCommit,
        since: &[ChangeHash],
        _known: &mut dyn Known,
    ) -> Result<(), String> {
        // A team document is new on a device only when it joins (checked there, against the
        // invitation); afterwards, members and devices change only by an admin's device.
        if since.is_empty() {
            return Ok(());
        }
        crate::store::team_rules::check(doc, since)
    }

    fn project(&self, tx: &Connection, id: &str, _doc: &AutoCommit) -> rusqlite::Result<()> {
        client_index::write(tx, id, self)?;
        member_partner::write(tx, id, self)?;
        partner::write(tx, id, self)
    }
}

//! The referral as a [`Kind`]: read by its sender, the members who may see its case, and the
//! members of the partner organisation it is sent to (never the case itself: they get only
//! this document); every part of it must be written by the device it names
//! (`referral::rules`); its row is the referral list's.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash};
use rusqlite::Connection;

use super::{Kind, Known, Scope};
use crate::doc::{DocError, DocKind, check_header};
use crate::referral::Referral;
use crate::store::table::referral;
use crate::sync::access::Readers;

impl Kind for Referral {
    const KIND: DocKind = DocKind::Referral;
    const SCOPE: Scope = Scope::Members;

    fn load(doc: &AutoCommit) -> Result<Self, DocError> {
        check_header(doc, Self::KIND)?;
        Ok(autosurgeon::hydrate(doc)?)
    }

    fn readers(&self, known: &mut dyn Known) -> Option<Readers> {
        let mut members: BTreeSet<String> = known.partner_members(&self.partner_id);
        members.insert(self.sent_by.clone());
        if let Some(Readers::Members(case)) = known.readers_of(&self.case_id) {
            members.extend(case);
        }
        Some(Readers::Members(members))
    }

    fn check_authors(
        &self,
        doc: &mut AutoCommit,
        since: &[ChangeHash],
        known: &mut dyn Known,
    ) -> Result<(), String> {
        crate::referral::rules::check(self, doc, since, known)
    }

    fn project(&self, tx: &Connection, id: &str, _doc: &AutoCommit) -> rusqlite::Result<()> {
        referral::write(tx, id, self)
    }
}

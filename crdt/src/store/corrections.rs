//! Correcting mistakes, where the store has a say: a whole case removed by mistake (a
//! duplicate) leaves the case list, search and the client index, and only its owner or an admin
//! may remove it or undo that; conflicts settled keep the values not chosen as a revision.
//! Corrections of items inside a case are [`CaseEditor`] methods run through
//! [`Store::edit_case_as`] like any other edit (the query tables follow in the same
//! transaction, the client index in the same unit of work).

use automerge::AutoCommit;
use rusqlite::{OptionalExtension, params};

use super::profile::Profile;
use super::{Store, StoreError};
use crate::author::Author;
use crate::case::{CaseEditor, Collection};
use crate::conflict;
use crate::doc::DocError;
use crate::id::CaseId;
use crate::input::{InputError, Problem};

/// A case removed by mistake, as listed for undoing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedCase {
    /// The case id.
    pub case_id: String,
    /// The client's name.
    pub client_name: String,
    /// The owner (member id).
    pub owner: String,
    /// Why it was removed.
    pub reason: String,
    /// Who removed it (member id).
    pub removed_by: String,
    /// When (ms since epoch).
    pub removed_at: i64,
}

impl Store {
    /// Whether case `id` is removed (from the `case_removed` query table; nothing is loaded).
    pub fn is_case_removed(&self, id: &CaseId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM case_removed WHERE case_id = ?1")?
            .query_row([id.as_str()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Refuse work on a removed case (undo its removal first).
    pub(crate) fn refuse_if_removed(&self, id: &CaseId) -> Result<(), StoreError> {
        if self.is_case_removed(id)? {
            return Err(InputError::new("case", Problem::NotAllowedNow).into());
        }
        Ok(())
    }

    /// Only the case's owner or an admin of the team may remove a case or undo that.
    fn may_remove_case(&mut self, me: &Profile, id: &CaseId) -> Result<(), StoreError> {
        let owner = self.open_case(id)?.owner;
        let member = me.member.to_string();
        if owner != member && !self.open_team(&me.team)?.is_admin(&member) {
            return Err(InputError::new("case", Problem::NotAllowedNow).into());
        }
        Ok(())
    }

    /// Remove a case opened by mistake (a duplicate) with a reason, as `me` (its owner or an
    /// admin): it leaves the case list, search and the client index, all or nothing, and stays
    /// on the device, listed by [`Store::removed_cases`], until the removal is undone.
    pub fn remove_case_as(
        &mut self,
        me: &Profile,
        id: &CaseId,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.may_remove_case(me, id)?;
        let author = self.author(me)?;
        self.all_or_nothing(|store| {
            store.edit_case(&author, id, |case| case.remove_case(reason))?;
            store.index_case(me, id)
        })
    }

    /// Undo the removal of a case, as `me` (its owner or an admin): it is back in the case
    /// list, search and the client index, all or nothing.
    pub fn restore_case_as(&mut self, me: &Profile, id: &CaseId) -> Result<(), StoreError> {
        self.may_remove_case(me, id)?;
        let author = self.author(me)?;
        self.all_or_nothing(|store| {
            store.edit_case(&author, id, |case| case.restore_case())?;
            store.index_case(me, id)
        })
    }

    /// Removed cases `member` may see (owner or allowed), most recently removed first.
    pub fn removed_cases(&self, member: &str) -> Result<Vec<RemovedCase>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, client_name, owner, reason, removed_by, removed_at FROM case_removed
             WHERE case_id IN (SELECT case_id FROM case_access WHERE member = ?1)
             ORDER BY removed_at DESC, case_id",
        )?;
        let rows = stmt
            .query_map(params![member], |r| {
                Ok(RemovedCase {
                    case_id: r.get(0)?,
                    client_name: r.get(1)?,
                    owner: r.get(2)?,
                    reason: r.get(3)?,
                    removed_by: r.get(4)?,
                    removed_at: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

/// Settle the conflict at `path` with the value at `choice` (see [`conflict::resolve`]); when
/// the field belongs to a correctable item, the values not chosen are kept as a revision.
pub(crate) fn settle(
    doc: &mut AutoCommit,
    author: &Author,
    path: &[String],
    choice: usize,
) -> Result<(), DocError> {
    let discarded: Vec<String> = conflict::list(doc)
        .into_iter()
        .find(|c| c.path == path)
        .map(|c| {
            c.values
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != choice)
                .map(|(_, v)| conflict::text(v))
                .collect()
        })
        .unwrap_or_default();
    conflict::resolve(doc, path, choice)?;
    if let [collection, item, field] = path
        && let Some(collection) = Collection::parse(collection)
    {
        CaseEditor::new(doc, author).note_settled(collection, item, field, discarded)?;
    }
    Ok(())
}

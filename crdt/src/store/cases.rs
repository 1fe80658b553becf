//! The store's case API: create, edit (through a [`CaseEditor`]), read, tasks, conflicts (the
//! caseload and its search are in `caseload`).

use super::{Store, StoreError};
use crate::author::Author;
use crate::case::{self, Case, CaseEditor, NewCase};
use crate::conflict::{self, Conflict};
use crate::doc::DocKind;
use crate::id::{CaseId, TeamId};

/// A task that is not done, with its case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDue {
    /// The case.
    pub case_id: String,
    /// The client's name.
    pub client_name: String,
    /// The task id.
    pub task_id: String,
    /// What to do.
    pub title: String,
    /// Due date, if any.
    pub due: Option<String>,
    /// Who does it.
    pub assignee: Option<String>,
}

impl Store {
    /// Open a case; it is stored durably before this returns.
    pub fn create_case(
        &mut self,
        author: &Author,
        team: &TeamId,
        new: NewCase,
    ) -> Result<CaseId, StoreError> {
        let (id, doc) = case::create_case(author, team, new)?;
        self.insert_document(author, DocKind::Case, id.as_str(), doc)?;
        Ok(id)
    }

    /// Change a case with validated edits, stored as one change by `author`:
    /// `store.edit_case(&me, &id, |case| case.add_journal_entry(entry))`. The team's client
    /// index is not touched; as this device's user, use [`Store::edit_case_as`], which keeps it
    /// current.
    pub fn edit_case<T>(
        &mut self,
        author: &Author,
        id: &CaseId,
        edit: impl FnOnce(&mut CaseEditor<'_>) -> Result<T, crate::doc::DocError>,
    ) -> Result<T, StoreError> {
        self.edit_document(DocKind::Case, id.as_str(), author, |doc| {
            edit(&mut CaseEditor::new(doc, author))
        })
    }

    /// The whole case.
    pub fn open_case(&mut self, id: &CaseId) -> Result<Case, StoreError> {
        let doc = self.take_document(DocKind::Case, id.as_str())?;
        let case = case::load(&doc);
        self.keep_document(id.as_str(), doc);
        Ok(case?)
    }

    /// Fields of the case edited concurrently on several devices, with all their values.
    pub fn case_conflicts(&mut self, id: &CaseId) -> Result<Vec<Conflict>, StoreError> {
        let doc = self.take_document(DocKind::Case, id.as_str())?;
        let found = conflict::list(&doc);
        self.keep_document(id.as_str(), doc);
        Ok(found)
    }

    /// Settle a conflict by picking one of its values (by position in [`Conflict::values`]);
    /// the values not chosen of a correctable item's field are kept as its revision.
    pub fn resolve_case_conflict(
        &mut self,
        author: &Author,
        id: &CaseId,
        path: &[String],
        choice: usize,
    ) -> Result<(), StoreError> {
        self.edit_document(DocKind::Case, id.as_str(), author, |doc| {
            super::corrections::settle(doc, author, path, choice)
        })
    }

    /// Tasks not done, due first (tasks without a due date last); only `assignee`'s when given.
    pub fn tasks_due(&self, assignee: Option<&str>) -> Result<Vec<TaskDue>, StoreError> {
        self.open_tasks_where("?1 IS NULL OR t.assignee = ?1", assignee)
    }

    /// A member's open tasks: assigned to them, or unassigned on cases they own; due first.
    pub fn my_tasks(&self, member: &str) -> Result<Vec<TaskDue>, StoreError> {
        self.open_tasks_where(
            "t.assignee = ?1 OR (t.assignee IS NULL AND c.owner = ?1)",
            Some(member),
        )
    }

    /// Open tasks matching `condition` (over `t` = task, `c` = case_list, `?1` = `member`).
    fn open_tasks_where(
        &self,
        condition: &str,
        member: Option<&str>,
    ) -> Result<Vec<TaskDue>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT t.case_id, coalesce(c.client_name, ''), t.task_id, t.title, t.due, t.assignee
             FROM task t LEFT JOIN case_list c ON c.case_id = t.case_id
             WHERE t.done = 0 AND ({condition})
             ORDER BY t.due IS NULL, t.due, t.title"
        ))?;
        let rows = stmt
            .query_map([member], task_due)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

/// A task row selected as `case_id, client_name, task_id, title, due, assignee`.
pub(crate) fn task_due(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskDue> {
    Ok(TaskDue {
        case_id: r.get(0)?,
        client_name: r.get(1)?,
        task_id: r.get(2)?,
        title: r.get(3)?,
        due: r.get(4)?,
        assignee: r.get(5)?,
    })
}

//! Correcting mistakes in a case file: edit a journal entry, task, question or consent (a
//! person: `case::update_person`), remove an item or the whole case with a reason, undo a
//! removal, and the removed cases I may restore. The history views the case file shows with
//! each item are built here too.

use nabij_crdt::case::{
    self, Collection, ConsentEdit, JournalEntryEdit, QuestionEdit, Removal, Revision,
    RevisionAction, TaskEdit,
};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::case::journal::ContactKindCode;
use super::case::{CaseView, case_id, edit, item_id, view};
use crate::ipc::IpcError;
use crate::state::AppState;

/// The kinds of correctable item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CollectionCode {
    /// Journal entry.
    Journal,
    /// Task.
    Tasks,
    /// Question for help.
    Questions,
    /// Consent record.
    Consents,
    /// Person in the household.
    People,
    /// The whole case.
    Case,
}

impl From<CollectionCode> for Collection {
    fn from(c: CollectionCode) -> Self {
        match c {
            CollectionCode::Journal => Collection::Journal,
            CollectionCode::Tasks => Collection::Tasks,
            CollectionCode::Questions => Collection::Questions,
            CollectionCode::Consents => Collection::Consents,
            CollectionCode::People => Collection::People,
            CollectionCode::Case => Collection::Case,
        }
    }
}

impl From<Collection> for CollectionCode {
    fn from(c: Collection) -> Self {
        match c {
            Collection::Journal => CollectionCode::Journal,
            Collection::Tasks => CollectionCode::Tasks,
            Collection::Questions => CollectionCode::Questions,
            Collection::Consents => CollectionCode::Consents,
            Collection::People => CollectionCode::People,
            Collection::Case => CollectionCode::Case,
        }
    }
}

/// What a revision did.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RevisionActionCode {
    /// Fields changed.
    Edited,
    /// Removed with a reason.
    Removed,
    /// Removal undone.
    Restored,
    /// Concurrent values settled.
    Settled,
}

impl From<RevisionAction> for RevisionActionCode {
    fn from(action: RevisionAction) -> Self {
        match action {
            RevisionAction::Edited => Self::Edited,
            RevisionAction::Removed => Self::Removed,
            RevisionAction::Restored => Self::Restored,
            RevisionAction::Settled => Self::Settled,
        }
    }
}

/// An earlier value of one field.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PreviousValue {
    /// The field (`text`, `date`, `title`, ...).
    pub field: String,
    /// Its value before (empty: it was empty).
    pub value: String,
}

/// One correction of an item, for its history.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RevisionView {
    /// What was done.
    pub action: RevisionActionCode,
    /// Who (member id).
    pub by: String,
    /// When (ms since epoch).
    pub at_ms: f64,
    /// The earlier values of the fields it changed.
    pub previous: Vec<PreviousValue>,
    /// Why (removals).
    pub reason: Option<String>,
}

/// A removal's tombstone.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemovalView {
    /// Why.
    pub reason: String,
    /// Who (member id).
    pub by: String,
    /// When (ms since epoch).
    pub at_ms: f64,
}

/// An item removed by mistake, shown collapsed in its section with "Ongedaan maken".
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemovedItemView {
    /// Which section.
    pub collection: CollectionCode,
    /// Item id.
    pub id: String,
    /// What it was (the entry's text, the task's title, the person's name, ...).
    pub summary: String,
    /// The removal.
    pub removal: RemovalView,
    /// Its history.
    pub history: Vec<RevisionView>,
}

fn revision_view(r: &Revision) -> RevisionView {
    RevisionView {
        action: r.action.into(),
        by: r.by.clone(),
        at_ms: r.at as f64,
        previous: r
            .previous
            .iter()
            .map(|(field, value)| PreviousValue {
                field: field.clone(),
                value: value.clone(),
            })
            .collect(),
        reason: r.reason.clone(),
    }
}

/// The history of item `id` (or of the case, by its id), newest first.
pub fn history(c: &case::Case, id: &str) -> Vec<RevisionView> {
    c.history(id).into_iter().rev().map(revision_view).collect()
}

/// A tombstone as shown.
pub fn removal_view(r: &Removal) -> RemovalView {
    RemovalView {
        reason: r.reason.clone(),
        by: r.by.clone(),
        at_ms: r.at as f64,
    }
}

/// The removed items of a case, most recently removed first.
pub fn removed_items(c: &case::Case) -> Vec<RemovedItemView> {
    let summary = |collection: Collection, id: &str| -> Option<String> {
        match collection {
            Collection::Journal => c.journal.get(id).map(|e| e.text.clone()),
            Collection::Tasks => c.tasks.get(id).map(|t| t.title.clone()),
            Collection::Questions => c.questions.get(id).map(|q| q.text.clone()),
            Collection::Consents => c
                .consents
                .get(id)
                .map(|k| format!("{} → {}", k.what, k.to_whom)),
            Collection::People => c.people.get(id).map(|p| p.name.clone()),
            Collection::Case => None,
        }
    };
    let mut items: Vec<RemovedItemView> = c
        .removals
        .iter()
        .filter_map(|(id, removal)| {
            let collection = Collection::ITEMS
                .into_iter()
                .find(|k| summary(*k, id).is_some())?;
            Some(RemovedItemView {
                collection: collection.into(),
                id: id.clone(),
                summary: summary(collection, id)?,
                removal: removal_view(removal),
                history: history(c, id),
            })
        })
        .collect();
    items.sort_by(|a, b| {
        b.removal
            .at_ms
            .total_cmp(&a.removal.at_ms)
            .then(a.id.cmp(&b.id))
    });
    items
}

/// Changes to a journal entry (absent: unchanged).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JournalEditRequest {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`).
    pub date: Option<String>,
    /// Kind of contact.
    pub kind: Option<ContactKindCode>,
    /// Text.
    pub text: Option<String>,
    /// Themes.
    pub themes: Option<Vec<String>>,
}

/// Correct a journal entry (its author or the case owner); the earlier version is kept.
#[tauri::command]
#[specta::specta]
pub fn edit_journal_entry(
    state: State<'_, AppState>,
    case_id: String,
    entry_id: String,
    edit: JournalEditRequest,
) -> Result<CaseView, IpcError> {
    let entry = item_id(&entry_id)?;
    self::edit(&state, &case_id, |c| {
        c.edit_journal_entry(
            &entry,
            JournalEntryEdit {
                date: edit.date,
                kind: edit.kind.map(Into::into),
                text: edit.text,
                themes: edit.themes,
            },
        )
    })
}

/// Changes to a task (absent: unchanged; an empty due date clears it).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskEditRequest {
    /// What to do.
    pub title: Option<String>,
    /// Due date.
    pub due: Option<String>,
}

/// Correct a task; the earlier version is kept.
#[tauri::command]
#[specta::specta]
pub fn edit_task(
    state: State<'_, AppState>,
    case_id: String,
    task_id: String,
    edit: TaskEditRequest,
) -> Result<CaseView, IpcError> {
    let task = item_id(&task_id)?;
    self::edit(&state, &case_id, |c| {
        c.edit_task(
            &task,
            TaskEdit {
                title: edit.title,
                due: edit.due,
                assignee: None,
            },
        )
    })
}

/// Changes to a question (absent: unchanged).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuestionEditRequest {
    /// Theme.
    pub theme: Option<String>,
    /// The question.
    pub text: Option<String>,
}

/// Correct a question for help; the earlier version is kept.
#[tauri::command]
#[specta::specta]
pub fn edit_question(
    state: State<'_, AppState>,
    case_id: String,
    question_id: String,
    edit: QuestionEditRequest,
) -> Result<CaseView, IpcError> {
    let question = item_id(&question_id)?;
    self::edit(&state, &case_id, |c| {
        c.edit_question(
            &question,
            QuestionEdit {
                theme: edit.theme,
                text: edit.text,
            },
        )
    })
}

/// Changes to a consent record (absent: unchanged).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConsentEditRequest {
    /// What information.
    pub what: Option<String>,
    /// To whom.
    pub to_whom: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Legal basis.
    pub legal_basis: Option<String>,
    /// Given on.
    pub date: Option<String>,
}

/// Correct a consent record; the earlier version is kept.
#[tauri::command]
#[specta::specta]
pub fn edit_consent(
    state: State<'_, AppState>,
    case_id: String,
    consent_id: String,
    edit: ConsentEditRequest,
) -> Result<CaseView, IpcError> {
    let consent = item_id(&consent_id)?;
    self::edit(&state, &case_id, |c| {
        c.edit_consent(
            &consent,
            ConsentEdit {
                what: edit.what,
                to_whom: edit.to_whom,
                purpose: edit.purpose,
                legal_basis: edit.legal_basis,
                date: edit.date,
            },
        )
    })
}

/// Remove an item entered by mistake, with a reason (required); it can be restored.
#[tauri::command]
#[specta::specta]
pub fn remove_item(
    state: State<'_, AppState>,
    case_id: String,
    collection: CollectionCode,
    item_id: String,
    reason: String,
) -> Result<CaseView, IpcError> {
    let item = self::item_id(&item_id)?;
    edit(&state, &case_id, |c| {
        c.remove_item(collection.into(), &item, &reason)
    })
}

/// Undo the removal of an item.
#[tauri::command]
#[specta::specta]
pub fn restore_item(
    state: State<'_, AppState>,
    case_id: String,
    collection: CollectionCode,
    item_id: String,
) -> Result<CaseView, IpcError> {
    let item = self::item_id(&item_id)?;
    edit(&state, &case_id, |c| {
        c.restore_item(collection.into(), &item)
    })
}

/// Remove a case opened by mistake (a duplicate), with a reason, as its owner or an admin: it
/// leaves the caseload, search and the client index until the removal is undone.
#[tauri::command]
#[specta::specta]
pub fn remove_case(
    state: State<'_, AppState>,
    case_id: String,
    reason: String,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    state.with_profile(|store, me| {
        store.remove_case_as(me, &id, &reason)?;
        view(store, &id)
    })
}

/// Undo the removal of a case (its owner or an admin).
#[tauri::command]
#[specta::specta]
pub fn restore_case(state: State<'_, AppState>, case_id: String) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    state.with_profile(|store, me| {
        store.restore_case_as(me, &id)?;
        view(store, &id)
    })
}

/// A removed case I may see.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemovedCaseRow {
    /// Case id.
    pub case_id: String,
    /// Client's name.
    pub client_name: String,
    /// Owner (member id).
    pub owner: String,
    /// Why it was removed.
    pub reason: String,
    /// Who removed it (member id).
    pub removed_by: String,
    /// When (ms since epoch).
    pub removed_at_ms: f64,
}

/// The removed cases I may see, most recently removed first.
#[tauri::command]
#[specta::specta]
pub fn removed_cases(state: State<'_, AppState>) -> Result<Vec<RemovedCaseRow>, IpcError> {
    state.with_profile(|store, me| {
        Ok(store
            .removed_cases(me.member.as_str())?
            .into_iter()
            .map(|r| RemovedCaseRow {
                case_id: r.case_id,
                client_name: r.client_name,
                owner: r.owner,
                reason: r.reason,
                removed_by: r.removed_by,
                removed_at_ms: r.removed_at as f64,
            })
            .collect())
    })
}

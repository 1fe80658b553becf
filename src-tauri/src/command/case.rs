//! Case work: the case file and every change to it, one file per section of the case file
//! (`case/people.rs`, `journal`, `tasks`, `questions`, `consents`, `flags`, `access` and
//! `conflicts`); here opening and creating a case, the case file assembled from its sections,
//! closing and reopening, and drafts. The caseload and its search are in `caseload`.

pub mod access;
pub mod conflicts;
pub mod consents;
pub mod flags;
pub mod journal;
pub mod people;
pub mod questions;
pub mod tasks;

use nabij_crdt::case::{self, CaseState};
use nabij_crdt::id::{CaseId, ItemId, MemberId};
use nabij_crdt::store::Store;
use serde::{Deserialize, Serialize};
use tauri::State;

use self::conflicts::ConflictView;
use self::consents::ConsentView;
use self::flags::FlagView;
use self::journal::JournalView;
use self::people::PersonView;
use self::questions::QuestionView;
use self::tasks::TaskView;
use super::correction::{self, RemovalView, RemovedItemView, RevisionView};
use crate::ipc::{ErrorCode, IpcError};
use crate::state::AppState;

pub(crate) fn case_id(text: &str) -> Result<CaseId, IpcError> {
    CaseId::parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

pub(crate) fn item_id(text: &str) -> Result<ItemId, IpcError> {
    ItemId::parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

fn member_id(text: &str) -> Result<MemberId, IpcError> {
    MemberId::parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatusCode {
    /// Being worked on.
    Open,
    /// Closed, with a reason.
    Closed,
}

impl From<CaseState> for CaseStatusCode {
    fn from(state: CaseState) -> Self {
        match state {
            CaseState::Open => Self::Open,
            CaseState::Closed => Self::Closed,
        }
    }
}

impl From<CaseStatusCode> for CaseState {
    fn from(code: CaseStatusCode) -> Self {
        match code {
            CaseStatusCode::Open => Self::Open,
            CaseStatusCode::Closed => Self::Closed,
        }
    }
}

/// The whole case file.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    /// Case id.
    pub id: String,
    /// Client's name.
    pub client_name: String,
    /// Owner (member id).
    pub owner: String,
    /// Other members allowed to see the case.
    pub members: Vec<String>,
    /// Open or closed.
    pub status: CaseStatusCode,
    /// Reason of the last close/reopen.
    pub status_reason: Option<String>,
    /// Date of the last close/reopen.
    pub status_date: Option<String>,
    /// Household.
    pub people: Vec<PersonView>,
    /// Questions.
    pub questions: Vec<QuestionView>,
    /// Journal, newest first.
    pub journal: Vec<JournalView>,
    /// Tasks, open first then by due date.
    pub tasks: Vec<TaskView>,
    /// Consent records.
    pub consents: Vec<ConsentView>,
    /// Flags.
    pub flags: Vec<FlagView>,
    /// Conflicting fields.
    pub conflicts: Vec<ConflictView>,
    /// Items removed by mistake (left out of the lists above), most recent first.
    pub removed_items: Vec<RemovedItemView>,
    /// Set when the whole case was removed (a duplicate); it can be restored.
    pub removed: Option<RemovalView>,
    /// Removals and restorations of the whole case, newest first.
    pub history: Vec<RevisionView>,
}

pub(crate) fn case_view(c: case::Case, conflicts: Vec<nabij_crdt::conflict::Conflict>) -> CaseView {
    CaseView {
        client_name: c.client_name().to_string(),
        id: c.id.clone(),
        owner: c.owner.clone(),
        members: c
            .members
            .iter()
            .filter(|(_, a)| **a)
            .map(|(m, _)| m.clone())
            .collect(),
        status: c.status.state.into(),
        status_reason: c.status.reason.clone(),
        status_date: c.status.date.clone(),
        people: people::views(&c),
        questions: questions::views(&c),
        journal: journal::views(&c),
        tasks: tasks::views(&c),
        consents: consents::views(&c),
        flags: flags::views(&c),
        conflicts: conflicts::views(conflicts),
        removed_items: correction::removed_items(&c),
        removed: c.removed.as_ref().map(correction::removal_view),
        history: correction::history(&c, &c.id),
    }
}

/// The case file of `id` as it is in the store now.
pub(crate) fn view(store: &mut Store, id: &CaseId) -> Result<CaseView, IpcError> {
    let conflicts = store.case_conflicts(id)?;
    Ok(case_view(store.open_case(id)?, conflicts))
}

/// Open a case file.
#[tauri::command]
#[specta::specta]
pub fn open_case(state: State<'_, AppState>, case_id: String) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    state.with_profile(|store, _| view(store, &id))
}

/// Apply a validated edit to a case as this device's user (the client index follows a changed
/// client name or birth date); answer with the updated case file.
pub(crate) fn edit(
    state: &AppState,
    case_id: &str,
    change: impl FnOnce(&mut case::CaseEditor<'_>) -> Result<(), nabij_crdt::doc::DocError>,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(case_id)?;
    state.with_profile(|store, me| {
        store.edit_case_as(me, &id, change)?;
        view(store, &id)
    })
}

/// What is needed to open a case.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewCaseRequest {
    /// Client's full name.
    pub client_name: String,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Owner (member id); me when absent.
    pub owner: Option<String>,
}

/// Open a new case; answers with its id.
#[tauri::command]
#[specta::specta]
pub fn create_case(
    state: State<'_, AppState>,
    request: NewCaseRequest,
) -> Result<String, IpcError> {
    let owner = request.owner.as_deref().map(member_id).transpose()?;
    state.with_profile(|store, me| {
        let new = case::NewCase {
            client_name: request.client_name,
            birth_date: request.birth_date,
            contact: request.contact,
            language: request.language,
            address: request.address,
            owner,
        };
        Ok(store.register_case(me, new)?.to_string())
    })
}

/// Close the case with a reason.
#[tauri::command]
#[specta::specta]
pub fn close_case(
    state: State<'_, AppState>,
    case_id: String,
    reason: String,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| c.close(&reason, None))
}

/// Reopen the case with a reason.
#[tauri::command]
#[specta::specta]
pub fn reopen_case(
    state: State<'_, AppState>,
    case_id: String,
    reason: String,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| c.reopen(&reason))
}

/// A saved draft (e.g. a journal entry being typed).
#[tauri::command]
#[specta::specta]
pub fn draft(state: State<'_, AppState>, key: String) -> Result<Option<String>, IpcError> {
    Ok(state.store()?.draft(&key)?)
}

/// Save a draft (empty text forgets it), so it survives errors and restarts.
#[tauri::command]
#[specta::specta]
pub fn save_draft(state: State<'_, AppState>, key: String, text: String) -> Result<(), IpcError> {
    Ok(state.store()?.set_draft(&key, &text)?)
}

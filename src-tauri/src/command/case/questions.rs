//! Questions for help and where each stands.

use nabij_crdt::case::{self, NewQuestion, QuestionStatus};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{CaseView, edit, item_id};
use crate::command::correction::{self, RevisionView};
use crate::ipc::IpcError;
use crate::state::AppState;

/// Status of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatusCode {
    /// Open.
    Open,
    /// In progress.
    InProgress,
    /// Resolved.
    Resolved,
    /// Referred.
    Referred,
}

impl From<QuestionStatus> for QuestionStatusCode {
    fn from(status: QuestionStatus) -> Self {
        match status {
            QuestionStatus::Open => Self::Open,
            QuestionStatus::InProgress => Self::InProgress,
            QuestionStatus::Resolved => Self::Resolved,
            QuestionStatus::Referred => Self::Referred,
        }
    }
}

impl From<QuestionStatusCode> for QuestionStatus {
    fn from(code: QuestionStatusCode) -> Self {
        match code {
            QuestionStatusCode::Open => Self::Open,
            QuestionStatusCode::InProgress => Self::InProgress,
            QuestionStatusCode::Resolved => Self::Resolved,
            QuestionStatusCode::Referred => Self::Referred,
        }
    }
}

/// A question for help.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuestionView {
    /// Item id.
    pub id: String,
    /// Theme.
    pub theme: String,
    /// The question.
    pub text: String,
    /// Where it stands.
    pub status: QuestionStatusCode,
    /// Asked on.
    pub opened: String,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// The questions, leaving out those removed by mistake.
pub(super) fn views(c: &case::Case) -> Vec<QuestionView> {
    c.questions
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, q)| QuestionView {
            id: id.clone(),
            theme: q.theme.clone(),
            text: q.text.clone(),
            status: q.status.into(),
            opened: q.opened.clone(),
            history: correction::history(c, id),
        })
        .collect()
}

/// Register a question for help.
#[tauri::command]
#[specta::specta]
pub fn add_question(
    state: State<'_, AppState>,
    case_id: String,
    theme: String,
    text: String,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| {
        c.add_question(NewQuestion { theme, text }).map(|_| ())
    })
}

/// Change where a question stands.
#[tauri::command]
#[specta::specta]
pub fn set_question_status(
    state: State<'_, AppState>,
    case_id: String,
    question_id: String,
    status: QuestionStatusCode,
) -> Result<CaseView, IpcError> {
    let question = item_id(&question_id)?;
    edit(&state, &case_id, |c| {
        c.set_question_status(&question, status.into())
    })
}

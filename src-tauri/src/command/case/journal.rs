//! The journal: contacts and notes, newest first, with the front-door signal an entry records.

use nabij_crdt::case::{self, ContactKind, NewJournalEntry};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{CaseView, edit};
use crate::command::correction::{self, RevisionView};
use crate::command::intake::IntakeTraceView;
use crate::ipc::IpcError;
use crate::state::AppState;

/// Kind of contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ContactKindCode {
    /// Visit.
    Visit,
    /// Phone call.
    Call,
    /// Office meeting.
    Office,
    /// Message.
    Message,
    /// Note.
    Note,
}

impl From<ContactKindCode> for ContactKind {
    fn from(c: ContactKindCode) -> Self {
        match c {
            ContactKindCode::Visit => ContactKind::Visit,
            ContactKindCode::Call => ContactKind::Call,
            ContactKindCode::Office => ContactKind::Office,
            ContactKindCode::Message => ContactKind::Message,
            ContactKindCode::Note => ContactKind::Note,
        }
    }
}

impl From<ContactKind> for ContactKindCode {
    fn from(kind: ContactKind) -> Self {
        match kind {
            ContactKind::Visit => Self::Visit,
            ContactKind::Call => Self::Call,
            ContactKind::Office => Self::Office,
            ContactKind::Message => Self::Message,
            ContactKind::Note => Self::Note,
        }
    }
}

/// A journal entry.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JournalView {
    /// Item id.
    pub id: String,
    /// When.
    pub date: String,
    /// Kind of contact.
    pub kind: ContactKindCode,
    /// Author (member id).
    pub author: String,
    /// Text.
    pub text: String,
    /// Themes.
    pub themes: Vec<String>,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
    /// The front-door signal this entry records, if it came from the front door.
    pub intake: Option<IntakeTraceView>,
}

/// The journal, newest first, leaving out entries removed by mistake.
pub(super) fn views(c: &case::Case) -> Vec<JournalView> {
    let mut journal: Vec<JournalView> = c
        .journal
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, e)| JournalView {
            id: id.clone(),
            date: e.date.clone(),
            kind: e.kind.into(),
            author: e.author.clone(),
            text: e.text.clone(),
            themes: e.themes.clone(),
            history: correction::history(c, id),
            intake: e.intake.as_ref().map(IntakeTraceView::from),
        })
        .collect();
    journal.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
    journal
}

/// A journal entry to write.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JournalRequest {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`); now when absent.
    pub date: Option<String>,
    /// Kind of contact.
    pub kind: ContactKindCode,
    /// Text.
    pub text: String,
    /// Themes.
    pub themes: Vec<String>,
}

/// Write a journal entry.
#[tauri::command]
#[specta::specta]
pub fn add_journal_entry(
    state: State<'_, AppState>,
    case_id: String,
    entry: JournalRequest,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| {
        let new = NewJournalEntry {
            date: entry.date,
            kind: entry.kind.into(),
            text: entry.text,
            themes: entry.themes,
        };
        c.add_journal_entry(new).map(|_| ())
    })
}

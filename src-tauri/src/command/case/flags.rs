//! Flags on a case: a right not taken up ("onderbescherming") or another signal.

use nabij_crdt::case::{self, FlagKind, NewFlag};
use serde::Serialize;
use tauri::State;

use super::{CaseView, edit, item_id};
use crate::ipc::IpcError;
use crate::state::AppState;

/// Kind of flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FlagKindCode {
    /// A right the client has but does not claim.
    UnderProtection,
    /// Any other signal.
    Other,
}

impl From<FlagKind> for FlagKindCode {
    fn from(kind: FlagKind) -> Self {
        match kind {
            FlagKind::UnderProtection => Self::UnderProtection,
            FlagKind::Other => Self::Other,
        }
    }
}

/// A flag.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlagView {
    /// Item id.
    pub id: String,
    /// Kind of flag.
    pub kind: FlagKindCode,
    /// The right not taken up.
    pub right: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Raised on.
    pub raised_at: String,
    /// Cleared on.
    pub cleared_at: Option<String>,
}

/// Every flag, cleared ones included.
pub(super) fn views(c: &case::Case) -> Vec<FlagView> {
    c.flags
        .iter()
        .map(|(id, f)| FlagView {
            id: id.clone(),
            kind: f.kind.into(),
            right: f.right.clone(),
            note: f.note.clone(),
            raised_at: f.raised_at.clone(),
            cleared_at: f.cleared_at.clone(),
        })
        .collect()
}

/// Raise an under-protection flag (a right not taken up) or another flag.
#[tauri::command]
#[specta::specta]
pub fn raise_flag(
    state: State<'_, AppState>,
    case_id: String,
    under_protection: bool,
    right: Option<String>,
    note: Option<String>,
) -> Result<CaseView, IpcError> {
    let kind = if under_protection {
        FlagKind::UnderProtection
    } else {
        FlagKind::Other
    };
    edit(&state, &case_id, |c| {
        c.raise_flag(NewFlag { kind, right, note }).map(|_| ())
    })
}

/// Clear a flag.
#[tauri::command]
#[specta::specta]
pub fn clear_flag(
    state: State<'_, AppState>,
    case_id: String,
    flag_id: String,
) -> Result<CaseView, IpcError> {
    let flag = item_id(&flag_id)?;
    edit(&state, &case_id, |c| c.clear_flag(&flag))
}

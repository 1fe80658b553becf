//! Fields set differently on two devices, and settling them.

use nabij_crdt::conflict::Conflict;
use serde::Serialize;
use tauri::State;

use super::{CaseView, case_id, view};
use crate::ipc::IpcError;
use crate::state::AppState;

/// A field edited on two devices at once, with every value.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    /// Keys from the document root to the field.
    pub path: Vec<String>,
    /// Every value, as text.
    pub values: Vec<String>,
}

/// The conflicts as shown.
pub(super) fn views(conflicts: Vec<Conflict>) -> Vec<ConflictView> {
    conflicts
        .into_iter()
        .map(|x| ConflictView {
            values: x.value_texts(),
            path: x.path,
        })
        .collect()
}

/// Settle a conflicting field by picking one of its values.
#[tauri::command]
#[specta::specta]
pub fn resolve_conflict(
    state: State<'_, AppState>,
    case_id: String,
    path: Vec<String>,
    choice: u32,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    state.with_profile(|store, me| {
        store.resolve_case_conflict_as(me, &id, &path, choice as usize)?;
        view(store, &id)
    })
}

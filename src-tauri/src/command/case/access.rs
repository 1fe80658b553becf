//! Who holds a case: handing it over to another member, and the members allowed to see it.

use tauri::State;

use super::{CaseView, case_id, edit, member_id, view};
use crate::ipc::IpcError;
use crate::state::AppState;

/// Hand the case to another member (the client index follows).
#[tauri::command]
#[specta::specta]
pub fn set_case_owner(
    state: State<'_, AppState>,
    case_id: String,
    owner: String,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    let owner = member_id(&owner)?;
    state.with_profile(|store, me| {
        store.hand_over(me, &id, &owner)?;
        view(store, &id)
    })
}

/// Allow a member to see the case, or withdraw that.
#[tauri::command]
#[specta::specta]
pub fn set_member_allowed(
    state: State<'_, AppState>,
    case_id: String,
    member: String,
    allowed: bool,
) -> Result<CaseView, IpcError> {
    let member = member_id(&member)?;
    edit(&state, &case_id, |c| c.set_member_allowed(&member, allowed))
}

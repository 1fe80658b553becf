//! Follow-up ("Opvolging"): my open tasks across all cases.

use serde::Serialize;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// An open task with its case.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskDueView {
    /// Case id.
    pub case_id: String,
    /// Client's name.
    pub client_name: String,
    /// Task id.
    pub task_id: String,
    /// What to do.
    pub title: String,
    /// Due date.
    pub due: Option<String>,
}

/// My open tasks (assigned to me, or unassigned on my cases), due first.
#[tauri::command]
#[specta::specta]
pub fn my_tasks(state: State<'_, AppState>) -> Result<Vec<TaskDueView>, IpcError> {
    state.with_profile(|store, me| {
        Ok(store
            .my_tasks(me.member.as_str())?
            .into_iter()
            .map(|t| TaskDueView {
                case_id: t.case_id,
                client_name: t.client_name,
                task_id: t.task_id,
                title: t.title,
                due: t.due,
            })
            .collect())
    })
}

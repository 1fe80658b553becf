//! A case's tasks (my tasks across cases are in `task`).

use nabij_crdt::case::{self, NewTask};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{CaseView, edit, item_id, member_id};
use crate::command::correction::{self, RevisionView};
use crate::ipc::IpcError;
use crate::state::AppState;

/// A task.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    /// Item id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Due date.
    pub due: Option<String>,
    /// Assignee (member id).
    pub assignee: Option<String>,
    /// Done.
    pub done: bool,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// The tasks, open first then by due date, leaving out tasks removed by mistake.
pub(super) fn views(c: &case::Case) -> Vec<TaskView> {
    let mut tasks: Vec<TaskView> = c
        .tasks
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, t)| TaskView {
            id: id.clone(),
            title: t.title.clone(),
            due: t.due.clone(),
            assignee: t.assignee.clone(),
            done: t.done,
            history: correction::history(c, id),
        })
        .collect();
    tasks.sort_by(|a, b| {
        (a.done, a.due.is_none(), &a.due, &a.title).cmp(&(
            b.done,
            b.due.is_none(),
            &b.due,
            &b.title,
        ))
    });
    tasks
}

/// A task to add.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskRequest {
    /// What to do.
    pub title: String,
    /// Due date.
    pub due: Option<String>,
    /// Assignee (member id).
    pub assignee: Option<String>,
}

/// Add a task.
#[tauri::command]
#[specta::specta]
pub fn add_task(
    state: State<'_, AppState>,
    case_id: String,
    task: TaskRequest,
) -> Result<CaseView, IpcError> {
    let assignee = task.assignee.as_deref().map(member_id).transpose()?;
    edit(&state, &case_id, |c| {
        c.add_task(NewTask {
            title: task.title,
            due: task.due,
            assignee,
        })
        .map(|_| ())
    })
}

/// Mark a task done or not done.
#[tauri::command]
#[specta::specta]
pub fn set_task_done(
    state: State<'_, AppState>,
    case_id: String,
    task_id: String,
    done: bool,
) -> Result<CaseView, IpcError> {
    let task = item_id(&task_id)?;
    edit(&state, &case_id, |c| c.set_task_done(&task, done))
}

//! Follow-up ("Opvolging"): my open tasks across all cases, grouped by when they are due.

use nabij_crdt::date::Date;
use nabij_crdt::input::{InputError, Problem};
use nabij_crdt::store::{DueWhen, TaskDue};
use serde::{Deserialize, Serialize};
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

impl From<TaskDue> for TaskDueView {
    fn from(t: TaskDue) -> Self {
        Self {
            case_id: t.case_id,
            client_name: t.client_name,
            task_id: t.task_id,
            title: t.title,
            due: t.due,
        }
    }
}

/// When a task is due, seen from today.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DueWhenCode {
    /// Before today.
    Overdue,
    /// Today.
    Today,
    /// Later this week (Monday-first weeks).
    Week,
    /// After this week.
    Later,
    /// No due date.
    None,
}

impl From<DueWhen> for DueWhenCode {
    fn from(when: DueWhen) -> Self {
        match when {
            DueWhen::Overdue => Self::Overdue,
            DueWhen::Today => Self::Today,
            DueWhen::ThisWeek => Self::Week,
            DueWhen::Later => Self::Later,
            DueWhen::NoDate => Self::None,
        }
    }
}

impl From<DueWhenCode> for DueWhen {
    fn from(code: DueWhenCode) -> Self {
        match code {
            DueWhenCode::Overdue => Self::Overdue,
            DueWhenCode::Today => Self::Today,
            DueWhenCode::Week => Self::ThisWeek,
            DueWhenCode::Later => Self::Later,
            DueWhenCode::None => Self::NoDate,
        }
    }
}

/// One group of follow-up: how many tasks it holds and the first of them.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DueGroupView {
    /// Which group.
    pub when: DueWhenCode,
    /// Every open task in the group.
    pub total: u32,
    /// The first tasks, earliest due first.
    pub tasks: Vec<TaskDueView>,
}

/// The user's today (`YYYY-MM-DD`, from the UI, which knows the local date).
fn today(text: &str) -> Result<Date, IpcError> {
    Date::parse(text)
        .map_err(|_| IpcError::invalid(&InputError::new("today", Problem::InvalidDate)))
}

/// My open tasks in groups seen from `today`, each with its total and first `per_group` tasks.
#[tauri::command]
#[specta::specta]
pub fn follow_up(
    state: State<'_, AppState>,
    today: String,
    per_group: u32,
) -> Result<Vec<DueGroupView>, IpcError> {
    let day = self::today(&today)?;
    state.with_profile(|store, me| {
        Ok(store
            .follow_up(me.member.as_str(), day, per_group)?
            .into_iter()
            .map(|g| DueGroupView {
                when: g.when.into(),
                total: g.total,
                tasks: g.tasks.into_iter().map(TaskDueView::from).collect(),
            })
            .collect())
    })
}

/// A further page of one follow-up group.
#[tauri::command]
#[specta::specta]
pub fn follow_up_page(
    state: State<'_, AppState>,
    today: String,
    when: DueWhenCode,
    offset: u32,
    limit: u32,
) -> Result<Vec<TaskDueView>, IpcError> {
    let day = self::today(&today)?;
    state.with_profile(|store, me| {
        Ok(store
            .follow_up_page(me.member.as_str(), day, when.into(), offset, limit)?
            .into_iter()
            .map(TaskDueView::from)
            .collect())
    })
}

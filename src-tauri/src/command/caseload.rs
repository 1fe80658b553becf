//! The caseload ("Mijn dossiers"): pages of cases with the real total, search inside the same
//! filters and sort, and the cases with conflicts to settle.

use nabij_crdt::store::{CaseFilter, CaseHit, CaseSort, CaseSummary, HitField};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::case::CaseStatusCode;
use crate::ipc::IpcError;
use crate::state::AppState;

/// One row of the caseload.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CaseRow {
    /// Case id.
    pub case_id: String,
    /// Client's name.
    pub client_name: String,
    /// Client's birth year.
    pub birth_year: Option<u16>,
    /// Owner (member id).
    pub owner: String,
    /// Open or closed.
    pub status: CaseStatusCode,
    /// Themes.
    pub themes: Vec<String>,
    /// Last activity (`YYYY-MM-DD[THH:MM]`).
    pub last_activity: String,
    /// Open tasks.
    pub open_tasks: u32,
    /// Fields set differently on two devices, not settled yet.
    pub conflicts: u32,
}

impl From<CaseSummary> for CaseRow {
    fn from(c: CaseSummary) -> Self {
        Self {
            case_id: c.case_id,
            client_name: c.client_name,
            birth_year: c.birth_year,
            owner: c.owner,
            status: c.status.into(),
            themes: c.themes,
            last_activity: c.last_activity,
            open_tasks: c.open_tasks,
            conflicts: c.conflicts,
        }
    }
}

/// The order of the caseload.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CaseSortCode {
    /// Most recent activity first.
    Activity,
    /// By client name.
    Name,
}

/// Which cases, in which order, which page.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CaseListRequest {
    /// Only cases I own (else all cases I may see).
    pub mine_only: bool,
    /// Only open or only closed cases; all when absent.
    pub status: Option<CaseStatusCode>,
    /// Only cases with this theme.
    pub theme: Option<String>,
    /// The order.
    pub sort: CaseSortCode,
    /// Rows before the page.
    pub offset: u32,
    /// At most this many rows.
    pub limit: u32,
}

impl CaseListRequest {
    fn filter(self, me: String) -> CaseFilter {
        CaseFilter {
            owner: self.mine_only.then(|| me.clone()),
            visible_to: Some(me),
            status: self.status.map(Into::into),
            theme: self.theme,
            with_conflicts: false,
            sort: match self.sort {
                CaseSortCode::Activity => CaseSort::Activity,
                CaseSortCode::Name => CaseSort::Name,
            },
            offset: self.offset,
            limit: Some(self.limit),
        }
    }
}

/// A page of the caseload and how many cases match in all.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CasePageView {
    /// The rows of the page.
    pub rows: Vec<CaseRow>,
    /// Every case that matches, over all pages.
    pub total: u32,
}

/// The caseload: a page of the cases I may see, and the total.
#[tauri::command]
#[specta::specta]
pub fn list_cases(
    state: State<'_, AppState>,
    request: CaseListRequest,
) -> Result<CasePageView, IpcError> {
    state.with_profile(|store, me| {
        let page = store.case_page(&request.filter(me.member.to_string()))?;
        Ok(CasePageView {
            rows: page.rows.into_iter().map(CaseRow::from).collect(),
            total: page.total,
        })
    })
}

/// Where a search hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum HitFieldCode {
    /// A person's name.
    Name,
    /// A journal entry's text.
    Journal,
}

impl From<HitField> for HitFieldCode {
    fn from(field: HitField) -> Self {
        match field {
            HitField::Name => Self::Name,
            HitField::Journal => Self::Journal,
        }
    }
}

/// A search result: the case's row and the matching text.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SearchHitView {
    /// The case.
    pub case: CaseRow,
    /// The field that matched best.
    pub field: HitFieldCode,
    /// Matching text; matches are between U+0002 and U+0003.
    pub snippet: String,
}

impl From<CaseHit> for SearchHitView {
    fn from(h: CaseHit) -> Self {
        Self {
            case: h.case.into(),
            field: h.field.into(),
            snippet: h.snippet,
        }
    }
}

/// A page of search hits and how many cases match in all.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SearchPageView {
    /// The hits of the page.
    pub hits: Vec<SearchHitView>,
    /// Every case that matches, over all pages.
    pub total: u32,
}

/// Search names and journal text inside the caseload the request describes (same filters,
/// order and paging as `list_cases`).
#[tauri::command]
#[specta::specta]
pub fn search_cases(
    state: State<'_, AppState>,
    query: String,
    request: CaseListRequest,
) -> Result<SearchPageView, IpcError> {
    state.with_profile(|store, me| {
        let page = store.search_cases(&query, &request.filter(me.member.to_string()))?;
        Ok(SearchPageView {
            hits: page.hits.into_iter().map(SearchHitView::from).collect(),
            total: page.total,
        })
    })
}

/// The cases I may see with fields set differently on two devices, most recent activity first.
#[tauri::command]
#[specta::specta]
pub fn conflicted_cases(state: State<'_, AppState>) -> Result<CasePageView, IpcError> {
    state.with_profile(|store, me| {
        let page = store.case_page(&CaseFilter {
            visible_to: Some(me.member.to_string()),
            with_conflicts: true,
            limit: Some(200),
            ..CaseFilter::default()
        })?;
        Ok(CasePageView {
            rows: page.rows.into_iter().map(CaseRow::from).collect(),
            total: page.total,
        })
    })
}

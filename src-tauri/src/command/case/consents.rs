//! Consent and disclosure records, and their withdrawal.

use nabij_crdt::case::{self, NewConsent};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{CaseView, edit, item_id};
use crate::command::correction::{self, RevisionView};
use crate::ipc::IpcError;
use crate::state::AppState;

/// A consent record.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    /// Item id.
    pub id: String,
    /// What.
    pub what: String,
    /// To whom.
    pub to_whom: String,
    /// Purpose.
    pub purpose: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Given on.
    pub date: String,
    /// Withdrawn on.
    pub withdrawn_at: Option<String>,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// The consent records, leaving out those removed by mistake.
pub(super) fn views(c: &case::Case) -> Vec<ConsentView> {
    c.consents
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, x)| ConsentView {
            id: id.clone(),
            what: x.what.clone(),
            to_whom: x.to_whom.clone(),
            purpose: x.purpose.clone(),
            legal_basis: x.legal_basis.clone(),
            date: x.date.clone(),
            withdrawn_at: x.withdrawn_at.clone(),
            history: correction::history(c, id),
        })
        .collect()
}

/// A consent record.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRequest {
    /// What information.
    pub what: String,
    /// To whom.
    pub to_whom: String,
    /// Purpose.
    pub purpose: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Given on; today when absent.
    pub date: Option<String>,
}

/// Record consent or a disclosure.
#[tauri::command]
#[specta::specta]
pub fn record_consent(
    state: State<'_, AppState>,
    case_id: String,
    consent: ConsentRequest,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| {
        let new = NewConsent {
            what: consent.what,
            to_whom: consent.to_whom,
            purpose: consent.purpose,
            legal_basis: consent.legal_basis,
            date: consent.date,
            partner_id: None,
        };
        c.record_consent(new).map(|_| ())
    })
}

/// Record that consent was withdrawn (today).
#[tauri::command]
#[specta::specta]
pub fn withdraw_consent(
    state: State<'_, AppState>,
    case_id: String,
    consent_id: String,
) -> Result<CaseView, IpcError> {
    let consent = item_id(&consent_id)?;
    edit(&state, &case_id, |c| c.withdraw_consent(&consent, None))
}

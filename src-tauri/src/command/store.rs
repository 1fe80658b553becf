//! Store status and device preferences.

use nabij_crdt::preference::Language;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// Where the data lives and what it holds, for the home and settings screens.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StoreStatusView {
    /// The data directory.
    pub data_dir: String,
    /// The database file.
    pub database_file: String,
    /// The schema version of the database.
    pub schema_version: u32,
    /// Number of cases in the store.
    pub case_count: u32,
    /// Number of tasks not done, over all cases.
    pub open_tasks: u32,
    /// Whether the store is encrypted at rest.
    pub encrypted: bool,
}

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub enum LanguageCode {
    /// Dutch (Belgium), the default.
    #[serde(rename = "nl-BE")]
    NlBe,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl From<Language> for LanguageCode {
    fn from(language: Language) -> Self {
        match language {
            Language::NlBe => LanguageCode::NlBe,
            Language::En => LanguageCode::En,
        }
    }
}

impl From<LanguageCode> for Language {
    fn from(code: LanguageCode) -> Self {
        match code {
            LanguageCode::NlBe => Language::NlBe,
            LanguageCode::En => Language::En,
        }
    }
}

/// The store's status.
#[tauri::command]
#[specta::specta]
pub fn store_status(state: State<'_, AppState>) -> Result<StoreStatusView, IpcError> {
    let status = state.store()?.status()?;
    Ok(StoreStatusView {
        data_dir: status.data_dir.display().to_string(),
        database_file: status.database_file.display().to_string(),
        schema_version: status.schema_version,
        case_count: u32::try_from(status.case_count).unwrap_or(u32::MAX),
        open_tasks: u32::try_from(status.open_tasks).unwrap_or(u32::MAX),
        encrypted: status.encrypted,
    })
}

/// The language the user chose on this device, if any.
#[tauri::command]
#[specta::specta]
pub fn language(state: State<'_, AppState>) -> Result<Option<LanguageCode>, IpcError> {
    Ok(state.store()?.language()?.map(LanguageCode::from))
}

/// Remember the user's language on this device.
#[tauri::command]
#[specta::specta]
pub fn set_language(state: State<'_, AppState>, language: LanguageCode) -> Result<(), IpcError> {
    Ok(state.store()?.set_language(language.into())?)
}

//! The error every command returns: `{ code, message }`. The UI chooses what to show by `code`
//! (translated in its catalogs) and shows `message` only as technical detail; it never matches
//! on message text. Add a code only when the UI needs to act differently on it.

use nabij_crdt::doc::DocError;
use nabij_crdt::store::{KeyError, StoreError};
use serde::Serialize;

/// What went wrong, as far as the UI needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Another Nabij window or process has this data directory open.
    StoreInUse,
    /// The store could not be opened or read (disk, permissions, newer schema).
    StoreUnavailable,
    /// The store's key is missing or does not open it; the store was left untouched.
    StoreKey,
    /// The OS keyring is not reachable or is locked.
    KeyringUnavailable,
    /// What was asked is not valid (a field is empty, too long, not a date, ...).
    Invalid,
    /// The thing asked for does not exist (any more) on this device.
    NotFound,
    /// A bug or an unexpected state.
    Internal,
}

/// An error crossing the IPC boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct IpcError {
    /// What went wrong, for the UI to branch on.
    pub code: ErrorCode,
    /// Technical detail (English), shown under the translated message.
    pub message: String,
}

impl IpcError {
    /// An error with `code` and the display text of `detail`.
    pub fn new(code: ErrorCode, detail: impl std::fmt::Display) -> Self {
        Self {
            code,
            message: detail.to_string(),
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::InUse { .. } => ErrorCode::StoreInUse,
            StoreError::WrongKey { .. }
            | StoreError::Key(KeyError::Missing { .. } | KeyError::Malformed { .. }) => {
                ErrorCode::StoreKey
            }
            StoreError::Key(
                KeyError::NoKeyring | KeyError::KeyringLocked(_) | KeyError::Keyring(_),
            ) => ErrorCode::KeyringUnavailable,
            StoreError::Document(DocError::Input(_)) => ErrorCode::Invalid,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::DataDir { .. }
            | StoreError::Open { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::Migrate { .. }
            | StoreError::Key(KeyError::File { .. })
            | StoreError::Query(_)
            | StoreError::Corrupt { .. }
            | StoreError::Document(_) => ErrorCode::StoreUnavailable,
        };
        Self::new(code, error)
    }
}

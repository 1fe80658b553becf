//! What the app holds while it runs: the open store, or why it could not be opened.

use std::sync::{Mutex, MutexGuard};

use nabij_crdt::store::Store;

use crate::ipc::{ErrorCode, IpcError};

/// The app's state, managed by Tauri.
pub struct AppState {
    store: Result<Mutex<Store>, IpcError>,
}

impl AppState {
    /// Open the store in the configured data directory. A failure is kept and reported by every
    /// command, so the window still opens and tells the user what is wrong.
    pub fn open() -> Self {
        let store = nabij_crdt::location::data_dir()
            .map_err(|e| IpcError::new(ErrorCode::StoreUnavailable, e))
            .and_then(|dir| Store::open(&dir).map_err(IpcError::from))
            .map(Mutex::new);
        Self { store }
    }

    /// The open store, or the error that kept it closed.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, IpcError> {
        match &self.store {
            Ok(store) => store
                .lock()
                .map_err(|_| IpcError::new(ErrorCode::Internal, "store lock poisoned")),
            Err(error) => Err(error.clone()),
        }
    }
}

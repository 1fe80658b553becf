//! What the app holds while it runs: the open store, or why it could not be opened.

use std::sync::{Mutex, MutexGuard};

use nabij_crdt::store::profile::Profile;
use nabij_crdt::store::{KeySource, Store};

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
            .and_then(|dir| Store::open(&dir, &key_source(&dir)).map_err(IpcError::from))
            .map(Mutex::new);
        Self { store }
    }

    /// The open store, or the error that kept it closed.
    ///
    /// (Callers hold the guard only for one command.)
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, IpcError> {
        match &self.store {
            Ok(store) => store
                .lock()
                .map_err(|_| IpcError::new(ErrorCode::Internal, "store lock poisoned")),
            Err(error) => Err(error.clone()),
        }
    }
}

impl AppState {
    /// Run `f` with the store and this device's profile; `no_profile` when there is none yet.
    pub fn with_profile<T>(
        &self,
        f: impl FnOnce(&mut Store, &Profile) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let mut store = self.store()?;
        let profile = store
            .profile()?
            .ok_or_else(|| IpcError::new(ErrorCode::NoProfile, "this device has no profile yet"))?;
        f(&mut store, &profile)
    }
}

/// Environment variable naming a key file to use instead of the OS keyring (headless use).
pub const KEY_FILE_VAR: &str = "NABIJ_KEY_FILE";

/// Where the database key is kept: the OS keyring, unless `NABIJ_KEY_FILE` names a key file.
fn key_source(data_dir: &std::path::Path) -> KeySource {
    match std::env::var_os(KEY_FILE_VAR) {
        Some(path) if !path.is_empty() => KeySource::File(path.into()),
        _ => KeySource::keyring_for(data_dir),
    }
}

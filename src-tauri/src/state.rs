//! What the app holds while it runs: the open store (shared with the sync node), or why it
//! could not be opened, and the sync node once it runs.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use nabij_crdt::store::profile::Profile;
use nabij_crdt::store::{KeySource, Store};
use nabij_crdt::transport::Node;
use nabij_crdt::transport::node::{Notifier, SharedStore};

use crate::ipc::{ErrorCode, IpcError};

/// The app's state, managed by Tauri.
pub struct AppState {
    store: Result<SharedStore, IpcError>,
    node: OnceLock<Node>,
    notifier: OnceLock<Notifier>,
    /// Why sync is not running, when it is not.
    sync_error: Mutex<Option<IpcError>>,
}

/// The store, locked for one command. When it is let go, the documents the command changed are
/// handed to the sync node, which pushes them to the team.
pub struct StoreGuard<'a> {
    guard: MutexGuard<'a, Store>,
    notifier: Option<&'a Notifier>,
}

impl Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.guard
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.guard
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        match self.guard.take_changed() {
            Ok(ids) => {
                if let Some(notifier) = self.notifier {
                    notifier.changed(ids);
                }
            }
            Err(e) => eprintln!("nabij: cannot list changed documents: {e}"),
        }
    }
}

impl AppState {
    /// Open the store in the configured data directory. A failure is kept and reported by every
    /// command, so the window still opens and tells the user what is wrong.
    pub fn open() -> Self {
        let store = nabij_crdt::location::data_dir()
            .map_err(|e| IpcError::new(ErrorCode::StoreUnavailable, e))
            .and_then(|dir| Store::open(&dir, &key_source(&dir)).map_err(IpcError::from))
            .map(|mut store| {
                // Every change written here is signed with this device's key. Without it
                // (no keyring) the store still opens to show what it holds; writing then
                // fails with a clear error.
                let dir = store.data_dir().to_path_buf();
                match nabij_crdt::transport::key::from_source(&device_key_source(&dir)) {
                    Ok(key) => {
                        if let Err(e) = store.set_device_key(key) {
                            eprintln!("nabij: the device key does not fit this store: {e}");
                        }
                    }
                    Err(e) => eprintln!("nabij: no device key: {e}"),
                }
                Arc::new(Mutex::new(store))
            });
        Self {
            store,
            node: OnceLock::new(),
            notifier: OnceLock::new(),
            sync_error: Mutex::new(None),
        }
    }

    /// The shared store (for starting the sync node).
    pub fn shared_store(&self) -> Result<SharedStore, IpcError> {
        self.store.clone()
    }

    /// The sync node started; from now on changes are pushed.
    pub fn set_node(&self, node: Node) {
        let _ = self.notifier.set(node.notifier());
        let _ = self.node.set(node);
    }

    /// Sync could not start: remember why.
    pub fn set_sync_error(&self, error: IpcError) {
        if let Ok(mut slot) = self.sync_error.lock() {
            *slot = Some(error);
        }
    }

    /// The running sync node, or why there is none.
    pub fn node(&self) -> Result<&Node, IpcError> {
        if let Some(node) = self.node.get() {
            return Ok(node);
        }
        let why = self.sync_error.lock().ok().and_then(|e| e.clone());
        Err(why.unwrap_or_else(|| IpcError::new(ErrorCode::SyncUnavailable, "sync is starting")))
    }

    /// The open store, or the error that kept it closed.
    ///
    /// (Callers hold the guard only for one command.)
    pub fn store(&self) -> Result<StoreGuard<'_>, IpcError> {
        match &self.store {
            Ok(store) => Ok(StoreGuard {
                guard: store
                    .lock()
                    .map_err(|_| IpcError::new(ErrorCode::Internal, "store lock poisoned"))?,
                notifier: self.notifier.get(),
            }),
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

/// Where the device key is kept: the OS keyring, or `<key file>.device` next to the database
/// key file when `NABIJ_KEY_FILE` is set.
pub fn device_key_source(data_dir: &std::path::Path) -> KeySource {
    match std::env::var_os(KEY_FILE_VAR) {
        Some(path) if !path.is_empty() => {
            let mut path = std::path::PathBuf::from(path).into_os_string();
            path.push(".device");
            KeySource::File(path.into())
        }
        _ => KeySource::device_keyring_for(data_dir),
    }
}

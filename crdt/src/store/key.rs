//! Where the database key comes from. The store is encrypted with SQLCipher using a raw 256-bit
//! key (no passphrase derivation on every open). The key is made once, when a store is created,
//! and kept in the OS keyring (the app) or in a key file (headless peers, tests, benchmarks).
//!
//! A store that exists but whose key is missing is an error, never a reason to make a new key:
//! that would put a new empty database over the old one.

use std::path::PathBuf;

/// Why no key could be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The store exists but its key is not where it should be.
    #[error("the key for this store is missing from {place}; the store was left untouched")]
    Missing {
        /// Where the key was looked for.
        place: String,
    },
    /// No OS keyring (Secret Service) is reachable in this session.
    #[error("no OS keyring is available (is a Secret Service running in this session?)")]
    NoKeyring,
    /// The keyring is locked or refused access.
    #[error("the OS keyring refused access (is it locked?): {0}")]
    KeyringLocked(String),
    /// Any other keyring failure.
    #[error("OS keyring: {0}")]
    Keyring(String),
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    File {
        /// The key file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The stored key is not 64 hex digits.
    #[error("the stored key in {place} is malformed")]
    Malformed {
        /// Where the key was read.
        place: String,
    },
}

/// A 256-bit database key.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(..)")
    }
}

impl DatabaseKey {
    /// A new random key.
    pub fn random() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| KeyError::Keyring(format!("no randomness: {e}")))?;
        Ok(Self(bytes))
    }

    /// The key's bytes.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parse 64 hex digits.
    pub fn from_hex(text: &str, place: &str) -> Result<Self, KeyError> {
        let malformed = || KeyError::Malformed {
            place: place.to_string(),
        };
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return Err(malformed());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| malformed())?;
        }
        Ok(Self(bytes))
    }
}

/// Where a store's key is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The OS keyring (Secret Service on Linux), under this service and account.
    Keyring {
        /// Keyring service name.
        service: String,
        /// Keyring account (Nabij uses the data directory, so each store has its own key).
        account: String,
    },
    /// A file holding the key as 64 hex digits (created with mode 0600 if missing).
    File(PathBuf),
    /// No encryption: only for measuring the cost of encryption in benchmarks.
    Unencrypted,
}

impl KeySource {
    /// The app's key for the store in `data_dir`: the OS keyring.
    pub fn keyring_for(data_dir: &std::path::Path) -> Self {
        KeySource::Keyring {
            service: "nabij".into(),
            account: data_dir.display().to_string(),
        }
    }

    /// The app's device key (its sync identity) for the store in `data_dir`: the OS keyring,
    /// under a service of its own.
    pub fn device_keyring_for(data_dir: &std::path::Path) -> Self {
        KeySource::Keyring {
            service: "nabij-device".into(),
            account: data_dir.display().to_string(),
        }
    }

    /// The key, creating one only when `create` is set (the store does not exist yet).
    pub(crate) fn obtain(&self, create: bool) -> Result<Option<DatabaseKey>, KeyError> {
        match self {
            KeySource::Unencrypted => Ok(None),
            KeySource::File(path) => from_file(path, create).map(Some),
            KeySource::Keyring { service, account } => {
                from_keyring(service, account, create).map(Some)
            }
        }
    }
}

fn from_file(path: &PathBuf, create: bool) -> Result<DatabaseKey, KeyError> {
    let place = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => DatabaseKey::from_hex(&text, &place),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = DatabaseKey::random()?;
            write_private(path, &key.to_hex()).map_err(|source| KeyError::File {
                path: path.clone(),
                source,
            })?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(KeyError::Missing { place }),
        Err(source) => Err(KeyError::File {
            path: path.clone(),
            source,
        }),
    }
}

fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn keyring_error(error: keyring_core::Error) -> KeyError {
    match error {
        keyring_core::Error::NoDefaultStore => KeyError::NoKeyring,
        keyring_core::Error::NoStorageAccess(e) => KeyError::KeyringLocked(e.to_string()),
        other => KeyError::Keyring(other.to_string()),
    }
}

fn from_keyring(service: &str, account: &str, create: bool) -> Result<DatabaseKey, KeyError> {
    // Install the platform's keyring unless one (e.g. a test's mock) is set already.
    if keyring_core::get_default_store().is_none()
        && let Err(e) = keyring::Entry::store_status()
    {
        return Err(match e {
            keyring_core::Error::NoDefaultStore => KeyError::NoKeyring,
            other => KeyError::Keyring(other.to_string()),
        });
    }
    let entry = keyring_core::Entry::new(service, account).map_err(keyring_error)?;
    let place = format!("the OS keyring ({service} / {account})");
    match entry.get_password() {
        Ok(text) => DatabaseKey::from_hex(&text, &place),
        Err(keyring_core::Error::NoEntry) if create => {
            let key = DatabaseKey::random()?;
            entry.set_password(&key.to_hex()).map_err(keyring_error)?;
            Ok(key)
        }
        Err(keyring_core::Error::NoEntry) => Err(KeyError::Missing { place }),
        Err(e) => Err(keyring_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_then_reused_and_never_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.key");
        let source = KeySource::File(path.clone());
        assert!(matches!(
            source.obtain(false),
            Err(KeyError::Missing { .. })
        ));
        let made = source.obtain(true).unwrap().unwrap();
        assert_eq!(source.obtain(false).unwrap().unwrap(), made);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::write(&path, "not hex").unwrap();
        assert!(matches!(
            source.obtain(false),
            Err(KeyError::Malformed { .. })
        ));
    }

    #[test]
    fn keyring_key_round_trips_through_a_mock_keyring() {
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        let source = KeySource::Keyring {
            service: "nabij-test".into(),
            account: "a".into(),
        };
        assert!(matches!(
            source.obtain(false),
            Err(KeyError::Missing { .. })
        ));
        let made = source.obtain(true).unwrap().unwrap();
        assert_eq!(source.obtain(false).unwrap().unwrap(), made);
    }

    #[test]
    fn hex_round_trip() {
        let key = DatabaseKey::random().unwrap();
        assert_eq!(DatabaseKey::from_hex(&key.to_hex(), "x").unwrap(), key);
    }
}

//! The device key file: 64 hex digits of an Ed25519 secret key, mode 0600, created on first
//! use. The key's public half is the device's [`DeviceId`] and its iroh endpoint id.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use iroh::SecretKey;

use super::TransportError;
use crate::id::DeviceId;

/// The device of a secret key.
pub fn device_of(key: &SecretKey) -> DeviceId {
    DeviceId::from_bytes(*key.public().as_bytes())
}

/// The device an iroh endpoint id names.
pub fn device_of_endpoint(id: &iroh::EndpointId) -> DeviceId {
    DeviceId::from_bytes(*id.as_bytes())
}

/// The iroh endpoint id of a device (fails for bytes that are not a valid public key).
pub fn endpoint_of(device: &DeviceId) -> Result<iroh::EndpointId, TransportError> {
    iroh::PublicKey::from_bytes(device.as_bytes())
        .map_err(|e| TransportError::Address(format!("device {device}: {e}")))
}

/// The device key kept in `source` (the OS keyring for the app), made on first use. An
/// unencrypted source has no place to keep a key and is refused.
pub fn from_source(
    source: &crate::store::KeySource,
) -> Result<SecretKey, crate::store::key::KeyError> {
    match source.obtain(true)? {
        Some(key) => Ok(SecretKey::from_bytes(key.bytes())),
        None => Err(crate::store::key::KeyError::Missing {
            place: "an unencrypted store".into(),
        }),
    }
}

/// A new random secret key.
pub fn generate() -> Result<SecretKey, TransportError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TransportError::KeyFile {
        path: String::new(),
        detail: format!("no randomness: {e}"),
    })?;
    Ok(SecretKey::from_bytes(&bytes))
}

fn hex(bytes: &[u8; 32]) -> String {
    // A DeviceId prints 32 bytes as 64 hex digits.
    DeviceId::from_bytes(*bytes).to_string()
}

/// Read the secret key in `path`, or create the file (mode 0600) with a new key. A file that
/// others may read, or that does not hold 64 hex digits, is refused.
pub fn load_or_create(path: &Path) -> Result<SecretKey, TransportError> {
    let fail = |detail: String| TransportError::KeyFile {
        path: path.display().to_string(),
        detail,
    };
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            let key = generate()?;
            writeln!(file, "{}", hex(&key.to_bytes())).map_err(|e| fail(e.to_string()))?;
            file.sync_all().map_err(|e| fail(e.to_string()))?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let mode = std::fs::metadata(path)
                .map_err(|e| fail(e.to_string()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(fail(format!(
                    "mode {:o} lets others read it (expected 600)",
                    mode & 0o777
                )));
            }
            let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
            let bytes = DeviceId::parse(text.trim())
                .map_err(|_| fail("does not hold 64 hex digits".into()))?;
            Ok(SecretKey::from_bytes(bytes.as_bytes()))
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.key");
        let key = load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = load_or_create(&path).unwrap();
        assert_eq!(device_of(&key), device_of(&again));
        assert_eq!(
            device_of_endpoint(&endpoint_of(&device_of(&key)).unwrap()),
            device_of(&key)
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load_or_create(&path).is_err());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "nonsense").unwrap();
        assert!(load_or_create(&path).is_err());
    }
}

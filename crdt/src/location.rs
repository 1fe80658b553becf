//! Where a device keeps its data.
//!
//! The data directory is `NABIJ_DATA_DIR` when that variable is set and not empty, otherwise the
//! per-user data directory of the platform (on Linux `$XDG_DATA_HOME/nabij`, usually
//! `~/.local/share/nabij`).

use std::path::PathBuf;

/// The environment variable that points Nabij at another data directory.
pub const DATA_DIR_VAR: &str = "NABIJ_DATA_DIR";

/// Why no data directory could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum LocationError {
    /// Neither `NABIJ_DATA_DIR` nor a home directory is known.
    #[error("no data directory: set {DATA_DIR_VAR} or HOME")]
    NoHome,
}

/// The data directory this process should use.
pub fn data_dir() -> Result<PathBuf, LocationError> {
    data_dir_from(std::env::var_os(DATA_DIR_VAR).map(PathBuf::from))
}

/// The data directory for an explicit override (`None` or empty: the per-user default).
pub fn data_dir_from(override_dir: Option<PathBuf>) -> Result<PathBuf, LocationError> {
    match override_dir {
        Some(dir) if !dir.as_os_str().is_empty() => Ok(dir),
        _ => directories::ProjectDirs::from("be", "Nabij", "Nabij")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or(LocationError::NoHome),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_and_empty_override_falls_back() {
        let chosen = data_dir_from(Some(PathBuf::from("/tmp/elders"))).unwrap();
        assert_eq!(chosen, PathBuf::from("/tmp/elders"));
        let fallback = data_dir_from(Some(PathBuf::new())).unwrap();
        assert!(
            fallback.ends_with("nabij"),
            "per-user default, got {fallback:?}"
        );
    }
}

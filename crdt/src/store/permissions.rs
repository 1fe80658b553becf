//! Who may read the data directory: its owner only. The directory is made (or tightened to)
//! mode 0700, and the lock file, the database and SQLite's `-wal` and `-shm` files beside it
//! mode 0600. SQLite makes its `-wal` and `-shm` files with the database file's mode, so the
//! database file is created 0600 before SQLite opens it; files left wider by an older Nabij are
//! tightened at every open.

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the data directory.
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file Nabij keeps in the data directory.
pub const FILE_MODE: u32 = 0o600;

/// Make `dir` (and missing parents) with mode 0700, or tighten it to 0700 if it exists.
pub(super) fn private_dir(dir: &Path) -> std::io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    tighten(dir, DIR_MODE)
}

/// Create `path` empty with mode 0600 if it does not exist (so that SQLite, which gives its
/// `-wal` and `-shm` files the database's mode, makes those 0600 too).
pub(super) fn private_file(path: &Path) -> std::io::Result<()> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(FILE_MODE)
        .open(path)?;
    tighten(path, FILE_MODE)
}

/// Tighten every file in `paths` that exists to mode 0600.
pub(super) fn tighten_files(paths: &[&Path]) -> std::io::Result<()> {
    for path in paths {
        if path.exists() {
            tighten(path, FILE_MODE)?;
        }
    }
    Ok(())
}

/// Set `path`'s permission bits to `mode` when they allow more.
fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
    }
    Ok(())
}

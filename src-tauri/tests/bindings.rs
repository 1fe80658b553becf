//! The checked-in TypeScript bindings must be what tauri-specta generates from the commands.
//! Run with `NABIJ_WRITE_BINDINGS=1` to rewrite `ui/src/lib/bindings.ts`.

use std::path::PathBuf;

#[test]
fn checked_in_bindings_are_current() {
    let checked_in = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    let scratch = tempfile::tempdir().unwrap();
    let fresh = scratch.path().join("bindings.ts");
    nabij_app::specta_builder()
        .export(nabij_app::typescript(), &fresh)
        .unwrap();
    let fresh = std::fs::read_to_string(&fresh).unwrap();
    if std::env::var_os("NABIJ_WRITE_BINDINGS").is_some() {
        std::fs::write(&checked_in, &fresh).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
    assert!(
        current == fresh,
        "ui/src/lib/bindings.ts is stale: run `NABIJ_WRITE_BINDINGS=1 cargo test -p nabij-app \
         --test bindings` and commit the result"
    );
}

# Sourced by the scripts: one target directory outside the clone, reused when it exists (a fresh
# machine simply builds it). Override with CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/nabij/target}"
mkdir -p "$CARGO_TARGET_DIR"

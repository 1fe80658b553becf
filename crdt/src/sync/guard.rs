//! Checks on an Automerge sync message from a peer, before Automerge acts on it.
//!
//! Automerge 0.12 trusts its sync input in places: a Bloom filter in a `Have` with entries but
//! zero bits divides by zero when probed (`sync/bloom.rs`, `get_probes`), and one with
//! `num_probes = u32::MAX` allocates 16 GiB for the probe list. [`check`] decodes the message
//! inside a panic guard and refuses such filters (and oversized lists) before the message reaches
//! a document. [`contain`] runs the document call itself inside a panic guard, so whatever panic
//! is left becomes an error that ends that peer's session, never the process.

use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::sync::Message;

use super::message::MAX_SYNC_BYTES;

/// Most heads a sync message may name.
pub const MAX_HEADS: usize = 1024;
/// Most hashes a sync message may ask for.
pub const MAX_NEED: usize = 65_536;
/// Most `Have` entries (Automerge sends zero or one; only the first one's `last_sync` is checked
/// by Automerge against the document, so more are refused).
pub const MAX_HAVE: usize = 1;
/// Most hashes in a `Have`'s `last_sync`.
pub const MAX_LAST_SYNC: usize = 1024;
/// Most probes per hash in a Bloom filter (Automerge uses 7).
pub const MAX_BLOOM_PROBES: u64 = 32;
/// Most bits per entry in a Bloom filter (Automerge uses 10).
pub const MAX_BLOOM_BITS_PER_ENTRY: u64 = 64;
/// Most change chunks in one message.
pub const MAX_CHANGE_CHUNKS: usize = 100_000;

/// Why a sync message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    /// The bytes are not a sync message.
    #[error("malformed sync message: {0}")]
    Malformed(String),
    /// A limit is exceeded or a field would make Automerge panic or over-allocate.
    #[error("unsafe sync message: {0}")]
    Unsafe(String),
    /// Automerge panicked or failed on the message.
    #[error("automerge failed on a sync message: {0}")]
    Failed(String),
}

/// Decode and check a sync message from a peer.
pub fn check(bytes: &[u8]) -> Result<Message, GuardError> {
    if bytes.len() > MAX_SYNC_BYTES {
        return Err(GuardError::Unsafe(format!("{} bytes", bytes.len())));
    }
    let message = match catch_unwind(|| Message::decode(bytes)) {
        Ok(Ok(message)) => message,
        Ok(Err(e)) => return Err(GuardError::Malformed(e.to_string())),
        Err(_) => return Err(GuardError::Malformed("decoder panicked".into())),
    };
    let unsafe_ = |what: String| Err(GuardError::Unsafe(what));
    if message.heads.len() > MAX_HEADS {
        return unsafe_(format!("{} heads", message.heads.len()));
    }
    if message.need.len() > MAX_NEED {
        return unsafe_(format!("{} needed hashes", message.need.len()));
    }
    if message.have.len() > MAX_HAVE {
        return unsafe_(format!("{} have entries", message.have.len()));
    }
    for have in &message.have {
        if have.last_sync.len() > MAX_LAST_SYNC {
            return unsafe_(format!("{} last_sync hashes", have.last_sync.len()));
        }
        check_bloom(&have.bloom.to_bytes())?;
    }
    if message.changes.len() > MAX_CHANGE_CHUNKS {
        return unsafe_(format!("{} change chunks", message.changes.len()));
    }
    let total: usize = message.changes.iter().map(<[u8]>::len).sum();
    if total > MAX_SYNC_BYTES {
        return unsafe_(format!("{total} bytes of changes"));
    }
    Ok(message)
}

/// Check a Bloom filter's encoding (`sync/bloom.rs`: empty, or LEB128 `num_entries`,
/// `num_bits_per_entry`, `num_probes`, then `ceil(num_entries * bits_per_entry / 8)` bytes).
/// An empty filter, or one with zero entries, is never probed; any other must have bits to
/// probe and a bounded number of probes.
pub fn check_bloom(bytes: &[u8]) -> Result<(), GuardError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut rest = bytes;
    let num_entries = leb128(&mut rest)?;
    let bits_per_entry = leb128(&mut rest)?;
    let num_probes = leb128(&mut rest)?;
    if num_entries == 0 {
        return Ok(());
    }
    if !(1..=MAX_BLOOM_PROBES).contains(&num_probes) {
        return Err(GuardError::Unsafe(format!(
            "bloom filter with {num_probes} probes"
        )));
    }
    if !(1..=MAX_BLOOM_BITS_PER_ENTRY).contains(&bits_per_entry) {
        return Err(GuardError::Unsafe(format!(
            "bloom filter with {bits_per_entry} bits per entry"
        )));
    }
    if rest.is_empty() {
        return Err(GuardError::Unsafe("bloom filter without bits".into()));
    }
    // `8 * bits.len()` is computed as u32 by Automerge.
    if rest.len() > (u32::MAX / 8) as usize {
        return Err(GuardError::Unsafe("bloom filter too large".into()));
    }
    Ok(())
}

/// Read one unsigned LEB128 number of at most 64 bits.
fn leb128(bytes: &mut &[u8]) -> Result<u64, GuardError> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let Some((&byte, rest)) = bytes.split_first() else {
            return Err(GuardError::Malformed("bloom filter is truncated".into()));
        };
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(GuardError::Malformed("bloom filter number too long".into()))
}

/// Run a document call on a peer's input; a panic or an Automerge error becomes an error.
pub fn contain<T>(
    f: impl FnOnce() -> Result<T, automerge::AutomergeError>,
) -> Result<T, GuardError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(GuardError::Failed(e.to_string())),
        Err(_) => Err(GuardError::Failed("automerge panicked".into())),
    }
}

/// An encoded sync message whose single `Have` carries the Bloom filter `bloom` (raw filter
/// bytes): for tests of hostile peers.
pub fn message_with_bloom(bloom: &[u8]) -> Vec<u8> {
    // V1 message: type, heads (0), need (0), have (1: last_sync (0), bloom), changes (0).
    let mut out = vec![0x42, 0, 0, 1, 0];
    let mut len = bloom.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(bloom);
    out.push(0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;

    #[test]
    fn honest_messages_pass() {
        let mut doc = automerge::AutoCommit::new();
        doc.put(automerge::ROOT, "k", "v").unwrap();
        let mut state = automerge::sync::State::new();
        let message = doc.sync().generate_sync_message(&mut state).unwrap();
        let checked = check(&message.clone().encode()).unwrap();
        assert_eq!(checked, message);
    }

    #[test]
    fn zero_bit_bloom_filter_is_refused() {
        // 3 entries, 0 bits per entry, 7 probes, no bits: Automerge would divide by zero.
        let bytes = message_with_bloom(&[3, 0, 7]);
        assert!(
            matches!(check(&bytes), Err(GuardError::Unsafe(_))),
            "{bytes:?}"
        );
    }

    #[test]
    fn huge_probe_count_is_refused() {
        // num_probes = u32::MAX: Automerge would allocate 16 GiB.
        let bytes = message_with_bloom(&[1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff]);
        assert!(matches!(check(&bytes), Err(GuardError::Unsafe(_))));
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        assert!(check(b"").is_err());
        assert!(check(&[0x42]).is_err());
        assert!(check(&[0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        let mut doc = automerge::AutoCommit::new();
        doc.put(automerge::ROOT, "k", "v").unwrap();
        let mut state = automerge::sync::State::new();
        let bytes = doc
            .sync()
            .generate_sync_message(&mut state)
            .unwrap()
            .encode();
        for cut in 0..bytes.len() {
            let _ = check(&bytes[..cut]);
        }
    }

    #[test]
    fn contain_turns_a_panic_into_an_error() {
        let result: Result<(), _> = contain(|| panic!("boom"));
        assert!(matches!(result, Err(GuardError::Failed(_))));
    }
}

//! Changes that wait for their dependencies. Automerge itself would queue such a change inside
//! the document, and then save it, compact it and send it on with the document, where it
//! breaks every later load ("duplicate seq", "document sent whole is incomplete"). Nabij never
//! lets a document hold one: [`split`] hands a document only the changes whose dependencies it
//! holds, and the rest wait here, per peer and per document, bounded ([`MAX_WAITING_CHANGES`] per
//! document, [`MAX_WAITING_BYTES`] per peer), and are dropped when the peer's session ends. Their
//! missing dependencies are asked for in the next sync message ([`Waiting::missing`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::{AutoCommit, ChangeHash};

use super::signing::SignedChange;

/// Most changes waiting for one document from one peer.
pub const MAX_WAITING_CHANGES: usize = 4096;
/// Most bytes of changes waiting from one peer, over all documents.
pub const MAX_WAITING_BYTES: usize = 16 * 1024 * 1024;

/// Split `changes` into those `doc` can take now, in an order that puts every change after its
/// dependencies, and those that wait for a dependency `doc` lacks. Changes `doc` already holds
/// (or listed twice) are dropped.
pub fn split(
    doc: &mut AutoCommit,
    changes: Vec<SignedChange>,
) -> (Vec<SignedChange>, Vec<SignedChange>) {
    let mut by_hash: HashMap<ChangeHash, SignedChange> = HashMap::new();
    let mut order = Vec::new();
    for change in changes {
        let hash = change.change.hash();
        if doc.get_change_meta_by_hash(&hash).is_some() || by_hash.contains_key(&hash) {
            continue;
        }
        order.push(hash);
        by_hash.insert(hash, change);
    }
    // Kahn's algorithm: a change is ready once each dependency is in `doc` or ready.
    let mut unresolved: HashMap<ChangeHash, usize> = HashMap::new();
    let mut dependents: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
    let mut blocked: HashSet<ChangeHash> = HashSet::new();
    let mut queue = Vec::new();
    for hash in &order {
        let Some(change) = by_hash.get(hash) else {
            continue;
        };
        let mut count = 0;
        for dep in change.change.deps() {
            if by_hash.contains_key(dep) {
                count += 1;
                dependents.entry(*dep).or_default().push(*hash);
            } else if doc.get_change_meta_by_hash(dep).is_none() {
                blocked.insert(*hash);
            }
        }
        if count == 0 && !blocked.contains(hash) {
            queue.push(*hash);
        }
        unresolved.insert(*hash, count);
    }
    let mut ready = Vec::new();
    let mut next = 0;
    while next < queue.len() {
        let hash = queue[next];
        next += 1;
        for dependent in dependents.get(&hash).into_iter().flatten() {
            if let Some(count) = unresolved.get_mut(dependent) {
                *count -= 1;
                if *count == 0 && !blocked.contains(dependent) {
                    queue.push(*dependent);
                }
            }
        }
    }
    for hash in &queue {
        if let Some(change) = by_hash.remove(hash) {
            ready.push(change);
        }
    }
    let waiting = order
        .iter()
        .filter_map(|hash| by_hash.remove(hash))
        .collect();
    (ready, waiting)
}

/// Why waiting changes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitingError {
    /// Too many changes wait for one document.
    #[error("{0} changes wait for their dependencies in document {1}")]
    TooMany(usize, String),
    /// Too many bytes of changes wait from this peer.
    #[error("{0} bytes of changes wait for their dependencies")]
    TooLarge(usize),
}

/// The changes from one peer that wait for dependencies, per document.
#[derive(Debug, Default)]
pub struct Waiting {
    docs: BTreeMap<String, Vec<SignedChange>>,
    bytes: usize,
}

impl Waiting {
    /// Take the changes waiting for document `id` (to try them again).
    pub fn take(&mut self, id: &str) -> Vec<SignedChange> {
        let taken = self.docs.remove(id).unwrap_or_default();
        self.bytes -= taken.iter().map(SignedChange::size).sum::<usize>();
        taken
    }

    /// Keep `changes` waiting for document `id`, within the bounds; over them, nothing is kept
    /// for `id` and the peer is at fault.
    pub fn put(&mut self, id: &str, changes: Vec<SignedChange>) -> Result<(), WaitingError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut all = self.take(id);
        all.extend(changes);
        let size: usize = all.iter().map(SignedChange::size).sum();
        if all.len() > MAX_WAITING_CHANGES {
            return Err(WaitingError::TooMany(all.len(), id.to_string()));
        }
        if self.bytes + size > MAX_WAITING_BYTES {
            return Err(WaitingError::TooLarge(self.bytes + size));
        }
        self.bytes += size;
        self.docs.insert(id.to_string(), all);
        Ok(())
    }

    /// Whether changes wait for document `id`.
    pub fn has(&self, id: &str) -> bool {
        self.docs.contains_key(id)
    }

    /// The dependencies the changes waiting for `id` lack (not among the waiting changes).
    pub fn missing(&self, id: &str) -> Vec<ChangeHash> {
        let Some(changes) = self.docs.get(id) else {
            return Vec::new();
        };
        let held: HashSet<ChangeHash> = changes.iter().map(|c| c.change.hash()).collect();
        let mut out: Vec<ChangeHash> = changes
            .iter()
            .flat_map(|c| c.change.deps().iter().copied())
            .filter(|dep| !held.contains(dep))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Bytes waiting, over all documents.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::Author;
    use crate::id::MemberId;
    use automerge::transaction::Transactable;

    fn signed(author: &Author, doc: &mut AutoCommit, value: i64) -> SignedChange {
        author.begin(doc);
        doc.put(automerge::ROOT, "n", value).unwrap();
        author.commit(doc);
        let change = doc.get_last_local_change().unwrap();
        SignedChange {
            signature: author.sign(&change.hash()),
            change,
        }
    }

    #[test]
    fn only_changes_with_their_dependencies_are_ready_and_the_rest_is_bounded() {
        let author = Author::generate(MemberId::random());
        let mut source = author.new_document();
        let a = signed(&author, &mut source, 1);
        let b = signed(&author, &mut source, 2);
        let c = signed(&author, &mut source, 3);
        // The receiver lacks `a`: `b` and `c` wait, in any order they came.
        let mut target = AutoCommit::new();
        let (ready, waiting) = split(&mut target, vec![c.clone(), b.clone()]);
        assert!(ready.is_empty());
        assert_eq!(waiting.len(), 2);
        let mut pending = Waiting::default();
        pending.put("doc", waiting).unwrap();
        assert_eq!(pending.missing("doc"), vec![a.change.hash()]);
        // `a` arrives: all three are ready, dependencies first.
        let mut again = pending.take("doc");
        again.push(a.clone());
        let (ready, waiting) = split(&mut target, again);
        assert!(waiting.is_empty());
        let hashes: Vec<_> = ready.iter().map(|c| c.change.hash()).collect();
        assert_eq!(
            hashes,
            vec![a.change.hash(), b.change.hash(), c.change.hash()]
        );
        assert_eq!(pending.bytes(), 0);
        target
            .apply_changes(ready.into_iter().map(|c| c.change))
            .unwrap();
        assert!(target.get_missing_deps(&[]).is_empty());
        // Held already: dropped.
        let (ready, waiting) = split(&mut target, vec![b]);
        assert!(ready.is_empty() && waiting.is_empty());
        // Bounds.
        let many: Vec<_> = (0..=MAX_WAITING_CHANGES).map(|_| c.clone()).collect();
        assert!(matches!(
            pending.put("doc", many),
            Err(WaitingError::TooMany(..))
        ));
        assert!(!pending.has("doc"));
    }
}

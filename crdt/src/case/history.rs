//! Corrections keep what they replace: every edit of a journal entry, task, question, consent
//! or person, every removal and every undo is a [`Revision`] in the case document (who, on which
//! device, when, and the earlier values), and a removed item stays in the document with a
//! [`Removal`] beside it (a tombstone: reason, who, when) until the removal is undone.
//!
//! Revisions live in one flat map keyed by revision id, so revisions written on two devices
//! offline both survive the merge; tombstones live in a map keyed by item id, so an item edited
//! on one device while removed on another is both edited and removed after the merge (and comes
//! back edited when the removal is undone). A whole case opened by mistake carries its own
//! tombstone at the root.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::model::Case;

/// The kinds of item a worker can correct (the case's root maps), and the case itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Reconcile, Hydrate)]
pub enum Collection {
    /// A journal entry (`journal`).
    #[autosurgeon(rename = "journal")]
    Journal,
    /// A task (`tasks`).
    #[autosurgeon(rename = "tasks")]
    Tasks,
    /// A question for help (`questions`).
    #[autosurgeon(rename = "questions")]
    Questions,
    /// A consent or disclosure record (`consents`).
    #[autosurgeon(rename = "consents")]
    Consents,
    /// A person in the household (`people`).
    #[autosurgeon(rename = "people")]
    People,
    /// The whole case.
    #[autosurgeon(rename = "case")]
    Case,
}

impl Collection {
    /// The items' collections, in the order the case file shows them.
    pub const ITEMS: [Collection; 5] = [
        Collection::Journal,
        Collection::Questions,
        Collection::Tasks,
        Collection::People,
        Collection::Consents,
    ];

    /// The root map of the case document that holds these items (`case` for the case).
    pub fn root(self) -> &'static str {
        match self {
            Collection::Journal => "journal",
            Collection::Tasks => "tasks",
            Collection::Questions => "questions",
            Collection::Consents => "consents",
            Collection::People => "people",
            Collection::Case => "case",
        }
    }

    /// The collection for a root map's name.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ITEMS.into_iter().find(|c| c.root() == key)
    }

    /// The field name an error about the item itself carries (`entry`, `task`, ...).
    pub fn item_field(self) -> &'static str {
        match self {
            Collection::Journal => "entry",
            Collection::Tasks => "task",
            Collection::Questions => "question",
            Collection::Consents => "consent",
            Collection::People => "person",
            Collection::Case => "case",
        }
    }
}

/// What a revision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum RevisionAction {
    /// Fields were changed; `previous` holds their earlier values.
    #[autosurgeon(rename = "edited")]
    Edited,
    /// The item (or case) was removed, with a reason.
    #[autosurgeon(rename = "removed")]
    Removed,
    /// A removal was undone.
    #[autosurgeon(rename = "restored")]
    Restored,
    /// Concurrent values of a field were settled; `previous` holds the values not chosen.
    #[autosurgeon(rename = "settled")]
    Settled,
}

/// One correction of an item: who made it, where, when, and what was there before.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Revision {
    /// The kind of item.
    pub collection: Collection,
    /// The item id (the case id for the case itself).
    pub item: String,
    /// What was done.
    pub action: RevisionAction,
    /// The member who did it.
    pub by: String,
    /// The device it was done on (its public key, hex).
    pub device: String,
    /// When (ms since epoch).
    pub at: i64,
    /// Earlier values of the changed fields, as text (empty for a field that was empty).
    pub previous: BTreeMap<String, String>,
    /// Why (removals).
    pub reason: Option<String>,
}

/// The tombstone of an item or case removed by mistake.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Removal {
    /// Why it was removed (required).
    pub reason: String,
    /// The member who removed it.
    pub by: String,
    /// The device it was removed on.
    pub device: String,
    /// When (ms since epoch).
    pub at: i64,
}

impl Case {
    /// Whether item `id` is removed (has a tombstone).
    pub fn is_removed(&self, id: &str) -> bool {
        self.removals.contains_key(id)
    }

    /// The tombstone of item `id`, if it is removed.
    pub fn removal(&self, id: &str) -> Option<&Removal> {
        self.removals.get(id)
    }

    /// The revisions of item `id` (or of the case, by its id), oldest first.
    pub fn history(&self, id: &str) -> Vec<&Revision> {
        let mut found: Vec<(&String, &Revision)> = self
            .revisions
            .iter()
            .filter(|(_, r)| r.item == id)
            .collect();
        found.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
        found.into_iter().map(|(_, r)| r).collect()
    }
}

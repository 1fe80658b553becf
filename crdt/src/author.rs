//! Who makes a change: a member of the team, on one of their devices.
//!
//! Every change written to a document carries its author: the Automerge actor id is the device's
//! public key and the change message is the member id. [`change_authors`] reads them back.

use automerge::{ActorId, AutoCommit, transaction::CommitOptions};

use iroh::SecretKey;

use crate::date::now_ms;
use crate::id::{DeviceId, MemberId};
use crate::signature::ChangeSignature;

/// The member and device a change comes from, with the device's secret key: every change an
/// author commits is signed with it (see [`crate::signature`]), so nobody else can write as
/// this author.
#[derive(Clone)]
pub struct Author {
    /// The member (person) making the change.
    pub member: MemberId,
    device: DeviceId,
    key: SecretKey,
}

impl std::fmt::Debug for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Author")
            .field("member", &self.member)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Author {
    fn eq(&self, other: &Self) -> bool {
        self.member == other.member && self.device == other.device
    }
}

impl Eq for Author {}

impl Author {
    /// `member` writing on the device whose secret key is `key`.
    pub fn new(member: MemberId, key: SecretKey) -> Self {
        Self {
            member,
            device: DeviceId::from_bytes(*key.public().as_bytes()),
            key,
        }
    }

    /// `member` on a new device with a random key (tests, seeding).
    pub fn generate(member: MemberId) -> Self {
        Self::new(member, SecretKey::generate())
    }

    /// The device the change is made on (the public half of its key).
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The device's secret key.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// Sign the change `hash`, which this author made.
    pub fn sign(&self, hash: &automerge::ChangeHash) -> ChangeSignature {
        crate::signature::sign(&self.key, hash)
    }

    /// The Automerge actor id of this author's device.
    pub fn actor(&self) -> ActorId {
        ActorId::from(self.device.as_bytes().as_slice())
    }

    /// A new empty document whose changes will be this author's.
    pub fn new_document(&self) -> AutoCommit {
        AutoCommit::new().with_actor(self.actor())
    }

    /// A new document holding `value`, written as one change by this author.
    pub fn create<T: autosurgeon::Reconcile>(
        &self,
        value: &T,
    ) -> Result<AutoCommit, crate::doc::DocError> {
        let mut doc = self.new_document();
        autosurgeon::reconcile(&mut doc, value)?;
        self.commit(&mut doc);
        Ok(doc)
    }

    /// Make the next change of `doc` this author's; call before the first operation (an
    /// Automerge change takes its actor when its first operation is made).
    pub fn begin(&self, doc: &mut AutoCommit) {
        doc.set_actor(self.actor());
    }

    /// Commit the pending operations of `doc` as one change by this author (who must have been
    /// set with [`Author::begin`] or [`Author::new_document`] before the operations). The store
    /// signs the change when it writes it.
    pub fn commit(&self, doc: &mut AutoCommit) {
        doc.commit_with(
            CommitOptions::default()
                .with_message(self.member.as_str())
                .with_time(now_ms() / 1000),
        );
    }

    /// Signatures for every change of `doc` after `since` (which must all be this author's:
    /// a document this author made or edited alone); `None` if one is not.
    pub fn sign_since(
        &self,
        doc: &mut AutoCommit,
        since: &[automerge::ChangeHash],
    ) -> Option<Vec<ChangeSignature>> {
        let actor = self.actor();
        doc.get_changes(since)
            .iter()
            .map(|change| (change.actor_id() == &actor).then(|| self.sign(&change.hash())))
            .collect()
    }
}

/// One change's authorship, as read back from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeAuthor {
    /// The device (from the actor id), if the actor id is a device key.
    pub device: Option<DeviceId>,
    /// The member (from the change message), if it names one.
    pub member: Option<MemberId>,
    /// The change's advisory time, seconds since the epoch.
    pub time: i64,
}

/// The author of every change in `doc`, oldest first.
pub fn change_authors(doc: &mut AutoCommit) -> Vec<ChangeAuthor> {
    doc.get_changes(&[])
        .iter()
        .map(|change| ChangeAuthor {
            device: <[u8; 32]>::try_from(change.actor_id().to_bytes())
                .ok()
                .map(DeviceId::from_bytes),
            member: change.message().and_then(|m| MemberId::parse(m).ok()),
            time: change.timestamp(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{ContactKind, NewCase, NewJournalEntry};
    use crate::id::TeamId;
    use crate::store::{KeySource, Store};

    #[test]
    fn every_change_names_its_member_and_device_even_after_merging() {
        let dir_a = tempfile::tempdir().unwrap();
        let dir_b = tempfile::tempdir().unwrap();
        let an = Author::generate(MemberId::random());
        let bo = Author::generate(MemberId::random());
        let mut a = Store::open(dir_a.path(), &KeySource::Unencrypted).unwrap();
        let mut b = Store::open(dir_b.path(), &KeySource::Unencrypted).unwrap();
        let new = NewCase {
            client_name: "Jan Peeters".into(),
            ..Default::default()
        };
        let id = a.create_case(&an, &TeamId::random(), new).unwrap();
        let kind = crate::doc::DocKind::Case;
        b.merge_document(
            kind,
            id.as_str(),
            &a.export_document(kind, id.as_str()).unwrap(),
        )
        .unwrap();
        let entry = NewJournalEntry {
            date: None,
            kind: ContactKind::Call,
            text: "Telefonisch contact".into(),
            themes: vec![],
        };
        b.edit_case(&bo, &id, |c| c.add_journal_entry(entry))
            .unwrap();
        let bytes = b.export_document(kind, id.as_str()).unwrap();
        a.merge_document(kind, id.as_str(), &bytes).unwrap();

        let mut doc = AutoCommit::load(&a.document_bytes(kind, id.as_str()).unwrap()).unwrap();
        let authors = change_authors(&mut doc);
        assert_eq!(authors.len(), 2);
        assert_eq!(authors[0].device, Some(an.device()));
        assert_eq!(authors[0].member, Some(an.member.clone()));
        assert_eq!(authors[1].device, Some(bo.device()));
        assert_eq!(authors[1].member, Some(bo.member.clone()));
        assert!(authors.iter().all(|c| c.time > 1_700_000_000));
    }
}

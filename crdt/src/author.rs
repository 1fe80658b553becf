//! Who makes a change: a member of the team, on one of their devices.
//!
//! Every change written to a document carries its author: the Automerge actor id is the device's
//! public key and the change message is the member id. [`change_authors`] reads them back.

use automerge::{ActorId, AutoCommit, transaction::CommitOptions};

use crate::date::now_ms;
use crate::id::{DeviceId, MemberId};

/// The member and device a change comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Author {
    /// The member (person) making the change.
    pub member: MemberId,
    /// The device the change is made on.
    pub device: DeviceId,
}

impl Author {
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
    /// set with [`Author::begin`] or [`Author::new_document`] before the operations).
    pub fn commit(&self, doc: &mut AutoCommit) {
        doc.commit_with(
            CommitOptions::default()
                .with_message(self.member.as_str())
                .with_time(now_ms() / 1000),
        );
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
        let an = Author {
            member: MemberId::random(),
            device: DeviceId::random(),
        };
        let bo = Author {
            member: MemberId::random(),
            device: DeviceId::random(),
        };
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
            &a.document_bytes(kind, id.as_str()).unwrap(),
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
        let bytes = b.document_bytes(kind, id.as_str()).unwrap();
        a.merge_document(kind, id.as_str(), &bytes).unwrap();

        let mut doc = AutoCommit::load(&a.document_bytes(kind, id.as_str()).unwrap()).unwrap();
        let authors = change_authors(&mut doc);
        assert_eq!(authors.len(), 2);
        assert_eq!(authors[0].device, Some(an.device));
        assert_eq!(authors[0].member, Some(an.member.clone()));
        assert_eq!(authors[1].device, Some(bo.device));
        assert_eq!(authors[1].member, Some(bo.member.clone()));
        assert!(authors.iter().all(|c| c.time > 1_700_000_000));
    }
}

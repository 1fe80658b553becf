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

    /// Commit the pending operations of `doc` as one change by this author.
    pub fn commit(&self, doc: &mut AutoCommit) {
        doc.set_actor(self.actor());
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

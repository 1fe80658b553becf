//! Who may receive which document (deny by default).
//!
//! - The team document and the intake document go to every device of the team that is not
//!   revoked.
//! - A case goes to the devices whose member is allowed on it (owner or allowed member), and to
//!   the team's always-on peers.
//! - A referral goes to its sender, the members allowed on its case, and the members of the
//!   partner organisation it is sent to (who never get the case itself); see
//!   `crate::kind` for how each kind names its readers.
//! - A device that is not in the team, or is revoked, gets nothing and may send nothing.
//!
//! The same rule holds on receive: a document is accepted from a peer only when that peer may
//! hold it (or is an always-on peer) and this device may hold it too.
//!
//! Always-on peers are the devices the team document marks `always_on`, plus any the operator
//! names ([`Access::new`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::id::DeviceId;

/// A device as the team document lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// The device.
    pub device: DeviceId,
    /// The member using it.
    pub member: String,
    /// Whether it is revoked.
    pub revoked: bool,
    /// Whether the team lists it as an always-on team peer.
    pub always_on: bool,
}

/// Who may read a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readers {
    /// Every current device of the team (team and intake documents).
    Team,
    /// The devices of these members, and always-on peers (cases, referrals).
    Members(BTreeSet<String>),
    /// Nobody but this device: a document stored before changes were signed (its changes carry
    /// no signature a peer could check), never exchanged.
    Local,
}

/// The access view of one device: the team's devices and which of them are always-on peers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    devices: BTreeMap<DeviceId, (String, bool)>,
    always_on: BTreeSet<DeviceId>,
}

impl Access {
    /// The view from the team's device list and the devices it marks always-on, plus the set
    /// `always_on` given by the operator. A device listed twice (several team documents) counts
    /// as revoked if any listing revokes it.
    pub fn new(devices: &[DeviceRecord], always_on: &BTreeSet<DeviceId>) -> Self {
        let mut map: BTreeMap<DeviceId, (String, bool)> = BTreeMap::new();
        let mut always_on = always_on.clone();
        for record in devices {
            if record.always_on {
                always_on.insert(record.device);
            }
            map.entry(record.device)
                .and_modify(|(_, revoked)| *revoked |= record.revoked)
                .or_insert_with(|| (record.member.clone(), record.revoked));
        }
        Self {
            devices: map,
            always_on,
        }
    }

    /// Whether the Automerge actor `actor` is a device the team document lists (revoked or
    /// not: a revoked device's earlier changes stay its own).
    pub fn lists_actor(&self, actor: &automerge::ActorId) -> bool {
        <[u8; 32]>::try_from(actor.to_bytes())
            .is_ok_and(|bytes| self.devices.contains_key(&DeviceId::from_bytes(bytes)))
    }

    /// The member using `device`, if the team lists it (revoked or not).
    pub fn member_of(&self, device: &DeviceId) -> Option<String> {
        self.devices.get(device).map(|(member, _)| member.clone())
    }

    /// Whether `device` is a current (listed, not revoked) device of the team.
    pub fn is_active(&self, device: &DeviceId) -> bool {
        self.devices
            .get(device)
            .is_some_and(|(_, revoked)| !revoked)
    }

    /// Whether `device` is an active always-on team peer.
    pub fn is_always_on(&self, device: &DeviceId) -> bool {
        self.is_active(device) && self.always_on.contains(device)
    }

    /// Whether `device` may hold a document read by `readers`.
    pub fn may_hold(&self, device: &DeviceId, readers: &Readers) -> bool {
        let Some((member, false)) = self.devices.get(device) else {
            return false;
        };
        match readers {
            Readers::Team => true,
            Readers::Members(members) => {
                self.always_on.contains(device) || members.contains(member)
            }
            Readers::Local => false,
        }
    }

    /// Whether a document read by `readers` may pass between `me` and `peer` (in either
    /// direction): both must be allowed to hold it.
    pub fn may_exchange(&self, me: &DeviceId, peer: &DeviceId, readers: &Readers) -> bool {
        self.may_hold(me, readers) && self.may_hold(peer, readers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(device: DeviceId, member: &str, revoked: bool) -> DeviceRecord {
        DeviceRecord {
            device,
            member: member.into(),
            revoked,
            always_on: false,
        }
    }

    #[test]
    fn rules() {
        let (a, b, c, server, stranger) = (
            DeviceId::random(),
            DeviceId::random(),
            DeviceId::random(),
            DeviceId::random(),
            DeviceId::random(),
        );
        let access = Access::new(
            &[
                record(a, "ann", false),
                record(b, "bob", false),
                record(c, "cas", true),
                record(server, "admin", false),
            ],
            &BTreeSet::from([server, stranger]),
        );
        let case = Readers::Members(BTreeSet::from(["ann".to_string()]));
        assert!(access.may_hold(&a, &Readers::Team));
        assert!(access.may_hold(&b, &Readers::Team));
        assert!(!access.may_hold(&c, &Readers::Team), "revoked");
        assert!(
            !access.may_hold(&stranger, &Readers::Team),
            "not in the team"
        );
        assert!(access.may_hold(&a, &case));
        assert!(!access.may_hold(&b, &case));
        assert!(access.may_hold(&server, &case), "always-on");
        assert!(
            !access.may_hold(&stranger, &case),
            "always-on but not in team"
        );
        assert!(access.may_exchange(&a, &server, &case));
        assert!(!access.may_exchange(&a, &b, &case));
        assert!(!access.may_hold(&a, &Readers::Members(BTreeSet::new())));
        // Revoked in one listing is revoked.
        let twice = Access::new(
            &[record(a, "ann", false), record(a, "ann", true)],
            &BTreeSet::new(),
        );
        assert!(!twice.is_active(&a));
    }
}

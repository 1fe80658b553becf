//! Who uses this device: the member, this device's id, the team and the team's intake queue.
//! Kept in `device_setting` (local to the device, never replicated). Nothing that writes to a
//! case can be done before a profile exists.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::author::Author;
use crate::id::{DeviceId, MemberId, TeamId};

/// This device's user and team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The member using this device.
    pub member: MemberId,
    /// This device.
    pub device: DeviceId,
    /// The team (also the team document's id).
    pub team: TeamId,
    /// The team's intake document id.
    pub intake: String,
}

const KEYS: [&str; 4] = [
    "profile.member",
    "profile.device",
    "profile.team",
    "profile.intake",
];

impl Store {
    /// Give the store this device's secret key: every change written from now on is signed
    /// with it. Refused when the store's profile names another device.
    pub fn set_device_key(&mut self, key: iroh::SecretKey) -> Result<(), StoreError> {
        let device = DeviceId::from_bytes(*key.public().as_bytes());
        if let Some(profile) = self.profile()?
            && profile.device != device
        {
            return Err(StoreError::DeviceKey(format!(
                "the key is of device {device}, the profile names {}",
                profile.device
            )));
        }
        self.device_key = Some(key);
        Ok(())
    }

    /// This device's secret key, if it was given (see [`Store::set_device_key`]).
    pub fn device_key(&self) -> Option<&iroh::SecretKey> {
        self.device_key.as_ref()
    }

    /// The device of this store's key.
    pub(crate) fn key_device(&self) -> Result<(iroh::SecretKey, DeviceId), StoreError> {
        let key = self
            .device_key
            .clone()
            .ok_or_else(|| StoreError::DeviceKey("no device key was loaded".into()))?;
        let device = DeviceId::from_bytes(*key.public().as_bytes());
        Ok((key, device))
    }

    /// The author of changes made on this device by `profile`'s member (with the device key,
    /// which must be the profile's device).
    pub fn author(&self, profile: &Profile) -> Result<Author, StoreError> {
        let (key, device) = self.key_device()?;
        if device != profile.device {
            return Err(StoreError::DeviceKey(format!(
                "the key is of device {device}, the profile names {}",
                profile.device
            )));
        }
        Ok(Author::new(profile.member.clone(), key))
    }

    /// The profile of this device, if one was made.
    pub fn profile(&self) -> Result<Option<Profile>, StoreError> {
        let mut values = Vec::with_capacity(KEYS.len());
        for key in KEYS {
            let value: Option<String> = self
                .conn
                .query_row(
                    "SELECT value FROM device_setting WHERE key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?;
            match value {
                Some(value) => values.push(value),
                None => return Ok(None),
            }
        }
        let bad = |what: &str| StoreError::Corrupt {
            id: "profile".into(),
            detail: format!("bad {what}"),
        };
        Ok(Some(Profile {
            member: MemberId::parse(&values[0]).map_err(|_| bad("member"))?,
            device: DeviceId::parse(&values[1]).map_err(|_| bad("device"))?,
            team: TeamId::parse(&values[2]).map_err(|_| bad("team"))?,
            intake: values[3].clone(),
        }))
    }

    /// Remember this device's profile (all fields in one transaction).
    pub fn set_profile(&mut self, profile: &Profile) -> Result<(), StoreError> {
        // A savepoint: the profile may be the last step of a unit of work (first start, join).
        let tx = self.conn.savepoint()?;
        let values = [
            profile.member.to_string(),
            profile.device.to_string(),
            profile.team.to_string(),
            profile.intake.clone(),
        ];
        for (key, value) in KEYS.iter().zip(values) {
            tx.execute(
                "INSERT INTO device_setting (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        self.units.write_point()?;
        tx.commit()?;
        Ok(())
    }

    /// A setting of this device (sync bookkeeping and the like), by key.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM device_setting WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Set (or, with `None`, forget) a setting of this device.
    pub fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            None => {
                self.conn
                    .execute("DELETE FROM device_setting WHERE key = ?1", [key])?;
            }
            Some(value) => {
                self.conn.execute(
                    "INSERT INTO device_setting (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?;
            }
        }
        Ok(())
    }

    /// A saved draft (e.g. a journal entry being typed), by key.
    pub fn draft(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.setting(&format!("draft.{key}"))
    }

    /// Save (or, when empty, forget) a draft so it survives errors and restarts.
    pub fn set_draft(&mut self, key: &str, text: &str) -> Result<(), StoreError> {
        let value = (!text.is_empty()).then_some(text);
        self.set_setting(&format!("draft.{key}"), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::KeySource;

    #[test]
    fn profile_and_drafts_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile {
            member: MemberId::random(),
            device: DeviceId::random(),
            team: TeamId::random(),
            intake: "intake-1".into(),
        };
        {
            let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
            assert_eq!(store.profile().unwrap(), None);
            store.set_profile(&profile).unwrap();
            store
                .set_draft("journal.case-1", "Half getypt verslag")
                .unwrap();
            store.set_draft("journal.case-2", "x").unwrap();
            store.set_draft("journal.case-2", "").unwrap();
        }
        let store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        assert_eq!(store.profile().unwrap(), Some(profile));
        assert_eq!(
            store.draft("journal.case-1").unwrap().as_deref(),
            Some("Half getypt verslag")
        );
        assert_eq!(store.draft("journal.case-2").unwrap(), None);
    }
}

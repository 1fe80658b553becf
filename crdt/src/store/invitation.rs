//! Joining a team by invitation, and leaving it when this device is revoked.
//!
//! - An admin makes an [`Invitation`] for a member ([`Store::create_invitation`]); only a hash
//!   of its one-time secret is kept, in `device_setting` on the admin's device, with an expiry.
//! - The new device presents the secret to that device, which checks it and adds the new device
//!   to the team document ([`Store::redeem_invitation`]) and hands over the team and intake
//!   documents ([`JoinGrant`]). A used invitation admits only the device that used it (so a
//!   lost answer can be asked for again), and no other.
//! - The new device stores what it was given and its profile ([`Store::join_team`]); from then
//!   on ordinary sync brings the rest.
//! - A revoked device wipes the team's data ([`Store::wipe_team`]).

use std::net::SocketAddr;

use automerge::AutoCommit;
use rusqlite::{OptionalExtension, params};

use super::SignedDocument;
use super::profile::Profile;
use super::{Store, StoreError};
use crate::date::now_ms;
use crate::doc::{DocKind, check_header};
use crate::id::{DeviceId, MemberId, TeamId};
use crate::input::{InputError, Problem};
use crate::invite::{Invitation, MAX_ADDRESSES, new_secret};
use crate::team::NewDevice;

/// How long an invitation can be used: three days.
pub const INVITATION_VALID_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// What the admin's device hands a new device it admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinGrant {
    /// The member the new device belongs to.
    pub member: MemberId,
    /// The intake document's id.
    pub intake: String,
    /// The team document, with the signature of each change.
    pub team_doc: SignedDocument,
    /// The intake document, with the signature of each change.
    pub intake_doc: SignedDocument,
}

/// Why an admin's device refuses a join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such invitation here, or it was used by another device.
    #[error("unknown or already used invitation")]
    Unknown,
    /// The invitation has expired.
    #[error("the invitation has expired")]
    Expired,
    /// The device was revoked before and is never readmitted.
    #[error("this device was revoked")]
    Revoked,
}

fn setting_key(secret: &[u8; 16]) -> String {
    format!("invitation.{}", blake3::hash(secret).to_hex())
}

impl Store {
    /// Make an invitation for `member` (admins only), valid for [`INVITATION_VALID_MS`], that
    /// points new devices at this device (`me`) on `addresses` (at most four are kept).
    pub fn create_invitation(
        &mut self,
        me: &Profile,
        member: &MemberId,
        addresses: &[SocketAddr],
    ) -> Result<Invitation, StoreError> {
        let team = self.open_team(&me.team)?;
        if !team.is_admin(me.member.as_str()) {
            return Err(InputError::new("member", Problem::NotAllowedNow).into());
        }
        if !team
            .active_members()
            .any(|(id, _)| id.as_str() == member.as_str())
        {
            return Err(InputError::new("member", Problem::NotFound).into());
        }
        let secret = new_secret().map_err(|e| StoreError::Join(format!("no randomness: {e}")))?;
        let invitation = Invitation {
            team: me.team.clone(),
            admin: me.device,
            addresses: addresses.iter().take(MAX_ADDRESSES).copied().collect(),
            relay: team.settings.relay.clone(),
            secret,
        };
        self.conn.execute(
            "INSERT INTO device_setting (key, value) VALUES (?1, ?2)",
            params![
                setting_key(&secret),
                format!("{member}|{}", now_ms() + INVITATION_VALID_MS)
            ],
        )?;
        Ok(invitation)
    }

    /// A device presents an invitation's secret: admit it for the invitation's member (adding
    /// it to the team document as this device's admin) and hand over the team's documents.
    pub fn redeem_invitation(
        &mut self,
        secret: &[u8; 16],
        device: &DeviceId,
        label: Option<String>,
        addresses: Vec<String>,
    ) -> Result<Result<JoinGrant, Refusal>, StoreError> {
        let me = self
            .profile()?
            .ok_or_else(|| InputError::new("profile", Problem::NotFound))?;
        let key = setting_key(secret);
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM device_setting WHERE key = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()?;
        let Some(value) = value else {
            return Ok(Err(Refusal::Unknown));
        };
        let mut parts = value.split('|');
        let member = parts.next().and_then(|m| MemberId::parse(m).ok());
        let expires = parts.next().and_then(|e| e.parse::<i64>().ok());
        let used_by = parts.next();
        let (Some(member), Some(expires)) = (member, expires) else {
            return Err(StoreError::Join(format!("unreadable invitation {key}")));
        };
        match used_by {
            Some(used) if used != device.to_string() => return Ok(Err(Refusal::Unknown)),
            Some(_) => {}
            None if now_ms() > expires => return Ok(Err(Refusal::Expired)),
            None => {}
        }
        let team = self.open_team(&me.team)?;
        let listed = team.devices.get(&device.to_string());
        if listed.is_some_and(|d| d.revoked_at.is_some()) {
            return Ok(Err(Refusal::Revoked));
        }
        let author = self.author(&me)?;
        // The new device in the team document and the invitation marked used: all or nothing.
        self.all_or_nothing(|store| {
            if listed.is_none() {
                let addresses: Vec<String> = addresses
                    .into_iter()
                    .filter(|a| a.parse::<SocketAddr>().is_ok())
                    .take(crate::invite::MAX_ADDRESSES)
                    .collect();
                store.edit_team(&author, &me.team, |t| {
                    t.add_device_with(
                        &member,
                        device,
                        NewDevice {
                            label,
                            always_on: false,
                            addresses,
                        },
                    )
                })?;
            }
            store.conn.execute(
                "UPDATE device_setting SET value = ?2 WHERE key = ?1",
                params![key, format!("{member}|{expires}|{device}")],
            )?;
            store.units.write_point()
        })?;
        Ok(Ok(JoinGrant {
            member,
            intake: me.intake.clone(),
            team_doc: self.export_document(DocKind::Team, me.team.as_str())?,
            intake_doc: self.export_document(DocKind::Intake, &me.intake)?,
        }))
    }

    /// Store what an admin's device handed over for `invitation` and make this device's profile
    /// (member of the grant, device `device`, whose key the store holds). Refused when this
    /// device already has a profile, when the documents are not the invitation's team listing
    /// this device, or when a change in them is not signed by its author.
    pub fn join_team(
        &mut self,
        invitation: &Invitation,
        grant: JoinGrant,
        device: DeviceId,
    ) -> Result<Profile, StoreError> {
        if self.profile()?.is_some() {
            return Err(InputError::new("team", Problem::NotAllowedNow).into());
        }
        if self.key_device()?.1 != device {
            return Err(StoreError::DeviceKey(format!(
                "joining as {device} without that device's key"
            )));
        }
        let bad = |what: &str| StoreError::Join(format!("the team's answer is not valid: {what}"));
        let load = |bytes: &[u8]| super::document::guarded(|| AutoCommit::load(bytes));
        let team_doc = load(&grant.team_doc.bytes).map_err(|_| bad("team document"))?;
        let intake_doc = load(&grant.intake_doc.bytes).map_err(|_| bad("intake document"))?;
        check_header(&team_doc, DocKind::Team).map_err(|_| bad("team document kind"))?;
        check_header(&intake_doc, DocKind::Intake).map_err(|_| bad("intake document kind"))?;
        let team: crate::team::Team =
            autosurgeon::hydrate(&team_doc).map_err(|_| bad("team document content"))?;
        if team.id != invitation.team.as_str() {
            return Err(bad("another team"));
        }
        let listed = team.devices.get(&device.to_string());
        if !listed.is_some_and(|d| d.member == grant.member.as_str() && d.revoked_at.is_none()) {
            return Err(bad("this device is not listed"));
        }
        let team_id = TeamId::parse(&team.id).map_err(|_| bad("team id"))?;
        // The team's documents and this device's profile: all or nothing.
        self.all_or_nothing(|store| {
            store
                .insert_signed(vec![
                    (
                        DocKind::Team,
                        invitation.team.to_string(),
                        team_doc,
                        grant.team_doc.signatures,
                    ),
                    (
                        DocKind::Intake,
                        grant.intake.clone(),
                        intake_doc,
                        grant.intake_doc.signatures,
                    ),
                ])
                .map_err(|e| bad(&e.to_string()))?;
            let profile = Profile {
                member: grant.member,
                device,
                team: team_id,
                intake: grant.intake,
            };
            store.set_profile(&profile)?;
            Ok(profile)
        })
    }

    /// This device was revoked: erase every document, query table, draft and the profile (the
    /// chosen language stays). Freed pages are overwritten.
    pub fn wipe_team(&mut self) -> Result<(), StoreError> {
        self.cache = super::document::Cache::new(super::document::CACHE_DOCUMENTS);
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let tables: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_text_%'
",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let tx = self.conn.transaction()?;
        for table in &tables {
            if table == "device_setting" {
                tx.execute("DELETE FROM device_setting WHERE key <> 'language'", [])?;
            } else {
                tx.execute(&format!("DELETE FROM \"{table}\""), [])?;
            }
        }
        tx.commit()?;
        self.conn.execute_batch("VACUUM;")?;
        Ok(())
    }
}

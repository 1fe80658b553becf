//! Changing a team: [`create_team`] and the [`TeamEditor`], one validated method per change.
//! Changes to members and devices are for the team's admins only.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};

use super::model::*;
use crate::author::Author;
use crate::date::now_ms;
use crate::doc::{
    DocError, DocKind, SCHEMA_VERSION, get_field, item, put_item, root_map, set_field,
};
use crate::id::{CaseId, DeviceId, ItemId, MemberId, TeamId};
use crate::input::{self, InputError, Problem, SHORT_TEXT};

/// A member to add (also the founder of a new team).
#[derive(Debug, Clone, Default)]
pub struct NewMember {
    /// Full name.
    pub name: String,
    /// Role in the team.
    pub role: String,
    /// The employing organisation, if any.
    pub organisation: Option<String>,
}

/// Fields of a member to change (`None`: leave as is; `Some("")` clears the organisation).
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    /// New name.
    pub name: Option<String>,
    /// New role.
    pub role: Option<String>,
    /// New organisation.
    pub organisation: Option<String>,
    /// Make the member an admin or not.
    pub admin: Option<bool>,
}

/// A device to register.
#[derive(Debug, Clone, Default)]
pub struct NewDevice {
    /// A name for people ("Laptop Sarah").
    pub label: Option<String>,
    /// Whether it is an always-on team peer.
    pub always_on: bool,
    /// Where it listens (`ip:port`), if known.
    pub addresses: Vec<String>,
}

/// At most this many addresses are kept per device.
const MAX_ADDRESSES: usize = 8;

/// Socket addresses (`ip:port`), without repeats, at most [`MAX_ADDRESSES`].
fn addresses(field: &'static str, list: &[String]) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = Vec::new();
    for text in list {
        let addr: std::net::SocketAddr = text
            .trim()
            .parse()
            .map_err(|_| InputError::new(field, Problem::OutOfRange))?;
        let addr = addr.to_string();
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    if out.len() > MAX_ADDRESSES {
        return Err(InputError::new(
            field,
            Problem::TooLong { max: MAX_ADDRESSES },
        ));
    }
    Ok(out)
}

/// A yearly aid envelope to add.
#[derive(Debug, Clone)]
pub struct NewEnvelope {
    /// Theme slug (a theme of the team).
    pub theme: String,
    /// Calendar year (2000..=2199).
    pub year: u16,
    /// Budget in euro cents (> 0).
    pub amount_cents: i64,
}

/// Largest envelope accepted: ten million euro, in cents.
const MAX_ENVELOPE_CENTS: i64 = 1_000_000_000;

/// A theme slug: trimmed, lower case, letters, digits, `_` and `-` only, at most 40 characters.
pub(crate) fn theme_slug(field: &'static str, text: &str) -> Result<String, InputError> {
    let slug = input::required(field, text, 40)?.to_lowercase();
    if !slug
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(InputError::new(field, Problem::OutOfRange));
    }
    Ok(slug)
}

/// Trimmed non-empty texts of at most `max` characters, without repeats, in the given order.
pub(super) fn text_list(
    field: &'static str,
    items: &[String],
    max: usize,
) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for text in items {
        if let Some(text) = input::optional(field, Some(text), max)?
            && !out.contains(&text)
        {
            out.push(text);
        }
    }
    Ok(out)
}

/// Create a team authored by `author`: the founder becomes its first admin (with the author's
/// member id) and the author's device its first device. Returns its id and document.
pub fn create_team(
    author: &Author,
    name: &str,
    founder: NewMember,
) -> Result<(TeamId, AutoCommit), DocError> {
    let name = input::required("name", name, SHORT_TEXT)?;
    let founder = Member {
        name: input::required("founder_name", &founder.name, SHORT_TEXT)?,
        role: input::required("role", &founder.role, SHORT_TEXT)?,
        organisation: input::optional("organisation", founder.organisation.as_deref(), SHORT_TEXT)?,
        partner: None,
        admin: true,
        removed_at: None,
    };
    let id = TeamId::random();
    let now = now_ms();
    let team = Team {
        kind: DocKind::Team.as_str().to_string(),
        schema: SCHEMA_VERSION,
        id: id.to_string(),
        name,
        created_at: now,
        members: BTreeMap::from([(author.member.to_string(), founder)]),
        devices: BTreeMap::from([(
            author.device().to_string(),
            Device {
                member: author.member.to_string(),
                added_by: author.member.to_string(),
                added_at: now,
                revoked_at: None,
                label: None,
                always_on: false,
                addresses: Vec::new(),
            },
        )]),
        partners: BTreeMap::new(),
        themes: DEFAULT_THEMES
            .iter()
            .map(|(slug, label)| (slug.to_string(), label.to_string()))
            .collect(),
        envelopes: BTreeMap::new(),
        settings: Settings {
            retention_years: DEFAULT_RETENTION_YEARS,
            relay: None,
            first_contact_days: None,
        },
        client_index: BTreeMap::new(),
    };
    Ok((id, author.create(&team)?))
}

/// Makes validated changes to the team document; the store commits them as one change by the
/// author (or rolls them back when any step fails).
pub struct TeamEditor<'a> {
    doc: &'a mut AutoCommit,
    author: &'a Author,
}

impl<'a> TeamEditor<'a> {
    /// An editor over `doc` for `author`.
    pub fn new(doc: &'a mut AutoCommit, author: &'a Author) -> Self {
        Self { doc, author }
    }

    fn me(&self) -> String {
        self.author.member.to_string()
    }

    fn members(&self) -> Result<BTreeMap<String, Member>, DocError> {
        Ok(autosurgeon::hydrate_prop(&*self.doc, ROOT, "members")?)
    }

    fn partners(&self) -> Result<BTreeMap<String, Partner>, DocError> {
        Ok(autosurgeon::hydrate_prop(&*self.doc, ROOT, "partners")?)
    }

    fn themes(&self) -> Result<BTreeMap<String, String>, DocError> {
        Ok(autosurgeon::hydrate_prop(&*self.doc, ROOT, "themes")?)
    }

    /// Refuse unless the author is a current admin of the team.
    fn require_admin(&self) -> Result<(), DocError> {
        let admin = self
            .members()?
            .get(self.author.member.as_str())
            .is_some_and(|m| m.admin && m.removed_at.is_none());
        if admin {
            Ok(())
        } else {
            Err(InputError::new("member", Problem::NotAllowedNow).into())
        }
    }

    /// The member `id`, if they are still on the team.
    fn current_member(&self, id: &str) -> Result<Member, DocError> {
        let member = self
            .members()?
            .remove(id)
            .ok_or_else(|| InputError::new("member", Problem::NotFound))?;
        if member.removed_at.is_some() {
            return Err(InputError::new("member", Problem::NotAllowedNow).into());
        }
        Ok(member)
    }

    /// Refuse when `id` is the only current admin.
    fn keep_an_admin(&self, id: &str) -> Result<(), DocError> {
        let others = self
            .members()?
            .iter()
            .any(|(other, m)| other != id && m.admin && m.removed_at.is_none());
        if others {
            Ok(())
        } else {
            Err(InputError::new("admin", Problem::NotAllowedNow).into())
        }
    }

    /// Add a member (admins only); returns the new member's id.
    pub fn add_member(&mut self, new: NewMember, admin: bool) -> Result<MemberId, DocError> {
        self.require_admin()?;
        let member = Member {
            name: input::required("name", &new.name, SHORT_TEXT)?,
            role: input::required("role", &new.role, SHORT_TEXT)?,
            organisation: input::optional("organisation", new.organisation.as_deref(), SHORT_TEXT)?,
            partner: None,
            admin,
            removed_at: None,
        };
        let id = MemberId::random();
        put_item(self.doc, "members", id.as_str(), &member)?;
        Ok(id)
    }

    /// Change a member's name, role, organisation or admin flag (admins only). The team always
    /// keeps at least one admin.
    pub fn update_member(
        &mut self,
        member: &MemberId,
        update: MemberUpdate,
    ) -> Result<(), DocError> {
        self.require_admin()?;
        let id = member.as_str();
        let current = self.current_member(id)?;
        let name = match update.name {
            Some(name) => Some(input::required("name", &name, SHORT_TEXT)?),
            None => None,
        };
        let role = match update.role {
            Some(role) => Some(input::required("role", &role, SHORT_TEXT)?),
            None => None,
        };
        let organisation = match update.organisation {
            Some(org) => Some(input::optional("organisation", Some(&org), SHORT_TEXT)?),
            None => None,
        };
        if update.admin == Some(false) && current.admin {
            self.keep_an_admin(id)?;
        }
        if let Some(name) = name {
            set_field(self.doc, "members", "member", id, "name", name)?;
        }
        if let Some(role) = role {
            set_field(self.doc, "members", "member", id, "role", role)?;
        }
        if let Some(organisation) = organisation {
            set_field(
                self.doc,
                "members",
                "member",
                id,
                "organisation",
                organisation,
            )?;
        }
        if let Some(admin) = update.admin {
            set_field(self.doc, "members", "member", id, "admin", admin)?;
        }
        Ok(())
    }

    /// Remove a member from the team (admins only) and revoke all their devices. The member
    /// stays in the document (their name still signs past work); the last admin cannot go.
    pub fn remove_member(&mut self, member: &MemberId) -> Result<(), DocError> {
        self.require_admin()?;
        let id = member.as_str();
        let current = self.current_member(id)?;
        if current.admin {
            self.keep_an_admin(id)?;
        }
        let now = now_ms();
        set_field(self.doc, "members", "member", id, "removed_at", Some(now))?;
        let devices: BTreeMap<String, Device> =
            autosurgeon::hydrate_prop(&*self.doc, ROOT, "devices")?;
        for (device, d) in devices {
            if d.member == id && d.revoked_at.is_none() {
                set_field(
                    self.doc,
                    "devices",
                    "device",
                    &device,
                    "revoked_at",
                    Some(now),
                )?;
            }
        }
        Ok(())
    }

    /// Register a device of a current member (admins only). A device id is registered once:
    /// a revoked device is never readmitted.
    pub fn add_device(&mut self, member: &MemberId, device: &DeviceId) -> Result<(), DocError> {
        self.add_device_with(member, device, NewDevice::default())
    }

    /// Register a device for a member (admins only), with a label, its addresses and whether it
    /// is an always-on team peer.
    pub fn add_device_with(
        &mut self,
        member: &MemberId,
        device: &DeviceId,
        new: NewDevice,
    ) -> Result<(), DocError> {
        self.require_admin()?;
        self.current_member(member.as_str())?;
        let key = device.to_string();
        if item(self.doc, "devices", &key)?.is_some() {
            return Err(InputError::new("device", Problem::NotAllowedNow).into());
        }
        let device = Device {
            member: member.to_string(),
            added_by: self.me(),
            added_at: now_ms(),
            revoked_at: None,
            label: input::optional("label", new.label.as_deref(), SHORT_TEXT)?,
            always_on: new.always_on,
            addresses: addresses("addresses", &new.addresses)?,
        };
        put_item(self.doc, "devices", &key, &device)
    }

    /// Record where a device listens (admins, or the device itself): a dialing hint.
    pub fn set_device_addresses(
        &mut self,
        device: &DeviceId,
        list: &[String],
    ) -> Result<(), DocError> {
        let key = device.to_string();
        if *device != self.author.device() {
            self.require_admin()?;
        }
        let revoked: Option<i64> = get_field(&*self.doc, "devices", "device", &key, "revoked_at")?;
        if revoked.is_some() {
            return Err(InputError::new("device", Problem::NotAllowedNow).into());
        }
        let list = addresses("addresses", list)?;
        set_field(self.doc, "devices", "device", &key, "addresses", list)
    }

    /// Mark a device as an always-on team peer or not (admins only): an always-on peer holds
    /// every case of the team, to pass changes between devices that are never online together.
    pub fn set_device_always_on(&mut self, device: &DeviceId, on: bool) -> Result<(), DocError> {
        self.require_admin()?;
        let key = device.to_string();
        let revoked: Option<i64> = get_field(&*self.doc, "devices", "device", &key, "revoked_at")?;
        if revoked.is_some() {
            return Err(InputError::new("device", Problem::NotAllowedNow).into());
        }
        set_field(self.doc, "devices", "device", &key, "always_on", on)
    }

    /// Set or clear (`""`) the team's relay URL (admins only; `http://` only for loopback).
    pub fn set_relay(&mut self, url: &str) -> Result<(), DocError> {
        self.require_admin()?;
        let url = input::optional("relay", Some(url), SHORT_TEXT)?;
        if let Some(url) = &url {
            let ok = url.starts_with("https://")
                || url.starts_with("http://127.0.0.1")
                || url.starts_with("http://[::1]")
                || url.starts_with("http://localhost");
            if !ok {
                return Err(InputError::new("relay", Problem::NeedsHttps).into());
            }
        }
        let mut settings: Settings = autosurgeon::hydrate_prop(&*self.doc, ROOT, "settings")?;
        settings.relay = url;
        autosurgeon::reconcile_prop(self.doc, ROOT, "settings", &settings)?;
        Ok(())
    }

    /// Revoke a device (admins only): it may no longer sync the team's documents.
    pub fn revoke_device(&mut self, device: &DeviceId) -> Result<(), DocError> {
        self.require_admin()?;
        let key = device.to_string();
        let revoked: Option<i64> = get_field(&*self.doc, "devices", "device", &key, "revoked_at")?;
        if revoked.is_some() {
            return Err(InputError::new("device", Problem::NotAllowedNow).into());
        }
        set_field(
            self.doc,
            "devices",
            "device",
            &key,
            "revoked_at",
            Some(now_ms()),
        )
    }

    /// Say which partner organisation of the directory a member works for (`None`: none), admins
    /// only. The member's organisation becomes the partner's name (and is cleared with `None`
    /// when it was that name), and the member's devices receive the partner's referrals from
    /// then on.
    pub fn set_member_partner(
        &mut self,
        member: &MemberId,
        partner: Option<&ItemId>,
    ) -> Result<(), DocError> {
        self.require_admin()?;
        let id = member.as_str();
        let current = self.current_member(id)?;
        let mut partners = self.partners()?;
        let organisation = match partner {
            Some(partner) => {
                let name = partners
                    .remove(partner.as_str())
                    .ok_or_else(|| InputError::new("partner", Problem::NotFound))?
                    .name;
                Some(Some(name))
            }
            // No partner any more: an organisation that was the partner's name goes with it.
            None => {
                let was = current.partner.as_deref().and_then(|p| partners.get(p));
                was.is_some_and(|p| current.organisation.as_deref() == Some(p.name.as_str()))
                    .then_some(None)
            }
        };
        let partner = partner.map(|p| p.as_str().to_string());
        set_field(self.doc, "members", "member", id, "partner", partner)?;
        if let Some(organisation) = organisation {
            set_field(
                self.doc,
                "members",
                "member",
                id,
                "organisation",
                organisation,
            )?;
        }
        Ok(())
    }

    /// Add a theme (slug and label); returns the normalised slug. A slug is added once.
    pub fn add_theme(&mut self, slug: &str, label: &str) -> Result<String, DocError> {
        let slug = theme_slug("slug", slug)?;
        let label = input::required("label", label, SHORT_TEXT)?;
        if self.themes()?.contains_key(&slug) {
            return Err(InputError::new("slug", Problem::NotAllowedNow).into());
        }
        let themes = root_map(self.doc, "themes")?;
        autosurgeon::reconcile_prop(self.doc, themes, slug.as_str(), label)?;
        Ok(slug)
    }

    /// Add a yearly aid envelope for a theme; one per theme and year. Returns its item id.
    pub fn add_envelope(&mut self, new: NewEnvelope) -> Result<ItemId, DocError> {
        let theme = theme_slug("theme", &new.theme)?;
        if !self.themes()?.contains_key(&theme) {
            return Err(InputError::new("theme", Problem::NotFound).into());
        }
        if !(2000..=2199).contains(&new.year) {
            return Err(InputError::new("year", Problem::OutOfRange).into());
        }
        if new.amount_cents <= 0 || new.amount_cents > MAX_ENVELOPE_CENTS {
            return Err(InputError::new("amount", Problem::OutOfRange).into());
        }
        let envelopes: BTreeMap<String, Envelope> =
            autosurgeon::hydrate_prop(&*self.doc, ROOT, "envelopes")?;
        if envelopes
            .values()
            .any(|e| e.theme == theme && e.year == new.year)
        {
            return Err(InputError::new("year", Problem::NotAllowedNow).into());
        }
        let envelope = Envelope {
            theme,
            year: new.year,
            amount_cents: new.amount_cents,
        };
        let id = ItemId::random();
        put_item(self.doc, "envelopes", id.as_str(), &envelope)?;
        Ok(id)
    }

    /// Set how many years closed cases are kept (1 to 30).
    pub fn set_retention_years(&mut self, years: u32) -> Result<(), DocError> {
        if !(1..=30).contains(&years) {
            return Err(InputError::new("retention_years", Problem::OutOfRange).into());
        }
        let settings = root_map(self.doc, "settings")?;
        autosurgeon::reconcile_prop(self.doc, settings, "retention_years", years)?;
        Ok(())
    }

    /// Set the working days a partner has for the first contact after a referral (1 to 20).
    pub fn set_first_contact_days(&mut self, days: u32) -> Result<(), DocError> {
        self.require_admin()?;
        if !(1..=20).contains(&days) {
            return Err(InputError::new("first_contact_days", Problem::OutOfRange).into());
        }
        let settings = root_map(self.doc, "settings")?;
        autosurgeon::reconcile_prop(self.doc, settings, "first_contact_days", Some(days))?;
        Ok(())
    }

    /// Add or refresh the front door's entry for a case: the client's display name, birth year
    /// and the case owner (a current member).
    pub fn upsert_client_index_entry(
        &mut self,
        case_id: &CaseId,
        display_name: &str,
        birth_year: Option<u16>,
        owner: &MemberId,
    ) -> Result<(), DocError> {
        let display_name = input::required("display_name", display_name, SHORT_TEXT)?;
        if let Some(year) = birth_year {
            input::birth_year("birth_year", year)?;
        }
        let owner_is_member = self
            .members()?
            .get(owner.as_str())
            .is_some_and(|m| m.removed_at.is_none());
        if !owner_is_member {
            return Err(InputError::new("owner", Problem::NotFound).into());
        }
        let entry = ClientIndexEntry {
            display_name,
            birth_year,
            owner: owner.to_string(),
        };
        put_item(self.doc, "client_index", case_id.as_str(), &entry)
    }

    /// Remove the front door's entry for a case (e.g. when the case is erased).
    pub fn remove_client_index_entry(&mut self, case_id: &CaseId) -> Result<(), DocError> {
        if item(self.doc, "client_index", case_id.as_str())?.is_none() {
            return Err(InputError::new("case", Problem::NotFound).into());
        }
        let index = root_map(self.doc, "client_index")?;
        self.doc.delete(index, case_id.as_str())?;
        Ok(())
    }
}

mod partner;
pub(crate) use partner::name_key;
pub use partner::{MAX_SERVICES, NewPartner, PartnerUpdate, Upserted};

#[cfg(test)]
mod tests;

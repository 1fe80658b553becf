//! The team document's types, as stored (field names are the Automerge keys).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

/// The themes every new team starts with (slug and Dutch label).
pub const DEFAULT_THEMES: &[(&str, &str)] = &[
    ("money", "Geld"),
    ("housing", "Wonen"),
    ("work", "Werk"),
    ("health", "Gezondheid"),
    ("family", "Gezin"),
    ("isolation", "Isolement"),
    ("administration", "Administratie"),
    ("education", "Onderwijs"),
    ("mobility", "Mobiliteit"),
    ("other", "Andere"),
];

/// How many years closed cases are kept when the team has not chosen otherwise.
pub const DEFAULT_RETENTION_YEARS: u32 = 5;

/// A whole team, as hydrated from its document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Team {
    /// Document kind (`team`).
    pub kind: String,
    /// Schema version the document was written with.
    pub schema: u64,
    /// The team id.
    pub id: String,
    /// The team's name.
    pub name: String,
    /// When the team was created (ms since epoch).
    pub created_at: i64,
    /// Members (past and present), by member id.
    pub members: BTreeMap<String, Member>,
    /// Devices (past and present), by device id (64 hex digits).
    pub devices: BTreeMap<String, Device>,
    /// Partner organisations, by item id.
    pub partners: BTreeMap<String, Partner>,
    /// Themes the team works on: slug -> label.
    pub themes: BTreeMap<String, String>,
    /// Yearly aid envelopes, by item id.
    pub envelopes: BTreeMap<String, Envelope>,
    /// Team-wide settings.
    pub settings: Settings,
    /// The front door's index of clients, by case id.
    pub client_index: BTreeMap<String, ClientIndexEntry>,
}

impl Team {
    /// Each current member who works for a partner of the directory, with that partner's id.
    pub fn partner_members(&self) -> impl Iterator<Item = (&str, &str)> {
        self.members
            .iter()
            .filter_map(|(id, m)| match (&m.partner, m.removed_at) {
                (Some(partner), None) if self.partners.contains_key(partner) => {
                    Some((id.as_str(), partner.as_str()))
                }
                _ => None,
            })
    }

    /// Whether `member` is a current (not removed) admin of the team.
    pub fn is_admin(&self, member: &str) -> bool {
        self.members
            .get(member)
            .is_some_and(|m| m.admin && m.removed_at.is_none())
    }

    /// Current (not removed) members, by member id.
    pub fn active_members(&self) -> impl Iterator<Item = (&String, &Member)> {
        self.members.iter().filter(|(_, m)| m.removed_at.is_none())
    }

    /// Devices that are not revoked, by device id.
    pub fn active_devices(&self) -> impl Iterator<Item = (&String, &Device)> {
        self.devices.iter().filter(|(_, d)| d.revoked_at.is_none())
    }
}

/// A member of the team.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Member {
    /// Full name.
    pub name: String,
    /// Role in the team (social worker, coordinator, ...).
    pub role: String,
    /// The organisation employing the member, if given.
    pub organisation: Option<String>,
    /// The partner organisation of the directory the member works for (its item id), if any:
    /// the member's devices receive that partner's referrals. Absent in teams from before.
    #[autosurgeon(missing = "Option::default")]
    pub partner: Option<String>,
    /// Whether the member may change members and devices.
    pub admin: bool,
    /// When the member left the team (ms since epoch).
    pub removed_at: Option<i64>,
}

/// A device allowed to sync the team's documents.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Device {
    /// The member using the device.
    pub member: String,
    /// The member who registered it.
    pub added_by: String,
    /// When it was registered (ms since epoch).
    pub added_at: i64,
    /// When it was revoked (ms since epoch); a revoked device is never readmitted.
    pub revoked_at: Option<i64>,
    /// A name for people ("Laptop Sarah"), if given.
    pub label: Option<String>,
    /// Whether it is an always-on team peer (an office server that stores and forwards every
    /// document of the team).
    #[autosurgeon(missing = "Default::default")]
    pub always_on: bool,
    /// Where it was last known to listen (`ip:port`), as its admin or the device itself wrote
    /// them; a hint for dialing, nothing more.
    #[autosurgeon(missing = "Default::default")]
    pub addresses: Vec<String>,
}

/// A partner organisation the team refers people to (an entry of the "sociale kaart"). The
/// fields added after the first version are absent in teams from before: read as `None`.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Partner {
    /// Name.
    pub name: String,
    /// What it offers.
    pub services: Vec<String>,
    /// Theme slugs it helps with.
    pub themes: Vec<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    #[autosurgeon(missing = "Option::default")]
    pub email: Option<String>,
    /// Web address.
    #[autosurgeon(missing = "Option::default")]
    pub website: Option<String>,
    /// When it is open.
    pub opening_hours: Option<String>,
    /// Whom to ask for there.
    #[autosurgeon(missing = "Option::default")]
    pub contact_person: Option<String>,
    /// Whether its workers are bound by professional secrecy ("beroepsgeheim").
    pub bound_by_secrecy: bool,
    /// The member who added it (the change that wrote this is signed by that member's device;
    /// a peer's change that names anyone else is refused, see `store::team_rules`).
    #[autosurgeon(missing = "Option::default")]
    pub added_by: Option<String>,
    /// When it was added (ms since epoch, the author's clock).
    #[autosurgeon(missing = "Option::default")]
    pub added_at: Option<i64>,
    /// The member who changed it last (checked like `added_by`).
    #[autosurgeon(missing = "Option::default")]
    pub changed_by: Option<String>,
    /// When it was changed last (ms since epoch, the author's clock).
    #[autosurgeon(missing = "Option::default")]
    pub changed_at: Option<i64>,
}

/// A yearly budget for aid on one theme.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Envelope {
    /// Theme slug.
    pub theme: String,
    /// Calendar year.
    pub year: u16,
    /// Budget in euro cents.
    pub amount_cents: i64,
}

/// Team-wide settings.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Settings {
    /// Years a closed case is kept before it is erased.
    pub retention_years: u32,
    /// The team's own relay (`https://…`), if it runs one; never a public relay.
    pub relay: Option<String>,
    /// Working days (Monday to Friday) a partner has for the first contact after a referral
    /// is sent; the default (2) when not set.
    #[autosurgeon(missing = "Option::default")]
    pub first_contact_days: Option<u32>,
}

/// A client as the front door sees them: enough to find out whether a person already has a case
/// and who guides them, nothing of the case itself.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct ClientIndexEntry {
    /// The client's display name.
    pub display_name: String,
    /// The client's birth year, if known.
    pub birth_year: Option<u16>,
    /// The case owner (member id).
    pub owner: String,
}

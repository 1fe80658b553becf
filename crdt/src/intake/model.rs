//! The intake document's types, as stored (field names are the Automerge keys).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

/// The team's whole intake queue, as hydrated from its document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Intake {
    /// Document kind (`intake`).
    pub kind: String,
    /// Schema version the document was written with.
    pub schema: u64,
    /// The intake document id.
    pub id: String,
    /// The team whose front door this is.
    pub team: String,
    /// When the queue was created (ms since epoch).
    pub created_at: i64,
    /// The items, by item id.
    pub items: BTreeMap<String, IntakeItem>,
}

impl Intake {
    /// Items in `status`, newest first.
    pub fn with_status(&self, status: IntakeStatus) -> Vec<(&String, &IntakeItem)> {
        let mut items: Vec<_> = self
            .items
            .iter()
            .filter(|(_, item)| item.status == status)
            .collect();
        items.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then(a.0.cmp(b.0)));
        items
    }
}

/// One signal at the front door: someone who may need help.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct IntakeItem {
    /// Who brought it in.
    pub source: IntakeSource,
    /// What was said or seen.
    pub text: String,
    /// The neighbourhood, if known.
    pub neighbourhood: Option<String>,
    /// How urgent it looks.
    pub urgency: Urgency,
    /// The person's name, if known.
    pub name: Option<String>,
    /// A theme slug, if already clear.
    pub theme: Option<String>,
    /// Where it stands.
    pub status: IntakeStatus,
    /// The case it was linked to (status `linked`).
    pub case_id: Option<String>,
    /// Why it was closed (status `closed`).
    pub closed_reason: Option<String>,
    /// When it was registered (ms since epoch).
    pub created_at: i64,
    /// The member who registered it.
    pub created_by: String,
}

/// Who brought a signal in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum IntakeSource {
    /// A volunteer (neighbourhood network, buddy, ...).
    #[autosurgeon(rename = "volunteer")]
    Volunteer,
    /// A partner organisation.
    #[autosurgeon(rename = "partner")]
    Partner,
    /// A citizen worried about someone.
    #[autosurgeon(rename = "citizen")]
    Citizen,
    /// The person themself.
    #[autosurgeon(rename = "the_person")]
    ThePerson,
}

impl IntakeSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeSource::Volunteer => "volunteer",
            IntakeSource::Partner => "partner",
            IntakeSource::Citizen => "citizen",
            IntakeSource::ThePerson => "the_person",
        }
    }

    /// The value stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        [
            IntakeSource::Volunteer,
            IntakeSource::Partner,
            IntakeSource::Citizen,
            IntakeSource::ThePerson,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }
}

/// How urgent a signal looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Reconcile, Hydrate)]
pub enum Urgency {
    /// Can wait.
    #[autosurgeon(rename = "low")]
    Low,
    /// The usual.
    #[autosurgeon(rename = "normal")]
    Normal,
    /// Soon.
    #[autosurgeon(rename = "high")]
    High,
    /// Today.
    #[autosurgeon(rename = "urgent")]
    Urgent,
}

impl Urgency {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
            Urgency::Urgent => "urgent",
        }
    }

    /// The value stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Urgency::Low,
            Urgency::Normal,
            Urgency::High,
            Urgency::Urgent,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }
}

/// Where an intake item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum IntakeStatus {
    /// Not handled yet.
    #[autosurgeon(rename = "new")]
    New,
    /// Linked to a (new or existing) case.
    #[autosurgeon(rename = "linked")]
    Linked,
    /// Referred to a partner without a case.
    #[autosurgeon(rename = "referred")]
    Referred,
    /// Closed, with a reason.
    #[autosurgeon(rename = "closed")]
    Closed,
}

impl IntakeStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            IntakeStatus::New => "new",
            IntakeStatus::Linked => "linked",
            IntakeStatus::Referred => "referred",
            IntakeStatus::Closed => "closed",
        }
    }

    /// The value stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        [
            IntakeStatus::New,
            IntakeStatus::Linked,
            IntakeStatus::Referred,
            IntakeStatus::Closed,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }
}

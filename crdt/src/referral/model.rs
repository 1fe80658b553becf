//! The referral document's types, as stored (field names are the Automerge keys).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

/// The `by` or `from` value for what the partner organisation did or said (otherwise a member id).
pub const PARTNER: &str = "partner";

/// A whole referral, as hydrated from its document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Referral {
    /// Document kind (`referral`).
    pub kind: String,
    /// Schema version the document was written with.
    pub schema: u64,
    /// The referral id.
    pub id: String,
    /// The team the referral belongs to.
    pub team: String,
    /// The case the referral is made from.
    pub case_id: String,
    /// The question on the case (item id) the referral answers.
    pub question_id: String,
    /// The question's text, as sent.
    pub question_text: String,
    /// The member who sent the referral.
    pub sent_by: String,
    /// The partner organisation (item id in the team document).
    pub partner_id: String,
    /// The partner's name, as sent.
    pub partner_name: String,
    /// The minimal summary disclosed to the partner.
    pub summary: String,
    /// When the referral was sent (ms since epoch).
    pub created_at: i64,
    /// Where it stands now (the latest step of the timeline).
    pub status: ReferralStatus,
    /// Every step, by item id.
    pub timeline: BTreeMap<String, TimelineEvent>,
    /// Messages between the team and the partner, by item id.
    pub messages: BTreeMap<String, Message>,
}

impl Referral {
    /// The timeline, oldest step first.
    pub fn events(&self) -> Vec<&TimelineEvent> {
        let mut events: Vec<_> = self.timeline.values().collect();
        events.sort_by_key(|e| e.at);
        events
    }

    /// The messages, oldest first.
    pub fn conversation(&self) -> Vec<&Message> {
        let mut messages: Vec<_> = self.messages.values().collect();
        messages.sort_by_key(|m| m.at);
        messages
    }

    /// When the referral last moved (ms since epoch).
    pub fn updated_at(&self) -> i64 {
        self.timeline
            .values()
            .map(|e| e.at)
            .max()
            .unwrap_or(self.created_at)
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum ReferralStatus {
    /// Sent to the partner.
    #[autosurgeon(rename = "sent")]
    Sent,
    /// The partner has seen it.
    #[autosurgeon(rename = "received")]
    Received,
    /// The partner takes it up.
    #[autosurgeon(rename = "accepted")]
    Accepted,
    /// The partner does not take it up.
    #[autosurgeon(rename = "declined")]
    Declined,
    /// The person and the partner have met (the warm handover is done).
    #[autosurgeon(rename = "first_contact")]
    FirstContact,
    /// Closed, with an outcome.
    #[autosurgeon(rename = "closed")]
    Closed,
}

impl ReferralStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Received => "received",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::FirstContact => "first_contact",
            ReferralStatus::Closed => "closed",
        }
    }
}

/// One step of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct TimelineEvent {
    /// The status reached.
    pub status: ReferralStatus,
    /// When (ms since epoch).
    pub at: i64,
    /// Who took the step: a member id, or [`PARTNER`].
    pub by: String,
    /// Why it was declined.
    pub reason: Option<String>,
    /// How it ended (when closed).
    pub outcome: Option<String>,
}

/// A message about the referral.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Message {
    /// Who wrote it: a member id, or [`PARTNER`].
    pub from: String,
    /// The text.
    pub text: String,
    /// When (ms since epoch).
    pub at: i64,
}

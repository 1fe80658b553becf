//! The referral document's types, as stored (field names are the Automerge keys).
//!
//! What was sent (the case and question it answers, the partner, the goal, the basis of the
//! disclosure and exactly what was disclosed) is written once, by the sender's device, when the
//! referral is made. What happens next is a set of [`Step`]s and [`Message`]s, each an item of
//! its own written once by the device that took it: two devices that take steps while offline
//! add items and never overwrite each other. The status is not stored: [`Referral::progress`]
//! derives it from the steps, the same way on every device.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

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
    /// The case it is made from (the partner never receives the case itself).
    pub case_id: String,
    /// The question on the case (item id) it answers.
    pub question_id: String,
    /// The question's theme (a team theme slug): what the referral is about, without details.
    pub theme: String,
    /// The partner organisation (item id in the team's directory).
    pub partner_id: String,
    /// The partner's name when it was sent.
    pub partner_name: String,
    /// The member who sent it.
    pub sent_by: String,
    /// The device it was sent from (64 hex digits).
    pub sent_from: String,
    /// When it was sent (ms since epoch).
    pub sent_at: i64,
    /// The first-contact deadline (`YYYY-MM-DD`): the team's number of working days after the
    /// day it was sent.
    pub due: String,
    /// In the client's interest: the goal, in one sentence.
    pub goal: String,
    /// On which basis it may be shared (shared professional secrecy, or a legal exception).
    pub basis: Basis,
    /// Exactly what the partner sees of the person and the case: nothing else leaves.
    pub disclosed: Disclosed,
    /// What happened since, by item id (see [`Referral::progress`]).
    pub steps: BTreeMap<String, Step>,
    /// Messages between the sender's side and the partner, by item id.
    pub messages: BTreeMap<String, Message>,
}

/// Why the disclosure is allowed: the five conditions of shared professional secrecy as they
/// were met, or a legal exception with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Basis {
    /// Shared secrecy (with consent) or one of the legal exceptions.
    pub ground: Ground,
    /// Condition 1: the consent record on the case (item id), for this partner and purpose.
    pub consent_id: Option<String>,
    /// The day that consent was given (`YYYY-MM-DD`).
    pub consent_date: Option<String>,
    /// Condition 4: whether the directory said the partner's workers are bound by professional
    /// secrecy when it was sent.
    pub partner_bound: bool,
    /// When they are not: the client agreed explicitly to sharing with a partner not bound by
    /// professional secrecy.
    pub unbound_consent: bool,
    /// Condition 5: the sender confirmed the partner works on the same mission (the goal).
    pub shared_mission: bool,
    /// For a legal exception: why (required then).
    pub reason: Option<String>,
}

/// The ground on which a referral shares information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate)]
pub enum Ground {
    /// Shared professional secrecy: all five conditions hold.
    #[autosurgeon(rename = "shared_secrecy")]
    SharedSecrecy,
    /// State of necessity: acute danger to someone (art. 422bis Sw. and case law).
    #[autosurgeon(rename = "necessity")]
    Necessity,
    /// A case conference under art. 458ter Strafwetboek.
    #[autosurgeon(rename = "case_conference")]
    CaseConference,
}

impl Ground {
    /// Every ground.
    pub const ALL: [Ground; 3] = [
        Ground::SharedSecrecy,
        Ground::Necessity,
        Ground::CaseConference,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ground::SharedSecrecy => "shared_secrecy",
            Ground::Necessity => "necessity",
            Ground::CaseConference => "case_conference",
        }
    }

    /// Whether this is a legal exception (marked as such everywhere it shows).
    pub fn is_exception(self) -> bool {
        self != Ground::SharedSecrecy
    }
}

/// What the partner sees: each field only if the sender ticked it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Disclosed {
    /// The client's name.
    pub name: Option<String>,
    /// The client's birth date (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// The client's phone number (or e-mail).
    pub phone: Option<String>,
    /// The client's address.
    pub address: Option<String>,
    /// The language(s) the client speaks.
    pub language: Option<String>,
    /// The question, in the client's words.
    pub question: Option<String>,
    /// Chosen journal entries, by their item id on the case.
    pub journal: BTreeMap<String, DisclosedEntry>,
    /// A free summary written for the partner.
    pub summary: Option<String>,
}

impl Disclosed {
    /// Whether nothing at all is disclosed.
    pub fn is_empty(&self) -> bool {
        self == &Disclosed::default()
    }
}

/// A journal entry as disclosed.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct DisclosedEntry {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`).
    pub date: String,
    /// The text.
    pub text: String,
}

/// One step of a referral after it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Step {
    /// What happened.
    pub kind: StepKind,
    /// When (ms since epoch).
    pub at: i64,
    /// The member who took it (or recorded it).
    pub by: String,
    /// The device it was written on (64 hex digits): must be the device that wrote it.
    pub device: String,
    /// Recorded by the sender's side for a partner that does not work in Nabij (phoned in).
    pub by_hand: bool,
    /// Why (a decline or a withdrawal).
    pub reason: Option<String>,
    /// How it ended (closing).
    pub outcome: Option<Outcome>,
    /// The appointment (when one is made).
    pub appointment: Option<Appointment>,
}

/// Kinds of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate)]
pub enum StepKind {
    /// A partner worker opened it for the first time.
    #[autosurgeon(rename = "received")]
    Received,
    /// The partner takes it up.
    #[autosurgeon(rename = "accepted")]
    Accepted,
    /// The partner does not take it up (with a reason).
    #[autosurgeon(rename = "declined")]
    Declined,
    /// An appointment was made (date, time, place, whether the worker goes along).
    #[autosurgeon(rename = "appointment")]
    Appointment,
    /// The person and the partner have met: the warm handover is done.
    #[autosurgeon(rename = "first_contact")]
    FirstContact,
    /// Closed with an outcome.
    #[autosurgeon(rename = "closed")]
    Closed,
    /// The sender withdrew it (with a reason).
    #[autosurgeon(rename = "withdrawn")]
    Withdrawn,
}

impl StepKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Received => "received",
            StepKind::Accepted => "accepted",
            StepKind::Declined => "declined",
            StepKind::Appointment => "appointment",
            StepKind::FirstContact => "first_contact",
            StepKind::Closed => "closed",
            StepKind::Withdrawn => "withdrawn",
        }
    }

    /// Whether it is the partner's to take (the sender's side records it only by hand, for a
    /// partner that does not work in Nabij).
    pub fn is_partners(self) -> bool {
        matches!(
            self,
            StepKind::Received | StepKind::Accepted | StepKind::Declined
        )
    }

    /// Whether only the sender's side may take it.
    pub fn is_senders(self) -> bool {
        self == StepKind::Withdrawn
    }
}

/// How a referral ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate)]
pub enum Outcome {
    /// The person was helped.
    #[autosurgeon(rename = "helped")]
    Helped,
    /// The partner could not reach the person.
    #[autosurgeon(rename = "not_reached")]
    NotReached,
    /// The help is no longer needed.
    #[autosurgeon(rename = "no_longer_needed")]
    NoLongerNeeded,
    /// The person was referred elsewhere.
    #[autosurgeon(rename = "referred_elsewhere")]
    ReferredElsewhere,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 4] = [
        Outcome::Helped,
        Outcome::NotReached,
        Outcome::NoLongerNeeded,
        Outcome::ReferredElsewhere,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Helped => "helped",
            Outcome::NotReached => "not_reached",
            Outcome::NoLongerNeeded => "no_longer_needed",
            Outcome::ReferredElsewhere => "referred_elsewhere",
        }
    }
}

/// An appointment between the person and the partner.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Appointment {
    /// The day (`YYYY-MM-DD`).
    pub date: String,
    /// The time (`HH:MM`).
    pub time: String,
    /// Where.
    pub place: String,
    /// Whether the sending worker goes along (the warm handover).
    pub accompanied: bool,
}

/// A message about the referral.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Message {
    /// The member who wrote it.
    pub by: String,
    /// The device it was written on (64 hex digits).
    pub device: String,
    /// From the partner's side (else from the sender's side).
    pub from_partner: bool,
    /// The text.
    pub text: String,
    /// When (ms since epoch).
    pub at: i64,
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Sent, not opened by the partner yet.
    Sent,
    /// A partner worker has seen it.
    Received,
    /// The partner takes it up.
    Accepted,
    /// The partner does not take it up.
    Declined,
    /// An appointment is made.
    Planned,
    /// The person and the partner have met.
    FirstContact,
    /// Closed with an outcome.
    Closed,
    /// Withdrawn by the sender.
    Withdrawn,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 8] = [
        Status::Sent,
        Status::Received,
        Status::Accepted,
        Status::Declined,
        Status::Planned,
        Status::FirstContact,
        Status::Closed,
        Status::Withdrawn,
    ];

    /// The stored name (query tables).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Sent => "sent",
            Status::Received => "received",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
            Status::Planned => "planned",
            Status::FirstContact => "first_contact",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// The status stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the referral still runs (not declined, closed or withdrawn).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Declined | Status::Closed | Status::Withdrawn)
    }

    /// The status a step of `kind` leads to from this one, if it may be taken now.
    pub fn after(self, kind: StepKind) -> Option<Status> {
        use Status::*;
        use StepKind as K;
        match (self, kind) {
            (Sent, K::Received) => Some(Received),
            (Sent | Received, K::Accepted) => Some(Accepted),
            (Sent | Received, K::Declined) => Some(Declined),
            (Accepted | Planned, K::Appointment) => Some(Planned),
            (Accepted | Planned, K::FirstContact) => Some(FirstContact),
            (Sent | Received | Accepted | Planned | FirstContact, K::Closed) => Some(Closed),
            (Sent | Received | Accepted | Planned, K::Withdrawn) => Some(Withdrawn),
            _ => None,
        }
    }
}

/// A referral's status and timeline as derived from its steps (see [`Referral::progress`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress<'a> {
    /// Where it stands.
    pub status: Status,
    /// Every step, oldest first, with whether it counted: a step that did not fit where the
    /// referral stood (taken on another device at the same time as one that came first) is
    /// kept and shown, but changes nothing.
    pub timeline: Vec<(&'a str, &'a Step, bool)>,
    /// When a partner worker first saw it (or first acted on it).
    pub received_at: Option<i64>,
    /// When it was accepted.
    pub accepted_at: Option<i64>,
    /// When the first contact was confirmed.
    pub first_contact_at: Option<i64>,
    /// When it was declined, closed or withdrawn.
    pub ended_at: Option<i64>,
    /// The appointment that holds now (the last one made), if any.
    pub appointment: Option<&'a Appointment>,
    /// How it ended, when closed.
    pub outcome: Option<Outcome>,
}

impl Referral {
    /// The status and timeline, derived from the steps: they are applied in the order they
    /// were taken (time, then item id), each only if it may follow where the referral stands
    /// then. Every device holding the same steps derives the same status.
    pub fn progress(&self) -> Progress<'_> {
        let mut steps: Vec<(&str, &Step)> =
            self.steps.iter().map(|(id, s)| (id.as_str(), s)).collect();
        steps.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(b.0)));
        let mut progress = Progress {
            status: Status::Sent,
            timeline: Vec::with_capacity(steps.len()),
            received_at: None,
            accepted_at: None,
            first_contact_at: None,
            ended_at: None,
            appointment: None,
            outcome: None,
        };
        for (id, step) in steps {
            let next = progress.status.after(step.kind);
            if let Some(next) = next {
                progress.status = next;
                match step.kind {
                    StepKind::Received => {}
                    StepKind::Accepted => progress.accepted_at = Some(step.at),
                    StepKind::Appointment => progress.appointment = step.appointment.as_ref(),
                    StepKind::FirstContact => progress.first_contact_at = Some(step.at),
                    StepKind::Declined | StepKind::Withdrawn => progress.ended_at = Some(step.at),
                    StepKind::Closed => {
                        progress.ended_at = Some(step.at);
                        progress.outcome = step.outcome;
                    }
                }
                if step.kind.is_partners() && progress.received_at.is_none() {
                    progress.received_at = Some(step.at);
                }
            }
            progress.timeline.push((id, step, next.is_some()));
        }
        progress
    }

    /// The messages, oldest first.
    pub fn conversation(&self) -> Vec<(&str, &Message)> {
        let mut messages: Vec<(&str, &Message)> = self
            .messages
            .iter()
            .map(|(id, m)| (id.as_str(), m))
            .collect();
        messages.sort_by(|a, b| a.1.at.cmp(&b.1.at).then(a.0.cmp(b.0)));
        messages
    }

    /// When the referral last moved (ms since epoch): its last step or message.
    pub fn updated_at(&self) -> i64 {
        self.steps
            .values()
            .map(|s| s.at)
            .chain(self.messages.values().map(|m| m.at))
            .max()
            .unwrap_or(self.sent_at)
            .max(self.sent_at)
    }
}

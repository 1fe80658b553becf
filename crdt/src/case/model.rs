//! The case document's types, as stored (field names are the Automerge keys).

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};

use super::history::{Removal, Revision};
use crate::intake::{IntakeSource, Urgency};

/// A whole case, as hydrated from its document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Case {
    /// Document kind (`case`).
    pub kind: String,
    /// Schema version the document was written with.
    pub schema: u64,
    /// The case id.
    pub id: String,
    /// The team the case belongs to.
    pub team: String,
    /// When the case was opened (ms since epoch).
    pub created_at: i64,
    /// The member who guides this case (the one social assistant).
    pub owner: String,
    /// Other members allowed to see the case (member id -> true).
    pub members: BTreeMap<String, bool>,
    /// Open or closed.
    pub status: CaseStatus,
    /// People in the household, by item id.
    pub people: BTreeMap<String, Person>,
    /// Questions for help, by item id.
    pub questions: BTreeMap<String, Question>,
    /// Journal entries, by item id.
    pub journal: BTreeMap<String, JournalEntry>,
    /// Tasks, by item id.
    pub tasks: BTreeMap<String, Task>,
    /// Consent and disclosure records, by item id.
    pub consents: BTreeMap<String, Consent>,
    /// Aid decisions, by item id.
    pub aid: BTreeMap<String, AidDecision>,
    /// Flags, by item id.
    pub flags: BTreeMap<String, Flag>,
    /// Corrections (edits, removals, undos) of items and of the case, by revision id.
    #[autosurgeon(missing = "Default::default")]
    pub revisions: BTreeMap<String, Revision>,
    /// Tombstones of removed items, by item id (gone again when a removal is undone).
    #[autosurgeon(missing = "Default::default")]
    pub removals: BTreeMap<String, Removal>,
    /// The tombstone of the whole case, when it was removed (opened by mistake, a duplicate).
    #[autosurgeon(missing = "Default::default")]
    pub removed: Option<Removal>,
}

impl Case {
    /// The client's display name: the first person with the role `client`, else any person.
    pub fn client_name(&self) -> &str {
        let mut people = self
            .people
            .iter()
            .filter(|(id, _)| !self.is_removed(id))
            .map(|(_, p)| p);
        let first = people.clone().next();
        people
            .find(|p| p.role == HouseholdRole::Client)
            .or(first)
            .map(|p| p.name.as_str())
            .unwrap_or("")
    }

    /// The client: the first person (not removed) with the role `client`, else any person.
    pub fn client(&self) -> Option<&Person> {
        let mut people = self
            .people
            .iter()
            .filter(|(id, _)| !self.is_removed(id))
            .map(|(_, p)| p);
        let first = people.clone().next();
        people.find(|p| p.role == HouseholdRole::Client).or(first)
    }

    /// The client's birth year, if known.
    pub fn client_birth_year(&self) -> Option<u16> {
        self.people
            .iter()
            .filter(|(id, _)| !self.is_removed(id))
            .map(|(_, p)| p)
            .find(|p| p.role == HouseholdRole::Client)
            .and_then(|p| p.birth_date.as_deref())
            .and_then(|d| d.get(0..4))
            .and_then(|y| y.parse().ok())
    }

    /// Whether `member` may see this case (owner or allowed member).
    pub fn allows(&self, member: &str) -> bool {
        self.owner == member || self.members.get(member).copied().unwrap_or(false)
    }

    /// The members who may see this case: its owner and the members allowed on it.
    pub fn readers(&self) -> std::collections::BTreeSet<String> {
        let mut members: std::collections::BTreeSet<String> = self
            .members
            .iter()
            .filter(|(_, allowed)| **allowed)
            .map(|(m, _)| m.clone())
            .collect();
        members.insert(self.owner.clone());
        members
    }

    /// The themes of the case's questions and journal entries (not removed), sorted, without
    /// repeats.
    pub fn themes(&self) -> Vec<String> {
        let kept = |id: &String| !self.is_removed(id);
        let mut themes: Vec<String> = self
            .questions
            .iter()
            .filter(|(id, _)| kept(id))
            .map(|(_, q)| q.theme.clone())
            .chain(
                self.journal
                    .iter()
                    .filter(|(id, _)| kept(id))
                    .flat_map(|(_, e)| e.themes.iter().cloned()),
            )
            .collect();
        themes.sort();
        themes.dedup();
        themes
    }

    /// Tasks not done yet (and not removed).
    pub fn open_tasks(&self) -> usize {
        self.tasks
            .iter()
            .filter(|(id, t)| !t.done && !self.is_removed(id))
            .count()
    }

    /// The date of the last journal entry not removed and not dated after `latest` (a
    /// `YYYY-MM-DD` day), if any: an entry dated in the future (written before journal dates
    /// were checked, or by an older peer) is never the last activity.
    pub fn last_entry_date(&self, latest: &str) -> Option<&str> {
        self.journal
            .iter()
            .filter(|(id, _)| !self.is_removed(id))
            .map(|(_, e)| e.date.as_str())
            .filter(|date| date.get(..10).is_some_and(|day| day <= latest))
            .max()
    }
}

/// Whether the case is open or closed.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct CaseStatus {
    /// Open or closed.
    pub state: CaseState,
    /// Why the case was closed or reopened last.
    pub reason: Option<String>,
    /// When it was closed or reopened last (`YYYY-MM-DD`).
    pub date: Option<String>,
}

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum CaseState {
    /// Being worked on.
    #[autosurgeon(rename = "open")]
    Open,
    /// Closed, with a reason.
    #[autosurgeon(rename = "closed")]
    Closed,
}

impl CaseState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Closed => "closed",
        }
    }

    /// The state stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        [CaseState::Open, CaseState::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A person in the household.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language(s) spoken.
    pub language: Option<String>,
    /// Where the person lives (absent in people recorded before addresses were kept).
    #[autosurgeon(missing = "Option::default")]
    pub address: Option<String>,
    /// Role in the household.
    pub role: HouseholdRole,
}

/// A person's role in the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum HouseholdRole {
    /// The person the case is about.
    #[autosurgeon(rename = "client")]
    Client,
    /// Partner of the client.
    #[autosurgeon(rename = "partner")]
    Partner,
    /// A child.
    #[autosurgeon(rename = "child")]
    Child,
    /// A parent.
    #[autosurgeon(rename = "parent")]
    Parent,
    /// Anyone else in the household.
    #[autosurgeon(rename = "other")]
    Other,
}

/// A question for help ("hulpvraag").
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Question {
    /// Theme (money, housing, ...).
    pub theme: String,
    /// The question in the client's words.
    pub text: String,
    /// Where it stands.
    pub status: QuestionStatus,
    /// When it was asked (`YYYY-MM-DD`).
    pub opened: String,
    /// When its status last changed (`YYYY-MM-DD`).
    pub updated: Option<String>,
}

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum QuestionStatus {
    /// Not started.
    #[autosurgeon(rename = "open")]
    Open,
    /// Being worked on.
    #[autosurgeon(rename = "in_progress")]
    InProgress,
    /// Answered.
    #[autosurgeon(rename = "resolved")]
    Resolved,
    /// Referred to a partner.
    #[autosurgeon(rename = "referred")]
    Referred,
}

/// A journal entry: one contact or note.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct JournalEntry {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`).
    pub date: String,
    /// Visit, call, office, message or note.
    pub kind: ContactKind,
    /// The member who wrote it.
    pub author: String,
    /// The text (a plain string, not collaborative text: entries are written by one person).
    pub text: String,
    /// Themes touched.
    pub themes: Vec<String>,
    /// The front-door signal this entry records, when it came from the front door (absent in
    /// entries written before signals were carried into cases).
    #[autosurgeon(missing = "Option::default")]
    pub intake: Option<IntakeTrace>,
}

/// Where a journal entry came from when it records a front-door signal: the signal as it was
/// registered, and whether it opened the case or was linked to it later.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct IntakeTrace {
    /// The intake item id.
    pub item: String,
    /// Who brought the signal in.
    pub source: IntakeSource,
    /// How urgent it looked.
    pub urgency: Urgency,
    /// The name given at the front door, if any.
    pub name: Option<String>,
    /// When the signal was registered (ms since epoch).
    pub registered_at: i64,
    /// The member who registered it.
    pub registered_by: String,
    /// Whether the signal was linked to this (existing) case rather than opening it.
    pub linked: bool,
}

/// The kind of contact a journal entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum ContactKind {
    /// Home or field visit.
    #[autosurgeon(rename = "visit")]
    Visit,
    /// Phone call.
    #[autosurgeon(rename = "call")]
    Call,
    /// Meeting at the office.
    #[autosurgeon(rename = "office")]
    Office,
    /// Written message (mail, text).
    #[autosurgeon(rename = "message")]
    Message,
    /// A note without contact.
    #[autosurgeon(rename = "note")]
    Note,
}

/// A task.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Task {
    /// What to do.
    pub title: String,
    /// Due date (`YYYY-MM-DD`).
    pub due: Option<String>,
    /// The member who does it.
    pub assignee: Option<String>,
    /// Done or not.
    pub done: bool,
}

/// A consent or disclosure record.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Consent {
    /// What information.
    pub what: String,
    /// Shared with whom.
    pub to_whom: String,
    /// For which purpose.
    pub purpose: String,
    /// Legal basis (consent, legal obligation, vital interest, ...).
    pub legal_basis: String,
    /// Given on (`YYYY-MM-DD`).
    pub date: String,
    /// The member who recorded it.
    pub recorded_by: String,
    /// Withdrawn on (`YYYY-MM-DD`).
    pub withdrawn_at: Option<String>,
    /// The partner organisation (item id in the team's directory) it is for, when it was
    /// recorded for a referral (absent in consents recorded before).
    #[autosurgeon(missing = "Option::default")]
    pub partner_id: Option<String>,
}

/// An aid decision, spent from a yearly envelope.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct AidDecision {
    /// The envelope (team document item id).
    pub envelope: String,
    /// Amount in euro cents.
    pub amount_cents: i64,
    /// Decided on (`YYYY-MM-DD`).
    pub date: String,
    /// Why.
    pub reason: String,
    /// The member who decided.
    pub decided_by: String,
}

/// A flag on the case.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Flag {
    /// What kind of flag.
    pub kind: FlagKind,
    /// For under-protection: the right not taken up.
    pub right: Option<String>,
    /// A short note.
    pub note: Option<String>,
    /// Raised on (`YYYY-MM-DD`).
    pub raised_at: String,
    /// Raised by (member).
    pub raised_by: String,
    /// Cleared on (`YYYY-MM-DD`).
    pub cleared_at: Option<String>,
}

/// Kinds of flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate)]
pub enum FlagKind {
    /// A right the client has but does not claim ("onderbescherming").
    #[autosurgeon(rename = "under_protection")]
    UnderProtection,
    /// Any other signal.
    #[autosurgeon(rename = "other")]
    Other,
}

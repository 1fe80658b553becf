//! Changing a case: [`create_case`] and the [`CaseEditor`], one validated method per change.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};

use super::model::*;
use crate::author::Author;
use crate::date::{Date, now_ms};
use crate::doc::{DocError, DocKind, SCHEMA_VERSION, get_field, put_item, set_field};
use crate::id::{CaseId, ItemId, MemberId, TeamId};
use crate::input::{self, InputError, LONG_TEXT, Problem, SHORT_TEXT};

/// What is needed to open a case: the client and who guides them.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// The client's full name.
    pub client_name: String,
    /// The client's birth date (`YYYY-MM-DD`), if known.
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language(s) spoken.
    pub language: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// The case owner; the author when `None`.
    pub owner: Option<MemberId>,
}

/// A person to add to the household.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// Full name.
    pub name: String,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language(s).
    pub language: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Role in the household.
    pub role: HouseholdRole,
}

/// Fields of a person to change (`None`: leave as is; `Some("")`: clear an optional field).
#[derive(Debug, Clone, Default)]
pub struct PersonUpdate {
    /// New name.
    pub name: Option<String>,
    /// New birth date.
    pub birth_date: Option<String>,
    /// New phone or e-mail.
    pub contact: Option<String>,
    /// New language.
    pub language: Option<String>,
    /// New address.
    pub address: Option<String>,
}

/// A question for help.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    /// Theme.
    pub theme: String,
    /// The question.
    pub text: String,
}

/// A journal entry.
#[derive(Debug, Clone)]
pub struct NewJournalEntry {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`); today when `None`.
    pub date: Option<String>,
    /// Kind of contact.
    pub kind: ContactKind,
    /// The text.
    pub text: String,
    /// Themes touched.
    pub themes: Vec<String>,
}

/// A task.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// What to do.
    pub title: String,
    /// Due date.
    pub due: Option<String>,
    /// Who does it.
    pub assignee: Option<MemberId>,
}

/// A consent or disclosure record.
#[derive(Debug, Clone)]
pub struct NewConsent {
    /// What information.
    pub what: String,
    /// To whom.
    pub to_whom: String,
    /// Purpose.
    pub purpose: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Given on; today when `None`.
    pub date: Option<String>,
    /// The partner organisation it is for (a referral's consent), if any.
    pub partner_id: Option<String>,
}

/// An aid decision.
#[derive(Debug, Clone)]
pub struct NewAidDecision {
    /// The envelope (team item id).
    pub envelope: String,
    /// Amount in euro cents (> 0).
    pub amount_cents: i64,
    /// Decided on; today when `None`.
    pub date: Option<String>,
    /// Why.
    pub reason: String,
}

/// A flag to raise.
#[derive(Debug, Clone)]
pub struct NewFlag {
    /// Kind.
    pub kind: FlagKind,
    /// For under-protection: the right not taken up (required then).
    pub right: Option<String>,
    /// A short note.
    pub note: Option<String>,
}

pub(super) fn theme(field: &'static str, text: &str) -> Result<String, InputError> {
    let theme = input::required(field, text, 40)?.to_lowercase();
    if !theme
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Err(InputError::new(field, Problem::OutOfRange));
    }
    Ok(theme)
}

/// A journal date: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, its day not in the future (a contact
/// that has not happened yet is a task, and would show as the case's last activity).
pub(crate) fn journal_date(text: &str) -> Result<String, InputError> {
    let text = text.trim();
    let Some((day, time)) = text.split_once('T') else {
        return input::past_date("date", text);
    };
    let day = input::past_date("date", day)?;
    let bad = || InputError::new("date", Problem::InvalidDate);
    let (h, m) = time.split_once(':').ok_or_else(bad)?;
    let (h, m): (u8, u8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || time.len() != 5 {
        return Err(bad());
    }
    Ok(format!("{day}T{h:02}:{m:02}"))
}

pub(super) fn today() -> String {
    Date::today().to_string()
}

/// Open a new case authored by `author`; returns its id and document (one committed change).
pub fn create_case(
    author: &Author,
    team: &TeamId,
    new: NewCase,
) -> Result<(CaseId, AutoCommit), DocError> {
    let client = Person {
        name: input::required("client_name", &new.client_name, SHORT_TEXT)?,
        birth_date: input::birth_date("birth_date", new.birth_date.as_deref())?,
        contact: input::optional("contact", new.contact.as_deref(), SHORT_TEXT)?,
        language: input::optional("language", new.language.as_deref(), SHORT_TEXT)?,
        address: input::optional("address", new.address.as_deref(), SHORT_TEXT)?,
        role: HouseholdRole::Client,
    };
    let id = CaseId::random();
    let case = Case {
        kind: DocKind::Case.as_str().to_string(),
        schema: SCHEMA_VERSION,
        id: id.to_string(),
        team: team.to_string(),
        created_at: now_ms(),
        owner: new
            .owner
            .unwrap_or_else(|| author.member.clone())
            .to_string(),
        members: BTreeMap::new(),
        status: CaseStatus {
            state: CaseState::Open,
            reason: None,
            date: Some(today()),
        },
        people: BTreeMap::from([(ItemId::random().to_string(), client)]),
        questions: BTreeMap::new(),
        journal: BTreeMap::new(),
        tasks: BTreeMap::new(),
        consents: BTreeMap::new(),
        aid: BTreeMap::new(),
        flags: BTreeMap::new(),
        revisions: BTreeMap::new(),
        removals: BTreeMap::new(),
        removed: None,
    };
    Ok((id, author.create(&case)?))
}

/// Makes validated changes to one case document; the store commits them as one change by the
/// author (or rolls them back when any step fails).
pub struct CaseEditor<'a> {
    pub(super) doc: &'a mut AutoCommit,
    pub(super) author: &'a Author,
}

impl<'a> CaseEditor<'a> {
    /// An editor over `doc` for `author`.
    pub fn new(doc: &'a mut AutoCommit, author: &'a Author) -> Self {
        Self { doc, author }
    }

    pub(super) fn me(&self) -> String {
        self.author.member.to_string()
    }

    fn state(&self) -> Result<CaseState, DocError> {
        let status: CaseStatus = autosurgeon::hydrate_prop(&*self.doc, ROOT, "status")?;
        Ok(status.state)
    }

    /// Add a person to the household.
    pub fn add_person(&mut self, new: NewPerson) -> Result<ItemId, DocError> {
        let person = Person {
            name: input::required("name", &new.name, SHORT_TEXT)?,
            birth_date: input::birth_date("birth_date", new.birth_date.as_deref())?,
            contact: input::optional("contact", new.contact.as_deref(), SHORT_TEXT)?,
            language: input::optional("language", new.language.as_deref(), SHORT_TEXT)?,
            address: input::optional("address", new.address.as_deref(), SHORT_TEXT)?,
            role: new.role,
        };
        let id = ItemId::random();
        put_item(self.doc, "people", id.as_str(), &person)?;
        Ok(id)
    }

    /// Change fields of a person. Each field is written separately, so concurrent edits of
    /// different fields merge and concurrent edits of one field become a visible conflict; the
    /// earlier values are kept as a revision (see [`CaseEditor::correct_person`]).
    pub fn update_person(&mut self, person: &ItemId, update: PersonUpdate) -> Result<(), DocError> {
        self.correct_person(person, update)
    }

    /// Register a question for help.
    pub fn add_question(&mut self, new: NewQuestion) -> Result<ItemId, DocError> {
        let question = Question {
            theme: theme("theme", &new.theme)?,
            text: input::required("text", &new.text, LONG_TEXT)?,
            status: QuestionStatus::Open,
            opened: today(),
            updated: None,
        };
        let id = ItemId::random();
        put_item(self.doc, "questions", id.as_str(), &question)?;
        Ok(id)
    }

    /// Change where a question stands.
    pub fn set_question_status(
        &mut self,
        question: &ItemId,
        status: QuestionStatus,
    ) -> Result<(), DocError> {
        set_field(
            self.doc,
            "questions",
            "question",
            question.as_str(),
            "status",
            status,
        )?;
        set_field(
            self.doc,
            "questions",
            "question",
            question.as_str(),
            "updated",
            Some(today()),
        )
    }

    /// Write a journal entry (the author is the entry's author).
    pub fn add_journal_entry(&mut self, new: NewJournalEntry) -> Result<ItemId, DocError> {
        let date = match new.date.as_deref().map(str::trim) {
            None | Some("") => today(),
            Some(text) => journal_date(text)?,
        };
        let mut themes = new
            .themes
            .iter()
            .map(|t| theme("themes", t))
            .collect::<Result<Vec<_>, _>>()?;
        themes.sort();
        themes.dedup();
        let entry = JournalEntry {
            date,
            kind: new.kind,
            author: self.me(),
            text: input::required("text", &new.text, LONG_TEXT)?,
            themes,
            intake: None,
        };
        let id = ItemId::random();
        put_item(self.doc, "journal", id.as_str(), &entry)?;
        Ok(id)
    }

    /// Record a front-door signal in the journal (a note dated the day it was registered, with
    /// its text and theme, and where it came from): the signal that opened the case, or one
    /// linked to it later.
    pub fn add_intake_entry(
        &mut self,
        trace: IntakeTrace,
        text: &str,
        signal_theme: Option<&str>,
    ) -> Result<ItemId, DocError> {
        let entry = JournalEntry {
            date: Date::of_moment(trace.registered_at).to_string(),
            kind: ContactKind::Note,
            author: self.me(),
            text: input::required("text", text, LONG_TEXT)?,
            themes: signal_theme
                .map(|t| theme("theme", t))
                .transpose()?
                .into_iter()
                .collect(),
            intake: Some(trace),
        };
        let id = ItemId::random();
        put_item(self.doc, "journal", id.as_str(), &entry)?;
        Ok(id)
    }

    /// Add a task.
    pub fn add_task(&mut self, new: NewTask) -> Result<ItemId, DocError> {
        let task = Task {
            title: input::required("title", &new.title, SHORT_TEXT)?,
            due: input::optional_date("due", new.due.as_deref())?,
            assignee: new.assignee.map(|m| m.to_string()),
            done: false,
        };
        let id = ItemId::random();
        put_item(self.doc, "tasks", id.as_str(), &task)?;
        Ok(id)
    }

    /// Mark a task done or not done.
    pub fn set_task_done(&mut self, task: &ItemId, done: bool) -> Result<(), DocError> {
        set_field(self.doc, "tasks", "task", task.as_str(), "done", done)
    }

    /// Record consent or a disclosure.
    pub fn record_consent(&mut self, new: NewConsent) -> Result<ItemId, DocError> {
        let consent = Consent {
            what: input::required("what", &new.what, SHORT_TEXT)?,
            to_whom: input::required("to_whom", &new.to_whom, SHORT_TEXT)?,
            purpose: input::required("purpose", &new.purpose, SHORT_TEXT)?,
            legal_basis: input::required("legal_basis", &new.legal_basis, SHORT_TEXT)?,
            date: input::optional_past_date("date", new.date.as_deref())?.unwrap_or_else(today),
            recorded_by: self.me(),
            withdrawn_at: None,
            partner_id: new.partner_id,
        };
        let id = ItemId::random();
        put_item(self.doc, "consents", id.as_str(), &consent)?;
        Ok(id)
    }

    /// Record that a consent was withdrawn.
    pub fn withdraw_consent(
        &mut self,
        consent: &ItemId,
        date: Option<&str>,
    ) -> Result<(), DocError> {
        let withdrawn: Option<String> = get_field(
            &*self.doc,
            "consents",
            "consent",
            consent.as_str(),
            "withdrawn_at",
        )?;
        if withdrawn.is_some() {
            return Err(InputError::new("consent", Problem::NotAllowedNow).into());
        }
        let date = input::optional_past_date("date", date)?.unwrap_or_else(today);
        let given: String = get_field(&*self.doc, "consents", "consent", consent.as_str(), "date")?;
        if date < given {
            return Err(InputError::new("date", Problem::BeforeStart).into());
        }
        set_field(
            self.doc,
            "consents",
            "consent",
            consent.as_str(),
            "withdrawn_at",
            Some(date),
        )
    }

    /// Record an aid decision.
    pub fn record_aid_decision(&mut self, new: NewAidDecision) -> Result<ItemId, DocError> {
        if new.amount_cents <= 0 || new.amount_cents > 100_000_000 {
            return Err(InputError::new("amount", Problem::OutOfRange).into());
        }
        let decision = AidDecision {
            envelope: input::required("envelope", &new.envelope, SHORT_TEXT)?,
            amount_cents: new.amount_cents,
            date: input::optional_past_date("date", new.date.as_deref())?.unwrap_or_else(today),
            reason: input::required("reason", &new.reason, SHORT_TEXT)?,
            decided_by: self.me(),
        };
        let id = ItemId::random();
        put_item(self.doc, "aid", id.as_str(), &decision)?;
        Ok(id)
    }

    /// Raise a flag; under-protection needs the right that is not taken up.
    pub fn raise_flag(&mut self, new: NewFlag) -> Result<ItemId, DocError> {
        let right = input::optional("right", new.right.as_deref(), SHORT_TEXT)?;
        if new.kind == FlagKind::UnderProtection && right.is_none() {
            return Err(InputError::new("right", Problem::Empty).into());
        }
        let flag = Flag {
            kind: new.kind,
            right,
            note: input::optional("note", new.note.as_deref(), SHORT_TEXT)?,
            raised_at: today(),
            raised_by: self.me(),
            cleared_at: None,
        };
        let id = ItemId::random();
        put_item(self.doc, "flags", id.as_str(), &flag)?;
        Ok(id)
    }

    /// Clear a flag.
    pub fn clear_flag(&mut self, flag: &ItemId) -> Result<(), DocError> {
        set_field(
            self.doc,
            "flags",
            "flag",
            flag.as_str(),
            "cleared_at",
            Some(today()),
        )
    }

    /// Hand the case to another member (warm handover inside the team).
    pub fn set_owner(&mut self, owner: &MemberId) -> Result<(), DocError> {
        autosurgeon::reconcile_prop(self.doc, ROOT, "owner", owner.to_string())?;
        Ok(())
    }

    /// Allow a member to see the case, or withdraw that.
    pub fn set_member_allowed(&mut self, member: &MemberId, allowed: bool) -> Result<(), DocError> {
        let members = crate::doc::root_map(self.doc, "members")?;
        if allowed {
            autosurgeon::reconcile_prop(self.doc, members, member.as_str(), true)?;
        } else {
            self.doc.delete(members, member.as_str())?;
        }
        Ok(())
    }

    /// Close the case with a reason.
    pub fn close(&mut self, reason: &str, date: Option<&str>) -> Result<(), DocError> {
        self.set_state(CaseState::Closed, reason, date)
    }

    /// Reopen a closed case with a reason.
    pub fn reopen(&mut self, reason: &str) -> Result<(), DocError> {
        self.set_state(CaseState::Open, reason, None)
    }

    fn set_state(
        &mut self,
        state: CaseState,
        reason: &str,
        date: Option<&str>,
    ) -> Result<(), DocError> {
        if self.state()? == state {
            return Err(InputError::new("status", Problem::NotAllowedNow).into());
        }
        let date = input::optional_past_date("date", date)?.unwrap_or_else(today);
        let status = CaseStatus {
            state,
            reason: Some(input::required("reason", reason, SHORT_TEXT)?),
            date: Some(date),
        };
        autosurgeon::reconcile_prop(self.doc, ROOT, "status", &status)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_dates_accept_day_or_minute() {
        assert_eq!(journal_date("2026-11-22").unwrap(), "2026-11-22");
        assert_eq!(
            journal_date("2026-11-22T09:05").unwrap(),
            "2026-11-22T09:05"
        );
        for bad in [
            "2026-11-22T24:00",
            "2026-11-22T9:5",
            "22/11/2026",
            "2026-11-22T",
        ] {
            assert!(journal_date(bad).is_err(), "{bad}");
        }
    }
}

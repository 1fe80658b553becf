//! Correcting a case: edit a journal entry, task, question, consent or person; remove an item
//! or the whole case with a reason; undo a removal. Every correction validates its input by the
//! same rules as the first write, writes only the fields that change (so concurrent edits of
//! different fields merge, and concurrent edits of one field become a visible conflict), and
//! keeps what it replaced as a [`Revision`].

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{Hydrate, Reconcile};

use super::edit::{CaseEditor, PersonUpdate, journal_date, theme};
use super::history::{Collection, Removal, Revision, RevisionAction};
use super::model::{ContactKind, HouseholdRole};
use crate::date::now_ms;
use crate::doc::{DocError, get_field, item, put_item, root_map, set_field};
use crate::id::{ItemId, MemberId};
use crate::input::{self, InputError, LONG_TEXT, Problem, SHORT_TEXT};

/// Changes to a journal entry (`None`: leave as is).
#[derive(Debug, Clone, Default)]
pub struct JournalEntryEdit {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`).
    pub date: Option<String>,
    /// Kind of contact.
    pub kind: Option<ContactKind>,
    /// The text.
    pub text: Option<String>,
    /// Themes touched.
    pub themes: Option<Vec<String>>,
}

/// Changes to a task (`None`: leave as is; `Some("")`/`Some(None)`: clear).
#[derive(Debug, Clone, Default)]
pub struct TaskEdit {
    /// What to do.
    pub title: Option<String>,
    /// Due date.
    pub due: Option<String>,
    /// Who does it.
    pub assignee: Option<Option<MemberId>>,
}

/// Changes to a question for help (`None`: leave as is).
#[derive(Debug, Clone, Default)]
pub struct QuestionEdit {
    /// Theme.
    pub theme: Option<String>,
    /// The question.
    pub text: Option<String>,
}

/// Changes to a consent record (`None`: leave as is).
#[derive(Debug, Clone, Default)]
pub struct ConsentEdit {
    /// What information.
    pub what: Option<String>,
    /// To whom.
    pub to_whom: Option<String>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Legal basis.
    pub legal_basis: Option<String>,
    /// Given on.
    pub date: Option<String>,
}

/// The earlier values of the fields a correction changes.
type Previous = BTreeMap<String, String>;

#[allow(clippy::ptr_arg)] // a function pointer for `change` over `String` fields
fn plain(value: &String) -> String {
    value.clone()
}

fn optional_text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn kind_text(kind: &ContactKind) -> String {
    match kind {
        ContactKind::Visit => "visit",
        ContactKind::Call => "call",
        ContactKind::Office => "office",
        ContactKind::Message => "message",
        ContactKind::Note => "note",
    }
    .to_string()
}

#[allow(clippy::ptr_arg)] // a function pointer for `change` over the themes list
fn themes_text(themes: &Vec<String>) -> String {
    themes.join(", ")
}

impl CaseEditor<'_> {
    /// Item `id` of `collection` exists and is not removed.
    fn correctable(&self, collection: Collection, id: &ItemId) -> Result<(), DocError> {
        if item(&*self.doc, collection.root(), id.as_str())?.is_none() {
            return Err(InputError::new(collection.item_field(), Problem::NotFound).into());
        }
        if item(&*self.doc, "removals", id.as_str())?.is_some() {
            return Err(InputError::new(collection.item_field(), Problem::NotAllowedNow).into());
        }
        Ok(())
    }

    /// Set `field` of item `id` to `value` when it differs, noting the earlier value.
    fn change<T: Reconcile + Hydrate + PartialEq>(
        &mut self,
        collection: Collection,
        id: &ItemId,
        field: &'static str,
        value: T,
        show: fn(&T) -> String,
        previous: &mut Previous,
    ) -> Result<(), DocError> {
        let key = collection.root();
        let current: T = get_field(&*self.doc, key, collection.item_field(), id.as_str(), field)?;
        if current == value {
            return Ok(());
        }
        previous.insert(field.to_string(), show(&current));
        set_field(
            self.doc,
            key,
            collection.item_field(),
            id.as_str(),
            field,
            value,
        )
    }

    /// Keep a revision of item `id` (nothing when an edit changed nothing).
    fn note(
        &mut self,
        collection: Collection,
        id: &str,
        action: RevisionAction,
        previous: Previous,
        reason: Option<String>,
    ) -> Result<(), DocError> {
        if action == RevisionAction::Edited && previous.is_empty() {
            return Ok(());
        }
        let revision = Revision {
            collection,
            item: id.to_string(),
            action,
            by: self.me(),
            device: self.author.device().to_string(),
            at: now_ms(),
            previous,
            reason,
        };
        put_item(self.doc, "revisions", ItemId::random().as_str(), &revision)
    }

    /// Correct a journal entry: only its author or the case owner may.
    pub fn edit_journal_entry(
        &mut self,
        entry: &ItemId,
        edit: JournalEntryEdit,
    ) -> Result<(), DocError> {
        let c = Collection::Journal;
        self.correctable(c, entry)?;
        let author: String = get_field(&*self.doc, c.root(), "entry", entry.as_str(), "author")?;
        let owner: String = autosurgeon::hydrate_prop(&*self.doc, ROOT, "owner")?;
        let me = self.me();
        if author != me && owner != me {
            return Err(InputError::new("entry", Problem::NotAllowedNow).into());
        }
        let date = edit.date.as_deref().map(journal_date).transpose()?;
        let text = edit
            .text
            .as_deref()
            .map(|t| input::required("text", t, LONG_TEXT))
            .transpose()?;
        let themes = match edit.themes {
            None => None,
            Some(list) => {
                let mut list = list
                    .iter()
                    .map(|t| theme("themes", t))
                    .collect::<Result<Vec<_>, _>>()?;
                list.sort();
                list.dedup();
                Some(list)
            }
        };
        let mut previous = Previous::new();
        if let Some(date) = date {
            self.change(c, entry, "date", date, plain, &mut previous)?;
        }
        if let Some(kind) = edit.kind {
            self.change(c, entry, "kind", kind, kind_text, &mut previous)?;
        }
        if let Some(text) = text {
            self.change(c, entry, "text", text, plain, &mut previous)?;
        }
        if let Some(themes) = themes {
            self.change(c, entry, "themes", themes, themes_text, &mut previous)?;
        }
        self.note(c, entry.as_str(), RevisionAction::Edited, previous, None)
    }

    /// Correct a task.
    pub fn edit_task(&mut self, task: &ItemId, edit: TaskEdit) -> Result<(), DocError> {
        let c = Collection::Tasks;
        self.correctable(c, task)?;
        let title = edit
            .title
            .as_deref()
            .map(|t| input::required("title", t, SHORT_TEXT))
            .transpose()?;
        let due = edit
            .due
            .as_deref()
            .map(|d| input::optional_date("due", Some(d)))
            .transpose()?;
        let mut previous = Previous::new();
        if let Some(title) = title {
            self.change(c, task, "title", title, plain, &mut previous)?;
        }
        if let Some(due) = due {
            self.change(c, task, "due", due, optional_text, &mut previous)?;
        }
        if let Some(assignee) = edit.assignee {
            let assignee = assignee.map(|m| m.to_string());
            self.change(c, task, "assignee", assignee, optional_text, &mut previous)?;
        }
        self.note(c, task.as_str(), RevisionAction::Edited, previous, None)
    }

    /// Correct a question for help (its theme and text; its status has its own action).
    pub fn edit_question(&mut self, question: &ItemId, edit: QuestionEdit) -> Result<(), DocError> {
        let c = Collection::Questions;
        self.correctable(c, question)?;
        let theme = edit
            .theme
            .as_deref()
            .map(|t| theme("theme", t))
            .transpose()?;
        let text = edit
            .text
            .as_deref()
            .map(|t| input::required("text", t, LONG_TEXT))
            .transpose()?;
        let mut previous = Previous::new();
        if let Some(theme) = theme {
            self.change(c, question, "theme", theme, plain, &mut previous)?;
        }
        if let Some(text) = text {
            self.change(c, question, "text", text, plain, &mut previous)?;
        }
        self.note(c, question.as_str(), RevisionAction::Edited, previous, None)
    }

    /// Correct a consent record (what, to whom, purpose, legal basis, date given); withdrawing
    /// it has its own action.
    pub fn edit_consent(&mut self, consent: &ItemId, edit: ConsentEdit) -> Result<(), DocError> {
        let c = Collection::Consents;
        self.correctable(c, consent)?;
        let required = |field: &'static str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| input::required(field, v, SHORT_TEXT))
                .transpose()
        };
        let fields = [
            ("what", required("what", &edit.what)?),
            ("to_whom", required("to_whom", &edit.to_whom)?),
            ("purpose", required("purpose", &edit.purpose)?),
            ("legal_basis", required("legal_basis", &edit.legal_basis)?),
            (
                "date",
                edit.date
                    .as_deref()
                    .map(|d| input::past_date("date", d))
                    .transpose()?,
            ),
        ];
        let mut previous = Previous::new();
        for (field, value) in fields {
            if let Some(value) = value {
                self.change(c, consent, field, value, plain, &mut previous)?;
            }
        }
        self.note(c, consent.as_str(), RevisionAction::Edited, previous, None)
    }

    /// Correct a person's details (see [`CaseEditor::update_person`]).
    pub fn correct_person(
        &mut self,
        person: &ItemId,
        update: PersonUpdate,
    ) -> Result<(), DocError> {
        let c = Collection::People;
        self.correctable(c, person)?;
        let name = update
            .name
            .as_deref()
            .map(|n| input::required("name", n, SHORT_TEXT))
            .transpose()?;
        let birth_date = update
            .birth_date
            .as_deref()
            .map(|d| input::birth_date("birth_date", Some(d)))
            .transpose()?;
        let contact = update
            .contact
            .as_deref()
            .map(|v| input::optional("contact", Some(v), SHORT_TEXT))
            .transpose()?;
        let language = update
            .language
            .as_deref()
            .map(|v| input::optional("language", Some(v), SHORT_TEXT))
            .transpose()?;
        let address = update
            .address
            .as_deref()
            .map(|v| input::optional("address", Some(v), SHORT_TEXT))
            .transpose()?;
        let mut previous = Previous::new();
        if let Some(name) = name {
            self.change(c, person, "name", name, plain, &mut previous)?;
        }
        for (field, value) in [
            ("birth_date", birth_date),
            ("contact", contact),
            ("language", language),
            ("address", address),
        ] {
            if let Some(value) = value {
                self.change(c, person, field, value, optional_text, &mut previous)?;
            }
        }
        self.note(c, person.as_str(), RevisionAction::Edited, previous, None)
    }

    /// Remove an item entered by mistake, with a reason. It stays in the case as removed (with
    /// its history) until the removal is undone. The client cannot be removed.
    pub fn remove_item(
        &mut self,
        collection: Collection,
        id: &ItemId,
        reason: &str,
    ) -> Result<(), DocError> {
        if collection == Collection::Case {
            return Err(InputError::new("collection", Problem::OutOfRange).into());
        }
        self.correctable(collection, id)?;
        let reason = input::required("reason", reason, SHORT_TEXT)?;
        if collection == Collection::People {
            let role: HouseholdRole =
                get_field(&*self.doc, "people", "person", id.as_str(), "role")?;
            if role == HouseholdRole::Client {
                return Err(InputError::new("person", Problem::NotAllowedNow).into());
            }
        }
        let removal = self.removal(reason.clone());
        put_item(self.doc, "removals", id.as_str(), &removal)?;
        let action = RevisionAction::Removed;
        self.note(
            collection,
            id.as_str(),
            action,
            Previous::new(),
            Some(reason),
        )
    }

    /// Undo the removal of an item.
    pub fn restore_item(&mut self, collection: Collection, id: &ItemId) -> Result<(), DocError> {
        if collection == Collection::Case {
            return Err(InputError::new("collection", Problem::OutOfRange).into());
        }
        if item(&*self.doc, collection.root(), id.as_str())?.is_none() {
            return Err(InputError::new(collection.item_field(), Problem::NotFound).into());
        }
        if item(&*self.doc, "removals", id.as_str())?.is_none() {
            return Err(InputError::new(collection.item_field(), Problem::NotAllowedNow).into());
        }
        let removals = root_map(self.doc, "removals")?;
        self.doc.delete(removals, id.as_str())?;
        let action = RevisionAction::Restored;
        self.note(collection, id.as_str(), action, Previous::new(), None)
    }

    /// Whether the whole case is removed.
    pub fn case_removed(&self) -> Result<bool, DocError> {
        Ok(matches!(
            self.doc.get(ROOT, "removed")?,
            Some((Value::Object(ObjType::Map), _))
        ))
    }

    /// Remove the whole case (opened by mistake, a duplicate), with a reason. Who may is the
    /// store's rule (the owner or an admin).
    pub fn remove_case(&mut self, reason: &str) -> Result<(), DocError> {
        if self.case_removed()? {
            return Err(InputError::new("case", Problem::NotAllowedNow).into());
        }
        let reason = input::required("reason", reason, SHORT_TEXT)?;
        let removal = self.removal(reason.clone());
        autosurgeon::reconcile_prop(self.doc, ROOT, "removed", Some(removal))?;
        let id: String = autosurgeon::hydrate_prop(&*self.doc, ROOT, "id")?;
        let action = RevisionAction::Removed;
        self.note(Collection::Case, &id, action, Previous::new(), Some(reason))
    }

    /// Undo the removal of the whole case.
    pub fn restore_case(&mut self) -> Result<(), DocError> {
        if !self.case_removed()? {
            return Err(InputError::new("case", Problem::NotAllowedNow).into());
        }
        autosurgeon::reconcile_prop(self.doc, ROOT, "removed", None::<Removal>)?;
        let id: String = autosurgeon::hydrate_prop(&*self.doc, ROOT, "id")?;
        let action = RevisionAction::Restored;
        self.note(Collection::Case, &id, action, Previous::new(), None)
    }

    /// Note that concurrent values of `field` of item `id` were settled: `discarded` are the
    /// values not chosen (kept as the revision's earlier values, so none is lost).
    pub fn note_settled(
        &mut self,
        collection: Collection,
        id: &str,
        field: &str,
        discarded: Vec<String>,
    ) -> Result<(), DocError> {
        let previous = Previous::from([(field.to_string(), discarded.join("\n\n"))]);
        self.note(collection, id, RevisionAction::Settled, previous, None)
    }

    fn removal(&self, reason: String) -> Removal {
        Removal {
            reason,
            by: self.me(),
            device: self.author.device().to_string(),
            at: now_ms(),
        }
    }
}

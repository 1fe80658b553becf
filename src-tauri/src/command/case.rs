//! Case work: the case file and every change to it (the caseload and its search are in
//! `caseload`).

use nabij_crdt::case::{
    self, ContactKind, FlagKind, HouseholdRole, NewConsent, NewFlag, NewJournalEntry, NewPerson,
    NewQuestion, NewTask, PersonUpdate, QuestionStatus,
};
use nabij_crdt::id::{CaseId, ItemId, MemberId};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::correction::{self, RemovalView, RemovedItemView, RevisionView};
use super::intake::IntakeTraceView;
use crate::ipc::{ErrorCode, IpcError};
use crate::state::AppState;

pub(crate) fn case_id(text: &str) -> Result<CaseId, IpcError> {
    CaseId::parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

pub(crate) fn item_id(text: &str) -> Result<ItemId, IpcError> {
    ItemId::parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

fn member_id(text: &str) -> Result<MemberId, IpcError> {
    MemberId::parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

/// A person in the household.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    /// Item id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Birth date.
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// `client`, `partner`, `child`, `parent` or `other`.
    pub role: String,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// A question for help.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuestionView {
    /// Item id.
    pub id: String,
    /// Theme.
    pub theme: String,
    /// The question.
    pub text: String,
    /// `open`, `in_progress`, `resolved`, `referred`.
    pub status: String,
    /// Asked on.
    pub opened: String,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// A journal entry.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JournalView {
    /// Item id.
    pub id: String,
    /// When.
    pub date: String,
    /// `visit`, `call`, `office`, `message`, `note`.
    pub kind: String,
    /// Author (member id).
    pub author: String,
    /// Text.
    pub text: String,
    /// Themes.
    pub themes: Vec<String>,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
    /// The front-door signal this entry records, if it came from the front door.
    pub intake: Option<IntakeTraceView>,
}

/// A task.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    /// Item id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Due date.
    pub due: Option<String>,
    /// Assignee (member id).
    pub assignee: Option<String>,
    /// Done.
    pub done: bool,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// A consent record.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    /// Item id.
    pub id: String,
    /// What.
    pub what: String,
    /// To whom.
    pub to_whom: String,
    /// Purpose.
    pub purpose: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Given on.
    pub date: String,
    /// Withdrawn on.
    pub withdrawn_at: Option<String>,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// A flag.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FlagView {
    /// Item id.
    pub id: String,
    /// `under_protection` or `other`.
    pub kind: String,
    /// The right not taken up.
    pub right: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Raised on.
    pub raised_at: String,
    /// Cleared on.
    pub cleared_at: Option<String>,
}

/// A field edited on two devices at once, with every value.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    /// Keys from the document root to the field.
    pub path: Vec<String>,
    /// Every value, as text.
    pub values: Vec<String>,
}

/// The whole case file.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CaseView {
    /// Case id.
    pub id: String,
    /// Client's name.
    pub client_name: String,
    /// Owner (member id).
    pub owner: String,
    /// Other members allowed to see the case.
    pub members: Vec<String>,
    /// `open` or `closed`.
    pub status: String,
    /// Reason of the last close/reopen.
    pub status_reason: Option<String>,
    /// Date of the last close/reopen.
    pub status_date: Option<String>,
    /// Household.
    pub people: Vec<PersonView>,
    /// Questions.
    pub questions: Vec<QuestionView>,
    /// Journal, newest first.
    pub journal: Vec<JournalView>,
    /// Tasks, open first then by due date.
    pub tasks: Vec<TaskView>,
    /// Consent records.
    pub consents: Vec<ConsentView>,
    /// Flags.
    pub flags: Vec<FlagView>,
    /// Conflicting fields.
    pub conflicts: Vec<ConflictView>,
    /// Items removed by mistake (left out of the lists above), most recent first.
    pub removed_items: Vec<RemovedItemView>,
    /// Set when the whole case was removed (a duplicate); it can be restored.
    pub removed: Option<RemovalView>,
    /// Removals and restorations of the whole case, newest first.
    pub history: Vec<RevisionView>,
}

fn role_code(role: HouseholdRole) -> &'static str {
    match role {
        HouseholdRole::Client => "client",
        HouseholdRole::Partner => "partner",
        HouseholdRole::Child => "child",
        HouseholdRole::Parent => "parent",
        HouseholdRole::Other => "other",
    }
}

fn question_code(status: QuestionStatus) -> &'static str {
    match status {
        QuestionStatus::Open => "open",
        QuestionStatus::InProgress => "in_progress",
        QuestionStatus::Resolved => "resolved",
        QuestionStatus::Referred => "referred",
    }
}

fn contact_code(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::Visit => "visit",
        ContactKind::Call => "call",
        ContactKind::Office => "office",
        ContactKind::Message => "message",
        ContactKind::Note => "note",
    }
}

/// Open a case file.
#[tauri::command]
#[specta::specta]
pub fn open_case(state: State<'_, AppState>, case_id: String) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    state.with_profile(|store, _| {
        let case = store.open_case(&id)?;
        let conflicts = store.case_conflicts(&id)?;
        Ok(case_view(case, conflicts))
    })
}

pub(crate) fn case_view(c: case::Case, conflicts: Vec<nabij_crdt::conflict::Conflict>) -> CaseView {
    let mut journal: Vec<JournalView> = c
        .journal
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, e)| JournalView {
            id: id.clone(),
            date: e.date.clone(),
            kind: contact_code(e.kind).into(),
            author: e.author.clone(),
            text: e.text.clone(),
            themes: e.themes.clone(),
            history: correction::history(&c, id),
            intake: e.intake.as_ref().map(IntakeTraceView::from),
        })
        .collect();
    journal.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
    let mut tasks: Vec<TaskView> = c
        .tasks
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, t)| TaskView {
            id: id.clone(),
            title: t.title.clone(),
            due: t.due.clone(),
            assignee: t.assignee.clone(),
            done: t.done,
            history: correction::history(&c, id),
        })
        .collect();
    tasks.sort_by(|a, b| {
        (a.done, a.due.is_none(), &a.due, &a.title).cmp(&(
            b.done,
            b.due.is_none(),
            &b.due,
            &b.title,
        ))
    });
    CaseView {
        client_name: c.client_name().to_string(),
        id: c.id.clone(),
        owner: c.owner.clone(),
        members: c
            .members
            .iter()
            .filter(|(_, a)| **a)
            .map(|(m, _)| m.clone())
            .collect(),
        status: c.status.state.as_str().into(),
        status_reason: c.status.reason.clone(),
        status_date: c.status.date.clone(),
        people: c
            .people
            .iter()
            .filter(|(id, _)| !c.is_removed(id))
            .map(|(id, p)| PersonView {
                id: id.clone(),
                name: p.name.clone(),
                birth_date: p.birth_date.clone(),
                contact: p.contact.clone(),
                language: p.language.clone(),
                role: role_code(p.role).into(),
                history: correction::history(&c, id),
            })
            .collect(),
        questions: c
            .questions
            .iter()
            .filter(|(id, _)| !c.is_removed(id))
            .map(|(id, q)| QuestionView {
                id: id.clone(),
                theme: q.theme.clone(),
                text: q.text.clone(),
                status: question_code(q.status).into(),
                opened: q.opened.clone(),
                history: correction::history(&c, id),
            })
            .collect(),
        journal,
        tasks,
        consents: c
            .consents
            .iter()
            .filter(|(id, _)| !c.is_removed(id))
            .map(|(id, x)| ConsentView {
                id: id.clone(),
                what: x.what.clone(),
                to_whom: x.to_whom.clone(),
                purpose: x.purpose.clone(),
                legal_basis: x.legal_basis.clone(),
                date: x.date.clone(),
                withdrawn_at: x.withdrawn_at.clone(),
                history: correction::history(&c, id),
            })
            .collect(),
        flags: c
            .flags
            .iter()
            .map(|(id, f)| FlagView {
                id: id.clone(),
                kind: match f.kind {
                    FlagKind::UnderProtection => "under_protection".into(),
                    FlagKind::Other => "other".into(),
                },
                right: f.right.clone(),
                note: f.note.clone(),
                raised_at: f.raised_at.clone(),
                cleared_at: f.cleared_at.clone(),
            })
            .collect(),
        conflicts: conflicts
            .into_iter()
            .map(|x| ConflictView {
                values: x.value_texts(),
                path: x.path,
            })
            .collect(),
        removed_items: correction::removed_items(&c),
        removed: c.removed.as_ref().map(correction::removal_view),
        history: correction::history(&c, &c.id),
    }
}

/// Apply a validated edit to a case as this device's user (the client index follows a changed
/// client name or birth date); answer with the updated case file.
pub(crate) fn edit(
    state: &AppState,
    case_id: &str,
    change: impl FnOnce(&mut case::CaseEditor<'_>) -> Result<(), nabij_crdt::doc::DocError>,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(case_id)?;
    state.with_profile(|store, me| {
        store.edit_case_as(me, &id, change)?;
        let conflicts = store.case_conflicts(&id)?;
        Ok(case_view(store.open_case(&id)?, conflicts))
    })
}

/// What is needed to open a case.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewCaseRequest {
    /// Client's full name.
    pub client_name: String,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Owner (member id); me when absent.
    pub owner: Option<String>,
}

/// Open a new case; answers with its id.
#[tauri::command]
#[specta::specta]
pub fn create_case(
    state: State<'_, AppState>,
    request: NewCaseRequest,
) -> Result<String, IpcError> {
    let owner = request.owner.as_deref().map(member_id).transpose()?;
    state.with_profile(|store, me| {
        let new = case::NewCase {
            client_name: request.client_name,
            birth_date: request.birth_date,
            contact: request.contact,
            language: request.language,
            owner,
        };
        Ok(store.register_case(me, new)?.to_string())
    })
}

/// Kind of contact.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ContactKindCode {
    /// Visit.
    Visit,
    /// Phone call.
    Call,
    /// Office meeting.
    Office,
    /// Message.
    Message,
    /// Note.
    Note,
}

impl From<ContactKindCode> for ContactKind {
    fn from(c: ContactKindCode) -> Self {
        match c {
            ContactKindCode::Visit => ContactKind::Visit,
            ContactKindCode::Call => ContactKind::Call,
            ContactKindCode::Office => ContactKind::Office,
            ContactKindCode::Message => ContactKind::Message,
            ContactKindCode::Note => ContactKind::Note,
        }
    }
}

/// A journal entry to write.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JournalRequest {
    /// When (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`); now when absent.
    pub date: Option<String>,
    /// Kind of contact.
    pub kind: ContactKindCode,
    /// Text.
    pub text: String,
    /// Themes.
    pub themes: Vec<String>,
}

/// Write a journal entry.
#[tauri::command]
#[specta::specta]
pub fn add_journal_entry(
    state: State<'_, AppState>,
    case_id: String,
    entry: JournalRequest,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| {
        let new = NewJournalEntry {
            date: entry.date,
            kind: entry.kind.into(),
            text: entry.text,
            themes: entry.themes,
        };
        c.add_journal_entry(new).map(|_| ())
    })
}

/// A task to add.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskRequest {
    /// What to do.
    pub title: String,
    /// Due date.
    pub due: Option<String>,
    /// Assignee (member id).
    pub assignee: Option<String>,
}

/// Add a task.
#[tauri::command]
#[specta::specta]
pub fn add_task(
    state: State<'_, AppState>,
    case_id: String,
    task: TaskRequest,
) -> Result<CaseView, IpcError> {
    let assignee = task.assignee.as_deref().map(member_id).transpose()?;
    edit(&state, &case_id, |c| {
        c.add_task(NewTask {
            title: task.title,
            due: task.due,
            assignee,
        })
        .map(|_| ())
    })
}

/// Mark a task done or not done.
#[tauri::command]
#[specta::specta]
pub fn set_task_done(
    state: State<'_, AppState>,
    case_id: String,
    task_id: String,
    done: bool,
) -> Result<CaseView, IpcError> {
    let task = item_id(&task_id)?;
    edit(&state, &case_id, |c| c.set_task_done(&task, done))
}

/// Status of a question.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatusCode {
    /// Open.
    Open,
    /// In progress.
    InProgress,
    /// Resolved.
    Resolved,
    /// Referred.
    Referred,
}

/// Register a question for help.
#[tauri::command]
#[specta::specta]
pub fn add_question(
    state: State<'_, AppState>,
    case_id: String,
    theme: String,
    text: String,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| {
        c.add_question(NewQuestion { theme, text }).map(|_| ())
    })
}

/// Change where a question stands.
#[tauri::command]
#[specta::specta]
pub fn set_question_status(
    state: State<'_, AppState>,
    case_id: String,
    question_id: String,
    status: QuestionStatusCode,
) -> Result<CaseView, IpcError> {
    let question = item_id(&question_id)?;
    let status = match status {
        QuestionStatusCode::Open => QuestionStatus::Open,
        QuestionStatusCode::InProgress => QuestionStatus::InProgress,
        QuestionStatusCode::Resolved => QuestionStatus::Resolved,
        QuestionStatusCode::Referred => QuestionStatus::Referred,
    };
    edit(&state, &case_id, |c| {
        c.set_question_status(&question, status)
    })
}

/// Role in the household.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RoleCode {
    /// Client.
    Client,
    /// Partner.
    Partner,
    /// Child.
    Child,
    /// Parent.
    Parent,
    /// Other.
    Other,
}

/// A person to add.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonRequest {
    /// Name.
    pub name: String,
    /// Birth date.
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Role.
    pub role: RoleCode,
}

/// Add a person to the household.
#[tauri::command]
#[specta::specta]
pub fn add_person(
    state: State<'_, AppState>,
    case_id: String,
    person: PersonRequest,
) -> Result<CaseView, IpcError> {
    let role = match person.role {
        RoleCode::Client => HouseholdRole::Client,
        RoleCode::Partner => HouseholdRole::Partner,
        RoleCode::Child => HouseholdRole::Child,
        RoleCode::Parent => HouseholdRole::Parent,
        RoleCode::Other => HouseholdRole::Other,
    };
    edit(&state, &case_id, |c| {
        let new = NewPerson {
            name: person.name,
            birth_date: person.birth_date,
            contact: person.contact,
            language: person.language,
            role,
        };
        c.add_person(new).map(|_| ())
    })
}

/// Fields of a person to change (absent: unchanged; empty: cleared).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonUpdateRequest {
    /// Name.
    pub name: Option<String>,
    /// Birth date.
    pub birth_date: Option<String>,
    /// Phone or e-mail.
    pub contact: Option<String>,
    /// Language.
    pub language: Option<String>,
}

/// Change a person's details.
#[tauri::command]
#[specta::specta]
pub fn update_person(
    state: State<'_, AppState>,
    case_id: String,
    person_id: String,
    update: PersonUpdateRequest,
) -> Result<CaseView, IpcError> {
    let person = item_id(&person_id)?;
    edit(&state, &case_id, |c| {
        let update = PersonUpdate {
            name: update.name,
            birth_date: update.birth_date,
            contact: update.contact,
            language: update.language,
        };
        c.update_person(&person, update)
    })
}

/// A consent record.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRequest {
    /// What information.
    pub what: String,
    /// To whom.
    pub to_whom: String,
    /// Purpose.
    pub purpose: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Given on; today when absent.
    pub date: Option<String>,
}

/// Record consent or a disclosure.
#[tauri::command]
#[specta::specta]
pub fn record_consent(
    state: State<'_, AppState>,
    case_id: String,
    consent: ConsentRequest,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| {
        let new = NewConsent {
            what: consent.what,
            to_whom: consent.to_whom,
            purpose: consent.purpose,
            legal_basis: consent.legal_basis,
            date: consent.date,
        };
        c.record_consent(new).map(|_| ())
    })
}

/// Record that consent was withdrawn (today).
#[tauri::command]
#[specta::specta]
pub fn withdraw_consent(
    state: State<'_, AppState>,
    case_id: String,
    consent_id: String,
) -> Result<CaseView, IpcError> {
    let consent = item_id(&consent_id)?;
    edit(&state, &case_id, |c| c.withdraw_consent(&consent, None))
}

/// Raise an under-protection flag (a right not taken up) or another flag.
#[tauri::command]
#[specta::specta]
pub fn raise_flag(
    state: State<'_, AppState>,
    case_id: String,
    under_protection: bool,
    right: Option<String>,
    note: Option<String>,
) -> Result<CaseView, IpcError> {
    let kind = if under_protection {
        FlagKind::UnderProtection
    } else {
        FlagKind::Other
    };
    edit(&state, &case_id, |c| {
        c.raise_flag(NewFlag { kind, right, note }).map(|_| ())
    })
}

/// Clear a flag.
#[tauri::command]
#[specta::specta]
pub fn clear_flag(
    state: State<'_, AppState>,
    case_id: String,
    flag_id: String,
) -> Result<CaseView, IpcError> {
    let flag = item_id(&flag_id)?;
    edit(&state, &case_id, |c| c.clear_flag(&flag))
}

/// Close the case with a reason.
#[tauri::command]
#[specta::specta]
pub fn close_case(
    state: State<'_, AppState>,
    case_id: String,
    reason: String,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| c.close(&reason, None))
}

/// Reopen the case with a reason.
#[tauri::command]
#[specta::specta]
pub fn reopen_case(
    state: State<'_, AppState>,
    case_id: String,
    reason: String,
) -> Result<CaseView, IpcError> {
    edit(&state, &case_id, |c| c.reopen(&reason))
}

/// Hand the case to another member (the client index follows).
#[tauri::command]
#[specta::specta]
pub fn set_case_owner(
    state: State<'_, AppState>,
    case_id: String,
    owner: String,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    let owner = member_id(&owner)?;
    state.with_profile(|store, me| {
        store.hand_over(me, &id, &owner)?;
        let conflicts = store.case_conflicts(&id)?;
        Ok(case_view(store.open_case(&id)?, conflicts))
    })
}

/// Allow a member to see the case, or withdraw that.
#[tauri::command]
#[specta::specta]
pub fn set_member_allowed(
    state: State<'_, AppState>,
    case_id: String,
    member: String,
    allowed: bool,
) -> Result<CaseView, IpcError> {
    let member = member_id(&member)?;
    edit(&state, &case_id, |c| c.set_member_allowed(&member, allowed))
}

/// Settle a conflicting field by picking one of its values.
#[tauri::command]
#[specta::specta]
pub fn resolve_conflict(
    state: State<'_, AppState>,
    case_id: String,
    path: Vec<String>,
    choice: u32,
) -> Result<CaseView, IpcError> {
    let id = self::case_id(&case_id)?;
    state.with_profile(|store, me| {
        store.resolve_case_conflict_as(me, &id, &path, choice as usize)?;
        let conflicts = store.case_conflicts(&id)?;
        Ok(case_view(store.open_case(&id)?, conflicts))
    })
}

/// A saved draft (e.g. a journal entry being typed).
#[tauri::command]
#[specta::specta]
pub fn draft(state: State<'_, AppState>, key: String) -> Result<Option<String>, IpcError> {
    Ok(state.store()?.draft(&key)?)
}

/// Save a draft (empty text forgets it), so it survives errors and restarts.
#[tauri::command]
#[specta::specta]
pub fn save_draft(state: State<'_, AppState>, key: String, text: String) -> Result<(), IpcError> {
    Ok(state.store()?.set_draft(&key, &text)?)
}

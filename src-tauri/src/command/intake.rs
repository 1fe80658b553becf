//! The front door ("Onthaal"): register a question or signal, find who guides a person, and
//! turn an item into a case, link it, or close it.

use nabij_crdt::case::{IntakeTrace, NewCase};
use nabij_crdt::id::{CaseId, ItemId};
use nabij_crdt::input;
use nabij_crdt::intake::{IntakeId, IntakeSource, IntakeStatus, NewIntakeItem, Urgency};
use nabij_crdt::store::{ClientMatch, IntakeRow};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::ipc::{ErrorCode, IpcError};
use crate::state::AppState;

fn parse<T>(
    text: &str,
    parse: fn(&str) -> Result<T, nabij_crdt::id::IdError>,
) -> Result<T, IpcError> {
    parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

/// Where a signal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SourceCode {
    /// A volunteer.
    Volunteer,
    /// A partner organisation.
    Partner,
    /// A citizen.
    Citizen,
    /// The person themself.
    ThePerson,
}

/// How urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum UrgencyCode {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

impl From<IntakeSource> for SourceCode {
    fn from(source: IntakeSource) -> Self {
        match source {
            IntakeSource::Volunteer => Self::Volunteer,
            IntakeSource::Partner => Self::Partner,
            IntakeSource::Citizen => Self::Citizen,
            IntakeSource::ThePerson => Self::ThePerson,
        }
    }
}

impl From<SourceCode> for IntakeSource {
    fn from(code: SourceCode) -> Self {
        match code {
            SourceCode::Volunteer => Self::Volunteer,
            SourceCode::Partner => Self::Partner,
            SourceCode::Citizen => Self::Citizen,
            SourceCode::ThePerson => Self::ThePerson,
        }
    }
}

impl From<Urgency> for UrgencyCode {
    fn from(urgency: Urgency) -> Self {
        match urgency {
            Urgency::Low => Self::Low,
            Urgency::Normal => Self::Normal,
            Urgency::High => Self::High,
            Urgency::Urgent => Self::Urgent,
        }
    }
}

impl From<UrgencyCode> for Urgency {
    fn from(code: UrgencyCode) -> Self {
        match code {
            UrgencyCode::Low => Self::Low,
            UrgencyCode::Normal => Self::Normal,
            UrgencyCode::High => Self::High,
            UrgencyCode::Urgent => Self::Urgent,
        }
    }
}

/// Where an intake item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatusCode {
    /// Not handled yet.
    New,
    /// Linked to a (new or existing) case.
    Linked,
    /// Referred to a partner without a case.
    Referred,
    /// Closed, with a reason.
    Closed,
}

impl From<IntakeStatus> for IntakeStatusCode {
    fn from(status: IntakeStatus) -> Self {
        match status {
            IntakeStatus::New => Self::New,
            IntakeStatus::Linked => Self::Linked,
            IntakeStatus::Referred => Self::Referred,
            IntakeStatus::Closed => Self::Closed,
        }
    }
}

impl From<IntakeStatusCode> for IntakeStatus {
    fn from(code: IntakeStatusCode) -> Self {
        match code {
            IntakeStatusCode::New => Self::New,
            IntakeStatusCode::Linked => Self::Linked,
            IntakeStatusCode::Referred => Self::Referred,
            IntakeStatusCode::Closed => Self::Closed,
        }
    }
}

/// A question or signal at the front door.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IntakeRequest {
    /// Free text.
    pub text: String,
    /// Theme slug.
    pub theme: Option<String>,
    /// Source.
    pub source: SourceCode,
    /// Urgency.
    pub urgency: UrgencyCode,
    /// The person's name, if given.
    pub name: Option<String>,
    /// Neighbourhood.
    pub neighbourhood: Option<String>,
}

/// One item of the intake queue.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IntakeRowView {
    /// Item id.
    pub item_id: String,
    /// Source.
    pub source: SourceCode,
    /// Text.
    pub text: String,
    /// Neighbourhood.
    pub neighbourhood: Option<String>,
    /// Urgency.
    pub urgency: UrgencyCode,
    /// Where it stands.
    pub status: IntakeStatusCode,
    /// Registered at (ms since epoch).
    pub created_at: f64,
    /// Linked case.
    pub case_id: Option<String>,
    /// The person's name, if one was given.
    pub name: Option<String>,
    /// Theme slug, if one was given.
    pub theme: Option<String>,
}

impl From<IntakeRow> for IntakeRowView {
    fn from(r: IntakeRow) -> Self {
        Self {
            item_id: r.item_id,
            source: r.source.into(),
            text: r.text,
            neighbourhood: r.neighbourhood,
            urgency: r.urgency.into(),
            status: r.status.into(),
            created_at: r.created_at as f64,
            case_id: r.case_id,
            name: r.name,
            theme: r.theme,
        }
    }
}

/// Where a journal entry came from when it records a front-door signal.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IntakeTraceView {
    /// Who brought the signal in.
    pub source: SourceCode,
    /// How urgent it looked.
    pub urgency: UrgencyCode,
    /// The name given at the front door.
    pub name: Option<String>,
    /// The member who registered the signal.
    pub registered_by: String,
    /// Linked to this existing case (rather than opening it).
    pub linked: bool,
}

impl From<&IntakeTrace> for IntakeTraceView {
    fn from(t: &IntakeTrace) -> Self {
        Self {
            source: t.source.into(),
            urgency: t.urgency.into(),
            name: t.name.clone(),
            registered_by: t.registered_by.clone(),
            linked: t.linked,
        }
    }
}

fn intake_id(text: &str) -> Result<IntakeId, IpcError> {
    parse(text, IntakeId::parse)
}

/// Register a question or signal; answers with the updated queue of open items.
#[tauri::command]
#[specta::specta]
pub fn register_intake(
    state: State<'_, AppState>,
    request: IntakeRequest,
) -> Result<Vec<IntakeRowView>, IpcError> {
    state.with_profile(|store, me| {
        let item = NewIntakeItem {
            source: request.source.into(),
            text: request.text,
            neighbourhood: request.neighbourhood,
            urgency: request.urgency.into(),
            name: request.name,
            theme: request.theme,
        };
        store.edit_intake(&store.author(me)?, &intake_id(&me.intake)?, |q| {
            q.add_item(item)
        })?;
        Ok(store
            .intake_queue(Some(IntakeStatus::New))?
            .into_iter()
            .map(IntakeRowView::from)
            .collect())
    })
}

/// The intake queue (only items with `status` when given), newest first.
#[tauri::command]
#[specta::specta]
pub fn intake_queue(
    state: State<'_, AppState>,
    status: Option<IntakeStatusCode>,
) -> Result<Vec<IntakeRowView>, IpcError> {
    state.with_profile(|store, _| {
        Ok(store
            .intake_queue(status.map(Into::into))?
            .into_iter()
            .map(IntakeRowView::from)
            .collect())
    })
}

/// Someone in the client index: who guides this person (not the case itself).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ClientMatchView {
    /// The case id (to link an item; the front door does not open it).
    pub case_id: String,
    /// Display name.
    pub display_name: String,
    /// Birth year.
    pub birth_year: Option<u16>,
    /// The case owner's name.
    pub owner_name: String,
}

/// Search the team's client index by name (prefix) and birth year.
#[tauri::command]
#[specta::specta]
pub fn find_clients(
    state: State<'_, AppState>,
    name: String,
    birth_year: Option<String>,
) -> Result<Vec<ClientMatchView>, IpcError> {
    let birth_year = input::search_year("birth_year", birth_year.as_deref())
        .map_err(|e| IpcError::invalid(&e))?;
    state.with_profile(|store, me| {
        let team = store.open_team(&me.team)?;
        let found: Vec<ClientMatch> = store.find_clients(&name, birth_year)?;
        Ok(found
            .into_iter()
            .take(50)
            .map(|m| ClientMatchView {
                owner_name: team
                    .members
                    .get(&m.owner)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                case_id: m.case_id,
                display_name: m.display_name,
                birth_year: m.birth_year,
            })
            .collect())
    })
}

/// The front-door signals linked to a case that its journal does not record (linked on a
/// device that does not hold the case), oldest first.
#[tauri::command]
#[specta::specta]
pub fn linked_signals(
    state: State<'_, AppState>,
    case_id: String,
) -> Result<Vec<IntakeRowView>, IpcError> {
    let id = parse(&case_id, CaseId::parse)?;
    state.with_profile(|store, _| {
        Ok(store
            .linked_signals(&id)?
            .into_iter()
            .map(IntakeRowView::from)
            .collect())
    })
}

/// Someone already in the client index who may be the person a new case is for.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SimilarClientView {
    /// The case id.
    pub case_id: String,
    /// Display name.
    pub display_name: String,
    /// Birth year.
    pub birth_year: Option<u16>,
    /// The case owner's name (who guides them).
    pub owner_name: String,
    /// The owner is me.
    pub mine: bool,
    /// This device holds the case, so it can be opened here.
    pub held: bool,
}

/// The duplicate check before a case is made: clients with the same name (or a close
/// spelling) and, when both are known, the same birth year, with who guides them.
#[tauri::command]
#[specta::specta]
pub fn similar_clients(
    state: State<'_, AppState>,
    name: String,
    birth_date: Option<String>,
) -> Result<Vec<SimilarClientView>, IpcError> {
    let birth_year = birth_date
        .as_deref()
        .and_then(|d| nabij_crdt::date::Date::parse(d.trim()).ok())
        .map(|d| d.year());
    state.with_profile(|store, me| {
        let team = store.open_team(&me.team)?;
        Ok(store
            .similar_clients(&name, birth_year, 10)?
            .into_iter()
            .map(|m| SimilarClientView {
                owner_name: team
                    .members
                    .get(&m.owner)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                mine: m.owner == me.member.as_str(),
                held: m.held,
                case_id: m.case_id,
                display_name: m.display_name,
                birth_year: m.birth_year,
            })
            .collect())
    })
}

/// Turn an intake item into a new case (owned by `owner`, or me); answers with the case id.
#[tauri::command]
#[specta::specta]
pub fn intake_to_case(
    state: State<'_, AppState>,
    item_id: String,
    client_name: String,
    birth_date: Option<String>,
    owner: Option<String>,
) -> Result<String, IpcError> {
    let item = parse(&item_id, ItemId::parse)?;
    let owner = owner
        .as_deref()
        .map(|o| parse(o, nabij_crdt::id::MemberId::parse))
        .transpose()?;
    state.with_profile(|store, me| {
        let new = NewCase {
            client_name,
            birth_date,
            owner,
            ..Default::default()
        };
        Ok(store.case_from_intake(me, &item, new)?.to_string())
    })
}

/// Link an intake item to an existing case.
#[tauri::command]
#[specta::specta]
pub fn link_intake(
    state: State<'_, AppState>,
    item_id: String,
    case_id: String,
) -> Result<(), IpcError> {
    let item = parse(&item_id, ItemId::parse)?;
    let case = parse(&case_id, CaseId::parse)?;
    state.with_profile(|store, me| Ok(store.link_intake(me, &item, &case)?))
}

/// Close an intake item with a reason.
#[tauri::command]
#[specta::specta]
pub fn close_intake(
    state: State<'_, AppState>,
    item_id: String,
    reason: String,
) -> Result<(), IpcError> {
    let item = parse(&item_id, ItemId::parse)?;
    state.with_profile(|store, me| {
        store.edit_intake(&store.author(me)?, &intake_id(&me.intake)?, |q| {
            q.close_item(&item, &reason)
        })?;
        Ok(())
    })
}

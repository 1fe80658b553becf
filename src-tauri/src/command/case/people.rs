//! The household: the people in a case, their roles, and changes to their details (the client
//! index follows a changed client name or birth date).

use nabij_crdt::case::{self, HouseholdRole, NewPerson, PersonUpdate};
use serde::{Deserialize, Serialize};
use tauri::State;

use super::{CaseView, edit, item_id};
use crate::command::correction::{self, RevisionView};
use crate::ipc::IpcError;
use crate::state::AppState;

/// Role in the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
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

impl From<HouseholdRole> for RoleCode {
    fn from(role: HouseholdRole) -> Self {
        match role {
            HouseholdRole::Client => Self::Client,
            HouseholdRole::Partner => Self::Partner,
            HouseholdRole::Child => Self::Child,
            HouseholdRole::Parent => Self::Parent,
            HouseholdRole::Other => Self::Other,
        }
    }
}

impl From<RoleCode> for HouseholdRole {
    fn from(code: RoleCode) -> Self {
        match code {
            RoleCode::Client => Self::Client,
            RoleCode::Partner => Self::Partner,
            RoleCode::Child => Self::Child,
            RoleCode::Parent => Self::Parent,
            RoleCode::Other => Self::Other,
        }
    }
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
    /// Address.
    pub address: Option<String>,
    /// Role in the household.
    pub role: RoleCode,
    /// Earlier versions (corrections), newest first.
    pub history: Vec<RevisionView>,
}

/// The household, leaving out people removed by mistake.
pub(super) fn views(c: &case::Case) -> Vec<PersonView> {
    c.people
        .iter()
        .filter(|(id, _)| !c.is_removed(id))
        .map(|(id, p)| PersonView {
            id: id.clone(),
            name: p.name.clone(),
            birth_date: p.birth_date.clone(),
            contact: p.contact.clone(),
            language: p.language.clone(),
            address: p.address.clone(),
            role: p.role.into(),
            history: correction::history(c, id),
        })
        .collect()
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
    /// Address.
    pub address: Option<String>,
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
    edit(&state, &case_id, |c| {
        let new = NewPerson {
            name: person.name,
            birth_date: person.birth_date,
            contact: person.contact,
            language: person.language,
            address: person.address,
            role: person.role.into(),
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
    /// Address.
    pub address: Option<String>,
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
            address: update.address,
        };
        c.update_person(&person, update)
    })
}

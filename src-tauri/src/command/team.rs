//! The profile of this device's user, first start (a new team), and the team's members and themes.

use nabij_crdt::store::Store;
use nabij_crdt::store::profile::Profile;
use nabij_crdt::team::NewMember;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// Who I am on this device, and my team.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// My member id.
    pub member_id: String,
    /// My name.
    pub name: String,
    /// My role.
    pub role: String,
    /// My organisation.
    pub organisation: Option<String>,
    /// Whether I am a team admin.
    pub admin: bool,
    /// The team id.
    pub team_id: String,
    /// The team's name.
    pub team_name: String,
}

pub(crate) fn profile_view(store: &mut Store, me: &Profile) -> Result<ProfileView, IpcError> {
    let team = store.open_team(&me.team)?;
    let member = team.members.get(me.member.as_str());
    Ok(ProfileView {
        member_id: me.member.to_string(),
        name: member.map(|m| m.name.clone()).unwrap_or_default(),
        role: member.map(|m| m.role.clone()).unwrap_or_default(),
        organisation: member.and_then(|m| m.organisation.clone()),
        admin: team.is_admin(me.member.as_str()),
        team_id: me.team.to_string(),
        team_name: team.name,
    })
}

/// My profile, or nothing when this device has none yet (first start).
#[tauri::command]
#[specta::specta]
pub fn profile(state: State<'_, AppState>) -> Result<Option<ProfileView>, IpcError> {
    let mut store = state.store()?;
    match store.profile()? {
        Some(me) => Ok(Some(profile_view(&mut store, &me)?)),
        None => Ok(None),
    }
}

/// What is needed to start a new team.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StartTeamRequest {
    /// The team's name.
    pub team_name: String,
    /// My name.
    pub name: String,
    /// My role.
    pub role: String,
    /// My organisation.
    pub organisation: Option<String>,
    /// Load the example partner directory into the new team.
    pub example_directory: bool,
}

/// First start: create a team with me as its first member (and, if asked, the example partner
/// directory).
#[tauri::command]
#[specta::specta]
pub fn start_team(
    state: State<'_, AppState>,
    request: StartTeamRequest,
) -> Result<ProfileView, IpcError> {
    let mut store = state.store()?;
    let me = NewMember {
        name: request.name,
        role: request.role,
        organisation: request.organisation,
    };
    let profile = if request.example_directory {
        store.start_team_with_example_directory(&request.team_name, me)?
    } else {
        store.start_team(&request.team_name, me)?
    };
    profile_view(&mut store, &profile)
}

/// A member of the team.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    /// Member id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// The partner of the directory the member works for (its id), if any.
    pub partner_id: Option<String>,
    /// Whether the member is an admin.
    pub admin: bool,
}

/// The team's current members, by name.
#[tauri::command]
#[specta::specta]
pub fn team_members(state: State<'_, AppState>) -> Result<Vec<MemberView>, IpcError> {
    state.with_profile(|store, me| {
        let team = store.open_team(&me.team)?;
        let mut members: Vec<MemberView> = team
            .members
            .into_iter()
            .filter(|(_, m)| m.removed_at.is_none())
            .map(|(id, m)| MemberView {
                id,
                name: m.name,
                role: m.role,
                organisation: m.organisation,
                partner_id: m.partner.filter(|p| team.partners.contains_key(p)),
                admin: m.admin,
            })
            .collect();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(members)
    })
}

/// A theme.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ThemeView {
    /// Slug (stored on questions and entries).
    pub slug: String,
    /// Label set by the team (the UI translates the default themes itself).
    pub label: String,
}

/// The team's themes.
#[tauri::command]
#[specta::specta]
pub fn themes(state: State<'_, AppState>) -> Result<Vec<ThemeView>, IpcError> {
    state.with_profile(|store, me| {
        let team = store.open_team(&me.team)?;
        Ok(team
            .themes
            .into_iter()
            .map(|(slug, label)| ThemeView { slug, label })
            .collect())
    })
}

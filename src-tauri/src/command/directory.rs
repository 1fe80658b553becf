//! The partner directory ("Sociale kaart"): search it, add and change partners, import a CSV
//! file or the example directory, and say which partner a member works for.

use nabij_crdt::id::{ItemId, MemberId};
use nabij_crdt::store::{Imported, PartnerRow, StoreError};
use nabij_crdt::team::{NewPartner, PartnerUpdate};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::ipc::{ErrorCode, IpcError, Problem};
use crate::state::AppState;

/// What the directory is searched for.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryQuery {
    /// Typed words: each is a prefix of a word of the name, a service or a theme.
    pub query: String,
    /// Only partners of this theme (slug).
    pub theme: Option<String>,
    /// Partners of this theme (slug) first, e.g. the theme of the question referred from.
    pub theme_first: Option<String>,
}

/// A partner's figures, from the team's own referrals on this device.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PartnerFiguresView {
    /// Referrals sent to it (not withdrawn).
    pub sent: u32,
    /// Of those it answered, the share it accepted (0 to 1).
    pub accepted_share: Option<f64>,
    /// Median days from sending to first contact.
    pub median_days_to_first_contact: Option<f64>,
}

/// A partner of the directory.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PartnerView {
    /// Item id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it offers.
    pub services: Vec<String>,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Web address.
    pub website: Option<String>,
    /// Opening hours.
    pub opening_hours: Option<String>,
    /// Whom to ask for.
    pub contact_person: Option<String>,
    /// Whether its workers are bound by professional secrecy.
    pub bound_by_secrecy: bool,
    /// The member who changed it last (member id).
    pub changed_by: Option<String>,
    /// When (ms since epoch).
    pub changed_at_ms: Option<f64>,
    /// Members of the team who work for it (it works in Nabij when > 0).
    pub members: u32,
    /// Its figures.
    pub figures: PartnerFiguresView,
}

impl From<PartnerRow> for PartnerView {
    fn from(row: PartnerRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            services: row.services,
            themes: row.themes,
            address: row.address,
            phone: row.phone,
            email: row.email,
            website: row.website,
            opening_hours: row.opening_hours,
            contact_person: row.contact_person,
            bound_by_secrecy: row.bound_by_secrecy,
            changed_by: row.changed_by,
            changed_at_ms: row.changed_at.map(|ms| ms as f64),
            members: row.members,
            figures: PartnerFiguresView {
                sent: row.figures.sent,
                accepted_share: row.figures.accepted_share,
                median_days_to_first_contact: row.figures.median_days_to_first_contact,
            },
        }
    }
}

/// A partner as the add/edit dialog sends it (every field; empty texts clear).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PartnerRequest {
    /// Name.
    pub name: String,
    /// Services.
    pub services: Vec<String>,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// Address.
    pub address: String,
    /// Phone number.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// Web address.
    pub website: String,
    /// Opening hours.
    pub opening_hours: String,
    /// Whom to ask for.
    pub contact_person: String,
    /// Bound by professional secrecy.
    pub bound_by_secrecy: bool,
}

impl From<PartnerRequest> for NewPartner {
    fn from(r: PartnerRequest) -> Self {
        let text = |t: String| (!t.trim().is_empty()).then_some(t);
        Self {
            name: r.name,
            services: r.services,
            themes: r.themes,
            address: text(r.address),
            phone: text(r.phone),
            email: text(r.email),
            website: text(r.website),
            opening_hours: text(r.opening_hours),
            contact_person: text(r.contact_person),
            bound_by_secrecy: r.bound_by_secrecy,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportedView {
    /// Partners added.
    pub added: u32,
    /// Partners changed.
    pub updated: u32,
    /// Partners already as the file has them.
    pub unchanged: u32,
}

impl From<Imported> for ImportedView {
    fn from(i: Imported) -> Self {
        let n = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            added: n(i.added),
            updated: n(i.updated),
            unchanged: n(i.unchanged),
        }
    }
}

fn item(id: &str) -> Result<ItemId, IpcError> {
    ItemId::parse(id).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

/// The partners matching a search, of a theme, a theme first.
#[tauri::command]
#[specta::specta]
pub fn directory(
    state: State<'_, AppState>,
    request: DirectoryQuery,
) -> Result<Vec<PartnerView>, IpcError> {
    state.with_profile(|store, _| {
        let rows = store.directory(
            &request.query,
            request.theme.as_deref(),
            request.theme_first.as_deref(),
        )?;
        Ok(rows.into_iter().map(PartnerView::from).collect())
    })
}

/// The partner `id` as stored now.
fn view(store: &nabij_crdt::store::Store, id: &ItemId) -> Result<PartnerView, IpcError> {
    store
        .directory_partner(id)?
        .map(PartnerView::from)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("no partner {id}")))
}

/// Add a partner (any member).
#[tauri::command]
#[specta::specta]
pub fn add_partner(
    state: State<'_, AppState>,
    request: PartnerRequest,
) -> Result<PartnerView, IpcError> {
    state.with_profile(|store, me| {
        let id = store.add_partner(me, request.into())?;
        view(store, &id)
    })
}

/// Change a partner (any member): every field as the dialog shows it.
#[tauri::command]
#[specta::specta]
pub fn update_partner(
    state: State<'_, AppState>,
    partner_id: String,
    request: PartnerRequest,
) -> Result<PartnerView, IpcError> {
    state.with_profile(|store, me| {
        let id = item(&partner_id)?;
        let update = PartnerUpdate::from(NewPartner::from(request));
        store.update_partner(me, &id, update)?;
        view(store, &id)
    })
}

/// A bad line of an imported file.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportLineView {
    /// The line in the file (1 is the line of column names).
    pub line: u32,
    /// The column as the README names it (`email`, `themas`, ...; an unknown one as the file
    /// writes it; empty for the row as a whole).
    pub column: String,
    /// What is wrong.
    pub problem: Problem,
    /// For `too_long`: the maximum length.
    pub max: Option<u32>,
    /// The value concerned, where that helps (an unknown theme, the earlier line of a name).
    pub value: Option<String>,
}

/// What importing a file did: imported all of it, or nothing and the bad lines.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportOutcome {
    /// What was imported (none when a line is bad).
    pub imported: Option<ImportedView>,
    /// The bad lines, in file order (the first 50).
    pub problems: Vec<ImportLineView>,
    /// How many lines were bad in all.
    pub bad_lines: u32,
}

fn outcome(result: Result<Imported, StoreError>) -> Result<ImportOutcome, IpcError> {
    match result {
        Ok(done) => Ok(ImportOutcome {
            imported: Some(done.into()),
            problems: Vec::new(),
            bad_lines: 0,
        }),
        Err(StoreError::Import(bad)) => Ok(ImportOutcome {
            imported: None,
            problems: bad
                .errors
                .iter()
                .map(|e| {
                    let (problem, max) = Problem::of_import(&e.problem);
                    ImportLineView {
                        line: u32::try_from(e.line).unwrap_or(u32::MAX),
                        column: e.column.clone(),
                        problem,
                        max,
                        value: e.detail.clone(),
                    }
                })
                .collect(),
            bad_lines: u32::try_from(bad.total).unwrap_or(u32::MAX),
        }),
        Err(other) => Err(other.into()),
    }
}

/// Import partners from the text of a CSV file (the columns in the README): all or nothing.
#[tauri::command]
#[specta::specta]
pub fn import_partners(state: State<'_, AppState>, csv: String) -> Result<ImportOutcome, IpcError> {
    state.with_profile(|store, me| outcome(store.import_partners(me, &csv)))
}

/// Load the example directory (27 fictional organisations).
#[tauri::command]
#[specta::specta]
pub fn load_example_directory(state: State<'_, AppState>) -> Result<ImportedView, IpcError> {
    state.with_profile(|store, me| Ok(store.load_example_directory(me)?.into()))
}

/// Say which partner a member works for (`None`: another organisation or none); admins only.
#[tauri::command]
#[specta::specta]
pub fn set_member_partner(
    state: State<'_, AppState>,
    member_id: String,
    partner_id: Option<String>,
) -> Result<(), IpcError> {
    state.with_profile(|store, me| {
        let member =
            MemberId::parse(&member_id).map_err(|e| IpcError::new(ErrorCode::NotFound, e))?;
        let partner = partner_id.as_deref().map(item).transpose()?;
        Ok(store.set_member_partner(me, &member, partner.as_ref())?)
    })
}

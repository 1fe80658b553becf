//! Sync with the team: starting the node, its status at a glance, the team's devices, inviting a
//! device, joining a team with an invitation, revoking a device, and LAN discovery on or off.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use nabij_crdt::id::{DeviceId, ItemId, MemberId};
use nabij_crdt::invite::{Invitation, InviteError};
use nabij_crdt::store::invitation::Refusal;
use nabij_crdt::team::NewMember;
use nabij_crdt::transport::join::JoinError;
use nabij_crdt::transport::{Config, Node, RelayUrl, SyncEvent};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use super::team::{ProfileView, profile_view};
use crate::ipc::{ErrorCode, IpcError};
use crate::state::{AppState, device_key_source};

/// Environment variable that switches LAN discovery off whatever the setting (tests).
pub const LAN_VAR: &str = "NABIJ_LAN";
const PORT_SETTING: &str = "sync.port";
const LAN_SETTING: &str = "sync.lan";

/// Something changed in sync, for the UI to refresh what it shows (tagged by `kind`).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SyncPush {
    /// Documents came in.
    Changed {
        /// The documents (empty: possibly many, reload everything).
        #[serde(rename = "docIds")]
        doc_ids: Vec<String>,
    },
    /// A peer came or went, or caught up.
    Status,
    /// This device was removed from the team and its team data wiped.
    Revoked,
}

fn lan_wanted(store: &nabij_crdt::store::Store) -> bool {
    if std::env::var(LAN_VAR).is_ok_and(|v| v == "off") {
        return false;
    }
    store.setting(LAN_SETTING).ok().flatten().as_deref() != Some("off")
}

/// Start the sync node for the store in `state` (called once, at start-up). A failure is
/// kept in the state and shown by the sync status; the app works on alone.
pub fn start(app: &AppHandle, state: &AppState) {
    let started = (|| -> Result<Node, IpcError> {
        let shared = state.shared_store()?;
        let (dir, port, lan, relay, loaded) = {
            let mut store = shared
                .lock()
                .map_err(|_| IpcError::new(ErrorCode::Internal, "store lock poisoned"))?;
            let port = store
                .setting(PORT_SETTING)?
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or(0);
            let relay = match store.profile()? {
                Some(me) => store_relay(&mut store, &me.team),
                None => None,
            };
            (
                store.data_dir().to_path_buf(),
                port,
                lan_wanted(&store),
                relay,
                store.device_key().cloned(),
            )
        };
        // The key the store was given at start-up (it signs every change); read from the
        // keyring only when that failed, so the error says why.
        let key = match loaded {
            Some(key) => key,
            None => nabij_crdt::transport::key::from_source(&device_key_source(&dir))
                .map_err(|e| IpcError::from(nabij_crdt::store::StoreError::Key(e)))?,
        };
        let config = |port: u16| Config {
            secret_key: key.clone(),
            bind: Some(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)),
            relay: relay.clone(),
            peers: Vec::new(),
            always_on: Default::default(),
            tick: Duration::from_secs(1),
            dial_team: true,
            lan_discovery: lan,
        };
        let node = tauri::async_runtime::block_on(async {
            match Node::start_shared(shared.clone(), config(port)).await {
                // The port of last time is taken: take any.
                Err(_) if port != 0 => Node::start_shared(shared.clone(), config(0)).await,
                other => other,
            }
        })
        .map_err(|e| IpcError::new(ErrorCode::SyncUnavailable, e))?;
        if let Some(port) = node.bound_addrs().first().map(SocketAddr::port)
            && let Ok(mut store) = shared.lock()
        {
            let _ = store.set_setting(PORT_SETTING, Some(&port.to_string()));
        }
        Ok(node)
    })();
    match started {
        Ok(node) => {
            let mut events = node.subscribe();
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                loop {
                    let push = match events.recv().await {
                        Ok(SyncEvent::Changed(ids)) => SyncPush::Changed { doc_ids: ids },
                        Ok(SyncEvent::Revoked(_)) => SyncPush::Revoked,
                        Ok(_) => SyncPush::Status,
                        Err(tokio_lagged) if is_lagged(&tokio_lagged) => SyncPush::Changed {
                            doc_ids: Vec::new(),
                        },
                        Err(_) => return,
                    };
                    let _ = push.emit(&app);
                }
            });
            state.set_node(node);
        }
        Err(error) => {
            eprintln!("nabij: sync is not running: {}", error.message);
            state.set_sync_error(error);
        }
    }
}

fn is_lagged(error: &tokio::sync::broadcast::error::RecvError) -> bool {
    matches!(error, tokio::sync::broadcast::error::RecvError::Lagged(_))
}

/// The team's relay, if it names one (and it is a valid URL).
fn store_relay(
    store: &mut nabij_crdt::store::Store,
    team: &nabij_crdt::id::TeamId,
) -> Option<RelayUrl> {
    let relay = store.open_team(team).ok()?.settings.relay?;
    relay.parse().ok()
}

/// A device of the team as the settings screen shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    /// Device id (64 hex digits).
    pub id: String,
    /// Its label, if any.
    pub label: Option<String>,
    /// The member using it.
    pub member_id: String,
    /// The member's name.
    pub member_name: String,
    /// Whether it is revoked.
    pub revoked: bool,
    /// Whether it is an always-on team peer.
    pub always_on: bool,
    /// Whether it is this device.
    pub me: bool,
    /// Whether there is a connection to it now.
    pub connected: bool,
}

/// Sync at a glance.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusView {
    /// Whether sync runs at all (it does not when, say, the keyring is locked).
    pub running: bool,
    /// Why it does not run (technical detail), if it does not.
    pub problem: Option<String>,
    /// Teammates' devices reachable now.
    pub connected: Vec<DeviceView>,
    /// How many of the team's other devices this one tries to reach.
    pub known: u32,
    /// How many other devices the team has (revoked ones not counted). None: this device is
    /// alone in its team, so nothing can be sent anywhere yet (not a problem to warn about).
    pub other_devices: u32,
    /// When this device last caught up with a teammate's device (ms since epoch).
    pub last_sync_ms: Option<f64>,
    /// Changes made here that no teammate's device has received yet.
    pub unsent: u32,
    /// Whether LAN discovery is on.
    pub lan_discovery: bool,
    /// Whether this device was removed from the team (its team data is wiped).
    pub revoked: bool,
}

fn devices(state: &AppState) -> Result<Vec<DeviceView>, IpcError> {
    let connected: Vec<DeviceId> = state.node().map(|n| n.connected()).unwrap_or_default();
    state.with_profile(|store, me| {
        let team = store.open_team(&me.team)?;
        let mut out: Vec<DeviceView> = team
            .devices
            .iter()
            .map(|(id, d)| {
                let device = DeviceId::parse(id).ok();
                DeviceView {
                    id: id.clone(),
                    label: d.label.clone(),
                    member_id: d.member.clone(),
                    member_name: team
                        .members
                        .get(&d.member)
                        .map(|m| m.name.clone())
                        .unwrap_or_default(),
                    revoked: d.revoked_at.is_some(),
                    always_on: d.always_on,
                    me: device == Some(me.device),
                    connected: device.is_some_and(|d| connected.contains(&d)),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (a.revoked, &a.member_name, &a.label).cmp(&(b.revoked, &b.member_name, &b.label))
        });
        Ok(out)
    })
}

/// Sync at a glance.
#[tauri::command]
#[specta::specta]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView, IpcError> {
    let lan = {
        let store = state.store()?;
        lan_wanted(&store)
    };
    let team = match devices(&state) {
        Ok(list) => list,
        Err(e) if e.code == ErrorCode::NoProfile => Vec::new(),
        Err(e) => return Err(e),
    };
    let other_devices = team.iter().filter(|d| !d.me && !d.revoked).count();
    let other_devices = u32::try_from(other_devices).unwrap_or(u32::MAX);
    let node = match state.node() {
        Ok(node) => node,
        Err(error) => {
            return Ok(SyncStatusView {
                running: false,
                problem: Some(error.message),
                connected: Vec::new(),
                known: 0,
                other_devices,
                last_sync_ms: None,
                unsent: 0,
                lan_discovery: lan,
                revoked: false,
            });
        }
    };
    let status = node.status();
    let connected = team.into_iter().filter(|d| d.connected).collect();
    Ok(SyncStatusView {
        running: true,
        problem: None,
        connected,
        known: u32::try_from(status.known.len()).unwrap_or(u32::MAX),
        other_devices,
        last_sync_ms: status.last_sync_ms.map(|ms| ms as f64),
        unsent: u32::try_from(status.unsent.len()).unwrap_or(u32::MAX),
        lan_discovery: lan,
        revoked: status.revoked,
    })
}

/// The team's devices (this one included), current ones first.
#[tauri::command]
#[specta::specta]
pub fn team_devices(state: State<'_, AppState>) -> Result<Vec<DeviceView>, IpcError> {
    devices(&state)
}

/// Who to invite: an existing member (a second device) or a new colleague.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InviteRequest {
    /// An existing member, or none for a new one.
    pub member_id: Option<String>,
    /// The new colleague's name (when `member_id` is none).
    pub name: Option<String>,
    /// The new colleague's role (when `member_id` is none).
    pub role: Option<String>,
    /// The partner of the directory the new colleague works for (when `member_id` is none).
    pub partner_id: Option<String>,
}

/// An invitation to show: its text and its QR code.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    /// The text to pass on (`NABIJ-…`).
    pub text: String,
    /// The member it admits.
    pub member_id: String,
    /// The member's name.
    pub member_name: String,
    /// The QR code's width in modules.
    pub qr_width: u32,
    /// The QR code's modules row by row: `1` dark, `0` light.
    pub qr_modules: String,
    /// Until when it can be used (ms since epoch).
    pub expires_ms: f64,
}

fn invite_error(error: InviteError) -> IpcError {
    IpcError::new(ErrorCode::Internal, error)
}

/// Invite a device (admins only): for an existing member, or a new colleague added now.
#[tauri::command]
#[specta::specta]
pub fn create_invitation(
    state: State<'_, AppState>,
    request: InviteRequest,
) -> Result<InvitationView, IpcError> {
    let addresses = state.node()?.addresses();
    state.with_profile(|store, me| {
        let member = match request.member_id {
            Some(id) => MemberId::parse(&id).map_err(|_| {
                IpcError::invalid(&nabij_crdt::input::InputError::new(
                    "member",
                    nabij_crdt::input::Problem::NotFound,
                ))
            })?,
            None => {
                let partner = match request.partner_id.as_deref() {
                    Some(id) => Some(ItemId::parse(id).map_err(|_| {
                        IpcError::invalid(&nabij_crdt::input::InputError::new(
                            "partner",
                            nabij_crdt::input::Problem::NotFound,
                        ))
                    })?),
                    None => None,
                };
                store.edit_team(&store.author(me)?, &me.team, |t| {
                    let member = t.add_member(
                        NewMember {
                            name: request.name.unwrap_or_default(),
                            role: request.role.unwrap_or_default(),
                            organisation: None,
                        },
                        false,
                    )?;
                    if let Some(partner) = &partner {
                        t.set_member_partner(&member, Some(partner))?;
                    }
                    Ok(member)
                })?
            }
        };
        let invitation = store.create_invitation(me, &member, &addresses)?;
        let team = store.open_team(&me.team)?;
        let (width, modules) = invitation.qr_code().map_err(invite_error)?;
        Ok(InvitationView {
            text: invitation.to_text().map_err(invite_error)?,
            member_id: member.to_string(),
            member_name: team
                .members
                .get(member.as_str())
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            qr_width: u32::try_from(width).unwrap_or(0),
            qr_modules: modules.iter().map(|d| if *d { '1' } else { '0' }).collect(),
            expires_ms: (nabij_crdt::date::now_ms()
                + nabij_crdt::store::invitation::INVITATION_VALID_MS)
                as f64,
        })
    })
}

/// What joining needs: the invitation's text and, optionally, a name for this device.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    /// The invitation (`NABIJ-…`), as pasted or typed.
    pub invitation: String,
    /// A name for this device ("Laptop Sarah").
    pub label: Option<String>,
}

/// First start, joining: ask the inviting device to admit this one, then sync.
#[tauri::command]
#[specta::specta]
pub async fn join_team(
    state: State<'_, AppState>,
    request: JoinRequest,
) -> Result<ProfileView, IpcError> {
    if state.store()?.profile()?.is_some() {
        return Err(IpcError::invalid(&nabij_crdt::input::InputError::new(
            "team",
            nabij_crdt::input::Problem::NotAllowedNow,
        )));
    }
    let invitation = Invitation::parse(&request.invitation).map_err(|e| {
        let problem = match e {
            InviteError::NotAnInvitation => nabij_crdt::input::Problem::OutOfRange,
            _ => nabij_crdt::input::Problem::InvalidDate,
        };
        let mut error =
            IpcError::invalid(&nabij_crdt::input::InputError::new("invitation", problem));
        if matches!(e, InviteError::Damaged | InviteError::NewerVersion) {
            error.code = ErrorCode::InvitationDamaged;
        }
        error.message = e.to_string();
        error
    })?;
    let label = request.label.filter(|l| !l.trim().is_empty());
    let node = state.node()?;
    let profile = node.join(&invitation, label).await.map_err(|e| match e {
        JoinError::Refused(Refusal::Unknown) => IpcError::new(ErrorCode::InvitationUnknown, e),
        JoinError::Refused(Refusal::Expired) => IpcError::new(ErrorCode::InvitationExpired, e),
        JoinError::Refused(Refusal::Revoked) => IpcError::new(ErrorCode::DeviceRevoked, e),
        JoinError::Unreachable(_) => IpcError::new(ErrorCode::TeamUnreachable, e),
        other => IpcError::new(ErrorCode::Internal, other),
    })?;
    let mut store = state.store()?;
    profile_view(&mut store, &profile)
}

/// A device id from the UI (`not_found` on the `device` field when it is not one).
fn parse_device(id: &str) -> Result<DeviceId, IpcError> {
    DeviceId::parse(id).map_err(|_| {
        IpcError::invalid(&nabij_crdt::input::InputError::new(
            "device",
            nabij_crdt::input::Problem::NotFound,
        ))
    })
}

/// Revoke a device (admins only): it gets no further change and wipes the team's data on its
/// next contact.
#[tauri::command]
#[specta::specta]
pub fn revoke_device(
    state: State<'_, AppState>,
    device_id: String,
) -> Result<Vec<DeviceView>, IpcError> {
    state.with_profile(|store, me| {
        let device = parse_device(&device_id)?;
        if device == me.device {
            return Err(IpcError::invalid(&nabij_crdt::input::InputError::new(
                "device",
                nabij_crdt::input::Problem::NotAllowedNow,
            )));
        }
        store.edit_team(&store.author(me)?, &me.team, |t| t.revoke_device(&device))?;
        Ok(())
    })?;
    devices(&state)
}

/// Mark a device as an always-on team peer or not (admins only).
#[tauri::command]
#[specta::specta]
pub fn set_device_always_on(
    state: State<'_, AppState>,
    device_id: String,
    on: bool,
) -> Result<Vec<DeviceView>, IpcError> {
    state.with_profile(|store, me| {
        let device = parse_device(&device_id)?;
        store.edit_team(&store.author(me)?, &me.team, |t| {
            t.set_device_always_on(&device, on)
        })?;
        Ok(())
    })?;
    devices(&state)
}

/// The team's relay URL, if the team runs one.
#[tauri::command]
#[specta::specta]
pub fn team_relay(state: State<'_, AppState>) -> Result<Option<String>, IpcError> {
    state.with_profile(|store, me| Ok(store.open_team(&me.team)?.settings.relay))
}

/// Set (or clear, with an empty text) the team's relay URL (admins only; `https://`, or
/// `http://` on loopback). Devices use it from their next start; invitations carry it.
#[tauri::command]
#[specta::specta]
pub fn set_team_relay(state: State<'_, AppState>, url: String) -> Result<Option<String>, IpcError> {
    state.with_profile(|store, me| {
        if let Some(text) = Some(url.trim()).filter(|t| !t.is_empty())
            && text.parse::<RelayUrl>().is_err()
        {
            return Err(IpcError::invalid(&nabij_crdt::input::InputError::new(
                "relay",
                nabij_crdt::input::Problem::OutOfRange,
            )));
        }
        store.edit_team(&store.author(me)?, &me.team, |t| t.set_relay(url.trim()))?;
        Ok(store.open_team(&me.team)?.settings.relay)
    })
}

/// Switch LAN discovery on or off (takes effect at the next start).
#[tauri::command]
#[specta::specta]
pub fn set_lan_discovery(state: State<'_, AppState>, on: bool) -> Result<bool, IpcError> {
    let mut store = state.store()?;
    store.set_setting(LAN_SETTING, Some(if on { "on" } else { "off" }))?;
    Ok(lan_wanted(&store))
}

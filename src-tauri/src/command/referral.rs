//! Referrals ("Doorverwijzingen"): the dialog's partners and preview, sending through the
//! shared-secrecy gate, a case's referrals, the inbox (received, sent, overdue), one referral
//! with its timeline and messages, and its steps.

use nabij_crdt::date::Date;
use nabij_crdt::id::{CaseId, ItemId, ReferralId};
use nabij_crdt::referral::{
    self, ConsentChoice, Disclose, Disclosed, Ground, NewAppointment, Outcome, Referral,
    ReferralRequest, Side, Status, StepKind,
};
use nabij_crdt::store::{Inbox, ReferralRow, Store};
use nabij_crdt::team::Team;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::ipc::{ErrorCode, IpcError};
use crate::state::AppState;

/// Test-only: the day the app takes for today (`YYYY-MM-DD`), so an end-to-end test can see a
/// referral become overdue. Unset in real use.
pub const TODAY_VAR: &str = "NABIJ_TEST_TODAY";

/// Today, or the day `NABIJ_TEST_TODAY` names.
pub(crate) fn today() -> Date {
    std::env::var(TODAY_VAR)
        .ok()
        .and_then(|d| Date::parse(&d).ok())
        .unwrap_or_else(Date::today)
}

fn id<T>(text: &str, parse: fn(&str) -> Result<T, nabij_crdt::id::IdError>) -> Result<T, IpcError> {
    parse(text).map_err(|e| IpcError::new(ErrorCode::NotFound, e))
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StatusCode {
    /// Sent, not opened yet.
    Sent,
    /// A partner worker has seen it.
    Received,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
    /// An appointment is made.
    Planned,
    /// First contact confirmed.
    FirstContact,
    /// Closed with an outcome.
    Closed,
    /// Withdrawn by the sender.
    Withdrawn,
}

impl From<Status> for StatusCode {
    fn from(s: Status) -> Self {
        match s {
            Status::Sent => Self::Sent,
            Status::Received => Self::Received,
            Status::Accepted => Self::Accepted,
            Status::Declined => Self::Declined,
            Status::Planned => Self::Planned,
            Status::FirstContact => Self::FirstContact,
            Status::Closed => Self::Closed,
            Status::Withdrawn => Self::Withdrawn,
        }
    }
}

/// A step of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StepCode {
    /// A partner worker opened it.
    Received,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
    /// An appointment.
    Appointment,
    /// First contact.
    FirstContact,
    /// Closed.
    Closed,
    /// Withdrawn.
    Withdrawn,
}

impl From<StepKind> for StepCode {
    fn from(k: StepKind) -> Self {
        match k {
            StepKind::Received => Self::Received,
            StepKind::Accepted => Self::Accepted,
            StepKind::Declined => Self::Declined,
            StepKind::Appointment => Self::Appointment,
            StepKind::FirstContact => Self::FirstContact,
            StepKind::Closed => Self::Closed,
            StepKind::Withdrawn => Self::Withdrawn,
        }
    }
}

/// How a referral ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeCode {
    /// Helped.
    Helped,
    /// Not reached.
    NotReached,
    /// No longer needed.
    NoLongerNeeded,
    /// Referred elsewhere.
    ReferredElsewhere,
}

impl From<Outcome> for OutcomeCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Helped => Self::Helped,
            Outcome::NotReached => Self::NotReached,
            Outcome::NoLongerNeeded => Self::NoLongerNeeded,
            Outcome::ReferredElsewhere => Self::ReferredElsewhere,
        }
    }
}

impl From<OutcomeCode> for Outcome {
    fn from(o: OutcomeCode) -> Self {
        match o {
            OutcomeCode::Helped => Self::Helped,
            OutcomeCode::NotReached => Self::NotReached,
            OutcomeCode::NoLongerNeeded => Self::NoLongerNeeded,
            OutcomeCode::ReferredElsewhere => Self::ReferredElsewhere,
        }
    }
}

/// On which basis information is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum GroundCode {
    /// Shared professional secrecy (the five conditions).
    SharedSecrecy,
    /// State of necessity.
    Necessity,
    /// Case conference (art. 458ter Sw.).
    CaseConference,
}

impl From<Ground> for GroundCode {
    fn from(g: Ground) -> Self {
        match g {
            Ground::SharedSecrecy => Self::SharedSecrecy,
            Ground::Necessity => Self::Necessity,
            Ground::CaseConference => Self::CaseConference,
        }
    }
}

impl From<GroundCode> for Ground {
    fn from(g: GroundCode) -> Self {
        match g {
            GroundCode::SharedSecrecy => Self::SharedSecrecy,
            GroundCode::Necessity => Self::Necessity,
            GroundCode::CaseConference => Self::CaseConference,
        }
    }
}

/// A partner the dialog offers.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralPartnerView {
    /// Item id in the directory.
    pub id: String,
    /// Name.
    pub name: String,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// Whether it helps with the question's theme.
    pub for_theme: bool,
    /// Whether its workers are bound by professional secrecy.
    pub bound_by_secrecy: bool,
    /// Whether members of the team work for it (in Nabij).
    pub in_team: bool,
    /// Phone.
    pub phone: Option<String>,
}

/// The partners for a referral on `theme`, those for the theme first (the directory's order).
#[tauri::command]
#[specta::specta]
pub fn referral_partners(
    state: State<'_, AppState>,
    theme: String,
) -> Result<Vec<ReferralPartnerView>, IpcError> {
    state.with_profile(|store, _| {
        Ok(store
            .directory("", None, Some(&theme))?
            .into_iter()
            .map(|p| ReferralPartnerView {
                for_theme: p.themes.contains(&theme),
                in_team: p.members > 0,
                id: p.id,
                name: p.name,
                themes: p.themes,
                bound_by_secrecy: p.bound_by_secrecy,
                phone: p.phone,
            })
            .collect())
    })
}

/// The fields the worker ticks.
#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DiscloseRequest {
    /// Name.
    pub name: bool,
    /// Birth date.
    pub birth_date: bool,
    /// Phone.
    pub phone: bool,
    /// Address.
    pub address: bool,
    /// Language.
    pub language: bool,
    /// The question.
    pub question: bool,
    /// Journal entries (item ids).
    pub journal: Vec<String>,
    /// A free summary.
    pub summary: Option<String>,
}

/// The referral dialog's content.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralRequestView {
    /// Case.
    pub case_id: String,
    /// Question on the case.
    pub question_id: String,
    /// Partner (item id).
    pub partner_id: String,
    /// The goal in one sentence.
    pub goal: String,
    /// The basis.
    pub ground: GroundCode,
    /// An existing consent record's id.
    pub consent_id: Option<String>,
    /// A new consent: what the client agreed to share (when `consent_id` is absent).
    pub consent_what: Option<String>,
    /// A new consent's date (today when absent).
    pub consent_date: Option<String>,
    /// Explicit consent to sharing with a partner not bound by secrecy.
    pub unbound_consent: bool,
    /// The partner works on the same mission.
    pub shared_mission: bool,
    /// The reason, for a legal exception.
    pub reason: Option<String>,
    /// What goes along.
    pub disclose: DiscloseRequest,
}

fn request(r: ReferralRequestView) -> Result<ReferralRequest, IpcError> {
    let journal = r
        .disclose
        .journal
        .iter()
        .map(|j| id(j, ItemId::parse))
        .collect::<Result<_, _>>()?;
    let consent = match (r.consent_id, r.consent_what) {
        (Some(c), _) => ConsentChoice::Existing(id(&c, ItemId::parse)?),
        (None, Some(what)) => ConsentChoice::New {
            what,
            date: r.consent_date.filter(|d| !d.trim().is_empty()),
        },
        (None, None) => ConsentChoice::None,
    };
    Ok(ReferralRequest {
        case_id: id(&r.case_id, CaseId::parse)?,
        question_id: id(&r.question_id, ItemId::parse)?,
        partner_id: id(&r.partner_id, ItemId::parse).map_err(|_| {
            IpcError::invalid(&nabij_crdt::input::InputError::new(
                "partner",
                nabij_crdt::input::Problem::Empty,
            ))
        })?,
        goal: r.goal,
        ground: r.ground.into(),
        consent,
        unbound_consent: r.unbound_consent,
        shared_mission: r.shared_mission,
        reason: r.reason,
        disclose: Disclose {
            name: r.disclose.name,
            birth_date: r.disclose.birth_date,
            phone: r.disclose.phone,
            address: r.disclose.address,
            language: r.disclose.language,
            question: r.disclose.question,
            journal,
            summary: r.disclose.summary.filter(|s| !s.trim().is_empty()),
        },
    })
}

/// A journal entry that goes along.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DisclosedEntryView {
    /// Date.
    pub date: String,
    /// Text.
    pub text: String,
}

/// Exactly what the partner sees of the person.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DisclosedView {
    /// Name.
    pub name: Option<String>,
    /// Birth date.
    pub birth_date: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// The question.
    pub question: Option<String>,
    /// Journal entries, oldest first.
    pub journal: Vec<DisclosedEntryView>,
    /// Summary.
    pub summary: Option<String>,
}

impl From<Disclosed> for DisclosedView {
    fn from(d: Disclosed) -> Self {
        let mut journal: Vec<DisclosedEntryView> = d
            .journal
            .into_values()
            .map(|e| DisclosedEntryView {
                date: e.date,
                text: e.text,
            })
            .collect();
        journal.sort_by(|a, b| a.date.cmp(&b.date));
        Self {
            name: d.name,
            birth_date: d.birth_date,
            phone: d.phone,
            address: d.address,
            language: d.language,
            question: d.question,
            journal,
            summary: d.summary,
        }
    }
}

/// What the referral would carry (the dialog's preview); nothing is written.
#[tauri::command]
#[specta::specta]
pub fn preview_referral(
    state: State<'_, AppState>,
    mut request: ReferralRequestView,
) -> Result<DisclosedView, IpcError> {
    // The preview is of the ticks alone: it does not wait for a partner to be chosen.
    if ItemId::parse(&request.partner_id).is_err() {
        request.partner_id = ItemId::random().to_string();
    }
    let request = self::request(request)?;
    state.with_profile(|store, me| Ok(store.preview_referral(me, &request)?.into()))
}

/// One referral in a list.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralRowView {
    /// Referral id.
    pub referral_id: String,
    /// Case id.
    pub case_id: String,
    /// Question id.
    pub question_id: String,
    /// Theme slug.
    pub theme: String,
    /// Partner id.
    pub partner_id: String,
    /// Partner's name.
    pub partner_name: String,
    /// Client's name, when disclosed.
    pub client_name: Option<String>,
    /// Sender's name.
    pub sent_by: String,
    /// Sent at (ms since epoch).
    pub sent_at: f64,
    /// First-contact deadline.
    pub due: String,
    /// Where it stands.
    pub status: StatusCode,
    /// Whether it is still open.
    pub open: bool,
    /// Sent under a legal exception.
    pub exception: bool,
    /// The first contact is late.
    pub overdue: bool,
    /// Not opened by a partner worker yet.
    pub unseen: bool,
    /// The appointment (`YYYY-MM-DDTHH:MM`).
    pub appointment: Option<String>,
}

fn row_view(team: &Team, today: &str, r: ReferralRow) -> ReferralRowView {
    ReferralRowView {
        overdue: r.overdue(today),
        open: r.status.is_open(),
        unseen: r.received_at.is_none(),
        sent_by: member_name(team, &r.sent_by),
        referral_id: r.referral_id,
        case_id: r.case_id,
        question_id: r.question_id,
        theme: r.theme,
        partner_id: r.partner_id,
        partner_name: r.partner_name,
        client_name: r.client_name,
        sent_at: r.sent_at as f64,
        due: r.due,
        status: r.status.into(),
        exception: r.exception,
        appointment: r.appointment,
    }
}

fn member_name(team: &Team, id: &str) -> String {
    team.members
        .get(id)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn rows(
    store: &mut Store,
    me: &nabij_crdt::store::profile::Profile,
    rows: Vec<ReferralRow>,
) -> Result<Vec<ReferralRowView>, IpcError> {
    let team = store.open_team(&me.team)?;
    let today = today().to_string();
    Ok(rows
        .into_iter()
        .map(|r| row_view(&team, &today, r))
        .collect())
}

/// The referrals of a case, newest first.
#[tauri::command]
#[specta::specta]
pub fn case_referrals(
    state: State<'_, AppState>,
    case_id: String,
) -> Result<Vec<ReferralRowView>, IpcError> {
    let case = id(&case_id, CaseId::parse)?;
    state.with_profile(|store, me| {
        let list = store.case_referrals(&case)?;
        rows(store, me, list)
    })
}

/// Which list of referrals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum InboxCode {
    /// Received by my organisation.
    Received,
    /// Sent from the cases I may see.
    Sent,
    /// Either, with the first contact late.
    Overdue,
}

/// My referrals in one list.
#[tauri::command]
#[specta::specta]
pub fn referral_inbox(
    state: State<'_, AppState>,
    inbox: InboxCode,
) -> Result<Vec<ReferralRowView>, IpcError> {
    let inbox = match inbox {
        InboxCode::Received => Inbox::Received,
        InboxCode::Sent => Inbox::Sent,
        InboxCode::Overdue => Inbox::Overdue,
    };
    state.with_profile(|store, me| {
        let list = store.referral_inbox(me.member.as_str(), inbox, today())?;
        rows(store, me, list)
    })
}

/// An appointment.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentView {
    /// Day.
    pub date: String,
    /// Time `HH:MM`.
    pub time: String,
    /// Where.
    pub place: String,
    /// Whether the sending worker goes along.
    pub accompanied: bool,
}

/// One step in a referral's timeline.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// Item id.
    pub id: String,
    /// What.
    pub kind: StepCode,
    /// When (ms since epoch).
    pub at: f64,
    /// Who (name).
    pub by: String,
    /// Recorded by the sender as phoned in.
    pub by_hand: bool,
    /// The reason (declined, withdrawn).
    pub reason: Option<String>,
    /// The outcome (closed).
    pub outcome: Option<OutcomeCode>,
    /// The appointment.
    pub appointment: Option<AppointmentView>,
    /// Whether it moved the referral (a step merged after the end is kept but does not).
    pub counted: bool,
}

/// A message.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    /// Who (name).
    pub by: String,
    /// From the partner's side.
    pub from_partner: bool,
    /// Text.
    pub text: String,
    /// When (ms since epoch).
    pub at: f64,
}

/// The whole referral, as the member sees it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralView {
    /// Id.
    pub id: String,
    /// Case id.
    pub case_id: String,
    /// Theme slug.
    pub theme: String,
    /// Partner's name.
    pub partner_name: String,
    /// Sender's name.
    pub sent_by: String,
    /// Sent at (ms).
    pub sent_at: f64,
    /// First-contact deadline.
    pub due: String,
    /// The goal.
    pub goal: String,
    /// The basis.
    pub ground: GroundCode,
    /// The exception's reason.
    pub reason: Option<String>,
    /// The consent's date, for shared secrecy.
    pub consent_date: Option<String>,
    /// The partner is bound by professional secrecy.
    pub partner_bound: bool,
    /// What the partner sees.
    pub disclosed: DisclosedView,
    /// Where it stands.
    pub status: StatusCode,
    /// The outcome, once closed.
    pub outcome: Option<OutcomeCode>,
    /// The appointment that holds.
    pub appointment: Option<AppointmentView>,
    /// The steps, oldest first.
    pub timeline: Vec<StepView>,
    /// The messages, oldest first.
    pub messages: Vec<MessageView>,
    /// I am on the partner's side.
    pub partner_side: bool,
    /// The partner works in Nabij (else the sender records its steps by hand).
    pub partner_in_team: bool,
    /// The steps I may take now.
    pub next_steps: Vec<StepCode>,
    /// Overdue today.
    pub overdue: bool,
}

fn appointment(a: &referral::Appointment) -> AppointmentView {
    AppointmentView {
        date: a.date.clone(),
        time: a.time.clone(),
        place: a.place.clone(),
        accompanied: a.accompanied,
    }
}

fn view(team: &Team, id: &str, r: Referral, side: Side, partner_in_team: bool) -> ReferralView {
    let progress = r.progress();
    let status = progress.status;
    let timeline = progress
        .timeline
        .iter()
        .map(|(sid, s, counted)| StepView {
            id: sid.to_string(),
            kind: s.kind.into(),
            at: s.at as f64,
            by: member_name(team, &s.by),
            by_hand: s.by_hand,
            reason: s.reason.clone(),
            outcome: s.outcome.map(Into::into),
            appointment: s.appointment.as_ref().map(appointment),
            counted: *counted,
        })
        .collect();
    let messages = r
        .conversation()
        .into_iter()
        .map(|(_, m)| MessageView {
            by: member_name(team, &m.by),
            from_partner: m.from_partner,
            text: m.text.clone(),
            at: m.at as f64,
        })
        .collect();
    let overdue = status.is_open()
        && progress.first_contact_at.is_none()
        && r.due.as_str() < today().to_string().as_str();
    let outcome = progress.outcome.map(Into::into);
    let appointment_view = progress.appointment.map(appointment);
    ReferralView {
        id: id.to_string(),
        case_id: r.case_id.clone(),
        theme: r.theme.clone(),
        partner_name: r.partner_name.clone(),
        sent_by: member_name(team, &r.sent_by),
        sent_at: r.sent_at as f64,
        due: r.due.clone(),
        goal: r.goal.clone(),
        ground: r.basis.ground.into(),
        reason: r.basis.reason.clone(),
        consent_date: r.basis.consent_date.clone(),
        partner_bound: r.basis.partner_bound,
        status: status.into(),
        outcome,
        appointment: appointment_view,
        timeline,
        messages,
        partner_side: side == Side::Partner,
        partner_in_team,
        next_steps: referral::next_steps(status, side, partner_in_team)
            .into_iter()
            .map(Into::into)
            .collect(),
        overdue,
        disclosed: r.disclosed.into(),
    }
}

fn open(
    store: &mut Store,
    me: &nabij_crdt::store::profile::Profile,
    id: &ReferralId,
) -> Result<ReferralView, IpcError> {
    let (referral, side) = store.open_referral_as(me, id)?;
    let in_team = store.partner_in_team(&referral.partner_id)?;
    let team = store.open_team(&me.team)?;
    Ok(view(&team, id.as_str(), referral, side, in_team))
}

/// Send a referral through the shared-secrecy gate; the new referral.
#[tauri::command]
#[specta::specta]
pub fn send_referral(
    state: State<'_, AppState>,
    request: ReferralRequestView,
) -> Result<ReferralView, IpcError> {
    let request = self::request(request)?;
    state.with_profile(|store, me| {
        let id = store.send_referral(me, request)?;
        open(store, me, &id)
    })
}

/// Open a referral (a partner worker's first opening marks it received).
#[tauri::command]
#[specta::specta]
pub fn open_referral(
    state: State<'_, AppState>,
    referral_id: String,
) -> Result<ReferralView, IpcError> {
    let id = id(&referral_id, ReferralId::parse)?;
    state.with_profile(|store, me| open(store, me, &id))
}

/// A step to take, or a message.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StepRequest {
    /// Accept.
    Accept,
    /// Decline, for a reason.
    Decline {
        /// Why.
        reason: String,
    },
    /// Plan the appointment.
    Plan {
        /// The appointment.
        appointment: AppointmentView,
    },
    /// Confirm the first contact.
    FirstContact,
    /// Close with an outcome.
    Close {
        /// How it ended.
        outcome: OutcomeCode,
    },
    /// Withdraw, for a reason (the sender).
    Withdraw {
        /// Why.
        reason: String,
    },
    /// A message to the other side.
    Message {
        /// Text.
        text: String,
    },
}

/// Take a step on a referral (or write a message); the referral as it then stands.
#[tauri::command]
#[specta::specta]
pub fn referral_step(
    state: State<'_, AppState>,
    referral_id: String,
    step: StepRequest,
) -> Result<ReferralView, IpcError> {
    let id = id(&referral_id, ReferralId::parse)?;
    state.with_profile(|store, me| {
        store.step_referral(me, &id, |r| {
            match step {
                StepRequest::Accept => r.accept(),
                StepRequest::Decline { reason } => r.decline(&reason),
                StepRequest::Plan { appointment: a } => r.plan(NewAppointment {
                    date: a.date,
                    time: a.time,
                    place: a.place,
                    accompanied: a.accompanied,
                }),
                StepRequest::FirstContact => r.confirm_first_contact(),
                StepRequest::Close { outcome } => r.close(outcome.into()),
                StepRequest::Withdraw { reason } => r.withdraw(&reason),
                StepRequest::Message { text } => r.add_message(&text),
            }
            .map(|_| ())
        })?;
        open(store, me, &id)
    })
}

/// Write the referral letter (PDF) for a partner that does not work in Nabij into the
/// `exports` folder of the data directory; the file's path.
#[tauri::command]
#[specta::specta]
pub fn referral_letter(
    state: State<'_, AppState>,
    referral_id: String,
) -> Result<String, IpcError> {
    let id = id(&referral_id, ReferralId::parse)?;
    let (pdf, dir) = state.with_profile(|store, me| {
        let pdf = store.referral_letter(me, &id, today())?;
        Ok((pdf, store.data_dir().join("exports")))
    })?;
    let name = format!(
        "verwijsbrief-{}.pdf",
        &id.as_str()[..id.as_str().len().min(8)]
    );
    let path = dir.join(name);
    let write = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, pdf));
    write.map_err(|e| IpcError::new(ErrorCode::StoreUnavailable, e))?;
    Ok(path.display().to_string())
}

/// The working days a partner has for the first contact after a referral (the team's setting).
#[tauri::command]
#[specta::specta]
pub fn first_contact_days(state: State<'_, AppState>) -> Result<u32, IpcError> {
    state.with_profile(|store, me| {
        Ok(store
            .open_team(&me.team)?
            .settings
            .first_contact_days
            .unwrap_or(referral::DEFAULT_FIRST_CONTACT_DAYS))
    })
}

/// Set the working days for the first contact (1 to 20; admins only); the setting as it then is.
#[tauri::command]
#[specta::specta]
pub fn set_first_contact_days(state: State<'_, AppState>, days: u32) -> Result<u32, IpcError> {
    state.with_profile(|store, me| {
        store.edit_team(&store.author(me)?, &me.team, |t| {
            t.set_first_contact_days(days)
        })?;
        Ok(store
            .open_team(&me.team)?
            .settings
            .first_contact_days
            .unwrap_or(referral::DEFAULT_FIRST_CONTACT_DAYS))
    })
}

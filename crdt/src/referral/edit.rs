//! Changing a referral: [`create_referral`] writes what was sent (after the shared-secrecy gate,
//! `referral::gate`, decided what may go), and the [`ReferralEditor`] adds steps and messages,
//! one validated method each, each allowed only from where the referral stands and only to the
//! side whose step it is.

use std::collections::BTreeMap;

use automerge::AutoCommit;

use super::model::*;
use crate::author::Author;
use crate::date::now_ms;
use crate::doc::{DocError, DocKind, SCHEMA_VERSION, put_item};
use crate::id::{CaseId, ItemId, ReferralId, TeamId};
use crate::input::{self, InputError, LONG_TEXT, Problem, SHORT_TEXT};

/// Longest summary disclosed to a partner: keep it minimal.
pub const MAX_SUMMARY: usize = 2_000;
/// Longest goal: one sentence.
pub const MAX_GOAL: usize = 300;

/// What a referral carries when it is sent, once the gate has let it through.
#[derive(Debug, Clone)]
pub struct NewReferral {
    /// The case it is made from.
    pub case_id: CaseId,
    /// The question (item id on the case) it answers.
    pub question_id: ItemId,
    /// The question's theme.
    pub theme: String,
    /// The partner organisation (item id in the team's directory).
    pub partner_id: ItemId,
    /// The partner's name.
    pub partner_name: String,
    /// The goal, in one sentence.
    pub goal: String,
    /// On which basis it is shared.
    pub basis: Basis,
    /// Exactly what the partner sees.
    pub disclosed: Disclosed,
    /// The first-contact deadline (`YYYY-MM-DD`).
    pub due: String,
}

/// Send a referral authored by `author`; returns its id and document.
pub fn create_referral(
    author: &Author,
    team: &TeamId,
    new: NewReferral,
) -> Result<(ReferralId, AutoCommit), DocError> {
    if new.disclosed.is_empty() {
        return Err(InputError::new("disclose", Problem::Empty).into());
    }
    if new.basis.ground.is_exception() {
        input::required(
            "reason",
            new.basis.reason.as_deref().unwrap_or(""),
            SHORT_TEXT,
        )?;
    }
    let id = ReferralId::random();
    let referral = Referral {
        kind: DocKind::Referral.as_str().to_string(),
        schema: SCHEMA_VERSION,
        id: id.to_string(),
        team: team.to_string(),
        case_id: new.case_id.to_string(),
        question_id: new.question_id.to_string(),
        theme: input::required("theme", &new.theme, SHORT_TEXT)?,
        partner_id: new.partner_id.to_string(),
        partner_name: input::required("partner_name", &new.partner_name, SHORT_TEXT)?,
        sent_by: author.member.to_string(),
        sent_from: author.device().to_string(),
        sent_at: now_ms(),
        due: input::date("due", &new.due)?,
        goal: input::required("goal", &new.goal, MAX_GOAL)?,
        basis: new.basis,
        disclosed: new.disclosed,
        steps: BTreeMap::new(),
        messages: BTreeMap::new(),
    };
    Ok((id, author.create(&referral)?))
}

/// The side of a referral a member stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The sender's side: the sender and the members allowed on the case.
    Sender,
    /// A member of the partner organisation it is sent to.
    Partner,
}

/// An appointment to record.
#[derive(Debug, Clone, Default)]
pub struct NewAppointment {
    /// The day (`YYYY-MM-DD`).
    pub date: String,
    /// The time (`HH:MM`).
    pub time: String,
    /// Where.
    pub place: String,
    /// Whether the sending worker goes along.
    pub accompanied: bool,
}

/// Whether `side` may take a step of `kind` (with `partner_in_team`: the partner has members in
/// the team, who then take its steps themselves); `Ok(true)` when it is a partner's step
/// recorded by hand on the sender's side (a partner that does not work in Nabij phones it in).
fn by_hand(side: Side, kind: StepKind, partner_in_team: bool) -> Result<bool, InputError> {
    match (side, kind) {
        (Side::Partner, k) if k.is_senders() => {
            Err(InputError::new("side", Problem::NotAllowedNow))
        }
        (Side::Sender, StepKind::Received) => Err(InputError::new("side", Problem::NotAllowedNow)),
        (Side::Sender, k) if k.is_partners() && partner_in_team => {
            Err(InputError::new("side", Problem::NotAllowedNow))
        }
        (Side::Sender, k) => Ok(k.is_partners()),
        (Side::Partner, _) => Ok(false),
    }
}

/// The steps `side` may take on a referral at `status` (see [`ReferralEditor`]), in the order
/// a worker takes them; "received" is never offered (it is taken by opening).
pub fn next_steps(status: Status, side: Side, partner_in_team: bool) -> Vec<StepKind> {
    use StepKind::*;
    [
        Accepted,
        Declined,
        Appointment,
        FirstContact,
        Closed,
        Withdrawn,
    ]
    .into_iter()
    .filter(|k| status.after(*k).is_some() && by_hand(side, *k, partner_in_team).is_ok())
    .collect()
}

/// A time of day `HH:MM` (24 hours), returned normalised.
fn time_of_day(field: &'static str, text: &str) -> Result<String, InputError> {
    let text = text.trim();
    let bad = || InputError::new(field, Problem::InvalidDate);
    if text.is_empty() {
        return Err(InputError::new(field, Problem::Empty));
    }
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let h: u8 = h.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    if h > 23 || m > 59 || text.len() > 5 {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

/// Makes validated changes to one referral as one member on one side; the store commits them
/// as one change by the author (or rolls them back when any step fails).
pub struct ReferralEditor<'a> {
    doc: &'a mut AutoCommit,
    author: &'a Author,
    side: Side,
    partner_in_team: bool,
}

impl<'a> ReferralEditor<'a> {
    /// An editor over `doc` for `author` on `side`; `partner_in_team`: whether the partner
    /// has members in the team (then only they take the partner's steps).
    pub fn new(
        doc: &'a mut AutoCommit,
        author: &'a Author,
        side: Side,
        partner_in_team: bool,
    ) -> Self {
        Self {
            doc,
            author,
            side,
            partner_in_team,
        }
    }

    /// The steps this side may take now, in the order a worker takes them.
    pub fn next_steps(&self) -> Result<Vec<StepKind>, DocError> {
        Ok(next_steps(
            self.referral()?.progress().status,
            self.side,
            self.partner_in_team,
        ))
    }

    /// The referral as it stands.
    pub fn referral(&self) -> Result<Referral, DocError> {
        super::load(self.doc)
    }

    /// Add a step of `kind`, if it may follow where the referral stands and is this side's.
    fn step(
        &mut self,
        kind: StepKind,
        reason: Option<String>,
        outcome: Option<Outcome>,
        appointment: Option<Appointment>,
    ) -> Result<ItemId, DocError> {
        let by_hand = by_hand(self.side, kind, self.partner_in_team)?;
        let referral = self.referral()?;
        if referral.progress().status.after(kind).is_none() {
            return Err(InputError::new("status", Problem::NotAllowedNow).into());
        }
        // After every step this device has seen, also within one millisecond: the status is
        // folded in (at, id) order, so a step must never sort before the one it follows.
        let at = now_ms().max(referral.updated_at() + 1);
        let step = Step {
            kind,
            at,
            by: self.author.member.to_string(),
            device: self.author.device().to_string(),
            by_hand,
            reason,
            outcome,
            appointment,
        };
        let id = ItemId::random();
        put_item(self.doc, "steps", id.as_str(), &step)?;
        Ok(id)
    }

    /// A partner worker opened the referral: the first time, it is marked received (returns
    /// whether it was). Nothing happens for the sender's side or once the partner has moved.
    pub fn mark_received(&mut self) -> Result<bool, DocError> {
        if self.side != Side::Partner || self.referral()?.progress().status != Status::Sent {
            return Ok(false);
        }
        self.step(StepKind::Received, None, None, None)?;
        Ok(true)
    }

    /// The partner takes the referral up.
    pub fn accept(&mut self) -> Result<ItemId, DocError> {
        self.step(StepKind::Accepted, None, None, None)
    }

    /// The partner does not take it up, for a reason.
    pub fn decline(&mut self, reason: &str) -> Result<ItemId, DocError> {
        let reason = input::required("reason", reason, SHORT_TEXT)?;
        self.step(StepKind::Declined, Some(reason), None, None)
    }

    /// An appointment is made (again: the last one made holds).
    pub fn plan(&mut self, appointment: NewAppointment) -> Result<ItemId, DocError> {
        let appointment = Appointment {
            date: input::date("date", &appointment.date)?,
            time: time_of_day("time", &appointment.time)?,
            place: input::required("place", &appointment.place, SHORT_TEXT)?,
            accompanied: appointment.accompanied,
        };
        self.step(StepKind::Appointment, None, None, Some(appointment))
    }

    /// The person and the partner have met: the warm handover is done.
    pub fn confirm_first_contact(&mut self) -> Result<ItemId, DocError> {
        self.step(StepKind::FirstContact, None, None, None)
    }

    /// Close with an outcome.
    pub fn close(&mut self, outcome: Outcome) -> Result<ItemId, DocError> {
        self.step(StepKind::Closed, None, Some(outcome), None)
    }

    /// The sender withdraws the referral, for a reason.
    pub fn withdraw(&mut self, reason: &str) -> Result<ItemId, DocError> {
        let reason = input::required("reason", reason, SHORT_TEXT)?;
        self.step(StepKind::Withdrawn, Some(reason), None, None)
    }

    /// Add a message from this side; returns its item id.
    pub fn add_message(&mut self, text: &str) -> Result<ItemId, DocError> {
        let after = self.referral()?.updated_at() + 1;
        let message = Message {
            by: self.author.member.to_string(),
            device: self.author.device().to_string(),
            from_partner: self.side == Side::Partner,
            text: input::required("text", text, LONG_TEXT)?,
            at: now_ms().max(after),
        };
        let id = ItemId::random();
        put_item(self.doc, "messages", id.as_str(), &message)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests;

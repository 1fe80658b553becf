//! The store's referral room: sending a referral through the shared-secrecy gate (the consent
//! record and the referral written all or nothing), taking its steps as the member's side,
//! opening it (a partner worker's first opening marks it received), and the lists and figures
//! read from the `referral` table (`table/referral.rs`).

use std::collections::BTreeMap;

use super::profile::Profile;
use super::table::referral::{self as rows, Handovers, Inbox, ReferralRow};
use super::{Store, StoreError};
use crate::author::Author;
use crate::case::CaseEditor;
use crate::date::Date;
use crate::doc::{DocError, DocKind};
use crate::id::{CaseId, ReferralId};
use crate::input::{InputError, Problem};
use crate::referral::{self, Referral, ReferralEditor, ReferralRequest, Side};

/// A partner's figures, from the team's own referrals on this device.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerFigures {
    /// Referrals sent to it (not withdrawn).
    pub sent: u32,
    /// The share of those it answered that it accepted (0 to 1), once it answered one.
    pub accepted_share: Option<f64>,
    /// The median time from sending to first contact, in days, once there was one.
    pub median_days_to_first_contact: Option<f64>,
}

impl From<Handovers> for PartnerFigures {
    fn from(h: Handovers) -> Self {
        let mut times = h.to_first_contact_ms;
        times.sort_unstable();
        let median = match times.len() {
            0 => None,
            n if n % 2 == 1 => Some(times[n / 2] as f64),
            n => Some((times[n / 2 - 1] + times[n / 2]) as f64 / 2.0),
        };
        Self {
            sent: h.sent,
            accepted_share: (h.answered > 0).then(|| f64::from(h.accepted) / f64::from(h.answered)),
            median_days_to_first_contact: median.map(|ms| ms / 86_400_000.0),
        }
    }
}

impl Store {
    /// Send a referral as `me` (this device's user), if the shared-secrecy gate lets it
    /// through (see [`referral::check_gate`]): when the consent is given with it, the consent
    /// record on the case and the referral are written together, or neither. Durable before it
    /// returns.
    pub fn send_referral(
        &mut self,
        me: &Profile,
        request: ReferralRequest,
    ) -> Result<ReferralId, StoreError> {
        let author = self.author(me)?;
        self.refuse_if_removed(&request.case_id)?;
        let case = self.open_case(&request.case_id)?;
        let team = self.open_team(&me.team)?;
        let gated =
            referral::check_gate(&case, &team, me.member.as_str(), &request, Date::today())?;
        self.all_or_nothing(|store| {
            let mut new = gated.referral;
            if let Some(consent) = gated.new_consent {
                let id = store.edit_case(&author, &request.case_id, |c: &mut CaseEditor<'_>| {
                    c.record_consent(consent)
                })?;
                new.basis.consent_id = Some(id.to_string());
            }
            store.create_referral(&author, &me.team, new)
        })
    }

    /// Store a referral that passed the gate (`referral::check_gate`), as `author`.
    pub(crate) fn create_referral(
        &mut self,
        author: &Author,
        team: &crate::id::TeamId,
        new: referral::NewReferral,
    ) -> Result<ReferralId, StoreError> {
        let (id, doc) = referral::create_referral(author, team, new)?;
        self.insert_document(author, DocKind::Referral, id.as_str(), doc)?;
        Ok(id)
    }

    /// The side `member` stands on for the referral `row`: the partner's when they work for
    /// it, the sender's when they sent it or may see its case; `None` otherwise.
    fn side_of(&self, member: &str, row: &ReferralRow) -> Result<Option<Side>, StoreError> {
        let partners = self.partner_members(&row.partner_id)?;
        if partners.contains(member) {
            return Ok(Some(Side::Partner));
        }
        let on_case: bool = self
            .conn
            .prepare_cached("SELECT 1 FROM case_access WHERE case_id = ?1 AND member = ?2")?
            .exists([row.case_id.as_str(), member])?;
        Ok((row.sent_by == member || on_case).then_some(Side::Sender))
    }

    /// The referral's row and the side of `me`, or an error when `me` has no side on it.
    fn row_and_side(
        &self,
        me: &Profile,
        id: &ReferralId,
    ) -> Result<(ReferralRow, Side), StoreError> {
        let row = rows::one(&self.conn, id.as_str())?.ok_or_else(|| StoreError::NotFound {
            kind: DocKind::Referral.as_str(),
            id: id.to_string(),
        })?;
        match self.side_of(me.member.as_str(), &row)? {
            Some(side) => Ok((row, side)),
            None => Err(InputError::new("referral", Problem::NotAllowedNow).into()),
        }
    }

    /// Take a step on a referral (or write a message) as `me`, on `me`'s side:
    /// `store.step_referral(&me, &id, |r| r.accept())`. Stored as one change, durable.
    pub fn step_referral<T>(
        &mut self,
        me: &Profile,
        id: &ReferralId,
        edit: impl FnOnce(&mut ReferralEditor<'_>) -> Result<T, DocError>,
    ) -> Result<T, StoreError> {
        let author = self.author(me)?;
        let (row, side) = self.row_and_side(me, id)?;
        let partner_in_team = !self.partner_members(&row.partner_id)?.is_empty();
        self.edit_document(DocKind::Referral, id.as_str(), &author, |doc| {
            edit(&mut ReferralEditor::new(
                doc,
                &author,
                side,
                partner_in_team,
            ))
        })
    }

    /// Open a referral as `me`: a partner worker's first opening marks it received.
    pub fn open_referral_as(
        &mut self,
        me: &Profile,
        id: &ReferralId,
    ) -> Result<(Referral, Side), StoreError> {
        let (_, side) = self.row_and_side(me, id)?;
        if side == Side::Partner {
            self.step_referral(me, id, |r| r.mark_received())?;
        }
        Ok((self.open_referral(id)?, side))
    }

    /// The whole referral (reading only).
    pub fn open_referral(&mut self, id: &ReferralId) -> Result<Referral, StoreError> {
        let doc = self.take_document(DocKind::Referral, id.as_str())?;
        let referral = referral::load(&doc);
        self.keep_document(id.as_str(), doc);
        Ok(referral?)
    }

    /// The referrals of a case, newest first. Never loads documents.
    pub fn case_referrals(&self, case: &CaseId) -> Result<Vec<ReferralRow>, StoreError> {
        Ok(rows::of_case(&self.conn, case.as_str())?)
    }

    /// The referrals `member` sees in `inbox` (overdue as seen on `today`). Never loads
    /// documents.
    pub fn referral_inbox(
        &self,
        member: &str,
        inbox: Inbox,
        today: Date,
    ) -> Result<Vec<ReferralRow>, StoreError> {
        Ok(rows::inbox(&self.conn, member, inbox, &today.to_string())?)
    }

    /// Every partner's figures (by partner item id), from the referrals on this device.
    pub fn partner_figures(&self) -> Result<BTreeMap<String, PartnerFigures>, StoreError> {
        Ok(rows::handovers(&self.conn)?
            .into_iter()
            .map(|(partner, h)| (partner, h.into()))
            .collect())
    }

    /// What a referral as `request` would carry to the partner (the dialog's preview), by the
    /// same code the gate sends it with; nothing is written.
    pub fn preview_referral(
        &mut self,
        me: &Profile,
        request: &ReferralRequest,
    ) -> Result<referral::Disclosed, StoreError> {
        let case = self.open_case(&request.case_id)?;
        if !case.allows(me.member.as_str()) {
            return Err(InputError::new("case", Problem::NotAllowedNow).into());
        }
        let question = case
            .questions
            .get(request.question_id.as_str())
            .filter(|_| !case.is_removed(request.question_id.as_str()))
            .ok_or_else(|| InputError::new("question", Problem::NotFound))?;
        Ok(referral::disclosure(&case, question, &request.disclose)?)
    }

    /// Whether members of the team work for partner `partner` (then they take its steps).
    pub fn partner_in_team(&self, partner: &str) -> Result<bool, StoreError> {
        Ok(!self.partner_members(partner)?.is_empty())
    }

    /// The referral letter (PDF, A4, Dutch) for a partner that does not work in Nabij: only
    /// what passed the gate, with the team's and the sender's details. `me` must stand on the
    /// referral's sender side.
    pub fn referral_letter(
        &mut self,
        me: &Profile,
        id: &ReferralId,
        today: Date,
    ) -> Result<Vec<u8>, StoreError> {
        let (_, side) = self.row_and_side(me, id)?;
        if side != Side::Sender {
            return Err(InputError::new("referral", Problem::NotAllowedNow).into());
        }
        let referral = self.open_referral(id)?;
        let team = self.open_team(&me.team)?;
        let sender = team
            .members
            .get(&referral.sent_by)
            .ok_or_else(|| InputError::new("sent_by", Problem::NotFound))?;
        Ok(referral::letter_pdf(&referral, &team, sender, today)?)
    }
}

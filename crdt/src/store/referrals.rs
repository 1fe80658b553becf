//! The store's referral API: create, edit (through a [`ReferralEditor`]), read, and list from the
//! `referral_status` query table.

use super::{Store, StoreError};
use crate::author::Author;
use crate::doc::{DocError, DocKind};
use crate::id::{ReferralId, TeamId};
use crate::referral::{self, NewReferral, Referral, ReferralEditor};

/// One row of the referral list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralSummary {
    /// The referral id.
    pub referral_id: String,
    /// The case it was made from.
    pub case_id: String,
    /// The partner's name.
    pub partner: String,
    /// Where it stands (`sent`, `received`, `accepted`, `declined`, `first_contact`, `closed`).
    pub status: String,
    /// Date of its last step (`YYYY-MM-DD`).
    pub updated_at: String,
}

impl Store {
    /// Send a referral; it is stored durably before this returns.
    pub fn create_referral(
        &mut self,
        author: &Author,
        team: &TeamId,
        new: NewReferral,
    ) -> Result<ReferralId, StoreError> {
        let (id, doc) = referral::create_referral(author, team, new)?;
        self.insert_document(author, DocKind::Referral, id.as_str(), doc)?;
        Ok(id)
    }

    /// Change a referral with validated edits, stored as one change by `author`:
    /// `store.edit_referral(&me, &id, |r| r.accept())`.
    pub fn edit_referral<T>(
        &mut self,
        author: &Author,
        id: &ReferralId,
        edit: impl FnOnce(&mut ReferralEditor<'_>) -> Result<T, DocError>,
    ) -> Result<T, StoreError> {
        self.edit_document(DocKind::Referral, id.as_str(), author, |doc| {
            edit(&mut ReferralEditor::new(doc, author))
        })
    }

    /// The whole referral.
    pub fn open_referral(&mut self, id: &ReferralId) -> Result<Referral, StoreError> {
        let doc = self.take_document(DocKind::Referral, id.as_str())?;
        let referral = referral::load(&doc);
        self.keep_document(id.as_str(), doc);
        Ok(referral?)
    }

    /// Referrals (of one case when `case_id` is given), most recently moved first. Never loads
    /// documents.
    pub fn list_referrals(
        &self,
        case_id: Option<&str>,
    ) -> Result<Vec<ReferralSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT referral_id, case_id, partner, status, updated_at
             FROM referral_status
             WHERE ?1 IS NULL OR case_id = ?1
             ORDER BY updated_at DESC, referral_id",
        )?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok(ReferralSummary {
                    referral_id: r.get(0)?,
                    case_id: r.get(1)?,
                    partner: r.get(2)?,
                    status: r.get(3)?,
                    updated_at: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

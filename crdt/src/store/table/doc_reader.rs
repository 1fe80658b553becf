//! `doc_reader`: the members who may read each document that is not the whole team's, as a
//! view over the tables that decide it: a case's readers are its `case_access` rows; a
//! referral's are its sender, its case's readers and the members of the partner it is sent to
//! (`member_partner`). The sync side lists documents with their readers from it, without
//! loading any document; `Kind::readers` gives the same from a document's content.

use super::Step;

/// The view's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    6,
    "CREATE VIEW IF NOT EXISTS doc_reader (doc_id, member) AS
        SELECT case_id, member FROM case_access
        UNION ALL SELECT referral_id, sent_by FROM referral
        UNION ALL SELECT r.referral_id, a.member FROM referral r
            JOIN case_access a ON a.case_id = r.case_id
        UNION ALL SELECT r.referral_id, m.member FROM referral r
            JOIN member_partner m ON m.partner_id = r.partner_id;",
)];

//! `member_partner`: which partner organisation of the directory each member works for, from
//! the team document. The devices of a partner's members receive that partner's referrals
//! (see `doc_reader`).

use super::Step;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[Step(
    6,
    "CREATE TABLE IF NOT EXISTS member_partner (
        member     TEXT PRIMARY KEY,
        team_doc   TEXT NOT NULL,
        partner_id TEXT NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS member_partner_by_partner ON member_partner (partner_id);",
)];

//! `member_partner`: which partner organisation of the directory each member works for, from
//! the team document. The devices of a partner's members receive that partner's referrals
//! (see `doc_reader`).

use rusqlite::{Connection, params};

use super::Step;
use crate::team::Team;

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

/// Write the rows of team document `id`: one per current member who works for a partner.
pub(crate) fn write(tx: &Connection, id: &str, team: &Team) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM member_partner WHERE team_doc = ?1")?
        .execute([id])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO member_partner (member, team_doc, partner_id) VALUES (?1, ?2, ?3)",
    )?;
    for (member, partner) in team.partner_members() {
        insert.execute(params![member, id, partner])?;
    }
    Ok(())
}

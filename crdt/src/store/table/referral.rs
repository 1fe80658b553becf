//! `referral`: one row per referral, with its status and milestones derived from its steps,
//! for the referral lists (a case's, the inbox, the overdue ones) and the partners' figures.
//! The partner's members read it without holding the case.

use rusqlite::{Connection, params};

use super::Step;
use crate::referral::Referral;

/// The table's schema, by the migration that made each part.
pub(crate) const SCHEMA: &[Step] = &[
    Step(
        1,
        "CREATE TABLE referral_status (
            referral_id TEXT PRIMARY KEY,
            case_id     TEXT NOT NULL,
            partner     TEXT NOT NULL,
            status      TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX referral_status_by_case ON referral_status (case_id);",
    ),
    // (Written to run again on a store that already has it: stores set back by hand in tests.)
    // Referrals as a worker uses them: the old status rows (of a document shape that was never
    // used in the app) make way for the referral's milestones. Stores from before are
    // projected again when they open.
    Step(
        6,
        "DROP TABLE IF EXISTS referral_status;
        CREATE TABLE IF NOT EXISTS referral (
            referral_id      TEXT PRIMARY KEY,
            case_id          TEXT NOT NULL,
            question_id      TEXT NOT NULL,
            theme            TEXT NOT NULL,
            partner_id       TEXT NOT NULL,
            partner_name     TEXT NOT NULL,
            client_name      TEXT,
            sent_by          TEXT NOT NULL,
            sent_at          INTEGER NOT NULL,
            due              TEXT NOT NULL,
            status           TEXT NOT NULL,
            open             INTEGER NOT NULL,
            exception        INTEGER NOT NULL,
            received_at      INTEGER,
            accepted_at      INTEGER,
            first_contact_at INTEGER,
            ended_at         INTEGER,
            appointment      TEXT,
            updated_at       INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS referral_by_case ON referral (case_id, sent_at DESC);
        CREATE INDEX IF NOT EXISTS referral_by_partner ON referral (partner_id, sent_at DESC);
        CREATE INDEX IF NOT EXISTS referral_by_sender ON referral (sent_by, sent_at DESC);
        CREATE INDEX IF NOT EXISTS referral_waiting ON referral (due) WHERE open = 1 AND first_contact_at IS NULL;",
    ),
];

/// Write the row of referral `id`.
pub(crate) fn write(tx: &Connection, id: &str, referral: &Referral) -> rusqlite::Result<()> {
    let progress = referral.progress();
    let appointment = progress
        .appointment
        .map(|a| format!("{}T{}", a.date, a.time));
    tx.prepare_cached(
        "INSERT OR REPLACE INTO referral (referral_id, case_id, question_id, theme, partner_id,
             partner_name, client_name, sent_by, sent_at, due, status, open, exception,
             received_at, accepted_at, first_contact_at, ended_at, appointment, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)",
    )?
    .execute(params![
        id,
        referral.case_id,
        referral.question_id,
        referral.theme,
        referral.partner_id,
        referral.partner_name,
        referral.disclosed.name,
        referral.sent_by,
        referral.sent_at,
        referral.due,
        progress.status.as_str(),
        progress.status.is_open(),
        referral.basis.ground.is_exception(),
        progress.received_at,
        progress.accepted_at,
        progress.first_contact_at,
        progress.ended_at,
        appointment,
        referral.updated_at(),
    ])?;
    Ok(())
}

/// One row of a referral list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    /// The referral id.
    pub referral_id: String,
    /// The case it was made from.
    pub case_id: String,
    /// The question on the case it answers.
    pub question_id: String,
    /// The question's theme.
    pub theme: String,
    /// The partner organisation (item id in the directory).
    pub partner_id: String,
    /// The partner's name.
    pub partner_name: String,
    /// The client's name, when it was disclosed.
    pub client_name: Option<String>,
    /// The member who sent it.
    pub sent_by: String,
    /// When it was sent (ms since epoch).
    pub sent_at: i64,
    /// The first-contact deadline (`YYYY-MM-DD`).
    pub due: String,
    /// Where it stands.
    pub status: crate::referral::Status,
    /// Sent under a legal exception.
    pub exception: bool,
    /// When a partner worker first saw it.
    pub received_at: Option<i64>,
    /// When it was accepted.
    pub accepted_at: Option<i64>,
    /// When the first contact was confirmed.
    pub first_contact_at: Option<i64>,
    /// When it was declined, closed or withdrawn.
    pub ended_at: Option<i64>,
    /// The appointment that holds (`YYYY-MM-DDTHH:MM`).
    pub appointment: Option<String>,
    /// When it last moved (ms since epoch).
    pub updated_at: i64,
}

impl ReferralRow {
    /// Whether the first contact is late on `today` (`YYYY-MM-DD`): still open, no first
    /// contact, and the deadline passed.
    pub fn overdue(&self, today: &str) -> bool {
        self.status.is_open() && self.first_contact_at.is_none() && self.due.as_str() < today
    }
}

/// The columns [`row`] reads, in its order.
pub(crate) const COLUMNS: &str = "referral_id, case_id, question_id, theme, partner_id,
    partner_name, client_name, sent_by, sent_at, due, status, exception, received_at,
    accepted_at, first_contact_at, ended_at, appointment, updated_at";

/// A row read with [`COLUMNS`].
pub(crate) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReferralRow> {
    let status: String = r.get(10)?;
    Ok(ReferralRow {
        referral_id: r.get(0)?,
        case_id: r.get(1)?,
        question_id: r.get(2)?,
        theme: r.get(3)?,
        partner_id: r.get(4)?,
        partner_name: r.get(5)?,
        client_name: r.get(6)?,
        sent_by: r.get(7)?,
        sent_at: r.get(8)?,
        due: r.get(9)?,
        status: crate::referral::Status::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                10,
                rusqlite::types::Type::Text,
                format!("unknown referral status {status:?}").into(),
            )
        })?,
        exception: r.get(11)?,
        received_at: r.get(12)?,
        accepted_at: r.get(13)?,
        first_contact_at: r.get(14)?,
        ended_at: r.get(15)?,
        appointment: r.get(16)?,
        updated_at: r.get(17)?,
    })
}

/// The referrals of one case, newest first.
pub(crate) fn of_case(conn: &Connection, case_id: &str) -> rusqlite::Result<Vec<ReferralRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM referral WHERE case_id = ?1 ORDER BY sent_at DESC, referral_id"
    ))?
    .query_map([case_id], row)?
    .collect()
}

/// One referral's row.
pub(crate) fn one(conn: &Connection, id: &str) -> rusqlite::Result<Option<ReferralRow>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM referral WHERE referral_id = ?1"
    ))?
    .query_row([id], row)
    .optional()
}

/// Which referrals a list shows to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// Sent to the partner organisation the member works for; not yet seen first, then newest.
    Received,
    /// Sent from the cases the member may see (by them or a colleague), newest first.
    Sent,
    /// Either, whose first contact is late, the longest overdue first.
    Overdue,
}

/// The referrals `member` sees in `inbox` on `today` (`YYYY-MM-DD`).
pub(crate) fn inbox(
    conn: &Connection,
    member: &str,
    inbox: Inbox,
    today: &str,
) -> rusqlite::Result<Vec<ReferralRow>> {
    const MINE: &str = "partner_id IN (SELECT partner_id FROM member_partner WHERE member = ?1)";
    const OURS: &str =
        "(sent_by = ?1 OR case_id IN (SELECT case_id FROM case_access WHERE member = ?1))";
    let sql = match inbox {
        Inbox::Received => format!(
            "SELECT {COLUMNS} FROM referral WHERE {MINE}
             ORDER BY received_at IS NOT NULL, sent_at DESC, referral_id"
        ),
        Inbox::Sent => format!(
            "SELECT {COLUMNS} FROM referral WHERE {OURS} AND NOT {MINE}
             ORDER BY sent_at DESC, referral_id"
        ),
        Inbox::Overdue => format!(
            "SELECT {COLUMNS} FROM referral
             WHERE open = 1 AND first_contact_at IS NULL AND due < ?2 AND ({MINE} OR {OURS})
             ORDER BY due, sent_at, referral_id"
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = match inbox {
        Inbox::Overdue => stmt.query_map(rusqlite::params![member, today], row)?,
        Inbox::Received | Inbox::Sent => stmt.query_map([member], row)?,
    };
    rows.collect()
}

/// Per partner: the referrals sent to it, how many were accepted, how many it answered
/// (accepted or declined), and the time from sending to first contact of each that had one
/// (ms), from the team's own referrals on this device.
pub(crate) fn handovers(
    conn: &Connection,
) -> rusqlite::Result<std::collections::BTreeMap<String, Handovers>> {
    let mut map: std::collections::BTreeMap<String, Handovers> = Default::default();
    let mut stmt = conn.prepare_cached(
        "SELECT partner_id, accepted_at IS NOT NULL, status = 'declined',
                first_contact_at - sent_at
         FROM referral WHERE status <> 'withdrawn'",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let entry = map.entry(r.get(0)?).or_default();
        let accepted: bool = r.get(1)?;
        let declined: bool = r.get(2)?;
        entry.sent += 1;
        entry.accepted += u32::from(accepted);
        entry.answered += u32::from(accepted || declined);
        if let Some(ms) = r.get::<_, Option<i64>>(3)? {
            entry.to_first_contact_ms.push(ms);
        }
    }
    Ok(map)
}

/// A partner's handovers, as [`handovers`] counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handovers {
    /// Referrals sent (not withdrawn).
    pub sent: u32,
    /// Of which accepted.
    pub accepted: u32,
    /// Of which answered (accepted or declined).
    pub answered: u32,
    /// Time from sending to first contact, of each that had one (ms).
    pub to_first_contact_ms: Vec<i64>,
}

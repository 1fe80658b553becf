//! The query tables: one file per table, each with its schema (by the migration that made
//! each part) and the rows it writes for a document, so that a table is read and changed in
//! one place. Which document writes which tables is its kind's `Kind::project`
//! (`crate::kind`); the rooms of the store (`caseload`, `followup`, `intake`, ...) read them.
//! Every table is derived from the documents: [`clear`] and projecting every document again is
//! the rebuild.

pub(crate) mod case_access;
pub(crate) mod case_list;
pub(crate) mod case_removed;
pub(crate) mod client_index;
pub(crate) mod doc_reader;
pub(crate) mod intake_queue;
pub(crate) mod member_partner;
pub(crate) mod partner;
pub mod referral;
pub(crate) mod search_source;
pub(crate) mod task;

use rusqlite::Connection;

/// One part of a table's schema: the migration (schema version) that makes it, and its SQL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step(pub u32, pub &'static str);

/// Every table's schema, in the order their parts run within one migration (a view after
/// the tables it reads).
pub(crate) const SCHEMAS: &[&[Step]] = &[
    case_list::SCHEMA,
    case_access::SCHEMA,
    task::SCHEMA,
    referral::SCHEMA,
    intake_queue::SCHEMA,
    client_index::SCHEMA,
    search_source::SCHEMA,
    case_removed::SCHEMA,
    member_partner::SCHEMA,
    partner::SCHEMA,
    doc_reader::SCHEMA,
];

/// The tables emptied by [`clear`] (every query table but the full-text index, which follows
/// its content table).
pub(crate) const TABLES: &[&str] = &[
    "case_list",
    "case_access",
    "task",
    "referral",
    "intake_queue",
    "client_index",
    "case_removed",
    "member_partner",
    "partner",
];

/// Empty every query table.
pub(crate) fn clear(tx: &Connection) -> rusqlite::Result<()> {
    for table in TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    search_source::clear(tx)
}

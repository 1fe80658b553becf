//! # nabij-crdt: Nabij's replicated data engine
//!
//! Everything a Nabij device knows lives here, independent of any user interface: the
//! documents (one per case, per referral, plus a team document and the team's intake queue), the
//! local encrypted SQLite store that holds their bytes and the query tables derived from them,
//! search, sync and the access rules.
//!
//! **Architecture invariant:** this crate knows nothing of Tauri, GTK or WebKit. It builds and
//! tests on a machine without a desktop, and it hosts the headless binaries (the always-on team
//! peer, the relay). The desktop shell (`src-tauri/`) is a thin adapter over this API.
//!
//! Modules:
//! - [`location`]: where a device keeps its data (`NABIJ_DATA_DIR` or the per-user data dir).
//! - [`preference`]: what the person on this device chose (language).
//! - [`print`]: documents printed or saved as PDF (A4 sheets of headings, fields, tables,
//!   images and notes); the referral letter is [`referral::letter_pdf`].
//! - [`id`], [`date`], [`input`], [`author`]: identifiers, dates, input validation, authorship.
//! - [`signature`]: every change signed by its author's device key, and checked on receipt.
//! - [`doc`]: what all documents share; [`kind`]: what each kind of document is (read,
//!   readers, authorship rules, query rows), behind one trait; [`case`]: the case document.
//! - [`team`]: the team document (members, devices, partners, themes, envelopes, client index).
//! - [`referral`]: the referral document (one referral to a partner, its timeline and messages).
//! - [`intake`]: the intake document (the team's front-door queue).
//! - [`conflict`]: concurrent edits of one field, listed with every value.
//! - [`seed`]: deterministic, realistic test data (clients, households, journal text).
//! - [`store`]: the local store: one encrypted SQLite file per data directory, opened by one
//!   process at a time, with numbered schema migrations and derived query tables.
//! - [`sync`]: peer-to-peer sync without I/O (sessions, wire format, access rules).
//! - [`invite`]: the invitation a team admin gives a new device (text and QR code).

pub mod author;
pub mod case;
pub mod conflict;
pub mod date;
pub mod doc;
pub mod id;
pub mod input;
pub mod intake;
pub mod invite;
pub mod kind;
pub mod location;
pub mod preference;
pub mod print;
pub mod referral;
pub mod seed;
pub mod signature;
pub mod store;
pub mod sync;
pub mod team;
pub mod transport;

//! The commands the UI can call, grouped by screen area. Each is a small adapter over
//! `nabij_crdt`: take the request, call the engine, map the answer to a view type.

pub mod case;
pub mod caseload;
pub mod correction;
pub mod directory;
pub mod intake;
pub mod referral;
pub mod store;
pub mod sync;
pub mod task;
pub mod team;

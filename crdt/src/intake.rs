//! The intake document: the team's front-door queue, one per team.
//!
//! Signals that someone may need help come in from volunteers, partners, worried citizens or
//! the person themself. Each is a small item (a few lines of text, an urgency, perhaps a name and
//! a neighbourhood) that the front-door team triages together: link it to a case, refer it, or
//! close it with a reason.
//!
//! Why one team-scoped document rather than one per item: the items are small and short-lived,
//! and the front-door team works on all of them at once, so the queue is read and synced as a
//! whole. One document is one sync unit (one set of heads to compare, one chunk list to store)
//! instead of hundreds of tiny documents each with their own overhead, and the queue view needs a
//! single load. Items are a map keyed by random item id, so signals registered on several devices
//! offline all survive the merge. Anything that needs its own access rules (the case that follows)
//! lives in its own document.
//!
//! Writes go through [`IntakeEditor`]; reads hydrate the whole [`Intake`].

mod edit;
mod model;

pub use edit::{IntakeEditor, NewIntakeItem, create_intake};
pub use model::{Intake, IntakeItem, IntakeSource, IntakeStatus, Urgency};

use automerge::AutoCommit;

use crate::doc::DocError;

pub use crate::id::IntakeId;

/// Validate and read an intake document (e.g. one received from a peer): never panics.
pub fn load(doc: &AutoCommit) -> Result<Intake, DocError> {
    <Intake as crate::kind::Kind>::load(doc)
}

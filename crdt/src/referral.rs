//! The referral document: one per referral of a person to a partner organisation.
//!
//! A referral records which question of which case is referred, to which partner, and the
//! minimal summary disclosed to that partner; then its timeline (sent, received, accepted or
//! declined, first contact, closed) and the messages exchanged both ways. It is a document of its
//! own, not part of the case, because it is shared with someone outside the case's access list.
//!
//! Steps must follow each other sensibly (no accepting a declined referral; first contact only
//! after acceptance). Writes go through [`ReferralEditor`]; reads hydrate the whole [`Referral`].

mod edit;
mod model;

pub use edit::{MAX_SUMMARY, NewReferral, ReferralEditor, create_referral};
pub use model::{Message, PARTNER, Referral, ReferralStatus, TimelineEvent};

use automerge::AutoCommit;

use crate::doc::{DocError, DocKind, check_header};

/// Validate and read a referral document (e.g. one received from a peer): never panics.
pub fn load(doc: &AutoCommit) -> Result<Referral, DocError> {
    check_header(doc, DocKind::Referral)?;
    Ok(autosurgeon::hydrate(doc)?)
}

//! The referral document: one per referral of a person to a partner organisation, the warm
//! handover ("warme overdracht") from the case file to the partner's laptop and back.
//!
//! A referral is a document of its own, not part of the case, because it goes to the partner's
//! members, who never get the case. It records what was sent (which question of which case, to
//! which partner, the goal, on which basis, and exactly the fields that passed the
//! shared-secrecy gate, [`check_gate`]) and then its steps (received, accepted or declined, an
//! appointment, first contact, closed with an outcome, or withdrawn) and messages both ways,
//! each an item written once by the device that took it. The status is derived from the steps
//! ([`Referral::progress`]), the same on every device; who may have written what is checked on
//! receipt (`rules`).

mod edit;
mod gate;
mod letter;
mod model;
pub(crate) mod rules;

pub use edit::{
    MAX_GOAL, MAX_SUMMARY, NewAppointment, NewReferral, ReferralEditor, Side, create_referral,
    next_steps,
};
pub use gate::{
    ConsentChoice, DEFAULT_FIRST_CONTACT_DAYS, Disclose, Gated, ReferralRequest,
    check as check_gate, disclosure,
};
pub use letter::{letter, letter_pdf, long_date, reference, theme_label};
pub use model::{
    Appointment, Basis, Disclosed, DisclosedEntry, Ground, Message, Outcome, Progress, Referral,
    Status, Step, StepKind,
};

use automerge::AutoCommit;

use crate::doc::DocError;

/// Validate and read a referral document (e.g. one received from a peer): never panics.
pub fn load(doc: &AutoCommit) -> Result<Referral, DocError> {
    <Referral as crate::kind::Kind>::load(doc)
}

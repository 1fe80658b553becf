//! The team document: one per team.
//!
//! It holds who is on the team (members, with an admin flag) and which devices may sync its
//! documents, the partner organisations the team refers to, the themes it works on, its yearly
//! aid envelopes, team-wide settings, and the client index the front door uses to find out
//! whether a person already has a case (name, birth year and owner only). Collections are maps
//! keyed by id, so additions made on two devices offline both survive the merge.
//!
//! Writes go through [`TeamEditor`] (one method per allowed change, each validating its input;
//! member and device changes for admins only); reads hydrate the whole [`Team`]. `model` holds
//! the types, `edit` the editor (`edit/partner.rs`: the partner directory), `import` reading a
//! partner directory from CSV (and the example directory shipped with Nabij).

mod edit;
pub mod import;
mod model;

pub use edit::{
    MAX_SERVICES, MemberUpdate, NewDevice, NewEnvelope, NewMember, NewPartner, PartnerUpdate,
    TeamEditor, Upserted, create_team,
};
pub(crate) use edit::{name_key, theme_slug};
pub use model::{
    ClientIndexEntry, DEFAULT_RETENTION_YEARS, DEFAULT_THEMES, Device, Envelope, Member, Partner,
    Settings, Team,
};

use automerge::AutoCommit;

use crate::doc::DocError;

/// Validate and read a team document (e.g. one received from a peer): never panics.
pub fn load(doc: &AutoCommit) -> Result<Team, DocError> {
    <Team as crate::kind::Kind>::load(doc)
}

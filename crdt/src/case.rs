//! The case document: one per client or household.
//!
//! A case holds the people of the household, the questions for help ("hulpvragen") by theme,
//! the journal of contacts, tasks, consent and disclosure records, aid decisions and flags, plus
//! who owns the case and which other members may see it. Collections are maps keyed by item id,
//! so items added on two devices offline both survive the merge.
//!
//! Writes go through [`CaseEditor`] (one method per allowed change, each validating its input);
//! reads hydrate the whole [`Case`]. `model` holds the types, `edit` the editor, `correct` the
//! corrections (edit, remove, undo) and `history` the revisions and tombstones they keep.

mod correct;
mod edit;
mod history;
mod model;

pub use correct::{ConsentEdit, JournalEntryEdit, QuestionEdit, TaskEdit};
pub use edit::{
    CaseEditor, NewAidDecision, NewCase, NewConsent, NewFlag, NewJournalEntry, NewPerson,
    NewQuestion, NewTask, PersonUpdate, create_case,
};
pub use history::{Collection, Removal, Revision, RevisionAction};
pub use model::{
    AidDecision, Case, CaseState, CaseStatus, Consent, ContactKind, Flag, FlagKind, HouseholdRole,
    IntakeTrace, JournalEntry, Person, Question, QuestionStatus, Task,
};

use automerge::AutoCommit;

use crate::doc::DocError;

/// Validate and read a case document (e.g. one received from a peer): never panics.
pub fn load(doc: &AutoCommit) -> Result<Case, DocError> {
    <Case as crate::kind::Kind>::load(doc)
}

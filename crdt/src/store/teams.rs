//! The store's team API: create, edit (through a [`TeamEditor`]) and read the team document.
//! The front door's client search over its client index is in `intake`.

use super::{Store, StoreError};
use crate::author::Author;
use crate::doc::{DocError, DocKind};
use crate::id::TeamId;
use crate::team::{self, NewMember, Team, TeamEditor};

impl Store {
    /// Create a team with `founder` (the author) as its first admin; stored durably before this
    /// returns.
    pub fn create_team(
        &mut self,
        author: &Author,
        name: &str,
        founder: NewMember,
    ) -> Result<TeamId, StoreError> {
        let (id, doc) = team::create_team(author, name, founder)?;
        self.insert_document(author, DocKind::Team, id.as_str(), doc)?;
        Ok(id)
    }

    /// Change the team with validated edits, stored as one change by `author`:
    /// `store.edit_team(&me, &id, |team| team.add_theme("debt", "Schulden"))`.
    pub fn edit_team<T>(
        &mut self,
        author: &Author,
        id: &TeamId,
        edit: impl FnOnce(&mut TeamEditor<'_>) -> Result<T, DocError>,
    ) -> Result<T, StoreError> {
        self.edit_document(DocKind::Team, id.as_str(), author, |doc| {
            edit(&mut TeamEditor::new(doc, author))
        })
    }

    /// The whole team document.
    pub fn open_team(&mut self, id: &TeamId) -> Result<Team, StoreError> {
        let doc = self.take_document(DocKind::Team, id.as_str())?;
        let team = team::load(&doc);
        self.keep_document(id.as_str(), doc);
        Ok(team?)
    }
}

//! The store's front-door API: the intake queue (create, edit through an [`IntakeEditor`], read,
//! list from the `intake_queue` table) and the client search over the team's client index
//! (`client_index` table), to see whether a person already has a case and who guides them.

use super::{Store, StoreError};
use crate::author::Author;
use crate::doc::{DocError, DocKind};
use crate::id::TeamId;
use crate::intake::{self, Intake, IntakeEditor, IntakeId};

/// One row of the intake queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeRow {
    /// The item id.
    pub item_id: String,
    /// The intake document it is in.
    pub doc_id: String,
    /// Who brought it in (`volunteer`, `partner`, `citizen`, `the_person`).
    pub source: String,
    /// What was said or seen.
    pub text: String,
    /// The neighbourhood, if known.
    pub neighbourhood: Option<String>,
    /// `low`, `normal`, `high` or `urgent`.
    pub urgency: String,
    /// `new`, `linked`, `referred` or `closed`.
    pub status: String,
    /// When it was registered (ms since epoch).
    pub created_at: i64,
    /// The case it is linked to.
    pub case_id: Option<String>,
}

/// A client found at the front door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMatch {
    /// The case id.
    pub case_id: String,
    /// The client's display name.
    pub display_name: String,
    /// The client's birth year, if known.
    pub birth_year: Option<u16>,
    /// The case owner (member id).
    pub owner: String,
}

/// Lower case without the accents common in names here (`Çelik` and `celik` match).
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'ď' | 'đ' => 'd',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
            'ğ' => 'g',
            'ì' | 'í' | 'î' | 'ï' | 'ı' | 'ī' | 'į' => 'i',
            'ł' => 'l',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ř' => 'r',
            'ś' | 'š' | 'ş' | 'ș' => 's',
            'ť' | 'ţ' | 'ț' => 't',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            other => other,
        })
        .collect()
}

/// Whether the name starts with `prefix` at its start or at the start of any word (both folded).
fn name_matches(name: &str, prefix: &str) -> bool {
    let name = fold(name);
    let mut at_word_start = true;
    for (i, c) in name.char_indices() {
        if at_word_start && name.get(i..).is_some_and(|rest| rest.starts_with(prefix)) {
            return true;
        }
        at_word_start = !c.is_alphanumeric();
    }
    prefix.is_empty()
}

impl Store {
    /// Create the (empty) intake queue of `team`; returns its id.
    pub fn create_intake(
        &mut self,
        author: &Author,
        team: &TeamId,
    ) -> Result<IntakeId, StoreError> {
        let (id, doc) = intake::create_intake(author, team)?;
        self.insert_document(author, DocKind::Intake, id.as_str(), doc)?;
        Ok(id)
    }

    /// Change the intake queue with validated edits, stored as one change by `author`:
    /// `store.edit_intake(&me, &id, |queue| queue.mark_referred(&item))`.
    pub fn edit_intake<T>(
        &mut self,
        author: &Author,
        id: &IntakeId,
        edit: impl FnOnce(&mut IntakeEditor<'_>) -> Result<T, DocError>,
    ) -> Result<T, StoreError> {
        self.edit_document(DocKind::Intake, id.as_str(), author, |doc| {
            edit(&mut IntakeEditor::new(doc, author))
        })
    }

    /// The whole intake queue.
    pub fn open_intake(&mut self, id: &IntakeId) -> Result<Intake, StoreError> {
        let doc = self.take_document(DocKind::Intake, id.as_str())?;
        let queue = intake::load(&doc);
        self.keep_document(id.as_str(), doc);
        Ok(queue?)
    }

    /// Intake items (only those in `status` when given), newest first. Never loads documents.
    pub fn intake_queue(&self, status: Option<&str>) -> Result<Vec<IntakeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_id, doc_id, source, text, neighbourhood, urgency, status, created_at,
                    case_id
             FROM intake_queue
             WHERE ?1 IS NULL OR status = ?1
             ORDER BY created_at DESC, item_id",
        )?;
        let rows = stmt
            .query_map([status], |r| {
                Ok(IntakeRow {
                    item_id: r.get(0)?,
                    doc_id: r.get(1)?,
                    source: r.get(2)?,
                    text: r.get(3)?,
                    neighbourhood: r.get(4)?,
                    urgency: r.get(5)?,
                    status: r.get(6)?,
                    created_at: r.get(7)?,
                    case_id: r.get(8)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Clients in the team's client index whose name (or a word of it) starts with
    /// `name_prefix`, ignoring case and common accents, born in `birth_year` when given; sorted
    /// by name. An empty prefix matches everyone. Never loads documents.
    pub fn find_clients(
        &self,
        name_prefix: &str,
        birth_year: Option<u16>,
    ) -> Result<Vec<ClientMatch>, StoreError> {
        let prefix = fold(name_prefix.trim());
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, display_name, birth_year, owner
             FROM client_index
             WHERE ?1 IS NULL OR birth_year = ?1
             ORDER BY display_name, case_id",
        )?;
        let rows: Vec<ClientMatch> = stmt
            .query_map([birth_year], |r| {
                Ok(ClientMatch {
                    case_id: r.get(0)?,
                    display_name: r.get(1)?,
                    birth_year: r.get(2)?,
                    owner: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter(|m| name_matches(&m.display_name, &prefix))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_on_any_word_ignoring_case_and_accents() {
        assert!(name_matches("Çelik Ayşe", "celik"));
        assert!(name_matches("Çelik Ayşe", "ays"));
        assert!(name_matches("Jan Peeters-De Smet", "de s"));
        assert!(name_matches("Jan Peeters-De Smet", "smet"));
        assert!(!name_matches("Jan Peeters", "eters"));
        assert!(name_matches("anyone", ""));
    }
}

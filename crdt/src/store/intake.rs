//! The store's front-door API: the intake queue (create, edit through an [`IntakeEditor`], read,
//! list from the `intake_queue` table) and the client search over the team's client index
//! (`client_index` table), to see whether a person already has a case and who guides them.

use std::collections::BTreeSet;

use super::{Store, StoreError};
use crate::author::Author;
use crate::doc::{DocError, DocKind};
use crate::id::{CaseId, TeamId};
use crate::intake::{self, Intake, IntakeEditor, IntakeId, IntakeSource, IntakeStatus, Urgency};

/// One row of the intake queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeRow {
    /// The item id.
    pub item_id: String,
    /// The intake document it is in.
    pub doc_id: String,
    /// Who brought it in.
    pub source: IntakeSource,
    /// What was said or seen.
    pub text: String,
    /// The neighbourhood, if known.
    pub neighbourhood: Option<String>,
    /// How urgent it looked.
    pub urgency: Urgency,
    /// Where it stands.
    pub status: IntakeStatus,
    /// When it was registered (ms since epoch).
    pub created_at: i64,
    /// The case it is linked to.
    pub case_id: Option<String>,
    /// The person's name, if one was given.
    pub name: Option<String>,
    /// The theme slug, if one was given.
    pub theme: Option<String>,
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
    /// Whether this device holds the case (so its user may open it).
    pub held: bool,
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

/// An `intake_queue` row (columns in the order of [`Store::intake_queue`]'s query).
fn intake_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IntakeRow> {
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
        name: r.get(9)?,
        theme: r.get(10)?,
    })
}

/// A name as the duplicate check compares it: folded (see [`fold`]), words split at anything
/// that is not a letter or digit; with the words in their order and sorted.
struct NameKey {
    spaced: Vec<char>,
    sorted: Vec<char>,
}

impl NameKey {
    fn of(name: &str) -> Self {
        let folded = fold(name);
        let mut words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let spaced = words.join(" ").chars().collect();
        words.sort_unstable();
        Self {
            spaced,
            sorted: words.join(" ").chars().collect(),
        }
    }

    /// How far apart two names are (the smallest edit distance of the names as written, with
    /// their words sorted, and without spaces), if close enough to be the same person: none
    /// for names up to 4 characters, 1 up to 12, 2 beyond.
    fn distance(&self, other: &NameKey) -> Option<usize> {
        let joined = |key: &[char]| {
            key.iter()
                .filter(|c| **c != ' ')
                .copied()
                .collect::<Vec<_>>()
        };
        let allowed = match self.spaced.len().min(other.spaced.len()) {
            0..=4 => 0,
            5..=12 => 1,
            _ => 2,
        };
        let (mine, theirs) = (joined(&self.spaced), joined(&other.spaced));
        // An edit distance is at least the difference in length: skip names far longer or
        // shorter.
        let gap = mine.len().abs_diff(theirs.len());
        if gap.min(self.spaced.len().abs_diff(other.spaced.len())) > allowed {
            return None;
        }
        let distance = edit_distance(&mine, &theirs)
            .min(edit_distance(&self.spaced, &other.spaced))
            .min(edit_distance(&self.sorted, &other.sorted));
        (distance <= allowed).then_some(distance)
    }
}

/// The Levenshtein distance between two texts (insertions, deletions, substitutions).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
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
    pub fn intake_queue(&self, status: Option<IntakeStatus>) -> Result<Vec<IntakeRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_id, doc_id, source, text, neighbourhood, urgency, status, created_at,
                    case_id, name, theme
             FROM intake_queue
             WHERE ?1 IS NULL OR status = ?1
             ORDER BY created_at DESC, item_id",
        )?;
        let rows = stmt
            .query_map([status], intake_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The front-door signals linked to case `id` that its journal does not record: linked on
    /// a device that does not hold the case (the front desk's, for a colleague's case), where
    /// [`Store::link_intake`] could not write the case. Oldest first.
    pub fn linked_signals(&mut self, id: &CaseId) -> Result<Vec<IntakeRow>, StoreError> {
        let case = self.open_case(id)?;
        let recorded: BTreeSet<&str> = case
            .journal
            .values()
            .filter_map(|e| e.intake.as_ref().map(|t| t.item.as_str()))
            .collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_id, doc_id, source, text, neighbourhood, urgency, status, created_at,
                    case_id, name, theme
             FROM intake_queue
             WHERE case_id = ?1 AND status = 'linked'
             ORDER BY created_at, item_id",
        )?;
        let rows: Vec<IntakeRow> = stmt
            .query_map([id.as_str()], intake_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter(|r| !recorded.contains(r.item_id.as_str()))
            .collect())
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
        Ok(self
            .client_index(birth_year)?
            .into_iter()
            .filter(|m| name_matches(&m.display_name, &prefix))
            .collect())
    }

    /// The duplicate check before a case is made: clients in the team's client index whose name
    /// is the same as `name` or spelled closely (ignoring case, accents, spaces, hyphens and
    /// the order of the words; a small edit distance), and whose birth year, when both are
    /// known, is `birth_year`. The same name first, then by how close, then by name and birth
    /// year; at most `limit`. Never loads documents.
    pub fn similar_clients(
        &self,
        name: &str,
        birth_year: Option<u16>,
        limit: usize,
    ) -> Result<Vec<ClientMatch>, StoreError> {
        let wanted = NameKey::of(name);
        if wanted.spaced.is_empty() {
            return Ok(Vec::new());
        }
        let mut found: Vec<(usize, ClientMatch)> = self
            .client_index(None)?
            .into_iter()
            .filter(|m| {
                birth_year.is_none() || m.birth_year.is_none() || m.birth_year == birth_year
            })
            .filter_map(|m| {
                let distance = wanted.distance(&NameKey::of(&m.display_name))?;
                Some((distance, m))
            })
            .collect();
        found.sort_by(|(da, a), (db, b)| {
            (da, &a.display_name, a.birth_year, &a.case_id).cmp(&(
                db,
                &b.display_name,
                b.birth_year,
                &b.case_id,
            ))
        });
        Ok(found.into_iter().take(limit).map(|(_, m)| m).collect())
    }

    /// The team's client index (born in `birth_year` when given), sorted by name.
    fn client_index(&self, birth_year: Option<u16>) -> Result<Vec<ClientMatch>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.case_id, c.display_name, c.birth_year, c.owner,
                    EXISTS (SELECT 1 FROM document d WHERE d.doc_id = c.case_id)
             FROM client_index c
             WHERE ?1 IS NULL OR c.birth_year = ?1
             ORDER BY c.display_name, c.case_id",
        )?;
        let rows = stmt
            .query_map([birth_year], |r| {
                Ok(ClientMatch {
                    case_id: r.get(0)?,
                    display_name: r.get(1)?,
                    birth_year: r.get(2)?,
                    owner: r.get(3)?,
                    held: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
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

    #[test]
    fn close_spellings_of_a_name_are_near() {
        let near = |a: &str, b: &str| NameKey::of(a).distance(&NameKey::of(b));
        assert_eq!(near("Marie Dubois", "marie  DUBOIS"), Some(0));
        assert_eq!(near("Yusuf Çelik", "Yusuf Celik"), Some(0));
        assert_eq!(near("Dubois Marie", "Marie Dubois"), Some(0));
        assert_eq!(near("Jan De Smet", "Jan Desmet"), Some(0));
        assert_eq!(near("Jan Peeters-De Smet", "jan peeters de smet"), Some(0));
        assert_eq!(near("Marie Dubois", "Mari Dubois"), Some(1));
        assert_eq!(near("Yan Peeters", "Jan Peeters"), Some(1));
        assert_eq!(near("Mohammed El Amrani", "Mohamed El Amrani"), Some(1));
        assert_eq!(near("Mohammed El Amrani", "Mohamad El Amrani"), Some(2));
        assert_eq!(near("Marie Dubois", "Marc Dubois"), None);
        assert_eq!(near("Ali", "Ala"), None, "short names only as written");
        assert_eq!(near("Marie Dubois", "Anna Peeters"), None);
        assert_eq!(edit_distance(&['a', 'b'], &[]), 2);
    }
}

//! Work that spans documents, as the app does it: starting a team on a first start, opening a
//! case together with its entry in the team's client index (so the front door can see who guides
//! a person without seeing the case), editing a case so that its index entry stays current,
//! handing a case over, and turning a front-door intake item into a case. Each writes more than
//! one document, all or nothing (see `Store::all_or_nothing`).

use super::profile::Profile;
use super::{Store, StoreError};
use crate::author::Author;
use rusqlite::OptionalExtension;

use crate::case::{CaseEditor, IntakeTrace, NewCase, NewQuestion};
use crate::doc::DocError;
use crate::id::{CaseId, ItemId, MemberId};
use crate::input::{self, InputError, Problem};
use crate::intake::{IntakeId, IntakeItem, IntakeStatus};
use crate::team::NewMember;

impl Store {
    /// First start: make a team with the user as its first (admin) member and this device (the
    /// store's device key, see [`Store::set_device_key`]) as its first device, the team's intake
    /// queue, and this device's profile. All or nothing.
    pub fn start_team(&mut self, team_name: &str, me: NewMember) -> Result<Profile, StoreError> {
        if self.profile()?.is_some() {
            return Err(InputError::new("team", Problem::NotAllowedNow).into());
        }
        let (key, _) = self.key_device()?;
        let author = Author::new(MemberId::random(), key);
        self.all_or_nothing(|store| {
            let team = store.create_team(&author, team_name, me)?;
            let intake = store.create_intake(&author, &team)?;
            let profile = Profile {
                device: author.device(),
                member: author.member.clone(),
                team,
                intake: intake.to_string(),
            };
            store.set_profile(&profile)?;
            Ok(profile)
        })
    }

    /// Open a case for the team and list it in the team's client index, all or nothing.
    pub fn register_case(&mut self, me: &Profile, new: NewCase) -> Result<CaseId, StoreError> {
        let author = self.author(me)?;
        self.all_or_nothing(|store| {
            let id = store.create_case(&author, &me.team, new)?;
            store.index_case(me, &id)?;
            Ok(id)
        })
    }

    /// Refresh a case's entry in the client index (name, birth year, owner). A birth year the
    /// index does not take (a case from before birth dates were checked) is left out of the
    /// entry rather than blocking the case's work. A removed case has no entry.
    pub fn index_case(&mut self, me: &Profile, id: &CaseId) -> Result<(), StoreError> {
        let case = self.open_case(id)?;
        if case.removed.is_some() {
            if self.index_entry(me, id)?.is_none() {
                return Ok(());
            }
            return self.edit_team(&self.author(me)?, &me.team, |team| {
                team.remove_client_index_entry(id)
            });
        }
        let owner = MemberId::parse(&case.owner)
            .map_err(|_| InputError::new("owner", Problem::NotFound))?;
        let year = case.client_birth_year().filter(|year| index_takes(*year));
        let name = case.client_name().to_string();
        self.edit_team(&self.author(me)?, &me.team, |team| {
            team.upsert_client_index_entry(id, &name, year, &owner)
        })
    }

    /// Change a case with validated edits as `me` (this device's user), and keep the team's
    /// client index current in the same all-or-nothing operation (see
    /// [`Store::keeping_index_current`]). Returns what `edit` returned.
    pub fn edit_case_as<T>(
        &mut self,
        me: &Profile,
        id: &CaseId,
        edit: impl FnOnce(&mut CaseEditor<'_>) -> Result<T, DocError>,
    ) -> Result<T, StoreError> {
        self.refuse_if_removed(id)?;
        let author = self.author(me)?;
        self.keeping_index_current(me, id, |store| store.edit_case(&author, id, edit))
    }

    /// Settle a conflict in a case as `me` by picking one of its values (see
    /// [`Store::resolve_case_conflict`]); the client index follows when the client's name or
    /// birth date was the field in conflict.
    pub fn resolve_case_conflict_as(
        &mut self,
        me: &Profile,
        id: &CaseId,
        path: &[String],
        choice: usize,
    ) -> Result<(), StoreError> {
        let author = self.author(me)?;
        self.keeping_index_current(me, id, |store| {
            store.resolve_case_conflict(&author, id, path, choice)
        })
    }

    /// Run `edit` (a change to case `id`) and refresh the case's client-index entry when the
    /// case now shows the client's name, birth year or owner otherwise than before, or than
    /// its entry does (an entry left stale, e.g. by concurrent renames): all or nothing.
    fn keeping_index_current<T>(
        &mut self,
        me: &Profile,
        id: &CaseId,
        edit: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.all_or_nothing(|store| {
            let before = store.indexed_fields(id)?;
            let value = edit(store)?;
            let after = store.indexed_fields(id)?;
            let entry = store.index_entry(me, id)?;
            if after != before || entry.is_some_and(|entry| Some(entry) != after) {
                store.index_case(me, id)?;
            }
            Ok(value)
        })
    }

    /// What the client index should show of a case, from the case list (a query table written
    /// with the case; the document is not loaded).
    fn indexed_fields(&self, id: &CaseId) -> Result<Option<IndexedFields>, StoreError> {
        let fields: Option<IndexedFields> = self
            .conn
            .prepare_cached(
                "SELECT client_name, birth_year, owner FROM case_list WHERE case_id = ?1",
            )?
            .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(fields.map(|(name, year, owner)| (name, year.filter(|y| index_takes(*y)), owner)))
    }

    /// What the team's client index shows of a case.
    fn index_entry(&self, me: &Profile, id: &CaseId) -> Result<Option<IndexedFields>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT display_name, birth_year, owner FROM client_index
                 WHERE case_id = ?1 AND team_doc = ?2",
            )?
            .query_row([id.as_str(), me.team.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    /// Hand a case over to another member (warm handover inside the team); the client index
    /// follows in the same all-or-nothing operation.
    pub fn hand_over(
        &mut self,
        me: &Profile,
        id: &CaseId,
        owner: &MemberId,
    ) -> Result<(), StoreError> {
        let author = self.author(me)?;
        self.all_or_nothing(|store| {
            store.edit_case(&author, id, |case| case.set_owner(owner))?;
            store.index_case(me, id)
        })
    }

    fn intake_id(me: &Profile) -> Result<IntakeId, StoreError> {
        IntakeId::parse(&me.intake).map_err(|_| StoreError::Corrupt {
            id: "profile".into(),
            detail: "bad intake id".into(),
        })
    }

    /// The queue's item `item`, if it may still be taken up (new or referred): an item that is
    /// not in the queue, or is already linked or closed, is refused.
    fn open_item(&mut self, me: &Profile, item: &ItemId) -> Result<IntakeItem, StoreError> {
        let mut queue = self.open_intake(&Self::intake_id(me)?)?;
        match queue.items.remove(item.as_str()) {
            None => Err(InputError::new("item", Problem::NotFound).into()),
            Some(found) => match found.status {
                IntakeStatus::Linked | IntakeStatus::Closed => {
                    Err(InputError::new("status", Problem::NotAllowedNow).into())
                }
                IntakeStatus::New | IntakeStatus::Referred => Ok(found),
            },
        }
    }

    /// Turn a front-door item into a new case (owned by `owner`, or me), list it in the client
    /// index and link the item, all or nothing. What was typed at the front door comes along:
    /// the signal becomes the case's first question (its theme, or `other`, and its text) and a
    /// journal entry dated the day it was registered, saying it came from the front door (who
    /// brought it in, how urgent, the name given). An item that is not in the queue, or is
    /// already linked or closed, is refused before anything is written.
    pub fn case_from_intake(
        &mut self,
        me: &Profile,
        item: &ItemId,
        new: NewCase,
    ) -> Result<CaseId, StoreError> {
        let signal = self.open_item(me, item)?;
        let intake = Self::intake_id(me)?;
        let author = self.author(me)?;
        self.all_or_nothing(|store| {
            let id = store.register_case(me, new)?;
            store.edit_case(&author, &id, |case| {
                case.add_question(NewQuestion {
                    theme: signal.theme.clone().unwrap_or_else(|| "other".into()),
                    text: signal.text.clone(),
                })?;
                case.add_intake_entry(
                    trace(item, &signal, false),
                    &signal.text,
                    signal.theme.as_deref(),
                )
            })?;
            store.edit_intake(&author, &intake, |q| q.link_to_case(item, &id))?;
            Ok(id)
        })
    }

    /// Link a front-door item to an existing case: one the client index lists or this device
    /// holds. When this device holds the case, the signal is recorded in its journal (a note
    /// saying it came from the front door and was linked), in the same all-or-nothing
    /// operation; a colleague's case this device does not hold shows the link through the
    /// intake queue, which the whole team shares.
    pub fn link_intake(
        &mut self,
        me: &Profile,
        item: &ItemId,
        case: &CaseId,
    ) -> Result<(), StoreError> {
        let (listed, held): (bool, bool) = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM client_index WHERE case_id = ?1),
                    EXISTS (SELECT 1 FROM document WHERE doc_id = ?1 AND kind = 'case')",
            [case.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !listed && !held {
            return Err(InputError::new("case", Problem::NotFound).into());
        }
        let signal = self.open_item(me, item)?;
        let intake = Self::intake_id(me)?;
        let author = self.author(me)?;
        self.all_or_nothing(|store| {
            if held {
                store.edit_case(&author, case, |c| {
                    c.add_intake_entry(
                        trace(item, &signal, true),
                        &signal.text,
                        signal.theme.as_deref(),
                    )
                })?;
            }
            store.edit_intake(&author, &intake, |q| q.link_to_case(item, case))
        })
    }
}

/// What a case's journal keeps of front-door signal `item`.
fn trace(item: &ItemId, signal: &IntakeItem, linked: bool) -> IntakeTrace {
    IntakeTrace {
        item: item.to_string(),
        source: signal.source,
        urgency: signal.urgency,
        name: signal.name.clone(),
        registered_at: signal.created_at,
        registered_by: signal.created_by.clone(),
        linked,
    }
}

/// The client's name and birth year and the owner, as the client index shows them.
type IndexedFields = (String, Option<u16>, String);

/// Whether the client index takes this birth year (see [`input::birth_year`]); a year it does
/// not take (a case from before birth dates were checked) is left out of the entry.
fn index_takes(year: u16) -> bool {
    input::birth_year("birth_year", year).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::{IntakeSource, NewIntakeItem, Urgency};
    use crate::store::KeySource;

    fn founder() -> NewMember {
        NewMember {
            name: "An Peeters".into(),
            role: "maatschappelijk assistent".into(),
            organisation: Some("OCMW".into()),
        }
    }

    #[test]
    fn first_start_makes_team_intake_and_profile_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        store.set_device_key(iroh::SecretKey::generate()).unwrap();
        assert!(
            store.start_team("  ", founder()).is_err(),
            "team name is required"
        );
        assert_eq!(
            store.profile().unwrap(),
            None,
            "a failed start leaves no profile"
        );
        let me = store.start_team("Sociaal Huis Noord", founder()).unwrap();
        assert_eq!(store.profile().unwrap(), Some(me.clone()));
        let team = store.open_team(&me.team).unwrap();
        assert!(team.members.contains_key(me.member.as_str()));
        assert!(
            store.start_team("Tweede", founder()).is_err(),
            "only one profile per device"
        );
    }

    #[test]
    fn cases_appear_in_the_client_index_and_intake_items_become_cases() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), &KeySource::Unencrypted).unwrap();
        store.set_device_key(iroh::SecretKey::generate()).unwrap();
        let me = store.start_team("Sociaal Huis Noord", founder()).unwrap();
        let case = NewCase {
            client_name: "Yusuf Çelik".into(),
            birth_date: Some("1984-05-02".into()),
            ..Default::default()
        };
        let id = store.register_case(&me, case).unwrap();
        let found = store.find_clients("celi", Some(1984)).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].case_id, id.to_string());
        assert_eq!(found[0].owner, me.member.to_string());

        let intake = IntakeId::parse(&me.intake).unwrap();
        let item = store
            .edit_intake(&store.author(&me).unwrap(), &intake, |q| {
                q.add_item(NewIntakeItem {
                    source: IntakeSource::Volunteer,
                    text: "Mevrouw kan haar energiefactuur niet betalen".into(),
                    neighbourhood: Some("Noord".into()),
                    urgency: Urgency::High,
                    name: Some("Marie Dubois".into()),
                    theme: Some("money".into()),
                })
            })
            .unwrap();
        let new = NewCase {
            client_name: "Marie Dubois".into(),
            ..Default::default()
        };
        let from_intake = store.case_from_intake(&me, &item, new).unwrap();
        let queue = store.intake_queue(None).unwrap();
        assert_eq!(queue[0].case_id.as_deref(), Some(from_intake.as_str()));
        assert_eq!(store.find_clients("marie", None).unwrap().len(), 1);
        assert!(
            store
                .case_from_intake(&me, &ItemId::random(), NewCase::default())
                .is_err()
        );
    }
}

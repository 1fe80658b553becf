//! Work that spans documents, as the app does it: starting a team on a first start, opening a
//! case together with its entry in the team's client index (so the front door can see who guides
//! a person without seeing the case), handing a case over, and turning a front-door intake item
//! into a case.

use super::profile::Profile;
use super::{Store, StoreError};
use crate::author::Author;
use crate::case::NewCase;
use crate::id::{CaseId, ItemId, MemberId};
use crate::input::{InputError, Problem};
use crate::intake::IntakeId;
use crate::team::NewMember;

impl Store {
    /// First start: make a team with the user as its first (admin) member and this device (the
    /// store's device key, see [`Store::set_device_key`]) as its first device, the team's intake
    /// queue, and this device's profile.
    pub fn start_team(&mut self, team_name: &str, me: NewMember) -> Result<Profile, StoreError> {
        if self.profile()?.is_some() {
            return Err(InputError::new("team", Problem::NotAllowedNow).into());
        }
        let (key, _) = self.key_device()?;
        let author = Author::new(MemberId::random(), key);
        let team = self.create_team(&author, team_name, me)?;
        let intake = self.create_intake(&author, &team)?;
        let profile = Profile {
            device: author.device(),
            member: author.member,
            team,
            intake: intake.to_string(),
        };
        self.set_profile(&profile)?;
        Ok(profile)
    }

    /// Open a case for the team and list it in the team's client index.
    pub fn register_case(&mut self, me: &Profile, new: NewCase) -> Result<CaseId, StoreError> {
        let author = self.author(me)?;
        let id = self.create_case(&author, &me.team, new)?;
        self.index_case(me, &id)?;
        Ok(id)
    }

    /// Refresh a case's entry in the client index (name, birth year, owner).
    pub fn index_case(&mut self, me: &Profile, id: &CaseId) -> Result<(), StoreError> {
        let case = self.open_case(id)?;
        let owner = MemberId::parse(&case.owner)
            .map_err(|_| InputError::new("owner", Problem::NotFound))?;
        let (name, year) = (case.client_name().to_string(), case.client_birth_year());
        self.edit_team(&self.author(me)?, &me.team, |team| {
            team.upsert_client_index_entry(id, &name, year, &owner)
        })
    }

    /// Hand a case over to another member (warm handover inside the team).
    pub fn hand_over(
        &mut self,
        me: &Profile,
        id: &CaseId,
        owner: &MemberId,
    ) -> Result<(), StoreError> {
        self.edit_case(&self.author(me)?, id, |case| case.set_owner(owner))?;
        self.index_case(me, id)
    }

    fn intake_id(me: &Profile) -> Result<IntakeId, StoreError> {
        IntakeId::parse(&me.intake).map_err(|_| StoreError::Corrupt {
            id: "profile".into(),
            detail: "bad intake id".into(),
        })
    }

    /// Turn a front-door item into a new case (owned by `owner`, or me), and link the item.
    pub fn case_from_intake(
        &mut self,
        me: &Profile,
        item: &ItemId,
        new: NewCase,
    ) -> Result<CaseId, StoreError> {
        let intake = Self::intake_id(me)?;
        let queue = self.open_intake(&intake)?;
        if !queue.items.contains_key(item.as_str()) {
            return Err(InputError::new("item", Problem::NotFound).into());
        }
        let id = self.register_case(me, new)?;
        self.edit_intake(&self.author(me)?, &intake, |q| q.link_to_case(item, &id))?;
        Ok(id)
    }

    /// Link a front-door item to an existing case.
    pub fn link_intake(
        &mut self,
        me: &Profile,
        item: &ItemId,
        case: &CaseId,
    ) -> Result<(), StoreError> {
        let intake = Self::intake_id(me)?;
        self.edit_intake(&self.author(me)?, &intake, |q| q.link_to_case(item, case))
    }
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

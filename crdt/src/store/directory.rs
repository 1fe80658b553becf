//! The store's partner directory ("sociale kaart"): searching it (the `partner` table, with the
//! member count from `member_partner` and each partner's figures from the team's own
//! referrals), adding and changing partners as this device's user, importing a CSV file in one
//! team edit (a bad row names its line and column, and nothing of the file is kept), the example
//! directory, and which partner a member works for.

use std::collections::BTreeMap;

use super::profile::Profile;
use super::referrals::PartnerFigures;
use super::table::partner::{self as rows, Listed};
use super::{Store, StoreError};
use crate::doc::DocError;
use crate::id::{ItemId, MemberId};
use crate::input::{InputError, Problem};
use crate::team::import::{self, BadFile, EXAMPLE_DIRECTORY, ImportError, ImportProblem};
use crate::team::{NewMember, NewPartner, PartnerUpdate, Upserted};

/// A partner as the directory lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRow {
    /// The partner's item id in the team document.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it offers.
    pub services: Vec<String>,
    /// Theme slugs.
    pub themes: Vec<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Web address.
    pub website: Option<String>,
    /// Opening hours.
    pub opening_hours: Option<String>,
    /// Whom to ask for.
    pub contact_person: Option<String>,
    /// Whether its workers are bound by professional secrecy.
    pub bound_by_secrecy: bool,
    /// The member who changed it last (or added it), if known.
    pub changed_by: Option<String>,
    /// When (ms since epoch), if known.
    pub changed_at: Option<i64>,
    /// How many current members of the team work for it (it works in Nabij when > 0).
    pub members: u32,
    /// Its figures from the team's referrals on this device.
    pub figures: PartnerFigures,
}

impl PartnerRow {
    fn of(listed: Listed, figures: &BTreeMap<String, PartnerFigures>) -> Self {
        let figures = figures.get(&listed.id).cloned().unwrap_or(PartnerFigures {
            sent: 0,
            accepted_share: None,
            median_days_to_first_contact: None,
        });
        Self {
            id: listed.id,
            name: listed.name,
            services: listed.services,
            themes: listed.themes,
            address: listed.address,
            phone: listed.phone,
            email: listed.email,
            website: listed.website,
            opening_hours: listed.opening_hours,
            contact_person: listed.contact_person,
            bound_by_secrecy: listed.bound_by_secrecy,
            changed_by: listed.changed_by,
            changed_at: listed.changed_at,
            members: listed.members,
            figures,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    /// Partners added.
    pub added: usize,
    /// Partners already in the directory (by name, accents and case aside) that the file
    /// changed.
    pub updated: usize,
    /// Partners already in the directory exactly as the file has them.
    pub unchanged: usize,
}

impl Store {
    /// The partners of the directory whose name, services or themes (slug or label) have a
    /// word starting with each word of `query` (accents and case aside; an empty query lists
    /// every partner); only those of `theme` if given; those of `theme_first` first (the theme
    /// of the question a worker refers from), then by name. Never loads a document.
    pub fn directory(
        &self,
        query: &str,
        theme: Option<&str>,
        theme_first: Option<&str>,
    ) -> Result<Vec<PartnerRow>, StoreError> {
        let figures = self.partner_figures()?;
        Ok(rows::search(&self.conn, query, theme, theme_first)?
            .into_iter()
            .map(|listed| PartnerRow::of(listed, &figures))
            .collect())
    }

    /// One partner of the directory, if there is one with this id.
    pub fn directory_partner(&self, id: &ItemId) -> Result<Option<PartnerRow>, StoreError> {
        let Some(listed) = rows::one(&self.conn, id.as_str())? else {
            return Ok(None);
        };
        Ok(Some(PartnerRow::of(listed, &self.partner_figures()?)))
    }

    /// Add a partner to the directory as `me` (any member); durable before it returns.
    pub fn add_partner(&mut self, me: &Profile, new: NewPartner) -> Result<ItemId, StoreError> {
        let author = self.author(me)?;
        self.edit_team(&author, &me.team, |team| team.add_partner(new))
    }

    /// Change a partner of the directory as `me` (any member); whether anything changed.
    pub fn update_partner(
        &mut self,
        me: &Profile,
        id: &ItemId,
        update: PartnerUpdate,
    ) -> Result<bool, StoreError> {
        let author = self.author(me)?;
        self.edit_team(&author, &me.team, |team| team.update_partner(id, update))
    }

    /// Say which partner a member works for (`None`: none), as `me` (an admin).
    pub fn set_member_partner(
        &mut self,
        me: &Profile,
        member: &MemberId,
        partner: Option<&ItemId>,
    ) -> Result<(), StoreError> {
        let author = self.author(me)?;
        self.edit_team(&author, &me.team, |team| {
            team.set_member_partner(member, partner)
        })
    }

    /// Import partners from a CSV file (see `team::import` for its columns) as `me`, in one
    /// team edit: a partner whose name is in the directory already is changed to what the file
    /// says, the others are added. Every bad line is reported with its column
    /// ([`StoreError::Import`]; the first [`import::MAX_REPORTED`]), and then nothing of the
    /// file is stored.
    pub fn import_partners(&mut self, me: &Profile, csv: &str) -> Result<Imported, StoreError> {
        let author = self.author(me)?;
        let team = self.open_team(&me.team)?;
        let read = import::read(csv, &team.themes);
        let mut errors = read.errors;
        let lines: Vec<u64> = read.rows.iter().map(|row| row.line).collect();
        let list = read.rows.into_iter().map(|row| row.partner).collect();
        let result = self.edit_team(&author, &me.team, |editor| {
            let mut done = Imported::default();
            for (line, answer) in lines.iter().zip(editor.upsert_partners(list)?) {
                match answer {
                    Ok(Upserted::Added(_)) => done.added += 1,
                    Ok(Upserted::Updated(_)) => done.updated += 1,
                    Ok(Upserted::Unchanged(_)) => done.unchanged += 1,
                    Err(error) => errors.push(ImportError {
                        line: *line,
                        column: import::column_of_field(error.field).to_string(),
                        problem: ImportProblem::Field(error.problem),
                        detail: None,
                    }),
                }
            }
            if errors.is_empty() {
                Ok(done)
            } else {
                // Any bad line: the whole edit is rolled back (the lines are reported below).
                Err(DocError::Input(InputError::new(
                    "file",
                    Problem::OutOfRange,
                )))
            }
        });
        match result {
            Err(StoreError::Document(DocError::Input(_))) if !errors.is_empty() => {
                Err(BadFile::of(errors).into())
            }
            other => other,
        }
    }

    /// First start with the example directory: [`Store::start_team`] and
    /// [`Store::load_example_directory`], all or nothing.
    pub fn start_team_with_example_directory(
        &mut self,
        team_name: &str,
        founder: NewMember,
    ) -> Result<Profile, StoreError> {
        self.all_or_nothing(|store| {
            let me = store.start_team(team_name, founder)?;
            store.load_example_directory(&me)?;
            Ok(me)
        })
    }

    /// Load the example directory shipped with Nabij (27 fictional organisations) as `me`,
    /// through [`Store::import_partners`]; loading it again changes nothing.
    pub fn load_example_directory(&mut self, me: &Profile) -> Result<Imported, StoreError> {
        self.import_partners(me, EXAMPLE_DIRECTORY)
    }
}

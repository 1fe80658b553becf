//! The partner directory ("sociale kaart") in the team document: adding and changing a partner
//! organisation. Any member may do both; every change names its member and time in the partner
//! (`added_by`, `changed_by`), beside the signed authorship of the change itself.

use std::collections::BTreeMap;

use super::{TeamEditor, text_list, theme_slug};
use crate::date::now_ms;
use crate::doc::{DocError, put_item};
use crate::id::ItemId;
use crate::input::{self, InputError, Problem, SHORT_TEXT};
use crate::team::model::Partner;

/// At most this many services are kept per partner.
pub const MAX_SERVICES: usize = 30;

/// A partner organisation to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPartner {
    /// Name (unique in the directory, accents and case aside).
    pub name: String,
    /// What it offers.
    pub services: Vec<String>,
    /// Theme slugs it helps with (each must be a theme of the team).
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
}

/// Fields of a partner to change (`None`: leave as is; `Some("")` clears an optional text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerUpdate {
    /// New name.
    pub name: Option<String>,
    /// New list of services.
    pub services: Option<Vec<String>>,
    /// New list of theme slugs.
    pub themes: Option<Vec<String>>,
    /// New address.
    pub address: Option<String>,
    /// New phone number.
    pub phone: Option<String>,
    /// New e-mail address.
    pub email: Option<String>,
    /// New web address.
    pub website: Option<String>,
    /// New opening hours.
    pub opening_hours: Option<String>,
    /// New contact person.
    pub contact_person: Option<String>,
    /// Bound by professional secrecy or not.
    pub bound_by_secrecy: Option<bool>,
}

impl From<NewPartner> for PartnerUpdate {
    /// Every field set to the new partner's (empty texts clear).
    fn from(new: NewPartner) -> Self {
        Self {
            name: Some(new.name),
            services: Some(new.services),
            themes: Some(new.themes),
            address: Some(new.address.unwrap_or_default()),
            phone: Some(new.phone.unwrap_or_default()),
            email: Some(new.email.unwrap_or_default()),
            website: Some(new.website.unwrap_or_default()),
            opening_hours: Some(new.opening_hours.unwrap_or_default()),
            contact_person: Some(new.contact_person.unwrap_or_default()),
            bound_by_secrecy: Some(new.bound_by_secrecy),
        }
    }
}

/// A partner's name as the directory compares names: folded (accents, case) with its words
/// separated by one space.
pub(crate) fn name_key(name: &str) -> String {
    crate::store::fold(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The services of a partner: [`text_list`], at most [`MAX_SERVICES`].
fn services(list: &[String]) -> Result<Vec<String>, InputError> {
    let list = text_list("services", list, SHORT_TEXT)?;
    if list.len() > MAX_SERVICES {
        return Err(InputError::new("services", Problem::OutOfRange));
    }
    Ok(list)
}

/// The optional texts of a partner, each validated by its own rule.
fn optional_text(field: &'static str, text: Option<&str>) -> Result<Option<String>, InputError> {
    match field {
        "email" => input::email(field, text),
        "phone" => input::phone(field, text),
        "website" => input::web_address(field, text),
        _ => input::optional(field, text, SHORT_TEXT),
    }
}

/// Theme slugs each of which is one of the team's (`known`), without repeats.
fn themes_of(
    field: &'static str,
    themes: &[String],
    known: &BTreeMap<String, String>,
) -> Result<Vec<String>, InputError> {
    let mut out: Vec<String> = Vec::with_capacity(themes.len());
    for theme in themes {
        let slug = theme_slug(field, theme)?;
        if !known.contains_key(&slug) {
            return Err(InputError::new(field, Problem::NotFound));
        }
        if !out.contains(&slug) {
            out.push(slug);
        }
    }
    Ok(out)
}

/// `new` checked field by field (themes against the team's `known` ones), as a partner without
/// its attribution yet.
fn checked(new: NewPartner, known: &BTreeMap<String, String>) -> Result<Partner, InputError> {
    Ok(Partner {
        name: input::required("name", &new.name, SHORT_TEXT)?,
        services: services(&new.services)?,
        themes: themes_of("themes", &new.themes, known)?,
        address: optional_text("address", new.address.as_deref())?,
        phone: optional_text("phone", new.phone.as_deref())?,
        email: optional_text("email", new.email.as_deref())?,
        website: optional_text("website", new.website.as_deref())?,
        opening_hours: optional_text("opening_hours", new.opening_hours.as_deref())?,
        contact_person: optional_text("contact_person", new.contact_person.as_deref())?,
        bound_by_secrecy: new.bound_by_secrecy,
        added_by: None,
        added_at: None,
        changed_by: None,
        changed_at: None,
    })
}

/// What [`TeamEditor::upsert_partners`] did with one partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upserted {
    /// Added, with this id.
    Added(ItemId),
    /// A partner of the same name was changed to it.
    Updated(ItemId),
    /// A partner of the same name was already exactly so.
    Unchanged(ItemId),
}

/// The fields of `partner` that a directory entry describes, set from `fields` (attribution
/// left as it is).
fn with_fields(partner: &Partner, fields: Partner) -> Partner {
    Partner {
        added_by: partner.added_by.clone(),
        added_at: partner.added_at,
        changed_by: partner.changed_by.clone(),
        changed_at: partner.changed_at,
        ..fields
    }
}

impl TeamEditor<'_> {
    /// Refuse `name` when another partner than `except` has it (accents and case aside).
    fn unique_partner_name(&self, name: &str, except: Option<&str>) -> Result<(), DocError> {
        let key = name_key(name);
        let taken = self
            .partners()?
            .iter()
            .any(|(id, p)| Some(id.as_str()) != except && name_key(&p.name) == key);
        if taken {
            return Err(InputError::new("name", Problem::Duplicate).into());
        }
        Ok(())
    }

    /// Add a partner organisation (any member); returns its item id.
    pub fn add_partner(&mut self, new: NewPartner) -> Result<ItemId, DocError> {
        let mut partner = checked(new, &self.themes()?)?;
        self.unique_partner_name(&partner.name, None)?;
        let now = now_ms();
        partner.added_by = Some(self.me());
        partner.added_at = Some(now);
        partner.changed_by = Some(self.me());
        partner.changed_at = Some(now);
        let id = ItemId::random();
        put_item(self.doc, "partners", id.as_str(), &partner)?;
        Ok(id)
    }

    /// Add many partners at once (an import, any member): each is checked like
    /// [`TeamEditor::add_partner`]; one whose name (accents and case aside) a partner has
    /// already, in the directory or earlier in `list`, changes that partner to it instead.
    /// Each gets its own answer (a refused one writes nothing); the directory is read once,
    /// so a long list costs what its partners cost.
    pub fn upsert_partners(
        &mut self,
        list: Vec<NewPartner>,
    ) -> Result<Vec<Result<Upserted, InputError>>, DocError> {
        let known = self.themes()?;
        let mut partners = self.partners()?;
        let mut by_name: BTreeMap<String, String> = partners
            .iter()
            .map(|(id, p)| (name_key(&p.name), id.clone()))
            .collect();
        let me = self.me();
        let now = now_ms();
        let mut out = Vec::with_capacity(list.len());
        for new in list {
            let fields = match checked(new, &known) {
                Ok(fields) => fields,
                Err(error) => {
                    out.push(Err(error));
                    continue;
                }
            };
            let key = name_key(&fields.name);
            let existing = by_name
                .get(&key)
                .and_then(|id| Some((ItemId::parse(id).ok()?, partners.get(id)?)));
            let (id, partner, done) = match existing {
                Some((id, current)) => {
                    let next = with_fields(current, fields);
                    if next == *current {
                        out.push(Ok(Upserted::Unchanged(id)));
                        continue;
                    }
                    let next = Partner {
                        changed_by: Some(me.clone()),
                        changed_at: Some(now),
                        ..next
                    };
                    (id.clone(), next, Upserted::Updated(id))
                }
                None => {
                    let id = ItemId::random();
                    let partner = Partner {
                        added_by: Some(me.clone()),
                        added_at: Some(now),
                        changed_by: Some(me.clone()),
                        changed_at: Some(now),
                        ..fields
                    };
                    (id.clone(), partner, Upserted::Added(id))
                }
            };
            put_item(self.doc, "partners", id.as_str(), &partner)?;
            by_name.insert(key, id.to_string());
            partners.insert(id.to_string(), partner);
            out.push(Ok(done));
        }
        Ok(out)
    }

    /// Change fields of a partner organisation (any member). Every field is checked before
    /// any is written; only fields that differ are written, and then the partner records who
    /// changed it and when. Returns whether anything changed.
    pub fn update_partner(
        &mut self,
        partner: &ItemId,
        update: PartnerUpdate,
    ) -> Result<bool, DocError> {
        let id = partner.as_str();
        let Some(current) = self.partners()?.remove(id) else {
            return Err(InputError::new("partner", Problem::NotFound).into());
        };
        let mut next = current.clone();
        if let Some(name) = update.name {
            next.name = input::required("name", &name, SHORT_TEXT)?;
        }
        if let Some(list) = update.services {
            next.services = services(&list)?;
        }
        if let Some(themes) = update.themes {
            next.themes = themes_of("themes", &themes, &self.themes()?)?;
        }
        for (field, value, slot) in [
            ("address", update.address, &mut next.address),
            ("phone", update.phone, &mut next.phone),
            ("email", update.email, &mut next.email),
            ("website", update.website, &mut next.website),
            (
                "opening_hours",
                update.opening_hours,
                &mut next.opening_hours,
            ),
            (
                "contact_person",
                update.contact_person,
                &mut next.contact_person,
            ),
        ] {
            if let Some(value) = value {
                *slot = optional_text(field, Some(&value))?;
            }
        }
        if let Some(secrecy) = update.bound_by_secrecy {
            next.bound_by_secrecy = secrecy;
        }
        if next == current {
            return Ok(false);
        }
        if next.name != current.name {
            self.unique_partner_name(&next.name, Some(id))?;
        }
        next.changed_by = Some(self.me());
        next.changed_at = Some(now_ms());
        put_item(self.doc, "partners", id, &next)?;
        Ok(true)
    }
}

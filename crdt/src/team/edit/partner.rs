//! The partner directory ("sociale kaart") in the team document: adding and changing a partner
//! organisation. Any member may do both; every change names its member and time in the partner
//! (`added_by`, `changed_by`), beside the signed authorship of the change itself.

use super::{TeamEditor, text_list};
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
        let name = input::required("name", &new.name, SHORT_TEXT)?;
        let services = services(&new.services)?;
        let themes = self.theme_list("themes", &new.themes)?;
        let address = optional_text("address", new.address.as_deref())?;
        let phone = optional_text("phone", new.phone.as_deref())?;
        let email = optional_text("email", new.email.as_deref())?;
        let website = optional_text("website", new.website.as_deref())?;
        let opening_hours = optional_text("opening_hours", new.opening_hours.as_deref())?;
        let contact_person = optional_text("contact_person", new.contact_person.as_deref())?;
        self.unique_partner_name(&name, None)?;
        let now = now_ms();
        let partner = Partner {
            name,
            services,
            themes,
            address,
            phone,
            email,
            website,
            opening_hours,
            contact_person,
            bound_by_secrecy: new.bound_by_secrecy,
            added_by: Some(self.me()),
            added_at: Some(now),
            changed_by: Some(self.me()),
            changed_at: Some(now),
        };
        let id = ItemId::random();
        put_item(self.doc, "partners", id.as_str(), &partner)?;
        Ok(id)
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
            next.themes = self.theme_list("themes", &themes)?;
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

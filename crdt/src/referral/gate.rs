//! The shared-secrecy gate: a referral shares case information with a partner only when all
//! five conditions of shared professional secrecy hold, or under a legal exception with its
//! basis and reason written down. [`check`] decides from the case and the team what may go and
//! on which basis; the first condition that fails is the error, named by its field:
//!
//! 1. `consent`: the client was informed and agrees, by a consent record for this partner (made
//!    in the same step, or chosen from the case's consents: not withdrawn, not for another
//!    partner);
//! 2. `goal`: it is in the client's interest: the question it answers and the goal in one
//!    sentence;
//! 3. `disclose`: only what is strictly necessary: the fields ticked, each of which the case
//!    must hold (`disclose_phone`, ... when it does not), and nothing else;
//! 4. `unbound_consent`: the partner's workers are bound by professional secrecy (from the
//!    directory), or the client agreed explicitly to sharing with a partner that is not;
//! 5. `shared_mission`: the partner works on the same mission (the goal), confirmed.
//!
//! Under a legal exception (a state of necessity, or a case conference under art. 458ter Sw.)
//! conditions 1, 4 and 5 give way, but the `reason` is required and the referral is marked as
//! such. The goal and the choice of fields hold always.

use std::collections::BTreeMap;

use super::edit::{MAX_GOAL, MAX_SUMMARY, NewReferral};
use super::model::{Basis, Disclosed, DisclosedEntry, Ground};
use crate::case::{Case, NewConsent, Person, Question};
use crate::date::Date;
use crate::id::{CaseId, ItemId};
use crate::input::{self, InputError, Problem, SHORT_TEXT};
use crate::team::Team;

/// How the client's consent is given (condition 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentChoice {
    /// None given.
    None,
    /// A consent record already on the case (its item id).
    Existing(ItemId),
    /// A new consent record, made with the referral: what it covers, in the worker's words
    /// (the fields ticked), and the day it was given (today when `None`).
    New {
        /// What information the client agreed to share.
        what: String,
        /// Given on (`YYYY-MM-DD`); today when `None`.
        date: Option<String>,
    },
}

/// Which fields go along (condition 3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Disclose {
    /// The client's name.
    pub name: bool,
    /// The client's birth date.
    pub birth_date: bool,
    /// The client's phone (or e-mail).
    pub phone: bool,
    /// The client's address.
    pub address: bool,
    /// The language(s) the client speaks.
    pub language: bool,
    /// The question, in the client's words.
    pub question: bool,
    /// Chosen journal entries (item ids on the case).
    pub journal: Vec<ItemId>,
    /// A free summary for the partner.
    pub summary: Option<String>,
}

/// A referral a worker asks to send.
#[derive(Debug, Clone)]
pub struct ReferralRequest {
    /// The case.
    pub case_id: CaseId,
    /// The question on the case it answers.
    pub question_id: ItemId,
    /// The partner (item id in the team's directory).
    pub partner_id: ItemId,
    /// The goal, in one sentence (condition 2).
    pub goal: String,
    /// Shared secrecy, or a legal exception.
    pub ground: Ground,
    /// The client's consent (condition 1, for shared secrecy).
    pub consent: ConsentChoice,
    /// The client agreed explicitly to sharing with a partner not bound by professional secrecy
    /// (condition 4, only asked then).
    pub unbound_consent: bool,
    /// The partner works on the same mission (condition 5).
    pub shared_mission: bool,
    /// Why, for a legal exception.
    pub reason: Option<String>,
    /// What goes along (condition 3).
    pub disclose: Disclose,
}

/// What the gate lets through: the referral to write and, when the consent is given with it,
/// the consent record to add to the case first (its id then goes into the basis).
#[derive(Debug, Clone)]
pub struct Gated {
    /// The referral.
    pub referral: NewReferral,
    /// A new consent record for the case.
    pub new_consent: Option<NewConsent>,
}

/// The working days (Monday to Friday) a first contact has by default.
pub const DEFAULT_FIRST_CONTACT_DAYS: u32 = 2;

fn fail(field: &'static str, problem: Problem) -> InputError {
    InputError::new(field, problem)
}

/// A ticked field of the client: its value, or an error when the case holds none.
fn ticked(
    on: bool,
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<String>, InputError> {
    if !on {
        return Ok(None);
    }
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(Some(v.to_string())),
        _ => Err(fail(field, Problem::Empty)),
    }
}

/// Decide whether `request`, made by `member` on `case` in `team` on day `today`, may be sent,
/// and what it carries.
pub fn check(
    case: &Case,
    team: &Team,
    member: &str,
    request: &ReferralRequest,
    today: Date,
) -> Result<Gated, InputError> {
    if !case.allows(member) {
        return Err(fail("case", Problem::NotAllowedNow));
    }
    if case.removed.is_some() || case.status.state != crate::case::CaseState::Open {
        return Err(fail("case", Problem::NotAllowedNow));
    }
    let question_id = request.question_id.as_str();
    let question = case
        .questions
        .get(question_id)
        .filter(|_| !case.is_removed(question_id))
        .ok_or_else(|| fail("question", Problem::NotFound))?;
    let partner = team
        .partners
        .get(request.partner_id.as_str())
        .ok_or_else(|| fail("partner", Problem::NotFound))?;
    let exception = request.ground.is_exception();
    let reason = match exception {
        true => Some(input::required(
            "reason",
            request.reason.as_deref().unwrap_or(""),
            SHORT_TEXT,
        )?),
        false => None,
    };

    // 1. Informed consent, for this partner.
    let (consent_id, consent_date, new_consent) = match (exception, &request.consent) {
        (true, _) => (None, None, None),
        (false, ConsentChoice::None) => return Err(fail("consent", Problem::Empty)),
        (false, ConsentChoice::Existing(id)) => {
            let consent = case
                .consents
                .get(id.as_str())
                .filter(|_| !case.is_removed(id.as_str()))
                .ok_or_else(|| fail("consent", Problem::NotFound))?;
            if consent.withdrawn_at.is_some() {
                return Err(fail("consent", Problem::NotAllowedNow));
            }
            let for_partner = match &consent.partner_id {
                Some(p) => p == request.partner_id.as_str(),
                None => crate::store::fold(&consent.to_whom) == crate::store::fold(&partner.name),
            };
            if !for_partner {
                return Err(fail("consent", Problem::OutOfRange));
            }
            (Some(id.to_string()), Some(consent.date.clone()), None)
        }
        (false, ConsentChoice::New { what, date }) => {
            let what = input::required("consent_what", what, SHORT_TEXT)?;
            let date = input::optional_past_date("consent_date", date.as_deref())?
                .unwrap_or_else(|| today.to_string());
            let consent = NewConsent {
                what,
                to_whom: partner.name.clone(),
                purpose: input::required("goal", &request.goal, MAX_GOAL)?,
                legal_basis: "toestemming".into(),
                date: Some(date.clone()),
                partner_id: Some(request.partner_id.to_string()),
            };
            (None, Some(date), Some(consent))
        }
    };

    // 2. In the client's interest: the goal.
    let goal = input::required("goal", &request.goal, MAX_GOAL)?;

    // 3. Only what is strictly necessary.
    let disclosed = disclosure(case, question, &request.disclose)?;
    if disclosed.is_empty() {
        return Err(fail("disclose", Problem::Empty));
    }

    // 4. Bound by professional secrecy, or explicit consent to a partner that is not.
    if !exception && !partner.bound_by_secrecy && !request.unbound_consent {
        return Err(fail("unbound_consent", Problem::Unconfirmed));
    }
    // 5. The same mission.
    if !exception && !request.shared_mission {
        return Err(fail("shared_mission", Problem::Unconfirmed));
    }

    let days = team
        .settings
        .first_contact_days
        .unwrap_or(DEFAULT_FIRST_CONTACT_DAYS);
    Ok(Gated {
        referral: NewReferral {
            case_id: request.case_id.clone(),
            question_id: request.question_id.clone(),
            theme: question.theme.clone(),
            partner_id: request.partner_id.clone(),
            partner_name: partner.name.clone(),
            goal,
            basis: Basis {
                ground: request.ground,
                consent_id,
                consent_date,
                partner_bound: partner.bound_by_secrecy,
                unbound_consent: !partner.bound_by_secrecy && request.unbound_consent,
                shared_mission: request.shared_mission,
                reason,
            },
            disclosed,
            due: today.add_working_days(days).to_string(),
        },
        new_consent,
    })
}

/// What the ticks `d` of a referral from `question` on `case` carry: exactly what the partner
/// will see (the preview shows this; the gate sends it). A ticked field the case does not hold
/// is an error at that tick.
pub fn disclosure(case: &Case, question: &Question, d: &Disclose) -> Result<Disclosed, InputError> {
    let client: Option<&Person> = case.client();
    let of = |f: fn(&Person) -> Option<&str>| client.and_then(f);
    let mut journal = BTreeMap::new();
    for entry in &d.journal {
        let found = case
            .journal
            .get(entry.as_str())
            .filter(|_| !case.is_removed(entry.as_str()))
            .ok_or_else(|| fail("disclose_journal", Problem::NotFound))?;
        journal.insert(
            entry.to_string(),
            DisclosedEntry {
                date: found.date.clone(),
                text: found.text.clone(),
            },
        );
    }
    Ok(Disclosed {
        name: ticked(d.name, "disclose_name", of(|p| Some(p.name.as_str())))?,
        birth_date: ticked(
            d.birth_date,
            "disclose_birth_date",
            of(|p| p.birth_date.as_deref()),
        )?,
        phone: ticked(d.phone, "disclose_phone", of(|p| p.contact.as_deref()))?,
        address: ticked(d.address, "disclose_address", of(|p| p.address.as_deref()))?,
        language: ticked(
            d.language,
            "disclose_language",
            of(|p| p.language.as_deref()),
        )?,
        question: ticked(
            d.question,
            "disclose_question",
            Some(question.text.as_str()),
        )?,
        journal,
        summary: input::optional("summary", d.summary.as_deref(), MAX_SUMMARY)?,
    })
}

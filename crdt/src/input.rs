//! Validation of what a user (or a peer) asks to write. Every write API checks its input and
//! answers with an [`InputError`] that names the field and the problem, so the UI can show a
//! translated message next to the right field.

use std::fmt;

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field is required and empty.
    Empty,
    /// The text is longer than allowed.
    TooLong {
        /// The maximum length in characters.
        max: usize,
    },
    /// Not a date in `YYYY-MM-DD` form, or a date that does not exist.
    InvalidDate,
    /// A value outside the allowed set or range.
    OutOfRange,
    /// A date that lies in the future where it may not (a birth date, a contact).
    InFuture,
    /// Not a year written in four digits.
    NotAYear,
    /// A date before the start of what it ends (a consent withdrawn before it was given).
    BeforeStart,
    /// The thing this field refers to does not exist.
    NotFound,
    /// The action does not fit the current state (e.g. closing a closed case).
    NotAllowedNow,
    /// An address that must start with `https://` (the team's relay).
    NeedsHttps,
    /// A statement that must be confirmed (ticked) is not.
    Unconfirmed,
    /// Not an e-mail address (`naam@organisatie.be`).
    NotAnEmail,
    /// Not a phone number (digits, spaces and `+ ( ) . / -`).
    NotAPhone,
    /// Not a web address (`www.organisatie.be` or `https://…`).
    NotAWebAddress,
    /// Another item already has this value (a partner's name).
    Duplicate,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("is required"),
            Problem::TooLong { max } => write!(f, "is longer than {max} characters"),
            Problem::InvalidDate => f.write_str("is not a valid date (YYYY-MM-DD)"),
            Problem::OutOfRange => f.write_str("is not an allowed value"),
            Problem::InFuture => f.write_str("lies in the future"),
            Problem::NotAYear => f.write_str("is not a year (four digits)"),
            Problem::BeforeStart => f.write_str("lies before the start"),
            Problem::NotFound => f.write_str("refers to something that does not exist"),
            Problem::NotAllowedNow => f.write_str("cannot be changed in the current state"),
            Problem::NeedsHttps => f.write_str("must start with https://"),
            Problem::Unconfirmed => f.write_str("must be confirmed"),
            Problem::NotAnEmail => f.write_str("is not an e-mail address"),
            Problem::NotAPhone => f.write_str("is not a phone number"),
            Problem::NotAWebAddress => f.write_str("is not a web address"),
            Problem::Duplicate => f.write_str("is already taken"),
        }
    }
}

/// A field of a request that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct InputError {
    /// The field, as named in the API (`name`, `due`, `amount`, ...).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl InputError {
    /// An error for `field`.
    pub fn new(field: &'static str, problem: Problem) -> Self {
        Self { field, problem }
    }
}

/// Maximum length of a short text (names, titles, reasons).
pub const SHORT_TEXT: usize = 200;
/// Maximum length of a long text (journal entries, messages).
pub const LONG_TEXT: usize = 20_000;

/// A required text: trimmed, not empty, at most `max` characters.
pub fn required(field: &'static str, text: &str, max: usize) -> Result<String, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::new(field, Problem::Empty));
    }
    limit(field, text, max)
}

/// An optional text: trimmed; empty becomes `None`.
pub fn optional(
    field: &'static str,
    text: Option<&str>,
    max: usize,
) -> Result<Option<String>, InputError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => limit(field, text, max).map(Some),
    }
}

fn limit(field: &'static str, text: &str, max: usize) -> Result<String, InputError> {
    if text.chars().count() > max {
        return Err(InputError::new(field, Problem::TooLong { max }));
    }
    Ok(text.to_string())
}

/// An optional e-mail address (empty becomes `None`): one `@` between a local part without
/// spaces and a domain of at least two labels (letters, digits and `-`), at most 254
/// characters.
pub fn email(field: &'static str, text: Option<&str>) -> Result<Option<String>, InputError> {
    let Some(text) = optional(field, text, 254)? else {
        return Ok(None);
    };
    let bad = || InputError::new(field, Problem::NotAnEmail);
    let (local, domain) = text.split_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@\"(),:;<>[]\\".contains(c));
    if !local_ok || !domain_name(domain) {
        return Err(bad());
    }
    Ok(Some(text))
}

/// Whether `domain` is a domain name of at least two labels of letters, digits and `-` (not
/// at a label's ends), the last of at least two letters.
fn domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

/// An optional phone number (empty becomes `None`): digits, spaces and `( ) . / -`, a `+`
/// only in front, 3 (a helpline such as 106) to 15 digits, at most 30 characters. Kept as
/// typed.
pub fn phone(field: &'static str, text: Option<&str>) -> Result<Option<String>, InputError> {
    let Some(text) = optional(field, text, 30)? else {
        return Ok(None);
    };
    let rest = text.strip_prefix('+').unwrap_or(&text);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    let shape = rest
        .chars()
        .all(|c| c.is_ascii_digit() || " ()./-".contains(c));
    if !shape || !(3..=15).contains(&digits) {
        return Err(InputError::new(field, Problem::NotAPhone));
    }
    Ok(Some(text))
}

/// An optional web address (empty becomes `None`): `http://` or `https://` or nothing, then a
/// domain name ([`domain_name`]), then optionally a path; no spaces, at most 200 characters.
/// Kept as typed.
pub fn web_address(field: &'static str, text: Option<&str>) -> Result<Option<String>, InputError> {
    let Some(text) = optional(field, text, SHORT_TEXT)? else {
        return Ok(None);
    };
    let lower = text.to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.split_once(':').map_or(host, |(host, _port)| host);
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) || !domain_name(host) {
        return Err(InputError::new(field, Problem::NotAWebAddress));
    }
    Ok(Some(text))
}

/// A date in `YYYY-MM-DD` form, returned normalised.
pub fn date(field: &'static str, text: &str) -> Result<String, InputError> {
    crate::date::Date::parse(text.trim())
        .map(|d| d.to_string())
        .map_err(|_| InputError::new(field, Problem::InvalidDate))
}

/// An optional date; empty becomes `None`.
pub fn optional_date(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<String>, InputError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => date(field, text).map(Some),
    }
}

// One rule per kind of date, the same in every form and every editor method:
// - birth dates (the client, household members): not in the future ([`birth_date`]);
// - dates of what has happened: a journal entry's contact, a consent given or withdrawn, an aid
//   decision, a case closed or reopened: not in the future ([`past_date`]); a withdrawal also
//   not before the consent was given (`Problem::BeforeStart`, checked by the editor). A case
//   may be closed on a day before it was entered here (a file taken over from paper);
// - task due dates: any valid date, the past included (a task noted late is overdue at once)
//   ([`optional_date`]).
// "Not in the future" means not after today in the earliest time zone (UTC+14), so that today
// is accepted wherever the device's clock is set.

/// The latest date a past event (or a birth) may have: today in the earliest time zone
/// (UTC+14).
pub fn latest_past_date() -> crate::date::Date {
    crate::date::Date::of_moment(crate::date::now_ms() + 14 * 3_600_000)
}

/// The latest birth date accepted (see [`latest_past_date`]).
pub fn latest_birth_date() -> crate::date::Date {
    latest_past_date()
}

/// A date of something that has happened: a valid `YYYY-MM-DD` date not after
/// [`latest_past_date`], returned normalised.
pub fn past_date(field: &'static str, text: &str) -> Result<String, InputError> {
    let text = date(field, text)?;
    match crate::date::Date::parse(&text) {
        Ok(day) if day <= latest_past_date() => Ok(text),
        Ok(_) => Err(InputError::new(field, Problem::InFuture)),
        Err(_) => Err(InputError::new(field, Problem::InvalidDate)),
    }
}

/// An optional [`past_date`]; empty becomes `None`.
pub fn optional_past_date(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<String>, InputError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => past_date(field, text).map(Some),
    }
}

/// An optional birth date: a valid date (from 1900) not after [`latest_birth_date`]; empty
/// becomes `None`. The one rule for every birth date (client and household members), which the
/// client index's birth year follows ([`birth_year`]).
pub fn birth_date(field: &'static str, text: Option<&str>) -> Result<Option<String>, InputError> {
    optional_past_date(field, text)
}

/// A birth year as the client index keeps it: the year of a birth date [`birth_date`] accepts.
pub fn birth_year(field: &'static str, year: u16) -> Result<u16, InputError> {
    if year > latest_birth_date().year() {
        Err(InputError::new(field, Problem::InFuture))
    } else if year < 1900 {
        Err(InputError::new(field, Problem::OutOfRange))
    } else {
        Ok(year)
    }
}

/// A birth year typed to search by (`None` when left empty): four digits, a year
/// [`birth_year`] accepts.
pub fn search_year(field: &'static str, text: Option<&str>) -> Result<Option<u16>, InputError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let year = (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<u16>().ok())
        .flatten()
        .ok_or_else(|| InputError::new(field, Problem::NotAYear))?;
    birth_year(field, year).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_year_is_four_digits_of_a_possible_birth_year() {
        assert_eq!(search_year("year", None), Ok(None));
        assert_eq!(search_year("year", Some("  ")), Ok(None));
        assert_eq!(search_year("year", Some(" 1972 ")), Ok(Some(1972)));
        for bad in ["19x2", "72", "+972", "19720", "١٩٧٢"] {
            assert_eq!(
                search_year("year", Some(bad)),
                Err(InputError::new("year", Problem::NotAYear)),
                "{bad}"
            );
        }
        assert_eq!(
            search_year("year", Some("2999")),
            Err(InputError::new("year", Problem::InFuture))
        );
        assert_eq!(
            search_year("year", Some("1850")),
            Err(InputError::new("year", Problem::OutOfRange))
        );
    }

    #[test]
    fn e_mail_addresses_phone_numbers_and_web_addresses_have_their_shape() {
        for good in [
            "info@caw.be",
            " onthaal.gent@ocmw-gent.be ",
            "a+b@sub.domein.vlaanderen",
        ] {
            assert_eq!(
                email("email", Some(good)),
                Ok(Some(good.trim().into())),
                "{good}"
            );
        }
        assert_eq!(email("email", Some(" ")), Ok(None));
        for bad in [
            "info",
            "info@",
            "@caw.be",
            "info@caw",
            "in fo@caw.be",
            "info@@caw.be",
            "info@caw..be",
            "info@-caw.be",
            "info@caw.b",
            "info@caw.b3",
            ".a@caw.be",
        ] {
            assert_eq!(
                email("email", Some(bad)),
                Err(InputError::new("email", Problem::NotAnEmail)),
                "{bad}"
            );
        }
        let long = format!("{}@caw.be", "a".repeat(250));
        assert_eq!(
            email("email", Some(&long)).unwrap_err().problem,
            Problem::TooLong { max: 254 }
        );
        for good in [
            "09 123 45 67",
            "+32 9 123 45 67",
            "09/123.45.67",
            "106",
            "0800-12 345",
        ] {
            assert_eq!(phone("phone", Some(good)), Ok(Some(good.into())), "{good}");
        }
        for bad in [
            "12",
            "bel ons",
            "09 123 45 67 of 09 765",
            "+32 +9",
            "0470 12 34 56 78 90 12",
        ] {
            assert!(phone("phone", Some(bad)).is_err(), "{bad}");
        }
        for good in [
            "www.caw.be",
            "https://www.caw.be/contact",
            "http://huurders.be:8080/x",
        ] {
            assert_eq!(
                web_address("website", Some(good)),
                Ok(Some(good.into())),
                "{good}"
            );
        }
        for bad in [
            "caw",
            "www.caw .be",
            "ftp//caw.be",
            "https://",
            "https://caw",
        ] {
            assert_eq!(
                web_address("website", Some(bad)),
                Err(InputError::new("website", Problem::NotAWebAddress)),
                "{bad}"
            );
        }
    }

    #[test]
    fn required_text_is_trimmed_and_checked() {
        assert_eq!(required("name", "  An  ", 10).unwrap(), "An");
        assert_eq!(
            required("name", "   ", 10).unwrap_err().problem,
            Problem::Empty
        );
        assert_eq!(
            required("name", "abcdefghijk", 10).unwrap_err(),
            InputError::new("name", Problem::TooLong { max: 10 })
        );
        assert_eq!(optional("phone", Some(" "), 10).unwrap(), None);
        assert_eq!(
            date("due", "2025-02-30").unwrap_err().problem,
            Problem::InvalidDate
        );
        assert_eq!(optional_date("due", Some("")).unwrap(), None);
    }

    #[test]
    fn birth_dates_and_years_follow_one_rule() {
        let latest = latest_birth_date();
        let next_year = latest.year() + 1;
        assert_eq!(
            birth_date("birth_date", Some(" 1984-05-02 ")).unwrap(),
            Some("1984-05-02".into())
        );
        assert_eq!(birth_date("birth_date", Some("")).unwrap(), None);
        assert_eq!(
            birth_date("birth_date", Some(&latest.to_string())).unwrap(),
            Some(latest.to_string())
        );
        assert_eq!(
            birth_date("birth_date", Some(&format!("{next_year}-12-31"))).unwrap_err(),
            InputError::new("birth_date", Problem::InFuture)
        );
        assert_eq!(
            birth_date("birth_date", Some("1984-02-30")).unwrap_err(),
            InputError::new("birth_date", Problem::InvalidDate)
        );
        assert_eq!(birth_year("birth_year", latest.year()), Ok(latest.year()));
        assert_eq!(birth_year("birth_year", 1900), Ok(1900));
        assert!(birth_year("birth_year", 1899).is_err());
        assert!(birth_year("birth_year", next_year).is_err());
    }

    #[test]
    fn past_dates_end_today_in_the_earliest_time_zone() {
        let latest = latest_past_date().to_string();
        assert_eq!(past_date("date", &format!(" {latest} ")), Ok(latest));
        assert_eq!(past_date("date", "2024-02-29"), Ok("2024-02-29".into()));
        let next_year = latest_past_date().year() + 1;
        assert_eq!(
            past_date("date", &format!("{next_year}-01-01")),
            Err(InputError::new("date", Problem::InFuture))
        );
        assert_eq!(
            past_date("date", "2099-01-01"),
            Err(InputError::new("date", Problem::InFuture))
        );
        assert_eq!(
            past_date("date", "09/09/2031"),
            Err(InputError::new("date", Problem::InvalidDate))
        );
        assert_eq!(optional_past_date("date", Some(" ")), Ok(None));
    }
}

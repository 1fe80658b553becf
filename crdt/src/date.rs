//! Calendar dates (`YYYY-MM-DD`) and moments (milliseconds since the Unix epoch, UTC).
//! Dates are stored as ISO text in documents so they sort and read the same everywhere.

use std::fmt;

/// A calendar date between 1900-01-01 and 2199-12-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Text that is not a valid `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid date (YYYY-MM-DD): {0:?}")]
pub struct DateError(pub String);

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

impl Date {
    /// The date for year, month and day, if it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1900..=2199).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Self { year, month, day })
    }

    /// Parse `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let err = || DateError(text.to_string());
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| -> Result<u16, DateError> {
            let part = text.get(range).ok_or_else(err)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            part.parse().map_err(|_| err())
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Self::new(
            year,
            u8::try_from(month).map_err(|_| err())?,
            u8::try_from(day).map_err(|_| err())?,
        )
        .ok_or_else(err)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The UTC date of a moment.
    pub fn of_moment(ms: i64) -> Self {
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = ms.div_euclid(86_400_000) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(1900, 2199) as u16;
        Self {
            year,
            month,
            day: day.min(days_in_month(year, month)),
        }
    }

    /// Days since 1970-01-01 (negative before).
    fn days(self) -> i64 {
        // Days-from-civil (Howard Hinnant's algorithm).
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i64) -> Self {
        Self::of_moment((self.days() + n) * 86_400_000)
    }

    /// Days from this date to `other` (negative when `other` is earlier).
    pub fn days_until(self, other: Date) -> i64 {
        other.days() - self.days()
    }

    /// Whether the date is a Saturday or a Sunday.
    pub fn is_weekend(self) -> bool {
        // 1970-01-01 was a Thursday: day 0 is Thursday, day 2 Saturday, day 3 Sunday.
        matches!(self.days().rem_euclid(7), 2 | 3)
    }

    /// The date `n` working days (Monday to Friday) after this one: Saturdays and Sundays are
    /// not counted (a referral sent on Friday with two days is due on Tuesday).
    pub fn add_working_days(self, n: u32) -> Self {
        let mut day = self;
        let mut left = n;
        while left > 0 {
            day = day.add_days(1);
            if !day.is_weekend() {
                left -= 1;
            }
        }
        day
    }

    /// Today's date (UTC).
    pub fn today() -> Self {
        Self::of_moment(now_ms())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_dates_and_rejects_invalid_ones() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024-1-01",
            "abcd-ef-gh",
            "1899-12-31",
            "2024-04-31",
            "",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn working_days_skip_the_weekend() {
        let d = |t: &str| Date::parse(t).unwrap();
        // 2026-12-04 is a Friday.
        assert!(!d("2026-12-04").is_weekend());
        assert!(d("2026-12-05").is_weekend() && d("2026-12-06").is_weekend());
        assert_eq!(d("2026-12-04").add_working_days(2), d("2026-12-08"));
        assert_eq!(d("2026-12-05").add_working_days(2), d("2026-12-08"));
        assert_eq!(d("2026-12-01").add_working_days(2), d("2026-12-03"));
        assert_eq!(d("2026-12-31").add_working_days(1), d("2027-01-01"));
        assert_eq!(d("2024-02-28").add_days(1), d("2024-02-29"));
        assert_eq!(d("2024-03-01").add_days(-1), d("2024-02-29"));
        assert_eq!(d("2026-12-01").days_until(d("2027-01-01")), 31);
        for (text, days) in [
            ("1970-01-01", 0),
            ("2000-03-01", 11_017),
            ("1969-12-31", -1),
        ] {
            assert_eq!(d(text).days(), days, "{text}");
        }
    }

    #[test]
    fn date_of_moment() {
        assert_eq!(Date::of_moment(0).to_string(), "1970-01-01");
        assert_eq!(Date::of_moment(1_709_164_800_000).to_string(), "2024-02-29");
        assert_eq!(Date::of_moment(1_795_305_600_000).to_string(), "2026-11-22");
    }
}

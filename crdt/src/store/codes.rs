//! The codes the query tables hold as text (a case's state, an intake item's source, urgency
//! and status), read and written as the engine's own enums: a row with a code this build does
//! not know is an error, never a string passed on.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::case::CaseState;
use crate::intake::{IntakeSource, IntakeStatus, Urgency};

macro_rules! sql_code {
    ($($ty:ty),*) => {$(
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                <$ty>::parse(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} code `{text}`", stringify!($ty)).into())
                })
            }
        }
    )*};
}

sql_code!(CaseState, IntakeSource, Urgency, IntakeStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_errors() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let back: Urgency = conn
            .query_row("SELECT ?1", [Urgency::Urgent], |r| r.get(0))
            .unwrap();
        assert_eq!(back, Urgency::Urgent);
        let back: IntakeSource = conn
            .query_row("SELECT ?1", [IntakeSource::ThePerson], |r| r.get(0))
            .unwrap();
        assert_eq!(back, IntakeSource::ThePerson);
        let unknown = conn.query_row("SELECT 'paused'", [], |r| r.get::<_, CaseState>(0));
        assert!(unknown.is_err());
        let unknown = conn.query_row("SELECT 'snoozed'", [], |r| r.get::<_, IntakeStatus>(0));
        assert!(unknown.is_err());
    }
}

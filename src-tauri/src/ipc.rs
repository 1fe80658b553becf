//! The error every command returns: `{ code, message }`. The UI chooses what to show by `code`
//! (translated in its catalogs) and shows `message` only as technical detail; it never matches
//! on message text. Add a code only when the UI needs to act differently on it.

use nabij_crdt::doc::DocError;
use nabij_crdt::input::{InputError, Problem as InputProblem};
use nabij_crdt::store::{KeyError, StoreError};
use nabij_crdt::team::import::ImportProblem;
use serde::Serialize;

/// What went wrong, as far as the UI needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Another Nabij window or process has this data directory open.
    StoreInUse,
    /// The store could not be opened or read (disk, permissions, newer schema).
    StoreUnavailable,
    /// The store's key is missing or does not open it; the store was left untouched.
    StoreKey,
    /// The OS keyring is not reachable or is locked.
    KeyringUnavailable,
    /// What was asked is not valid (a field is empty, too long, not a date, ...).
    Invalid,
    /// The thing asked for does not exist (any more) on this device.
    NotFound,
    /// Nothing can be done before this device has a profile (a team and a member).
    NoProfile,
    /// Sync with the team is not running (see the message).
    SyncUnavailable,
    /// The invitation's text is damaged (a character wrong or missing) or too new.
    InvitationDamaged,
    /// The inviting device does not know this invitation (used already, or made up).
    InvitationUnknown,
    /// The invitation has expired.
    InvitationExpired,
    /// This device was revoked from the team and is never readmitted.
    DeviceRevoked,
    /// The inviting device could not be reached.
    TeamUnreachable,
    /// A bug or an unexpected state.
    Internal,
}

/// What is wrong with a field, for a message next to it (`invalid` errors only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Required and empty.
    Empty,
    /// Too long.
    TooLong,
    /// Not a valid date.
    InvalidDate,
    /// Not an allowed value.
    OutOfRange,
    /// A date in the future where it may not be (a birth date, a contact).
    InFuture,
    NotAYear,
    /// A date before the start of what it ends (a withdrawal before the consent was given).
    BeforeStart,
    /// Refers to something that does not exist.
    NotFound,
    /// Not possible in the current state.
    NotAllowedNow,
    /// An address that must start with `https://`.
    NeedsHttps,
    Unconfirmed,
    /// Not an e-mail address.
    NotAnEmail,
    /// Not a phone number.
    NotAPhone,
    /// Not a web address.
    NotAWebAddress,
    /// Another item has this value already (a partner's name; a name on an earlier line).
    Duplicate,
    /// A CSV file's first line lacks this column.
    MissingColumn,
    /// A CSV file's first line names a column that is not known.
    UnknownColumn,
    /// A CSV file's first line names this column twice.
    RepeatedColumn,
    /// A CSV row has more fields than the first line has columns.
    TooManyFields,
    /// A theme the team does not have.
    UnknownTheme,
    /// Not `ja` or `nee`.
    NotYesNo,
}

/// An error crossing the IPC boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct IpcError {
    /// What went wrong, for the UI to branch on.
    pub code: ErrorCode,
    /// Technical detail (English), shown under the translated message.
    pub message: String,
    /// For `invalid`: the field (as named in the request) that is wrong.
    pub field: Option<String>,
    /// For `invalid`: what is wrong with it.
    pub problem: Option<Problem>,
    /// For `invalid` with `too_long`: the maximum length.
    pub max: Option<u32>,
}

impl IpcError {
    /// An error with `code` and the display text of `detail`.
    pub fn new(code: ErrorCode, detail: impl std::fmt::Display) -> Self {
        Self {
            code,
            message: detail.to_string(),
            field: None,
            problem: None,
            max: None,
        }
    }

    /// A validation error on `field`.
    pub fn invalid(input: &InputError) -> Self {
        let (problem, max) = Problem::of(&input.problem);
        Self {
            code: ErrorCode::Invalid,
            message: input.to_string(),
            field: Some(input.field.to_string()),
            problem: Some(problem),
            max,
        }
    }
}

impl Problem {
    /// The code of an engine problem, and the maximum length for `too_long`.
    pub fn of(problem: &InputProblem) -> (Self, Option<u32>) {
        match problem {
            InputProblem::Empty => (Problem::Empty, None),
            InputProblem::TooLong { max } => (Problem::TooLong, u32::try_from(*max).ok()),
            InputProblem::InvalidDate => (Problem::InvalidDate, None),
            InputProblem::OutOfRange => (Problem::OutOfRange, None),
            InputProblem::InFuture => (Problem::InFuture, None),
            InputProblem::NotAYear => (Problem::NotAYear, None),
            InputProblem::BeforeStart => (Problem::BeforeStart, None),
            InputProblem::NotFound => (Problem::NotFound, None),
            InputProblem::NotAllowedNow => (Problem::NotAllowedNow, None),
            InputProblem::NeedsHttps => (Problem::NeedsHttps, None),
            InputProblem::Unconfirmed => (Problem::Unconfirmed, None),
            InputProblem::NotAnEmail => (Problem::NotAnEmail, None),
            InputProblem::NotAPhone => (Problem::NotAPhone, None),
            InputProblem::NotAWebAddress => (Problem::NotAWebAddress, None),
            InputProblem::Duplicate => (Problem::Duplicate, None),
        }
    }

    /// The code of what is wrong at a line of an imported file.
    pub fn of_import(problem: &ImportProblem) -> (Self, Option<u32>) {
        match problem {
            ImportProblem::Field(problem) => Self::of(problem),
            ImportProblem::MissingColumn => (Problem::MissingColumn, None),
            ImportProblem::UnknownColumn => (Problem::UnknownColumn, None),
            ImportProblem::RepeatedColumn => (Problem::RepeatedColumn, None),
            ImportProblem::TooManyFields => (Problem::TooManyFields, None),
            ImportProblem::UnknownTheme => (Problem::UnknownTheme, None),
            ImportProblem::NotYesNo => (Problem::NotYesNo, None),
            ImportProblem::RepeatedName => (Problem::Duplicate, None),
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> Self {
        if let StoreError::Document(DocError::Input(input)) = &error {
            return Self::invalid(input);
        }
        let code = match &error {
            StoreError::InUse { .. } => ErrorCode::StoreInUse,
            StoreError::WrongKey { .. }
            | StoreError::Key(KeyError::Missing { .. } | KeyError::Malformed { .. }) => {
                ErrorCode::StoreKey
            }
            StoreError::Key(
                KeyError::NoKeyring | KeyError::KeyringLocked(_) | KeyError::Keyring(_),
            ) => ErrorCode::KeyringUnavailable,
            StoreError::Document(DocError::Input(_)) | StoreError::Import(_) => ErrorCode::Invalid,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::DataDir { .. }
            | StoreError::Open { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::Migrate { .. }
            | StoreError::Key(KeyError::File { .. })
            | StoreError::Query(_)
            | StoreError::Corrupt { .. }
            | StoreError::Document(_) => ErrorCode::StoreUnavailable,
            // The device key lives in the keyring beside the store key.
            StoreError::DeviceKey(_) => ErrorCode::KeyringUnavailable,
            StoreError::Join(_)
            | StoreError::Unsigned(_)
            | StoreError::Refused { .. }
            | StoreError::Print(_) => ErrorCode::Internal,
        };
        Self::new(code, error)
    }
}

impl From<DocError> for IpcError {
    fn from(error: DocError) -> Self {
        StoreError::Document(error).into()
    }
}

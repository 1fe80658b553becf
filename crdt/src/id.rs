//! Identifiers. Documents and the items inside them (journal entries, tasks, ...) are named by
//! random UUIDs, so two devices creating items offline never collide.

use std::fmt;

/// An identifier that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid identifier: {0:?}")]
pub struct IdError(pub String);

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// A new random identifier.
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            /// Parse an identifier (a UUID in its hyphenated form).
            pub fn parse(text: &str) -> Result<Self, IdError> {
                uuid::Uuid::try_parse(text)
                    .map(|u| Self(u.to_string()))
                    .map_err(|_| IdError(text.to_string()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

uuid_id!(
    /// A team.
    TeamId
);
uuid_id!(
    /// A member of a team (a social worker or coordinator).
    MemberId
);
uuid_id!(
    /// A case (one client or household).
    CaseId
);
uuid_id!(
    /// A referral to a partner organisation.
    ReferralId
);
uuid_id!(
    /// A team's intake document (its front-door queue).
    IntakeId
);
uuid_id!(
    /// An item inside a document: a person, question, journal entry, task, consent record, ...
    ItemId
);

/// A device, named by its public key (32 bytes, shown as 64 hex digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId([u8; 32]);

impl DeviceId {
    /// The device with this public key.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A random device id (tests and headless tools without a key pair yet).
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        // getrandom only fails when the OS has no entropy source at all.
        if getrandom::fill(&mut bytes).is_err() {
            bytes = *uuid::Uuid::new_v4()
                .as_bytes()
                .repeat(2)
                .first_chunk()
                .unwrap_or(&[7; 32]);
        }
        Self(bytes)
    }

    /// The public key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parse 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let err = || IdError(text.to_string());
        if text.len() != 64 {
            return Err(err());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2).ok_or_else(err)?, 16)
                .map_err(|_| err())?;
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_and_reject_garbage() {
        let case = CaseId::random();
        assert_eq!(CaseId::parse(case.as_str()).unwrap(), case);
        assert!(CaseId::parse("dossier-1").is_err());
        let device = DeviceId::random();
        assert_eq!(DeviceId::parse(&device.to_string()).unwrap(), device);
        assert!(DeviceId::parse("zz").is_err());
        assert!(DeviceId::parse(&"g".repeat(64)).is_err());
    }
}

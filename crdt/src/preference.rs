//! Preferences of the person using this device (not replicated to other devices).

/// A language the user interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Dutch as spoken in Belgium: the default.
    NlBe,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 code (`nl-BE`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Language::NlBe => "nl-BE",
            Language::En => "en",
        }
    }

    /// The language for a BCP 47 code, if Nabij speaks it.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "nl-BE" => Some(Language::NlBe),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_is_none() {
        for language in [Language::NlBe, Language::En] {
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        assert_eq!(Language::from_code("fr"), None);
    }
}

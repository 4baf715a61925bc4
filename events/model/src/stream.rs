//! Stream names: `<category>-<uuid>`, with `$` reserved for the store itself.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The longest category kirjuri accepts, in bytes.
pub const MAX_CATEGORY_LEN: usize = 64;

/// Why a string is not a valid stream name or category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamNameError {
    /// The name was empty.
    #[error("stream name is empty; expected `<category>-<uuid>`")]
    Empty,
    /// The name started with `$`, which is reserved for the store's own streams.
    #[error("stream name `{0}` starts with `$`, which is reserved for system streams")]
    Reserved(String),
    /// No `-<uuid>` suffix was found.
    #[error("stream name `{0}` is not of the form `<category>-<uuid>`")]
    Malformed(String),
    /// The category broke the naming rule.
    #[error(
        "stream category `{0}` must be 1 to {MAX_CATEGORY_LEN} characters of a-z, 0-9 and `_`, starting with a letter"
    )]
    BadCategory(String),
    /// The part after the category was not a UUID.
    #[error("stream name `{name}` does not end in a UUID: `{suffix}`")]
    BadUuid {
        /// The whole name.
        name: String,
        /// The part that should have been a UUID.
        suffix: String,
    },
}

/// The kind of entity a stream holds, e.g. `experiment` or `practice`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamCategory(String);

impl StreamCategory {
    /// Checks the category rule: `[a-z][a-z0-9_]*`, at most [`MAX_CATEGORY_LEN`] bytes.
    pub fn parse(category: &str) -> Result<Self, StreamNameError> {
        let mut chars = category.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !starts_with_letter || !rest_ok || category.len() > MAX_CATEGORY_LEN {
            return Err(StreamNameError::BadCategory(category.to_owned()));
        }
        Ok(Self(category.to_owned()))
    }

    /// The category as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated stream name, `<category>-<uuid>` (e.g. `experiment-0193…`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamName {
    name: String,
    category_len: usize,
}

impl StreamName {
    /// Builds the name of entity `id` in `category`.
    pub fn new(category: &StreamCategory, id: Uuid) -> Self {
        let name = format!("{}-{}", category.as_str(), id.as_hyphenated());
        Self { category_len: category.as_str().len(), name }
    }

    /// Parses and validates `<category>-<uuid>`.
    pub fn parse(name: &str) -> Result<Self, StreamNameError> {
        if name.is_empty() {
            return Err(StreamNameError::Empty);
        }
        if name.starts_with('$') {
            return Err(StreamNameError::Reserved(name.to_owned()));
        }
        // A hyphenated UUID is 36 characters and itself holds hyphens, so split by length.
        const UUID_LEN: usize = 36;
        if name.len() < UUID_LEN + 2 || !name.is_char_boundary(name.len() - UUID_LEN - 1) {
            return Err(StreamNameError::Malformed(name.to_owned()));
        }
        let (category, dash_and_uuid) = name.split_at(name.len() - UUID_LEN - 1);
        let Some(suffix) = dash_and_uuid.strip_prefix('-') else {
            return Err(StreamNameError::Malformed(name.to_owned()));
        };
        StreamCategory::parse(category)?;
        let id = Uuid::try_parse(suffix)
            .map_err(|_| StreamNameError::BadUuid { name: name.to_owned(), suffix: suffix.to_owned() })?;
        // Keep one canonical spelling so that the same entity never has two streams.
        let mut canonical = [0u8; UUID_LEN];
        if id.as_hyphenated().encode_lower(&mut canonical).as_bytes() != suffix.as_bytes() {
            return Err(StreamNameError::BadUuid { name: name.to_owned(), suffix: suffix.to_owned() });
        }
        Ok(Self { category_len: category.len(), name: name.to_owned() })
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The category part, e.g. `experiment`.
    pub fn category(&self) -> &str {
        &self.name[..self.category_len]
    }

    /// The entity id part.
    pub fn entity_id(&self) -> Uuid {
        // Validated at construction; a fallback keeps this total without a panic path.
        Uuid::try_parse(&self.name[self.category_len + 1..]).unwrap_or(Uuid::nil())
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl FromStr for StreamName {
    type Err = StreamNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for StreamName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for StreamName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn a_well_formed_name_splits_into_category_and_id() {
        let name = StreamName::parse(&format!("experiment-{ID}")).expect("valid");
        assert_eq!(name.category(), "experiment");
        assert_eq!(name.entity_id().to_string(), ID);
        let again = StreamName::new(&StreamCategory::parse("experiment").expect("valid"), name.entity_id());
        assert_eq!(again, name);
    }

    #[test]
    fn categories_may_hold_underscores_and_digits() {
        let name = StreamName::parse(&format!("best_practice2-{ID}")).expect("valid");
        assert_eq!(name.category(), "best_practice2");
    }

    #[test]
    fn reserved_empty_and_malformed_names_are_rejected_with_the_rule() {
        assert_eq!(StreamName::parse(""), Err(StreamNameError::Empty));
        assert!(matches!(StreamName::parse(&format!("$all-{ID}")), Err(StreamNameError::Reserved(_))));
        assert!(matches!(StreamName::parse("experiment"), Err(StreamNameError::Malformed(_))));
        assert!(matches!(StreamName::parse(&format!("-{ID}")), Err(StreamNameError::Malformed(_))));
        assert!(matches!(StreamName::parse(&format!("Experiment-{ID}")), Err(StreamNameError::BadCategory(_))));
        assert!(matches!(StreamName::parse(&format!("1exp-{ID}")), Err(StreamNameError::BadCategory(_))));
        assert!(matches!(StreamName::parse(&format!("ex per-{ID}")), Err(StreamNameError::BadCategory(_))));
        let upper = format!("experiment-{}", ID.to_uppercase());
        assert!(matches!(StreamName::parse(&upper), Err(StreamNameError::BadUuid { .. })));
        let not_uuid = "experiment-zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz";
        assert!(matches!(StreamName::parse(not_uuid), Err(StreamNameError::BadUuid { .. })));
        let message = StreamName::parse(&format!("$x-{ID}")).expect_err("reserved").to_string();
        assert!(message.contains("reserved"), "{message}");
    }

    #[test]
    fn multibyte_input_never_panics() {
        for input in ["ä", "ääääääääääääääääääääääääääääääääääääääääää", "€-€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€"]
        {
            assert!(StreamName::parse(input).is_err());
        }
    }

    #[test]
    fn names_round_trip_through_json_and_bad_ones_fail_to_decode() {
        let name = StreamName::parse(&format!("practice-{ID}")).expect("valid");
        let json = serde_json::to_string(&name).expect("serialises");
        assert_eq!(serde_json::from_str::<StreamName>(&json).expect("decodes"), name);
        assert!(serde_json::from_str::<StreamName>("\"$all\"").is_err());
    }
}

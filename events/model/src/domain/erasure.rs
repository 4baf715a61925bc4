//! A person's personal data was erased (GDPR art. 17): their key was destroyed, so every
//! personal text sealed under it is unreadable for good, and this event records when, why, on
//! what legal basis and by whom. The log itself is never rewritten, so every proof still holds.
//!
//! Like the web UI's bookkeeping, these events sit outside the [`super::catalogue`]: the read
//! models pass their streams over ([`is_erasure_stream`]); `kirjuri erasures` and the log itself
//! show them. One stream per person reference, so erasing twice is one more event in it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{StreamCategory, StreamName, StreamNameError};

/// The stream category of erasures.
pub const CATEGORY: &str = "erasure";

/// The type of the event that records an erasure.
pub const PERSON_ERASED: &str = "PersonErased";

const STREAM_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_692d_6572_6173_7572_6531);

/// The erasure stream of `person` (a pseudonymous person reference).
pub fn erasure_stream(person: &str) -> Result<StreamName, StreamNameError> {
    Ok(StreamName::new(&StreamCategory::parse(CATEGORY)?, Uuid::new_v5(&STREAM_NAMESPACE, person.as_bytes())))
}

/// Whether `stream` records erasures (read models pass such streams over).
pub fn is_erasure_stream(stream: &StreamName) -> bool {
    stream.category() == CATEGORY
}

/// A person's personal data was erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonErased {
    /// The pseudonymous person reference.
    pub person: String,
    /// Why (e.g. the person's request, and its date).
    pub reason: String,
    /// The legal basis, e.g. `GDPR art. 17(1)(a)`.
    pub legal_basis: String,
    /// Whether a key was destroyed (false: the person had no personal text kept).
    pub key_destroyed: bool,
    /// When.
    pub erased_at: DateTime<Utc>,
}

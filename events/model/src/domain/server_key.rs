//! Keys the server instances share, recorded as events ("keys are events", ARCHITECTURE.md
//! "Scaling out"): the first `kirjuri serve` on a store appends the web session key with
//! expected revision "no stream"; every later instance (and a restart) reads it back, so a
//! session cookie signed by one instance opens on every other.
//!
//! These events are secrets. They are deliberately *not* in the [`super::catalogue`]: no read
//! model decodes them, the views projection passes their streams over without an audit row
//! ([`is_server_key_stream`]), the search index filters them out, and they carry no tenant,
//! so no municipality's timeline, audit trail, live stream or export can ever show them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{StreamCategory, StreamName, StreamNameError};

/// The stream category of server keys.
pub const CATEGORY: &str = "serverkey";

/// The type of the event holding the web session key.
pub const SESSION_KEY_CREATED: &str = "SessionKeyCreated";

/// The id of the web session key's stream (fixed, so every instance names the same stream).
const SESSION_KEY_ID: Uuid = Uuid::from_u128(0x6b69_726a_7572_692d_7765_6273_6573_7331);

/// The stream holding the web session key.
pub fn session_key_stream() -> Result<StreamName, StreamNameError> {
    Ok(StreamName::new(&StreamCategory::parse(CATEGORY)?, SESSION_KEY_ID))
}

/// Whether `stream` holds a server key (read models pass such streams over).
pub fn is_server_key_stream(stream: &StreamName) -> bool {
    stream.category() == CATEGORY
}

/// The web session key was made: 32 random bytes, lower-case hex. A secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionKeyCreated {
    /// The key, 64 lower-case hex digits.
    pub key: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for SessionKeyCreated {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SessionKeyCreated").field("created_at", &self.created_at).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_key_stream_is_one_fixed_server_key_stream() {
        let stream = session_key_stream().expect("a valid stream name");
        assert_eq!(stream.as_str(), "serverkey-6b69726a-7572-692d-7765-627365737331");
        assert!(is_server_key_stream(&stream));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let event = SessionKeyCreated { key: "ab".repeat(32), created_at: Utc::now() };
        assert!(!format!("{event:?}").contains("abab"));
    }
}

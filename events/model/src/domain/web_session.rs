//! Web sessions ended before their time (a person signed out), recorded as events so that
//! every server instance on one store refuses the session's cookie from then on, not only the
//! instance that answered the sign-out.
//!
//! Like the server keys these are bookkeeping of the web UI, outside the [`super::catalogue`]:
//! the views projection passes their streams over ([`is_web_session_stream`]) and the search
//! index never reads them. Each sign-out is one event in a stream named after the session.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{EventId, StreamCategory, StreamName, StreamNameError};

/// The stream category of ended web sessions.
pub const CATEGORY: &str = "websession";

/// The type of the event that ends a web session.
pub const WEB_SESSION_ENDED: &str = "WebSessionEnded";

/// The namespace of the event id derived from a session's id (a second sign-out of the same
/// session is the same append, which the store dedupes).
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_692d_7765_6273_6573_7332);

/// The stream of the web session `session`.
pub fn session_stream(session: Uuid) -> Result<StreamName, StreamNameError> {
    Ok(StreamName::new(&StreamCategory::parse(CATEGORY)?, session))
}

/// The id of the event that ends `session`.
pub fn ended_event_id(session: Uuid) -> EventId {
    EventId(Uuid::new_v5(&EVENT_ID_NAMESPACE, session.as_bytes()))
}

/// Whether `stream` holds an ended web session (read models pass such streams over).
pub fn is_web_session_stream(stream: &StreamName) -> bool {
    stream.category() == CATEGORY
}

/// A web session was ended by its holder (signed out); its cookie opens nothing from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSessionEnded {
    /// The session's id, as its cookie names it.
    pub session: Uuid,
    /// When it was ended.
    pub ended_at: DateTime<Utc>,
    /// When it would have ended anyway (after which nobody needs to remember it).
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sessions_stream_is_named_after_it_and_passed_over_by_read_models() {
        let session = Uuid::from_u128(7);
        let stream = session_stream(session).expect("a valid stream name");
        assert_eq!(stream.as_str(), format!("websession-{session}"));
        assert!(is_web_session_stream(&stream));
        assert_eq!(ended_event_id(session), ended_event_id(session), "one sign-out, one event id");
    }
}

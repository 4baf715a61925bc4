//! Local API tokens: issued and revoked as events, so that every server instance on one
//! store (one SQLite file, one KurrentDB cluster) knows every token.
//!
//! A token's stream is named after the token's *name* ([`ApiTokenStream::for_name`]), not its
//! id: `ApiTokenIssued` is appended with expected revision "no stream", so the store itself —
//! on every backend, across every instance — refuses a second token with a name already
//! taken, in one atomic append with nothing to clean up. A name is never reused, not even
//! after its token was revoked. The stream's later events (`ApiTokenRevoked`) follow.
//!
//! Only the SHA-256 of a token is recorded, never the token. The hash of a 256-bit random
//! secret does not help anyone find the secret, but it is still kept out of human summaries.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::coaching::PersonRef;
use super::{ApiTokenStream, MunicipalityId};
use crate::event_family;

/// The namespace of the UUIDv5 that names a token's stream after the token's name.
const TOKEN_NAME_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_692d_6170_6974_6f6b_656e);

impl ApiTokenStream {
    /// The stream of the token named `name` (a UUIDv5 of the name).
    pub fn for_name(name: &str) -> Self {
        Self(Uuid::new_v5(&TOKEN_NAME_NAMESPACE, name.as_bytes()))
    }
}

/// A local API token's id: `token:<id>` is the subject of whoever uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiTokenId(pub Uuid);

impl fmt::Display for ApiTokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A local API token was issued (its secret was shown once to whoever made it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenIssued {
    /// The token's id.
    pub token: ApiTokenId,
    /// Its unique name (the stream is named after it).
    pub name: String,
    /// SHA-256 of the whole token, lower-case hex: what a bearer token is checked against.
    pub secret_hash: String,
    /// The municipality it acts for.
    pub tenant: MunicipalityId,
    /// The roles it grants, by their stable names (`staff`, `admin`, …); never empty.
    pub roles: BTreeSet<String>,
    /// The pseudonymous person its holder is, when it is a person's token; the token's
    /// subject `token:<id>` stands for it otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
    /// When it was made (earlier than the event for tokens imported from `api.sqlite`).
    pub issued_at: DateTime<Utc>,
    /// When it stops working; absent for never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A local API token was revoked: it is refused from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenRevoked {
    /// The token's id.
    pub token: ApiTokenId,
    /// When it was revoked.
    pub at: DateTime<Utc>,
}

event_family! {
    /// What happens in an `apitoken` stream.
    pub enum ApiTokenEvent {
        Issued(ApiTokenIssued) = ("ApiTokenIssued", 1),
        Revoked(ApiTokenRevoked) = ("ApiTokenRevoked", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_always_names_the_same_stream_and_different_names_differ() {
        assert_eq!(ApiTokenStream::for_name("ci"), ApiTokenStream::for_name("ci"));
        assert_ne!(ApiTokenStream::for_name("ci"), ApiTokenStream::for_name("ci2"));
        assert_eq!(ApiTokenStream::for_name("ci").stream().category(), "apitoken");
    }
}

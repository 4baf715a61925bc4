//! Local user accounts (people who sign in to the web UI with a username and password): created,
//! given a new password and disabled as events, so that every server instance on one store
//! (one SQLite file, one KurrentDB cluster) knows every account.
//!
//! A user's stream is named after the *username* ([`UserStream::for_username`]), as API tokens'
//! streams are named after their names: `UserCreated` is appended with expected revision "no
//! stream", so the store itself — on every backend, across every instance — refuses a second
//! account with a username already taken, in one atomic append. A username is never reused,
//! not even after its account was disabled.
//!
//! Only an argon2id hash of the password is recorded (a PHC string with its own random salt
//! and parameters), never the password. Summaries people read never show the hash.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::coaching::PersonRef;
use super::{MunicipalityId, UserStream};
use crate::event_family;

/// The namespace of the UUIDv5 that names a user's stream after the username.
const USERNAME_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_692d_7573_6572_6e61_6d65);

impl UserStream {
    /// The stream of the account with `username` (a UUIDv5 of the username as given; callers
    /// normalise usernames before, see the server's `auth::users`).
    pub fn for_username(username: &str) -> Self {
        Self(Uuid::new_v5(&USERNAME_NAMESPACE, username.as_bytes()))
    }
}

/// A local user's id: `user:<id>` is the subject of whoever signs in as that user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A local user account was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    /// The account's id.
    pub user: UserId,
    /// Its unique username (the stream is named after it).
    pub username: String,
    /// The argon2id hash of the password as a PHC string (`$argon2id$v=19$m=…`); never the password.
    pub password_hash: String,
    /// The municipality the user acts for.
    pub tenant: MunicipalityId,
    /// The roles the user holds, by their stable names (`staff`, `admin`, …); never empty.
    pub roles: BTreeSet<String>,
    /// The pseudonymous person the user is (as in coaching records); the subject
    /// `user:<id>` stands for one otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
    /// A name to show people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A user's password was replaced: only the new hash works from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPasswordChanged {
    /// The account's id.
    pub user: UserId,
    /// The argon2id hash of the new password as a PHC string.
    pub password_hash: String,
    /// When it was changed.
    pub at: DateTime<Utc>,
}

/// A user account was disabled: it cannot sign in from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDisabled {
    /// The account's id.
    pub user: UserId,
    /// When it was disabled.
    pub at: DateTime<Utc>,
}

event_family! {
    /// What happens in a `user` stream.
    pub enum UserEvent {
        Created(UserCreated) = ("UserCreated", 1),
        PasswordChanged(UserPasswordChanged) = ("UserPasswordChanged", 1),
        Disabled(UserDisabled) = ("UserDisabled", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_always_names_the_same_stream_and_different_usernames_differ() {
        assert_eq!(UserStream::for_username("anna"), UserStream::for_username("anna"));
        assert_ne!(UserStream::for_username("anna"), UserStream::for_username("anna2"));
        assert_eq!(UserStream::for_username("anna").stream().category(), "user");
    }

    #[test]
    fn a_user_stream_differs_from_a_token_stream_of_the_same_name() {
        let user = UserStream::for_username("ci").stream();
        let token = super::super::ApiTokenStream::for_name("ci").stream();
        assert_ne!(user.as_str(), token.as_str());
    }
}

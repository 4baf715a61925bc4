//! Web sessions: a signed cookie naming who signed in — a local API token, a local user, or an
//! OIDC identity — and when the session ends, and the CSRF tokens of its forms.
//!
//! The cookie holds no secret: `v3.<session id>.<kind>.<subject>.<expiry, unix seconds>.<MAC>`,
//! the MAC an HMAC-SHA256 under the [`SessionKey`]. Signing out records the session's id as
//! ended (an event, [`SessionEnds`]), so the cookie opens nothing on any instance from then on,
//! even if a copy of it is kept. The kinds ([`SessionSubject`]):
//! - `t`, a token id: every request looks the token up in the token directory, so revoking it
//!   ends its sessions everywhere;
//! - `u`, a user id and how many times the user's password had been changed: every request
//!   looks the user up in the user directory, so disabling the account or changing its password
//!   ends its sessions;
//! - `o`, an OIDC identity (base64url JSON of subject, name, tenant and roles as the ID token
//!   said): nothing to look up, so such a session is short (the ID token's `exp`, at most
//!   [`SESSION_LENGTH`]); the tenant is mapped to a municipality again on every request.
//!
//! A form's CSRF token is the MAC of the session cookie under the same key, so it is tied to
//! that session and needs no storage.
//!
//! Where the key comes from: an event in the store ([`SessionKey::for_store`],
//! [`SessionKey::ensure`]), so every instance on one store, and the same instance after a
//! restart, accepts every session.

use std::sync::Arc;

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use kirjuri_events::domain::web_session;
use kirjuri_events::{EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent};
use kirjuri_store::{EventStore, StoreError};
use uuid::Uuid;

use kirjuri_auth::oidc::OidcIdentity;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kirjuri_session";
/// The cookie holding the nonce the sign-in form's CSRF token is made from (before a session exists).
pub const SIGN_IN_COOKIE: &str = "kirjuri_sign_in";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "kirjuri_lang";
/// How long a session lasts at most (less when its token expires sooner).
pub const SESSION_LENGTH: chrono::Duration = chrono::Duration::hours(12);

/// The key sessions and CSRF tokens are signed with. It is kept outside the event store (a
/// file with mode 0600, `<data_dir>/keys/session.key` or the `session_key_file` setting, which
/// instances serving one store share), so that reading the store or a backup of it does not let
/// anyone forge a session. Stores written before it moved still hold an old key as an event
/// (`SessionKeyCreated`); it is no longer read, so sessions it signed ended with the move.
pub struct SessionKey {
    key: tokio::sync::OnceCell<hmac::Key>,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SessionKey").field("loaded", &self.key.initialized()).finish_non_exhaustive()
    }
}

/// The operating system's random number generator failed.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomFailed;

/// The session key is not held and cannot be read or made now (the store failed).
#[derive(Debug, thiserror::Error)]
#[error("the web session key cannot be read or made now")]
pub struct KeyUnavailable;

/// How many bytes a session key has.
const KEY_BYTES: usize = 32;

impl SessionKey {
    /// A fresh random 256-bit key, held only here (for tests; a server reads its key file).
    pub fn generate() -> Result<Self, RandomFailed> {
        Ok(Self::from_bytes(&random_bytes::<KEY_BYTES>()?))
    }

    /// The key with these bytes, held only here.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self { key: tokio::sync::OnceCell::new_with(Some(hmac::Key::new(hmac::HMAC_SHA256, bytes))) }
    }

    /// Whether the key is held (it always is once made by [`SessionKey::from_bytes`]); a 503
    /// page otherwise.
    pub async fn ensure(&self) -> Result<(), KeyUnavailable> {
        if self.key.initialized() { Ok(()) } else { Err(KeyUnavailable) }
    }

    /// The MAC of `data` for `purpose`; empty while the key is not held (see [`SessionKey::ensure`]).
    fn mac(&self, purpose: &str, data: &str) -> String {
        let Some(key) = self.key.get() else { return String::new() };
        let message = format!("{purpose}|{data}");
        hex(hmac::sign(key, message.as_bytes()).as_ref())
    }

    /// Whether `mac_hex` is the MAC of `data` for `purpose`; never while the key is not held.
    fn verify(&self, purpose: &str, data: &str, mac_hex: &str) -> bool {
        let (Some(key), Some(tag)) = (self.key.get(), unhex(mac_hex)) else { return false };
        let message = format!("{purpose}|{data}");
        hmac::verify(key, message.as_bytes(), &tag).is_ok()
    }

    /// The cookie value of `session`.
    pub fn seal(&self, session: &Session) -> String {
        let data =
            format!("v3.{}.{}.{}", session.id.simple(), session.subject.encode(), session.expires_at.timestamp());
        let mac = self.mac("session", &data);
        format!("{data}.{mac}")
    }

    /// The session a cookie value stands for, if its MAC holds and it has not ended at `now`.
    pub fn open(&self, cookie: &str, now: DateTime<Utc>) -> Option<Session> {
        let (data, mac) = cookie.rsplit_once('.')?;
        if !self.verify("session", data, mac) {
            return None;
        }
        let mut parts = data.split('.');
        let (Some("v3"), Some(id), Some(kind), Some(subject), Some(expiry), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let id = Uuid::try_parse(id).ok()?;
        let subject = SessionSubject::decode(kind, subject)?;
        let expires_at = DateTime::from_timestamp(expiry.parse().ok()?, 0)?;
        (expires_at > now).then_some(Session { id, subject, expires_at })
    }

    /// `value` with a MAC for `purpose` appended (`<value>.<MAC>`): a short-lived signed cookie.
    pub fn sign(&self, purpose: &str, value: &str) -> String {
        format!("{value}.{}", self.mac(purpose, value))
    }

    /// The value of a [`SessionKey::sign`]ed text, if its MAC for `purpose` holds.
    pub fn unsign<'a>(&self, purpose: &str, signed: &'a str) -> Option<&'a str> {
        let (value, mac) = signed.rsplit_once('.')?;
        self.verify(purpose, value, mac).then_some(value)
    }

    /// The CSRF token of the forms of the session whose cookie value is `cookie`.
    pub fn csrf_token(&self, cookie: &str) -> String {
        self.mac("csrf", cookie)
    }

    /// Whether `token` is the CSRF token of the session whose cookie value is `cookie`.
    pub fn csrf_holds(&self, cookie: &str, token: &str) -> bool {
        self.verify("csrf", cookie, token)
    }

    /// The CSRF token of the sign-in form whose nonce (cookie) is `nonce`.
    pub fn sign_in_csrf_token(&self, nonce: &str) -> String {
        self.mac("sign-in", nonce)
    }

    /// Whether `token` is the sign-in form's CSRF token for `nonce`.
    pub fn sign_in_csrf_holds(&self, nonce: &str, token: &str) -> bool {
        !nonce.is_empty() && self.verify("sign-in", nonce, token)
    }
}

/// Who a session is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSubject {
    /// Signed in with the local API token with this id.
    Token(Uuid),
    /// Signed in as a local user with a password.
    User {
        /// The user's id.
        id: Uuid,
        /// How many times the user's password had been changed then (a change ends the session).
        password_changes: u32,
    },
    /// Signed in through the configured OIDC provider.
    Oidc(OidcIdentity),
}

impl SessionSubject {
    fn encode(&self) -> String {
        match self {
            Self::Token(id) => format!("t.{}", id.simple()),
            Self::User { id, password_changes } => format!("u.{}-{password_changes}", id.simple()),
            Self::Oidc(identity) => {
                let json = serde_json::to_vec(identity).unwrap_or_default();
                format!("o.{}", URL_SAFE_NO_PAD.encode(json))
            }
        }
    }

    fn decode(kind: &str, text: &str) -> Option<Self> {
        match kind {
            "t" => Uuid::try_parse(text).ok().map(Self::Token),
            "u" => {
                let (id, changes) = text.split_once('-')?;
                Some(Self::User { id: Uuid::try_parse(id).ok()?, password_changes: changes.parse().ok()? })
            }
            "o" => {
                let json = URL_SAFE_NO_PAD.decode(text).ok()?;
                serde_json::from_slice(&json).ok().map(Self::Oidc)
            }
            _ => None,
        }
    }
}

/// A signed-in session: which, who, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its id: what signing out records as ended.
    pub id: Uuid,
    /// Who signed in.
    pub subject: SessionSubject,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// A session for `subject` starting `now`: [`SESSION_LENGTH`], or until `ends_by` if sooner
    /// (a token's expiry, an ID token's `exp`).
    pub fn starting(subject: SessionSubject, ends_by: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        let full = now + SESSION_LENGTH;
        let end = ends_by.map_or(full, |end| end.min(full));
        // The cookie says whole seconds; the session is what the cookie says.
        let expires_at = DateTime::from_timestamp(end.timestamp(), 0).unwrap_or(end);
        Self { id: Uuid::new_v4(), subject, expires_at }
    }
}

/// How stale the ended sessions may be when a cookie is checked: a sign-out ends its session
/// within this on every instance (and a page costs at most one store read per this interval).
pub const SESSION_ENDS_STALENESS: std::time::Duration = std::time::Duration::from_millis(100);

/// The sessions signed out of before their time, following the store (every instance on one
/// store learns of a sign-out within [`SESSION_ENDS_STALENESS`]).
pub struct SessionEnds {
    store: Arc<dyn EventStore>,
    /// Ended sessions, with when each would have ended anyway (then it is forgotten).
    ended: std::sync::RwLock<std::collections::HashMap<Uuid, DateTime<Utc>>>,
    /// How far the log has been read, and when that was.
    scanned: tokio::sync::Mutex<(Option<kirjuri_events::Position>, Option<std::time::Instant>)>,
}

impl std::fmt::Debug for SessionEnds {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SessionEnds").finish_non_exhaustive()
    }
}

impl SessionEnds {
    /// Follows the ended sessions of `store` (read on first use).
    pub fn for_store(store: Arc<dyn EventStore>) -> Self {
        Self { store, ended: std::sync::RwLock::default(), scanned: tokio::sync::Mutex::new((None, None)) }
    }

    /// Whether `session` was signed out of (the store read at most [`SESSION_ENDS_STALENESS`] ago).
    pub async fn is_ended(&self, session: Uuid) -> Result<bool, StoreError> {
        self.catch_up().await?;
        Ok(self.ended.read().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(&session))
    }

    /// Records `session` as ended by its holder (`actor`), for every instance on the store.
    pub async fn end(&self, session: &Session, actor: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let stream = web_session::session_stream(session.id)
            .map_err(|error| StoreError::InvalidArgument { field: "stream", rule: error.to_string() })?;
        let ended = web_session::WebSessionEnded { session: session.id, ended_at: now, expires_at: session.expires_at };
        let invalid = |rule: String| StoreError::InvalidArgument { field: "event", rule };
        let event_type = EventType::parse(web_session::WEB_SESSION_ENDED).map_err(|e| invalid(e.to_string()))?;
        let payload = EventPayload::from_value(&ended).map_err(|e| invalid(e.to_string()))?;
        let metadata = EventMetadata { actor: Some(actor.to_owned()), ..EventMetadata::default() };
        let event = NewEvent::new(web_session::ended_event_id(session.id), event_type, payload).with_metadata(metadata);
        self.store.append(&stream, ExpectedRevision::Any, vec![event]).await?;
        self.ended.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(session.id, session.expires_at);
        Ok(())
    }

    /// Reads the sign-outs appended since the last read, unless that was under
    /// [`SESSION_ENDS_STALENESS`] ago; forgets sessions that would have ended anyway.
    async fn catch_up(&self) -> Result<(), StoreError> {
        let mut scanned = self.scanned.lock().await;
        if scanned.1.is_some_and(|at| at.elapsed() < SESSION_ENDS_STALENESS) {
            return Ok(());
        }
        let filter = kirjuri_store::EventFilter::streams([format!("{}-", web_session::CATEGORY)]);
        let now = Utc::now();
        let scanned_to = kirjuri_projections::catch_up(&*self.store, &filter, scanned.0, |page| {
            let mut ended = self.ended.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            ended.retain(|_, expires_at| *expires_at > now);
            for event in page {
                if let Ok(record) = event.data.decode::<web_session::WebSessionEnded>()
                    && record.expires_at > now
                {
                    ended.insert(record.session, record.expires_at);
                }
            }
        })
        .await?;
        *scanned = (scanned_to, Some(std::time::Instant::now()));
        Ok(())
    }
}

/// `N` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomFailed> {
    let mut bytes = [0_u8; N];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| RandomFailed)?;
    Ok(bytes)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok()).collect()
}

/// The value of cookie `name` in a `Cookie` header's value.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` over https; `max_age`
/// seconds (0 deletes it).
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use kirjuri_auth::Role;

    fn key() -> SessionKey {
        SessionKey::from_bytes(b"a key of thirty-two bytes exactly")
    }

    fn token_session(now: DateTime<Utc>) -> Session {
        Session::starting(SessionSubject::Token(Uuid::new_v4()), None, now)
    }

    #[test]
    fn a_sealed_session_opens_until_it_ends() {
        let now = Utc::now();
        let session = token_session(now);
        let cookie = key().seal(&session);
        assert_eq!(key().open(&cookie, now).map(|s| s.subject), Some(session.subject));
        assert_eq!(key().open(&cookie, now + SESSION_LENGTH), None);
    }

    #[test]
    fn every_kind_of_subject_survives_the_cookie() {
        let now = Utc::now();
        let identity = OidcIdentity {
            subject: "00000000-0000-0000-0000-00000000a11c".to_owned(),
            display_name: Some("Äijä \"quoted\". dotted".to_owned()),
            tenant_id: Uuid::from_u128(7),
            roles: BTreeSet::from([Role::Staff, Role::Auditor]),
        };
        for subject in [
            SessionSubject::Token(Uuid::new_v4()),
            SessionSubject::User { id: Uuid::new_v4(), password_changes: 3 },
            SessionSubject::Oidc(identity),
        ] {
            let session = Session::starting(subject, None, now);
            let cookie = key().seal(&session);
            assert_eq!(cookie.split('.').count(), 6, "{cookie}");
            assert!(cookie.bytes().all(|byte| byte.is_ascii_graphic() && byte != b';' && byte != b','), "{cookie}");
            assert_eq!(key().open(&cookie, now), Some(session));
        }
    }

    #[test]
    fn a_session_ends_when_its_token_expires_if_that_is_sooner() {
        let now = Utc::now();
        let token_end = now + chrono::Duration::minutes(5);
        let subject = SessionSubject::Token(Uuid::nil());
        let seconds = |time: DateTime<Utc>| time.timestamp();
        assert_eq!(seconds(Session::starting(subject.clone(), Some(token_end), now).expires_at), seconds(token_end));
        assert_eq!(seconds(Session::starting(subject, None, now).expires_at), seconds(now + SESSION_LENGTH));
    }

    #[test]
    fn a_changed_cookie_or_another_key_does_not_open() {
        let now = Utc::now();
        let cookie = key().seal(&token_session(now));
        let other_token = cookie.replacen(".t.", ".t.0", 1);
        assert_eq!(key().open(&other_token, now), None);
        let as_user = cookie.replacen(".t.", ".u.", 1);
        assert_eq!(key().open(&as_user, now), None);
        let other_session = format!("v3.{}{}", Uuid::new_v4().simple(), &cookie[35..]);
        assert_eq!(key().open(&other_session, now), None);
        let (data, _) = cookie.rsplit_once('.').unwrap_or_default();
        let later = format!("{}9.{}", data, &cookie[data.len() + 1..]);
        assert_eq!(key().open(&later, now), None);
        assert_eq!(SessionKey::from_bytes(b"another key").open(&cookie, now), None);
        assert_eq!(key().open("garbage", now), None);
        assert_eq!(key().open("", now), None);
    }

    #[test]
    fn a_signed_value_opens_only_for_its_purpose_and_unchanged() {
        let signed = key().sign("oidc", "state-and-nonce");
        assert_eq!(key().unsign("oidc", &signed), Some("state-and-nonce"));
        assert_eq!(key().unsign("csrf", &signed), None);
        assert_eq!(key().unsign("oidc", &signed.replacen("state", "stat3", 1)), None);
    }

    #[test]
    fn a_csrf_token_holds_only_for_its_own_session() {
        let now = Utc::now();
        let first = key().seal(&token_session(now));
        let second = key().seal(&token_session(now));
        let token = key().csrf_token(&first);
        assert!(key().csrf_holds(&first, &token));
        assert!(!key().csrf_holds(&second, &token));
        assert!(!key().csrf_holds(&first, ""));
        assert!(!key().sign_in_csrf_holds("", &key().sign_in_csrf_token("")));
        assert!(key().sign_in_csrf_holds("n1", &key().sign_in_csrf_token("n1")));
    }

    #[test]
    fn a_cookie_is_found_by_name_and_set_with_its_attributes() {
        assert_eq!(cookie_value("a=1; kirjuri_lang=en; b=2", LANG_COOKIE), Some("en"));
        assert_eq!(cookie_value("a=1", LANG_COOKIE), None);
        assert_eq!(set_cookie("n", "v", 60, true), "n=v; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure");
        assert_eq!(set_cookie("n", "", 0, false), "n=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
    }
}

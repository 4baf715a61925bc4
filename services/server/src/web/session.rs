//! Web sessions: a signed cookie naming the local API token a person signed in with and when
//! the session ends, and the CSRF tokens of its forms.
//!
//! The cookie holds no secret and no state of its own: `v1.<token id>.<expiry, unix seconds>.<MAC>`,
//! the MAC an HMAC-SHA256 under the [`SessionKey`]. Any instance holding the same key accepts
//! it; every request still looks the token up in the token directory (which follows the event
//! store), so revoking the token ends its sessions everywhere. A form's CSRF token is the MAC
//! of the session cookie under the same key, so it is tied to that session and needs no storage.
//!
//! Where the key comes from: see [`SessionKey`].

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kirjuri_session";
/// The cookie holding the nonce the sign-in form's CSRF token is made from (before a session exists).
pub const SIGN_IN_COOKIE: &str = "kirjuri_sign_in";
/// The language cookie's name.
pub const LANG_COOKIE: &str = "kirjuri_lang";
/// How long a session lasts at most (less when its token expires sooner).
pub const SESSION_LENGTH: chrono::Duration = chrono::Duration::hours(12);

/// The key sessions and CSRF tokens are signed with.
///
/// Today it is made at random when the server starts ([`SessionKey::generate`]): sessions end
/// when the server restarts, and several instances behind one load balancer need sticky
/// sessions. The planned home of the key is an event in the store, made on first start
/// ("keys are events"); [`SessionKey::from_bytes`] is where such a key enters.
pub struct SessionKey(hmac::Key);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SessionKey(..)")
    }
}

/// The operating system's random number generator failed.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomFailed;

impl SessionKey {
    /// A fresh random 256-bit key.
    pub fn generate() -> Result<Self, RandomFailed> {
        Ok(Self::from_bytes(&random_bytes::<32>()?))
    }

    /// The key with these bytes.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    fn mac(&self, purpose: &str, data: &str) -> String {
        let message = format!("{purpose}|{data}");
        hex(hmac::sign(&self.0, message.as_bytes()).as_ref())
    }

    fn verify(&self, purpose: &str, data: &str, mac_hex: &str) -> bool {
        let Some(tag) = unhex(mac_hex) else { return false };
        let message = format!("{purpose}|{data}");
        hmac::verify(&self.0, message.as_bytes(), &tag).is_ok()
    }

    /// The cookie value of a session for `token_id` that ends at `expires_at`.
    pub fn seal(&self, session: &Session) -> String {
        let data = format!("v1.{}.{}", session.token_id.simple(), session.expires_at.timestamp());
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
        let (Some("v1"), Some(id), Some(expiry), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let token_id = Uuid::try_parse(id).ok()?;
        let expires_at = DateTime::from_timestamp(expiry.parse().ok()?, 0)?;
        (expires_at > now).then_some(Session { token_id, expires_at })
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

/// A signed-in session: which token, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The local API token it was signed in with.
    pub token_id: Uuid,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// A session for `token_id` starting `now`: [`SESSION_LENGTH`], or until the token expires.
    pub fn starting(token_id: Uuid, token_expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        let full = now + SESSION_LENGTH;
        Self { token_id, expires_at: token_expires_at.map_or(full, |token_end| token_end.min(full)) }
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
    use super::*;

    fn key() -> SessionKey {
        SessionKey::from_bytes(b"a key of thirty-two bytes exactly")
    }

    #[test]
    fn a_sealed_session_opens_until_it_ends() {
        let now = Utc::now();
        let session = Session::starting(Uuid::new_v4(), None, now);
        let cookie = key().seal(&session);
        assert_eq!(key().open(&cookie, now).map(|s| s.token_id), Some(session.token_id));
        assert_eq!(key().open(&cookie, now + SESSION_LENGTH), None);
    }

    #[test]
    fn a_session_ends_when_its_token_expires_if_that_is_sooner() {
        let now = Utc::now();
        let token_end = now + chrono::Duration::minutes(5);
        assert_eq!(Session::starting(Uuid::nil(), Some(token_end), now).expires_at, token_end);
        assert_eq!(Session::starting(Uuid::nil(), None, now).expires_at, now + SESSION_LENGTH);
    }

    #[test]
    fn a_changed_cookie_or_another_key_does_not_open() {
        let now = Utc::now();
        let cookie = key().seal(&Session::starting(Uuid::new_v4(), None, now));
        let other_token = cookie.replacen("v1.", "v1.0", 1);
        assert_eq!(key().open(&other_token, now), None);
        let (data, _) = cookie.rsplit_once('.').unwrap_or_default();
        let later = format!("{}9.{}", data, &cookie[data.len() + 1..]);
        assert_eq!(key().open(&later, now), None);
        assert_eq!(SessionKey::from_bytes(b"another key").open(&cookie, now), None);
        assert_eq!(key().open("garbage", now), None);
        assert_eq!(key().open("", now), None);
    }

    #[test]
    fn a_csrf_token_holds_only_for_its_own_session() {
        let now = Utc::now();
        let first = key().seal(&Session::starting(Uuid::new_v4(), None, now));
        let second = key().seal(&Session::starting(Uuid::new_v4(), None, now));
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

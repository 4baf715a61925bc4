//! Local API tokens: made by `kirjuri token create`, shown once, stored only as a hash in
//! `<data_dir>/api.sqlite`, revocable with immediate effect.
//!
//! A token reads `kirjuri_<64 hex digits><8 hex digits>`: a 256-bit secret from the operating
//! system's CSPRNG, then a checksum of it. The prefix lets secret scanners find leaked tokens and
//! the checksum rejects typos and garbage without a database lookup.
//!
//! Only SHA-256 of the whole token is stored. A slow, salted password hash (argon2, bcrypt)
//! protects low-entropy secrets people choose; a 256-bit random secret cannot be guessed or
//! brute-forced from its hash however fast the hash is, and a plain hash lets a request find
//! its token with one indexed lookup instead of trying every row.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::sync::{Mutex, PoisonError};

use aws_lc_rs::digest::{SHA256, digest};
use chrono::{DateTime, TimeDelta, Utc};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::sqlite::file_format::{FileFormat, FormatError};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use uuid::Uuid;

use super::{AuthMethod, Principal, Role};

/// Every local API token starts with this.
pub const TOKEN_PREFIX: &str = "kirjuri_";

/// Hex digits of the secret: 32 random bytes.
const SECRET_HEX_LEN: usize = 64;

/// Hex digits of the checksum: 4 bytes.
const CHECKSUM_HEX_LEN: usize = 8;

/// The file format of `api.sqlite` (`application_id` "kira"; `user_version` = migrations applied).
pub const FORMAT: FileFormat = FileFormat {
    application_id: 0x6B69_7261,
    what: "API token database",
    migrations: &[
        // 0 -> 1: one row per token, found by the hash of its secret.
        "CREATE TABLE api_token (
            id          TEXT    PRIMARY KEY,
            name        TEXT    NOT NULL UNIQUE,
            secret_hash BLOB    NOT NULL UNIQUE,
            tenant      TEXT    NOT NULL,
            roles       TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER,
            revoked_at  INTEGER
         ) STRICT;",
    ],
};

/// A whole API token, secret included: print it once, never log it (`Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiTokenSecret(String);

impl ApiTokenSecret {
    /// A new token with a fresh 256-bit secret from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, TokenStoreError> {
        let mut secret = [0_u8; 32];
        aws_lc_rs::rand::fill(&mut secret).map_err(|_| TokenStoreError::Random)?;
        let secret_hex = hex(&secret);
        let checksum = checksum(&secret_hex);
        Ok(Self(format!("{TOKEN_PREFIX}{secret_hex}{checksum}")))
    }

    /// `text` if it has a token's shape and a matching checksum (it may still be unknown).
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix(TOKEN_PREFIX)?;
        let is_lower_hex = body.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        if body.len() != SECRET_HEX_LEN + CHECKSUM_HEX_LEN || !is_lower_hex {
            return None;
        }
        let (secret_hex, given_checksum) = body.split_at(SECRET_HEX_LEN);
        (checksum(secret_hex) == given_checksum).then(|| Self(text.to_owned()))
    }

    /// The token itself, to show its owner once.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The hash the database keeps.
    pub fn hash(&self) -> TokenHash {
        let mut hash = [0_u8; 32];
        hash.copy_from_slice(digest(&SHA256, self.0.as_bytes()).as_ref());
        TokenHash(hash)
    }
}

impl fmt::Debug for ApiTokenSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ApiTokenSecret(***)")
    }
}

/// SHA-256 of a whole token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

/// The first 4 bytes of SHA-256 over a domain label and the secret, in hex.
fn checksum(secret_hex: &str) -> String {
    let hash = digest(&SHA256, format!("kirjuri api token checksum:{secret_hex}").as_bytes());
    hex(&hash.as_ref()[..CHECKSUM_HEX_LEN / 2])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The rule for `--expires`.
pub const EXPIRES_RULE: &str = "`never`, a duration of whole days, hours or minutes such as 90d, 12h or 30m (at most 3650d), or a future RFC 3339 time such as 2027-01-31T00:00:00Z";

/// The default lifetime of a new token.
pub const DEFAULT_EXPIRES: &str = "90d";

/// When a token made at `now` expires, from `--expires`: `None` for `never`.
pub fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, &'static str> {
    if text == "never" {
        return Ok(None);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        let time = time.with_timezone(&Utc);
        return if time > now { Ok(Some(time)) } else { Err(EXPIRES_RULE) };
    }
    let unit_at = text.len().checked_sub(1).ok_or(EXPIRES_RULE)?;
    let (number, unit) = text.split_at(unit_at);
    let count: i64 = number.parse().ok().filter(|count| *count >= 1).ok_or(EXPIRES_RULE)?;
    let lifetime = match unit {
        "d" => TimeDelta::try_days(count),
        "h" => TimeDelta::try_hours(count),
        "m" => TimeDelta::try_minutes(count),
        _ => None,
    }
    .filter(|lifetime| *lifetime <= TimeDelta::days(3650))
    .ok_or(EXPIRES_RULE)?;
    Ok(Some(now + lifetime))
}

/// The rule for a token's name.
pub const NAME_RULE: &str = "1 to 64 characters of A-Z, a-z, 0-9, `.`, `_` and `-`, and not a UUID";

/// Checks a token name: it must not look like an id, so `revoke <id or name>` is never ambiguous.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    let allowed = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-');
    let well_formed = (1..=64).contains(&name.len()) && name.bytes().all(allowed);
    if well_formed && Uuid::from_str(name).is_err() { Ok(()) } else { Err(NAME_RULE) }
}

/// One token as stored: everything but its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    /// The token's id.
    pub id: Uuid,
    /// Its unique name.
    pub name: String,
    /// The municipality it acts for.
    pub tenant: MunicipalityId,
    /// The roles it grants.
    pub roles: BTreeSet<Role>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working; `None` never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Whether a token works now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// It authenticates.
    Active,
    /// Its expiry has passed.
    Expired,
    /// It was revoked.
    Revoked,
}

impl TokenStatus {
    /// The word shown in `token list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl TokenRecord {
    /// Whether the token works at `now`; a revoked token is reported revoked even once expired.
    pub fn status(&self, now: DateTime<Utc>) -> TokenStatus {
        if self.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|expires_at| expires_at <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }

    /// The caller this token stands for.
    pub fn principal(&self) -> Principal {
        Principal {
            subject: format!("token:{}", self.id),
            person: format!("token:{}", self.id),
            display_name: Some(self.name.clone()),
            municipality: self.tenant,
            roles: self.roles.clone(),
            authenticated_by: AuthMethod::ApiToken { token_id: self.id },
        }
    }
}

/// What to make a token for.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its name; `token-<last 8 hex digits of the id>` when `None` (the id is a UUIDv7, whose
    /// first digits are a timestamp shared by every token made within weeks; the last are random).
    pub name: Option<String>,
    /// The municipality it acts for.
    pub tenant: MunicipalityId,
    /// The roles it grants; at least one.
    pub roles: BTreeSet<Role>,
    /// When it stops working; `None` never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What a bearer token's hash found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLookup {
    /// A working token.
    Valid(TokenRecord),
    /// No token has this hash.
    Unknown,
    /// The token was revoked.
    Revoked,
    /// The token has expired.
    Expired,
}

/// What `revoke` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// The token is revoked from now on.
    Revoked(TokenRecord),
    /// It had been revoked before; nothing changed.
    AlreadyRevoked(TokenRecord),
    /// No token has that id or name.
    NotFound,
}

/// Why the token database failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    /// The file is foreign, newer, or could not be migrated.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// SQLite failed.
    #[error("{context}: {source}")]
    Sqlite {
        /// What was being done.
        context: &'static str,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// Another token already has this name.
    #[error("a token named `{0}` exists already; choose another --name")]
    DuplicateName(String),
    /// A token needs at least one role.
    #[error("a token needs at least one role")]
    NoRoles,
    /// A stored row does not decode.
    #[error("the API token database holds a malformed row: {0}")]
    Corrupt(String),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
}

fn sqlite(context: &'static str) -> impl FnOnce(rusqlite::Error) -> TokenStoreError {
    move |source| TokenStoreError::Sqlite { context, source }
}

/// The tokens of one data directory, in `api.sqlite`. Blocking: call from a blocking thread.
pub struct TokenStore {
    connection: Mutex<Connection>,
    path: PathBuf,
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("TokenStore").field("path", &self.path).finish_non_exhaustive()
    }
}

const SELECT_COLUMNS: &str = "id, name, tenant, roles, created_at, expires_at, revoked_at";

impl TokenStore {
    /// Opens (creating it and its directory if needed) the token database at `path`.
    pub fn open(path: &Path) -> Result<Self, TokenStoreError> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| {
                TokenStoreError::Corrupt(format!("cannot create the directory {}: {error}", parent.display()))
            })?;
        }
        let connection = Connection::open(path).map_err(sqlite("opening the API token database"))?;
        // The CLI and a running server share the file: WAL lets them, the busy timeout queues writers.
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;")
            .map_err(sqlite("configuring the API token database"))?;
        FORMAT.migrate(&connection)?;
        Ok(Self { connection: Mutex::new(connection), path: path.to_path_buf() })
    }

    /// The file this store keeps its tokens in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written: its transactions roll back.
        self.connection.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes a token; returns its record and its secret, which exists nowhere else afterwards.
    pub fn create(&self, new: NewToken, now: DateTime<Utc>) -> Result<(TokenRecord, ApiTokenSecret), TokenStoreError> {
        if new.roles.is_empty() {
            return Err(TokenStoreError::NoRoles);
        }
        let id = Uuid::now_v7();
        let name = new.name.unwrap_or_else(|| format!("token-{}", &id.simple().to_string()[24..]));
        let secret = ApiTokenSecret::generate()?;
        let created_at = truncate_to_seconds(now);
        let record = TokenRecord {
            id,
            name,
            tenant: new.tenant,
            roles: new.roles,
            created_at,
            expires_at: new.expires_at.map(truncate_to_seconds),
            revoked_at: None,
        };
        let inserted = self.connection().execute(
            "INSERT INTO api_token (id, name, secret_hash, tenant, roles, created_at, expires_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
            params![
                record.id.to_string(),
                record.name,
                secret.hash().0.as_slice(),
                record.tenant.to_string(),
                roles_text(&record.roles),
                record.created_at.timestamp(),
                record.expires_at.map(|time| time.timestamp()),
            ],
        );
        match inserted {
            Ok(_) => Ok((record, secret)),
            Err(error) if is_unique_violation_of(&error, "api_token.name") => {
                Err(TokenStoreError::DuplicateName(record.name))
            }
            Err(error) => Err(sqlite("storing the new token")(error)),
        }
    }

    /// Every token, oldest first.
    pub fn list(&self) -> Result<Vec<TokenRecord>, TokenStoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!("SELECT {SELECT_COLUMNS} FROM api_token ORDER BY created_at, id"))
            .map_err(sqlite("listing the tokens"))?;
        let rows = statement.query_map([], raw_row).map_err(sqlite("listing the tokens"))?;
        rows.map(|row| row.map_err(sqlite("listing the tokens")).and_then(RawRow::decode)).collect()
    }

    /// Revokes the token whose id or name is `id_or_name`, from `now` on.
    pub fn revoke(&self, id_or_name: &str, now: DateTime<Utc>) -> Result<RevokeOutcome, TokenStoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(sqlite("revoking a token"))?;
        let found = transaction
            .query_row(
                &format!("SELECT {SELECT_COLUMNS} FROM api_token WHERE id = ?1 OR name = ?1"),
                params![id_or_name],
                raw_row,
            )
            .optional()
            .map_err(sqlite("finding the token to revoke"))?;
        let Some(mut record) = found.map(RawRow::decode).transpose()? else {
            return Ok(RevokeOutcome::NotFound);
        };
        if record.revoked_at.is_some() {
            return Ok(RevokeOutcome::AlreadyRevoked(record));
        }
        let revoked_at = truncate_to_seconds(now);
        transaction
            .execute(
                "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1",
                params![record.id.to_string(), revoked_at.timestamp()],
            )
            .map_err(sqlite("revoking a token"))?;
        transaction.commit().map_err(sqlite("revoking a token"))?;
        record.revoked_at = Some(revoked_at);
        Ok(RevokeOutcome::Revoked(record))
    }

    /// Finds the token with `hash` and says whether it works at `now`.
    pub fn lookup(&self, hash: &TokenHash, now: DateTime<Utc>) -> Result<TokenLookup, TokenStoreError> {
        let found = self
            .connection()
            .query_row(
                &format!("SELECT {SELECT_COLUMNS} FROM api_token WHERE secret_hash = ?1"),
                params![hash.0.as_slice()],
                raw_row,
            )
            .optional()
            .map_err(sqlite("looking up a token"))?;
        let Some(record) = found.map(RawRow::decode).transpose()? else {
            return Ok(TokenLookup::Unknown);
        };
        Ok(match record.status(now) {
            TokenStatus::Active => TokenLookup::Valid(record),
            TokenStatus::Expired => TokenLookup::Expired,
            TokenStatus::Revoked => TokenLookup::Revoked,
        })
    }
}

fn truncate_to_seconds(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(time)
}

fn roles_text(roles: &BTreeSet<Role>) -> String {
    roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(",")
}

fn is_unique_violation_of(error: &rusqlite::Error, column: &str) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, Some(message))
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE && message.contains(column)
    )
}

/// A row as SQLite holds it, before its values are checked.
struct RawRow {
    id: String,
    name: String,
    tenant: String,
    roles: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

fn raw_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: row.get(0)?,
        name: row.get(1)?,
        tenant: row.get(2)?,
        roles: row.get(3)?,
        created_at: row.get(4)?,
        expires_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}

impl RawRow {
    fn decode(self) -> Result<TokenRecord, TokenStoreError> {
        let corrupt = |what: &str| TokenStoreError::Corrupt(format!("token {}: {what}", self.id));
        let time = |seconds: i64| DateTime::from_timestamp(seconds, 0).ok_or_else(|| corrupt("a time out of range"));
        let roles = self
            .roles
            .split(',')
            .map(|name| Role::parse(name).map_err(|error| corrupt(&error.to_string())))
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(TokenRecord {
            id: Uuid::from_str(&self.id).map_err(|_| corrupt("an id that is not a UUID"))?,
            tenant: MunicipalityId(Uuid::from_str(&self.tenant).map_err(|_| corrupt("a tenant that is not a UUID"))?),
            roles,
            created_at: time(self.created_at)?,
            expires_at: self.expires_at.map(time).transpose()?,
            revoked_at: self.revoked_at.map(time).transpose()?,
            name: self.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("a valid time").with_timezone(&Utc)
    }

    fn store() -> (tempfile::TempDir, TokenStore) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = TokenStore::open(&dir.path().join("api.sqlite")).expect("the store opens");
        (dir, store)
    }

    fn new_token(name: Option<&str>, expires_at: Option<DateTime<Utc>>) -> NewToken {
        NewToken {
            name: name.map(str::to_owned),
            tenant: MunicipalityId(Uuid::from_u128(297)),
            roles: BTreeSet::from([Role::Staff, Role::Auditor]),
            expires_at,
        }
    }

    #[test]
    fn a_generated_token_has_the_prefix_and_parses_back() {
        let token = ApiTokenSecret::generate().expect("randomness");
        let text = token.expose_secret();
        assert!(text.starts_with("kirjuri_"), "{text}");
        assert_eq!(text.len(), "kirjuri_".len() + 72);
        assert_eq!(ApiTokenSecret::parse(text), Some(token.clone()));
    }

    #[test]
    fn two_generated_tokens_differ() {
        let first = ApiTokenSecret::generate().expect("randomness");
        let second = ApiTokenSecret::generate().expect("randomness");
        assert_ne!(first, second);
        assert_ne!(first.hash(), second.hash());
    }

    #[test]
    fn a_token_with_one_changed_digit_fails_its_checksum() {
        let token = ApiTokenSecret::generate().expect("randomness");
        let text = token.expose_secret();
        let position = TOKEN_PREFIX.len() + 10;
        let changed = if &text[position..=position] == "0" { "1" } else { "0" };
        let altered = format!("{}{changed}{}", &text[..position], &text[position + 1..]);
        assert_eq!(ApiTokenSecret::parse(&altered), None);
    }

    #[test]
    fn text_without_the_shape_of_a_token_is_not_parsed() {
        for garbage in ["", "kirjuri_", "kirjuri_abc", "Bearer x", &format!("kirjuri_{}", "A".repeat(72))] {
            assert_eq!(ApiTokenSecret::parse(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn the_hash_is_sha256_of_the_whole_token() {
        let token = ApiTokenSecret(String::from("abc"));
        assert_eq!(hex(&token.hash().0), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let token = ApiTokenSecret::generate().expect("randomness");
        assert_eq!(format!("{token:?}"), "ApiTokenSecret(***)");
    }

    #[test]
    fn expiry_accepts_durations_never_and_future_times() {
        assert_eq!(parse_expiry("90d", now()), Ok(Some(now() + TimeDelta::days(90))));
        assert_eq!(parse_expiry("12h", now()), Ok(Some(now() + TimeDelta::hours(12))));
        assert_eq!(parse_expiry("30m", now()), Ok(Some(now() + TimeDelta::minutes(30))));
        assert_eq!(parse_expiry("never", now()), Ok(None));
        assert_eq!(
            parse_expiry("2026-12-31T00:00:00+02:00", now()),
            Ok(Some(DateTime::parse_from_rfc3339("2026-12-30T22:00:00Z").expect("valid").with_timezone(&Utc)))
        );
    }

    #[test]
    fn expiry_rejects_zero_negative_huge_past_and_unknown_units() {
        for bad in ["0d", "-1d", "3651d", "1w", "d", "", "soon", "2020-01-01T00:00:00Z"] {
            assert_eq!(parse_expiry(bad, now()), Err(EXPIRES_RULE), "{bad}");
        }
    }

    #[test]
    fn names_are_short_plain_words_and_never_uuids() {
        assert!(check_name("ci-pipeline.v2").is_ok());
        for bad in ["", "has space", "ä", &"x".repeat(65), "0193a0b4-7c1e-7000-8000-000000000001"] {
            assert_eq!(check_name(bad), Err(NAME_RULE), "{bad}");
        }
    }

    #[test]
    fn a_created_token_is_found_by_its_secret_and_stands_for_its_tenant_and_roles() {
        let (_dir, store) = store();
        let (record, secret) = store.create(new_token(Some("ci"), None), now()).expect("created");

        let lookup = store.lookup(&secret.hash(), now()).expect("looked up");

        assert_eq!(lookup, TokenLookup::Valid(record.clone()));
        let principal = record.principal();
        assert_eq!(principal.municipality, MunicipalityId(Uuid::from_u128(297)));
        assert_eq!(principal.roles, BTreeSet::from([Role::Staff, Role::Auditor]));
        assert_eq!(principal.subject, format!("token:{}", record.id));
    }

    #[test]
    fn an_unknown_secret_finds_nothing() {
        let (_dir, store) = store();
        store.create(new_token(None, None), now()).expect("created");
        let other = ApiTokenSecret::generate().expect("randomness");
        assert_eq!(store.lookup(&other.hash(), now()).expect("looked up"), TokenLookup::Unknown);
    }

    #[test]
    fn a_token_expires_at_its_expiry_and_not_before() {
        let (_dir, store) = store();
        let expires_at = now() + TimeDelta::hours(1);
        let (_, secret) = store.create(new_token(None, Some(expires_at)), now()).expect("created");

        let just_before = expires_at - TimeDelta::seconds(1);
        assert!(matches!(store.lookup(&secret.hash(), just_before).expect("looked up"), TokenLookup::Valid(_)));
        assert_eq!(store.lookup(&secret.hash(), expires_at).expect("looked up"), TokenLookup::Expired);
    }

    #[test]
    fn a_revoked_token_is_refused_and_revoking_again_changes_nothing() {
        let (_dir, store) = store();
        let (record, secret) = store.create(new_token(Some("ci"), None), now()).expect("created");

        let outcome = store.revoke("ci", now()).expect("revoked");
        assert!(matches!(&outcome, RevokeOutcome::Revoked(revoked) if revoked.id == record.id));
        assert_eq!(store.lookup(&secret.hash(), now()).expect("looked up"), TokenLookup::Revoked);

        let again = store.revoke(&record.id.to_string(), now()).expect("revoke by id");
        assert!(matches!(again, RevokeOutcome::AlreadyRevoked(_)));
        assert_eq!(store.revoke("nope", now()).expect("revoke unknown"), RevokeOutcome::NotFound);
    }

    #[test]
    fn names_are_unique_and_a_default_name_is_given() {
        let (_dir, store) = store();
        store.create(new_token(Some("ci"), None), now()).expect("created");
        let duplicate = store.create(new_token(Some("ci"), None), now()).expect_err("duplicate name");
        assert!(matches!(duplicate, TokenStoreError::DuplicateName(name) if name == "ci"));

        let (unnamed, _) = store.create(new_token(None, None), now()).expect("created");
        assert!(unnamed.name.starts_with("token-"), "{}", unnamed.name);
        let (another, _) = store.create(new_token(None, None), now()).expect("a second unnamed token");
        assert_ne!(unnamed.name, another.name, "default names differ");
        let names: Vec<String> = store.list().expect("listed").into_iter().map(|record| record.name).collect();
        assert_eq!(names, vec!["ci".to_owned(), unnamed.name, another.name]);
    }

    #[test]
    fn the_database_keeps_no_secret() {
        let (dir, store) = store();
        let (_, secret) = store.create(new_token(Some("ci"), None), now()).expect("created");
        drop(store);
        let mut bytes = std::fs::read(dir.path().join("api.sqlite")).expect("read db");
        if let Ok(wal) = std::fs::read(dir.path().join("api.sqlite-wal")) {
            bytes.extend(wal);
        }
        let secret_hex = &secret.expose_secret()[TOKEN_PREFIX.len()..];
        assert!(!bytes.windows(secret_hex.len()).any(|window| window == secret_hex.as_bytes()));
    }

    #[test]
    fn a_foreign_sqlite_file_is_not_touched() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("api.sqlite");
        Connection::open(&path).and_then(|c| c.execute_batch("CREATE TABLE other (x)")).expect("a foreign file");
        assert!(matches!(TokenStore::open(&path), Err(TokenStoreError::Format(FormatError::Foreign { .. }))));
    }
}

//! Local API tokens: made by `kirjuri token create`, shown once, recorded only as a hash in
//! the event store (`ApiTokenIssued`, `ApiTokenRevoked`; see `kirjuri_events::domain::api_token`),
//! so every server instance on one store knows every token.
//!
//! This module holds the token format, the [`TokenTable`] folded from the events, and the
//! operations the CLI runs against a store ([`issue`], [`revoke`], [`list`]). A running server
//! keeps a live table in memory ([`super::directory::TokenDirectory`]).
//!
//! A token reads `kirjuri_<64 hex digits><8 hex digits>`: a 256-bit secret from the operating
//! system's CSPRNG, then a checksum of it. The prefix lets secret scanners find leaked tokens and
//! the checksum rejects typos and garbage without a database lookup.
//!
//! Only SHA-256 of the whole token is stored. A slow, salted password hash (argon2, bcrypt)
//! protects low-entropy secrets people choose; a 256-bit random secret cannot be guessed or
//! brute-forced from its hash however fast the hash is, and a plain hash lets a request find
//! its token with one hash-map lookup instead of trying every token.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr as _;

use aws_lc_rs::digest::{SHA256, digest};
use chrono::{DateTime, TimeDelta, Utc};
use kirjuri_events::domain::api_token::{ApiTokenEvent, ApiTokenId, ApiTokenIssued, ApiTokenRevoked};
use kirjuri_events::domain::coaching::PersonRef;
use kirjuri_events::domain::{ApiTokenStream, MunicipalityId};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, Position, RecordedEvent, Revision, StreamName};
use kirjuri_store::{EventFilter, EventStore, StoreError};
use serde::Serialize;
use uuid::Uuid;

use super::{AuthMethod, Principal, Role};

/// Every local API token starts with this.
pub const TOKEN_PREFIX: &str = "kirjuri_";

/// Hex digits of the secret: 32 random bytes.
const SECRET_HEX_LEN: usize = 64;

/// Hex digits of the checksum: 4 bytes.
const CHECKSUM_HEX_LEN: usize = 8;

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

    /// The hash the events record.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The hash as events record it: 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Reads 64 hex digits back; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut hash = [0_u8; 32];
        for (index, byte) in hash.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[index * 2..index * 2 + 2], 16).ok()?;
        }
        Some(Self(hash))
    }

    /// The raw 32 bytes (as `api.sqlite` kept them).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }
}

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

/// One token as the events describe it: everything but its secret.
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
    /// The pseudonymous person its holder is, if it was made for one.
    pub person: Option<PersonRef>,
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

    /// The caller this token stands for: its person if it has one, else its subject.
    pub fn principal(&self) -> Principal {
        let subject = format!("token:{}", self.id);
        Principal {
            person: self.person.as_ref().map_or_else(|| subject.clone(), |person| person.as_str().to_owned()),
            subject,
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
    /// The pseudonymous person its holder is; `None` for a service's token.
    pub person: Option<PersonRef>,
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

/// Why a token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    /// The event store failed.
    #[error("the event store failed: {0}")]
    Store(#[from] StoreError),
    /// Another token already has (or had) this name.
    #[error("a token named `{0}` exists already; choose another --name")]
    DuplicateName(String),
    /// A token needs at least one role.
    #[error("a token needs at least one role")]
    NoRoles,
    /// A recorded token event does not make sense (or `api.sqlite` holds a malformed row).
    #[error("malformed API token record: {0}")]
    Corrupt(String),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// Another writer kept changing the token while it was being revoked.
    #[error("the token `{0}` kept changing while it was being revoked; try again")]
    Contended(String),
}

/// Which events hold tokens: the streams of the `apitoken` category.
pub fn token_events() -> EventFilter {
    EventFilter::streams([format!("{}-", ApiTokenStream::CATEGORY)])
}

/// One token and where its stream stands.
#[derive(Debug, Clone)]
struct TokenEntry {
    record: TokenRecord,
    stream: StreamName,
    revision: Revision,
}

/// Every token, folded from the token events up to [`TokenTable::position`]: found by hash,
/// id or name without touching the store.
#[derive(Debug, Default)]
pub struct TokenTable {
    tokens: HashMap<Uuid, TokenEntry>,
    by_hash: HashMap<TokenHash, Uuid>,
    by_name: HashMap<String, Uuid>,
    position: Option<Position>,
}

impl TokenTable {
    /// Reads every token event of `store`.
    pub async fn load(store: &dyn EventStore) -> Result<Self, TokenStoreError> {
        let mut table = Self::default();
        table.catch_up(store).await?;
        Ok(table)
    }

    /// The position of the last event folded in.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// Folds in every token event after [`TokenTable::position`].
    pub async fn catch_up(&mut self, store: &dyn EventStore) -> Result<(), TokenStoreError> {
        let from = self.position;
        kirjuri_projections::catch_up(store, &token_events(), from, |page| {
            for event in page {
                self.apply(event);
            }
        })
        .await?;
        Ok(())
    }

    /// Folds in one event unless it is at or before [`TokenTable::position`]; `true` if it was
    /// new. An event that does not make sense is logged and passed over: its token does not
    /// authenticate (a malformed issue) — failing closed, never open.
    pub fn apply(&mut self, event: &RecordedEvent) -> bool {
        if self.position.is_some_and(|position| event.position <= position) {
            return false;
        }
        self.position = Some(event.position);
        if let Err(reason) = self.fold(event) {
            tracing::error!(stream = %event.stream, position = %event.position, %reason, "an API token event was passed over");
        }
        true
    }

    fn fold(&mut self, event: &RecordedEvent) -> Result<(), String> {
        match ApiTokenEvent::from_recorded(event).map_err(|error| error.to_string())? {
            ApiTokenEvent::Issued(issued) => {
                let hash = TokenHash::from_hex(&issued.secret_hash).ok_or("its secret_hash is not 64 hex digits")?;
                let roles = issued
                    .roles
                    .iter()
                    .map(|name| Role::parse(name).map_err(|error| error.to_string()))
                    .collect::<Result<BTreeSet<_>, _>>()?;
                if roles.is_empty() {
                    return Err("it grants no role".to_owned());
                }
                let record = TokenRecord {
                    id: issued.token.0,
                    name: issued.name,
                    tenant: issued.tenant,
                    roles,
                    person: issued.person,
                    created_at: issued.issued_at,
                    expires_at: issued.expires_at,
                    revoked_at: None,
                };
                self.by_hash.insert(hash, record.id);
                self.by_name.insert(record.name.clone(), record.id);
                let entry = TokenEntry { record, stream: event.stream.clone(), revision: event.revision };
                self.tokens.insert(entry.record.id, entry);
            }
            ApiTokenEvent::Revoked(revoked) => {
                let entry = self.tokens.get_mut(&revoked.token.0).ok_or("it revokes a token never issued")?;
                entry.record.revoked_at.get_or_insert(revoked.at);
                entry.revision = event.revision;
            }
        }
        Ok(())
    }

    /// The token with `hash`, and whether it works at `now`.
    pub fn lookup(&self, hash: &TokenHash, now: DateTime<Utc>) -> TokenLookup {
        let Some(entry) = self.by_hash.get(hash).and_then(|id| self.tokens.get(id)) else {
            return TokenLookup::Unknown;
        };
        match entry.record.status(now) {
            TokenStatus::Active => TokenLookup::Valid(entry.record.clone()),
            TokenStatus::Expired => TokenLookup::Expired,
            TokenStatus::Revoked => TokenLookup::Revoked,
        }
    }

    /// The token with `id`, and whether it works at `now` (a web session names its token by id).
    pub fn lookup_id(&self, id: Uuid, now: DateTime<Utc>) -> TokenLookup {
        let Some(entry) = self.tokens.get(&id) else {
            return TokenLookup::Unknown;
        };
        match entry.record.status(now) {
            TokenStatus::Active => TokenLookup::Valid(entry.record.clone()),
            TokenStatus::Expired => TokenLookup::Expired,
            TokenStatus::Revoked => TokenLookup::Revoked,
        }
    }

    fn find(&self, id_or_name: &str) -> Option<&TokenEntry> {
        let by_id = Uuid::from_str(id_or_name).ok().and_then(|id| self.tokens.get(&id));
        by_id.or_else(|| self.by_name.get(id_or_name).and_then(|id| self.tokens.get(id)))
    }

    /// Every token, oldest first.
    pub fn list(&self) -> Vec<TokenRecord> {
        let mut records: Vec<TokenRecord> = self.tokens.values().map(|entry| entry.record.clone()).collect();
        records.sort_by_key(|record| (record.created_at, record.id));
        records
    }
}

fn metadata(actor: &str, tenant: MunicipalityId) -> EventMetadata {
    EventMetadata { actor: Some(actor.to_owned()), tenant: Some(tenant.to_string()), ..EventMetadata::default() }
}

fn payload_error(error: kirjuri_events::PayloadError) -> TokenStoreError {
    TokenStoreError::Corrupt(format!("a token event does not encode: {error}"))
}

/// Makes a token: appends `ApiTokenIssued` to the stream of its name (which must not exist
/// yet) as `actor`; returns its record and its secret, which exists nowhere else afterwards.
pub async fn issue(
    store: &dyn EventStore,
    new: NewToken,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<(TokenRecord, ApiTokenSecret), TokenStoreError> {
    if new.roles.is_empty() {
        return Err(TokenStoreError::NoRoles);
    }
    let id = Uuid::now_v7();
    let name = new.name.unwrap_or_else(|| format!("token-{}", &id.simple().to_string()[24..]));
    let secret = ApiTokenSecret::generate()?;
    let record = TokenRecord {
        id,
        name,
        tenant: new.tenant,
        roles: new.roles,
        person: new.person,
        created_at: truncate_to_seconds(now),
        expires_at: new.expires_at.map(truncate_to_seconds),
        revoked_at: None,
    };
    let issued = ApiTokenIssued {
        token: ApiTokenId(record.id),
        name: record.name.clone(),
        secret_hash: secret.hash().to_hex(),
        tenant: record.tenant,
        roles: record.roles.iter().map(|role| role.as_str().to_owned()).collect(),
        person: record.person.clone(),
        issued_at: record.created_at,
        expires_at: record.expires_at,
    };
    let event = ApiTokenEvent::Issued(issued)
        .to_new_event(EventId::random(), metadata(actor, record.tenant))
        .map_err(payload_error)?;
    let stream = ApiTokenStream::for_name(&record.name).stream();
    match store.append(&stream, ExpectedRevision::NoStream, vec![event]).await {
        Ok(_) => Ok((record, secret)),
        Err(StoreError::Conflict { .. }) => Err(TokenStoreError::DuplicateName(record.name)),
        Err(error) => Err(error.into()),
    }
}

/// Every token of `store`, oldest first.
pub async fn list(store: &dyn EventStore) -> Result<Vec<TokenRecord>, TokenStoreError> {
    Ok(TokenTable::load(store).await?.list())
}

/// How often [`revoke`] re-reads and retries when another writer changed the token meanwhile.
const REVOKE_ATTEMPTS: usize = 3;

/// Revokes the token whose id or name is `id_or_name`, from `now` on, as `actor`.
pub async fn revoke(
    store: &dyn EventStore,
    id_or_name: &str,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<RevokeOutcome, TokenStoreError> {
    let mut table = TokenTable::load(store).await?;
    for _ in 0..REVOKE_ATTEMPTS {
        let Some(entry) = table.find(id_or_name).cloned() else {
            return Ok(RevokeOutcome::NotFound);
        };
        if entry.record.revoked_at.is_some() {
            return Ok(RevokeOutcome::AlreadyRevoked(entry.record));
        }
        let revoked_at = truncate_to_seconds(now);
        let event = ApiTokenEvent::Revoked(ApiTokenRevoked { token: ApiTokenId(entry.record.id), at: revoked_at })
            .to_new_event(EventId::random(), metadata(actor, entry.record.tenant))
            .map_err(payload_error)?;
        match store.append(&entry.stream, ExpectedRevision::Exact(entry.revision), vec![event]).await {
            Ok(_) => {
                let mut record = entry.record;
                record.revoked_at = Some(revoked_at);
                return Ok(RevokeOutcome::Revoked(record));
            }
            Err(StoreError::Conflict { .. }) => {
                table.catch_up(store).await?;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(TokenStoreError::Contended(id_or_name.to_owned()))
}

fn truncate_to_seconds(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("a valid time").with_timezone(&Utc)
    }

    fn store() -> (tempfile::TempDir, kirjuri_store::SqliteStore) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let options = kirjuri_store::SqliteStoreOptions::new(dir.path().join("events.sqlite"));
        let store = kirjuri_store::SqliteStore::open(options).expect("the store opens");
        (dir, store)
    }

    fn new_token(name: Option<&str>, expires_at: Option<DateTime<Utc>>) -> NewToken {
        NewToken {
            name: name.map(str::to_owned),
            tenant: MunicipalityId(Uuid::from_u128(297)),
            roles: BTreeSet::from([Role::Staff, Role::Auditor]),
            person: None,
            expires_at,
        }
    }

    async fn lookup(store: &kirjuri_store::SqliteStore, secret: &ApiTokenSecret, at: DateTime<Utc>) -> TokenLookup {
        TokenTable::load(store).await.expect("the tokens load").lookup(&secret.hash(), at)
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
    fn a_hash_reads_back_from_its_hex() {
        let hash = ApiTokenSecret::generate().expect("randomness").hash();
        assert_eq!(TokenHash::from_hex(&hash.to_hex()), Some(hash));
        assert_eq!(TokenHash::from_hex("ab"), None);
        assert_eq!(TokenHash::from_hex(&"g".repeat(64)), None);
    }

    #[tokio::test]
    async fn a_created_token_is_found_by_its_secret_and_stands_for_its_tenant_and_roles() {
        let (_dir, store) = store();
        let (record, secret) = issue(&store, new_token(Some("ci"), None), now(), "test").await.expect("created");

        assert_eq!(lookup(&store, &secret, now()).await, TokenLookup::Valid(record.clone()));
        let principal = record.principal();
        assert_eq!(principal.municipality, MunicipalityId(Uuid::from_u128(297)));
        assert_eq!(principal.roles, BTreeSet::from([Role::Staff, Role::Auditor]));
        assert_eq!(principal.subject, format!("token:{}", record.id));
        assert_eq!(principal.person, principal.subject, "without a person the subject stands for one");
    }

    #[tokio::test]
    async fn a_token_made_for_a_person_is_that_person() {
        let (_dir, store) = store();
        let mut new = new_token(None, None);
        new.person = Some(PersonRef::parse("person", "hlo-7f3a2c").expect("a pseudonym"));
        let (_, secret) = issue(&store, new, now(), "test").await.expect("created");

        let TokenLookup::Valid(record) = lookup(&store, &secret, now()).await else { panic!("not valid") };
        assert_eq!(record.principal().person, "hlo-7f3a2c");
    }

    #[tokio::test]
    async fn an_unknown_secret_finds_nothing() {
        let (_dir, store) = store();
        issue(&store, new_token(None, None), now(), "test").await.expect("created");
        let other = ApiTokenSecret::generate().expect("randomness");
        assert_eq!(lookup(&store, &other, now()).await, TokenLookup::Unknown);
    }

    #[tokio::test]
    async fn a_token_expires_at_its_expiry_and_not_before() {
        let (_dir, store) = store();
        let expires_at = now() + TimeDelta::hours(1);
        let (_, secret) = issue(&store, new_token(None, Some(expires_at)), now(), "test").await.expect("created");

        let just_before = expires_at - TimeDelta::seconds(1);
        assert!(matches!(lookup(&store, &secret, just_before).await, TokenLookup::Valid(_)));
        assert_eq!(lookup(&store, &secret, expires_at).await, TokenLookup::Expired);
    }

    #[tokio::test]
    async fn a_revoked_token_is_refused_and_revoking_again_changes_nothing() {
        let (_dir, store) = store();
        let (record, secret) = issue(&store, new_token(Some("ci"), None), now(), "test").await.expect("created");

        let outcome = revoke(&store, "ci", now(), "test").await.expect("revoked");
        assert!(matches!(&outcome, RevokeOutcome::Revoked(revoked) if revoked.id == record.id));
        assert_eq!(lookup(&store, &secret, now()).await, TokenLookup::Revoked);

        let again = revoke(&store, &record.id.to_string(), now(), "test").await.expect("revoke by id");
        assert!(matches!(again, RevokeOutcome::AlreadyRevoked(_)));
        assert_eq!(revoke(&store, "nope", now(), "test").await.expect("revoke unknown"), RevokeOutcome::NotFound);
    }

    #[tokio::test]
    async fn names_are_unique_and_a_default_name_is_given() {
        let (_dir, store) = store();
        issue(&store, new_token(Some("ci"), None), now(), "test").await.expect("created");
        let duplicate = issue(&store, new_token(Some("ci"), None), now(), "test").await.expect_err("duplicate name");
        assert!(matches!(duplicate, TokenStoreError::DuplicateName(name) if name == "ci"));
        revoke(&store, "ci", now(), "test").await.expect("revoked");
        let reused = issue(&store, new_token(Some("ci"), None), now(), "test").await;
        assert!(matches!(reused, Err(TokenStoreError::DuplicateName(_))), "a revoked token's name stays taken");

        let (unnamed, _) = issue(&store, new_token(None, None), now(), "test").await.expect("created");
        assert!(unnamed.name.starts_with("token-"), "{}", unnamed.name);
        let (another, _) = issue(&store, new_token(None, None), now(), "test").await.expect("a second unnamed token");
        assert_ne!(unnamed.name, another.name, "default names differ");
        let names: Vec<String> = list(&store).await.expect("listed").into_iter().map(|record| record.name).collect();
        assert_eq!(names, vec!["ci".to_owned(), unnamed.name, another.name]);
    }

    #[tokio::test]
    async fn the_events_keep_no_secret_and_name_the_actor_and_tenant() {
        let (dir, store) = store();
        let (_, secret) = issue(&store, new_token(Some("ci"), None), now(), "cli:ops").await.expect("created");
        let events =
            store.read_all(kirjuri_store::ReadAllOptions::forward(10).filtered(token_events())).await.expect("read");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].metadata.actor.as_deref(), Some("cli:ops"));
        assert_eq!(events[0].metadata.tenant.as_deref(), Some(Uuid::from_u128(297).to_string().as_str()));
        assert!(events[0].data.as_str().contains(&secret.hash().to_hex()), "the hash is recorded");
        drop(store);
        let mut bytes = std::fs::read(dir.path().join("events.sqlite")).expect("read db");
        if let Ok(wal) = std::fs::read(dir.path().join("events.sqlite-wal")) {
            bytes.extend(wal);
        }
        let secret_hex = &secret.expose_secret()[TOKEN_PREFIX.len()..];
        assert!(!bytes.windows(secret_hex.len()).any(|window| window == secret_hex.as_bytes()));
    }

    #[test]
    fn a_malformed_issue_is_passed_over_and_its_token_does_not_authenticate() {
        let mut table = TokenTable::default();
        let secret = ApiTokenSecret::generate().expect("randomness");
        let data = serde_json::json!({
            "token": Uuid::from_u128(1), "name": "odd", "secret_hash": secret.hash().to_hex(),
            "tenant": Uuid::from_u128(297), "roles": ["overlord"], "issued_at": "2026-03-01T12:00:00Z"
        });
        let event = RecordedEvent {
            id: EventId::random(),
            stream: ApiTokenStream::for_name("odd").stream(),
            revision: Revision(0),
            position: Position::sequence(1),
            event_type: kirjuri_events::EventType::parse("ApiTokenIssued").expect("a type"),
            schema_version: 1,
            recorded_at: now(),
            data: kirjuri_events::EventPayload::parse(&data.to_string()).expect("JSON"),
            metadata: EventMetadata::default(),
        };
        assert!(table.apply(&event), "the event is consumed");
        assert!(!table.apply(&event), "and never applied twice");
        assert_eq!(table.lookup(&secret.hash(), now()), TokenLookup::Unknown);
        assert_eq!(table.position(), Some(Position::sequence(1)));
    }
}

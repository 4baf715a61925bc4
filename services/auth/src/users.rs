//! Local user accounts: a username and password for people who sign in to the web UI on the
//! embedded default (issue 6), made by `kirjuri user create` and recorded as events
//! (`UserCreated`, `UserPasswordChanged`, `UserDisabled`; see `kirjuri_events::domain::user`),
//! so every server instance on one store knows every account.
//!
//! This module holds the rules for usernames and passwords, the argon2id hashing, the
//! [`UserTable`] folded from the events, the operations the CLI runs against a store
//! ([`create`], [`set_password`], [`disable`], [`list`]) and the [`UserDirectory`] a server
//! signs people in with ([`UserDirectory::verify`]).
//!
//! Passwords are hashed with argon2id at [`ARGON2_M_COST_KIB`] KiB, [`ARGON2_T_COST`]
//! iterations and [`ARGON2_P_COST`] lane (OWASP's Password Storage Cheat Sheet minimum for
//! argon2id: m = 19 MiB, t = 2, p = 1) with a 16-byte salt from the operating system's CSPRNG,
//! recorded as a PHC string that carries its own parameters, so stronger parameters later still
//! verify older hashes. The comparison of the computed and stored outputs is constant-time
//! (`password-hash`'s `Output` equality).
//!
//! Sign-in answers alike for an unknown username and a wrong password: the same error, and the
//! same work (an unknown username is checked against a dummy hash of the same parameters). A
//! username (known or not) that failed [`AttemptLimit::max_failures`] times within
//! [`AttemptLimit::window`] is refused without checking until the oldest failure leaves the
//! window; the refusal says when to retry. Each attempt is counted as a failure *before* its
//! password is checked, in the same lock as the limit is read (and forgiven when it succeeds),
//! so parallel attempts cannot all slip under the limit. The limit is kept per server instance,
//! in memory.
//!
//! At most [`PasswordChecks::permits`] passwords are checked at once (one per core by default):
//! each check holds 19 MiB for its duration, so unbounded parallel sign-ins would grow the
//! process by that much each. A sign-in that finds no free slot within
//! [`PasswordChecks::wait`] is refused as [`SignInError::Busy`] (503 with `Retry-After`).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::str::FromStr as _;
use std::sync::{LazyLock, Mutex, RwLock};
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, Version};
use chrono::{DateTime, Utc};
use kirjuri_events::domain::coaching::PersonRef;
use kirjuri_events::domain::user::{UserCreated, UserDisabled, UserEvent, UserId, UserPasswordChanged};
use kirjuri_events::domain::{MunicipalityId, UserStream};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, Position, RecordedEvent, Revision, StreamName};
use kirjuri_store::{EventFilter, EventStore, StoreError};
use serde::Serialize;
use uuid::Uuid;

use super::{AuthMethod, Principal, Role};

/// Argon2id memory cost in KiB (19 MiB: OWASP's minimum for argon2id).
pub const ARGON2_M_COST_KIB: u32 = 19 * 1024;
/// Argon2id iterations (OWASP's minimum at 19 MiB).
pub const ARGON2_T_COST: u32 = 2;
/// Argon2id lanes.
pub const ARGON2_P_COST: u32 = 1;
/// Bytes of random salt per hash.
const SALT_LEN: usize = 16;

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most bytes a password may have (hashing is slow on purpose; a huge one is not a password).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The rule for a password, as said to whoever sets one.
pub const PASSWORD_RULE: &str = "a password needs at least 12 characters and at most 1024 bytes";

/// The rule for a username.
pub const USERNAME_RULE: &str =
    "1 to 64 characters of a-z, 0-9, `.`, `_`, `-` and `@` (upper case is read as lower case), and not a UUID";

/// The argon2id hasher with the parameters above.
fn hasher() -> Result<Argon2<'static>, UserStoreError> {
    let params = Params::new(ARGON2_M_COST_KIB, ARGON2_T_COST, ARGON2_P_COST, None)
        .map_err(|error| UserStoreError::Hashing(error.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A password someone chose, checked against [`PASSWORD_RULE`]; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// `text` if it follows [`PASSWORD_RULE`].
    pub fn parse(text: String) -> Result<Self, &'static str> {
        if text.chars().count() < MIN_PASSWORD_CHARS || text.len() > MAX_PASSWORD_BYTES {
            return Err(PASSWORD_RULE);
        }
        Ok(Self(text))
    }

    /// The password itself.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Password(***)")
    }
}

/// Hashes `password` with argon2id and a fresh random salt: a PHC string (`$argon2id$v=19$…`).
pub fn hash_password(password: &Password) -> Result<String, UserStoreError> {
    let mut salt = [0_u8; SALT_LEN];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| UserStoreError::Random)?;
    let hash = hasher()?
        .hash_password_with_salt(password.expose_secret().as_bytes(), &salt)
        .map_err(|error| UserStoreError::Hashing(error.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the argon2id PHC string `hash` (constant-time comparison; the
/// hash's own parameters are used). A hash that is not argon2id, or malformed, matches nothing.
pub fn password_matches(password: &str, hash: &str) -> bool {
    password_matches_in(password, hash, &mut Vec::new())
}

/// [`password_matches`], computed in `memory`: argon2's working blocks, grown to the hash's
/// memory cost and kept by the caller for the next check, so repeated checks allocate nothing
/// (freed, the 19 MiB stays with the allocator anyway and grows the process, see [`Checkers`]).
fn password_matches_in(password: &str, hash: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else { return false };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::new());
    }
    let argon2 = Argon2::new(Algorithm::Argon2id, version.unwrap_or_default(), params);
    let mut computed = vec![0_u8; expected.as_bytes().len()];
    if argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut memory[..]).is_err() {
        return false;
    }
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), &computed).is_ok()
}

/// A hash of a password nobody knows, with the same parameters, checked for unknown usernames
/// so they cost what a wrong password costs.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0_u8; 32];
    let _ = aws_lc_rs::rand::fill(&mut random);
    let text: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    Password::parse(text).ok().and_then(|password| hash_password(&password).ok()).unwrap_or_default()
});

/// `text` as a username (trimmed, lower case) if it follows [`USERNAME_RULE`].
pub fn normalise_username(text: &str) -> Result<String, &'static str> {
    let username = text.trim().to_ascii_lowercase();
    let allowed =
        |byte: u8| byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'.' | b'_' | b'-' | b'@');
    let well_formed = (1..=64).contains(&username.len()) && username.bytes().all(allowed);
    if well_formed && Uuid::from_str(&username).is_err() { Ok(username) } else { Err(USERNAME_RULE) }
}

/// The longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 200;

/// One account as the events describe it: everything but its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    /// The account's id.
    pub id: Uuid,
    /// Its unique username.
    pub username: String,
    /// The municipality the user acts for.
    pub tenant: MunicipalityId,
    /// The roles the user holds.
    pub roles: BTreeSet<Role>,
    /// The pseudonymous person the user is, if one was given.
    pub person: Option<PersonRef>,
    /// A name to show people, if one was given.
    pub display_name: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its password was last changed, if it was.
    pub password_changed_at: Option<DateTime<Utc>>,
    /// When it was disabled, if it was.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl UserRecord {
    /// Whether the account may sign in.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    /// The caller a signed-in user is: subject `user:<id>`, their person if given.
    pub fn principal(&self) -> Principal {
        let subject = format!("user:{}", self.id);
        Principal {
            person: self.person.as_ref().map_or_else(|| subject.clone(), |person| person.as_str().to_owned()),
            subject,
            display_name: Some(self.display_name.clone().unwrap_or_else(|| self.username.clone())),
            municipality: self.tenant,
            roles: self.roles.clone(),
            authenticated_by: AuthMethod::Password { user_id: self.id },
        }
    }
}

/// What to make an account for.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Its username (normalised by [`normalise_username`] before it is recorded).
    pub username: String,
    /// Its password; only a hash is recorded.
    pub password: Password,
    /// The municipality the user acts for.
    pub tenant: MunicipalityId,
    /// The roles the user holds; at least one.
    pub roles: BTreeSet<Role>,
    /// The pseudonymous person the user is.
    pub person: Option<PersonRef>,
    /// A name to show people.
    pub display_name: Option<String>,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UserStoreError {
    /// The event store failed.
    #[error("the event store failed: {0}")]
    Store(#[from] StoreError),
    /// Another account already has (or had) this username.
    #[error("a user named `{0}` exists already; choose another --username")]
    DuplicateUsername(String),
    /// The username breaks [`USERNAME_RULE`].
    #[error("--username must be {USERNAME_RULE}")]
    InvalidUsername,
    /// The display name is empty or too long.
    #[error("--display-name must be 1 to 200 characters")]
    InvalidDisplayName,
    /// An account needs at least one role.
    #[error("a user needs at least one role")]
    NoRoles,
    /// No account has this id or username.
    #[error("no user has the id or username `{0}`; `kirjuri user list` shows them")]
    NotFound(String),
    /// A recorded user event does not make sense.
    #[error("malformed user record: {0}")]
    Corrupt(String),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed")]
    Random,
    /// Hashing failed (it should not with the fixed parameters).
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
    /// Another writer kept changing the account meanwhile.
    #[error("the user `{0}` kept changing meanwhile; try again")]
    Contended(String),
}

/// Why a sign-in failed. Unknown usernames and wrong passwords are one answer.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The username is unknown or the password wrong (which of them is not said).
    #[error("the username or password is wrong")]
    InvalidCredentials,
    /// The password is right but the account has been disabled.
    #[error("this account has been disabled")]
    Disabled,
    /// Too many failed attempts for this username lately.
    #[error("too many failed sign-ins for this username; try again in {} s", retry_after.as_secs().max(1))]
    TooManyAttempts {
        /// How long until the next attempt is checked.
        retry_after: Duration,
    },
    /// Every password-check slot stayed taken for [`PasswordChecks::wait`]: try again shortly.
    #[error("the server is busy checking other sign-ins; try again in {} s", retry_after.as_secs().max(1))]
    Busy {
        /// When to try again.
        retry_after: Duration,
    },
    /// A fault of the server (the hashing thread failed).
    #[error("signing in failed inside the server")]
    Internal(String),
}

/// Which events hold user accounts: the streams of the `user` category.
pub fn user_events() -> EventFilter {
    EventFilter::streams([format!("{}-", UserStream::CATEGORY)])
}

#[derive(Debug, Clone)]
struct UserEntry {
    record: UserRecord,
    password_hash: String,
    /// How many times the password was changed (a web session carries it: a change ends it).
    password_changes: u32,
    stream: StreamName,
    revision: Revision,
}

/// Every account of a store, folded from its user events.
#[derive(Debug, Default)]
pub struct UserTable {
    users: HashMap<Uuid, UserEntry>,
    by_username: HashMap<String, Uuid>,
    position: Option<Position>,
}

impl UserTable {
    /// Reads every user event of `store`.
    pub async fn load(store: &dyn EventStore) -> Result<Self, UserStoreError> {
        let mut table = Self::default();
        table.catch_up(store).await?;
        Ok(table)
    }

    /// Folds in every user event after the last one folded in.
    pub async fn catch_up(&mut self, store: &dyn EventStore) -> Result<(), UserStoreError> {
        let from = self.position;
        kirjuri_projections::catch_up(store, &user_events(), from, |page| {
            for event in page {
                self.apply(event);
            }
        })
        .await?;
        Ok(())
    }

    /// Folds in one event unless it is at or before the last one; `true` if it was new. An
    /// event that does not make sense is logged and passed over (failing closed: a malformed
    /// creation does not sign anyone in).
    pub fn apply(&mut self, event: &RecordedEvent) -> bool {
        if self.position.is_some_and(|position| event.position <= position) {
            return false;
        }
        self.position = Some(event.position);
        if let Err(reason) = self.fold(event) {
            tracing::error!(stream = %event.stream, position = %event.position, %reason, "a user event was passed over");
        }
        true
    }

    fn fold(&mut self, event: &RecordedEvent) -> Result<(), String> {
        match UserEvent::from_recorded(event).map_err(|error| error.to_string())? {
            UserEvent::Created(created) => {
                let roles = created
                    .roles
                    .iter()
                    .map(|name| Role::parse(name).map_err(|error| error.to_string()))
                    .collect::<Result<BTreeSet<_>, _>>()?;
                if roles.is_empty() {
                    return Err("it grants no role".to_owned());
                }
                let record = UserRecord {
                    id: created.user.0,
                    username: created.username,
                    tenant: created.tenant,
                    roles,
                    person: created.person,
                    display_name: created.display_name,
                    created_at: created.created_at,
                    password_changed_at: None,
                    disabled_at: None,
                };
                self.by_username.insert(record.username.clone(), record.id);
                let entry = UserEntry {
                    record,
                    password_hash: created.password_hash,
                    password_changes: 0,
                    stream: event.stream.clone(),
                    revision: event.revision,
                };
                self.users.insert(entry.record.id, entry);
            }
            UserEvent::PasswordChanged(changed) => {
                let entry = self.users.get_mut(&changed.user.0).ok_or("it changes the password of no user")?;
                entry.password_hash = changed.password_hash;
                entry.password_changes = entry.password_changes.saturating_add(1);
                entry.record.password_changed_at = Some(changed.at);
                entry.revision = event.revision;
            }
            UserEvent::Disabled(disabled) => {
                let entry = self.users.get_mut(&disabled.user.0).ok_or("it disables no user")?;
                entry.record.disabled_at.get_or_insert(disabled.at);
                entry.revision = event.revision;
            }
        }
        Ok(())
    }

    fn find(&self, id_or_username: &str) -> Option<&UserEntry> {
        let by_id = Uuid::from_str(id_or_username.trim()).ok().and_then(|id| self.users.get(&id));
        by_id.or_else(|| {
            let username = normalise_username(id_or_username).ok()?;
            self.by_username.get(&username).and_then(|id| self.users.get(id))
        })
    }

    /// The account with `id`, if there is one.
    pub fn get(&self, id: Uuid) -> Option<&UserRecord> {
        self.users.get(&id).map(|entry| &entry.record)
    }

    /// Every account, oldest first.
    pub fn list(&self) -> Vec<UserRecord> {
        let mut records: Vec<UserRecord> = self.users.values().map(|entry| entry.record.clone()).collect();
        records.sort_by_key(|record| (record.created_at, record.id));
        records
    }
}

fn metadata(actor: &str, tenant: MunicipalityId) -> EventMetadata {
    EventMetadata { actor: Some(actor.to_owned()), tenant: Some(tenant.to_string()), ..EventMetadata::default() }
}

fn payload_error(error: kirjuri_events::PayloadError) -> UserStoreError {
    UserStoreError::Corrupt(format!("a user event does not encode: {error}"))
}

fn truncate_to_seconds(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(time)
}

/// Hashes on a blocking thread (it takes tens of milliseconds on purpose).
async fn hash_off_executor(password: Password) -> Result<String, UserStoreError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| UserStoreError::Hashing(error.to_string()))?
}

/// Makes an account: appends `UserCreated` to the stream of its username (which must not
/// exist yet) as `actor`.
pub async fn create(
    store: &dyn EventStore,
    new: NewUser,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<UserRecord, UserStoreError> {
    let username = normalise_username(&new.username).map_err(|_| UserStoreError::InvalidUsername)?;
    if new.roles.is_empty() {
        return Err(UserStoreError::NoRoles);
    }
    let display_name = match new.display_name.map(|name| name.trim().to_owned()) {
        Some(name) if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME_CHARS => {
            return Err(UserStoreError::InvalidDisplayName);
        }
        other => other,
    };
    let password_hash = hash_off_executor(new.password).await?;
    let record = UserRecord {
        id: Uuid::now_v7(),
        username,
        tenant: new.tenant,
        roles: new.roles,
        person: new.person,
        display_name,
        created_at: truncate_to_seconds(now),
        password_changed_at: None,
        disabled_at: None,
    };
    let created = UserCreated {
        user: UserId(record.id),
        username: record.username.clone(),
        password_hash,
        tenant: record.tenant,
        roles: record.roles.iter().map(|role| role.as_str().to_owned()).collect(),
        person: record.person.clone(),
        display_name: record.display_name.clone(),
        created_at: record.created_at,
    };
    let event = UserEvent::Created(created)
        .to_new_event(EventId::random(), metadata(actor, record.tenant))
        .map_err(payload_error)?;
    let stream = UserStream::for_username(&record.username).stream();
    match store.append(&stream, ExpectedRevision::NoStream, vec![event]).await {
        Ok(_) => Ok(record),
        Err(StoreError::Conflict { .. }) => Err(UserStoreError::DuplicateUsername(record.username)),
        Err(error) => Err(error.into()),
    }
}

/// Every account of `store`, oldest first.
pub async fn list(store: &dyn EventStore) -> Result<Vec<UserRecord>, UserStoreError> {
    Ok(UserTable::load(store).await?.list())
}

/// How often a change re-reads and retries when another writer changed the account meanwhile.
const CHANGE_ATTEMPTS: usize = 3;

/// Appends the event `make` builds for the account `id_or_username` at its current revision,
/// re-reading on conflicts; `Ok(None)` when `make` says there is nothing to do.
async fn change(
    store: &dyn EventStore,
    id_or_username: &str,
    actor: &str,
    make: impl Fn(&UserRecord) -> Option<UserEvent>,
) -> Result<(UserRecord, bool), UserStoreError> {
    let mut table = UserTable::load(store).await?;
    for _ in 0..CHANGE_ATTEMPTS {
        let Some(entry) = table.find(id_or_username).cloned() else {
            return Err(UserStoreError::NotFound(id_or_username.to_owned()));
        };
        let Some(user_event) = make(&entry.record) else {
            return Ok((entry.record, false));
        };
        let event =
            user_event.to_new_event(EventId::random(), metadata(actor, entry.record.tenant)).map_err(payload_error)?;
        match store.append(&entry.stream, ExpectedRevision::Exact(entry.revision), vec![event]).await {
            Ok(_) => {
                table.catch_up(store).await?;
                let record = table.get(entry.record.id).cloned().unwrap_or(entry.record);
                return Ok((record, true));
            }
            Err(StoreError::Conflict { .. }) => table.catch_up(store).await?,
            Err(error) => return Err(error.into()),
        }
    }
    Err(UserStoreError::Contended(id_or_username.to_owned()))
}

/// Gives the account `id_or_username` a new password from `now` on, as `actor` (a disabled
/// account stays disabled).
pub async fn set_password(
    store: &dyn EventStore,
    id_or_username: &str,
    password: Password,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<UserRecord, UserStoreError> {
    let password_hash = hash_off_executor(password).await?;
    let at = truncate_to_seconds(now);
    let (record, _) = change(store, id_or_username, actor, |record| {
        Some(UserEvent::PasswordChanged(UserPasswordChanged {
            user: UserId(record.id),
            password_hash: password_hash.clone(),
            at,
        }))
    })
    .await?;
    Ok(record)
}

/// What [`disable`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisableOutcome {
    /// The account cannot sign in from now on.
    Disabled(UserRecord),
    /// It had been disabled before; nothing changed.
    AlreadyDisabled(UserRecord),
}

/// Disables the account `id_or_username` from `now` on, as `actor`.
pub async fn disable(
    store: &dyn EventStore,
    id_or_username: &str,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<DisableOutcome, UserStoreError> {
    let at = truncate_to_seconds(now);
    let (record, changed) = change(store, id_or_username, actor, |record| {
        record.is_active().then_some(UserEvent::Disabled(UserDisabled { user: UserId(record.id), at }))
    })
    .await?;
    Ok(if changed { DisableOutcome::Disabled(record) } else { DisableOutcome::AlreadyDisabled(record) })
}

/// How many failed sign-ins a username may have within a window before it is refused unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    /// Failures allowed within [`AttemptLimit::window`].
    pub max_failures: usize,
    /// How long a failure counts.
    pub window: Duration,
}

impl Default for AttemptLimit {
    /// 10 failures per 15 minutes.
    fn default() -> Self {
        Self { max_failures: 10, window: Duration::from_secs(15 * 60) }
    }
}

/// The most usernames whose failures are remembered; beyond it, those whose failures all
/// expired are forgotten first.
const MAX_TRACKED_USERNAMES: usize = 100_000;

/// Recent failed sign-ins per username.
#[derive(Debug)]
struct Attempts {
    limit: AttemptLimit,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Attempts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts an attempt for `username` as a failure before it is checked, in the one lock
    /// the limit is read under: `Err(retry after)` (and nothing counted) if its failures are
    /// used up. A successful attempt is forgiven by [`Attempts::clear`].
    fn begin(&self, username: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.lock();
        let window = self.limit.window;
        if failures.len() >= MAX_TRACKED_USERNAMES && !failures.contains_key(username) {
            failures.retain(|_, recent| recent.back().is_some_and(|at| now.duration_since(*at) < window));
        }
        let recent = failures.entry(username.to_owned()).or_default();
        while recent.front().is_some_and(|at| now.duration_since(*at) >= window) {
            recent.pop_front();
        }
        if recent.len() >= self.limit.max_failures {
            let oldest = recent.front().copied().unwrap_or(now);
            return Err((oldest + window).saturating_duration_since(now));
        }
        recent.push_back(now);
        Ok(())
    }

    fn clear(&self, username: &str) {
        self.lock().remove(username);
    }

    /// Takes back the newest attempt counted for `username` (it was never checked).
    fn forgive_one(&self, username: &str) {
        if let Some(recent) = self.lock().get_mut(username) {
            recent.pop_back();
        }
    }
}

/// A password to check against a hash, and where to say whether it matched.
type CheckJob = (String, String, tokio::sync::oneshot::Sender<bool>);

/// A fixed set of threads that check passwords, as many as [`PasswordChecks::permits`].
///
/// A check needs argon2's 19 MiB, and the allocator keeps freed memory of that size in the arena
/// of the thread that freed it. On the runtime's blocking pool, whose threads come and
/// go by the dozen under load, every thread kept its own 19 MiB (150 parallel sign-ins left the
/// process at 0.6–1.5 GB). Each thread here keeps one block of argon2 memory and checks every
/// password in it, so the checks allocate nothing after the first.
struct Checkers {
    jobs: std::sync::mpsc::Sender<CheckJob>,
}

impl Checkers {
    fn start(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<CheckJob>();
        let queue = std::sync::Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = std::sync::Arc::clone(&queue);
            let spawned = std::thread::Builder::new().name(format!("kirjuri-password-{n}")).spawn(move || {
                // Argon2's working memory, allocated at the first check and reused by every later one.
                let mut memory = Vec::new();
                loop {
                    // The lock is held only while waiting for the next job, never during a check.
                    let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    let Ok((password, hash, answer)) = next else { return };
                    let _ = answer.send(password_matches_in(&password, &hash, &mut memory));
                }
            });
            if let Err(error) = spawned {
                tracing::error!(%error, "a password-check thread could not be started");
            }
        }
        Self { jobs }
    }

    /// Whether `password` matches `hash`, checked on one of the threads.
    async fn check(&self, password: String, hash: String) -> Result<bool, SignInError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send((password, hash, answer))
            .map_err(|_| SignInError::Internal("the password-check threads have stopped".to_owned()))?;
        answered.await.map_err(|_| SignInError::Internal("a password check was dropped".to_owned()))
    }
}

/// How many passwords are checked at once, and how long a sign-in waits for a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChecks {
    /// Checks that may run at once (each holds [`ARGON2_M_COST_KIB`] KiB while it runs).
    pub permits: usize,
    /// How long a sign-in waits for a free slot before it is refused as busy.
    pub wait: Duration,
}

impl Default for PasswordChecks {
    /// One check per core, waiting at most 2 s.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self { permits: cores, wait: Duration::from_secs(2) }
    }
}

/// The accounts of one store, in memory, caught up with the store at every sign-in (so an
/// account made or disabled a moment ago by another process counts at once).
pub struct UserDirectory {
    store: std::sync::Arc<dyn EventStore>,
    table: RwLock<UserTable>,
    /// How far the log has been read (user events or not), so a catch-up reads only what is new.
    scanned_to: tokio::sync::Mutex<Option<Position>>,
    /// When the last catch-up finished: a session check within [`SESSION_CHECK_STALENESS`] of
    /// it reads the table as it is.
    caught_up_at: Mutex<Option<Instant>>,
    attempts: Attempts,
    /// Turns to check a password (see [`PasswordChecks`]).
    checking: tokio::sync::Semaphore,
    checks: PasswordChecks,
    /// The threads that check passwords.
    checkers: Checkers,
}

/// How stale the table may be when a web session is checked: a disabled account or a changed
/// password ends its sessions within this (on every instance), and pages cost at most one
/// store read per this interval, not one each (nor a queue behind one lock).
pub const SESSION_CHECK_STALENESS: Duration = Duration::from_millis(100);

impl fmt::Debug for UserDirectory {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("UserDirectory").field("limit", &self.attempts.limit).finish_non_exhaustive()
    }
}

impl UserDirectory {
    /// Reads the accounts of `store`, with the default attempt limit (10 failures per 15 minutes).
    pub async fn start(store: std::sync::Arc<dyn EventStore>) -> Self {
        Self::start_with_limit(store, AttemptLimit::default()).await
    }

    /// Reads the accounts of `store`, with `limit`. A store that cannot be read now leaves the
    /// table empty (logged); every sign-in tries again.
    pub async fn start_with_limit(store: std::sync::Arc<dyn EventStore>, limit: AttemptLimit) -> Self {
        Self::start_with_limits(store, limit, PasswordChecks::default()).await
    }

    /// Reads the accounts of `store`, with `limit` and `checks`.
    pub async fn start_with_limits(
        store: std::sync::Arc<dyn EventStore>,
        limit: AttemptLimit,
        checks: PasswordChecks,
    ) -> Self {
        let directory = Self {
            store,
            table: RwLock::new(UserTable::default()),
            scanned_to: tokio::sync::Mutex::new(None),
            caught_up_at: Mutex::new(None),
            attempts: Attempts { limit, failures: Mutex::new(HashMap::new()) },
            checking: tokio::sync::Semaphore::new(checks.permits.max(1)),
            checkers: Checkers::start(checks.permits.max(1)),
            checks,
        };
        if let Err(error) = directory.catch_up().await {
            tracing::warn!(%error, "the user accounts cannot be read now; every sign-in tries again");
        }
        // Computed now rather than on the first unknown username, so that one costs no more.
        let dummy_ready = tokio::task::spawn_blocking(|| DUMMY_HASH.len()).await;
        if dummy_ready.is_err() {
            tracing::warn!("the dummy password hash could not be made");
        }
        directory
    }

    fn read_table(&self) -> std::sync::RwLockReadGuard<'_, UserTable> {
        self.table.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Folds in the user events appended since the last catch-up.
    async fn catch_up(&self) -> Result<(), StoreError> {
        let mut scanned_to = self.scanned_to.lock().await;
        *scanned_to = kirjuri_projections::catch_up(&*self.store, &user_events(), *scanned_to, |page| {
            let mut table = self.table.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            for event in page {
                table.apply(event);
            }
        })
        .await?;
        *self.caught_up_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
        Ok(())
    }

    /// The account with `id` as the store has it (at most [`SESSION_CHECK_STALENESS`] ago) and
    /// how many times its password has been changed (for a session to check its user is still
    /// active and on the same password); `None` if there is none.
    pub async fn current(&self, id: Uuid) -> Result<Option<(UserRecord, u32)>, StoreError> {
        let caught_up_at = *self.caught_up_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if caught_up_at.is_none_or(|at| at.elapsed() >= SESSION_CHECK_STALENESS) {
            self.catch_up().await?;
        }
        Ok(self.read_table().users.get(&id).map(|entry| (entry.record.clone(), entry.password_changes)))
    }

    /// Signs in `username` with `password` as [`UserDirectory::sign_in`] does, without the
    /// password-change count.
    pub async fn verify(&self, username: &str, password: &str) -> Result<Principal, SignInError> {
        self.sign_in(username, password).await.map(|(principal, _)| principal)
    }

    /// Signs in `username` with `password`: the user's [`Principal`], or why not. Unknown
    /// usernames and wrong passwords get the same answer after the same work; the check runs
    /// on a blocking thread. With the principal comes how many times the password has been
    /// changed (what a web session carries, so a later change ends it).
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<(Principal, u32), SignInError> {
        let key = username.trim().to_ascii_lowercase();
        self.attempts
            .begin(&key, Instant::now())
            .map_err(|retry_after| SignInError::TooManyAttempts { retry_after })?;
        if let Err(error) = self.catch_up().await {
            tracing::warn!(%error, "the user accounts cannot be re-read; signing in from the table as it is");
        }
        let found = normalise_username(username).ok().and_then(|username| {
            let table = self.read_table();
            table.find(&username).filter(|entry| entry.record.username == username).cloned()
        });
        // No recorded password is longer than the rule allows: a longer one is checked (cut to
        // the limit) against the dummy hash, so it costs what any wrong password costs.
        let too_long = password.len() > MAX_PASSWORD_BYTES;
        let found = found.filter(|_| !too_long);
        let password: String = if too_long {
            String::from_utf8_lossy(&password.as_bytes()[..MAX_PASSWORD_BYTES]).into_owned()
        } else {
            password.to_owned()
        };
        let hash = found.as_ref().map_or_else(|| DUMMY_HASH.clone(), |entry| entry.password_hash.clone());
        let Ok(Ok(turn)) = tokio::time::timeout(self.checks.wait, self.checking.acquire()).await else {
            // Not checked: the attempt counted in advance is taken back.
            self.attempts.forgive_one(&key);
            return Err(SignInError::Busy { retry_after: Duration::from_secs(1) });
        };
        let matches = self.checkers.check(password, hash).await?;
        drop(turn);
        match found {
            Some(entry) if matches => {
                self.attempts.clear(&key);
                if entry.record.is_active() {
                    Ok((entry.record.principal(), entry.password_changes))
                } else {
                    Err(SignInError::Disabled)
                }
            }
            // The failure was counted before the check.
            _ => Err(SignInError::InvalidCredentials),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("a valid time").with_timezone(&Utc)
    }

    fn store() -> (tempfile::TempDir, Arc<kirjuri_store::SqliteStore>) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let options = kirjuri_store::SqliteStoreOptions::new(dir.path().join("events.sqlite"));
        let store = kirjuri_store::SqliteStore::open(options).expect("the store opens");
        (dir, Arc::new(store))
    }

    fn password(text: &str) -> Password {
        Password::parse(text.to_owned()).expect("a valid password")
    }

    fn new_user(username: &str, secret: &str) -> NewUser {
        NewUser {
            username: username.to_owned(),
            password: password(secret),
            tenant: MunicipalityId(Uuid::from_u128(297)),
            roles: BTreeSet::from([Role::Staff]),
            person: None,
            display_name: Some("Anna Virtanen".to_owned()),
        }
    }

    #[test]
    fn a_password_shorter_than_twelve_characters_is_refused_naming_the_rule() {
        assert_eq!(Password::parse("elevenchars".to_owned()), Err(PASSWORD_RULE));
        assert!(PASSWORD_RULE.contains("12 characters"));
        assert!(Password::parse("twelve chars".to_owned()).is_ok());
        assert!(Password::parse("ääääääääääää".to_owned()).is_ok(), "characters, not bytes, are counted");
        assert_eq!(Password::parse("x".repeat(MAX_PASSWORD_BYTES + 1)), Err(PASSWORD_RULE));
    }

    #[test]
    fn debug_output_hides_the_password() {
        assert_eq!(format!("{:?}", password("correct horse battery")), "Password(***)");
    }

    #[test]
    fn a_hash_is_argon2id_with_the_stated_parameters_and_verifies_only_its_password() {
        let hash = hash_password(&password("correct horse battery")).expect("hashed");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains("correct horse battery"));
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("correct horse batterz", &hash));
        assert!(!password_matches("", &hash));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let first = hash_password(&password("correct horse battery")).expect("hashed");
        let second = hash_password(&password("correct horse battery")).expect("hashed");
        assert_ne!(first, second, "a fresh salt each time");
    }

    #[test]
    fn a_malformed_or_non_argon2id_hash_matches_nothing() {
        assert!(!password_matches("correct horse battery", "not a hash"));
        let argon2i =
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Jr0r4C0Gd3k0pYbq6mWmM3m5zQ6v8z3k0pYbq6mWmM0";
        assert!(!password_matches("correct horse battery", argon2i));
    }

    #[test]
    fn usernames_are_lower_cased_plain_words_and_never_uuids() {
        assert_eq!(normalise_username(" Anna.Virtanen@kuopio "), Ok("anna.virtanen@kuopio".to_owned()));
        for bad in ["", "has space", "ä", &"x".repeat(65), "0193a0b4-7c1e-7000-8000-000000000001"] {
            assert_eq!(normalise_username(bad), Err(USERNAME_RULE), "{bad}");
        }
    }

    #[tokio::test]
    async fn usernames_are_unique_whatever_their_case() {
        let (_dir, store) = store();
        create(&*store, new_user("anna", "correct horse battery"), now(), "test").await.expect("created");
        let duplicate = create(&*store, new_user("ANNA", "another long password"), now(), "test").await;
        assert!(matches!(duplicate, Err(UserStoreError::DuplicateUsername(name)) if name == "anna"));
        disable(&*store, "anna", now(), "test").await.expect("disabled");
        let reused = create(&*store, new_user("anna", "another long password"), now(), "test").await;
        assert!(matches!(reused, Err(UserStoreError::DuplicateUsername(_))), "a disabled user's name stays taken");
    }

    #[tokio::test]
    async fn the_right_password_signs_in_as_the_user_and_wrong_or_unknown_ones_alike_do_not() {
        let (_dir, store) = store();
        let record =
            create(&*store, new_user("anna", "correct horse battery"), now(), "cli:ops").await.expect("created");
        let directory = UserDirectory::start(store.clone()).await;

        let principal = directory.verify("Anna", "correct horse battery").await.expect("signed in");
        assert_eq!(principal.subject, format!("user:{}", record.id));
        assert_eq!(principal.municipality, MunicipalityId(Uuid::from_u128(297)));
        assert_eq!(principal.roles, BTreeSet::from([Role::Staff]));
        assert_eq!(principal.display_name.as_deref(), Some("Anna Virtanen"));
        assert_eq!(principal.authenticated_by, AuthMethod::Password { user_id: record.id });

        let wrong = directory.verify("anna", "correct horse batterz").await.expect_err("wrong password");
        let unknown = directory.verify("bertta", "correct horse battery").await.expect_err("unknown user");
        assert!(matches!(wrong, SignInError::InvalidCredentials));
        assert!(matches!(unknown, SignInError::InvalidCredentials));
        assert_eq!(wrong.to_string(), unknown.to_string());
        let huge = "correct horse battery".repeat(1_000);
        assert!(matches!(directory.verify("anna", &huge).await, Err(SignInError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn a_new_password_replaces_the_old_and_a_disabled_user_is_refused() {
        let (_dir, store) = store();
        create(&*store, new_user("anna", "correct horse battery"), now(), "test").await.expect("created");
        let directory = UserDirectory::start(store.clone()).await;
        set_password(&*store, "anna", password("staple battery horse"), now(), "test").await.expect("changed");

        assert!(directory.verify("anna", "correct horse battery").await.is_err(), "the old password is refused");
        directory.verify("anna", "staple battery horse").await.expect("the new password works");

        let outcome = disable(&*store, "anna", now(), "test").await.expect("disabled");
        assert!(matches!(outcome, DisableOutcome::Disabled(record) if record.disabled_at == Some(now())));
        assert!(matches!(directory.verify("anna", "staple battery horse").await, Err(SignInError::Disabled)));
        assert!(matches!(
            disable(&*store, "anna", now(), "test").await.expect("again"),
            DisableOutcome::AlreadyDisabled(_)
        ));
        assert!(matches!(disable(&*store, "nobody", now(), "test").await, Err(UserStoreError::NotFound(_))));
    }

    #[tokio::test]
    async fn after_the_allowed_failures_a_username_is_refused_until_the_window_passes() {
        let (_dir, store) = store();
        create(&*store, new_user("anna", "correct horse battery"), now(), "test").await.expect("created");
        let limit = AttemptLimit { max_failures: 2, window: Duration::from_millis(600) };
        let directory = UserDirectory::start_with_limit(store.clone(), limit).await;

        for _ in 0..2 {
            assert!(matches!(directory.verify("anna", "wrong password!").await, Err(SignInError::InvalidCredentials)));
        }
        let refused = directory.verify("anna", "correct horse battery").await.expect_err("limited");
        let SignInError::TooManyAttempts { retry_after } = refused else { panic!("{refused:?}") };
        assert!(retry_after > Duration::ZERO && retry_after <= limit.window, "{retry_after:?}");
        directory.verify("bertta", "wrong password!").await.expect_err("other usernames have their own count");

        tokio::time::sleep(retry_after).await;
        directory.verify("anna", "correct horse battery").await.expect("allowed again once the window passed");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forty_parallel_wrong_passwords_are_checked_no_more_often_than_the_limit_allows() {
        let (_dir, store) = store();
        create(&*store, new_user("anna", "correct horse battery"), now(), "test").await.expect("created");
        let checks = PasswordChecks { permits: 2, wait: Duration::from_secs(60) };
        let directory =
            Arc::new(UserDirectory::start_with_limits(store.clone(), AttemptLimit::default(), checks).await);
        let attempts: Vec<_> = (0..40)
            .map(|_| {
                let directory = Arc::clone(&directory);
                tokio::spawn(async move { directory.verify("anna", "wrong password!").await })
            })
            .collect();
        let (mut checked, mut refused) = (0, 0);
        for attempt in attempts {
            match attempt.await.expect("the attempt ran") {
                Err(SignInError::InvalidCredentials) => checked += 1,
                Err(SignInError::TooManyAttempts { .. }) => refused += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((checked, refused), (10, 30), "the limit is 10 failures per 15 minutes");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sign_in_that_finds_every_check_slot_taken_for_too_long_is_refused_as_busy_and_not_counted() {
        let (_dir, store) = store();
        create(&*store, new_user("anna", "correct horse battery"), now(), "test").await.expect("created");
        let checks = PasswordChecks { permits: 1, wait: Duration::from_millis(1) };
        let directory =
            Arc::new(UserDirectory::start_with_limits(store.clone(), AttemptLimit::default(), checks).await);
        let attempts: Vec<_> = (0..8)
            .map(|n| {
                let directory = Arc::clone(&directory);
                tokio::spawn(async move { directory.verify(&format!("user{n}"), "wrong password!").await })
            })
            .collect();
        let mut busy = 0;
        for attempt in attempts {
            match attempt.await.expect("the attempt ran") {
                Err(SignInError::Busy { retry_after }) => {
                    assert!(retry_after >= Duration::from_secs(1));
                    busy += 1;
                }
                Err(SignInError::InvalidCredentials) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(busy > 0, "one slot, eight sign-ins at once, a millisecond's wait: some must be turned away");
        let failures = directory.attempts.lock().values().map(VecDeque::len).sum::<usize>();
        assert_eq!(failures, 8 - busy, "a sign-in turned away unchecked is not counted as a failure");
    }
}

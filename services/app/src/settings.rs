//! The server's one typed [`Settings`], loaded once at startup.
//!
//! Layers, later ones winning: built-in defaults, then an optional TOML file (`--config PATH`
//! or `KIRJURI_CONFIG`), then `KIRJURI_*` environment variables. The environment is passed in
//! as pairs, so loading is a pure function of its inputs and nothing else reads the process
//! environment for settings. Every rejected value names its key or variable and the rule.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::Duration;

use kirjuri_auth::AuthConfig;
pub use kirjuri_auth::config::{ClientSecret, OidcSettings, OidcSignInSettings};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_search::{AnalysisSettings, VoikkoMode};
use uuid::Uuid;

/// The default data directory.
pub const DEFAULT_DATA_DIR: &str = "./kirjuri-data";

/// The default listen address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The default largest event (data plus metadata), in bytes: 1 MiB.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 1024 * 1024;

/// The largest allowed `max_event_bytes`: 16 MiB, KurrentDB's default largest append.
pub const MAX_EVENT_BYTES_LIMIT: usize = 16 * 1024 * 1024;

/// The default largest HTTP request body, in bytes: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default `header_timeout_seconds`.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The allowed `max_body_bytes`: from 1 KiB (every command fits) to 16 MiB.
pub const MAX_BODY_BYTES_RANGE: std::ops::RangeInclusive<usize> = 1024..=16 * 1024 * 1024;

/// The default shortest time between two JWKS fetches caused by unknown key ids.
pub const DEFAULT_OIDC_JWKS_MIN_REFETCH: Duration = Duration::from_secs(10);

/// The environment variable naming the config file when `--config` is not given.
pub const CONFIG_ENV_VAR: &str = "KIRJURI_CONFIG";

/// Everything the server is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where `events.sqlite`, `views.sqlite` and `search/` live.
    pub data_dir: PathBuf,
    /// Which event store backend to use.
    pub store: StoreKind,
    /// The KurrentDB connection string; required when `store` is `kurrentdb`.
    pub kurrentdb_url: Option<KurrentDbUrl>,
    /// The address the HTTP server listens on (port 0 picks a free port).
    pub bind: SocketAddr,
    /// The largest event (data plus metadata) the store accepts, in bytes.
    pub max_event_bytes: usize,
    /// The largest HTTP request body the API reads, in bytes; a larger one is a 413.
    pub max_body_bytes: usize,
    /// The most HTTP connections open at once; `None`: the descriptor limit less a margin
    /// for the store's and the read models' files (see `connections::default_max_connections`).
    pub max_connections: Option<usize>,
    /// How long a client may take to send a request's head, counted from connecting or from
    /// the end of the previous response (so also how long an idle keep-alive connection stays).
    pub header_timeout: Duration,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// Whether the search index lemmatises Finnish with Voikko (when installed) or Snowball only.
    pub search_voikko: VoikkoMode,
    /// Where Voikko's dictionary is, if not in its usual places.
    pub search_voikko_path: Option<PathBuf>,
    /// The OIDC issuer whose access tokens are accepted (`iss`, compared exactly); OIDC is off when unset.
    pub oidc_issuer: Option<String>,
    /// The audience those tokens must be meant for (`aud`): this API's application id URI or client id.
    pub oidc_audience: Option<String>,
    /// Where the issuer publishes its signing keys (JWKS).
    pub oidc_jwks_url: Option<String>,
    /// Which issuer tenants (`tid`) are admitted, and the municipality each acts for.
    pub oidc_tenants: BTreeMap<Uuid, MunicipalityId>,
    /// The shortest time between two JWKS fetches caused by a token signed with an unknown key.
    pub oidc_jwks_min_refetch: Duration,
    /// The web UI's client id at the issuer: set it (with `oidc_redirect_uri`) to offer OIDC
    /// sign-in (authorization code with PKCE) on the sign-in page; ID tokens must name it in `aud`.
    pub oidc_client_id: Option<String>,
    /// The client secret, for a confidential client (a public client with PKCE needs none).
    pub oidc_client_secret: Option<ClientSecret>,
    /// Where the issuer sends the browser back: this server's `/sign-in/oidc/callback`.
    pub oidc_redirect_uri: Option<String>,
    /// The scopes asked for; `openid` is always among them.
    pub oidc_scopes: Vec<String>,
    /// The log's signing key (Ed25519, PKCS#8, mode 0600) when not `<data_dir>/keys/signing.pk8`.
    pub signing_key_file: Option<PathBuf>,
    /// The web sessions' MAC key (32 bytes, mode 0600) when not `<data_dir>/keys/session.key`:
    /// instances serving one store name one shared file.
    pub session_key_file: Option<PathBuf>,
    /// The log's origin (its checkpoints' first line) for a new key; default `kirjuri/<key hash>`.
    pub log_origin: Option<String>,
    /// Sign a checkpoint once this many events arrived since the last one.
    pub checkpoint_every_events: u64,
    /// Or once this many seconds passed since it with at least one new event.
    pub checkpoint_every_seconds: u64,
    /// Other instances this one witnesses: their base URL and their log's verifier key.
    pub witness_logs: Vec<WitnessedLog>,
    /// How often witnessed logs are polled.
    pub witness_every_seconds: u64,
    /// Witnesses whose cosignatures of this log's checkpoints are kept: their verifier keys.
    pub accepted_witnesses: Vec<String>,
}

/// A partner instance this one witnesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessedLog {
    /// Its base URL, e.g. `https://kirjuri.espoo.fi`.
    pub url: String,
    /// Its log's verifier key, `<origin>+<hash>+<key>`.
    pub vkey: String,
}

/// Which event store backend the server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreKind {
    /// The embedded SQLite store in the data directory.
    #[default]
    Sqlite,
    /// A KurrentDB node or cluster.
    KurrentDb,
}

impl StoreKind {
    /// The name used in settings and in the readiness report.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::KurrentDb => "kurrentdb",
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A KurrentDB connection string; it may hold a password, so `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct KurrentDbUrl(String);

/// The URL schemes the KurrentDB client accepts.
const KURRENTDB_SCHEMES: [&str; 8] =
    ["kurrentdb", "kurrentdb+discover", "kurrent", "kurrent+discover", "kdb", "kdb+discover", "esdb", "esdb+discover"];

const KURRENTDB_URL_RULE: &str = "a connection string such as kurrentdb://admin:changeit@localhost:2113?tls=false (scheme kurrentdb, kurrent, kdb or esdb, optionally with +discover)";

impl KurrentDbUrl {
    /// Accepts a connection string whose scheme the KurrentDB client understands.
    pub fn parse(connection_string: &str) -> Result<Self, &'static str> {
        let scheme = connection_string.split_once("://").map(|(scheme, _)| scheme);
        match scheme {
            Some(scheme) if KURRENTDB_SCHEMES.contains(&scheme) => Ok(Self(connection_string.to_owned())),
            _ => Err(KURRENTDB_URL_RULE),
        }
    }

    /// The full connection string, password included: pass it to the client, never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The connection string with any password replaced by `***`, safe to log.
    pub fn redacted(&self) -> String {
        redact_password(&self.0)
    }
}

impl fmt::Debug for KurrentDbUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_tuple("KurrentDbUrl").field(&self.redacted()).finish()
    }
}

/// Replaces the password of `scheme://user:password@hosts…` by `***`.
///
/// The user info is taken to end at the last `@`, so a password holding `/`, `?` or `@` is
/// still hidden; a string that is not URL-shaped is hidden whole.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_owned();
    };
    let Some((user_info, hosts_and_options)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{hosts_and_options}"),
        None => url.to_owned(),
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            store: StoreKind::Sqlite,
            kurrentdb_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_connections: None,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            log_format: LogFormat::Text,
            search_voikko: VoikkoMode::Auto,
            search_voikko_path: None,
            oidc_issuer: None,
            oidc_audience: None,
            oidc_jwks_url: None,
            oidc_tenants: BTreeMap::new(),
            oidc_jwks_min_refetch: DEFAULT_OIDC_JWKS_MIN_REFETCH,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_redirect_uri: None,
            oidc_scopes: default_oidc_scopes(),
            signing_key_file: None,
            session_key_file: None,
            log_origin: None,
            checkpoint_every_events: 1000,
            checkpoint_every_seconds: 60,
            witness_logs: Vec::new(),
            witness_every_seconds: 60,
            accepted_witnesses: Vec::new(),
        }
    }
}

/// `openid profile`.
fn default_oidc_scopes() -> Vec<String> {
    vec!["openid".to_owned(), "profile".to_owned()]
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The config file could not be read.
    #[error("cannot read the config file {path}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML.
    #[error("the config file {path} is not valid TOML (line {line}): {message}")]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// The line of the first error, counted from 1.
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// The config file holds a key kirjuri does not know.
    #[error("unknown key `{key}` in the config file {path}; the known keys are {}", Key::known_file_keys())]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// The key, with its table path if nested.
        key: String,
    },
    /// A value breaks its rule.
    #[error("{setting} must be {rule}, got {got}")]
    Invalid {
        /// The environment variable or file key, e.g. `KIRJURI_STORE` or `` `store` in kirjuri.toml``.
        setting: String,
        /// What the value must be.
        rule: &'static str,
        /// The value given, quoted; redacted where it may hold a secret.
        got: String,
    },
    /// An environment variable's value is not valid UTF-8.
    #[error("{variable} must be valid UTF-8")]
    NotUnicode {
        /// The variable.
        variable: String,
    },
    /// `store = kurrentdb` without a connection string.
    #[error(
        "store is kurrentdb but no connection string is set: set kurrentdb_url in the config file or KIRJURI_KURRENTDB_URL"
    )]
    MissingKurrentDbUrl,
    /// Some but not all of the OIDC settings are given.
    #[error("OIDC is only partly configured: also set {missing}, or none of the oidc_* settings")]
    IncompleteOidc {
        /// The missing settings, each as `file_key (ENV_VAR)`.
        missing: String,
    },
}

/// One setting: its config file key and its environment variable.
#[derive(Debug, Clone, Copy)]
enum Key {
    DataDir,
    Store,
    KurrentDbUrl,
    Bind,
    MaxEventBytes,
    MaxBodyBytes,
    MaxConnections,
    HeaderTimeoutSeconds,
    LogFormat,
    SearchVoikko,
    SearchVoikkoPath,
    OidcIssuer,
    OidcAudience,
    OidcJwksUrl,
    OidcTenants,
    OidcJwksMinRefetchSeconds,
    OidcClientId,
    OidcClientSecret,
    OidcRedirectUri,
    OidcScopes,
    SigningKeyFile,
    SessionKeyFile,
    LogOrigin,
    CheckpointEveryEvents,
    CheckpointEverySeconds,
    WitnessLogs,
    WitnessEverySeconds,
    AcceptedWitnesses,
}

impl Key {
    /// Every setting, in the order the sample file documents them.
    const ALL: [Self; 28] = [
        Self::DataDir,
        Self::Store,
        Self::KurrentDbUrl,
        Self::Bind,
        Self::MaxEventBytes,
        Self::MaxBodyBytes,
        Self::MaxConnections,
        Self::HeaderTimeoutSeconds,
        Self::LogFormat,
        Self::SearchVoikko,
        Self::SearchVoikkoPath,
        Self::OidcIssuer,
        Self::OidcAudience,
        Self::OidcJwksUrl,
        Self::OidcTenants,
        Self::OidcJwksMinRefetchSeconds,
        Self::OidcClientId,
        Self::OidcClientSecret,
        Self::OidcRedirectUri,
        Self::OidcScopes,
        Self::SigningKeyFile,
        Self::SessionKeyFile,
        Self::LogOrigin,
        Self::CheckpointEveryEvents,
        Self::CheckpointEverySeconds,
        Self::WitnessLogs,
        Self::WitnessEverySeconds,
        Self::AcceptedWitnesses,
    ];

    fn file_key(self) -> &'static str {
        match self {
            Self::DataDir => "data_dir",
            Self::Store => "store",
            Self::KurrentDbUrl => "kurrentdb_url",
            Self::Bind => "bind",
            Self::MaxEventBytes => "max_event_bytes",
            Self::MaxBodyBytes => "max_body_bytes",
            Self::MaxConnections => "max_connections",
            Self::HeaderTimeoutSeconds => "header_timeout_seconds",
            Self::LogFormat => "log_format",
            Self::SearchVoikko => "search_voikko",
            Self::SearchVoikkoPath => "search_voikko_path",
            Self::OidcIssuer => "oidc_issuer",
            Self::OidcAudience => "oidc_audience",
            Self::OidcJwksUrl => "oidc_jwks_url",
            Self::OidcTenants => "oidc_tenants",
            Self::OidcJwksMinRefetchSeconds => "oidc_jwks_min_refetch_seconds",
            Self::OidcClientId => "oidc_client_id",
            Self::OidcClientSecret => "oidc_client_secret",
            Self::OidcRedirectUri => "oidc_redirect_uri",
            Self::OidcScopes => "oidc_scopes",
            Self::SigningKeyFile => "signing_key_file",
            Self::SessionKeyFile => "session_key_file",
            Self::LogOrigin => "log_origin",
            Self::CheckpointEveryEvents => "checkpoint_every_events",
            Self::CheckpointEverySeconds => "checkpoint_every_seconds",
            Self::WitnessLogs => "witness_logs",
            Self::WitnessEverySeconds => "witness_every_seconds",
            Self::AcceptedWitnesses => "accepted_witnesses",
        }
    }

    fn env_var(self) -> &'static str {
        match self {
            Self::DataDir => "KIRJURI_DATA_DIR",
            Self::Store => "KIRJURI_STORE",
            Self::KurrentDbUrl => "KIRJURI_KURRENTDB_URL",
            Self::Bind => "KIRJURI_BIND",
            Self::MaxEventBytes => "KIRJURI_MAX_EVENT_BYTES",
            Self::MaxBodyBytes => "KIRJURI_MAX_BODY_BYTES",
            Self::MaxConnections => "KIRJURI_MAX_CONNECTIONS",
            Self::HeaderTimeoutSeconds => "KIRJURI_HEADER_TIMEOUT_SECONDS",
            Self::LogFormat => "KIRJURI_LOG_FORMAT",
            Self::SearchVoikko => "KIRJURI_SEARCH_VOIKKO",
            Self::SearchVoikkoPath => "KIRJURI_SEARCH_VOIKKO_PATH",
            Self::OidcIssuer => "KIRJURI_OIDC_ISSUER",
            Self::OidcAudience => "KIRJURI_OIDC_AUDIENCE",
            Self::OidcJwksUrl => "KIRJURI_OIDC_JWKS_URL",
            Self::OidcTenants => "KIRJURI_OIDC_TENANTS",
            Self::OidcJwksMinRefetchSeconds => "KIRJURI_OIDC_JWKS_MIN_REFETCH_SECONDS",
            Self::OidcClientId => "KIRJURI_OIDC_CLIENT_ID",
            Self::OidcClientSecret => "KIRJURI_OIDC_CLIENT_SECRET",
            Self::OidcRedirectUri => "KIRJURI_OIDC_REDIRECT_URI",
            Self::OidcScopes => "KIRJURI_OIDC_SCOPES",
            Self::SigningKeyFile => "KIRJURI_SIGNING_KEY_FILE",
            Self::SessionKeyFile => "KIRJURI_SESSION_KEY_FILE",
            Self::LogOrigin => "KIRJURI_LOG_ORIGIN",
            Self::CheckpointEveryEvents => "KIRJURI_CHECKPOINT_EVERY_EVENTS",
            Self::CheckpointEverySeconds => "KIRJURI_CHECKPOINT_EVERY_SECONDS",
            Self::WitnessLogs => "KIRJURI_WITNESS_LOGS",
            Self::WitnessEverySeconds => "KIRJURI_WITNESS_EVERY_SECONDS",
            Self::AcceptedWitnesses => "KIRJURI_ACCEPTED_WITNESSES",
        }
    }

    fn from_file_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|candidate| candidate.file_key() == key)
    }

    /// The file keys, comma separated, for error messages.
    fn known_file_keys() -> String {
        Self::ALL.map(Self::file_key).join(", ")
    }
}

/// Where a value came from, for error messages.
enum Origin<'a> {
    Env(&'static str),
    File { key: &'a str, path: &'a Path },
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(variable) => formatter.write_str(variable),
            Self::File { key, path } => write!(formatter, "`{key}` in {}", path.display()),
        }
    }
}

/// One raw value before it is checked against its rule.
enum RawValue<'a> {
    Text(&'a str),
    Toml(&'a toml::Value),
}

impl RawValue<'_> {
    /// The value as text, or the error naming the rule if it is not a string.
    fn text(&self, origin: &Origin<'_>, rule: &'static str) -> Result<&str, SettingsError> {
        match self {
            Self::Text(text) => Ok(text),
            Self::Toml(toml::Value::String(text)) => Ok(text),
            Self::Toml(other) => Err(invalid(origin, rule, other.to_string())),
        }
    }

    /// The value as a non-empty path, or the error naming the rule.
    fn path(&self, origin: &Origin<'_>, rule: &'static str) -> Result<PathBuf, SettingsError> {
        let text = self.text(origin, rule)?;
        if text.trim().is_empty() {
            return Err(invalid(origin, rule, self.quoted()));
        }
        Ok(PathBuf::from(text))
    }

    /// The value as a whole number within `range`, or the error naming the rule.
    fn whole_number_in(
        &self,
        origin: &Origin<'_>,
        rule: &'static str,
        range: std::ops::RangeInclusive<usize>,
    ) -> Result<u64, SettingsError> {
        self.whole_number()
            .filter(|n| range.contains(n))
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| invalid(origin, rule, self.quoted()))
    }

    /// The value as a whole number (text of digits, or a TOML integer), if it is one.
    fn whole_number(&self) -> Option<usize> {
        match self {
            Self::Text(text) => text.parse::<usize>().ok(),
            Self::Toml(toml::Value::Integer(number)) => usize::try_from(*number).ok(),
            Self::Toml(_) => None,
        }
    }

    /// The value as given, quoted, for error messages.
    fn quoted(&self) -> String {
        match self {
            Self::Text(text) => format!("{text:?}"),
            Self::Toml(value) => value.to_string(),
        }
    }
}

fn invalid(origin: &Origin<'_>, rule: &'static str, got: String) -> SettingsError {
    SettingsError::Invalid { setting: origin.to_string(), rule, got }
}

const CONFIG_RULE: &str = "the path of a TOML config file";
const DATA_DIR_RULE: &str = "a non-empty directory path";
const STORE_RULE: &str = "sqlite or kurrentdb";
const BIND_RULE: &str = "an IP address and port such as 127.0.0.1:8080 or [::]:8080";
const MAX_EVENT_BYTES_RULE: &str = "a whole number of bytes from 1 to 16777216 (16 MiB)";
const MAX_BODY_BYTES_RULE: &str = "a whole number of bytes from 1024 to 16777216 (16 MiB)";
const LOG_FORMAT_RULE: &str = "text or json";
const SEARCH_VOIKKO_RULE: &str = "auto (Voikko when installed, else Snowball) or off (Snowball only)";
const SEARCH_VOIKKO_PATH_RULE: &str = "a non-empty directory path";
const MAX_CONNECTIONS_RULE: &str = "a whole number of connections from 16 to 1048576";
const HEADER_TIMEOUT_RULE: &str = "a whole number of seconds from 1 to 300";
const OIDC_URL_RULE: &str = "an https:// URL (http:// only for localhost, 127.0.0.1 or [::1])";
const OIDC_AUDIENCE_RULE: &str = "a non-empty audience without spaces, such as api://kirjuri or a client id";
const OIDC_TENANTS_RULE: &str = "a non-empty mapping of tenant ids (tid) to municipality ids, both UUIDs: in the file a table such as { \"<tid>\" = \"<municipality id>\" }, in the environment <tid>=<municipality id> pairs separated by commas";
const OIDC_MIN_REFETCH_RULE: &str = "a whole number of seconds from 0 to 3600";
const OIDC_CLIENT_ID_RULE: &str = "a non-empty client id without spaces";
const OIDC_CLIENT_SECRET_RULE: &str = "a non-empty client secret";
const OIDC_SCOPES_RULE: &str =
    "scopes separated by spaces (each of printable ASCII without quotes or backslashes); openid is added if missing";

impl Settings {
    /// Loads defaults, then the config file (`config_file`, else `KIRJURI_CONFIG`), then the
    /// `KIRJURI_*` variables among `env`.
    pub fn load<I, K, V>(config_file: Option<&Path>, env: I) -> Result<Self, SettingsError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        let env = KirjuriEnv::collect(env);
        let config_file = match (config_file, env.get(CONFIG_ENV_VAR)?) {
            (Some(path), _) => Some(path.to_path_buf()),
            (None, Some("")) => return Err(invalid(&Origin::Env(CONFIG_ENV_VAR), CONFIG_RULE, "\"\"".to_owned())),
            (None, Some(path)) => Some(PathBuf::from(path)),
            (None, None) => None,
        };

        let mut settings = Self::default();
        if let Some(path) = config_file {
            settings.apply_file(&path)?;
        }
        settings.apply_env(&env)?;

        if settings.store == StoreKind::KurrentDb && settings.kurrentdb_url.is_none() {
            return Err(SettingsError::MissingKurrentDbUrl);
        }
        settings.check_oidc_is_whole()?;
        Ok(settings)
    }

    /// Where the embedded store's file lives.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("events.sqlite")
    }

    /// `<data_dir>/keys`: the log's signing key, its public keys and the session key.
    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }

    /// The web sessions' MAC key file: `session_key_file`, else `<data_dir>/keys/session.key`.
    pub fn session_key_path(&self) -> PathBuf {
        self.session_key_file.clone().unwrap_or_else(|| self.keys_dir().join("session.key"))
    }

    /// `<data_dir>/integrity/tree.sqlite`: the Merkle tree and the signed checkpoints.
    pub fn tree_path(&self) -> PathBuf {
        self.data_dir.join(kirjuri_integrity::tree::TREE_FILE)
    }

    /// How the search index analyses text.
    pub fn search_analysis(&self) -> AnalysisSettings {
        AnalysisSettings { voikko: self.search_voikko, dictionary_path: self.search_voikko_path.clone() }
    }

    /// What authentication needs from the settings.
    pub fn auth_config(&self) -> AuthConfig {
        AuthConfig {
            legacy_api_tokens: self.legacy_api_tokens_path(),
            oidc: self.oidc(),
            oidc_sign_in: self.oidc_sign_in(),
        }
    }

    /// Where kirjuri kept local API tokens before they became events (imported once at start).
    pub fn legacy_api_tokens_path(&self) -> PathBuf {
        self.data_dir.join("api.sqlite")
    }

    /// The OIDC settings, when issuer, audience, JWKS URL and tenants are all set.
    pub fn oidc(&self) -> Option<OidcSettings> {
        match (&self.oidc_issuer, &self.oidc_audience, &self.oidc_jwks_url) {
            (Some(issuer), Some(audience), Some(jwks_url)) if !self.oidc_tenants.is_empty() => Some(OidcSettings {
                issuer: issuer.clone(),
                audience: audience.clone(),
                jwks_url: jwks_url.clone(),
                tenants: self.oidc_tenants.clone(),
                jwks_min_refetch: self.oidc_jwks_min_refetch,
            }),
            _ => None,
        }
    }

    /// The web UI's OIDC sign-in settings, when OIDC is configured and a client id and redirect
    /// URI are set.
    pub fn oidc_sign_in(&self) -> Option<OidcSignInSettings> {
        self.oidc()?;
        match (&self.oidc_client_id, &self.oidc_redirect_uri) {
            (Some(client_id), Some(redirect_uri)) => Some(OidcSignInSettings {
                client_id: client_id.clone(),
                client_secret: self.oidc_client_secret.clone(),
                redirect_uri: redirect_uri.clone(),
                scopes: self.oidc_scopes.clone(),
            }),
            _ => None,
        }
    }

    /// OIDC is either off (no `oidc_*` setting) or whole; half a configuration is refused.
    fn check_oidc_is_whole(&self) -> Result<(), SettingsError> {
        let given = [
            (Key::OidcIssuer, self.oidc_issuer.is_some()),
            (Key::OidcAudience, self.oidc_audience.is_some()),
            (Key::OidcJwksUrl, self.oidc_jwks_url.is_some()),
            (Key::OidcTenants, !self.oidc_tenants.is_empty()),
        ];
        let missing: Vec<String> = given
            .iter()
            .filter(|(_, is_set)| !is_set)
            .map(|(key, _)| format!("{} ({})", key.file_key(), key.env_var()))
            .collect();
        if missing.is_empty() || missing.len() == given.len() {
            return Ok(());
        }
        Err(SettingsError::IncompleteOidc { missing: missing.join(", ") })
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), SettingsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SettingsError::ReadFile { path: path.to_path_buf(), source })?;
        let table: toml::Table = toml::from_str(&text).map_err(|error| SettingsError::ParseFile {
            path: path.to_path_buf(),
            line: error.span().map_or(1, |span| line_of(&text, span.start)),
            message: error.message().to_owned(),
        })?;
        for (name, value) in &table {
            let Some(key) = Key::from_file_key(name) else {
                let name = match value {
                    toml::Value::Table(_) => format!("[{name}]"),
                    _ => name.clone(),
                };
                return Err(SettingsError::UnknownKey { path: path.to_path_buf(), key: name });
            };
            self.apply(key, &RawValue::Toml(value), &Origin::File { key: name, path })?;
        }
        Ok(())
    }

    fn apply_env(&mut self, env: &KirjuriEnv) -> Result<(), SettingsError> {
        for key in Key::ALL {
            if let Some(value) = env.get(key.env_var())? {
                self.apply(key, &RawValue::Text(value), &Origin::Env(key.env_var()))?;
            }
        }
        Ok(())
    }

    /// Checks one value against its key's rule and stores it.
    fn apply(&mut self, key: Key, value: &RawValue<'_>, origin: &Origin<'_>) -> Result<(), SettingsError> {
        match key {
            Key::DataDir => {
                let text = value.text(origin, DATA_DIR_RULE)?;
                if text.is_empty() {
                    return Err(invalid(origin, DATA_DIR_RULE, value.quoted()));
                }
                self.data_dir = PathBuf::from(text);
            }
            Key::Store => {
                self.store = match value.text(origin, STORE_RULE)? {
                    "sqlite" => StoreKind::Sqlite,
                    "kurrentdb" => StoreKind::KurrentDb,
                    _ => return Err(invalid(origin, STORE_RULE, value.quoted())),
                };
            }
            Key::KurrentDbUrl => {
                let text = value.text(origin, KURRENTDB_URL_RULE)?;
                let url = KurrentDbUrl::parse(text)
                    .map_err(|rule| invalid(origin, rule, format!("{:?}", redact_password(text))))?;
                self.kurrentdb_url = Some(url);
            }
            Key::Bind => {
                let text = value.text(origin, BIND_RULE)?;
                self.bind = text.parse().map_err(|_| invalid(origin, BIND_RULE, value.quoted()))?;
            }
            Key::MaxEventBytes => {
                self.max_event_bytes = value
                    .whole_number()
                    .filter(|bytes| (1..=MAX_EVENT_BYTES_LIMIT).contains(bytes))
                    .ok_or_else(|| invalid(origin, MAX_EVENT_BYTES_RULE, value.quoted()))?;
            }
            Key::MaxBodyBytes => {
                self.max_body_bytes = value
                    .whole_number()
                    .filter(|bytes| MAX_BODY_BYTES_RANGE.contains(bytes))
                    .ok_or_else(|| invalid(origin, MAX_BODY_BYTES_RULE, value.quoted()))?;
            }
            Key::MaxConnections => {
                let connections = value
                    .whole_number()
                    .filter(|count| (16..=1 << 20).contains(count))
                    .ok_or_else(|| invalid(origin, MAX_CONNECTIONS_RULE, value.quoted()))?;
                self.max_connections = Some(connections);
            }
            Key::HeaderTimeoutSeconds => {
                let seconds = value
                    .whole_number()
                    .filter(|seconds| (1..=300).contains(seconds))
                    .ok_or_else(|| invalid(origin, HEADER_TIMEOUT_RULE, value.quoted()))?;
                self.header_timeout = Duration::from_secs(u64::try_from(seconds).unwrap_or(300));
            }
            Key::LogFormat => {
                self.log_format = match value.text(origin, LOG_FORMAT_RULE)? {
                    "text" => LogFormat::Text,
                    "json" => LogFormat::Json,
                    _ => return Err(invalid(origin, LOG_FORMAT_RULE, value.quoted())),
                };
            }
            Key::SearchVoikko => {
                self.search_voikko = match value.text(origin, SEARCH_VOIKKO_RULE)? {
                    "auto" => VoikkoMode::Auto,
                    "off" => VoikkoMode::Off,
                    _ => return Err(invalid(origin, SEARCH_VOIKKO_RULE, value.quoted())),
                };
            }
            Key::SearchVoikkoPath => {
                let text = value.text(origin, SEARCH_VOIKKO_PATH_RULE)?;
                if text.trim().is_empty() {
                    return Err(invalid(origin, SEARCH_VOIKKO_PATH_RULE, value.quoted()));
                }
                self.search_voikko_path = Some(PathBuf::from(text));
            }
            Key::OidcIssuer => {
                let text = value.text(origin, OIDC_URL_RULE)?;
                self.oidc_issuer =
                    Some(check_oidc_url(text).ok_or_else(|| invalid(origin, OIDC_URL_RULE, value.quoted()))?);
            }
            Key::OidcJwksUrl => {
                let text = value.text(origin, OIDC_URL_RULE)?;
                self.oidc_jwks_url =
                    Some(check_oidc_url(text).ok_or_else(|| invalid(origin, OIDC_URL_RULE, value.quoted()))?);
            }
            Key::OidcAudience => {
                let text = value.text(origin, OIDC_AUDIENCE_RULE)?;
                if text.is_empty() || text.contains(char::is_whitespace) {
                    return Err(invalid(origin, OIDC_AUDIENCE_RULE, value.quoted()));
                }
                self.oidc_audience = Some(text.to_owned());
            }
            Key::OidcTenants => {
                self.oidc_tenants =
                    parse_oidc_tenants(value).ok_or_else(|| invalid(origin, OIDC_TENANTS_RULE, value.quoted()))?;
            }
            Key::OidcJwksMinRefetchSeconds => {
                let seconds = match value {
                    RawValue::Text(text) => text.parse::<u64>().ok(),
                    RawValue::Toml(toml::Value::Integer(number)) => u64::try_from(*number).ok(),
                    RawValue::Toml(_) => None,
                };
                self.oidc_jwks_min_refetch = seconds
                    .filter(|seconds| *seconds <= 3600)
                    .map(Duration::from_secs)
                    .ok_or_else(|| invalid(origin, OIDC_MIN_REFETCH_RULE, value.quoted()))?;
            }
            Key::OidcClientId => {
                let text = value.text(origin, OIDC_CLIENT_ID_RULE)?;
                if text.is_empty() || text.contains(char::is_whitespace) {
                    return Err(invalid(origin, OIDC_CLIENT_ID_RULE, value.quoted()));
                }
                self.oidc_client_id = Some(text.to_owned());
            }
            Key::OidcClientSecret => {
                // Never echo a secret in an error: the rule is enough.
                let text = value
                    .text(origin, OIDC_CLIENT_SECRET_RULE)
                    .map_err(|_| invalid(origin, OIDC_CLIENT_SECRET_RULE, "(not shown)".to_owned()))?;
                if text.is_empty() {
                    return Err(invalid(origin, OIDC_CLIENT_SECRET_RULE, "\"\"".to_owned()));
                }
                self.oidc_client_secret = Some(ClientSecret::new(text.to_owned()));
            }
            Key::OidcRedirectUri => {
                let text = value.text(origin, OIDC_URL_RULE)?;
                self.oidc_redirect_uri =
                    Some(check_oidc_url(text).ok_or_else(|| invalid(origin, OIDC_URL_RULE, value.quoted()))?);
            }
            Key::OidcScopes => {
                let text = value.text(origin, OIDC_SCOPES_RULE)?;
                self.oidc_scopes =
                    parse_oidc_scopes(text).ok_or_else(|| invalid(origin, OIDC_SCOPES_RULE, value.quoted()))?;
            }
            Key::SigningKeyFile => {
                self.signing_key_file = Some(value.path(origin, SIGNING_KEY_FILE_RULE)?);
            }
            Key::SessionKeyFile => {
                self.session_key_file = Some(value.path(origin, SESSION_KEY_FILE_RULE)?);
            }
            Key::LogOrigin => {
                let text = value.text(origin, LOG_ORIGIN_RULE)?;
                if text.is_empty() || text.contains(|c: char| c.is_whitespace() || c == '+') {
                    return Err(invalid(origin, LOG_ORIGIN_RULE, value.quoted()));
                }
                self.log_origin = Some(text.to_owned());
            }
            Key::CheckpointEveryEvents => {
                self.checkpoint_every_events =
                    value.whole_number_in(origin, CHECKPOINT_EVERY_EVENTS_RULE, 1..=10_000_000)?;
            }
            Key::CheckpointEverySeconds => {
                self.checkpoint_every_seconds =
                    value.whole_number_in(origin, CHECKPOINT_EVERY_SECONDS_RULE, 1..=86_400)?;
            }
            Key::WitnessLogs => {
                self.witness_logs =
                    parse_witness_logs(value).ok_or_else(|| invalid(origin, WITNESS_LOGS_RULE, value.quoted()))?;
            }
            Key::AcceptedWitnesses => {
                let entries: Option<Vec<String>> = match value {
                    RawValue::Text(text) => {
                        Some(text.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect())
                    }
                    RawValue::Toml(toml::Value::Array(items)) => {
                        items.iter().map(|i| i.as_str().map(|t| t.trim().to_owned())).collect()
                    }
                    RawValue::Toml(_) => None,
                };
                let entries = entries
                    .filter(|list| {
                        list.iter().all(|k| k.splitn(3, '+').count() == 3 && !k.contains(char::is_whitespace))
                    })
                    .ok_or_else(|| invalid(origin, ACCEPTED_WITNESSES_RULE, value.quoted()))?;
                self.accepted_witnesses = entries;
            }
            Key::WitnessEverySeconds => {
                self.witness_every_seconds = value.whole_number_in(origin, WITNESS_EVERY_SECONDS_RULE, 1..=86_400)?;
            }
        }
        Ok(())
    }
}

const SIGNING_KEY_FILE_RULE: &str = "a non-empty path to an Ed25519 PKCS#8 file";
const SESSION_KEY_FILE_RULE: &str = "a non-empty path to a 32-byte key file";
const LOG_ORIGIN_RULE: &str = "a non-empty name without spaces or '+', e.g. kirjuri.kuopio.fi/log";
const CHECKPOINT_EVERY_EVENTS_RULE: &str = "a whole number of events from 1 to 10000000";
const CHECKPOINT_EVERY_SECONDS_RULE: &str = "a whole number of seconds from 1 to 86400";
const WITNESS_EVERY_SECONDS_RULE: &str = "a whole number of seconds from 1 to 86400";
const ACCEPTED_WITNESSES_RULE: &str =
    "a list of witnesses' verifier keys <name>+<hash>+<key> (comma separated in the environment)";
const WITNESS_LOGS_RULE: &str =
    "a list of \"<base URL> <origin>+<hash>+<key>\" entries (comma separated in the environment)";

/// `"<url> <vkey>"` entries: a TOML array of strings, or one comma-separated string.
fn parse_witness_logs(value: &RawValue<'_>) -> Option<Vec<WitnessedLog>> {
    let entries: Vec<&str> = match value {
        RawValue::Text(text) => text.split(',').map(str::trim).filter(|e| !e.is_empty()).collect(),
        RawValue::Toml(toml::Value::Array(items)) => items.iter().map(toml::Value::as_str).collect::<Option<_>>()?,
        RawValue::Toml(toml::Value::String(text)) => text.split(',').map(str::trim).filter(|e| !e.is_empty()).collect(),
        RawValue::Toml(_) => return None,
    };
    entries
        .into_iter()
        .map(|entry| {
            let (url, vkey) = entry.trim().split_once(char::is_whitespace)?;
            let url = url.trim_end_matches('/');
            if !(url.starts_with("http://") || url.starts_with("https://")) || vkey.trim().splitn(3, '+').count() != 3 {
                return None;
            }
            Some(WitnessedLog { url: url.to_owned(), vkey: vkey.trim().to_owned() })
        })
        .collect()
}

/// The scopes of `text` (space separated), `openid` first; `None` if one is malformed.
fn parse_oidc_scopes(text: &str) -> Option<Vec<String>> {
    let well_formed = |scope: &str| scope.bytes().all(|byte| byte.is_ascii_graphic() && !matches!(byte, b'"' | b'\\'));
    let mut scopes = vec!["openid".to_owned()];
    for scope in text.split_ascii_whitespace() {
        if !well_formed(scope) {
            return None;
        }
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    Some(scopes)
}

/// `text` if it is an https URL with a host, or an http URL on the loopback interface.
fn check_oidc_url(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let allowed = match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => loopback,
        _ => false,
    };
    allowed.then(|| text.to_owned())
}

/// The tid → municipality mapping: a TOML table of strings, or `tid=municipality,…` text.
fn parse_oidc_tenants(value: &RawValue<'_>) -> Option<BTreeMap<Uuid, MunicipalityId>> {
    let pairs: Vec<(&str, &str)> = match value {
        RawValue::Text(text) => text
            .split(',')
            .map(|pair| pair.split_once('=').map(|(tid, municipality)| (tid.trim(), municipality.trim())))
            .collect::<Option<_>>()?,
        RawValue::Toml(toml::Value::Table(table)) => table
            .iter()
            .map(|(tid, municipality)| municipality.as_str().map(|municipality| (tid.as_str(), municipality)))
            .collect::<Option<_>>()?,
        RawValue::Toml(_) => return None,
    };
    let mut tenants = BTreeMap::new();
    for (tid, municipality) in pairs {
        let tid = Uuid::from_str(tid).ok()?;
        let municipality = MunicipalityId(Uuid::from_str(municipality).ok()?);
        if tenants.insert(tid, municipality).is_some() {
            return None;
        }
    }
    (!tenants.is_empty()).then_some(tenants)
}

/// The line (from 1) holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|byte| **byte == b'\n').count() + 1
}

/// The `KIRJURI_*` part of an environment.
struct KirjuriEnv(HashMap<String, OsString>);

impl KirjuriEnv {
    fn collect<I, K, V>(env: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        let variables = env
            .into_iter()
            .filter_map(|(name, value)| {
                let name = name.into().into_string().ok()?;
                name.starts_with("KIRJURI_").then(|| (name, value.into()))
            })
            .collect();
        Self(variables)
    }

    /// The variable's value; `None` if unset.
    fn get(&self, variable: &str) -> Result<Option<&str>, SettingsError> {
        match self.0.get(variable) {
            None => Ok(None),
            Some(value) => {
                value.to_str().map(Some).ok_or_else(|| SettingsError::NotUnicode { variable: variable.to_owned() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
    }

    fn config_file(contents: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("temp file");
        file.write_all(contents.as_bytes()).expect("write temp file");
        file
    }

    fn load_error(config_file: Option<&Path>, pairs: &[(&str, &str)]) -> String {
        match Settings::load(config_file, env(pairs)) {
            Ok(settings) => panic!("expected an error, loaded {settings:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn nothing_configured_gives_the_defaults() {
        let settings = Settings::load(None, no_env()).expect("defaults load");
        assert_eq!(settings.data_dir, PathBuf::from("./kirjuri-data"));
        assert_eq!(settings.store, StoreKind::Sqlite);
        assert_eq!(settings.kurrentdb_url, None);
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.max_event_bytes, 1024 * 1024);
        assert_eq!(settings.log_format, LogFormat::Text);
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let file = config_file(
            r#"
            data_dir = "/srv/kirjuri"
            bind = "0.0.0.0:9000"
            max_event_bytes = 2048
            log_format = "json"
            "#,
        );
        let settings = Settings::load(Some(file.path()), env(&[("KIRJURI_BIND", "127.0.0.1:0")])).expect("loads");
        assert_eq!(settings.data_dir, PathBuf::from("/srv/kirjuri"));
        assert_eq!(settings.bind.to_string(), "127.0.0.1:0");
        assert_eq!(settings.max_event_bytes, 2048);
        assert_eq!(settings.log_format, LogFormat::Json);
        assert_eq!(settings.store, StoreKind::Sqlite);
    }

    #[test]
    fn every_setting_can_come_from_the_environment() {
        let settings = Settings::load(
            None,
            env(&[
                ("KIRJURI_DATA_DIR", "/var/lib/kirjuri"),
                ("KIRJURI_STORE", "kurrentdb"),
                ("KIRJURI_KURRENTDB_URL", "kurrentdb://admin:changeit@localhost:2113?tls=false"),
                ("KIRJURI_BIND", "[::1]:8081"),
                ("KIRJURI_MAX_EVENT_BYTES", "4096"),
                ("KIRJURI_LOG_FORMAT", "json"),
            ]),
        )
        .expect("loads");
        assert_eq!(settings.data_dir, PathBuf::from("/var/lib/kirjuri"));
        assert_eq!(settings.store, StoreKind::KurrentDb);
        assert_eq!(
            settings.kurrentdb_url.as_ref().map(KurrentDbUrl::expose_secret),
            Some("kurrentdb://admin:changeit@localhost:2113?tls=false")
        );
        assert_eq!(settings.bind.to_string(), "[::1]:8081");
        assert_eq!(settings.max_event_bytes, 4096);
        assert_eq!(settings.log_format, LogFormat::Json);
    }

    #[test]
    fn the_config_flag_wins_over_kirjuri_config() {
        let flagged = config_file(r#"data_dir = "from-flag""#);
        let from_env = config_file(r#"data_dir = "from-env""#);
        let env_path = from_env.path().to_str().expect("utf-8 temp path");

        let settings = Settings::load(Some(flagged.path()), env(&[("KIRJURI_CONFIG", env_path)])).expect("loads");
        assert_eq!(settings.data_dir, PathBuf::from("from-flag"));

        let settings = Settings::load(None, env(&[("KIRJURI_CONFIG", env_path)])).expect("loads");
        assert_eq!(settings.data_dir, PathBuf::from("from-env"));
    }

    #[test]
    fn an_empty_kirjuri_config_is_rejected() {
        assert_eq!(
            load_error(None, &[("KIRJURI_CONFIG", "")]),
            r#"KIRJURI_CONFIG must be the path of a TOML config file, got """#
        );
    }

    #[test]
    fn other_environment_variables_are_ignored() {
        let settings = Settings::load(None, env(&[("STORE", "nonsense"), ("KIRJURI_LOG", "debug"), ("PATH", "/bin")]))
            .expect("loads");
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn an_unknown_store_names_the_variable_and_the_rule() {
        assert_eq!(
            load_error(None, &[("KIRJURI_STORE", "x")]),
            r#"KIRJURI_STORE must be sqlite or kurrentdb, got "x""#
        );
    }

    #[test]
    fn an_unknown_store_in_the_file_names_the_key_and_the_file() {
        let file = config_file(r#"store = "postgres""#);
        let message = load_error(Some(file.path()), &[]);
        assert!(message.starts_with("`store` in "), "{message}");
        assert!(message.contains(&file.path().display().to_string()), "{message}");
        assert!(message.ends_with(r#"must be sqlite or kurrentdb, got "postgres""#), "{message}");
    }

    #[test]
    fn kurrentdb_without_a_connection_string_is_rejected() {
        let message = load_error(None, &[("KIRJURI_STORE", "kurrentdb")]);
        assert!(message.contains("KIRJURI_KURRENTDB_URL"), "{message}");
        assert!(message.contains("kurrentdb_url"), "{message}");
    }

    #[test]
    fn a_connection_string_with_another_scheme_is_rejected_without_echoing_the_password() {
        let message = load_error(None, &[("KIRJURI_KURRENTDB_URL", "http://admin:hunter2@localhost:2113")]);
        assert!(message.starts_with("KIRJURI_KURRENTDB_URL must be a connection string"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("admin:***@localhost:2113"), "{message}");
    }

    #[test]
    fn the_verifiable_logs_settings_load_and_bad_ones_name_their_rule() {
        let vkey = "kirjuri.espoo.example/log+1a2b3c4d+AQ+x/0=";
        let settings = Settings::load(
            None,
            env(&[
                ("KIRJURI_CHECKPOINT_EVERY_EVENTS", "250"),
                ("KIRJURI_WITNESS_LOGS", &format!("https://kirjuri.espoo.example/ {vkey}")),
                ("KIRJURI_ACCEPTED_WITNESSES", vkey),
                ("KIRJURI_SIGNING_KEY_FILE", "/run/secrets/signing.pk8"),
            ]),
        )
        .expect("loads");
        assert_eq!(settings.checkpoint_every_events, 250);
        assert_eq!(
            settings.witness_logs,
            [WitnessedLog { url: "https://kirjuri.espoo.example".into(), vkey: vkey.into() }]
        );
        assert_eq!(settings.accepted_witnesses, [vkey]);
        assert_eq!(settings.signing_key_file.as_deref(), Some(Path::new("/run/secrets/signing.pk8")));
        assert_eq!(settings.session_key_path(), settings.keys_dir().join("session.key"));
        for (variable, value, rule) in [
            ("KIRJURI_CHECKPOINT_EVERY_EVENTS", "0", "from 1 to 10000000"),
            ("KIRJURI_CHECKPOINT_EVERY_SECONDS", "a minute", "from 1 to 86400"),
            ("KIRJURI_WITNESS_LOGS", "kirjuri.espoo.example", "<base URL>"),
            ("KIRJURI_LOG_ORIGIN", "two words", "without spaces"),
            ("KIRJURI_SESSION_KEY_FILE", " ", "non-empty path"),
        ] {
            let message = load_error(None, &[(variable, value)]);
            assert!(message.starts_with(variable) && message.contains(rule), "{variable}: {message}");
        }
    }

    #[test]
    fn a_bad_bind_address_is_rejected() {
        assert_eq!(
            load_error(None, &[("KIRJURI_BIND", "localhost")]),
            r#"KIRJURI_BIND must be an IP address and port such as 127.0.0.1:8080 or [::]:8080, got "localhost""#
        );
    }

    #[test]
    fn max_event_bytes_must_be_a_positive_number_within_the_limit() {
        for bad in ["0", "-1", "1MiB", "16777217", ""] {
            let message = load_error(None, &[("KIRJURI_MAX_EVENT_BYTES", bad)]);
            assert_eq!(
                message,
                format!(
                    "KIRJURI_MAX_EVENT_BYTES must be a whole number of bytes from 1 to 16777216 (16 MiB), got {bad:?}"
                )
            );
        }
        let settings =
            Settings::load(None, env(&[("KIRJURI_MAX_EVENT_BYTES", "16777216")])).expect("the limit itself is allowed");
        assert_eq!(settings.max_event_bytes, MAX_EVENT_BYTES_LIMIT);
    }

    #[test]
    fn max_body_bytes_must_be_a_number_from_one_kib_to_sixteen_mib() {
        for bad in ["0", "1023", "-1", "2MiB", "16777217", ""] {
            let message = load_error(None, &[("KIRJURI_MAX_BODY_BYTES", bad)]);
            assert_eq!(
                message,
                format!(
                    "KIRJURI_MAX_BODY_BYTES must be a whole number of bytes from 1024 to 16777216 (16 MiB), got {bad:?}"
                )
            );
        }
        assert_eq!(Settings::load(None, no_env()).expect("defaults").max_body_bytes, 1024 * 1024);
        let file = config_file("max_body_bytes = 4096");
        assert_eq!(Settings::load(Some(file.path()), no_env()).expect("loads").max_body_bytes, 4096);
    }

    #[test]
    fn max_event_bytes_in_the_file_must_be_an_integer() {
        let file = config_file(r#"max_event_bytes = "big""#);
        let message = load_error(Some(file.path()), &[]);
        assert!(message.starts_with("`max_event_bytes` in "), "{message}");
        assert!(
            message.ends_with(r#"must be a whole number of bytes from 1 to 16777216 (16 MiB), got "big""#),
            "{message}"
        );
    }

    #[test]
    fn an_unknown_log_format_is_rejected() {
        assert_eq!(
            load_error(None, &[("KIRJURI_LOG_FORMAT", "xml")]),
            r#"KIRJURI_LOG_FORMAT must be text or json, got "xml""#
        );
    }

    #[test]
    fn the_search_analysis_is_a_setting_checked_like_the_others() {
        assert_eq!(Settings::load(None, no_env()).expect("loads").search_analysis(), AnalysisSettings::default());
        let off = Settings::load(
            None,
            env(&[("KIRJURI_SEARCH_VOIKKO", "off"), ("KIRJURI_SEARCH_VOIKKO_PATH", "/opt/voikko")]),
        )
        .expect("loads");
        assert_eq!(
            off.search_analysis(),
            AnalysisSettings { voikko: VoikkoMode::Off, dictionary_path: Some(PathBuf::from("/opt/voikko")) }
        );
        assert_eq!(
            load_error(None, &[("KIRJURI_SEARCH_VOIKKO", "0")]),
            r#"KIRJURI_SEARCH_VOIKKO must be auto (Voikko when installed, else Snowball) or off (Snowball only), got "0""#
        );
        assert_eq!(
            load_error(None, &[("KIRJURI_SEARCH_VOIKKO_PATH", " ")]),
            r#"KIRJURI_SEARCH_VOIKKO_PATH must be a non-empty directory path, got " ""#
        );
    }

    #[test]
    fn an_empty_data_dir_is_rejected() {
        assert_eq!(
            load_error(None, &[("KIRJURI_DATA_DIR", "")]),
            r#"KIRJURI_DATA_DIR must be a non-empty directory path, got """#
        );
    }

    #[test]
    fn a_value_of_the_wrong_toml_type_is_rejected() {
        let file = config_file("bind = 8080");
        let message = load_error(Some(file.path()), &[]);
        assert!(message.starts_with("`bind` in "), "{message}");
        assert!(message.ends_with("got 8080"), "{message}");
    }

    #[test]
    fn an_unknown_key_in_the_file_is_rejected_and_the_known_keys_listed() {
        let file = config_file("data_dir = \"x\"\ncolour = \"blue\"\n");
        let message = load_error(Some(file.path()), &[]);
        assert!(message.starts_with("unknown key `colour` in the config file"), "{message}");
        assert!(
            message.ends_with(
                "data_dir, store, kurrentdb_url, bind, max_event_bytes, max_body_bytes, max_connections, header_timeout_seconds, log_format, search_voikko, search_voikko_path, oidc_issuer, oidc_audience, \
                 oidc_jwks_url, oidc_tenants, oidc_jwks_min_refetch_seconds, oidc_client_id, oidc_client_secret, \
                 oidc_redirect_uri, oidc_scopes, signing_key_file, session_key_file, log_origin, checkpoint_every_events, \
                 checkpoint_every_seconds, witness_logs, witness_every_seconds, accepted_witnesses"
            ),
            "{message}"
        );
    }

    #[test]
    fn an_unknown_table_in_the_file_is_rejected() {
        let file = config_file("[server]\nbind = \"127.0.0.1:1\"\n");
        let message = load_error(Some(file.path()), &[]);
        assert!(message.starts_with("unknown key `[server]` in the config file"), "{message}");
    }

    #[test]
    fn invalid_toml_reports_the_line() {
        let file = config_file("data_dir = \"x\"\nstore = \n");
        let message = load_error(Some(file.path()), &[]);
        assert!(message.contains("is not valid TOML (line 2)"), "{message}");
    }

    #[test]
    fn a_missing_config_file_is_an_error_naming_the_file() {
        let error = Settings::load(Some(Path::new("/nonexistent/kirjuri.toml")), no_env()).expect_err("missing file");
        assert!(matches!(error, SettingsError::ReadFile { .. }));
        assert_eq!(error.to_string(), "cannot read the config file /nonexistent/kirjuri.toml");
    }

    #[cfg(unix)]
    #[test]
    fn a_setting_that_is_not_utf8_is_rejected() {
        use std::os::unix::ffi::OsStringExt as _;
        let pairs = vec![(OsString::from("KIRJURI_DATA_DIR"), OsString::from_vec(vec![0x66, 0xff]))];
        let error = Settings::load(None, pairs).expect_err("not utf-8");
        assert_eq!(error.to_string(), "KIRJURI_DATA_DIR must be valid UTF-8");
    }

    #[test]
    fn debug_output_hides_the_kurrentdb_password() {
        let settings = Settings::load(
            None,
            env(&[
                ("KIRJURI_STORE", "kurrentdb"),
                ("KIRJURI_KURRENTDB_URL", "esdb://admin:s3cr@t/pw@node1:2113,node2:2113?tls=true"),
            ]),
        )
        .expect("loads");
        let debug = format!("{settings:?}");
        assert!(!debug.contains("s3cr"), "{debug}");
        assert!(debug.contains("esdb://admin:***@node1:2113,node2:2113?tls=true"), "{debug}");
    }

    #[test]
    fn the_sample_config_file_is_valid_documents_every_key_and_holds_the_defaults() {
        let sample = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ops/kirjuri.sample.toml"));
        let settings = Settings::load(Some(sample), no_env()).expect("the sample loads");
        assert_eq!(settings, Settings::default());
        let text = std::fs::read_to_string(sample).expect("the sample reads");
        for key in Key::ALL {
            assert!(text.contains(&format!("{} = ", key.file_key())), "{} is not documented", key.file_key());
            assert!(text.contains(key.env_var()), "{} is not documented", key.env_var());
        }
    }

    const TID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
    const MUNICIPALITY: &str = "0193a0b4-7c1e-7000-8000-000000000297";

    #[test]
    fn oidc_is_off_by_default() {
        assert_eq!(Settings::default().oidc(), None);
    }

    #[test]
    fn oidc_settings_come_from_the_environment() {
        let tenants = format!("{TID}={MUNICIPALITY}");
        let settings = Settings::load(
            None,
            env(&[
                ("KIRJURI_OIDC_ISSUER", "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"),
                ("KIRJURI_OIDC_AUDIENCE", "api://kirjuri"),
                ("KIRJURI_OIDC_JWKS_URL", "https://login.microsoftonline.com/common/discovery/v2.0/keys"),
                ("KIRJURI_OIDC_TENANTS", &tenants),
                ("KIRJURI_OIDC_JWKS_MIN_REFETCH_SECONDS", "30"),
            ]),
        )
        .expect("loads");
        let oidc = settings.oidc().expect("OIDC is configured");
        assert_eq!(oidc.audience, "api://kirjuri");
        assert_eq!(oidc.jwks_min_refetch, Duration::from_secs(30));
        let tid = Uuid::parse_str(TID).expect("uuid");
        assert_eq!(oidc.tenants.get(&tid), Some(&MunicipalityId(Uuid::parse_str(MUNICIPALITY).expect("uuid"))));
    }

    #[test]
    fn oidc_tenants_in_the_file_are_a_table() {
        let file = config_file(&format!(
            "oidc_issuer = \"https://issuer.example/v2.0\"\noidc_audience = \"api://kirjuri\"\n\
             oidc_jwks_url = \"http://127.0.0.1:9999/keys\"\n[oidc_tenants]\n\"{TID}\" = \"{MUNICIPALITY}\"\n"
        ));
        let settings = Settings::load(Some(file.path()), no_env()).expect("loads");
        assert_eq!(settings.oidc().map(|oidc| oidc.tenants.len()), Some(1));
    }

    #[test]
    fn half_an_oidc_configuration_is_rejected_naming_what_is_missing() {
        let message = load_error(None, &[("KIRJURI_OIDC_ISSUER", "https://issuer.example/v2.0")]);
        assert_eq!(
            message,
            "OIDC is only partly configured: also set oidc_audience (KIRJURI_OIDC_AUDIENCE), oidc_jwks_url \
             (KIRJURI_OIDC_JWKS_URL), oidc_tenants (KIRJURI_OIDC_TENANTS), or none of the oidc_* settings"
        );
    }

    #[test]
    fn an_oidc_url_must_be_https_except_on_loopback() {
        for bad in ["http://issuer.example/v2.0", "ftp://x", "not a url"] {
            let message = load_error(None, &[("KIRJURI_OIDC_JWKS_URL", bad)]);
            assert!(message.starts_with("KIRJURI_OIDC_JWKS_URL must be an https:// URL"), "{message}");
        }
        for good in ["https://issuer.example/keys", "http://localhost:8080/keys", "http://[::1]:1/k"] {
            let settings = Settings::load(None, env(&[("KIRJURI_OIDC_JWKS_URL", good)]));
            assert!(!matches!(settings, Err(SettingsError::Invalid { .. })), "{good} should be accepted: {settings:?}");
        }
    }

    #[test]
    fn oidc_tenants_must_map_uuids_to_uuids() {
        for bad in ["", "kuopio", &format!("{TID}=kuopio"), &format!("{TID}={MUNICIPALITY},{TID}={MUNICIPALITY}")] {
            let message = load_error(None, &[("KIRJURI_OIDC_TENANTS", bad)]);
            assert!(message.starts_with("KIRJURI_OIDC_TENANTS must be a non-empty mapping of tenant ids"), "{message}");
        }
    }

    #[test]
    fn the_jwks_refetch_interval_is_bounded() {
        let message = load_error(None, &[("KIRJURI_OIDC_JWKS_MIN_REFETCH_SECONDS", "3601")]);
        assert_eq!(
            message,
            r#"KIRJURI_OIDC_JWKS_MIN_REFETCH_SECONDS must be a whole number of seconds from 0 to 3600, got "3601""#
        );
    }

    #[test]
    fn a_connection_string_without_a_password_is_shown_whole() {
        let url = KurrentDbUrl::parse("kurrentdb://localhost:2113?tls=false").expect("valid");
        assert_eq!(url.redacted(), "kurrentdb://localhost:2113?tls=false");
    }
}

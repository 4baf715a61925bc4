//! Who is calling: roles, the [`Principal`] every authenticated request carries, and the
//! [`Authenticator`] that turns a bearer token into one.
//!
//! Two kinds of bearer token are accepted:
//! - local API tokens ([`tokens`]), made by `kirjuri token create`, recorded hashed as events
//!   in the event store, found in an in-memory table that follows the store ([`directory`]),
//!   so every instance knows every token and a revocation anywhere takes effect within the
//!   bound stated there;
//! - OIDC access tokens ([`oidc`]), e.g. from Microsoft Entra ID, when `oidc_*` settings are
//!   given: RS256 only, checked against the issuer's JWKS, the tenant mapped to a municipality.
//!
//! Local user accounts ([`users`]) sign people in to the web UI with a username and password
//! ([`users::UserDirectory::sign_in`]); they are events too. With OIDC configured and a client
//! id and redirect URI set, people may also sign in to the web UI through the issuer
//! ([`oidc_client`], the authorization code flow with PKCE).
//!
//! No HTTP here: the API's edge only reads the `Authorization` header and maps [`AuthError`] to
//! a problem response; everything about tokens lives here.

pub mod access;
pub mod config;
pub mod directory;
pub mod legacy;
pub mod oidc;
pub mod oidc_client;
pub mod tokens;
pub mod users;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use anyhow::Context as _;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::EventStore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use config::AuthConfig;
use directory::TokenDirectory;
use oidc::OidcVerifier;
use oidc_client::OidcClient;
use tokens::{ApiTokenSecret, TokenLookup};
use users::UserDirectory;

/// What a principal may do in kirjuri; granted per token (local) or by app role (OIDC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Municipal staff: reads lessons and practices, records their own work.
    Staff,
    /// A coach: records coaching engagements and notes.
    Coach,
    /// Runs experiments: designs them, records measurements and outcomes.
    ExperimentLead,
    /// Sits on a decision-making body: proposes and decides best practices.
    DecisionMaker,
    /// Reads everything, including the audit trail; changes nothing.
    Auditor,
    /// Manages tokens, roles and configuration.
    Admin,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Self; 6] =
        [Self::Staff, Self::Coach, Self::ExperimentLead, Self::DecisionMaker, Self::Auditor, Self::Admin];

    /// The role's stable name, as written in tokens, the `roles` claim and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Coach => "coach",
            Self::ExperimentLead => "experiment_lead",
            Self::DecisionMaker => "decision_maker",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    /// The role named exactly `name`.
    pub fn parse(name: &str) -> Result<Self, UnknownRole> {
        Self::ALL.into_iter().find(|role| role.as_str() == name).ok_or_else(|| UnknownRole(name.to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role; the roles are {roles}", roles = Role::ALL.map(Role::as_str).join(", "))]
pub struct UnknownRole(pub String);

/// How a principal proved who it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthMethod {
    /// A local API token.
    ApiToken {
        /// The token's id (never its secret).
        token_id: Uuid,
    },
    /// A local user's username and password (`kirjuri user create`), for the web UI.
    Password {
        /// The user's id (never the password or its hash).
        user_id: Uuid,
    },
    /// An access token from the configured OIDC issuer.
    Oidc {
        /// The issuer's tenant id (`tid`).
        tenant_id: Uuid,
    },
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Principal {
    /// Stable id of the caller: `token:<id>` for API tokens, `user:<id>` for local users, the
    /// `oid` (else `sub`) claim for OIDC.
    pub subject: String,
    /// The pseudonymous person reference (as in coaching records, e.g. `hlo-7f3a2c`) this caller
    /// is: what decides whether a coaching note's personal text is theirs to read. The token's
    /// `person` for API tokens, else the subject.
    pub person: String,
    /// A name to show people, when known.
    pub display_name: Option<String>,
    /// The municipality (tenant) the caller acts for.
    #[schema(value_type = uuid::Uuid)]
    pub municipality: MunicipalityId,
    /// What the caller may do; never empty.
    pub roles: BTreeSet<Role>,
    /// How the caller authenticated.
    pub authenticated_by: AuthMethod,
}

impl Principal {
    /// Whether the caller holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// `Ok` if the caller holds `role`, else [`AuthError::MissingRole`].
    pub fn require_role(&self, role: Role) -> Result<(), AuthError> {
        if self.has_role(role) { Ok(()) } else { Err(AuthError::MissingRole(role)) }
    }
}

/// A boxed internal cause.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a request is not authenticated (or not allowed); each says what is wrong without internals.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("this endpoint needs an `Authorization: Bearer <token>` header")]
    MissingCredentials,
    /// An `Authorization` header that is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    MalformedHeader,
    /// A bearer token that is neither a kirjuri API token nor (with OIDC configured) a JWT.
    #[error("{0}")]
    MalformedToken(&'static str),
    /// A well-formed API token that kirjuri never issued (or whose record was deleted).
    #[error("the API token is not known")]
    UnknownToken,
    /// An API token that was revoked.
    #[error("the API token has been revoked")]
    RevokedToken,
    /// A token past its expiry.
    #[error("the token has expired")]
    ExpiredToken,
    /// A JWT that fails validation; says which rule it breaks.
    #[error("{detail}")]
    InvalidJwt {
        /// What is wrong, for the client.
        detail: &'static str,
        /// The validator's own error, for the log.
        #[source]
        cause: Option<BoxError>,
    },
    /// A valid token that grants none of kirjuri's roles.
    #[error("the token grants none of kirjuri's roles ({roles})", roles = Role::ALL.map(Role::as_str).join(", "))]
    NoRole,
    /// The caller lacks a role the action needs.
    #[error("this needs the `{0}` role")]
    MissingRole(Role),
    /// The event store holding the API tokens cannot be read, so an unknown token cannot be checked now.
    #[error("the API tokens cannot be read now; try again shortly")]
    TokensUnavailable(#[source] BoxError),
    /// The issuer's signing keys cannot be fetched, so the token cannot be checked now.
    #[error("the identity provider's signing keys cannot be fetched; try again shortly")]
    KeysUnavailable(#[source] BoxError),
    /// A fault of the server (e.g. the token database failed).
    #[error("authentication failed inside the server")]
    Internal(#[source] BoxError),
}

impl AuthError {
    fn invalid_jwt(detail: &'static str) -> Self {
        Self::InvalidJwt { detail, cause: None }
    }
}

/// Turns a bearer token into a [`Principal`]: local API tokens always, OIDC tokens when configured.
pub struct Authenticator {
    tokens: TokenDirectory,
    users: UserDirectory,
    oidc: Option<OidcVerifier>,
    oidc_client: Option<OidcClient>,
}

impl Authenticator {
    /// Imports a legacy `api.sqlite` into `store` if one is there, loads the API tokens and
    /// user accounts of `store` and follows it, and sets up the OIDC verifier (and the web UI's
    /// OIDC client) if `config` asks.
    pub async fn open(config: &AuthConfig, store: Arc<dyn EventStore>) -> anyhow::Result<Self> {
        import_legacy_tokens(&config.legacy_api_tokens, &*store).await?;
        let oidc = match &config.oidc {
            Some(oidc_settings) => Some(OidcVerifier::new(oidc_settings.clone()).context("setting up OIDC")?),
            None => None,
        };
        let oidc_client = match (&config.oidc, &config.oidc_sign_in) {
            (Some(oidc_settings), Some(sign_in)) => {
                Some(OidcClient::new(&oidc_settings.issuer, sign_in.clone()).context("setting up the OIDC sign-in")?)
            }
            _ => None,
        };
        Ok(Self {
            tokens: TokenDirectory::start(Arc::clone(&store)).await,
            users: UserDirectory::start(store).await,
            oidc,
            oidc_client,
        })
    }

    /// The local user accounts (for the web UI's password sign-in and its sessions).
    pub fn users(&self) -> &UserDirectory {
        &self.users
    }

    /// The OIDC verifier, when OIDC is configured.
    pub fn oidc(&self) -> Option<&OidcVerifier> {
        self.oidc.as_ref()
    }

    /// The web UI's OIDC client, when OIDC sign-in is configured.
    pub fn oidc_client(&self) -> Option<&OidcClient> {
        self.oidc_client.as_ref()
    }

    /// Authenticates the credentials of an `Authorization` header (`None` when there is none).
    pub async fn authenticate_header(&self, header: Option<&str>) -> Result<Principal, AuthError> {
        let header = header.ok_or(AuthError::MissingCredentials)?;
        let token = bearer_token(header).ok_or(AuthError::MalformedHeader)?;
        self.authenticate_bearer(token).await
    }

    /// Authenticates one bearer token.
    pub async fn authenticate_bearer(&self, token: &str) -> Result<Principal, AuthError> {
        if token.starts_with(tokens::TOKEN_PREFIX) {
            return self.authenticate_api_token(token).await;
        }
        match &self.oidc {
            Some(verifier) if looks_like_jwt(token) => verifier.verify(token).await,
            Some(_) => Err(AuthError::MalformedToken("the bearer token is neither a kirjuri API token nor a JWT")),
            None => Err(AuthError::MalformedToken("the bearer token is not a kirjuri API token")),
        }
    }

    /// Authenticates the local API token with `token_id` (a web session signed in with it):
    /// checked in the directory on every request, so revoking the token ends the session.
    pub async fn authenticate_token_id(&self, token_id: Uuid) -> Result<Principal, AuthError> {
        let lookup = self
            .tokens
            .lookup_id(token_id, chrono::Utc::now())
            .await
            .map_err(|error| AuthError::TokensUnavailable(Box::new(error)))?;
        match lookup {
            TokenLookup::Valid(record) => Ok(record.principal()),
            TokenLookup::Unknown => Err(AuthError::UnknownToken),
            TokenLookup::Revoked => Err(AuthError::RevokedToken),
            TokenLookup::Expired => Err(AuthError::ExpiredToken),
        }
    }

    async fn authenticate_api_token(&self, token: &str) -> Result<Principal, AuthError> {
        let secret = ApiTokenSecret::parse(token)
            .ok_or(AuthError::MalformedToken("the API token is malformed (wrong length or checksum)"))?;
        let lookup = self
            .tokens
            .lookup(&secret.hash(), chrono::Utc::now())
            .await
            .map_err(|error| AuthError::TokensUnavailable(Box::new(error)))?;
        match lookup {
            TokenLookup::Valid(record) => Ok(record.principal()),
            TokenLookup::Unknown => Err(AuthError::UnknownToken),
            TokenLookup::Revoked => Err(AuthError::RevokedToken),
            TokenLookup::Expired => Err(AuthError::ExpiredToken),
        }
    }
}

/// Imports `path`, an `api.sqlite` (tokens of kirjuri before they were events), into `store`
/// if it is there; a token whose name is taken is named in a warning and the file kept.
pub async fn import_legacy_tokens(path: &std::path::Path, store: &dyn EventStore) -> anyhow::Result<()> {
    let report =
        legacy::import(store, path).await.with_context(|| format!("importing the API tokens of {}", path.display()))?;
    if let Some(renamed) = &report.renamed_to {
        tracing::info!(tokens = report.imported, from = %path.display(), kept_as = %renamed.display(), "API tokens imported into the event store");
    }
    if !report.name_taken.is_empty() {
        tracing::warn!(names = ?report.name_taken, file = %path.display(), "API tokens not imported: another token has their name; the file is kept");
    }
    Ok(())
}

/// The token of `Bearer <token>` (scheme case-insensitive, RFC 7235), if the header has that shape.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim_matches(' ');
    let token_is_one_word = !token.is_empty() && !token.contains(char::is_whitespace);
    (scheme.eq_ignore_ascii_case("bearer") && token_is_one_word).then_some(token)
}

/// Three non-empty base64url segments separated by dots: the JWS compact serialisation.
fn looks_like_jwt(token: &str) -> bool {
    let segments: Vec<&str> = token.split('.').collect();
    segments.len() == 3
        && segments.iter().take(2).all(|segment| !segment.is_empty())
        && segments
            .iter()
            .all(|segment| segment.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_rejected_and_the_roles_listed() {
        let error = Role::parse("Admin").expect_err("names are case-sensitive");
        assert_eq!(
            error.to_string(),
            "`Admin` is not a role; the roles are staff, coach, experiment_lead, decision_maker, auditor, admin"
        );
    }

    #[test]
    fn a_bearer_header_yields_its_token_and_other_schemes_do_not() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer a b"), None);
    }

    #[test]
    fn only_three_base64url_segments_look_like_a_jwt() {
        assert!(looks_like_jwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
        assert!(looks_like_jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt("a.b+/.c"));
        assert!(!looks_like_jwt("..c"));
    }

    #[test]
    fn a_principal_without_a_role_is_refused_it() {
        let principal = Principal {
            subject: "token:x".to_owned(),
            person: "token:x".to_owned(),
            display_name: None,
            municipality: MunicipalityId(Uuid::nil()),
            roles: BTreeSet::from([Role::Auditor]),
            authenticated_by: AuthMethod::ApiToken { token_id: Uuid::nil() },
        };
        assert!(principal.require_role(Role::Auditor).is_ok());
        assert!(matches!(principal.require_role(Role::Admin), Err(AuthError::MissingRole(Role::Admin))));
    }
}

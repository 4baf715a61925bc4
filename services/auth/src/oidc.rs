//! OIDC bearer tokens (e.g. Microsoft Entra ID access tokens), verified against the issuer's JWKS.
//!
//! Rules: the header must say `RS256` (nothing else, so `none` and HS256-with-the-public-key
//! confusions fail before any key is touched) and name a `kid`; the signature must verify with
//! that key of the JWKS; `iss` must equal the configured issuer, `aud` the configured audience;
//! `exp` must be in the future and `nbf` (if present) in the past, with [`LEEWAY`] for clock
//! skew. The tenant (`tid`) must be one the settings map to a municipality; the app roles in
//! `roles` become [`Role`]s (names kirjuri does not know are ignored).
//!
//! Keys: fetched on first use and cached; a token naming a `kid` the cache lacks (key
//! rollover) triggers one refetch, at most once per `jwks_min_refetch`, so a flood of tokens
//! with made-up key ids cannot make kirjuri hammer the identity provider. A cache older than
//! [`KEYS_MAX_AGE`] is refreshed on the next request; if that fails the old keys stay in use.

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr as _;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tracing::{debug, info, warn};
use uuid::Uuid;

use super::{AuthError, AuthMethod, Principal, Role};
use crate::config::OidcSettings;

/// Clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY: Duration = Duration::from_secs(60);

/// How long fetched keys are trusted before they are fetched again.
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The largest JWKS document read.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// How long one JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The signing keys last fetched, by key id.
#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
}

impl KeyCache {
    fn is_fresh(&self) -> bool {
        self.fetched_at.is_some_and(|fetched_at| fetched_at.elapsed() < KEYS_MAX_AGE)
    }
}

/// Verifies access tokens of one issuer and maps them to [`Principal`]s.
pub struct OidcVerifier {
    settings: OidcSettings,
    validation: Validation,
    client: reqwest::Client,
    cache: RwLock<Arc<KeyCache>>,
    /// Held while fetching, so concurrent requests wait for one fetch; holds the last attempt.
    last_fetch_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for OidcVerifier {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("OidcVerifier").field("settings", &self.settings).finish_non_exhaustive()
    }
}

/// What an OIDC token said about the person: enough to rebuild the [`Principal`] (a web
/// session keeps it in its cookie; the tenant is mapped to a municipality again each time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcIdentity {
    /// `oid`, else `sub`.
    #[serde(rename = "s")]
    pub subject: String,
    /// `name`, else `preferred_username`.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The tenant (`tid`).
    #[serde(rename = "t")]
    pub tenant_id: Uuid,
    /// The roles kirjuri knows among the token's `roles`; never empty.
    #[serde(rename = "r")]
    pub roles: BTreeSet<Role>,
}

/// The claims kirjuri reads; `exp`, `iss`, `aud` and `nbf` are checked by [`Validation`].
#[derive(Debug, Deserialize)]
struct Claims {
    sub: Option<String>,
    oid: Option<String>,
    tid: Option<String>,
    name: Option<String>,
    preferred_username: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    /// An ID token's nonce (the sign-in flow's check against replay).
    nonce: Option<String>,
    /// When the token expires (unix seconds).
    exp: Option<i64>,
}

/// One key of a JWKS; only RSA signing keys are used.
#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

impl OidcVerifier {
    /// A verifier for `settings`; fetches nothing until the first token arrives.
    pub fn new(settings: OidcSettings) -> anyhow::Result<Self> {
        // Both return Err only if a provider is installed already, which is as good.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.algorithms = vec![Algorithm::RS256];
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY.as_secs();
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()?;
        Ok(Self {
            settings,
            validation,
            client,
            cache: RwLock::new(Arc::new(KeyCache::default())),
            last_fetch_attempt: tokio::sync::Mutex::new(None),
        })
    }

    /// Verifies `token` and returns the caller it names.
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let claims = self.decode(token, &self.validation).await?;
        self.principal(claims)
    }

    /// The claims of `token` if its signature verifies with a key of the JWKS and `validation` holds.
    async fn decode(&self, token: &str, validation: &Validation) -> Result<Claims, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|error| AuthError::InvalidJwt {
            detail: "the bearer token is not a well-formed JWT signed with RS256",
            cause: Some(Box::new(error)),
        })?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::invalid_jwt("the token must be signed with RS256"));
        }
        let kid = header.kid.ok_or_else(|| AuthError::invalid_jwt("the token's header names no signing key (kid)"))?;
        let key = self
            .key(&kid)
            .await?
            .ok_or_else(|| AuthError::invalid_jwt("the token is signed with a key the issuer does not publish"))?;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, validation)
            .map_err(|error| {
                let detail = match error.kind() {
                    ErrorKind::ExpiredSignature => return AuthError::ExpiredToken,
                    ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
                    ErrorKind::InvalidIssuer => "the token was issued by another issuer",
                    ErrorKind::InvalidAudience => "the token is meant for another audience",
                    ErrorKind::InvalidSignature => "the token's signature does not verify",
                    ErrorKind::InvalidAlgorithm => "the token must be signed with RS256",
                    ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim (exp, iss or aud)",
                    _ => "the token is not a valid JWT",
                };
                AuthError::InvalidJwt { detail, cause: Some(Box::new(error)) }
            })?
            .claims;
        Ok(claims)
    }

    fn principal(&self, claims: Claims) -> Result<Principal, AuthError> {
        self.principal_of(&identity(claims)?)
    }

    /// The caller `identity` is: its tenant mapped to a municipality by the settings (a tenant
    /// no longer admitted is refused).
    pub fn principal_of(&self, identity: &OidcIdentity) -> Result<Principal, AuthError> {
        let municipality = *self
            .settings
            .tenants
            .get(&identity.tenant_id)
            .ok_or_else(|| AuthError::invalid_jwt("the token's tenant (tid) is not admitted to kirjuri"))?;
        if identity.roles.is_empty() {
            return Err(AuthError::NoRole);
        }
        Ok(Principal {
            person: identity.subject.clone(),
            subject: identity.subject.clone(),
            display_name: identity.display_name.clone(),
            municipality,
            roles: identity.roles.clone(),
            authenticated_by: AuthMethod::Oidc { tenant_id: identity.tenant_id },
        })
    }

    /// Verifies an ID token of the sign-in flow: RS256 under a key of the JWKS, `iss` the
    /// issuer, `aud` the web client's id, not expired, its `nonce` the one the flow sent, its
    /// tenant admitted. Returns who it names and when it expires.
    pub async fn verify_id_token(
        &self,
        token: &str,
        client_id: &str,
        nonce: &str,
    ) -> Result<(OidcIdentity, chrono::DateTime<chrono::Utc>), AuthError> {
        let mut validation = self.validation.clone();
        validation.set_audience(&[client_id]);
        let claims = self.decode(token, &validation).await?;
        let sent_nonce_matches = claims.nonce.as_deref().is_some_and(|claimed| {
            aws_lc_rs::constant_time::verify_slices_are_equal(claimed.as_bytes(), nonce.as_bytes()).is_ok()
        });
        if !sent_nonce_matches {
            return Err(AuthError::invalid_jwt("the ID token's nonce is not the one this sign-in sent"));
        }
        let expires_at = claims
            .exp
            .and_then(|exp| chrono::DateTime::from_timestamp(exp, 0))
            .ok_or_else(|| AuthError::invalid_jwt("the token lacks a required claim (exp, iss or aud)"))?;
        let identity = identity(claims)?;
        self.principal_of(&identity)?;
        Ok((identity, expires_at))
    }

    fn cached(&self) -> Arc<KeyCache> {
        Arc::clone(&self.cache.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// The key named `kid`, refetching the JWKS if it is unknown (rate-limited) or the cache is old.
    async fn key(&self, kid: &str) -> Result<Option<Arc<DecodingKey>>, AuthError> {
        let cache = self.cached();
        if cache.is_fresh()
            && let Some(key) = cache.keys.get(kid)
        {
            return Ok(Some(Arc::clone(key)));
        }
        let mut last_fetch_attempt = self.last_fetch_attempt.lock().await;
        // Another request may have fetched while this one waited for the lock.
        let cache = self.cached();
        if cache.is_fresh()
            && let Some(key) = cache.keys.get(kid)
        {
            return Ok(Some(Arc::clone(key)));
        }
        let too_soon = last_fetch_attempt.is_some_and(|at| at.elapsed() < self.settings.jwks_min_refetch);
        if too_soon {
            debug!(kid, "signing key not held; the keys were fetched too recently to fetch again");
            if cache.fetched_at.is_none() {
                return Err(AuthError::KeysUnavailable("the last attempt to fetch the keys failed".into()));
            }
            return Ok(cache.keys.get(kid).cloned());
        }
        *last_fetch_attempt = Some(Instant::now());
        match self.fetch_keys().await {
            Ok(keys) => {
                info!(url = %self.settings.jwks_url, keys = keys.len(), "OIDC signing keys fetched");
                let key = keys.get(kid).cloned();
                let fresh = Arc::new(KeyCache { keys, fetched_at: Some(Instant::now()) });
                *self.cache.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
                Ok(key)
            }
            Err(error) if cache.fetched_at.is_some() => {
                warn!(url = %self.settings.jwks_url, error = %error, "cannot refresh the OIDC signing keys, keeping the ones held");
                Ok(cache.keys.get(kid).cloned())
            }
            Err(error) => Err(AuthError::KeysUnavailable(error.into())),
        }
    }

    async fn fetch_keys(&self) -> anyhow::Result<HashMap<String, Arc<DecodingKey>>> {
        let response = self.client.get(&self.settings.jwks_url).send().await?.error_for_status()?;
        if response.content_length().is_some_and(|length| length > MAX_JWKS_BYTES as u64) {
            anyhow::bail!("the JWKS is larger than {MAX_JWKS_BYTES} bytes");
        }
        let body = response.bytes().await?;
        anyhow::ensure!(body.len() <= MAX_JWKS_BYTES, "the JWKS is larger than {MAX_JWKS_BYTES} bytes");
        let set: JwkSet = serde_json::from_slice(&body)?;
        let mut keys = HashMap::new();
        for jwk in set.keys {
            let usable = jwk.kty == "RSA"
                && jwk.key_use.as_deref().is_none_or(|key_use| key_use == "sig")
                && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256");
            let (true, Some(kid), Some(n), Some(e)) = (usable, jwk.kid, jwk.n, jwk.e) else {
                continue;
            };
            match DecodingKey::from_rsa_components(&n, &e) {
                Ok(key) => {
                    keys.insert(kid, Arc::new(key));
                }
                Err(error) => warn!(kid, error = %error, "skipping a JWKS key that does not decode"),
            }
        }
        Ok(keys)
    }
}

/// Who `claims` name: the subject (`oid`, else `sub`), the tenant and the roles kirjuri knows.
fn identity(claims: Claims) -> Result<OidcIdentity, AuthError> {
    let tid = claims.tid.ok_or_else(|| AuthError::invalid_jwt("the token names no tenant (tid)"))?;
    let tenant_id = Uuid::from_str(&tid)
        .map_err(|_| AuthError::invalid_jwt("the token's tenant (tid) is not admitted to kirjuri"))?;
    let subject = claims
        .oid
        .or(claims.sub)
        .filter(|subject| !subject.is_empty())
        .ok_or_else(|| AuthError::invalid_jwt("the token names no subject (oid or sub)"))?;
    let mut roles = BTreeSet::new();
    for name in &claims.roles {
        match Role::parse(name) {
            Ok(role) => {
                roles.insert(role);
            }
            Err(_) => debug!(role = %name, "ignoring a role kirjuri does not know"),
        }
    }
    if roles.is_empty() {
        return Err(AuthError::NoRole);
    }
    Ok(OidcIdentity { subject, display_name: claims.name.or(claims.preferred_username), tenant_id, roles })
}

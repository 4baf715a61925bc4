//! What authentication is configured with: the OIDC issuer and the web UI's OIDC client. The
//! server's settings read and check these values and hand them over in an [`AuthConfig`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use kirjuri_events::domain::MunicipalityId;
use uuid::Uuid;

/// Everything [`crate::Authenticator::open`] needs from the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Where kirjuri kept local API tokens before they became events (imported once at start).
    pub legacy_api_tokens: PathBuf,
    /// The OIDC issuer accepted for bearer tokens, if configured.
    pub oidc: Option<OidcSettings>,
    /// The web UI's OIDC sign-in, if configured.
    pub oidc_sign_in: Option<OidcSignInSettings>,
}

/// An OIDC client secret; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// `secret` as a client secret.
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    /// The secret itself: send it to the token endpoint, never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ClientSecret(***)")
    }
}

/// What the web UI's OIDC sign-in (authorization code with PKCE) needs beside [`OidcSettings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSignInSettings {
    /// The client id (the ID token's `aud`).
    pub client_id: String,
    /// The client secret, if the client is confidential.
    pub client_secret: Option<ClientSecret>,
    /// The redirect URI registered at the issuer.
    pub redirect_uri: String,
    /// The scopes asked for, `openid` first.
    pub scopes: Vec<String>,
}

/// Everything needed to accept OIDC access tokens; present when all `oidc_*` settings are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// The exact `iss` accepted.
    pub issuer: String,
    /// The `aud` accepted.
    pub audience: String,
    /// The JWKS URL.
    pub jwks_url: String,
    /// Admitted tenant ids and their municipalities.
    pub tenants: BTreeMap<Uuid, MunicipalityId>,
    /// The shortest time between two JWKS fetches caused by unknown key ids.
    pub jwks_min_refetch: Duration,
}

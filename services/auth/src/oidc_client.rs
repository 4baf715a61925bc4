//! The web UI's side of OIDC sign-in: the authorization code flow with PKCE (RFC 7636, S256)
//! against the issuer the `oidc_*` settings name.
//!
//! The issuer's `authorization_endpoint` and `token_endpoint` are discovered from
//! `<issuer>/.well-known/openid-configuration` on first use (and kept once fetched; a failed
//! fetch is tried again on the next sign-in). The discovery document must name the configured
//! issuer exactly. The code is exchanged with the `code_verifier` (and the client secret when
//! one is configured, sent in the form body); the ID token that comes back is verified by
//! [`super::oidc::OidcVerifier::verify_id_token`] with the same JWKS as access tokens.
//!
//! What the browser carries between the redirect and the callback (state, nonce, verifier,
//! where to go next) lives in a short-lived cookie MACed with the session key (`web::auth`);
//! nothing is kept on the server, so the callback may reach any instance.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::config::OidcSignInSettings;

/// How long one request to the issuer may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest discovery document or token response read.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// The endpoints of the issuer's discovery document kirjuri uses.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
}

/// The token endpoint's answer; only the ID token is used.
#[derive(Debug, Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
}

/// Why the flow could not go on; the detail is for the log, never for the browser.
#[derive(Debug, thiserror::Error)]
pub enum OidcFlowError {
    /// The issuer could not be reached or answered something unusable.
    #[error("the identity provider answered unusably: {0}")]
    Provider(String),
}

fn provider(error: impl std::fmt::Display) -> OidcFlowError {
    OidcFlowError::Provider(error.to_string())
}

/// The PKCE pair of one sign-in: the verifier the server keeps, the challenge the issuer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    /// 43 characters of base64url (32 random bytes).
    pub verifier: String,
    /// base64url(SHA-256(verifier)).
    pub challenge: String,
}

impl Pkce {
    /// The pair for `verifier`.
    pub fn from_verifier(verifier: String) -> Self {
        use sha2::Digest as _;
        let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        Self { verifier, challenge }
    }

    /// A pair with a verifier made from 32 `random` bytes.
    pub fn from_random(random: &[u8; 32]) -> Self {
        Self::from_verifier(URL_SAFE_NO_PAD.encode(random))
    }
}

/// The OIDC client of the web UI.
pub struct OidcClient {
    settings: OidcSignInSettings,
    issuer: String,
    http: reqwest::Client,
    discovery: tokio::sync::OnceCell<Discovery>,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("OidcClient").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl OidcClient {
    /// A client of `issuer` with `settings`; fetches nothing until the first sign-in.
    pub fn new(issuer: &str, settings: OidcSignInSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()?;
        Ok(Self { settings, issuer: issuer.to_owned(), http, discovery: tokio::sync::OnceCell::new() })
    }

    /// The client id (the ID token's `aud`).
    pub fn client_id(&self) -> &str {
        &self.settings.client_id
    }

    async fn discovery(&self) -> Result<&Discovery, OidcFlowError> {
        self.discovery
            .get_or_try_init(|| async {
                let url = format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'));
                let response =
                    self.http.get(&url).send().await.map_err(provider)?.error_for_status().map_err(provider)?;
                let body = limited_body(response).await?;
                let discovery: Discovery = serde_json::from_slice(&body).map_err(provider)?;
                if discovery.issuer != self.issuer {
                    return Err(provider(format!(
                        "the discovery document names the issuer {:?}, not {:?}",
                        discovery.issuer, self.issuer
                    )));
                }
                tracing::info!(url = %url, "OIDC provider discovered");
                Ok(discovery)
            })
            .await
    }

    /// Where to send the browser: the authorization endpoint with the code flow's parameters.
    pub async fn authorization_url(&self, state: &str, nonce: &str, pkce: &Pkce) -> Result<String, OidcFlowError> {
        let discovery = self.discovery().await?;
        let mut url = reqwest::Url::parse(&discovery.authorization_endpoint).map_err(provider)?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", &self.settings.redirect_uri)
            .append_pair("scope", &self.settings.scopes.join(" "))
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &pkce.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// Exchanges `code` (with the PKCE `verifier`) for the ID token.
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<String, OidcFlowError> {
        let discovery = self.discovery().await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.settings.redirect_uri.as_str()),
            ("client_id", self.settings.client_id.as_str()),
            ("code_verifier", verifier),
        ];
        if let Some(secret) = &self.settings.client_secret {
            form.push(("client_secret", secret.expose_secret()));
        }
        let response = self
            .http
            .post(&discovery.token_endpoint)
            .form(&form)
            .send()
            .await
            .map_err(provider)?
            .error_for_status()
            .map_err(provider)?;
        let body = limited_body(response).await?;
        let answer: TokenResponse = serde_json::from_slice(&body).map_err(provider)?;
        answer.id_token.ok_or_else(|| provider("the token endpoint returned no id_token"))
    }
}

async fn limited_body(response: reqwest::Response) -> Result<Vec<u8>, OidcFlowError> {
    if response.content_length().is_some_and(|length| length > MAX_RESPONSE_BYTES as u64) {
        return Err(provider("the answer is too large"));
    }
    let body = response.bytes().await.map_err(provider)?;
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(provider("the answer is too large"));
    }
    Ok(body.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        assert_eq!(pkce.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let random = Pkce::from_random(&[7; 32]);
        assert_eq!(random.verifier.len(), 43);
        assert_ne!(random.verifier, random.challenge);
    }
}

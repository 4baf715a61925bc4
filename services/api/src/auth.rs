//! The HTTP side of authentication: the [`Authenticated`] extractor reading
//! `Authorization: Bearer …`, the mapping of [`AuthError`] to problem responses, and
//! `GET /api/v1/me`.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::{ApiError, AppState, ErrorCode};
use kirjuri_auth::{AuthError, Principal};

/// The realm named in every `WWW-Authenticate` challenge.
const REALM: &str = "kirjuri";

/// The authenticated caller; a handler taking it is only reached with valid credentials.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Principal);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(AUTHORIZATION).iter();
        let header = match (values.next(), values.next()) {
            (None, _) => None,
            (Some(value), None) => Some(value.to_str().map_err(|_| AuthError::MalformedHeader)?),
            (Some(_), Some(_)) => return Err(AuthError::MalformedHeader.into()),
        };
        let principal = state.authenticator.authenticate_header(header).await?;
        Ok(Self(principal))
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let detail = error.to_string();
        match error {
            AuthError::MissingCredentials => ApiError::unauthorized(detail, format!("Bearer realm=\"{REALM}\"")),
            AuthError::MalformedHeader => {
                ApiError::unauthorized(detail, format!("Bearer realm=\"{REALM}\", error=\"invalid_request\""))
            }
            AuthError::MalformedToken(_)
            | AuthError::UnknownToken
            | AuthError::RevokedToken
            | AuthError::ExpiredToken
            | AuthError::InvalidJwt { cause: None, .. } => invalid_token(detail),
            AuthError::InvalidJwt { cause: Some(cause), .. } => invalid_token(detail).with_cause(cause),
            AuthError::NoRole | AuthError::MissingRole(_) => ApiError::new(ErrorCode::Forbidden, detail),
            AuthError::KeysUnavailable(cause) => {
                ApiError::new(ErrorCode::IdentityProviderUnavailable, detail).with_cause(cause)
            }
            AuthError::TokensUnavailable(cause) => ApiError::new(ErrorCode::StoreUnavailable, detail).with_cause(cause),
            AuthError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

/// A 401 for a presented but unacceptable token (RFC 6750 `invalid_token`).
fn invalid_token(detail: String) -> ApiError {
    let description: String = detail.chars().filter(|c| *c != '"' && *c != '\\').collect();
    let challenge = format!("Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\"");
    ApiError::unauthorized(detail, challenge)
}

/// `GET /api/v1/me`: who the credentials say the caller is.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, description = "The caller", body = Principal),
    (status = 401, description = "No credentials, or unacceptable ones",
        body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
    (status = 403, description = "Valid credentials without any kirjuri role",
        body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
    (status = 503, description = "The identity provider's keys or the API tokens cannot be read",
        body = super::error::ProblemDetailsSchema, content_type = "application/problem+json"),
))]
pub async fn me(Authenticated(principal): Authenticated) -> Json<Principal> {
    Json(principal)
}

//! [`ApiError`]: the one error every handler returns, rendered as RFC 9457 problem+json.
//!
//! It is the application layer's [`AppError`] as this skin answers it: the code decides the
//! status, the problem type and the title; the detail is for the client and never holds
//! internals. The internal cause travels in the response's extensions ([`ErrorForLog`]) to the
//! request log layer, which logs it once; `into_response` does not log.

use std::sync::Arc;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kirjuri_app::error::{AppError, ErrorCode, ErrorForLog};
use kirjuri_app::health::NotReady;
use serde::Serialize;

/// The media type of RFC 9457 problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The error every handler returns: an [`AppError`] answered as problem+json.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl ApiError {
    /// An error with `code` and a `detail` safe to show the client.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self(AppError::new(code, detail))
    }

    /// Attaches the internal cause, which is logged and never sent.
    pub fn with_cause(self, cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self(self.0.with_cause(cause))
    }

    /// A malformed request; `detail` names the parameter, header or field and the rule.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self(AppError::bad_request(detail))
    }

    /// Nothing is served at `path`.
    pub fn not_found(method: &Method, path: &str) -> Self {
        Self(AppError::not_found(method.as_str(), path))
    }

    /// `path` exists but does not answer `method`; the `Allow` header lists what it answers.
    pub fn method_not_allowed(method: &Method, path: &str) -> Self {
        Self(AppError::method_not_allowed(method.as_str(), path))
    }

    /// The server could not show it is ready.
    pub fn not_ready(cause: NotReady) -> Self {
        Self(AppError::not_ready(cause))
    }

    /// Not authenticated: a 401 whose `WWW-Authenticate` header is `challenge`.
    pub fn unauthorized(detail: impl Into<String>, challenge: impl Into<String>) -> Self {
        Self(AppError::unauthorized(detail, challenge))
    }

    /// An action `authorize` refused: 403 naming what is missing, or 404 for another
    /// municipality's record (its existence is not revealed).
    pub fn denied(denied: kirjuri_auth::access::Denied) -> Self {
        Self(AppError::denied(denied))
    }

    /// A fault of the server, with its cause for the log.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self(AppError::internal(cause))
    }

    /// What went wrong.
    pub fn code(&self) -> ErrorCode {
        self.0.code()
    }

    /// The client-facing explanation.
    pub fn detail(&self) -> &str {
        self.0.detail()
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize)]
struct ProblemDetails<'a> {
    #[serde(rename = "type")]
    problem_type: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

/// RFC 9457 problem details, as documented in the OpenAPI description.
#[derive(utoipa::ToSchema)]
#[schema(as = Problem)]
#[allow(dead_code)]
pub struct ProblemDetailsSchema {
    /// A URI naming the kind of problem (`about:blank` for plain HTTP conditions).
    #[schema(rename = "type")]
    problem_type: String,
    /// A short, stable summary of the kind of problem.
    title: String,
    /// The HTTP status.
    status: u16,
    /// What went wrong with this request: the field or parameter and the rule.
    detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.0.code();
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let problem = ProblemDetails {
            problem_type: code.problem_type(),
            title: code.title(),
            status: status.as_u16(),
            detail: self.0.detail(),
        };
        let mut response = match serde_json::to_vec(&problem) {
            Ok(body) => {
                (status, [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))], body).into_response()
            }
            // Serialising strings and a number cannot fail; answer with the bare status if it ever does.
            Err(_) => status.into_response(),
        };
        if let Some(challenge) = self.0.challenge().and_then(|value| HeaderValue::from_str(value).ok()) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        response.extensions_mut().insert(ErrorForLog(Arc::new(self.0)));
        response
    }
}

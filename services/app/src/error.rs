//! [`AppError`]: why a use case or query did not answer, in terms both skins render — the API
//! as RFC 9457 problem+json, the pages as a page in the reader's language.
//!
//! The [`ErrorCode`] decides the status, the problem type and the title; the detail is written
//! for the client and never holds internals. The internal cause travels with the error to the
//! request log layer ([`ErrorForLog`]), which logs it once.

use std::fmt;
use std::sync::Arc;

use crate::health::NotReady;

/// A boxed internal cause.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, in terms a client acts on; decides the status and the problem type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request is malformed: a parameter, header or body that cannot be read.
    BadRequest,
    /// No resource at the path.
    NotFound,
    /// The resource exists but not for this method.
    MethodNotAllowed,
    /// The request carries no valid credentials (answered with `WWW-Authenticate: Bearer`).
    Unauthorized,
    /// The caller is known but not allowed to do this.
    Forbidden,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The request body is not of a media type the route accepts.
    UnsupportedMediaType,
    /// A command body breaks a rule about its shape (a field missing, unknown, of the wrong type or out of range).
    InvalidCommand,
    /// The domain refused the command in the current state of the records it concerns.
    CommandRefused,
    /// The idempotency key was already used for another request.
    IdempotencyKeyReused,
    /// The stream is not at the revision `If-Match` names.
    PreconditionFailed,
    /// Other writers kept changing the stream; the command may be retried.
    Contended,
    /// The event store cannot serve right now.
    StoreUnavailable,
    /// The identity provider's signing keys cannot be fetched, so tokens cannot be checked now.
    IdentityProviderUnavailable,
    /// A fault of the server; the cause is logged, not shown.
    Internal,
}

impl ErrorCode {
    /// The HTTP status this code is answered with (the API's and the pages').
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::StoreUnavailable | Self::IdentityProviderUnavailable => 503,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InvalidCommand => 422,
            Self::CommandRefused => 422,
            Self::IdempotencyKeyReused => 422,
            Self::PreconditionFailed => 412,
            Self::Contended => 409,
            Self::Internal => 500,
        }
    }

    /// The stable machine name, used in logs and in the problem type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::InvalidCommand => "invalid-command",
            Self::CommandRefused => "command-refused",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::PreconditionFailed => "precondition-failed",
            Self::Contended => "contended",
            Self::StoreUnavailable => "store-unavailable",
            Self::IdentityProviderUnavailable => "identity-provider-unavailable",
            Self::Internal => "internal",
        }
    }

    /// The problem `type` URI: `about:blank` for plain HTTP conditions (RFC 9457 §4.2.1),
    /// `/problems/<code>` for kirjuri's own.
    pub fn problem_type(self) -> &'static str {
        match self {
            Self::NotFound | Self::MethodNotAllowed | Self::Unauthorized | Self::Forbidden | Self::Internal => {
                "about:blank"
            }
            Self::PayloadTooLarge | Self::UnsupportedMediaType => "about:blank",
            Self::InvalidCommand => "/problems/invalid-command",
            Self::CommandRefused => "/problems/command-refused",
            Self::IdempotencyKeyReused => "/problems/idempotency-key-reused",
            Self::PreconditionFailed => "/problems/precondition-failed",
            Self::Contended => "/problems/contended",
            Self::BadRequest => "/problems/bad-request",
            Self::StoreUnavailable => "/problems/store-unavailable",
            Self::IdentityProviderUnavailable => "/problems/identity-provider-unavailable",
        }
    }

    /// The short, stable, human-readable summary (`title`).
    pub fn title(self) -> &'static str {
        match self {
            Self::BadRequest => "The request is malformed",
            Self::NotFound => "Not Found",
            Self::MethodNotAllowed => "Method Not Allowed",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::PayloadTooLarge => "Content Too Large",
            Self::UnsupportedMediaType => "Unsupported Media Type",
            Self::InvalidCommand => "The command is invalid",
            Self::CommandRefused => "The command was refused",
            Self::IdempotencyKeyReused => "The idempotency key was used for another request",
            Self::PreconditionFailed => "The stream is not at the expected revision",
            Self::Contended => "The stream kept changing; retry the command",
            Self::StoreUnavailable => "The event store is unavailable",
            Self::IdentityProviderUnavailable => "The identity provider is unavailable",
            Self::Internal => "Internal Server Error",
        }
    }
}

/// The error every handler returns: a code, a client-facing detail and an internal cause.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct AppError {
    code: ErrorCode,
    detail: String,
    #[source]
    cause: Option<BoxError>,
    /// The `WWW-Authenticate` challenge of a 401 (RFC 6750).
    challenge: Option<String>,
}

impl AppError {
    /// An error with `code` and a `detail` safe to show the client.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self { code, detail: detail.into(), cause: None, challenge: None }
    }

    /// Attaches the internal cause, which is logged and never sent.
    pub fn with_cause(mut self, cause: impl Into<BoxError>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// A malformed request; `detail` names the parameter, header or field and the rule.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, detail)
    }

    /// Nothing is served at `path`.
    pub fn not_found(method: &str, path: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("nothing is served at {method} {path}"))
    }

    /// `path` exists but does not answer `method`; the `Allow` header lists what it answers.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(ErrorCode::MethodNotAllowed, format!("{path} does not answer {method}; see the Allow header"))
    }

    /// The server could not show it is ready.
    pub fn not_ready(cause: NotReady) -> Self {
        Self::new(ErrorCode::StoreUnavailable, cause.public_detail()).with_cause(cause)
    }

    /// Not authenticated: a 401 whose `WWW-Authenticate` header is `challenge`.
    pub fn unauthorized(detail: impl Into<String>, challenge: impl Into<String>) -> Self {
        Self { challenge: Some(challenge.into()), ..Self::new(ErrorCode::Unauthorized, detail) }
    }

    /// An action [`kirjuri_auth::access::authorize`] refused: 403 naming what is missing, or 404 for
    /// another municipality's record (its existence is not revealed).
    pub fn denied(denied: kirjuri_auth::access::Denied) -> Self {
        match denied {
            kirjuri_auth::access::Denied::OtherTenant => Self::new(ErrorCode::NotFound, "no such record"),
            other => Self::new(ErrorCode::Forbidden, other.to_string()),
        }
    }

    /// A fault of the server, with its cause for the log.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::new(ErrorCode::Internal, "the server failed to handle this request; it has been logged").with_cause(cause)
    }

    /// What went wrong.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The client-facing explanation.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The `WWW-Authenticate` challenge of a 401.
    pub fn challenge(&self) -> Option<&str> {
        self.challenge.as_deref()
    }
}

/// The error a response was made from, left in its extensions for the request log layer.
#[derive(Debug, Clone)]
pub struct ErrorForLog(pub Arc<AppError>);

/// Displays an error and each of its sources, joined by `: `.
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(formatter, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

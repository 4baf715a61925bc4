//! kirjuri: the server, CLI and use cases of the programme's record.
//!
//! - [`settings`]: the one typed [`Settings`], loaded once (defaults, TOML file, `KIRJURI_*`).
//! - [`startup`]: [`Application`] opens the configured store, binds the listener and serves
//!   until a shutdown signal. It owns the only `Arc<dyn EventStore>` handed to handlers.
//! - [`http`]: the axum router; thin handlers returning [`ApiError`] (RFC 9457 problem+json),
//!   one request log layer that logs each error once.
//! - [`auth`]: roles, the [`auth::Principal`] of a request, local API tokens (`api.sqlite`) and
//!   OIDC bearer tokens; `http` reads the `Authorization` header with its `Authenticated` extractor.
//! - [`health`]: the liveness and readiness use cases.
//! - [`cli`]: the `kirjuri` command line; `main.rs` only parses, loads settings, starts
//!   logging and calls [`cli::run`].
//! - [`readside`]: the read models of a data directory, their factories and the runner.
//! - [`personal_data`]: coaching notes' personal text for their coach and coachees only, each
//!   read logged to the personal-data access log before it is answered.
//! - [`redaction`]: takes personal text out of event data before a general read route shows it.
//! - [`usecases`]: [`usecases::CommandBus`] — load, decide, append with the loaded revision.
//! - [`bench`]: `kirjuri bench …`.

pub mod bench;
pub mod cli;
pub mod connections;
pub mod demo;
pub mod health;
pub mod http;
pub mod personal_data;
pub mod readside;
pub mod redaction;
pub mod settings;
pub mod startup;
pub mod usecases;
pub mod web;

pub use http::{ApiError, ErrorCode};
pub use kirjuri_auth as auth;
pub use kirjuri_auth::access;
pub use settings::{Settings, SettingsError};
pub use startup::Application;

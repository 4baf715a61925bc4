//! kirjuri: the HTTP API, the pages, the CLI and startup, over the crates that hold the rest.
//!
//! - [`startup`]: [`Application`] opens the configured store, binds the listener and serves
//!   until a shutdown signal. It owns the only `Arc<dyn EventStore>` handed to handlers.
//! - [`connections`]: the serve loop (connection limit, header and keep-alive timeouts).
//! - [`http`]: the axum router; thin handlers returning [`ApiError`] (RFC 9457 problem+json),
//!   one request log layer that logs each error once.
//! - [`web`]: the pages (maud), sessions, CSRF, forms, Finnish and English.
//! - [`cli`]: the `kirjuri` command line; `main.rs` only parses, loads settings, starts
//!   logging and calls [`cli::run`].
//!
//! Re-exported under their old paths: [`auth`] and [`access`] (`kirjuri-auth`); [`settings`],
//! [`usecases`], [`readside`], [`personal_data`], [`redaction`] and [`health`] (`kirjuri-app`);
//! [`demo`] (`kirjuri-demo`); [`bench`] (`kirjuri-bench`).

pub mod cli;
pub mod connections;
pub mod http;
pub mod startup;
pub mod web;

pub use http::{ApiError, ErrorCode};
pub use kirjuri_app::{health, personal_data, readside, redaction, settings, usecases};
pub use kirjuri_auth as auth;
pub use kirjuri_auth::access;
pub use kirjuri_bench as bench;
pub use kirjuri_demo as demo;
pub use settings::{Settings, SettingsError};
pub use startup::Application;

//! kirjuri: the composition root — the CLI, startup and the one router that merges the API's
//! routes ([`kirjuri_api`]) and the pages' ([`kirjuri_web`]) and owns the middleware.
//!
//! - [`startup`]: [`Application`] opens the configured store, binds the listener and serves
//!   until a shutdown signal. It owns the only `Arc<dyn EventStore>` handed to handlers.
//! - [`router`]: the API and the pages merged, with the request log, metrics, body limit and
//!   transport headers around them, and the answers for paths nothing serves.
//! - [`request_log`]: one span per request, one line per error.
//! - [`connections`]: the serve loop (connection limit, header and keep-alive timeouts).
//! - [`cli`]: the `kirjuri` command line; `main.rs` only parses, loads settings, starts
//!   logging and calls [`cli::run`].
//!
//! Re-exported under their old paths: [`auth`] and [`access`] (`kirjuri-auth`); [`settings`],
//! [`usecases`], [`readside`], [`personal_data`], [`redaction`] and [`health`] (`kirjuri-app`);
//! [`demo`] (`kirjuri-demo`); [`bench`](mod@bench) (`kirjuri-bench`); [`api`] and [`web`].

pub mod cli;
pub mod connections;
pub mod integrity_cli;
pub mod personal_cli;
pub mod request_log;
pub mod router;
pub mod startup;

pub use kirjuri_api as api;
pub use kirjuri_app::{health, integrity, personal_data, readside, redaction, settings, usecases, witness};
pub use kirjuri_auth as auth;
pub use kirjuri_auth::access;
pub use kirjuri_bench as bench;
pub use kirjuri_demo as demo;
pub use kirjuri_web as web;
pub use settings::{Settings, SettingsError};
pub use startup::Application;

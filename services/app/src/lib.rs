//! kirjuri's application layer, under the HTTP API and the pages alike (it knows neither):
//!
//! - [`settings`]: the one typed [`Settings`], loaded once (defaults, TOML file, `KIRJURI_*`).
//! - [`usecases`]: [`usecases::CommandBus`] — load, decide, append with the loaded revision.
//! - [`readside`]: the read models of a data directory, their factories and the runner.
//! - [`personal_data`]: coaching notes' personal text for their coach and coachees only, each
//!   read logged to the personal-data access log before it is answered.
//! - [`redaction`]: takes personal text out of event data before a general read route shows it.
//! - [`health`]: the liveness and readiness use cases.
//! - [`resources`]: a read model's record as the access rules see it (one place per kind).
//! - [`state`]: [`AppState`], what every use case and query of a running server reaches.
//! - [`error`]: [`AppError`], why a use case or query did not answer (both skins render it).
//! - [`queries`]: read use cases' parameters, parsed once for the API and the pages.
//! - [`metrics`]: request counts and latencies.
//! - [`commands`]: a command from its JSON body, authorised inside and run once.
//! - [`integrity`]: signed checkpoints, inclusion and consistency proofs, evidence bundles.
//! - [`audit`], [`access_log`], [`live`]: read use cases that authorise inside and answer
//!   the wire forms in [`wire`] and their own.

pub mod access_log;
pub mod audit;
pub mod commands;
pub mod error;
pub mod health;
pub mod integrity;
pub mod live;
pub mod metrics;
pub mod personal_data;
pub mod queries;
pub mod readside;
pub mod redaction;
pub mod resources;
pub mod settings;
pub mod state;
pub mod usecases;
pub mod wire;
pub mod witness;

pub use error::{AppError, ErrorCode};
pub use settings::{Settings, SettingsError};
pub use state::AppState;

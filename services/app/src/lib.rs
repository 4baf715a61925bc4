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

pub mod health;
pub mod personal_data;
pub mod readside;
pub mod redaction;
pub mod resources;
pub mod settings;
pub mod usecases;

pub use settings::{Settings, SettingsError};

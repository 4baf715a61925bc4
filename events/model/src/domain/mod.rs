//! The programme's event catalogue: every fact kirjuri records, one stable type name and a
//! schema version each, grouped by the aggregate whose stream holds it.
//!
//! | module | stream category | what happens there |
//! | --- | --- | --- |
//! | [`organisation`] | `municipality`, `unit`, `body` | municipalities (tenants) and the partner network, units, decision-making bodies and memberships |
//! | [`assessment`] | `framework`, `campaign` | assessment frameworks as data, campaigns, responses, computed results, targets |
//! | [`coaching`] | `engagement`, `communication` | coaching engagements, sessions, structured notes, actions; published communications |
//! | [`experiment`] | `experiment` | proposal, approval by a body's decision, protocol, stages, baselines, measurements, outcomes, conclusion |
//! | [`lesson`] | `observation`, `lesson` | observations, lessons identified from them, actions, lessons learned |
//! | [`practice`] | `practice` | best practices from draft through decision, anchoring, progress, revision, supersession, sharing and adoption |
//! | [`access_log`] | `access_log` | every read of personal data: who, what, when, why (one stream per reader and day) |
//! | [`api_token`] | `apitoken` | local API tokens issued and revoked (only their hashes) |
//! | [`server_key`] | `serverkey` | keys the server instances share (the web session key); secrets, outside the catalogue, never in a read model |
//! | [`user`] | `user` | local user accounts created, given new passwords (only argon2id hashes) and disabled |
//! | [`web_session`] | `websession` | web sessions their holders signed out of; outside the catalogue, never in a read model |
//!
//! Text people read is a [`LocalizedText`]: Finnish required, Swedish and English optional.
//! Older shapes of an event are read through [`catalogue::upcast`], so stored events never
//! need rewriting.

pub mod access_log;
pub mod api_token;
pub mod assessment;
pub mod catalogue;
pub mod coaching;
mod common;
pub mod experiment;
mod family;
pub mod lesson;
pub mod organisation;
pub mod practice;
pub mod server_key;
pub mod user;
pub mod web_session;

pub use catalogue::{CATALOGUE, CatalogueEntry, DecodeError, upcast};
pub use common::*;
pub use family::DomainEvent;

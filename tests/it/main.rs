//! The black-box tests, one binary (`cargo nextest run -p kirjuri-tests`): each module is one
//! area, each test runs against the real parts (the SQLite store, the tantivy index, the server on
//! port 0, Chromium for the browser modules). One binary links the server once instead of once per
//! file.

mod audit;
mod auth;
mod browser;
mod browser_audit;
mod browser_auth;
mod browser_forms;
mod browser_live;
mod browser_picture;
mod browser_practices;
mod commands;
mod conformance_kurrentdb;
mod conformance_sqlite;
mod crash;
mod determinism;
mod integrity;
mod integrity_conformance;
mod layering;
mod lists;
mod live;
mod matrix;
mod oidc;
mod personal;
mod queries;
mod readside;
mod search_isolation;
mod security;
mod server;
mod tokens;
mod users;
mod web;
mod web_audit;
mod web_auth;
mod web_forms;
mod web_picture;
mod web_practices;

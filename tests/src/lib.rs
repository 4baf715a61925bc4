//! kirjuri's black-box test harness: the real server, on port 0, with a fresh data directory.
//!
//! [`spawn_app`] builds the real [`kirjuri::Application`] from [`Settings`] whose data
//! directory is a new temporary directory and whose bind address is `127.0.0.1:0`, runs it on
//! the test's Tokio runtime, and returns a [`TestApp`] that talks to it over HTTP. Each test
//! gets its own server, port and data directory; nothing is shared between tests. Dropping a
//! [`TestApp`] signals its server to stop and removes the data directory; [`TestApp::stop`]
//! waits for a clean stop first.
//!
//! [`browser`] is a real headless Chromium for the web UI's tests.
//! [`web`] signs in and fetches pages over plain HTTP.
//! [`oidc`] is a fake identity provider (keys, JWKS endpoint, token signing) for auth tests.

pub mod browser;
pub mod oidc;
pub mod web;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use kirjuri::Settings;
use kirjuri::auth::Role;
use kirjuri::auth::tokens::{self, NewToken, RevokeOutcome};
use kirjuri::startup::Application;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::EventStore;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server and the means to talk to it.
pub struct TestApp {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub address: String,
    /// The port the server listens on.
    pub port: u16,
    /// The server's data directory; the server only lives as long as this does.
    pub data_dir: TempDir,
    /// An HTTP client for the server.
    pub client: reqwest::Client,
    /// The event store the server serves (tokens are made in it, as `kirjuri token` would).
    pub store: Arc<dyn EventStore>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    /// The server's read models, when it runs them.
    read_side: Option<Arc<kirjuri::readside::ReadSide>>,
    /// The municipality [`TestApp::command`] acts for (see [`TestApp::post_command`]).
    command_tenant: std::sync::Mutex<MunicipalityId>,
    /// Tokens with every role, one per municipality, made on first use.
    command_tokens: std::sync::Mutex<std::collections::HashMap<MunicipalityId, String>>,
}

/// Starts the real server with default settings, a fresh data directory and a free port.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], after `configure` adjusts the settings (data dir and bind are preset).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (data_dir, settings) = test_settings(configure);
    let application = Application::build(settings).await.expect("the application builds");
    start(application, data_dir)
}

/// A server whose data directory holds the demo programme (seed 2026, scale 1) with its read
/// models caught up; returns it with the id of the demo's city, Kuopio.
pub async fn spawn_app_with_demo() -> (TestApp, MunicipalityId) {
    use kirjuri_events::domain::organisation::MunicipalityEvent;
    use kirjuri_store::{EventFilter, ReadAllOptions, SqliteStore, SqliteStoreOptions};
    let (data_dir, settings) = test_settings(|_| {});
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(SqliteStoreOptions::new(settings.sqlite_path())).expect("the store opens"));
    // Written as `kirjuri demo` writes it: personal text sealed before it is appended.
    let (sealed, _) = kirjuri::startup::sealing(&settings, Arc::clone(&store)).await.expect("the key store opens");
    kirjuri::demo::run_demo(sealed, &kirjuri::demo::DemoArgs::default()).await.expect("the demo is written");
    let first = store
        .read_all(ReadAllOptions::forward(1).filtered(EventFilter::types(["MunicipalityRegistered"])))
        .await
        .expect("the store reads");
    let kuopio = match MunicipalityEvent::from_recorded(&first[0]).expect("the first registration decodes") {
        MunicipalityEvent::Registered(registered) => registered.municipality,
        other => panic!("unexpected {other:?}"),
    };
    let head = store.head_position().await.expect("the head").expect("events");
    let application = Application::build_with_store(settings, store).await.expect("the application builds");
    let read_side = application.read_side().expect("the read side runs");
    read_side.wait_until_caught_up(head, std::time::Duration::from_secs(300)).await.expect("the read models catch up");
    (start(application, data_dir), kuopio)
}

/// Like [`spawn_app`], but serving `store` instead of opening one (for test doubles).
pub async fn spawn_app_with_store(store: Arc<dyn EventStore>) -> TestApp {
    let (data_dir, settings) = test_settings(|_| {});
    let application = Application::build_without_projections(settings, store).await.expect("the application builds");
    start(application, data_dir)
}

/// The real server over an existing data directory `dir` with `settings` (its `data_dir` must be
/// `dir`; the bind address should be port 0).
pub async fn spawn_app_in(dir: TempDir, settings: Settings) -> TestApp {
    let application = Application::build(settings).await.expect("the application builds");
    start(application, dir)
}

fn test_settings(configure: impl FnOnce(&mut Settings)) -> (TempDir, Settings) {
    let data_dir = tempfile::Builder::new().prefix("kirjuri-test-").tempdir().expect("a temporary data directory");
    let mut settings =
        Settings { data_dir: data_dir.path().to_path_buf(), bind: ([127, 0, 0, 1], 0).into(), ..Settings::default() };
    configure(&mut settings);
    (data_dir, settings)
}

fn start(application: Application, data_dir: TempDir) -> TestApp {
    let port = application.port();
    let read_side = application.read_side().cloned();
    let store = Arc::clone(application.store());
    let (stop, stopped) = oneshot::channel::<()>();
    // The server stops when `stop` is sent or dropped.
    let server = tokio::spawn(application.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        data_dir,
        client,
        store,
        stop: Some(stop),
        server: Some(server),
        read_side,
        command_tenant: std::sync::Mutex::new(MunicipalityId::random()),
        command_tokens: std::sync::Mutex::default(),
    }
}

impl TestApp {
    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Waits (polling checkpoints, at most a minute) until the read models have applied
    /// every event the store holds now; panics if they do not.
    pub async fn wait_for_projections(&self) {
        let read_side = self.read_side.as_ref().expect("this server runs the read models");
        read_side
            .wait_until_caught_up_with_store(std::time::Duration::from_secs(60))
            .await
            .expect("the read models catch up");
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// `GET path` with a bearer token; panics only if the request cannot be sent.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("the GET request is sent")
    }

    /// `GET path`; panics only if the request cannot be sent.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("the GET request is sent")
    }

    /// A local API token holding every role for `tenant` (made once per tenant).
    pub fn token_for(&self, tenant: MunicipalityId) -> String {
        let mut tokens = self.command_tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        tokens.entry(tenant).or_insert_with(|| self.create_api_token(tenant, &Role::ALL, None).1).clone()
    }

    /// `POST /api/v1/commands/<name>`, ready for headers and a body, as a caller holding every
    /// role in the municipality the last [`TestApp::post_command`] named (a fresh one at first).
    pub fn command(&self, name: &str) -> reqwest::RequestBuilder {
        let tenant = *self.command_tenant.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.command_as(tenant, name)
    }

    /// `POST /api/v1/commands/<name>`, ready for headers and a body, as a caller holding every
    /// role in `tenant`.
    pub fn command_as(&self, tenant: MunicipalityId, name: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(&format!("/api/v1/commands/{name}"))).bearer_auth(self.token_for(tenant))
    }

    /// `POST /api/v1/commands/<name>` with `body` as JSON under `idempotency_key`, acting for the
    /// municipality the body names (`municipality`, else `host`, else `partner`) or, when it names
    /// none, for the one the previous command named — as one municipality's staff would work on
    /// its records.
    pub async fn post_command(&self, name: &str, idempotency_key: &str, body: &serde_json::Value) -> reqwest::Response {
        let named = ["municipality", "host", "partner"]
            .iter()
            .find_map(|field| body.get(*field).and_then(|v| v.as_str()).and_then(|v| uuid::Uuid::parse_str(v).ok()));
        if let Some(tenant) = named {
            *self.command_tenant.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = MunicipalityId(tenant);
        }
        self.command(name)
            .header("Idempotency-Key", idempotency_key)
            .json(body)
            .send()
            .await
            .expect("the command request is sent")
    }

    /// Registers `municipality` (code 999) through the API, as its admin's first command;
    /// panics unless it is registered afterwards (a repeat is fine).
    pub async fn register_municipality(&self, municipality: MunicipalityId) {
        let body = serde_json::json!({ "municipality": municipality, "code": "999", "name": { "fi": "Testikunta" } });
        let response = self
            .command_as(municipality, "register-municipality")
            .header("Idempotency-Key", format!("register-{municipality}"))
            .json(&body)
            .send()
            .await
            .expect("the registration is sent");
        assert!(response.status().is_success(), "registering {municipality}: {}", response.status());
    }

    /// How many events the store holds in `stream`, read from its file.
    pub fn events_in_stream(&self, stream: &str) -> i64 {
        let path = self.data_dir().join("events.sqlite");
        let connection = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("the store file opens read-only");
        connection
            .query_row("SELECT COUNT(*) FROM events WHERE stream = ?1", [stream], |row| row.get(0))
            .expect("the events are counted")
    }

    /// The id of the first stream of `category` (e.g. `practice`) created for `tenant`, read
    /// from the store's file: a real record to put in a route's path.
    pub fn first_entity(&self, category: &str, tenant: MunicipalityId) -> Option<uuid::Uuid> {
        let path = self.data_dir().join("events.sqlite");
        let connection = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("the store file opens read-only");
        let stream: Option<String> = connection
            .query_row(
                "SELECT stream FROM events WHERE stream LIKE ?1 || '-%' AND revision = 0 AND tenant = ?2 \
                 ORDER BY position LIMIT 1",
                rusqlite::params![category, tenant.0.to_string()],
                |row| row.get(0),
            )
            .ok();
        stream.and_then(|stream| uuid::Uuid::parse_str(&stream[category.len() + 1..]).ok())
    }

    /// `GET /health/live`.
    pub async fn get_live(&self) -> reqwest::Response {
        self.get("/health/live").await
    }

    /// `GET /health/ready`.
    pub async fn get_ready(&self) -> reqwest::Response {
        self.get("/health/ready").await
    }

    /// `GET /api/v1/me`, with `Authorization: Bearer <token>` when a token is given.
    pub async fn get_me(&self, bearer: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url("/api/v1/me"));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the GET request is sent")
    }

    /// Makes a local API token in this server's event store (as `kirjuri token create` would)
    /// and returns its id and secret. `expires_at` may lie in the past, to test expiry.
    pub fn create_api_token(
        &self,
        tenant: MunicipalityId,
        roles: &[Role],
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> (uuid::Uuid, String) {
        let new = NewToken {
            name: None,
            tenant,
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
            person: None,
            expires_at,
        };
        let (record, secret) = self
            .on_own_runtime(|store| async move { tokens::issue(&*store, new, chrono::Utc::now(), "test").await })
            .expect("the token is created");
        (record.id, secret.expose_secret().to_owned())
    }

    /// Revokes a local API token of this server's event store by id or name.
    pub fn revoke_api_token(&self, id_or_name: &str) {
        let id_or_name = id_or_name.to_owned();
        let outcome = self
            .on_own_runtime(
                |store| async move { tokens::revoke(&*store, &id_or_name, chrono::Utc::now(), "test").await },
            )
            .expect("the token is revoked");
        assert!(matches!(outcome, RevokeOutcome::Revoked(_)), "{outcome:?}");
    }

    /// Runs `work` on the server's store from a thread of its own, so synchronous helpers work
    /// inside any test runtime (a current-thread runtime cannot block on itself).
    fn on_own_runtime<T, F>(&self, work: impl FnOnce(Arc<dyn EventStore>) -> F + Send) -> T
    where
        T: Send,
        F: std::future::Future<Output = T>,
    {
        let store = Arc::clone(&self.store);
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime for the helper");
                    runtime.block_on(work(store))
                })
                .join()
                .expect("the helper thread finishes")
        })
    }

    /// Stops the server gracefully and waits for it to finish; fails if it stopped with an error.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => server.await?,
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

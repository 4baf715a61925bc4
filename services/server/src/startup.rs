//! Building and running the server: open the store the settings name, bind the listener, serve
//! until a shutdown signal, then drain open connections for at most [`SHUTDOWN_GRACE`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use kirjuri_store::{EventStore, SqliteStore, SqliteStoreOptions};
use kirjuri_store::{KurrentStore, KurrentStoreOptions};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tracing::{info, warn};

use kirjuri_integrity::personal::{SealingStore, SubjectKeys};
use kirjuri_projections::RunnerOptions;

use crate::auth::Authenticator;
use crate::readside::ReadSide;
use crate::settings::{Settings, StoreKind};
use kirjuri_app::AppState;

/// How long open requests may run on after a shutdown signal before the server stops anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The longest pause between two chunks of a request body (then 400).
pub const BODY_GAP_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest a request may take to be answered (then 408); a response's stream is not timed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// At the connection limit, connections younger than this are not closed to make room.
const SHED_MIN_AGE: Duration = Duration::from_millis(20);

/// The server, built and bound, not yet serving.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: axum::Router,
    read_side: Option<Arc<ReadSide>>,
    store: Arc<dyn EventStore>,
    shutting_down: tokio::sync::watch::Sender<bool>,
    limits: crate::connections::ConnLimits,
}

impl Application {
    /// Opens the store named by `settings`, starts the projections of its data directory and
    /// binds `settings.bind` (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = open_backend(&settings).await?;
        Self::build_with_store(settings, store).await
    }

    /// Like [`Application::build`] with a store the caller opened (personal text appended
    /// through the application is sealed before it reaches `store`).
    pub async fn build_with_store(settings: Settings, store: Arc<dyn EventStore>) -> anyhow::Result<Self> {
        // Personal text written before it was sealed is sealed in place, once, before the log's
        // tree is first computed over it (after that the log is never rewritten).
        seal_existing_personal_data(&settings).await?;
        let (store, keys) = sealing(&settings, store).await?;
        let read_side = ReadSide::start(&settings, Arc::clone(&store), RunnerOptions::default()).await?;
        Self::bind(settings, store, Some(Arc::new(read_side)), Some(keys)).await
    }

    /// Binds `settings.bind` and serves `store` without running projections (for tests that
    /// pass a store double).
    pub async fn build_without_projections(settings: Settings, store: Arc<dyn EventStore>) -> anyhow::Result<Self> {
        Self::bind(settings, store, None, None).await
    }

    async fn bind(
        settings: Settings,
        store: Arc<dyn EventStore>,
        read_side: Option<Arc<ReadSide>>,
        personal_keys: Option<Arc<SubjectKeys>>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("binding the HTTP listener to {}", settings.bind))?;
        let local_addr = listener.local_addr().context("reading the bound address of the HTTP listener")?;
        let authenticator = Arc::new(
            Authenticator::open(&settings.auth_config(), Arc::clone(&store))
                .await
                .context("setting up authentication")?,
        );
        let (shutting_down, shutting_down_receiver) = tokio::sync::watch::channel(false);
        // The log's tree runs with the read models; its checkpoints are signed here, with a key
        // kept outside the store.
        let integrity = match &read_side {
            Some(_) => {
                let opening = settings.clone();
                let integrity = tokio::task::spawn_blocking(move || kirjuri_app::integrity::Integrity::open(&opening))
                    .await
                    .context("the task opening the log's keys panicked")??;
                let integrity = Arc::new(integrity);
                tokio::spawn(Arc::clone(&integrity).run_checkpointer(shutting_down_receiver.clone()));
                if !settings.witness_logs.is_empty() {
                    tokio::spawn(kirjuri_app::witness::run_witness(
                        Arc::clone(&integrity),
                        settings.witness_logs.clone(),
                        Duration::from_secs(settings.witness_every_seconds),
                        shutting_down_receiver.clone(),
                    ));
                }
                Some(integrity)
            }
            None => None,
        };
        let session_key_path = settings.session_key_path();
        let session_key =
            tokio::task::spawn_blocking(move || kirjuri_integrity::keys::session_key_at(&session_key_path))
                .await
                .context("the task reading the session key panicked")?
                .context("reading the web session key")?;
        let router = crate::router::router(
            AppState {
                integrity,
                personal_keys,
                commands: crate::usecases::CommandBus::new(Arc::clone(&store)),
                store: Arc::clone(&store),
                store_kind: settings.store,
                read_side: read_side.clone(),
                metrics: Arc::default(),
                shutting_down: shutting_down_receiver,
                authenticator,
                max_body_bytes: settings.max_body_bytes,
            },
            &session_key,
        )
        .await?;
        // A request body may pause at most this long between chunks, and a request (not a
        // response stream) may take at most this long: slow clients cannot hold handlers.
        let router = router.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_GAP_TIMEOUT)).layer(
            tower_http::timeout::TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                REQUEST_TIMEOUT,
            ),
        );
        let limits = crate::connections::ConnLimits {
            max_connections: settings.max_connections.unwrap_or_else(crate::connections::default_max_connections),
            header_read_timeout: settings.header_timeout,
            shed_min_age: SHED_MIN_AGE,
        };
        info!(
            address = %local_addr,
            store = settings.store.as_str(),
            max_connections = limits.max_connections,
            "listener bound"
        );
        Ok(Self { listener, local_addr, router, read_side, store, shutting_down, limits })
    }

    /// The address the server listens on, with the real port when 0 was asked for.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The event store this server serves.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// The read models this server runs, if any.
    pub fn read_side(&self) -> Option<&Arc<ReadSide>> {
        self.read_side.as_ref()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// Serves until `shutdown` resolves, then lets open requests finish for at most
    /// [`SHUTDOWN_GRACE`]; the store is closed when this returns.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let shutdown_started = Arc::new(Notify::new());
        let signal = {
            let shutdown_started = Arc::clone(&shutdown_started);
            let shutting_down = self.shutting_down;
            async move {
                shutdown.await;
                info!(grace_seconds = SHUTDOWN_GRACE.as_secs(), "shutting down, draining open requests");
                shutting_down.send_replace(true);
                shutdown_started.notify_one();
            }
        };
        let serving = crate::connections::serve(self.listener, self.router, self.limits, signal);
        let grace_expired = async {
            shutdown_started.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            () = serving => {}
            () = grace_expired => warn!(grace_seconds = SHUTDOWN_GRACE.as_secs(), "requests still open after the grace period, stopping anyway"),
        }
        if let Some(read_side) = self.read_side {
            // Applies the batch each projection has gathered, then stops it.
            read_side.shutdown().await;
        }
        info!("server stopped");
        Ok(())
    }
}

/// Opens the backend `settings.store` names, sealing personal text before it is appended (see
/// [`kirjuri_integrity::personal`]): what every command-line writer uses.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn EventStore>> {
    let store = open_backend(settings).await?;
    Ok(sealing(settings, store).await?.0)
}

/// `store`, sealing personal text under the data subjects' keys of `settings`' key store.
pub async fn sealing(
    settings: &Settings,
    store: Arc<dyn EventStore>,
) -> anyhow::Result<(Arc<dyn EventStore>, Arc<SubjectKeys>)> {
    let keys_dir = settings.keys_dir();
    let keys = tokio::task::spawn_blocking(move || SubjectKeys::open(&keys_dir))
        .await
        .context("the task opening the personal-data key store panicked")?
        .context("opening the personal-data key store")?;
    let keys = Arc::new(keys);
    Ok((Arc::new(SealingStore::new(store, Arc::clone(&keys))), keys))
}

/// Seals, in place, personal text an older kirjuri stored in the clear — on the embedded store,
/// and only while the log's tree has never been computed (its proofs must cover the sealed
/// form). A store whose tree already covers clear personal text is left as it is and logged.
pub async fn seal_existing_personal_data(settings: &Settings) -> anyhow::Result<()> {
    if settings.store != StoreKind::Sqlite || !settings.sqlite_path().is_file() {
        return Ok(());
    }
    let settings = settings.clone();
    let report = tokio::task::spawn_blocking(move || {
        let keys = SubjectKeys::open(&settings.keys_dir())?;
        kirjuri_integrity::personal::seal_existing_sqlite(&settings.sqlite_path(), &settings.tree_path(), &keys)
    })
    .await
    .context("the task sealing stored personal text panicked")??;
    if report.sealed > 0 {
        info!(events = report.sealed, "personal text stored in the clear was sealed in place (a one-time step)");
    }
    if report.left_in_clear > 0 {
        tracing::error!(
            events = report.left_in_clear,
            "personal text in the clear is already covered by the log's tree and cannot be sealed without breaking its proofs"
        );
    }
    Ok(())
}

/// Opens the backend `settings.store` names, as it is.
pub async fn open_backend(settings: &Settings) -> anyhow::Result<Arc<dyn EventStore>> {
    match settings.store {
        StoreKind::Sqlite => Ok(Arc::new(open_sqlite_store(settings).await?)),
        StoreKind::KurrentDb => {
            let url = settings.kurrentdb_url.as_ref().context("store is kurrentdb but no kurrentdb_url is set")?;
            let mut options = KurrentStoreOptions::new(url.expose_secret());
            options.max_event_bytes = settings.max_event_bytes;
            let store = KurrentStore::connect(options).await.context("opening the KurrentDB event store")?;
            info!(url = %url.redacted(), "event store connected");
            Ok(Arc::new(store))
        }
    }
}

/// Opens (creating if needed) the embedded store `<data_dir>/events.sqlite`.
pub async fn open_sqlite_store(settings: &Settings) -> anyhow::Result<SqliteStore> {
    let data_dir = settings.data_dir.clone();
    let path = settings.sqlite_path();
    let mut options = SqliteStoreOptions::new(&path);
    options.max_event_bytes = settings.max_event_bytes;
    // Creating the directory and opening the file block, so neither runs on the executor.
    let store = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        SqliteStore::open(options).with_context(|| format!("opening the event store {}", path.display()))
    })
    .await
    .context("the task opening the event store panicked")??;
    info!(path = %settings.sqlite_path().display(), "event store opened");
    Ok(store)
}

/// Starts listening for SIGTERM and Ctrl-C (SIGINT) now, and resolves when one arrives.
///
/// The handlers are installed before this returns, so a signal sent as soon as the server
/// reports ready is never missed. Must be called inside a Tokio runtime.
pub fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => info!(signal = "SIGTERM", "shutdown requested"),
                _ = interrupt.recv() => info!(signal = "SIGINT", "shutdown requested"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            match tokio::signal::ctrl_c().await {
                Ok(()) => info!(signal = "ctrl-c", "shutdown requested"),
                Err(error) => {
                    warn!(%error, "cannot listen for ctrl-c; stop the process another way");
                    std::future::pending::<()>().await;
                }
            }
        })
    }
}

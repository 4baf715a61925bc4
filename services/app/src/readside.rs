//! The read models of a data directory and how they are opened, run and rebuilt.
//!
//! - `<data_dir>/views/views.sqlite`: audit trail, timeline, as-of, practice history, evidence
//!   graph, situational picture ([`kirjuri_views`]);
//! - `<data_dir>/search/`: the tantivy index ([`kirjuri_search`]);
//! - `<data_dir>/integrity/tree.sqlite`: the Merkle tree over `$all` ([`kirjuri_integrity`]),
//!   run with them but never rebuilt by `projections rebuild`: its signed checkpoints are the
//!   record's proof, and `kirjuri verify` recomputes the tree from the events anyway.
//!
//! Each is a directory so that a rebuild can be built beside it and swapped in whole (a bare
//! SQLite file cannot be renamed over another while its `-wal` sits beside it). Each keeps the
//! error that stopped it in its directory ([`FailureRecording`]).
//!
//! A server runs both through a [`ReadSide`]: one [`ProjectionRunner`] (only its tasks write to
//! the read models), the search index its queries share, and rebuilds swapped in while it
//! serves. It holds `<data_dir>/read-models.lock` so that no other process (e.g. `kirjuri
//! projections rebuild`) swaps a read model from under it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use bytes::Bytes;
use kirjuri_events::Position;
use kirjuri_projections::{
    CheckpointWatch, FailureRecording, Projection, ProjectionError, ProjectionFactory, ProjectionRunner,
    ProjectionStatus, RebuildProgress, RebuildReport, RunnerOptions, WaitError, promote_directory, rebuild_beside,
};
use kirjuri_search::{AnalysisSettings, SearchIndex, SearchProjection};
use kirjuri_store::EventStore;
use kirjuri_views::{ViewsError, ViewsProjection, ViewsReader};
use tracing::info;

use crate::settings::Settings;

/// The views' name among the read models.
const VIEWS: &str = "views";

/// The views database file inside its directory.
const VIEWS_FILE: &str = "views.sqlite";

/// The most idle read connections to the views kept for reuse.
const MAX_IDLE_VIEWS_READERS: usize = 16;

/// The most bytes of answers kept by [`ReadSide::views_answer`].
const MAX_CACHED_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// Opens and rebuilds the SQLite views of a data directory.
pub struct ViewsFactory {
    directory: PathBuf,
}

impl ViewsFactory {
    /// The views of the data directory in `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self { directory: settings.data_dir.join("views") }
    }

    /// The live views database file.
    pub fn live_database(&self) -> PathBuf {
        self.directory.join(VIEWS_FILE)
    }
}

impl ProjectionFactory for ViewsFactory {
    fn name(&self) -> &'static str {
        VIEWS
    }

    fn live_location(&self) -> PathBuf {
        self.directory.clone()
    }

    fn open(&self, location: &Path) -> Result<Box<dyn Projection>, ProjectionError> {
        std::fs::create_dir_all(location)
            .map_err(|e| ProjectionError::storage(format!("creating {}", location.display()), e))?;
        // Any location but the live one is a rebuild's fresh copy, promoted only once complete:
        // it is written fast and without crash safety, and finished in `promote`.
        let file = location.join(VIEWS_FILE);
        let projection = if location == self.directory {
            ViewsProjection::open(file)
        } else {
            ViewsProjection::open_for_rebuild(file)
        }
        .map_err(|e| ProjectionError::storage(format!("opening the views in {}", location.display()), e))?;
        Ok(FailureRecording::wrap(Box::new(projection), location))
    }

    fn promote(&self, rebuilt: &Path) -> Result<(), ProjectionError> {
        kirjuri_views::finish_rebuild(rebuilt.join(VIEWS_FILE)).map_err(|e| {
            ProjectionError::storage(format!("finishing the views rebuilt in {}", rebuilt.display()), e)
        })?;
        promote_directory(rebuilt, &self.directory)
    }
}

/// Opens and rebuilds the search index of a data directory.
pub struct SearchFactory {
    directory: PathBuf,
    analysis: AnalysisSettings,
}

impl SearchFactory {
    /// The search index of the data directory in `settings`, analysed as they say
    /// (`search_voikko = "off"` forces Snowball only).
    pub fn new(settings: &Settings) -> Self {
        Self { directory: settings.data_dir.join("search"), analysis: settings.search_analysis() }
    }

    /// Opens the index at `location` for reading and writing.
    pub fn open_index(&self, location: &Path) -> Result<SearchIndex, ProjectionError> {
        std::fs::create_dir_all(location)
            .map_err(|e| ProjectionError::storage(format!("creating {}", location.display()), e))?;
        SearchIndex::open(location, &self.analysis)
            .map_err(|e| ProjectionError::storage(format!("opening the search index in {}", location.display()), e))
    }

    /// The projection writing `index` (which lives at `location`); searchers share `index`.
    fn projection_of(index: SearchIndex, location: &Path) -> Result<Box<dyn Projection>, ProjectionError> {
        let projection = SearchProjection::new(index)
            .map_err(|e| ProjectionError::storage(format!("opening the index writer in {}", location.display()), e))?;
        Ok(FailureRecording::wrap(Box::new(projection), location))
    }
}

impl ProjectionFactory for SearchFactory {
    fn name(&self) -> &'static str {
        "search"
    }

    fn live_location(&self) -> PathBuf {
        self.directory.clone()
    }

    fn open(&self, location: &Path) -> Result<Box<dyn Projection>, ProjectionError> {
        Self::projection_of(self.open_index(location)?, location)
    }

    fn promote(&self, rebuilt: &Path) -> Result<(), ProjectionError> {
        promote_directory(rebuilt, &self.directory)
    }
}

/// Every read model of a data directory, by name.
pub fn factories(settings: &Settings) -> Vec<Arc<dyn ProjectionFactory>> {
    vec![Arc::new(ViewsFactory::new(settings)), Arc::new(SearchFactory::new(settings))]
}

/// Opens every read model and starts the runner that keeps them up to date.
pub async fn start(settings: &Settings, store: Arc<dyn EventStore>) -> anyhow::Result<ProjectionRunner> {
    start_with(settings, store, RunnerOptions::default()).await
}

/// [`start`] with the runner's batching and retry options.
pub async fn start_with(
    settings: &Settings,
    store: Arc<dyn EventStore>,
    options: RunnerOptions,
) -> anyhow::Result<ProjectionRunner> {
    let factories = factories(settings);
    let projections = tokio::task::spawn_blocking(move || {
        factories.iter().map(|factory| factory.open(&factory.live_location())).collect::<Result<Vec<_>, _>>()
    })
    .await
    .context("the task opening the read models panicked")?
    .context("opening the read models")?;
    ProjectionRunner::start(store, projections, options).context("starting the projections")
}

/// The lock file a [`ReadSide`] holds in the data directory.
pub const LOCK_FILE: &str = "read-models.lock";

/// Takes `<data_dir>/read-models.lock` exclusively, or says that another process holds it.
pub fn lock_read_models(settings: &Settings) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating the data directory {}", settings.data_dir.display()))?;
    let path = settings.data_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another process (a running `kirjuri serve`?) holds the read models of {}; stop it first",
            settings.data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(error)) => Err(error).with_context(|| format!("locking {}", path.display())),
    }
}

/// The read models a server runs and serves from.
///
/// Who owns what: the runner (behind `running`) is the only writer of the read models; the
/// search index handle is shared by the search projection and every searcher, so a search
/// right after a commit sees it; views are read through read-only connections kept in a small
/// pool ([`ReadSide::views`]), each query seeing the latest committed batch. A rebuild is built beside the live read model while everything keeps
/// running, then swapped in: the runner is stopped (flushing its batches), the rebuilt copy
/// promoted, the read models reopened and the runner restarted, which catches the rebuilt
/// copy up on what was appended meanwhile. Rebuilds run one at a time.
pub struct ReadSide {
    settings: Settings,
    /// Read connections to the live views database.
    views: ViewsReaders,
    /// Answers computed from the views, valid while the views' checkpoint stays where it was.
    answers: AnswerCache,
    /// The views' checkpoint as the runner moves it (replaced when the runner restarts).
    views_checkpoint: RwLock<Option<CheckpointWatch>>,
    store: Arc<dyn EventStore>,
    options: RunnerOptions,
    running: tokio::sync::Mutex<Option<ProjectionRunner>>,
    search: RwLock<SearchIndex>,
    rebuilding: tokio::sync::Mutex<()>,
    _lock: std::fs::File,
}

impl std::fmt::Debug for ReadSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadSide").field("data_dir", &self.settings.data_dir).finish_non_exhaustive()
    }
}

impl ReadSide {
    /// Locks the data directory's read models, opens them and starts their runner.
    pub async fn start(
        settings: &Settings,
        store: Arc<dyn EventStore>,
        options: RunnerOptions,
    ) -> anyhow::Result<Self> {
        let lock = {
            let settings = settings.clone();
            tokio::task::spawn_blocking(move || lock_read_models(&settings)).await.context("locking panicked")??
        };
        let (runner, search) = Self::open_and_run(settings, &store, options).await?;
        let views_checkpoint = RwLock::new(runner.checkpoint_watch(VIEWS));
        Ok(Self {
            settings: settings.clone(),
            views: ViewsReaders::new(ViewsFactory::new(settings).live_database()),
            answers: AnswerCache::default(),
            views_checkpoint,
            store,
            options,
            running: tokio::sync::Mutex::new(Some(runner)),
            search: RwLock::new(search),
            rebuilding: tokio::sync::Mutex::new(()),
            _lock: lock,
        })
    }

    async fn open_and_run(
        settings: &Settings,
        store: &Arc<dyn EventStore>,
        options: RunnerOptions,
    ) -> anyhow::Result<(ProjectionRunner, SearchIndex)> {
        let views = ViewsFactory::new(settings);
        let search = SearchFactory::new(settings);
        let tree_path = settings.tree_path();
        let (projections, index) = tokio::task::spawn_blocking(move || {
            let views_projection = views.open(&views.live_location())?;
            let location = search.live_location();
            let index = search.open_index(&location)?;
            let search_projection = SearchFactory::projection_of(index.clone(), &location)?;
            let tree_projection: Box<dyn Projection> = Box::new(
                kirjuri_integrity::TreeProjection::open(&tree_path)
                    .map_err(|e| ProjectionError::storage(format!("opening {}", tree_path.display()), e))?,
            );
            Ok::<_, ProjectionError>((vec![views_projection, search_projection, tree_projection], index))
        })
        .await
        .context("the task opening the read models panicked")?
        .context("opening the read models")?;
        let runner =
            ProjectionRunner::start(Arc::clone(store), projections, options).context("starting the projections")?;
        Ok((runner, index))
    }

    /// The search index (a cheap handle; it sees every commit of the search projection).
    pub fn search(&self) -> SearchIndex {
        self.search.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// A read-only connection to the live views, from the pool (opened if none is idle); it
    /// goes back to the pool when dropped. Use one per request.
    pub fn views(&self) -> Result<PooledViewsReader<'_>, ViewsError> {
        self.views.get()
    }

    /// The answer to a views query, from memory if the views have not moved since it was
    /// computed (same file, same checkpoint), else computed by `compute` on a blocking thread
    /// and kept. `key` names the query and its parameters; the answer is its wire body
    /// (`bytes`) and whatever the caller needs beside it, e.g. to authorise (`meta`). A kept
    /// answer costs no SQLite query and no thread hand-off.
    ///
    /// The stamp (file generation, checkpoint) is taken before the query runs, so a kept answer
    /// is never older than the stamp it is filed under: the runner moves the checkpoint only
    /// after the batch is committed, and the read models only move forward.
    pub async fn views_answer<M, E>(
        self: &Arc<Self>,
        key: String,
        compute: impl FnOnce(&ViewsReader) -> Result<(M, Bytes), E> + Send + 'static,
        views_error: fn(ViewsError) -> E,
    ) -> Result<Result<(M, Bytes), E>, tokio::task::JoinError>
    where
        M: Clone + Send + Sync + 'static,
        E: Send + 'static,
    {
        let stamp = self.views_stamp();
        if let Some(answer) = self.answers.get::<M>(&key, stamp) {
            return Ok(Ok(answer));
        }
        // One computation per key at a time: when the views move, the callers asking the same
        // question meanwhile wait for the first one's answer instead of all computing it.
        let _one_at_a_time = self.answers.gate(&key).lock().await;
        let stamp = self.views_stamp();
        if let Some(answer) = self.answers.get::<M>(&key, stamp) {
            return Ok(Ok(answer));
        }
        let read_side = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let views = read_side.views().map_err(views_error)?;
            if views.generation != stamp.0 {
                // A swap came in between: answer, but keep nothing under the old stamp.
                return compute(&views);
            }
            let (meta, bytes) = compute(&views)?;
            read_side.answers.put(key, stamp, meta.clone(), bytes.clone());
            Ok((meta, bytes))
        })
        .await
    }

    /// Where the views stand now, for [`ReadSide::views_answer`].
    fn views_stamp(&self) -> AnswerStamp {
        let generation = self.views.generation.load(std::sync::atomic::Ordering::Acquire);
        let checkpoint = self.views_checkpoint.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        (generation, checkpoint.as_ref().and_then(CheckpointWatch::current))
    }

    /// Every projection's status.
    pub async fn status(&self) -> anyhow::Result<Vec<ProjectionStatus>> {
        let running = self.running.lock().await;
        let runner = running.as_ref().context("the read side has been shut down")?;
        Ok(runner.status().await?)
    }

    /// Waits until every projection has applied everything up to `position` (see
    /// [`ProjectionRunner::wait_until_caught_up`]). A rebuild's swap waits for this to return.
    pub async fn wait_until_caught_up(&self, position: Position, timeout: Duration) -> anyhow::Result<()> {
        let running = self.running.lock().await;
        let runner = running.as_ref().context("the read side has been shut down")?;
        runner.wait_until_caught_up(position, timeout).await.map_err(|e: WaitError| anyhow::anyhow!(e))
    }

    /// Waits until every projection has applied everything the store holds now (tests and
    /// tools that must read their own writes).
    pub async fn wait_until_caught_up_with_store(&self, timeout: Duration) -> anyhow::Result<()> {
        let head = self.store.head_position().await.context("reading the store's head")?;
        match head {
            Some(head) => self.wait_until_caught_up(head, timeout).await,
            None => Ok(()),
        }
    }

    /// The names of the read models.
    pub fn names(&self) -> Vec<&'static str> {
        factories(&self.settings).iter().map(|f| f.name()).collect()
    }

    /// Rebuilds the read model called `name` beside the live one while the server keeps
    /// serving from it, then swaps it in (see the type's docs). An unknown name is an error
    /// naming the known ones; a failed rebuild leaves the live read model as it was.
    pub async fn rebuild(
        &self,
        name: &str,
        progress: impl FnMut(RebuildProgress) + Send,
    ) -> anyhow::Result<RebuildReport> {
        let factory = factories(&self.settings).into_iter().find(|f| f.name() == name).with_context(|| {
            format!("there is no read model called `{name}`; the read models are {}", self.names().join(", "))
        })?;
        let _one_at_a_time = self.rebuilding.lock().await;
        let rebuilt = rebuild_beside(factory, Arc::clone(&self.store), progress).await?;
        let mut running = self.running.lock().await;
        let Some(runner) = running.take() else {
            rebuilt.discard().await?;
            anyhow::bail!("the read side has been shut down");
        };
        drop(runner.shutdown().await);
        let promoted = rebuilt.promote().await;
        // A connection opened before the swap would keep reading the replaced copy.
        self.views.forget_open_connections();
        self.answers.clear();
        // Reopen whichever copy is live now (the old one if the swap failed).
        let (runner, index) = Self::open_and_run(&self.settings, &self.store, self.options).await?;
        *self.views_checkpoint.write().unwrap_or_else(std::sync::PoisonError::into_inner) =
            runner.checkpoint_watch(VIEWS);
        // Answers computed between the swap and now were stamped with the old runner's
        // checkpoint: retire them too.
        self.views.forget_open_connections();
        self.answers.clear();
        *running = Some(runner);
        *self.search.write().unwrap_or_else(std::sync::PoisonError::into_inner) = index;
        let report = promoted?;
        info!(projection = report.name, events = report.events_applied, "rebuilt read model swapped in while serving");
        Ok(report)
    }

    /// Stops the projections after their current batches.
    pub async fn shutdown(&self) {
        if let Some(runner) = self.running.lock().await.take() {
            runner.shutdown().await;
        }
    }
}

/// A pool of read-only connections to the live views database.
///
/// Opening a connection per request costs more than the typical query (the file is opened, its
/// schema parsed, its page cache and prepared statements start empty). A connection sees each
/// new committed batch on its next query (WAL snapshots), but one opened before a rebuild was
/// swapped in keeps reading the replaced file: a swap bumps the generation, and connections of
/// an older generation are closed instead of reused.
struct ViewsReaders {
    database: PathBuf,
    generation: std::sync::atomic::AtomicU64,
    idle: std::sync::Mutex<Vec<(u64, ViewsReader)>>,
}

impl ViewsReaders {
    fn new(database: PathBuf) -> Self {
        Self { database, generation: std::sync::atomic::AtomicU64::new(0), idle: std::sync::Mutex::default() }
    }

    fn get(&self) -> Result<PooledViewsReader<'_>, ViewsError> {
        let generation = self.generation.load(std::sync::atomic::Ordering::Acquire);
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            idle.retain(|(of, _)| *of == generation);
            idle.pop()
        };
        let reader = match reused {
            Some((_, reader)) => reader,
            None => ViewsReader::open(&self.database)?,
        };
        Ok(PooledViewsReader { reader: Some(reader), generation, pool: self })
    }

    fn forget_open_connections(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// A views connection lent by the pool; it derefs to [`ViewsReader`] and returns on drop.
pub struct PooledViewsReader<'a> {
    reader: Option<ViewsReader>,
    /// Which file it reads: bumped by each swap.
    generation: u64,
    pool: &'a ViewsReaders,
}

impl std::ops::Deref for PooledViewsReader<'_> {
    type Target = ViewsReader;

    fn deref(&self) -> &ViewsReader {
        // Only `drop` takes the reader out.
        self.reader.as_ref().unwrap_or_else(|| unreachable!("a pooled reader is present until dropped"))
    }
}

impl Drop for PooledViewsReader<'_> {
    fn drop(&mut self) {
        let Some(reader) = self.reader.take() else { return };
        if self.generation != self.pool.generation.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        let mut idle = self.pool.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MAX_IDLE_VIEWS_READERS {
            idle.push((self.generation, reader));
        }
    }
}

/// When a kept answer was computed: the views file's generation and its checkpoint.
type AnswerStamp = (u64, Option<Position>);

/// Answers of views queries by key, each with the stamp it was computed at; bounded in bytes.
struct AnswerCache {
    entries: std::sync::Mutex<CachedAnswers>,
    /// Keys hash onto these; a computation holds its key's gate.
    gates: [tokio::sync::Mutex<()>; ANSWER_GATES],
}

/// How many gates keys share (a collision only makes two keys wait for each other).
const ANSWER_GATES: usize = 64;

impl Default for AnswerCache {
    fn default() -> Self {
        Self { entries: std::sync::Mutex::default(), gates: std::array::from_fn(|_| tokio::sync::Mutex::new(())) }
    }
}

#[derive(Default)]
struct CachedAnswers {
    by_key: std::collections::HashMap<String, CachedAnswer>,
    bytes: usize,
}

struct CachedAnswer {
    stamp: AnswerStamp,
    meta: Arc<dyn std::any::Any + Send + Sync>,
    bytes: Bytes,
}

impl AnswerCache {
    fn gate(&self, key: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher as _, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        &self.gates[usize::try_from(hash % ANSWER_GATES as u64).unwrap_or(0)]
    }

    fn get<M: Clone + 'static>(&self, key: &str, stamp: AnswerStamp) -> Option<(M, Bytes)> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let answer = entries.by_key.get(key).filter(|answer| answer.stamp == stamp)?;
        let meta = answer.meta.downcast_ref::<M>()?.clone();
        Some((meta, answer.bytes.clone()))
    }

    fn put<M: Send + Sync + 'static>(&self, key: String, stamp: AnswerStamp, meta: M, bytes: Bytes) {
        if bytes.len() > MAX_CACHED_ANSWER_BYTES / 4 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Answers filed under an older stamp will not be asked for again: drop them first.
        if entries.bytes + bytes.len() > MAX_CACHED_ANSWER_BYTES {
            entries.by_key.retain(|_, answer| answer.stamp == stamp);
            entries.bytes = entries.by_key.values().map(|answer| answer.bytes.len()).sum();
        }
        while entries.bytes + bytes.len() > MAX_CACHED_ANSWER_BYTES {
            let Some(victim) = entries.by_key.keys().next().cloned() else { break };
            if let Some(answer) = entries.by_key.remove(&victim) {
                entries.bytes -= answer.bytes.len();
            }
        }
        entries.bytes += bytes.len();
        let replaced = entries.by_key.insert(key, CachedAnswer { stamp, meta: Arc::new(meta), bytes });
        if let Some(replaced) = replaced {
            entries.bytes -= replaced.bytes.len();
        }
    }

    fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.by_key.clear();
        entries.bytes = 0;
    }
}

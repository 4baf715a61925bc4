//! Small projections for tests (feature `testing`): a SQLite counter that commits its
//! checkpoint in the same transaction as its data, with injectable faults, and its factory.
//!
//! The counter records every event it is given (position, id, stream, type) without
//! deduplicating, so applying an event twice or skipping one shows in [`CounterState`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::EventFilter;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::watch;

use crate::{Projection, ProjectionError, ProjectionFactory, promote_directory};

/// The database file inside a counter's location (a directory).
pub const COUNTER_DATABASE: &str = "counter.sqlite";

type CommitHook = Box<dyn Fn(u64) + Send + Sync>;

/// Faults and observations shared between a test and its counters; cheap to clone.
#[derive(Clone)]
pub struct Faults(Arc<FaultState>);

struct FaultState {
    storage_failures: AtomicU64,
    checkpoint_failures: AtomicU64,
    committed_batches: AtomicU64,
    on_commit: Mutex<Option<CommitHook>>,
    open_counters: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self(Arc::new(FaultState {
            storage_failures: AtomicU64::new(0),
            checkpoint_failures: AtomicU64::new(0),
            committed_batches: AtomicU64::new(0),
            on_commit: Mutex::new(None),
            open_counters: watch::channel(0).0,
        }))
    }
}

impl Faults {
    /// Resolves once every counter sharing these faults has been dropped (e.g. the one an
    /// aborted runner left applying on a blocking thread), as a crashed process's would be.
    pub async fn wait_until_all_closed(&self) {
        let mut open = self.0.open_counters.subscribe();
        let _ = open.wait_for(|n| *n == 0).await;
    }

    fn opened(&self) {
        self.0.open_counters.send_modify(|n| *n += 1);
    }

    fn closed(&self) {
        self.0.open_counters.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Makes the next `n` applies write their rows and then fail with a storage error instead
    /// of committing.
    pub fn fail_next_applies(&self, n: u64) {
        self.0.storage_failures.store(n, Ordering::SeqCst);
    }

    /// Makes the next `n` checkpoint reads fail with a storage error.
    pub fn fail_next_checkpoints(&self, n: u64) {
        self.0.checkpoint_failures.store(n, Ordering::SeqCst);
    }

    /// Storage failures still to come.
    pub fn pending_failures(&self) -> u64 {
        self.0.storage_failures.load(Ordering::SeqCst)
    }

    /// Batches committed by every counter sharing these faults.
    pub fn committed_batches(&self) -> u64 {
        self.0.committed_batches.load(Ordering::SeqCst)
    }

    /// Calls `hook` with the number of batches committed so far after each commit (on the
    /// blocking thread that committed).
    pub fn on_commit(&self, hook: impl Fn(u64) + Send + Sync + 'static) {
        if let Ok(mut slot) = self.0.on_commit.lock() {
            *slot = Some(Box::new(hook));
        }
    }

    fn take_one(counter: &AtomicU64) -> bool {
        counter.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
    }
}

fn storage(context: &str) -> impl FnOnce(rusqlite::Error) -> ProjectionError + '_ {
    move |error| ProjectionError::storage(context, error)
}

fn to_sql(n: u64) -> Result<i64, ProjectionError> {
    i64::try_from(n).map_err(|e| ProjectionError::storage("storing a position", e))
}

fn from_sql(n: i64) -> Result<u64, ProjectionError> {
    u64::try_from(n).map_err(|e| ProjectionError::storage("reading a position", e))
}

/// A projection counting events per stream in SQLite, its checkpoint in the same transaction.
pub struct CounterProjection {
    name: &'static str,
    filter: EventFilter,
    connection: Connection,
    poison_type: Option<String>,
    faults: Faults,
}

impl CounterProjection {
    /// Opens (creating) the counter database file at `path`.
    pub fn open(path: &Path, name: &'static str) -> Result<Self, ProjectionError> {
        let connection = Connection::open(path).map_err(storage("opening the counter database"))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA busy_timeout = 10000;
                 CREATE TABLE IF NOT EXISTS checkpoint (
                     id INTEGER PRIMARY KEY CHECK (id = 1),
                     commit_position INTEGER NOT NULL,
                     prepare_position INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS applied (
                     position INTEGER NOT NULL, event_id TEXT NOT NULL, stream TEXT NOT NULL, event_type TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS per_stream (stream TEXT PRIMARY KEY, events INTEGER NOT NULL);",
            )
            .map_err(storage("creating the counter schema"))?;
        let faults = Faults::default();
        faults.opened();
        Ok(Self { name, filter: EventFilter::all(), connection, poison_type: None, faults })
    }

    /// Counts only events passing `filter`.
    pub fn with_filter(mut self, filter: EventFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Treats events of type `event_type` as poison.
    pub fn with_poison_type(mut self, event_type: impl Into<String>) -> Self {
        self.poison_type = Some(event_type.into());
        self
    }

    /// Shares `faults` with the test.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults.closed();
        faults.opened();
        self.faults = faults;
        self
    }
}

impl Drop for CounterProjection {
    fn drop(&mut self) {
        self.faults.closed();
    }
}

impl Projection for CounterProjection {
    fn name(&self) -> &'static str {
        self.name
    }

    fn filter(&self) -> EventFilter {
        self.filter.clone()
    }

    fn checkpoint(&self) -> Result<Option<Position>, ProjectionError> {
        if Faults::take_one(&self.faults.0.checkpoint_failures) {
            return Err(ProjectionError::storage("reading the counter checkpoint", "injected storage failure"));
        }
        read_checkpoint(&self.connection)
    }

    fn apply(&mut self, batch: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = batch.last() else { return Ok(()) };
        let transaction = self.connection.transaction().map_err(storage("starting a counter transaction"))?;
        for event in batch {
            if self.poison_type.as_deref() == Some(event.event_type.as_str()) {
                return Err(ProjectionError::poison(event, "the counter refuses this event type"));
            }
            transaction
                .execute(
                    "INSERT INTO applied (position, event_id, stream, event_type) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        to_sql(event.position.commit)?,
                        event.id.to_string(),
                        event.stream.as_str(),
                        event.event_type.as_str()
                    ],
                )
                .map_err(storage("recording an event"))?;
            transaction
                .execute(
                    "INSERT INTO per_stream (stream, events) VALUES (?1, 1)
                     ON CONFLICT (stream) DO UPDATE SET events = events + 1",
                    [event.stream.as_str()],
                )
                .map_err(storage("counting an event"))?;
        }
        transaction
            .execute(
                "INSERT INTO checkpoint (id, commit_position, prepare_position) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET commit_position = ?1, prepare_position = ?2",
                params![to_sql(last.position.commit)?, to_sql(last.position.prepare)?],
            )
            .map_err(storage("writing the checkpoint"))?;
        if Faults::take_one(&self.faults.0.storage_failures) {
            // Dropping the transaction rolls back the rows written above.
            return Err(ProjectionError::storage("committing the counter", "injected storage failure"));
        }
        transaction.commit().map_err(storage("committing the counter"))?;
        let batches = self.faults.0.committed_batches.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(hook) = self.faults.0.on_commit.lock()
            && let Some(hook) = hook.as_ref()
        {
            hook(batches);
        }
        Ok(())
    }
}

fn read_checkpoint(connection: &Connection) -> Result<Option<Position>, ProjectionError> {
    let row: Option<(i64, i64)> = connection
        .query_row("SELECT commit_position, prepare_position FROM checkpoint WHERE id = 1", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()
        .map_err(storage("reading the counter checkpoint"))?;
    row.map(|(commit, prepare)| Ok(Position { commit: from_sql(commit)?, prepare: from_sql(prepare)? })).transpose()
}

/// Everything a counter holds, for comparing two of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterState {
    /// Its checkpoint.
    pub checkpoint: Option<Position>,
    /// Every application of an event, in insertion order: (position, event id).
    pub applied: Vec<(u64, String)>,
    /// Events counted per stream.
    pub per_stream: BTreeMap<String, u64>,
}

impl CounterState {
    /// Reads the counter database file at `path`.
    pub fn load(path: &Path) -> Result<Self, ProjectionError> {
        let connection = Connection::open(path).map_err(storage("opening the counter database"))?;
        let checkpoint = read_checkpoint(&connection)?;
        let mut applied = Vec::new();
        let mut statement =
            connection.prepare("SELECT position, event_id FROM applied ORDER BY rowid").map_err(storage("reading"))?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(storage("reading"))?;
        for row in rows {
            let (position, id) = row.map_err(storage("reading"))?;
            applied.push((from_sql(position)?, id));
        }
        let mut per_stream = BTreeMap::new();
        let mut statement = connection.prepare("SELECT stream, events FROM per_stream").map_err(storage("reading"))?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))
            .map_err(storage("reading"))?;
        for row in rows {
            let (stream, events) = row.map_err(storage("reading"))?;
            per_stream.insert(stream, from_sql(events)?);
        }
        Ok(Self { checkpoint, applied, per_stream })
    }

    /// How many event applications it recorded.
    pub fn total(&self) -> u64 {
        self.applied.len() as u64
    }
}

/// Opens counters in a directory per location (`<location>/counter.sqlite`) and swaps
/// directories on promote.
pub struct CounterFactory {
    name: &'static str,
    live: PathBuf,
    filter: EventFilter,
    faults: Faults,
    poison_type: Option<String>,
}

impl CounterFactory {
    /// A factory for the counter `name` whose live directory is `live`.
    pub fn new(name: &'static str, live: impl Into<PathBuf>) -> Self {
        Self { name, live: live.into(), filter: EventFilter::all(), faults: Faults::default(), poison_type: None }
    }

    /// Counters it opens count only events passing `filter`.
    pub fn with_filter(mut self, filter: EventFilter) -> Self {
        self.filter = filter;
        self
    }

    /// Counters it opens share `faults`.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Counters it opens treat events of type `event_type` as poison.
    pub fn with_poison_type(mut self, event_type: impl Into<String>) -> Self {
        self.poison_type = Some(event_type.into());
        self
    }

    /// Opens the live counter.
    pub fn open_live(&self) -> Result<CounterProjection, ProjectionError> {
        self.open_counter(&self.live)
    }

    /// The live counter's database file.
    pub fn live_database(&self) -> PathBuf {
        self.live.join(COUNTER_DATABASE)
    }

    fn open_counter(&self, location: &Path) -> Result<CounterProjection, ProjectionError> {
        std::fs::create_dir_all(location)
            .map_err(|e| ProjectionError::storage(format!("creating {}", location.display()), e))?;
        let counter = CounterProjection::open(&location.join(COUNTER_DATABASE), self.name)?
            .with_filter(self.filter.clone())
            .with_faults(self.faults.clone());
        Ok(match &self.poison_type {
            Some(poison) => counter.with_poison_type(poison.clone()),
            None => counter,
        })
    }
}

impl ProjectionFactory for CounterFactory {
    fn name(&self) -> &'static str {
        self.name
    }

    fn live_location(&self) -> PathBuf {
        self.live.clone()
    }

    fn open(&self, location: &Path) -> Result<Box<dyn Projection>, ProjectionError> {
        Ok(Box::new(self.open_counter(location)?))
    }

    fn promote(&self, rebuilt: &Path) -> Result<(), ProjectionError> {
        promote_directory(rebuilt, &self.live)
    }
}

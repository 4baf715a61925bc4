//! SqliteStore: the embedded default, one file, no setup.
//!
//! Who owns what:
//! - the [`writer`] owns the only write connection behind a lock; an append that finds it free
//!   commits on its own thread (inside `block_in_place`), otherwise it queues and the writer
//!   thread commits everything waiting in one transaction — group commit, one flush for many;
//! - a pool of read-only connections ([`ReadPool`]) serves reads on the blocking thread pool;
//! - a `watch` channel carries the position of the last committed event from the writer to
//!   subscriptions, which sleep on it instead of polling;
//! - other processes may append to the same file (`kirjuri token create` beside a running
//!   server, two servers on one data directory): the writer re-reads the last position under
//!   SQLite's write lock before each group, and a watcher thread looks for commits made by
//!   other processes every [`SqliteStoreOptions::external_commit_poll`] and moves the `watch`
//!   on, so subscriptions deliver them within that interval (this process's own commits wake
//!   them at once).
//!
//! Durability: WAL with `synchronous=FULL`, so a commit returns only after the WAL is flushed.
//! Event ids are unique across the whole store (KurrentDB only dedupes per stream).

mod check;
pub mod file_format;
mod rows;
mod schema;
mod writer;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use kirjuri_events::{ExpectedRevision, NewEvent, Position, RecordedEvent, Revision, StreamName};
use rusqlite::{Connection, OptionalExtension};
use tokio::sync::{oneshot, watch};

pub use check::StoreCheckReport;
pub use schema::{MIGRATIONS as SCHEMA_MIGRATIONS, SCHEMA_VERSION};

use crate::subscription::PageSender;
use crate::{
    AppendResult, Direction, EventFilter, EventStore, ReadAllOptions, ReadStreamOptions, StoreError, SubscribeFrom,
    Subscription, rules,
};

/// How to open a [`SqliteStore`].
#[derive(Debug, Clone)]
pub struct SqliteStoreOptions {
    /// The database file (`events.sqlite` in the data directory).
    pub path: PathBuf,
    /// The largest event (data plus metadata) in bytes.
    pub max_event_bytes: usize,
    /// How many idle read connections the pool keeps.
    pub read_connections: usize,
    /// SQLite page cache of the write connection, in KiB (readers get a quarter each).
    pub cache_kib: u32,
    /// How often to look for events other processes appended to the file, so that
    /// subscriptions deliver them (at most this late).
    pub external_commit_poll: Duration,
}

/// The default of [`SqliteStoreOptions::external_commit_poll`].
pub const DEFAULT_EXTERNAL_COMMIT_POLL: Duration = Duration::from_millis(100);

impl SqliteStoreOptions {
    /// Defaults for the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            max_event_bytes: crate::DEFAULT_MAX_EVENT_BYTES,
            read_connections: 8,
            cache_kib: 32 * 1024,
            external_commit_poll: DEFAULT_EXTERNAL_COMMIT_POLL,
        }
    }
}

/// How many events a subscription reads per page while catching up.
const SUBSCRIPTION_PAGE: usize = 2_000;

/// Read-only connections, opened on demand and kept for reuse.
struct ReadPool {
    path: String,
    cache_kib: u32,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
}

impl ReadPool {
    fn with<R>(&self, read: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let pooled = self.idle.lock().map_err(|_| StoreError::Corrupt("read pool lock poisoned".into()))?.pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => schema::open_reader(&self.path, self.cache_kib)?,
        };
        let result = read(&connection);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(connection);
        }
        result
    }

    /// Runs a read on the blocking thread pool.
    async fn run<R: Send + 'static>(
        self: &Arc<Self>,
        read: impl FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || pool.with(read))
            .await
            .map_err(|e| StoreError::unavailable("running a read", e))?
    }
}

/// Closes the writer when the last store handle goes, so its thread ends.
struct WriterHandle(Arc<writer::Writer>);

impl Drop for WriterHandle {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The embedded event store. Cheap to clone; the writer stops when the last clone is dropped.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Arc<WriterHandle>,
    head: watch::Receiver<u64>,
    readers: Arc<ReadPool>,
    max_event_bytes: usize,
}

impl SqliteStore {
    /// Opens (creating or migrating) the store file and starts its writer thread.
    pub fn open(options: SqliteStoreOptions) -> Result<Self, StoreError> {
        let path = options.path.to_str().ok_or_else(|| StoreError::InvalidArgument {
            field: "event store path",
            rule: format!("must be valid UTF-8, was {}", options.path.display()),
        })?;
        let connection = schema::open_writer(path, options.cache_kib)?;
        let last_position: Option<i64> = connection
            .query_row("SELECT max(position) FROM events", [], |row| row.get(0))
            .optional()
            .map_err(|e| StoreError::unavailable("reading the head position", e))?
            .flatten();
        let committed = last_position.unwrap_or(0);
        let (head_sender, head) = watch::channel(u64::try_from(committed).unwrap_or(0));
        let head_sender = Arc::new(head_sender);
        let writer = Arc::new(writer::Writer::new(connection, committed, Arc::clone(&head_sender)));
        let thread_writer = Arc::clone(&writer);
        std::thread::Builder::new()
            .name("kirjuri-store-writer".into())
            .spawn(move || thread_writer.run())
            .map_err(|e| StoreError::unavailable("starting the writer thread", e))?;
        let readers = Arc::new(ReadPool {
            path: path.to_owned(),
            cache_kib: (options.cache_kib / 4).max(1024),
            idle: Mutex::new(Vec::new()),
            max_idle: options.read_connections.max(1),
        });
        let watched_writer = Arc::clone(&writer);
        let watch_path = path.to_owned();
        let poll = options.external_commit_poll.max(Duration::from_millis(1));
        std::thread::Builder::new()
            .name("kirjuri-store-watch".into())
            .spawn(move || watch_external_commits(&watch_path, &watched_writer, &head_sender, poll))
            .map_err(|e| StoreError::unavailable("starting the watcher thread", e))?;
        Ok(Self { writer: Arc::new(WriterHandle(writer)), head, readers, max_event_bytes: options.max_event_bytes })
    }

    /// Runs SQLite's integrity check and the store's own invariants.
    pub async fn check(&self) -> Result<StoreCheckReport, StoreError> {
        self.readers.run(check::run).await
    }
}

/// Moves `head` on when another process has committed past it, every `poll`, until the
/// writer closes. `PRAGMA data_version` changes only when another connection committed, so an
/// idle tick costs no read of the log.
fn watch_external_commits(path: &str, writer: &writer::Writer, head: &watch::Sender<u64>, poll: Duration) {
    let mut connection: Option<Connection> = None;
    let mut seen_version: Option<i64> = None;
    while !writer.is_closed() {
        std::thread::sleep(poll);
        if connection.is_none() {
            connection = schema::open_reader(path, 1024).ok();
        }
        let Some(reader) = connection.as_ref() else { continue };
        let read = reader.query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0)).and_then(|version| {
            if seen_version == Some(version) {
                return Ok(None);
            }
            seen_version = Some(version);
            reader.query_row("SELECT coalesce(max(position), 0) FROM events", [], |row| row.get::<_, i64>(0)).map(Some)
        });
        match read {
            Ok(Some(on_disk)) => {
                let on_disk = u64::try_from(on_disk).unwrap_or(0);
                head.send_if_modified(|current| {
                    let advanced = on_disk > *current;
                    if advanced {
                        *current = on_disk;
                    }
                    advanced
                });
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "looking for commits of other processes failed; retrying");
                connection = None;
                seen_version = None;
            }
        }
    }
}

/// Feeds a subscription: pages of history, then waits on the writer's commits.
async fn feed_subscription(
    readers: Arc<ReadPool>,
    mut head: watch::Receiver<u64>,
    from: SubscribeFrom,
    filter: EventFilter,
    pages: PageSender,
) {
    let mut scanned_to = match from {
        SubscribeFrom::Start => 0,
        SubscribeFrom::After(position) => position.commit,
    };
    loop {
        let committed = *head.borrow_and_update();
        while scanned_to < committed {
            let filter = filter.clone();
            let lower = scanned_to + 1;
            let page = readers
                .run(move |connection| {
                    let (sql, params) =
                        rows::all_query(Direction::Forward, Some(lower), Some(committed), &filter, SUBSCRIPTION_PAGE);
                    rows::query_events(connection, &sql, params)
                })
                .await;
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    let _ = pages.send(Err(error)).await;
                    return;
                }
            };
            // A short page means everything up to `committed` has been seen, matching or not.
            scanned_to = match page.last() {
                Some(last) if page.len() == SUBSCRIPTION_PAGE => last.position.commit,
                _ => committed,
            };
            if !page.is_empty() && pages.send(Ok(page)).await.is_err() {
                return;
            }
        }
        if head.changed().await.is_err() {
            let _ = pages.send(Err(StoreError::Closed)).await;
            return;
        }
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        rules::check_append(stream, &events, self.max_event_bytes)?;
        let (reply, outcome) = oneshot::channel();
        let request = writer::AppendRequest { stream: stream.clone(), expected, events, reply };
        let writer = &self.writer.0;
        // Committing on this thread blocks it for one flush; tell the runtime so that it moves
        // its other tasks elsewhere. Without a multi-thread runtime, queue for the writer thread.
        let multi_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if multi_thread && writer.is_idle() {
            tokio::task::block_in_place(|| writer.submit(request))?;
        } else {
            writer.enqueue(request)?;
        }
        outcome.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        options: ReadStreamOptions,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        rules::check_limit(options.limit)?;
        let (sql, params) = rows::stream_query(stream, options.direction, options.from, options.limit);
        self.readers.run(move |connection| rows::query_events(connection, &sql, params)).await
    }

    async fn read_all(&self, options: ReadAllOptions) -> Result<Vec<RecordedEvent>, StoreError> {
        rules::check_limit(options.limit)?;
        let from = options.from.map(|p| p.commit);
        let (lower, upper) = match options.direction {
            Direction::Forward => (from, None),
            Direction::Backward => (None, from),
        };
        let (sql, params) = rows::all_query(options.direction, lower, upper, &options.filter, options.limit);
        self.readers.run(move |connection| rows::query_events(connection, &sql, params)).await
    }

    async fn subscribe_all(&self, from: SubscribeFrom, filter: EventFilter) -> Result<Subscription, StoreError> {
        let readers = Arc::clone(&self.readers);
        let head = self.head.clone();
        Ok(Subscription::spawn(4, move |pages| feed_subscription(readers, head, from, filter, pages)))
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<Option<Revision>, StoreError> {
        let name = stream.as_str().to_owned();
        self.readers
            .run(move |connection| {
                let revision: Option<i64> = connection
                    .prepare_cached("SELECT revision FROM events WHERE stream = ?1 ORDER BY revision DESC LIMIT 1")
                    .and_then(|mut s| s.query_row([name.as_str()], |r| r.get(0)).optional())
                    .map_err(|e| StoreError::unavailable("reading a stream revision", e))?;
                Ok(revision.and_then(|r| u64::try_from(r).ok()).map(Revision))
            })
            .await
    }

    async fn head_position(&self) -> Result<Option<Position>, StoreError> {
        let committed = *self.head.borrow();
        Ok((committed > 0).then(|| Position::sequence(committed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::event;

    fn stream() -> StreamName {
        StreamName::parse(&format!("test-{}", uuid::Uuid::new_v4())).unwrap_or_else(|e| panic!("{e}"))
    }

    async fn append_in_turn(store: &SqliteStore, appends: u64) -> StreamName {
        let stream = stream();
        for n in 0..appends {
            let expected = if n == 0 { ExpectedRevision::NoStream } else { ExpectedRevision::Exact(Revision(n - 1)) };
            let result = store.append(&stream, expected, vec![event("Counted", serde_json::json!({ "n": n }))]).await;
            assert_eq!(result.map(|r| r.next_expected).ok(), Some(Revision(n)));
        }
        stream
    }

    #[tokio::test(flavor = "current_thread")]
    async fn appends_from_a_single_threaded_runtime_go_through_the_writer_thread() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store =
            SqliteStore::open(SqliteStoreOptions::new(dir.path().join("e.sqlite"))).unwrap_or_else(|e| panic!("{e}"));
        let stream = append_in_turn(&store, 20).await;
        assert_eq!(store.stream_revision(&stream).await.ok().flatten(), Some(Revision(19)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_from_tasks_and_blocking_threads_all_commit() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store =
            SqliteStore::open(SqliteStoreOptions::new(dir.path().join("e.sqlite"))).unwrap_or_else(|e| panic!("{e}"));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move { append_in_turn(&store, 25).await }));
        }
        let handle = tokio::runtime::Handle::current();
        let blocking_store = store.clone();
        let from_blocking = tokio::task::spawn_blocking(move || handle.block_on(append_in_turn(&blocking_store, 25)));
        let mut streams = Vec::new();
        for task in tasks {
            streams.push(task.await.unwrap_or_else(|e| panic!("{e}")));
        }
        streams.push(from_blocking.await.unwrap_or_else(|e| panic!("{e}")));
        for stream in &streams {
            assert_eq!(store.stream_revision(stream).await.ok().flatten(), Some(Revision(24)));
        }
        let head = store.head_position().await.ok().flatten();
        assert_eq!(head, Some(Position::sequence(9 * 25)), "positions are gapless and count every event");
        let report = store.check().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(report.is_healthy(), "{:?}", report.problems);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_store_stops_its_subscriptions() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store =
            SqliteStore::open(SqliteStoreOptions::new(dir.path().join("e.sqlite"))).unwrap_or_else(|e| panic!("{e}"));
        append_in_turn(&store, 3).await;
        let mut subscription =
            store.subscribe_all(SubscribeFrom::Start, EventFilter::all()).await.unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..3 {
            assert!(matches!(subscription.next_event().await, Some(Ok(_))));
        }
        drop(store);
        let end = tokio::time::timeout(std::time::Duration::from_secs(10), subscription.next_event()).await;
        assert!(matches!(end, Ok(Some(Err(StoreError::Closed)))), "{end:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_stores_on_one_file_interleave_appends_and_see_each_others_events() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("e.sqlite");
        let mut options = SqliteStoreOptions::new(&path);
        options.external_commit_poll = std::time::Duration::from_millis(20);
        let here = SqliteStore::open(options.clone()).unwrap_or_else(|e| panic!("{e}"));
        let elsewhere = SqliteStore::open(options).unwrap_or_else(|e| panic!("{e}"));
        let mut subscription =
            here.subscribe_all(SubscribeFrom::Start, EventFilter::all()).await.unwrap_or_else(|e| panic!("{e}"));

        let shared = append_in_turn(&here, 2).await;
        let theirs = append_in_turn(&elsewhere, 3).await;
        // `here` remembers `shared` at revision 1; `elsewhere` moves it on, then `here` must not
        // trust its memory, and its rejected append must not delete the other store's rows.
        let moved = elsewhere
            .append(&shared, ExpectedRevision::Exact(Revision(1)), vec![event("Counted", serde_json::json!({}))])
            .await;
        assert_eq!(moved.map(|r| r.next_expected).ok(), Some(Revision(2)));
        let stale = here
            .append(&shared, ExpectedRevision::Exact(Revision(1)), vec![event("Counted", serde_json::json!({}))])
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict { actual: Some(Revision(2)), .. })), "{stale:?}");
        let mine = append_in_turn(&here, 1).await;

        assert_eq!(here.stream_revision(&theirs).await.ok().flatten(), Some(Revision(2)));
        assert_eq!(elsewhere.stream_revision(&mine).await.ok().flatten(), Some(Revision(0)));
        let report = here.check().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(report.is_healthy(), "{:?}", report.problems);
        let mut positions = Vec::new();
        for _ in 0..7 {
            let delivered = tokio::time::timeout(std::time::Duration::from_secs(5), subscription.next_event()).await;
            match delivered {
                Ok(Some(Ok(event))) => positions.push(event.position.commit),
                other => panic!("the subscription stopped early: {other:?}"),
            }
        }
        assert_eq!(positions, (1..=7).collect::<Vec<u64>>(), "every event of both stores, in order, once");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_another_store_appends_reaches_a_subscription_within_the_poll_interval() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("e.sqlite");
        let here = SqliteStore::open(SqliteStoreOptions::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        let elsewhere = SqliteStore::open(SqliteStoreOptions::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        let mut subscription =
            here.subscribe_all(SubscribeFrom::Start, EventFilter::all()).await.unwrap_or_else(|e| panic!("{e}"));
        let started = std::time::Instant::now();
        append_in_turn(&elsewhere, 1).await;
        let delivered = tokio::time::timeout(std::time::Duration::from_secs(5), subscription.next_event()).await;
        let waited = started.elapsed();
        assert!(matches!(delivered, Ok(Some(Ok(_)))), "{delivered:?}");
        // The poll interval plus a generous allowance for a loaded machine.
        assert!(waited < DEFAULT_EXTERNAL_COMMIT_POLL * 10, "delivered after {waited:?}");
        assert_eq!(here.head_position().await.ok().flatten(), Some(Position::sequence(1)));
    }
}

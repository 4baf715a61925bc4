//! `kirjuri bench store`: the embedded store's write, read and memory figures, each printed
//! beside the limit it is measured against in the same run.
//!
//! Order of the run, each phase on a fresh file in the bench directory:
//! 1. the disk's flush rate (append 200 bytes, `sync_data`): the ceiling for durable commits;
//! 2. a plain rusqlite loop over the store's schema, batches of 100: the engine's own ceiling;
//! 3. one writer, one event per append, `Exact` revisions over 100 streams (vs the flush rate);
//! 4. 64 concurrent writers on distinct streams, one event per append (group commit);
//! 5. one writer, batches of 100 events (vs the plain loop);
//! 6. a store of `--events` events, then `read_all` forward and a subscription catching up;
//! 7. the process's peak resident memory.
//!
//! The whole run happens on its own thread with its own tokio runtime, so the caller may be a
//! plain thread or already inside a runtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use kirjuri_events::Position;
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions, SubscribeFrom};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::baseline::{measure_flush_rate, measure_plain_sqlite};
use super::report::{Figure, Report, Target};
use super::workload::{LessonEvents, StreamRotation};
use super::{ScratchDir, remove_sqlite_files};

/// The large store's size unless `--events` says otherwise.
const DEFAULT_LARGE_EVENTS: u64 = 1_000_000;
/// How much `--quick` scales the run down.
const QUICK_SCALE: u64 = 20;

/// The targets (issue 2, "Performance").
const SINGLE_WRITER_MIN_RATIO_TO_FLUSH: f64 = 0.8;
const CONCURRENT64_MIN_EVENTS_PER_S: f64 = 30_000.0;
const BATCH100_MIN_EVENTS_PER_S: f64 = 60_000.0;
const BATCH100_MIN_RATIO_TO_PLAIN: f64 = 0.8;
const READ_ALL_MIN_EVENTS_PER_S: f64 = 500_000.0;
const SUBSCRIPTION_MIN_EVENTS_PER_S: f64 = 300_000.0;
const PEAK_RSS_MAX_MB: f64 = 200.0;

/// Options of `kirjuri bench store`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StoreBenchArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Events in the large store that the read figures use [default: 1,000,000; 50,000 with --quick].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub events: Option<u64>,
    /// Where the temporary stores go (a fresh directory inside it, removed at the end)
    /// [default: the system temp directory].
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Scale everything down about 20x for a smoke run.
    #[arg(long)]
    pub quick: bool,
}

/// The sizes of every phase of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoreBenchParams {
    /// Whether `--quick` scaled the run down.
    pub quick: bool,
    /// Flushes of the flush probe, at most.
    pub flushes: u64,
    /// Seconds of the flush probe, at most.
    pub flush_secs: f64,
    /// Appends of the single writer, at most.
    pub single_writer_appends: u64,
    /// Seconds of the single writer, at most.
    pub single_writer_secs: f64,
    /// Streams the single writer and the batch writer take in turn.
    pub rotation_streams: usize,
    /// Concurrent writers, each on its own stream.
    pub concurrent_writers: usize,
    /// Events the concurrent writers append together, at most.
    pub concurrent_events: u64,
    /// Seconds of the concurrent writers, at most.
    pub concurrent_secs: f64,
    /// Events per append of the batch writer and per transaction of the plain loop.
    pub batch_size: usize,
    /// Events the batch writer and the plain loop each write.
    pub batch_events: u64,
    /// Events in the large store.
    pub large_events: u64,
    /// Events per append while building the large store.
    pub large_batch_size: usize,
    /// Concurrent writers building the large store.
    pub large_writers: usize,
    /// Streams of the large store.
    pub large_streams: usize,
    /// Events per `read_all` page.
    pub read_page: usize,
    /// Whether to print progress on stderr.
    #[serde(skip)]
    pub progress: bool,
}

impl StoreBenchParams {
    /// The full run (`quick == false`) or the ~20x smaller smoke run.
    pub fn new(quick: bool, large_events: Option<u64>) -> Self {
        let scale = if quick { QUICK_SCALE } else { 1 };
        let large_events = large_events.unwrap_or(DEFAULT_LARGE_EVENTS / scale).max(1);
        Self {
            quick,
            flushes: 3_000 / scale,
            flush_secs: 3.0 / scale as f64,
            single_writer_appends: 3_000 / scale,
            single_writer_secs: 3.0 / scale as f64,
            rotation_streams: 100,
            concurrent_writers: 64,
            concurrent_events: 200_000 / scale,
            concurrent_secs: 5.0 / scale as f64,
            batch_size: 100,
            batch_events: 200_000 / scale,
            large_events,
            large_batch_size: 500,
            large_writers: 4,
            large_streams: usize::try_from((large_events / 5_000).clamp(4, 1_000)).unwrap_or(1_000),
            read_page: 5_000,
            progress: true,
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct StoreBenchMeasurements {
    /// Flushes per second of the disk.
    pub flush_per_s: f64,
    /// Events per second of the plain SQLite loop, in batches.
    pub plain_sqlite_batch_events_per_s: f64,
    /// Events per second of the plain SQLite loop, one event per transaction.
    pub plain_sqlite_single_events_per_s: f64,
    /// Appends per second of one writer, one event each.
    pub single_writer_events_per_s: f64,
    /// Events per second of the concurrent writers.
    pub concurrent_events_per_s: f64,
    /// Median append latency of the concurrent writers, in ms.
    pub concurrent_p50_ms: f64,
    /// 99th-percentile append latency of the concurrent writers, in ms.
    pub concurrent_p99_ms: f64,
    /// Events per second of one writer in batches.
    pub batch_events_per_s: f64,
    /// Events per second while building the large store.
    pub bulk_load_events_per_s: f64,
    /// Events the large store holds.
    pub large_store_events: u64,
    /// Events per second of `read_all` forward over the large store.
    pub read_all_events_per_s: f64,
    /// Events `read_all` returned.
    pub read_all_events: u64,
    /// Events per second of a subscription catching up over the large store.
    pub subscription_catchup_events_per_s: f64,
    /// Events the subscription delivered.
    pub subscription_events: u64,
    /// The process's peak resident memory, in MB.
    pub peak_rss_mb: f64,
}

/// Runs the store benchmark and prints its report.
pub fn run_store_bench(args: &StoreBenchArgs) -> anyhow::Result<()> {
    let params = StoreBenchParams::new(args.quick, args.events);
    let parent = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir(),
    };
    let bench_dir = ScratchDir::create_in("store", &parent)?;
    let measurements = measure_on_own_thread(&params, bench_dir.path())?;
    let report = build_report(&params, &measurements, bench_dir.path());
    drop(bench_dir);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json()).context("serialising the report")?);
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}

/// Runs every phase on a new thread with its own tokio runtime, storing files under `dir`.
pub fn measure_on_own_thread(params: &StoreBenchParams, dir: &Path) -> anyhow::Result<StoreBenchMeasurements> {
    let params = params.clone();
    let dir = dir.to_owned();
    std::thread::Builder::new()
        .name("kirjuri-bench-store".to_owned())
        .spawn(move || measure(&params, &dir))
        .context("starting the benchmark thread")?
        .join()
        .map_err(|_| anyhow::anyhow!("the benchmark thread panicked"))?
}

fn measure(params: &StoreBenchParams, dir: &Path) -> anyhow::Result<StoreBenchMeasurements> {
    let progress = |phase: &str| {
        if params.progress {
            eprintln!("bench store: {phase}");
        }
    };
    let mut measured = StoreBenchMeasurements::default();

    progress("measuring the disk flush rate");
    measured.flush_per_s =
        measure_flush_rate(&dir.join("flush-probe.dat"), params.flushes, Duration::from_secs_f64(params.flush_secs))?;

    progress("measuring a plain SQLite loop");
    measured.plain_sqlite_batch_events_per_s = measure_plain_sqlite(
        &dir.join("plain.sqlite"),
        params.batch_events,
        params.batch_size,
        params.rotation_streams,
    )?;
    measured.plain_sqlite_single_events_per_s = measure_plain_sqlite(
        &dir.join("plain-single.sqlite"),
        params.single_writer_appends.max(1),
        1,
        params.rotation_streams,
    )?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kirjuri-bench-worker")
        .build()
        .context("building the benchmark's tokio runtime")?;
    runtime.block_on(async {
        progress("one writer, one event per append");
        let store = open_fresh_store(&dir.join("single-writer.sqlite"))?;
        measured.single_writer_events_per_s = one_writer_one_event(store.as_ref(), params).await?;
        close_store(store, &dir.join("single-writer.sqlite"))?;

        progress("concurrent writers, one event per append");
        let store = open_fresh_store(&dir.join("concurrent.sqlite"))?;
        let (rate, latencies) = concurrent_writers(Arc::clone(&store), params).await?;
        measured.concurrent_events_per_s = rate;
        measured.concurrent_p50_ms = percentile_ms(&latencies, 50.0);
        measured.concurrent_p99_ms = percentile_ms(&latencies, 99.0);
        close_store(store, &dir.join("concurrent.sqlite"))?;

        progress("one writer, batches");
        let store = open_fresh_store(&dir.join("batch.sqlite"))?;
        measured.batch_events_per_s = one_writer_batches(store.as_ref(), params).await?;
        close_store(store, &dir.join("batch.sqlite"))?;

        progress("building the large store");
        let store = open_fresh_store(&dir.join("large.sqlite"))?;
        measured.bulk_load_events_per_s = build_large_store(Arc::clone(&store), params).await?;
        measured.large_store_events = params.large_events;

        progress("reading the large store with read_all");
        let (rate, count) = read_all_forward(store.as_ref(), params.read_page).await?;
        measured.read_all_events_per_s = rate;
        measured.read_all_events = count;

        progress("catching up a subscription over the large store");
        let (rate, count) = subscription_catch_up(store.as_ref()).await?;
        measured.subscription_catchup_events_per_s = rate;
        measured.subscription_events = count;
        close_store(store, &dir.join("large.sqlite"))?;
        anyhow::Ok(())
    })?;
    drop(runtime);

    measured.peak_rss_mb = peak_rss_mb()?;
    ensure!(
        measured.read_all_events == params.large_events,
        "read_all returned {} events but {} were written",
        measured.read_all_events,
        params.large_events
    );
    ensure!(
        measured.subscription_events == params.large_events,
        "the subscription delivered {} events but {} were written",
        measured.subscription_events,
        params.large_events
    );
    Ok(measured)
}

pub(crate) fn open_fresh_store(path: &Path) -> anyhow::Result<Arc<dyn EventStore>> {
    remove_sqlite_files(path)?;
    let store = SqliteStore::open(SqliteStoreOptions::new(path))
        .with_context(|| format!("opening the bench store {}", path.display()))?;
    Ok(Arc::new(store))
}

pub(crate) fn close_store(store: Arc<dyn EventStore>, path: &Path) -> anyhow::Result<()> {
    drop(store);
    remove_sqlite_files(path)
}

/// Appends per second of one writer appending one event at a time, `Exact` revisions over a
/// rotation of streams.
pub(crate) async fn one_writer_one_event(store: &dyn EventStore, params: &StoreBenchParams) -> anyhow::Result<f64> {
    let mut lessons = LessonEvents::starting_at(0)?;
    let mut rotation = StreamRotation::new(&lessons, params.rotation_streams);
    let max_time = Duration::from_secs_f64(params.single_writer_secs);
    let started = Instant::now();
    let mut appends = 0_u64;
    while appends < params.single_writer_appends.max(1) && (appends == 0 || started.elapsed() < max_time) {
        let slot = rotation.next_slot();
        let event = lessons.next_event(Uuid::now_v7())?;
        let result = store
            .append(rotation.stream(slot), rotation.expected(slot), vec![event])
            .await
            .context("appending one event")?;
        rotation.appended(slot, result.next_expected);
        appends += 1;
    }
    Ok(appends as f64 / started.elapsed().as_secs_f64())
}

/// Events per second and every append's latency of `concurrent_writers` tasks, each appending
/// one event at a time to its own stream.
pub(crate) async fn concurrent_writers(
    store: Arc<dyn EventStore>,
    params: &StoreBenchParams,
) -> anyhow::Result<(f64, Vec<Duration>)> {
    let claimed = Arc::new(AtomicU64::new(0));
    let total = params.concurrent_events.max(params.concurrent_writers as u64);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(params.concurrent_secs);
    let mut writers = Vec::with_capacity(params.concurrent_writers);
    for writer in 0..params.concurrent_writers {
        let store = Arc::clone(&store);
        let claimed = Arc::clone(&claimed);
        let mut lessons = LessonEvents::starting_at(writer as u64 * 1_000_000_000)?;
        writers.push(tokio::spawn(async move {
            let stream = lessons.new_stream();
            let mut expected = kirjuri_events::ExpectedRevision::NoStream;
            let mut latencies = Vec::new();
            // Every writer appends at least once, so the figure counts all of them.
            while latencies.is_empty() || (claimed.fetch_add(1, Ordering::Relaxed) < total && Instant::now() < deadline)
            {
                let event = lessons.next_event(Uuid::now_v7())?;
                let append_started = Instant::now();
                let result = store.append(&stream, expected, vec![event]).await.context("appending one event")?;
                latencies.push(append_started.elapsed());
                expected = kirjuri_events::ExpectedRevision::Exact(result.next_expected);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for writer in writers {
        latencies.extend(writer.await.context("a concurrent writer panicked")??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok((latencies.len() as f64 / elapsed.as_secs_f64(), latencies))
}

/// The `p`-th percentile (nearest rank) of sorted latencies, in ms.
pub(crate) fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1_000.0
}

/// Events per second of one writer appending batches, `Exact` revisions over a rotation of streams.
pub(crate) async fn one_writer_batches(store: &dyn EventStore, params: &StoreBenchParams) -> anyhow::Result<f64> {
    let mut lessons = LessonEvents::starting_at(0)?;
    let mut rotation = StreamRotation::new(&lessons, params.rotation_streams);
    let started = Instant::now();
    let mut written = 0_u64;
    while written < params.batch_events {
        let in_this_batch = params.batch_size.max(1).min((params.batch_events - written) as usize);
        let events = lessons.batch(in_this_batch)?;
        let slot = rotation.next_slot();
        let result =
            store.append(rotation.stream(slot), rotation.expected(slot), events).await.context("appending a batch")?;
        rotation.appended(slot, result.next_expected);
        written += in_this_batch as u64;
    }
    Ok(written as f64 / started.elapsed().as_secs_f64())
}

/// Writes exactly `large_events` events as fast as the store takes them; returns events per second.
async fn build_large_store(store: Arc<dyn EventStore>, params: &StoreBenchParams) -> anyhow::Result<f64> {
    let writers_count = params.large_writers.max(1) as u64;
    let streams_per_writer = (params.large_streams / writers_count as usize).max(1);
    let started = Instant::now();
    let mut writers = Vec::new();
    for writer in 0..writers_count {
        let share = params.large_events / writers_count + u64::from(writer < params.large_events % writers_count);
        let store = Arc::clone(&store);
        let batch_size = params.large_batch_size.max(1);
        let mut lessons = LessonEvents::starting_at(writer * 1_000_000_000)?;
        let mut rotation = StreamRotation::new(&lessons, streams_per_writer);
        writers.push(tokio::spawn(async move {
            let mut written = 0_u64;
            while written < share {
                let in_this_batch = batch_size.min((share - written) as usize);
                let events = lessons.batch(in_this_batch)?;
                let slot = rotation.next_slot();
                let result = store
                    .append(rotation.stream(slot), rotation.expected(slot), events)
                    .await
                    .context("appending to the large store")?;
                rotation.appended(slot, result.next_expected);
                written += in_this_batch as u64;
            }
            anyhow::Ok(())
        }));
    }
    for writer in writers {
        writer.await.context("a large-store writer panicked")??;
    }
    Ok(params.large_events as f64 / started.elapsed().as_secs_f64())
}

/// Reads the whole log forward in pages; returns events per second and the number read.
///
/// Each event is checked (positions strictly increase) and folded into a checksum, so the
/// decoding cannot be skipped.
pub(crate) async fn read_all_forward(store: &dyn EventStore, page_size: usize) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
    let mut last: Option<Position> = None;
    let mut count = 0_u64;
    let mut checksum = 0_u64;
    loop {
        let mut options = ReadAllOptions::forward(page_size);
        if let Some(position) = last {
            // `from` is inclusive: the first event of every later page is the last one seen.
            options = options.from(position);
        }
        let page = store.read_all(options).await.context("reading $all forward")?;
        let page_len = page.len();
        let mut new_events = 0_usize;
        for event in page {
            if let Some(previous) = last {
                if event.position == previous {
                    continue;
                }
                ensure!(event.position > previous, "read_all went from {previous} back to {}", event.position);
            }
            checksum = checksum.wrapping_add(touch(&event));
            last = Some(event.position);
            count += 1;
            new_events += 1;
        }
        if new_events == 0 || page_len < page_size {
            break;
        }
    }
    let elapsed = started.elapsed();
    std::hint::black_box(checksum);
    Ok((count as f64 / elapsed.as_secs_f64(), count))
}

/// Subscribes from the start and consumes events until the head position seen before
/// subscribing; returns events per second and the number delivered.
async fn subscription_catch_up(store: &dyn EventStore) -> anyhow::Result<(f64, u64)> {
    let head = store.head_position().await.context("reading the head position")?.context("the large store is empty")?;
    let started = Instant::now();
    let mut subscription =
        store.subscribe_all(SubscribeFrom::Start, EventFilter::all()).await.context("subscribing to $all")?;
    let mut last: Option<Position> = None;
    let mut count = 0_u64;
    let mut checksum = 0_u64;
    loop {
        let Some(delivered) = subscription.next_event().await else {
            bail!("the subscription ended after {count} events, before reaching position {head}");
        };
        let event = delivered.context("receiving from the subscription")?;
        if let Some(previous) = last {
            ensure!(event.position > previous, "the subscription went from {previous} to {}", event.position);
        }
        checksum = checksum.wrapping_add(touch(&event));
        last = Some(event.position);
        count += 1;
        if event.position >= head {
            break;
        }
    }
    let elapsed = started.elapsed();
    drop(subscription);
    std::hint::black_box(checksum);
    Ok((count as f64 / elapsed.as_secs_f64(), count))
}

/// Reads a decoded event's fields, as a consumer would.
fn touch(event: &kirjuri_events::RecordedEvent) -> u64 {
    let metadata_len = event.metadata.tenant.as_ref().map_or(0, String::len) as u64;
    (event.data.len() as u64)
        ^ event.revision.0
        ^ event.position.commit
        ^ (event.event_type.as_str().len() as u64)
        ^ (event.stream.as_str().len() as u64)
        ^ metadata_len
}

/// The process's peak resident set (`VmHWM`), in MB.
fn peak_rss_mb() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .context("no VmHWM line in /proc/self/status")?;
    Ok(kib as f64 / 1024.0)
}

fn build_report(params: &StoreBenchParams, measured: &StoreBenchMeasurements, dir: &Path) -> Report {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let build = if cfg!(debug_assertions) { "debug build: figures not representative" } else { "release build" };
    let flush_period_ms = if measured.flush_per_s > 0.0 { 1_000.0 / measured.flush_per_s } else { 0.0 };
    let figures = vec![
        Figure::new("flush_per_s", "disk flush rate (200 B append + fdatasync)", measured.flush_per_s, "/s")
            .note("ceiling of durable commits"),
        Figure::new(
            "plain_sqlite_batch100_events_per_s",
            "plain SQLite loop, batches of 100",
            measured.plain_sqlite_batch_events_per_s,
            "events/s",
        )
        .note("engine's ceiling for batches"),
        Figure::new(
            "plain_sqlite_single_events_per_s",
            "plain SQLite loop, 1 event per transaction",
            measured.plain_sqlite_single_events_per_s,
            "events/s",
        )
        .against(measured.flush_per_s, "disk flush rate")
        .ratio_key("plain_sqlite_single_ratio_to_fsync"),
        Figure::new(
            "single_writer_events_per_s",
            "1 writer, 1 event per append",
            measured.single_writer_events_per_s,
            "events/s",
        )
        .against(measured.flush_per_s, "disk flush rate")
        .ratio_key("single_writer_ratio_to_fsync")
        .target(Target::at_least(SINGLE_WRITER_MIN_RATIO_TO_FLUSH, "single_writer_ratio_to_fsync")),
        Figure::new(
            "single_writer_events_per_s",
            "1 writer, 1 event per append vs plain loop",
            measured.single_writer_events_per_s,
            "events/s",
        )
        .against(measured.plain_sqlite_single_events_per_s, "plain SQLite, 1 per tx")
        .ratio_key("single_writer_ratio_to_plain_single"),
        Figure::new(
            "concurrent64_events_per_s",
            "64 writers, 1 event per append",
            measured.concurrent_events_per_s,
            "events/s",
        )
        .against(CONCURRENT64_MIN_EVENTS_PER_S, "target")
        .target(Target::at_least(1.0, "concurrent64_events_per_s")),
        Figure::new(
            "concurrent64_events_per_s",
            "64 writers vs flush rate (events per flush)",
            measured.concurrent_events_per_s,
            "events/s",
        )
        .against(measured.flush_per_s, "disk flush rate")
        .ratio_key("concurrent64_ratio_to_fsync"),
        Figure::new("concurrent64_p50_ms", "64 writers, p50 append latency", measured.concurrent_p50_ms, "ms")
            .against(flush_period_ms, "one flush")
            .ratio_key("concurrent64_p50_ratio_to_flush_period"),
        Figure::new("concurrent64_p99_ms", "64 writers, p99 append latency", measured.concurrent_p99_ms, "ms")
            .against(flush_period_ms, "one flush")
            .ratio_key("concurrent64_p99_ratio_to_flush_period"),
        Figure::new("batch100_events_per_s", "1 writer, batches of 100", measured.batch_events_per_s, "events/s")
            .against(BATCH100_MIN_EVENTS_PER_S, "target")
            .target(Target::at_least(1.0, "batch100_events_per_s")),
        Figure::new(
            "batch100_events_per_s",
            "1 writer, batches of 100 vs plain loop",
            measured.batch_events_per_s,
            "events/s",
        )
        .against(measured.plain_sqlite_batch_events_per_s, "plain SQLite loop")
        .ratio_key("batch100_ratio_to_plain")
        .target(Target::at_least(BATCH100_MIN_RATIO_TO_PLAIN, "batch100_ratio_to_plain")),
        Figure::new(
            "bulk_load_events_per_s",
            "bulk load, 4 writers, batches of 500",
            measured.bulk_load_events_per_s,
            "events/s",
        )
        .against(measured.plain_sqlite_batch_events_per_s, "plain SQLite loop")
        .ratio_key("bulk_load_ratio_to_plain"),
        Figure::new("read_all_events_per_s", "read_all forward, decoded", measured.read_all_events_per_s, "events/s")
            .against(READ_ALL_MIN_EVENTS_PER_S, "target")
            .target(Target::at_least(1.0, "read_all_events_per_s")),
        Figure::new(
            "subscription_catchup_events_per_s",
            "subscription catch-up from start",
            measured.subscription_catchup_events_per_s,
            "events/s",
        )
        .against(SUBSCRIPTION_MIN_EVENTS_PER_S, "target")
        .target(Target::at_least(1.0, "subscription_catchup_events_per_s")),
        Figure::new("peak_rss_mb", "peak resident memory (VmHWM)", measured.peak_rss_mb, "MB")
            .against(PEAK_RSS_MAX_MB, "limit")
            .target(Target::at_most(1.0, "peak_rss_mb")),
    ];
    let parameters = match serde_json::to_value(params) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Report {
        title: format!("kirjuri bench store, {build}"),
        facts: vec![
            ("cores", json!(cores)),
            ("sqlite", json!(rusqlite::version())),
            ("bench_dir", json!(dir.display().to_string())),
        ],
        parameters,
        figures,
        counts: vec![
            ("large_store_events", measured.large_store_events),
            ("read_all_events", measured.read_all_events),
            ("subscription_events", measured.subscription_events),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIGURE_KEYS: [&str; 15] = [
        "flush_per_s",
        "plain_sqlite_batch100_events_per_s",
        "plain_sqlite_single_events_per_s",
        "single_writer_events_per_s",
        "single_writer_ratio_to_fsync",
        "concurrent64_events_per_s",
        "concurrent64_p50_ms",
        "concurrent64_p99_ms",
        "batch100_events_per_s",
        "batch100_ratio_to_plain",
        "bulk_load_events_per_s",
        "read_all_events_per_s",
        "subscription_catchup_events_per_s",
        "peak_rss_mb",
        "read_all_events",
    ];

    fn tiny_params() -> StoreBenchParams {
        StoreBenchParams {
            quick: true,
            flushes: 30,
            flush_secs: 1.0,
            single_writer_appends: 30,
            single_writer_secs: 1.0,
            rotation_streams: 10,
            concurrent_writers: 64,
            concurrent_events: 640,
            concurrent_secs: 2.0,
            batch_size: 100,
            batch_events: 1_000,
            large_events: 3_777,
            large_batch_size: 500,
            large_writers: 4,
            large_streams: 8,
            read_page: 500,
            progress: false,
        }
    }

    #[test]
    fn a_tiny_run_reports_every_figure_and_reads_back_exactly_what_it_wrote() {
        let parent = tempfile::tempdir().expect("temp dir");
        let params = tiny_params();
        let dir = ScratchDir::create_in("store", parent.path()).expect("bench dir");
        let measured = measure_on_own_thread(&params, dir.path()).expect("the benchmark runs");
        let report = build_report(&params, &measured, dir.path()).to_json();
        let bench_path = dir.path().to_owned();
        drop(dir);
        assert!(!bench_path.exists(), "the bench directory is removed");

        for key in FIGURE_KEYS {
            let value = report[key].as_f64().unwrap_or_else(|| panic!("{key} missing from {report:#}"));
            assert!(value > 0.0, "{key} is {value}");
        }
        assert_eq!(report["read_all_events"], json!(3_777));
        assert_eq!(report["subscription_events"], json!(3_777));
        let targets = report["targets_met"].as_object().expect("targets_met is an object");
        for key in [
            "single_writer_ratio_to_fsync",
            "concurrent64_events_per_s",
            "batch100_events_per_s",
            "batch100_ratio_to_plain",
            "read_all_events_per_s",
            "subscription_catchup_events_per_s",
            "peak_rss_mb",
        ] {
            assert!(targets.get(key).is_some_and(Value::is_boolean), "targets_met.{key} missing");
        }
        assert_eq!(report["parameters"]["large_events"], json!(3_777));
        assert!(report["machine"]["sqlite"].as_str().is_some_and(|version| version.starts_with('3')));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&latencies, 50.0), 50.0);
        assert_eq!(percentile_ms(&latencies, 99.0), 99.0);
        assert_eq!(percentile_ms(&latencies[..1], 99.0), 1.0);
    }

    #[test]
    fn quick_scales_the_run_down_and_events_overrides_the_large_store() {
        let full = StoreBenchParams::new(false, None);
        let quick = StoreBenchParams::new(true, None);
        assert_eq!(full.large_events, 1_000_000);
        assert_eq!(quick.large_events, 50_000);
        assert_eq!(full.batch_events, quick.batch_events * 20);
        assert_eq!(StoreBenchParams::new(true, Some(7)).large_events, 7);
    }
}

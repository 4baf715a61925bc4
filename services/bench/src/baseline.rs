//! The limits the store is measured against, measured on the same disk in the same run: the
//! disk's flush rate (the ceiling for durable commits) and a plain SQLite insert loop over the
//! store's schema (the engine's own ceiling for batches).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{Connection, params};

use super::workload::{LessonEvents, StreamRotation};

/// How many flushes per second the disk completes, each after appending `record_bytes` bytes to
/// the file at `path`; stops after `max_flushes` or `max_time`, whichever comes first.
pub fn measure_flush_rate(path: &Path, max_flushes: u64, max_time: Duration) -> anyhow::Result<f64> {
    const RECORD_BYTES: usize = 200;
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening the flush probe {}", path.display()))?;
    let record = [b'k'; RECORD_BYTES];
    let started = Instant::now();
    let mut flushes = 0_u64;
    while flushes < max_flushes.max(1) && (flushes == 0 || started.elapsed() < max_time) {
        file.write_all(&record).context("appending to the flush probe")?;
        file.sync_data().context("flushing the flush probe")?;
        flushes += 1;
    }
    let elapsed = started.elapsed();
    drop(file);
    std::fs::remove_file(path).with_context(|| format!("removing the flush probe {}", path.display()))?;
    Ok(flushes as f64 / elapsed.as_secs_f64())
}

/// Events per second of a plain rusqlite loop: WAL, `synchronous=FULL`, a 64 MiB page cache,
/// time-ordered ids, one prepared insert, `batch_size` events of one stream per transaction,
/// streams taken in turn from `stream_count`; writes `total_events` into a fresh file at `path`.
pub fn measure_plain_sqlite(
    path: &Path,
    total_events: u64,
    batch_size: usize,
    stream_count: usize,
) -> anyhow::Result<f64> {
    let mut connection =
        Connection::open(path).with_context(|| format!("opening the plain SQLite file {}", path.display()))?;
    connection
        .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;")
        .context("configuring the plain SQLite file")?;
    // The very tables and indexes the store creates, so the two are measured on one schema.
    for script in kirjuri_store::sqlite::SCHEMA_MIGRATIONS {
        connection.execute_batch(script).context("creating the plain SQLite schema")?;
    }

    let mut lessons = LessonEvents::starting_at(0)?;
    let mut rotation = StreamRotation::new(&lessons, stream_count);
    let batch_size = batch_size.max(1);
    let started = Instant::now();
    let mut written = 0_u64;
    while written < total_events {
        let in_this_batch = batch_size.min((total_events - written) as usize);
        let events = lessons.batch(in_this_batch)?;
        let slot = rotation.next_slot();
        let first_revision = rotation.next_revision(slot);
        let recorded_at = chrono::Utc::now().timestamp_micros();
        let transaction = connection.transaction().context("beginning a plain SQLite transaction")?;
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO events (stream, revision, id, event_type, schema_version, recorded_at, data, \
                     actor, tenant, correlation_id, causation_id, occurred_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .context("preparing the plain SQLite insert")?;
            for (offset, event) in events.iter().enumerate() {
                let metadata = &event.metadata;
                insert
                    .execute(params![
                        rotation.stream(slot).as_str(),
                        (first_revision + offset as u64) as i64,
                        &event.id.0.as_bytes()[..],
                        event.event_type.as_str(),
                        event.schema_version,
                        recorded_at,
                        event.data.as_str(),
                        metadata.actor.as_deref(),
                        metadata.tenant.as_deref(),
                        metadata.correlation_id.as_ref().map(|id| &id.as_bytes()[..]),
                        metadata.causation_id.as_ref().map(|id| &id.as_bytes()[..]),
                        metadata.occurred_at.map(|at| at.timestamp_micros()),
                    ])
                    .context("inserting into the plain SQLite file")?;
            }
        }
        transaction.commit().context("committing a plain SQLite transaction")?;
        rotation.appended(slot, kirjuri_events::Revision(first_revision + in_this_batch as u64 - 1));
        written += in_this_batch as u64;
    }
    let elapsed = started.elapsed();

    let stored: i64 =
        connection.query_row("SELECT count(*) FROM events", [], |row| row.get(0)).context("counting plain rows")?;
    anyhow::ensure!(
        stored as u64 == total_events,
        "the plain loop wrote {total_events} events but {stored} are stored"
    );
    drop(connection);
    super::remove_sqlite_files(path)?;
    Ok(total_events as f64 / elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_loop_writes_every_event_and_removes_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plain.sqlite");
        let rate = measure_plain_sqlite(&path, 250, 100, 3).expect("plain loop runs");
        assert!(rate > 0.0);
        assert!(!path.exists());
    }

    #[test]
    fn the_flush_probe_counts_flushes_and_removes_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("flush-probe.dat");
        let rate = measure_flush_rate(&path, 20, Duration::from_secs(5)).expect("flushes");
        assert!(rate > 0.0);
        assert!(!path.exists());
    }
}

//! The file format: connection settings, the schema version and forward migrations.

use rusqlite::{Connection, OpenFlags};

use super::file_format::{FileFormat, FormatError};
use crate::StoreError;

/// `PRAGMA application_id` of a kirjuri event store ("kirj").
pub const APPLICATION_ID: i64 = 0x6B69_726A;

/// The newest schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Every migration, in order: `MIGRATIONS[n]` takes a file from version `n` to `n + 1`.
/// Run in order on an empty file, they build the current schema.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the event log.
    "CREATE TABLE events (
        position       INTEGER PRIMARY KEY,
        stream         TEXT    NOT NULL,
        revision       INTEGER NOT NULL,
        id             BLOB    NOT NULL,
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        recorded_at    INTEGER NOT NULL,
        data           TEXT    NOT NULL,
        actor          TEXT,
        tenant         TEXT,
        correlation_id BLOB,
        causation_id   BLOB,
        occurred_at    INTEGER
     ) STRICT;
     CREATE UNIQUE INDEX events_by_stream ON events (stream, revision);
     CREATE UNIQUE INDEX events_by_id ON events (id);",
    // 1 -> 2: the digest of the request behind each event, so that a command id reused with
    // another request is told apart from a retry (older events have none).
    "ALTER TABLE events ADD COLUMN request_digest TEXT;",
];

fn sqlite_error(path: &str, context: &str, error: rusqlite::Error) -> StoreError {
    StoreError::unavailable(format!("{context} ({path})"), error)
}

/// Applies the settings every connection shares: durability first.
fn configure(connection: &Connection, path: &str, cache_kib: u32) -> Result<(), StoreError> {
    connection
        .execute_batch(&format!(
            "PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -{cache_kib};
             PRAGMA temp_store = MEMORY;"
        ))
        .map_err(|e| sqlite_error(path, "configuring the connection", e))?;
    connection.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Opens the single write connection: creates or migrates the file, WAL mode, `synchronous=FULL`.
pub fn open_writer(path: &str, cache_kib: u32) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite_error(path, "opening the event store", e))?;
    let mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| sqlite_error(path, "switching to WAL", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!("{path} could not be switched to WAL mode (got {mode})")));
    }
    configure(&connection, path, cache_kib)?;
    migrate(&connection, path)?;
    // Checkpoint every 4,000 WAL pages (16 MiB) instead of SQLite's 1,000: fewer, larger
    // checkpoints write hot index pages once instead of several times.
    connection
        .execute_batch("PRAGMA wal_autocheckpoint = 4000")
        .map_err(|e| sqlite_error(path, "configuring the writer", e))?;
    Ok(connection)
}

/// Opens a read-only connection to an existing store.
pub fn open_reader(path: &str, cache_kib: u32) -> Result<Connection, StoreError> {
    let connection =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| sqlite_error(path, "opening a read connection", e))?;
    configure(&connection, path, cache_kib)?;
    Ok(connection)
}

/// The event store's file format.
const FORMAT: FileFormat = FileFormat { application_id: APPLICATION_ID, what: "event store", migrations: MIGRATIONS };

fn migrate(connection: &Connection, path: &str) -> Result<(), StoreError> {
    FORMAT.migrate(connection).map_err(|error| match error {
        FormatError::Newer { found, supported } => {
            StoreError::IncompatibleSchema { path: path.to_owned(), found, supported }
        }
        FormatError::Foreign { .. } => StoreError::Corrupt(format!("{path} is {error}")),
        FormatError::Sqlite { context, source } => sqlite_error(path, &context, source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_created_at_the_current_version_and_reopens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("events.sqlite");
        let path = path.to_str().expect("utf-8 path");
        let connection = open_writer(path, 1024).expect("creates");
        let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("reads");
        assert_eq!(version, SCHEMA_VERSION);
        drop(connection);
        open_writer(path, 1024).expect("reopens");
    }

    #[test]
    fn a_file_from_a_newer_kirjuri_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("events.sqlite");
        let path = path.to_str().expect("utf-8 path");
        drop(open_writer(path, 1024).expect("creates"));
        let raw = Connection::open(path).expect("opens");
        raw.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1)).expect("sets");
        drop(raw);
        match open_writer(path, 1024) {
            Err(StoreError::IncompatibleSchema { found, supported, .. }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected IncompatibleSchema, got {other:?}"),
        }
    }

    #[test]
    fn a_foreign_sqlite_file_is_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("other.sqlite");
        let path = path.to_str().expect("utf-8 path");
        let raw = Connection::open(path).expect("opens");
        raw.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me');").expect("creates");
        drop(raw);
        assert!(matches!(open_writer(path, 1024), Err(StoreError::Corrupt(_))));
        let raw = Connection::open(path).expect("opens");
        let kept: String = raw.query_row("SELECT x FROM notes", [], |r| r.get(0)).expect("still there");
        assert_eq!(kept, "keep me");
    }
}

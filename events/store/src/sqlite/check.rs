//! `kirjuri store check`: SQLite's own integrity check plus the store's invariants.

use rusqlite::Connection;
use serde::Serialize;

use crate::StoreError;

/// What the check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StoreCheckReport {
    /// Events in the store.
    pub events: u64,
    /// Streams in the store.
    pub streams: u64,
    /// The schema version of the file.
    pub schema_version: i64,
    /// Every problem found; empty means healthy.
    pub problems: Vec<String>,
}

impl StoreCheckReport {
    /// Whether no problem was found.
    pub fn is_healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How many examples of one kind of problem the report lists.
const EXAMPLES: i64 = 10;

fn rows_as_text(connection: &Connection, sql: &str) -> Result<Vec<String>, StoreError> {
    let unavailable = |e| StoreError::unavailable("checking the store", e);
    let mut statement = connection.prepare(sql).map_err(unavailable)?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0)).map_err(unavailable)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(unavailable)
}

/// Runs every check on a read connection.
pub fn run(connection: &Connection) -> Result<StoreCheckReport, StoreError> {
    let unavailable = |e| StoreError::unavailable("checking the store", e);
    let mut report = StoreCheckReport {
        schema_version: connection.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(unavailable)?,
        ..StoreCheckReport::default()
    };
    let (events, streams): (i64, i64) = connection
        .query_row("SELECT count(*), count(DISTINCT stream) FROM events", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(unavailable)?;
    report.events = u64::try_from(events).unwrap_or(0);
    report.streams = u64::try_from(streams).unwrap_or(0);

    let integrity = rows_as_text(connection, "PRAGMA integrity_check")?;
    if integrity != ["ok"] {
        report.problems.extend(integrity.into_iter().map(|line| format!("sqlite integrity: {line}")));
    }
    let checks = [
        (
            "revisions not gapless",
            format!(
                "SELECT stream || ': ' || count(*) || ' events, revisions ' || min(revision) || '..' || max(revision)
                 FROM events GROUP BY stream HAVING min(revision) <> 0 OR max(revision) + 1 <> count(*) LIMIT {EXAMPLES}"
            ),
        ),
        (
            "positions not increasing with revisions",
            format!(
                "SELECT a.stream || ' revision ' || b.revision || ' at position ' || b.position
                        || ' is not after revision ' || a.revision || ' at position ' || a.position
                 FROM events a JOIN events b ON b.stream = a.stream AND b.revision = a.revision + 1
                 WHERE b.position <= a.position LIMIT {EXAMPLES}"
            ),
        ),
        (
            "data not valid JSON",
            format!("SELECT 'position ' || position FROM events WHERE NOT json_valid(data) LIMIT {EXAMPLES}"),
        ),
        (
            "malformed ids",
            format!("SELECT 'position ' || position FROM events WHERE length(id) <> 16 LIMIT {EXAMPLES}"),
        ),
        (
            "non-positive positions",
            format!("SELECT 'position ' || position FROM events WHERE position <= 0 LIMIT {EXAMPLES}"),
        ),
    ];
    for (what, sql) in checks {
        report.problems.extend(rows_as_text(connection, &sql)?.into_iter().map(|example| format!("{what}: {example}")));
    }
    Ok(report)
}

//! The file format of `views.sqlite`: connection settings, the schema version and forward
//! migrations (the same scheme as the event store's: `PRAGMA application_id` marks the file as
//! ours, `PRAGMA user_version` is the schema version, each migration runs in its own transaction).

use kirjuri_store::sqlite::file_format::{FileFormat, FormatError};
use rusqlite::{Connection, OpenFlags};

use crate::ViewsError;

/// `PRAGMA application_id` of a kirjuri views database ("kirv").
pub const APPLICATION_ID: i64 = 0x6B69_7276;

/// The newest schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Every migration, in order: `MIGRATIONS[n]` takes a file from version `n` to `n + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: checkpoint, audit trail, practice history, evidence graph, situational picture.
    "CREATE TABLE checkpoint (
        name        TEXT    PRIMARY KEY,
        pos_commit  INTEGER NOT NULL,
        pos_prepare INTEGER NOT NULL
     ) STRICT;

     -- Every event, in $all order; `data` lets as-of replay run without the event store.
     CREATE TABLE audit (
        seq            INTEGER PRIMARY KEY,
        pos_commit     INTEGER NOT NULL,
        pos_prepare    INTEGER NOT NULL,
        event_id       TEXT    NOT NULL,
        stream         TEXT    NOT NULL,
        entity_kind    TEXT    NOT NULL,
        entity_id      TEXT    NOT NULL,
        revision       INTEGER NOT NULL,
        event_type     TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        actor          TEXT,
        tenant         TEXT,
        recorded_at    INTEGER NOT NULL,
        occurred_at    INTEGER,
        correlation_id TEXT,
        causation_id   TEXT,
        unit           TEXT,
        experiment     TEXT,
        summary_fi     TEXT    NOT NULL,
        summary_en     TEXT    NOT NULL,
        data           TEXT    NOT NULL
     ) STRICT;
     CREATE UNIQUE INDEX audit_by_position ON audit (pos_commit, pos_prepare);
     CREATE INDEX audit_by_entity ON audit (entity_kind, entity_id, pos_commit, pos_prepare);
     CREATE INDEX audit_by_actor ON audit (actor, pos_commit, pos_prepare);
     CREATE INDEX audit_by_tenant ON audit (tenant, pos_commit, pos_prepare);
     CREATE INDEX audit_by_recorded ON audit (recorded_at);
     CREATE INDEX audit_by_correlation ON audit (correlation_id) WHERE correlation_id IS NOT NULL;

     -- Every unit and experiment an event names (an event may name several).
     CREATE TABLE audit_refs (
        seq      INTEGER NOT NULL,
        ref_kind TEXT    NOT NULL,
        ref_id   TEXT    NOT NULL,
        PRIMARY KEY (ref_kind, ref_id, seq)
     ) STRICT, WITHOUT ROWID;

     -- Display names of entities, for summaries and views.
     CREATE TABLE entity_names (
        kind    TEXT NOT NULL,
        id      TEXT NOT NULL,
        name_fi TEXT NOT NULL,
        name_en TEXT,
        PRIMARY KEY (kind, id)
     ) STRICT, WITHOUT ROWID;

     CREATE TABLE municipalities (
        municipality TEXT PRIMARY KEY,
        code         TEXT NOT NULL,
        name_fi      TEXT NOT NULL
     ) STRICT;
     CREATE TABLE units (
        unit         TEXT PRIMARY KEY,
        municipality TEXT NOT NULL,
        name_fi      TEXT NOT NULL,
        parent       TEXT,
        sector       TEXT NOT NULL
     ) STRICT;
     CREATE TABLE bodies (
        body         TEXT PRIMARY KEY,
        municipality TEXT NOT NULL,
        name_fi      TEXT NOT NULL,
        name_en      TEXT,
        kind         TEXT NOT NULL
     ) STRICT;

     CREATE TABLE practices (
        practice      TEXT    PRIMARY KEY,
        municipality  TEXT    NOT NULL,
        title_fi      TEXT    NOT NULL,
        title_en      TEXT,
        version       INTEGER NOT NULL,
        status        TEXT    NOT NULL,
        progress      INTEGER NOT NULL,
        superseded_by TEXT
     ) STRICT;
     CREATE INDEX practices_by_successor ON practices (superseded_by);
     CREATE TABLE practice_versions (
        practice     TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        what_changed TEXT,
        reason       TEXT,
        recorded_at  INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        PRIMARY KEY (practice, version)
     ) STRICT;
     CREATE TABLE practice_submissions (
        seq         INTEGER PRIMARY KEY,
        practice    TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        body        TEXT    NOT NULL,
        case_number TEXT    NOT NULL,
        recorded_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX practice_submissions_by_practice ON practice_submissions (practice, seq);
     CREATE TABLE practice_decisions (
        seq          INTEGER PRIMARY KEY,
        practice     TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        body         TEXT    NOT NULL,
        meeting_date TEXT    NOT NULL,
        section      INTEGER NOT NULL,
        resolution   TEXT    NOT NULL,
        motion_fi    TEXT    NOT NULL,
        decision_fi  TEXT    NOT NULL,
        rationale_fi TEXT
     ) STRICT;
     CREATE INDEX practice_decisions_by_practice ON practice_decisions (practice, seq);
     CREATE TABLE practice_anchors (
        seq            INTEGER PRIMARY KEY,
        practice       TEXT    NOT NULL,
        version        INTEGER NOT NULL,
        into_kind      TEXT    NOT NULL,
        target_fi      TEXT    NOT NULL,
        target_ref     TEXT,
        owner_unit     TEXT    NOT NULL,
        effective_from TEXT    NOT NULL
     ) STRICT;
     CREATE INDEX practice_anchors_by_practice ON practice_anchors (practice, seq);
     CREATE TABLE practice_progress (
        seq         INTEGER PRIMARY KEY,
        practice    TEXT    NOT NULL,
        percent     INTEGER NOT NULL,
        note_fi     TEXT,
        recorded_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX practice_progress_by_practice ON practice_progress (practice, seq);
     CREATE TABLE practice_sharing (
        seq      INTEGER NOT NULL,
        practice TEXT    NOT NULL,
        version  INTEGER NOT NULL,
        partner  TEXT    NOT NULL,
        PRIMARY KEY (practice, partner, seq)
     ) STRICT, WITHOUT ROWID;
     CREATE TABLE practice_adoptions (
        seq      INTEGER PRIMARY KEY,
        practice TEXT    NOT NULL,
        partner  TEXT    NOT NULL,
        status   TEXT    NOT NULL,
        note_fi  TEXT
     ) STRICT;
     CREATE INDEX practice_adoptions_by_practice ON practice_adoptions (practice, seq);

     -- The evidence graph: `from` cites / stems from / belongs to `to`.
     CREATE TABLE edges (
        from_kind TEXT    NOT NULL,
        from_id   TEXT    NOT NULL,
        relation  TEXT    NOT NULL,
        to_kind   TEXT    NOT NULL,
        to_id     TEXT    NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (from_kind, from_id, relation, to_kind, to_id)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX edges_by_target ON edges (to_kind, to_id);

     -- The situational picture.
     CREATE TABLE frameworks (
        framework TEXT PRIMARY KEY,
        label     TEXT NOT NULL,
        kind      TEXT NOT NULL,
        basis     TEXT NOT NULL
     ) STRICT;
     CREATE TABLE framework_dimensions (
        framework   TEXT NOT NULL,
        code        TEXT NOT NULL,
        granularity TEXT NOT NULL,
        parent      TEXT,
        title_fi    TEXT NOT NULL,
        title_en    TEXT,
        PRIMARY KEY (framework, code, granularity)
     ) STRICT, WITHOUT ROWID;
     CREATE TABLE campaigns (
        campaign       TEXT    PRIMARY KEY,
        municipality   TEXT    NOT NULL,
        framework      TEXT    NOT NULL,
        title_fi       TEXT    NOT NULL,
        opens          TEXT    NOT NULL,
        closes         TEXT    NOT NULL,
        closed_on      TEXT,
        min_group_size INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE responses (
        campaign  TEXT    NOT NULL,
        response  TEXT    NOT NULL,
        unit      TEXT    NOT NULL,
        answers   TEXT    NOT NULL,
        withdrawn INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (campaign, response)
     ) STRICT, WITHOUT ROWID;
     -- One figure per campaign, subject (unit or municipality) and dimension, with the
     -- campaign's close date copied in so the picture as of a date is one index range.
     -- Granularity `overall`, `dimension` (from ResultComputed) or `competence` (items,
     -- aggregated here from the responses).
     CREATE TABLE picture (
        close_date     TEXT    NOT NULL,
        municipality   TEXT    NOT NULL,
        subject_kind   TEXT    NOT NULL,
        subject_id     TEXT    NOT NULL,
        framework      TEXT    NOT NULL,
        granularity    TEXT    NOT NULL,
        dimension      TEXT    NOT NULL,
        campaign       TEXT    NOT NULL,
        level          REAL    NOT NULL,
        percent        REAL,
        value_sum      REAL    NOT NULL DEFAULT 0,
        response_count INTEGER NOT NULL,
        min_group_size INTEGER NOT NULL,
        PRIMARY KEY (municipality, close_date, campaign, subject_kind, subject_id, granularity, dimension)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX picture_by_campaign ON picture (campaign);
     CREATE TABLE unit_targets (
        seq       INTEGER PRIMARY KEY,
        unit      TEXT    NOT NULL,
        framework TEXT    NOT NULL,
        dimension TEXT    NOT NULL,
        target    REAL    NOT NULL,
        due       TEXT    NOT NULL,
        set_on    TEXT    NOT NULL
     ) STRICT;
     CREATE INDEX unit_targets_by_unit ON unit_targets (unit, framework, dimension, set_on);",
    // 1 -> 2: the campaigns of the picture in close-date order, so the picture as of a date
    // finds its recent campaigns in a few rows instead of walking every figure; and no index
    // of the picture by campaign (it held the whole key again, as large as the table, and a
    // close only needs the key's own prefix: municipality, old close date, campaign).
    "CREATE TABLE picture_campaigns (
        municipality TEXT NOT NULL,
        close_date   TEXT NOT NULL,
        campaign     TEXT NOT NULL,
        framework    TEXT NOT NULL,
        PRIMARY KEY (municipality, close_date, campaign, framework)
     ) STRICT, WITHOUT ROWID;
     INSERT INTO picture_campaigns (municipality, close_date, campaign, framework)
        SELECT DISTINCT municipality, close_date, campaign, framework FROM picture;
     DROP INDEX picture_by_campaign;",
    // 2 -> 3: the lists (experiments, lessons, practices, bodies, municipalities) with what
    // they are filtered and paged by. The new tables must be filled from the whole history,
    // so the read model is emptied and its checkpoint dropped: the runner then replays `$all`
    // from the start, exactly as it fills a fresh file.
    "DELETE FROM checkpoint;
     DELETE FROM audit;
     DELETE FROM audit_refs;
     DELETE FROM entity_names;
     DELETE FROM units;
     DELETE FROM practice_versions;
     DELETE FROM practice_submissions;
     DELETE FROM practice_decisions;
     DELETE FROM practice_anchors;
     DELETE FROM practice_progress;
     DELETE FROM practice_sharing;
     DELETE FROM practice_adoptions;
     DELETE FROM edges;
     DELETE FROM frameworks;
     DELETE FROM framework_dimensions;
     DELETE FROM campaigns;
     DELETE FROM responses;
     DELETE FROM picture;
     DELETE FROM unit_targets;
     DELETE FROM picture_campaigns;

     -- `seq` everywhere below is the audit row of the event that created the record: a
     -- stable order (creation, in $all order) and the keyset of the lists' pages.
     DROP TABLE municipalities;
     CREATE TABLE municipalities (
        municipality TEXT    PRIMARY KEY,
        code         TEXT    NOT NULL,
        name_fi      TEXT    NOT NULL,
        name_en      TEXT,
        seq          INTEGER NOT NULL
     ) STRICT;
     -- Partner networks: `partner` joined the network hosted by `host`; `left_on` once it left.
     CREATE TABLE partner_networks (
        partner   TEXT NOT NULL,
        host      TEXT NOT NULL,
        joined_on TEXT NOT NULL,
        left_on   TEXT,
        PRIMARY KEY (partner, host)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX partner_networks_by_host ON partner_networks (host);

     DROP TABLE bodies;
     CREATE TABLE bodies (
        body         TEXT    PRIMARY KEY,
        municipality TEXT    NOT NULL,
        name_fi      TEXT    NOT NULL,
        name_en      TEXT,
        kind         TEXT    NOT NULL,
        parent       TEXT,
        founded      TEXT    NOT NULL,
        seq          INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX bodies_by_municipality ON bodies (municipality, seq);

     -- The latest decision's body, date and resolution; tags as a JSON array.
     DROP TABLE practices;
     CREATE TABLE practices (
        practice      TEXT    PRIMARY KEY,
        municipality  TEXT    NOT NULL,
        title_fi      TEXT    NOT NULL,
        title_en      TEXT,
        version       INTEGER NOT NULL,
        status        TEXT    NOT NULL,
        progress      INTEGER NOT NULL,
        superseded_by TEXT,
        tags          TEXT    NOT NULL,
        drafted_at    INTEGER NOT NULL,
        decided_by    TEXT,
        decided_on    TEXT,
        resolution    TEXT,
        seq           INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX practices_by_successor ON practices (superseded_by);
     CREATE INDEX practices_by_municipality ON practices (municipality, seq);
     CREATE TABLE practice_tags (
        practice TEXT NOT NULL,
        tag      TEXT NOT NULL,
        PRIMARY KEY (practice, tag)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX practice_sharing_by_partner ON practice_sharing (partner, practice);

     -- Status: proposed, approved (stage planning), running, evaluating, concluded (with
     -- `end_state` completed, stopped or pivoted).
     CREATE TABLE experiments (
        experiment   TEXT    PRIMARY KEY,
        municipality TEXT    NOT NULL,
        title_fi     TEXT    NOT NULL,
        title_en     TEXT,
        status       TEXT    NOT NULL,
        end_state    TEXT,
        proposed_on  TEXT    NOT NULL,
        approved_by  TEXT,
        approved_on  TEXT,
        starts       TEXT,
        ends         TEXT,
        concluded_on TEXT,
        seq          INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX experiments_by_municipality ON experiments (municipality, seq);
     CREATE TABLE experiment_units (
        experiment TEXT NOT NULL,
        unit       TEXT NOT NULL,
        PRIMARY KEY (experiment, unit)
     ) STRICT, WITHOUT ROWID;

     -- Status: identified, acting (an action was assigned), learned. `experiment`: the first
     -- experiment among its sources.
     CREATE TABLE lessons (
        lesson       TEXT    PRIMARY KEY,
        municipality TEXT    NOT NULL,
        title_fi     TEXT    NOT NULL,
        title_en     TEXT,
        unit         TEXT,
        experiment   TEXT,
        status       TEXT    NOT NULL,
        tags         TEXT    NOT NULL,
        recorded_at  INTEGER NOT NULL,
        seq          INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX lessons_by_municipality ON lessons (municipality, seq);
     CREATE TABLE lesson_tags (
        lesson TEXT NOT NULL,
        tag    TEXT NOT NULL,
        PRIMARY KEY (lesson, tag)
     ) STRICT, WITHOUT ROWID;",
    // 3 -> 4: the hosts' invitations into their partner networks (their consent, which a
    // partnership needs). Earlier logs hold no such events, so nothing is replayed.
    "CREATE TABLE partner_invitations (
        host         TEXT NOT NULL,
        partner      TEXT NOT NULL,
        invited_on   TEXT NOT NULL,
        withdrawn_on TEXT,
        PRIMARY KEY (host, partner)
     ) STRICT, WITHOUT ROWID;",
];

fn sqlite_error(path: &str, context: &str, error: rusqlite::Error) -> ViewsError {
    ViewsError::storage(format!("{context} ({path})"), error)
}

/// Opens the write connection: creates or migrates the file, WAL mode, `synchronous=NORMAL`.
///
/// `NORMAL` is enough for a read model: in WAL mode it never corrupts the file, and what a
/// power cut can lose is the last committed batches *with* their checkpoint (both are in one
/// transaction), which the runner then applies again, ending in the same state as a clean
/// rebuild. It saves an fsync per batch. The WAL is checkpointed every 8,192 pages (32 MiB)
/// rather than SQLite's 1,000, so index pages rewritten by consecutive batches are copied to
/// the database once.
pub fn open_writer(path: &str) -> Result<Connection, ViewsError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite_error(path, "opening the views database", e))?;
    let mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| sqlite_error(path, "switching to WAL", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(ViewsError::Corrupt(format!("{path} could not be switched to WAL mode (got {mode})")));
    }
    connection
        .execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;
             PRAGMA wal_autocheckpoint = 8192;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(|e| sqlite_error(path, "configuring the connection", e))?;
    connection.set_prepared_statement_cache_capacity(64);
    migrate(&connection, path)?;
    Ok(connection)
}

/// A connection for writing a file nobody reads and that is discarded unless complete: the
/// rollback journal in memory (a failed batch still rolls back, so a retried batch starts
/// clean), nothing fsynced, pages written straight to the file instead of through a WAL and a
/// checkpoint (once, not twice), a 256 MiB cache.
fn open_bulk_writer(path: &str) -> Result<Connection, ViewsError> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite_error(path, "opening the views database for a rebuild", e))?;
    let mode: String = connection
        .query_row("PRAGMA journal_mode = MEMORY", [], |row| row.get(0))
        .map_err(|e| sqlite_error(path, "keeping the journal in memory", e))?;
    if !mode.eq_ignore_ascii_case("memory") {
        return Err(ViewsError::Corrupt(format!("{path} could not keep its journal in memory (got {mode})")));
    }
    connection
        .execute_batch(
            "PRAGMA synchronous = OFF;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -262144;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(|e| sqlite_error(path, "configuring the rebuild connection", e))?;
    connection.set_prepared_statement_cache_capacity(64);
    migrate(&connection, path)?;
    Ok(connection)
}

/// Opens the write connection of a rebuild: a fresh file (one with a checkpoint is refused),
/// promoted over the live one only once complete and finished ([`finish_rebuild`]), discarded
/// otherwise. Crash safety is not needed there, so it trades it for speed ([`open_bulk_writer`]).
pub fn open_rebuild_writer(path: &str) -> Result<Connection, ViewsError> {
    let connection = open_bulk_writer(path)?;
    if crate::read_checkpoint(&connection)?.is_some() {
        return Err(ViewsError::Corrupt(format!("{path} already holds views; a rebuild starts from a fresh file")));
    }
    Ok(connection)
}

/// Makes a file written through [`open_rebuild_writer`] (and closed) fit to be the live one:
/// switches it to WAL mode and flushes it to disk, so that a power cut after the swap cannot
/// leave a half-written read model in the live location.
pub fn finish_rebuild(path: &str) -> Result<(), ViewsError> {
    let connection = open_writer(path)?;
    connection
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .map_err(|e| sqlite_error(path, "checkpointing the rebuilt views", e))?;
    drop(connection);
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|e| ViewsError::Corrupt(format!("{path} could not be flushed to disk: {e}")))
}

/// The views database's file format (the same rules as the event store's).
const FORMAT: FileFormat =
    FileFormat { application_id: APPLICATION_ID, what: "views database", migrations: MIGRATIONS };

fn migrate(connection: &Connection, path: &str) -> Result<(), ViewsError> {
    FORMAT.migrate(connection).map_err(|error| match error {
        FormatError::Newer { found, supported } => {
            ViewsError::IncompatibleSchema { path: path.to_owned(), found, supported }
        }
        FormatError::Foreign { .. } => ViewsError::Corrupt(format!("{path} is {error}")),
        FormatError::Sqlite { context, source } => sqlite_error(path, &context, source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_sqlite_file_is_refused_and_a_newer_schema_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let foreign = dir.path().join("foreign.sqlite");
        let path = foreign.to_str().expect("utf-8");
        Connection::open(path).and_then(|c| c.execute_batch("CREATE TABLE x (y)")).expect("creates");
        assert!(matches!(open_writer(path), Err(ViewsError::Corrupt(_))));

        let newer = dir.path().join("views.sqlite");
        let path = newer.to_str().expect("utf-8");
        drop(open_writer(path).expect("creates"));
        Connection::open(path).and_then(|c| c.execute_batch("PRAGMA user_version = 99")).expect("bumps");
        assert!(matches!(open_writer(path), Err(ViewsError::IncompatibleSchema { found: 99, .. })));
    }
}

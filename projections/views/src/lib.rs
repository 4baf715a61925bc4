//! kirjuri's SQLite read database (`views.sqlite`): what people read about the programme.
//!
//! One projection, [`ViewsProjection`] (name `views`), folds every event into five read models
//! and commits them together with its checkpoint in **one** SQLite transaction per batch:
//! - the **audit trail and timeline** ([`audit`]): every event with its envelope, the units and
//!   experiments it names, a summary in Finnish and English ([`summary`]) and its data;
//! - **as-of** ([`asof`]): the state of any entity at a past moment or position, replayed from
//!   the audit table with the domain aggregate's `evolve` (no event store access), and the
//!   difference between two moments;
//! - **practice history and the evidence graph** ([`graph`]): versions, submissions, decisions,
//!   anchoring, progress, supersession, sharing and adoption; an edge table that answers "what
//!   cites X" and "what X cites" (directly and transitively) in one query each;
//! - the **situational picture** ([`picture`]): per municipality, unit and dimension the latest
//!   level, the trend by campaign, target and gap, response counts, small groups suppressed,
//!   as of any date, and what changed in it between two dates;
//! - the **lists** ([`lists`]): a municipality's experiments, lessons, best practices (its own
//!   and those shared with it), bodies and partner municipalities, filtered, in keyset pages.
//!
//! Who owns what: the projection holds the only write connection (the runner calls `apply` on
//! a blocking thread); readers open their own read-only connections ([`ViewsReader`]). Events
//! at or before the checkpoint are ignored by `apply`, so re-applying a batch after a crash
//! ends in the same state as one clean pass. An event that cannot be decoded or applied stops
//! the projection with [`ProjectionError::Poison`] naming it; nothing of its batch is committed.
//!
//! A rebuild writes a fresh file through [`ViewsProjection::open_for_rebuild`] (journal in
//! memory, no fsync: fast, not crash-safe, so a crashed rebuild is discarded), and whoever
//! promotes it calls [`finish_rebuild`] first, which turns it into a WAL file on disk like
//! the live one.

mod apply;
pub mod asof;
pub mod audit;
pub mod graph;
pub mod lists;
pub mod picture;
pub mod schema;
pub mod summary;

use std::path::{Path, PathBuf};

use kirjuri_events::{Position, RecordedEvent};
use kirjuri_projections::{Projection, ProjectionError};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use asof::{AggregateState, AsOf, EntityDiff, EntityState, FieldChange};
pub use audit::{AuditFilter, AuditPage, AuditRow, Cursor, EntityKind, PageDirection, PageRequest};
pub use graph::{
    AdoptionRow, AnchorRow, DecisionRow, Edge, GraphNode, PracticeHistory, ProgressRow, Reach, Relation, SharingRow,
    SubmissionRow, VersionRow,
};
pub use lists::{
    BodyRow, ExperimentFilter, ExperimentRow, LatestDecision, LessonFilter, LessonRow, ListCursor, ListRequest, Listed,
    MunicipalityDetail, MunicipalityRelation, MunicipalityRow, PracticeFilter, PracticeRow, Versioned,
};
pub use picture::{
    Figure, PictureDiff, PictureQuery, PictureRow, PictureSubject, RowChange, RowDiff, RowState, SituationalPicture,
    Target, TrendPoint,
};

/// The projection's stable name.
pub const PROJECTION_NAME: &str = "views";

/// Why a views query or open failed. Bad input gets its own variant; nothing here panics.
#[derive(Debug, thiserror::Error)]
pub enum ViewsError {
    /// The entity kind is not one kirjuri has.
    #[error("unknown entity kind `{0}`; expected one of {kinds}", kinds = EntityKind::NAMES.join(", "))]
    UnknownEntityKind(String),
    /// A page cursor that this build did not hand out.
    #[error("malformed cursor `{0}`")]
    MalformedCursor(String),
    /// A date or moment that does not parse.
    #[error("malformed date `{0}`; expected YYYY-MM-DD or an RFC 3339 timestamp")]
    MalformedDate(String),
    /// A query field that is out of range or contradicts another.
    #[error("invalid `{field}`: {reason}")]
    InvalidInput {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A graph node reference that does not parse.
    #[error("malformed node `{0}`; expected `<kind>:<uuid>` (outcome: `outcome:<experiment uuid>/<criterion>`)")]
    MalformedNode(String),
    /// A stored event that no longer decodes (the read model needs a rebuild).
    #[error("stored event at position {position} does not decode: {reason}")]
    Undecodable {
        /// Its position.
        position: Position,
        /// Why.
        reason: String,
    },
    /// The file is not a views database, or is damaged.
    #[error("views database is corrupt: {0}")]
    Corrupt(String),
    /// The file was written by a newer kirjuri.
    #[error("{path} has views schema version {found}; this kirjuri understands up to {supported}")]
    IncompatibleSchema {
        /// The file.
        path: String,
        /// Its version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// SQLite failed.
    #[error("{context}: {source}")]
    Storage {
        /// What was being done.
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

impl ViewsError {
    pub(crate) fn storage(context: impl Into<String>, source: rusqlite::Error) -> Self {
        Self::Storage { context: context.into(), source }
    }
}

pub(crate) fn sql(context: &'static str) -> impl FnOnce(rusqlite::Error) -> ViewsError {
    move |source| ViewsError::Storage { context: context.to_owned(), source }
}

/// The `views` projection: owns the write connection to `views.sqlite`.
pub struct ViewsProjection {
    path: PathBuf,
    connection: Connection,
}

impl std::fmt::Debug for ViewsProjection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewsProjection").field("path", &self.path).finish_non_exhaustive()
    }
}

fn path_text(path: &Path) -> Result<&str, ViewsError> {
    path.to_str().ok_or_else(|| ViewsError::Corrupt(format!("{} is not a UTF-8 path", path.display())))
}

impl ViewsProjection {
    /// Opens (creating or migrating) the views database at `path`.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, ViewsError> {
        let path = path.into();
        let connection = schema::open_writer(path_text(&path)?)?;
        Ok(Self { path, connection })
    }

    /// Opens a fresh views database at `path` to rebuild it from position zero, with settings
    /// that are fast but not crash-safe ([`schema::open_rebuild_writer`]); call
    /// [`finish_rebuild`] on the closed file before it replaces the live one. A crashed
    /// rebuild is discarded, never resumed.
    pub fn open_for_rebuild(path: impl Into<PathBuf>) -> Result<Self, ViewsError> {
        let path = path.into();
        let connection = schema::open_rebuild_writer(path_text(&path)?)?;
        Ok(Self { path, connection })
    }

    /// A read-only handle on the same file, for queries.
    pub fn reader(&self) -> Result<ViewsReader, ViewsError> {
        ViewsReader::open(&self.path)
    }

    fn read_checkpoint(&self) -> Result<Option<Position>, ViewsError> {
        read_checkpoint(&self.connection)
    }
}

/// Makes a views database built with [`ViewsProjection::open_for_rebuild`], now closed, fit to
/// replace the live one: WAL mode, flushed to disk.
pub fn finish_rebuild(path: impl AsRef<Path>) -> Result<(), ViewsError> {
    schema::finish_rebuild(path_text(path.as_ref())?)
}

pub(crate) fn read_checkpoint(connection: &Connection) -> Result<Option<Position>, ViewsError> {
    let row: Option<(i64, i64)> = connection
        .prepare_cached("SELECT pos_commit, pos_prepare FROM checkpoint WHERE name = ?1")
        .and_then(|mut statement| {
            statement.query_row([PROJECTION_NAME], |row| Ok((row.get(0)?, row.get(1)?))).optional()
        })
        .map_err(sql("reading the checkpoint"))?;
    Ok(row.map(|(commit, prepare)| Position { commit: from_sql_u64(commit), prepare: from_sql_u64(prepare) }))
}

/// SQLite stores `i64`; positions are `u64` well below `i64::MAX` in both stores.
/// A UUID as the read models store it (hyphenated, lowercase).
pub(crate) fn id(uuid: uuid::Uuid) -> String {
    uuid.as_hyphenated().to_string()
}

/// A moment as the read models store it (microseconds since the epoch).
pub(crate) fn micros(time: chrono::DateTime<chrono::Utc>) -> i64 {
    time.timestamp_micros()
}

pub(crate) fn to_sql_u64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(crate) fn from_sql_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Projection for ViewsProjection {
    fn name(&self) -> &'static str {
        PROJECTION_NAME
    }

    fn checkpoint(&self) -> Result<Option<Position>, ProjectionError> {
        self.read_checkpoint().map_err(|e| ProjectionError::storage("reading the views checkpoint", e))
    }

    fn apply(&mut self, batch: &[RecordedEvent]) -> Result<(), ProjectionError> {
        apply::apply_batch(&mut self.connection, batch)
    }
}

/// A read-only connection to `views.sqlite`; every query of the read models is a method here.
pub struct ViewsReader {
    pub(crate) connection: Connection,
}

impl std::fmt::Debug for ViewsReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewsReader").finish_non_exhaustive()
    }
}

impl ViewsReader {
    /// Opens the views database at `path` read-only (it must exist: open the projection first).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ViewsError> {
        let text = path_text(path.as_ref())?;
        let connection =
            Connection::open_with_flags(text, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| ViewsError::storage(format!("opening {text} read-only"), e))?;
        connection
            .execute_batch("PRAGMA busy_timeout = 5000; PRAGMA cache_size = -16384;")
            .map_err(sql("configuring a read connection"))?;
        connection.set_prepared_statement_cache_capacity(64);
        Ok(Self { connection })
    }

    /// The position of the last event the read models include.
    pub fn checkpoint(&self) -> Result<Option<Position>, ViewsError> {
        read_checkpoint(&self.connection)
    }
}

#[cfg(test)]
mod tests;

//! The tree file: the Merkle tree over `$all`, kept incrementally, and the signed checkpoints.
//!
//! `<data_dir>/integrity/tree.sqlite` holds
//! - `leaves`: per leaf index, the event's position and id, its leaf hash and its fields'
//!   fingerprints (so `verify` can say which field of a changed event differs);
//! - `nodes`: the root of every perfect subtree above the leaves, so any proof or past root is
//!   O(log² n) lookups;
//! - `head`: how many leaves and the position of the last one, committed in the same
//!   transaction as the leaves (the projection's checkpoint: a crash resumes exactly);
//! - `checkpoints`: every signed checkpoint (the signed note's text), never deleted;
//! - `cosignatures`: witnesses' cosignatures of them;
//! - `witnessed`: for each log this instance witnesses, the last checkpoint it cosigned, and
//!   `alarms`: every inconsistency it found.
//!
//! Why a projection and not the store's commit: the tree is then the same code over both
//! backends (KurrentDB runs no code of ours inside its commit), an append waits for no hashing,
//! and what a proof needs (the tree's nodes) lives apart from what it proves (the events): a
//! `verify` recomputes every leaf from the events and compares. The tree trails the log by one
//! batch; a checkpoint covers what the tree holds when it is signed.

use std::path::Path;

use chrono::{DateTime, Utc};
use kirjuri_events::{EventId, Position, RecordedEvent};
use kirjuri_projections::{Projection, ProjectionError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::leaf::{event_leaf_hash, field_fingerprints};
use crate::merkle::{self, Frontier, Hash, NodeSource};
use crate::note::{Checkpoint, Signer};

/// The projection's name.
pub const NAME: &str = "integrity";

/// The tree file inside the data directory.
pub const TREE_FILE: &str = "integrity/tree.sqlite";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS leaves (
    idx      INTEGER PRIMARY KEY,
    commit_position  INTEGER NOT NULL,
    prepare_position INTEGER NOT NULL,
    id       BLOB NOT NULL,
    hash     BLOB NOT NULL,
    fields   BLOB NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS leaves_by_id ON leaves (id);
CREATE TABLE IF NOT EXISTS nodes (
    height INTEGER NOT NULL,
    idx    INTEGER NOT NULL,
    hash   BLOB NOT NULL,
    PRIMARY KEY (height, idx)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    size INTEGER NOT NULL,
    commit_position  INTEGER NOT NULL,
    prepare_position INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (
    size      INTEGER PRIMARY KEY,
    root      BLOB NOT NULL,
    signed_at INTEGER NOT NULL,
    note      TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS cosignatures (
    size     INTEGER NOT NULL,
    witness  TEXT NOT NULL,
    time     INTEGER NOT NULL,
    line     TEXT NOT NULL,
    PRIMARY KEY (size, witness)
) STRICT;
CREATE TABLE IF NOT EXISTS witnessed (
    origin TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    root   BLOB NOT NULL,
    note   TEXT NOT NULL,
    at     INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS alarms (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    origin TEXT NOT NULL,
    what   TEXT NOT NULL
) STRICT;
";

/// Why the tree file failed.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// SQLite failed.
    #[error("{context}: {source}")]
    Sqlite {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: rusqlite::Error,
    },
    /// An event has no leaf.
    #[error(transparent)]
    Leaf(#[from] crate::leaf::LeafError),
    /// A size or index outside the tree.
    #[error("{0}")]
    OutOfRange(String),
    /// A stored hash is not 32 bytes.
    #[error("the tree file is damaged: {0}")]
    Damaged(String),
}

fn sql(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> TreeError {
    let context = context.into();
    move |source| TreeError::Sqlite { context, source }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn hash_of(bytes: Vec<u8>, what: &str) -> Result<Hash, TreeError> {
    bytes.try_into().map_err(|_| TreeError::Damaged(format!("{what} is not a 32-byte hash")))
}

/// One leaf as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafRow {
    /// Its index in the tree.
    pub index: u64,
    /// The event's position when it was hashed.
    pub position: Position,
    /// The event's id.
    pub id: EventId,
    /// The leaf hash.
    pub hash: Hash,
    /// The fields' fingerprints.
    pub fields: Vec<u8>,
}

/// A signed checkpoint as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Its tree size.
    pub size: u64,
    /// Its root.
    pub root: Hash,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// The signed note.
    pub note: String,
}

/// A witness's cosignature of one of this log's checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCosignature {
    /// The checkpoint's size.
    pub size: u64,
    /// The witness key's name.
    pub witness: String,
    /// When the witness cosigned (unix seconds).
    pub time: u64,
    /// The cosignature line.
    pub line: String,
}

/// An inconsistency a witness found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    /// When.
    pub at: DateTime<Utc>,
    /// The witnessed log.
    pub origin: String,
    /// What was wrong.
    pub what: String,
}

/// The tree file open for reading and writing.
pub struct TreeFile {
    connection: Connection,
    frontier: Frontier,
    position: Option<Position>,
}

impl std::fmt::Debug for TreeFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeFile").field("size", &self.frontier.size()).finish_non_exhaustive()
    }
}

/// Hashes read through a connection.
struct Nodes<'c>(&'c Connection);

impl NodeSource for Nodes<'_> {
    type Error = TreeError;
    fn node(&self, height: u32, index: u64) -> Result<Hash, TreeError> {
        let bytes: Option<Vec<u8>> = if height == 0 {
            self.0
                .prepare_cached("SELECT hash FROM leaves WHERE idx = ?1")
                .and_then(|mut s| s.query_row([to_i64(index)], |r| r.get(0)).optional())
        } else {
            self.0
                .prepare_cached("SELECT hash FROM nodes WHERE height = ?1 AND idx = ?2")
                .and_then(|mut s| s.query_row(params![height, to_i64(index)], |r| r.get(0)).optional())
        }
        .map_err(sql("reading a tree node"))?;
        let bytes = bytes.ok_or_else(|| TreeError::Damaged(format!("node {height}/{index} is missing")))?;
        hash_of(bytes, "a node")
    }
}

impl TreeFile {
    /// Opens (creating) the tree file at `path`, with a crash-safe write connection.
    pub fn open(path: &Path) -> Result<Self, TreeError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| TreeError::Sqlite {
                context: format!("creating {}", parent.display()),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        }
        let connection = Connection::open(path).map_err(sql(format!("opening {}", path.display())))?;
        connection
            // NORMAL, not FULL: a power cut may lose the last batches, never corrupt the file, and the
            // projection's checkpoint is in the same transactions, so it resumes from what survived
            // (the events are the truth; a signed checkpoint lost that way was already handed out).
            // One flush per batch fewer keeps an append from paying for the tree's durability too.
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;")
            .map_err(sql("configuring the tree file"))?;
        connection.execute_batch(SCHEMA).map_err(sql("creating the tree file's tables"))?;
        Self::load(connection)
    }

    /// Opens an existing tree file read-only (for `verify` and proofs).
    pub fn open_read_only(path: &Path) -> Result<Self, TreeError> {
        let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sql(format!("opening {} read-only", path.display())))?;
        connection.execute_batch("PRAGMA busy_timeout = 10000;").map_err(sql("configuring the tree file"))?;
        Self::load(connection)
    }

    fn load(connection: Connection) -> Result<Self, TreeError> {
        connection.set_prepared_statement_cache_capacity(32);
        let head: Option<(i64, i64, i64)> = connection
            .query_row("SELECT size, commit_position, prepare_position FROM head", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(sql("reading the tree's head"))?;
        let (size, position) = match head {
            Some((size, commit, prepare)) => {
                (size as u64, Some(Position { commit: commit as u64, prepare: prepare as u64 }))
            }
            None => (0, None),
        };
        let frontier = Frontier::load(&Nodes(&connection), size)?;
        Ok(Self { connection, frontier, position })
    }

    /// Re-reads the head (another connection may have appended).
    pub fn refresh(&mut self) -> Result<(), TreeError> {
        let connection = std::mem::replace(&mut self.connection, Connection::open_in_memory().map_err(sql("swap"))?);
        *self = Self::load(connection)?;
        Ok(())
    }

    /// How many leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The position of the last leaf's event.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// Appends the leaves of `events` (those after the head) in one transaction.
    pub fn append(&mut self, events: &[RecordedEvent]) -> Result<(), TreeError> {
        let fresh: Vec<&RecordedEvent> =
            events.iter().filter(|e| self.position.is_none_or(|p| e.position > p)).collect();
        let Some(last) = fresh.last() else {
            return Ok(());
        };
        let mut leaves = Vec::with_capacity(fresh.len());
        for event in &fresh {
            leaves.push((event_leaf_hash(event)?, field_fingerprints(event)?));
        }
        let mut frontier = self.frontier.clone();
        let transaction = self.connection.transaction().map_err(sql("starting a tree transaction"))?;
        {
            let mut insert_leaf = transaction
                .prepare_cached(
                    "INSERT INTO leaves (idx, commit_position, prepare_position, id, hash, fields)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(sql("preparing the leaf insert"))?;
            let mut insert_node = transaction
                .prepare_cached("INSERT INTO nodes (height, idx, hash) VALUES (?1, ?2, ?3)")
                .map_err(sql("preparing the node insert"))?;
            let mut failed = None;
            for (event, (hash, fields)) in fresh.iter().zip(&leaves) {
                let index = frontier.size();
                insert_leaf
                    .execute(params![
                        to_i64(index),
                        to_i64(event.position.commit),
                        to_i64(event.position.prepare),
                        event.id.0.as_bytes().as_slice(),
                        hash.as_slice(),
                        fields
                    ])
                    .map_err(sql(format!("keeping the leaf of event {} ({})", event.id, event.position)))?;
                frontier.push_with(*hash, |height, idx, node| {
                    if height > 0
                        && failed.is_none()
                        && let Err(e) = insert_node.execute(params![height, to_i64(idx), node.as_slice()])
                    {
                        failed = Some(e);
                    }
                });
                if let Some(e) = failed.take() {
                    return Err(TreeError::Sqlite { context: "keeping a tree node".into(), source: e });
                }
            }
        }
        transaction
            .execute(
                "INSERT INTO head (one, size, commit_position, prepare_position) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (one) DO UPDATE SET size = excluded.size,
                   commit_position = excluded.commit_position, prepare_position = excluded.prepare_position",
                params![to_i64(frontier.size()), to_i64(last.position.commit), to_i64(last.position.prepare)],
            )
            .map_err(sql("moving the tree's head"))?;
        transaction.commit().map_err(sql("committing the tree"))?;
        self.frontier = frontier;
        self.position = Some(last.position);
        Ok(())
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError> {
        self.check_size(size)?;
        merkle::root_at(&Nodes(&self.connection), size)
    }

    fn check_size(&self, size: u64) -> Result<(), TreeError> {
        if size > self.size() {
            return Err(TreeError::OutOfRange(format!("tree size {size} is beyond the tree's {} leaves", self.size())));
        }
        Ok(())
    }

    /// The audit path of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_size(size)?;
        if index >= size {
            return Err(TreeError::OutOfRange(format!("leaf {index} is not in a tree of {size} leaves")));
        }
        merkle::inclusion_proof(&Nodes(&self.connection), index, size)
    }

    /// The consistency proof from `old` to `new` leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_size(new)?;
        if old == 0 || old > new {
            return Err(TreeError::OutOfRange(format!("a consistency proof needs 0 < from ≤ to, got {old} and {new}")));
        }
        merkle::consistency_proof(&Nodes(&self.connection), old, new)
    }

    /// The leaf of event `id`.
    pub fn leaf_of(&self, id: EventId) -> Result<Option<LeafRow>, TreeError> {
        self.leaf_where("id = ?1", id.0.as_bytes().to_vec())
    }

    /// Leaf `index`.
    pub fn leaf(&self, index: u64) -> Result<Option<LeafRow>, TreeError> {
        self.leaf_where("idx = ?1", to_i64(index))
    }

    fn leaf_where(&self, condition: &str, value: impl rusqlite::ToSql) -> Result<Option<LeafRow>, TreeError> {
        let row = self
            .connection
            .prepare_cached(&format!(
                "SELECT idx, commit_position, prepare_position, id, hash, fields FROM leaves WHERE {condition}"
            ))
            .and_then(|mut s| s.query_row([value], leaf_row).optional())
            .map_err(sql("reading a leaf"))?;
        row.map(|(row, hash)| Ok(LeafRow { hash: hash_of(hash, "a leaf hash")?, ..row })).transpose()
    }

    /// Leaves `from..to` in order.
    pub fn leaves(&self, from: u64, to: u64) -> Result<Vec<LeafRow>, TreeError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT idx, commit_position, prepare_position, id, hash, fields FROM leaves
                 WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
            )
            .map_err(sql("reading leaves"))?;
        let rows = statement
            .query_map(params![to_i64(from), to_i64(to)], leaf_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("reading leaves"))?;
        rows.into_iter().map(|(row, hash)| Ok(LeafRow { hash: hash_of(hash, "a leaf hash")?, ..row })).collect()
    }

    /// Signs a checkpoint of the whole tree now with `signer` and keeps it, unless the latest
    /// one already covers it; answers the latest checkpoint either way (`None` for an empty tree).
    pub fn sign(&mut self, signer: &Signer, now: DateTime<Utc>) -> Result<Option<StoredCheckpoint>, TreeError> {
        let latest = self.latest_checkpoint()?;
        let size = self.size();
        if size == 0 || latest.as_ref().is_some_and(|c| c.size >= size) {
            return Ok(latest);
        }
        let checkpoint = Checkpoint {
            origin: signer.verifier().name,
            size,
            root: self.root(),
            time: DateTime::from_timestamp(now.timestamp(), 0),
        };
        let note = signer.sign_note(&checkpoint.text());
        self.connection
            .execute(
                "INSERT OR IGNORE INTO checkpoints (size, root, signed_at, note) VALUES (?1, ?2, ?3, ?4)",
                params![to_i64(size), checkpoint.root.as_slice(), now.timestamp_micros(), note],
            )
            .map_err(sql("keeping a signed checkpoint"))?;
        Ok(Some(StoredCheckpoint { size, root: checkpoint.root, signed_at: now, note }))
    }

    /// Signs a checkpoint if `every_events` leaves arrived since the latest one, or
    /// `every_seconds` passed since it with at least one new leaf.
    pub fn sign_if_due(
        &mut self,
        signer: &Signer,
        now: DateTime<Utc>,
        every_events: u64,
        every_seconds: u64,
    ) -> Result<Option<StoredCheckpoint>, TreeError> {
        let latest = self.latest_checkpoint()?;
        let (signed_size, signed_at) = latest.as_ref().map_or((0, None), |c| (c.size, Some(c.signed_at)));
        let new = self.size().saturating_sub(signed_size);
        let due = new > 0
            && (new >= every_events || signed_at.is_none_or(|at| (now - at).num_seconds() >= to_i64(every_seconds)));
        if due { self.sign(signer, now).map(|c| c.filter(|c| c.size > signed_size)) } else { Ok(None) }
    }

    /// The latest signed checkpoint.
    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, TreeError> {
        self.checkpoint_where("1 = 1 ORDER BY size DESC LIMIT 1", 0)
    }

    /// The smallest signed checkpoint covering `size` leaves.
    pub fn checkpoint_covering(&self, size: u64) -> Result<Option<StoredCheckpoint>, TreeError> {
        self.checkpoint_where("size >= ?1 ORDER BY size LIMIT 1", to_i64(size))
    }

    /// The checkpoint of exactly `size` leaves.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<StoredCheckpoint>, TreeError> {
        self.checkpoint_where("size = ?1", to_i64(size))
    }

    fn checkpoint_where(&self, condition: &str, value: i64) -> Result<Option<StoredCheckpoint>, TreeError> {
        let text = format!("SELECT size, root, signed_at, note FROM checkpoints WHERE {condition}");
        let bind = condition.contains("?1");
        let mut statement = self.connection.prepare_cached(&text).map_err(sql("reading checkpoints"))?;
        let mapped = |r: &rusqlite::Row<'_>| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))
        };
        let row = if bind { statement.query_row([value], mapped) } else { statement.query_row([], mapped) }
            .optional()
            .map_err(sql("reading checkpoints"))?;
        row.map(stored_checkpoint).transpose()
    }

    /// Every signed checkpoint, smallest first.
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, TreeError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT size, root, signed_at, note FROM checkpoints ORDER BY size")
            .map_err(sql("reading checkpoints"))?;
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("reading checkpoints"))?;
        rows.into_iter().map(stored_checkpoint).collect()
    }

    /// Keeps a witness's cosignature of checkpoint `size`.
    pub fn add_cosignature(&self, cosignature: &StoredCosignature) -> Result<(), TreeError> {
        self.connection
            .execute(
                "INSERT OR REPLACE INTO cosignatures (size, witness, time, line) VALUES (?1, ?2, ?3, ?4)",
                params![to_i64(cosignature.size), cosignature.witness, to_i64(cosignature.time), cosignature.line],
            )
            .map_err(sql("keeping a cosignature"))?;
        Ok(())
    }

    /// Every cosignature, newest checkpoint first.
    pub fn cosignatures(&self) -> Result<Vec<StoredCosignature>, TreeError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT size, witness, time, line FROM cosignatures ORDER BY size DESC, witness")
            .map_err(sql("reading cosignatures"))?;
        statement
            .query_map([], |r| {
                Ok(StoredCosignature {
                    size: r.get::<_, i64>(0)? as u64,
                    witness: r.get(1)?,
                    time: r.get::<_, i64>(2)? as u64,
                    line: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("reading cosignatures"))
    }

    /// The last checkpoint of `origin` this instance cosigned as a witness.
    pub fn witnessed(&self, origin: &str) -> Result<Option<(u64, Hash, String)>, TreeError> {
        let row: Option<(i64, Vec<u8>, String)> = self
            .connection
            .query_row("SELECT size, root, note FROM witnessed WHERE origin = ?1", [origin], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(sql("reading the witnessed checkpoint"))?;
        row.map(|(size, root, note)| Ok((size as u64, hash_of(root, "a witnessed root")?, note))).transpose()
    }

    /// Remembers the checkpoint of `origin` this instance just cosigned.
    pub fn set_witnessed(&self, origin: &str, checkpoint: &Checkpoint, note: &str) -> Result<(), TreeError> {
        self.connection
            .execute(
                "INSERT OR REPLACE INTO witnessed (origin, size, root, note, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    origin,
                    to_i64(checkpoint.size),
                    checkpoint.root.as_slice(),
                    note,
                    Utc::now().timestamp_micros()
                ],
            )
            .map_err(sql("remembering the witnessed checkpoint"))?;
        Ok(())
    }

    /// Records an inconsistency found while witnessing `origin`.
    pub fn raise_alarm(&self, origin: &str, what: &str) -> Result<(), TreeError> {
        self.connection
            .execute(
                "INSERT INTO alarms (at, origin, what) VALUES (?1, ?2, ?3)",
                params![Utc::now().timestamp_micros(), origin, what],
            )
            .map_err(sql("recording an alarm"))?;
        Ok(())
    }

    /// Every alarm, newest first.
    pub fn alarms(&self) -> Result<Vec<Alarm>, TreeError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT at, origin, what FROM alarms ORDER BY id DESC")
            .map_err(sql("reading alarms"))?;
        statement
            .query_map([], |r| {
                Ok(Alarm {
                    at: DateTime::from_timestamp_micros(r.get(0)?).unwrap_or_default(),
                    origin: r.get(1)?,
                    what: r.get(2)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql("reading alarms"))
    }
}

/// Brings `tree` up to the end of `store`'s log (the projection does this in a running server;
/// tools working beside none call this); answers the tree's size.
pub async fn catch_up(
    store: &dyn kirjuri_store::EventStore,
    tree: &mut TreeFile,
) -> Result<u64, crate::verify::VerifyError> {
    let mut from = tree.position();
    loop {
        let mut options = kirjuri_store::ReadAllOptions::forward(8_192);
        if let Some(position) = from {
            options = options.from(position);
        }
        let page: Vec<RecordedEvent> =
            store.read_all(options).await?.into_iter().filter(|e| from.is_none_or(|p| e.position > p)).collect();
        let Some(last) = page.last().map(|e| e.position) else { break };
        tree.append(&page)?;
        from = Some(last);
    }
    Ok(tree.size())
}

type RawLeaf = (LeafRow, Vec<u8>);

fn leaf_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawLeaf> {
    let id: Vec<u8> = r.get(3)?;
    let id = uuid::Uuid::from_slice(&id).unwrap_or_default();
    Ok((
        LeafRow {
            index: r.get::<_, i64>(0)? as u64,
            position: Position { commit: r.get::<_, i64>(1)? as u64, prepare: r.get::<_, i64>(2)? as u64 },
            id: EventId(id),
            hash: [0; 32],
            fields: r.get(5)?,
        },
        r.get(4)?,
    ))
}

fn stored_checkpoint(
    (size, root, signed_at, note): (i64, Vec<u8>, i64, String),
) -> Result<StoredCheckpoint, TreeError> {
    Ok(StoredCheckpoint {
        size: size as u64,
        root: hash_of(root, "a checkpoint root")?,
        signed_at: DateTime::from_timestamp_micros(signed_at).unwrap_or_default(),
        note,
    })
}

/// The projection keeping the tree file.
#[derive(Debug)]
pub struct TreeProjection {
    tree: TreeFile,
}

impl TreeProjection {
    /// The projection over the tree file at `path`.
    pub fn open(path: &Path) -> Result<Self, TreeError> {
        Ok(Self { tree: TreeFile::open(path)? })
    }
}

impl Projection for TreeProjection {
    fn name(&self) -> &'static str {
        NAME
    }

    fn checkpoint(&self) -> Result<Option<Position>, ProjectionError> {
        Ok(self.tree.position())
    }

    fn apply(&mut self, batch: &[RecordedEvent]) -> Result<(), ProjectionError> {
        self.tree.append(batch).map_err(|error| match error {
            TreeError::Leaf(leaf) => {
                let event = batch.iter().find(|e| e.id.to_string() == leaf.id);
                match event {
                    Some(event) => ProjectionError::poison(event, leaf.to_string()),
                    None => ProjectionError::storage("hashing a leaf", leaf),
                }
            }
            other => ProjectionError::storage("extending the Merkle tree", other),
        })
    }
}

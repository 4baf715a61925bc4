//! `kirjuri verify`: recompute the tree from the events and check it against what was signed.
//!
//! Every event of `$all` is read in order and hashed into a fresh tree. Three things are
//! compared with it:
//! - every signed checkpoint (the tree file's, and any the caller brings, e.g. one a witness
//!   cosigned): its signature by a known key, and its root against the recomputed root of its
//!   size — this catches any change before it, even one made together with a recomputed tree
//!   file, as long as the signing key was not also taken;
//! - the tree file's leaves, one by one: the first that differs names the event that was
//!   changed (and which of its fields), inserted, removed or reordered;
//! - the tree file's size: a log shorter than its tree lost events at its end.
//!
//! Events after the last signed checkpoint are only as trusted as the tree file; the report
//! says how many there are.

use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::{EventStore, ReadAllOptions, StoreError};
use serde::Serialize;

use crate::leaf::{differing_fields, event_leaf_hash, field_fingerprints};
use crate::merkle::{Frontier, Hash, hex};
use crate::note::{VerifierKey, open_checkpoint};
use crate::tree::{LeafRow, TreeError, TreeFile};

/// Events read per page.
const PAGE: usize = 8_192;

/// What `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// The event at this place is the one the tree holds, with other content.
    Changed {
        /// Its leaf index.
        index: u64,
        /// Its position.
        position: String,
        /// Its stream.
        stream: String,
        /// Its revision.
        revision: u64,
        /// Its id.
        event_id: String,
        /// Which fields differ.
        fields: Vec<&'static str>,
    },
    /// An event the tree never held sits here.
    Inserted {
        /// Its leaf index.
        index: u64,
        /// Its position.
        position: String,
        /// Its stream.
        stream: String,
        /// Its revision.
        revision: u64,
        /// Its id.
        event_id: String,
    },
    /// The event the tree holds here is gone from the log.
    Removed {
        /// Its leaf index.
        index: u64,
        /// Its id.
        event_id: String,
        /// Where it was.
        position: String,
    },
    /// An event the tree holds sits at another place.
    Reordered {
        /// Where it is now.
        index: u64,
        /// Where the tree has it.
        kept_index: u64,
        /// Its position.
        position: String,
        /// Its stream.
        stream: String,
        /// Its revision.
        revision: u64,
        /// Its id.
        event_id: String,
    },
    /// A signed root differs from the recomputed one.
    CheckpointMismatch {
        /// The checkpoint's size.
        size: u64,
        /// What was signed.
        signed_root: String,
        /// What the events give.
        computed_root: String,
    },
    /// A checkpoint covers more events than the log holds.
    CheckpointBeyondLog {
        /// The checkpoint's size.
        size: u64,
        /// How many events the log holds.
        events: u64,
    },
    /// A checkpoint whose signature or text does not check out.
    BadCheckpoint {
        /// Where it came from.
        source: String,
        /// Why.
        error: String,
    },
    /// The log holds fewer events than the tree.
    Truncated {
        /// How many events the log holds.
        events: u64,
        /// How many leaves the tree holds.
        tree_size: u64,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Changed { index, position, stream, revision, event_id, fields } => write!(
                f,
                "event {event_id} (leaf {index}, position {position}, {stream} revision {revision}) was changed: {} differ",
                fields.join(", ")
            ),
            Self::Inserted { index, position, stream, revision, event_id } => write!(
                f,
                "event {event_id} (leaf {index}, position {position}, {stream} revision {revision}) was inserted: the tree never held it"
            ),
            Self::Removed { index, event_id, position } => {
                write!(f, "event {event_id} (leaf {index}, position {position}) was removed from the log")
            }
            Self::Reordered { index, kept_index, position, stream, revision, event_id } => write!(
                f,
                "event {event_id} ({stream} revision {revision}, position {position}) was moved: it is leaf {index} now, leaf {kept_index} in the tree"
            ),
            Self::CheckpointMismatch { size, signed_root, computed_root } => write!(
                f,
                "the signed checkpoint of {size} events has root {signed_root}, but the events give {computed_root}"
            ),
            Self::CheckpointBeyondLog { size, events } => {
                write!(f, "a signed checkpoint covers {size} events, but the log holds only {events}")
            }
            Self::BadCheckpoint { source, error } => write!(f, "checkpoint {source}: {error}"),
            Self::Truncated { events, tree_size } => {
                write!(
                    f,
                    "the log holds {events} events, but the tree held {tree_size}: events were removed from its end"
                )
            }
        }
    }
}

/// One checkpoint as `verify` checked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedCheckpoint {
    /// Its size.
    pub size: u64,
    /// Its root (hex).
    pub root: String,
    /// The key that signed it.
    pub key: String,
    /// Whether the events give its root.
    pub matches: bool,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Whether nothing was found wrong.
    pub healthy: bool,
    /// How many events the log holds.
    pub events: u64,
    /// The recomputed root of the whole log (hex).
    pub root: String,
    /// How many leaves the tree file held (`None` without a tree file).
    pub tree_size: Option<u64>,
    /// Every checkpoint checked.
    pub checkpoints: Vec<CheckedCheckpoint>,
    /// Events after the last signed checkpoint: only as trusted as the tree file.
    pub unsigned_events: u64,
    /// What was found wrong, the first differing event first.
    pub findings: Vec<Finding>,
}

/// Why `verify` could not run to the end (the input is unusable, not tampered).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The store could not be read.
    #[error("reading the event store: {0}")]
    Store(#[from] StoreError),
    /// The tree file could not be read.
    #[error("reading the tree file: {0}")]
    Tree(#[from] TreeError),
    /// A hashing task failed.
    #[error("a hashing task failed: {0}")]
    Task(String),
}

/// A checkpoint to check besides the tree file's: a signed note and where it came from.
#[derive(Debug, Clone)]
pub struct ExtraCheckpoint {
    /// Where it came from (a file name, a witness).
    pub source: String,
    /// The signed note.
    pub note: String,
}

struct Expected {
    size: u64,
    root: Hash,
    key: String,
}

/// The state of one run.
struct Verifier<'t> {
    tree: Option<&'t TreeFile>,
    expected: Vec<Expected>,
    next_expected: usize,
    checked: Vec<CheckedCheckpoint>,
    findings: Vec<Finding>,
    frontier: Frontier,
    /// Whether the first differing leaf was already named.
    located: bool,
}

impl Verifier<'_> {
    /// Checks every checkpoint of the tree's current size.
    fn check_checkpoints(&mut self) {
        let size = self.frontier.size();
        while self.next_expected < self.expected.len() && self.expected[self.next_expected].size <= size {
            let e = &self.expected[self.next_expected];
            if e.size == size {
                let root = self.frontier.root();
                let matches = e.root == root;
                if !matches {
                    self.findings.push(Finding::CheckpointMismatch {
                        size,
                        signed_root: hex(&e.root),
                        computed_root: hex(&root),
                    });
                }
                self.checked.push(CheckedCheckpoint { size, root: hex(&e.root), key: e.key.clone(), matches });
            }
            self.next_expected += 1;
        }
    }

    /// Adds a page of events and their leaf hashes.
    fn absorb(&mut self, page: &[RecordedEvent], hashes: Vec<Result<Hash, String>>) -> Result<(), VerifyError> {
        let start = self.frontier.size();
        let kept = match self.tree {
            Some(tree) if !self.located && start < tree.size() => tree.leaves(start, start + page.len() as u64)?,
            _ => Vec::new(),
        };
        for (offset, (event, hash)) in page.iter().zip(hashes).enumerate() {
            let hash = match hash {
                Ok(hash) => hash,
                Err(_) => {
                    // Data that is not JSON has no canonical leaf: hash its raw text so the tree
                    // still differs from any honest one, and name the event.
                    crate::merkle::leaf_hash(event.data.as_str().as_bytes())
                }
            };
            if !self.located
                && let Some(kept) = kept.get(offset)
                && kept.hash != hash
            {
                self.located = true;
                let finding = self.classify(start + offset as u64, event, kept, page.get(offset + 1))?;
                self.findings.insert(0, finding);
            }
            self.frontier.push(hash);
            self.check_checkpoints();
        }
        Ok(())
    }

    /// Names what happened at the first leaf that differs from the tree's.
    fn classify(
        &self,
        index: u64,
        event: &RecordedEvent,
        kept: &LeafRow,
        next: Option<&RecordedEvent>,
    ) -> Result<Finding, VerifyError> {
        let here = |index: u64| {
            (index, event.position.to_string(), event.stream.to_string(), event.revision.0, event.id.to_string())
        };
        if kept.id == event.id {
            let now = field_fingerprints(event).unwrap_or_default();
            let mut fields = differing_fields(&kept.fields, &now);
            if fields.is_empty() {
                fields.push("data");
            }
            let (index, position, stream, revision, event_id) = here(index);
            return Ok(Finding::Changed { index, position, stream, revision, event_id, fields });
        }
        let tree = self.tree.ok_or_else(|| VerifyError::Task("no tree to classify against".into()))?;
        match tree.leaf_of(event.id)? {
            None => {
                let (index, position, stream, revision, event_id) = here(index);
                Ok(Finding::Inserted { index, position, stream, revision, event_id })
            }
            Some(found) if found.index > index && next.is_none_or(|n| n.id != kept.id) => {
                Ok(Finding::Removed { index, event_id: kept.id.to_string(), position: kept.position.to_string() })
            }
            Some(found) => {
                let (index, position, stream, revision, event_id) = here(index);
                Ok(Finding::Reordered { index, kept_index: found.index, position, stream, revision, event_id })
            }
        }
    }
}

/// A page of events and their leaf hashes (or why an event has none).
type HashedPage = (Vec<RecordedEvent>, Vec<Result<Hash, String>>);

/// Leaf hashes of a page, on as many threads as the machine has (at most 8).
fn hash_page(page: &[RecordedEvent]) -> Vec<Result<Hash, String>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if page.len() < 256 || threads == 1 {
        return page.iter().map(|e| event_leaf_hash(e).map_err(|e| e.to_string())).collect();
    }
    let chunk = page.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = page
            .chunks(chunk)
            .map(|events| {
                scope.spawn(move || {
                    events.iter().map(|e| event_leaf_hash(e).map_err(|e| e.to_string())).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// Recomputes the tree of `store`'s log and checks it against `tree`'s leaves and every signed
/// checkpoint (the tree's and `extra`), signed by one of `keys`. `progress(done)` is called
/// after each page.
pub async fn verify_log(
    store: &dyn EventStore,
    tree: Option<&TreeFile>,
    keys: &[VerifierKey],
    extra: &[ExtraCheckpoint],
    mut progress: impl FnMut(u64),
) -> Result<VerifyReport, VerifyError> {
    let mut findings = Vec::new();
    let mut expected: Vec<Expected> = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    if let Some(tree) = tree {
        for stored in tree.checkpoints()? {
            notes.push((format!("of size {} in the tree file", stored.size), stored.note));
        }
    }
    notes.extend(extra.iter().map(|e| (e.source.clone(), e.note.clone())));
    for (source, note) in notes {
        match open_checkpoint(&note, keys) {
            Ok((checkpoint, key)) => {
                expected.push(Expected { size: checkpoint.size, root: checkpoint.root, key: key.label() });
            }
            Err(error) => findings.push(Finding::BadCheckpoint { source, error: error.to_string() }),
        }
    }
    expected.sort_by_key(|e| e.size);
    let mut verifier = Verifier {
        tree,
        expected,
        next_expected: 0,
        checked: Vec::new(),
        findings,
        frontier: Frontier::new(),
        located: false,
    };
    verifier.check_checkpoints();

    // Reading the next page overlaps with hashing the last one.
    let mut from: Option<Position> = None;
    let mut pending: Option<tokio::task::JoinHandle<HashedPage>> = None;
    loop {
        let mut options = ReadAllOptions::forward(PAGE + usize::from(from.is_some()));
        if let Some(from) = from {
            options = options.from(from);
        }
        let mut page = store.read_all(options).await?;
        if from.is_some() && !page.is_empty() {
            page.remove(0);
        }
        let last = page.last().map(|e| e.position);
        if let Some(previous) = pending.take() {
            let (events, hashes) = previous.await.map_err(|e| VerifyError::Task(e.to_string()))?;
            verifier.absorb(&events, hashes)?;
            progress(verifier.frontier.size());
        }
        let Some(last) = last else { break };
        pending = Some(tokio::task::spawn_blocking(move || {
            let hashes = hash_page(&page);
            (page, hashes)
        }));
        from = Some(last);
    }

    let events = verifier.frontier.size();
    let mut findings = verifier.findings;
    for e in &verifier.expected[verifier.next_expected..] {
        findings.push(Finding::CheckpointBeyondLog { size: e.size, events });
    }
    if let Some(tree_size) = tree.map(TreeFile::size)
        && events < tree_size
        && !verifier.located
    {
        let missing = tree.map(|t| t.leaf(events)).transpose()?.flatten();
        findings.insert(
            0,
            match missing {
                Some(leaf) => Finding::Removed {
                    index: events,
                    event_id: leaf.id.to_string(),
                    position: leaf.position.to_string(),
                },
                None => Finding::Truncated { events, tree_size },
            },
        );
    }
    let last_signed = verifier.checked.iter().filter(|c| c.matches).map(|c| c.size).max().unwrap_or(0);
    Ok(VerifyReport {
        healthy: findings.is_empty(),
        events,
        root: hex(&verifier.frontier.root()),
        tree_size: tree.map(TreeFile::size),
        checkpoints: verifier.checked,
        unsigned_events: events.saturating_sub(last_signed),
        findings,
    })
}

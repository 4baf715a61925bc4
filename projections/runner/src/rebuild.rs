//! Rebuilding a projection from position zero beside the live one, then swapping them.
//!
//! Who owns what: the [`ProjectionFactory`] owns the locations (where the live read model is,
//! how to open one, how to put a rebuilt one in its place); [`rebuild`] owns the fresh copy
//! until it promotes it. The live read model is never touched until the swap, so it keeps
//! serving while the rebuild runs.
//!
//! Swapping is a rename: atomic for a single file ([`promote_file`]); for a directory
//! ([`promote_directory`]) the live one is renamed aside and the new one renamed in, so for an
//! instant there is no live directory. A SQLite read model should live in a directory of its
//! own: its `-wal` and `-shm` files then move with it (renaming a bare database file over
//! another one that still has a `-wal` beside it would corrupt it). A process that has the old
//! read model open keeps reading the old files until it reopens the location.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kirjuri_events::Position;
use kirjuri_store::{EventStore, ReadAllOptions, StoreError};
use serde::Serialize;
use tracing::{info, warn};

use crate::retry::{ApplyOutcome, apply_with_retry, on_blocking_thread};
use crate::{Backoff, Projection, ProjectionError};

/// How many events a rebuild reads, and applies, at a time. Large batches matter: a read
/// model's per-batch costs (a transaction, a tantivy commit and the segment merges it causes,
/// aggregates flushed once per batch) made 1,000-event batches three times slower on the
/// 1,000,000-event demo.
pub(crate) const REBUILD_BATCH: usize = 10_000;

/// Knows where a projection's live read model is, how to open one, and how to swap in a rebuilt one.
pub trait ProjectionFactory: Send + Sync + 'static {
    /// The projection's name (as its projections report it).
    fn name(&self) -> &'static str;

    /// Where the live read model is (a file or a directory).
    fn live_location(&self) -> PathBuf;

    /// Opens (creating it if missing) the read model at `location`. Blocks.
    fn open(&self, location: &Path) -> Result<Box<dyn Projection>, ProjectionError>;

    /// Puts the closed, rebuilt read model at `rebuilt` in place of the live one.
    fn promote(&self, rebuilt: &Path) -> Result<(), ProjectionError>;

    /// Removes a read model (a leftover from an interrupted rebuild). Default:
    /// [`discard_location`].
    fn discard(&self, location: &Path) -> Result<(), ProjectionError> {
        discard_location(location)
    }
}

/// Where a rebuild of the read model at `live` is built: `<live>.rebuild`, beside it.
pub fn rebuild_location(live: &Path) -> PathBuf {
    let mut name = live.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "projection".into());
    name.push(".rebuild");
    live.with_file_name(name)
}

fn io_error(context: String) -> impl FnOnce(std::io::Error) -> ProjectionError {
    move |error| ProjectionError::storage(context, error)
}

/// Removes the file or directory at `location` (and a file's SQLite `-wal`, `-shm` and
/// `-journal` siblings); nothing there is fine.
pub fn discard_location(location: &Path) -> Result<(), ProjectionError> {
    let removed = match std::fs::symlink_metadata(location) {
        Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(location),
        Ok(_) => std::fs::remove_file(location),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    };
    removed.map_err(io_error(format!("removing {}", location.display())))?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut sibling = location.as_os_str().to_os_string();
        sibling.push(suffix);
        match std::fs::remove_file(&sibling) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(ProjectionError::storage(format!("removing {}", Path::new(&sibling).display()), error));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Renames the file `rebuilt` over `live` in one atomic step.
pub fn promote_file(rebuilt: &Path, live: &Path) -> Result<(), ProjectionError> {
    std::fs::rename(rebuilt, live).map_err(io_error(format!("renaming {} to {}", rebuilt.display(), live.display())))
}

/// Renames the directory `live` aside, `rebuilt` in its place, then removes the old one.
pub fn promote_directory(rebuilt: &Path, live: &Path) -> Result<(), ProjectionError> {
    let mut aside_name = live.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "projection".into());
    aside_name.push(".replaced");
    let aside = live.with_file_name(aside_name);
    discard_location(&aside)?;
    let live_exists = live.exists();
    if live_exists {
        std::fs::rename(live, &aside).map_err(io_error(format!(
            "renaming {} to {}",
            live.display(),
            aside.display()
        )))?;
    }
    if let Err(error) = std::fs::rename(rebuilt, live) {
        if live_exists {
            // Put the old one back so that a live read model remains.
            let _ = std::fs::rename(&aside, live);
        }
        return Err(ProjectionError::storage(format!("renaming {} to {}", rebuilt.display(), live.display()), error));
    }
    if live_exists && let Err(error) = discard_location(&aside) {
        warn!(location = %aside.display(), %error, "could not remove the replaced read model");
    }
    Ok(())
}

/// How far a rebuild has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RebuildProgress {
    /// Events applied so far.
    pub events_applied: u64,
    /// The position of the last event applied.
    pub position: Option<Position>,
    /// The head the rebuild catches up to (the head when it started).
    pub head: Option<Position>,
}

/// What a finished rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    /// The projection.
    pub name: &'static str,
    /// Events applied.
    pub events_applied: u64,
    /// The head it caught up to; the promoted read model's checkpoint is at or before it.
    pub head: Option<Position>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a rebuild failed; the live read model is untouched unless the error is `Promote`.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// The fresh read model could not be opened or an event cannot be applied (which and why).
    #[error("rebuilding projection `{name}`: {source}")]
    Projection {
        /// The projection.
        name: &'static str,
        /// Why.
        #[source]
        source: ProjectionError,
    },
    /// The fresh target already had a checkpoint (it was not discarded).
    #[error("rebuilding projection `{name}`: the fresh read model at {location} already has checkpoint {checkpoint}")]
    NotFresh {
        /// The projection.
        name: &'static str,
        /// Where.
        location: PathBuf,
        /// Its checkpoint.
        checkpoint: Position,
    },
    /// The event store could not be read.
    #[error("rebuilding projection `{name}`: {source}")]
    Store {
        /// The projection.
        name: &'static str,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// The projection panicked.
    #[error("rebuilding projection `{name}`: {message}")]
    Panicked {
        /// The projection.
        name: &'static str,
        /// The panic.
        message: String,
    },
    /// The rebuilt read model could not be swapped in.
    #[error("swapping in the rebuilt projection `{name}`: {source}")]
    Promote {
        /// The projection.
        name: &'static str,
        /// Why.
        #[source]
        source: ProjectionError,
    },
}

/// Builds the projection from position zero at [`rebuild_location`] of its live location, up
/// to the head as it was when the rebuild started, calling `progress` after each batch; then
/// closes it and asks the factory to promote it over the live one. Storage errors are retried
/// with the default [`Backoff`]; a poison event aborts the rebuild (the live one is untouched).
///
/// A process that runs the live read model must not promote under it: it builds with
/// [`rebuild_beside`], stops its runner, [`Rebuilt::promote`]s and reopens.
pub async fn rebuild(
    factory: Arc<dyn ProjectionFactory>,
    store: Arc<dyn EventStore>,
    progress: impl FnMut(RebuildProgress) + Send,
) -> Result<RebuildReport, RebuildError> {
    rebuild_beside(factory, store, progress).await?.promote().await
}

/// A read model rebuilt beside the live one, not yet swapped in. Dropping it leaves the
/// rebuilt copy on disk (the next rebuild discards it); [`Rebuilt::discard`] removes it.
pub struct Rebuilt {
    factory: Arc<dyn ProjectionFactory>,
    projection: Box<dyn Projection>,
    location: PathBuf,
    events_applied: u64,
    head: Option<Position>,
    started: Instant,
}

impl std::fmt::Debug for Rebuilt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rebuilt")
            .field("name", &self.factory.name())
            .field("location", &self.location)
            .field("events_applied", &self.events_applied)
            .field("head", &self.head)
            .finish_non_exhaustive()
    }
}

impl Rebuilt {
    /// The head it caught up to.
    pub fn head(&self) -> Option<Position> {
        self.head
    }

    /// Closes the rebuilt read model and asks the factory to put it in place of the live one.
    pub async fn promote(self) -> Result<RebuildReport, RebuildError> {
        let Self { factory, projection, location, events_applied, head, started } = self;
        let name = factory.name();
        let promoted = tokio::task::spawn_blocking(move || {
            drop(projection);
            factory.promote(&location)
        })
        .await;
        match promoted {
            Ok(Ok(())) => {}
            Ok(Err(source)) => return Err(RebuildError::Promote { name, source }),
            Err(error) => return Err(RebuildError::Panicked { name, message: error.to_string() }),
        }
        let elapsed = started.elapsed();
        info!(
            projection = name,
            events_applied,
            elapsed_ms = elapsed.as_millis() as u64,
            "projection rebuilt and swapped in"
        );
        Ok(RebuildReport { name, events_applied, head, elapsed })
    }

    /// Closes and removes the rebuilt read model.
    pub async fn discard(self) -> Result<(), ProjectionError> {
        let Self { factory, projection, location, .. } = self;
        tokio::task::spawn_blocking(move || {
            drop(projection);
            factory.discard(&location)
        })
        .await
        .map_err(|e| ProjectionError::storage("discarding a rebuilt read model", e.to_string()))?
    }
}

/// Builds the projection from position zero at [`rebuild_location`] of its live location, up
/// to the head as it was when the rebuild started, calling `progress` after each batch, and
/// hands it back open, not yet promoted. The live read model is not touched.
pub async fn rebuild_beside(
    factory: Arc<dyn ProjectionFactory>,
    store: Arc<dyn EventStore>,
    mut progress: impl FnMut(RebuildProgress) + Send,
) -> Result<Rebuilt, RebuildError> {
    let name = factory.name();
    let started = Instant::now();
    let target = rebuild_location(&factory.live_location());
    let opened = {
        let factory = Arc::clone(&factory);
        let target = target.clone();
        tokio::task::spawn_blocking(move || {
            factory.discard(&target)?;
            let projection = factory.open(&target)?;
            let checkpoint = projection.checkpoint()?;
            Ok::<_, ProjectionError>((projection, checkpoint))
        })
        .await
    };
    let (projection, checkpoint) = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(source)) => return Err(RebuildError::Projection { name, source }),
        Err(error) => return Err(RebuildError::Panicked { name, message: error.to_string() }),
    };
    if let Some(checkpoint) = checkpoint {
        return Err(RebuildError::NotFresh { name, location: target, checkpoint });
    }
    let head = store.head_position().await.map_err(|source| RebuildError::Store { name, source })?;
    info!(projection = name, head = ?head, target = %target.display(), "projection rebuild starting");
    match build(projection, &*store, head, name, &mut progress).await {
        Ok((projection, events_applied)) => {
            Ok(Rebuilt { factory, projection, location: target, events_applied, head, started })
        }
        Err(error) => {
            let leftover = target.clone();
            let _ = tokio::task::spawn_blocking(move || factory.discard(&leftover)).await;
            Err(error)
        }
    }
}

/// Applies every event passing the filter up to `head`, reading the next page while the
/// current one is applied.
async fn build(
    mut projection: Box<dyn Projection>,
    store: &dyn EventStore,
    head: Option<Position>,
    name: &'static str,
    progress: &mut (impl FnMut(RebuildProgress) + Send),
) -> Result<(Box<dyn Projection>, u64), RebuildError> {
    let Some(head) = head else { return Ok((projection, 0)) };
    let filter = projection.filter();
    let read_page = |after: Option<Position>| {
        let mut options = ReadAllOptions::forward(REBUILD_BATCH).filtered(filter.clone());
        if let Some(after) = after {
            options = options.from(after);
        }
        async move {
            let page = store.read_all(options).await.map_err(|source| RebuildError::Store { name, source })?;
            let full = page.len() == REBUILD_BATCH;
            let events: Vec<_> = page
                .into_iter()
                .filter(|event| after.is_none_or(|after| event.position > after) && event.position <= head)
                .collect();
            let more = full && events.last().is_some_and(|last| last.position < head);
            Ok::<_, RebuildError>((events, more))
        }
    };
    let mut events_applied: u64 = 0;
    let mut page = read_page(None).await?;
    loop {
        let (events, more) = page;
        let Some(last) = events.last().map(|event| event.position) else { break };
        let count = events.len() as u64;
        let apply = apply_with_retry(projection, events, Backoff::default(), None, |error, attempt, delay| {
            warn!(projection = name, attempt, delay_ms = delay.as_millis() as u64, %error, "rebuild storage failed, retrying");
        });
        let (outcome, next) = if more {
            let (outcome, next) = tokio::join!(apply, read_page(Some(last)));
            (outcome, Some(next))
        } else {
            (apply.await, None)
        };
        projection = match outcome {
            ApplyOutcome::Applied(projection) | ApplyOutcome::Interrupted(projection) => projection,
            ApplyOutcome::Poisoned(_, source, _) => return Err(RebuildError::Projection { name, source }),
            ApplyOutcome::Panicked(message) => return Err(RebuildError::Panicked { name, message }),
        };
        events_applied += count;
        progress(RebuildProgress { events_applied, position: Some(last), head: Some(head) });
        match next {
            Some(next) => page = next?,
            None => break,
        }
    }
    // Verify that what was committed is what was applied.
    let (projection, checkpoint) = on_blocking_thread(projection, |p| p.checkpoint())
        .await
        .map_err(|message| RebuildError::Panicked { name, message })?;
    checkpoint.map_err(|source| RebuildError::Projection { name, source })?;
    Ok((projection, events_applied))
}

//! Keeping the error that stopped a projection across restarts and processes.
//!
//! [`FailureRecording`] wraps a projection whose read model lives in a directory and keeps the
//! error in [`FAILURE_FILE`] there: written atomically (temporary file, flush, rename) when the
//! runner stops the projection on a poison event, removed once a batch applies again. Because
//! it sits inside the read model's directory, a rebuild (built in a fresh directory and swapped
//! in whole) starts without it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::EventFilter;

use crate::{Projection, ProjectionError};

/// The file, inside a read model's directory, that holds the error that stopped it.
pub const FAILURE_FILE: &str = "failure.txt";

/// A projection whose failures are kept in [`FAILURE_FILE`] in `directory`.
pub struct FailureRecording {
    inner: Box<dyn Projection>,
    path: PathBuf,
}

impl FailureRecording {
    /// Wraps `inner`, whose read model lives in `directory`.
    pub fn wrap(inner: Box<dyn Projection>, directory: &Path) -> Box<dyn Projection> {
        Box::new(Self { inner, path: directory.join(FAILURE_FILE) })
    }

    /// The error kept in `directory`, if any (for readers that do not open the projection).
    pub fn read(directory: &Path) -> Result<Option<String>, ProjectionError> {
        read_file(&directory.join(FAILURE_FILE))
    }
}

fn read_file(path: &Path) -> Result<Option<String>, ProjectionError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ProjectionError::storage(format!("reading {}", path.display()), error)),
    }
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    if let Some(parent) = path.parent() {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}

impl Projection for FailureRecording {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn filter(&self) -> EventFilter {
        self.inner.filter()
    }

    fn checkpoint(&self) -> Result<Option<Position>, ProjectionError> {
        self.inner.checkpoint()
    }

    fn apply(&mut self, batch: &[RecordedEvent]) -> Result<(), ProjectionError> {
        self.inner.apply(batch)
    }

    fn record_failure(&mut self, failure: Option<&str>) -> Result<(), ProjectionError> {
        let context = || format!("recording the failure in {}", self.path.display());
        match failure {
            Some(text) => write_atomically(&self.path, text).map_err(|e| ProjectionError::storage(context(), e)),
            None => match std::fs::remove_file(&self.path) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    Err(ProjectionError::storage(context(), error))
                }
                _ => Ok(()),
            },
        }
    }

    fn recorded_failure(&self) -> Result<Option<String>, ProjectionError> {
        read_file(&self.path)
    }
}

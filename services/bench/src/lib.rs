//! `kirjuri bench …`: benchmarks that print each figure beside the limit it is measured against.
//!
//! - `store`: the embedded event store's write, read and memory figures, measured against the
//!   disk's flush rate and a plain SQLite loop taken in the same run (`baseline`), and against
//!   the targets of issue 2; `workload` is what it writes, `report` how it prints.

mod baseline;
mod commands;
mod integrity;
mod projections;
mod report;
mod store;
mod workload;

pub use commands::{CommandsBenchArgs, run_commands_bench};
pub use integrity::{IntegrityBenchArgs, run_integrity_bench};
pub use projections::{ProjectionsBenchArgs, run_projections_bench};
pub use store::{StoreBenchArgs, StoreBenchMeasurements, StoreBenchParams, measure_on_own_thread, run_store_bench};

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// A fresh directory for one benchmark run's files, removed (with everything in it) when dropped.
pub(crate) struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `<parent>/kirjuri-bench-<label>-<random>`.
    pub(crate) fn create_in(label: &str, parent: &Path) -> anyhow::Result<Self> {
        let path = parent.join(format!("kirjuri-bench-{label}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating the bench directory {}", path.display()))?;
        Ok(Self { path })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            eprintln!("bench: could not remove {}: {error}", self.path.display());
        }
    }
}

/// Removes a SQLite file with its `-wal` and `-shm` companions, if present.
pub(crate) fn remove_sqlite_files(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("removing {}", file.display()));
            }
        }
    }
    Ok(())
}

/// Runs `work` on a thread of its own with its own multi-thread runtime, so a benchmark works
/// whether or not its caller is already inside a runtime.
pub(crate) fn on_own_runtime<F, Fut>(work: F) -> anyhow::Result<()>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>>,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        runtime.block_on(work())
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the benchmark thread panicked"))?
}

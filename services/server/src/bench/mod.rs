//! `kirjuri bench …`: benchmarks that print each figure beside the limit it is measured against.
//!
//! - `store`: the embedded event store's write, read and memory figures, measured against the
//!   disk's flush rate and a plain SQLite loop taken in the same run (`baseline`), and against
//!   the targets of issue 2; `workload` is what it writes, `report` how it prints.

mod baseline;
mod commands;
mod projections;
mod report;
mod store;
mod workload;

pub use commands::{CommandsBenchArgs, run_commands_bench};
pub use projections::{ProjectionsBenchArgs, run_projections_bench};
pub use store::{StoreBenchArgs, StoreBenchMeasurements, StoreBenchParams, measure_on_own_thread, run_store_bench};

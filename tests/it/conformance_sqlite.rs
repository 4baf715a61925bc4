//! The event store contract, run against the embedded SQLite store.

use std::sync::Arc;

use kirjuri_store::conformance::TestStore;
use kirjuri_store::{SqliteStore, SqliteStoreOptions};

async fn sqlite_store() -> Option<TestStore> {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(SqliteStoreOptions::new(dir.path().join("events.sqlite"))).expect("store opens");
    Some(TestStore { store: Arc::new(store), guard: Box::new(dir) })
}

kirjuri_store::conformance_suite!(sqlite_store);

/// The log's tree over this backend (see `integrity_conformance`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_tree_is_the_same_whatever_the_backend() {
    let Some(under_test) = sqlite_store().await else { return };
    crate::integrity_conformance::the_log_tree_is_the_same_whatever_the_backend(&*under_test.store).await;
}

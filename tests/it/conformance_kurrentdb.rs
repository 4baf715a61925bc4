//! The event store contract, run against a KurrentDB server when `KIRJURI_TEST_KURRENTDB`
//! holds its connection string (e.g. `kurrentdb://localhost:2113?tls=false`) as the tests are
//! built. Without it the checks are ignored, so the runner's summary counts them as skipped.

use std::sync::Arc;

use kirjuri_store::conformance::TestStore;
use kirjuri_store::{KurrentStore, KurrentStoreOptions};

async fn kurrent_store() -> Option<TestStore> {
    let url = std::env::var("KIRJURI_TEST_KURRENTDB")
        .unwrap_or_else(|_| panic!("KIRJURI_TEST_KURRENTDB is not set: there is no KurrentDB server to test against"));
    let store = KurrentStore::connect(KurrentStoreOptions::new(url)).await.expect("KurrentDB reachable");
    Some(TestStore { store: Arc::new(store), guard: Box::new(()) })
}

kirjuri_store::conformance_suite!(
    kurrent_store,
    #[cfg_attr(not(kirjuri_kurrentdb), ignore = "KIRJURI_TEST_KURRENTDB was not set when the tests were built: no KurrentDB server")]
);

/// The log's tree over this backend (see `integrity_conformance`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(kirjuri_kurrentdb),
    ignore = "KIRJURI_TEST_KURRENTDB was not set when the tests were built: no KurrentDB server"
)]
async fn the_log_tree_is_the_same_whatever_the_backend() {
    let Some(under_test) = kurrent_store().await else { return };
    crate::integrity_conformance::the_log_tree_is_the_same_whatever_the_backend(&*under_test.store).await;
}

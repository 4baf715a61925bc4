//! The event store contract, run against a KurrentDB server when `KIRJURI_TEST_KURRENTDB`
//! holds its connection string (e.g. `kurrentdb://localhost:2113?tls=false`); skipped otherwise.

use std::sync::Arc;

use kirjuri_store::conformance::TestStore;
use kirjuri_store::{KurrentStore, KurrentStoreOptions};

async fn kurrent_store() -> Option<TestStore> {
    let Ok(url) = std::env::var("KIRJURI_TEST_KURRENTDB") else {
        println!("skipped: KIRJURI_TEST_KURRENTDB is not set, so there is no KurrentDB server to test against");
        return None;
    };
    let store = KurrentStore::connect(KurrentStoreOptions::new(url)).await.expect("KurrentDB reachable");
    Some(TestStore { store: Arc::new(store), guard: Box::new(()) })
}

kirjuri_store::conformance_suite!(kurrent_store);

//! Projections stopped at random points during catch-up and restarted end in exactly the state
//! of a clean rebuild: every views table row for row, and the search index's document set.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kirjuri::Settings;
use kirjuri::demo::{DemoArgs, run_demo};
use kirjuri::readside;
use kirjuri_events::Position;
use kirjuri_projections::RunnerOptions;
use kirjuri_search::{AnalysisSettings, SearchIndex};
use kirjuri_store::{EventStore, SqliteStore, SqliteStoreOptions};
use rand::{Rng, SeedableRng};

fn settings_for(data_dir: &Path) -> Settings {
    Settings { data_dir: data_dir.to_path_buf(), ..Settings::default() }
}

/// Every row of every table of the views database, as text, table by table in key order.
fn dump_views(data_dir: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open_with_flags(
        data_dir.join("views").join("views.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("views open");
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables listed");
    let mut rows = Vec::new();
    for table in tables {
        let mut statement = connection.prepare(&format!("SELECT * FROM \"{table}\"")).expect("select");
        let columns = statement.column_count();
        let mut table_rows: Vec<String> = statement
            .query_map([], |row| {
                let mut text = String::new();
                for index in 0..columns {
                    let value: rusqlite::types::Value = row.get(index)?;
                    text.push_str(&format!("{value:?}|"));
                }
                Ok(text)
            })
            .and_then(|mapped| mapped.collect())
            .expect("rows read");
        table_rows.sort();
        rows.extend(table_rows.into_iter().map(|row| format!("{table}: {row}")));
    }
    rows
}

fn search_documents(data_dir: &Path) -> Vec<(String, String)> {
    let index = SearchIndex::open(&data_dir.join("search"), &AnalysisSettings::default()).expect("index opens");
    index.all_documents().expect("documents listed")
}

/// Starts the projections; after an abort the aborted tasks release the search index's writer
/// lock only when their last blocking call returns, as a killed process's lock goes with it.
async fn start_when_released(
    settings: &Settings,
    store: &Arc<dyn EventStore>,
    options: RunnerOptions,
) -> kirjuri_projections::ProjectionRunner {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match readside::start_with(settings, Arc::clone(store), options).await {
            Ok(runner) => return runner,
            Err(error) if std::time::Instant::now() < deadline && format!("{error:#}").contains("LockBusy") => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("projections do not start: {error:#}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projections_stopped_at_random_points_end_as_a_clean_rebuild() {
    let events_dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(SqliteStoreOptions::new(events_dir.path().join("events.sqlite"))).expect("store"));
    run_demo(Arc::clone(&store), &DemoArgs { seed: 11, ..DemoArgs::default() }).await.expect("demo written");
    let head = store.head_position().await.expect("head").expect("events written");

    // Interrupted: small random batches, stopped at random positions, sometimes without flushing.
    let interrupted = tempfile::tempdir().expect("temp dir");
    let settings = settings_for(interrupted.path());
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut stops = 0;
    loop {
        let options = RunnerOptions { batch_max_events: rng.random_range(3..60), ..RunnerOptions::default() };
        let runner = start_when_released(&settings, &store, options).await;
        let stop_at = Position::sequence(rng.random_range(1..=head.commit));
        let reached = runner.wait_until_caught_up(stop_at, Duration::from_secs(60)).await;
        assert!(reached.is_ok(), "projections did not reach {stop_at}: {reached:?}");
        let statuses = runner.status().await.expect("status");
        let everything = statuses.iter().all(|s| s.read_through >= Some(head));
        eprintln!(
            "round {stops}: stop at {stop_at}, {:?}",
            statuses.iter().map(|s| (s.name.clone(), s.checkpoint, s.read_through)).collect::<Vec<_>>()
        );
        if everything && stops >= 8 {
            runner.shutdown().await;
            break;
        }
        if rng.random_bool(0.5) {
            runner.abort();
        } else {
            runner.shutdown().await;
        }
        stops += 1;
    }

    // Clean: one uninterrupted pass.
    let clean = tempfile::tempdir().expect("temp dir");
    let runner = readside::start(&settings_for(clean.path()), Arc::clone(&store)).await.expect("runner starts");
    runner.wait_until_caught_up(head, Duration::from_secs(60)).await.expect("clean pass catches up");
    runner.shutdown().await;

    let interrupted_views = dump_views(interrupted.path());
    let clean_views = dump_views(clean.path());
    assert!(interrupted_views.len() > 1_000, "the views hold too little to compare: {}", interrupted_views.len());
    let first_difference = interrupted_views.iter().zip(&clean_views).find(|(a, b)| a != b);
    assert_eq!(first_difference, None, "views differ after {stops} stops");
    assert_eq!(interrupted_views.len(), clean_views.len(), "views differ in row count after {stops} stops");

    let interrupted_documents = search_documents(interrupted.path());
    let clean_documents = search_documents(clean.path());
    assert!(!clean_documents.is_empty());
    assert_eq!(interrupted_documents, clean_documents, "search documents differ after {stops} stops");
}

//! Runner, status and rebuild tests against the real SqliteStore and the testing counter.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kirjuri_events::{EventId, ExpectedRevision, Position, StreamName};
use kirjuri_store::conformance::event;
use kirjuri_store::{EventFilter, EventStore, SqliteStore, SqliteStoreOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use crate::testing::{CounterFactory, CounterProjection, CounterState, Faults};
use crate::{
    Backoff, FailureRecording, Projection, ProjectionRunner, ProjectionState, RunnerError, RunnerOptions, WaitError,
    offline_status, rebuild,
};

const WAIT: Duration = Duration::from_secs(30);

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn open_store(dir: &Path) -> Arc<dyn EventStore> {
    Arc::new(ok(SqliteStore::open(SqliteStoreOptions::new(dir.join("events.sqlite")))))
}

fn fast_options() -> RunnerOptions {
    RunnerOptions {
        backoff: Backoff { initial: Duration::from_millis(1), max: Duration::from_millis(20) },
        ..RunnerOptions::default()
    }
}

/// Appends `count` events of `event_type` to a fresh stream of `category`, in appends of up to
/// 100; returns the position of the last.
async fn append(store: &Arc<dyn EventStore>, category: &str, event_type: &str, count: usize) -> Position {
    let stream = ok(StreamName::parse(&format!("{category}-{}", EventId::random())));
    let mut last = Position::START;
    let mut left = count;
    while left > 0 {
        let chunk = left.min(100);
        let events = (0..chunk).map(|n| event(event_type, serde_json::json!({ "n": n }))).collect();
        last = ok(store.append(&stream, ExpectedRevision::Any, events).await).position;
        left -= chunk;
    }
    last
}

async fn head(store: &Arc<dyn EventStore>) -> Position {
    ok(store.head_position().await).unwrap_or(Position::START)
}

fn counter(dir: &Path, name: &'static str) -> CounterProjection {
    ok(CounterProjection::open(&dir.join(format!("{name}.sqlite")), name))
}

fn state(dir: &Path, name: &str) -> CounterState {
    ok(CounterState::load(&dir.join(format!("{name}.sqlite"))))
}

/// Asserts every event position 1..=n was applied exactly once, in order.
fn assert_each_applied_once(state: &CounterState, n: u64) {
    let positions: Vec<u64> = state.applied.iter().map(|(position, _)| *position).collect();
    assert_eq!(positions, (1..=n).collect::<Vec<_>>(), "every event once, in order");
    assert_eq!(state.checkpoint, Some(Position::sequence(n)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_catches_up_over_history_and_then_follows_live_appends() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    append(&store, "lesson", "LessonIdentified", 1_500).await;
    append(&store, "practice", "PracticeDecided", 1_000).await;
    let runner =
        ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(counter(dir.path(), "counter"))], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    assert_eq!(state(dir.path(), "counter").total(), 2_500);

    let live = append(&store, "lesson", "LessonIdentified", 30).await;
    ok(runner.wait_until_caught_up(live, WAIT).await);
    assert_each_applied_once(&state(dir.path(), "counter"), 2_530);
    let status = ok(runner.status().await);
    assert_eq!(status[0].checkpoint, Some(live));
    assert_eq!(status[0].lag_events, 0);
    assert_eq!(status[0].events_applied, 2_530);
    assert_eq!(runner.shutdown().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_event_stops_only_its_projection_and_its_error_names_the_event() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    let before = append(&store, "lesson", "LessonIdentified", 10).await;
    let poison_position = append(&store, "lesson", "Unreadable", 1).await;
    append(&store, "lesson", "LessonIdentified", 10).await;
    let poisoned_id = ok(store.read_all(kirjuri_store::ReadAllOptions::forward(1).from(poison_position)).await)[0].id;
    let fragile = counter(dir.path(), "fragile").with_poison_type("Unreadable");
    let sturdy = counter(dir.path(), "sturdy");
    let runner =
        ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(fragile), Box::new(sturdy)], fast_options()));

    let waited = runner.wait_until_caught_up(head(&store).await, WAIT).await;
    match waited {
        Err(WaitError::Stopped { stopped, .. }) => {
            assert_eq!(stopped.len(), 1, "{stopped:?}");
            assert_eq!(stopped[0].0, "fragile");
        }
        other => panic!("expected the fragile projection to stop, got {other:?}"),
    }
    assert_each_applied_once(&state(dir.path(), "sturdy"), 21);
    let fragile_state = state(dir.path(), "fragile");
    assert_eq!(fragile_state.total(), 10, "the events before the poison one are committed");
    assert_eq!(fragile_state.checkpoint, Some(before));

    let statuses = ok(runner.status().await);
    let fragile_status = &statuses[0];
    assert_eq!(fragile_status.state, ProjectionState::Failed);
    let error = fragile_status.last_error.clone().unwrap_or_default();
    assert!(error.contains(&poisoned_id.to_string()) && error.contains("Unreadable"), "{error}");
    assert!(error.contains(&poison_position.to_string()), "{error}");
    assert_eq!(fragile_status.lag_events, 11, "the poison event and everything after it are unapplied");
    assert_eq!(statuses[1].lag_events, 0);

    // The sturdy one carries on with live events.
    let live = append(&store, "lesson", "LessonIdentified", 5).await;
    assert!(matches!(runner.wait_until_caught_up(live, WAIT).await, Err(WaitError::Stopped { .. })));
    assert_eq!(state(dir.path(), "sturdy").total(), 26);
    assert_eq!(state(dir.path(), "fragile").total(), 10);
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_failure_is_kept_across_restarts_until_the_event_applies() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    append(&store, "lesson", "LessonIdentified", 3).await;
    let poison_position = append(&store, "lesson", "Unreadable", 1).await;
    append(&store, "lesson", "LessonIdentified", 3).await;
    let failure_dir = dir.path().join("fragile");
    ok(std::fs::create_dir_all(&failure_dir));
    let fragile = |poison: bool| {
        let projection = counter(dir.path(), "fragile");
        let projection = if poison { projection.with_poison_type("Unreadable") } else { projection };
        FailureRecording::wrap(Box::new(projection), &failure_dir)
    };

    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![fragile(true)], fast_options()));
    assert!(runner.wait_until_caught_up(head(&store).await, WAIT).await.is_err());
    runner.shutdown().await;
    let kept = ok(FailureRecording::read(&failure_dir)).unwrap_or_default();
    assert!(kept.contains("Unreadable") && kept.contains(&poison_position.to_string()), "{kept}");

    // Another process asking for the status sees the failure.
    let status = ok(offline_status(fragile(true), &*store, 1_000).await);
    assert_eq!(status.state, ProjectionState::Failed);
    assert_eq!(status.last_error.as_deref(), Some(kept.as_str()));
    assert_eq!(status.lag_events, 4);

    // A restarted runner shows it (as soon as its task has read the checkpoint), and fails on
    // the same event again.
    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![fragile(true)], fast_options()));
    let shown = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(error) = ok(runner.status().await)[0].last_error.clone() {
                return error;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    assert_eq!(ok(shown.await), kept);
    assert!(runner.wait_until_caught_up(head(&store).await, WAIT).await.is_err());
    runner.shutdown().await;
    assert!(ok(FailureRecording::read(&failure_dir)).is_some());

    // Once the projection can apply it (a fixed release), the failure is gone.
    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![fragile(false)], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    let statuses = ok(runner.status().await);
    assert_eq!(statuses[0].last_error, None);
    runner.shutdown().await;
    assert_eq!(ok(FailureRecording::read(&failure_dir)), None);
    assert_each_applied_once(&state(dir.path(), "fragile"), 7);
    assert_eq!(ok(offline_status(fragile(false), &*store, 1_000).await).state, ProjectionState::Stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_error_is_retried_and_the_batch_commits_once_later() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    append(&store, "lesson", "LessonIdentified", 50).await;
    let faults = Faults::default();
    faults.fail_next_checkpoints(2);
    faults.fail_next_applies(3);
    let flaky = counter(dir.path(), "flaky").with_faults(faults.clone());
    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(flaky)], fast_options()));

    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    assert_eq!(faults.pending_failures(), 0);
    assert_each_applied_once(&state(dir.path(), "flaky"), 50);
    let status = ok(runner.status().await);
    assert_eq!(status[0].storage_retries, 5);
    assert_eq!(status[0].last_error, None, "a recovered error is cleared");
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_from_the_checkpoint_applies_nothing_twice() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    append(&store, "lesson", "LessonIdentified", 120).await;
    let runner =
        ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(counter(dir.path(), "counter"))], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    runner.shutdown().await;

    append(&store, "practice", "PracticeDecided", 80).await;
    let runner =
        ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(counter(dir.path(), "counter"))], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    let status = ok(runner.status().await);
    assert_eq!(status[0].events_applied, 80, "only the new events are applied after a restart");
    runner.shutdown().await;
    assert_each_applied_once(&state(dir.path(), "counter"), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_and_crashing_at_random_points_ends_in_the_state_of_a_clean_run() {
    let seed: u64 = rand::random();
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    for category in ["lesson", "practice", "experiment"] {
        append(&store, category, "Recorded", rng.random_range(300..900)).await;
    }
    let faults = Faults::default();
    let (batches_sender, batches) = watch::channel(0u64);
    faults.on_commit(move |committed| {
        batches_sender.send_replace(committed);
    });

    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 200, "seed {seed}: never caught up");
        if rng.random_bool(0.3) {
            append(&store, "lesson", "Recorded", rng.random_range(1..150)).await;
        }
        let options = RunnerOptions { batch_max_events: rng.random_range(1..250), ..fast_options() };
        let crashing = counter(dir.path(), "crashing").with_faults(faults.clone());
        let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(crashing)], options));
        let target = head(&store).await;
        let stop_after = *batches.borrow() + rng.random_range(1..6);
        let mut watching = batches.clone();
        let caught_up = tokio::select! {
            waited = runner.wait_until_caught_up(target, WAIT) => { ok(waited); true }
            _ = watching.wait_for(|committed| *committed >= stop_after) => false,
        };
        if caught_up {
            runner.shutdown().await;
            break;
        }
        if rng.random_bool(0.5) {
            runner.abort();
        } else {
            runner.shutdown().await;
        }
        // A crashed process writes nothing more: wait for the aborted apply to let go.
        ok(tokio::time::timeout(WAIT, faults.wait_until_all_closed()).await);
    }

    let runner =
        ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(counter(dir.path(), "clean"))], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    runner.shutdown().await;
    let clean = state(dir.path(), "clean");
    let crashed = state(dir.path(), "crashing");
    assert!(rounds > 1, "seed {seed}: the run was never interrupted");
    assert_eq!(crashed, clean, "seed {seed}, {rounds} rounds");
    assert_each_applied_once(&crashed, head(&store).await.commit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_produces_the_live_state_and_swaps_it_in() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    let events = 2 * crate::rebuild::REBUILD_BATCH + 345;
    append(&store, "lesson", "LessonIdentified", events).await;
    let factory = Arc::new(CounterFactory::new("counter", dir.path().join("counter")));
    let live = ok(factory.open_live());
    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(live)], fast_options()));
    let head_at_start = head(&store).await;
    ok(runner.wait_until_caught_up(head_at_start, WAIT).await);
    runner.shutdown().await;
    let live_state = ok(CounterState::load(&factory.live_database()));
    ok(std::fs::write(dir.path().join("counter").join("marker"), "old"));

    let mut reports = Vec::new();
    let report = ok(rebuild(factory.clone(), Arc::clone(&store), |progress| reports.push(progress)).await);
    assert_eq!(report.events_applied, events as u64);
    assert_eq!(report.head, Some(head_at_start));
    assert_eq!(reports.len(), 3, "one progress report per batch");
    assert_eq!(reports.last().map(|p| (p.events_applied, p.position)), Some((events as u64, Some(head_at_start))));
    assert!(!dir.path().join("counter").join("marker").exists(), "the live directory was replaced");
    assert!(!dir.path().join("counter.rebuild").exists());
    assert_eq!(ok(CounterState::load(&factory.live_database())), live_state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_that_meets_a_poison_event_leaves_the_live_read_model_alone() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    append(&store, "lesson", "LessonIdentified", 20).await;
    let healthy = Arc::new(CounterFactory::new("counter", dir.path().join("counter")));
    ok(rebuild(healthy.clone(), Arc::clone(&store), |_| {}).await);
    append(&store, "lesson", "Unreadable", 1).await;
    let fragile = Arc::new(CounterFactory::new("counter", dir.path().join("counter")).with_poison_type("Unreadable"));

    let failed = rebuild(fragile, Arc::clone(&store), |_| {}).await;
    let message = failed.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("Unreadable") && message.contains("21"), "{message}");
    assert_each_applied_once(&ok(CounterState::load(&healthy.live_database())), 20);
    assert!(!dir.path().join("counter.rebuild").exists(), "the failed copy is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_counts_unapplied_events_as_lag_in_events_and_seconds() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    append(&store, "lesson", "Counted", 40).await;
    let filtered = || counter(dir.path(), "counted").with_filter(EventFilter::types(["Counted"]));
    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(filtered())], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    runner.shutdown().await;

    // 1,234 of its own events (more than one counting page) between events it does not take.
    append(&store, "lesson", "Other", 7).await;
    append(&store, "lesson", "Counted", 1_000).await;
    append(&store, "practice", "Other", 3).await;
    append(&store, "practice", "Counted", 234).await;
    append(&store, "practice", "Other", 2).await;
    let status = ok(offline_status(Box::new(filtered()), &*store, 100_000).await);
    assert_eq!(status.state, ProjectionState::Stopped);
    assert_eq!(status.checkpoint, Some(Position::sequence(40)));
    assert_eq!(status.head, Some(Position::sequence(40 + 7 + 1_000 + 3 + 234 + 2)));
    assert_eq!((status.lag_events, status.lag_events_exact), (1_234, true));
    assert!(status.lag_seconds > 0.0 && status.lag_seconds < 60.0, "{}", status.lag_seconds);

    let capped = ok(offline_status(Box::new(filtered()), &*store, 500).await);
    assert_eq!((capped.lag_events, capped.lag_events_exact), (500, false));

    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(filtered())], fast_options()));
    ok(runner.wait_until_caught_up(head(&store).await, WAIT).await);
    let caught_up = ok(offline_status(Box::new(filtered()), &*store, 100_000).await);
    assert_eq!((caught_up.lag_events, caught_up.lag_seconds), (0, 0.0));
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filtered_projection_is_caught_up_when_the_later_events_are_not_its_own() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    let own = append(&store, "lesson", "Counted", 5).await;
    append(&store, "lesson", "Other", 5).await;
    let filtered = counter(dir.path(), "counted").with_filter(EventFilter::types(["Counted"]));
    let runner = ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(filtered)], fast_options()));
    let target = head(&store).await;
    ok(runner.wait_until_caught_up(target, WAIT).await);
    let status = ok(runner.status().await);
    assert_eq!(status[0].checkpoint, Some(own));
    assert_eq!(status[0].read_through, Some(target));
    assert_eq!(status[0].lag_events, 0);
    // Live events that are not its own also count as read.
    let later = append(&store, "practice", "Other", 3).await;
    ok(runner.wait_until_caught_up(later, WAIT).await);
    runner.shutdown().await;
    assert_eq!(state(dir.path(), "counted").total(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_position_not_yet_written_times_out_naming_the_projection() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    let written = append(&store, "lesson", "Counted", 3).await;
    let runner =
        ok(ProjectionRunner::start(Arc::clone(&store), vec![Box::new(counter(dir.path(), "counter"))], fast_options()));
    ok(runner.wait_until_caught_up(written, WAIT).await);
    let waited = runner.wait_until_caught_up(Position::sequence(written.commit + 1), Duration::from_millis(100)).await;
    match waited {
        Err(WaitError::Timeout { behind, .. }) => assert_eq!(behind, vec!["counter".to_owned()]),
        other => panic!("expected a timeout, got {other:?}"),
    }
    runner.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_projections_with_one_name_are_refused() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    let first: Box<dyn Projection> = Box::new(counter(dir.path(), "same"));
    let second: Box<dyn Projection> = Box::new(ok(CounterProjection::open(&dir.path().join("other.sqlite"), "same")));
    let started = ProjectionRunner::start(store, vec![first, second], fast_options());
    assert!(matches!(started, Err(RunnerError::DuplicateName("same"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_while_idle_stops_every_projection_and_hands_them_back() {
    let dir = ok(tempfile::tempdir());
    let store = open_store(dir.path());
    let runner = ok(ProjectionRunner::start(
        Arc::clone(&store),
        vec![Box::new(counter(dir.path(), "a")), Box::new(counter(dir.path(), "b"))],
        fast_options(),
    ));
    // An empty store: caught up at once.
    ok(runner.wait_until_caught_up(Position::START, WAIT).await);
    let handle = runner.shutdown_handle();
    handle.trigger();
    let stopped = runner.wait_until_caught_up(Position::sequence(1), WAIT).await;
    assert!(matches!(stopped, Err(WaitError::Stopped { ref stopped, .. }) if stopped.len() == 2), "{stopped:?}");
    let names: Vec<_> = runner.shutdown().await.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["a", "b"]);
}

//! Crash safety: SIGKILL a process that appends with 16 concurrent writers, at random moments,
//! over and over on the same store file; then check that every acknowledged event is there
//! exactly once, no batch is partly written, revisions are gapless and positions increase.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kirjuri_store::{EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};
use rand::{Rng, SeedableRng};

const KILLS: u64 = 24;

#[derive(Default)]
struct History {
    /// Every batch the child tried, as its ids.
    attempted: Vec<Vec<String>>,
    /// Every id the store acknowledged.
    acknowledged: HashSet<String>,
}

fn run_and_kill(path: &std::path::Path, seed: u64, delay: Duration, history: &mut History) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
        .arg(path)
        .arg(seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("crash_writer starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines_tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait for the first acknowledgement, so the kill lands while appends are in flight.
    let mut collected = Vec::new();
    loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).expect("crash_writer acknowledges an append");
        let is_ack = line.starts_with("ack ");
        collected.push(line);
        if is_ack {
            break;
        }
    }
    std::thread::sleep(delay);
    child.kill().expect("SIGKILL");
    child.wait().expect("child reaped");
    reader.join().expect("reader thread");
    collected.extend(lines.try_iter());
    for line in collected {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["attempt", _stream, ids] => history.attempted.push(ids.split(',').map(str::to_owned).collect()),
            ["ack", _stream, _revision, ids] => history.acknowledged.extend(ids.split(',').map(str::to_owned)),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_appends_loses_no_acknowledged_event_and_leaves_no_partial_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6b69_726a);
    let mut history = History::default();
    for kill in 0..KILLS {
        let delay = Duration::from_millis(rng.random_range(0..250));
        run_and_kill(&path, kill, delay, &mut history);
    }
    assert!(
        history.acknowledged.len() > 100,
        "too few acknowledged events ({}) for the test to mean anything",
        history.acknowledged.len()
    );

    let store = SqliteStore::open(SqliteStoreOptions::new(&path)).expect("store reopens after the crashes");
    let report = store.check().await.expect("check runs");
    assert!(report.is_healthy(), "store check after crashes: {:?}", report.problems);

    let mut stored = Vec::new();
    let mut from = None;
    loop {
        let mut options = ReadAllOptions::forward(10_000);
        options.from = from;
        let page = store.read_all(options).await.expect("read_all");
        let Some(last) = page.last() else { break };
        from = Some(kirjuri_events::Position::sequence(last.position.commit + 1));
        stored.extend(page);
    }
    assert_eq!(stored.len() as u64, report.events);

    let mut seen = HashSet::new();
    for event in &stored {
        assert!(seen.insert(event.id.to_string()), "event {} stored twice", event.id);
    }
    for id in &history.acknowledged {
        assert!(seen.contains(id), "acknowledged event {id} was lost");
    }
    let attempted: HashSet<&String> = history.attempted.iter().flatten().collect();
    for id in &seen {
        assert!(attempted.contains(id), "stored event {id} was never attempted");
    }
    for batch in &history.attempted {
        let present = batch.iter().filter(|id| seen.contains(*id)).count();
        assert!(
            present == 0 || present == batch.len(),
            "batch {batch:?} is partly written ({present} of {})",
            batch.len()
        );
    }
    assert!(stored.windows(2).all(|w| w[0].position < w[1].position), "positions must strictly increase");
    let mut next_revision: HashMap<String, u64> = HashMap::new();
    for event in &stored {
        let expected = next_revision.entry(event.stream.to_string()).or_insert(0);
        assert_eq!(event.revision.0, *expected, "gap in {}", event.stream);
        *expected += 1;
    }
    println!(
        "{KILLS} kills: {} events acknowledged, {} stored, {} batches attempted",
        history.acknowledged.len(),
        stored.len(),
        history.attempted.len()
    );
}

//! The victim of the crash test: appends with 16 concurrent writers until it is killed.
//!
//! Usage: `crash_writer <store file> <seed>`. Before each append it prints
//! `attempt <stream> <id>,<id>,…`; after the store acknowledges it, `ack <stream> <revision of
//! the last event> <id>,<id>,…`. The parent kills it with SIGKILL at a random moment and checks
//! the store against what was acknowledged.

use std::io::Write;

use kirjuri_events::{
    EventId, EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent, Revision, StreamCategory, StreamName,
};
use kirjuri_store::{EventStore, SqliteStore, SqliteStoreOptions, StoreError};
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const WRITERS: u64 = 16;

fn say(line: String) {
    let mut out = std::io::stdout().lock();
    // The parent reads whole lines; a failed write just means it stopped listening.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn join_ids(events: &[NewEvent]) -> String {
    events.iter().map(|e| e.id.to_string()).collect::<Vec<_>>().join(",")
}

async fn writer(store: SqliteStore, seed: u64) -> Result<(), StoreError> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let category = StreamCategory::parse("crash")
        .map_err(|e| StoreError::InvalidArgument { field: "category", rule: e.to_string() })?;
    let mut streams: Vec<(StreamName, Option<Revision>)> = Vec::new();
    loop {
        let pick_new = streams.is_empty() || rng.random_bool(0.2);
        let index = if pick_new {
            streams.push((StreamName::new(&category, Uuid::from_u128(rng.random())), None));
            streams.len() - 1
        } else {
            rng.random_range(0..streams.len())
        };
        let (stream, revision) = streams[index].clone();
        let expected = match revision {
            None => ExpectedRevision::NoStream,
            Some(revision) => ExpectedRevision::Exact(revision),
        };
        let count = rng.random_range(1..=5);
        let batch: Vec<NewEvent> = (0..count)
            .map(|i| {
                let body =
                    serde_json::json!({ "writer": seed, "i": i, "text": "Mittaus kirjattiin ennen kaatumista." });
                NewEvent::new(
                    EventId(Uuid::from_u128(rng.random())),
                    EventType::parse("MeasurementRecorded").unwrap_or_else(|e| panic!("{e}")),
                    EventPayload::from_value(&body).unwrap_or_else(|e| panic!("{e}")),
                )
                .with_metadata(EventMetadata { actor: Some(format!("writer:{seed}")), ..EventMetadata::default() })
            })
            .collect();
        let ids = join_ids(&batch);
        say(format!("attempt {stream} {ids}"));
        let result = store.append(&stream, expected, batch).await?;
        say(format!("ack {stream} {} {ids}", result.next_expected));
        streams[index].1 = Some(result.next_expected);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(seed)) = (args.next(), args.next().and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: crash_writer <store file> <seed>");
        std::process::exit(2);
    };
    let store = match SqliteStore::open(SqliteStoreOptions::new(path)) {
        Ok(store) => store,
        Err(error) => {
            eprintln!("cannot open the store: {error}");
            std::process::exit(1);
        }
    };
    say("ready".to_owned());
    let tasks: Vec<_> = (0..WRITERS).map(|w| tokio::spawn(writer(store.clone(), seed * 1000 + w))).collect();
    for task in tasks {
        match task.await {
            Ok(Err(error)) => eprintln!("writer failed: {error}"),
            Err(error) => eprintln!("writer panicked: {error}"),
            Ok(Ok(())) => {}
        }
    }
    std::process::exit(1);
}

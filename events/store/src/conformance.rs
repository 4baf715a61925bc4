//! The conformance suite: the event store contract as executable checks, written once and run
//! against every backend.
//!
//! Each check takes a store that may be shared with other checks (a KurrentDB server is), so
//! every check writes only to streams of a fresh random category and reads `$all` through a
//! filter on that category. A check panics with a message saying which rule broke.
//!
//! Backends invoke the whole suite with [`conformance_suite!`](crate::conformance_suite),
//! giving an async factory that returns `None` (after printing why) when the backend cannot
//! run here.

use std::collections::HashSet;
use std::sync::Arc;

use futures::future::join_all;
use kirjuri_events::{
    EventId, EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent, Position, RecordedEvent, Revision,
    StreamCategory, StreamName, StreamNameError,
};
use uuid::Uuid;

use crate::{
    DEFAULT_MAX_EVENT_BYTES, Direction, EventFilter, EventStore, ReadAllOptions, ReadStreamOptions, StoreError,
    SubscribeFrom,
};

/// A store under test and whatever must live as long as it (e.g. its temporary directory).
pub struct TestStore {
    /// The store.
    pub store: Arc<dyn EventStore>,
    /// Dropped after the check.
    pub guard: Box<dyn Send + Sync>,
}

/// Streams of one fresh category, so that checks never see each other's events.
pub struct Scope {
    category: StreamCategory,
}

impl Scope {
    /// A fresh random category.
    pub fn new() -> Self {
        let suffix: String = Uuid::new_v4().simple().to_string().chars().take(16).collect();
        let category = StreamCategory::parse(&format!("conf_{suffix}")).unwrap_or_else(|e| panic!("category: {e}"));
        Self { category }
    }

    /// A fresh stream in this scope.
    pub fn stream(&self) -> StreamName {
        StreamName::new(&self.category, Uuid::new_v4())
    }

    /// A filter matching exactly this scope's streams.
    pub fn filter(&self) -> EventFilter {
        EventFilter::streams([format!("{}-", self.category)])
    }
}

impl Default for Scope {
    fn default() -> Self {
        Self::new()
    }
}

/// An event of type `event_type` with a small JSON body and full metadata.
pub fn event(event_type: &str, body: serde_json::Value) -> NewEvent {
    NewEvent::new(
        EventId::random(),
        EventType::parse(event_type).unwrap_or_else(|e| panic!("event type: {e}")),
        EventPayload::from_value(&body).unwrap_or_else(|e| panic!("payload: {e}")),
    )
    .with_metadata(EventMetadata {
        actor: Some("user:conformance".into()),
        tenant: Some("kuopio".into()),
        correlation_id: Some(Uuid::new_v4()),
        causation_id: None,
        occurred_at: None,
        request_digest: None,
    })
}

fn events(n: usize, event_type: &str) -> Vec<NewEvent> {
    (0..n).map(|i| event(event_type, serde_json::json!({ "n": i, "text": "Kokeilun tulos kirjattiin." }))).collect()
}

fn ids(events: &[NewEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.id).collect()
}

fn recorded_ids(events: &[RecordedEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.id).collect()
}

async fn read_whole_stream(store: &dyn EventStore, stream: &StreamName) -> Vec<RecordedEvent> {
    store.read_stream(stream, ReadStreamOptions::forward(10_000)).await.unwrap_or_else(|e| panic!("read {stream}: {e}"))
}

async fn read_scope(store: &dyn EventStore, scope: &Scope, direction: Direction) -> Vec<RecordedEvent> {
    let options = ReadAllOptions { direction, from: None, limit: 10_000, filter: scope.filter() };
    store.read_all(options).await.unwrap_or_else(|e| panic!("read_all: {e}"))
}

async fn append_ok(
    store: &dyn EventStore,
    stream: &StreamName,
    expected: ExpectedRevision,
    batch: Vec<NewEvent>,
) -> crate::AppendResult {
    store.append(stream, expected, batch).await.unwrap_or_else(|e| panic!("append to {stream} with {expected}: {e}"))
}

/// Every expected revision against every stream state: the outcome and, on conflict, that the
/// actual revision is reported and nothing is written.
pub async fn expected_revision_matrix(store: &dyn EventStore) {
    let scope = Scope::new();
    let expectations = [
        ExpectedRevision::Any,
        ExpectedRevision::NoStream,
        ExpectedRevision::StreamExists,
        ExpectedRevision::Exact(Revision(0)),
        ExpectedRevision::Exact(Revision(2)),
        ExpectedRevision::Exact(Revision(5)),
    ];
    for existing in [0usize, 1, 3] {
        for expected in expectations {
            let stream = scope.stream();
            if existing > 0 {
                append_ok(store, &stream, ExpectedRevision::NoStream, events(existing, "Seeded")).await;
            }
            let actual = existing.checked_sub(1).map(|r| Revision(r as u64));
            let should_succeed = match expected {
                ExpectedRevision::Any => true,
                ExpectedRevision::NoStream => actual.is_none(),
                ExpectedRevision::StreamExists => actual.is_some(),
                ExpectedRevision::Exact(revision) => actual == Some(revision),
            };
            let batch = events(2, "Appended");
            let outcome = store.append(&stream, expected, batch.clone()).await;
            match (should_succeed, outcome) {
                (true, Ok(result)) => {
                    assert_eq!(result.next_expected, Revision(existing as u64 + 1), "{expected} on {existing} events");
                }
                (false, Err(StoreError::Conflict { expected: reported, actual: reported_actual, stream: s })) => {
                    assert_eq!(reported, expected);
                    assert_eq!(reported_actual, actual, "conflict must report the stream's real revision");
                    assert_eq!(s, stream);
                }
                (should, other) => {
                    panic!("{expected} on a stream of {existing} events: expected success={should}, got {other:?}")
                }
            }
            let stored = read_whole_stream(store, &stream).await;
            let expected_len = existing + if should_succeed { 2 } else { 0 };
            assert_eq!(stored.len(), expected_len, "{expected} on {existing} events wrote the wrong number of events");
            assert_eq!(
                store.stream_revision(&stream).await.ok().flatten(),
                expected_len.checked_sub(1).map(|r| Revision(r as u64))
            );
        }
    }
}

/// A batch that conflicts leaves no trace in the stream or in `$all`.
pub async fn a_conflicting_batch_writes_nothing(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    append_ok(store, &stream, ExpectedRevision::NoStream, events(2, "Seeded")).await;
    let batch = events(5, "Rejected");
    let outcome = store.append(&stream, ExpectedRevision::Exact(Revision(0)), batch.clone()).await;
    assert!(matches!(outcome, Err(StoreError::Conflict { actual: Some(Revision(1)), .. })), "got {outcome:?}");
    let rejected: HashSet<EventId> = ids(&batch).into_iter().collect();
    let in_stream = read_whole_stream(store, &stream).await;
    assert_eq!(in_stream.len(), 2);
    assert!(in_stream.iter().all(|e| !rejected.contains(&e.id)));
    let in_all = read_scope(store, &scope, Direction::Forward).await;
    assert!(in_all.iter().all(|e| !rejected.contains(&e.id)), "a rejected event reached $all");
    // The same events can then be appended at the right revision: the rejection consumed nothing.
    let result = append_ok(store, &stream, ExpectedRevision::Exact(Revision(1)), batch).await;
    assert_eq!(result.next_expected, Revision(6));
}

/// Retrying an identical append returns the original result and stores nothing twice.
pub async fn an_identical_retry_is_idempotent(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    let first_batch = events(3, "Recorded");
    let first = append_ok(store, &stream, ExpectedRevision::NoStream, first_batch.clone()).await;
    assert!(!first.replayed, "the first append is no retry");
    let again = append_ok(store, &stream, ExpectedRevision::NoStream, first_batch.clone()).await;
    assert_eq!(
        again,
        crate::AppendResult { replayed: true, ..first },
        "a retry must return the original result, as a retry"
    );
    let second_batch = events(2, "Recorded");
    let second = append_ok(store, &stream, ExpectedRevision::Exact(Revision(2)), second_batch.clone()).await;
    // A late retry of the first append, after the stream moved on, still dedupes.
    let late = append_ok(store, &stream, ExpectedRevision::NoStream, first_batch.clone()).await;
    assert_eq!(late, crate::AppendResult { replayed: true, ..first });
    let retry_second = append_ok(store, &stream, ExpectedRevision::Exact(Revision(2)), second_batch.clone()).await;
    assert_eq!(retry_second, crate::AppendResult { replayed: true, ..second });
    let stored = read_whole_stream(store, &stream).await;
    let mut expected_ids = ids(&first_batch);
    expected_ids.extend(ids(&second_batch));
    assert_eq!(recorded_ids(&stored), expected_ids, "each event exactly once, in order");
}

/// An id already stored may not be reused for different content.
pub async fn a_reused_id_with_other_content_is_rejected(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    let original = event("Recorded", serde_json::json!({ "text": "alkuperäinen" }));
    append_ok(store, &stream, ExpectedRevision::NoStream, vec![original.clone()]).await;
    let impostor = NewEvent {
        data: EventPayload::from_value(&serde_json::json!({ "text": "muutettu" })).unwrap_or_else(|e| panic!("{e}")),
        ..original.clone()
    };
    let outcome = store.append(&stream, ExpectedRevision::NoStream, vec![impostor.clone()]).await;
    match outcome {
        Err(StoreError::DuplicateEventId { id, .. }) => assert_eq!(id, original.id),
        other => panic!("reusing an id for other content must be DuplicateEventId, got {other:?}"),
    }
    let outcome = store
        .append(&stream, ExpectedRevision::Exact(Revision(0)), vec![event("Other", serde_json::json!({})), impostor])
        .await;
    assert!(outcome.is_err(), "a batch holding a reused id must be rejected, got {outcome:?}");
    let stored = read_whole_stream(store, &stream).await;
    assert_eq!(stored.len(), 1, "nothing may be written by a rejected append");
    assert!(original.is_same_as(&stored[0]), "the original event is unchanged");
}

/// Stream reads in both directions, from a revision, with limits.
pub async fn stream_reads_go_both_ways_with_limits(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    let batch = events(10, "Counted");
    append_ok(store, &stream, ExpectedRevision::NoStream, batch.clone()).await;
    let revisions = |events: Vec<RecordedEvent>| events.iter().map(|e| e.revision.0).collect::<Vec<_>>();
    let stream = &stream;
    let read = |options| async move { store.read_stream(stream, options).await.unwrap_or_else(|e| panic!("{e}")) };
    assert_eq!(revisions(read(ReadStreamOptions::forward(100)).await), (0..10).collect::<Vec<_>>());
    assert_eq!(revisions(read(ReadStreamOptions::forward(4).from(Revision(3))).await), vec![3, 4, 5, 6]);
    assert_eq!(revisions(read(ReadStreamOptions::backward(3)).await), vec![9, 8, 7]);
    assert_eq!(revisions(read(ReadStreamOptions::backward(100).from(Revision(4))).await), vec![4, 3, 2, 1, 0]);
    assert_eq!(revisions(read(ReadStreamOptions::forward(5).from(Revision(10))).await), Vec::<u64>::new());
    let full = read(ReadStreamOptions::forward(100)).await;
    for (new, recorded) in batch.iter().zip(&full) {
        assert!(new.is_same_as(recorded), "read back differs from what was written at {}", recorded.revision);
    }
    let missing = scope.stream();
    assert!(
        store.read_stream(&missing, ReadStreamOptions::forward(10)).await.unwrap_or_else(|e| panic!("{e}")).is_empty()
    );
    assert_eq!(store.stream_revision(&missing).await.ok().flatten(), None);
    for bad_limit in [0, crate::MAX_READ_LIMIT + 1] {
        let outcome = store.read_stream(&missing, ReadStreamOptions::forward(bad_limit)).await;
        assert!(
            matches!(outcome, Err(StoreError::InvalidArgument { field: "limit", .. })),
            "limit {bad_limit}: {outcome:?}"
        );
    }
}

/// `$all` holds every event once, in commit order, across streams; reads go both ways from a
/// position (inclusive) with limits.
pub async fn all_is_one_order_across_streams(store: &dyn EventStore) {
    let scope = Scope::new();
    let streams = [scope.stream(), scope.stream(), scope.stream()];
    let mut appended = Vec::new();
    for round in 0..4 {
        for (i, stream) in streams.iter().enumerate() {
            let batch = events(1 + (round + i) % 2, "Interleaved");
            let expected = if round == 0 { ExpectedRevision::NoStream } else { ExpectedRevision::StreamExists };
            appended.extend(ids(&batch));
            append_ok(store, stream, expected, batch).await;
        }
    }
    let forward = read_scope(store, &scope, Direction::Forward).await;
    assert_eq!(recorded_ids(&forward), appended, "$all must hold each event once, in commit order");
    assert!(forward.windows(2).all(|w| w[0].position < w[1].position), "positions must strictly increase");
    let backward = read_scope(store, &scope, Direction::Backward).await;
    let mut reversed = recorded_ids(&forward);
    reversed.reverse();
    assert_eq!(recorded_ids(&backward), reversed);

    let middle = forward[5].position;
    let page = store
        .read_all(ReadAllOptions::forward(3).from(middle).filtered(scope.filter()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(recorded_ids(&page), recorded_ids(&forward[5..8]), "forward from a position is inclusive");
    let page = store
        .read_all(ReadAllOptions::backward(3).from(middle).filtered(scope.filter()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        recorded_ids(&page),
        vec![forward[5].id, forward[4].id, forward[3].id],
        "backward from a position is inclusive"
    );
    let outcome = store.read_all(ReadAllOptions::forward(0)).await;
    assert!(matches!(outcome, Err(StoreError::InvalidArgument { .. })), "{outcome:?}");
    let head = store.head_position().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(head.is_some_and(|h| h >= forward[forward.len() - 1].position), "head must be at or after the last append");
}

/// Stream-prefix and type-prefix filters, alone and together.
pub async fn filters_select_by_stream_and_type_prefix(store: &dyn EventStore) {
    let scope = Scope::new();
    let other_scope = Scope::new();
    let a = scope.stream();
    let b = other_scope.stream();
    append_ok(
        store,
        &a,
        ExpectedRevision::NoStream,
        vec![event("PracticeDrafted", serde_json::json!({})), event("LessonIdentified", serde_json::json!({}))],
    )
    .await;
    append_ok(
        store,
        &b,
        ExpectedRevision::NoStream,
        vec![event("PracticeDecided", serde_json::json!({})), event("LessonLearned", serde_json::json!({}))],
    )
    .await;
    let both_scopes = EventFilter::streams([format!("{}-", scope.category), format!("{}-", other_scope.category)]);
    let read = |filter: EventFilter| async move {
        let events =
            store.read_all(ReadAllOptions::forward(100).filtered(filter)).await.unwrap_or_else(|e| panic!("{e}"));
        events.iter().map(|e| e.event_type.as_str().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(read(scope.filter()).await, vec!["PracticeDrafted", "LessonIdentified"]);
    assert_eq!(
        read(both_scopes.clone()).await,
        vec!["PracticeDrafted", "LessonIdentified", "PracticeDecided", "LessonLearned"]
    );
    let practices = EventFilter { type_prefixes: vec!["Practice".into()], ..both_scopes.clone() };
    assert_eq!(read(practices).await, vec!["PracticeDrafted", "PracticeDecided"]);
    let lessons_in_b = EventFilter {
        stream_prefixes: other_scope.filter().stream_prefixes,
        type_prefixes: vec!["Lesson".into(), "Nothing".into()],
    };
    assert_eq!(read(lessons_in_b).await, vec!["LessonLearned"]);
    let none = EventFilter { type_prefixes: vec!["NoSuchType".into()], ..both_scopes };
    assert!(read(none).await.is_empty());
}

/// A subscription delivers history then live events from 8 concurrent writers, in order, with
/// no gap and no duplicate; a second one resumes after a checkpoint.
pub async fn a_subscription_sees_history_then_live_events_with_no_gap(store: &dyn EventStore) {
    let scope = Scope::new();
    let history_stream = scope.stream();
    let history = events(50, "History");
    append_ok(store, &history_stream, ExpectedRevision::NoStream, history.clone()).await;
    let mut subscription =
        store.subscribe_all(SubscribeFrom::Start, scope.filter()).await.unwrap_or_else(|e| panic!("{e}"));

    const WRITERS: usize = 8;
    const PER_WRITER: usize = 40;
    let writers = (0..WRITERS).map(|_| {
        let stream = scope.stream();
        async move {
            let mut written = Vec::new();
            for i in 0..PER_WRITER {
                let batch = events(1 + i % 3, "Live");
                written.extend(ids(&batch));
                let expected = if i == 0 { ExpectedRevision::NoStream } else { ExpectedRevision::StreamExists };
                append_ok(store, &stream, expected, batch).await;
            }
            written
        }
    });
    let total_live: usize = WRITERS * (0..PER_WRITER).map(|i| 1 + i % 3).sum::<usize>();
    let expected_total = history.len() + total_live;
    let collect = async {
        let mut seen = Vec::with_capacity(expected_total);
        while seen.len() < expected_total {
            match subscription.next_event().await {
                Some(Ok(event)) => seen.push(event),
                Some(Err(error)) => panic!("subscription failed: {error}"),
                None => panic!("subscription ended after {} events", seen.len()),
            }
        }
        seen
    };
    let timeout = std::time::Duration::from_secs(60);
    let (written, seen) = tokio::time::timeout(timeout, async { futures::join!(join_all(writers), collect) })
        .await
        .unwrap_or_else(|_| panic!("subscription did not deliver {expected_total} events within {timeout:?}"));
    assert_eq!(recorded_ids(&seen[..history.len()]), ids(&history), "history comes first, in order");
    assert!(seen.windows(2).all(|w| w[0].position < w[1].position), "delivered out of $all order");
    let delivered: HashSet<EventId> = recorded_ids(&seen).into_iter().collect();
    assert_eq!(delivered.len(), seen.len(), "an event was delivered twice");
    let all_written: HashSet<EventId> = ids(&history).into_iter().chain(written.into_iter().flatten()).collect();
    assert_eq!(delivered, all_written, "delivered events differ from appended events");
    // Nothing more than what was written arrives.
    let extra = tokio::time::timeout(std::time::Duration::from_millis(200), subscription.next_event()).await;
    assert!(extra.is_err(), "an unexpected event arrived: {extra:?}");
    // The same order comes from a read of $all.
    let read = read_scope(store, &scope, Direction::Forward).await;
    assert_eq!(recorded_ids(&read), recorded_ids(&seen));

    // Resuming after a checkpoint delivers exactly the rest.
    let checkpoint = seen[99].position;
    let mut resumed =
        store.subscribe_all(SubscribeFrom::After(checkpoint), scope.filter()).await.unwrap_or_else(|e| panic!("{e}"));
    for expected in &seen[100..] {
        let next = tokio::time::timeout(timeout, resumed.next_event()).await;
        match next {
            Ok(Some(Ok(event))) => assert_eq!(event.id, expected.id, "resumed subscription diverged"),
            other => panic!("resumed subscription: {other:?}"),
        }
    }
}

/// Empty batches, oversized events and repeated ids are rejected with errors naming them;
/// malformed stream names cannot be built.
pub async fn bad_input_is_rejected_with_clear_errors(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    let outcome = store.append(&stream, ExpectedRevision::Any, Vec::new()).await;
    assert!(matches!(outcome, Err(StoreError::EmptyAppend { .. })), "{outcome:?}");

    let big_text = "ä".repeat(DEFAULT_MAX_EVENT_BYTES / 2 + 1);
    let oversized = event("TooBig", serde_json::json!({ "text": big_text }));
    let outcome = store
        .append(&stream, ExpectedRevision::Any, vec![event("Fine", serde_json::json!({})), oversized.clone()])
        .await;
    match &outcome {
        Err(error @ StoreError::EventTooLarge { id, limit, size, .. }) => {
            assert_eq!((*id, *limit), (oversized.id, DEFAULT_MAX_EVENT_BYTES));
            assert!(*size > *limit);
            let message = error.to_string();
            assert!(
                message.contains(&oversized.id.to_string()) && message.contains(&DEFAULT_MAX_EVENT_BYTES.to_string()),
                "{message}"
            );
        }
        other => panic!("an oversized event must be EventTooLarge, got {other:?}"),
    }
    let repeated = event("Twice", serde_json::json!({}));
    let outcome = store.append(&stream, ExpectedRevision::Any, vec![repeated.clone(), repeated.clone()]).await;
    assert!(matches!(outcome, Err(StoreError::DuplicateIdInBatch { id, .. }) if id == repeated.id), "{outcome:?}");
    assert!(read_whole_stream(store, &stream).await.is_empty(), "rejected appends wrote something");

    let large_but_allowed = event("Large", serde_json::json!({ "text": "x".repeat(200_000) }));
    append_ok(store, &stream, ExpectedRevision::NoStream, vec![large_but_allowed.clone()]).await;
    assert!(large_but_allowed.is_same_as(&read_whole_stream(store, &stream).await[0]));

    for bad in [
        "",
        "$all",
        "experiment",
        "Experiment-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "experiment-not-a-uuid-at-all-not-a-uuid-at-al",
    ] {
        let error: StreamNameError = StreamName::parse(bad).expect_err("must be rejected");
        assert!(!error.to_string().is_empty());
    }
}

/// 16 tasks race on `Exact(n)` for one stream: exactly one wins each round, and the stream
/// stays gapless.
pub async fn racing_writers_on_one_revision_have_exactly_one_winner(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    append_ok(store, &stream, ExpectedRevision::NoStream, events(1, "Started")).await;
    const RACERS: usize = 16;
    const ROUNDS: u64 = 20;
    let mut winners = Vec::new();
    for round in 0..ROUNDS {
        let expected = ExpectedRevision::Exact(Revision(round));
        let attempts = (0..RACERS).map(|racer| {
            let stream = stream.clone();
            async move {
                let batch = vec![event("Raced", serde_json::json!({ "round": round, "racer": racer }))];
                let id = batch[0].id;
                (id, store.append(&stream, expected, batch).await)
            }
        });
        let outcomes = join_all(attempts).await;
        let mut won = 0;
        for (id, outcome) in outcomes {
            match outcome {
                Ok(result) => {
                    assert_eq!(result.next_expected, Revision(round + 1));
                    won += 1;
                    winners.push(id);
                }
                Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual, Some(Revision(round + 1))),
                Err(other) => panic!("round {round}: unexpected error {other}"),
            }
        }
        assert_eq!(won, 1, "round {round}: exactly one racer must win");
    }
    let stored = read_whole_stream(store, &stream).await;
    assert_eq!(stored.len() as u64, ROUNDS + 1);
    assert!(stored.iter().enumerate().all(|(i, e)| e.revision == Revision(i as u64)), "revisions must be gapless");
    assert_eq!(recorded_ids(&stored[1..]), winners, "the stream holds exactly the winners, in round order");
}

/// Metadata survives the round trip whole, and `recorded_at` comes from the store's clock.
pub async fn the_envelope_round_trips_whole(store: &dyn EventStore) {
    let scope = Scope::new();
    let stream = scope.stream();
    let occurred = chrono::DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap_or_default();
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    let full = event(
        "PracticeDecided",
        serde_json::json!({ "title": { "fi": "Etäpalvelut", "sv": "Distanstjänster" }, "section": 42 }),
    )
    .with_schema_version(3)
    .with_metadata(EventMetadata {
        actor: Some("user:päättäjä".into()),
        tenant: Some("kuopio".into()),
        correlation_id: Some(Uuid::new_v4()),
        causation_id: Some(Uuid::new_v4()),
        occurred_at: Some(occurred),
        request_digest: Some(format!("sha256:{}", "0f".repeat(32))),
    });
    let bare = NewEvent::new(
        EventId::random(),
        EventType::parse("Bare").unwrap_or_else(|e| panic!("{e}")),
        EventPayload::empty_object(),
    );
    let result = append_ok(store, &stream, ExpectedRevision::NoStream, vec![full.clone(), bare.clone()]).await;
    let stored = read_whole_stream(store, &stream).await;
    assert!(full.is_same_as(&stored[0]), "full envelope changed: {:?}", stored[0]);
    assert!(bare.is_same_as(&stored[1]), "bare envelope changed: {:?}", stored[1]);
    assert_eq!(stored[1].position, result.position);
    assert!(
        stored[0].recorded_at >= before && stored[0].recorded_at <= chrono::Utc::now() + chrono::Duration::seconds(5)
    );
    assert_eq!(stored[0].stream, stream);
    let _: Position = stored[0].position;
}

/// Invokes every check of the suite as its own `#[tokio::test]`.
///
/// `$factory` is an async fn returning `Option<TestStore>` (`None` ends the check). Attributes
/// after it go on every check: a backend that cannot run everywhere passes
/// `#[cfg_attr(not(…), ignore = "why")]`, so that where it cannot run the runner counts its
/// checks as skipped, never as passed.
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path $(, #[$attribute:meta])* $(,)?) => {
        $crate::conformance_suite!(@cases $factory; [$(#[$attribute])*]
            expected_revision_matrix,
            a_conflicting_batch_writes_nothing,
            an_identical_retry_is_idempotent,
            a_reused_id_with_other_content_is_rejected,
            stream_reads_go_both_ways_with_limits,
            all_is_one_order_across_streams,
            filters_select_by_stream_and_type_prefix,
            a_subscription_sees_history_then_live_events_with_no_gap,
            bad_input_is_rejected_with_clear_errors,
            racing_writers_on_one_revision_have_exactly_one_winner,
            the_envelope_round_trips_whole,
        );
    };
    (@cases $factory:path; $attributes:tt $($case:ident),* $(,)?) => {
        $( $crate::conformance_suite!(@case $factory; $attributes $case); )*
    };
    (@case $factory:path; [$($attribute:tt)*] $case:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        $($attribute)*
        async fn $case() {
            let Some(under_test) = $factory().await else { return };
            $crate::conformance::$case(&*under_test.store).await;
            drop(under_test);
        }
    };
}

//! The log's tree over either backend: what `conformance_sqlite` and `conformance_kurrentdb` both
//! check. The leaves hold nothing a backend adds (no position), so the same events give the same
//! root whatever their positions; the tree kept incrementally, the whole-log verifier and a tree
//! built from scratch agree; and an appended event's inclusion proof leads to the root.

use kirjuri_events::{EventId, EventPayload, EventType, ExpectedRevision, NewEvent, Position, StreamName};
use kirjuri_integrity::TreeFile;
use kirjuri_integrity::leaf::event_leaf_hash;
use kirjuri_integrity::merkle::{MemoryTree, hex, leaf_hash, verify_inclusion};
use kirjuri_integrity::verify::verify_log;
use kirjuri_store::{EventStore, ReadAllOptions};

/// Runs the check on `store`.
pub async fn the_log_tree_is_the_same_whatever_the_backend(store: &dyn EventStore) {
    let stream = StreamName::parse(&format!("lesson-{}", uuid::Uuid::new_v4())).expect("a name");
    let events: Vec<NewEvent> = (0..5)
        .map(|i| {
            NewEvent::new(
                EventId::random(),
                EventType::parse("LessonIdentified").expect("a type"),
                EventPayload::parse(&format!(r#"{{"n": {i}, "ratio": 0.{i}5, "text": "Opittu asia {i} — ä"}}"#))
                    .expect("JSON"),
            )
        })
        .collect();
    let last_id = events[4].id;
    store.append(&stream, ExpectedRevision::NoStream, events).await.expect("appends");

    let dir = tempfile::tempdir().expect("a temp dir");
    let mut tree = TreeFile::open(&dir.path().join("tree.sqlite")).expect("opens");
    let mut all = Vec::new();
    let mut from: Option<Position> = None;
    loop {
        let mut options = ReadAllOptions::forward(1_000);
        if let Some(position) = from {
            options = options.from(position);
        }
        let page: Vec<_> = store
            .read_all(options)
            .await
            .expect("reads")
            .into_iter()
            .filter(|e| from.is_none_or(|p| e.position > p))
            .collect();
        let Some(last) = page.last().map(|e| e.position) else { break };
        tree.append(&page).expect("hashes");
        all.extend(page);
        from = Some(last);
    }
    let size = tree.size();
    assert_eq!(size, all.len() as u64);

    // The same events at other positions (as the other backend, or after a migration, puts them)
    // give the same root.
    let renumbered = MemoryTree::from_leaves(all.iter().enumerate().map(|(i, event)| {
        let mut moved = event.clone();
        moved.position = Position { commit: 7 + 3 * i as u64, prepare: 5 + 3 * i as u64 };
        event_leaf_hash(&moved).expect("hashes")
    }));
    assert_eq!(renumbered.root(), tree.root(), "the root does not depend on the backend's positions");

    let report = verify_log(store, Some(&tree), &[], &[], |_| {}).await.expect("verifies");
    assert!(report.healthy, "{report:?}");
    assert_eq!(report.root, hex(&tree.root()));

    let leaf = tree.leaf_of(last_id).expect("reads").expect("the appended event is a leaf");
    let event = all.iter().find(|e| e.id == last_id).expect("read back");
    let bytes = kirjuri_integrity::leaf::leaf_bytes(event).expect("encodes");
    let proof = tree.inclusion_proof(leaf.index, size).expect("a proof");
    verify_inclusion(&leaf_hash(bytes.as_bytes()), leaf.index, size, &proof, &tree.root()).expect("the proof holds");
}

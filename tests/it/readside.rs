//! The read side of a running server: a rebuild is built beside the live read models while
//! they keep serving and following appends, then swapped in without losing what was appended
//! meanwhile; only one process at a time holds a data directory's read models.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kirjuri::Settings;
use kirjuri::demo::{DemoArgs, run_demo};
use kirjuri::readside::{self, ReadSide};
use kirjuri_events::domain::lesson::{LessonEvent, LessonIdentified};
use kirjuri_events::domain::organisation::MunicipalityEvent;
use kirjuri_events::domain::{LessonId, LocalizedText, MunicipalityId};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, Position};
use kirjuri_projections::RunnerOptions;
use kirjuri_search::SearchRequest;
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};

const WAIT: Duration = Duration::from_secs(120);

fn settings_for(data_dir: &Path) -> Settings {
    Settings { data_dir: data_dir.to_path_buf(), ..Settings::default() }
}

async fn municipality(store: &dyn EventStore) -> MunicipalityId {
    let options = ReadAllOptions::forward(1).filtered(EventFilter::types(["MunicipalityRegistered"]));
    let first = store.read_all(options).await.expect("read");
    match MunicipalityEvent::from_recorded(&first[0]).expect("decodes") {
        MunicipalityEvent::Registered(registered) => registered.municipality,
        other => panic!("unexpected {other:?}"),
    }
}

/// Appends a lesson about balloons (a word the demo never uses); returns its position.
async fn append_balloon_lesson(store: &dyn EventStore, municipality: MunicipalityId) -> Position {
    let lesson = LessonId::random();
    let event = LessonEvent::Identified(LessonIdentified {
        lesson,
        municipality,
        unit: None,
        title: LocalizedText::fi("Ilmapallot piristivät asukastilaisuutta").expect("text"),
        driving_event: LocalizedText::fi("Tilaisuuteen tuotiin ilmapalloja.").expect("text"),
        lesson_text: LocalizedText::fi("Pieni juhlavuus houkutteli lisää osallistujia.").expect("text"),
        recommendations: Vec::new(),
        observations: Vec::new(),
        sources: Vec::new(),
        tags: Vec::new(),
    });
    let new_event = event.to_new_event(EventId::random(), EventMetadata::default()).expect("event");
    store.append(&lesson.stream(), ExpectedRevision::NoStream, vec![new_event]).await.expect("appended").position
}

fn total(read_side: &ReadSide, text: &str) -> usize {
    read_side.search().search(&SearchRequest::text(text)).expect("search runs").total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_while_serving_swaps_in_without_losing_appends_made_meanwhile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_for(dir.path());
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(SqliteStoreOptions::new(settings.sqlite_path())).expect("store opens"));
    run_demo(Arc::clone(&store), &DemoArgs::default()).await.expect("demo written");
    let municipality = municipality(&*store).await;
    let read_side =
        Arc::new(ReadSide::start(&settings, Arc::clone(&store), RunnerOptions::default()).await.expect("starts"));
    let head = store.head_position().await.expect("head").expect("events");
    read_side.wait_until_caught_up(head, WAIT).await.expect("caught up");
    let baseline = total(&read_side, "kotihoito");
    assert!(baseline > 0, "the demo speaks of home care");
    assert_eq!(total(&read_side, "ilmapallo"), 0);

    // Another process cannot take the read models while this one runs them.
    let refused = ReadSide::start(&settings, Arc::clone(&store), RunnerOptions::default()).await;
    let message = format!("{:#}", refused.expect_err("the second read side is refused"));
    assert!(message.contains("holds the read models"), "{message}");
    assert!(readside::lock_read_models(&settings).is_err());

    for name in ["search", "views"] {
        let mut batches = 0u64;
        let rebuilding = read_side.rebuild(name, |_| batches += 1);
        let serving = async {
            let mut last = Position::START;
            for _ in 0..10 {
                last = append_balloon_lesson(&*store, municipality).await;
                // Searches and views keep answering from the live read models meanwhile.
                assert!(total(&read_side, "kotihoito") >= baseline);
                read_side.views().expect("views open").checkpoint().expect("checkpoint read");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            last
        };
        let (report, last) = tokio::join!(rebuilding, serving);
        let report = report.expect("rebuilt");
        assert_eq!(report.name, name);
        assert!(report.events_applied > 0 && batches > 0);
        read_side.wait_until_caught_up(last, WAIT).await.expect("caught up after the swap");
        assert!(!dir.path().join(format!("{name}.rebuild")).exists(), "the rebuilt copy was moved into place");
    }
    assert_eq!(total(&read_side, "ilmapallo"), 20, "every lesson appended during the rebuilds is found");
    assert_eq!(total(&read_side, "kotihoito"), baseline);
    let head = store.head_position().await.expect("head").expect("events");
    assert_eq!(read_side.views().expect("views open").checkpoint().expect("checkpoint"), Some(head));
    // Views connections are pooled: none opened before the views' swap may still read the
    // replaced file, which stopped at the swap.
    let after_swap = append_balloon_lesson(&*store, municipality).await;
    read_side.wait_until_caught_up(after_swap, WAIT).await.expect("caught up");
    let views = [read_side.views().expect("views open"), read_side.views().expect("views open")];
    for reader in &views {
        assert_eq!(reader.checkpoint().expect("checkpoint"), Some(after_swap));
    }
    drop(views);
    let statuses = read_side.status().await.expect("status");
    assert!(statuses.iter().all(|s| s.last_error.is_none() && s.lag_events == 0), "{statuses:?}");

    let unknown = read_side.rebuild("graphs", |_| {}).await.expect_err("unknown read model");
    assert!(unknown.to_string().contains("views, search"), "{unknown}");

    read_side.shutdown().await;
    drop(read_side);
    readside::lock_read_models(&settings).expect("the lock is released with the read side");
}

//! `GET /api/v1/live`: Server-Sent Events announcing new events of the caller's municipality,
//! resumable with Last-Event-ID, ended by a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_events::{EventMetadata, ExpectedRevision, NewEvent, Position, StreamName};
use kirjuri_store::{EventStore, SqliteStore, SqliteStoreOptions};
use kirjuri_tests::{TestApp, spawn_app_with_store};
use reqwest::StatusCode;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);

fn event_for(tenant: MunicipalityId, n: u32) -> NewEvent {
    let metadata = EventMetadata { tenant: Some(tenant.to_string()), ..EventMetadata::default() };
    kirjuri_store::conformance::event("LessonIdentified", serde_json::json!({ "n": n })).with_metadata(metadata)
}

async fn append(store: &Arc<dyn EventStore>, tenant: MunicipalityId, n: u32) -> Position {
    let stream = StreamName::parse(&format!("lesson-{}", uuid::Uuid::new_v4())).expect("a stream name");
    store.append(&stream, ExpectedRevision::NoStream, vec![event_for(tenant, n)]).await.expect("appended").position
}

async fn open_stream(app: &TestApp, token: &str, last_event_id: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(app.url("/api/v1/live")).bearer_auth(token);
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    request.send().await.expect("the request is sent")
}

/// Reads `count` announcements (id and JSON data) from an SSE response.
async fn announcements(mut response: reqwest::Response, count: usize) -> Vec<(String, Value)> {
    let mut text = String::new();
    let mut found = Vec::new();
    tokio::time::timeout(WAIT, async {
        while found.len() < count {
            let chunk = response.chunk().await.expect("a chunk").expect("the stream goes on");
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let message: String = text.drain(..end + 2).collect();
                let field = |name: &str| {
                    message.lines().find_map(|line| line.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_owned()))
                };
                if let (Some(id), Some(data)) = (field("id"), field("data")) {
                    found.push((id, serde_json::from_str(&data).expect("JSON data")));
                }
            }
        }
    })
    .await
    .expect("the announcements arrive in time");
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_caller_hears_only_its_own_municipality_and_resumes_after_the_last_seen() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(SqliteStoreOptions::new(dir.path().join("events.sqlite"))).expect("store"));
    let app = spawn_app_with_store(Arc::clone(&store)).await;
    let (kuopio, joensuu) = (MunicipalityId::random(), MunicipalityId::random());
    let (_, token) = app.create_api_token(kuopio, &[Role::Staff], None);
    append(&store, kuopio, 0).await; // before the stream opens: not announced

    let response = open_stream(&app, &token, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/event-stream"),
        "{:?}",
        response.headers()
    );
    let first = append(&store, kuopio, 1).await;
    append(&store, joensuu, 2).await;
    let third = append(&store, kuopio, 3).await;
    let heard = announcements(response, 2).await;
    let cursor = |p: Position| format!("{}.{}", p.commit, p.prepare);
    assert_eq!(heard.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), vec![cursor(first), cursor(third)]);
    assert_eq!(heard[0].1["event_type"], "LessonIdentified");
    assert_eq!(heard[0].1["entity_kind"], "lesson");
    assert_eq!(heard[0].1["tenant"], kuopio.to_string());
    assert!(heard[0].1.get("data").is_none(), "announcements never carry event data");

    let resumed = announcements(open_stream(&app, &token, Some(&cursor(first))).await, 1).await;
    assert_eq!(resumed[0].0, cursor(third), "resumes right after the last event seen, skipping other tenants");

    assert_eq!(open_stream(&app, &token, Some("yesterday")).await.status(), StatusCode::BAD_REQUEST);
    let anonymous = reqwest::Client::new().get(app.url("/api/v1/live")).send().await.expect("sent");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // An open stream does not hold up a graceful stop.
    let open = open_stream(&app, &token, None).await;
    let stopping = tokio::time::Instant::now();
    app.stop().await.expect("the server stops");
    assert!(stopping.elapsed() < Duration::from_secs(5), "stopped in {:?}", stopping.elapsed());
    drop(open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_page_hears_its_own_municipality_through_the_web_stream() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteStore::open(SqliteStoreOptions::new(dir.path().join("events.sqlite"))).expect("store"));
    let app = spawn_app_with_store(Arc::clone(&store)).await;
    let (kuopio, joensuu) = (MunicipalityId::random(), MunicipalityId::random());
    let (_, token) = app.create_api_token(kuopio, &[Role::Staff], None);

    let anonymous = app.client.get(app.url("/live")).send().await.expect("sent");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "no session, no stream: to the sign-in page");

    let cookie = kirjuri_tests::web::sign_in(&app, &token).await;
    let response = app.client.get(app.url("/live")).header("cookie", &cookie).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    append(&store, joensuu, 1).await;
    let ours = append(&store, kuopio, 2).await;
    let heard = announcements(response, 1).await;
    assert_eq!(heard[0].0, format!("{}.{}", ours.commit, ours.prepare), "another municipality's event is not heard");
    assert!(heard[0].1.get("data").is_none(), "announcements never carry event data");

    let bad = app.client.get(app.url("/live")).header("cookie", &cookie).header("Last-Event-ID", "x").send().await;
    assert_eq!(bad.expect("sent").status(), StatusCode::BAD_REQUEST);
}

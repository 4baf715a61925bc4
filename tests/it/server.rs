//! The server seen from outside: health endpoints, problem+json errors, isolation of instances.

use std::sync::Arc;

use async_trait::async_trait;
use kirjuri_events::{ExpectedRevision, NewEvent, Position, RecordedEvent, Revision, StreamName};
use kirjuri_store::{
    AppendResult, EventFilter, EventStore, ReadAllOptions, ReadStreamOptions, StoreError, SubscribeFrom, Subscription,
};
use kirjuri_tests::{spawn_app, spawn_app_with_store};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

fn content_type(response: &reqwest::Response) -> String {
    response.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_live_endpoint_answers_200_live() {
    let app = spawn_app().await;

    let response = app.get_live().await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), "application/json");
    assert_eq!(response.json::<Value>().await.expect("a JSON body"), json!({"status": "live"}));
}

#[tokio::test]
async fn the_ready_endpoint_reports_the_sqlite_store_and_its_empty_head() {
    let app = spawn_app().await;

    let response = app.get_ready().await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.expect("a JSON body"),
        json!({"status": "ready", "store": "sqlite", "head_position": null})
    );
}

#[tokio::test]
async fn the_store_file_is_created_in_the_data_directory() {
    let app = spawn_app().await;

    assert!(app.data_dir().join("events.sqlite").is_file());
}

#[tokio::test]
async fn an_unknown_api_route_is_a_404_problem_and_an_unknown_page_a_404_page() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/no/such/route").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&response), "application/problem+json");
    let problem = response.json::<Value>().await.expect("a JSON body");
    assert_eq!(problem["type"], "about:blank");
    assert_eq!(problem["title"], "Not Found");
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["detail"], "nothing is served at GET /api/v1/no/such/route");

    // People get a page in their language, not JSON.
    let page = app.client.get(app.url("/no/such/page")).header("accept-language", "en").send().await.expect("sent");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert_eq!(content_type(&page), "text/html; charset=utf-8");
    let html = page.text().await.expect("a body");
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("There is no such page."), "{html}");
}

#[tokio::test]
async fn a_wrong_method_on_a_known_route_is_a_405_problem_with_allow() {
    let app = spawn_app().await;

    let response = app.client.post(app.url("/health/live")).send().await.expect("the request is sent");

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(content_type(&response), "application/problem+json");
    let allow = response.headers().get("allow").and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
    assert!(allow.contains("GET"), "Allow: {allow:?}");
    let problem = response.json::<Value>().await.expect("a JSON body");
    assert_eq!(problem["status"], 405);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_sensible_client_id_is_kept() {
    let app = spawn_app().await;

    let generated = app.get_live().await;
    let kept = app.client.get(app.url("/health/live")).header("x-request-id", "trace-42").send().await.expect("sent");
    let replaced =
        app.client.get(app.url("/health/live")).header("x-request-id", "no spaces please").send().await.expect("sent");

    let id = |response: &reqwest::Response| {
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    assert!(id(&generated).is_some_and(|id| !id.is_empty()));
    assert_eq!(id(&kept).as_deref(), Some("trace-42"));
    assert!(id(&replaced).is_some_and(|id| id != "no spaces please"));
}

#[tokio::test]
async fn two_apps_run_side_by_side_on_their_own_ports_and_data_directories() {
    let first = spawn_app().await;
    let second = spawn_app().await;

    assert_ne!(first.port, second.port);
    assert_ne!(first.data_dir(), second.data_dir());
    for app in [&first, &second] {
        assert_eq!(app.get_ready().await.status(), StatusCode::OK);
        assert!(app.data_dir().join("events.sqlite").is_file());
    }
}

#[tokio::test]
async fn a_stopped_app_stops_cleanly_and_frees_its_port() {
    let app = spawn_app().await;
    let address = app.url("/health/live");
    let client = app.client.clone();

    app.stop().await.expect("the server stops without error");

    assert!(client.get(address).send().await.is_err(), "the port still answers after stop");
}

/// A store whose every call fails as if the backend were unreachable.
struct UnreachableStore;

fn unreachable() -> StoreError {
    StoreError::unavailable(
        "connecting to the test backend",
        std::io::Error::other("connection refused (secret-internal-detail)"),
    )
}

#[async_trait]
impl EventStore for UnreachableStore {
    async fn append(&self, _: &StreamName, _: ExpectedRevision, _: Vec<NewEvent>) -> Result<AppendResult, StoreError> {
        Err(unreachable())
    }
    async fn read_stream(&self, _: &StreamName, _: ReadStreamOptions) -> Result<Vec<RecordedEvent>, StoreError> {
        Err(unreachable())
    }
    async fn read_all(&self, _: ReadAllOptions) -> Result<Vec<RecordedEvent>, StoreError> {
        Err(unreachable())
    }
    async fn subscribe_all(&self, _: SubscribeFrom, _: EventFilter) -> Result<Subscription, StoreError> {
        Err(unreachable())
    }
    async fn stream_revision(&self, _: &StreamName) -> Result<Option<Revision>, StoreError> {
        Err(unreachable())
    }
    async fn head_position(&self) -> Result<Option<Position>, StoreError> {
        Err(unreachable())
    }
}

#[tokio::test]
async fn readiness_is_a_503_problem_without_internals_when_the_store_fails() {
    let app = spawn_app_with_store(Arc::new(UnreachableStore)).await;

    let live = app.get_live().await;
    let ready = app.get_ready().await;

    assert_eq!(live.status(), StatusCode::OK, "liveness does not depend on the store");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(content_type(&ready), "application/problem+json");
    let body = ready.text().await.expect("a body");
    assert!(!body.contains("secret-internal-detail"), "internals leaked: {body}");
    let problem: Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(problem["type"], "/problems/store-unavailable");
    assert_eq!(problem["title"], "The event store is unavailable");
    assert_eq!(problem["status"], 503);
    assert!(problem["detail"].as_str().is_some_and(|detail| !detail.is_empty()));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_report_each_read_model() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get_live().await.status(), StatusCode::OK);
    }
    assert_eq!(app.get_ready().await.status(), StatusCode::OK);

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("text/plain; version=0.0.4"), "{}", content_type(&response));
    let text = response.text().await.expect("a text body");
    assert!(
        text.contains("kirjuri_http_requests_total{route=\"/health/live\",method=\"GET\",status=\"200\"} 3"),
        "{text}"
    );
    assert!(text.contains("kirjuri_http_request_duration_seconds_count{route=\"/health/ready\",method=\"GET\"} 1"));
    for projection in ["views", "search"] {
        assert!(text.contains(&format!("kirjuri_projection_lag_events{{projection=\"{projection}\"}} 0")), "{text}");
        assert!(text.contains(&format!("kirjuri_projection_failed{{projection=\"{projection}\"}} 0")), "{text}");
    }
    assert!(text.contains("kirjuri_store_head_position 0"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_each_answers_as_documented() {
    let app = spawn_app().await;

    let response = app.get("/api/v1/openapi.json").await;

    assert_eq!(response.status(), StatusCode::OK);
    let document = response.json::<Value>().await.expect("a JSON document");
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", document["openapi"]);
    let paths = document["paths"].as_object().expect("paths");
    for expected in ["/health/live", "/health/ready", "/metrics", "/api/v1/openapi.json"] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            if method != "get" || path.contains('{') {
                continue;
            }
            let status = app.get(path).await.status();
            let documented = operation["responses"].as_object().expect("responses");
            assert!(
                documented.contains_key(status.as_str()),
                "GET {path} answered {status}, documented {:?}",
                documented.keys().collect::<Vec<_>>()
            );
        }
    }
}

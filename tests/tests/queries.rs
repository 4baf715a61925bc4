//! Queries of the read side over HTTP, on the demo programme: answers, tenant isolation, bad
//! parameters.

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::spawn_app_with_demo;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_answers_within_the_callers_municipality_with_facets_and_snippets() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);

    let response = app.get_as(&staff, "/api/v1/search?q=kotihoito&limit=5").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["total"].as_u64().is_some_and(|t| t > 0), "{body}");
    let hits = body["hits"].as_array().expect("hits");
    assert!(!hits.is_empty() && hits.len() <= 5);
    assert!(hits.iter().any(|h| h["snippet"].as_str().is_some_and(|s| s.contains("<mark>"))), "{body}");
    let municipalities = body["facets"]["municipality"].as_array().expect("a municipality facet");
    assert_eq!(municipalities.len(), 1, "only the caller's municipality: {municipalities:?}");
    assert_eq!(municipalities[0]["value"], kuopio.to_string());

    // Another municipality's caller finds nothing of Kuopio's.
    let (_, outsider) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    let other: Value = app.get_as(&outsider, "/api/v1/search?q=kotihoito").await.json().await.expect("JSON");
    assert_eq!(other["total"], 0, "{other}");

    let widened =
        app.get_as(&staff, &format!("/api/v1/search?q=kotihoito&municipality={}", MunicipalityId::random())).await;
    assert_eq!(widened.status(), StatusCode::BAD_REQUEST);
    let problem: Value = widened.json().await.expect("a problem");
    assert!(problem["detail"].as_str().is_some_and(|d| d.starts_with("municipality")), "{problem}");
    assert_eq!(app.get_as(&staff, "/api/v1/search?limit=1000").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/v1/search?q=kotihoito").await.status(), StatusCode::UNAUTHORIZED);
    let odd = app.get_as(&staff, "/api/v1/search?q=%22%22%22%00%F0%9F%98%80").await;
    assert_eq!(odd.status(), StatusCode::OK, "any text is a query, never an error");
}

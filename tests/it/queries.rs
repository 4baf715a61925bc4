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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_situational_picture_is_drawn_now_and_as_of_a_day_for_the_callers_municipality_only() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);
    let path = format!("/api/v1/municipalities/{kuopio}/picture");

    let now: Value = app.get_as(&staff, &path).await.json().await.expect("JSON");
    let rows = now["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "{now}");
    assert!(rows.iter().any(|r| r["subject"]["kind"] == "unit") && rows.iter().any(|r| r["latest"].is_object()));
    for point in rows.iter().flat_map(|r| r["trend"].as_array().cloned().unwrap_or_default()) {
        match point["figure"]["status"].as_str() {
            Some("shown") => assert!(point["figure"]["level"].is_number()),
            Some("suppressed") => {
                assert!(point["figure"].get("level").is_none() && point["figure"].get("response_count").is_none());
            }
            other => panic!("unexpected figure {other:?}"),
        }
    }
    let points = |picture: &Value| -> usize {
        picture["rows"]
            .as_array()
            .map_or(0, |rows| rows.iter().map(|r| r["trend"].as_array().map_or(0, Vec::len)).sum())
    };
    let early: Value = app.get_as(&staff, &format!("{path}?as_of=2024-06-30")).await.json().await.expect("JSON");
    assert_eq!(early["as_of"], "2024-06-30");
    assert!(points(&early) < points(&now), "fewer campaigns had closed by mid-2024");

    let (_, outsider) = app.create_api_token(MunicipalityId::random(), &[Role::Auditor], None);
    assert_eq!(app.get_as(&outsider, &path).await.status(), StatusCode::NOT_FOUND);
    for bad in ["?as_of=yesterday", "?unit=kuopio", "?colour=red"] {
        let response = app.get_as(&staff, &format!("{path}{bad}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(app.get_as(&staff, "/api/v1/municipalities/kuopio/picture").await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_practices_history_is_traceable_with_its_revision_and_readable_by_partners_it_was_shared_with() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, decision_maker) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let found: Value =
        app.get_as(&decision_maker, "/api/v1/search?kind=practice&limit=100").await.json().await.expect("JSON");
    let practices: Vec<String> = found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["entity"].as_str().map(str::to_owned))
        .collect();
    assert!(!practices.is_empty(), "{found}");

    let mut shared = None;
    let mut decided = false;
    for practice in &practices {
        let response = app.get_as(&decision_maker, &format!("/api/v1/practices/{practice}/history")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert!(etag.is_some_and(|e| e.starts_with('"') && e.ends_with('"')), "an ETag carries the revision");
        let history: Value = response.json().await.expect("JSON");
        assert_eq!(history["practice"], practice.as_str());
        assert!(history["versions"].as_array().is_some_and(|v| !v.is_empty()), "{history}");
        decided |= history["decisions"].as_array().is_some_and(|d| {
            d.iter().any(|d| d["body_name"].is_string() && d["section"].is_number() && d["resolution"].is_string())
        });
        if let Some(partner) = history["shared_with"].as_array().and_then(|s| s.first()).map(|s| s["partner"].clone()) {
            shared = Some((practice.clone(), partner));
        }
    }
    assert!(decided, "some practice was decided by a body under a section with a resolution");
    let (practice, partner) = shared.expect("the demo shares practices with partners");
    let partner: MunicipalityId = serde_json::from_value(partner).expect("a municipality id");
    let (_, partner_staff) = app.create_api_token(partner, &[Role::Staff], None);
    let path = format!("/api/v1/practices/{practice}/history");
    assert_eq!(app.get_as(&partner_staff, &path).await.status(), StatusCode::OK, "shared with the partner");
    let (_, stranger) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    assert_eq!(app.get_as(&stranger, &path).await.status(), StatusCode::NOT_FOUND);
    let unknown = format!("/api/v1/practices/{}/history", uuid::Uuid::new_v4());
    assert_eq!(app.get_as(&decision_maker, &unknown).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&decision_maker, "/api/v1/practices/x/history").await.status(), StatusCode::BAD_REQUEST);
}

/// Answers of the views are kept while the views stand still; a kept answer must give way as
/// soon as they move, even a "no such practice".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_answer_gives_way_as_soon_as_the_read_models_move() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, reader) = app.create_api_token(kuopio, &[Role::Staff], None);
    let practice = uuid::Uuid::new_v4();
    let path = format!("/api/v1/practices/{practice}/history");
    for _ in 0..2 {
        assert_eq!(app.get_as(&reader, &path).await.status(), StatusCode::NOT_FOUND);
    }
    let picture_path = format!("/api/v1/municipalities/{}/picture", kuopio.0);
    let picture = app.get_as(&reader, &picture_path).await.text().await.expect("the picture");
    assert_eq!(app.get_as(&reader, &picture_path).await.text().await.expect("the picture"), picture);
    // Compressed for a client that accepts gzip, kept apart from the plain answer.
    for _ in 0..2 {
        let gzipped = app
            .client
            .get(app.url(&picture_path))
            .bearer_auth(&reader)
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .expect("sent");
        assert_eq!(gzipped.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
        let compressed = gzipped.bytes().await.expect("the body");
        assert!(compressed.len() * 4 < picture.len(), "{} of {} bytes", compressed.len(), picture.len());
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&compressed[..]), &mut plain).expect("gzip");
        assert_eq!(plain, picture);
    }

    let experiment = app.first_entity("experiment", kuopio).expect("the demo has experiments");
    let drafted = app
        .post_command(
            "draft-practice",
            &format!("test-{practice}"),
            &serde_json::json!({
                "practice": practice, "municipality": kuopio.0, "title": { "fi": "Välimuistikäytäntö" },
                "context": { "fi": "Konteksti" }, "options_considered": [{ "fi": "Vaihtoehto" }],
                "chosen_option": { "fi": "Valinta" }, "consequences": { "positive": [], "negative": [] },
                "evidence": [{ "kind": "experiment", "experiment": experiment }], "tags": ["testi"]
            }),
        )
        .await;
    assert_eq!(drafted.status(), StatusCode::CREATED, "{:?}", drafted.text().await);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let response = app.get_as(&reader, &path).await;
        if response.status() == StatusCode::OK {
            let history: Value = response.json().await.expect("JSON");
            assert_eq!(history["title"], "Välimuistikäytäntö", "{history}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the new practice never replaced the kept 404");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

//! The audit trail, timeline, as-of state, differences, the picture's difference and the
//! evidence graph over HTTP, black-box: paging both ways, filters, tenant isolation, roles,
//! bad parameters, and personal text that never leaves through these routes.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::{TestApp, spawn_app, spawn_app_with_demo};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// Personal text recorded in a coaching note; it must never come back from these routes.
const SECRET: &str = "Kertoi luottamuksellisesti uupumuksestaan ZQX-7731";

fn id() -> String {
    Uuid::new_v4().to_string()
}

fn key() -> String {
    format!("audit-{}", Uuid::new_v4())
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = response.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    ok(app.get_as(token, path).await).await
}

async fn command(app: &TestApp, name: &str, body: Value) -> Value {
    let response = app.post_command(name, &key(), &body).await;
    let status = response.status();
    let text = response.text().await.expect("a body");
    assert!(status.is_success(), "{name}: {status} {text}");
    serde_json::from_str(&text).expect("JSON")
}

/// A metric's value from `/metrics`.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name).and_then(|rest| rest.trim().parse().ok()))
}

/// Waits until the views have applied every event the store holds.
async fn wait_for_views(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = app.get("/metrics").await.text().await.expect("metrics");
        let head = metric(&text, "kirjuri_store_head_position ");
        let views = metric(&text, "kirjuri_projection_checkpoint{projection=\"views\"} ");
        if let (Some(head), Some(views)) = (head, views)
            && views >= head
        {
            return;
        }
        assert!(Instant::now() < deadline, "the views did not catch up: {head:?} vs {views:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many events the store holds for `tenant`.
fn events_of(app: &TestApp, tenant: &str) -> usize {
    let connection = rusqlite::Connection::open_with_flags(
        app.data_dir().join("events.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("the store opens");
    connection
        .query_row("SELECT COUNT(*) FROM events WHERE tenant = ?1", [tenant], |row| row.get::<_, i64>(0))
        .map(|n| usize::try_from(n).unwrap_or(0))
        .expect("counted")
}

/// A municipality with a unit and a coaching engagement whose note holds personal text.
struct Coaching {
    municipality: String,
    engagement: String,
    note: String,
    /// The position of the session's event (before the note).
    session_position: String,
}

async fn coaching(app: &TestApp, code: &str) -> Coaching {
    let municipality = id();
    command(
        app,
        "register-municipality",
        json!({ "municipality": municipality, "code": code, "name": { "fi": "Testilä" } }),
    )
    .await;
    for name in ["Kirjasto", "Koulu"] {
        command(
            app,
            "establish-unit",
            json!({ "unit": id(), "municipality": municipality, "name": { "fi": name }, "sector": "wellbeing_promotion" }),
        )
        .await;
    }
    let engagement = id();
    command(
        app,
        "start-engagement",
        json!({
            "engagement": engagement, "municipality": municipality, "coach": "hlo-coach1",
            "coachees": ["hlo-anna01"], "goals": [{ "fi": "Etäyhteydet sujuviksi" }], "started": "2025-01-10"
        }),
    )
    .await;
    let session = id();
    let held = command(
        app,
        "hold-session",
        json!({
            "engagement": engagement, "session": session, "date": "2025-01-15", "format": "one_to_one",
            "duration_minutes": 60, "topics": ["2.1"], "attendees": 2
        }),
    )
    .await;
    let session_position = format!("{}.{}", held["position"]["commit"], held["position"]["prepare"]);
    let note = id();
    command(
        app,
        "record-note",
        json!({
            "engagement": engagement, "note": note, "session": session, "author": "hlo-coach1",
            "planned": { "fi": "Harjoitellaan videoneuvottelua" }, "happened": { "fi": "Harjoiteltiin" },
            "why_different": { "fi": "Ei eronnut" }, "keep_or_change": { "fi": "Jatketaan viikoittain" },
            "personal": { "text": SECRET, "classification": "personal" }
        }),
    )
    .await;
    Coaching { municipality, engagement, note, session_position }
}

/// Follows `next` (or `previous`) from `first` to the end; returns every page.
async fn walk(app: &TestApp, token: &str, base: &str, first: Value, forward: bool) -> Vec<Value> {
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut pages = vec![first];
    loop {
        let page = pages.last().expect("a page");
        let (link, parameter) = if forward { (&page["next"], "after") } else { (&page["previous"], "before") };
        let Some(cursor) = link.as_str() else { break };
        let next = get_json(app, token, &format!("{base}{separator}{parameter}={cursor}&limit=2")).await;
        pages.push(next);
        assert!(pages.len() < 1_000, "paging ends");
    }
    pages
}

fn positions(pages: &[Value]) -> Vec<(u64, u64)> {
    pages
        .iter()
        .flat_map(|page| page["events"].as_array().cloned().unwrap_or_default())
        .map(|event| {
            let text = event["position"].as_str().expect("a position").to_owned();
            let (commit, prepare) = text.split_once('.').expect("commit.prepare");
            (commit.parse().expect("a number"), prepare.parse().expect("a number"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_pages_both_ways_over_every_event_once_and_filters_narrow_it() {
    let app = spawn_app().await;
    let other = coaching(&app, "091").await;
    let own = coaching(&app, "297").await;
    let municipality = MunicipalityId(Uuid::parse_str(&own.municipality).expect("an id"));
    // Issuing the token is an event of the municipality too: the views must have it.
    let (_, auditor) = app.create_api_token(municipality, &[Role::Auditor], None);
    wait_for_views(&app).await;
    let expected = events_of(&app, &own.municipality);
    assert!(expected >= 6, "the setup wrote its events");

    // Forward from the oldest, two at a time.
    let first = get_json(&app, &auditor, "/api/v1/timeline?limit=2").await;
    assert!(first["previous"].is_null(), "the first page has nothing before it: {first}");
    let forward = walk(&app, &auditor, "/api/v1/timeline", first, true).await;
    let seen = positions(&forward);
    assert_eq!(seen.len(), expected, "every event of the municipality, once");
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "oldest first, no repeats: {seen:?}");
    assert!(forward.last().is_some_and(|page| page["next"].is_null()));
    for event in forward.iter().flat_map(|p| p["events"].as_array().cloned().unwrap_or_default()) {
        assert_eq!(event["municipality"], own.municipality.as_str(), "never another municipality's: {event}");
    }

    // Backward from the newest, following `previous`.
    let last = get_json(&app, &auditor, "/api/v1/timeline?limit=2&start=newest").await;
    assert!(last["next"].is_null(), "the newest page has nothing after it: {last}");
    let backward = walk(&app, &auditor, "/api/v1/timeline", last, false).await;
    let mut back: Vec<(u64, u64)> = Vec::new();
    for page in backward.iter().rev() {
        back.extend(positions(std::slice::from_ref(page)));
    }
    assert_eq!(back, seen, "paging back covers the same events, each once");
    // A page reached backwards leads forward again to where it came from.
    let middle = &backward[1];
    let after_middle = middle["next"].as_str().expect("a page after");
    let again = get_json(&app, &auditor, &format!("/api/v1/timeline?limit=2&after={after_middle}")).await;
    assert_eq!(positions(&[again]), positions(&[backward[0].clone()]));

    // Filters.
    let notes = get_json(&app, &auditor, "/api/v1/timeline?event_type=NoteRecorded").await;
    let notes = notes["events"].as_array().expect("events").clone();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["entity_id"], own.engagement.as_str());
    let units = get_json(&app, &auditor, "/api/v1/timeline?kind=unit&limit=200").await;
    assert_eq!(units["events"].as_array().map(Vec::len), Some(2));
    let engagement =
        get_json(&app, &auditor, &format!("/api/v1/timeline?kind=engagement&entity={}", own.engagement)).await;
    let types: Vec<&str> =
        engagement["events"].as_array().expect("events").iter().filter_map(|e| e["event_type"].as_str()).collect();
    assert_eq!(types, ["EngagementStarted", "SessionHeld", "NoteRecorded"]);
    let actor = notes[0]["actor"].as_str().expect("an actor").to_owned();
    let by_actor = get_json(&app, &auditor, &format!("/api/v1/timeline?limit=200&actor={actor}")).await;
    // Every event but the tokens' issues, which the CLI (not a caller) recorded.
    let issued = forward
        .iter()
        .flat_map(|page| page["events"].as_array().cloned().unwrap_or_default())
        .filter(|event| event["event_type"] == "ApiTokenIssued")
        .count();
    assert!(issued >= 2, "the test's tokens are in the timeline");
    assert_eq!(by_actor["events"].as_array().map(Vec::len), Some(expected - issued));
    let by_stranger = get_json(&app, &auditor, "/api/v1/timeline?actor=token:nobody").await;
    assert_eq!(by_stranger["events"].as_array().map(Vec::len), Some(0));
    let future = get_json(&app, &auditor, "/api/v1/timeline?from=2999-01-01").await;
    assert_eq!(future["events"].as_array().map(Vec::len), Some(0));
    let past = get_json(&app, &auditor, "/api/v1/timeline?to=2000-01-01").await;
    assert_eq!(past["events"].as_array().map(Vec::len), Some(0));
    let now = get_json(&app, &auditor, "/api/v1/timeline?from=2000-01-01&to=2999-01-01&limit=200").await;
    assert_eq!(now["events"].as_array().map(Vec::len), Some(expected));
    // A day as `from` starts at its first moment and as `to` ends at its last: today's events
    // are all within from=today&to=today.
    let today = chrono::Utc::now().date_naive();
    let today_only = get_json(&app, &auditor, &format!("/api/v1/timeline?from={today}&to={today}&limit=200")).await;
    assert_eq!(today_only["events"].as_array().map(Vec::len), Some(expected), "today's events, from today");

    // One command's events, by its correlation.
    let correlation = notes[0]["correlation_id"].as_str().expect("a correlation").to_owned();
    let correlated = get_json(&app, &auditor, &format!("/api/v1/correlations/{correlation}")).await;
    let correlated = correlated["events"].as_array().expect("events");
    assert_eq!(correlated.len(), 1);
    assert_eq!(correlated[0]["event_id"], notes[0]["event_id"]);

    // Another municipality's records: never in the timeline, 404 by id.
    let theirs = app.get_as(&auditor, &format!("/api/v1/timeline?kind=engagement&entity={}", other.engagement)).await;
    assert_eq!(ok(theirs).await["events"].as_array().map(Vec::len), Some(0));
    for path in [
        format!("/api/v1/audit/engagement/{}", other.engagement),
        format!("/api/v1/state/engagement/{}", other.engagement),
        format!("/api/v1/diff/engagement/{}?from=2000-01-01", other.engagement),
        format!("/api/v1/audit/engagement/{}", Uuid::new_v4()),
        format!("/api/v1/graph/engagement/{}", other.engagement),
    ] {
        assert_eq!(app.get_as(&auditor, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let their_notes = get_json(
        &app,
        &app.token_for(MunicipalityId(Uuid::parse_str(&other.municipality).expect("id"))),
        "/api/v1/timeline?event_type=NoteRecorded",
    )
    .await;
    let their_correlation = their_notes["events"][0]["correlation_id"].as_str().expect("a correlation").to_owned();
    let foreign = app.get_as(&auditor, &format!("/api/v1/correlations/{their_correlation}")).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "another municipality's command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_text_never_leaves_through_the_timeline_the_audit_trail_or_the_state() {
    let app = spawn_app().await;
    let own = coaching(&app, "297").await;
    wait_for_views(&app).await;
    let municipality = MunicipalityId(Uuid::parse_str(&own.municipality).expect("an id"));
    // Even a caller holding every role, the note's coach among them, reads no personal text here.
    let token = app.token_for(municipality);

    let timeline = app.get_as(&token, "/api/v1/timeline?limit=200").await.text().await.expect("a body");
    assert!(!timeline.contains("ZQX-7731"), "the timeline leaks personal text: {timeline}");
    let timeline: Value = serde_json::from_str(&timeline).expect("JSON");
    let note = timeline["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event_type"] == "NoteRecorded")
        .expect("the note's event")
        .clone();
    assert_eq!(note["data"]["personal"], json!({ "redacted": "personal" }), "{note}");
    assert_eq!(note["data"]["keep_or_change"]["fi"], "Jatketaan viikoittain", "the shareable part stays");
    assert_eq!(note["data"]["note"], own.note.as_str());

    let trail_response = app.get_as(&token, &format!("/api/v1/audit/engagement/{}", own.engagement)).await;
    assert_eq!(trail_response.status(), StatusCode::OK);
    assert_eq!(trail_response.headers()["etag"], "\"2\"", "the engagement's stream is at revision 2");
    let trail = trail_response.text().await.expect("a body");
    assert!(!trail.contains("ZQX-7731"), "the audit trail leaks personal text: {trail}");
    assert!(trail.contains("\"redacted\":\"personal\""), "{trail}");

    let correlation = note["correlation_id"].as_str().expect("a correlation");
    let correlated = app.get_as(&token, &format!("/api/v1/correlations/{correlation}")).await.text().await;
    assert!(!correlated.expect("a body").contains("ZQX-7731"));

    for path in [
        format!("/api/v1/state/engagement/{}", own.engagement),
        format!("/api/v1/state/engagement/{}?as_of=2999-01-01", own.engagement),
        format!("/api/v1/diff/engagement/{}?from={}", own.engagement, own.session_position),
    ] {
        let response = app.get_as(&token, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.expect("a body");
        assert!(!text.contains("ZQX-7731") && !text.contains("uupumuksestaan"), "{path} leaks: {text}");
    }
}

fn field<'a>(state: &'a Value, name: &str) -> &'a str {
    state["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["field"] == name))
        .and_then(|f| f["value"].as_str())
        .unwrap_or_else(|| panic!("no field {name} in {state}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entity_reads_as_it_stood_before_and_after_a_change_and_the_diff_names_the_field() {
    let app = spawn_app().await;
    let own = coaching(&app, "297").await;
    wait_for_views(&app).await;
    let municipality = MunicipalityId(Uuid::parse_str(&own.municipality).expect("an id"));
    let (_, auditor) = app.create_api_token(municipality, &[Role::Auditor], None);
    let path = format!("/api/v1/state/engagement/{}", own.engagement);

    let before = app.get_as(&auditor, &format!("{path}?as_of={}", own.session_position)).await;
    assert_eq!(before.headers()["etag"], "\"1\"", "as of the session: revision 1");
    let before = ok(before).await;
    assert_eq!(before["exists"], true);
    assert_eq!(before["event_count"], 2);
    assert!(!field(&before, "notes").contains(&own.note), "no note yet: {before}");
    assert!(field(&before, "sessions").contains("2025-01-15"), "{before}");

    let now = app.get_as(&auditor, &path).await;
    assert_eq!(now.headers()["etag"], "\"2\"");
    let now = ok(now).await;
    assert!(field(&now, "notes").contains(&own.note), "the note is there now: {now}");

    let long_ago = get_json(&app, &auditor, &format!("{path}?as_of=2000-01-01")).await;
    assert_eq!(long_ago["exists"], false);
    assert_eq!(long_ago["event_count"], 0);

    let diff =
        get_json(&app, &auditor, &format!("/api/v1/diff/engagement/{}?from={}", own.engagement, own.session_position))
            .await;
    let changed: Vec<&str> =
        diff["changes"].as_array().expect("changes").iter().filter_map(|c| c["field"].as_str()).collect();
    assert_eq!(changed, ["notes"], "{diff}");
    assert_eq!((diff["from_revision"].clone(), diff["to_revision"].clone()), (json!(1), json!(2)));
    let between: Vec<&str> =
        diff["events"].as_array().expect("events").iter().filter_map(|e| e["event_type"].as_str()).collect();
    assert_eq!(between, ["NoteRecorded"]);
    let whole = get_json(&app, &auditor, &format!("/api/v1/diff/engagement/{}?from=2000-01-01", own.engagement)).await;
    let changed: BTreeSet<&str> =
        whole["changes"].as_array().expect("changes").iter().filter_map(|c| c["field"].as_str()).collect();
    assert!(["id", "coach", "sessions", "notes"].iter().all(|f| changed.contains(f)), "{whole}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_may_not_read_the_audit_routes_and_bad_parameters_are_named() {
    let app = spawn_app().await;
    let own = coaching(&app, "297").await;
    wait_for_views(&app).await;
    let municipality = MunicipalityId(Uuid::parse_str(&own.municipality).expect("an id"));
    let (_, staff) = app.create_api_token(municipality, &[Role::Staff], None);
    let (_, auditor) = app.create_api_token(municipality, &[Role::Auditor], None);
    let engagement = &own.engagement;
    for path in [
        "/api/v1/timeline".to_owned(),
        format!("/api/v1/audit/engagement/{engagement}"),
        format!("/api/v1/state/engagement/{engagement}"),
        format!("/api/v1/diff/engagement/{engagement}?from=2000-01-01"),
        format!("/api/v1/correlations/{}", Uuid::new_v4()),
        format!("/api/v1/municipalities/{}/picture/diff?from=2024-01-01&to=2025-01-01", own.municipality),
    ] {
        let response = app.get_as(&staff, &path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(app.get(&path).await.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(
        app.get_as(&staff, &format!("/api/v1/graph/engagement/{engagement}")).await.status(),
        StatusCode::OK,
        "the evidence graph is for everyone who reads"
    );

    for (path, named) in [
        ("/api/v1/timeline?limit=0".to_owned(), "limit"),
        ("/api/v1/timeline?limit=100000".to_owned(), "limit"),
        ("/api/v1/timeline?after=yesterday".to_owned(), "after"),
        ("/api/v1/timeline?after=1.1&before=2.2".to_owned(), "before"),
        ("/api/v1/timeline?kind=widget".to_owned(), "kind"),
        (format!("/api/v1/timeline?entity={engagement}"), "entity"),
        ("/api/v1/timeline?from=yesterday".to_owned(), "from"),
        ("/api/v1/timeline?from=2025-02-01&to=2025-01-01".to_owned(), "from"),
        ("/api/v1/timeline?unit=kirjasto".to_owned(), "unit"),
        ("/api/v1/timeline?municipality=x".to_owned(), "municipality"),
        ("/api/v1/timeline?colour=red".to_owned(), "colour"),
        (format!("/api/v1/audit/widget/{engagement}"), "kind"),
        ("/api/v1/audit/engagement/not-an-id".to_owned(), "id"),
        (format!("/api/v1/audit/engagement/{engagement}?kind=unit"), "kind"),
        (format!("/api/v1/state/engagement/{engagement}?as_of=yesterday"), "as_of"),
        (format!("/api/v1/state/engagement/{engagement}?as_of=1.2.3"), "as_of"),
        (format!("/api/v1/diff/engagement/{engagement}"), "from"),
        (format!("/api/v1/diff/engagement/{engagement}?from=2025-02-01&to=2025-01-01"), "from"),
        ("/api/v1/correlations/abc".to_owned(), "correlation"),
        (format!("/api/v1/municipalities/{}/picture/diff?from=2025-01-01", own.municipality), "to"),
        (format!("/api/v1/municipalities/{}/picture/diff?from=2025-02-01&to=2025-01-01", own.municipality), "from"),
        (format!("/api/v1/municipalities/{}/picture/diff?from=x&to=2025-01-01", own.municipality), "from"),
        (format!("/api/v1/graph/engagement/{engagement}?direction=sideways"), "direction"),
        (format!("/api/v1/graph/engagement/{engagement}?transitive=maybe"), "transitive"),
        (format!("/api/v1/graph/widget/{engagement}"), "kind"),
        ("/api/v1/graph/outcome/abc".to_owned(), "kind"),
        ("/api/v1/graph/outcome/abc/effectiveness".to_owned(), "experiment"),
        (format!("/api/v1/graph/outcome/{engagement}/speed"), "criterion"),
        ("/api/v1/graph/lesson/abc".to_owned(), "id"),
    ] {
        let response = app.get_as(&auditor, &path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
        let problem: Value = response.json().await.expect("a problem");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with(named), "{path}: {detail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pictures_difference_withholds_small_groups_and_the_evidence_graph_runs_both_ways() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, auditor) = app.create_api_token(kuopio, &[Role::Auditor], None);
    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);

    // The picture's difference.
    let path = format!("/api/v1/municipalities/{kuopio}/picture/diff");
    let diff = get_json(&app, &auditor, &format!("{path}?from=2024-06-30&to=2026-12-31")).await;
    let rows = diff["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "campaigns closed between the two days: {diff}");
    for row in rows {
        assert!(["new", "removed", "changed"].contains(&row["change"].as_str().unwrap_or_default()), "{row}");
        for side in ["before", "after"] {
            for point in ["newest", "latest"] {
                let figure = &row[side][point]["figure"];
                if figure["status"] == "suppressed" {
                    assert!(figure.get("level").is_none() && figure.get("response_count").is_none(), "{row}");
                    assert_ne!(point, "latest", "a withheld figure is never the latest shown: {row}");
                }
            }
        }
        if let Some(change) = row["level_change"].as_f64() {
            let old = row["before"]["latest"]["figure"]["level"].as_f64().expect("a shown level before");
            let new = row["after"]["latest"]["figure"]["level"].as_f64().expect("a shown level after");
            assert!((new - old - change).abs() < 1e-9, "{row}");
        }
    }
    let same = get_json(&app, &auditor, &format!("{path}?from=2025-01-01&to=2025-01-01")).await;
    assert_eq!(same["rows"].as_array().map(Vec::len), Some(0), "nothing changes within a day");
    let (_, outsider) = app.create_api_token(MunicipalityId::random(), &[Role::Auditor], None);
    let foreign = app.get_as(&outsider, &format!("{path}?from=2024-06-30&to=2026-12-31")).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

    // The timeline of a real programme never shows another municipality's events.
    let page = get_json(&app, &auditor, "/api/v1/timeline?start=newest&limit=200").await;
    let events = page["events"].as_array().expect("events");
    assert_eq!(events.len(), 200);
    assert!(events.iter().all(|e| e["municipality"] == kuopio.to_string()));

    // The evidence graph: a practice's evidence, and the practice seen from its evidence.
    let found = get_json(&app, &staff, "/api/v1/search?kind=practice&limit=100").await;
    let practices: Vec<String> = found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["entity"].as_str().map(str::to_owned))
        .collect();
    let mut cited = None;
    for practice in &practices {
        let graph = get_json(&app, &staff, &format!("/api/v1/graph/practice/{practice}")).await;
        assert_eq!(graph["node"], format!("practice:{practice}"));
        if let Some(edge) = graph["edges"].as_array().and_then(|edges| edges.first()) {
            cited = Some((practice.clone(), edge.clone(), graph.clone()));
            break;
        }
    }
    let (practice, edge, graph) = cited.expect("some practice cites evidence");
    assert_eq!(edge["from"], format!("practice:{practice}"));
    let target = edge["to"].as_str().expect("a node").to_owned();
    let (kind, target_id) = target.split_once(':').expect("kind:id");
    let back = get_json(&app, &staff, &format!("/api/v1/graph/{kind}/{target_id}?direction=cited_by")).await;
    assert!(
        back["edges"].as_array().expect("edges").iter().any(|e| e["from"] == format!("practice:{practice}")),
        "the evidence knows the practice cites it: {back}"
    );
    let deep = get_json(&app, &staff, &format!("/api/v1/graph/practice/{practice}?transitive=true")).await;
    let reached: Vec<(String, u64)> = deep["reached"]
        .as_array()
        .expect("reached")
        .iter()
        .map(|r| (r["node"].as_str().unwrap_or_default().to_owned(), r["depth"].as_u64().unwrap_or(0)))
        .collect();
    for direct in graph["edges"].as_array().expect("edges") {
        if direct["relation"] == "cites" {
            let node = direct["to"].as_str().expect("a node");
            assert!(reached.iter().any(|(n, d)| n == node && *d == 1), "{node} at depth 1 in {deep}");
        }
    }
    assert!(reached.windows(2).all(|pair| pair[0].1 <= pair[1].1), "nearest first: {reached:?}");

    // Another municipality reads a practice's graph only if the practice was shared with it.
    let mut shared = None;
    for practice in &practices {
        let history = get_json(&app, &staff, &format!("/api/v1/practices/{practice}/history")).await;
        if let Some(partner) = history["shared_with"].as_array().and_then(|s| s.first()).map(|s| s["partner"].clone()) {
            shared = Some((practice.clone(), partner));
            break;
        }
    }
    let (shared_practice, partner) = shared.expect("the demo shares practices");
    let partner: MunicipalityId = serde_json::from_value(partner).expect("a municipality id");
    let (_, partner_staff) = app.create_api_token(partner, &[Role::Staff], None);
    let graph_path = format!("/api/v1/graph/practice/{shared_practice}");
    assert_eq!(app.get_as(&partner_staff, &graph_path).await.status(), StatusCode::OK);
    let (_, stranger) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    assert_eq!(app.get_as(&stranger, &graph_path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_as(&partner_staff, &format!("/api/v1/audit/practice/{shared_practice}")).await.status(),
        StatusCode::FORBIDDEN,
        "staff never read the audit trail"
    );
    let (_, partner_auditor) = app.create_api_token(partner, &[Role::Auditor], None);
    assert_eq!(
        app.get_as(&partner_auditor, &format!("/api/v1/audit/practice/{shared_practice}")).await.status(),
        StatusCode::NOT_FOUND,
        "sharing a practice does not share its audit trail"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_of_personal_data_are_in_the_timeline_only_for_those_who_may_read_the_access_log() {
    let app = spawn_app().await;
    let own = coaching(&app, "297").await;
    let municipality = MunicipalityId(Uuid::parse_str(&own.municipality).expect("an id"));
    // A coach reads their own engagement's notes, personal text included: the read is logged.
    let (coach_id, coach) = app.create_api_token(municipality, &[Role::Coach], None);
    let engagement = id();
    let session = id();
    for (name, body) in [
        (
            "start-engagement",
            json!({
                "engagement": engagement, "municipality": own.municipality, "coach": format!("token:{coach_id}"),
                "coachees": ["hlo-anna01"], "goals": [{ "fi": "Etäyhteydet" }], "started": "2025-01-10"
            }),
        ),
        (
            "hold-session",
            json!({
                "engagement": engagement, "session": session, "date": "2025-01-15", "format": "group",
                "duration_minutes": 30, "topics": ["2.1"], "attendees": 2
            }),
        ),
        (
            "record-note",
            json!({
                "engagement": engagement, "note": id(), "session": session, "author": format!("token:{coach_id}"),
                "planned": { "fi": "A" }, "happened": { "fi": "B" }, "why_different": { "fi": "C" },
                "keep_or_change": { "fi": "D" }, "personal": { "text": SECRET, "classification": "personal" }
            }),
        ),
    ] {
        command(&app, name, body).await;
    }
    let read = app.get_as(&coach, &format!("/api/v1/coaching/engagements/{engagement}/notes?purpose=valmistelu")).await;
    assert_eq!(read.status(), StatusCode::OK);
    wait_for_views(&app).await;

    let (_, auditor) = app.create_api_token(municipality, &[Role::Auditor], None);
    let (_, decision_maker) = app.create_api_token(municipality, &[Role::DecisionMaker], None);
    let access_log = |page: &Value| -> Vec<Value> {
        page["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["entity_kind"] == "access_log")
            .cloned()
            .collect()
    };
    let seen_by_auditor = access_log(&get_json(&app, &auditor, "/api/v1/timeline?limit=200").await);
    assert_eq!(seen_by_auditor.len(), 1, "the auditor sees the read");
    assert!(!seen_by_auditor[0].to_string().contains("ZQX-7731"));
    let everything = get_json(&app, &decision_maker, "/api/v1/timeline?limit=200").await;
    assert!(access_log(&everything).is_empty(), "a decision maker may read the audit trail, not the access log");
    let asked = get_json(&app, &decision_maker, "/api/v1/timeline?kind=access_log").await;
    assert_eq!(asked["events"].as_array().map(Vec::len), Some(0));
    let entry = seen_by_auditor[0]["entity_id"].as_str().expect("an id");
    let path = format!("/api/v1/audit/access_log/{entry}");
    assert_eq!(app.get_as(&decision_maker, &path).await.status(), StatusCode::NOT_FOUND);
    let trail = get_json(&app, &auditor, &path).await;
    assert_eq!(trail["events"].as_array().map(Vec::len), Some(1));
}

//! The best-practice pages over plain HTTP on the demo programme: the list narrows as the API's
//! list does, bad filters are a 400 page naming the field, each practice's page shows every step
//! of the API's history with its audit record, and another municipality's practice is not found
//! unless it was shared.

use std::collections::BTreeSet;

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::web::{page, sign_in};
use kirjuri_tests::{TestApp, spawn_app_with_demo};
use serde_json::Value;

async fn api(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON")
}

async fn html(app: &TestApp, cookie: &str, path: &str) -> String {
    let response = page(app, cookie, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("a body")
}

/// The practices a list page links to, in order.
fn linked_practices(html: &str) -> Vec<String> {
    html.split("href=\"/practices/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|id| uuid::Uuid::try_parse(id).is_ok())
        .map(str::to_owned)
        .collect()
}

/// The ids of the API's practices list answering `query`.
async fn api_practices(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let body = api(app, token, &format!("/api/v1/practices?limit=100&{query}")).await;
    assert!(body["next"].is_null(), "the demo's practices fit one page");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["practice"].as_str().expect("a string").to_owned())
        .collect()
}

/// `text` percent-encoded for a query string.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| if byte.is_ascii_alphanumeric() { char::from(byte).to_string() } else { format!("%{byte:02X}") })
        .collect()
}

/// Text as maud writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[tokio::test]
async fn the_list_narrows_by_status_body_dates_and_tag_exactly_as_the_api_does() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let cookie = sign_in(&app, &token).await;

    let all = api_practices(&app, &token, "").await;
    assert!(all.len() > 5, "the demo has practices");
    let everything = html(&app, &cookie, "/practices?limit=100").await;
    assert_eq!(linked_practices(&everything), all);
    assert!(everything.contains("data-live-refresh"));
    let empty_form = html(&app, &cookie, "/practices?status=&body=&from=&to=&tag=&limit=100").await;
    assert_eq!(linked_practices(&empty_form), all, "the form's empty fields mean any");

    let listed = api(&app, &token, "/api/v1/practices?limit=100").await;
    let items = listed["items"].as_array().expect("an array");
    let decided = items.iter().find(|item| item["latest_decision"].is_object()).expect("a decided practice");
    let body = decided["latest_decision"]["body"].as_str().expect("a string");
    let day = decided["latest_decision"]["meeting_date"].as_str().expect("a string");
    let tag = items.iter().find_map(|item| item["tags"].as_array().and_then(|t| t.first())).expect("a tag");
    let tag = tag.as_str().expect("a string");
    let bodies = api(&app, &token, "/api/v1/bodies?limit=100").await;
    let body_name = bodies["items"].as_array().expect("an array").iter().find(|b| b["body"] == body).expect("the body")
        ["name"]
        .as_str()
        .expect("a string")
        .to_owned();
    assert!(everything.contains(&format!("<option value=\"{body}\">{}</option>", escaped(&body_name))));

    let tag_query = format!("tag={}", percent_encoded(tag));
    let mut narrowed_some = false;
    for query in [
        "status=passed".to_owned(),
        "status=draft".to_owned(),
        format!("body={body}"),
        format!("body={body}&status=passed"),
        format!("from={day}&to={day}"),
        format!("from={day}"),
        format!("to={day}"),
        tag_query,
    ] {
        let expected = api_practices(&app, &token, &query).await;
        let shown = html(&app, &cookie, &format!("/practices?limit=100&{query}")).await;
        assert_eq!(linked_practices(&shown), expected, "{query}");
        assert!(!expected.is_empty() || query == "status=draft", "{query} finds some of the demo's practices");
        narrowed_some |= expected.len() < all.len();
    }
    assert!(narrowed_some, "the filters narrow the list");
    let narrowed = html(&app, &cookie, &format!("/practices?body={body}&from={day}")).await;
    assert!(narrowed.contains(&format!("<option value=\"{body}\" selected>")), "the filter is kept in the form");
    assert!(narrowed.contains(&format!("name=\"from\" type=\"date\" value=\"{day}\"")));

    let first = html(&app, &cookie, "/practices?limit=2").await;
    assert_eq!(linked_practices(&first), all[..2]);
    let next = first.split("rel=\"next\" href=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a next page");
    let second = html(&app, &cookie, &next.replace("&amp;", "&")).await;
    assert_eq!(linked_practices(&second), all[2..4], "keyset paging follows the API's cursor");
}

#[tokio::test]
async fn a_bad_filter_is_a_400_page_naming_the_field_and_its_rule_as_the_api_does() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    for (query, field) in [
        ("status=maybe", "status"),
        ("from=2025-13-01", "from"),
        ("from=2025-05-01&to=2025-04-01", "to"),
        ("body=kaupunginhallitus", "body"),
        ("tag=%01", "tag"),
        ("after=zzz", "after"),
        ("colour=red", "colour"),
    ] {
        let answer = app.get_as(&token, &format!("/api/v1/practices?{query}")).await;
        assert_eq!(answer.status(), 400, "{query}");
        let detail = answer.json::<Value>().await.expect("JSON")["detail"].as_str().expect("a string").to_owned();
        assert!(detail.starts_with(field), "{detail}");
        let response = page(&app, &cookie, &format!("/practices?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body = response.text().await.expect("a body");
        assert!(body.contains(&escaped(&detail)), "{query}: the page names `{detail}`:\n{body}");
    }
    let not_an_id = page(&app, &cookie, "/practices/not-an-id").await;
    assert_eq!(not_an_id.status(), 400);
    assert!(not_an_id.text().await.expect("a body").contains("practice: `not-an-id` is not an id"));
    let unknown = page(&app, &cookie, &format!("/practices/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn each_practice_page_shows_every_step_of_the_api_history_with_its_audit_record() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let cookie = sign_in(&app, &token).await;
    let mut seen_kinds = BTreeSet::new();
    for practice in api_practices(&app, &token, "").await {
        let history = api(&app, &token, &format!("/api/v1/practices/{practice}/history")).await;
        if history["municipality"] != kuopio.to_string() {
            continue; // a partner's: its audit trail is the partner's (tested below)
        }
        let audit = api(&app, &token, &format!("/api/v1/audit/practice/{practice}?limit=200")).await;
        let events = audit["events"].as_array().expect("an array");
        let shown = html(&app, &cookie, &format!("/practices/{practice}")).await;
        assert!(shown.contains(&format!("<h1>{}</h1>", escaped(history["title"].as_str().expect("a string")))));
        assert_eq!(shown.matches("<li class=\"step\"").count(), events.len(), "{practice}: one step per event");
        for event in events {
            let id = event["event_id"].as_str().expect("a string");
            assert!(shown.contains(&format!("href=\"/audit/practice/{practice}#event-{id}\"")), "{practice}: {id}");
            assert!(shown.contains(&escaped(event["actor"].as_str().unwrap_or("tuntematon"))));
            let recorded = &event["recorded_at"].as_str().expect("a string")[..19];
            assert!(shown.contains(&format!("<time datetime=\"{recorded}")), "{practice}: recorded {recorded}");
            seen_kinds.insert(event["event_type"].as_str().expect("a string").to_owned());
        }
        for submission in history["submissions"].as_array().expect("an array") {
            assert!(
                shown.contains(&escaped(submission["case_number"].as_str().expect("a string"))),
                "{practice}: a case"
            );
        }
        for decision in history["decisions"].as_array().expect("an array") {
            assert!(shown.contains(&format!("{} §", decision["section"])), "{practice}: a section");
            assert!(
                shown.contains(&escaped(decision["decision"].as_str().expect("a string"))),
                "{practice}: a decision"
            );
            assert!(
                shown
                    .contains(&format!("<time datetime=\"{}\">", decision["meeting_date"].as_str().expect("a string")))
            );
            if let Some(name) = decision["body_name"].as_str() {
                assert!(shown.contains(&escaped(name)), "{practice}: the deciding body");
            }
        }
        for anchor in history["anchors"].as_array().expect("an array") {
            assert!(shown.contains(&escaped(anchor["target"].as_str().expect("a string"))), "{practice}: an anchoring");
        }
        for report in history["progress_reports"].as_array().expect("an array") {
            assert!(shown.contains(&format!("{} % toteutettu", report["percent"])), "{practice}: progress");
        }
        for version in history["versions"].as_array().expect("an array").iter().skip(1) {
            assert!(
                shown.contains(&escaped(version["what_changed"].as_str().expect("a string"))),
                "{practice}: a revision"
            );
        }
        for other in history["superseded_by"]
            .as_array()
            .expect("an array")
            .iter()
            .chain(history["supersedes"].as_array().expect("an array"))
        {
            assert!(
                shown.contains(&format!("href=\"/practices/{}\"", other.as_str().expect("a string"))),
                "{practice}: supersession"
            );
        }
        for edge in history["evidence"].as_array().expect("an array") {
            let (kind, id) = edge["to"].as_str().expect("a string").split_once(':').expect("kind:id");
            let href = match kind {
                "lesson" => format!("/lessons/{id}"),
                "experiment" => format!("/experiments/{id}"),
                "outcome" => format!("/experiments/{}", id.split('/').next().unwrap_or_default()),
                _ => continue,
            };
            assert!(shown.contains(&format!("href=\"{href}")), "{practice}: evidence {kind} {id}");
        }
    }
    for kind in ["PracticeDrafted", "PracticeSubmitted", "PracticeDecided", "PracticeRevised", "PracticeSuperseded"] {
        assert!(seen_kinds.contains(kind), "the demo's practices show a {kind} step");
    }
}

#[tokio::test]
async fn another_municipalitys_practice_is_not_found_unless_shared_and_staff_see_no_audit_records() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let own = api_practices(&app, &token, "").await;
    let mut shared = None;
    let mut private = None;
    for practice in &own {
        let history = api(&app, &token, &format!("/api/v1/practices/{practice}/history")).await;
        let partners = history["shared_with"].as_array().expect("an array");
        match partners.first() {
            Some(partner) if history["municipality"] == kuopio.to_string() => {
                shared = Some((practice.clone(), partner["partner"].as_str().expect("a string").to_owned()));
            }
            None if history["municipality"] == kuopio.to_string() => private = Some(practice.clone()),
            _ => {}
        }
    }
    let (shared, partner) = shared.expect("the demo shares a practice with a partner");
    let private = private.expect("and keeps one to itself");
    let partner = MunicipalityId(uuid::Uuid::parse_str(&partner).expect("a partner id"));

    let (_, partner_token) = app.create_api_token(partner, &[Role::DecisionMaker], None);
    let partner_cookie = sign_in(&app, &partner_token).await;
    let readable = html(&app, &partner_cookie, &format!("/practices/{shared}")).await;
    assert!(readable.contains("Kumppanin jakama"), "a shared practice is marked so");
    assert!(!readable.contains("/audit/practice/"), "the partner does not read the owner's audit trail");
    let listed = html(&app, &partner_cookie, "/practices?limit=100").await;
    assert!(linked_practices(&listed).contains(&shared));
    assert!(!linked_practices(&listed).contains(&private));
    assert_eq!(page(&app, &partner_cookie, &format!("/practices/{private}")).await.status(), 404);

    let (_, stranger) = app.create_api_token(MunicipalityId::random(), &[Role::DecisionMaker], None);
    let stranger_cookie = sign_in(&app, &stranger).await;
    assert_eq!(page(&app, &stranger_cookie, &format!("/practices/{shared}")).await.status(), 404);
    assert!(linked_practices(&html(&app, &stranger_cookie, "/practices").await).is_empty());

    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);
    let staff_cookie = sign_in(&app, &staff).await;
    let as_staff = html(&app, &staff_cookie, &format!("/practices/{private}")).await;
    assert!(as_staff.contains("<li class=\"step\""), "staff read the history");
    assert!(!as_staff.contains("/audit/practice/"), "but not its audit records, as in the API");
    assert_eq!(app.get_as(&staff, &format!("/api/v1/audit/practice/{private}")).await.status(), 403);
}

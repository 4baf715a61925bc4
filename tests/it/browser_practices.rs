//! The best-practice pages in a real browser (headless Chromium, axe-core, screenshots at
//! 1280x800 and 390x844; see `browser.rs` for what it needs): a decision-maker filters the
//! practices by body and status, opens one, and follows its evidence to a lesson.

use kirjuri::auth::Role;
use kirjuri_tests::browser::browser;
use kirjuri_tests::{TestApp, spawn_app_with_demo};
use serde_json::Value;

async fn api(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn a_decision_maker_filters_the_practices_opens_one_and_follows_its_evidence() {
    let Some(browser) = browser().await else { return };
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);

    // A decided practice that cites a lesson: the journey filters by its last decision's body
    // and its status, so it is on the filtered list, then follows its lesson.
    let listed = api(&app, &token, "/api/v1/practices?limit=100").await;
    let mut chosen = None;
    for item in listed["items"].as_array().expect("items") {
        let Some(body) = item["latest_decision"]["body"].as_str() else { continue };
        let practice = item["practice"].as_str().expect("an id");
        let history = api(&app, &token, &format!("/api/v1/practices/{practice}/history")).await;
        let cites_a_lesson = history["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|edge| edge["to"].as_str().is_some_and(|to| to.starts_with("lesson:")));
        if cites_a_lesson {
            chosen =
                Some((practice.to_owned(), body.to_owned(), item["status"].as_str().expect("a status").to_owned()));
            break;
        }
    }
    let (practice, body, status) = chosen.expect("the demo has a decided practice citing a lesson");
    let expected = api(&app, &token, &format!("/api/v1/practices?limit=100&body={body}&status={status}")).await;
    let expected_rows = expected["items"].as_array().expect("items").len();

    browser.sign_in(&app, &token).await;
    browser.goto(&app, "/practices").await;
    browser.wait_for("table.practices").await;
    browser.assert_accessible("practices").await;
    browser.screenshots("practices").await;

    browser.wait_for("#body").await.select_by_value(&body).await.expect("the body is chosen");
    browser.wait_for("#status").await.select_by_value(&status).await.expect("the status is chosen");
    browser.click_to_next_page(browser.wait_for("form.practice-filters button[type=submit]").await).await;
    browser.wait_for(&format!("a[href='/practices/{practice}']")).await;
    assert!(browser.query_has("body", &body).await && browser.query_has("status", &status).await, "filters in the URL");
    let rows = browser.evaluate("return document.querySelectorAll('table.practices tbody tr').length").await;
    assert_eq!(rows, serde_json::json!(expected_rows), "the page lists what the API lists");
    browser.assert_accessible("practices filtered").await;
    browser.screenshots("practices-filtered").await;

    browser.wait_for(&format!("a[href='/practices/{practice}']")).await.click().await.expect("the practice opens");
    browser.wait_for("ol.practice-timeline li.step").await;
    assert_eq!(browser.path().await, format!("/practices/{practice}"));
    let audit_links =
        browser.evaluate("return document.querySelectorAll('.audit-ref a[href^=\"/audit/practice/\"]').length").await;
    assert!(audit_links.as_u64().is_some_and(|n| n > 0), "the steps link their audit records");
    browser.assert_accessible("practice").await;
    browser.screenshots("practice").await;

    browser.wait_for("a[hreflang=en]").await.click().await.expect("the switch is followed");
    browser.wait_for("a[hreflang=fi]").await;
    assert_eq!(browser.evaluate("return document.documentElement.lang").await, "en");
    assert_eq!(browser.path().await, format!("/practices/{practice}"), "switching stays on the practice");
    browser.wait_for("ol.practice-timeline li.step").await;
    browser.assert_accessible("practice in English").await;
    browser.screenshots("practice-english").await;

    browser.click_to_next_page(browser.wait_for(".practice-timeline a[href^='/lessons/']").await).await;
    browser.wait_for("main h1").await;
    assert!(browser.path().await.starts_with("/lessons/"), "the evidence opens its lesson");
    browser.assert_accessible("lesson from a practice").await;
    browser.screenshots("practice-evidence-lesson").await;
    browser.client.close().await.expect("the session ends");
}

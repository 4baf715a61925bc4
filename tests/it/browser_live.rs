//! In a real browser (see `browser.rs` for what it needs): a list marked `data-live-refresh`
//! shows a record someone else has just made without the reader reloading, and says so to
//! screen readers; the pages for a missing page and a bad request pass the accessibility scan.

use std::time::{Duration, Instant};

use kirjuri::auth::Role;
use kirjuri_tests::browser::browser;
use kirjuri_tests::spawn_app_with_demo;
use serde_json::json;

#[tokio::test]
async fn the_practices_list_shows_a_new_practice_without_a_reload() {
    let Some(browser) = browser().await else { return };
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker, Role::Staff], None);

    browser.sign_in(&app, &token).await;
    browser.goto(&app, "/practices").await;
    browser.wait_for("#practice-list").await;
    // A marker that a reload would wipe: the list must change under it, not the page.
    browser.evaluate("window.kirjuriNotReloaded = true; return null").await;
    let title = format!("Elävä käytäntö {}", uuid::Uuid::new_v4().simple());
    let practice = uuid::Uuid::new_v4().to_string();
    let fi = |text: &str| json!({ "fi": text });
    let drafted = app
        .client
        .post(app.url("/api/v1/commands/draft-practice"))
        .bearer_auth(&token)
        .header("Idempotency-Key", format!("live-{practice}"))
        .json(&json!({
            "practice": practice, "municipality": kuopio.to_string(), "title": fi(&title), "context": fi("Jonot"),
            "options_considered": [], "chosen_option": fi("Etäpalvelu"), "consequences": {}, "evidence": [], "tags": []
        }))
        .send()
        .await
        .expect("the command is sent");
    assert!(drafted.status().is_success(), "{}", drafted.text().await.unwrap_or_default());

    let started = Instant::now();
    let script = format!("return document.getElementById('practice-list').textContent.includes('{title}')");
    while browser.evaluate(&script).await != json!(true) {
        if started.elapsed() > Duration::from_secs(20) {
            let fetched = browser
                .evaluate("return performance.getEntriesByType('resource').map(e => e.name + ' ' + e.responseStatus)")
                .await;
            panic!("the new practice never appeared in the list; the page fetched {fetched}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(browser.evaluate("return window.kirjuriNotReloaded === true").await, json!(true), "no reload");
    let status = browser.evaluate("return document.getElementById('live-status').textContent").await;
    assert_ne!(status, json!(""), "the refresh is announced to screen readers");
    browser.assert_accessible("practices after a live refresh").await;
}

#[tokio::test]
async fn the_error_pages_are_accessible() {
    let Some(browser) = browser().await else { return };
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::Staff], None);
    browser.sign_in(&app, &token).await;
    for (name, path) in [("not-found", "/no/such/page"), ("bad-request", "/search?q=kotihoito&limit=0")] {
        browser.goto(&app, path).await;
        browser.wait_for("main h1").await;
        browser.assert_accessible(name).await;
        browser.screenshots(&format!("error-{name}")).await;
    }
}

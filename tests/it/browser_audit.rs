//! The auditor's journey in a real browser (headless Chromium through chromedriver, axe-core
//! on every page, screenshots at 1280x800 and 390x844): sign in, filter the timeline, move it
//! back to an earlier position with the slider, open a practice as it stood then, compare it
//! with now, open its audit trail and the personal-data access log.
//!
//! Needs `chromium`, `chromium-driver` and axe-core under `target/npm` (see `browser.rs`);
//! skipped with `KIRJURI_SKIP_BROWSER=1`.

use fantoccini::Locator;
use kirjuri::auth::Role;
use kirjuri_tests::browser::browser;
use kirjuri_tests::spawn_app_with_demo;
use serde_json::Value;

#[tokio::test]
async fn an_auditor_filters_the_timeline_moves_it_back_sees_an_earlier_state_and_a_diff_and_opens_the_access_log() {
    let Some(browser) = browser().await else { return };
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::Auditor], None);
    let api = |path: String| {
        let (app, token) = (&app, &token);
        async move { app.get_as(token, &path).await.json::<Value>().await.expect("JSON") }
    };
    // A practice that was decided, and the position of its first event (its draft).
    let decided = api("/api/v1/timeline?kind=practice&event_type=PracticeDecided&limit=1".to_owned()).await;
    let practice = decided["events"][0]["entity_id"].as_str().expect("a decided practice").to_owned();
    let trail = api(format!("/api/v1/audit/practice/{practice}")).await;
    let drafted_at = trail["events"][0]["position"].as_str().expect("its first position").to_owned();
    let diff = api(format!("/api/v1/diff/practice/{practice}?from={drafted_at}")).await;
    let status = diff["changes"].as_array().expect("changes").iter().find(|c| c["field"] == "status");
    let status = status.expect("its status changed after the draft");
    let (status_then, status_now) = (status["before"].as_str().expect("then"), status["after"].as_str().expect("now"));

    browser.sign_in(&app, &token).await;
    browser.goto(&app, "/timeline").await;
    browser.wait_for(".audit-events").await;
    browser.assert_accessible("timeline").await;
    browser.screenshots("timeline").await;

    // Filter: practices only, with the form (GET, so the filter is in the URL).
    browser.wait_for("#filter-kind").await.select_by_value("practice").await.expect("the kind is chosen");
    browser.click_to_next_page(browser.wait_for(".audit-filters button[type=submit]").await).await;
    browser.wait_for_query("kind", "practice").await;
    browser.wait_for(".audit-events").await;
    let kinds = browser
        .evaluate("return [...document.querySelectorAll('.audit-event dd a[href^=\"/audit/\"]')].map(a => a.getAttribute('href').split('/')[2])")
        .await;
    assert!(kinds.as_array().is_some_and(|k| !k.is_empty() && k.iter().all(|k| k == "practice")), "{kinds}");
    browser.assert_accessible("timeline filtered").await;

    // Move back with the slider to the practice's draft, and show the timeline as it stood then.
    let commit = drafted_at.split('.').next().expect("a commit");
    browser.evaluate(&format!("document.getElementById('as-of-position').value = '{commit}'; return true")).await;
    browser.click_to_next_page(browser.wait_for("form:has(#as-of-position) button").await).await;
    browser.wait_for(".as-of-note").await;
    assert!(browser.query_has("position", commit).await && browser.query_has("kind", "practice").await);
    let last = browser
        .evaluate("const e = [...document.querySelectorAll('.audit-event')]; return e.length ? e[e.length - 1].id : ''")
        .await;
    let draft_id = trail["events"][0]["event_id"].as_str().expect("an id");
    assert_eq!(last, format!("event-{draft_id}"), "the timeline ends at the draft");
    browser.assert_accessible("timeline as of a position").await;
    browser.screenshots("timeline-as-of").await;

    // The practice as it stood then.
    browser
        .wait_for(&format!("#event-{draft_id} a[href^='/state/practice/{practice}?as_of=']"))
        .await
        .click()
        .await
        .expect("the state then is opened");
    browser.wait_for("table.audit-table").await;
    let status_cell = "return [...document.querySelectorAll('table.audit-table tr')].filter(r => r.querySelector('th') && r.querySelector('th').textContent === 'status').map(r => r.querySelector('td').textContent)[0] || ''";
    assert_eq!(browser.evaluate(status_cell).await, status_then, "the earlier state");
    browser.assert_accessible("state as of").await;
    browser.screenshots("state-as-of").await;

    // Compared with now: the status row changed.
    browser
        .client
        .find(Locator::LinkText(diff_link_text()))
        .await
        .expect("the compare link")
        .click()
        .await
        .expect("clicked");
    browser.wait_for("tr.changed").await;
    let changed = "return [...document.querySelectorAll('tr.changed')].filter(r => r.querySelector('th').textContent === 'status').map(r => [...r.querySelectorAll('td')].map(d => d.textContent))[0] || []";
    assert_eq!(browser.evaluate(changed).await, serde_json::json!([status_then, status_now]));
    browser.assert_accessible("diff").await;
    browser.screenshots("diff").await;

    // Its audit trail, each event under its anchor.
    browser.goto(&app, &format!("/audit/practice/{practice}#event-{draft_id}")).await;
    browser.wait_for(&format!("#event-{draft_id}")).await;
    browser.assert_accessible("audit trail").await;
    browser.screenshots("audit-trail").await;

    // The access log, from the timeline's link.
    browser.goto(&app, "/timeline").await;
    browser.wait_for("a[href='/access-log']").await.click().await.expect("the access log is opened");
    browser.wait_for("#filter-reader").await;
    assert_eq!(browser.path().await, "/access-log");
    browser.assert_accessible("access log").await;
    browser.screenshots("access-log").await;
    browser.client.close().await.expect("the session ends");
}

/// The Finnish "compare with now" link (the browser's Accept-Language is Finnish by default here).
fn diff_link_text() -> &'static str {
    kirjuri::web::i18n::audit::FI.compare_with_now
}

//! The web UI in a real browser: headless Debian Chromium driven through chromedriver
//! (WebDriver, with fantoccini), against the real server on the demo data.
//!
//! Each test starts its own chromedriver on a free port with a fresh profile. Every page a
//! journey reaches is scanned with axe-core (injected from `target/npm`); a serious or critical
//! violation fails the test. Screenshots go to `target/screenshots/` at 1280x800 and 390x844.
//!
//! Needs `chromium`, `chromium-driver` (apt) and `npm install --prefix target/npm axe-core@4`;
//! without them the tests fail saying so, unless `KIRJURI_SKIP_BROWSER=1`, when they are skipped.

use kirjuri::auth::Role;
use kirjuri_tests::browser::{ENTER, TAB, browser};
use kirjuri_tests::{TestApp, spawn_app_with_demo};

/// A Finnish word of the demo's documents (it inflects: `käyttöönotto`, `käyttöönottoa`, …).
const FINNISH_WORD: &str = "käyttöönotto";
/// A server on the demo data and a staff member's token of the demo city.
async fn demo_with_staff_token() -> (TestApp, String) {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::Staff], None);
    (app, token)
}

/// How many documents the API finds for `word` with `filter` (e.g. `kind=lesson`).
async fn total_matching(app: &TestApp, token: &str, word: &str, filter: &str) -> u64 {
    let body: serde_json::Value = app
        .get_as(token, &format!("/api/v1/search?q={word}&{filter}&limit=1"))
        .await
        .json()
        .await
        .expect("search answers JSON");
    body["total"].as_u64().expect("a total")
}

#[tokio::test]
async fn a_staff_member_signs_in_searches_narrows_pages_opens_a_lesson_and_switches_to_english() {
    let Some(browser) = browser().await else { return };
    let (app, token) = demo_with_staff_token().await;
    assert!(
        total_matching(&app, &token, FINNISH_WORD, "language=en").await > 10,
        "the journey pages through the demo's English-language `{FINNISH_WORD}` documents: over a page of them"
    );
    assert!(total_matching(&app, &token, FINNISH_WORD, "kind=lesson").await > 0, "and opens one of its lessons");

    browser.goto(&app, "/search").await;
    assert!(browser.path().await.starts_with("/sign-in?next="), "an unauthenticated page sends to sign-in");
    browser.wait_for("#token").await;
    assert_eq!(browser.evaluate("return document.documentElement.lang").await, "fi", "Finnish by Accept-Language");
    browser.assert_accessible("sign-in").await;
    browser.screenshots("sign-in").await;
    browser.sign_in(&app, &token).await;

    let box_ = browser.wait_for("#q").await;
    box_.send_keys(&format!("{FINNISH_WORD}{ENTER}")).await.expect("the word is typed");
    browser.wait_for(".result mark").await;
    assert!(browser.query_has("q", FINNISH_WORD).await, "the query is in the URL");
    let everything = browser.summary().await;
    browser.wait_for("aside.facets a").await;
    browser.assert_accessible("search results").await;
    browser.screenshots("search").await;

    browser.wait_for("aside.facets a[href*='language=en']").await.click().await.expect("a facet is followed");
    browser.wait_for(".active-filters a").await;
    assert!(browser.path().await.contains("language=en"), "the filter is in the URL");
    assert_ne!(browser.summary().await, everything, "narrowing changes the results");

    browser.wait_for("a[rel=next]").await.click().await.expect("the next page is followed");
    browser.wait_for("a[rel=prev]").await;
    let second_page = browser.path().await;
    assert!(second_page.contains("offset=10") && second_page.contains("language=en"), "{second_page}");
    browser.wait_for(".result mark").await;

    browser.click_to_next_page(browser.wait_for("aside.facets a[href*='kind=lesson']").await).await;
    browser.wait_for(".result h3 a").await;
    let lessons = browser.path().await;
    assert!(
        lessons.contains("kind=lesson") && !lessons.contains("offset="),
        "a new filter starts at page one: {lessons}"
    );
    browser.click_to_next_page(browser.wait_for(".result h3 a").await).await;
    browser.wait_for("main h1").await;
    assert!(browser.path().await.starts_with("/lessons/"), "the result opens its lesson");
    browser.assert_accessible("lesson").await;
    browser.screenshots("lesson").await;

    browser.wait_for("a[hreflang=en]").await.click().await.expect("the switch is followed");
    browser.wait_for("a[hreflang=fi]").await;
    assert_eq!(browser.evaluate("return document.documentElement.lang").await, "en");
    assert!(browser.path().await.starts_with("/lessons/"), "switching stays on the page");
    browser.assert_accessible("lesson in English").await;
    browser.goto(&app, "/search").await;
    browser.wait_for("#q").await;
    assert_eq!(browser.evaluate("return document.documentElement.lang").await, "en", "the choice is remembered");
    browser.screenshots("search-english").await;
    browser.client.close().await.expect("the session ends");
}

#[tokio::test]
async fn the_search_page_works_with_the_keyboard_alone() {
    let Some(browser) = browser().await else { return };
    let (app, token) = demo_with_staff_token().await;
    browser.sign_in(&app, &token).await;
    // Lessons only (the filter is kept by the form), so every result on the page opens a lesson.
    browser.goto(&app, "/search?kind=lesson").await;
    browser.wait_for("#q").await;

    let focused_id = || async { browser.evaluate("return document.activeElement && document.activeElement.id").await };
    let mut presses = 0;
    while focused_id().await != "q" {
        assert!(presses < 12, "Tab never reaches the search box");
        browser.press(TAB).await;
        presses += 1;
    }
    browser.type_text(FINNISH_WORD).await;
    browser.press(ENTER).await;
    browser.wait_for(".result mark").await;

    let on_a_result = "return !!(document.activeElement && document.activeElement.closest('.result h3 a'))";
    let mut presses = 0;
    while browser.evaluate(on_a_result).await != true {
        assert!(presses < 40, "Tab never reaches a result");
        browser.press(TAB).await;
        presses += 1;
    }
    let outline = browser.evaluate("return getComputedStyle(document.activeElement).outlineStyle").await;
    assert_ne!(outline, "none", "the focused result shows its focus");
    browser.press(ENTER).await;
    browser.wait_for("main h1").await;
    assert!(browser.path().await.starts_with("/lessons/"), "Enter on a result opens it");
    browser.client.close().await.expect("the session ends");
}

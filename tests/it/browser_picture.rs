//! A decision-maker's journey in a real browser (headless Chromium) on the demo data: the
//! situational picture, an earlier day's picture through the as-of form, the experiments and
//! one experiment. Every page is scanned with axe-core and screenshotted at 1280x800 and
//! 390x844 (`target/screenshots/picture-*.png`); see tests/browser.rs for what it needs.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kirjuri::auth::Role;
use kirjuri_tests::browser::browser;
use kirjuri_tests::spawn_app_with_demo;

#[tokio::test]
async fn a_decision_maker_reads_the_picture_moves_it_to_an_earlier_day_and_opens_an_experiment() {
    let Some(browser) = browser().await else { return };
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    browser.sign_in(&app, &token).await;

    browser.goto(&app, "/").await;
    browser.wait_for("svg.heatmap").await;
    assert_eq!(browser.path().await, "/", "the home page is the picture");
    browser.assert_accessible("situational picture").await;
    browser.screenshots("picture-home").await;

    // An earlier day through the form (GET: the day lands in the URL), a year before the latest campaign.
    let latest = browser
        .evaluate(
            "return [...document.querySelectorAll('.trends time')].map(t => t.getAttribute('datetime')).sort().pop()",
        )
        .await;
    let latest = latest.as_str().expect("the trends show campaign dates").to_owned();
    let day = chrono::NaiveDate::parse_from_str(&latest, "%Y-%m-%d").expect("a date") - chrono::Days::new(1);
    browser.evaluate(&format!("document.getElementById('as_of').value = '{day}'; return true")).await;
    browser.click_to_next_page(browser.wait_for("form.picture-filters button[type=submit]").await).await;
    browser.wait_for("p.as-of time").await;
    assert!(browser.query_has("as_of", &day.to_string()).await, "the day is in the URL");
    let shown = browser
        .evaluate("return [...document.querySelectorAll('.trends time')].map(t => t.getAttribute('datetime'))")
        .await;
    let shown: Vec<String> = serde_json::from_value(shown).expect("dates");
    assert!(!shown.is_empty(), "earlier campaigns are shown");
    assert!(!shown.contains(&latest), "the campaign that closed after the day is not");
    browser.assert_accessible("situational picture as of a day").await;
    browser.screenshots("picture-as-of").await;

    browser.wait_for("nav a[href='/experiments']").await.click().await.expect("the experiments are opened");
    browser.wait_for(".experiment-list table").await;
    browser.assert_accessible("experiments").await;
    browser.screenshots("picture-experiments").await;

    browser.click_to_next_page(browser.wait_for(".experiment-list tbody th a").await).await;
    browser.wait_for("main h1").await;
    assert!(browser.path().await.starts_with("/experiments/"), "the experiment's page opens");
    browser.wait_for("svg.measurement-chart").await;
    browser.assert_accessible("experiment").await;
    browser.screenshots("picture-experiment").await;
    browser.client.close().await.expect("the session ends");
}

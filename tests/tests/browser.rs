//! The web UI in a real browser: headless Debian Chromium driven through chromedriver
//! (WebDriver, with fantoccini), against the real server on the demo data.
//!
//! Each test starts its own chromedriver on a free port with a fresh profile. Every page a
//! journey reaches is scanned with axe-core (injected from `target/npm`); a serious or critical
//! violation fails the test. Screenshots go to `target/screenshots/` at 1280x800 and 390x844.
//!
//! Needs `chromium`, `chromium-driver` (apt) and `npm install --prefix target/npm axe-core@4`;
//! without them the tests fail saying so, unless `KIRJURI_SKIP_BROWSER=1`, when they are skipped.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use kirjuri::auth::Role;
use kirjuri_tests::{TestApp, spawn_app_with_demo};

/// A Finnish word of the demo's documents (it inflects: `käyttöönotto`, `käyttöönottoa`, …).
const FINNISH_WORD: &str = "käyttöönotto";
/// How long a page may take to show what a step waits for.
const PAGE_WAIT: Duration = Duration::from_secs(15);
const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';

/// The `target` directory these tests were built into (`target/debug/deps/<test>` → `target`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).map(Path::to_path_buf).expect("the binary lies under target/<profile>/deps")
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |name| dir.join(name))).find(|p| p.is_file())
}

/// A chromedriver of our own and a WebDriver session in headless Chromium.
struct Browser {
    client: Client,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
    axe: String,
    screenshots: PathBuf,
}

/// The browser, or `None` when `KIRJURI_SKIP_BROWSER=1`; panics naming what to install otherwise.
async fn browser() -> Option<Browser> {
    if std::env::var("KIRJURI_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("skipped: KIRJURI_SKIP_BROWSER=1 (the browser tests need chromium, chromium-driver and axe-core)");
        return None;
    }
    let chromium = find_program(&["chromium", "chromium-browser"])
        .expect("the browser tests need Chromium: apt-get install chromium chromium-driver (or set KIRJURI_SKIP_BROWSER=1 to skip them)");
    let chromedriver = find_program(&["chromedriver"])
        .expect("the browser tests need ChromeDriver: apt-get install chromium-driver (or set KIRJURI_SKIP_BROWSER=1 to skip them)");
    let axe_path = target_dir().join("npm/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|_| {
        panic!(
            "the browser tests need axe-core at {}: npm install --prefix {} axe-core@4 (or set KIRJURI_SKIP_BROWSER=1)",
            axe_path.display(),
            target_dir().join("npm").display()
        )
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let driver = tokio::process::Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(started.elapsed() < PAGE_WAIT, "chromedriver did not listen on port {port}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let profile = tempfile::tempdir().expect("a fresh Chromium profile directory");
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800", "--lang=fi",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            // A Finnish reader: pages come in Finnish until English is chosen.
            "prefs": { "intl.accept_languages": "fi-FI,fi" },
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("an object literal") };
    // chromedriver speaks plain HTTP on localhost: no TLS (and no TLS crypto provider) needed.
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session starts");
    let screenshots = target_dir().join("screenshots");
    std::fs::create_dir_all(&screenshots).expect("target/screenshots is made");
    Some(Browser { client, _driver: driver, _profile: profile, axe, screenshots })
}

impl Browser {
    async fn goto(&self, app: &TestApp, path: &str) {
        self.client.goto(&app.url(path)).await.expect("the page loads");
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Whether the current URL's query has `name=value` (decoded).
    async fn query_has(&self, name: &str, value: &str) -> bool {
        let url = self.client.current_url().await.expect("the current URL");
        url.query_pairs().any(|(key, found)| key == name && found == value)
    }

    /// Waits until `css` matches, then returns the first match.
    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            assert!(started.elapsed() < PAGE_WAIT, "nothing matches `{css}` on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn press(&self, key: char) {
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await.expect("the key is pressed");
    }

    async fn type_text(&self, text: &str) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for character in text.chars() {
            actions = actions.then(KeyAction::Down { value: character }).then(KeyAction::Up { value: character });
        }
        self.client.perform_actions(actions).await.expect("the text is typed");
    }

    async fn evaluate(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("the script runs")
    }

    /// Runs axe-core on the page; fails on any serious or critical violation.
    async fn assert_accessible(&self, page: &str) {
        self.client.execute(&self.axe, vec![]).await.expect("axe-core is injected");
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        let violations: Vec<String> = serde_json::from_value(violations).expect("a list of violations");
        assert!(violations.is_empty(), "{page}: accessibility violations:\n{}", violations.join("\n"));
    }

    /// Saves `<name>-1280x800.png` and `<name>-390x844.png`.
    async fn screenshots(&self, name: &str) {
        for (width, height) in [(1280, 800), (390, 844)] {
            self.client.set_window_size(width, height).await.expect("the window is resized");
            let png = self.client.screenshot().await.expect("a screenshot");
            std::fs::write(self.screenshots.join(format!("{name}-{width}x{height}.png")), png)
                .expect("the screenshot is saved");
            if width == 390 {
                let overflow = self.evaluate("return document.documentElement.scrollWidth > window.innerWidth").await;
                assert_eq!(overflow, serde_json::json!(false), "{name} scrolls sideways at {width} px");
            }
        }
        self.client.set_window_size(1280, 800).await.expect("the window is resized back");
    }

    async fn sign_in(&self, app: &TestApp, token: &str) {
        self.goto(app, "/search").await;
        self.wait_for("#token").await.send_keys(token).await.expect("the token is typed");
        self.client.find(Locator::Css("form.sign-in button")).await.expect("a button").click().await.expect("clicked");
        self.wait_for("#q").await;
        assert!(self.path().await.starts_with("/search"), "signing in comes back to the search");
    }

    async fn summary(&self) -> String {
        self.wait_for(".summary").await.text().await.expect("the summary's text")
    }
}

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

    browser.wait_for("aside.facets a[href*='kind=lesson']").await.click().await.expect("the lesson facet is followed");
    browser.wait_for(".result h3 a").await;
    let lessons = browser.path().await;
    assert!(
        lessons.contains("kind=lesson") && !lessons.contains("offset="),
        "a new filter starts at page one: {lessons}"
    );
    browser.wait_for(".result h3 a").await.click().await.expect("a lesson is opened");
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

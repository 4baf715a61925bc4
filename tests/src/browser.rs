//! A real browser for the web UI's tests: headless Debian Chromium driven through a
//! chromedriver of the test's own (WebDriver, with fantoccini), with axe-core injected for
//! accessibility scans and screenshots saved under `target/screenshots/`.
//!
//! Needs `chromium`, `chromium-driver` (apt) and `npm install --prefix target/npm axe-core@4`;
//! without them [`browser`] fails saying so, unless `KIRJURI_SKIP_BROWSER=1`, when it returns
//! `None` and the test says "skipped".
#![allow(clippy::missing_panics_doc, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};

use crate::TestApp;

/// How long a page may take to show what a step waits for.
pub const PAGE_WAIT: Duration = Duration::from_secs(15);
/// The Tab key.
pub const TAB: char = '\u{E004}';
/// The Enter key.
pub const ENTER: char = '\u{E007}';

/// The `target` directory these tests were built into (`target/debug/deps/<test>` → `target`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).map(Path::to_path_buf).expect("the binary lies under target/<profile>/deps")
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |name| dir.join(name))).find(|p| p.is_file())
}

/// A chromedriver of our own and a WebDriver session in headless Chromium.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
    axe: String,
    screenshots: PathBuf,
}

/// The browser, or `None` when `KIRJURI_SKIP_BROWSER=1`; panics naming what to install otherwise.
pub async fn browser() -> Option<Browser> {
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
    /// Opens `path` of the app.
    pub async fn goto(&self, app: &TestApp, path: &str) {
        self.client.goto(&app.url(path)).await.expect("the page loads");
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Whether the current URL's query has `name=value` (decoded).
    pub async fn query_has(&self, name: &str, value: &str) -> bool {
        let url = self.client.current_url().await.expect("the current URL");
        url.query_pairs().any(|(key, found)| key == name && found == value)
    }

    /// Clicks `element` (a link or a submit button) and waits until the next page has loaded:
    /// the old page is marked first, so an element both pages have cannot be mistaken for the
    /// new page's.
    pub async fn click_to_next_page(&self, element: fantoccini::elements::Element) {
        self.evaluate("window.kirjuriOldPage = true; return null").await;
        element.click().await.expect("the element is clicked");
        let started = Instant::now();
        loop {
            let loaded =
                self.evaluate("return window.kirjuriOldPage === undefined && document.readyState === 'complete'").await;
            if loaded == serde_json::json!(true) {
                return;
            }
            assert!(started.elapsed() < PAGE_WAIT, "no new page after the click on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the current URL's query has `name=value` (a form sent by a click navigates a
    /// moment later: checking at once may still see the previous page).
    pub async fn wait_for_query(&self, name: &str, value: &str) {
        let started = Instant::now();
        while !self.query_has(name, value).await {
            assert!(started.elapsed() < PAGE_WAIT, "the URL never had {name}={value}: {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `css` matches, then returns the first match.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            assert!(started.elapsed() < PAGE_WAIT, "nothing matches `{css}` on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Presses and releases one key.
    pub async fn press(&self, key: char) {
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await.expect("the key is pressed");
    }

    /// Types `text` key by key.
    pub async fn type_text(&self, text: &str) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for character in text.chars() {
            actions = actions.then(KeyAction::Down { value: character }).then(KeyAction::Up { value: character });
        }
        self.client.perform_actions(actions).await.expect("the text is typed");
    }

    /// Runs a script in the page and returns its value.
    pub async fn evaluate(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("the script runs")
    }

    /// Runs axe-core on the page; fails on any serious or critical violation.
    pub async fn assert_accessible(&self, page: &str) {
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
    pub async fn screenshots(&self, name: &str) {
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

    /// Signs in with a token on the sign-in page and waits for the search page.
    pub async fn sign_in(&self, app: &TestApp, token: &str) {
        self.goto(app, "/search").await;
        self.wait_for("#token").await.send_keys(token).await.expect("the token is typed");
        self.client.find(Locator::Css("form.sign-in button")).await.expect("a button").click().await.expect("clicked");
        self.wait_for("#q").await;
        assert!(self.path().await.starts_with("/search"), "signing in comes back to the search");
    }

    /// The search page's result summary.
    pub async fn summary(&self) -> String {
        self.wait_for(".summary").await.text().await.expect("the summary's text")
    }
}

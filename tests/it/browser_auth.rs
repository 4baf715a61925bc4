//! Signing in with a password on the sign-in page in a real browser (headless Chromium, see
//! `browser.rs`): the page as it first appears and as it looks after a refused password are
//! scanned with axe-core and photographed at both widths; the right password reaches the search.

use std::collections::BTreeSet;

use fantoccini::Locator;
use kirjuri::auth::Role;
use kirjuri::auth::users::{self, NewUser, Password};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::browser::browser;
use kirjuri_tests::spawn_app;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn a_person_signs_in_with_a_password_after_one_refusal() {
    let Some(browser) = browser().await else { return };
    let app = spawn_app().await;
    let new = NewUser {
        username: "anna.virtanen".to_owned(),
        password: Password::parse(PASSWORD.to_owned()).expect("a valid password"),
        tenant: MunicipalityId::random(),
        roles: BTreeSet::from([Role::Staff]),
        person: None,
        display_name: Some("Anna Virtanen".to_owned()),
    };
    users::create(&*app.store, new, chrono::Utc::now(), "test").await.expect("the user is created");

    browser.goto(&app, "/search").await;
    assert!(browser.path().await.starts_with("/sign-in?next="), "an unauthenticated page sends to sign-in");
    browser.wait_for("#username").await;
    let focused_first = browser.evaluate("return document.querySelector('form input:not([type=hidden])').id").await;
    assert_eq!(focused_first, "username", "the first field of the page is the username");
    browser.assert_accessible("sign-in with a password").await;
    browser.screenshots("sign-in-password").await;

    browser.wait_for("#username").await.send_keys("anna.virtanen").await.expect("the username is typed");
    browser.wait_for("#password").await.send_keys("not the password at all").await.expect("typed");
    let submit = browser.client.find(Locator::Css("form.sign-in-password button")).await.expect("a button");
    submit.click().await.expect("clicked");
    browser.wait_for("#password-error").await;
    let kept = browser.evaluate("return document.getElementById('username').value").await;
    assert_eq!(kept, "anna.virtanen", "the refused form keeps the username");
    browser.assert_accessible("a refused password").await;
    browser.screenshots("sign-in-refused").await;

    browser.wait_for("#password").await.send_keys(PASSWORD).await.expect("the password is typed");
    let submit = browser.client.find(Locator::Css("form.sign-in-password button")).await.expect("a button");
    submit.click().await.expect("clicked");
    browser.wait_for("#q").await;
    assert!(browser.path().await.starts_with("/search"), "signing in comes back to the search");
    let header = browser.wait_for(".site-header").await.text().await.expect("the header's text");
    assert!(header.contains("Anna Virtanen"), "{header}");
}

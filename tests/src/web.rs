//! Helpers for the web pages' tests over plain HTTP: signing in through the form, cookies,
//! a form's CSRF token, and fetching a page with a session.
#![allow(clippy::missing_panics_doc, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::TestApp;

/// The `name=value; …` of the `Set-Cookie` header of `response` that sets `name`.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The `name=value` part of a `Set-Cookie` value.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// The value of the first hidden `csrf` field of an HTML page.
pub fn csrf_field(html: &str) -> String {
    let after = html.split("name=\"csrf\" value=\"").nth(1).expect("the page has a csrf field");
    after.split('"').next().unwrap_or_default().to_owned()
}

/// Signs in through the form with `token`; returns the session cookie (`name=value`).
pub async fn sign_in(app: &TestApp, token: &str) -> String {
    let form = app.client.get(app.url("/sign-in?next=%2Fsearch")).send().await.expect("the form loads");
    let nonce = cookie_pair(&set_cookie(&form, "kirjuri_sign_in").expect("a sign-in nonce cookie"));
    let csrf = csrf_field(&form.text().await.expect("a body"));
    let response = app
        .client
        .post(app.url("/sign-in"))
        .header("cookie", nonce)
        .form(&[("csrf", csrf.as_str()), ("next", "/search"), ("token", token)])
        .send()
        .await
        .expect("the sign-in is sent");
    assert_eq!(response.status(), 303, "signing in redirects");
    assert_eq!(response.headers()["location"], "/search");
    let session = set_cookie(&response, "kirjuri_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    assert!(!session.contains("Secure"), "not Secure over plain http: {session}");
    cookie_pair(&session)
}

/// `GET path` with the session `cookie` (no redirects followed).
pub async fn page(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("cookie", cookie).send().await.expect("the page request is sent")
}

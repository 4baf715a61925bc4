//! Signing in to the web UI over plain HTTP: with a password (and being refused alike for a
//! wrong password, an unknown user and a disabled account), the attempt limit, a disabled user
//! or a new password ending the session, a session outliving a restart of the server (the
//! session key is an event), the OIDC authorization code flow with PKCE against the fake
//! identity provider, and CSRF on both forms. (Token sign-in is in `web.rs`.)

use std::collections::BTreeSet;

use kirjuri::auth::Role;
use kirjuri::auth::users::{self, NewUser, Password};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::ReadStreamOptions;
use kirjuri_tests::oidc::FakeIdentityProvider;
use kirjuri_tests::web::{cookie_pair, csrf_field, page, set_cookie, sign_in};
use kirjuri_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";
/// The Finnish message for any refused username and password.
const REFUSED_FI: &str = "Käyttäjätunnus tai salasana on väärä, tai tunnus ei ole käytössä.";

/// Makes the account `username` with [`PASSWORD`] in `tenant`, as `kirjuri user create` would.
async fn create_user(app: &TestApp, username: &str, tenant: MunicipalityId, roles: &[Role]) -> uuid::Uuid {
    let new = NewUser {
        username: username.to_owned(),
        password: Password::parse(PASSWORD.to_owned()).expect("a valid password"),
        tenant,
        roles: roles.iter().copied().collect::<BTreeSet<_>>(),
        person: None,
        display_name: Some(format!("Demo {username}")),
    };
    users::create(&*app.store, new, chrono::Utc::now(), "test").await.expect("the user is created").id
}

/// The sign-in form: its nonce cookie (`name=value`) and CSRF token.
async fn sign_in_form(app: &TestApp) -> (String, String) {
    let form = app.get("/sign-in?next=%2Fsearch").await;
    assert_eq!(form.status(), 200);
    let nonce = cookie_pair(&set_cookie(&form, "kirjuri_sign_in").expect("a sign-in nonce cookie"));
    let csrf = csrf_field(&form.text().await.expect("a body"));
    (nonce, csrf)
}

async fn post_password(app: &TestApp, form: &(String, String), username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/sign-in/password"))
        .header("cookie", &form.0)
        .form(&[("csrf", form.1.as_str()), ("next", "/search"), ("username", username), ("password", password)])
        .send()
        .await
        .expect("the sign-in is sent")
}

/// Signs in with a password through the form; returns the session cookie (`name=value`).
async fn sign_in_with_password(app: &TestApp, username: &str, password: &str) -> String {
    let form = sign_in_form(app).await;
    let response = post_password(app, &form, username, password).await;
    assert_eq!(response.status(), 303, "signing in redirects");
    assert_eq!(response.headers()["location"], "/search");
    let session = set_cookie(&response, "kirjuri_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    cookie_pair(&session)
}

/// Polls `path` with `cookie` until it answers `status` (the directories follow the store
/// within their bound); fails after 2 s.
async fn answers_within_bound(app: &TestApp, cookie: &str, path: &str, status: u16) {
    let started = std::time::Instant::now();
    loop {
        let answered = page(app, cookie, path).await.status();
        if answered == status {
            return;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{path} still answers {answered}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_password_signs_in_and_a_wrong_one_an_unknown_user_and_a_disabled_account_are_refused_alike() {
    let app = spawn_app().await;
    let tenant = MunicipalityId::random();
    create_user(&app, "anna.virtanen", tenant, &[Role::Staff]).await;
    create_user(&app, "old.account", tenant, &[Role::Staff]).await;
    users::disable(&*app.store, "old.account", chrono::Utc::now(), "test").await.expect("disabled");

    let sign_in_page = app.get("/sign-in").await.text().await.expect("a body");
    let password_form = sign_in_page.find("action=\"/sign-in/password\"").expect("a password form");
    let token_form = sign_in_page.find("action=\"/sign-in\"").expect("a token form");
    assert!(password_form < token_form, "the password form comes first");
    assert!(!sign_in_page.contains("/sign-in/oidc"), "no OIDC sign-in when it is not configured");
    assert_eq!(app.get("/sign-in/oidc").await.status(), 404);

    let mut refusals = Vec::new();
    for (username, password) in
        [("anna.virtanen", "wrong horse battery staple"), ("nobody.here", PASSWORD), ("old.account", PASSWORD)]
    {
        let form = sign_in_form(&app).await;
        let response = post_password(&app, &form, username, password).await;
        assert_eq!(response.status(), 401, "{username}");
        assert!(set_cookie(&response, "kirjuri_session").is_none(), "no session for {username}");
        let html = response.text().await.expect("a body");
        assert!(html.contains(REFUSED_FI), "{username}: {html}");
        assert!(html.contains(&format!("value=\"{username}\"")), "the refused form keeps the username");
        assert!(!html.contains(password), "the password is never sent back");
        refusals.push(html.replace(username, "USER").replace(&csrf_field(&html), "CSRF"));
    }
    assert_eq!(refusals[0], refusals[1], "a wrong password and an unknown user look the same");
    assert_eq!(refusals[0], refusals[2], "and so does a disabled account");

    let cookie = sign_in_with_password(&app, "Anna.Virtanen", PASSWORD).await;
    let search = page(&app, &cookie, "/search").await;
    assert_eq!(search.status(), 200);
    let html = search.text().await.expect("a body");
    assert!(html.contains("Demo anna.virtanen"), "the page names who is signed in");
}

#[tokio::test]
async fn after_ten_failures_a_username_is_refused_unchecked_for_a_while() {
    let app = spawn_app().await;
    create_user(&app, "anna", MunicipalityId::random(), &[Role::Staff]).await;
    let form = sign_in_form(&app).await;
    for attempt in 0..10 {
        let response = post_password(&app, &form, "anna", "wrong horse battery staple").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let limited = post_password(&app, &form, "anna", PASSWORD).await;
    assert_eq!(limited.status(), 429, "even the right password waits once the limit is reached");
    let retry_after: u64 =
        limited.headers()["retry-after"].to_str().expect("text").parse().expect("Retry-After in seconds");
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    assert!(set_cookie(&limited, "kirjuri_session").is_none());
}

#[tokio::test]
async fn disabling_a_user_or_changing_the_password_ends_the_session() {
    let app = spawn_app().await;
    let tenant = MunicipalityId::random();
    create_user(&app, "anna", tenant, &[Role::Staff]).await;
    create_user(&app, "bertta", tenant, &[Role::Staff]).await;
    let anna = sign_in_with_password(&app, "anna", PASSWORD).await;
    let bertta = sign_in_with_password(&app, "bertta", PASSWORD).await;
    assert_eq!(page(&app, &anna, "/search").await.status(), 200);
    assert_eq!(page(&app, &bertta, "/search").await.status(), 200);

    users::disable(&*app.store, "anna", chrono::Utc::now(), "test").await.expect("disabled");
    answers_within_bound(&app, &anna, "/search", 303).await;
    assert_eq!(page(&app, &bertta, "/search").await.status(), 200, "another user's session stands");

    let new_password = Password::parse("staple battery horse correct".to_owned()).expect("valid");
    users::set_password(&*app.store, "bertta", new_password, chrono::Utc::now(), "test").await.expect("changed");
    answers_within_bound(&app, &bertta, "/search", 303).await;
    let again = sign_in_with_password(&app, "bertta", "staple battery horse correct").await;
    assert_eq!(page(&app, &again, "/search").await.status(), 200, "the new password signs in again");
}

/// How many events the old session key stream holds (the key was an event before it moved out).
async fn key_events(app: &TestApp) -> usize {
    let stream = kirjuri_events::StreamName::parse(KEY_STREAM).expect("a stream name");
    app.store.read_stream(&stream, ReadStreamOptions::forward(10)).await.expect("the store reads").len()
}

/// The stream that held the web session key before it moved out of the store.
const KEY_STREAM: &str = "serverkey-6b69726a-7572-692d-7765-627365737331";

#[tokio::test]
async fn a_session_outlives_a_restart_and_its_key_is_kept_outside_the_store() {
    let data_dir = tempfile::tempdir().expect("a data directory");
    let on_shared_dir = |settings: &mut kirjuri::Settings| settings.data_dir = data_dir.path().to_path_buf();
    let first = spawn_app_with(on_shared_dir).await;
    let tenant = MunicipalityId::random();
    let (_, token) = first.create_api_token(tenant, &[Role::Staff, Role::Auditor], None);
    let cookie = sign_in(&first, &token).await;
    assert_eq!(page(&first, &cookie, "/search").await.status(), 200);
    assert_eq!(key_events(&first).await, 0, "the key is not an event: a copy of the store forges nothing");
    let key_file = data_dir.path().join("keys/session.key");
    assert_eq!(std::fs::read(&key_file).expect("the key file").len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the service's user only");
    }
    first.stop().await.expect("the first server stops cleanly");

    let second = spawn_app_with(on_shared_dir).await;
    assert_eq!(page(&second, &cookie, "/search").await.status(), 200, "the restarted server accepts the session");

    // Another instance with another key file does not accept it; one naming the same file does.
    let elsewhere = tempfile::tempdir().expect("a data directory");
    let other = spawn_app_with(|s| s.data_dir = elsewhere.path().to_path_buf()).await;
    assert_ne!(page(&other, &cookie, "/search").await.status(), 200, "another key opens nothing");
    let shared = tempfile::tempdir().expect("a data directory");
    let sharing = spawn_app_with(|s| {
        s.data_dir = shared.path().to_path_buf();
        s.session_key_file = Some(key_file.clone());
    })
    .await;
    let (_, sharing_token) = sharing.create_api_token(tenant, &[Role::Staff], None);
    let cookie = sign_in(&sharing, &sharing_token).await;
    assert_eq!(page(&sharing, &cookie, "/search").await.status(), 200);

    second.wait_for_projections().await;
    let timeline = second.get_as(&token, "/api/v1/timeline?limit=100").await;
    assert_eq!(timeline.status(), 200);
    let body = timeline.text().await.expect("a body");
    assert!(!body.contains("SessionKeyCreated") && !body.contains("serverkey"), "{body}");
}

#[tokio::test]
async fn both_sign_in_forms_refuse_a_missing_or_foreign_csrf_token() {
    let app = spawn_app().await;
    let tenant = MunicipalityId::random();
    create_user(&app, "anna", tenant, &[Role::Staff]).await;
    let (_, token) = app.create_api_token(tenant, &[Role::Staff], None);
    let (nonce, _) = sign_in_form(&app).await;
    let (_, foreign_csrf) = sign_in_form(&app).await;
    for csrf in ["", foreign_csrf.as_str()] {
        let password = post_password(&app, &(nonce.clone(), csrf.to_owned()), "anna", PASSWORD).await;
        assert_eq!(password.status(), 403, "password form with csrf {csrf:?}");
        assert!(set_cookie(&password, "kirjuri_session").is_none());
        assert!(password.text().await.expect("a body").contains("value=\"anna\""), "the username is kept");
        let token_form = app
            .client
            .post(app.url("/sign-in"))
            .header("cookie", &nonce)
            .form(&[("csrf", csrf), ("next", "/search"), ("token", token.as_str())])
            .send()
            .await
            .expect("sent");
        assert_eq!(token_form.status(), 403, "token form with csrf {csrf:?}");
        assert!(set_cookie(&token_form, "kirjuri_session").is_none());
    }
}

/// The client id the tests register at the fake issuer.
const CLIENT_ID: &str = "kirjuri-web";
/// Where the issuer sends the browser back (the test follows it itself, to the real port).
const REDIRECT_URI: &str = "http://127.0.0.1:9/sign-in/oidc/callback";

async fn spawn_app_with_oidc(idp: &FakeIdentityProvider, tid: uuid::Uuid, municipality: MunicipalityId) -> TestApp {
    let issuer = idp.issuer.clone();
    let jwks_url = idp.jwks_url().to_owned();
    spawn_app_with(move |settings| {
        settings.oidc_issuer = Some(issuer);
        settings.oidc_audience = Some("api://kirjuri".to_owned());
        settings.oidc_jwks_url = Some(jwks_url);
        settings.oidc_tenants.insert(tid, municipality);
        settings.oidc_client_id = Some(CLIENT_ID.to_owned());
        settings.oidc_redirect_uri = Some(REDIRECT_URI.to_owned());
    })
    .await
}

/// Starts the OIDC sign-in, signs in at the fake issuer and returns the callback's path and query
/// with the flow cookie (`name=value`).
async fn through_the_issuer(app: &TestApp) -> (String, String) {
    let start = app.get("/sign-in/oidc?next=%2Fsearch%3Fq%3Dkotihoito").await;
    assert_eq!(start.status(), 303);
    let flow = cookie_pair(&set_cookie(&start, "kirjuri_oidc").expect("a flow cookie"));
    let authorize = reqwest::Url::parse(start.headers()["location"].to_str().expect("text")).expect("a URL");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["redirect_uri"], REDIRECT_URI);
    assert_eq!(query["code_challenge"].len(), 43, "base64url of a SHA-256");
    assert!(!flow.contains(&query["code_challenge"]), "the verifier, not the challenge, is kept");
    let back = app.client.get(authorize).send().await.expect("the issuer answers");
    assert_eq!(back.status(), 302, "the fake issuer signs in at once");
    let callback = reqwest::Url::parse(back.headers()["location"].to_str().expect("text")).expect("a URL");
    assert_eq!(callback.path(), "/sign-in/oidc/callback");
    (format!("{}?{}", callback.path(), callback.query().unwrap_or_default()), flow)
}

#[tokio::test]
async fn oidc_sign_in_with_pkce_round_trips_to_a_session_and_refuses_a_forged_state() {
    let idp = FakeIdentityProvider::start().await;
    let tid = uuid::Uuid::parse_str("9188040d-6c67-4c5b-b112-36a304b66dad").expect("uuid");
    let municipality = MunicipalityId::random();
    let app = spawn_app_with_oidc(&idp, tid, municipality).await;
    idp.sign_in_as(
        json!({"sub": "aino-sub", "oid": "aino-oid", "tid": tid, "roles": ["staff"], "name": "Aino Ahonen"}),
    );

    let sign_in_page = app.get("/sign-in").await.text().await.expect("a body");
    assert!(sign_in_page.contains("href=\"/sign-in/oidc?next=%2Fsearch\""), "the OIDC button is offered");

    let (callback, flow) = through_the_issuer(&app).await;
    let forged = callback.replace("state=", "state=x");
    let refused = page(&app, &flow, &forged).await;
    assert_eq!(refused.status(), 400, "a state that is not the flow's");
    assert!(set_cookie(&refused, "kirjuri_session").is_none());
    assert_eq!(idp.token_exchanges(), 0, "no code is exchanged for a forged state");
    let no_cookie = app.get(&callback).await;
    assert_eq!(no_cookie.status(), 400, "a callback this browser did not start");

    let signed_in = page(&app, &flow, &callback).await;
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/search?q=kotihoito", "back where the person started");
    assert_eq!(idp.token_exchanges(), 1);
    let session = set_cookie(&signed_in, "kirjuri_session").expect("a session cookie");
    let max_age: i64 = session
        .split("Max-Age=")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|n| n.parse().ok())
        .expect("a Max-Age");
    assert!(max_age <= 3600, "the session ends with the ID token: {max_age}");
    let cookie = cookie_pair(&session);
    let search = page(&app, &cookie, "/search").await;
    assert_eq!(search.status(), 200);
    assert!(search.text().await.expect("a body").contains("Aino Ahonen"));

    let replayed = page(&app, &flow, &callback).await;
    assert_ne!(replayed.status(), 303, "a code is good for one exchange");
}

#[tokio::test]
async fn an_oidc_identity_without_a_role_is_refused_a_session() {
    let idp = FakeIdentityProvider::start().await;
    let tid = uuid::Uuid::parse_str("9188040d-6c67-4c5b-b112-36a304b66dad").expect("uuid");
    let app = spawn_app_with_oidc(&idp, tid, MunicipalityId::random()).await;
    idp.sign_in_as(json!({"sub": "outsider", "tid": tid, "roles": ["reader"]}));
    let (callback, flow) = through_the_issuer(&app).await;
    let refused = page(&app, &flow, &callback).await;
    assert_eq!(refused.status(), 403);
    assert!(set_cookie(&refused, "kirjuri_session").is_none());
    assert!(refused.text().await.expect("a body").contains("ei ole oikeutta kirjuriin"));
}

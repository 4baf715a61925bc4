//! The web pages over plain HTTP: sign-in and its session cookie, CSRF, revocation ending a
//! session, the language switch, bad input as a page naming the parameter, tenant isolation.
//! (The journey in a real browser is in `browser.rs`.)

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::web::{cookie_pair, csrf_field, page, set_cookie, sign_in};
use kirjuri_tests::{spawn_app, spawn_app_with_demo};

#[tokio::test]
async fn a_page_without_a_session_redirects_to_sign_in_and_comes_back() {
    let app = spawn_app().await;
    let response = app.get("/search?q=kotihoito").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/sign-in?next=%2Fsearch%3Fq%3Dkotihoito");
    let forged = page(&app, "kirjuri_session=v1.00000000000000000000000000000000.9999999999.00", "/search").await;
    assert_eq!(forged.status(), 303, "a cookie whose MAC does not hold is no session");
}

#[tokio::test]
async fn a_token_signs_in_and_its_revocation_ends_the_session() {
    let app = spawn_app().await;
    let tenant = MunicipalityId::random();
    let (token_id, token) = app.create_api_token(tenant, &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    let search = page(&app, &cookie, "/search?q=kotihoito").await;
    assert_eq!(search.status(), 200);
    assert_eq!(search.headers()["cache-control"], "no-store");
    let html = search.text().await.expect("a body");
    assert!(html.contains("<html lang=\"fi\">"), "Finnish by default");
    assert!(html.contains("value=\"kotihoito\""), "the query is kept in the box");
    app.revoke_api_token(&token_id.to_string());
    // The directory follows the store: a revocation takes effect within its bound (1 s).
    let started = std::time::Instant::now();
    loop {
        let status = page(&app, &cookie, "/search").await.status();
        if status == 303 {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "the session still answers {status}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_wrong_token_or_a_missing_csrf_token_does_not_sign_in() {
    let app = spawn_app().await;
    let form = app.client.get(app.url("/sign-in")).send().await.expect("the form loads");
    let nonce = cookie_pair(&set_cookie(&form, "kirjuri_sign_in").expect("a nonce cookie"));
    let csrf = csrf_field(&form.text().await.expect("a body"));
    let wrong = app
        .client
        .post(app.url("/sign-in"))
        .header("cookie", &nonce)
        .form(&[("csrf", csrf.as_str()), ("token", "kirjuri_not_a_token")])
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 401);
    assert!(set_cookie(&wrong, "kirjuri_session").is_none());
    assert!(wrong.text().await.expect("a body").contains("role=\"alert\""), "the refusal is shown by the field");
    let (_, token) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    let without_csrf = app
        .client
        .post(app.url("/sign-in"))
        .header("cookie", &nonce)
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(without_csrf.status(), 403);
    assert!(set_cookie(&without_csrf, "kirjuri_session").is_none());
}

#[tokio::test]
async fn signing_out_needs_the_sessions_csrf_token_and_ends_the_session_in_the_browser() {
    let app = spawn_app().await;
    let (_, token) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    let html = page(&app, &cookie, "/search").await.text().await.expect("a body");
    let csrf = csrf_field(&html);
    let forged = app
        .client
        .post(app.url("/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf", "0".repeat(64))])
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.expect("a body").contains("csrf"), "the page names the check that failed");
    let out = app
        .client
        .post(app.url("/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(out.status(), 303);
    assert!(set_cookie(&out, "kirjuri_session").is_some_and(|c| c.contains("Max-Age=0")));
}

#[tokio::test]
async fn the_language_follows_accept_language_and_then_the_remembered_choice() {
    let app = spawn_app().await;
    let (_, token) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    let english = app
        .client
        .get(app.url("/search"))
        .header("cookie", &cookie)
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("sent");
    assert!(english.text().await.expect("a body").contains("<html lang=\"en\">"));
    let switch = app.get("/language/fi?back=%2Fsearch%3Fq%3Dx").await;
    assert_eq!(switch.status(), 303);
    assert_eq!(switch.headers()["location"], "/search?q=x");
    let lang = cookie_pair(&set_cookie(&switch, "kirjuri_lang").expect("a language cookie"));
    let finnish = app
        .client
        .get(app.url("/search"))
        .header("cookie", format!("{cookie}; {lang}"))
        .header("accept-language", "en")
        .send()
        .await
        .expect("sent");
    assert!(finnish.text().await.expect("a body").contains("<html lang=\"fi\">"), "the cookie wins");
    let elsewhere = app.get("/language/en?back=https%3A%2F%2Fevil.example%2F").await;
    assert_eq!(elsewhere.headers()["location"], "/search", "never back to another site");
    assert_eq!(app.get("/language/sv").await.status(), 404);
}

#[tokio::test]
async fn bad_search_parameters_are_a_page_naming_the_parameter_and_the_rule() {
    let app = spawn_app().await;
    let (_, token) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    for (query, named) in [("offset=-1", "offset"), ("kind=memo", "kind"), ("municipality=x", "municipality")] {
        let response = page(&app, &cookie, &format!("/search?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let html = response.text().await.expect("a body");
        assert!(html.contains(&format!("<p lang=\"en\">{named}")), "{query}: {html}");
    }
    let lesson = page(&app, &cookie, "/lessons/not-an-id").await;
    assert_eq!(lesson.status(), 400);
    assert!(lesson.text().await.expect("a body").contains("lesson: `not-an-id` is not an id"));
}

#[tokio::test]
async fn search_and_lessons_stay_within_the_readers_municipality() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);
    let cookie = sign_in(&app, &staff).await;
    let html = page(&app, &cookie, "/search?kind=lesson").await.text().await.expect("a body");
    let lesson_path = html
        .split("href=\"/lessons/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("/lessons/{id}"))
        .expect("Kuopio's search lists a lesson");
    let own = page(&app, &cookie, &lesson_path).await;
    assert_eq!(own.status(), 200);
    assert!(own.text().await.expect("a body").contains("<h1"));
    let (_, outsider) = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None);
    let other = sign_in(&app, &outsider).await;
    assert_eq!(page(&app, &other, &lesson_path).await.status(), 404, "another municipality's lesson is not found");
    let empty = page(&app, &other, "/search?kind=lesson").await.text().await.expect("a body");
    assert!(!empty.contains("href=\"/lessons/"), "another municipality's search finds none of Kuopio's lessons");
}

#[tokio::test]
async fn the_stylesheet_is_served_from_the_binary_with_a_long_cache() {
    let app = spawn_app().await;
    let html = app.get("/sign-in").await.text().await.expect("a body");
    let href = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page links its stylesheet")
        .to_owned();
    let css = app.get(&href).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.headers()["cache-control"].to_str().unwrap_or_default().contains("immutable"));
    assert!(css.text().await.expect("a body").contains(":focus-visible"));
    assert_eq!(app.get("/static/style.000000000000.css").await.status(), 404);
}

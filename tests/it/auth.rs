//! `GET /api/v1/me` with local API tokens, as a client sees it: the principal for a working
//! token, a 401 problem with a `WWW-Authenticate: Bearer` challenge for everything else.

use chrono::{TimeDelta, Utc};
use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::{TestApp, spawn_app};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use uuid::Uuid;

const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x0193_a0b4_7c1e_7000_8000_0000_0000_0297));

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
}

/// Asserts a 401 problem with a Bearer challenge and returns its detail.
async fn unauthorized_detail(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&response, CONTENT_TYPE), "application/problem+json");
    let challenge = header(&response, WWW_AUTHENTICATE);
    assert!(challenge.starts_with("Bearer realm=\"kirjuri\""), "WWW-Authenticate: {challenge:?}");
    let problem: Value = response.json().await.expect("a problem body");
    assert_eq!(problem["status"], 401);
    assert_eq!(problem["title"], "Unauthorized");
    problem["detail"].as_str().expect("a detail").to_owned()
}

async fn app_with_token(roles: &[Role]) -> (TestApp, Uuid, String) {
    let app = spawn_app().await;
    let (id, token) = app.create_api_token(KUOPIO, roles, Some(Utc::now() + TimeDelta::days(1)));
    (app, id, token)
}

#[tokio::test]
async fn a_valid_token_shows_its_principal() {
    let (app, id, token) = app_with_token(&[Role::Auditor, Role::Staff]).await;

    let response = app.get_me(Some(&token)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.expect("a JSON body");
    assert_eq!(me["subject"], format!("token:{id}"));
    assert_eq!(me["municipality"], KUOPIO.to_string());
    assert_eq!(me["roles"], json!(["staff", "auditor"]));
    assert_eq!(me["authenticated_by"], json!({"kind": "api_token", "token_id": id.to_string()}));
}

#[tokio::test]
async fn no_authorization_header_is_a_401_with_a_bare_challenge() {
    let app = spawn_app().await;

    let response = app.get_me(None).await;

    assert_eq!(header(&response, WWW_AUTHENTICATE), "Bearer realm=\"kirjuri\"");
    let detail = unauthorized_detail(response).await;
    assert_eq!(detail, "this endpoint needs an `Authorization: Bearer <token>` header");
}

#[tokio::test]
async fn another_scheme_is_a_malformed_header() {
    let (app, _, token) = app_with_token(&[Role::Staff]).await;

    let response = app.client.get(app.url("/api/v1/me")).header("authorization", format!("Basic {token}")).send().await;

    let response = response.expect("sent");
    assert!(header(&response, WWW_AUTHENTICATE).contains("error=\"invalid_request\""));
    assert_eq!(unauthorized_detail(response).await, "the Authorization header must be `Bearer <token>`");
}

#[tokio::test]
async fn garbage_is_refused_as_malformed() {
    let app = spawn_app().await;

    let response = app.get_me(Some("hunter2")).await;

    assert!(header(&response, WWW_AUTHENTICATE).contains("error=\"invalid_token\""));
    assert_eq!(unauthorized_detail(response).await, "the bearer token is not a kirjuri API token");
}

#[tokio::test]
async fn a_token_with_a_broken_checksum_is_refused_as_malformed() {
    let (app, _, token) = app_with_token(&[Role::Staff]).await;
    let last = token.chars().last().expect("a last character");
    let altered = format!("{}{}", &token[..token.len() - 1], if last == '0' { '1' } else { '0' });

    let detail = unauthorized_detail(app.get_me(Some(&altered)).await).await;

    assert_eq!(detail, "the API token is malformed (wrong length or checksum)");
}

#[tokio::test]
async fn a_well_formed_token_from_another_data_directory_is_unknown() {
    let (app, _, _) = app_with_token(&[Role::Staff]).await;
    let other = spawn_app().await;
    let (_, foreign_token) = other.create_api_token(KUOPIO, &[Role::Admin], None);

    let detail = unauthorized_detail(app.get_me(Some(&foreign_token)).await).await;

    assert_eq!(detail, "the API token is not known");
}

#[tokio::test]
async fn a_revoked_token_is_refused_within_a_second() {
    let (app, id, token) = app_with_token(&[Role::Staff]).await;
    assert_eq!(app.get_me(Some(&token)).await.status(), StatusCode::OK);

    app.revoke_api_token(&id.to_string());
    let revoked = std::time::Instant::now();

    let refused = loop {
        let response = app.get_me(Some(&token)).await;
        if response.status() != StatusCode::OK {
            break response;
        }
        assert!(revoked.elapsed() < std::time::Duration::from_secs(1), "still accepted after {:?}", revoked.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    };
    let detail = unauthorized_detail(refused).await;
    assert_eq!(detail, "the API token has been revoked");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let (_, token) = app.create_api_token(KUOPIO, &[Role::Staff], Some(Utc::now() - TimeDelta::minutes(1)));

    let detail = unauthorized_detail(app.get_me(Some(&token)).await).await;

    assert_eq!(detail, "the token has expired");
}

#[tokio::test]
async fn the_token_secret_is_not_stored_in_the_data_directory() {
    let (app, _, token) = app_with_token(&[Role::Staff]).await;
    let secret_part = &token["kirjuri_".len()..];
    let events = app.store.read_all(kirjuri_store::ReadAllOptions::forward(1_000)).await.expect("the events read");
    assert!(events.iter().any(|event| event.event_type.as_str() == "ApiTokenIssued"), "the token is an event");
    for event in &events {
        assert!(!event.data.as_str().contains(secret_part), "{} holds the token secret", event.event_type.as_str());
    }

    for entry in std::fs::read_dir(app.data_dir()).expect("the data dir lists") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("a file reads");
            let found = bytes.windows(secret_part.len()).any(|window| window == secret_part.as_bytes());
            assert!(!found, "{} holds the token secret", path.display());
        }
    }
}

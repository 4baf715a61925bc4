//! `GET /api/v1/me` with OIDC bearer tokens from a fake identity provider: keys made at test
//! time, a JWKS served on a free port. Every way a token can be wrong is a 401 (403 when it is
//! valid but grants no kirjuri role), and key rollover and the JWKS refetch limit behave.

use std::time::Duration;

use chrono::Utc;
use kirjuri_tests::oidc::{FakeIdentityProvider, SigningKey, hs256_token, unsigned_token};
use kirjuri_tests::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use reqwest::header::WWW_AUTHENTICATE;
use serde_json::{Value, json};

const TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
const MUNICIPALITY: &str = "0193a0b4-7c1e-7000-8000-000000000297";
const AUDIENCE: &str = "api://kirjuri";

async fn spawn_with_idp(idp: &FakeIdentityProvider, min_refetch: Duration) -> TestApp {
    let tenants = [(
        TENANT_ID.parse().expect("uuid"),
        kirjuri_events::domain::MunicipalityId(MUNICIPALITY.parse().expect("uuid")),
    )];
    spawn_app_with(|settings| {
        settings.oidc_issuer = Some(idp.issuer.clone());
        settings.oidc_audience = Some(AUDIENCE.to_owned());
        settings.oidc_jwks_url = Some(idp.jwks_url().to_owned());
        settings.oidc_tenants = tenants.into_iter().collect();
        settings.oidc_jwks_min_refetch = min_refetch;
    })
    .await
}

/// Claims of a valid Entra-style access token, valid for ten minutes.
fn claims(idp: &FakeIdentityProvider) -> Value {
    let now = Utc::now().timestamp();
    json!({
        "iss": idp.issuer,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 600,
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "oid": "00000000-0000-0000-66f3-3332eca7ea81",
        "tid": TENANT_ID,
        "name": "Maija Meikäläinen",
        "roles": ["decision_maker", "staff", "Some.Other.Role"],
    })
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().expect("an object").remove(name);
    claims
}

/// Asserts a 401 problem with an `invalid_token` Bearer challenge and returns its detail.
async fn rejected(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(challenge.starts_with("Bearer realm=\"kirjuri\", error=\"invalid_token\""), "{challenge:?}");
    let problem: Value = response.json().await.expect("a problem body");
    problem["detail"].as_str().expect("a detail").to_owned()
}

#[tokio::test]
async fn a_valid_token_shows_the_user_their_municipality_and_kirjuri_roles() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;

    let response = app.get_me(Some(&idp.key.sign(&claims(&idp)))).await;

    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.expect("a JSON body");
    assert_eq!(me["subject"], "00000000-0000-0000-66f3-3332eca7ea81");
    assert_eq!(me["display_name"], "Maija Meikäläinen");
    assert_eq!(me["municipality"], MUNICIPALITY);
    assert_eq!(me["roles"], json!(["staff", "decision_maker"]));
    assert_eq!(me["authenticated_by"], json!({"kind": "oidc", "tenant_id": TENANT_ID}));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let hour_ago = Utc::now().timestamp() - 3600;
    let token = idp.key.sign(&with(with(claims(&idp), "exp", json!(hour_ago)), "nbf", json!(hour_ago - 600)));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token has expired");
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let token = idp.key.sign(&with(claims(&idp), "nbf", json!(Utc::now().timestamp() + 3600)));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token is not valid yet (nbf)");
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let token = idp.key.sign(&with(claims(&idp), "aud", json!("api://some-other-app")));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token is meant for another audience");
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let token = idp.key.sign(&with(claims(&idp), "iss", json!("https://sts.windows.net/evil/")));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token was issued by another issuer");
}

#[tokio::test]
async fn a_tampered_token_fails_its_signature() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let genuine = idp.key.sign(&claims(&idp));
    let forged_claims = with(claims(&idp), "roles", json!(["admin"]));
    let forged_payload = idp.key.sign(&forged_claims).split('.').nth(1).expect("a payload").to_owned();
    let parts: Vec<&str> = genuine.split('.').collect();
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);

    assert_eq!(rejected(app.get_me(Some(&tampered)).await).await, "the token's signature does not verify");
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;

    let detail = rejected(app.get_me(Some(&unsigned_token(&claims(&idp)))).await).await;

    assert_eq!(detail, "the bearer token is not a well-formed JWT signed with RS256");
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_public_key_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let public_key = idp.key.jwk()["n"].as_str().expect("a modulus").to_owned();

    let token = hs256_token(&idp.key.kid, public_key.as_bytes(), &claims(&idp));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token must be signed with RS256");
}

#[tokio::test]
async fn an_unknown_key_is_refused_and_refetches_the_jwks_at_most_once_per_interval() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(600)).await;
    assert_eq!(app.get_me(Some(&idp.key.sign(&claims(&idp)))).await.status(), StatusCode::OK);
    assert_eq!(idp.jwks_fetches(), 1);
    let stranger = SigningKey::generate("not-published");

    for _ in 0..5 {
        let detail = rejected(app.get_me(Some(&stranger.sign(&claims(&idp)))).await).await;
        assert_eq!(detail, "the token is signed with a key the issuer does not publish");
    }

    assert_eq!(idp.jwks_fetches(), 1, "unknown key ids within the interval must not refetch the JWKS");
}

#[tokio::test]
async fn a_key_published_later_is_picked_up_on_first_use() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::ZERO).await;
    assert_eq!(app.get_me(Some(&idp.key.sign(&claims(&idp)))).await.status(), StatusCode::OK);
    let rolled = SigningKey::generate("key-2");
    assert_eq!(
        rejected(app.get_me(Some(&rolled.sign(&claims(&idp)))).await).await,
        "the token is signed with a key the issuer does not publish"
    );

    idp.publish(&rolled);

    assert_eq!(app.get_me(Some(&rolled.sign(&claims(&idp)))).await.status(), StatusCode::OK);
    assert_eq!(app.get_me(Some(&idp.key.sign(&claims(&idp)))).await.status(), StatusCode::OK);
    assert_eq!(idp.jwks_fetches(), 3, "one fetch at first use, one per unknown key id");
}

#[tokio::test]
async fn a_token_without_a_tenant_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let token = idp.key.sign(&without(claims(&idp), "tid"));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token names no tenant (tid)");
}

#[tokio::test]
async fn a_token_from_a_tenant_not_admitted_is_refused() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let token = idp.key.sign(&with(claims(&idp), "tid", json!("72f988bf-86f1-41af-91ab-2d7cd011db47")));

    assert_eq!(rejected(app.get_me(Some(&token)).await).await, "the token's tenant (tid) is not admitted to kirjuri");
}

#[tokio::test]
async fn a_valid_token_without_kirjuri_roles_is_forbidden() {
    let idp = FakeIdentityProvider::start().await;
    let app = spawn_with_idp(&idp, Duration::from_secs(10)).await;
    let token = idp.key.sign(&with(claims(&idp), "roles", json!(["Some.Other.Role"])));

    let response = app.get_me(Some(&token)).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let problem: Value = response.json().await.expect("a problem body");
    assert_eq!(problem["title"], "Forbidden");
}

#[tokio::test]
async fn an_unreachable_jwks_is_a_503_not_a_401() {
    let idp = FakeIdentityProvider::start().await;
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("binds").local_addr().expect("an address");
    let app = spawn_app_with(|settings| {
        settings.oidc_issuer = Some(idp.issuer.clone());
        settings.oidc_audience = Some(AUDIENCE.to_owned());
        settings.oidc_jwks_url = Some(format!("http://{closed}/keys"));
        settings.oidc_tenants = [(
            TENANT_ID.parse().expect("uuid"),
            kirjuri_events::domain::MunicipalityId(MUNICIPALITY.parse().expect("uuid")),
        )]
        .into_iter()
        .collect();
    })
    .await;

    let response = app.get_me(Some(&idp.key.sign(&claims(&idp)))).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

//! Local API tokens as events: every server on one store knows every token, whichever of them
//! (or the CLI) made or revoked it; tokens of the older `api.sqlite` keep working after upgrade.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use kirjuri::auth::Role;
use kirjuri::auth::tokens::ApiTokenSecret;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::{SqliteStore, SqliteStoreOptions};
use kirjuri_tests::{TestApp, spawn_app, spawn_app_with, spawn_app_with_store};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x0193_a0b4_7c1e_7000_8000_0000_0000_0297));

/// How soon a change made elsewhere must take effect.
const BOUND: Duration = Duration::from_secs(1);

/// Polls `/api/v1/me` with `token` until it answers `status`; returns how long that took.
async fn until_status(app: &TestApp, token: &str, status: StatusCode) -> Duration {
    let started = Instant::now();
    loop {
        let answered = app.get_me(Some(token)).await.status();
        if answered == status {
            return started.elapsed();
        }
        assert!(started.elapsed() < BOUND, "still {answered} after {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A second server on the first one's event store file, through a store handle of its own (its
/// own writer, as a second process or instance would have), with read models of its own.
async fn second_server_on_the_store_of(first: &TestApp) -> TestApp {
    let store =
        SqliteStore::open(SqliteStoreOptions::new(first.data_dir().join("events.sqlite"))).expect("the store opens");
    spawn_app_with_store(Arc::new(store)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_made_through_one_server_works_at_once_on_another_and_a_revocation_through_it_reaches_the_first() {
    let first = spawn_app().await;
    let second = second_server_on_the_store_of(&first).await;
    // Both servers have loaded their (empty) tables before the token exists.
    let (id, token) = first.create_api_token(KUOPIO, &[Role::Auditor], Some(Utc::now() + TimeDelta::days(1)));

    let on_second = second.get_me(Some(&token)).await;
    assert_eq!(on_second.status(), StatusCode::OK, "the other server knows the token at its first request");
    let principal: Value = on_second.json().await.expect("a principal");
    assert_eq!(principal["subject"], format!("token:{id}"));
    assert_eq!(first.get_me(Some(&token)).await.status(), StatusCode::OK);

    second.revoke_api_token(&id.to_string());
    let took = until_status(&first, &token, StatusCode::UNAUTHORIZED).await;
    eprintln!("a revocation through another store handle took effect after {took:?} (bound {BOUND:?})");
    assert_eq!(second.get_me(Some(&token)).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refused_on_every_server() {
    let first = spawn_app().await;
    let second = second_server_on_the_store_of(&first).await;
    let (_, token) = first.create_api_token(KUOPIO, &[Role::Staff], Some(Utc::now() - TimeDelta::minutes(1)));

    for app in [&first, &second] {
        let response = app.get_me(Some(&token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let problem: Value = response.json().await.expect("a problem");
        assert_eq!(problem["detail"], "the token has expired");
    }
}

#[tokio::test]
async fn a_token_of_the_older_api_sqlite_is_imported_at_start_and_keeps_working() {
    let secret = ApiTokenSecret::generate().expect("randomness");
    let hash_hex = secret.hash().to_hex();
    let hash: Vec<u8> = (0..32).map(|at| u8::from_str_radix(&hash_hex[at * 2..at * 2 + 2], 16).expect("hex")).collect();
    let legacy_id = Uuid::now_v7();
    let revoked_secret = ApiTokenSecret::generate().expect("randomness");
    let revoked_hash_hex = revoked_secret.hash().to_hex();
    let revoked_hash: Vec<u8> =
        (0..32).map(|at| u8::from_str_radix(&revoked_hash_hex[at * 2..at * 2 + 2], 16).expect("hex")).collect();
    let app = spawn_app_with(|settings| {
        std::fs::create_dir_all(&settings.data_dir).expect("the data dir");
        // The file exactly as kirjuri before tokens-as-events wrote it.
        let file = rusqlite::Connection::open(settings.data_dir.join("api.sqlite")).expect("api.sqlite opens");
        file.execute_batch(
            "PRAGMA application_id = 1802072673; PRAGMA user_version = 1;
             CREATE TABLE api_token (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, secret_hash BLOB NOT NULL UNIQUE,
               tenant TEXT NOT NULL, roles TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER,
               revoked_at INTEGER) STRICT;",
        )
        .expect("the old schema");
        let created = Utc::now().timestamp() - 3_600;
        file.execute(
            "INSERT INTO api_token VALUES (?1, 'ci', ?2, ?3, 'staff,auditor', ?4, NULL, NULL),
                                          (?5, 'old', ?6, ?3, 'admin', ?4, NULL, ?4)",
            rusqlite::params![
                legacy_id.to_string(),
                hash,
                KUOPIO.to_string(),
                created,
                Uuid::now_v7().to_string(),
                revoked_hash
            ],
        )
        .expect("two tokens, one revoked");
    })
    .await;

    let response = app.get_me(Some(secret.expose_secret())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let principal: Value = response.json().await.expect("a principal");
    assert_eq!(principal["subject"], format!("token:{legacy_id}"), "the token keeps its id");
    assert_eq!(principal["roles"], serde_json::json!(["staff", "auditor"]));
    assert_eq!(principal["municipality"], KUOPIO.to_string());
    assert_eq!(app.get_me(Some(revoked_secret.expose_secret())).await.status(), StatusCode::UNAUTHORIZED);

    assert!(!app.data_dir().join("api.sqlite").exists(), "the import runs once");
    assert!(app.data_dir().join("api.sqlite.imported").exists(), "the old file is kept beside");
    let issued = app
        .store
        .read_all(kirjuri_store::ReadAllOptions::forward(100).filtered(kirjuri::auth::tokens::token_events()))
        .await
        .expect("the token events read");
    let types: Vec<&str> = issued.iter().map(|event| event.event_type.as_str()).collect();
    assert_eq!(types.iter().filter(|t| **t == "ApiTokenIssued").count(), 2, "{types:?}");
    assert_eq!(types.iter().filter(|t| **t == "ApiTokenRevoked").count(), 1, "{types:?}");
}

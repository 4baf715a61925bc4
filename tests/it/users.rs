//! Local user accounts as events: made (and disabled) by another writer on a running server's
//! store, signed in through a directory on the server's own store handle; wrong passwords and
//! unknown usernames answer alike; the store never holds a password; repeated failures are
//! refused with a time to retry; the demo's users sign in with the passwords it prints.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use kirjuri::auth::users::{self, NewUser, Password, SignInError, UserDirectory};
use kirjuri::auth::{AuthMethod, Role};
use kirjuri::demo::{DemoArgs, run_demo};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_store::{EventStore, ReadAllOptions, SqliteStore, SqliteStoreOptions};
use kirjuri_tests::{TestApp, spawn_app};
use reqwest::StatusCode;
use uuid::Uuid;

const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x0193_a0b4_7c1e_7000_8000_0000_0000_0297));

/// How soon a change made elsewhere must take effect.
const BOUND: Duration = Duration::from_secs(1);

const PASSWORD: &str = "kalakukko ja lanttu";

/// The running server's event store opened again, as `kirjuri user …` in another process does.
fn second_writer(app: &TestApp) -> Arc<dyn EventStore> {
    let options = SqliteStoreOptions::new(app.data_dir().join("events.sqlite"));
    Arc::new(SqliteStore::open(options).expect("the store opens"))
}

fn new_user(username: &str, roles: &[Role]) -> NewUser {
    NewUser {
        username: username.to_owned(),
        password: Password::parse(PASSWORD.to_owned()).expect("a valid password"),
        tenant: KUOPIO,
        roles: roles.iter().copied().collect(),
        person: None,
        display_name: Some("Anna Virtanen".to_owned()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_made_by_another_writer_signs_in_and_a_wrong_password_fails_like_an_unknown_user() {
    let app = spawn_app().await;
    let directory = UserDirectory::start(Arc::clone(&app.store)).await;
    let writer = second_writer(&app);
    let record = users::create(&*writer, new_user("anna", &[Role::Staff, Role::Coach]), Utc::now(), "cli:ops")
        .await
        .expect("the user is created");

    let principal = directory.verify("anna", PASSWORD).await.expect("the right password signs in");
    assert_eq!(principal.subject, format!("user:{}", record.id));
    assert_eq!(principal.municipality, KUOPIO);
    assert_eq!(principal.roles, BTreeSet::from([Role::Staff, Role::Coach]));
    assert_eq!(principal.authenticated_by, AuthMethod::Password { user_id: record.id });

    // Warm both paths once, then time them: an unknown user costs a hash check as a wrong password does.
    let _ = directory.verify("nobody", PASSWORD).await;
    let started = Instant::now();
    let wrong = directory.verify("anna", "kalakukko ja nauris").await.expect_err("a wrong password");
    let wrong_took = started.elapsed();
    let started = Instant::now();
    let unknown = directory.verify("bertta", PASSWORD).await.expect_err("an unknown user");
    let unknown_took = started.elapsed();
    assert!(matches!(wrong, SignInError::InvalidCredentials), "{wrong:?}");
    assert!(matches!(unknown, SignInError::InvalidCredentials), "{unknown:?}");
    assert_eq!(wrong.to_string(), unknown.to_string(), "the same answer");
    let (shorter, longer) =
        if wrong_took < unknown_took { (wrong_took, unknown_took) } else { (unknown_took, wrong_took) };
    assert!(longer < shorter * 3, "similar time: wrong password {wrong_took:?}, unknown user {unknown_took:?}");

    let duplicate = users::create(&*writer, new_user("Anna", &[Role::Auditor]), Utc::now(), "cli:ops").await;
    assert!(matches!(duplicate, Err(users::UserStoreError::DuplicateUsername(_))), "{duplicate:?}");
    app.stop().await.expect("the server stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_disabled_by_another_writer_is_refused_within_a_second() {
    let app = spawn_app().await;
    let directory = UserDirectory::start(Arc::clone(&app.store)).await;
    let writer = second_writer(&app);
    users::create(&*writer, new_user("anna", &[Role::Staff]), Utc::now(), "cli:ops").await.expect("created");
    directory.verify("anna", PASSWORD).await.expect("signs in before");

    users::disable(&*writer, "anna", Utc::now(), "cli:ops").await.expect("disabled");
    let disabled_at = Instant::now();
    loop {
        match directory.verify("anna", PASSWORD).await {
            Err(SignInError::Disabled) => break,
            other => assert!(disabled_at.elapsed() < BOUND, "still {other:?} after {:?}", disabled_at.elapsed()),
        }
    }
    app.stop().await.expect("the server stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_no_password_and_the_audit_trail_no_hash() {
    let app = spawn_app().await;
    let writer = second_writer(&app);
    users::create(&*writer, new_user("anna", &[Role::Staff]), Utc::now(), "cli:ops").await.expect("created");
    let new_password = "savon sydän 2026";
    let changed = Password::parse(new_password.to_owned()).expect("valid");
    users::set_password(&*writer, "anna", changed, Utc::now(), "cli:ops").await.expect("changed");

    let events = app.store.read_all(ReadAllOptions::forward(1_000)).await.expect("the store reads");
    let user_events: Vec<_> = events.iter().filter(|event| event.stream.category() == "user").collect();
    assert_eq!(user_events.len(), 2, "created and password changed");
    for event in &events {
        let data = event.data.as_str();
        assert!(!data.contains(PASSWORD) && !data.contains(new_password), "{}: {data}", event.event_type);
    }
    assert!(user_events.iter().all(|event| event.data.as_str().contains("$argon2id$")), "only hashes are kept");
    let mut bytes = std::fs::read(app.data_dir().join("events.sqlite")).expect("the store file");
    if let Ok(wal) = std::fs::read(app.data_dir().join("events.sqlite-wal")) {
        bytes.extend(wal);
    }
    for secret in [PASSWORD, new_password] {
        assert!(!bytes.windows(secret.len()).any(|window| window == secret.as_bytes()), "{secret} is in the file");
    }

    // The audit trail shows the account's events (it does not fail on the category) without the hash.
    let auditor = app.token_for(KUOPIO);
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        app.wait_for_projections().await;
        let response = app.get_as(&auditor, "/api/v1/timeline?limit=200").await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.text().await.expect("a body");
        if body.contains("UserCreated") && body.contains("UserPasswordChanged") {
            break body;
        }
        assert!(Instant::now() < deadline, "the account's events never reached the timeline: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!body.contains("argon2"), "the timeline shows no hash: {body}");
    app.stop().await.expect("the server stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_failures_in_fifteen_minutes_refuse_even_the_right_password_and_say_when_to_retry() {
    let app = spawn_app().await;
    let directory = UserDirectory::start(Arc::clone(&app.store)).await;
    users::create(&*app.store, new_user("anna", &[Role::Staff]), Utc::now(), "cli:ops").await.expect("created");

    for attempt in 1..=10 {
        let refused = directory.verify("anna", "not the password").await.expect_err("wrong");
        assert!(matches!(refused, SignInError::InvalidCredentials), "attempt {attempt}: {refused:?}");
    }
    let limited = directory.verify("ANNA", PASSWORD).await.expect_err("limited whatever the case");
    let SignInError::TooManyAttempts { retry_after } = limited else { panic!("{limited:?}") };
    let window = Duration::from_secs(15 * 60);
    assert!(retry_after > window - Duration::from_secs(30) && retry_after <= window, "{retry_after:?}");
    assert!(limited.to_string().contains("try again in"), "{limited}");

    for _ in 0..10 {
        let _ = directory.verify("ghost", "not the password").await;
    }
    assert!(
        matches!(directory.verify("ghost", PASSWORD).await, Err(SignInError::TooManyAttempts { .. })),
        "unknown usernames are limited alike"
    );
    app.stop().await.expect("the server stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_prints_a_sign_in_per_audience_that_works() {
    let data_dir = tempfile::tempdir().expect("a temp dir");
    let store: Arc<dyn EventStore> = Arc::new(
        SqliteStore::open(SqliteStoreOptions::new(data_dir.path().join("events.sqlite"))).expect("the store opens"),
    );
    let report = run_demo(Arc::clone(&store), &DemoArgs::default()).await.expect("the demo is written");
    let printed = report.to_string();
    let kuopio = report.municipalities[0].2;
    let directory = UserDirectory::start(store).await;

    let mut audiences = BTreeSet::new();
    for user in &report.users {
        assert!(printed.contains(&user.username) && printed.contains(&user.password), "{printed}");
        let principal = directory.verify(&user.username, &user.password).await.expect("the demo user signs in");
        assert_eq!(principal.municipality, kuopio, "{}", user.username);
        assert_eq!(principal.roles, user.roles.iter().copied().collect(), "{}", user.username);
        audiences.extend(principal.roles);
    }
    for audience in [Role::Staff, Role::DecisionMaker, Role::Auditor] {
        assert!(audiences.contains(&audience), "no demo user for {audience}");
    }
}

//! The attacks of issue 12, black-box against the real server: each test reproduces an attack
//! that once worked and checks that it no longer does (a partner network joined without the
//! host's consent, a revoked credential's live stream that kept delivering, a signed-out
//! session whose cookie still opened pages, idle and slow clients that exhausted connections).

use std::io::Write as _;
use std::time::{Duration, Instant};

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_events::{EventMetadata, ExpectedRevision, StreamName};
use kirjuri_tests::web::{csrf_field, page, sign_in};
use kirjuri_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use uuid::Uuid;

fn key() -> String {
    format!("security-{}", Uuid::new_v4())
}

async fn register(app: &TestApp, code: &str) -> MunicipalityId {
    let municipality = MunicipalityId::random();
    let body = json!({ "municipality": municipality, "code": code, "name": { "fi": format!("Kunta {code}") } });
    let response = app.post_command("register-municipality", &key(), &body).await;
    assert_eq!(response.status().as_u16(), 201, "{:?}", response.text().await);
    municipality
}

/// The municipalities `token`'s caller sees (its own and its partner network's).
async fn seen_by(app: &TestApp, token: &str) -> Vec<String> {
    let listed: Value = app.get_as(token, "/api/v1/municipalities?limit=100").await.json().await.expect("JSON");
    listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["municipality"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_municipality_joins_a_partner_network_only_with_the_hosts_consent_and_leaves_it_when_that_is_withdrawn() {
    let app = spawn_app().await;
    let kuopio = register(&app, "297").await;
    let newcomer = register(&app, "999").await;
    let join = json!({ "municipality": newcomer, "host": kuopio, "joined_on": "2025-03-01" });

    // The attack: the newcomer's admin joins Kuopio's network on its own.
    let unilateral = app.command_as(newcomer, "join-partner-network").header("Idempotency-Key", key()).json(&join);
    let unilateral = unilateral.send().await.expect("sent");
    assert_eq!(unilateral.status().as_u16(), 422);
    let problem: Value = unilateral.json().await.expect("a problem");
    assert!(problem["detail"].as_str().unwrap_or("").contains("has not invited"), "{problem}");
    app.wait_for_projections().await;
    let kuopio_token = app.token_for(kuopio);
    let newcomer_token = app.token_for(newcomer);
    assert!(!seen_by(&app, &kuopio_token).await.contains(&newcomer.to_string()), "not in Kuopio's network");
    let host_record = app.get_as(&newcomer_token, &format!("/api/v1/municipalities/{kuopio}")).await;
    assert_eq!(host_record.status().as_u16(), 404, "the host's record stays unreadable");

    // With Kuopio's invitation the same join goes through, and both sides see each other.
    let invitation = json!({ "host": kuopio, "partner": newcomer, "invited_on": "2025-02-15" });
    let invited = app.command_as(kuopio, "invite-partner").header("Idempotency-Key", key()).json(&invitation);
    assert_eq!(invited.send().await.expect("sent").status().as_u16(), 200);
    let joined = app.command_as(newcomer, "join-partner-network").header("Idempotency-Key", key()).json(&join);
    assert_eq!(joined.send().await.expect("sent").status().as_u16(), 200);
    app.wait_for_projections().await;
    assert!(seen_by(&app, &kuopio_token).await.contains(&newcomer.to_string()));
    let host_record = app.get_as(&newcomer_token, &format!("/api/v1/municipalities/{kuopio}")).await;
    assert_eq!(host_record.status().as_u16(), 200, "a partner reads its host's record");

    // Kuopio withdraws its consent: the partnership ends at once.
    let withdrawal = json!({ "host": kuopio, "partner": newcomer, "withdrawn_on": "2025-06-01" });
    let withdrawn =
        app.command_as(kuopio, "withdraw-partner-invitation").header("Idempotency-Key", key()).json(&withdrawal);
    assert_eq!(withdrawn.send().await.expect("sent").status().as_u16(), 200);
    app.wait_for_projections().await;
    assert!(!seen_by(&app, &kuopio_token).await.contains(&newcomer.to_string()));
    let host_record = app.get_as(&newcomer_token, &format!("/api/v1/municipalities/{kuopio}")).await;
    assert_eq!(host_record.status().as_u16(), 404, "access ends with the partnership");
}

/// Appends an event for `tenant` (something its live stream would announce).
async fn something_happens(app: &TestApp, tenant: MunicipalityId) {
    let metadata = EventMetadata { tenant: Some(tenant.to_string()), ..EventMetadata::default() };
    let event = kirjuri_store::conformance::event("LessonIdentified", json!({ "n": 1 })).with_metadata(metadata);
    let stream = StreamName::parse(&format!("lesson-{}", Uuid::new_v4())).expect("a stream name");
    app.store.append(&stream, ExpectedRevision::NoStream, vec![event]).await.expect("appended");
}

/// What an SSE response delivers until it ends or `limit` passes: its announcements' count
/// and whether it ended.
async fn read_until_end(mut response: reqwest::Response, limit: Duration) -> (usize, bool) {
    let mut text = String::new();
    let ended = tokio::time::timeout(limit, async {
        while let Ok(Some(chunk)) = response.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .is_ok();
    // Only what happened after the grant ended counts (a revocation's own event may be announced
    // as the revocation lands).
    (text.matches("LessonIdentified").count(), ended)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_ends_when_its_token_is_revoked_and_delivers_nothing_after() {
    let app = spawn_app().await;
    let tenant = MunicipalityId::random();
    let (id, token) = app.create_api_token(tenant, &[Role::Staff], None);
    let stream = reqwest::Client::new().get(app.url("/api/v1/live")).bearer_auth(&token).send().await.expect("sent");
    assert_eq!(stream.status().as_u16(), 200);
    app.revoke_api_token(&id.to_string());
    let revoked_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(400)).await;
    for _ in 0..3 {
        something_happens(&app, tenant).await;
    }
    let (delivered, ended) = read_until_end(stream, Duration::from_secs(5)).await;
    assert!(ended, "the stream of a revoked token must end");
    assert_eq!(delivered, 0, "nothing is announced after the revocation");
    println!("stream ended {:?} after the revocation", revoked_at.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session_on_the_server_and_its_live_stream() {
    let app = spawn_app().await;
    let tenant = MunicipalityId::random();
    let (_, token) = app.create_api_token(tenant, &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    let search = page(&app, &cookie, "/search").await;
    assert_eq!(search.status().as_u16(), 200);
    let csrf = csrf_field(&search.text().await.expect("a page"));
    let live = app.client.get(app.url("/live")).header("cookie", &cookie).send().await.expect("sent");
    assert_eq!(live.status().as_u16(), 200);

    let signed_out = app
        .client
        .post(app.url("/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(signed_out.status().as_u16(), 303);

    // A copy of the old cookie opens nothing any more (the token itself stays valid).
    let again = page(&app, &cookie, "/search").await;
    assert_eq!(again.status().as_u16(), 303, "the old cookie is sent to sign in");
    assert!(again.headers()["location"].to_str().unwrap_or("").starts_with("/sign-in"));
    assert_eq!(app.get_me(Some(&token)).await.status().as_u16(), 200, "the token still works");
    something_happens(&app, tenant).await;
    let (delivered, ended) = read_until_end(live, Duration::from_secs(5)).await;
    assert!(ended && delivered == 0, "the signed-out session's live stream ends ({delivered} delivered)");
}

/// The process's resident memory in MB (the server runs in this test's process).
fn rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0);
    kb / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_clients_holding_twice_the_connection_limit_do_not_keep_a_new_client_out() {
    const LIMIT: usize = 32;
    let app = spawn_app_with(|settings| {
        settings.max_connections = Some(LIMIT);
        settings.header_timeout = Duration::from_secs(3);
    })
    .await;
    let address = format!("127.0.0.1:{}", app.port);
    // Twice the limit: idle connections that never send a byte, and heads that never finish.
    let mut held = Vec::new();
    for n in 0..2 * LIMIT {
        let mut connection = std::net::TcpStream::connect(&address).expect("a connection");
        if n % 2 == 1 {
            connection.write_all(b"GET /health/live HTTP/1.1\r\nHost: kirjuri\r\nX-Slow: ").expect("a partial head");
        }
        held.push(connection);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let response = client.get(app.url("/health/live")).send().await.expect("answered");
        assert_eq!(response.status().as_u16(), 200);
        slowest = slowest.max(started.elapsed());
    }
    println!("/health/live with {} held connections: slowest {slowest:?}; RSS {} MB", held.len(), rss_mb());
    assert!(slowest <= Duration::from_secs(1), "a new client waited {slowest:?}");
    assert!(rss_mb() <= 300, "RSS {} MB", rss_mb());

    // A connection that only ever sends part of a head is closed after the header timeout.
    let mut slow = std::net::TcpStream::connect(&address).expect("a connection");
    slow.write_all(b"GET / HTTP/1.1\r\n").expect("a partial head");
    slow.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
    let started = Instant::now();
    let mut buffer = [0_u8; 64];
    let closed = matches!(std::io::Read::read(&mut slow, &mut buffer), Ok(0) | Err(_));
    assert!(
        closed && started.elapsed() < Duration::from_secs(8),
        "an unfinished head is not kept: {:?}",
        started.elapsed()
    );
    drop(held);
}

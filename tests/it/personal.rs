//! Personal data over HTTP: a coaching note's personal text goes only to the engagement's coach
//! and coachees, every read of it is in the access log before the answer arrives, and only
//! auditors and admins read that log, their own municipality's only.
//!
//! The principals' person references are their subjects (`token:<id>`), which is what an API
//! token without an explicit person is.

use std::time::{Duration, Instant};

use chrono::Utc;
use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const PERSONAL_TEXT: &str = "Kertoi jännittävänsä kameran edessä olemista; toivoi harjoittelua kahden kesken.";

/// A caller: its bearer secret and its subject (= its person reference).
struct Caller {
    token: String,
    subject: String,
}

fn caller(app: &TestApp, municipality: MunicipalityId, roles: &[Role]) -> Caller {
    let (id, token) = app.create_api_token(municipality, roles, None);
    Caller { token, subject: format!("token:{id}") }
}

/// An engagement of `municipality` coached by `coach` for `coachees`, with one session and
/// one note that holds personal text; returns the engagement's and the note's ids.
async fn engagement_with_a_personal_note(
    app: &TestApp,
    municipality: MunicipalityId,
    coach: &Caller,
    coachees: &[&Caller],
) -> (Uuid, Uuid) {
    app.register_municipality(municipality).await;
    let (engagement, session, note) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let commands = [
        (
            "start-engagement",
            json!({
                "engagement": engagement, "municipality": municipality, "coach": coach.subject,
                "coachees": coachees.iter().map(|c| c.subject.clone()).collect::<Vec<_>>(),
                "goals": [{ "fi": "Etäkäynnit sujuviksi kotihoidossa" }], "started": "2026-01-05",
            }),
        ),
        (
            "hold-session",
            json!({
                "engagement": engagement, "session": session, "date": "2026-01-12", "format": "group",
                "duration_minutes": 90, "topics": ["2.1"], "attendees": 3,
            }),
        ),
        (
            "record-note",
            json!({
                "engagement": engagement, "note": note, "session": session, "author": coach.subject,
                "planned": { "fi": "Harjoitellaan videopuhelun aloittamista." },
                "happened": { "fi": "Videopuhelut onnistuivat, kirjaaminen jäi kesken." },
                "why_different": { "fi": "Mobiilisovellus kirjautui ulos kesken käynnin." },
                "keep_or_change": { "fi": "Pidetään parityö, pidennetään aikakatkaisua." },
                "personal": { "text": PERSONAL_TEXT, "classification": "personal" },
            }),
        ),
    ];
    for (name, body) in commands {
        let response = app.post_command(name, &Uuid::new_v4().to_string(), &body).await;
        assert!(response.status().is_success(), "{name}: {}", response.text().await.unwrap_or_default());
    }
    (engagement, note)
}

fn notes_path(engagement: Uuid, purpose: &str) -> String {
    format!("/api/v1/coaching/engagements/{engagement}/notes?purpose={}", purpose.replace(' ', "%20"))
}

/// How many access-log events the store holds, read from its file (what is durable now).
fn logged_reads(app: &TestApp) -> i64 {
    let path = app.data_dir().join("events.sqlite");
    let connection = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the store file opens read-only");
    connection
        .query_row("SELECT COUNT(*) FROM events WHERE stream LIKE 'access_log-%'", [], |row| row.get(0))
        .expect("the access-log events are counted")
}

/// `GET /api/v1/access-log?<query>` as `caller`, polled until the read models show `expected`
/// entries (they follow the store asynchronously); returns the last page seen.
async fn access_log_showing(app: &TestApp, caller: &Caller, query: &str, expected: usize) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let response = app.get_as(&caller.token, &format!("/api/v1/access-log?{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let page: Value = response.json().await.expect("JSON");
        let shown = page["entries"].as_array().map_or(0, Vec::len);
        if shown == expected || Instant::now() > deadline {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coach_and_a_coachee_read_the_personal_text_and_each_read_is_logged_with_who_what_when_and_why() {
    let app = spawn_app().await;
    let kuopio = MunicipalityId::random();
    let coach = caller(&app, kuopio, &[Role::Coach]);
    let coachee = caller(&app, kuopio, &[Role::Staff]);
    let auditor = caller(&app, kuopio, &[Role::Auditor]);
    let (engagement, note) = engagement_with_a_personal_note(&app, kuopio, &coach, &[&coachee]).await;

    let before = Utc::now();
    let response = app.get_as(&coach.token, &notes_path(engagement, "preparing the next session")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    assert!(response.headers().contains_key("etag"));
    let read: Value = response.json().await.expect("JSON");
    assert_eq!(logged_reads(&app), 1, "the read is in the store before its answer arrives");
    assert_eq!(read["personal_text_included"], true, "{read}");
    assert_eq!(read["notes"][0]["note"], note.to_string());
    assert_eq!(read["notes"][0]["personal_text"], PERSONAL_TEXT);
    assert_eq!(read["notes"][0]["personal_text_withheld"], false);
    assert!(read["access_log_event"].is_string(), "{read}");

    let response = app.get_as(&coachee.token, &notes_path(engagement, "remembering what we agreed")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let read: Value = response.json().await.expect("JSON");
    assert_eq!(read["notes"][0]["personal_text"], PERSONAL_TEXT, "a coachee reads it too");
    assert_eq!(logged_reads(&app), 2);
    let after = Utc::now();

    // The auditor sees both reads, newest first: who, what, when and why.
    let log = access_log_showing(&app, &auditor, "", 2).await;
    let entries = log["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{log}");
    let (latest, first) = (&entries[0], &entries[1]);
    assert_eq!(first["reader"], coach.subject.as_str());
    assert_eq!(first["reader_person"], coach.subject.as_str());
    assert_eq!(first["purpose"], "preparing the next session");
    assert_eq!(first["data"]["kind"], "coaching_notes");
    assert_eq!(first["data"]["engagement"], engagement.to_string());
    assert_eq!(first["data"]["notes"], json!([note]));
    let read_at: chrono::DateTime<Utc> = serde_json::from_value(first["read_at"].clone()).expect("a time");
    assert!(before <= read_at && read_at <= after, "{read_at} is when it was read");
    assert_eq!(latest["reader"], coachee.subject.as_str());
    assert_eq!(latest["purpose"], "remembering what we agreed");
    assert!(!log.to_string().contains(PERSONAL_TEXT), "the log never holds the text it logs");

    // Filters: by reader, by day; pages.
    let by_coach = access_log_showing(&app, &auditor, &format!("reader={}", coach.subject), 1).await;
    assert_eq!(by_coach["entries"].as_array().map(Vec::len), Some(1), "{by_coach}");
    assert_eq!(by_coach["entries"][0]["reader"], coach.subject.as_str());
    let today = Utc::now().date_naive();
    let tomorrow = today.succ_opt().expect("a tomorrow");
    let later = access_log_showing(&app, &auditor, &format!("from={tomorrow}"), 0).await;
    assert_eq!(later["entries"], json!([]), "nothing was read tomorrow");
    let until_today = access_log_showing(&app, &auditor, &format!("from={today}&to={today}"), 2).await;
    assert_eq!(until_today["entries"].as_array().map(Vec::len), Some(2), "{until_today}");
    let page = access_log_showing(&app, &auditor, "limit=1", 1).await;
    assert_eq!(page["entries"][0]["reader"], coachee.subject.as_str(), "newest first");
    let next = page["next"].as_str().expect("a second page");
    let older = access_log_showing(&app, &auditor, &format!("limit=1&cursor={next}"), 1).await;
    assert_eq!(older["entries"][0]["reader"], coach.subject.as_str());
    assert!(older["next"].is_null(), "{older}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_get_only_the_shareable_review_and_no_read_of_theirs_is_logged() {
    let app = spawn_app().await;
    let kuopio = MunicipalityId::random();
    let coach = caller(&app, kuopio, &[Role::Coach]);
    let coachee = caller(&app, kuopio, &[Role::Staff]);
    let (engagement, _) = engagement_with_a_personal_note(&app, kuopio, &coach, &[&coachee]).await;
    let path = notes_path(engagement, "checking the review");

    let another_coach = caller(&app, kuopio, &[Role::Coach]);
    let colleague = caller(&app, kuopio, &[Role::Staff, Role::DecisionMaker]);
    for other in [&another_coach, &colleague] {
        let response = app.get_as(&other.token, &path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let read: Value = response.json().await.expect("JSON");
        assert_eq!(read["personal_text_included"], false, "{read}");
        assert!(read["notes"][0]["personal_text"].is_null(), "{read}");
        assert_eq!(read["notes"][0]["personal_text_withheld"], true);
        assert_eq!(read["notes"][0]["happened"]["fi"], "Videopuhelut onnistuivat, kirjaaminen jäi kesken.");
        assert!(read["access_log_event"].is_null());
        assert!(!read.to_string().contains(PERSONAL_TEXT));
    }
    assert_eq!(logged_reads(&app), 0, "nothing personal was read, so nothing is logged");

    let outsider = caller(&app, MunicipalityId::random(), &[Role::Coach, Role::Staff]);
    assert_eq!(app.get_as(&outsider.token, &path).await.status(), StatusCode::NOT_FOUND);
    let unknown = notes_path(Uuid::new_v4(), "checking the review");
    assert_eq!(app.get_as(&coach.token, &unknown).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path).await.status(), StatusCode::UNAUTHORIZED);

    for bad in ["", "?purpose=", "?purpose=%20%20", "?purpose=ok"] {
        let response = app.get_as(&coach.token, &format!("/api/v1/coaching/engagements/{engagement}/notes{bad}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        let problem: Value = response.json().await.expect("a problem");
        assert!(problem["detail"].as_str().is_some_and(|d| d.starts_with("purpose")), "{bad:?}: {problem}");
    }
    let malformed = app.get_as(&coach.token, "/api/v1/coaching/engagements/not-an-id/notes?purpose=why%20not").await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(logged_reads(&app), 0, "refused reads are not reads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_auditors_and_admins_read_the_access_log_and_only_their_own_municipalitys() {
    let app = spawn_app().await;
    let kuopio = MunicipalityId::random();
    let coach = caller(&app, kuopio, &[Role::Coach]);
    let coachee = caller(&app, kuopio, &[Role::Staff]);
    let (engagement, _) = engagement_with_a_personal_note(&app, kuopio, &coach, &[&coachee]).await;
    let response = app.get_as(&coach.token, &notes_path(engagement, "preparing the next session")).await;
    assert_eq!(response.status(), StatusCode::OK);

    let admin = caller(&app, kuopio, &[Role::Admin]);
    let own = access_log_showing(&app, &admin, "", 1).await;
    assert_eq!(own["entries"].as_array().map(Vec::len), Some(1), "an admin reads it: {own}");

    for refused in [&coachee, &coach, &caller(&app, kuopio, &[Role::Staff, Role::DecisionMaker])] {
        let response = app.get_as(&refused.token, "/api/v1/access-log").await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let problem: Value = response.json().await.expect("a problem");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("auditor")), "{problem}");
    }
    let elsewhere = caller(&app, MunicipalityId::random(), &[Role::Auditor]);
    let theirs: Value = app.get_as(&elsewhere.token, "/api/v1/access-log").await.json().await.expect("JSON");
    assert_eq!(theirs["entries"], json!([]), "another municipality's auditor sees none of Kuopio's reads");
    let widened = app.get_as(&elsewhere.token, &format!("/api/v1/access-log?municipality={kuopio}")).await;
    assert_eq!(widened.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.get_as(&admin.token, "/api/v1/access-log?from=someday").await.status(), StatusCode::BAD_REQUEST);
}

/// The store file's bytes (with its WAL), to look for text that must not be in it.
fn store_bytes(app: &TestApp) -> Vec<u8> {
    let mut bytes = std::fs::read(app.data_dir().join("events.sqlite")).expect("reads the store");
    if let Ok(wal) = std::fs::read(app.data_dir().join("events.sqlite-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_text_is_stored_sealed_and_an_erased_person_is_forgotten_while_every_proof_holds() {
    let app = spawn_app().await;
    let kuopio = MunicipalityId::random();
    let coach = caller(&app, kuopio, &[Role::Coach]);
    let coachee = caller(&app, kuopio, &[Role::Staff]);
    let (engagement, _) = engagement_with_a_personal_note(&app, kuopio, &coach, &[&coachee]).await;
    let word = "jännittävänsä";
    assert!(!contains(&store_bytes(&app), word), "the log holds only ciphertext");

    let read: Value = app.get_as(&coach.token, &notes_path(engagement, "preparing")).await.json().await.expect("JSON");
    assert_eq!(read["notes"][0]["personal_text"], PERSONAL_TEXT, "{read}");
    let settings = kirjuri::Settings { data_dir: app.data_dir().to_path_buf(), ..kirjuri::Settings::default() };
    let report = kirjuri::personal_cli::report(&settings, &coachee.subject).await.expect("reports");
    assert!(report.to_string().contains(word), "the access report opens the person's text: {report}");

    // Erased: a reason and a legal basis are required, then the text is gone for everyone.
    let args = |reason: &str| kirjuri::personal_cli::EraseArgs {
        person: coachee.subject.clone(),
        reason: reason.to_owned(),
        legal_basis: "GDPR art. 17(1)(a)".to_owned(),
        actor: "cli:admin".to_owned(),
    };
    assert!(kirjuri::personal_cli::erase(&settings, &args(" ")).await.is_err(), "a reason is required");
    kirjuri::personal_cli::erase(&settings, &args("the person's request of 2026-12-01")).await.expect("erases");
    for reader in [&coach, &coachee] {
        let read: Value =
            app.get_as(&reader.token, &notes_path(engagement, "after the erasure")).await.json().await.expect("JSON");
        assert_eq!(read["notes"][0]["personal_text"], Value::Null, "{read}");
        assert_eq!(read["notes"][0]["personal_text_erased"], true, "{read}");
        assert_eq!(read["notes"][0]["happened"]["fi"], "Videopuhelut onnistuivat, kirjaaminen jäi kesken.");
    }
    let report = kirjuri::personal_cli::report(&settings, &coachee.subject).await.expect("reports");
    assert!(!report.to_string().contains(word), "{report}");
    assert!(report["erased"]["legal_basis"] == "GDPR art. 17(1)(a)", "{report}");
    let token = app.token_for(kuopio);
    let hits: Value = app.get_as(&token, &format!("/api/v1/search?q={word}")).await.json().await.expect("JSON");
    assert_eq!(hits["total"], 0, "{hits}");

    // No new personal text about an erased person is kept: a clear refusal, nothing written.
    let session = Uuid::new_v4();
    let response = app
        .post_command(
            "hold-session",
            &Uuid::new_v4().to_string(),
            &json!({"engagement": engagement, "session": session, "date": "2026-02-02", "format": "group",
                    "duration_minutes": 60, "topics": [], "attendees": 2}),
        )
        .await;
    assert!(response.status().is_success());
    let before = app.events_in_stream(&format!("engagement-{engagement}"));
    let response = app
        .post_command(
            "record-note",
            &Uuid::new_v4().to_string(),
            &json!({"engagement": engagement, "note": Uuid::new_v4(), "session": session, "author": coach.subject,
                    "planned": {"fi": "a"}, "happened": {"fi": "b"}, "why_different": {"fi": "c"},
                    "keep_or_change": {"fi": "d"}, "personal": {"text": "Uusi huomio.", "classification": "personal"}}),
        )
        .await;
    let status = response.status();
    let problem = response.text().await.unwrap_or_default();
    assert!(status.is_client_error(), "{status}: {problem}");
    assert!(problem.contains("erased"), "{problem}");
    assert_eq!(app.events_in_stream(&format!("engagement-{engagement}")), before);

    // The log still proves itself: the erasure destroyed a key, not a byte of the log.
    app.wait_for_projections().await;
    let checkpoint = app.get_as(&token, "/api/v1/integrity/checkpoint").await;
    assert_eq!(checkpoint.status(), StatusCode::OK);
    let args = kirjuri::integrity_cli::VerifyArgs { against: Vec::new(), key: Vec::new(), json: true };
    let verified = kirjuri::integrity_cli::verify(&settings, &args).await.expect("verify runs");
    assert!(verified.healthy && !verified.checkpoints.is_empty(), "{verified:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_written_before_sealing_is_sealed_in_place_before_its_tree_is_first_computed() {
    use kirjuri_events::{EventId, EventMetadata, EventPayload, EventType, ExpectedRevision, NewEvent, StreamName};
    use kirjuri_store::{EventStore, SqliteStore, SqliteStoreOptions};
    let dir = tempfile::tempdir().expect("a temp dir");
    let settings = kirjuri::Settings {
        data_dir: dir.path().to_path_buf(),
        bind: ([127, 0, 0, 1], 0).into(),
        ..kirjuri::Settings::default()
    };
    // As today's code wrote it: an engagement and a note with its personal text in the clear.
    let engagement = Uuid::new_v4();
    let kuopio = MunicipalityId::random();
    {
        let store = SqliteStore::open(SqliteStoreOptions::new(settings.sqlite_path())).expect("opens");
        let stream = StreamName::parse(&format!("engagement-{engagement}")).expect("a name");
        let event = |kind: &str, data: Value| {
            NewEvent::new(
                EventId::random(),
                EventType::parse(kind).expect("a type"),
                EventPayload::from_value(&data).expect("JSON"),
            )
            .with_metadata(EventMetadata { tenant: Some(kuopio.to_string()), ..EventMetadata::default() })
        };
        let events = vec![
            event(
                "EngagementStarted",
                json!({"engagement": engagement, "municipality": kuopio, "coach": "hlo-coach",
                "coachees": ["hlo-anna"], "goals": [{"fi": "Tavoite"}], "started": "2026-01-05"}),
            ),
            event(
                "SessionHeld",
                json!({"engagement": engagement, "session": engagement, "date": "2026-01-12",
                "format": "one_to_one", "duration_minutes": 60, "topics": [], "attendees": 2}),
            ),
            event(
                "NoteRecorded",
                json!({"engagement": engagement, "note": engagement, "session": engagement,
                "author": "hlo-coach", "planned": {"fi": "a"}, "happened": {"fi": "b"}, "why_different": {"fi": "c"},
                "keep_or_change": {"fi": "d"}, "personal": {"text": PERSONAL_TEXT, "classification": "personal"}}),
            ),
        ];
        store.append(&stream, ExpectedRevision::NoStream, events).await.expect("appends");
    }
    let app = kirjuri_tests::spawn_app_in(dir, settings.clone()).await;
    assert!(!contains(&store_bytes(&app), "jännittävänsä"), "sealed in place at start");
    let report = kirjuri::personal_cli::report(&settings, "hlo-anna").await.expect("reports");
    assert!(report.to_string().contains("jännittävänsä"), "and it still opens for who may read it: {report}");
    app.wait_for_projections().await;
    let args = kirjuri::integrity_cli::VerifyArgs { against: Vec::new(), key: Vec::new(), json: true };
    let verified = kirjuri::integrity_cli::verify(&settings, &args).await.expect("verify runs");
    assert!(verified.healthy, "{verified:?}");
}

//! The command API, black-box: one route per command, idempotency keys, If-Match, and a
//! problem+json answer naming the field and the rule for every way a request can be wrong.

use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use uuid::Uuid;

fn id() -> String {
    Uuid::new_v4().to_string()
}

fn key() -> String {
    format!("test-{}", Uuid::new_v4())
}

async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("a problem body");
    assert_eq!(body["status"], status);
    body
}

fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap_or_default()
}

fn register(municipality: &str, code: &str) -> Value {
    json!({ "municipality": municipality, "code": code, "name": { "fi": "Kuopio", "en": "Kuopio" } })
}

/// Registers a municipality and returns its id.
async fn registered_municipality(app: &TestApp, code: &str) -> String {
    let municipality = id();
    let response = app.post_command("register-municipality", &key(), &register(&municipality, code)).await;
    assert_eq!(response.status().as_u16(), 201, "{:?}", response.text().await);
    municipality
}

#[tokio::test]
async fn a_command_creates_its_stream_with_201_and_an_etag_and_a_repeat_is_answered_once() {
    let app = spawn_app().await;
    let municipality = id();
    let idempotency_key = key();
    let body = register(&municipality, "297");
    let first = app.post_command("register-municipality", &idempotency_key, &body).await;
    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(first.headers()["etag"], "\"0\"");
    let first: Value = first.json().await.expect("a JSON body");
    assert_eq!(first["stream"], format!("municipality-{municipality}"));
    assert_eq!(
        (first["revision"].clone(), first["events"].clone(), first["repeated"].clone()),
        (json!(0), json!(1), json!(false))
    );
    assert!(first["position"].is_object(), "{first}");

    // The same key and body, with its keys in another order: the original answer, nothing new.
    let reordered = json!({ "name": { "en": "Kuopio", "fi": "Kuopio" }, "code": "297", "municipality": municipality });
    let again = app.post_command("register-municipality", &idempotency_key, &reordered).await;
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["etag"], "\"0\"");
    let again: Value = again.json().await.expect("a JSON body");
    assert_eq!(again["repeated"], true);
    for field in ["stream", "revision", "position", "events"] {
        assert_eq!(again[field], first[field], "{field}");
    }
    assert_eq!(app.events_in_stream(&format!("municipality-{municipality}")), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_and_writes_nothing() {
    let app = spawn_app().await;
    let (kuopio, oulu) = (id(), id());
    let idempotency_key = key();
    let first = app.post_command("register-municipality", &idempotency_key, &register(&kuopio, "297")).await;
    assert_eq!(first.status().as_u16(), 201);
    // Another body for the same stream …
    let renamed = json!({ "municipality": kuopio, "code": "297", "name": { "fi": "Kuopion kaupunki" } });
    let reused = problem(app.post_command("register-municipality", &idempotency_key, &renamed).await, 422).await;
    assert_eq!(reused["type"], "/problems/idempotency-key-reused");
    assert!(detail(&reused).contains("Idempotency-Key"), "{reused}");
    // … and for another stream of the same tenant scope are both refused.
    let elsewhere = app
        .post_command(
            "join-partner-network",
            &idempotency_key,
            &json!({
                "municipality": kuopio, "host": oulu, "joined_on": "2025-01-01"
            }),
        )
        .await;
    let elsewhere = problem(elsewhere, 422).await;
    assert_eq!(elsewhere["type"], "/problems/idempotency-key-reused", "{elsewhere}");
    assert_eq!(app.events_in_stream(&format!("municipality-{kuopio}")), 1);
}

#[tokio::test]
async fn if_match_decides_only_at_that_revision_and_a_mismatch_is_a_412_naming_the_current_one() {
    let app = spawn_app().await;
    let host = registered_municipality(&app, "091").await;
    let partner = registered_municipality(&app, "297").await;
    let invitation = json!({ "host": host, "partner": partner, "invited_on": "2024-12-01" });
    assert_eq!(app.post_command("invite-partner", &key(), &invitation).await.status().as_u16(), 200);
    let partner_id = MunicipalityId(uuid::Uuid::parse_str(&partner).expect("a uuid"));
    let join =
        json!({ "municipality": partner, "host": host, "joined_on": "2025-01-01", "agreement": "Sopimus 1/2025" });
    let stale = app
        .command_as(partner_id, "join-partner-network")
        .header("Idempotency-Key", key())
        .header("If-Match", "\"5\"")
        .json(&join)
        .send()
        .await
        .expect("sent");
    let stale = problem(stale, 412).await;
    assert!(detail(&stale).contains("revision \"0\""), "{stale}");
    assert_eq!(app.events_in_stream(&format!("municipality-{partner}")), 1);

    let current = app
        .command_as(partner_id, "join-partner-network")
        .header("Idempotency-Key", key())
        .header("If-Match", "\"0\"")
        .json(&join)
        .send()
        .await
        .expect("sent");
    assert_eq!(current.status().as_u16(), 200, "an existing stream changed");
    assert_eq!(current.headers()["etag"], "\"1\"");

    // If-None-Match: * only creates.
    let create_only = app
        .command_as(partner_id, "register-municipality")
        .header("Idempotency-Key", key())
        .header("If-None-Match", "*")
        .json(&register(&partner, "297"))
        .send()
        .await
        .expect("sent");
    problem(create_only, 412).await;
}

#[tokio::test]
async fn commands_of_several_aggregates_go_through_and_a_domain_refusal_is_a_422() {
    let app = spawn_app().await;
    let municipality = registered_municipality(&app, "297").await;
    let unit = id();
    // A municipality that was never registered (a token made for any id) changes nothing.
    let unregistered = id();
    let orphan = app
        .post_command(
            "establish-unit",
            &key(),
            &json!({
                "unit": unit, "municipality": unregistered, "name": { "fi": "Kirjasto" }, "sector": "wellbeing_promotion"
            }),
        )
        .await;
    let orphan = problem(orphan, 403).await;
    assert!(detail(&orphan).contains(&format!("municipality {unregistered} is not registered")), "{orphan}");
    assert_eq!(app.events_in_stream(&format!("unit-{unit}")), 0, "nothing was written");

    let established = app
        .post_command("establish-unit", &key(), &json!({
            "unit": unit, "municipality": municipality, "name": { "fi": "Kirjasto" }, "sector": "wellbeing_promotion"
        }))
        .await;
    assert_eq!(established.status().as_u16(), 201, "{:?}", established.text().await);

    let body = id();
    let registered = app
        .post_command(
            "register-body",
            &key(),
            &json!({
                "body": body, "municipality": municipality, "name": { "fi": "Kaupunginhallitus" },
                "kind": "city_board", "founded": "2021-08-01"
            }),
        )
        .await;
    assert_eq!(registered.status().as_u16(), 201, "{:?}", registered.text().await);
    let seated = app
        .post_command(
            "start-membership",
            &key(),
            &json!({
                "body": body, "membership": id(), "member": "Anna Virtanen", "role": "chair", "started_on": "2021-08-01"
            }),
        )
        .await;
    assert_eq!(seated.status().as_u16(), 200, "{:?}", seated.text().await);
    assert_eq!(seated.headers()["etag"], "\"1\"");

    let proposed = app
        .post_command(
            "propose-experiment",
            &key(),
            &json!({
                "experiment": id(), "municipality": municipality, "name": { "fi": "Etäneuvonta" },
                "problem": { "fi": "Jonot" }, "hypothesis": { "fi": "Jonot lyhenevät" }, "units": [unit],
                "themes": ["asiointi"], "proposed": "2025-02-01"
            }),
        )
        .await;
    assert_eq!(proposed.status().as_u16(), 201, "{:?}", proposed.text().await);
}

#[tokio::test]
async fn every_way_a_request_can_be_wrong_is_a_problem_naming_the_field() {
    let app = spawn_app().await;
    let municipality = id();
    let valid = register(&municipality, "297");

    let malformed = app
        .command("register-municipality")
        .header("Idempotency-Key", key())
        .header("Content-Type", "application/json")
        .body("{\"municipality\": ")
        .send()
        .await
        .expect("sent");
    let malformed = problem(malformed, 400).await;
    assert!(detail(&malformed).contains("line 1, column"), "{malformed}");

    let text = app
        .command("register-municipality")
        .header("Idempotency-Key", key())
        .header("Content-Type", "text/plain")
        .body(valid.to_string())
        .send()
        .await
        .expect("sent");
    problem(text, 415).await;

    let huge = json!({ "municipality": municipality, "code": "297", "name": { "fi": "x".repeat(1024 * 1024 + 1) } });
    problem(app.post_command("register-municipality", &key(), &huge).await, 413).await;

    let no_key = app.command("register-municipality").json(&valid).send().await.expect("sent");
    let no_key = problem(no_key, 400).await;
    assert!(detail(&no_key).contains("Idempotency-Key"), "{no_key}");

    let unknown = json!({ "municipality": municipality, "code": "297", "name": { "fi": "Kuopio" }, "population": 1 });
    let unknown = problem(app.post_command("register-municipality", &key(), &unknown).await, 422).await;
    assert!(detail(&unknown).contains("population"), "{unknown}");

    let missing = json!({ "municipality": municipality, "joined_on": "2025-01-01" });
    let missing = problem(app.post_command("join-partner-network", &key(), &missing).await, 422).await;
    assert!(detail(&missing).contains("host"), "{missing}");

    let own_network = json!({ "municipality": municipality, "host": municipality, "joined_on": "2025-01-01" });
    let own_network = problem(app.post_command("join-partner-network", &key(), &own_network).await, 422).await;
    assert_eq!(own_network["type"], "/problems/invalid-command");
    assert!(detail(&own_network).starts_with("host: must be another municipality"), "{own_network}");

    let empty_name = json!({ "municipality": municipality, "code": "297", "name": { "fi": "" } });
    let empty_name = problem(app.post_command("register-municipality", &key(), &empty_name).await, 422).await;
    assert!(detail(&empty_name).starts_with("name.fi:"), "{empty_name}");

    let bad_answer = json!({
        "campaign": id(), "framework": id(), "response": id(), "respondent": "r-1a2b3c4d", "unit": id(),
        "answers": [{ "item": "1.1", "value": 3 }, { "item": "1.1", "value": 4 }], "submitted_on": "2025-03-01"
    });
    let bad_answer = problem(app.post_command("submit-response", &key(), &bad_answer).await, 422).await;
    assert!(detail(&bad_answer).starts_with("answers[1].item"), "{bad_answer}");

    let no_rationale = json!({
        "practice": id(), "body": id(), "meeting_date": "2025-03-01", "section": 12,
        "motion": { "fi": "Esitys" }, "decision": { "fi": "Hylättiin" }, "resolution": "rejected"
    });
    let no_rationale = problem(app.post_command("decide-practice", &key(), &no_rationale).await, 422).await;
    assert!(detail(&no_rationale).starts_with("rationale"), "{no_rationale}");

    let window = json!({
        "campaign": id(), "municipality": municipality, "framework": id(), "units": [id()], "title": { "fi": "Kysely" },
        "opens": "2025-03-10", "closes": "2025-03-01", "min_group_size": 5
    });
    let window = problem(app.post_command("open-campaign", &key(), &window).await, 422).await;
    assert!(detail(&window).starts_with("closes"), "{window}");

    let unknown_command = app.post_command("do-everything", &key(), &valid).await;
    problem(unknown_command, 404).await;
    assert_eq!(app.events_in_stream(&format!("municipality-{municipality}")), 0);
}

#[tokio::test]
async fn the_body_limit_is_a_setting_and_a_body_over_it_is_a_413_that_changes_nothing() {
    let app = spawn_app_with(|settings| settings.max_body_bytes = 4096).await;
    let municipality = id();
    let over = json!({ "municipality": municipality, "code": "297", "name": { "fi": "x".repeat(4096) } });
    let over = problem(app.post_command("register-municipality", &key(), &over).await, 413).await;
    assert!(detail(&over).contains("4096 bytes"), "{over}");
    assert!(detail(&over).contains("max_body_bytes"), "{over}");

    let under = json!({ "municipality": municipality, "code": "297", "name": { "fi": "x".repeat(3000) } });
    let response = app.post_command("register-municipality", &key(), &under).await;
    assert_eq!(
        response.status().as_u16(),
        201,
        "the refused body wrote nothing, so the same id is new: {:?}",
        response.text().await
    );
}

#[tokio::test]
async fn every_documented_command_routes_and_refuses_an_empty_body_without_a_5xx() {
    let app = spawn_app().await;
    let document: Value = app.get("/api/v1/openapi.json").await.json().await.expect("the OpenAPI document");
    let paths = document["paths"].as_object().expect("paths");
    let commands: Vec<&String> = paths.keys().filter(|p| p.starts_with("/api/v1/commands/")).collect();
    assert_eq!(commands.len(), 45, "one route per command of every aggregate");
    let token = app.token_for(kirjuri_events::domain::MunicipalityId::random());
    for path in commands {
        let operation = &paths[path]["post"];
        assert!(operation["requestBody"].is_object(), "{path} documents its body");
        let required_key = operation["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key" && p["required"] == true));
        assert!(required_key, "{path} documents the Idempotency-Key as required");
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .bearer_auth(&token)
            .header("Idempotency-Key", key())
            .json(&json!({}))
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        assert!(status == 400 || status == 422, "{path} answered {status} to an empty object");
        assert!(operation["responses"][status.to_string()].is_object(), "{path} documents {status}");
    }
}

#[tokio::test]
async fn a_command_needs_credentials_a_role_that_may_issue_it_and_a_record_of_ones_own_municipality() {
    use kirjuri::auth::Role;
    use kirjuri_events::domain::MunicipalityId;
    let app = spawn_app().await;
    let municipality = registered_municipality(&app, "297").await;
    let kuopio = MunicipalityId(Uuid::parse_str(&municipality).expect("an id"));
    let unit = json!({ "unit": id(), "municipality": municipality, "name": { "fi": "Kirjasto" }, "sector": "wellbeing_promotion" });

    let anonymous =
        app.client.post(app.url("/api/v1/commands/establish-unit")).header("Idempotency-Key", key()).json(&unit);
    problem(anonymous.send().await.expect("sent"), 401).await;

    let (_, staff) = app.create_api_token(kuopio, &[Role::Staff], None);
    let as_staff = |body: &Value| {
        app.client
            .post(app.url("/api/v1/commands/establish-unit"))
            .bearer_auth(&staff)
            .header("Idempotency-Key", key())
            .json(body)
    };
    let refused = problem(as_staff(&unit).send().await.expect("sent"), 403).await;
    assert!(detail(&refused).contains("admin"), "the refusal names the role that may: {refused}");

    let (_, outsider) = app.create_api_token(MunicipalityId::random(), &Role::ALL, None);
    let foreign = app
        .client
        .post(app.url("/api/v1/commands/establish-unit"))
        .bearer_auth(&outsider)
        .header("Idempotency-Key", key())
        .json(&unit)
        .send()
        .await
        .expect("sent");
    problem(foreign, 404).await;
    // A command that names no municipality is checked against the record's own.
    let foreign_seat = app
        .client
        .post(app.url("/api/v1/commands/set-unit-target"))
        .bearer_auth(&outsider)
        .header("Idempotency-Key", key())
        .json(&json!({ "unit": unit["unit"], "framework": id(), "dimension": "1", "target": 3.0, "set_on": "2025-01-01" }))
        .send()
        .await
        .expect("sent");
    assert_ne!(foreign_seat.status().as_u16(), 200, "another municipality's caller changed nothing");
    assert_eq!(app.events_in_stream(&format!("unit-{}", unit["unit"].as_str().unwrap_or_default())), 0);

    let own = app.post_command("establish-unit", &key(), &unit).await;
    assert_eq!(own.status().as_u16(), 201, "{:?}", own.text().await);
    let stored_tenant = {
        let connection = rusqlite::Connection::open(app.data_dir().join("events.sqlite")).expect("store");
        connection
            .query_row(
                "SELECT tenant FROM events WHERE stream = ?1",
                [format!("unit-{}", unit["unit"].as_str().unwrap_or_default())],
                |r| r.get::<_, String>(0),
            )
            .expect("the event")
    };
    assert_eq!(stored_tenant, municipality, "the event records the caller's municipality");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_identical_commands_sent_at_once_exactly_one_is_answered_as_the_original() {
    let app = spawn_app().await;
    let municipality = registered_municipality(&app, "297").await;
    let idempotency_key = key();
    let body = json!({
        "unit": id(), "municipality": municipality, "name": { "fi": "Kirjasto" }, "sector": "wellbeing_promotion"
    });
    let requests =
        (0..200).map(|_| app.command("establish-unit").header("Idempotency-Key", &idempotency_key).json(&body).send());
    let answers = futures::future::join_all(requests).await;
    let mut originals = 0;
    let mut outcomes = std::collections::BTreeSet::new();
    for answer in answers {
        let answer = answer.expect("sent");
        assert_eq!(answer.status().as_u16(), 201, "every answer is the first one's");
        let outcome: Value = answer.json().await.expect("a JSON body");
        if outcome["repeated"] == false {
            originals += 1;
        }
        outcomes.insert(format!("{} {} {}", outcome["stream"], outcome["revision"], outcome["position"]));
    }
    assert_eq!(originals, 1, "one request applied the command; the other 199 are its replays");
    assert_eq!(outcomes.len(), 1, "every answer names the same stream, revision and position: {outcomes:?}");
}

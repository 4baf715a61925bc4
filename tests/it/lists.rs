//! Lists over HTTP, black-box: experiments, lessons, practices, bodies and municipalities
//! after commands through the API; pages that cover every item once; filters; tenant
//! isolation; ETags and 304; a 400 naming each malformed parameter.

use std::collections::BTreeSet;

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

fn id() -> String {
    Uuid::new_v4().to_string()
}

fn fi(text: &str) -> Value {
    json!({ "fi": text })
}

/// Issues a command that must succeed.
async fn done(app: &TestApp, name: &str, body: Value) {
    let response = app.post_command(name, &format!("lists-{}", Uuid::new_v4()), &body).await;
    let status = response.status();
    assert!(status.is_success(), "{name} answered {status}: {}", response.text().await.unwrap_or_default());
}

/// What [`programme`] created.
struct Programme {
    kuopio: String,
    oulu: String,
    school: String,
    board: String,
    committee: String,
    /// Kuopio's experiments, in proposal order; the first is approved and running.
    experiments: Vec<String>,
    oulu_experiment: String,
    /// Kuopio's lessons; the first is tagged `etä` and has an action assigned.
    lessons: Vec<String>,
    oulu_lesson: String,
    /// Kuopio's practices; the first passed the board on 2025-03-10.
    practices: Vec<String>,
    shared_practice: String,
    oulu_private_practice: String,
}

fn proposal(experiment: &str, municipality: &str, unit: &str, day: u32) -> Value {
    json!({
        "experiment": experiment, "municipality": municipality, "name": fi(&format!("Kokeilu {day}")),
        "problem": fi("Jonot"), "hypothesis": fi("Jonot lyhenevät"), "units": [unit], "themes": [],
        "proposed": format!("2025-01-{day:02}")
    })
}

fn lesson(lesson: &str, municipality: &str, experiment: &str, tags: &[&str]) -> Value {
    json!({
        "lesson": lesson, "municipality": municipality, "title": fi("Opittua"), "driving_event": fi("Kokeilu"),
        "lesson_text": fi("Näin kannattaa"), "recommendations": [], "observations": [],
        "sources": [{ "kind": "experiment", "id": experiment }], "tags": tags
    })
}

fn draft(practice: &str, municipality: &str, tags: &[&str]) -> Value {
    json!({
        "practice": practice, "municipality": municipality, "title": fi("Käytäntö"), "context": fi("Jonot"),
        "options_considered": [], "chosen_option": fi("Etäpalvelu"), "consequences": {}, "evidence": [], "tags": tags
    })
}

/// Drafts, submits to `body` and passes practice `practice` at a meeting on `meeting_date`.
async fn passed_practice(app: &TestApp, practice: &str, municipality: &str, body: &str, meeting_date: &str) {
    done(app, "draft-practice", draft(practice, municipality, &["asiointi"])).await;
    let case = "KUO/1234/00.01.02/2025";
    done(app, "submit-practice", json!({ "practice": practice, "body": body, "case_number": case })).await;
    done(
        app,
        "decide-practice",
        json!({
            "practice": practice, "body": body, "meeting_date": meeting_date, "section": 5,
            "motion": fi("Esitys"), "decision": fi("Hyväksyttiin"), "resolution": "passed"
        }),
    )
    .await;
}

/// Kuopio with units, bodies, five experiments, three lessons and three practices; Oulu with
/// its own experiment, lesson and two practices, one shared with Kuopio; Oulu in Kuopio's
/// partner network. Waits for the read models.
async fn programme(app: &TestApp) -> Programme {
    let (kuopio, oulu) = (id(), id());
    for (municipality, code, name) in [(&oulu, "564", "Oulu"), (&kuopio, "297", "Kuopio")] {
        done(app, "register-municipality", json!({ "municipality": municipality, "code": code, "name": fi(name) }))
            .await;
    }
    let (library, school, board, committee) = (id(), id(), id(), id());
    for unit in [&library, &school] {
        done(
            app,
            "establish-unit",
            json!({ "unit": unit, "municipality": kuopio, "name": fi("Yksikkö"), "sector": "wellbeing_promotion" }),
        )
        .await;
    }
    for (body, kind) in [(&board, "city_board"), (&committee, "committee")] {
        done(
            app,
            "register-body",
            json!({ "body": body, "municipality": kuopio, "name": fi("Toimielin"), "kind": kind, "founded": "2021-08-01" }),
        )
        .await;
    }
    let experiments: Vec<String> = (0..5).map(|_| id()).collect();
    for (index, experiment) in experiments.iter().enumerate() {
        let unit = if index % 2 == 0 { &library } else { &school };
        done(app, "propose-experiment", proposal(experiment, &kuopio, unit, u32::try_from(index + 1).unwrap_or(1)))
            .await;
    }
    done(
        app,
        "approve-experiment",
        json!({
            "experiment": experiments[0],
            "decision": { "body": board, "meeting_date": "2025-01-20", "section": 3, "decision_text": fi("Hyväksyttiin") },
            "scope": { "group": fi("Asiakkaat"), "place": fi("Keskusta") }, "starts": "2025-02-01", "ends": "2025-06-30"
        }),
    )
    .await;
    done(
        app,
        "define-protocol",
        json!({
            "experiment": experiments[0], "design": "before_after",
            "criteria": [{ "criterion": "effectiveness", "metrics": [
                { "code": "waiting_days", "name": fi("Odotusaika"), "unit": "vrk", "direction": "lower_is_better" }
            ] }]
        }),
    )
    .await;
    done(app, "change-stage", json!({ "experiment": experiments[0], "to": "running", "changed": "2025-02-01" })).await;
    let lessons: Vec<String> = (0..3).map(|_| id()).collect();
    for (index, lesson_id) in lessons.iter().enumerate() {
        let tags: &[&str] = if index == 0 { &["etä"] } else { &[] };
        done(app, "identify-lesson", lesson(lesson_id, &kuopio, &experiments[index], tags)).await;
    }
    done(
        app,
        "assign-lesson-action",
        json!({ "lesson": lessons[0], "unit": library, "action": fi("Ohjeistetaan"), "due": "2025-09-01" }),
    )
    .await;
    let practices: Vec<String> = (0..3).map(|_| id()).collect();
    passed_practice(app, &practices[0], &kuopio, &board, "2025-03-10").await;
    for practice in &practices[1..] {
        done(app, "draft-practice", draft(practice, &kuopio, &[])).await;
    }

    let (oulu_unit, oulu_body, oulu_experiment, oulu_lesson) = (id(), id(), id(), id());
    done(
        app,
        "establish-unit",
        json!({ "unit": oulu_unit, "municipality": oulu, "name": fi("Oulun yksikkö"), "sector": "wellbeing_promotion" }),
    )
    .await;
    done(
        app,
        "register-body",
        json!({ "body": oulu_body, "municipality": oulu, "name": fi("Oulun hallitus"), "kind": "city_board", "founded": "2021-08-01" }),
    )
    .await;
    done(app, "propose-experiment", proposal(&oulu_experiment, &oulu, &oulu_unit, 6)).await;
    done(app, "identify-lesson", lesson(&oulu_lesson, &oulu, &oulu_experiment, &["etä"])).await;
    let (shared_practice, oulu_private_practice) = (id(), id());
    passed_practice(app, &shared_practice, &oulu, &oulu_body, "2025-04-01").await;
    done(app, "share-practice", json!({ "practice": shared_practice, "partners": [kuopio] })).await;
    done(app, "draft-practice", draft(&oulu_private_practice, &oulu, &["asiointi"])).await;
    done(app, "invite-partner", json!({ "host": kuopio, "partner": oulu, "invited_on": "2025-01-01" })).await;
    done(app, "join-partner-network", json!({ "municipality": oulu, "host": kuopio, "joined_on": "2025-01-02" })).await;
    app.wait_for_projections().await;
    Programme {
        kuopio,
        oulu,
        school,
        board,
        committee,
        experiments,
        oulu_experiment,
        lessons,
        oulu_lesson,
        practices,
        shared_practice,
        oulu_private_practice,
    }
}

fn token(app: &TestApp, municipality: &str, role: Role) -> String {
    let municipality = MunicipalityId(Uuid::parse_str(municipality).expect("an id"));
    app.create_api_token(municipality, &[role], None).1
}

async fn json_ok(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.expect("JSON")
}

/// The ids (`field`) of a page's items.
fn ids(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[field].as_str().expect("an id").to_owned())
        .collect()
}

/// Every item of a list, read `limit` at a time through `next`.
async fn every_page(app: &TestApp, token: &str, path: &str, field: &str, limit: usize) -> Vec<String> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut seen = Vec::new();
    let mut url = format!("{path}{separator}limit={limit}");
    for _ in 0..100 {
        let page = json_ok(app, token, &url).await;
        let items = ids(&page, field);
        assert!(items.len() <= limit, "{page}");
        seen.extend(items);
        match page["next"].as_str() {
            Some(next) => url = format!("{path}{separator}limit={limit}&after={next}"),
            None => return seen,
        }
    }
    panic!("{path} did not end in 100 pages");
}

fn set(items: &[String]) -> BTreeSet<String> {
    items.iter().cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_hold_the_callers_records_in_pages_that_cover_each_once_and_narrow_by_their_filters() {
    let app = spawn_app().await;
    let p = programme(&app).await;
    let staff = token(&app, &p.kuopio, Role::Staff);

    let experiments = every_page(&app, &staff, "/api/v1/experiments", "experiment", 2).await;
    assert_eq!(experiments.len(), p.experiments.len(), "each once: {experiments:?}");
    assert_eq!(set(&experiments), set(&p.experiments), "Kuopio's five, not Oulu's");
    let newest_first: Vec<String> = p.experiments.iter().rev().cloned().collect();
    assert_eq!(experiments, newest_first);
    let running = json_ok(&app, &staff, "/api/v1/experiments?status=running").await;
    assert_eq!(ids(&running, "experiment"), [p.experiments[0].clone()]);
    assert_eq!(running["items"][0]["approved_by"], p.board.as_str());
    assert_eq!(running["items"][0]["starts"], "2025-02-01");
    let at_school = json_ok(&app, &staff, &format!("/api/v1/experiments?unit={}", p.school)).await;
    assert_eq!(ids(&at_school, "experiment"), [p.experiments[3].clone(), p.experiments[1].clone()]);
    let early = json_ok(&app, &staff, "/api/v1/experiments?from=2025-01-02&to=2025-01-03").await;
    assert_eq!(ids(&early, "experiment"), [p.experiments[2].clone(), p.experiments[1].clone()]);

    let lessons = every_page(&app, &staff, "/api/v1/lessons", "lesson", 1).await;
    assert_eq!((lessons.len(), set(&lessons)), (p.lessons.len(), set(&p.lessons)));
    let tagged = json_ok(&app, &staff, "/api/v1/lessons?tag=et%C3%A4").await;
    assert_eq!(ids(&tagged, "lesson"), [p.lessons[0].clone()], "Oulu's lesson with the same tag is absent");
    assert_eq!(tagged["items"][0]["status"], "acting");
    let from_experiment = json_ok(&app, &staff, &format!("/api/v1/lessons?experiment={}", p.experiments[1])).await;
    assert_eq!(ids(&from_experiment, "lesson"), [p.lessons[1].clone()]);
    let identified = json_ok(&app, &staff, "/api/v1/lessons?status=identified").await;
    assert_eq!(set(&ids(&identified, "lesson")), set(&p.lessons[1..]));

    let practices = json_ok(&app, &staff, "/api/v1/practices?limit=100").await;
    let listed = ids(&practices, "practice");
    let mut expected = p.practices.clone();
    expected.push(p.shared_practice.clone());
    assert_eq!(set(&listed), set(&expected), "own and shared, not Oulu's private one");
    assert!(!listed.contains(&p.oulu_private_practice));
    for item in practices["items"].as_array().expect("items") {
        assert_eq!(item["shared"], item["practice"] == p.shared_practice.as_str(), "{item}");
    }
    assert_eq!(every_page(&app, &staff, "/api/v1/practices", "practice", 3).await, listed);
    let by_board = json_ok(&app, &staff, &format!("/api/v1/practices?body={}", p.board)).await;
    assert_eq!(ids(&by_board, "practice"), [p.practices[0].clone()]);
    assert_eq!(by_board["items"][0]["latest_decision"]["meeting_date"], "2025-03-10");
    let by_committee = json_ok(&app, &staff, &format!("/api/v1/practices?body={}", p.committee)).await;
    assert_eq!(ids(&by_committee, "practice"), Vec::<String>::new());
    let in_march = json_ok(&app, &staff, "/api/v1/practices?from=2025-03-01&to=2025-03-31").await;
    assert_eq!(ids(&in_march, "practice"), [p.practices[0].clone()]);
    let passed = json_ok(&app, &staff, "/api/v1/practices?status=passed").await;
    assert_eq!(set(&ids(&passed, "practice")), set(&[p.practices[0].clone(), p.shared_practice.clone()]));
    let tagged = json_ok(&app, &staff, "/api/v1/practices?tag=ASIOINTI").await;
    assert_eq!(set(&ids(&tagged, "practice")), set(&[p.practices[0].clone(), p.shared_practice.clone()]));

    let bodies = json_ok(&app, &staff, "/api/v1/bodies").await;
    assert_eq!(ids(&bodies, "body"), [p.committee.clone(), p.board.clone()]);
    let boards = json_ok(&app, &staff, "/api/v1/bodies?kind=city_board").await;
    assert_eq!(ids(&boards, "body"), [p.board.as_str()]);

    let municipalities = json_ok(&app, &staff, "/api/v1/municipalities").await;
    let relations: Vec<(String, String)> = municipalities["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| {
            (
                m["municipality"].as_str().unwrap_or_default().to_owned(),
                m["relation"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(relations, [(p.kuopio.clone(), "own".to_owned()), (p.oulu.clone(), "partner".to_owned())]);

    // Another municipality's staff see none of Kuopio's records.
    let stranger = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None).1;
    for (path, field) in [
        ("/api/v1/experiments", "experiment"),
        ("/api/v1/lessons", "lesson"),
        ("/api/v1/practices", "practice"),
        ("/api/v1/bodies", "body"),
        ("/api/v1/municipalities", "municipality"),
    ] {
        assert_eq!(ids(&json_ok(&app, &stranger, path).await, field), Vec::<String>::new(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_records_carry_their_revision_answer_304_when_unchanged_and_404_to_other_municipalities() {
    let app = spawn_app().await;
    let p = programme(&app).await;
    let staff = token(&app, &p.kuopio, Role::Staff);

    for (path, stream) in [
        (format!("/api/v1/experiments/{}", p.experiments[0]), format!("experiment-{}", p.experiments[0])),
        (format!("/api/v1/lessons/{}", p.lessons[0]), format!("lesson-{}", p.lessons[0])),
        (format!("/api/v1/municipalities/{}", p.kuopio), format!("municipality-{}", p.kuopio)),
    ] {
        let response = app.get_as(&staff, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let etag = response.headers()["etag"].to_str().expect("text").to_owned();
        assert_eq!(etag, format!("\"{}\"", app.events_in_stream(&stream) - 1), "{path}");
        let again = app
            .client
            .get(app.url(&path))
            .bearer_auth(&staff)
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.expect("body").is_empty());
        let stale = app
            .client
            .get(app.url(&path))
            .bearer_auth(&staff)
            .header("If-None-Match", "\"999\"")
            .send()
            .await
            .expect("sent");
        assert_eq!(stale.status(), StatusCode::OK, "{path}");
    }
    let experiment = json_ok(&app, &staff, &format!("/api/v1/experiments/{}", p.experiments[0])).await;
    assert_eq!(
        (experiment["status"].as_str(), experiment["municipality"].as_str()),
        (Some("running"), Some(p.kuopio.as_str()))
    );
    let kuopio = json_ok(&app, &staff, &format!("/api/v1/municipalities/{}", p.kuopio)).await;
    assert_eq!((kuopio["code"].clone(), kuopio["partners"].clone()), (json!("297"), json!([p.oulu])));

    // A change moves the ETag on: the old one no longer answers 304.
    let path = format!("/api/v1/lessons/{}", p.lessons[1]);
    let before = app.get_as(&staff, &path).await.headers()["etag"].to_str().expect("text").to_owned();
    let units = json_ok(&app, &staff, &format!("/api/v1/experiments/{}", p.experiments[1])).await["units"].clone();
    let assigned = app
        .client
        .post(app.url("/api/v1/commands/assign-lesson-action"))
        .bearer_auth(app.token_for(MunicipalityId(Uuid::parse_str(&p.kuopio).expect("an id"))))
        .header("Idempotency-Key", "lists-assign")
        .json(&json!({ "lesson": p.lessons[1], "unit": units[0], "action": fi("Tehdään"), "due": "2025-10-01" }))
        .send()
        .await
        .expect("sent");
    assert!(assigned.status().is_success(), "{:?}", assigned.text().await);
    app.wait_for_projections().await;
    let after =
        app.client.get(app.url(&path)).bearer_auth(&staff).header("If-None-Match", &before).send().await.expect("sent");
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(after.headers()["etag"].to_str().expect("text"), before);
    assert_eq!(after.json::<Value>().await.expect("JSON")["status"], "acting");

    // Oulu's records are not Kuopio's: 404, as for records that do not exist.
    for path in [
        format!("/api/v1/experiments/{}", p.oulu_experiment),
        format!("/api/v1/lessons/{}", p.oulu_lesson),
        format!("/api/v1/experiments/{}", id()),
        format!("/api/v1/lessons/{}", id()),
        format!("/api/v1/municipalities/{}", id()),
    ] {
        assert_eq!(app.get_as(&staff, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // A partner municipality is readable (without its own network); an unrelated one is not.
    let oulu = json_ok(&app, &staff, &format!("/api/v1/municipalities/{}", p.oulu)).await;
    assert_eq!((oulu["relation"].clone(), oulu["hosts"].clone()), (json!("partner"), json!([])));
    let stranger = app.create_api_token(MunicipalityId::random(), &[Role::Auditor], None).1;
    for path in [
        format!("/api/v1/experiments/{}", p.experiments[0]),
        format!("/api/v1/lessons/{}", p.lessons[0]),
        format!("/api/v1/municipalities/{}", p.kuopio),
    ] {
        assert_eq!(app.get_as(&stranger, &path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_malformed_list_parameter_is_a_400_naming_it() {
    let app = spawn_app().await;
    let staff = app.create_api_token(MunicipalityId::random(), &[Role::Staff], None).1;
    for (path, named) in [
        ("/api/v1/experiments?status=sideways", "status"),
        ("/api/v1/experiments?unit=library", "unit"),
        ("/api/v1/experiments?from=2025-02-30", "from"),
        ("/api/v1/experiments?from=2025-03-01&to=2025-02-01", "to"),
        ("/api/v1/experiments?limit=0", "limit"),
        ("/api/v1/experiments?limit=101", "limit"),
        ("/api/v1/experiments?limit=many", "limit"),
        ("/api/v1/experiments?after=yesterday", "after"),
        ("/api/v1/experiments?colour=red", "colour"),
        ("/api/v1/lessons?status=forgotten", "status"),
        ("/api/v1/lessons?experiment=x", "experiment"),
        ("/api/v1/lessons?tag=%20%20", "tag"),
        ("/api/v1/lessons?to=soon", "to"),
        ("/api/v1/practices?status=approved", "status"),
        ("/api/v1/practices?body=board", "body"),
        ("/api/v1/practices?municipality=00000000-0000-0000-0000-000000000000", "municipality"),
        ("/api/v1/bodies?kind=parliament", "kind"),
        ("/api/v1/municipalities?after=-1", "after"),
        ("/api/v1/municipalities?kind=city", "kind"),
        ("/api/v1/experiments/not-an-id", "experiment"),
        ("/api/v1/lessons/not-an-id", "lesson"),
        ("/api/v1/municipalities/kuopio", "municipality"),
    ] {
        let response = app.get_as(&staff, path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let problem: Value = response.json().await.expect("a problem");
        assert!(problem["detail"].as_str().is_some_and(|d| d.starts_with(named)), "{path}: {problem}");
    }
    for path in
        ["/api/v1/experiments", "/api/v1/lessons", "/api/v1/practices", "/api/v1/bodies", "/api/v1/municipalities"]
    {
        assert_eq!(app.get(path).await.status(), StatusCode::UNAUTHORIZED, "{path}");
        let empty = json_ok(&app, &staff, path).await;
        assert_eq!((empty["items"].clone(), empty["next"].clone()), (json!([]), Value::Null), "{path}");
    }
}

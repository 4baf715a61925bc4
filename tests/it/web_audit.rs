//! The auditor's pages over plain HTTP, checked against the API they read through: the
//! timeline's filters narrow it as the API's do, an as-of moment shows the earlier state, a
//! difference shows the changed fields, the CSV and JSON exports hold exactly the rows shown
//! (CSV escaped), staff get 403, another municipality's records are 404, bad input is a 400
//! naming the parameter, and personal text never appears on any of them.

use std::time::{Duration, Instant};

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::web::{page, sign_in};
use kirjuri_tests::{TestApp, spawn_app, spawn_app_with_demo};
use serde_json::{Value, json};
use uuid::Uuid;

const PERSONAL_TEXT: &str = "Kertoi jännittävänsä kameran edessä olemista; toivoi harjoittelua kahden kesken.";

/// The page's body, asserting its status.
async fn body(app: &TestApp, cookie: &str, path: &str, status: u16) -> String {
    let response = page(app, cookie, path).await;
    let got = response.status().as_u16();
    let text = response.text().await.expect("a body");
    assert_eq!(got, status, "{path}: {text}");
    text
}

/// The API's JSON for `path` as `token`.
async fn api(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON")
}

/// The ids of the events a page shows, in order (`id="event-<id>"`).
fn shown_event_ids(html: &str) -> Vec<String> {
    html.split("id=\"event-").skip(1).map(|rest| rest.split('"').next().unwrap_or_default().to_owned()).collect()
}

/// The ids of a page of the API's events, in order.
fn api_event_ids(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["event_id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Text as maud writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// RFC 4180: the rows of a CSV text, each a list of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

/// When the API says `event` was recorded.
fn recorded(event: &Value) -> String {
    event["recorded_at"].as_str().expect("a recorded time").to_owned()
}

struct Demo {
    app: TestApp,
    kuopio: MunicipalityId,
    auditor_token: String,
    auditor: String,
}

async fn demo() -> Demo {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, auditor_token) = app.create_api_token(kuopio, &[Role::Auditor], None);
    let auditor = sign_in(&app, &auditor_token).await;
    Demo { app, kuopio, auditor_token, auditor }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timelines_filters_and_moments_narrow_it_as_the_api_does_and_the_exports_hold_the_rows_shown() {
    let Demo { app, auditor_token, auditor, .. } = demo().await;
    let everything = api(&app, &auditor_token, "/api/v1/timeline?limit=200").await;
    let events = everything["events"].as_array().expect("events");
    let newest = api(&app, &auditor_token, "/api/v1/timeline?start=newest&limit=1").await;
    let with_unit = events.iter().find(|e| e["unit"].is_string()).expect("an event naming a unit");
    let actor = events.iter().find_map(|e| e["actor"].as_str()).expect("an event with an actor");
    let queries = [
        String::new(),
        "kind=practice".to_owned(),
        "kind=practice&event_type=PracticeDecided".to_owned(),
        format!("unit={}", with_unit["unit"].as_str().unwrap_or_default()),
        format!("actor={}", actor.replace(':', "%3A")),
        format!("kind=experiment&from={}&to={}&start=newest", recorded(&events[10]), recorded(&newest["events"][0])),
    ];
    let mut seen = Vec::new();
    for query in &queries {
        let html = body(&app, &auditor, &format!("/timeline?{query}"), 200).await;
        let expected = api_event_ids(&api(&app, &auditor_token, &format!("/api/v1/timeline?{query}")).await);
        assert!(!expected.is_empty(), "{query}: the demo has such events");
        assert_eq!(shown_event_ids(&html), expected, "{query}: the page shows the API's events");
        seen.push(expected);
    }
    assert_ne!(seen[0], seen[1], "a filter narrows the timeline");
    // An empty field of the form is no filter (the API would refuse `actor=`).
    let form = body(&app, &auditor, "/timeline?kind=practice&event_type=&actor=&unit=&from=&to=", 200).await;
    assert_eq!(shown_event_ids(&form), seen[1]);

    // As of a moment: the newest events up to it, as the API's `to` bound gives them. (The
    // demo's events are all recorded today, so the moment is one of theirs.)
    let practices = api(&app, &auditor_token, "/api/v1/timeline?kind=practice&limit=200").await;
    let practice_events = practices["events"].as_array().expect("events");
    let moment = recorded(&practice_events[practice_events.len() / 2]);
    let as_of = body(&app, &auditor, &format!("/timeline?kind=practice&as_of={moment}"), 200).await;
    let until = api(&app, &auditor_token, &format!("/api/v1/timeline?kind=practice&to={moment}&start=newest")).await;
    assert!(!api_event_ids(&until).is_empty(), "the demo has practice events by then");
    assert_eq!(shown_event_ids(&as_of), api_event_ids(&until));
    assert_ne!(
        shown_event_ids(&as_of),
        api_event_ids(&api(&app, &auditor_token, "/api/v1/timeline?kind=practice&start=newest").await),
        "not the present"
    );
    assert!(as_of.contains(&moment), "the page says which moment it shows");
    let before_it_all = body(&app, &auditor, "/timeline?as_of=2000-01-01", 200).await;
    assert!(shown_event_ids(&before_it_all).is_empty(), "nothing was recorded by a day before the programme");
    // As of a position (the slider): the page ends at the event at that position.
    let middle = &events[events.len() / 2];
    let position = middle["position"].as_str().expect("a position");
    let commit = position.split('.').next().expect("a commit");
    let slid = body(&app, &auditor, &format!("/timeline?position={commit}"), 200).await;
    let shown = shown_event_ids(&slid);
    assert_eq!(shown.last().map(String::as_str), middle["event_id"].as_str(), "the last event shown is the one there");
    let earlier = api(&app, &auditor_token, &format!("/api/v1/timeline?before={position}&limit=10")).await;
    assert!(api_event_ids(&earlier).iter().all(|id| shown.contains(id)), "and the ones before it");
    assert!(slid.contains(&format!("value=\"{commit}\"")), "the slider stands there");

    // The exports hold exactly the rows the page shows, with the same query.
    let query = "kind=practice&limit=40";
    let shown = shown_event_ids(&body(&app, &auditor, &format!("/timeline?{query}"), 200).await);
    let json = page(&app, &auditor, &format!("/timeline.json?{query}")).await;
    assert_eq!(json.status(), 200);
    assert!(json.headers()["content-disposition"].to_str().unwrap_or_default().starts_with("attachment"));
    let json: Value = json.json().await.expect("JSON");
    assert_eq!(api_event_ids(&json), shown);
    let csv = page(&app, &auditor, &format!("/timeline.csv?{query}")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/csv"));
    assert!(
        csv.headers()["content-disposition"].to_str().unwrap_or_default().contains("filename=\"kirjuri-timeline.csv\"")
    );
    let rows = parse_csv(&csv.text().await.expect("a body"));
    assert_eq!(rows[0][1], "event_id");
    let ids: Vec<String> = rows[1..].iter().map(|row| row[1].clone()).collect();
    assert_eq!(ids, shown, "one row per event shown");
    for (row, event) in rows[1..].iter().zip(json["events"].as_array().expect("events")) {
        assert_eq!(row.len(), rows[0].len(), "every row has every column");
        let data: Value = serde_json::from_str(&row[9]).expect("the data cell round-trips through the CSV quoting");
        assert_eq!(data, event["data"]);
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "no cell is a formula: {cell}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entitys_trail_state_as_of_a_moment_and_difference_show_what_the_api_says() {
    let Demo { app, kuopio, auditor_token, auditor } = demo().await;
    let decided = api(&app, &auditor_token, "/api/v1/timeline?kind=practice&event_type=PracticeDecided&limit=1").await;
    let practice = decided["events"][0]["entity_id"].as_str().expect("a decided practice").to_owned();
    let trail = api(&app, &auditor_token, &format!("/api/v1/audit/practice/{practice}?limit=200")).await;
    let first = trail["events"][0]["position"].as_str().expect("its first event").to_owned();

    let html = body(&app, &auditor, &format!("/audit/practice/{practice}"), 200).await;
    assert_eq!(shown_event_ids(&html), api_event_ids(&trail), "every event, each under its anchor");
    let first_id = trail["events"][0]["event_id"].as_str().expect("an id");
    assert!(html.contains(&format!("<code>{first_id}</code>")), "the event id is shown");
    assert!(html.contains(&escaped(trail["events"][0]["event_type"].as_str().expect("a type"))));

    let diff = api(&app, &auditor_token, &format!("/api/v1/diff/practice/{practice}?from={first}")).await;
    let changes = diff["changes"].as_array().expect("changes");
    assert!(!changes.is_empty(), "the practice changed after it was drafted");
    let change = changes.iter().find(|c| c["field"] == "status").unwrap_or(&changes[0]);
    let (field, before, after) = (
        change["field"].as_str().expect("a field"),
        change["before"].as_str().expect("a value before"),
        change["after"].as_str().expect("a value after"),
    );
    let then = body(&app, &auditor, &format!("/state/practice/{practice}?as_of={first}"), 200).await;
    let now = body(&app, &auditor, &format!("/state/practice/{practice}"), 200).await;
    let cell =
        |value: &str| format!("<th scope=\"row\">{}</th><td><code>{}</code></td>", escaped(field), escaped(value));
    assert!(then.contains(&cell(before)), "as of its first event: {field} = {before}");
    assert!(now.contains(&cell(after)), "now: {field} = {after}");
    assert!(!then.contains(&cell(after)));
    // The same moment as a day: before the practice existed it did not exist.
    let before_all = body(&app, &auditor, &format!("/state/practice/{practice}?as_of=2000-01-01"), 200).await;
    assert!(!before_all.contains("<table"), "no fields before its first event");

    let html = body(&app, &auditor, &format!("/diff/practice/{practice}?from={first}"), 200).await;
    assert_eq!(html.matches("<tr class=\"changed\">").count(), changes.len(), "one row per changed field");
    assert!(html.contains(&format!("<th scope=\"row\">{}</th>", escaped(field))));
    assert_eq!(shown_event_ids(&html), api_event_ids(&diff), "the events in between");
    let form_only = body(&app, &auditor, &format!("/diff/practice/{practice}"), 200).await;
    assert!(form_only.contains("name=\"from\""), "without moments, the form");

    // Bad input: a 400 page naming the parameter and the rule.
    for (path, named) in [
        ("/timeline?position=soon".to_owned(), "position"),
        ("/timeline?kind=widget".to_owned(), "kind"),
        ("/timeline?as_of=yesterday".to_owned(), "as_of"),
        (format!("/state/practice/{practice}?as_of=yesterday"), "as_of"),
        (format!("/diff/practice/{practice}?from=x"), "from"),
        (format!("/audit/widget/{practice}"), "kind"),
        ("/audit/practice/not-a-uuid".to_owned(), "id"),
        ("/access-log?from=someday".to_owned(), "from"),
    ] {
        let html = body(&app, &auditor, &path, 400).await;
        assert!(html.contains(&format!("{named}:")), "{path} names {named}: {html}");
    }

    // Another municipality's auditor: nothing of Kuopio's.
    let (_, other_token) = app.create_api_token(MunicipalityId::random(), &[Role::Auditor], None);
    let other = sign_in(&app, &other_token).await;
    for path in [
        format!("/audit/practice/{practice}"),
        format!("/state/practice/{practice}"),
        format!("/diff/practice/{practice}?from={first}"),
        format!("/diff/practice/{practice}"),
    ] {
        body(&app, &other, &path, 404).await;
    }
    let theirs = body(&app, &other, &format!("/timeline?kind=practice&entity={practice}"), 200).await;
    assert!(shown_event_ids(&theirs).is_empty(), "their timeline holds none of Kuopio's events");

    // Staff do not read the audit trail; a decision-maker does but not the access log.
    let (_, staff_token) = app.create_api_token(kuopio, &[Role::Staff], None);
    let staff = sign_in(&app, &staff_token).await;
    for path in [
        "/timeline".to_owned(),
        "/timeline.csv".to_owned(),
        format!("/audit/practice/{practice}"),
        "/access-log".to_owned(),
    ] {
        body(&app, &staff, &path, 403).await;
    }
    let (_, decider_token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let decider = sign_in(&app, &decider_token).await;
    body(&app, &decider, "/timeline", 200).await;
    body(&app, &decider, "/access-log", 403).await;
}

/// A caller: its bearer secret and subject.
struct Caller {
    token: String,
    subject: String,
}

fn caller(app: &TestApp, municipality: MunicipalityId, roles: &[Role]) -> Caller {
    let (id, token) = app.create_api_token(municipality, roles, None);
    Caller { token, subject: format!("token:{id}") }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_text_never_appears_and_its_reads_are_in_the_access_log_page() {
    let app = spawn_app().await;
    let city = MunicipalityId::random();
    app.register_municipality(city).await;
    let coach = caller(&app, city, &[Role::Coach]);
    let coachee = caller(&app, city, &[Role::Staff]);
    let (engagement, session, note) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let commands = [
        (
            "start-engagement",
            json!({
                "engagement": engagement, "municipality": city, "coach": coach.subject, "coachees": [coachee.subject],
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
                "happened": { "fi": "Videopuhelut onnistuivat." },
                "why_different": { "fi": "Mobiilisovellus kirjautui ulos." },
                "keep_or_change": { "fi": "Pidetään parityö." },
                "personal": { "text": PERSONAL_TEXT, "classification": "personal" },
            }),
        ),
    ];
    for (name, command) in commands {
        let response = app.post_command(name, &Uuid::new_v4().to_string(), &command).await;
        assert!(response.status().is_success(), "{name}: {}", response.text().await.unwrap_or_default());
    }
    let read = app
        .get_as(
            &coach.token,
            &format!("/api/v1/coaching/engagements/{engagement}/notes?purpose=preparing%20the%20next%20session"),
        )
        .await;
    assert_eq!(read.status(), 200);
    app.wait_for_projections().await;

    let auditor_token = caller(&app, city, &[Role::Auditor]).token;
    let auditor = sign_in(&app, &auditor_token).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = loop {
        let html = body(&app, &auditor, "/access-log", 200).await;
        if html.contains("<tbody>") || Instant::now() > deadline {
            break html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(log.contains(&coach.subject), "who read");
    assert!(log.contains("preparing the next session"), "why");
    assert!(log.contains(&format!("/audit/engagement/{engagement}")), "what, linked to its trail");
    assert!(log.contains("1 valmennusmuistiinpano"));
    let filtered = body(&app, &auditor, &format!("/access-log?reader={}&from=2000-01-01", coach.subject), 200).await;
    assert!(filtered.contains(&coach.subject));
    let nobody = body(&app, &auditor, "/access-log?reader=token%3Asomeone-else", 200).await;
    assert!(!nobody.contains("<tbody>"), "a reader who read nothing has no rows");

    let trail = body(&app, &auditor, &format!("/audit/engagement/{engagement}"), 200).await;
    assert!(trail.contains("redacted"), "the note's personal part is shown redacted");
    let first =
        api(&app, &auditor_token, &format!("/api/v1/audit/engagement/{engagement}")).await["events"][0]["position"]
            .as_str()
            .expect("a position")
            .to_owned();
    for path in [
        format!("/audit/engagement/{engagement}"),
        format!("/state/engagement/{engagement}"),
        format!("/diff/engagement/{engagement}?from={first}"),
        "/timeline".to_owned(),
        "/timeline?kind=engagement".to_owned(),
        "/timeline.csv".to_owned(),
        "/timeline.json".to_owned(),
        "/access-log".to_owned(),
    ] {
        let text = body(&app, &auditor, &path, 200).await;
        assert!(!text.contains(PERSONAL_TEXT) && !text.contains(&escaped(PERSONAL_TEXT)), "{path} shows personal text");
        assert!(!text.contains("jännittävänsä"), "{path} shows part of the personal text");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_downloads_a_practices_evidence_bundle_from_its_trail_and_it_checks_out() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, auditor_token) = app.create_api_token(kuopio, &[Role::Auditor], None);
    let auditor = sign_in(&app, &auditor_token).await;
    let practice = app.first_entity("practice", kuopio).expect("a practice");
    let trail = body(&app, &auditor, &format!("/audit/practice/{practice}"), 200).await;
    let link = format!("/audit/practice/{practice}/bundle");
    assert!(trail.contains(&format!("href=\"{link}\" download")), "the trail offers the download");
    app.wait_for_projections().await;
    let response = page(&app, &auditor, &link).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment") && v.contains(".bundle.json"))
    );
    let text = response.text().await.expect("a body");
    let report = kirjuri_integrity::bundle::verify_bundle(&text, None).expect("the bundle checks out");
    assert!(report.events >= 2, "{report:?}");
    // Another municipality's record is not found; staff may not read audit trails.
    let other = MunicipalityId::random();
    app.register_municipality(other).await;
    let (_, other_token) = app.create_api_token(other, &[Role::Auditor], None);
    let other = sign_in(&app, &other_token).await;
    assert_eq!(page(&app, &other, &link).await.status(), 404);
    let (_, staff_token) = app.create_api_token(kuopio, &[Role::Staff], None);
    let staff = sign_in(&app, &staff_token).await;
    assert_eq!(page(&app, &staff, &link).await.status(), 403);
}

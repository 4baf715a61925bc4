//! The forms that record work, over plain HTTP: each form records what the API's command would
//! (checked through the API's read side), a refused form comes back as typed with the error at
//! its field (422), a wrong or missing CSRF token records nothing (403), a double submit
//! records once, and a role that may not issue a command neither sees nor posts its form.

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::web::{csrf_field, page, sign_in};
use kirjuri_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

fn id() -> String {
    Uuid::new_v4().to_string()
}

fn fi(text: &str) -> Value {
    json!({ "fi": text })
}

/// Issues a command through the API that must succeed.
async fn done(app: &TestApp, name: &str, body: Value) {
    let response = app.post_command(name, &format!("forms-{}", Uuid::new_v4()), &body).await;
    let status = response.status();
    assert!(status.is_success(), "{name} answered {status}: {}", response.text().await.unwrap_or_default());
}

/// What [`programme`] created through the API.
struct Programme {
    municipality: MunicipalityId,
    unit: String,
    body: String,
    experiment: String,
    practice: String,
    session: String,
    engagement: String,
    campaign: String,
}

/// A municipality with a unit, a body, a running experiment measuring `waiting_days`, a
/// practice submitted to the body, a coaching session held, and an open DigComp campaign.
async fn programme(app: &TestApp) -> Programme {
    let municipality = id();
    done(app, "register-municipality", json!({ "municipality": municipality, "code": "297", "name": fi("Kuopio") }))
        .await;
    let (unit, body, experiment, practice, engagement, session, campaign) = (id(), id(), id(), id(), id(), id(), id());
    done(
        app,
        "establish-unit",
        json!({ "unit": unit, "municipality": municipality, "name": fi("Kotihoito"), "sector": "wellbeing_promotion" }),
    )
    .await;
    done(
        app,
        "register-body",
        json!({ "body": body, "municipality": municipality, "name": fi("Kaupunginhallitus"), "kind": "city_board", "founded": "2021-08-01" }),
    )
    .await;
    done(
        app,
        "propose-experiment",
        json!({
            "experiment": experiment, "municipality": municipality, "name": fi("Etäkotihoito"),
            "problem": fi("Jonot"), "hypothesis": fi("Jonot lyhenevät"), "units": [unit], "themes": [],
            "proposed": "2025-01-02"
        }),
    )
    .await;
    done(
        app,
        "approve-experiment",
        json!({
            "experiment": experiment,
            "decision": { "body": body, "meeting_date": "2025-01-20", "section": 3, "decision_text": fi("Hyväksyttiin") },
            "scope": { "group": fi("Asiakkaat"), "place": fi("Keskusta") }, "starts": "2025-02-01", "ends": "2025-06-30"
        }),
    )
    .await;
    done(
        app,
        "define-protocol",
        json!({
            "experiment": experiment, "design": "before_after",
            "criteria": [{ "criterion": "effectiveness", "metrics": [
                { "code": "waiting_days", "name": fi("Odotusaika"), "unit": "vrk", "direction": "lower_is_better" }
            ] }]
        }),
    )
    .await;
    done(app, "change-stage", json!({ "experiment": experiment, "to": "running", "changed": "2025-02-01" })).await;
    done(
        app,
        "draft-practice",
        json!({
            "practice": practice, "municipality": municipality, "title": fi("Etäkäynnit"), "context": fi("Jonot"),
            "options_considered": [], "chosen_option": fi("Etäpalvelu"), "consequences": {}, "evidence": [], "tags": []
        }),
    )
    .await;
    done(app, "submit-practice", json!({ "practice": practice, "body": body, "case_number": "KUO/1/00.01/2025" }))
        .await;
    done(
        app,
        "start-engagement",
        json!({
            "engagement": engagement, "municipality": municipality, "unit": unit, "coach": "coach-001",
            "coachees": ["hlo-7f3a2c"], "goals": [fi("Etätaidot")], "started": "2025-02-01"
        }),
    )
    .await;
    done(
        app,
        "hold-session",
        json!({
            "engagement": engagement, "session": session, "date": "2025-02-10", "format": "group",
            "duration_minutes": 60, "topics": ["etäkäynnit"], "attendees": 3
        }),
    )
    .await;
    let digcomp = kirjuri_events::domain::assessment::digcomp_2_2().expect("the shipped DigComp loads");
    let framework = digcomp.id().0.to_string();
    done(app, "publish-framework", json!({ "definition": digcomp })).await;
    done(
        app,
        "open-campaign",
        json!({
            "campaign": campaign, "municipality": municipality, "framework": framework, "units": [unit],
            "title": fi("Digitaidot 2025"), "opens": "2025-01-01", "closes": "2099-12-31", "min_group_size": 3
        }),
    )
    .await;
    app.wait_for_projections().await;
    Programme {
        municipality: MunicipalityId(Uuid::parse_str(&municipality).expect("a uuid")),
        unit,
        body,
        experiment,
        practice,
        session,
        engagement,
        campaign,
    }
}

/// The value of the hidden field `name` of a form page.
fn hidden(html: &str, name: &str) -> String {
    let after =
        html.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap_or_else(|| panic!("no {name} in {html}"));
    after.split('"').next().unwrap_or_default().to_owned()
}

/// Opens `/record/<form>` (200) and posts `fields` with its CSRF token and idempotency key.
async fn submit(app: &TestApp, cookie: &str, form: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let (csrf, key) = form_tokens(app, cookie, form).await;
    post(app, cookie, form, &csrf, &key, fields).await
}

async fn form_tokens(app: &TestApp, cookie: &str, form: &str) -> (String, String) {
    let response = page(app, cookie, &format!("/record/{form}")).await;
    assert_eq!(response.status(), 200, "/record/{form}");
    let html = response.text().await.expect("a body");
    (csrf_field(&html), hidden(&html, "idempotency_key"))
}

async fn post(
    app: &TestApp,
    cookie: &str,
    form: &str,
    csrf: &str,
    key: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut body: Vec<(&str, &str)> = vec![("csrf", csrf), ("idempotency_key", key)];
    body.extend_from_slice(fields);
    app.client
        .post(app.url(&format!("/record/{form}")))
        .header("cookie", cookie)
        .form(&body)
        .send()
        .await
        .expect("the form is sent")
}

/// How many events of `event_type` the API's timeline shows to `token`.
async fn recorded(app: &TestApp, token: &str, event_type: &str) -> usize {
    let response = app.get_as(token, &format!("/api/v1/timeline?event_type={event_type}&limit=100")).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("a body");
    text.matches(&format!("\"event_type\":\"{event_type}\"")).count()
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn each_form_records_what_the_api_would_and_the_read_side_shows_it() {
    let app = spawn_app().await;
    let p = programme(&app).await;
    let (_, token) = app.create_api_token(p.municipality, &Role::ALL, None);
    let cookie = sign_in(&app, &token).await;

    let list = page(&app, &cookie, "/record").await.text().await.expect("a body");
    for form in
        ["submit-response", "record-note", "record-measurement", "assess-outcome", "identify-lesson", "decide-practice"]
    {
        assert!(list.contains(&format!("href=\"/record/{form}\"")), "{form} is offered to all roles");
    }
    let lesson_form = page(&app, &cookie, "/record/identify-lesson").await.text().await.expect("a body");
    assert!(lesson_form.contains(&format!("value=\"experiment:{}\"", p.experiment)), "the experiment is a source");
    assert!(lesson_form.contains(&format!("<option value=\"{}\">Kotihoito</option>", p.unit)), "{lesson_form}");

    let lesson = submit(
        &app,
        &cookie,
        "identify-lesson",
        &[
            ("title.fi", "Etäkäynnit säästävät hoitajien aikaa"),
            ("unit", &p.unit),
            ("driving_event.fi", "Kokeilussa käynneistä kolmannes tehtiin etänä."),
            ("lesson_text.fi", "Etäkäynti sopii lääkemuistutuksiin."),
            ("recommendations", "Aloita lääkemuistutuksista\nKouluta hoitajat"),
            ("sources", &format!("experiment:{}", p.experiment)),
            ("tags", "kotihoito, etäpalvelu"),
        ],
    )
    .await;
    assert_eq!(lesson.status(), 303);
    let lesson_page = location(&lesson);
    let lesson_id = lesson_page.strip_prefix("/lessons/").expect("to the lesson's page").to_owned();
    let api_lesson = app.get_as(&token, &format!("/api/v1/lessons/{lesson_id}")).await;
    assert_eq!(api_lesson.status(), 200);
    let api_lesson: Value = api_lesson.json().await.expect("json");
    assert!(api_lesson.to_string().contains("Etäkäynnit säästävät hoitajien aikaa"), "{api_lesson}");
    let shown = page(&app, &cookie, &lesson_page).await;
    assert_eq!(shown.status(), 200, "the lesson's page shows it at once");

    let measurement = submit(
        &app,
        &cookie,
        "record-measurement",
        &[
            ("experiment", &p.experiment),
            ("metric", "waiting_days"),
            ("period.from", "2025-03-01"),
            ("period.to", "2025-03-31"),
            ("value", "4,5"),
            ("n", "120"),
            ("data_source", "Asiakastietojärjestelmä"),
        ],
    )
    .await;
    assert_eq!(measurement.status(), 303);
    assert_eq!(location(&measurement), "/record?recorded=record-measurement");
    assert_eq!(recorded(&app, &token, "MeasurementRecorded").await, 1);
    let notice = page(&app, &cookie, "/record?recorded=record-measurement").await.text().await.expect("a body");
    assert!(notice.contains("role=\"status\">Tallennettu: mittaustulos.</p>"), "{notice}");

    done(&app, "change-stage", json!({ "experiment": p.experiment, "to": "evaluating", "changed": "2025-07-01" }))
        .await;
    app.wait_for_projections().await;
    let outcome_form = page(&app, &cookie, "/record/assess-outcome").await.text().await.expect("a body");
    let measurement_id = outcome_form
        .split("name=\"evidence\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the measurement is offered as evidence")
        .to_owned();
    let outcome = submit(
        &app,
        &cookie,
        "assess-outcome",
        &[
            ("experiment", &p.experiment),
            ("criterion", "effectiveness"),
            ("verdict", "improved"),
            ("effect", ""),
            ("evidence", &measurement_id),
            ("summary.fi", "Odotusaika lyheni."),
            ("assessed", "2025-07-05"),
        ],
    )
    .await;
    assert_eq!(outcome.status(), 303, "{}", outcome.text().await.unwrap_or_default());
    assert_eq!(recorded(&app, &token, "OutcomeAssessed").await, 1);

    let decision = submit(
        &app,
        &cookie,
        "decide-practice",
        &[
            ("practice", &p.practice),
            ("body", &p.body),
            ("meeting_date", "2025-03-10"),
            ("section", "12"),
            ("motion.fi", "Hyväksytään etäkäynnit."),
            ("decision.fi", "Hyväksyttiin."),
            ("resolution", "passed"),
            ("rationale.fi", ""),
        ],
    )
    .await;
    assert_eq!(decision.status(), 303, "{}", decision.text().await.unwrap_or_default());
    assert_eq!(location(&decision), format!("/practices/{}", p.practice), "to the decided practice's page");
    assert_eq!(page(&app, &cookie, &location(&decision)).await.status(), 200);
    let history = app.get_as(&token, &format!("/api/v1/practices/{}/history", p.practice)).await;
    assert_eq!(history.status(), 200);
    assert!(history.text().await.expect("a body").contains("Hyväksyttiin."), "the decision is in the history");

    let note = submit(
        &app,
        &cookie,
        "record-note",
        &[
            ("session", &p.session),
            ("author", "coach-001"),
            ("planned.fi", "Harjoitellaan etäkäyntiä."),
            ("happened.fi", "Harjoiteltiin kahdesti."),
            ("why_different.fi", "Yhteys katkesi."),
            ("keep_or_change.fi", "Testataan yhteys ensin."),
            ("personal", ""),
        ],
    )
    .await;
    assert_eq!(note.status(), 303, "{}", note.text().await.unwrap_or_default());
    let notes = app
        .get_as(&token, &format!("/api/v1/coaching/engagements/{}/notes?purpose=web-forms-test", p.engagement))
        .await;
    assert_eq!(notes.status(), 200);
    assert!(notes.text().await.expect("a body").contains("Yhteys katkesi."));

    let response = submit(
        &app,
        &cookie,
        "submit-response",
        &[
            ("campaign", &p.campaign),
            ("unit", &p.unit),
            ("respondent", "r-1a2b3c4d"),
            ("submitted_on", "2025-03-01"),
            ("answers", "1.1 = 3\n1.2 = 4"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap_or_default());
    assert_eq!(recorded(&app, &token, "ResponseSubmitted").await, 1);
}

/// A form, what is typed into it, the field it is refused at, and a piece of the page that
/// shows the typed input kept.
type RefusalCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

#[tokio::test]
async fn a_refused_form_comes_back_as_typed_with_the_error_at_its_field_in_the_pages_language() {
    let app = spawn_app().await;
    let p = programme(&app).await;
    let (_, token) = app.create_api_token(p.municipality, &Role::ALL, None);
    let cookie = sign_in(&app, &token).await;
    let source = format!("experiment:{}", p.experiment);
    let cases: Vec<RefusalCase<'_>> = vec![
        (
            "identify-lesson",
            vec![
                ("title.fi", "   "),
                ("driving_event.fi", "Kokeilu <b>alkoi</b>"),
                ("lesson_text.fi", "Oppi"),
                ("sources", &source),
                ("tags", "kotihoito, etä"),
            ],
            "title.fi",
            "Kokeilu &lt;b&gt;alkoi&lt;/b&gt;</textarea>",
        ),
        (
            "record-measurement",
            vec![
                ("experiment", &p.experiment),
                ("metric", "waiting_days"),
                ("period.from", "2025-03-01"),
                ("period.to", "2025-03-31"),
                ("value", "paljon"),
                ("n", "12"),
            ],
            "value",
            "value=\"paljon\"",
        ),
        (
            "decide-practice",
            vec![
                ("practice", &p.practice),
                ("body", &p.body),
                ("meeting_date", "2025-03-10"),
                ("section", "12"),
                ("motion.fi", "Esitys etäkäynneistä"),
                ("decision.fi", "Hylättiin"),
                ("resolution", "rejected"),
            ],
            "rationale.fi",
            "Esitys etäkäynneistä</textarea>",
        ),
        (
            "record-note",
            vec![
                ("session", &p.session),
                ("author", "maija@kuopio.fi"),
                ("planned.fi", "Suunnitelma"),
                ("happened.fi", "Tapahtui"),
                ("why_different.fi", "Syy"),
                ("keep_or_change.fi", "Muutos"),
            ],
            "author",
            "value=\"maija@kuopio.fi\"",
        ),
        (
            "submit-response",
            vec![
                ("campaign", &p.campaign),
                ("unit", &p.unit),
                ("respondent", "x"),
                ("submitted_on", "2025-03-01"),
                ("answers", "1.1 = 3"),
            ],
            "respondent",
            "1.1 = 3</textarea>",
        ),
        (
            "assess-outcome",
            vec![
                ("experiment", &p.experiment),
                ("criterion", "effectiveness"),
                ("verdict", "inconclusive"),
                ("effect", "paljon"),
                ("summary.fi", "Ei voida sanoa"),
                ("assessed", "2025-07-05"),
            ],
            "effect",
            "Ei voida sanoa</textarea>",
        ),
    ];
    for (form, fields, wrong, kept) in cases {
        let response = submit(&app, &cookie, form, &fields).await;
        assert_eq!(response.status(), 422, "{form}");
        let html = response.text().await.expect("a body");
        let id = format!("field-{}", wrong.replace(['.', '_'], "-"));
        assert!(html.contains(&format!("<a href=\"#{id}\">")), "{form}: the summary links to {id}: {html}");
        assert!(html.contains(&format!("id=\"{id}-error\"")), "{form}: the error is at {wrong}");
        // Said in Finnish, as the page is: no rule is left in the API's English.
        let error = html.split(&format!("id=\"{id}-error\"")).nth(1).and_then(|rest| rest.split("</").next());
        let error = error.unwrap_or_default();
        assert!(!error.contains("lang=\"en\"") && !error.contains("must"), "{form}: {error}");
        assert!(!html.contains("<span lang=\"en\">"), "{form}: an error in English on a Finnish page: {html}");
        let input =
            html.split(&format!("id=\"{id}\"")).nth(1).and_then(|rest| rest.split('>').next()).unwrap_or_default();
        assert!(input.contains("aria-invalid=\"true\""), "{form}: {input}");
        assert!(input.contains(&format!("{id}-error")), "{form}: described by its error: {input}");
        assert!(html.contains(kept), "{form}: what was typed is kept ({kept})");
        for (name, value) in
            fields.iter().filter(|(name, _)| ["experiment", "practice", "session", "campaign"].contains(name))
        {
            assert!(html.contains(&format!("<option value=\"{value}\" selected")), "{form}: {name} stays chosen");
        }
    }
    assert_eq!(recorded(&app, &token, "LessonIdentified").await, 0);
    assert_eq!(recorded(&app, &token, "PracticeDecided").await, 0);
}

#[tokio::test]
async fn a_missing_or_wrong_csrf_token_records_nothing_and_a_double_submit_records_once() {
    let app = spawn_app().await;
    let p = programme(&app).await;
    let (_, token) = app.create_api_token(p.municipality, &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    let source = format!("experiment:{}", p.experiment);
    let fields = [
        ("title.fi", "Oppi"),
        ("driving_event.fi", "Kokeilu"),
        ("lesson_text.fi", "Näin kannattaa"),
        ("sources", source.as_str()),
    ];
    let (csrf, key) = form_tokens(&app, &cookie, "identify-lesson").await;
    let wrong = post(&app, &cookie, "identify-lesson", "not-the-token", &key, &fields).await;
    assert_eq!(wrong.status(), 403);
    let missing = app
        .client
        .post(app.url("/record/identify-lesson"))
        .header("cookie", &cookie)
        .form(&[("idempotency_key", key.as_str()), ("title.fi", "Oppi")])
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), 403);
    let (_, other_token) = app.create_api_token(p.municipality, &[Role::Staff], None);
    let other_cookie = sign_in(&app, &other_token).await;
    let others = post(&app, &other_cookie, "identify-lesson", &csrf, &key, &fields).await;
    assert_eq!(others.status(), 403, "another session's token does not hold");
    assert_eq!(recorded(&app, &app.token_for(p.municipality), "LessonIdentified").await, 0);

    let first = post(&app, &cookie, "identify-lesson", &csrf, &key, &fields).await;
    let again = post(&app, &cookie, "identify-lesson", &csrf, &key, &fields).await;
    assert_eq!((first.status(), again.status()), (reqwest::StatusCode::SEE_OTHER, reqwest::StatusCode::SEE_OTHER));
    assert_eq!(location(&first), location(&again), "the repeat names the same lesson");
    assert_eq!(recorded(&app, &app.token_for(p.municipality), "LessonIdentified").await, 1);
}

#[tokio::test]
async fn a_staff_member_neither_sees_nor_posts_the_decision_form() {
    let app = spawn_app().await;
    let p = programme(&app).await;
    let (_, token) = app.create_api_token(p.municipality, &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    let list = page(&app, &cookie, "/record").await;
    assert_eq!(list.status(), 200);
    let list = list.text().await.expect("a body");
    assert!(list.contains("href=\"/record/identify-lesson\""), "staff record lessons");
    assert!(!list.contains("/record/decide-practice"), "{list}");
    assert_eq!(page(&app, &cookie, "/record/decide-practice").await.status(), 403);
    let csrf = csrf_field(&page(&app, &cookie, "/record").await.text().await.expect("a body"));
    let fields = [
        ("practice", p.practice.as_str()),
        ("body", p.body.as_str()),
        ("meeting_date", "2025-03-10"),
        ("section", "12"),
        ("motion.fi", "Esitys"),
        ("decision.fi", "Hyväksyttiin"),
        ("resolution", "passed"),
    ];
    let refused = post(&app, &cookie, "decide-practice", &csrf, "k-staff-1", &fields).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(recorded(&app, &app.token_for(p.municipality), "PracticeDecided").await, 0);
    assert_eq!(page(&app, &cookie, "/record/no-such-form").await.status(), 404);
}

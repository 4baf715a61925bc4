//! The situational picture (`/`) and the experiments' pages (`/experiments`,
//! `/experiments/{id}`) over plain HTTP on the demo programme: what they show is checked
//! against the API's answer for the same question, never against numbers written here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::web::{page, sign_in};
use kirjuri_tests::{TestApp, spawn_app_with_demo};
use serde_json::Value;

/// How HTML writes `text` (maud escapes these).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

async fn json(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON")
}

async fn html(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = page(app, cookie, path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// The part of `html` from the element with `id` on (a section's content and what follows).
fn from_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("the page has #{id}"));
    &html[at..]
}

/// The close dates of the whole municipality's DigComp trends in the API's picture.
fn municipality_close_dates(picture: &Value, framework: &str) -> BTreeSet<String> {
    picture["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| {
            row["subject"]["kind"] == "municipality"
                && row["framework"] == framework
                && row["granularity"] == "dimension"
        })
        .flat_map(|row| row["trend"].as_array().expect("a trend").iter())
        .map(|point| point["close_date"].as_str().expect("a date").to_owned())
        .collect()
}

/// The `datetime`s of the `<time>` elements in `html`.
fn times(html: &str) -> BTreeSet<String> {
    html.split("<time datetime=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_home_page_draws_the_demo_picture_and_an_earlier_day_shows_what_the_api_shows_for_it() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let cookie = sign_in(&app, &token).await;
    let digcomp = kirjuri_events::domain::assessment::digcomp_2_2().expect("DigComp loads");
    let framework = digcomp.id().0.to_string();

    let now = json(&app, &token, &format!("/api/v1/municipalities/{kuopio}/picture")).await;
    let (status, home) = html(&app, &cookie, "/").await;
    assert_eq!(status, 200, "{home}");
    assert!(home.contains("<html lang=\"fi\">"));
    let heatmap = from_id(&home, "heatmap-heading");
    assert!(heatmap.contains("<svg class=\"heatmap\""), "a heatmap is drawn");
    assert!(heatmap.contains("role=\"img\""));
    for dimension in &digcomp.dimensions {
        assert!(heatmap.contains(&escaped(&dimension.title.fi)), "DigComp area `{}` is a column", dimension.title.fi);
    }
    let units: BTreeSet<&str> = now["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["framework"] == framework.as_str() && row["granularity"] == "dimension")
        .filter(|row| row["trend"].as_array().is_some_and(|trend| !trend.is_empty()))
        .filter_map(|row| row["unit_name"].as_str())
        .collect();
    assert!(units.len() > 1, "the demo assesses several units: {units:?}");
    for unit in &units {
        assert!(heatmap.contains(&format!("<th scope=\"row\">{}</th>", escaped(unit))), "unit `{unit}` is a row");
    }
    assert!(heatmap.contains("Koko kunta"), "the whole municipality is a row");
    assert!(home.contains("Matka tavoitteisiin"), "the gaps to targets are shown");
    let now_dates = municipality_close_dates(&now, &framework);
    let shown_now = times(from_id(&home, "trends-heading"));
    assert!(
        now_dates.iter().all(|date| shown_now.contains(date)),
        "every campaign of the API's trend is in the page's"
    );

    // An earlier day: just before the latest campaign closed.
    let latest = now_dates.iter().next_back().expect("a campaign").clone();
    let day_before = chrono::NaiveDate::parse_from_str(&latest, "%Y-%m-%d").expect("a date").pred_opt().expect("a day");
    let earlier = json(&app, &token, &format!("/api/v1/municipalities/{kuopio}/picture?as_of={day_before}")).await;
    let earlier_dates = municipality_close_dates(&earlier, &framework);
    assert!(!earlier_dates.contains(&latest), "the API leaves the later campaign out");
    let (status, past) = html(&app, &cookie, &format!("/?as_of={day_before}")).await;
    assert_eq!(status, 200);
    assert!(
        past.contains(&format!("name=\"as_of\" type=\"date\" value=\"{day_before}\"")),
        "the day stays in the form"
    );
    let shown_then = times(from_id(&past, "trends-heading"));
    assert!(earlier_dates.iter().all(|date| shown_then.contains(date)), "the earlier campaigns are shown");
    assert!(!shown_then.contains(&latest), "the campaign closed after the day is not");

    // The form's untouched fields are no filters.
    let (status, untouched) = html(&app, &cookie, &format!("/?as_of=&framework={framework}&unit=")).await;
    assert_eq!(status, 200, "{untouched}");
    assert!(untouched.contains("<svg class=\"heatmap\""));

    // The framework switch and the unit filter stay in the URL's form.
    let maturity = kirjuri_events::domain::assessment::eu_dma_pso().expect("the DMA loads");
    let maturity_id = maturity.id().0.to_string();
    let (status, switched) = html(&app, &cookie, &format!("/?framework={maturity_id}")).await;
    assert_eq!(status, 200);
    assert!(switched.contains(&format!("<option value=\"{maturity_id}\" selected>")), "the switch shows its choice");
    let dimension = escaped(&maturity.dimensions[0].title.fi);
    assert!(from_id(&switched, "heatmap-heading").contains(&dimension), "the maturity dimensions are the columns");
}

#[tokio::test]
async fn a_bad_as_of_or_unit_is_a_400_page_naming_it_and_another_municipality_sees_none_of_the_picture() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::Staff], None);
    let cookie = sign_in(&app, &token).await;
    for (query, named) in
        [("as_of=2025-13-01", "as_of"), ("as_of=yesterday", "as_of"), ("unit=x", "unit"), ("colour=red", "colour")]
    {
        let (status, body) = html(&app, &cookie, &format!("/?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(body.contains(&format!("{named}:")), "{query}: the page names `{named}`: {body}");
    }
    let (_, stranger) = app.create_api_token(MunicipalityId::random(), &[Role::DecisionMaker], None);
    let stranger_cookie = sign_in(&app, &stranger).await;
    let (status, theirs) = html(&app, &stranger_cookie, "/").await;
    assert_eq!(status, 200);
    assert!(!theirs.contains("<svg class=\"heatmap\""), "no picture of another municipality");
    let (_, kuopio_home) = html(&app, &cookie, "/").await;
    let unit = kuopio_home.split("<th scope=\"row\">").nth(1).expect("a unit row").split('<').next().expect("a name");
    assert!(!theirs.contains(unit), "not even its units' names");
}

/// How many experiments the API's first page (default size) lists.
async fn list_all(app: &TestApp, token: &str) -> usize {
    json(app, token, "/api/v1/experiments").await["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn the_experiments_list_filters_and_pages_like_the_api_and_an_experiment_shows_its_record() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let (_, token) = app.create_api_token(kuopio, &[Role::DecisionMaker], None);
    let cookie = sign_in(&app, &token).await;

    let first = json(&app, &token, "/api/v1/experiments?limit=3").await;
    let (status, list) = html(&app, &cookie, "/experiments?limit=3").await;
    assert_eq!(status, 200, "{list}");
    assert!(list.contains("data-live-refresh"), "the list refreshes live");
    for item in first["items"].as_array().expect("items") {
        let id = item["experiment"].as_str().expect("an id");
        assert!(list.contains(&format!("href=\"/experiments/{id}\"")), "{id} is listed");
        assert!(list.contains(&escaped(item["title"].as_str().expect("a title"))));
    }
    let next = first["next"].as_str().expect("the demo has more than 3 experiments");
    assert!(list.contains(&format!("href=\"/experiments?limit=3&amp;after={next}\"")), "the next page is linked");
    let second = json(&app, &token, &format!("/api/v1/experiments?limit=3&after={next}")).await;
    let (_, second_page) = html(&app, &cookie, &format!("/experiments?limit=3&after={next}")).await;
    for item in second["items"].as_array().expect("items") {
        assert!(second_page.contains(item["experiment"].as_str().expect("an id")));
    }
    assert!(second_page.contains("href=\"/experiments?limit=3\""), "back to the first page");

    let concluded = json(&app, &token, "/api/v1/experiments?status=concluded&limit=100").await;
    let (_, filtered) = html(&app, &cookie, "/experiments?status=concluded&limit=100").await;
    let listed = filtered.matches("<tr><th scope=\"row\"><a href=\"/experiments/").count();
    assert_eq!(listed, concluded["items"].as_array().expect("items").len(), "as many as the API lists");
    assert!(filtered.contains("<option value=\"concluded\" selected>"));
    let (status, untouched) = html(&app, &cookie, "/experiments?status=&unit=&from=&to=").await;
    assert_eq!(status, 200, "the form's untouched fields are no filters");
    assert_eq!(
        untouched.matches("<tr><th scope=\"row\"><a href=\"/experiments/").count(),
        list_all(&app, &token).await
    );
    let (status, bad) = html(&app, &cookie, "/experiments?from=2026-01-01&to=2025-01-01").await;
    assert_eq!(status, 400, "to before from is the client's mistake");
    assert!(bad.contains("to:"), "{bad}");
    let (status, bad) = html(&app, &cookie, "/experiments?status=sleeping").await;
    assert_eq!((status, bad.contains("status:")), (400, true));

    // One concluded experiment: its criteria, charts against the baseline, outcomes and lessons.
    let experiment = concluded["items"][0]["experiment"].as_str().expect("a concluded experiment").to_owned();
    let lessons = json(&app, &token, &format!("/api/v1/lessons?experiment={experiment}&limit=100")).await;
    let (status, shown) = html(&app, &cookie, &format!("/experiments/{experiment}")).await;
    assert_eq!(status, 200, "{shown}");
    assert!(shown.contains(&escaped(concluded["items"][0]["title"].as_str().expect("a title"))));
    assert!(shown.contains("class=\"measurement-chart\""), "measurements are drawn");
    assert!(shown.contains("Lähtötaso"), "against a baseline");
    assert!(shown.contains("Päättyminen"), "the conclusion is shown");
    for lesson in lessons["items"].as_array().expect("items") {
        let id = lesson["lesson"].as_str().expect("an id");
        assert!(shown.contains(&format!("href=\"/lessons/{id}\"")), "lesson {id} is linked");
    }

    let (status, bad) = html(&app, &cookie, "/experiments/not-an-id").await;
    assert_eq!((status, bad.contains("experiment:")), (400, true));
    let (status, _) = html(&app, &cookie, &format!("/experiments/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(status, 404);

    // Another municipality: the experiment is not found and its list does not hold it.
    let (_, stranger) = app.create_api_token(MunicipalityId::random(), &[Role::DecisionMaker], None);
    let stranger_cookie = sign_in(&app, &stranger).await;
    let (status, _) = html(&app, &stranger_cookie, &format!("/experiments/{experiment}")).await;
    assert_eq!(status, 404);
    let (status, theirs) = html(&app, &stranger_cookie, "/experiments").await;
    assert_eq!(status, 200);
    assert!(!theirs.contains(&experiment));
}

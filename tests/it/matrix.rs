//! Every route × every role against the README's table "Who may do what".
//!
//! The table is read from README.md, not from the code: this test says which of the table's
//! rows governs each route (its own list, kept here by hand), then calls every route the served
//! OpenAPI document lists as a caller holding exactly one role, on a real record of the caller's
//! own municipality. A role the row grants must get past authorisation (any answer but 401 and
//! 403; a command with an empty body is then refused for the body, 422); a role it does not
//! grant must get 403. A route the document lists but this test does not know fails the test,
//! so a new route cannot go unchecked.

use std::collections::{BTreeMap, BTreeSet};

use kirjuri::auth::Role;
use kirjuri_events::domain::MunicipalityId;
use kirjuri_tests::{TestApp, spawn_app_with_demo};
use serde_json::Value;

/// Which README row governs a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// No credentials needed (health, metrics, the OpenAPI document).
    Public,
    /// Any authenticated caller, whatever its roles.
    AnyCaller,
    /// The README row starting with this text.
    Row(&'static str),
}

const READ: Rule = Rule::Row("read: search");
const ACCESS_LOG: Rule = Rule::Row("read: the personal-data access log");
const AUDIT: Rule = Rule::Row("read: audit trail");
const ORGANISATION: Rule = Rule::Row("commands: municipalities");
const CAMPAIGNS: Rule = Rule::Row("commands: frameworks");
const RESPONSES: Rule = Rule::Row("commands: answer or withdraw");
const COACHING: Rule = Rule::Row("commands: coaching");
const COMMUNICATIONS: Rule = Rule::Row("commands: publish a communication");
const EXPERIMENTS: Rule = Rule::Row("commands: experiments");
const LESSONS: Rule = Rule::Row("commands: observations");
const PRACTICES: Rule = Rule::Row("commands: draft, submit");
const DECISIONS: Rule = Rule::Row("commands: a body's decision");

/// The rule of every route, by method and path template.
fn rules() -> BTreeMap<(&'static str, &'static str), Rule> {
    let mut rules = BTreeMap::from([
        (("get", "/health/live"), Rule::Public),
        (("get", "/health/ready"), Rule::Public),
        (("get", "/metrics"), Rule::Public),
        (("get", "/api/v1/openapi.json"), Rule::Public),
        (("get", "/api/v1/me"), Rule::AnyCaller),
        (("get", "/api/v1/live"), READ),
        (("get", "/api/v1/search"), READ),
        (("get", "/api/v1/municipalities/{municipality}/picture"), READ),
        (("get", "/api/v1/practices/{practice}/history"), READ),
        // The shareable review; its personal text also needs to be the coach's or a coachee's.
        (("get", "/api/v1/coaching/engagements/{engagement}/notes"), READ),
        (("get", "/api/v1/access-log"), ACCESS_LOG),
        (("get", "/api/v1/experiments"), READ),
        (("get", "/api/v1/experiments/{experiment}"), READ),
        (("get", "/api/v1/lessons"), READ),
        (("get", "/api/v1/lessons/{lesson}"), READ),
        (("get", "/api/v1/practices"), READ),
        (("get", "/api/v1/bodies"), READ),
        (("get", "/api/v1/municipalities"), READ),
        (("get", "/api/v1/municipalities/{municipality}"), READ),
        (("get", "/api/v1/graph/{kind}/{id}"), READ),
        (("get", "/api/v1/graph/outcome/{experiment}/{criterion}"), READ),
        (("get", "/api/v1/timeline"), AUDIT),
        (("get", "/api/v1/audit/{kind}/{id}"), AUDIT),
        (("get", "/api/v1/correlations/{correlation}"), AUDIT),
        (("get", "/api/v1/state/{kind}/{id}"), AUDIT),
        (("get", "/api/v1/diff/{kind}/{id}"), AUDIT),
        (("get", "/api/v1/municipalities/{municipality}/picture/diff"), AUDIT),
        // The verifiable log: proofs and bundles like the audit trail; what partner witnesses and
        // transparency tooling read (sizes, roots and public keys only) and post needs no sign-in.
        (("get", "/api/v1/integrity/checkpoint"), AUDIT),
        (("get", "/api/v1/integrity/checkpoints"), AUDIT),
        (("get", "/api/v1/integrity/proofs/inclusion"), AUDIT),
        (("get", "/api/v1/integrity/proofs/consistency"), AUDIT),
        (("get", "/api/v1/integrity/bundles/{kind}/{id}"), AUDIT),
        (("get", "/.well-known/kirjuri/keys"), Rule::Public),
        (("get", "/.well-known/kirjuri/checkpoint"), Rule::Public),
        (("get", "/.well-known/kirjuri/consistency"), Rule::Public),
        (("post", "/.well-known/kirjuri/cosignature"), Rule::Public),
    ]);
    let commands: [(Rule, &[&'static str]); 9] = [
        (
            ORGANISATION,
            &[
                "register-municipality",
                "invite-partner",
                "withdraw-partner-invitation",
                "join-partner-network",
                "leave-partner-network",
                "establish-unit",
                "set-unit-target",
                "register-body",
                "start-membership",
                "end-membership",
            ],
        ),
        (CAMPAIGNS, &["publish-framework", "open-campaign", "close-campaign", "compute-results"]),
        (RESPONSES, &["submit-response", "withdraw-response"]),
        (
            COACHING,
            &["start-engagement", "hold-session", "record-note", "agree-action", "complete-action", "close-engagement"],
        ),
        (COMMUNICATIONS, &["publish-communication"]),
        (
            EXPERIMENTS,
            &[
                "propose-experiment",
                "approve-experiment",
                "define-protocol",
                "establish-baseline",
                "change-stage",
                "record-measurement",
                "assess-outcome",
                "conclude-experiment",
            ],
        ),
        (LESSONS, &["submit-observation", "identify-lesson", "record-lesson-learned", "assign-lesson-action"]),
        (
            PRACTICES,
            &[
                "draft-practice",
                "submit-practice",
                "revise-practice",
                "anchor-practice",
                "report-progress",
                "share-practice",
                "report-adoption",
                "supersede-practice",
                "retire-practice",
            ],
        ),
        (DECISIONS, &["decide-practice"]),
    ];
    for (rule, names) in commands {
        for name in names {
            let path: &'static str = Box::leak(format!("/api/v1/commands/{name}").into_boxed_str());
            rules.insert(("post", path), rule);
        }
    }
    rules
}

/// The README table: row text → the roles it ticks.
fn readme_table() -> BTreeMap<String, BTreeSet<Role>> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md reads");
    let section = readme.split("### Who may do what").nth(1).expect("the README has the table's section");
    let mut lines = section.lines().filter(|line| line.starts_with('|'));
    let header: Vec<Role> = lines
        .next()
        .expect("a header row")
        .split('|')
        .map(str::trim)
        .filter(|cell| !cell.is_empty() && *cell != "what")
        .map(|name| Role::parse(name).expect("the header names roles"))
        .collect();
    assert_eq!(header.len(), Role::ALL.len(), "the table has a column per role");
    lines
        .skip(1) // | --- | :-: | …
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let ticked = header.iter().zip(&cells[2..]).filter(|(_, cell)| **cell == "✓").map(|(role, _)| *role);
            (cells[1].to_owned(), ticked.collect())
        })
        .collect()
}

fn granted(table: &BTreeMap<String, BTreeSet<Role>>, rule: Rule, role: Role) -> bool {
    match rule {
        Rule::Public | Rule::AnyCaller => true,
        Rule::Row(prefix) => {
            let rows: Vec<_> = table.iter().filter(|(row, _)| row.starts_with(prefix)).collect();
            assert_eq!(rows.len(), 1, "exactly one README row starts with {prefix:?}");
            rows[0].1.contains(&role)
        }
    }
}

/// A real path for `template`: the caller's municipality and one of its records.
fn fill(app: &TestApp, template: &str, kuopio: MunicipalityId) -> String {
    let entity = |category: &str| {
        app.first_entity(category, kuopio).unwrap_or_else(|| panic!("the demo has a {category} of Kuopio")).to_string()
    };
    if template.contains("{municipality}") {
        template.replace("{municipality}", &kuopio.0.to_string())
    } else if template.contains("{practice}") {
        template.replace("{practice}", &entity("practice"))
    } else if template.contains("{kind}/{id}") {
        template.replace("{kind}/{id}", &format!("practice/{}", entity("practice")))
    } else if template.contains("{experiment}/{criterion}") {
        template.replace("{experiment}/{criterion}", &format!("{}/effectiveness", entity("experiment")))
    } else if template.contains("{correlation}") {
        // Any id: a role that may read gets past authorisation (404 for an unknown one).
        template.replace("{correlation}", &uuid::Uuid::new_v4().to_string())
    } else if template.contains("{engagement}") {
        format!("{}?purpose=checking%20who%20may%20read", template.replace("{engagement}", &entity("engagement")))
    } else if template.contains("{experiment}") {
        template.replace("{experiment}", &entity("experiment"))
    } else if template.contains("{lesson}") {
        template.replace("{lesson}", &entity("lesson"))
    } else {
        assert!(!template.contains('{'), "the test does not know how to fill {template}: teach fill()");
        template.to_owned()
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_readme_table_says() {
    let (app, kuopio) = spawn_app_with_demo().await;
    let table = readme_table();
    let rules = rules();

    let document: Value = app.get("/api/v1/openapi.json").await.json().await.expect("the OpenAPI document");
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let known: BTreeSet<(String, String)> =
        rules.keys().map(|(method, path)| ((*method).to_owned(), (*path).to_owned())).collect();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(unknown.is_empty(), "routes the matrix does not cover (add them to rules()): {unknown:?}");
    let gone: Vec<_> = known.difference(&documented).collect();
    assert!(gone.is_empty(), "routes in rules() the server no longer has: {gone:?}");

    let tokens: Vec<(Role, String)> =
        Role::ALL.iter().map(|role| (*role, app.create_api_token(kuopio, &[*role], None).1)).collect();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for ((method, template), rule) in &rules {
        let path = fill(&app, template, kuopio);
        for (role, token) in &tokens {
            let allowed = granted(&table, *rule, *role);
            // (The live stream never ends, but its status line arrives at once.)
            let request = match *method {
                "get" => app.client.get(app.url(&path)).bearer_auth(token),
                _ => app
                    .client
                    .post(app.url(&path))
                    .bearer_auth(token)
                    .header("Idempotency-Key", format!("matrix-{}", uuid::Uuid::new_v4()))
                    .json(&serde_json::json!({})),
            };
            let status = request.send().await.expect("the request is sent").status().as_u16();
            checked += 1;
            let ok = if allowed { !matches!(status, 401 | 403) && status < 500 } else { status == 403 };
            if !ok {
                wrong.push(format!(
                    "{method} {template} as {role}: {status} (README: {})",
                    if allowed { "✓" } else { "—" }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {checked} answers disagree with the README:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(checked, rules.len() * Role::ALL.len());
}

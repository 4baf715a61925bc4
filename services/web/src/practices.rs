//! The best-practice pages: `/practices` (the list, filtered by the API's own query parser) and
//! `/practices/{id}` (one practice's text and its traceable history as a timeline).
//!
//! The list reads what `GET /api/v1/practices` reads, with the same parser
//! ([`kirjuri_app::queries::practice_query`]); the form's empty fields are dropped first, so "any" is
//! simply an absent parameter. The history page reads the practice-history read model (what
//! `GET /api/v1/practices/{id}/history` answers) and the practice stream's audit rows, and
//! pairs them in stream order: each step of the timeline shows what the history says about it
//! and, to readers who may read the owner's audit trail, its audit record (event id, actor,
//! recorded time, a link to `/audit/practice/{id}#event-<id>`).

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use kirjuri_events::domain::Vocabulary as _;
use kirjuri_events::domain::practice::{EvidenceLink, PracticeEvent, PracticePhase};
use kirjuri_events::domain::{BodyId, ExperimentId, LessonId, LocalizedText, MunicipalityId, PracticeId};
use kirjuri_views::graph::{GraphNode, PracticeHistory};
use kirjuri_views::{AuditRow, EntityKind, ListRequest, Listed, PageRequest, PracticeRow, ViewsError, ViewsReader};
use maud::{Markup, html};

use super::i18n::Lang;
use super::i18n::practices::{PracticesTexts, texts};
use super::pages::{self, Frame, Text};
use super::{Staff, WebError, html_response, read_views};
use crate::WebState;
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Resource, authorize};

/// The most pages of bodies or municipalities read for names (100 each).
const MAX_NAME_PAGES: usize = 20;
/// Audit rows read per page of a practice's stream.
const AUDIT_PAGE: u32 = 200;
/// The most audit rows a practice's timeline shows.
const MAX_STEPS: usize = 2_000;

/// The best-practice pages.
pub fn routes() -> Router<WebState> {
    Router::new().route("/practices", get(list)).route("/practices/{practice}", get(practice))
}

/// A record linked from a page: its kind, a label and where it opens (if the reader may open it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    /// `lesson`, `experiment`, `outcome`, `practice`, `campaign`, …
    pub kind: &'static str,
    /// What it shows.
    pub label: Text,
    /// Where it opens.
    pub href: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The list

/// One practice in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRowView {
    /// Its page.
    pub href: String,
    /// Its title.
    pub title: Text,
    /// Where it stands.
    pub status: PracticePhase,
    /// The last decision: the body's name, the meeting's date (`YYYY-MM-DD`), the resolution code.
    pub decision: Option<(Text, String, String)>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Implementation progress, percent.
    pub progress: u8,
    /// The partner that shared it, if it is shared with the reader's municipality.
    pub shared_by: Option<Text>,
}

/// What the list page shows.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    /// The filters as given (`status`, `body`, `from`, `to`, `tag`), for the form.
    pub status: String,
    /// The body filter (an id).
    pub body: String,
    /// The from-date filter.
    pub from: String,
    /// The to-date filter.
    pub to: String,
    /// The tag filter.
    pub tag: String,
    /// The bodies to choose from: id and name.
    pub bodies: Vec<(String, Text)>,
    /// This page's practices.
    pub rows: Vec<PracticeRowView>,
    /// The first page's address, when this is a later page.
    pub first_href: Option<String>,
    /// The next page's address, if there is one.
    pub next_href: Option<String>,
}

/// `/practices?` with `pairs`.
fn practices_href(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    let query = serializer.finish();
    if query.is_empty() { "/practices".to_owned() } else { format!("/practices?{query}") }
}

fn value_of(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap_or_default()
}

/// Every page of a keyset list, up to [`MAX_NAME_PAGES`].
fn all_pages<T>(mut read: impl FnMut(ListRequest) -> Result<Listed<T>, ViewsError>) -> Result<Vec<T>, ViewsError> {
    let mut items = Vec::new();
    let mut request = ListRequest { after: None, limit: 100 };
    for _ in 0..MAX_NAME_PAGES {
        let page = read(request)?;
        items.extend(page.items);
        let Some(next) = page.next else { break };
        request = ListRequest { after: Some(next), limit: 100 };
    }
    Ok(items)
}

/// The names of the reader's municipality's bodies, and of the municipalities related to it.
struct Names {
    bodies: Vec<(BodyId, String, Option<String>)>,
    municipalities: HashMap<MunicipalityId, (String, Option<String>)>,
}

impl Names {
    fn read(views: &ViewsReader, municipality: MunicipalityId) -> Result<Self, ViewsError> {
        let bodies = all_pages(|request| views.bodies(municipality, None, request))?
            .into_iter()
            .map(|row| (row.body, row.name_fi, row.name_en))
            .collect();
        let municipalities = all_pages(|request| views.municipalities(municipality, request))?
            .into_iter()
            .map(|(row, _)| (row.municipality, (row.name_fi, row.name_en)))
            .collect();
        Ok(Self { bodies, municipalities })
    }

    fn body(&self, lang: Lang, body: BodyId) -> Text {
        self.bodies.iter().find(|(id, _, _)| *id == body).map_or_else(
            || Text { text: body.0.to_string(), lang: None },
            |(_, fi, en)| Text::pick(lang, fi, en.as_deref()),
        )
    }

    fn municipality(&self, lang: Lang, municipality: MunicipalityId) -> Text {
        self.municipalities.get(&municipality).map_or_else(
            || Text { text: municipality.0.to_string(), lang: None },
            |(fi, en)| Text::pick(lang, fi, en.as_deref()),
        )
    }
}

/// `GET /practices`: the reader's municipality's practices and those shared with it.
async fn list(State(state): State<WebState>, staff: Staff, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let municipality = staff.principal.municipality;
    authorize(&staff.principal, Action::Read, &Resource::of(municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let pairs = super::filled_pairs(raw.as_deref());
    let query = super::filled_query(raw.as_deref());
    let (filter, request) =
        kirjuri_app::queries::practice_query(Some(&query)).map_err(|error| WebError::from_api(lang, &error))?;
    let (page, names) = read_views(&state, lang, move |views| {
        let page = views.practices(municipality, &filter, request);
        Ok::<_, ViewsError>((page, Names::read(views, municipality)?))
    })
    .await?;
    let page = page.map_err(|error| WebError::from_api(lang, &kirjuri_app::queries::views_error(error)))?;
    let view = list_view(lang, &pairs, page, &names);
    Ok(html_response(StatusCode::OK, list_page(&staff.frame, &view)))
}

fn list_view(lang: Lang, pairs: &[(String, String)], page: Listed<PracticeRow>, names: &Names) -> ListView {
    let without_paging: Vec<(String, String)> = pairs.iter().filter(|(name, _)| name != "after").cloned().collect();
    let rows = page
        .items
        .into_iter()
        .map(|row| PracticeRowView {
            href: format!("/practices/{}", row.practice.0),
            title: Text::pick(lang, &row.title_fi, row.title_en.as_deref()),
            status: row.status,
            decision: row.latest_decision.map(|decision| {
                (names.body(lang, decision.body), decision.meeting_date.to_string(), decision.resolution)
            }),
            tags: row.tags,
            progress: row.progress,
            shared_by: row.shared.then(|| names.municipality(lang, row.municipality)),
        })
        .collect();
    let next_href = page.next.map(|cursor| {
        let mut next = without_paging.clone();
        next.push(("after".to_owned(), cursor.to_string()));
        practices_href(&next)
    });
    let mut bodies: Vec<(String, Text)> =
        names.bodies.iter().map(|(id, fi, en)| (id.0.to_string(), Text::pick(lang, fi, en.as_deref()))).collect();
    bodies.sort_by(|a, b| a.1.text.cmp(&b.1.text));
    ListView {
        status: value_of(pairs, "status"),
        body: value_of(pairs, "body"),
        from: value_of(pairs, "from"),
        to: value_of(pairs, "to"),
        tag: value_of(pairs, "tag"),
        bodies,
        rows,
        first_href: pairs.iter().any(|(name, _)| name == "after").then(|| practices_href(&without_paging)),
        next_href,
    }
}

/// The list page.
pub fn list_page(frame: &Frame, view: &ListView) -> Markup {
    let t = texts(frame.lang);
    pages::layout(
        frame,
        t.heading,
        html! {
            h1 { (t.heading) }
            p { (t.intro) }
            form.practice-filters method="get" action="/practices" aria-labelledby="filters-heading" {
                h2 id="filters-heading" { (t.filters) }
                div.filter-fields {
                    div {
                        label for="status" { (t.status) }
                        select id="status" name="status" {
                            option value="" selected[view.status.is_empty()] { (t.any) }
                            @for status in PracticePhase::ALL {
                                option value=(status.as_str()) selected[view.status == status.as_str()] {
                                    ((t.status_name)(*status))
                                }
                            }
                        }
                    }
                    div {
                        label for="body" { (t.body) }
                        select id="body" name="body" {
                            option value="" selected[view.body.is_empty()] { (t.any) }
                            @for (id, name) in &view.bodies {
                                option value=(id) selected[view.body.eq_ignore_ascii_case(id)] lang=[name.lang] { (name.text) }
                            }
                        }
                    }
                    div {
                        label for="from" { (t.from) }
                        input id="from" name="from" type="date" value=(view.from) aria-describedby="dates-hint";
                    }
                    div {
                        label for="to" { (t.to) }
                        input id="to" name="to" type="date" value=(view.to) aria-describedby="dates-hint";
                    }
                    div {
                        label for="tag" { (t.tag) }
                        input id="tag" name="tag" type="text" value=(view.tag) maxlength="64";
                    }
                }
                p.hint id="dates-hint" { (t.dates_hint) }
                div.filter-actions {
                    button type="submit" { (t.apply) }
                    a href="/practices" { (t.clear) }
                }
            }
            div.practice-list id="practice-list" data-live-refresh {
                p.summary role="status" { ((t.shown)(view.rows.len())) }
                @if view.rows.is_empty() {
                    p { (t.none_found) }
                } @else {
                    div.table-scroll {
                        table.practices {
                            caption { (t.caption) }
                            thead {
                                tr {
                                    th scope="col" { (t.title) }
                                    th scope="col" { (t.status) }
                                    th scope="col" { (t.last_decision) }
                                    th scope="col" { (t.tags) }
                                    th scope="col" { (t.progress) }
                                }
                            }
                            tbody {
                                @for row in &view.rows {
                                    tr {
                                        th scope="row" {
                                            a href=(row.href) lang=[row.title.lang] { (row.title.text) }
                                            @if let Some(partner) = &row.shared_by {
                                                br;
                                                span.shared-marker { (t.shared) ": " span lang=[partner.lang] { (partner.text) } }
                                            }
                                        }
                                        td { ((t.status_name)(row.status)) }
                                        td {
                                            @if let Some((body, date, resolution)) = &row.decision {
                                                span lang=[body.lang] { (body.text) } ", "
                                                time datetime=(date) { (date) } br;
                                                ((t.resolution_name)(resolution))
                                            } @else { (t.no_decision) }
                                        }
                                        td {
                                            @if row.tags.is_empty() { "–" } @else {
                                                ul.tags { @for tag in &row.tags { li lang="fi" { (tag) } } }
                                            }
                                        }
                                        td { (row.progress) " %" }
                                    }
                                }
                            }
                        }
                    }
                }
                @if view.first_href.is_some() || view.next_href.is_some() {
                    nav.pagination aria-label=(t.pages) {
                        @if let Some(href) = &view.first_href { a href=(href) { "« " (t.first_page) } }
                        @if let Some(href) = &view.next_href { a rel="next" href=(href) { (t.next_page) " →" } }
                    }
                }
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// One practice

/// A step's audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRefView {
    /// The event's id.
    pub event_id: String,
    /// Who recorded it.
    pub actor: Option<String>,
    /// When the store recorded it (RFC 3339).
    pub recorded_at: String,
    /// Its place in the auditor's pages.
    pub href: String,
}

/// What happened in one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepDetail {
    /// Drafted, citing evidence.
    Drafted {
        /// What it cites.
        evidence: Vec<LinkView>,
    },
    /// Submitted to a body.
    Submitted {
        /// The version.
        version: u32,
        /// The body.
        body: Text,
        /// The case number.
        case_number: String,
    },
    /// Decided by a body.
    Decided {
        /// The version.
        version: u32,
        /// The body.
        body: Text,
        /// The meeting's date.
        meeting_date: String,
        /// The section.
        section: u32,
        /// The resolution code.
        resolution: String,
        /// The motion (Finnish).
        motion: String,
        /// The decision text (Finnish).
        decision: String,
        /// The rationale (Finnish).
        rationale: Option<String>,
    },
    /// Anchored in a structure.
    Anchored {
        /// The version.
        version: u32,
        /// The structure's kind code.
        into: String,
        /// The structure's name (Finnish).
        target: String,
        /// Its reference.
        target_ref: Option<String>,
        /// The owner unit's id.
        owner_unit: String,
        /// From when.
        effective_from: String,
    },
    /// Progress reported.
    Progressed {
        /// Percent.
        percent: u8,
        /// What was done (Finnish).
        note: Option<String>,
    },
    /// Revised to a new version.
    Revised {
        /// The new version.
        version: u32,
        /// What changed (Finnish).
        what_changed: Option<String>,
        /// Why (Finnish).
        reason: Option<String>,
    },
    /// Replaced by another practice.
    Superseded {
        /// The replacing practice.
        by: LinkView,
    },
    /// Retired.
    Retired {
        /// Why.
        reason: Text,
    },
    /// Shared with partners.
    Shared {
        /// The version.
        version: u32,
        /// The partners.
        partners: Vec<Text>,
    },
    /// A partner reported adoption.
    Adoption {
        /// The partner.
        partner: Text,
        /// The status code.
        status: String,
        /// Its note (Finnish).
        note: Option<String>,
    },
    /// An event this page does not know (its audit summary).
    Other {
        /// The summary.
        summary: Text,
    },
}

impl StepDetail {
    fn kind(&self) -> &'static str {
        match self {
            Self::Drafted { .. } => "drafted",
            Self::Submitted { .. } => "submitted",
            Self::Decided { .. } => "decided",
            Self::Anchored { .. } => "anchored",
            Self::Progressed { .. } => "progressed",
            Self::Revised { .. } => "revised",
            Self::Superseded { .. } => "superseded",
            Self::Retired { .. } => "retired",
            Self::Shared { .. } => "shared",
            Self::Adoption { .. } => "adoption",
            Self::Other { .. } => "other",
        }
    }
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    /// When it happened (RFC 3339).
    pub at: String,
    /// What happened.
    pub detail: StepDetail,
    /// Its audit record, for readers who may read the owner's audit trail.
    pub audit: Option<AuditRefView>,
}

/// The practice's text as drafted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextView {
    /// The context.
    pub context: Text,
    /// The options considered.
    pub options: Vec<Text>,
    /// The chosen option.
    pub chosen: Text,
    /// Benefits.
    pub positive: Vec<Text>,
    /// Drawbacks.
    pub negative: Vec<Text>,
}

/// What a practice's page shows.
#[derive(Debug, Clone, Default)]
pub struct PracticeView {
    /// Its title.
    pub title: Text,
    /// Where it stands.
    pub status: PracticePhase,
    /// The current version.
    pub version: u32,
    /// Implementation progress.
    pub progress: u8,
    /// Its tags.
    pub tags: Vec<String>,
    /// The partner that shared it with the reader's municipality, if it is another's.
    pub shared_by: Option<Text>,
    /// Its text, if the drafting event was read.
    pub text: Option<TextView>,
    /// The timeline, oldest first.
    pub steps: Vec<StepView>,
    /// The practices it replaced (nearest first).
    pub supersedes: Vec<LinkView>,
    /// The practices that replaced it (nearest first).
    pub superseded_by: Vec<LinkView>,
    /// What cites it.
    pub cited_by: Vec<LinkView>,
}

/// What was read for one practice's page.
struct Found {
    history: PracticeHistory,
    rows: Vec<AuditRow>,
    names: Names,
    labels: HashMap<GraphNode, LinkView>,
    may_audit: bool,
}

/// `GET /practices/{practice}`.
async fn practice(
    State(state): State<WebState>,
    staff: Staff,
    Path(practice): Path<String>,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let id = uuid::Uuid::try_parse(practice.trim()).map_err(|_| {
        let detail = format!("practice: `{}` is not an id (a UUID)", kirjuri_app::queries::printable(&practice));
        WebError::new(lang, StatusCode::BAD_REQUEST, Some(detail))
    })?;
    let principal = staff.principal.clone();
    let found = read_views(&state, lang, move |views| read_practice(views, &principal, lang, PracticeId(id)))
        .await?
        .ok_or_else(|| WebError::new(lang, StatusCode::NOT_FOUND, None))?;
    let found = found.map_err(|denied| WebError::denied(lang, &denied))?;
    let view = practice_view(lang, staff.principal.municipality, found);
    Ok(html_response(StatusCode::OK, practice_page(&staff.frame, &view)))
}

/// Reads a practice's history, audit rows and the names and titles it shows, if it exists;
/// refuses (before reading more than the history) a reader who may not read it.
fn read_practice(
    views: &ViewsReader,
    principal: &Principal,
    lang: Lang,
    practice: PracticeId,
) -> Result<Option<Result<Found, kirjuri_auth::access::Denied>>, ViewsError> {
    let Some(history) = views.practice_history(practice)? else { return Ok(None) };
    let resource = kirjuri_app::resources::practice(&history);
    if let Err(denied) = authorize(principal, Action::Read, &resource) {
        return Ok(Some(Err(denied)));
    }
    let may_audit = authorize(principal, Action::ReadAudit, &Resource::of(history.municipality)).is_ok();
    let mut rows = Vec::new();
    let mut page = PageRequest::first(AUDIT_PAGE);
    loop {
        let read = views.entity_timeline(EntityKind::Practice, practice.0, page)?;
        rows.extend(read.rows);
        match read.next {
            Some(cursor) if rows.len() < MAX_STEPS => page = PageRequest::after(cursor, AUDIT_PAGE),
            _ => break,
        }
    }
    let names = Names::read(views, principal.municipality)?;
    let mut labels = HashMap::new();
    let nodes = history
        .evidence
        .iter()
        .map(|edge| edge.to)
        .chain(history.cited_by.iter().map(|edge| edge.from))
        .chain(history.supersedes.iter().chain(&history.superseded_by).map(|p| GraphNode::Practice(*p)))
        .chain(rows.iter().filter_map(|row| match PracticeEvent::from_recorded(&row.to_recorded()) {
            Ok(PracticeEvent::Superseded(superseded)) => Some(GraphNode::Practice(superseded.by)),
            _ => None,
        }));
    for node in nodes {
        if let std::collections::hash_map::Entry::Vacant(vacant) = labels.entry(node) {
            vacant.insert(link(views, principal, lang, node)?);
        }
    }
    Ok(Some(Ok(Found { history, rows, names, labels, may_audit })))
}

/// A graph node as a link: its title and page when the reader may read it, else its kind and id.
fn link(views: &ViewsReader, principal: &Principal, lang: Lang, node: GraphNode) -> Result<LinkView, ViewsError> {
    let readable =
        |municipality: MunicipalityId| authorize(principal, Action::Read, &Resource::of(municipality)).is_ok();
    let (kind, key) = node.key();
    let plain = LinkView { kind, label: Text { text: key.clone(), lang: None }, href: None };
    let experiment = |experiment: ExperimentId| -> Result<Option<(Text, String)>, ViewsError> {
        Ok(views.experiment(experiment)?.filter(|found| readable(found.item.municipality)).map(|found| {
            (
                Text::pick(lang, &found.item.title_fi, found.item.title_en.as_deref()),
                format!("/experiments/{}", experiment.0),
            )
        }))
    };
    Ok(match node {
        GraphNode::Lesson(LessonId(id)) => views
            .lesson(LessonId(id))?
            .filter(|found| readable(found.item.municipality))
            .map_or(plain, |found| LinkView {
                kind,
                label: Text::pick(lang, &found.item.title_fi, found.item.title_en.as_deref()),
                href: Some(format!("/lessons/{id}")),
            }),
        GraphNode::Experiment(id) => {
            experiment(id)?.map_or(plain, |(label, href)| LinkView { kind, label, href: Some(href) })
        }
        GraphNode::Outcome(id, criterion) => experiment(id)?.map_or(plain, |(label, href)| LinkView {
            kind,
            label: Text {
                text: format!("{} – {}", label.text, (texts(lang).criterion)(criterion.as_str())),
                lang: label.lang,
            },
            href: Some(format!("{href}#outcome-{}", criterion.as_str())),
        }),
        GraphNode::Practice(id) => match views.practice_history(id)? {
            Some(other) => {
                let resource = kirjuri_app::resources::practice(&other);
                if authorize(principal, Action::Read, &resource).is_ok() {
                    LinkView {
                        kind,
                        label: Text::finnish(lang, &other.title),
                        href: Some(format!("/practices/{}", id.0)),
                    }
                } else {
                    plain
                }
            }
            None => plain,
        },
        _ => plain,
    })
}

fn localized_all(lang: Lang, texts: &[LocalizedText]) -> Vec<Text> {
    texts.iter().map(|text| Text::of(lang, text)).collect()
}

/// The page of `found` for a reader of `municipality`: the history's rows paired with the
/// stream's audit rows in stream order (the n-th `PracticeDecided` is the n-th decision, …).
fn practice_view(lang: Lang, municipality: MunicipalityId, found: Found) -> PracticeView {
    let Found { history, rows, names, labels, may_audit } = found;
    let label = |node: GraphNode| {
        labels.get(&node).cloned().unwrap_or_else(|| {
            let (kind, key) = node.key();
            LinkView { kind, label: Text { text: key, lang: None }, href: None }
        })
    };
    let mut submissions = history.submissions.iter();
    let mut decisions = history.decisions.iter();
    let mut anchors = history.anchors.iter();
    let mut progress = history.progress_reports.iter();
    let mut revisions = history.versions.iter().skip(1);
    let mut adoptions = history.adoptions.iter();
    let mut text = None;
    let mut tags = Vec::new();
    let mut title = Text::finnish(lang, &history.title);
    let mut steps = Vec::with_capacity(rows.len());
    for row in &rows {
        let summary =
            || StepDetail::Other { summary: Text::pick(lang, &row.summary_fi, Some(row.summary_en.as_str())) };
        let event = PracticeEvent::from_recorded(&row.to_recorded());
        let detail = match event {
            Ok(PracticeEvent::Drafted(drafted)) => {
                title = Text::of(lang, &drafted.title);
                tags = drafted.tags.iter().map(|tag| tag.as_str().to_owned()).collect();
                text = Some(TextView {
                    context: Text::of(lang, &drafted.context),
                    options: localized_all(lang, &drafted.options_considered),
                    chosen: Text::of(lang, &drafted.chosen_option),
                    positive: localized_all(lang, &drafted.consequences.positive),
                    negative: localized_all(lang, &drafted.consequences.negative),
                });
                let evidence = drafted.evidence.iter().map(|link| label(evidence_node(link))).collect();
                StepDetail::Drafted { evidence }
            }
            Ok(PracticeEvent::Submitted(_)) => submissions.next().map_or_else(summary, |s| StepDetail::Submitted {
                version: s.version,
                body: s.body_name.as_deref().map_or_else(|| names.body(lang, s.body), |name| Text::finnish(lang, name)),
                case_number: s.case_number.clone(),
            }),
            Ok(PracticeEvent::Decided(_)) => decisions.next().map_or_else(summary, |d| StepDetail::Decided {
                version: d.version,
                body: d.body_name.as_deref().map_or_else(|| names.body(lang, d.body), |name| Text::finnish(lang, name)),
                meeting_date: d.meeting_date.to_string(),
                section: d.section,
                resolution: d.resolution.clone(),
                motion: d.motion.clone(),
                decision: d.decision.clone(),
                rationale: d.rationale.clone(),
            }),
            Ok(PracticeEvent::Anchored(_)) => anchors.next().map_or_else(summary, |a| StepDetail::Anchored {
                version: a.version,
                into: a.into.clone(),
                target: a.target.clone(),
                target_ref: a.target_ref.clone(),
                owner_unit: a.owner_unit.0.to_string(),
                effective_from: a.effective_from.to_string(),
            }),
            Ok(PracticeEvent::ImplementationProgressed(_)) => progress
                .next()
                .map_or_else(summary, |p| StepDetail::Progressed { percent: p.percent, note: p.note.clone() }),
            Ok(PracticeEvent::Revised(_)) => revisions.next().map_or_else(summary, |v| StepDetail::Revised {
                version: v.version,
                what_changed: v.what_changed.clone(),
                reason: v.reason.clone(),
            }),
            Ok(PracticeEvent::Superseded(superseded)) => {
                StepDetail::Superseded { by: label(GraphNode::Practice(superseded.by)) }
            }
            Ok(PracticeEvent::Retired(retired)) => StepDetail::Retired { reason: Text::of(lang, &retired.reason) },
            Ok(PracticeEvent::Shared(shared)) => StepDetail::Shared {
                version: shared.version,
                partners: shared.partners.iter().map(|partner| names.municipality(lang, *partner)).collect(),
            },
            Ok(PracticeEvent::AdoptionReported(_)) => adoptions.next().map_or_else(summary, |a| StepDetail::Adoption {
                partner: names.municipality(lang, a.partner),
                status: a.status.clone(),
                note: a.note.clone(),
            }),
            Err(_) => summary(),
        };
        let audit = may_audit.then(|| AuditRefView {
            event_id: row.event_id.to_string(),
            actor: row.actor.clone(),
            recorded_at: row.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            href: format!("/audit/practice/{}#event-{}", history.practice.0, row.event_id),
        });
        let at: DateTime<Utc> = row.occurred_at.unwrap_or(row.recorded_at);
        steps.push(StepView { at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), detail, audit });
    }
    PracticeView {
        title,
        status: history.status,
        version: history.version,
        progress: history.progress,
        tags,
        shared_by: (history.municipality != municipality).then(|| names.municipality(lang, history.municipality)),
        text,
        steps,
        supersedes: history.supersedes.iter().map(|p| label(GraphNode::Practice(*p))).collect(),
        superseded_by: history.superseded_by.iter().map(|p| label(GraphNode::Practice(*p))).collect(),
        cited_by: history.cited_by.iter().map(|edge| label(edge.from)).collect(),
    }
}

fn evidence_node(link: &EvidenceLink) -> GraphNode {
    match *link {
        EvidenceLink::Outcome { experiment, criterion } => GraphNode::Outcome(experiment, criterion),
        EvidenceLink::Experiment { experiment } => GraphNode::Experiment(experiment),
        EvidenceLink::Lesson { lesson } => GraphNode::Lesson(lesson),
        EvidenceLink::Assessment { campaign } => GraphNode::Campaign(campaign),
    }
}

fn link_markup(t: &PracticesTexts, link: &LinkView) -> Markup {
    html! {
        span.kind { ((t.evidence_kind)(link.kind)) ": " }
        @if let Some(href) = &link.href {
            a href=(href) lang=[link.label.lang] { (link.label.text) }
        } @else {
            code { (link.label.text) }
        }
    }
}

fn shown(text: &Text) -> Markup {
    html! { span lang=[text.lang] { (text.text) } }
}

fn links(t: &PracticesTexts, links: &[LinkView]) -> Markup {
    html! { ul.links { @for link in links { li { (link_markup(t, link)) } } } }
}

fn step_detail(t: &PracticesTexts, lang: Lang, detail: &StepDetail) -> Markup {
    let finnish = (lang != Lang::Fi).then_some("fi");
    html! {
        @match detail {
            StepDetail::Drafted { evidence } => {
                @if !evidence.is_empty() {
                    p.step-label { (t.evidence) }
                    (links(t, evidence))
                }
            }
            StepDetail::Submitted { version, body, case_number } => {
                dl.fields {
                    dt { (t.submitted_to) } dd { (shown(body)) }
                    dt { (t.version) } dd { (version) }
                    dt { (t.case_number) } dd { (case_number) }
                }
            }
            StepDetail::Decided { version, body, meeting_date, section, resolution, motion, decision, rationale } => {
                dl.fields {
                    dt { (t.body) } dd { (shown(body)) }
                    dt { (t.meeting) } dd { time datetime=(meeting_date) { (meeting_date) } }
                    dt { (t.section) } dd { ((t.section_n)(*section)) }
                    dt { (t.version) } dd { (version) }
                    dt { (t.resolution) } dd.resolution { ((t.resolution_name)(resolution)) }
                    dt { (t.motion) } dd lang=[finnish] { (motion) }
                    dt { (t.decision) } dd lang=[finnish] { (decision) }
                    @if let Some(rationale) = rationale { dt { (t.rationale) } dd lang=[finnish] { (rationale) } }
                }
            }
            StepDetail::Anchored { version, into, target, target_ref, owner_unit, effective_from } => {
                dl.fields {
                    dt { ((t.anchor_kind)(into)) } dd lang=[finnish] { (target) }
                    @if let Some(reference) = target_ref { dt { (t.reference) } dd { (reference) } }
                    dt { (t.owner_unit) } dd { a href=(format!("/search?unit={owner_unit}")) { code { (owner_unit) } } }
                    dt { (t.effective_from) } dd { time datetime=(effective_from) { (effective_from) } }
                    dt { (t.version) } dd { (version) }
                }
            }
            StepDetail::Progressed { percent, note } => {
                p { ((t.percent_done)(*percent)) }
                @if let Some(note) = note { p lang=[finnish] { (note) } }
            }
            StepDetail::Revised { version, what_changed, reason } => {
                dl.fields {
                    dt { (t.version) } dd { (version) }
                    @if let Some(what) = what_changed { dt { (t.what_changed) } dd lang=[finnish] { (what) } }
                    @if let Some(reason) = reason { dt { (t.reason) } dd lang=[finnish] { (reason) } }
                }
            }
            StepDetail::Superseded { by } => { p { (t.replaced_by) ": " (link_markup(t, by)) } }
            StepDetail::Retired { reason } => { p { (t.reason) ": " (shown(reason)) } }
            StepDetail::Shared { version, partners } => {
                p { ((t.version_n)(*version)) " → " (t.partners) ": "
                    @for (index, partner) in partners.iter().enumerate() {
                        @if index > 0 { ", " }
                        (shown(partner))
                    }
                }
            }
            StepDetail::Adoption { partner, status, note } => {
                p { (shown(partner)) ": " strong { ((t.adoption_status)(status)) } }
                @if let Some(note) = note { p lang=[finnish] { (note) } }
            }
            StepDetail::Other { summary } => { p { (shown(summary)) } }
        }
    }
}

/// A practice's page: its text, its history as a timeline, supersession and what cites it.
pub fn practice_page(frame: &Frame, view: &PracticeView) -> Markup {
    let t = texts(frame.lang);
    pages::layout(
        frame,
        &view.title.text,
        html! {
            p { a href="/practices" { "← " (t.back_to_list) } }
            h1 lang=[view.title.lang] { (view.title.text) }
            @if let Some(partner) = &view.shared_by {
                p.shared-note { strong { (t.shared) ": " (shown(partner)) } ". " (t.shared_note) }
            }
            dl.fields {
                dt { (t.status) } dd.status { ((t.status_name)(view.status)) }
                dt { (t.version) } dd { (view.version) }
                dt { (t.progress) } dd { ((t.percent_done)(view.progress)) }
                dt { (t.tags) }
                dd {
                    @if view.tags.is_empty() { "–" }
                    @else { ul.tags { @for tag in &view.tags { li lang="fi" { (tag) } } } }
                }
            }
            @if let Some(text) = &view.text {
                section aria-labelledby="summary-heading" {
                    h2 id="summary-heading" { (t.summary) }
                    h3 { (t.context) }
                    p { (shown(&text.context)) }
                    @if !text.options.is_empty() {
                        h3 { (t.options) }
                        ul { @for option in &text.options { li { (shown(option)) } } }
                    }
                    h3 { (t.chosen) }
                    p { (shown(&text.chosen)) }
                    @if !text.positive.is_empty() {
                        h3 { (t.positive) }
                        ul { @for item in &text.positive { li { (shown(item)) } } }
                    }
                    @if !text.negative.is_empty() {
                        h3 { (t.negative) }
                        ul { @for item in &text.negative { li { (shown(item)) } } }
                    }
                }
            }
            section aria-labelledby="history-heading" {
                h2 id="history-heading" { (t.history) }
                ol.practice-timeline {
                    @for step in &view.steps {
                        li.step id=[step.audit.as_ref().map(|audit| format!("step-{}", audit.event_id))] data-kind=(step.detail.kind()) {
                            h3 {
                                ((t.step)(step.detail.kind())) " "
                                span.step-date { time datetime=(step.at) { (step.at.get(..10).unwrap_or(&step.at)) } }
                            }
                            (step_detail(t, frame.lang, &step.detail))
                            @if let Some(audit) = &step.audit {
                                p.audit-ref {
                                    (t.audit_record) ": "
                                    a href=(audit.href) { (t.event) " " code.event-id { (audit.event_id) } }
                                    " · " (t.actor) " " (audit.actor.as_deref().unwrap_or(t.unknown_actor))
                                    " · " (t.recorded) " " time datetime=(audit.recorded_at) { (audit.recorded_at.replace('T', " ").replace('Z', " UTC")) }
                                }
                            }
                        }
                    }
                }
            }
            @if !view.supersedes.is_empty() || !view.superseded_by.is_empty() {
                section aria-labelledby="supersession-heading" {
                    h2 id="supersession-heading" { (t.supersession) }
                    @if !view.supersedes.is_empty() { h3 { (t.replaces) } (links(t, &view.supersedes)) }
                    @if !view.superseded_by.is_empty() { h3 { (t.replaced_by) } (links(t, &view.superseded_by)) }
                }
            }
            section aria-labelledby="cited-heading" {
                h2 id="cited-heading" { (t.cited_by) }
                @if view.cited_by.is_empty() { p { (t.nothing_cites) } } @else { (links(t, &view.cited_by)) }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::SignedIn;

    fn frame(lang: Lang) -> Frame {
        Frame {
            lang,
            here: "/practices".to_owned(),
            signed_in: Some(SignedIn { name: "Maija".to_owned(), csrf: "c".to_owned(), audits: true, records: false }),
        }
    }

    fn row(title: &str) -> PracticeRowView {
        PracticeRowView {
            href: "/practices/1".to_owned(),
            title: Text::finnish(Lang::En, title),
            status: PracticePhase::Passed,
            decision: Some((
                Text::finnish(Lang::En, "Kaupunginhallitus"),
                "2025-03-10".to_owned(),
                "passed".to_owned(),
            )),
            tags: vec!["asiointi".to_owned()],
            progress: 40,
            shared_by: Some(Text::finnish(Lang::En, "Oulu")),
        }
    }

    #[test]
    fn the_list_keeps_its_filters_in_the_form_escapes_titles_and_marks_finnish_text() {
        let view = ListView {
            status: "passed".to_owned(),
            tag: "\"><b>".to_owned(),
            rows: vec![row("<script>alert(1)</script>")],
            next_href: Some("/practices?status=passed&after=5".to_owned()),
            ..ListView::default()
        };
        let page = list_page(&frame(Lang::En), &view).into_string();
        assert!(page.contains("<option value=\"passed\" selected>Passed</option>"), "{page}");
        assert!(page.contains("value=\"&quot;&gt;&lt;b&gt;\""), "the tag is escaped in its field");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"));
        assert!(page.contains("<a href=\"/practices/1\" lang=\"fi\">"), "a Finnish title is marked on an English page");
        assert!(page.contains("<time datetime=\"2025-03-10\">"));
        assert!(page.contains("Shared by a partner"));
        assert!(page.contains("data-live-refresh"));
        assert!(page.contains("<th scope=\"col\">") && page.contains("<caption>"));
        assert!(page.contains("rel=\"next\" href=\"/practices?status=passed&amp;after=5\""));
        assert!(!page.contains("First page"), "the first page offers no way back to itself");
    }

    #[test]
    fn an_empty_list_says_so_in_finnish() {
        let page = list_page(&frame(Lang::Fi), &ListView::default()).into_string();
        assert!(page.contains("Rajauksia vastaavia käytäntöjä ei löytynyt."));
        assert!(page.contains("<html lang=\"fi\">"));
        assert!(!page.contains("<table"));
    }

    fn audit(event: &str) -> Option<AuditRefView> {
        Some(AuditRefView {
            event_id: event.to_owned(),
            actor: Some("token:<x>".to_owned()),
            recorded_at: "2025-03-10T12:00:00Z".to_owned(),
            href: format!("/audit/practice/p#event-{event}"),
        })
    }

    #[test]
    fn every_step_links_its_audit_record_and_decisions_show_body_section_resolution_and_text() {
        let view = PracticeView {
            title: Text::finnish(Lang::En, "Etäasiointi"),
            status: PracticePhase::Passed,
            version: 1,
            steps: vec![
                StepView {
                    at: "2025-01-02T09:00:00Z".to_owned(),
                    detail: StepDetail::Drafted {
                        evidence: vec![LinkView {
                            kind: "lesson",
                            label: Text::finnish(Lang::En, "Oppi"),
                            href: Some("/lessons/l1".to_owned()),
                        }],
                    },
                    audit: audit("e1"),
                },
                StepView {
                    at: "2025-03-10T12:00:00Z".to_owned(),
                    detail: StepDetail::Decided {
                        version: 1,
                        body: Text::finnish(Lang::En, "Kaupunginhallitus"),
                        meeting_date: "2025-03-10".to_owned(),
                        section: 42,
                        resolution: "passed_as_amended".to_owned(),
                        motion: "Esitys".to_owned(),
                        decision: "Hyväksytään <muutettuna>".to_owned(),
                        rationale: None,
                    },
                    audit: audit("e2"),
                },
            ],
            superseded_by: vec![LinkView {
                kind: "practice",
                label: Text::finnish(Lang::En, "Uusi"),
                href: Some("/practices/p2".to_owned()),
            }],
            ..PracticeView::default()
        };
        let page = practice_page(&frame(Lang::En), &view).into_string();
        assert!(page.contains("<ol class=\"practice-timeline\">"));
        assert!(page.contains("href=\"/audit/practice/p#event-e1\""), "{page}");
        assert!(page.contains("<code class=\"event-id\">e2</code>"));
        assert!(page.contains("token:&lt;x&gt;"), "the actor is escaped");
        assert!(page.contains("<time datetime=\"2025-01-02T09:00:00Z\">2025-01-02</time>"));
        assert!(page.contains("href=\"/lessons/l1\""));
        assert!(page.contains("§ 42") && page.contains("Passed as amended"));
        assert!(page.contains("<dd lang=\"fi\">Hyväksytään &lt;muutettuna&gt;</dd>"));
        assert!(page.contains("href=\"/practices/p2\"") && page.contains("Replaced by"));
        assert!(page.contains("<h1 lang=\"fi\">Etäasiointi</h1>"));
    }

    #[test]
    fn without_audit_rights_the_steps_show_no_audit_record() {
        let view = PracticeView {
            steps: vec![StepView {
                at: "2025-01-02T09:00:00Z".to_owned(),
                detail: StepDetail::Progressed { percent: 50, note: None },
                audit: None,
            }],
            shared_by: Some(Text::finnish(Lang::Fi, "Oulu")),
            ..PracticeView::default()
        };
        let page = practice_page(&frame(Lang::Fi), &view).into_string();
        assert!(!page.contains("/audit/"));
        assert!(page.contains("50 % toteutettu"));
        assert!(page.contains("Kumppanin jakama"));
    }
}

//! The experiments: `/experiments`, the municipality's experiments newest first (the API's
//! filters `status`, `unit`, `from`, `to` and its keyset paging `after`, read by the same
//! parser), and `/experiments/{id}`, one experiment: problem and hypothesis, approval,
//! protocol, stages, per criterion each metric's measurements drawn against its baseline
//! (SVG, with the numbers in a table), the outcome, the conclusion and the lessons.
//!
//! The list is a read of the lists read model; the page reads the experiment's row (for its
//! municipality: another's is a 404, as in the API), then its own events from the audit trail,
//! decoded with the domain's decoder and folded here by [`experiment_view`], a pure function
//! (the read models keep no measurements; the events are the record).

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use kirjuri_domain::Aggregate as _;
use kirjuri_domain::experiment::ExperimentState;
use kirjuri_events::domain::Vocabulary as _;
use kirjuri_events::domain::experiment::{Direction, ExperimentEvent, ExperimentPhase, MeasurementRecorded};
use kirjuri_events::domain::{BodyId, ExperimentId, UnitId};
use kirjuri_views::{
    AggregateState, AsOf, EntityKind, ExperimentRow, LessonFilter, LessonRow, ListRequest, Listed, PageRequest,
    ViewsError,
};
use maud::{Markup, html};
use serde::Serialize;

use super::i18n::Lang;
use super::i18n::experiments::{ExperimentsTexts, texts};
use super::pages::Text;
use super::pages::{Frame, layout};
use super::picture::{Choice, decimal};
use super::{Staff, WebError, html_response, read_views};
use crate::WebState;
use kirjuri_auth::access::{Action, Resource, authorize};

/// The experiments' pages.
pub fn routes() -> Router<WebState> {
    Router::new().route("/experiments", get(list)).route("/experiments/{experiment}", get(page))
}

/// The most lessons an experiment's page lists.
const LESSONS_SHOWN: usize = 100;

/// `GET /experiments`.
async fn list(State(state): State<WebState>, staff: Staff, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let municipality = staff.principal.municipality;
    authorize(&staff.principal, Action::Read, &Resource::of(municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let raw = super::filled_query(raw.as_deref());
    let (filter, request) =
        kirjuri_app::queries::experiment_list_request(Some(&raw)).map_err(|error| WebError::from_api(lang, &error))?;
    let (listed, units) = read_views(&state, lang, move |views| {
        // A rule the read model checks (`to` before `from`, `limit`) is the client's mistake: kept apart.
        let listed = views.experiments(municipality, &filter, request);
        Ok::<_, ViewsError>((listed, views.unit_names(municipality)?))
    })
    .await?;
    let listed = listed.map_err(|error| WebError::from_api(lang, &kirjuri_app::queries::views_error(error)))?;
    let pairs = kirjuri_app::queries::pairs(Some(&raw));
    let view = list_view(lang, &pairs, &listed, &units);
    Ok(html_response(StatusCode::OK, list_page(&staff.frame, &view)))
}

/// `GET /experiments/{experiment}`.
async fn page(
    State(state): State<WebState>,
    staff: Staff,
    Path(experiment): Path<String>,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let id = uuid::Uuid::try_parse(experiment.trim()).map_err(|_| {
        let detail = format!("experiment: `{}` is not an id (a UUID)", kirjuri_app::queries::printable(&experiment));
        WebError::new(lang, StatusCode::BAD_REQUEST, Some(detail))
    })?;
    let found = read_views(&state, lang, move |views| {
        let Some(found) = views.experiment(ExperimentId(id))? else { return Ok(None) };
        let row = found.item;
        let mut events = Vec::new();
        let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let page = views.entity_timeline(EntityKind::Experiment, id, request)?;
            for audited in &page.rows {
                let event = ExperimentState::decode(&audited.to_recorded())
                    .map_err(|e| ViewsError::Undecodable { position: audited.position, reason: e.to_string() })?;
                events.push(event);
            }
            match page.next {
                Some(cursor) => request = PageRequest::after(cursor, PageRequest::MAX_LIMIT),
                None => break,
            }
        }
        let filter = LessonFilter { experiment: Some(ExperimentId(id)), ..LessonFilter::default() };
        let lessons = views.lessons(row.municipality, &filter, ListRequest::first(LESSONS_SHOWN))?.items;
        let units = views.unit_names(row.municipality)?;
        let body = match row.approved_by {
            Some(body) => body_name(views, body)?,
            None => None,
        };
        Ok::<_, ViewsError>(Some(Found { row, events, lessons, units, body }))
    })
    .await?
    .ok_or_else(|| WebError::new(lang, StatusCode::NOT_FOUND, None))?;
    authorize(&staff.principal, Action::Read, &Resource::of(found.row.municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let view = experiment_view(lang, &found);
    Ok(html_response(StatusCode::OK, experiment_page(&staff.frame, &view)))
}

/// A body's name, from its registration replayed as of now.
fn body_name(
    views: &kirjuri_views::ViewsReader,
    body: BodyId,
) -> Result<Option<kirjuri_events::domain::LocalizedText>, ViewsError> {
    let replayed = views.entity_state(EntityKind::Body, body.0, AsOf::Moment(chrono::Utc::now()))?;
    Ok(match replayed.state {
        AggregateState::Body(state) => state.registration.map(|registration| registration.name),
        _ => None,
    })
}

/// What the experiment's page is drawn from.
#[derive(Debug, Clone)]
pub struct Found {
    /// Its row in the lists.
    pub row: ExperimentRow,
    /// Its events, oldest first.
    pub events: Vec<ExperimentEvent>,
    /// Its lessons, newest first.
    pub lessons: Vec<LessonRow>,
    /// Its municipality's units and their names.
    pub units: Vec<(UnitId, String)>,
    /// The approving body's name, if approved.
    pub body: Option<kirjuri_events::domain::LocalizedText>,
}

/// An enum's stable snake_case name, as serialised.
fn code(value: &impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn unit_text(lang: Lang, units: &[(UnitId, String)], unit: UnitId) -> Text {
    units
        .iter()
        .find(|(id, _)| *id == unit)
        .map_or_else(|| Text { text: unit.0.to_string(), lang: None }, |(_, name)| Text::finnish(lang, name))
}

fn title_of(lang: Lang, title_fi: &str, title_en: Option<&String>) -> Text {
    match title_en {
        Some(english) if lang == Lang::En && !english.trim().is_empty() => Text { text: english.clone(), lang: None },
        _ => Text::finnish(lang, title_fi),
    }
}

/// `/experiments?` with `pairs`.
fn list_href(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "/experiments".to_owned();
    }
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    format!("/experiments?{}", serializer.finish())
}

/// One listed experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// Its page.
    pub href: String,
    /// Its name.
    pub title: Text,
    /// Its status, in words.
    pub status: String,
    /// Its units.
    pub units: Vec<Text>,
    /// When proposed, `YYYY-MM-DD`.
    pub proposed: String,
    /// Its first and last day, once approved.
    pub period: Option<(String, String)>,
}

/// What the list page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListView {
    /// The status choices.
    pub statuses: Vec<Choice>,
    /// The unit choices.
    pub units: Vec<Choice>,
    /// The `from` and `to` typed.
    pub from: String,
    /// See `from`.
    pub to: String,
    /// Whether any filter or paging is active.
    pub filtered: bool,
    /// This page's experiments.
    pub items: Vec<ListItem>,
    /// The first page, when this is not it.
    pub first_href: Option<String>,
    /// The next page, if there is one.
    pub next_href: Option<String>,
}

/// The list page for the query `pairs` (already validated) and the read model's `listed` page.
pub fn list_view(
    lang: Lang,
    pairs: &[(String, String)],
    listed: &Listed<ExperimentRow>,
    units: &[(UnitId, String)],
) -> ListView {
    let t = texts(lang);
    let value = |name: &str| pairs.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned());
    let status = value("status");
    let unit = value("unit");
    let base: Vec<(String, String)> = pairs.iter().filter(|(name, _)| name != "after").cloned().collect();
    ListView {
        statuses: ExperimentPhase::ALL
            .iter()
            .map(|&phase| Choice {
                value: phase.as_str().to_owned(),
                label: Text { text: (t.status_name)(phase).to_owned(), lang: None },
                selected: status.as_deref() == Some(phase.as_str()),
            })
            .collect(),
        units: units
            .iter()
            .map(|(id, name)| Choice {
                value: id.0.to_string(),
                label: Text::finnish(lang, name),
                selected: unit.as_deref().and_then(|u| uuid::Uuid::try_parse(u).ok()) == Some(id.0),
            })
            .collect(),
        from: value("from").unwrap_or_default(),
        to: value("to").unwrap_or_default(),
        filtered: !pairs.is_empty(),
        items: listed
            .items
            .iter()
            .map(|row| ListItem {
                href: format!("/experiments/{}", row.experiment.0),
                title: title_of(lang, &row.title_fi, row.title_en.as_ref()),
                status: (t.status_name)(row.status).to_owned(),
                units: row.units.iter().map(|unit| unit_text(lang, units, *unit)).collect(),
                proposed: row.proposed_on.to_string(),
                period: row.starts.zip(row.ends).map(|(starts, ends)| (starts.to_string(), ends.to_string())),
            })
            .collect(),
        first_href: pairs.iter().any(|(name, _)| name == "after").then(|| list_href(&base)),
        next_href: listed.next.map(|cursor| {
            let mut next = base.clone();
            next.push(("after".to_owned(), cursor.to_string()));
            list_href(&next)
        }),
    }
}

/// The list page.
pub fn list_page(frame: &Frame, view: &ListView) -> Markup {
    let t = texts(frame.lang);
    layout(
        frame,
        t.title,
        html! {
            h1 { (t.title) }
            p.lead { (t.intro) }
            form.experiment-filters method="get" action="/experiments" aria-label=(t.filters) {
                div.field {
                    label for="status" { (t.status_label) }
                    select id="status" name="status" {
                        option value="" { (t.any_status) }
                        @for choice in &view.statuses { option value=(choice.value) selected[choice.selected] { (choice.label.text) } }
                    }
                }
                div.field {
                    label for="unit" { (t.unit_label) }
                    select id="unit" name="unit" {
                        option value="" { (t.all_units) }
                        @for choice in &view.units {
                            option value=(choice.value) selected[choice.selected] lang=[choice.label.lang] { (choice.label.text) }
                        }
                    }
                }
                div.field {
                    label for="from" { (t.from_label) }
                    input id="from" name="from" type="date" value=(view.from) aria-describedby="dates-hint";
                }
                div.field {
                    label for="to" { (t.to_label) }
                    input id="to" name="to" type="date" value=(view.to) aria-describedby="dates-hint";
                }
                p.hint id="dates-hint" { (t.date_hint) }
                div.actions {
                    button type="submit" { (t.filter) }
                    @if view.filtered { a href="/experiments" { (t.clear) } }
                }
            }
            div.experiment-list id="experiment-list" data-live-refresh {
                @if view.items.is_empty() {
                    p { (t.none_found) }
                } @else {
                    div.table-scroll tabindex="0" role="region" aria-label=(t.list_caption) {
                        table {
                            caption { (t.list_caption) }
                            thead { tr {
                                th scope="col" { (t.name) }
                                th scope="col" { (t.status) }
                                th scope="col" { (t.units) }
                                th scope="col" { (t.proposed) }
                                th scope="col" { (t.period) }
                            } }
                            tbody {
                                @for item in &view.items {
                                    tr {
                                        th scope="row" { a href=(item.href) lang=[item.title.lang] { (item.title.text) } }
                                        td { (item.status) }
                                        td {
                                            @for (index, unit) in item.units.iter().enumerate() {
                                                @if index > 0 { ", " }
                                                span lang=[unit.lang] { (unit.text) }
                                            }
                                        }
                                        td { time datetime=(item.proposed) { (item.proposed) } }
                                        td {
                                            @if let Some((starts, ends)) = &item.period {
                                                time datetime=(starts) { (starts) } " – " time datetime=(ends) { (ends) }
                                            } @else { "–" }
                                        }
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

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementView {
    /// The period's first day.
    pub from: String,
    /// Its last day.
    pub to: String,
    /// The value.
    pub value: f64,
    /// The value, written.
    pub value_text: String,
    /// How many observations.
    pub n: u32,
    /// The change from the baseline in percent, written.
    pub change: Option<String>,
    /// Where it comes from.
    pub source: Option<String>,
}

/// One metric with its baseline and measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricView {
    /// Its name.
    pub name: Text,
    /// Its unit.
    pub unit: String,
    /// Which way is better, in words.
    pub direction: &'static str,
    /// The baseline, and it written.
    pub baseline: Option<(f64, String)>,
    /// The measurements, in period order.
    pub measurements: Vec<MeasurementView>,
}

/// One criterion's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeView {
    /// The verdict, in words.
    pub verdict: String,
    /// The verdict's code (for styling).
    pub verdict_code: String,
    /// The effect in percent, written.
    pub effect: Option<String>,
    /// The assessment.
    pub summary: Text,
    /// When, `YYYY-MM-DD`.
    pub assessed: String,
}

/// One criterion of the protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionView {
    /// Its name.
    pub name: String,
    /// Its metrics.
    pub metrics: Vec<MetricView>,
    /// Its latest outcome.
    pub outcome: Option<OutcomeView>,
}

/// One stage change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageView {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// "planning → running".
    pub change: String,
    /// Why, if said.
    pub reason: Option<Text>,
}

/// The approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalView {
    /// The body's name.
    pub body: Option<Text>,
    /// The meeting's date.
    pub meeting: String,
    /// "§ 12".
    pub section: String,
    /// The decision text.
    pub decision: Text,
    /// The group.
    pub group: Text,
    /// The place.
    pub place: Text,
    /// First and last day.
    pub starts: String,
    /// See `starts`.
    pub ends: String,
    /// The budget, written.
    pub budget: Option<String>,
}

/// The conclusion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConclusionView {
    /// How it ended, in words.
    pub end_state: String,
    /// What came of it.
    pub summary: Text,
    /// When.
    pub date: String,
    /// The team's rating.
    pub rating: Option<u8>,
}

/// One lesson link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonLink {
    /// Its page.
    pub href: String,
    /// Its title.
    pub title: Text,
    /// Its status, in words.
    pub status: &'static str,
}

/// What the experiment's page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperimentView {
    /// Its name.
    pub title: Text,
    /// Its status, in words (with the end state once concluded).
    pub status: String,
    /// Its units.
    pub units: Vec<Text>,
    /// When proposed.
    pub proposed: String,
    /// The problem.
    pub problem: Option<Text>,
    /// The hypothesis.
    pub hypothesis: Option<Text>,
    /// Its themes.
    pub themes: Vec<String>,
    /// The approval.
    pub approval: Option<ApprovalView>,
    /// The evaluation design, in words, once defined.
    pub design: Option<&'static str>,
    /// The criteria.
    pub criteria: Vec<CriterionView>,
    /// The stage changes, oldest first.
    pub stages: Vec<StageView>,
    /// The conclusion.
    pub conclusion: Option<ConclusionView>,
    /// The lessons.
    pub lessons: Vec<LessonLink>,
}

/// The experiment's page, folded from what was `found`.
pub fn experiment_view(lang: Lang, found: &Found) -> ExperimentView {
    let t = texts(lang);
    let row = &found.row;
    let status_words = (t.status_name)(row.status);
    let mut view = ExperimentView {
        title: title_of(lang, &row.title_fi, row.title_en.as_ref()),
        status: match &row.end_state {
            Some(end) => format!("{status_words} ({})", (t.end_state_name)(end)),
            None => status_words.to_owned(),
        },
        units: row.units.iter().map(|unit| unit_text(lang, &found.units, *unit)).collect(),
        proposed: row.proposed_on.to_string(),
        lessons: found
            .lessons
            .iter()
            .map(|lesson| LessonLink {
                href: format!("/lessons/{}", lesson.lesson.0),
                title: title_of(lang, &lesson.title_fi, lesson.title_en.as_ref()),
                status: (t.lesson_status_name)(lesson.status),
            })
            .collect(),
        ..ExperimentView::default()
    };
    let mut baselines: BTreeMap<String, f64> = BTreeMap::new();
    let mut measurements: BTreeMap<String, Vec<&MeasurementRecorded>> = BTreeMap::new();
    let mut outcomes: BTreeMap<String, OutcomeView> = BTreeMap::new();
    let mut protocol = None;
    for event in &found.events {
        match event {
            ExperimentEvent::Proposed(e) => {
                view.problem = Some(text(lang, &e.problem));
                view.hypothesis = Some(text(lang, &e.hypothesis));
                view.themes.clone_from(&e.themes);
            }
            ExperimentEvent::Approved(e) => {
                view.approval = Some(ApprovalView {
                    body: found.body.as_ref().map(|name| text(lang, name)),
                    meeting: e.decision.meeting_date.to_string(),
                    section: (t.section)(e.decision.section),
                    decision: text(lang, &e.decision.decision_text),
                    group: text(lang, &e.scope.group),
                    place: text(lang, &e.scope.place),
                    starts: e.starts.to_string(),
                    ends: e.ends.to_string(),
                    budget: e.budget_euros.map(|euros| euros_text(lang, euros)),
                });
            }
            ExperimentEvent::ProtocolDefined(e) => protocol = Some(e.clone()),
            ExperimentEvent::BaselineEstablished(e) => {
                baselines.insert(e.metric.as_str().to_owned(), e.value);
            }
            ExperimentEvent::StageChanged(e) => view.stages.push(StageView {
                date: e.changed.to_string(),
                change: (t.stage_change)((t.stage_name)(&code(&e.from)), (t.stage_name)(&code(&e.to))),
                reason: e.reason.as_ref().map(|reason| text(lang, reason)),
            }),
            ExperimentEvent::MeasurementRecorded(e) => {
                measurements.entry(e.metric.as_str().to_owned()).or_default().push(e);
            }
            ExperimentEvent::OutcomeAssessed(e) => {
                let verdict_code = code(&e.verdict);
                outcomes.insert(
                    e.criterion.as_str().to_owned(),
                    OutcomeView {
                        verdict: (t.verdict_name)(&verdict_code).to_owned(),
                        verdict_code,
                        effect: e.effect.map(|effect| format!("{} %", signed(lang, effect))),
                        summary: text(lang, &e.summary),
                        assessed: e.assessed.to_string(),
                    },
                );
            }
            ExperimentEvent::Concluded(e) => {
                view.conclusion = Some(ConclusionView {
                    end_state: (t.end_state_name)(&code(&e.end_state)).to_owned(),
                    summary: text(lang, &e.summary),
                    date: e.concluded.to_string(),
                    rating: e.success_rating,
                });
            }
        }
    }
    if let Some(protocol) = protocol {
        view.design = Some((t.design_name)(&code(&protocol.design)));
        view.criteria = protocol
            .criteria
            .iter()
            .map(|criterion| CriterionView {
                name: (t.criterion_name)(criterion.criterion.as_str()).to_owned(),
                metrics: criterion
                    .metrics
                    .iter()
                    .map(|metric| {
                        let baseline = baselines.get(metric.code.as_str()).copied();
                        let mut measured = measurements.get(metric.code.as_str()).cloned().unwrap_or_default();
                        measured.sort_by_key(|m| (m.period.from, m.period.to));
                        MetricView {
                            name: text(lang, &metric.name),
                            unit: metric.unit.clone(),
                            direction: match metric.direction {
                                Direction::HigherIsBetter => t.higher_is_better,
                                Direction::LowerIsBetter => t.lower_is_better,
                            },
                            baseline: baseline.map(|value| (value, decimal(lang, value, 2))),
                            measurements: measured
                                .into_iter()
                                .map(|m| MeasurementView {
                                    from: m.period.from.to_string(),
                                    to: m.period.to.to_string(),
                                    value: m.value,
                                    value_text: decimal(lang, m.value, 2),
                                    n: m.n,
                                    change: baseline
                                        .filter(|base| base.abs() > f64::EPSILON)
                                        .map(|base| format!("{} %", signed(lang, (m.value - base) / base * 100.0))),
                                    source: m.data_source.clone(),
                                })
                                .collect(),
                        }
                    })
                    .collect(),
                outcome: outcomes.get(criterion.criterion.as_str()).cloned(),
            })
            .collect();
    }
    view
}

fn text(lang: Lang, localized_text: &kirjuri_events::domain::LocalizedText) -> Text {
    Text::of(lang, localized_text)
}

fn signed(lang: Lang, value: f64) -> String {
    let written = decimal(lang, value, 1);
    if value > 0.0 { format!("+{written}") } else { written }
}

fn euros_text(lang: Lang, euros: u64) -> String {
    let digits = euros.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(if lang == Lang::Fi { '\u{a0}' } else { ',' });
        }
        grouped.push(digit);
    }
    match lang {
        Lang::Fi => format!("{grouped} €"),
        Lang::En => format!("€{grouped}"),
    }
}

/// A metric's measurements as a line against its baseline (dashed), on an axis from the
/// smallest to the largest value shown, the baseline included.
fn measurement_chart(t: &ExperimentsTexts, metric: &MetricView, id: &str) -> Markup {
    const W: f64 = 560.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 36.0;
    let values: Vec<f64> =
        metric.measurements.iter().map(|m| m.value).chain(metric.baseline.as_ref().map(|(value, _)| *value)).collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = if (high - low).abs() < f64::EPSILON { (low - 1.0, high + 1.0) } else { (low, high) };
    let pad = (high - low) * 0.1;
    let (low, high) = (low - pad, high + pad);
    let count = metric.measurements.len();
    #[allow(clippy::cast_precision_loss, reason = "a few dozen points")]
    let x = |i: usize| {
        if count <= 1 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (W - LEFT - RIGHT) * i as f64 / (count - 1) as f64
        }
    };
    let y = |value: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (value - low) / (high - low));
    let label = (t.chart_label)(
        &metric.name.text,
        &metric.unit,
        count,
        metric.baseline.as_ref().map(|(_, written)| written.as_str()),
    );
    let line: String = metric
        .measurements
        .iter()
        .enumerate()
        .map(|(i, measurement)| {
            let command = if i == 0 { 'M' } else { 'L' };
            format!("{command}{:.1},{:.1}", x(i), y(measurement.value))
        })
        .collect::<Vec<_>>()
        .join(" ");
    let title_id = format!("{id}-title");
    html! {
        svg class="measurement-chart" viewBox=(format!("0 0 {W} {H}")) role="img" aria-labelledby=(title_id) {
            title id=(title_id) { (label) }
            line x1=(LEFT) y1=(H - BOTTOM) x2=(W - RIGHT) y2=(H - BOTTOM) stroke="#6a6a6a" {}
            line x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(H - BOTTOM) stroke="#6a6a6a" {}
            @for value in [low + pad, high - pad] {
                text x=(LEFT - 6.0) y=(crate::svg_number(y(value) + 4.0)) text-anchor="end" class="axis" { (format_axis(value)) }
            }
            @if let Some((baseline, written)) = &metric.baseline {
                line x1=(LEFT) y1=(crate::svg_number(y(*baseline))) x2=(W - RIGHT) y2=(crate::svg_number(y(*baseline)))
                    stroke="#b35806" stroke-width="2" stroke-dasharray="6 4" {}
                text x=(W - RIGHT) y=(crate::svg_number(y(*baseline) - 6.0)) text-anchor="end" class="baseline-label" {
                    (t.baseline) ": " (written)
                }
            }
            path d=(line) fill="none" stroke="#08519c" stroke-width="2" {}
            @for (i, measurement) in metric.measurements.iter().enumerate() {
                circle cx=(crate::svg_number(x(i))) cy=(crate::svg_number(y(measurement.value))) r="4" fill="#08519c" {
                    title { (measurement.from) " – " (measurement.to) ": " (measurement.value_text) }
                }
            }
            @if let (Some(first), Some(last)) = (metric.measurements.first(), metric.measurements.last()) {
                text x=(LEFT) y=(H - 12.0) class="axis" { (first.to) }
                text x=(W - RIGHT) y=(H - 12.0) text-anchor="end" class="axis" { (last.to) }
            }
        }
    }
}

fn format_axis(value: f64) -> String {
    if value.abs() >= 100.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// The experiment's page.
#[allow(clippy::too_many_lines, reason = "one page's sections in order, each a few lines")]
pub fn experiment_page(frame: &Frame, view: &ExperimentView) -> Markup {
    let t = texts(frame.lang);
    layout(
        frame,
        &view.title.text,
        html! {
            p { a href="/experiments" { "← " (t.back_to_list) } }
            h1 lang=[view.title.lang] { (view.title.text) }
            dl.fields {
                dt { (t.status) } dd { (view.status) }
                dt { (t.proposed) } dd { time datetime=(view.proposed) { (view.proposed) } }
                dt { (t.units) }
                dd {
                    @if view.units.is_empty() { "–" }
                    @for (index, unit) in view.units.iter().enumerate() {
                        @if index > 0 { ", " }
                        span lang=[unit.lang] { (unit.text) }
                    }
                }
                @if let Some(problem) = &view.problem { dt { (t.problem) } dd lang=[problem.lang] { (problem.text) } }
                @if let Some(hypothesis) = &view.hypothesis { dt { (t.hypothesis) } dd lang=[hypothesis.lang] { (hypothesis.text) } }
                @if !view.themes.is_empty() {
                    dt { (t.themes) }
                    dd { ul.tags { @for theme in &view.themes { li lang="fi" { (theme) } } } }
                }
            }
            section aria-labelledby="approval-heading" {
                h2 id="approval-heading" { (t.approval) }
                @if let Some(approval) = &view.approval {
                    dl.fields {
                        dt { (t.decision) }
                        dd {
                            @if let Some(body) = &approval.body { span lang=[body.lang] { (body.text) } ", " }
                            time datetime=(approval.meeting) { (approval.meeting) } " " (approval.section)
                        }
                        dd.decision-text lang=[approval.decision.lang] { (approval.decision.text) }
                        dt { (t.group) } dd lang=[approval.group.lang] { (approval.group.text) }
                        dt { (t.place) } dd lang=[approval.place.lang] { (approval.place.text) }
                        dt { (t.period) }
                        dd { time datetime=(approval.starts) { (approval.starts) } " – " time datetime=(approval.ends) { (approval.ends) } }
                        @if let Some(budget) = &approval.budget { dt { (t.budget) } dd { (budget) } }
                    }
                } @else {
                    p { (t.not_approved) }
                }
            }
            section aria-labelledby="stages-heading" {
                h2 id="stages-heading" { (t.stages) }
                @if view.stages.is_empty() {
                    p { (t.no_stages) }
                } @else {
                    ol.stages {
                        @for stage in &view.stages {
                            li {
                                time datetime=(stage.date) { (stage.date) } ": " (stage.change)
                                @if let Some(reason) = &stage.reason { " – " span lang=[reason.lang] { (reason.text) } }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="protocol-heading" {
                h2 id="protocol-heading" { (t.criteria) }
                @if let Some(design) = view.design {
                    p { (t.design) ": " (design) }
                } @else {
                    p { (t.no_protocol) }
                }
                @for (c, criterion) in view.criteria.iter().enumerate() {
                    section.criterion aria-labelledby=(format!("criterion-{c}")) {
                        h3 id=(format!("criterion-{c}")) { (criterion.name) }
                        @for (m, metric) in criterion.metrics.iter().enumerate() {
                            @let chart_id = format!("chart-{c}-{m}");
                            div.metric {
                                h4 { (t.metric) ": " span lang=[metric.name.lang] { (metric.name.text) } " (" (metric.unit) ", " (metric.direction) ")" }
                                p {
                                    (t.baseline) ": "
                                    @if let Some((_, written)) = &metric.baseline { strong { (written) " " (metric.unit) } }
                                    @else { (t.no_baseline) }
                                }
                                @if metric.measurements.is_empty() {
                                    p { (t.no_measurements) }
                                } @else {
                                    div.chart-scroll { (measurement_chart(t, metric, &chart_id)) }
                                    details {
                                        summary { (t.as_table) }
                                        div.table-scroll tabindex="0" role="region" aria-label=(t.as_table) {
                                            table {
                                                caption lang=[metric.name.lang] { (metric.name.text) " (" (metric.unit) ")" }
                                                thead { tr {
                                                    th scope="col" { (t.measured_period) }
                                                    th scope="col" { (t.value) }
                                                    th scope="col" { (t.observations) }
                                                    th scope="col" { (t.change) }
                                                    th scope="col" { (t.source) }
                                                } }
                                                tbody {
                                                    @for measurement in &metric.measurements {
                                                        tr {
                                                            th scope="row" {
                                                                time datetime=(measurement.from) { (measurement.from) } " – "
                                                                time datetime=(measurement.to) { (measurement.to) }
                                                            }
                                                            td.num { (measurement.value_text) }
                                                            td.num { (measurement.n) }
                                                            td.num { (measurement.change.as_deref().unwrap_or("–")) }
                                                            td lang="fi" { (measurement.source.as_deref().unwrap_or("–")) }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        div.outcome {
                            h4 { (t.outcome) }
                            @if let Some(outcome) = &criterion.outcome {
                                p {
                                    strong.verdict class=(format!("verdict-{}", outcome.verdict_code)) { (outcome.verdict) }
                                    @if let Some(effect) = &outcome.effect { " · " (t.effect) " " (effect) }
                                    " · " (t.assessed) " " time datetime=(outcome.assessed) { (outcome.assessed) }
                                }
                                p lang=[outcome.summary.lang] { (outcome.summary.text) }
                            } @else {
                                p { (t.no_outcome) }
                            }
                        }
                    }
                }
            }
            @if let Some(conclusion) = &view.conclusion {
                section aria-labelledby="conclusion-heading" {
                    h2 id="conclusion-heading" { (t.conclusion) }
                    p { time datetime=(conclusion.date) { (conclusion.date) } ": " (conclusion.end_state) }
                    p lang=[conclusion.summary.lang] { (conclusion.summary.text) }
                    @if let Some(rating) = conclusion.rating { p { (t.rating) ": " strong { (rating) } } }
                }
            }
            section aria-labelledby="lessons-heading" {
                h2 id="lessons-heading" { (t.lessons) }
                @if view.lessons.is_empty() {
                    p { (t.no_lessons) }
                } @else {
                    ul.lesson-links {
                        @for lesson in &view.lessons {
                            li { a href=(lesson.href) lang=[lesson.title.lang] { (lesson.title.text) } " (" (lesson.status) ")" }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use kirjuri_events::domain::LocalizedText;
    use kirjuri_events::domain::experiment::{
        BaselineEstablished, CriterionMetrics, EvaluationDesign, ExperimentProposed, MeasurementId,
        MeasurementRecorded, Metric, MetricCode, Period, ProtocolDefined,
    };
    use kirjuri_events::domain::{LessonId, MunicipalityId};

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, d).unwrap_or_default()
    }

    fn fi(text: &str) -> LocalizedText {
        LocalizedText { fi: text.to_owned(), sv: None, en: None }
    }

    fn found() -> Found {
        let experiment = ExperimentId(uuid::Uuid::from_u128(1));
        let unit = UnitId(uuid::Uuid::from_u128(2));
        let metric = MetricCode::parse("code", "waiting_days").unwrap_or_else(|e| panic!("{e:?}"));
        let measured = |n: u128, d: u32, value: f64| {
            ExperimentEvent::MeasurementRecorded(MeasurementRecorded {
                experiment,
                measurement: MeasurementId(uuid::Uuid::from_u128(n)),
                metric: metric.clone(),
                period: Period { from: day(d), to: day(d + 6) },
                value,
                n: 30,
                data_source: None,
            })
        };
        Found {
            row: ExperimentRow {
                experiment,
                municipality: MunicipalityId(uuid::Uuid::from_u128(3)),
                title_fi: "Etäkotihoito <yöllä>".to_owned(),
                title_en: None,
                status: ExperimentPhase::Running,
                end_state: None,
                units: vec![unit],
                proposed_on: day(1),
                approved_by: None,
                approved_on: None,
                starts: None,
                ends: None,
                concluded_on: None,
            },
            events: vec![
                ExperimentEvent::Proposed(ExperimentProposed {
                    experiment,
                    municipality: MunicipalityId(uuid::Uuid::from_u128(3)),
                    name: fi("Etäkotihoito <yöllä>"),
                    problem: fi("Yökäynnit kuormittavat"),
                    hypothesis: fi("Etäkäynti riittää"),
                    units: vec![unit],
                    themes: vec!["kotihoito".to_owned()],
                    proposed: day(1),
                }),
                ExperimentEvent::ProtocolDefined(ProtocolDefined {
                    experiment,
                    design: EvaluationDesign::BeforeAfter,
                    criteria: vec![CriterionMetrics {
                        criterion: kirjuri_events::domain::experiment::Criterion::Productivity,
                        metrics: vec![Metric {
                            code: metric.clone(),
                            name: fi("Odotusaika"),
                            unit: "vrk".to_owned(),
                            direction: Direction::LowerIsBetter,
                        }],
                    }],
                }),
                ExperimentEvent::BaselineEstablished(BaselineEstablished {
                    experiment,
                    metric: metric.clone(),
                    value: 10.0,
                    period: Period { from: day(1), to: day(2) },
                }),
                measured(10, 15, 8.0),
                measured(11, 8, 9.0),
            ],
            lessons: vec![LessonRow {
                lesson: LessonId(uuid::Uuid::from_u128(4)),
                municipality: MunicipalityId(uuid::Uuid::from_u128(3)),
                title_fi: "Yöhoito etänä".to_owned(),
                title_en: Some("Night care remotely".to_owned()),
                unit: None,
                experiment: Some(experiment),
                status: kirjuri_events::domain::lesson::LessonPhase::Learned,
                tags: vec![],
                recorded_at: chrono::DateTime::UNIX_EPOCH,
            }],
            units: vec![(unit, "Kotihoito".to_owned())],
            body: None,
        }
    }

    #[test]
    fn measurements_are_ordered_by_period_and_compared_with_the_baseline() {
        let view = experiment_view(Lang::En, &found());
        let metric = &view.criteria[0].metrics[0];
        assert_eq!(metric.baseline, Some((10.0, "10.00".to_owned())));
        let changes: Vec<_> = metric.measurements.iter().map(|m| m.change.clone().unwrap_or_default()).collect();
        assert_eq!(changes, vec!["−10.0 %", "−20.0 %"], "oldest period first");
        assert_eq!(view.criteria[0].name, "Productivity");
        assert_eq!(view.design, Some("before and after"));
        assert_eq!(view.lessons[0].href, format!("/lessons/{}", uuid::Uuid::from_u128(4)));
        assert_eq!(view.lessons[0].title.text, "Night care remotely");
        assert_eq!(view.units[0], Text { text: "Kotihoito".to_owned(), lang: Some("fi") });
    }

    #[test]
    fn the_page_escapes_the_name_marks_finnish_text_and_draws_a_chart_with_a_table() {
        let frame = Frame { lang: Lang::En, here: "/experiments/x".to_owned(), signed_in: None };
        let html = experiment_page(&frame, &experiment_view(Lang::En, &found())).into_string();
        assert!(html.contains("<h1 lang=\"fi\">Etäkotihoito &lt;yöllä&gt;</h1>"), "{html}");
        assert!(html.contains("role=\"img\" aria-labelledby=\"chart-0-0-title\""));
        assert!(html.contains("Odotusaika (vrk): 2 measurements, baseline 10.00"));
        assert!(html.contains("stroke-dasharray"), "the baseline is drawn");
        assert!(html.contains("<th scope=\"col\">Change from baseline</th>"));
        assert!(html.contains("No outcome assessed yet."));
        assert!(html.contains("href=\"/lessons/"));
    }

    #[test]
    fn the_list_keeps_its_filters_in_the_paging_links_and_drops_the_cursor_for_the_first_page() {
        let pairs = vec![("status".to_owned(), "running".to_owned()), ("after".to_owned(), "42".to_owned())];
        let listed = Listed {
            items: vec![found().row],
            next: Some(kirjuri_views::ListCursor::parse("7").unwrap_or_else(|e| panic!("{e}"))),
        };
        let view = list_view(Lang::Fi, &pairs, &listed, &found().units);
        assert_eq!(view.first_href.as_deref(), Some("/experiments?status=running"));
        assert_eq!(view.next_href.as_deref(), Some("/experiments?status=running&after=7"));
        assert!(view.statuses.iter().any(|s| s.selected && s.value == "running"));
        assert_eq!(view.items[0].status, "Käynnissä");
        let html =
            list_page(&Frame { lang: Lang::Fi, here: "/experiments".to_owned(), signed_in: None }, &view).into_string();
        assert!(html.contains("data-live-refresh"));
        assert!(html.contains("Etäkotihoito &lt;yöllä&gt;"));
    }

    #[test]
    fn budgets_are_grouped_the_way_each_language_writes_euros() {
        assert_eq!(euros_text(Lang::Fi, 1_234_567), "1\u{a0}234\u{a0}567 €");
        assert_eq!(euros_text(Lang::En, 45_000), "€45,000");
        assert_eq!(euros_text(Lang::En, 999), "€999");
    }
}

//! The auditor's pages: the programme timeline (`/timeline`, filtered, paged, shown as of a
//! moment, exported as `/timeline.csv` and `/timeline.json`), an entity's audit trail
//! (`/audit/{kind}/{id}`), its state as of a moment (`/state/{kind}/{id}?as_of=`), the
//! difference between two moments (`/diff/{kind}/{id}?from=&to=`) and the personal-data access
//! log (`/access-log`).
//!
//! Every page reads through the same read use cases as its API route ([`kirjuri_app::audit`],
//! [`kirjuri_app::access_log`]), so parsing, authorisation (`ReadAudit`, `ReadAccessLog`),
//! tenant isolation (another municipality's record is a 404) and redaction of personal data are
//! the API's too. The page adds only what a form needs: empty fields are dropped, a `from` day means
//! the start of that day, and an as-of moment (`as_of`, a day or a position, or the slider's
//! `position`) becomes the API's `to` bound or a cap on positions. Render functions are pure.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use kirjuri_events::Position;
use kirjuri_events::domain::access_log::PersonalData;
use kirjuri_views::{AsOf, Cursor, EntityKind};
use maud::{Markup, html};

use super::i18n::Lang;
use super::i18n::audit::{AuditTexts, texts};
use super::pages::{self, Frame};
use super::{Staff, WebError, filled_pairs, html_response};
use crate::WebState;
use kirjuri_app::AppError;
use kirjuri_app::access_log::AccessLogPageBody;
use kirjuri_app::audit::{AuditEventBody, AuditPageBody, EntityDiffBody, EntityStateBody};
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Resource, authorize};

/// The timeline's paging parameters (the API's names).
const PAGING: [&str; 4] = ["after", "before", "start", "limit"];
/// The entity kinds offered in the filter (the API's timeline kinds).
const KINDS: [&str; 12] = [
    "municipality",
    "unit",
    "body",
    "framework",
    "campaign",
    "engagement",
    "communication",
    "experiment",
    "observation",
    "lesson",
    "practice",
    "access_log",
];
/// How many events an audit trail page shows unless asked otherwise (the API's largest page,
/// so that links to `#event-<id>` from other pages usually land on the first page).
const TRAIL_LIMIT: &str = "200";

/// The auditor's routes.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/timeline", get(timeline))
        .route("/timeline.csv", get(timeline_csv))
        .route("/timeline.json", get(timeline_json))
        .route("/audit/{kind}/{id}", get(trail))
        .route("/audit/{kind}/{id}/bundle", get(bundle))
        .route("/state/{kind}/{id}", get(state_page))
        .route("/diff/{kind}/{id}", get(diff_page))
        .route("/access-log", get(access_log))
}

// ---------------------------------------------------------------------------------------------
// Query strings

/// `name=value&…`, encoded.
fn encode(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// `path` with `pairs` as its query string (none if empty).
fn href(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() { path.to_owned() } else { format!("{path}?{}", encode(pairs)) }
}

fn pair(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_owned(), value.into())
}

/// The moment the timeline is shown as of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsOfChoice {
    /// `as_of`: a day, an RFC 3339 time or a position, as typed.
    Typed(String),
    /// `position`: the slider's position in the event stream.
    Slider(u64),
}

impl AsOfChoice {
    /// The query parameter that asks for it.
    fn parameter(&self) -> (String, String) {
        match self {
            Self::Typed(text) => pair("as_of", text.trim()),
            Self::Slider(position) => pair("position", position.to_string()),
        }
    }

    /// The `as_of` of the state pages for the same moment.
    fn state_as_of(&self) -> String {
        match self {
            Self::Typed(text) => text.trim().to_owned(),
            Self::Slider(position) => Cursor(Position::sequence(*position)).to_string(),
        }
    }
}

/// A timeline request as the page reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineQuery {
    /// The filters as given (empty ones dropped), for the forms and links.
    pub filters: Vec<(String, String)>,
    /// The paging parameters as given.
    pub paging: Vec<(String, String)>,
    /// The moment the timeline is shown as of, if one was chosen.
    pub as_of: Option<AsOfChoice>,
    /// The filters as the API reads them (a `from` day is its start).
    pub api_filters: Vec<(String, String)>,
    /// The API's query string for the page shown.
    pub api_query: String,
    /// No event after this position is shown.
    pub cap: Option<Cursor>,
}

impl TimelineQuery {
    /// The filters and the as-of moment: what every link of the page keeps.
    fn kept(&self) -> Vec<(String, String)> {
        let mut kept = self.filters.clone();
        kept.extend(self.as_of.as_ref().map(AsOfChoice::parameter));
        kept
    }
}

/// Reads the timeline page's query string: the API's filters and paging, plus the as-of moment.
pub fn timeline_query(raw: Option<&str>) -> Result<TimelineQuery, AppError> {
    let (mut filters, mut paging) = (Vec::new(), Vec::new());
    let (mut typed, mut slider) = (None, None);
    for (name, value) in filled_pairs(raw) {
        match name.as_str() {
            "as_of" => typed = Some(value),
            "position" => {
                let position = value.trim().parse::<u64>().ok().filter(|n| i64::try_from(*n).is_ok());
                slider = Some(position.ok_or_else(|| {
                    AppError::bad_request(format!(
                        "position: `{}` is not a whole number (a position in the event stream)",
                        kirjuri_app::queries::printable(&value)
                    ))
                })?);
            }
            known if PAGING.contains(&known) => paging.push((name, value)),
            // Unknown names go on to the API, which names them and the ones it knows.
            _ => filters.push((name, value)),
        }
    }
    let as_of = match (typed, slider) {
        (Some(_), Some(_)) => return Err(AppError::bad_request("position: give as_of or position, not both")),
        (Some(text), None) => Some(AsOfChoice::Typed(text)),
        (None, Some(position)) => Some(AsOfChoice::Slider(position)),
        (None, None) => None,
    };
    let api_filters: Vec<(String, String)> = filters
        .iter()
        .map(|(name, value)| match name.as_str() {
            "from" if kirjuri_views::audit::parse_date(value).is_ok() => {
                pair("from", format!("{}T00:00:00Z", value.trim()))
            }
            _ => (name.clone(), value.clone()),
        })
        .collect();
    let mut api = api_filters.clone();
    let mut cap = None;
    match &as_of {
        Some(AsOfChoice::Typed(text)) => match kirjuri_app::audit::bound_parameter("as_of", text)? {
            AsOf::Moment(moment) => {
                let mut until = moment;
                for (_, to) in api.iter().filter(|(name, _)| name == "to") {
                    until = until.min(kirjuri_app::audit::moment_parameter("to", to)?);
                }
                api.retain(|(name, _)| name != "to");
                api.push(pair("to", until.to_rfc3339_opts(SecondsFormat::Micros, true)));
            }
            AsOf::Position(position) => cap = Some(Cursor(position)),
        },
        Some(AsOfChoice::Slider(position)) => cap = Some(Cursor(Position::sequence(*position))),
        None => {}
    }
    let chosen_page = paging.iter().any(|(name, _)| PAGING[..3].contains(&name.as_str()));
    if as_of.is_some() && !chosen_page {
        match cap.and_then(|cap| just_after(cap.0)) {
            Some(after_cap) => api.push(pair("before", Cursor(after_cap).to_string())),
            None => api.push(pair("start", "newest")),
        }
    }
    api.extend(paging.iter().cloned());
    Ok(TimelineQuery { filters, paging, as_of, api_filters, api_query: encode(&api), cap })
}

/// The first position after `position` (a `before` cursor that includes it).
fn just_after(position: Position) -> Option<Position> {
    let largest = i64::MAX as u64;
    if position.prepare < largest {
        Some(Position { commit: position.commit, prepare: position.prepare + 1 })
    } else if position.commit < largest {
        Some(Position { commit: position.commit + 1, prepare: 0 })
    } else {
        None
    }
}

fn event_cursor(event: &AuditEventBody) -> Option<Cursor> {
    Cursor::parse(&event.position).ok()
}

/// Drops the events after `cap`; then there is no later page.
fn apply_cap(page: &mut AuditPageBody, cap: Option<Cursor>) {
    let Some(cap) = cap else { return };
    let before = page.events.len();
    page.events.retain(|event| event_cursor(event).is_some_and(|cursor| cursor <= cap));
    let reaches_cap = page.events.last().and_then(event_cursor).is_some_and(|last| last >= cap);
    if page.events.len() < before || reaches_cap {
        page.next = None;
    }
}

fn bad_request(lang: Lang, error: &AppError) -> WebError {
    WebError::from_api(lang, error)
}

// ---------------------------------------------------------------------------------------------
// The timeline

/// The page of the timeline a request shows (the export's rows too), and the query as read.
async fn shown_timeline(
    state: &WebState,
    principal: &Principal,
    lang: Lang,
    raw: Option<&str>,
) -> Result<(TimelineQuery, AuditPageBody), WebError> {
    authorize(principal, Action::ReadAudit, &Resource::of(principal.municipality))
        .map_err(|denied| WebError::denied(lang, &denied))?;
    let query = timeline_query(raw).map_err(|error| bad_request(lang, &error))?;
    let mut page = api_timeline(state, principal, lang, query.api_query.clone()).await?;
    apply_cap(&mut page, query.cap);
    Ok((query, page))
}

async fn api_timeline(
    state: &WebState,
    principal: &Principal,
    lang: Lang,
    query: String,
) -> Result<AuditPageBody, WebError> {
    kirjuri_app::audit::timeline_page(state, principal.clone(), Some(&query))
        .await
        .map_err(|error| bad_request(lang, &error))
}

/// The first and last position of the filtered timeline (the slider's range).
async fn position_range(
    state: &WebState,
    principal: &Principal,
    lang: Lang,
    filters: &[(String, String)],
) -> Result<Option<(u64, u64)>, WebError> {
    let end = |start: &str| {
        let mut pairs = filters.to_vec();
        pairs.push(pair("start", start));
        pairs.push(pair("limit", "1"));
        encode(&pairs)
    };
    let oldest = api_timeline(state, principal, lang, end("oldest")).await?;
    let newest = api_timeline(state, principal, lang, end("newest")).await?;
    let commit = |page: &AuditPageBody| page.events.first().and_then(event_cursor).map(|cursor| cursor.0.commit);
    Ok(commit(&oldest).zip(commit(&newest)))
}

/// The record's integrity, as the timeline shows it.
#[derive(Debug, Clone, Default)]
pub struct IntegrityView {
    /// The latest signed checkpoint's size and time.
    pub checkpoint: Option<(u64, String)>,
    /// (witness, size, time) of the latest cosignatures.
    pub cosignatures: Vec<(String, u64, String)>,
    /// (partner, what, time) of the alarms raised while witnessing partners.
    pub alarms: Vec<(String, String, String)>,
}

async fn integrity_view(state: &WebState) -> Option<IntegrityView> {
    let integrity = state.integrity.clone()?;
    let checkpoint =
        integrity.latest().await.ok().map(|c| (c.size, c.signed_at.format("%Y-%m-%d %H:%M UTC").to_string()));
    let (cosignatures, alarms) = integrity.witness_report().await.ok()?;
    let when = |unix: u64| {
        chrono::DateTime::from_timestamp(i64::try_from(unix).unwrap_or(0), 0)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    Some(IntegrityView {
        checkpoint,
        cosignatures: cosignatures.into_iter().take(5).map(|c| (c.witness, c.size, when(c.time))).collect(),
        alarms: alarms
            .into_iter()
            .take(5)
            .map(|a| (a.origin, a.what, a.at.format("%Y-%m-%d %H:%M UTC").to_string()))
            .collect(),
    })
}

/// `GET /timeline`.
async fn timeline(State(state): State<WebState>, staff: Staff, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let (query, page) = shown_timeline(&state, &staff.principal, lang, raw.as_deref()).await?;
    let range = position_range(&state, &staff.principal, lang, &query.api_filters).await?;
    let access_log =
        authorize(&staff.principal, Action::ReadAccessLog, &Resource::of(staff.principal.municipality)).is_ok();
    let mut view = timeline_view(lang, &query, &page, range, access_log);
    view.integrity = integrity_view(&state).await;
    Ok(html_response(StatusCode::OK, timeline_page(&staff.frame, &view)))
}

/// `GET /timeline.csv`: the events `/timeline` shows with the same query, as CSV.
async fn timeline_csv(
    State(state): State<WebState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let (_, page) = shown_timeline(&state, &staff.principal, lang, raw.as_deref()).await?;
    Ok(attachment(timeline_csv_text(lang, &page.events).into_bytes(), "text/csv; charset=utf-8", "csv"))
}

/// `GET /timeline.json`: the events `/timeline` shows with the same query, as the API's JSON.
async fn timeline_json(
    State(state): State<WebState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let (_, page) = shown_timeline(&state, &staff.principal, lang, raw.as_deref()).await?;
    let body = serde_json::to_vec_pretty(&page).map_err(|error| {
        tracing::error!(%error, "the timeline could not be written as JSON");
        WebError::new(lang, StatusCode::INTERNAL_SERVER_ERROR, None)
    })?;
    Ok(attachment(body, "application/json", "json"))
}

/// A download named `kirjuri-timeline.<extension>`, never cached.
fn attachment(body: Vec<u8>, content_type: &'static str, extension: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"kirjuri-timeline.{extension}\"")) {
        headers.insert(CONTENT_DISPOSITION, disposition);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response
}

/// One CSV cell: a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading apostrophe; then quoted as RFC 4180 asks.
pub fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

/// The CSV columns of the export.
pub const CSV_COLUMNS: [&str; 10] = [
    "position",
    "event_id",
    "recorded_at",
    "event_type",
    "entity_kind",
    "entity_id",
    "actor",
    "correlation_id",
    "summary",
    "data",
];

/// The timeline's events as CSV (a header row, then one row per event; CRLF line ends).
pub fn timeline_csv_text(lang: Lang, events: &[AuditEventBody]) -> String {
    let mut csv = CSV_COLUMNS.join(",");
    csv.push_str("\r\n");
    for event in events {
        let summary = if lang == Lang::En { &event.summary_en } else { &event.summary_fi };
        let cells = [
            event.position.clone(),
            event.event_id.to_string(),
            event.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            event.event_type.clone(),
            event.entity_kind.to_owned(),
            event.entity_id.to_string(),
            event.actor.clone().unwrap_or_default(),
            event.correlation_id.map(|id| id.to_string()).unwrap_or_default(),
            summary.clone(),
            event.data.to_string(),
        ];
        let row: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
    csv
}

// ---------------------------------------------------------------------------------------------
// Views

/// One event as the pages show it.
#[derive(Debug, Clone)]
pub struct EventView {
    /// The event's id (also the element's `id="event-<id>"`).
    pub event_id: String,
    /// Its position, `<commit>.<prepare>`.
    pub position: String,
    /// When it was recorded.
    pub recorded: DateTime<Utc>,
    /// Its type.
    pub event_type: String,
    /// What happened, in the page's language.
    pub summary: String,
    /// The entity's kind, shown.
    pub kind_label: &'static str,
    /// The entity's id.
    pub entity_id: String,
    /// The entity's audit trail, at this event.
    pub trail_href: String,
    /// The entity's state then (after this event, or as of the chosen moment).
    pub state_href: Option<String>,
    /// Who did it.
    pub actor: Option<String>,
    /// The user action it belongs to, and the timeline of that action.
    pub correlation: Option<(String, String)>,
    /// Its data (personal text redacted), pretty-printed, where the page shows data.
    pub data: Option<String>,
}

/// How the pages show `event`; the state link is as of `as_of` (else right after the event).
pub fn event_view(lang: Lang, event: &AuditEventBody, as_of: Option<&str>, with_data: bool) -> EventView {
    let texts = texts(lang);
    let kind = event.entity_kind;
    let state_href = (kind != EntityKind::AccessLog.as_str()).then(|| {
        let moment = as_of.map_or_else(|| event.position.clone(), str::to_owned);
        href(&format!("/state/{kind}/{}", event.entity_id), &[pair("as_of", moment)])
    });
    EventView {
        event_id: event.event_id.to_string(),
        position: event.position.clone(),
        recorded: event.recorded_at,
        event_type: event.event_type.clone(),
        summary: if lang == Lang::En { event.summary_en.clone() } else { event.summary_fi.clone() },
        kind_label: (texts.kind_name)(kind),
        entity_id: event.entity_id.to_string(),
        trail_href: format!("/audit/{kind}/{}#event-{}", event.entity_id, event.event_id),
        state_href,
        actor: event.actor.clone(),
        correlation: event
            .correlation_id
            .map(|id| (id.to_string(), href("/timeline", &[pair("correlation", id.to_string())]))),
        data: with_data.then(|| serde_json::to_string_pretty(&event.data).unwrap_or_default()),
    }
}

/// Links to the pages before and after.
#[derive(Debug, Clone, Default)]
pub struct PagingView {
    /// The earlier page.
    pub earlier: Option<String>,
    /// The later page.
    pub later: Option<String>,
    /// The oldest page.
    pub oldest: Option<String>,
    /// The newest page.
    pub newest: Option<String>,
}

/// The slider over positions.
#[derive(Debug, Clone)]
pub struct SliderView {
    /// The first position.
    pub min: u64,
    /// The last position.
    pub max: u64,
    /// Where it stands.
    pub value: u64,
}

/// What the timeline page shows.
#[derive(Debug, Clone)]
pub struct TimelineView {
    /// The filters as given (for the form).
    pub filters: Vec<(String, String)>,
    /// The filters the form has no field for (kept as hidden fields).
    pub hidden_filters: Vec<(String, String)>,
    /// Which moment is shown (said in the page's language), and the link back to the present.
    pub as_of: Option<(String, String)>,
    /// The as-of moment's parameter, kept by the filter form.
    pub as_of_parameter: Option<(String, String)>,
    /// The as-of day field's value.
    pub as_of_day: String,
    /// The slider, if the timeline has events.
    pub slider: Option<SliderView>,
    /// The events, oldest first.
    pub events: Vec<EventView>,
    /// Paging.
    pub paging: PagingView,
    /// The export links (CSV, JSON) for exactly the events shown.
    pub export: (String, String),
    /// Whether to link to the access log.
    pub access_log: bool,
    /// The log's latest checkpoint, its witnesses and the witnesses' alarms.
    pub integrity: Option<IntegrityView>,
}

/// The filter fields the form shows (the others are kept hidden).
const FORM_FIELDS: [&str; 7] = ["kind", "event_type", "actor", "unit", "experiment", "from", "to"];

fn first_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
}

/// What the timeline page shows for `page` of `query`.
pub fn timeline_view(
    lang: Lang,
    query: &TimelineQuery,
    page: &AuditPageBody,
    range: Option<(u64, u64)>,
    access_log: bool,
) -> TimelineView {
    let kept = query.kept();
    let state_as_of = query.as_of.as_ref().map(AsOfChoice::state_as_of);
    let with_paging = |name: &str, value: &str| {
        let mut pairs = kept.clone();
        pairs.push(pair(name, value));
        href("/timeline", &pairs)
    };
    let mut seen = Vec::new();
    let hidden_filters = query
        .filters
        .iter()
        .filter(|(name, _)| {
            let first_of_a_field = FORM_FIELDS.contains(&name.as_str()) && !seen.contains(name);
            seen.push(name.clone());
            !first_of_a_field
        })
        .cloned()
        .collect();
    let shown: Vec<(String, String)> = kept.iter().cloned().chain(query.paging.iter().cloned()).collect();
    let encoded = encode(&shown);
    let export = if encoded.is_empty() {
        ("/timeline.csv".to_owned(), "/timeline.json".to_owned())
    } else {
        (format!("/timeline.csv?{encoded}"), format!("/timeline.json?{encoded}"))
    };
    let slider = range.map(|(min, max)| {
        let value = query.cap.map_or(max, |cap| cap.0.commit.clamp(min, max));
        SliderView { min, max, value }
    });
    let as_of_day = match &query.as_of {
        Some(AsOfChoice::Typed(text)) if kirjuri_views::audit::parse_date(text).is_ok() => text.trim().to_owned(),
        _ => String::new(),
    };
    TimelineView {
        filters: query.filters.clone(),
        hidden_filters,
        as_of: query.as_of.as_ref().map(|choice| {
            let said = match choice {
                AsOfChoice::Typed(text) => (texts(lang).showing_as_of)(text.trim()),
                AsOfChoice::Slider(position) => (texts(lang).showing_up_to_position)(*position),
            };
            (said, href("/timeline", &query.filters))
        }),
        as_of_parameter: query.as_of.as_ref().map(AsOfChoice::parameter),
        as_of_day,
        slider,
        events: page.events.iter().map(|event| event_view(lang, event, state_as_of.as_deref(), false)).collect(),
        paging: PagingView {
            earlier: page.previous.as_deref().map(|cursor| with_paging("before", cursor)),
            later: page.next.as_deref().map(|cursor| with_paging("after", cursor)),
            oldest: page.previous.is_some().then(|| with_paging("start", "oldest")),
            newest: page.next.is_some().then(|| with_paging("start", "newest")),
        },
        export,
        access_log,
        integrity: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Render

fn time(moment: &DateTime<Utc>) -> Markup {
    html! {
        time datetime=(moment.to_rfc3339_opts(SecondsFormat::Secs, true)) { (moment.format("%Y-%m-%d %H:%M UTC")) }
    }
}

/// The events as a list; each is an element `id="event-<id>"`. A `live` list sits in a
/// container `#audit-events` that the live refresh replaces the content of.
fn events_list(texts: &AuditTexts, events: &[EventView], live: bool) -> Markup {
    html! {
        @if live {
            div #audit-events data-live-refresh { (events_list_content(texts, events)) }
        } @else {
            (events_list_content(texts, events))
        }
    }
}

fn events_list_content(texts: &AuditTexts, events: &[EventView]) -> Markup {
    html! {
        @if events.is_empty() {
            p.empty { (texts.no_events) }
        } @else {
            ol.audit-events {
                @for event in events {
                    li.audit-event id=(format!("event-{}", event.event_id)) {
                        h3 { code { (event.event_type) } }
                        p.summary { (event.summary) }
                        dl.audit-meta {
                            div { dt { (texts.position) } dd { (event.position) } }
                            div { dt { (texts.recorded) } dd { (time(&event.recorded)) } }
                            div {
                                dt { (texts.entity) }
                                dd {
                                    a href=(event.trail_href) { (event.kind_label) " " code { (event.entity_id) } }
                                    @if let Some(state_href) = &event.state_href {
                                        " · " a href=(state_href) { (texts.state_then) }
                                    }
                                }
                            }
                            div { dt { (texts.actor) } dd { (event.actor.as_deref().unwrap_or(texts.nobody)) } }
                            @if let Some((id, correlation_href)) = &event.correlation {
                                div { dt { (texts.correlation) } dd { a href=(correlation_href) { code { (id) } } } }
                            }
                            div { dt { (texts.event_id) } dd { code { (event.event_id) } } }
                        }
                        @if let Some(data) = &event.data {
                            details.event-data {
                                summary { (texts.data) }
                                pre { code { (data) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn paging_nav(texts: &AuditTexts, paging: &PagingView) -> Markup {
    html! {
        @if paging.earlier.is_some() || paging.later.is_some() {
            nav.pagination aria-label=(texts.pages) {
                @if let Some(link) = &paging.oldest { a href=(link) { (texts.oldest) } }
                @if let Some(link) = &paging.earlier { a href=(link) rel="prev" { (texts.earlier) } }
                @if let Some(link) = &paging.later { a href=(link) rel="next" { (texts.later) } }
                @if let Some(link) = &paging.newest { a href=(link) { (texts.newest) } }
            }
        }
    }
}

fn hidden_fields(pairs: &[(String, String)]) -> Markup {
    html! {
        @for (name, value) in pairs {
            input type="hidden" name=(name) value=(value);
        }
    }
}

fn text_field(id: &str, name: &str, label: &str, hint: Option<&str>, value: &str, kind: &str) -> Markup {
    let hint_id = format!("{id}-hint");
    html! {
        div.audit-field {
            label for=(id) { (label) }
            @if let Some(hint) = hint { p.hint id=(hint_id) { (hint) } }
            input type=(kind) id=(id) name=(name) value=(value) aria-describedby=[hint.map(|_| hint_id.as_str())];
        }
    }
}

/// The timeline page.
pub fn timeline_page(frame: &Frame, view: &TimelineView) -> Markup {
    let texts = texts(frame.lang);
    let value = |name: &str| first_value(&view.filters, name);
    let current_kind = value("kind");
    let content = html! {
        h1 { (texts.timeline_title) }
        p {
            (texts.timeline_intro)
            @if view.access_log { " " a href="/access-log" { (texts.access_log_title) } }
        }
        @if let Some(integrity) = &view.integrity {
            @for (partner, what, at) in &integrity.alarms {
                p.alarm role="alert" { ((texts.integrity_alarm)(partner, what, at)) }
            }
            section.integrity aria-labelledby="integrity-heading" {
                h2 id="integrity-heading" { (texts.integrity_title) }
                p {
                    @match &integrity.checkpoint {
                        Some((size, at)) => { ((texts.integrity_checkpoint)(*size, at)) }
                        None => { (texts.integrity_none) }
                    }
                    " " (texts.integrity_how)
                }
                @if integrity.cosignatures.is_empty() {
                    p { (texts.integrity_no_witness) }
                } @else {
                    ul {
                        @for (witness, size, at) in &integrity.cosignatures {
                            li { ((texts.integrity_cosigned)(witness, *size, at)) }
                        }
                    }
                }
            }
        }
        form.audit-filters method="get" action="/timeline" aria-labelledby="filters-heading" {
            h2 id="filters-heading" { (texts.filters) }
            div.audit-grid {
                div.audit-field {
                    label for="filter-kind" { (texts.kind) }
                    select id="filter-kind" name="kind" {
                        option value="" { (texts.any) }
                        @for kind in KINDS {
                            option value=(kind) selected[kind == current_kind] { ((texts.kind_name)(kind)) }
                        }
                    }
                }
                (text_field("filter-event-type", "event_type", texts.event_type, Some(texts.event_type_hint), value("event_type"), "text"))
                (text_field("filter-actor", "actor", texts.actor, Some(texts.actor_hint), value("actor"), "text"))
                (text_field("filter-unit", "unit", texts.unit, Some(texts.id_hint), value("unit"), "text"))
                (text_field("filter-experiment", "experiment", texts.experiment, Some(texts.id_hint), value("experiment"), "text"))
                (text_field("filter-from", "from", texts.from_day, None, value("from"), "date"))
                (text_field("filter-to", "to", texts.to_day, None, value("to"), "date"))
            }
            (hidden_fields(&view.hidden_filters))
            @if let Some((name, value)) = &view.as_of_parameter { input type="hidden" name=(name) value=(value); }
            div.audit-actions {
                button type="submit" { (texts.apply_filters) }
                @if !view.filters.is_empty() { a href="/timeline" { (texts.clear_filters) } }
            }
        }
        section.audit-as-of aria-labelledby="as-of-heading" {
            h2 id="as-of-heading" { (texts.as_of_heading) }
            p.hint { (texts.as_of_intro) }
            @if let Some((said, back)) = &view.as_of {
                p.as-of-note { (said) " " a href=(back) { (texts.back_to_now) } }
            }
            div.audit-grid {
                form method="get" action="/timeline" {
                    (hidden_fields(&view.filters))
                    div.audit-field {
                        label for="as-of-day" { (texts.as_of_day) }
                        input type="date" id="as-of-day" name="as_of" value=(view.as_of_day) required;
                    }
                    button type="submit" { (texts.show) }
                }
                @if let Some(slider) = &view.slider {
                    form method="get" action="/timeline" {
                        (hidden_fields(&view.filters))
                        div.audit-field {
                            label for="as-of-position" { (texts.as_of_position) }
                            input type="range" id="as-of-position" name="position" min=(slider.min) max=(slider.max)
                                step="1" value=(slider.value) aria-describedby="as-of-position-value";
                            p id="as-of-position-value" {
                                output for="as-of-position" { ((texts.position_range)(slider.value, slider.min, slider.max)) }
                            }
                        }
                        button type="submit" { (texts.show) }
                    }
                }
            }
        }
        section aria-labelledby="events-heading" {
            h2 id="events-heading" { (texts.events) }
            p.export {
                (texts.export) ": "
                a href=(view.export.0) download { (texts.export_csv) } " · "
                a href=(view.export.1) download { (texts.export_json) }
            }
            (paging_nav(texts, &view.paging))
            // A timeline shown as of a past moment does not take in new events.
            (events_list(texts, &view.events, view.as_of.is_none()))
            (paging_nav(texts, &view.paging))
        }
    };
    pages::layout(frame, texts.timeline_title, content)
}

// ---------------------------------------------------------------------------------------------
// An entity's trail, state and difference

/// The entity a path names, canonical (the API has checked it).
fn entity_label(lang: Lang, kind: &str, id: &str) -> (String, String, String) {
    let kind = EntityKind::parse(kind).map_or_else(|_| kind.trim().to_owned(), |kind| kind.as_str().to_owned());
    let id = uuid::Uuid::try_parse(id.trim()).map_or_else(|_| id.trim().to_owned(), |id| id.to_string());
    let label = format!("{} {id}", (texts(lang).kind_name)(&kind));
    (kind, id, label)
}

/// Links between an entity's pages.
#[derive(Debug, Clone)]
pub struct EntityLinks {
    /// Its audit trail.
    pub trail: String,
    /// Its state now.
    pub state: String,
    /// Its difference page.
    pub diff: String,
    /// The timeline of it alone.
    pub timeline: String,
    /// Its evidence bundle (a download).
    pub bundle: String,
}

fn entity_links(kind: &str, id: &str) -> EntityLinks {
    EntityLinks {
        trail: format!("/audit/{kind}/{id}"),
        state: format!("/state/{kind}/{id}"),
        diff: format!("/diff/{kind}/{id}"),
        timeline: href("/timeline", &[pair("kind", kind), pair("entity", id)]),
        bundle: format!("/audit/{kind}/{id}/bundle"),
    }
}

fn entity_nav(lang: Lang, links: &EntityLinks) -> Markup {
    let texts = texts(lang);
    html! {
        ul.audit-links {
            li { a href=(links.trail) { (texts.trail) } }
            li { a href=(links.state) { ((texts.state_title)(texts.now)) } }
            li { a href=(links.diff) { (texts.compare) } }
            li { a href=(links.timeline) { (texts.timeline_title) } }
            li { a href=(links.bundle) download { (texts.bundle_download) } }
        }
    }
}

/// `GET /audit/{kind}/{id}/bundle`: the record's evidence bundle, for someone who may read its
/// audit trail (the same use case as the API's `/api/v1/integrity/bundles/{kind}/{id}`).
async fn bundle(
    State(state): State<WebState>,
    staff: Staff,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let bundle = kirjuri_app::integrity::record_bundle(&state, staff.principal.clone(), &kind, &id)
        .await
        .map_err(|error| bad_request(lang, &error))?;
    let filename = format!("kirjuri-{}-{}.bundle.json", bundle.subject.kind, bundle.subject.id);
    let body = serde_json::to_vec_pretty(&bundle)
        .map_err(|_| WebError::from_api(lang, &AppError::internal("encoding a bundle")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response())
}

/// What the trail page shows.
#[derive(Debug, Clone)]
pub struct TrailView {
    /// The entity, shown.
    pub label: String,
    /// Its pages.
    pub links: EntityLinks,
    /// Its events, oldest first, with their data.
    pub events: Vec<EventView>,
    /// Paging.
    pub paging: PagingView,
}

/// `GET /audit/{kind}/{id}`: the entity's trail (the API's query: event_type, actor, …, paging).
async fn trail(
    State(state): State<WebState>,
    staff: Staff,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let mut pairs = filled_pairs(raw.as_deref());
    let kept: Vec<(String, String)> =
        pairs.iter().filter(|(name, _)| !PAGING[..3].contains(&name.as_str())).cloned().collect();
    if !pairs.iter().any(|(name, _)| name == "limit") {
        pairs.push(pair("limit", TRAIL_LIMIT));
    }
    let (page, _) =
        kirjuri_app::audit::entity_audit_page(&state, staff.principal.clone(), &kind, &id, Some(&encode(&pairs)))
            .await
            .map_err(|error| bad_request(lang, &error))?;
    let (kind, id, label) = entity_label(lang, &kind, &id);
    let links = entity_links(&kind, &id);
    let with_paging = |name: &str, value: &str| {
        let mut pairs = kept.clone();
        pairs.push(pair(name, value));
        href(&links.trail, &pairs)
    };
    let view = TrailView {
        label,
        events: page.events.iter().map(|event| event_view(lang, event, None, true)).collect(),
        paging: PagingView {
            earlier: page.previous.as_deref().map(|cursor| with_paging("before", cursor)),
            later: page.next.as_deref().map(|cursor| with_paging("after", cursor)),
            oldest: None,
            newest: None,
        },
        links: links.clone(),
    };
    Ok(html_response(StatusCode::OK, trail_page(&staff.frame, &view)))
}

/// The trail page.
pub fn trail_page(frame: &Frame, view: &TrailView) -> Markup {
    let texts = texts(frame.lang);
    let title = (texts.trail_title)(&view.label);
    let content = html! {
        h1 { (title) }
        (entity_nav(frame.lang, &view.links))
        section aria-labelledby="events-heading" {
            h2 id="events-heading" { (texts.events) }
            (paging_nav(texts, &view.paging))
            (events_list(texts, &view.events, false))
            (paging_nav(texts, &view.paging))
        }
    };
    pages::layout(frame, &title, content)
}

/// What the state page shows.
#[derive(Debug)]
pub struct StateView {
    /// The entity, shown.
    pub label: String,
    /// Its pages.
    pub links: EntityLinks,
    /// The moment as typed (empty: now).
    pub as_of: String,
    /// The entity's state.
    pub state: EntityStateBody,
    /// The difference between the moment and now.
    pub diff_from_here: Option<String>,
}

/// `GET /state/{kind}/{id}?as_of=`.
async fn state_page(
    State(state): State<WebState>,
    staff: Staff,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let pairs = filled_pairs(raw.as_deref());
    let body =
        kirjuri_app::audit::entity_state_body(&state, staff.principal.clone(), &kind, &id, Some(&encode(&pairs)))
            .await
            .map_err(|error| bad_request(lang, &error))?;
    let (kind, id, label) = entity_label(lang, &kind, &id);
    let links = entity_links(&kind, &id);
    let as_of = first_value(&pairs, "as_of").trim().to_owned();
    let diff_from_here = (!as_of.is_empty()).then(|| href(&links.diff, &[pair("from", as_of.as_str())]));
    let view = StateView { label, links, as_of, state: body, diff_from_here };
    Ok(html_response(StatusCode::OK, state_page_markup(&staff.frame, &view)))
}

fn value_cell(texts: &AuditTexts, value: Option<&str>) -> Markup {
    let value = value.map(readable).filter(|value| !value.is_empty() && value != "None");
    html! {
        @match value {
            Some(value) => code { (value) },
            None => span.muted { (texts.empty_value) },
        }
    }
}

/// A state field's value (the domain state's `Debug` form) as a person reads it: on one line,
/// without the wrappers that say only how Rust holds it — `Some(x)` is `x`, an id newtype
/// `BodyId(…)` is its UUID, a trailing comma before a closing bracket goes. Quoted text is
/// left exactly as it is.
fn readable(debug: &str) -> String {
    let mut text = collapse_whitespace(debug);
    while let Some(unwrapped) = unwrap_first_wrapper(&text) {
        text = unwrapped;
    }
    text
}

/// Runs of whitespace outside quoted text become one space; `, )` `, }` `, ]` lose the comma.
fn collapse_whitespace(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut in_quotes = false;
    let mut escaped = false;
    for character in debug.chars() {
        if in_quotes {
            out.push(character);
            match (escaped, character) {
                (false, '\\') => escaped = true,
                (false, '"') => in_quotes = false,
                _ => escaped = false,
            }
            continue;
        }
        match character {
            '"' => {
                in_quotes = true;
                out.push(character);
            }
            c if c.is_whitespace() => {
                if !out.ends_with(' ') && !out.ends_with('(') && !out.ends_with('[') && !out.is_empty() {
                    out.push(' ');
                }
            }
            ')' | '}' | ']' => {
                while out.ends_with(' ') || out.ends_with(',') {
                    out.pop();
                }
                if character == '}' {
                    out.push(' ');
                }
                out.push(character);
            }
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// The text with its first `Some(…)` or `<Name>Id(…)` (outside quotes) replaced by what it
/// wraps, or `None` when there is none.
fn unwrap_first_wrapper(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut in_quotes = false;
    let mut escaped = false;
    for (at, &byte) in bytes.iter().enumerate() {
        if in_quotes {
            match (escaped, byte) {
                (false, b'\\') => escaped = true,
                (false, b'"') => in_quotes = false,
                _ => escaped = false,
            }
            continue;
        }
        if byte == b'"' {
            in_quotes = true;
            continue;
        }
        if byte != b'(' {
            continue;
        }
        let name_start = text[..at].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let name = &text[name_start..at];
        let wrapper = name == "Some"
            || (name.len() > 2 && name.ends_with("Id") && name.starts_with(|c: char| c.is_ascii_uppercase()));
        if !wrapper {
            continue;
        }
        let close = matching_paren(text, at)?;
        return Some(format!("{}{}{}", &text[..name_start], &text[at + 1..close], &text[close + 1..]));
    }
    None
}

/// The index of the `)` closing the `(` at `open`, skipping quoted text.
fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0_usize;
    let mut in_quotes = false;
    let mut escaped = false;
    for (at, byte) in text.bytes().enumerate().skip(open) {
        if in_quotes {
            match (escaped, byte) {
                (false, b'\\') => escaped = true,
                (false, b'"') => in_quotes = false,
                _ => escaped = false,
            }
            continue;
        }
        match byte {
            b'"' => in_quotes = true,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// The state page.
pub fn state_page_markup(frame: &Frame, view: &StateView) -> Markup {
    let texts = texts(frame.lang);
    let title = (texts.state_title)(&view.label);
    let moment = if view.as_of.is_empty() { texts.now } else { view.as_of.as_str() };
    let content = html! {
        h1 { (title) }
        (entity_nav(frame.lang, &view.links))
        form.audit-moment method="get" action=(view.links.state) {
            div.audit-field {
                label for="as-of" { (texts.as_of_field) }
                p.hint id="as-of-hint" { (texts.as_of_hint) }
                input type="text" id="as-of" name="as_of" value=(view.as_of) aria-describedby="as-of-hint";
            }
            button type="submit" { (texts.show) }
        }
        @if let Some(diff) = &view.diff_from_here { p { a href=(diff) { (texts.compare_with_now) } } }
        @if view.state.exists {
            p {
                ((texts.revision_summary)(view.state.revision.unwrap_or_default(), view.state.event_count))
                @if let Some(position) = &view.state.position { " · " (texts.position) " " (position) }
            }
            table.audit-table {
                caption { ((texts.fields_caption)(moment)) }
                thead { tr { th scope="col" { (texts.field) } th scope="col" { (texts.value) } } }
                tbody {
                    @for field in &view.state.fields {
                        tr { th scope="row" { (field.field) } td { (value_cell(texts, Some(&field.value))) } }
                    }
                }
            }
        } @else {
            p { (texts.did_not_exist) }
        }
    };
    pages::layout(frame, &title, content)
}

/// What the difference page shows.
#[derive(Debug)]
pub struct DiffView {
    /// The entity, shown.
    pub label: String,
    /// Its pages.
    pub links: EntityLinks,
    /// The bounds as typed.
    pub from: String,
    /// The later bound as typed (empty: now).
    pub to: String,
    /// The difference, once two moments are chosen.
    pub diff: Option<EntityDiffBody>,
    /// The events in between.
    pub events: Vec<EventView>,
}

/// `GET /diff/{kind}/{id}?from=&to=`: without `from`, the form alone (the entity still checked).
async fn diff_page(
    State(state): State<WebState>,
    staff: Staff,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let pairs = filled_pairs(raw.as_deref());
    let diff = if pairs.is_empty() {
        kirjuri_app::audit::entity_state_body(&state, staff.principal.clone(), &kind, &id, None)
            .await
            .map_err(|error| bad_request(lang, &error))?;
        None
    } else {
        let diff =
            kirjuri_app::audit::entity_diff_body(&state, staff.principal.clone(), &kind, &id, Some(&encode(&pairs)))
                .await
                .map_err(|error| bad_request(lang, &error))?;
        Some(diff)
    };
    let (kind, id, label) = entity_label(lang, &kind, &id);
    let events = diff
        .as_ref()
        .map(|diff| diff.events.iter().map(|event| event_view(lang, event, None, true)).collect())
        .unwrap_or_default();
    let view = DiffView {
        label,
        links: entity_links(&kind, &id),
        from: first_value(&pairs, "from").trim().to_owned(),
        to: first_value(&pairs, "to").trim().to_owned(),
        diff,
        events,
    };
    Ok(html_response(StatusCode::OK, diff_page_markup(&staff.frame, &view)))
}

/// The difference page.
pub fn diff_page_markup(frame: &Frame, view: &DiffView) -> Markup {
    let texts = texts(frame.lang);
    let title = (texts.diff_title)(&view.label);
    let content = html! {
        h1 { (title) }
        (entity_nav(frame.lang, &view.links))
        form.audit-moment method="get" action=(view.links.diff) {
            p.hint id="moments-hint" { (texts.choose_moments) }
            div.audit-grid {
                div.audit-field {
                    label for="diff-from" { (texts.diff_from) }
                    input type="text" id="diff-from" name="from" value=(view.from) required aria-describedby="moments-hint";
                }
                div.audit-field {
                    label for="diff-to" { (texts.diff_to) }
                    p.hint id="diff-to-hint" { (texts.diff_to_hint) }
                    input type="text" id="diff-to" name="to" value=(view.to) aria-describedby="moments-hint diff-to-hint";
                }
            }
            button type="submit" { (texts.compare) }
        }
        @if let Some(diff) = &view.diff {
            @if diff.changes.is_empty() {
                p { (texts.no_changes) }
            } @else {
                table.audit-table {
                    caption { (texts.changes_caption) }
                    thead { tr { th scope="col" { (texts.field) } th scope="col" { (texts.before) } th scope="col" { (texts.after) } } }
                    tbody {
                        @for change in &diff.changes {
                            tr.changed {
                                th scope="row" { (change.field) }
                                td { (value_cell(texts, change.before.as_deref())) }
                                td { (value_cell(texts, change.after.as_deref())) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="between-heading" {
                h2 id="between-heading" { (texts.events_between) }
                @if diff.more_events { p { a href=(view.links.trail) { (texts.more_events) } } }
                (events_list(texts, &view.events, false))
            }
        }
    };
    pages::layout(frame, &title, content)
}

// ---------------------------------------------------------------------------------------------
// The access log

/// One read of personal data as the page shows it.
#[derive(Debug, Clone)]
pub struct AccessLogRowView {
    /// When.
    pub read_at: DateTime<Utc>,
    /// Who (the principal's subject).
    pub reader: String,
    /// The pseudonymous person.
    pub reader_person: String,
    /// What was read, and the trail of the record it belongs to.
    pub what: (String, String),
    /// Why.
    pub purpose: String,
}

/// What the access-log page shows.
#[derive(Debug, Clone)]
pub struct AccessLogView {
    /// The filters as given.
    pub filters: Vec<(String, String)>,
    /// The reads, newest first.
    pub rows: Vec<AccessLogRowView>,
    /// The older page.
    pub older: Option<String>,
    /// The newest page (when paged).
    pub newest: Option<String>,
}

/// What the access-log page shows for `page`.
pub fn access_log_view(
    lang: Lang,
    filters: Vec<(String, String)>,
    paged: bool,
    page: &AccessLogPageBody,
) -> AccessLogView {
    let texts = texts(lang);
    let rows = page
        .entries
        .iter()
        .map(|entry| {
            let what = match &entry.data {
                PersonalData::CoachingNotes { engagement, notes } => {
                    ((texts.coaching_notes)(notes.len()), format!("/audit/engagement/{}", engagement.0))
                }
            };
            AccessLogRowView {
                read_at: entry.read_at,
                reader: entry.reader.clone(),
                reader_person: entry.reader_person.clone(),
                what,
                purpose: entry.purpose.clone(),
            }
        })
        .collect();
    let older = page.next.as_deref().map(|cursor| {
        let mut pairs = filters.clone();
        pairs.push(pair("cursor", cursor));
        href("/access-log", &pairs)
    });
    let newest = paged.then(|| href("/access-log", &filters));
    AccessLogView { filters, rows, older, newest }
}

/// `GET /access-log`: the API's query (reader, from, to, cursor, limit).
async fn access_log(
    State(state): State<WebState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lang = staff.frame.lang;
    let pairs = filled_pairs(raw.as_deref());
    let page = kirjuri_app::access_log::access_log_page(&state, &staff.principal, Some(&encode(&pairs)))
        .await
        .map_err(|error| bad_request(lang, &error))?;
    let paged = pairs.iter().any(|(name, _)| name == "cursor");
    let filters = pairs.into_iter().filter(|(name, _)| name != "cursor").collect();
    let view = access_log_view(lang, filters, paged, &page);
    Ok(html_response(StatusCode::OK, access_log_page_markup(&staff.frame, &view)))
}

/// The access-log page.
pub fn access_log_page_markup(frame: &Frame, view: &AccessLogView) -> Markup {
    let texts = texts(frame.lang);
    let value = |name: &str| first_value(&view.filters, name);
    let content = html! {
        h1 { (texts.access_log_title) }
        p { (texts.access_log_intro) " " a href="/timeline" { (texts.timeline_title) } }
        form.audit-filters method="get" action="/access-log" aria-labelledby="filters-heading" {
            h2 id="filters-heading" { (texts.filters) }
            div.audit-grid {
                (text_field("filter-reader", "reader", texts.reader, Some(texts.reader_hint), value("reader"), "text"))
                (text_field("filter-from", "from", texts.from_day, None, value("from"), "date"))
                (text_field("filter-to", "to", texts.to_day, None, value("to"), "date"))
            }
            div.audit-actions {
                button type="submit" { (texts.apply_filters) }
                @if !view.filters.is_empty() { a href="/access-log" { (texts.clear_filters) } }
            }
        }
        div #access-log-reads data-live-refresh {
        @if view.rows.is_empty() {
            p { (texts.no_reads) }
        } @else {
            div.audit-table-wrap role="region" aria-label=(texts.access_log_caption) tabindex="0" {
                table.audit-table {
                    caption { (texts.access_log_caption) }
                    thead {
                        tr {
                            th scope="col" { (texts.read_at) }
                            th scope="col" { (texts.reader) }
                            th scope="col" { (texts.reader_person) }
                            th scope="col" { (texts.what_was_read) }
                            th scope="col" { (texts.purpose) }
                        }
                    }
                    tbody {
                        @for row in &view.rows {
                            tr {
                                td { (time(&row.read_at)) }
                                td { code { (row.reader) } }
                                td { code { (row.reader_person) } }
                                td { a href=(row.what.1) { (row.what.0) } }
                                td { (row.purpose) }
                            }
                        }
                    }
                }
            }
        }
        }
        @if view.older.is_some() || view.newest.is_some() {
            nav.pagination aria-label=(texts.pages) {
                @if let Some(link) = &view.newest { a href=(link) { (texts.newest) } }
                @if let Some(link) = &view.older { a href=(link) rel="next" { (texts.older) } }
            }
        }
    };
    pages::layout(frame, texts.access_log_title, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64, summary: &str) -> AuditEventBody {
        AuditEventBody {
            position: format!("{n}.{n}"),
            event_id: uuid::Uuid::from_u128(u128::from(n)),
            stream: format!("practice-{}", uuid::Uuid::nil()),
            entity_kind: "practice",
            entity_id: uuid::Uuid::nil(),
            revision: n,
            event_type: "PracticeDecided".to_owned(),
            schema_version: 1,
            actor: Some("token:anna".to_owned()),
            municipality: None,
            recorded_at: DateTime::UNIX_EPOCH,
            occurred_at: None,
            correlation_id: Some(uuid::Uuid::from_u128(99)),
            causation_id: None,
            unit: None,
            experiment: None,
            summary_fi: summary.to_owned(),
            summary_en: format!("{summary} (en)"),
            data: serde_json::json!({ "note": { "redacted": "personal" } }),
        }
    }

    fn frame(lang: Lang) -> Frame {
        Frame { lang, here: "/timeline".to_owned(), signed_in: None }
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe_and_quotes_are_doubled() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("12.12"), "12.12");
    }

    #[test]
    fn the_csv_has_a_header_and_one_row_per_event_in_the_pages_language() {
        let csv = timeline_csv_text(Lang::En, &[event(1, "=päätös, \"hyväksytty\""), event(2, "toinen")]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert!(lines[1].starts_with("1.1,"), "{}", lines[1]);
        assert!(lines[1].contains("\"'=päätös, \"\"hyväksytty\"\" (en)\""), "{}", lines[1]);
        assert!(lines[2].contains(",toinen (en),"), "{}", lines[2]);
        assert_eq!(lines.len(), 4, "two rows and the final line end");
    }

    #[test]
    fn an_as_of_day_becomes_the_apis_to_bound_and_the_newest_page() {
        let query = timeline_query(Some("kind=practice&actor=&as_of=2025-03-31&to=2025-06-01&from=2025-01-01"))
            .unwrap_or_else(|e| panic!("{}", e.detail()));
        let api = kirjuri_app::queries::pairs(Some(&query.api_query));
        assert!(api.contains(&pair("to", "2025-03-31T23:59:59.999999Z")), "{api:?}");
        assert!(api.contains(&pair("from", "2025-01-01T00:00:00Z")), "a from day is its start: {api:?}");
        assert!(api.contains(&pair("start", "newest")), "{api:?}");
        assert!(!api.iter().any(|(name, _)| name == "actor"), "empty fields are dropped: {api:?}");
        assert_eq!(query.cap, None);
        let earlier_to =
            timeline_query(Some("as_of=2025-03-31&to=2025-02-01")).unwrap_or_else(|e| panic!("{}", e.detail()));
        assert!(
            kirjuri_app::queries::pairs(Some(&earlier_to.api_query))
                .contains(&pair("to", "2025-02-01T23:59:59.999999Z"))
        );
    }

    #[test]
    fn a_position_caps_the_timeline_and_asks_for_the_page_that_ends_there() {
        let query = timeline_query(Some("position=40")).unwrap_or_else(|e| panic!("{}", e.detail()));
        assert_eq!(query.cap, Some(Cursor(Position::sequence(40))));
        assert!(kirjuri_app::queries::pairs(Some(&query.api_query)).contains(&pair("before", "40.41")));
        let mut page = AuditPageBody {
            events: vec![event(39, "a"), event(40, "b"), event(41, "c")],
            next: Some("41.41".to_owned()),
            previous: None,
        };
        apply_cap(&mut page, query.cap);
        assert_eq!(page.events.len(), 2);
        assert_eq!(page.next, None, "nothing later is offered past the cap");
    }

    #[test]
    fn bad_as_of_input_names_its_parameter() {
        for (raw, named) in [
            ("position=abc", "position"),
            ("position=-1", "position"),
            ("as_of=yesterday", "as_of"),
            ("as_of=2025-01-01&position=3", "position"),
            ("as_of=2025-01-01&to=soon", "to"),
        ] {
            let error = timeline_query(Some(raw)).expect_err(raw);
            assert_eq!(error.code(), kirjuri_app::ErrorCode::BadRequest, "{raw}");
            assert!(error.detail().starts_with(named), "{raw}: {}", error.detail());
        }
    }

    #[test]
    fn the_timeline_page_escapes_what_it_shows_and_links_each_event_to_its_trail_and_state() {
        let query = timeline_query(Some("kind=practice&as_of=2025-03-31")).unwrap_or_else(|e| panic!("{}", e.detail()));
        let page = AuditPageBody {
            events: vec![event(7, "<script>alert(1)</script>")],
            next: None,
            previous: Some("7.7".to_owned()),
        };
        let view = timeline_view(Lang::Fi, &query, &page, Some((1, 90)), true);
        let html = timeline_page(&frame(Lang::Fi), &view).into_string();
        assert!(html.contains("<html lang=\"fi\""));
        assert!(!html.contains("<script>alert(1)"), "the summary is escaped");
        assert!(html.contains("&lt;script&gt;alert(1)"));
        let id = uuid::Uuid::from_u128(7);
        assert!(html.contains(&format!("id=\"event-{id}\"")));
        assert!(html.contains(&format!("/audit/practice/{}#event-{id}", uuid::Uuid::nil())));
        assert!(
            html.contains(&format!("/state/practice/{}?as_of=2025-03-31", uuid::Uuid::nil())),
            "state as of the moment"
        );
        assert!(!html.contains("data-live-refresh"), "a past moment does not refresh live");
        assert!(html.contains("type=\"range\""));
        assert!(html.contains("Näytetään tilanne hetkellä 2025-03-31."));
        assert!(html.contains("/timeline.csv?kind=practice&amp;as_of=2025-03-31"), "the export keeps the query");
        assert!(
            html.contains("/timeline?kind=practice&amp;as_of=2025-03-31&amp;before=7.7"),
            "paging keeps the moment"
        );
        assert!(html.contains("<time datetime=\"1970-01-01T00:00:00Z\">"));
    }

    #[test]
    fn the_present_timeline_refreshes_live_and_a_slider_moment_is_named_as_a_position() {
        let now = timeline_query(Some("kind=practice")).unwrap_or_else(|e| panic!("{}", e.detail()));
        let page = AuditPageBody { events: vec![event(1, "a")], next: None, previous: None };
        let html =
            timeline_page(&frame(Lang::En), &timeline_view(Lang::En, &now, &page, Some((1, 9)), false)).into_string();
        assert!(html.contains("<div id=\"audit-events\" data-live-refresh><ol class=\"audit-events\">"), "{html}");
        assert!(!html.contains("/access-log"), "no access-log link without the right");
        let slid = timeline_query(Some("position=5")).unwrap_or_else(|e| panic!("{}", e.detail()));
        let html =
            timeline_page(&frame(Lang::En), &timeline_view(Lang::En, &slid, &page, Some((1, 9)), true)).into_string();
        assert!(html.contains("Showing the programme up to position 5 of the event stream."));
        assert!(html.contains("value=\"5\""), "the slider stands at the position");
        assert!(html.contains("/state/practice/00000000-0000-0000-0000-000000000000?as_of=5.5"));
    }

    #[test]
    fn the_english_trail_shows_each_events_redacted_data_under_its_anchor() {
        let view = TrailView {
            label: "Best practice x".to_owned(),
            links: entity_links("practice", "x"),
            events: vec![event_view(Lang::En, &event(3, "kolmas"), None, true)],
            paging: PagingView::default(),
        };
        let html = trail_page(&frame(Lang::En), &view).into_string();
        assert!(html.contains("<html lang=\"en\""));
        assert!(html.contains("Audit trail: Best practice x"));
        assert!(html.contains("kolmas (en)"));
        assert!(html.contains("&quot;redacted&quot;: &quot;personal&quot;"), "{html}");
        assert!(
            html.contains("/state/practice/00000000-0000-0000-0000-000000000000?as_of=3.3"),
            "state after the event"
        );
    }

    #[test]
    fn state_values_read_without_rusts_wrappers_and_quoted_text_is_kept() {
        let debug = "Some(\n    BodyId(\n        7f3a2c1e-0000-4000-8000-000000000001,\n    ),\n)";
        assert_eq!(readable(debug), "7f3a2c1e-0000-4000-8000-000000000001");
        assert_eq!(readable("[\n    UnitId(\n        a,\n    ),\n    UnitId(\n        b,\n    ),\n]"), "[a, b]");
        assert_eq!(readable("\"Some(  not  a wrapper )\""), "\"Some(  not  a wrapper )\"");
        assert_eq!(readable("Draft"), "Draft");
        assert_eq!(
            readable("LocalizedText {\n    fi: \"Etä, (kotihoito)\",\n}"),
            "LocalizedText { fi: \"Etä, (kotihoito)\" }"
        );
        assert_eq!(readable("Valid(3)"), "Valid(3)", "only Some and id newtypes are unwrapped");
        assert_eq!(readable("Some(\"unclosed"), "Some(\"unclosed", "a malformed value is shown as it is");
    }
}

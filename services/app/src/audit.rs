//! The audit trail, as-of state, differences and evidence graph: read use cases that parse
//! their parameters, authorise inside and answer wire forms (the API serves them as JSON, the
//! pages render them).
//!
//! - `GET /api/v1/timeline`: the programme-wide timeline of the caller's municipality, filtered;
//! - `GET /api/v1/audit/{kind}/{id}`: one entity's audit trail;
//! - `GET /api/v1/correlations/{correlation}`: the events of one command (one user action);
//! - `GET /api/v1/state/{kind}/{id}?as_of=`: an entity as it stood at a moment or position;
//! - `GET /api/v1/diff/{kind}/{id}?from=&to=`: what changed in it between two bounds;
//! - `GET /api/v1/municipalities/{municipality}/picture/diff?from=&to=`: the situational
//!   picture's changes between two days (suppressed figures stay withheld);
//! - `GET /api/v1/graph/{kind}/{id}`: the evidence graph around a record, both directions.
//!
//! Every page of events runs oldest first and carries the cursors of the pages before and after
//! it. Event data passes through [`crate::redaction::redact_personal`] before it leaves: personal
//! text never does. Whole groups of events can be hidden from callers without a right
//! ([`HIDDEN_WITHOUT_ACCESS_LOG_RIGHTS`]). Everything but the graph needs
//! [`Action::ReadAudit`]; a record of another municipality answers 404.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Resource, authorize};
use kirjuri_events::Position;
use kirjuri_events::domain::{AccessLogId, FrameworkId, MunicipalityId, UnitId};
use kirjuri_views::{
    AsOf, AuditFilter, AuditRow, Cursor, EntityKind, EntityState, GraphNode, PageDirection, PageRequest, ViewsError,
    ViewsReader,
};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, ErrorCode};
use crate::queries::{pairs, printable, uuid_parameter, views_error, with_views};
use crate::redaction::{redact_credentials, redact_personal};
use crate::state::AppState;
use crate::wire::{EdgeBody, SubjectBody, TargetBody, TrendPointBody, edge_body, point_body};

/// A group of events that some callers may not see in the timeline and audit trails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiddenEvents {
    /// Every event of streams of this category (e.g. `accesslog`).
    Category(&'static str),
    /// Every event of this type.
    EventType(&'static str),
}

/// Events left out of every page of the timeline, audit trails, correlations and differences
/// unless the caller may read the personal-data access log ([`Action::ReadAccessLog`]): the
/// access log's own streams (who read whose personal data, and why).
pub const HIDDEN_WITHOUT_ACCESS_LOG_RIGHTS: &[HiddenEvents] = &[HiddenEvents::Category(AccessLogId::CATEGORY)];

/// The most events one page holds.
pub const MAX_PAGE_LIMIT: u32 = 200;

/// The longest `actor` filter, in characters (a principal's subject).
pub const MAX_ACTOR_CHARS: usize = 256;

/// An `actor` filter: 1 to [`MAX_ACTOR_CHARS`] characters without control characters, trimmed.
pub fn actor_parameter(value: &str) -> Result<String, AppError> {
    let actor = value.trim();
    if actor.is_empty() || actor.chars().count() > MAX_ACTOR_CHARS || actor.chars().any(char::is_control) {
        return Err(AppError::bad_request(format!(
            "actor: must be 1 to {MAX_ACTOR_CHARS} characters without control characters, e.g. token:anna"
        )));
    }
    Ok(actor.to_owned())
}
const DEFAULT_PAGE_LIMIT: u32 = 50;
/// The most events a difference lists (the audit trail pages through the rest).
const MAX_DIFF_EVENTS: usize = 200;

/// Narrows `filter` to what `principal` may see.
fn hide_unreadable(principal: &Principal, filter: &mut AuditFilter) {
    if authorize(principal, Action::ReadAccessLog, &Resource::of(principal.municipality)).is_err() {
        hide(filter, HIDDEN_WITHOUT_ACCESS_LOG_RIGHTS);
    }
}

/// Whether `principal` may see `row` (the same rule as [`hide_unreadable`], for rows read
/// without a filter).
fn may_see(principal: &Principal, row: &AuditRow) -> bool {
    let mut filter = AuditFilter::default();
    hide_unreadable(principal, &mut filter);
    !filter.exclude_event_types.iter().any(|t| t == row.event_type.as_str())
        && !filter.exclude_categories.iter().any(|c| c == row.stream.category())
}

fn hide(filter: &mut AuditFilter, hidden: &[HiddenEvents]) {
    for group in hidden {
        match group {
            HiddenEvents::Category(category) => filter.exclude_categories.push((*category).to_owned()),
            HiddenEvents::EventType(event_type) => filter.exclude_event_types.push((*event_type).to_owned()),
        }
    }
}

/// Runs a views query on a blocking thread (its own refusals already worded).
async fn on_views<T: Send + 'static>(
    state: &AppState,
    query: impl FnOnce(&ViewsReader) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    with_views(state, move |reader| Ok(query(reader))).await?
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// Which page of events to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Paging {
    after: Option<Cursor>,
    before: Option<Cursor>,
    newest: bool,
    limit: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Self { after: None, before: None, newest: false, limit: DEFAULT_PAGE_LIMIT }
    }
}

/// Which filters a route takes from its query string (its path fixes the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The programme-wide timeline: every filter.
    Timeline,
    /// An entity's trail or a correlation: no entity or correlation filter.
    Fixed,
}

fn cursor_parameter(name: &str, value: &str) -> Result<Cursor, AppError> {
    Cursor::parse(value.trim()).map_err(|_| {
        AppError::bad_request(format!(
            "{name}: `{}` is not a cursor; use a page's `next` or `previous` (`<commit>.<prepare>`)",
            printable(value)
        ))
    })
}

/// Reads a moment: a day (its end, so `to=2025-03-01` includes that day) or an RFC 3339 time.
pub fn moment_parameter(name: &str, value: &str) -> Result<DateTime<Utc>, AppError> {
    kirjuri_views::audit::parse_moment(value).map_err(|_| {
        AppError::bad_request(format!(
            "{name}: `{}` is not a moment; use a day like 2025-03-31 or an RFC 3339 time",
            printable(value)
        ))
    })
}

/// A lower bound: a day means from its start (a moment is taken as it is), so `from=2025-03-01`
/// includes what was recorded on the first of March.
pub fn from_parameter(name: &str, value: &str) -> Result<DateTime<Utc>, AppError> {
    match kirjuri_views::audit::parse_date(value) {
        Ok(day) => Ok(day.and_time(chrono::NaiveTime::MIN).and_utc()),
        Err(_) => moment_parameter(name, value),
    }
}

fn date_parameter(name: &str, value: &str) -> Result<NaiveDate, AppError> {
    kirjuri_views::audit::parse_date(value)
        .map_err(|_| AppError::bad_request(format!("{name}: `{}` is not a date like 2025-03-31", printable(value))))
}

fn limit_parameter(value: &str) -> Result<u32, AppError> {
    value.trim().parse::<u32>().ok().filter(|limit| (1..=MAX_PAGE_LIMIT).contains(limit)).ok_or_else(|| {
        AppError::bad_request(format!("limit: `{}` is not a whole number from 1 to {MAX_PAGE_LIMIT}", printable(value)))
    })
}

fn kind_parameter(name: &str, value: &str) -> Result<EntityKind, AppError> {
    EntityKind::parse(value).map_err(|_| {
        AppError::bad_request(format!(
            "{name}: `{}` is not an entity kind; use one of {}",
            printable(value),
            EntityKind::NAMES.join(", ")
        ))
    })
}

/// Reads the filters and paging of an audit query.
fn audit_query(raw: Option<&str>, scope: Scope) -> Result<(AuditFilter, Paging), AppError> {
    let mut filter = AuditFilter::default();
    let mut paging = Paging::default();
    let timeline = scope == Scope::Timeline;
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "after" => paging.after = Some(cursor_parameter("after", &value)?),
            "before" => paging.before = Some(cursor_parameter("before", &value)?),
            "start" => {
                paging.newest = match value.trim() {
                    "oldest" => false,
                    "newest" => true,
                    _ => return Err(AppError::bad_request("start: must be oldest or newest")),
                };
            }
            "limit" => paging.limit = limit_parameter(&value)?,
            "kind" if timeline => filter.entity_kind = Some(kind_parameter("kind", &value)?),
            "entity" if timeline => filter.entity_id = Some(uuid_parameter("entity", &value)?),
            "correlation" if timeline => filter.correlation = Some(uuid_parameter("correlation", &value)?),
            "event_type" => {
                let event_type = kirjuri_events::EventType::parse(value.trim()).map_err(|_| {
                    AppError::bad_request(format!(
                        "event_type: `{}` is not an event type (1 to 128 printable ASCII characters, e.g. PracticeDecided)",
                        printable(&value)
                    ))
                })?;
                filter.event_types.push(event_type.as_str().to_owned());
            }
            "actor" => filter.actor = Some(actor_parameter(&value)?),
            "unit" => filter.unit = Some(UnitId(uuid_parameter("unit", &value)?)),
            "experiment" => {
                filter.experiment = Some(kirjuri_events::domain::ExperimentId(uuid_parameter("experiment", &value)?));
            }
            "from" => filter.from = Some(from_parameter("from", &value)?),
            "to" => filter.to = Some(moment_parameter("to", &value)?),
            "municipality" => {
                return Err(AppError::bad_request(
                    "municipality: the audit trail is always your own municipality's; remove this parameter",
                ));
            }
            other => {
                let known = if timeline {
                    "kind, entity, correlation, event_type, actor, unit, experiment, from, to, after, before, start, limit"
                } else {
                    "event_type, actor, unit, experiment, from, to, after, before, start, limit"
                };
                return Err(AppError::bad_request(format!("{}: unknown parameter; use {known}", printable(other))));
            }
        }
    }
    if paging.after.is_some() && paging.before.is_some() {
        return Err(AppError::bad_request("before: give `after` or `before`, not both"));
    }
    if paging.newest && (paging.after.is_some() || paging.before.is_some()) {
        return Err(AppError::bad_request("start: only for the first page; a cursor already says where to start"));
    }
    if filter.entity_id.is_some() && filter.entity_kind.is_none() {
        return Err(AppError::bad_request("entity: needs `kind` too"));
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(AppError::bad_request(format!("from: {from} is after `to` ({to})")));
    }
    Ok((filter, paging))
}

/// Reads an entity named by a path: its kind and id.
/// Reads a `{kind}/{id}` path.
pub(crate) fn entity_path(kind: &str, id: &str) -> Result<(EntityKind, Uuid), AppError> {
    Ok((kind_parameter("kind", kind)?, uuid_parameter("id", id)?))
}

/// Reads an as-of bound: a moment (day or RFC 3339 time) or a position (`<commit>.<prepare>`).
pub fn bound_parameter(name: &str, value: &str) -> Result<AsOf, AppError> {
    let text = value.trim();
    let looks_like_position = text.contains('.') && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if looks_like_position {
        return Cursor::parse(text).map(|cursor| AsOf::Position(cursor.0)).map_err(|_| {
            AppError::bad_request(format!("{name}: `{}` is not a position like 1234.1234", printable(value)))
        });
    }
    kirjuri_views::audit::parse_moment(text).map(AsOf::Moment).map_err(|_| {
        AppError::bad_request(format!(
            "{name}: `{}` is neither a moment (2025-03-31 or an RFC 3339 time) nor a position (`<commit>.<prepare>`)",
            printable(value)
        ))
    })
}

/// The newest bound: everything recorded so far.
const NOW: AsOf = AsOf::Position(Position { commit: i64::MAX as u64, prepare: i64::MAX as u64 });

// ---------------------------------------------------------------------------------------------
// Wire forms

/// One event of the audit trail. Its data never carries personal text: each personal part
/// reads `{"redacted": "personal"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventBody {
    /// Its place in the programme's history, `<commit>.<prepare>` (also usable as a cursor).
    pub position: String,
    /// The event's id.
    pub event_id: Uuid,
    /// Its stream, `<kind>-<id>`.
    pub stream: String,
    /// The kind of entity (the stream's category).
    pub entity_kind: &'static str,
    /// The entity's id.
    pub entity_id: Uuid,
    /// Its revision in the stream.
    pub revision: u64,
    /// The event type, e.g. `PracticeDecided`.
    pub event_type: String,
    /// The data's schema version.
    pub schema_version: u32,
    /// Who did it.
    pub actor: Option<String>,
    /// The municipality it was recorded for.
    pub municipality: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// When it happened, where that differs.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The user action (command) it belongs to.
    pub correlation_id: Option<Uuid>,
    /// What caused it.
    pub causation_id: Option<Uuid>,
    /// The (first) unit it names.
    pub unit: Option<Uuid>,
    /// The (first) experiment it names.
    pub experiment: Option<Uuid>,
    /// What happened, in Finnish.
    pub summary_fi: String,
    /// What happened, in English.
    pub summary_en: String,
    /// The event's data, personal text and credential hashes redacted.
    pub data: serde_json::Value,
}

/// The one way an audit row leaves the server: with its personal text and credential hashes redacted.
fn event_body(row: AuditRow) -> AuditEventBody {
    let mut data = serde_json::from_str(row.data.as_str()).unwrap_or(serde_json::Value::Null);
    redact_personal(&mut data);
    redact_credentials(&mut data);
    AuditEventBody {
        position: row.cursor().to_string(),
        event_id: row.event_id.0,
        stream: row.stream.to_string(),
        entity_kind: row.entity_kind.as_str(),
        entity_id: row.entity_id,
        revision: row.revision.0,
        event_type: row.event_type.to_string(),
        schema_version: row.schema_version,
        actor: row.actor,
        municipality: row.municipality,
        recorded_at: row.recorded_at,
        occurred_at: row.occurred_at,
        correlation_id: row.correlation_id,
        causation_id: row.causation_id,
        unit: row.unit.map(|u| u.0),
        experiment: row.experiment.map(|x| x.0),
        summary_fi: row.summary_fi,
        summary_en: row.summary_en,
        data,
    }
}

/// A page of events, oldest first, with the cursors of the pages around it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPageBody {
    /// The events, oldest first.
    pub events: Vec<AuditEventBody>,
    /// Pass as `after` for the next (later) page; absent on the last page.
    pub next: Option<String>,
    /// Pass as `before` for the previous (earlier) page; absent on the first page.
    pub previous: Option<String>,
}

/// One page of rows, oldest first, with its neighbours' cursors.
struct Paged {
    rows: Vec<AuditRow>,
    next: Option<Cursor>,
    previous: Option<Cursor>,
}

impl From<Paged> for AuditPageBody {
    fn from(page: Paged) -> Self {
        Self {
            events: page.rows.into_iter().map(event_body).collect(),
            next: page.next.map(|c| c.to_string()),
            previous: page.previous.map(|c| c.to_string()),
        }
    }
}

/// Reads the page `paging` asks for, oldest first, and whether there are events beyond each end.
fn read_page(reader: &ViewsReader, filter: &AuditFilter, paging: Paging) -> Result<Paged, ViewsError> {
    let request = match (paging.after, paging.before, paging.newest) {
        (Some(cursor), _, _) => PageRequest::after(cursor, paging.limit),
        (None, Some(cursor), _) => PageRequest::before(cursor, paging.limit),
        (None, None, true) => PageRequest::last(paging.limit),
        (None, None, false) => PageRequest::first(paging.limit),
    };
    let page = reader.timeline(filter, request)?;
    let forward = request.direction == PageDirection::Forward;
    let mut rows = page.rows;
    if !forward {
        rows.reverse();
    }
    let (Some(first), Some(last)) = (rows.first().map(AuditRow::cursor), rows.last().map(AuditRow::cursor)) else {
        return Ok(Paged { rows, next: None, previous: None });
    };
    let any = |request: PageRequest| reader.timeline(filter, request).map(|page| !page.rows.is_empty());
    let later = if forward { page.next.is_some() } else { request.from.is_some() && any(PageRequest::after(last, 1))? };
    let earlier =
        if forward { request.from.is_some() && any(PageRequest::before(first, 1))? } else { page.next.is_some() };
    Ok(Paged { rows, next: later.then_some(last), previous: earlier.then_some(first) })
}

/// The municipality an entity belongs to (the tenant its first event was recorded for);
/// `None` if it has no events.
fn entity_owner(
    reader: &ViewsReader,
    kind: EntityKind,
    id: Uuid,
) -> Result<Option<Option<MunicipalityId>>, ViewsError> {
    let first = reader.entity_timeline(kind, id, PageRequest::first(1))?;
    Ok(first
        .rows
        .first()
        .map(|row| row.municipality.as_deref().and_then(|tenant| Uuid::parse_str(tenant).ok()).map(MunicipalityId)))
}

/// Checks that `principal` may do `action` on the entity; no such entity, or another
/// municipality's, is a 404.
pub(crate) fn authorize_entity(
    reader: &ViewsReader,
    principal: &Principal,
    action: Action,
    kind: EntityKind,
    id: Uuid,
) -> Result<(), AppError> {
    let mut hidden = AuditFilter::default();
    hide_unreadable(principal, &mut hidden);
    if hidden.exclude_categories.iter().any(|category| category == kind.as_str()) {
        return Err(AppError::new(ErrorCode::NotFound, format!("no such {kind}")));
    }
    let owner = entity_owner(reader, kind, id)
        .map_err(views_error)?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no such {kind}")))?;
    let resource = owner.map(Resource::of).unwrap_or_default();
    authorize(principal, action, &resource).map_err(AppError::denied)
}

fn own_municipality(principal: &Principal) -> Resource {
    Resource::of(principal.municipality)
}

// ---------------------------------------------------------------------------------------------
// Timeline, audit trail, correlations

/// What `GET /api/v1/audit/{kind}/{id}` answers (the page and the entity's latest revision);
/// the web's trail page reads it too.
pub async fn entity_audit_page(
    state: &AppState,
    principal: Principal,
    kind: &str,
    id: &str,
    raw: Option<&str>,
) -> Result<(AuditPageBody, Option<u64>), AppError> {
    let (kind, id) = entity_path(kind, id)?;
    authorize(&principal, Action::ReadAudit, &own_municipality(&principal)).map_err(AppError::denied)?;
    let (mut filter, paging) = audit_query(raw, Scope::Fixed)?;
    filter.entity_kind = Some(kind);
    filter.entity_id = Some(id);
    hide_unreadable(&principal, &mut filter);
    let (page, revision) = on_views(state, move |reader| {
        authorize_entity(reader, &principal, Action::ReadAudit, kind, id)?;
        let page = read_page(reader, &filter, paging).map_err(views_error)?;
        let latest = reader.entity_timeline(kind, id, PageRequest::last(1)).map_err(views_error)?;
        Ok((page, latest.rows.first().map(|row| row.revision.0)))
    })
    .await?;
    Ok((AuditPageBody::from(page), revision))
}

// ---------------------------------------------------------------------------------------------
// As-of state and differences

/// One top-level field of an entity's state, as text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldBody {
    /// The field's name.
    pub field: String,
    /// Its value, in the domain's own notation (personal text shows as redacted).
    pub value: String,
}

/// An entity as it stood at a bound.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntityStateBody {
    /// Its kind.
    pub kind: &'static str,
    /// Its id.
    pub id: Uuid,
    /// Whether it existed by then (had any event).
    pub exists: bool,
    /// The revision of the last event folded in (absent if it did not exist yet).
    pub revision: Option<u64>,
    /// The position of the last event folded in.
    pub position: Option<String>,
    /// How many events were folded in.
    pub event_count: usize,
    /// The state's top-level fields, in declaration order.
    pub fields: Vec<FieldBody>,
}

fn state_body(state: &EntityState) -> EntityStateBody {
    let revision = state.event_count.checked_sub(1).map(|r| r as u64);
    EntityStateBody {
        kind: state.kind.as_str(),
        id: state.id,
        exists: state.event_count > 0,
        revision,
        position: state.last_position.map(|p| Cursor(p).to_string()),
        event_count: state.event_count,
        fields: state.state.fields().into_iter().map(|(field, value)| FieldBody { field, value }).collect(),
    }
}

/// What `GET /api/v1/state/{kind}/{id}` answers; the web's as-of page reads it too.
pub async fn entity_state_body(
    state: &AppState,
    principal: Principal,
    kind: &str,
    id: &str,
    raw: Option<&str>,
) -> Result<EntityStateBody, AppError> {
    let (kind, id) = entity_path(kind, id)?;
    authorize(&principal, Action::ReadAudit, &own_municipality(&principal)).map_err(AppError::denied)?;
    let mut bound = NOW;
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "as_of" => bound = bound_parameter("as_of", &value)?,
            other => return Err(AppError::bad_request(format!("{}: unknown parameter; use as_of", printable(other)))),
        }
    }
    let entity = on_views(state, move |reader| {
        authorize_entity(reader, &principal, Action::ReadAudit, kind, id)?;
        reader.entity_state(kind, id, bound).map_err(views_error)
    })
    .await?;
    Ok(state_body(&entity))
}

/// A field that differs between two bounds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldChangeBody {
    /// The field's name.
    pub field: String,
    /// Its value at `from` (absent if it had none).
    pub before: Option<String>,
    /// Its value at `to` (absent if it has none).
    pub after: Option<String>,
}

/// What changed in an entity between two bounds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntityDiffBody {
    /// Its kind.
    pub kind: &'static str,
    /// Its id.
    pub id: Uuid,
    /// The revision it stood at `from` (absent if it did not exist yet).
    pub from_revision: Option<u64>,
    /// The revision it stood at `to`.
    pub to_revision: Option<u64>,
    /// The fields that changed, in declaration order.
    pub changes: Vec<FieldChangeBody>,
    /// The events in between, oldest first (at most 200; the audit trail has them all).
    pub events: Vec<AuditEventBody>,
    /// Whether more events lie in between than `events` lists.
    pub more_events: bool,
}

// ---------------------------------------------------------------------------------------------
// The situational picture's difference

/// One picture row as of one day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowStateBody {
    /// The newest campaign's point (its figure may be withheld).
    pub newest: Option<TrendPointBody>,
    /// The latest shown figure's point.
    pub latest: Option<TrendPointBody>,
    /// The target in force.
    pub target: Option<TargetBody>,
}

/// What changed in one row (subject, framework, granularity, dimension).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowDiffBody {
    /// Whom it describes.
    pub subject: SubjectBody,
    /// The unit's name (Finnish), for a unit.
    pub unit_name: Option<String>,
    /// The framework.
    pub framework: Uuid,
    /// `overall`, `dimension` or `competence`.
    pub granularity: String,
    /// The dimension or competence code.
    pub dimension: String,
    /// `new`, `removed` or `changed`.
    pub change: &'static str,
    /// The row at `from` (absent if new).
    pub before: Option<RowStateBody>,
    /// The row at `to` (absent if removed).
    pub after: Option<RowStateBody>,
    /// The latest shown level at `to` minus that at `from`, when both are shown; never from a
    /// withheld figure.
    pub level_change: Option<f64>,
}

/// What changed in a municipality's situational picture between two days.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PictureDiffBody {
    /// The municipality.
    pub municipality: Uuid,
    /// The earlier day.
    pub from: NaiveDate,
    /// The later day.
    pub to: NaiveDate,
    /// The rows that differ; unchanged rows are left out.
    pub rows: Vec<RowDiffBody>,
}

fn row_state_body(row: kirjuri_views::RowState) -> RowStateBody {
    RowStateBody {
        newest: row.newest.map(point_body),
        latest: row.latest.map(point_body),
        target: row.target.map(|t| TargetBody { level: t.level, due: t.due, set_on: t.set_on }),
    }
}

impl From<kirjuri_views::PictureDiff> for PictureDiffBody {
    fn from(diff: kirjuri_views::PictureDiff) -> Self {
        use kirjuri_views::{PictureSubject, RowChange};
        let rows = diff
            .rows
            .into_iter()
            .map(|row| RowDiffBody {
                subject: match row.subject {
                    PictureSubject::Municipality(m) => SubjectBody { kind: "municipality", id: m.0 },
                    PictureSubject::Unit(u) => SubjectBody { kind: "unit", id: u.0 },
                },
                unit_name: row.unit_name,
                framework: row.framework.0,
                granularity: row.granularity,
                dimension: row.dimension,
                change: match row.change {
                    RowChange::New => "new",
                    RowChange::Removed => "removed",
                    RowChange::Changed => "changed",
                },
                before: row.before.map(row_state_body),
                after: row.after.map(row_state_body),
                level_change: row.level_change,
            })
            .collect();
        Self { municipality: diff.municipality.0, from: diff.from, to: diff.to, rows }
    }
}

// ---------------------------------------------------------------------------------------------
// The evidence graph

/// The kinds of record the evidence graph holds.
pub const GRAPH_KINDS: [&str; 7] =
    ["practice", "experiment", "lesson", "observation", "campaign", "engagement", "communication"];

/// A record reached through the graph, with its distance.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReachBody {
    /// The record, `<kind>:<id>`.
    pub node: String,
    /// The fewest edges from the start.
    pub depth: u32,
}

/// The evidence graph around one record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GraphBody {
    /// The record, `<kind>:<id>`.
    pub node: String,
    /// `cites` (what it rests on) or `cited_by` (what rests on it).
    pub direction: &'static str,
    /// Whether `reached` follows the evidence relations all the way.
    pub transitive: bool,
    /// Direct edges (without `transitive`): only those whose other end the caller may read.
    pub edges: Vec<EdgeBody>,
    /// Records reached transitively (with `transitive`), nearest first: only those the caller may read.
    pub reached: Vec<ReachBody>,
}

/// The entity whose stream holds a graph node.
fn node_entity(node: &GraphNode) -> (EntityKind, Uuid) {
    match node {
        GraphNode::Practice(p) => (EntityKind::Practice, p.0),
        GraphNode::Experiment(x) | GraphNode::Outcome(x, _) => (EntityKind::Experiment, x.0),
        GraphNode::Lesson(l) => (EntityKind::Lesson, l.0),
        GraphNode::Observation(o) => (EntityKind::Observation, o.0),
        GraphNode::Campaign(c) => (EntityKind::Campaign, c.0),
        GraphNode::Engagement(g) => (EntityKind::Engagement, g.0),
        GraphNode::Communication(c) => (EntityKind::Communication, c.0),
    }
}

/// Decides, once per entity, whether the caller may read a node: its municipality's, one
/// belonging to none, or a practice shared with the caller's municipality.
struct Visibility<'a> {
    reader: &'a ViewsReader,
    principal: &'a Principal,
    known: HashMap<(EntityKind, Uuid), bool>,
}

impl Visibility<'_> {
    /// `None` if the node's record has no events at all.
    fn check(&mut self, node: &GraphNode) -> Result<Option<bool>, ViewsError> {
        let key = node_entity(node);
        if let Some(known) = self.known.get(&key) {
            return Ok(Some(*known));
        }
        let Some(owner) = entity_owner(self.reader, key.0, key.1)? else {
            return Ok(None);
        };
        let mut resource = owner.map(Resource::of).unwrap_or_default();
        if let GraphNode::Practice(practice) = node
            && owner.is_some_and(|o| o != self.principal.municipality)
            && let Some(history) = self.reader.practice_history(*practice)?
        {
            resource = crate::resources::practice(&history);
        }
        let visible = authorize(self.principal, Action::Read, &resource).is_ok();
        self.known.insert(key, visible);
        Ok(Some(visible))
    }

    fn visible(&mut self, node: &GraphNode) -> Result<bool, ViewsError> {
        Ok(self.check(node)?.unwrap_or(false))
    }
}

/// What `GET /api/v1/timeline` answers: a page of the caller's municipality's timeline; the
/// web's timeline page reads it too.
pub async fn timeline_page(
    state: &AppState,
    principal: Principal,
    raw: Option<&str>,
) -> Result<AuditPageBody, AppError> {
    authorize(&principal, Action::ReadAudit, &own_municipality(&principal)).map_err(AppError::denied)?;
    let (mut filter, paging) = audit_query(raw, Scope::Timeline)?;
    filter.municipality = Some(principal.municipality.to_string());
    hide_unreadable(&principal, &mut filter);
    let page = on_views(state, move |reader| read_page(reader, &filter, paging).map_err(views_error)).await?;
    Ok(page.into())
}

/// What `GET /api/v1/diff/{kind}/{id}` answers: what changed in an entity between two bounds;
/// the web's difference page reads it too.
pub async fn entity_diff_body(
    state: &AppState,
    principal: Principal,
    kind: &str,
    id: &str,
    raw: Option<&str>,
) -> Result<EntityDiffBody, AppError> {
    let (kind, id) = entity_path(kind, id)?;
    authorize(&principal, Action::ReadAudit, &own_municipality(&principal)).map_err(AppError::denied)?;
    let (mut from, mut to) = (None, NOW);
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "from" => from = Some(bound_parameter("from", &value)?),
            "to" => to = bound_parameter("to", &value)?,
            other => {
                return Err(AppError::bad_request(format!("{}: unknown parameter; use from and to", printable(other))));
            }
        }
    }
    let from = from.ok_or_else(|| AppError::bad_request("from: required (a moment or a position)"))?;
    match (from, to) {
        (AsOf::Moment(a), AsOf::Moment(b)) if a > b => {
            return Err(AppError::bad_request(format!("from: {a} is after `to` ({b})")));
        }
        (AsOf::Position(a), AsOf::Position(b)) if a > b => {
            return Err(AppError::bad_request("from: the position is after `to`'s"));
        }
        _ => {}
    }
    let (diff, principal) = on_views(state, move |reader| {
        authorize_entity(reader, &principal, Action::ReadAudit, kind, id)?;
        Ok((reader.entity_diff(kind, id, from, to).map_err(views_error)?, principal))
    })
    .await?;
    let between: Vec<AuditRow> = diff.events_between.into_iter().filter(|row| may_see(&principal, row)).collect();
    let more_events = between.len() > MAX_DIFF_EVENTS;
    Ok(EntityDiffBody {
        kind: kind.as_str(),
        id,
        from_revision: state_body(&diff.before).revision,
        to_revision: state_body(&diff.after).revision,
        changes: diff
            .changes
            .into_iter()
            .map(|c| FieldChangeBody { field: c.field, before: c.before, after: c.after })
            .collect(),
        events: between.into_iter().take(MAX_DIFF_EVENTS).map(event_body).collect(),
        more_events,
    })
}

/// What both graph routes answer for `node`.
pub async fn graph_around(
    state: &AppState,
    principal: Principal,
    node: GraphNode,
    raw: Option<&str>,
) -> Result<GraphBody, AppError> {
    authorize(&principal, Action::Read, &own_municipality(&principal)).map_err(AppError::denied)?;
    let (mut cites, mut transitive) = (true, false);
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "direction" => {
                cites = match value.trim() {
                    "cites" => true,
                    "cited_by" => false,
                    _ => return Err(AppError::bad_request("direction: must be cites or cited_by")),
                };
            }
            "transitive" => {
                transitive = match value.trim() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(AppError::bad_request("transitive: must be true or false")),
                };
            }
            other => {
                return Err(AppError::bad_request(format!(
                    "{}: unknown parameter; use direction or transitive",
                    printable(other)
                )));
            }
        }
    }
    let kind = node.key().0;
    on_views(state, move |reader| {
        let mut visibility = Visibility { reader, principal: &principal, known: HashMap::new() };
        if visibility.check(&node).map_err(views_error)? != Some(true) {
            return Err(AppError::new(ErrorCode::NotFound, format!("no such {kind}")));
        }
        let mut body = GraphBody {
            node: node.to_string(),
            direction: if cites { "cites" } else { "cited_by" },
            transitive,
            edges: Vec::new(),
            reached: Vec::new(),
        };
        if transitive {
            let reached = if cites { reader.cites_transitively(&node) } else { reader.cited_by_transitively(&node) }
                .map_err(views_error)?;
            for reach in reached {
                if visibility.visible(&reach.node).map_err(views_error)? {
                    body.reached.push(ReachBody { node: reach.node.to_string(), depth: reach.depth });
                }
            }
        } else {
            let edges = if cites { reader.cites(&node) } else { reader.cited_by(&node) }.map_err(views_error)?;
            for edge in edges {
                let other = if cites { &edge.to } else { &edge.from };
                if visibility.visible(other).map_err(views_error)? {
                    body.edges.push(edge_body(edge));
                }
            }
        }
        Ok(body)
    })
    .await
}

/// What `GET /api/v1/correlations/{correlation}` answers: the events one user action (command)
/// appended, across streams, paged oldest first; a 404 when none of the caller's carry it.
pub async fn correlation_page(
    state: &AppState,
    principal: Principal,
    correlation: &str,
    raw: Option<&str>,
) -> Result<AuditPageBody, AppError> {
    let correlation = uuid_parameter("correlation", correlation)?;
    authorize(&principal, Action::ReadAudit, &own_municipality(&principal)).map_err(AppError::denied)?;
    let (mut filter, paging) = audit_query(raw, Scope::Fixed)?;
    filter.correlation = Some(correlation);
    filter.municipality = Some(principal.municipality.to_string());
    hide_unreadable(&principal, &mut filter);
    let first_page = paging.after.is_none() && paging.before.is_none();
    let page = on_views(state, move |reader| read_page(reader, &filter, paging).map_err(views_error)).await?;
    if first_page && page.rows.is_empty() {
        return Err(AppError::new(ErrorCode::NotFound, "no events of your municipality carry this correlation"));
    }
    Ok(page.into())
}

/// What `GET /api/v1/municipalities/{municipality}/picture/diff` answers: what changed in the
/// situational picture between two days; groups under a campaign's minimum size stay withheld.
pub async fn picture_diff_body(
    state: &AppState,
    principal: Principal,
    municipality: &str,
    raw: Option<&str>,
) -> Result<PictureDiffBody, AppError> {
    let municipality = MunicipalityId(uuid_parameter("municipality", municipality)?);
    authorize(&principal, Action::ReadAudit, &Resource::of(municipality)).map_err(AppError::denied)?;
    let mut query = kirjuri_views::PictureQuery::of(municipality);
    let (mut from, mut to) = (None, None);
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "from" => from = Some(date_parameter("from", &value)?),
            "to" => to = Some(date_parameter("to", &value)?),
            "unit" => query.unit = Some(UnitId(uuid_parameter("unit", &value)?)),
            "framework" => query.framework = Some(FrameworkId(uuid_parameter("framework", &value)?)),
            other => {
                return Err(AppError::bad_request(format!(
                    "{}: unknown parameter; use from, to, unit or framework",
                    printable(other)
                )));
            }
        }
    }
    let from = from.ok_or_else(|| AppError::bad_request("from: required (a date like 2025-03-31)"))?;
    let to = to.ok_or_else(|| AppError::bad_request("to: required (a date like 2025-03-31)"))?;
    if from > to {
        return Err(AppError::bad_request(format!("from: {from} is after `to` ({to})")));
    }
    let diff =
        on_views(state, move |reader| reader.situational_picture_diff(&query, from, to).map_err(views_error)).await?;
    Ok(diff.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_groups_become_exclusions_of_the_filter() {
        let mut filter = AuditFilter::default();
        hide(&mut filter, &[HiddenEvents::Category("accesslog"), HiddenEvents::EventType("PersonalTextRead")]);
        assert_eq!(filter.exclude_categories, ["accesslog"]);
        assert_eq!(filter.exclude_event_types, ["PersonalTextRead"]);
    }

    #[test]
    fn audit_parameters_are_read_and_a_bad_one_is_named() {
        let (filter, paging) = audit_query(
            Some("kind=practice&entity=6f1b7a52-4c9e-4a7e-9b53-08f6d2b4a001&event_type=PracticeDecided&event_type=PracticeSubmitted&from=2025-01-01&limit=5&after=3.3"),
            Scope::Timeline,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(filter.entity_kind, Some(EntityKind::Practice));
        assert_eq!(filter.event_types.len(), 2);
        assert_eq!(paging.limit, 5);
        assert_eq!(paging.after.map(|c| c.to_string()), Some("3.3".to_owned()));
        for (query, named) in [
            ("limit=0", "limit"),
            ("limit=201", "limit"),
            ("after=x", "after"),
            ("before=1", "before"),
            ("after=1.1&before=2.2", "before"),
            ("start=middle", "start"),
            ("start=newest&after=1.1", "start"),
            ("kind=widget", "kind"),
            ("entity=6f1b7a52-4c9e-4a7e-9b53-08f6d2b4a001", "entity"),
            ("from=2025-13-01", "from"),
            ("from=2025-02-01&to=2025-01-01", "from"),
            ("event_type=%24all", "event_type"),
            ("actor=", "actor"),
            ("municipality=x", "municipality"),
            ("colour=red", "colour"),
        ] {
            let error = audit_query(Some(query), Scope::Timeline).expect_err(query);
            assert_eq!(error.code(), ErrorCode::BadRequest, "{query}");
            assert!(error.detail().starts_with(named), "{query}: {}", error.detail());
        }
        let fixed = audit_query(Some("kind=practice"), Scope::Fixed).expect_err("the path fixes the entity");
        assert!(fixed.detail().starts_with("kind"), "{}", fixed.detail());
    }

    #[test]
    fn a_bound_is_a_moment_or_a_position() {
        assert!(matches!(bound_parameter("as_of", "2025-03-31"), Ok(AsOf::Moment(_))));
        assert!(matches!(bound_parameter("as_of", "2025-03-31T12:00:00Z"), Ok(AsOf::Moment(_))));
        assert!(matches!(bound_parameter("as_of", "12.12"), Ok(AsOf::Position(p)) if p.commit == 12));
        for bad in ["yesterday", "1.2.3", "", "99999999999999999999.1"] {
            let error = bound_parameter("as_of", bad).expect_err(bad);
            assert!(error.detail().starts_with("as_of"), "{bad}: {}", error.detail());
        }
    }
}

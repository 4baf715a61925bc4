//! Lists of a municipality's experiments, lessons, best practices, bodies and related
//! municipalities, filtered and in pages, and single experiments, lessons and municipalities
//! with their stream revision (for ETags).
//!
//! Every list runs newest first in creation order: `seq` is the audit row of the event that
//! created the record, which never changes, so a page's cursor ([`ListCursor`]) stays valid
//! while records are added or change state; a record created after the first page was read
//! appears on no later page (it sorts before them). A rebuild assigns the same `seq` to the
//! same record (it replays the same `$all`), so cursors survive it too.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use kirjuri_events::domain::Vocabulary;
use kirjuri_events::domain::experiment::ExperimentPhase;
use kirjuri_events::domain::lesson::LessonPhase;
use kirjuri_events::domain::organisation::BodyKind;
use kirjuri_events::domain::practice::PracticePhase;
use kirjuri_events::domain::{BodyId, ExperimentId, LessonId, MunicipalityId, PracticeId, UnitId};
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use crate::audit::{conversion, optional_uuid_at, uuid_at};
use crate::id;
use crate::{ViewsError, ViewsReader, from_sql_u64, sql};

/// The most items one page may hold.
pub const MAX_LIST_LIMIT: usize = 100;
/// Items per page when none is asked for.
pub const DEFAULT_LIST_LIMIT: usize = 20;

/// Reads a status of vocabulary `V` (an experiment's, a lesson's or a practice's); the error
/// names `field` and the allowed values.
pub fn parse_status<V: Vocabulary>(field: &'static str, text: &str) -> Result<V, ViewsError> {
    V::parse(text.trim()).ok_or_else(|| ViewsError::InvalidInput {
        field,
        reason: format!("`{}` is not one of {}", text.chars().take(64).collect::<String>(), V::listed()),
    })
}

/// The status of vocabulary `V` stored in column `index`.
fn status_at<V: Vocabulary>(row: &Row<'_>, index: usize) -> rusqlite::Result<V> {
    let text: String = row.get(index)?;
    V::parse(&text).ok_or_else(|| conversion(index, format!("`{text}` is not one of {}", V::listed())))
}

/// Reads a body kind (`council`, `city_board`, `committee`, `management_team`, `steering_group`).
pub fn parse_body_kind(field: &'static str, text: &str) -> Result<BodyKind, ViewsError> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned())).map_err(|_| ViewsError::InvalidInput {
        field,
        reason: format!(
            "`{}` is not one of council, city_board, committee, management_team, steering_group",
            text.chars().take(64).collect::<String>()
        ),
    })
}

/// Where a page starts: after the last item of the previous page (opaque to callers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListCursor(i64);

impl ListCursor {
    /// Reads a cursor handed out by a page; anything else is [`ViewsError::MalformedCursor`].
    pub fn parse(text: &str) -> Result<Self, ViewsError> {
        let malformed = || ViewsError::MalformedCursor(text.chars().take(64).collect());
        if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        text.parse::<i64>().ok().filter(|n| *n > 0).map(Self).ok_or_else(malformed)
    }
}

impl fmt::Display for ListCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListRequest {
    /// After this item (`None`: the first page).
    pub after: Option<ListCursor>,
    /// At most this many items (1 to [`MAX_LIST_LIMIT`]).
    pub limit: usize,
}

impl Default for ListRequest {
    fn default() -> Self {
        Self { after: None, limit: DEFAULT_LIST_LIMIT }
    }
}

impl ListRequest {
    /// The first page of `limit` items.
    pub fn first(limit: usize) -> Self {
        Self { after: None, limit }
    }

    fn check(&self) -> Result<(), ViewsError> {
        if self.limit == 0 || self.limit > MAX_LIST_LIMIT {
            return Err(ViewsError::InvalidInput {
                field: "limit",
                reason: format!("must be between 1 and {MAX_LIST_LIMIT}"),
            });
        }
        Ok(())
    }

    /// The keyset bound: items with a smaller `seq` than this.
    fn before(&self) -> i64 {
        self.after.map_or(i64::MAX, |cursor| cursor.0)
    }

    /// One more than the page, to know whether another follows.
    fn fetch(&self) -> i64 {
        i64::try_from(self.limit).unwrap_or(0).saturating_add(1)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// The cursor of the next page, if there is one.
    pub next: Option<ListCursor>,
}

/// A record with the revision of its stream as the read model last saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    /// The record.
    pub item: T,
    /// Its stream's revision (the last event the views applied to it).
    pub revision: u64,
}

fn check_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), ViewsError> {
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(ViewsError::InvalidInput { field: "to", reason: "must not be before `from`".into() });
    }
    Ok(())
}

fn date_at(row: &Row<'_>, index: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(index)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|e| conversion(index, e.to_string()))
}

fn optional_date_at(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(index)?;
    text.map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|e| conversion(index, e.to_string()))).transpose()
}

fn json_at<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion(index, e.to_string()))
}

fn day(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// Splits `limit + 1` fetched `(seq, item)` pairs into a page and the next cursor.
fn page<T>(mut rows: Vec<(i64, T)>, request: ListRequest) -> Listed<T> {
    let next = if rows.len() > request.limit {
        rows.truncate(request.limit);
        rows.last().map(|(seq, _)| ListCursor(*seq))
    } else {
        None
    };
    Listed { items: rows.into_iter().map(|(_, item)| item).collect(), next }
}

/// Which experiments a list shows; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExperimentFilter {
    /// Only this status.
    pub status: Option<ExperimentPhase>,
    /// Only experiments this unit takes part in.
    pub unit: Option<UnitId>,
    /// Proposed on or after.
    pub from: Option<NaiveDate>,
    /// Proposed on or before.
    pub to: Option<NaiveDate>,
}

/// An experiment as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentRow {
    /// The experiment.
    pub experiment: ExperimentId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name in Finnish.
    pub title_fi: String,
    /// Its name in English, if given.
    pub title_en: Option<String>,
    /// Where it stands.
    pub status: ExperimentPhase,
    /// How it ended (`completed`, `stopped`, `pivoted`), once concluded.
    pub end_state: Option<String>,
    /// The units taking part.
    pub units: Vec<UnitId>,
    /// When it was proposed.
    pub proposed_on: NaiveDate,
    /// The body whose decision approved it.
    pub approved_by: Option<BodyId>,
    /// The date of that decision's meeting.
    pub approved_on: Option<NaiveDate>,
    /// Its first day, once approved.
    pub starts: Option<NaiveDate>,
    /// Its last planned day, once approved.
    pub ends: Option<NaiveDate>,
    /// When it ended.
    pub concluded_on: Option<NaiveDate>,
}

const EXPERIMENT_COLUMNS: &str = "e.seq, e.experiment, e.municipality, e.title_fi, e.title_en, e.status, e.end_state,
    (SELECT json_group_array(u.unit) FROM experiment_units u WHERE u.experiment = e.experiment),
    e.proposed_on, e.approved_by, e.approved_on, e.starts, e.ends, e.concluded_on";

fn experiment_row(row: &Row<'_>) -> rusqlite::Result<(i64, ExperimentRow)> {
    let units: Vec<Uuid> = json_at(row, 7)?;
    Ok((
        row.get(0)?,
        ExperimentRow {
            experiment: ExperimentId(uuid_at(row, 1)?),
            municipality: MunicipalityId(uuid_at(row, 2)?),
            title_fi: row.get(3)?,
            title_en: row.get(4)?,
            status: status_at(row, 5)?,
            end_state: row.get(6)?,
            units: units.into_iter().map(UnitId).collect(),
            proposed_on: date_at(row, 8)?,
            approved_by: optional_uuid_at(row, 9)?.map(BodyId),
            approved_on: optional_date_at(row, 10)?,
            starts: optional_date_at(row, 11)?,
            ends: optional_date_at(row, 12)?,
            concluded_on: optional_date_at(row, 13)?,
        },
    ))
}

/// Which lessons a list shows; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonFilter {
    /// Only this status.
    pub status: Option<LessonPhase>,
    /// Only lessons from this experiment.
    pub experiment: Option<ExperimentId>,
    /// Only lessons concerning this unit.
    pub unit: Option<UnitId>,
    /// Only lessons with this tag.
    pub tag: Option<String>,
    /// Recorded on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Recorded on or before this day (UTC).
    pub to: Option<NaiveDate>,
}

/// A lesson as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonRow {
    /// The lesson.
    pub lesson: LessonId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its title in Finnish.
    pub title_fi: String,
    /// Its title in English, if given.
    pub title_en: Option<String>,
    /// The unit it concerns most, if one.
    pub unit: Option<UnitId>,
    /// The experiment it comes from, if any.
    pub experiment: Option<ExperimentId>,
    /// Where it stands.
    pub status: LessonPhase,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

const LESSON_COLUMNS: &str =
    "l.seq, l.lesson, l.municipality, l.title_fi, l.title_en, l.unit, l.experiment, l.status, l.tags, l.recorded_at";

fn lesson_row(row: &Row<'_>) -> rusqlite::Result<(i64, LessonRow)> {
    let micros: i64 = row.get(9)?;
    Ok((
        row.get(0)?,
        LessonRow {
            lesson: LessonId(uuid_at(row, 1)?),
            municipality: MunicipalityId(uuid_at(row, 2)?),
            title_fi: row.get(3)?,
            title_en: row.get(4)?,
            unit: optional_uuid_at(row, 5)?.map(UnitId),
            experiment: optional_uuid_at(row, 6)?.map(ExperimentId),
            status: status_at(row, 7)?,
            tags: json_at(row, 8)?,
            recorded_at: DateTime::from_timestamp_micros(micros).ok_or_else(|| conversion(9, "time out of range"))?,
        },
    ))
}

/// The first microsecond of `date` (UTC).
fn start_micros(date: NaiveDate) -> i64 {
    date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_micros()
}

/// Which practices a list shows; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PracticeFilter {
    /// Only this status.
    pub status: Option<PracticePhase>,
    /// Only practices this body decided on (with `from`/`to`: in that period).
    pub body: Option<BodyId>,
    /// Only practices with a decision at a meeting on or after this day.
    pub from: Option<NaiveDate>,
    /// Only practices with a decision at a meeting on or before this day.
    pub to: Option<NaiveDate>,
    /// Only practices with this tag.
    pub tag: Option<String>,
}

/// The latest decision on a practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestDecision {
    /// The body that decided.
    pub body: BodyId,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// The resolution (`passed`, `rejected`, …).
    pub resolution: String,
}

/// A best practice as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRow {
    /// The practice.
    pub practice: PracticeId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Another municipality's practice shared with the one asking.
    pub shared: bool,
    /// Its title in Finnish.
    pub title_fi: String,
    /// Its title in English, if given.
    pub title_en: Option<String>,
    /// Its current version.
    pub version: u32,
    /// Where it stands.
    pub status: PracticePhase,
    /// Implementation progress, percent.
    pub progress: u8,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was drafted.
    pub drafted_at: DateTime<Utc>,
    /// The latest decision on it, if any.
    pub latest_decision: Option<LatestDecision>,
}

fn practice_row(row: &Row<'_>) -> rusqlite::Result<(i64, PracticeRow)> {
    let micros: i64 = row.get(10)?;
    let latest_decision =
        match (optional_uuid_at(row, 11)?, optional_date_at(row, 12)?, row.get::<_, Option<String>>(13)?) {
            (Some(body), Some(meeting_date), Some(resolution)) => {
                Some(LatestDecision { body: BodyId(body), meeting_date, resolution })
            }
            _ => None,
        };
    Ok((
        row.get(0)?,
        PracticeRow {
            practice: PracticeId(uuid_at(row, 1)?),
            municipality: MunicipalityId(uuid_at(row, 2)?),
            shared: row.get(3)?,
            title_fi: row.get(4)?,
            title_en: row.get(5)?,
            version: row.get(6)?,
            status: status_at(row, 7)?,
            progress: row.get(8)?,
            tags: json_at(row, 9)?,
            drafted_at: DateTime::from_timestamp_micros(micros).ok_or_else(|| conversion(10, "time out of range"))?,
            latest_decision,
        },
    ))
}

/// A decision-making body as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRow {
    /// The body.
    pub body: BodyId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name in Finnish.
    pub name_fi: String,
    /// Its name in English, if given.
    pub name_en: Option<String>,
    /// `council`, `city_board`, `committee`, `management_team` or `steering_group`.
    pub kind: String,
    /// The body it reports to, if any.
    pub parent: Option<BodyId>,
    /// When it was founded.
    pub founded: NaiveDate,
}

/// How a listed municipality relates to the one asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MunicipalityRelation {
    /// The asking municipality itself.
    Own,
    /// A member of the partner network the asking municipality hosts.
    Partner,
    /// The host of a partner network the asking municipality is a member of.
    Host,
}

impl MunicipalityRelation {
    /// `own`, `partner` or `host`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Partner => "partner",
            Self::Host => "host",
        }
    }
}

/// A municipality as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityRow {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// Its official code, e.g. `297`.
    pub code: String,
    /// Its name in Finnish.
    pub name_fi: String,
    /// Its name in English, if given.
    pub name_en: Option<String>,
}

/// A municipality with the partner networks it currently belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityDetail {
    /// The municipality.
    pub row: MunicipalityRow,
    /// Members of the network it hosts (not those who left).
    pub partners: Vec<MunicipalityId>,
    /// Hosts of the networks it is a member of (not those it left).
    pub hosts: Vec<MunicipalityId>,
}

fn municipality_row(row: &Row<'_>) -> rusqlite::Result<MunicipalityRow> {
    Ok(MunicipalityRow {
        municipality: MunicipalityId(uuid_at(row, 0)?),
        code: row.get(1)?,
        name_fi: row.get(2)?,
        name_en: row.get(3)?,
    })
}

impl ViewsReader {
    /// The revision of an entity's stream as far as the views have applied it (its last
    /// audited event's), `None` if they have none of it: an ETag that matches what they show.
    pub fn stream_revision(&self, kind: crate::EntityKind, entity: Uuid) -> Result<Option<u64>, ViewsError> {
        self.revision(kind.as_str(), entity)
    }

    /// The revision of `kind-id` as far as the views have applied it: its last audited event's.
    fn revision(&self, kind: &str, entity: Uuid) -> Result<Option<u64>, ViewsError> {
        self.connection
            .prepare_cached(
                "SELECT revision FROM audit WHERE entity_kind = ?1 AND entity_id = ?2
                 ORDER BY pos_commit DESC, pos_prepare DESC LIMIT 1",
            )
            .and_then(|mut statement| statement.query_row(params![kind, id(entity)], |row| row.get(0)).optional())
            .map(|revision: Option<i64>| revision.map(from_sql_u64))
            .map_err(sql("reading an entity's revision"))
    }

    fn versioned<T>(&self, kind: &str, entity: Uuid, item: Option<T>) -> Result<Option<Versioned<T>>, ViewsError> {
        let Some(item) = item else { return Ok(None) };
        let revision = self.revision(kind, entity)?.ok_or_else(|| {
            ViewsError::Corrupt(format!("{kind} {entity} is in a list but has no event in the audit trail"))
        })?;
        Ok(Some(Versioned { item, revision }))
    }

    /// `municipality`'s experiments, newest first.
    pub fn experiments(
        &self,
        municipality: MunicipalityId,
        filter: &ExperimentFilter,
        request: ListRequest,
    ) -> Result<Listed<ExperimentRow>, ViewsError> {
        request.check()?;
        check_range(filter.from, filter.to)?;
        let sql_text = format!(
            "SELECT {EXPERIMENT_COLUMNS} FROM experiments e
             WHERE e.municipality = ?1 AND e.seq < ?2
               AND (?3 IS NULL OR e.status = ?3)
               AND (?4 IS NULL OR EXISTS (SELECT 1 FROM experiment_units u WHERE u.experiment = e.experiment AND u.unit = ?4))
               AND (?5 IS NULL OR e.proposed_on >= ?5)
               AND (?6 IS NULL OR e.proposed_on <= ?6)
             ORDER BY e.seq DESC LIMIT ?7"
        );
        let rows = self
            .connection
            .prepare_cached(&sql_text)
            .and_then(|mut statement| {
                statement
                    .query_map(
                        params![
                            id(municipality.0),
                            request.before(),
                            filter.status.map(Vocabulary::as_str),
                            filter.unit.map(|u| id(u.0)),
                            day(filter.from),
                            day(filter.to),
                            request.fetch()
                        ],
                        experiment_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("listing experiments"))?;
        Ok(page(rows, request))
    }

    /// One experiment with its revision, whichever municipality's it is (the caller checks).
    pub fn experiment(&self, experiment: ExperimentId) -> Result<Option<Versioned<ExperimentRow>>, ViewsError> {
        let row = self
            .connection
            .prepare_cached(&format!("SELECT {EXPERIMENT_COLUMNS} FROM experiments e WHERE e.experiment = ?1"))
            .and_then(|mut statement| statement.query_row([id(experiment.0)], experiment_row).optional())
            .map_err(sql("reading an experiment"))?;
        self.versioned("experiment", experiment.0, row.map(|(_, row)| row))
    }

    /// `municipality`'s lessons, newest first.
    pub fn lessons(
        &self,
        municipality: MunicipalityId,
        filter: &LessonFilter,
        request: ListRequest,
    ) -> Result<Listed<LessonRow>, ViewsError> {
        request.check()?;
        check_range(filter.from, filter.to)?;
        let sql_text = format!(
            "SELECT {LESSON_COLUMNS} FROM lessons l
             WHERE l.municipality = ?1 AND l.seq < ?2
               AND (?3 IS NULL OR l.status = ?3)
               AND (?4 IS NULL OR l.experiment = ?4)
               AND (?5 IS NULL OR l.unit = ?5)
               AND (?6 IS NULL OR EXISTS (SELECT 1 FROM lesson_tags t WHERE t.lesson = l.lesson AND t.tag = ?6))
               AND (?7 IS NULL OR l.recorded_at >= ?7)
               AND (?8 IS NULL OR l.recorded_at < ?8)
             ORDER BY l.seq DESC LIMIT ?9"
        );
        let rows = self
            .connection
            .prepare_cached(&sql_text)
            .and_then(|mut statement| {
                statement
                    .query_map(
                        params![
                            id(municipality.0),
                            request.before(),
                            filter.status.map(Vocabulary::as_str),
                            filter.experiment.map(|x| id(x.0)),
                            filter.unit.map(|u| id(u.0)),
                            filter.tag,
                            filter.from.map(start_micros),
                            filter.to.and_then(|to| to.succ_opt()).map(start_micros),
                            request.fetch()
                        ],
                        lesson_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("listing lessons"))?;
        Ok(page(rows, request))
    }

    /// One lesson with its revision, whichever municipality's it is (the caller checks).
    pub fn lesson(&self, lesson: LessonId) -> Result<Option<Versioned<LessonRow>>, ViewsError> {
        let row = self
            .connection
            .prepare_cached(&format!("SELECT {LESSON_COLUMNS} FROM lessons l WHERE l.lesson = ?1"))
            .and_then(|mut statement| statement.query_row([id(lesson.0)], lesson_row).optional())
            .map_err(sql("reading a lesson"))?;
        self.versioned("lesson", lesson.0, row.map(|(_, row)| row))
    }

    /// `municipality`'s practices and those other municipalities shared with it (marked
    /// [`PracticeRow::shared`]), newest first.
    pub fn practices(
        &self,
        municipality: MunicipalityId,
        filter: &PracticeFilter,
        request: ListRequest,
    ) -> Result<Listed<PracticeRow>, ViewsError> {
        request.check()?;
        check_range(filter.from, filter.to)?;
        let decided = filter.body.is_some() || filter.from.is_some() || filter.to.is_some();
        let rows = self
            .connection
            .prepare_cached(
                "SELECT p.seq, p.practice, p.municipality, p.municipality <> ?1, p.title_fi, p.title_en, p.version,
                        p.status, p.progress, p.tags, p.drafted_at, p.decided_by, p.decided_on, p.resolution
                 FROM practices p
                 WHERE p.seq < ?2
                   AND (p.municipality = ?1
                        OR p.practice IN (SELECT s.practice FROM practice_sharing s WHERE s.partner = ?1))
                   AND (?3 IS NULL OR p.status = ?3)
                   AND (?4 IS NULL OR EXISTS (SELECT 1 FROM practice_tags t WHERE t.practice = p.practice AND t.tag = ?4))
                   AND (NOT ?5 OR EXISTS (
                        SELECT 1 FROM practice_decisions d
                        WHERE d.practice = p.practice
                          AND (?6 IS NULL OR d.body = ?6)
                          AND (?7 IS NULL OR d.meeting_date >= ?7)
                          AND (?8 IS NULL OR d.meeting_date <= ?8)))
                 ORDER BY p.seq DESC LIMIT ?9",
            )
            .and_then(|mut statement| {
                statement
                    .query_map(
                        params![
                            id(municipality.0),
                            request.before(),
                            filter.status.map(Vocabulary::as_str),
                            filter.tag,
                            decided,
                            filter.body.map(|b| id(b.0)),
                            day(filter.from),
                            day(filter.to),
                            request.fetch()
                        ],
                        practice_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("listing practices"))?;
        Ok(page(rows, request))
    }

    /// `municipality`'s units and their Finnish names, by name (then id): what the pages' unit
    /// filters offer and show instead of an id. From the units table, not the audit trail.
    pub fn unit_names(&self, municipality: MunicipalityId) -> Result<Vec<(UnitId, String)>, ViewsError> {
        self.connection
            .prepare_cached("SELECT unit, name_fi FROM units WHERE municipality = ?1 ORDER BY name_fi, unit")
            .and_then(|mut statement| {
                statement
                    .query_map(params![id(municipality.0)], |row| Ok((UnitId(uuid_at(row, 0)?), row.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("listing unit names"))
    }

    /// `municipality`'s decision-making bodies, newest first; `kind` narrows them.
    pub fn bodies(
        &self,
        municipality: MunicipalityId,
        kind: Option<BodyKind>,
        request: ListRequest,
    ) -> Result<Listed<BodyRow>, ViewsError> {
        request.check()?;
        let kind = kind.map(|k| crate::summary::code(&k));
        let rows = self
            .connection
            .prepare_cached(
                "SELECT seq, body, municipality, name_fi, name_en, kind, parent, founded FROM bodies
                 WHERE municipality = ?1 AND seq < ?2 AND (?3 IS NULL OR kind = ?3)
                 ORDER BY seq DESC LIMIT ?4",
            )
            .and_then(|mut statement| {
                statement
                    .query_map(params![id(municipality.0), request.before(), kind, request.fetch()], |row| {
                        Ok((
                            row.get(0)?,
                            BodyRow {
                                body: BodyId(uuid_at(row, 1)?),
                                municipality: MunicipalityId(uuid_at(row, 2)?),
                                name_fi: row.get(3)?,
                                name_en: row.get(4)?,
                                kind: row.get(5)?,
                                parent: optional_uuid_at(row, 6)?.map(BodyId),
                                founded: date_at(row, 7)?,
                            },
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("listing bodies"))?;
        Ok(page(rows, request))
    }

    /// `municipality` itself, the members of the partner network it hosts and the hosts of
    /// the networks it belongs to (current memberships only), newest registration first.
    pub fn municipalities(
        &self,
        municipality: MunicipalityId,
        request: ListRequest,
    ) -> Result<Listed<(MunicipalityRow, MunicipalityRelation)>, ViewsError> {
        request.check()?;
        let rows = self
            .connection
            .prepare_cached(
                "SELECT m.municipality, m.code, m.name_fi, m.name_en, m.seq,
                        CASE WHEN m.municipality = ?1 THEN 'own'
                             WHEN m.municipality IN (SELECT partner FROM partner_networks WHERE host = ?1 AND left_on IS NULL)
                             THEN 'partner'
                             ELSE 'host' END
                 FROM municipalities m
                 WHERE m.seq < ?2
                   AND (m.municipality = ?1
                        OR m.municipality IN (SELECT partner FROM partner_networks WHERE host = ?1 AND left_on IS NULL)
                        OR m.municipality IN (SELECT host FROM partner_networks WHERE partner = ?1 AND left_on IS NULL))
                 ORDER BY m.seq DESC LIMIT ?3",
            )
            .and_then(|mut statement| {
                statement
                    .query_map(params![id(municipality.0), request.before(), request.fetch()], |row| {
                        let relation = match row.get::<_, String>(5)?.as_str() {
                            "own" => MunicipalityRelation::Own,
                            "partner" => MunicipalityRelation::Partner,
                            _ => MunicipalityRelation::Host,
                        };
                        Ok((row.get(4)?, (municipality_row(row)?, relation)))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("listing municipalities"))?;
        Ok(page(rows, request))
    }

    /// One municipality with its current partner networks and its revision.
    pub fn municipality(
        &self,
        municipality: MunicipalityId,
    ) -> Result<Option<Versioned<MunicipalityDetail>>, ViewsError> {
        let row = self
            .connection
            .prepare_cached("SELECT municipality, code, name_fi, name_en FROM municipalities WHERE municipality = ?1")
            .and_then(|mut statement| statement.query_row([id(municipality.0)], municipality_row).optional())
            .map_err(sql("reading a municipality"))?;
        let Some(row) = row else { return Ok(None) };
        let network = |query: &str| -> Result<Vec<MunicipalityId>, ViewsError> {
            self.connection
                .prepare_cached(query)
                .and_then(|mut statement| {
                    statement
                        .query_map([id(municipality.0)], |row| uuid_at(row, 0).map(MunicipalityId))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(sql("reading partner networks"))
        };
        let partners = network(
            "SELECT partner FROM partner_networks WHERE host = ?1 AND left_on IS NULL ORDER BY joined_on, partner",
        )?;
        let hosts = network(
            "SELECT host FROM partner_networks WHERE partner = ?1 AND left_on IS NULL ORDER BY joined_on, host",
        )?;
        self.versioned("municipality", municipality.0, Some(MunicipalityDetail { row, partners, hosts }))
    }
}

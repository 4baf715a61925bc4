//! The situational picture: per municipality, unit (or the municipality as a whole) and
//! dimension — overall, framework dimensions (DigComp areas, maturity dimensions) and
//! competences (DigComp items, aggregated here from the responses) — the latest level, the
//! trend by campaign in close-date order, target and gap, and response counts.
//!
//! Privacy: a figure computed from fewer respondents than its campaign's `min_group_size` is
//! never returned — not its level, not its count; it appears as [`Figure::Suppressed`].
//!
//! As of a date: a campaign counts once its close date (the actual one once closed, the planned
//! one before) is on or before the date; a target counts once set. `picture_campaigns` lists
//! the campaigns by (municipality, close date), so the recent campaigns as of any date are its
//! first rows walking back from the date; the `picture` table's key starts with
//! (municipality, close date, campaign), so each campaign's figures are one index range.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kirjuri_events::domain::{CampaignId, FrameworkId, MunicipalityId, UnitId};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::id;
use crate::{ViewsError, ViewsReader, sql};

/// What picture to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureQuery {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// As of this date (inclusive); `None` for everything known.
    pub as_of: Option<NaiveDate>,
    /// Only this unit.
    pub unit: Option<UnitId>,
    /// Only this framework.
    pub framework: Option<FrameworkId>,
}

impl PictureQuery {
    /// The whole current picture of `municipality`.
    pub fn of(municipality: MunicipalityId) -> Self {
        Self { municipality, as_of: None, unit: None, framework: None }
    }

    /// The same picture as of `date`.
    pub fn as_of(mut self, date: NaiveDate) -> Self {
        self.as_of = Some(date);
        self
    }
}

/// Whom a figure describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PictureSubject {
    /// The municipality as a whole.
    Municipality(MunicipalityId),
    /// One unit.
    Unit(UnitId),
}

/// One campaign's figure, or the fact that it is withheld.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// Enough respondents: the figure.
    Shown {
        /// Level on the framework's scale.
        level: f64,
        /// Percent of the scale, where computed.
        percent: Option<f64>,
        /// How many responses it rests on.
        response_count: u32,
    },
    /// Fewer respondents than the campaign's minimum group: withheld.
    Suppressed {
        /// The campaign's minimum group size.
        min_group_size: u32,
    },
}

impl Figure {
    /// The level, if shown.
    pub fn level(&self) -> Option<f64> {
        match self {
            Self::Shown { level, .. } => Some(*level),
            Self::Suppressed { .. } => None,
        }
    }
}

/// One point of a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The campaign.
    pub campaign: CampaignId,
    /// Its close date.
    pub close_date: NaiveDate,
    /// Its figure.
    pub figure: Figure,
}

/// A unit's target on one dimension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The target level.
    pub level: f64,
    /// When it is due.
    pub due: NaiveDate,
    /// When it was set.
    pub set_on: NaiveDate,
}

/// One row of the picture: one subject, framework and dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureRow {
    /// Whom it describes.
    pub subject: PictureSubject,
    /// The unit's name (Finnish), if a unit.
    pub unit_name: Option<String>,
    /// The framework.
    pub framework: FrameworkId,
    /// `overall`, `dimension` or `competence`.
    pub granularity: String,
    /// The dimension or competence code (`overall` for the overall figure).
    pub dimension: String,
    /// Every campaign's figure, oldest close date first.
    pub trend: Vec<TrendPoint>,
    /// The latest shown figure's point (suppressed points are never "latest").
    pub latest: Option<TrendPoint>,
    /// The unit's target, if set.
    pub target: Option<Target>,
    /// Target minus the latest shown level.
    pub gap: Option<f64>,
}

/// The situational picture of one municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct SituationalPicture {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// The date it is drawn as of, if any.
    pub as_of: Option<NaiveDate>,
    /// Its rows, by subject, framework, granularity and dimension.
    pub rows: Vec<PictureRow>,
}

fn corrupt(what: &str) -> ViewsError {
    ViewsError::Corrupt(format!("picture holds a malformed {what}"))
}

fn day(text: &str) -> Result<NaiveDate, ViewsError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt("date"))
}

fn uuid(text: &str) -> Result<Uuid, ViewsError> {
    Uuid::try_parse(text).map_err(|_| corrupt("id"))
}

/// A picture row's identity: subject, framework, granularity, dimension.
pub(crate) type Key = (PictureSubject, FrameworkId, String, String);

/// The subjects met while reading a picture: each id parsed, and a unit's name looked up, once.
#[derive(Default)]
struct Subjects {
    units: HashMap<String, (PictureSubject, Option<String>)>,
    municipalities: HashMap<String, (PictureSubject, Option<String>)>,
}

impl Subjects {
    fn get(
        &mut self,
        reader: &ViewsReader,
        kind: &str,
        subject_id: &str,
    ) -> Result<(PictureSubject, Option<String>), ViewsError> {
        let known = match kind {
            "unit" => &mut self.units,
            "municipality" => &mut self.municipalities,
            _ => return Err(corrupt("subject kind")),
        };
        if let Some(found) = known.get(subject_id) {
            return Ok(found.clone());
        }
        let found = if kind == "unit" {
            let name: Option<String> = reader
                .connection
                .prepare_cached("SELECT name_fi FROM entity_names WHERE kind = 'unit' AND id = ?1")
                .and_then(|mut statement| statement.query_row([subject_id], |r| r.get(0)).optional())
                .map_err(sql("reading a unit's name"))?;
            (PictureSubject::Unit(UnitId(uuid(subject_id)?)), name)
        } else {
            (PictureSubject::Municipality(MunicipalityId(uuid(subject_id)?)), None)
        };
        known.insert(subject_id.to_owned(), found.clone());
        Ok(found)
    }
}

/// How many of the most recent campaigns (up to the as-of date) a picture's trends cover: six
/// years of two campaigns a year for each of two frameworks.
pub const TREND_CAMPAIGNS: i64 = 24;

impl ViewsReader {
    /// The situational picture described by `query`.
    pub fn situational_picture(&self, query: &PictureQuery) -> Result<SituationalPicture, ViewsError> {
        let rows = self.picture_rows(query, query.as_of)?;
        Ok(SituationalPicture {
            municipality: query.municipality,
            as_of: query.as_of,
            rows: rows.into_values().collect(),
        })
    }

    /// The rows of the picture `query` describes as of `as_of`, by key.
    pub(crate) fn picture_rows(
        &self,
        query: &PictureQuery,
        as_of: Option<NaiveDate>,
    ) -> Result<BTreeMap<Key, PictureRow>, ViewsError> {
        let municipality = id(query.municipality.0);
        // ISO dates compare as text; '9999-12-31' stands for "no bound".
        let bound = as_of.map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string());
        let unit = query.unit.map(|u| id(u.0));
        let framework = query.framework.map(|f| id(f.0));

        // The trend covers the most recent campaigns only (TREND_CAMPAIGNS): `picture_campaigns`
        // lists each campaign of the picture once, keyed by (municipality, close date), so they
        // are the first rows walking that key backwards from the bound.
        let mut recent = self
            .connection
            .prepare_cached(
                "SELECT DISTINCT close_date, campaign FROM picture_campaigns
                 WHERE municipality = ?1 AND close_date <= ?2 AND (?3 IS NULL OR framework = ?3)
                 ORDER BY close_date DESC, campaign DESC LIMIT ?4",
            )
            .map_err(sql("preparing the recent campaigns query"))?;
        let mut campaigns: Vec<(String, String)> = recent
            .query_map(rusqlite::params![municipality, bound, framework, TREND_CAMPAIGNS], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(sql("reading the recent campaigns"))?;
        campaigns.reverse();

        // Each campaign's figures are one range of the picture's key; campaigns oldest first,
        // so each row's trend is built in close-date order without sorting.
        let mut figures = self
            .connection
            .prepare_cached(
                "SELECT subject_kind, subject_id, framework, granularity, dimension, level, percent,
                        response_count, min_group_size
                 FROM picture
                 WHERE municipality = ?1 AND close_date = ?2 AND campaign = ?3
                   AND (?4 IS NULL OR (subject_kind = 'unit' AND subject_id = ?4))
                   AND (?5 IS NULL OR framework = ?5)",
            )
            .map_err(sql("preparing the picture query"))?;
        let mut subjects = Subjects::default();
        let mut frameworks: HashMap<String, FrameworkId> = HashMap::new();
        // Rows found by borrowed text, so a figure of a row already met allocates nothing:
        // (subject, framework) -> granularity -> dimension -> index into `built`.
        type Index = HashMap<(PictureSubject, FrameworkId), HashMap<String, HashMap<String, usize>>>;
        let mut index: Index = HashMap::new();
        let mut built: Vec<PictureRow> = Vec::new();
        for (close, campaign) in &campaigns {
            let close_date = day(close)?;
            let campaign_id = CampaignId(uuid(campaign)?);
            let mut raw = figures
                .query(rusqlite::params![municipality, close, campaign, unit, framework])
                .map_err(sql("reading the picture"))?;
            while let Some(r) = raw.next().map_err(sql("reading the picture"))? {
                let text = |i: usize| r.get_ref(i).and_then(|v| v.as_str().map_err(rusqlite::Error::from));
                let figure_row = (|| -> rusqlite::Result<_> {
                    Ok((
                        text(0)?,
                        text(1)?,
                        text(2)?,
                        text(3)?,
                        text(4)?,
                        r.get::<_, f64>(5)?,
                        r.get::<_, Option<f64>>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                })()
                .map_err(sql("reading the picture"))?;
                let (kind, subject_id, fw, granularity, dimension, level, percent, count, min) = figure_row;
                let (subject, unit_name) = subjects.get(self, kind, subject_id)?;
                let framework_id = match frameworks.get(fw) {
                    Some(framework_id) => *framework_id,
                    None => {
                        let framework_id = FrameworkId(uuid(fw)?);
                        frameworks.insert(fw.to_owned(), framework_id);
                        framework_id
                    }
                };
                let count = u32::try_from(count.max(0)).unwrap_or(u32::MAX);
                let min_group_size = u32::try_from(min.max(0)).unwrap_or(u32::MAX);
                let figure = if count < min_group_size || count == 0 {
                    Figure::Suppressed { min_group_size }
                } else {
                    Figure::Shown { level, percent, response_count: count }
                };
                let point = TrendPoint { campaign: campaign_id, close_date, figure };
                let by_granularity = index.entry((subject, framework_id)).or_default();
                if !by_granularity.contains_key(granularity) {
                    by_granularity.insert(granularity.to_owned(), HashMap::new());
                }
                let by_dimension = by_granularity.get_mut(granularity).ok_or_else(|| corrupt("granularity"))?;
                let at = match by_dimension.get(dimension) {
                    Some(at) => *at,
                    None => {
                        built.push(PictureRow {
                            subject,
                            unit_name,
                            framework: framework_id,
                            granularity: granularity.to_owned(),
                            dimension: dimension.to_owned(),
                            trend: Vec::new(),
                            latest: None,
                            target: None,
                            gap: None,
                        });
                        by_dimension.insert(dimension.to_owned(), built.len() - 1);
                        built.len() - 1
                    }
                };
                let row = &mut built[at];
                if matches!(figure, Figure::Shown { .. }) {
                    row.latest = Some(point.clone());
                }
                row.trend.push(point);
            }
        }
        let mut rows: BTreeMap<Key, PictureRow> = built
            .into_iter()
            .map(|row| ((row.subject, row.framework, row.granularity.clone(), row.dimension.clone()), row))
            .collect();

        for (unit_id, fw, dimension, target) in self.targets(&municipality, &bound, unit.as_deref())? {
            if query.framework.is_some_and(|f| f != fw) {
                continue;
            }
            let key = (PictureSubject::Unit(unit_id), fw, "dimension".to_owned(), dimension.clone());
            let row = rows.entry(key).or_insert_with(|| PictureRow {
                subject: PictureSubject::Unit(unit_id),
                unit_name: None,
                framework: fw,
                granularity: "dimension".to_owned(),
                dimension,
                trend: Vec::new(),
                latest: None,
                target: None,
                gap: None,
            });
            row.target = Some(target);
            row.gap = row.latest.as_ref().and_then(|p| p.figure.level()).map(|level| target.level - level);
        }
        Ok(rows)
    }

    /// The targets in force on `bound` for the municipality's units (the latest set per dimension).
    fn targets(
        &self,
        municipality: &str,
        bound: &str,
        unit: Option<&str>,
    ) -> Result<Vec<(UnitId, FrameworkId, String, Target)>, ViewsError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT t.unit, t.framework, t.dimension, t.target, t.due, t.set_on
                 FROM units u JOIN unit_targets t ON t.unit = u.unit
                 WHERE u.municipality = ?1 AND t.set_on <= ?2 AND (?3 IS NULL OR u.unit = ?3)
                 ORDER BY t.set_on, t.seq",
            )
            .map_err(sql("preparing the targets query"))?;
        let raw: Vec<(String, String, String, f64, String, String)> = statement
            .query_map(rusqlite::params![municipality, bound, unit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(sql("reading targets"))?;
        let mut latest: BTreeMap<(UnitId, FrameworkId, String), Target> = BTreeMap::new();
        for (unit_id, fw, dimension, level, due, set_on) in raw {
            let target = Target { level, due: day(&due)?, set_on: day(&set_on)? };
            latest.insert((UnitId(uuid(&unit_id)?), FrameworkId(uuid(&fw)?), dimension), target);
        }
        Ok(latest.into_iter().map(|((u, f, d), t)| (u, f, d, t)).collect())
    }
}

/// How one row of the picture differs between the two dates of a [`PictureDiff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowChange {
    /// Not in the picture at `from`, in it at `to`.
    New,
    /// In the picture at `from`, no longer at `to` (its campaigns left the trend window).
    Removed,
    /// In both, with a different newest point, latest shown figure or target.
    Changed,
}

/// One row of the picture as of one date, as a diff compares it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowState {
    /// The newest campaign's point; its figure may be [`Figure::Suppressed`] (no level, no count).
    pub newest: Option<TrendPoint>,
    /// The latest shown figure's point (suppressed points are never "latest").
    pub latest: Option<TrendPoint>,
    /// The target in force.
    pub target: Option<Target>,
}

impl RowState {
    fn of(row: &PictureRow) -> Self {
        Self { newest: row.trend.last().cloned(), latest: row.latest.clone(), target: row.target }
    }

    fn level(&self) -> Option<f64> {
        self.latest.as_ref().and_then(|point| point.figure.level())
    }
}

/// What changed in one row (subject, framework, granularity, dimension) between two dates.
#[derive(Debug, Clone, PartialEq)]
pub struct RowDiff {
    /// Whom it describes.
    pub subject: PictureSubject,
    /// The unit's name (Finnish), if a unit and known.
    pub unit_name: Option<String>,
    /// The framework.
    pub framework: FrameworkId,
    /// `overall`, `dimension` or `competence`.
    pub granularity: String,
    /// The dimension or competence code (`overall` for the overall figure).
    pub dimension: String,
    /// New, removed or changed.
    pub change: RowChange,
    /// The row as of `from` (`None` if new).
    pub before: Option<RowState>,
    /// The row as of `to` (`None` if removed).
    pub after: Option<RowState>,
    /// The latest shown level at `to` minus the one at `from`, when both are shown; never
    /// computed from a suppressed figure.
    pub level_change: Option<f64>,
}

/// The difference of a whole situational picture between two dates.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureDiff {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// The earlier date.
    pub from: NaiveDate,
    /// The later date.
    pub to: NaiveDate,
    /// The rows that differ, by subject, framework, granularity and dimension; unchanged rows
    /// are left out.
    pub rows: Vec<RowDiff>,
}

impl ViewsReader {
    /// What changed in the situational picture described by `query` (its municipality, unit and
    /// framework; its `as_of` must be unset) between the picture as of `from` and as of `to`
    /// (`from` on or before `to`). Suppression holds as in the picture: a withheld figure
    /// appears as [`Figure::Suppressed`] and never contributes a level or a change.
    pub fn situational_picture_diff(
        &self,
        query: &PictureQuery,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<PictureDiff, ViewsError> {
        if query.as_of.is_some() {
            return Err(ViewsError::InvalidInput {
                field: "as_of",
                reason: "a difference is drawn between `from` and `to`; leave `as_of` unset".to_owned(),
            });
        }
        if from > to {
            return Err(ViewsError::InvalidInput { field: "from", reason: format!("{from} is after `to` ({to})") });
        }
        let mut before = self.picture_rows(query, Some(from))?;
        let after = self.picture_rows(query, Some(to))?;
        let mut rows = Vec::new();
        for (key, row) in after {
            let after_state = RowState::of(&row);
            let before_state = before.remove(&key).map(|earlier| RowState::of(&earlier));
            if before_state.as_ref() == Some(&after_state) {
                continue;
            }
            let change = if before_state.is_some() { RowChange::Changed } else { RowChange::New };
            let level_change = match (before_state.as_ref().and_then(RowState::level), after_state.level()) {
                (Some(old), Some(new)) => Some(new - old),
                _ => None,
            };
            rows.push(RowDiff {
                subject: row.subject,
                unit_name: row.unit_name,
                framework: row.framework,
                granularity: row.granularity,
                dimension: row.dimension,
                change,
                before: before_state,
                after: Some(after_state),
                level_change,
            });
        }
        for row in before.into_values() {
            rows.push(RowDiff {
                before: Some(RowState::of(&row)),
                subject: row.subject,
                unit_name: row.unit_name,
                framework: row.framework,
                granularity: row.granularity,
                dimension: row.dimension,
                change: RowChange::Removed,
                after: None,
                level_change: None,
            });
        }
        rows.sort_by(|a, b| {
            (a.subject, a.framework, &a.granularity, &a.dimension).cmp(&(
                b.subject,
                b.framework,
                &b.granularity,
                &b.dimension,
            ))
        });
        Ok(PictureDiff { municipality: query.municipality, from, to, rows })
    }
}

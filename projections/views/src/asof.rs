//! As-of: the state of any entity at a past moment or position, replayed from the audit table
//! with the domain aggregate's `evolve`, and the difference between two moments.
//!
//! The domain states are not serialisable, so the field-level difference compares the
//! top-level fields of their pretty `Debug` form; the events between the two bounds come with
//! their summaries.

use chrono::{DateTime, Utc};
use kirjuri_domain::Aggregate;
use kirjuri_domain::assessment::{CampaignState, FrameworkState};
use kirjuri_domain::coaching::{CommunicationState, EngagementState};
use kirjuri_domain::experiment::ExperimentState;
use kirjuri_domain::lesson::{LessonState, ObservationState};
use kirjuri_domain::organisation::{BodyState, MunicipalityState, UnitState};
use kirjuri_domain::practice::PracticeState;
use kirjuri_events::Position;
use uuid::Uuid;

use crate::audit::{AUDIT_COLUMNS, AuditRow, EntityKind, read_audit_row};
use crate::{ViewsError, ViewsReader, sql, to_sql_u64};
use crate::{id, micros};

/// An upper bound in time: a moment (recorded time) or a position in `$all`, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// Everything recorded at or before this moment.
    Moment(DateTime<Utc>),
    /// Everything at or before this position.
    Position(Position),
}

impl AsOf {
    fn condition(self, first_parameter: usize) -> (String, Vec<i64>) {
        match self {
            Self::Moment(moment) => (format!("recorded_at <= ?{first_parameter}"), vec![micros(moment)]),
            Self::Position(position) => (
                format!("(pos_commit, pos_prepare) <= (?{first_parameter}, ?{})", first_parameter + 1),
                vec![to_sql_u64(position.commit), to_sql_u64(position.prepare)],
            ),
        }
    }
}

/// The state of one entity, typed by its aggregate.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant, reason = "built once per query and read, never stored in bulk")]
pub enum AggregateState {
    /// A municipality.
    Municipality(MunicipalityState),
    /// A unit.
    Unit(UnitState),
    /// A body.
    Body(BodyState),
    /// A framework version.
    Framework(FrameworkState),
    /// A campaign.
    Campaign(CampaignState),
    /// A coaching engagement.
    Engagement(EngagementState),
    /// A communication.
    Communication(CommunicationState),
    /// An experiment.
    Experiment(ExperimentState),
    /// An observation.
    Observation(ObservationState),
    /// A lesson.
    Lesson(LessonState),
    /// A practice.
    Practice(PracticeState),
}

fn fold<A: Aggregate>(rows: &[AuditRow]) -> Result<A, ViewsError> {
    let mut state = A::default();
    for row in rows {
        let event = A::decode(&row.to_recorded())
            .map_err(|e| ViewsError::Undecodable { position: row.position, reason: e.to_string() })?;
        state.evolve(&event);
    }
    Ok(state)
}

impl AggregateState {
    fn replay(kind: EntityKind, rows: &[AuditRow]) -> Result<Self, ViewsError> {
        Ok(match kind {
            EntityKind::Municipality => Self::Municipality(fold(rows)?),
            EntityKind::Unit => Self::Unit(fold(rows)?),
            EntityKind::Body => Self::Body(fold(rows)?),
            EntityKind::Framework => Self::Framework(fold(rows)?),
            EntityKind::Campaign => Self::Campaign(fold(rows)?),
            EntityKind::Engagement => Self::Engagement(fold(rows)?),
            EntityKind::Communication => Self::Communication(fold(rows)?),
            EntityKind::Experiment => Self::Experiment(fold(rows)?),
            EntityKind::Observation => Self::Observation(fold(rows)?),
            EntityKind::Lesson => Self::Lesson(fold(rows)?),
            EntityKind::Practice => Self::Practice(fold(rows)?),
            EntityKind::AccessLog => {
                return Err(ViewsError::InvalidInput {
                    field: "kind",
                    reason: "the access log is a record of reads, not an entity with a state".to_owned(),
                });
            }
            EntityKind::ApiToken => {
                return Err(ViewsError::InvalidInput {
                    field: "kind",
                    reason: "an API token has no state to show; its issue and revocation are in its audit trail"
                        .to_owned(),
                });
            }
            EntityKind::User => {
                return Err(ViewsError::InvalidInput {
                    field: "kind",
                    reason: "a user account has no state to show; its creation, password changes and disabling are in its audit trail"
                        .to_owned(),
                });
            }
        })
    }

    /// The state's pretty `Debug` form.
    pub fn debug_text(&self) -> String {
        match self {
            Self::Municipality(s) => format!("{s:#?}"),
            Self::Unit(s) => format!("{s:#?}"),
            Self::Body(s) => format!("{s:#?}"),
            Self::Framework(s) => format!("{s:#?}"),
            Self::Campaign(s) => format!("{s:#?}"),
            Self::Engagement(s) => format!("{s:#?}"),
            Self::Communication(s) => format!("{s:#?}"),
            Self::Experiment(s) => format!("{s:#?}"),
            Self::Observation(s) => format!("{s:#?}"),
            Self::Lesson(s) => format!("{s:#?}"),
            Self::Practice(s) => format!("{s:#?}"),
        }
    }

    /// The top-level fields and their `Debug` values, in declaration order.
    pub fn fields(&self) -> Vec<(String, String)> {
        top_level_fields(&self.debug_text())
    }
}

/// Splits a pretty `Debug` struct into its top-level `field: value` pairs.
fn top_level_fields(debug: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in debug.lines().skip(1) {
        let is_field_start = line.strip_prefix("    ").is_some_and(|rest| {
            !rest.starts_with(' ')
                && rest.split_once(": ").is_some_and(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
        });
        if is_field_start {
            let rest = &line[4..];
            if let Some((name, value)) = rest.split_once(": ") {
                fields.push((name.to_owned(), value.trim_end_matches(',').to_owned()));
            }
        } else if let Some((_, value)) = fields.last_mut()
            && line != "}"
        {
            value.push('\n');
            value.push_str(line.trim_end_matches(','));
        }
    }
    fields
}

/// One entity as of a bound.
#[derive(Debug, Clone)]
pub struct EntityState {
    /// Its kind.
    pub kind: EntityKind,
    /// Its id.
    pub id: Uuid,
    /// The bound asked for.
    pub as_of: AsOf,
    /// The position of the last event folded in, `None` if the entity did not exist yet.
    pub last_position: Option<Position>,
    /// How many events were folded in.
    pub event_count: usize,
    /// The state.
    pub state: AggregateState,
}

/// One top-level field that differs between two states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name.
    pub field: String,
    /// Its `Debug` value before (`None` if absent).
    pub before: Option<String>,
    /// Its `Debug` value after.
    pub after: Option<String>,
}

/// The difference in one entity between two bounds.
#[derive(Debug, Clone)]
pub struct EntityDiff {
    /// The state at the earlier bound.
    pub before: EntityState,
    /// The state at the later bound.
    pub after: EntityState,
    /// The entity's events after `before` up to and including `after`, oldest first.
    pub events_between: Vec<AuditRow>,
    /// The fields that changed.
    pub changes: Vec<FieldChange>,
}

impl ViewsReader {
    fn entity_rows(&self, kind: EntityKind, entity: Uuid, bound: AsOf) -> Result<Vec<AuditRow>, ViewsError> {
        let (condition, values) = bound.condition(3);
        let query = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit WHERE entity_kind = ?1 AND entity_id = ?2 AND {condition}
             ORDER BY pos_commit, pos_prepare"
        );
        let mut statement = self.connection.prepare_cached(&query).map_err(sql("preparing an as-of query"))?;
        let mut parameters: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(kind.as_str()), Box::new(id(entity))];
        parameters.extend(values.into_iter().map(|v| Box::new(v) as Box<dyn rusqlite::ToSql>));
        let parameters: Vec<&dyn rusqlite::ToSql> = parameters.iter().map(|p| p.as_ref()).collect();
        statement
            .query_map(parameters.as_slice(), read_audit_row)
            .and_then(|rows| rows.collect())
            .map_err(sql("reading an entity's events"))
    }

    /// The state of entity `id` of `kind` as of `bound`.
    pub fn entity_state(&self, kind: EntityKind, entity: Uuid, bound: AsOf) -> Result<EntityState, ViewsError> {
        let rows = self.entity_rows(kind, entity, bound)?;
        Ok(EntityState {
            kind,
            id: entity,
            as_of: bound,
            last_position: rows.last().map(|r| r.position),
            event_count: rows.len(),
            state: AggregateState::replay(kind, &rows)?,
        })
    }

    /// What changed in entity `id` of `kind` between `from` and `to` (`from` the earlier).
    pub fn entity_diff(&self, kind: EntityKind, entity: Uuid, from: AsOf, to: AsOf) -> Result<EntityDiff, ViewsError> {
        let rows = self.entity_rows(kind, entity, to)?;
        let before_rows = self.entity_rows(kind, entity, from)?;
        let before = EntityState {
            kind,
            id: entity,
            as_of: from,
            last_position: before_rows.last().map(|r| r.position),
            event_count: before_rows.len(),
            state: AggregateState::replay(kind, &before_rows)?,
        };
        let after = EntityState {
            kind,
            id: entity,
            as_of: to,
            last_position: rows.last().map(|r| r.position),
            event_count: rows.len(),
            state: AggregateState::replay(kind, &rows)?,
        };
        let events_between: Vec<AuditRow> =
            rows.into_iter().filter(|r| before.last_position.is_none_or(|p| r.position > p)).collect();
        let before_fields = before.state.fields();
        let after_fields = after.state.fields();
        let mut changes = Vec::new();
        for (name, value) in &after_fields {
            let old = before_fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
            if old.as_ref() != Some(value) {
                changes.push(FieldChange { field: name.clone(), before: old, after: Some(value.clone()) });
            }
        }
        for (name, value) in &before_fields {
            if !after_fields.iter().any(|(n, _)| n == name) {
                changes.push(FieldChange { field: name.clone(), before: Some(value.clone()), after: None });
            }
        }
        Ok(EntityDiff { before, after, events_between, changes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pretty_debug_struct_splits_into_its_top_level_fields() {
        #[derive(Debug)]
        #[allow(dead_code, reason = "read through Debug")]
        struct Inner {
            a: u32,
            b: Vec<u32>,
        }
        #[derive(Debug)]
        #[allow(dead_code, reason = "read through Debug")]
        struct Outer {
            name: &'static str,
            inner: Inner,
            list: Vec<u32>,
        }
        let text = format!("{:#?}", Outer { name: "x: y", inner: Inner { a: 1, b: vec![2] }, list: vec![] });
        let fields = top_level_fields(&text);
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["name", "inner", "list"]);
        assert_eq!(fields[0].1, "\"x: y\"");
        assert!(fields[1].1.contains("a: 1") && fields[1].1.contains("2"), "{}", fields[1].1);
        assert_eq!(fields[2].1, "[]");
    }
}

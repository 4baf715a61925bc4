//! Practice history and the evidence graph.
//!
//! Edges run from the citing record to the cited one: a practice `cites` an outcome, an
//! experiment, a lesson or a campaign; an outcome is the `outcome_of` its experiment; a lesson
//! or observation `stems_from` an experiment, engagement, campaign or observation; an
//! engagement is `part_of` an experiment; a communication `mentions` records; a practice
//! `supersedes` another. "What X cites" reads edges by source, "what cites X" by target (an
//! index each); transitive queries are one recursive query over the same table.

use std::fmt;

use chrono::NaiveDate;
use kirjuri_events::domain::experiment::Criterion;
use kirjuri_events::domain::practice::PracticePhase;
use kirjuri_events::domain::{
    BodyId, CampaignId, CommunicationId, EngagementId, ExperimentId, LessonId, MunicipalityId, ObservationId,
    PracticeId, UnitId, Vocabulary as _,
};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::id;
use crate::{ViewsError, ViewsReader, sql};

/// A record in the evidence graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GraphNode {
    /// A practice.
    Practice(PracticeId),
    /// An experiment.
    Experiment(ExperimentId),
    /// An experiment's outcome on one criterion.
    Outcome(ExperimentId, Criterion),
    /// A lesson.
    Lesson(LessonId),
    /// An observation.
    Observation(ObservationId),
    /// An assessment campaign.
    Campaign(CampaignId),
    /// A coaching engagement.
    Engagement(EngagementId),
    /// A communication.
    Communication(CommunicationId),
}

impl GraphNode {
    /// The (kind, id) the edge table stores.
    pub fn key(&self) -> (&'static str, String) {
        match self {
            Self::Practice(p) => ("practice", id(p.0)),
            Self::Experiment(x) => ("experiment", id(x.0)),
            Self::Outcome(x, c) => ("outcome", format!("{}/{}", id(x.0), c.as_str())),
            Self::Lesson(l) => ("lesson", id(l.0)),
            Self::Observation(o) => ("observation", id(o.0)),
            Self::Campaign(c) => ("campaign", id(c.0)),
            Self::Engagement(g) => ("engagement", id(g.0)),
            Self::Communication(c) => ("communication", id(c.0)),
        }
    }

    /// Reads a node from its stored (kind, id).
    pub fn from_key(kind: &str, key: &str) -> Result<Self, ViewsError> {
        let malformed = || ViewsError::MalformedNode(format!("{kind}:{}", key.chars().take(80).collect::<String>()));
        let uuid = |text: &str| Uuid::try_parse(text).map_err(|_| malformed());
        Ok(match kind {
            "practice" => Self::Practice(PracticeId(uuid(key)?)),
            "experiment" => Self::Experiment(ExperimentId(uuid(key)?)),
            "outcome" => {
                let (experiment, criterion) = key.split_once('/').ok_or_else(malformed)?;
                let criterion = Criterion::ALL.into_iter().find(|c| c.as_str() == criterion).ok_or_else(malformed)?;
                Self::Outcome(ExperimentId(uuid(experiment)?), criterion)
            }
            "lesson" => Self::Lesson(LessonId(uuid(key)?)),
            "observation" => Self::Observation(ObservationId(uuid(key)?)),
            "campaign" => Self::Campaign(CampaignId(uuid(key)?)),
            "engagement" => Self::Engagement(EngagementId(uuid(key)?)),
            "communication" => Self::Communication(CommunicationId(uuid(key)?)),
            _ => return Err(malformed()),
        })
    }

    /// Reads `<kind>:<id>` (as [`fmt::Display`] writes it).
    pub fn parse(text: &str) -> Result<Self, ViewsError> {
        let (kind, key) = text.trim().split_once(':').ok_or_else(|| ViewsError::MalformedNode(text.to_owned()))?;
        Self::from_key(kind, key)
    }
}

impl fmt::Display for GraphNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, key) = self.key();
        write!(f, "{kind}:{key}")
    }
}

/// How one record relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// A practice cites evidence.
    Cites,
    /// An outcome belongs to its experiment.
    OutcomeOf,
    /// A lesson or observation stems from a source.
    StemsFrom,
    /// An engagement is part of an experiment.
    PartOf,
    /// A communication mentions a record.
    Mentions,
    /// A practice supersedes another.
    Supersedes,
}

impl Relation {
    /// Each relation with its code, as stored in the `edges` table and shown by the API.
    const CODES: [(Self, &'static str); 6] = [
        (Self::Cites, "cites"),
        (Self::OutcomeOf, "outcome_of"),
        (Self::StemsFrom, "stems_from"),
        (Self::PartOf, "part_of"),
        (Self::Mentions, "mentions"),
        (Self::Supersedes, "supersedes"),
    ];

    /// The relation's code (`cites`, `outcome_of`, `stems_from`, `part_of`, `mentions`, `supersedes`).
    pub fn as_str(self) -> &'static str {
        Self::CODES.iter().find(|(relation, _)| *relation == self).map_or("", |(_, code)| code)
    }

    fn parse(code: &str) -> Option<Self> {
        Self::CODES.iter().find(|(_, known)| *known == code).map(|(relation, _)| *relation)
    }
}

/// One edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The citing record.
    pub from: GraphNode,
    /// How.
    pub relation: Relation,
    /// The cited record.
    pub to: GraphNode,
}

/// A record reached transitively, with its distance in edges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The record.
    pub node: GraphNode,
    /// The fewest edges from the start.
    pub depth: u32,
}

/// Evidence relations (transitive queries follow these, not supersession or mentions).
const EVIDENCE_RELATIONS: &str = "('cites', 'outcome_of', 'stems_from', 'part_of')";
const MAX_DEPTH: u32 = 8;

fn read_edge(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

fn to_edge((fk, fi, rel, tk, ti): (String, String, String, String, String)) -> Result<Edge, ViewsError> {
    Ok(Edge {
        from: GraphNode::from_key(&fk, &fi)?,
        relation: Relation::parse(&rel).ok_or_else(|| ViewsError::Corrupt(format!("unknown relation `{rel}`")))?,
        to: GraphNode::from_key(&tk, &ti)?,
    })
}

/// One version of a practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    /// The version number.
    pub version: u32,
    /// What changed (none for version 1).
    pub what_changed: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// One submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    /// The version submitted.
    pub version: u32,
    /// The body.
    pub body: BodyId,
    /// The body's name, if registered.
    pub body_name: Option<String>,
    /// The diary number.
    pub case_number: String,
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    /// The version decided.
    pub version: u32,
    /// The body.
    pub body: BodyId,
    /// Its name, if registered.
    pub body_name: Option<String>,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// The section (§).
    pub section: u32,
    /// The resolution code (`passed`, `rejected`, …).
    pub resolution: String,
    /// The motion (Finnish).
    pub motion: String,
    /// The decision text (Finnish).
    pub decision: String,
    /// The rationale, if given.
    pub rationale: Option<String>,
}

/// One anchoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRow {
    /// The version anchored.
    pub version: u32,
    /// The kind of structure (`unit`, `process`, `guideline`, `strategy_item`).
    pub into: String,
    /// The structure's name.
    pub target: String,
    /// Its reference.
    pub target_ref: Option<String>,
    /// The owning unit.
    pub owner_unit: UnitId,
    /// From when.
    pub effective_from: NaiveDate,
}

/// One progress report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    /// Percent.
    pub percent: u8,
    /// What was done.
    pub note: Option<String>,
}

/// One sharing with a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharingRow {
    /// The version shared.
    pub version: u32,
    /// The partner.
    pub partner: MunicipalityId,
}

/// One adoption report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptionRow {
    /// The partner.
    pub partner: MunicipalityId,
    /// Its status code (`considering`, `piloting`, `adopted`, `rejected`).
    pub status: String,
    /// What it said.
    pub note: Option<String>,
}

/// A practice's whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeHistory {
    /// The practice.
    pub practice: PracticeId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its title (Finnish).
    pub title: String,
    /// The current version.
    pub version: u32,
    /// Where it stands.
    pub status: PracticePhase,
    /// Implementation progress.
    pub progress: u8,
    /// Versions, oldest first.
    pub versions: Vec<VersionRow>,
    /// Submissions, oldest first.
    pub submissions: Vec<SubmissionRow>,
    /// Decisions, oldest first.
    pub decisions: Vec<DecisionRow>,
    /// Anchorings, oldest first.
    pub anchors: Vec<AnchorRow>,
    /// Progress reports, oldest first.
    pub progress_reports: Vec<ProgressRow>,
    /// The practices it replaced, nearest first (transitively).
    pub supersedes: Vec<PracticeId>,
    /// The practices that replaced it, nearest first (transitively).
    pub superseded_by: Vec<PracticeId>,
    /// Sharings, oldest first.
    pub shared_with: Vec<SharingRow>,
    /// Adoption reports, oldest first.
    pub adoptions: Vec<AdoptionRow>,
    /// The evidence it cites.
    pub evidence: Vec<Edge>,
    /// What cites it.
    pub cited_by: Vec<Edge>,
}

fn parse_uuid(text: &str) -> Result<Uuid, ViewsError> {
    Uuid::try_parse(text).map_err(|_| ViewsError::Corrupt(format!("`{text}` is not a UUID")))
}

fn parse_day(text: &str) -> Result<NaiveDate, ViewsError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ViewsError::Corrupt(format!("`{text}` is not a date")))
}

impl ViewsReader {
    /// What `node` cites (edges from it).
    pub fn cites(&self, node: &GraphNode) -> Result<Vec<Edge>, ViewsError> {
        self.edges(
            "SELECT from_kind, from_id, relation, to_kind, to_id FROM edges
             WHERE from_kind = ?1 AND from_id = ?2 ORDER BY seq, relation, to_kind, to_id",
            node,
        )
    }

    /// What cites `node` (edges to it).
    pub fn cited_by(&self, node: &GraphNode) -> Result<Vec<Edge>, ViewsError> {
        self.edges(
            "SELECT from_kind, from_id, relation, to_kind, to_id FROM edges
             WHERE to_kind = ?1 AND to_id = ?2 ORDER BY seq, relation, from_kind, from_id",
            node,
        )
    }

    /// The edges `query` selects for `node`'s kind and key (parameters 1 and 2).
    fn edges(&self, query: &str, node: &GraphNode) -> Result<Vec<Edge>, ViewsError> {
        let (kind, key) = node.key();
        let mut statement = self.connection.prepare_cached(query).map_err(sql("preparing an edge query"))?;
        let rows: Vec<_> = statement
            .query_map([kind, key.as_str()], read_edge)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql("reading edges"))?;
        rows.into_iter().map(to_edge).collect()
    }

    fn reach(&self, node: &GraphNode, forward: bool) -> Result<Vec<Reach>, ViewsError> {
        let (kind, key) = node.key();
        let (near_kind, near_id, far_kind, far_id) = if forward {
            ("from_kind", "from_id", "to_kind", "to_id")
        } else {
            ("to_kind", "to_id", "from_kind", "from_id")
        };
        let query = format!(
            "WITH RECURSIVE reach(kind, id, depth) AS (
                 SELECT ?1, ?2, 0
                 UNION
                 SELECT e.{far_kind}, e.{far_id}, r.depth + 1
                 FROM reach r JOIN edges e ON e.{near_kind} = r.kind AND e.{near_id} = r.id
                 WHERE r.depth < {MAX_DEPTH} AND e.relation IN {EVIDENCE_RELATIONS}
             )
             SELECT kind, id, min(depth) FROM reach WHERE depth > 0 AND NOT (kind = ?1 AND id = ?2)
             GROUP BY kind, id ORDER BY min(depth), kind, id"
        );
        let mut statement = self.connection.prepare_cached(&query).map_err(sql("preparing a reach query"))?;
        let rows: Vec<(String, String, u32)> = statement
            .query_map([kind, key.as_str()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(sql("walking the evidence graph"))?;
        rows.into_iter()
            .map(|(kind, key, depth)| Ok(Reach { node: GraphNode::from_key(&kind, &key)?, depth }))
            .collect()
    }

    /// Everything `node` rests on, transitively (practice → lesson → experiment …).
    pub fn cites_transitively(&self, node: &GraphNode) -> Result<Vec<Reach>, ViewsError> {
        self.reach(node, true)
    }

    /// Everything that rests on `node`, transitively (experiment → outcome → lesson → practice …).
    pub fn cited_by_transitively(&self, node: &GraphNode) -> Result<Vec<Reach>, ViewsError> {
        self.reach(node, false)
    }

    fn chain(&self, practice: PracticeId, forward: bool) -> Result<Vec<PracticeId>, ViewsError> {
        let query = if forward {
            "WITH RECURSIVE chain(practice, depth) AS (
                 SELECT superseded_by, 1 FROM practices WHERE practice = ?1 AND superseded_by IS NOT NULL
                 UNION
                 SELECT p.superseded_by, c.depth + 1 FROM chain c JOIN practices p ON p.practice = c.practice
                 WHERE p.superseded_by IS NOT NULL AND c.depth < 64
             ) SELECT practice FROM chain ORDER BY depth"
        } else {
            "WITH RECURSIVE chain(practice, depth) AS (
                 SELECT practice, 1 FROM practices WHERE superseded_by = ?1
                 UNION
                 SELECT p.practice, c.depth + 1 FROM chain c JOIN practices p ON p.superseded_by = c.practice
                 WHERE c.depth < 64
             ) SELECT practice FROM chain ORDER BY depth, practice"
        };
        let mut statement = self.connection.prepare_cached(query).map_err(sql("preparing a supersession query"))?;
        let ids: Vec<String> = statement
            .query_map([id(practice.0)], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(sql("reading the supersession chain"))?;
        ids.iter().map(|text| parse_uuid(text).map(PracticeId)).collect()
    }

    /// A practice's whole history, or `None` if it was never drafted.
    pub fn practice_history(&self, practice: PracticeId) -> Result<Option<PracticeHistory>, ViewsError> {
        let key = id(practice.0);
        let head: Option<(String, String, u32, String, u8)> = self
            .connection
            .query_row(
                "SELECT municipality, title_fi, version, status, progress FROM practices WHERE practice = ?1",
                [&key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .optional()
            .map_err(sql("reading a practice"))?;
        let Some((municipality, title, version, status, progress)) = head else {
            return Ok(None);
        };
        let c = &self.connection;
        let versions = c
            .prepare_cached(
                "SELECT version, what_changed, reason FROM practice_versions WHERE practice = ?1 ORDER BY version",
            )
            .and_then(|mut s| {
                s.query_map([&key], |r| {
                    Ok(VersionRow { version: r.get(0)?, what_changed: r.get(1)?, reason: r.get(2)? })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(sql("reading practice versions"))?;
        let submissions: Vec<(u32, String, Option<String>, String)> = c
            .prepare_cached(
                "SELECT s.version, s.body, b.name_fi, s.case_number FROM practice_submissions s
                 LEFT JOIN bodies b ON b.body = s.body WHERE s.practice = ?1 ORDER BY s.seq",
            )
            .and_then(|mut s| s.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect())
            .map_err(sql("reading practice submissions"))?;
        let submissions = submissions
            .into_iter()
            .map(|(version, body, body_name, case_number)| {
                Ok(SubmissionRow { version, body: BodyId(parse_uuid(&body)?), body_name, case_number })
            })
            .collect::<Result<Vec<_>, ViewsError>>()?;
        type DecisionTuple = (u32, String, Option<String>, String, u32, String, String, String, Option<String>);
        let decisions: Vec<DecisionTuple> = c
            .prepare_cached(
                "SELECT d.version, d.body, b.name_fi, d.meeting_date, d.section, d.resolution, d.motion_fi,
                        d.decision_fi, d.rationale_fi
                 FROM practice_decisions d LEFT JOIN bodies b ON b.body = d.body
                 WHERE d.practice = ?1 ORDER BY d.seq",
            )
            .and_then(|mut s| {
                s.query_map([&key], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                })?
                .collect()
            })
            .map_err(sql("reading practice decisions"))?;
        let decisions = decisions
            .into_iter()
            .map(|(version, body, body_name, date, section, resolution, motion, decision, rationale)| {
                Ok(DecisionRow {
                    version,
                    body: BodyId(parse_uuid(&body)?),
                    body_name,
                    meeting_date: parse_day(&date)?,
                    section,
                    resolution,
                    motion,
                    decision,
                    rationale,
                })
            })
            .collect::<Result<Vec<_>, ViewsError>>()?;
        let anchors: Vec<(u32, String, String, Option<String>, String, String)> = c
            .prepare_cached(
                "SELECT version, into_kind, target_fi, target_ref, owner_unit, effective_from FROM practice_anchors
                 WHERE practice = ?1 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
                    .collect()
            })
            .map_err(sql("reading practice anchors"))?;
        let anchors = anchors
            .into_iter()
            .map(|(version, into, target, target_ref, unit, from)| {
                Ok(AnchorRow {
                    version,
                    into,
                    target,
                    target_ref,
                    owner_unit: UnitId(parse_uuid(&unit)?),
                    effective_from: parse_day(&from)?,
                })
            })
            .collect::<Result<Vec<_>, ViewsError>>()?;
        let progress_reports = c
            .prepare_cached("SELECT percent, note_fi FROM practice_progress WHERE practice = ?1 ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([&key], |r| Ok(ProgressRow { percent: r.get(0)?, note: r.get(1)? }))?.collect()
            })
            .map_err(sql("reading practice progress"))?;
        let shared: Vec<(u32, String)> = c
            .prepare_cached("SELECT version, partner FROM practice_sharing WHERE practice = ?1 ORDER BY seq, partner")
            .and_then(|mut s| s.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(sql("reading practice sharing"))?;
        let shared_with = shared
            .into_iter()
            .map(|(version, partner)| Ok(SharingRow { version, partner: MunicipalityId(parse_uuid(&partner)?) }))
            .collect::<Result<Vec<_>, ViewsError>>()?;
        let adoptions: Vec<(String, String, Option<String>)> = c
            .prepare_cached("SELECT partner, status, note_fi FROM practice_adoptions WHERE practice = ?1 ORDER BY seq")
            .and_then(|mut s| s.query_map([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(sql("reading adoption reports"))?;
        let adoptions = adoptions
            .into_iter()
            .map(|(partner, status, note)| {
                Ok(AdoptionRow { partner: MunicipalityId(parse_uuid(&partner)?), status, note })
            })
            .collect::<Result<Vec<_>, ViewsError>>()?;
        let node = GraphNode::Practice(practice);
        Ok(Some(PracticeHistory {
            practice,
            municipality: MunicipalityId(parse_uuid(&municipality)?),
            title,
            version,
            status: PracticePhase::parse(&status)
                .ok_or_else(|| ViewsError::Corrupt(format!("`{status}` is not a practice status")))?,
            progress,
            versions,
            submissions,
            decisions,
            anchors,
            progress_reports,
            supersedes: self.chain(practice, false)?,
            superseded_by: self.chain(practice, true)?,
            shared_with,
            adoptions,
            evidence: self.cites(&node)?.into_iter().filter(|e| e.relation == Relation::Cites).collect(),
            cited_by: self.cited_by(&node)?,
        }))
    }
}

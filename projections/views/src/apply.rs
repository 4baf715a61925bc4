//! Writing one batch: every event into the audit trail and into the read models it touches,
//! then the checkpoint, all in one transaction.
//!
//! What a batch keeps in memory ([`BatchState`]) lives only as long as the batch: campaign
//! rows it has looked up, and the competence figures' running sums, which are written once at
//! the end of the batch instead of once per answer. Both are dropped with a failed batch, so a
//! retry starts from what is committed.

use std::collections::{BTreeMap, HashMap};

use kirjuri_events::domain::LocalizedText;
use kirjuri_events::domain::Vocabulary as _;
use kirjuri_events::domain::api_token::ApiTokenEvent;
use kirjuri_events::domain::assessment::{CampaignEvent, FrameworkEvent, ResultSubject, ScoreBasis};
use kirjuri_events::domain::catalogue::AnyDomainEvent;
use kirjuri_events::domain::coaching::{CommunicationEvent, CommunicationLink, EngagementEvent};
use kirjuri_events::domain::experiment::{ExperimentEvent, ExperimentPhase};
use kirjuri_events::domain::lesson::{LessonEvent, LessonIdentified, LessonPhase, LessonSource, ObservationEvent};
use kirjuri_events::domain::organisation::{BodyEvent, MunicipalityEvent, UnitEvent};
use kirjuri_events::domain::practice::{EvidenceLink, PracticeEvent, PracticePhase, Resolution};
use kirjuri_events::domain::user::UserEvent;
use kirjuri_events::{Position, RecordedEvent};
use kirjuri_projections::ProjectionError;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use uuid::Uuid;

use crate::graph::{GraphNode, Relation};
use crate::summary::{Names, code, describe};
use crate::{PROJECTION_NAME, id, micros, to_sql_u64};

fn storage(context: &'static str) -> impl FnOnce(rusqlite::Error) -> ProjectionError {
    move |e| ProjectionError::storage(context, e)
}

/// Entity names read inside the apply transaction. A name that cannot be read fails the batch
/// (the runner retries it and records `failure.txt`) rather than writing a summary without it
/// into the audit trail for good: the first error is kept and [`TxNames::finish`] returns it.
struct TxNames<'a> {
    tx: &'a Transaction<'a>,
    failure: std::cell::RefCell<Option<rusqlite::Error>>,
}

impl<'a> TxNames<'a> {
    fn new(tx: &'a Transaction<'a>) -> Self {
        Self { tx, failure: std::cell::RefCell::new(None) }
    }

    /// `Err` if any name could not be read.
    fn finish(self) -> Result<(), ProjectionError> {
        match self.failure.into_inner() {
            Some(error) => Err(ProjectionError::storage("reading an entity's name for the audit summary", error)),
            None => Ok(()),
        }
    }
}

impl Names for TxNames<'_> {
    fn name(&self, kind: &str, id_: Uuid) -> Option<(String, Option<String>)> {
        let found = self
            .tx
            .prepare_cached("SELECT name_fi, name_en FROM entity_names WHERE kind = ?1 AND id = ?2")
            .and_then(|mut statement| {
                statement.query_row(params![kind, id(id_)], |row| Ok((row.get(0)?, row.get(1)?))).optional()
            });
        match found {
            Ok(name) => name,
            Err(error) => {
                self.failure.borrow_mut().get_or_insert(error);
                None
            }
        }
    }
}

/// Applies `batch` after the stored checkpoint, in one transaction with the new checkpoint.
pub(crate) fn apply_batch(connection: &mut Connection, batch: &[RecordedEvent]) -> Result<(), ProjectionError> {
    let checkpoint =
        crate::read_checkpoint(connection).map_err(|e| ProjectionError::storage("reading the views checkpoint", e))?;
    let transaction = connection.transaction().map_err(storage("starting the views transaction"))?;
    let mut state = BatchState::default();
    let mut last: Option<Position> = None;
    for event in batch {
        // Already applied (a batch replayed after a crash): skipping keeps one clean pass.
        if checkpoint.is_some_and(|c| event.position <= c) || last.is_some_and(|l| event.position <= l) {
            continue;
        }
        // Server keys and ended web sessions are the web UI's bookkeeping outside the
        // catalogue: no audit row, no read model (the checkpoint still moves past them).
        if !kirjuri_events::domain::server_key::is_server_key_stream(&event.stream)
            && !kirjuri_events::domain::web_session::is_web_session_stream(&event.stream)
            && !kirjuri_events::domain::erasure::is_erasure_stream(&event.stream)
        {
            apply_event(&transaction, &mut state, event)?;
        }
        last = Some(event.position);
    }
    state.write_competences(&transaction)?;
    if let Some(position) = last {
        transaction
            .execute(
                "INSERT INTO checkpoint (name, pos_commit, pos_prepare) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET pos_commit = excluded.pos_commit, pos_prepare = excluded.pos_prepare",
                params![PROJECTION_NAME, to_sql_u64(position.commit), to_sql_u64(position.prepare)],
            )
            .map_err(storage("writing the views checkpoint"))?;
    }
    transaction.commit().map_err(storage("committing the views transaction"))
}

/// What one batch has gathered in memory; see the module documentation.
#[derive(Default)]
struct BatchState {
    /// Campaign rows looked up in this batch (`CampaignClosed` drops its entry).
    campaigns: HashMap<Uuid, CampaignRow>,
    /// Answers added (or withdrawn) per (campaign, unit, competence) and not yet written.
    competences: BTreeMap<(Uuid, Uuid, String), CompetenceDelta>,
}

/// Answers to one competence that a batch adds to (or, withdrawn, removes from) a unit's figure.
#[derive(Default, Clone, Copy)]
struct CompetenceDelta {
    value_sum: f64,
    count: i64,
}

impl BatchState {
    fn campaign_row(&mut self, tx: &Transaction<'_>, campaign: Uuid) -> Result<Option<CampaignRow>, ProjectionError> {
        if let Some(row) = self.campaigns.get(&campaign) {
            return Ok(Some(row.clone()));
        }
        let row = tx
            .prepare_cached(
                "SELECT municipality, framework, coalesce(closed_on, closes), min_group_size FROM campaigns WHERE campaign = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([id(campaign)], |row| {
                        Ok(CampaignRow {
                            municipality: row.get(0)?,
                            framework: row.get(1)?,
                            close_date: row.get(2)?,
                            min_group_size: row.get(3)?,
                        })
                    })
                    .optional()
            })
            .map_err(storage("reading a campaign"))?;
        if let Some(row) = &row {
            self.campaigns.insert(campaign, row.clone());
        }
        Ok(row)
    }

    /// Writes the gathered competence sums: each (campaign, unit, competence) row once, with the
    /// campaign's close date as it is now (a `CampaignClosed` earlier in the batch has moved the
    /// existing rows to the same date). Sums of whole-number answers are exact, so the result
    /// does not depend on how events were split into batches.
    fn write_competences(&mut self, tx: &Transaction<'_>) -> Result<(), ProjectionError> {
        let competences = std::mem::take(&mut self.competences);
        let mut listed: Option<Uuid> = None;
        for ((campaign, unit, item), delta) in competences {
            let Some(row) = self.campaign_row(tx, campaign)? else {
                // `add_competence` checked the campaign before gathering its answers.
                return Err(ProjectionError::storage(
                    "writing competence figures",
                    format!("campaign {campaign} vanished during the batch"),
                ));
            };
            if listed != Some(campaign) {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO picture_campaigns (municipality, close_date, campaign, framework)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![row.municipality, row.close_date, id(campaign), row.framework])
                })
                .map_err(storage("listing a campaign of the picture"))?;
                listed = Some(campaign);
            }
            tx.prepare_cached(
                "INSERT INTO picture
                   (close_date, municipality, subject_kind, subject_id, framework, granularity, dimension, campaign,
                    level, percent, value_sum, response_count, min_group_size)
                 VALUES (?1, ?2, 'unit', ?3, ?4, 'competence', ?5, ?6, ?7 / max(?8, 1), NULL, ?7, ?8, ?9)
                 ON CONFLICT DO UPDATE SET
                   value_sum = value_sum + excluded.value_sum,
                   response_count = response_count + excluded.response_count,
                   level = (value_sum + excluded.value_sum) / max(response_count + excluded.response_count, 1)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    row.close_date,
                    row.municipality,
                    id(unit),
                    row.framework,
                    item,
                    id(campaign),
                    delta.value_sum,
                    delta.count,
                    row.min_group_size
                ])
            })
            .map_err(storage("writing competence figures"))?;
        }
        Ok(())
    }
}

fn apply_event(tx: &Transaction<'_>, state: &mut BatchState, event: &RecordedEvent) -> Result<(), ProjectionError> {
    let decoded = AnyDomainEvent::from_recorded(event).map_err(|e| ProjectionError::poison(event, e.to_string()))?;
    if u64::try_from(i64::MAX).is_ok_and(|max| event.position.commit > max || event.position.prepare > max) {
        return Err(ProjectionError::poison(event, "position does not fit the views database"));
    }
    let seq = write_audit(tx, event, &decoded)?;
    let mut at = Applied { tx, state, event, seq };
    at.read_models(&decoded)
}

fn write_audit(tx: &Transaction<'_>, event: &RecordedEvent, decoded: &AnyDomainEvent) -> Result<i64, ProjectionError> {
    let names = TxNames::new(tx);
    let description = describe(decoded, &names);
    names.finish()?;
    let metadata = &event.metadata;
    tx.prepare_cached(
        "INSERT INTO audit (pos_commit, pos_prepare, event_id, stream, entity_kind, entity_id, revision, event_type,
                            schema_version, actor, tenant, recorded_at, occurred_at, correlation_id, causation_id,
                            unit, experiment, summary_fi, summary_en, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            to_sql_u64(event.position.commit),
            to_sql_u64(event.position.prepare),
            id(event.id.0),
            event.stream.as_str(),
            event.stream.category(),
            id(event.stream.entity_id()),
            to_sql_u64(event.revision.0),
            event.event_type.as_str(),
            event.schema_version,
            metadata.actor,
            metadata.tenant,
            micros(event.recorded_at),
            metadata.occurred_at.map(micros),
            metadata.correlation_id.map(id),
            metadata.causation_id.map(id),
            description.units.first().map(|u| id(u.0)),
            description.experiments.first().map(|x| id(x.0)),
            description.fi,
            description.en,
            event.data.as_str(),
        ])
    })
    .map_err(|e| ProjectionError::poison(event, format!("cannot be written to the audit trail: {e}")))?;
    let seq = tx.last_insert_rowid();
    let mut refs = tx
        .prepare_cached("INSERT OR IGNORE INTO audit_refs (seq, ref_kind, ref_id) VALUES (?1, ?2, ?3)")
        .map_err(storage("preparing audit references"))?;
    for unit in &description.units {
        refs.execute(params![seq, "unit", id(unit.0)]).map_err(storage("writing audit references"))?;
    }
    for experiment in &description.experiments {
        refs.execute(params![seq, "experiment", id(experiment.0)]).map_err(storage("writing audit references"))?;
    }
    Ok(seq)
}

/// One event being applied to the read models.
struct Applied<'a> {
    tx: &'a Transaction<'a>,
    state: &'a mut BatchState,
    event: &'a RecordedEvent,
    seq: i64,
}

impl Applied<'_> {
    fn exec(&self, sql: &str, parameters: impl rusqlite::Params) -> Result<usize, ProjectionError> {
        self.tx.prepare_cached(sql).and_then(|mut statement| statement.execute(parameters)).map_err(|e| {
            ProjectionError::storage(format!("applying {} at {}", self.event.event_type, self.event.position), e)
        })
    }

    fn name(&self, kind: &str, entity: Uuid, name: &LocalizedText) -> Result<(), ProjectionError> {
        self.exec(
            "INSERT INTO entity_names (kind, id, name_fi, name_en) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, id) DO UPDATE SET name_fi = excluded.name_fi, name_en = excluded.name_en",
            params![kind, id(entity), name.fi, name.en],
        )
        .map(drop)
    }

    fn edge(&self, from: &GraphNode, relation: Relation, to: &GraphNode) -> Result<(), ProjectionError> {
        let (from_kind, from_id) = from.key();
        let (to_kind, to_id) = to.key();
        self.exec(
            "INSERT OR IGNORE INTO edges (from_kind, from_id, relation, to_kind, to_id, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![from_kind, from_id, relation.as_str(), to_kind, to_id, self.seq],
        )
        .map(drop)
    }

    fn recorded_at(&self) -> i64 {
        micros(self.event.recorded_at)
    }

    fn read_models(&mut self, decoded: &AnyDomainEvent) -> Result<(), ProjectionError> {
        match decoded {
            AnyDomainEvent::MunicipalityEvent(e) => self.municipality(e),
            AnyDomainEvent::UnitEvent(e) => self.unit(e),
            AnyDomainEvent::BodyEvent(e) => self.body(e),
            AnyDomainEvent::FrameworkEvent(e) => self.framework(e),
            AnyDomainEvent::CampaignEvent(e) => self.campaign(e),
            AnyDomainEvent::EngagementEvent(e) => self.engagement(e),
            AnyDomainEvent::CommunicationEvent(e) => self.communication(e),
            AnyDomainEvent::ExperimentEvent(e) => self.experiment(e),
            AnyDomainEvent::ObservationEvent(e) => self.observation(e),
            AnyDomainEvent::LessonEvent(e) => self.lesson(e),
            AnyDomainEvent::PracticeEvent(e) => self.practice(e),
            // The access log lives in the audit trail only (written above for every event).
            AnyDomainEvent::AccessLogEvent(_) => Ok(()),
            AnyDomainEvent::ApiTokenEvent(e) => self.api_token(e),
            AnyDomainEvent::UserEvent(e) => self.user(e),
        }
    }

    /// Only the token's name, so the audit trail can say which token a revocation was of.
    fn api_token(&self, event: &ApiTokenEvent) -> Result<(), ProjectionError> {
        if let ApiTokenEvent::Issued(e) = event {
            let name = LocalizedText { fi: e.name.clone(), sv: None, en: None };
            self.name(crate::summary::API_TOKEN_KIND, e.token.0, &name)?;
        }
        Ok(())
    }

    /// Only the username, so the audit trail can say whose password changed or who was disabled.
    fn user(&self, event: &UserEvent) -> Result<(), ProjectionError> {
        if let UserEvent::Created(e) = event {
            let name = LocalizedText { fi: e.username.clone(), sv: None, en: None };
            self.name(crate::summary::USER_KIND, e.user.0, &name)?;
        }
        Ok(())
    }

    fn municipality(&self, event: &MunicipalityEvent) -> Result<(), ProjectionError> {
        match event {
            MunicipalityEvent::Registered(e) => {
                self.name("municipality", e.municipality.0, &e.name)?;
                self.exec(
                    "INSERT OR REPLACE INTO municipalities (municipality, code, name_fi, name_en, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id(e.municipality.0), e.code.as_str(), e.name.fi, e.name.en, self.seq],
                )?;
            }
            MunicipalityEvent::PartnerNetworkJoined(e) => {
                // A join decided while the host was withdrawing its invitation (two streams, two
                // commands) ends at once: a partnership needs the host's standing consent.
                self.exec(
                    "INSERT OR REPLACE INTO partner_networks (partner, host, joined_on, left_on)
                     VALUES (?1, ?2, ?3,
                             (SELECT max(?3, withdrawn_on) FROM partner_invitations
                              WHERE host = ?2 AND partner = ?1 AND withdrawn_on IS NOT NULL))",
                    params![id(e.municipality.0), id(e.host.0), e.joined_on.to_string()],
                )?;
            }
            MunicipalityEvent::PartnerInvited(e) => {
                self.exec(
                    "INSERT OR REPLACE INTO partner_invitations (host, partner, invited_on, withdrawn_on)
                     VALUES (?1, ?2, ?3, NULL)",
                    params![id(e.host.0), id(e.partner.0), e.invited_on.to_string()],
                )?;
            }
            MunicipalityEvent::PartnerInvitationWithdrawn(e) => {
                self.exec(
                    "UPDATE partner_invitations SET withdrawn_on = ?3 WHERE host = ?1 AND partner = ?2",
                    params![id(e.host.0), id(e.partner.0), e.withdrawn_on.to_string()],
                )?;
                // Withdrawing the host's consent ends a partnership built on it.
                self.exec(
                    "UPDATE partner_networks SET left_on = max(joined_on, ?3)
                     WHERE host = ?1 AND partner = ?2 AND left_on IS NULL",
                    params![id(e.host.0), id(e.partner.0), e.withdrawn_on.to_string()],
                )?;
            }
            MunicipalityEvent::PartnerNetworkLeft(e) => {
                self.exec(
                    "UPDATE partner_networks SET left_on = ?3 WHERE partner = ?1 AND host = ?2",
                    params![id(e.municipality.0), id(e.host.0), e.left_on.to_string()],
                )?;
            }
        }
        Ok(())
    }

    fn unit(&self, event: &UnitEvent) -> Result<(), ProjectionError> {
        match event {
            UnitEvent::Established(e) => {
                self.name("unit", e.unit.0, &e.name)?;
                self.exec(
                    "INSERT OR REPLACE INTO units (unit, municipality, name_fi, parent, sector) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id(e.unit.0), id(e.municipality.0), e.name.fi, e.parent.map(|p| id(p.0)), code(&e.sector)],
                )?;
            }
            UnitEvent::TargetSet(e) => {
                self.exec(
                    "INSERT INTO unit_targets (seq, unit, framework, dimension, target, due, set_on)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        self.seq,
                        id(e.unit.0),
                        id(e.framework.0),
                        e.dimension,
                        e.target,
                        e.due.to_string(),
                        e.set_on.to_string()
                    ],
                )?;
            }
        }
        Ok(())
    }

    fn body(&self, event: &BodyEvent) -> Result<(), ProjectionError> {
        if let BodyEvent::Registered(e) = event {
            self.name("body", e.body.0, &e.name)?;
            self.exec(
                "INSERT OR REPLACE INTO bodies (body, municipality, name_fi, name_en, kind, parent, founded, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id(e.body.0),
                    id(e.municipality.0),
                    e.name.fi,
                    e.name.en,
                    code(&e.kind),
                    e.parent.map(|p| id(p.0)),
                    e.founded.to_string(),
                    self.seq
                ],
            )?;
        }
        Ok(())
    }

    fn framework(&self, event: &FrameworkEvent) -> Result<(), ProjectionError> {
        let FrameworkEvent::Published(e) = event;
        let definition = &e.definition;
        self.name("framework", e.framework.0, &definition.title)?;
        let basis = match definition.scoring.basis {
            ScoreBasis::Level => "level",
            ScoreBasis::Percent => "percent",
        };
        self.exec(
            "INSERT OR REPLACE INTO frameworks (framework, label, kind, basis) VALUES (?1, ?2, ?3, ?4)",
            params![id(e.framework.0), definition.label(), code(&definition.kind), basis],
        )?;
        for dimension in &definition.dimensions {
            self.exec(
                "INSERT OR REPLACE INTO framework_dimensions (framework, code, granularity, parent, title_fi, title_en)
                 VALUES (?1, ?2, 'dimension', NULL, ?3, ?4)",
                params![id(e.framework.0), dimension.code, dimension.title.fi, dimension.title.en],
            )?;
            for item in &dimension.items {
                self.exec(
                    "INSERT OR REPLACE INTO framework_dimensions (framework, code, granularity, parent, title_fi, title_en)
                     VALUES (?1, ?2, 'competence', ?3, ?4, ?5)",
                    params![id(e.framework.0), item.code, dimension.code, item.title.fi, item.title.en],
                )?;
            }
        }
        Ok(())
    }

    fn campaign(&mut self, event: &CampaignEvent) -> Result<(), ProjectionError> {
        match event {
            CampaignEvent::Opened(e) => {
                self.name("campaign", e.campaign.0, &e.title)?;
                self.exec(
                    "INSERT OR REPLACE INTO campaigns
                       (campaign, municipality, framework, title_fi, opens, closes, closed_on, min_group_size)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
                    params![
                        id(e.campaign.0),
                        id(e.municipality.0),
                        id(e.framework.0),
                        e.title.fi,
                        e.opens.to_string(),
                        e.closes.to_string(),
                        e.min_group_size
                    ],
                )?;
            }
            CampaignEvent::ResponseSubmitted(e) => {
                let answers = serde_json::to_string(&e.answers)
                    .map_err(|error| ProjectionError::poison(self.event, error.to_string()))?;
                self.exec(
                    "INSERT OR REPLACE INTO responses (campaign, response, unit, answers, withdrawn)
                     VALUES (?1, ?2, ?3, ?4, 0)",
                    params![id(e.campaign.0), id(e.response.0), id(e.unit.0), answers],
                )?;
                for answer in &e.answers {
                    self.add_competence(e.campaign.0, e.unit.0, &answer.item, f64::from(answer.value), 1)?;
                }
            }
            CampaignEvent::ResponseWithdrawn(e) => {
                let stored: Option<(String, String, i64)> = self
                    .tx
                    .query_row(
                        "SELECT unit, answers, withdrawn FROM responses WHERE campaign = ?1 AND response = ?2",
                        params![id(e.campaign.0), id(e.response.0)],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )
                    .optional()
                    .map_err(storage("reading a response"))?;
                let Some((unit, answers, 0)) = stored else {
                    return Err(ProjectionError::poison(
                        self.event,
                        "withdraws a response the views never saw submitted",
                    ));
                };
                let unit =
                    Uuid::try_parse(&unit).map_err(|error| ProjectionError::poison(self.event, error.to_string()))?;
                let answers: Vec<kirjuri_events::domain::assessment::Answer> = serde_json::from_str(&answers)
                    .map_err(|error| ProjectionError::poison(self.event, error.to_string()))?;
                for answer in &answers {
                    self.add_competence(e.campaign.0, unit, &answer.item, -f64::from(answer.value), -1)?;
                }
                self.exec(
                    "UPDATE responses SET withdrawn = 1 WHERE campaign = ?1 AND response = ?2",
                    params![id(e.campaign.0), id(e.response.0)],
                )?;
            }
            CampaignEvent::Closed(e) => {
                let campaign = id(e.campaign.0);
                let closed_on = e.closed_on.to_string();
                // The picture's rows carry the campaign's close date as it was (planned, or an
                // earlier close): they are found by that key prefix and moved to the new date.
                let previous = self.campaign_row(e.campaign.0)?;
                self.exec("UPDATE campaigns SET closed_on = ?2 WHERE campaign = ?1", params![campaign, closed_on])?;
                self.state.campaigns.remove(&e.campaign.0);
                if let Some(previous) = previous {
                    for table in [
                        "UPDATE picture SET close_date = ?4 WHERE municipality = ?1 AND close_date = ?2 AND campaign = ?3",
                        "UPDATE picture_campaigns SET close_date = ?4
                         WHERE municipality = ?1 AND close_date = ?2 AND campaign = ?3",
                    ] {
                        self.exec(table, params![previous.municipality, previous.close_date, campaign, closed_on])?;
                    }
                }
            }
            CampaignEvent::ResultComputed(e) => {
                let (subject_kind, subject_id) = match &e.subject {
                    // Personal results are never part of the programme's picture.
                    ResultSubject::Person(_) => return Ok(()),
                    ResultSubject::Unit(unit) => ("unit", id(unit.0)),
                    ResultSubject::Municipality(m) => ("municipality", id(m.0)),
                };
                let Some(campaign) = self.campaign_row(e.campaign.0)? else {
                    return Err(ProjectionError::poison(
                        self.event,
                        "a result for a campaign the views never saw opened",
                    ));
                };
                let mut figures = vec![("overall", String::from("overall"), e.overall.level, Some(e.overall.percent))];
                for score in &e.scores {
                    figures.push(("dimension", score.dimension.clone(), score.level, Some(score.percent)));
                }
                self.exec(
                    "INSERT OR IGNORE INTO picture_campaigns (municipality, close_date, campaign, framework)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![campaign.municipality, campaign.close_date, id(e.campaign.0), id(e.framework.0)],
                )?;
                for (granularity, dimension, level, percent) in figures {
                    self.exec(
                        "INSERT OR REPLACE INTO picture
                           (close_date, municipality, subject_kind, subject_id, framework, granularity, dimension,
                            campaign, level, percent, value_sum, response_count, min_group_size)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?12)",
                        params![
                            campaign.close_date,
                            campaign.municipality,
                            subject_kind,
                            subject_id,
                            id(e.framework.0),
                            granularity,
                            dimension,
                            id(e.campaign.0),
                            level,
                            percent,
                            e.response_count,
                            campaign.min_group_size
                        ],
                    )?;
                }
            }
        }
        Ok(())
    }

    fn campaign_row(&mut self, campaign: Uuid) -> Result<Option<CampaignRow>, ProjectionError> {
        self.state.campaign_row(self.tx, campaign)
    }

    /// Adds (or with a negative count removes) one answer to a unit's competence figure; the
    /// figure is written at the end of the batch ([`BatchState::write_competences`]).
    fn add_competence(
        &mut self,
        campaign: Uuid,
        unit: Uuid,
        item: &str,
        value: f64,
        count: i64,
    ) -> Result<(), ProjectionError> {
        if self.campaign_row(campaign)?.is_none() {
            return Err(ProjectionError::poison(self.event, "a response to a campaign the views never saw opened"));
        }
        let delta = self.state.competences.entry((campaign, unit, item.to_owned())).or_default();
        delta.value_sum += value;
        delta.count += count;
        Ok(())
    }

    fn engagement(&self, event: &EngagementEvent) -> Result<(), ProjectionError> {
        if let EngagementEvent::Started(e) = event
            && let Some(experiment) = e.experiment
        {
            self.edge(&GraphNode::Engagement(e.engagement), Relation::PartOf, &GraphNode::Experiment(experiment))?;
        }
        Ok(())
    }

    fn communication(&self, event: &CommunicationEvent) -> Result<(), ProjectionError> {
        let CommunicationEvent::Published(e) = event;
        self.name("communication", e.communication.0, &e.title)?;
        let from = GraphNode::Communication(e.communication);
        for link in &e.links {
            let to = match link {
                CommunicationLink::Experiment(x) => GraphNode::Experiment(*x),
                CommunicationLink::Lesson(l) => GraphNode::Lesson(*l),
                CommunicationLink::Practice(p) => GraphNode::Practice(*p),
            };
            self.edge(&from, Relation::Mentions, &to)?;
        }
        Ok(())
    }

    fn experiment(&self, event: &ExperimentEvent) -> Result<(), ProjectionError> {
        match event {
            ExperimentEvent::Proposed(e) => {
                self.name("experiment", e.experiment.0, &e.name)?;
                let experiment = id(e.experiment.0);
                self.exec(
                    "INSERT OR REPLACE INTO experiments
                       (experiment, municipality, title_fi, title_en, status, end_state, proposed_on, approved_by,
                        approved_on, starts, ends, concluded_on, seq)
                     VALUES (?1, ?2, ?3, ?4, ?7, NULL, ?5, NULL, NULL, NULL, NULL, NULL, ?6)",
                    params![
                        experiment,
                        id(e.municipality.0),
                        e.name.fi,
                        e.name.en,
                        e.proposed.to_string(),
                        self.seq,
                        ExperimentPhase::Proposed.as_str()
                    ],
                )?;
                for unit in &e.units {
                    self.exec(
                        "INSERT OR IGNORE INTO experiment_units (experiment, unit) VALUES (?1, ?2)",
                        params![experiment, id(unit.0)],
                    )?;
                }
                Ok(())
            }
            ExperimentEvent::Approved(e) => self.update_experiment(
                "UPDATE experiments SET status = ?6, approved_by = ?2, approved_on = ?3, starts = ?4, ends = ?5
                 WHERE experiment = ?1",
                params![
                    id(e.experiment.0),
                    id(e.decision.body.0),
                    e.decision.meeting_date.to_string(),
                    e.starts.to_string(),
                    e.ends.to_string(),
                    ExperimentPhase::Approved.as_str()
                ],
            ),
            ExperimentEvent::StageChanged(e) => self.update_experiment(
                "UPDATE experiments SET status = ?2 WHERE experiment = ?1",
                params![id(e.experiment.0), ExperimentPhase::of_stage(e.to).as_str()],
            ),
            ExperimentEvent::Concluded(e) => self.update_experiment(
                "UPDATE experiments SET status = ?4, end_state = ?2, concluded_on = ?3 WHERE experiment = ?1",
                params![
                    id(e.experiment.0),
                    code(&e.end_state),
                    e.concluded.to_string(),
                    ExperimentPhase::Concluded.as_str()
                ],
            ),
            ExperimentEvent::OutcomeAssessed(e) => self.edge(
                &GraphNode::Outcome(e.experiment, e.criterion),
                Relation::OutcomeOf,
                &GraphNode::Experiment(e.experiment),
            ),
            ExperimentEvent::ProtocolDefined(_)
            | ExperimentEvent::BaselineEstablished(_)
            | ExperimentEvent::MeasurementRecorded(_) => Ok(()),
        }
    }

    fn update_experiment(&self, sql: &str, parameters: impl rusqlite::Params) -> Result<(), ProjectionError> {
        if self.exec(sql, parameters)? == 0 {
            return Err(ProjectionError::poison(self.event, "concerns an experiment the views never saw proposed"));
        }
        Ok(())
    }

    fn observation(&self, event: &ObservationEvent) -> Result<(), ProjectionError> {
        let ObservationEvent::Submitted(e) = event;
        self.edge(&GraphNode::Observation(e.observation), Relation::StemsFrom, &source_node(&e.source))
    }

    fn lesson(&self, event: &LessonEvent) -> Result<(), ProjectionError> {
        let (learned, acting) = (LessonPhase::Learned.as_str(), LessonPhase::Acting.as_str());
        let changed = match event {
            LessonEvent::Identified(e) => return self.lesson_identified(e),
            // An action assigned after the lesson was learned does not unlearn it.
            LessonEvent::ActionAssigned(e) => self.exec(
                "UPDATE lessons SET status = CASE status WHEN ?2 THEN ?2 ELSE ?3 END WHERE lesson = ?1",
                params![id(e.lesson.0), learned, acting],
            )?,
            LessonEvent::Learned(e) => {
                self.exec("UPDATE lessons SET status = ?2 WHERE lesson = ?1", params![id(e.lesson.0), learned])?
            }
        };
        if changed == 0 {
            return Err(ProjectionError::poison(self.event, "concerns a lesson the views never saw identified"));
        }
        Ok(())
    }

    fn lesson_identified(&self, e: &LessonIdentified) -> Result<(), ProjectionError> {
        self.name("lesson", e.lesson.0, &e.title)?;
        let lesson = id(e.lesson.0);
        let experiment = e.sources.iter().find_map(|source| match source {
            LessonSource::Experiment(experiment) => Some(id(experiment.0)),
            LessonSource::Engagement(_) | LessonSource::Campaign(_) => None,
        });
        let tags =
            serde_json::to_string(&e.tags).map_err(|error| ProjectionError::poison(self.event, error.to_string()))?;
        self.exec(
            "INSERT OR REPLACE INTO lessons
               (lesson, municipality, title_fi, title_en, unit, experiment, status, tags, recorded_at, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?10, ?7, ?8, ?9)",
            params![
                lesson,
                id(e.municipality.0),
                e.title.fi,
                e.title.en,
                e.unit.map(|u| id(u.0)),
                experiment,
                tags,
                self.recorded_at(),
                self.seq,
                LessonPhase::Identified.as_str()
            ],
        )?;
        for tag in &e.tags {
            self.exec("INSERT OR IGNORE INTO lesson_tags (lesson, tag) VALUES (?1, ?2)", params![lesson, tag])?;
        }
        let from = GraphNode::Lesson(e.lesson);
        for source in &e.sources {
            self.edge(&from, Relation::StemsFrom, &source_node(source))?;
        }
        for observation in &e.observations {
            self.edge(&from, Relation::StemsFrom, &GraphNode::Observation(*observation))?;
        }
        Ok(())
    }

    fn practice(&self, event: &PracticeEvent) -> Result<(), ProjectionError> {
        let practice = id(event.practice().0);
        match event {
            PracticeEvent::Drafted(e) => {
                self.name("practice", e.practice.0, &e.title)?;
                let tags = serde_json::to_string(&e.tags)
                    .map_err(|error| ProjectionError::poison(self.event, error.to_string()))?;
                self.exec(
                    "INSERT OR REPLACE INTO practices
                       (practice, municipality, title_fi, title_en, version, status, progress, superseded_by, tags,
                        drafted_at, decided_by, decided_on, resolution, seq)
                     VALUES (?1, ?2, ?3, ?4, 1, ?8, 0, NULL, ?5, ?6, NULL, NULL, NULL, ?7)",
                    params![
                        practice,
                        id(e.municipality.0),
                        e.title.fi,
                        e.title.en,
                        tags,
                        self.recorded_at(),
                        self.seq,
                        PracticePhase::Draft.as_str()
                    ],
                )?;
                for tag in &e.tags {
                    self.exec(
                        "INSERT OR IGNORE INTO practice_tags (practice, tag) VALUES (?1, ?2)",
                        params![practice, tag.as_str()],
                    )?;
                }
                self.exec(
                    "INSERT OR REPLACE INTO practice_versions (practice, version, what_changed, reason, recorded_at, seq)
                     VALUES (?1, 1, NULL, NULL, ?2, ?3)",
                    params![practice, self.recorded_at(), self.seq],
                )?;
                let from = GraphNode::Practice(e.practice);
                for link in &e.evidence {
                    let to = match link {
                        EvidenceLink::Outcome { experiment, criterion } => {
                            // The outcome belongs to its experiment even before its assessment is projected.
                            let outcome = GraphNode::Outcome(*experiment, *criterion);
                            self.edge(&outcome, Relation::OutcomeOf, &GraphNode::Experiment(*experiment))?;
                            outcome
                        }
                        EvidenceLink::Experiment { experiment } => GraphNode::Experiment(*experiment),
                        EvidenceLink::Lesson { lesson } => GraphNode::Lesson(*lesson),
                        EvidenceLink::Assessment { campaign } => GraphNode::Campaign(*campaign),
                    };
                    self.edge(&from, Relation::Cites, &to)?;
                }
            }
            PracticeEvent::Submitted(e) => {
                self.exec(
                    "INSERT INTO practice_submissions (seq, practice, version, body, case_number, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![self.seq, practice, e.version, id(e.body.0), e.case_number.as_str(), self.recorded_at()],
                )?;
                self.set_status(&practice, PracticePhase::Submitted)?;
            }
            PracticeEvent::Decided(e) => {
                self.exec(
                    "INSERT INTO practice_decisions
                       (seq, practice, version, body, meeting_date, section, resolution, motion_fi, decision_fi, rationale_fi)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        self.seq,
                        practice,
                        e.version,
                        id(e.body.0),
                        e.meeting_date.to_string(),
                        e.section.get(),
                        e.resolution.code(),
                        e.motion.fi,
                        e.decision.fi,
                        e.rationale.as_ref().map(|r| r.fi.clone())
                    ],
                )?;
                let status = match e.resolution {
                    Resolution::Passed | Resolution::PassedAsAmended | Resolution::PassedAfterVote => {
                        PracticePhase::Passed
                    }
                    Resolution::Rejected => PracticePhase::Rejected,
                    Resolution::Returned => PracticePhase::Returned,
                    Resolution::Tabled => PracticePhase::Tabled,
                    Resolution::Noted => PracticePhase::Noted,
                };
                let changed = self.exec(
                    "UPDATE practices SET status = ?2, decided_by = ?3, decided_on = ?4, resolution = ?5
                     WHERE practice = ?1",
                    params![practice, status.as_str(), id(e.body.0), e.meeting_date.to_string(), e.resolution.code()],
                )?;
                if changed == 0 {
                    return Err(ProjectionError::poison(self.event, "concerns a practice the views never saw drafted"));
                }
            }
            PracticeEvent::Anchored(e) => {
                self.exec(
                    "INSERT INTO practice_anchors
                       (seq, practice, version, into_kind, target_fi, target_ref, owner_unit, effective_from)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        self.seq,
                        practice,
                        e.version,
                        code(&e.into),
                        e.target.fi,
                        e.target_ref,
                        id(e.owner_unit.0),
                        e.effective_from.to_string()
                    ],
                )?;
            }
            PracticeEvent::ImplementationProgressed(e) => {
                self.exec(
                    "INSERT INTO practice_progress (seq, practice, percent, note_fi, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![self.seq, practice, e.percent.get(), e.note.as_ref().map(|n| n.fi.clone()), self.recorded_at()],
                )?;
                self.exec(
                    "UPDATE practices SET progress = ?2 WHERE practice = ?1",
                    params![practice, e.percent.get()],
                )?;
            }
            PracticeEvent::Revised(e) => {
                self.exec(
                    "INSERT OR REPLACE INTO practice_versions (practice, version, what_changed, reason, recorded_at, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![practice, e.new_version, e.what_changed.fi, e.reason.fi, self.recorded_at(), self.seq],
                )?;
                self.exec(
                    "UPDATE practices SET version = ?2, status = ?3 WHERE practice = ?1",
                    params![practice, e.new_version, PracticePhase::Draft.as_str()],
                )?;
            }
            PracticeEvent::Superseded(e) => {
                self.exec(
                    "UPDATE practices SET status = ?3, superseded_by = ?2 WHERE practice = ?1",
                    params![practice, id(e.by.0), PracticePhase::Superseded.as_str()],
                )?;
                self.edge(&GraphNode::Practice(e.by), Relation::Supersedes, &GraphNode::Practice(e.practice))?;
            }
            PracticeEvent::Retired(_) => self.set_status(&practice, PracticePhase::Retired)?,
            PracticeEvent::Shared(e) => {
                for partner in &e.partners {
                    self.exec(
                        "INSERT OR IGNORE INTO practice_sharing (seq, practice, version, partner) VALUES (?1, ?2, ?3, ?4)",
                        params![self.seq, practice, e.version, id(partner.0)],
                    )?;
                }
            }
            PracticeEvent::AdoptionReported(e) => {
                self.exec(
                    "INSERT INTO practice_adoptions (seq, practice, partner, status, note_fi) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![self.seq, practice, id(e.partner.0), code(&e.status), e.note.as_ref().map(|n| n.fi.clone())],
                )?;
            }
        }
        Ok(())
    }

    fn set_status(&self, practice: &str, status: PracticePhase) -> Result<(), ProjectionError> {
        let changed =
            self.exec("UPDATE practices SET status = ?2 WHERE practice = ?1", params![practice, status.as_str()])?;
        if changed == 0 {
            return Err(ProjectionError::poison(self.event, "concerns a practice the views never saw drafted"));
        }
        Ok(())
    }
}

#[derive(Clone)]
struct CampaignRow {
    municipality: String,
    framework: String,
    close_date: String,
    min_group_size: i64,
}

fn source_node(source: &LessonSource) -> GraphNode {
    match source {
        LessonSource::Experiment(x) => GraphNode::Experiment(*x),
        LessonSource::Engagement(g) => GraphNode::Engagement(*g),
        LessonSource::Campaign(c) => GraphNode::Campaign(*c),
    }
}

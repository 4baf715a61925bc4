//! The views projection end to end: real SQLite in temp dirs, events built from the domain's
//! event types in the order the domain's rules allow.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kirjuri_domain::practice::PracticeStatus;
use kirjuri_events::domain::assessment::{
    Answer, CampaignClosed, CampaignEvent, CampaignOpened, DimensionScore, FrameworkEvent, FrameworkPublished,
    OverallScore, RespondentRef, ResponseId, ResponseSubmitted, ResponseWithdrawn, ResultComputed, ResultSubject,
    digcomp_2_2,
};
use kirjuri_events::domain::experiment::{Criterion, ExperimentEvent, ExperimentProposed, OutcomeAssessed, Verdict};
use kirjuri_events::domain::lesson::{LessonEvent, LessonIdentified, LessonSource};
use kirjuri_events::domain::organisation::{
    BodyEvent, BodyKind, BodyRegistered, MunicipalityCode, MunicipalityEvent, MunicipalityRegistered, Sector,
    UnitEstablished, UnitEvent, UnitTargetSet,
};
use kirjuri_events::domain::practice::{
    AdoptionReported, AdoptionStatus, AnchorKind, CaseNumber, Consequences, EvidenceLink, ImplementationProgressed,
    Percent, PracticeAnchored, PracticeDecided, PracticeDrafted, PracticeEvent, PracticeShared, PracticeSubmitted,
    PracticeSuperseded, Resolution, SectionNumber,
};
use kirjuri_events::domain::{
    BodyId, CampaignId, ExperimentId, FrameworkId, LessonId, LocalizedText, MunicipalityId, PracticeId, UnitId,
};
use kirjuri_events::{
    EventId, EventMetadata, EventPayload, EventType, NewEvent, Position, RecordedEvent, Revision, StreamName,
};
use kirjuri_projections::{Projection, ProjectionError};
use rusqlite::Connection;
use uuid::Uuid;

use crate::asof::{AggregateState, AsOf};
use crate::audit::{AuditFilter, Cursor, EntityKind, PageRequest, parse_date};
use crate::graph::{GraphNode, Relation};
use crate::picture::{Figure, PictureQuery, PictureSubject, RowChange, RowDiff, TREND_CAMPAIGNS};
use crate::{ViewsError, ViewsProjection};

fn text(fi: &str) -> LocalizedText {
    LocalizedText::fi(fi).expect("valid text")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// An in-memory `$all`: assigns positions, revisions and recorded times like a store.
struct Log {
    events: Vec<RecordedEvent>,
    revisions: HashMap<String, u64>,
    clock: DateTime<Utc>,
}

impl Log {
    fn new() -> Self {
        let clock = DateTime::from_timestamp(1_735_689_600, 0).expect("2025-01-01");
        Self { events: Vec::new(), revisions: HashMap::new(), clock }
    }

    fn record(&mut self, stream: StreamName, event: NewEvent) -> Position {
        self.clock += Duration::hours(1);
        let revision = self.revisions.entry(stream.as_str().to_owned()).or_insert(0);
        let position = Position::sequence(self.events.len() as u64 + 1);
        self.events.push(RecordedEvent {
            id: event.id,
            stream,
            revision: Revision(*revision),
            position,
            event_type: event.event_type,
            schema_version: event.schema_version,
            recorded_at: self.clock,
            data: event.data,
            metadata: event.metadata,
        });
        *revision += 1;
        position
    }

    fn metadata(actor: &str) -> EventMetadata {
        EventMetadata {
            actor: Some(actor.to_owned()),
            tenant: Some("kuopio".to_owned()),
            correlation_id: None,
            causation_id: None,
            occurred_at: None,
            request_digest: None,
        }
    }
}

macro_rules! record {
    ($log:expr, $stream:expr, $family:ident, $event:expr, $actor:expr) => {{
        let family: $family = $event.into();
        let new = family.to_new_event(EventId::random(), Log::metadata($actor)).expect("encodes");
        $log.record($stream, new)
    }};
}

/// Ids of the demo world.
struct World {
    kuopio: MunicipalityId,
    siilinjarvi: MunicipalityId,
    board: BodyId,
    library: UnitId,
    school: UnitId,
    experiment: ExperimentId,
    lesson: LessonId,
    practice: PracticeId,
    successor: PracticeId,
    framework: FrameworkId,
    spring: CampaignId,
    autumn: CampaignId,
    submitted_at: Position,
    decided_at: Position,
    progressed_at: Position,
}

/// A practice's life with its evidence, and two assessment campaigns.
fn world() -> (World, Log) {
    let mut log = Log::new();
    let kuopio = MunicipalityId(Uuid::from_u128(1));
    let siilinjarvi = MunicipalityId(Uuid::from_u128(2));
    let board = BodyId(Uuid::from_u128(3));
    let library = UnitId(Uuid::from_u128(4));
    let school = UnitId(Uuid::from_u128(5));
    let experiment = ExperimentId(Uuid::from_u128(6));
    let lesson = LessonId(Uuid::from_u128(7));
    let practice = PracticeId(Uuid::from_u128(8));
    let successor = PracticeId(Uuid::from_u128(9));
    let spring = CampaignId(Uuid::from_u128(10));
    let autumn = CampaignId(Uuid::from_u128(11));
    let digcomp = digcomp_2_2().expect("DigComp loads");
    let framework = digcomp.id();

    for (id, code, name) in [(kuopio, "297", "Kuopio"), (siilinjarvi, "749", "Siilinjärvi")] {
        let event = MunicipalityRegistered {
            municipality: id,
            code: MunicipalityCode::parse(code).expect("code"),
            name: text(name),
        };
        record!(log, id.stream(), MunicipalityEvent, event, "user:admin");
    }
    let registered = BodyRegistered {
        body: board,
        municipality: kuopio,
        name: text("Kaupunginhallitus").with_en("City board").expect("en"),
        kind: BodyKind::CityBoard,
        parent: None,
        founded: date(2017, 1, 1),
    };
    record!(log, board.stream(), BodyEvent, registered, "user:admin");
    for (unit, name) in [(library, "Kirjasto"), (school, "Koulu")] {
        let event = UnitEstablished {
            unit,
            municipality: kuopio,
            name: text(name),
            parent: None,
            sector: Sector::UrbanEnvironment,
        };
        record!(log, unit.stream(), UnitEvent, event, "user:admin");
    }
    let proposed = ExperimentProposed {
        experiment,
        municipality: kuopio,
        name: text("Etäneuvonta kirjastossa"),
        problem: text("Jonot"),
        hypothesis: text("Etäneuvonta lyhentää jonoja"),
        units: vec![library],
        themes: vec![],
        proposed: date(2025, 1, 10),
    };
    record!(log, experiment.stream(), ExperimentEvent, proposed, "user:anna");
    let assessed = OutcomeAssessed {
        experiment,
        criterion: Criterion::Effectiveness,
        verdict: Verdict::Improved,
        effect: Some(0.3),
        evidence: vec![],
        summary: text("Jonot lyhenivät"),
        assessed: date(2025, 3, 1),
    };
    record!(log, experiment.stream(), ExperimentEvent, assessed, "user:anna");
    let identified = LessonIdentified {
        lesson,
        municipality: kuopio,
        unit: Some(library),
        title: text("Etäneuvonta toimii"),
        driving_event: text("Kokeilu"),
        lesson_text: text("Etäneuvonta kannattaa"),
        recommendations: vec![],
        observations: vec![],
        sources: vec![LessonSource::Experiment(experiment)],
        tags: vec![],
    };
    record!(log, lesson.stream(), LessonEvent, identified, "user:ville");

    let drafted = PracticeDrafted {
        practice,
        municipality: kuopio,
        title: text("Etävastaanotto").with_en("Remote reception").expect("en"),
        context: text("Jonot"),
        options_considered: vec![],
        chosen_option: text("Etävastaanotto"),
        consequences: Consequences::default(),
        evidence: vec![
            EvidenceLink::Outcome { experiment, criterion: Criterion::Effectiveness },
            EvidenceLink::Lesson { lesson },
        ],
        tags: vec![],
    };
    record!(log, practice.stream(), PracticeEvent, drafted, "user:anna");
    let submitted = PracticeSubmitted {
        practice,
        version: 1,
        body: board,
        case_number: CaseNumber::parse("KUO/1234/00.01.02/2025").expect("case"),
    };
    let submitted_at = record!(log, practice.stream(), PracticeEvent, submitted, "user:anna");
    let decided = PracticeDecided {
        practice,
        version: 1,
        body: board,
        meeting_date: date(2025, 4, 7),
        section: SectionNumber::parse(41).expect("section"),
        motion: text("Hyväksytään etävastaanotto"),
        decision: text("Hyväksyttiin"),
        resolution: Resolution::Passed,
        rationale: None,
    };
    let decided_at = record!(log, practice.stream(), PracticeEvent, decided, "user:secretary");
    let anchored = PracticeAnchored {
        practice,
        version: 1,
        into: AnchorKind::Guideline,
        target: text("Asiakaspalveluohje"),
        target_ref: Some("OHJE-12".into()),
        owner_unit: library,
        effective_from: date(2025, 5, 1),
    };
    record!(log, practice.stream(), PracticeEvent, anchored, "user:anna");
    let progressed = ImplementationProgressed { practice, percent: Percent::parse(60).expect("percent"), note: None };
    let progressed_at = record!(log, practice.stream(), PracticeEvent, progressed, "user:anna");
    let shared = PracticeShared { practice, version: 1, partners: vec![siilinjarvi] };
    record!(log, practice.stream(), PracticeEvent, shared, "user:anna");
    let adoption = AdoptionReported { practice, partner: siilinjarvi, status: AdoptionStatus::Piloting, note: None };
    record!(log, practice.stream(), PracticeEvent, adoption, "user:partner");
    let successor_drafted = PracticeDrafted {
        practice: successor,
        municipality: kuopio,
        title: text("Etävastaanotto 2"),
        context: text("Jonot"),
        options_considered: vec![],
        chosen_option: text("Laajempi etävastaanotto"),
        consequences: Consequences::default(),
        evidence: vec![EvidenceLink::Experiment { experiment }],
        tags: vec![],
    };
    record!(log, successor.stream(), PracticeEvent, successor_drafted, "user:anna");
    let superseded = PracticeSuperseded { practice, by: successor };
    record!(log, practice.stream(), PracticeEvent, superseded, "user:anna");

    // The situational picture: DigComp, two campaigns; the school answers too few in spring.
    let published = FrameworkPublished { framework, definition: digcomp };
    record!(log, framework.stream(), FrameworkEvent, published, "system");
    let target = UnitTargetSet {
        unit: library,
        framework,
        dimension: "1".into(),
        target: 6.0,
        due: date(2026, 12, 31),
        set_on: date(2025, 2, 1),
        set_by: Some(board),
        rationale: None,
    };
    record!(log, library.stream(), UnitEvent, target, "user:anna");
    let mut respondent = 0u32;
    for (campaign, closes, library_level, school_count) in
        [(spring, date(2025, 3, 31), 3.0, 2u32), (autumn, date(2025, 10, 31), 4.5, 6u32)]
    {
        let opened = CampaignOpened {
            campaign,
            municipality: kuopio,
            framework,
            units: vec![library, school],
            title: text(&format!("Kierros {closes}")),
            opens: closes - Duration::days(30),
            closes,
            min_group_size: 5,
        };
        record!(log, campaign.stream(), CampaignEvent, opened, "user:anna");
        let mut responses = Vec::new();
        for (unit, count) in [(library, 6u32), (school, school_count)] {
            for _ in 0..count {
                respondent += 1;
                let response = ResponseId(Uuid::from_u128(1_000 + u128::from(respondent)));
                responses.push(response);
                let submitted = ResponseSubmitted {
                    campaign,
                    response,
                    respondent: RespondentRef::parse(&format!("r-{respondent:08x}")).expect("pseudonym"),
                    unit,
                    answers: vec![Answer { item: "1.1".into(), value: 4 }],
                    submitted_on: closes - Duration::days(3),
                };
                record!(log, campaign.stream(), CampaignEvent, submitted, "system");
            }
        }
        // One library response withdrawn in autumn: 5 remain, still enough.
        if campaign == autumn {
            let withdrawn = ResponseWithdrawn {
                campaign,
                response: responses[0],
                withdrawn_on: closes - Duration::days(1),
                reason: None,
            };
            record!(log, campaign.stream(), CampaignEvent, withdrawn, "system");
        }
        let closed = CampaignClosed { campaign, closed_on: closes, response_count: 0 };
        record!(log, campaign.stream(), CampaignEvent, closed, "system");
        for (unit, level, count) in [(library, library_level, 6u32), (school, 2.0, school_count)] {
            let result = ResultComputed {
                campaign,
                framework,
                subject: ResultSubject::Unit(unit),
                scores: vec![DimensionScore { dimension: "1".into(), level, percent: level / 8.0 * 100.0 }],
                overall: OverallScore { level, percent: level / 8.0 * 100.0, band: None },
                scoring_rule: "mean".into(),
                scoring_rule_version: 1,
                response_count: count,
                computed_on: closes,
            };
            record!(log, campaign.stream(), CampaignEvent, result, "system");
        }
    }
    let world = World {
        kuopio,
        siilinjarvi,
        board,
        library,
        school,
        experiment,
        lesson,
        practice,
        successor,
        framework,
        spring,
        autumn,
        submitted_at,
        decided_at,
        progressed_at,
    };
    (world, log)
}

fn projected(log: &Log) -> (tempfile::TempDir, ViewsProjection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = ViewsProjection::open(dir.path().join("views.sqlite")).expect("opens");
    for batch in log.events.chunks(7) {
        projection.apply(batch).expect("applies");
    }
    (dir, projection)
}

/// Every table's rows, sorted, as text: two databases with equal dumps hold the same views.
fn dump(path: &std::path::Path) -> Vec<String> {
    let connection = Connection::open(path).expect("opens");
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("lists tables");
    let mut lines = Vec::new();
    for table in tables {
        let mut statement = connection.prepare(&format!("SELECT * FROM {table}")).expect("selects");
        let columns = statement.column_count();
        let mut rows: Vec<String> = statement
            .query_map([], |row| {
                let mut fields = Vec::new();
                for i in 0..columns {
                    let value: rusqlite::types::Value = row.get(i)?;
                    fields.push(format!("{value:?}"));
                }
                Ok(format!("{table}: {}", fields.join(" | ")))
            })
            .and_then(|rows| rows.collect())
            .expect("reads");
        rows.sort();
        lines.extend(rows);
    }
    lines
}

#[test]
fn a_practices_life_is_in_the_audit_trail_with_finnish_and_english_summaries() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let page = reader.entity_timeline(EntityKind::Practice, w.practice.0, PageRequest::first(100)).expect("timeline");
    let types: Vec<&str> = page.rows.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "PracticeDrafted",
            "PracticeSubmitted",
            "PracticeDecided",
            "PracticeAnchored",
            "ImplementationProgressed",
            "PracticeShared",
            "AdoptionReported",
            "PracticeSuperseded"
        ]
    );
    let decided = &page.rows[2];
    assert_eq!(decided.summary_fi, "Kaupunginhallitus päätti käytännöstä «Etävastaanotto» (§ 41): hyväksytty");
    assert_eq!(decided.summary_en, "City board decided practice «Remote reception» (§ 41): passed");
    assert_eq!(decided.actor.as_deref(), Some("user:secretary"));
    assert_eq!(decided.municipality.as_deref(), Some("kuopio"));
    assert_eq!(decided.entity_kind, EntityKind::Practice);
    assert_eq!(decided.entity_id, w.practice.0);
    assert_eq!(page.rows[3].unit, Some(w.library), "the anchoring names its owner unit");
    assert!(
        page.rows[7].summary_fi.contains("korvattiin käytännöllä «Etävastaanotto 2»"),
        "{}",
        page.rows[7].summary_fi
    );
    assert!(page.next.is_none());

    // Every event of every type is in the programme-wide trail.
    let all = reader.timeline(&AuditFilter::default(), PageRequest::first(1_000)).expect("all");
    assert_eq!(all.rows.len(), log.events.len());
    // No summary names a respondent.
    assert!(all.rows.iter().all(|r| !r.summary_fi.contains("r-0000") && !r.summary_en.contains("r-0000")));
}

#[test]
fn pages_run_both_ways_with_stable_cursors_and_filters_narrow_the_trail() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let filter = AuditFilter::entity(EntityKind::Practice, w.practice.0);
    let first = reader.timeline(&filter, PageRequest::first(3)).expect("page 1");
    let next = first.next.expect("more");
    let cursor = Cursor::parse(&next.to_string()).expect("round-trips");
    let second = reader.timeline(&filter, PageRequest::after(cursor, 3)).expect("page 2");
    assert_eq!(second.rows[0].event_type.as_str(), "PracticeAnchored");
    let back = reader.timeline(&filter, PageRequest::before(second.rows[0].cursor(), 2)).expect("back");
    let back_types: Vec<&str> = back.rows.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(back_types, ["PracticeDecided", "PracticeSubmitted"]);
    let last = reader.timeline(&filter, PageRequest::last(1)).expect("last");
    assert_eq!(last.rows[0].event_type.as_str(), "PracticeSuperseded");

    let by_unit = AuditFilter { unit: Some(w.school), ..AuditFilter::default() };
    let rows = reader.timeline(&by_unit, PageRequest::first(1_000)).expect("unit").rows;
    assert!(rows.iter().any(|r| r.event_type.as_str() == "UnitEstablished"));
    assert!(
        rows.iter().any(|r| r.event_type.as_str() == "CampaignOpened"),
        "an event naming several units matches each"
    );
    let by_experiment = AuditFilter { experiment: Some(w.experiment), ..AuditFilter::default() };
    let types: Vec<String> = reader
        .timeline(&by_experiment, PageRequest::first(100))
        .expect("experiment")
        .rows
        .iter()
        .map(|r| r.event_type.to_string())
        .collect();
    assert_eq!(
        types,
        ["ExperimentProposed", "OutcomeAssessed", "LessonIdentified", "PracticeDrafted", "PracticeDrafted"]
    );
    let by_actor = AuditFilter { actor: Some("user:secretary".into()), ..AuditFilter::default() };
    assert_eq!(reader.timeline(&by_actor, PageRequest::first(100)).expect("actor").rows.len(), 1);
    let elsewhere = AuditFilter { municipality: Some("oulu".into()), ..AuditFilter::default() };
    assert!(reader.timeline(&elsewhere, PageRequest::first(100)).expect("tenant").rows.is_empty());
    let decided_time = log.events[usize::try_from(w.decided_at.commit).expect("fits") - 1].recorded_at;
    let window = AuditFilter { from: Some(decided_time), to: Some(decided_time), ..AuditFilter::default() };
    let rows = reader.timeline(&window, PageRequest::first(100)).expect("window").rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].position, w.decided_at);
}

#[test]
fn event_types_correlations_and_exclusions_narrow_the_timeline() {
    let (_w, mut log) = world();
    // One user action that appended three events of different streams.
    let action = uuid::Uuid::new_v4();
    for event in log.events.iter_mut().skip(2).step_by(5).take(3) {
        event.metadata.correlation_id = Some(action);
    }
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let everything = reader.timeline(&AuditFilter::default(), PageRequest::first(1_000)).expect("all").rows;
    let count = |event_type: &str| everything.iter().filter(|r| r.event_type.as_str() == event_type).count();
    let types = vec!["PracticeDecided".to_owned(), "UnitEstablished".to_owned()];
    let chosen = AuditFilter { event_types: types.clone(), ..AuditFilter::default() };
    let rows = reader.timeline(&chosen, PageRequest::first(1_000)).expect("types").rows;
    assert!(!rows.is_empty());
    assert_eq!(rows.len(), count("PracticeDecided") + count("UnitEstablished"));
    assert!(rows.iter().all(|r| types.contains(&r.event_type.to_string())));

    let hidden = AuditFilter { exclude_event_types: types.clone(), ..AuditFilter::default() };
    let rows = reader.timeline(&hidden, PageRequest::first(1_000)).expect("hidden types").rows;
    assert_eq!(rows.len(), everything.len() - count("PracticeDecided") - count("UnitEstablished"));
    let no_practices = AuditFilter { exclude_categories: vec!["practice".into()], ..AuditFilter::default() };
    let rows = reader.timeline(&no_practices, PageRequest::first(1_000)).expect("hidden category").rows;
    assert!(!rows.is_empty() && rows.iter().all(|r| r.entity_kind != EntityKind::Practice));
    assert!(everything.iter().any(|r| r.entity_kind == EntityKind::Practice));

    let by_correlation = AuditFilter { correlation: Some(action), ..AuditFilter::default() };
    let rows = reader.timeline(&by_correlation, PageRequest::first(1_000)).expect("correlation").rows;
    let expected: Vec<_> = log.events.iter().skip(2).step_by(5).take(3).map(|e| e.position).collect();
    assert_eq!(rows.iter().map(|r| r.position).collect::<Vec<_>>(), expected);
}

#[test]
fn the_recent_events_of_a_kind_are_the_tenants_own_newest_first_as_the_timeline_has_them() {
    let (_w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let everything = reader.timeline(&AuditFilter::default(), PageRequest::first(1_000)).expect("all").rows;
    let tenant = everything.iter().find_map(|r| r.municipality.clone()).expect("a tenant");
    let types = ["UnitEstablished", "UnitTargetSet"];
    let mut expected: Vec<_> = everything
        .iter()
        .filter(|r| {
            r.entity_kind == EntityKind::Unit
                && r.municipality.as_deref() == Some(tenant.as_str())
                && types.contains(&r.event_type.as_str())
        })
        .map(|r| r.position)
        .collect();
    expected.reverse();
    assert!(expected.len() > 1, "the world has units with targets");
    let recent = reader.recent_of_kind(EntityKind::Unit, &types, &tenant, 1_000).expect("recent");
    assert_eq!(recent.iter().map(|r| r.position).collect::<Vec<_>>(), expected);
    let newest = reader.recent_of_kind(EntityKind::Unit, &types, &tenant, 1).expect("the newest");
    assert_eq!(newest.iter().map(|r| r.position).collect::<Vec<_>>(), expected[..1]);
    assert!(reader.recent_of_kind(EntityKind::Unit, &types, "no such tenant", 10).expect("none").is_empty());
    assert!(reader.recent_of_kind(EntityKind::Unit, &[], &tenant, 10).expect("no types").is_empty());
}

#[test]
fn a_municipality_s_unit_names_come_by_name_and_only_its_own() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    assert_eq!(
        reader.unit_names(w.kuopio).expect("names"),
        vec![(w.library, "Kirjasto".to_owned()), (w.school, "Koulu".to_owned())]
    );
    assert!(reader.unit_names(w.siilinjarvi).expect("names").is_empty(), "Siilinjärvi has no units here");
}

#[test]
fn bad_input_gets_typed_errors_not_panics() {
    assert!(matches!(EntityKind::parse("widget"), Err(ViewsError::UnknownEntityKind(k)) if k == "widget"));
    for bad in ["", "abc", "1", "1.", ".1", "-1.2", "1.2.3", "99999999999999999999.1", "１.２"] {
        assert!(matches!(Cursor::parse(bad), Err(ViewsError::MalformedCursor(_))), "{bad:?}");
    }
    for bad in ["2025-13-01", "yesterday", "", "2025-02-30"] {
        assert!(matches!(parse_date(bad), Err(ViewsError::MalformedDate(_))), "{bad:?}");
        assert!(crate::audit::parse_moment(bad).is_err(), "{bad:?}");
    }
    assert!(crate::audit::parse_moment("2025-04-07T10:00:00+03:00").is_ok());
    for bad in ["practice", "practice:nope", "outcome:00000000-0000-0000-0000-000000000001/speed", "x:y"] {
        assert!(matches!(GraphNode::parse(bad), Err(ViewsError::MalformedNode(_))), "{bad:?}");
    }
    let node = GraphNode::Outcome(ExperimentId(Uuid::from_u128(1)), Criterion::Productivity);
    assert_eq!(GraphNode::parse(&node.to_string()).expect("round-trips"), node);
}

#[test]
fn as_of_an_earlier_position_or_moment_returns_the_earlier_state() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let status = |bound| match reader.entity_state(EntityKind::Practice, w.practice.0, bound).expect("state").state {
        AggregateState::Practice(state) => state.status,
        other => panic!("not a practice: {other:?}"),
    };
    assert_eq!(status(AsOf::Position(w.submitted_at)), PracticeStatus::Submitted);
    assert_eq!(status(AsOf::Position(w.decided_at)), PracticeStatus::Passed);
    assert_eq!(status(AsOf::Position(Position::sequence(u64::MAX >> 2))), PracticeStatus::Superseded);
    let decided_time = log.events[usize::try_from(w.decided_at.commit).expect("fits") - 1].recorded_at;
    assert_eq!(status(AsOf::Moment(decided_time - Duration::minutes(1))), PracticeStatus::Submitted);
    assert_eq!(status(AsOf::Moment(decided_time)), PracticeStatus::Passed);
    let before =
        reader.entity_state(EntityKind::Practice, w.practice.0, AsOf::Position(Position::sequence(1))).expect("state");
    assert_eq!(before.event_count, 0);
    assert!(before.last_position.is_none());
}

#[test]
fn the_difference_between_two_moments_lists_the_events_and_the_changed_fields() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let diff = reader
        .entity_diff(
            EntityKind::Practice,
            w.practice.0,
            AsOf::Position(w.submitted_at),
            AsOf::Position(w.progressed_at),
        )
        .expect("diff");
    let types: Vec<&str> = diff.events_between.iter().map(|r| r.event_type.as_str()).collect();
    assert_eq!(types, ["PracticeDecided", "PracticeAnchored", "ImplementationProgressed"]);
    let fields: Vec<&str> = diff.changes.iter().map(|c| c.field.as_str()).collect();
    for field in ["status", "decisions", "passed_version", "anchors", "progress"] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
    assert!(!fields.contains(&"title"), "unchanged fields are not listed: {fields:?}");
    let status = diff.changes.iter().find(|c| c.field == "status").expect("status");
    assert_eq!(status.before.as_deref(), Some("Submitted"));
    assert_eq!(status.after.as_deref(), Some("Passed"));
}

#[test]
fn the_practice_history_has_decisions_anchoring_progress_supersession_and_adoption() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let history = reader.practice_history(w.practice).expect("reads").expect("exists");
    assert_eq!(history.status, kirjuri_events::domain::practice::PracticePhase::Superseded);
    assert_eq!(history.progress, 60);
    assert_eq!(history.versions.len(), 1);
    assert_eq!(history.submissions[0].case_number, "KUO/1234/00.01.02/2025");
    let decision = &history.decisions[0];
    assert_eq!(decision.body, w.board);
    assert_eq!(decision.body_name.as_deref(), Some("Kaupunginhallitus"));
    assert_eq!((decision.section, decision.resolution.as_str()), (41, "passed"));
    assert_eq!(decision.motion, "Hyväksytään etävastaanotto");
    assert_eq!(decision.meeting_date, date(2025, 4, 7));
    assert_eq!(history.anchors[0].owner_unit, w.library);
    assert_eq!(history.superseded_by, [w.successor]);
    assert_eq!(history.shared_with[0].partner, w.siilinjarvi);
    assert_eq!(history.adoptions[0].status, "piloting");
    let successor = reader.practice_history(w.successor).expect("reads").expect("exists");
    assert_eq!(successor.supersedes, [w.practice]);
    assert!(reader.practice_history(PracticeId(Uuid::from_u128(999))).expect("reads").is_none());
}

#[test]
fn the_evidence_graph_answers_both_directions_and_transitively() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let practice = GraphNode::Practice(w.practice);
    let outcome = GraphNode::Outcome(w.experiment, Criterion::Effectiveness);
    let experiment = GraphNode::Experiment(w.experiment);
    let lesson = GraphNode::Lesson(w.lesson);

    let cited: Vec<GraphNode> = reader.cites(&practice).expect("cites").into_iter().map(|e| e.to).collect();
    assert_eq!(cited, [lesson, outcome], "ordered by when cited, then kind");
    let citing: Vec<(GraphNode, Relation)> =
        reader.cited_by(&lesson).expect("cited by").into_iter().map(|e| (e.from, e.relation)).collect();
    assert_eq!(citing, [(practice, Relation::Cites)]);

    let upstream: Vec<(GraphNode, u32)> =
        reader.cites_transitively(&practice).expect("reach").into_iter().map(|r| (r.node, r.depth)).collect();
    assert!(upstream.contains(&(outcome, 1)) && upstream.contains(&(lesson, 1)));
    assert!(upstream.contains(&(experiment, 2)), "{upstream:?}");

    let downstream: Vec<(GraphNode, u32)> =
        reader.cited_by_transitively(&experiment).expect("reach").into_iter().map(|r| (r.node, r.depth)).collect();
    for expected in [(outcome, 1), (lesson, 1), (GraphNode::Practice(w.successor), 1), (practice, 2)] {
        assert!(downstream.contains(&expected), "{expected:?} missing from {downstream:?}");
    }
}

#[test]
fn the_situational_picture_suppresses_small_groups_and_shows_targets_and_gaps() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let picture = reader.situational_picture(&PictureQuery::of(w.kuopio)).expect("picture");
    let row = |unit: UnitId, granularity: &str, dimension: &str| {
        picture
            .rows
            .iter()
            .find(|r| {
                r.subject == PictureSubject::Unit(unit) && r.granularity == granularity && r.dimension == dimension
            })
            .unwrap_or_else(|| panic!("no row for {unit:?} {granularity} {dimension}"))
            .clone()
    };
    let library = row(w.library, "dimension", "1");
    let levels: Vec<Option<f64>> = library.trend.iter().map(|p| p.figure.level()).collect();
    assert_eq!(levels, [Some(3.0), Some(4.5)], "trend in campaign close order");
    assert_eq!(library.trend[0].campaign, w.spring);
    assert_eq!(library.latest.as_ref().map(|p| p.campaign), Some(w.autumn));
    assert_eq!(library.target.map(|t| t.level), Some(6.0));
    assert_eq!(library.gap, Some(1.5));
    assert_eq!(library.unit_name.as_deref(), Some("Kirjasto"));
    assert_eq!(library.framework, w.framework);

    // The school had 2 respondents in spring (minimum 5): its figure is withheld, count too.
    let school = row(w.school, "overall", "overall");
    assert_eq!(school.trend[0].figure, Figure::Suppressed { min_group_size: 5 });
    assert!(matches!(school.trend[1].figure, Figure::Shown { response_count: 6, .. }));
    let school_items = row(w.school, "competence", "1.1");
    assert_eq!(school_items.trend[0].figure, Figure::Suppressed { min_group_size: 5 });
    // Competences are aggregated from responses; a withdrawal takes its answer out (6 - 1 = 5).
    let library_items = row(w.library, "competence", "1.1");
    assert!(matches!(library_items.trend[1].figure, Figure::Shown { response_count: 5, level, .. } if level == 4.0));

    // As of a date between the campaigns only spring counts.
    let spring = reader.situational_picture(&PictureQuery::of(w.kuopio).as_of(date(2025, 6, 1))).expect("as of");
    let library_then = spring
        .rows
        .iter()
        .find(|r| r.subject == PictureSubject::Unit(w.library) && r.granularity == "dimension")
        .expect("library");
    assert_eq!(library_then.trend.len(), 1);
    assert_eq!(library_then.gap, Some(3.0));
    let before_target =
        reader.situational_picture(&PictureQuery::of(w.kuopio).as_of(date(2025, 1, 15))).expect("as of");
    assert!(before_target.rows.is_empty(), "{:?}", before_target.rows);
    let other = reader.situational_picture(&PictureQuery::of(w.siilinjarvi)).expect("other");
    assert!(other.rows.is_empty());
}

#[test]
fn reapplying_from_an_older_checkpoint_ends_in_the_same_state_as_one_clean_pass() {
    let (_w, log) = world();
    let (clean_dir, clean) = projected(&log);
    drop(clean);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("views.sqlite");
    let mut projection = ViewsProjection::open(&path).expect("opens");
    let (head, _) = log.events.split_at(20);
    projection.apply(head).expect("first part");
    assert_eq!(projection.checkpoint().expect("checkpoint"), Some(Position::sequence(20)));
    // A crash lost the runner's memory: it re-feeds from an older position, overlapping.
    projection.apply(&log.events[10..30]).expect("overlap");
    projection.apply(&log.events[5..]).expect("rest");
    projection.apply(&log.events).expect("everything again");
    drop(projection);
    assert_eq!(dump(&path), dump(&clean_dir.path().join("views.sqlite")));
}

#[test]
fn the_checkpoint_survives_reopening() {
    let (_w, log) = world();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("views.sqlite");
    let mut projection = ViewsProjection::open(&path).expect("opens");
    assert_eq!(projection.checkpoint().expect("checkpoint"), None);
    projection.apply(&log.events[..12]).expect("applies");
    drop(projection);
    let reopened = ViewsProjection::open(&path).expect("reopens");
    assert_eq!(reopened.checkpoint().expect("checkpoint"), Some(Position::sequence(12)));
    assert_eq!(reopened.reader().expect("reader").checkpoint().expect("checkpoint"), Some(Position::sequence(12)));
}

#[test]
fn a_batch_that_fails_midway_leaves_nothing_and_names_the_event() {
    let (_w, log) = world();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("views.sqlite");
    let mut projection = ViewsProjection::open(&path).expect("opens");
    projection.apply(&log.events[..5]).expect("applies");
    let before = dump(&path);

    let mut bad = log.events[5].clone();
    bad.data = EventPayload::parse(r#"{"not":"a unit"}"#).expect("json");
    let batch = vec![bad.clone(), log.events[6].clone()];
    let mut good_then_bad = vec![log.events[5].clone()];
    good_then_bad.push(RecordedEvent { position: log.events[6].position, ..bad.clone() });
    for batch in [batch, good_then_bad] {
        match projection.apply(&batch) {
            Err(ProjectionError::Poison { event_type, reason, .. }) => {
                assert_eq!(event_type, bad.event_type.to_string());
                assert!(!reason.is_empty());
            }
            other => panic!("expected poison, got {other:?}"),
        }
        assert_eq!(dump(&path), before, "nothing of the failed batch was committed");
        assert_eq!(projection.checkpoint().expect("checkpoint"), Some(Position::sequence(5)));
    }

    let mut unknown = log.events[5].clone();
    unknown.event_type = EventType::parse("SomethingNobodyKnows").expect("type");
    assert!(matches!(projection.apply(&[unknown]), Err(ProjectionError::Poison { .. })));
    // The stream must also be well formed: a stream name is validated by its type already.
    let _ = StreamName::parse("practice-00000000-0000-0000-0000-000000000008").expect("valid");
    projection.apply(&log.events[5..]).expect("the rest still applies");
}

#[test]
fn a_name_that_cannot_be_read_fails_the_batch_instead_of_writing_a_summary_without_it() {
    let (_w, log) = world();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("views.sqlite");
    let mut projection = ViewsProjection::open(&path).expect("opens");
    // Up to the experiment's proposal: the next event, its outcome, names the experiment.
    projection.apply(&log.events[..6]).expect("applies");
    let before = dump(&path);

    // Another connection takes the names away; every later summary that names an entity fails.
    let side = Connection::open(&path).expect("opens");
    side.execute_batch("ALTER TABLE entity_names RENAME TO entity_names_away").expect("renames");
    match projection.apply(&log.events[6..]) {
        Err(ProjectionError::Storage { context, .. }) => {
            assert_eq!(context, "reading an entity's name for the audit summary");
        }
        other => panic!("expected a storage error, got {other:?}"),
    }
    side.execute_batch("ALTER TABLE entity_names_away RENAME TO entity_names").expect("renames back");
    assert_eq!(dump(&path), before, "nothing of the failed batch was committed");
    assert_eq!(projection.checkpoint().expect("checkpoint"), Some(Position::sequence(6)));

    // Retried once the names can be read, it ends as one clean pass does.
    projection.apply(&log.events[6..]).expect("applies");
    let (clean_dir, _clean) = projected(&log);
    assert_eq!(dump(&path), dump(&clean_dir.path().join("views.sqlite")));
}

/// Opens campaign `campaign` in Kuopio planned to close on `planned`, has six library staff
/// answer `answer` to item 1.1, closes it on `closed_on` and records the library's result
/// (`dimensions`: code and level).
fn library_campaign(
    log: &mut Log,
    w: &World,
    campaign: CampaignId,
    planned: NaiveDate,
    closed_on: NaiveDate,
    answer: u8,
    dimensions: &[(&str, f64)],
) {
    let opened = CampaignOpened {
        campaign,
        municipality: w.kuopio,
        framework: w.framework,
        units: vec![w.library],
        title: text(&format!("Kierros {planned}")),
        opens: planned - Duration::days(30),
        closes: planned,
        min_group_size: 5,
    };
    record!(log, campaign.stream(), CampaignEvent, opened, "user:anna");
    for n in 0..6u128 {
        let response = ResponseId(Uuid::from_u128((campaign.0.as_u128() << 8) + n));
        let submitted = ResponseSubmitted {
            campaign,
            response,
            respondent: RespondentRef::parse(&format!("r-{:08x}", response.0.as_u128() & 0xffff_ffff)).expect("ok"),
            unit: w.library,
            answers: vec![Answer { item: "1.1".into(), value: answer }],
            submitted_on: planned - Duration::days(3),
        };
        record!(log, campaign.stream(), CampaignEvent, submitted, "system");
    }
    let closed = CampaignClosed { campaign, closed_on, response_count: 6 };
    record!(log, campaign.stream(), CampaignEvent, closed, "system");
    let result = ResultComputed {
        campaign,
        framework: w.framework,
        subject: ResultSubject::Unit(w.library),
        scores: dimensions
            .iter()
            .map(|(code, level)| DimensionScore { dimension: (*code).into(), level: *level, percent: level * 12.5 })
            .collect(),
        overall: OverallScore { level: dimensions[0].1, percent: dimensions[0].1 * 12.5, band: None },
        scoring_rule: "mean".into(),
        scoring_rule_version: 1,
        response_count: 6,
        computed_on: closed_on,
    };
    record!(log, campaign.stream(), CampaignEvent, result, "system");
}

fn apply_in_batches(log: &Log, size: usize) -> (tempfile::TempDir, ViewsProjection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = ViewsProjection::open(dir.path().join("views.sqlite")).expect("opens");
    for batch in log.events.chunks(size) {
        projection.apply(batch).expect("applies");
    }
    (dir, projection)
}

#[test]
fn a_campaign_closed_later_than_planned_moves_its_figures_to_the_actual_close_date() {
    let (w, mut log) = world();
    let winter = CampaignId(Uuid::from_u128(12));
    library_campaign(&mut log, &w, winter, date(2026, 1, 31), date(2026, 2, 15), 6, &[("1", 5.0)]);
    let (one_dir, one_by_one) = apply_in_batches(&log, 1);
    let (all_dir, all_at_once) = apply_in_batches(&log, log.events.len());
    for projection in [&one_by_one, &all_at_once] {
        let reader = projection.reader().expect("reader");
        let trend = |as_of: NaiveDate, granularity: &str| -> Vec<CampaignId> {
            let picture = reader.situational_picture(&PictureQuery::of(w.kuopio).as_of(as_of)).expect("picture");
            let row = picture
                .rows
                .iter()
                .find(|r| r.subject == PictureSubject::Unit(w.library) && r.granularity == granularity)
                .expect("library row");
            row.trend.iter().map(|p| p.campaign).collect()
        };
        for granularity in ["dimension", "competence"] {
            assert_eq!(trend(date(2026, 2, 1), granularity), [w.spring, w.autumn], "{granularity} before the close");
            assert_eq!(trend(date(2026, 2, 15), granularity), [w.spring, w.autumn, winter], "{granularity} closed");
        }
        let picture = reader.situational_picture(&PictureQuery::of(w.kuopio)).expect("picture");
        let items = picture
            .rows
            .iter()
            .find(|r| r.subject == PictureSubject::Unit(w.library) && r.granularity == "competence")
            .expect("competences");
        let last = items.trend.last().expect("a point");
        assert_eq!(last.close_date, date(2026, 2, 15));
        assert!(matches!(last.figure, Figure::Shown { level, response_count: 6, .. } if level == 6.0));
    }
    drop((one_by_one, all_at_once));
    assert_eq!(
        dump(&one_dir.path().join("views.sqlite")),
        dump(&all_dir.path().join("views.sqlite")),
        "batching does not change the views"
    );
}

/// Every level a diff shows rests on at least the campaign's minimum group (5 in the world).
fn assert_no_withheld_level(rows: &[RowDiff]) {
    for row in rows {
        for state in [&row.before, &row.after].into_iter().flatten() {
            for point in [&state.newest, &state.latest].into_iter().flatten() {
                if let Figure::Shown { response_count, .. } = point.figure {
                    assert!(response_count >= 5, "a withheld figure leaked: {row:?}");
                }
            }
            if let Some(latest) = &state.latest {
                assert!(matches!(latest.figure, Figure::Shown { .. }), "latest is never suppressed: {row:?}");
            }
        }
        let shown = |state: &Option<crate::picture::RowState>| {
            state.as_ref().and_then(|s| s.latest.as_ref()).and_then(|p| p.figure.level())
        };
        if shown(&row.before).is_none() || shown(&row.after).is_none() {
            assert_eq!(row.level_change, None, "no change without two shown levels: {row:?}");
        }
    }
}

#[test]
fn the_picture_diff_between_two_dates_gives_levels_before_and_after_and_the_change() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let diff =
        reader.situational_picture_diff(&PictureQuery::of(w.kuopio), date(2025, 6, 1), date(2026, 1, 1)).expect("diff");
    assert_eq!((diff.municipality, diff.from, diff.to), (w.kuopio, date(2025, 6, 1), date(2026, 1, 1)));
    assert_no_withheld_level(&diff.rows);
    let row = |unit: UnitId, granularity: &str| {
        diff.rows
            .iter()
            .find(|r| r.subject == PictureSubject::Unit(unit) && r.granularity == granularity)
            .unwrap_or_else(|| panic!("no {granularity} row for {unit:?} in {:?}", diff.rows))
    };
    let library = row(w.library, "dimension");
    assert_eq!(library.change, RowChange::Changed);
    let level =
        |state: &Option<crate::picture::RowState>| state.as_ref().and_then(|s| s.latest.as_ref()?.figure.level());
    assert_eq!(level(&library.before), Some(3.0));
    assert_eq!(level(&library.after), Some(4.5));
    assert_eq!(library.level_change, Some(1.5));
    assert_eq!(library.after.as_ref().and_then(|s| s.latest.as_ref()).map(|p| p.campaign), Some(w.autumn));
    assert_eq!(library.after.as_ref().and_then(|s| s.target).map(|t| t.level), Some(6.0));
    assert_eq!(library.unit_name.as_deref(), Some("Kirjasto"));

    // The school's spring figure was withheld: before, there is no level, only the suppression.
    let school = row(w.school, "overall");
    assert_eq!(school.change, RowChange::Changed);
    let before = school.before.as_ref().expect("in the picture in June");
    assert_eq!(before.newest.as_ref().map(|p| p.figure), Some(Figure::Suppressed { min_group_size: 5 }));
    assert_eq!(before.latest, None);
    assert_eq!(level(&school.after), Some(2.0));
    assert_eq!(school.level_change, None, "a change from a withheld figure would reveal it");

    // Nothing changed between November and January, nor between a date and itself.
    for (from, to) in [(date(2025, 11, 1), date(2026, 1, 1)), (date(2025, 6, 1), date(2025, 6, 1))] {
        let quiet = reader.situational_picture_diff(&PictureQuery::of(w.kuopio), from, to).expect("diff");
        assert!(quiet.rows.is_empty(), "{from}..{to}: {:?}", quiet.rows);
    }
    // A unit filter narrows the diff like the picture.
    let query = PictureQuery { unit: Some(w.school), ..PictureQuery::of(w.kuopio) };
    let school_only = reader.situational_picture_diff(&query, date(2025, 6, 1), date(2026, 1, 1)).expect("diff");
    assert!(!school_only.rows.is_empty());
    assert!(school_only.rows.iter().all(|r| r.subject == PictureSubject::Unit(w.school)));
}

#[test]
fn a_picture_diff_from_before_any_campaign_lists_new_rows_and_keeps_small_groups_withheld() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let diff = reader
        .situational_picture_diff(&PictureQuery::of(w.kuopio), date(2025, 1, 15), date(2025, 6, 1))
        .expect("diff");
    assert_no_withheld_level(&diff.rows);
    assert!(!diff.rows.is_empty());
    assert!(diff.rows.iter().all(|r| r.change == RowChange::New && r.before.is_none()), "{:?}", diff.rows);
    let picture = reader.situational_picture(&PictureQuery::of(w.kuopio).as_of(date(2025, 6, 1))).expect("picture");
    assert_eq!(diff.rows.len(), picture.rows.len(), "every row of the June picture is new");
    let school: Vec<&RowDiff> = diff.rows.iter().filter(|r| r.subject == PictureSubject::Unit(w.school)).collect();
    assert!(!school.is_empty());
    for row in school {
        let after = row.after.as_ref().expect("new rows have an after");
        assert_eq!(after.newest.as_ref().map(|p| p.figure), Some(Figure::Suppressed { min_group_size: 5 }), "{row:?}");
        assert_eq!(after.latest, None, "{row:?}");
    }
}

#[test]
fn a_row_whose_campaigns_leave_the_trend_window_is_removed_in_the_diff() {
    let (w, mut log) = world();
    // Dimension 2 is measured once, early; then enough campaigns follow to push it out.
    let first = CampaignId(Uuid::from_u128(100));
    library_campaign(&mut log, &w, first, date(2026, 1, 31), date(2026, 1, 31), 5, &[("1", 5.0), ("2", 3.0)]);
    let later = TREND_CAMPAIGNS;
    for n in 1..=later {
        let closes = date(2026, 1, 31) + Duration::days(30 * n);
        let campaign = CampaignId(Uuid::from_u128(100 + u128::try_from(n).expect("small")));
        library_campaign(&mut log, &w, campaign, closes, closes, 5, &[("1", 5.0)]);
    }
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let end = date(2026, 1, 31) + Duration::days(30 * later);
    let diff = reader.situational_picture_diff(&PictureQuery::of(w.kuopio), date(2026, 2, 1), end).expect("diff");
    assert_no_withheld_level(&diff.rows);
    let removed: Vec<(&str, &str)> = diff
        .rows
        .iter()
        .filter(|r| r.change == RowChange::Removed)
        .map(|r| (r.granularity.as_str(), r.dimension.as_str()))
        .collect();
    assert!(removed.contains(&("dimension", "2")), "{removed:?}");
    let gone = diff.rows.iter().find(|r| r.dimension == "2").expect("dimension 2");
    assert_eq!((gone.after.as_ref(), gone.level_change), (None, None));
    assert_eq!(gone.before.as_ref().and_then(|s| s.latest.as_ref()?.figure.level()), Some(3.0));
    // The library's dimension 1 stays, at the same level, with a newer campaign.
    let kept = diff
        .rows
        .iter()
        .find(|r| r.subject == PictureSubject::Unit(w.library) && r.granularity == "dimension" && r.dimension == "1")
        .expect("dimension 1");
    assert_eq!((kept.change, kept.level_change), (RowChange::Changed, Some(0.0)));
}

#[test]
fn a_picture_diff_with_a_reversed_range_or_an_as_of_is_refused_naming_the_field() {
    let (w, log) = world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    match reader.situational_picture_diff(&PictureQuery::of(w.kuopio), date(2026, 1, 1), date(2025, 1, 1)) {
        Err(error @ ViewsError::InvalidInput { field: "from", .. }) => {
            assert!(error.to_string().contains("`from`"), "{error}");
        }
        other => panic!("expected an invalid `from`, got {other:?}"),
    }
    let with_as_of = PictureQuery::of(w.kuopio).as_of(date(2025, 6, 1));
    assert!(matches!(
        reader.situational_picture_diff(&with_as_of, date(2025, 1, 1), date(2026, 1, 1)),
        Err(ViewsError::InvalidInput { field: "as_of", .. })
    ));
}

#[test]
fn a_rebuild_written_without_journal_ends_as_the_live_model_and_still_rolls_back_a_failed_batch() {
    let (_w, log) = world();
    let (live_dir, live) = projected(&log);
    drop(live);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("views.sqlite");
    let mut rebuild = ViewsProjection::open_for_rebuild(&path).expect("opens");
    rebuild.apply(&log.events[..9]).expect("applies");
    let before = dump(&path);
    let mut bad = log.events[10].clone();
    bad.data = EventPayload::parse(r#"{"not":"an event"}"#).expect("json");
    let batch = [log.events[9].clone(), bad];
    assert!(matches!(rebuild.apply(&batch), Err(ProjectionError::Poison { .. })));
    assert_eq!(dump(&path), before, "the failed batch was rolled back");
    for chunk in log.events[9..].chunks(7) {
        rebuild.apply(chunk).expect("applies");
    }
    drop(rebuild);
    crate::finish_rebuild(&path).expect("finishes");
    let mode: String =
        Connection::open(&path).and_then(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0))).expect("mode");
    assert_eq!(mode, "wal");
    assert_eq!(dump(&path), dump(&live_dir.path().join("views.sqlite")));
    let schema = |path: &std::path::Path| -> Vec<(String, String, Option<String>)> {
        Connection::open(path)
            .and_then(|c| {
                c.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .expect("reads the schema")
    };
    assert_eq!(schema(&path), schema(&live_dir.path().join("views.sqlite")), "the same tables and indexes");
    // The finished file answers queries through the same indexes.
    let plan: String = Connection::open(&path)
        .and_then(|c| {
            c.query_row(
                "EXPLAIN QUERY PLAN SELECT seq FROM audit WHERE entity_kind = 'x' AND entity_id = 'y'",
                [],
                |r| r.get(3),
            )
        })
        .expect("plans");
    assert!(plan.contains("audit_by_entity"), "{plan}");
    assert!(
        matches!(ViewsProjection::open_for_rebuild(&path), Err(ViewsError::Corrupt(_))),
        "a rebuild never writes over views that hold a checkpoint"
    );
    let reopened = ViewsProjection::open(&path).expect("opens as the live model");
    assert_eq!(reopened.checkpoint().expect("checkpoint"), log.events.last().map(|e| e.position));
}

/// The situational picture as of a date on a large read model; run with
/// `cargo test -p kirjuri-views --release -- --ignored --nocapture picture_timing`.
#[test]
#[ignore = "a benchmark, not a test"]
fn picture_timing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = ViewsProjection::open(dir.path().join("views.sqlite")).expect("opens");
    let mut log = Log::new();
    let digcomp = digcomp_2_2().expect("DigComp");
    let framework = digcomp.id();
    let municipalities: Vec<MunicipalityId> = (0..10).map(|i| MunicipalityId(Uuid::from_u128(100 + i))).collect();
    record!(
        log,
        framework.stream(),
        FrameworkEvent,
        FrameworkPublished { framework, definition: digcomp.clone() },
        "system"
    );
    let units_per_municipality = 60u128;
    for (m, municipality) in municipalities.iter().enumerate() {
        let units: Vec<UnitId> =
            (0..units_per_municipality).map(|u| UnitId(Uuid::from_u128(10_000 + m as u128 * 1_000 + u))).collect();
        for unit in &units {
            let event = UnitEstablished {
                unit: *unit,
                municipality: *municipality,
                name: text("Yksikkö"),
                parent: None,
                sector: Sector::SocialAndHealth,
            };
            record!(log, unit.stream(), UnitEvent, event, "system");
            for dimension in ["1", "2", "3", "4", "5"] {
                let target = UnitTargetSet {
                    unit: *unit,
                    framework,
                    dimension: dimension.into(),
                    target: 5.0,
                    due: date(2030, 1, 1),
                    set_on: date(2020, 1, 1),
                    set_by: None,
                    rationale: None,
                };
                record!(log, unit.stream(), UnitEvent, target, "system");
            }
        }
        for c in 0..20u32 {
            let campaign = CampaignId(Uuid::from_u128(1_000_000 + m as u128 * 100 + u128::from(c)));
            let closes = date(2020, 1, 31) + Duration::days(i64::from(c) * 91);
            let opened = CampaignOpened {
                campaign,
                municipality: *municipality,
                framework,
                units: units.clone(),
                title: text("Kierros"),
                opens: closes - Duration::days(30),
                closes,
                min_group_size: 5,
            };
            record!(log, campaign.stream(), CampaignEvent, opened, "system");
            for (u, unit) in units.iter().enumerate() {
                let level = 2.0 + (u % 5) as f64;
                let result = ResultComputed {
                    campaign,
                    framework,
                    subject: ResultSubject::Unit(*unit),
                    scores: ["1", "2", "3", "4", "5"]
                        .iter()
                        .map(|d| DimensionScore { dimension: (*d).into(), level, percent: level * 12.5 })
                        .collect(),
                    overall: OverallScore { level, percent: level * 12.5, band: None },
                    scoring_rule: "mean".into(),
                    scoring_rule_version: 1,
                    response_count: 3 + (u % 10) as u32,
                    computed_on: closes,
                };
                record!(log, campaign.stream(), CampaignEvent, result, "system");
            }
            let closed = CampaignClosed { campaign, closed_on: closes, response_count: 0 };
            record!(log, campaign.stream(), CampaignEvent, closed, "system");
        }
    }
    let started = std::time::Instant::now();
    for batch in log.events.chunks(2_000) {
        projection.apply(batch).expect("applies");
    }
    let apply_time = started.elapsed();
    let reader = projection.reader().expect("reader");
    let mut times = Vec::new();
    for i in 0..50u32 {
        let municipality = municipalities[(i % 10) as usize];
        let as_of = date(2020, 1, 1) + Duration::days(i64::from(i) * 37);
        let started = std::time::Instant::now();
        let picture = reader.situational_picture(&PictureQuery::of(municipality).as_of(as_of)).expect("picture");
        times.push(started.elapsed());
        assert!(!picture.rows.is_empty());
    }
    times.sort();
    let p50 = times[times.len() / 2];
    let max = times[times.len() - 1];
    let limit = std::time::Duration::from_millis(50);
    println!(
        "events {} applied in {apply_time:?} ({:.0} events/s); situational picture as of a date \
         ({} units x 20 campaigns x 6 figures per municipality): p50 {p50:?}, max {max:?}; limit {limit:?}, max/limit {:.3}",
        log.events.len(),
        log.events.len() as f64 / apply_time.as_secs_f64(),
        units_per_municipality,
        max.as_secs_f64() / limit.as_secs_f64()
    );
}

mod lists;

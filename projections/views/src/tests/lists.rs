//! The lists: experiments, lessons, practices, bodies and municipalities folded from events,
//! filtered, paged, kept within a municipality; and a version 2 file refilled from history.

use kirjuri_events::domain::experiment::{
    DecisionCitation, EndState, ExperimentApproved, ExperimentConcluded, ExperimentPhase, ExperimentScope, Stage,
    StageChanged,
};
use kirjuri_events::domain::lesson::{LessonActionAssigned, LessonPhase};
use kirjuri_events::domain::organisation::{PartnerInvitationWithdrawn, PartnerInvited, PartnerNetworkJoined};
use kirjuri_events::domain::practice::{PracticePhase, Tag};

use super::*;
use crate::id;
use crate::lists::{ExperimentFilter, LessonFilter, ListCursor, ListRequest, PracticeFilter};
use crate::{MunicipalityRelation, schema};

/// The ids [`with_lists`] adds to the world.
struct Lists {
    oulu: MunicipalityId,
    committee: BodyId,
    oulu_body: BodyId,
    planned: ExperimentId,
    oulu_experiment: ExperimentId,
    tagged_lesson: LessonId,
    oulu_lesson: LessonId,
    rejected: PracticeId,
    oulu_practice: PracticeId,
    oulu_private: PracticeId,
}

fn proposal(
    experiment: ExperimentId,
    municipality: MunicipalityId,
    name: &str,
    units: Vec<UnitId>,
    on: NaiveDate,
) -> ExperimentProposed {
    ExperimentProposed {
        experiment,
        municipality,
        name: text(name),
        problem: text("Jonot"),
        hypothesis: text("Jonot lyhenevät"),
        units,
        themes: vec![],
        proposed: on,
    }
}

fn lesson(lesson: LessonId, municipality: MunicipalityId, title: &str, tags: &[&str]) -> LessonIdentified {
    LessonIdentified {
        lesson,
        municipality,
        unit: None,
        title: text(title),
        driving_event: text("Kokeilu"),
        lesson_text: text("Opittiin"),
        recommendations: vec![],
        observations: vec![],
        sources: vec![],
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn draft(practice: PracticeId, municipality: MunicipalityId, title: &str, tags: &[&str]) -> PracticeDrafted {
    PracticeDrafted {
        practice,
        municipality,
        title: text(title),
        context: text("Jonot"),
        options_considered: vec![],
        chosen_option: text("Näin"),
        consequences: Consequences::default(),
        evidence: vec![],
        tags: tags.iter().map(|t| Tag::parse(t).expect("tag")).collect(),
    }
}

fn decision(practice: PracticeId, body: BodyId, on: NaiveDate, resolution: Resolution) -> PracticeDecided {
    PracticeDecided {
        practice,
        version: 1,
        body,
        meeting_date: on,
        section: SectionNumber::parse(7).expect("section"),
        motion: text("Esitys"),
        decision: text("Päätös"),
        resolution,
        rationale: None,
    }
}

/// The world of [`world`] and more: the first experiment approved, run and concluded, a
/// second one proposed, lessons with actions and tags, a rejected practice decided by a
/// committee, Siilinjärvi in Kuopio's partner network, and Oulu with records of its own (one
/// practice shared with Kuopio, one not).
fn with_lists(w: &World, log: &mut Log) -> Lists {
    let l = Lists {
        oulu: MunicipalityId(Uuid::from_u128(20)),
        committee: BodyId(Uuid::from_u128(21)),
        oulu_body: BodyId(Uuid::from_u128(22)),
        planned: ExperimentId(Uuid::from_u128(23)),
        oulu_experiment: ExperimentId(Uuid::from_u128(24)),
        tagged_lesson: LessonId(Uuid::from_u128(25)),
        oulu_lesson: LessonId(Uuid::from_u128(26)),
        rejected: PracticeId(Uuid::from_u128(27)),
        oulu_practice: PracticeId(Uuid::from_u128(28)),
        oulu_private: PracticeId(Uuid::from_u128(29)),
    };
    let registered = MunicipalityRegistered {
        municipality: l.oulu,
        code: MunicipalityCode::parse("564").expect("code"),
        name: text("Oulu"),
    };
    record!(log, l.oulu.stream(), MunicipalityEvent, registered, "user:admin");
    let joined = PartnerNetworkJoined {
        municipality: w.siilinjarvi,
        host: w.kuopio,
        joined_on: date(2025, 1, 2),
        agreement: None,
    };
    record!(log, w.siilinjarvi.stream(), MunicipalityEvent, joined, "user:admin");
    for (body, municipality, name, kind) in [
        (l.committee, w.kuopio, "Hyvinvointilautakunta", BodyKind::Committee),
        (l.oulu_body, l.oulu, "Oulun kaupunginhallitus", BodyKind::CityBoard),
    ] {
        let registered =
            BodyRegistered { body, municipality, name: text(name), kind, parent: None, founded: date(2021, 8, 1) };
        record!(log, body.stream(), BodyEvent, registered, "user:admin");
    }

    let approved = ExperimentApproved {
        experiment: w.experiment,
        decision: DecisionCitation {
            body: w.board,
            meeting_date: date(2025, 1, 20),
            section: 12,
            decision_text: text("Hyväksyttiin"),
        },
        scope: ExperimentScope { group: text("Asiakkaat"), place: text("Keskusta") },
        starts: date(2025, 2, 1),
        ends: date(2025, 6, 30),
        budget_euros: None,
    };
    record!(log, w.experiment.stream(), ExperimentEvent, approved, "user:anna");
    let running = StageChanged {
        experiment: w.experiment,
        from: Stage::Planning,
        to: Stage::Running,
        changed: date(2025, 2, 1),
        reason: None,
    };
    record!(log, w.experiment.stream(), ExperimentEvent, running, "user:anna");
    let concluded = ExperimentConcluded {
        experiment: w.experiment,
        end_state: EndState::Completed,
        summary: text("Onnistui"),
        concluded: date(2025, 7, 1),
        success_rating: Some(8),
    };
    record!(log, w.experiment.stream(), ExperimentEvent, concluded, "user:anna");
    let planned = proposal(l.planned, w.kuopio, "Koulun etätunnit", vec![w.school], date(2025, 8, 1));
    record!(log, l.planned.stream(), ExperimentEvent, planned, "user:anna");
    let oulu_experiment = proposal(l.oulu_experiment, l.oulu, "Oulun kokeilu", vec![], date(2025, 3, 1));
    record!(log, l.oulu_experiment.stream(), ExperimentEvent, oulu_experiment, "user:olli");

    let action =
        LessonActionAssigned { lesson: w.lesson, unit: w.library, action: text("Ohjeistetaan"), due: date(2025, 9, 1) };
    record!(log, w.lesson.stream(), LessonEvent, action, "user:ville");
    let tagged = lesson(l.tagged_lesson, w.kuopio, "Etäyhteys pätkii", &["etä", "verkko"]);
    record!(log, l.tagged_lesson.stream(), LessonEvent, tagged, "user:ville");
    let oulu_lesson = lesson(l.oulu_lesson, l.oulu, "Oulun oppi", &["etä"]);
    record!(log, l.oulu_lesson.stream(), LessonEvent, oulu_lesson, "user:olli");

    let rejected = draft(l.rejected, w.kuopio, "Paperiton asiointi", &["asiointi"]);
    record!(log, l.rejected.stream(), PracticeEvent, rejected, "user:anna");
    let submitted = PracticeSubmitted {
        practice: l.rejected,
        version: 1,
        body: l.committee,
        case_number: CaseNumber::parse("KUO/77/00.01.02/2025").expect("case"),
    };
    record!(log, l.rejected.stream(), PracticeEvent, submitted, "user:anna");
    let decided = decision(l.rejected, l.committee, date(2025, 6, 1), Resolution::Rejected);
    record!(log, l.rejected.stream(), PracticeEvent, decided, "user:secretary");
    for (practice, title) in [(l.oulu_practice, "Oulun malli"), (l.oulu_private, "Oulun sisäinen")] {
        let drafted = draft(practice, l.oulu, title, &["asiointi"]);
        record!(log, practice.stream(), PracticeEvent, drafted, "user:olli");
    }
    let shared = PracticeShared { practice: l.oulu_practice, version: 1, partners: vec![w.kuopio] };
    record!(log, l.oulu_practice.stream(), PracticeEvent, shared, "user:olli");
    l
}

fn listed_world() -> (World, Lists, Log) {
    let (w, mut log) = world();
    let l = with_lists(&w, &mut log);
    (w, l, log)
}

/// The last revision `log` holds for `stream`.
fn last_revision(log: &Log, stream: &StreamName) -> u64 {
    log.events.iter().filter(|e| &e.stream == stream).map(|e| e.revision.0).max().expect("a stream with events")
}

#[test]
fn experiments_follow_their_life_cycle_and_filter_by_status_unit_and_proposal_date() {
    let (w, l, log) = listed_world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let all = reader.experiments(w.kuopio, &ExperimentFilter::default(), ListRequest::default()).expect("lists");
    let ids: Vec<ExperimentId> = all.items.iter().map(|e| e.experiment).collect();
    assert_eq!(ids, [l.planned, w.experiment], "newest first, Oulu's absent");
    assert_eq!(all.next, None);
    let concluded = &all.items[1];
    assert_eq!((concluded.status, concluded.end_state.as_deref()), (ExperimentPhase::Concluded, Some("completed")));
    assert_eq!((concluded.approved_by, concluded.approved_on), (Some(w.board), Some(date(2025, 1, 20))));
    assert_eq!((concluded.starts, concluded.ends), (Some(date(2025, 2, 1)), Some(date(2025, 6, 30))));
    assert_eq!(concluded.concluded_on, Some(date(2025, 7, 1)));
    assert_eq!(concluded.units, [w.library]);
    assert_eq!((all.items[0].status, all.items[0].approved_by), (ExperimentPhase::Proposed, None));

    let only = |filter: ExperimentFilter| -> Vec<ExperimentId> {
        reader
            .experiments(w.kuopio, &filter, ListRequest::default())
            .expect("lists")
            .items
            .iter()
            .map(|e| e.experiment)
            .collect()
    };
    assert_eq!(
        only(ExperimentFilter { status: Some(ExperimentPhase::Concluded), ..Default::default() }),
        [w.experiment]
    );
    assert_eq!(only(ExperimentFilter { status: Some(ExperimentPhase::Running), ..Default::default() }), []);
    assert_eq!(only(ExperimentFilter { unit: Some(w.school), ..Default::default() }), [l.planned]);
    assert_eq!(
        only(ExperimentFilter { from: Some(date(2025, 1, 10)), to: Some(date(2025, 1, 10)), ..Default::default() }),
        [w.experiment]
    );
    assert_eq!(only(ExperimentFilter { from: Some(date(2025, 1, 11)), ..Default::default() }), [l.planned]);

    let one = reader.experiment(w.experiment).expect("reads").expect("exists");
    assert_eq!(one.item, all.items[1]);
    assert_eq!(one.revision, last_revision(&log, &w.experiment.stream()));
    assert_eq!(reader.experiment(l.oulu_experiment).expect("reads").map(|x| x.item.municipality), Some(l.oulu));
    assert_eq!(reader.experiment(ExperimentId(Uuid::from_u128(999))).expect("reads"), None);
}

#[test]
fn lessons_show_their_status_tags_and_experiment_and_filter_by_them() {
    let (w, l, log) = listed_world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let all = reader.lessons(w.kuopio, &LessonFilter::default(), ListRequest::default()).expect("lists");
    let ids: Vec<LessonId> = all.items.iter().map(|x| x.lesson).collect();
    assert_eq!(ids, [l.tagged_lesson, w.lesson]);
    assert_eq!((all.items[1].status, all.items[1].experiment), (LessonPhase::Acting, Some(w.experiment)));
    assert_eq!(all.items[1].unit, Some(w.library));
    assert_eq!(all.items[0].tags, ["etä", "verkko"]);
    let only = |filter: LessonFilter| -> Vec<LessonId> {
        reader
            .lessons(w.kuopio, &filter, ListRequest::default())
            .expect("lists")
            .items
            .iter()
            .map(|x| x.lesson)
            .collect()
    };
    assert_eq!(
        only(LessonFilter { tag: Some("etä".into()), ..Default::default() }),
        [l.tagged_lesson],
        "Oulu's tagged lesson absent"
    );
    assert_eq!(only(LessonFilter { experiment: Some(w.experiment), ..Default::default() }), [w.lesson]);
    assert_eq!(only(LessonFilter { status: Some(LessonPhase::Identified), ..Default::default() }), [l.tagged_lesson]);
    let recorded = all.items[1].recorded_at.date_naive();
    assert_eq!(only(LessonFilter { from: Some(recorded), to: Some(recorded), ..Default::default() }), [w.lesson]);
    assert_eq!(only(LessonFilter { to: recorded.pred_opt(), ..Default::default() }), []);
    let one = reader.lesson(w.lesson).expect("reads").expect("exists");
    assert_eq!((one.item.clone(), one.revision), (all.items[1].clone(), last_revision(&log, &w.lesson.stream())));
}

#[test]
fn practices_include_those_shared_with_the_municipality_and_filter_by_decision_status_and_tag() {
    let (w, l, log) = listed_world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let all = reader.practices(w.kuopio, &PracticeFilter::default(), ListRequest::default()).expect("lists");
    let ids: Vec<(PracticeId, bool)> = all.items.iter().map(|p| (p.practice, p.shared)).collect();
    assert_eq!(
        ids,
        [(l.oulu_practice, true), (l.rejected, false), (w.successor, false), (w.practice, false)],
        "Oulu's unshared practice is absent"
    );
    let rejected = &all.items[1];
    assert_eq!(rejected.status, PracticePhase::Rejected);
    assert_eq!(rejected.tags, ["asiointi"]);
    let latest = rejected.latest_decision.as_ref().expect("decided");
    assert_eq!(
        (latest.body, latest.meeting_date, latest.resolution.as_str()),
        (l.committee, date(2025, 6, 1), "rejected")
    );
    assert_eq!(all.items[3].status, PracticePhase::Superseded);

    let only = |filter: PracticeFilter| -> Vec<PracticeId> {
        reader
            .practices(w.kuopio, &filter, ListRequest::default())
            .expect("lists")
            .items
            .iter()
            .map(|p| p.practice)
            .collect()
    };
    assert_eq!(only(PracticeFilter { body: Some(w.board), ..Default::default() }), [w.practice]);
    assert_eq!(only(PracticeFilter { body: Some(l.committee), ..Default::default() }), [l.rejected]);
    assert_eq!(only(PracticeFilter { from: Some(date(2025, 5, 1)), ..Default::default() }), [l.rejected]);
    assert_eq!(only(PracticeFilter { body: Some(w.board), from: Some(date(2025, 5, 1)), ..Default::default() }), []);
    assert_eq!(only(PracticeFilter { to: Some(date(2025, 4, 7)), ..Default::default() }), [w.practice]);
    assert_eq!(
        only(PracticeFilter { status: Some(PracticePhase::Draft), ..Default::default() }),
        [l.oulu_practice, w.successor]
    );
    assert_eq!(
        only(PracticeFilter { tag: Some("asiointi".into()), ..Default::default() }),
        [l.oulu_practice, l.rejected]
    );
    let oulu = reader.practices(l.oulu, &PracticeFilter::default(), ListRequest::default()).expect("lists");
    assert!(oulu.items.iter().all(|p| !p.shared && p.municipality == l.oulu), "{oulu:?}");
    assert_eq!(oulu.items.len(), 2);
}

#[test]
fn bodies_and_municipalities_stay_within_the_municipality_and_its_partner_network() {
    let (w, l, log) = listed_world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let bodies = reader.bodies(w.kuopio, None, ListRequest::default()).expect("lists");
    let ids: Vec<BodyId> = bodies.items.iter().map(|b| b.body).collect();
    assert_eq!(ids, [l.committee, w.board]);
    assert_eq!((bodies.items[1].kind.as_str(), bodies.items[1].name_en.as_deref()), ("city_board", Some("City board")));
    let boards = reader.bodies(w.kuopio, Some(BodyKind::CityBoard), ListRequest::default()).expect("lists");
    assert_eq!(boards.items.iter().map(|b| b.body).collect::<Vec<_>>(), [w.board]);

    let seen = |municipality| -> Vec<(MunicipalityId, MunicipalityRelation)> {
        let listed = reader.municipalities(municipality, ListRequest::default()).expect("lists");
        listed.items.iter().map(|(row, relation)| (row.municipality, *relation)).collect()
    };
    assert_eq!(seen(w.kuopio), [(w.siilinjarvi, MunicipalityRelation::Partner), (w.kuopio, MunicipalityRelation::Own)]);
    assert_eq!(
        seen(w.siilinjarvi),
        [(w.siilinjarvi, MunicipalityRelation::Own), (w.kuopio, MunicipalityRelation::Host)]
    );
    assert_eq!(seen(l.oulu), [(l.oulu, MunicipalityRelation::Own)]);
    let kuopio = reader.municipality(w.kuopio).expect("reads").expect("exists");
    assert_eq!((kuopio.item.row.code.as_str(), kuopio.item.partners.clone()), ("297", vec![w.siilinjarvi]));
    let siilinjarvi = reader.municipality(w.siilinjarvi).expect("reads").expect("exists");
    assert_eq!(siilinjarvi.item.hosts, [w.kuopio]);
    assert_eq!(siilinjarvi.revision, 1, "registered, then joined a network");
}

#[test]
fn a_withdrawn_invitation_ends_the_partnership_built_on_it_even_when_the_join_lands_after_it() {
    let (w, l, mut log) = listed_world();
    // Kuopio withdraws Siilinjärvi's consent: the partnership ends at once.
    let withdrawn = PartnerInvitationWithdrawn {
        host: w.kuopio,
        partner: w.siilinjarvi,
        withdrawn_on: date(2025, 6, 1),
        reason: None,
    };
    record!(log, w.kuopio.stream(), MunicipalityEvent, withdrawn, "user:admin");
    // Kuopio invites Oulu and withdraws; Oulu's join, decided before it heard, lands after.
    let invited = PartnerInvited { host: w.kuopio, partner: l.oulu, invited_on: date(2025, 2, 1), agreement: None };
    record!(log, w.kuopio.stream(), MunicipalityEvent, invited, "user:admin");
    let withdrawn =
        PartnerInvitationWithdrawn { host: w.kuopio, partner: l.oulu, withdrawn_on: date(2025, 3, 1), reason: None };
    record!(log, w.kuopio.stream(), MunicipalityEvent, withdrawn, "user:admin");
    let joined =
        PartnerNetworkJoined { municipality: l.oulu, host: w.kuopio, joined_on: date(2025, 2, 15), agreement: None };
    record!(log, l.oulu.stream(), MunicipalityEvent, joined, "user:admin");
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let seen = |municipality| -> Vec<MunicipalityId> {
        let listed = reader.municipalities(municipality, ListRequest::default()).expect("lists");
        listed.items.iter().map(|(row, _)| row.municipality).collect()
    };
    assert_eq!(seen(w.kuopio), [w.kuopio], "no partner is left in Kuopio's network");
    assert_eq!(seen(w.siilinjarvi), [w.siilinjarvi]);
    assert_eq!(seen(l.oulu), [l.oulu]);
    let kuopio = reader.municipality(w.kuopio).expect("reads").expect("exists");
    assert!(kuopio.item.partners.is_empty(), "{:?}", kuopio.item.partners);
}

#[test]
fn pages_of_one_cover_every_item_once_and_bad_requests_name_the_field() {
    let (w, _l, log) = listed_world();
    let (_dir, projection) = projected(&log);
    let reader = projection.reader().expect("reader");
    let whole = reader.practices(w.kuopio, &PracticeFilter::default(), ListRequest::first(100)).expect("lists");
    let mut paged = Vec::new();
    let mut request = ListRequest::first(1);
    loop {
        let page = reader.practices(w.kuopio, &PracticeFilter::default(), request).expect("a page");
        assert!(page.items.len() <= 1);
        paged.extend(page.items);
        let Some(next) = page.next else { break };
        let text = next.to_string();
        request.after = Some(ListCursor::parse(&text).expect("a cursor reads back"));
    }
    assert_eq!(paged, whole.items);
    assert!(whole.items.len() > 2);

    for limit in [0, 101] {
        let error = reader.bodies(w.kuopio, None, ListRequest::first(limit)).expect_err("limit");
        assert!(matches!(error, ViewsError::InvalidInput { field: "limit", .. }), "{error}");
    }
    let reversed = ExperimentFilter { from: Some(date(2025, 2, 1)), to: Some(date(2025, 1, 1)), ..Default::default() };
    let error = reader.experiments(w.kuopio, &reversed, ListRequest::default()).expect_err("reversed");
    assert!(matches!(error, ViewsError::InvalidInput { field: "to", .. }), "{error}");
    for bad in ["", "-1", "0", "1.5", "x", "99999999999999999999"] {
        assert!(matches!(ListCursor::parse(bad), Err(ViewsError::MalformedCursor(_))), "{bad}");
    }
    let error = crate::lists::parse_status::<ExperimentPhase>("status", "sideways").expect_err("not a status");
    assert_eq!(
        error.to_string(),
        ViewsError::InvalidInput {
            field: "status",
            reason: "`sideways` is not one of proposed, approved, running, evaluating, concluded".to_owned()
        }
        .to_string()
    );
    assert_eq!(crate::lists::parse_status::<ExperimentPhase>("status", "running").ok(), Some(ExperimentPhase::Running));
    assert!(crate::lists::parse_body_kind("kind", "city_board").is_ok());
    assert!(crate::lists::parse_body_kind("kind", "parliament").is_err());
}

#[test]
fn lists_applied_in_overlapping_batches_or_by_a_rebuild_end_as_one_clean_pass() {
    let (_w, _l, log) = listed_world();
    let (clean_dir, clean) = apply_in_batches(&log, log.events.len());
    drop(clean);
    let clean = dump(&clean_dir.path().join("views.sqlite"));
    assert!(
        clean.iter().any(|line| line.starts_with("experiments:"))
            && clean.iter().any(|l| l.starts_with("lesson_tags:"))
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("views.sqlite");
    let mut live = ViewsProjection::open(&path).expect("opens");
    live.apply(&log.events[..40]).expect("first part");
    live.apply(&log.events[30..]).expect("overlap");
    live.apply(&log.events).expect("everything again");
    drop(live);
    assert_eq!(dump(&path), clean);

    let rebuilt_dir = tempfile::tempdir().expect("tempdir");
    let rebuilt_path = rebuilt_dir.path().join("views.sqlite");
    let mut rebuild = ViewsProjection::open_for_rebuild(&rebuilt_path).expect("opens");
    for chunk in log.events.chunks(11) {
        rebuild.apply(chunk).expect("applies");
    }
    drop(rebuild);
    crate::finish_rebuild(&rebuilt_path).expect("finishes");
    assert_eq!(dump(&rebuilt_path), clean);
}

/// Writes what an older kirjuri left at `version`: its schema, a few of its rows and a checkpoint.
fn old_views_file(path: &std::path::Path, version: usize, w: &World) {
    let connection = Connection::open(path).expect("opens");
    for (from, migration) in schema::MIGRATIONS[..version].iter().enumerate() {
        connection.execute_batch(migration).expect("an old migration runs");
        connection
            .execute_batch(&format!(
                "PRAGMA application_id = {}; PRAGMA user_version = {};",
                schema::APPLICATION_ID,
                from + 1
            ))
            .expect("versions");
    }
    connection
        .execute_batch(&format!(
            "INSERT INTO municipalities (municipality, code, name_fi) VALUES ('{kuopio}', '297', 'Kuopio');
             INSERT INTO practices (practice, municipality, title_fi, title_en, version, status, progress, superseded_by)
             VALUES ('{practice}', '{kuopio}', 'Vanha', NULL, 1, 'draft', 0, NULL);
             INSERT INTO picture (close_date, municipality, subject_kind, subject_id, framework, granularity, dimension,
                                  campaign, level, percent, value_sum, response_count, min_group_size)
             VALUES ('2025-03-31', '{kuopio}', 'unit', '{library}', 'f', 'overall', 'overall', 'c', 9.0, NULL, 0, 9, 5);
             INSERT INTO checkpoint (name, pos_commit, pos_prepare) VALUES ('views', 5, 5);",
            kuopio = id(w.kuopio.0),
            practice = id(w.practice.0),
            library = id(w.library.0),
        ))
        .expect("old views");
}

#[test]
fn version_one_and_two_files_with_data_are_emptied_by_the_migration_and_refilled_to_complete_views() {
    let (w, l, log) = listed_world();
    let (clean_dir, clean) = apply_in_batches(&log, 13);
    let clean_reader = clean.reader().expect("reader");
    let expected_practices =
        clean_reader.practices(w.kuopio, &PracticeFilter::default(), ListRequest::default()).expect("lists");
    let expected_picture = clean_reader.situational_picture(&PictureQuery::of(w.kuopio)).expect("picture");
    drop((clean_reader, clean));
    let expected_dump = dump(&clean_dir.path().join("views.sqlite"));

    for version in [1, 2] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("views.sqlite");
        old_views_file(&path, version, &w);

        let mut migrated = ViewsProjection::open(&path).expect("migrates");
        assert_eq!(migrated.checkpoint().expect("checkpoint"), None, "v{version}: the runner replays from the start");
        let empty = migrated.reader().expect("reader");
        assert!(
            empty
                .practices(w.kuopio, &PracticeFilter::default(), ListRequest::default())
                .expect("lists")
                .items
                .is_empty()
        );
        assert!(empty.municipality(w.kuopio).expect("reads").is_none());
        assert!(empty.situational_picture(&PictureQuery::of(w.kuopio)).expect("picture").rows.is_empty());
        drop(empty);
        for batch in log.events.chunks(17) {
            migrated.apply(batch).expect("catches up");
        }
        let reader = migrated.reader().expect("reader");
        let practices = reader.practices(w.kuopio, &PracticeFilter::default(), ListRequest::default()).expect("lists");
        assert_eq!(practices, expected_practices, "v{version}");
        assert_eq!(reader.situational_picture(&PictureQuery::of(w.kuopio)).expect("picture"), expected_picture);
        let oulu = reader.experiments(l.oulu, &ExperimentFilter::default(), ListRequest::default()).expect("lists");
        assert_eq!(oulu.items.len(), 1);
        drop((reader, migrated));
        assert_eq!(dump(&path), expected_dump, "v{version}");
    }
}

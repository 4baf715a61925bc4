//! The search projection on a real tantivy index in a temporary directory.

use chrono::{NaiveDate, TimeZone, Utc};
use kirjuri_events::domain::coaching::{
    EngagementEvent, EngagementStarted, NoteId, NoteRecorded, PersonRef, PersonalText, SessionId,
};
use kirjuri_events::domain::experiment::{Criterion, ExperimentEvent, ExperimentProposed, OutcomeAssessed, Verdict};
use kirjuri_events::domain::lesson::{LessonEvent, LessonIdentified, LessonSource};
use kirjuri_events::domain::practice::{PracticeDecided, PracticeDrafted, PracticeEvent, Resolution, SectionNumber};
use kirjuri_events::domain::{EngagementId, ExperimentId, LessonId, LocalizedText, MunicipalityId, PracticeId, UnitId};
use kirjuri_events::{EventId, EventMetadata, Position, RecordedEvent, Revision, StreamName};
use kirjuri_projections::Projection;
use kirjuri_search::{
    AnalysisSettings, SearchFilters, SearchIndex, SearchProjection, SearchRequest, SortOrder, VoikkoMode,
};
use uuid::Uuid;

fn fi(text: &str) -> LocalizedText {
    LocalizedText::fi(text).expect("valid text")
}

const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x100));
const SIILINJARVI: MunicipalityId = MunicipalityId(Uuid::from_u128(0x200));
const HOME_CARE: UnitId = UnitId(Uuid::from_u128(0x300));

/// Events in `$all` order, numbered from 1.
#[derive(Default)]
struct Log {
    events: Vec<RecordedEvent>,
}

impl Log {
    fn push(&mut self, stream: StreamName, new: kirjuri_events::NewEvent) -> &RecordedEvent {
        let n = self.events.len() as u64 + 1;
        self.events.push(RecordedEvent {
            id: new.id,
            stream,
            revision: Revision(0),
            position: Position::sequence(n),
            event_type: new.event_type,
            schema_version: new.schema_version,
            recorded_at: Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).single().expect("valid time"),
            data: new.data,
            metadata: new.metadata,
        });
        self.events.last().expect("just pushed")
    }

    fn lesson(&mut self, title: &str, text: &str, municipality: MunicipalityId, tags: &[&str]) -> LessonId {
        let id = LessonId::random();
        let event = LessonEvent::Identified(LessonIdentified {
            lesson: id,
            municipality,
            unit: Some(HOME_CARE),
            title: fi(title),
            driving_event: fi("Arjen työssä huomattiin asia."),
            lesson_text: fi(text),
            recommendations: vec![],
            observations: vec![],
            sources: vec![LessonSource::Experiment(ExperimentId(Uuid::from_u128(0x400)))],
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        });
        let new = event.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes");
        self.push(id.stream(), new);
        id
    }
}

fn settings() -> AnalysisSettings {
    AnalysisSettings::default()
}

fn open(dir: &std::path::Path, settings: &AnalysisSettings) -> SearchProjection {
    SearchProjection::new(SearchIndex::open(dir, settings).expect("opens")).expect("writer")
}

fn ids(projection: &SearchProjection, text: &str) -> Vec<String> {
    let results = projection.index().search(&SearchRequest::text(text)).expect("searches");
    results.hits.into_iter().map(|h| h.id).collect()
}

/// Runs `check` once with Voikko (when installed) and once with Snowball only.
fn in_both_modes(check: impl Fn(AnalysisSettings, bool)) {
    check(AnalysisSettings::snowball_only(), false);
    let auto = settings();
    let voikko = kirjuri_search::morphology::voikko_available();
    if voikko {
        check(auto, true);
    } else {
        eprintln!("libvoikko is not installed: the Voikko path is not exercised");
    }
}

#[test]
fn an_inflected_query_finds_the_base_form_and_a_search_right_after_apply_sees_it() {
    in_both_modes(|settings, _| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut projection = open(dir.path(), &settings);
        let mut log = Log::default();
        let lesson = log.lesson("Etävastaanoton kokeilu", "Kokeilu vapautti hoitajien aikaa.", KUOPIO, &[]);
        log.lesson("Harjasuolaus", "Katujen kunnossapito talvella.", KUOPIO, &[]);
        projection.apply(&log.events).expect("applies");
        assert_eq!(ids(&projection, "kokeiluissa"), vec![format!("lesson:{lesson}")]);
        let results = projection.index().search(&SearchRequest::text("kokeiluissa")).expect("searches");
        assert!(results.hits[0].snippet.contains("<mark>"), "{}", results.hits[0].snippet);
    });
}

#[test]
fn a_compound_part_and_an_unknown_word_are_found() {
    in_both_modes(|settings, voikko| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut projection = open(dir.path(), &settings);
        let mut log = Log::default();
        let compound = log.lesson("Palvelut", "Digitaalipalvelukokeiluissa asukkaat osallistuivat.", KUOPIO, &[]);
        let unknown = log.lesson("Botti", "Chatbotin zyxkorp-tunnus toimi hyvin.", KUOPIO, &[]);
        projection.apply(&log.events).expect("applies");
        if voikko {
            // Only Voikko splits compounds.
            assert_eq!(ids(&projection, "kokeilu"), vec![format!("lesson:{compound}")]);
            assert_eq!(ids(&projection, "palvelu"), vec![format!("lesson:{compound}")]);
        }
        assert_eq!(ids(&projection, "zyxkorp"), vec![format!("lesson:{unknown}")]);
        assert_eq!(ids(&projection, "chatbotin"), vec![format!("lesson:{unknown}")]);
        assert_eq!(ids(&projection, "\"zyxkorp tunnus\""), vec![format!("lesson:{unknown}")]);
        assert!(ids(&projection, "\"tunnus zyxkorp\"").is_empty());
    });
}

#[test]
fn a_typo_is_tolerated_highlighted_and_corrected() {
    in_both_modes(|settings, _| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut projection = open(dir.path(), &settings);
        let mut log = Log::default();
        let lesson = log.lesson("Asukaskysely", "Asukaskyselyn tulokset paransivat palvelumuotoilua.", KUOPIO, &[]);
        projection.apply(&log.events).expect("applies");
        let results = projection.index().search(&SearchRequest::text("tulkoset")).expect("searches");
        assert_eq!(results.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>(), vec![format!("lesson:{lesson}")]);
        assert!(results.hits[0].snippet.contains("<mark>tulokset</mark>"), "{}", results.hits[0].snippet);
        assert!(results.did_you_mean.is_some(), "{results:?}");
        // Short words get no typo tolerance.
        assert!(ids(&projection, "tlu").is_empty());
    });
}

#[test]
fn facets_count_hits_and_filters_narrow_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = open(dir.path(), &settings());
    let mut log = Log::default();
    log.lesson("Kokeilu yksi", "Kokeilu onnistui.", KUOPIO, &["etähoito"]);
    log.lesson("Kokeilu kaksi", "Kokeilu epäonnistui.", KUOPIO, &["etähoito", "digi"]);
    log.lesson("Kokeilu kolme", "Kokeilu jatkuu.", SIILINJARVI, &["digi"]);
    projection.apply(&log.events).expect("applies");

    let results = projection.index().search(&SearchRequest::text("kokeilu")).expect("searches");
    assert_eq!(results.total, 3);
    let count = |facet: &str, value: &str| {
        results.facets[facet].iter().find(|c| c.value == value).map(|c| c.count).unwrap_or(0)
    };
    assert_eq!(count("municipality", &KUOPIO.to_string()), 2);
    assert_eq!(count("municipality", &SIILINJARVI.to_string()), 1);
    assert_eq!(count("tag", "etähoito"), 2);
    assert_eq!(count("tag", "digi"), 2);
    assert_eq!(count("kind", "lesson"), 3);
    assert_eq!(count("year", "2025"), 3);
    assert_eq!(count("language", "fi"), 3);

    let filters =
        SearchFilters::parse([("municipality", KUOPIO.to_string().as_str()), ("tag", "digi")]).expect("valid");
    let request = SearchRequest { text: "kokeilu".into(), filters, ..SearchRequest::default() };
    assert_eq!(projection.index().search(&request).expect("searches").total, 1);

    let filters = SearchFilters::parse([("from", "2026-01-01")]).expect("valid");
    let request = SearchRequest { text: String::new(), filters, sort: SortOrder::Newest, ..SearchRequest::default() };
    assert_eq!(projection.index().search(&request).expect("searches").total, 0);

    let page = SearchRequest { text: "kokeilu".into(), offset: 2, limit: 2, ..SearchRequest::default() };
    let results = projection.index().search(&page).expect("searches");
    assert_eq!((results.total, results.hits.len()), (3, 1));
    assert!(projection.index().search(&SearchRequest { limit: 0, ..SearchRequest::default() }).is_err());
}

#[test]
fn facet_counts_add_up_across_segments_and_follow_each_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = open(dir.path(), &settings());
    let mut log = Log::default();
    log.lesson("Kokeilu yksi", "Kokeilu onnistui.", KUOPIO, &["etähoito"]);
    projection.apply(&log.events).expect("applies");
    let tag_counts = |projection: &SearchProjection| {
        let results = projection.index().search(&SearchRequest::text("kokeilu")).expect("searches");
        let tags: Vec<(String, u64)> = results.facets["tag"].iter().map(|c| (c.value.clone(), c.count)).collect();
        (results.total, tags)
    };
    assert_eq!(tag_counts(&projection), (1, vec![("etähoito".to_owned(), 1)]));

    // Each apply commits a segment of its own; the counts of both segments add up, and a value
    // only the new segment has appears right after the commit.
    let mut second = Log::default();
    second.lesson("Kokeilu kaksi", "Kokeilu epäonnistui.", KUOPIO, &["etähoito", "digi"]);
    second.lesson("Kokeilu kolme", "Kokeilu jatkuu.", SIILINJARVI, &["digi", "asukkaat"]);
    let offset = log.events.len() as u64;
    for event in &mut second.events {
        event.position = Position::sequence(event.position.commit + offset);
    }
    projection.apply(&second.events).expect("applies");
    assert!(projection.index().num_docs() >= 3);
    assert_eq!(
        tag_counts(&projection),
        (3, vec![("digi".to_owned(), 2), ("etähoito".to_owned(), 2), ("asukkaat".to_owned(), 1)])
    );
}

#[test]
fn personal_note_text_is_never_indexed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = open(dir.path(), &settings());
    let mut log = Log::default();
    let engagement = EngagementId::random();
    let started = EngagementEvent::Started(EngagementStarted {
        engagement,
        municipality: KUOPIO,
        unit: Some(HOME_CARE),
        coach: PersonRef::parse("coach", "hlo-coach1").expect("valid"),
        coachees: vec![],
        experiment: None,
        goals: vec![fi("Digitaidot vahvistuvat")],
        started: NaiveDate::from_ymd_opt(2025, 2, 1).expect("valid date"),
    });
    log.push(engagement.stream(), started.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    let note = EngagementEvent::NoteRecorded(NoteRecorded {
        engagement,
        note: NoteId::random(),
        session: SessionId::random(),
        author: PersonRef::parse("author", "hlo-coach1").expect("valid"),
        planned: fi("Harjoitella videopuheluita."),
        happened: fi("Harjoittelimme videopuheluita asiakkaiden kanssa."),
        why_different: fi("Aikaa jäi vähemmän."),
        keep_or_change: fi("Jatketaan harjoittelua."),
        personal: Some(
            PersonalText::parse("personal", "Valmennettava kertoi uupumuksesta ja sairauslomasta.").expect("valid"),
        ),
    });
    log.push(engagement.stream(), note.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    projection.apply(&log.events).expect("applies");

    assert_eq!(projection.index().search(&SearchRequest::text("videopuhelu")).expect("searches").total, 1);
    for personal_word in ["uupumus", "uupumuksesta", "sairausloma", "sairauslomasta", "valmennettava"] {
        let results = projection.index().search(&SearchRequest::text(personal_word)).expect("searches");
        assert_eq!(results.total, 0, "{personal_word} was found");
    }
    // The engagement's own context document is never a hit.
    assert_eq!(projection.index().search(&SearchRequest::text("digitaidot")).expect("searches").total, 0);
    let everything = projection.index().search(&SearchRequest::default()).expect("searches");
    assert_eq!(everything.total, 1);
}

#[test]
fn the_checkpoint_survives_reopening_and_a_replaced_document_has_one_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = Log::default();
    let practice = PracticeId::random();
    let drafted = PracticeEvent::Drafted(PracticeDrafted {
        practice,
        municipality: KUOPIO,
        title: fi("Etävastaanotto seurantakäynteihin"),
        context: fi("Seurantakäynnit vievät hoitajien aikaa."),
        options_considered: vec![],
        chosen_option: fi("Seurantakäynnit hoidetaan etänä."),
        consequences: Default::default(),
        evidence: vec![],
        tags: vec![],
    });
    log.push(practice.stream(), drafted.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    {
        let mut projection = open(dir.path(), &settings());
        assert_eq!(projection.checkpoint().expect("reads"), None);
        projection.apply(&log.events).expect("applies");
        assert_eq!(projection.checkpoint().expect("reads"), Some(Position::sequence(1)));
    }
    let first_batch = log.events.len();
    let revised = PracticeEvent::Revised(kirjuri_events::domain::practice::PracticeRevised {
        practice,
        new_version: 2,
        what_changed: fi("Mukaan otettiin myös lääkärikäynnit."),
        reason: fi("Kokemukset olivat hyviä."),
    });
    log.push(practice.stream(), revised.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    let decided = PracticeEvent::Decided(PracticeDecided {
        practice,
        version: 2,
        body: kirjuri_events::domain::BodyId(Uuid::from_u128(0x500)),
        meeting_date: NaiveDate::from_ymd_opt(2025, 4, 2).expect("valid date"),
        section: SectionNumber::parse(12).expect("valid"),
        motion: fi("Esitetään hyväksyttäväksi."),
        decision: fi("Lautakunta hyväksyi käytännön."),
        resolution: Resolution::Passed,
        rationale: None,
    });
    log.push(practice.stream(), decided.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));

    let mut projection = open(dir.path(), &settings());
    assert_eq!(projection.checkpoint().expect("reads"), Some(Position::sequence(1)));
    projection.apply(&log.events[first_batch..]).expect("applies");
    assert_eq!(projection.checkpoint().expect("reads"), Some(Position::sequence(3)));

    let practice_hits = projection
        .index()
        .search(&SearchRequest {
            text: "etävastaanotto".into(),
            filters: SearchFilters::parse([("kind", "practice")]).expect("valid"),
            ..SearchRequest::default()
        })
        .expect("searches");
    assert_eq!(practice_hits.total, 1, "one copy of the practice");
    assert_eq!(ids(&projection, "lääkärikäynnit"), vec![format!("practice:{practice}")]);
    let decision = ids(&projection, "lautakunta");
    assert_eq!(decision.len(), 1);
    assert!(decision[0].starts_with("decision:"), "{decision:?}");
    assert_eq!(
        projection.index().document(&format!("practice:{practice}")).expect("reads").map(|d| d.sections.len()),
        Some(4)
    );
    // The decision inherits the practice's municipality.
    let filtered = SearchRequest {
        text: "lautakunta".into(),
        filters: SearchFilters::parse([("municipality", KUOPIO.to_string().as_str())]).expect("valid"),
        ..SearchRequest::default()
    };
    assert_eq!(projection.index().search(&filtered).expect("searches").total, 1);
}

#[test]
fn outcomes_and_experiments_are_documents_and_a_missing_parent_stops_the_projection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = open(dir.path(), &settings());
    let mut log = Log::default();
    let experiment = ExperimentId::random();
    let proposed = ExperimentEvent::Proposed(ExperimentProposed {
        experiment,
        municipality: KUOPIO,
        name: fi("Etäkotihoito"),
        problem: fi("Kotihoidon käynnit ruuhkautuvat."),
        hypothesis: fi("Etäkäynnit vähentävät ruuhkaa."),
        units: vec![HOME_CARE],
        themes: vec!["Kotihoito".into()],
        proposed: NaiveDate::from_ymd_opt(2025, 1, 10).expect("valid date"),
    });
    log.push(experiment.stream(), proposed.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    let outcome = ExperimentEvent::OutcomeAssessed(OutcomeAssessed {
        experiment,
        criterion: Criterion::Productivity,
        verdict: Verdict::Improved,
        effect: Some(12.0),
        evidence: vec![],
        summary: fi("Käyntejä mahtui päivään enemmän."),
        assessed: NaiveDate::from_ymd_opt(2025, 6, 1).expect("valid date"),
    });
    log.push(experiment.stream(), outcome.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    projection.apply(&log.events).expect("applies");
    let results = projection
        .index()
        .search(&SearchRequest {
            text: "tuottavuus".into(),
            filters: SearchFilters::parse([("unit", HOME_CARE.to_string().as_str()), ("tag", "kotihoito")])
                .expect("valid"),
            ..SearchRequest::default()
        })
        .expect("searches");
    assert_eq!(
        results.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
        vec![format!("outcome:{experiment}:productivity")]
    );

    let orphan = ExperimentEvent::OutcomeAssessed(OutcomeAssessed {
        experiment: ExperimentId::random(),
        ..match outcome {
            ExperimentEvent::OutcomeAssessed(o) => o,
            _ => unreachable!(),
        }
    });
    let before = projection.checkpoint().expect("reads");
    log.push(experiment.stream(), orphan.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"));
    let error = projection.apply(&log.events[2..]).expect_err("no such experiment");
    assert!(matches!(error, kirjuri_projections::ProjectionError::Poison { .. }), "{error}");
    assert_eq!(projection.checkpoint().expect("reads"), before);
}

#[test]
fn queries_of_any_length_or_character_set_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut projection = open(dir.path(), &AnalysisSettings { voikko: VoikkoMode::Auto, dictionary_path: None });
    let mut log = Log::default();
    log.lesson("Kokeilu", "Kokeilu onnistui hyvin.", KUOPIO, &[]);
    projection.apply(&log.events).expect("applies");
    let long = "kokeilu ".repeat(5_000);
    let nasty = [
        "",
        "\"",
        "\"\"",
        "\u{0}\u{1}\u{7f}",
        "🦀🦀🦀 ℵ ∑ 漢字 ﷽",
        "a".repeat(10_000).as_str(),
        long.as_str(),
        "AND OR NOT ( ) [ ] { } : ^ ~ * ? \\ /",
        "kokeilu\u{200b}onnistui",
        "ääööåå ÄÄÖÖ",
    ]
    .map(str::to_owned);
    for text in nasty {
        let results = projection.index().search(&SearchRequest::text(text.clone()));
        assert!(results.is_ok(), "{text:?}: {results:?}");
    }
}

#[test]
fn observations_and_communications_are_found_with_their_facets_and_kind_filter() {
    use kirjuri_events::domain::coaching::{
        Audience, Channel, CommunicationEvent, CommunicationLink, CommunicationPublished,
    };
    use kirjuri_events::domain::lesson::{ObservationEvent, ObservationSubmitted};
    use kirjuri_events::domain::{CommunicationId, Language, ObservationId};

    in_both_modes(|settings, _| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut projection = open(dir.path(), &settings);
        let mut log = Log::default();
        let engagement = EngagementId::random();
        let started = EngagementEvent::Started(EngagementStarted {
            engagement,
            municipality: KUOPIO,
            unit: Some(HOME_CARE),
            coach: PersonRef::parse("coach", "hlo-coach1").expect("valid"),
            coachees: vec![],
            experiment: None,
            goals: vec![fi("Digitaidot vahvistuvat")],
            started: NaiveDate::from_ymd_opt(2025, 2, 1).expect("valid date"),
        });
        log.push(
            engagement.stream(),
            started.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"),
        );
        let observation = ObservationId::random();
        let submitted = ObservationEvent::Submitted(ObservationSubmitted {
            observation,
            municipality: KUOPIO,
            source: LessonSource::Engagement(engagement),
            text: fi("Asukkaat varasivat ajan sähköisesti kirjastossa."),
            conditions: Some(fi("Kirjastovirkailija auttoi iltapäivisin.")),
        });
        log.push(
            observation.stream(),
            submitted.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"),
        );
        let communication = CommunicationId::random();
        let published = CommunicationEvent::Published(CommunicationPublished {
            communication,
            municipality: SIILINJARVI,
            channel: Channel::Intranet,
            audience: Audience::Staff,
            language: Language::Fi,
            title: fi("Sähköinen ajanvaraus laajenee"),
            body: fi("Kirjastojen ajanvarauskokeilu jatkuu syksyllä kaikissa toimipisteissä."),
            links: vec![CommunicationLink::Experiment(ExperimentId(Uuid::from_u128(0x400)))],
            published: NaiveDate::from_ymd_opt(2024, 9, 2).expect("valid date"),
        });
        log.push(
            communication.stream(),
            published.to_new_event(EventId::random(), EventMetadata::default()).expect("encodes"),
        );
        log.lesson("Harjasuolaus", "Katujen kunnossapito talvella.", KUOPIO, &[]);
        // The runner hands the projection only the events its filter passes.
        let filter = projection.filter();
        assert!(log.events.iter().all(|event| filter.matches(event)));
        projection.apply(&log.events).expect("applies");

        // The observation's text and conditions are both searchable; it takes its municipality
        // and unit from the engagement it was seen in.
        let results = projection.index().search(&SearchRequest::text("iltapäivisin")).expect("searches");
        assert_eq!(
            results.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
            vec![format!("observation:{observation}")]
        );
        assert_eq!(results.hits[0].kind.as_str(), "observation");
        assert!(results.hits[0].snippet.contains("<mark>"), "{}", results.hits[0].snippet);
        let values = |facet: &str| results.facets[facet].iter().map(|c| c.value.clone()).collect::<Vec<_>>();
        assert_eq!(values("unit"), vec![HOME_CARE.to_string()]);
        assert_eq!(values("municipality"), vec![KUOPIO.to_string()]);

        // The communication: title and body, its published day, the experiment it links to.
        let results = projection.index().search(&SearchRequest::text("ajanvaraus laajenee")).expect("searches");
        assert_eq!(
            results.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>(),
            vec![format!("communication:{communication}")]
        );
        assert_eq!(results.hits[0].title.as_deref(), Some("Sähköinen ajanvaraus laajenee"));
        assert_eq!(results.facets["year"].iter().map(|c| c.value.clone()).collect::<Vec<_>>(), vec!["2024"]);
        assert_eq!(
            results.facets["experiment"].iter().map(|c| c.value.clone()).collect::<Vec<_>>(),
            vec![ExperimentId(Uuid::from_u128(0x400)).to_string()]
        );

        // Both kinds are filters and facet values.
        let everything = projection.index().search(&SearchRequest::default()).expect("searches");
        let kinds: Vec<(String, u64)> = everything.facets["kind"].iter().map(|c| (c.value.clone(), c.count)).collect();
        assert_eq!(
            kinds,
            vec![("communication".to_owned(), 1), ("lesson".to_owned(), 1), ("observation".to_owned(), 1)]
        );
        for (kind, expected) in [
            ("observation", format!("observation:{observation}")),
            ("communication", format!("communication:{communication}")),
        ] {
            let filters = SearchFilters::parse([("kind", kind)]).expect("valid");
            let results =
                projection.index().search(&SearchRequest { filters, ..SearchRequest::default() }).expect("searches");
            assert_eq!(results.hits.into_iter().map(|h| h.id).collect::<Vec<_>>(), vec![expected]);
        }
    });
}

/// Made-up words only municipality A's documents hold, and each with one letter changed.
const PLANTED: [(&str, &str); 6] = [
    ("quorvaksinen", "quorvaksimen"),
    ("zelmitorvaki", "zelmitarvaki"),
    ("hupsatollari", "hupsatollori"),
    ("vintrapoluki", "vintrapaluki"),
    ("kermolisuva", "kermalisuva"),
    ("tsupravinka", "tsupravonka"),
];

#[test]
fn did_you_mean_fuzzy_expansion_and_facets_see_only_the_callers_municipality() {
    in_both_modes(|settings, _| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut projection = open(dir.path(), &settings);
        let analysis = kirjuri_search::analysis::Analysis::new(&settings);
        let mut log = Log::default();
        for (word, _) in PLANTED {
            log.lesson("Salainen kokeilu", &format!("Kokeilussa käytettiin {word} menetelmää."), KUOPIO, &[word]);
        }
        log.lesson("Kotihoito", "Kotihoidon käynnit siirtyivät aamuun.", SIILINJARVI, &["kotihoito"]);
        log.lesson("Kirjasto", "Kirjaston aukioloajat pitenivät.", SIILINJARVI, &[]);
        projection.apply(&log.events).expect("applies");

        let search_as = |municipality: MunicipalityId, text: &str| {
            let filters = SearchFilters::parse([("municipality", municipality.to_string().as_str())]).expect("valid");
            projection
                .index()
                .search(&SearchRequest { text: text.into(), filters, ..SearchRequest::default() })
                .expect("searches")
        };
        for (word, misspelt) in PLANTED {
            // What the index holds for the word (its Snowball stem without Voikko).
            let indexed = analysis.terms(kirjuri_search::analysis::FI_LEMMA, word);
            assert_eq!(indexed.len(), 1, "{word}: {indexed:?}");
            let indexed = &indexed[0];

            let other = search_as(SIILINJARVI, misspelt);
            assert!(
                other.did_you_mean.as_deref().is_none_or(|s| !s.contains(indexed.as_str()) && !s.contains(word)),
                "{misspelt} from Siilinjärvi: {:?}",
                other.did_you_mean
            );
            assert_eq!(other.total, 0, "{misspelt} from Siilinjärvi: {other:?}");
            let facet_values: Vec<&str> = other.facets.values().flatten().map(|count| count.value.as_str()).collect();
            assert!(!facet_values.contains(&word), "{misspelt} from Siilinjärvi: {facet_values:?}");

            // The control: in the municipality that holds it, the same typo finds it.
            let own = search_as(KUOPIO, misspelt);
            assert_eq!(own.did_you_mean.as_deref(), Some(indexed.as_str()), "{misspelt} from Kuopio");
            assert_eq!(own.total, 1, "{misspelt} from Kuopio");
            assert!(own.facets["tag"].iter().any(|count| count.value == word), "{:?}", own.facets);
        }
        // Kuopio's tags are not among Siilinjärvi's facet values, not even with a count of zero.
        let everything = search_as(SIILINJARVI, "");
        assert_eq!(everything.total, 2);
        let tags: Vec<&str> = everything.facets["tag"].iter().map(|count| count.value.as_str()).collect();
        assert_eq!(tags, vec!["kotihoito"], "{:?}", everything.facets);
    });
}

#[test]
fn a_score_does_not_tell_how_often_another_municipality_uses_a_word() {
    // The same Siilinjärvi lesson beside Kuopio lessons of the same length that use its word or
    // do not: BM25 counts documents in Siilinjärvi's scope only, so its score is the same. (The
    // average field length is the whole index's; Snowball gives both Kuopio texts as many terms.)
    let score_beside = |kuopio_text: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut projection = open(dir.path(), &AnalysisSettings::snowball_only());
        let mut log = Log::default();
        log.lesson("Kotihoito", "Kotihoidon aamukäynnit siirtyivät.", SIILINJARVI, &[]);
        log.lesson("Kirjasto", "Kirjaston aukioloajat pitenivät.", SIILINJARVI, &[]);
        for _ in 0..5 {
            log.lesson("Kotihoito", kuopio_text, KUOPIO, &[]);
        }
        projection.apply(&log.events).expect("applies");
        let filters = SearchFilters::parse([("municipality", SIILINJARVI.to_string().as_str())]).expect("valid");
        let results = projection
            .index()
            .search(&SearchRequest { text: "aamukäynnit".into(), filters, ..SearchRequest::default() })
            .expect("searches");
        assert_eq!(results.total, 1, "{results:?}");
        results.hits[0].score.expect("relevance order has scores")
    };
    let beside_users = score_beside("Kotihoidon aamukäynnit lisääntyivät.");
    let beside_others = score_beside("Kotihoidon iltavuorot lisääntyivät.");
    assert_eq!(beside_users, beside_others);
}

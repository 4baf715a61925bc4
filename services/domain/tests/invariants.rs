//! Property test: random sequences of practice commands, decided against a small world of
//! bodies, partner municipalities, units, evidence and a pool of practices, never reach a state
//! that breaks the practice invariants.
//!
//! Each accepted command's events are applied to its practice, and [`References`] are rebuilt
//! from the current states before every command, as the use case would load them. After every
//! step the full history of each practice is checked by an oracle written independently of
//! `decide`: decisions only on a submitted version and by the body it was submitted to, never
//! twice without a revision (returned and tabled excepted), rationale for rejection and return;
//! anchoring only after a pass of the current version; progress monotonic; sharing only with
//! registered partners other than the home municipality; adoptions only from partners shared
//! with; nothing after retirement; and no supersession cycle across the pool.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;
use kirjuri_domain::assessment::CampaignState;
use kirjuri_domain::experiment::{CriterionOutcome, ExperimentState, ExperimentStatus};
use kirjuri_domain::lesson::{LessonState, LessonStatus};
use kirjuri_domain::organisation::{BodyState, MunicipalityState, UnitState};
use kirjuri_domain::practice::{
    AnchorPractice, DecidePractice, DraftPractice, PracticeCommand, PracticeState, ReportAdoption, ReportProgress,
    RetirePractice, RevisePractice, SharePractice, SubmitPractice, SupersedePractice,
};
use kirjuri_domain::{Aggregate, Reference, Referenced, References};
use kirjuri_events::domain::assessment::CampaignOpened;
use kirjuri_events::domain::experiment::Verdict;
use kirjuri_events::domain::organisation::{
    BodyKind, BodyRegistered, MunicipalityCode, MunicipalityRegistered, Sector, UnitEstablished,
};
use kirjuri_events::domain::practice::{
    AdoptionStatus, AnchorKind, CaseNumber, Consequences, Criterion, EvidenceLink, Percent, PracticeEvent, Resolution,
    SectionNumber,
};
use kirjuri_events::domain::{
    BodyId, CampaignId, ExperimentId, FrameworkId, LessonId, LocalizedText, MunicipalityId, PracticeId, UnitId,
};
use proptest::prelude::*;
use uuid::Uuid;

/// How many practices the pool holds.
const POOL: usize = 4;

const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x100));
/// Partner municipalities: the first three are registered, the last is not.
const PARTNERS: [MunicipalityId; 4] = [
    MunicipalityId(Uuid::from_u128(0x101)),
    MunicipalityId(Uuid::from_u128(0x102)),
    MunicipalityId(Uuid::from_u128(0x103)),
    MunicipalityId(Uuid::from_u128(0x1ff)),
];
/// Bodies: the first two are registered, the last is not.
const BODIES: [BodyId; 3] =
    [BodyId(Uuid::from_u128(0x200)), BodyId(Uuid::from_u128(0x201)), BodyId(Uuid::from_u128(0x2ff))];
/// Units: the first is registered, the second is not.
const UNITS: [UnitId; 2] = [UnitId(Uuid::from_u128(0x300)), UnitId(Uuid::from_u128(0x3ff))];
const EXPERIMENT: ExperimentId = ExperimentId(Uuid::from_u128(0x400));
const LESSON: LessonId = LessonId(Uuid::from_u128(0x500));
const CAMPAIGN: CampaignId = CampaignId(Uuid::from_u128(0x600));
const UNKNOWN_CAMPAIGN: CampaignId = CampaignId(Uuid::from_u128(0x6ff));

fn practice_id(index: usize) -> PracticeId {
    PracticeId(Uuid::from_u128(0x700 + index as u128))
}

/// The last practice of the pool belongs to a partner, the rest to Kuopio.
fn home_of(index: usize) -> MunicipalityId {
    if index == POOL - 1 { PARTNERS[0] } else { KUOPIO }
}

fn registered_municipality(id: MunicipalityId) -> bool {
    id == KUOPIO || PARTNERS[..3].contains(&id)
}

fn registered_body(id: BodyId) -> bool {
    BODIES[..2].contains(&id)
}

fn fi(text: &str) -> LocalizedText {
    LocalizedText::fi(text).expect("valid Finnish text")
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

/// A random command, by indices into the world.
#[derive(Debug, Clone)]
enum Op {
    Draft { practice: usize, evidence: Vec<usize> },
    Submit { practice: usize, body: usize },
    Decide { practice: usize, body: usize, resolution: usize, rationale: bool, section: u32 },
    Revise { practice: usize },
    Anchor { practice: usize, unit: usize },
    Progress { practice: usize, percent: u32 },
    Share { practice: usize, partners: Vec<usize> },
    ReportAdoption { practice: usize, partner: usize, status: usize },
    Supersede { practice: usize, by: usize },
    Retire { practice: usize },
}

/// The evidence links a draft may pick from: good ones and ones that must be refused.
fn evidence_choice(index: usize) -> EvidenceLink {
    match index {
        0 => EvidenceLink::Experiment { experiment: EXPERIMENT },
        1 => EvidenceLink::Outcome { experiment: EXPERIMENT, criterion: Criterion::Productivity },
        2 => EvidenceLink::Outcome { experiment: EXPERIMENT, criterion: Criterion::WellbeingAtWork },
        3 => EvidenceLink::Lesson { lesson: LESSON },
        4 => EvidenceLink::Assessment { campaign: CAMPAIGN },
        5 => EvidenceLink::Assessment { campaign: UNKNOWN_CAMPAIGN },
        _ => EvidenceLink::Lesson { lesson: LessonId(EXPERIMENT.0) },
    }
}

/// Every municipality a share or adoption may name: Kuopio (home of most), partners, unknown.
fn any_municipality(index: usize) -> MunicipalityId {
    if index == 0 { KUOPIO } else { PARTNERS[(index - 1) % PARTNERS.len()] }
}

fn command(op: &Op) -> PracticeCommand {
    match op.clone() {
        Op::Draft { practice, evidence } => PracticeCommand::Draft(DraftPractice {
            practice: practice_id(practice),
            municipality: home_of(practice),
            title: fi("Etäkatselmukset rakennusvalvonnassa"),
            context: fi("Tarkastajien työaika kuluu ajamiseen."),
            options_considered: vec![fi("Lisää tarkastajia."), fi("Videoyhteys.")],
            chosen_option: fi("Videoyhteys."),
            consequences: Consequences::default(),
            evidence: evidence.into_iter().map(evidence_choice).collect(),
            tags: Vec::new(),
        }),
        Op::Submit { practice, body } => PracticeCommand::Submit(SubmitPractice {
            practice: practice_id(practice),
            body: BODIES[body],
            case_number: CaseNumber::parse("KUO/1234/00.01.02/2025").expect("valid case number"),
        }),
        Op::Decide { practice, body, resolution, rationale, section } => PracticeCommand::Decide(DecidePractice {
            practice: practice_id(practice),
            body: BODIES[body],
            meeting_date: date("2025-03-18"),
            section: SectionNumber::parse(section).expect("valid section"),
            motion: fi("Esitetään hyväksyttäväksi."),
            decision: fi("Päätös."),
            resolution: Resolution::ALL[resolution],
            rationale: rationale.then(|| fi("Perustelut.")),
        }),
        Op::Revise { practice } => PracticeCommand::Revise(RevisePractice {
            practice: practice_id(practice),
            what_changed: fi("Laajennetaan loma-asuntoihin."),
            reason: fi("Seuranta osoitti tarpeen."),
        }),
        Op::Anchor { practice, unit } => PracticeCommand::Anchor(AnchorPractice {
            practice: practice_id(practice),
            into: AnchorKind::Process,
            target: fi("Katselmusprosessi"),
            target_ref: None,
            owner_unit: UNITS[unit],
            effective_from: date("2025-05-01"),
        }),
        Op::Progress { practice, percent } => PracticeCommand::ReportProgress(ReportProgress {
            practice: practice_id(practice),
            percent: Percent::parse(percent).expect("valid percent"),
            note: None,
        }),
        Op::Share { practice, partners } => PracticeCommand::Share(SharePractice {
            practice: practice_id(practice),
            partners: partners.into_iter().map(any_municipality).collect(),
        }),
        Op::ReportAdoption { practice, partner, status } => PracticeCommand::ReportAdoption(ReportAdoption {
            practice: practice_id(practice),
            partner: any_municipality(partner),
            status: [
                AdoptionStatus::Considering,
                AdoptionStatus::Piloting,
                AdoptionStatus::Adopted,
                AdoptionStatus::Rejected,
            ][status],
            note: None,
        }),
        Op::Supersede { practice, by } => {
            PracticeCommand::Supersede(SupersedePractice { practice: practice_id(practice), by: practice_id(by) })
        }
        Op::Retire { practice } => PracticeCommand::Retire(RetirePractice {
            practice: practice_id(practice),
            reason: fi("Ei enää käytössä."),
        }),
    }
}

/// Mostly the first (registered) choice, sometimes the others: random sequences then reach
/// decisions, anchoring and sharing often, not only refusals.
fn mostly_first(len: usize) -> impl Strategy<Value = usize> {
    prop_oneof![8 => Just(0), 2 => 0..len]
}

/// Mostly a registered partner (1..=3), sometimes Kuopio (0) or an unknown municipality (4).
fn mostly_partners() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 1..4usize, 2 => 0..5usize]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let practice = 0..POOL;
    prop_oneof![
        4 => (practice.clone(), prop::collection::vec(0..7usize, 0..3))
            .prop_map(|(practice, evidence)| Op::Draft { practice, evidence }),
        8 => (practice.clone(), mostly_first(BODIES.len())).prop_map(|(practice, body)| Op::Submit { practice, body }),
        12 => (practice.clone(), mostly_first(BODIES.len()), 0..Resolution::ALL.len(), prop::bool::weighted(0.85), 1..200u32)
            .prop_map(|(practice, body, resolution, rationale, section)| Op::Decide {
                practice, body, resolution, rationale, section
            }),
        2 => practice.clone().prop_map(|practice| Op::Revise { practice }),
        4 => (practice.clone(), mostly_first(UNITS.len())).prop_map(|(practice, unit)| Op::Anchor { practice, unit }),
        6 => (practice.clone(), 0..=100u32).prop_map(|(practice, percent)| Op::Progress { practice, percent }),
        6 => (practice.clone(), prop::collection::vec(mostly_partners(), 0..3))
            .prop_map(|(practice, partners)| Op::Share { practice, partners }),
        8 => (practice.clone(), mostly_partners(), 0..4usize)
            .prop_map(|(practice, partner, status)| Op::ReportAdoption { practice, partner, status }),
        5 => (practice.clone(), 0..POOL).prop_map(|(practice, by)| Op::Supersede { practice, by }),
        1 => practice.prop_map(|practice| Op::Retire { practice }),
    ]
}

/// The pool's states and histories.
struct World {
    states: Vec<PracticeState>,
    histories: Vec<Vec<PracticeEvent>>,
}

impl World {
    fn new() -> Self {
        Self { states: vec![PracticeState::default(); POOL], histories: vec![Vec::new(); POOL] }
    }

    fn index_of(&self, id: PracticeId) -> Option<usize> {
        (0..POOL).find(|i| practice_id(*i) == id)
    }

    /// What the use case would load for `command`: records that exist, and for a practice the
    /// chain of practices superseding it.
    fn references(&self, command: &PracticeCommand) -> References {
        let mut references = References::none();
        for reference in PracticeState::references(command) {
            match reference {
                Reference::Municipality(id) if registered_municipality(id) => {
                    references.insert(id.0, Referenced::Municipality(municipality_state(id)));
                }
                Reference::Body(id) if registered_body(id) => {
                    references.insert(id.0, Referenced::Body(body_state(id)));
                }
                Reference::Unit(id) if id == UNITS[0] => {
                    references.insert(id.0, Referenced::Unit(unit_state(id)));
                }
                Reference::Experiment(id) if id == EXPERIMENT => {
                    references.insert(id.0, Referenced::Experiment(experiment_assessed_on_productivity()));
                }
                Reference::Lesson(id) if id == LESSON => {
                    let lesson = LessonState { status: LessonStatus::Identified, ..LessonState::default() };
                    references.insert(id.0, Referenced::Lesson(lesson));
                }
                Reference::Campaign(id) if id == CAMPAIGN => {
                    references.insert(id.0, Referenced::Campaign(campaign_state()));
                }
                Reference::Practice(id) => {
                    let mut visited = HashSet::new();
                    let mut next = Some(id);
                    while let Some(at) = next {
                        let Some(index) = self.index_of(at).filter(|i| self.states[*i].exists) else { break };
                        if !visited.insert(at) {
                            break;
                        }
                        references.insert(at.0, Referenced::Practice(self.states[index].clone()));
                        next = self.states[index].superseded_by;
                    }
                }
                _ => {}
            }
        }
        references
    }

    /// Decides `op` against its practice; applies the events if accepted. Returns whether it was.
    fn step(&mut self, op: &Op) -> bool {
        let command = command(op);
        let Some(index) = self.index_of(command.practice()) else { return false };
        let references = self.references(&command);
        match self.states[index].decide(&command, &references) {
            Ok(events) => {
                for event in events {
                    assert_eq!(event.practice(), command.practice(), "an event landed on another practice");
                    self.states[index].evolve(&event);
                    self.histories[index].push(event);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Checks every invariant over the pool; panics with the broken rule.
    fn check(&self) {
        for index in 0..POOL {
            check_history(index, &self.histories[index], &self.states[index]);
        }
        for start in 0..POOL {
            let mut seen = HashSet::from([practice_id(start)]);
            let mut next = self.states[start].superseded_by;
            while let Some(at) = next {
                assert!(seen.insert(at), "supersession cycle through practice {start}: {seen:?}");
                let Some(index) = self.index_of(at) else { break };
                assert!(self.states[index].exists, "practice {start} is superseded by a practice that does not exist");
                next = self.states[index].superseded_by;
            }
        }
    }
}

fn municipality_state(id: MunicipalityId) -> MunicipalityState {
    MunicipalityState {
        registration: Some(MunicipalityRegistered {
            municipality: id,
            code: MunicipalityCode::parse("297").expect("valid code"),
            name: fi("Kunta"),
        }),
        ..MunicipalityState::default()
    }
}

/// Every registered body is one of Kuopio's.
fn body_state(id: BodyId) -> BodyState {
    BodyState {
        registration: Some(BodyRegistered {
            body: id,
            municipality: KUOPIO,
            name: fi("Kaupunginhallitus"),
            kind: BodyKind::CityBoard,
            parent: None,
            founded: date("2021-08-01"),
        }),
        ..BodyState::default()
    }
}

/// The registered unit is one of Kuopio's.
fn unit_state(id: UnitId) -> UnitState {
    UnitState {
        establishment: Some(UnitEstablished {
            unit: id,
            municipality: KUOPIO,
            name: fi("Rakennusvalvonta"),
            parent: None,
            sector: Sector::CentralAdministration,
        }),
        ..UnitState::default()
    }
}

fn campaign_state() -> CampaignState {
    let mut campaign = CampaignState::default();
    campaign.opened = Some(CampaignOpened {
        campaign: CAMPAIGN,
        municipality: KUOPIO,
        framework: FrameworkId(Uuid::from_u128(0x800)),
        units: vec![UNITS[0]],
        title: fi("Digitaitokartoitus"),
        opens: date("2024-09-01"),
        closes: date("2024-09-30"),
        min_group_size: 5,
    });
    campaign
}

fn experiment_assessed_on_productivity() -> ExperimentState {
    let outcome = CriterionOutcome { verdict: Verdict::Improved, evidence: Vec::new(), assessed: date("2025-01-31") };
    ExperimentState {
        id: Some(EXPERIMENT),
        municipality: Some(KUOPIO),
        status: ExperimentStatus::Proposed,
        outcomes: [(Criterion::Productivity, outcome)].into_iter().collect(),
        ..ExperimentState::default()
    }
}

/// Where the current version stands, as the oracle sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Draft,
    AwaitingDecision,
    Returned,
    Closed { passed: bool },
}

/// Replays one practice's history against the rules, independently of `decide`.
fn check_history(index: usize, history: &[PracticeEvent], state: &PracticeState) {
    let Some((first, rest)) = history.split_first() else {
        assert!(!state.exists, "practice {index} exists without a history");
        return;
    };
    let PracticeEvent::Drafted(drafted) = first else { panic!("practice {index} starts with {first:?}") };
    assert_eq!(drafted.municipality, home_of(index));
    for link in &drafted.evidence {
        let good = matches!(
            link,
            EvidenceLink::Experiment { experiment: EXPERIMENT }
                | EvidenceLink::Outcome { experiment: EXPERIMENT, criterion: Criterion::Productivity }
                | EvidenceLink::Lesson { lesson: LESSON }
                | EvidenceLink::Assessment { campaign: CAMPAIGN }
        );
        assert!(good, "practice {index} cites evidence that does not exist: {link:?}");
    }
    let home = drafted.municipality;
    let mut version = 1;
    let mut phase = Phase::Draft;
    let mut submitted_to = None;
    let mut ever_passed = false;
    let mut progress = 0;
    let mut shared = BTreeSet::new();
    let mut superseded = false;
    let mut retired = false;
    for event in rest {
        assert!(!retired, "practice {index}: {event:?} after retirement");
        if superseded {
            assert!(
                matches!(event, PracticeEvent::Retired(_) | PracticeEvent::AdoptionReported(_)),
                "practice {index}: {event:?} after supersession"
            );
        }
        match event {
            PracticeEvent::Drafted(_) => panic!("practice {index} drafted twice"),
            PracticeEvent::Submitted(e) => {
                assert!(matches!(phase, Phase::Draft | Phase::Returned), "practice {index} submitted in {phase:?}");
                assert!(registered_body(e.body), "practice {index} submitted to an unregistered body");
                assert_eq!(e.version, version);
                submitted_to = Some(e.body);
                phase = Phase::AwaitingDecision;
            }
            PracticeEvent::Decided(e) => {
                assert!(
                    matches!(phase, Phase::AwaitingDecision | Phase::Returned),
                    "practice {index} decided in {phase:?}: decided twice without a revision, or never submitted"
                );
                assert!(registered_body(e.body), "practice {index} decided by an unregistered body");
                assert_eq!(submitted_to, Some(e.body), "practice {index} decided by a body it was not submitted to");
                assert_eq!(e.version, version);
                if e.resolution.needs_rationale() {
                    assert!(e.rationale.is_some(), "practice {index}: {:?} without a rationale", e.resolution);
                }
                phase = match e.resolution {
                    Resolution::Tabled => Phase::AwaitingDecision,
                    Resolution::Returned => Phase::Returned,
                    resolution => Phase::Closed { passed: resolution.is_passing() },
                };
                ever_passed |= e.resolution.is_passing();
            }
            PracticeEvent::Revised(e) => {
                assert_ne!(phase, Phase::AwaitingDecision, "practice {index} revised while awaiting a decision");
                assert_eq!(e.new_version, version + 1);
                version = e.new_version;
                phase = Phase::Draft;
                submitted_to = None;
            }
            PracticeEvent::Anchored(e) => {
                assert_eq!(phase, Phase::Closed { passed: true }, "practice {index} anchored without a pass");
                assert_eq!(e.version, version);
                assert_eq!(e.owner_unit, UNITS[0]);
            }
            PracticeEvent::ImplementationProgressed(e) => {
                assert!(ever_passed, "practice {index} progressed before any pass");
                assert!(e.percent.get() >= progress, "practice {index} progress went backwards");
                progress = e.percent.get();
            }
            PracticeEvent::Shared(e) => {
                assert!(ever_passed, "practice {index} shared before any pass");
                assert!(!e.partners.is_empty());
                for partner in &e.partners {
                    assert_ne!(*partner, home, "practice {index} shared with its own municipality");
                    assert!(registered_municipality(*partner), "practice {index} shared with an unknown municipality");
                    assert!(shared.insert(*partner), "practice {index} shared twice with {partner}");
                }
            }
            PracticeEvent::AdoptionReported(e) => {
                assert!(shared.contains(&e.partner), "practice {index}: adoption from a partner not shared with");
            }
            PracticeEvent::Superseded(e) => {
                assert_ne!(e.by, practice_id(index), "practice {index} superseded by itself");
                superseded = true;
            }
            PracticeEvent::Retired(_) => retired = true,
        }
    }
    assert!(state.exists);
    assert_eq!(state.version, version, "practice {index}: state version");
    assert_eq!(state.progress.get(), progress, "practice {index}: state progress");
    assert_eq!(state.shared_with, shared, "practice {index}: state sharing");
    assert!(state.adoptions.keys().all(|partner| shared.contains(partner)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn no_accepted_sequence_of_practice_commands_breaks_an_invariant(ops in prop::collection::vec(op_strategy(), 1..120)) {
        let mut world = World::new();
        for op in &ops {
            world.step(op);
            world.check();
        }
    }
}

/// The world is not so strict that nothing is ever accepted: a scripted run through it
/// records every kind of practice event, and refuses what it must.
#[test]
fn the_world_lets_every_kind_of_practice_event_happen() {
    let mut world = World::new();
    let accepted = [
        Op::Draft { practice: 0, evidence: vec![0, 1, 3, 4] },
        Op::Submit { practice: 0, body: 0 },
        Op::Decide { practice: 0, body: 0, resolution: 4, rationale: true, section: 12 },
        Op::Decide { practice: 0, body: 0, resolution: 1, rationale: false, section: 31 },
        Op::Anchor { practice: 0, unit: 0 },
        Op::Progress { practice: 0, percent: 40 },
        Op::Share { practice: 0, partners: vec![1, 2] },
        Op::ReportAdoption { practice: 0, partner: 1, status: 1 },
        Op::Revise { practice: 0 },
        Op::Draft { practice: 1, evidence: vec![] },
        Op::Supersede { practice: 0, by: 1 },
    ];
    for op in &accepted {
        assert!(world.step(op), "{op:?} was refused");
        world.check();
    }
    assert!(!world.step(&Op::Supersede { practice: 1, by: 0 }), "a supersession cycle was accepted");
    assert!(world.step(&Op::Retire { practice: 0 }), "retirement was refused");
    let refused = [
        Op::Draft { practice: 2, evidence: vec![2] },
        Op::Draft { practice: 2, evidence: vec![5] },
        Op::Draft { practice: 2, evidence: vec![6] },
        Op::Supersede { practice: 1, by: 1 },
        Op::Supersede { practice: 1, by: 3 },
        Op::Submit { practice: 1, body: 2 },
        Op::ReportAdoption { practice: 0, partner: 1, status: 2 },
        Op::Progress { practice: 0, percent: 50 },
    ];
    for op in &refused {
        assert!(!world.step(op), "{op:?} was accepted");
    }
    let kinds: BTreeSet<&str> = world.histories.iter().flatten().map(PracticeEvent::event_type).collect();
    let all: BTreeSet<&str> = PracticeEvent::TYPES.iter().map(|(name, _)| *name).collect();
    assert_eq!(kinds, all);
}

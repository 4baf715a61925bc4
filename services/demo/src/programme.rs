//! The demo programme: Kuopio's digital-transformation programme 2024–2026, written command
//! by command through [`CommandBus::execute`], so every domain rule applies to it.
//!
//! The story, per cohort (scale N writes N cohorts; cohort 0 is the programme itself, later
//! cohorts are further survey waves, experiment rounds, engagements, lessons and practices):
//! 1. organisation (once): Kuopio and three partner municipalities in its network, twelve
//!    units, five bodies with their members, DigComp 2.2 and the EU DMA published, unit targets;
//! 2. assessment: a DigComp and a maturity campaign each year 2024–2026, with responses whose
//!    levels rise faster in the units that run experiments or are coached, then results;
//! 3. five cross-sector experiments: proposed, approved by a body, protocol, baselines, monthly
//!    measurements, a mid-term evaluation, an outcome per criterion, concluded;
//! 4. coaching engagements with sessions, structured notes, actions;
//! 5. observations from experiments, engagements and campaigns; 6. lessons from them;
//! 7. fifteen best practices with every resolution, anchoring, progress, revisions, a
//!    retirement, sharing and partner adoption; 8. supersessions and communications.
//!
//! Phases run one after another; within a phase, independent tasks (one per campaign,
//! experiment, engagement, practice…) run concurrently so the store can group-commit. A task
//! draws its ids and text from its own key under the seed ([`uuid_for`], [`Prose::for_key`]),
//! so every stream's events are the same for a seed however the tasks interleave.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{Datelike as _, Months, NaiveDate, NaiveTime, TimeDelta};
use kirjuri_domain::Aggregate;
use kirjuri_domain::assessment::{
    CampaignCommand, CampaignState, CampaignWindow, CloseCampaign, ComputeResults, FrameworkCommand, FrameworkState,
    OpenCampaign, PublishFramework, SubmitResponse, WithdrawResponse,
};
use kirjuri_domain::coaching::{
    AgreeAction, CloseEngagement, CommunicationCommand, CommunicationState, CompleteAction, EngagementCommand,
    EngagementState, HoldSession, PublishCommunication, RecordNote, StartEngagement,
};
use kirjuri_domain::experiment::{
    ApproveExperiment, AssessOutcome, ChangeStage, ConcludeExperiment, DefineProtocol, EstablishBaseline,
    ExperimentCommand, ExperimentState, ProposeExperiment, RecordMeasurement,
};
use kirjuri_domain::lesson::{
    AssignLessonAction, IdentifyLesson, LessonCommand, LessonState, ObservationCommand, ObservationState,
    RecordLessonLearned, SubmitObservation,
};
use kirjuri_domain::organisation::{
    BodyCommand, BodyState, EndMembership, EstablishUnit, InvitePartner, JoinPartnerNetwork, MunicipalityCommand,
    MunicipalityState, RegisterBody, RegisterMunicipality, SetUnitTarget, StartMembership, UnitCommand, UnitState,
};
use kirjuri_domain::practice::{
    AnchorPractice, DecidePractice, DraftPractice, PracticeCommand, PracticeState, ReportAdoption, ReportProgress,
    RetirePractice, RevisePractice, SharePractice, SubmitPractice, SupersedePractice,
};
use kirjuri_events::domain::assessment::{Answer, FrameworkDefinition, RespondentRef, ResponseId};
use kirjuri_events::domain::coaching::{
    ActionId, Audience, Channel, CommunicationLink, NoteId, PersonRef, PersonalText, SessionFormat, SessionId,
};
use kirjuri_events::domain::experiment::{
    Criterion, CriterionMetrics, DecisionCitation, Direction, EndState, EvaluationDesign, ExperimentScope,
    MeasurementId, Metric as ProtocolMetric, MetricCode, Period, Stage, Verdict,
};
use kirjuri_events::domain::lesson::LessonSource;
use kirjuri_events::domain::organisation::{BodyKind, MemberRole, MembershipId, MunicipalityCode, Sector};
use kirjuri_events::domain::practice::{
    AdoptionStatus, AnchorKind, CaseNumber, Consequences, EvidenceLink, Percent, Resolution, SectionNumber, Tag,
};
use kirjuri_events::domain::{
    BodyId, CampaignId, CommunicationId, EngagementId, ExperimentId, Language, LessonId, LocalizedText, MunicipalityId,
    ObservationId, PracticeId, UnitId,
};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::text::{Prose, Scene, StageChange, stable_hash};
use super::vocabulary::{
    AI_DOCUMENTS, BODIES, BodyName, BodyRole, COUNCIL_GROUPS, DISTRICTS, FAMILY_SERVICES, FIRST_NAMES, HOME_CARE,
    INVOICE_ROBOTICS, KUOPIO, LIBRARY_SELF_SERVICE, Metric, PARTNERS, PERMIT_CHATBOT, Place, SCHOOL_LEARNING,
    SERVICE_COUNTER, SKILL_CODES, SKILLS, STAFF_SKILLS, SURNAMES, Theme, UNITS, UnitName, WELLBEING,
};
use kirjuri_app::usecases::{CommandBus, CommandContext};

/// Events written per stream category (`campaign`, `experiment`, …).
pub type Tally = BTreeMap<String, u64>;

/// A deterministic UUID (version 4 layout) for `key` under `seed`.
pub fn uuid_for(seed: u64, key: &str) -> Uuid {
    let mut rng = StdRng::seed_from_u64(seed ^ stable_hash(key));
    let bytes: [u8; 16] = rng.random();
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn ymd(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).with_context(|| format!("{year}-{month}-{day} is not a date"))
}

fn plus_months(date: NaiveDate, months: u32) -> anyhow::Result<NaiveDate> {
    date.checked_add_months(Months::new(months)).with_context(|| format!("{date} plus {months} months"))
}

fn plus_days(date: NaiveDate, days: i64) -> NaiveDate {
    date + TimeDelta::days(days)
}

/// The last day of the programme's story; later dates are moved back to it.
fn story_end() -> anyhow::Result<NaiveDate> {
    ymd(2026, 12, 31)
}

fn first_of_month(date: NaiveDate) -> anyhow::Result<NaiveDate> {
    ymd(date.year(), date.month(), 1)
}

fn last_of_month(date: NaiveDate) -> anyhow::Result<NaiveDate> {
    Ok(plus_days(plus_months(first_of_month(date)?, 1)?, -1))
}

fn unit_named(key: &str) -> anyhow::Result<&'static UnitName> {
    UNITS.iter().find(|u| u.key == key).with_context(|| format!("the demo has no unit `{key}`"))
}

fn body_named(key: &str) -> anyhow::Result<&'static BodyName> {
    BODIES.iter().find(|b| b.key == key).with_context(|| format!("the demo has no body `{key}`"))
}

/// A metric's protocol code: its English name in snake case.
fn metric_code(metric: &Metric) -> anyhow::Result<MetricCode> {
    let mut code = String::new();
    for c in metric.en.chars() {
        if c.is_ascii_alphanumeric() {
            code.push(c.to_ascii_lowercase());
        } else if !code.ends_with('_') {
            code.push('_');
        }
    }
    let code: String = code.trim_matches('_').chars().take(48).collect();
    Ok(MetricCode::parse("metric", code.trim_end_matches('_'))?)
}

/// Rounds to one decimal, or two for small values.
fn tidy(value: f64) -> f64 {
    if value.abs() < 10.0 { (value * 100.0).round() / 100.0 } else { (value * 10.0).round() / 10.0 }
}

// ---------------------------------------------------------------------------------------------
// The script: who does what, in which unit, decided by which body.

/// One of the programme's cross-sector experiments.
struct ExperimentPlan {
    theme: &'static Theme,
    primary_unit: &'static str,
    other_units: &'static [&'static str],
    approver: &'static str,
    start: (i32, u32),
    months: u32,
    midterm: bool,
    /// How strongly each criterion moves, as a share of the metric's typical change.
    effects: [f64; 3],
}

const EXPERIMENTS: [ExperimentPlan; 5] = [
    ExperimentPlan {
        theme: &HOME_CARE,
        primary_unit: "kotihoito",
        other_units: &["sote", "tietohallinto"],
        approver: "hallitus",
        start: (2024, 4),
        months: 12,
        midterm: true,
        effects: [1.0, 0.9, 1.1],
    },
    ExperimentPlan {
        theme: &SERVICE_COUNTER,
        primary_unit: "asiointipalvelut",
        other_units: &["kirjasto", "tietohallinto"],
        approver: "ohjausryhma",
        start: (2024, 6),
        months: 12,
        midterm: false,
        effects: [1.1, 0.05, 0.9],
    },
    ExperimentPlan {
        theme: &PERMIT_CHATBOT,
        primary_unit: "rakennusvalvonta",
        other_units: &["kaupunkiymparisto", "asiointipalvelut"],
        approver: "ohjausryhma",
        start: (2024, 9),
        months: 10,
        midterm: false,
        effects: [0.9, 0.8, 1.3],
    },
    ExperimentPlan {
        theme: &AI_DOCUMENTS,
        primary_unit: "kirjaamo",
        other_units: &["tietohallinto", "taloushallinto"],
        approver: "johtoryhma",
        start: (2025, 1),
        months: 10,
        midterm: true,
        effects: [1.0, -0.7, 1.2],
    },
    ExperimentPlan {
        theme: &FAMILY_SERVICES,
        primary_unit: "varhaiskasvatus",
        other_units: &["perusopetus", "sote"],
        approver: "hallitus",
        start: (2025, 3),
        months: 11,
        midterm: false,
        effects: [1.2, 1.0, 0.6],
    },
];

/// A coaching engagement.
struct EngagementPlan {
    theme: &'static Theme,
    unit: &'static str,
    experiment: Option<usize>,
    start: (i32, u32),
}

const ENGAGEMENTS: [EngagementPlan; 8] = [
    EngagementPlan { theme: &STAFF_SKILLS, unit: "henkilostopalvelut", experiment: None, start: (2024, 5) },
    EngagementPlan { theme: &WELLBEING, unit: "varhaiskasvatus", experiment: None, start: (2024, 8) },
    EngagementPlan { theme: &SCHOOL_LEARNING, unit: "perusopetus", experiment: None, start: (2024, 10) },
    EngagementPlan { theme: &LIBRARY_SELF_SERVICE, unit: "kirjasto", experiment: None, start: (2025, 1) },
    EngagementPlan { theme: &INVOICE_ROBOTICS, unit: "taloushallinto", experiment: None, start: (2025, 4) },
    EngagementPlan { theme: &HOME_CARE, unit: "kotihoito", experiment: Some(0), start: (2024, 4) },
    EngagementPlan { theme: &PERMIT_CHATBOT, unit: "rakennusvalvonta", experiment: Some(2), start: (2024, 9) },
    EngagementPlan { theme: &FAMILY_SERVICES, unit: "varhaiskasvatus", experiment: Some(4), start: (2025, 3) },
];

/// How strongly a unit's assessed levels grow per year (experiments and coaching lift them).
fn yearly_growth(unit_key: &str) -> f64 {
    if EXPERIMENTS.iter().any(|e| e.primary_unit == unit_key) {
        0.55
    } else if ENGAGEMENTS.iter().any(|e| e.unit == unit_key) {
        0.35
    } else {
        0.12
    }
}

fn sector_of(unit_key: &str) -> Sector {
    match unit_key {
        "sote" | "kotihoito" => Sector::SocialAndHealth,
        "varhaiskasvatus" | "perusopetus" => Sector::EducationAndLearning,
        "kirjasto" => Sector::WellbeingPromotion,
        "kaupunkiymparisto" | "rakennusvalvonta" => Sector::UrbanEnvironment,
        _ => Sector::CentralAdministration,
    }
}

fn body_kind(role: BodyRole) -> BodyKind {
    match role {
        BodyRole::Council => BodyKind::Council,
        BodyRole::CityBoard => BodyKind::CityBoard,
        BodyRole::Committee => BodyKind::Committee,
        BodyRole::ManagementTeam => BodyKind::ManagementTeam,
        BodyRole::SteeringGroup => BodyKind::SteeringGroup,
    }
}

fn body_parent(key: &str) -> Option<&'static str> {
    match key {
        "hallitus" => Some("valtuusto"),
        "kasvun-ja-oppimisen-lautakunta" => Some("hallitus"),
        "ohjausryhma" => Some("johtoryhma"),
        _ => None,
    }
}

/// Seats per body: (seats, whether members sit for council groups, whether it has a secretary).
fn body_seats(role: BodyRole) -> (usize, bool, bool) {
    match role {
        BodyRole::Council => (59, true, false),
        BodyRole::CityBoard => (13, true, true),
        BodyRole::Committee => (11, true, true),
        BodyRole::ManagementTeam => (9, false, false),
        BodyRole::SteeringGroup => (9, false, true),
    }
}

/// One step in a practice's life.
#[derive(Debug, Clone, Copy)]
enum Step {
    Submit(&'static str),
    Decide(Resolution),
    Revise,
    Anchor(AnchorKind),
    Progress(u32),
    Share(&'static [usize]),
    Adopt(usize, AdoptionStatus),
    Retire,
}

/// A best practice and what happens to it.
struct PracticePlan {
    theme: &'static Theme,
    title_variant: usize,
    unit: &'static str,
    experiment: Option<usize>,
    engagement: Option<usize>,
    steps: &'static [Step],
}

use AdoptionStatus as Adoption;
use Resolution as R;

const PRACTICES: [PracticePlan; 15] = [
    PracticePlan {
        theme: &HOME_CARE,
        title_variant: 0,
        unit: "kotihoito",
        experiment: Some(0),
        engagement: Some(5),
        steps: &[
            Step::Submit("hallitus"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::Unit),
            Step::Progress(30),
            Step::Progress(70),
            Step::Share(&[0, 1, 2]),
            Step::Adopt(0, Adoption::Piloting),
            Step::Adopt(1, Adoption::Considering),
            Step::Adopt(2, Adoption::Rejected),
            Step::Progress(100),
            Step::Adopt(0, Adoption::Adopted),
        ],
    },
    PracticePlan {
        theme: &SERVICE_COUNTER,
        title_variant: 2,
        unit: "asiointipalvelut",
        experiment: Some(1),
        engagement: None,
        steps: &[
            Step::Submit("hallitus"),
            Step::Decide(R::PassedAsAmended),
            Step::Anchor(AnchorKind::Process),
            Step::Progress(50),
            Step::Share(&[0, 1]),
            Step::Adopt(0, Adoption::Adopted),
            Step::Adopt(1, Adoption::Piloting),
        ],
    },
    PracticePlan {
        theme: &PERMIT_CHATBOT,
        title_variant: 6,
        unit: "rakennusvalvonta",
        experiment: Some(2),
        engagement: Some(6),
        steps: &[
            Step::Submit("hallitus"),
            Step::Decide(R::Tabled),
            Step::Decide(R::PassedAfterVote),
            Step::Anchor(AnchorKind::Guideline),
            Step::Progress(40),
            Step::Progress(80),
        ],
    },
    PracticePlan {
        theme: &AI_DOCUMENTS,
        title_variant: 5,
        unit: "kirjaamo",
        experiment: Some(3),
        engagement: None,
        steps: &[
            Step::Submit("johtoryhma"),
            Step::Decide(R::Returned),
            Step::Revise,
            Step::Submit("johtoryhma"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::Guideline),
            Step::Progress(60),
        ],
    },
    PracticePlan {
        theme: &FAMILY_SERVICES,
        title_variant: 3,
        unit: "varhaiskasvatus",
        experiment: Some(4),
        engagement: Some(7),
        steps: &[
            Step::Submit("kasvun-ja-oppimisen-lautakunta"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::StrategyItem),
            Step::Share(&[0, 1, 2]),
            Step::Adopt(1, Adoption::Adopted),
            Step::Adopt(2, Adoption::Considering),
        ],
    },
    PracticePlan {
        theme: &SCHOOL_LEARNING,
        title_variant: 1,
        unit: "perusopetus",
        experiment: None,
        engagement: Some(2),
        steps: &[
            Step::Submit("kasvun-ja-oppimisen-lautakunta"),
            Step::Decide(R::Rejected),
            Step::Revise,
            Step::Submit("kasvun-ja-oppimisen-lautakunta"),
            Step::Decide(R::PassedAsAmended),
            Step::Anchor(AnchorKind::Unit),
            Step::Progress(35),
        ],
    },
    PracticePlan {
        theme: &LIBRARY_SELF_SERVICE,
        title_variant: 0,
        unit: "kirjasto",
        experiment: None,
        engagement: Some(3),
        steps: &[Step::Submit("kasvun-ja-oppimisen-lautakunta"), Step::Decide(R::Noted)],
    },
    PracticePlan {
        theme: &STAFF_SKILLS,
        title_variant: 4,
        unit: "henkilostopalvelut",
        experiment: None,
        engagement: Some(0),
        steps: &[
            Step::Submit("johtoryhma"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::Unit),
            Step::Progress(50),
            Step::Revise,
            Step::Submit("johtoryhma"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::Unit),
            Step::Progress(90),
            Step::Share(&[2]),
            Step::Adopt(2, Adoption::Piloting),
        ],
    },
    PracticePlan {
        theme: &WELLBEING,
        title_variant: 0,
        unit: "varhaiskasvatus",
        experiment: None,
        engagement: Some(1),
        steps: &[
            Step::Submit("kasvun-ja-oppimisen-lautakunta"),
            Step::Decide(R::PassedAfterVote),
            Step::Anchor(AnchorKind::Process),
            Step::Progress(45),
            Step::Share(&[0]),
            Step::Adopt(0, Adoption::Considering),
        ],
    },
    PracticePlan {
        theme: &INVOICE_ROBOTICS,
        title_variant: 6,
        unit: "taloushallinto",
        experiment: None,
        engagement: Some(4),
        steps: &[
            Step::Submit("johtoryhma"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::Process),
            Step::Progress(100),
            Step::Retire,
        ],
    },
    PracticePlan {
        theme: &HOME_CARE,
        title_variant: 7,
        unit: "sote",
        experiment: Some(0),
        engagement: None,
        steps: &[Step::Submit("hallitus"), Step::Decide(R::Rejected)],
    },
    PracticePlan {
        theme: &AI_DOCUMENTS,
        title_variant: 8,
        unit: "tietohallinto",
        experiment: Some(3),
        engagement: None,
        steps: &[
            Step::Submit("valtuusto"),
            Step::Decide(R::Passed),
            Step::Anchor(AnchorKind::StrategyItem),
            Step::Progress(20),
        ],
    },
    PracticePlan {
        theme: &SERVICE_COUNTER,
        title_variant: 5,
        unit: "asiointipalvelut",
        experiment: Some(1),
        engagement: None,
        steps: &[
            Step::Submit("ohjausryhma"),
            Step::Decide(R::Returned),
            Step::Submit("ohjausryhma"),
            Step::Decide(R::Passed),
            Step::Share(&[1, 2]),
            Step::Adopt(1, Adoption::Adopted),
            Step::Adopt(2, Adoption::Piloting),
        ],
    },
    PracticePlan {
        theme: &FAMILY_SERVICES,
        title_variant: 7,
        unit: "perusopetus",
        experiment: Some(4),
        engagement: None,
        steps: &[
            Step::Submit("hallitus"),
            Step::Decide(R::Tabled),
            Step::Decide(R::PassedAsAmended),
            Step::Anchor(AnchorKind::Guideline),
        ],
    },
    PracticePlan {
        theme: &PERMIT_CHATBOT,
        title_variant: 3,
        unit: "rakennusvalvonta",
        experiment: Some(2),
        engagement: None,
        steps: &[Step::Submit("ohjausryhma"), Step::Decide(R::Passed), Step::Anchor(AnchorKind::Unit)],
    },
];

/// Supersessions: (practice superseded, practice replacing it), by index in [`PRACTICES`].
const SUPERSESSIONS: [(usize, usize); 2] = [(3, 11), (14, 2)];

/// Communications: (experiment told about, lesson linked, practice linked, months after March 2024).
const COMMUNICATIONS: [(usize, Option<usize>, Option<usize>, u32); 10] = [
    (0, None, None, 2),
    (1, None, None, 6),
    (2, Some(4), None, 10),
    (0, Some(0), Some(0), 14),
    (3, None, None, 16),
    (1, Some(2), Some(1), 19),
    (4, Some(8), Some(4), 23),
    (2, None, Some(2), 26),
    (3, Some(6), Some(11), 29),
    (4, None, None, 32),
];

// ---------------------------------------------------------------------------------------------
// Running commands.

/// The demo's shared state: the command path, the seed, the shipped frameworks.
pub struct Programme {
    bus: CommandBus,
    seed: u64,
    cohorts: u32,
    digcomp: FrameworkDefinition,
    maturity: FrameworkDefinition,
}

/// One stream of work: runs commands with ids derived from its key, and counts what they wrote.
struct Actor {
    programme: Arc<Programme>,
    key: String,
    role: &'static str,
    /// The municipality the commands are issued for (the events' tenant).
    tenant: MunicipalityId,
    commands: u32,
    tally: Tally,
    prose: Prose,
}

impl Actor {
    fn new(programme: &Arc<Programme>, key: String, role: &'static str) -> Self {
        let prose = Prose::for_key(programme.seed, &key);
        Self {
            programme: Arc::clone(programme),
            key,
            role,
            tenant: programme.kuopio(),
            commands: 0,
            tally: Tally::new(),
            prose,
        }
    }

    /// Runs `command` as happening on `on`; a refusal stops the demo with the step named.
    async fn run<A>(&mut self, command: A::Command, on: NaiveDate) -> anyhow::Result<()>
    where
        A: Aggregate + Send + Sync + 'static,
        A::Event: Send + Sync,
    {
        let step = self.commands;
        self.commands += 1;
        let command_id = uuid_for(self.programme.seed, &format!("command:{}:{step}", self.key));
        let occurred_at =
            (on.and_time(NaiveTime::MIN) + TimeDelta::hours(7) + TimeDelta::minutes(i64::from(step % 600))).and_utc();
        let context = CommandContext {
            command_id,
            actor: format!("demo:{}", self.role),
            tenant: Some(self.tenant.to_string()),
            correlation_id: None,
            occurred_at: Some(occurred_at),
            if_revision: None,
            request_digest: None,
        };
        let executed = self
            .programme
            .bus
            .execute::<A>(command, &context)
            .await
            .with_context(|| format!("demo step {step} of `{}` was refused", self.key))?;
        *self.tally.entry(executed.stream.category().to_owned()).or_default() += executed.events as u64;
        *self.tally.entry(COMMANDS_KEY.to_owned()).or_default() += 1;
        Ok(())
    }

    fn scene(&self, theme: &'static Theme, unit: &'static UnitName, on: NaiveDate) -> Scene {
        scene(theme, unit, on, &self.key)
    }
}

/// The tally key counting commands rather than events.
pub const COMMANDS_KEY: &str = "(commands)";

fn scene(theme: &'static Theme, unit: &'static UnitName, on: NaiveDate, key: &str) -> Scene {
    let spread = stable_hash(key) as usize;
    Scene {
        theme,
        unit,
        city: &KUOPIO,
        partner: &PARTNERS[spread % PARTNERS.len()],
        body: &BODIES[(spread / 7) % BODIES.len()],
        skill: &SKILLS[(spread / 11) % SKILLS.len()],
        year: on.year(),
        month: on.month(),
    }
}

type Task = Pin<Box<dyn Future<Output = anyhow::Result<Tally>> + Send>>;

fn merge(into: &mut Tally, from: Tally) {
    for (kind, count) in from {
        *into.entry(kind).or_default() += count;
    }
}

/// Runs a phase's tasks, at most `limit` at a time; the first failure stops the phase.
async fn run_phase(phase: &'static str, tasks: Vec<Task>, limit: usize, tally: &mut Tally) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let task_count = tasks.len();
    let mut pending = tasks.into_iter();
    let mut running = JoinSet::new();
    let mut written = Tally::new();
    loop {
        while running.len() < limit.max(1) {
            let Some(task) = pending.next() else { break };
            running.spawn(task);
        }
        let Some(joined) = running.join_next().await else { break };
        let task_tally = joined.with_context(|| format!("a task of the demo's {phase} phase panicked"))??;
        merge(&mut written, task_tally);
    }
    let events: u64 = written.iter().filter(|(k, _)| k.as_str() != COMMANDS_KEY).map(|(_, v)| v).sum();
    tracing::info!(
        phase,
        tasks = task_count,
        events,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo phase written"
    );
    merge(tally, written);
    Ok(())
}

impl Programme {
    /// A programme over `bus` for `seed`, `cohorts` times the base volume.
    pub fn new(bus: CommandBus, seed: u64, cohorts: u32) -> anyhow::Result<Self> {
        let digcomp = kirjuri_events::domain::assessment::digcomp_2_2().context("loading DigComp 2.2")?;
        let maturity = kirjuri_events::domain::assessment::eu_dma_pso().context("loading the EU DMA")?;
        Ok(Self { bus, seed, cohorts: cohorts.max(1), digcomp, maturity })
    }

    fn id(&self, key: &str) -> Uuid {
        uuid_for(self.seed, key)
    }

    fn municipality(&self, place: &Place) -> MunicipalityId {
        MunicipalityId(self.id(&format!("municipality:{}", place.code)))
    }

    /// The programme's municipalities, Kuopio first: (English name, code, id).
    pub(crate) fn municipalities(&self) -> Vec<(&'static str, &'static str, MunicipalityId)> {
        std::iter::once(&KUOPIO).chain(PARTNERS.iter()).map(|p| (p.name.en, p.code, self.municipality(p))).collect()
    }

    fn kuopio(&self) -> MunicipalityId {
        self.municipality(&KUOPIO)
    }

    fn unit(&self, key: &str) -> UnitId {
        UnitId(self.id(&format!("unit:{key}")))
    }

    fn body(&self, key: &str) -> BodyId {
        BodyId(self.id(&format!("body:{key}")))
    }

    fn campaign(&self, cohort: u32, year: i32, framework: &str) -> CampaignId {
        CampaignId(self.id(&format!("campaign:{cohort}:{year}:{framework}")))
    }

    fn experiment(&self, cohort: u32, index: usize) -> ExperimentId {
        ExperimentId(self.id(&format!("experiment:{cohort}:{index}")))
    }

    fn engagement(&self, cohort: u32, index: usize) -> EngagementId {
        EngagementId(self.id(&format!("engagement:{cohort}:{index}")))
    }

    fn observation(&self, cohort: u32, source: &str, index: usize) -> ObservationId {
        ObservationId(self.id(&format!("observation:{cohort}:{source}:{index}")))
    }

    fn lesson(&self, cohort: u32, index: usize) -> LessonId {
        LessonId(self.id(&format!("lesson:{cohort}:{index}")))
    }

    fn practice(&self, cohort: u32, index: usize) -> PracticeId {
        PracticeId(self.id(&format!("practice:{cohort}:{index}")))
    }

    /// How many months a cohort's schedule is shifted (cohort 0 is the programme as planned).
    fn shift(cohort: u32) -> u32 {
        cohort % 3
    }

    /// The experiment's dates: (proposed, approved, starts, ends, concluded).
    fn experiment_dates(plan: &ExperimentPlan, cohort: u32) -> anyhow::Result<[NaiveDate; 5]> {
        let starts = plus_months(ymd(plan.start.0, plan.start.1, 1)?, Self::shift(cohort))?;
        let ends = plus_days(plus_months(starts, plan.months)?, -1);
        let proposed = plus_days(plus_months(starts, 0)?.checked_sub_months(Months::new(3)).context("date")?, 9);
        let approved = plus_days(starts.checked_sub_months(Months::new(1)).context("date")?, 12);
        let concluded = plus_days(ends, 35);
        Ok([proposed, approved, starts, ends, concluded])
    }

    /// Writes the whole programme; `limit` tasks run at a time.
    pub async fn write(self: &Arc<Self>, limit: usize) -> anyhow::Result<Tally> {
        let mut tally = Tally::new();
        run_phase("organisation", vec![Box::pin(Arc::clone(self).organisation())], 1, &mut tally).await?;
        run_phase("memberships and targets", self.membership_and_target_tasks(), limit, &mut tally).await?;
        let cohorts = 0..self.cohorts;
        let mut tasks: Vec<Task> = Vec::new();
        for cohort in cohorts.clone() {
            for year in [2024, 2025, 2026] {
                tasks.push(Box::pin(Arc::clone(self).campaign_task(cohort, year, true)));
                tasks.push(Box::pin(Arc::clone(self).campaign_task(cohort, year, false)));
            }
        }
        run_phase("campaigns", tasks, limit, &mut tally).await?;
        let tasks: Vec<Task> = cohorts
            .clone()
            .flat_map(|c| (0..EXPERIMENTS.len()).map(move |i| (c, i)))
            .map(|(c, i)| -> Task { Box::pin(Arc::clone(self).experiment_task(c, i)) })
            .collect();
        run_phase("experiments", tasks, limit, &mut tally).await?;
        let tasks: Vec<Task> = cohorts
            .clone()
            .flat_map(|c| (0..ENGAGEMENTS.len()).map(move |i| (c, i)))
            .map(|(c, i)| -> Task { Box::pin(Arc::clone(self).engagement_task(c, i)) })
            .collect();
        run_phase("coaching", tasks, limit, &mut tally).await?;
        let tasks: Vec<Task> =
            cohorts.clone().map(|c| -> Task { Box::pin(Arc::clone(self).observation_task(c)) }).collect();
        run_phase("observations", tasks, limit, &mut tally).await?;
        let tasks: Vec<Task> = cohorts
            .clone()
            .flat_map(|c| (0..LESSON_COUNT).map(move |i| (c, i)))
            .map(|(c, i)| -> Task { Box::pin(Arc::clone(self).lesson_task(c, i)) })
            .collect();
        run_phase("lessons", tasks, limit, &mut tally).await?;
        let tasks: Vec<Task> = cohorts
            .clone()
            .flat_map(|c| (0..PRACTICES.len()).map(move |i| (c, i)))
            .map(|(c, i)| -> Task { Box::pin(Arc::clone(self).practice_task(c, i)) })
            .collect();
        run_phase("practices", tasks, limit, &mut tally).await?;
        let mut tasks: Vec<Task> = Vec::new();
        for cohort in cohorts {
            tasks.push(Box::pin(Arc::clone(self).supersession_task(cohort)));
            for index in 0..COMMUNICATIONS.len() {
                tasks.push(Box::pin(Arc::clone(self).communication_task(cohort, index)));
            }
        }
        run_phase("supersessions and communications", tasks, limit, &mut tally).await?;
        Ok(tally)
    }

    // -----------------------------------------------------------------------------------------
    // 1. Organisation

    async fn organisation(self: Arc<Self>) -> anyhow::Result<Tally> {
        let mut actor = Actor::new(&self, "organisation".into(), "admin");
        let registered = ymd(2024, 1, 8)?;
        let kuopio = self.kuopio();
        for place in std::iter::once(&KUOPIO).chain(PARTNERS.iter()) {
            actor.tenant = self.municipality(place);
            let command = RegisterMunicipality {
                municipality: self.municipality(place),
                code: MunicipalityCode::parse(place.code)?,
                name: Prose::name_of(&place.name)?,
            };
            actor.run::<MunicipalityState>(MunicipalityCommand::Register(command), registered).await?;
        }
        for (index, partner) in PARTNERS.iter().enumerate() {
            let joined = ymd(2024, 2 + index as u32, 1)?;
            let agreement = format!("Kumppanuussopimus KUO/{}/00.04.01/2024", 210 + index * 17);
            // Kuopio invites (its consent), then the partner joins.
            actor.tenant = kuopio;
            let invited = ymd(2024, 1 + index as u32, 20)?;
            let invitation = InvitePartner::parse(kuopio, self.municipality(partner), invited, Some(&agreement))?;
            actor.run::<MunicipalityState>(MunicipalityCommand::InvitePartner(invitation), invited).await?;
            actor.tenant = self.municipality(partner);
            let command = JoinPartnerNetwork::parse(self.municipality(partner), kuopio, joined, Some(&agreement))?;
            actor.run::<MunicipalityState>(MunicipalityCommand::JoinPartnerNetwork(command), joined).await?;
        }
        actor.tenant = self.kuopio();
        let published = ymd(2024, 1, 15)?;
        for definition in [&self.digcomp, &self.maturity] {
            let command = PublishFramework::parse(definition.clone())?;
            actor.run::<FrameworkState>(FrameworkCommand::Publish(command), published).await?;
        }
        for unit in &UNITS {
            let command = EstablishUnit {
                unit: self.unit(unit.key),
                municipality: kuopio,
                name: Prose::name_of(&unit.name)?,
                parent: unit.parent.map(|parent| self.unit(parent)),
                sector: sector_of(unit.key),
            };
            actor.run::<UnitState>(UnitCommand::Establish(command), registered).await?;
        }
        for body in &BODIES {
            let founded = ymd(body.founded, 6, 1)?;
            let command = RegisterBody {
                body: self.body(body.key),
                municipality: kuopio,
                name: Prose::name_of(&body.name)?,
                kind: body_kind(body.role),
                parent: body_parent(body.key).map(|parent| self.body(parent)),
                founded,
            };
            actor.run::<BodyState>(BodyCommand::Register(command), registered).await?;
        }
        Ok(actor.tally)
    }

    fn membership_and_target_tasks(self: &Arc<Self>) -> Vec<Task> {
        let mut tasks: Vec<Task> = Vec::new();
        for (index, body) in BODIES.iter().enumerate() {
            tasks.push(Box::pin(Arc::clone(self).memberships(index, body)));
        }
        for unit in UNITS.iter().filter(|u| yearly_growth(u.key) > 0.3) {
            tasks.push(Box::pin(Arc::clone(self).targets(unit)));
        }
        tasks
    }

    async fn memberships(self: Arc<Self>, body_index: usize, body: &'static BodyName) -> anyhow::Result<Tally> {
        let mut actor = Actor::new(&self, format!("memberships:{}", body.key), "admin");
        let body_id = self.body(body.key);
        let (seats, political, secretary) = body_seats(body.role);
        let founded = ymd(body.founded, 6, 1)?;
        let mut names: Vec<String> = Vec::new();
        let mut next_name = |prose: &mut Prose| -> String {
            loop {
                let first = *prose.pick(&FIRST_NAMES);
                let (last, _) = *prose.pick(&SURNAMES);
                let name = format!("{first} {last}");
                if !names.contains(&name) {
                    names.push(name.clone());
                    return name;
                }
            }
        };
        let mut sitting: Vec<(MembershipId, MemberRole)> = Vec::new();
        for seat in 0..seats + usize::from(secretary) {
            let role = match seat {
                0 => MemberRole::Chair,
                1 => MemberRole::ViceChair,
                2 if seats > 20 => MemberRole::ViceChair,
                s if s == seats => MemberRole::Secretary,
                _ => MemberRole::Member,
            };
            let group = (political && role != MemberRole::Secretary).then(|| {
                let weights = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5, 6];
                COUNCIL_GROUPS[weights[seat % weights.len()]].to_owned()
            });
            let membership = MembershipId(self.id(&format!("membership:{}:{seat}", body.key)));
            let name = next_name(&mut actor.prose);
            let started_on = plus_days(founded, (body_index % 3) as i64);
            let command = StartMembership::parse(body_id, membership, &name, role, group.as_deref(), started_on)?;
            actor.run::<BodyState>(BodyCommand::StartMembership(command), started_on).await?;
            sitting.push((membership, role));
        }
        if body.role == BodyRole::Council {
            // The municipal elections of April 2025: a third of the seats change hands in June.
            let term_ends = ymd(2025, 5, 31)?;
            let term_starts = ymd(2025, 6, 1)?;
            for (seat, (membership, role)) in
                sitting.iter().enumerate().filter(|(s, (_, r))| *r == MemberRole::Member && s % 3 == 0)
            {
                actor
                    .run::<BodyState>(
                        BodyCommand::EndMembership(EndMembership {
                            body: body_id,
                            membership: *membership,
                            ended_on: term_ends,
                        }),
                        term_ends,
                    )
                    .await?;
                let successor = MembershipId(self.id(&format!("membership:{}:{seat}:2025", body.key)));
                let weights = [1, 0, 3, 2, 4, 5, 0];
                let group = COUNCIL_GROUPS[weights[seat % weights.len()]];
                let name = next_name(&mut actor.prose);
                let command = StartMembership::parse(body_id, successor, &name, *role, Some(group), term_starts)?;
                actor.run::<BodyState>(BodyCommand::StartMembership(command), term_starts).await?;
            }
        }
        Ok(actor.tally)
    }

    async fn targets(self: Arc<Self>, unit: &'static UnitName) -> anyhow::Result<Tally> {
        let mut actor = Actor::new(&self, format!("targets:{}", unit.key), "decision-maker");
        let set_on = ymd(2024, 5, 20)?;
        let due = ymd(2026, 12, 31)?;
        let steering_group = self.body("ohjausryhma");
        let scene = actor.scene(&STAFF_SKILLS, unit, ymd(2024, 3, 1)?);
        for (definition, target) in [(&self.digcomp, 5.0), (&self.maturity, 3.5)] {
            for dimension in &definition.dimensions {
                let rationale = actor.prose.target_rationale(&scene)?;
                let command = SetUnitTarget {
                    unit: self.unit(unit.key),
                    framework: definition.id(),
                    dimension: dimension.code.clone(),
                    target,
                    due,
                    set_on,
                    set_by: Some(steering_group),
                    rationale: Some(rationale),
                };
                actor.run::<UnitState>(UnitCommand::SetTarget(command), set_on).await?;
            }
        }
        Ok(actor.tally)
    }

    // -----------------------------------------------------------------------------------------
    // 2. Assessment campaigns

    async fn campaign_task(self: Arc<Self>, cohort: u32, year: i32, competence: bool) -> anyhow::Result<Tally> {
        let definition = if competence { &self.digcomp } else { &self.maturity };
        let campaign = self.campaign(cohort, year, &definition.code);
        let mut actor = Actor::new(&self, format!("campaign:{cohort}:{year}:{}", definition.code), "admin");
        let autumn = cohort % 2 == 1;
        let (opens, closes) = match (competence, autumn) {
            (true, false) => (ymd(year, 3, 4)?, ymd(year, 3, 29)?),
            (true, true) => (ymd(year, 9, 2)?, ymd(year, 9, 27)?),
            (false, false) => (ymd(year, 10, 1)?, ymd(year, 10, 31)?),
            (false, true) => (ymd(year, 5, 5)?, ymd(year, 5, 30)?),
        };
        let scene = actor.scene(&STAFF_SKILLS, &UNITS[0], opens);
        let mut title = if competence {
            actor.prose.digcomp_campaign_title(&scene, autumn)?
        } else {
            actor.prose.maturity_campaign_title(&scene)?
        };
        if cohort > 0 {
            title.fi.push_str(&format!(" ({}. otos)", cohort + 1));
            title.sv = title.sv.map(|sv| format!("{sv} (urval {})", cohort + 1));
            title.en = title.en.map(|en| format!("{en} (sample {})", cohort + 1));
        }
        let units: Vec<UnitId> = UNITS.iter().map(|u| self.unit(u.key)).collect();
        let (respondents_per_unit, min_group_size) = if competence { (8, 5) } else { (4, 3) };
        let command = OpenCampaign {
            campaign,
            municipality: self.kuopio(),
            framework: definition.id(),
            units,
            title,
            window: CampaignWindow::parse(opens, closes)?,
            min_group_size,
        };
        actor.run::<CampaignState>(CampaignCommand::Open(command), opens).await?;
        let years_in = f64::from((year - 2024).max(0) as u32);
        let window_days = (closes - opens).num_days().max(1);
        let mut withdrawn = None;
        actor.role = "staff";
        for (unit_index, unit) in UNITS.iter().enumerate() {
            for person in 0..respondents_per_unit {
                let key = format!("{cohort}:{}:{}:{person}", definition.code, unit.key);
                let respondent = respondent_ref(self.seed, &key)?;
                let response = ResponseId(self.id(&format!("response:{key}:{year}")));
                let answers = self.answers(definition, unit.key, &key, years_in, &mut actor.prose);
                let submitted_on = plus_days(opens, ((unit_index * 3 + person * 5) as i64) % window_days);
                let command = SubmitResponse {
                    campaign,
                    framework: definition.id(),
                    response,
                    respondent,
                    unit: self.unit(unit.key),
                    answers,
                    submitted_on,
                };
                actor.run::<CampaignState>(CampaignCommand::SubmitResponse(command), submitted_on).await?;
                if competence && unit_index == 3 && person == 2 {
                    withdrawn = Some((response, plus_days(submitted_on, 2)));
                }
            }
        }
        if let Some((response, on)) = withdrawn {
            let reason = actor.prose.withdrawal_reason(&scene)?;
            let command = WithdrawResponse { campaign, response, withdrawn_on: on.min(closes), reason: Some(reason) };
            actor.run::<CampaignState>(CampaignCommand::WithdrawResponse(command), on.min(closes)).await?;
        }
        actor.role = "admin";
        let closed_on = plus_days(closes, 1);
        actor.run::<CampaignState>(CampaignCommand::Close(CloseCampaign { campaign, closed_on }), closed_on).await?;
        let computed_on = plus_days(closes, 7);
        let command = ComputeResults { campaign, framework: definition.id(), computed_on };
        actor.run::<CampaignState>(CampaignCommand::ComputeResults(command), computed_on).await?;
        Ok(actor.tally)
    }

    /// One respondent's answers: the unit's level, the person's lean, the dimension's, the
    /// years of the programme (faster where experiments and coaching ran) and some noise.
    fn answers(
        &self,
        definition: &FrameworkDefinition,
        unit_key: &str,
        person_key: &str,
        years_in: f64,
        prose: &mut Prose,
    ) -> Vec<Answer> {
        let competence = definition.scale.max > 5;
        let unit_draw = (stable_hash(&format!("{}:{unit_key}", self.seed)) % 1000) as f64 / 1000.0;
        let person_draw = (stable_hash(&format!("{}:{person_key}", self.seed)) % 1000) as f64 / 1000.0;
        let (unit_base, person_lean, growth) = if competence {
            let base = if unit_key == "tietohallinto" { 4.6 } else { 2.9 + 1.2 * unit_draw };
            (base, (person_draw - 0.5) * 1.6, yearly_growth(unit_key))
        } else {
            let base = if unit_key == "tietohallinto" { 2.9 } else { 1.5 + 1.0 * unit_draw };
            (base, (person_draw - 0.5) * 1.0, yearly_growth(unit_key) * 0.9)
        };
        let dimension_leans = [0.4, 0.3, -0.3, -0.5, -0.2, 0.1, 0.0];
        let (low, high) = (f64::from(definition.scale.min), f64::from(definition.scale.max));
        let mut answers = Vec::new();
        for (index, dimension) in definition.dimensions.iter().enumerate() {
            let lean = dimension_leans[index % dimension_leans.len()];
            for item in &dimension.items {
                let noise = prose.rng().random_range(-0.8..0.8);
                let level = (unit_base + person_lean + lean + growth * years_in + noise).round().clamp(low, high);
                answers.push(Answer { item: item.code.clone(), value: level as u8 });
            }
        }
        answers
    }

    // -----------------------------------------------------------------------------------------
    // 3. Experiments

    async fn experiment_task(self: Arc<Self>, cohort: u32, index: usize) -> anyhow::Result<Tally> {
        let plan = &EXPERIMENTS[index];
        let theme = plan.theme;
        let experiment = self.experiment(cohort, index);
        let mut actor = Actor::new(&self, format!("experiment:{cohort}:{index}"), "experiment-lead");
        let primary = unit_named(plan.primary_unit)?;
        let [proposed, approved, starts, ends, concluded] = Self::experiment_dates(plan, cohort)?;
        let scene = actor.scene(theme, primary, proposed);
        let mut units = vec![self.unit(plan.primary_unit)];
        units.extend(plan.other_units.iter().map(|key| self.unit(key)));
        let name = actor.prose.experiment_name(&scene, cohort + 1)?;
        let command = ProposeExperiment {
            experiment,
            municipality: self.kuopio(),
            name: name.clone(),
            problem: actor.prose.experiment_problem(&scene)?,
            hypothesis: actor.prose.experiment_hypothesis(&scene)?,
            units,
            themes: theme.tags.iter().map(|t| (*t).to_owned()).collect(),
            proposed,
        };
        actor.run::<ExperimentState>(ExperimentCommand::Propose(command), proposed).await?;

        actor.role = "decision-maker";
        let approver = body_named(plan.approver)?;
        let approval_scene = Scene { body: approver, ..actor.scene(theme, primary, approved) };
        let budget = 20_000 + u64::from(actor.prose.between(4, 36)) * 5_000;
        let decision_text = actor.prose.approval(&approval_scene, &name.fi, starts, ends, budget)?;
        let district = *actor.prose.pick(&DISTRICTS);
        let (group, place) = actor.prose.scope(&approval_scene, district)?;
        let command = ApproveExperiment {
            experiment,
            decision: DecisionCitation {
                body: self.body(plan.approver),
                meeting_date: approved,
                section: actor.prose.between(12, 240),
                decision_text,
            },
            scope: ExperimentScope { group, place },
            starts,
            ends,
            budget_euros: Some(budget),
        };
        actor.run::<ExperimentState>(ExperimentCommand::Approve(command), approved).await?;

        actor.role = "experiment-lead";
        let mut criteria = Vec::new();
        let mut codes: Vec<(MetricCode, &Metric)> = Vec::new();
        for criterion in Criterion::ALL {
            let mut metrics = Vec::new();
            for metric in theme.metrics.iter().filter(|m| m.criterion == criterion) {
                let code = metric_code(metric)?;
                metrics.push(ProtocolMetric {
                    code: code.clone(),
                    name: Prose::metric_name(metric)?,
                    unit: metric.unit.to_owned(),
                    direction: metric.better,
                });
                codes.push((code, metric));
            }
            criteria.push(CriterionMetrics { criterion, metrics });
        }
        let design =
            [EvaluationDesign::BeforeAfter, EvaluationDesign::TimeSeries, EvaluationDesign::ComparisonGroup][index % 3];
        let protocol_on = plus_days(approved, 7);
        actor
            .run::<ExperimentState>(
                ExperimentCommand::DefineProtocol(DefineProtocol { experiment, design, criteria }),
                protocol_on,
            )
            .await?;
        let baseline_period = Period::parse(
            "period",
            starts.checked_sub_months(Months::new(3)).context("baseline start")?,
            plus_days(starts, -1),
        )?;
        let mut baselines: Vec<f64> = Vec::new();
        for (code, metric) in &codes {
            let value = tidy(
                (metric.baseline * (1.0 + actor.prose.rng().random_range(-0.05..0.05))).clamp(metric.min, metric.max),
            );
            baselines.push(value);
            let command = EstablishBaseline { experiment, metric: code.clone(), value, period: baseline_period };
            actor
                .run::<ExperimentState>(ExperimentCommand::EstablishBaseline(command), plus_days(protocol_on, 3))
                .await?;
        }
        let running_scene = actor.scene(theme, primary, starts);
        let reason = actor.prose.stage_reason(&running_scene, StageChange::Started)?;
        let command = ChangeStage { experiment, to: Stage::Running, changed: starts, reason: Some(reason) };
        actor.run::<ExperimentState>(ExperimentCommand::ChangeStage(command), starts).await?;

        // Monthly measurements; the effect ramps up over the experiment.
        let jitter = if cohort == 0 { 1.0 } else { actor.prose.rng().random_range(0.6..1.4) };
        let months = plan.months;
        let mut recent: Vec<Vec<(MeasurementId, f64)>> = vec![Vec::new(); codes.len()];
        for month in 0..months {
            let period_start = plus_months(starts, month)?;
            let period = Period::parse("period", period_start, last_of_month(period_start)?)?;
            let recorded_on = plus_days(period.to, 5);
            if plan.midterm && month == months / 2 {
                let midterm_scene = actor.scene(theme, primary, recorded_on);
                let reason = actor.prose.stage_reason(&midterm_scene, StageChange::Midterm)?;
                let command =
                    ChangeStage { experiment, to: Stage::Evaluating, changed: period_start, reason: Some(reason) };
                actor.run::<ExperimentState>(ExperimentCommand::ChangeStage(command), period_start).await?;
                let resumed_on = plus_days(period_start, 12);
                let reason = actor.prose.stage_reason(&midterm_scene, StageChange::Resumed)?;
                let command = ChangeStage { experiment, to: Stage::Running, changed: resumed_on, reason: Some(reason) };
                actor.run::<ExperimentState>(ExperimentCommand::ChangeStage(command), resumed_on).await?;
            }
            let progress = f64::from(month + 1) / f64::from(months);
            let ramp = progress * progress * (3.0 - 2.0 * progress);
            for (slot, (code, metric)) in codes.iter().enumerate() {
                let criterion_index = Criterion::ALL.iter().position(|c| *c == metric.criterion).unwrap_or(0);
                let sign = if metric.better == Direction::HigherIsBetter { 1.0 } else { -1.0 };
                let effect = metric.typical_change * plan.effects[criterion_index] * jitter * sign;
                let noise = actor.prose.rng().random_range(-0.025..0.025);
                let value = tidy((baselines[slot] * (1.0 + effect * ramp + noise)).clamp(metric.min, metric.max));
                let measurement = MeasurementId(self.id(&format!("measurement:{cohort}:{index}:{month}:{slot}")));
                let n = actor.prose.between(30, 420);
                let data_source = if metric.criterion == Criterion::WellbeingAtWork {
                    "Henkilöstökysely"
                } else {
                    theme.data_source
                };
                let command = RecordMeasurement {
                    experiment,
                    measurement,
                    metric: code.clone(),
                    period,
                    value,
                    n,
                    data_source: Some(data_source.to_owned()),
                };
                actor.run::<ExperimentState>(ExperimentCommand::RecordMeasurement(command), recorded_on).await?;
                recent[slot].push((measurement, value));
                if recent[slot].len() > 3 {
                    recent[slot].remove(0);
                }
            }
        }
        let evaluating_on = plus_days(ends, 3);
        let final_scene = actor.scene(theme, primary, evaluating_on);
        let reason = actor.prose.stage_reason(&final_scene, StageChange::Final)?;
        let command = ChangeStage { experiment, to: Stage::Evaluating, changed: evaluating_on, reason: Some(reason) };
        actor.run::<ExperimentState>(ExperimentCommand::ChangeStage(command), evaluating_on).await?;

        let assessed = plus_days(ends, 20);
        for criterion in Criterion::ALL {
            let slots: Vec<usize> = (0..codes.len()).filter(|s| codes[*s].1.criterion == criterion).collect();
            let mut improvements = Vec::new();
            let mut evidence = Vec::new();
            for slot in &slots {
                let metric = codes[*slot].1;
                let last = recent[*slot].iter().map(|(_, v)| v).sum::<f64>() / recent[*slot].len().max(1) as f64;
                let change = (last - baselines[*slot]) / baselines[*slot].abs().max(f64::EPSILON) * 100.0;
                let sign = if metric.better == Direction::HigherIsBetter { 1.0 } else { -1.0 };
                improvements.push((change * sign, change, last));
                evidence.extend(recent[*slot].iter().map(|(id, _)| *id));
            }
            let improvement = improvements.iter().map(|i| i.0).sum::<f64>() / improvements.len().max(1) as f64;
            let verdict = if improvement > 3.0 {
                Verdict::Improved
            } else if improvement < -3.0 {
                Verdict::Worse
            } else {
                Verdict::NoChange
            };
            let Some(first_slot) = slots.first() else { continue };
            let (_, first_change, first_last) = improvements[0];
            let outcome_scene = actor.scene(theme, primary, assessed);
            let summary = actor.prose.outcome_summary(
                &outcome_scene,
                codes[*first_slot].1,
                baselines[*first_slot],
                first_last,
                verdict,
            )?;
            let command = AssessOutcome {
                experiment,
                criterion,
                verdict,
                effect: Some((first_change * 10.0).round() / 10.0),
                evidence,
                summary,
                assessed,
            };
            actor.run::<ExperimentState>(ExperimentCommand::AssessOutcome(command), assessed).await?;
        }
        let conclusion_scene = actor.scene(theme, primary, concluded);
        let command = ConcludeExperiment {
            experiment,
            end_state: EndState::Completed,
            summary: actor.prose.conclusion(&conclusion_scene)?,
            concluded,
            success_rating: Some(actor.prose.between(6, 9) as u8),
        };
        actor.run::<ExperimentState>(ExperimentCommand::Conclude(command), concluded).await?;
        Ok(actor.tally)
    }

    // -----------------------------------------------------------------------------------------
    // 4. Coaching

    fn engagement_start(plan: &EngagementPlan, cohort: u32) -> anyhow::Result<NaiveDate> {
        plus_months(ymd(plan.start.0, plan.start.1, 6)?, (cohort * 5) % 12)
    }

    async fn engagement_task(self: Arc<Self>, cohort: u32, index: usize) -> anyhow::Result<Tally> {
        let plan = &ENGAGEMENTS[index];
        let engagement = self.engagement(cohort, index);
        let mut actor = Actor::new(&self, format!("engagement:{cohort}:{index}"), "coach");
        let unit = unit_named(plan.unit)?;
        let started = Self::engagement_start(plan, cohort)?;
        let scene = actor.scene(plan.theme, unit, started);
        let coach = person_ref(self.seed, &format!("coach:{}", index % 4))?;
        let coachee_count = actor.prose.between(3, 7) as usize;
        let coachees: Vec<PersonRef> = (0..coachee_count)
            .map(|i| person_ref(self.seed, &format!("coachee:{cohort}:{index}:{i}")))
            .collect::<anyhow::Result<_>>()?;
        let command = StartEngagement {
            engagement,
            municipality: self.kuopio(),
            unit: Some(self.unit(plan.unit)),
            coach: coach.clone(),
            coachees: coachees.clone(),
            experiment: plan.experiment.map(|e| self.experiment(cohort, e)),
            goals: actor.prose.coaching_goals(&scene)?,
            started,
        };
        actor.run::<EngagementState>(EngagementCommand::Start(command), started).await?;
        let skill_index = (stable_hash(&actor.key) % SKILLS.len() as u64) as usize;
        let mut date = started;
        let mut open_action: Option<ActionId> = None;
        let sessions = 6;
        for session_number in 0..sessions {
            date = plus_days(date, i64::from(actor.prose.between(21, 35)));
            let session = SessionId(self.id(&format!("session:{cohort}:{index}:{session_number}")));
            let session_scene = Scene {
                skill: &SKILLS[(skill_index + session_number) % SKILLS.len()],
                ..actor.scene(plan.theme, unit, date)
            };
            let format = [SessionFormat::Group, SessionFormat::Workshop, SessionFormat::OneToOne][session_number % 3];
            let attendees = if format == SessionFormat::OneToOne { 2 } else { coachee_count as u32 + 1 };
            let command = HoldSession {
                engagement,
                session,
                date,
                format,
                duration_minutes: [90, 180, 60][session_number % 3],
                topics: vec![
                    SKILL_CODES[(skill_index + session_number) % SKILL_CODES.len()].to_owned(),
                    plan.theme.tags[0].to_owned(),
                ],
                attendees,
            };
            actor.run::<EngagementState>(EngagementCommand::HoldSession(command), date).await?;
            let note = actor.prose.coaching_note(&session_scene)?;
            let personal = if actor.prose.chance(0.3) {
                Some(PersonalText::parse("personal", &actor.prose.personal_note(&session_scene)?)?)
            } else {
                None
            };
            let command = RecordNote {
                engagement,
                note: NoteId(self.id(&format!("note:{cohort}:{index}:{session_number}"))),
                session,
                author: coach.clone(),
                planned: LocalizedText::fi(&note.planned)?,
                happened: LocalizedText::fi(&note.happened)?,
                why_different: LocalizedText::fi(&note.why_different)?,
                keep_or_change: LocalizedText::fi(&note.keep_or_change)?,
                personal,
            };
            actor.run::<EngagementState>(EngagementCommand::RecordNote(command), plus_days(date, 1)).await?;
            if let Some(action) = open_action.take() {
                let command = CompleteAction {
                    engagement,
                    action,
                    completed: date,
                    result: Some(actor.prose.action_result(&session_scene)?),
                };
                actor.run::<EngagementState>(EngagementCommand::CompleteAction(command), date).await?;
            }
            if session_number % 2 == 0 {
                let action = ActionId(self.id(&format!("action:{cohort}:{index}:{session_number}")));
                let command = AgreeAction {
                    engagement,
                    action,
                    session: Some(session),
                    owner: coachees[session_number % coachees.len()].clone(),
                    description: actor.prose.coaching_action(&session_scene)?,
                    due: plus_days(date, 28),
                    competence: Some(SKILL_CODES[(skill_index + session_number) % SKILL_CODES.len()].to_owned()),
                };
                actor.run::<EngagementState>(EngagementCommand::AgreeAction(command), date).await?;
                open_action = Some(action);
            }
        }
        let closed = plus_days(date, 14);
        let command = CloseEngagement {
            engagement,
            closed,
            outcome_summary: actor.prose.engagement_summary(&actor.scene(plan.theme, unit, closed))?,
        };
        actor.run::<EngagementState>(EngagementCommand::Close(command), closed).await?;
        Ok(actor.tally)
    }

    // -----------------------------------------------------------------------------------------
    // 5. Observations

    async fn observation_task(self: Arc<Self>, cohort: u32) -> anyhow::Result<Tally> {
        let mut actor = Actor::new(&self, format!("observations:{cohort}"), "staff");
        for (index, plan) in EXPERIMENTS.iter().enumerate() {
            let [_, _, starts, _, _] = Self::experiment_dates(plan, cohort)?;
            let unit = unit_named(plan.primary_unit)?;
            for i in 0..OBSERVATIONS_PER_EXPERIMENT {
                let on = plus_months(starts, (i as u32 + 1) * plan.months / (OBSERVATIONS_PER_EXPERIMENT as u32 + 1))?;
                let source = LessonSource::Experiment(self.experiment(cohort, index));
                let observation = self.observation(cohort, &format!("experiment-{index}"), i);
                self.submit_observation(&mut actor, observation, source, plan.theme, unit, on).await?;
            }
        }
        for (index, plan) in ENGAGEMENTS.iter().enumerate() {
            let on = plus_months(Self::engagement_start(plan, cohort)?, 3)?;
            let source = LessonSource::Engagement(self.engagement(cohort, index));
            let observation = self.observation(cohort, &format!("engagement-{index}"), 0);
            self.submit_observation(&mut actor, observation, source, plan.theme, unit_named(plan.unit)?, on).await?;
        }
        for year in [2024, 2025, 2026] {
            let source = LessonSource::Campaign(self.campaign(cohort, year, &self.digcomp.code));
            let observation = self.observation(cohort, &format!("campaign-{year}"), 0);
            let unit = unit_named("henkilostopalvelut")?;
            self.submit_observation(&mut actor, observation, source, &STAFF_SKILLS, unit, ymd(year, 4, 15)?).await?;
        }
        Ok(actor.tally)
    }

    async fn submit_observation(
        &self,
        actor: &mut Actor,
        observation: ObservationId,
        source: LessonSource,
        theme: &'static Theme,
        unit: &'static UnitName,
        on: NaiveDate,
    ) -> anyhow::Result<()> {
        let (text, conditions) = actor.prose.observation(&actor.scene(theme, unit, on))?;
        let command =
            SubmitObservation { observation, municipality: self.kuopio(), source, text, conditions: Some(conditions) };
        actor.run::<ObservationState>(ObservationCommand::Submit(command), on).await
    }

    // -----------------------------------------------------------------------------------------
    // 6. Lessons

    /// A lesson's sources: (theme, unit key, source, observations, the day it was identified).
    fn lesson_plan(
        &self,
        cohort: u32,
        index: usize,
    ) -> anyhow::Result<(&'static Theme, &'static str, LessonSource, Vec<ObservationId>, NaiveDate)> {
        if index < EXPERIMENTS.len() * 2 {
            let experiment = index / 2;
            let plan = &EXPERIMENTS[experiment];
            let half = OBSERVATIONS_PER_EXPERIMENT / 2;
            let observations = (0..half)
                .map(|i| self.observation(cohort, &format!("experiment-{experiment}"), (index % 2) * half + i))
                .collect();
            let [_, _, _, ends, _] = Self::experiment_dates(plan, cohort)?;
            let on = plus_days(ends, if index.is_multiple_of(2) { -60 } else { 25 });
            return Ok((
                plan.theme,
                plan.primary_unit,
                LessonSource::Experiment(self.experiment(cohort, experiment)),
                observations,
                on,
            ));
        }
        let rest = index - EXPERIMENTS.len() * 2;
        if rest < LESSONS_FROM_ENGAGEMENTS {
            let plan = &ENGAGEMENTS[rest];
            let on = plus_months(Self::engagement_start(plan, cohort)?, 5)?;
            let observations = vec![self.observation(cohort, &format!("engagement-{rest}"), 0)];
            return Ok((
                plan.theme,
                plan.unit,
                LessonSource::Engagement(self.engagement(cohort, rest)),
                observations,
                on,
            ));
        }
        let observations = vec![self.observation(cohort, "campaign-2025", 0)];
        let source = LessonSource::Campaign(self.campaign(cohort, 2025, &self.digcomp.code));
        Ok((&STAFF_SKILLS, "henkilostopalvelut", source, observations, ymd(2025, 5, 12)?))
    }

    async fn lesson_task(self: Arc<Self>, cohort: u32, index: usize) -> anyhow::Result<Tally> {
        let mut actor = Actor::new(&self, format!("lesson:{cohort}:{index}"), "staff");
        let (theme, unit_key, source, observations, identified) = self.lesson_plan(cohort, index)?;
        let unit = unit_named(unit_key)?;
        let lesson = self.lesson(cohort, index);
        let scene = actor.scene(theme, unit, identified);
        let text = actor.prose.lesson(&scene)?;
        let command = IdentifyLesson {
            lesson,
            municipality: self.kuopio(),
            unit: Some(self.unit(unit_key)),
            title: text.title,
            driving_event: text.driving_event,
            lesson_text: text.lesson,
            recommendations: text.recommendations,
            observations,
            sources: vec![source],
            tags: theme.tags.iter().map(|t| (*t).to_owned()).collect(),
        };
        actor.run::<LessonState>(LessonCommand::Identify(command), identified).await?;
        let assigned = plus_days(identified, 14);
        let command = AssignLessonAction {
            lesson,
            unit: self.unit(unit_key),
            action: actor.prose.lesson_action(&scene)?,
            due: plus_months(assigned, 2)?,
        };
        actor.run::<LessonState>(LessonCommand::AssignAction(command), assigned).await?;
        if index % 3 != 2 {
            let learned = plus_months(assigned, 4)?.min(story_end()?);
            let metric = &theme.metrics[index % theme.metrics.len()];
            let change = f64::from(actor.prose.between(6, 28));
            let evidence = actor.prose.lesson_evidence(&actor.scene(theme, unit, learned), metric, change)?;
            actor
                .run::<LessonState>(LessonCommand::RecordLearned(RecordLessonLearned { lesson, evidence }), learned)
                .await?;
        }
        Ok(actor.tally)
    }

    // -----------------------------------------------------------------------------------------
    // 7. Practices

    /// The day a practice is drafted: after what it rests on.
    fn practice_drafted_on(plan: &PracticePlan, cohort: u32) -> anyhow::Result<NaiveDate> {
        match (plan.experiment, plan.engagement) {
            (Some(experiment), _) => {
                let [_, _, _, _, concluded] = Self::experiment_dates(&EXPERIMENTS[experiment], cohort)?;
                Ok(plus_days(concluded, 20))
            }
            (None, Some(engagement)) => plus_months(Self::engagement_start(&ENGAGEMENTS[engagement], cohort)?, 8),
            (None, None) => ymd(2025, 5, 1),
        }
    }

    fn practice_evidence(&self, plan: &PracticePlan, cohort: u32) -> Vec<EvidenceLink> {
        let mut evidence = Vec::new();
        if let Some(experiment) = plan.experiment {
            let id = self.experiment(cohort, experiment);
            evidence.push(EvidenceLink::Outcome { experiment: id, criterion: Criterion::Effectiveness });
            evidence.push(EvidenceLink::Outcome { experiment: id, criterion: Criterion::Productivity });
            evidence.push(EvidenceLink::Lesson { lesson: self.lesson(cohort, experiment * 2 + 1) });
        }
        if let Some(engagement) = plan.engagement
            && engagement < LESSONS_FROM_ENGAGEMENTS
        {
            evidence.push(EvidenceLink::Lesson { lesson: self.lesson(cohort, EXPERIMENTS.len() * 2 + engagement) });
        }
        evidence.push(EvidenceLink::Assessment { campaign: self.campaign(cohort, 2025, &self.digcomp.code) });
        evidence
    }

    async fn practice_task(self: Arc<Self>, cohort: u32, index: usize) -> anyhow::Result<Tally> {
        let plan = &PRACTICES[index];
        let practice = self.practice(cohort, index);
        let mut actor = Actor::new(&self, format!("practice:{cohort}:{index}"), "staff");
        let unit = unit_named(plan.unit)?;
        let end = story_end()?;
        let mut on = Self::practice_drafted_on(plan, cohort)?.min(end);
        let scene = actor.scene(plan.theme, unit, on);
        let title = actor.prose.practice_title(&scene, plan.title_variant)?;
        let body = actor.prose.practice_body(&scene)?;
        let tags = plan.theme.tags.iter().map(|t| Tag::parse(t)).collect::<Result<Vec<_>, _>>()?;
        let command = DraftPractice {
            practice,
            municipality: self.kuopio(),
            title: title.clone(),
            context: body.context,
            options_considered: body.options,
            chosen_option: actor.prose.chosen_option(&scene)?,
            consequences: Consequences { positive: body.benefits, negative: body.costs },
            evidence: self.practice_evidence(plan, cohort),
            tags,
        };
        actor.run::<PracticeState>(PracticeCommand::Draft(command), on).await?;
        let mut submitted_to: Option<&'static str> = None;
        let case_number = CaseNumber::parse(&format!(
            "KUO/{}/00.01.02/{}",
            1000 + cohort as usize * PRACTICES.len() + index,
            on.year()
        ))?;
        for step in plan.steps {
            on = plus_days(on, i64::from(actor.prose.between(18, 45))).min(end);
            let step_scene = actor.scene(plan.theme, unit, on);
            match *step {
                Step::Submit(body_key) => {
                    actor.role = "staff";
                    submitted_to = Some(body_key);
                    let command =
                        SubmitPractice { practice, body: self.body(body_key), case_number: case_number.clone() };
                    actor.run::<PracticeState>(PracticeCommand::Submit(command), on).await?;
                }
                Step::Decide(resolution) => {
                    actor.role = "decision-maker";
                    let body_key = submitted_to.context("a practice is decided only after it was submitted")?;
                    let decision_scene = Scene { body: body_named(body_key)?, ..step_scene };
                    let effective = crate::text::date_fi(first_of_month(plus_months(on, 2)?)?);
                    let motion = actor.prose.motion(&decision_scene, &title.fi, &effective)?;
                    let decision = actor.prose.decision(&decision_scene, resolution)?;
                    let command = DecidePractice {
                        practice,
                        body: self.body(body_key),
                        meeting_date: on,
                        section: SectionNumber::parse(actor.prose.between(8, 260))?,
                        motion,
                        decision: decision.text,
                        resolution,
                        rationale: decision.rationale,
                    };
                    actor.run::<PracticeState>(PracticeCommand::Decide(command), on).await?;
                }
                Step::Revise => {
                    actor.role = "staff";
                    let command = RevisePractice {
                        practice,
                        what_changed: actor.prose.what_changed(&step_scene)?,
                        reason: actor.prose.revision_reason(&step_scene)?,
                    };
                    actor.run::<PracticeState>(PracticeCommand::Revise(command), on).await?;
                }
                Step::Anchor(into) => {
                    actor.role = "staff";
                    let command = AnchorPractice {
                        practice,
                        into,
                        target: actor.prose.anchor_target(&step_scene, into)?,
                        target_ref: Some(format!("KUO-OHJE-{}-{}", on.year(), actor.prose.between(100, 999))),
                        owner_unit: self.unit(plan.unit),
                        effective_from: first_of_month(plus_months(on, 1)?)?,
                    };
                    actor.run::<PracticeState>(PracticeCommand::Anchor(command), on).await?;
                }
                Step::Progress(percent) => {
                    actor.role = "staff";
                    let command = ReportProgress {
                        practice,
                        percent: Percent::parse(percent)?,
                        note: Some(actor.prose.progress_note(&step_scene, percent)?),
                    };
                    actor.run::<PracticeState>(PracticeCommand::ReportProgress(command), on).await?;
                }
                Step::Share(partners) => {
                    actor.role = "admin";
                    let partners = partners.iter().map(|p| self.municipality(&PARTNERS[*p])).collect();
                    actor
                        .run::<PracticeState>(PracticeCommand::Share(SharePractice { practice, partners }), on)
                        .await?;
                }
                Step::Adopt(partner, status) => {
                    actor.role = "partner";
                    actor.tenant = self.municipality(&PARTNERS[partner]);
                    let adoption_scene = Scene { partner: &PARTNERS[partner], ..step_scene };
                    let command = ReportAdoption {
                        practice,
                        partner: self.municipality(&PARTNERS[partner]),
                        status,
                        note: Some(actor.prose.adoption_note(&adoption_scene, status)?),
                    };
                    actor.run::<PracticeState>(PracticeCommand::ReportAdoption(command), on).await?;
                    actor.tenant = self.kuopio();
                }
                Step::Retire => {
                    actor.role = "decision-maker";
                    let command = RetirePractice { practice, reason: actor.prose.retirement_reason(&step_scene)? };
                    actor.run::<PracticeState>(PracticeCommand::Retire(command), on).await?;
                }
            }
        }
        Ok(actor.tally)
    }

    // -----------------------------------------------------------------------------------------
    // 8. Supersessions and communications

    async fn supersession_task(self: Arc<Self>, cohort: u32) -> anyhow::Result<Tally> {
        let mut actor = Actor::new(&self, format!("supersessions:{cohort}"), "decision-maker");
        for (old, new) in SUPERSESSIONS {
            let on = plus_months(Self::practice_drafted_on(&PRACTICES[new], cohort)?, 9)?.min(story_end()?);
            let command = SupersedePractice { practice: self.practice(cohort, old), by: self.practice(cohort, new) };
            actor.run::<PracticeState>(PracticeCommand::Supersede(command), on).await?;
        }
        Ok(actor.tally)
    }

    async fn communication_task(self: Arc<Self>, cohort: u32, index: usize) -> anyhow::Result<Tally> {
        let (experiment, lesson, practice, month_offset) = COMMUNICATIONS[index];
        let plan = &EXPERIMENTS[experiment];
        let mut actor = Actor::new(&self, format!("communication:{cohort}:{index}"), "coach");
        let published =
            plus_days(plus_months(ymd(2024, 3, 1)?, month_offset + Self::shift(cohort))?, (index * 3) as i64)
                .min(story_end()?);
        let scene = actor.scene(plan.theme, unit_named(plan.primary_unit)?, published);
        let (title, body) = actor.prose.communication(&scene)?;
        let channels = [Channel::Intranet, Channel::Newsletter, Channel::Website, Channel::Event, Channel::SocialMedia];
        let audiences =
            [Audience::Staff, Audience::Managers, Audience::DecisionMakers, Audience::Residents, Audience::Partners];
        let audience = audiences[(index + 1) % audiences.len()];
        let language = if audience == Audience::Partners && title.en.is_some() && body.en.is_some() {
            Language::En
        } else {
            Language::Fi
        };
        let mut links = vec![CommunicationLink::Experiment(self.experiment(cohort, experiment))];
        links.extend(lesson.map(|l| CommunicationLink::Lesson(self.lesson(cohort, l))));
        links.extend(practice.map(|p| CommunicationLink::Practice(self.practice(cohort, p))));
        let command = PublishCommunication {
            communication: CommunicationId(self.id(&format!("communication:{cohort}:{index}"))),
            municipality: self.kuopio(),
            channel: channels[index % channels.len()],
            audience,
            language,
            title,
            body,
            links,
            published,
        };
        actor.run::<CommunicationState>(CommunicationCommand::Publish(command), published).await?;
        Ok(actor.tally)
    }
}

/// Observations per experiment (half go into each of its two lessons).
const OBSERVATIONS_PER_EXPERIMENT: usize = 4;

/// Lessons drawn from coaching engagements (the first ones of [`ENGAGEMENTS`]).
const LESSONS_FROM_ENGAGEMENTS: usize = 2;

/// Lessons per cohort: two per experiment, the engagement ones, one from a campaign.
const LESSON_COUNT: usize = EXPERIMENTS.len() * 2 + LESSONS_FROM_ENGAGEMENTS + 1;

/// A survey pseudonym: `r-` and 16 hex digits derived from the respondent's key.
fn respondent_ref(seed: u64, key: &str) -> anyhow::Result<RespondentRef> {
    let id = uuid_for(seed, &format!("respondent:{key}"));
    let hex = id.simple().to_string();
    Ok(RespondentRef::parse(&format!("r-{}", &hex[..16]))?)
}

/// A person's pseudonym for coaching: `hlo-` and 8 hex digits.
fn person_ref(seed: u64, key: &str) -> anyhow::Result<PersonRef> {
    let id = uuid_for(seed, &format!("person:{key}"));
    let hex = id.simple().to_string();
    Ok(PersonRef::parse("person", &format!("hlo-{}", &hex[..8]))?)
}

//! The rules a command can break, typed, one enum per kind of [`DomainError`](crate::DomainError):
//! - [`InputRule`]: the command's input is of the wrong shape (also every [`ShapeRule`] of the
//!   value types, as [`InputRule::Shape`]);
//! - [`StateRule`]: the aggregate's state does not allow the command now;
//! - [`Expected`]: what a reference should have pointed to.
//!
//! Each variant carries what its refusal needs to say (the limit, the state, the id, the metric),
//! and the words that vary within one rule are enums too ([`Milestone`], [`EngagementStep`],
//! [`ExperimentStep`], [`LessonStep`], [`RecordKind`]), so pages can say every refusal in their
//! own language. `Display` is the English the API sends as a problem's `detail`; it must not
//! change, since clients and the black-box tests read it.
//!
//! Every enum lists one value of each variant in `examples()` (or `ALL`), which the tests check
//! against the exhaustive `VARIANTS` that [`kirjuri_events::variant_names`] declares.

use std::fmt;

use chrono::NaiveDate;
use kirjuri_events::domain::assessment::{RespondentRef, ResponseId};
use kirjuri_events::domain::coaching::{ActionId, NoteId, PersonRef, SessionId};
use kirjuri_events::domain::experiment::{Criterion, MeasurementId, MetricCode, Stage};
use kirjuri_events::domain::organisation::{MemberName, MembershipId, MunicipalityCode};
use kirjuri_events::domain::practice::Resolution;
use kirjuri_events::domain::{
    CommunicationId, EngagementId, ExperimentId, FrameworkId, Language, LessonId, MunicipalityId, Number,
    ObservationId, PracticeId, ShapeRule,
};
use kirjuri_events::variant_names;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// The words that vary within a rule

/// The earlier day a date must not come before ("must not be before {milestone} ({date})").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Milestone {
    /// A campaign's first day for answers (the `opens` field).
    Opens,
    /// The day a response was submitted.
    ResponseSubmitted,
    /// A campaign's first day.
    CampaignFirstDay,
    /// The day a campaign closed.
    CampaignClosed,
    /// An engagement's start.
    EngagementStart,
    /// An engagement's start or its last session, whichever is later.
    EngagementStartOrLastSession,
    /// The day of the host's invitation into its network.
    HostInvitation,
    /// The day a municipality joined a network.
    Joined,
    /// The day of an invitation (as the host sees it).
    Invitation,
    /// The day a target is set.
    TargetSet,
    /// The day a body was founded.
    BodyFounded,
    /// The day a membership started.
    MembershipStarted,
}

impl Milestone {
    /// Every milestone.
    pub const ALL: [Self; 12] = [
        Self::Opens,
        Self::ResponseSubmitted,
        Self::CampaignFirstDay,
        Self::CampaignClosed,
        Self::EngagementStart,
        Self::EngagementStartOrLastSession,
        Self::HostInvitation,
        Self::Joined,
        Self::Invitation,
        Self::TargetSet,
        Self::BodyFounded,
        Self::MembershipStarted,
    ];
}

variant_names!(Milestone {
    Opens,
    ResponseSubmitted,
    CampaignFirstDay,
    CampaignClosed,
    EngagementStart,
    EngagementStartOrLastSession,
    HostInvitation,
    Joined,
    Invitation,
    TargetSet,
    BodyFounded,
    MembershipStarted,
});

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Opens => "opens",
            Self::ResponseSubmitted => "the day it was submitted",
            Self::CampaignFirstDay => "the campaign's first day",
            Self::CampaignClosed => "the day the campaign closed",
            Self::EngagementStart => "the engagement's start",
            Self::EngagementStartOrLastSession => "the engagement's start or its last session",
            Self::HostInvitation => "the day of the host's invitation",
            Self::Joined => "the day it joined",
            Self::Invitation => "the day of the invitation",
            Self::TargetSet => "the day it is set",
            Self::BodyFounded => "the day the body was founded",
            Self::MembershipStarted => "the day it started",
        })
    }
}

/// What is recorded on a coaching engagement (the step a closed or missing engagement refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementStep {
    /// Holding a session.
    Session,
    /// Recording a note.
    Note,
    /// Agreeing an action.
    Action,
    /// Completing an action.
    ActionCompletion,
    /// Closing the engagement.
    Closing,
}

impl EngagementStep {
    /// Every step.
    pub const ALL: [Self; 5] = [Self::Session, Self::Note, Self::Action, Self::ActionCompletion, Self::Closing];
}

variant_names!(EngagementStep { Session, Note, Action, ActionCompletion, Closing });

impl fmt::Display for EngagementStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Session => "session",
            Self::Note => "note",
            Self::Action => "action",
            Self::ActionCompletion => "action completion",
            Self::Closing => "closing",
        })
    }
}

/// What is recorded on an approved experiment (the step a missing, unapproved or concluded
/// experiment refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExperimentStep {
    /// Defining the protocol.
    Protocol,
    /// Establishing a baseline.
    Baseline,
    /// Changing the stage.
    StageChange,
    /// Recording a measurement.
    Measurement,
    /// Assessing an outcome.
    Outcome,
    /// Concluding the experiment.
    Conclusion,
}

impl ExperimentStep {
    /// Every step.
    pub const ALL: [Self; 6] =
        [Self::Protocol, Self::Baseline, Self::StageChange, Self::Measurement, Self::Outcome, Self::Conclusion];
}

variant_names!(ExperimentStep { Protocol, Baseline, StageChange, Measurement, Outcome, Conclusion });

impl fmt::Display for ExperimentStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Protocol => "protocol",
            Self::Baseline => "baseline",
            Self::StageChange => "stage change",
            Self::Measurement => "measurement",
            Self::Outcome => "outcome",
            Self::Conclusion => "conclusion",
        })
    }
}

/// What is recorded on an identified lesson (the step a missing or learned lesson refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LessonStep {
    /// Assigning an action.
    Action,
    /// Recording it learned.
    LearningRecord,
}

impl LessonStep {
    /// Every step.
    pub const ALL: [Self; 2] = [Self::Action, Self::LearningRecord];
}

variant_names!(LessonStep { Action, LearningRecord });

impl fmt::Display for LessonStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Action => "action",
            Self::LearningRecord => "learning record",
        })
    }
}

/// The kind of record a reference must point to ("must be an existing {kind}").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// An experiment.
    Experiment,
    /// A coaching engagement.
    CoachingEngagement,
    /// An assessment campaign.
    AssessmentCampaign,
    /// A lesson.
    Lesson,
    /// A best practice.
    Practice,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [Self; 5] =
        [Self::Experiment, Self::CoachingEngagement, Self::AssessmentCampaign, Self::Lesson, Self::Practice];
}

variant_names!(RecordKind { Experiment, CoachingEngagement, AssessmentCampaign, Lesson, Practice });

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Experiment => "experiment",
            Self::CoachingEngagement => "coaching engagement",
            Self::AssessmentCampaign => "assessment campaign",
            Self::Lesson => "lesson",
            Self::Practice => "practice",
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Input rules

/// A rule about the shape of a command's input, checked without looking at any state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputRule {
    /// A value type's rule ([`ShapeRule`]), e.g. an empty title.
    Shape(ShapeRule),
    /// A date before an earlier one it must follow.
    NotBefore {
        /// The earlier day.
        what: Milestone,
        /// Its date.
        date: NaiveDate,
    },
    /// An entry given twice in one list.
    ListedTwice,
    /// Not a number (infinite or NaN).
    NotANumber,
    /// Not a finite number.
    NotFinite,
    /// A host that is the partner itself.
    HostIsPartner,
    /// A partner that is the host itself.
    PartnerIsHost,
    /// A unit named as its own parent.
    OwnParentUnit,
    /// A body named as its own parent.
    OwnParentBody,
    /// A dimension the framework does not have.
    UnknownDimension {
        /// The code given.
        dimension: String,
        /// The framework's label (`code@version`).
        framework: String,
        /// The dimensions it has.
        known: Vec<String>,
    },
    /// A value off the framework's scale.
    OffFrameworkScale {
        /// The framework's label (`code@version`).
        framework: String,
        /// The scale's lowest value.
        min: u8,
        /// The scale's highest value.
        max: u8,
        /// The value given.
        got: Number,
    },
    /// A campaign without units.
    NoUnits,
    /// A campaign's unit listed twice.
    UnitAlreadyListed,
    /// A reporting group smaller than the least that keeps people unidentifiable.
    GroupTooSmall {
        /// The least group size.
        min: u32,
    },
    /// A response without answers.
    NoAnswers,
    /// An item answered twice.
    AnsweredTwice {
        /// The item's code.
        item: String,
    },
    /// An answer outside 0–255.
    NotAScaleValue {
        /// The value given.
        got: i64,
    },
    /// Another framework than the campaign's.
    NotCampaignFramework {
        /// The campaign's framework.
        framework: FrameworkId,
    },
    /// An item the framework does not have.
    NotAnItem {
        /// The item's code.
        item: String,
        /// The framework's label (`code@version`).
        framework: String,
    },
    /// A person who is neither the engagement's coach nor a coachee.
    NotAParticipant {
        /// The person.
        person: PersonRef,
    },
    /// An engagement without coachees.
    NoCoachees,
    /// The coach listed among the coachees.
    CoachAsCoachee,
    /// An engagement without goals.
    NoGoals,
    /// A session shorter than a minute or longer than allowed.
    SessionLength {
        /// The longest session, in minutes.
        max: u32,
    },
    /// A session nobody attended.
    NoAttendees,
    /// A communication's text without its own language.
    MissingLanguage {
        /// The communication's language.
        language: Language,
    },
    /// A metric the experiment's protocol does not declare.
    UndeclaredMetric {
        /// The metric.
        metric: MetricCode,
    },
    /// An experiment without units.
    NoUnitsTakePart,
    /// A decision's section number of 0.
    SectionZero,
    /// An experiment that ends on or before its start.
    EndsNotAfterStart,
    /// An experiment that starts before the meeting that approved it.
    StartsBeforeApproval,
    /// A protocol without criteria.
    NoCriteria,
    /// A criterion declared twice.
    CriterionTwice {
        /// The criterion.
        criterion: Criterion,
    },
    /// A criterion without metrics.
    NoMetrics,
    /// A metric code used twice in a protocol.
    MetricCodeTwice {
        /// The code.
        code: MetricCode,
    },
    /// An experiment set running before its start date.
    RunsBeforeStart,
    /// A measurement resting on no observations.
    NoObservations,
    /// A criterion the experiment's protocol does not declare.
    UndeclaredCriterion {
        /// The criterion.
        criterion: Criterion,
    },
    /// A verdict other than inconclusive without measurements.
    NoEvidence,
    /// A measurement of a metric of another criterion.
    MetricOfOtherCriterion {
        /// The measurement's metric.
        metric: MetricCode,
        /// The criterion assessed.
        criterion: Criterion,
    },
    /// A success rating outside 1–10.
    SuccessRating,
    /// A lesson without sources.
    NoSources,
    /// An observation from a source the lesson does not list.
    SourceNotListed,
    /// A decision without its body.
    DecisionWithoutBody,
    /// A decision without its meeting's date.
    DecisionWithoutMeetingDate,
    /// A decision without its section number.
    DecisionWithoutSection,
    /// A decision without its resolution.
    DecisionWithoutResolution,
    /// A rejection or return without its rationale.
    RationaleRequired {
        /// The resolution.
        resolution: Resolution,
    },
    /// A practice superseding itself.
    SupersedesItself,
    /// A replacement practice of another municipality.
    PracticeOfOtherMunicipality,
    /// Sharing with no partners.
    NoPartners,
    /// Sharing with the practice's own municipality.
    SharedWithOwnMunicipality,
    /// A command about another practice than the stream's.
    OtherPractice,
}

variant_names!(InputRule {
    Shape,
    NotBefore,
    ListedTwice,
    NotANumber,
    NotFinite,
    HostIsPartner,
    PartnerIsHost,
    OwnParentUnit,
    OwnParentBody,
    UnknownDimension,
    OffFrameworkScale,
    NoUnits,
    UnitAlreadyListed,
    GroupTooSmall,
    NoAnswers,
    AnsweredTwice,
    NotAScaleValue,
    NotCampaignFramework,
    NotAnItem,
    NotAParticipant,
    NoCoachees,
    CoachAsCoachee,
    NoGoals,
    SessionLength,
    NoAttendees,
    MissingLanguage,
    UndeclaredMetric,
    NoUnitsTakePart,
    SectionZero,
    EndsNotAfterStart,
    StartsBeforeApproval,
    NoCriteria,
    CriterionTwice,
    NoMetrics,
    MetricCodeTwice,
    RunsBeforeStart,
    NoObservations,
    UndeclaredCriterion,
    NoEvidence,
    MetricOfOtherCriterion,
    SuccessRating,
    NoSources,
    SourceNotListed,
    DecisionWithoutBody,
    DecisionWithoutMeetingDate,
    DecisionWithoutSection,
    DecisionWithoutResolution,
    RationaleRequired,
    SupersedesItself,
    PracticeOfOtherMunicipality,
    NoPartners,
    SharedWithOwnMunicipality,
    OtherPractice,
});

impl From<ShapeRule> for InputRule {
    fn from(rule: ShapeRule) -> Self {
        Self::Shape(rule)
    }
}

impl InputRule {
    /// One value of every variant (tests check each variant is here, once). The shape rules'
    /// own examples are [`ShapeRule::examples`].
    pub fn examples() -> Vec<Self> {
        vec![
            Self::Shape(ShapeRule::Empty),
            Self::NotBefore { what: Milestone::Opens, date: example_day() },
            Self::ListedTwice,
            Self::NotANumber,
            Self::NotFinite,
            Self::HostIsPartner,
            Self::PartnerIsHost,
            Self::OwnParentUnit,
            Self::OwnParentBody,
            Self::UnknownDimension {
                dimension: "9".to_owned(),
                framework: "digcomp@2.2".to_owned(),
                known: vec!["1".to_owned(), "2".to_owned()],
            },
            Self::OffFrameworkScale { framework: "digcomp@2.2".to_owned(), min: 1, max: 8, got: Number(9.5) },
            Self::NoUnits,
            Self::UnitAlreadyListed,
            Self::GroupTooSmall { min: 3 },
            Self::NoAnswers,
            Self::AnsweredTwice { item: "1.1".to_owned() },
            Self::NotAScaleValue { got: 300 },
            Self::NotCampaignFramework { framework: FrameworkId(example_uuid()) },
            Self::NotAnItem { item: "9.9".to_owned(), framework: "digcomp@2.2".to_owned() },
            Self::NotAParticipant { person: example_person() },
            Self::NoCoachees,
            Self::CoachAsCoachee,
            Self::NoGoals,
            Self::SessionLength { max: 720 },
            Self::NoAttendees,
            Self::MissingLanguage { language: Language::Sv },
            Self::UndeclaredMetric { metric: example_metric() },
            Self::NoUnitsTakePart,
            Self::SectionZero,
            Self::EndsNotAfterStart,
            Self::StartsBeforeApproval,
            Self::NoCriteria,
            Self::CriterionTwice { criterion: Criterion::Effectiveness },
            Self::NoMetrics,
            Self::MetricCodeTwice { code: example_metric() },
            Self::RunsBeforeStart,
            Self::NoObservations,
            Self::UndeclaredCriterion { criterion: Criterion::Productivity },
            Self::NoEvidence,
            Self::MetricOfOtherCriterion { metric: example_metric(), criterion: Criterion::WellbeingAtWork },
            Self::SuccessRating,
            Self::NoSources,
            Self::SourceNotListed,
            Self::DecisionWithoutBody,
            Self::DecisionWithoutMeetingDate,
            Self::DecisionWithoutSection,
            Self::DecisionWithoutResolution,
            Self::RationaleRequired { resolution: Resolution::Rejected },
            Self::SupersedesItself,
            Self::PracticeOfOtherMunicipality,
            Self::NoPartners,
            Self::SharedWithOwnMunicipality,
            Self::OtherPractice,
        ]
    }
}

impl fmt::Display for InputRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shape(rule) => fmt::Display::fmt(rule, f),
            Self::NotBefore { what, date } => write!(f, "must not be before {what} ({date})"),
            Self::ListedTwice => f.write_str("is listed twice"),
            Self::NotANumber => f.write_str("must be a number"),
            Self::NotFinite => f.write_str("must be a finite number"),
            Self::HostIsPartner => f.write_str("must be another municipality than the partner"),
            Self::PartnerIsHost => f.write_str("must be another municipality than the host"),
            Self::OwnParentUnit => f.write_str("must be another unit than the unit itself"),
            Self::OwnParentBody => f.write_str("must be another body than the body itself"),
            Self::UnknownDimension { dimension, framework, known } => {
                write!(f, "`{dimension}` is not a dimension of {framework} (it has {})", known.join(", "))
            }
            Self::OffFrameworkScale { framework, min, max, got } => {
                write!(f, "must lie on {framework}'s scale {min}–{max}, got {got}")
            }
            Self::NoUnits => f.write_str("must name at least one unit"),
            Self::UnitAlreadyListed => f.write_str("names a unit already listed"),
            Self::GroupTooSmall { min } => {
                write!(f, "must be at least {min}, so that no result points to one or two people")
            }
            Self::NoAnswers => f.write_str("must hold at least one answer"),
            Self::AnsweredTwice { item } => write!(f, "`{item}` is answered twice"),
            Self::NotAScaleValue { got } => write!(f, "must be a scale value 0–255, got {got}"),
            Self::NotCampaignFramework { framework } => write!(f, "must be the campaign's framework ({framework})"),
            Self::NotAnItem { item, framework } => write!(f, "`{item}` is not an item of {framework}"),
            Self::NotAParticipant { person } => {
                write!(f, "`{person}` is neither the engagement's coach nor one of its coachees")
            }
            Self::NoCoachees => f.write_str("an engagement has at least one coachee"),
            Self::CoachAsCoachee => f.write_str("the coach is not one of the coachees"),
            Self::NoGoals => f.write_str("an engagement has at least one goal"),
            Self::SessionLength { max } => write!(f, "a session lasts from 1 to {max} minutes"),
            Self::NoAttendees => f.write_str("at least one person attends a session"),
            Self::MissingLanguage { language } => {
                write!(f, "must have text in the communication's language ({language:?})")
            }
            Self::UndeclaredMetric { metric } => {
                write!(f, "metric `{metric}` is not declared in the experiment's protocol")
            }
            Self::NoUnitsTakePart => f.write_str("at least one unit takes part"),
            Self::SectionZero => f.write_str("a section number (§) is 1 or more"),
            Self::EndsNotAfterStart => f.write_str("must be after `starts`"),
            Self::StartsBeforeApproval => f.write_str("must not be before the meeting that approved the experiment"),
            Self::NoCriteria => f.write_str("at least one criterion is declared"),
            Self::CriterionTwice { criterion } => write!(f, "criterion `{criterion}` is declared twice"),
            Self::NoMetrics => f.write_str("each criterion has at least one metric"),
            Self::MetricCodeTwice { code } => write!(f, "metric code `{code}` is used twice in the protocol"),
            Self::RunsBeforeStart => f.write_str("the experiment cannot run before its start date"),
            Self::NoObservations => f.write_str("a measurement rests on at least one observation"),
            Self::UndeclaredCriterion { criterion } => {
                write!(f, "criterion `{criterion}` is not declared in the experiment's protocol")
            }
            Self::NoEvidence => f.write_str("a verdict other than inconclusive rests on at least one measurement"),
            Self::MetricOfOtherCriterion { metric, criterion } => {
                write!(f, "measures `{metric}`, which is not a metric of criterion `{criterion}`")
            }
            Self::SuccessRating => f.write_str("must be from 1 to 10"),
            Self::NoSources => f.write_str("a lesson comes from at least one experiment, engagement or campaign"),
            Self::SourceNotListed => f.write_str("comes from a source the lesson does not list in `sources`"),
            Self::DecisionWithoutBody => f.write_str("a decision names the body that made it"),
            Self::DecisionWithoutMeetingDate => f.write_str("a decision names the meeting's date"),
            Self::DecisionWithoutSection => f.write_str("a decision names its section number (§)"),
            Self::DecisionWithoutResolution => f.write_str("a decision names its resolution"),
            Self::RationaleRequired { resolution } => {
                write!(f, "a decision that is {} must give its rationale", resolution.code())
            }
            Self::SupersedesItself => f.write_str("a practice cannot supersede itself"),
            Self::PracticeOfOtherMunicipality => f.write_str("must be a practice of the same municipality"),
            Self::NoPartners => f.write_str("must name at least one partner municipality"),
            Self::SharedWithOwnMunicipality => f.write_str("a practice is not shared with its own municipality"),
            Self::OtherPractice => f.write_str("the command is about another practice than this stream's"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State rules

/// A rule about what the aggregate's current state allows.
///
/// A municipality's name is `None` where it is not registered; it then reads `the municipality`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateRule {
    // Municipalities and their partner network.
    /// The municipality is already registered.
    MunicipalityAlreadyRegistered {
        /// Its Finnish name.
        name: String,
        /// Its code.
        code: MunicipalityCode,
    },
    /// An unregistered municipality joining a network.
    JoinBeforeRegistration,
    /// Joining a network without the host's invitation.
    NotInvited {
        /// The host's Finnish name.
        host: Option<String>,
        /// The partner's Finnish name.
        partner: Option<String>,
    },
    /// Joining a network one is already in.
    AlreadyPartner {
        /// The partner's Finnish name.
        partner: Option<String>,
        /// The host's Finnish name.
        host: Option<String>,
    },
    /// Joining the network of a municipality that is itself a partner in one's own.
    MutualHosting {
        /// The would-be host's Finnish name (already a partner in `partner`'s network).
        host: Option<String>,
        /// The would-be partner's Finnish name.
        partner: Option<String>,
    },
    /// Leaving a network one is not in.
    NotAPartner {
        /// The municipality's Finnish name.
        municipality: Option<String>,
    },
    /// An unregistered municipality inviting partners.
    InviteBeforeRegistration,
    /// Inviting a municipality whose invitation stands.
    AlreadyInvited {
        /// The host's Finnish name.
        host: Option<String>,
        /// The partner's Finnish name.
        partner: Option<String>,
    },
    /// Withdrawing an invitation that does not stand.
    NoInvitation {
        /// The host's Finnish name.
        host: Option<String>,
    },
    // Units and bodies.
    /// The unit is already established.
    UnitAlreadyEstablished {
        /// Its Finnish name.
        name: String,
    },
    /// A target for a unit not established.
    TargetBeforeEstablishment,
    /// The body is already registered.
    BodyAlreadyRegistered {
        /// Its Finnish name.
        name: String,
    },
    /// A member seated in a body not registered.
    MembersBeforeRegistration,
    /// The membership has already started.
    MembershipAlreadyStarted {
        /// The membership.
        membership: MembershipId,
    },
    /// A second sitting chair.
    ChairTaken {
        /// The body's Finnish name.
        body: String,
        /// The sitting chair.
        chair: MemberName,
    },
    /// The membership has already ended.
    MembershipAlreadyEnded {
        /// The member.
        member: MemberName,
        /// The day it ended.
        ended_on: NaiveDate,
    },
    // Frameworks and campaigns.
    /// The framework version is already published.
    FrameworkAlreadyPublished {
        /// Its label (`code@version`).
        framework: String,
    },
    /// The campaign is already open.
    CampaignAlreadyOpen {
        /// Its Finnish title.
        title: String,
    },
    /// A response to a campaign never opened.
    CampaignNotOpened,
    /// A response to a closed campaign.
    CampaignClosedOn {
        /// The day it closed.
        closed_on: NaiveDate,
    },
    /// A response before the campaign's first day.
    CampaignNotYetOpen {
        /// Its first day.
        opens: NaiveDate,
    },
    /// A response after the campaign's last day.
    CampaignPastLastDay {
        /// Its last day.
        closes: NaiveDate,
    },
    /// The response was already submitted.
    ResponseAlreadySubmitted {
        /// The response.
        response: ResponseId,
    },
    /// The respondent has a counted response already.
    RespondentAlreadyAnswered {
        /// The respondent.
        respondent: RespondentRef,
    },
    /// The response was already withdrawn.
    ResponseAlreadyWithdrawn {
        /// The response.
        response: ResponseId,
        /// The day it was withdrawn.
        withdrawn_on: NaiveDate,
    },
    /// Closing a campaign never opened.
    CloseUnopenedCampaign,
    /// The campaign has already closed.
    CampaignAlreadyClosed {
        /// The day it closed.
        closed_on: NaiveDate,
    },
    /// Results of a campaign never opened.
    ResultsOfUnopenedCampaign,
    /// Results before the campaign has closed.
    ResultsBeforeClosing,
    /// Results that are already up to date.
    ResultsUpToDate,
    /// Results without counted responses.
    NoCountedResponses,
    // Coaching.
    /// A step on an engagement not started.
    EngagementMissing {
        /// The step.
        what: EngagementStep,
    },
    /// A step on a closed engagement.
    EngagementClosed {
        /// The day it closed.
        closed: NaiveDate,
        /// The step.
        what: EngagementStep,
    },
    /// The engagement has already been started.
    EngagementAlreadyStarted {
        /// The engagement.
        engagement: EngagementId,
    },
    /// The session is already recorded.
    SessionAlreadyRecorded {
        /// The session.
        session: SessionId,
    },
    /// The note is already recorded.
    NoteAlreadyRecorded {
        /// The note.
        note: NoteId,
    },
    /// The action is already agreed.
    ActionAlreadyAgreed {
        /// The action.
        action: ActionId,
    },
    /// The action was already completed.
    ActionAlreadyCompleted {
        /// The action.
        action: ActionId,
        /// The day it was completed.
        completed: NaiveDate,
    },
    /// The communication is already published.
    CommunicationAlreadyPublished {
        /// The communication.
        communication: CommunicationId,
    },
    // Experiments.
    /// A step on an experiment not proposed.
    ExperimentMissing {
        /// The step.
        what: ExperimentStep,
    },
    /// A step on an experiment not approved.
    ExperimentNotApproved {
        /// The step.
        what: ExperimentStep,
    },
    /// A step on a concluded experiment.
    ExperimentConcluded {
        /// The step.
        what: ExperimentStep,
    },
    /// The experiment has already been proposed.
    ExperimentAlreadyProposed {
        /// The experiment.
        experiment: ExperimentId,
    },
    /// Approving an experiment not proposed.
    ApproveBeforeProposal,
    /// The experiment has already been approved.
    ExperimentAlreadyApproved,
    /// The protocol is already defined.
    ProtocolAlreadyDefined,
    /// A protocol defined after planning.
    ProtocolOutsidePlanning,
    /// The metric's baseline is already established.
    BaselineAlreadyEstablished {
        /// The metric.
        metric: MetricCode,
    },
    /// A change to the stage the experiment is in.
    AlreadyInStage {
        /// The stage.
        stage: Stage,
    },
    /// Running without a protocol.
    RunWithoutProtocol,
    /// A stage change the life cycle does not have.
    StageChangeNotAllowed {
        /// The stage now.
        from: Stage,
        /// The stage asked for.
        to: Stage,
    },
    /// A measurement while planning.
    MeasurementBeforeRunning,
    /// The measurement is already recorded.
    MeasurementAlreadyRecorded {
        /// The measurement.
        measurement: MeasurementId,
    },
    /// An outcome assessed outside evaluation.
    OutcomeOutsideEvaluation,
    /// Completing an experiment not evaluated.
    CompletedBeforeEvaluation,
    /// Concluding with criteria that have no outcome.
    OutcomesMissing {
        /// The criteria without an outcome.
        missing: Vec<Criterion>,
    },
    // Observations and lessons.
    /// The observation is already submitted.
    ObservationAlreadySubmitted {
        /// The observation.
        observation: ObservationId,
    },
    /// A step on a lesson not identified.
    LessonMissing {
        /// The step.
        what: LessonStep,
    },
    /// A step on a lesson already learned.
    LessonAlreadyLearned {
        /// The step.
        what: LessonStep,
    },
    /// The lesson is already identified.
    LessonAlreadyIdentified {
        /// The lesson.
        lesson: LessonId,
    },
    /// Learning a lesson with no action assigned.
    LearnedWithoutAction,
    // Best practices.
    /// A step on a practice not drafted.
    PracticeMissing,
    /// A step on a retired practice.
    PracticeRetired,
    /// A step on a superseded practice.
    PracticeSupersededBy {
        /// The practice that superseded it.
        by: PracticeId,
    },
    /// A step on a superseded practice whose successor is not known.
    PracticeSuperseded,
    /// The practice has already been drafted.
    PracticeAlreadyDrafted,
    /// Submitting a version already awaiting a decision.
    AwaitingDecision {
        /// The version.
        version: u32,
    },
    /// Submitting a version already decided.
    SubmitDecidedVersion {
        /// The version.
        version: u32,
    },
    /// Deciding on a version not submitted.
    DecideUnsubmittedVersion {
        /// The version.
        version: u32,
    },
    /// Deciding on a version already decided.
    DecideDecidedVersion {
        /// The version.
        version: u32,
    },
    /// A decision by another body than the one the practice was submitted to.
    DecidedByOtherBody,
    /// Anchoring without a passing decision on the current version.
    AnchorWithoutPassing {
        /// The current version.
        version: u32,
    },
    /// Progress without a passing decision.
    ProgressWithoutPassing,
    /// Progress lower than already reported.
    ProgressBackwards {
        /// The percent given.
        percent: u8,
        /// The percent already reported.
        reported: u8,
    },
    /// Revising a version awaiting a decision.
    ReviseWhileAwaiting {
        /// The version.
        version: u32,
    },
    /// A retired practice as the replacement.
    RetiredReplacement,
    /// A supersession that would form a cycle.
    SupersessionCycle {
        /// The replacement practice.
        by: PracticeId,
    },
    /// Sharing a practice that has not passed a decision.
    ShareWithoutPassing,
    /// Adoption reported by a municipality the practice was not shared with.
    NotSharedWith {
        /// The municipality.
        partner: MunicipalityId,
    },
}

variant_names!(StateRule {
    MunicipalityAlreadyRegistered,
    JoinBeforeRegistration,
    NotInvited,
    AlreadyPartner,
    MutualHosting,
    NotAPartner,
    InviteBeforeRegistration,
    AlreadyInvited,
    NoInvitation,
    UnitAlreadyEstablished,
    TargetBeforeEstablishment,
    BodyAlreadyRegistered,
    MembersBeforeRegistration,
    MembershipAlreadyStarted,
    ChairTaken,
    MembershipAlreadyEnded,
    FrameworkAlreadyPublished,
    CampaignAlreadyOpen,
    CampaignNotOpened,
    CampaignClosedOn,
    CampaignNotYetOpen,
    CampaignPastLastDay,
    ResponseAlreadySubmitted,
    RespondentAlreadyAnswered,
    ResponseAlreadyWithdrawn,
    CloseUnopenedCampaign,
    CampaignAlreadyClosed,
    ResultsOfUnopenedCampaign,
    ResultsBeforeClosing,
    ResultsUpToDate,
    NoCountedResponses,
    EngagementMissing,
    EngagementClosed,
    EngagementAlreadyStarted,
    SessionAlreadyRecorded,
    NoteAlreadyRecorded,
    ActionAlreadyAgreed,
    ActionAlreadyCompleted,
    CommunicationAlreadyPublished,
    ExperimentMissing,
    ExperimentNotApproved,
    ExperimentConcluded,
    ExperimentAlreadyProposed,
    ApproveBeforeProposal,
    ExperimentAlreadyApproved,
    ProtocolAlreadyDefined,
    ProtocolOutsidePlanning,
    BaselineAlreadyEstablished,
    AlreadyInStage,
    RunWithoutProtocol,
    StageChangeNotAllowed,
    MeasurementBeforeRunning,
    MeasurementAlreadyRecorded,
    OutcomeOutsideEvaluation,
    CompletedBeforeEvaluation,
    OutcomesMissing,
    ObservationAlreadySubmitted,
    LessonMissing,
    LessonAlreadyLearned,
    LessonAlreadyIdentified,
    LearnedWithoutAction,
    PracticeMissing,
    PracticeRetired,
    PracticeSupersededBy,
    PracticeSuperseded,
    PracticeAlreadyDrafted,
    AwaitingDecision,
    SubmitDecidedVersion,
    DecideUnsubmittedVersion,
    DecideDecidedVersion,
    DecidedByOtherBody,
    AnchorWithoutPassing,
    ProgressWithoutPassing,
    ProgressBackwards,
    ReviseWhileAwaiting,
    RetiredReplacement,
    SupersessionCycle,
    ShareWithoutPassing,
    NotSharedWith,
});

/// A municipality's name as the refusals say it: `the municipality` when it is not registered.
fn municipality(name: &Option<String>) -> &str {
    name.as_deref().unwrap_or("the municipality")
}

impl StateRule {
    /// One value of every variant (tests check each variant is here, once).
    pub fn examples() -> Vec<Self> {
        let kuopio = || Some("Kuopio".to_owned());
        let siilinjarvi = || Some("Siilinjärvi".to_owned());
        let member = || MemberName::parse("Aino Räsänen").unwrap_or_else(|_| unreachable!("a valid member name"));
        vec![
            Self::MunicipalityAlreadyRegistered {
                name: "Kuopio".to_owned(),
                code: MunicipalityCode::parse("297").unwrap_or_else(|_| unreachable!("a valid code")),
            },
            Self::JoinBeforeRegistration,
            Self::NotInvited { host: kuopio(), partner: siilinjarvi() },
            Self::AlreadyPartner { partner: siilinjarvi(), host: kuopio() },
            Self::MutualHosting { host: siilinjarvi(), partner: kuopio() },
            Self::NotAPartner { municipality: None },
            Self::InviteBeforeRegistration,
            Self::AlreadyInvited { host: kuopio(), partner: siilinjarvi() },
            Self::NoInvitation { host: kuopio() },
            Self::UnitAlreadyEstablished { name: "Kotihoito".to_owned() },
            Self::TargetBeforeEstablishment,
            Self::BodyAlreadyRegistered { name: "Kaupunginhallitus".to_owned() },
            Self::MembersBeforeRegistration,
            Self::MembershipAlreadyStarted { membership: MembershipId(example_uuid()) },
            Self::ChairTaken { body: "Kaupunginhallitus".to_owned(), chair: member() },
            Self::MembershipAlreadyEnded { member: member(), ended_on: example_day() },
            Self::FrameworkAlreadyPublished { framework: "digcomp@2.2".to_owned() },
            Self::CampaignAlreadyOpen { title: "Kevään arviointi".to_owned() },
            Self::CampaignNotOpened,
            Self::CampaignClosedOn { closed_on: example_day() },
            Self::CampaignNotYetOpen { opens: example_day() },
            Self::CampaignPastLastDay { closes: example_day() },
            Self::ResponseAlreadySubmitted { response: ResponseId(example_uuid()) },
            Self::RespondentAlreadyAnswered {
                respondent: RespondentRef::parse("r-1a2b3c4d").unwrap_or_else(|_| unreachable!("a valid pseudonym")),
            },
            Self::ResponseAlreadyWithdrawn { response: ResponseId(example_uuid()), withdrawn_on: example_day() },
            Self::CloseUnopenedCampaign,
            Self::CampaignAlreadyClosed { closed_on: example_day() },
            Self::ResultsOfUnopenedCampaign,
            Self::ResultsBeforeClosing,
            Self::ResultsUpToDate,
            Self::NoCountedResponses,
            Self::EngagementMissing { what: EngagementStep::Session },
            Self::EngagementClosed { closed: example_day(), what: EngagementStep::Note },
            Self::EngagementAlreadyStarted { engagement: EngagementId(example_uuid()) },
            Self::SessionAlreadyRecorded { session: SessionId(example_uuid()) },
            Self::NoteAlreadyRecorded { note: NoteId(example_uuid()) },
            Self::ActionAlreadyAgreed { action: ActionId(example_uuid()) },
            Self::ActionAlreadyCompleted { action: ActionId(example_uuid()), completed: example_day() },
            Self::CommunicationAlreadyPublished { communication: CommunicationId(example_uuid()) },
            Self::ExperimentMissing { what: ExperimentStep::Protocol },
            Self::ExperimentNotApproved { what: ExperimentStep::Baseline },
            Self::ExperimentConcluded { what: ExperimentStep::Measurement },
            Self::ExperimentAlreadyProposed { experiment: ExperimentId(example_uuid()) },
            Self::ApproveBeforeProposal,
            Self::ExperimentAlreadyApproved,
            Self::ProtocolAlreadyDefined,
            Self::ProtocolOutsidePlanning,
            Self::BaselineAlreadyEstablished { metric: example_metric() },
            Self::AlreadyInStage { stage: Stage::Running },
            Self::RunWithoutProtocol,
            Self::StageChangeNotAllowed { from: Stage::Evaluating, to: Stage::Planning },
            Self::MeasurementBeforeRunning,
            Self::MeasurementAlreadyRecorded { measurement: MeasurementId(example_uuid()) },
            Self::OutcomeOutsideEvaluation,
            Self::CompletedBeforeEvaluation,
            Self::OutcomesMissing { missing: vec![Criterion::Effectiveness, Criterion::Productivity] },
            Self::ObservationAlreadySubmitted { observation: ObservationId(example_uuid()) },
            Self::LessonMissing { what: LessonStep::Action },
            Self::LessonAlreadyLearned { what: LessonStep::LearningRecord },
            Self::LessonAlreadyIdentified { lesson: LessonId(example_uuid()) },
            Self::LearnedWithoutAction,
            Self::PracticeMissing,
            Self::PracticeRetired,
            Self::PracticeSupersededBy { by: PracticeId(example_uuid()) },
            Self::PracticeSuperseded,
            Self::PracticeAlreadyDrafted,
            Self::AwaitingDecision { version: 2 },
            Self::SubmitDecidedVersion { version: 2 },
            Self::DecideUnsubmittedVersion { version: 1 },
            Self::DecideDecidedVersion { version: 1 },
            Self::DecidedByOtherBody,
            Self::AnchorWithoutPassing { version: 3 },
            Self::ProgressWithoutPassing,
            Self::ProgressBackwards { percent: 40, reported: 60 },
            Self::ReviseWhileAwaiting { version: 2 },
            Self::RetiredReplacement,
            Self::SupersessionCycle { by: PracticeId(example_uuid()) },
            Self::ShareWithoutPassing,
            Self::NotSharedWith { partner: MunicipalityId(example_uuid()) },
        ]
    }
}

impl fmt::Display for StateRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MunicipalityAlreadyRegistered { name, code } => write!(f, "{name} ({code}) is already registered"),
            Self::JoinBeforeRegistration => f.write_str("a municipality must be registered before it joins a network"),
            Self::NotInvited { host, partner } => write!(
                f,
                "{} has not invited {} into its network (or withdrew the invitation); the host's admin invites first",
                municipality(host),
                municipality(partner)
            ),
            Self::AlreadyPartner { partner, host } => {
                write!(f, "{} is already a partner in {}'s network", municipality(partner), municipality(host))
            }
            Self::MutualHosting { host, partner } => write!(
                f,
                "{} is itself a partner in {}'s network; two municipalities cannot host each other",
                municipality(host),
                municipality(partner)
            ),
            Self::NotAPartner { municipality: name } => {
                write!(f, "{} is not a partner in that host's network, so it cannot leave it", municipality(name))
            }
            Self::InviteBeforeRegistration => {
                f.write_str("a municipality must be registered before it invites partners")
            }
            Self::AlreadyInvited { host, partner } => {
                write!(f, "{} has already invited {} into its network", municipality(host), municipality(partner))
            }
            Self::NoInvitation { host } => write!(
                f,
                "{} has no standing invitation for that municipality, so there is none to withdraw",
                municipality(host)
            ),
            Self::UnitAlreadyEstablished { name } => write!(f, "unit {name} is already established"),
            Self::TargetBeforeEstablishment => f.write_str("a target is set only for an established unit"),
            Self::BodyAlreadyRegistered { name } => write!(f, "body {name} is already registered"),
            Self::MembersBeforeRegistration => f.write_str("members are seated only in a registered body"),
            Self::MembershipAlreadyStarted { membership } => write!(f, "membership {membership} has already started"),
            Self::ChairTaken { body, chair } => {
                write!(f, "{body} already has a chair ({chair}); end that membership first")
            }
            Self::MembershipAlreadyEnded { member, ended_on } => {
                write!(f, "{member}'s membership already ended on {ended_on}")
            }
            Self::FrameworkAlreadyPublished { framework } => {
                write!(f, "{framework} is already published; a changed framework is a new version")
            }
            Self::CampaignAlreadyOpen { title } => write!(f, "campaign {title} is already open"),
            Self::CampaignNotOpened => f.write_str("responses are taken only once the campaign is open"),
            Self::CampaignClosedOn { closed_on } => {
                write!(f, "the campaign closed on {closed_on}; responses are taken only while it is open")
            }
            Self::CampaignNotYetOpen { opens } => {
                write!(f, "the campaign opens on {opens}; responses are taken only while it is open")
            }
            Self::CampaignPastLastDay { closes } => {
                write!(f, "the campaign's last day for answers was {closes}; responses are taken only while it is open")
            }
            Self::ResponseAlreadySubmitted { response } => write!(f, "response {response} was already submitted"),
            Self::RespondentAlreadyAnswered { respondent } => {
                write!(f, "respondent {respondent} has already answered this campaign; withdraw that response first")
            }
            Self::ResponseAlreadyWithdrawn { response, withdrawn_on } => {
                write!(f, "response {response} was already withdrawn on {withdrawn_on}; a response is withdrawn once")
            }
            Self::CloseUnopenedCampaign => f.write_str("a campaign that was never opened cannot close"),
            Self::CampaignAlreadyClosed { closed_on } => write!(f, "the campaign already closed on {closed_on}"),
            Self::ResultsOfUnopenedCampaign => f.write_str("a campaign that was never opened has no results"),
            Self::ResultsBeforeClosing => f.write_str("results are computed once the campaign has closed"),
            Self::ResultsUpToDate => {
                f.write_str("results are up to date: no response was withdrawn since they were computed")
            }
            Self::NoCountedResponses => f.write_str("the campaign has no counted responses to compute results from"),
            Self::EngagementMissing { what } => {
                write!(f, "the engagement does not exist: start it before any {what}")
            }
            Self::EngagementClosed { closed, what } => {
                write!(f, "the engagement closed on {closed}: no {what} after it closed")
            }
            Self::EngagementAlreadyStarted { engagement } => {
                write!(f, "engagement {engagement} has already been started")
            }
            Self::SessionAlreadyRecorded { session } => write!(f, "session {session} is already recorded"),
            Self::NoteAlreadyRecorded { note } => write!(f, "note {note} is already recorded"),
            Self::ActionAlreadyAgreed { action } => write!(f, "action {action} is already agreed"),
            Self::ActionAlreadyCompleted { action, completed } => {
                write!(f, "action {action} was already completed on {completed}; an action is completed only once")
            }
            Self::CommunicationAlreadyPublished { communication } => {
                write!(f, "communication {communication} is already published")
            }
            Self::ExperimentMissing { what } => {
                write!(f, "the experiment does not exist: propose it before any {what}")
            }
            Self::ExperimentNotApproved { what } => {
                write!(f, "no {what} before the experiment is approved by a body's decision")
            }
            Self::ExperimentConcluded { what } => {
                write!(f, "the experiment is concluded: no {what} after its conclusion")
            }
            Self::ExperimentAlreadyProposed { experiment } => {
                write!(f, "experiment {experiment} has already been proposed")
            }
            Self::ApproveBeforeProposal => f.write_str("only a proposed experiment can be approved: propose it first"),
            Self::ExperimentAlreadyApproved => f.write_str("the experiment has already been approved"),
            Self::ProtocolAlreadyDefined => f.write_str("the experiment's protocol is already defined"),
            Self::ProtocolOutsidePlanning => {
                f.write_str("the protocol is defined while the experiment is being planned")
            }
            Self::BaselineAlreadyEstablished { metric } => {
                write!(f, "the baseline of metric `{metric}` is already established")
            }
            Self::AlreadyInStage { stage } => write!(f, "the experiment is already in stage {stage:?}"),
            Self::RunWithoutProtocol => f.write_str("the protocol must be defined before the experiment runs"),
            Self::StageChangeNotAllowed { from, to } => {
                write!(f, "an experiment cannot move from stage {from:?} to {to:?}")
            }
            Self::MeasurementBeforeRunning => f.write_str("no measurement before the experiment is running"),
            Self::MeasurementAlreadyRecorded { measurement } => {
                write!(f, "measurement {measurement} is already recorded")
            }
            Self::OutcomeOutsideEvaluation => {
                f.write_str("outcomes are assessed while the experiment is being evaluated")
            }
            Self::CompletedBeforeEvaluation => {
                f.write_str("an experiment is completed only after it has been evaluated")
            }
            Self::OutcomesMissing { missing } => {
                let names: Vec<&str> = missing.iter().map(Criterion::as_str).collect();
                write!(
                    f,
                    "no conclusion without an outcome for every declared criterion; missing: {}",
                    names.join(", ")
                )
            }
            Self::ObservationAlreadySubmitted { observation } => {
                write!(f, "observation {observation} is already submitted")
            }
            Self::LessonMissing { what } => write!(f, "the lesson does not exist: identify it before any {what}"),
            Self::LessonAlreadyLearned { what } => write!(f, "the lesson is already learned: no {what} after that"),
            Self::LessonAlreadyIdentified { lesson } => write!(f, "lesson {lesson} is already identified"),
            Self::LearnedWithoutAction => {
                f.write_str("a lesson is learned only after an action was assigned to act on it")
            }
            Self::PracticeMissing => f.write_str("the practice does not exist; draft it first"),
            Self::PracticeRetired => f.write_str("the practice is retired; nothing follows retirement"),
            Self::PracticeSupersededBy { by } => write!(f, "the practice has been superseded by practice {by}"),
            Self::PracticeSuperseded => f.write_str("the practice has been superseded"),
            Self::PracticeAlreadyDrafted => f.write_str("the practice has already been drafted"),
            Self::AwaitingDecision { version } => {
                write!(f, "version {version} is already awaiting a body's decision")
            }
            Self::SubmitDecidedVersion { version } => {
                write!(f, "version {version} has already been decided; revise the practice before submitting it again")
            }
            Self::DecideUnsubmittedVersion { version } => {
                write!(f, "version {version} must be submitted to a body before it is decided")
            }
            Self::DecideDecidedVersion { version } => {
                write!(f, "version {version} has already been decided; it cannot be decided again without a revision")
            }
            Self::DecidedByOtherBody => {
                f.write_str("the decision must be made by the body the practice was submitted to")
            }
            Self::AnchorWithoutPassing { version } => {
                write!(f, "anchoring needs a passing decision on the current version ({version})")
            }
            Self::ProgressWithoutPassing => f.write_str("implementation progress needs a passing decision first"),
            Self::ProgressBackwards { percent, reported } => {
                write!(f, "progress never goes backwards: percent {percent} is below the {reported} already reported")
            }
            Self::ReviseWhileAwaiting { version } => write!(
                f,
                "version {version} is awaiting a body's decision; it cannot be revised until the body decides or \
                 returns it"
            ),
            Self::RetiredReplacement => f.write_str("a retired practice cannot supersede another"),
            Self::SupersessionCycle { by } => write!(
                f,
                "superseding by practice {by} would form a cycle: it is itself superseded, in turn, by this practice"
            ),
            Self::ShareWithoutPassing => f.write_str("only a practice that has passed a decision is shared"),
            Self::NotSharedWith { partner } => {
                write!(f, "municipality {partner} was not shared this practice, so it cannot report adopting it")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reference rules

/// What a reference should point to (it points to nothing, or to the wrong record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A registered municipality.
    RegisteredMunicipality,
    /// A published framework.
    PublishedFramework,
    /// An established unit.
    EstablishedUnit,
    /// A registered (established) unit.
    RegisteredUnit,
    /// A unit of the same municipality.
    UnitOfSameMunicipality,
    /// A unit of the campaign's municipality.
    UnitOfCampaignMunicipality,
    /// An established unit of the practice's municipality.
    UnitOfPracticeMunicipality,
    /// One of the campaign's units.
    CampaignUnit,
    /// A response to this campaign.
    CampaignResponse,
    /// A registered body.
    RegisteredBody,
    /// A registered decision-making body.
    RegisteredDecisionBody,
    /// A body of the same municipality.
    BodyOfSameMunicipality,
    /// A body of the unit's municipality.
    BodyOfUnitMunicipality,
    /// A body of the experiment's municipality.
    BodyOfExperimentMunicipality,
    /// A body of the practice's own municipality.
    BodyOfPracticeMunicipality,
    /// A membership of this body.
    BodyMembership,
    /// A proposed experiment.
    ProposedExperiment,
    /// An experiment of the engagement's municipality.
    ExperimentOfEngagementMunicipality,
    /// A session of this engagement.
    EngagementSession,
    /// An action agreed in this engagement.
    EngagementAction,
    /// An existing experiment, lesson or practice, of the kind the link says.
    LinkTarget,
    /// A measurement recorded in this experiment.
    ExperimentMeasurement,
    /// An existing record of a kind.
    Existing {
        /// The kind.
        kind: RecordKind,
    },
    /// A record of the same municipality.
    SameMunicipality,
    /// A submitted observation.
    SubmittedObservation,
    /// An observation of the same municipality.
    ObservationOfSameMunicipality,
    /// An experiment's assessed outcome on a criterion.
    AssessedOutcome {
        /// The experiment.
        experiment: ExperimentId,
        /// The criterion that has no outcome.
        criterion: Criterion,
    },
}

variant_names!(Expected {
    RegisteredMunicipality,
    PublishedFramework,
    EstablishedUnit,
    RegisteredUnit,
    UnitOfSameMunicipality,
    UnitOfCampaignMunicipality,
    UnitOfPracticeMunicipality,
    CampaignUnit,
    CampaignResponse,
    RegisteredBody,
    RegisteredDecisionBody,
    BodyOfSameMunicipality,
    BodyOfUnitMunicipality,
    BodyOfExperimentMunicipality,
    BodyOfPracticeMunicipality,
    BodyMembership,
    ProposedExperiment,
    ExperimentOfEngagementMunicipality,
    EngagementSession,
    EngagementAction,
    LinkTarget,
    ExperimentMeasurement,
    Existing,
    SameMunicipality,
    SubmittedObservation,
    ObservationOfSameMunicipality,
    AssessedOutcome,
});

impl Expected {
    /// One value of every variant (tests check each variant is here, once).
    pub fn examples() -> Vec<Self> {
        vec![
            Self::RegisteredMunicipality,
            Self::PublishedFramework,
            Self::EstablishedUnit,
            Self::RegisteredUnit,
            Self::UnitOfSameMunicipality,
            Self::UnitOfCampaignMunicipality,
            Self::UnitOfPracticeMunicipality,
            Self::CampaignUnit,
            Self::CampaignResponse,
            Self::RegisteredBody,
            Self::RegisteredDecisionBody,
            Self::BodyOfSameMunicipality,
            Self::BodyOfUnitMunicipality,
            Self::BodyOfExperimentMunicipality,
            Self::BodyOfPracticeMunicipality,
            Self::BodyMembership,
            Self::ProposedExperiment,
            Self::ExperimentOfEngagementMunicipality,
            Self::EngagementSession,
            Self::EngagementAction,
            Self::LinkTarget,
            Self::ExperimentMeasurement,
            Self::Existing { kind: RecordKind::CoachingEngagement },
            Self::SameMunicipality,
            Self::SubmittedObservation,
            Self::ObservationOfSameMunicipality,
            Self::AssessedOutcome { experiment: ExperimentId(example_uuid()), criterion: Criterion::Effectiveness },
        ]
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RegisteredMunicipality => f.write_str("must be a registered municipality"),
            Self::PublishedFramework => f.write_str("must be a published framework"),
            Self::EstablishedUnit => f.write_str("must be an established unit"),
            Self::RegisteredUnit => f.write_str("must be a registered unit"),
            Self::UnitOfSameMunicipality => f.write_str("must be a unit of the same municipality"),
            Self::UnitOfCampaignMunicipality => f.write_str("must be a unit of the campaign's municipality"),
            Self::UnitOfPracticeMunicipality => {
                f.write_str("must be an established unit of the practice's municipality")
            }
            Self::CampaignUnit => f.write_str("must be one of the campaign's units"),
            Self::CampaignResponse => f.write_str("must be a response to this campaign"),
            Self::RegisteredBody => f.write_str("must be a registered body"),
            Self::RegisteredDecisionBody => f.write_str("must be a registered decision-making body"),
            Self::BodyOfSameMunicipality => f.write_str("must be a body of the same municipality"),
            Self::BodyOfUnitMunicipality => f.write_str("must be a body of the unit's municipality"),
            Self::BodyOfExperimentMunicipality => f.write_str("must be a body of the experiment's municipality"),
            Self::BodyOfPracticeMunicipality => f.write_str("must be a body of the practice's own municipality"),
            Self::BodyMembership => f.write_str("must be a membership of this body"),
            Self::ProposedExperiment => f.write_str("must be a proposed experiment"),
            Self::ExperimentOfEngagementMunicipality => {
                f.write_str("must be an experiment of the engagement's municipality")
            }
            Self::EngagementSession => f.write_str("must be a session of this engagement"),
            Self::EngagementAction => f.write_str("must be an action agreed in this engagement"),
            Self::LinkTarget => f.write_str("must be an existing experiment, lesson or practice of that kind"),
            Self::ExperimentMeasurement => f.write_str("must be a measurement recorded in this experiment"),
            Self::Existing { kind } => write!(f, "must be an existing {kind}"),
            Self::SameMunicipality => f.write_str("must belong to the same municipality"),
            Self::SubmittedObservation => f.write_str("must be a submitted observation"),
            Self::ObservationOfSameMunicipality => f.write_str("must be an observation of the same municipality"),
            Self::AssessedOutcome { experiment, criterion } => {
                write!(f, "experiment {experiment} has no assessed outcome for {criterion}")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The examples' values

fn example_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 3).unwrap_or_default()
}

fn example_uuid() -> Uuid {
    Uuid::from_u128(0x0193_a1b2_c3d4_7e5f_8a9b_0c1d_2e3f_4a5b)
}

fn example_person() -> PersonRef {
    PersonRef::parse("person", "hlo-7f3a2c").unwrap_or_else(|_| unreachable!("a valid pseudonym"))
}

fn example_metric() -> MetricCode {
    MetricCode::parse("metric", "sickness_absence_days").unwrap_or_else(|_| unreachable!("a valid metric code"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// `names` are exactly `variants`, each once.
    #[track_caller]
    fn covers(what: &str, names: Vec<&'static str>, variants: &[&'static str]) {
        let named: BTreeSet<&str> = names.iter().copied().collect();
        let all: BTreeSet<&str> = variants.iter().copied().collect();
        let missing: Vec<&&str> = all.difference(&named).collect();
        assert!(missing.is_empty(), "{what}: no example of {missing:?}");
        assert_eq!(names.len(), variants.len(), "{what}: a variant has two examples");
    }

    #[test]
    fn every_variant_of_every_rule_has_one_example() {
        covers("InputRule", InputRule::examples().iter().map(InputRule::variant_name).collect(), InputRule::VARIANTS);
        covers("StateRule", StateRule::examples().iter().map(StateRule::variant_name).collect(), StateRule::VARIANTS);
        covers("Expected", Expected::examples().iter().map(Expected::variant_name).collect(), Expected::VARIANTS);
        covers("Milestone", Milestone::ALL.iter().map(Milestone::variant_name).collect(), Milestone::VARIANTS);
        covers(
            "EngagementStep",
            EngagementStep::ALL.iter().map(EngagementStep::variant_name).collect(),
            EngagementStep::VARIANTS,
        );
        covers(
            "ExperimentStep",
            ExperimentStep::ALL.iter().map(ExperimentStep::variant_name).collect(),
            ExperimentStep::VARIANTS,
        );
        covers("LessonStep", LessonStep::ALL.iter().map(LessonStep::variant_name).collect(), LessonStep::VARIANTS);
        covers("RecordKind", RecordKind::ALL.iter().map(RecordKind::variant_name).collect(), RecordKind::VARIANTS);
    }

    #[test]
    fn the_english_of_every_example_is_a_sentence_of_its_own() {
        let texts: Vec<String> = InputRule::examples()
            .iter()
            .map(ToString::to_string)
            .chain(StateRule::examples().iter().map(ToString::to_string))
            .chain(Expected::examples().iter().map(ToString::to_string))
            .collect();
        let distinct: BTreeSet<&String> = texts.iter().collect();
        assert_eq!(distinct.len(), texts.len(), "two rules read alike");
        assert!(texts.iter().all(|text| !text.is_empty()));
    }

    #[test]
    fn the_words_within_rules_read_as_before() {
        assert_eq!(
            InputRule::NotBefore { what: Milestone::Opens, date: example_day() }.to_string(),
            "must not be before opens (2025-03-03)"
        );
        assert_eq!(
            StateRule::ExperimentNotApproved { what: ExperimentStep::StageChange }.to_string(),
            "no stage change before the experiment is approved by a body's decision"
        );
        assert_eq!(
            StateRule::NotAPartner { municipality: None }.to_string(),
            "the municipality is not a partner in that host's network, so it cannot leave it"
        );
        assert_eq!(
            InputRule::OffFrameworkScale { framework: "digcomp@2.2".into(), min: 1, max: 8, got: Number::from(9u8) }
                .to_string(),
            "must lie on digcomp@2.2's scale 1–8, got 9"
        );
        assert_eq!(
            StateRule::StageChangeNotAllowed { from: Stage::Evaluating, to: Stage::Planning }.to_string(),
            "an experiment cannot move from stage Evaluating to Planning"
        );
    }
}

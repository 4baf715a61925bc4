//! Best practices: what may happen to a practice from draft to retirement, decided without I/O.
//!
//! Life cycle of one version: drafted (or revised) -> submitted to a body -> decided. A
//! returned or tabled case stays open for another decision by the same body; a passed,
//! rejected or noted one is closed until [`PracticeRevised`] opens a new version, which is
//! submitted and decided again. Only a practice whose current version passed is anchored;
//! implementation progress needs a passing decision on some version and never goes back.
//! Supersession and retirement end a practice (a superseded practice may still be retired
//! and still hears adoption reports from partners it was shared with); nothing follows retirement.
//!
//! Rules across aggregates read [`References`]: the body a practice is submitted to and decided
//! by (registered, of the practice's municipality), evidence (a proposed experiment, with an
//! assessed outcome for an outcome link's criterion; an identified lesson; an opened campaign),
//! partner municipalities (registered, not its own), the owner unit of an anchoring (of the
//! practice's municipality), and the superseding practice with the practices superseding it in
//! turn (the use case loads that chain), so that supersession never forms a cycle.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use kirjuri_events::domain::practice::{
    AdoptionReported, AdoptionStatus, AnchorKind, CaseNumber, Consequences, EvidenceLink, ImplementationProgressed,
    Percent, PracticeAnchored, PracticeDecided, PracticeDrafted, PracticeEvent, PracticeRetired, PracticeRevised,
    PracticeShared, PracticeSubmitted, PracticeSuperseded, Resolution, SectionNumber, Tag,
};
use kirjuri_events::domain::{BodyId, DecodeError, LocalizedText, MunicipalityId, PracticeId, UnitId};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

use crate::organisation::command_input;
use crate::{Aggregate, DomainError, Expected, InputRule, RecordKind, Reference, References, StateRule};

/// Where a practice stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PracticeStatus {
    /// Being prepared (a new practice or a revised version); not yet submitted.
    #[default]
    Draft,
    /// Submitted to a body, awaiting its decision.
    Submitted,
    /// Tabled by the body: still awaiting its decision.
    Tabled,
    /// Returned to preparation: the body may decide again, or it may be revised or resubmitted.
    Returned,
    /// The current version passed (in any form): in force.
    Passed,
    /// The current version was rejected.
    Rejected,
    /// The body took note of the current version without adopting it.
    Noted,
    /// Replaced by another practice.
    Superseded,
    /// No longer applies.
    Retired,
}

impl PracticeStatus {
    /// Whether a body has a decision to make on the current version.
    pub fn awaits_decision(self) -> bool {
        matches!(self, Self::Submitted | Self::Tabled | Self::Returned)
    }

    /// Whether the practice has ended (superseded or retired).
    pub fn has_ended(self) -> bool {
        matches!(self, Self::Superseded | Self::Retired)
    }
}

/// One decision on a practice, as the state remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// The version decided on.
    pub version: u32,
    /// The body that decided.
    pub body: BodyId,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// The minutes' section.
    pub section: SectionNumber,
    /// How it was resolved.
    pub resolution: Resolution,
}

/// One anchoring of a practice in a structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRecord {
    /// The version anchored.
    pub version: u32,
    /// The kind of structure.
    pub into: AnchorKind,
    /// The owning unit.
    pub owner_unit: UnitId,
    /// From when it applies.
    pub effective_from: NaiveDate,
}

/// A practice's state, folded from its stream.
#[derive(Debug, Clone, Default)]
pub struct PracticeState {
    /// Whether it has been drafted.
    pub exists: bool,
    /// Its id (once drafted).
    pub id: Option<PracticeId>,
    /// Its municipality (once drafted).
    pub municipality: Option<MunicipalityId>,
    /// Its title (once drafted).
    pub title: Option<LocalizedText>,
    /// The current version (1 when drafted, raised by each revision).
    pub version: u32,
    /// Where it stands.
    pub status: PracticeStatus,
    /// The body the current version was last submitted to.
    pub submitted_to: Option<BodyId>,
    /// The diary number of the current version's case.
    pub case_number: Option<CaseNumber>,
    /// Every decision on it, oldest first.
    pub decisions: Vec<DecisionRecord>,
    /// The latest version that passed, if any.
    pub passed_version: Option<u32>,
    /// Every anchoring, oldest first.
    pub anchors: Vec<AnchorRecord>,
    /// Implementation progress.
    pub progress: Percent,
    /// The records it rests on.
    pub evidence: Vec<EvidenceLink>,
    /// The practice that replaced it, if any.
    pub superseded_by: Option<PracticeId>,
    /// The partner municipalities it was shared with.
    pub shared_with: BTreeSet<MunicipalityId>,
    /// Each partner's latest adoption report.
    pub adoptions: BTreeMap<MunicipalityId, AdoptionStatus>,
}

/// Draft a new practice.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftPractice {
    /// The new practice's id.
    pub practice: PracticeId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its title.
    pub title: LocalizedText,
    /// The context and problem.
    pub context: LocalizedText,
    /// The options considered.
    pub options_considered: Vec<LocalizedText>,
    /// The chosen option, and why.
    pub chosen_option: LocalizedText,
    /// Its consequences.
    pub consequences: Consequences,
    /// The records it rests on.
    pub evidence: Vec<EvidenceLink>,
    /// Free tags.
    pub tags: Vec<Tag>,
}

/// Submit the current version to a body.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitPractice {
    /// The practice.
    pub practice: PracticeId,
    /// The body that is to decide.
    pub body: BodyId,
    /// The case's diary number.
    pub case_number: CaseNumber,
}

/// Record a body's decision on the current version.
#[derive(Debug, Clone, PartialEq)]
pub struct DecidePractice {
    /// The practice.
    pub practice: PracticeId,
    /// The body that decided.
    pub body: BodyId,
    /// The meeting's date.
    pub meeting_date: NaiveDate,
    /// The minutes' section (§).
    pub section: SectionNumber,
    /// The motion text.
    pub motion: LocalizedText,
    /// The decision text.
    pub decision: LocalizedText,
    /// How the body resolved it.
    pub resolution: Resolution,
    /// Why (required for rejection and return).
    pub rationale: Option<LocalizedText>,
}

/// A decision as it arrives from outside, before parsing: every field may be missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionInput {
    /// The body, if named.
    pub body: Option<BodyId>,
    /// The meeting's date, if given.
    pub meeting_date: Option<NaiveDate>,
    /// The section number, if given.
    pub section: Option<u32>,
    /// The motion text in Finnish.
    pub motion_fi: String,
    /// The decision text in Finnish.
    pub decision_fi: String,
    /// The resolution code, if given.
    pub resolution: Option<String>,
    /// The rationale in Finnish, if given.
    pub rationale_fi: Option<String>,
}

fn missing(field: &str, rule: InputRule) -> DomainError {
    DomainError::invalid(field, rule)
}

fn text(field: &str, value: &str) -> Result<LocalizedText, DomainError> {
    LocalizedText::fi(value).map_err(|error| DomainError::from(error.within(field)))
}

command_input! {
    /// [`DecidePractice`] as it arrives, typed (for the untyped form see [`DecisionInput`]); a
    /// rejection or return must give its rationale.
    DecidePracticeInput => DecidePractice {
        /// The practice.
        practice: PracticeId,
        /// The body that decided.
        body: BodyId,
        /// The meeting's date.
        meeting_date: NaiveDate,
        /// The minutes' section (§, 1 or more).
        section: SectionNumber,
        /// The motion text.
        motion: LocalizedText,
        /// The decision text.
        decision: LocalizedText,
        /// How the body resolved it.
        resolution: Resolution,
        /// Why (required for rejection and return).
        #[serde(default)]
        rationale: Option<LocalizedText>,
    }
    |raw| {
        let command = DecidePractice {
            practice: raw.practice,
            body: raw.body,
            meeting_date: raw.meeting_date,
            section: raw.section,
            motion: raw.motion,
            decision: raw.decision,
            resolution: raw.resolution,
            rationale: raw.rationale,
        };
        command.check_rationale()?;
        Ok(command)
    }
}

impl DecidePractice {
    /// Parses a decision: body, meeting date, section (1 or more), motion, decision text and
    /// resolution are required; a rejection or return also needs a rationale.
    pub fn parse(practice: PracticeId, input: DecisionInput) -> Result<Self, DomainError> {
        let body = input.body.ok_or_else(|| missing("body", InputRule::DecisionWithoutBody))?;
        let meeting_date =
            input.meeting_date.ok_or_else(|| missing("meeting_date", InputRule::DecisionWithoutMeetingDate))?;
        let section = input.section.ok_or_else(|| missing("section", InputRule::DecisionWithoutSection))?;
        let section = SectionNumber::parse(section)?;
        let resolution = input.resolution.ok_or_else(|| missing("resolution", InputRule::DecisionWithoutResolution))?;
        let resolution = Resolution::parse(&resolution)?;
        let rationale =
            input.rationale_fi.filter(|r| !r.trim().is_empty()).map(|r| text("rationale", &r)).transpose()?;
        let command = Self {
            practice,
            body,
            meeting_date,
            section,
            motion: text("motion", &input.motion_fi)?,
            decision: text("decision", &input.decision_fi)?,
            resolution,
            rationale,
        };
        command.check_rationale()?;
        Ok(command)
    }

    fn check_rationale(&self) -> Result<(), DomainError> {
        if self.resolution.needs_rationale() && self.rationale.is_none() {
            return Err(DomainError::invalid(
                "rationale",
                InputRule::RationaleRequired { resolution: self.resolution },
            ));
        }
        Ok(())
    }
}

/// Anchor the passed practice in a structure of the city.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnchorPractice {
    /// The practice.
    pub practice: PracticeId,
    /// The kind of structure.
    pub into: AnchorKind,
    /// The structure's name.
    pub target: LocalizedText,
    /// The structure's reference in its own system, if any.
    pub target_ref: Option<String>,
    /// The unit that owns it.
    pub owner_unit: UnitId,
    /// From when it applies.
    pub effective_from: NaiveDate,
}

/// Report how far implementation has come.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportProgress {
    /// The practice.
    pub practice: PracticeId,
    /// How far, in percent (never less than before).
    pub percent: Percent,
    /// What was done.
    pub note: Option<LocalizedText>,
}

/// Revise the practice into a new version that needs a new decision.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisePractice {
    /// The practice.
    pub practice: PracticeId,
    /// What changes.
    pub what_changed: LocalizedText,
    /// Why.
    pub reason: LocalizedText,
}

/// Replace the practice by another.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupersedePractice {
    /// The practice replaced.
    pub practice: PracticeId,
    /// The practice replacing it.
    pub by: PracticeId,
}

/// Retire the practice.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetirePractice {
    /// The practice.
    pub practice: PracticeId,
    /// Why.
    pub reason: LocalizedText,
}

/// Share the practice with partner municipalities.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharePractice {
    /// The practice.
    pub practice: PracticeId,
    /// The partners.
    pub partners: Vec<MunicipalityId>,
}

/// Record a partner's report on adopting the practice.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportAdoption {
    /// The practice.
    pub practice: PracticeId,
    /// The partner reporting.
    pub partner: MunicipalityId,
    /// Where it stands.
    pub status: AdoptionStatus,
    /// What it said.
    pub note: Option<LocalizedText>,
}

/// What a practice can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum PracticeCommand {
    /// Draft it.
    Draft(DraftPractice),
    /// Submit it to a body.
    Submit(SubmitPractice),
    /// Record a body's decision.
    Decide(DecidePractice),
    /// Anchor it in a structure.
    Anchor(AnchorPractice),
    /// Report implementation progress.
    ReportProgress(ReportProgress),
    /// Revise it.
    Revise(RevisePractice),
    /// Replace it by another.
    Supersede(SupersedePractice),
    /// Retire it.
    Retire(RetirePractice),
    /// Share it with partners.
    Share(SharePractice),
    /// Record a partner's adoption report.
    ReportAdoption(ReportAdoption),
}

impl PracticeCommand {
    /// The practice the command is about.
    pub fn practice(&self) -> PracticeId {
        match self {
            Self::Draft(c) => c.practice,
            Self::Submit(c) => c.practice,
            Self::Decide(c) => c.practice,
            Self::Anchor(c) => c.practice,
            Self::ReportProgress(c) => c.practice,
            Self::Revise(c) => c.practice,
            Self::Supersede(c) => c.practice,
            Self::Retire(c) => c.practice,
            Self::Share(c) => c.practice,
            Self::ReportAdoption(c) => c.practice,
        }
    }
}

fn evidence_reference(link: &EvidenceLink) -> Reference {
    match *link {
        EvidenceLink::Outcome { experiment, .. } | EvidenceLink::Experiment { experiment } => {
            Reference::Experiment(experiment)
        }
        EvidenceLink::Lesson { lesson } => Reference::Lesson(lesson),
        EvidenceLink::Assessment { campaign } => Reference::Campaign(campaign),
    }
}

/// Checks each evidence link points to an existing record of its kind, listed once.
fn check_evidence(links: &[EvidenceLink], references: &References) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    for (index, link) in links.iter().enumerate() {
        if !seen.insert(*link) {
            return Err(DomainError::invalid(format!("evidence[{index}]"), InputRule::ListedTwice));
        }
        let missing = |field: &str, expected: Expected| {
            Err(DomainError::unknown_reference(format!("evidence[{index}].{field}"), expected))
        };
        let existing = |kind: RecordKind| Expected::Existing { kind };
        match *link {
            EvidenceLink::Outcome { experiment, criterion } => {
                let Some(state) = references.experiment(experiment).filter(|e| e.exists()) else {
                    return missing("experiment", existing(RecordKind::Experiment));
                };
                if !state.has_outcome_for(criterion) {
                    return missing("criterion", Expected::AssessedOutcome { experiment, criterion });
                }
            }
            EvidenceLink::Experiment { experiment } => {
                if !references.experiment(experiment).is_some_and(|e| e.exists()) {
                    return missing("experiment", existing(RecordKind::Experiment));
                }
            }
            EvidenceLink::Lesson { lesson } => {
                if !references.lesson(lesson).is_some_and(|l| l.exists()) {
                    return missing("lesson", existing(RecordKind::Lesson));
                }
            }
            EvidenceLink::Assessment { campaign } => {
                if !references.campaign(campaign).is_some_and(|c| c.is_opened()) {
                    return missing("campaign", existing(RecordKind::AssessmentCampaign));
                }
            }
        }
    }
    Ok(())
}

impl PracticeState {
    fn require_exists(&self) -> Result<(), DomainError> {
        if !self.exists {
            return Err(DomainError::not_allowed(StateRule::PracticeMissing));
        }
        Ok(())
    }

    /// Refuses anything on a practice that has ended.
    fn require_active(&self) -> Result<(), DomainError> {
        self.require_exists()?;
        match (self.status, self.superseded_by) {
            (PracticeStatus::Retired, _) => Err(DomainError::not_allowed(StateRule::PracticeRetired)),
            (PracticeStatus::Superseded, Some(by)) => {
                Err(DomainError::not_allowed(StateRule::PracticeSupersededBy { by }))
            }
            (PracticeStatus::Superseded, None) => Err(DomainError::not_allowed(StateRule::PracticeSuperseded)),
            _ => Ok(()),
        }
    }

    /// A body deciding on this practice is registered and belongs to its municipality.
    fn check_body(&self, body: BodyId, references: &References) -> Result<(), DomainError> {
        let Some(state) = references.body(body).filter(|b| b.is_registered()) else {
            return Err(DomainError::unknown_reference("body", Expected::RegisteredDecisionBody));
        };
        if state.municipality() != self.municipality {
            return Err(DomainError::unknown_reference("body", Expected::BodyOfPracticeMunicipality));
        }
        Ok(())
    }

    fn draft(&self, command: &DraftPractice, references: &References) -> Result<Vec<PracticeEvent>, DomainError> {
        if self.exists {
            return Err(DomainError::not_allowed(StateRule::PracticeAlreadyDrafted));
        }
        if !references.municipality(command.municipality).is_some_and(|m| m.is_registered()) {
            return Err(DomainError::unknown_reference("municipality", Expected::RegisteredMunicipality));
        }
        check_evidence(&command.evidence, references)?;
        let mut tags = command.tags.clone();
        tags.sort();
        tags.dedup();
        Ok(vec![PracticeEvent::Drafted(PracticeDrafted {
            practice: command.practice,
            municipality: command.municipality,
            title: command.title.clone(),
            context: command.context.clone(),
            options_considered: command.options_considered.clone(),
            chosen_option: command.chosen_option.clone(),
            consequences: command.consequences.clone(),
            evidence: command.evidence.clone(),
            tags,
        })])
    }

    fn submit(&self, command: &SubmitPractice, references: &References) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        match self.status {
            PracticeStatus::Draft | PracticeStatus::Returned => {}
            PracticeStatus::Submitted | PracticeStatus::Tabled => {
                return Err(DomainError::not_allowed(StateRule::AwaitingDecision { version: self.version }));
            }
            _ => {
                return Err(DomainError::not_allowed(StateRule::SubmitDecidedVersion { version: self.version }));
            }
        }
        self.check_body(command.body, references)?;
        Ok(vec![PracticeEvent::Submitted(PracticeSubmitted {
            practice: command.practice,
            version: self.version,
            body: command.body,
            case_number: command.case_number.clone(),
        })])
    }

    fn decide_on(&self, command: &DecidePractice, references: &References) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        match self.status {
            status if status.awaits_decision() => {}
            PracticeStatus::Draft => {
                return Err(DomainError::not_allowed(StateRule::DecideUnsubmittedVersion { version: self.version }));
            }
            _ => {
                return Err(DomainError::not_allowed(StateRule::DecideDecidedVersion { version: self.version }));
            }
        }
        self.check_body(command.body, references)?;
        if self.submitted_to != Some(command.body) {
            return Err(DomainError::not_allowed(StateRule::DecidedByOtherBody));
        }
        command.check_rationale()?;
        Ok(vec![PracticeEvent::Decided(PracticeDecided {
            practice: command.practice,
            version: self.version,
            body: command.body,
            meeting_date: command.meeting_date,
            section: command.section,
            motion: command.motion.clone(),
            decision: command.decision.clone(),
            resolution: command.resolution,
            rationale: command.rationale.clone(),
        })])
    }

    fn anchor(&self, command: &AnchorPractice, references: &References) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        if self.status != PracticeStatus::Passed {
            return Err(DomainError::not_allowed(StateRule::AnchorWithoutPassing { version: self.version }));
        }
        let owner_is_ours = self
            .municipality
            .is_some_and(|home| references.unit(command.owner_unit).is_some_and(|unit| unit.belongs_to(home)));
        if !owner_is_ours {
            return Err(DomainError::unknown_reference("owner_unit", Expected::UnitOfPracticeMunicipality));
        }
        let target_ref = match &command.target_ref {
            Some(reference) => Some(kirjuri_events::domain::required_text("target_ref", reference)?),
            None => None,
        };
        Ok(vec![PracticeEvent::Anchored(PracticeAnchored {
            practice: command.practice,
            version: self.version,
            into: command.into,
            target: command.target.clone(),
            target_ref,
            owner_unit: command.owner_unit,
            effective_from: command.effective_from,
        })])
    }

    fn report_progress(&self, command: &ReportProgress) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        if self.passed_version.is_none() {
            return Err(DomainError::not_allowed(StateRule::ProgressWithoutPassing));
        }
        if command.percent < self.progress {
            return Err(DomainError::not_allowed(StateRule::ProgressBackwards {
                percent: command.percent.get(),
                reported: self.progress.get(),
            }));
        }
        Ok(vec![PracticeEvent::ImplementationProgressed(ImplementationProgressed {
            practice: command.practice,
            percent: command.percent,
            note: command.note.clone(),
        })])
    }

    fn revise(&self, command: &RevisePractice) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        if matches!(self.status, PracticeStatus::Submitted | PracticeStatus::Tabled) {
            return Err(DomainError::not_allowed(StateRule::ReviseWhileAwaiting { version: self.version }));
        }
        Ok(vec![PracticeEvent::Revised(PracticeRevised {
            practice: command.practice,
            new_version: self.version + 1,
            what_changed: command.what_changed.clone(),
            reason: command.reason.clone(),
        })])
    }

    fn supersede(
        &self,
        command: &SupersedePractice,
        references: &References,
    ) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        if command.by == command.practice {
            return Err(DomainError::invalid("by", InputRule::SupersedesItself));
        }
        let Some(replacement) = references.practice(command.by).filter(|p| p.exists) else {
            return Err(DomainError::unknown_reference("by", Expected::Existing { kind: RecordKind::Practice }));
        };
        if replacement.status == PracticeStatus::Retired {
            return Err(DomainError::not_allowed(StateRule::RetiredReplacement));
        }
        if replacement.municipality != self.municipality {
            return Err(DomainError::invalid("by", InputRule::PracticeOfOtherMunicipality));
        }
        // Follow the chain of practices superseding the replacement: it must never come back here.
        let mut visited = HashSet::from([command.by]);
        let mut next = replacement.superseded_by;
        while let Some(at) = next {
            if at == command.practice {
                return Err(DomainError::not_allowed(StateRule::SupersessionCycle { by: command.by }));
            }
            if !visited.insert(at) {
                break;
            }
            next = references.practice(at).and_then(|p| p.superseded_by);
        }
        Ok(vec![PracticeEvent::Superseded(PracticeSuperseded { practice: command.practice, by: command.by })])
    }

    fn retire(&self, command: &RetirePractice) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_exists()?;
        if self.status == PracticeStatus::Retired {
            return Err(DomainError::not_allowed(StateRule::PracticeRetired));
        }
        Ok(vec![PracticeEvent::Retired(PracticeRetired { practice: command.practice, reason: command.reason.clone() })])
    }

    fn share(&self, command: &SharePractice, references: &References) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_active()?;
        if self.passed_version.is_none() {
            return Err(DomainError::not_allowed(StateRule::ShareWithoutPassing));
        }
        if command.partners.is_empty() {
            return Err(DomainError::invalid("partners", InputRule::NoPartners));
        }
        let mut partners = Vec::new();
        for (index, partner) in command.partners.iter().enumerate() {
            if Some(*partner) == self.municipality {
                return Err(DomainError::invalid(format!("partners[{index}]"), InputRule::SharedWithOwnMunicipality));
            }
            if !references.municipality(*partner).is_some_and(|m| m.is_registered()) {
                return Err(DomainError::unknown_reference(
                    format!("partners[{index}]"),
                    Expected::RegisteredMunicipality,
                ));
            }
            if !self.shared_with.contains(partner) && !partners.contains(partner) {
                partners.push(*partner);
            }
        }
        if partners.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![PracticeEvent::Shared(PracticeShared { practice: command.practice, version: self.version, partners })])
    }

    fn report_adoption(&self, command: &ReportAdoption) -> Result<Vec<PracticeEvent>, DomainError> {
        self.require_exists()?;
        if self.status == PracticeStatus::Retired {
            return Err(DomainError::not_allowed(StateRule::PracticeRetired));
        }
        if !self.shared_with.contains(&command.partner) {
            return Err(DomainError::not_allowed(StateRule::NotSharedWith { partner: command.partner }));
        }
        Ok(vec![PracticeEvent::AdoptionReported(AdoptionReported {
            practice: command.practice,
            partner: command.partner,
            status: command.status,
            note: command.note.clone(),
        })])
    }
}

impl Aggregate for PracticeState {
    type Event = PracticeEvent;
    type Command = PracticeCommand;

    fn stream(command: &Self::Command) -> StreamName {
        command.practice().stream()
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            PracticeCommand::Draft(c) => std::iter::once(Reference::Municipality(c.municipality))
                .chain(c.evidence.iter().map(evidence_reference))
                .collect(),
            PracticeCommand::Submit(c) => vec![Reference::Body(c.body)],
            PracticeCommand::Decide(c) => vec![Reference::Body(c.body)],
            PracticeCommand::Anchor(c) => vec![Reference::Unit(c.owner_unit)],
            PracticeCommand::Supersede(c) => vec![Reference::Practice(c.by)],
            PracticeCommand::Share(c) => c.partners.iter().copied().map(Reference::Municipality).collect(),
            PracticeCommand::ReportProgress(_)
            | PracticeCommand::Revise(_)
            | PracticeCommand::Retire(_)
            | PracticeCommand::ReportAdoption(_) => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        PracticeEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            PracticeEvent::Drafted(e) => {
                self.exists = true;
                self.id = Some(e.practice);
                self.municipality = Some(e.municipality);
                self.title = Some(e.title.clone());
                self.version = 1;
                self.status = PracticeStatus::Draft;
                self.evidence = e.evidence.clone();
            }
            PracticeEvent::Submitted(e) => {
                self.status = PracticeStatus::Submitted;
                self.submitted_to = Some(e.body);
                self.case_number = Some(e.case_number.clone());
            }
            PracticeEvent::Decided(e) => {
                self.decisions.push(DecisionRecord {
                    version: e.version,
                    body: e.body,
                    meeting_date: e.meeting_date,
                    section: e.section,
                    resolution: e.resolution,
                });
                self.status = match e.resolution {
                    Resolution::Passed | Resolution::PassedAsAmended | Resolution::PassedAfterVote => {
                        self.passed_version = Some(e.version);
                        PracticeStatus::Passed
                    }
                    Resolution::Rejected => PracticeStatus::Rejected,
                    Resolution::Returned => PracticeStatus::Returned,
                    Resolution::Tabled => PracticeStatus::Tabled,
                    Resolution::Noted => PracticeStatus::Noted,
                };
            }
            PracticeEvent::Anchored(e) => self.anchors.push(AnchorRecord {
                version: e.version,
                into: e.into,
                owner_unit: e.owner_unit,
                effective_from: e.effective_from,
            }),
            PracticeEvent::ImplementationProgressed(e) => self.progress = self.progress.max(e.percent),
            PracticeEvent::Revised(e) => {
                self.version = e.new_version;
                self.status = PracticeStatus::Draft;
                self.submitted_to = None;
                self.case_number = None;
            }
            PracticeEvent::Superseded(e) => {
                self.superseded_by = Some(e.by);
                self.status = PracticeStatus::Superseded;
            }
            PracticeEvent::Retired(_) => self.status = PracticeStatus::Retired,
            PracticeEvent::Shared(e) => self.shared_with.extend(e.partners.iter().copied()),
            PracticeEvent::AdoptionReported(e) => {
                self.adoptions.insert(e.partner, e.status);
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        if self.exists && self.id.is_some_and(|id| id != command.practice()) {
            return Err(DomainError::invalid("practice", InputRule::OtherPractice));
        }
        match command {
            PracticeCommand::Draft(c) => self.draft(c, references),
            PracticeCommand::Submit(c) => self.submit(c, references),
            PracticeCommand::Decide(c) => self.decide_on(c, references),
            PracticeCommand::Anchor(c) => self.anchor(c, references),
            PracticeCommand::ReportProgress(c) => self.report_progress(c),
            PracticeCommand::Revise(c) => self.revise(c),
            PracticeCommand::Supersede(c) => self.supersede(c, references),
            PracticeCommand::Retire(c) => self.retire(c),
            PracticeCommand::Share(c) => self.share(c, references),
            PracticeCommand::ReportAdoption(c) => self.report_adoption(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::practice::Criterion;
    use kirjuri_events::domain::{CampaignId, ExperimentId, LessonId};
    use uuid::Uuid;

    use super::*;
    use crate::Referenced;
    use crate::experiment::{CriterionOutcome, ExperimentState, ExperimentStatus};
    use kirjuri_events::domain::FrameworkId;
    use kirjuri_events::domain::assessment::CampaignOpened;
    use kirjuri_events::domain::organisation::{
        BodyKind, BodyRegistered, MunicipalityCode, MunicipalityRegistered, Sector, UnitEstablished,
    };

    use crate::assessment::CampaignState;
    use crate::lesson::{LessonState, LessonStatus};
    use crate::organisation::{BodyState, MunicipalityState, UnitState};
    use crate::testing::given;
    use kirjuri_events::domain::experiment::Verdict;

    const PRACTICE: PracticeId = PracticeId(Uuid::from_u128(0x10));
    const OTHER: PracticeId = PracticeId(Uuid::from_u128(0x11));
    const THIRD: PracticeId = PracticeId(Uuid::from_u128(0x12));
    const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(0x20));
    const SIILINJARVI: MunicipalityId = MunicipalityId(Uuid::from_u128(0x21));
    const LEPPAVIRTA: MunicipalityId = MunicipalityId(Uuid::from_u128(0x22));
    const BOARD: BodyId = BodyId(Uuid::from_u128(0x30));
    const COMMITTEE: BodyId = BodyId(Uuid::from_u128(0x31));
    const UNIT: UnitId = UnitId(Uuid::from_u128(0x40));
    const SIILINJARVI_UNIT: UnitId = UnitId(Uuid::from_u128(0x41));
    const SIILINJARVI_BOARD: BodyId = BodyId(Uuid::from_u128(0x32));
    const EXPERIMENT: ExperimentId = ExperimentId(Uuid::from_u128(0x50));
    const LESSON: LessonId = LessonId(Uuid::from_u128(0x51));
    const CAMPAIGN: CampaignId = CampaignId(Uuid::from_u128(0x52));

    fn fi(text: &str) -> LocalizedText {
        LocalizedText::fi(text).expect("valid Finnish text")
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("valid date")
    }

    fn municipality(id: MunicipalityId, code: &str, name: &str) -> Referenced {
        Referenced::Municipality(MunicipalityState {
            registration: Some(MunicipalityRegistered {
                municipality: id,
                code: MunicipalityCode::parse(code).expect("valid code"),
                name: fi(name),
            }),
            ..MunicipalityState::default()
        })
    }

    fn body(id: BodyId, of: MunicipalityId, name: &str) -> Referenced {
        Referenced::Body(BodyState {
            registration: Some(BodyRegistered {
                body: id,
                municipality: of,
                name: fi(name),
                kind: BodyKind::Committee,
                parent: None,
                founded: date("2021-08-01"),
            }),
            ..BodyState::default()
        })
    }

    fn unit(id: UnitId, of: MunicipalityId) -> Referenced {
        Referenced::Unit(UnitState {
            establishment: Some(UnitEstablished {
                unit: id,
                municipality: of,
                name: fi("Rakennusvalvonta"),
                parent: None,
                sector: Sector::CentralAdministration,
            }),
            ..UnitState::default()
        })
    }

    fn world() -> References {
        let lesson = LessonState { status: LessonStatus::Identified, ..LessonState::default() };
        let mut campaign = CampaignState::default();
        campaign.opened = Some(CampaignOpened {
            campaign: CAMPAIGN,
            municipality: KUOPIO,
            framework: FrameworkId(Uuid::from_u128(0x60)),
            units: vec![UNIT],
            title: fi("Digitaitokartoitus 2024"),
            opens: date("2024-09-01"),
            closes: date("2024-09-30"),
            min_group_size: 5,
        });
        References::none()
            .with(KUOPIO.0, municipality(KUOPIO, "297", "Kuopio"))
            .with(SIILINJARVI.0, municipality(SIILINJARVI, "749", "Siilinjärvi"))
            .with(LEPPAVIRTA.0, municipality(LEPPAVIRTA, "420", "Leppävirta"))
            .with(BOARD.0, body(BOARD, KUOPIO, "Kaupunginhallitus"))
            .with(COMMITTEE.0, body(COMMITTEE, KUOPIO, "Ympäristö- ja rakennuslautakunta"))
            .with(SIILINJARVI_BOARD.0, body(SIILINJARVI_BOARD, SIILINJARVI, "Siilinjärven kunnanhallitus"))
            .with(UNIT.0, unit(UNIT, KUOPIO))
            .with(SIILINJARVI_UNIT.0, unit(SIILINJARVI_UNIT, SIILINJARVI))
            .with(EXPERIMENT.0, Referenced::Experiment(experiment_assessed_on(&[Criterion::Productivity])))
            .with(LESSON.0, Referenced::Lesson(lesson))
            .with(CAMPAIGN.0, Referenced::Campaign(campaign))
    }

    /// An experiment whose outcome has been assessed on `criteria` (and on no other).
    fn experiment_assessed_on(criteria: &[Criterion]) -> ExperimentState {
        let outcome =
            CriterionOutcome { verdict: Verdict::Improved, evidence: Vec::new(), assessed: date("2025-01-31") };
        ExperimentState {
            id: Some(EXPERIMENT),
            municipality: Some(KUOPIO),
            status: ExperimentStatus::Proposed,
            outcomes: criteria.iter().map(|c| (*c, outcome.clone())).collect(),
            ..ExperimentState::default()
        }
    }

    fn drafted_of(practice: PracticeId) -> PracticeEvent {
        PracticeEvent::Drafted(PracticeDrafted {
            practice,
            municipality: KUOPIO,
            title: fi("Rakennusvalvonnan etäkatselmukset"),
            context: fi("Tarkastajien aika kuluu ajamiseen kohteiden välillä."),
            options_considered: vec![fi("Palkataan lisää tarkastajia."), fi("Katselmoidaan videoyhteydellä.")],
            chosen_option: fi("Katselmoidaan videoyhteydellä."),
            consequences: Consequences { positive: vec![fi("Jonot lyhenevät.")], negative: vec![] },
            evidence: vec![EvidenceLink::Experiment { experiment: EXPERIMENT }],
            tags: vec![Tag::parse("rakennusvalvonta").expect("valid tag")],
        })
    }

    fn drafted() -> PracticeEvent {
        drafted_of(PRACTICE)
    }

    fn draft_command(evidence: Vec<EvidenceLink>) -> PracticeCommand {
        let PracticeEvent::Drafted(event) = drafted() else { unreachable!() };
        PracticeCommand::Draft(DraftPractice {
            practice: event.practice,
            municipality: event.municipality,
            title: event.title,
            context: event.context,
            options_considered: event.options_considered,
            chosen_option: event.chosen_option,
            consequences: event.consequences,
            evidence,
            tags: event.tags,
        })
    }

    fn submitted_to(body: BodyId, version: u32) -> PracticeEvent {
        PracticeEvent::Submitted(PracticeSubmitted {
            practice: PRACTICE,
            version,
            body,
            case_number: CaseNumber::parse("KUO/1234/10.03.00/2025").expect("valid case number"),
        })
    }

    fn submit(body: BodyId) -> PracticeCommand {
        PracticeCommand::Submit(SubmitPractice {
            practice: PRACTICE,
            body,
            case_number: CaseNumber::parse("KUO/1234/10.03.00/2025").expect("valid case number"),
        })
    }

    fn decision(body: BodyId, resolution: Resolution, rationale: Option<&str>) -> DecidePractice {
        DecidePractice {
            practice: PRACTICE,
            body,
            meeting_date: date("2025-03-18"),
            section: SectionNumber::parse(47).expect("valid section"),
            motion: fi("Lautakunta päättää ottaa etäkatselmukset pysyväksi toimintatavaksi."),
            decision: fi("Lautakunta hyväksyi esityksen."),
            resolution,
            rationale: rationale.map(fi),
        }
    }

    fn decide(body: BodyId, resolution: Resolution, rationale: Option<&str>) -> PracticeCommand {
        PracticeCommand::Decide(decision(body, resolution, rationale))
    }

    fn decided(body: BodyId, resolution: Resolution, version: u32) -> PracticeEvent {
        let rationale = resolution.needs_rationale().then_some("Valmistelu on kesken.");
        let command = decision(body, resolution, rationale);
        PracticeEvent::Decided(PracticeDecided {
            practice: PRACTICE,
            version,
            body,
            meeting_date: command.meeting_date,
            section: command.section,
            motion: command.motion,
            decision: command.decision,
            resolution,
            rationale: command.rationale,
        })
    }

    fn revise() -> PracticeCommand {
        PracticeCommand::Revise(RevisePractice {
            practice: PRACTICE,
            what_changed: fi("Etäkatselmukset laajennetaan loma-asuntoihin."),
            reason: fi("Loma-asuntojen katselmuksiin kului eniten ajoaikaa."),
        })
    }

    fn revised(new_version: u32) -> PracticeEvent {
        let PracticeCommand::Revise(command) = revise() else { unreachable!() };
        PracticeEvent::Revised(PracticeRevised {
            practice: PRACTICE,
            new_version,
            what_changed: command.what_changed,
            reason: command.reason,
        })
    }

    fn anchor() -> PracticeCommand {
        PracticeCommand::Anchor(AnchorPractice {
            practice: PRACTICE,
            into: AnchorKind::Guideline,
            target: fi("Rakennusvalvonnan katselmusohje"),
            target_ref: None,
            owner_unit: UNIT,
            effective_from: date("2025-05-01"),
        })
    }

    fn progress(percent: u32) -> PracticeCommand {
        PracticeCommand::ReportProgress(ReportProgress {
            practice: PRACTICE,
            percent: Percent::parse(percent).expect("valid percent"),
            note: None,
        })
    }

    fn progressed(percent: u32) -> PracticeEvent {
        PracticeEvent::ImplementationProgressed(ImplementationProgressed {
            practice: PRACTICE,
            percent: Percent::parse(percent).expect("valid percent"),
            note: None,
        })
    }

    fn share(partners: &[MunicipalityId]) -> PracticeCommand {
        PracticeCommand::Share(SharePractice { practice: PRACTICE, partners: partners.to_vec() })
    }

    fn shared(partners: &[MunicipalityId]) -> PracticeEvent {
        PracticeEvent::Shared(PracticeShared { practice: PRACTICE, version: 1, partners: partners.to_vec() })
    }

    fn report_adoption(partner: MunicipalityId) -> PracticeCommand {
        PracticeCommand::ReportAdoption(ReportAdoption {
            practice: PRACTICE,
            partner,
            status: AdoptionStatus::Piloting,
            note: Some(fi("Pilotoidaan kahdessa tiimissä syksystä alkaen.")),
        })
    }

    fn supersede(by: PracticeId) -> PracticeCommand {
        PracticeCommand::Supersede(SupersedePractice { practice: PRACTICE, by })
    }

    fn superseded(practice: PracticeId, by: PracticeId) -> PracticeEvent {
        PracticeEvent::Superseded(PracticeSuperseded { practice, by })
    }

    fn retired() -> PracticeEvent {
        PracticeEvent::Retired(PracticeRetired { practice: PRACTICE, reason: fi("Toimintatapa on korvautunut.") })
    }

    fn passed_history() -> Vec<PracticeEvent> {
        vec![drafted(), submitted_to(BOARD, 1), decided(BOARD, Resolution::Passed, 1)]
    }

    fn practice_state(events: &[PracticeEvent]) -> PracticeState {
        PracticeState::replay(events.iter())
    }

    #[test]
    fn a_practice_is_drafted_with_evidence_that_exists() {
        let state = given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![EvidenceLink::Experiment { experiment: EXPERIMENT }]))
            .then([drafted()]);
        assert!(state.exists);
        assert_eq!(state.version, 1);
        assert_eq!(state.status, PracticeStatus::Draft);
    }

    #[test]
    fn evidence_pointing_to_a_missing_record_is_refused() {
        let error = given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![EvidenceLink::Assessment { campaign: CampaignId(Uuid::from_u128(0x5f)) }]))
            .then_refused_with(&["evidence[0].campaign", "existing assessment campaign"]);
        assert!(matches!(error, DomainError::UnknownReference { .. }));
    }

    #[test]
    fn evidence_naming_a_record_of_the_wrong_kind_is_refused() {
        // A lesson's id given as an experiment: the experiment does not exist.
        given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![EvidenceLink::Outcome {
                experiment: ExperimentId(LESSON.0),
                criterion: Criterion::Effectiveness,
            }]))
            .then_refused_with(&["evidence[0].experiment", "existing experiment"]);
        given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![EvidenceLink::Lesson { lesson: LessonId(EXPERIMENT.0) }]))
            .then_refused_with(&["evidence[0].lesson"]);
    }

    #[test]
    fn an_outcome_link_needs_an_assessed_outcome_for_its_criterion() {
        let productivity = EvidenceLink::Outcome { experiment: EXPERIMENT, criterion: Criterion::Productivity };
        given::<PracticeState>([]).with_references(world()).when(draft_command(vec![productivity])).accepted();
        given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![EvidenceLink::Outcome {
                experiment: EXPERIMENT,
                criterion: Criterion::WellbeingAtWork,
            }]))
            .then_refused_with(&["evidence[0].criterion", "no assessed outcome", "wellbeing_at_work"]);
    }

    #[test]
    fn an_experiment_that_was_never_proposed_is_no_evidence() {
        let references = world().with(EXPERIMENT.0, Referenced::Experiment(ExperimentState::default()));
        given::<PracticeState>([])
            .with_references(references)
            .when(draft_command(vec![EvidenceLink::Experiment { experiment: EXPERIMENT }]))
            .then_refused_with(&["evidence[0].experiment", "existing experiment"]);
    }

    #[test]
    fn a_lesson_or_campaign_that_was_never_recorded_is_no_evidence() {
        let references = world()
            .with(LESSON.0, Referenced::Lesson(LessonState::default()))
            .with(CAMPAIGN.0, Referenced::Campaign(CampaignState::default()));
        given::<PracticeState>([])
            .with_references(references.clone())
            .when(draft_command(vec![EvidenceLink::Lesson { lesson: LESSON }]))
            .then_refused_with(&["evidence[0].lesson"]);
        given::<PracticeState>([])
            .with_references(references)
            .when(draft_command(vec![EvidenceLink::Assessment { campaign: CAMPAIGN }]))
            .then_refused_with(&["evidence[0].campaign"]);
        given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![
                EvidenceLink::Lesson { lesson: LESSON },
                EvidenceLink::Assessment { campaign: CAMPAIGN },
            ]))
            .accepted();
    }

    #[test]
    fn evidence_listed_twice_is_refused() {
        let link = EvidenceLink::Lesson { lesson: LESSON };
        given::<PracticeState>([])
            .with_references(world())
            .when(draft_command(vec![link, link]))
            .then_refused_with(&["evidence[1]", "twice"]);
    }

    #[test]
    fn a_practice_of_an_unregistered_municipality_is_refused() {
        given::<PracticeState>([]).when(draft_command(vec![])).then_refused_with(&["municipality", "registered"]);
    }

    #[test]
    fn a_practice_cannot_be_drafted_twice() {
        given::<PracticeState>([drafted()])
            .with_references(world())
            .when(draft_command(vec![]))
            .then_refused_with(&["already"]);
    }

    #[test]
    fn a_draft_is_submitted_to_a_registered_body() {
        let state = given::<PracticeState>([drafted()])
            .with_references(world())
            .when(submit(BOARD))
            .then([submitted_to(BOARD, 1)]);
        assert_eq!(state.submitted_to, Some(BOARD));
        given::<PracticeState>([drafted()]).when(submit(BOARD)).then_refused_with(&["body", "registered"]);
    }

    #[test]
    fn a_practice_must_be_submitted_before_it_is_decided() {
        given::<PracticeState>([drafted()])
            .with_references(world())
            .when(decide(BOARD, Resolution::Passed, None))
            .then_refused_with(&["submitted", "before it is decided"]);
    }

    #[test]
    fn a_decision_by_a_registered_body_it_was_submitted_to_is_recorded() {
        let state = given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .with_references(world())
            .when(decide(BOARD, Resolution::PassedAfterVote, None))
            .then([decided(BOARD, Resolution::PassedAfterVote, 1)]);
        assert_eq!(state.status, PracticeStatus::Passed);
        assert_eq!(state.passed_version, Some(1));
        assert_eq!(state.decisions.len(), 1);
    }

    #[test]
    fn a_decision_by_an_unregistered_body_is_refused() {
        let error = given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .when(decide(BOARD, Resolution::Passed, None))
            .then_refused_with(&["body", "registered decision-making body"]);
        assert!(matches!(error, DomainError::UnknownReference { .. }));
    }

    #[test]
    fn a_body_of_another_municipality_neither_receives_nor_decides_the_practice() {
        given::<PracticeState>([drafted()])
            .with_references(world())
            .when(submit(SIILINJARVI_BOARD))
            .then_refused_with(&["body", "own municipality"]);
        given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .with_references(world())
            .when(decide(SIILINJARVI_BOARD, Resolution::Passed, None))
            .then_refused_with(&["body", "own municipality"]);
    }

    #[test]
    fn a_decision_by_a_body_that_was_never_registered_is_refused() {
        let references = world().with(BOARD.0, Referenced::Body(BodyState::default()));
        given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .with_references(references)
            .when(decide(BOARD, Resolution::Passed, None))
            .then_refused_with(&["body", "registered"]);
    }

    #[test]
    fn a_decision_by_another_body_than_the_one_submitted_to_is_refused() {
        given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .with_references(world())
            .when(decide(COMMITTEE, Resolution::Passed, None))
            .then_refused_with(&["submitted to"]);
    }

    #[test]
    fn rejection_and_return_without_a_rationale_are_refused() {
        for resolution in [Resolution::Rejected, Resolution::Returned] {
            let error = given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
                .with_references(world())
                .when(decide(BOARD, resolution, None))
                .then_refused_with(&["rationale", resolution.code()]);
            assert!(matches!(error, DomainError::Invalid { .. }));
        }
        given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .with_references(world())
            .when(decide(BOARD, Resolution::Rejected, Some("Valmistelu on kesken.")))
            .then([decided(BOARD, Resolution::Rejected, 1)]);
    }

    #[test]
    fn a_decision_without_a_body_section_or_resolution_does_not_parse() {
        let complete = DecisionInput {
            body: Some(BOARD),
            meeting_date: Some(date("2025-03-18")),
            section: Some(47),
            motion_fi: "Esitetään hyväksyttäväksi.".into(),
            decision_fi: "Hyväksyttiin.".into(),
            resolution: Some("passed".into()),
            rationale_fi: None,
        };
        assert_eq!(DecidePractice::parse(PRACTICE, complete.clone()), Ok(decision_from(&complete)));
        let cases = [
            ("body", DecisionInput { body: None, ..complete.clone() }),
            ("section", DecisionInput { section: None, ..complete.clone() }),
            ("section", DecisionInput { section: Some(0), ..complete.clone() }),
            ("resolution", DecisionInput { resolution: None, ..complete.clone() }),
            ("resolution", DecisionInput { resolution: Some("accepted".into()), ..complete.clone() }),
            ("rationale", DecisionInput { resolution: Some("returned".into()), ..complete.clone() }),
            (
                "rationale",
                DecisionInput {
                    resolution: Some("rejected".into()),
                    rationale_fi: Some("  ".into()),
                    ..complete.clone()
                },
            ),
            ("motion.fi", DecisionInput { motion_fi: " ".into(), ..complete.clone() }),
        ];
        for (field, input) in cases {
            match DecidePractice::parse(PRACTICE, input) {
                Err(DomainError::Invalid { field: refused, .. }) => assert_eq!(refused, field),
                other => panic!("expected `{field}` to be refused, got {other:?}"),
            }
        }
    }

    fn decision_from(input: &DecisionInput) -> DecidePractice {
        DecidePractice {
            practice: PRACTICE,
            body: BOARD,
            meeting_date: date("2025-03-18"),
            section: SectionNumber::parse(47).expect("valid"),
            motion: fi(&input.motion_fi),
            decision: fi(&input.decision_fi),
            resolution: Resolution::Passed,
            rationale: None,
        }
    }

    #[test]
    fn a_decided_practice_cannot_be_decided_again_without_a_revision() {
        for resolution in [Resolution::Passed, Resolution::PassedAsAmended, Resolution::Rejected, Resolution::Noted] {
            let history = [drafted(), submitted_to(BOARD, 1), decided(BOARD, resolution, 1)];
            given::<PracticeState>(history.clone())
                .with_references(world())
                .when(decide(BOARD, Resolution::Passed, None))
                .then_refused_with(&["already been decided", "revision"]);
            given::<PracticeState>(history)
                .with_references(world())
                .when(submit(BOARD))
                .then_refused_with(&["already been decided", "revise"]);
        }
    }

    #[test]
    fn a_returned_or_tabled_practice_stays_open_for_decision() {
        for resolution in [Resolution::Returned, Resolution::Tabled] {
            given::<PracticeState>([drafted(), submitted_to(BOARD, 1), decided(BOARD, resolution, 1)])
                .with_references(world())
                .when(decide(BOARD, Resolution::Passed, None))
                .then([decided(BOARD, Resolution::Passed, 1)]);
        }
    }

    #[test]
    fn a_revision_reopens_the_practice_for_a_new_submission_and_decision() {
        let mut history = passed_history();
        let state = given::<PracticeState>(history.clone()).when(revise()).then([revised(2)]);
        assert_eq!((state.version, state.status), (2, PracticeStatus::Draft));
        history.push(revised(2));
        given::<PracticeState>(history.clone())
            .with_references(world())
            .when(decide(BOARD, Resolution::Passed, None))
            .then_refused_with(&["version 2", "submitted"]);
        history.push(submitted_to(COMMITTEE, 2));
        let events = given::<PracticeState>(history)
            .with_references(world())
            .when(decide(COMMITTEE, Resolution::Noted, None))
            .accepted();
        assert!(matches!(&events[..], [PracticeEvent::Decided(d)] if d.version == 2));
    }

    #[test]
    fn a_practice_awaiting_a_decision_cannot_be_revised() {
        given::<PracticeState>([drafted(), submitted_to(BOARD, 1)]).when(revise()).then_refused_with(&["awaiting"]);
    }

    #[test]
    fn anchoring_needs_a_passing_decision_on_the_current_version() {
        given::<PracticeState>(passed_history()).with_references(world()).when(anchor()).accepted();
        for resolution in [Resolution::Rejected, Resolution::Returned, Resolution::Tabled, Resolution::Noted] {
            given::<PracticeState>([drafted(), submitted_to(BOARD, 1), decided(BOARD, resolution, 1)])
                .with_references(world())
                .when(anchor())
                .then_refused_with(&["passing decision"]);
        }
        let mut revised_history = passed_history();
        revised_history.push(revised(2));
        given::<PracticeState>(revised_history)
            .with_references(world())
            .when(anchor())
            .then_refused_with(&["current version (2)"]);
    }

    #[test]
    fn anchoring_with_an_unknown_or_foreign_owner_unit_is_refused() {
        given::<PracticeState>(passed_history()).when(anchor()).then_refused_with(&["owner_unit"]);
        let PracticeCommand::Anchor(command) = anchor() else { unreachable!() };
        given::<PracticeState>(passed_history())
            .with_references(world())
            .when(PracticeCommand::Anchor(AnchorPractice { owner_unit: SIILINJARVI_UNIT, ..command }))
            .then_refused_with(&["owner_unit", "practice's municipality"]);
    }

    #[test]
    fn progress_stays_within_bounds_and_never_goes_backwards() {
        let mut history = passed_history();
        history.push(progressed(40));
        let state = given::<PracticeState>(history.clone()).when(progress(60)).then([progressed(60)]);
        assert_eq!(state.progress.get(), 60);
        given::<PracticeState>(history.clone()).when(progress(40)).then([progressed(40)]);
        given::<PracticeState>(history).when(progress(30)).then_refused_with(&["backwards", "30", "40"]);
        assert_eq!(Percent::parse(101).expect_err("over 100").field, "percent");
    }

    #[test]
    fn progress_before_any_passing_decision_is_refused() {
        given::<PracticeState>([drafted(), submitted_to(BOARD, 1)])
            .when(progress(10))
            .then_refused_with(&["passing decision"]);
    }

    #[test]
    fn a_practice_is_superseded_by_an_existing_practice_of_its_municipality() {
        let replacement = practice_state(&[drafted_of(OTHER)]);
        let references = References::none().with(OTHER.0, Referenced::Practice(replacement));
        let state = given::<PracticeState>(passed_history())
            .with_references(references)
            .when(supersede(OTHER))
            .then([superseded(PRACTICE, OTHER)]);
        assert_eq!(state.superseded_by, Some(OTHER));
        assert_eq!(state.status, PracticeStatus::Superseded);
    }

    #[test]
    fn supersession_by_a_missing_practice_or_by_itself_is_refused() {
        given::<PracticeState>(passed_history()).when(supersede(OTHER)).then_refused_with(&["by", "existing practice"]);
        given::<PracticeState>(passed_history()).when(supersede(PRACTICE)).then_refused_with(&["by", "itself"]);
    }

    #[test]
    fn supersession_that_would_form_a_cycle_is_refused() {
        // OTHER is superseded by THIRD, which is superseded by this practice.
        let other = practice_state(&[drafted_of(OTHER), superseded(OTHER, THIRD)]);
        let third = practice_state(&[drafted_of(THIRD), superseded(THIRD, PRACTICE)]);
        let references = References::none()
            .with(OTHER.0, Referenced::Practice(other.clone()))
            .with(THIRD.0, Referenced::Practice(third));
        given::<PracticeState>(passed_history())
            .with_references(references)
            .when(supersede(OTHER))
            .then_refused_with(&["cycle"]);
        // Directly: OTHER is superseded by this practice.
        let direct = practice_state(&[drafted_of(OTHER), superseded(OTHER, PRACTICE)]);
        given::<PracticeState>(passed_history())
            .with_references(References::none().with(OTHER.0, Referenced::Practice(direct)))
            .when(supersede(OTHER))
            .then_refused_with(&["cycle"]);
        // A chain that ends elsewhere is fine.
        let third_free = practice_state(&[drafted_of(THIRD)]);
        given::<PracticeState>(passed_history())
            .with_references(
                References::none()
                    .with(OTHER.0, Referenced::Practice(other))
                    .with(THIRD.0, Referenced::Practice(third_free)),
            )
            .when(supersede(OTHER))
            .then([superseded(PRACTICE, OTHER)]);
    }

    #[test]
    fn a_superseded_practice_cannot_be_superseded_again_or_decided() {
        let mut history = passed_history();
        history.push(superseded(PRACTICE, OTHER));
        let replacement = practice_state(&[drafted_of(THIRD)]);
        given::<PracticeState>(history.clone())
            .with_references(References::none().with(THIRD.0, Referenced::Practice(replacement)))
            .when(supersede(THIRD))
            .then_refused_with(&["superseded by practice"]);
        given::<PracticeState>(history).with_references(world()).when(revise()).then_refused_with(&["superseded"]);
    }

    #[test]
    fn a_practice_is_shared_only_with_registered_partners_other_than_its_own_municipality() {
        let state = given::<PracticeState>(passed_history())
            .with_references(world())
            .when(share(&[SIILINJARVI, LEPPAVIRTA, SIILINJARVI]))
            .then([shared(&[SIILINJARVI, LEPPAVIRTA])]);
        assert_eq!(state.shared_with.len(), 2);
        given::<PracticeState>(passed_history())
            .with_references(world())
            .when(share(&[SIILINJARVI, KUOPIO]))
            .then_refused_with(&["partners[1]", "own municipality"]);
        let unknown = MunicipalityId(Uuid::from_u128(0x99));
        given::<PracticeState>(passed_history())
            .with_references(world())
            .when(share(&[unknown]))
            .then_refused_with(&["partners[0]", "registered municipality"]);
        given::<PracticeState>(passed_history())
            .with_references(world())
            .when(share(&[]))
            .then_refused_with(&["partners"]);
    }

    #[test]
    fn sharing_again_with_the_same_partner_records_nothing() {
        let mut history = passed_history();
        history.push(shared(&[SIILINJARVI]));
        given::<PracticeState>(history).with_references(world()).when(share(&[SIILINJARVI])).then([]);
    }

    #[test]
    fn a_practice_that_has_not_passed_is_not_shared() {
        given::<PracticeState>([drafted()])
            .with_references(world())
            .when(share(&[SIILINJARVI]))
            .then_refused_with(&["passed"]);
    }

    #[test]
    fn only_a_partner_the_practice_was_shared_with_can_report_adopting_it() {
        let mut history = passed_history();
        history.push(shared(&[SIILINJARVI]));
        let events = given::<PracticeState>(history.clone()).when(report_adoption(SIILINJARVI)).accepted();
        assert!(matches!(&events[..], [PracticeEvent::AdoptionReported(r)] if r.partner == SIILINJARVI));
        given::<PracticeState>(history).when(report_adoption(LEPPAVIRTA)).then_refused_with(&["was not shared"]);
    }

    #[test]
    fn nothing_follows_retirement() {
        let mut history = passed_history();
        history.push(shared(&[SIILINJARVI]));
        history.push(retired());
        for command in [
            revise(),
            anchor(),
            progress(50),
            share(&[LEPPAVIRTA]),
            report_adoption(SIILINJARVI),
            submit(BOARD),
            decide(BOARD, Resolution::Passed, None),
            PracticeCommand::Retire(RetirePractice { practice: PRACTICE, reason: fi("Uudelleen.") }),
        ] {
            given::<PracticeState>(history.clone())
                .with_references(world())
                .when(command)
                .then_refused_with(&["retired"]);
        }
    }

    #[test]
    fn commands_on_a_practice_never_drafted_are_refused() {
        given::<PracticeState>([]).with_references(world()).when(submit(BOARD)).then_refused_with(&["draft it first"]);
    }

    #[test]
    fn the_stream_and_references_follow_the_command() {
        let command = draft_command(vec![
            EvidenceLink::Outcome { experiment: EXPERIMENT, criterion: Criterion::Productivity },
            EvidenceLink::Lesson { lesson: LESSON },
            EvidenceLink::Assessment { campaign: CAMPAIGN },
        ]);
        assert_eq!(PracticeState::stream(&command), PRACTICE.stream());
        assert_eq!(
            PracticeState::references(&command),
            vec![
                Reference::Municipality(KUOPIO),
                Reference::Experiment(EXPERIMENT),
                Reference::Lesson(LESSON),
                Reference::Campaign(CAMPAIGN),
            ]
        );
        assert_eq!(PracticeState::references(&supersede(OTHER)), vec![Reference::Practice(OTHER)]);
        assert_eq!(PracticeState::references(&decide(BOARD, Resolution::Noted, None)), vec![Reference::Body(BOARD)]);
    }

    #[test]
    fn events_round_trip_through_the_store_encoding() {
        for event in passed_history() {
            let new = PracticeState::encode(&event, EventId::random(), EventMetadata::default()).expect("encodes");
            let decoded =
                PracticeEvent::decode(new.event_type.as_str(), new.schema_version, new.data.as_str()).expect("decodes");
            assert_eq!(decoded, event);
        }
    }
}

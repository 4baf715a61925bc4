//! Records a command refers to, loaded by the caller before deciding.

use std::collections::HashMap;

use kirjuri_events::domain::{
    BodyId, CampaignId, CommunicationId, EngagementId, ExperimentId, FrameworkId, LessonId, MunicipalityId,
    ObservationId, PracticeId, UnitId,
};
use uuid::Uuid;

use crate::assessment::{CampaignState, FrameworkState};
use crate::coaching::{CommunicationState, EngagementState};
use crate::experiment::ExperimentState;
use crate::lesson::{LessonState, ObservationState};
use crate::organisation::{BodyState, MunicipalityState, UnitState};
use crate::practice::PracticeState;

/// A record a command refers to, by kind and id: which stream the caller must load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    /// A municipality.
    Municipality(MunicipalityId),
    /// A unit.
    Unit(UnitId),
    /// A decision-making body.
    Body(BodyId),
    /// A framework version.
    Framework(FrameworkId),
    /// A campaign.
    Campaign(CampaignId),
    /// A coaching engagement.
    Engagement(EngagementId),
    /// A communication.
    Communication(CommunicationId),
    /// An experiment.
    Experiment(ExperimentId),
    /// An observation.
    Observation(ObservationId),
    /// A lesson.
    Lesson(LessonId),
    /// A practice (the caller also loads the practices that supersede it, transitively).
    Practice(PracticeId),
}

/// The state of a referenced record, as loaded.
#[derive(Debug, Clone)]
pub enum Referenced {
    /// A municipality's state.
    Municipality(MunicipalityState),
    /// A unit's state.
    Unit(UnitState),
    /// A body's state.
    Body(BodyState),
    /// A framework's state.
    Framework(FrameworkState),
    /// A campaign's state.
    Campaign(CampaignState),
    /// An engagement's state.
    Engagement(EngagementState),
    /// A communication's state.
    Communication(CommunicationState),
    /// An experiment's state.
    Experiment(ExperimentState),
    /// An observation's state.
    Observation(ObservationState),
    /// A lesson's state.
    Lesson(LessonState),
    /// A practice's state.
    Practice(PracticeState),
}

/// The referenced records that exist. A reference missing here does not exist (its stream
/// is empty): `decide` refuses commands that need it.
#[derive(Debug, Clone, Default)]
pub struct References {
    records: HashMap<Uuid, Referenced>,
}

macro_rules! accessor {
    ($(#[$meta:meta])* $name:ident, $id:ty, $variant:ident, $state:ty) => {
        $(#[$meta])*
        pub fn $name(&self, id: $id) -> Option<&$state> {
            match self.records.get(&id.0) {
                Some(Referenced::$variant(state)) => Some(state),
                _ => None,
            }
        }
    };
}

impl References {
    /// No references.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a loaded record.
    pub fn insert(&mut self, id: Uuid, record: Referenced) -> &mut Self {
        self.records.insert(id, record);
        self
    }

    /// Adds a loaded record (builder form, for tests).
    pub fn with(mut self, id: Uuid, record: Referenced) -> Self {
        self.records.insert(id, record);
        self
    }

    accessor!(
        /// A municipality, if it exists.
        municipality, MunicipalityId, Municipality, MunicipalityState);
    accessor!(
        /// A unit, if it exists.
        unit, UnitId, Unit, UnitState);
    accessor!(
        /// A body, if it exists.
        body, BodyId, Body, BodyState);
    accessor!(
        /// A framework version, if it exists.
        framework, FrameworkId, Framework, FrameworkState);
    accessor!(
        /// A campaign, if it exists.
        campaign, CampaignId, Campaign, CampaignState);
    accessor!(
        /// An engagement, if it exists.
        engagement, EngagementId, Engagement, EngagementState);
    accessor!(
        /// A communication, if it exists.
        communication, CommunicationId, Communication, CommunicationState);
    accessor!(
        /// An experiment, if it exists.
        experiment, ExperimentId, Experiment, ExperimentState);
    accessor!(
        /// An observation, if it exists.
        observation, ObservationId, Observation, ObservationState);
    accessor!(
        /// A lesson, if it exists.
        lesson, LessonId, Lesson, LessonState);
    accessor!(
        /// A practice, if it exists.
        practice, PracticeId, Practice, PracticeState);
}

//! Cross-sector service experiments: proposed, approved by a body's decision, run against a
//! protocol of criteria (effectiveness, wellbeing at work, productivity) with baselines and
//! measurements, assessed per criterion, concluded.

use serde::{Deserialize, Serialize};

use super::{ExperimentId, LocalizedText, MunicipalityId, UnitId};
use crate::event_family;

/// An experiment was proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentProposed {
    /// The experiment.
    pub experiment: ExperimentId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// The problem it addresses.
    pub problem: LocalizedText,
    /// What it expects to show.
    pub hypothesis: LocalizedText,
    /// The units taking part (cross-sector: usually more than one).
    pub units: Vec<UnitId>,
}

event_family! {
    /// What happens in an `experiment` stream.
    pub enum ExperimentEvent {
        Proposed(ExperimentProposed) = ("ExperimentProposed", 1),
    }
}

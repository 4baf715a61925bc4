//! The situational picture: assessment frameworks as versioned data, campaigns, responses from
//! pseudonymous respondents, computed results and targets.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CampaignId, FrameworkId, LocalizedText, MunicipalityId, UnitId};
use crate::event_family;

/// A framework version was published as data (e.g. DigComp 2.2, the EU DMA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkPublished {
    /// The framework version.
    pub framework: FrameworkId,
    /// Its code, e.g. `digcomp`.
    pub code: String,
    /// Its version, e.g. `2.2`.
    pub version: String,
    /// Its title.
    pub title: LocalizedText,
}

/// An assessment campaign opened for answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignOpened {
    /// The campaign.
    pub campaign: CampaignId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// The framework version it asks about.
    pub framework: FrameworkId,
    /// The units it covers.
    pub units: Vec<UnitId>,
    /// Its title.
    pub title: LocalizedText,
    /// First day for answers.
    pub opens: NaiveDate,
    /// Last day for answers.
    pub closes: NaiveDate,
}

event_family! {
    /// What happens in a `framework` stream.
    pub enum FrameworkEvent {
        Published(FrameworkPublished) = ("FrameworkPublished", 1),
    }
}

event_family! {
    /// What happens in a `campaign` stream.
    pub enum CampaignEvent {
        Opened(CampaignOpened) = ("CampaignOpened", 1),
    }
}

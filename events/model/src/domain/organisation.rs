//! Organisation: municipalities (tenants) and their partner network, units, decision-making
//! bodies and memberships.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{BodyId, LocalizedText, MunicipalityId, UnitId};
use crate::event_family;

/// A municipality started keeping its programme record in kirjuri.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityRegistered {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// Statistics Finland municipality code, e.g. `297` for Kuopio.
    pub code: String,
    /// Its name.
    pub name: LocalizedText,
}

/// A unit of a municipality was set up in kirjuri.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitEstablished {
    /// The unit.
    pub unit: UnitId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// The unit it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<UnitId>,
}

/// The kinds of decision-making body a municipality has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// Kaupunginvaltuusto.
    Council,
    /// Kaupunginhallitus.
    CityBoard,
    /// Lautakunta.
    Committee,
    /// Johtoryhmä.
    ManagementTeam,
    /// Ohjausryhmä.
    SteeringGroup,
}

/// A decision-making body was registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyRegistered {
    /// The body.
    pub body: BodyId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// What kind of body it is.
    pub kind: BodyKind,
    /// Since when it decides.
    pub founded: NaiveDate,
}

event_family! {
    /// What happens in a `municipality` stream.
    pub enum MunicipalityEvent {
        Registered(MunicipalityRegistered) = ("MunicipalityRegistered", 1),
    }
}

event_family! {
    /// What happens in a `unit` stream.
    pub enum UnitEvent {
        Established(UnitEstablished) = ("UnitEstablished", 1),
    }
}

event_family! {
    /// What happens in a `body` stream.
    pub enum BodyEvent {
        Registered(BodyRegistered) = ("BodyRegistered", 1),
    }
}

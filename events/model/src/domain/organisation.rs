//! Organisation: municipalities (tenants) and their partner network, units with their targets,
//! decision-making bodies and memberships.
//!
//! Streams: `municipality-<id>` (registration; a partnership needs both sides' consent: the
//! host's invitation is recorded on the *host's* stream and the partner's joining on the
//! *partner's*, naming the host; withdrawing the invitation or leaving ends it), `unit-<id>` (establishment and the
//! situational picture's target levels per framework dimension), `body-<id>` (registration and
//! memberships).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use super::{BodyId, FrameworkId, LocalizedText, MunicipalityId, ShapeRule, UnitId, ValidationError, required_text};
use crate::event_family;

/// A Statistics Finland municipality code: three digits, e.g. `297` for Kuopio.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    /// Checks the code is exactly three ASCII digits.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let code = code.trim();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new("code", ShapeRule::MunicipalityCodeShape));
        }
        Ok(Self(code.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MunicipalityCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(crate::domain::refusal::refuse)
    }
}

/// A municipality started keeping its programme record in kirjuri.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MunicipalityRegistered {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// Statistics Finland municipality code.
    pub code: MunicipalityCode,
    /// Its name.
    pub name: LocalizedText,
}

/// A partner municipality joined a host municipality's network (recorded on the partner's stream).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerNetworkJoined {
    /// The partner that joined.
    pub municipality: MunicipalityId,
    /// The municipality whose network it joined.
    pub host: MunicipalityId,
    /// The day the partnership began.
    pub joined_on: NaiveDate,
    /// The agreement it rests on (case number or document reference), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
}

/// A host municipality invited another municipality into its partner network (recorded on the
/// host's stream): the host's consent, which the partner's joining needs and which stands until
/// it is withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerInvited {
    /// The host whose network it is.
    pub host: MunicipalityId,
    /// The municipality invited to join.
    pub partner: MunicipalityId,
    /// The day of the invitation.
    pub invited_on: NaiveDate,
    /// The agreement it rests on (case number or document reference), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
}

/// A host withdrew its invitation (recorded on the host's stream): the partner can no longer
/// join, and if it had joined, its partnership ends on that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerInvitationWithdrawn {
    /// The host whose network it is.
    pub host: MunicipalityId,
    /// The municipality whose invitation was withdrawn.
    pub partner: MunicipalityId,
    /// The day it was withdrawn.
    pub withdrawn_on: NaiveDate,
    /// Why, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<LocalizedText>,
}

/// A partner municipality left a host municipality's network (recorded on the partner's stream).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerNetworkLeft {
    /// The partner that left.
    pub municipality: MunicipalityId,
    /// The municipality whose network it left.
    pub host: MunicipalityId,
    /// The last day of the partnership.
    pub left_on: NaiveDate,
    /// Why, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<LocalizedText>,
}

/// The service sector a unit works in (the city's service areas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// Konsernihallinto: central administration, finance, HR, ICT.
    CentralAdministration,
    /// Kasvun ja oppimisen palvelut: early childhood education, schools, upper secondary.
    EducationAndLearning,
    /// Hyvinvoinnin edistäminen: culture, libraries, sports, youth work.
    WellbeingPromotion,
    /// Kaupunkiympäristö: planning, building, streets, environment.
    UrbanEnvironment,
    /// Sosiaali- ja terveyspalvelut (with the wellbeing services county).
    SocialAndHealth,
    /// Työllisyys- ja elinkeinopalvelut: employment and business services.
    EmploymentAndBusiness,
    /// Konserniyhtiöt: companies owned by the city.
    CityCompanies,
}

/// A unit of a municipality was set up in kirjuri.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The sector it works in.
    pub sector: Sector,
}

/// A target level was set for a unit on one dimension of a framework (digitiekartta "tavoitetaso").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitTargetSet {
    /// The unit.
    pub unit: UnitId,
    /// The framework version the target is measured with.
    pub framework: FrameworkId,
    /// The dimension's code in that framework, e.g. `4` (DigComp safety) or `M2.2`.
    pub dimension: String,
    /// The target, on the framework's answer scale (e.g. DigComp level 5, DMA 4 of 0–5).
    pub target: f64,
    /// The day it should be reached by.
    pub due: NaiveDate,
    /// The day it was set.
    pub set_on: NaiveDate,
    /// The body that set it, if a body's decision did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_by: Option<BodyId>,
    /// Why this target, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<LocalizedText>,
}

/// The kinds of decision-making body a municipality has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BodyRegistered {
    /// The body.
    pub body: BodyId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// What kind of body it is.
    pub kind: BodyKind,
    /// The body it reports to, if any (e.g. a committee's city board).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<BodyId>,
    /// Since when it decides.
    pub founded: NaiveDate,
}

/// One seat in a body, from its start to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct MembershipId(pub Uuid);

impl MembershipId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }
}

impl fmt::Display for MembershipId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The longest member name kirjuri accepts, in characters.
pub const MAX_MEMBER_NAME_CHARS: usize = 200;

/// The name a member of a body is shown by. Members of municipal bodies act in public office,
/// so this is their name as published in the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct MemberName(String);

impl MemberName {
    /// Checks the name is non-empty, single-line and at most [`MAX_MEMBER_NAME_CHARS`] long.
    pub fn parse(name: &str) -> Result<Self, ValidationError> {
        let name = required_text("member", name)?;
        if name.contains(['\n', '\t']) {
            return Err(ValidationError::new("member", ShapeRule::MultipleLines));
        }
        if name.chars().count() > MAX_MEMBER_NAME_CHARS {
            return Err(ValidationError::new("member", ShapeRule::TooLong { max: MAX_MEMBER_NAME_CHARS }));
        }
        Ok(Self(name))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MemberName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MemberName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(crate::domain::refusal::refuse)
    }
}

/// A member's role in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Puheenjohtaja.
    Chair,
    /// Varapuheenjohtaja.
    ViceChair,
    /// Jäsen.
    Member,
    /// Varajäsen.
    Deputy,
    /// Sihteeri.
    Secretary,
}

/// Someone took a seat in a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipStarted {
    /// The body.
    pub body: BodyId,
    /// The seat.
    pub membership: MembershipId,
    /// Who sits in it.
    pub member: MemberName,
    /// In which role.
    pub role: MemberRole,
    /// The group they represent (council group, party or organisation), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// The first day of the term.
    pub started_on: NaiveDate,
}

/// Someone left a seat in a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipEnded {
    /// The body.
    pub body: BodyId,
    /// The seat.
    pub membership: MembershipId,
    /// The last day of the term.
    pub ended_on: NaiveDate,
}

event_family! {
    /// What happens in a `municipality` stream.
    pub enum MunicipalityEvent {
        Registered(MunicipalityRegistered) = ("MunicipalityRegistered", 1),
        PartnerNetworkJoined(PartnerNetworkJoined) = ("PartnerNetworkJoined", 1),
        PartnerNetworkLeft(PartnerNetworkLeft) = ("PartnerNetworkLeft", 1),
        PartnerInvited(PartnerInvited) = ("PartnerInvited", 1),
        PartnerInvitationWithdrawn(PartnerInvitationWithdrawn) = ("PartnerInvitationWithdrawn", 1),
    }
}

event_family! {
    /// What happens in a `unit` stream.
    pub enum UnitEvent {
        Established(UnitEstablished) = ("UnitEstablished", 1),
        TargetSet(UnitTargetSet) = ("UnitTargetSet", 1),
    }
}

event_family! {
    /// What happens in a `body` stream.
    pub enum BodyEvent {
        Registered(BodyRegistered) = ("BodyRegistered", 1),
        MembershipStarted(MembershipStarted) = ("MembershipStarted", 1),
        MembershipEnded(MembershipEnded) = ("MembershipEnded", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_municipality_code_is_three_digits() {
        assert_eq!(MunicipalityCode::parse(" 297 ").expect("Kuopio").as_str(), "297");
        for bad in ["", "29", "2970", "K97"] {
            let error = MunicipalityCode::parse(bad).expect_err(bad);
            assert_eq!(error.field, "code");
            assert_eq!(error.rule, ShapeRule::MunicipalityCodeShape, "{error}");
        }
        assert!(serde_json::from_str::<MunicipalityCode>("\"abc\"").is_err());
    }

    #[test]
    fn a_member_name_is_one_non_empty_line() {
        assert_eq!(MemberName::parse(" Aino Räsänen ").expect("valid").as_str(), "Aino Räsänen");
        assert!(MemberName::parse("  ").is_err());
        assert!(MemberName::parse("Aino\nRäsänen").is_err());
        assert!(MemberName::parse(&"a".repeat(MAX_MEMBER_NAME_CHARS + 1)).is_err());
    }
}

//! Municipalities (tenants) and their partner network, units with their target levels, and
//! decision-making bodies with their memberships.
//!
//! Rules kept here:
//! - a municipality, unit or body is registered once; everything else on its stream needs it;
//! - a partnership needs both sides: the host invites a *registered* municipality (never
//!   itself, once while the invitation stands), and only an invited municipality joins the
//!   host's network, once at a time, not before the invitation's day, and never the network of
//!   a municipality that is itself its partner; the partner leaves only a network it is in, and
//!   the host withdraws only an invitation that stands — which also ends a partnership built
//!   on it;
//! - a unit's parent is an established unit of the same municipality; a body's parent is a
//!   registered body of the same municipality;
//! - a unit's target names a dimension of a published framework, lies on its scale and is due
//!   no earlier than it is set;
//! - a membership starts once, not before the body was founded, ends once and not before it
//!   started; a body has at most one sitting chair.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kirjuri_events::domain::organisation::{
    BodyEvent, BodyKind, BodyRegistered, MemberName, MemberRole, MembershipEnded, MembershipId, MembershipStarted,
    MunicipalityCode, MunicipalityEvent, MunicipalityRegistered, PartnerInvitationWithdrawn, PartnerInvited,
    PartnerNetworkJoined, PartnerNetworkLeft, Sector, UnitEstablished, UnitEvent, UnitTargetSet,
};
use kirjuri_events::domain::{BodyId, DecodeError, FrameworkId, LocalizedText, MunicipalityId, UnitId, required_text};
use kirjuri_events::{EventId, EventMetadata, NewEvent, PayloadError, RecordedEvent, StreamName};

use crate::{Aggregate, DomainError, Expected, InputRule, Milestone, Reference, References, StateRule};

/// Multilingual text as typed at the edge, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextInput {
    /// Finnish (required).
    pub fi: String,
    /// Swedish.
    #[serde(default)]
    pub sv: Option<String>,
    /// English.
    #[serde(default)]
    pub en: Option<String>,
}

/// Declares the raw input a command is deserialised from: the command's fields as they arrive,
/// unknown fields refused, turned into the command only through its `parse` constructor (so a
/// body obeys the same rules as any other caller). Its OpenAPI schema carries the command's name.
macro_rules! command_input {
    (
        $(#[$meta:meta])*
        $input:ident => $command:ident { $($(#[$field_meta:meta])* $field:ident : $type:ty),* $(,)? }
        |$raw:ident| $parse:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = $command))]
        pub struct $input {
            $($(#[$field_meta])* pub $field: $type,)*
        }

        impl TryFrom<$input> for $command {
            type Error = $crate::DomainError;

            fn try_from($raw: $input) -> Result<Self, Self::Error> {
                $parse
            }
        }

        // As `#[serde(try_from = …)]` would, keeping the typed refusal for the caller.
        kirjuri_events::deserialize_through_try_from!($command, $input);
    };
}
pub(crate) use command_input;

impl TextInput {
    /// Finnish text only.
    pub fn fi(text: &str) -> Self {
        Self { fi: text.to_owned(), sv: None, en: None }
    }

    /// Checks the text as field `field` (errors name e.g. `name.fi`).
    pub fn parse(&self, field: &str) -> Result<LocalizedText, DomainError> {
        LocalizedText::parse(&self.fi, self.sv.as_deref(), self.en.as_deref())
            .map_err(|error| DomainError::from(error.within(field)))
    }
}

/// Checks optional multilingual text as field `field`.
pub(crate) fn optional_text(field: &str, text: Option<&TextInput>) -> Result<Option<LocalizedText>, DomainError> {
    text.map(|t| t.parse(field)).transpose()
}

/// Refuses `later` if it comes before `earlier`, naming both fields.
pub(crate) fn not_before(
    later_field: &str,
    later: NaiveDate,
    earlier_what: Milestone,
    earlier: NaiveDate,
) -> Result<(), DomainError> {
    if later < earlier {
        return Err(DomainError::invalid(later_field, InputRule::NotBefore { what: earlier_what, date: earlier }));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Municipality

/// A municipality's state: its registration, the host networks it is a partner in, and the
/// invitations into its own network that stand.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityState {
    /// Its registration, once registered.
    pub registration: Option<MunicipalityRegistered>,
    /// The hosts whose network it is in now, with the day it joined each.
    pub networks: BTreeMap<MunicipalityId, NaiveDate>,
    /// The municipalities it has invited into its network (its consent, until withdrawn), with
    /// the day of each invitation.
    pub invitations: BTreeMap<MunicipalityId, NaiveDate>,
}

impl MunicipalityState {
    /// Whether the municipality is registered.
    pub fn is_registered(&self) -> bool {
        self.registration.is_some()
    }

    /// Whether it is now a partner in `host`'s network.
    pub fn is_partner_of(&self, host: MunicipalityId) -> bool {
        self.networks.contains_key(&host)
    }

    /// The day it invited `partner` into its network, if that invitation stands.
    pub fn invited(&self, partner: MunicipalityId) -> Option<NaiveDate> {
        self.invitations.get(&partner).copied()
    }

    /// Its Finnish name, for refusals (none while it is not registered).
    fn display_name(&self) -> Option<String> {
        self.registration.as_ref().map(|r| r.name.fi.clone())
    }
}

/// Register a municipality as a tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterMunicipality {
    /// The municipality.
    pub municipality: MunicipalityId,
    /// Its Statistics Finland code.
    pub code: MunicipalityCode,
    /// Its name.
    pub name: LocalizedText,
}

command_input! {
    /// [`RegisterMunicipality`] as it arrives.
    RegisterMunicipalityInput => RegisterMunicipality {
        /// The municipality.
        municipality: MunicipalityId,
        /// Its Statistics Finland code (three digits).
        code: String,
        /// Its name.
        name: TextInput,
    }
    |raw| RegisterMunicipality::parse(raw.municipality, &raw.code, &raw.name)
}

impl RegisterMunicipality {
    /// Parses the command from raw input.
    pub fn parse(municipality: MunicipalityId, code: &str, name: &TextInput) -> Result<Self, DomainError> {
        Ok(Self { municipality, code: MunicipalityCode::parse(code)?, name: name.parse("name")? })
    }
}

/// Make a municipality a partner in a host municipality's network.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinPartnerNetwork {
    /// The partner.
    pub municipality: MunicipalityId,
    /// The host.
    pub host: MunicipalityId,
    /// The first day of the partnership.
    pub joined_on: NaiveDate,
    /// The agreement it rests on, if any.
    pub agreement: Option<String>,
}

command_input! {
    /// [`JoinPartnerNetwork`] as it arrives.
    JoinPartnerNetworkInput => JoinPartnerNetwork {
        /// The partner.
        municipality: MunicipalityId,
        /// The host (another municipality).
        host: MunicipalityId,
        /// The first day of the partnership.
        joined_on: NaiveDate,
        /// The agreement it rests on, if any.
        #[serde(default)]
        agreement: Option<String>,
    }
    |raw| JoinPartnerNetwork::parse(raw.municipality, raw.host, raw.joined_on, raw.agreement.as_deref())
}

impl JoinPartnerNetwork {
    /// Parses the command from raw input.
    pub fn parse(
        municipality: MunicipalityId,
        host: MunicipalityId,
        joined_on: NaiveDate,
        agreement: Option<&str>,
    ) -> Result<Self, DomainError> {
        if municipality == host {
            return Err(DomainError::invalid("host", InputRule::HostIsPartner));
        }
        let agreement = agreement.map(|a| required_text("agreement", a)).transpose()?;
        Ok(Self { municipality, host, joined_on, agreement })
    }
}

/// Invite a municipality into the host's partner network (the host's consent to its joining).
#[derive(Debug, Clone, PartialEq)]
pub struct InvitePartner {
    /// The host.
    pub host: MunicipalityId,
    /// The municipality invited.
    pub partner: MunicipalityId,
    /// The day of the invitation.
    pub invited_on: NaiveDate,
    /// The agreement it rests on, if any.
    pub agreement: Option<String>,
}

command_input! {
    /// [`InvitePartner`] as it arrives.
    InvitePartnerInput => InvitePartner {
        /// The host (the caller's municipality).
        host: MunicipalityId,
        /// The municipality invited (another registered municipality).
        partner: MunicipalityId,
        /// The day of the invitation.
        invited_on: NaiveDate,
        /// The agreement it rests on, if any.
        #[serde(default)]
        agreement: Option<String>,
    }
    |raw| InvitePartner::parse(raw.host, raw.partner, raw.invited_on, raw.agreement.as_deref())
}

impl InvitePartner {
    /// Parses the command from raw input.
    pub fn parse(
        host: MunicipalityId,
        partner: MunicipalityId,
        invited_on: NaiveDate,
        agreement: Option<&str>,
    ) -> Result<Self, DomainError> {
        if host == partner {
            return Err(DomainError::invalid("partner", InputRule::PartnerIsHost));
        }
        let agreement = agreement.map(|a| required_text("agreement", a)).transpose()?;
        Ok(Self { host, partner, invited_on, agreement })
    }
}

/// Withdraw the host's invitation: the partner can no longer join, and a partnership built on
/// it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawPartnerInvitation {
    /// The host.
    pub host: MunicipalityId,
    /// The municipality whose invitation is withdrawn.
    pub partner: MunicipalityId,
    /// The day it is withdrawn.
    pub withdrawn_on: NaiveDate,
    /// Why, if said.
    pub reason: Option<LocalizedText>,
}

command_input! {
    /// [`WithdrawPartnerInvitation`] as it arrives.
    WithdrawPartnerInvitationInput => WithdrawPartnerInvitation {
        /// The host (the caller's municipality).
        host: MunicipalityId,
        /// The municipality whose invitation is withdrawn.
        partner: MunicipalityId,
        /// The day it is withdrawn.
        withdrawn_on: NaiveDate,
        /// Why, if said.
        #[serde(default)]
        reason: Option<TextInput>,
    }
    |raw| WithdrawPartnerInvitation::parse(raw.host, raw.partner, raw.withdrawn_on, raw.reason.as_ref())
}

impl WithdrawPartnerInvitation {
    /// Parses the command from raw input.
    pub fn parse(
        host: MunicipalityId,
        partner: MunicipalityId,
        withdrawn_on: NaiveDate,
        reason: Option<&TextInput>,
    ) -> Result<Self, DomainError> {
        Ok(Self { host, partner, withdrawn_on, reason: optional_text("reason", reason)? })
    }
}

/// End a municipality's partnership in a host's network.
#[derive(Debug, Clone, PartialEq)]
pub struct LeavePartnerNetwork {
    /// The partner.
    pub municipality: MunicipalityId,
    /// The host.
    pub host: MunicipalityId,
    /// The last day of the partnership.
    pub left_on: NaiveDate,
    /// Why, if said.
    pub reason: Option<LocalizedText>,
}

command_input! {
    /// [`LeavePartnerNetwork`] as it arrives.
    LeavePartnerNetworkInput => LeavePartnerNetwork {
        /// The partner.
        municipality: MunicipalityId,
        /// The host.
        host: MunicipalityId,
        /// The last day of the partnership.
        left_on: NaiveDate,
        /// Why, if said.
        #[serde(default)]
        reason: Option<TextInput>,
    }
    |raw| LeavePartnerNetwork::parse(raw.municipality, raw.host, raw.left_on, raw.reason.as_ref())
}

impl LeavePartnerNetwork {
    /// Parses the command from raw input.
    pub fn parse(
        municipality: MunicipalityId,
        host: MunicipalityId,
        left_on: NaiveDate,
        reason: Option<&TextInput>,
    ) -> Result<Self, DomainError> {
        Ok(Self { municipality, host, left_on, reason: optional_text("reason", reason)? })
    }
}

/// What a municipality can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum MunicipalityCommand {
    /// Register it.
    Register(RegisterMunicipality),
    /// Join a host's network as a partner.
    JoinPartnerNetwork(JoinPartnerNetwork),
    /// Leave a host's network.
    LeavePartnerNetwork(LeavePartnerNetwork),
    /// Invite a municipality into this host's network.
    InvitePartner(InvitePartner),
    /// Withdraw an invitation into this host's network.
    WithdrawPartnerInvitation(WithdrawPartnerInvitation),
}

impl Aggregate for MunicipalityState {
    type Event = MunicipalityEvent;
    type Command = MunicipalityCommand;

    fn stream(command: &Self::Command) -> StreamName {
        match command {
            MunicipalityCommand::Register(c) => c.municipality.stream(),
            MunicipalityCommand::JoinPartnerNetwork(c) => c.municipality.stream(),
            MunicipalityCommand::LeavePartnerNetwork(c) => c.municipality.stream(),
            MunicipalityCommand::InvitePartner(c) => c.host.stream(),
            MunicipalityCommand::WithdrawPartnerInvitation(c) => c.host.stream(),
        }
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            MunicipalityCommand::JoinPartnerNetwork(c) => vec![Reference::Municipality(c.host)],
            MunicipalityCommand::InvitePartner(c) => vec![Reference::Municipality(c.partner)],
            MunicipalityCommand::Register(_)
            | MunicipalityCommand::LeavePartnerNetwork(_)
            | MunicipalityCommand::WithdrawPartnerInvitation(_) => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        MunicipalityEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            MunicipalityEvent::Registered(e) => self.registration = Some(e.clone()),
            MunicipalityEvent::PartnerNetworkJoined(e) => {
                self.networks.insert(e.host, e.joined_on);
            }
            MunicipalityEvent::PartnerNetworkLeft(e) => {
                self.networks.remove(&e.host);
            }
            MunicipalityEvent::PartnerInvited(e) => {
                self.invitations.insert(e.partner, e.invited_on);
            }
            MunicipalityEvent::PartnerInvitationWithdrawn(e) => {
                self.invitations.remove(&e.partner);
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            MunicipalityCommand::Register(c) => {
                if let Some(existing) = &self.registration {
                    return Err(DomainError::not_allowed(StateRule::MunicipalityAlreadyRegistered {
                        name: existing.name.fi.clone(),
                        code: existing.code.clone(),
                    }));
                }
                Ok(vec![MunicipalityEvent::Registered(MunicipalityRegistered {
                    municipality: c.municipality,
                    code: c.code.clone(),
                    name: c.name.clone(),
                })])
            }
            MunicipalityCommand::JoinPartnerNetwork(c) => {
                if !self.is_registered() {
                    return Err(DomainError::not_allowed(StateRule::JoinBeforeRegistration));
                }
                if c.host == c.municipality {
                    return Err(DomainError::invalid("host", InputRule::HostIsPartner));
                }
                let host = references
                    .municipality(c.host)
                    .filter(|h| h.is_registered())
                    .ok_or_else(|| DomainError::unknown_reference("host", Expected::RegisteredMunicipality))?;
                let Some(invited_on) = host.invited(c.municipality) else {
                    return Err(DomainError::not_allowed(StateRule::NotInvited {
                        host: host.display_name(),
                        partner: self.display_name(),
                    }));
                };
                not_before("joined_on", c.joined_on, Milestone::HostInvitation, invited_on)?;
                if self.is_partner_of(c.host) {
                    return Err(DomainError::not_allowed(StateRule::AlreadyPartner {
                        partner: self.display_name(),
                        host: host.display_name(),
                    }));
                }
                if host.is_partner_of(c.municipality) {
                    return Err(DomainError::not_allowed(StateRule::MutualHosting {
                        host: host.display_name(),
                        partner: self.display_name(),
                    }));
                }
                Ok(vec![MunicipalityEvent::PartnerNetworkJoined(PartnerNetworkJoined {
                    municipality: c.municipality,
                    host: c.host,
                    joined_on: c.joined_on,
                    agreement: c.agreement.clone(),
                })])
            }
            MunicipalityCommand::LeavePartnerNetwork(c) => {
                let Some(joined_on) = self.networks.get(&c.host) else {
                    return Err(DomainError::not_allowed(StateRule::NotAPartner { municipality: self.display_name() }));
                };
                not_before("left_on", c.left_on, Milestone::Joined, *joined_on)?;
                Ok(vec![MunicipalityEvent::PartnerNetworkLeft(PartnerNetworkLeft {
                    municipality: c.municipality,
                    host: c.host,
                    left_on: c.left_on,
                    reason: c.reason.clone(),
                })])
            }
            MunicipalityCommand::InvitePartner(c) => {
                if !self.is_registered() {
                    return Err(DomainError::not_allowed(StateRule::InviteBeforeRegistration));
                }
                let partner = references
                    .municipality(c.partner)
                    .filter(|p| p.is_registered())
                    .ok_or_else(|| DomainError::unknown_reference("partner", Expected::RegisteredMunicipality))?;
                if self.invited(c.partner).is_some() {
                    return Err(DomainError::not_allowed(StateRule::AlreadyInvited {
                        host: self.display_name(),
                        partner: partner.display_name(),
                    }));
                }
                Ok(vec![MunicipalityEvent::PartnerInvited(PartnerInvited {
                    host: c.host,
                    partner: c.partner,
                    invited_on: c.invited_on,
                    agreement: c.agreement.clone(),
                })])
            }
            MunicipalityCommand::WithdrawPartnerInvitation(c) => {
                let Some(invited_on) = self.invited(c.partner) else {
                    return Err(DomainError::not_allowed(StateRule::NoInvitation { host: self.display_name() }));
                };
                not_before("withdrawn_on", c.withdrawn_on, Milestone::Invitation, invited_on)?;
                Ok(vec![MunicipalityEvent::PartnerInvitationWithdrawn(PartnerInvitationWithdrawn {
                    host: c.host,
                    partner: c.partner,
                    withdrawn_on: c.withdrawn_on,
                    reason: c.reason.clone(),
                })])
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Unit

/// A target a unit has on one framework dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitTarget {
    /// The target level, on the framework's scale.
    pub target: f64,
    /// When it should be reached.
    pub due: NaiveDate,
    /// When it was set.
    pub set_on: NaiveDate,
}

/// A unit's state: its establishment and its current targets.
#[derive(Debug, Clone, Default)]
pub struct UnitState {
    /// Its establishment, once established.
    pub establishment: Option<UnitEstablished>,
    /// The current target per framework and dimension code (a later target replaces an earlier one).
    pub targets: BTreeMap<(FrameworkId, String), UnitTarget>,
}

impl UnitState {
    /// Whether the unit is established.
    pub fn is_established(&self) -> bool {
        self.establishment.is_some()
    }

    /// The municipality it belongs to, once established.
    pub fn municipality(&self) -> Option<MunicipalityId> {
        self.establishment.as_ref().map(|e| e.municipality)
    }

    /// Whether it is an established unit of `municipality`.
    pub fn belongs_to(&self, municipality: MunicipalityId) -> bool {
        self.municipality() == Some(municipality)
    }
}

/// Establish a unit in a municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct EstablishUnit {
    /// The unit.
    pub unit: UnitId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// The unit it belongs to, if any.
    pub parent: Option<UnitId>,
    /// Its sector.
    pub sector: Sector,
}

command_input! {
    /// [`EstablishUnit`] as it arrives.
    EstablishUnitInput => EstablishUnit {
        /// The unit.
        unit: UnitId,
        /// Its municipality.
        municipality: MunicipalityId,
        /// Its name.
        name: TextInput,
        /// The unit it belongs to, if any (not itself).
        #[serde(default)]
        parent: Option<UnitId>,
        /// Its sector.
        sector: Sector,
    }
    |raw| EstablishUnit::parse(raw.unit, raw.municipality, &raw.name, raw.parent, raw.sector)
}

impl EstablishUnit {
    /// Parses the command from raw input.
    pub fn parse(
        unit: UnitId,
        municipality: MunicipalityId,
        name: &TextInput,
        parent: Option<UnitId>,
        sector: Sector,
    ) -> Result<Self, DomainError> {
        if parent == Some(unit) {
            return Err(DomainError::invalid("parent", InputRule::OwnParentUnit));
        }
        Ok(Self { unit, municipality, name: name.parse("name")?, parent, sector })
    }
}

/// Set a unit's target level on one framework dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct SetUnitTarget {
    /// The unit.
    pub unit: UnitId,
    /// The framework version.
    pub framework: FrameworkId,
    /// The dimension's code.
    pub dimension: String,
    /// The target level on the framework's scale.
    pub target: f64,
    /// When it should be reached.
    pub due: NaiveDate,
    /// When it is set.
    pub set_on: NaiveDate,
    /// The body that set it, if one did.
    pub set_by: Option<BodyId>,
    /// Why, if said.
    pub rationale: Option<LocalizedText>,
}

command_input! {
    /// [`SetUnitTarget`] as it arrives.
    SetUnitTargetInput => SetUnitTarget {
        /// The unit.
        unit: UnitId,
        /// The framework version.
        framework: FrameworkId,
        /// The dimension's code.
        dimension: String,
        /// The target level on the framework's scale.
        target: f64,
        /// When it should be reached (not before `set_on`).
        due: NaiveDate,
        /// When it is set.
        set_on: NaiveDate,
        /// The body that set it, if one did.
        #[serde(default)]
        set_by: Option<BodyId>,
        /// Why, if said.
        #[serde(default)]
        rationale: Option<TextInput>,
    }
    |raw| SetUnitTarget::parse(
        raw.unit,
        raw.framework,
        &raw.dimension,
        raw.target,
        raw.due,
        raw.set_on,
        raw.set_by,
        raw.rationale.as_ref(),
    )
}

impl SetUnitTarget {
    /// Parses the command from raw input (the framework's own rules are checked in `decide`).
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        unit: UnitId,
        framework: FrameworkId,
        dimension: &str,
        target: f64,
        due: NaiveDate,
        set_on: NaiveDate,
        set_by: Option<BodyId>,
        rationale: Option<&TextInput>,
    ) -> Result<Self, DomainError> {
        let dimension = required_text("dimension", dimension)?;
        if !target.is_finite() {
            return Err(DomainError::invalid("target", InputRule::NotANumber));
        }
        not_before("due", due, Milestone::TargetSet, set_on)?;
        Ok(Self {
            unit,
            framework,
            dimension,
            target,
            due,
            set_on,
            set_by,
            rationale: optional_text("rationale", rationale)?,
        })
    }
}

/// What a unit can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitCommand {
    /// Establish it.
    Establish(EstablishUnit),
    /// Set a target level for it.
    SetTarget(SetUnitTarget),
}

impl Aggregate for UnitState {
    type Event = UnitEvent;
    type Command = UnitCommand;

    fn stream(command: &Self::Command) -> StreamName {
        match command {
            UnitCommand::Establish(c) => c.unit.stream(),
            UnitCommand::SetTarget(c) => c.unit.stream(),
        }
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            UnitCommand::Establish(c) => {
                let mut references = vec![Reference::Municipality(c.municipality)];
                references.extend(c.parent.map(Reference::Unit));
                references
            }
            UnitCommand::SetTarget(c) => {
                let mut references = vec![Reference::Framework(c.framework)];
                references.extend(c.set_by.map(Reference::Body));
                references
            }
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        UnitEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            UnitEvent::Established(e) => self.establishment = Some(e.clone()),
            UnitEvent::TargetSet(e) => {
                self.targets.insert(
                    (e.framework, e.dimension.clone()),
                    UnitTarget { target: e.target, due: e.due, set_on: e.set_on },
                );
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            UnitCommand::Establish(c) => {
                if let Some(existing) = &self.establishment {
                    return Err(DomainError::not_allowed(StateRule::UnitAlreadyEstablished {
                        name: existing.name.fi.clone(),
                    }));
                }
                if !references.municipality(c.municipality).is_some_and(MunicipalityState::is_registered) {
                    return Err(DomainError::unknown_reference("municipality", Expected::RegisteredMunicipality));
                }
                if let Some(parent) = c.parent {
                    if parent == c.unit {
                        return Err(DomainError::invalid("parent", InputRule::OwnParentUnit));
                    }
                    let parent_state = references
                        .unit(parent)
                        .filter(|u| u.is_established())
                        .ok_or_else(|| DomainError::unknown_reference("parent", Expected::EstablishedUnit))?;
                    if !parent_state.belongs_to(c.municipality) {
                        return Err(DomainError::unknown_reference("parent", Expected::UnitOfSameMunicipality));
                    }
                }
                Ok(vec![UnitEvent::Established(UnitEstablished {
                    unit: c.unit,
                    municipality: c.municipality,
                    name: c.name.clone(),
                    parent: c.parent,
                    sector: c.sector,
                })])
            }
            UnitCommand::SetTarget(c) => {
                let Some(establishment) = &self.establishment else {
                    return Err(DomainError::not_allowed(StateRule::TargetBeforeEstablishment));
                };
                let definition = references
                    .framework(c.framework)
                    .and_then(|f| f.published.as_ref())
                    .map(|p| &p.definition)
                    .ok_or_else(|| DomainError::unknown_reference("framework", Expected::PublishedFramework))?;
                if definition.dimension(&c.dimension).is_none() {
                    return Err(DomainError::invalid(
                        "dimension",
                        InputRule::UnknownDimension {
                            dimension: c.dimension.clone(),
                            framework: definition.label(),
                            known: definition.dimensions.iter().map(|d| d.code.clone()).collect(),
                        },
                    ));
                }
                if !definition.scale.contains(c.target) {
                    return Err(DomainError::invalid(
                        "target",
                        InputRule::OffFrameworkScale {
                            framework: definition.label(),
                            min: definition.scale.min,
                            max: definition.scale.max,
                            got: c.target.into(),
                        },
                    ));
                }
                not_before("due", c.due, Milestone::TargetSet, c.set_on)?;
                if let Some(body) = c.set_by {
                    let body_state = references
                        .body(body)
                        .filter(|b| b.is_registered())
                        .ok_or_else(|| DomainError::unknown_reference("set_by", Expected::RegisteredBody))?;
                    if body_state.municipality() != Some(establishment.municipality) {
                        return Err(DomainError::unknown_reference("set_by", Expected::BodyOfUnitMunicipality));
                    }
                }
                Ok(vec![UnitEvent::TargetSet(UnitTargetSet {
                    unit: c.unit,
                    framework: c.framework,
                    dimension: c.dimension.clone(),
                    target: c.target,
                    due: c.due,
                    set_on: c.set_on,
                    set_by: c.set_by,
                    rationale: c.rationale.clone(),
                })])
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Body

/// One seat in a body, as the body's state holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// Who sits in it.
    pub member: MemberName,
    /// In which role.
    pub role: MemberRole,
    /// From when.
    pub started_on: NaiveDate,
    /// Until when, once ended.
    pub ended_on: Option<NaiveDate>,
}

/// A body's state: its registration and every membership it has had.
#[derive(Debug, Clone, Default)]
pub struct BodyState {
    /// Its registration, once registered.
    pub registration: Option<BodyRegistered>,
    /// Every membership, sitting or ended.
    pub memberships: BTreeMap<MembershipId, Membership>,
}

impl BodyState {
    /// Whether the body is registered.
    pub fn is_registered(&self) -> bool {
        self.registration.is_some()
    }

    /// Its municipality, once registered.
    pub fn municipality(&self) -> Option<MunicipalityId> {
        self.registration.as_ref().map(|r| r.municipality)
    }

    /// Its kind, once registered.
    pub fn kind(&self) -> Option<BodyKind> {
        self.registration.as_ref().map(|r| r.kind)
    }

    /// The memberships that have not ended.
    pub fn sitting_members(&self) -> impl Iterator<Item = (&MembershipId, &Membership)> {
        self.memberships.iter().filter(|(_, m)| m.ended_on.is_none())
    }
}

/// Register a decision-making body.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterBody {
    /// The body.
    pub body: BodyId,
    /// Its municipality.
    pub municipality: MunicipalityId,
    /// Its name.
    pub name: LocalizedText,
    /// Its kind.
    pub kind: BodyKind,
    /// The body it reports to, if any.
    pub parent: Option<BodyId>,
    /// Since when it decides.
    pub founded: NaiveDate,
}

command_input! {
    /// [`RegisterBody`] as it arrives.
    RegisterBodyInput => RegisterBody {
        /// The body.
        body: BodyId,
        /// Its municipality.
        municipality: MunicipalityId,
        /// Its name.
        name: TextInput,
        /// Its kind.
        kind: BodyKind,
        /// The body it reports to, if any (not itself).
        #[serde(default)]
        parent: Option<BodyId>,
        /// Since when it decides.
        founded: NaiveDate,
    }
    |raw| RegisterBody::parse(raw.body, raw.municipality, &raw.name, raw.kind, raw.parent, raw.founded)
}

impl RegisterBody {
    /// Parses the command from raw input.
    pub fn parse(
        body: BodyId,
        municipality: MunicipalityId,
        name: &TextInput,
        kind: BodyKind,
        parent: Option<BodyId>,
        founded: NaiveDate,
    ) -> Result<Self, DomainError> {
        if parent == Some(body) {
            return Err(DomainError::invalid("parent", InputRule::OwnParentBody));
        }
        Ok(Self { body, municipality, name: name.parse("name")?, kind, parent, founded })
    }
}

/// Seat someone in a body.
#[derive(Debug, Clone, PartialEq)]
pub struct StartMembership {
    /// The body.
    pub body: BodyId,
    /// The new seat.
    pub membership: MembershipId,
    /// Who.
    pub member: MemberName,
    /// In which role.
    pub role: MemberRole,
    /// The group they represent, if any.
    pub on_behalf_of: Option<String>,
    /// The first day.
    pub started_on: NaiveDate,
}

command_input! {
    /// [`StartMembership`] as it arrives.
    StartMembershipInput => StartMembership {
        /// The body.
        body: BodyId,
        /// The new seat.
        membership: MembershipId,
        /// Who.
        member: String,
        /// In which role.
        role: MemberRole,
        /// The group they represent, if any.
        #[serde(default)]
        on_behalf_of: Option<String>,
        /// The first day.
        started_on: NaiveDate,
    }
    |raw| StartMembership::parse(
        raw.body,
        raw.membership,
        &raw.member,
        raw.role,
        raw.on_behalf_of.as_deref(),
        raw.started_on,
    )
}

impl StartMembership {
    /// Parses the command from raw input.
    pub fn parse(
        body: BodyId,
        membership: MembershipId,
        member: &str,
        role: MemberRole,
        on_behalf_of: Option<&str>,
        started_on: NaiveDate,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            body,
            membership,
            member: MemberName::parse(member)?,
            role,
            on_behalf_of: on_behalf_of.map(|o| required_text("on_behalf_of", o)).transpose()?,
            started_on,
        })
    }
}

/// End someone's seat in a body.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndMembership {
    /// The body.
    pub body: BodyId,
    /// The seat.
    pub membership: MembershipId,
    /// The last day.
    pub ended_on: NaiveDate,
}

/// What a body can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyCommand {
    /// Register it.
    Register(RegisterBody),
    /// Seat a member.
    StartMembership(StartMembership),
    /// End a member's seat.
    EndMembership(EndMembership),
}

impl Aggregate for BodyState {
    type Event = BodyEvent;
    type Command = BodyCommand;

    fn stream(command: &Self::Command) -> StreamName {
        match command {
            BodyCommand::Register(c) => c.body.stream(),
            BodyCommand::StartMembership(c) => c.body.stream(),
            BodyCommand::EndMembership(c) => c.body.stream(),
        }
    }

    fn references(command: &Self::Command) -> Vec<Reference> {
        match command {
            BodyCommand::Register(c) => {
                let mut references = vec![Reference::Municipality(c.municipality)];
                references.extend(c.parent.map(Reference::Body));
                references
            }
            BodyCommand::StartMembership(_) | BodyCommand::EndMembership(_) => Vec::new(),
        }
    }

    fn decode(event: &RecordedEvent) -> Result<Self::Event, DecodeError> {
        BodyEvent::from_recorded(event)
    }

    fn encode(event: &Self::Event, id: EventId, metadata: EventMetadata) -> Result<NewEvent, PayloadError> {
        event.to_new_event(id, metadata)
    }

    fn evolve(&mut self, event: &Self::Event) {
        match event {
            BodyEvent::Registered(e) => self.registration = Some(e.clone()),
            BodyEvent::MembershipStarted(e) => {
                self.memberships.insert(
                    e.membership,
                    Membership { member: e.member.clone(), role: e.role, started_on: e.started_on, ended_on: None },
                );
            }
            BodyEvent::MembershipEnded(e) => {
                if let Some(membership) = self.memberships.get_mut(&e.membership) {
                    membership.ended_on = Some(e.ended_on);
                }
            }
        }
    }

    fn decide(&self, command: &Self::Command, references: &References) -> Result<Vec<Self::Event>, DomainError> {
        match command {
            BodyCommand::Register(c) => {
                if let Some(existing) = &self.registration {
                    return Err(DomainError::not_allowed(StateRule::BodyAlreadyRegistered {
                        name: existing.name.fi.clone(),
                    }));
                }
                if !references.municipality(c.municipality).is_some_and(MunicipalityState::is_registered) {
                    return Err(DomainError::unknown_reference("municipality", Expected::RegisteredMunicipality));
                }
                if let Some(parent) = c.parent {
                    if parent == c.body {
                        return Err(DomainError::invalid("parent", InputRule::OwnParentBody));
                    }
                    let parent_state = references
                        .body(parent)
                        .filter(|b| b.is_registered())
                        .ok_or_else(|| DomainError::unknown_reference("parent", Expected::RegisteredBody))?;
                    if parent_state.municipality() != Some(c.municipality) {
                        return Err(DomainError::unknown_reference("parent", Expected::BodyOfSameMunicipality));
                    }
                }
                Ok(vec![BodyEvent::Registered(BodyRegistered {
                    body: c.body,
                    municipality: c.municipality,
                    name: c.name.clone(),
                    kind: c.kind,
                    parent: c.parent,
                    founded: c.founded,
                })])
            }
            BodyCommand::StartMembership(c) => {
                let Some(registration) = &self.registration else {
                    return Err(DomainError::not_allowed(StateRule::MembersBeforeRegistration));
                };
                if self.memberships.contains_key(&c.membership) {
                    return Err(DomainError::not_allowed(StateRule::MembershipAlreadyStarted {
                        membership: c.membership,
                    }));
                }
                not_before("started_on", c.started_on, Milestone::BodyFounded, registration.founded)?;
                if c.role == MemberRole::Chair
                    && let Some((_, chair)) = self.sitting_members().find(|(_, m)| m.role == MemberRole::Chair)
                {
                    return Err(DomainError::not_allowed(StateRule::ChairTaken {
                        body: registration.name.fi.clone(),
                        chair: chair.member.clone(),
                    }));
                }
                Ok(vec![BodyEvent::MembershipStarted(MembershipStarted {
                    body: c.body,
                    membership: c.membership,
                    member: c.member.clone(),
                    role: c.role,
                    on_behalf_of: c.on_behalf_of.clone(),
                    started_on: c.started_on,
                })])
            }
            BodyCommand::EndMembership(c) => {
                let Some(membership) = self.memberships.get(&c.membership) else {
                    return Err(DomainError::unknown_reference("membership", Expected::BodyMembership));
                };
                if let Some(ended_on) = membership.ended_on {
                    return Err(DomainError::not_allowed(StateRule::MembershipAlreadyEnded {
                        member: membership.member.clone(),
                        ended_on,
                    }));
                }
                not_before("ended_on", c.ended_on, Milestone::MembershipStarted, membership.started_on)?;
                Ok(vec![BodyEvent::MembershipEnded(MembershipEnded {
                    body: c.body,
                    membership: c.membership,
                    ended_on: c.ended_on,
                })])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use kirjuri_events::domain::assessment::FrameworkPublished;
    use kirjuri_events::domain::assessment::digcomp_2_2;
    use uuid::Uuid;

    use super::*;
    use crate::assessment::FrameworkState;
    use crate::testing::given;
    use crate::{Referenced, ShapeRule};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    const KUOPIO: MunicipalityId = MunicipalityId(Uuid::from_u128(297));
    const SIILINJARVI: MunicipalityId = MunicipalityId(Uuid::from_u128(749));
    const TUUSNIEMI: MunicipalityId = MunicipalityId(Uuid::from_u128(857));
    const EDUCATION: UnitId = UnitId(Uuid::from_u128(0x100));
    const SCHOOLS: UnitId = UnitId(Uuid::from_u128(0x101));
    const SIILINJARVI_LIBRARY: UnitId = UnitId(Uuid::from_u128(0x102));
    const CITY_BOARD: BodyId = BodyId(Uuid::from_u128(0x200));
    const STEERING_GROUP: BodyId = BodyId(Uuid::from_u128(0x201));

    fn registered(municipality: MunicipalityId, code: &str, name: &str) -> MunicipalityEvent {
        MunicipalityEvent::Registered(MunicipalityRegistered {
            municipality,
            code: MunicipalityCode::parse(code).expect("code"),
            name: LocalizedText::fi(name).expect("name"),
        })
    }

    fn municipality(events: &[MunicipalityEvent]) -> Referenced {
        Referenced::Municipality(MunicipalityState::replay(events))
    }

    fn joined(partner: MunicipalityId, host: MunicipalityId, on: &str) -> MunicipalityEvent {
        MunicipalityEvent::PartnerNetworkJoined(PartnerNetworkJoined {
            municipality: partner,
            host,
            joined_on: day(on),
            agreement: None,
        })
    }

    fn established(unit: UnitId, municipality: MunicipalityId, name: &str) -> UnitEvent {
        UnitEvent::Established(UnitEstablished {
            unit,
            municipality,
            name: LocalizedText::fi(name).expect("name"),
            parent: None,
            sector: Sector::EducationAndLearning,
        })
    }

    fn unit(events: &[UnitEvent]) -> Referenced {
        Referenced::Unit(UnitState::replay(events))
    }

    fn body_registered(body: BodyId, municipality: MunicipalityId, kind: BodyKind) -> BodyEvent {
        BodyEvent::Registered(BodyRegistered {
            body,
            municipality,
            name: LocalizedText::fi("Digiohjelman ohjausryhmä").expect("name"),
            kind,
            parent: None,
            founded: day("2024-01-01"),
        })
    }

    fn invited(host: MunicipalityId, partner: MunicipalityId, on: &str) -> MunicipalityEvent {
        MunicipalityEvent::PartnerInvited(PartnerInvited { host, partner, invited_on: day(on), agreement: None })
    }

    /// Kuopio (which has invited Siilinjärvi into its network) and Siilinjärvi, registered.
    fn kuopio_references() -> References {
        References::none()
            .with(
                KUOPIO.0,
                municipality(&[registered(KUOPIO, "297", "Kuopio"), invited(KUOPIO, SIILINJARVI, "2024-01-15")]),
            )
            .with(SIILINJARVI.0, municipality(&[registered(SIILINJARVI, "749", "Siilinjärvi")]))
    }

    fn register_kuopio() -> MunicipalityCommand {
        MunicipalityCommand::Register(
            RegisterMunicipality::parse(
                KUOPIO,
                "297",
                &TextInput { fi: "Kuopio".into(), sv: Some("Kuopio".into()), en: None },
            )
            .expect("valid"),
        )
    }

    #[test]
    fn a_municipality_is_registered_once() {
        let state = given::<MunicipalityState>([]).when(register_kuopio()).then([MunicipalityEvent::Registered(
            MunicipalityRegistered {
                municipality: KUOPIO,
                code: MunicipalityCode::parse("297").expect("code"),
                name: LocalizedText::parse("Kuopio", Some("Kuopio"), None).expect("name"),
            },
        )]);
        assert!(state.is_registered());
        given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio")])
            .when(register_kuopio())
            .then_refused_with(&["Kuopio (297)", "already registered"]);
    }

    #[test]
    fn a_municipality_with_an_empty_name_or_a_bad_code_is_not_a_command() {
        let error = RegisterMunicipality::parse(KUOPIO, "297", &TextInput::fi("  ")).expect_err("empty name");
        assert_eq!(error, DomainError::invalid("name.fi", ShapeRule::Empty));
        let error = RegisterMunicipality::parse(KUOPIO, "29", &TextInput::fi("Kuopio")).expect_err("bad code");
        assert!(matches!(&error, DomainError::Invalid { field, .. } if field == "code"), "{error}");
    }

    #[test]
    fn a_registered_partner_joins_a_registered_hosts_network_on_its_own_stream() {
        let command =
            JoinPartnerNetwork::parse(SIILINJARVI, KUOPIO, day("2024-02-01"), Some("KUO/1234/2024")).expect("valid");
        assert_eq!(
            MunicipalityState::stream(&MunicipalityCommand::JoinPartnerNetwork(command.clone())),
            SIILINJARVI.stream()
        );
        assert_eq!(
            MunicipalityState::references(&MunicipalityCommand::JoinPartnerNetwork(command.clone())),
            [Reference::Municipality(KUOPIO)]
        );
        let state = given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .with_references(kuopio_references())
            .when(MunicipalityCommand::JoinPartnerNetwork(command))
            .then([MunicipalityEvent::PartnerNetworkJoined(PartnerNetworkJoined {
                municipality: SIILINJARVI,
                host: KUOPIO,
                joined_on: day("2024-02-01"),
                agreement: Some("KUO/1234/2024".into()),
            })]);
        assert!(state.is_partner_of(KUOPIO));
    }

    #[test]
    fn joining_an_unregistered_host_twice_or_ones_own_network_is_refused() {
        let join = |host| {
            MunicipalityCommand::JoinPartnerNetwork(JoinPartnerNetwork {
                municipality: SIILINJARVI,
                host,
                joined_on: day("2024-02-01"),
                agreement: None,
            })
        };
        given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .with_references(kuopio_references())
            .when(join(TUUSNIEMI))
            .then_refused_with(&["host", "registered municipality"]);
        given::<MunicipalityState>([
            registered(SIILINJARVI, "749", "Siilinjärvi"),
            joined(SIILINJARVI, KUOPIO, "2024-02-01"),
        ])
        .with_references(kuopio_references())
        .when(join(KUOPIO))
        .then_refused_with(&["already a partner", "Kuopio"]);
        given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .with_references(kuopio_references())
            .when(join(SIILINJARVI))
            .then_refused_with(&["host", "another municipality"]);
        given::<MunicipalityState>([])
            .with_references(kuopio_references())
            .when(join(KUOPIO))
            .then_refused_with(&["must be registered"]);
        assert!(JoinPartnerNetwork::parse(KUOPIO, KUOPIO, day("2024-02-01"), None).is_err());
    }

    #[test]
    fn a_municipality_joins_only_a_network_whose_host_invited_it_and_not_before_the_invitation() {
        let join = |on: &str| {
            MunicipalityCommand::JoinPartnerNetwork(JoinPartnerNetwork {
                municipality: SIILINJARVI,
                host: KUOPIO,
                joined_on: day(on),
                agreement: None,
            })
        };
        let uninvited = References::none()
            .with(KUOPIO.0, municipality(&[registered(KUOPIO, "297", "Kuopio")]))
            .with(SIILINJARVI.0, municipality(&[registered(SIILINJARVI, "749", "Siilinjärvi")]));
        given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .with_references(uninvited)
            .when(join("2024-02-01"))
            .then_refused_with(&["Kuopio has not invited Siilinjärvi"]);
        let withdrawn = References::none().with(
            KUOPIO.0,
            municipality(&[
                registered(KUOPIO, "297", "Kuopio"),
                invited(KUOPIO, SIILINJARVI, "2024-01-15"),
                MunicipalityEvent::PartnerInvitationWithdrawn(PartnerInvitationWithdrawn {
                    host: KUOPIO,
                    partner: SIILINJARVI,
                    withdrawn_on: day("2024-01-20"),
                    reason: None,
                }),
            ]),
        );
        given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .with_references(withdrawn)
            .when(join("2024-02-01"))
            .then_refused_with(&["has not invited", "withdrew"]);
        given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .with_references(kuopio_references())
            .when(join("2024-01-14"))
            .then_refused_with(&["joined_on", "the day of the host's invitation (2024-01-15)"]);
    }

    #[test]
    fn a_host_invites_a_registered_municipality_once_and_withdraws_only_a_standing_invitation() {
        let invite = |partner| {
            MunicipalityCommand::InvitePartner(
                InvitePartner::parse(KUOPIO, partner, day("2024-01-15"), Some("KUO/1234/2024")).expect("valid"),
            )
        };
        assert_eq!(MunicipalityState::stream(&invite(SIILINJARVI)), KUOPIO.stream());
        let state = given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio")])
            .with_references(kuopio_references())
            .when(invite(SIILINJARVI))
            .then([MunicipalityEvent::PartnerInvited(PartnerInvited {
                host: KUOPIO,
                partner: SIILINJARVI,
                invited_on: day("2024-01-15"),
                agreement: Some("KUO/1234/2024".into()),
            })]);
        assert_eq!(state.invited(SIILINJARVI), Some(day("2024-01-15")));
        given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio"), invited(KUOPIO, SIILINJARVI, "2024-01-15")])
            .with_references(kuopio_references())
            .when(invite(SIILINJARVI))
            .then_refused_with(&["already invited Siilinjärvi"]);
        given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio")])
            .with_references(kuopio_references())
            .when(invite(TUUSNIEMI))
            .then_refused_with(&["partner", "registered municipality"]);
        given::<MunicipalityState>([])
            .with_references(kuopio_references())
            .when(invite(SIILINJARVI))
            .then_refused_with(&["must be registered before it invites"]);
        assert!(InvitePartner::parse(KUOPIO, KUOPIO, day("2024-01-15"), None).is_err());

        let withdraw = |on: &str| {
            MunicipalityCommand::WithdrawPartnerInvitation(
                WithdrawPartnerInvitation::parse(KUOPIO, SIILINJARVI, day(on), None).expect("valid"),
            )
        };
        given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio")])
            .when(withdraw("2024-02-01"))
            .then_refused_with(&["no standing invitation"]);
        given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio"), invited(KUOPIO, SIILINJARVI, "2024-01-15")])
            .when(withdraw("2024-01-14"))
            .then_refused_with(&["withdrawn_on", "the day of the invitation (2024-01-15)"]);
        let state = given::<MunicipalityState>([
            registered(KUOPIO, "297", "Kuopio"),
            invited(KUOPIO, SIILINJARVI, "2024-01-15"),
        ])
        .when(withdraw("2024-03-01"))
        .then([MunicipalityEvent::PartnerInvitationWithdrawn(PartnerInvitationWithdrawn {
            host: KUOPIO,
            partner: SIILINJARVI,
            withdrawn_on: day("2024-03-01"),
            reason: None,
        })]);
        assert_eq!(state.invited(SIILINJARVI), None);
    }

    #[test]
    fn two_municipalities_cannot_host_each_other() {
        let references = References::none().with(
            SIILINJARVI.0,
            municipality(&[
                registered(SIILINJARVI, "749", "Siilinjärvi"),
                joined(SIILINJARVI, KUOPIO, "2024-02-01"),
                invited(SIILINJARVI, KUOPIO, "2024-02-15"),
            ]),
        );
        given::<MunicipalityState>([registered(KUOPIO, "297", "Kuopio")])
            .with_references(references)
            .when(MunicipalityCommand::JoinPartnerNetwork(JoinPartnerNetwork {
                municipality: KUOPIO,
                host: SIILINJARVI,
                joined_on: day("2024-03-01"),
                agreement: None,
            }))
            .then_refused_with(&["Siilinjärvi is itself a partner in Kuopio's network"]);
    }

    #[test]
    fn a_partner_leaves_only_a_network_it_is_in_and_not_before_it_joined() {
        let leave = |on: &str| {
            MunicipalityCommand::LeavePartnerNetwork(
                LeavePartnerNetwork::parse(
                    SIILINJARVI,
                    KUOPIO,
                    day(on),
                    Some(&TextInput::fi("Resurssit eivät riitä.")),
                )
                .expect("valid"),
            )
        };
        given::<MunicipalityState>([registered(SIILINJARVI, "749", "Siilinjärvi")])
            .when(leave("2025-01-01"))
            .then_refused_with(&["not a partner"]);
        given::<MunicipalityState>([
            registered(SIILINJARVI, "749", "Siilinjärvi"),
            joined(SIILINJARVI, KUOPIO, "2024-02-01"),
        ])
        .when(leave("2024-01-31"))
        .then_refused_with(&["left_on", "must not be before the day it joined (2024-02-01)"]);
        let state = given::<MunicipalityState>([
            registered(SIILINJARVI, "749", "Siilinjärvi"),
            joined(SIILINJARVI, KUOPIO, "2024-02-01"),
        ])
        .when(leave("2026-12-31"))
        .then([MunicipalityEvent::PartnerNetworkLeft(PartnerNetworkLeft {
            municipality: SIILINJARVI,
            host: KUOPIO,
            left_on: day("2026-12-31"),
            reason: Some(LocalizedText::fi("Resurssit eivät riitä.").expect("text")),
        })]);
        assert!(!state.is_partner_of(KUOPIO));
    }

    fn establish(unit: UnitId, municipality: MunicipalityId, parent: Option<UnitId>) -> UnitCommand {
        UnitCommand::Establish(
            EstablishUnit::parse(
                unit,
                municipality,
                &TextInput::fi("Perusopetuksen palvelut"),
                parent,
                Sector::EducationAndLearning,
            )
            .expect("valid"),
        )
    }

    #[test]
    fn a_unit_is_established_once_under_a_parent_of_the_same_municipality() {
        let references = kuopio_references()
            .with(EDUCATION.0, unit(&[established(EDUCATION, KUOPIO, "Kasvun ja oppimisen palvelualue")]))
            .with(SIILINJARVI_LIBRARY.0, unit(&[established(SIILINJARVI_LIBRARY, SIILINJARVI, "Kirjasto")]));
        let state = given::<UnitState>([])
            .with_references(references.clone())
            .when(establish(SCHOOLS, KUOPIO, Some(EDUCATION)))
            .then([UnitEvent::Established(UnitEstablished {
                unit: SCHOOLS,
                municipality: KUOPIO,
                name: LocalizedText::fi("Perusopetuksen palvelut").expect("name"),
                parent: Some(EDUCATION),
                sector: Sector::EducationAndLearning,
            })]);
        assert!(state.belongs_to(KUOPIO));
        assert!(!state.belongs_to(SIILINJARVI));

        given::<UnitState>([established(SCHOOLS, KUOPIO, "Perusopetus")])
            .with_references(references.clone())
            .when(establish(SCHOOLS, KUOPIO, None))
            .then_refused_with(&["already established"]);
        given::<UnitState>([])
            .with_references(references.clone())
            .when(establish(SCHOOLS, KUOPIO, Some(SIILINJARVI_LIBRARY)))
            .then_refused_with(&["parent", "same municipality"]);
        given::<UnitState>([])
            .with_references(references.clone())
            .when(establish(SCHOOLS, KUOPIO, Some(UnitId(Uuid::from_u128(0xdead)))))
            .then_refused_with(&["parent", "established unit"]);
        given::<UnitState>([])
            .with_references(references)
            .when(establish(SCHOOLS, TUUSNIEMI, None))
            .then_refused_with(&["municipality", "registered municipality"]);
    }

    #[test]
    fn a_unit_id_of_another_kind_is_not_a_parent_unit() {
        // A municipality's id given where a unit is expected resolves to nothing.
        let references = kuopio_references();
        given::<UnitState>([])
            .with_references(references)
            .when(establish(SCHOOLS, KUOPIO, Some(UnitId(KUOPIO.0))))
            .then_refused_with(&["parent", "must be an established unit"]);
    }

    fn target_references() -> (FrameworkId, References) {
        let definition = digcomp_2_2().expect("loads");
        let framework = definition.id();
        let framework_state = FrameworkState { published: Some(FrameworkPublished { framework, definition }) };
        let references = kuopio_references()
            .with(framework.0, Referenced::Framework(framework_state))
            .with(
                STEERING_GROUP.0,
                Referenced::Body(BodyState::replay(&[body_registered(
                    STEERING_GROUP,
                    KUOPIO,
                    BodyKind::SteeringGroup,
                )])),
            )
            .with(
                CITY_BOARD.0,
                Referenced::Body(BodyState::replay(&[body_registered(CITY_BOARD, SIILINJARVI, BodyKind::CityBoard)])),
            );
        (framework, references)
    }

    fn set_target(framework: FrameworkId, dimension: &str, target: f64, set_by: Option<BodyId>) -> UnitCommand {
        UnitCommand::SetTarget(SetUnitTarget {
            unit: SCHOOLS,
            framework,
            dimension: dimension.into(),
            target,
            due: day("2026-12-31"),
            set_on: day("2024-03-18"),
            set_by,
            rationale: None,
        })
    }

    #[test]
    fn a_target_names_a_dimension_of_a_published_framework_on_its_scale() {
        let (framework, references) = target_references();
        let state = given::<UnitState>([established(SCHOOLS, KUOPIO, "Perusopetus")])
            .with_references(references.clone())
            .when(set_target(framework, "4", 5.0, Some(STEERING_GROUP)))
            .then([UnitEvent::TargetSet(UnitTargetSet {
                unit: SCHOOLS,
                framework,
                dimension: "4".into(),
                target: 5.0,
                due: day("2026-12-31"),
                set_on: day("2024-03-18"),
                set_by: Some(STEERING_GROUP),
                rationale: None,
            })]);
        assert_eq!(state.targets.get(&(framework, "4".to_owned())).map(|t| t.target), Some(5.0));

        let given_unit =
            || given::<UnitState>([established(SCHOOLS, KUOPIO, "Perusopetus")]).with_references(references.clone());
        given_unit()
            .when(set_target(framework, "9", 5.0, None))
            .then_refused_with(&["dimension", "`9` is not a dimension of digcomp@2.2"]);
        given_unit().when(set_target(framework, "4", 9.0, None)).then_refused_with(&["target", "scale 1–8"]);
        given_unit()
            .when(set_target(FrameworkId(Uuid::from_u128(1)), "4", 5.0, None))
            .then_refused_with(&["framework", "published framework"]);
        given_unit()
            .when(set_target(framework, "4", 5.0, Some(CITY_BOARD)))
            .then_refused_with(&["set_by", "unit's municipality"]);
        given::<UnitState>([])
            .with_references(references)
            .when(set_target(framework, "4", 5.0, None))
            .then_refused_with(&["established unit"]);
    }

    #[test]
    fn a_target_due_before_it_is_set_or_not_a_number_is_not_a_command() {
        let framework = FrameworkId(Uuid::from_u128(1));
        let error =
            SetUnitTarget::parse(SCHOOLS, framework, "4", 5.0, day("2024-01-01"), day("2024-03-18"), None, None)
                .expect_err("due before set");
        assert_eq!(
            error,
            DomainError::invalid("due", InputRule::NotBefore { what: Milestone::TargetSet, date: day("2024-03-18") })
        );
        assert_eq!(error.to_string(), "due: must not be before the day it is set (2024-03-18)");
        let error =
            SetUnitTarget::parse(SCHOOLS, framework, "4", f64::NAN, day("2026-01-01"), day("2024-03-18"), None, None)
                .expect_err("NaN");
        assert!(error.to_string().starts_with("target:"), "{error}");
        let error =
            SetUnitTarget::parse(SCHOOLS, framework, " ", 5.0, day("2026-01-01"), day("2024-03-18"), None, None)
                .expect_err("empty dimension");
        assert!(error.to_string().starts_with("dimension:"), "{error}");
    }

    fn register_body(body: BodyId, parent: Option<BodyId>) -> BodyCommand {
        BodyCommand::Register(
            RegisterBody::parse(
                body,
                KUOPIO,
                &TextInput::fi("Digiohjelman ohjausryhmä"),
                BodyKind::SteeringGroup,
                parent,
                day("2024-01-01"),
            )
            .expect("valid"),
        )
    }

    #[test]
    fn a_body_is_registered_once_under_a_parent_of_the_same_municipality() {
        let references = kuopio_references().with(
            CITY_BOARD.0,
            Referenced::Body(BodyState::replay(&[body_registered(CITY_BOARD, KUOPIO, BodyKind::CityBoard)])),
        );
        let events = given::<BodyState>([])
            .with_references(references.clone())
            .when(register_body(STEERING_GROUP, Some(CITY_BOARD)))
            .accepted();
        assert_eq!(events.len(), 1);
        let body_state = BodyState::replay(&events);
        assert_eq!(body_state.kind(), Some(BodyKind::SteeringGroup));
        assert_eq!(body_state.municipality(), Some(KUOPIO));

        given::<BodyState>([body_registered(STEERING_GROUP, KUOPIO, BodyKind::SteeringGroup)])
            .with_references(references.clone())
            .when(register_body(STEERING_GROUP, None))
            .then_refused_with(&["already registered"]);
        let other_board = References::none().with(KUOPIO.0, municipality(&[registered(KUOPIO, "297", "Kuopio")])).with(
            CITY_BOARD.0,
            Referenced::Body(BodyState::replay(&[body_registered(CITY_BOARD, SIILINJARVI, BodyKind::CityBoard)])),
        );
        given::<BodyState>([])
            .with_references(other_board)
            .when(register_body(STEERING_GROUP, Some(CITY_BOARD)))
            .then_refused_with(&["parent", "same municipality"]);
        given::<BodyState>([])
            .when(register_body(STEERING_GROUP, None))
            .then_refused_with(&["municipality", "registered municipality"]);
        assert!(
            RegisterBody::parse(STEERING_GROUP, KUOPIO, &TextInput::fi(""), BodyKind::Council, None, day("2024-01-01"))
                .is_err()
        );
    }

    fn start(membership: u128, member: &str, role: MemberRole, on: &str) -> BodyCommand {
        BodyCommand::StartMembership(
            StartMembership::parse(
                STEERING_GROUP,
                MembershipId(Uuid::from_u128(membership)),
                member,
                role,
                None,
                day(on),
            )
            .expect("valid"),
        )
    }

    #[test]
    fn a_body_has_one_sitting_chair_and_members_start_once_after_its_founding() {
        let body = [body_registered(STEERING_GROUP, KUOPIO, BodyKind::SteeringGroup)];
        let state = given::<BodyState>(body.clone())
            .when(start(1, "Aino Räsänen", MemberRole::Chair, "2024-01-15"))
            .then([BodyEvent::MembershipStarted(MembershipStarted {
                body: STEERING_GROUP,
                membership: MembershipId(Uuid::from_u128(1)),
                member: MemberName::parse("Aino Räsänen").expect("name"),
                role: MemberRole::Chair,
                on_behalf_of: None,
                started_on: day("2024-01-15"),
            })]);
        assert_eq!(state.sitting_members().count(), 1);

        let with_chair = || {
            let mut history = body.to_vec();
            history.extend(
                BodyState::replay(&body)
                    .decide(&start(1, "Aino Räsänen", MemberRole::Chair, "2024-01-15"), &References::none())
                    .expect("accepted"),
            );
            given::<BodyState>(history)
        };
        with_chair()
            .when(start(2, "Mikko Hyvönen", MemberRole::Chair, "2024-02-01"))
            .then_refused_with(&["already has a chair (Aino Räsänen)"]);
        with_chair()
            .when(start(1, "Mikko Hyvönen", MemberRole::Member, "2024-02-01"))
            .then_refused_with(&["already started"]);
        with_chair().when(start(2, "Mikko Hyvönen", MemberRole::Secretary, "2024-02-01")).accepted();
        given::<BodyState>(body.clone())
            .when(start(3, "Liisa Tiihonen", MemberRole::Member, "2023-12-31"))
            .then_refused_with(&["started_on", "founded (2024-01-01)"]);
        given::<BodyState>([])
            .when(start(3, "Liisa Tiihonen", MemberRole::Member, "2024-02-01"))
            .then_refused_with(&["registered body"]);
        let error = StartMembership::parse(
            STEERING_GROUP,
            MembershipId(Uuid::from_u128(4)),
            " ",
            MemberRole::Member,
            None,
            day("2024-02-01"),
        )
        .expect_err("empty name");
        assert!(error.to_string().starts_with("member:"), "{error}");
    }

    #[test]
    fn a_membership_ends_once_and_not_before_it_started() {
        let membership = MembershipId(Uuid::from_u128(1));
        let history = vec![
            body_registered(STEERING_GROUP, KUOPIO, BodyKind::SteeringGroup),
            BodyEvent::MembershipStarted(MembershipStarted {
                body: STEERING_GROUP,
                membership,
                member: MemberName::parse("Aino Räsänen").expect("name"),
                role: MemberRole::Chair,
                on_behalf_of: None,
                started_on: day("2024-01-15"),
            }),
        ];
        let end = |on: &str| {
            BodyCommand::EndMembership(EndMembership { body: STEERING_GROUP, membership, ended_on: day(on) })
        };
        given::<BodyState>(history.clone()).when(end("2024-01-14")).then_refused_with(&["ended_on", "(2024-01-15)"]);
        let ended = BodyEvent::MembershipEnded(MembershipEnded {
            body: STEERING_GROUP,
            membership,
            ended_on: day("2025-05-31"),
        });
        let state = given::<BodyState>(history.clone()).when(end("2025-05-31")).then([ended.clone()]);
        assert_eq!(state.sitting_members().count(), 0);
        let mut after = history;
        after.push(ended);
        given::<BodyState>(after.clone()).when(end("2025-06-30")).then_refused_with(&["already ended on 2025-05-31"]);
        given::<BodyState>(after)
            .when(BodyCommand::EndMembership(EndMembership {
                body: STEERING_GROUP,
                membership: MembershipId(Uuid::from_u128(99)),
                ended_on: day("2025-06-30"),
            }))
            .then_refused_with(&["membership", "of this body"]);
    }
}

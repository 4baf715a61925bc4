//! Authorisation: the one place that says who may do what to which record.
//!
//! [`authorize`] is a pure function of the principal, the [`Action`] and the [`Resource`];
//! HTTP handlers and search call it alike. Two questions, in order:
//! 1. **role**: does one of the principal's roles grant the action ([`Action::granted_to`])?
//! 2. **tenant**: is the record the principal's municipality's, or shared with it (then only to
//!    read)? Personal text (a coaching note's) goes further: only to the note's coach and
//!    coachees, whatever the role.
//!
//! The table of actions by role is printed in the README (`README.md`, "Who may do what") and
//! a test keeps the two in step.

use kirjuri_events::domain::MunicipalityId;

use crate::{Principal, Role};

/// A group of commands that the same roles may issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommandGroup {
    /// Municipalities, partner networks, units and targets, bodies and memberships.
    Organisation,
    /// Frameworks, and opening, closing and computing assessment campaigns.
    Campaigns,
    /// Answering an assessment campaign (a staff member's own response).
    Responses,
    /// Coaching engagements, sessions, notes and actions.
    Coaching,
    /// Communications about the programme.
    Communications,
    /// Experiments: proposal to conclusion, measurements and outcomes.
    Experiments,
    /// Observations and lessons learned.
    Lessons,
    /// Best practices: drafts, submissions, revisions, anchoring, progress, sharing, adoption.
    Practices,
    /// A body's decision on a practice.
    PracticeDecisions,
}

impl CommandGroup {
    /// Every group, in the README's order.
    pub const ALL: [Self; 9] = [
        Self::Organisation,
        Self::Campaigns,
        Self::Responses,
        Self::Coaching,
        Self::Communications,
        Self::Experiments,
        Self::Lessons,
        Self::Practices,
        Self::PracticeDecisions,
    ];
}

/// Something a principal asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Read what the programme shares with its staff: search, lessons, experiments, practices
    /// and their history, the evidence graph, bodies, municipalities, the situational picture.
    Read,
    /// Read the audit trail and the timeline, and any state as of a past moment.
    ReadAudit,
    /// Read the personal-data access log.
    ReadAccessLog,
    /// Read a coaching note's personal text (also needs to be its coach or coachee).
    ReadPersonalText,
    /// Issue a command of a group.
    Command(CommandGroup),
    /// Rebuild read models, manage the running server.
    Operate,
}

impl Action {
    /// The roles that grant this action (before the tenant and personal-data checks).
    pub fn granted_to(self) -> &'static [Role] {
        use Role::{Admin, Auditor, Coach, DecisionMaker, ExperimentLead, Staff};
        match self {
            Self::Read => &[Staff, Coach, ExperimentLead, DecisionMaker, Auditor, Admin],
            Self::ReadAudit => &[DecisionMaker, Auditor, Admin],
            Self::ReadAccessLog => &[Auditor, Admin],
            // Coaching notes are written by coaches about their coachees, who may be any staff.
            Self::ReadPersonalText => &[Staff, Coach, ExperimentLead, DecisionMaker],
            Self::Command(group) => match group {
                CommandGroup::Organisation | CommandGroup::Campaigns => &[Admin],
                CommandGroup::Responses => &[Staff, Coach, ExperimentLead, DecisionMaker],
                CommandGroup::Coaching | CommandGroup::Communications => &[Coach],
                CommandGroup::Experiments => &[ExperimentLead],
                CommandGroup::Lessons => &[Staff, Coach, ExperimentLead, DecisionMaker],
                CommandGroup::Practices => &[ExperimentLead, DecisionMaker],
                CommandGroup::PracticeDecisions => &[DecisionMaker],
            },
            Self::Operate => &[Admin],
        }
    }

    fn changes_something(self) -> bool {
        matches!(self, Self::Command(_) | Self::Operate)
    }
}

/// What the action is applied to, as far as access is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// The municipality the record belongs to (`None`: not tied to one, e.g. a framework).
    pub municipality: Option<MunicipalityId>,
    /// Municipalities it was shared with (they may read it).
    pub shared_with: Vec<MunicipalityId>,
    /// For personal text: the people ([`Principal::person`]) allowed to read it.
    pub personal_to: Option<Vec<String>>,
}

impl Resource {
    /// A record of `municipality`.
    pub fn of(municipality: MunicipalityId) -> Self {
        Self { municipality: Some(municipality), ..Self::default() }
    }

    /// Shared with these partners too.
    pub fn shared_with(mut self, partners: impl IntoIterator<Item = MunicipalityId>) -> Self {
        self.shared_with.extend(partners);
        self
    }

    /// Personal text that only these people ([`Principal::person`]) may read.
    pub fn personal_to(mut self, people: impl IntoIterator<Item = String>) -> Self {
        self.personal_to = Some(people.into_iter().collect());
        self
    }
}

impl CommandGroup {
    /// What the group holds, as the README's table says it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Organisation => "commands: municipalities, partner networks, units, targets, bodies, memberships",
            Self::Campaigns => "commands: frameworks; open, close and compute assessment campaigns",
            Self::Responses => "commands: answer or withdraw an assessment response",
            Self::Coaching => "commands: coaching engagements, sessions, notes, actions",
            Self::Communications => "commands: publish a communication",
            Self::Experiments => "commands: experiments, protocols, baselines, stages, measurements, outcomes",
            Self::Lessons => "commands: observations and lessons learned",
            Self::Practices => {
                "commands: draft, submit, revise, anchor, share, supersede, retire practices; progress, adoption"
            }
            Self::PracticeDecisions => "commands: a body's decision on a practice",
        }
    }
}

impl Action {
    /// Every action, in the README's order.
    pub fn all() -> Vec<Self> {
        let mut all = vec![Self::Read, Self::ReadAudit, Self::ReadAccessLog, Self::ReadPersonalText];
        all.extend(CommandGroup::ALL.map(Self::Command));
        all.push(Self::Operate);
        all
    }

    /// What the action covers, as the README's table says it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Read => {
                "read: search, lessons, experiments, practices and their history, evidence graph, bodies, municipalities, situational picture"
            }
            Self::ReadAudit => "read: audit trail, timeline, state as of a moment and differences",
            Self::ReadAccessLog => "read: the personal-data access log",
            Self::ReadPersonalText => "read: a coaching note's personal text (only its coach and coachees)",
            Self::Command(group) => group.describe(),
            Self::Operate => "operate: rebuild read models",
        }
    }
}

/// The README's table of actions by role (Markdown), generated from [`Action::granted_to`].
pub fn roles_table() -> String {
    let mut out = String::from("| what | ");
    out.push_str(&Role::ALL.map(Role::as_str).join(" | "));
    out.push_str(" |\n| --- |");
    out.push_str(&" :-: |".repeat(Role::ALL.len()));
    out.push('\n');
    for action in Action::all() {
        out.push_str("| ");
        out.push_str(action.describe());
        out.push_str(" |");
        for role in Role::ALL {
            out.push_str(if action.granted_to().contains(&role) { " ✓ |" } else { "   |" });
        }
        out.push('\n');
    }
    out
}

/// Why an action was refused; the message is safe to show the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// None of the principal's roles grants the action.
    #[error("this needs one of the roles {needed}; you have {held}")]
    Role {
        /// The roles that would grant it.
        needed: String,
        /// The roles held.
        held: String,
    },
    /// The record belongs to another municipality and was not shared with the caller's.
    /// Answered as "not found", so that nothing about other tenants' records leaks.
    #[error("not found")]
    OtherTenant,
    /// Personal text of someone else's coaching.
    #[error("this note's text is personal to its coach and coachees")]
    Personal,
}

/// Whether `principal` may do `action` to `resource`.
pub fn authorize(principal: &Principal, action: Action, resource: &Resource) -> Result<(), Denied> {
    let granted = action.granted_to();
    if !granted.iter().any(|role| principal.has_role(*role)) {
        return Err(Denied::Role {
            needed: granted.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
            held: principal.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
        });
    }
    if let Some(owner) = resource.municipality
        && owner != principal.municipality
    {
        let shared = resource.shared_with.contains(&principal.municipality);
        if !shared || action.changes_something() || action == Action::ReadPersonalText {
            return Err(Denied::OtherTenant);
        }
    }
    if let Some(people) = &resource.personal_to
        && !people.contains(&principal.person)
    {
        return Err(Denied::Personal);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::AuthMethod;

    fn principal(municipality: MunicipalityId, roles: &[Role]) -> Principal {
        Principal {
            subject: "token:anna".into(),
            person: "token:anna".into(),
            display_name: None,
            municipality,
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
            authenticated_by: AuthMethod::ApiToken { token_id: uuid::Uuid::nil() },
        }
    }

    #[test]
    fn the_readme_prints_the_table_this_module_enforces() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
            .unwrap_or_else(|e| panic!("README.md: {e}"));
        let table = roles_table();
        assert!(readme.contains(&table), "README.md's role table is out of date; it should read:\n{table}");
    }

    #[test]
    fn a_role_grants_only_what_the_table_says() {
        let kuopio = MunicipalityId::random();
        let own = Resource::of(kuopio);
        let staff = principal(kuopio, &[Role::Staff]);
        assert!(authorize(&staff, Action::Read, &own).is_ok());
        assert!(authorize(&staff, Action::Command(CommandGroup::Lessons), &own).is_ok());
        let refused = authorize(&staff, Action::Command(CommandGroup::PracticeDecisions), &own);
        assert_eq!(
            refused,
            Err(Denied::Role { needed: "decision_maker".into(), held: "staff".into() }),
            "the refusal names the role needed"
        );
        assert!(authorize(&staff, Action::ReadAudit, &own).is_err());
        let auditor = principal(kuopio, &[Role::Auditor]);
        assert!(authorize(&auditor, Action::ReadAudit, &own).is_ok());
        assert!(authorize(&auditor, Action::ReadAccessLog, &own).is_ok());
        for group in CommandGroup::ALL {
            assert!(authorize(&auditor, Action::Command(group), &own).is_err(), "an auditor changes nothing");
        }
        let both = principal(kuopio, &[Role::Staff, Role::DecisionMaker]);
        assert!(authorize(&both, Action::Command(CommandGroup::PracticeDecisions), &own).is_ok());
    }

    #[test]
    fn another_municipality_sees_only_what_was_shared_with_it_and_changes_nothing() {
        let (kuopio, siilinjarvi, joensuu) =
            (MunicipalityId::random(), MunicipalityId::random(), MunicipalityId::random());
        let partner = principal(siilinjarvi, &[Role::DecisionMaker, Role::Staff]);
        let private = Resource::of(kuopio);
        assert_eq!(authorize(&partner, Action::Read, &private), Err(Denied::OtherTenant));
        let shared = Resource::of(kuopio).shared_with([siilinjarvi]);
        assert!(authorize(&partner, Action::Read, &shared).is_ok());
        assert_eq!(authorize(&partner, Action::Command(CommandGroup::Practices), &shared), Err(Denied::OtherTenant));
        let elsewhere = principal(joensuu, &[Role::Staff]);
        assert_eq!(authorize(&elsewhere, Action::Read, &shared), Err(Denied::OtherTenant));
        assert!(authorize(&partner, Action::Read, &Resource::default()).is_ok(), "frameworks belong to no one");
    }

    #[test]
    fn personal_text_goes_only_to_its_coach_and_coachees() {
        let kuopio = MunicipalityId::random();
        let note = Resource::of(kuopio).personal_to(["token:anna".to_owned(), "token:ben".to_owned()]);
        assert!(authorize(&principal(kuopio, &[Role::Coach]), Action::ReadPersonalText, &note).is_ok());
        let mut other = principal(kuopio, &[Role::Coach, Role::Admin]);
        other.subject = "token:carl".into();
        other.person = "token:carl".into();
        assert_eq!(authorize(&other, Action::ReadPersonalText, &note), Err(Denied::Personal));
        let auditor = principal(kuopio, &[Role::Auditor]);
        assert!(
            authorize(&auditor, Action::ReadPersonalText, &note).is_err(),
            "auditors see the access log, not the text"
        );
        let mut partner = principal(MunicipalityId::random(), &[Role::Coach]);
        partner.subject = "token:anna".into();
        let shared_note = note.clone().shared_with([partner.municipality]);
        assert_eq!(authorize(&partner, Action::ReadPersonalText, &shared_note), Err(Denied::OtherTenant));
    }
}

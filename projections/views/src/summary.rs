//! Human summaries of events in Finnish and English, one function per event type, and the
//! units and experiments each event names (for the audit trail's filters).
//!
//! Summaries never include personal text (a coaching note's free text) or respondents'
//! pseudonyms: the audit trail is shown to the programme.

use kirjuri_events::domain::access_log::{AccessLogEvent, PersonalData, PersonalDataRead};
use kirjuri_events::domain::api_token::{ApiTokenEvent, ApiTokenIssued, ApiTokenRevoked};
use kirjuri_events::domain::assessment::{
    CampaignClosed, CampaignEvent, CampaignOpened, FrameworkEvent, FrameworkPublished, ResponseSubmitted,
    ResponseWithdrawn, ResultComputed, ResultSubject,
};
use kirjuri_events::domain::catalogue::AnyDomainEvent;
use kirjuri_events::domain::coaching::{
    ActionAgreed, ActionCompleted, CommunicationEvent, CommunicationPublished, EngagementClosed, EngagementEvent,
    EngagementStarted, NoteRecorded, SessionHeld,
};
use kirjuri_events::domain::experiment::{
    BaselineEstablished, ExperimentApproved, ExperimentConcluded, ExperimentEvent, ExperimentProposed,
    MeasurementRecorded, OutcomeAssessed, ProtocolDefined, StageChanged,
};
use kirjuri_events::domain::lesson::{
    LessonActionAssigned, LessonEvent, LessonIdentified, LessonLearned, LessonSource, ObservationEvent,
    ObservationSubmitted,
};
use kirjuri_events::domain::organisation::{
    BodyEvent, BodyRegistered, MembershipEnded, MembershipStarted, MunicipalityEvent, MunicipalityRegistered,
    PartnerInvitationWithdrawn, PartnerInvited, PartnerNetworkJoined, PartnerNetworkLeft, UnitEstablished, UnitEvent,
    UnitTargetSet,
};
use kirjuri_events::domain::practice::{
    AdoptionReported, ImplementationProgressed, PracticeAnchored, PracticeDecided, PracticeDrafted, PracticeEvent,
    PracticeRetired, PracticeRevised, PracticeShared, PracticeSubmitted, PracticeSuperseded, Resolution,
};
use kirjuri_events::domain::user::{UserCreated, UserDisabled, UserEvent, UserPasswordChanged};
use kirjuri_events::domain::{
    BodyId, CampaignId, EngagementId, ExperimentId, LessonId, MunicipalityId, PracticeId, UnitId,
};
use uuid::Uuid;

/// Looks up display names of entities already projected (the apply transaction implements it).
pub trait Names {
    /// The Finnish and English name of entity `id` of `kind`, if known.
    fn name(&self, kind: &str, id: Uuid) -> Option<(String, Option<String>)>;
}

/// What the audit trail records about one event beyond its envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// The summary in Finnish.
    pub fi: String,
    /// The summary in English.
    pub en: String,
    /// Every unit the event names.
    pub units: Vec<UnitId>,
    /// Every experiment the event names.
    pub experiments: Vec<ExperimentId>,
}

/// Both languages' text of one summary, built by the per-type functions.
struct Text {
    fi: String,
    en: String,
}

struct Labeller<'a> {
    names: &'a dyn Names,
}

impl Labeller<'_> {
    /// «name» in Finnish and English, or the kind and short id when the entity is unknown.
    fn label(&self, kind: &str, id: Uuid) -> (String, String) {
        match self.names.name(kind, id) {
            Some((fi, en)) => {
                let en = en.unwrap_or_else(|| fi.clone());
                (format!("«{fi}»"), format!("«{en}»"))
            }
            None => {
                let short: String = id.to_string().chars().take(8).collect();
                (format!("{kind} {short}"), format!("{kind} {short}"))
            }
        }
    }

    /// A body's name without quotes (it is the subject of a sentence).
    fn body(&self, id: BodyId) -> (String, String) {
        match self.names.name(BodyId::CATEGORY, id.0) {
            Some((fi, en)) => {
                let en = en.unwrap_or_else(|| fi.clone());
                (fi, en)
            }
            None => self.label(BodyId::CATEGORY, id.0),
        }
    }

    fn practice(&self, id: PracticeId) -> (String, String) {
        self.label(PracticeId::CATEGORY, id.0)
    }
    fn experiment(&self, id: ExperimentId) -> (String, String) {
        self.label(ExperimentId::CATEGORY, id.0)
    }
    fn unit(&self, id: UnitId) -> (String, String) {
        self.label(UnitId::CATEGORY, id.0)
    }
    fn municipality(&self, id: MunicipalityId) -> (String, String) {
        self.label(MunicipalityId::CATEGORY, id.0)
    }
    fn campaign(&self, id: CampaignId) -> (String, String) {
        self.label(CampaignId::CATEGORY, id.0)
    }
    fn lesson(&self, id: LessonId) -> (String, String) {
        self.label(LessonId::CATEGORY, id.0)
    }
    fn engagement(&self, id: EngagementId) -> (String, String) {
        self.label(EngagementId::CATEGORY, id.0)
    }
}

/// The snake_case code serde writes for a unit-like enum value.
pub(crate) fn code<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        Ok(other) => other.to_string(),
        Err(_) => String::from("?"),
    }
}

/// A resolution in Finnish and English words.
pub fn resolution_words(resolution: Resolution) -> (&'static str, &'static str) {
    match resolution {
        Resolution::Passed => ("hyväksytty", "passed"),
        Resolution::PassedAsAmended => ("hyväksytty muutettuna", "passed as amended"),
        Resolution::PassedAfterVote => ("hyväksytty äänestyksen jälkeen", "passed after a vote"),
        Resolution::Rejected => ("hylätty", "rejected"),
        Resolution::Returned => ("palautettu uudelleen valmisteltavaksi", "returned for further preparation"),
        Resolution::Tabled => ("pantu pöydälle", "tabled"),
        Resolution::Noted => ("merkitty tiedoksi", "noted"),
    }
}

/// Finnish words for codes that appear in summaries (English uses the code with spaces).
fn fi_word(code: &str) -> &str {
    match code {
        "planning" => "suunnittelu",
        "running" => "käynnissä",
        "evaluating" => "arviointi",
        "improved" => "parani",
        "no_change" => "ei muutosta",
        "worse" => "heikkeni",
        "inconclusive" => "ei johtopäätöstä",
        "completed" => "valmis",
        "stopped" => "keskeytetty",
        "pivoted" => "suunnattu uudelleen",
        "effectiveness" => "vaikuttavuus",
        "wellbeing_at_work" => "työhyvinvointi",
        "productivity" => "tuottavuus",
        "considering" => "harkitsee",
        "piloting" => "pilotoi",
        "adopted" => "ottanut käyttöön",
        "rejected" => "ei ota käyttöön",
        "unit" => "yksikön toimintatapa",
        "process" => "prosessi",
        "guideline" => "ohje",
        "strategy_item" => "strategian kohta",
        "chair" => "puheenjohtaja",
        "vice_chair" => "varapuheenjohtaja",
        "member" => "jäsen",
        "deputy" => "varajäsen",
        "secretary" => "sihteeri",
        other => other,
    }
}

fn en_word(code: &str) -> String {
    code.replace('_', " ")
}

/// Describes `event`: its summary in both languages and the units and experiments it names.
pub fn describe(event: &AnyDomainEvent, names: &dyn Names) -> Description {
    let l = Labeller { names };
    let (text, units, experiments) = match event {
        AnyDomainEvent::MunicipalityEvent(e) => match e {
            MunicipalityEvent::Registered(e) => (municipality_registered(e), vec![], vec![]),
            MunicipalityEvent::PartnerNetworkJoined(e) => (partner_network_joined(&l, e), vec![], vec![]),
            MunicipalityEvent::PartnerNetworkLeft(e) => (partner_network_left(&l, e), vec![], vec![]),
            MunicipalityEvent::PartnerInvited(e) => (partner_invited(&l, e), vec![], vec![]),
            MunicipalityEvent::PartnerInvitationWithdrawn(e) => (partner_invitation_withdrawn(&l, e), vec![], vec![]),
        },
        AnyDomainEvent::UnitEvent(e) => match e {
            UnitEvent::Established(e) => (unit_established(e), vec![e.unit], vec![]),
            UnitEvent::TargetSet(e) => (unit_target_set(&l, e), vec![e.unit], vec![]),
        },
        AnyDomainEvent::BodyEvent(e) => match e {
            BodyEvent::Registered(e) => (body_registered(e), vec![], vec![]),
            BodyEvent::MembershipStarted(e) => (membership_started(&l, e), vec![], vec![]),
            BodyEvent::MembershipEnded(e) => (membership_ended(&l, e), vec![], vec![]),
        },
        AnyDomainEvent::FrameworkEvent(FrameworkEvent::Published(e)) => (framework_published(e), vec![], vec![]),
        AnyDomainEvent::CampaignEvent(e) => match e {
            CampaignEvent::Opened(e) => (campaign_opened(e), e.units.clone(), vec![]),
            CampaignEvent::ResponseSubmitted(e) => (response_submitted(&l, e), vec![e.unit], vec![]),
            CampaignEvent::ResponseWithdrawn(e) => (response_withdrawn(&l, e), vec![], vec![]),
            CampaignEvent::Closed(e) => (campaign_closed(&l, e), vec![], vec![]),
            CampaignEvent::ResultComputed(e) => {
                let units = match &e.subject {
                    ResultSubject::Unit(unit) => vec![*unit],
                    _ => vec![],
                };
                (result_computed(&l, e), units, vec![])
            }
        },
        AnyDomainEvent::EngagementEvent(e) => match e {
            EngagementEvent::Started(e) => {
                (engagement_started(&l, e), e.unit.into_iter().collect(), e.experiment.into_iter().collect())
            }
            EngagementEvent::SessionHeld(e) => (session_held(&l, e), vec![], vec![]),
            EngagementEvent::NoteRecorded(e) => (note_recorded(&l, e), vec![], vec![]),
            EngagementEvent::ActionAgreed(e) => (action_agreed(e), vec![], vec![]),
            EngagementEvent::ActionCompleted(e) => (action_completed(&l, e), vec![], vec![]),
            EngagementEvent::Closed(e) => (engagement_closed(&l, e), vec![], vec![]),
        },
        AnyDomainEvent::CommunicationEvent(CommunicationEvent::Published(e)) => {
            let experiments = e
                .links
                .iter()
                .filter_map(|link| match link {
                    kirjuri_events::domain::coaching::CommunicationLink::Experiment(id) => Some(*id),
                    _ => None,
                })
                .collect();
            (communication_published(e), vec![], experiments)
        }
        AnyDomainEvent::ExperimentEvent(e) => {
            let experiment = experiment_of(e);
            match e {
                ExperimentEvent::Proposed(e) => (experiment_proposed(e), e.units.clone(), vec![experiment]),
                ExperimentEvent::Approved(e) => (experiment_approved(&l, e), vec![], vec![experiment]),
                ExperimentEvent::ProtocolDefined(e) => (protocol_defined(&l, e), vec![], vec![experiment]),
                ExperimentEvent::BaselineEstablished(e) => (baseline_established(&l, e), vec![], vec![experiment]),
                ExperimentEvent::StageChanged(e) => (stage_changed(&l, e), vec![], vec![experiment]),
                ExperimentEvent::MeasurementRecorded(e) => (measurement_recorded(&l, e), vec![], vec![experiment]),
                ExperimentEvent::OutcomeAssessed(e) => (outcome_assessed(&l, e), vec![], vec![experiment]),
                ExperimentEvent::Concluded(e) => (experiment_concluded(&l, e), vec![], vec![experiment]),
            }
        }
        AnyDomainEvent::ObservationEvent(ObservationEvent::Submitted(e)) => {
            let experiments = source_experiments(std::slice::from_ref(&e.source));
            (observation_submitted(e), vec![], experiments)
        }
        AnyDomainEvent::LessonEvent(e) => match e {
            LessonEvent::Identified(e) => {
                (lesson_identified(e), e.unit.into_iter().collect(), source_experiments(&e.sources))
            }
            LessonEvent::ActionAssigned(e) => (lesson_action_assigned(&l, e), vec![e.unit], vec![]),
            LessonEvent::Learned(e) => (lesson_learned(&l, e), vec![], vec![]),
        },
        AnyDomainEvent::PracticeEvent(e) => match e {
            PracticeEvent::Drafted(e) => {
                let experiments = e
                    .evidence
                    .iter()
                    .filter_map(|link| match link {
                        kirjuri_events::domain::practice::EvidenceLink::Outcome { experiment, .. }
                        | kirjuri_events::domain::practice::EvidenceLink::Experiment { experiment } => {
                            Some(*experiment)
                        }
                        _ => None,
                    })
                    .collect();
                (practice_drafted(e), vec![], experiments)
            }
            PracticeEvent::Submitted(e) => (practice_submitted(&l, e), vec![], vec![]),
            PracticeEvent::Decided(e) => (practice_decided(&l, e), vec![], vec![]),
            PracticeEvent::Anchored(e) => (practice_anchored(&l, e), vec![e.owner_unit], vec![]),
            PracticeEvent::ImplementationProgressed(e) => (implementation_progressed(&l, e), vec![], vec![]),
            PracticeEvent::Revised(e) => (practice_revised(&l, e), vec![], vec![]),
            PracticeEvent::Superseded(e) => (practice_superseded(&l, e), vec![], vec![]),
            PracticeEvent::Retired(e) => (practice_retired(&l, e), vec![], vec![]),
            PracticeEvent::Shared(e) => (practice_shared(&l, e), vec![], vec![]),
            PracticeEvent::AdoptionReported(e) => (adoption_reported(&l, e), vec![], vec![]),
        },
        AnyDomainEvent::AccessLogEvent(AccessLogEvent::PersonalDataRead(e)) => {
            (personal_data_read(&l, e), vec![], vec![])
        }
        AnyDomainEvent::ApiTokenEvent(e) => match e {
            ApiTokenEvent::Issued(e) => (api_token_issued(&l, e), vec![], vec![]),
            ApiTokenEvent::Revoked(e) => (api_token_revoked(&l, e), vec![], vec![]),
        },
        AnyDomainEvent::UserEvent(e) => match e {
            UserEvent::Created(e) => (user_created(&l, e), vec![], vec![]),
            UserEvent::PasswordChanged(e) => (user_password_changed(&l, e), vec![], vec![]),
            UserEvent::Disabled(e) => (user_disabled(&l, e), vec![], vec![]),
        },
    };
    Description { fi: text.fi, en: text.en, units, experiments }
}

fn experiment_of(event: &ExperimentEvent) -> ExperimentId {
    match event {
        ExperimentEvent::Proposed(e) => e.experiment,
        ExperimentEvent::Approved(e) => e.experiment,
        ExperimentEvent::ProtocolDefined(e) => e.experiment,
        ExperimentEvent::BaselineEstablished(e) => e.experiment,
        ExperimentEvent::StageChanged(e) => e.experiment,
        ExperimentEvent::MeasurementRecorded(e) => e.experiment,
        ExperimentEvent::OutcomeAssessed(e) => e.experiment,
        ExperimentEvent::Concluded(e) => e.experiment,
    }
}

fn source_experiments(sources: &[LessonSource]) -> Vec<ExperimentId> {
    sources
        .iter()
        .filter_map(|source| match source {
            LessonSource::Experiment(id) => Some(*id),
            _ => None,
        })
        .collect()
}

fn municipality_registered(e: &MunicipalityRegistered) -> Text {
    let en = e.name.en.as_deref().unwrap_or(&e.name.fi);
    Text {
        fi: format!("Kunta {} ({}) rekisteröitiin", e.name.fi, e.code),
        en: format!("Municipality {en} ({}) registered", e.code),
    }
}

fn partner_network_joined(l: &Labeller, e: &PartnerNetworkJoined) -> Text {
    let (host_fi, host_en) = l.municipality(e.host);
    let (m_fi, m_en) = l.municipality(e.municipality);
    Text {
        fi: format!("{m_fi} liittyi kumppaniverkostoon, isäntänä {host_fi} ({})", e.joined_on),
        en: format!("{m_en} joined the partner network hosted by {host_en} ({})", e.joined_on),
    }
}

fn partner_network_left(l: &Labeller, e: &PartnerNetworkLeft) -> Text {
    let (host_fi, host_en) = l.municipality(e.host);
    let (m_fi, m_en) = l.municipality(e.municipality);
    Text {
        fi: format!("{m_fi} erosi kumppaniverkostosta, isäntänä {host_fi} ({})", e.left_on),
        en: format!("{m_en} left the partner network hosted by {host_en} ({})", e.left_on),
    }
}

fn partner_invited(l: &Labeller, e: &PartnerInvited) -> Text {
    let (host_fi, host_en) = l.municipality(e.host);
    let (p_fi, p_en) = l.municipality(e.partner);
    Text {
        fi: format!("{host_fi} kutsui kunnan {p_fi} kumppaniverkostoonsa ({})", e.invited_on),
        en: format!("{host_en} invited {p_en} into its partner network ({})", e.invited_on),
    }
}

fn partner_invitation_withdrawn(l: &Labeller, e: &PartnerInvitationWithdrawn) -> Text {
    let (host_fi, host_en) = l.municipality(e.host);
    let (p_fi, p_en) = l.municipality(e.partner);
    Text {
        fi: format!("{host_fi} perui kunnan {p_fi} kutsun kumppaniverkostoonsa ({})", e.withdrawn_on),
        en: format!("{host_en} withdrew the invitation of {p_en} into its partner network ({})", e.withdrawn_on),
    }
}

fn unit_established(e: &UnitEstablished) -> Text {
    let en = e.name.en.as_deref().unwrap_or(&e.name.fi);
    Text { fi: format!("Yksikkö «{}» perustettiin", e.name.fi), en: format!("Unit «{en}» established") }
}

fn unit_target_set(l: &Labeller, e: &UnitTargetSet) -> Text {
    let (unit_fi, unit_en) = l.unit(e.unit);
    Text {
        fi: format!(
            "Yksikölle {unit_fi} asetettiin tavoitetaso {} ulottuvuudelle {} (määräaika {})",
            e.target, e.dimension, e.due
        ),
        en: format!("Target level {} set for unit {unit_en} on dimension {} (due {})", e.target, e.dimension, e.due),
    }
}

fn body_registered(e: &BodyRegistered) -> Text {
    let en = e.name.en.as_deref().unwrap_or(&e.name.fi);
    Text { fi: format!("Toimielin {} rekisteröitiin", e.name.fi), en: format!("Body {en} registered") }
}

fn membership_started(l: &Labeller, e: &MembershipStarted) -> Text {
    let (body_fi, body_en) = l.body(e.body);
    let role = code(&e.role);
    Text {
        fi: format!("{} aloitti toimielimessä {body_fi}: {} ({})", e.member, fi_word(&role), e.started_on),
        en: format!("{} joined {body_en} as {} ({})", e.member, en_word(&role), e.started_on),
    }
}

fn membership_ended(l: &Labeller, e: &MembershipEnded) -> Text {
    let (body_fi, body_en) = l.body(e.body);
    Text {
        fi: format!("Jäsenyys toimielimessä {body_fi} päättyi ({})", e.ended_on),
        en: format!("A membership of {body_en} ended ({})", e.ended_on),
    }
}

fn framework_published(e: &FrameworkPublished) -> Text {
    let label = e.definition.label();
    Text {
        fi: format!("Arviointikehys {label} ({}) julkaistiin", e.definition.title.fi),
        en: format!(
            "Assessment framework {label} ({}) published",
            e.definition.title.en.as_deref().unwrap_or(&e.definition.title.fi)
        ),
    }
}

fn campaign_opened(e: &CampaignOpened) -> Text {
    let en = e.title.en.as_deref().unwrap_or(&e.title.fi);
    Text {
        fi: format!(
            "Arviointikierros «{}» avattiin {} yksikölle ({}–{}, vähimmäisryhmä {})",
            e.title.fi,
            e.units.len(),
            e.opens,
            e.closes,
            e.min_group_size
        ),
        en: format!(
            "Assessment campaign «{en}» opened for {} units ({} to {}, minimum group {})",
            e.units.len(),
            e.opens,
            e.closes,
            e.min_group_size
        ),
    }
}

fn response_submitted(l: &Labeller, e: &ResponseSubmitted) -> Text {
    let (c_fi, c_en) = l.campaign(e.campaign);
    let (u_fi, u_en) = l.unit(e.unit);
    Text {
        fi: format!("Vastaus kierrokseen {c_fi} yksiköstä {u_fi} ({} kohtaa)", e.answers.len()),
        en: format!("Response to {c_en} from unit {u_en} ({} items)", e.answers.len()),
    }
}

fn response_withdrawn(l: &Labeller, e: &ResponseWithdrawn) -> Text {
    let (c_fi, c_en) = l.campaign(e.campaign);
    Text {
        fi: format!("Vastaus kierrokseen {c_fi} peruttiin ({})", e.withdrawn_on),
        en: format!("A response to {c_en} was withdrawn ({})", e.withdrawn_on),
    }
}

fn campaign_closed(l: &Labeller, e: &CampaignClosed) -> Text {
    let (c_fi, c_en) = l.campaign(e.campaign);
    Text {
        fi: format!("Arviointikierros {c_fi} suljettiin {}: {} vastausta", e.closed_on, e.response_count),
        en: format!("Assessment campaign {c_en} closed on {}: {} responses", e.closed_on, e.response_count),
    }
}

fn result_computed(l: &Labeller, e: &ResultComputed) -> Text {
    let (c_fi, c_en) = l.campaign(e.campaign);
    let (subject_fi, subject_en) = match &e.subject {
        // Never a respondent's pseudonym in the audit summary.
        ResultSubject::Person(_) => ("vastaajalle".to_owned(), "a respondent".to_owned()),
        ResultSubject::Unit(unit) => {
            let (fi, en) = l.unit(*unit);
            (format!("yksikölle {fi}"), format!("unit {en}"))
        }
        ResultSubject::Municipality(m) => {
            let (fi, en) = l.municipality(*m);
            (format!("kunnalle {fi}"), format!("municipality {en}"))
        }
    };
    Text {
        fi: format!(
            "Kierroksen {c_fi} tulos laskettiin {subject_fi}: taso {:.1} ({} vastausta)",
            e.overall.level, e.response_count
        ),
        en: format!(
            "Result of {c_en} computed for {subject_en}: level {:.1} ({} responses)",
            e.overall.level, e.response_count
        ),
    }
}

fn engagement_started(l: &Labeller, e: &EngagementStarted) -> Text {
    let (unit_fi, unit_en) = match e.unit {
        Some(unit) => {
            let (fi, en) = l.unit(unit);
            (format!(" yksikössä {fi}"), format!(" in unit {en}"))
        }
        None => (String::new(), String::new()),
    };
    Text {
        fi: format!("Valmennus aloitettiin{unit_fi}: {} valmennettavaa ({})", e.coachees.len(), e.started),
        en: format!("Coaching engagement started{unit_en}: {} coachees ({})", e.coachees.len(), e.started),
    }
}

fn session_held(l: &Labeller, e: &SessionHeld) -> Text {
    let (g_fi, g_en) = l.engagement(e.engagement);
    Text {
        fi: format!(
            "Valmennustapaaminen ({g_fi}) pidettiin {}: {} min, {} osallistujaa",
            e.date, e.duration_minutes, e.attendees
        ),
        en: format!(
            "Coaching session ({g_en}) held on {}: {} min, {} attendees",
            e.date, e.duration_minutes, e.attendees
        ),
    }
}

fn note_recorded(l: &Labeller, e: &NoteRecorded) -> Text {
    // The free text is personal: only the shareable review's "keep or change" is summarised.
    let (g_fi, g_en) = l.engagement(e.engagement);
    Text {
        fi: format!("Valmennusmuistiinpano kirjattiin ({g_fi}): {}", e.keep_or_change.fi),
        en: format!(
            "Coaching note recorded ({g_en}): {}",
            e.keep_or_change.en.as_deref().unwrap_or(&e.keep_or_change.fi)
        ),
    }
}

fn action_agreed(e: &ActionAgreed) -> Text {
    Text {
        fi: format!("Toimenpide sovittiin: {} (määräaika {})", e.description.fi, e.due),
        en: format!("Action agreed: {} (due {})", e.description.en.as_deref().unwrap_or(&e.description.fi), e.due),
    }
}

fn action_completed(l: &Labeller, e: &ActionCompleted) -> Text {
    let (g_fi, g_en) = l.engagement(e.engagement);
    Text {
        fi: format!("Valmennuksen {g_fi} toimenpide tehtiin ({})", e.completed),
        en: format!("An action of {g_en} was completed ({})", e.completed),
    }
}

fn engagement_closed(l: &Labeller, e: &EngagementClosed) -> Text {
    let (g_fi, g_en) = l.engagement(e.engagement);
    Text {
        fi: format!("Valmennus {g_fi} päättyi {}: {}", e.closed, e.outcome_summary.fi),
        en: format!(
            "Coaching engagement {g_en} closed on {}: {}",
            e.closed,
            e.outcome_summary.en.as_deref().unwrap_or(&e.outcome_summary.fi)
        ),
    }
}

fn communication_published(e: &CommunicationPublished) -> Text {
    let channel = code(&e.channel);
    Text {
        fi: format!("Tiedote «{}» julkaistiin ({}, {})", e.title.fi, channel, e.published),
        en: format!(
            "Communication «{}» published ({}, {})",
            e.title.en.as_deref().unwrap_or(&e.title.fi),
            en_word(&channel),
            e.published
        ),
    }
}

fn experiment_proposed(e: &ExperimentProposed) -> Text {
    Text {
        fi: format!("Kokeilua «{}» ehdotettiin ({})", e.name.fi, e.proposed),
        en: format!("Experiment «{}» proposed ({})", e.name.en.as_deref().unwrap_or(&e.name.fi), e.proposed),
    }
}

fn experiment_approved(l: &Labeller, e: &ExperimentApproved) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    let (b_fi, b_en) = l.body(e.decision.body);
    Text {
        fi: format!(
            "{b_fi} hyväksyi kokeilun {x_fi} (§ {}, {}): {}–{}",
            e.decision.section, e.decision.meeting_date, e.starts, e.ends
        ),
        en: format!(
            "{b_en} approved experiment {x_en} (§ {}, {}): {} to {}",
            e.decision.section, e.decision.meeting_date, e.starts, e.ends
        ),
    }
}

fn protocol_defined(l: &Labeller, e: &ProtocolDefined) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    let design = code(&e.design);
    Text {
        fi: format!("Kokeilun {x_fi} arviointiasetelma määriteltiin: {design}, {} kriteeriä", e.criteria.len()),
        en: format!("Evaluation protocol of {x_en} defined: {}, {} criteria", en_word(&design), e.criteria.len()),
    }
}

fn baseline_established(l: &Labeller, e: &BaselineEstablished) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    Text {
        fi: format!("Kokeilun {x_fi} lähtötaso {} = {}", e.metric, e.value),
        en: format!("Baseline of {x_en}: {} = {}", e.metric, e.value),
    }
}

fn stage_changed(l: &Labeller, e: &StageChanged) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    let (from, to) = (code(&e.from), code(&e.to));
    Text {
        fi: format!("Kokeilun {x_fi} vaihe: {} → {} ({})", fi_word(&from), fi_word(&to), e.changed),
        en: format!("Experiment {x_en} moved from {} to {} ({})", en_word(&from), en_word(&to), e.changed),
    }
}

fn measurement_recorded(l: &Labeller, e: &MeasurementRecorded) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    Text {
        fi: format!("Kokeilun {x_fi} mittaus {} = {} (n = {})", e.metric, e.value, e.n),
        en: format!("Measurement of {x_en}: {} = {} (n = {})", e.metric, e.value, e.n),
    }
}

fn outcome_assessed(l: &Labeller, e: &OutcomeAssessed) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    let (criterion, verdict) = (code(&e.criterion), code(&e.verdict));
    Text {
        fi: format!("Kokeilun {x_fi} tulos, {}: {}", fi_word(&criterion), fi_word(&verdict)),
        en: format!("Outcome of {x_en} on {}: {}", en_word(&criterion), en_word(&verdict)),
    }
}

fn experiment_concluded(l: &Labeller, e: &ExperimentConcluded) -> Text {
    let (x_fi, x_en) = l.experiment(e.experiment);
    let end = code(&e.end_state);
    Text {
        fi: format!("Kokeilu {x_fi} päättyi {}: {}", e.concluded, fi_word(&end)),
        en: format!("Experiment {x_en} concluded on {}: {}", e.concluded, en_word(&end)),
    }
}

fn observation_submitted(e: &ObservationSubmitted) -> Text {
    Text {
        fi: format!("Havainto kirjattiin: {}", e.text.fi),
        en: format!("Observation submitted: {}", e.text.en.as_deref().unwrap_or(&e.text.fi)),
    }
}

fn lesson_identified(e: &LessonIdentified) -> Text {
    Text {
        fi: format!("Opetus «{}» tunnistettiin ({} lähdettä)", e.title.fi, e.sources.len()),
        en: format!(
            "Lesson «{}» identified ({} sources)",
            e.title.en.as_deref().unwrap_or(&e.title.fi),
            e.sources.len()
        ),
    }
}

fn lesson_action_assigned(l: &Labeller, e: &LessonActionAssigned) -> Text {
    let (lesson_fi, lesson_en) = l.lesson(e.lesson);
    let (u_fi, u_en) = l.unit(e.unit);
    Text {
        fi: format!("Opetuksesta {lesson_fi} annettiin toimenpide yksikölle {u_fi} (määräaika {})", e.due),
        en: format!("Action from lesson {lesson_en} assigned to unit {u_en} (due {})", e.due),
    }
}

/// The entity kind API tokens' names are kept under (the token id, not its stream).
pub const API_TOKEN_KIND: &str = "apitoken";

/// Names the token, its municipality and roles; never its hash, which is only for checking it.
fn api_token_issued(l: &Labeller, e: &ApiTokenIssued) -> Text {
    let (tenant_fi, tenant_en) = l.municipality(e.tenant);
    let roles = e.roles.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
    Text {
        fi: format!("API-tunnus «{}» myönnettiin kunnalle {tenant_fi} (roolit: {roles})", e.name),
        en: format!("API token «{}» issued for {tenant_en} (roles: {roles})", e.name),
    }
}

fn api_token_revoked(l: &Labeller, e: &ApiTokenRevoked) -> Text {
    let (token_fi, token_en) = l.label(API_TOKEN_KIND, e.token.0);
    Text { fi: format!("API-tunnus {token_fi} mitätöitiin"), en: format!("API token {token_en} revoked") }
}

/// The entity kind users' usernames are kept under (the user id, not its stream).
pub const USER_KIND: &str = "user";

/// Names the user, municipality and roles; never the password hash, which is only for checking it.
fn user_created(l: &Labeller, e: &UserCreated) -> Text {
    let (tenant_fi, tenant_en) = l.municipality(e.tenant);
    let roles = e.roles.iter().map(String::as_str).collect::<Vec<_>>().join(", ");
    Text {
        fi: format!("Käyttäjätunnus «{}» luotiin kunnalle {tenant_fi} (roolit: {roles})", e.username),
        en: format!("User «{}» created for {tenant_en} (roles: {roles})", e.username),
    }
}

fn user_password_changed(l: &Labeller, e: &UserPasswordChanged) -> Text {
    let (user_fi, user_en) = l.label(USER_KIND, e.user.0);
    Text {
        fi: format!("Käyttäjän {user_fi} salasana vaihdettiin"), en: format!("User {user_en}'s password changed")
    }
}

fn user_disabled(l: &Labeller, e: &UserDisabled) -> Text {
    let (user_fi, user_en) = l.label(USER_KIND, e.user.0);
    Text { fi: format!("Käyttäjä {user_fi} poistettiin käytöstä"), en: format!("User {user_en} disabled") }
}

fn lesson_learned(l: &Labeller, e: &LessonLearned) -> Text {
    let (lesson_fi, lesson_en) = l.lesson(e.lesson);
    Text { fi: format!("Opetus {lesson_fi} opittiin"), en: format!("Lesson {lesson_en} learned") }
}

fn practice_drafted(e: &PracticeDrafted) -> Text {
    Text {
        fi: format!("Käytäntö «{}» luonnosteltiin ({} näyttöä)", e.title.fi, e.evidence.len()),
        en: format!(
            "Practice «{}» drafted ({} pieces of evidence)",
            e.title.en.as_deref().unwrap_or(&e.title.fi),
            e.evidence.len()
        ),
    }
}

fn practice_submitted(l: &Labeller, e: &PracticeSubmitted) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    let (b_fi, b_en) = l.body(e.body);
    Text {
        fi: format!("Käytännön {p_fi} versio {} vietiin päätettäväksi: {b_fi}, asia {}", e.version, e.case_number),
        en: format!("Practice {p_en} version {} submitted to {b_en}, case {}", e.version, e.case_number),
    }
}

fn practice_decided(l: &Labeller, e: &PracticeDecided) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    let (b_fi, b_en) = l.body(e.body);
    let (r_fi, r_en) = resolution_words(e.resolution);
    Text {
        fi: format!("{b_fi} päätti käytännöstä {p_fi} ({}): {r_fi}", e.section),
        en: format!("{b_en} decided practice {p_en} ({}): {r_en}", e.section),
    }
}

fn practice_anchored(l: &Labeller, e: &PracticeAnchored) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    let into = code(&e.into);
    Text {
        fi: format!(
            "Käytäntö {p_fi} vakiinnutettiin ({}): «{}», voimassa {} alkaen",
            fi_word(&into),
            e.target.fi,
            e.effective_from
        ),
        en: format!(
            "Practice {p_en} anchored in a {}: «{}», effective from {}",
            en_word(&into),
            e.target.en.as_deref().unwrap_or(&e.target.fi),
            e.effective_from
        ),
    }
}

fn implementation_progressed(l: &Labeller, e: &ImplementationProgressed) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    Text {
        fi: format!("Käytännön {p_fi} toimeenpano: {} %", e.percent.get()),
        en: format!("Implementation of practice {p_en}: {}%", e.percent.get()),
    }
}

fn practice_revised(l: &Labeller, e: &PracticeRevised) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    Text {
        fi: format!("Käytännöstä {p_fi} tehtiin versio {}: {}", e.new_version, e.what_changed.fi),
        en: format!(
            "Practice {p_en} revised to version {}: {}",
            e.new_version,
            e.what_changed.en.as_deref().unwrap_or(&e.what_changed.fi)
        ),
    }
}

fn practice_superseded(l: &Labeller, e: &PracticeSuperseded) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    let (by_fi, by_en) = l.practice(e.by);
    Text {
        fi: format!("Käytäntö {p_fi} korvattiin käytännöllä {by_fi}"),
        en: format!("Practice {p_en} superseded by {by_en}"),
    }
}

fn practice_retired(l: &Labeller, e: &PracticeRetired) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    Text {
        fi: format!("Käytäntö {p_fi} poistettiin käytöstä: {}", e.reason.fi),
        en: format!("Practice {p_en} retired: {}", e.reason.en.as_deref().unwrap_or(&e.reason.fi)),
    }
}

fn practice_shared(l: &Labeller, e: &PracticeShared) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    let partners: Vec<(String, String)> = e.partners.iter().map(|m| l.municipality(*m)).collect();
    let fi: Vec<&str> = partners.iter().map(|(fi, _)| fi.as_str()).collect();
    let en: Vec<&str> = partners.iter().map(|(_, en)| en.as_str()).collect();
    Text {
        fi: format!("Käytännön {p_fi} versio {} jaettiin kumppaneille: {}", e.version, fi.join(", ")),
        en: format!("Practice {p_en} version {} shared with partners: {}", e.version, en.join(", ")),
    }
}

fn adoption_reported(l: &Labeller, e: &AdoptionReported) -> Text {
    let (p_fi, p_en) = l.practice(e.practice);
    let (m_fi, m_en) = l.municipality(e.partner);
    let status = code(&e.status);
    Text {
        fi: format!("{m_fi} ilmoitti käytännöstä {p_fi}: {}", fi_word(&status)),
        en: format!("{m_en} reported on practice {p_en}: {}", en_word(&status)),
    }
}

/// Names what was read, never the data itself (nor the purpose: that stays in the log's data).
fn personal_data_read(l: &Labeller<'_>, e: &PersonalDataRead) -> Text {
    match &e.data {
        PersonalData::CoachingNotes { engagement, notes } => {
            let (fi, en) = l.engagement(*engagement);
            Text {
                fi: format!("Henkilötietoja luettiin: {fi}, muistiinpanoja {}", notes.len()),
                en: format!("Personal data read: {en}, {} notes", notes.len()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoNames;

    impl Names for NoNames {
        fn name(&self, _: &str, _: Uuid) -> Option<(String, Option<String>)> {
            None
        }
    }

    #[test]
    fn an_issued_token_is_summarised_by_name_tenant_and_roles_without_its_hash() {
        let fixture = include_str!("../../../events/model/fixtures/ApiTokenIssued.v1.json");
        let event = AnyDomainEvent::decode("ApiTokenIssued", 1, fixture).expect("the fixture decodes");
        let AnyDomainEvent::ApiTokenEvent(ApiTokenEvent::Issued(issued)) = &event else { panic!("{event:?}") };

        let description = describe(&event, &NoNames);

        assert_eq!(description.en, "API token «ci-pipeline» issued for municipality 0193a0b4 (roles: auditor, staff)");
        for text in [&description.fi, &description.en] {
            assert!(!text.contains(&issued.secret_hash[..16]), "{text}");
        }
    }

    #[test]
    fn user_events_are_summarised_without_the_password_hash() {
        for (event_type, fixture) in [
            ("UserCreated", include_str!("../../../events/model/fixtures/UserCreated.v1.json")),
            ("UserPasswordChanged", include_str!("../../../events/model/fixtures/UserPasswordChanged.v1.json")),
            ("UserDisabled", include_str!("../../../events/model/fixtures/UserDisabled.v1.json")),
        ] {
            let event = AnyDomainEvent::decode(event_type, 1, fixture).expect("the fixture decodes");
            let description = describe(&event, &NoNames);
            for text in [&description.fi, &description.en] {
                assert!(!text.contains("argon2"), "{text}");
                assert!(!text.contains("$"), "{text}");
            }
            if event_type == "UserCreated" {
                assert_eq!(
                    description.en,
                    "User «anna.virtanen» created for municipality 0193a0b4 (roles: decision_maker, staff)"
                );
            }
        }
    }
}

//! `POST /api/v1/commands/<what-it-does>`: one route per command of every aggregate.
//!
//! The body is the command's fields (the domain's names, snake_case), deserialised into the
//! domain's own command type, which runs the same `parse` rules as any other caller and refuses
//! unknown fields. Each handler is thin: `read_command` parses the request, `execute` runs
//! it once and answers with the outcome.
//!
//! The use case itself — idempotency by key, who issues the command for which municipality,
//! authorisation — is [`kirjuri_app::commands::run`], which the web forms call too.

use axum::body::Bytes;
use axum::extract::{FromRequest as _, Request, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kirjuri_domain::Aggregate;
use kirjuri_domain::assessment::{
    CampaignCommand, CampaignState, CloseCampaign, ComputeResults, FrameworkCommand, FrameworkState, OpenCampaign,
    OpenCampaignInput, PublishFramework, PublishFrameworkInput, SubmitResponse, SubmitResponseInput, WithdrawResponse,
    WithdrawResponseInput,
};
use kirjuri_domain::coaching::{
    AgreeAction, CloseEngagement, CommunicationCommand, CommunicationState, CompleteAction, EngagementCommand,
    EngagementState, HoldSession, PublishCommunication, RecordNote, StartEngagement,
};
use kirjuri_domain::experiment::{
    ApproveExperiment, AssessOutcome, ChangeStage, ConcludeExperiment, DefineProtocol, EstablishBaseline,
    ExperimentCommand, ExperimentState, ProposeExperiment, RecordMeasurement,
};
use kirjuri_domain::lesson::{
    AssignLessonAction, IdentifyLesson, LessonCommand, LessonState, ObservationCommand, ObservationState,
    RecordLessonLearned, SubmitObservation,
};
use kirjuri_domain::organisation::{
    BodyCommand, BodyState, EndMembership, EstablishUnit, EstablishUnitInput, InvitePartner, InvitePartnerInput,
    JoinPartnerNetwork, JoinPartnerNetworkInput, LeavePartnerNetwork, LeavePartnerNetworkInput, MunicipalityCommand,
    MunicipalityState, RegisterBody, RegisterBodyInput, RegisterMunicipality, RegisterMunicipalityInput, SetUnitTarget,
    SetUnitTargetInput, StartMembership, StartMembershipInput, UnitCommand, UnitState, WithdrawPartnerInvitation,
    WithdrawPartnerInvitationInput,
};
use kirjuri_domain::practice::{
    AnchorPractice, DecidePractice, DecidePracticeInput, DraftPractice, PracticeCommand, PracticeState, ReportAdoption,
    ReportProgress, RetirePractice, RevisePractice, SharePractice, SubmitPractice, SupersedePractice,
};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_events::{Position, Revision};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;

use super::error::ProblemDetailsSchema;
use super::health::PositionSchema;
use super::{ApiError, AppState, Authenticated, ErrorCode};
use kirjuri_app::AppError;
use kirjuri_app::commands::{CommandRequest, run};
use kirjuri_app::usecases::Executed;
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, CommandGroup, Resource, authorize};

/// The header naming a command for idempotency.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The longest idempotency key accepted.
pub(crate) const MAX_HEADER_CHARS: usize = 255;

/// The body of a successful command.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommandOutcome {
    /// The stream the command changed.
    stream: String,
    /// The stream's revision after the command (also the `ETag`); absent if the stream is empty.
    revision: Option<u64>,
    /// The global position of the command's last event, when it appended.
    #[schema(value_type = Option<PositionSchema>)]
    position: Option<Position>,
    /// How many events the command appended (0 when it changed nothing).
    events: usize,
    /// Whether this answers a repeat of an already applied command (same key, same body).
    repeated: bool,
}

/// Reads a header as 1–255 visible ASCII characters; `Ok(None)` when absent.
fn visible_ascii_header(headers: &HeaderMap, name: &str, shown: &str) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(name) else { return Ok(None) };
    let text = value.to_str().ok().filter(|v| {
        !v.is_empty() && v.len() <= MAX_HEADER_CHARS && v.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    });
    let text = text.map(str::trim).filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic()));
    match text {
        Some(text) => Ok(Some(text.to_owned())),
        None => Err(ApiError::bad_request(format!("{shown} must be 1 to {MAX_HEADER_CHARS} visible ASCII characters"))),
    }
}

/// `If-Match: "<revision>"` (or `If-None-Match: *`: the stream must not exist yet).
fn precondition(headers: &HeaderMap) -> Result<Option<Option<Revision>>, ApiError> {
    if let Some(value) = headers.get(IF_NONE_MATCH) {
        if value.to_str().is_ok_and(|v| v.trim() == "*") {
            return Ok(Some(None));
        }
        return Err(ApiError::bad_request("If-None-Match: only `*` (the stream must not exist yet) is supported"));
    }
    let Some(value) = headers.get(IF_MATCH) else { return Ok(None) };
    let revision = value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|v| v.strip_prefix('"'))
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse::<u64>().ok());
    match revision {
        Some(revision) => Ok(Some(Some(Revision(revision)))),
        None => Err(ApiError::bad_request(
            "If-Match must be one stream revision as a quoted ETag, e.g. \"3\" (as the ETag of a response)",
        )),
    }
}

/// Whether the request says its body is JSON (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads a JSON body: 400 for malformed JSON, with line and column.
fn parse_body(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::bad_request(format!(
            "the body is not valid JSON: {} (line {}, column {})",
            strip_location(&error),
            error.line(),
            error.column()
        ))
    })
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_location(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    message.strip_suffix(&suffix).unwrap_or(&message).to_owned()
}

/// Reads a command request: the `Idempotency-Key` (required), the precondition, a JSON body of
/// at most `max_body_bytes`, parsed by the command's own rules ([`CommandRequest::from_json`]).
async fn read_command<C: DeserializeOwned>(request: Request, state: &AppState) -> Result<CommandRequest<C>, ApiError> {
    let headers = request.headers();
    let idempotency_key =
        visible_ascii_header(headers, IDEMPOTENCY_KEY, "the Idempotency-Key header")?.ok_or_else(|| {
            ApiError::bad_request(
                "the Idempotency-Key header is required on every command (1 to 255 visible ASCII characters); \
                 a retry with the same key is answered once",
            )
        })?;
    let if_revision = precondition(headers)?;
    if !is_json(headers) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "a command body must be JSON: send Content-Type: application/json",
        ));
    }
    let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "the body is larger than {} bytes, the most a command may be (setting max_body_bytes)",
                    state.max_body_bytes
                ),
            )
        } else {
            ApiError::bad_request(format!("the body could not be read: {}", rejection.body_text()))
        }
    })?;
    CommandRequest::from_json(parse_body(&bytes)?, &idempotency_key, if_revision)
        .map_err(|failure| AppError::from(failure).into())
}

/// Authorises and runs one command through the bus, and answers: 201 if it created the stream,
/// else 200, with the stream's revision as the `ETag`. The record it acts on belongs to the
/// municipality the command names (`tenant`) or, for a command on an existing record that names
/// none, to the municipality its stream was created for.
async fn execute<A, C>(
    state: &AppState,
    principal: &Principal,
    group: CommandGroup,
    request: CommandRequest<C>,
    tenant: Option<MunicipalityId>,
    into_command: fn(C) -> A::Command,
) -> Result<Response, ApiError>
where
    A: Aggregate + Send + Sync + 'static,
    A::Event: Send + Sync,
{
    run::<A, C>(state, principal, group, request, tenant, into_command)
        .await
        .map(answer)
        .map_err(|failure| AppError::from(failure).into())
}

fn answer(executed: Executed) -> Response {
    let status = if executed.created { StatusCode::CREATED } else { StatusCode::OK };
    let outcome = CommandOutcome {
        stream: executed.stream.to_string(),
        revision: executed.revision.map(|r| r.0),
        position: executed.position,
        events: executed.events,
        repeated: executed.repeated,
    };
    let mut response = (status, axum::Json(outcome)).into_response();
    if let Some(revision) = executed.revision
        && let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", revision.0))
    {
        response.headers_mut().insert(ETAG, etag);
    }
    response
}

/// Declares one route per command: its handler with its OpenAPI description, and [`routes`].
macro_rules! command_routes {
    ($(
        $(#[doc = $doc:literal])*
        $handler:ident = $path:literal, $body:ty => $command:ty, $aggregate:ty, $variant:path,
            $group:ident, tenant: |$c:ident| $tenant:expr;
    )*) => {
        $(
            $(#[doc = $doc])*
            #[utoipa::path(post, path = $path, tag = "commands", security(("bearer" = [])),
                params(
                    ("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = r"^[\x21-\x7E]+$",
                        description = "Names the command: a retry with the same key and body is answered once, as the first time; the same key with another body is a 422"),
                    ("If-Match" = Option<String>, Header, nullable = false, pattern = r#"^"[0-9]{1,19}"$"#,
                        description = "Decide only if the stream is at this revision, a quoted ETag such as \"3\"; otherwise 412"),
                    ("If-None-Match" = Option<String>, Header, nullable = false, pattern = r"^\*$",
                        description = "`*`: decide only if the stream does not exist yet; otherwise 412"),
                ),
                request_body(content = $body, content_type = "application/json"),
                responses(
                    (status = 200, description = "Applied to an existing stream (or a repeat of such a command)",
                        body = CommandOutcome, headers(("ETag" = String, description = "The stream's revision after the command"))),
                    (status = 201, description = "Applied, creating the stream (or a repeat of such a command)",
                        body = CommandOutcome, headers(("ETag" = String, description = "The stream's revision after the command"))),
                    (status = 400, description = "Malformed JSON, or a missing or malformed Idempotency-Key, If-Match or If-None-Match",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 401, description = "No credentials, or unacceptable ones",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 403, description = "None of the caller's roles may issue this command (the detail names the roles that may)",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 404, description = "The record belongs to another municipality",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 409, description = "The stream kept changing while the command was decided; retry",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 412, description = "The stream is not at the revision If-Match names (the detail says where it is), or If-None-Match: * and it exists",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 413, description = "The body is over 1 MiB, or the resulting event over the store's limit",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 415, description = "The body is not application/json",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 422, description = "A field breaks a rule, the domain refused the command, or the Idempotency-Key was used for another body; the detail names the field and the rule",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                    (status = 503, description = "The event store is unavailable",
                        body = ProblemDetailsSchema, content_type = "application/problem+json"),
                ))]
            async fn $handler(
                State(state): State<AppState>,
                Authenticated(principal): Authenticated,
                request: Request,
            ) -> Result<Response, ApiError> {
                // Whether any of the caller's roles may issue the command at all is decided
                // before the body is read: a caller who may not is told so, not how to fix the body.
                authorize(&principal, Action::Command(CommandGroup::$group), &Resource::default())
                    .map_err(ApiError::denied)?;
                let request = read_command::<$command>(request, &state).await?;
                let tenant: Option<MunicipalityId> = {
                    let $c = &request.command;
                    $tenant
                };
                execute::<$aggregate, $command>(&state, &principal, CommandGroup::$group, request, tenant, $variant).await
            }
        )*

        /// Every command route, documented.
        pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
            router $(.routes(utoipa_axum::routes!($handler)))*
        }

        /// The path of every command route.
        pub const COMMAND_PATHS: &[&str] = &[$($path),*];
    };
}

command_routes! {
    /// Register a municipality as a tenant.
    register_municipality = "/api/v1/commands/register-municipality", RegisterMunicipalityInput => RegisterMunicipality,
        MunicipalityState, MunicipalityCommand::Register, Organisation, tenant: |c| Some(c.municipality);
    /// Invite another municipality into the caller's partner network (the host's consent).
    invite_partner = "/api/v1/commands/invite-partner", InvitePartnerInput => InvitePartner,
        MunicipalityState, MunicipalityCommand::InvitePartner, Organisation, tenant: |c| Some(c.host);
    /// Withdraw an invitation into the caller's partner network; a partnership built on it ends.
    withdraw_partner_invitation = "/api/v1/commands/withdraw-partner-invitation",
        WithdrawPartnerInvitationInput => WithdrawPartnerInvitation,
        MunicipalityState, MunicipalityCommand::WithdrawPartnerInvitation, Organisation, tenant: |c| Some(c.host);
    /// Join a host municipality's partner network that invited the caller's municipality.
    join_partner_network = "/api/v1/commands/join-partner-network", JoinPartnerNetworkInput => JoinPartnerNetwork,
        MunicipalityState, MunicipalityCommand::JoinPartnerNetwork, Organisation, tenant: |c| Some(c.municipality);
    /// End a municipality's partnership in a host's network.
    leave_partner_network = "/api/v1/commands/leave-partner-network", LeavePartnerNetworkInput => LeavePartnerNetwork,
        MunicipalityState, MunicipalityCommand::LeavePartnerNetwork, Organisation, tenant: |c| Some(c.municipality);
    /// Establish a unit in a municipality.
    establish_unit = "/api/v1/commands/establish-unit", EstablishUnitInput => EstablishUnit,
        UnitState, UnitCommand::Establish, Organisation, tenant: |c| Some(c.municipality);
    /// Set a unit's target level on one framework dimension.
    set_unit_target = "/api/v1/commands/set-unit-target", SetUnitTargetInput => SetUnitTarget,
        UnitState, UnitCommand::SetTarget, Organisation, tenant: |_c| None;
    /// Register a decision-making body.
    register_body = "/api/v1/commands/register-body", RegisterBodyInput => RegisterBody,
        BodyState, BodyCommand::Register, Organisation, tenant: |c| Some(c.municipality);
    /// Seat someone in a body.
    start_membership = "/api/v1/commands/start-membership", StartMembershipInput => StartMembership,
        BodyState, BodyCommand::StartMembership, Organisation, tenant: |_c| None;
    /// End someone's seat in a body.
    end_membership = "/api/v1/commands/end-membership", EndMembership => EndMembership,
        BodyState, BodyCommand::EndMembership, Organisation, tenant: |_c| None;
    /// Publish an assessment framework version.
    publish_framework = "/api/v1/commands/publish-framework", PublishFrameworkInput => PublishFramework,
        FrameworkState, FrameworkCommand::Publish, Campaigns, tenant: |_c| None;
    /// Open an assessment campaign.
    open_campaign = "/api/v1/commands/open-campaign", OpenCampaignInput => OpenCampaign,
        CampaignState, CampaignCommand::Open, Campaigns, tenant: |c| Some(c.municipality);
    /// Submit one respondent's answers to a campaign.
    submit_response = "/api/v1/commands/submit-response", SubmitResponseInput => SubmitResponse,
        CampaignState, CampaignCommand::SubmitResponse, Responses, tenant: |_c| None;
    /// Withdraw a response so that it no longer counts.
    withdraw_response = "/api/v1/commands/withdraw-response", WithdrawResponseInput => WithdrawResponse,
        CampaignState, CampaignCommand::WithdrawResponse, Responses, tenant: |_c| None;
    /// Stop a campaign taking answers.
    close_campaign = "/api/v1/commands/close-campaign", CloseCampaign => CloseCampaign,
        CampaignState, CampaignCommand::Close, Campaigns, tenant: |_c| None;
    /// Compute and record a campaign's results per person, unit and municipality.
    compute_results = "/api/v1/commands/compute-results", ComputeResults => ComputeResults,
        CampaignState, CampaignCommand::ComputeResults, Campaigns, tenant: |_c| None;
    /// Start a coaching engagement.
    start_engagement = "/api/v1/commands/start-engagement", StartEngagement => StartEngagement,
        EngagementState, EngagementCommand::Start, Coaching, tenant: |c| Some(c.municipality);
    /// Record a coaching session held.
    hold_session = "/api/v1/commands/hold-session", HoldSession => HoldSession,
        EngagementState, EngagementCommand::HoldSession, Coaching, tenant: |_c| None;
    /// Record a note on one of an engagement's sessions.
    record_note = "/api/v1/commands/record-note", RecordNote => RecordNote,
        EngagementState, EngagementCommand::RecordNote, Coaching, tenant: |_c| None;
    /// Agree on an action in an engagement.
    agree_action = "/api/v1/commands/agree-action", AgreeAction => AgreeAction,
        EngagementState, EngagementCommand::AgreeAction, Coaching, tenant: |_c| None;
    /// Mark an agreed action done.
    complete_action = "/api/v1/commands/complete-action", CompleteAction => CompleteAction,
        EngagementState, EngagementCommand::CompleteAction, Coaching, tenant: |_c| None;
    /// Close a coaching engagement.
    close_engagement = "/api/v1/commands/close-engagement", CloseEngagement => CloseEngagement,
        EngagementState, EngagementCommand::Close, Coaching, tenant: |_c| None;
    /// Publish a communication.
    publish_communication = "/api/v1/commands/publish-communication", PublishCommunication => PublishCommunication,
        CommunicationState, CommunicationCommand::Publish, Communications, tenant: |c| Some(c.municipality);
    /// Propose an experiment.
    propose_experiment = "/api/v1/commands/propose-experiment", ProposeExperiment => ProposeExperiment,
        ExperimentState, ExperimentCommand::Propose, Experiments, tenant: |c| Some(c.municipality);
    /// Record a body's decision approving a proposed experiment.
    approve_experiment = "/api/v1/commands/approve-experiment", ApproveExperiment => ApproveExperiment,
        ExperimentState, ExperimentCommand::Approve, Experiments, tenant: |_c| None;
    /// Define the evaluation protocol of an approved experiment.
    define_protocol = "/api/v1/commands/define-protocol", DefineProtocol => DefineProtocol,
        ExperimentState, ExperimentCommand::DefineProtocol, Experiments, tenant: |_c| None;
    /// Establish a metric's baseline.
    establish_baseline = "/api/v1/commands/establish-baseline", EstablishBaseline => EstablishBaseline,
        ExperimentState, ExperimentCommand::EstablishBaseline, Experiments, tenant: |_c| None;
    /// Move an approved experiment to another stage.
    change_stage = "/api/v1/commands/change-stage", ChangeStage => ChangeStage,
        ExperimentState, ExperimentCommand::ChangeStage, Experiments, tenant: |_c| None;
    /// Record a measurement of a declared metric.
    record_measurement = "/api/v1/commands/record-measurement", RecordMeasurement => RecordMeasurement,
        ExperimentState, ExperimentCommand::RecordMeasurement, Experiments, tenant: |_c| None;
    /// Assess an experiment's outcome on one declared criterion.
    assess_outcome = "/api/v1/commands/assess-outcome", AssessOutcome => AssessOutcome,
        ExperimentState, ExperimentCommand::AssessOutcome, Experiments, tenant: |_c| None;
    /// Conclude an experiment.
    conclude_experiment = "/api/v1/commands/conclude-experiment", ConcludeExperiment => ConcludeExperiment,
        ExperimentState, ExperimentCommand::Conclude, Experiments, tenant: |_c| None;
    /// Submit an observation.
    submit_observation = "/api/v1/commands/submit-observation", SubmitObservation => SubmitObservation,
        ObservationState, ObservationCommand::Submit, Lessons, tenant: |c| Some(c.municipality);
    /// Identify a lesson.
    identify_lesson = "/api/v1/commands/identify-lesson", IdentifyLesson => IdentifyLesson,
        LessonState, LessonCommand::Identify, Lessons, tenant: |c| Some(c.municipality);
    /// Assign an action on a lesson to a unit.
    assign_lesson_action = "/api/v1/commands/assign-lesson-action", AssignLessonAction => AssignLessonAction,
        LessonState, LessonCommand::AssignAction, Lessons, tenant: |_c| None;
    /// Record that a lesson was learned.
    record_lesson_learned = "/api/v1/commands/record-lesson-learned", RecordLessonLearned => RecordLessonLearned,
        LessonState, LessonCommand::RecordLearned, Lessons, tenant: |_c| None;
    /// Draft a new best practice.
    draft_practice = "/api/v1/commands/draft-practice", DraftPractice => DraftPractice,
        PracticeState, PracticeCommand::Draft, Practices, tenant: |c| Some(c.municipality);
    /// Submit a practice's current version to a body.
    submit_practice = "/api/v1/commands/submit-practice", SubmitPractice => SubmitPractice,
        PracticeState, PracticeCommand::Submit, Practices, tenant: |_c| None;
    /// Record a body's decision on a practice's current version.
    decide_practice = "/api/v1/commands/decide-practice", DecidePracticeInput => DecidePractice,
        PracticeState, PracticeCommand::Decide, PracticeDecisions, tenant: |_c| None;
    /// Anchor a passed practice in a structure of the city.
    anchor_practice = "/api/v1/commands/anchor-practice", AnchorPractice => AnchorPractice,
        PracticeState, PracticeCommand::Anchor, Practices, tenant: |_c| None;
    /// Report how far a practice's implementation has come.
    report_progress = "/api/v1/commands/report-progress", ReportProgress => ReportProgress,
        PracticeState, PracticeCommand::ReportProgress, Practices, tenant: |_c| None;
    /// Revise a practice into a new version that needs a new decision.
    revise_practice = "/api/v1/commands/revise-practice", RevisePractice => RevisePractice,
        PracticeState, PracticeCommand::Revise, Practices, tenant: |_c| None;
    /// Replace a practice by another.
    supersede_practice = "/api/v1/commands/supersede-practice", SupersedePractice => SupersedePractice,
        PracticeState, PracticeCommand::Supersede, Practices, tenant: |_c| None;
    /// Retire a practice.
    retire_practice = "/api/v1/commands/retire-practice", RetirePractice => RetirePractice,
        PracticeState, PracticeCommand::Retire, Practices, tenant: |_c| None;
    /// Share a practice with partner municipalities.
    share_practice = "/api/v1/commands/share-practice", SharePractice => SharePractice,
        PracticeState, PracticeCommand::Share, Practices, tenant: |_c| None;
    /// Record a partner's report on adopting a practice.
    report_adoption = "/api/v1/commands/report-adoption", ReportAdoption => ReportAdoption,
        PracticeState, PracticeCommand::ReportAdoption, Practices, tenant: |c| Some(c.partner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_of_every_aggregate_has_a_route() {
        // 5 municipality + 2 unit + 3 body + 1 framework + 5 campaign + 6 engagement
        // + 1 communication + 8 experiment + 1 observation + 3 lesson + 10 practice.
        assert_eq!(COMMAND_PATHS.len(), 45);
        let unique: std::collections::BTreeSet<_> = COMMAND_PATHS.iter().collect();
        assert_eq!(unique.len(), COMMAND_PATHS.len());
    }
}

//! The command use case as a caller outside the domain sees it: a command parsed from the
//! JSON body the API receives (a web form builds the same body), authorised inside — whose
//! roles may issue the command's group, on a record of which municipality — and run once
//! through the [`crate::usecases::CommandBus`].
//!
//! Idempotency holds across instances on one store: the command id is a UUIDv5 over the tenant
//! and the idempotency key, so a retry that reaches any instance derives the same event ids
//! and is answered from the store as the first time. The request's digest (SHA-256 of the
//! canonical JSON body) is stored with the events; the same key with another body is refused.

use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, CommandGroup, Resource, authorize};
use kirjuri_domain::{Aggregate, DomainError};
use kirjuri_events::domain::MunicipalityId;
use kirjuri_events::{Revision, StreamName};
use kirjuri_store::{ReadStreamOptions, StoreError};
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use crate::usecases::{CommandContext, Executed, UseCaseError};

/// The UUIDv5 namespace of command ids derived from idempotency keys.
const COMMAND_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6b69_726a_7572_4944_8000_636f_6d6d_616e);

/// A command request: the command, its idempotency key, precondition and the digest of its body.
#[derive(Debug)]
pub struct CommandRequest<C> {
    /// The command, parsed by its own rules.
    pub command: C,
    /// Names the command for idempotency (the API's `Idempotency-Key`, a form's hidden key).
    pub idempotency_key: String,
    /// `Some(None)`: only if the stream does not exist; `Some(Some(r))`: only at revision `r`.
    pub if_revision: Option<Option<Revision>>,
    /// `sha256:<hex>` of the canonical JSON body.
    pub digest: String,
}

impl<C: DeserializeOwned> CommandRequest<C> {
    /// A command from its JSON body (as the API receives it, or as a web form builds it), named
    /// by `idempotency_key`, with the precondition `if_revision`. A field that breaks a rule is
    /// a [`CommandFailure::Invalid`] naming the field by its whole path and the rule.
    pub fn from_json(
        body: serde_json::Value,
        idempotency_key: &str,
        if_revision: Option<Option<Revision>>,
    ) -> Result<Self, CommandFailure> {
        let (command, digest) = parse_value::<C>(body)?;
        Ok(Self { command, idempotency_key: idempotency_key.to_owned(), if_revision, digest })
    }
}

/// Puts serde's path and message together as `field: rule` (`motion` + `fi: must not be empty`
/// becomes `motion.fi: must not be empty`).
fn field_and_rule(path: &str, message: &str) -> String {
    if path.is_empty() || path == "." {
        return message.to_owned();
    }
    let nested_field = message.split_once(": ").filter(|(field, _)| {
        !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
    });
    match nested_field {
        Some((field, rule)) => format!("{path}.{field}: {rule}"),
        None => format!("{path}: {message}"),
    }
}

/// Why a command did not go through. The API answers each as a problem document (through
/// `AppError::from`, with today's wording); the pages say the typed refusals in the reader's
/// language at the input they name.
#[derive(Debug)]
pub enum CommandFailure {
    /// The body breaks a rule about its shape.
    Invalid(Box<BodyError>),
    /// The domain refused the command in the current state of its records.
    Refused(DomainError),
    /// Anything else (not allowed, the store, a precondition, a reused key), already worded.
    Other(AppError),
}

/// A command body that does not parse.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyError {
    /// The field by its whole path (`motion.fi`, `answers[2].value`); empty for the body itself.
    pub field: String,
    /// The rule the field broke, typed, when a value type or the command's own check refused it
    /// (its field is the whole path). `None` for what only the JSON parser knows: a field
    /// missing, unknown or of the wrong JSON type.
    pub rule: Option<DomainError>,
    /// What the API says: the field and the rule.
    pub detail: String,
}

impl From<AppError> for CommandFailure {
    fn from(error: AppError) -> Self {
        Self::Other(error)
    }
}

impl From<CommandFailure> for AppError {
    fn from(failure: CommandFailure) -> Self {
        match failure {
            CommandFailure::Invalid(body) => AppError::new(ErrorCode::InvalidCommand, body.detail),
            CommandFailure::Refused(refused) => AppError::new(ErrorCode::CommandRefused, refused.to_string()),
            CommandFailure::Other(error) => error,
        }
    }
}

/// `refusal` of a field inside the value at `path`, named by its whole path.
fn rooted(refusal: DomainError, path: &str) -> DomainError {
    if path.is_empty() || path == "." {
        return refusal;
    }
    match refusal {
        DomainError::Invalid { field, rule } => DomainError::Invalid { field: format!("{path}.{field}"), rule },
        DomainError::UnknownReference { field, expected } => {
            DomainError::UnknownReference { field: format!("{path}.{field}"), expected }
        }
        other => other,
    }
}

/// The typed refusal that ended deserialising with `message`, if a value type or a command's
/// own check made it (see [`kirjuri_events::domain::refusal`]).
fn typed_refusal(message: &str) -> Option<DomainError> {
    use kirjuri_events::domain::{ValidationError, refusal};
    let typed = refusal::take::<DomainError>().or_else(|| refusal::take::<ValidationError>().map(DomainError::from));
    refusal::clear();
    typed.filter(|refusal| refusal.to_string() == message)
}

/// Parses a JSON value into `C`, with the canonical digest; a field that breaks a rule is named
/// by its whole path with the rule, typed where the rule is kirjuri's.
fn parse_value<C: DeserializeOwned>(value: serde_json::Value) -> Result<(C, String), CommandFailure> {
    // Object keys are sorted (no `preserve_order`), so equal bodies have equal bytes here.
    let canonical = serde_json::to_vec(&value).map_err(AppError::internal)?;
    let digest = format!("sha256:{:x}", Sha256::digest(&canonical));
    kirjuri_events::domain::refusal::clear();
    let command = serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let detail = field_and_rule(&path, &message);
        let rule = typed_refusal(&message).map(|refusal| rooted(refusal, &path));
        let field = match &rule {
            Some(DomainError::Invalid { field, .. } | DomainError::UnknownReference { field, .. }) => field.clone(),
            _ if path == "." => String::new(),
            _ => path,
        };
        CommandFailure::Invalid(Box::new(BodyError { field, rule, detail }))
    })?;
    Ok((command, digest))
}

/// Who issues the command, for whom, under which id: the one place a request becomes a
/// [`CommandContext`]. The actor is the authenticated principal; the tenant (and the scope of
/// the idempotency key) is the principal's municipality.
fn command_context<C>(request: &CommandRequest<C>, principal: &Principal) -> CommandContext {
    let tenant = principal.municipality.to_string();
    let command_id = Uuid::new_v5(&COMMAND_ID_NAMESPACE, format!("{tenant}\n{}", request.idempotency_key).as_bytes());
    CommandContext {
        command_id,
        actor: principal.subject.clone(),
        tenant: Some(tenant),
        correlation_id: None,
        occurred_at: None,
        if_revision: request.if_revision,
        request_digest: Some(request.digest.clone()),
    }
}

/// A store failure while a command is prepared: 503 when the store is away, else internal.
pub fn store_error(error: StoreError) -> AppError {
    match error {
        StoreError::Unavailable { .. } | StoreError::Closed => {
            AppError::new(ErrorCode::StoreUnavailable, "the event store is unavailable; retry the command")
        }
        other => AppError::internal(other),
    }
}

/// The municipality an existing stream belongs to: the tenant its first event was recorded for.
pub async fn stream_owner(state: &AppState, stream: &StreamName) -> Result<Option<MunicipalityId>, AppError> {
    // A stream that does not exist reads as empty.
    let first = state.store.read_stream(stream, ReadStreamOptions::forward(1)).await.map_err(store_error)?;
    Ok(first
        .first()
        .and_then(|event| event.metadata.tenant.as_deref())
        .and_then(|tenant| Uuid::parse_str(tenant).ok())
        .map(MunicipalityId))
}

/// Authorises and runs one command through the bus, returning what it executed. The record it
/// acts on belongs to the municipality the command names (`tenant`) or, for a command on an
/// existing record that names none, to the municipality its stream was created for.
pub async fn run<A, C>(
    state: &AppState,
    principal: &Principal,
    group: CommandGroup,
    request: CommandRequest<C>,
    tenant: Option<MunicipalityId>,
    into_command: fn(C) -> A::Command,
) -> Result<Executed, CommandFailure>
where
    A: Aggregate + Send + Sync + 'static,
    A::Event: Send + Sync,
{
    let context = command_context(&request, principal);
    let key = request.idempotency_key;
    let command = into_command(request.command);
    let owner = match tenant {
        Some(municipality) => municipality,
        None => stream_owner(state, &A::stream(&command)).await?.unwrap_or(principal.municipality),
    };
    authorize(principal, Action::Command(group), &Resource::of(owner)).map_err(AppError::denied)?;
    // A municipality that was never registered has no records to change: until it is
    // registered, only its own stream (where the domain accepts nothing but the registration)
    // is open to its principals.
    if A::stream(&command) != principal.municipality.stream()
        && !state.commands.is_registered(principal.municipality).await.map_err(store_error)?
    {
        return Err(CommandFailure::Other(AppError::new(
            ErrorCode::Forbidden,
            format!(
                "municipality {} is not registered in kirjuri: no command is accepted for it until its admin \
                 registers it (register-municipality); nothing was written",
                principal.municipality
            ),
        )));
    }
    let executed = state.commands.execute::<A>(command, &context).await;
    executed.map_err(|error| match error {
        UseCaseError::Rejected(refused) => CommandFailure::Refused(refused),
        other => CommandFailure::Other(refusal(other, &key)),
    })
}

/// Maps why a command did not go through to its problem.
fn refusal(error: UseCaseError, idempotency_key: &str) -> AppError {
    match error {
        UseCaseError::Rejected(refused) => AppError::new(ErrorCode::CommandRefused, refused.to_string()),
        UseCaseError::RevisionMismatch { stream, current } => {
            let current = current.map_or_else(|| "none (the stream is empty)".to_owned(), |r| format!("\"{}\"", r.0));
            AppError::new(
                ErrorCode::PreconditionFailed,
                format!("`{stream}` is at revision {current}, not the one in If-Match; nothing was written"),
            )
        }
        UseCaseError::CommandIdReused { .. } => AppError::new(
            ErrorCode::IdempotencyKeyReused,
            format!(
                "Idempotency-Key `{idempotency_key}` was already used for a different request body; nothing was \
                 written (use a new key for a new command)"
            ),
        )
        .with_cause(error),
        UseCaseError::Contended { ref stream, attempts } => AppError::new(
            ErrorCode::Contended,
            format!(
                "`{stream}` kept changing while the command was decided ({attempts} attempts); nothing was written"
            ),
        )
        .with_cause(error),
        UseCaseError::Store(StoreError::EventTooLarge { size, limit, .. }) => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("the command's event would be {size} bytes, over the store's limit of {limit} bytes"),
        ),
        UseCaseError::Store(StoreError::Unavailable { .. } | StoreError::Closed) => {
            AppError::new(ErrorCode::StoreUnavailable, "the event store is unavailable; retry the command")
                .with_cause(error)
        }
        // The store refused the data itself: personal text about someone whose personal data was
        // erased (kept no more), or naming nobody it is about.
        UseCaseError::Store(StoreError::InvalidArgument { field: "data", ref rule }) => {
            AppError::new(ErrorCode::CommandRefused, format!("nothing was written: {rule}"))
        }
        UseCaseError::Undecodable { .. } | UseCaseError::Store(_) => AppError::internal(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nested_rule_is_named_by_its_whole_path() {
        assert_eq!(field_and_rule("motion", "fi: must not be empty"), "motion.fi: must not be empty");
        assert_eq!(field_and_rule(".", "host: must be another municipality"), "host: must be another municipality");
        assert_eq!(
            field_and_rule("n", "invalid type: string \"x\", expected u32"),
            "n: invalid type: string \"x\", expected u32"
        );
    }

    #[test]
    fn the_command_id_depends_on_the_tenant_and_the_key_only() {
        use std::collections::BTreeSet;
        let request = |key: &str, digest: &str| CommandRequest {
            command: (),
            idempotency_key: key.to_owned(),
            if_revision: None,
            digest: digest.to_owned(),
        };
        let principal = |municipality: u128| Principal {
            subject: "token:test".into(),
            person: "token:test".into(),
            display_name: None,
            municipality: MunicipalityId(Uuid::from_u128(municipality)),
            roles: BTreeSet::from([kirjuri_auth::Role::Admin]),
            authenticated_by: kirjuri_auth::AuthMethod::ApiToken { token_id: Uuid::nil() },
        };
        let id = |key, digest, tenant| command_context(&request(key, digest), &principal(tenant)).command_id;
        assert_eq!(id("k", "a", 1), id("k", "b", 1));
        assert_ne!(id("k", "a", 1), id("k", "a", 2));
        assert_ne!(id("k", "a", 1), id("l", "a", 1));
        assert_eq!(command_context(&request("k", "a"), &principal(1)).actor, "token:test");
    }
}

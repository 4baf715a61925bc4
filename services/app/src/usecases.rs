//! Use cases: load the aggregate, decide, append with the revision it was loaded at.
//!
//! [`CommandBus::execute`] is the one path every command takes (HTTP, demo, benchmarks):
//! 1. read the aggregate's stream (only its tail when the state is cached) and fold it;
//! 2. load the records the command refers to (`Aggregate::references`) into `References`;
//! 3. `decide` — a refusal is [`UseCaseError::Rejected`] and writes nothing;
//! 4. append with `Exact(revision)` (or `NoStream`); on a conflict, go back to 1, a bounded
//!    number of times.
//!
//! Event ids are derived from the command id (`EventId::derived(command_id, n)`), so a retried
//! command never duplicates: the store dedupes an identical append, and a command whose first
//! event is already in the stream is answered as applied without deciding again.
//!
//! The cache keeps each aggregate's folded state with the revision it reflects (an in-memory
//! snapshot). A command first decides on the cached state as it is; the append expects exactly
//! the cached revision, so if anything was appended since (another instance on KurrentDB), the
//! append conflicts, the stream's tail is folded in and the command is decided again. A refusal
//! on a cached state is checked against the stream's tail before it is returned.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use kirjuri_domain::{Aggregate, DomainError, Reference, Referenced, References};
use kirjuri_events::domain::{DecodeError, MunicipalityId};
use kirjuri_events::{EventId, EventMetadata, ExpectedRevision, Position, Revision, StreamName};
use kirjuri_store::{EventStore, ReadStreamOptions, StoreError};
use uuid::Uuid;

/// How many times a command is decided again after a concurrent append won.
pub const MAX_ATTEMPTS: u32 = 5;

/// Events read per page while loading a stream.
const LOAD_PAGE: usize = 1_000;

/// How many events the cached aggregates may reflect in all before the cache starts over
/// (each costs the memory of its id, for recognising repeated commands).
const CACHED_EVENTS: usize = 2_000_000;

/// The most events one command is looked for when it is repeated (commands append a few).
const MAX_EVENTS_PER_COMMAND: u32 = 1_000;

/// How deep a supersession chain is followed while loading references.
const MAX_SUPERSESSION_CHAIN: usize = 64;

/// Who issues a command, for whom, and why; becomes every resulting event's metadata.
#[derive(Debug, Clone)]
pub struct CommandContext {
    /// The command's id: the same id means the same command (retries are answered once).
    pub command_id: Uuid,
    /// Who issues it, e.g. `user:anna` or `demo`.
    pub actor: String,
    /// The id of the municipality it is issued for (the events' tenant).
    pub tenant: Option<String>,
    /// Groups the events of one user action.
    pub correlation_id: Option<Uuid>,
    /// When it happened in the world, where that differs from now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Decide only if the stream is at exactly this revision (`None` inside: still empty),
    /// as an HTTP `If-Match` asks; otherwise [`UseCaseError::RevisionMismatch`].
    pub if_revision: Option<Option<Revision>>,
    /// A digest of the request that carried the command (HTTP: its canonical JSON body). Stored
    /// with the events; a repeat of the command id with another digest is
    /// [`UseCaseError::CommandIdReused`], on whichever instance it arrives.
    pub request_digest: Option<String>,
}

impl CommandContext {
    /// A context for `actor` with a fresh command id.
    pub fn new(actor: impl Into<String>) -> Self {
        Self {
            command_id: Uuid::new_v4(),
            actor: actor.into(),
            tenant: None,
            correlation_id: None,
            occurred_at: None,
            if_revision: None,
            request_digest: None,
        }
    }

    fn metadata(&self) -> EventMetadata {
        EventMetadata {
            actor: Some(self.actor.clone()),
            tenant: self.tenant.clone(),
            correlation_id: Some(self.correlation_id.unwrap_or(self.command_id)),
            causation_id: Some(self.command_id),
            occurred_at: self.occurred_at,
            request_digest: self.request_digest.clone(),
        }
    }
}

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// The stream it changed.
    pub stream: StreamName,
    /// How many events it appended (0 when the command changed nothing); for a repeat, how many
    /// it appended when it was first applied.
    pub events: usize,
    /// The stream's revision after it (for a repeat: after its first application), `None` if
    /// the stream is still empty.
    pub revision: Option<Revision>,
    /// The global position of its last event, when it appended.
    pub position: Option<Position>,
    /// Whether this was a repeat of a command already applied (nothing new was written).
    pub repeated: bool,
    /// Whether the command's events were the stream's first (it created the stream).
    pub created: bool,
}

/// Why a command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    /// The domain refused it; nothing was written.
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// Other writers kept winning the race for the stream.
    #[error("`{stream}` kept changing while the command was decided ({attempts} attempts); nothing was written")]
    Contended {
        /// The stream.
        stream: StreamName,
        /// How many times it was tried.
        attempts: u32,
    },
    /// A stored event could not be read.
    #[error("`{stream}` holds an event that cannot be read: {source}")]
    Undecodable {
        /// The stream.
        stream: StreamName,
        /// Why.
        #[source]
        source: DecodeError,
    },
    /// The stream was not at the revision the caller expected; nothing was written.
    #[error("`{stream}` is at revision {}, not the one expected", describe_revision(*.current))]
    RevisionMismatch {
        /// The stream.
        stream: StreamName,
        /// Its current revision (`None`: empty).
        current: Option<Revision>,
    },
    /// The command id was already used for another command (another request, or another
    /// stream); nothing was written.
    #[error("command {command_id} was already applied {where_applied} for another request; nothing was written")]
    CommandIdReused {
        /// The command id.
        command_id: Uuid,
        /// Where its events are (e.g. "to `unit-…`").
        where_applied: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe_revision(revision: Option<Revision>) -> String {
    revision.map_or_else(|| "none (the stream is empty)".to_owned(), |r| r.0.to_string())
}

/// Whether `municipality` is registered: its stream opens with `MunicipalityRegistered`.
pub async fn is_registered(store: &dyn EventStore, municipality: MunicipalityId) -> Result<bool, StoreError> {
    let first = store.read_stream(&municipality.stream(), ReadStreamOptions::forward(1)).await?;
    Ok(first.first().is_some_and(|event| event.event_type.as_str() == "MunicipalityRegistered"))
}

/// A folded aggregate and the stream revision it reflects.
struct Folded<A> {
    state: A,
    revision: Option<Revision>,
    /// Revisions of events seen, by id, for recognising a repeated command.
    applied_commands: HashMap<EventId, Revision>,
}

impl<A: Aggregate> Folded<A> {
    fn empty() -> Self {
        Self { state: A::default(), revision: None, applied_commands: HashMap::new() }
    }
}

/// Cached aggregates, each taken out while a command works on it and put back after.
#[derive(Default)]
struct AggregateCache {
    entries: HashMap<StreamName, Box<dyn Any + Send>>,
    events: usize,
}

/// Runs commands against one store; cheap to clone.
#[derive(Clone)]
pub struct CommandBus {
    store: Arc<dyn EventStore>,
    cache: Arc<Mutex<AggregateCache>>,
    /// Municipalities known to be registered (a registration is for good, so only a yes is kept).
    registered: Arc<Mutex<HashSet<MunicipalityId>>>,
}

impl CommandBus {
    /// A bus over `store`.
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store, cache: Arc::new(Mutex::new(AggregateCache::default())), registered: Arc::default() }
    }

    /// Whether `municipality` is registered ([`is_registered`]): read from the store until the
    /// answer is yes, then remembered.
    pub async fn is_registered(&self, municipality: MunicipalityId) -> Result<bool, StoreError> {
        if self.registered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains(&municipality) {
            return Ok(true);
        }
        let registered = is_registered(&*self.store, municipality).await?;
        if registered {
            self.registered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(municipality);
        }
        Ok(registered)
    }

    /// The store commands are appended to.
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// Loads, decides and appends `command`, retrying on conflicts.
    pub async fn execute<A>(&self, command: A::Command, context: &CommandContext) -> Result<Executed, UseCaseError>
    where
        A: Aggregate + Send + Sync + 'static,
        A::Event: Send + Sync,
    {
        let stream = A::stream(&command);
        let first_event_id = EventId::derived(context.command_id, 0);
        for attempt in 0..MAX_ATTEMPTS {
            // A cached state is decided on as it is: the append's `Exact(revision)` catches any
            // event appended since, and then the stream's tail is read and the command decided
            // again. Later attempts always read the tail first.
            let (folded, optimistic) = match (attempt, self.take_cached::<A>(&stream)) {
                (0, Some(cached)) => (cached, true),
                (_, cached) => (self.fold_tail(&stream, cached.unwrap_or_else(Folded::empty)).await?, false),
            };
            if let Some(first_revision) = folded.applied_commands.get(&first_event_id).copied() {
                return self.answer_repeat(stream, folded, first_revision, context).await;
            }
            if let Some(expected) = context.if_revision
                && folded.revision != expected
            {
                // A cached state may be behind: only the stream's tail can say it does not match.
                let folded = if optimistic { self.fold_tail(&stream, folded).await? } else { folded };
                if folded.revision != expected {
                    let current = folded.revision;
                    self.put_back(&stream, folded);
                    return Err(UseCaseError::RevisionMismatch { stream, current });
                }
                self.put_back(&stream, folded);
                continue;
            }
            let references = match self.load_references(&A::references(&command)).await {
                Ok(references) => references,
                Err(error) => {
                    self.put_back(&stream, folded);
                    return Err(error);
                }
            };
            let events = match folded.state.decide(&command, &references) {
                Ok(events) => events,
                Err(refused) => {
                    let decided_at = folded.revision;
                    let folded = if optimistic { self.fold_tail(&stream, folded).await? } else { folded };
                    let stale = folded.revision != decided_at;
                    self.put_back(&stream, folded);
                    if stale {
                        // Refused on a state that was behind the stream: decide again on the new one.
                        continue;
                    }
                    return Err(refused.into());
                }
            };
            if events.is_empty() {
                let revision = folded.revision;
                self.put_back(&stream, folded);
                return Ok(Executed { stream, events: 0, revision, position: None, repeated: false, created: false });
            }
            let metadata = context.metadata();
            let mut new_events = Vec::with_capacity(events.len());
            for (index, event) in events.iter().enumerate() {
                let id = EventId::derived(context.command_id, u32::try_from(index).unwrap_or(u32::MAX));
                match A::encode(event, id, metadata.clone()) {
                    Ok(encoded) => new_events.push(encoded),
                    Err(error) => {
                        self.put_back(&stream, folded);
                        let rule = format!("could not be encoded: {error}");
                        return Err(StoreError::InvalidArgument { field: "event", rule }.into());
                    }
                }
            }
            let expected = match folded.revision {
                Some(revision) => ExpectedRevision::Exact(revision),
                None => ExpectedRevision::NoStream,
            };
            match self.store.append(&stream, expected, new_events).await {
                Ok(appended) => {
                    // The store answered a retry (an identical append committed first, e.g. by a
                    // concurrent request with the same key): nothing new to fold in; the state
                    // taken out is dropped and the next command reads the stream's tail.
                    let fresh = !appended.replayed
                        && self.remember_after_append::<A>(
                            &stream,
                            folded,
                            &events,
                            context.command_id,
                            appended.next_expected,
                        );
                    // An identical earlier append (`!fresh`) is answered as it was the first time.
                    return Ok(Executed {
                        stream,
                        events: events.len(),
                        revision: Some(appended.next_expected),
                        position: Some(appended.position),
                        repeated: !fresh,
                        created: appended.next_expected.0 + 1 == events.len() as u64,
                    });
                }
                Err(StoreError::Conflict { .. }) => {
                    // The loaded state is still true for its revision; the next load reads on from it.
                    self.put_back(&stream, folded);
                    tracing::debug!(stream = %stream, "append conflict, deciding again");
                    continue;
                }
                Err(StoreError::DuplicateEventId { where_stored, .. }) => {
                    // This command's events are already stored: in this stream (applied elsewhere,
                    // and the state predates them) it is a repeat; in another, a reuse of the id.
                    let folded = self.fold_tail(&stream, folded).await?;
                    if let Some(first_revision) = folded.applied_commands.get(&first_event_id).copied() {
                        return self.answer_repeat(stream, folded, first_revision, context).await;
                    }
                    self.put_back(&stream, folded);
                    return Err(UseCaseError::CommandIdReused {
                        command_id: context.command_id,
                        where_applied: where_stored,
                    });
                }
                Err(error) => {
                    self.put_back(&stream, folded);
                    return Err(error.into());
                }
            }
        }
        Err(UseCaseError::Contended { stream, attempts: MAX_ATTEMPTS })
    }

    /// Answers a command already applied to `stream` (its first event at `first_revision`) as it
    /// was answered the first time, after checking it came with the same request.
    async fn answer_repeat<A: Aggregate + Send + Sync + 'static>(
        &self,
        stream: StreamName,
        folded: Folded<A>,
        first_revision: Revision,
        context: &CommandContext,
    ) -> Result<Executed, UseCaseError> {
        let mut count: u32 = 1;
        while count < MAX_EVENTS_PER_COMMAND
            && folded.applied_commands.contains_key(&EventId::derived(context.command_id, count))
        {
            count += 1;
        }
        self.put_back(&stream, folded);
        let options = ReadStreamOptions::forward(count as usize).from(first_revision);
        let recorded = self.store.read_stream(&stream, options).await?;
        let ours: Vec<_> = (0..count)
            .filter_map(|n| recorded.iter().find(|e| e.id == EventId::derived(context.command_id, n)))
            .collect();
        let (Some(first), Some(last)) = (ours.first(), ours.last()) else {
            // The stream was read to contain the command's events; a store that no longer has
            // them is not consistent with itself.
            return Err(
                StoreError::Corrupt(format!("`{stream}` lost the events of command {}", context.command_id)).into()
            );
        };
        if context.request_digest.is_some() && first.metadata.request_digest != context.request_digest {
            return Err(UseCaseError::CommandIdReused {
                command_id: context.command_id,
                where_applied: format!("to `{stream}` at revision {}", first.revision),
            });
        }
        Ok(Executed {
            stream,
            events: ours.len(),
            revision: Some(last.revision),
            position: Some(last.position),
            repeated: true,
            created: first.revision == Revision(0),
        })
    }

    /// The aggregate's current state as stored, `None` revision if the stream is empty.
    pub async fn state<A>(&self, stream: &StreamName) -> Result<(A, Option<Revision>), UseCaseError>
    where
        A: Aggregate + Send + Sync + 'static,
        A::Event: Send + Sync,
    {
        // A record only read (e.g. the experiment a new lesson cites) stays in the cache: every
        // command citing it reads a copy and folds only the stream's tail, instead of taking
        // it out so that concurrent commands citing it each fold its whole stream again.
        if let Some((state, revision)) = self.peek_cached::<A>(stream) {
            let copy = Folded { state, revision, applied_commands: HashMap::new() };
            let folded = self.fold_tail(stream, copy).await?;
            return Ok((folded.state, folded.revision));
        }
        let folded = self.load::<A>(stream).await?;
        let answer = (folded.state.clone(), folded.revision);
        self.put_back(stream, folded);
        Ok(answer)
    }

    /// A copy of the cached state of `stream` and its revision, leaving it in the cache.
    fn peek_cached<A: Aggregate + Send + Sync + 'static>(&self, stream: &StreamName) -> Option<(A, Option<Revision>)> {
        let cache = self.cache.lock().ok()?;
        let folded = cache.entries.get(stream)?.downcast_ref::<Folded<A>>()?;
        Some((folded.state.clone(), folded.revision))
    }

    /// Takes the aggregate out of the cache (a concurrent command on it loads its own copy).
    fn take_cached<A: Aggregate + Send + Sync + 'static>(&self, stream: &StreamName) -> Option<Folded<A>> {
        let mut cache = self.cache.lock().ok()?;
        let entry = cache.entries.remove(stream)?;
        let folded = entry.downcast::<Folded<A>>().ok()?;
        cache.events = cache.events.saturating_sub(folded.applied_commands.len());
        Some(*folded)
    }

    /// Puts an aggregate (back) into the cache.
    fn put_back<A: Aggregate + Send + Sync + 'static>(&self, stream: &StreamName, folded: Folded<A>) {
        let Ok(mut cache) = self.cache.lock() else { return };
        if cache.events + folded.applied_commands.len() > CACHED_EVENTS {
            cache.entries.clear();
            cache.events = 0;
        }
        cache.events += folded.applied_commands.len();
        if let Some(previous) = cache.entries.insert(stream.clone(), Box::new(folded)) {
            // Two commands raced on one stream; keep the newer copy's count only.
            if let Ok(previous) = previous.downcast::<Folded<A>>() {
                cache.events = cache.events.saturating_sub(previous.applied_commands.len());
            }
        }
    }

    /// Folds the appended events into the cached state; `false` when the store's answer was an
    /// earlier identical append rather than this one (nothing new was written).
    fn remember_after_append<A: Aggregate + Send + Sync + 'static>(
        &self,
        stream: &StreamName,
        mut folded: Folded<A>,
        events: &[A::Event],
        command_id: Uuid,
        last_revision: Revision,
    ) -> bool {
        let first_revision = (last_revision.0 + 1).saturating_sub(events.len() as u64);
        let follows_cached_state = folded.revision.map_or(0, |r| r.0 + 1) == first_revision;
        if !follows_cached_state {
            // The store answered with an earlier identical append (a retry that landed elsewhere),
            // not at the end of the state we hold: forget the state; the next load folds afresh.
            return false;
        }
        for (index, event) in events.iter().enumerate() {
            folded.state.evolve(event);
            let id = EventId::derived(command_id, u32::try_from(index).unwrap_or(u32::MAX));
            folded.applied_commands.insert(id, Revision(first_revision + index as u64));
        }
        folded.revision = Some(last_revision);
        self.put_back(stream, folded);
        true
    }

    /// Folds the stream from where the cache left off (or from the start).
    async fn load<A>(&self, stream: &StreamName) -> Result<Folded<A>, UseCaseError>
    where
        A: Aggregate + Send + Sync + 'static,
        A::Event: Send + Sync,
    {
        let cached = self.take_cached::<A>(stream).unwrap_or_else(Folded::empty);
        self.fold_tail(stream, cached).await
    }

    /// Folds the events after `folded`'s revision into it.
    async fn fold_tail<A>(&self, stream: &StreamName, mut folded: Folded<A>) -> Result<Folded<A>, UseCaseError>
    where
        A: Aggregate + Send + Sync + 'static,
        A::Event: Send + Sync,
    {
        loop {
            let from = folded.revision.map_or(Revision(0), Revision::next);
            let page = self.store.read_stream(stream, ReadStreamOptions::forward(LOAD_PAGE).from(from)).await?;
            for recorded in &page {
                let event = A::decode(recorded)
                    .map_err(|source| UseCaseError::Undecodable { stream: stream.clone(), source })?;
                folded.state.evolve(&event);
                folded.applied_commands.insert(recorded.id, recorded.revision);
                folded.revision = Some(recorded.revision);
            }
            if page.len() < LOAD_PAGE {
                break;
            }
        }
        Ok(folded)
    }

    /// Loads every referenced record that exists; practices bring the chain that supersedes them.
    async fn load_references(&self, wanted: &[Reference]) -> Result<References, UseCaseError> {
        use kirjuri_domain::assessment::{CampaignState, FrameworkState};
        use kirjuri_domain::coaching::{CommunicationState, EngagementState};
        use kirjuri_domain::experiment::ExperimentState;
        use kirjuri_domain::lesson::{LessonState, ObservationState};
        use kirjuri_domain::organisation::{BodyState, MunicipalityState, UnitState};
        use kirjuri_domain::practice::PracticeState;

        let mut references = References::none();
        let mut pending: Vec<Reference> = wanted.to_vec();
        let mut seen = std::collections::HashSet::new();
        let mut chain_steps = 0;
        while let Some(reference) = pending.pop() {
            if !seen.insert(reference) {
                continue;
            }
            macro_rules! load_into {
                ($id:expr, $state:ty, $variant:ident) => {{
                    let (state, revision) = self.state::<$state>(&$id.stream()).await?;
                    if revision.is_some() {
                        references.insert($id.0, Referenced::$variant(state));
                    }
                }};
            }
            match reference {
                Reference::Municipality(id) => load_into!(id, MunicipalityState, Municipality),
                Reference::Unit(id) => load_into!(id, UnitState, Unit),
                Reference::Body(id) => load_into!(id, BodyState, Body),
                Reference::Framework(id) => load_into!(id, FrameworkState, Framework),
                Reference::Campaign(id) => load_into!(id, CampaignState, Campaign),
                Reference::Engagement(id) => load_into!(id, EngagementState, Engagement),
                Reference::Communication(id) => load_into!(id, CommunicationState, Communication),
                Reference::Experiment(id) => load_into!(id, ExperimentState, Experiment),
                Reference::Observation(id) => load_into!(id, ObservationState, Observation),
                Reference::Lesson(id) => load_into!(id, LessonState, Lesson),
                Reference::Practice(id) => {
                    let (state, revision) = self.state::<PracticeState>(&id.stream()).await?;
                    if revision.is_some() {
                        if let Some(next) = state.superseded_by
                            && chain_steps < MAX_SUPERSESSION_CHAIN
                        {
                            chain_steps += 1;
                            pending.push(Reference::Practice(next));
                        }
                        references.insert(id.0, Referenced::Practice(state));
                    }
                }
            }
        }
        Ok(references)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use async_trait::async_trait;
    use kirjuri_domain::organisation::{
        BodyCommand, BodyState, MunicipalityCommand, MunicipalityState, RegisterBody, RegisterMunicipality,
    };
    use kirjuri_events::domain::organisation::{BodyKind, MunicipalityCode};
    use kirjuri_events::domain::{BodyId, LocalizedText, MunicipalityId};
    use kirjuri_events::{NewEvent, RecordedEvent};
    use kirjuri_store::{
        AppendResult, EventFilter, ReadAllOptions, SqliteStore, SqliteStoreOptions, SubscribeFrom, Subscription,
    };

    use super::*;

    fn sqlite() -> (tempfile::TempDir, Arc<dyn EventStore>) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = SqliteStore::open(SqliteStoreOptions::new(dir.path().join("events.sqlite")))
            .unwrap_or_else(|e| panic!("{e}"));
        (dir, Arc::new(store))
    }

    fn register(municipality: MunicipalityId, code: &str) -> MunicipalityCommand {
        MunicipalityCommand::Register(RegisterMunicipality {
            municipality,
            code: MunicipalityCode::parse(code).unwrap_or_else(|e| panic!("{e}")),
            name: LocalizedText::fi("Kuopio").unwrap_or_else(|e| panic!("{e}")),
        })
    }

    fn body(body: BodyId, municipality: MunicipalityId) -> BodyCommand {
        BodyCommand::Register(RegisterBody {
            body,
            municipality,
            name: LocalizedText::fi("Kaupunginhallitus").unwrap_or_else(|e| panic!("{e}")),
            kind: BodyKind::CityBoard,
            parent: None,
            founded: chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default(),
        })
    }

    async fn events_in(store: &Arc<dyn EventStore>, stream: &StreamName) -> Vec<RecordedEvent> {
        store.read_stream(stream, ReadStreamOptions::forward(100)).await.unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_retried_command_is_answered_once_and_never_duplicates() {
        let (_dir, store) = sqlite();
        let bus = CommandBus::new(Arc::clone(&store));
        let municipality = MunicipalityId::random();
        let context = CommandContext::new("user:test");
        let first = bus
            .execute::<MunicipalityState>(register(municipality, "297"), &context)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((first.events, first.repeated), (1, false));
        // The same command again, on the same bus and on a fresh one (another instance).
        let again = bus
            .execute::<MunicipalityState>(register(municipality, "297"), &context)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(again.repeated && again.events == 1, "{again:?}");
        let elsewhere = CommandBus::new(Arc::clone(&store));
        let again = elsewhere
            .execute::<MunicipalityState>(register(municipality, "297"), &context)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(again.repeated, "{again:?}");
        let stored = events_in(&store, &municipality.stream()).await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].id, EventId::derived(context.command_id, 0));
        assert_eq!(stored[0].metadata.actor.as_deref(), Some("user:test"));
        assert_eq!(stored[0].metadata.causation_id, Some(context.command_id));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_command_id_repeated_with_another_request_is_refused_on_any_instance() {
        let (_dir, store) = sqlite();
        let bus = CommandBus::new(Arc::clone(&store));
        let (kuopio, oulu) = (MunicipalityId::random(), MunicipalityId::random());
        let with_digest = |digest: &str| CommandContext {
            request_digest: Some(digest.to_owned()),
            ..CommandContext { command_id: Uuid::from_u128(42), ..CommandContext::new("user:test") }
        };
        let first = bus
            .execute::<MunicipalityState>(register(kuopio, "297"), &with_digest("sha256:a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(first.created && !first.repeated, "{first:?}");
        // The same request again, on another instance: answered as the first time.
        let elsewhere = CommandBus::new(Arc::clone(&store));
        let again = elsewhere
            .execute::<MunicipalityState>(register(kuopio, "297"), &with_digest("sha256:a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((again.revision, again.position, again.events), (first.revision, first.position, first.events));
        assert!(again.repeated && again.created);
        // Another request under the same id, to the same stream or to another one.
        let same_stream =
            elsewhere.execute::<MunicipalityState>(register(kuopio, "297"), &with_digest("sha256:b")).await;
        assert!(matches!(same_stream, Err(UseCaseError::CommandIdReused { .. })), "{same_stream:?}");
        let other_stream = bus.execute::<MunicipalityState>(register(oulu, "564"), &with_digest("sha256:c")).await;
        assert!(matches!(other_stream, Err(UseCaseError::CommandIdReused { .. })), "{other_stream:?}");
        assert_eq!(events_in(&store, &kuopio.stream()).await.len(), 1);
        assert!(events_in(&store, &oulu.stream()).await.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_command_with_an_expected_revision_runs_only_at_that_revision() {
        let (_dir, store) = sqlite();
        let bus = CommandBus::new(Arc::clone(&store));
        let other_instance = CommandBus::new(Arc::clone(&store));
        let (kuopio, host) = (MunicipalityId::random(), MunicipalityId::random());
        let expecting = |revision: Option<Option<Revision>>| CommandContext {
            if_revision: revision,
            ..CommandContext::new("user:test")
        };
        let join = |day: u32| {
            MunicipalityCommand::JoinPartnerNetwork(kirjuri_domain::organisation::JoinPartnerNetwork {
                municipality: kuopio,
                host,
                joined_on: chrono::NaiveDate::from_ymd_opt(2025, 1, day).unwrap_or_default(),
                agreement: None,
            })
        };
        // An empty stream is expected as `None`.
        let at_zero = expecting(Some(Some(Revision(0))));
        let refused = bus.execute::<MunicipalityState>(register(kuopio, "297"), &at_zero).await;
        assert!(
            matches!(refused, Err(UseCaseError::RevisionMismatch { current: None, .. })),
            "a revision of an empty stream"
        );
        bus.execute::<MunicipalityState>(register(host, "091"), &CommandContext::new("user:test"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let registered = bus
            .execute::<MunicipalityState>(register(kuopio, "297"), &expecting(Some(None)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(registered.revision, Some(Revision(0)));
        invite(&bus, host, kuopio).await;
        // The bus's cached state is behind once another instance appends: the check reads on.
        other_instance
            .execute::<MunicipalityState>(join(1), &CommandContext::new("user:other"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let stale = bus.execute::<MunicipalityState>(join(2), &expecting(Some(Some(Revision(0))))).await;
        match stale {
            Err(UseCaseError::RevisionMismatch { current, .. }) => assert_eq!(current, Some(Revision(1))),
            other => panic!("expected a mismatch at revision 1, got {other:?}"),
        }
        assert_eq!(events_in(&store, &kuopio.stream()).await.len(), 2, "the refused command wrote nothing");
        // At the current revision the command is decided (and refused on its merits: already a partner).
        let current = bus.execute::<MunicipalityState>(join(2), &expecting(Some(Some(Revision(1))))).await;
        assert!(matches!(current, Err(UseCaseError::Rejected(_))), "{current:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_command_writes_nothing() {
        let (_dir, store) = sqlite();
        let bus = CommandBus::new(Arc::clone(&store));
        let municipality = MunicipalityId::random();
        bus.execute::<MunicipalityState>(register(municipality, "297"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let second = bus.execute::<MunicipalityState>(register(municipality, "297"), &CommandContext::new("b")).await;
        assert!(matches!(second, Err(UseCaseError::Rejected(_))), "{second:?}");
        assert_eq!(events_in(&store, &municipality.stream()).await.len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn references_are_loaded_from_the_store_before_deciding() {
        let (_dir, store) = sqlite();
        let bus = CommandBus::new(Arc::clone(&store));
        let municipality = MunicipalityId::random();
        let board = BodyId::random();
        // A body of a municipality that is not registered yet is refused …
        let refused = bus.execute::<BodyState>(body(board, municipality), &CommandContext::new("a")).await;
        assert!(matches!(refused, Err(UseCaseError::Rejected(_))), "{refused:?}");
        assert!(events_in(&store, &board.stream()).await.is_empty());
        // … and accepted once the municipality exists.
        bus.execute::<MunicipalityState>(register(municipality, "297"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        bus.execute::<BodyState>(body(board, municipality), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(events_in(&store, &board.stream()).await.len(), 1);
    }

    /// A store double around the real store: counts the events read from one stream, and may
    /// let another writer append (a competing event) right before the first append goes through.
    struct Spy {
        inner: Arc<dyn EventStore>,
        watched: Option<StreamName>,
        read: std::sync::atomic::AtomicUsize,
        interfered: AtomicBool,
        competitor: Mutex<Option<(StreamName, NewEvent)>>,
    }

    impl Spy {
        fn new(inner: &Arc<dyn EventStore>) -> Self {
            Self {
                inner: Arc::clone(inner),
                watched: None,
                read: std::sync::atomic::AtomicUsize::new(0),
                interfered: AtomicBool::new(false),
                competitor: Mutex::new(None),
            }
        }

        fn counting(inner: &Arc<dyn EventStore>, watched: StreamName) -> Self {
            Self { watched: Some(watched), ..Self::new(inner) }
        }

        fn interfering(inner: &Arc<dyn EventStore>, stream: StreamName, competing: NewEvent) -> Self {
            Self { competitor: Mutex::new(Some((stream, competing))), ..Self::new(inner) }
        }
    }

    #[async_trait]
    impl EventStore for Spy {
        async fn append(
            &self,
            stream: &StreamName,
            expected: ExpectedRevision,
            events: Vec<NewEvent>,
        ) -> Result<AppendResult, StoreError> {
            if !self.interfered.swap(true, Ordering::SeqCst) {
                let competitor = self.competitor.lock().ok().and_then(|mut c| c.take());
                if let Some((competing_stream, event)) = competitor {
                    self.inner.append(&competing_stream, ExpectedRevision::Any, vec![event]).await?;
                }
            }
            self.inner.append(stream, expected, events).await
        }
        async fn read_stream(
            &self,
            stream: &StreamName,
            options: ReadStreamOptions,
        ) -> Result<Vec<RecordedEvent>, StoreError> {
            let page = self.inner.read_stream(stream, options).await?;
            if self.watched.as_ref() == Some(stream) {
                self.read.fetch_add(page.len(), Ordering::SeqCst);
            }
            Ok(page)
        }
        async fn read_all(&self, options: ReadAllOptions) -> Result<Vec<RecordedEvent>, StoreError> {
            self.inner.read_all(options).await
        }
        async fn subscribe_all(&self, from: SubscribeFrom, filter: EventFilter) -> Result<Subscription, StoreError> {
            self.inner.subscribe_all(from, filter).await
        }
        async fn stream_revision(&self, stream: &StreamName) -> Result<Option<Revision>, StoreError> {
            self.inner.stream_revision(stream).await
        }
        async fn head_position(&self) -> Result<Option<Position>, StoreError> {
            self.inner.head_position().await
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_record_many_commands_cite_is_read_from_the_cache_and_only_its_tail_from_the_store() {
        let (_dir, sqlite_store) = sqlite();
        let municipality = MunicipalityId::random();
        let counting = Arc::new(Spy::counting(&sqlite_store, municipality.stream()));
        let bus = CommandBus::new(Arc::clone(&counting) as Arc<dyn EventStore>);
        bus.execute::<MunicipalityState>(register(municipality, "297"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let before = counting.read.load(Ordering::SeqCst);
        // Sixteen bodies at once, each citing the (cached) municipality.
        let registrations = (0..16).map(|_| {
            let bus = bus.clone();
            tokio::spawn(async move {
                bus.execute::<BodyState>(body(BodyId::random(), municipality), &CommandContext::new("a")).await
            })
        });
        for registration in futures::future::join_all(registrations).await {
            registration.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert_eq!(counting.read.load(Ordering::SeqCst), before, "no command folded the cited stream again");

        // The copy is never stale: what another instance appends is folded from the tail.
        let other = CommandBus::new(Arc::clone(&sqlite_store));
        let host = MunicipalityId::random();
        other
            .execute::<MunicipalityState>(register(host, "091"), &CommandContext::new("b"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        invite(&other, host, municipality).await;
        let join = MunicipalityCommand::JoinPartnerNetwork(kirjuri_domain::organisation::JoinPartnerNetwork {
            municipality,
            host,
            joined_on: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            agreement: None,
        });
        other.execute::<MunicipalityState>(join, &CommandContext::new("b")).await.unwrap_or_else(|e| panic!("{e:?}"));
        let (_, revision) =
            bus.state::<MunicipalityState>(&municipality.stream()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(revision, Some(Revision(1)));
        assert_eq!(counting.read.load(Ordering::SeqCst), before + 1, "only the new event was read");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_conflict_is_decided_again_on_the_new_state() {
        let (_dir, sqlite_store) = sqlite();
        let setup = CommandBus::new(Arc::clone(&sqlite_store));
        let municipality = MunicipalityId::random();
        let host = MunicipalityId::random();
        setup
            .execute::<MunicipalityState>(register(municipality, "749"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        setup
            .execute::<MunicipalityState>(register(host, "297"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        invite(&setup, host, municipality).await;
        // The competitor joins the partner network first, between our load and our append.
        let join = |on: &str| {
            MunicipalityCommand::JoinPartnerNetwork(kirjuri_domain::organisation::JoinPartnerNetwork {
                municipality,
                host,
                joined_on: chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap_or_default(),
                agreement: None,
            })
        };
        let (state, _) =
            setup.state::<MunicipalityState>(&municipality.stream()).await.unwrap_or_else(|e| panic!("{e}"));
        let competing = state.decide(
            &join("2024-01-01"),
            &References::none().with(
                host.0,
                Referenced::Municipality(
                    setup.state::<MunicipalityState>(&host.stream()).await.unwrap_or_else(|e| panic!("{e}")).0,
                ),
            ),
        );
        let competing = competing.unwrap_or_else(|e| panic!("{e}")).remove(0);
        let competing = MunicipalityState::encode(&competing, EventId::random(), EventMetadata::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let store: Arc<dyn EventStore> = Arc::new(Spy::interfering(&sqlite_store, municipality.stream(), competing));
        let bus = CommandBus::new(store);
        // Deciding again on the new state finds the municipality already in the network.
        let outcome = bus.execute::<MunicipalityState>(join("2024-02-01"), &CommandContext::new("b")).await;
        assert!(matches!(outcome, Err(UseCaseError::Rejected(_))), "decided on the stale state: {outcome:?}");
        assert_eq!(
            events_in(&sqlite_store, &municipality.stream()).await.len(),
            2,
            "registration and the competitor's join only"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stored_v1_lesson_is_read_through_its_upcaster() {
        let (_dir, store) = sqlite();
        let fixture = include_str!("../../../events/model/fixtures/LessonIdentified.v1.json");
        let lesson = kirjuri_events::domain::LessonId(
            Uuid::parse_str("0193f0a9-3e4f-7f74-a806-a1c2d3e4f506").unwrap_or_default(),
        );
        let v1 = NewEvent::new(
            EventId::random(),
            kirjuri_events::EventType::parse("LessonIdentified").unwrap_or_else(|e| panic!("{e}")),
            kirjuri_events::EventPayload::parse(fixture).unwrap_or_else(|e| panic!("{e}")),
        )
        .with_schema_version(1);
        store.append(&lesson.stream(), ExpectedRevision::NoStream, vec![v1]).await.unwrap_or_else(|e| panic!("{e}"));
        let bus = CommandBus::new(Arc::clone(&store));
        let (state, revision) =
            bus.state::<kirjuri_domain::lesson::LessonState>(&lesson.stream()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(revision, Some(Revision(0)));
        assert!(state.exists());
        assert_eq!(state.id, Some(lesson), "the v1 `lesson_id` became v2's `lesson`");
        assert_eq!(state.sources.len(), 1);
    }

    /// `host` invites `partner` into its network (the consent a join needs).
    async fn invite(bus: &CommandBus, host: MunicipalityId, partner: MunicipalityId) {
        let invitation = MunicipalityCommand::InvitePartner(kirjuri_domain::organisation::InvitePartner {
            host,
            partner,
            invited_on: chrono::NaiveDate::from_ymd_opt(2023, 12, 1).unwrap_or_default(),
            agreement: None,
        });
        bus.execute::<MunicipalityState>(invitation, &CommandContext::new("user:host"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    fn join(municipality: MunicipalityId, host: MunicipalityId) -> MunicipalityCommand {
        MunicipalityCommand::JoinPartnerNetwork(kirjuri_domain::organisation::JoinPartnerNetwork {
            municipality,
            host,
            joined_on: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            agreement: None,
        })
    }

    fn leave(municipality: MunicipalityId, host: MunicipalityId) -> MunicipalityCommand {
        MunicipalityCommand::LeavePartnerNetwork(kirjuri_domain::organisation::LeavePartnerNetwork {
            municipality,
            host,
            left_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            reason: None,
        })
    }

    /// Bus `a` caches the partner's state; bus `b` (another instance) then changes the stream.
    async fn two_instances()
    -> (tempfile::TempDir, Arc<dyn EventStore>, CommandBus, CommandBus, MunicipalityId, MunicipalityId) {
        let (dir, store) = sqlite();
        let a = CommandBus::new(Arc::clone(&store));
        let b = CommandBus::new(Arc::clone(&store));
        let partner = MunicipalityId::random();
        let host = MunicipalityId::random();
        a.execute::<MunicipalityState>(register(host, "297"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        a.execute::<MunicipalityState>(register(partner, "749"), &CommandContext::new("a"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        invite(&a, host, partner).await;
        b.execute::<MunicipalityState>(join(partner, host), &CommandContext::new("b"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (dir, store, a, b, partner, host)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_command_accepted_on_a_stale_cached_state_is_decided_again_after_the_conflict() {
        let (_dir, store, a, _b, partner, host) = two_instances().await;
        let again = a.execute::<MunicipalityState>(join(partner, host), &CommandContext::new("a")).await;
        assert!(matches!(again, Err(UseCaseError::Rejected(_))), "joined twice on a stale state: {again:?}");
        assert_eq!(events_in(&store, &partner.stream()).await.len(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_command_refused_on_a_stale_cached_state_is_decided_again_on_the_stream() {
        let (_dir, store, a, _b, partner, host) = two_instances().await;
        let left = a.execute::<MunicipalityState>(leave(partner, host), &CommandContext::new("a")).await;
        assert!(left.is_ok(), "refused on a stale state: {left:?}");
        assert_eq!(events_in(&store, &partner.stream()).await.len(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_command_applied_by_another_instance_is_a_repeat_even_on_a_stale_cache() {
        let (_dir, store, a, b, partner, host) = two_instances().await;
        let context = CommandContext::new("user:retry");
        // Instance b applies the command; instance a still caches the state from before it.
        b.execute::<MunicipalityState>(leave(partner, host), &context).await.unwrap_or_else(|e| panic!("{e}"));
        let repeat =
            a.execute::<MunicipalityState>(leave(partner, host), &context).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(repeat.repeated && repeat.events == 1, "{repeat:?}");
        assert_eq!(events_in(&store, &partner.stream()).await.len(), 3);
    }
}

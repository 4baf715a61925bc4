//! KurrentStore: the event store contract on a KurrentDB node or cluster, through the official
//! `kurrentdb` gRPC client (1.2).
//!
//! # Model
//!
//! A kirjuri stream is a KurrentDB stream of the same name; a revision is KurrentDB's stream
//! revision; a global position is KurrentDB's `$all` position `{commit, prepare}`, kept whole
//! both ways. Each event is written with its caller-chosen id and its type; its data is the
//! exact payload text (as JSON, so KurrentDB's UI and projections can read it; a payload with
//! leading or trailing whitespace goes as raw bytes because the client's JSON path would trim
//! it), and its custom metadata is `{"schema_version": n, "metadata": <EventMetadata>}`.
//! `recorded_at` is the server's `created` timestamp (100 ns precision). Reading decodes the
//! same; an event of a kirjuri stream that does not decode is [`StoreError::Corrupt`].
//!
//! # Idempotency: where KurrentDB differs from the embedded store
//!
//! KurrentDB itself deduplicates a retried append by event ids, per stream, and only reliably
//! with an explicit expected state (`NoStream`, `StreamExists` on an existing stream, `Exact`):
//! it then compares the ids stored after the expected revision with the retried ones. With
//! `Any` it only consults a bounded in-memory cache of recent ids, which a restart or a busy
//! server loses. It compares ids, never content, and an id appended again at a *new* revision
//! is simply written twice.
//!
//! So this store does the contract's part itself, at the cost of reading the stream:
//! - before appending, it scans the stream for the batch's ids. The whole batch stored in
//!   order at consecutive revisions with the same content is a retry: its original result is
//!   returned and nothing is written (whatever the expected revision, `Any` included). Any
//!   other stored id — other content, or part of another append — is
//!   [`StoreError::DuplicateEventId`] and nothing is written;
//! - after an acknowledged append, it reads back the revisions the server reports as written:
//!   they must hold exactly the requested events. This catches a concurrent identical retry
//!   that KurrentDB deduplicated (its content is compared too) and gives the position of the
//!   last event, which KurrentDB does not report for a deduplicated retry.
//!
//! Two appends of the same ids that race each other past the scan are left to KurrentDB's own
//! deduplication, which is reliable only with an explicit expected state — kirjuri's use cases
//! always append with one. Event ids are unique per stream only: the same id may appear in two
//! streams (the embedded store makes ids global). Each append costs a scan of its stream plus
//! the append and one short read; kirjuri's streams are one aggregate each, so they stay short.
//!
//! # Reads and subscriptions
//!
//! Reading a stream that does not exist gives no events. Reads of `$all` never return system
//! events (`$` streams or `$` types) nor events of streams whose names are not kirjuri stream
//! names (a shared cluster may hold other applications' streams; those are logged at debug).
//! One list of an [`EventFilter`] runs on the server (stream prefixes if given, else type
//! prefixes; without a filter the server drops `$` types); the rest is checked here, and pages
//! are read until `limit` events match or the log ends. KurrentDB reads backward from a
//! position exclusively, so a backward read *from* a position first fetches that one event.
//!
//! A subscription is a KurrentDB catch-up subscription that resubscribes forever after a drop;
//! it remembers the last position it delivered and drops anything at or before it, so no event
//! arrives twice. A server error that the client does not retry (e.g. access denied) or an
//! undecodable event ends it with an error.
//!
//! [`KurrentStore::connect`] checks that the server answers before it returns. The server's
//! `MaxAppendSize` (1 MiB by default) caps a whole append, while kirjuri's size limit is per
//! event: an append over the server's cap is rejected as [`StoreError::InvalidArgument`].

mod codec;

use std::collections::HashMap;
use std::fmt;

use async_trait::async_trait;
use kirjuri_events::{ExpectedRevision, NewEvent, Position, RecordedEvent, Revision, StreamName};
use kurrentdb::{
    AppendToStreamOptions, Client, ClientSettings, CurrentRevision, RetryOptions, StreamPosition,
    SubscribeToAllOptions, SubscriptionEvent, SubscriptionFilter,
};
use tracing::{debug, info, warn};
use uuid::Uuid;

use self::codec::{Origin, decode_event, encode_event, from_kurrent, matches_raw, origin, stream_state, to_kurrent};
use crate::subscription::PageSender;
use crate::{
    AppendResult, Direction, EventFilter, EventStore, ReadAllOptions, ReadStreamOptions, StoreError, SubscribeFrom,
    Subscription, rules,
};

/// The most events one gRPC read of `$all` asks for.
const MAX_PAGE: usize = 4096;

/// The smallest page when part of the filter is checked here rather than on the server.
const CLIENT_FILTER_MIN_PAGE: usize = 256;

/// How many pages a subscription buffers ahead of its reader.
const SUBSCRIPTION_PAGES: usize = 64;

/// The gRPC status code `INVALID_ARGUMENT`, which KurrentDB uses for an append over its size cap.
const GRPC_INVALID_ARGUMENT: i32 = 3;

/// How to connect a [`KurrentStore`].
#[derive(Clone)]
pub struct KurrentStoreOptions {
    /// The KurrentDB connection string, e.g. `kurrentdb://localhost:2113?tls=false`.
    pub connection_string: String,
    /// The largest event (data plus metadata) in bytes.
    pub max_event_bytes: usize,
}

impl KurrentStoreOptions {
    /// Defaults for the server at `connection_string`.
    pub fn new(connection_string: impl Into<String>) -> Self {
        Self { connection_string: connection_string.into(), max_event_bytes: crate::DEFAULT_MAX_EVENT_BYTES }
    }
}

impl fmt::Debug for KurrentStoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KurrentStoreOptions")
            .field("connection_string", &codec::redact_connection_string(&self.connection_string))
            .field("max_event_bytes", &self.max_event_bytes)
            .finish()
    }
}

/// The event store on a KurrentDB node or cluster.
#[derive(Clone)]
pub struct KurrentStore {
    client: Client,
    max_event_bytes: usize,
}

impl fmt::Debug for KurrentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KurrentStore").field("max_event_bytes", &self.max_event_bytes).finish_non_exhaustive()
    }
}

impl KurrentStore {
    /// Connects to the KurrentDB server (or cluster) of `options` and checks that it answers.
    pub async fn connect(options: KurrentStoreOptions) -> Result<Self, StoreError> {
        let connection = options.connection_string.as_str();
        let target = codec::redact_connection_string(connection);
        let settings: ClientSettings = connection.parse().map_err(|error: kurrentdb::ClientSettingsParseError| {
            StoreError::InvalidArgument {
                field: "kurrentdb connection string",
                rule: format!(
                    "{} (expected e.g. `kurrentdb://localhost:2113?tls=false` or `kurrentdb+discover://user:password@cluster.example:2113`)",
                    codec::scrub_password(&error.to_string(), connection)
                ),
            }
        })?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|error| {
            StoreError::unavailable("creating the KurrentDB client (it needs a tokio runtime)", error)
        })?;
        let client = Client::with_runtime_handle(runtime, settings)
            .map_err(|error| StoreError::unavailable(format!("creating the KurrentDB client for {target}"), error))?;
        let server = client
            .server_info()
            .await
            .map_err(|error| StoreError::unavailable(format!("connecting to KurrentDB at {target}"), error))?;
        info!(target = %target, server_version = %server.version(), "connected to kurrentdb");
        Ok(Self { client, max_event_bytes: options.max_event_bytes })
    }

    /// Reads the raw events `options` selects from `stream`; a missing stream gives none.
    async fn read_stream_raw(
        &self,
        stream: &StreamName,
        options: &kurrentdb::ReadStreamOptions,
        doing: &str,
    ) -> Result<Vec<kurrentdb::RecordedEvent>, StoreError> {
        let mut reader = match self.client.read_stream(stream.as_str(), options).await {
            Ok(reader) => reader,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(Vec::new()),
            Err(error) => return Err(stream_read_error(stream, doing, error)),
        };
        let mut events = Vec::new();
        loop {
            match reader.next().await {
                Ok(Some(resolved)) => events.extend(original_event(resolved)),
                Ok(None) => return Ok(events),
                // A stream that does not exist says so at the first `next()`.
                Err(kurrentdb::Error::ResourceNotFound) => return Ok(events),
                Err(error) => return Err(stream_read_error(stream, doing, error)),
            }
        }
    }

    /// Looks for the batch's ids in the stream before appending: an identical retry of an
    /// append already stored gives its original result, an id stored otherwise is
    /// [`StoreError::DuplicateEventId`], and `None` means no id of the batch is stored yet.
    async fn find_stored_batch(
        &self,
        stream: &StreamName,
        events: &[NewEvent],
    ) -> Result<Option<AppendResult>, StoreError> {
        let wanted: HashMap<Uuid, usize> =
            events.iter().enumerate().map(|(index, event)| (event.id.0, index)).collect();
        let options =
            kurrentdb::ReadStreamOptions::default().position(StreamPosition::Start).forwards().requires_leader(true);
        let doing = format!("looking for the batch's event ids in `{stream}` before appending");
        let mut reader = match self.client.read_stream(stream.as_str(), &options).await {
            Ok(reader) => reader,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
            Err(error) => return Err(stream_read_error(stream, &doing, error)),
        };
        // Only the matches are kept, so a long stream costs a scan but no memory.
        let mut found: Vec<(usize, kurrentdb::RecordedEvent)> = Vec::new();
        loop {
            match reader.next().await {
                Ok(Some(resolved)) => {
                    if let Some(raw) = original_event(resolved)
                        && let Some(&index) = wanted.get(&raw.id)
                    {
                        found.push((index, raw));
                    }
                }
                Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => break,
                Err(error) => return Err(stream_read_error(stream, &doing, error)),
            }
        }
        let found = found
            .iter()
            .map(|(index, raw)| decode_event(stream.clone(), raw).map(|event| (*index, event)))
            .collect::<Result<Vec<_>, _>>()?;
        let outcome = judge_stored_batch(stream, events, &found);
        match &outcome {
            Ok(Some(result)) => {
                debug!(stream = %stream, next_expected = %result.next_expected, "identical retry of a stored append; nothing written");
            }
            Err(error) => warn!(stream = %stream, error = %error, "event id reused"),
            Ok(None) => {}
        }
        outcome
    }

    /// Checks that the revisions KurrentDB reports as written hold exactly `events`.
    async fn verify_append(
        &self,
        stream: &StreamName,
        events: &[NewEvent],
        written: &kurrentdb::WriteResult,
    ) -> Result<AppendResult, StoreError> {
        let last_revision = written.next_expected_version;
        let count = events.len() as u64;
        let Some(first_revision) = last_revision.checked_add(1).and_then(|end| end.checked_sub(count)) else {
            return Err(StoreError::Corrupt(format!(
                "KurrentDB acknowledged {count} events in `{stream}` ending at revision {last_revision}, which cannot hold them"
            )));
        };
        let options = kurrentdb::ReadStreamOptions::default()
            .position(StreamPosition::Position(first_revision))
            .forwards()
            .max_count(events.len())
            .requires_leader(true);
        let doing = format!("reading back the append to `{stream}` (it was acknowledged; retrying it is safe)");
        let stored = self.read_stream_raw(stream, &options, &doing).await?;
        let mut last_position = None;
        for (index, requested) in events.iter().enumerate() {
            let revision = first_revision + index as u64;
            let Some(raw) = stored.get(index) else {
                return Err(StoreError::Corrupt(format!(
                    "KurrentDB acknowledged the append to `{stream}` at revisions {first_revision}..={last_revision} but revision {revision} cannot be read back"
                )));
            };
            if raw.revision != revision || raw.id != requested.id.0 {
                return Err(StoreError::Corrupt(format!(
                    "KurrentDB acknowledged event {} in `{stream}` at revision {revision} but revision {} holds event {}",
                    requested.id, raw.revision, raw.id
                )));
            }
            let recorded = decode_event(stream.clone(), raw)?;
            if !requested.is_same_as(&recorded) {
                warn!(stream = %stream, event_id = %requested.id, revision, "event id reused with different content");
                return Err(StoreError::DuplicateEventId {
                    stream: stream.clone(),
                    id: requested.id,
                    where_stored: format!("in `{stream}` at revision {revision}"),
                });
            }
            last_position = Some(recorded.position);
        }
        let position = last_position.ok_or_else(|| StoreError::EmptyAppend { stream: stream.clone() })?;
        // A stream read reports no position (all ones) for an event that did not commit itself;
        // KurrentDB's own answer is then the best there is.
        let position = if position.commit == u64::MAX { from_kurrent(written.position) } else { position };
        // KurrentDB answers an idempotent repeat of a write like the write itself: a repeat that
        // races the original past `find_stored_batch` is not told apart here.
        Ok(AppendResult { next_expected: Revision(last_revision), position, replayed: false })
    }

    /// The event exactly at `position` if it passes the server filter (reads forward, inclusive).
    async fn event_at(
        &self,
        position: kurrentdb::Position,
        filter: &SubscriptionFilter,
    ) -> Result<Option<kurrentdb::RecordedEvent>, StoreError> {
        let options = kurrentdb::ReadAllOptions::default()
            .position(StreamPosition::Position(position))
            .forwards()
            .max_count(1)
            .filter(filter.clone());
        let page = read_all_raw(&self.client, &options).await?;
        Ok(page.into_iter().next().filter(|event| event.position == position))
    }
}

#[async_trait]
impl EventStore for KurrentStore {
    async fn append(
        &self,
        stream: &StreamName,
        expected: ExpectedRevision,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        rules::check_append(stream, &events, self.max_event_bytes)?;
        if let Some(original) = self.find_stored_batch(stream, &events).await? {
            return Ok(original);
        }
        let batch = events.iter().map(|event| encode_event(stream, event)).collect::<Result<Vec<_>, _>>()?;
        let options = AppendToStreamOptions::default().stream_state(stream_state(expected));
        let written = self
            .client
            .append_to_stream(stream.as_str(), &options, batch)
            .await
            .map_err(|error| append_error(stream, expected, error))?;
        let result = self.verify_append(stream, &events, &written).await?;
        debug!(
            stream = %stream,
            events = events.len(),
            next_expected = %result.next_expected,
            position = %result.position,
            "appended"
        );
        Ok(result)
    }

    async fn read_stream(
        &self,
        stream: &StreamName,
        options: ReadStreamOptions,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        rules::check_limit(options.limit)?;
        let doing = format!("reading `{stream}`");
        let raw = self.read_stream_raw(stream, &stream_read_options(options), &doing).await?;
        raw.iter().map(|event| decode_event(stream.clone(), event)).collect()
    }

    async fn read_all(&self, options: ReadAllOptions) -> Result<Vec<RecordedEvent>, StoreError> {
        rules::check_limit(options.limit)?;
        let server_filter = ServerFilter::plan(&options.filter).to_kurrent();
        let backwards = options.direction == Direction::Backward;
        let mut found = Vec::new();
        // Starts at the log's start (forward) or end (backward) unless told otherwise.
        let mut pager = AllPager::new(&self.client, backwards, server_filter.clone());
        match (options.direction, options.from) {
            (_, None) => {}
            (Direction::Forward, Some(from)) => pager.next_start = StreamPosition::Position(to_kurrent(from)),
            (Direction::Backward, Some(from)) => {
                // KurrentDB reads backward from a position exclusively; `from` is inclusive.
                let from = to_kurrent(from);
                if let Some(raw) = self.event_at(from, &server_filter).await?
                    && let Some(event) = accept_from_all(&raw, &options.filter)?
                {
                    found.push(event);
                }
                pager.next_start = StreamPosition::Position(from);
                pager.boundary = Some(from);
            }
        }
        while found.len() < options.limit && !pager.finished {
            let wanted = options.limit - found.len();
            let wanted =
                if ServerFilter::covers(&options.filter) { wanted } else { wanted.max(CLIENT_FILTER_MIN_PAGE) };
            for raw in pager.next_page(wanted).await? {
                if let Some(event) = accept_from_all(&raw, &options.filter)? {
                    found.push(event);
                    if found.len() == options.limit {
                        break;
                    }
                }
            }
        }
        Ok(found)
    }

    async fn subscribe_all(&self, from: SubscribeFrom, filter: EventFilter) -> Result<Subscription, StoreError> {
        let (start, after) = match from {
            SubscribeFrom::Start => (StreamPosition::Start, None),
            SubscribeFrom::After(position) => {
                let position = to_kurrent(position);
                (StreamPosition::Position(position), Some(position))
            }
        };
        let options = SubscribeToAllOptions::default()
            .position(start)
            .filter(ServerFilter::plan(&filter).to_kurrent())
            .retry_options(RetryOptions::default().retry_forever());
        let client = self.client.clone();
        debug!(from = ?from, filter = ?filter, "subscribing to $all");
        Ok(Subscription::spawn(SUBSCRIPTION_PAGES, move |sender| async move {
            let subscription = client.subscribe_to_all(&options).await;
            feed_subscription(subscription, sender, filter, after).await;
        }))
    }

    async fn stream_revision(&self, stream: &StreamName) -> Result<Option<Revision>, StoreError> {
        let options = kurrentdb::ReadStreamOptions::default().position(StreamPosition::End).backwards().max_count(1);
        let doing = format!("reading the revision of `{stream}`");
        let raw = self.read_stream_raw(stream, &options, &doing).await?;
        Ok(raw.first().map(|event| Revision(event.revision)))
    }

    async fn head_position(&self) -> Result<Option<Position>, StoreError> {
        // Backward from the end, past system events and other applications' streams.
        let mut pager = AllPager::new(&self.client, true, ServerFilter::plan(&EventFilter::all()).to_kurrent());
        let mut wanted = 1;
        while !pager.finished {
            for raw in pager.next_page(wanted).await? {
                if matches!(classify(&raw), Origin::Kirjuri(_)) {
                    return Ok(Some(from_kurrent(raw.position)));
                }
            }
            wanted = CLIENT_FILTER_MIN_PAGE;
        }
        Ok(None)
    }
}

/// The part of an [`EventFilter`] the server applies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ServerFilter {
    /// Stream name prefixes.
    StreamPrefixes(Vec<String>),
    /// Event type prefixes.
    TypePrefixes(Vec<String>),
    /// No filter asked for: only the server's own `$` event types are dropped.
    ExcludeSystemTypes,
}

impl ServerFilter {
    /// Stream prefixes if any, else type prefixes, else just no system events.
    fn plan(filter: &EventFilter) -> Self {
        if !filter.stream_prefixes.is_empty() {
            Self::StreamPrefixes(filter.stream_prefixes.clone())
        } else if !filter.type_prefixes.is_empty() {
            Self::TypePrefixes(filter.type_prefixes.clone())
        } else {
            Self::ExcludeSystemTypes
        }
    }

    /// Whether the server's part is all of `filter` (so pages need no slack for misses).
    fn covers(filter: &EventFilter) -> bool {
        filter.stream_prefixes.is_empty() || filter.type_prefixes.is_empty()
    }

    /// The filter as the client takes it.
    fn to_kurrent(&self) -> SubscriptionFilter {
        match self {
            Self::StreamPrefixes(prefixes) => {
                prefixes.iter().fold(SubscriptionFilter::on_stream_name(), |filter, prefix| filter.add_prefix(prefix))
            }
            Self::TypePrefixes(prefixes) => {
                prefixes.iter().fold(SubscriptionFilter::on_event_type(), |filter, prefix| filter.add_prefix(prefix))
            }
            Self::ExcludeSystemTypes => SubscriptionFilter::on_event_type().exclude_system_events(),
        }
    }
}

/// Reads `$all` page by page in one direction, never yielding an event twice.
struct AllPager<'a> {
    client: &'a Client,
    backwards: bool,
    filter: SubscriptionFilter,
    /// Where the next page starts.
    next_start: StreamPosition<kurrentdb::Position>,
    /// The last position already handled: events at or before it (forward), or at or after it
    /// (backward), are dropped.
    boundary: Option<kurrentdb::Position>,
    /// Whether the log's end (or start, backward) has been reached.
    finished: bool,
}

impl<'a> AllPager<'a> {
    fn new(client: &'a Client, backwards: bool, filter: SubscriptionFilter) -> Self {
        let next_start = if backwards { StreamPosition::End } else { StreamPosition::Start };
        Self { client, backwards, filter, next_start, boundary: None, finished: false }
    }

    /// The next events after the boundary, about `wanted` of them; empty once finished.
    async fn next_page(&mut self, wanted: usize) -> Result<Vec<kurrentdb::RecordedEvent>, StoreError> {
        if self.finished {
            return Ok(Vec::new());
        }
        // One more than wanted when continuing: the page may start with the boundary event.
        let size = (wanted.max(1) + usize::from(self.boundary.is_some())).min(MAX_PAGE);
        // `position(Start)` forces forwards and `position(End)` backwards, so the direction is
        // set after the position.
        let options = kurrentdb::ReadAllOptions::default().position(self.next_start);
        let options = if self.backwards { options.backwards() } else { options.forwards() };
        let options = options.max_count(size).filter(self.filter.clone());
        let page = read_all_raw(self.client, &options).await?;
        // A filtered read pages on the server until it has `size` events or reaches the end.
        if page.len() < size {
            self.finished = true;
        }
        let (backwards, boundary) = (self.backwards, self.boundary);
        let last = page.last().map(|event| event.position);
        let fresh: Vec<_> = page
            .into_iter()
            .filter(|event| match boundary {
                None => true,
                Some(boundary) if backwards => event.position < boundary,
                Some(boundary) => event.position > boundary,
            })
            .collect();
        match last {
            Some(last) => {
                self.boundary = Some(last);
                self.next_start = StreamPosition::Position(last);
            }
            None => self.finished = true,
        }
        if fresh.is_empty() && !self.finished {
            return Err(StoreError::unavailable(
                "reading $all",
                format!("a full page of {size} events brought nothing new after position {:?}", self.boundary),
            ));
        }
        Ok(fresh)
    }
}

/// Reads one page of `$all`.
async fn read_all_raw(
    client: &Client,
    options: &kurrentdb::ReadAllOptions,
) -> Result<Vec<kurrentdb::RecordedEvent>, StoreError> {
    let mut reader = client.read_all(options).await.map_err(|error| StoreError::unavailable("reading $all", error))?;
    let mut events = Vec::new();
    loop {
        match reader.next().await {
            Ok(Some(resolved)) => events.extend(original_event(resolved)),
            Ok(None) => return Ok(events),
            Err(error) => return Err(StoreError::unavailable("reading $all", error)),
        }
    }
}

/// The event itself (links are not resolved, so a link is returned as the link event).
fn original_event(resolved: kurrentdb::ResolvedEvent) -> Option<kurrentdb::RecordedEvent> {
    resolved.link.or(resolved.event)
}

/// Where an event of `$all` comes from; foreign streams are logged.
fn classify(raw: &kurrentdb::RecordedEvent) -> Origin {
    let found = origin(raw.stream_id(), &raw.event_type);
    if found == Origin::Foreign {
        debug!(stream = raw.stream_id(), event_type = %raw.event_type, position = %raw.position, "skipping an event of a non-kirjuri stream");
    }
    found
}

/// Decodes an event of `$all` if it is a kirjuri event passing `filter`.
fn accept_from_all(raw: &kurrentdb::RecordedEvent, filter: &EventFilter) -> Result<Option<RecordedEvent>, StoreError> {
    let Origin::Kirjuri(stream) = classify(raw) else {
        return Ok(None);
    };
    if !matches_raw(filter, stream.as_str(), &raw.event_type) {
        return Ok(None);
    }
    let event = decode_event(stream, raw)?;
    Ok(filter.matches(&event).then_some(event))
}

/// Feeds a subscription's pages from a KurrentDB catch-up subscription until the reader goes
/// away or an error ends it.
async fn feed_subscription(
    mut subscription: kurrentdb::Subscription,
    sender: PageSender,
    filter: EventFilter,
    mut last_delivered: Option<kurrentdb::Position>,
) {
    loop {
        let next = tokio::select! {
            biased;
            () = sender.closed() => {
                debug!("subscription reader gone; stopping");
                return;
            }
            next = subscription.next_subscription_event() => next,
        };
        let raw = match next {
            Ok(SubscriptionEvent::EventAppeared(resolved)) => match original_event(resolved) {
                Some(raw) => raw,
                None => continue,
            },
            Ok(SubscriptionEvent::CaughtUp(_)) => {
                debug!(last_delivered = ?last_delivered, "subscription caught up; now live");
                continue;
            }
            Ok(_) => continue,
            Err(error) => {
                warn!(error = %error, last_delivered = ?last_delivered, "kurrentdb subscription failed");
                let _ = sender.send(Err(StoreError::unavailable("subscribing to $all", error))).await;
                return;
            }
        };
        // A resubscription after a drop restarts from the last event the client saw; never
        // deliver anything twice.
        if last_delivered.is_some_and(|last| raw.position <= last) {
            continue;
        }
        last_delivered = Some(raw.position);
        match accept_from_all(&raw, &filter) {
            Ok(Some(event)) => {
                if sender.send(Ok(vec![event])).await.is_err() {
                    return;
                }
            }
            Ok(None) => {}
            Err(error) => {
                warn!(error = %error, position = %raw.position, "subscription stopped at an undecodable event");
                let _ = sender.send(Err(error)).await;
                return;
            }
        }
    }
}

/// Judges the events of a batch already found in its stream (batch index, stored event, in
/// stream order): none is a fresh append, the whole batch in order at consecutive revisions
/// with the same content is a retry (its original result), anything else is a reused id.
fn judge_stored_batch(
    stream: &StreamName,
    events: &[NewEvent],
    found: &[(usize, RecordedEvent)],
) -> Result<Option<AppendResult>, StoreError> {
    let (Some((_, first)), Some((_, last))) = (found.first(), found.last()) else {
        return Ok(None);
    };
    let whole_batch = found.len() == events.len()
        && found
            .iter()
            .enumerate()
            .all(|(k, (index, stored))| *index == k && stored.revision.0 == first.revision.0 + k as u64);
    for (index, stored) in found {
        let requested = &events[*index];
        if !whole_batch || !requested.is_same_as(stored) {
            let where_stored = if whole_batch {
                format!("in `{stream}` at revision {}", stored.revision)
            } else {
                format!("in `{stream}` at revision {}, as part of another append", stored.revision)
            };
            return Err(StoreError::DuplicateEventId { stream: stream.clone(), id: requested.id, where_stored });
        }
    }
    Ok(Some(AppendResult { next_expected: last.revision, position: last.position, replayed: true }))
}

/// The client's options for a stream read.
fn stream_read_options(options: ReadStreamOptions) -> kurrentdb::ReadStreamOptions {
    let read = kurrentdb::ReadStreamOptions::default();
    // `position(Start)` forces forwards and `position(End)` backwards (and `Position(_)` keeps
    // the direction), so the position is set first and the direction after it.
    let read = match (options.direction, options.from) {
        (Direction::Forward, None) => read.position(StreamPosition::Start).forwards(),
        (Direction::Backward, None) => read.position(StreamPosition::End).backwards(),
        (Direction::Forward, Some(from)) => read.position(StreamPosition::Position(from.0)).forwards(),
        (Direction::Backward, Some(from)) => read.position(StreamPosition::Position(from.0)).backwards(),
    };
    read.max_count(options.limit)
}

/// Maps a failed append.
fn append_error(stream: &StreamName, expected: ExpectedRevision, error: kurrentdb::Error) -> StoreError {
    match error {
        kurrentdb::Error::WrongExpectedVersion { current, .. } => StoreError::Conflict {
            stream: stream.clone(),
            expected,
            actual: match current {
                CurrentRevision::Current(revision) => Some(Revision(revision)),
                CurrentRevision::NoStream => None,
            },
        },
        kurrentdb::Error::ResourceDeleted => deleted(stream),
        kurrentdb::Error::Grpc { code, message } if i32::from(code) == GRPC_INVALID_ARGUMENT => {
            StoreError::InvalidArgument {
                field: "append",
                rule: format!(
                    "KurrentDB rejected the append to `{stream}`: {message} (a whole append must fit the server's MaxAppendSize)"
                ),
            }
        }
        other => StoreError::unavailable(format!("appending to `{stream}`"), other),
    }
}

/// Maps a failed stream read.
fn stream_read_error(stream: &StreamName, doing: &str, error: kurrentdb::Error) -> StoreError {
    match error {
        kurrentdb::Error::ResourceDeleted => deleted(stream),
        other => StoreError::unavailable(doing, other),
    }
}

/// The error for a stream someone deleted behind kirjuri's back.
fn deleted(stream: &StreamName) -> StoreError {
    StoreError::Corrupt(format!(
        "stream `{stream}` has been deleted in KurrentDB (kirjuri never deletes streams; its events are gone)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_gets_one_filter_list_and_the_rest_is_checked_here() {
        let streams = EventFilter::streams(["practice-", "lesson"]);
        assert_eq!(
            ServerFilter::plan(&streams),
            ServerFilter::StreamPrefixes(vec!["practice-".into(), "lesson".into()])
        );
        assert!(ServerFilter::covers(&streams));

        let types = EventFilter::types(["Practice"]);
        assert_eq!(ServerFilter::plan(&types), ServerFilter::TypePrefixes(vec!["Practice".into()]));
        assert!(ServerFilter::covers(&types));

        let both =
            EventFilter { stream_prefixes: vec!["practice".into()], type_prefixes: vec!["PracticeDecided".into()] };
        assert_eq!(ServerFilter::plan(&both), ServerFilter::StreamPrefixes(vec!["practice".into()]));
        assert!(!ServerFilter::covers(&both));

        assert_eq!(ServerFilter::plan(&EventFilter::all()), ServerFilter::ExcludeSystemTypes);
        assert!(ServerFilter::covers(&EventFilter::all()));
    }

    #[test]
    fn a_wrong_expected_version_is_a_conflict_with_the_actual_revision() {
        let stream = sample_stream();
        let error = append_error(
            &stream,
            ExpectedRevision::Exact(Revision(2)),
            kurrentdb::Error::WrongExpectedVersion {
                expected: kurrentdb::StreamState::StreamRevision(2),
                current: CurrentRevision::Current(5),
            },
        );
        assert!(matches!(
            error,
            StoreError::Conflict { expected: ExpectedRevision::Exact(Revision(2)), actual: Some(Revision(5)), .. }
        ));
        let error = append_error(
            &stream,
            ExpectedRevision::StreamExists,
            kurrentdb::Error::WrongExpectedVersion {
                expected: kurrentdb::StreamState::StreamExists,
                current: CurrentRevision::NoStream,
            },
        );
        assert!(matches!(error, StoreError::Conflict { actual: None, .. }));
        assert!(matches!(
            append_error(&stream, ExpectedRevision::Any, kurrentdb::Error::ConnectionClosed),
            StoreError::Unavailable { .. }
        ));
        assert!(matches!(
            append_error(&stream, ExpectedRevision::Any, kurrentdb::Error::ResourceDeleted),
            StoreError::Corrupt(_)
        ));
    }

    fn sample_stream() -> StreamName {
        StreamName::parse("practice-0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").expect("valid")
    }

    fn new_event(n: u128, text: &str) -> NewEvent {
        NewEvent::new(
            kirjuri_events::EventId(Uuid::from_u128(n)),
            kirjuri_events::EventType::parse("PracticeDrafted").expect("valid"),
            kirjuri_events::EventPayload::from_value(&serde_json::json!({ "text": text })).expect("valid"),
        )
    }

    fn stored(event: &NewEvent, revision: u64) -> RecordedEvent {
        RecordedEvent {
            id: event.id,
            stream: sample_stream(),
            revision: Revision(revision),
            position: Position::sequence(1000 + revision),
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            recorded_at: chrono::Utc::now(),
            data: event.data.clone(),
            metadata: event.metadata.clone(),
        }
    }

    #[test]
    fn a_stored_batch_is_a_retry_only_when_whole_in_order_and_identical() {
        let stream = sample_stream();
        let batch = vec![new_event(1, "a"), new_event(2, "b")];
        assert!(judge_stored_batch(&stream, &batch, &[]).expect("fresh").is_none());

        let retry = judge_stored_batch(&stream, &batch, &[(0, stored(&batch[0], 3)), (1, stored(&batch[1], 4))]);
        let original = retry.expect("a retry").expect("stored");
        assert_eq!(
            original,
            AppendResult { next_expected: Revision(4), position: Position::sequence(1004), replayed: true }
        );

        let changed = new_event(2, "changed");
        let outcome = judge_stored_batch(
            &stream,
            &[batch[0].clone(), changed],
            &[(0, stored(&batch[0], 3)), (1, stored(&batch[1], 4))],
        );
        assert!(matches!(outcome, Err(StoreError::DuplicateEventId { id, .. }) if id == batch[1].id), "{outcome:?}");

        let partial =
            judge_stored_batch(&stream, &[new_event(9, "new"), batch[0].clone()], &[(1, stored(&batch[0], 0))]);
        assert!(
            matches!(&partial, Err(StoreError::DuplicateEventId { id, where_stored, .. }) if *id == batch[0].id && where_stored.contains("revision 0")),
            "{partial:?}"
        );

        let out_of_order = judge_stored_batch(&stream, &batch, &[(1, stored(&batch[1], 3)), (0, stored(&batch[0], 4))]);
        assert!(matches!(out_of_order, Err(StoreError::DuplicateEventId { .. })));
        let gapped = judge_stored_batch(&stream, &batch, &[(0, stored(&batch[0], 3)), (1, stored(&batch[1], 5))]);
        assert!(matches!(gapped, Err(StoreError::DuplicateEventId { .. })));
    }

    #[tokio::test]
    async fn a_bad_connection_string_is_an_invalid_argument_without_the_password() {
        for bad in [
            "not a connection string",
            "http://admin:s3cret@localhost:2113",
            "kurrentdb://admin:s3cret@localhost:2113?tls=maybe",
        ] {
            let error = KurrentStore::connect(KurrentStoreOptions::new(bad)).await.expect_err("rejected");
            match error {
                StoreError::InvalidArgument { field, rule } => {
                    assert_eq!(field, "kurrentdb connection string");
                    assert!(!rule.contains("s3cret"), "{rule}");
                }
                other => panic!("expected InvalidArgument for {bad:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn options_default_the_size_limit_and_hide_the_password() {
        let options = KurrentStoreOptions::new("kurrentdb://admin:s3cret@localhost:2113");
        assert_eq!(options.max_event_bytes, crate::DEFAULT_MAX_EVENT_BYTES);
        let shown = format!("{options:?}");
        assert!(!shown.contains("s3cret") && shown.contains("admin:***@localhost"), "{shown}");
    }
}

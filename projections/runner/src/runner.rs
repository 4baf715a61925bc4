//! The runner: one task per projection, feeding it batches from `$all` after its checkpoint.
//!
//! Who owns what: each task owns its projection (moved onto a blocking thread for every call)
//! and its subscription, and is the only writer of its `watch::Sender<Progress>`; the
//! [`ProjectionRunner`] only reads those channels and holds the shutdown signal.
//!
//! The task subscribes to every event and applies its projection's filter itself, so it knows
//! how far it has read even when nothing matches: a filtered projection whose checkpoint stays
//! behind because later events are not its own still counts as caught up
//! (`read_through`), which [`ProjectionRunner::wait_until_caught_up`] needs. The cost is reading
//! events the projection skips; a rebuild reads with the filter in the store.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::{EventFilter, EventStore, StoreError, SubscribeFrom, Subscription};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{info, warn};

use crate::retry::{ApplyOutcome, apply_with_retry, on_blocking_thread};
use crate::status::{DEFAULT_LAG_COUNT_LIMIT, ProjectionState, ProjectionStatus, StatusError, measure_lag};
use crate::{Backoff, Projection, ProjectionError};

/// How the runner batches and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunnerOptions {
    /// The most events in one `apply` (at least 1).
    pub batch_max_events: usize,
    /// How long a batch waits for more events after its first one.
    pub batch_max_wait: Duration,
    /// Delays between retries of storage errors and of a failed subscription.
    pub backoff: Backoff,
    /// How many unapplied events [`ProjectionRunner::status`] counts before saying "at least".
    pub lag_count_limit: usize,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        Self {
            batch_max_events: 10_000,
            batch_max_wait: Duration::from_millis(50),
            backoff: Backoff::default(),
            lag_count_limit: DEFAULT_LAG_COUNT_LIMIT,
        }
    }
}

/// Why the runner could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// Two projections share a name.
    #[error("two projections are named `{0}`; projection names must be unique")]
    DuplicateName(&'static str),
    /// `start` was called outside a tokio runtime.
    #[error("the projection runner must be started inside a tokio runtime")]
    NoRuntime,
}

/// Why [`ProjectionRunner::wait_until_caught_up`] returned without every projection there.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// Some projections were still behind when the time ran out.
    #[error("projections {behind:?} did not reach position {position} within {timeout:?}")]
    Timeout {
        /// The position waited for.
        position: Position,
        /// How long was waited.
        timeout: Duration,
        /// The projections still behind.
        behind: Vec<String>,
    },
    /// Some projections failed or were stopped before reaching the position; every other
    /// projection has reached it.
    #[error("projections stopped before reaching position {position}: {}", describe(.stopped))]
    Stopped {
        /// The position waited for.
        position: Position,
        /// Each stopped projection's name and its state and last error.
        stopped: Vec<(String, String)>,
    },
}

fn describe(stopped: &[(String, String)]) -> String {
    stopped.iter().map(|(name, why)| format!("{name} ({why})")).collect::<Vec<_>>().join("; ")
}

/// What a task publishes after each step.
#[derive(Debug, Clone)]
struct Progress {
    state: ProjectionState,
    checkpoint: Option<Position>,
    read_through: Option<Position>,
    events_applied: u64,
    storage_retries: u64,
    last_error: Option<String>,
}

impl Progress {
    fn has_reached(&self, position: Position) -> bool {
        self.read_through.unwrap_or(Position::START) >= position
    }

    fn has_ended(&self) -> bool {
        matches!(self.state, ProjectionState::Failed | ProjectionState::Stopped)
    }
}

/// Tells a runner's tasks to stop after their current batch; cheap to clone.
#[derive(Debug, Clone)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Asks every task to finish its current batch (flushing what it gathered) and stop.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

struct Slot {
    name: &'static str,
    filter: EventFilter,
    progress: watch::Receiver<Progress>,
    task: JoinHandle<Option<Box<dyn Projection>>>,
}

/// Follows one projection's checkpoint as its task moves it: after each batch the projection
/// has committed (and once at start, to the checkpoint it resumed from).
#[derive(Clone)]
pub struct CheckpointWatch(watch::Receiver<Progress>);

impl CheckpointWatch {
    /// The checkpoint now: everything up to it is committed in the read model.
    pub fn current(&self) -> Option<Position> {
        self.0.borrow().checkpoint
    }
}

impl std::fmt::Debug for CheckpointWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CheckpointWatch").field(&self.current()).finish()
    }
}

/// Runs projections: one task each, started by [`ProjectionRunner::start`].
pub struct ProjectionRunner {
    store: Arc<dyn EventStore>,
    options: RunnerOptions,
    slots: Vec<Slot>,
    shutdown: ShutdownHandle,
}

impl ProjectionRunner {
    /// Starts one task per projection on the current tokio runtime.
    pub fn start(
        store: Arc<dyn EventStore>,
        projections: Vec<Box<dyn Projection>>,
        options: RunnerOptions,
    ) -> Result<Self, RunnerError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| RunnerError::NoRuntime)?;
        let mut names = std::collections::HashSet::new();
        for projection in &projections {
            if !names.insert(projection.name()) {
                return Err(RunnerError::DuplicateName(projection.name()));
            }
        }
        let options = RunnerOptions { batch_max_events: options.batch_max_events.max(1), ..options };
        let (shutdown_sender, shutdown) = watch::channel(false);
        let slots = projections
            .into_iter()
            .map(|projection| {
                let name = projection.name();
                let filter = projection.filter();
                let (progress_sender, progress) = watch::channel(Progress {
                    state: ProjectionState::Running,
                    checkpoint: None,
                    read_through: None,
                    events_applied: 0,
                    storage_retries: 0,
                    last_error: None,
                });
                let task = Task {
                    name,
                    failure_recorded: false,
                    filter: filter.clone(),
                    store: Arc::clone(&store),
                    options,
                    progress: progress_sender,
                    stop: shutdown.clone(),
                };
                info!(projection = name, "projection starting");
                Slot { name, filter, progress, task: runtime.spawn(task.run(projection)) }
            })
            .collect();
        Ok(Self { store, options, slots, shutdown: ShutdownHandle(Arc::new(shutdown_sender)) })
    }

    /// The names of the running projections, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.slots.iter().map(|slot| slot.name).collect()
    }

    /// Follows the checkpoint of the projection called `name`, if it runs here.
    pub fn checkpoint_watch(&self, name: &str) -> Option<CheckpointWatch> {
        self.slots.iter().find(|slot| slot.name == name).map(|slot| CheckpointWatch(slot.progress.clone()))
    }

    /// A handle that stops every task after its current batch.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Every projection's status, with the head and lag measured now (see [`measure_lag`] for
    /// the cost).
    pub async fn status(&self) -> Result<Vec<ProjectionStatus>, StatusError> {
        let mut statuses = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            statuses.push(self.status_of(slot).await?);
        }
        Ok(statuses)
    }

    /// One projection's status, `None` if no projection has that name.
    pub async fn status_of_named(&self, name: &str) -> Result<Option<ProjectionStatus>, StatusError> {
        match self.slots.iter().find(|slot| slot.name == name) {
            Some(slot) => self.status_of(slot).await.map(Some),
            None => Ok(None),
        }
    }

    async fn status_of(&self, slot: &Slot) -> Result<ProjectionStatus, StatusError> {
        let progress = slot.progress.borrow().clone();
        let store_error = |source| StatusError::Store { name: slot.name.to_owned(), source };
        let head = self.store.head_position().await.map_err(store_error)?;
        let lag = measure_lag(&*self.store, &slot.filter, progress.checkpoint, head, self.options.lag_count_limit)
            .await
            .map_err(store_error)?;
        Ok(ProjectionStatus {
            name: slot.name.to_owned(),
            state: progress.state,
            checkpoint: progress.checkpoint,
            read_through: progress.read_through,
            head,
            lag_events: lag.events,
            lag_events_exact: lag.exact,
            lag_seconds: lag.seconds_at(chrono::Utc::now()),
            last_error: progress.last_error,
            events_applied: progress.events_applied,
            storage_retries: progress.storage_retries,
        })
    }

    /// Resolves once every projection has committed everything up to `position` that passes
    /// its filter — or has failed or stopped (then [`WaitError::Stopped`], after the others
    /// got there) — or `timeout` has passed. Waits on the tasks' `watch` channels; no polling.
    pub async fn wait_until_caught_up(&self, position: Position, timeout: Duration) -> Result<(), WaitError> {
        let waits = self.slots.iter().map(|slot| {
            let mut progress = slot.progress.clone();
            async move {
                // An error means the task is gone; its last progress says why.
                let _ = progress.wait_for(|p| p.has_reached(position) || p.has_ended()).await;
            }
        });
        if tokio::time::timeout(timeout, futures::future::join_all(waits)).await.is_err() {
            let behind = self
                .slots
                .iter()
                .filter(|slot| !slot.progress.borrow().has_reached(position))
                .map(|slot| slot.name.to_owned())
                .collect();
            return Err(WaitError::Timeout { position, timeout, behind });
        }
        let stopped: Vec<(String, String)> = self
            .slots
            .iter()
            .filter_map(|slot| {
                let progress = slot.progress.borrow();
                (!progress.has_reached(position)).then(|| {
                    let why = match &progress.last_error {
                        Some(error) => format!("{}: {error}", progress.state),
                        None => progress.state.to_string(),
                    };
                    (slot.name.to_owned(), why)
                })
            })
            .collect();
        if stopped.is_empty() { Ok(()) } else { Err(WaitError::Stopped { position, stopped }) }
    }

    /// Stops every task after its current batch (flushing what it gathered) and returns the
    /// projections that are still usable (a panicked one is gone), in registration order.
    pub async fn shutdown(self) -> Vec<Box<dyn Projection>> {
        self.shutdown.trigger();
        let mut projections = Vec::with_capacity(self.slots.len());
        for slot in self.slots {
            match slot.task.await {
                Ok(Some(projection)) => projections.push(projection),
                Ok(None) => {}
                Err(error) => warn!(projection = slot.name, %error, "projection task ended abnormally"),
            }
        }
        info!("projections stopped");
        projections
    }

    /// Stops every task at once without flushing, as a crash would: a batch being applied
    /// finishes or not on its blocking thread, atomically. For tests of crash recovery.
    pub fn abort(self) {
        for slot in &self.slots {
            slot.task.abort();
        }
    }
}

/// One projection's task.
struct Task {
    name: &'static str,
    /// Whether the projection holds a recorded failure to clear after its next applied batch.
    failure_recorded: bool,
    filter: EventFilter,
    store: Arc<dyn EventStore>,
    options: RunnerOptions,
    progress: watch::Sender<Progress>,
    stop: watch::Receiver<bool>,
}

/// Whether a task goes on with its projection, or ends (handing it back if it still has it).
enum Step<T> {
    Go(Box<dyn Projection>, T),
    End(Option<Box<dyn Projection>>),
}

/// What one batch gathered.
struct Gathered {
    batch: Vec<RecordedEvent>,
    /// The last position read, matching or not.
    read: Option<Position>,
    /// Why the subscription ended, if it did.
    ended: Option<StoreError>,
}

impl Task {
    async fn run(mut self, projection: Box<dyn Projection>) -> Option<Box<dyn Projection>> {
        let (mut projection, mut checkpoint) = match self.read_checkpoint(projection).await {
            Step::Go(projection, checkpoint) => (projection, checkpoint),
            Step::End(projection) => return projection,
        };
        let mut read_through = checkpoint;
        self.progress.send_modify(|p| {
            p.checkpoint = checkpoint;
            p.read_through = checkpoint;
        });
        let mut resubscribes: u32 = 0;
        'subscribe: loop {
            if self.stopping() {
                break;
            }
            let from = read_through.map_or(SubscribeFrom::Start, SubscribeFrom::After);
            let mut subscription = match self.store.subscribe_all(from, EventFilter::all()).await {
                Ok(subscription) => subscription,
                Err(error) => {
                    if self.retry_subscription(&error, &mut resubscribes).await {
                        continue;
                    }
                    break;
                }
            };
            loop {
                let Some(gathered) = self.gather(&mut subscription, read_through).await else { break 'subscribe };
                if gathered.batch.is_empty() {
                    if gathered.read > read_through {
                        read_through = gathered.read;
                        self.progress.send_modify(|p| p.read_through = read_through);
                    }
                } else {
                    let applied = gathered.batch.len() as u64;
                    let last = gathered.batch.last().map(|event| event.position);
                    projection = match self.apply(projection, gathered.batch).await {
                        Step::Go(projection, ()) => projection,
                        Step::End(projection) => return projection,
                    };
                    checkpoint = last;
                    read_through = gathered.read;
                    self.progress.send_modify(|p| {
                        p.state = ProjectionState::Running;
                        p.checkpoint = checkpoint;
                        p.read_through = read_through;
                        p.events_applied += applied;
                        p.last_error = None;
                    });
                }
                if let Some(error) = gathered.ended {
                    if matches!(error, StoreError::Closed) {
                        warn!(projection = self.name, "event store closed, projection stopping");
                        self.finish(ProjectionState::Stopped, Some("the event store closed".to_owned()));
                        return Some(projection);
                    }
                    if self.retry_subscription(&error, &mut resubscribes).await {
                        continue 'subscribe;
                    }
                    break 'subscribe;
                }
                resubscribes = 0;
                if self.stopping() {
                    break 'subscribe;
                }
            }
        }
        info!(projection = self.name, checkpoint = ?checkpoint, "projection stopped");
        self.finish(ProjectionState::Stopped, None);
        Some(projection)
    }

    /// Reads the checkpoint, retrying storage errors; ends on a stop, a failure or a panic.
    async fn read_checkpoint(&mut self, mut projection: Box<dyn Projection>) -> Step<Option<Position>> {
        let mut attempt: u32 = 0;
        loop {
            match on_blocking_thread(projection, |p| p.checkpoint().map(|c| (c, p.recorded_failure()))).await {
                Err(panic) => {
                    self.fail(panic);
                    return Step::End(None);
                }
                Ok((p, Ok((checkpoint, failure)))) => {
                    match failure {
                        Ok(Some(failure)) => {
                            info!(
                                projection = self.name,
                                failure, "projection stopped on this error before; trying again"
                            );
                            self.failure_recorded = true;
                            self.progress.send_modify(|p| p.last_error = Some(failure));
                        }
                        Ok(None) => {}
                        Err(error) => warn!(projection = self.name, %error, "could not read the recorded failure"),
                    }
                    return Step::Go(p, checkpoint);
                }
                Ok((p, Err(error))) if error.is_retryable() => {
                    projection = p;
                    let delay = self.options.backoff.delay(attempt);
                    attempt = attempt.saturating_add(1);
                    self.note_retry(&error, delay);
                    if self.sleep_unless_stopped(delay).await {
                        self.finish(ProjectionState::Stopped, None);
                        return Step::End(Some(projection));
                    }
                }
                Ok((p, Err(error))) => {
                    warn!(projection = self.name, %error, "projection cannot read its checkpoint, stopping it");
                    self.fail(error.to_string());
                    return Step::End(Some(p));
                }
            }
        }
    }

    /// Waits for a first event, then gathers until the batch is full, its time is up, the
    /// subscription ends, or a stop is asked for. `None`: stopped while idle.
    async fn gather(&mut self, subscription: &mut Subscription, read_through: Option<Position>) -> Option<Gathered> {
        let mut next = match subscription.next_event().now_or_never() {
            Some(next) => next,
            None => {
                self.mark_idle(read_through).await;
                tokio::select! {
                    biased;
                    _ = self.stop.wait_for(|stopping| *stopping) => return None,
                    next = subscription.next_event() => next,
                }
            }
        };
        let mut gathered = Gathered { batch: Vec::new(), read: read_through, ended: None };
        let mut deadline: Option<Instant> = None;
        loop {
            match next {
                Some(Ok(event)) => {
                    // A subscription delivers only events after its start; this guards the
                    // "never twice" promise against a backend that does not.
                    if read_through.is_none_or(|read| event.position > read) {
                        gathered.read = Some(event.position);
                        if self.filter.matches(&event) {
                            deadline.get_or_insert_with(|| Instant::now() + self.options.batch_max_wait);
                            gathered.batch.push(event);
                        }
                    }
                }
                Some(Err(error)) => {
                    gathered.ended = Some(error);
                    return Some(gathered);
                }
                None => {
                    gathered.ended = Some(StoreError::Closed);
                    return Some(gathered);
                }
            }
            if gathered.batch.len() >= self.options.batch_max_events {
                return Some(gathered);
            }
            // Nothing to apply yet: report how far we read instead of waiting.
            let Some(deadline) = deadline else {
                match subscription.next_event().now_or_never() {
                    Some(ready) => {
                        next = ready;
                        continue;
                    }
                    None => return Some(gathered),
                }
            };
            if Instant::now() >= deadline {
                return Some(gathered);
            }
            next = match subscription.next_event().now_or_never() {
                Some(ready) => ready,
                None => tokio::select! {
                    biased;
                    // Graceful shutdown flushes what was gathered.
                    _ = self.stop.wait_for(|stopping| *stopping) => return Some(gathered),
                    () = tokio::time::sleep_until(deadline) => return Some(gathered),
                    next = subscription.next_event() => next,
                },
            };
        }
    }

    /// Applies a batch with retries. Ends when a stop interrupts the retries (nothing of the
    /// batch committed), on a poison event (failure published) or a panic.
    async fn apply(&mut self, projection: Box<dyn Projection>, batch: Vec<RecordedEvent>) -> Step<()> {
        let first = batch.first().map(|event| event.position);
        match self.apply_retrying(projection, batch).await {
            ApplyOutcome::Applied(projection) if self.failure_recorded => {
                self.failure_recorded = false;
                let name = self.name;
                match on_blocking_thread(projection, |p| p.record_failure(None)).await {
                    Ok((projection, result)) => {
                        if let Err(error) = result {
                            warn!(projection = name, %error, "could not clear the recorded failure");
                        }
                        Step::Go(projection, ())
                    }
                    Err(panic) => {
                        self.fail(panic);
                        Step::End(None)
                    }
                }
            }
            ApplyOutcome::Applied(projection) => Step::Go(projection, ()),
            ApplyOutcome::Interrupted(projection) => {
                info!(projection = self.name, first = ?first, "projection stopped while retrying a batch");
                self.finish(ProjectionState::Stopped, None);
                Step::End(Some(projection))
            }
            ApplyOutcome::Panicked(panic) => {
                warn!(projection = self.name, first = ?first, panic, "projection panicked, stopping it");
                self.fail(panic);
                Step::End(None)
            }
            ApplyOutcome::Poisoned(projection, error, batch) => {
                Step::End(self.stop_at_poison(projection, batch, error).await)
            }
        }
    }

    async fn apply_retrying(&mut self, projection: Box<dyn Projection>, batch: Vec<RecordedEvent>) -> ApplyOutcome {
        let name = self.name;
        let progress = &self.progress;
        apply_with_retry(projection, batch, self.options.backoff, Some(&mut self.stop), |error, attempt, delay| {
            warn!(projection = name, attempt, delay_ms = delay.as_millis() as u64, %error, "projection storage failed, retrying");
            progress.send_modify(|p| {
                p.storage_retries += 1;
                p.last_error = Some(error.to_string());
            });
        })
        .await
    }

    /// Commits the events before the poison one (so the checkpoint sits right before it), then
    /// publishes the failure. Returns the projection for shutdown.
    async fn stop_at_poison(
        &mut self,
        projection: Box<dyn Projection>,
        batch: Vec<RecordedEvent>,
        error: ProjectionError,
    ) -> Option<Box<dyn Projection>> {
        let mut projection = projection;
        if let ProjectionError::Poison { position, .. } = &error {
            let prefix: Vec<_> = batch.into_iter().take_while(|event| event.position < *position).collect();
            let applied = prefix.len() as u64;
            let last = prefix.last().map(|event| event.position);
            if !prefix.is_empty() {
                match self.apply_retrying(projection, prefix).await {
                    ApplyOutcome::Applied(p) => {
                        projection = p;
                        self.progress.send_modify(|p| {
                            p.checkpoint = last;
                            p.read_through = last;
                            p.events_applied += applied;
                        });
                    }
                    ApplyOutcome::Interrupted(p) | ApplyOutcome::Poisoned(p, _, _) => projection = p,
                    ApplyOutcome::Panicked(panic) => {
                        warn!(projection = self.name, panic, "projection panicked");
                        self.fail(format!("{error} (and then {panic})"));
                        return None;
                    }
                }
            }
        }
        warn!(projection = self.name, %error, "projection cannot apply an event, stopping it");
        let message = error.to_string();
        let kept = on_blocking_thread(projection, {
            let message = message.clone();
            move |p| p.record_failure(Some(&message))
        })
        .await;
        self.fail(message);
        match kept {
            Ok((projection, result)) => {
                if let Err(error) = result {
                    warn!(projection = self.name, %error, "could not record the failure");
                }
                Some(projection)
            }
            Err(panic) => {
                warn!(projection = self.name, panic, "projection panicked while recording its failure");
                None
            }
        }
    }

    /// Publishes `caught_up` when the task has read up to the head, else `running`.
    async fn mark_idle(&self, read_through: Option<Position>) {
        let caught_up = match self.store.head_position().await {
            Ok(None) => true,
            Ok(Some(head)) => read_through.is_some_and(|read| read >= head),
            Err(_) => false,
        };
        let state = if caught_up { ProjectionState::CaughtUp } else { ProjectionState::Running };
        let changed = self.progress.send_if_modified(|p| {
            let changed = p.state != state;
            p.state = state;
            changed
        });
        if changed && caught_up {
            info!(projection = self.name, position = ?read_through, "projection caught up");
        }
    }

    /// Backs off before resubscribing; `false` when a stop came first.
    async fn retry_subscription(&mut self, error: &StoreError, attempt: &mut u32) -> bool {
        let delay = self.options.backoff.delay(*attempt);
        *attempt = attempt.saturating_add(1);
        warn!(projection = self.name, attempt = *attempt, %error, "projection subscription failed, resubscribing");
        self.progress.send_modify(|p| p.last_error = Some(error.to_string()));
        !self.sleep_unless_stopped(delay).await
    }

    fn note_retry(&self, error: &ProjectionError, delay: Duration) {
        warn!(projection = self.name, delay_ms = delay.as_millis() as u64, %error, "projection storage failed, retrying");
        self.progress.send_modify(|p| {
            p.storage_retries += 1;
            p.last_error = Some(error.to_string());
        });
    }

    /// Sleeps `delay`; `true` if a stop was asked for first.
    async fn sleep_unless_stopped(&mut self, delay: Duration) -> bool {
        tokio::select! {
            _ = self.stop.wait_for(|stopping| *stopping) => true,
            () = tokio::time::sleep(delay) => false,
        }
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    fn fail(&self, error: String) {
        self.finish(ProjectionState::Failed, Some(error));
    }

    fn finish(&self, state: ProjectionState, error: Option<String>) {
        self.progress.send_modify(|p| {
            p.state = state;
            if error.is_some() {
                p.last_error = error;
            }
        });
    }
}

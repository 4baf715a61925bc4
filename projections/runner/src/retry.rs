//! Running a projection's blocking calls off the executor, and retrying storage errors.
//!
//! The projection is moved onto a blocking thread for each call and handed back with the
//! result, so it is never shared and never touched by the async executor.

use std::time::Duration;

use kirjuri_events::RecordedEvent;
use tokio::sync::watch;

use crate::{Projection, ProjectionError};

/// Bounded exponential backoff between retries of a failing storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// The longest delay; doubling stops here.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { initial: Duration::from_millis(50), max: Duration::from_secs(5) }
    }
}

impl Backoff {
    /// The delay before retry number `attempt` (0-based): `initial * 2^attempt`, at most `max`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(30)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }
}

/// Runs `work` with the projection on a blocking thread and hands the projection back.
/// `Err` carries the panic message if `work` panicked (the projection is then lost).
pub(crate) async fn on_blocking_thread<T, F>(
    mut projection: Box<dyn Projection>,
    work: F,
) -> Result<(Box<dyn Projection>, T), String>
where
    F: FnOnce(&mut dyn Projection) -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let output = work(projection.as_mut());
        (projection, output)
    })
    .await
    .map_err(describe_join_error)
}

fn describe_join_error(error: tokio::task::JoinError) -> String {
    if !error.is_panic() {
        return format!("the blocking call was cancelled: {error}");
    }
    let payload = error.into_panic();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    format!("the projection panicked: {message}")
}

/// How applying one batch ended.
pub(crate) enum ApplyOutcome {
    /// The batch is committed.
    Applied(Box<dyn Projection>),
    /// An event cannot be applied; nothing of the batch (handed back) is committed.
    Poisoned(Box<dyn Projection>, ProjectionError, Vec<RecordedEvent>),
    /// A stop was requested while waiting to retry; the batch is not committed.
    Interrupted(Box<dyn Projection>),
    /// The projection panicked and is gone.
    Panicked(String),
}

/// Applies `batch`, retrying storage errors with `backoff` until it succeeds, an event is
/// poison, or `stop` turns true while waiting. Before each retry the checkpoint is read again
/// and events it already covers are dropped, so a commit whose success was not reported is
/// not applied twice.
pub(crate) async fn apply_with_retry(
    mut projection: Box<dyn Projection>,
    mut batch: Vec<RecordedEvent>,
    backoff: Backoff,
    mut stop: Option<&mut watch::Receiver<bool>>,
    mut on_retry: impl FnMut(&ProjectionError, u32, Duration),
) -> ApplyOutcome {
    let mut attempt: u32 = 0;
    loop {
        let applied = on_blocking_thread(projection, move |p| {
            let result = p.apply(&batch);
            (batch, result)
        })
        .await;
        let error = match applied {
            Err(panic) => return ApplyOutcome::Panicked(panic),
            Ok((p, (_, Ok(())))) => return ApplyOutcome::Applied(p),
            Ok((p, (returned, Err(error @ ProjectionError::Poison { .. })))) => {
                return ApplyOutcome::Poisoned(p, error, returned);
            }
            Ok((p, (returned, Err(error)))) => {
                projection = p;
                batch = returned;
                error
            }
        };
        let delay = backoff.delay(attempt);
        on_retry(&error, attempt, delay);
        attempt = attempt.saturating_add(1);
        match stop.as_deref_mut() {
            Some(stop) => {
                tokio::select! {
                    _ = stop.wait_for(|stopping| *stopping) => return ApplyOutcome::Interrupted(projection),
                    () = tokio::time::sleep(delay) => {}
                }
            }
            None => tokio::time::sleep(delay).await,
        }
        let checked = on_blocking_thread(projection, |p| p.checkpoint()).await;
        match checked {
            Err(panic) => return ApplyOutcome::Panicked(panic),
            Ok((p, Ok(checkpoint))) => {
                projection = p;
                if let Some(checkpoint) = checkpoint {
                    batch.retain(|event| event.position > checkpoint);
                }
                if batch.is_empty() {
                    return ApplyOutcome::Applied(projection);
                }
            }
            Ok((p, Err(error @ ProjectionError::Poison { .. }))) => return ApplyOutcome::Poisoned(p, error, batch),
            // The storage still fails: retry the apply after the next delay.
            Ok((p, Err(_))) => projection = p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_from_its_start_and_stops_at_its_cap() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay(0), Duration::from_millis(50));
        assert_eq!(backoff.delay(1), Duration::from_millis(100));
        assert_eq!(backoff.delay(6), Duration::from_millis(3200));
        assert_eq!(backoff.delay(7), Duration::from_secs(5));
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(5));
    }
}

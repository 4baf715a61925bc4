//! The stream of events a subscription delivers, shared by every backend.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use kirjuri_events::RecordedEvent;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::StoreError;

/// History then live events, in `$all` order. Dropping it stops the feeding task.
///
/// A backend feeds it pages of events through a bounded channel, so a slow consumer slows the
/// feeder instead of growing memory. An error ends the subscription: resubscribe from the last
/// position you processed.
pub struct Subscription {
    pages: mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>>,
    buffered: VecDeque<RecordedEvent>,
    feeder: JoinHandle<()>,
    failed: bool,
}

/// The sending half a backend's feeding task writes pages into.
pub type PageSender = mpsc::Sender<Result<Vec<RecordedEvent>, StoreError>>;

impl Subscription {
    /// Spawns `feed` with the sending half of a fresh channel of `capacity` pages.
    pub fn spawn<F, Fut>(capacity: usize, feed: F) -> Self
    where
        F: FnOnce(PageSender) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let (sender, pages) = mpsc::channel(capacity.max(1));
        let feeder = tokio::spawn(feed(sender));
        Self { pages, buffered: VecDeque::new(), feeder, failed: false }
    }

    /// The next event; `None` once the feeder has stopped (after an error or store shutdown).
    pub async fn next_event(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RecordedEvent, StoreError>>> {
        loop {
            if let Some(event) = self.buffered.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if self.failed {
                return Poll::Ready(None);
            }
            match self.pages.poll_recv(cx) {
                Poll::Ready(Some(Ok(page))) => self.buffered.extend(page),
                Poll::Ready(Some(Err(error))) => {
                    self.failed = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl Stream for Subscription {
    type Item = Result<RecordedEvent, StoreError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.feeder.abort();
    }
}

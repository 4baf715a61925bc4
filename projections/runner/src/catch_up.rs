//! Reading a filtered part of the log up to its head, page by page: how an in-memory table that
//! follows the store (API tokens, user accounts, web sessions) catches up.

use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::{EventFilter, EventStore, ReadAllOptions, StoreError};

/// Hands `fold` every page of the events of `filter` after `scanned_to`, oldest first, and
/// returns how far the log has been read (the head as it was when this began, or the last
/// event folded, whichever is later): the one catch-up loop of the in-memory tables that follow the store (API tokens, user accounts,
/// web sessions).
pub async fn catch_up(
    store: &dyn EventStore,
    filter: &EventFilter,
    scanned_to: Option<Position>,
    mut fold: impl FnMut(&[RecordedEvent]),
) -> Result<Option<Position>, StoreError> {
    // Everything up to the head as it is now is committed, so reading from here on misses nothing.
    let head = store.head_position().await?;
    let mut from = scanned_to;
    loop {
        let mut options = ReadAllOptions::forward(READ_PAGE).filtered(filter.clone());
        if let Some(position) = from {
            options = options.from(position);
        }
        let page = store.read_all(options).await?;
        fold(&page);
        let last = page.last().map(|event| event.position);
        if page.len() < READ_PAGE {
            return Ok(head.max(last).max(scanned_to));
        }
        from = last;
    }
}

/// How many events one re-read asks for.
const READ_PAGE: usize = 1_000;

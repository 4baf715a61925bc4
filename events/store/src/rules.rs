//! Argument rules every backend enforces the same way, before touching storage.

use std::collections::HashSet;

use kirjuri_events::{NewEvent, StreamName};

use crate::{MAX_READ_LIMIT, StoreError};

/// Checks an append's batch: not empty, no repeated id, every event within `max_event_bytes`.
pub fn check_append(stream: &StreamName, events: &[NewEvent], max_event_bytes: usize) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::EmptyAppend { stream: stream.clone() });
    }
    let mut seen = HashSet::with_capacity(events.len());
    for event in events {
        if !seen.insert(event.id) {
            return Err(StoreError::DuplicateIdInBatch { stream: stream.clone(), id: event.id });
        }
        let size = event.encoded_len();
        if size > max_event_bytes {
            return Err(StoreError::EventTooLarge {
                stream: stream.clone(),
                id: event.id,
                size,
                limit: max_event_bytes,
            });
        }
    }
    Ok(())
}

/// Checks a read's page size.
pub fn check_limit(limit: usize) -> Result<(), StoreError> {
    if limit == 0 || limit > MAX_READ_LIMIT {
        return Err(StoreError::InvalidArgument {
            field: "limit",
            rule: format!("must be between 1 and {MAX_READ_LIMIT}, was {limit}"),
        });
    }
    Ok(())
}

//! Live announcements of new events, for the API's `/api/v1/live` and the pages' `/live`
//! (each serves them as Server-Sent Events).
//!
//! An announcement carries what happened and to which entity — position, type, entity kind
//! and id, time, tenant — never the event's data: that may hold personal text, and the caller
//! reads details through the queries, which authorise every read. The position
//! (`<commit>.<prepare>`) is the SSE `id`, so a client that reconnects with `Last-Event-ID`
//! resumes right after the last announcement it saw; without it, announcements start at the
//! head. Streams end when the server shuts down, and when the credential that opened them
//! stops holding, checked every [`GRANT_CHECK`] (a stream is a read that goes on, so it is
//! authorised as it goes on).

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt as _};
use kirjuri_auth::Principal;
use kirjuri_auth::access::{Action, Resource, authorize};
use kirjuri_events::domain::AccessLogId;
use kirjuri_events::{Position, RecordedEvent};
use kirjuri_store::{EventFilter, EventStore, SubscribeFrom};
use serde::Serialize;
use tokio::sync::watch;

use crate::error::AppError;

/// How often an open stream checks that its credential still holds.
pub const GRANT_CHECK: Duration = Duration::from_millis(100);

/// Resolves once `holds` answers `false`, asking it every [`GRANT_CHECK`].
pub async fn until_refused<F, Fut>(mut holds: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut tick = tokio::time::interval(GRANT_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if !holds().await {
            return;
        }
    }
}

/// Which events a caller is told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveFilter {
    /// Every event (no tenant restriction).
    Everything,
    /// Only events recorded for this tenant (the municipality code in the event's metadata).
    Tenant(String),
    /// Like [`LiveFilter::Tenant`], without the personal-data access log: for callers who may
    /// not read it (that someone read personal data, and when, is itself for auditors only).
    TenantWithoutAccessLog(String),
}

impl LiveFilter {
    /// Whether `event` is announced under this filter.
    pub fn admits(&self, event: &RecordedEvent) -> bool {
        match self {
            Self::Everything => true,
            Self::Tenant(tenant) => event.metadata.tenant.as_deref() == Some(tenant.as_str()),
            Self::TenantWithoutAccessLog(tenant) => {
                event.metadata.tenant.as_deref() == Some(tenant.as_str())
                    && event.stream.category() != AccessLogId::CATEGORY
            }
        }
    }
}

/// One announcement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Announcement {
    /// The event's position, as a cursor (`<commit>.<prepare>`).
    pub position: String,
    /// The event's type.
    pub event_type: String,
    /// The kind of entity (the stream's category).
    pub entity_kind: String,
    /// The entity's id.
    pub entity_id: String,
    /// When the store recorded it.
    pub recorded_at: DateTime<Utc>,
    /// The tenant it was recorded for.
    pub tenant: Option<String>,
}

impl Announcement {
    /// What is announced of `event`.
    pub fn of(event: &RecordedEvent) -> Self {
        Self {
            position: cursor(event.position),
            event_type: event.event_type.as_str().to_owned(),
            entity_kind: event.stream.category().to_owned(),
            entity_id: event.stream.entity_id().to_string(),
            recorded_at: event.recorded_at,
            tenant: event.metadata.tenant.clone(),
        }
    }
}

fn cursor(position: Position) -> String {
    format!("{}.{}", position.commit, position.prepare)
}

/// Reads a `Last-Event-ID` (a position cursor); anything else is a 400 naming the header.
pub fn parse_last_event_id(text: &str) -> Result<Position, AppError> {
    let malformed = || {
        AppError::bad_request(format!(
            "Last-Event-ID: `{}` is not an event position like 1234.1234",
            text.chars().filter(|c| !c.is_control()).take(40).collect::<String>()
        ))
    };
    let (commit, prepare) = text.trim().split_once('.').ok_or_else(malformed)?;
    let number = |part: &str| part.parse::<u64>().ok().filter(|n| i64::try_from(*n).is_ok()).ok_or_else(malformed);
    Ok(Position { commit: number(commit)?, prepare: number(prepare)? })
}

/// Which events `principal` is told about: its municipality's, with reads of personal data
/// only for those who may read the access log; refused without a role that may read.
pub fn filter_for(principal: &Principal) -> Result<LiveFilter, AppError> {
    let own = Resource::of(principal.municipality);
    authorize(principal, Action::Read, &own).map_err(AppError::denied)?;
    let tenant = principal.municipality.to_string();
    Ok(match authorize(principal, Action::ReadAccessLog, &own) {
        Ok(()) => LiveFilter::Tenant(tenant),
        Err(_) => LiveFilter::TenantWithoutAccessLog(tenant),
    })
}

/// Announcements of events after `after` (or after the head when `None`) that `filter` admits,
/// until the store closes, `shutdown` turns true or `holds` answers `false` — asked every
/// [`GRANT_CHECK`] and before each announcement, so nothing is announced once the credential
/// no longer holds.
pub async fn announcements<H, F>(
    store: &dyn EventStore,
    filter: LiveFilter,
    after: Option<Position>,
    mut shutdown: watch::Receiver<bool>,
    holds: H,
) -> Result<impl Stream<Item = Announcement> + use<H, F>, AppError>
where
    H: Fn() -> F + Send + Sync + 'static,
    F: std::future::Future<Output = bool> + Send + 'static,
{
    let from = match after {
        Some(position) => SubscribeFrom::After(position),
        None => match store.head_position().await.map_err(AppError::internal)? {
            Some(head) => SubscribeFrom::After(head),
            None => SubscribeFrom::Start,
        },
    };
    let subscription = store.subscribe_all(from, EventFilter::all()).await.map_err(AppError::internal)?;
    let holds = std::sync::Arc::new(holds);
    let grant_ended = {
        let holds = std::sync::Arc::clone(&holds);
        until_refused(move || holds())
    };
    let stopped = async move {
        tokio::select! {
            _ = shutdown.wait_for(|stopping| *stopping) => {}
            () = grant_ended => {}
        }
    };
    Ok(subscription
        .take_until(stopped)
        // A store error ends the stream; the client reconnects with Last-Event-ID.
        .take_while(|next| std::future::ready(next.is_ok()))
        .filter_map(move |next| std::future::ready(next.ok().filter(|event| filter.admits(event))))
        .then(move |event| {
            let holds = std::sync::Arc::clone(&holds);
            async move { (holds().await, event) }
        })
        .take_while(|(still_holds, _)| std::future::ready(*still_holds))
        .map(|(_, event)| Announcement::of(&event)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_in(stream: kirjuri_events::StreamName, tenant: &str) -> RecordedEvent {
        RecordedEvent {
            id: kirjuri_events::EventId(uuid::Uuid::new_v4()),
            stream,
            revision: kirjuri_events::Revision(0),
            position: Position { commit: 1, prepare: 1 },
            event_type: kirjuri_events::EventType::parse("PersonalDataRead").unwrap_or_else(|e| panic!("{e}")),
            schema_version: 1,
            recorded_at: Utc::now(),
            data: kirjuri_events::EventPayload::from_stored("{}".to_owned()),
            metadata: kirjuri_events::EventMetadata { tenant: Some(tenant.to_owned()), ..Default::default() },
        }
    }

    #[test]
    fn reads_of_personal_data_are_announced_only_to_those_who_may_read_the_access_log() {
        let log = event_in(AccessLogId(uuid::Uuid::new_v4()).stream(), "kuopio");
        let note = event_in(kirjuri_events::domain::EngagementId(uuid::Uuid::new_v4()).stream(), "kuopio");
        assert!(LiveFilter::Tenant("kuopio".into()).admits(&log));
        assert!(!LiveFilter::TenantWithoutAccessLog("kuopio".into()).admits(&log));
        assert!(LiveFilter::TenantWithoutAccessLog("kuopio".into()).admits(&note));
        assert!(!LiveFilter::TenantWithoutAccessLog("joensuu".into()).admits(&note));
    }

    #[test]
    fn last_event_id_must_be_a_position() {
        assert_eq!(parse_last_event_id("12.12").ok(), Some(Position { commit: 12, prepare: 12 }));
        for bad in ["", "12", "x.1", "1.", "-1.2", "99999999999999999999.1"] {
            let error = parse_last_event_id(bad).expect_err(bad);
            assert!(error.detail().contains("Last-Event-ID"), "{}", error.detail());
        }
    }
}

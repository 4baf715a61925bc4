//! The live table of local API tokens a server authenticates from: built from the store at
//! start, kept current by a subscription to the token events, held in memory so a request
//! costs one hash-map lookup and never a store read.
//!
//! Who owns what: the follower task is the only writer of the table between re-reads; a
//! request that finds an unknown hash may re-read the store itself ([`TokenDirectory::lookup`],
//! at most once per [`REREAD_INTERVAL`]), so a token made a moment ago by another process
//! works at once. Both fold through [`TokenTable::apply`], which skips what it has seen.
//!
//! How soon another process's change takes effect: a subscription delivers events of the
//! same process at once; on SQLite, events other processes append within the store's
//! `external_commit_poll` (100 ms by default); on KurrentDB, as its subscription pushes them.
//! A revocation is therefore refused within about 100 ms on SQLite (tested: within 1 s).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kirjuri_events::Position;
use kirjuri_store::{EventStore, StoreError, SubscribeFrom};
use tokio::task::JoinHandle;

use super::tokens::{TokenHash, TokenLookup, TokenTable, token_events};

/// At most one re-read of the store for unknown tokens per this interval; a caller with an
/// unknown token that comes sooner waits for the next one (so a token made a moment after
/// another still works at its first request) and shares it with everyone waiting.
pub const REREAD_INTERVAL: Duration = Duration::from_millis(100);

/// How long the follower waits before subscribing again after its subscription failed.
const RESUBSCRIBE_DELAY: Duration = Duration::from_secs(1);

/// The tokens of one store, in memory and following it.
pub struct TokenDirectory {
    store: Arc<dyn EventStore>,
    table: Arc<RwLock<TokenTable>>,
    /// The re-reads for unknown tokens; held while one runs.
    rereads: tokio::sync::Mutex<Rereads>,
    follower: JoinHandle<()>,
}

impl std::fmt::Debug for TokenDirectory {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("TokenDirectory").finish_non_exhaustive()
    }
}

impl Drop for TokenDirectory {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

impl TokenDirectory {
    /// Reads the tokens of `store` and starts following it. A store that cannot be read now
    /// leaves the table empty (logged); the follower keeps trying, and unknown tokens re-read.
    pub async fn start(store: Arc<dyn EventStore>) -> Self {
        let (table, scanned_to) = match load(&*store).await {
            Ok(loaded) => loaded,
            Err(error) => {
                tracing::warn!(%error, "the API tokens cannot be read now; retrying in the background");
                (TokenTable::default(), None)
            }
        };
        let table = Arc::new(RwLock::new(table));
        let follower = tokio::spawn(follow(Arc::clone(&store), Arc::clone(&table), scanned_to));
        let rereads = tokio::sync::Mutex::new(Rereads { last_at: None, scanned_to });
        Self { store, table, rereads, follower }
    }

    fn read_table(&self) -> std::sync::RwLockReadGuard<'_, TokenTable> {
        // The table is only ever replaced field by field inside `apply`; a panic there leaves
        // at worst one token half folded, which the next lookup treats as it finds it.
        self.table.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The token with `hash` at `now`. An unknown hash re-reads the store first: at once if no
    /// re-read ran in the last [`REREAD_INTERVAL`], else as soon as that has passed.
    pub async fn lookup(&self, hash: &TokenHash, now: DateTime<Utc>) -> Result<TokenLookup, StoreError> {
        self.lookup_with(|table| table.lookup(hash, now)).await
    }

    /// The token with `id` at `now`, re-reading the store for an unknown id as [`Self::lookup`] does.
    pub async fn lookup_id(&self, id: uuid::Uuid, now: DateTime<Utc>) -> Result<TokenLookup, StoreError> {
        self.lookup_with(|table| table.lookup_id(id, now)).await
    }

    async fn lookup_with(&self, find: impl Fn(&TokenTable) -> TokenLookup) -> Result<TokenLookup, StoreError> {
        let asked_at = Instant::now();
        let found = find(&self.read_table());
        if found != TokenLookup::Unknown {
            return Ok(found);
        }
        let mut rereads = self.rereads.lock().await;
        // A re-read that began after this caller asked has seen everything it could.
        if rereads.last_at.is_none_or(|at| at < asked_at) {
            if let Some(wait) = rereads.last_at.and_then(|at| REREAD_INTERVAL.checked_sub(at.elapsed())) {
                tokio::time::sleep(wait).await;
            }
            rereads.last_at = Some(Instant::now());
            rereads.scanned_to = reread(&*self.store, &self.table, rereads.scanned_to).await?;
        }
        drop(rereads);
        Ok(find(&self.read_table()))
    }
}

/// What the re-reads for unknown tokens remember.
struct Rereads {
    /// When the last one began.
    last_at: Option<Instant>,
    /// How far the log has been read (token events or not), so a re-read reads only what is new.
    scanned_to: Option<Position>,
}

/// Reads every token event of `store` and how far the log was read.
async fn load(store: &dyn EventStore) -> Result<(TokenTable, Option<Position>), StoreError> {
    let table = RwLock::new(TokenTable::default());
    let scanned_to = reread(store, &table, None).await?;
    Ok((table.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner), scanned_to))
}

/// Folds the token events after `scanned_to` into `table`; returns how far the log was read.
async fn reread(
    store: &dyn EventStore,
    table: &RwLock<TokenTable>,
    scanned_to: Option<Position>,
) -> Result<Option<Position>, StoreError> {
    kirjuri_projections::catch_up(store, &token_events(), scanned_to, |page| {
        let mut table = table.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        for event in page {
            table.apply(event);
        }
    })
    .await
}

/// Follows the token events after `scanned_to` (what the start read), resubscribing after
/// failures from where the table stands.
async fn follow(store: Arc<dyn EventStore>, table: Arc<RwLock<TokenTable>>, scanned_to: Option<Position>) {
    loop {
        let position = table.read().unwrap_or_else(std::sync::PoisonError::into_inner).position();
        let from = position.max(scanned_to).map_or(SubscribeFrom::Start, SubscribeFrom::After);
        match store.subscribe_all(from, token_events()).await {
            Ok(mut subscription) => {
                while let Some(delivered) = subscription.next_event().await {
                    match delivered {
                        Ok(event) => {
                            table.write().unwrap_or_else(std::sync::PoisonError::into_inner).apply(&event);
                        }
                        Err(StoreError::Closed) => return,
                        Err(error) => {
                            tracing::warn!(%error, "the API token subscription failed; subscribing again");
                            break;
                        }
                    }
                }
            }
            Err(StoreError::Closed) => return,
            Err(error) => tracing::warn!(%error, "cannot subscribe to the API token events; retrying"),
        }
        tokio::time::sleep(RESUBSCRIBE_DELAY).await;
    }
}

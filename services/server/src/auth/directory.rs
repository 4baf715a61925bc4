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
use kirjuri_store::{EventStore, StoreError, SubscribeFrom};
use tokio::task::JoinHandle;

use super::tokens::{TokenHash, TokenLookup, TokenTable, token_events};

/// At most one re-read of the store for unknown tokens per this interval.
pub const REREAD_INTERVAL: Duration = Duration::from_millis(250);

/// How long the follower waits before subscribing again after its subscription failed.
const RESUBSCRIBE_DELAY: Duration = Duration::from_secs(1);

/// The tokens of one store, in memory and following it.
pub struct TokenDirectory {
    store: Arc<dyn EventStore>,
    table: Arc<RwLock<TokenTable>>,
    /// When the last re-read for an unknown token began; held while one runs.
    last_reread: tokio::sync::Mutex<Option<Instant>>,
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
        let table = match TokenTable::load(&*store).await {
            Ok(table) => table,
            Err(error) => {
                tracing::warn!(%error, "the API tokens cannot be read now; retrying in the background");
                TokenTable::default()
            }
        };
        let table = Arc::new(RwLock::new(table));
        let follower = tokio::spawn(follow(Arc::clone(&store), Arc::clone(&table)));
        Self { store, table, last_reread: tokio::sync::Mutex::new(None), follower }
    }

    fn read_table(&self) -> std::sync::RwLockReadGuard<'_, TokenTable> {
        // The table is only ever replaced field by field inside `apply`; a panic there leaves
        // at worst one token half folded, which the next lookup treats as it finds it.
        self.table.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The token with `hash` at `now`; an unknown hash re-reads the store first when no re-read
    /// ran in the last [`REREAD_INTERVAL`].
    pub async fn lookup(&self, hash: &TokenHash, now: DateTime<Utc>) -> Result<TokenLookup, StoreError> {
        let asked_at = Instant::now();
        let found = self.read_table().lookup(hash, now);
        if found != TokenLookup::Unknown {
            return Ok(found);
        }
        let mut last_reread = self.last_reread.lock().await;
        // Someone re-read while this caller waited for the lock: their read is new enough.
        let recent = last_reread.is_some_and(|at| at >= asked_at || at.elapsed() < REREAD_INTERVAL);
        if !recent {
            *last_reread = Some(Instant::now());
            reread(&*self.store, &self.table).await?;
        }
        drop(last_reread);
        Ok(self.read_table().lookup(hash, now))
    }
}

/// Catches a copy of the table up on the store and folds what it found into the shared one.
async fn reread(store: &dyn EventStore, table: &RwLock<TokenTable>) -> Result<(), StoreError> {
    let position = table.read().unwrap_or_else(std::sync::PoisonError::into_inner).position();
    let mut options = kirjuri_store::ReadAllOptions::forward(1_000).filtered(token_events());
    if let Some(position) = position {
        options = options.from(position);
    }
    loop {
        let page = store.read_all(options.clone()).await?;
        let Some(last) = page.last().map(|event| event.position) else { return Ok(()) };
        let full_page = page.len() == options.limit;
        {
            let mut table = table.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            for event in &page {
                table.apply(event);
            }
        }
        if !full_page {
            return Ok(());
        }
        options = options.from(last);
    }
}

/// Follows the token events from where the table stands, resubscribing after failures.
async fn follow(store: Arc<dyn EventStore>, table: Arc<RwLock<TokenTable>>) {
    loop {
        let position = table.read().unwrap_or_else(std::sync::PoisonError::into_inner).position();
        let from = position.map_or(SubscribeFrom::Start, SubscribeFrom::After);
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

//! kirjuri's search projection: lessons, the shareable part of coaching notes, experiment
//! outcomes, experiments, practices, decisions, observations and published communications in
//! one tantivy index, searchable in Finnish,
//! Swedish and English with facets, snippets, typo tolerance and "did you mean".
//!
//! Model:
//! - One [`SearchDocument`] per searchable entity, keyed by `kind:id`; every change rewrites the
//!   whole document (delete its key + add, in the same commit). Each document stores its own
//!   fields as JSON, so [`SearchProjection::apply`] needs nothing but the index to fold the next
//!   event (a decision borrows its practice's municipality from the practice's document).
//! - The checkpoint (the `$all` position of the last applied event) is the commit payload, so it
//!   is always exactly the data's. The reader reloads after each commit: a search right after
//!   `apply` returns sees it.
//! - Finnish is lemmatised with Voikko (all base forms plus compound parts) when libvoikko and
//!   its Finnish dictionary are installed, loaded at run time by [`ffi`]; Snowball is the
//!   fallback and a second field. Queries are built in code ([`query`]), not by a parser.
//! - Tenancy: a search sees only the searchable documents of the municipalities it is filtered
//!   to. Not only its hits: whether a word occurs, fuzzy expansions, suggestions, "did you mean"
//!   and BM25's statistics are counted over those documents alone (`scope`), and facet counts
//!   over the hits.
//! - Coaching notes: only the structured review (planned, happened, why different, keep or
//!   change) is indexed, never the `personal` free text.
//!
//! Ownership: [`SearchIndex`] is shared (cheap clones) by every searcher; only the one
//! [`SearchProjection`] — run by the projection runner on a blocking thread — holds the
//! `IndexWriter`. Searching blocks too: call it from `spawn_blocking`.

pub mod analysis;
pub mod document;
mod facets;
mod ffi;
mod index;
pub mod morphology;
mod projection;
pub mod quality;
pub mod query;
mod scope;

pub use analysis::{AnalysisSettings, TextLanguage, VoikkoMode};
pub use document::{DocumentKind, SearchDocument};
pub use index::SearchIndex;
pub use projection::SearchProjection;
pub use query::{FacetCount, SearchFilters, SearchHit, SearchRequest, SearchResults, SortOrder};

/// Why a search or an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A filter, sort or paging parameter is malformed; the message says which and why.
    #[error("invalid filter `{name}`: {reason}")]
    InvalidFilter {
        /// The parameter.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// tantivy failed (disk, lock, corrupt segment); retrying may help.
    #[error("{context}: {source}")]
    Storage {
        /// What was being done.
        context: &'static str,
        /// tantivy's error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The index holds something this build cannot read.
    #[error("the search index is corrupt: {0}")]
    Corrupt(String),
}

impl SearchError {
    pub(crate) fn storage(context: &'static str) -> impl FnOnce(tantivy::TantivyError) -> Self {
        move |source| Self::Storage { context, source }
    }

    pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> Self {
        Self::InvalidFilter { name: name.to_owned(), reason: reason.into() }
    }
}

//! What a record is, to the access rules: the one place a read model's record becomes the
//! [`Resource`] that [`kirjuri_auth::access::authorize`] is asked about, so the API and the pages
//! cannot disagree on who may see it.

use kirjuri_auth::access::Resource;
use kirjuri_views::PracticeHistory;

/// A best practice: its municipality's, and readable by each partner it is shared with.
pub fn practice(history: &PracticeHistory) -> Resource {
    Resource::of(history.municipality).shared_with(history.shared_with.iter().map(|sharing| sharing.partner))
}

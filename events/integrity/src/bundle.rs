//! Evidence bundles: events, their inclusion proofs, a signed checkpoint covering them and the
//! public keys, in one JSON file that anyone can check without a server.
//!
//! ```json
//! {
//!   "format": "kirjuri-evidence-bundle/v1",
//!   "subject": {"kind": "practice", "id": "…", "title": "…"},
//!   "created_at": "2026-12-08T10:00:00Z",
//!   "summary": {"fi": "…", "en": "…"},
//!   "checkpoint": "<the C2SP signed note>",
//!   "keys": ["<name>+<hash>+<key>", …],
//!   "events": [{"index": 12, "leaf": "<the leaf's canonical JSON>", "proof": ["<base64>", …]}]
//! }
//! ```
//!
//! To check one: open the checkpoint with a trusted key (the bundle's own keys are only a
//! convenience: compare them with the keys the city publishes), then for every event check that
//! `leaf` is canonical JSON in the `kirjuri/v1` leaf format and that `SHA-256(0x00 ‖ leaf)`
//! with `proof` leads to the checkpoint's root at `index` (RFC 9162 §2.1.3.2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, SecondsFormat, Utc};
use kirjuri_events::RecordedEvent;
use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical;
use crate::leaf::{LEAF_FORMAT, leaf_bytes};
use crate::merkle::{Hash, hex, leaf_hash, verify_inclusion};
use crate::note::{Checkpoint, VerifierKey, open_checkpoint};
use crate::tree::{StoredCheckpoint, TreeError, TreeFile};

/// The bundle format's tag.
pub const BUNDLE_FORMAT: &str = "kirjuri-evidence-bundle/v1";

/// What a bundle is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// `practice`, `decision`, `experiment`, `stream`, `timeline`.
    pub kind: String,
    /// The record's id or the filter.
    pub id: String,
    /// A readable name.
    pub title: String,
}

/// The readable summary, in Finnish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Suomeksi.
    pub fi: String,
    /// In English.
    pub en: String,
}

/// One event with its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleEvent {
    /// Its leaf index.
    pub index: u64,
    /// Its leaf bytes.
    pub leaf: String,
    /// Its audit path, base64.
    pub proof: Vec<String>,
}

/// An evidence bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// What it is about.
    pub subject: Subject,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// What it holds, in words.
    pub summary: Summary,
    /// The signed checkpoint.
    pub checkpoint: String,
    /// Verifier keys.
    pub keys: Vec<String>,
    /// The events.
    pub events: Vec<BundleEvent>,
}

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MakeError {
    /// The tree failed.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// An event is not in the tree yet.
    #[error("event {0} is not in the tree yet (the integrity projection trails the log); try again in a moment")]
    NotInTree(String),
    /// An event has no leaf.
    #[error(transparent)]
    Leaf(#[from] crate::leaf::LeafError),
}

/// Makes a bundle of `events` (each must be in the tree, below `checkpoint`'s size).
pub fn make_bundle(
    tree: &TreeFile,
    events: &[RecordedEvent],
    checkpoint: &StoredCheckpoint,
    keys: &[VerifierKey],
    subject: Subject,
    now: DateTime<Utc>,
) -> Result<Bundle, MakeError> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let leaf = tree.leaf_of(event.id)?.ok_or_else(|| MakeError::NotInTree(event.id.to_string()))?;
        if leaf.index >= checkpoint.size {
            return Err(MakeError::NotInTree(event.id.to_string()));
        }
        let proof = tree.inclusion_proof(leaf.index, checkpoint.size)?;
        out.push(BundleEvent {
            index: leaf.index,
            leaf: leaf_bytes(event)?,
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
        });
    }
    out.sort_by_key(|e| e.index);
    let summary = summarise(&subject, events, checkpoint);
    Ok(Bundle {
        format: BUNDLE_FORMAT.into(),
        subject,
        created_at: now,
        summary,
        checkpoint: checkpoint.note.clone(),
        keys: keys.iter().map(VerifierKey::encode).collect(),
        events: out,
    })
}

fn summarise(subject: &Subject, events: &[RecordedEvent], checkpoint: &StoredCheckpoint) -> Summary {
    let mut sorted: Vec<&RecordedEvent> = events.iter().collect();
    sorted.sort_by_key(|e| e.position);
    let day = |e: &RecordedEvent| e.recorded_at.format("%-d.%-m.%Y").to_string();
    let day_en = |e: &RecordedEvent| e.recorded_at.format("%Y-%m-%d").to_string();
    let root = hex(&checkpoint.root);
    let signed = checkpoint.signed_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let lines = |date: &dyn Fn(&RecordedEvent) -> String| {
        sorted
            .iter()
            .map(|e| format!("- {} {} ({} #{})", date(e), e.event_type, e.stream, e.revision.0))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (first, last) = (sorted.first(), sorted.last());
    let span_fi = first.zip(last).map(|(a, b)| format!(", kirjattu {}–{}", day(a), day(b))).unwrap_or_default();
    let span_en =
        first.zip(last).map(|(a, b)| format!(", recorded {} to {}", day_en(a), day_en(b))).unwrap_or_default();
    Summary {
        fi: format!(
            "Todistepaketti: {title}\n{n} tapahtumaa{span_fi}.\nJokainen tapahtuma on todistetusti kirjauksen tarkistuspisteessä \
             {size} (juuri {root}, allekirjoitettu {signed}). Tarkistus ilman palvelinta: \
             `kirjuri verify-bundle TIEDOSTO` tai `python3 verify_bundle.py TIEDOSTO`.\n\n{list}",
            title = subject.title,
            n = sorted.len(),
            size = checkpoint.size,
            list = lines(&day),
        ),
        en: format!(
            "Evidence bundle: {title}\n{n} events{span_en}.\nEach event is proven to be in the record's checkpoint of \
             {size} events (root {root}, signed {signed}). Check it without a server: \
             `kirjuri verify-bundle FILE` or `python3 verify_bundle.py FILE`.\n\n{list}",
            title = subject.title,
            n = sorted.len(),
            size = checkpoint.size,
            list = lines(&day_en),
        ),
    }
}

/// Why a bundle does not check out.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle.
    #[error("not an evidence bundle: {0}")]
    Malformed(String),
    /// The checkpoint does not open with the keys.
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] crate::note::NoteError),
    /// An event's proof or leaf fails.
    #[error("event {position} of the bundle (leaf {index}): {why}")]
    Event {
        /// Its place in the bundle (1-based).
        position: usize,
        /// Its leaf index.
        index: u64,
        /// Why.
        why: String,
    },
}

/// What a bundle that checks out proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// The subject.
    pub subject: Subject,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// Its root (hex).
    pub root: String,
    /// Its time.
    pub checkpoint_time: Option<DateTime<Utc>>,
    /// The key that signed it.
    pub key: String,
    /// Whether that key was given by the caller (`true`) or taken from the bundle (`false`).
    pub key_pinned: bool,
    /// How many events were proven.
    pub events: usize,
}

/// Checks a bundle's text. With `pinned` keys the checkpoint must be signed by one of them;
/// without, by one of the bundle's own keys (the report says so).
pub fn verify_bundle(text: &str, pinned: Option<&[VerifierKey]>) -> Result<BundleReport, BundleError> {
    let bundle: Bundle = serde_json::from_str(text).map_err(|e| BundleError::Malformed(e.to_string()))?;
    if bundle.format != BUNDLE_FORMAT {
        return Err(BundleError::Malformed(format!("format {:?} is not {BUNDLE_FORMAT}", bundle.format)));
    }
    let own: Vec<VerifierKey> = bundle.keys.iter().map(|k| VerifierKey::parse(k)).collect::<Result<_, _>>()?;
    let keys = pinned.unwrap_or(&own);
    let (checkpoint, key): (Checkpoint, &VerifierKey) = open_checkpoint(&bundle.checkpoint, keys)?;
    if bundle.events.is_empty() {
        return Err(BundleError::Malformed("it holds no events".into()));
    }
    for (i, event) in bundle.events.iter().enumerate() {
        let fail = |why: String| BundleError::Event { position: i + 1, index: event.index, why };
        let value: serde_json::Value =
            serde_json::from_str(&event.leaf).map_err(|e| fail(format!("the leaf is not JSON: {e}")))?;
        if value.get("leaf").and_then(serde_json::Value::as_str) != Some(LEAF_FORMAT) {
            return Err(fail(format!("the leaf is not in the {LEAF_FORMAT} format")));
        }
        if to_canonical(&value) != event.leaf {
            return Err(fail("the leaf is not in canonical form".into()));
        }
        let proof: Vec<Hash> = event
            .proof
            .iter()
            .map(|p| B64.decode(p).ok().and_then(|raw| <Hash>::try_from(raw).ok()))
            .collect::<Option<_>>()
            .ok_or_else(|| fail("a proof hash is not 32 bytes of base64".into()))?;
        verify_inclusion(&leaf_hash(event.leaf.as_bytes()), event.index, checkpoint.size, &proof, &checkpoint.root)
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok(BundleReport {
        subject: bundle.subject,
        tree_size: checkpoint.size,
        root: hex(&checkpoint.root),
        checkpoint_time: checkpoint.time,
        key: key.encode(),
        key_pinned: pinned.is_some(),
        events: bundle.events.len(),
    })
}

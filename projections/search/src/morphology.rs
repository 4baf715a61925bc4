//! Finnish morphology through Voikko: base forms, compound parts and spelling suggestions, with
//! one libvoikko handle and one analysis cache per thread.
//!
//! libvoikko is loaded once per process (if present); each thread that analyses opens its own
//! handle on first use, because handles are not thread-safe. Analyses are cached twice: per
//! thread (no locking) and once for the process, so a word Voikko has analysed for one thread
//! (an indexing thread, an earlier search thread) is not analysed again for the next.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

use crate::ffi::{VoikkoHandle, VoikkoLibrary};

/// How many analysed words a thread keeps before it forgets them all.
const CACHE_LIMIT: usize = 200_000;

/// How many analysed words the process-wide cache keeps before it forgets them all.
const SHARED_CACHE_LIMIT: usize = 400_000;

/// Compound parts shorter than this are not emitted (as `minimumSubwordSize` in the ES plugin).
const MIN_PART_CHARS: usize = 3;

/// Non-final compound parts (modifiers) shorter than this are not emitted: short modifiers
/// (`oma`, `uusi`, `yli`) match too much.
const MIN_MODIFIER_CHARS: usize = 7;

/// What Voikko says about one word: its base forms and compound parts, lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordAnalysis {
    /// Every base form (one per reading), deduplicated, in Voikko's order.
    pub lemmas: Vec<String>,
    /// Parts of compounds (from `WORDBASES`) that are not themselves among `lemmas`: the head,
    /// and modifiers of at least 7 letters (shorter ones cost more precision than they give
    /// recall on UD_Finnish-TDT dev).
    pub parts: Vec<String>,
    /// The forms the index keeps of the word (see [`crate::analysis`]), worked out once.
    pub(crate) index_forms: OnceLock<Vec<String>>,
}

impl WordAnalysis {
    /// Whether Voikko knows the word.
    pub fn is_known(&self) -> bool {
        !self.lemmas.is_empty()
    }
}

static LIBRARY: OnceLock<Option<VoikkoLibrary>> = OnceLock::new();
static DICTIONARY_PATH: OnceLock<Option<PathBuf>> = OnceLock::new();

thread_local! {
    /// `None` until first use; then `Some(None)` if no handle could be opened.
    static HANDLE: RefCell<Option<Option<VoikkoHandle<'static>>>> = const { RefCell::new(None) };
    static CACHE: RefCell<WordCache> = RefCell::new(WordCache::default());
}

/// Analyses shared by every thread, behind the per-thread caches.
static SHARED_CACHE: OnceLock<RwLock<WordCache>> = OnceLock::new();

fn shared_cache() -> &'static RwLock<WordCache> {
    SHARED_CACHE.get_or_init(|| RwLock::new(WordCache::default()))
}

/// Analysed words by their text. Keys are short words hashed on every token of every indexed
/// and highlighted text, so the hash is FNV-1a (fast on short keys) rather than SipHash: the
/// keys are words from the city's own documents, not an attacker's hash-flooding input.
type WordCache = HashMap<String, Arc<WordAnalysis>, BuildHasherDefault<Fnv1a>>;

/// The 64-bit FNV-1a hash.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Sets where to look for the Finnish dictionary first; only the first call has an effect.
pub(crate) fn set_dictionary_path(path: Option<PathBuf>) {
    let _ = DICTIONARY_PATH.set(path);
}

fn library() -> Option<&'static VoikkoLibrary> {
    LIBRARY.get_or_init(VoikkoLibrary::load).as_ref()
}

fn with_handle<R>(f: impl FnOnce(&VoikkoHandle<'static>) -> R) -> Option<R> {
    HANDLE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let handle = slot.get_or_insert_with(|| {
            let library = library()?;
            let path = DICTIONARY_PATH.get().and_then(|p| p.as_deref());
            match library.open_finnish(path) {
                Ok(handle) => Some(handle),
                Err(message) => {
                    tracing::warn!(error = %message, "libvoikko is installed but its finnish dictionary could not be opened");
                    None
                }
            }
        });
        handle.as_ref().map(f)
    })
}

/// Whether Voikko with a Finnish dictionary works on this machine.
pub fn voikko_available() -> bool {
    with_handle(|_| ()).is_some()
}

/// Analyses `word` (original case, so proper nouns resolve), cached per thread. Without Voikko,
/// every word is unknown.
pub fn analyze(word: &str) -> Arc<WordAnalysis> {
    if let Some(hit) = CACHE.with(|cache| cache.borrow().get(word).cloned()) {
        return hit;
    }
    let shared = shared_cache().read().ok().and_then(|cache| cache.get(word).cloned());
    let analysis = match shared {
        Some(hit) => hit,
        None => {
            let analysis = Arc::new(with_handle(|handle| analyze_uncached(handle, word)).unwrap_or_default());
            if let Ok(mut cache) = shared_cache().write() {
                if cache.len() >= SHARED_CACHE_LIMIT {
                    cache.clear();
                }
                cache.insert(word.to_owned(), Arc::clone(&analysis));
            }
            analysis
        }
    };
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.to_owned(), Arc::clone(&analysis));
    });
    analysis
}

fn analyze_uncached(handle: &VoikkoHandle<'_>, word: &str) -> WordAnalysis {
    let mut result = WordAnalysis::default();
    for raw in handle.analyze(word) {
        if let Some(base) = raw.baseform {
            let base = base.to_lowercase();
            if !result.lemmas.contains(&base) {
                result.lemmas.push(base);
            }
        }
        if let Some(wordbases) = raw.wordbases {
            let parts = compound_parts(&wordbases);
            let head = parts.len().saturating_sub(1);
            for (position, part) in parts.into_iter().enumerate() {
                let min_chars = if position == head { MIN_PART_CHARS } else { MIN_MODIFIER_CHARS };
                if part.chars().count() >= min_chars && !result.parts.contains(&part) {
                    result.parts.push(part);
                }
            }
        }
    }
    result.parts.retain(|part| !result.lemmas.contains(part));
    result
}

/// Spelling suggestions for `word`, best first; empty without Voikko.
pub fn suggest(word: &str) -> Vec<String> {
    with_handle(|handle| handle.suggest(word)).unwrap_or_default()
}

/// The parts of a compound from Voikko's `WORDBASES`, lowercased; empty for a simple word.
///
/// `+digitaali+palvel(palvella)+u(+u)+kokeil(kokeilla)+u(+u)` gives `digitaali`, `palvelu`,
/// `kokeilu`: segments split on `+` outside parentheses; a segment whose base starts with `+`
/// is a derivational suffix and joins the previous segment's surface form.
pub fn compound_parts(wordbases: &str) -> Vec<String> {
    let mut segments: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (index, c) in wordbases.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '+' if depth == 0 => {
                if index > start {
                    segments.push(&wordbases[start..index]);
                }
                start = index + 1;
            }
            _ => {}
        }
    }
    if start < wordbases.len() {
        segments.push(&wordbases[start..]);
    }
    // (surface body so far, base form) per part.
    let mut parts: Vec<(String, String)> = Vec::new();
    for segment in segments {
        let (body, base) = match segment.find('(') {
            Some(open) => (&segment[..open], Some(segment[open + 1..].trim_end_matches(')'))),
            None => (segment, None),
        };
        match base {
            Some(suffix) if suffix.starts_with('+') => {
                if let Some((surface, merged)) = parts.last_mut() {
                    surface.push_str(body);
                    *merged = surface.clone();
                }
            }
            Some(base) if !base.is_empty() => parts.push((body.to_owned(), base.to_owned())),
            _ => parts.push((body.to_owned(), body.to_owned())),
        }
    }
    if parts.len() < 2 {
        return Vec::new();
    }
    parts.into_iter().map(|(_, base)| base.to_lowercase()).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compound_parts_merge_derivational_suffixes() {
        assert_eq!(
            compound_parts("+digitaali+palvel(palvella)+u(+u)+kokeil(kokeilla)+u(+u)"),
            vec!["digitaali", "palvelu", "kokeilu"]
        );
        assert_eq!(compound_parts("+kaupungin(kaupunki)+valtuusto(valtuusto)"), vec!["kaupunki", "valtuusto"]);
        assert!(compound_parts("+kokeil(kokeilla)+u(+u)").is_empty());
        assert!(compound_parts("").is_empty());
        assert!(compound_parts("((+)))++(").len() < 3);
    }

    #[test]
    fn voikko_lemmatises_and_splits_compounds_when_installed() {
        if !voikko_available() {
            eprintln!("libvoikko or its Finnish dictionary is not installed: skipping");
            return;
        }
        let analysis = analyze("digitaalipalvelukokeiluissa");
        assert_eq!(analysis.lemmas, vec!["digitaalipalvelukokeilu"]);
        assert!(analysis.parts.contains(&"kokeilu".to_owned()), "{analysis:?}");
        assert!(analyze("Helsingin").lemmas.contains(&"helsinki".to_owned()));
        assert!(!analyze("xyzzyqwe").is_known());
        assert!(suggest("kokielu").iter().any(|s| s == "kokeilu"));
    }
}

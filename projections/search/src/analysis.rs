//! Text analysis: the tantivy analyzers of every text field, the Finnish Voikko token filter,
//! the analysis of query words, and language detection.
//!
//! | tokenizer name | chain | used by |
//! | --- | --- | --- |
//! | `fi_lemma` | Simple → RemoveLong(64) → [`FinnishLemmaFilter`] (all base forms + compound head + modifiers of 7+ letters, unknown words kept) → StopWords(fi) | `title`, `body` (Voikko mode) |
//! | `fi_lemma` | Simple → RemoveLong(64) → LowerCaser → StopWords(fi) → Stemmer(fi) | the same fields when Voikko is absent or off |
//! | `fi_stem` | Simple → RemoveLong(64) → LowerCaser → StopWords(fi) → Stemmer(fi) | `body_stem` |
//! | `exact` | Simple → RemoveLong(64) → LowerCaser | `body_exact` (phrases, codes) |
//! | `sv_stem`, `en_stem` | Simple → RemoveLong(64) → LowerCaser → StopWords → Stemmer | `body_sv`, `body_en` |

use std::path::PathBuf;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tantivy::Index;

use tantivy::tokenizer::{
    Language as StemLanguage, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

use crate::morphology;

/// Tokens longer than this many bytes are dropped (tantivy's usual limit).
const MAX_TOKEN_BYTES: usize = 64;

/// Tokenizer of the Finnish lemma fields.
pub const FI_LEMMA: &str = "fi_lemma";
/// Tokenizer of the Finnish Snowball field.
pub const FI_STEM: &str = "fi_stem";
/// Tokenizer of the exact (lowercased surface form) field.
pub const EXACT: &str = "exact";
/// Tokenizer of the Swedish field.
pub const SV_STEM: &str = "sv_stem";
/// Tokenizer of the English field.
pub const EN_STEM: &str = "en_stem";

/// Whether Finnish text is lemmatised with Voikko.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VoikkoMode {
    /// Use Voikko when libvoikko and its Finnish dictionary are installed, else Snowball.
    #[default]
    Auto,
    /// Never use Voikko: Snowball only (for tests and comparisons).
    Off,
}

/// How the index analyses text. Loaded once with the rest of the settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalysisSettings {
    /// Voikko or Snowball only.
    pub voikko: VoikkoMode,
    /// A directory searched first for the Finnish dictionary (else the standard locations).
    pub dictionary_path: Option<PathBuf>,
}

impl AnalysisSettings {
    /// Snowball only, whatever is installed.
    pub fn snowball_only() -> Self {
        Self { voikko: VoikkoMode::Off, dictionary_path: None }
    }
}

/// The analysis in force for one index: Voikko on or off, decided once when it opens.
#[derive(Clone)]
pub struct Analysis {
    voikko: bool,
    fi_stem: TextAnalyzer,
    sv_stem: TextAnalyzer,
    en_stem: TextAnalyzer,
    exact: TextAnalyzer,
    fi_lemma: TextAnalyzer,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis").field("voikko", &self.voikko).finish_non_exhaustive()
    }
}

fn stemming(language: StemLanguage) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .dynamic();
    let builder = match StopWordFilter::new(language) {
        Some(stop_words) => builder.filter_dynamic(stop_words),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(language)).build()
}

impl Analysis {
    /// Resolves `settings` against what is installed.
    pub fn new(settings: &AnalysisSettings) -> Self {
        morphology::set_dictionary_path(settings.dictionary_path.clone());
        let voikko = settings.voikko == VoikkoMode::Auto && morphology::voikko_available();
        let fi_lemma = if voikko {
            let builder = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(FinnishLemmaFilter { compound_parts: true })
                .dynamic();
            match StopWordFilter::new(StemLanguage::Finnish) {
                Some(stop_words) => builder.filter_dynamic(stop_words).build(),
                None => builder.build(),
            }
        } else {
            stemming(StemLanguage::Finnish)
        };
        Self {
            voikko,
            fi_stem: stemming(StemLanguage::Finnish),
            sv_stem: stemming(StemLanguage::Swedish),
            en_stem: stemming(StemLanguage::English),
            exact: TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(LowerCaser)
                .build(),
            fi_lemma,
        }
    }

    /// Whether Finnish is lemmatised with Voikko.
    pub fn uses_voikko(&self) -> bool {
        self.voikko
    }

    /// Registers every analyzer on `index` (tokenizers are not persisted: after every open).
    pub fn register(&self, index: &Index) {
        let manager = index.tokenizers();
        manager.register(FI_LEMMA, self.fi_lemma.clone());
        manager.register(FI_STEM, self.fi_stem.clone());
        manager.register(EXACT, self.exact.clone());
        manager.register(SV_STEM, self.sv_stem.clone());
        manager.register(EN_STEM, self.en_stem.clone());
    }

    /// The analyzer of the Finnish lemma fields.
    #[cfg(test)]
    pub(crate) fn fi_lemma_analyzer(&self) -> TextAnalyzer {
        self.fi_lemma.clone()
    }

    /// The analyzer of a stemmed field (for snippets).
    pub(crate) fn analyzer(&self, name: &str) -> TextAnalyzer {
        match name {
            SV_STEM => self.sv_stem.clone(),
            EN_STEM => self.en_stem.clone(),
            EXACT => self.exact.clone(),
            FI_STEM => self.fi_stem.clone(),
            _ => self.fi_lemma.clone(),
        }
    }

    /// An analyzer for highlighting `terms` in Finnish lemma fields: it finds the same matches
    /// at the same offsets as the `fi_lemma` analyzer, and the same places where words the
    /// index keeps start and end, but it emits only the forms that are among `terms` (and one
    /// placeholder for a kept word with none of them) instead of every form of every word.
    /// `None` without Voikko (the `fi_lemma` analyzer is cheap then).
    pub(crate) fn lemma_highlighter(&self, terms: &BTreeMap<String, f32>) -> Option<TextAnalyzer> {
        if !self.voikko {
            return None;
        }
        let filter = HighlightLemmaFilter { terms: Arc::new(terms.keys().cloned().collect()) };
        Some(
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(filter)
                .build(),
        )
    }

    /// The terms a query word looks for in the lemma fields: its base forms (no compound
    /// parts) — only itself when it is one of them — or the word itself when Voikko does not
    /// know it; its Snowball stem without Voikko. Empty for a stop word.
    pub fn query_lemmas(&self, word: &str) -> Vec<String> {
        if self.voikko {
            let analysis = morphology::analyze(word);
            let lower = word.to_lowercase();
            // A word typed in a base form means that base form, not every reading of it
            // (`tuli` the fire, not `tulla` to come).
            let candidates = if !analysis.is_known() || analysis.lemmas.contains(&lower) {
                vec![lower]
            } else {
                analysis.lemmas.clone()
            };
            candidates.into_iter().filter(|lemma| !is_finnish_stop_word(lemma)).collect()
        } else {
            tokens(&mut self.fi_lemma.clone(), word)
        }
    }

    /// Whether Voikko knows `word` (always false without Voikko).
    pub fn is_known(&self, word: &str) -> bool {
        self.voikko && morphology::analyze(word).is_known()
    }

    /// Voikko's spelling suggestions (empty without Voikko).
    pub fn suggest(&self, word: &str) -> Vec<String> {
        if self.voikko { morphology::suggest(word) } else { Vec::new() }
    }

    /// The terms `text` gives in the field analysed by `tokenizer`.
    pub fn terms(&self, tokenizer: &str, text: &str) -> Vec<String> {
        tokens(&mut self.analyzer(tokenizer), text)
    }
}

fn is_finnish_stop_word(word: &str) -> bool {
    use std::sync::OnceLock;
    static STOP: OnceLock<TextAnalyzer> = OnceLock::new();
    let analyzer = STOP.get_or_init(|| {
        let builder = TextAnalyzer::builder(SimpleTokenizer::default()).dynamic();
        match StopWordFilter::new(StemLanguage::Finnish) {
            Some(stop_words) => builder.filter_dynamic(stop_words).build(),
            None => builder.build(),
        }
    });
    tokens(&mut analyzer.clone(), word).is_empty()
}

/// Whether `form` is, as a whole, a Finnish stop word (as the `fi_lemma` chain's
/// `StopWordFilter` sees each form it gets).
fn is_finnish_stop_form(form: &str) -> bool {
    static STOP: OnceLock<TextAnalyzer> = OnceLock::new();
    let analyzer = STOP.get_or_init(|| {
        let builder = TextAnalyzer::builder(RawTokenizer::default()).dynamic();
        match StopWordFilter::new(StemLanguage::Finnish) {
            Some(stop_words) => builder.filter_dynamic(stop_words).build(),
            None => builder.build(),
        }
    });
    tokens(&mut analyzer.clone(), form).is_empty()
}

/// The forms the `fi_lemma` chain (with Voikko) indexes for the word `surface`, in order:
/// its base forms and compound parts (or the word lowercased when Voikko does not know it),
/// without stop words. Worked out once per word and kept with its cached analysis.
fn indexed_forms<'a>(surface: &str, analysis: &'a morphology::WordAnalysis) -> &'a [String] {
    analysis.index_forms.get_or_init(|| {
        let forms: Vec<String> = if analysis.is_known() {
            analysis.lemmas.iter().chain(&analysis.parts).cloned().collect()
        } else {
            vec![surface.to_lowercase()]
        };
        forms.into_iter().filter(|form| !is_finnish_stop_form(form)).collect()
    })
}

/// The token filter of [`Analysis::lemma_highlighter`].
#[derive(Clone)]
struct HighlightLemmaFilter {
    terms: Arc<std::collections::HashSet<String>>,
}

impl TokenFilter for HighlightLemmaFilter {
    type Tokenizer<T: Tokenizer> = HighlightLemmaTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        HighlightLemmaTokenizer { inner: tokenizer, terms: self.terms }
    }
}

#[derive(Clone)]
struct HighlightLemmaTokenizer<T> {
    inner: T,
    terms: Arc<std::collections::HashSet<String>>,
}

impl<T: Tokenizer> Tokenizer for HighlightLemmaTokenizer<T> {
    type TokenStream<'a> = HighlightLemmaTokenStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        HighlightLemmaTokenStream {
            tail: self.inner.token_stream(text),
            terms: &self.terms,
            token: Token::default(),
            pending: Vec::new(),
        }
    }
}

struct HighlightLemmaTokenStream<'a, S> {
    tail: S,
    terms: &'a std::collections::HashSet<String>,
    token: Token,
    /// Matching forms still to emit at the current word, last first.
    pending: Vec<String>,
}

impl<S: TokenStream> TokenStream for HighlightLemmaTokenStream<'_, S> {
    fn advance(&mut self) -> bool {
        if let Some(next) = self.pending.pop() {
            self.token.text = next;
            return true;
        }
        loop {
            if !self.tail.advance() {
                return false;
            }
            let source = self.tail.token();
            let analysis = morphology::analyze(&source.text);
            let forms = indexed_forms(&source.text, &analysis);
            if forms.is_empty() {
                continue; // only stop words: the index keeps nothing of this word
            }
            self.token.offset_from = source.offset_from;
            self.token.offset_to = source.offset_to;
            self.token.position = source.position;
            self.token.position_length = source.position_length;
            self.pending.clear();
            self.pending.extend(forms.iter().rev().filter(|form| self.terms.contains(*form)).cloned());
            // A kept word without a matching form still bounds the fragments: an empty text
            // matches no term.
            self.token.text = self.pending.pop().unwrap_or_default();
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Every token text `analyzer` makes of `text`.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// A tantivy token filter replacing each word by all its Voikko base forms and, optionally,
/// its compound parts, all at the word's position; unknown words stay (lowercased).
#[derive(Debug, Clone, Copy)]
pub struct FinnishLemmaFilter {
    /// Whether to emit compound parts too (index time: yes).
    pub compound_parts: bool,
}

impl TokenFilter for FinnishLemmaFilter {
    type Tokenizer<T: Tokenizer> = FinnishLemmaTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        FinnishLemmaTokenizer { inner: tokenizer, compound_parts: self.compound_parts }
    }
}

/// [`FinnishLemmaFilter`] applied to a tokenizer.
#[derive(Debug, Clone)]
pub struct FinnishLemmaTokenizer<T> {
    inner: T,
    compound_parts: bool,
}

impl<T: Tokenizer> Tokenizer for FinnishLemmaTokenizer<T> {
    type TokenStream<'a> = FinnishLemmaTokenStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FinnishLemmaTokenStream {
            tail: self.inner.token_stream(text),
            compound_parts: self.compound_parts,
            token: Token::default(),
            pending: Vec::new(),
        }
    }
}

/// The token stream of [`FinnishLemmaTokenizer`].
pub struct FinnishLemmaTokenStream<S> {
    tail: S,
    compound_parts: bool,
    token: Token,
    /// Alternatives still to emit at the current position, last first.
    pending: Vec<String>,
}

impl<S: TokenStream> TokenStream for FinnishLemmaTokenStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(next) = self.pending.pop() {
            self.token.text = next;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let source = self.tail.token();
        self.token.offset_from = source.offset_from;
        self.token.offset_to = source.offset_to;
        self.token.position = source.position;
        self.token.position_length = source.position_length;
        let analysis = morphology::analyze(&source.text);
        let mut forms: Vec<String> = Vec::with_capacity(analysis.lemmas.len() + analysis.parts.len());
        if analysis.is_known() {
            forms.extend(analysis.lemmas.iter().cloned());
            if self.compound_parts {
                forms.extend(analysis.parts.iter().cloned());
            }
        } else {
            forms.push(source.text.to_lowercase());
        }
        forms.reverse();
        // `forms` is never empty: a known word has a lemma, an unknown one keeps its text.
        self.token.text = forms.pop().unwrap_or_default();
        self.pending = forms;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A language kirjuri analyses separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextLanguage {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl TextLanguage {
    /// The ISO code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Fi => "fi",
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    /// Reads `fi`, `sv` or `en`.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "fi" => Some(Self::Fi),
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// How many texts' detected languages [`detect_language_cached`] keeps before it forgets them.
const LANGUAGE_CACHE_LIMIT: usize = 100_000;

/// [`detect_language`], remembered per exact text. Every change to an entity rewrites its whole
/// document, so the same sections are routed again and again; detection is by far the largest
/// cost of indexing and the answer for a given text never changes.
pub(crate) fn detect_language_cached(text: &str) -> TextLanguage {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static CACHE: OnceLock<Mutex<HashMap<String, TextLanguage>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(language) = cache.lock().ok().and_then(|cache| cache.get(text).copied()) {
        return language;
    }
    let language = detect_language(text);
    if let Ok(mut cache) = cache.lock() {
        if cache.len() >= LANGUAGE_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(text.to_owned(), language);
    }
    language
}

/// The language `text` is written in, when detection is confident; Finnish otherwise.
pub fn detect_language(text: &str) -> TextLanguage {
    if text.chars().filter(|c| c.is_alphabetic()).count() < 20 {
        return TextLanguage::Fi;
    }
    let Some(info) = whatlang::detect(text) else { return TextLanguage::Fi };
    if !info.is_reliable() {
        return TextLanguage::Fi;
    }
    match info.lang() {
        whatlang::Lang::Swe => TextLanguage::Sv,
        whatlang::Lang::Eng => TextLanguage::En,
        _ => TextLanguage::Fi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowball_only_analysis_stems_and_drops_stop_words() {
        let analysis = Analysis::new(&AnalysisSettings::snowball_only());
        assert!(!analysis.uses_voikko());
        assert_eq!(analysis.terms(FI_LEMMA, "Kokeiluissa ja hankkeissa"), vec!["kokeilu", "hank"]);
        assert_eq!(analysis.query_lemmas("hankkeissa"), vec!["hank"]);
        assert!(analysis.query_lemmas("ja").is_empty());
    }

    #[test]
    fn the_voikko_filter_emits_base_forms_and_parts_at_one_position() {
        let analysis = Analysis::new(&AnalysisSettings::default());
        if !analysis.uses_voikko() {
            eprintln!("libvoikko is not installed: skipping");
            return;
        }
        let mut analyzer = analysis.fi_lemma_analyzer();
        let mut stream = analyzer.token_stream("Digitaalipalvelukokeiluissa xyzzyqwe");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().position, stream.token().text.clone()));
        }
        assert!(seen.contains(&(0, "digitaalipalvelukokeilu".into())), "{seen:?}");
        assert!(seen.contains(&(0, "kokeilu".into())), "{seen:?}");
        assert!(seen.contains(&(1, "xyzzyqwe".into())), "{seen:?}");
        assert_eq!(analysis.query_lemmas("kokeiluissa"), vec!["kokeilu"]);
    }

    #[test]
    fn languages_are_detected_only_when_confident() {
        assert_eq!(
            detect_language("The pilot freed time for follow-up visits and the staff liked it."),
            TextLanguage::En
        );
        assert_eq!(
            detect_language("Försöket frigjorde tid för uppföljningsbesök och personalen var nöjd."),
            TextLanguage::Sv
        );
        assert_eq!(
            detect_language("Kokeilu vapautti aikaa seurantakäynteihin ja henkilöstö oli tyytyväinen."),
            TextLanguage::Fi
        );
        assert_eq!(detect_language("ok"), TextLanguage::Fi);
    }
}

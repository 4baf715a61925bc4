//! Searching: requests and filters, queries built in code, facet counts, snippets, typo
//! tolerance and "did you mean".
//!
//! A query's words are ANDed; each word is the OR of its analyses: its Voikko base forms in
//! `title` (boost 3) and `body`, its exact form, its Swedish and English stems, and its
//! Snowball stem when Voikko does not know it. Quoted text is a phrase on the exact field.
//! A word whose terms occur in no document the caller may read is treated as a typo: Voikko's
//! suggestions (kept only if they occur in those documents) and fuzzy expansions of the term
//! dictionary that occur in them (edit distance 0 for words of up to 3 characters, 1 up to 7,
//! 2 from 8; a swap costs 1) join its group, and the best of them becomes the "did you mean"
//! suggestion. Every such statistic, and BM25's, is counted over the request's
//! [`ReadableScope`](crate::scope::ReadableScope), never over the whole index; facet counts
//! come from the hits alone.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::analysis::{self, TextLanguage};
use crate::document::DocumentKind;
use crate::facets::FacetCounter;
use crate::scope::ReadableScope;
use crate::{SearchError, SearchIndex};

/// At most this many words of a query are used.
pub const MAX_QUERY_WORDS: usize = 32;
/// At most this many characters of a query are read.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// The largest page.
pub const MAX_LIMIT: usize = 100;
/// The deepest offset.
pub const MAX_OFFSET: usize = 10_000;
/// At most this many fuzzy expansions per word and field (as Elasticsearch's `max_expansions`).
const MAX_EXPANSIONS: usize = 50;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 200;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

impl SortOrder {
    /// Reads `relevance`, `newest` or `oldest`.
    pub fn parse(text: &str) -> Result<Self, SearchError> {
        match text.trim() {
            "relevance" | "" => Ok(Self::Relevance),
            "newest" => Ok(Self::Newest),
            "oldest" => Ok(Self::Oldest),
            other => Err(SearchError::invalid("sort", format!("`{other}` is not relevance, newest or oldest"))),
        }
    }
}

/// Filters: values of one name are ORed, different names ANDed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    /// Document kinds.
    pub kinds: Vec<DocumentKind>,
    /// Municipality ids.
    pub municipalities: Vec<String>,
    /// Unit ids.
    pub units: Vec<String>,
    /// Experiment ids.
    pub experiments: Vec<String>,
    /// Tags (lowercase).
    pub tags: Vec<String>,
    /// Languages.
    pub languages: Vec<TextLanguage>,
    /// Years.
    pub years: Vec<i32>,
    /// From this day on (inclusive).
    pub from: Option<NaiveDate>,
    /// Up to this day (inclusive).
    pub to: Option<NaiveDate>,
}

fn parse_uuid(name: &str, value: &str) -> Result<String, SearchError> {
    uuid::Uuid::parse_str(value)
        .map(|u| u.to_string())
        .map_err(|_| SearchError::invalid(name, format!("`{}` is not an id", printable(value))))
}

fn parse_day(name: &str, value: &str) -> Result<NaiveDate, SearchError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| SearchError::invalid(name, format!("`{}` is not a date like 2025-03-31", printable(value))))
}

fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(64).collect()
}

impl SearchFilters {
    /// Reads `name=value` pairs (`kind`, `municipality`, `unit`, `experiment`, `tag`,
    /// `language`, `year`, `from`, `to`); anything malformed is an [`SearchError::InvalidFilter`].
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, SearchError> {
        let mut filters = Self::default();
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                return Err(SearchError::invalid(name, "must not be empty"));
            }
            match name {
                "kind" => filters.kinds.push(DocumentKind::parse(value).ok_or_else(|| {
                    SearchError::invalid(
                        name,
                        format!("`{}` is not one of {}", printable(value), DocumentKind::searchable_names()),
                    )
                })?),
                "municipality" => filters.municipalities.push(parse_uuid(name, value)?),
                "unit" => filters.units.push(parse_uuid(name, value)?),
                "experiment" => filters.experiments.push(parse_uuid(name, value)?),
                "tag" => {
                    let tag = kirjuri_events::domain::practice::Tag::parse(value)
                        .map_err(|error| SearchError::invalid(name, error.rule.to_string()))?;
                    filters.tags.push(tag.as_str().to_owned());
                }
                "language" => filters.languages.push(TextLanguage::parse(value).ok_or_else(|| {
                    SearchError::invalid(name, format!("`{}` is not fi, sv or en", printable(value)))
                })?),
                "year" => {
                    filters.years.push(
                        value.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y)).ok_or_else(|| {
                            SearchError::invalid(name, format!("`{}` is not a year", printable(value)))
                        })?,
                    )
                }
                "from" => filters.from = Some(parse_day(name, value)?),
                "to" => filters.to = Some(parse_day(name, value)?),
                other => {
                    return Err(SearchError::invalid(
                        other,
                        "unknown filter; use kind, municipality, unit, experiment, tag, language, year, from or to",
                    ));
                }
            }
        }
        if let (Some(from), Some(to)) = (filters.from, filters.to)
            && to < from
        {
            return Err(SearchError::invalid("to", "must not be before `from`"));
        }
        Ok(filters)
    }
}

/// A search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// What the user typed; `"quoted text"` is a phrase. Empty: every document (filters only).
    pub text: String,
    /// Filters.
    pub filters: SearchFilters,
    /// Order.
    pub sort: SortOrder,
    /// Hits to skip (at most [`MAX_OFFSET`]).
    pub offset: usize,
    /// Hits to return (1 to [`MAX_LIMIT`]).
    pub limit: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        Self {
            text: String::new(),
            filters: SearchFilters::default(),
            sort: SortOrder::Relevance,
            offset: 0,
            limit: 10,
        }
    }
}

impl SearchRequest {
    /// A relevance-ordered search for `text`, first page of 10.
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The document key, e.g. `lesson:<uuid>`.
    pub id: String,
    /// Its kind.
    pub kind: DocumentKind,
    /// The entity it is about.
    pub entity: String,
    /// Its title (Finnish), if it has one.
    pub title: Option<String>,
    /// HTML with matches in `<mark>`; everything else escaped.
    pub snippet: String,
    /// The relevance score (relevance order only).
    pub score: Option<f32>,
    /// Its date.
    pub date: DateTime<Utc>,
}

/// How many hits have one facet value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (a kind, an id, a tag, a language code, a year).
    pub value: String,
    /// How many hits have it.
    pub count: u64,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// How many documents match in all.
    pub total: usize,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Counts per facet (`kind`, `municipality`, `unit`, `experiment`, `tag`, `language`,
    /// `year`) over all matching documents, largest first.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// A corrected query when some word looked misspelt.
    pub did_you_mean: Option<String>,
}

const FACET_NAMES: [&str; 7] = ["kind", "municipality", "unit", "experiment", "tag", "language", "year"];

/// A query's words and phrases.
#[derive(Debug, Default, PartialEq, Eq)]
struct ParsedText {
    words: Vec<String>,
    phrases: Vec<String>,
}

fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && w.len() <= 64)
}

fn parse_text(text: &str) -> ParsedText {
    let clean: String = text.chars().take(MAX_QUERY_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut parsed = ParsedText::default();
    let segments: Vec<&str> = clean.split('"').collect();
    let closed_quotes = segments.len() % 2 == 1;
    let mut budget = MAX_QUERY_WORDS;
    for (index, segment) in segments.iter().enumerate() {
        let is_phrase = index % 2 == 1 && (closed_quotes || index + 1 < segments.len());
        if is_phrase {
            let words: Vec<&str> = split_words(segment).take(budget).collect();
            budget -= words.len();
            if !words.is_empty() {
                parsed.phrases.push(words.join(" "));
            }
        } else {
            for word in split_words(segment).take(budget) {
                parsed.words.push(word.to_owned());
                budget -= 1;
            }
        }
    }
    parsed
}

/// The edit distance a word of this many characters tolerates.
pub fn typo_distance(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// What one word contributes.
struct WordGroup {
    query: Box<dyn Query>,
    /// Terms to highlight, per tokenizer name.
    highlight: Vec<(&'static str, String)>,
    /// A replacement for the word, when it looked misspelt.
    correction: Option<String>,
}

/// The built query of a request, and what to highlight.
pub(crate) struct BuiltQuery {
    pub query: Box<dyn Query>,
    highlight: Vec<(&'static str, String)>,
    did_you_mean: Option<String>,
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let query = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs);
    if (boost - 1.0).abs() < f32::EPSILON { Box::new(query) } else { Box::new(BoostQuery::new(Box::new(query), boost)) }
}

impl SearchIndex {
    /// The query of one word, and its correction when it looks misspelt. Whether it occurs,
    /// and what it is corrected or expanded to, is decided over `scope` alone.
    fn word_group(&self, scope: &ReadableScope<'_>, word: &str) -> Result<Option<WordGroup>, SearchError> {
        let analysis = &self.inner.analysis;
        let fields = &self.inner.fields;
        let lemmas = analysis.query_lemmas(word);
        let stems = analysis.terms(analysis::FI_STEM, word);
        if lemmas.is_empty() && stems.is_empty() {
            return Ok(None); // a stop word
        }
        let lower = word.to_lowercase();
        let known = analysis.is_known(word);
        let sv = analysis.terms(analysis::SV_STEM, word);
        let en = analysis.terms(analysis::EN_STEM, word);

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut highlight: Vec<(&'static str, String)> = Vec::new();
        // The terms whose occurrence in scope tells a real word from a typo.
        let mut looked_up: Vec<(Field, String)> = Vec::new();
        for lemma in &lemmas {
            clauses.push((Occur::Should, term_query(fields.title, lemma, 3.0)));
            clauses.push((Occur::Should, term_query(fields.body, lemma, 1.0)));
            highlight.push((analysis::FI_LEMMA, lemma.clone()));
            looked_up.push((fields.body, lemma.clone()));
            looked_up.push((fields.title, lemma.clone()));
        }
        // Snowball covers what Voikko does not know; without Voikko the lemma field is Snowball.
        if !known && analysis.uses_voikko() {
            for stem in &stems {
                clauses.push((Occur::Should, term_query(fields.body_stem, stem, 0.3)));
                looked_up.push((fields.body_stem, stem.clone()));
            }
        }
        clauses.push((Occur::Should, term_query(fields.body_exact, &lower, 1.5)));
        looked_up.push((fields.body_exact, lower.clone()));
        for (tokenizer, field, terms) in
            [(analysis::SV_STEM, fields.body_sv, &sv), (analysis::EN_STEM, fields.body_en, &en)]
        {
            for term in terms {
                clauses.push((Occur::Should, term_query(field, term, 1.0)));
                highlight.push((tokenizer, term.clone()));
                looked_up.push((field, term.clone()));
            }
        }
        let mut occurs = false;
        for (field, term) in &looked_up {
            if scope.occurs(*field, term)? {
                occurs = true;
                break;
            }
        }

        let mut correction = None;
        if !occurs {
            let distance = typo_distance(word.chars().count());
            // Voikko's suggestions, kept only when they occur in scope.
            for suggestion in analysis.suggest(word).into_iter().take(3) {
                let mut useful = false;
                for lemma in analysis.query_lemmas(&suggestion) {
                    if scope.occurs(fields.body, &lemma)? || scope.occurs(fields.title, &lemma)? {
                        clauses.push((Occur::Should, term_query(fields.body, &lemma, 0.8)));
                        clauses.push((Occur::Should, term_query(fields.title, &lemma, 2.0)));
                        highlight.push((analysis::FI_LEMMA, lemma));
                        useful = true;
                    }
                }
                if useful && correction.is_none() {
                    correction = Some(suggestion.to_lowercase());
                }
            }
            let mut best: Option<(String, u64)> = None;
            for lemma in &lemmas {
                for (term, freq) in scope.expand(fields.body, lemma, distance, MAX_EXPANSIONS)? {
                    clauses.push((Occur::Should, term_query(fields.body, &term, 0.5)));
                    clauses.push((Occur::Should, term_query(fields.title, &term, 1.5)));
                    highlight.push((analysis::FI_LEMMA, term.clone()));
                    if best.as_ref().is_none_or(|(_, f)| freq > *f) {
                        best = Some((term, freq));
                    }
                }
            }
            for stem in &stems {
                for (term, _) in scope.expand(fields.body_stem, stem, distance, MAX_EXPANSIONS)? {
                    clauses.push((Occur::Should, term_query(fields.body_stem, &term, 0.3)));
                }
            }
            if correction.is_none() {
                correction = best.map(|(term, _)| term);
            }
        }
        Ok(Some(WordGroup { query: Box::new(BooleanQuery::new(clauses)), highlight, correction }))
    }

    fn filter_queries(&self, filters: &SearchFilters) -> Vec<Box<dyn Query>> {
        let facets = self.inner.fields.facets;
        let any_of = |name: &str, values: Vec<String>| -> Option<Box<dyn Query>> {
            if values.is_empty() {
                return None;
            }
            let clauses: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|value| {
                    let term = Term::from_facet(facets, &Facet::from_path([name, value.as_str()]));
                    (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
                })
                .collect();
            Some(Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(clauses)), 0.0)))
        };
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        out.extend(any_of("kind", filters.kinds.iter().map(|k| k.as_str().to_owned()).collect()));
        out.extend(any_of("municipality", filters.municipalities.clone()));
        out.extend(any_of("unit", filters.units.clone()));
        out.extend(any_of("experiment", filters.experiments.clone()));
        out.extend(any_of("tag", filters.tags.clone()));
        out.extend(any_of("language", filters.languages.iter().map(|l| l.code().to_owned()).collect()));
        out.extend(any_of("year", filters.years.iter().map(ToString::to_string).collect()));
        if filters.from.is_some() || filters.to.is_some() {
            let date = self.inner.fields.date;
            let bound = |day: Option<NaiveDate>, end: bool| match day {
                Some(day) => {
                    let seconds = crate::SearchDocument::day(day).timestamp() + if end { 86_399 } else { 0 };
                    std::ops::Bound::Included(Term::from_field_date(date, crate::index::tantivy_date(seconds)))
                }
                None => std::ops::Bound::Unbounded,
            };
            let range = RangeQuery::new(bound(filters.from, false), bound(filters.to, true));
            out.push(Box::new(ConstScoreQuery::new(Box::new(range), 0.0)));
        }
        out
    }

    /// Builds the query for `text` and `filters`; every term statistic it needs is counted
    /// over `scope`.
    pub(crate) fn build_query(
        &self,
        scope: &ReadableScope<'_>,
        text: &str,
        filters: &SearchFilters,
    ) -> Result<BuiltQuery, SearchError> {
        let fields = &self.inner.fields;
        let parsed = parse_text(text);
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut highlight = Vec::new();
        let mut corrected_words = Vec::new();
        let mut any_correction = false;
        for word in &parsed.words {
            match self.word_group(scope, word)? {
                Some(group) => {
                    must.push((Occur::Must, group.query));
                    highlight.extend(group.highlight);
                    any_correction |= group.correction.is_some();
                    corrected_words.push(group.correction.unwrap_or_else(|| word.to_lowercase()));
                }
                None => corrected_words.push(word.to_lowercase()),
            }
        }
        for phrase in &parsed.phrases {
            let terms: Vec<Term> = self
                .inner
                .analysis
                .terms(analysis::EXACT, phrase)
                .iter()
                .map(|t| Term::from_field_text(fields.body_exact, t))
                .collect();
            for word in split_words(phrase) {
                for lemma in self.inner.analysis.query_lemmas(word) {
                    highlight.push((analysis::FI_LEMMA, lemma));
                }
            }
            match terms.len() {
                0 => {}
                1 => must.extend(terms.into_iter().map(|t| {
                    (Occur::Must, Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>)
                })),
                _ => must.push((Occur::Must, Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), 2.0)))),
            }
        }
        let has_text = !must.is_empty();
        if !has_text {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        must.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(Term::from_field_text(fields.visible, "y"), IndexRecordOption::Basic)),
                0.0,
            )),
        ));
        for filter in self.filter_queries(filters) {
            must.push((Occur::Must, filter));
        }
        let did_you_mean = (has_text && any_correction).then(|| corrected_words.join(" "));
        Ok(BuiltQuery { query: Box::new(BooleanQuery::new(must)), highlight, did_you_mean })
    }

    /// Runs `request`.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        if request.limit == 0 || request.limit > MAX_LIMIT {
            return Err(SearchError::invalid("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        if request.offset > MAX_OFFSET {
            return Err(SearchError::invalid("offset", format!("must be at most {MAX_OFFSET}")));
        }
        let searcher = self.inner.reader.searcher();
        let scope = ReadableScope::new(&searcher, &self.inner.fields, &request.filters.municipalities);
        let built = self.build_query(&scope, &request.text, &request.filters)?;
        let live: Vec<_> = searcher.segment_readers().iter().map(|segment| segment.segment_id()).collect();
        self.inner.facet_dictionaries.retain_live(&live);
        let facet_counter = FacetCounter::new("facets", &FACET_NAMES, &self.inner.facet_dictionaries);
        let page = TopDocs::with_limit(request.limit).and_offset(request.offset);
        let (addresses, total, facet_counts): (Vec<(Option<f32>, DocAddress)>, usize, _) = match request.sort {
            SortOrder::Relevance => {
                let (top, total, facets) = searcher
                    .search_with_statistics_provider(
                        &*built.query,
                        &(page.order_by_score(), Count, facet_counter),
                        &scope,
                    )
                    .map_err(SearchError::storage("searching"))?;
                (top.into_iter().map(|(score, address)| (Some(score), address)).collect(), total, facets)
            }
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if request.sort == SortOrder::Newest { Order::Desc } else { Order::Asc };
                let (top, total, facets) = searcher
                    .search(
                        &*built.query,
                        &(page.order_by_fast_field::<tantivy::DateTime>("date", order), Count, facet_counter),
                    )
                    .map_err(SearchError::storage("searching"))?;
                (top.into_iter().map(|(_, address)| (None, address)).collect(), total, facets)
            }
        };
        let mut facets = BTreeMap::new();
        for (name, counts) in FACET_NAMES.iter().zip(facet_counts) {
            let mut counts: Vec<FacetCount> =
                counts.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
            counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            facets.insert((*name).to_owned(), counts);
        }
        let snippets = Snippets::new(self, &built.highlight);
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(SearchError::storage("reading a hit"))?;
            let state = self.decode_state(&doc)?;
            hits.push(SearchHit {
                snippet: snippets.render(&doc, &state),
                id: state.id,
                kind: state.kind,
                entity: state.entity,
                title: state.title.map(|t| t.fi),
                score,
                date: state.date,
            });
        }
        Ok(SearchResults { total, hits, facets, did_you_mean: built.did_you_mean })
    }

    /// The keys of every document `text` matches (no paging, no scoring): the quality harness.
    pub fn matching_ids(&self, text: &str) -> Result<Vec<String>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let filters = SearchFilters::default();
        let scope = ReadableScope::new(&searcher, &self.inner.fields, &filters.municipalities);
        let built = self.build_query(&scope, text, &filters)?;
        let addresses = searcher.search(&*built.query, &DocSetCollector).map_err(SearchError::storage("searching"))?;
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(SearchError::storage("reading a hit"))?;
            if let Some(id) = doc.get_first(self.inner.fields.id).and_then(|v| v.as_str()) {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }
}

/// Snippet generators for the stored text fields.
struct Snippets {
    generators: Vec<SnippetGenerator>,
}

impl Snippets {
    fn new(index: &SearchIndex, highlight: &[(&'static str, String)]) -> Self {
        let fields = &index.inner.fields;
        let analysis = &index.inner.analysis;
        let terms_of = |tokenizer: &str| -> BTreeMap<String, f32> {
            highlight.iter().filter(|(t, _)| *t == tokenizer).map(|(_, term)| (term.clone(), 1.0)).collect()
        };
        let lemma_terms = terms_of(analysis::FI_LEMMA);
        let generators = [
            (fields.body, analysis::FI_LEMMA, lemma_terms.clone()),
            (fields.body_sv, analysis::SV_STEM, terms_of(analysis::SV_STEM)),
            (fields.body_en, analysis::EN_STEM, terms_of(analysis::EN_STEM)),
            (fields.title, analysis::FI_LEMMA, lemma_terms),
        ]
        .into_iter()
        // A generator without terms cannot highlight anything: skip its field.
        .filter(|(_, _, terms)| !terms.is_empty())
        .map(|(field, tokenizer, terms)| {
            let analyzer = match tokenizer {
                analysis::FI_LEMMA => analysis.lemma_highlighter(&terms),
                _ => None,
            };
            let analyzer = analyzer.unwrap_or_else(|| analysis.analyzer(tokenizer));
            SnippetGenerator::new(terms, analyzer, field, SNIPPET_CHARS)
        })
        .collect();
        Self { generators }
    }

    fn render(&self, doc: &TantivyDocument, state: &crate::SearchDocument) -> String {
        for generator in &self.generators {
            let mut snippet = generator.snippet_from_doc(doc);
            if !snippet.highlighted().is_empty() {
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                return snippet.to_html();
            }
        }
        let text = state.sections.first().map(|s| s.fi.as_str()).unwrap_or_default();
        escape_html(&text.chars().take(SNIPPET_CHARS).collect::<String>())
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_text_is_split_into_words_and_phrases_and_capped() {
        let parsed = parse_text("kokeilu \"asukas kysely\" hanke\u{0}x \"auki");
        assert_eq!(parsed.words, vec!["kokeilu", "hanke", "x", "auki"]);
        assert_eq!(parsed.phrases, vec!["asukas kysely"]);
        let long = "sana ".repeat(1000);
        assert_eq!(parse_text(&long).words.len(), MAX_QUERY_WORDS);
        assert!(parse_text("\"\"\"").words.is_empty());
    }

    #[test]
    fn typo_distance_grows_with_word_length() {
        assert_eq!(typo_distance(3), 0);
        assert_eq!(typo_distance(4), 1);
        assert_eq!(typo_distance(7), 1);
        assert_eq!(typo_distance(8), 2);
    }

    #[test]
    fn malformed_filters_are_clear_errors() {
        let error = SearchFilters::parse([("kind", "memo")]).expect_err("unknown kind");
        assert!(error.to_string().contains("kind"), "{error}");
        for kind in ["lesson", "note", "outcome", "experiment", "practice", "decision", "observation", "communication"]
        {
            assert!(error.to_string().contains(kind), "{error}");
            assert!(SearchFilters::parse([("kind", kind)]).is_ok(), "{kind}");
        }
        assert!(SearchFilters::parse([("kind", "engagement")]).is_err());
        assert!(SearchFilters::parse([("year", "20x5")]).is_err());
        assert!(SearchFilters::parse([("municipality", "kuopio")]).is_err());
        assert!(SearchFilters::parse([("from", "2025-13-01")]).is_err());
        assert!(SearchFilters::parse([("from", "2025-03-02"), ("to", "2025-03-01")]).is_err());
        assert!(SearchFilters::parse([("colour", "red")]).is_err());
        assert!(SearchFilters::parse([("tag", "")]).is_err());
        let ok = SearchFilters::parse([("kind", "lesson"), ("kind", "practice"), ("year", "2025"), ("language", "sv")])
            .expect("valid");
        assert_eq!(ok.kinds, vec![DocumentKind::Lesson, DocumentKind::Practice]);
        assert!(SortOrder::parse("sideways").is_err());
    }
}

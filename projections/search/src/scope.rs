//! The documents a search may read, and the term statistics counted over them alone.
//!
//! Whatever a search derives from the index's terms rather than from its own hits — whether a
//! word occurs at all (typo detection), which fuzzy expansions exist and how often, whether a
//! Voikko suggestion is worth offering, BM25's document frequencies — is counted over one
//! [`ReadableScope`]: the searchable documents (`visible:y`) of the municipalities the request
//! is filtered to, or of every municipality when it names none (the quality harness). Counting
//! over the whole term dictionary would let one municipality's words show through in another's
//! "did you mean" and fuzzy expansions.
//!
//! The scope is built on first use, once per request: per segment, a bitset of the alive
//! documents in scope (one postings walk of `visible:y` and the municipality terms). A term is
//! then counted by walking its postings against that bitset, stopping at the first document in
//! scope when only existence matters. Only searchable documents have text terms (see
//! `SearchIndex::to_tantivy`), so a segment without deletions whose every searchable document
//! is in scope answers from its term dictionary, without a walk; a segment with nothing in
//! scope is skipped.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use tantivy::postings::{SegmentPostings, TermInfo};
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, EnableScoring, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{BitSet, DocSet, InvertedIndexReader, Searcher, SegmentReader, TERMINATED, Term};

use crate::SearchError;
use crate::index::Fields;

/// One segment's part of a [`ReadableScope`].
struct SegmentScope {
    /// The alive documents in scope.
    documents: BitSet,
    /// Whether every searchable document of the segment is alive and in scope, so that a text
    /// term's document frequency in the term dictionary is its count in scope.
    covers_every_searchable_document: bool,
}

impl SegmentScope {
    /// How many documents of `postings` are in scope; at most one when `first_only`.
    fn count(&self, postings: &mut SegmentPostings, first_only: bool) -> u64 {
        let mut count = 0;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if self.documents.contains(doc) {
                count += 1;
                if first_only {
                    break;
                }
            }
            doc = postings.advance();
        }
        count
    }

    /// How many documents in scope hold the term `info` describes; at most one when
    /// `first_only`.
    fn count_term(&self, inverted: &InvertedIndexReader, info: &TermInfo, first_only: bool) -> tantivy::Result<u64> {
        if self.covers_every_searchable_document {
            let doc_freq = u64::from(info.doc_freq);
            return Ok(if first_only { doc_freq.min(1) } else { doc_freq });
        }
        let mut postings = inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        Ok(self.count(&mut postings, first_only))
    }
}

/// The documents one request may read: the searchable documents of its municipalities (all
/// municipalities when it names none). Built lazily, at most once; every term statistic a
/// search derives is counted over it.
pub(crate) struct ReadableScope<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    municipalities: &'a [String],
    /// Per segment, in the searcher's order; built on first use.
    segments: OnceCell<Vec<SegmentScope>>,
    /// Terms counted so far, with their count in scope.
    doc_freqs: RefCell<HashMap<Term, u64>>,
}

impl<'a> ReadableScope<'a> {
    /// The scope of a request filtered to `municipalities` (none: every municipality).
    pub(crate) fn new(searcher: &'a Searcher, fields: &'a Fields, municipalities: &'a [String]) -> Self {
        Self { searcher, fields, municipalities, segments: OnceCell::new(), doc_freqs: RefCell::default() }
    }

    /// `visible:y`, and one of the municipalities when there are any.
    fn query(&self) -> Box<dyn Query> {
        let visible: Box<dyn Query> =
            Box::new(TermQuery::new(Term::from_field_text(self.fields.visible, "y"), IndexRecordOption::Basic));
        if self.municipalities.is_empty() {
            return visible;
        }
        let any_municipality: Vec<(Occur, Box<dyn Query>)> = self
            .municipalities
            .iter()
            .map(|municipality| {
                let facet = Facet::from_path(["municipality", municipality.as_str()]);
                let term = Term::from_facet(self.fields.facets, &facet);
                (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
            })
            .collect();
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, visible),
            (Occur::Must, Box::new(BooleanQuery::new(any_municipality))),
        ]))
    }

    fn build(&self) -> tantivy::Result<Vec<SegmentScope>> {
        let weight = self.query().weight(EnableScoring::disabled_from_searcher(self.searcher))?;
        let visible = Term::from_field_text(self.fields.visible, "y");
        let mut segments = Vec::with_capacity(self.searcher.segment_readers().len());
        for segment in self.searcher.segment_readers() {
            let mut documents = BitSet::with_max_value(segment.max_doc());
            let alive = segment.alive_bitset();
            weight.for_each_no_score(segment, &mut |docs| {
                for &doc in docs {
                    if alive.is_none_or(|alive| alive.is_alive(doc)) {
                        documents.insert(doc);
                    }
                }
            })?;
            let searchable = segment.inverted_index(self.fields.visible)?.doc_freq(&visible)?;
            let covers_every_searchable_document =
                !segment.has_deletes() && documents.len() == usize::try_from(searchable).unwrap_or(usize::MAX);
            segments.push(SegmentScope { documents, covers_every_searchable_document });
        }
        Ok(segments)
    }

    fn segments(&self) -> tantivy::Result<&[SegmentScope]> {
        if let Some(segments) = self.segments.get() {
            return Ok(segments);
        }
        let built = self.build()?;
        Ok(self.segments.get_or_init(|| built))
    }

    /// The segments with anything in scope, with their scope.
    fn readable_segments(&self) -> tantivy::Result<impl Iterator<Item = (&'a SegmentReader, &SegmentScope)> + '_> {
        let segments = self.segments()?;
        Ok(self.searcher.segment_readers().iter().zip(segments).filter(|(_, scope)| scope.documents.len() > 0))
    }

    /// How many documents in scope hold `term`; at most one when `first_only`.
    fn count(&self, term: &Term, first_only: bool) -> tantivy::Result<u64> {
        if let Some(count) = self.doc_freqs.borrow().get(term) {
            return Ok(if first_only { (*count).min(1) } else { *count });
        }
        let mut count = 0;
        for (segment, scope) in self.readable_segments()? {
            let inverted = segment.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else { continue };
            count += scope.count_term(&inverted, &info, first_only)?;
            if first_only && count > 0 {
                return Ok(1);
            }
        }
        self.doc_freqs.borrow_mut().insert(term.clone(), count);
        Ok(count)
    }

    /// Whether any document in scope holds `text` in `field`.
    pub(crate) fn occurs(&self, field: Field, text: &str) -> Result<bool, SearchError> {
        self.count(&Term::from_field_text(field, text), true)
            .map(|count| count > 0)
            .map_err(SearchError::storage("counting a term in the readable documents"))
    }

    /// The terms of `field` within `distance` edits of `text` (not `text` itself) that occur in
    /// scope, each with how many documents in scope hold it, most frequent first, at most
    /// `limit`.
    pub(crate) fn expand(
        &self,
        field: Field,
        text: &str,
        distance: u8,
        limit: usize,
    ) -> Result<Vec<(String, u64)>, SearchError> {
        if distance == 0 {
            return Ok(Vec::new());
        }
        let storage = SearchError::storage("expanding a term in the readable documents");
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, text), distance, true);
        let mut found: HashMap<String, u64> = HashMap::new();
        for (segment, scope) in self.readable_segments().map_err(storage)? {
            let automaton = fuzzy.automaton().map_err(SearchError::storage("building a fuzzy automaton"))?;
            let inverted =
                segment.inverted_index(field).map_err(SearchError::storage("reading the term dictionary"))?;
            let mut stream = inverted
                .terms()
                .search(automaton)
                .into_stream()
                .map_err(|e| SearchError::Io { context: "streaming the term dictionary", source: e })?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                if term == text {
                    continue;
                }
                let in_scope = scope
                    .count_term(&inverted, stream.value(), false)
                    .map_err(SearchError::storage("counting an expansion in the readable documents"))?;
                if in_scope > 0 {
                    *found.entry(term.to_owned()).or_default() += in_scope;
                }
            }
        }
        let mut expansions: Vec<(String, u64)> = found.into_iter().collect();
        expansions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        expansions.truncate(limit);
        let mut doc_freqs = self.doc_freqs.borrow_mut();
        for (term, count) in &expansions {
            doc_freqs.insert(Term::from_field_text(field, term), *count);
        }
        Ok(expansions)
    }

    /// How many documents are in scope.
    fn num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.segments()?.iter().map(|scope| scope.documents.len() as u64).sum())
    }
}

/// BM25 over the scope: document frequencies and the number of documents count only documents
/// in scope, so a score says nothing about how often other municipalities use a word. The
/// average field length is the whole index's (a figure about no term), so that scoring costs
/// no walk over the scope's documents.
impl Bm25StatisticsProvider for ReadableScope<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut tokens = 0u64;
        let mut documents = 0u64;
        for segment in self.searcher.segment_readers() {
            tokens += segment.inverted_index(field)?.total_num_tokens();
            documents += u64::from(segment.max_doc());
        }
        if documents == 0 {
            return Ok(0);
        }
        // The index's average length of the field, times the documents in scope.
        let average = tokens as f64 / documents as f64;
        Ok((average * self.total_num_docs()? as f64).ceil() as u64)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        // At least one, so that an empty scope gives a finite average field length.
        Ok(self.num_docs()?.max(1))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        // BM25 asserts that no term is in more documents than there are: an index whose
        // unsearchable documents had text terms must not turn into a panic.
        Ok(self.count(term, false)?.min(self.total_num_docs()?))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use kirjuri_events::domain::LocalizedText;

    use super::*;
    use crate::analysis::AnalysisSettings;
    use crate::document::{DocumentKind, SearchDocument};
    use crate::index::SearchIndex;

    const A: &str = "00000000-0000-0000-0000-00000000000a";
    const B: &str = "00000000-0000-0000-0000-00000000000b";

    fn lesson(id: &str, municipality: &str, text: &str) -> SearchDocument {
        SearchDocument {
            id: format!("lesson:{id}"),
            kind: DocumentKind::Lesson,
            entity: id.to_owned(),
            municipality: Some(municipality.to_owned()),
            units: Vec::new(),
            experiment: None,
            tags: Vec::new(),
            date: Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).single().expect("a valid time"),
            title: None,
            sections: vec![LocalizedText::fi(text).expect("valid text")],
        }
    }

    /// An index with A's `zorvakkila` twice, B's `tavallinen`, and B's `poistettusana` in a
    /// version of a document that was since replaced (deleted but not merged away).
    fn index() -> SearchIndex {
        let index = SearchIndex::in_memory(&AnalysisSettings::snowball_only()).expect("an index");
        let mut writer = index.writer().expect("a writer");
        for document in [
            lesson("1", A, "zorvakkila"),
            lesson("2", A, "zorvakkila"),
            lesson("3", B, "tavallinen"),
            lesson("4", B, "poistettusana"),
        ] {
            writer.add_document(index.to_tantivy(&document).expect("converts")).expect("adds");
        }
        writer.commit().expect("commits");
        writer.delete_term(index.id_term("lesson:4"));
        writer.add_document(index.to_tantivy(&lesson("4", B, "tavallinen")).expect("converts")).expect("adds");
        writer.commit().expect("commits");
        index.reload().expect("reloads");
        index
    }

    #[test]
    fn a_term_counts_only_in_the_municipalities_the_scope_names_and_only_in_live_documents() {
        let index = index();
        let searcher = index.inner.reader.searcher();
        let fields = &index.inner.fields;
        let word = |text: &str| index.inner.analysis.terms(crate::analysis::FI_LEMMA, text).remove(0);
        let (secret, ordinary, removed) = (word("zorvakkila"), word("tavallinen"), word("poistettusana"));
        // The whole index still holds the removed word's term.
        assert_eq!(searcher.doc_freq(&Term::from_field_text(fields.body, &removed)).expect("counts"), 1);

        let (a, b) = ([A.to_owned()], [B.to_owned()]);
        let of_a = ReadableScope::new(&searcher, fields, &a);
        let of_b = ReadableScope::new(&searcher, fields, &b);
        let of_all = ReadableScope::new(&searcher, fields, &[]);
        assert!(of_a.occurs(fields.body, &secret).expect("counts"));
        assert!(!of_b.occurs(fields.body, &secret).expect("counts"));
        assert!(of_all.occurs(fields.body, &secret).expect("counts"));
        assert!(of_b.occurs(fields.body, &ordinary).expect("counts"));
        assert!(!of_a.occurs(fields.body, &ordinary).expect("counts"));
        for scope in [&of_a, &of_b, &of_all] {
            assert!(!scope.occurs(fields.body, &removed).expect("counts"), "a deleted document's word");
        }
        let secret_term = Term::from_field_text(fields.body, &secret);
        assert_eq!(of_a.doc_freq(&secret_term).expect("counts"), 2);
        assert_eq!(of_b.doc_freq(&secret_term).expect("counts"), 0);
        assert_eq!(of_all.doc_freq(&secret_term).expect("counts"), 2);
        assert_eq!((of_a.num_docs().expect("counts"), of_b.num_docs().expect("counts")), (2, 2));
    }

    #[test]
    fn fuzzy_expansions_come_only_from_the_scope_with_their_counts_in_it() {
        let index = index();
        let searcher = index.inner.reader.searcher();
        let fields = &index.inner.fields;
        let word = |text: &str| index.inner.analysis.terms(crate::analysis::FI_LEMMA, text).remove(0);
        let (a, b) = ([A.to_owned()], [B.to_owned()]);
        let typo = word("zorvakkola");
        let of_a = ReadableScope::new(&searcher, fields, &a).expand(fields.body, &typo, 2, 50).expect("expands");
        assert_eq!(of_a, vec![(word("zorvakkila"), 2)]);
        let of_b = ReadableScope::new(&searcher, fields, &b).expand(fields.body, &typo, 2, 50).expect("expands");
        assert_eq!(of_b, Vec::<(String, u64)>::new());
        let removed = ReadableScope::new(&searcher, fields, &b)
            .expand(fields.body, &word("poistettusama"), 2, 50)
            .expect("expands");
        assert_eq!(removed, Vec::<(String, u64)>::new(), "a deleted document's word");
    }
}

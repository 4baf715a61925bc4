//! The tantivy index: its schema, opening it, turning [`SearchDocument`]s into tantivy
//! documents and back, and the checkpoint kept in the commit payload.

use std::path::Path;
use std::sync::Arc;

use kirjuri_events::Position;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::SearchError;
use crate::analysis::{self, Analysis, AnalysisSettings};
use crate::document::SearchDocument;
use crate::facets::FacetDictionaries;

/// Memory the single indexing thread may use before it flushes a segment.
const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub visible: Field,
    pub facets: Field,
    pub date: Field,
    pub title: Field,
    pub body: Field,
    pub body_stem: Field,
    pub body_exact: Field,
    pub body_sv: Field,
    pub body_en: Field,
    pub state: Field,
}

fn text_field(tokenizer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored { options.set_stored() } else { options }
}

fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("id", STRING | STORED);
    builder.add_text_field("visible", STRING);
    builder.add_facet_field("facets", FacetOptions::default());
    builder.add_date_field("date", INDEXED | FAST | STORED);
    builder.add_text_field("title", text_field(analysis::FI_LEMMA, true));
    builder.add_text_field("body", text_field(analysis::FI_LEMMA, true));
    builder.add_text_field("body_stem", text_field(analysis::FI_STEM, false));
    builder.add_text_field("body_exact", text_field(analysis::EXACT, false));
    builder.add_text_field("body_sv", text_field(analysis::SV_STEM, true));
    builder.add_text_field("body_en", text_field(analysis::EN_STEM, true));
    builder.add_text_field("state", STORED);
    builder.build()
}

impl Fields {
    fn of(schema: &Schema) -> Result<Self, SearchError> {
        let field = |name: &str| {
            schema.get_field(name).map_err(|_| SearchError::Corrupt(format!("the index has no `{name}` field")))
        };
        Ok(Self {
            id: field("id")?,
            visible: field("visible")?,
            facets: field("facets")?,
            date: field("date")?,
            title: field("title")?,
            body: field("body")?,
            body_stem: field("body_stem")?,
            body_exact: field("body_exact")?,
            body_sv: field("body_sv")?,
            body_en: field("body_en")?,
            state: field("state")?,
        })
    }
}

pub(crate) struct Inner {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub analysis: Analysis,
    /// Each segment's facet dictionary, decoded once for counting.
    pub facet_dictionaries: FacetDictionaries,
}

/// The search index: cheap to clone, shared by searchers. Only [`crate::SearchProjection`]
/// writes to it (it holds the one `IndexWriter`).
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("analysis", &self.inner.analysis).finish_non_exhaustive()
    }
}

/// The checkpoint as stored in the commit payload.
#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    projection: String,
    commit: u64,
    prepare: u64,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) if needed.
    pub fn open(dir: &Path, settings: &AnalysisSettings) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Io { context: "creating the index directory", source: e })?;
        let directory = MmapDirectory::open(dir).map_err(|e| SearchError::Storage {
            context: "opening the index directory",
            source: tantivy::TantivyError::from(e),
        })?;
        let index = Index::open_or_create(directory, schema()).map_err(SearchError::storage("opening the index"))?;
        Self::from_index(index, settings)
    }

    /// An index in memory (benchmarks and the quality harness).
    pub fn in_memory(settings: &AnalysisSettings) -> Result<Self, SearchError> {
        Self::from_index(Index::create_in_ram(schema()), settings)
    }

    fn from_index(index: Index, settings: &AnalysisSettings) -> Result<Self, SearchError> {
        let analysis = Analysis::new(settings);
        analysis.register(&index);
        let fields = Fields::of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::storage("opening the index reader"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                analysis,
                facet_dictionaries: FacetDictionaries::default(),
            }),
        })
    }

    /// Whether Finnish is lemmatised with Voikko in this index's analysis.
    pub fn uses_voikko(&self) -> bool {
        self.inner.analysis.uses_voikko()
    }

    /// The position of the last event whose effects are committed, from the commit payload.
    pub fn checkpoint(&self) -> Result<Option<Position>, SearchError> {
        let metas = self.inner.index.load_metas().map_err(SearchError::storage("reading the index meta"))?;
        let Some(payload) = metas.payload else { return Ok(None) };
        let payload: Payload = serde_json::from_str(&payload)
            .map_err(|e| SearchError::Corrupt(format!("the commit payload is not a checkpoint: {e}")))?;
        Ok(Some(Position { commit: payload.commit, prepare: payload.prepare }))
    }

    /// How many documents the index holds (searchable or not).
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// The stored document with key `id`, if any (as of the last commit).
    pub fn document(&self, id: &str) -> Result<Option<SearchDocument>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.inner.fields.id, id), IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(SearchError::storage("looking a document up"))?;
        let Some((_, address)) = top.into_iter().next() else { return Ok(None) };
        let doc: TantivyDocument = searcher.doc(address).map_err(SearchError::storage("reading a document"))?;
        self.decode_state(&doc).map(Some)
    }

    /// Every stored document's key and its stored state as JSON, sorted by key (as of the last
    /// commit). For comparing two indexes (determinism, rebuilds); reads the whole index.
    pub fn all_documents(&self) -> Result<Vec<(String, String)>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let mut documents = Vec::new();
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(1)
                .map_err(|e| SearchError::storage("opening a segment's doc store")(e.into()))?;
            for doc_id in segment.doc_ids_alive() {
                let doc: TantivyDocument = store.get(doc_id).map_err(SearchError::storage("reading a document"))?;
                let id = doc.get_first(self.inner.fields.id).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                let state =
                    doc.get_first(self.inner.fields.state).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
                documents.push((id, state));
            }
        }
        documents.sort();
        Ok(documents)
    }

    pub(crate) fn decode_state(&self, doc: &TantivyDocument) -> Result<SearchDocument, SearchError> {
        let state = doc
            .get_first(self.inner.fields.state)
            .and_then(|v| v.as_str())
            .ok_or_else(|| SearchError::Corrupt("a document has no stored state".into()))?;
        serde_json::from_str(state).map_err(|e| SearchError::Corrupt(format!("a document's stored state: {e}")))
    }

    /// Creates the one writer (single indexing thread).
    pub(crate) fn writer(&self) -> Result<IndexWriter, SearchError> {
        self.inner
            .index
            .writer_with_num_threads(1, WRITER_MEMORY_BYTES)
            .map_err(SearchError::storage("opening the index writer"))
    }

    /// The tantivy document of `doc`.
    pub(crate) fn to_tantivy(&self, doc: &SearchDocument) -> Result<TantivyDocument, SearchError> {
        let fields = &self.inner.fields;
        let mut out = TantivyDocument::default();
        out.add_text(fields.id, &doc.id);
        out.add_text(fields.visible, if doc.kind.is_searchable() { "y" } else { "n" });
        out.add_facet(fields.facets, Facet::from_path(["kind", doc.kind.as_str()]));
        if let Some(municipality) = &doc.municipality {
            out.add_facet(fields.facets, Facet::from_path(["municipality", municipality.as_str()]));
        }
        for unit in &doc.units {
            out.add_facet(fields.facets, Facet::from_path(["unit", unit.as_str()]));
        }
        if let Some(experiment) = &doc.experiment {
            out.add_facet(fields.facets, Facet::from_path(["experiment", experiment.as_str()]));
        }
        for tag in &doc.tags {
            out.add_facet(fields.facets, Facet::from_path(["tag", tag.as_str()]));
        }
        // Routing detects each text's language: do it once for the facets and the fields.
        let routed = doc.routed_text();
        for language in routed.languages() {
            out.add_facet(fields.facets, Facet::from_path(["language", language.code()]));
        }
        let year = chrono::Datelike::year(&doc.date).to_string();
        out.add_facet(fields.facets, Facet::from_path(["year", year.as_str()]));
        out.add_date(fields.date, tantivy_date(doc.date.timestamp()));
        if doc.kind.is_searchable() {
            if !routed.title_fi.is_empty() {
                out.add_text(fields.title, &routed.title_fi);
                out.add_text(fields.body_stem, &routed.title_fi);
            }
            for text in &routed.fi {
                out.add_text(fields.body, text);
                out.add_text(fields.body_stem, text);
            }
            for text in &routed.sv {
                out.add_text(fields.body_sv, text);
            }
            for text in &routed.en {
                out.add_text(fields.body_en, text);
            }
            for text in std::iter::once(&routed.title_fi).chain(&routed.fi).chain(&routed.sv).chain(&routed.en) {
                if !text.is_empty() {
                    out.add_text(fields.body_exact, text);
                }
            }
        }
        let state = serde_json::to_string(doc)
            .map_err(|e| SearchError::Corrupt(format!("a document does not serialise: {e}")))?;
        out.add_text(fields.state, state);
        Ok(out)
    }

    /// The payload recording `position` as the checkpoint.
    pub(crate) fn payload(position: Position) -> String {
        let payload = Payload { projection: "search".into(), commit: position.commit, prepare: position.prepare };
        serde_json::to_string(&payload).unwrap_or_default()
    }

    pub(crate) fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.inner.fields.id, id)
    }

    /// Makes the last commit visible to searches.
    pub(crate) fn reload(&self) -> Result<(), SearchError> {
        self.inner.reader.reload().map_err(SearchError::storage("reloading the index reader"))
    }
}

/// The seconds tantivy's dates can hold (nanoseconds in an `i64`: years 1678 to 2261), so that
/// converting never overflows.
const TANTIVY_SECONDS: std::ops::RangeInclusive<i64> = -9_223_372_036..=9_223_372_035;

/// A tantivy date for `seconds` since the epoch, clamped to what tantivy can hold (a date
/// outside years 1678–2261 is not a real programme date; clamping keeps it orderable).
pub(crate) fn tantivy_date(seconds: i64) -> DateTime {
    DateTime::from_timestamp_secs(seconds.clamp(*TANTIVY_SECONDS.start(), *TANTIVY_SECONDS.end()))
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_far_outside_tantivys_range_are_clamped_not_a_panic() {
        let year_284 = chrono::NaiveDate::from_ymd_opt(284, 8, 6).and_then(|d| d.and_hms_opt(0, 0, 0));
        let seconds = year_284.map(|d| d.and_utc().timestamp()).unwrap_or(i64::MIN);
        assert_eq!(tantivy_date(seconds), tantivy_date(i64::MIN));
        assert!(tantivy_date(seconds) < tantivy_date(0));
        assert_eq!(tantivy_date(86_400).into_timestamp_secs(), 86_400);
    }
}

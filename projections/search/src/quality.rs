//! The retrieval quality harness over UD_Finnish-TDT (`fi_tdt-ud-dev.conllu`, CC BY-SA 4.0,
//! read at run time from the shared data folder and never copied into the repository).
//!
//! Method (reference `search.md` §3.2): every sentence is a document; the queries are the
//! lowercased lemmas (compound marks `#` removed) of nouns, verbs and adjectives that are
//! letters only, at least 3 characters long and found in at least 2 sentences; a sentence is
//! relevant when one of its tokens has that lemma. Each query runs through the same query
//! builder as a user's search; precision (a query with no hits counts 0) and recall are
//! macro-averaged. The typo variant swaps one pair of adjacent middle letters of lemmas of 6
//! or more characters, with the same relevant set.

/// The 1–3 word Finnish queries the latency benchmarks run (`kirjuri bench projections`, and
/// `ops/load/search.lua`, which holds them URL-encoded): common programme words, matching
/// from a handful to tens of thousands of documents of the demo.
pub const BENCHMARK_QUERIES: [&str; 15] = [
    "kotihoito",
    "etäkäynti",
    "kokeilun tulokset",
    "digitaalinen asiointipiste",
    "työhyvinvointi",
    "osaamisen kehittäminen",
    "tekoäly asiakirjat",
    "perhekeskus palvelupolku",
    "kirjasto",
    "rakennusvalvonta chatbot",
    "vertaisoppiminen",
    "ajanvaraus",
    "kotihoidon etäkäynnit",
    "päätös käytäntö",
    "mittaus tuottavuus",
];
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kirjuri_events::domain::LocalizedText;

use crate::document::{DocumentKind, SearchDocument};
use crate::{AnalysisSettings, SearchError, SearchIndex};

/// The dev split's path relative to the workspace root (the shared folder is a sibling of it).
pub const DEV_CORPUS: &str = "../shared/data/ud-finnish-tdt/fi_tdt-ud-dev.conllu";

/// Targets with Voikko (issue 4): lemma queries.
pub const TARGET_RECALL: f64 = 0.95;
/// Targets with Voikko: precision of lemma queries.
pub const TARGET_PRECISION: f64 = 0.85;
/// Targets with Voikko: recall with one swapped pair of adjacent letters.
pub const TARGET_TYPO_RECALL: f64 = 0.85;

/// Precision and recall of one query set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measure {
    /// Queries run.
    pub queries: usize,
    /// Mean precision, a query without hits counting 0.
    pub precision: f64,
    /// Mean precision over queries with hits.
    pub precision_non_empty: f64,
    /// Mean recall.
    pub recall: f64,
    /// Queries without hits.
    pub zero_hits: usize,
}

impl Measure {
    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        if self.precision + self.recall == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        }
    }
}

/// What one run of the harness measured.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityReport {
    /// Whether Finnish was lemmatised with Voikko.
    pub voikko: bool,
    /// Sentences indexed.
    pub sentences: usize,
    /// Lemma queries.
    pub lemma: Measure,
    /// Lemma queries with one adjacent pair swapped.
    pub swapped: Measure,
    /// Wall time of indexing and querying.
    pub elapsed: Duration,
}

impl std::fmt::Display for QualityReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = if self.voikko { "voikko" } else { "snowball" };
        let line = |f: &mut std::fmt::Formatter<'_>, name: &str, m: &Measure, target: Option<(f64, f64)>| {
            write!(
                f,
                "{mode:8} {name:8} queries {:5}  P {:.3} (non-empty {:.3})  R {:.3}  F1 {:.3}  zero-hit {}",
                m.queries,
                m.precision,
                m.precision_non_empty,
                m.recall,
                m.f1(),
                m.zero_hits
            )?;
            if let Some((recall, precision)) = target {
                write!(f, "  | target R >= {recall:.2} (ratio {:.3})", m.recall / recall)?;
                if precision > 0.0 {
                    write!(f, ", P >= {precision:.2} (ratio {:.3})", m.precision / precision)?;
                }
            }
            writeln!(f)
        };
        writeln!(f, "{mode}: {} sentences, {:.2?}", self.sentences, self.elapsed)?;
        line(f, "lemma", &self.lemma, Some((TARGET_RECALL, TARGET_PRECISION)))?;
        line(f, "swapped", &self.swapped, Some((TARGET_TYPO_RECALL, 0.0)))
    }
}

impl QualityReport {
    /// Whether the Voikko targets are met.
    pub fn meets_targets(&self) -> bool {
        self.lemma.recall >= TARGET_RECALL
            && self.lemma.precision >= TARGET_PRECISION
            && self.swapped.recall >= TARGET_TYPO_RECALL
    }
}

/// Where the dev corpus is, relative to this crate's workspace (if it exists).
pub fn locate_dev_corpus() -> Option<PathBuf> {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = workspace_root.join(DEV_CORPUS);
    path.is_file().then_some(path)
}

struct Sentence {
    id: String,
    text: String,
    /// (lemma without `#`, lowercased; UPOS)
    tokens: Vec<(String, String)>,
}

fn read_conllu(text: &str) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    let mut current = Sentence { id: String::new(), text: String::new(), tokens: Vec::new() };
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.text.is_empty() {
                sentences.push(std::mem::replace(
                    &mut current,
                    Sentence { id: String::new(), text: String::new(), tokens: Vec::new() },
                ));
            }
            continue;
        }
        if let Some(id) = line.strip_prefix("# sent_id = ") {
            current.id = id.trim().to_owned();
        } else if let Some(text) = line.strip_prefix("# text = ") {
            current.text = text.trim().to_owned();
        } else if !line.starts_with('#') {
            let columns: Vec<&str> = line.split('\t').collect();
            if columns.len() < 4 || columns[0].contains('-') || columns[0].contains('.') {
                continue;
            }
            current.tokens.push((columns[2].replace('#', "").to_lowercase(), columns[3].to_owned()));
        }
    }
    if !current.text.is_empty() {
        sentences.push(current);
    }
    sentences
}

/// The query lemmas and, for each, the sentences relevant to it.
fn queries(sentences: &[Sentence]) -> BTreeMap<String, BTreeSet<String>> {
    let mut relevant: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut eligible: BTreeSet<&str> = BTreeSet::new();
    for sentence in sentences {
        for (lemma, upos) in &sentence.tokens {
            relevant.entry(lemma.as_str()).or_default().insert(sentence.id.clone());
            if matches!(upos.as_str(), "NOUN" | "VERB" | "ADJ")
                && lemma.chars().count() >= 3
                && lemma.chars().all(char::is_alphabetic)
            {
                eligible.insert(lemma.as_str());
            }
        }
    }
    eligible
        .into_iter()
        .filter_map(|lemma| {
            relevant.get(lemma).filter(|docs| docs.len() >= 2).map(|docs| (lemma.to_owned(), docs.clone()))
        })
        .collect()
}

/// `word` with one pair of adjacent letters in its middle swapped (the first unequal pair from
/// the middle on), or `None` for words shorter than 6 letters.
pub fn swap_middle_pair(word: &str) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 6 {
        return None;
    }
    let middle = chars.len() / 2 - 1;
    let position = (middle..chars.len() - 2).chain(1..middle).find(|&i| chars[i] != chars[i + 1])?;
    chars.swap(position, position + 1);
    Some(chars.into_iter().collect())
}

fn measure(
    index: &SearchIndex,
    queries: impl Iterator<Item = (String, BTreeSet<String>)>,
) -> Result<Measure, SearchError> {
    let mut measure = Measure::default();
    let (mut precision_sum, mut recall_sum) = (0.0, 0.0);
    for (query, relevant) in queries {
        let found: BTreeSet<String> = index.matching_ids(&query)?.into_iter().collect();
        let hits = found.intersection(&relevant).count() as f64;
        measure.queries += 1;
        if found.is_empty() {
            measure.zero_hits += 1;
        } else {
            precision_sum += hits / found.len() as f64;
        }
        recall_sum += hits / relevant.len() as f64;
    }
    if measure.queries > 0 {
        let n = measure.queries as f64;
        measure.precision = precision_sum / n;
        measure.precision_non_empty = if measure.queries > measure.zero_hits {
            precision_sum / (measure.queries - measure.zero_hits) as f64
        } else {
            0.0
        };
        measure.recall = recall_sum / n;
    }
    Ok(measure)
}

/// Indexes the corpus at `corpus` in memory with `settings` and measures lemma and
/// swapped-pair queries. For `kirjuri bench projections` and the test below.
pub fn run(corpus: &Path, settings: &AnalysisSettings) -> Result<QualityReport, SearchError> {
    let started = Instant::now();
    let text =
        std::fs::read_to_string(corpus).map_err(|e| SearchError::Io { context: "reading the corpus", source: e })?;
    let sentences = read_conllu(&text);
    let index = SearchIndex::in_memory(settings)?;
    let mut writer = index.writer()?;
    for sentence in &sentences {
        let Ok(body) = LocalizedText::fi(&sentence.text) else { continue };
        let document = SearchDocument {
            id: sentence.id.clone(),
            kind: DocumentKind::Lesson,
            entity: sentence.id.clone(),
            municipality: None,
            units: Vec::new(),
            experiment: None,
            tags: Vec::new(),
            date: chrono::DateTime::UNIX_EPOCH,
            title: None,
            sections: vec![body],
        };
        writer.add_document(index.to_tantivy(&document)?).map_err(SearchError::storage("adding a sentence"))?;
    }
    writer.commit().map_err(SearchError::storage("committing the corpus"))?;
    index.reload()?;
    let queries = queries(&sentences);
    let lemma = measure(&index, queries.iter().map(|(q, r)| (q.clone(), r.clone())))?;
    let swapped =
        measure(&index, queries.iter().filter_map(|(q, r)| swap_middle_pair(q).map(|typo| (typo, r.clone()))))?;
    Ok(QualityReport {
        voikko: index.uses_voikko(),
        sentences: sentences.len(),
        lemma,
        swapped,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_middle_pair_is_swapped_in_words_of_six_letters_or_more() {
        assert_eq!(swap_middle_pair("kokeilu").as_deref(), Some("koekilu"));
        assert_eq!(swap_middle_pair("talo"), None);
        assert_eq!(swap_middle_pair("aaaaaa"), None);
    }

    #[test]
    fn conllu_sentences_and_queries_are_read_as_in_the_method() {
        let text = "# sent_id = a.1\n# text = Kokeilut onnistuivat.\n1\tKokeilut\tkokeilu\tNOUN\n2\tonnistuivat\tonnistua\tVERB\n3\t.\t.\tPUNCT\n\n\
                    # sent_id = a.2\n# text = Palvelukokeilu alkoi.\n1\tPalvelukokeilu\tpalvelu#kokeilu\tNOUN\n2\talkoi\talkaa\tVERB\n\n\
                    # sent_id = a.3\n# text = Kokeilu alkoi.\n1-2\tx\t_\t_\n1\tKokeilu\tkokeilu\tNOUN\n2\talkoi\talkaa\tVERB\n";
        let sentences = read_conllu(text);
        assert_eq!(sentences.len(), 3);
        let queries = queries(&sentences);
        assert_eq!(queries.keys().collect::<Vec<_>>(), vec!["alkaa", "kokeilu"]);
        assert_eq!(queries["kokeilu"].len(), 2);
    }
}

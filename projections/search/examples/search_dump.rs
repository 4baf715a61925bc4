//! Prints, as JSON lines, what a set of searches returns from an existing index: for comparing
//! two builds of the search code on the same index (hits, order, scores, totals, facets,
//! snippets and "did you mean" must stay the same).
//!
//! `cargo run --release -p kirjuri-search --example search_dump -- <index dir> [query ...]`
//! With `SEARCH_DUMP_TIMES` set, each search's first and best-of-six time goes to stderr.

use kirjuri_search::quality::BENCHMARK_QUERIES;
use kirjuri_search::{AnalysisSettings, SearchFilters, SearchIndex, SearchRequest, SortOrder};

/// Beside the benchmark's queries: typos, a phrase, the empty query, a stop word, Swedish, English.
const EDGE_CASES: &[&str] =
    &["kotihoto", "tyhyvinvointi", "\"kotihoidon asiakkaat\"", "", "ja", "hemvård", "home care"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: search_dump <index dir> [query ...]")?;
    let extra: Vec<String> = args.collect();
    let index = SearchIndex::open(std::path::Path::new(&dir), &AnalysisSettings::default())?;
    let queries: Vec<String> = if extra.is_empty() {
        BENCHMARK_QUERIES.iter().chain(EDGE_CASES).map(|q| (*q).to_owned()).collect()
    } else {
        extra
    };
    for text in &queries {
        for (filters, sort, offset) in [
            (SearchFilters::default(), SortOrder::Relevance, 0),
            (SearchFilters::parse([("kind", "lesson")])?, SortOrder::Relevance, 0),
            (SearchFilters::parse([("year", "2025"), ("language", "fi")])?, SortOrder::Newest, 10),
            (SearchFilters::default(), SortOrder::Oldest, 0),
        ] {
            let request = SearchRequest { text: text.clone(), filters, sort, offset, limit: 10 };
            let began = std::time::Instant::now();
            let results = index.search(&request)?;
            let first = began.elapsed();
            if std::env::var_os("SEARCH_DUMP_TIMES").is_some() {
                let mut best = first;
                for _ in 0..5 {
                    let again = std::time::Instant::now();
                    std::hint::black_box(index.search(&request)?);
                    best = best.min(again.elapsed());
                }
                eprintln!(
                    "{:>8.2} ms first {:>8.2} ms  {text:?} {sort:?} {offset}",
                    best.as_secs_f64() * 1e3,
                    began.elapsed().as_secs_f64() * 1e3
                );
            }
            println!(
                "{}",
                serde_json::json!({ "query": text, "sort": format!("{sort:?}"), "offset": offset, "results": results })
            );
        }
    }
    Ok(())
}

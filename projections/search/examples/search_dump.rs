//! Prints, as JSON lines, what a set of searches returns from an existing index: for comparing
//! two builds of the search code on the same index (hits, order, scores, totals, facets,
//! snippets and "did you mean" must stay the same).
//!
//! `cargo run --release -p kirjuri-search --example search_dump -- <index dir> [query ...]`

use kirjuri_search::{AnalysisSettings, SearchFilters, SearchIndex, SearchRequest, SortOrder};

const QUERIES: &[&str] = &[
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
    "kotihoto",
    "tyhyvinvointi",
    "\"kotihoidon asiakkaat\"",
    "",
    "ja",
    "hemvård",
    "home care",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: search_dump <index dir> [query ...]")?;
    let extra: Vec<String> = args.collect();
    let index = SearchIndex::open(std::path::Path::new(&dir), &AnalysisSettings::from_env())?;
    let queries: Vec<String> = if extra.is_empty() { QUERIES.iter().map(|q| (*q).to_owned()).collect() } else { extra };
    for text in &queries {
        for (filters, sort, offset) in [
            (SearchFilters::default(), SortOrder::Relevance, 0),
            (SearchFilters::parse([("kind", "lesson")])?, SortOrder::Relevance, 0),
            (SearchFilters::parse([("year", "2025"), ("language", "fi")])?, SortOrder::Newest, 10),
            (SearchFilters::default(), SortOrder::Oldest, 0),
        ] {
            let request = SearchRequest { text: text.clone(), filters, sort, offset, limit: 10 };
            let results = index.search(&request)?;
            println!(
                "{}",
                serde_json::json!({ "query": text, "sort": format!("{sort:?}"), "offset": offset, "results": results })
            );
        }
    }
    Ok(())
}

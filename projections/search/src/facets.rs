//! Facet counts over every match of a search, as tantivy's `FacetCollector` gives them but
//! without decoding the facet dictionary on every search.
//!
//! `FacetCollector` streams a segment's whole facet dictionary to map its ordinals on every
//! search, and turns every counted ordinal back into text one zstd-compressed dictionary block
//! at a time; with thousands of experiments, units and tags that decoding was most of a
//! search's time. Segments never change, so [`FacetDictionaries`] decodes each segment's
//! dictionary once (ordinal → facet name and value) and keeps it until the segment is gone;
//! a search then only counts ordinals into an array per segment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

/// One segment's facet dictionary, decoded: which counted value each ordinal is.
#[derive(Debug, Default)]
struct SegmentFacets {
    /// Ordinal → the value's id in [`Values`], or `u32::MAX` for a facet no name asks for.
    value_of_ordinal: Vec<u32>,
    /// One more than the largest value id of the segment (the length of its count array).
    value_ids_end: usize,
}

/// Every counted `(name index, value)` seen in any segment, numbered, so that the counts of all
/// segments add up in one array.
#[derive(Debug, Default)]
struct Values {
    ids: HashMap<(usize, Vec<u8>), u32>,
    values: Vec<(usize, String)>,
}

impl Values {
    fn id(&mut self, name: usize, value: &[u8]) -> u32 {
        if let Some(id) = self.ids.get(&(name, value.to_vec())) {
            return *id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push((name, String::from_utf8_lossy(value).into_owned()));
        self.ids.insert((name, value.to_vec()), id);
        id
    }
}

impl SegmentFacets {
    /// Reads `reader`'s dictionary: every facet `/name/value[/...]` whose name is in `names`.
    fn decode(reader: &FacetReader, names: &[&str], values: &RwLock<Values>) -> tantivy::Result<Self> {
        let dictionary = reader.facet_dict();
        let mut decoded = Self { value_of_ordinal: vec![u32::MAX; dictionary.num_terms()], value_ids_end: 0 };
        let mut stream = dictionary.stream()?;
        let mut values = values.write().map_err(|_| TantivyError::Poisoned)?;
        while stream.advance() {
            let ordinal = stream.term_ord() as usize;
            // An encoded facet is its path's components separated by 0 bytes; deeper facets count
            // towards their ancestor at depth two, as in `FacetCollector`.
            let mut components = stream.key().split(|byte| *byte == 0);
            let (Some(name), Some(value)) = (components.next(), components.next()) else { continue };
            let Some(name_index) = names.iter().position(|n| n.as_bytes() == name) else { continue };
            let id = values.id(name_index, value);
            decoded.value_ids_end = decoded.value_ids_end.max(id as usize + 1);
            if let Some(slot) = decoded.value_of_ordinal.get_mut(ordinal) {
                *slot = id;
            }
        }
        Ok(decoded)
    }
}

/// Decoded facet dictionaries of the segments searched lately, shared by all searches.
#[derive(Debug, Default)]
pub(crate) struct FacetDictionaries {
    by_segment: Mutex<HashMap<tantivy::index::SegmentId, Arc<SegmentFacets>>>,
    values: RwLock<Values>,
}

impl FacetDictionaries {
    /// Forgets the segments that are not in `live` (merged away or deleted) once the cache has
    /// grown well past the live set; a forgotten segment is decoded again if searched again.
    pub(crate) fn retain_live(&self, live: &[tantivy::index::SegmentId]) {
        let Ok(mut cache) = self.by_segment.lock() else { return };
        if cache.len() > 2 * live.len() + 8 {
            cache.retain(|id, _| live.contains(id));
        }
    }

    fn get(
        &self,
        segment: &SegmentReader,
        reader: &FacetReader,
        names: &[&str],
    ) -> tantivy::Result<Arc<SegmentFacets>> {
        let id = segment.segment_id();
        if let Some(found) = self.by_segment.lock().ok().and_then(|cache| cache.get(&id).cloned()) {
            return Ok(found);
        }
        let decoded = Arc::new(SegmentFacets::decode(reader, names, &self.values)?);
        if let Ok(mut cache) = self.by_segment.lock() {
            cache.insert(id, Arc::clone(&decoded));
        }
        Ok(decoded)
    }
}

/// Counts, per facet name, how many matching documents have each value.
pub(crate) struct FacetCounter<'a> {
    field: &'a str,
    names: &'a [&'a str],
    dictionaries: &'a FacetDictionaries,
}

impl<'a> FacetCounter<'a> {
    /// Counts the facets `/name/value` of `field` for every name in `names`.
    pub(crate) fn new(field: &'a str, names: &'a [&'a str], dictionaries: &'a FacetDictionaries) -> Self {
        Self { field, names, dictionaries }
    }
}

/// Per facet name (in the order given), each value with its count, unordered.
pub(crate) type Counts = Vec<Vec<(String, u64)>>;

/// One segment's counts, by value id.
pub(crate) struct SegmentCounts {
    counts: Vec<u32>,
}

impl Collector for FacetCounter<'_> {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        let reader = segment.facet_reader(self.field)?;
        let facets = self.dictionaries.get(segment, &reader, self.names)?;
        let counts = vec![0u32; facets.value_ids_end];
        Ok(SegmentFacetCounter { reader, facets, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<Counts> {
        let mut totals: Vec<u64> = Vec::new();
        for segment in &segments {
            if totals.len() < segment.counts.len() {
                totals.resize(segment.counts.len(), 0);
            }
            for (total, count) in totals.iter_mut().zip(&segment.counts) {
                *total += u64::from(*count);
            }
        }
        let values = self.dictionaries.values.read().map_err(|_| TantivyError::Poisoned)?;
        let mut merged: Counts = vec![Vec::new(); self.names.len()];
        for (id, total) in totals.into_iter().enumerate() {
            // The shared dictionary holds every value of every segment, other municipalities'
            // too; only values the hits have are listed, never one with a count of zero.
            if total == 0 {
                continue;
            }
            if let Some((name, value)) = values.values.get(id)
                && let Some(counts) = merged.get_mut(*name)
            {
                counts.push((value.clone(), total));
            }
        }
        Ok(merged)
    }
}

/// [`FacetCounter`] on one segment.
pub(crate) struct SegmentFacetCounter {
    reader: FacetReader,
    facets: Arc<SegmentFacets>,
    counts: Vec<u32>,
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let mut previous = u32::MAX;
        for ordinal in self.reader.facet_ords(doc) {
            let slot = self.facets.value_of_ordinal.get(ordinal as usize).copied().unwrap_or(u32::MAX);
            // A document counts once per value, however many of its facets collapse into it.
            if slot != u32::MAX
                && slot != previous
                && let Some(count) = self.counts.get_mut(slot as usize)
            {
                *count += 1;
            }
            previous = slot;
        }
    }

    fn harvest(self) -> SegmentCounts {
        SegmentCounts { counts: self.counts }
    }
}

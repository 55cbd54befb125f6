//! A collector counting matching documents per host, tag and language from fast fields.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};
use tracing::warn;

use crate::model::{FacetCount, Facets};
use crate::schema::{F_HOST, F_LANGUAGE, F_TAGS};

/// Each facet list is cut to this many values (the most frequent).
pub const MAX_FACET_VALUES: usize = 20;

const FACET_FIELDS: [&str; 3] = [F_HOST, F_TAGS, F_LANGUAGE];

/// Counts per value, one map per facet field (in `FACET_FIELDS` order).
#[derive(Debug, Default)]
pub(crate) struct FacetMaps([HashMap<String, u64>; 3]);

impl FacetMaps {
    /// Sorted, truncated public form.
    pub(crate) fn into_facets(self) -> Facets {
        let [hosts, tags, languages] = self.0;
        Facets { hosts: top_values(hosts), tags: top_values(tags), languages: top_values(languages) }
    }
}

fn top_values(map: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut values: Vec<FacetCount> = map.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values.truncate(MAX_FACET_VALUES);
    values
}

/// Collector over the raw fast fields `host`, `tags`, `language`.
#[derive(Debug, Default)]
pub(crate) struct FacetCollector;

pub(crate) struct FacetSegmentCollector {
    columns: [Option<StrColumn>; 3],
    /// Per column, a count per term ordinal of this segment's dictionary.
    counts: [Vec<u64>; 3],
}

impl Collector for FacetCollector {
    type Fruit = FacetMaps;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let fast = segment.fast_fields();
        let [a, b, c] = FACET_FIELDS;
        let columns = [fast.str(a)?, fast.str(b)?, fast.str(c)?];
        let counts = [0, 1, 2].map(|i| {
            let terms = columns[i].as_ref().map_or(0, |col| col.num_terms());
            vec![0u64; terms]
        });
        Ok(FacetSegmentCollector { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segment_fruits: Vec<FacetMaps>) -> tantivy::Result<FacetMaps> {
        let mut merged = FacetMaps::default();
        for fruit in segment_fruits {
            for (into, from) in merged.0.iter_mut().zip(fruit.0) {
                for (value, count) in from {
                    *into.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetMaps;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(slot) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o)) {
                        *slot += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> FacetMaps {
        let mut maps = FacetMaps::default();
        let mut buf = String::new();
        for ((column, counts), map) in self.columns.iter().zip(self.counts).zip(maps.0.iter_mut()) {
            let Some(column) = column else { continue };
            for (ord, count) in counts.into_iter().enumerate() {
                if count == 0 {
                    continue;
                }
                buf.clear();
                match column.ord_to_str(ord as u64, &mut buf) {
                    Ok(true) => *map.entry(buf.clone()).or_default() += count,
                    Ok(false) => {}
                    Err(e) => warn!(error = %e, "unreadable facet dictionary entry"),
                }
            }
        }
        maps
    }
}

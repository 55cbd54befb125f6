//! [`SearchIndex::suggest`]: completions of the last word of a prefix from the title terms.

use std::collections::HashMap;

use crate::error::{Result, SearchError};
use crate::index::SearchIndex;

/// Most suggestions returned by one call.
pub const MAX_SUGGESTIONS: usize = 50;
/// Longest prefix accepted, in bytes (longer prefixes get no suggestions).
const MAX_PREFIX_BYTES: usize = 256;
/// Terms scanned per segment: bounds the cost of a one-letter prefix on a large index.
const MAX_TERMS_SCANNED_PER_SEGMENT: usize = 20_000;

impl SearchIndex {
    /// Completions for what the user is typing: the last word of `prefix` is completed with
    /// committed title words (lower-cased, accents kept) that start with it, ranked by the
    /// number of documents containing them (deleted-but-unmerged documents still count), then
    /// alphabetically; the words before it are kept as typed (lower-cased). A prefix ending in
    /// a space, or longer than 256 bytes, gets no suggestions.
    ///
    /// # Errors
    /// [`SearchError::Corrupt`] / [`SearchError::Tantivy`] if the term dictionary cannot be read.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let limit = limit.min(MAX_SUGGESTIONS);
        if limit == 0 || prefix.len() > MAX_PREFIX_BYTES || prefix.ends_with(char::is_whitespace) {
            return Ok(Vec::new());
        }
        let lowered = prefix.trim_start().to_lowercase();
        let (head, last) = match lowered.rfind(char::is_whitespace) {
            Some(i) => (lowered[..i].split_whitespace().collect::<Vec<_>>().join(" "), &lowered[i..]),
            None => (String::new(), lowered.as_str()),
        };
        let last = last.trim();
        if last.is_empty() {
            return Ok(Vec::new());
        }

        let searcher = self.reader.searcher();
        let mut freq: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment
                .inverted_index(self.fields.title_suggest)
                .map_err(|e| SearchError::from_tantivy(&self.dir, "open the title terms", e))?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(last.as_bytes())
                .into_stream()
                .map_err(|e| SearchError::Io { op: "scanning title terms in", path: self.dir.clone(), source: e })?;
            let mut scanned = 0;
            while stream.advance() && scanned < MAX_TERMS_SCANNED_PER_SEGMENT {
                let key = stream.key();
                if !key.starts_with(last.as_bytes()) {
                    break;
                }
                scanned += 1;
                if let Ok(word) = std::str::from_utf8(key) {
                    *freq.entry(word.to_owned()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }

        let mut ranked: Vec<(String, u64)> = freq.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(ranked
            .into_iter()
            .take(limit)
            .map(|(word, _)| if head.is_empty() { word } else { format!("{head} {word}") })
            .collect())
    }
}

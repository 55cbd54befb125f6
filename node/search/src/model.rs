//! Public data types: what is indexed, what is asked, what comes back.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SearchError};

/// Largest page size [`Query::limit`] may ask for.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start [`Query::offset`] may ask for. Top-k collection keeps `offset + limit`
/// candidates in memory, so the offset is bounded like every public search engine bounds it.
pub const MAX_OFFSET: usize = 10_000;
/// Longest free-text query accepted, in bytes. Each term becomes a disjunction over five
/// fields; 1 KiB is far above any real query and keeps a hostile one cheap.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Default page size when a caller builds a [`Query`] with `Default`.
pub const DEFAULT_LIMIT: usize = 10;

/// Language of a capture, as detected by the crawler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
    /// Anything else (still indexed with both analyzers).
    Other,
}

impl Lang {
    /// The value stored in the index's raw `language` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Other => "other",
        }
    }

    /// Inverse of [`Lang::as_str`].
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            "other" => Some(Lang::Other),
            _ => None,
        }
    }
}

/// On-chain status of a capture; updated with [`crate::SearchIndex::set_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaptureStatus {
    /// Submitted, not yet attested.
    Pending,
    /// Attested by enough validators.
    Verified,
    /// Attestations disagreed; the capture is not trusted.
    Rejected,
}

impl CaptureStatus {
    /// The value stored in the index's raw `status` field.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureStatus::Pending => "pending",
            CaptureStatus::Verified => "verified",
            CaptureStatus::Rejected => "rejected",
        }
    }

    /// Inverse of [`CaptureStatus::as_str`].
    pub fn parse(s: &str) -> Option<CaptureStatus> {
        match s {
            "pending" => Some(CaptureStatus::Pending),
            "verified" => Some(CaptureStatus::Verified),
            "rejected" => Some(CaptureStatus::Rejected),
            _ => None,
        }
    }
}

/// One capture as handed to the index. `content_hash` (SHA-256 of the WARC payload) is the
/// unique key: adding a document with a hash already present replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexDoc {
    /// SHA-256 of the captured payload; the unique key.
    #[serde(with = "hex_hash")]
    pub content_hash: [u8; 32],
    /// The captured URL.
    pub url: String,
    /// Host of `url` (lower-cased on indexing).
    pub host: String,
    /// Page title.
    pub title: String,
    /// Extracted plain text.
    pub text: String,
    /// Category tags (exact values; duplicates are dropped on indexing).
    pub tags: Vec<String>,
    /// Detected language.
    pub language: Lang,
    /// Capture time, milliseconds since the Unix epoch.
    pub captured_at_ms: u64,
    /// On-chain status.
    pub status: CaptureStatus,
    /// Payload size in bytes.
    pub size: u64,
}

/// A search request. `Default` gives an empty text (match everything), no filters, the first
/// page of [`DEFAULT_LIMIT`] hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Query {
    /// Free text in tantivy query syntax (`"exact phrase"`, `+must`, `-not`, `a OR b`,
    /// `host:example.org`). Text that does not parse is escaped and parsed again, so any string
    /// is accepted. Empty text matches every document (browse by filters, newest first).
    pub text: String,
    /// Keep documents whose host is any of these (case-insensitive). Empty: no host filter.
    pub hosts: Vec<String>,
    /// Keep documents that carry all of these tags (exact match). Empty: no tag filter.
    pub tags: Vec<String>,
    /// Keep documents of this language.
    pub language: Option<Lang>,
    /// Keep documents captured at or after this time (ms since epoch, inclusive).
    pub from_ms: Option<u64>,
    /// Keep documents captured at or before this time (ms since epoch, inclusive).
    pub to_ms: Option<u64>,
    /// Number of ranked hits to skip (at most [`MAX_OFFSET`]).
    pub offset: usize,
    /// Number of hits to return (at most [`MAX_LIMIT`]; 0 returns only `total` and facets).
    pub limit: usize,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            hosts: Vec::new(),
            tags: Vec::new(),
            language: None,
            from_ms: None,
            to_ms: None,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl Query {
    /// A first-page query for `text` with no filters.
    pub fn text(text: impl Into<String>) -> Self {
        Query { text: text.into(), ..Query::default() }
    }

    /// Checks the bounds that protect the node from expensive requests.
    ///
    /// # Errors
    /// [`SearchError::LimitTooLarge`], [`SearchError::OffsetTooLarge`], or
    /// [`SearchError::InvalidQuery`] for over-long text or an empty time range.
    pub fn validate(&self) -> Result<()> {
        if self.limit > MAX_LIMIT {
            return Err(SearchError::LimitTooLarge { limit: self.limit, max: MAX_LIMIT });
        }
        if self.offset > MAX_OFFSET {
            return Err(SearchError::OffsetTooLarge { offset: self.offset, max: MAX_OFFSET });
        }
        if self.text.len() > MAX_QUERY_BYTES {
            return Err(SearchError::InvalidQuery {
                reason: format!("text is {} bytes, the maximum is {MAX_QUERY_BYTES}", self.text.len()),
            });
        }
        if let (Some(from), Some(to)) = (self.from_ms, self.to_ms) {
            if from > to {
                return Err(SearchError::InvalidQuery { reason: format!("from_ms {from} is after to_ms {to}") });
            }
        }
        Ok(())
    }
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    /// The capture's unique key.
    #[serde(with = "hex_hash")]
    pub content_hash: [u8; 32],
    /// The captured URL.
    pub url: String,
    /// Page title (plain text, not escaped).
    pub title: String,
    /// Capture time, ms since epoch.
    pub captured_at_ms: u64,
    /// A fragment of the text, HTML-escaped, with matched terms wrapped in `<b>…</b>`.
    pub snippet_html: String,
    /// Category tags.
    pub tags: Vec<String>,
    /// On-chain status at the last commit.
    pub status: CaptureStatus,
    /// BM25 score (a constant when the query has no text).
    pub score: f32,
    /// Detected language.
    pub language: Lang,
}

/// A facet value and the number of matching documents that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (host, tag or language code).
    pub value: String,
    /// Matching documents with that value.
    pub count: u64,
}

/// Counts over all matching documents (not only the returned page), each list sorted by count
/// descending then value ascending and cut at [`crate::MAX_FACET_VALUES`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// By host.
    pub hosts: Vec<FacetCount>,
    /// By tag.
    pub tags: Vec<FacetCount>,
    /// By language code (`en`, `fr`, `other`).
    pub languages: Vec<FacetCount>,
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching documents.
    pub total: u64,
    /// The requested page, ranked by score desc, then capture time desc, then content hash.
    pub hits: Vec<Hit>,
    /// Facet counts over all matches.
    pub facets: Facets,
}

/// Serde helper: a content hash as 64 lower-case hex characters.
pub(crate) mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(hash))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let s = s.strip_prefix("0x").unwrap_or(&s);
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_json_uses_camel_case_and_defaults() -> serde_json::Result<()> {
        let q: Query = serde_json::from_str(r#"{"text":"archive","fromMs":5,"language":"fr"}"#)?;
        assert_eq!(q.limit, DEFAULT_LIMIT);
        assert_eq!(q.from_ms, Some(5));
        assert_eq!(q.language, Some(Lang::Fr));
        Ok(())
    }

    #[test]
    fn content_hash_serializes_as_hex() -> serde_json::Result<()> {
        let hit = Hit {
            content_hash: [0xab; 32],
            url: "u".into(),
            title: "t".into(),
            captured_at_ms: 1,
            snippet_html: String::new(),
            tags: vec![],
            status: CaptureStatus::Verified,
            score: 1.0,
            language: Lang::En,
        };
        let json = serde_json::to_value(&hit)?;
        assert_eq!(json["contentHash"], "ab".repeat(32));
        assert_eq!(json["status"], "verified");
        let back: Hit = serde_json::from_value(json)?;
        assert_eq!(back, hit);
        Ok(())
    }
}

//! The tantivy schema and the mapping between [`IndexDoc`] and stored documents.
//!
//! | field | options | purpose |
//! | --- | --- | --- |
//! | `content_hash` | raw, stored | unique key (64 hex chars); delete-by-term on replace |
//! | `hash_key` | u64 fast | first 8 hash bytes, big-endian: the last ranking tie-breaker |
//! | `url` | raw, stored | exact URL |
//! | `url_text` | `archive_url`, positions | words of the URL |
//! | `host` | raw, stored, fast | host filter and facet |
//! | `title`, `text` | stored only | returned in hits; snippet source |
//! | `title_en`, `text_en` | `archive_en`, positions | BM25, English stems |
//! | `title_fr`, `text_fr` | `archive_fr`, positions | BM25, French stems |
//! | `title_suggest` | `archive_suggest`, doc ids only | suggestion term dictionary |
//! | `tags` | raw, stored, fast, multi-valued | tag filter and facet |
//! | `language` | raw, stored, fast | language filter and facet |
//! | `captured_at` | u64 indexed, stored, fast | time range filter and ranking |
//! | `status` | raw, stored | on-chain status |
//! | `size` | u64 stored | payload size |

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::{TantivyDocument, Term};

use crate::analyzer;
use crate::error::{Result, SearchError};
use crate::model::{CaptureStatus, IndexDoc, Lang};

/// Version of schema *and* analyzers. Written into every commit's payload; an index carrying
/// another value is refused with `SchemaMismatch`.
///
/// **Invariant:** bump on any change to the fields below or to an analyzer pipeline.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// The commit payload that marks an index as written by this schema version.
pub(crate) fn version_marker() -> String {
    format!("archive-search/schema-v{SCHEMA_VERSION}")
}

/// Longest text indexed per document, in bytes (cut on a char boundary). The WARC store keeps
/// the full page; the search view only needs enough to rank and to cut snippets, and the bound
/// keeps one huge page from exhausting the writer's memory budget.
pub(crate) const MAX_INDEXED_TEXT_BYTES: usize = 1 << 20;

// Field names, shared with fast-field lookups by name.
pub(crate) const F_CAPTURED_AT: &str = "captured_at";
pub(crate) const F_HASH_KEY: &str = "hash_key";
pub(crate) const F_HOST: &str = "host";
pub(crate) const F_TAGS: &str = "tags";
pub(crate) const F_LANGUAGE: &str = "language";

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub content_hash: Field,
    pub hash_key: Field,
    pub url: Field,
    pub url_text: Field,
    pub host: Field,
    pub title: Field,
    pub text: Field,
    pub title_en: Field,
    pub title_fr: Field,
    pub text_en: Field,
    pub text_fr: Field,
    pub title_suggest: Field,
    pub tags: Field,
    pub language: Field,
    pub captured_at: Field,
    pub status: Field,
    pub size: Field,
}

fn analyzed(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record))
}

/// Builds the schema. Field ids are assigned in declaration order, so two calls give equal
/// schemas with equal [`Fields`].
pub(crate) fn build() -> (Schema, Fields) {
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let mut b = Schema::builder();
    let fields = Fields {
        content_hash: b.add_text_field("content_hash", STRING | STORED),
        hash_key: b.add_u64_field(F_HASH_KEY, FAST),
        url: b.add_text_field("url", STRING | STORED),
        url_text: b.add_text_field("url_text", analyzed(analyzer::URL, positions)),
        host: b.add_text_field(F_HOST, STRING | STORED | FAST),
        title: b.add_text_field("title", STORED),
        text: b.add_text_field("text", STORED),
        title_en: b.add_text_field("title_en", analyzed(analyzer::EN, positions)),
        title_fr: b.add_text_field("title_fr", analyzed(analyzer::FR, positions)),
        text_en: b.add_text_field("text_en", analyzed(analyzer::EN, positions)),
        text_fr: b.add_text_field("text_fr", analyzed(analyzer::FR, positions)),
        title_suggest: b.add_text_field("title_suggest", analyzed(analyzer::SUGGEST, IndexRecordOption::Basic)),
        tags: b.add_text_field(F_TAGS, STRING | STORED | FAST),
        language: b.add_text_field(F_LANGUAGE, STRING | STORED | FAST),
        captured_at: b.add_u64_field(F_CAPTURED_AT, INDEXED | STORED | FAST),
        status: b.add_text_field("status", STRING | STORED),
        size: b.add_u64_field("size", STORED),
    };
    (b.build(), fields)
}

/// The unique-key term of a content hash.
pub(crate) fn hash_term(fields: &Fields, hash: &[u8; 32]) -> Term {
    Term::from_field_text(fields.content_hash, &hex::encode(hash))
}

/// Host values are compared case-insensitively: both indexing and filtering lower-case them.
pub(crate) fn normalize_host(host: &str) -> String {
    host.trim().to_ascii_lowercase()
}

/// Cuts `text` to at most `max` bytes on a char boundary.
pub(crate) fn truncate_on_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Converts an [`IndexDoc`] into the tantivy document that indexes it.
pub(crate) fn to_document(f: &Fields, doc: &IndexDoc) -> TantivyDocument {
    let text = truncate_on_char_boundary(&doc.text, MAX_INDEXED_TEXT_BYTES);
    let mut hash_prefix = [0u8; 8];
    hash_prefix.copy_from_slice(&doc.content_hash[..8]);

    let mut d = TantivyDocument::default();
    d.add_text(f.content_hash, hex::encode(doc.content_hash));
    d.add_u64(f.hash_key, u64::from_be_bytes(hash_prefix));
    d.add_text(f.url, &doc.url);
    d.add_text(f.url_text, &doc.url);
    d.add_text(f.host, normalize_host(&doc.host));
    d.add_text(f.title, &doc.title);
    d.add_text(f.text, text);
    d.add_text(f.title_en, &doc.title);
    d.add_text(f.title_fr, &doc.title);
    d.add_text(f.text_en, text);
    d.add_text(f.text_fr, text);
    d.add_text(f.title_suggest, &doc.title);
    let mut seen: Vec<&str> = Vec::with_capacity(doc.tags.len());
    for tag in &doc.tags {
        if !seen.contains(&tag.as_str()) {
            seen.push(tag);
            d.add_text(f.tags, tag);
        }
    }
    d.add_text(f.language, doc.language.as_str());
    d.add_u64(f.captured_at, doc.captured_at_ms);
    d.add_text(f.status, doc.status.as_str());
    d.add_u64(f.size, doc.size);
    d
}

fn malformed(field: &'static str, reason: impl Into<String>) -> SearchError {
    SearchError::MalformedDocument { field, reason: reason.into() }
}

pub(crate) fn stored_str<'a>(d: &'a TantivyDocument, field: Field, name: &'static str) -> Result<&'a str> {
    d.get_first(field).and_then(|v| v.as_str()).ok_or_else(|| malformed(name, "missing"))
}

pub(crate) fn stored_u64(d: &TantivyDocument, field: Field, name: &'static str) -> Result<u64> {
    d.get_first(field).and_then(|v| v.as_u64()).ok_or_else(|| malformed(name, "missing"))
}

/// Decodes a stored document's content hash.
pub(crate) fn stored_hash(f: &Fields, d: &TantivyDocument) -> Result<[u8; 32]> {
    let hex_hash = stored_str(d, f.content_hash, "content_hash")?;
    let mut hash = [0u8; 32];
    hex::decode_to_slice(hex_hash, &mut hash).map_err(|e| malformed("content_hash", e.to_string()))?;
    Ok(hash)
}

/// Decodes a stored language code.
pub(crate) fn stored_lang(f: &Fields, d: &TantivyDocument) -> Result<Lang> {
    let code = stored_str(d, f.language, "language")?;
    Lang::parse(code).ok_or_else(|| malformed("language", format!("unknown code {code:?}")))
}

/// Decodes a stored status.
pub(crate) fn stored_status(f: &Fields, d: &TantivyDocument) -> Result<CaptureStatus> {
    let code = stored_str(d, f.status, "status")?;
    CaptureStatus::parse(code).ok_or_else(|| malformed("status", format!("unknown status {code:?}")))
}

/// Stored tags in insertion order.
pub(crate) fn stored_tags(f: &Fields, d: &TantivyDocument) -> Vec<String> {
    d.get_all(f.tags).filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

/// Reconstructs the [`IndexDoc`] from a stored document (text as indexed, i.e. truncated to
/// [`MAX_INDEXED_TEXT_BYTES`], host lower-cased, tags de-duplicated).
pub(crate) fn from_stored(f: &Fields, d: &TantivyDocument) -> Result<IndexDoc> {
    Ok(IndexDoc {
        content_hash: stored_hash(f, d)?,
        url: stored_str(d, f.url, "url")?.to_owned(),
        host: stored_str(d, f.host, "host")?.to_owned(),
        title: stored_str(d, f.title, "title")?.to_owned(),
        text: stored_str(d, f.text, "text")?.to_owned(),
        tags: stored_tags(f, d),
        language: stored_lang(f, d)?,
        captured_at_ms: stored_u64(d, f.captured_at, "captured_at")?,
        status: stored_status(f, d)?,
        size: stored_u64(d, f.size, "size")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_on_char_boundary("abc", 10), "abc");
        assert_eq!(truncate_on_char_boundary("aé", 2), "a");
        assert_eq!(truncate_on_char_boundary("aéb", 3), "aé");
    }

    #[test]
    fn stored_document_round_trips() -> Result<()> {
        let (_, f) = build();
        let doc = IndexDoc {
            content_hash: [9; 32],
            url: "https://Example.org/x".into(),
            host: "example.org".into(),
            title: "T".into(),
            text: "body".into(),
            tags: vec!["a".into(), "b".into(), "a".into()],
            language: Lang::Other,
            captured_at_ms: 42,
            status: CaptureStatus::Rejected,
            size: 7,
        };
        let back = from_stored(&f, &to_document(&f, &doc))?;
        assert_eq!(back.tags, vec!["a", "b"], "duplicate tags are dropped");
        assert_eq!(IndexDoc { tags: doc.tags.clone(), ..back }, doc);
        Ok(())
    }
}

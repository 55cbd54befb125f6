//! [`SearchIndex::search`]: ranking, pagination, facets and snippets.

use std::cmp::Reverse;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::ColumnValues;
use tantivy::query::Query as TQuery;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocId, Score, Searcher, SegmentReader, TantivyDocument};

use crate::error::{Result, SearchError};
use crate::facets::FacetCollector;
use crate::index::SearchIndex;
use crate::model::{Hit, Lang, Query, SearchResults};
use crate::query;
use crate::schema::{self, Fields, F_CAPTURED_AT, F_HASH_KEY};

/// Longest snippet, in characters of the source text.
pub const SNIPPET_MAX_CHARS: usize = 240;

/// Ranking key: score desc, then capture time desc, then content hash asc (its first 8 bytes;
/// two different captures sharing those 8 bytes, score and millisecond are ordered by their
/// position in the index, which is stable between commits).
type RankKey = (Score, u64, Reverse<u64>);

fn u64_column(segment: &SegmentReader, name: &str) -> Option<Arc<dyn ColumnValues<u64>>> {
    segment.fast_fields().u64(name).ok().map(|column| column.first_or_default_col(0))
}

fn rank_key_fn(segment: &SegmentReader) -> impl Fn(DocId, Score) -> RankKey + 'static {
    let captured_at = u64_column(segment, F_CAPTURED_AT);
    let hash_key = u64_column(segment, F_HASH_KEY);
    move |doc, score| {
        let time = captured_at.as_ref().map_or(0, |c| c.get_val(doc));
        let hash = hash_key.as_ref().map_or(0, |c| c.get_val(doc));
        (score, time, Reverse(hash))
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute contexts.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// The start of `text`, at most `max_chars` characters, cut at a word boundary when possible.
fn leading_excerpt(text: &str, max_chars: usize) -> &str {
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(i, _)| i);
    if end == text.len() {
        return text;
    }
    let cut = &text[..end];
    cut.rfind(char::is_whitespace).map_or(cut, |i| &cut[..i])
}

struct Snippets {
    en: SnippetGenerator,
    fr: SnippetGenerator,
}

impl Snippets {
    fn new(searcher: &Searcher, query: &dyn TQuery, f: &Fields) -> tantivy::Result<Self> {
        let mut en = SnippetGenerator::create(searcher, query, f.text_en)?;
        let mut fr = SnippetGenerator::create(searcher, query, f.text_fr)?;
        en.set_max_num_chars(SNIPPET_MAX_CHARS);
        fr.set_max_num_chars(SNIPPET_MAX_CHARS);
        Ok(Snippets { en, fr })
    }

    /// Highlights with the analyzer of the page's language first, then the other one; with no
    /// match in the text (e.g. a title-only match), the escaped start of the text.
    fn html(&self, text: &str, lang: Lang) -> String {
        let order = match lang {
            Lang::Fr => [&self.fr, &self.en],
            Lang::En | Lang::Other => [&self.en, &self.fr],
        };
        for generator in order {
            let snippet = generator.snippet(text);
            if !snippet.is_empty() {
                return snippet.to_html();
            }
        }
        escape_html(leading_excerpt(text, SNIPPET_MAX_CHARS))
    }
}

impl SearchIndex {
    /// Runs `q` against the last committed state.
    ///
    /// Ranking is BM25 over the English and French fields (title boosted), ties broken by
    /// capture time (newest first) then content hash, so pages of the same query over the same
    /// commit never overlap. An empty text matches every document (newest first).
    ///
    /// # Errors
    /// [`SearchError::LimitTooLarge`], [`SearchError::OffsetTooLarge`],
    /// [`SearchError::InvalidQuery`] for out-of-bounds requests (never for query syntax);
    /// [`SearchError::Corrupt`] / [`SearchError::Tantivy`] / [`SearchError::MalformedDocument`]
    /// if the index cannot be read.
    pub fn search(&self, q: &Query) -> Result<SearchResults> {
        q.validate()?;
        let searcher = self.reader.searcher();
        let tquery = query::build(&self.parser, &self.fields, q);
        let map = |op| move |e| SearchError::from_tantivy(&self.dir, op, e);

        // TopDocs refuses a limit of 0; collect one and drop it.
        let top = TopDocs::with_limit(q.limit.max(1)).and_offset(q.offset).tweak_score(rank_key_fn);
        let (ranked, total, facet_maps) =
            searcher.search(&*tquery, &(top, Count, FacetCollector)).map_err(map("run a search"))?;

        let mut hits = Vec::with_capacity(q.limit);
        if q.limit > 0 && !ranked.is_empty() {
            let snippets = Snippets::new(&searcher, &*tquery, &self.fields).map_err(map("prepare snippets"))?;
            for ((score, _, _), address) in ranked.into_iter().take(q.limit) {
                let stored: TantivyDocument = searcher.doc(address).map_err(map("read a stored document"))?;
                hits.push(self.hit(&stored, score, &snippets)?);
            }
        }
        Ok(SearchResults { total: total as u64, hits, facets: facet_maps.into_facets() })
    }

    fn hit(&self, d: &TantivyDocument, score: Score, snippets: &Snippets) -> Result<Hit> {
        let f = &self.fields;
        let language = schema::stored_lang(f, d)?;
        Ok(Hit {
            content_hash: schema::stored_hash(f, d)?,
            url: schema::stored_str(d, f.url, "url")?.to_owned(),
            title: schema::stored_str(d, f.title, "title")?.to_owned(),
            captured_at_ms: schema::stored_u64(d, f.captured_at, "captured_at")?,
            snippet_html: snippets.html(schema::stored_str(d, f.text, "text")?, language),
            tags: schema::stored_tags(f, d),
            status: schema::stored_status(f, d)?,
            score,
            language,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_escapes_markup() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;y&#x27;"
        );
    }

    #[test]
    fn leading_excerpt_cuts_on_words() {
        assert_eq!(leading_excerpt("short", 10), "short");
        assert_eq!(leading_excerpt("hello wonderful world", 12), "hello");
        assert_eq!(leading_excerpt("ééééé", 3), "ééé");
    }
}

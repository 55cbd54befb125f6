//! Turning a [`Query`] into a tantivy query.
//!
//! The free text goes through tantivy's query parser with five default fields — `title_en`,
//! `title_fr` (boost [`TITLE_BOOST`]), `text_en`, `text_fr`, `url_text` — so every word is looked
//! up with both the English and the French analyzer and the best field wins in BM25; words are
//! required by default (AND). Phrases (`"…"`) become phrase queries on each field.
//!
//! **Never a syntax error.** Word-internal apostrophes (`l'archive`, `don't`) are escaped
//! before parsing (the grammar treats `'` as a quote). If the text still does not parse, every
//! character that is not a letter, digit, space or apostrophe is replaced by a space, the
//! operator words `AND`/`OR`/`NOT` are dropped, and the result is parsed again (all remaining
//! words required; text left empty matches nothing); if that fails too, tantivy's lenient
//! parser is used, which always yields a query.
//!
//! Filters are added as `Must` clauses: hosts (any of), tags (all of), language, time range.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, Term};
use tracing::debug;

use crate::model::Query;
use crate::schema::{normalize_host, Fields};

/// Title matches weigh this much more than body matches.
pub(crate) const TITLE_BOOST: f32 = 2.0;
/// URL words weigh less than body words: they are often noise (`www`, `index`, `html`).
pub(crate) const URL_BOOST: f32 = 0.5;

/// The parser for free text, built once per index.
pub(crate) fn text_parser(index: &Index, f: &Fields) -> QueryParser {
    let mut parser = QueryParser::for_index(index, vec![f.title_en, f.title_fr, f.text_en, f.text_fr, f.url_text]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(f.title_en, TITLE_BOOST);
    parser.set_field_boost(f.title_fr, TITLE_BOOST);
    parser.set_field_boost(f.url_text, URL_BOOST);
    parser
}

/// Escapes apostrophes that sit between two alphanumeric characters.
fn escape_word_apostrophes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let inside_word =
            i > 0 && chars[i - 1].is_alphanumeric() && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c == '\'' && inside_word {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The last-resort form of the text: words only; operator words and punctuation dropped.
pub(crate) fn sanitize(text: &str) -> String {
    let cleaned: String =
        text.chars().map(|c| if c.is_alphanumeric() || c.is_whitespace() || c == '\'' { c } else { ' ' }).collect();
    let words: Vec<String> = cleaned
        .split_whitespace()
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT"))
        .map(str::to_owned)
        .collect();
    escape_word_apostrophes(&words.join(" "))
}

/// Parses the free text; `None` when it is blank (match all).
pub(crate) fn parse_text(parser: &QueryParser, text: &str) -> Option<Box<dyn TQuery>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let first_error = match parser.parse_query(&escape_word_apostrophes(text)) {
        Ok(q) => return Some(q),
        Err(e) => e,
    };
    let escaped = sanitize(text);
    debug!(error = %first_error, escaped = %escaped, "query text did not parse; escaped it");
    if escaped.is_empty() {
        // Only operators and punctuation: nothing to look for.
        return Some(Box::new(BooleanQuery::new(Vec::new())));
    }
    match parser.parse_query(&escaped) {
        Ok(q) => Some(q),
        Err(e) => {
            debug!(error = %e, "escaped query did not parse; using the lenient parser");
            Some(parser.parse_query_lenient(&escaped).0)
        }
    }
}

/// The filter clauses of `q`, each to be combined with `Occur::Must`.
pub(crate) fn filters(f: &Fields, q: &Query) -> Vec<Box<dyn TQuery>> {
    let mut out: Vec<Box<dyn TQuery>> = Vec::new();
    if !q.hosts.is_empty() {
        let any_host = q
            .hosts
            .iter()
            .map(|h| {
                let term = Term::from_field_text(f.host, &normalize_host(h));
                let clause: Box<dyn TQuery> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, clause)
            })
            .collect();
        out.push(Box::new(BooleanQuery::new(any_host)));
    }
    for tag in &q.tags {
        out.push(Box::new(TermQuery::new(Term::from_field_text(f.tags, tag), IndexRecordOption::Basic)));
    }
    if let Some(lang) = q.language {
        out.push(Box::new(TermQuery::new(Term::from_field_text(f.language, lang.as_str()), IndexRecordOption::Basic)));
    }
    if q.from_ms.is_some() || q.to_ms.is_some() {
        let bound = |v: Option<u64>| match v {
            Some(ms) => Bound::Included(Term::from_field_u64(f.captured_at, ms)),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(bound(q.from_ms), bound(q.to_ms))));
    }
    out
}

/// The complete query: text (scored) AND every filter (unscored).
pub(crate) fn build(parser: &QueryParser, f: &Fields, q: &Query) -> Box<dyn TQuery> {
    let text = parse_text(parser, &q.text);
    let filters = filters(f, q);
    if filters.is_empty() {
        return text.unwrap_or_else(|| Box::new(AllQuery));
    }
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::with_capacity(filters.len() + 1);
    match text {
        Some(t) => clauses.push((Occur::Must, t)),
        None => clauses.push((Occur::Must, Box::new(AllQuery))),
    }
    // Filters must not change the BM25 ranking (nor pay for it): constant score 0.
    for filter in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophes_inside_words_are_escaped() {
        assert_eq!(escape_word_apostrophes("l'archive"), "l\\'archive");
        assert_eq!(escape_word_apostrophes("'quoted'"), "'quoted'");
    }

    #[test]
    fn sanitize_removes_operators() {
        assert_eq!(sanitize("AND OR (("), "");
        assert_eq!(sanitize("archive AND (("), "archive");
        assert_eq!(sanitize("title:(foo \"bar"), "title foo bar");
        assert_eq!(sanitize("(( ))"), "");
        assert_eq!(sanitize("l'archive -x"), "l\\'archive x");
    }
}

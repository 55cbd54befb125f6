//! Parsing a capture for its links and text: decode, detect the charset, walk the HTML.
//!
//! Which media types are parsed is `CrawlConfig::allowed_mime`; a response without
//! `Content-Type` is parsed as HTML when it starts with `<!doctype html` or `<html`, else not
//! at all. HTML is parsed with `scraper` (html5ever), so malformed markup is repaired the way
//! browsers do it.

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use scraper::{Html, Node, Selector};
use url::Url;

use crate::capture::{Capture, PageInfo};
use crate::config::CrawlConfig;
use crate::decode::{self, DecodeError};
use crate::error::CrawlError;
use crate::urls::resolve_link;

/// `PageInfo::text` is cut here: 1 MiB of text is plenty for indexing and keeps one page from
/// dominating memory.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// Elements whose content is not visible text.
const HIDDEN: &[&str] = &["script", "style", "template", "head", "noscript", "svg", "math"];
/// Elements that separate words (block and line-breaking elements).
const BREAKING: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
    "title",
    "body",
];
/// `link rel` values that name page resources rather than pages.
const RESOURCE_RELS: &[&str] = &[
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "preload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "modulepreload",
    "manifest",
];

static BASE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("base[href]").expect("static selector is valid"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("title").expect("static selector is valid"));

/// Links, text and metadata of one HTML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HtmlExtract {
    pub title: Option<String>,
    pub text: String,
    pub text_truncated: bool,
    pub lang: Option<String>,
    pub links: Vec<String>,
}

/// Collapses whitespace runs into single spaces, trims, and stops at a byte cap.
#[derive(Debug)]
pub(crate) struct TextBuilder {
    out: String,
    pending_space: bool,
    cap: usize,
    truncated: bool,
}

impl TextBuilder {
    pub(crate) fn new(cap: usize) -> Self {
        Self { out: String::new(), pending_space: false, cap, truncated: false }
    }

    pub(crate) fn push(&mut self, chunk: &str) {
        if self.truncated {
            return;
        }
        if chunk.starts_with(char::is_whitespace) {
            self.pending_space = true;
        }
        let mut had_words = false;
        for word in chunk.split_whitespace() {
            let space = usize::from(self.pending_space && !self.out.is_empty());
            if self.out.len() + space + word.len() > self.cap {
                self.truncated = true;
                return;
            }
            if space == 1 {
                self.out.push(' ');
            }
            self.out.push_str(word);
            self.pending_space = true;
            had_words = true;
        }
        if had_words {
            self.pending_space = chunk.ends_with(char::is_whitespace);
        }
    }

    pub(crate) fn brk(&mut self) {
        self.pending_space = true;
    }

    pub(crate) fn finish(self) -> (String, bool) {
        (self.out, self.truncated)
    }
}

/// Normalise text outside HTML (text/plain, titles).
pub(crate) fn normalise_text(s: &str, cap: usize) -> (String, bool) {
    let mut b = TextBuilder::new(cap);
    b.push(s);
    b.finish()
}

/// Walk an HTML document (already decoded to text) for title, visible text, lang and links.
pub(crate) fn extract_html(doc_url: &Url, html: &str) -> HtmlExtract {
    let doc = Html::parse_document(html);
    let base = doc
        .select(&BASE)
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| resolve_link(doc_url, href))
        .unwrap_or_else(|| doc_url.clone());
    let title = doc.select(&TITLE).next().and_then(|t| {
        let raw: String = t.text().collect();
        let (t, _) = normalise_text(&raw, MAX_TEXT_BYTES);
        (!t.is_empty()).then_some(t)
    });
    let lang = doc.root_element().value().attr("lang").map(str::trim).filter(|l| !l.is_empty()).map(str::to_string);

    let mut text = TextBuilder::new(MAX_TEXT_BYTES);
    let mut links = Vec::new();
    let mut seen = HashSet::new();
    let mut hidden_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if HIDDEN.contains(&name) {
                        hidden_depth += 1;
                    }
                    if BREAKING.contains(&name) {
                        text.brk();
                    }
                    let href = match name {
                        "a" | "area" => el.attr("href"),
                        "link" => {
                            let rel = el.attr("rel").unwrap_or("").to_ascii_lowercase();
                            if rel.split_ascii_whitespace().any(|r| RESOURCE_RELS.contains(&r)) {
                                None
                            } else {
                                el.attr("href")
                            }
                        }
                        _ => None,
                    };
                    if let Some(link) = href.and_then(|h| resolve_link(&base, h)) {
                        let link = link.to_string();
                        if seen.insert(link.clone()) {
                            links.push(link);
                        }
                    }
                }
                Node::Text(t) if hidden_depth == 0 => text.push(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if HIDDEN.contains(&name) {
                        hidden_depth = hidden_depth.saturating_sub(1);
                    }
                    if BREAKING.contains(&name) {
                        text.brk();
                    }
                }
            }
        }
    }
    let (text, text_truncated) = text.finish();
    HtmlExtract { title, text, text_truncated, lang, links }
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes).trim_ascii_start();
    let head: Vec<u8> = start.iter().take(14).map(u8::to_ascii_lowercase).collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// Parse a capture into a [`PageInfo`], or `Ok(None)` when its media type is not parsed.
///
/// # Errors
/// [`CrawlError::DecodedTooLarge`] past `max_decoded_bytes` (compression bomb) and
/// [`CrawlError::ContentDecoding`] for unsupported or corrupt content-coding. The capture itself
/// is unaffected.
pub(crate) fn parse_capture(capture: &Capture, config: &CrawlConfig) -> Result<Option<PageInfo>, CrawlError> {
    let encoding = capture.header_str("content-encoding");
    let decoded = |limit: u64| {
        decode::decompress(&capture.body, encoding.as_deref(), limit, capture.truncated.is_some()).map_err(
            |e| match e {
                DecodeError::TooLarge => CrawlError::DecodedTooLarge { url: capture.url.clone(), limit },
                DecodeError::Unsupported(c) => CrawlError::ContentDecoding {
                    url: capture.url.clone(),
                    encoding: c,
                    reason: "content-coding not supported".to_string(),
                },
                DecodeError::Corrupt(reason) => CrawlError::ContentDecoding {
                    url: capture.url.clone(),
                    encoding: encoding.clone().unwrap_or_default(),
                    reason,
                },
            },
        )
    };
    let content_type = capture.header_str("content-type");
    let mime = match capture.mime() {
        Some(m) if !m.is_empty() => m,
        _ => {
            if capture.body.is_empty() {
                return Ok(None);
            }
            // No Content-Type: sniff the start of the decoded body.
            match decoded(config.max_decoded_bytes) {
                Ok(bytes) if looks_like_html(&bytes) => "text/html".to_string(),
                _ => return Ok(None),
            }
        }
    };
    if !config.is_parsed_mime(&mime) {
        return Ok(None);
    }
    let bytes = decoded(config.max_decoded_bytes)?;
    let is_html = mime.contains("html");
    let header_charset = content_type.as_deref().and_then(decode::charset_param);
    let (enc, charset_source) = decode::detect(&bytes, header_charset.as_deref(), is_html);
    let text = decode::decode(&bytes, enc);
    let header_lang = capture.header_str("content-language").and_then(|l| {
        let first = l.split(',').next().unwrap_or("").trim().to_string();
        (!first.is_empty()).then_some(first)
    });
    let page = if is_html {
        let url = Url::parse(&capture.url)
            .map_err(|e| CrawlError::InvalidUrl { url: capture.url.clone(), reason: e.to_string() })?;
        let x = extract_html(&url, &text);
        PageInfo {
            title: x.title,
            text: x.text,
            text_truncated: x.text_truncated,
            language: x.lang.or(header_lang),
            links: x.links,
            charset: enc.name().to_string(),
            charset_source,
        }
    } else {
        let (text, text_truncated) = normalise_text(&text, MAX_TEXT_BYTES);
        PageInfo {
            title: None,
            text,
            text_truncated,
            language: header_lang,
            links: Vec::new(),
            charset: enc.name().to_string(),
            charset_source,
        }
    };
    Ok(Some(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("http://example.org/dir/page.html").expect("static URL")
    }

    #[test]
    fn links_text_title_lang() {
        let html = r#"<!doctype html><html lang="fr"><head><title>  Le   titre </title>
            <link rel="stylesheet" href="/s.css"><link rel="alternate" href="/feed.xml">
            <script>var hidden = "no";</script><style>.x{}</style></head>
            <body><h1>Bonjour</h1><p>le <b>monde</b>  entier</p><div>fin</div>
            <a href="a.html#x">a</a><a href="a.html">dup</a><a href="mailto:x@y">m</a>
            <a href="javascript:void(0)">j</a><a href="../up/">up</a><area href="/map">
            <noscript>enable js</noscript><template><p>tpl</p></template></body></html>"#;
        let x = extract_html(&url(), html);
        assert_eq!(x.title.as_deref(), Some("Le titre"));
        assert_eq!(x.lang.as_deref(), Some("fr"));
        // Inline elements with no whitespace between them run together, as a browser shows them.
        assert_eq!(x.text, "Bonjour le monde entier fin adupm jup");
        assert_eq!(
            x.links,
            vec![
                "http://example.org/feed.xml",
                "http://example.org/dir/a.html",
                "http://example.org/up/",
                "http://example.org/map",
            ]
        );
        assert!(!x.text_truncated);
    }

    #[test]
    fn base_href_is_honoured() {
        let html = r#"<html><head><base href="http://cdn.example.org/base/"></head>
            <body><a href="x.html">x</a></body></html>"#;
        assert_eq!(extract_html(&url(), html).links, vec!["http://cdn.example.org/base/x.html"]);
    }

    #[test]
    fn text_is_capped_at_a_word_boundary() {
        let (t, cut) = normalise_text("alpha beta gamma", 10);
        assert_eq!((t.as_str(), cut), ("alpha beta", true));
        let (t, cut) = normalise_text("  a \n\t b  ", 100);
        assert_eq!((t.as_str(), cut), ("a b", false));
        let big = "mot ".repeat(400_000);
        let x = extract_html(&url(), &format!("<p>{big}</p>"));
        assert!(x.text_truncated && x.text.len() <= MAX_TEXT_BYTES);
    }

    #[test]
    fn malformed_html_never_panics() {
        for h in ["<a href=", "<<<>>>", "<html lang>", "<a href='\u{0}'>", "</p></div><title>", ""] {
            let _ = extract_html(&url(), h);
        }
    }
}

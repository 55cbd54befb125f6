//! What the crawler hands out: one [`Capture`] per HTTP exchange, an optional [`PageInfo`] for
//! parsed pages, delivered to a [`CaptureSink`].

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Why a body is incomplete; maps to WARC `WARC-Truncated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Truncation {
    /// Cut at `max_bytes_per_page` (or the crawl's byte budget).
    Length,
    /// The page timeout expired while the body was still arriving.
    Time,
    /// The connection broke before the body was complete.
    Disconnect,
}

impl Truncation {
    /// The WARC `WARC-Truncated` value.
    pub fn as_warc_str(self) -> &'static str {
        match self {
            Truncation::Length => "length",
            Truncation::Time => "time",
            Truncation::Disconnect => "disconnect",
        }
    }
}

/// One HTTP exchange exactly as it happened.
///
/// Guarantees:
/// - `body` holds the entity body as served: **content-coding kept** (a gzip page stays gzip),
///   transfer-coding (chunked) removed. It is complete unless `truncated` says otherwise.
/// - `request_headers` are the headers sent, in order, with the case used on the wire.
/// - `response_headers` are the headers received. Limits of the HTTP stack: names come lower
///   case, and repeated names are grouped at their first position (values keep their order).
///   They are not fixed up: a `Transfer-Encoding: chunked` header stays although `body` is
///   de-chunked, so a WARC writer must adjust `Content-Length`/`Transfer-Encoding` itself.
/// - A redirect is a capture with `redirect_to` set; the next hop is a separate capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// The normalised URL requested.
    pub url: String,
    /// Always `GET` for now.
    pub method: String,
    /// Headers sent, in order, as on the wire.
    pub request_headers: Vec<(String, String)>,
    /// `HTTP/1.1`, `HTTP/1.0` …
    pub http_version: String,
    /// Status code.
    pub status: u16,
    /// Reason phrase as sent when it differs from the standard one, else the standard one.
    pub reason: String,
    /// Headers received (see the type docs for ordering limits); values are raw bytes.
    pub response_headers: Vec<(String, Vec<u8>)>,
    /// Entity body as served (content-coding kept).
    pub body: Vec<u8>,
    /// Set when `body` is incomplete.
    pub truncated: Option<Truncation>,
    /// Peer address the response came from.
    pub ip: Option<IpAddr>,
    /// When the request was sent, milliseconds since the Unix epoch.
    pub captured_at_ms: u64,
    /// For 3xx with a usable `Location`: the normalised absolute target.
    pub redirect_to: Option<String>,
    /// Link hops from the seed (redirect hops keep the depth of the URL that redirected).
    pub depth: u32,
    /// The robots.txt rule that allowed this fetch, e.g. `allowed by "Allow: /a" (group "*")`;
    /// `None` when robots.txt was not consulted (robots off, or this *is* robots.txt).
    pub robots: Option<String>,
    /// True for robots.txt fetches (prerequisites, not pages).
    pub prerequisite: bool,
}

impl Capture {
    /// First response header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.response_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }

    /// First response header as (lossy) text.
    pub fn header_str(&self, name: &str) -> Option<String> {
        self.header(name).map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// Media type without parameters, lower case (`text/html`); `None` without Content-Type.
    pub fn mime(&self) -> Option<String> {
        self.header_str("content-type").map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
    }
}

/// Where the character set used for decoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CharsetSource {
    /// A byte-order mark (takes precedence, as in the WHATWG encoding standard).
    Bom,
    /// `Content-Type: …; charset=`.
    Header,
    /// `<meta charset>` or `<meta http-equiv="Content-Type">`.
    Meta,
    /// Detected from the bytes (no label, or a UTF-8 label the bytes are not valid for).
    Guess,
}

/// What parsing found in a page (HTML or plain text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// `<title>` text, whitespace-normalised.
    pub title: Option<String>,
    /// Visible text (no script/style/template/head), whitespace-normalised, at most 1 MiB.
    pub text: String,
    /// True when `text` was cut at 1 MiB.
    pub text_truncated: bool,
    /// `<html lang>`, else the `Content-Language` header.
    pub language: Option<String>,
    /// Normalised absolute http(s) links from `a[href]`, `area[href]` and `link[href]`
    /// (stylesheets, icons and preload hints excluded), deduplicated, in document order.
    pub links: Vec<String>,
    /// WHATWG name of the encoding used (`UTF-8`, `windows-1252` …).
    pub charset: String,
    /// Where that encoding came from.
    pub charset_source: CharsetSource,
}

/// Receives captures in completion order. Implemented by the WARC store in the node.
///
/// Guarantees to the sink: called from the crawl task only, one capture at a time; a redirect
/// hop is delivered before the capture of its target; robots.txt of an origin before its pages.
pub trait CaptureSink {
    /// Take one capture and, for parsed pages, its page info.
    ///
    /// # Errors
    /// A message; the crawl then stops (`StopReason::SinkFailed`).
    fn accept(&mut self, capture: Capture, page: Option<PageInfo>) -> Result<(), String>;
}

impl<S: CaptureSink + ?Sized> CaptureSink for &mut S {
    fn accept(&mut self, capture: Capture, page: Option<PageInfo>) -> Result<(), String> {
        (**self).accept(capture, page)
    }
}

/// Keeps everything in memory, for tests and small jobs.
#[derive(Debug, Default, Clone)]
pub struct VecSink {
    /// Captures in delivery order.
    pub items: Vec<(Capture, Option<PageInfo>)>,
}

impl VecSink {
    /// The first capture of a URL.
    pub fn get(&self, url: &str) -> Option<&(Capture, Option<PageInfo>)> {
        self.items.iter().find(|(c, _)| c.url == url)
    }
}

impl CaptureSink for VecSink {
    fn accept(&mut self, capture: Capture, page: Option<PageInfo>) -> Result<(), String> {
        self.items.push((capture, page));
        Ok(())
    }
}

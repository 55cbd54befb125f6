//! A polite, bounded web crawler (reqwest + scraper) that captures pages exactly as served.
//!
//! # What it owns
//! Fetching web pages for the archive: the frontier (per-host queues, breadth-first, resumable),
//! robots.txt, politeness and limits, and turning each HTTP exchange into a [`Capture`] that
//! keeps the bytes as served (content-coding included), plus a [`PageInfo`] (title, text,
//! language, links) for pages it can parse. It is the only crate that links `reqwest` and
//! `scraper`. It does not write WARC files: captures go to a [`CaptureSink`], which the node
//! implements over its WARC store.
//!
//! # Data flow
//! ```text
//! seeds ─▶ Frontier ─▶ robots.txt check ─▶ fetch (one hop, raw bytes, caps) ─▶ Capture ─▶ sink
//!             ▲                                     │ 3xx: Location ─▶ front of the queue
//!             └──────── in-scope links ◀── parse (decompress with cap, charset, scraper)
//! ```
//!
//! # Rules chosen
//! - **robots.txt** (see [`robots`]): fetched once per origin per run, 512 KiB cap, up to 5
//!   redirects. 2xx → rules of the `ArchiveChainBot` group, else `*`; 4xx → allow all;
//!   5xx, 429, timeout or network error → **disallow all for that origin for this run** (RFC 9309
//!   "unreachable"). Its response is delivered as a capture (`prerequisite = true`), and each
//!   page capture records the deciding rule in `robots`.
//! - **Scope** ([`Scope`]): Host (same host name), Prefix (URL string prefix), Domain (host or
//!   subdomains, `www.` stripped). Redirect targets are scope-checked like links.
//! - **Normalisation** (see [`urls`]): lower-case scheme/host, default port and fragment dropped,
//!   dot segments removed, escapes upper-cased; query order kept.
//! - **Media types**: `allowed_mime` prefixes are parsed; others are stored without link
//!   extraction ([`OtherMime::Store`], default) or skipped unread ([`OtherMime::Skip`]).
//! - **Safety**: only http(s); non-public addresses refused unless `allow_private_addresses`
//!   (checked on IP literals before connecting and on every DNS answer).
//!
//! # Example
//! ```no_run
//! use archive_crawler::{crawl, CrawlConfig, VecSink};
//! # async fn demo() -> Result<(), archive_crawler::CrawlError> {
//! let mut config = CrawlConfig::new(["https://example.org/"]);
//! config.max_pages = 50;
//! let mut sink = VecSink::default();
//! let report = crawl(config, &mut sink, |p| eprintln!("{} pages", p.pages)).await?;
//! println!("{} captures, {} errors", report.captures, report.errors.len());
//! # Ok(()) }
//! ```

mod capture;
mod config;
mod crawl;
mod decode;
mod error;
mod extract;
mod fetch;
mod frontier;
mod jobs;
mod report;
pub mod robots;
pub mod urls;

pub use capture::{Capture, CaptureSink, CharsetSource, PageInfo, Truncation, VecSink};
pub use config::{
    CrawlConfig, OtherMime, Scope, DEFAULT_MAX_BYTES_PER_PAGE, DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_REDIRECTS,
    DEFAULT_MAX_TOTAL_BYTES, DEFAULT_PAGE_TIMEOUT, DEFAULT_POLITENESS_DELAY, DEFAULT_TOTAL_TIMEOUT, DEFAULT_USER_AGENT,
};
pub use crawl::{crawl, Crawler, MAX_CRAWL_DELAY, MAX_ROBOTS_BYTES, MAX_ROBOTS_REDIRECTS};
pub use error::CrawlError;
pub use extract::MAX_TEXT_BYTES;
pub use frontier::{Frontier, FrontierEntry};
pub use report::{CrawlReport, Progress, SkipReason, StopHandle, StopReason};

/// Title, text, language and links of a capture made earlier (e.g. a record fetched from a
/// peer, or re-read from a WARC store to rebuild an index), decoded exactly as during a crawl
/// (decompression with `config`'s caps, charset detection). `None` for types that are not
/// parsed.
///
/// # Errors
/// A body that cannot be decompressed within the caps.
pub fn page_info(capture: &Capture, config: &CrawlConfig) -> Result<Option<PageInfo>, CrawlError> {
    extract::parse_capture(capture, config)
}
